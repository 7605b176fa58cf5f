"""Generated test images with a known EXIF orientation and known word boxes (Pillow only).

Boxes are always given in the DISPLAYED frame (what a person sees after EXIF is applied).
The file stores the inverse-oriented pixels plus the Orientation tag, so
``ImageOps.exif_transpose(Image.open(path))`` shows exactly the requested picture.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocrviewer.core.geometry import inverse_orientation

Box = tuple[float, float, float, float]  # (left, top, right, bottom), displayed frame
WordBox = tuple[str, Box]

ORIENTATIONS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8)
ORIENTATION_TAG = 0x0112

#: PIL transpose that maps a raw image with this orientation to the displayed one (as exif_transpose does).
TRANSPOSE: dict[int, Image.Transpose | None] = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

#: A default page: three lines of words on a 640 x 480 displayed image.
DEFAULT_DISPLAY_SIZE = (640, 480)
DEFAULT_WORDS: tuple[WordBox, ...] = (
    ("Hello", (40, 40, 200, 90)),
    ("world", (240, 40, 420, 90)),
    ("EXIF", (40, 160, 180, 210)),
    ("frames", (220, 160, 440, 210)),
    ("done", (40, 300, 170, 350)),
)


def misread(word: str, wrong: str, words: Iterable[WordBox] = DEFAULT_WORDS) -> list[WordBox]:
    """``words`` as an engine that read ``word`` as ``wrong`` returns them."""
    return [(wrong if text == word else text, box) for text, box in words]


@lru_cache(maxsize=32)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable default font at ``size`` px (no system fonts needed)."""
    return ImageFont.load_default(size=size)


def text_box(text: str, size: int, left: float = 0, top: float = 0) -> Box:
    """Box the text occupies when drawn with :func:`font` at (left, top) (ink box, not line box)."""
    x0, y0, x1, y1 = font(size).getbbox(text)
    return (left + x0, top + y0, left + x1, top + y1)


def layout_words(
    lines: Sequence[str] | Sequence[Sequence[str]],
    font_size: int = 40,
    margin: int = 30,
    line_gap: float = 0.8,
    word_gap: float = 0.6,
) -> tuple[list[WordBox], tuple[int, int]]:
    """Lay out lines of words as readable text; returns (words with ink boxes, display size).

    ``lines`` is a list of strings (split on spaces) or of word lists. The size fits the text plus margins.
    """
    words: list[WordBox] = []
    y = float(margin)
    right = 0.0
    line_height = font_size * (1 + line_gap)
    for line in lines:
        items = line.split() if isinstance(line, str) else list(line)
        x = float(margin)
        for w in items:
            box = text_box(w, font_size, x, y)
            words.append((w, box))
            x = box[2] + font_size * word_gap
            right = max(right, box[2])
        y += line_height
    size = (int(right + margin), int(y - font_size * line_gap + margin))
    return words, size


def draw_displayed(
    words: Iterable[WordBox],
    display_size: tuple[int, int] = DEFAULT_DISPLAY_SIZE,
    style: str = "box",
    font_size: int | None = None,
    background: str = "white",
    mode: str = "RGB",
) -> Image.Image:
    """The displayed picture: white page with each word as a black box ("box"), text ("text") or both.

    With "text" the word is drawn with its ink top-left at the box's top-left; ``font_size`` defaults
    to a size whose ink fits the box height.
    """
    if style not in ("box", "text", "both", "none"):
        raise ValueError(f"style must be box, text, both or none, not {style!r}")
    img = Image.new(mode, display_size, background)
    draw = ImageDraw.Draw(img)
    for text, (left, top, right, bottom) in words:
        if style in ("box", "both"):
            draw.rectangle(
                (left, top, right - 1, bottom - 1), fill="black" if style == "box" else None, outline="black"
            )
        if style in ("text", "both") and text:
            size = font_size or _fitting_size(text, bottom - top)
            l0, t0, _, _ = font(size).getbbox(text)
            draw.text((left - l0, top - t0), text, fill="black", font=font(size))
    return img


def _fitting_size(text: str, height: float) -> int:
    size = max(6, int(height))
    while size > 6:
        _, t, _, b = font(size).getbbox(text)
        if b - t <= height:
            break
        size -= 1
    return size


def to_raw(displayed: Image.Image, orientation: int) -> Image.Image:
    """The stored pixels that display as ``displayed`` under ``orientation``."""
    method = TRANSPOSE[inverse_orientation(orientation)]
    return displayed.copy() if method is None else displayed.transpose(method)


def save_oriented(
    displayed: Image.Image, path: str | os.PathLike[str], orientation: int, fmt: str = "JPEG", **save: object
) -> Path:
    """Write ``displayed`` as raw pixels + EXIF Orientation ``orientation`` (JPEG quality 95 by default)."""
    p = Path(path)
    raw = to_raw(displayed, orientation)
    exif = Image.Exif()
    if orientation != 1:
        exif[ORIENTATION_TAG] = orientation
    kwargs: dict[str, object] = {"exif": exif.tobytes()} if orientation != 1 else {}
    if fmt.upper() in ("JPEG", "JPG"):
        fmt = "JPEG"
        kwargs.setdefault("quality", 95)
        raw = raw.convert("RGB")
    kwargs.update(save)
    raw.save(p, fmt, **kwargs)
    return p


def make_text_image(
    path: str | os.PathLike[str],
    orientation: int = 1,
    words: Iterable[WordBox] = DEFAULT_WORDS,
    display_size: tuple[int, int] = DEFAULT_DISPLAY_SIZE,
    fmt: str = "JPEG",
    style: str = "box",
    font_size: int | None = None,
) -> Path:
    """Write an image whose displayed appearance shows ``words`` at their (displayed-frame) boxes.

    ``style``: "box" (filled black rectangles, good for pixel checks), "text" (readable text drawn
    with Pillow's default font, for OCR engines), "both" (outlined box + text) or "none" (blank page).
    """
    img = draw_displayed(words, display_size, style=style, font_size=font_size)
    return save_oriented(img, path, orientation, fmt=fmt)


def make_all_orientations(
    folder: str | os.PathLike[str],
    words: Iterable[WordBox] = DEFAULT_WORDS,
    display_size: tuple[int, int] = DEFAULT_DISPLAY_SIZE,
    fmt: str = "JPEG",
    style: str = "box",
    font_size: int | None = None,
) -> dict[int, Path]:
    """One image per EXIF orientation (1..8), all displaying the same picture: {orientation: path}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    words = list(words)
    img = draw_displayed(words, display_size, style=style, font_size=font_size)
    ext = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif", "WEBP": "webp"}.get(fmt.upper(), fmt.lower())
    return {o: save_oriented(img, folder / f"orient{o}.{ext}", o, fmt=fmt) for o in ORIENTATIONS}


def make_marked_image(
    path: str | os.PathLike[str],
    orientation: int,
    raw_size: tuple[int, int] = (40, 30),
    mark: tuple[int, int] = (3, 5),
    fmt: str = "PNG",
) -> Path:
    """A black raw image with one white pixel at raw ``mark`` and the Orientation tag (lossless PNG)."""
    img = Image.new("L", raw_size, 0)
    img.putpixel(mark, 255)
    p = Path(path)
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    img.save(p, fmt, exif=exif.tobytes())
    return p


def make_bomb_png(path: str | os.PathLike[str], width: int = 100_000, height: int = 100_000) -> Path:
    """A tiny PNG whose header declares huge dimensions (Pillow's decompression-bomb check trips)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    p = Path(path)
    p.write_bytes(data)
    return p


def make_truncated_jpeg(path: str | os.PathLike[str], size: tuple[int, int] = (200, 150)) -> Path:
    """A JPEG cut off in the middle of its scan data."""
    import io

    buf = io.BytesIO()
    draw_displayed(DEFAULT_WORDS[:2], (max(size[0], 440), max(size[1], 100))).resize(size).save(buf, "JPEG")
    data = buf.getvalue()
    p = Path(path)
    p.write_bytes(data[: len(data) // 2])
    return p


def make_headless_jpeg(path: str | os.PathLike[str], size: tuple[int, int] = (200, 150)) -> Path:
    """A JPEG cut off where its scan data begins: a whole header and not one pixel to decode."""
    import io

    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "JPEG")
    data = buf.getvalue()
    sos = data.find(b"\xff\xda")
    p = Path(path)
    p.write_bytes(data[: sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")])
    return p


def make_corrupt_exif_jpeg(path: str | os.PathLike[str], size: tuple[int, int] = (64, 48)) -> Path:
    """A JPEG whose EXIF block promises five tags and holds four bytes of the first: Pillow opens it
    and warns "Corrupt EXIF data. Expecting to read 12 bytes but only got 4." (without the file)."""
    import struct

    tiff = b"II*\x00" + struct.pack("<IH", 8, 5) + b"\x12\x01\x03\x00"
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(p, "JPEG", exif=b"Exif\x00\x00" + tiff)
    return p
