"""Frame tools dock: info shown, corrections change the placement, saving writes a new corrected file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from ocrviewer.core.export import read_export
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.loading import load_result
from ocrviewer.core.sidecar import read_sidecar
from ocrviewer.errors import BadInput
from ocrviewer.gui.frame_panel import FramePanel
from ocrviewer.gui.state import ElementRef, ViewerState
from tests.support.images import make_text_image
from tests.support.responses import build_response, write_response

HELLO = ElementRef("word", 0, 0, 0, 0)  # "Hello" at (40, 40, 200, 90) displayed


def bbox(state: ViewerState, ref: ElementRef = HELLO) -> tuple[float, float, float, float]:
    return tuple(round(v, 3) for v in state.element(ref).bbox)  # type: ignore[union-attr]


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)


def open_result(state: ViewerState, tmp_path: Path, orientation: int, frame: str) -> None:
    image = make_text_image(tmp_path / f"photo{orientation}.jpg", orientation=orientation)
    resp = write_response(
        tmp_path / f"photo{orientation}.{frame}.json",
        build_response("azure-v3", orientation=orientation, frame=frame),
    )
    loaded = load_result(resp, image)
    state.set_image(str(image), loaded.image_info)
    state.add_result(loaded)  # as File > Open response does


@pytest.fixture
def panel(qtbot, settings) -> FramePanel:
    p = FramePanel(ViewerState(), settings)
    qtbot.addWidget(p)
    p.show()
    return p


def test_shows_orientation_sizes_and_decision(panel, tmp_path):
    state = panel.state
    open_result(state, tmp_path, 6, "raw")
    assert panel.orientation_label.text() == "6 — rotate 90 CW"
    assert panel.raw_label.text() == "480 × 640"
    assert panel.display_label.text() == "640 × 480"
    assert panel.page_label.text() == "480 × 640 pixel"
    assert panel.frame_label.text().startswith("raw (")
    assert panel.reasons_label.text()
    assert panel.transform_label.text() == state.transform.describe()
    # the raw-frame response lands on the displayed text
    assert bbox(state) == (40, 40, 200, 90)


def test_rotations_and_mirrors_change_the_placement(panel, tmp_path):
    state = panel.state
    open_result(state, tmp_path, 1, "display")  # 640 x 480, identity
    assert bbox(state) == (40, 40, 200, 90)
    panel.correction_buttons[6].click()  # rotate 90 CW about the displayed frame: (x, y) -> (480 - y, x)
    assert state.transform.orientation == 6
    assert bbox(state) == (390, 40, 440, 200)
    panel.correction_buttons[8].click()  # and back
    assert state.transform.orientation == 1
    assert bbox(state) == (40, 40, 200, 90)
    panel.correction_buttons[2].click()  # mirror horizontally: x -> 640 - x
    assert bbox(state) == (440, 40, 600, 90)
    panel.correction_buttons[2].click()
    panel.correction_buttons[4].click()  # mirror vertically: y -> 480 - y
    assert bbox(state) == (40, 390, 200, 440)
    assert panel.transform_label.text() == "mirror vertical"
    panel.reset_button.click()
    assert state.transform.is_identity


def test_scale_and_offset(panel, tmp_path):
    state = panel.state
    open_result(state, tmp_path, 1, "display")
    panel.offset_x_spin.setValue(10)
    panel.offset_y_spin.setValue(-5)
    assert bbox(state) == (50, 35, 210, 85)
    panel.scale_spin.setValue(0.5)
    assert state.transform.scale_x == pytest.approx(0.5)
    assert (state.transform.offset_x, state.transform.offset_y) == (10, -5)  # offset kept
    assert bbox(state) == (30, 15, 110, 40)
    # the canvas dragging the overlay shows up in the spinboxes
    state.set_transform(state.transform.then(dx=7))
    assert panel.offset_x_spin.value() == pytest.approx(17)


def test_force_raw_and_display_frame(panel, tmp_path):
    state = panel.state
    open_result(state, tmp_path, 6, "raw")
    assert state.decision.frame == "raw"
    panel.display_button.click()  # wrong on purpose: words leave the text
    assert state.decision.frame == "display"
    assert state.decision.method == "forced"
    assert bbox(state) != (40, 40, 200, 90)
    panel.raw_button.click()
    assert bbox(state) == (40, 40, 200, 90)


def test_drag_toggle_follows_state(panel, tmp_path):
    open_result(panel.state, tmp_path, 1, "display")
    panel.drag_button.click()
    assert panel.state.drag_overlay is True
    panel.state.set_drag_overlay(False)
    assert not panel.drag_button.isChecked()


def test_save_corrected_writes_corrected_polygons_and_keeps_inputs(panel, tmp_path):
    state = panel.state
    open_result(state, tmp_path, 6, "raw")
    panel.display_button.click()  # a wrong frame ...
    panel.raw_button.click()  # ... fixed
    panel.offset_x_spin.setValue(3)
    response = Path(state.response_path)
    before = {p: p.read_bytes() for p in (response, Path(state.image_path))}
    out = panel.save_corrected(tmp_path / "fixed.json", record_in_sidecar=True)
    saved, info = read_export(out)
    assert [round(v) for v in next(saved.words()).bbox] == [43, 40, 203, 90]
    assert saved.pages[0].width == 640 and saved.pages[0].height == 480
    assert info.transform == state.transform and info.decision.frame == "raw"
    assert len(info.corrections) >= 3 and info.corrections[-1]["transform"] == state.transform.to_dict()
    for p, data in before.items():
        assert p.read_bytes() == data  # inputs untouched
    sidecar = read_sidecar(response)
    assert sidecar.transform == state.transform
    # the corrected transform reopens the original response in the right place
    again = load_result(response, state.image_path)
    assert [round(v) for v in next(again.document.words()).bbox] == [43, 40, 203, 90]
    assert panel.message_label.text().startswith("Saved the corrected result")


@pytest.mark.parametrize("which", ["image", "response", "sidecar"])
def test_save_refuses_to_overwrite_an_input(panel, tmp_path, which):
    state = panel.state
    open_result(state, tmp_path, 1, "display")
    panel.record_in_sidecar()
    target = {"image": state.image_path, "response": state.response_path}.get(which)
    target = target or state.response_path + ".ocrviewer.json"
    before = Path(target).read_bytes()
    with pytest.raises(BadInput, match="input file"):
        panel.save_corrected(target)
    assert Path(target).read_bytes() == before


def test_controls_disabled_without_a_response(panel):
    assert not panel.save_button.isEnabled()
    assert not panel.correction_buttons[6].isEnabled()
    assert panel.orientation_label.text() == "no image"


def test_frame_tools_come_forward_when_the_frame_is_uncertain(qtbot, tmp_path, settings):
    from PySide6.QtWidgets import QMainWindow

    from ocrviewer.core.frames import FrameDecision
    from ocrviewer.gui.docks import DockContext, install_docks
    from tests.support.elements import make_document

    window = QMainWindow()
    qtbot.addWidget(window)
    state = ViewerState()
    install_docks(window, state, DockContext(settings=settings))
    window.show()
    qtbot.waitExposed(window)
    frame = window.findChild(FramePanel)
    assert frame.visibleRegion().isEmpty()  # behind the Recognition tab
    t = FrameTransform.identity(640, 480)
    state.set_response(make_document(), t, FrameDecision("display", t, 0.97, ("page size matches",)))
    assert frame.visibleRegion().isEmpty()
    state.set_response(make_document(), t, FrameDecision("display", t, 0.4, ("no page size stated",)))
    qtbot.waitUntil(lambda: not frame.visibleRegion().isEmpty(), timeout=30000)
    assert "no page size stated" in frame.reasons_label.text()


def test_fit_page_stretches_a_response_from_a_smaller_page(panel, tmp_path):
    state = panel.state
    image = make_text_image(tmp_path / "photo.jpg", orientation=6)  # displayed 640 x 480
    # a response made on a 320 x 120 page (x halved, y quartered), in the displayed frame
    words = [("Hello", (20, 10, 100, 25))]
    resp = write_response(
        tmp_path / "small.json",
        build_response("azure-v3", words=words, display_size=(320, 120), frame="display"),
    )
    loaded = load_result(resp, image)
    state.set_image(str(image), loaded.image_info)
    state.add_result(loaded)  # as File > Open response does
    panel.fit_button.click()
    assert (state.transform.scale_x, state.transform.scale_y) == (2.0, 4.0)
    assert bbox(state) == (40, 40, 200, 100)
