"""Painting without PySide's `Qt` namespace, for what the first frame draws (gui.first_frame, the
legend, the window's chrome around them).

PySide builds the `Qt` namespace whole, ~100 enums (~25 ms, a sixth of a cold start), on its first
use: importing `Qt`, and every call whose overloads take one of its enums, such as
``QPainter.setPen``, ``setBrush``, ``fillRect``, ``QBrush(QColor)``, ``fillPath(path, QColor)``
and ``setBackgroundBrush(QColor)``. The first frame's modules reach it as ``QtCore.Qt`` where
they need it (after the first frame, or in rare branches), set enum properties by name
(``setProperty("toolButtonStyle", "ToolButtonTextOnly")``), and draw with the helpers here: pens
and brushes made from a QPen's colour, shapes filled and stroked with ``fillPath`` and
``strokePath``, text coloured through a palette (:class:`TextStamp`).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QWidget

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


def clear_image(width: int, height: int) -> QImage:
    """A transparent ARGB32 (premultiplied) image, as ``QImage(w, h, fmt)`` + ``fill(0)``: its
    pixels copied from zeros, since ``QImage.fill``'s overloads (int, QColor, Qt.GlobalColor) make
    PySide build the ``Qt`` namespace, ~15 ms before a first frame that draws its legend."""
    width, height = max(1, width), max(1, height)
    zeros = bytes(width * height * 4)
    return QImage(zeros, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied).copy()


class TextStamp:
    """Draws text in a colour without setting the painter's pen: a hidden plain-text QLabel in that
    colour (its palette), rendered at the text's place. Qt paints it with ``QStyle.drawItemText``,
    i.e. ``drawText`` with that pen, in a whole-pixel rect: the painter is moved by the rect's
    corner instead (the same glyph positions: Qt places text in 1/64 pixels). (Asking for the
    application's style from Python instead would set up QStyle's enums, ~45 M instructions.)"""

    _ALIGN = {LEFT: "AlignLeft|AlignTop", RIGHT: "AlignRight|AlignTop", HCENTER: "AlignHCenter|AlignTop"}

    def __init__(self) -> None:
        self.label = QLabel()
        self.label.setProperty("textFormat", "PlainText")
        self.palette = QPalette()

    def draw(self, painter: QPainter, rect: QRectF, align: int, text: str, color: QColor) -> None:
        """``painter.drawText(rect, align, text)`` in ``color`` and the painter's font (``align``:
        LEFT, RIGHT or HCENTER), the painter's pen kept."""
        label = self.label
        self.palette.setColor(QPalette.ColorRole.WindowText, color)
        label.setPalette(self.palette)
        label.setFont(painter.font())
        label.setProperty("alignment", self._ALIGN[align])
        label.setText(text)
        label.resize(math.ceil(rect.width()), math.ceil(rect.height()))
        painter.save()
        painter.translate(rect.topLeft())
        label.render(painter, QPoint(0, 0), renderFlags=QWidget.RenderFlag(0))  # (no background)
        painter.restore()
