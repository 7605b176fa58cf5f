"""Real key presses in a window with the docks: Ctrl+F focuses search, Enter/F3/Shift+F3 step."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.gui.docks import DockContext, install_docks
from ocrviewer.gui.state import ElementRef, ViewerState
from tests.support.elements import make_document


def test_find_keys_from_anywhere_in_the_window(qtbot, tmp_path):
    state = ViewerState()
    state.set_response(make_document(), FrameTransform.identity(640, 480))
    window = QMainWindow()
    window.setCentralWidget(QLabel("canvas"))
    qtbot.addWidget(window)
    context = DockContext(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    install_docks(window, state, context)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=30000)
    window.centralWidget().setFocus()
    search = context.panels["inspector"].search_edit

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert search.hasFocus()
    qtbot.keyClicks(search, "total")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    first, second = ElementRef("word", 0, 0, 1, 0), ElementRef("word", 0, 1, 1, 0)
    assert state.selection == first
    window.centralWidget().setFocus()  # F3 works wherever the focus is
    qtbot.keyClick(window.centralWidget(), Qt.Key.Key_F3)
    assert state.selection == second
    qtbot.keyClick(window.centralWidget(), Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert state.selection == first
