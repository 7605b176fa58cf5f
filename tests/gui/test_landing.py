"""A large recognition result landing in the main window: what the user sees afterwards.

The first frame shows the result's words (its dense picture made in the run's worker when the
view did not change, made on the GUI thread when it did: the same pixels either way), the docks
show the new result's counts and rows, a result landing right after another shows the newer one,
and closing the window while a result lands does not crash.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtGui import QImage

import ocrviewer.gui.overlay as overlay
from ocrviewer.core.drawing import DENSE_LIMIT
from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.loading import place_result
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox

SIZE = (1600, 1200)


def dense_document(words: int, prefix: str = "w") -> Document:
    """``words`` words on a grid covering the page, 10 per line and 6 lines per block, with
    confidences spread over 0.3..1 and a few words without one."""
    per_line, per_block = 10, 6
    cols, w_h = 40, 8.0
    rows = -(-words // cols)
    cell_w, cell_h = SIZE[0] / cols, SIZE[1] / rows
    made: list[Word] = []
    for i in range(words):
        x, y = (i % cols) * cell_w + 2, (i // cols) * cell_h + 1
        conf = None if i % 97 == 0 else 0.3 + 0.7 * ((i * 37) % 100) / 100
        made.append(
            Word(f"{prefix}{i}", polygon_from_bbox(x, y, x + cell_w - 4, y + max(w_h, cell_h - 2)), conf)
        )
    lines = []
    for k in range(0, len(made), per_line):
        ws = tuple(made[k : k + per_line])
        x0, y0 = ws[0].bbox[:2]
        x1, y1 = ws[-1].bbox[2:]
        lines.append(Line(" ".join(w.text for w in ws), polygon_from_bbox(x0, y0, x1, y1), ws))
    blocks = []
    for k in range(0, len(lines), per_block):
        ls = tuple(lines[k : k + per_block])
        blocks.append(Block(polygon_from_bbox(0, ls[0].bbox[1], SIZE[0], ls[-1].bbox[3]), ls))
    return Document((Page(float(SIZE[0]), float(SIZE[1]), tuple(blocks)),), source_format="test")


def answering(doc: Document, release: threading.Event | None = None) -> Callable[..., object]:
    """A recognizer answering ``doc`` (after ``release`` is set, when given), placed as a run places it."""

    def recognize(image_path, provider, options, settings, cancel, progress, fresh):  # noqa: ANN001, ANN202
        from ocrviewer.gui.recognition_panel import RecognitionOutput

        while release is not None and not release.is_set():
            cancel.raise_if_cancelled()
            cancel.wait(0.01)
        loaded = place_result(doc, "the service", image_path, read_image_info(image_path))
        return RecognitionOutput(loaded, False, provider)

    return recognize


@pytest.fixture
def page_image(tmp_path: Path) -> Path:
    image = Image.new("RGB", SIZE, (236, 230, 214))
    draw = ImageDraw.Draw(image)
    for y in range(20, SIZE[1], 40):
        draw.line((30, y, SIZE[0] - 30, y), fill=(60, 60, 90), width=3)
    path = tmp_path / "page.jpg"
    image.save(path, quality=90)
    return path


@pytest.fixture
def window(qtbot, settings, page_image):  # noqa: ANN001, ANN201
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert win.files.open_image(str(page_image))
    qtbot.waitUntil(lambda: win.canvas.image_item.has_full, timeout=30000)
    panel = win.dock_context.panels["recognition"]
    qtbot.waitUntil(lambda: panel.ready, timeout=30000)
    return win


def on_gui_thread(monkeypatch, name: str) -> list[bool]:  # noqa: ANN001
    """True for each call of ``overlay.<name>`` on the GUI thread, False for one in a worker."""
    made: list[bool] = []
    real = getattr(overlay, name)

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        made.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(overlay, name, counting)
    return made


@pytest.fixture
def gui_rasters(monkeypatch) -> list[bool]:  # noqa: ANN001
    """Each dense picture filled (its grid of classes): on the GUI thread or not."""
    return on_gui_thread(monkeypatch, "rasterize")


def usable_provider(panel) -> str:  # noqa: ANN001
    name = next((n for n in panel.providers if not panel.reasons.get(n)), None)
    if name is None:
        pytest.skip(f"no provider usable here: {panel.reasons}")
    return name


def land(qtbot, window, doc: Document, release: threading.Event | None = None) -> None:  # noqa: ANN001
    panel = window.dock_context.panels["recognition"]
    panel.recognizer = answering(doc, release)
    with qtbot.waitSignal(panel.recognized, timeout=60000):
        assert panel.start(usable_provider(panel))
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)


def fresh_frame(window) -> QImage:  # noqa: ANN001
    """The canvas painted with every dense picture made again on the GUI thread."""
    for layer in window.canvas.layers.values():
        layer._raster = layer._picture = None
    return window.canvas.viewport().grab().toImage()


def test_the_first_frame_of_a_large_result_shows_its_words_drawn_in_the_worker(
    qtbot, window, gui_rasters, monkeypatch
):
    coloured = on_gui_thread(monkeypatch, "indexed_picture")
    doc = dense_document(DENSE_LIMIT + 1000)
    land(qtbot, window, doc)
    frame = window.canvas.viewport().grab().toImage()
    assert gui_rasters == [False] and coloured == [False]  # made in the run's worker, not on the GUI thread
    assert frame == fresh_frame(window)  # the same pixels as a picture made on the GUI thread
    assert gui_rasters == [False, True]
    assert len(window.canvas.layers["word"].data) == DENSE_LIMIT + 1000


def test_a_view_zoomed_during_the_run_gets_a_picture_made_for_it(qtbot, window, gui_rasters):
    release = threading.Event()
    panel = window.dock_context.panels["recognition"]
    panel.recognizer = answering(dense_document(DENSE_LIMIT + 1000), release)
    assert panel.start(usable_provider(panel))
    window.canvas.set_zoom(window.canvas.zoom * 0.8)  # the user zooms out while the service works
    with qtbot.waitSignal(panel.recognized, timeout=60000):
        release.set()
    frame = window.canvas.viewport().grab().toImage()
    assert gui_rasters[-1] is True  # the worker's picture was for the old view: made anew
    assert frame == fresh_frame(window)


def test_the_docks_show_the_newer_of_two_results_landing_one_after_the_other(qtbot, window):
    land(qtbot, window, dense_document(DENSE_LIMIT + 600, "a"))
    # the first result's word list is still being made (timer passes) when the second lands
    land(qtbot, window, dense_document(DENSE_LIMIT + 200, "b"))
    n = DENSE_LIMIT + 200
    panels = window.dock_context.panels
    inspector = panels["inspector"]
    qtbot.waitUntil(lambda: not inspector.rebuilding, timeout=30000)
    rows = inspector.words_model
    texts = {rows.data(rows.index(i, 0)) for i in range(rows.rowCount())}
    assert rows.rowCount() == n and texts == {f"b{i}" for i in range(n)}
    assert inspector.text_view.toPlainText().split()[:2] == ["b0", "b1"]
    assert f"{n} words" in panels["quality"].counts_label.text()
    assert f"{n} words" in panels["recognition"].status_label.text()
    assert len(window.canvas.layers["word"].data) == n
    # a click on a word in the list selects it on the canvas (the row's path is found in the arrays)
    inspector.words_table.selectRow(5)
    ref = window.state.selection
    assert ref is not None and rows.row_of(ref) == 5
    assert window.state.element(ref).text == rows.data(rows.index(5, 0))


def test_closing_the_window_while_a_result_lands_is_quiet(qtbot, window):
    land(qtbot, window, dense_document(DENSE_LIMIT + 200))
    # the inspector's text and word list, and the image's copy at the view's pixels, are pending
    window.close()
    inspector = window.dock_context.panels["inspector"]
    # every pending pass runs (or is dropped) without an error: the inspector's text and word list,
    # then the canvas's first paint (a fixed 400 ms wait passed unchecked when they came later)
    qtbot.waitUntil(lambda: not inspector.rebuilding and not window.canvas._held, timeout=30000)
    assert window.dock_context.panels["recognition"].job is None


def test_the_canvas_paints_the_landed_result_on_a_later_pass_and_keeps_painting(qtbot, window):
    from PySide6.QtCore import QEvent, QObject

    class Paints(QObject):
        count = 0

        def eventFilter(self, obj, event):  # noqa: ANN001, ANN202, N802
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    paints = Paints()
    viewport = window.canvas.viewport()
    viewport.installEventFilter(paints)
    land(qtbot, window, dense_document(DENSE_LIMIT + 200))
    # the first frame comes on a pass after the docks have followed the result, then as usual
    qtbot.waitUntil(lambda: viewport.updatesEnabled() and paints.count > 0, timeout=30000)
    before = paints.count
    window.state.set_min_confidence(0.9)  # the user drags the threshold: the canvas repaints
    qtbot.waitUntil(lambda: paints.count > before, timeout=30000)
    viewport.removeEventFilter(paints)
