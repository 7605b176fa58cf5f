"""The main window: opening responses, bad files, saving, recent files, themes, drops."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QToolButton

from ocrviewer.core.model import SCHEMA
from tests.gui.conftest import settled
from tests.support.images import DEFAULT_WORDS, make_bomb_png, make_headless_jpeg, make_truncated_jpeg
from tests.support.responses import build_response, write_response


def test_open_response_places_words_on_the_rotated_image(window, qtbot, text_image, tmp_path) -> None:
    image = text_image(6)
    resp = write_response(tmp_path / "resp.json", build_response("yandex", orientation=6, frame="raw"))
    window.files.open_image(str(image))
    window.files.open_response(str(resp))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    layers = window.canvas.layers
    assert len(layers["word"].data) == len(DEFAULT_WORDS)
    assert len(layers["line"].data) >= 1 and len(layers["block"].data) >= 1
    assert window.state.decision.frame == "raw"
    # each word lands on its box as displayed
    for (text, box), bbox in zip(DEFAULT_WORDS, layers["word"].data.bboxes, strict=False):
        assert all(abs(a - b) < 2 for a, b in zip(box, bbox, strict=False)), text
    assert "5 words" in window.count_label.text()
    assert window.actions_["save_result"].isEnabled()


def test_bad_image_shows_a_message_and_keeps_running(window, qtbot, tmp_path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("this is not an image")
    assert not window.files.open_image(str(bad))
    assert window.message_bar.isVisible() and window.message_bar.level == "error"
    assert "notes.png" in window.message_bar.text
    window.message_bar.dismiss()
    # a JPEG cut where its pixels begin passes the header check and fails in the decoder thread
    empty = make_headless_jpeg(tmp_path / "empty.jpg")
    window.files.open_image(str(empty))
    qtbot.waitUntil(
        lambda: window.message_bar.level == "error" and window.message_bar.isVisible(), timeout=30000
    )
    assert "empty.jpg" in window.message_bar.text and "truncated or corrupt" in window.message_bar.text
    window.message_bar.dismiss()
    # one cut in the middle shows its top half, and a note says the rest is missing
    trunc = make_truncated_jpeg(tmp_path / "cut.jpg", (400, 300))
    window.files.open_image(str(trunc))
    qtbot.waitUntil(
        lambda: window.message_bar.level == "warning" and window.message_bar.isVisible(), timeout=30000
    )
    text = window.message_bar.text
    assert text.startswith("cut.jpg: the picture is damaged or cut short: the lower part is missing"), text
    item = window.canvas.image_item
    qtbot.waitUntil(lambda: item.has_full, timeout=30000)
    shown = next(lv for lv in item.levels if lv.final).image
    assert (shown.width(), shown.height()) == (400, 300)
    assert shown.pixelColor(200, 299).getRgb()[:3] == (128, 128, 128)
    window.message_bar.dismiss()
    bomb = make_bomb_png(tmp_path / "bomb.png")
    window.files.open_image(str(bomb))
    qtbot.waitUntil(lambda: "bomb.png" in window.message_bar.text, timeout=30000)
    assert window.isVisible()


def test_bad_response_shows_a_message(loaded, qtbot, tmp_path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{ not json")
    loaded.files.open_response(str(bad))
    qtbot.waitUntil(lambda: loaded.message_bar.level == "error", timeout=30000)
    assert "broken.json" in loaded.message_bar.text
    assert loaded.state.document is not None  # the previous result stays


def test_note_about_the_frame_goes_once_the_user_re_places_the_overlay(window, qtbot, tmp_path) -> None:
    """The "evidence points to the raw frame" note stayed up after the user fixed the frame."""
    import shutil

    from ocrviewer.resources import samples_dir

    for name in ("receipt.jpg", "receipt.yandex-raw-frame.json"):
        shutil.copy(samples_dir() / name, tmp_path / name)
    window.files.open_image(str(tmp_path / "receipt.jpg"))
    window.files.open_response(str(tmp_path / "receipt.yandex-raw-frame.json"), "display")
    qtbot.waitUntil(lambda: window.message_bar.level == "warning", timeout=30000)
    assert window.message_bar.isVisible() and "raw frame" in window.message_bar.text
    window.state.set_transform(window.state.transform.then(orientation=6))  # what Frame tools does
    assert not window.message_bar.isVisible()


def test_save_result_writes_the_displayed_frame_and_never_an_input(loaded, tmp_path) -> None:
    out = tmp_path / "saved.json"
    assert loaded.files.save(str(out)) == out.resolve()
    data = json.loads(out.read_text())
    assert data["schema"] == SCHEMA
    assert data["pages"][0]["width"] == 640
    image = loaded.state.image_path
    before = Path(image).read_bytes()
    assert loaded.files.save(image) is None
    assert Path(image).read_bytes() == before
    assert "input file" in loaded.message_bar.text


def test_the_bundled_sample_is_not_a_recent_file(window, qtbot, text_image) -> None:
    a = text_image(1, "a.jpg")
    window.files.open_image(str(a))
    window.actions_["open_sample"].trigger()  # as at every start without a file
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    assert window.recent.items()[:1] == [str(a)]  # the user's own file stays first, nothing added
    assert not any("samples" in p for p in window.recent.items())


def test_recent_files_are_remembered(window, text_image) -> None:
    a, b = text_image(1, "a.jpg"), text_image(3, "b.jpg")
    window.files.open_image(str(a))
    window.files.open_image(str(b))
    items = window.recent.items()
    assert items[:2] == [str(b), str(a)]
    texts = [act.text() for act in window.recent_menu.actions()]
    assert any("b.jpg" in t for t in texts)


def test_drop_opens_the_image(window, qtbot, text_image) -> None:
    path = text_image(1, "dropped.jpg")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.state.image_path == str(path)
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)


def test_theme_switch_changes_palette(window, qapp) -> None:
    window.actions_["theme_dark"].trigger()
    assert qapp.palette().window().color().lightness() < 100
    window.actions_["theme_light"].trigger()
    assert qapp.palette().window().color().lightness() > 200
    assert window.settings.value("view/theme") == "light"


def test_shortcuts_exist_for_common_actions(window) -> None:
    keys = {k: [s.toString() for s in window.actions_[k].shortcuts()] for k in window.actions_}
    assert "Ctrl+O" in keys["open_image"] and "Ctrl+R" in keys["open_response"]
    assert "Ctrl+S" in keys["save_workspace"] and "Ctrl+Shift+S" in keys["save_result"]
    assert "Ctrl+E" in keys["export_view"] and "Ctrl+Shift+O" in keys["open_workspace"]
    assert "Ctrl+0" in keys["fit"] and "F" in keys["fit"] and "Ctrl+1" in keys["actual"]
    assert [keys[f"layer_{n}"] for n in ("block", "line", "word", "table")] == [["1"], ["2"], ["3"], ["4"]]
    assert keys["labels"] == ["T"]


def test_window_with_docks_starts(qtbot, docked_window) -> None:
    win = docked_window((1400, 900))
    assert win.canvas.isVisible()
    # every panel is there (a missing docks module used to leave a bare window without a word)
    names = {d.objectName(): d for d in win.docks}
    assert {"recognitionDock", "frameDock", "inspectorDock", "qualityDock"} <= set(names)
    left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
    assert [win.dockWidgetArea(names[n]) for n in ("recognitionDock", "frameDock")] == [left, left]
    assert [win.dockWidgetArea(names[n]) for n in ("inspectorDock", "qualityDock")] == [right, right]
    # the recognition panel is on top of its tab group; inspector and quality are both shown
    for name in ("recognitionDock", "inspectorDock", "qualityDock"):
        assert not names[name].visibleRegion().isEmpty(), name
    # the picture sits between the two sides
    left_edge = win.canvas.mapTo(win, QPoint(0, 0)).x()
    right_edge = left_edge + win.canvas.width()
    assert names["recognitionDock"].geometry().right() < left_edge
    assert right_edge < names["inspectorDock"].geometry().left()
    # the provider check ends before the window goes (its answer must not land in a deleted panel)
    qtbot.waitUntil(lambda: win.dock_context.panels["recognition"].ready, timeout=30000)


def test_docks_leave_the_picture_room_in_a_small_window(qtbot, docked_window) -> None:
    """A 1000 px window used to show the picture in a 290 px strip between two full-width panels; the
    picture has most of the width (it had 45% before the panels shared one tab group)."""
    from PySide6.QtWidgets import QScrollArea

    win = docked_window((1000, 700))
    qtbot.waitUntil(lambda: win.canvas.width() >= 0.6 * win.width(), timeout=30000)
    frame_dock = next(d for d in win.docks if d.objectName() == "frameDock")
    frame_dock.raise_()
    scroll = frame_dock.widget()
    assert isinstance(scroll, QScrollArea)
    qtbot.waitUntil(lambda: scroll.isVisible() and scroll.viewport().width() > 0, timeout=30000)
    # labels wrap, buttons are never cut off (settled: the layout passes that show or hide the bar done)
    assert settled(qtbot, scroll.horizontalScrollBar().isVisible) is False
    win.resize(1400, 900)
    qtbot.waitUntil(lambda: win.canvas.width() >= 0.4 * 1400, timeout=30000)
    win.resize(1000, 700)  # shrinking again squeezes the panels, not only the picture
    qtbot.waitUntil(lambda: win.canvas.width() >= 0.4 * win.width(), timeout=30000)


def test_a_response_for_an_image_no_longer_shown_is_dropped(window, qtbot, text_image, tmp_path) -> None:
    first, second = text_image(1, "first.jpg"), text_image(1, "second.jpg")
    resp = write_response(tmp_path / "resp.json", build_response("yandex"))
    window.files.open_image(str(first))
    window.files.open_response(str(resp))
    window.files.open_image(str(second))  # before the response comes back
    qtbot.waitUntil(lambda: not window.files.busy, timeout=30000)
    assert window.state.image_path == str(second)
    assert window.state.document is None


def test_the_message_bar_close_button_stays_at_the_top_of_a_long_message(qtbot, settings) -> None:
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(500, 600)
    win.show()
    win.show_message("a long explanation of what went wrong and what to do about it " * 6, "error")
    bar = win.message_bar
    qtbot.waitUntil(
        lambda: bar.isVisible() and bar.label.height() > 3 * bar.label.fontMetrics().height(), timeout=30000
    )
    close = next(b for b in bar.findChildren(QToolButton) if b.text() == "✕")
    assert close.geometry().top() == bar.layout().contentsMargins().top()
    assert close.height() < bar.label.height() / 2
