"""The window used with the keyboard alone: Tab reaches what is on screen, in the order it is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar


def _tab_walk(qtbot, win, presses: int) -> list:  # noqa: ANN001
    win.activateWindow()
    win.canvas.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.canvas, timeout=30000)
    seen = []
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    return seen


def test_tab_stays_on_what_is_on_screen_and_reaches_run(qtbot, docked_window, text_image) -> None:
    win = docked_window((1400, 900))
    win.install_panels()
    assert win.files.open_image(str(text_image(1)))
    qtbot.waitUntil(lambda: win.canvas.image_item.has_full, timeout=30000)
    recognition = win.dock_context.panels["recognition"]
    qtbot.waitUntil(lambda: recognition.ready, timeout=30000)
    frame_panel = win.dock_context.panels["frame"]
    assert frame_panel.visibleRegion().isEmpty()  # the Frame tools tab is behind Recognition
    seen = _tab_walk(qtbot, win, 40)
    hidden = [w for w in seen if w is not win.canvas and w.visibleRegion().isEmpty()]
    assert hidden == [], [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}" for w in hidden]
    assert recognition.run_button in seen
    assert win.canvas in seen  # round the window and back
    # in the Recognition panel, in the order shown: provider, its options, Fresh run, Run
    order = [recognition.provider_combo, *recognition.option_widgets.values(), recognition.fresh_check]
    order.append(recognition.run_button)
    at = [seen.index(w) for w in order if w in seen and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert len(at) >= 3 and at == sorted(at) and at[-1] - at[0] == len(at) - 1


def test_recognize_on_the_toolbar_names_its_key(docked_window) -> None:
    win = docked_window((1400, 900))
    win.install_panels()
    run = win.dock_context.panels["recognition"].run_action
    bar = next(b for b in win.findChildren(QToolBar) if run in b.actions())
    assert "(Ctrl+Enter)" in bar.widgetForAction(run).toolTip()
