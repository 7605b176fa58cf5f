"""Reading images with Pillow: raw size, EXIF orientation, displayed size, and the displayed pixels."""

from __future__ import annotations

import math
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ocrviewer.core import tiffstrips
from ocrviewer.core.drawing import PREVIEW_MIN_SHARE
from ocrviewer.core.geometry import ORIENTATION_NAMES, oriented_size
from ocrviewer.errors import ImageError, ImageTooLarge, missing_file

ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class ImageInfo:
    """What a person (and frame detection) needs to know about an image file."""

    path: str
    format: str
    raw_width: int
    raw_height: int
    orientation: int = 1
    frames: int = 1
    #: what was odd about the file and how it was read ("invalid EXIF orientation 9, treated as 1")
    warnings: tuple[str, ...] = ()

    @property
    def display_size(self) -> tuple[int, int]:
        w, h = oriented_size(self.orientation, self.raw_width, self.raw_height)
        return int(w), int(h)

    @property
    def display_width(self) -> int:
        return self.display_size[0]

    @property
    def display_height(self) -> int:
        return self.display_size[1]

    @property
    def raw_size(self) -> tuple[int, int]:
        return self.raw_width, self.raw_height

    @property
    def frames_note(self) -> str | None:
        """For a file of several pages or frames, which one is shown and how to see the others; None
        for one picture (and for an MPO, a camera's JPEG with a second view: the first is the photo).

        The viewer, ``render`` and ``recognize`` take the first frame of an image file; a PDF, a
        multi-page TIFF (whatever its name) or a folder is what opens as a document of pages. A TIFF
        in a folder is one picture: its first page.
        """
        if self.frames <= 1 or self.format in ("MPO", "PDF"):
            return None
        if self.format == "TIFF":  # a TIFF opened on its own is a document of pages
            return (
                f"has {self.frames} pages; only page 1 is shown and read here (a page of a folder). To "
                "see every page, open the file on its own"
            )
        return f"is animated ({self.frames} frames); only the first frame is shown and read"

    def describe(self) -> str:
        return (
            f"{self.format} {self.raw_width}x{self.raw_height} stored, orientation {self.orientation} "
            f"({ORIENTATION_NAMES[self.orientation]}), displayed {self.display_width}x{self.display_height}"
            + "".join(f"; {w}" for w in self.warnings)
        )


def _orientation_of(img: Image.Image) -> tuple[int, str | None]:
    """The EXIF orientation (1 when absent), and a warning when the tag holds something else than 1..8."""
    try:
        if img.format == "PNG" and "exif" not in img.info and getattr(img, "tile", None):  # not decoded yet
            exif = Image.Exif()
            data = _png_late_exif(getattr(img, "filename", ""))
            if data:
                exif.load(data)
        else:
            exif = img.getexif()
        raw = exif.get(ORIENTATION_TAG, 1)
        value = int(raw)
    except Exception:  # a broken EXIF block must not make the image unreadable
        return 1, "unreadable EXIF orientation, treated as 1 (normal)"
    if value in ORIENTATION_NAMES:
        return value, None
    return 1, f"invalid EXIF orientation {value}, treated as 1 (normal)"


#: Largest eXIf chunk read (a PNG's EXIF is a few KB; a length beyond this is a damaged chunk)
_PNG_EXIF_MAX = 1 << 20


def _png_late_exif(path: str | os.PathLike[str]) -> bytes | None:
    """The eXIf chunk of a PNG that has it after its image data, read by walking the chunk headers;
    None without one.

    Pillow looks for it by decoding the whole image (``getexif`` calls ``load``): a header-only
    look at a 4500x6000 scan took 42 ms and the decoded pixels' memory, on the GUI thread when a
    file is opened and for every PNG page of a folder.
    """
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            for kind, length in _png_chunks(f):
                if kind == b"eXIf":
                    return f.read(length) if length <= _PNG_EXIF_MAX else None
    except OSError:
        return None
    return None


def _png_chunks(f: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """(type, data length) of each chunk of the PNG open in ``f`` before its IEND, read from the
    chunk headers alone; at each step ``f`` is at the chunk's data, which the caller may read."""
    at = 8  # after the signature
    while True:
        f.seek(at)
        head = f.read(8)
        if len(head) < 8:
            return
        length, kind = int.from_bytes(head[:4], "big"), head[4:]
        if kind == b"IEND":
            return
        at += 8 + length + 4  # the header, the data and its CRC
        yield kind, length


_reading = threading.local()


@contextmanager
def reading_image(path: str | os.PathLike[str]) -> Iterator[None]:
    """Mark ``path`` as the image this thread is reading, so a warning a library gives meanwhile
    ("Corrupt EXIF data", without a file name) can be told with it: see :func:`image_warning`."""
    stack: list[str] = _reading.__dict__.setdefault("paths", [])
    stack.append(os.fspath(path))
    try:
        yield
    finally:
        stack.pop()


def image_warning(message: Warning | str, filename: str) -> str | None:
    """One line for a warning Pillow gave (``filename``: where it was raised) while this thread read
    an image, naming that image first; None for any other warning.

    Pillow's warnings about a file's contents ("Corrupt EXIF data. Expecting to read 12 bytes but
    only got 4.", "Tag data larger than file") do not say which file; in a folder or a batch of
    hundreds the reader could not tell.
    """
    parts = Path(filename).parts
    if "PIL" not in parts:
        return None
    text = " ".join(str(message).split())
    stack = getattr(_reading, "paths", None)
    if stack and stack[-1] not in text:
        text = f"{stack[-1]}: {text}"
    return text


def _open(path: str | os.PathLike[str]) -> Image.Image:
    p = Path(path)
    if p.is_dir():
        raise ImageError(f"{p}: is a folder, not an image; give an image file")
    if not p.is_file():
        raise ImageError(missing_file(p))
    try:
        with warnings.catch_warnings(), reading_image(p):  # a JPEG's EXIF is read on opening
            # Between Pillow's pixel limit and twice it (90-180 MP: real medium-format photos) Pillow
            # only warns, in two lines on stderr; those open quietly, and beyond it is an error below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(p)
            if img.format == "TIFF":
                # Pillow (13) memory-maps an uncompressed TIFF using its size *after* the Orientation
                # turn, so a picture stored turned (5-8) came out in sheared stripes and unturned;
                # without a file name it reads the strips, and turns them right
                img.filename = ""
                _read_planes_with_libtiff(img)
            return img
    except Image.DecompressionBombError as err:
        raise ImageTooLarge(_too_large(p, err)) from err
    except UnidentifiedImageError as err:
        if _is_empty(p):
            raise ImageError(f"{p}: the file is empty (0 bytes); re-export or re-download it") from err
        unsupported = _unsupported_format(p)
        if unsupported:
            raise ImageError(f"{p}: {unsupported}") from err
        form = _tiff_form(p)
        if form:
            raise ImageError(f"{p}: {form}") from err
        broken = _broken_header(p)
        if broken:
            raise ImageError(f"{p}: {broken}; re-export or re-download it") from err
        raise ImageError(f"{p}: not an image Pillow can read; use JPEG, PNG, TIFF, BMP or WebP") from err
    except PermissionError as err:
        raise ImageError(f"{p}: cannot read image (permission denied); check the file's permissions") from err
    except OSError as err:
        if err.errno is None:  # Pillow's own: the header is there, the data after it is not
            raise ImageError(
                f"{p}: image is truncated or corrupt ({err}); re-export or re-download it"
            ) from err
        raise ImageError(f"{p}: cannot read image ({err.strerror or err}); check the file") from err


def _read_planes_with_libtiff(img: Image.Image) -> None:
    """Have libtiff read the current page of an uncompressed TIFF stored as separate 16-bit planes
    (PlanarConfiguration 2). Pillow's own reader takes one letter of the mode as each plane's
    format ("R" of "RGB;16B": 8 bits), which showed a wrong picture (a red-to-blue gradient came
    out red and purple); with libtiff it is right. For this file only: Pillow's ``READ_LIBTIFF``
    would switch every TIFF of the process."""
    tags = getattr(img, "tag_v2", None)
    if not isinstance(img, ImageFile.ImageFile) or tags is None or not img.tile:
        return
    if tags.get(284, 1) != 2 or getattr(img, "use_load_libtiff", True):
        return
    bits = tags.get(258)
    depth = max(bits) if isinstance(bits, tuple) and bits else bits
    if depth != 16 or img.mode not in ("RGB", "RGBA"):
        return
    img.tile = [ImageFile._Tile("libtiff", (0, 0, *img.size), 0, (f"{img.mode};16N", False, tags.offset))]
    img.use_load_libtiff = True  # type: ignore[attr-defined]


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
)


#: ISO base media file brands (bytes 8..12, after ``ftyp``) of HEIF files: HEIC photos (iPhones save
#: them) and other HEIF; AVIF's brands when this Pillow has no AVIF support
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def _unsupported_format(path: Path) -> str | None:
    """For a file Pillow cannot identify that is an image in a format it cannot read here (HEIC,
    JPEG XL, AVIF without its plugin, SVG) or a PDF under an image's name: what it is and what to do;
    None for anything else."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        readable = {name.upper() for name in Image.OPEN}  # a plugin (pillow-heif: "HEIF") reads it here
        if brand in _AVIF_BRANDS and "AVIF" in readable or brand in _HEIF_BRANDS and "HEIF" in readable:
            return None  # a format this Pillow reads, damaged: said as such by the caller
        if brand in _AVIF_BRANDS:
            return (
                "an AVIF image, which this installation cannot read; convert it to PNG or JPEG first "
                "(e.g. avifdec IN.avif OUT.png), or install Pillow 11.2 or newer"
            )
        if brand in _HEIF_BRANDS:
            return (
                "a HEIC/HEIF photo, which the viewer cannot read; convert it to JPEG first "
                "(e.g. heif-convert IN.heic OUT.jpg, or export it as JPEG from Photos or Preview)"
            )
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "a JPEG XL image, which the viewer cannot read; convert it to PNG first (e.g. djxl IN.jxl OUT.png)"
    if head.startswith(b"%PDF-"):
        return "a PDF, not an image (the name says otherwise); rename it to end in .pdf and open that"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in _head(path, 4096).lower()):
        return (
            "an SVG drawing, not a raster image; export it as PNG first (e.g. rsvg-convert IN.svg -o OUT.png)"
        )
    return None


def _head(path: Path, size: int) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except OSError:
        return b""


def _broken_header(path: Path) -> str | None:
    """For a file Pillow cannot identify that starts as an image format does: what is wrong ('a
    PNG whose header says 0x0 pixels'); None for anything else (then it is not an image at all)."""
    try:
        with open(path, "rb") as f:
            head = f.read(32)
    except OSError:
        return None
    fmt = next((name for sig, name in _SIGNATURES if head.startswith(sig)), None)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        fmt = "WebP"
    elif head[4:8] == b"ftyp" and head[8:12] in _AVIF_BRANDS | _HEIF_BRANDS:
        fmt = "AVIF" if head[8:12] in _AVIF_BRANDS else "HEIF"
    if fmt is None:
        return None
    if fmt == "PNG" and head[12:16] == b"IHDR":
        w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        if w == 0 or h == 0:
            return f"a PNG whose header says {w}x{h} pixels (an image without pixels)"
    article = "an" if fmt[0] in "AEIOU" else "a"
    return f"{article} {fmt} file whose header Pillow cannot read (damaged)"


_PHOTOMETRIC = {
    0: "grey",
    1: "grey",
    2: "RGB",
    3: "palette",
    5: "CMYK",
    6: "YCbCr",
    8: "CIELab",
    9: "ICCLab",
    10: "ITULab",
    32844: "LogL",
    32845: "LogLuv",
}
_SAMPLE_FORMAT = {1: "", 2: " signed", 3: " floating-point", 4: " untyped"}


def _tiff_form(path: Path) -> str | None:
    """For a TIFF Pillow cannot open whose first directory is whole: what kind of pixels it holds
    and what to do ("a TIFF of 32-bit floating-point RGB pixels, which the viewer cannot read ...;
    convert it to 8-bit RGB first"); None for anything else (a damaged directory: said so after)."""
    import struct

    def at(f: object, offset: int, size: int) -> bytes:
        f.seek(offset)  # type: ignore[attr-defined]
        data: bytes = f.read(size)  # type: ignore[attr-defined]
        if len(data) < size:
            raise EOFError
        return data

    try:
        with open(path, "rb") as f:
            head = f.read(8)
            order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(head[:4])
            if order is None:
                return None
            (ifd,) = struct.unpack(order + "I", head[4:8])
            (count,) = struct.unpack(order + "H", at(f, ifd, 2))
            entries = at(f, ifd + 2, 12 * min(count, 4096))
            tags: dict[int, int] = {}
            for k in range(len(entries) // 12):
                tag, kind, n, value = struct.unpack(order + "HHI4s", entries[12 * k : 12 * k + 12])
                if kind == 3 and n <= 2:
                    tags[tag] = struct.unpack(order + "H", value[:2])[0]
                elif kind == 3:  # several values (the bits of each sample), stored elsewhere
                    (where,) = struct.unpack(order + "I", value)
                    tags[tag] = struct.unpack(order + "H", at(f, where, 2))[0]
                elif kind == 4:
                    tags[tag] = struct.unpack(order + "I", value)[0]
    except (OSError, EOFError, struct.error):
        return None
    if 256 not in tags or 257 not in tags:
        return None
    photometric, bits, form = tags.get(262, -1), tags.get(258, 1), tags.get(339, 1)
    if photometric in (0, 1, 2, 3, 5, 6) and bits in (1, 2, 4, 8, 16) and form == 1:
        return None  # a usual kind: Pillow refused something else (a damaged file)
    colour = _PHOTOMETRIC.get(photometric, f"photometric-{photometric}")
    return (
        f"a TIFF of {bits}-bit{_SAMPLE_FORMAT.get(form, '')} {colour} pixels, which the viewer cannot "
        "read; convert it to 8-bit RGB first (e.g. convert IN.tif -depth 8 OUT.png)"
    )


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _too_large(path: str | os.PathLike[str], err: Exception) -> str:
    """One line for Pillow's decompression-bomb refusal, in megapixels rather than its wording."""
    found = re.search(r"\((\d+) pixels\) exceeds limit of (\d+) pixels", str(err))
    if found is None:
        return f"{path}: image is too large to open safely ({err}); shrink it first"
    pixels, limit = (int(v) for v in found.groups())
    return (
        f"{path}: image is too large to open safely ({pixels / 1e6:,.0f} megapixels; the limit is "
        f"{limit / 1e6:,.0f}); shrink it first"
    )


def read_image_info(path: str | os.PathLike[str]) -> ImageInfo:
    """Header-only look at an image: no pixel decode."""
    with reading_image(path), _open(path) as img:
        return _frame_info(img, path, "unknown", getattr(img, "n_frames", 1))


def _stored_size(img: Image.Image) -> tuple[int, int]:
    """Width and height of the pixels as stored in the file.

    Pillow (12+) reports a TIFF's size with its Orientation already applied (and rotates the
    pixels on load); the stored size is in the ImageWidth/ImageLength tags.
    """
    tags = getattr(img, "tag_v2", None)
    if img.format == "TIFF" and tags is not None:
        w, h = tags.get(256), tags.get(257)
        if isinstance(w, int) and isinstance(h, int) and {w, h} == set(img.size):
            return w, h
    return img.width, img.height


@contextmanager
def _decoding(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn Pillow's decode failures into one-line ImageErrors naming ``path`` (and name it in
    Pillow's warnings meanwhile: :func:`reading_image`)."""
    try:
        with reading_image(path):
            yield
    except Image.DecompressionBombError as err:
        raise ImageTooLarge(_too_large(path, err)) from err
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageError(
            f"{path}: image is truncated or corrupt ({err}); re-export or re-download it"
        ) from err


def check_pixels(path: str | os.PathLike[str]) -> str | None:
    """Decode the whole file cheaply (JPEG at 1/8 scale): a file of which nothing can be decoded is
    an error; one that is damaged or cut short but partly readable gives its note (see
    :func:`damage_note`), None for a whole picture.

    :func:`read_image_info` reads the header only, which a cut-off file still has.
    """
    with _open(path) as img, _decoding(path):
        if img.format == "JPEG":
            img.draft("L", (max(1, img.width // 8), max(1, img.height // 8)))
        return load_partial(img, path)


#: key of :attr:`PIL.Image.Image.info` that holds what was missing from a damaged file's picture
DAMAGE_KEY = "ocrviewer.damaged"


def damage_note(img: Image.Image) -> str | None:
    """The note of a picture decoded from a damaged or cut-short file ("the picture is damaged or
    cut short: the lower part is missing ..."); None for a whole picture."""
    note = img.info.get(DAMAGE_KEY)
    return note if isinstance(note, str) else None


#: the side of the displayed picture where the end of the stored one is, per EXIF orientation
_END_SIDE = {1: "lower", 2: "lower", 3: "upper", 4: "upper", 5: "right", 6: "left", 7: "left", 8: "right"}


def _damage_text(missing: float, fill: str, orientation: int = 1) -> str:
    """The one-line note for a picture whose last ``missing`` share (0..1) of rows, as stored, could
    not be decoded (``orientation``: the EXIF one it is displayed with)."""
    if missing <= 0:
        what = "some of its detail may be missing or wrong"
    elif missing >= 0.995:
        what = f"almost nothing of it could be read (shown {fill})"
    else:
        what = f"the {_END_SIDE.get(orientation, 'lower')} part is missing (about {max(1, round(missing * 100))}% of it, shown {fill})"
    return (
        f"the picture is damaged or cut short: {what}; re-export or re-download the file for the "
        "whole picture"
    )


def _fill_rows(img: Image.Image, fill: int) -> int:
    """How many of ``img``'s last rows (as stored) hold nothing but ``fill`` in every band: what a
    decoder left of the part it could not read (libjpeg: mid-grey 128; zlib and libtiff: 0)."""
    import numpy as np

    w, h = img.size
    if w == 0 or h == 0:
        return 0
    count, step = 0, 16
    while count < h:
        # a band of rows at a time (a palette image's indices, as stored: the decoder wrote 0s);
        # the whole picture as an array would be a copy of it (60 MB for a 20 MP photo)
        band = np.asarray(img.crop((0, max(0, h - count - step), w, h - count)))
        if img.mode in ("RGBX", "RGBA") and fill == 128:
            band = band[..., :3]  # the fourth byte is 255 (or alpha) whatever the colour
        flat = band.reshape(band.shape[0], -1)
        rows = (flat == fill).all(axis=1)
        if rows.all():
            count += band.shape[0]
            step *= 2
            continue
        count += int(np.argmin(rows[::-1]))  # the rows from the bottom up to the first that is not
        break
    return count


def _jpeg_ran_dry(path: str | os.PathLike[str], share: float) -> bool:
    """Whether a JPEG whose last row is mid-grey got it from its data or from libjpeg filling what it
    could not read: its scan data decoded again (at 1/8) with bytes of noise before its end marker
    fill that row with something else when libjpeg had run out of data (a corrupt scan that reaches
    the end marker early), and leave it grey when the file holds a grey row. ``share``: how much of
    the picture is grey (the noise is a byte a pixel of it: random Huffman codes take less)."""
    import io
    import random

    try:
        data = Path(path).read_bytes()
    except OSError:
        return False
    end = _scan_end(data)
    if end < 0:
        return True
    try:
        with Image.open(io.BytesIO(data)) as img:
            pixels = img.width * img.height
        size = min(8192 + math.ceil(share * pixels), 1 << 26)
        noise = random.Random(0).randbytes(size).replace(b"\xff", b"\x7f")  # no 0xFF: no marker
        with Image.open(io.BytesIO(data[:end] + noise + data[end:])) as img:
            if getattr(img, "is_progressive", False) or img.info.get("progressive"):
                return False  # the noise lands in the last refining scan only: no answer
            img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
            img.load()
            return _fill_rows(img, 128) == 0
    except Exception:  # the decode of the noise is a test, never an error of its own
        return False


#: bytes kept of the start of a decoder's data, to find a JPEG's first scan in
_HEAD_BYTES = 1 << 16


def _jpeg_only_unterminated(path: str | os.PathLike[str]) -> bool:
    """Whether a JPEG that ends without its end marker holds all of its scans: decoded with the
    marker added, and again with bytes of noise before it, the picture is the same (a scan cut
    short takes the noise as its data; a whole one leaves it unread)."""
    import io
    import random

    try:
        data = Path(path).read_bytes()
        noise = random.Random(0).randbytes(4096).replace(b"\xff", b"\x7f")
        pictures: list[bytes] = []
        for tail in (b"", noise):
            with Image.open(io.BytesIO(data + tail + b"\xff\xd9")) as img:
                img.load()
                pictures.append(img.tobytes())
    except Exception:  # a test, never an error of its own (the file may be gone or changed)
        return False
    return pictures[0] == pictures[1]


def _scan_bytes(head: bytes | bytearray, fed: int) -> int:
    """Of ``fed`` bytes handed to a decoder, starting with ``head``, how many are scan data: those
    after a JPEG's first SOS header (``fed`` when ``head`` holds none)."""
    sos = head.find(b"\xff\xda")
    if sos < 0 or sos + 4 > len(head):
        return fed
    return fed - (sos + 2 + int.from_bytes(head[sos + 2 : sos + 4], "big"))


def _png_inflates(path: str | os.PathLike[str]) -> bool:
    """Whether a PNG's image data (its IDAT chunks) is one whole zlib stream: False when zlib
    finds it corrupt or it ends early (the rows after that point stay black); True when it cannot
    be read again (nothing to say then)."""
    import zlib

    inflate = zlib.decompressobj()
    try:
        with open(path, "rb") as f:
            for kind, length in _png_chunks(f):
                if kind == b"IDAT":
                    data = f.read(length)
                    while data:  # in pieces, so a bomb's data never lands in memory whole
                        inflate.decompress(data, 1 << 20)
                        data = inflate.unconsumed_tail
    except OSError:
        return True
    except zlib.error:
        return False
    return inflate.eof


#: JPEG frame markers (SOFn) libjpeg does not decode here: lossless and hierarchical processes
_JPEG_PROCESSES = {
    0xC3: "lossless (SOF3)",
    0xC5: "hierarchical (SOF5)",
    0xC6: "hierarchical (SOF6)",
    0xC7: "lossless hierarchical (SOF7)",
    0xCB: "lossless arithmetic-coded (SOF11)",
    0xCD: "hierarchical (SOF13)",
    0xCE: "hierarchical (SOF14)",
    0xCF: "lossless hierarchical (SOF15)",
}


def _jpeg_process(path: str | os.PathLike[str]) -> str | None:
    """The kind of a JPEG whose frame libjpeg does not decode ("lossless (SOF3)"), from its first
    frame marker; None for the usual ones (baseline, extended, progressive, arithmetic)."""
    data = _head(Path(path), 1 << 16)
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return _JPEG_PROCESSES.get(marker)
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _scan_end(data: bytes) -> int:
    """Where the first scan of a JPEG ends: the first marker after its SOS header that is neither
    a stuffed 0xFF nor a restart marker (libjpeg stops there); -1 when there is none."""
    sos = data.find(b"\xff\xda")
    if sos < 0 or sos + 4 > len(data):
        return -1
    i = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")
    while True:
        i = data.find(b"\xff", i)
        if i < 0 or i + 1 >= len(data):
            return -1
        nxt = data[i + 1]
        if nxt == 0 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
            i += 1
            continue
        return i


def load_partial(
    img: Image.Image,
    path: str | os.PathLike[str],
    view: Image.Image | None = None,
    page: int = 0,
    strips: bool = True,
) -> str | None:
    """``img.load()``, keeping what a damaged or cut-short file holds: None for a whole picture, else
    the note to show with it (which is also put in ``img.info``, see :func:`damage_note`).

    A JPEG cut short is given its end marker, so libjpeg finishes it (mid-grey where the data ended);
    other formats keep the rows decoded before the data ended or broke. Nothing decoded at all is
    the error it was. Per file: Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` (a process-wide switch)
    is never set. ``view``: the image the pixels are decoded into, when ``img.im`` was set to
    another's (an RGBX buffer of ours). ``page``: which page of a TIFF ``img`` is (0-based).

    A compressed TIFF's strips are also decoded one by one (:mod:`ocrviewer.core.tiffstrips`): a
    strip libtiff refuses or complains about is named in the note, and the strips after a refused
    one are shown (Pillow's decode stops at it). ``strips`` False skips that (a thumbnail: a second
    decode of every page for a note nobody reads there).
    """
    import struct

    if not isinstance(img, ImageFile.ImageFile) or not img.tile:
        img.load()
        return None
    ended: list[str] = []
    fed = [0]  # bytes of the image data read
    head = bytearray()  # the first of them (a JPEG's header: where its scan data starts)
    original = getattr(img, "load_read", None)
    fp = img.fp

    def read(size: int) -> bytes:
        try:
            data = original(size) if original is not None else fp.read(size)  # type: ignore[union-attr]
        except (struct.error, IndexError, EOFError, SyntaxError) as err:
            ended.append(str(err) or type(err).__name__)
            return b""
        fed[0] += len(data)
        if len(head) < _HEAD_BYTES:
            head.extend(data[: _HEAD_BYTES - len(head)])
        if not data and not ended:
            ended.append("the file ends early")
            if img.format in ("JPEG", "MPO"):
                return b"\xff\xd9"  # the end marker: libjpeg fills the rest and finishes
        return data

    jpeg = img.format in ("JPEG", "MPO")
    img.load_read = read  # type: ignore[attr-defined]
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, struct.error) as err:
        if isinstance(err, Image.DecompressionBombError) or img._im is None:
            raise
        img.tile = []  # what was decoded before the data broke stays in the image
        ended.append(str(err))
    finally:
        try:
            del img.load_read  # type: ignore[attr-defined]
        except AttributeError:
            pass
    # Pillow turns a TIFF by its Orientation tag while decoding: its rows are as displayed already
    orientation = 1 if img.format == "TIFF" else _orientation_of(img)[0]
    checked = _tiff_strips_note(img, path, page) if strips and img.format == "TIFF" and path else None
    if checked:
        img.info[DAMAGE_KEY] = checked
        return checked
    note = _partial_note(view or img, path, bool(ended), jpeg, orientation, _scan_bytes(head, fed[0]))
    if note:
        img.info[DAMAGE_KEY] = note
    return note


#: TIFF tags read here: ImageLength, Compression, Orientation, RowsPerStrip, TileLength
_LENGTH, _COMPRESSION, _ORIENT, _ROWS_PER_STRIP, _TILE_LENGTH = 257, 259, 274, 278, 323

#: modes a page decoded around its broken strips (RGBA from libtiff) is put back into
_RESCUED_MODES = ("1", "L", "RGB", "RGBA")


def _tiff_strips_note(img: Image.Image, path: str | os.PathLike[str], page: int) -> str | None:
    """The note for a compressed TIFF page some of whose strips (or tiles) libtiff refused or warned
    about; None when every strip decodes cleanly, for an uncompressed page, or without libtiff.

    Where libtiff refused a strip, Pillow's decode stopped there; the page is decoded again strip by
    strip around the refused ones, which stay black (a stripped page, upright, of a usual mode)."""
    tags = getattr(img, "tag_v2", None)
    if tags is None or tags.get(_COMPRESSION, tiffstrips.RAW) == tiffstrips.RAW:
        return None
    height = tags.get(_LENGTH)
    if not isinstance(height, int):
        return None
    rows = tags.get(_TILE_LENGTH) or tags.get(_ROWS_PER_STRIP) or height
    check = tiffstrips.check_page(path, page, height, min(int(rows), height))
    if check is None or not check.broken:
        return None
    refused = [b for b in check.broken if b.refused]
    if len(refused) == check.pieces:
        raise OSError("image file is truncated: nothing of the picture could be decoded")
    if refused:
        whole = None
        if not check.tiled and tags.get(_ORIENT, 1) == 1 and img.mode in _RESCUED_MODES:
            skip = {b.index for b in refused}
            whole = tiffstrips.read_page_around(path, page, img.size, check.rows_per_piece, skip)
        if whole is None:
            return None  # Pillow's decode stopped at the first: the rows after it are missing
        if img.mode == "1":  # a scan's black and white, not dithered
            whole = whole.convert("L").point(lambda v: 255 if v >= 128 else 0, "1")
        img.paste(whole.convert(img.mode))
    return _strips_text(check, refused)


def _strips_text(check: tiffstrips.PageCheck, refused: list[tiffstrips.BrokenPiece]) -> str:
    """One line naming the broken strips (or tiles) of a page, what is shown for them and why."""
    broken = refused or list(check.broken)
    kind = ("tile" if check.tiled else "strip") + ("s" if len(broken) > 1 else "")
    names = ", ".join(str(b.index + 1) for b in broken[:5]) + (", ..." if len(broken) > 5 else "")
    where = ""
    if not check.tiled:
        first, last = check.rows_of(broken[0].index)[0], check.rows_of(broken[-1].index)[1]
        where = f"rows {first + 1}-{last + 1}, "
    if refused:
        if check.tiled:
            share = len(refused) / check.pieces
        else:
            share = (
                sum(check.rows_of(b.index)[1] - check.rows_of(b.index)[0] + 1 for b in refused) / check.height
            )
        what = (
            f"{kind} {names} of {check.pieces} could not be decoded ({where}about "
            f"{max(1, round(share * 100))}% of it, shown black; {broken[0].reason})"
        )
    else:
        what = (
            f"{kind} {names} of {check.pieces} decoded with errors ({where}its pixels may be wrong; "
            f"{broken[0].reason})"
        )
    return (
        f"the picture is damaged or cut short: {what}; re-export or re-download the file for the "
        "whole picture"
    )


def _partial_note(
    img: Image.Image, path: str | os.PathLike[str], ended: bool, jpeg: bool, orientation: int, fed: int
) -> str | None:
    """The note for ``img`` as decoded (``ended``: its data ended or broke before the picture did,
    after ``fed`` bytes of scan data); None for a whole picture. Raises OSError when nothing of it was
    decoded (a JPEG cut where its scan begins: libjpeg makes up a first band of blur from nothing)."""
    png = img.format == "PNG" and not ended
    if not ended and not (jpeg and img.height > 0) and not png:
        return None
    rows = _fill_rows(img, 128 if jpeg else 0)
    if png:  # zlib stopping at corrupt data leaves the rest black, and Pillow says nothing
        if rows == 0 or _png_inflates(path):
            return None
    elif not ended and (rows == 0 or not _jpeg_ran_dry(path, rows / img.height)):
        return None  # a whole JPEG (whose last row is grey or not)
    if jpeg and ended and rows < img.height and _fill_rows(img, 0) >= img.height:
        rows = img.height  # libjpeg refused it before its first row: the memory is as made (0)
    if rows >= img.height or (jpeg and ended and fed < 16):
        process = _jpeg_process(path) if jpeg else None
        if process:
            raise ImageError(
                f"{path}: a {process} JPEG, which the viewer cannot decode; convert it to PNG with a "
                "program that reads it (e.g. convert IN.jpg OUT.png)"
            )
        raise OSError("image file is truncated: nothing of the picture could be decoded")
    if rows == 0 and jpeg and _jpeg_only_unterminated(path):
        return None  # every scan is whole; only the end marker is missing (some cameras, some writers)
    if rows == 0 and not jpeg:  # BMP and TGA store their rows bottom-up: the top is what is missing
        rows = _fill_rows(img.transpose(Image.Transpose.FLIP_TOP_BOTTOM), 0)
        if rows >= img.height:
            raise OSError("image file is truncated: nothing of the picture could be decoded")
        if rows:
            orientation = {1: 3, 2: 4, 3: 1, 4: 2, 5: 7, 6: 8, 7: 5, 8: 6}[orientation]  # the other end
    return _damage_text(rows / img.height, "grey" if jpeg else "black", orientation)


def load_display_image(path: str | os.PathLike[str], max_side: int | None = None) -> Image.Image:
    """Decode an image and return it as displayed (EXIF applied), RGB or RGBA.

    ``max_side`` lets JPEG decode at a reduced scale (``draft``) when only a preview is needed.
    Decoding works in one block so a worker thread does not re-take the GIL every 64 KB.
    An embedded ICC profile (Adobe RGB, a camera's) is not applied: the pixels are shown as stored,
    which are the pixels a service is sent (a profile changes colours a little, never the text).
    A file damaged or cut short gives what it holds, with a note (:func:`damage_note`).
    """
    with _open(path) as img, _decoding(path):
        if max_side and img.format == "JPEG":
            w, h = img.size
            scale = max_side / max(w, h)
            if scale < 1:
                img.draft("RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
        try:
            img.decodermaxblock = max(ImageFile.MAXBLOCK, os.path.getsize(path))
        except OSError:
            pass
        note = load_partial(img, path, strips=not max_side)
        shown = _as_rgb(_displayed(img))
        if max_side and max(shown.size) > max_side:
            shown.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
        if note:
            shown.info[DAMAGE_KEY] = note
        return shown


def frame_count(path: str | os.PathLike[str]) -> int:
    """The pages of a TIFF (1 for any other image): Pillow walks the file's directories, not its pixels."""
    with reading_image(path), _open(path) as img:
        return int(getattr(img, "n_frames", 1)) if img.format == "TIFF" else 1


def _seek_frame(img: Image.Image, path: str | os.PathLike[str], index: int) -> None:
    try:
        img.seek(index)
        _read_planes_with_libtiff(img)
    except EOFError as err:
        raise ImageError(f"{path}: has no page {index + 1}; the file may be cut off") from err
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageError(
            f"{path}: page {index + 1} is unreadable ({err}); the other pages are unaffected"
        ) from err
    w, h = img.size
    limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    if limit and w * h > limit:  # Pillow checks the first page's size only, on opening
        raise ImageTooLarge(
            f"{path}: page {index + 1} is {w}x{h} pixels, more than the {limit / 1e6:,.0f} MP the viewer "
            "decodes safely; shrink it first"
        )


def read_frame_infos(path: str | os.PathLike[str], count: int) -> list[ImageInfo | ImageError]:
    """Header-only look at pages 0..count-1 of a multi-page TIFF: each page's own stored size and
    Orientation tag (pages of one file may differ in both; ``frames`` is 1: a page is one picture).

    One pass over the file: reading page k alone walks the k directories before it, and asking each
    page's size so took 2.8 s for 300 pages (0.04 s so). A page that cannot be reached or read is
    its error, and so is every page after it (they are reached through it)."""
    out: list[ImageInfo | ImageError] = []
    with reading_image(path), _open(path) as img:
        for index in range(count):
            try:
                _seek_frame(img, path, index)
                out.append(_frame_info(img, path))
            except ImageError as err:
                out += [err] * (count - index)
                break
    return out


def _frame_info(
    img: Image.Image, path: str | os.PathLike[str], unnamed: str = "TIFF", frames: int = 1
) -> ImageInfo:
    """The header facts of ``img``'s current frame (``unnamed``: the format when Pillow names none)."""
    raw_width, raw_height = _stored_size(img)
    orientation, note = _orientation_of(img)
    return ImageInfo(
        path=str(path),
        format=img.format or unnamed,
        raw_width=raw_width,
        raw_height=raw_height,
        orientation=orientation,
        frames=frames,
        warnings=(note,) if note else (),
    )


def load_display_frame(path: str | os.PathLike[str], index: int, max_side: int | None = None) -> Image.Image:
    """Page ``index`` of a multi-page TIFF as displayed (upright, RGB or RGBA, 16-bit grey scaled as
    :func:`load_display_image` does); only that page is decoded, from a handle opened for this call
    (Pillow's image objects are not thread-safe: each page render, on any thread, has its own)."""
    with _open(path) as img, _decoding(f"{path}#page={index + 1}"):  # a damaged page names itself
        _seek_frame(img, path, index)
        shown = displayed_frame(img, path, strips=not max_side)  # a thumbnail: no strip check
        if "dpi" in img.info:  # the resolution the page states (a 16-bit page's scaled copy lost it)
            shown.info["dpi"] = img.info["dpi"]
        if max_side and max(shown.size) > max_side:
            shown.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
        return shown


def displayed_frame(
    img: Image.Image, path: str | os.PathLike[str] | None = None, strips: bool = True
) -> Image.Image:
    """The current frame of an open multi-frame image as displayed: EXIF applied, RGB (RGBA with
    transparency), 16/32-bit and float grey scaled to 8 bits as :func:`load_display_image` does for
    the first; always a copy, so seeking ``img`` to its next frame leaves it alone."""
    note = load_partial(
        img, path if path is not None else getattr(img, "filename", "") or "", page=img.tell(), strips=strips
    )
    shown = _as_rgb(_displayed(img))
    shown = shown.copy() if shown is img else shown
    if note:
        shown.info[DAMAGE_KEY] = note
    return shown


def _as_rgb(img: Image.Image) -> Image.Image:
    """``img`` as RGB, or RGBA where it has transparency; 16- and 32-bit grey and floats scaled to 8 bits.

    Pillow's own conversion of those modes clips every value above 255, so a 16-bit scan (archival
    TIFF, a scanner's 16-bit PNG) came out white.
    """
    if img.mode in ("RGB", "RGBA"):
        return img
    if img.mode.startswith("I") or img.mode == "F":
        img = grey_to_eight_bits(img)
    return img.convert("RGBA" if "A" in img.getbands() or "transparency" in img.info else "RGB")


def grey_to_eight_bits(img: Image.Image) -> Image.Image:
    """A one-band 16-bit, 32-bit or float image as 8-bit grey: 16-bit data by its top byte, other
    ranges stretched from their lowest to their highest value (floats in 0..1 taken as such)."""
    import numpy as np

    a = np.asarray(img)
    if img.mode.startswith("I;16"):
        return Image.fromarray((a.astype(np.uint16) >> 8).astype(np.uint8), "L")
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if lo >= 0 and hi <= 255 and (a.dtype.kind != "f" or hi > 1):
        lo, hi = 0.0, 255.0  # already 8-bit values
    elif lo >= 0 and hi <= 65535 and a.dtype.kind != "f":
        lo, hi = 0.0, 65535.0  # 16-bit values in a 32-bit image
    elif lo >= 0 and hi <= 1 and a.dtype.kind == "f":
        lo, hi = 0.0, 1.0
    scaled = (np.nan_to_num(a.astype(np.float32), nan=lo) - lo) * (255.0 / max(hi - lo, 1e-12))
    return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), "L")


def _displayed(img: Image.Image) -> Image.Image:
    """``img`` (loaded) as displayed: turned by Pillow's ``exif_transpose`` when its EXIF orientation
    says so, else ``img`` itself (``exif_transpose`` would copy it: ~50 ms for 12 MP).

    An absent, invalid or unreadable orientation is 1, as :func:`read_image_info` reports it.
    """
    if _orientation_of(img)[0] == 1:
        return img
    return ImageOps.exif_transpose(img)


class DecodeAhead:
    """:func:`load_display_image` of ``path`` on a thread of its own, started at once.

    Pillow decodes without the GIL, so the caller can parse a response and draw meanwhile (the
    ``render`` command: ~150 ms of a 12 MP JPEG's decode behind its parse and drawing).
    :meth:`result` waits for the picture and raises what the decode raised. The thread is a
    daemon: a caller that fails first exits without waiting for a decode nobody needs.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        import threading

        self.path = path
        #: what is missing from the picture of a damaged file (see :func:`damage_note`), once decoded
        self.note: str | None = None
        self._image: Image.Image | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="decode ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._image = load_display_image(self.path)
            self.note = damage_note(self._image)
        except BaseException as err:  # handed to result(), in the caller's thread
            self._error = err

    @property
    def size(self) -> tuple[int, int]:
        """The displayed size, from the file's header (:func:`read_image_info`)."""
        return read_image_info(self.path).display_size

    def result(self) -> Image.Image:
        """The displayed picture (as :func:`load_display_image` returns it), once decoded."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._image is not None
        return self._image


def load_preview(path: str | os.PathLike[str], max_side: int) -> Image.Image:
    """A quick look at an image for a view about ``max_side`` pixels long, as displayed (EXIF applied).

    A JPEG is decoded at the smallest DCT scale whose long side reaches ``PREVIEW_MIN_SHARE``
    of ``max_side`` (libjpeg skips most of the inverse transform: a noisy 20 MP photo decodes
    at 1/8 in about a third of a full decode, Huffman decoding being the rest); other formats
    are decoded fully and shrunk. The result is never longer than ``max_side``.
    """
    want = max(1, int(max_side * PREVIEW_MIN_SHARE))
    with _open(path) as img, _decoding(path):
        if img.format == "JPEG":
            w, h = img.size
            scale = want / max(w, h)
            if scale < 1:
                img.draft("RGB", (max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale))))
        # in Pillow's small blocks (see load_stored_pixels); a quick look, before the full decode
        # that checks a TIFF's strips
        note = load_partial(img, path, strips=False)
        shown = _as_rgb(_displayed(img))
        if max(shown.size) > max_side:
            shown.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
        if note:
            shown.info[DAMAGE_KEY] = note
        return shown


def load_preview_pixels(
    path: str | os.PathLike[str],
    max_side: int,
    decoding: Callable[[], None] | None = None,
    order: str = "RGBX",
) -> StoredPixels | None:
    """:func:`load_preview` for an RGB JPEG, the fast way: 4-byte RGBX pixels, upright, in a buffer we own.

    The same DCT scale as :func:`load_preview`, but the file goes to libjpeg in 1 MB calls (a
    worker thread does not wait for the GIL every 64 KB while the GUI thread runs Python), the
    decoder writes into our buffer (no ``tobytes`` copy) and the EXIF orientation is one strided
    copy. ``order`` is the byte order of each pixel, as in :func:`load_stored_pixels`. None for
    anything else (use :func:`load_preview`). ``decoding`` is called when the decode itself
    starts (libjpeg runs without the GIL from then on).
    """
    want = max(1, int(max_side * PREVIEW_MIN_SHARE))
    with _open(path) as img, _decoding(path):
        if img.format != "JPEG" or img.mode != "RGB":
            return None
        orientation, _ = _orientation_of(img)
        w, h = img.size
        scale = want / max(w, h)
        if scale < 1:
            img.draft("RGB", (max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale))))
        buffer = bytearray(img.width * img.height * 4)
        target = _rgbx_on(buffer, img.size)
        img.im = target.im  # load() decodes into the image memory it finds there
        # the file's blocks go through this buffer; once decoded, its pages (in memory by then: a
        # fresh page costs more than the copy into it) take the upright pixels
        upright_bytes = len(buffer) if orientation != 1 else 0
        scratch = bytearray(max(1, min(PREVIEW_READ_BLOCK, os.path.getsize(path)), upright_bytes))
        streamed = (
            _decode_streamed(img, path, decoding, scratch) if isinstance(img, ImageFile.ImageFile) else None
        )
        if streamed is None:
            img.decodermaxblock = max(ImageFile.MAXBLOCK, os.path.getsize(path))
            note = load_partial(img, path, view=target)
        else:
            ended, scan = streamed
            note = _partial_note(target, path, ended, True, orientation, scan)
        pixels = StoredPixels(buffer, target, orientation, note=note)
        # swapped before turning: in place on packed rows, then one 4-byte copy (~0.6 ms less at 1/8)
        if order != pixels.order:
            pixels = swap_red_blue(pixels, scratch=scratch)
        return _upright_copy(pixels, scratch)


#: Bytes of the file handed to libjpeg per call by :func:`_decode_streamed`: the one buffer is
#: refilled in place (a fresh file-sized buffer cost ~2,200 page faults, 5-10 ms, before libjpeg
#: could start on a 9 MB photo), and 9 calls for it take the GIL back 9 times, not 140 (64 KB).
PREVIEW_READ_BLOCK = 1 << 20


def _decode_streamed(
    img: ImageFile.ImageFile,
    path: str | os.PathLike[str],
    decoding: Callable[[], None] | None = None,
    buffer: bytearray | None = None,
) -> tuple[bool, int] | None:
    """Decode a one-tile image (a JPEG) in a few large libjpeg calls (:data:`PREVIEW_READ_BLOCK`
    bytes of the file each), refilling one buffer of ours (``buffer`` when given: it may grow).

    ``load()`` would read the file in 64 KB blocks, taking the GIL back for each (slow on a
    worker thread while the GUI thread runs Python). The file is read, not mapped: a mapped file
    that another program truncates or rewrites during the decode kills the process (SIGBUS); a
    file cut short is given its end marker, so libjpeg finishes the picture (mid-grey where the
    data ended). Whether the file ended early, and the bytes of scan data read; None, with nothing done,
    when this Pillow's decoder setup differs (then ``load()`` does it).
    """
    try:
        ((name, extents, offset, args),) = img.tile
        decoder = Image._getdecoder(img.mode, name, args, img.decoderconfig)
    except (AttributeError, TypeError, ValueError):
        return None
    ended, fed, head = False, 0, b""
    try:
        decoder.setimage(img.im, extents)
        with open(path, "rb", buffering=0) as fh:
            fh.seek(offset)
            block = max(1, min(PREVIEW_READ_BLOCK, os.fstat(fh.fileno()).st_size - offset))
            if buffer is None:
                buffer = bytearray(block)
            block = min(block, len(buffer))
            if len(buffer) < block + 2:  # room for the end marker after a full block
                buffer += bytes(block + 2 - len(buffer))
            kept = 0  # bytes libjpeg left unread at the end of the last block (its MCU in progress)
            started = False
            while True:
                if kept == block:  # libjpeg needs more than a block at once: a bigger one
                    block *= 2
                    if block + 2 > len(buffer):
                        buffer += bytes(block + 2 - len(buffer))
                with memoryview(buffer) as view:
                    got = fh.readinto(view[kept:block]) or 0  # without the GIL
                    if not got:  # the file ends before the image does: its end marker, once
                        if ended:
                            raise OSError("image file is truncated")
                        ended = True
                        view[kept : kept + 2] = b"\xff\xd9"
                        got = 2
                    fed += got
                    end = kept + got
                    if not head:
                        head = bytes(buffer[: min(end, _HEAD_BYTES)])
                    if not started and decoding is not None:
                        decoding()
                    started = True
                    with view[:end] as data:
                        consumed, err = decoder.decode(data)  # without the GIL
                if consumed < 0:
                    break
                kept = end - consumed
                buffer[:kept] = buffer[consumed:end]
    finally:
        decoder.cleanup()
    if err < 0:
        raise OSError(f"image file is corrupt (decoder status {err})")
    img.tile = []
    return ended, _scan_bytes(head, fed)


def _upright_copy(pixels: StoredPixels, into: bytearray | None = None) -> StoredPixels:
    """``pixels`` turned as displayed (EXIF orientation applied) by one numpy copy; the same when upright.

    ``into``: a buffer to take the copy (resized to it), rather than a new one.
    """
    import numpy as np

    if pixels.orientation == 1:
        return pixels
    w, h = pixels.size
    grid = np.frombuffer(pixels.buffer, np.uint32).reshape(h, w)  # one 4-byte pixel per element
    turned = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.T,
        6: lambda a: a[::-1].T,
        7: lambda a: a[::-1, ::-1].T,
        8: lambda a: a[:, ::-1].T,
    }[pixels.orientation](grid)
    if into is None:
        buffer = bytearray(turned.nbytes)
    else:
        buffer = into
        if len(buffer) > turned.nbytes:
            del buffer[turned.nbytes :]
        else:
            buffer.extend(bytes(turned.nbytes - len(buffer)))
    out = np.frombuffer(buffer, np.uint32).reshape(turned.shape)
    out[...] = turned
    size = (turned.shape[1], turned.shape[0])
    return StoredPixels(buffer, _rgbx_on(buffer, size), 1, pixels.order, pixels.note)


def release_free_memory() -> None:
    """Hand memory freed by a big decode back to the system (glibc keeps it in its arenas).

    Decoding on worker threads leaves their malloc arenas holding several MB of freed buffers
    (file blocks, Pillow's bands) that a later peak would otherwise add to. No-op elsewhere.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


@dataclass(frozen=True)
class StoredPixels:
    """Pixels of an image as stored in its file, 4 bytes each (R, G, B, 255), in a buffer we own.

    ``image`` is a Pillow image drawn on ``buffer`` (no copy), so a GUI can wrap the same bytes
    (Qt: ``QImage.Format_RGBX8888``) and show them with ``orientation`` applied when painting:
    a rotated 20 MP photo then exists once in memory (80 MB), not three times (decoded, rotated,
    converted).
    """

    buffer: bytearray
    image: Image.Image
    orientation: int
    #: byte order of each pixel: "RGBX", or "BGRX" (Qt's RGB32 on little-endian machines)
    order: str = "RGBX"
    #: what is missing from a damaged or cut-short file's picture (:func:`damage_note`); None: whole
    note: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


def _rgbx_on(buffer: bytearray, size: tuple[int, int]) -> Image.Image:
    """A writable Pillow RGBX image whose pixels are ``buffer`` (4 bytes per pixel, rows packed)."""
    img = Image.frombuffer("RGBX", size, buffer, "raw", "RGBX", 0, 1)
    img.readonly = 0  # the buffer is ours and writable: paste into it, do not copy it first
    return img


def load_stored_pixels(path: str | os.PathLike[str], order: str = "RGBX") -> StoredPixels | None:
    """Decode an RGB JPEG straight into a buffer of 4-byte pixels (``order``), stored orientation.

    None for anything else (other formats and modes go through :func:`load_display_image`).
    Pillow keeps RGB as 4 bytes per pixel; its decoder is handed an image mapped onto our
    buffer, so the decode writes there and nothing is copied afterwards.
    """
    with _open(path) as img, _decoding(path):
        if img.format != "JPEG" or img.mode != "RGB":
            return None
        orientation, _ = _orientation_of(img)  # an invalid tag is shown as 1, as load_display_image does
        buffer = bytearray(img.width * img.height * 4)
        target = _rgbx_on(buffer, img.size)
        img.im = target.im  # load() decodes into the image memory it finds there
        # read in Pillow's small blocks: a file-sized block read on a worker thread would stay
        # resident in that thread's malloc arena after the decode (~30 MB for a 9 MB photo)
        note = load_partial(img, path, view=target)
        pixels = StoredPixels(buffer, target, orientation, note=note)
        return swap_red_blue(pixels) if order == "BGRX" else pixels


def rgb_pixels(img: Image.Image, order: str = "RGBX", band_rows: int = 256) -> StoredPixels:
    """An RGB image copied into a buffer of our own, 4 bytes a pixel in ``order``, the fourth 255.

    Pillow's "BGRX" packer writes 0 there, which Qt's RGB32 takes for an alpha of 0 once it
    composites the image into another (a picture kept at the view's scale came out transparent).
    Copied a band of rows at a time, so besides the result only a band is ever allocated.
    """
    w, h = img.size
    buffer = bytearray(w * h * 4)
    target = _rgbx_on(buffer, (w, h))
    for top in range(0, h, band_rows):
        target.paste(img.crop((0, top, w, min(h, top + band_rows))), (0, top))
    pixels = StoredPixels(buffer, target, 1)
    return swap_red_blue(pixels) if order != pixels.order else pixels


def swap_red_blue(
    pixels: StoredPixels, band_rows: int = 64, scratch: bytearray | None = None
) -> StoredPixels:
    """The same buffer with red and blue swapped in place (RGBX <-> BGRX), a band of rows at a time.

    Each pixel is one 32-bit word: red and blue trade places by two xors with their difference,
    six passes of whole words (half the time of three passes of single bytes). ``scratch``, when
    it holds a band (4 x width x ``band_rows`` bytes), takes the difference on its way (else a
    buffer of that size is made once).
    """
    import numpy as np

    w, h = pixels.size
    words = np.frombuffer(pixels.buffer, np.uint32, count=w * h)
    step = w * max(1, min(h, band_rows))
    if scratch is not None and len(scratch) >= 4 * step:
        spare = np.frombuffer(scratch, np.uint32, count=step)
    else:
        spare = np.empty(step, np.uint32)
    for start in range(0, w * h, step):
        band = words[start : start + step]
        diff = spare[: len(band)]
        np.right_shift(band, 16, out=diff)
        np.bitwise_xor(diff, band, out=diff)
        np.bitwise_and(diff, 0xFF, out=diff)  # red ^ blue, in the low byte
        np.bitwise_xor(band, diff, out=band)
        np.left_shift(diff, 16, out=diff)
        np.bitwise_xor(band, diff, out=band)
    return replace(pixels, order="BGRX" if pixels.order == "RGBX" else "RGBX")


#: Pillow transposition that shows stored pixels as displayed, per EXIF orientation.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def upright_pixels(pixels: StoredPixels) -> StoredPixels:
    """A displayed-orientation copy of (small) stored pixels; the same object when already upright."""
    op = _TRANSPOSE.get(pixels.orientation)
    if op is None:
        return pixels
    shown = pixels.image.transpose(op)
    buffer = bytearray(shown.tobytes())
    return StoredPixels(buffer, _rgbx_on(buffer, shown.size), 1, pixels.order, pixels.note)


def reduce_pixels(pixels: StoredPixels | Image.Image, factor: int, band_rows: int = 128) -> StoredPixels:
    """``pixels`` shrunk by an integer ``factor`` (box average, as ``Image.reduce``) into a new buffer.

    Works in bands of rows, so besides the result only a band is ever allocated.
    """
    source = pixels.image if isinstance(pixels, StoredPixels) else pixels
    orientation = pixels.orientation if isinstance(pixels, StoredPixels) else 1
    w, h = source.size
    out_w, out_h = max(1, w // factor), max(1, h // factor)
    buffer = bytearray(out_w * out_h * 4)
    target = _rgbx_on(buffer, (out_w, out_h))
    step = max(1, band_rows // factor) * factor
    for top in range(0, out_h * factor, step):
        bottom = min(top + step, out_h * factor)
        band = source.crop((0, top, out_w * factor, bottom)).reduce(factor)
        target.paste(band if band.mode == "RGBX" else band.convert("RGBX"), (0, top // factor))
    order = pixels.order if isinstance(pixels, StoredPixels) else "RGBX"
    return StoredPixels(buffer, target, orientation, order)
