"""Frame tools: undo/redo of every placement change, arrow nudge, two-point alignment, ink ranking,
and explanations that never push the buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.loading import load_result
from ocrviewer.gui.canvas import Canvas
from ocrviewer.gui.frame_panel import FramePanel
from ocrviewer.gui.state import ElementRef, ViewerState
from tests.support.images import make_text_image
from tests.support.responses import build_response, write_response

HELLO = ElementRef("word", 0, 0, 0, 0)  # "Hello" at (40, 40, 200, 90) displayed


def bbox(state: ViewerState) -> tuple[float, ...]:
    return tuple(round(v, 3) for v in state.element(HELLO).bbox)  # type: ignore[union-attr]


@pytest.fixture
def tools(qtbot, tmp_path: Path) -> tuple[FramePanel, Canvas]:
    state = ViewerState()
    settings = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    panel = FramePanel(state, settings)
    canvas = Canvas(state)
    for w in (panel, canvas):
        qtbot.addWidget(w)
        w.show()
    canvas.resize(700, 520)
    return panel, canvas


def open_result(
    state: ViewerState, tmp_path: Path, orientation: int = 1, frame: str = "display", style: str = "box"
) -> None:
    image = make_text_image(tmp_path / f"photo{orientation}.jpg", orientation=orientation, style=style)
    resp = write_response(
        tmp_path / f"photo{orientation}.{frame}.json",
        build_response("azure-v3", orientation=orientation, frame=frame),
    )
    loaded = load_result(resp, image)
    state.set_image(str(image), loaded.image_info)
    state.set_response(loaded.source, loaded.transform, loaded.decision, str(resp))


def test_every_placement_change_can_be_undone_and_redone(tools, tmp_path):
    panel, _canvas = tools
    state = panel.state
    open_result(state, tmp_path)
    assert not panel.undo_button.isEnabled()
    panel.correction_buttons[2].click()  # mirror
    panel.offset_x_spin.setValue(15.0)  # offset
    panel.force_frame("raw")  # re-detect (a new decision)
    assert panel.undo_button.isEnabled()
    panel.undo()
    assert state.transform.offset_x == 15.0 and state.transform.orientation == 2
    panel.undo()
    assert bbox(state) == (440, 40, 600, 90)
    panel.undo()
    assert bbox(state) == (40, 40, 200, 90)
    assert not panel.undo_button.isEnabled()
    panel.redo()
    assert bbox(state) == (440, 40, 600, 90)
    panel.undo_action.trigger()
    assert bbox(state) == (40, 40, 200, 90)
    panel.redo_action.trigger()
    panel.redo_action.trigger()
    assert state.transform.offset_x == 15.0


def test_arrow_keys_nudge_the_overlay_while_moving_it(tools, qtbot, tmp_path):
    panel, canvas = tools
    state = panel.state
    open_result(state, tmp_path)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)  # not moving the overlay: arrows do not move it
    assert bbox(state) == (40, 40, 200, 90)
    state.set_drag_overlay(True)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert bbox(state) == (41, 50, 201, 100)
    panel.undo()
    assert bbox(state) == (41, 40, 201, 90)


def test_two_point_alignment_moves_a_word_corner_where_clicked(tools, tmp_path):
    panel, _canvas = tools
    state = panel.state
    open_result(state, tmp_path)
    state.set_transform(state.transform.then(dx=-12, dy=7))  # a shifted overlay
    assert bbox(state) == (28, 47, 188, 97)
    panel.align_button.click()
    assert state.point_pick
    state.pointPicked.emit(30.0, 45.0)  # near Hello's top-left corner (28, 47)
    state.pointPicked.emit(40.0, 40.0)  # where it should be
    assert bbox(state) == (40, 40, 200, 90)
    assert not state.point_pick and not panel.align_button.isChecked()


def test_canvas_clicks_pick_points_instead_of_selecting(tools, qtbot, tmp_path):
    panel, canvas = tools
    state = panel.state
    open_result(state, tmp_path)
    picked: list[tuple[float, float]] = []
    state.pointPicked.connect(lambda x, y: picked.append((x, y)))
    state.set_point_pick(True)
    view_pos = canvas.mapFromScene(QPointF(100, 60))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert state.selection is None
    assert len(picked) == 1 and abs(picked[0][0] - 100) < 3 and abs(picked[0][1] - 60) < 3


def test_ink_ranking_is_shown_and_can_be_applied(tools, qtbot, tmp_path):
    panel, _canvas = tools
    state = panel.state
    open_result(state, tmp_path, orientation=3, frame="raw", style="text")
    state.set_transform(FrameTransform(640, 480))  # wrongly placed as display
    panel.rank_by_ink()
    qtbot.waitUntil(lambda: panel._ranking and panel._ink_job is None, timeout=30000)
    assert panel._ranking[0].orientation == 3
    assert "1. 180° (3)" in panel.ink_label.text()
    panel.ink_apply_button.click()
    assert bbox(state) == (40, 40, 200, 90)


def test_a_long_explanation_does_not_move_the_buttons(tools, tmp_path):
    panel, _canvas = tools
    state = panel.state
    open_result(state, tmp_path, orientation=6, frame="raw")
    before = panel.raw_button.mapTo(panel, panel.raw_button.rect().topLeft())
    panel.reasons_label.setText(
        "\n".join(f"• reason number {i} is long enough to wrap twice" for i in range(12))
    )
    panel._message("a message that is long " * 8)
    panel.layout().activate()
    after = panel.raw_button.mapTo(panel, panel.raw_button.rect().topLeft())
    assert after == before
