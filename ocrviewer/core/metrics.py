"""Text metrics: normalization, grapheme clusters, CER, WER and the order-independent word error.

Definitions (stated in ``ocrviewer compare --help`` and in reports):

* **normalization**: Unicode NFC, then every run of whitespace collapsed to one space and the ends
  stripped. Case and punctuation are kept: an engine that loses them is wrong. Ligatures (``ﬁ``,
  MUFI's private-use letters) and ``ſ`` are kept as written (dinglehopper's default unjoins ligatures).
* **CER**: edit distance (insertions + deletions + substitutions) over *grapheme clusters* (what a
  reader sees as one character: ``m̃``, ``é`` written either way, a flag, a family emoji), divided
  by the reference's length in grapheme clusters. Spaces inside a line count; line breaks do not
  (a page's CER is jiwer's over the list of its lines; dinglehopper counts each line break). An empty
  reference has no rate (None, shown n/a); a rate over 1 is kept.
* **WER**: the same over words (whitespace-separated, punctuation included as jiwer does; dinglehopper
  takes Unicode word boundaries and drops punctuation), divided by the reference's word count.
* **bag-of-words error** (``wer_unordered``): words compared as multisets, order ignored:
  ``max(|ref - hyp|, |hyp - ref|) / |ref|``, so a substituted word counts once, a missing or an
  extra word once each, and a reading-order difference not at all.

Grapheme clusters come from ``uniseg`` (MIT; Unicode 16 segmentation rules, the library
dinglehopper uses). ``grapheme`` is faster but frozen at Unicode 13; uniseg's cost (pure Python) is
paid only by text that needs it: a line whose every character is its own cluster (checked per
character once, against uniseg itself) is compared as a plain string.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

__all__ = [
    "NORMALIZATION",
    "ErrorCount",
    "bag_of_words_errors",
    "char_distance",
    "char_errors",
    "char_length",
    "graphemes",
    "normalize",
    "word_distance",
]

#: One line naming the normalization, for --help and reports.
NORMALIZATION = (
    "Unicode NFC, whitespace runs collapsed to one space, ends stripped; case and punctuation kept"
)

#: Characters known to be a grapheme cluster on their own whatever stands next to them.
_simple: set[str] = set()
#: CR and LF join each other (CR LF is one cluster) though each is simple next to a letter.
_complex: set[str] = {"\r", "\n"}


def normalize(text: str) -> str:
    """NFC with whitespace collapsed (see :data:`NORMALIZATION`)."""
    if text.isascii():  # NFC leaves ASCII alone
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFC", text).split())


def _is_simple(ch: str) -> bool:
    """True when ``ch`` never joins a neighbour into one cluster (probed with uniseg once)."""
    if ch in _simple:
        return True
    if ch in _complex:
        return False
    from uniseg.graphemecluster import grapheme_clusters  # type: ignore[import-untyped]  # 45 ms: when needed

    ok = all(len(list(grapheme_clusters(s))) == 2 for s in (ch + "a", "a" + ch, ch + ch))
    (_simple if ok else _complex).add(ch)
    return ok


def graphemes(text: str) -> str | list[str]:
    """``text`` as a sequence of grapheme clusters: the string itself when each character is one."""
    chars = set(text)
    if chars <= _simple or all(_is_simple(c) for c in chars):
        return text
    from uniseg.graphemecluster import grapheme_clusters

    return list(grapheme_clusters(text))


def char_length(text: str) -> int:
    """Length of ``text`` in grapheme clusters."""
    return len(graphemes(text))


def char_distance(ref: str, hyp: str) -> int:
    """Edit distance between two (normalized) texts over grapheme clusters."""
    a, b = graphemes(ref), graphemes(hyp)
    if isinstance(a, str) and isinstance(b, str):
        return int(Levenshtein.distance(a, b))
    return int(Levenshtein.distance(list(a), list(b)))


def char_errors(ref: str, hyp: str) -> ErrorCount:
    """Grapheme edit distance of ``hyp`` against ``ref`` over ``ref``'s length in graphemes."""
    a, b = graphemes(ref), graphemes(hyp)
    if isinstance(a, str) and isinstance(b, str):
        return ErrorCount(int(Levenshtein.distance(a, b)), len(a))
    return ErrorCount(int(Levenshtein.distance(list(a), list(b))), len(a))


def word_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Edit distance between two word sequences (each word one token)."""
    return int(Levenshtein.distance(list(ref), list(hyp)))


def bag_of_words_errors(ref: Iterable[str], hyp: Iterable[str]) -> int:
    """Order-independent word errors: ``max(|ref - hyp|, |hyp - ref|)`` over multisets."""
    r, h = Counter(ref), Counter(hyp)
    return max(sum((r - h).values()), sum((h - r).values()))


@dataclass(frozen=True)
class ErrorCount:
    """Errors over a reference length; adds up over lines, blocks, pages and documents."""

    errors: int = 0
    length: int = 0

    def __add__(self, other: ErrorCount) -> ErrorCount:
        return ErrorCount(self.errors + other.errors, self.length + other.length)

    @property
    def rate(self) -> float | None:
        """errors / length; None when the reference is empty (undefined, never shown as 0 %)."""
        if self.length == 0:
            return None
        return self.errors / self.length

    def to_dict(self) -> dict[str, float | int | None]:
        rate = self.rate
        return {
            "rate": None if rate is None else round(rate, 6),
            "errors": self.errors,
            "length": self.length,
        }
