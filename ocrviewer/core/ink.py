"""Ink evidence: how well a response's word boxes cover the text-like pixels of the image.

Frame detection from sizes and vertex order cannot tell a mirrored or upside-down response
(orientations 2, 3, 4) or any orientation of a square image. The image itself can: placed the
right way, word boxes sit on strokes and the margin around each box is lighter. This module
scores each of the 8 orientations (with the page's scale fitted and a small offset search) by that
contrast, on a downscaled grayscale copy with an adaptive threshold and integral images, so a
score costs a few numpy operations whatever the number of words.

Qt-free; numpy and Pillow only.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from ocrviewer.core.geometry import ORIENTATION_NAMES, SWAPS_AXES, FrameTransform, orient_point
from ocrviewer.core.model import Document

#: longest side of the grayscale copy the ink is found on
INK_SIDE = 640
#: boxes scored at most (evenly sampled beyond): scoring stays a few ms for 100k words
MAX_BOXES = 4000
#: offsets tried, as a share of the image's size, on each side of zero
OFFSET_RANGE = 0.03
OFFSET_STEPS = 2  # per side: 5 x 5 shifts in all


@dataclass(frozen=True)
class InkMap:
    """Text-like pixels of the displayed image, as integral images for O(1) box sums."""

    #: displayed image size, pixels
    width: float
    height: float
    #: map pixels per displayed pixel (x, y)
    sx: float
    sy: float
    #: summed-area tables (h+1, w+1) of dark-on-light and light-on-dark ink
    dark: np.ndarray
    light: np.ndarray

    def box_counts(
        self, boxes: np.ndarray, polarity: str = "dark"
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ink pixels, box area inside the image, whole box area) per box, in map pixels."""
        table = self.dark if polarity == "dark" else self.light
        h, w = table.shape[0] - 1, table.shape[1] - 1
        x0 = boxes[:, 0] * self.sx
        y0 = boxes[:, 1] * self.sy
        x1 = boxes[:, 2] * self.sx
        y1 = boxes[:, 3] * self.sy
        full = np.maximum((x1 - x0) * (y1 - y0), 0.0)
        cx0 = np.clip(np.rint(x0), 0, w).astype(np.int64)
        cx1 = np.clip(np.rint(x1), 0, w).astype(np.int64)
        cy0 = np.clip(np.rint(y0), 0, h).astype(np.int64)
        cy1 = np.clip(np.rint(y1), 0, h).astype(np.int64)
        count = (table[cy1, cx1] - table[cy0, cx1] - table[cy1, cx0] + table[cy0, cx0]).astype(np.float64)
        inside = ((cx1 - cx0) * (cy1 - cy0)).astype(np.float64)
        return count, inside, full


def _box_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r+1)-square window of every pixel (edges: the part inside the image)."""
    h, w = values.shape
    table = np.zeros((h + 1, w + 1), dtype=np.float64)
    np.cumsum(np.cumsum(values, axis=0), axis=1, out=table[1:, 1:])
    ys = np.arange(h)
    xs = np.arange(w)
    y0 = np.clip(ys - radius, 0, h)[:, None]
    y1 = np.clip(ys + radius + 1, 0, h)[:, None]
    x0 = np.clip(xs - radius, 0, w)[None, :]
    x1 = np.clip(xs + radius + 1, 0, w)[None, :]
    total = table[y1, x1] - table[y0, x1] - table[y1, x0] + table[y0, x0]
    return total / ((y1 - y0) * (x1 - x0))


def _integral(mask: np.ndarray) -> np.ndarray:
    h, w = mask.shape
    table = np.zeros((h + 1, w + 1), dtype=np.int32)
    np.cumsum(np.cumsum(mask, axis=0, dtype=np.int32), axis=1, out=table[1:, 1:])
    return table


def ink_map(image: Image.Image, display_size: tuple[float, float] | None = None) -> InkMap:
    """The ink of a displayed-frame picture (any size; ``display_size`` is the full image's size
    when ``image`` is a reduced copy)."""
    width, height = display_size or image.size
    gray = image.convert("L")
    if max(gray.size) > INK_SIDE:
        gray = gray.copy()
        gray.thumbnail((INK_SIDE, INK_SIDE), Image.Resampling.BILINEAR)
    g = np.asarray(gray, dtype=np.float64)
    h, w = g.shape
    radius = max(2, round(max(h, w) / 40))
    mean = _box_mean(g, radius)
    # a stroke differs from its neighbourhood by more than the image's own small variations
    spread = float(np.median(np.abs(g - mean))) if g.size else 0.0
    cut = max(12.0, 3.0 * spread)
    return InkMap(
        width=float(width),
        height=float(height),
        sx=w / float(width),
        sy=h / float(height),
        dark=_integral(mean - g > cut),
        light=_integral(g - mean > cut),
    )


def ink_map_from_path(path: str | os.PathLike[str]) -> InkMap:
    """Decode ``path`` as displayed (EXIF applied), reduced, and find its ink."""
    from ocrviewer.core.imageio import load_display_image, read_image_info

    info = read_image_info(path)
    picture = load_display_image(path, max_side=INK_SIDE * 2)
    return ink_map(picture, info.display_size)


@dataclass(frozen=True)
class InkCandidate:
    """One orientation's placement and how well its boxes sit on the ink."""

    orientation: int
    transform: FrameTransform
    #: mean over boxes of (ink share in the box - ink share in the ring around it)
    score: float
    #: False when the stated page has another aspect than this orientation's frame (it would be
    #: stretched unevenly): such placements rank after those that fit
    fits_page: bool = True

    def describe(self) -> str:
        return f"{self.orientation} {ORIENTATION_NAMES[self.orientation]}: {self.score:+.3f}"


def _boxes(doc: Document) -> np.ndarray:
    """Line boxes (a line's words when it has no polygon) of every page, as (n, 4), sampled to MAX_BOXES.

    Lines, not words: some engines (RapidOCR) estimate word boxes by splitting the line, while the
    line is what their detector found on the ink.
    """
    rows: list[tuple[float, float, float, float]] = []
    for page in doc.pages:
        for block in page.blocks:
            for line in block.lines:
                polys = [line.polygon] if len(line.polygon) >= 3 else [w.polygon for w in line.words]
                for poly in polys:
                    if len(poly) >= 3:
                        xs = [p[0] for p in poly]
                        ys = [p[1] for p in poly]
                        rows.append((min(xs), min(ys), max(xs), max(ys)))
    boxes = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
    if len(boxes) > MAX_BOXES:
        boxes = boxes[np.linspace(0, len(boxes) - 1, MAX_BOXES).astype(np.int64)]
    return boxes


def _map_boxes(boxes: np.ndarray, t: FrameTransform) -> np.ndarray:
    """Axis-aligned boxes mapped by a transform (the 8 orientations keep boxes axis-aligned)."""
    ax, ay = _apply(t, boxes[:, 0], boxes[:, 1])
    bx, by = _apply(t, boxes[:, 2], boxes[:, 3])
    return np.stack([np.minimum(ax, bx), np.minimum(ay, by), np.maximum(ax, bx), np.maximum(ay, by)], axis=1)


def _apply(t: FrameTransform, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``t.apply`` on arrays: orient_point is plain arithmetic, so numpy arrays go through it."""
    xs: Any = x * t.scale_x
    ys: Any = y * t.scale_y
    ox, oy = orient_point(t.orientation, xs, ys, t.source_width, t.source_height)
    return np.asarray(ox) + t.offset_x, np.asarray(oy) + t.offset_y


def _score(ink: InkMap, placed: np.ndarray) -> float:
    """Contrast of dark and of light ink, added: the text may be either, and an adaptive
    threshold also marks a halo of the other polarity around strokes."""
    return _contrast(ink, placed, "dark") + _contrast(ink, placed, "light")


def _contrast(ink: InkMap, placed: np.ndarray, polarity: str) -> float:
    """Mean of (ink share inside each box - ink share of a ring around it).

    Inside, what falls off the image counts as no ink (a misplaced box is penalized); the ring
    counts only its part on the image, so a box at the edge is not rewarded for it.
    """
    if not len(placed):
        return 0.0
    short = np.minimum(placed[:, 2] - placed[:, 0], placed[:, 3] - placed[:, 1])
    pad = np.maximum(2.0 / max(ink.sx, 1e-9), 0.35 * short)
    grown = placed + np.stack([-pad, -pad, pad, pad], axis=1)
    n_in, on_in, full_in = ink.box_counts(placed, polarity)
    n_out, on_out, _ = ink.box_counts(grown, polarity)
    inside = n_in / np.maximum(full_in, 1.0)
    ring_area = on_out - on_in
    ring = np.where(ring_area > 0, (n_out - n_in) / np.maximum(ring_area, 1.0), 0.0)
    return float(np.mean(inside - np.clip(ring, 0.0, 1.0)))


def orientation_transform(
    orientation: int, display_size: tuple[float, float], page_size: tuple[float, float] | None
) -> FrameTransform:
    """The transform that maps a page in ``orientation``'s source frame onto the whole image."""
    dw, dh = display_size
    sw, sh = (dh, dw) if orientation in SWAPS_AXES else (dw, dh)
    if page_size and page_size[0] > 0 and page_size[1] > 0:
        sx, sy = sw / page_size[0], sh / page_size[1]
    else:
        sx = sy = 1.0
    return FrameTransform(source_width=sw, source_height=sh, orientation=orientation, scale_x=sx, scale_y=sy)


def rank_orientations(
    doc: Document,
    ink: InkMap,
    page_size: tuple[float, float] | None = None,
    fit_offset: bool = True,
) -> list[InkCandidate]:
    """All 8 orientations, best first, scored by how well the word boxes sit on the ink.

    ``page_size`` is the page the response states (its coordinates' extent): each orientation
    gets the scale that maps it onto the whole image. With ``fit_offset`` each also gets the best
    shift within a few percent of the image (a response cropped or padded slightly).
    """
    boxes = _boxes(doc)
    size = (ink.width, ink.height)
    base = {o: orientation_transform(o, size, page_size) for o in range(1, 9)}
    if not len(boxes):
        return [
            InkCandidate(o, t, 0.0, math.isclose(t.scale_x, t.scale_y, rel_tol=0.02)) for o, t in base.items()
        ]
    placed = {o: _map_boxes(boxes, t) for o, t in base.items()}
    out: list[InkCandidate] = []
    for o, t in base.items():
        score = _score(ink, placed[o])
        shift = (0.0, 0.0)
        if fit_offset:
            step_x = ink.width * OFFSET_RANGE / OFFSET_STEPS
            step_y = ink.height * OFFSET_RANGE / OFFSET_STEPS
            for i in range(-OFFSET_STEPS, OFFSET_STEPS + 1):
                for j in range(-OFFSET_STEPS, OFFSET_STEPS + 1):
                    if i == 0 and j == 0:
                        continue
                    dx, dy = i * step_x, j * step_y
                    s = _score(ink, placed[o] + np.array([dx, dy, dx, dy]))
                    if s > score + max(0.02, 0.1 * abs(score)):  # a shift must earn its place
                        score, shift = s, (dx, dy)
        if shift != (0.0, 0.0):
            t = t.then(dx=shift[0], dy=shift[1])
        fits = math.isclose(t.scale_x, t.scale_y, rel_tol=0.02)
        out.append(InkCandidate(o, t, round(score, 4), fits))
    out.sort(key=lambda c: (not c.fits_page, -c.score))
    return out


InkSource = InkMap | Callable[[], "InkMap | None"] | None


def resolve_ink(source: InkSource) -> InkMap | None:
    """An ink map from a map, a callable that makes one (None on failure), or None."""
    if source is None or isinstance(source, InkMap):
        return source
    try:
        return source()
    except Exception:  # ink is extra evidence: an unreadable image must not stop placement
        return None
