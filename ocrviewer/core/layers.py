"""The overlay's data, Qt-free: each level's polygons as numpy arrays, a hit index, counts.

A :class:`LayerData` keeps one level's polygons as one numpy array of points (CSR layout:
``starts`` index each polygon's first point), bounding boxes, confidences and a y-sorted band
index for hit tests. ``gui/overlay.py`` only paints them; hit tests, "how many are shown" and
element references are answered here, so they are tested without a QApplication.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Protocol

import numpy as np

from ocrviewer.core.columns import LazyElements, page_columns, page_counts
from ocrviewer.core.drawing import BUCKETS, NO_CONF
from ocrviewer.core.model import Document, Page, Polygon
from ocrviewer.core.palette import FULL_SCALE, ConfidenceScale

LAYERS = ("block", "line", "word", "table")


@dataclass(frozen=True, order=True)
class ElementRef:
    """Path to one element: level is "block", "line" or "word"; unused indices are -1."""

    level: str
    page: int
    block: int
    line: int = -1
    word: int = -1


class RectLike(Protocol):
    def left(self) -> float: ...
    def top(self) -> float: ...
    def right(self) -> float: ...
    def bottom(self) -> float: ...


@dataclass
class LayerData:
    """The polygons of one level, with what hover and selection need to know about each."""

    level: str
    #: the model's elements (Word, Line, Block, Table or Cell), for text and confidence on demand
    elements: list[Any] = field(default_factory=list)
    #: (page, block, line, word) per element; -1 for unused parts; None for tables and cells
    keys: list[tuple[int, int, int, int] | None] = field(default_factory=list)
    #: words only: (page, block, line) of each line with words, and the index of its first word
    line_keys: list[tuple[int, int, int]] = field(default_factory=list)
    line_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pts: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    starts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    bboxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    conf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # band index: small boxes sorted by top edge, big ones checked one by one
    _order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _tops: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _band: float = 0.0
    _big: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: made in a worker (:meth:`prepare_boxes`, ``gui.overlay.prepare_layers``): which polygons are
    #: box-like (a dense picture fills their bounding boxes)
    boxy: np.ndarray | None = None
    _columns: np.ndarray | None = None
    #: a dense picture of the layer made in a worker for the view the window showed
    #: (``gui.overlay.prepare_picture``), taken by the layer's first frame
    picture: Any = None

    def __len__(self) -> int:
        return len(self.elements)

    # -- per-element facts ---------------------------------------------------------------------
    def polygon(self, i: int) -> Polygon:
        return self.elements[i].polygon

    def text(self, i: int) -> str:
        el = self.elements[i]
        if self.level == "table" and hasattr(el, "rows"):
            return f"table {el.rows} x {el.columns}"
        if self.level == "table":
            return el.text or f"cell r{el.row + 1} c{el.column + 1}"
        return el.text

    def confidence(self, i: int) -> float | None:
        return getattr(self.elements[i], "confidence", None)

    def label(self, i: int) -> str | None:
        el = self.elements[i]
        return getattr(el, "confidence_label", None) or getattr(el, "layout_type", None)

    def ref(self, i: int) -> ElementRef | None:
        if self.level == "word":  # words are stored line by line: find the line, then the index in it
            k = int(np.searchsorted(self.line_starts, i, "right")) - 1
            return ElementRef("word", *self.line_keys[k], i - int(self.line_starts[k]))
        key = self.keys[i]
        return None if key is None else ElementRef(self.level, *key)

    def index_of(self, ref: ElementRef) -> int:
        """The index :meth:`ref` gives ``ref`` at (-1: not in this layer); words only."""
        if self.level != "word" or ref.level != "word" or ref.word < 0:
            return -1
        key = (ref.page, ref.block, ref.line)
        try:
            k = self.line_keys.index(key)
        except ValueError:
            return -1
        i = int(self.line_starts[k]) + ref.word
        end = int(self.line_starts[k + 1]) if k + 1 < len(self.line_keys) else len(self.elements)
        return i if i < end else -1

    # -- building ------------------------------------------------------------------------------
    def finish(self) -> None:
        """Flatten polygons into numpy arrays and build the band index."""
        n = len(self.elements)
        if not n:
            return
        polys = [el.polygon for el in self.elements]
        counts = np.fromiter(map(len, polys), dtype=np.int64, count=n)
        total = int(counts.sum())
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(polys)), dtype=float, count=2 * total)
        starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        if self.level == "table":
            conf = np.full(n, np.nan)
        else:  # None becomes NaN
            conf = np.array([el.confidence for el in self.elements], dtype=float)
        self.finish_arrays(flat.reshape(-1, 2), starts, conf)

    def finish_arrays(self, pts: np.ndarray, starts: np.ndarray, conf: np.ndarray) -> None:
        """Take the polygons as arrays (points, each element's first point, confidences: a page
        parsed as columns) and build the boxes and the band index."""
        self.pts = np.asarray(pts, dtype=np.float64)
        self.starts = starts
        self.conf = conf
        if not len(conf):
            return
        first = self.starts[:-1]
        xs, ys = self.pts[:, 0], self.pts[:, 1]
        self.bboxes = np.stack(
            [
                np.minimum.reduceat(xs, first),
                np.minimum.reduceat(ys, first),
                np.maximum.reduceat(xs, first),
                np.maximum.reduceat(ys, first),
            ],
            axis=1,
        )
        heights = self.bboxes[:, 3] - self.bboxes[:, 1]
        self._band = _median(heights) * 4 + 1.0
        small = heights <= self._band
        idx = np.flatnonzero(small)
        order = np.argsort(self.bboxes[idx, 1], kind="stable")
        self._order = idx[order]
        self._tops = self.bboxes[self._order, 1]
        self._big = np.flatnonzero(~small)

    def prepare_boxes(self) -> None:
        """Make :attr:`boxy` and :meth:`box_columns` now (in a worker)."""
        self.boxy = box_like(self.pts, self.starts, self.bboxes)
        self.box_columns()

    def box_columns(self) -> np.ndarray:
        """The bounding boxes as four contiguous rows (x0, y0, x1, y1): arithmetic over a column
        of an (n, 4) array runs several times slower."""
        if self._columns is None or self._columns.shape[1] != len(self.bboxes):
            self._columns = np.ascontiguousarray(self.bboxes.T)
        return self._columns

    # -- queries -------------------------------------------------------------------------------
    def _near_rows(self, top: float, bottom: float) -> np.ndarray:
        lo = np.searchsorted(self._tops, top - self._band, "left")
        hi = np.searchsorted(self._tops, bottom, "right")
        cand = self._order[lo:hi]
        return np.concatenate([cand, self._big]) if len(self._big) else cand

    def candidates(self, x: float, y: float, tolerance: float = 0.0) -> np.ndarray:
        """Indices whose bounding box contains (x, y), grown by ``tolerance``."""
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        cand = self._near_rows(y - tolerance, y + tolerance)
        b = self.bboxes[cand]
        mask = (b[:, 0] - tolerance <= x) & (b[:, 2] + tolerance >= x)
        mask &= (b[:, 1] - tolerance <= y) & (b[:, 3] + tolerance >= y)
        return cand[mask]

    def candidates_in(self, rect: RectLike) -> np.ndarray:
        """Indices whose bounding box intersects ``rect``, in no particular order."""
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        cand = self._near_rows(rect.top(), rect.bottom())
        b = self.bboxes[cand]
        mask = (b[:, 2] >= rect.left()) & (b[:, 0] <= rect.right())
        mask &= (b[:, 3] >= rect.top()) & (b[:, 1] <= rect.bottom())
        return cand[mask]

    def count_in_rect(self, rect: RectLike) -> int:
        """How many bounding boxes intersect ``rect``."""
        return len(self.candidates_in(rect))

    def in_rect(self, rect: RectLike) -> np.ndarray:
        """Indices whose bounding box intersects ``rect`` (anything with left/top/right/bottom()),
        in ascending order."""
        return np.sort(self.candidates_in(rect))

    # -- hit testing and counts (what the overlay shows, without drawing it) ---------------------
    def hidden_mask(
        self, index: np.ndarray, min_confidence: float = 0.0, hide: bool | str = False
    ) -> np.ndarray:
        """True where a word is under ``min_confidence`` and such words are hidden (``hide``);
        with ``hide="only"`` the reverse: every word *not* under it is hidden (the suspects only)."""
        if self.level != "word" or not hide or min_confidence <= 0:
            return np.zeros(len(index), dtype=bool)
        under = np.asarray(self.conf[index] < min_confidence)
        return ~under if hide == "only" else under

    def shown_count(self, min_confidence: float = 0.0, hide: bool | str = False) -> int:
        """How many polygons are drawn when words under ``min_confidence`` are hidden (``hide``)."""
        return int(len(self) - np.count_nonzero(self.hidden_mask(np.arange(len(self)), min_confidence, hide)))

    def hit(
        self,
        x: float,
        y: float,
        tolerance: float = 0.0,
        min_confidence: float = 0.0,
        hide: bool | str = False,
    ) -> int | None:
        """Index of the smallest shown polygon under (x, y) (within ``tolerance`` of its box), or None."""
        cands = self.candidates(x, y, tolerance)
        if len(cands) == 0:
            return None
        cands = cands[~self.hidden_mask(cands, min_confidence, hide)]
        b = self.bboxes[cands]
        areas = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        for i in cands[np.argsort(areas, kind="stable")].tolist():
            if tolerance > 0 or point_in_polygon(x, y, self.polygon(i)):
                return int(i)
        return None


def _keys(buckets: np.ndarray) -> list[int]:
    """The distinct confidence buckets (NO_CONF .. BUCKETS - 1) present, ascending.

    Not np.unique: it imports numpy.ma on its first call (~28 ms under PySide6's import hook),
    in the middle of the first dense paint of the first result.
    """
    if not len(buckets):
        return []
    present = np.bincount(buckets - NO_CONF, minlength=BUCKETS - NO_CONF)
    return (np.flatnonzero(present) + NO_CONF).tolist()


def _median(values: np.ndarray) -> float:
    """The median by sorting: np.median imports numpy.ma on first use, ~35 ms on the GUI thread
    when the first result lands."""
    s = np.sort(values)
    m = len(s) // 2
    return float(s[m]) if len(s) % 2 else float((s[m - 1] + s[m]) / 2)


def box_like(pts: np.ndarray, starts: np.ndarray, bboxes: np.ndarray) -> np.ndarray:
    """True where a polygon covers at least 90% of its bounding box (shoelace area, vectorized)."""
    if not len(bboxes):
        return np.zeros(0, dtype=bool)
    xs, ys = pts[:, 0], pts[:, 1]
    nxt = np.arange(1, len(xs) + 1)
    nxt[starts[1:] - 1] = starts[:-1]  # each polygon's last point wraps to its first
    area = np.abs(np.add.reduceat(xs * ys[nxt] - xs[nxt] * ys, starts[:-1])) / 2
    box = (bboxes[:, 2] - bboxes[:, 0]) * (bboxes[:, 3] - bboxes[:, 1])
    return area >= 0.9 * box


def build_layers(doc: Document | None) -> dict[str, LayerData]:
    """Flatten a displayed-frame document into one LayerData per level."""
    layers = {name: LayerData(name) for name in LAYERS}
    if doc is None:
        return layers
    cols = page_columns(doc.pages[0]) if len(doc.pages) == 1 else None
    if cols is not None and all(bool(np.all(np.diff(cols.level(n).starts) > 0)) for n in LAYERS[:3]):
        return _column_layers(doc.pages[0], layers)
    # (a page with elements of text only, no points, is flattened from its elements: the columns
    # would give them the box of the next element's first point)
    blocks, lines, words, tables = (layers[n] for n in LAYERS)
    b_el, b_key = blocks.elements.append, blocks.keys.append
    l_el, l_key = lines.elements.append, lines.keys.append
    w_el = words.elements
    w_starts: list[int] = []
    for pi, page in enumerate(doc.pages):
        for bi, block in enumerate(page.blocks):
            # elements without a polygon (a plain text ground truth) have nothing to draw or hit
            if block.polygon:
                b_el(block)
                b_key((pi, bi, -1, -1))
            for li, line in enumerate(block.lines):
                if line.polygon:
                    l_el(line)
                    l_key((pi, bi, li, -1))
                ws = line.words
                if ws and ws[0].polygon and ws[-1].polygon:
                    w_starts.append(len(w_el))
                    words.line_keys.append((pi, bi, li))
                    w_el.extend(ws)
        for table in page.tables:
            tables.elements.append(table)
            tables.keys.append(None)
            tables.elements.extend(table.cells)
            tables.keys.extend([None] * len(table.cells))
    words.line_starts = np.array(w_starts, dtype=np.int64)
    for layer in layers.values():
        layer.finish()
    return layers


def _column_layers(page: Page, layers: dict[str, LayerData]) -> dict[str, LayerData]:
    """build_layers of a one-page document parsed as columns: the arrays are taken as they are
    and the elements are made only when one is asked for (hover, selection)."""
    cols = page_columns(page)
    assert cols is not None
    b_of_line, l_in_block = cols.line_owners()
    for name in ("block", "line", "word"):
        level = cols.level(name)
        layer = layers[name]
        layer.elements = LazyElements(cols, name)  # type: ignore[assignment]
        if name == "block":
            layer.keys = [(0, b, -1, -1) for b in range(len(level))]
        elif name == "line":
            layer.keys = [
                (0, b, li, -1) for b, li in zip(b_of_line.tolist(), l_in_block.tolist(), strict=True)
            ]
        else:
            kids = cols.line.children
            assert kids is not None
            full = np.flatnonzero(np.diff(kids) > 0)
            layer.line_keys = [(0, int(b_of_line[i]), int(l_in_block[i])) for i in full.tolist()]
            layer.line_starts = kids[full].astype(np.int64)
        layer.finish_arrays(level.pts, level.starts, level.conf)
    tables = layers["table"]
    for table in page.tables:
        tables.elements.append(table)
        tables.keys.append(None)
        tables.elements.extend(table.cells)
        tables.keys.extend([None] * len(table.cells))
    tables.finish()
    return layers


def point_in_polygon(x: float, y: float, poly: Polygon) -> bool:
    """Even-odd ray casting."""
    inside = False
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        if (yi > y) != (yj > y):
            xc = (xj - xi) * (y - yi) / (yj - yi) + xi
            if x <= xc:
                inside = not inside
        j = i
    return inside


def conf_buckets(conf: np.ndarray, scale: ConfidenceScale = FULL_SCALE) -> np.ndarray:
    """Colour bucket per element: its place on the scale's colour bar (core.palette), rounded to
    0..BUCKETS; NO_CONF for none. The default scale is 0..1: round(conf * BUCKETS)."""
    out = np.full(len(conf), NO_CONF, dtype=np.int64)
    ok = ~np.isnan(conf)
    span = max(scale.high - scale.low, 1e-9)
    out[ok] = np.rint(np.clip((conf[ok] - scale.low) / span, 0.0, 1.0) * BUCKETS).astype(np.int64)
    return out


def element_counts(doc: Document) -> dict[str, int]:
    """Same as ``Document.counts()``, counted per line instead of per word (~10x faster for 10k words)."""
    counted = [page_counts(p) for p in doc.pages]
    if counted and all(c is not None for c in counted):  # pages parsed as columns: their lengths
        return {
            "page": len(doc.pages),
            "block": sum(c[0] for c in counted if c),
            "line": sum(c[1] for c in counted if c),
            "word": sum(c[2] for c in counted if c),
            "table": sum(len(p.tables) for p in doc.pages),
        }
    lines = [line for page in doc.pages for block in page.blocks for line in block.lines]
    return {
        "page": len(doc.pages),
        "block": sum(len(p.blocks) for p in doc.pages),
        "line": len(lines),
        "word": sum(len(line.words) for line in lines),
        "table": sum(len(p.tables) for p in doc.pages),
    }


@dataclass(frozen=True)
class LabelBox:
    """Where a label goes: a ``width`` x ``height`` box at ``origin``, turned by ``angle`` degrees."""

    origin: tuple[float, float]
    angle: float
    width: float
    height: float


def label_box(poly: Polygon) -> LabelBox:
    """The box a label fills: the polygon's bounding box along the word's reading direction.

    Placed text reads left to right in the displayed frame, so the reading direction is the more
    nearly horizontal pair of opposite edges, taken left to right. Which vertex comes first, and which
    way round they run (Yandex TL-BL-BR-TR, Azure TL-TR-BR-BL, either frame), does not matter: the
    result depends only on the polygon's corners. Polygons that are not quadrilaterals get their
    axis-aligned box.
    """
    angle = 0.0
    if len(poly) == 4:
        best = None
        for i in (0, 1):
            # the pair of opposite edges i and i + 2, each taken left to right, summed
            dx = dy = 0.0
            for (ax, ay), (bx, by) in ((poly[i], poly[i + 1]), (poly[i + 2], poly[(i + 3) % 4])):
                sign = -1.0 if (bx - ax, ay - by) < (0.0, 0.0) else 1.0
                dx, dy = dx + sign * (bx - ax), dy + sign * (by - ay)
            if dx == 0 and dy == 0:
                continue
            a = math.degrees(math.atan2(dy, dx))
            key = (abs(a), a)  # the more horizontal pair; on an exact tie, the rising one
            if best is None or key < best[0]:
                best = (key, a)
        if best is not None:
            angle = best[1]
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    along = [x * c + y * s for x, y in poly]
    down = [y * c - x * s for x, y in poly]
    u0, v0 = min(along), min(down)
    return LabelBox((u0 * c - v0 * s, u0 * s + v0 * c), angle, max(along) - u0, max(down) - v0)
