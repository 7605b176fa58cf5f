"""Confidence of blocks and lines as their words give it: most services state none for them.

The lowest word says whether anything in the line needs a look; the mean says how the line went
overall. Both are shown where a block or line has no confidence of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ocrviewer.core.model import Word


@dataclass(frozen=True)
class WordConfidence:
    """The words' confidences of one element: lowest, mean, and how many had one."""

    low: float
    mean: float
    count: int
    missing: int = 0

    def short(self) -> str:
        """'0.81/0.95' (min/mean) for a narrow column."""
        return f"{self.low:.2f}/{self.mean:.2f}"

    def describe(self) -> str:
        extra = f", {self.missing} without" if self.missing else ""
        return f"words: lowest {self.low:.3f}, mean {self.mean:.3f} ({self.count} with a confidence{extra})"


def _words(element: Any) -> list[Any]:
    if hasattr(element, "words"):
        return list(element.words)
    return [w for line in getattr(element, "lines", ()) for w in line.words]


def word_confidence(element: Any) -> WordConfidence | None:
    """Min and mean confidence of a line's or block's words (None when no word has one)."""
    made = getattr(element, "word_confidences", None)  # a block of a column page (core.columns)
    values = made() if made is not None else [w.confidence for w in _words(element)]
    known = [c for c in values if c is not None]
    if not known:
        return None
    return WordConfidence(min(known), sum(known) / len(known), len(known), len(values) - len(known))


def sort_confidence(element: Any) -> float | None:
    """The element's own confidence, else its lowest word's: what a "worst first" sort wants."""
    own = getattr(element, "confidence", None)
    if own is not None:
        return float(own)
    stats = word_confidence(element)
    return None if stats is None else stats.low


#: what a page without a stated value ranks as: after every real confidence (0..1)
_UNRANKED = 2.0


def page_word_stats(words: Iterable[Word]) -> tuple[int, float | None, tuple[str, float] | None]:
    """A page's words, their mean confidence and the least confident word (text, confidence)."""
    count, total, known = 0, 0.0, 0
    worst: tuple[str, float] | None = None
    for word in words:
        count += 1
        c = word.confidence
        if c is not None:
            total += c
            known += 1
            if worst is None or c < worst[1]:
                worst = (word.text, c)
    return count, (total / known if known else None), worst


def worst_first_key(
    failed: bool, words: int, mean: float | None, worst: tuple[str, float] | None
) -> tuple[int, float, float]:
    """Pages worst first: failed, then without words, then by the worst word and the mean (lowest first).

    The window's page list and ``ocrviewer pages`` (a batch's OUTDIR) sort by it alike.
    """
    rank = 0 if failed else (1 if not words else 2)
    return rank, worst[1] if worst else _UNRANKED, mean if mean is not None else _UNRANKED
