"""The confidence legend: a gradient bar with ticks and the threshold, drawn in a view corner."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)

from ocrviewer.core.palette import FULL_SCALE, NO_CONFIDENCE_COLOR, ConfidenceScale, confidence_rgb
from ocrviewer.gui.painting import HCENTER, LEFT, RIGHT, TextStamp, brush_of, clear_image, pen_of

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractScrollArea

BAR_WIDTH = 180.0
BAR_HEIGHT = 10.0
PADDING = 10.0
#: the legend's distance from the view's edges
MARGIN = 12
#: the view's corners, in the order a legend prefers them when it covers as little in each
CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")
#: no legend in a view less than this many legends wide: in a 640x400 window (a 1280x800 screen
#: at 2x) it took 60% of the picture's width and sat over the receipt's heading
ROOM = 2.0


@functools.cache
def _bar_stops() -> list[tuple[float, QColor]]:
    """The colour scale's stops along the bar (made once: the legend is drawn on every frame)."""
    return [(i / 10, QColor(*confidence_rgb(i / 10))) for i in range(11)]


def legend_size(
    font: QFont, threshold: float, with_none: bool, scale: ConfidenceScale = FULL_SCALE
) -> tuple[float, float]:
    fm = QFontMetricsF(font)
    lines = 3 + (1 if with_none else 0) + (1 if scale.stretched else 0)
    return BAR_WIDTH + 2 * PADDING, PADDING * 2 + fm.height() * lines + BAR_HEIGHT + 6


def _colours(dark: bool) -> tuple[QColor, QColor, QColor]:
    """The legend's box, text and secondary text colours."""
    if dark:
        return QColor(32, 34, 38, 215), QColor(235, 235, 235), QColor(170, 170, 170)
    return QColor(255, 255, 255, 225), QColor(30, 30, 30), QColor(100, 100, 100)


def _bar_rect(font: QFont, rect: QRectF) -> QRectF:
    """Where the colour bar is in a legend drawn in ``rect``."""
    top = rect.top() + PADDING + QFontMetricsF(font).height() + 4
    return QRectF(rect.left() + PADDING, top, BAR_WIDTH, BAR_HEIGHT)


def paint_legend(
    painter: QPainter,
    corner: QPointF,
    font: QFont,
    threshold: float,
    below: str,
    with_none: bool = False,
    dark: bool = False,
    scale: ConfidenceScale = FULL_SCALE,
) -> QRectF:
    """Draw the legend with its bottom-right corner at ``corner`` (device pixels); returns its rect.

    The bar spans ``scale`` (its ticks say where it starts and ends, and a line says when it was
    stretched to the words); "no confidence" is a hatched grey swatch, as on the canvas.
    """
    stamp = TextStamp()
    rect = paint_legend_box(painter, corner, font, with_none, dark, scale, (threshold, below), stamp=stamp)
    paint_legend_threshold(painter, rect, font, threshold, below, dark, scale, mark=False, stamp=stamp)
    return rect


def paint_legend_box(
    painter: QPainter,
    corner: QPointF,
    font: QFont,
    with_none: bool = False,
    dark: bool = False,
    scale: ConfidenceScale = FULL_SCALE,
    mark: tuple[float, str] | None = None,
    swatch: bool = True,
    stamp: TextStamp | None = None,
) -> QRectF:
    """What of the legend does not depend on the threshold (the box, the bar and its ticks, the
    hatched swatch), bottom-right corner at ``corner``; :func:`paint_legend_threshold` adds the
    rest. ``mark``: the threshold and mode whose shade and mark are drawn here, on the bar before
    its ticks (a mark's end can touch a tick's first pixel row); ``swatch``: the hatched swatch
    is drawn here (a hatch lines up with the device's pixels: not in a picture copied elsewhere).
    Returns the legend's rect."""
    fm = QFontMetricsF(font)
    w, h = legend_size(font, 0.0, with_none, scale)
    rect = QRectF(corner.x() - w, corner.y() - h, w, h)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.setFont(font)
    draw_text = (stamp or TextStamp()).draw
    bg, fg, sub = _colours(dark)
    path = QPainterPath()
    path.addRoundedRect(rect, 8, 8)
    painter.fillPath(path, brush_of(bg))
    painter.strokePath(path, pen_of(QColor(0, 0, 0, 40)))

    x = rect.left() + PADDING
    y = rect.top() + PADDING
    title_font = QFont(font)
    title_font.setBold(True)
    painter.setFont(title_font)
    draw_text(painter, QRectF(x, y, BAR_WIDTH, fm.height()), LEFT, "Word confidence", fg)
    painter.setFont(font)
    y += fm.height() + 4

    bar = _bar_rect(font, rect)
    grad = QLinearGradient(bar.topLeft(), bar.topRight())
    grad.setStops(_bar_stops())
    bar_path = QPainterPath()
    bar_path.addRoundedRect(bar, 3, 3)
    painter.fillPath(bar_path, QBrush(grad))
    if mark is not None:
        _paint_mark(painter, bar, mark[0], mark[1], fg, scale)
    y += BAR_HEIGHT + 2
    digits = 2 if scale.stretched else 1
    for value, align in ((scale.low, LEFT), ((scale.low + scale.high) / 2, HCENTER), (scale.high, RIGHT)):
        prefix = "≤" if value == scale.low and scale.low > 0 else ""
        draw_text(painter, QRectF(x, y, BAR_WIDTH, fm.height()), align, f"{prefix}{value:.{digits}f}", sub)
    y += fm.height()
    if scale.stretched:
        draw_text(painter, QRectF(x, y, BAR_WIDTH, fm.height()), LEFT, scale.note, sub)
        y += fm.height()
    if with_none:
        y += fm.height()  # (under the threshold's line)
        if swatch:
            _paint_swatch(painter, x, y, fm.height())
        draw_text(
            painter, QRectF(x + 14, y, BAR_WIDTH - 14, fm.height()), LEFT, "no confidence (hatched)", fg
        )
    painter.restore()
    return rect


def paint_legend_threshold(
    painter: QPainter,
    rect: QRectF,
    font: QFont,
    threshold: float,
    below: str,
    dark: bool = False,
    scale: ConfidenceScale = FULL_SCALE,
    mark: bool = True,
    swatch: bool = False,
    stamp: TextStamp | None = None,
) -> None:
    """What of the legend in ``rect`` the threshold sets, over :func:`paint_legend_box`: the line
    saying it and (``mark``) the bar shaded where words are dimmed or hidden, and its mark; and
    (``swatch``) the hatched swatch of words without a confidence."""
    fm = QFontMetricsF(font)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.setFont(font)
    _, fg, _ = _colours(dark)
    bar = _bar_rect(font, rect)
    if mark:
        _paint_mark(painter, bar, threshold, below, fg, scale)
    y = bar.bottom() + 2 + fm.height() * (2 if scale.stretched else 1)
    if threshold > 0:
        verb = "hidden" if below == "hide" else "dimmed"
        text = f"only under {threshold:.2f}" if below == "only" else f"under {threshold:.2f}: {verb}"
    else:
        text = "no threshold"
    (stamp or TextStamp()).draw(
        painter, QRectF(rect.left() + PADDING, y, BAR_WIDTH, fm.height()), LEFT, text, fg
    )
    if swatch:
        _paint_swatch(painter, rect.left() + PADDING, y + fm.height(), fm.height())
    painter.restore()


def _paint_swatch(painter: QPainter, x: float, y: float, line: float) -> None:
    """The hatched swatch of words without a confidence, on the text line at ``y``."""
    swatch = QRectF(x, y + line / 2 - 5, 10, 10)
    hatch = QtCore.Qt.BrushStyle.BDiagPattern
    painter.fillRect(swatch, QBrush(QColor(NO_CONFIDENCE_COLOR), hatch))
    painter.setPen(QPen(QColor(NO_CONFIDENCE_COLOR), 1))
    painter.drawRect(swatch)


def _paint_mark(
    painter: QPainter, bar: QRectF, threshold: float, below: str, fg: QColor, scale: ConfidenceScale
) -> None:
    """The bar shaded where words are dimmed or hidden, and the threshold's mark (none at 0)."""
    if threshold <= 0:
        return
    at = scale.position(threshold)
    bar_path = QPainterPath()
    bar_path.addRoundedRect(bar, 3, 3)
    cut = QRectF(bar.left(), bar.top(), BAR_WIDTH * at, BAR_HEIGHT)
    if below == "only":  # the words above the threshold are the ones not shown
        cut = QRectF(bar.left() + BAR_WIDTH * at, bar.top(), BAR_WIDTH * (1 - at), BAR_HEIGHT)
    shade = QColor(0, 0, 0, 120) if below in ("hide", "only") else QColor(255, 255, 255, 130)
    painter.save()
    painter.setClipPath(bar_path)
    painter.fillRect(cut, shade)
    painter.restore()
    tx = bar.left() + BAR_WIDTH * at
    painter.save()
    painter.setPen(QPen(fg, 2))
    painter.drawLine(QPointF(tx, bar.top() - 3), QPointF(tx, bar.bottom() + 3))
    painter.restore()


def corner_rect(viewport: QRect, size: tuple[float, float], corner: str) -> QRectF:
    """Where a legend of ``size`` sits in ``corner`` of ``viewport`` (MARGIN from its edges)."""
    w, h = size
    right = viewport.right() - MARGIN if corner.endswith("right") else viewport.left() + MARGIN + w
    bottom = viewport.bottom() - MARGIN if corner.startswith("bottom") else viewport.top() + MARGIN + h
    return QRectF(right - w, bottom - h, w, h)


def place_legend(
    viewport: QRect,
    size: tuple[float, float],
    covered: Callable[[QRectF], int] | None = None,
    picture: QRectF | None = None,
    current: str = CORNERS[0],
) -> str:
    """The corner where a legend hides the fewest words (``covered(rect)`` counts those under a
    rect of the viewport), then the least of the ``picture`` (its rect in the viewport): beside
    the page where there is room, over its emptiest corner where there is none. ``current`` (the
    corner it is in) wins a tie, so panning does not make it jump back and forth."""
    if covered is None and picture is None:
        return CORNERS[0]

    def cost(corner: str) -> tuple[int, float, int]:
        rect = corner_rect(viewport, size, corner)
        words = covered(rect) if covered is not None else 0
        over = rect.intersected(picture) if picture is not None else QRectF()
        return words, round(over.width() * over.height() / 400), (corner != current, CORNERS.index(corner))

    return min(CORNERS, key=cost)


def paint_view_legend(
    painter: QPainter,
    view: QAbstractScrollArea,
    min_confidence: float,
    below: str,
    with_none: bool,
    scale: ConfidenceScale,
    corner: str = CORNERS[0],
    picture: CornerPicture | None = None,
    stamp: TextStamp | None = None,
) -> QRectF | None:
    """The confidence legend in ``corner`` of ``view``'s viewport (see :func:`place_legend`), in
    the view's font and light or dark as its palette; none in a view too small for it (it would
    cover the picture). Returns where it was drawn, in viewport pixels.

    With ``picture`` (a view that paints the legend on every frame) what does not depend on the
    threshold is drawn into it when that changed (colour scale, hatched swatch, font,
    light or dark) and copied from it otherwise, and the threshold's shade, mark and line are
    drawn over it (with ``stamp``, when given: a label made once, not on every frame): drawing
    it all was ~0.6-1.2 ms of every frame."""
    vp = view.viewport().rect()
    font = view.font()
    w, h = legend_size(font, min_confidence, with_none, scale)
    if vp.width() < w * ROOM or vp.height() < h * 3:
        return None
    painter.save()
    painter.resetTransform()
    dark = view.palette().color(QPalette.ColorRole.Window).lightness() < 128
    at = corner_rect(vp, (w, h), corner).bottomRight()
    rect = QRectF(at.x() - w, at.y() - h, w, h)
    if picture is None:
        rect = paint_legend(
            painter, at, font, min_confidence, below, with_none=with_none, dark=dark, scale=scale
        )
    else:
        picture.draw(
            painter,
            (font.key(), dark, with_none, scale),
            at,
            (w, h),
            lambda p, c: paint_legend_box(p, c, font, with_none, dark, scale, swatch=False),
        )
        paint_legend_threshold(
            painter, rect, font, min_confidence, below, dark, scale, swatch=with_none, stamp=stamp
        )
    painter.restore()
    return rect


def paint_status_legend(painter: QPainter, corner: QPointF, font: QFont, dark: bool = False) -> QRectF:
    """Compare mode's legend (the four statuses and their colours), bottom-right corner at ``corner``."""
    from ocrviewer.core.palette import STATUS_COLORS

    fm = QFontMetricsF(font)
    w = BAR_WIDTH + 2 * PADDING
    h = PADDING * 2 + fm.height() * (1 + len(STATUS_COLORS)) + 4
    rect = QRectF(corner.x() - w, corner.y() - h, w, h)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setFont(font)
    path = QPainterPath()
    path.addRoundedRect(rect, 8, 8)
    painter.fillPath(path, QColor(32, 34, 38, 215) if dark else QColor(255, 255, 255, 225))
    painter.setPen(QPen(QColor(0, 0, 0, 40), 1))
    painter.drawPath(path)
    fg = QColor(235, 235, 235) if dark else QColor(30, 30, 30)
    x, y = rect.left() + PADDING, rect.top() + PADDING
    title = QFont(font)
    title.setBold(True)
    painter.setFont(title)
    painter.setPen(fg)
    painter.drawText(QRectF(x, y, BAR_WIDTH, fm.height()), LEFT, "Against ground truth")
    painter.setFont(font)
    y += fm.height() + 4
    for name, colour in STATUS_COLORS.items():
        sw = QRectF(x, y + (fm.height() - 10) / 2, 10, 10)
        painter.fillRect(sw, QColor(colour))
        edge = QColor(fg)
        edge.setAlpha(150)  # outlined: "extra" is black, which vanished on the dark legend
        painter.setPen(QPen(edge, 1))
        painter.drawRect(sw.adjusted(-0.5, -0.5, 0.5, 0.5))
        painter.setPen(fg)
        painter.drawText(QRectF(x + 16, y, BAR_WIDTH - 16, fm.height()), LEFT, name)
        y += fm.height()
    painter.restore()
    return rect


def status_legend_size(font: QFont) -> tuple[float, float]:
    """Width and height of compare mode's legend (see :func:`paint_status_legend`)."""
    from ocrviewer.core.palette import STATUS_COLORS

    fm = QFontMetricsF(font)
    return BAR_WIDTH + 2 * PADDING, PADDING * 2 + fm.height() * (1 + len(STATUS_COLORS)) + 4


class CornerPicture:
    """A legend drawn once into a transparent picture and copied onto each frame: drawing its
    rounded box and its lines of text was ~0.8 ms of every frame. The pixels are the direct
    drawing's, within a level of rounding where its text's edges blend over the box."""

    def __init__(self) -> None:
        self._key: Hashable | None = None
        self._image = QImage()

    def draw(
        self,
        painter: QPainter,
        key: Hashable,
        corner: QPointF,
        size: tuple[float, float],
        paint: Callable[[QPainter, QPointF], object],
    ) -> None:
        """Copy the legend ``paint(painter, corner)`` draws (``size``: its width and height, left
        and up of ``corner``) onto ``painter`` (untransformed), drawing it again when ``key``
        (what it shows) or its place within a pixel changed."""
        device = painter.device()
        dpr = (device.devicePixelRatioF() if device is not None else 1.0) or 1.0
        w, h = size
        left, top = math.floor(corner.x() - w) - 1, math.floor(corner.y() - h) - 1  # (its antialiased edge)
        at = QPointF(corner.x() - left, corner.y() - top)
        full = (key, dpr, at.x(), at.y())
        if self._key != full:
            image = clear_image(math.ceil((at.x() + 2) * dpr), math.ceil((at.y() + 2) * dpr))
            image.setDevicePixelRatio(dpr)
            p = QPainter(image)
            paint(p, at)
            p.end()
            self._key, self._image = full, image
        painter.drawImage(QPointF(left, top), self._image)
