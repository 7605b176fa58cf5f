"""Headless rendering: the displayed image with polygons, text and confidence drawn (Pillow only).

Everything is drawn onto one transparent RGBA overlay with ImageDraw and composited once;
fonts are cached by size; PNGs are saved with a low compression level. That keeps 10,000 words
on a 12 MP page to about a second.
"""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageDraw, ImageFont

from ocrviewer.core.imageio import load_display_image
from ocrviewer.core.limits import drawable_text
from ocrviewer.core.model import LEVELS, Document, Polygon
from ocrviewer.core.output import write_atomic
from ocrviewer.core.palette import LEVEL_COLORS, ConfidenceScale, confidence_rgb, fit_scale, hex_to_rgb
from ocrviewer.errors import BadInput

#: Opacity (0..255) of the word fill and of label backgrounds.
WORD_FILL_ALPHA = 56
LABEL_BG_ALPHA = 190
LABEL_BG = (255, 255, 255, LABEL_BG_ALPHA)
LABEL_INK = (20, 20, 20, 255)


#: Fonts tried in order; DejaVu Sans covers Latin, Cyrillic and Greek (Pillow's own font is Latin only).
FONT_CANDIDATES = (
    "DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "Arial.ttf",
    "arial.ttf",
)


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A scalable font at ``size`` px, one object per size: DejaVu Sans if installed, else Pillow's own."""
    size = max(6, size)
    for name in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=16384)
def _text_mask(text: str, size: int) -> Image.Image:
    """Coverage mask of a short text, drawn once per (text, size): words and numbers repeat a lot."""
    font = _font(size)
    left, _, right, _ = font.getbbox(text, anchor="la")
    ascent, descent = font.getmetrics()  # type: ignore[union-attr]
    mask = Image.new("L", (max(1, int(right - left) + 1), max(1, ascent + descent)), 0)
    ImageDraw.Draw(mask).text((-left, 0), text, font=font, fill=255, anchor="la")
    return mask


def parse_levels(levels: str | Iterable[str]) -> tuple[str, ...]:
    """Levels from "block,line,word" or a sequence; unknown names -> BadInput listing the valid ones."""
    items = [x.strip().lower() for x in (levels.split(",") if isinstance(levels, str) else levels)]
    items = [x for x in items if x]
    bad = [x for x in items if x not in LEVELS]
    if bad:
        raise BadInput(f"unknown level {', '.join(map(repr, bad))}; valid levels: {', '.join(LEVELS)}")
    if not items:
        raise BadInput(f"no levels given; valid levels: {', '.join(LEVELS)}")
    return tuple(dict.fromkeys(items))


def _line_width(size: tuple[int, int]) -> int:
    return max(1, round(min(size) / 1500))


def _conf_rgb(conf: float | None, scale: ConfidenceScale) -> tuple[int, int, int]:
    return _conf_rgb_cached(None if conf is None else round(conf, 3), scale)


@lru_cache(maxsize=2048)
def _conf_rgb_cached(conf: float | None, scale: ConfidenceScale) -> tuple[int, int, int]:
    return scale.rgb(conf)


def render(
    image: str | os.PathLike[str] | Image.Image,
    document: Document,
    levels: Sequence[str] | str = ("block", "line", "word"),
    min_confidence: float | None = None,
    labels: bool = True,
    legend: bool = True,
    page: int = 0,
    timings: dict[str, float] | None = None,
    scale: ConfidenceScale | None = None,
) -> Image.Image:
    """The displayed image with ``document`` (displayed frame) drawn on it, as an RGB image.

    Blocks and lines are outlined in their level colours; words are filled and outlined by
    confidence (grey where the service gives none). Words under ``min_confidence`` are hidden.
    With ``labels`` the recognised text is written above each word (or line, without words),
    sized to the polygon, with the confidence in small type. ``timings``, when given, receives
    the seconds spent decoding, drawing polygons, drawing text (labels and legend) and composing.
    ``scale`` is the confidence colour scale; by default it is fitted to the words as the window
    fits it (:func:`ocrviewer.core.palette.fit_scale`), and the legend says when it is stretched.
    """
    levels = parse_levels(levels)
    if min_confidence is not None and not (0.0 <= min_confidence <= 1.0):
        raise BadInput(f"minimum confidence must be between 0 and 1, got {min_confidence!r}")
    t0 = time.perf_counter()
    base = load_display_image(image) if not isinstance(image, Image.Image) else image.copy()
    if base.mode in ("RGBA", "LA", "PA") or "transparency" in base.info:
        flat = Image.new("RGB", base.size, "white")  # transparent parts shown on white
        flat.paste(base.convert("RGBA"), mask=base.convert("RGBA").getchannel("A"))
        base = flat
    elif base.mode != "RGB":
        base = base.convert("RGB")
    t1 = time.perf_counter()
    # Everything is drawn onto one transparent overlay (later shapes replace earlier ones, no
    # per-shape blending) through the C drawing object with inks resolved once per colour,
    # then composited onto the picture once.
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    if scale is None:
        scale = fit_scale(w.confidence for w in document.words())
    pen = _Pen(draw, scale)
    lw = _line_width(base.size)
    pages = document.pages[page : page + 1] if document.pages else ()

    counts = {"block": 0, "line": 0, "word": 0, "hidden": 0}
    label_items: list[tuple[str, float | None, tuple[float, float, float, float]]] = []
    label_level = "word" if "word" in levels else ("line" if "line" in levels else None)
    block_rgba = hex_to_rgb(LEVEL_COLORS["block"]) + (255,)
    line_rgba = hex_to_rgb(LEVEL_COLORS["line"]) + (255,)
    want_block, want_line, want_word = "block" in levels, "line" in levels, "word" in levels
    for p in pages:
        for block in p.blocks:
            if want_block:
                pen.outline(block.polygon, block_rgba, lw * 2)
                counts["block"] += 1
            for line in block.lines:
                if want_line:
                    pen.outline(line.polygon, line_rgba, lw)
                    counts["line"] += 1
                    if label_level == "line":
                        label_items.append((line.text, line.confidence, _bbox(line.polygon)))
                for word in line.words:
                    conf = word.confidence
                    if min_confidence is not None and conf is not None and conf < min_confidence:
                        counts["hidden"] += 1
                        continue
                    if want_word:
                        fill, outline = pen.word_inks(conf)
                        box = pen.filled(word.polygon, fill, outline)
                        counts["word"] += 1
                        if label_level == "word":
                            label_items.append((word.text, conf, box))
    t2 = time.perf_counter()
    if labels:
        for text, conf, box in label_items:
            _label(pen, text, conf, box, base.size)
    if legend:
        boxes = [box for _, _, box in label_items] or [_bbox(b.polygon) for p in pages for b in p.blocks]
        _legend(draw, base.size, levels, counts, min_confidence, boxes, scale)
    t3 = time.perf_counter()
    base.paste(overlay, (0, 0), overlay)  # "over" compositing onto the opaque picture, in place
    if timings is not None:
        timings.update(decode=t1 - t0, draw=t2 - t1, text=t3 - t2, compose=time.perf_counter() - t3)
    return base


class _Pen:
    """ImageDraw's C drawing object with each colour's ink resolved once (10k words, a few colours)."""

    def __init__(self, draw: ImageDraw.ImageDraw, scale: ConfidenceScale) -> None:
        self.draw = draw
        self.scale = scale
        self.core = draw.draw
        self.inks: dict[tuple[int, ...], int] = {}
        self._word_inks: dict[float | None, tuple[int, int]] = {}
        self.ink(LABEL_BG)
        self.ink(LABEL_INK)

    def ink(self, rgba: tuple[int, ...]) -> int:
        ink = self.inks.get(rgba)
        if ink is None:
            ink = self.inks[rgba] = self.core.draw_ink(rgba)
        return ink

    def word_inks(self, conf: float | None) -> tuple[int, int]:
        """(fill, outline) inks of a word with this confidence."""
        key = None if conf is None else round(conf, 3)
        inks = self._word_inks.get(key)
        if inks is None:
            rgb = _conf_rgb(key, self.scale)
            inks = self._word_inks[key] = (self.ink(rgb + (WORD_FILL_ALPHA,)), self.ink(rgb + (255,)))
        return inks

    def filled(self, poly: Polygon, fill: int, outline: int) -> tuple[float, float, float, float]:
        """A polygon filled translucent with a 1 px outline (an axis-aligned box as a rectangle).

        Returns its bounding box.
        """
        box = _axis_box(poly)
        if box is not None:
            self.core.draw_rectangle(box, fill, 1)
            self.core.draw_rectangle(box, outline, 0)
            return box
        self.core.draw_polygon(poly, fill, 1)
        self.core.draw_polygon(poly, outline, 0)
        return _bbox(poly)

    def outline(self, poly: Polygon, rgba: tuple[int, ...], width: int) -> None:
        if width <= 1:
            self.core.draw_polygon(poly, self.ink(rgba), 0)
        else:
            self.draw.line([*poly, poly[0]], fill=rgba, width=width, joint="curve")


def _axis_box(poly: Polygon) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) when ``poly`` is a clockwise axis-aligned rectangle from top-left."""
    if len(poly) != 4:
        return None
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = poly
    if y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0 and x0 < x1 and y0 < y2:
        return x0, y0, x1, y2
    return None


def _label(
    pen: _Pen,
    text: str,
    conf: float | None,
    box: tuple[float, float, float, float],
    size: tuple[int, int],
) -> None:
    """Text above the element's box, sized to its height and shrunk to its width; confidence after it.

    Called once per word (10k on a dense page), so every mask and size comes from a cache.
    """
    text = drawable_text(text)  # no control characters (raqm refuses a newline), not a million chars
    if not text:
        return
    left, top, right, bottom = box
    fsize = int(max(8, min((bottom - top) * 0.55, 48)))
    im, tw, mh = _glyphs(text, fsize)
    limit = (right - left) * 1.3
    if tw > limit and fsize > 8:
        fsize = int(max(8, fsize * limit / tw))
        im, tw, mh = _glyphs(text, fsize)
    small = _conf_glyphs(conf, fsize, pen.scale) if conf is not None else None
    cw = small[1] + 2 if small is not None else 0
    th = fsize * 1.15
    x = min(max(0.0, left), max(0.0, size[0] - tw - cw - 2))
    y = top - th - 1
    if y < 0:  # no room above: below the polygon instead
        y = bottom + 1
    core, inks = pen.core, pen.inks
    core.draw_rectangle((x - 1, y, x + tw + cw + 2, y + th), inks[LABEL_BG], 1)
    ty = y + (th - mh) / 2
    core.draw_bitmap((int(x), int(ty)), im, inks[LABEL_INK])
    if small is not None:
        # Same baseline as the word: bottoms of the two masks' descent areas aligned.
        cim, _, ch, rgba = small
        core.draw_bitmap((int(x + tw + 2), int(ty + mh - ch)), cim, pen.ink(rgba))


@lru_cache(maxsize=16384)
def _glyphs(text: str, size: int) -> tuple[Any, int, int]:
    """(core image, width, height) of a text's coverage mask at ``size`` px."""
    mask = _text_mask(text, size)
    return mask.im, mask.width, mask.height


@lru_cache(maxsize=16384)
def _conf_glyphs(
    conf: float, fsize: int, scale: ConfidenceScale
) -> tuple[Any, int, int, tuple[int, int, int, int]]:
    """The confidence in percent, in small type next to a label of ``fsize`` px, and its colour."""
    im, w, h = _glyphs(f"{conf * 100:.0f}", max(6, int(fsize * 0.6)))
    r, g, b = _conf_rgb(conf, scale)  # darkened so amber numbers stay readable on white
    return im, w, h, (r * 3 // 4, g * 3 // 4, b * 3 // 4, 255)


def _bbox(poly: Polygon) -> tuple[float, float, float, float]:
    xs = [p[0] for p in poly]
    ys = [p[1] for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def _quietest_corner(
    size: tuple[int, int], w: float, h: float, pad: float, boxes: Sequence[tuple[float, float, float, float]]
) -> tuple[float, float]:
    """Top-left of a w x h box in the image corner that covers the least text (bottom-right on ties)."""
    corners = [
        (size[0] - w - pad, size[1] - h - pad),
        (pad, size[1] - h - pad),
        (size[0] - w - pad, pad),
        (pad, pad),
    ]

    # Count element centres under each candidate (enough to find the quiet corner, and fast).
    centres = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in boxes]
    left_x, right_x = w + pad, size[0] - w - pad
    top_y, bottom_y = h + pad, size[1] - h - pad
    n_bl = n_br = n_tl = n_tr = 0
    for cx, cy in centres:
        if cy >= bottom_y:
            n_br += cx >= right_x
            n_bl += cx <= left_x
        if cy <= top_y:
            n_tr += cx >= right_x
            n_tl += cx <= left_x
    counts = [n_br, n_bl, n_tr, n_tl]
    x, y = corners[counts.index(min(counts))]
    return max(0.0, x), max(0.0, y)


def scale_legend_text(scale: ConfidenceScale) -> tuple[str, str, str]:
    """The legend's title for the confidence bar and the numbers at its ends."""
    if not scale.stretched:
        return "word confidence", "0", "1"
    title = f"word confidence ({scale.note})" if scale.note else "word confidence"
    return title, f"{scale.low:.2f}", f"{scale.high:.2f}"


def _legend(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    levels: Sequence[str],
    counts: dict[str, int],
    min_confidence: float | None,
    boxes: Sequence[tuple[float, float, float, float]] = (),
    scale: ConfidenceScale | None = None,
) -> None:
    """A small key in the corner with the least text: level colours with counts, and the confidence
    scale with its ends (and how it was stretched, when it is)."""
    scale = scale or ConfidenceScale()
    fs = max(11, min(size) // 100)
    font = _font(fs)
    pad = fs // 2
    rows: list[tuple[tuple[int, int, int] | None, str]] = []
    for lv in levels:
        rows.append((hex_to_rgb(LEVEL_COLORS[lv]), f"{lv}s: {counts[lv]}"))
    if counts["hidden"]:
        rows.append((None, f"{counts['hidden']} words under {min_confidence:.2f} hidden"))
    lines_w = max(draw.textlength(t, font=font) for _, t in rows)
    bar_w = max(lines_w, fs * 8)
    box_w = int(fs * 1.5 + bar_w + 3 * pad)
    title, low, high = scale_legend_text(scale)
    if "word" in levels:
        bar_w = max(bar_w, draw.textlength(title, font=font))
        box_w = int(fs * 1.5 + bar_w + 3 * pad)
    box_h = int(len(rows) * fs * 1.4 + (fs * 3.2 if "word" in levels else 0) + 2 * pad)
    x0, y0 = _quietest_corner(size, box_w, box_h, pad, boxes)
    draw.rectangle((x0, y0, x0 + box_w, y0 + box_h), fill=(255, 255, 255, 200), outline=(60, 60, 60, 255))
    y = y0 + pad
    for color, text in rows:
        if color is not None:
            draw.rectangle(
                (x0 + pad, y + fs * 0.15, x0 + pad + fs, y + fs * 1.05), outline=color + (255,), width=2
            )
        draw.text((x0 + pad + fs * 1.5, y), text, font=font, fill=(20, 20, 20, 255))
        y += fs * 1.4
    if "word" in levels:
        draw.text((x0 + pad, y), title, font=font, fill=(20, 20, 20, 255))
        y += fs * 1.3
        bx0, bx1 = x0 + pad, x0 + box_w - pad
        steps = max(1, int(bx1 - bx0))
        for i in range(steps):
            draw.line(
                (bx0 + i, y, bx0 + i, y + fs * 0.8), fill=confidence_rgb(i / max(1, steps - 1)) + (255,)
            )
        small = _font(max(8, fs * 3 // 4))
        draw.text((bx0, y + fs * 0.85), low, font=small, fill=(20, 20, 20, 255))
        draw.text(
            (bx1 - draw.textlength(high, font=small), y + fs * 0.85), high, font=small, fill=(20, 20, 20, 255)
        )


#: Deflate level of ``render`` output when deflating pays (see :func:`encode_png`).
PNG_COMPRESS_LEVEL = 1
#: Store the rows without deflating when a sample deflates to more than this share of its size.
PNG_STORE_ABOVE = 0.75


def png_options(compress_level: int = 1) -> dict[str, int]:
    """Pillow's fast PNG settings: low zlib level with the RLE strategy (about 20% faster than plain level 1)."""
    return {"compress_level": compress_level, "compress_type": zlib.Z_RLE}


def deflate_pays(raw: bytes | memoryview, stride: int, level: int = PNG_COMPRESS_LEVEL) -> bool:
    """Whether deflating these scanlines saves enough to be worth its time, from 16 sampled row pairs.

    Deflate at level 1 spends ~1 s on a 12 MP photo (sensor noise, JPEG grain) to save ~15%;
    a clean scan (paper white, flat colours) shrinks several times, and quickly.
    """
    rows = len(raw) // stride if stride else 0
    if rows == 0:
        return True
    step = max(1, rows // 16)
    take = min(2, step)
    sample = b"".join(bytes(raw[r * stride : (r + take) * stride]) for r in range(0, rows, step))
    comp = zlib.compressobj(level, zlib.DEFLATED, 15, 9, zlib.Z_RLE)  # as the PNG is written
    packed = len(comp.compress(sample)) + len(comp.flush())
    return packed <= PNG_STORE_ABOVE * len(sample)



def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def png_parts(img: Image.Image, compress_level: int | None = None) -> Iterator[bytes]:
    """An 8-bit RGB or RGBA PNG of ``img`` as consecutive pieces, fast and in little memory.

    Rows are written unfiltered (PNG filter type 0): Pillow's writer tries several filters on
    every row, several passes over 36 MB for a 12 MP page that buy a photo little. The rows are
    deflated at ``compress_level`` (default: level 1 when a sample shows it pays, else stored,
    see :func:`deflate_pays`), about 1 MB of rows at a time into one reused buffer, each
    block's output an IDAT chunk of its own: a 12 MP page never has a second or third 36 MB copy
    (fresh memory costs ~1-2 ms per MB in page faults, more than the copying). Other modes go
    through Pillow, in one piece.
    """
    level = PNG_COMPRESS_LEVEL if compress_level is None else compress_level
    if img.mode not in ("RGB", "RGBA"):
        buf = io.BytesIO()
        img.save(buf, "PNG", **png_options(level))
        yield buf.getvalue()
        return
    width, height = img.size
    channels = len(img.mode)
    stride = width * channels
    raw = memoryview(img.tobytes())
    if compress_level is None and not deflate_pays(raw, stride):
        level = 0
    yield b"\x89PNG\r\n\x1a\n"
    yield _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0))
    comp = zlib.compressobj(level, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    row = stride + 1
    per_block = max(1, (1 << 20) // row)
    block = bytearray(row * min(per_block, max(height, 1)))  # each row's first byte: filter 0
    for top in range(0, height, per_block):
        n = min(per_block, height - top)
        for i in range(n):
            start = (top + i) * stride
            block[i * row + 1 : (i + 1) * row] = raw[start : start + stride]
        packed = comp.compress(memoryview(block)[: n * row])
        if packed:
            yield _chunk(b"IDAT", packed)
    yield _chunk(b"IDAT", comp.flush())
    yield _chunk(b"IEND", b"")


def encode_png(img: Image.Image, compress_level: int | None = None) -> bytes:
    """The PNG of :func:`png_parts` in one piece."""
    return b"".join(png_parts(img, compress_level))


def png_writer(img: Image.Image, compress_level: int | None = None) -> Callable[[IO[bytes]], None]:
    """A writer (for :func:`ocrviewer.core.output.write_atomic`) of the PNG of :func:`png_parts`,
    piece by piece."""

    def write(fh: IO[bytes]) -> None:
        for part in png_parts(img, compress_level):
            fh.write(part)

    return write


def save_png(
    img: Image.Image,
    path: str | os.PathLike[str],
    compress_level: int | None = None,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Write a PNG atomically through the safe writer (never over ``inputs``), quickly (see png_parts)."""
    return write_atomic(path, png_writer(img, compress_level), inputs=inputs)


def pdf_pages_writer(
    pages: Iterable[Image.Image], dpi: float, quality: int = 90
) -> Callable[[IO[bytes]], None]:
    """A writer (for :func:`ocrviewer.core.output.write_atomic`) of one PDF page per image, sized for ``dpi``.

    Images are taken one at a time and held only as JPEG inside the PDF, so a long document needs
    the memory of one page picture, not of all of them. PDFium (pypdfium2) writes the file.
    """

    def write(fh: IO[bytes]) -> None:
        import io

        import pypdfium2 as pdfium

        from ocrviewer.core.sources import PDFIUM_LOCK

        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument.new()
        try:
            for img in pages:
                buf = io.BytesIO()
                img.convert("RGB").save(buf, "JPEG", quality=quality)
                buf.seek(0)
                w_pt, h_pt = img.width * 72.0 / dpi, img.height * 72.0 / dpi
                with PDFIUM_LOCK:
                    page = pdf.new_page(w_pt, h_pt)
                    obj = pdfium.PdfImage.new(pdf)
                    obj.load_jpeg(buf, inline=True)
                    obj.set_matrix(pdfium.PdfMatrix().scale(w_pt, h_pt))
                    page.insert_obj(obj)
                    page.gen_content()
                    page.close()
            with PDFIUM_LOCK:
                pdf.save(fh)
        finally:
            with PDFIUM_LOCK:
                pdf.close()

    return write
