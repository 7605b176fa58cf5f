"""Checking mode: N steps through suspect words with a crop, Enter/Shift+Enter mark them, the
ground truth builds up and exports."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.model import Document
from ocrviewer.gui.state import ElementRef
from tests.gui.conftest import words_document
from tests.support.images import DEFAULT_DISPLAY_SIZE


@pytest.fixture
def words_window(docked_window, qtbot, text_image):  # noqa: ANN001, ANN201
    """Factory: a window with its panels on an image with DEFAULT_WORDS placed (2 under 0.90)."""

    def make(size: tuple[int, int] | None = None):  # noqa: ANN202
        win = docked_window(size)
        assert win.files.open_image(str(text_image(1)))
        qtbot.waitUntil(lambda: win.canvas.image_item.has_full, timeout=30000)
        win.state.set_response(words_document(), FrameTransform.identity(*DEFAULT_DISPLAY_SIZE))
        return win

    return make


def test_keyboard_only_check_and_export(qtbot, words_window, tmp_path) -> None:
    win = words_window((1400, 900))
    panel = win.dock_context.panels["check"]
    assert panel.progress_label.text() == "0 of 2 checked"  # EXIF 0.40 and done 0.85 are under 0.90

    panel.next_action.trigger()  # N
    assert win.state.selection == ElementRef("word", 0, 0, 1, 0)  # EXIF
    assert not panel.crop_label.pixmap().isNull()
    assert "EXIF" in panel.word_label.text() and panel.edit.text() == "EXIF"
    panel.edit.selectAll()
    qtbot.keyClicks(panel.edit, "EXIF!")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)  # corrected, on to the next suspect
    assert win.state.selection == ElementRef("word", 0, 0, 2, 0)  # done
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # wrong
    assert panel.progress_label.text() == "2 of 2 checked"
    panel.previous_action.trigger()  # Shift+N goes back
    assert win.state.selection == ElementRef("word", 0, 0, 1, 0)

    out = panel.export(str(tmp_path / "truth.json"))
    assert out is not None
    # read and placed in the window's workers, as every result (the window stays free meanwhile)
    assert any(job.name == "ground truth" for job in win.workers.jobs.values())
    assert not [r for r in win.state.workspace.page(0).results if r.role == "truth"]
    qtbot.waitUntil(lambda: not win.workers.busy, timeout=30000)
    truths = [r for r in win.state.workspace.page(0).results if r.role == "truth"]
    assert len(truths) == 1 and truths[0].origin.kind == "check"  # saved with the workspace
    assert truths[0].document is not None and "EXIF!" in [w.text for w in truths[0].document.words()]
    assert win.state.result_id != truths[0].id  # the result on screen stays shown
    assert "kept in the workspace" in panel.message_label.text()
    truth = Document.from_dict(json.loads(out.read_text(encoding="utf-8")))
    words = {w.text: w for w in truth.words()}
    assert "EXIF!" in words and words["EXIF!"].extras["recognized"] == "EXIF"
    assert words["done"].extras["checked"] == "wrong"


def test_an_export_landing_after_another_image_opened_is_dropped(
    qtbot, words_window, text_image, tmp_path
) -> None:
    """The exported ground truth belongs to the page it was checked on: another image opened before
    it was read and placed does not get it."""
    win = words_window()
    panel = win.dock_context.panels["check"]
    panel.step()
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    out = panel.export(str(tmp_path / "truth.json"))
    assert out is not None and out.is_file()  # the file is written at once
    assert win.files.open_image(str(text_image(6, name="other.jpg")))  # before the truth lands
    qtbot.waitUntil(lambda: not win.workers.busy, timeout=30000)
    assert not [r for r in win.state.results() if r.role == "truth"]
    assert "kept in the workspace" not in panel.message_label.text()


def test_threshold_changes_the_suspects_and_replacement_keeps_marks(words_window) -> None:
    win = words_window()
    panel = win.dock_context.panels["check"]
    panel.step()
    panel._entered(False)
    win.state.set_min_confidence(0.96)  # Hello 0.99 only is above
    assert panel.progress_label.text() == "1 of 4 checked"
    win.state.set_transform(win.state.transform.then(dx=5))  # re-placed, same result
    assert panel.progress_label.text() == "1 of 4 checked"


def test_only_suspects_filter_from_the_check_panel(qtbot, words_window) -> None:
    win = words_window()
    panel = win.dock_context.panels["check"]
    panel.only_check.setChecked(True)
    assert win.state.min_confidence == 0.9 and win.state.below_threshold == "only"
    assert win.canvas.visible_count("word") == 2  # EXIF and done
    quality = win.dock_context.panels["quality"]
    assert quality.only_radio.isChecked()
    words = win.dock_context.panels["inspector"].words_proxy
    qtbot.waitUntil(lambda: words.rowCount() == 2, timeout=30000)  # the list: the suspects only too
    panel.only_check.setChecked(False)
    assert win.state.below_threshold == "dim" and win.canvas.visible_count("word") == 5
    qtbot.waitUntil(lambda: words.rowCount() == 5, timeout=30000)


def test_marks_are_saved_with_the_workspace_and_come_back(qtbot, settings, text_image, tmp_path) -> None:
    from ocrviewer.gui.main_window import MainWindow
    from tests.support.responses import build_response, write_response

    image = text_image(1)
    response = write_response(tmp_path / "azure.json", build_response("azure-v3"))  # every word 0.98
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    assert win.files.open_image(str(image))
    win.files.open_response(str(response))
    qtbot.waitUntil(lambda: len(win.state.results()) == 1 and not win.files.busy, timeout=30000)
    win.state.set_min_confidence(0.985)  # checking the top too: all 5 words are suspects
    panel = win.dock_context.panels["check"]
    assert panel.progress_label.text() == "0 of 5 checked"
    panel.step()
    panel.edit.selectAll()
    qtbot.keyClicks(panel.edit, "Hallo")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)  # Hello -> Hallo
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # world: wrong
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)  # EXIF: right
    assert panel.progress_label.text() == "3 of 5 checked"
    target = win.files.save_workspace(str(tmp_path / "work.ocrviewer-workspace.json"))
    assert target is not None
    win.close()

    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.resize(1200, 800)
    again.show()
    again.files.open_workspace(str(target))
    qtbot.waitUntil(lambda: again.state.document is not None and not again.files.busy, timeout=30000)
    check = again.dock_context.panels["check"]
    assert again.state.min_confidence == 0.985  # the threshold they checked at, so the same suspects
    assert check.progress_label.text() == "3 of 5 checked"
    check.step()
    assert "marked corrected “Hallo”" in check.word_label.text() and check.edit.text() == "Hallo"
    qtbot.keyClick(check.edit, Qt.Key.Key_Return)  # Hallo kept: on to the first unchecked, frames
    assert again.state.selection == ElementRef("word", 0, 0, 1, 1)

    out = check.export(str(tmp_path / "truth.json"))
    assert out is not None
    qtbot.waitUntil(lambda: not again.workers.busy, timeout=30000)
    truth = Document.from_dict(json.loads(out.read_text(encoding="utf-8")))
    words = {w.text: w.extras.get("checked") for w in truth.words()}
    assert words == {"Hallo": "corrected", "world": "wrong", "EXIF": "right", "frames": None, "done": None}


import pytest  # noqa: E402


@pytest.mark.parametrize("orientation", [1, 6, 3, 8, 2, 5])
def test_the_crop_shows_the_word_as_displayed_whatever_the_exif_orientation(
    qtbot, settings, text_image, orientation: int
) -> None:
    """The Check dock's magnified crop is the word as the user sees it: a photo stored sideways
    (EXIF 6) showed a turned piece of somewhere else."""
    import numpy as np
    from PIL import Image, ImageOps
    from PySide6.QtCore import QRectF

    from ocrviewer.gui.main_window import MainWindow

    path = text_image(orientation)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    assert win.files.open_image(str(path))
    qtbot.waitUntil(lambda: win.canvas.image_item.has_full, timeout=30000)
    panel = win.dock_context.panels["check"]
    shown = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"), dtype=np.int16)
    x, y, w, h = 40, 30, 180, 60  # not square, off-centre: a turn or a mirror shows
    crop = panel.crop_source(QRectF(x, y, w, h)).convertToFormat(QImage.Format.Format_RGB888)
    assert (crop.width(), crop.height()) == (w, h)
    got = np.frombuffer(crop.constBits(), np.uint8).reshape(h, crop.bytesPerLine())[:, : w * 3]
    got = got.reshape(h, w, 3).astype(np.int16)
    assert np.abs(got - shown[y : y + h, x : x + w]).mean() < 6


def test_the_check_panel_fits_a_1280x800_window_without_a_scroll_bar(qtbot, settings) -> None:
    """Its empty two-line message area forced a 4 px vertical scroll bar at 1280x800 (345 px of
    room for 349); the area keeps its place, so a message appearing moves nothing."""
    from PySide6.QtWidgets import QApplication, QDockWidget

    from ocrviewer.gui.app import is_settled
    from ocrviewer.gui.main_window import MainWindow
    from ocrviewer.resources import find_sample

    image, response = find_sample()
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.remember_layout = False  # (as a --screenshot window: the size asked, not the 800 px screen)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    assert win.files.open_image(str(image))
    win.files.open_response(str(response))
    qtbot.waitUntil(lambda: is_settled(win) and isinstance(win.state.document, Document), timeout=30000)
    dock = win.findChild(QDockWidget, "checkDock")
    dock.show()
    dock.raise_()
    panel = win.dock_context.panels["check"]
    holder = dock.widget()
    qtbot.waitUntil(lambda: panel.isVisible() and holder.viewport().height() > 0, timeout=30000)
    QApplication.processEvents()
    assert holder.viewport().height() < 400  # the side's lower half, beside the Inspector
    assert not holder.verticalScrollBar().isVisible(), holder.verticalScrollBar().maximum()
    top = panel.message_label.geometry().top()
    two_lines = panel.fontMetrics().lineSpacing() * 2
    assert panel.message_label.height() >= two_lines  # its room is kept while empty
    panel._message("Ground truth saved to receipt.truth.json (0 of 3 checked)")
    for _ in range(5):  # (the panel's layout, then the scroll area holding it)
        QApplication.processEvents()
    assert panel.message_label.geometry().top() == top  # nothing jumps
    assert panel.message_label.height() >= two_lines and panel.message_label.isVisible()
