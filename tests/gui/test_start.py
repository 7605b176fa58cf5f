"""Starting the viewer: the picture first, then every panel, in the layout the user left."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget

import ocrviewer.gui.main_window as main_window
from ocrviewer.cli import main
from ocrviewer.gui import settings_keys as keys
from ocrviewer.gui.app import make_settings
from tests.gui.test_view_cmd import windows  # noqa: F401 (fixture)

#: every panel of the window, by object name (saveState/restoreState use them)
PANELS = {
    "recognitionDock",
    "frameDock",
    "inspectorDock",
    "qualityDock",
    "checkDock",
    "pagesDock",
    "differences",
}


def dock(win, name: str) -> QDockWidget:
    return win.findChild(QDockWidget, name)


def test_started_window_has_every_panel_in_the_saved_layout(
    qapp,
    qtbot,
    windows,  # noqa: F811 (the fixture)
    text_image,
    tmp_path,
) -> None:
    # the user's last session: Inspector closed, Recognition moved to the right
    before = main_window.MainWindow(make_settings())
    qtbot.addWidget(before)
    before.resize(1200, 800)
    before.show()
    qtbot.waitExposed(before)
    dock(before, "inspectorDock").hide()
    before.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock(before, "recognitionDock"))
    before.close()
    assert make_settings().value(keys.WINDOW_STATE_KEY) is not None

    out = tmp_path / "shot.png"
    assert main(["view", str(text_image(1)), "--screenshot", str(out), "--size", "1200x800"]) == 0
    win = windows[-1]
    assert win.panels_ready
    assert {d.objectName() for d in win.findChildren(QDockWidget)} == PANELS
    assert dock(win, "inspectorDock").isHidden()
    assert win.dockWidgetArea(dock(win, "recognitionDock")) == Qt.DockWidgetArea.RightDockWidgetArea
    # the docks' actions are in the menus and the toolbar as before
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Tools", "&Help"]
    assert win.dock_context.actions["run_recognition"] in win.toolbar.actions()
    panel_names = {a.text() for a in win.panels_menu.actions()}
    assert {
        "Recognition",
        "Inspector",
        "Quality",
        "Check",
        "Frame tools",
        "Pages",
        "Differences",
    } <= panel_names


def test_panels_come_once_the_picture_is_painted(qtbot, settings: QSettings, text_image) -> None:
    win = main_window.MainWindow(settings, panels_later=True)
    qtbot.addWidget(win)
    win.show()
    win.files.open_image(str(text_image(1)))
    assert not win.panels_ready and win.docks == [] and win.dock_context is None
    win.install_panels_after_paint()
    qtbot.waitUntil(lambda: win.panels_ready, timeout=30000)
    assert win.canvas.image_item.levels  # the picture was there first
    assert len(win.docks) == 5 and win.dock_context is not None


def test_a_window_closed_before_its_panels_keeps_the_saved_layout(qtbot, settings: QSettings) -> None:
    settings.setValue(keys.WINDOW_STATE_KEY, b"saved")
    win = main_window.MainWindow(settings, panels_later=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.close()
    assert settings.value(keys.WINDOW_STATE_KEY) == b"saved"
    assert settings.value(keys.GEOMETRY_KEY) is not None  # the window's size is still remembered


def test_view_provider_starts_once_the_panels_exist(qapp, windows, text_image, tmp_path, capsys) -> None:  # noqa: F811
    """The request goes to the viewer directly: the command line refuses an unknown provider before any
    window opens (tests/core/test_adversarial_inputs.py), and this is about the window's own path."""
    from ocrviewer.gui.app import ViewRequest, run_viewer

    out = tmp_path / "shot.png"
    code = run_viewer(ViewRequest(image=str(text_image(1)), provider="no-such-engine", screenshot=str(out)))
    assert code == 1
    assert "could not start recognition with no-such-engine" in capsys.readouterr().err
    assert windows[-1].message_bar.level == "error"


def test_overlay_status_names_are_the_compare_statuses() -> None:
    from ocrviewer.core.compare import STATUSES
    from ocrviewer.gui.overlay import STATUS_NAMES

    assert STATUS_NAMES == STATUSES


def test_a_document_opened_before_the_panels_is_listed_in_pages(qtbot, settings: QSettings, tmp_path) -> None:
    """`ocrviewer view scan.pdf` opens the PDF before the panels are built: the Pages panel, made
    after the first paint, lists its pages (it stayed empty, 'Page order', no count)."""
    from tests.support.documents import make_batch_outdir

    _pdf, out = make_batch_outdir(tmp_path)
    win = main_window.MainWindow(settings, panels_later=True)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert win.files.open_image(str(out))  # a batch OUTDIR: its pages, worst first
    qtbot.waitUntil(lambda: win.files.documents.order_kind == "worst" and not win.files.busy, timeout=30000)
    win.install_panels_after_paint()
    qtbot.waitUntil(lambda: win.panels_ready, timeout=30000)
    strip = win.page_strip
    assert strip.model.rowCount() == 4
    assert strip.count_label.text() == "4 pages"
    assert strip.order_combo.currentData() == "worst"
    assert strip.model.page_at(strip.view.currentIndex().row()) == win.state.page == 2
    qtbot.waitUntil(lambda: len(strip.model.thumbs) == 4, timeout=30000)  # thumbnails come too
