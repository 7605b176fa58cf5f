"""View > Compare with Ground Truth on a rotated photo: A/B, no truth, a moved overlay (the colours, hover
texts and the list: test_compare_split)."""

from __future__ import annotations

from pathlib import Path

from tests.gui.conftest import open_page, typo_page


def _page_with_truth(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image, truth, result = typo_page(tmp_path)
    open_page(window, qtbot, image, truth, result)


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
