"""The first frame at start: the picture and its overlay, painted before the rest of the window loads.

``ocrviewer`` (the bundled sample) and ``ocrviewer view IMAGE -r RESPONSE`` open a picture a person
waits for, while numpy, Pillow and the window's canvas, files and panels take ~0.4 s of CPU to
import and build. When the response is small and its placement is recorded (its sidecar's
transform, as recognition and the bundled sample write it: no frame detection is needed), the
window first shows this view: the picture decoded by Qt at the same reduced JPEG scale the loader
decodes its preview at, and the overlay drawn from the parsed document with plain QPainter paths in
the canvas' colours, pens, fit and legend. Only Qt, the parsers and the model are needed for it,
and it is drawn without PySide's `Qt` namespace (gui.painting: its ~100 enums come after the first
frame, with the canvas).
The window then builds the rest and swaps in its canvas once that shows the same
(:meth:`~ocrviewer.gui.main_window.MainWindow.finish_start`), reusing the parsed document.
"""

from __future__ import annotations

import logging
import math
import os
import struct
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QDataStream, QRectF, QSettings
from PySide6.QtGui import QBrush, QColor, QImage, QImageReader, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QStyleOptionGraphicsItem, QWidget

from ocrviewer.core.drawing import BUCKETS, DENSE_LIMIT, FILL_ALPHA, NO_CONF, NO_CONF_ALPHA
from ocrviewer.core.drawing import preview_side as fitted_side
from ocrviewer.core.geometry import SWAPS_AXES, FrameTransform
from ocrviewer.core.model import Document, Polygon
from ocrviewer.core.palette import FULL_SCALE, LEVEL_COLORS, ConfidenceScale, confidence_rgb, fit_scale
from ocrviewer.errors import OcrViewerError
from ocrviewer.gui import settings_keys as keys
from ocrviewer.gui.legend import CORNERS, CornerPicture, legend_size, paint_view_legend, place_legend
from ocrviewer.gui.page_view import setup_page_view
from ocrviewer.gui.painting import brush_of, pen_of
from ocrviewer.gui.start_prefetch import (
    EXIF_OF_TRANSFORMATION,
    FIRST_FRAME_MAX_BYTES,
    StartPrefetch,
    decode_preview,
    preview_scaled_size,
)

log = logging.getLogger("ocrviewer.gui.first_frame")

#: the overlay's drawing order and defaults (as core.layers.LAYERS and the window's settings)
LEVELS = ("table", "block", "line", "word")
DEFAULT_VISIBLE = {"block": False, "line": False, "word": True, "table": True}


class FirstFrame:
    """What the first frame shows: the image (its size as stored and displayed, its EXIF
    orientation), the response as parsed and the recorded transform placing it."""

    def __init__(
        self,
        image_path: str,
        response_path: str,
        source: Document,
        transform: FrameTransform,
        display_size: tuple[int, int],
        stored_size: tuple[int, int],
        orientation: int,
    ) -> None:
        self.image_path = image_path
        self.response_path = response_path
        #: the response as parsed (handed to the window's loading, which places it once more in full)
        self.source = source
        self.transform = transform
        self.display_size = display_size
        self.stored_size = stored_size
        self.orientation = orientation
        #: the picture decoded ahead on a thread at start, if any (read_preview takes it)
        self.prefetch: StartPrefetch | None = None


def first_frame_for(image: str | None, response: str | None, frame: str = "auto") -> FirstFrame | None:
    """A first frame for opening ``image`` with ``response``, or None when the window must open
    them its usual way (no response, a PDF or folder, a big response, no recorded placement, a
    forced frame, an image Qt cannot read or of another size than the placement's)."""
    if not image or not response or frame != "auto" or not os.path.isfile(image):
        return None
    rpath = Path(response)
    try:
        if rpath.suffix.lower() != ".json" or rpath.stat().st_size > FIRST_FRAME_MAX_BYTES:
            return None
        from ocrviewer.core.sidecar import read_sidecar

        sidecar = read_sidecar(rpath)
        if sidecar is None or sidecar.transform is None:
            return None  # (another image than the sidecar's: placed the same, the window warns)
        reader = QImageReader(image)
        fmt = bytes(reader.format().data()).decode("ascii", "replace").lower()
        if fmt != "jpeg" or not reader.size().isValid():
            return None  # (the loader's preview of another format is Pillow's thumbnail)
        stored = (reader.size().width(), reader.size().height())
        orientation = EXIF_OF_TRANSFORMATION.get(reader.transformation().value, 1)
        shown = (stored[1], stored[0]) if orientation in SWAPS_AXES else stored
        t = sidecar.transform
        if (round(t.output_size[0]), round(t.output_size[1])) != shown:
            return None
        from ocrviewer.core.parsers import load_response

        source = load_response(rpath)
    except (OcrViewerError, OSError):  # a bad response or sidecar: the window's own loading says what
        return None
    except Exception:  # a bug: not hidden, but the start goes on the usual way
        log.warning("first frame: unexpected error; the window opens the files its usual way", exc_info=True)
        return None
    if len(source.pages) != 1 or source.warnings:
        return None
    if any(len(polys) > DENSE_LIMIT for polys in level_polygons(source).values()):
        return None  # the canvas fills so many polygons as a picture, not outlines
    return FirstFrame(str(image), str(response), source, t, shown, stored, orientation)


def read_preview(first: FirstFrame, side: int) -> QImage:
    """The picture as the loader's preview shows it for a view ``side`` pixels long: a JPEG at the
    largest 1/2, 1/4 or 1/8 DCT scale still reaching PREVIEW_MIN_SHARE of it (as Pillow's draft),
    upright; the one decoded ahead at start when it has that size (gui.start_prefetch)."""
    scaled = preview_scaled_size(first.stored_size, side)
    if first.prefetch is not None:
        picture = first.prefetch.preview(first.image_path, scaled)
        if picture is not None:
            return picture
    return decode_preview(first.image_path, scaled)


def overlay_settings(settings: QSettings) -> dict[str, bool]:
    """The overlay switches the window restores (layers, labels, confidence colours, legend)."""
    out = {f"layer_{n}": settings.value(keys.layer_key(n), DEFAULT_VISIBLE[n], type=bool) for n in LEVELS}
    for key, default in (("labels", False), ("confidence", True), ("legend", True), ("fit_colours", True)):
        out[key] = settings.value(keys.view_key(key), default, type=bool)
    return out


def can_draw(settings: QSettings) -> bool:
    """The first frame draws what the canvas draws at these settings (labels are left to it)."""
    return not overlay_settings(settings)["labels"]


def level_polygons(doc: Document) -> dict[str, list[tuple[Polygon, float | None]]]:
    """Each level's polygons with their confidence, in the canvas' order (core.layers.build_layers)."""
    out: dict[str, list[tuple[Polygon, float | None]]] = {n: [] for n in LEVELS}
    for page in doc.pages:
        for block in page.blocks:
            if block.polygon:
                out["block"].append((block.polygon, block.confidence))
            for line in block.lines:
                if line.polygon:
                    out["line"].append((line.polygon, line.confidence))
                ws = line.words
                if ws and ws[0].polygon and ws[-1].polygon:
                    out["word"].extend((w.polygon, w.confidence) for w in ws)
        for table in page.tables:
            out["table"].append((table.polygon, None))
            out["table"].extend((c.polygon, None) for c in table.cells)
    return out


def _bucket(conf: float | None, scale: ConfidenceScale) -> int:
    """As core.layers.conf_buckets, for one confidence."""
    if conf is None or math.isnan(conf):
        return NO_CONF
    span = max(scale.high - scale.low, 1e-9)
    return round(min(1.0, max(0.0, (conf - scale.low) / span)) * BUCKETS)


class _Picture(QGraphicsItem):
    """The reduced picture, painted as the canvas' ImageItem paints a preview level."""

    def __init__(self, image: QImage, size: tuple[int, int]) -> None:
        super().__init__()
        self.image, self.size = image, size
        self.setZValue(-10)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self.size)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        device = painter.device()
        needed = lod * (device.devicePixelRatioF() if device else 1.0)
        exposed = option.exposedRect.intersected(self.boundingRect())
        if exposed.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, needed < 2.0)
        s = self.image.width() / self.size[0]
        source = QRectF(exposed.left() * s, exposed.top() * s, exposed.width() * s, exposed.height() * s)
        painter.drawImage(exposed, self.image, source)


class _Outlines(QGraphicsItem):
    """One level's polygons, outlined and filled as the canvas' OverlayLayer draws them at fit."""

    def __init__(
        self, level: str, polys: list[tuple[Polygon, int]], colour_of: dict[int, QColor], hatch: bool
    ) -> None:
        super().__init__()
        self.level, self.polys, self.colour_of, self.hatch = level, polys, colour_of, hatch
        xs = [x for poly, _ in polys for x, _y in poly]
        ys = [y for poly, _ in polys for _x, y in poly]
        x0, y0 = min(xs), min(ys)
        self._rect = QRectF(x0, y0, max(xs) - x0, max(ys) - y0).adjusted(-2, -2, 2, 2)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue({"table": 1, "block": 2, "line": 3, "word": 4}[level])

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= 1.0 and len(self.polys) <= 1500)
        fill = self.level in ("word", "table")
        for key in sorted({k for _, k in self.polys}):
            path = _winding_path([poly for poly, k in self.polys if k == key])
            color = self.colour_of[key]
            # (a 1-pixel cosmetic pen draws the same pixels with the canvas' mitred joins)
            pen = pen_of(color)
            pen.setCosmetic(True)
            if fill:
                brush = color.toRgb()  # (a copy; QColor(QColor) would need the `Qt` namespace)
                hatched = key == NO_CONF and self.hatch
                brush.setAlpha(NO_CONF_ALPHA if hatched else FILL_ALPHA)
                hatch = QtCore.Qt.BrushStyle.BDiagPattern if hatched else None
                painter.fillPath(path, QBrush(brush, hatch) if hatch is not None else brush_of(brush))
            painter.strokePath(path, pen)


def _winding_path(polys: list[Polygon]) -> QPainterPath:
    """The closed polygons as one path with the winding fill (as the canvas' overlay.path_from_points
    makes it: read from QPainterPath's stream form; setFillRule would need the `Qt` namespace)."""
    elements = []
    for poly in polys:
        elements.append(struct.pack("<idd", 0, *poly[0]))
        elements.extend(struct.pack("<idd", 1, x, y) for x, y in poly[1:])
        elements.append(struct.pack("<idd", 1, *poly[0]))
    blob = struct.pack("<i", len(elements)) + b"".join(elements) + struct.pack("<ii", 0, 1)
    stream = QDataStream(QByteArray(blob))
    stream.setByteOrder(QDataStream.ByteOrder.LittleEndian)
    path = QPainterPath()
    stream >> path  # cStart 0, winding fill
    return path


class FirstFrameView(QGraphicsView):
    """The picture with its overlay and legend, fitted as the canvas fits it."""

    def __init__(self, first: FirstFrame, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # a viewport made here: wrapping Qt's own on its first use makes PySide initialise every
        # QWidget subclass it might be (their ~75 enums, ~25 ms) before the first frame
        self.setViewport(QWidget())
        self.first = first
        self.opts = overlay_settings(settings)
        setup_page_view(self)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        # always at fit: no scroll bars (as needed, they came and went while the window was laid
        # out, each time fitting the picture again); set by name, without the `Qt` namespace
        self.setProperty("horizontalScrollBarPolicy", "ScrollBarAlwaysOff")
        self.setProperty("verticalScrollBarPolicy", "ScrollBarAlwaysOff")
        w, h = first.display_size
        self.scene().setSceneRect(QRectF(0, 0, w, h))
        self.picture: _Picture | None = None
        self.scale_ = FULL_SCALE
        self.with_none = False
        #: the legend drawn as the canvas draws it (the canvas that replaces this view: same pixels)
        self._legend = CornerPicture()
        self.has_confidence = False
        self.word_boxes: list[tuple[float, float, float, float]] = []
        self._add_overlay()

    def _add_overlay(self) -> None:
        t = self.first.transform
        placed = {
            level: [(p if t.is_identity else tuple(t.apply(x, y) for x, y in p), c) for p, c in polys]
            for level, polys in level_polygons(self.first.source).items()
        }
        words = [c for _, c in placed["word"]]
        self.word_boxes = [
            (min(x for x, _ in p), min(y for _, y in p), max(x for x, _ in p), max(y for _, y in p))
            for p, _ in placed["word"]
        ]
        rated = [c for c in words if c is not None and not math.isnan(c)]
        self.has_confidence = bool(rated)
        self.with_none = len(rated) < len(words)
        self.scale_ = fit_scale(words) if self.opts["fit_colours"] else FULL_SCALE
        by_conf = self.opts["confidence"] and self.has_confidence
        for level in LEVELS:
            polys = placed[level]
            if not polys or not self.opts[f"layer_{level}"]:
                continue
            if level == "word":
                keyed = [(p, _bucket(c, self.scale_)) for p, c in polys]
            else:
                keyed = [(p, 0) for p, _ in polys]
            colour_of = {
                k: QColor(*confidence_rgb(None if k == NO_CONF else k / BUCKETS))
                if level == "word" and by_conf
                else QColor(LEVEL_COLORS[level])
                for k in {k for _, k in keyed}
            }
            self.scene().addItem(_Outlines(level, keyed, colour_of, level == "word" and by_conf))

    def preview_side(self) -> int:
        """The picture fitted into this view, in device pixels (core.drawing.preview_side, as the loader)."""
        view = (self.viewport().width(), self.viewport().height())
        return fitted_side(self.first.display_size, view, self.viewport().devicePixelRatioF())

    def show_picture(self) -> None:
        """Decode the picture for the view's present size (call once the window is laid out)."""
        if self.picture is None:
            self.picture = _Picture(read_preview(self.first, self.preview_side()), self.first.display_size)
            self.scene().addItem(self.picture)
            self.fit()

    def fit(self) -> None:
        """As the canvas' fit: ``fitInView(picture + 8 px, Qt.KeepAspectRatio)``, step by step as
        QGraphicsView does it (its aspect-ratio argument would need the `Qt` namespace)."""
        w, h = self.first.display_size
        rect = QRectF(0, 0, w, h).adjusted(-8, -8, 8, 8)
        unity = self.transform().mapRect(QRectF(0, 0, 1, 1))
        if unity.isEmpty():
            return
        self.scale(1 / unity.width(), 1 / unity.height())
        view = QRectF(self.viewport().rect()).adjusted(2, 2, -2, -2)
        scene = self.transform().mapRect(rect)
        if view.isEmpty() or scene.isEmpty():
            return
        ratio = min(view.width() / scene.width(), view.height() / scene.height())
        self.scale(ratio, ratio)
        self.centerOn(rect.center())

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        super().resizeEvent(event)
        self.fit()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        o = self.opts
        if not (o["legend"] and o["confidence"] and o["layer_word"] and self.has_confidence):
            return
        paint_view_legend(
            painter, self, 0.0, "dim", self.with_none, self.scale_, self._legend_corner(), self._legend
        )

    def _legend_corner(self) -> str:
        """Where the canvas puts the legend for this view (legend.place_legend), so it stays put
        when the canvas takes over."""
        size = legend_size(self.font(), 0.0, self.with_none, self.scale_)

        def covered(rect: QRectF) -> int:
            r = self.mapToScene(rect.toAlignedRect()).boundingRect()
            return sum(
                1
                for x0, y0, x1, y1 in self.word_boxes
                if x1 >= r.left() and x0 <= r.right() and y1 >= r.top() and y0 <= r.bottom()
            )

        w, h = self.first.display_size
        picture = self.mapFromScene(QRectF(0, 0, w, h)).boundingRect()
        return place_legend(self.viewport().rect(), size, covered, QRectF(picture), CORNERS[0])
