"""Painting without PySide's `Qt` namespace, for what the first frame draws (gui.first_frame, the
legend, the window's chrome around them).

PySide builds the `Qt` namespace whole, ~100 enums (~25 ms, a sixth of a cold start), on its first
use: importing `Qt`, and every call whose overloads take one of its enums, such as
``QPainter.setPen``, ``setBrush``, ``fillRect``, ``QBrush(QColor)``, ``fillPath(path, QColor)``
and ``setBackgroundBrush(QColor)``. The first frame's modules reach it as ``QtCore.Qt`` where
they need it (after the first frame, or in rare branches), set enum properties by name
(``setProperty("toolButtonStyle", "ToolButtonTextOnly")``), and draw with the helpers here: pens
and brushes made from a QPen's colour, shapes filled and stroked with ``fillPath`` and
``strokePath``, text coloured through a palette.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication

#: Qt.AlignmentFlag's values, as drawText takes them (an int)
LEFT, RIGHT, HCENTER = 0x1, 0x2, 0x4


def pen_of(color: QColor, width: float = 1.0) -> QPen:
    """A solid pen of ``color``, ``width`` wide (as ``QPen(color, width)``)."""
    pen = QPen()
    pen.setColor(color)
    pen.setWidthF(width)
    return pen


def brush_of(color: QColor) -> QBrush:
    """A solid brush of ``color`` (as ``QBrush(color)``)."""
    return pen_of(color).brush()


def draw_text(painter: QPainter, rect: QRectF, align: int, text: str, color: QColor) -> None:
    """``painter.drawText(rect, align, text)`` in ``color``, the painter's pen kept: the style draws
    it with a palette's colour (``QStyle.drawItemText``), in a whole-pixel rect with the painter
    moved by ``rect``'s corner (the same glyph positions: Qt places text in 1/64 pixels)."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.WindowText, color)
    painter.save()
    painter.translate(rect.topLeft())
    box = QRect(0, 0, math.ceil(rect.width()), math.ceil(rect.height()))
    QApplication.style().drawItemText(painter, box, align, palette, True, text, QPalette.ColorRole.WindowText)
    painter.restore()
