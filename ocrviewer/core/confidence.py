"""Confidence of blocks and lines as their words give it: most services state none for them.

The lowest word says whether anything in the line needs a look; the mean says how the line went
overall. Both are shown where a block or line has no confidence of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
