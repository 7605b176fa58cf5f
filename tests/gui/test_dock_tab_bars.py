"""One tab bar per tab group of panels, whichever way the window was built and used.

A window that built its panels before it was first shown (``MainWindow(settings)``, as the README
screenshots and the benchmarks do) showed three "Recognition | Frame tools" bars and two
"Quality | Check" bars stacked at the bottom of the side panels to a script driving it with
processEvents: Qt had given tab groups a second bar while laying out the hidden window, and left
the bars it dropped on the screen until the event loop deleted them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QTabBar

from tests.support.documents import make_pdf

WAIT = 30000


def make_window(qtbot, settings: QSettings, size: tuple[int, int], panels_after_show: bool):  # noqa: ANN001, ANN201
    """The window as ``view`` builds it (panels once shown) or as built directly (panels at once)."""
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings, panels_later=panels_after_show)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    if panels_after_show:
        win.install_panels()
    return win


def panel_bars(win) -> list[list[str]]:  # noqa: ANN001
    """The panel names on each tab bar the user sees in the window (full names for short ones)."""
    from ocrviewer.gui.docks import SHORT_TITLES

    full = {short: name for name, short in SHORT_TITLES.items()}
    bars = win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return [
        [full.get(b.tabText(i), b.tabText(i)) for i in range(b.count())]
        for b in bars
        if b.isVisible() and b.count() and win.rect().intersects(b.geometry())
    ]


def one_bar_per_group(win) -> bool:  # noqa: ANN001
    bars = panel_bars(win)
    shown = [name for bar in bars for name in bar]
    return (
        len(shown) == len(set(shown))  # no panel's tab on two bars
        and sum("Recognition" in bar and "Frame tools" in bar for bar in bars) == 1
        and sum("Quality" in bar and "Check" in bar for bar in bars) == 1
    )


def assert_one_bar_per_group(win, when: str) -> None:  # noqa: ANN001
    """Waiting as the screenshot scripts and benchmarks do (processEvents: Qt's deleteLater never
    runs, so a bar Qt dropped stays where the user sees it)."""
    deadline = time.monotonic() + WAIT / 1000
    while not one_bar_per_group(win) and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    assert one_bar_per_group(win), f"{when}: the panel tab bars on the screen are {panel_bars(win)}"


@pytest.mark.parametrize("panels_after_show", [False, True], ids=["built-directly", "built-once-shown"])
@pytest.mark.parametrize("size", [(1300, 850), (1000, 700)], ids=["wide", "narrow"])
def test_each_tab_group_shows_one_tab_bar(
    qtbot, settings: QSettings, text_image, tmp_path: Path, size, panels_after_show: bool
) -> None:
    win = make_window(qtbot, settings, size, panels_after_show)
    assert_one_bar_per_group(win, "first start")

    assert win.files.open_image(str(make_pdf(tmp_path / "doc.pdf", pages=3)))
    qtbot.waitUntil(lambda: win.pages_dock.isVisible(), timeout=WAIT)
    assert_one_bar_per_group(win, "a PDF open (the Pages panel shown)")

    assert win.files.open_image(str(text_image(1)))
    qtbot.waitUntil(lambda: win.canvas.image_item.has_full and not win.pages_dock.isVisible(), timeout=WAIT)
    assert_one_bar_per_group(win, "an image after the PDF (the Pages panel hidden)")

    win.compare.set_enabled(True)
    qtbot.waitUntil(lambda: win.compare.dock.isVisible(), timeout=WAIT)
    assert_one_bar_per_group(win, "compare mode on")
    win.compare.set_enabled(False)
    win.close()  # remembers the layout

    again = make_window(qtbot, settings, size, panels_after_show)
    assert_one_bar_per_group(again, "the layout restored")
    assert again.files.open_image(str(make_pdf(tmp_path / "doc2.pdf", pages=2)))
    qtbot.waitUntil(lambda: again.pages_dock.isVisible(), timeout=WAIT)
    assert_one_bar_per_group(again, "the layout restored, a PDF open")
