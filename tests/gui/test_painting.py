"""Painting without PySide's `Qt` namespace (gui.painting): the same pixels as Qt's usual calls."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ocrviewer.gui.painting import HCENTER, LEFT, RIGHT, TextStamp, brush_of, pen_of

TEXTS = (
    (LEFT, "Word confidence", QColor(30, 30, 30)),
    (HCENTER, "0.97", QColor(100, 100, 100)),
    (RIGHT, "1.00", QColor(235, 235, 235)),
    (LEFT, "≤0.95 stretched: 5th pct to max", QColor(170, 170, 170)),
    (LEFT, "<b>not</b> markup & no mnemonic", QColor(208, 49, 45)),
)


def _picture(dpr: float, bold: bool, draw) -> QImage:  # noqa: ANN001
    image = QImage(round(320 * dpr), round(130 * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(QColor(255, 255, 255, 225))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    font = QFont(QWidget().font())
    font.setBold(bold)
    painter.setFont(font)
    painter.setPen(QPen(QColor(0, 0, 255), 2))  # a pen of its own, which the stamp keeps
    height = QFontMetricsF(font).height()
    for i, (align, text, colour) in enumerate(TEXTS):
        draw(painter, QRectF(10.0, 7.25 + i * (height + 4.3), 180.0, height), align, text, colour)
    painter.drawLine(0, 0, 319, 0)
    painter.end()
    return image


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("bold", [False, True])
def test_a_text_stamp_draws_what_drawtext_draws_with_that_pen(qtbot, dpr: float, bold: bool) -> None:
    def with_pen(painter, rect, align, text, colour) -> None:  # noqa: ANN001
        painter.save()
        painter.setPen(colour)
        painter.drawText(rect, align, text)
        painter.restore()

    stamp = TextStamp()
    ours = _picture(dpr, bold, stamp.draw)
    theirs = _picture(dpr, bold, with_pen)
    assert ours == theirs
    assert ours != _picture(dpr, bold, lambda *a: None)  # (it drew something)


def test_pens_and_brushes_are_qts_own() -> None:
    colour = QColor(61, 126, 234, 130)
    assert pen_of(colour, 2.5) == QPen(colour, 2.5)
    assert pen_of(colour) == QPen(colour, 1.0)
    assert brush_of(colour) == QBrush(colour)


def test_clear_image_is_a_transparent_image_of_its_own(qapp) -> None:  # noqa: ARG001 (a QGuiApplication)
    from PySide6.QtGui import QImage

    from ocrviewer.gui.painting import clear_image

    image = clear_image(37, 5)
    assert (image.width(), image.height()) == (37, 5)
    assert image.format() == QImage.Format.Format_ARGB32_Premultiplied
    assert {image.pixel(x, y) for x in range(37) for y in range(5)} == {0}
    image.setPixel(3, 2, 0xFF112233)  # its own pixels (a copy, not the zeros it was made from)
    assert image.pixel(3, 2) == 0xFF112233 and clear_image(37, 5).pixel(3, 2) == 0
