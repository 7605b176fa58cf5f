"""View > Compare with Ground Truth: words coloured by status, both texts on hover, the list, A/B."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor

from ocrviewer.core.palette import STATUS_COLORS
from tests.support import responses as R
from tests.support.images import DEFAULT_WORDS, make_text_image


def _page_with_truth(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image = make_text_image(tmp_path / "photo.jpg", orientation=6)
    typo = [("Hel1o" if t == "Hello" else t, box) for t, box in DEFAULT_WORDS]
    engine = R.write_response(
        tmp_path / "engine.json", R.build_response("azure-v3", typo, orientation=6, frame="raw")
    )
    truth = R.write_response(
        tmp_path / "truth.json", R.build_response("yandex", DEFAULT_WORDS, orientation=6)
    )
    assert window.files.open_image(str(image))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    window.files.open_truth(str(truth))
    qtbot.waitUntil(lambda: any(r.role == "truth" for r in window.state.results()), timeout=30000)
    window.files.open_response(str(engine))
    qtbot.waitUntil(
        lambda: window.state.current_result() is not None and window.state.current_result().role == "result",
        timeout=30000,
    )


def test_compare_mode_colours_the_words_and_lists_the_differences(window, qtbot, tmp_path: Path) -> None:
    _page_with_truth(window, qtbot, tmp_path)
    window.actions_["compare_mode"].setChecked(True)
    qtbot.waitUntil(lambda: window.compare.comparison is not None, timeout=30000)
    layer = window.canvas.layers["word"]
    qtbot.waitUntil(lambda: layer.statuses is not None, timeout=30000)
    texts = [layer.data.text(i) for i in range(len(layer.data))]
    assert layer.statuses.tolist() == [1 if t == "Hel1o" else 0 for t in texts]  # substituted, else equal
    k = texts.index("Hel1o")
    assert "truth «Hello» · result «Hel1o»" in window.canvas.tooltip_for("word", k)
    assert window.compare.comparison.counts()["substituted"] == 1  # the status bar says it too (other
    # messages may replace it on a busy machine, so the figure is checked at its source)
    # painted in the status colour, outside the confidence scale
    window.canvas.fit()
    frame = window.canvas.viewport().grab().toImage()
    magenta = QColor(STATUS_COLORS["substituted"])
    found = any(
        abs(QColor(frame.pixel(x, y)).hue() - magenta.hue()) < 12
        and QColor(frame.pixel(x, y)).saturation() > 60
        for x in range(0, frame.width(), 2)
        for y in range(0, frame.height(), 2)
    )
    assert found
    # the differences list, worst first; a click selects the word on the canvas
    assert window.compare.list.count() == 1
    window.compare.list.itemClicked.emit(window.compare.list.item(0))
    assert window.state.selection is not None and window.state.selection.word >= 0


def test_switch_ab_shows_the_truth_with_its_missed_words(window, qtbot, tmp_path: Path) -> None:
    _page_with_truth(window, qtbot, tmp_path)
    window.compare.set_enabled(True)
    qtbot.waitUntil(lambda: window.compare.comparison is not None, timeout=30000)
    result_id = window.state.current_result().id
    window.actions_["compare_swap"].trigger()
    qtbot.waitUntil(lambda: window.state.current_result().role == "truth", timeout=30000)
    layer = window.canvas.layers["word"]
    qtbot.waitUntil(lambda: layer.statuses is not None and len(layer.statuses) == 5, timeout=30000)
    texts = [layer.data.text(i) for i in range(len(layer.data))]
    assert layer.statuses.tolist() == [1 if t == "Hello" else 0 for t in texts]
    window.compare.toggle_ab()
    qtbot.waitUntil(lambda: window.state.current_result().id == result_id, timeout=30000)
    window.compare.set_enabled(False)
    assert layer.statuses is None  # back to confidence colours


def test_without_truth_compare_mode_says_what_to_do(window, qtbot, tmp_path: Path) -> None:
    window.compare.set_enabled(True)
    assert "load a ground truth" in window.statusBar().currentMessage()
    window.compare.toggle_ab()
    assert window.message_bar.level == "warning"
    assert window.canvas.layers["word"].statuses is None


def test_moving_the_overlay_compares_again(window, qtbot, tmp_path: Path) -> None:
    """Dragging the result off its words (frame tools) is a new placement: the statuses follow it."""
    _page_with_truth(window, qtbot, tmp_path)
    window.compare.set_enabled(True)
    layer = window.canvas.layers["word"]
    qtbot.waitUntil(lambda: layer.statuses is not None, timeout=30000)
    assert (layer.statuses == 0).sum() == 4
    window.state.set_transform(window.state.transform.then(dx=0.0, dy=400.0))  # far below the text
    qtbot.waitUntil(lambda: layer.statuses is not None and (layer.statuses == 3).all(), timeout=30000)
    counts = window.compare.comparison.counts()
    assert counts["missed"] == 5 and counts["extra"] == 5
