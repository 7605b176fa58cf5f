"""The window parses answers and opened responses in its parser process; what lands is the same.

A user sees the same words, boxes, inspector rows, counts and check-mode suspects as with an
in-process parse; a stale run is dropped; closing the window ends the child.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ocrviewer.core.columns import ColumnPage
from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.loading import load_result, place_result
from ocrviewer.errors import BadResponse
from ocrviewer.providers.run import document_from_raw
from ocrviewer.providers.settings import PARSER

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "azure"
RESPONSE = CORPUS / "read-v3.2-signage.json"
IMAGE = CORPUS / "testdata.jpg"


def answering(raw: bytes, calls: list[object]):  # noqa: ANN201
    """A recognizer that gets ``raw`` from a 'service' and handles it as a provider run does."""

    def recognize(image_path, provider, options, settings, cancel, progress, fresh):  # noqa: ANN001, ANN202
        from ocrviewer.gui.recognition_panel import RecognitionOutput

        calls.append(settings.get(PARSER))
        source = document_from_raw(raw, ".json", "the service", settings.get(PARSER), cancel)
        loaded = place_result(source, "the service", image_path, read_image_info(image_path))
        return RecognitionOutput(loaded, False, provider)

    return recognize


@pytest.fixture
def window(qtbot, settings):  # noqa: ANN001, ANN201
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)
    win.parser.min_bytes = 0  # the corpus answer is small: the window would parse it in its worker
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert win.files.open_image(str(IMAGE))
    qtbot.waitUntil(lambda: win.canvas.image_item.has_full, timeout=30000)
    panel = win.dock_context.panels["recognition"]
    qtbot.waitUntil(lambda: panel.ready, timeout=30000)
    return win


def usable_provider(panel) -> str:  # noqa: ANN001
    name = next((n for n in panel.providers if not panel.reasons.get(n)), None)
    if name is None:
        pytest.skip(f"no provider usable here: {panel.reasons}")
    return name


def test_a_recognized_answer_is_parsed_in_the_child_and_lands_word_for_word(qtbot, window):
    panel = window.dock_context.panels["recognition"]
    calls: list[object] = []
    panel.recognizer = answering(RESPONSE.read_bytes(), calls)
    with qtbot.waitSignal(panel.recognized, timeout=30000):
        assert panel.start(usable_provider(panel))
    assert calls == [window.parser]
    assert window.parser.pid is not None
    doc = window.state.document
    assert isinstance(doc.pages[0], ColumnPage)
    want = load_result(RESPONSE, IMAGE).document
    words = [(w.text, w.bbox, w.confidence) for w in want.words()]
    inspector = window.dock_context.panels["inspector"]
    inspector.flush()  # (the rows are rebuilt in timer passes after the landing)
    rows = inspector.words_model
    shown = [rows.data(rows.index(i, 0)) for i in range(rows.rowCount())]  # (sorted as the user chose)
    assert sorted(shown) == sorted(t for t, _, _ in words)
    assert f"{len(words)} words" in panel.status_label.text()
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == words
    # hovering a word shows its text: made from the columns on demand
    layer = window.canvas.layers["word"].data
    assert [layer.text(i) for i in range(len(layer))] == [t for t, _, _ in words]


def test_a_bad_answer_shows_the_one_line_error_and_nothing_lands(qtbot, window):
    panel = window.dock_context.panels["recognition"]
    panel.recognizer = answering(b'{"x": 1}', [])
    with pytest.raises(BadResponse) as here:
        document_from_raw(b'{"x": 1}', ".json", "the service")
    assert panel.start(usable_provider(panel))
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    assert panel.message_label.text() == str(here.value)
    assert window.state.document is None


def test_an_opened_response_is_parsed_in_the_child(qtbot, window):
    with qtbot.waitSignal(window.files.responseLoaded, timeout=30000):
        window.files.open_response(str(RESPONSE))
    doc = window.state.document
    assert isinstance(doc.pages[0], ColumnPage)
    assert doc == load_result(RESPONSE, IMAGE).document


def test_a_run_for_an_image_no_longer_shown_is_dropped(qtbot, window, tmp_path):
    panel = window.dock_context.panels["recognition"]
    started = []

    def slow(image_path, provider, options, settings, cancel, progress, fresh):  # noqa: ANN001, ANN202
        started.append(1)
        while not cancel.cancelled:
            cancel.wait(0.01)
        return answering(RESPONSE.read_bytes(), [])(
            image_path, provider, options, settings, cancel, progress, fresh
        )

    panel.recognizer = slow
    assert panel.start(usable_provider(panel))
    qtbot.waitUntil(lambda: bool(started), timeout=30000)
    other = tmp_path / "other.jpg"
    other.write_bytes(IMAGE.read_bytes())
    assert window.files.open_image(str(other))
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    window.workers.shutdown(30000)
    assert window.state.document is None
    assert window.state.image_path == str(other)


def test_closing_the_window_ends_the_parser_process(qtbot, window):
    with qtbot.waitSignal(window.files.responseLoaded, timeout=30000):
        window.files.open_response(str(RESPONSE))
    pid = window.parser.pid
    assert pid is not None
    window.close()
    assert window.parser.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_small_response_is_parsed_without_starting_the_child(qtbot, settings):
    """A small result (the bundled sample's) lands without waiting for a parser process to start."""
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    assert RESPONSE.stat().st_size < win.parser.min_bytes
    assert win.files.open_image(str(IMAGE))
    with qtbot.waitSignal(win.files.responseLoaded, timeout=30000):
        win.files.open_response(str(RESPONSE))
    assert win.parser.pid is None and win.parser.starts == 0
    assert win.state.document == load_result(RESPONSE, IMAGE).document
