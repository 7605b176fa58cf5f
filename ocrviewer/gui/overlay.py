"""Overlay layers: one QGraphicsItem per level that draws thousands of polygons in a few calls.

Each layer keeps its polygons as prebuilt QPainterPaths grouped by colour (for words: by
confidence bucket of 0.01) and a numpy array of bounding boxes for hit tests. Painting is a
handful of ``drawPath`` calls with a 1 px cosmetic pen (Qt's fast path); labels are drawn only
where they are legible. Items are in image (displayed-frame) pixel coordinates and the view
does zoom and pan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ocrviewer.core.model import Document, Polygon
from ocrviewer.core.palette import LEVEL_COLORS, SEARCH_COLOR, SELECTION_COLOR, confidence_rgb
from ocrviewer.gui.state import ElementRef

LAYERS = ("block", "line", "word", "table")
NO_CONF = -1  # bucket of words without a confidence
LABEL_MIN_PX = 9.0  # a label is drawn only when its box is at least this many screen pixels high
MAX_LABELS = 4000


@dataclass
class LayerData:
    """The polygons of one level, with what hover and selection need to know about each."""

    level: str
    polygons: list[Polygon] = field(default_factory=list)
    refs: list[ElementRef | None] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    confidences: list[float | None] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)
    bboxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    conf_array: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __len__(self) -> int:
        return len(self.polygons)

    def finish(self) -> None:
        if self.polygons:
            arr = np.empty((len(self.polygons), 4))
            for i, poly in enumerate(self.polygons):
                xs = [p[0] for p in poly]
                ys = [p[1] for p in poly]
                arr[i] = (min(xs), min(ys), max(xs), max(ys))
            self.bboxes = arr
        self.conf_array = np.array([np.nan if c is None else c for c in self.confidences], dtype=float)

    def candidates(self, x: float, y: float, tolerance: float = 0.0) -> np.ndarray:
        """Indices whose bounding box contains (x, y), grown by ``tolerance``."""
        if not self.polygons:
            return np.zeros(0, dtype=int)
        b = self.bboxes
        mask = (b[:, 0] - tolerance <= x) & (b[:, 2] + tolerance >= x)
        mask &= (b[:, 1] - tolerance <= y) & (b[:, 3] + tolerance >= y)
        return np.flatnonzero(mask)

    def in_rect(self, rect: QRectF) -> np.ndarray:
        """Indices whose bounding box intersects ``rect``."""
        if not self.polygons:
            return np.zeros(0, dtype=int)
        b = self.bboxes
        mask = (b[:, 2] >= rect.left()) & (b[:, 0] <= rect.right())
        mask &= (b[:, 3] >= rect.top()) & (b[:, 1] <= rect.bottom())
        return np.flatnonzero(mask)


def build_layers(doc: Document | None) -> dict[str, LayerData]:
    """Flatten a displayed-frame document into one LayerData per level."""
    layers = {name: LayerData(name) for name in LAYERS}
    if doc is None:
        return layers
    blocks, lines, words, tables = (layers[n] for n in LAYERS)
    for pi, page in enumerate(doc.pages):
        for bi, block in enumerate(page.blocks):
            blocks.polygons.append(block.polygon)
            blocks.refs.append(ElementRef("block", pi, bi))
            blocks.texts.append(block.text)
            blocks.confidences.append(block.confidence)
            blocks.labels.append(block.layout_type)
            for li, line in enumerate(block.lines):
                lines.polygons.append(line.polygon)
                lines.refs.append(ElementRef("line", pi, bi, li))
                lines.texts.append(line.text)
                lines.confidences.append(line.confidence)
                lines.labels.append(None)
                for wi, word in enumerate(line.words):
                    words.polygons.append(word.polygon)
                    words.refs.append(ElementRef("word", pi, bi, li, wi))
                    words.texts.append(word.text)
                    words.confidences.append(word.confidence)
                    words.labels.append(word.confidence_label)
        for table in page.tables:
            tables.polygons.append(table.polygon)
            tables.refs.append(None)
            tables.texts.append(f"table {table.rows} x {table.columns}")
            tables.confidences.append(None)
            tables.labels.append(None)
            for cell in table.cells:
                tables.polygons.append(cell.polygon)
                tables.refs.append(None)
                tables.texts.append(cell.text or f"cell r{cell.row + 1} c{cell.column + 1}")
                tables.confidences.append(None)
                tables.labels.append(None)
    for layer in layers.values():
        layer.finish()
    return layers


def add_polygon(path: QPainterPath, poly: Polygon) -> None:
    """Append one closed polygon; axis-aligned rectangles take the cheap ``addRect``."""
    if len(poly) == 4:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = poly
        if y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0:
            path.addRect(min(x0, x1), min(y0, y2), abs(x1 - x0), abs(y2 - y0))
            return
        if x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0:
            path.addRect(min(x0, x2), min(y0, y1), abs(x2 - x0), abs(y1 - y0))
            return
    path.moveTo(poly[0][0], poly[0][1])
    for x, y in poly[1:]:
        path.lineTo(x, y)
    path.closeSubpath()


def to_qpolygon(poly: Polygon) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in poly])


def point_in_polygon(x: float, y: float, poly: Polygon) -> bool:
    """Even-odd ray casting; points on an edge count as inside often enough for hovering."""
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


def conf_bucket(conf: float | None) -> int:
    if conf is None or not math.isfinite(conf):
        return NO_CONF
    return int(round(min(1.0, max(0.0, conf)) * 100))


def cosmetic_pen(color: QColor, width: float = 1.0) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


@dataclass
class OverlayStyle:
    """What the layers share: confidence colouring, threshold, labels, pen scale for export."""

    colour_by_confidence: bool = True
    min_confidence: float = 0.0
    below: str = "dim"  # "dim" or "hide"
    labels: bool = False
    pen_scale: float = 1.0
    fill_alpha: int = 38


class OverlayLayer(QGraphicsItem):
    """All polygons of one level, drawn in few calls, with a numpy hit-test index."""

    def __init__(self, level: str, style: OverlayStyle, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.level = level
        self.style = style
        self.data = LayerData(level)
        self._rect = QRectF()
        self._paths: dict[int, QPainterPath] = {}
        self._bucket_members: dict[int, list[int]] = {}
        self._qpolys: dict[int, QPolygonF] = {}
        #: False when the service gave no confidence at all: words then take the level colour
        self.has_confidence = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(False)
        self.setZValue({"table": 1, "block": 2, "line": 3, "word": 4}.get(level, 1))

    # -- data ----------------------------------------------------------------------------------
    def set_data(self, data: LayerData) -> None:
        self.prepareGeometryChange()
        self.data = data
        self._qpolys.clear()
        self._paths.clear()
        self._bucket_members.clear()
        buckets: dict[int, list[int]] = {}
        if self.level == "word":
            for i, c in enumerate(data.confidences):
                buckets.setdefault(conf_bucket(c), []).append(i)
        elif len(data):
            buckets[0] = list(range(len(data)))
        for key, members in buckets.items():
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.WindingFill)
            for i in members:
                add_polygon(path, data.polygons[i])
            self._paths[key] = path
        self._bucket_members = buckets
        self.has_confidence = any(c is not None for c in data.confidences)
        if len(data):
            b = data.bboxes
            self._rect = QRectF(
                float(b[:, 0].min()),
                float(b[:, 1].min()),
                float(b[:, 2].max() - b[:, 0].min()),
                float(b[:, 3].max() - b[:, 1].min()),
            ).adjusted(-2, -2, 2, 2)
        else:
            self._rect = QRectF()
        self.update()

    def qpolygon(self, index: int) -> QPolygonF:
        poly = self._qpolys.get(index)
        if poly is None:
            poly = self._qpolys[index] = to_qpolygon(self.data.polygons[index])
        return poly

    def is_hidden(self, index: int) -> bool:
        """True when a word is under the threshold and the style hides such words."""
        if self.level != "word" or self.style.below != "hide" or self.style.min_confidence <= 0:
            return False
        c = self.data.confidences[index]
        return c is not None and c < self.style.min_confidence

    def visible_count(self) -> int:
        """How many polygons are drawn (for the status bar and tests)."""
        if not self.isVisible():
            return 0
        if self.level != "word" or self.style.below != "hide" or self.style.min_confidence <= 0:
            return len(self.data)
        conf = self.data.conf_array
        return int(np.count_nonzero(~(conf < self.style.min_confidence)))

    def hit(self, x: float, y: float, tolerance: float = 0.0) -> int | None:
        """Index of the smallest polygon under (x, y), or None."""
        cands = self.data.candidates(x, y, tolerance)
        best: int | None = None
        best_area = math.inf
        for i in cands.tolist():
            if self.is_hidden(i):
                continue
            poly = self.data.polygons[i]
            if tolerance <= 0 and not point_in_polygon(x, y, poly):
                continue
            b = self.data.bboxes[i]
            area = (b[2] - b[0]) * (b[3] - b[1])
            if area < best_area:
                best, best_area = i, area
        return best

    # -- colours -------------------------------------------------------------------------------
    def bucket_color(self, key: int) -> QColor:
        if self.level == "word" and self.style.colour_by_confidence and self.has_confidence:
            conf = None if key == NO_CONF else key / 100.0
            return QColor(*confidence_rgb(conf))
        return QColor(LEVEL_COLORS[self.level])

    def _bucket_state(self, key: int) -> str:
        """ "normal", "below" (all under the threshold) or "mixed" (needs a per-polygon test)."""
        t = self.style.min_confidence
        if self.level != "word" or t <= 0 or key == NO_CONF:
            return "normal"
        lo, hi = (key - 0.5) / 100.0, (key + 0.5) / 100.0
        if hi <= t:
            return "below"
        if lo >= t:
            return "normal"
        return "mixed"

    # -- QGraphicsItem -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self._paths:
            return
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        width = self.style.pen_scale * (1.0 if self.level == "word" else 1.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= 1.0 or self.style.pen_scale > 1)
        fill = self.style.fill_alpha if self.level in ("word", "table") else 0
        for key, path in self._paths.items():
            color = self.bucket_color(key)
            state = self._bucket_state(key)
            if state == "below":
                if self.style.below == "hide":
                    continue
                self._set_dimmed(painter, color, width)
                painter.drawPath(path)
            elif state == "mixed":
                for i in self._bucket_members[key]:
                    c = self.data.confidences[i]
                    below = c is not None and c < self.style.min_confidence
                    if below and self.style.below == "hide":
                        continue
                    if below:
                        self._set_dimmed(painter, color, width)
                    else:
                        self._set_normal(painter, color, width, fill)
                    painter.drawPolygon(self.qpolygon(i))
            else:
                self._set_normal(painter, color, width, fill)
                painter.drawPath(path)
        if self.style.labels and self.level in ("word", "line"):
            self._paint_labels(painter, option, lod)

    def _set_normal(self, painter: QPainter, color: QColor, width: float, fill: int) -> None:
        painter.setPen(cosmetic_pen(color, width))
        if fill:
            brush = QColor(color)
            brush.setAlpha(fill)
            painter.setBrush(brush)
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)

    def _set_dimmed(self, painter: QPainter, color: QColor, width: float) -> None:
        dim = QColor(color)
        dim.setAlpha(70)
        pen = cosmetic_pen(dim, width)
        pen.setStyle(Qt.PenStyle.DotLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_labels(self, painter: QPainter, option: QStyleOptionGraphicsItem, lod: float) -> None:
        idx = self.data.in_rect(option.exposedRect)
        if len(idx) == 0:
            return
        b = self.data.bboxes[idx]
        heights = np.minimum(b[:, 3] - b[:, 1], b[:, 2] - b[:, 0]) * lod
        idx = idx[heights >= LABEL_MIN_PX]
        if len(idx) == 0 or len(idx) > MAX_LABELS:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = QFont(painter.font())
        back = QColor(255, 255, 255, 200)
        ink = QColor(20, 20, 20)
        for i in idx.tolist():
            if self.is_hidden(i):
                continue
            text = self.data.texts[i]
            if not text:
                continue
            draw_fitted_label(painter, font, text, self.data.polygons[i], back, ink)
        painter.restore()


def draw_fitted_label(
    painter: QPainter, font: QFont, text: str, poly: Polygon, back: QColor, ink: QColor
) -> None:
    """Draw ``text`` inside a quadrilateral, rotated along its first edge and scaled to fit."""
    (x0, y0), (x1, y1) = poly[0], poly[1]
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    width = math.hypot(x1 - x0, y1 - y0)
    if len(poly) >= 4:
        (x3, y3) = poly[-1]
        height = math.hypot(x3 - x0, y3 - y0)
    else:
        height = width / max(1, len(text))
    if width <= 1 or height <= 1:
        return
    font.setPixelSize(max(1, int(height * 0.72)))
    metrics = QFontMetricsF(font)
    advance = metrics.horizontalAdvance(text)
    if advance > width * 0.96:
        size = max(1, int(font.pixelSize() * width * 0.96 / advance))
        font.setPixelSize(size)
    painter.save()
    painter.translate(x0, y0)
    painter.rotate(angle)
    box = QRectF(0, 0, width, height)
    painter.fillRect(box, back)
    painter.setFont(font)
    painter.setPen(ink)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
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


def polygons_of(layer: LayerData, indices: Sequence[int]) -> list[Polygon]:
    return [layer.polygons[i] for i in indices]
