"""A person's workspace round trip in the window: image, two responses, a ground truth, save, reopen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ocrviewer.core import childproc, parsers
from ocrviewer.gui.app import ViewRequest, open_request
from tests.support.responses import build_response, write_response


def shown(window) -> tuple[str | None, list[tuple[str, tuple[int, ...]]]]:
    """The chooser's current text and the word boxes on the canvas."""
    doc = window.state.document
    boxes = [(w.text, tuple(round(v) for v in w.bbox)) for w in doc.words()] if doc else []
    return window.result_chooser.currentText(), boxes


def results(window) -> list[tuple[str, str, bool]]:
    return [(r.name, r.role, r.document is not None) for r in window.state.results()]


@pytest.fixture
def project(tmp_path: Path, text_image) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.move(str(text_image(6)), folder / "photo.jpg")
    write_response(folder / "yandex.json", build_response("yandex", orientation=6, frame="raw"))
    write_response(folder / "azure.json", build_response("azure-v3", orientation=6, frame="display"))
    write_response(folder / "truth.json", build_response("azure-v3", orientation=6, frame="display"))
    return folder


def build_in_window(window, qtbot, folder: Path) -> None:
    files = window.files
    assert files.open_image(str(folder / "photo.jpg"))
    files.open_response(str(folder / "yandex.json"))
    qtbot.waitUntil(lambda: len(window.state.results()) == 1, timeout=30000)
    files.open_response(str(folder / "azure.json"))
    qtbot.waitUntil(lambda: len(window.state.results()) == 2, timeout=30000)
    files.open_truth(str(folder / "truth.json"))
    qtbot.waitUntil(lambda: len(window.state.results()) == 3 and not files.busy, timeout=30000)


def test_two_responses_and_a_truth_are_saved_and_reopened_offline(window, qtbot, project, tmp_path, settings):
    build_in_window(window, qtbot, project)
    assert results(window) == [
        ("yandex.json", "result", True),
        ("azure.json", "result", True),
        ("truth.json", "truth", True),
    ]
    assert window.result_chooser.count() == 3
    assert window.result_chooser.currentText() == "truth.json · ground truth"
    # the person picks the first response and shifts it by 4 px with the frame tools
    window.result_chooser.activated.emit(0)
    window.result_chooser.setCurrentIndex(0)
    state = window.state
    state.set_transform(state.transform.then(dx=4.0))
    before = shown(window)
    assert before[0] == "yandex.json · corrected" and len(before[1]) == 5

    target = window.files.save_workspace(str(project / "photo.ocrviewer-workspace.json"))
    assert target is not None and json.loads(target.read_text())["schema"] == "ocrviewer.workspace/1"
    window.close()

    moved = tmp_path / "moved"
    shutil.move(str(project), moved)
    from ocrviewer.gui.main_window import MainWindow

    again = MainWindow(settings, with_docks=False)
    qtbot.addWidget(again)
    again.show()
    open_request(again, ViewRequest(image=str(moved / "photo.ocrviewer-workspace.json")))
    qtbot.waitUntil(lambda: len(again.state.results()) == 3 and not again.files.busy, timeout=30000)
    assert results(again) == results(window)
    assert shown(again) == before
    assert again.state.image_path == str(moved / "photo.jpg")
    qtbot.waitUntil(lambda: again.canvas.image_item.has_full, timeout=30000)


def _count_call(calls: list[str], msg: object) -> None:
    if isinstance(msg, tuple):  # (function name, args); closing sends no call
        calls.append(str(msg[0]))


@pytest.mark.parametrize("in_child", [True, False], ids=["parser-process", "small-in-worker"])
def test_each_opened_response_is_parsed_once(window, qtbot, project, monkeypatch, in_child):
    if in_child:  # as a big response is: sent to the window's parser process (core.parse_child)
        window.parser.min_bytes = 0
    calls: list[str] = []
    real = parsers._parse
    monkeypatch.setattr(parsers, "_parse", lambda fmt, data: calls.append(fmt) or real(fmt, data))
    send = childproc.write_message  # what goes to the child (parsed there, out of this process's sight)
    monkeypatch.setattr(
        childproc, "write_message", lambda stream, msg: _count_call(calls, msg) or send(stream, msg)
    )
    build_in_window(window, qtbot, project)
    assert len(calls) == 3  # one parse per result, none on the GUI thread's side
    assert (window.parser.starts > 0) == in_child


def test_a_changed_image_is_named_and_the_rest_opens(window, qtbot, project, text_image):
    build_in_window(window, qtbot, project)
    path = window.files.save_workspace(str(project / "w.json"))
    shutil.copy(text_image(1, "other.jpg"), project / "photo.jpg")  # the photo was replaced
    window.files.open_workspace(str(path))
    qtbot.waitUntil(
        lambda: window.message_bar.level == "warning" and window.message_bar.isVisible(), timeout=30000
    )
    assert "photo.jpg" in window.message_bar.text and "changed" in window.message_bar.text
    qtbot.waitUntil(lambda: len(window.state.results()) == 3, timeout=30000)
    assert all(not placed for _, _, placed in results(window))
    assert window.state.document is None  # stale polygons are never drawn


def test_a_response_while_the_image_changes_is_dropped(window, qtbot, project, text_image):
    assert window.files.open_image(str(project / "photo.jpg"))
    window.files.open_response(str(project / "yandex.json"))
    window.files.open_image(str(text_image(1, "second.jpg")))
    qtbot.waitUntil(lambda: not window.files.busy, timeout=30000)
    assert window.state.results() == [] and window.state.document is None
