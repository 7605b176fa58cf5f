"""The canvas: the displayed image with overlay layers, zoom, pan, hover, click and overlay dragging.

Everything in the scene is in displayed-frame image pixels; QGraphicsView does zoom and pan.
The canvas follows :class:`~ocrviewer.gui.state.ViewerState` and writes back only through it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QRegion,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)
from shiboken6 import isValid

from ocrviewer.core.confidence import word_confidence
from ocrviewer.core.geometry import orient_point
from ocrviewer.core.palette import FULL_SCALE, ConfidenceScale, fit_scale
from ocrviewer.gui.image_loader import DecodedImage
from ocrviewer.gui.legend import (
    CORNERS,
    CornerPicture,
    corner_rect,
    legend_size,
    paint_status_legend,
    paint_view_legend,
    place_legend,
    status_legend_size,
)
from ocrviewer.gui.overlay import (
    LAYERS,
    MarkerItem,
    OverlayLayer,
    OverlayRoot,
    OverlayStyle,
    PicturePlan,
    build_layers,
)
from ocrviewer.gui.page_view import setup_page_view
from ocrviewer.gui.painting import TextStamp
from ocrviewer.gui.state import ElementRef, ViewerState
from ocrviewer.gui.worker import Workers

MIN_ZOOM = 0.01
MAX_ZOOM = 64.0
ZOOM_STEP = 1.25
CLICK_SLOP = 4  # pixels a press may move and still count as a click
#: arrow keys while moving the overlay: one image pixel per press, NUDGE_BIG with Shift
NUDGE_STEPS = {
    Qt.Key.Key_Left: (-1.0, 0.0),
    Qt.Key.Key_Right: (1.0, 0.0),
    Qt.Key.Key_Up: (0.0, -1.0),
    Qt.Key.Key_Down: (0.0, 1.0),
}
NUDGE_BIG = 10.0
#: a view painted the same way for this long gets its image kept at the view's pixels
KEEP_AFTER_MS = 150
#: after another image is set, the view goes on showing the frame it has for at most this long
#: while the new image decodes (a 20 MP photo's preview lands in ~0.1 s): no grey page flashes
#: between two pictures, and the GUI thread paints no frame (~7 ms at 1600 x 1000) beside the decode
HOLD_FRAME_MS = 200
#: the first frame of a result that landed is painted on a timer pass this much later (see
#: Canvas._paint_on_a_later_pass)
LANDING_PAINT_DELAY_MS = 1


def reduction_for(ratio: float) -> int:
    """The largest power-of-two reduction (1, 2, 4, ...) of a picture whose size is still at least
    its displayed size, ``ratio`` view pixels per picture pixel."""
    factor = 1
    while ratio > 0 and ratio * factor * 2 <= 1.0 + 1e-9:
        factor *= 2
    return factor


def reduce_image(image: QImage, factor: int) -> QImage:
    """``image`` made ``factor`` times smaller by averaging each ``factor`` x ``factor`` block (Qt's
    smooth scale at an integer reduction is a box filter)."""
    w = max(1, round(image.width() / factor))
    h = max(1, round(image.height() / factor))
    return image.scaled(
        w, h, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class ImageItem(QGraphicsItem):
    """The displayed image; paints the preview when it is sharp enough, else the full image."""

    def __init__(self) -> None:
        super().__init__()
        self.size = (0, 0)
        self.levels: list[DecodedImage] = []
        #: the previous image's levels, freed once the next image is on screen (see Canvas.set_image)
        self.retired: list[DecodedImage] = []
        #: the image at the view's pixels (see _paint_kept) and the last way it was painted
        self._kept: tuple[tuple, QImage] | None = None
        self._wanted: tuple | None = None
        #: how to make the copy for ``_wanted`` when the view rests (see _keep_when_resting)
        self._pending: tuple | None = None
        self._rest = QTimer()
        self._rest.setSingleShot(True)
        self._rest.setInterval(KEEP_AFTER_MS)
        self._rest.timeout.connect(self._keep_when_resting)
        #: the levels drawn in the frame being painted (see frame_done)
        self._drawn: list[DecodedImage] = []
        #: a reduced copy of the full image (level, reduction, image): the view is smooth-scaled
        #: from it instead of from all the image's pixels when zoomed out to 1/2 or less. Only the
        #: reduction the view needs is kept, made in the background (see _source)
        self.reduced: tuple[DecodedImage, int, QImage] | None = None
        self._reducing: tuple[DecodedImage, int] | None = None
        #: where reductions are made (None: never; the canvas sets it)
        self.workers: Workers | None = None
        self.setZValue(-10)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def reset(self, width: int, height: int) -> None:
        self.prepareGeometryChange()
        self.size = (width, height)
        # freeing a 20 MP picture (80 MB) takes ~10 ms: not now, while the next one is opened
        self.retired += self.levels
        self.levels = []
        self._drawn = []
        self._drop_reduced()
        self._forget_kept()
        self.update()

    def _drop_reduced(self) -> None:
        self.reduced = self._reducing = None
        if self.workers is not None:
            self.workers.cancel_kind("reduce")

    def _forget_kept(self) -> None:
        self._kept = self._wanted = self._pending = None
        self._rest.stop()

    def add(self, decoded: DecodedImage) -> None:
        if decoded.final:  # the full resolution replaces the old one and the quick preview
            self.levels = [lv for lv in self.levels if not lv.final and not lv.preview]
            self._drop_reduced()
        self.levels.append(decoded)
        self.levels.sort(key=lambda lv: lv.scale)
        self._forget_kept()
        self.update()

    def frame_done(self) -> None:
        """The frame is painted: a decode waiting for its preview to be on screen goes on."""
        for level in self._drawn:
            level.painted.set()
        self._drawn = []

    @property
    def has_full(self) -> bool:
        return any(lv.final for lv in self.levels)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.size[0], self.size[1])

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        w, h = self.size
        if not w or not h:
            return
        if not self.levels:
            painter.fillRect(self.boundingRect(), QColor(128, 128, 128, 60))
            return
        t = painter.worldTransform()
        lod = option.levelOfDetailFromTransform(t)
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        needed = lod * dpr
        level = next((lv for lv in self.levels if lv.scale >= needed * 0.98), self.levels[-1])
        exposed = option.exposedRect.intersected(self.boundingRect())
        if exposed.isEmpty():
            return
        if not level.painted.is_set():  # the decode waiting for it goes on once the frame is done
            self._drawn.append(level)
        source = self._source(level, needed)
        if self._paint_kept(painter, level, source, needed, dpr or 1.0):
            return
        self._draw_level(painter, level, source, needed, exposed)

    def _source(self, level: DecodedImage, needed: float) -> QImage:
        """The pixels to paint ``level`` from at ``needed`` view pixels per item pixel: the level's
        own, or its largest power-of-two reduction still at least the displayed size when the
        view shows the level at half its size or less (a 20 MP photo at 0.4 was smooth-scaled
        from all its pixels, ~67 ms of CPU a frame; from its 1/2 reduction ~20). The loader's
        own halvings cover the fitted view; this covers the zooms between them and below.
        A reduction not made yet is asked for (in the background) and the level painted
        meanwhile; a reduction larger than needed serves until the right one is there. Only
        one is kept, and it goes with its level.

        Measured and left out: a copy near the view's size for views between 1/2 and 1 (the page
        at fit, ~1330 px wide from the 2000 px half copy, from a 1415 px copy: ~1 ms of CPU a frame
        less). Made with Qt's smooth scale (an area average, ~11 ms on the worker) and then scaled
        again at nearly 1:1, text came out visibly softer (~22% less edge contrast than this direct
        scale); made with Pillow's Lanczos it looked the same but took ~130 ms of CPU per view scale
        band (9% wide), a burst on each band crossed while zooming. Scaling to the view with
        QImage.scaled (qSmoothScaleImage) cost ~2x this drawImage (a bilinear span fetch)."""
        if level.preview:  # on screen for a moment, and small
            return level.image
        factor = reduction_for(needed / level.scale)
        if factor < 2:
            if self.reduced is not None:  # zoomed in: the copy is no use now
                self._drop_reduced()
            return level.image
        have = self.reduced
        if have is not None and (have[0] is not level or have[1] > factor):
            self.reduced = have = None  # another image's, or smaller than the view needs
        if have is not None and have[1] == factor:
            return have[2]
        busy = self._reducing
        if (busy is None or busy[0] is not level or busy[1] != factor) and self.workers is not None:
            self._reduce(level, factor, have)
        return have[2] if have is not None else level.image

    def _reduce(self, level: DecodedImage, factor: int, have: tuple | None) -> None:
        assert self.workers is not None
        self._reducing = (level, factor)
        # from the larger reduction when there is one (fewer pixels to read)
        image, by = (have[2], factor // have[1]) if have is not None else (level.image, factor)

        def made(reduced: QImage) -> None:
            busy = self._reducing
            if isValid(self) and busy is not None and busy[0] is level and busy[1] == factor:
                self.reduced = (level, factor, reduced)
                self._reducing = None
                self.update()

        self.workers.submit(
            lambda cancel, progress: reduce_image(image, by),
            kind="reduce",
            name="reduce image",
            on_result=made,
        )

    def covered_rect(self, view: QTransform) -> QRect | None:
        """The view pixels (``view``: scene to view) this item's next paint covers with opaque
        pixels, a pixel in from its edges: what is painted under them is painted over. None
        when that is not sure (no picture yet, one with transparency or stored turned, a
        turned or see-through item)."""
        w, h = self.size
        if not w or not h or not self.levels or not self.isVisible() or self.effectiveOpacity() < 1.0:
            return None
        if self.graphicsEffect() is not None:
            return None
        if any(lv.image.hasAlphaChannel() or lv.orientation != 1 for lv in self.levels):
            return None
        t = self.sceneTransform() * view
        if t.m12() != 0 or t.m21() != 0 or t.m11() <= 0 or t.m22() <= 0 or not t.isAffine():
            return None
        r = t.mapRect(self.boundingRect())
        left, top = math.ceil(r.left()) + 1, math.ceil(r.top()) + 1
        right, bottom = math.floor(r.right()) - 1, math.floor(r.bottom()) - 1
        if right <= left or bottom <= top:
            return None
        return QRect(left, top, right - left, bottom - top)

    def _draw_level(
        self, painter: QPainter, level: DecodedImage, image: QImage, needed: float, exposed: QRectF
    ) -> None:
        """Paint ``level`` from ``image``: its pixels or a reduction of them (see _source)."""
        # a preview is drawn unsmoothed: it is on screen for a moment, and its smooth upscale
        # (~1.5x at fit) cost 2-3 ms of each frame showing it
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, needed < 2.0 and not level.preview)
        rx = image.width() / level.image.width()  # the reduction's pixels per level pixel
        ry = image.height() / level.image.height()
        s = level.scale
        if level.orientation != 1:  # stored pixels: paint them through their orientation
            to_item = _orientation_transform(level.orientation, level.image.width(), level.image.height(), s)
            if image is not level.image:
                to_item = QTransform.fromScale(1 / rx, 1 / ry) * to_item
            source = to_item.inverted()[0].mapRect(exposed).intersected(QRectF(image.rect()))
            painter.save()
            painter.setTransform(to_item, True)
            painter.drawImage(source, image, source)
            painter.restore()
            return
        sx, sy = s * rx, s * ry
        source = QRectF(exposed.left() * sx, exposed.top() * sy, exposed.width() * sx, exposed.height() * sy)
        painter.drawImage(exposed, image, source)

    def _paint_kept(
        self, painter: QPainter, level: DecodedImage, image: QImage, needed: float, dpr: float
    ) -> bool:
        """A scaled-down image is kept at the view's pixels and copied from then on, once the view
        rests (:data:`KEEP_AFTER_MS` after a paint, in a pass of its own: not inside the next paint,
        which may be the first frame of a result that just landed) or when it is painted the same
        way twice in a row (a hover, a threshold change, a pan at fit). A zoom step paints it
        directly (and keeps nothing: the next step would throw it away), and so is a preview (the
        full image replaces it in a moment: making the copy would cost more than it saves)."""
        t = painter.worldTransform()
        device = painter.device()
        if level.preview or device is None or needed >= 1.0:
            return False
        if t.m12() != 0 or t.m21() != 0 or t.m11() <= 0 or t.m22() <= 0:
            return False
        dx, dy = t.dx() * dpr, t.dy() * dpr
        ix, iy = math.floor(dx), math.floor(dy)
        sx, sy = t.m11() * dpr, t.m22() * dpr
        w, h = self.size
        left, top = math.floor(dx - ix), math.floor(dy - iy)
        right, bottom = math.ceil(w * sx + dx - ix), math.ceil(h * sy + dy - iy)
        dev_w, dev_h = int(device.width() * dpr), int(device.height() * dpr)
        if (right - left) * (bottom - top) > 2 * dev_w * dev_h:
            return False  # bigger than the view: not worth a copy
        key = (id(level), id(image), sx, sy, dx - ix, dy - iy, left, top, right, bottom)
        if self._kept is None or self._kept[0] != key:
            if self._wanted != key:
                self._wanted = key
                self._pending = (key, level, image, needed, dpr)
                self._rest.start()
                return False
            self._make_kept()
        assert self._kept is not None
        painter.save()
        painter.setWorldTransform(QTransform())
        painter.drawImage(QPointF((left + ix) / dpr, (top + iy) / dpr), self._kept[1])
        painter.restore()
        return True

    def _keep_when_resting(self) -> None:
        """The view was painted the same way :data:`KEEP_AFTER_MS` ago and not since otherwise:
        make its copy now (pixels identical to a direct paint, so nothing is repainted)."""
        if isValid(self) and self._pending is not None and self._pending[0] == self._wanted:
            if self._kept is None or self._kept[0] != self._wanted:
                self._make_kept()

    def _make_kept(self) -> None:
        assert self._pending is not None
        key, level, source, needed, dpr = self._pending
        _, _, sx, sy, fx, fy, left, top, right, bottom = key
        image = QImage(right - left, bottom - top, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        p = QPainter(image)
        p.setTransform(QTransform(sx, 0, 0, sy, fx - left, fy - top))
        self._draw_level(p, level, source, needed, self.boundingRect())
        p.end()
        image.setDevicePixelRatio(dpr)
        self._kept = (key, image)
        self._pending = None
        self._rest.stop()


def _orientation_transform(orientation: int, width: int, height: int, scale: float) -> QTransform:
    """Map pixels of a stored ``width`` x ``height`` image to displayed item coordinates (1 / ``scale``)."""
    x0, y0 = orient_point(orientation, 0, 0, width, height)
    x1, y1 = orient_point(orientation, 1, 0, width, height)
    x2, y2 = orient_point(orientation, 0, 1, width, height)
    k = 1.0 / scale
    return QTransform((x1 - x0) * k, (y1 - y0) * k, (x2 - x0) * k, (y2 - y0) * k, x0 * k, y0 * k)


def displayed_crop(level: DecodedImage, rect: QRectF) -> QImage:
    """The part of ``level`` under ``rect`` (displayed-frame pixels), turned as displayed, at the
    level's resolution. A photo's full resolution is kept as stored (its EXIF orientation applied
    when painting), so the stored rectangle is cut and then turned."""
    s = level.scale
    if level.orientation == 1:
        r = QRectF(rect.x() * s, rect.y() * s, rect.width() * s, rect.height() * s).toAlignedRect()
        return level.image.copy(r.intersected(level.image.rect()))
    to_item = _orientation_transform(level.orientation, level.image.width(), level.image.height(), s)
    stored = to_item.inverted()[0].mapRect(rect).toAlignedRect().intersected(level.image.rect())
    turn = QTransform(to_item.m11() * s, to_item.m12() * s, to_item.m21() * s, to_item.m22() * s, 0, 0)
    return level.image.copy(stored).transformed(turn)


class Canvas(QGraphicsView):
    """Image plus overlays, following the viewer state."""

    cursorMoved = Signal(float, float)  # displayed-frame pixel under the cursor
    cursorLeft = Signal()
    zoomChanged = Signal(float)
    imageShown = Signal(bool)  # True once the full-resolution image is on screen

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        #: an extra tooltip line per word index (compare mode: both texts), or None
        self.word_note: Callable[[int], str] | None = None
        #: True at a scene point where another layer covers this overlay (the compare wipe's B side)
        self.covers: Callable[[QPointF], bool] | None = None
        setup_page_view(self)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        # the background is painted by drawBackground, around the picture only (see there)
        self.viewport().setAutoFillBackground(False)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

        self.style_opts = OverlayStyle(min_confidence=state.min_confidence, below=state.below_threshold)
        self.image_item = ImageItem()
        pool = QThreadPool(self)
        pool.setMaxThreadCount(1)
        self.image_item.workers = Workers(pool, parent=self)
        self.scene().addItem(self.image_item)
        self.overlay_root = OverlayRoot()
        self.overlay_root.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.scene().addItem(self.overlay_root)
        self.layers: dict[str, OverlayLayer] = {}
        self._retired: list[list] = []  # overlay data of replaced documents, freed a bit later
        self._held: set[str] = set()  # why the viewport takes no updates now (see _hold_updates)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(HOLD_FRAME_MS)
        self._hold.timeout.connect(self._end_hold)
        for name in LAYERS:
            item = OverlayLayer(name, self.style_opts, self.overlay_root)
            self.layers[name] = item
        # the window restores the user's choice; without one, words and tables only
        self.layers["block"].setVisible(False)
        self.layers["line"].setVisible(False)
        self.markers = MarkerItem(self.overlay_root)
        self.show_legend = True
        self._status_legend = CornerPicture()
        self._view_legend = CornerPicture()
        self._legend_line = TextStamp()  # (the legend's threshold line, drawn on every frame)
        #: the legend's corner (see legend.place_legend) and what it was chosen for; where it was drawn
        self._legend_at = CORNERS[0]
        self._legend_for: tuple | None = None
        self._legend_hidden = False
        self.legend_rect: QRectF | None = None
        #: stretch the colours over the words' confidences (see core.palette.fit_scale)
        self.fit_colours = True
        self._fit_mode = True
        self._press: QPoint | None = None
        self._drag_start: QPointF | None = None
        self._selecting_here = False
        self._space = False
        self._hover: tuple[str, int] | None = None
        self._painting = False  # in the viewport's paint event (not a render elsewhere)

        state.imageChanged.connect(self._on_image_changed)
        state.documentChanged.connect(self._on_document_changed)
        state.selectionChanged.connect(self._on_selection_changed)
        state.highlightsChanged.connect(self._refresh_markers)
        state.thresholdChanged.connect(self._on_threshold)
        state.belowThresholdChanged.connect(self._on_below)
        state.dragModeChanged.connect(self._on_drag_mode)

    # -- state -> view -------------------------------------------------------------------------
    def _on_image_changed(self) -> None:
        info = self.state.image_info
        w, h = info.display_size if info else (0, 0)
        if info is not None and self.isVisible():
            self._hold_frame()
        else:
            self._end_hold()
        self.image_item.reset(w, h)
        if info is None:  # no image follows to take the old one away: free it now
            self.image_item.retired = []
        self.scene().setSceneRect(QRectF(0, 0, w, h))
        self.overlay_root.setPos(0, 0)
        self.fit()

    def _hold_updates(self, reason: str, hold: bool) -> None:
        """The viewport takes no updates while any reason holds them ("image": the next image is
        on its way, "landing": a result's first frame waits for a pass of its own); it repaints
        when the last one ends."""
        held = bool(self._held)
        if hold:
            self._held.add(reason)
        else:
            self._held.discard(reason)
        if held != bool(self._held):
            self.viewport().setUpdatesEnabled(not self._held)  # re-enabling repaints

    def _hold_frame(self) -> None:
        """Keep the frame on screen until the next image arrives (see HOLD_FRAME_MS)."""
        self._hold_updates("image", True)
        self._hold.start()

    def _end_hold(self) -> None:
        self._hold.stop()
        self._hold_updates("image", False)

    def set_image(self, decoded: DecodedImage) -> None:
        """Show a decoded preview or the full image (called by the main window's loader).

        The previous image goes with a preview to the decode, which drops it after the preview was
        painted (off the GUI thread, before allocating the full image); otherwise it is freed here.
        """
        item = self.image_item
        if decoded.preview:
            decoded.retired, item.retired = item.retired, []
        else:
            item.retired = []
        item.add(decoded)
        self._end_hold()
        if decoded.final:
            self.imageShown.emit(True)
        self.viewport().update()

    def _on_document_changed(self) -> None:
        doc = self.state.document
        if self.state.image_info is None and doc is not None and doc.pages:
            page = doc.pages[0]  # no image: show the page's area so the overlay has a place
            if page.width and page.height and self.image_item.size != (int(page.width), int(page.height)):
                self.image_item.reset(int(page.width), int(page.height))
                self.scene().setSceneRect(self.image_item.boundingRect())
                self.fit()
        prepared = self.state.prepared_layers  # made by the recognition worker for this document
        if prepared is not None:
            self._paint_on_a_later_pass()
        layers = prepared if prepared is not None else build_layers(doc)
        # Freeing the previous document's layer data (10k QRectFs, keys, paths) took 5-12 ms
        # inside the landing pass; keep it until the event loop is quiet and free it then.
        self._retired.append([item.data for item in self.layers.values()])
        QTimer.singleShot(RELEASE_DELAY_MS, self._release_retired)
        self.style_opts.scale = self._fitted_scale(layers["word"].conf)
        for name, item in self.layers.items():
            item.set_data(layers[name])
        self.state.set_colour_scale(self.style_opts.scale)
        self._hover = None
        self._refresh_markers()
        self.viewport().update()

    def _paint_on_a_later_pass(self) -> None:
        """A result made in a worker just landed: paint its first frame on a timer pass of its own.

        The docks follow the result in the same pass, and Qt paints them on the next one (the
        scene's update, queued now); with the canvas among them that would be one long pause
        (landing, then docks' and canvas' paint back to back) instead of three short ones. So the
        viewport takes no updates until a timer started after that next pass.
        """
        if "landing" not in self._held:
            self._hold_updates("landing", True)
            QTimer.singleShot(0, self, self._paint_after_the_docks)

    def _paint_after_the_docks(self) -> None:
        QTimer.singleShot(LANDING_PAINT_DELAY_MS, self, self._paint_again)

    def _paint_again(self) -> None:
        self._hold_updates("landing", False)

    def picture_plan(self) -> PicturePlan | None:
        """The view as it is now, for a worker to make a coming result's dense picture for it
        (see :func:`ocrviewer.gui.overlay.prepare_picture`); None when words are not shown."""
        words = self.layers["word"]
        if not words.isVisible() or words.statuses is not None:
            return None
        t = words.deviceTransform(self.viewportTransform())
        vp = self.viewport()
        return PicturePlan(
            (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy()),
            vp.devicePixelRatioF() or 1.0,
            (vp.width(), vp.height()),
            replace(self.style_opts),
            self.fit_colours,
        )

    def _fitted_scale(self, conf: np.ndarray) -> ConfidenceScale:
        if not self.fit_colours:
            return FULL_SCALE
        return fit_scale(conf)

    def set_fit_colours(self, on: bool) -> None:
        """Stretch the colour scale over the words' own confidences (on) or show 0..1 (off)."""
        self.fit_colours = on
        self.style_opts.scale = self._fitted_scale(self.layers["word"].data.conf)
        for item in self.layers.values():
            item.restyle()
        self.viewport().update()
        self.state.set_colour_scale(self.style_opts.scale)

    def _release_retired(self) -> None:
        """Free the oldest replaced overlay data a slice at a time, each slice in its own pass:
        freeing 100k elements (and then QRectFs) in one go held the GUI thread ~130 ms."""
        if not self._retired:
            return
        shown = {id(item.data) for item in self.layers.values()}
        big = [
            part
            for data in self._retired[0]
            if id(data) not in shown  # (the same data shown again is only let go of)
            for part in (data.elements, data.keys)
            if isinstance(part, list) and part
        ]
        if not big:
            del self._retired[0]
            return
        del big[0][-RELEASE_SLICE:]
        QTimer.singleShot(1, self._release_retired)  # (a timer: other timers run in between)

    def _on_selection_changed(self) -> None:
        self._refresh_markers()
        ref = self.state.selection
        if ref is not None and not self._selecting_here:
            self.center_on_ref(ref)

    def _refresh_markers(self) -> None:
        sel = self.state.element(self.state.selection) if self.state.selection else None
        highlights = []
        for ref in self.state.highlights:
            el = self.state.element(ref)
            if el is not None:
                highlights.append(el.polygon)
        hover = self._hover_polygon()
        self.markers.set_marks(sel.polygon if sel is not None else None, highlights, hover)
        self.viewport().update()

    def _on_threshold(self, value: float) -> None:
        self.style_opts.min_confidence = value
        self.layers["word"].update()
        self.viewport().update()

    def _on_below(self, mode: str) -> None:
        self.style_opts.below = mode
        self.layers["word"].update()
        self.viewport().update()

    def _on_drag_mode(self, enabled: bool) -> None:
        self.setDragMode(QGraphicsView.DragMode.NoDrag if enabled else QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.SizeAllCursor if enabled else Qt.CursorShape.OpenHandCursor)

    # -- layer and style switches ---------------------------------------------------------------
    def set_layer_visible(self, name: str, visible: bool) -> None:
        self.layers[name].setVisible(visible)
        self.viewport().update()

    def layer_visible(self, name: str) -> bool:
        return self.layers[name].isVisible()

    def set_labels(self, on: bool) -> None:
        self.style_opts.labels = on
        self._update_layers()

    def set_colour_by_confidence(self, on: bool) -> None:
        self.style_opts.colour_by_confidence = on
        self._update_layers()

    def set_show_legend(self, on: bool) -> None:
        self.show_legend = on
        self.viewport().update()

    def _update_layers(self) -> None:
        for item in self.layers.values():
            item.update()
        self.viewport().update()

    def visible_count(self, name: str) -> int:
        return self.layers[name].visible_count()

    # -- zoom ----------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return (
            self.transform().m11()
            if self.transform().m12() == 0
            else math.hypot(self.transform().m11(), self.transform().m12())
        )

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self._fit_mode = False
        if anchor is None:
            anchor = self.mapToScene(self.viewport().rect().center())
        vp = self.mapFromScene(anchor)
        self.setTransform(QTransform.fromScale(factor, factor))
        delta = self.mapToScene(vp) - anchor
        self.centerOn(self.mapToScene(self.viewport().rect().center()) - delta)
        self.zoomChanged.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def fit(self) -> None:
        rect = self.image_item.boundingRect()
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-8, -8, 8, 8), Qt.AspectRatioMode.KeepAspectRatio)
        self._fit_mode = True
        self.zoomChanged.emit(self.zoom)

    def center_on_ref(self, ref: ElementRef) -> None:
        el = self.state.element(ref)
        if el is None:
            return
        b = el.bbox
        rect = QRectF(b[0], b[1], b[2] - b[0], b[3] - b[1])
        view = self.mapToScene(self.viewport().rect()).boundingRect()
        if rect.width() > view.width() * 0.9 or rect.height() > view.height() * 0.9:
            self.fitInView(rect.adjusted(-20, -20, 20, 20), Qt.AspectRatioMode.KeepAspectRatio)
            self._fit_mode = False
            self.zoomChanged.emit(self.zoom)
        self.centerOn(rect.center() + self.overlay_root.pos())

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit()

    # -- hit testing ---------------------------------------------------------------------------
    def element_at(self, scene_pos: QPointF) -> tuple[str, int] | None:
        """(layer, index) of the topmost visible element under a scene point."""
        if self.covers is not None and self.covers(scene_pos):
            return None
        p = scene_pos - self.overlay_root.pos()
        tol = 3.0 / max(self.zoom, 1e-6)
        for name in ("word", "line", "block", "table"):
            item = self.layers[name]
            if not item.isVisible() or not len(item.data):
                continue
            hit = item.hit(p.x(), p.y())
            if hit is None and name == "word":
                hit = item.hit(p.x(), p.y(), tolerance=tol)
            if hit is not None:
                return name, hit
        return None

    def tooltip_for(self, name: str, index: int) -> str:
        data = self.layers[name].data
        text = data.text(index)
        conf = data.confidence(index)
        label = data.label(index)
        b = data.bboxes[index]
        lines = [f"<b>{html.escape(text[:200], quote=False) or '(no text)'}</b>"]
        note = self.word_note(index) if name == "word" and self.word_note is not None else ""
        if note:
            lines.append(note)
        stats = None
        if name in ("line", "block"):
            stats = word_confidence(data.elements[index])
            if stats is not None:
                lines.append(stats.describe())
        if name in ("word", "line", "block"):
            if conf is not None:
                c = f"confidence {conf:.3f}"
                if label and name == "word":
                    c += f" ({label})"
                lines.append(c)
            elif label and name == "word":
                lines.append(f"confidence label {label}")
            elif stats is None:
                lines.append("no confidence")
        if name == "block" and label:
            lines.append(f"layout {label}")
        lines.append(f"{name} · x {b[0]:.0f}–{b[2]:.0f}, y {b[1]:.0f}–{b[3]:.0f}")
        return "<br>".join(lines)

    def tooltip_at(self, scene_pos: QPointF) -> str:
        hit = self.element_at(scene_pos)
        return self.tooltip_for(*hit) if hit else ""

    def _hover_polygon(self):  # noqa: ANN202 - a Polygon or None
        if self._hover is None:
            return None
        name, index = self._hover
        data = self.layers[name].data
        return data.polygon(index) if index < len(data) else None

    # -- mouse ---------------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            return
        anchor = self.mapToScene(event.position().toPoint())
        self.set_zoom(self.zoom * (ZOOM_STEP ** (delta / 120.0)), anchor)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            if self.state.drag_overlay and not self._space and self.state.document is not None:
                self._drag_start = self.mapToScene(self._press)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = self.mapToScene(event.position().toPoint())
        self.cursorMoved.emit(pos.x(), pos.y())
        if self._drag_start is not None:
            self.overlay_root.setPos(pos - self._drag_start)
            self.viewport().update()
            event.accept()
            return
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:
            self._update_hover(event.position().toPoint(), event.globalPosition().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drag_start is not None:
            shift = self.overlay_root.pos()
            self._drag_start = None
            self.overlay_root.setPos(0, 0)
            self._press = None
            if (shift.x() or shift.y()) and self.state.transform is not None:
                self.state.set_transform(self.state.transform.then(dx=shift.x(), dy=shift.y()))
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            moved = (event.position().toPoint() - self._press).manhattanLength()
            self._press = None
            if moved <= CLICK_SLOP:
                self._click(self.mapToScene(event.position().toPoint()))
        if not self.state.drag_overlay:
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)

    def _click(self, scene_pos: QPointF) -> None:
        if self.state.point_pick:
            self.state.pointPicked.emit(scene_pos.x(), scene_pos.y())
            return
        hit = self.element_at(scene_pos)
        ref = self.layers[hit[0]].data.ref(hit[1]) if hit else None
        self._selecting_here = True
        try:
            self.state.select(ref)
        finally:
            self._selecting_here = False

    def _update_hover(self, vp: QPoint, global_pos: QPoint) -> None:
        hit = self.element_at(self.mapToScene(vp))
        if hit != self._hover:
            self._hover = hit
            self.markers.set_hover(self._hover_polygon())
            self.viewport().update()
            if hit:
                QToolTip.showText(global_pos, self.tooltip_for(*hit), self.viewport())
            else:
                QToolTip.hideText()
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)

    def leaveEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        super().leaveEvent(event)
        self.cursorLeft.emit()
        if self._hover is not None:
            self._hover = None
            self.markers.set_hover(None)
            self.viewport().update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = NUDGE_STEPS.get(event.key())
        if step is not None and self.state.drag_overlay and self.state.transform is not None:
            k = NUDGE_BIG if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1.0
            self.state.set_transform(self.state.transform.then(dx=step[0] * k, dy=step[1] * k))
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        elif event.key() == Qt.Key.Key_Escape and self.state.selection is not None:
            self.state.select(None)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._on_drag_mode(self.state.drag_overlay)
        super().keyReleaseEvent(event)

    def paintEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        shown = self.mapToScene(self.viewport().rect()).boundingRect().translated(-self.overlay_root.pos())
        for item in self.layers.values():
            if item.isVisible():
                item.choose_cache(shown)
        self._painting = True
        try:
            super().paintEvent(event)
        finally:
            self._painting = False
        self.image_item.frame_done()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """The background, painted here rather than by Qt's automatic clear of the viewport: the
        view's own brush when it is opaque (it covers everything: a 1600 x 1000 clear less per
        frame), else the viewport's palette under it, as Qt's clear would have."""
        own = self.backgroundBrush()
        palette = self._painting and not (own.style() != Qt.BrushStyle.NoBrush and own.isOpaque())
        if not palette and own.style() == Qt.BrushStyle.NoBrush:
            return
        # not under the picture where it is opaque: it paints every one of those pixels itself
        # (a 1600 x 1000 fill was ~0.4 ms of each frame)
        hole = self.image_item.covered_rect(painter.worldTransform()) if self._painting else None
        if hole is not None:
            painter.save()
            world = painter.worldTransform()
            painter.resetTransform()
            painter.setClipRegion(
                QRegion(self.viewport().rect()).subtracted(QRegion(hole)), Qt.ClipOperation.IntersectClip
            )
            painter.setWorldTransform(world)
        if palette:
            vp = self.viewport()
            painter.fillRect(rect, vp.palette().brush(vp.backgroundRole()))
        super().drawBackground(painter, rect)
        if hole is not None:
            painter.restore()

    # -- foreground: legend --------------------------------------------------------------------
    def legend_wanted(self) -> bool:
        words = self.layers["word"]
        return (
            self.show_legend
            and self.style_opts.colour_by_confidence
            and words.isVisible()
            and words.has_confidence
        )

    def legend_corner(self, size: tuple[float, float]) -> str:
        """The viewport corner where a legend of ``size`` covers the fewest words, then the least of
        the picture (chosen again only when the view or the words change); "" when every corner is
        under something floating over the view (the shortcut sheet): no legend peeking out below it."""
        words = self.layers["word"]
        vp = self.viewport().rect()
        t = self.viewportTransform()
        # what floats over the picture (the welcome strip, the shortcut sheet) would hide a legend under it
        above = tuple(
            c.geometry().getRect()
            for c in self.viewport().children()
            if isinstance(c, QWidget) and c.isVisible()
        )
        key = (
            t.m11(),
            t.m12(),
            t.m21(),
            t.m22(),
            t.dx(),
            t.dy(),
            vp.width(),
            vp.height(),
            id(words.data),
            size,
            above,
        )
        if key != self._legend_for:

            def covered(rect: QRectF) -> int:
                if any(rect.intersects(QRectF(*r)) for r in above):
                    return len(words.data) + 1
                scene = self.mapToScene(rect.toAlignedRect()).boundingRect()
                return words.data.count_in_rect(words.mapFromScene(scene).boundingRect())

            picture = self.mapFromScene(self.image_item.sceneBoundingRect()).boundingRect()
            self._legend_at = place_legend(vp, size, covered, QRectF(picture), self._legend_at)
            chosen = corner_rect(vp, size, self._legend_at)
            self._legend_hidden = any(chosen.intersects(QRectF(*r)) for r in above)
            self._legend_for = key
        return "" if self._legend_hidden else self._legend_at

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        self.legend_rect = None
        if self.image_item.size == (0, 0):
            self._paint_empty_hint(painter)
            return
        words = self.layers["word"]
        if words.statuses is not None and self.show_legend and words.isVisible():
            painter.save()
            painter.resetTransform()
            vp = self.viewport().rect()
            dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
            font = self.font()
            size = status_legend_size(font)
            corner = self.legend_corner(size)
            if not corner:
                painter.restore()
                return
            self.legend_rect = corner_rect(vp, size, corner)
            self._status_legend.draw(
                painter,
                (font.key(), dark),
                self.legend_rect.bottomRight(),
                size,
                lambda p, corner: paint_status_legend(p, corner, font, dark),
            )
            painter.restore()
            return
        if not self.legend_wanted():
            return
        o = self.style_opts
        with_none = bool(np.isnan(self.layers["word"].data.conf).any())
        corner = self.legend_corner(legend_size(self.font(), o.min_confidence, with_none, o.scale))
        if not corner:
            return
        kept = self._view_legend, self._legend_line
        self.legend_rect = paint_view_legend(
            painter, self, o.min_confidence, o.below, with_none, o.scale, corner, *kept
        )

    def _paint_empty_hint(self, painter: QPainter) -> None:
        painter.save()
        painter.resetTransform()
        color = self.palette().color(QPalette.ColorRole.WindowText)
        color.setAlpha(150)
        painter.setPen(color)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        painter.setFont(font)
        # wrapped inside a margin: a narrow view (a small screen, wide docks) cut the lines at both ends
        painter.drawText(
            self.viewport().rect().adjusted(12, 12, -12, -12),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            "Open an image (Ctrl+O) or drop one here\nthen a response (Ctrl+R) or run recognition",
        )
        painter.restore()


#: how long the previous document's overlay data is kept after a new one lands
RELEASE_DELAY_MS = 250
#: objects freed per event-loop pass when old overlay data is released (~1-2 ms each)
RELEASE_SLICE = 4096
