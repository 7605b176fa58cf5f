"""The dark theme's dock tabs: the selected one stands out (lighter than the others), readable."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMainWindow, QTabBar

from tests.gui.test_layout_fit import sample_window


def luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def tab_colours(bar: QTabBar, index: int) -> tuple[QColor, QColor]:
    """A tab's background (its commonest colour) and its text (the pixel most unlike it)."""
    image = bar.grab().toImage()
    ratio = image.devicePixelRatio()
    rect = bar.tabRect(index).adjusted(4, 4, -4, -4)
    pixels = [
        image.pixelColor(int(x * ratio), int(y * ratio))
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    ]
    background = QColor(Counter(p.rgb() for p in pixels).most_common(1)[0][0])
    text = max(pixels, key=lambda p: contrast(p, background))
    return background, text


@pytest.mark.parametrize("size", [(1280, 800), (960, 700)])
def test_the_selected_dock_tab_is_lighter_and_readable_in_the_dark_theme(qtbot, settings, size) -> None:
    """The selected dock tab was drawn in the window's colour, darker than the unselected ones, so
    it read as the one not chosen."""
    win = sample_window(qtbot, settings, size)
    win.set_theme("dark", remember=False)
    QApplication.processEvents()
    bars = [b for b in win.findChildren(QTabBar) if isinstance(b.parent(), QMainWindow) and b.isVisible()]
    assert bars
    for bar in bars:
        if bar.count() < 2:
            continue
        selected = tab_colours(bar, bar.currentIndex())
        for i in range(bar.count()):
            if i == bar.currentIndex():
                continue
            other = tab_colours(bar, i)
            # lighter, clearly (it was #2c2e32 against #282a2d: 1.03:1, read as the darker one)
            assert luminance(selected[0]) > luminance(other[0]), (
                bar.tabText(bar.currentIndex()),
                bar.tabText(i),
            )
            assert contrast(selected[0], other[0]) >= 1.3, (bar.tabText(bar.currentIndex()), bar.tabText(i))
            assert contrast(*other) >= 4.5, bar.tabText(i)
        assert contrast(*selected) >= 4.5, bar.tabText(bar.currentIndex())
