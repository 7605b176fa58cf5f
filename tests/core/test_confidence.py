"""Word statistics of a page and the worst-first order the window and ``ocrviewer pages`` share."""

from __future__ import annotations

from ocrviewer.core.confidence import page_word_stats, worst_first_key
from ocrviewer.core.model import Word

BOX = ((0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0))


def test_page_word_stats_counts_every_word_and_averages_the_stated_confidences() -> None:
    words = [Word("a", BOX, 0.9), Word("b", BOX, None), Word("c", BOX, 0.3), Word("d", BOX, 0.3)]
    count, mean, worst = page_word_stats(words)
    assert count == 4 and mean == (0.9 + 0.3 + 0.3) / 3
    assert worst == ("c", 0.3)  # the first of equally bad words
    assert page_word_stats([]) == (0, None, None)
    assert page_word_stats([Word("x", BOX)]) == (1, None, None)


def test_worst_first_puts_failures_then_empty_pages_then_the_least_confident() -> None:
    pages = {
        "good": worst_first_key(False, 5, 0.95, ("ok", 0.9)),
        "bad": worst_first_key(False, 5, 0.95, ("oops", 0.2)),
        "failed": worst_first_key(True, 0, None, None),
        "empty": worst_first_key(False, 0, None, None),
        "unrated": worst_first_key(False, 3, None, None),  # words without confidences: after rated ones
    }
    assert sorted(pages, key=pages.__getitem__) == ["failed", "empty", "bad", "good", "unrated"]
