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

from ocrviewer.core.imageio import DecodeAhead, load_display_image
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
    image: str | os.PathLike[str] | Image.Image | DecodeAhead,
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
    ``image`` may be a :class:`~ocrviewer.core.imageio.DecodeAhead` already decoding the picture:
    the drawing is done meanwhile.
    """
    layers = draw_layers(image, document, levels, min_confidence, labels, legend, page, timings, scale)
    t0 = time.perf_counter()
    picture = layers.composed()
    if timings is not None:
        timings["compose"] = time.perf_counter() - t0
    return picture


class Layers:
    """The picture (RGB) and everything drawn for it on one transparent overlay (RGBA), not yet
    composited: :meth:`composed` does it in place, or :func:`png_parts` a band of rows at a time
    on its way to the file (no pass over the whole picture of its own)."""

    def __init__(self, picture: Image.Image, overlay: Image.Image) -> None:
        self.picture = picture
        self.overlay: Image.Image | None = overlay

    def composed(self) -> Image.Image:
        """The picture with the overlay composited ("over") onto it, in place, once."""
        if self.overlay is not None:
            self.picture.paste(self.overlay, (0, 0), self.overlay)
            self.overlay = None
        return self.picture


def _flat_rgb(base: Image.Image) -> Image.Image:
    """``base`` as opaque RGB (transparent parts shown on white)."""
    if base.mode in ("RGBA", "LA", "PA") or "transparency" in base.info:
        flat = Image.new("RGB", base.size, "white")
        flat.paste(base.convert("RGBA"), mask=base.convert("RGBA").getchannel("A"))
        return flat
    if base.mode != "RGB":
        return base.convert("RGB")
    return base


def draw_layers(
    image: str | os.PathLike[str] | Image.Image | DecodeAhead,
    document: Document,
    levels: Sequence[str] | str = ("block", "line", "word"),
    min_confidence: float | None = None,
    labels: bool = True,
    legend: bool = True,
    page: int = 0,
    timings: dict[str, float] | None = None,
    scale: ConfidenceScale | None = None,
) -> Layers:
    """What :func:`render` draws, as :class:`Layers` (composited by the caller); same arguments.

    With a :class:`~ocrviewer.core.imageio.DecodeAhead` the overlay is drawn while the picture
    decodes (its size from the file's header); ``timings["decode"]`` is then the wait for it.
    """
    levels = parse_levels(levels)
    if min_confidence is not None and not (0.0 <= min_confidence <= 1.0):
        raise BadInput(f"minimum confidence must be between 0 and 1, got {min_confidence!r}")
    t0 = time.perf_counter()
    base: Image.Image | None = None
    if isinstance(image, DecodeAhead):
        size = image.size
    else:
        base = _flat_rgb(load_display_image(image) if not isinstance(image, Image.Image) else image.copy())
        size = base.size
    t1 = time.perf_counter()
    # Everything is drawn onto one transparent overlay (later shapes replace earlier ones, no
    # per-shape blending) through the C drawing object with inks resolved once per colour,
    # then composited onto the picture once.
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    if scale is None:
        scale = fit_scale(w.confidence for w in document.words())
    pen = _Pen(draw, scale)
    lw = _line_width(size)
    pages = document.pages[page : page + 1] if document.pages else ()

    counts = {"block": 0, "line": 0, "word": 0, "hidden": 0}
    label_items: list[tuple[str, float | None, tuple[float, float, float, float]]] = []
    label_level = "word" if "word" in levels else ("line" if "line" in levels else None)
    block_rgba = hex_to_rgb(LEVEL_COLORS["block"]) + (255,)
    line_rgba = hex_to_rgb(LEVEL_COLORS["line"]) + (255,)
    want_block, want_line, want_word = "block" in levels, "line" in levels, "word" in levels
    # the word loop runs 10k times: its lookups are made once
    word_inks, filled, add_label = pen.word_inks, pen.filled, label_items.append
    labelled, drawn = label_level == "word", 0
    # elements of text only (no polygon: a line no file placed) have nothing to draw
    for p in pages:
        for block in p.blocks:
            if want_block and block.polygon:
                pen.outline(block.polygon, block_rgba, lw * 2)
                counts["block"] += 1
            for line in block.lines:
                if want_line and line.polygon:
                    pen.outline(line.polygon, line_rgba, lw)
                    counts["line"] += 1
                    if label_level == "line":
                        label_items.append((line.text, line.confidence, _bbox(line.polygon)))
                for word in line.words:
                    if not word.polygon:
                        continue
                    conf = word.confidence
                    if min_confidence is not None and conf is not None and conf < min_confidence:
                        counts["hidden"] += 1
                        continue
                    if want_word:
                        fill, outline = word_inks(conf)
                        box = filled(word.polygon, fill, outline)
                        drawn += 1
                        if labelled:
                            add_label((word.text, conf, box))
        counts["word"] += drawn
        drawn = 0
    t2 = time.perf_counter()
    if labels:
        _labels(pen, label_items, size)
    if legend:
        boxes = [box for _, _, box in label_items] or [
            _bbox(b.polygon) for p in pages for b in p.blocks if b.polygon
        ]
        _legend(draw, size, levels, counts, min_confidence, boxes, scale)
    t3 = time.perf_counter()
    if base is None:  # decoded meanwhile
        assert isinstance(image, DecodeAhead)
        base = _flat_rgb(image.result())
        if base.size != size:  # the header said otherwise (never seen): draw again on the picture
            return draw_layers(base, document, levels, min_confidence, labels, legend, page, timings, scale)
    t4 = time.perf_counter()
    if timings is not None:
        timings.update(decode=(t1 - t0) + (t4 - t3), draw=t2 - t1, text=t3 - t2)
    return Layers(base, overlay)


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


def _labels(
    pen: _Pen,
    items: Iterable[tuple[str, float | None, tuple[float, float, float, float]]],
    size: tuple[int, int],
) -> None:
    """Each text above its element's box, sized to the box's height and shrunk to its width, its
    confidence after it (or below the box when there is no room above).

    Run once per word (10k on a dense page), so everything repeated comes from a cache: the
    cleaned text, the masks and their sizes, the confidence's mask and ink.
    """
    core = pen.core
    bg, ink = pen.inks[LABEL_BG], pen.inks[LABEL_INK]
    scale = pen.scale
    glyphs = _glyphs
    cleaned: dict[str, str] = {}
    small_of: dict[tuple[float, int], tuple[Any, int, int, int]] = {}
    right_edge = size[0]
    for text, conf, (left, top, right, bottom) in items:
        shown = cleaned.get(text)
        if shown is None:
            # no control characters (raqm refuses a newline), not a million characters
            shown = cleaned[text] = drawable_text(text)
        if not shown:
            continue
        fsize = int(max(8, min((bottom - top) * 0.55, 48)))
        im, tw, mh = glyphs(shown, fsize)
        limit = (right - left) * 1.3
        if tw > limit and fsize > 8:
            fsize = int(max(8, fsize * limit / tw))
            im, tw, mh = glyphs(shown, fsize)
        small = None
        if conf is not None:
            small = small_of.get((conf, fsize))
            if small is None:
                cim, sw, sh, rgba = _conf_glyphs(conf, fsize, scale)
                small = small_of[(conf, fsize)] = (cim, sw, sh, pen.ink(rgba))
        cw = small[1] + 2 if small is not None else 0
        th = fsize * 1.15
        x = min(max(0.0, left), max(0.0, right_edge - tw - cw - 2))
        y = top - th - 1
        if y < 0:  # no room above: below the polygon instead
            y = bottom + 1
        core.draw_rectangle((x - 1, y, x + tw + cw + 2, y + th), bg, 1)
        ty = y + (th - mh) / 2
        core.draw_bitmap((int(x), int(ty)), im, ink)
        if small is not None:
            # Same baseline as the word: bottoms of the two masks' descent areas aligned.
            core.draw_bitmap((int(x + tw + 2), int(ty + mh - small[2])), small[0], small[3])


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


def _sample_rows(rows: int) -> Iterator[tuple[int, int]]:
    """The rows :func:`_sample_pays` is given: (top, bottom) of 16 row pairs spread over ``rows``."""
    step = max(1, rows // 16)
    take = min(2, step)
    for top in range(0, rows, step):
        yield top, min(rows, top + take)


def _sample_pays(sample: bytes, level: int = PNG_COMPRESS_LEVEL) -> bool:
    """Whether deflating scanlines saves enough to be worth its time, judged from sampled rows.

    Deflate at level 1 spends ~1 s on a 12 MP photo (sensor noise, JPEG grain) to save ~15%;
    a clean scan (paper white, flat colours) shrinks several times, and quickly.
    """
    comp = zlib.compressobj(level, zlib.DEFLATED, 15, 9, zlib.Z_RLE)  # as the PNG is written
    packed = len(comp.compress(sample)) + len(comp.flush())
    return packed <= PNG_STORE_ABOVE * len(sample)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def _packed_rows(img: Image.Image, top: int, bottom: int) -> bytes:
    """Rows ``top`` to ``bottom`` of an RGB or RGBA image, packed (3 or 4 bytes a pixel)."""
    width = img.width
    size = width * len(img.mode) * (bottom - top)
    try:  # Pillow's raw encoder on the rows: one call, no cropped copy of the band first
        encoder = Image._getencoder(img.mode, "raw", (img.mode, 0, 1))
        encoder.setimage(img.im, (0, top, width, bottom))
        _, status, data = encoder.encode(max(size, 1))
        if status > 0 and len(data) == size:
            return bytes(data)
    except (AttributeError, TypeError, ValueError, OSError):  # another Pillow's encoder set-up
        pass
    return img.crop((0, top, width, bottom)).tobytes()


#: Longest stored deflate block (the format's limit).
_STORED_MAX = 0xFFFF


class _Rows:
    """Rows of ``img``, composited with ``overlay`` (when given) as they are taken, each band once."""

    def __init__(
        self, img: Image.Image, overlay: Image.Image | None, timings: dict[str, float] | None
    ) -> None:
        self.img, self.overlay, self.timings = img, overlay, timings

    def sample(self) -> bytes:
        """The rows :func:`_sample_pays` judges, composited (the picture itself is left as it is)."""
        width, height = self.img.size
        parts = []
        for top, bottom in _sample_rows(height):
            box = (0, top, width, bottom)
            piece = self.img.crop(box)
            if self.overlay is not None:
                drawn = self.overlay.crop(box)
                piece.paste(drawn, (0, 0), drawn)
            parts.append(piece.tobytes())
        return b"".join(parts)

    def take(self, top: int, bottom: int) -> bytes:
        if self.overlay is not None:  # "over" compositing onto the opaque picture, in place
            t0 = time.perf_counter()
            box = (0, top, self.img.width, bottom)
            drawn = self.overlay.crop(box)
            self.img.paste(drawn, box, drawn)
            if self.timings is not None:
                self.timings["compose"] = self.timings.get("compose", 0.0) + time.perf_counter() - t0
        return _packed_rows(self.img, top, bottom)


def png_parts(
    img: Image.Image | Layers,
    compress_level: int | None = None,
    timings: dict[str, float] | None = None,
) -> Iterator[bytes | memoryview]:
    """An 8-bit RGB or RGBA PNG of ``img`` as consecutive pieces, fast and in little memory.

    Rows are written unfiltered (PNG filter type 0): Pillow's writer tries several filters on
    every row, several passes over 36 MB for a 12 MP page that buy a photo little. The rows are
    deflated at ``compress_level`` (default: level 1 when a sample shows it pays, else stored,
    see :func:`_sample_pays`), about 1 MB of rows at a time into one reused buffer, each
    block's output an IDAT chunk of its own: a 12 MP page never has a second or third 36 MB copy
    (fresh memory costs ~1-2 ms per MB in page faults, more than the copying). Stored rows are
    laid out with their deflate block headers by one numpy copy, whole rows to a block, no zlib
    pass. Other modes go through Pillow, in one piece.

    :class:`Layers` are composited a band of rows at a time on their way (``timings["compose"]``
    adds up that part). A piece may be a view of a buffer the next piece reuses: write each one
    before taking the next (as :func:`png_writer` does).
    """
    level = PNG_COMPRESS_LEVEL if compress_level is None else compress_level
    layers = img if isinstance(img, Layers) else None
    overlay = layers.overlay if layers is not None else None
    picture = layers.picture if layers is not None else img
    assert isinstance(picture, Image.Image)
    if picture.mode not in ("RGB", "RGBA"):
        if overlay is not None:
            picture = Layers(picture, overlay).composed()
        buf = io.BytesIO()
        picture.save(buf, "PNG", **png_options(level))
        yield buf.getvalue()
        return
    import numpy as np

    width, height = picture.size
    channels = len(picture.mode)
    stride = width * channels
    row = stride + 1
    rows = _Rows(picture, overlay, timings)
    if compress_level is None and height and not _sample_pays(rows.sample()):
        level = 0
    yield b"\x89PNG\r\n\x1a\n"
    yield _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0))
    per_block = max(1, (1 << 20) // row)
    stored = level == 0 and row <= _STORED_MAX
    per_stored = _STORED_MAX // row if stored else 0  # whole rows in each stored deflate block
    if stored:
        per_block = max(per_stored, per_block // per_stored * per_stored)
    n0 = min(per_block, max(height, 1))
    # room for the zlib header and a stored block header (5 bytes) per block of rows
    block = bytearray(2 + row * n0 + 5 * (n0 // per_stored + 1 if stored else 0))
    grid = np.frombuffer(block, np.uint8)
    comp = zlib.compressobj(level, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    adler = 1
    for top in range(0, height, per_block):
        n = min(per_block, height - top)
        src = np.frombuffer(rows.take(top, top + n), np.uint8).reshape(n, stride)
        if stored:
            lead = 2 if top == 0 else 0
            if lead:
                block[:2] = b"\x78\x01"  # zlib header: deflate, 32 KB window, no compression
            length, adler = _stored_rows(grid[lead:], src, per_stored, row, adler, memoryview(block)[lead:])
            length += lead
            packed: bytes | memoryview = memoryview(block)[:length]
        else:
            filtered = grid[: n * row].reshape(n, row)
            filtered[:, 0] = 0
            filtered[:, 1:] = src
            packed = comp.compress(memoryview(block)[: n * row])
        if len(packed):
            crc = zlib.crc32(packed, zlib.crc32(b"IDAT"))
            yield struct.pack(">I", len(packed)) + b"IDAT"
            yield packed
            yield struct.pack(">I", crc)
    if layers is not None:
        layers.overlay = None  # composited now, every band
    if stored:  # an empty final block, then the Adler-32 of the rows
        yield _chunk(b"IDAT", b"\x01\x00\x00\xff\xff" + struct.pack(">I", adler))
    else:
        yield _chunk(b"IDAT", comp.flush())
    yield _chunk(b"IEND", b"")


def _stored_rows(
    out: Any, src: Any, per_stored: int, row: int, adler: int, view: memoryview
) -> tuple[int, int]:
    """Lay ``src``'s rows (a numpy array, one row each) into ``out`` (a numpy byte array) as
    stored deflate blocks of ``per_stored`` rows (the last one shorter), each row after its filter
    byte (0); returns the bytes laid and the Adler-32 of the rows so far (``view``: ``out``'s memory)."""
    import numpy as np

    n, stride = src.shape
    at = first = 0
    while first < n:
        rows_in = min(per_stored, n - first)
        count = (n - first) // rows_in  # blocks of this many rows: all the full ones, then the rest
        size = rows_in * row
        blocks = out[at : at + count * (5 + size)].reshape(count, 5 + size)
        blocks[:, :5] = np.frombuffer(struct.pack("<BHH", 0, size, size ^ 0xFFFF), np.uint8)
        body = blocks[:, 5:].reshape(count, rows_in, row)
        body[:, :, 0] = 0
        body[:, :, 1:] = src[first : first + count * rows_in].reshape(count, rows_in, stride)
        for k in range(count):
            start = at + k * (5 + size) + 5
            adler = zlib.adler32(view[start : start + size], adler)
        at += count * (5 + size)
        first += count * rows_in
    return at, adler


def encode_png(img: Image.Image | Layers, compress_level: int | None = None) -> bytes:
    """The PNG of :func:`png_parts` in one piece."""
    return b"".join(bytes(part) for part in png_parts(img, compress_level))


def png_writer(
    img: Image.Image | Layers, compress_level: int | None = None, timings: dict[str, float] | None = None
) -> Callable[[IO[bytes]], None]:
    """A writer (for :func:`ocrviewer.core.output.write_atomic`) of the PNG of :func:`png_parts`,
    piece by piece."""

    def write(fh: IO[bytes]) -> None:
        for part in png_parts(img, compress_level, timings):
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

        from ocrviewer.core.pdfium_lock import PDFIUM_LOCK

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
