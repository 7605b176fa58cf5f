"""Overlay layers: one QGraphicsItem per level that draws thousands of polygons in a few calls.

The data (numpy arrays of points, boxes, confidences, the hit index and counts) is Qt-free in
:mod:`ocrviewer.core.layers`; this module only paints it. QPainterPaths are built from numpy in one go by streaming Qt's own QPainterPath wire format
through QDataStream (the pyqtgraph ``arrayToQPath`` technique), so no Python call per polygon.

Painting has two levels of detail: when more than ``DENSE_LIMIT`` polygons are in view the
layer fills them (translucent: outlines of tiny boxes cost ten times more and show nothing) as one
picture made at the view's own pixels: the polygons are rasterized with numpy
(:mod:`ocrviewer.core.raster`) into one byte per pixel naming a colour, shown through an indexed
image's colour table. The picture is kept while the zoom and the layer stay; a threshold or colour
change rewrites only the words whose colour changed. Otherwise the layer draws the visible polygons
outlined with a 1 px cosmetic pen, and labels where they are legible.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ocrviewer.core.drawing import BUCKETS, DENSE_LIMIT, FILL_ALPHA, NO_CONF, NO_CONF_ALPHA
from ocrviewer.core.layers import (
    LAYERS,
    LayerData,
    _keys,
    box_like,
    build_layers,
    conf_buckets,
    label_box,
    point_in_polygon,
)
from ocrviewer.core.limits import drawable_text
from ocrviewer.core.model import Document, Polygon
from ocrviewer.core.palette import (
    FULL_SCALE,
    LEVEL_COLORS,
    SEARCH_COLOR,
    SELECTION_COLOR,
    STATUS_COLORS,
    ConfidenceScale,
    confidence_rgb,
    fit_scale,
)
from ocrviewer.core.raster import (
    Grid,
    Placement,
    Raster,
    device_spans,
    hatch,
    rasterize,
    repeat_rows,
    update_classes,
)

__all__ = [
    "BUCKETS",
    "DENSE_LIMIT",
    "LAYERS",
    "NO_CONF",
    "LayerData",
    "MarkerItem",
    "OverlayLayer",
    "OverlayRoot",
    "OverlayStyle",
    "box_like",
    "build_layers",
    "conf_buckets",
    "path_from_points",
    "point_in_polygon",
    "prepare_layers",
]

LABEL_MIN_PX = 9.0  # a label is drawn only when its box is at least this many screen pixels high
MAX_LABELS = 3000
#: a dense layer is rasterized whole (kept while panning) up to this many times the view's pixels
WHOLE_LAYER_AREA = 4
#: largest side of a dense picture drawn through a rotated or mirrored view
ITEM_RASTER_MAX_SIDE = 4096

_ELEMENT = np.dtype([("type", "<i4"), ("x", "<f8"), ("y", "<f8")])


def path_from_points(pts: np.ndarray, starts: np.ndarray, index: np.ndarray | None = None) -> QPainterPath:
    """One QPainterPath holding the closed polygons ``index`` (all when None) of a CSR point array."""
    first = starts[:-1] if index is None else starts[index]
    count = (starts[1:] - starts[:-1]) if index is None else (starts[index + 1] - starts[index])
    path = QPainterPath()
    if len(first) == 0:
        return path
    lens = count + 1  # each polygon repeats its first point to close it
    total = int(lens.sum())
    offs = np.cumsum(lens) - lens
    within = np.arange(total) - np.repeat(offs, lens)
    base = np.repeat(first, lens)
    closing = within == np.repeat(count, lens)
    src = np.where(closing, base, base + within)
    elements = np.empty(total, dtype=_ELEMENT)
    elements["type"] = (within != 0).astype("<i4")  # 0 = MoveTo, 1 = LineTo
    elements["x"] = pts[src, 0]
    elements["y"] = pts[src, 1]
    blob = np.array([total], "<i4").tobytes() + elements.tobytes() + np.array([0, 1], "<i4").tobytes()
    stream = QDataStream(QByteArray(blob))
    stream.setByteOrder(QDataStream.ByteOrder.LittleEndian)
    stream >> path  # cStart 0, winding fill
    return path


def prepare_layers(doc: Document | None) -> dict[str, LayerData]:
    """:func:`build_layers` plus which polygons of the dense layers are box-like: everything the
    canvas needs for a new document that needs no GUI thread, for a worker to make before the
    result lands."""
    layers = build_layers(doc)
    for layer in layers.values():
        if len(layer) > DENSE_LIMIT:  # the layers that paint filled pictures
            layer.prepare_boxes()
    return layers


@functools.cache
def hatch_tile() -> np.ndarray:
    """The pixels a hatched brush (Qt.BDiagPattern) covers in its repeating 8 x 8 tile."""
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.fillRect(QRect(0, 0, 8, 8), QBrush(QColor(0, 0, 0), Qt.BrushStyle.BDiagPattern))
    painter.end()
    return np.array([[image.pixelColor(x, y).alpha() > 0 for x in range(8)] for y in range(8)])


@dataclass(frozen=True)
class FramePlan:
    """Where a dense layer's picture goes in a frame: device pixel = layer unit x scale + offset
    (``place``), plus ``shift`` whole device pixels for an ``aligned`` view (unrotated), the
    ``grid`` of pixels the frame can show and the ``whole`` layer's (without clipping parents);
    ``subset``: zoomed in, the grid holds only what is in view."""

    place: Placement
    grid: Grid
    whole: Grid
    shift: tuple[int, int]
    aligned: bool
    subset: bool


def make_raster(
    data: LayerData,
    place: Placement,
    grid: Grid,
    index: np.ndarray | None,
    boxy: np.ndarray,
    classes: np.ndarray,
    hatched: list[int],
) -> Raster:
    """The grid of classes of polygons ``index`` (all: None), the hatched classes hatched."""
    raster = rasterize(device_spans(data, place, grid, index, boxy), classes, grid)
    hatch(raster, hatched, hatch_tile())
    return raster


def indexed_picture(raster: Raster, table: list[int]) -> QImage:
    """The grid in colours: each class through the colour ``table`` (QRgb), premultiplied.

    A grid filled a band of identical rows at a time (see :func:`ocrviewer.core.raster.fill`) is
    coloured one row per band and the rows copied: the colour lookup was a fifth of a frame."""
    g = raster.grid
    bands = raster.bands
    labels = raster.labels if bands is None else bands[0]
    image = QImage(labels.data, g.width, len(labels), g.width, QImage.Format.Format_Indexed8)
    image.setColorTable(table)
    coloured = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    if bands is None:
        return coloured
    rows = np.frombuffer(coloured.constBits(), np.uint32).reshape(len(labels), g.width)
    # Qt's buffer, filled without holding the GIL (see repeat_rows): numpy would mark a buffer this
    # size for huge pages, whose first touch can take tens of ms in a virtual machine
    picture = QImage(g.width, g.height, QImage.Format.Format_ARGB32_Premultiplied)
    if picture.isNull():
        raise MemoryError(f"no memory for a {g.width} x {g.height} overlay picture")
    pixels = np.frombuffer(picture.bits(), np.uint32, g.width * g.height).reshape(g.height, g.width)
    repeat_rows(rows, bands[1], pixels)
    return picture


def add_polygon(path: QPainterPath, poly: Polygon) -> None:
    """Append one closed polygon (for the few marker shapes)."""
    path.moveTo(poly[0][0], poly[0][1])
    for x, y in poly[1:]:
        path.lineTo(x, y)
    path.closeSubpath()


def to_qpolygon(poly: Polygon) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in poly])


def cosmetic_pen(color: QColor, width: float = 1.0) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


#: the compare statuses in ocrviewer.core.compare.STATUSES order (not imported: it loads rapidfuzz)
STATUS_NAMES = ("equal", "substituted", "missed", "extra", "split", "merged")
#: first bucket key of the compare statuses (confidence buckets are 0..BUCKETS and NO_CONF)
STATUS_BUCKET = 1000


@dataclass
class OverlayStyle:
    """What the layers share: confidence colouring, threshold, labels, pen scale for export."""

    colour_by_confidence: bool = True
    min_confidence: float = 0.0
    below: str = "dim"  # "dim", "hide" or "only" (show only the words under the threshold)
    labels: bool = False
    pen_scale: float = 1.0
    fill_alpha: int = FILL_ALPHA
    dense_alpha: int = 110
    #: outline every polygon however many are in view (exports)
    force_outlines: bool = False
    #: which confidences the colours span (fitted to the document's words by the canvas)
    scale: ConfidenceScale = FULL_SCALE


def bucket_classes(buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each polygon's class in a dense picture before any threshold (see :func:`dense_classes`),
    and where its bucket is NO_CONF (those are hatched). Depends on the buckets only: the layer
    keeps it while a threshold is dragged."""
    slot = np.where(buckets >= STATUS_BUCKET, buckets - STATUS_BUCKET + BUCKETS + 2, buckets - NO_CONF)
    classes = (1 + 2 * slot).astype(np.uint8)
    return classes, classes == 1


def dense_classes(
    buckets: np.ndarray,
    conf: np.ndarray,
    threshold: float,
    below: str,
    only: bool,
    base: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, bool]:
    """What each polygon looks like in a dense picture, as a class number (0: not drawn), and
    whether any word without a confidence is drawn (those are hatched). ``base``: the buckets'
    :func:`bucket_classes`, when kept."""
    classes, unrated = bucket_classes(buckets) if base is None else base
    if threshold <= 0:
        return classes.copy(), bool(unrated.any())
    under = conf < threshold  # NaN (no confidence) compares False: never dimmed
    if only:
        shown = under
    elif below == "hide":
        shown = ~under
    else:  # the dimmed colour of the same slot
        return np.add(classes, under, dtype=np.uint8), bool(unrated.any())
    return np.multiply(classes, shown, dtype=np.uint8), bool((unrated & shown).any())


def bucket_colour(level: str, key: int, by_confidence: bool) -> QColor:
    """The colour of bucket ``key`` on a layer of ``level`` (``by_confidence``: words coloured by
    their confidence, when the style says so and the service gave any)."""
    if key >= STATUS_BUCKET:
        return QColor(STATUS_COLORS[STATUS_NAMES[key - STATUS_BUCKET]])
    if level == "word" and by_confidence:
        return QColor(*confidence_rgb(None if key == NO_CONF else key / BUCKETS))
    return QColor(LEVEL_COLORS[level])


def colour_table(level: str, by_confidence: bool, alpha: int, only: bool) -> list[int]:
    """The dense picture's colour of every class (QRgb, unpremultiplied; see :func:`dense_classes`)."""
    table = [0] * 256
    dim = alpha if only else 35
    for key in [*range(NO_CONF, BUCKETS + 1), *(STATUS_BUCKET + i for i in range(len(STATUS_NAMES)))]:
        slot = key - STATUS_BUCKET + BUCKETS + 2 if key >= STATUS_BUCKET else key - NO_CONF
        color = bucket_colour(level, key, by_confidence)
        color.setAlpha(alpha)
        table[1 + 2 * slot] = color.rgba()
        color.setAlpha(dim)
        table[2 + 2 * slot] = color.rgba()
    return table


def layer_rect(data: LayerData) -> QRectF:
    """The rectangle a layer's polygons cover, with a 2-pixel margin (its bounding rect)."""
    if not len(data):
        return QRectF()
    b = data.bboxes
    x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
    return QRectF(x0, y0, float(b[:, 2].max()) - x0, float(b[:, 3].max()) - y0).adjusted(-2, -2, 2, 2)


def frame_plan(
    world: QTransform,
    dpr: float,
    size: tuple[int, int] | None,
    rect: QRectF,
    shown: QRectF | None,
    clip: QRectF | None = None,
) -> FramePlan | None:
    """Where the picture of a layer covering ``rect`` goes on an unrotated view (``world``: the
    layer's transform to the view, ``size``: the view's): its placement relative to a whole device
    pixel (so panning by whole pixels keeps it), its grid (within ``clip``, what clipping parents
    show), the device pixel of grid pixel (0, 0), and whether the grid holds only what shows
    (zoomed in) rather than the whole layer. None when nothing shows, or zoomed in without ``shown``."""
    dx, dy = world.dx() * dpr, world.dy() * dpr
    ix, iy = math.floor(dx), math.floor(dy)
    place = Placement(world.m11() * dpr, world.m22() * dpr, dx - ix, dy - iy)
    r = rect
    left, top = math.floor(r.left() * place.sx + place.dx), math.floor(r.top() * place.sy + place.dy)
    right, bottom = (
        math.ceil(r.right() * place.sx + place.dx),
        math.ceil(r.bottom() * place.sy + place.dy),
    )
    dev_w = int(size[0] * dpr) if size is not None else right - left
    dev_h = int(size[1] * dpr) if size is not None else bottom - top
    subset = (right - left) * (bottom - top) > WHOLE_LAYER_AREA * max(1, dev_w * dev_h)
    if subset:  # closer in: only what shows (the exposed part, within the device)
        if shown is None:
            return None
        v = world.mapRect(shown)
        left = max(left, math.floor(v.left() * dpr) - ix)
        top = max(top, math.floor(v.top() * dpr) - iy)
        right = min(right, math.ceil(v.right() * dpr) - ix)
        bottom = min(bottom, math.ceil(v.bottom() * dpr) - iy)
    if right <= left or bottom <= top:
        return None
    whole = Grid(left, top, (right - left + 3) // 4 * 4, bottom - top)  # 32-bit aligned scan lines
    grid = whole
    if clip is not None:  # only the part a clipping parent lets show (a side of the compare wipe)
        v = world.mapRect(clip)
        cl, ct = max(left, math.floor(v.left() * dpr) - ix), max(top, math.floor(v.top() * dpr) - iy)
        cr, cb = (
            min(right, math.ceil(v.right() * dpr) - ix),
            min(bottom, math.ceil(v.bottom() * dpr) - iy),
        )
        if cr <= cl or cb <= ct:
            return None
        if (cl, ct, cr, cb) != (left, top, right, bottom):
            width = (cr - cl + 3) // 4 * 4
            cl = min(cl, whole.left + whole.width - width)  # the padding within the whole grid too
            corner = None if (cl, ct) == (left, top) else (left, top)
            grid = Grid(cl, ct, width, cb - ct, corner)
    return FramePlan(place, grid, whole, (ix, iy), True, subset)


@dataclass(frozen=True)
class PicturePlan:
    """The view as it is when a job starts (taken on the GUI thread by ``Canvas.picture_plan``):
    what a worker needs to make the dense picture of the job's result for that view, so the
    frame that shows the result only draws it. Unused when the view changed meanwhile."""

    #: the word layer's transform to the view: m11, m12, m21, m22, dx, dy
    world: tuple[float, float, float, float, float, float]
    dpr: float
    #: the view's size (logical pixels)
    device: tuple[int, int]
    style: OverlayStyle
    #: the colour scale is stretched over the words' confidences (the canvas' fit_colours)
    fit_colours: bool


@dataclass(frozen=True)
class MadePicture:
    """A dense picture made in a worker (:func:`prepare_picture`) and what it was made for."""

    place: Placement
    grid: Grid
    classes: np.ndarray
    hatched: tuple[int, ...]
    raster: Raster
    #: the colours it was drawn with, and the picture
    table: list[int]
    image: QImage


def prepare_picture(data: LayerData, plan: PicturePlan | None) -> None:
    """Make the word layer's dense picture for the view in ``plan`` (in a worker, before the result
    lands); the layer takes it on its first frame if the view and look are still the same."""
    if plan is None or len(data) <= DENSE_LIMIT or plan.style.force_outlines:
        return
    world = QTransform(*plan.world)
    if world.m12() != 0 or world.m21() != 0 or world.m11() <= 0 or world.m22() <= 0 or world.isRotating():
        return
    rect = layer_rect(data)
    frame = frame_plan(world, plan.dpr, plan.device, rect, rect)
    if frame is None or frame.subset:
        return
    place, grid = frame.place, frame.grid
    scale = fit_scale(data.conf) if plan.fit_colours else FULL_SCALE  # as Canvas._fitted_scale
    style = plan.style
    only = style.below == "only" and style.min_confidence > 0
    classes, unrated = dense_classes(
        conf_buckets(data.conf, scale), data.conf, style.min_confidence, style.below, only
    )
    rated = bool(len(data.conf)) and not bool(np.isnan(data.conf).all())
    hatched = (1, 2) if style.colour_by_confidence and rated and unrated else ()
    if data.boxy is None:
        data.prepare_boxes()
    raster = rasterize(device_spans(data, place, grid, None, data.boxy), classes, grid)
    hatch(raster, list(hatched), hatch_tile())
    table = colour_table("word", style.colour_by_confidence and rated, style.dense_alpha, only)
    data.picture = MadePicture(
        place, grid, raster.classes, hatched, raster, table, indexed_picture(raster, table)
    )


class OverlayLayer(QGraphicsItem):
    """All polygons of one level, drawn in few calls, with a numpy hit-test index."""

    def __init__(self, level: str, style: OverlayStyle, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.level = level
        self.style = style
        self.data = LayerData(level)
        self._rect = QRectF()
        self._bucket_array = np.zeros(0, dtype=np.int64)
        self._bucket_version = 0
        #: the dense picture: (where it was made, the class grid, whether it has every polygon) and
        #: (its colours, the image)
        self._raster: tuple[tuple, Raster, bool] | None = None
        self._picture: tuple[tuple, QImage] | None = None
        #: each polygon's class and the classes' colours, for the look they were made for
        self._classes: tuple[tuple, np.ndarray, bool] | None = None
        #: the classes before a threshold, for a version of the buckets (see bucket_classes)
        self._base: tuple[int, tuple[np.ndarray, np.ndarray]] | None = None
        self._table: tuple[tuple, list[int]] | None = None
        #: False when the service gave no confidence at all: words then take the level colour
        self.has_confidence = False
        #: compare mode: a status per word (index into STATUS_NAMES, -1 none) colours words instead
        self.statuses: np.ndarray | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue({"table": 1, "block": 2, "line": 3, "word": 4}.get(level, 1))

    # -- data ----------------------------------------------------------------------------------
    def set_data(self, data: LayerData) -> None:
        self.prepareGeometryChange()
        self.data = data
        self._drop_pictures()
        self._buckets = (
            conf_buckets(data.conf, self.style.scale)
            if self.level == "word"
            else np.zeros(len(data), np.int64)
        )
        self.has_confidence = bool(len(data.conf)) and not bool(np.isnan(data.conf).all())
        self.statuses = None
        self._rect = layer_rect(data)
        # what a whole view of it needs; the canvas chooses again before each frame
        self.choose_cache(self._rect)
        self.update()

    def restyle(self) -> None:
        """The colour scale changed: re-bucket the words and drop cached pictures."""
        if self.level == "word" and self.statuses is None:
            self._buckets = conf_buckets(self.data.conf, self.style.scale)
        self._picture = None  # the colours; the grid's classes are patched on the next paint
        self._table = None
        self.update()

    @property
    def _buckets(self) -> np.ndarray:
        """Colour bucket of every polygon (confidence, NO_CONF, or STATUS_BUCKET + a compare status)."""
        return self._bucket_array

    @_buckets.setter
    def _buckets(self, value: np.ndarray) -> None:
        self._bucket_array = value
        self._bucket_version += 1

    def _drop_pictures(self) -> None:
        self._raster = None
        self._picture = None
        self._classes = None

    @property
    def _only_suspects(self) -> bool:
        """Only the words under the threshold are drawn (the checking filter)."""
        return self.level == "word" and self.style.below == "only" and self.style.min_confidence > 0

    @property
    def _hide_mode(self) -> bool | str:
        """What the layer data hides: words under the threshold (True), all but them ("only")."""
        return "only" if self.style.below == "only" else self.style.below == "hide"

    def _hidden_mask(self, index: np.ndarray) -> np.ndarray:
        """True where a word is under the threshold and the style hides such words."""
        return self.data.hidden_mask(index, self.style.min_confidence, self._hide_mode)

    def visible_count(self) -> int:
        """How many polygons are drawn (for the status bar and tests)."""
        if not self.isVisible():
            return 0
        return self.data.shown_count(self.style.min_confidence, self._hide_mode)

    def hit(self, x: float, y: float, tolerance: float = 0.0) -> int | None:
        """Index of the smallest visible polygon under (x, y), or None."""
        return self.data.hit(x, y, tolerance, self.style.min_confidence, self._hide_mode)

    def set_statuses(self, statuses: np.ndarray | None) -> None:
        """Compare mode: colour each word by its status (equal, substituted, missed, extra) instead of
        its confidence, through the same buckets the paint path already uses; None ends it."""
        if self.level != "word":
            return
        if statuses is not None and len(statuses) != len(self.data):
            statuses = None  # made for another document: ignore rather than colour the wrong words
        if statuses is None and self.statuses is None:
            return  # nothing to undo: keep the caches
        self.statuses = statuses
        if statuses is None:
            self._buckets = conf_buckets(self.data.conf, self.style.scale)
        else:
            self._buckets = np.where(statuses >= 0, STATUS_BUCKET + statuses.astype(np.int64), NO_CONF)
        self._picture = None
        self.update()

    # -- colours -------------------------------------------------------------------------------
    def bucket_color(self, key: int) -> QColor:
        return bucket_colour(self.level, key, self.style.colour_by_confidence and self.has_confidence)

    @property
    def hatch_none(self) -> bool:
        """Words without a confidence among words with one are hatched, so they never read as a
        colour of the scale."""
        return self.level == "word" and self.style.colour_by_confidence and self.has_confidence

    def _brush(self, key: int, color: QColor) -> QBrush | QColor:
        if key == NO_CONF and self.hatch_none:
            return QBrush(color, Qt.BrushStyle.BDiagPattern)
        return color

    def _below_mask(self, index: np.ndarray) -> np.ndarray:
        t = self.style.min_confidence
        if self.level != "word" or t <= 0:
            return np.zeros(len(index), dtype=bool)
        return self.data.conf[index] < t  # NaN (no confidence) compares False: never dimmed

    # -- QGraphicsItem -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not len(self.data):
            return
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        shown = self._painted_rect(painter, option)
        whole = shown.contains(self._rect)
        count = len(self.data) if whole else self.data.count_in_rect(shown)
        if count == 0:
            return
        if count > DENSE_LIMIT and not self.style.force_outlines:
            self._paint_picture(painter, shown)
            return
        visible = self.data.in_rect(shown)
        self._paint_outlines(painter, visible, lod)
        if self.style.labels and self.level in ("word", "line"):
            self._paint_labels(painter, visible, lod)

    @staticmethod
    def _painted_rect(painter: QPainter, option: QStyleOptionGraphicsItem) -> QRectF:
        """The exposed part of the item that the paint device can show (Qt may expose it all)."""
        rect = option.exposedRect
        device = painter.device()
        inverse, ok = painter.worldTransform().inverted()
        if device is not None and ok:
            dpr = device.devicePixelRatioF() or 1.0
            shown = inverse.mapRect(QRectF(0, 0, device.width() / dpr, device.height() / dpr))
            rect = rect.intersected(shown)
        return rect

    # -- dense: one picture at the view's pixels -------------------------------------------------
    def choose_cache(self, shown: QRectF) -> None:
        """Before a frame showing ``shown`` (layer units): a dense picture is its own cache (Qt's
        device cache would copy it once more); outlines are kept in Qt's cache, so a hover or a
        selection does not draw them again."""
        data = self.data
        dense = (
            len(data) > DENSE_LIMIT
            and not self.style.force_outlines
            and (shown.contains(self._rect) or data.count_in_rect(shown) > DENSE_LIMIT)
        )
        mode = QGraphicsItem.CacheMode.NoCache if dense else QGraphicsItem.CacheMode.DeviceCoordinateCache
        if self.cacheMode() != mode:
            self.setCacheMode(mode)

    def word_classes(self) -> tuple[np.ndarray, list[int], list[int]]:
        """What each polygon looks like in a dense picture, as a class number (0: not drawn), the
        colour of every class (QRgb, unpremultiplied) and the classes filled with a hatch."""
        t = self.style.min_confidence if self.level == "word" else 0.0
        only = self._only_suspects
        look = (self._bucket_version, t, self.style.below)
        if self._classes is None or self._classes[0] != look:
            if self._base is None or self._base[0] != self._bucket_version:
                self._base = (self._bucket_version, bucket_classes(self._buckets))
            base = self._base[1]
            classes, unrated = dense_classes(self._buckets, self.data.conf, t, self.style.below, only, base)
            self._classes = (look, classes, unrated)
        colours = (self.style.colour_by_confidence, self.has_confidence, self.style.dense_alpha, only)
        if self._table is None or self._table[0] != colours:
            by_confidence = self.style.colour_by_confidence and self.has_confidence
            self._table = (colours, colour_table(self.level, by_confidence, self.style.dense_alpha, only))
        classes, unrated = self._classes[1], self._classes[2]
        # slot 0 is NO_CONF: hatched where words without a confidence are drawn at all
        return classes, self._table[1], [1, 2] if self.hatch_none and unrated else []

    def _paint_picture(self, painter: QPainter, shown: QRectF) -> None:
        """Dense layer: fill every polygon into a picture at the device's own pixels (see
        :mod:`ocrviewer.core.raster`) and draw it in one call.

        The grid of classes is kept while the zoom stays (panning reuses it when the whole layer
        fits in a few views); a threshold, filter or colour change patches the classes of the words
        whose look changed, and the colours are the indexed image's colour table.
        """
        world = painter.worldTransform()
        device = painter.device()
        dpr = (device.devicePixelRatioF() if device is not None else 1.0) or 1.0
        size = (device.width(), device.height()) if device is not None else None  # type: ignore[attr-defined]
        plan = self._plan(world, dpr, size, shown)
        if plan is None:
            return
        classes, table, hatched = self.word_classes()
        made, self.data.picture = self.data.picture, None  # taken once: another view makes its own
        if (
            made is not None
            and made.place == plan.place
            and made.grid == plan.grid
            and made.hatched == tuple(hatched)
            and np.array_equal(made.classes, classes)
        ):  # made in the worker for this very frame (see prepare_picture)
            self._raster = ((plan.place, plan.grid, id(self.data)), made.raster, not plan.subset)
            self._picture = ((id(made.raster), made.raster.version, tuple(made.table)), made.image)
        raster = self._raster_for(plan, shown, classes, hatched)
        look = (id(raster), raster.version, tuple(table))
        if self._picture is None or self._picture[0] != look:
            self._picture = (look, indexed_picture(raster, table))
        image = self._picture[1]
        grid = raster.grid
        painter.save()
        if plan.aligned:
            image.setDevicePixelRatio(dpr)
            painter.setWorldTransform(QTransform())
            at = QPointF((grid.left + plan.shift[0]) / dpr, (grid.top + plan.shift[1]) / dpr)
            painter.drawImage(at, image)
        else:
            r, place = self._rect, plan.place
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(QRectF(r.left(), r.top(), grid.width / place.sx, grid.height / place.sy), image)
        painter.restore()

    def _raster_for(self, plan: FramePlan, shown: QRectF, classes: np.ndarray, hatched: list[int]) -> Raster:
        """The grid of classes for a frame: the kept one when it holds the frame's pixels at the
        same placement (its classes patched), or one made now."""
        raster = self._reusable(plan)
        if raster is None:
            grid = self._grid_to_make(plan)
            # a grid of the view only (zoomed in): the polygons in view only
            index = self.data.candidates_in(shown) if plan.subset else None
            raster = make_raster(self.data, plan.place, grid, index, self._boxy(), classes, hatched)
            self._raster = ((plan.place, grid, id(self.data)), raster, not plan.subset)
            self._picture = None
        if update_classes(raster, classes):
            hatch(raster, hatched, hatch_tile())
        return raster

    def _reusable(self, plan: FramePlan) -> Raster | None:
        """The kept grid when it holds every pixel ``plan`` shows, made at the same placement: the
        same grid, or (the whole layer's polygons in both) a bigger one worked out from the same
        corner, as when a clipping parent (the compare wipe's side) shrinks."""
        if self._raster is None:
            return None
        (place, grid, data), raster, whole = self._raster
        if place != plan.place or data != id(self.data):
            return None
        if grid == plan.grid:
            return raster
        if whole and not plan.subset and grid.corner == plan.grid.corner and grid.contains(plan.grid):
            return raster
        return None

    def _grid_to_make(self, plan: FramePlan) -> Grid:
        """The part of the layer a clipping parent shows; all of it when the clip moved at the same
        placement (the wipe's handle dragged), so that the next moves draw what is kept."""
        if self._raster is not None and not plan.subset:
            (place, grid, data), _, whole = self._raster
            if whole and place == plan.place and data == id(self.data) and grid.corner == plan.grid.corner:
                return plan.whole
        return plan.grid

    def _plan(
        self, world: QTransform, dpr: float, size: tuple[int, int] | None, shown: QRectF | None
    ) -> FramePlan | None:
        """Where the picture goes for a painter transform ``world`` on a device of ``size`` (None
        when no picture is needed, or the view is zoomed in and ``shown`` is not given)."""
        sx, sy = world.m11() * dpr, world.m22() * dpr
        aligned = world.m12() == 0 and world.m21() == 0 and sx > 0 and sy > 0 and not world.isRotating()
        if not aligned:
            place, grid = self._item_grid(world, dpr)
            return FramePlan(place, grid, grid, (0, 0), False, False)
        return self._device_grid(world, dpr, size, shown)

    def _device_grid(
        self, world: QTransform, dpr: float, size: tuple[int, int] | None, shown: QRectF | None
    ) -> FramePlan | None:
        """:func:`frame_plan` of this layer, within what its clipping parents show."""
        return frame_plan(world, dpr, size, self._rect, shown, self._clip_rect())

    def _clip_rect(self) -> QRectF | None:
        """What the parents that clip their children let show, in layer units (None: all).

        (Not by walking ``parentItem()``: PySide makes the returned item this one's owner, and a
        None returned takes the scene's ownership away.)"""
        return self.clipPath().boundingRect() if self.isClipped() else None

    def _item_grid(self, world: QTransform, dpr: float) -> tuple[Placement, Grid]:
        """A rotated or mirrored view: the picture is made in layer units at the view's scale and
        drawn through the painter."""
        r = self._rect
        s = math.hypot(world.m11(), world.m12()) * dpr
        s = min(s, ITEM_RASTER_MAX_SIDE / max(r.width(), r.height(), 1.0))
        width, height = max(1, math.ceil(r.width() * s)), max(1, math.ceil(r.height() * s))
        place = Placement(s, s, -r.left() * s, -r.top() * s)
        return place, Grid(0, 0, (width + 3) // 4 * 4, height)

    def _boxy(self) -> np.ndarray:
        if self.data.boxy is None:
            self.data.prepare_boxes()
        return self.data.boxy  # type: ignore[return-value]

    def _paint_outlines(self, painter: QPainter, visible: np.ndarray, lod: float) -> None:
        width = self.style.pen_scale
        painter.setRenderHint(
            QPainter.RenderHint.Antialiasing, (lod >= 1.0 and len(visible) <= 1500) or width > 1
        )
        fill = self.style.fill_alpha if self.level in ("word", "table") else 0
        below = self._below_mask(visible)
        hide = self.style.below == "hide"
        only = self._only_suspects
        keys = self._buckets[visible]
        for key in _keys(keys):
            sel = keys == key
            color = self.bucket_color(key)
            for dimmed in (False, True):
                part = visible[sel & (below if dimmed else ~below)]
                if len(part) == 0 or (dimmed and hide) or (only and not dimmed):
                    continue
                path = path_from_points(self.data.pts, self.data.starts, part)
                if dimmed and not only:
                    dim = QColor(color)
                    dim.setAlpha(80)
                    pen = cosmetic_pen(dim, width)
                    pen.setStyle(Qt.PenStyle.DotLine)
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                else:
                    painter.setPen(cosmetic_pen(color, width))
                    if fill:
                        brush = QColor(color)
                        brush.setAlpha(fill if key != NO_CONF or not self.hatch_none else NO_CONF_ALPHA)
                        painter.setBrush(self._brush(key, brush))
                    else:
                        painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)

    def _paint_labels(self, painter: QPainter, visible: np.ndarray, lod: float) -> None:
        b = self.data.bboxes[visible]
        heights = np.minimum(b[:, 3] - b[:, 1], b[:, 2] - b[:, 0]) * lod
        idx = visible[(heights >= LABEL_MIN_PX) & ~self._hidden_mask(visible)]
        if len(idx) == 0 or len(idx) > MAX_LABELS:
            return
        below = set(idx[self._below_mask(idx)].tolist())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = QFont(painter.font())
        normal = (QColor(255, 255, 255, 215), QColor(20, 20, 20))
        dimmed = (QColor(255, 255, 255, 110), QColor(20, 20, 20, 120))
        for i in idx.tolist():
            text = self.data.text(i)
            if text:
                back, ink = dimmed if i in below else normal
                draw_fitted_label(painter, font, text, self.data.polygon(i), back, ink)
        painter.restore()


def draw_fitted_label(
    painter: QPainter, font: QFont, text: str, poly: Polygon, back: QColor, ink: QColor
) -> None:
    """Draw ``text`` inside a polygon, along the word's reading direction and scaled to fit."""
    text = drawable_text(text)  # one line, no control characters, not a million characters
    box = label_box(poly)
    width, height = box.width, box.height
    if width <= 1 or height <= 1:
        return
    font.setPixelSize(max(1, int(height * 0.72)))
    advance = QFontMetricsF(font).horizontalAdvance(text)
    if advance > width * 0.94:
        font.setPixelSize(max(1, int(font.pixelSize() * width * 0.94 / advance)))
    painter.save()
    painter.translate(*box.origin)
    painter.rotate(box.angle)
    rect = QRectF(0, 0, width, height)
    painter.fillRect(rect, back)
    painter.setFont(font)
    painter.setPen(ink)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


class MarkerItem(QGraphicsItem):
    """Selection, search matches and the hovered element, drawn above the layers."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.selection: Polygon | None = None
        self.hover: Polygon | None = None
        self.highlights = QPainterPath()
        self._rect = QRectF()
        self.pen_scale = 1.0
        self.setZValue(10)

    def set_marks(
        self, selection: Polygon | None, highlights: Iterable[Polygon], hover: Polygon | None = None
    ) -> None:
        self.prepareGeometryChange()
        self.selection = selection
        self.hover = hover
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        for poly in highlights:
            add_polygon(path, poly)
        self.highlights = path
        self._recompute()

    def set_hover(self, hover: Polygon | None) -> None:
        if hover == self.hover:
            return
        self.prepareGeometryChange()
        self.hover = hover
        self._recompute()

    def _recompute(self) -> None:
        rect = self.highlights.boundingRect()
        for poly in (self.selection, self.hover):
            if poly:
                rect = rect.united(to_qpolygon(poly).boundingRect())
        self._rect = rect.adjusted(-4, -4, 4, 4)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        s = self.pen_scale
        if not self.highlights.isEmpty():
            color = QColor(SEARCH_COLOR)
            painter.setPen(cosmetic_pen(color, 2.0 * s))
            color.setAlpha(90)
            painter.setBrush(color)
            painter.drawPath(self.highlights)
        if self.hover:
            painter.setPen(cosmetic_pen(QColor(255, 255, 255, 230), 2.0 * s))
            painter.setBrush(QColor(255, 255, 255, 40))
            painter.drawPolygon(to_qpolygon(self.hover))
            painter.setPen(cosmetic_pen(QColor(0, 0, 0, 120), 1.0 * s))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolygon(to_qpolygon(self.hover))
        if self.selection:
            color = QColor(SELECTION_COLOR)
            painter.setPen(cosmetic_pen(color, 2.5 * s))
            color.setAlpha(60)
            painter.setBrush(color)
            painter.drawPolygon(to_qpolygon(self.selection))


class OverlayRoot(QGraphicsItem):
    """Parent of every overlay item, so dragging the overlay moves them all at once."""

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        return None
