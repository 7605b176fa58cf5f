"""Text metrics: normalization, grapheme clusters, CER, WER and the order-independent word error.

Definitions (stated in ``ocrviewer compare --help`` and in reports):

* **normalization**: Unicode NFC, then every run of whitespace collapsed to one space and the ends
  stripped. Case and punctuation are kept: an engine that loses them is wrong. Ligatures (``ﬁ``,
  MUFI's private-use letters) and ``ſ`` are kept as written (dinglehopper's default unjoins ligatures).
  Opt-in forms for historic prints (:data:`NORMALIZATIONS`): ``historic`` applies the equivalences
  dinglehopper's default (``NFC_SBB``) applies, so figures on historic prints compare with its;
  ``modern`` also reads the long s as ``s`` and the r rotunda as ``r``.
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

from ocrviewer.errors import BadInput

__all__ = [
    "NORMALIZATION",
    "NORMALIZATIONS",
    "ErrorCount",
    "bag_of_words_errors",
    "char_distance",
    "char_errors",
    "char_length",
    "check_normalization",
    "graphemes",
    "normalize",
    "word_distance",
]

#: One line naming the normalization, for --help and reports.
NORMALIZATION = (
    "Unicode NFC, whitespace runs collapsed to one space, ends stripped; case and punctuation kept"
)

#: Historic spellings and their standard equivalents: the characters dinglehopper's default
#: normalization (``NFC_SBB``: ``unjoin_ligatures`` and ``substitute_equivalences`` in its
#: ``extracted_text.py``, Apache-2.0) treats as equal, written out here from Unicode and MUFI's
#: code charts. Ligatures are unjoined, MUFI's private-use umlauts and an ``e`` above a vowel read as
#: the umlaut, dash and apostrophe variants as one. The long s stays: it is a letter of its own there.
_HISTORIC_CHARS: dict[str, str] = {
    "\ufb00": "ff",  # LATIN SMALL LIGATURE FF
    "\ufb01": "fi",  # LATIN SMALL LIGATURE FI
    "\ufb02": "fl",  # LATIN SMALL LIGATURE FL
    "\ufb03": "ffi",  # LATIN SMALL LIGATURE FFI
    "\ufb06": "st",  # LATIN SMALL LIGATURE ST
    "\u0133": "ij",  # LATIN SMALL LIGATURE IJ
    "\ueba2": "\u017fi",  # MUFI: LATIN SMALL LIGATURE LONG S I
    "\ueba5": "\u017fp",  # MUFI: LATIN SMALL LIGATURE LONG S P
    "\ueba6": "\u017f\u017f",  # MUFI: LATIN SMALL LIGATURE LONG S LONG S
    "\ueba7": "\u017f\u017fi",  # MUFI: LATIN SMALL LIGATURE LONG S LONG S I
    "\ueada": "\u017ft",  # MUFI: LATIN SMALL LIGATURE LONG S T
    "\uf502": "ch",  # MUFI: LATIN SMALL LIGATURE CH
    "\ueec4": "ck",  # MUFI: LATIN SMALL LIGATURE CK
    "\ueec5": "ct",  # MUFI: LATIN SMALL LIGATURE CT
    "\ueedc": "tz",  # MUFI: LATIN SMALL LIGATURE TZ
    "\uf4f9": "ll",  # MUFI: LATIN SMALL LIGATURE LL
    "\uf532": "as",  # eMOP: LATIN SMALL LIGATURE AS
    "\uf533": "is",  # eMOP: LATIN SMALL LIGATURE IS
    "\uf534": "us",  # eMOP: LATIN SMALL LIGATURE US
    "\uf535": "Qu",  # eMOP: LATIN LIGATURE CAPITAL Q SMALL U
    "\ue8bf": "q&",  # MUFI: LATIN SMALL LETTER Q LIGATED WITH FINAL ET
    "\uf50e": "q\u0301",  # MUFI: LATIN SMALL LETTER Q WITH ACUTE ACCENT
    "\ue42c": "\u00e4",  # MUFI: LATIN SMALL LETTER A WITH LATIN SMALL LETTER E ABOVE
    "\ue644": "\u00f6",  # MUFI: LATIN SMALL LETTER O WITH LATIN SMALL LETTER E ABOVE
    "\ue72b": "\u00fc",  # MUFI: LATIN SMALL LETTER U WITH LATIN SMALL LETTER E ABOVE
    "\u2014": "\u2013",  # EM DASH -> EN DASH
    "\u2019": "'",  # RIGHT SINGLE QUOTATION MARK -> APOSTROPHE
    "\u2e17": "-",  # DOUBLE OBLIQUE HYPHEN -> HYPHEN-MINUS
}
#: Sequences of more than one character (after the single characters above).
_HISTORIC_SEQUENCES: tuple[tuple[str, str], ...] = (
    ("a\u0364", "\u00e4"),  # a + COMBINING LATIN SMALL LETTER E
    ("o\u0364", "\u00f6"),
    ("u\u0364", "\u00fc"),
    ("==", "\u2013"),  # a doubled hyphen typed as two equals signs
)
#: ``modern`` on top of ``historic``: letters with a modern spelling.
_MODERN_CHARS: dict[str, str] = {
    "\u017f": "s",  # LATIN SMALL LETTER LONG S
    "\ua75b": "r",  # LATIN SMALL LETTER R ROTUNDA
    "\ua75a": "R",  # LATIN CAPITAL LETTER R ROTUNDA
}
_HISTORIC_TABLE = str.maketrans(_HISTORIC_CHARS)
_MODERN_TABLE = str.maketrans(_MODERN_CHARS)

#: The normalizations ``compare`` offers (``--normalize``): name -> one line for --help and reports.
NORMALIZATIONS: dict[str, str] = {
    "exact": NORMALIZATION,
    "historic": NORMALIZATION + "; then historic equivalents as dinglehopper's default: ligatures unjoined "
    "(\ufb01 -> fi, MUFI's private-use ligatures), MUFI umlauts and e above a/o/u -> \u00e4/\u00f6/\u00fc, "
    "\u2014 -> \u2013, \u2019 -> ', \u2e17 -> -; the long s kept",
    "modern": NORMALIZATION + "; then the historic equivalents, and the long s read as s, the r rotunda as r",
}

#: Characters known to be a grapheme cluster on their own whatever stands next to them.
_simple: set[str] = set()
#: CR and LF join each other (CR LF is one cluster) though each is simple next to a letter.
_complex: set[str] = {"\r", "\n"}


def normalize(text: str, form: str = "exact") -> str:
    """NFC with whitespace collapsed (see :data:`NORMALIZATION`); ``form`` ``historic`` or ``modern``
    also applies those equivalences (see :data:`NORMALIZATIONS`)."""
    if text.isascii():  # NFC leaves ASCII alone, and no equivalence starts with ASCII but "=="
        return " ".join(text.split() if form == "exact" or "==" not in text else _historic(text).split())
    text = unicodedata.normalize("NFC", text)
    if form != "exact":
        text = _historic(text)
        if form == "modern":
            text = text.translate(_MODERN_TABLE)
    return " ".join(text.split())


def _historic(text: str) -> str:
    text = text.translate(_HISTORIC_TABLE)
    for old, new in _HISTORIC_SEQUENCES:
        if old in text:
            text = text.replace(old, new)
    return text


def check_normalization(form: str) -> str:
    """``form`` when it is one of :data:`NORMALIZATIONS`, else a one-line error naming them."""
    if form not in NORMALIZATIONS:
        raise BadInput(f"unknown normalization {form!r}; use one of: {', '.join(NORMALIZATIONS)}")
    return form


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
