"""Compare mode on the canvas: the A/B wipe, A and B side by side, the Differences panel's place."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from ocrviewer.core.palette import STATUS_COLORS
from tests.gui.conftest import open_page, settled
from tests.support import responses as R
from tests.support.images import DEFAULT_WORDS, make_text_image, misread

BOXES = dict(DEFAULT_WORDS)


def _page(window, qtbot, tmp_path: Path, engines: int = 2) -> None:  # type: ignore[no-untyped-def]
    """A page with its ground truth and ``engines`` results: A misreads "Hello", B "frames"."""
    image = make_text_image(tmp_path / "page.png")
    truth = R.write_response(tmp_path / "truth.json", R.build_response("yandex", DEFAULT_WORDS))
    a = R.write_response(tmp_path / "engine-a.json", R.build_response("azure-v3", misread("Hello", "Hel1o")))
    b = R.write_response(tmp_path / "engine-b.json", R.build_response("yandex", misread("frames", "fr4mes")))
    open_page(window, qtbot, image, truth, *[b][: engines - 1], a)


def _status_near(frame: QImage, rect: QRect, status: str) -> bool:
    """Some pixel on the outline of ``rect`` (viewport pixels) has ``status``'s colour."""
    want = QColor(STATUS_COLORS[status])
    r = rect.adjusted(-2, -2, 2, 2)
    for x in range(max(0, r.left()), min(frame.width(), r.right() + 1)):
        for y in range(max(0, r.top()), min(frame.height(), r.bottom() + 1)):
            edge = min(abs(x - r.left()), abs(x - r.right()), abs(y - r.top()), abs(y - r.bottom())) <= 4
            if not edge:
                continue
            c = QColor(frame.pixel(x, y))
            if abs(c.hue() - want.hue()) < 10 and c.saturation() > 120 and c.value() > 120:
                return True
    return False


def _move(widget: QWidget, pos: QPoint) -> None:
    """The pointer moves to ``pos`` (no button): sent directly, so an unmoved cursor still counts."""
    p = QPointF(pos)
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        p,
        QPointF(widget.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def _view_rect(view, word: str) -> QRect:  # type: ignore[no-untyped-def]
    x0, y0, x1, y1 = BOXES[word]
    return view.mapFromScene(QRectF(x0, y0, x1 - x0, y1 - y0)).boundingRect()


def test_wipe_shows_a_left_and_b_right(window, qtbot, tmp_path: Path) -> None:
    _page(window, qtbot, tmp_path)
    window.actions_["compare_wipe"].setChecked(True)  # turns compare mode on too
    assert window.actions_["compare_mode"].isChecked()
    views = window.compare.views
    qtbot.waitUntil(lambda: views.b is not None and views.wipe.layer.statuses is not None, timeout=30000)
    assert views.b.name.startswith("engine-b")
    canvas = window.canvas
    canvas.fit()
    views.wipe.set_x(210)  # between "Hello" (40-200) and "frames" (220-440)

    def grab() -> QImage:
        canvas.viewport().repaint()
        return canvas.viewport().grab().toImage()

    frame = grab()
    # left: A, which misread "Hello"; right: B, which misread "frames"
    assert _status_near(frame, _view_rect(canvas, "Hello"), "substituted")
    assert _status_near(frame, _view_rect(canvas, "frames"), "substituted")
    assert not _status_near(frame, _view_rect(canvas, "frames"), "equal")
    # the handle moved right past "frames": A everywhere, and A read "frames" right
    window.actions_["wipe_right"].trigger()  # the keyboard moves it too
    assert views.wipe.x > 210
    views.wipe.set_x(630)
    frame = grab()
    assert _status_near(frame, _view_rect(canvas, "frames"), "equal")
    assert not _status_near(frame, _view_rect(canvas, "frames"), "substituted")
    # all B: B read "Hello" right
    views.wipe.set_x(10)
    frame = grab()
    assert _status_near(frame, _view_rect(canvas, "Hello"), "equal")
    # hovering B's side is B's word: the canvas' own words are covered there
    views.wipe.set_x(210)
    _move(canvas.viewport(), _view_rect(canvas, "frames").center())
    qtbot.waitUntil(lambda: views.wipe._hover is not None, timeout=30000)
    assert views.wipe.layer.data.text(views.wipe._hover) == "fr4mes"
    centre = QPointF(330, 185)
    assert canvas.element_at(centre) is None
    views.wipe.set_x(630)
    assert canvas.element_at(centre) is not None


def test_wipe_handle_is_dragged_with_the_mouse(window, qtbot, tmp_path: Path) -> None:
    _page(window, qtbot, tmp_path, engines=1)
    window.actions_["compare_wipe"].setChecked(True)
    wipe = window.compare.views.wipe
    qtbot.waitUntil(lambda: wipe.b is not None, timeout=30000)
    assert wipe.b.name == "truth.json"  # one engine: B is the truth, its missed words shown
    canvas = window.canvas
    canvas.fit()
    start = canvas.mapFromScene(QPointF(wipe.x, 240))
    end = canvas.mapFromScene(QPointF(100, 240))
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas.viewport(), pos=end)
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert abs(wipe.x - 100) < 3 / canvas.zoom + 1
    # over the handle the pointer says it can be dragged sideways
    _move(canvas.viewport(), canvas.mapFromScene(QPointF(wipe.x, 300)))
    assert canvas.viewport().cursor().shape() == Qt.CursorShape.SplitHCursor
    _move(canvas.viewport(), canvas.mapFromScene(QPointF(wipe.x + 150, 300)))
    assert canvas.viewport().cursor().shape() != Qt.CursorShape.SplitHCursor


def test_side_by_side_views_stay_in_sync(window, qtbot, tmp_path: Path) -> None:
    _page(window, qtbot, tmp_path)
    window.actions_["compare_side"].setChecked(True)
    views = window.compare.views
    side = views.side
    qtbot.waitUntil(lambda: side.isVisible() and side.b is not None, timeout=30000)
    qtbot.waitUntil(lambda: side.layer.statuses is not None, timeout=30000)
    canvas = window.canvas
    assert abs(canvas.width() - side.width()) <= 2  # two halves

    def in_sync() -> bool:
        a, b = canvas.mapToScene(canvas.viewport().rect().center()), side.centre()
        return (
            abs(canvas.zoom - side.transform().m11()) < 1e-9
            and abs(a.x() - b.x()) < 2
            and abs(a.y() - b.y()) < 2
        )

    canvas.set_zoom(3.0, QPointF(330, 185))
    assert in_sync()
    canvas.horizontalScrollBar().setValue(canvas.horizontalScrollBar().value() + 50)
    assert in_sync()
    # panning or zooming the view beside moves the canvas
    side.verticalScrollBar().setValue(side.verticalScrollBar().value() + 40)
    assert in_sync()
    side.horizontalScrollBar().setValue(side.horizontalScrollBar().minimum())
    assert in_sync()
    qtbot.wait(1)
    zoom = canvas.zoom

    pos = QPointF(side.viewport().rect().center())
    wheel = QWheelEvent(
        pos,
        side.mapToGlobal(pos),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    side.wheelEvent(wheel)
    assert canvas.zoom > zoom and in_sync()
    # B beside A: B (engine-b) misread "frames", A "Hello"
    canvas.fit()
    assert in_sync()
    side.viewport().repaint()
    right = side.viewport().grab().toImage()
    assert _status_near(right, _view_rect(side, "frames"), "substituted")
    assert _status_near(right, _view_rect(side, "Hello"), "equal")
    # hovering a word on either view outlines the word at that place on both
    _move(side.viewport(), _view_rect(side, "frames").center())
    qtbot.waitUntil(lambda: side.markers.hover is not None, timeout=30000)
    assert canvas.markers.hover is not None
    assert side.layer.data.text(side._hover) == "fr4mes"
    _move(canvas.viewport(), _view_rect(canvas, "Hello").center())
    qtbot.waitUntil(
        lambda: side._hover is not None and side.layer.data.text(side._hover) == "Hello", timeout=30000
    )
    # a click on B selects A's word at that place and marks B's
    qtbot.mouseClick(side.viewport(), Qt.MouseButton.LeftButton, pos=_view_rect(side, "frames").center())
    selected = window.state.element(window.state.selection)
    assert selected is not None and selected.text == "frames" and side.markers.selection is not None
    # both views have tooltips with both texts
    k = next(i for i in range(len(side.layer.data)) if side.layer.data.text(i) == "fr4mes")
    assert "truth «frames» · result «fr4mes»" in side.b.tooltip(k)
    # the Differences list jumps on both: the canvas centres on the word, the view beside follows
    canvas.set_zoom(4.0)
    window.compare.step(+1)
    assert window.state.selection is not None
    hello = QRectF(*BOXES["Hello"][:2], 160, 50)
    assert abs(side.centre().x() - hello.center().x()) < 5 and in_sync()
    assert side.markers.selection is not None  # the pair is marked on B too
    window.actions_["compare_mode"].setChecked(False)  # compare off: both modes end
    assert not side.isVisible() and not window.actions_["compare_side"].isChecked()


def test_differences_panel_is_hidden_until_compare_mode(qtbot, settings) -> None:  # type: ignore[no-untyped-def]
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)  # with every dock, first start (no saved layout)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    dock = win.compare.dock
    assert not dock.isVisible() and not win.compare.toolbar.isVisible()
    width = settled(qtbot, win.canvas.width)
    win.actions_["compare_mode"].setChecked(True)
    qtbot.waitUntil(dock.isVisible, timeout=30000)
    assert win.compare.toolbar.isVisible()
    # the picture keeps its width (one more tab may widen a narrow window's tab group a little)
    assert settled(qtbot, win.canvas.width) >= 0.95 * width
    # it joins the right-hand tab group instead of stacking a fourth panel on that side
    assert dock in win.tabifiedDockWidgets(win.findChild(type(dock), "checkDock"))
    win.actions_["compare_mode"].setChecked(False)
    assert not dock.isVisible()
    # closed in compare mode: the next start shows it only with compare mode again
    win.actions_["compare_mode"].setChecked(True)
    win.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert not again.compare.dock.isVisible()
    again.actions_["compare_mode"].setChecked(True)
    qtbot.waitUntil(again.compare.dock.isVisible, timeout=30000)
    # a layout saved with the panel showing (an older version saved it so) keeps it hidden at start
    from ocrviewer.gui.settings_keys import WINDOW_STATE_KEY

    settings.setValue(WINDOW_STATE_KEY, again.saveState())
    again.remember_layout = False
    again.close()
    third = MainWindow(settings)
    qtbot.addWidget(third)
    third.show()
    qtbot.waitExposed(third)
    assert not third.compare.dock.isVisible() and not third.compare.toolbar.isVisible()
    third.close()


# -- bad input: one clear line each, never a silent 0 % or 100 % ---------------------------------
def _compare_message(window, qtbot, tmp_path: Path, truth: Path, engine: Path) -> str:  # type: ignore[no-untyped-def]
    image = make_text_image(tmp_path / "page.png")
    assert window.files.open_image(str(image))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    window.files.open_truth(str(truth))
    qtbot.waitUntil(lambda: len(window.state.results()) == 1, timeout=30000)
    window.files.open_response(str(engine))
    qtbot.waitUntil(lambda: len(window.state.results()) == 2, timeout=30000)
    window.message_bar.dismiss()
    window.actions_["compare_mode"].setChecked(True)
    qtbot.waitUntil(lambda: window.compare.comparison is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.message_bar.text.startswith("compare:"), timeout=30000)
    assert "\n" not in window.message_bar.text
    return window.message_bar.text


def test_a_truth_for_another_image_size_says_so_and_offers_the_frame_tools(
    window, qtbot, tmp_path: Path
) -> None:
    truth = R.write_response(tmp_path / "truth.json", R.build_response("yandex", display_size=(300, 300)))
    engine = R.write_response(tmp_path / "engine.json", R.build_response("azure-v3"))
    text = _compare_message(window, qtbot, tmp_path, truth, engine)
    assert "truth.json" in text and "does not fit the image" in text and "Frame tools" in text


def test_an_empty_result_is_scored_and_said(window, qtbot, tmp_path: Path) -> None:
    truth = R.write_response(tmp_path / "truth.json", R.build_response("yandex"))
    engine = tmp_path / "engine.json"  # Azure Read v3 with a page and no lines
    page = {"page": 1, "angle": 0, "width": 640, "height": 480, "unit": "pixel", "lines": []}
    R.write_response(
        engine, {"status": "succeeded", "analyzeResult": {"version": "3.2.0", "readResults": [page]}}
    )
    text = _compare_message(window, qtbot, tmp_path, truth, engine)
    assert "engine.json" in text and "no text" in text and "missed (CER 100%)" in text


def test_a_text_truth_with_other_line_count_says_lines_were_paired_by_text(
    window, qtbot, tmp_path: Path
) -> None:
    truth = tmp_path / "truth.txt"
    truth.write_text("Hello world EXIF\nframes\ndone\nan extra line\n", encoding="utf-8")
    engine = R.write_response(tmp_path / "engine.json", R.build_response("azure-v3"))
    text = _compare_message(window, qtbot, tmp_path, truth, engine)
    assert "4 lines" in text and "paired by text" in text


def test_files_for_different_pages_are_said_to_be_so(window, qtbot, tmp_path: Path) -> None:
    other = [
        (f"other{i}", (20 + 90 * (i % 6), 400 + 12 * (i // 6), 100 + 90 * (i % 6), 410 + 12 * (i // 6)))
        for i in range(6)
    ]
    truth = R.write_response(tmp_path / "truth.json", R.build_response("yandex", tuple(other)))
    engine = R.write_response(tmp_path / "engine.json", R.build_response("azure-v3"))
    text = _compare_message(window, qtbot, tmp_path, truth, engine)
    assert "share almost nothing" in text and "different pages" in text


def test_differences_panel_in_a_narrow_window_is_a_tab_not_a_column(qtbot, settings) -> None:  # type: ignore[no-untyped-def]
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)  # under 1200 px every panel shares one tab group on the left
    qtbot.addWidget(win)
    win.resize(900, 650)
    win.show()
    qtbot.waitExposed(win)
    width = settled(qtbot, win.canvas.width)
    win.actions_["compare_mode"].setChecked(True)
    qtbot.waitUntil(win.compare.dock.isVisible, timeout=30000)
    assert settled(qtbot, win.canvas.width) >= 0.95 * width
    win.close()


def test_the_report_scores_every_engine_on_the_page_against_its_truth(window, qtbot, tmp_path: Path) -> None:
    from ocrviewer.gui.compare_report import export_report, page_truth

    _page(window, qtbot, tmp_path)
    truth, engines = page_truth(window)
    assert Path(truth).name == "truth.json"
    assert sorted(Path(e).name for e in engines) == ["engine-a.json", "engine-b.json"]
    out = tmp_path / "report.html"
    export_report(window, truth, str(out), engines)
    qtbot.waitUntil(out.exists, timeout=30000)
    text = out.read_text(encoding="utf-8")
    assert "engine-a.json" in text and "engine-b.json" in text and "«fr4mes»" in text and "«Hel1o»" in text
