"""PySide6 6.12.0 on Python 3.11 aborts after ~2,000 drawPolygon calls (none_dealloc).

This test draws well past that so a bad pin shows up as a crash here, not in a user's session.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF


def test_draws_ten_thousand_polygons_and_survives(qapp) -> None:
    before = sys.getrefcount(None)
    image = QImage(400, 400, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QPen(QColor("red"), 1))
    for i in range(12_000):
        x, y = i % 390, (i // 390) % 390
        poly = QPolygonF()
        for px, py in ((x, y), (x + 8, y), (x + 8, y + 6), (x, y + 6)):
            poly.append(QPointF(px, py))
        painter.drawPolygon(poly)
    painter.end()
    # The drawing happened (the canvas is no longer blank) and None's refcount did not leak away.
    assert image.pixelColor(4, 0) == QColor("red")
    assert sys.getrefcount(None) >= before - 100
