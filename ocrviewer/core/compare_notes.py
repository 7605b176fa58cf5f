"""What compare mode says about a comparison, Qt-free: tooltips, the Differences rows, captions, the
Inspector's lines for the selected word, and the checks behind its warnings.

Every place that names a word's status (the canvas tooltip, the Differences panel, the Inspector)
reads it from the same :class:`~ocrviewer.core.compare.WordPair`, so they never disagree.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

from ocrviewer.core.compare import STATUSES, WRONG, PageComparison, WordPair
from ocrviewer.core.model import Document, Page

__all__ = [
    "CONFIDENT",
    "WordStatus",
    "caption",
    "confident_wrong",
    "difference_row",
    "line_counts",
    "note",
    "page_of",
    "size_mismatch",
    "word_notes",
    "word_status",
]

#: confidence at or above which a wrong word counts as "confident but wrong"
CONFIDENT = 0.9


def page_of(doc: Document, index: int) -> Page:
    """Page ``index`` of ``doc`` (its only page, or the last, when it has fewer)."""
    for p in doc.pages:
        if p.index == index:
            return p
    return doc.pages[0] if len(doc.pages) == 1 else doc.pages[min(index, len(doc.pages) - 1)]


def note(pc: PageComparison, k: int) -> str:
    """Tooltip line (rich text) of pair ``k``."""
    status = STATUSES[int(pc.status[k])]
    ref, res = (html.escape(t) for t in pc.pair(k).shown)
    return f"<i>{status}</i>: truth «{ref}» · result «{res}»"


def _pair_rows(pc: PageComparison, side: str) -> dict[int, int]:
    """Word index in ``page.words()`` order of one side -> its pair's row."""
    words = pc.ref_words if side == "reference" else pc.result_words
    index = pc.ref_index if side == "reference" else pc.result_index
    model = np.asarray(words.model_index, np.int64)
    rows: dict[int, int] = {}
    for k in np.flatnonzero(index >= 0).tolist():
        m = int(model[int(index[k])])
        if m >= 0:
            rows[m] = k
    return rows


def word_notes(pc: PageComparison, side: str) -> dict[int, str]:
    """Tooltip line per word of one side (index in ``page.words()`` order)."""
    return {m: note(pc, k) for m, k in _pair_rows(pc, side).items()}


def difference_row(p: WordPair) -> str:
    """A row of the Differences panel."""
    ref, res = p.shown
    return f"{p.status}: «{ref}» → «{res}» ({p.distance})"


@dataclass(frozen=True)
class WordStatus:
    """The selected word in compare mode, as the Inspector shows it."""

    status: str
    #: the truth's text it aligns with (all the truth's words of a merge; '—' for none)
    reference: str
    #: the result's text (all the pieces of a split; '—' for none)
    result: str
    #: grapheme edit distance, as the Differences panel gives it
    distance: int

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows."""
        return [
            ("Status", self.status),
            ("Truth", self.reference),
            ("Result", self.result),
            ("Edit distance", str(self.distance)),
        ]


def word_status(pc: PageComparison, side: str, model_index: int) -> WordStatus | None:
    """Word ``model_index`` (``page.words()`` order) of one side: its status, the texts and the edit
    distance; None for a word not compared (no text)."""
    k = _pair_rows(pc, side).get(model_index)
    if k is None:
        return None
    p = pc.pair(k)
    ref, res = p.shown
    return WordStatus(p.status, ref, res, p.distance)


def caption(shown: Any, against: Any, pc: PageComparison, side: str) -> str:
    """One line (rich text) over a view: which result, against what, and its figures."""
    n = pc.counts()
    name, other = html.escape(shown.name), html.escape(against.name)
    if side == "reference":
        kind = "ground truth, text only: no boxes" if shown.text_only else "ground truth"
        return (
            f"<b>{name}</b> ({kind}) · {n['missed']} words missed by {other}, "
            f"{n['substituted']} substituted, {n['split']} split, {n['merged']} merged"
        )
    cer = "n/a" if pc.cer.rate is None else f"{pc.cer.rate * 100:.2f}%"
    wer = "n/a" if pc.wer.rate is None else f"{pc.wer.rate * 100:.2f}%"
    if against.text_only:
        other += " (text only)"
    return (
        f"<b>{name}</b> vs {other} · CER {cer} · WER {wer} · "
        f"{n['substituted']} substituted, {n['missed']} missed, {n['extra']} extra, "
        f"{n['split']} split, {n['merged']} merged"
    )


def size_mismatch(result: Any) -> str | None:
    """'NAME: its page (WxH) does not fit the image' when frame detection found no size that fits."""
    loaded = result.loaded
    d = loaded.decision if loaded is not None else None
    if d is None or d.method == "no-image" or d.page_size is None:
        return None
    if (d.evidence.get(d.frame) or {}).get("size") != "mismatch":
        return None
    w, h = d.page_size
    return f"{result.name}: its page ({w:.0f}x{h:.0f} {d.unit}) does not fit the image"


def line_counts(truth: Any, other: Any, page: int) -> tuple[int, int] | None:
    """(truth lines, result lines) on the page when they differ, else None."""
    if truth.document is None or other.document is None:
        return None
    nr = sum(1 for ln in page_of(truth.document, page).lines() if ln.text.strip())
    ns = sum(1 for ln in page_of(other.document, page).lines() if ln.text.strip())
    return (nr, ns) if nr != ns else None


def confident_wrong(pc: PageComparison) -> tuple[int, int]:
    """(wrong result words at or above :data:`CONFIDENT`, all words at or above it)."""
    st = pc.statuses("result")
    conf = np.array(
        [np.nan if w.confidence is None else w.confidence for w in pc.result_words.word], dtype=float
    )
    confident = conf >= CONFIDENT
    return int((confident & np.isin(st, WRONG)).sum()), int(confident.sum())
