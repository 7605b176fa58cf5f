"""Many small polygons filled into a pixel grid with numpy, for the overlay's dense views.

At fit a page of 100k words is 100k boxes a few screen pixels each: handing them to a painter one
by one costs a Python object per box and a path per box inside Qt. Here every polygon becomes its
pixel rows (spans) in a few vectorized passes, and the spans a grid of class numbers (one byte per
pixel, 0 = nothing) that ``gui.overlay`` turns into colours through an indexed image's colour table.

The fill rule is the one of Qt's aliased painter: a pixel belongs to a polygon when its centre
lies inside it, a centre on a left or top edge counting as outside and on a right or bottom edge as
inside (rows are cut along the polygon's edges, so slanted quadrilaterals keep their shape). A polygon that
is not convex is filled with the span between its leftmost and rightmost edge on each row. Where
polygons overlap, the later one wins (a painter would blend both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocrviewer.core.layers import LayerData

#: a changed class for more than this share of the polygons: fill the grid again instead of patching
REFILL_SHARE = 0.25
#: spans this long on average (pixels) are filled as runs, shorter ones pixel by pixel
LONG_SPANS = 8


@dataclass(frozen=True)
class Grid:
    """The pixels filled: ``width`` x ``height`` from device pixel (``left``, ``top``).

    Pixel positions are worked out from ``origin`` (by default the grid's own corner) and then
    moved by whole pixels, so a grid that is part of a bigger one (the same ``origin``) gets
    exactly the bigger grid's pixels there.
    """

    left: int
    top: int
    width: int
    height: int
    origin: tuple[int, int] | None = None

    @property
    def corner(self) -> tuple[int, int]:
        """Where positions are worked out from."""
        return (self.left, self.top) if self.origin is None else self.origin

    def contains(self, other: Grid) -> bool:
        """Every pixel of ``other`` is one of this grid's."""
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.left + other.width <= self.left + self.width
            and other.top + other.height <= self.top + self.height
        )


@dataclass(frozen=True)
class Placement:
    """Device pixel = layer coordinate * scale + offset (no rotation)."""

    sx: float
    sy: float
    dx: float
    dy: float


class Spans:
    """Pixel rows of polygons in a grid: row ``row[k]`` from ``x0[k]`` up to ``x1[k]`` (exclusive)
    belongs to polygon ``owner[k]`` (ascending) of ``count`` polygons.

    Spans of boxes (:meth:`of_boxes`) keep the boxes and make their rows only when asked for: a
    fill of boxes fills each band of identical rows once (see :func:`fill`).
    """

    def __init__(
        self, row: np.ndarray, x0: np.ndarray, x1: np.ndarray, owner: np.ndarray, count: int
    ) -> None:
        self._rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = (
            row,
            x0,
            x1,
            np.asarray(owner, dtype=np.intp),
        )
        self.count = count
        #: the boxes the spans are the rows of: owners (ascending), first row, rows, left, right
        self.boxes: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._first: np.ndarray | None = None

    @classmethod
    def of_boxes(
        cls,
        owners: np.ndarray,
        y0: np.ndarray,
        heights: np.ndarray,
        x0: np.ndarray,
        x1: np.ndarray,
        count: int,
    ) -> Spans:
        """The spans of boxes: rows ``y0`` up to ``y0 + heights`` from ``x0`` up to ``x1``."""
        spans = cls.__new__(cls)
        spans._rows = None
        spans.count = count
        spans.boxes = (owners, y0, heights, x0, x1)
        spans._first = None
        return spans

    def _expanded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self._rows is None:
            assert self.boxes is not None
            row, x0, x1, owner = _box_spans(*self.boxes)
            self._rows = (row, x0, x1, np.asarray(owner, dtype=np.intp))
        return self._rows

    @property
    def row(self) -> np.ndarray:
        return self._expanded()[0]

    @property
    def x0(self) -> np.ndarray:
        return self._expanded()[1]

    @property
    def x1(self) -> np.ndarray:
        return self._expanded()[2]

    @property
    def owner(self) -> np.ndarray:
        return self._expanded()[3]

    @property
    def first(self) -> np.ndarray:
        """Index of the first span of each polygon, and the number of spans at the end (CSR)."""
        if self._first is None:
            self._first = np.zeros(self.count + 1, dtype=np.intp)
            np.cumsum(np.bincount(self.owner, minlength=self.count), out=self._first[1:])
        return self._first


@dataclass
class Raster:
    """A filled grid and what it was filled from, so a change of classes patches only what changed.

    A grid filled a band at a time keeps its bands and makes its rows (``labels``) when first
    asked for: a frame at a new zoom is drawn from the bands alone (see ``gui.overlay``), only a
    patch or a hatch needs every row."""

    grid: Grid
    spans: Spans
    classes: np.ndarray
    #: the grid (None: not made from ``bands`` yet; see ``labels``)
    rows: np.ndarray | None
    #: bumped on every change of ``labels``
    version: int = 0
    #: whether polygons share pixels (None: not known yet)
    overlaps: bool | None = None
    #: filled a band of identical rows at a time (see :func:`fill`): one row per band, and how
    #: many rows each band has; None once ``labels`` changed since
    bands: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def labels(self) -> np.ndarray:
        """The ``grid.height`` x ``grid.width`` grid of classes (uint8)."""
        if self.rows is None:
            assert self.bands is not None
            self.rows = repeat_rows(*self.bands)
        return self.rows


def repeat_rows(rows: np.ndarray, counts: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``np.repeat(rows, counts, axis=0)``, into ``out`` when given, without holding the GIL.

    ``np.repeat`` copies with the GIL held, and the copy is where a fresh buffer's pages are first
    touched: a frame-sized picture (5 MB at 1600x1000) made in a worker blocked the GUI thread for
    all of it, and a page fault is not always cheap (a virtual machine whose host took back the
    guest's free memory took 25-50 ms to fault in numpy's 2 MB huge pages). ``np.take`` into a
    buffer copies with the GIL released (``mode="clip"``: no check of the indices, which are
    valid, and no temporary copy of ``out``)."""
    which = np.repeat(np.arange(len(counts), dtype=np.intp), counts)  # one index per row: small
    if out is None:
        out = np.empty((len(which), *rows.shape[1:]), dtype=rows.dtype)
    np.take(rows, which, axis=0, out=out, mode="clip")
    return out


def device_spans(
    data: LayerData,
    place: Placement,
    grid: Grid,
    index: np.ndarray | None = None,
    boxy: np.ndarray | None = None,
) -> Spans:
    """The spans of polygons ``index`` (all when None) of ``data`` placed on ``grid``.

    ``boxy`` (see :func:`ocrviewer.core.layers.box_like`) marks the polygons filled as their
    bounding box; the others are cut row by row along their edges.
    """
    n = len(data)
    cols = data.box_columns() if index is None else data.box_columns()[:, index]
    # device bounds of the boxes, pixel-centre rule: pixels floor(a + 0.5) up to floor(b + 0.5)
    d = np.empty_like(cols)
    ox, oy = grid.corner
    for rows, scale, offset, shift, limit in (
        (slice(0, 4, 2), place.sx, place.dx - ox + 0.5, grid.left - ox, grid.width),
        (slice(1, 4, 2), place.sy, place.dy - oy + 0.5, grid.top - oy, grid.height),
    ):
        part = d[rows]
        np.multiply(cols[rows], scale, out=part)
        part += offset
        if shift:
            np.floor(part, out=part)
            part -= shift  # whole numbers: exact
        np.clip(part, 0, limit, out=part)
    bx0, y0, bx1, y1 = d.astype(np.int32)  # not negative: truncated is floored
    heights = y1 - y0
    heights[bx1 <= bx0] = 0  # left or right of the grid, or narrower than a pixel centre
    idx = np.arange(n, dtype=np.intp) if index is None else np.asarray(index, dtype=np.intp)
    box = None if boxy is None else (boxy if index is None else boxy[index])
    if box is None or box.all():
        return Spans.of_boxes(idx, y0, heights, bx0, bx1, n)
    other = ~box
    return _join(
        [
            _box_spans(idx[box], y0[box], heights[box], bx0[box], bx1[box]),
            _edge_spans(data, place, grid, idx[other], y0[other], heights[other]),
        ],
        n,
    )


def _box_spans(
    owners: np.ndarray, y0: np.ndarray, heights: np.ndarray, x0: np.ndarray, x1: np.ndarray
) -> tuple[np.ndarray, ...]:
    if len(heights) and int(heights.max()) <= 1:  # the common case at fit: one row each
        keep = np.flatnonzero(heights)
        return y0[keep], x0[keep], x1[keep], owners[keep]
    which = np.repeat(np.arange(len(heights), dtype=np.intp), heights)
    rows = np.arange(len(which), dtype=np.int32)
    rows += (y0 - (np.cumsum(heights, dtype=np.int32) - heights))[which]
    every = len(owners) and owners[0] == 0 and owners[-1] == len(owners) - 1  # all, in order
    return rows, x0[which], x1[which], which if every else owners[which]


def _edge_spans(
    data: LayerData, place: Placement, grid: Grid, owners: np.ndarray, y0: np.ndarray, heights: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Spans of polygons cut along their edges at each row's pixel centre."""
    which = np.repeat(np.arange(len(heights), dtype=np.intp), heights)
    rows = np.arange(len(which), dtype=np.int32)
    rows += (y0 - (np.cumsum(heights, dtype=np.int32) - heights))[which]
    who = owners[which]
    ox, oy = grid.corner
    yc = (rows + (grid.top - oy)) + (oy + 0.5 - place.dy)  # the pixel centres in layer units (times sy)
    yc /= place.sy
    lo = np.full(len(who), np.inf)
    hi = np.full(len(who), -np.inf)
    start = data.starts[who]
    count = data.starts[who + 1] - start
    pts = data.pts
    for j in range(int(count.max()) if len(count) else 0):
        live = j < count
        a = start + np.minimum(j, count - 1)
        nb = start + np.where(j + 1 < count, j + 1, 0)
        ax, ay, bx, by = pts[a, 0], pts[a, 1], pts[nb, 0], pts[nb, 1]
        low, high = np.minimum(ay, by), np.maximum(ay, by)
        cross = live & (low < yc) & (yc <= high)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = ax + (bx - ax) * (yc - ay) / (by - ay)
        x = np.where(cross, x, np.nan)
        np.fmin(lo, x, out=lo)
        np.fmax(hi, x, out=hi)
    offset, shift = place.dx - ox + 0.5, grid.left - ox
    ok = np.isfinite(lo)
    x0 = np.clip(np.floor(np.where(ok, lo, 0) * place.sx + offset) - shift, 0, grid.width).astype(np.int32)
    x1 = np.clip(np.floor(np.where(ok, hi, 0) * place.sx + offset) - shift, 0, grid.width).astype(np.int32)
    keep = np.flatnonzero(ok & (x1 > x0))
    return rows[keep], x0[keep], x1[keep], who[keep]


def _join(parts: list[tuple[np.ndarray, ...]], n: int) -> Spans:
    if len(parts) == 1:
        row, x0, x1, owner = parts[0]
    else:
        row, x0, x1, owner = (np.concatenate(col) for col in zip(*parts, strict=True))
        order = np.argsort(owner, kind="stable")  # by polygon: later polygons are drawn over earlier ones
        row, x0, x1, owner = row[order], x0[order], x1[order], owner[order]
    return Spans(row, x0, x1, np.asarray(owner, dtype=np.intp), n)


def fill(spans: Spans, classes: np.ndarray, grid: Grid, out: np.ndarray | None = None) -> np.ndarray:
    """A ``grid.height`` x ``grid.width`` uint8 grid: ``classes[owner]`` on every span's pixels."""
    labels, bands = _fill(spans, classes, grid, out)
    if labels is None:
        assert bands is not None
        labels = repeat_rows(*bands)
    return labels


def _fill(
    spans: Spans, classes: np.ndarray, grid: Grid, out: np.ndarray | None = None
) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray] | None]:
    """:func:`fill`, and its bands when it was filled a band at a time (see :class:`Raster`); the
    grid is None then unless ``out`` was given (its rows are made from the bands when needed)."""
    if spans.boxes is not None:
        banded = _fill_bands(spans.boxes, classes, grid, out)
        if banded is not None:
            return banded
    return _fill_rows(spans, classes, grid, out), None


def _fill_rows(spans: Spans, classes: np.ndarray, grid: Grid, out: np.ndarray | None) -> np.ndarray:
    lens = spans.x1 - spans.x0
    if out is None and len(lens) and int(lens.sum()) >= LONG_SPANS * len(lens):
        labels = _runs(spans, lens, classes, grid)
        if labels is not None:
            return labels
    labels = np.zeros((grid.height, grid.width), dtype=np.uint8) if out is None else out
    _paint(labels.reshape(-1), grid.width, spans, None, classes, lens)
    return labels


def _fill_bands(
    boxes: tuple[np.ndarray, ...], classes: np.ndarray, grid: Grid, out: np.ndarray | None
) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray]] | None:
    """Boxes filled a band of identical rows at a time: rows between two consecutive box edges
    (a box's first row or the row after its last) hold the same spans, so each band is filled
    once, as one row, and copied to its rows. A page's words share their lines' rows: at fit a
    10k-word page has ~350 bands of 1000 rows and a span per word instead of one per word and
    row. None when that saves little (boxes about a row high, as 100k words at fit)."""
    owners, y0, heights, x0, x1 = boxes
    spans_by_row = int(heights.sum(dtype=np.int32 if len(heights) * grid.height < 1 << 31 else np.int64))
    drawn = int(np.count_nonzero(heights))
    if not drawn or grid.height < 2 or 3 * drawn > 2 * spans_by_row:  # a span a box at least
        return None
    keep = np.flatnonzero(heights)
    y0, heights, x0, x1, owners = y0[keep], heights[keep], x0[keep], x1[keep], owners[keep]
    edge = np.zeros(grid.height + 1, dtype=np.bool_)
    edge[0] = True
    edge[y0] = True
    end = y0 + heights
    edge[end] = True
    band = np.cumsum(edge[:-1], dtype=np.int32)  # each row's band, from 1
    first = band[y0]
    count = band[end - 1]
    count -= first
    count += 1
    many = int(count.max()) > 1
    if many and 3 * int(count.sum()) > 2 * spans_by_row:
        return None
    first -= 1
    if many:  # a box over several bands: a span in each
        which = np.repeat(np.arange(len(count), dtype=np.intp), count)
        rows = np.arange(len(which), dtype=np.int32)
        rows += (first - (np.cumsum(count, dtype=np.int32) - count))[which]
        spans = Spans(rows, x0[which], x1[which], owners[which], len(classes))
    else:
        spans = Spans(first, x0, x1, owners, len(classes))
    compact = fill(spans, classes, Grid(0, 0, grid.width, int(band[-1])))
    rows = np.diff(np.flatnonzero(edge[:-1]), append=grid.height)  # of each band
    if out is not None:
        repeat_rows(compact, rows, out)
    return out, (compact, rows)


def _runs(spans: Spans, lens: np.ndarray, classes: np.ndarray, grid: Grid) -> np.ndarray | None:
    """The whole grid as one ``np.repeat`` of runs (gap, span, gap, span...) in pixel order: for
    long spans, faster than writing every pixel by index. None when spans overlap, or when a row's
    spans are not left to right in polygon order (words read right to left): sorted by row only
    (a radix sort), text read left to right is in pixel order."""
    if grid.height <= 1 << 16:
        order = np.argsort(spans.row.astype(np.uint16), kind="stable")
    else:
        order = np.argsort(spans.row.astype(np.intp) * grid.width + spans.x0, kind="stable")
    start = spans.row[order].astype(np.intp)
    start *= grid.width
    start += spans.x0[order]
    n = len(start)
    runs = np.empty(2 * n + 1, dtype=np.intp)
    runs[1::2] = lens[order]
    runs[0] = start[0]
    gaps = runs[2:-1:2]
    np.subtract(start[1:], start[:-1], out=gaps)
    gaps -= runs[1:-2:2]  # the next start less this span's end
    if n > 1 and int(gaps.min()) < 0:
        return None  # overlapping polygons (the later one must win, which runs cannot say), or out of order
    runs[-1] = grid.width * grid.height - start[-1] - runs[-2]
    values = np.zeros(2 * n + 1, dtype=np.uint8)
    values[1::2] = classes[spans.owner[order]]
    return np.repeat(values, runs).reshape(grid.height, grid.width)


def _paint(
    flat: np.ndarray,
    width: int,
    spans: Spans,
    which: np.ndarray | None,
    classes: np.ndarray,
    lens: np.ndarray | None = None,
) -> None:
    """Write the classes of spans ``which`` (all when None; ``lens``: their lengths, if known)
    into the flat grid."""
    if which is None:
        row, x0, x1, owner = spans.row, spans.x0, spans.x1, spans.owner
    else:
        row, x0, x1, owner = spans.row[which], spans.x0[which], spans.x1[which], spans.owner[which]
    if lens is None:
        lens = x1 - x0
    total = int(lens.sum())
    if not total:
        return
    # pixel k of span s is at base[s] + k: one count over all pixels, shifted per span
    base = row.astype(np.intp)
    base *= width
    base += x0
    before = np.cumsum(lens, dtype=np.intp)
    before -= lens
    base -= before
    pix = np.repeat(base, lens)
    pix += _counting(total)
    flat[pix] = np.repeat(classes[owner], lens)


_COUNT = np.arange(0, dtype=np.intp)


def _counting(n: int) -> np.ndarray:
    """0, 1, ... n - 1 (a view of one array kept and grown: not made again for every fill)."""
    global _COUNT
    count = _COUNT  # (replaced, never changed: safe to read from another thread)
    if len(count) < n:
        count = np.arange(max(n, 2 * len(count)), dtype=np.intp)
        count.flags.writeable = False
        _COUNT = count
    return count[:n]


def rasterize(spans: Spans, classes: np.ndarray, grid: Grid) -> Raster:
    """Fill a new grid from spans, one class per polygon (0: not drawn)."""
    classes = np.asarray(classes, dtype=np.uint8)
    labels, bands = _fill(spans, classes, grid)
    return Raster(grid, spans, classes.copy(), labels, bands=bands)


def hatch(raster: Raster, hatched: list[int], tile: np.ndarray) -> None:
    """Clear the pixels of classes ``hatched`` where the repeating ``tile`` (bool, aligned to device
    pixel 0, 0) is off: a pattern brush, as the painter's hatched brushes are."""
    if not hatched:
        return
    labels = raster.labels
    mine = np.isin(labels, hatched)
    if not mine.any():
        return
    g = raster.grid
    th, tw = tile.shape
    ys = (np.arange(g.top, g.top + g.height) % th)[:, None]
    xs = (np.arange(g.left, g.left + g.width) % tw)[None, :]
    labels[mine & ~tile[ys, xs]] = 0
    raster.bands = None  # rows of a band differ now


def update_classes(raster: Raster, classes: np.ndarray) -> int:
    """Give the raster new classes per polygon; only the spans of polygons whose class changed are
    written again (all of them when many changed). Returns how many polygons changed."""
    classes = np.asarray(classes, dtype=np.uint8)
    changed = np.flatnonzero(classes != raster.classes)
    if not len(changed):
        return 0
    labels = raster.labels  # (its rows made from the bands, which go now)
    raster.classes = classes.copy()
    raster.version += 1
    raster.bands = None
    first = raster.spans.first
    if len(changed) > REFILL_SHARE * len(classes):
        labels.fill(0)
        fill(raster.spans, classes, raster.grid, labels)
        return len(changed)
    counts = first[changed + 1] - first[changed]
    which = np.repeat(first[changed] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    _paint(labels.reshape(-1), raster.grid.width, raster.spans, which, classes)
    if _overlaps(raster):  # later polygons over the changed ones must stay on top: write them again
        later = np.arange(int(changed.min()) + 1, len(classes))
        counts = first[later + 1] - first[later]
        which = np.repeat(first[later] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        _paint(labels.reshape(-1), raster.grid.width, raster.spans, which, classes)
    return len(changed)


def _overlaps(raster: Raster) -> bool:
    """Whether any pixel belongs to more than one polygon (worked out once, on the first patch)."""
    if raster.overlaps is None:
        s = raster.spans
        mask = np.zeros(raster.labels.size, dtype=np.uint8)
        _paint(mask, raster.grid.width, s, None, np.ones(len(raster.classes), np.uint8))
        raster.overlaps = int((s.x1 - s.x0).sum()) != int(np.count_nonzero(mask))
    return raster.overlaps
