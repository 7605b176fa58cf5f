"""Sources: one image, a PDF, a multi-page TIFF, or a folder of images, opened as one document made of pages.

:func:`open_source` reads only what it must: a PDF's page count and page sizes (no page is
rendered), a folder's listing (no image is decoded; each image's header is read the first time its
size is asked for). A page renders on demand, at full size or reduced for a thumbnail.

A TIFF of several pages (scans, faxes) is a document like a PDF: its pages are named
``scan.tif#page=3``, each has its own size and Orientation tag, and each is decoded on its own when
shown (Pillow ``seek``, from a handle opened for that one page: Pillow's images are not thread-safe).

PDF pages are rendered by PDFium (pypdfium2, Apache-2.0/BSD) at a stated DPI (150 by default), which
every output records. PDFium is not thread-safe, so every call into it holds one lock; pages may be
sized and rendered from worker threads (a window's thumbnail worker, a batch's pool).

    source = open_source("scan.pdf", dpi=150)   # or an image, or a folder of images
    page = source.pages[3]                      # made on first use
    page.size, page.label, page.name            # (1240, 1754), "page 4", "scan.pdf#page=4"
    thumb = page.render(max_side=256)           # PIL image, reduced while rendering
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, overload

from PIL import Image

from ocrviewer.core.imageio import (
    ImageInfo,
    frame_count,
    load_display_frame,
    load_display_image,
    read_frame_infos,
    read_image_info,
)
from ocrviewer.core.pdfium_lock import CLOSE_WAIT_S, PDFIUM_LOCK
from ocrviewer.errors import BadInput, Cancelled, ImageError, ImageTooLarge, link_problem, missing_file
from ocrviewer.resources import PICTURE_SUFFIXES

DEFAULT_DPI = 150.0
#: key of a rendered page's ``info`` holding its :attr:`SourcePage.note` (see :func:`shown_note`)
PAGE_NOTE_KEY = "ocrviewer.page-note"
#: Files a folder source takes as pages (Pillow reads them; the order is natural sort by name).
IMAGE_SUFFIXES = PICTURE_SUFFIXES
PDF_SUFFIXES = (".pdf",)
TIFF_SUFFIXES = (".tif", ".tiff")
KINDS = ("image", "pdf", "tiff", "folder")
#: the kinds whose pages are inside one file (named ``file#page=N``, sidecars record the page)
PAGED_KINDS = ("pdf", "tiff")


#: how a TIFF file starts: little- and big-endian, classic and BigTIFF
TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


def _file_head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of a regular file; b"" for anything else (a folder, a missing file)."""
    try:
        if not os.path.isfile(path):
            return b""
        with open(path, "rb") as f:
            return f.read(size)
    except OSError:
        return b""


def is_pdf(path: str | os.PathLike[str]) -> bool:
    """A file named .pdf, or a PDF under another name (``scan.jpg`` that a scanner's mail made a PDF:
    ``%PDF-`` in its first KB, where PDF readers look for it)."""
    if os.fspath(path).lower().endswith(PDF_SUFFIXES):
        return True
    return b"%PDF-" in _file_head(path, 1024)


def is_multipage_tiff(path: str | os.PathLike[str]) -> bool:
    """A TIFF that holds more than one page, whatever its name says (``fax.dat``, ``scan.jpg``, no
    suffix: told by its first bytes; the pages from its directories, no pixels); False for anything
    unreadable, which then fails as an image with its own message."""
    if not _file_head(path, 4).startswith(TIFF_MAGIC):
        return False
    try:
        return frame_count(path) > 1
    except Exception:
        return False


def is_paged_file(path: str | os.PathLike[str]) -> bool:
    """A PDF or a multi-page TIFF: one file that opens as a document of pages."""
    return is_pdf(path) or is_multipage_tiff(path)


def shown_note(img: Image.Image) -> str | None:
    """What to tell the person looking at a rendered page or decoded picture: that the file is
    damaged (:func:`ocrviewer.core.imageio.damage_note`) or that a page is shown at a lower dpi;
    None when it is shown whole and as asked."""
    from ocrviewer.core.imageio import damage_note

    note = damage_note(img) or img.info.get(PAGE_NOTE_KEY)
    return note if isinstance(note, str) else None


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that puts ``page2`` before ``page10`` (digits compared as numbers, case ignored)."""
    return tuple(
        (0, int(part), part) if part.isdigit() else (1, part.casefold(), part)
        for part in re.split(r"(\d+)", name)
        if part
    )


@dataclass(frozen=True)
class Skipped:
    """A folder entry that is not a page, and why (one line)."""

    name: str
    reason: str


class SourcePage:
    """One page of a source. ``size`` is in pixels as displayed (EXIF applied; PDF at the source's dpi)."""

    index: int
    label: str
    #: the image file of this page; None for a PDF page
    image_path: str | None
    #: the name used in manifests and shards: the file's name relative to the source, ``doc.pdf#page=3``
    name: str
    #: the file that holds the page (the image, or the PDF)
    file: Path
    #: the dpi a PDF page is rendered at; None for an image (and a TIFF's page)
    dpi: float | None = None
    #: what a person should know about how the page is shown (a poster-sized PDF page shown at a
    #: lower dpi than asked for); None when it is shown as asked
    note: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        raise NotImplementedError

    def render(self, max_side: int | None = None) -> Image.Image:
        """The page as displayed (RGB or RGBA); with ``max_side`` reduced to fit (for thumbnails)."""
        raise NotImplementedError

    def info(self) -> ImageInfo:
        """What frame detection needs: the page's pixel size (and EXIF orientation for an image)."""
        raise NotImplementedError

    def sha256(self) -> str:
        """A digest that changes when the page's pixels would (the cache key of a recognition)."""
        raise NotImplementedError


class ImagePage(SourcePage):
    def __init__(self, path: Path, index: int, name: str) -> None:
        self.path = self.file = path
        self.index = index
        self.label = path.name
        self.image_path = str(path)
        self.name = name

    @cached_property
    def _info(self) -> ImageInfo:
        return read_image_info(self.path)

    @property
    def size(self) -> tuple[int, int]:
        return self._info.display_size

    def info(self) -> ImageInfo:
        return self._info

    def render(self, max_side: int | None = None) -> Image.Image:
        return load_display_image(self.path, max_side=max_side)

    def sha256(self) -> str:
        from ocrviewer.core.prepare import file_sha256

        try:
            return file_sha256(self.path)
        except OSError as err:
            raise ImageError(f"{self.path}: cannot read image ({err.strerror or err})") from err

    def __repr__(self) -> str:
        return f"ImagePage({self.index}, {self.path})"


class PdfPage(SourcePage):
    #: the dpi this page renders at: its source's, or lower for a page too large at that (see note)
    dpi: float

    def __init__(self, source: PdfSource, index: int) -> None:
        self._source = source
        self.file = source.path
        self.dpi = source.dpi
        self.index = index
        self.label = f"page {index + 1}"
        self.image_path = None
        self.name = f"{source.path.name}#page={index + 1}"
        try:
            self._fit_dpi()
        except ImageError:
            pass  # the page's size is an error of its own when asked for

    def _fit_dpi(self) -> None:
        """A page too large to render at the source's dpi (a poster, a map, a MediaBox of 200 inches)
        is shown at the highest dpi that fits the pixel limit, with a note, rather than refused."""
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        w, h = self._pixels(self.dpi)
        if not limit or w * h <= limit:
            return
        pw, ph = self.points
        fits = math.floor(self.dpi * math.sqrt(limit / (w * h)))
        while fits >= 10 and math.prod(self._pixels(fits)) > limit:
            fits -= 1  # the sizes are rounded up
        if fits < 10:
            return  # not even at 10 dpi: rendering it is refused (see _check_size)
        asked = self.dpi
        self.dpi = float(fits)
        self.note = (
            f"page {self.index + 1} is {_inches(pw)}x{_inches(ph)} inches, {w}x{h} pixels at {asked:g} dpi "
            f"(more than the viewer renders safely); it is shown at {fits} dpi"
        )

    @cached_property
    def points(self) -> tuple[float, float]:
        """Width and height in PDF points (1/72 inch), the page's rotation applied."""
        return self._source.page_points(self.index)

    def _pixels(self, dpi: float) -> tuple[int, int]:
        w, h = self.points
        scale = dpi / 72.0
        # pypdfium2's bitmap size (ceil), less float noise: 1240 px at 150 dpi is 595.2 pt, not 1241 px
        return max(1, math.ceil(w * scale - 1e-3)), max(1, math.ceil(h * scale - 1e-3))

    @property
    def size(self) -> tuple[int, int]:
        return self._pixels(self.dpi)

    def info(self) -> ImageInfo:
        w, h = self.size
        return ImageInfo(path=self.name, format="PDF", raw_width=w, raw_height=h)

    def render(self, max_side: int | None = None) -> Image.Image:
        scale = self.dpi / 72.0
        if max_side and max_side < max(self.size):
            return self._source.render_page(self.index, max_side / max(self.points))
        self._check_size()
        img = self._source.render_page(self.index, scale)
        if img.size != self.size:  # PDFium's rounding of a size that is whole but for float noise
            img = (
                img.crop((0, 0, *self.size))
                if img.width >= self.size[0] and img.height >= self.size[1]
                else img.resize(self.size)
            )
        if self.note:
            img.info[PAGE_NOTE_KEY] = self.note
        return img

    def _check_size(self) -> None:
        """Refuse a page whose bitmap would pass Pillow's decompression-bomb limit (a poster-sized page
        at 150 dpi is gigabytes: PDFium would allocate it before anything could say no)."""
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        w, h = self.size
        if limit and w * h > limit:
            dpi = self.dpi
            fits = math.floor(dpi * math.sqrt(limit / (w * h)))
            pw, ph = self.points
            while fits >= 10 and math.ceil(pw * fits / 72) * math.ceil(ph * fits / 72) > limit:
                fits -= 1  # the sizes are rounded up
            hint = f"render it at {fits} dpi or less" if fits >= 10 else "shrink the page in a PDF editor"
            raise ImageTooLarge(
                f"{self.file}: page {self.index + 1} is {w}x{h} pixels at {dpi:g} dpi, too large to render "
                f"safely; {hint}"
            )

    def sha256(self) -> str:
        unit = self._source.user_unit(self.index)
        # a /UserUnit page's pixels changed when it came to be honoured: a result cached for the
        # half-size render of before is not this picture's (1: the key of every other page, as it was)
        blob = (
            f"{self._source.sha256}:{self.index}:{self.dpi:g}" + (f":{unit:g}" if unit != 1 else "")
        ).encode()
        return hashlib.sha256(blob).hexdigest()

    def __repr__(self) -> str:
        return f"PdfPage({self.index}, {self._source.path})"


class TiffPage(SourcePage):
    """A page of a multi-page TIFF: its header read when its size is first asked for, its pixels
    decoded (that page only) each time it is rendered."""

    def __init__(self, source: TiffSource, index: int) -> None:
        self._source = source
        self.file = source.path
        self.index = index
        self.label = f"page {index + 1}"
        self.image_path = None
        self.name = f"{source.path.name}#page={index + 1}"

    @property
    def size(self) -> tuple[int, int]:
        return self.info().display_size

    def info(self) -> ImageInfo:
        return self._source.page_info(self.index)

    def render(self, max_side: int | None = None) -> Image.Image:
        return load_display_frame(self.file, self.index, max_side=max_side)

    def sha256(self) -> str:
        blob = f"{self._source.sha256}:tiff-page:{self.index}".encode()
        return hashlib.sha256(blob).hexdigest()

    def __repr__(self) -> str:
        return f"TiffPage({self.index}, {self.file})"


class _PdfPages(Sequence[SourcePage]):
    """The pages of a PDF or a TIFF, each made when first asked for (a 1,000-page PDF opens at once)."""

    def __init__(self, source: PdfSource | TiffSource) -> None:
        self._source = source
        self._made: dict[int, SourcePage] = {}

    def __len__(self) -> int:
        return self._source.page_count

    @overload
    def __getitem__(self, i: int) -> SourcePage: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[SourcePage]: ...
    def __getitem__(self, i: int | slice) -> SourcePage | Sequence[SourcePage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"page {i + 1} of {n}")
        page = self._made.get(i)
        if page is None:
            page = self._made[i] = self._source.make_page(i)
        return page

    def __iter__(self) -> Iterator[SourcePage]:
        for i in range(len(self)):
            yield self[i]


@dataclass
class Source:
    """A document: its pages in order, and (for a folder) what was not taken and why."""

    path: Path
    kind: str  # "image", "pdf", "tiff" or "folder"
    pages: Sequence[SourcePage]
    dpi: float = DEFAULT_DPI
    skipped: tuple[Skipped, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.path.name

    def close(self, wait_s: float = CLOSE_WAIT_S) -> bool:
        """Release the file (a PDF); pages must not be used afterwards. True when released now;
        False when a render in another thread held PDFium for over ``wait_s`` seconds: the file is
        then released when that render ends, and this returns without waiting for it."""
        return True

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PdfSource(Source):
    def __init__(self, path: Path, dpi: float) -> None:
        import pypdfium2 as pdfium

        self._pdfium = pdfium
        try:
            with open(path, "rb"):
                pass
        except PermissionError as err:  # PDFium would say "file access error": damaged, it seemed
            raise BadInput(
                f"{path}: cannot read the PDF (permission denied); check the file's permissions"
            ) from err
        except OSError:
            pass  # PDFium says what is wrong
        with PDFIUM_LOCK:
            try:
                self._pdf = pdfium.PdfDocument(str(path))
                count = len(self._pdf)
            except pdfium.PdfiumError as err:
                raise BadInput(f"{path}: {_pdf_error(err, _pdf_kind(path))}") from err
        if count < 1:
            self._pdf.close()
            raise BadInput(f"{path}: the PDF has no pages")
        #: set by close: a page asked for afterwards is refused (PDFium would use a freed document)
        self._closed = False
        self.page_count = count
        super().__init__(path=path, kind="pdf", pages=_PdfPages(self), dpi=dpi)

    def make_page(self, index: int) -> SourcePage:
        return PdfPage(self, index)

    @cached_property
    def sha256(self) -> str:
        from ocrviewer.core.prepare import file_sha256

        return file_sha256(self.path)

    @cached_property
    def _user_units(self) -> list[float]:
        from ocrviewer.core.pdf_units import user_units

        return user_units(self.path)

    def user_unit(self, index: int) -> float:
        """Points per user-space unit of page ``index`` (its /UserUnit; 1 for almost every PDF)."""
        from ocrviewer.core.pdf_units import unit_of

        return unit_of(self._user_units, index)

    def page_points(self, index: int) -> tuple[float, float]:
        """The page's size in points, its rotation and its UserUnit applied (PDFium reports user
        units: a /UserUnit 2 drawing is twice the size PDFium says)."""
        with PDFIUM_LOCK:
            self._check_open()
            try:
                w, h = self._pdf.get_page_size(index)
            except self._pdfium.PdfiumError as err:
                raise ImageError(f"{self.path}: page {index + 1}: {_pdf_error(err)}") from err
        unit = self.user_unit(index)
        w, h = w * unit, h * unit
        if not (w > 0 and h > 0 and math.isfinite(w) and math.isfinite(h)):
            raise ImageError(f"{self.path}: page {index + 1} has no usable size ({w}x{h} points)")
        return w, h

    def render_page(self, index: int, scale: float) -> Image.Image:
        """Page ``index`` at ``scale`` pixels per point (real points: its UserUnit applied)."""
        scale *= self.user_unit(index)
        with PDFIUM_LOCK:
            self._check_open()
            try:
                page = self._pdf[index]
                try:
                    bitmap = page.render(scale=scale, may_draw_forms=False)
                    img = bitmap.to_pil()
                    img.load()
                    img = img.copy()  # detached from PDFium's buffer, which goes with the bitmap
                    bitmap.close()
                finally:
                    page.close()
            except self._pdfium.PdfiumError as err:
                raise ImageError(
                    f"{self.path}: page {index + 1} could not be rendered ({_pdf_error(err)}); "
                    "the other pages are unaffected"
                ) from err
        return img.convert("RGB") if img.mode not in ("RGB", "RGBA") else img

    def _check_open(self) -> None:
        if self._closed:
            raise Cancelled(f"{self.path}: the document was closed")

    def close(self, wait_s: float = CLOSE_WAIT_S) -> bool:
        self._closed = True
        return PDFIUM_LOCK.close_soon(self._pdf.close, wait_s)


class TiffSource(Source):
    """A TIFF of several pages. No handle is kept: each page opens the file for itself, so pages
    render from any thread and only the pages being rendered are in memory."""

    def __init__(self, path: Path, count: int, dpi: float = DEFAULT_DPI) -> None:
        self.page_count = count
        self._infos: list[ImageInfo | ImageError] | None = None
        self._lock = threading.Lock()
        super().__init__(path=path, kind="tiff", pages=_PdfPages(self), dpi=dpi)

    def make_page(self, index: int) -> SourcePage:
        return TiffPage(self, index)

    def page_info(self, index: int) -> ImageInfo:
        """Page ``index``'s header; every page's is read in one pass the first time one is asked for."""
        with self._lock:
            if self._infos is None:
                self._infos = read_frame_infos(self.path, self.page_count)
            info = self._infos[index]
        if isinstance(info, ImageError):
            raise ImageError(str(info))
        return info

    @cached_property
    def sha256(self) -> str:
        from ocrviewer.core.prepare import file_sha256

        try:
            return file_sha256(self.path)
        except OSError as err:
            raise ImageError(f"{self.path}: cannot read image ({err.strerror or err})") from err


def _inches(points: float) -> str:
    """A length in points as inches, to a tenth: 8.3 for A4's width, 200 for a poster's."""
    return f"{points / 72:,.1f}".removesuffix(".0")


def _pdf_kind(path: Path) -> str | None:
    """What a PDF that PDFium refused says of itself: "encrypted" (an /Encrypt entry in its
    trailer), "empty" (a page tree that counts no page), else None.

    PDFium's own reason is its *last* error, which a document that loaded leaves as it was: a PDF
    without pages refused after an encrypted one was called encrypted.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 20)
            size = f.seek(0, os.SEEK_END)
            f.seek(max(len(head), size - (1 << 20)))
            tail = f.read()
    except OSError:
        return None
    if b"/Encrypt" in tail or b"/Encrypt" in head:
        return "encrypted"
    data = head + tail
    counts = re.findall(rb"/Count\s+(\d+)", data)
    whole = size <= len(data)  # read all of it: no page can hide in the middle
    if whole and counts and not any(int(c) for c in counts) and not re.search(rb"/Type\s*/Page\b", data):
        return "empty"
    return None


def _pdf_error(err: Exception, kind: str | None = None) -> str:
    text = str(err).lower()
    if kind == "empty":
        return "the PDF has no pages; re-export it with its pages"
    if kind == "encrypted":
        return "the PDF is encrypted (password protected); decrypt it first (e.g. qpdf --decrypt)"
    if "format" in text or "file" in text or "success" in text or "password" in text:
        return "not a readable PDF (damaged or not a PDF); re-export or re-download it"
    return f"cannot read the PDF ({err}); re-export it"


_PAGE_KINDS = "JPEG, PNG, TIFF, BMP, WebP, GIF, JPEG 2000, AVIF or PNM"
#: what to do with a file a folder skips that is a picture in a format the viewer cannot read
_CONVERT = {
    ".heic": "convert HEIC photos to JPEG first (e.g. heif-convert IN.heic OUT.jpg)",
    ".heif": "convert HEIF photos to JPEG first (e.g. heif-convert IN.heif OUT.jpg)",
    ".jxl": "convert JPEG XL to PNG first (e.g. djxl IN.jxl OUT.png)",
    ".svg": "export SVG drawings as PNG first (e.g. rsvg-convert IN.svg -o OUT.png)",
}


def _folder(path: Path) -> Source:
    try:
        entries = sorted(os.scandir(path), key=lambda e: natural_key(e.name))
    except OSError as err:
        raise BadInput(f"{path}: cannot list the folder ({err.strerror or err})") from err
    pages: list[SourcePage] = []
    skipped: list[Skipped] = []
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        suffix = os.path.splitext(name)[1].lower()
        broken = link_problem(entry.path, "image") if entry.is_symlink() else None
        if broken:  # a loop made entry.is_dir() raise: the whole folder failed with a traceback
            skipped.append(Skipped(name, broken))
        elif entry.is_dir():
            skipped.append(Skipped(name, "a folder: subfolders are not searched"))
        elif suffix in IMAGE_SUFFIXES:
            pages.append(ImagePage(Path(entry.path), len(pages), name))
        elif suffix in PDF_SUFFIXES:
            skipped.append(Skipped(name, "a PDF inside a folder is not opened; open it on its own"))
        else:
            skipped.append(
                Skipped(
                    name,
                    f"not an image ({suffix or 'no suffix'}); pages are {_PAGE_KINDS}"
                    + (f"; {_CONVERT[suffix]}" if suffix in _CONVERT else ""),
                )
            )
    if not pages:
        raise BadInput(f"{path}: the folder holds no images ({_PAGE_KINDS})")
    return Source(path=path, kind="folder", pages=pages, skipped=tuple(skipped))


def open_source(path: str | os.PathLike[str], dpi: float = DEFAULT_DPI) -> Source:
    """Open an image, a PDF, a multi-page TIFF or a folder of images as a document; nothing is rendered yet.

    Raises BadInput (a missing path, an encrypted or broken PDF, a folder without images) or
    ImageError (a file that is not an image) with a one-line message.
    """
    p = Path(path)
    if not (math.isfinite(dpi) and 10 <= dpi <= 1200):
        raise BadInput(f"dpi {dpi:g} is out of range; give 10..1200 (150 is the default)")
    if p.is_dir():
        return _folder(p)
    if not p.exists():
        raise BadInput(missing_file(p, "file or folder"))
    if is_pdf(p):
        if p.is_file() and p.stat().st_size == 0:
            raise BadInput(f"{p}: the file is empty (0 bytes); re-export or re-download it")
        return PdfSource(p, float(dpi))
    info = read_image_info(p)  # a non-image is an error now, not at the first render
    if info.format == "TIFF" and info.frames > 1:  # by its bytes: fax.dat, scan.jpg, no suffix
        return TiffSource(p, info.frames, float(dpi))
    return Source(path=p, kind="image", pages=[ImagePage(p, 0, p.name)])


__all__ = [
    "DEFAULT_DPI",
    "IMAGE_SUFFIXES",
    "KINDS",
    "PAGED_KINDS",
    "PDFIUM_LOCK",
    "TIFF_SUFFIXES",
    "Skipped",
    "Source",
    "SourcePage",
    "is_multipage_tiff",
    "is_paged_file",
    "is_pdf",
    "natural_key",
    "open_source",
    "shown_note",
]
