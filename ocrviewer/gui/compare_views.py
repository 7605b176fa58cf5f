"""Compare mode on the canvas: a wipe between A and B, and A and B side by side.

A is the result shown, coloured against the page's ground truth. B is the page's other engine,
coloured against the same truth; with one engine on the page B is the truth itself, coloured
against A (its missed words show). The wipe shows B right of a handle the user
drags (or moves with [ and ]); side by side puts B in a second view beside the canvas, linked to
it: the same page, zoom and scroll, whichever view is panned or zoomed. Both use the canvas'
picture and overlay items through their public interface (the wipe clips the canvas'
``overlay_root`` to the left of the handle while it is on); nothing here compares (see
:mod:`ocrviewer.gui.compare_mode`).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStyleOptionGraphicsItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.core.layers import LayerData
from ocrviewer.core.model import Polygon
from ocrviewer.gui.canvas import CLICK_SLOP, ZOOM_STEP, Canvas, ImageItem, setup_page_view
from ocrviewer.gui.legend import CornerPicture
from ocrviewer.gui.overlay import MarkerItem, OverlayLayer, cosmetic_pen

#: how far one press of [ or ] moves the wipe handle, as a share of the page's width
WIPE_STEP = 0.05
#: half the width of the wipe handle's grip area, in screen pixels
HANDLE_HALF = 8.0


@dataclass
class SideB:
    """What B shows: its words (the overlay's layer data), their statuses and tooltip notes."""

    name: str
    layer: LayerData
    statuses: np.ndarray
    notes: dict[int, str] = field(default_factory=dict)

    def tooltip(self, index: int) -> str:
        text = self.layer.text(index)
        note = self.notes.get(index, "")
        head = f"<b>{html.escape(text[:200], quote=False) or '(no text)'}</b> · B: {html.escape(self.name, quote=False)}"
        return head + (f"<br>{note}" if note else "")


class MirrorImage(QGraphicsItem):
    """The canvas' picture painted again (beside it, or over its B side in the wipe)."""

    def __init__(self, source: ImageItem, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.setZValue(-10)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def sync(self) -> None:
        """The canvas' picture changed size or sharpness."""
        self.prepareGeometryChange()
        self.update()

    def boundingRect(self) -> QRectF:
        return self.source.boundingRect()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.source.paint(painter, option, widget)


def _b_layer(canvas: Canvas, parent: QGraphicsItem | None) -> OverlayLayer:
    layer = OverlayLayer("word", canvas.style_opts, parent)
    return layer


def _show_b(layer: OverlayLayer, b: SideB | None) -> None:
    if b is None:
        layer.set_data(LayerData("word"))
        return
    if layer.data is not b.layer:
        layer.set_data(b.layer)
    layer.set_statuses(b.statuses)


# -- the wipe ------------------------------------------------------------------------------------
#: how far past the page the wipe's halves reach (an overlay being dragged may stick out)
BEYOND = 1e6


class _Clip(QGraphicsItem):
    """One side of the handle: its children are clipped to it (left: A's overlay, right: B's words)."""

    def __init__(self, right: bool) -> None:
        super().__init__()
        self.right = right
        self.x = 0.0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.setZValue(5 if right else 0)

    def set_x(self, x: float) -> None:
        self.prepareGeometryChange()
        self.x = x

    def boundingRect(self) -> QRectF:
        if self.right:
            return QRectF(self.x, -BEYOND, BEYOND, 3 * BEYOND)
        return QRectF(-BEYOND, -BEYOND, self.x + BEYOND, 3 * BEYOND)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        return None


class _Handle(QGraphicsItem):
    """The wipe's handle: a full-height line with a grip, dragged sideways."""

    def __init__(self, wipe: Wipe) -> None:
        super().__init__()
        self.wipe = wipe
        self.half = HANDLE_HALF
        self._grip = CornerPicture()
        self.setZValue(20)
        self.setCursor(Qt.CursorShape.SplitHCursor)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def zoomed(self, zoom: float) -> None:
        self.prepareGeometryChange()
        self.half = HANDLE_HALF / max(zoom, 1e-6)

    def moved(self) -> None:
        self.prepareGeometryChange()
        self.update()

    def boundingRect(self) -> QRectF:
        h = self.wipe.size[1]
        return QRectF(self.wipe.x - self.half, 0, 2 * self.half, h)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        x, h = self.wipe.x, self.wipe.size[1]
        t = painter.worldTransform()
        device = painter.device()
        dpr = (device.devicePixelRatioF() if device is not None else 1.0) or 1.0
        if not _paint_line(painter, t, dpr, x, h):
            painter.setPen(cosmetic_pen(QColor(0, 0, 0, 160), 4.0))
            painter.drawLine(QPointF(x, 0), QPointF(x, h))
            painter.setPen(cosmetic_pen(QColor(255, 255, 255), 2.0))
            painter.drawLine(QPointF(x, 0), QPointF(x, h))
        # the grip and the two names, in screen pixels, at the middle of what is in view
        inverse, ok = t.inverted()
        if not ok or device is None:
            return
        shown = inverse.mapRect(QRectF(0, 0, device.width() / dpr, device.height() / dpr))
        y = max(0.0, min(h, shown.center().y()))
        centre = t.map(QPointF(x, y))
        # on whole pixels (the line's middle, see _paint_line): the grip is drawn once and copied
        centre = QPointF(round(centre.x()), round(centre.y()))
        font = QFont(painter.font())
        font.setBold(True)
        painter.save()
        painter.resetTransform()
        self._grip.draw(
            painter,
            font.key(),
            centre + QPointF(GRIP_REACH[0], GRIP_REACH[1]),
            (2 * GRIP_REACH[0], 2 * GRIP_REACH[1]),
            lambda p, corner: _paint_grip(p, corner - QPointF(GRIP_REACH[0], GRIP_REACH[1]), font),
        )
        painter.restore()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.wipe.set_x(event.scenePos().x())
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()


#: how far the grip reaches right of and below its centre (as far left and up), in screen pixels
GRIP_REACH = (41.0, 13.0)


def _paint_grip(painter: QPainter, centre: QPointF, font: QFont) -> None:
    """The handle's grip at ``centre`` (screen pixels): a round knob and the two sides' names."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(cosmetic_pen(QColor(0, 0, 0, 180), 1.5))
    painter.setBrush(QColor(255, 255, 255, 235))
    painter.drawEllipse(centre, 11, 11)
    painter.setPen(QColor(40, 40, 40))
    painter.setFont(font)
    painter.drawText(QRectF(centre.x() - 11, centre.y() - 11, 22, 22), Qt.AlignmentFlag.AlignCenter, "⇔")
    for text, right in (("A", False), ("B", True)):
        box = QRectF(centre.x() + (16 if right else -40), centre.y() - 10, 24, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


#: the handle's line: a white core on a translucent dark edge (half widths in screen pixels)
HANDLE_LINES = ((2.0, QColor(0, 0, 0, 160)), (1.0, QColor(255, 255, 255)))


def _paint_line(painter: QPainter, t: QTransform, dpr: float, x: float, h: float) -> bool:
    """The handle's line from (x, 0) to (x, h) (scene units) as two filled screen rectangles, the
    pixels the painter's aliased square-capped cosmetic lines covered (a pixel is covered when its
    centre is): two wide cosmetic lines through the painter's stroker were ~0.5 ms of a frame.
    False when the view is turned or scaled for a high-density screen (then draw the lines)."""
    if dpr != 1.0 or not t.isAffine() or t.m12() != 0 or t.m21() != 0 or t.m22() <= 0:
        return False
    if painter.testRenderHint(QPainter.RenderHint.Antialiasing):
        return False
    top, bottom = t.map(QPointF(x, 0)), t.map(QPointF(x, h))
    painter.save()
    painter.resetTransform()
    for half, colour in HANDLE_LINES:
        left, right = math.floor(top.x() - half + 0.5), math.floor(top.x() + half + 0.5)
        y0, y1 = math.floor(top.y() - half + 0.5), math.floor(bottom.y() + half + 0.5)
        painter.fillRect(QRect(left, y0, right - left, y1 - y0), colour)
    painter.restore()
    return True


class Wipe(QObject):
    """B's words right of a handle, A's (the canvas' own overlay, clipped) left of it."""

    def __init__(self, canvas: Canvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.on = False
        self.b: SideB | None = None
        self.x = 0.0
        self.size = (0.0, 0.0)
        # A's overlay goes into the left half while the wipe is on; B's words are the right half.
        # The picture shows through both: nothing is painted twice.
        self.left = _Clip(right=False)
        self.clip = _Clip(right=True)
        self.layer = _b_layer(canvas, self.clip)
        self.markers = MarkerItem(self.clip)
        self.handle = _Handle(self)
        for item in (self.left, self.clip, self.handle):
            item.setVisible(False)
            canvas.scene().addItem(item)
        canvas.zoomChanged.connect(self.handle.zoomed)
        canvas.state.imageChanged.connect(self._image_changed)
        canvas.viewport().installEventFilter(self)
        self._hover: int | None = None

    def _image_changed(self) -> None:
        w, h = self.canvas.image_item.size
        self.size = (float(w), float(h))
        self.set_x(self.size[0] / 2)

    def set_on(self, on: bool) -> None:
        if on and not self.on:
            w, h = self.canvas.image_item.size
            self.size = (float(w), float(h))
            # the handle starts in the middle of what is in view
            view = self.canvas.mapToScene(self.canvas.viewport().rect()).boundingRect()
            self.set_x(view.center().x())
            self.handle.zoomed(self.canvas.zoom)
        self.on = on
        root = self.canvas.overlay_root
        if on:
            self.left.setVisible(True)
            root.setParentItem(self.left)
        elif root.parentItem() is self.left:
            root.setParentItem(None)
            self.left.setVisible(False)
        self.clip.setVisible(on)
        self.handle.setVisible(on)
        self.canvas.covers = self.covers if on else None
        self.canvas.viewport().update()

    def set_b(self, b: SideB | None) -> None:
        self.b = b
        _show_b(self.layer, b)
        self.markers.set_marks(None, [])
        self.canvas.viewport().update()

    def set_x(self, x: float) -> None:
        self.x = max(0.0, min(self.size[0], x))
        self.left.set_x(self.x)
        self.clip.set_x(self.x)
        self.handle.moved()
        self.canvas.viewport().update()

    def step(self, direction: int) -> None:
        """Move the handle by a twentieth of the page (``direction`` -1 left, +1 right)."""
        self.set_x(self.x + direction * WIPE_STEP * self.size[0])

    def covers(self, scene_pos: QPointF) -> bool:
        """The canvas' own words are covered here (right of the handle)."""
        return self.on and scene_pos.x() >= self.x

    def mark(self, polygon: Polygon | None) -> None:
        self.markers.set_marks(polygon, [])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.on and event.type() == QEvent.Type.MouseMove:
            assert isinstance(event, QMouseEvent)
            if event.buttons() == Qt.MouseButton.NoButton:
                pos = self.canvas.mapToScene(event.position().toPoint())
                if abs(pos.x() - self.x) <= self.handle.half:
                    # on the handle: its own cursor and hint (the canvas would set its hover cursor)
                    self.canvas.viewport().setCursor(Qt.CursorShape.SplitHCursor)
                    QToolTip.showText(
                        event.globalPosition().toPoint(),
                        "Drag to wipe between A (left) and B (right); [ and ] move it too",
                        self.canvas.viewport(),
                    )
                    return True
                if self.b is not None:
                    self._hover_at(event)
        return False

    def _hover_at(self, event: QMouseEvent) -> None:
        assert self.b is not None
        pos = self.canvas.mapToScene(event.position().toPoint())
        hit = self.layer.hit(pos.x(), pos.y()) if pos.x() >= self.x else None
        if hit != self._hover:
            self._hover = hit
            self.markers.set_hover(self.layer.data.polygon(hit) if hit is not None else None)
            if hit is not None:
                QToolTip.showText(
                    event.globalPosition().toPoint(), self.b.tooltip(hit), self.canvas.viewport()
                )


# -- side by side --------------------------------------------------------------------------------
class SideView(QGraphicsView):
    """B beside the canvas: the same picture, B's words by status, zoom and scroll linked both ways."""

    def __init__(self, canvas: Canvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.b: SideB | None = None
        setup_page_view(self)
        self.mirror = MirrorImage(canvas.image_item)
        self.scene().addItem(self.mirror)
        self.layer = _b_layer(canvas, None)
        self.scene().addItem(self.layer)
        self.markers = MarkerItem()
        self.scene().addItem(self.markers)
        self._syncing = False
        self._hover: int | None = None
        self._here = False  # the pointer is over this view (its moves are told to the canvas)
        self._press: QPoint | None = None
        canvas.zoomChanged.connect(lambda _z: self.follow())
        canvas.horizontalScrollBar().valueChanged.connect(lambda _v: self.follow())
        canvas.verticalScrollBar().valueChanged.connect(lambda _v: self.follow())
        canvas.imageShown.connect(lambda _full: self.mirror.update())
        canvas.state.imageChanged.connect(self._image_changed)
        canvas.cursorMoved.connect(self._canvas_hover)
        canvas.cursorLeft.connect(lambda: self._set_hover(None))
        self.horizontalScrollBar().valueChanged.connect(lambda _v: self.lead())
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.lead())

    def _image_changed(self) -> None:
        self.mirror.sync()
        self.follow()

    def set_b(self, b: SideB | None) -> None:
        self.b = b
        _show_b(self.layer, b)
        self.markers.set_marks(None, [])
        self.viewport().update()

    def mark(self, polygon: Polygon | None) -> None:
        self.markers.set_marks(polygon, [])
        self.viewport().update()

    # -- the link ------------------------------------------------------------------------------
    def centre(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def follow(self) -> None:
        """Take the canvas' zoom and the point it centres on."""
        if self._syncing or not self.isVisible():
            return
        self._syncing = True
        try:
            self.setBackgroundBrush(self.canvas.backgroundBrush())
            self.setSceneRect(self.canvas.sceneRect())
            self.setTransform(self.canvas.transform())
            self.centerOn(self.canvas.mapToScene(self.canvas.viewport().rect().center()))
        finally:
            self._syncing = False
        self.viewport().update()

    def lead(self) -> None:
        """This view was panned: the canvas follows."""
        if self._syncing:
            return
        self._syncing = True
        try:
            self.canvas.centerOn(self.centre())
        finally:
            self._syncing = False

    def showEvent(self, event: QEvent) -> None:  # noqa: D102 - Qt override
        super().showEvent(event)
        self.mirror.sync()
        self.follow()

    def resizeEvent(self, event: QEvent) -> None:  # noqa: D102 - Qt override
        super().resizeEvent(event)
        self.follow()

    # -- mouse ---------------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            return
        anchor = self.mapToScene(event.position().toPoint())
        self.canvas.set_zoom(self.canvas.zoom * (ZOOM_STEP ** (delta / 120.0)), anchor)
        event.accept()

    def _hit(self, x: float, y: float) -> int | None:
        return (
            self.layer.hit(x, y, tolerance=3.0 / max(self.canvas.zoom, 1e-6)) if self.b is not None else None
        )

    def _set_hover(self, hit: int | None) -> bool:
        """Outline B's word ``hit`` (None: none); True when that changed."""
        if hit == self._hover:
            return False
        self._hover = hit
        self.markers.set_hover(self.layer.data.polygon(hit) if hit is not None else None)
        self.viewport().update()
        return True

    def _canvas_hover(self, x: float, y: float) -> None:
        """The pointer is over A (the canvas): outline B's word at the same place."""
        if not self._here and self.isVisible():
            self._set_hover(self._hit(x, y))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() != Qt.MouseButton.NoButton or self.b is None:
            return
        pos = self.mapToScene(event.position().toPoint())
        self._here = True
        try:
            self.canvas.cursorMoved.emit(pos.x(), pos.y())  # the status bar's position
        finally:
            self._here = False
        self._hover_canvas(pos)
        hit = self._hit(pos.x(), pos.y())
        if self._set_hover(hit):
            if hit is not None:
                QToolTip.showText(event.globalPosition().toPoint(), self.b.tooltip(hit), self.viewport())
            else:
                QToolTip.hideText()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or (event.position().toPoint() - press).manhattanLength() > CLICK_SLOP:
            return  # a pan, not a click
        pos = self.mapToScene(event.position().toPoint())
        hit = self._hit(pos.x(), pos.y())
        self.mark(self.layer.data.polygon(hit) if hit is not None else None)
        a = self.canvas.element_at(pos)  # and A's word at that place is selected on the canvas
        self.canvas.state.select(self.canvas.layers[a[0]].data.ref(a[1]) if a is not None else None)

    def _hover_canvas(self, pos: QPointF) -> None:
        """The pointer is over B: outline A's word at the same place on the canvas."""
        hit = self.canvas.element_at(pos)
        words = self.canvas.layers["word"]
        polygon = words.data.polygon(hit[1]) if hit is not None and hit[0] == "word" else None
        if polygon != self.canvas.markers.hover:
            self.canvas.markers.set_hover(polygon)
            self.canvas.viewport().update()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: D102 - Qt override
        super().leaveEvent(event)
        self._set_hover(None)
        if self.canvas.markers.hover is not None:
            self.canvas.markers.set_hover(None)
            self.canvas.viewport().update()

    def tooltip_at(self, scene_pos: QPointF) -> str:
        """B's tooltip for the word under a scene point ('' for none)."""
        if self.b is None:
            return ""
        hit = self.layer.hit(scene_pos.x(), scene_pos.y())
        return self.b.tooltip(hit) if hit is not None else ""


class CompareViews(QObject):
    """The wipe and the side-by-side view of one window, made when first asked for."""

    def __init__(self, window: QWidget, canvas: Canvas) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = canvas
        self.wipe: Wipe | None = None
        self.side: SideView | None = None
        self.splitter: QSplitter | None = None
        self.caption_a = QLabel()
        self.caption_b = QLabel()
        self.b: SideB | None = None
        self._side_on = False
        self._texts = ("", "")

    @property
    def wipe_on(self) -> bool:
        return self.wipe is not None and self.wipe.on

    @property
    def side_on(self) -> bool:
        return self._side_on

    @property
    def wanted(self) -> bool:
        """B is needed (the wipe or side by side is on)."""
        return self.wipe_on or self.side_on

    def set_wipe(self, on: bool) -> None:
        if on and self.wipe is None:
            self._split()
            self.wipe = Wipe(self.canvas)
        if self.wipe is not None:
            self.wipe.set_on(on)
            self.wipe.set_b(self.b)
        self._captions()

    def set_side(self, on: bool) -> None:
        if on and self.side is None:
            self._split()
        if self.side is not None and self.splitter is not None:
            self._side_on = on
            self.side.parentWidget().setVisible(on)  # type: ignore[union-attr]
            if on:
                half = max(1, self.splitter.width() // 2)
                self.splitter.setSizes([half, half])
                self.side.set_b(self.b)
                self.side.follow()
        self._captions()

    def _split(self) -> None:
        """Put the canvas in the left half of a splitter and B's view (hidden) in the right half."""
        if self.splitter is not None:
            return
        central = self.canvas.parentWidget()
        assert central is not None and central.layout() is not None
        layout = central.layout()
        index = layout.indexOf(self.canvas)
        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        splitter.setChildrenCollapsible(False)
        for caption, view in ((self.caption_a, self.canvas), (self.caption_b, None)):
            pane = QWidget(splitter)
            box = QVBoxLayout(pane)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(0)
            caption.setContentsMargins(6, 2, 6, 2)
            caption.setTextFormat(Qt.TextFormat.RichText)
            # wrapped to the pane: on one line the two results' names and scores widened the window
            caption.setWordWrap(True)
            caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            box.addWidget(caption)
            if view is None:
                view = self.side = SideView(self.canvas, pane)
            box.addWidget(view, 1)
            splitter.addWidget(pane)
        layout.insertWidget(index, splitter, 1)  # type: ignore[attr-defined]
        self.splitter = splitter
        assert self.side is not None
        self.side.parentWidget().hide()  # type: ignore[union-attr]

    def set_b(self, b: SideB | None, caption_a: str = "", caption_b: str = "") -> None:
        self.b = b
        self._texts = (caption_a, caption_b)
        if self.wipe is not None:
            self.wipe.set_b(b if self.wipe.on else None)
        if self.side is not None:
            self.side.set_b(b)
        self._captions()

    def _captions(self) -> None:
        a, b = self._texts
        if self.wipe_on and not self.side_on:
            # A's and B's lines each on their own line: run on, a narrow view broke them mid-figure
            self.caption_a.setText(f"◀ A: {a}<br>B: {b} ▶" if a else "")
        else:
            self.caption_a.setText(f"A: {a}" if a else "")
        self.caption_b.setText(f"B: {b}" if b else "")
        self.caption_a.setVisible(self.wanted and bool(a))

    def mark(self, polygon: Polygon | None) -> None:
        """Outline the word a Differences row stands for on B (both views show the same place)."""
        if self.wipe is not None:
            self.wipe.mark(polygon)
        if self.side is not None:
            self.side.mark(polygon)
