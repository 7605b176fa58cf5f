"""Overlay layers: one QGraphicsItem per level that draws thousands of polygons in a few calls.

The data (numpy arrays of points, boxes, confidences, the hit index and counts) is Qt-free in
:mod:`ocrviewer.core.layers`; this module only paints it. QPainterPaths are built from numpy in one go by streaming Qt's own QPainterPath wire format
through QDataStream (the pyqtgraph ``arrayToQPath`` technique), so no Python call per polygon.

Painting has two levels of detail: when more than ``DENSE_LIMIT`` polygons are in view the
layer fills them (translucent, one ``drawPath`` per confidence bucket: outlines of tiny boxes
cost ten times more and show nothing); otherwise it draws the visible polygons outlined with a
1 px cosmetic pen. Labels are drawn only where they are legible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import starmap

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
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
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ocrviewer.core.layers import (
    BUCKETS,
    DENSE_LIMIT,
    LAYERS,
    NO_CONF,
    LayerData,
    _keys,
    box_like,
    build_layers,
    conf_buckets,
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
OVERVIEW_MAX_SIDE = 4096  # largest picture of a dense layer kept for zooming within an octave

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
    """:func:`build_layers` plus the dense layers' boxes as QRectFs: everything the canvas needs
    for a new document that needs no GUI thread, for a worker to make before the result lands."""
    layers = build_layers(doc)
    for layer in layers.values():
        if len(layer) > DENSE_LIMIT:  # the layers that paint filled boxes
            layer.boxy = box_like(layer.pts, layer.starts, layer.bboxes)
            layer.rects = box_rects(layer.bboxes)
            # grouped by the buckets of the colour scale the canvas fits to the words by default
            if layer.level == "word":
                buckets = conf_buckets(layer.conf, fit_scale(layer.conf[~np.isnan(layer.conf)].tolist()))
            else:
                buckets = np.zeros(len(layer), np.int64)
            layer.groups = (buckets, *dense_groups(layer, buckets))
    return layers


DenseGroups = tuple[dict[int, tuple[np.ndarray, list[QRectF]]], dict[int, QPainterPath]]


def dense_groups(data: LayerData, buckets: np.ndarray) -> DenseGroups:
    """What a dense paint fills, per colour bucket: the box-like polygons (indices and their
    QRectFs, for drawRects) and a path of the others. Plain values: a worker can make them."""
    boxy = data.boxy if data.boxy is not None else box_like(data.pts, data.starts, data.bboxes)
    boxes: dict[int, tuple[np.ndarray, list[QRectF]]] = {}
    for key in _keys(buckets[boxy]):
        members = np.flatnonzero(boxy & (buckets == key))
        if data.rects is not None:
            rects = list(map(data.rects.__getitem__, members.tolist()))
        else:
            xywh = data.bboxes[members]
            xywh[:, 2:] -= xywh[:, :2]
            rects = list(starmap(QRectF, xywh.tolist()))  # ~35% faster than a comprehension
        boxes[key] = (members, rects)
    paths: dict[int, QPainterPath] = {}
    for key in _keys(buckets):
        others = np.flatnonzero(buckets == key)
        if key in boxes:
            others = np.setdiff1d(others, boxes[key][0], assume_unique=True)
        if len(others):
            paths[key] = path_from_points(data.pts, data.starts, others)
    return boxes, paths


def box_rects(bboxes: np.ndarray) -> list[QRectF]:
    """A QRectF per bounding box (QRectF is a plain value type: any thread)."""
    xywh = bboxes.copy()
    xywh[:, 2:] -= xywh[:, :2]
    rows = xywh.tolist()
    rects: list[QRectF] = []
    # in slices: one C-level starmap over 10k rows holds the GIL ~12 ms in one go, and the
    # GUI thread waits for it; between slices the interpreter can hand the GIL over
    for i in range(0, len(rows), 1024):
        rects.extend(starmap(QRectF, rows[i : i + 1024]))
    return rects


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
STATUS_NAMES = ("equal", "substituted", "missed", "extra")
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
    fill_alpha: int = 38
    dense_alpha: int = 110
    #: outline every polygon however many are in view (exports)
    force_outlines: bool = False
    #: which confidences the colours span (fitted to the document's words by the canvas)
    scale: ConfidenceScale = FULL_SCALE


class OverlayLayer(QGraphicsItem):
    """All polygons of one level, drawn in few calls, with a numpy hit-test index."""

    def __init__(self, level: str, style: OverlayStyle, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.level = level
        self.style = style
        self.data = LayerData(level)
        self._rect = QRectF()
        self._buckets = np.zeros(0, dtype=np.int64)
        self._dense_paths: dict[int, QPainterPath] | None = None
        self._dense_boxes: dict[int, tuple[np.ndarray, list[QRectF]]] | None = None
        self._overview: tuple[tuple, QImage] | None = None
        #: the overview key last painted without a picture: the picture is made when it comes again
        self._overview_wanted: tuple | None = None
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
        self._dense_paths = None  # built on the first dense paint
        self._dense_boxes = None
        self._overview = None
        self._overview_wanted = None
        self._buckets = (
            conf_buckets(data.conf, self.style.scale)
            if self.level == "word"
            else np.zeros(len(data), np.int64)
        )
        self.has_confidence = bool(len(data.conf)) and not bool(np.isnan(data.conf).all())
        self.statuses = None
        if len(data):
            b = data.bboxes
            x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
            self._rect = QRectF(x0, y0, float(b[:, 2].max()) - x0, float(b[:, 3].max()) - y0).adjusted(
                -2, -2, 2, 2
            )
        else:
            self._rect = QRectF()
        self.update()

    def restyle(self) -> None:
        """The colour scale changed: re-bucket the words and drop cached pictures."""
        if self.level == "word":
            self._buckets = conf_buckets(self.data.conf, self.style.scale)
        self._dense_paths = None
        self._dense_boxes = None
        self._overview = None
        self._overview_wanted = None
        self.update()

    @property
    def _only_suspects(self) -> bool:
        """Only the words under the threshold are drawn (the checking filter)."""
        return self.level == "word" and self.style.below == "only" and self.style.min_confidence > 0

    def _cut(self, t: float) -> float:
        """Buckets from this colour-bar position up lie wholly at or above the threshold ``t``."""
        return self.style.scale.position(t)

    @property
    def _hide_mode(self) -> bool | str:
        """What the layer data hides: words under the threshold (True), all but them ("only")."""
        return "only" if self.style.below == "only" else self.style.below == "hide"

    def _hidden_mask(self, index: np.ndarray) -> np.ndarray:
        """True where a word is under the threshold and the style hides such words."""
        return self.data.hidden_mask(index, self.style.min_confidence, self._hide_mode)

    def is_hidden(self, index: int) -> bool:
        return bool(self._hidden_mask(np.array([index]))[0])

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
            self._buckets = conf_buckets(self.data.conf)
        else:
            self._buckets = np.where(statuses >= 0, STATUS_BUCKET + statuses.astype(np.int64), NO_CONF)
        self._dense_paths = None
        self._dense_boxes = None
        self._overview = None
        self._overview_wanted = None
        self.update()

    # -- colours -------------------------------------------------------------------------------
    def bucket_color(self, key: int) -> QColor:
        if key >= STATUS_BUCKET:
            return QColor(STATUS_COLORS[STATUS_NAMES[key - STATUS_BUCKET]])
        if self.level == "word" and self.style.colour_by_confidence and self.has_confidence:
            return QColor(*confidence_rgb(None if key == NO_CONF else key / BUCKETS))
        return QColor(LEVEL_COLORS[self.level])

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
        visible = self.data.in_rect(self._painted_rect(painter, option))
        if len(visible) == 0:
            return
        if len(visible) > DENSE_LIMIT and not self.style.force_outlines:
            device = painter.device()
            dpr = device.devicePixelRatioF() if device is not None else 1.0
            self._paint_overview(painter, lod * dpr, visible)
        else:
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

    def _paint_overview(self, painter: QPainter, scale: float, visible: np.ndarray) -> None:
        """Dense layer: draw a picture of its fills made at the zoom's power-of-two octave.

        The picture is remade when the octave, the data or the style changes; zooming within an
        octave or repainting (hover, selection, panning) reuses it. A frame whose picture is stale
        is filled directly (as fast as making the picture), and the picture is made only when the
        same octave and style come again: dragging the threshold slider or zooming across octaves
        never pays for pictures it throws away.
        """
        rect = self._rect
        octave = 2.0 ** math.ceil(math.log2(max(scale, 1e-6)))
        if max(rect.width(), rect.height()) * octave > OVERVIEW_MAX_SIDE:
            self._paint_dense(painter, visible)  # closer in than a picture can hold: fill what shows
            return
        s = self.style
        key = (
            octave,
            s.colour_by_confidence,
            s.min_confidence,
            s.below,
            s.dense_alpha,
            self.has_confidence,
            s.scale,
            id(self.statuses),
        )
        if self._overview is None or self._overview[0] != key:
            if self._overview_wanted != key:
                self._overview_wanted = key
                self._paint_dense(painter, None if len(visible) == len(self.data) else visible)
                return
            w = max(1, math.ceil(rect.width() * octave))
            h = max(1, math.ceil(rect.height() * octave))
            image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(0)
            p = QPainter(image)
            p.scale(octave, octave)
            p.translate(-rect.topLeft())
            self._paint_dense(p)
            p.end()
            self._overview = (key, image)
        painter.drawImage(rect, self._overview[1])

    def _paint_dense(self, painter: QPainter, index: np.ndarray | None = None) -> None:
        """Many small boxes: translucent fills, one fillPath per confidence bucket.

        Without ``index`` the whole layer is drawn from paths kept between paints; with it, only
        those polygons, from paths built for this paint.
        """
        data = self.data
        if index is None:
            # Box-like polygons are filled as rectangles (drawRects: a few times faster than
            # fillPath, which sets up every subpath's edges); the others go through the paths.
            boxes = self._boxes()
            self._fill_boxes(painter, boxes)
            if not self._dense_paths:
                return
            groups = {key: (None, path) for key, path in self._dense_paths.items()}
        else:
            keys = self._buckets[index]
            groups = {key: (index[keys == key], None) for key in _keys(keys)}
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        t = self.style.min_confidence if self.level == "word" else 0.0
        cut = self._cut(t)
        only = self._only_suspects
        for key, (members, path) in groups.items():
            color = self.bucket_color(key)
            if t <= 0 or key == NO_CONF or (key - 0.5) / BUCKETS >= cut:
                if only:
                    continue
                color.setAlpha(self.style.dense_alpha)
                painter.fillPath(
                    path if path is not None else path_from_points(data.pts, data.starts, members),
                    self._brush(key, color),
                )
                continue
            if members is None:
                members = np.flatnonzero(self._buckets == key)
                if self._dense_boxes and key in self._dense_boxes:
                    members = np.setdiff1d(members, self._dense_boxes[key][0], assume_unique=True)
            below = data.conf[members] < t
            above = members[~below]
            if len(above) and not only:
                color.setAlpha(self.style.dense_alpha)
                painter.fillPath(path_from_points(data.pts, data.starts, above), color)
            if self.style.below != "hide" and below.any():
                color.setAlpha(self.style.dense_alpha if only else 35)
                painter.fillPath(path_from_points(data.pts, data.starts, members[below]), color)

    def _boxes(self) -> dict[int, tuple[np.ndarray, list[QRectF]]]:
        """Per confidence bucket, the polygons that fill at least 90% of their bounding box and
        those boxes as QRectFs (and the paths of the others): made by the worker that prepared
        the layer (:func:`dense_groups`), else on the first dense paint; kept with the data."""
        if self._dense_boxes is None or self._dense_paths is None:
            groups = self.data.groups  # (buckets, boxes, paths), made for one colour scale
            if groups is not None and np.array_equal(groups[0], self._buckets):
                self._dense_boxes, self._dense_paths = groups[1], groups[2]
            else:
                self._dense_boxes, self._dense_paths = dense_groups(self.data, self._buckets)
        return self._dense_boxes

    def _fill_boxes(self, painter: QPainter, boxes: dict[int, tuple[np.ndarray, list[QRectF]]]) -> None:
        """Fill the box-like polygons of every bucket, dimming or hiding those under the threshold."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        t = self.style.min_confidence if self.level == "word" else 0.0
        cut = self._cut(t)
        only = self._only_suspects
        for key, (members, rects) in boxes.items():
            color = self.bucket_color(key)
            if t <= 0 or key == NO_CONF or (key - 0.5) / BUCKETS >= cut:
                if only:
                    continue
                color.setAlpha(self.style.dense_alpha)
                painter.setBrush(self._brush(key, color))
                painter.drawRects(rects)
                continue
            below = (self.data.conf[members] < t).tolist()
            above = [r for r, b in zip(rects, below, strict=True) if not b]
            if above and not only:
                color.setAlpha(self.style.dense_alpha)
                painter.setBrush(color)
                painter.drawRects(above)
            if self.style.below != "hide" and any(below):
                color.setAlpha(self.style.dense_alpha if only else 35)
                painter.setBrush(color)
                painter.drawRects([r for r, b in zip(rects, below, strict=True) if b])
        painter.setBrush(Qt.BrushStyle.NoBrush)

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
                        brush.setAlpha(fill if key != NO_CONF or not self.hatch_none else 150)
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
