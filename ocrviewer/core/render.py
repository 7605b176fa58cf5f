"""Headless rendering: the displayed image with polygons, text and confidence drawn (Pillow only).

Everything is drawn onto one transparent RGBA overlay with ImageDraw and composited once;
fonts are cached by size; PNGs are saved with a low compression level. That keeps 10,000 words
on a 12 MP page to about a second.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO

from PIL import Image, ImageDraw, ImageFont

from ocrviewer.core.imageio import load_display_image
from ocrviewer.core.limits import drawable_text
from ocrviewer.core.model import LEVELS, Document, Polygon
from ocrviewer.core.output import write_atomic
from ocrviewer.core.palette import LEVEL_COLORS, confidence_rgb, hex_to_rgb
from ocrviewer.errors import BadInput

#: Opacity (0..255) of the word fill and of label backgrounds.
WORD_FILL_ALPHA = 56
LABEL_BG_ALPHA = 190


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


def _conf_rgb(conf: float | None) -> tuple[int, int, int]:
    return _conf_rgb_cached(None if conf is None else round(conf, 3))


@lru_cache(maxsize=2048)
def _conf_rgb_cached(conf: float | None) -> tuple[int, int, int]:
    return confidence_rgb(conf)


def _visible(conf: float | None, min_confidence: float | None) -> bool:
    return min_confidence is None or conf is None or conf >= min_confidence


def render(
    image: str | os.PathLike[str] | Image.Image,
    document: Document,
    levels: Sequence[str] | str = ("block", "line", "word"),
    min_confidence: float | None = None,
    labels: bool = True,
    legend: bool = True,
    page: int = 0,
) -> Image.Image:
    """The displayed image with ``document`` (displayed frame) drawn on it, as an RGB image.

    Blocks and lines are outlined in their level colours; words are filled and outlined by
    confidence (grey where the service gives none). Words under ``min_confidence`` are hidden.
    With ``labels`` the recognised text is written above each word (or line, without words),
    sized to the polygon, with the confidence in small type.
    """
    levels = parse_levels(levels)
    if min_confidence is not None and not (0.0 <= min_confidence <= 1.0):
        raise BadInput(f"minimum confidence must be between 0 and 1, got {min_confidence!r}")
    base = load_display_image(image) if not isinstance(image, Image.Image) else image.copy()
    if base.mode in ("RGBA", "LA", "PA") or "transparency" in base.info:
        flat = Image.new("RGB", base.size, "white")  # transparent parts shown on white
        flat.paste(base.convert("RGBA"), mask=base.convert("RGBA").getchannel("A"))
        base = flat
    elif base.mode != "RGB":
        base = base.convert("RGB")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    lw = _line_width(base.size)
    pages = document.pages[page : page + 1] if document.pages else ()

    counts = {"block": 0, "line": 0, "word": 0, "hidden": 0}
    label_items: list[tuple[str, float | None, tuple[float, float, float, float]]] = []
    label_level = "word" if "word" in levels else ("line" if "line" in levels else None)
    for p in pages:
        for block in p.blocks:
            if "block" in levels:
                _outline(draw, block.polygon, hex_to_rgb(LEVEL_COLORS["block"]) + (255,), lw * 2)
                counts["block"] += 1
            for line in block.lines:
                if "line" in levels:
                    _outline(draw, line.polygon, hex_to_rgb(LEVEL_COLORS["line"]) + (255,), lw)
                    counts["line"] += 1
                    if label_level == "line":
                        label_items.append((line.text, line.confidence, _bbox(line.polygon)))
                for word in line.words:
                    if not _visible(word.confidence, min_confidence):
                        counts["hidden"] += 1
                        continue
                    if "word" in levels:
                        rgb = _conf_rgb(word.confidence)
                        draw.polygon(_pts(word.polygon), fill=rgb + (WORD_FILL_ALPHA,), outline=rgb + (255,))
                        counts["word"] += 1
                        if label_level == "word":
                            label_items.append((word.text, word.confidence, _bbox(word.polygon)))
    if labels:
        for text, conf, box in label_items:
            _label(draw, text, conf, box, base.size)
    if legend:
        boxes = [box for _, _, box in label_items] or [_bbox(b.polygon) for p in pages for b in p.blocks]
        _legend(draw, base.size, levels, counts, min_confidence, boxes)
    base.paste(overlay, (0, 0), overlay)  # "over" compositing onto the opaque picture, in place
    return base


def _pts(poly: Polygon) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in poly]


def _outline(draw: ImageDraw.ImageDraw, poly: Polygon, color: tuple[int, ...], width: int) -> None:
    pts = _pts(poly)
    if width <= 1:
        draw.polygon(pts, outline=color)
    else:
        draw.line(pts + [pts[0]], fill=color, width=width, joint="curve")


def _label(
    draw: ImageDraw.ImageDraw,
    text: str,
    conf: float | None,
    box: tuple[float, float, float, float],
    size: tuple[int, int],
) -> None:
    """Text above the element's box, sized to its height and shrunk to its width; confidence after it."""
    text = drawable_text(text)  # no control characters (raqm refuses a newline), not a million chars
    if not text:
        return
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    fsize = int(max(8, min(h * 0.55, 48)))
    mask = _text_mask(text, fsize)
    if mask.width > w * 1.3 and fsize > 8:
        fsize = int(max(8, fsize * w * 1.3 / mask.width))
        mask = _text_mask(text, fsize)
    tw = mask.width
    conf_txt = "" if conf is None else f"{conf * 100:.0f}"
    csize = max(6, int(fsize * 0.6))
    cmask = _text_mask(conf_txt, csize) if conf_txt else None
    cw = cmask.width + 2 if cmask is not None else 0
    th = fsize * 1.15
    x = min(max(0.0, left), max(0.0, size[0] - tw - cw - 2))
    y = top - th - 1
    if y < 0:  # no room above: below the polygon instead
        y = bottom + 1
    draw.rectangle((x - 1, y, x + tw + cw + 2, y + th), fill=(255, 255, 255, LABEL_BG_ALPHA))
    draw.bitmap((int(x), int(y + (th - mask.height) / 2)), mask, fill=(20, 20, 20, 255))
    if cmask is not None:
        # Same baseline as the word: bottoms of the two masks' descent areas aligned.
        cy = y + (th - mask.height) / 2 + mask.height - cmask.height
        r, g, b = _conf_rgb(conf)  # darkened so amber numbers stay readable on white
        draw.bitmap((int(x + tw + 2), int(cy)), cmask, fill=(r * 3 // 4, g * 3 // 4, b * 3 // 4, 255))


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


def _legend(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    levels: Sequence[str],
    counts: dict[str, int],
    min_confidence: float | None,
    boxes: Sequence[tuple[float, float, float, float]] = (),
) -> None:
    """A small key in the corner with the least text: level colours with counts, and the confidence scale."""
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
        draw.text((x0 + pad, y), "word confidence", font=font, fill=(20, 20, 20, 255))
        y += fs * 1.3
        bx0, bx1 = x0 + pad, x0 + box_w - pad
        steps = max(1, int(bx1 - bx0))
        for i in range(steps):
            draw.line(
                (bx0 + i, y, bx0 + i, y + fs * 0.8), fill=confidence_rgb(i / max(1, steps - 1)) + (255,)
            )
        small = _font(max(8, fs * 3 // 4))
        draw.text((bx0, y + fs * 0.85), "0", font=small, fill=(20, 20, 20, 255))
        draw.text(
            (bx1 - draw.textlength("1", font=small), y + fs * 0.85), "1", font=small, fill=(20, 20, 20, 255)
        )


def png_options(compress_level: int = 1) -> dict[str, int]:
    """Fast PNG settings: low zlib level with the RLE strategy (about 20% faster than plain level 1)."""
    return {"compress_level": compress_level, "compress_type": zlib.Z_RLE}


def save_png(
    img: Image.Image,
    path: str | os.PathLike[str],
    compress_level: int = 1,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Write a PNG atomically through the safe writer (never over ``inputs``), quickly (low compression)."""
    return write_atomic(path, lambda f: img.save(f, "PNG", **png_options(compress_level)), inputs=inputs)


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
