"""The confidence colour scale separates the top of the range, and the other colours stay off it."""

from __future__ import annotations

from ocrviewer.core.confidence import sort_confidence, word_confidence
from ocrviewer.core.model import Line, Word, polygon_from_bbox
from ocrviewer.core.palette import (
    COMPARE_COLORS,
    FULL_SCALE,
    NO_CONFIDENCE_COLOR,
    SEARCH_COLOR,
    SELECTION_COLOR,
    confidence_rgb,
    fit_scale,
    hex_to_rgb,
)

TYPICAL = [0.91, 0.93, 0.95, 0.96, 0.97, 0.98, 0.99, 0.99, 0.995, 0.999] * 5


def distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def test_fixed_scale_cannot_tell_093_from_099_but_the_fitted_one_can() -> None:
    assert distance(FULL_SCALE.rgb(0.93), FULL_SCALE.rgb(0.99)) < 80  # both green
    scale = fit_scale(TYPICAL)
    assert scale.stretched and scale.low >= 0.9 and scale.high == 1.0
    assert "pct" in scale.note
    assert distance(scale.rgb(0.93), scale.rgb(0.99)) > 150
    assert scale.rgb(0.5) == scale.rgb(scale.low)  # below the range: the reddest colour


def test_scale_stays_full_for_few_or_spread_values() -> None:
    assert fit_scale([0.95, 0.99]) == FULL_SCALE
    assert fit_scale([i / 20 for i in range(21)]) == FULL_SCALE
    assert fit_scale([None, float("nan")] * 10) == FULL_SCALE


def test_scale_inverts_positions() -> None:
    scale = fit_scale(TYPICAL)
    for v in (scale.low, 0.95, scale.high):
        assert abs(scale.value_at(scale.position(v)) - v) < 1e-9


def test_selection_search_compare_and_none_are_off_the_scale() -> None:
    on_scale = [confidence_rgb(i / 100) for i in range(101)]
    for color in (SELECTION_COLOR, SEARCH_COLOR, *COMPARE_COLORS.values()):
        assert min(distance(hex_to_rgb(color), c) for c in on_scale) > 90, color
    grey = hex_to_rgb(NO_CONFIDENCE_COLOR)
    assert min(distance(grey, c) for c in on_scale) > 50  # and hatched on the canvas


def test_line_confidence_from_its_words() -> None:
    box = polygon_from_bbox(0, 0, 10, 10)
    line = Line("a b c", box, (Word("a", box, 0.8), Word("b", box, 1.0), Word("c", box, None)))
    stats = word_confidence(line)
    assert stats is not None and stats.low == 0.8 and stats.mean == 0.9 and stats.missing == 1
    assert stats.short() == "0.80/0.90"
    assert sort_confidence(line) == 0.8
    assert word_confidence(Line("x", box, (Word("x", box, None),))) is None
