"""Compare a result with a reference, word by word: alignment, statuses and metrics (Qt-free).

Alignment of one page, in the order the issue asks for:

1. **polygon overlap**: candidate pairs are found with a grid over the word boxes (no n x m loop),
   their polygon IoU is computed in numpy (convex quads clipped exactly, any other polygon by its
   box), and pairs are taken greedily, best IoU first, one-to-one: a pair with IoU >= 0.5 is a
   match, one with IoU >= 0.1 is a match when the texts are also alike (similarity >= 0.5);
2. **text within the line**: words left over are matched by text similarity (rapidfuzz) to words
   left over in the line the two results agree on (the line most of their matched words share),
   best first, in the line's order (no pair crosses one made before);
3. what is left: reference words are *missed*, result words *extra*; matched words are *equal*
   (same normalized text) or *substituted*;
4. differences that are one word cut in two or two run together are named: a reference word whose
   substituted result word and the extra words next to it in the result's line (up to
   :data:`MAX_PIECES`) read as that word with the spaces taken out (within one edit in five) is
   *split*, all of them; a result word that so reads as its reference word and the missed reference
   words next to it is *merged*, all of them. Where the words have boxes the pieces must lie within
   the whole word's box. This only names differences: the metrics are computed from the alignment
   before it and do not change (a split is still a substitution and an insertion in WER).

The reading order of either side never matters in step 1 and 2. Without word geometry (a plain
text reference, or a reference with lines but no words) lines are paired instead (by IoU when
they have polygons, else by text similarity, best first) and words are aligned inside each pair
by edit operations.

Metrics (see :mod:`ocrviewer.core.metrics` for the definitions) are computed per reference line
against the result words in that line, read where they lie (on a reference word: at its place in
the reference's order; between words: between them), never by what they were paired with, so a
line's figures are the edit distances between the two token sequences it reports, as jiwer's; a
result word in no reference line counts as inserted at page level. Lines add up to blocks, blocks to
pages, pages to the document. Detection precision/recall count one-to-one word pairs with
IoU >= 0.5, text ignored.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Container, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import chain, groupby
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from ocrviewer.core.metrics import (
    ErrorCount,
    bag_of_words_errors,
    char_distance,
    char_errors,
    char_length,
    check_normalization,
    normalize,
    word_distance,
)
from ocrviewer.core.model import UNPLACED_WORDS, Document, Line, Page, Polygon, Word
from ocrviewer.errors import BadInput

__all__ = [
    "DETECTION_IOU",
    "MAX_PIECES",
    "STATUSES",
    "Comparison",
    "Detection",
    "LineScore",
    "PageComparison",
    "PageWord",
    "PageWords",
    "WordPair",
    "compare_documents",
    "compare_pages",
    "page_words",
    "polygon_iou",
]

STATUSES = ("equal", "substituted", "missed", "extra", "split", "merged")
#: Status indexes of a result word that is wrong (substituted, extra, a piece of a split, a merge).
WRONG = (1, 3, 4, 5)
#: At most this many words make one split or merged word.
MAX_PIECES = 4
#: IoU at which two word polygons are the same detection (and match whatever their text).
DETECTION_IOU = 0.5
#: Smallest IoU at which two words may match when their texts are alike.
MIN_IOU = 0.1
#: Normalized Indel similarity (0..1) at which two texts are alike.
TEXT_SIMILAR = 0.5

#: Bands of result word confidence for "how many confident words are wrong" (the last includes 1.0).
CONFIDENCE_BANDS = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 1.0))

#: How a page was aligned: word polygons, line polygons, or text only.
MODES = ("words", "lines", "text")


# -- words of a page ----------------------------------------------------------------------------------


class PageWord(NamedTuple):
    """One word of a page in reading order, with where it sits in the model."""

    word: Word
    text: str  # normalized
    block: int
    line: int  # index of the line in ``page.lines()`` order


class PageWords:
    """A page's compared words as parallel lists (no object per word: 10k words stay cheap to collect).

    Words whose normalized text is empty are left out; a line without words gives one word per
    token, boxed by the line. ``model_index`` is each word's index in ``page.words()`` order (-1
    for those made from a line), so a canvas can map statuses onto its own items.
    """

    def __init__(self, page: Page, normalization: str = "exact") -> None:
        self.word: list[Word] = []
        self.text: list[str] = []
        self.block: list[int] = []
        self.line: list[int] = []
        self.model_index: list[int] = []
        seen: dict[str, str] = {}  # words repeat: normalize each spelling once
        li = 0
        k = 0
        for bi, block in enumerate(page.blocks):
            for line in block.lines:
                if line.words and not line.extras.get(UNPLACED_WORDS):
                    for w in line.words:
                        t = seen.get(w.text)
                        if t is None:
                            t = seen[w.text] = normalize(w.text, normalization)
                        if t:
                            self.word.append(w)
                            self.text.append(t)
                            self.block.append(bi)
                            self.line.append(li)
                            self.model_index.append(k)
                        k += 1
                else:  # no words, or some its file did not place (their text only in the line's)
                    for token in normalize(line.text, normalization).split():
                        self.word.append(Word(token, line.polygon))
                        self.text.append(token)
                        self.block.append(bi)
                        self.line.append(li)
                        self.model_index.append(-1)
                    k += len(line.words)
                li += 1
        #: number of words in ``page.words()``
        self.model_count = k

    def __len__(self) -> int:
        return len(self.word)


def page_words(page: Page, normalization: str = "exact") -> list[PageWord]:
    """The page's words in order, as :class:`WordPair` indexes them.

    A line without words gives one word per token, boxed by the line.
    """
    w = PageWords(page, normalization)
    return [PageWord(*x) for x in zip(w.word, w.text, w.block, w.line, strict=True)]


def _has_geometry(polygon: Polygon) -> bool:
    return len(polygon) >= 3


# -- polygons -----------------------------------------------------------------------------------------


def _quads(polygons: Sequence[Polygon]) -> np.ndarray:
    """(n, 4, 2) convex quads with positive orientation: the polygon itself or its bounding box."""
    if polygons and all(len(p) == 4 for p in polygons):
        flat = chain.from_iterable(chain.from_iterable(polygons))
        arr = np.fromiter(flat, dtype=np.float64, count=8 * len(polygons)).reshape(-1, 4, 2)
    else:
        arr = np.empty((len(polygons), 4, 2), dtype=np.float64)
        for i, poly in enumerate(polygons):
            if len(poly) == 4:
                arr[i] = poly
            else:
                xs = [p[0] for p in poly] or [0.0]
                ys = [p[1] for p in poly] or [0.0]
                arr[i] = ((min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys)))
    if not len(arr):
        return arr
    edge = np.roll(arr, -1, axis=1) - arr
    nxt_edge = np.roll(edge, -1, axis=1)
    cross = edge[:, :, 0] * nxt_edge[:, :, 1] - edge[:, :, 1] * nxt_edge[:, :, 0]
    convex = (cross >= 0).all(axis=1) | (cross <= 0).all(axis=1)
    if not convex.all():  # a bow-tie or dented quad: use its box
        bad = ~convex
        lo, hi = arr[bad].min(axis=1), arr[bad].max(axis=1)
        arr[bad] = np.stack(
            [lo, np.stack([hi[:, 0], lo[:, 1]], 1), hi, np.stack([lo[:, 0], hi[:, 1]], 1)], axis=1
        )
    flip = _area(arr) < 0
    arr[flip] = arr[flip][:, ::-1]
    return arr


def _upright(quads: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """True for quads that are their own bounding box (IoU is then a box IoU)."""
    box_area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    out: np.ndarray = np.abs(_area(quads)) >= box_area * (1 - 1e-9)
    return out


def _area(quads: np.ndarray) -> np.ndarray:
    """Signed shoelace area of (n, k, 2) polygons."""
    x, y = quads[..., 0], quads[..., 1]
    out: np.ndarray = 0.5 * (x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y).sum(axis=-1)
    return out


def _clip_area(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Area of the intersection of convex quads, pairwise: Sutherland-Hodgman vectorized in numpy."""
    p = len(subject)
    m = 8  # a quad clipped by a quad has at most 8 vertices
    poly = np.zeros((p, m, 2))
    poly[:, :4] = subject
    n = np.full(p, 4)
    idx = np.arange(m)
    for k in range(4):
        a = clip[:, k][:, None, :]
        e = (clip[:, (k + 1) % 4] - clip[:, k])[:, None, :]
        valid = idx[None, :] < n[:, None]
        nxt = np.take_along_axis(poly, ((idx[None, :] + 1) % np.maximum(n, 1)[:, None])[..., None], axis=1)
        dc = e[..., 0] * (poly[..., 1] - a[..., 1]) - e[..., 1] * (poly[..., 0] - a[..., 0])
        dn = e[..., 0] * (nxt[..., 1] - a[..., 1]) - e[..., 1] * (nxt[..., 0] - a[..., 0])
        cin, nin = dc >= 0, dn >= 0
        denom = dc - dn
        t = np.divide(dc, denom, out=np.zeros_like(dc), where=denom != 0)
        inter = poly + t[..., None] * (nxt - poly)
        out = np.stack([inter, nxt], axis=2).reshape(p, 2 * m, 2)
        keep = (np.stack([cin != nin, nin], axis=2) & valid[..., None]).reshape(p, 2 * m)
        order = np.argsort(~keep, axis=1, kind="stable")[:, :m]
        poly = np.take_along_axis(out, order[..., None], axis=1)
        n = np.minimum(keep.sum(axis=1), m)
    valid = idx[None, :] < n[:, None]
    nxt = np.take_along_axis(poly, ((idx[None, :] + 1) % np.maximum(n, 1)[:, None])[..., None], axis=1)
    terms = poly[..., 0] * nxt[..., 1] - nxt[..., 0] * poly[..., 1]
    area: np.ndarray = np.abs(0.5 * np.where(valid, terms, 0.0).sum(axis=1))
    return area


def _boxes(quads: np.ndarray) -> np.ndarray:
    """(x0, y0, x1, y1) of (n, 4, 2) quads (elementwise over the corners: faster than min(axis=1))."""
    if not len(quads):
        return np.zeros((0, 4))
    q = [quads[:, k] for k in range(4)]
    lo = np.minimum(np.minimum(q[0], q[1]), np.minimum(q[2], q[3]))
    hi = np.maximum(np.maximum(q[0], q[1]), np.maximum(q[2], q[3]))
    return np.concatenate([lo, hi], axis=1)


def _grid_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) whose boxes ``a[i]``, ``b[j]`` (x0, y0, x1, y1) overlap.

    A uniform grid of cells twice the median word size: each box is entered in the cells it
    covers, pairs meet in a shared cell and are kept only in the cell holding the top-left corner
    of their overlap, so no pair is reported twice. O(n + m + pairs), no n x m table.
    """
    if not len(a) or not len(b):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sizes = np.concatenate([a[:, 2:] - a[:, :2], b[:, 2:] - b[:, :2]])
    sample = np.sort(sizes[:: max(1, len(sizes) // 4096)], axis=0)  # np.median is slow on many equal sizes
    cell = np.maximum(sample[len(sample) // 2] * 2.0, 1e-6)
    origin = np.minimum(a[:, :2].min(axis=0), b[:, :2].min(axis=0))

    def cell_of(xy: np.ndarray) -> np.ndarray:
        c = np.floor((xy - origin) / cell).astype(np.int64)
        out: np.ndarray = c[..., 1] * 1_000_003 + c[..., 0]
        return out

    def cells(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        c0 = np.floor((boxes[:, :2] - origin) / cell).astype(np.int64)
        c1 = np.floor((boxes[:, 2:] - origin) / cell).astype(np.int64)
        span = c1 - c0 + 1
        count = span[:, 0] * span[:, 1]
        big = count > 64  # a box over many cells (a stray page-sized word) is checked against all
        count = np.where(big, 0, count)
        owner = np.repeat(np.arange(len(boxes)), count)
        k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        cx = c0[owner, 0] + k % span[owner, 0]
        cy = c0[owner, 1] + k // span[owner, 0]
        return cy * 1_000_003 + cx, owner, np.flatnonzero(big)

    ca, oa, big_a = cells(a)
    cb, ob, big_b = cells(b)
    order = np.argsort(ca, kind="stable")
    ca, oa = ca[order], oa[order]
    lo = np.searchsorted(ca, cb, "left")
    cnt = np.searchsorted(ca, cb, "right") - lo
    jj = np.repeat(ob, cnt)
    where = np.repeat(cb, cnt)
    ii = oa[np.repeat(lo, cnt) + np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)]
    corner = np.stack([np.maximum(a[ii, 0], b[jj, 0]), np.maximum(a[ii, 1], b[jj, 1])], axis=1)
    first = cell_of(corner) == where
    ii, jj = ii[first], jj[first]
    if len(big_a) or len(big_b):
        code = np.unique(
            np.concatenate(
                [
                    np.repeat(big_a, len(b)) * len(b) + np.tile(np.arange(len(b)), len(big_a)),
                    np.arange(len(a)).repeat(len(big_b)) * len(b) + np.tile(big_b, len(a)),
                ]
            )
        )
        ii, jj = np.concatenate([ii, code // len(b)]), np.concatenate([jj, code % len(b)])
    overlap = (np.minimum(a[ii, 2], b[jj, 2]) > np.maximum(a[ii, 0], b[jj, 0])) & (
        np.minimum(a[ii, 3], b[jj, 3]) > np.maximum(a[ii, 1], b[jj, 1])
    )
    return ii[overlap], jj[overlap]


def _pair_iou(
    qa: np.ndarray,
    qb: np.ndarray,
    ii: np.ndarray,
    jj: np.ndarray,
    boxes: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """IoU of the quads ``qa[ii]`` and ``qb[jj]``: box arithmetic where both are upright, else clipping."""
    if not len(ii):
        return np.zeros(0)
    ba, bb = boxes if boxes is not None else (_boxes(qa), _boxes(qb))
    ua, ub = _upright(qa, ba), _upright(qb, bb)
    w = np.clip(np.minimum(ba[ii, 2], bb[jj, 2]) - np.maximum(ba[ii, 0], bb[jj, 0]), 0, None)
    h = np.clip(np.minimum(ba[ii, 3], bb[jj, 3]) - np.maximum(ba[ii, 1], bb[jj, 1]), 0, None)
    inter = w * h
    slow = ~(ua[ii] & ub[jj])
    if slow.any():
        inter[slow] = _clip_area(qa[ii[slow]], qb[jj[slow]])
    union = np.abs(_area(qa[ii])) + np.abs(_area(qb[jj])) - inter
    out: np.ndarray = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return out


def polygon_iou(a: Polygon, b: Polygon) -> float:
    """IoU of two polygons (convex quads exactly; other polygons by their boxes)."""
    qa, qb = _quads([a]), _quads([b])
    return float(_pair_iou(qa, qb, np.zeros(1, np.int64), np.zeros(1, np.int64))[0])


def _greedy(
    ii: np.ndarray, jj: np.ndarray, score: np.ndarray, n: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-to-one pairs taken best score first (ties: first candidate first).

    Done in rounds of mutual bests (a pair that is the best alive candidate of both its ends is
    exactly what the sequential greedy would take), so 10k words need a few numpy passes, not a
    Python loop over every candidate.
    """
    k = len(ii)
    rank = np.empty(k, np.int64)
    rank[np.argsort(-score, kind="stable")] = np.arange(k)
    used_a = np.zeros(n, bool)
    used_b = np.zeros(m, bool)
    alive = np.ones(k, bool)
    taken: list[np.ndarray] = []
    while alive.any():
        idx = np.flatnonzero(alive)
        best_a = np.full(n, k, np.int64)
        best_b = np.full(m, k, np.int64)
        np.minimum.at(best_a, ii[idx], rank[idx])
        np.minimum.at(best_b, jj[idx], rank[idx])
        mutual = idx[(best_a[ii[idx]] == rank[idx]) & (best_b[jj[idx]] == rank[idx])]
        taken.append(mutual)
        used_a[ii[mutual]] = True
        used_b[jj[mutual]] = True
        alive[idx] = ~(used_a[ii[idx]] | used_b[jj[idx]])
    got = np.concatenate(taken) if taken else np.zeros(0, np.int64)
    got = got[np.argsort(rank[got], kind="stable")]
    return ii[got], jj[got], score[got]


# -- results ------------------------------------------------------------------------------------------


class WordPair(NamedTuple):
    """A reference word and a result word as aligned; one of them is None for missed/extra.

    ``ref_index`` / ``result_index`` index :func:`page_words` of the reference / result page
    (-1 when absent), so a canvas can colour its own items; ``distance`` is the grapheme edit
    distance between the normalized texts (a missed or extra word: its length; a split or merged
    word: the whole word against its pieces run together). ``joined`` is, for a split, the result's
    pieces and, for a merge, the reference's words, as read (space-separated).
    """

    status: str
    ref: Word | None
    result: Word | None
    ref_index: int
    result_index: int
    ref_text: str
    result_text: str
    iou: float | None
    distance: int
    joined: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = {
            "status": self.status,
            "reference": self.ref_text if self.ref is not None else None,
            "result": self.result_text if self.result is not None else None,
            "iou": None if self.iou is None else round(self.iou, 4),
            "distance": self.distance,
        }
        if self.status == "split":
            d["result_words"] = self.joined
        elif self.status == "merged":
            d["reference_words"] = self.joined
        return d

    @property
    def shown(self) -> tuple[str, str]:
        """(reference, result) as a person reads the pair: a split shows all its pieces, a merge all
        its reference words; '—' for a side that has no word."""
        ref = self.ref_text if self.ref is not None else "—"
        res = self.result_text if self.result is not None else "—"
        if self.status == "split":
            res = self.joined
        elif self.status == "merged":
            ref = self.joined
        return ref, res


@dataclass(frozen=True)
class LineScore:
    """One reference line against the result words the alignment put in it."""

    block: int
    line: int
    reference: str
    result: str
    cer: ErrorCount
    wer: ErrorCount

    def to_dict(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "line": self.line,
            "reference": self.reference,
            "result": self.result,
            "cer": self.cer.rate,
            "wer": self.wer.rate,
        }


@dataclass(frozen=True)
class Detection:
    """One-to-one polygon pairs with IoU >= 0.5 among ``reference`` and ``result`` elements."""

    true_positives: int
    reference: int
    result: int
    level: str = "word"

    def __add__(self, other: Detection) -> Detection:
        return Detection(
            self.true_positives + other.true_positives,
            self.reference + other.reference,
            self.result + other.result,
            self.level if self.level == other.level else "mixed",
        )

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.result if self.result else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.reference if self.reference else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": _r(self.precision),
            "recall": _r(self.recall),
            "iou": DETECTION_IOU,
            "level": self.level,
            "matched": self.true_positives,
            "reference": self.reference,
            "result": self.result,
        }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 6)


def _scores(
    cer: ErrorCount, wer: ErrorCount, bag: ErrorCount, counts: dict[str, int], detection: Detection | None
) -> dict[str, Any]:
    """The figures a page and a whole comparison both report, in the report's key order."""
    return {
        "cer": _r(cer.rate),
        "wer": _r(wer.rate),
        "wer_unordered": _r(bag.rate),
        "chars": cer.to_dict(),
        "word_errors": wer.to_dict(),
        "words": counts,
        "detection": None if detection is None else detection.to_dict(),
    }


def _counts(status: np.ndarray, group: np.ndarray | None = None) -> dict[str, int]:
    """Words per status; ``split`` and ``merged`` count words cut or run together (one each,
    however many pieces), not the pairs."""
    c = np.bincount(status, minlength=len(STATUSES)).tolist() if len(status) else [0] * len(STATUSES)
    equal, substituted, missed, extra = c[:4]
    groups = (
        {int(g): int(st) for g, st in zip(group.tolist(), status.tolist(), strict=True) if g >= 0}
        if group is not None
        else {}
    )
    return {
        "matched": equal + substituted,
        "equal": equal,
        "substituted": substituted,
        "missed": missed,
        "extra": extra,
        "split": sum(1 for st in groups.values() if st == 4),
        "merged": sum(1 for st in groups.values() if st == 5),
    }


@dataclass(frozen=True, eq=False)
class PageComparison:
    """One page: every word pair, every reference line's score, and the page's figures.

    Pairs are kept as columns (one entry per pair, reference order, extras last) so a canvas
    can colour 10k words from arrays; :attr:`pairs` gives them as :class:`WordPair` objects.
    ``status`` holds indexes into :data:`STATUSES`; ``ref_index``/``result_index`` index
    :func:`page_words` of each side (-1: none); ``iou`` is NaN where no polygons were compared.
    """

    index: int
    mode: str  # "words", "lines" or "text"
    ref_words: PageWords
    result_words: PageWords
    status: np.ndarray
    ref_index: np.ndarray
    result_index: np.ndarray
    iou: np.ndarray
    distance: np.ndarray
    lines: tuple[LineScore, ...]
    cer: ErrorCount
    wer: ErrorCount
    bag: ErrorCount
    detection: Detection | None
    warnings: tuple[str, ...] = ()
    #: True when the two sides share almost no words and no overlapping boxes (different pages?)
    unrelated: bool = False
    #: per pair, the split or merged word it is a piece of (-1: none); None: no such word on the page
    group: np.ndarray | None = None

    def counts(self) -> dict[str, int]:
        return _counts(self.status, self.group)

    def _joined(self, k: int) -> str:
        """The other side's words of the split or merged word pair ``k`` belongs to."""
        if self.group is None or self.group[k] < 0:
            return ""
        rows = np.flatnonzero(self.group == self.group[k]).tolist()
        if int(self.status[k]) == 4:
            return " ".join(self.result_words.text[int(self.result_index[r])] for r in rows)
        return " ".join(self.ref_words.text[int(self.ref_index[r])] for r in rows)

    def pair(self, k: int) -> WordPair:
        """Pair ``k`` with both words and texts."""
        i, j = int(self.ref_index[k]), int(self.result_index[k])
        iou = float(self.iou[k])
        return WordPair(
            STATUSES[int(self.status[k])],
            self.ref_words.word[i] if i >= 0 else None,
            self.result_words.word[j] if j >= 0 else None,
            i,
            j,
            self.ref_words.text[i] if i >= 0 else "",
            self.result_words.text[j] if j >= 0 else "",
            None if math.isnan(iou) else iou,
            int(self.distance[k]),
            self._joined(k),
        )

    @cached_property
    def pairs(self) -> tuple[WordPair, ...]:
        """Every pair as an object (made on first use)."""
        return tuple(self.pair(k) for k in range(len(self.status)))

    def statuses(self, side: str = "result") -> np.ndarray:
        """Status index per word of one side (``"result"`` or ``"reference"``), -1 for none: for painting."""
        words, index = (
            (self.result_words, self.result_index) if side == "result" else (self.ref_words, self.ref_index)
        )
        out = np.full(len(words), -1, np.int8)
        have = index >= 0
        out[index[have]] = self.status[have]
        return out

    def model_statuses(self, side: str = "result") -> np.ndarray:
        """Status index per word in ``page.words()`` order of one side (-1: not compared, e.g. no text)."""
        words = self.result_words if side == "result" else self.ref_words
        out = np.full(words.model_count, -1, np.int8)
        idx = np.asarray(words.model_index, np.int64)
        keep = idx >= 0
        out[idx[keep]] = self.statuses(side)[keep]
        return out

    def blocks(self) -> list[tuple[int, ErrorCount, ErrorCount]]:
        """(reference block, CER, WER) for every block with lines."""
        acc: dict[int, tuple[ErrorCount, ErrorCount]] = {}
        for ls in self.lines:
            c, w = acc.get(ls.block, (ErrorCount(), ErrorCount()))
            acc[ls.block] = (c + ls.cer, w + ls.wer)
        return [(b, c, w) for b, (c, w) in sorted(acc.items())]

    def worst(self, limit: int = 20) -> list[WordPair]:
        """Pairs that are not equal, largest edit distance first (then reference order); a split or
        merged word once (its first pair)."""
        bad = self.status != 0
        if self.group is not None:
            g = self.group
            first = np.ones(len(g), bool)
            grouped = np.flatnonzero(g >= 0)
            _, at = np.unique(g[grouped], return_index=True)
            first[grouped] = False
            first[grouped[at]] = True
            bad &= first
        bad = np.flatnonzero(bad)
        order = np.lexsort((self.result_index[bad], self.ref_index[bad], -self.distance[bad]))
        return [self.pair(int(k)) for k in bad[order[:limit]]]

    def to_dict(self, *, lines: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "alignment": self.mode,
            **_scores(self.cer, self.wer, self.bag, self.counts(), self.detection),
            "blocks": [{"block": b, "cer": _r(c.rate), "wer": _r(w.rate)} for b, c, w in self.blocks()],
            "warnings": list(self.warnings),
        }
        if lines:
            d["lines"] = [ls.to_dict() for ls in self.lines]
            d["worst"] = [p.to_dict() for p in self.worst(20)]
        return d


@dataclass(frozen=True)
class Comparison:
    """A whole result against the reference: its pages and the document's figures."""

    pages: tuple[PageComparison, ...]
    warnings: tuple[str, ...] = field(default=())
    #: the text normalization the words were compared in (a key of ``metrics.NORMALIZATIONS``)
    normalization: str = "exact"

    @property
    def cer(self) -> ErrorCount:
        return sum((p.cer for p in self.pages), ErrorCount())

    @property
    def wer(self) -> ErrorCount:
        return sum((p.wer for p in self.pages), ErrorCount())

    @property
    def bag(self) -> ErrorCount:
        return sum((p.bag for p in self.pages), ErrorCount())

    @property
    def detection(self) -> Detection | None:
        dets = [p.detection for p in self.pages if p.detection is not None]
        if not dets:
            return None
        total = dets[0]
        for d in dets[1:]:
            total = total + d
        return total

    def counts(self) -> dict[str, int]:
        total = _counts(np.zeros(0, np.int8))
        for p in self.pages:
            for k, v in p.counts().items():
                total[k] += v
        return total

    def confidence_bands(self) -> list[dict[str, Any]]:
        """Confidence against correctness: per band of the result's word confidence, how many are wrong.

        A result word is wrong when it is substituted, extra, split or merged. Words without a confidence form
        their own band (``from``/``to`` None); empty bands are left out.
        """
        conf: list[float] = []
        wrong: list[bool] = []
        for page in self.pages:
            st = page.statuses("result")
            conf += [math.nan if w.confidence is None else w.confidence for w in page.result_words.word]
            wrong.extend(np.isin(st, WRONG).tolist())
        c, bad = np.asarray(conf, np.float64), np.asarray(wrong, bool)
        out: list[tuple[float | None, float | None, np.ndarray]] = []
        for lo, hi in CONFIDENCE_BANDS:
            inside = (c >= lo) & ((c < hi) if hi < 1.0 else (c <= hi))
            out.append((lo, hi, inside))
        out.append((None, None, np.isnan(c)))
        return [
            {
                "from": lo,
                "to": hi,
                "words": int(inside.sum()),
                "wrong": int(bad[inside].sum()),
                "wrong_share": _r(float(bad[inside].mean())),
            }
            for lo, hi, inside in out
            if inside.any()
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "normalization": self.normalization,
            "confidence": self.confidence_bands(),
            **_scores(self.cer, self.wer, self.bag, self.counts(), self.detection),
            "pages": [p.to_dict() for p in self.pages],
            "warnings": list(self.warnings),
        }


# -- alignment ------------------------------------------------------------------------------------------


def _mode(ref: Page, result: Page, geometry: bool) -> str:
    """Words when both sides box their words; lines when either has lines of text without words (PAGE
    ground truth, or an OCR-D result recognized at line level): a word boxed by its whole line would
    overlap no word of the other side."""
    if not geometry:
        return "text"
    lines = [ln for page in (ref, result) for ln in page.lines() if normalize(ln.text) or ln.words]
    if any(not ln.words or ln.extras.get(UNPLACED_WORDS) for ln in lines):
        return "lines" if all(_has_geometry(ln.polygon) and not _from_region(ln) for ln in lines) else "text"
    return "words"


def _from_region(line: Line) -> bool:
    """A line cut from its region's text (PAGE without TextLines): its polygon is the region's, no line's."""
    return line.extras.get("from") == "region TextEquiv"


class _Pairs:
    """Columns of pairs being built (plain ints and floats: nothing for the collector to walk)."""

    def __init__(self, ref: PageWords, res: PageWords) -> None:
        self.ref, self.res = ref, res
        self.status: list[int] = []
        self.ri: list[int] = []
        self.si: list[int] = []
        self.iou: list[float] = []
        self.dist: list[int] = []

    def matched(self, i: int, j: int, iou: float) -> None:
        rt, st = self.ref.text[i], self.res.text[j]
        equal = rt == st
        self.status.append(0 if equal else 1)
        self.dist.append(0 if equal else char_distance(rt, st))
        self.ri.append(i)
        self.si.append(j)
        self.iou.append(iou)

    def missed(self, i: int) -> None:
        self.status.append(2)
        self.dist.append(char_length(self.ref.text[i]))
        self.ri.append(i)
        self.si.append(-1)
        self.iou.append(math.nan)

    def extra(self, j: int) -> None:
        self.status.append(3)
        self.dist.append(char_length(self.res.text[j]))
        self.ri.append(-1)
        self.si.append(j)
        self.iou.append(math.nan)

    def arrays(self, sort: bool) -> tuple[np.ndarray, ...]:
        cols: tuple[np.ndarray, ...] = (
            np.asarray(self.status, np.int8),
            np.asarray(self.ri, np.int64),
            np.asarray(self.si, np.int64),
            np.asarray(self.iou, np.float64),
            np.asarray(self.dist, np.int64),
        )
        if sort and len(cols[0]):
            ri = np.where(cols[1] >= 0, cols[1], np.iinfo(np.int64).max)
            order = np.lexsort((cols[2], ri))
            cols = tuple(c[order] for c in cols)
        return cols


def _majority(keys: np.ndarray, values: np.ndarray) -> dict[int, int]:
    """For each key, its most frequent value (ties: the smallest value)."""
    if not len(keys):
        return {}
    span = int(values.max()) + 1
    codes, counts = np.unique(keys * span + values, return_counts=True)
    k, v = codes // span, codes % span
    order = np.lexsort((v, -counts, k))
    k, v = k[order], v[order]
    first = np.r_[True, k[1:] != k[:-1]]
    return dict(zip(k[first].tolist(), v[first].tolist(), strict=True))


def _align_words(
    ref: PageWords, res: PageWords, qa: np.ndarray, qb: np.ndarray
) -> tuple[np.ndarray, np.ndarray, Detection]:
    """Per reference word: the result word it matches (-1: none) and their IoU (NaN: matched by text).

    Polygons first, then text within the line both sides agree on.
    """
    ba, bb = _boxes(qa), _boxes(qb)
    ii, jj = _grid_pairs(ba, bb)
    iou = _pair_iou(qa, qb, ii, jj, (ba, bb))
    ok = iou >= DETECTION_IOU
    det = _greedy(ii[ok], jj[ok], iou[ok], len(ref), len(res))
    detection = Detection(len(det[0]), len(ref), len(res))

    # A pair under the detection IoU counts only when the texts are alike too.
    keep = iou >= DETECTION_IOU
    for k in np.flatnonzero((iou >= MIN_IOU) & ~keep).tolist():
        keep[k] = Indel.normalized_similarity(ref.text[ii[k]], res.text[jj[k]]) >= TEXT_SIMILAR
    gi, gj, gv = _greedy(ii[keep], jj[keep], iou[keep], len(ref), len(res))
    mj = np.full(len(ref), -1, np.int64)
    mv = np.full(len(ref), math.nan)
    mj[gi], mv[gi] = gj, gv
    used = np.zeros(len(res), bool)
    used[gj] = True

    # Step 2: the line most of a result line's matched words sit in is "its" reference line.
    rl = np.asarray(ref.line, np.int64)
    sl = np.asarray(res.line, np.int64)
    line_of = _majority(sl[gj], rl[gi])
    left_ref: dict[int, list[int]] = defaultdict(list)
    for i in np.flatnonzero(mj < 0).tolist():
        left_ref[ref.line[i]].append(i)
    left_res: dict[int, list[int]] = defaultdict(list)
    for j in np.flatnonzero(~used).tolist():
        target = line_of.get(res.line[j])
        if target is not None:
            left_res[target].append(j)
    # Pairs by text keep the line's order: none crosses a pair by polygon or an earlier one ('tetur',
    # the end of a split 'conse tetur', is not 'tempor' five words on, past the matched 'eirmod').
    lines_with_both = [ln for ln in left_ref if left_res.get(ln)]
    if not lines_with_both:
        _pair_flat_words(mj, ba, bb)
        return mj, mv, detection
    anchors = np.flatnonzero(mj >= 0)
    anchors = anchors[np.isin(rl[anchors], lines_with_both)]
    loose = np.array([j for ln in lines_with_both for j in left_res[ln]], np.int64)
    js = np.concatenate([mj[anchors], loose])
    js_lines = np.concatenate(
        [rl[anchors], np.array([line_of[res.line[j]] for j in loose.tolist()], np.int64)]
    )
    sub = np.flatnonzero(np.isin(rl, lines_with_both))  # whole lines: their ranks stay
    place, tie = _places(qa[sub], rl[sub], qb, js, js_lines)
    at = dict(zip(js.tolist(), zip(place.tolist(), tie.tolist(), strict=True), strict=True))
    start = np.searchsorted(rl, rl, "left")
    taken: dict[int, list[tuple[int, tuple[float, float]]]] = defaultdict(list)
    for i in anchors.tolist():
        taken[ref.line[i]].append((i - int(start[i]), at[int(mj[i])]))
    for line in lines_with_both:
        rs, ss = left_ref[line], left_res[line]
        scores = process.cdist(
            [ref.text[i] for i in rs], [res.text[j] for j in ss], scorer=Indel.normalized_similarity
        )
        a, b = np.nonzero(scores >= TEXT_SIMILAR)
        order = np.lexsort((b, a, -scores[a, b]))
        done_r: set[int] = set()
        done_s: set[int] = set()
        kept = taken[line]
        for x, y in zip(a[order].tolist(), b[order].tolist(), strict=True):
            if x in done_r or y in done_s:
                continue
            i, j = rs[x], ss[y]
            r, key = i - int(start[i]), at[j]
            if any((r < r2) != (key < key2) or r == r2 for r2, key2 in kept):
                continue
            mj[i] = j
            kept.append((r, key))
            done_r.add(x)
            done_s.add(y)
    _pair_flat_words(mj, ba, bb)
    return mj, mv, detection


def _pair_flat_words(mj: np.ndarray, ba: np.ndarray, bb: np.ndarray) -> None:
    """Step 3: a word of no area (its line collapsed to the baseline: eScriptorium's HEIGHT="0") overlaps
    nothing, not even itself; still unpaired, it is the result word with the very same box (one
    segmentation, two transcriptions: a ground truth and the OCR of its lines)."""
    flat_a = (ba[:, 2] - ba[:, 0]) * (ba[:, 3] - ba[:, 1]) <= 0
    if not flat_a.any():
        return
    used = np.zeros(len(bb), bool)
    used[mj[mj >= 0]] = True
    flat_b = ((bb[:, 2] - bb[:, 0]) * (bb[:, 3] - bb[:, 1]) <= 0) & ~used
    free: dict[tuple[float, ...], list[int]] = defaultdict(list)
    for j in np.flatnonzero(flat_b).tolist():
        free[tuple(bb[j].tolist())].append(j)
    if not free:
        return
    for i in np.flatnonzero(flat_a & (mj < 0)).tolist():
        same = free.get(tuple(ba[i].tolist()))
        if same:
            mj[i] = same.pop(0)


def _pair_lines_by_text(ref: list[str], res: list[str]) -> list[tuple[int, int]]:
    """One-to-one line pairs by text similarity, best first; then looser ones among the leftovers."""
    if not ref or not res:
        return []
    sim = process.cdist(ref, res, scorer=Indel.normalized_similarity)
    pos = np.abs(np.arange(len(ref))[:, None] / len(ref) - np.arange(len(res))[None, :] / len(res))
    score = sim - 0.05 * pos  # ties go to the line in the same place
    pairs: list[tuple[int, int]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for cutoff in (0.5, 0.2):
        a, b = np.nonzero(sim >= cutoff)
        keep = [
            (x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True) if x not in used_a and y not in used_b
        ]
        if not keep:
            continue
        xa, xb = np.array([k[0] for k in keep]), np.array([k[1] for k in keep])
        ga, gb, _ = _greedy(xa, xb, score[xa, xb], len(ref), len(res))
        for x, y in zip(ga.tolist(), gb.tolist(), strict=True):
            pairs.append((x, y))
            used_a.add(x)
            used_b.add(y)
    return pairs


def _pair_gaps(pairs: list[tuple[int, int]], n: int, m: int) -> list[tuple[int, int]]:
    """Lines left unpaired between the same two paired lines on both sides, paired in order (texts
    without geometry: a misread line is still that line, as jiwer and dinglehopper take it; a line
    missed and another extra would count more errors than the line's edit distance)."""
    anchors: list[tuple[int, int]] = []
    for a, b in sorted(pairs):  # the pairs in order on both sides (crossing ones are no anchor)
        if not anchors or b > anchors[-1][1]:
            anchors.append((a, b))
    paired_a = {a for a, _ in pairs}
    paired_b = {b for _, b in pairs}
    out: list[tuple[int, int]] = []
    bounds = [(-1, -1), *anchors, (n, m)]
    for (a0, b0), (a1, b1) in zip(bounds, bounds[1:], strict=False):
        left_a = [a for a in range(a0 + 1, a1) if a not in paired_a]
        left_b = [b for b in range(b0 + 1, b1) if b not in paired_b]
        out += list(zip(left_a, left_b, strict=False))
    return out


def _align_in_pair(
    ref_ids: list[int], res_ids: list[int], ref: PageWords, res: PageWords
) -> list[tuple[int | None, int | None]]:
    """Word alignment inside a line pair by edit operations: (ref index | None, result index | None)."""
    out: list[tuple[int | None, int | None]] = []
    blocks: list[list[int]] = []  # [src_start, src_end, dest_start, dest_end, equal]
    for op in Levenshtein.opcodes([ref.text[i] for i in ref_ids], [res.text[j] for j in res_ids]):
        equal = int(op.tag == "equal")
        if blocks and not equal and not blocks[-1][4]:  # an insertion next to a substitution: one block
            blocks[-1][1], blocks[-1][3] = op.src_end, op.dest_end
        else:
            blocks.append([op.src_start, op.src_end, op.dest_start, op.dest_end, equal])
    for r0, r1, s0, s1, _ in blocks:
        rs = ref_ids[r0:r1]
        ss = res_ids[s0:s1]
        if rs and ss and len(rs) != len(ss):
            # a word split in two ("nonumy" -> "nonu yy") or two run together: the most alike pair up
            sim = process.cdist(
                [ref.text[i] for i in rs], [res.text[j] for j in ss], scorer=Indel.normalized_similarity
            )
            a, b = np.nonzero(np.ones_like(sim, bool))
            ga, gb, _ = _greedy(a, b, sim[a, b], len(rs), len(ss))
            pair = dict(zip(ga.tolist(), gb.tolist(), strict=True))
            used = set(pair.values())
            out += [(i, ss[pair[x]] if x in pair else None) for x, i in enumerate(rs)]
            out += [(None, j) for y, j in enumerate(ss) if y not in used]
            continue
        n = min(len(rs), len(ss))
        out += list(zip(rs[:n], ss[:n], strict=True))
        out += [(i, None) for i in rs[n:]]
        out += [(None, j) for j in ss[n:]]
    return out


def _line_groups(words: PageWords) -> dict[int, list[int]]:
    """Line index -> word indices (a line's words are contiguous in reading order)."""
    groups: dict[int, list[int]] = {}
    for ln, grp in groupby(range(len(words)), key=words.line.__getitem__):
        groups.setdefault(ln, []).extend(grp)
    return groups


def _word_columns(
    ref: PageWords,
    res: PageWords,
    qa: np.ndarray,
    qb: np.ndarray,
    mj: np.ndarray,
    mv: np.ndarray,
) -> tuple[tuple[np.ndarray, ...], dict[int, list[int]], list[int]]:
    """Pair columns (reference order, extras last), result words per reference line in reading
    order, and the result words in no reference line; all in numpy where it counts (10k words)."""
    n, m = len(ref), len(res)
    rl = np.asarray(ref.line, np.int64)
    sl = np.asarray(res.line, np.int64)
    matched = np.flatnonzero(mj >= 0)
    mjm = mj[matched]
    rt, st = ref.text, res.text
    pairs_i, pairs_j = matched.tolist(), mjm.tolist()
    equal = np.fromiter((rt[i] == st[j] for i, j in zip(pairs_i, pairs_j, strict=True)), bool, len(matched))
    status = np.full(n, 2, np.int8)
    status[matched] = np.where(equal, 0, 1)
    dist = np.zeros(n, np.int64)
    for i in np.flatnonzero(status == 1).tolist():
        dist[i] = char_distance(rt[i], st[mj[i]])
    for i in np.flatnonzero(status == 2).tolist():
        dist[i] = char_length(rt[i])
    used = np.zeros(m, bool)
    used[mjm] = True
    extras = np.flatnonzero(~used)
    cols = (
        np.concatenate([status, np.full(len(extras), 3, np.int8)]),
        np.concatenate([np.arange(n), np.full(len(extras), -1)]),
        np.concatenate([mj, extras]),
        np.concatenate([mv, np.full(len(extras), math.nan)]),
        np.concatenate([dist, np.array([char_length(st[j]) for j in extras.tolist()], np.int64)]),
    )

    # a result word the alignment left over goes to its line's reference line (by majority)
    line_of = _majority(sl[mjm], rl[matched])
    target = np.array([line_of.get(x, -1) for x in sl[extras].tolist()], np.int64)
    if (target < 0).any():  # a result line with no matched word: the reference line it lies on
        lost = np.flatnonzero(target < 0)
        target[lost] = _line_under(qa, rl, qb[extras[lost]])
    stray = extras[target < 0].tolist()
    placed = extras[target >= 0]
    lines = np.concatenate([rl[matched], target[target >= 0]])
    js = np.concatenate([mjm, placed])
    keys = _places(qa, rl, qb, js, lines)
    order = np.lexsort((keys[1], keys[0], lines))
    lines, js = lines[order], js[order]
    cuts = np.flatnonzero(np.diff(lines)) + 1
    hyp = {
        int(chunk_lines[0]): chunk.tolist()
        for chunk_lines, chunk in zip(np.split(lines, cuts), np.split(js, cuts), strict=True)
        if len(chunk)
    }
    return cols, hyp, stray


def _line_axes(centres: np.ndarray, rl: np.ndarray) -> np.ndarray:
    """Per reference word, the reading direction of its line (a unit vector).

    The line's axis is the principal axis of its words' centres (a rotated or vertical line too;
    a polygon's first edge need not run along the text, as PAGE's often start at a lower corner),
    pointed the way the reference's own word order mostly goes: right to left for a Hebrew line
    read so. A one-word line takes the page's usual direction.
    """
    n = len(rl)
    if not n:
        return np.zeros((0, 2))
    k = int(rl.max()) + 1
    count = np.bincount(rl, minlength=k).astype(np.float64)
    mean = np.stack([np.bincount(rl, centres[:, d], k) for d in (0, 1)], 1) / np.maximum(count, 1)[:, None]
    d = centres - mean[rl]
    sxx = np.bincount(rl, d[:, 0] ** 2, k)
    syy = np.bincount(rl, d[:, 1] ** 2, k)
    sxy = np.bincount(rl, d[:, 0] * d[:, 1], k)
    angle = 0.5 * np.arctan2(2 * sxy, sxx - syy)
    axis = np.stack([np.cos(angle), np.sin(angle)], 1)
    spread = (sxx + syy) > 1e-9
    # the way the reference reads: the sign of most steps from one word to the next in the same line
    proj = (centres * axis[rl]).sum(axis=1)
    same = rl[1:] == rl[:-1]
    steps = np.bincount(rl[1:][same], np.sign(np.diff(proj))[same], k)
    axis[steps < 0] *= -1
    usual = axis[spread & (count > 1)].sum(axis=0) if (spread & (count > 1)).any() else np.array([1.0, 0.0])
    norm = float(np.hypot(*usual))
    usual = usual / norm if norm > 1e-9 else np.array([1.0, 0.0])
    axis[~(spread & (count > 1))] = usual
    out: np.ndarray = axis[rl]
    return out


def _line_under(qa: np.ndarray, rl: np.ndarray, qb: np.ndarray) -> np.ndarray:
    """Per quad of ``qb``, the reference line it lies on (-1: none): the line whose words' box, grown
    by half the box's smaller side, holds the quad's centre (of several, the nearest centre).

    For result words in a line none of whose words matched (a line of only extra words, its
    reference words all missed): they are read in that line, as jiwer reads a line pair, instead
    of as extra words of the page beside it."""
    out = np.full(len(qb), -1, np.int64)
    if not len(rl) or not len(qb):
        return out
    ba = _boxes(qa)
    k = int(rl.max()) + 1
    lo = np.full((k, 2), np.inf)
    hi = np.full((k, 2), -np.inf)
    np.minimum.at(lo, rl, ba[:, :2])
    np.maximum.at(hi, rl, ba[:, 2:])
    have = np.flatnonzero(np.isfinite(lo[:, 0]))
    lo, hi = lo[have], hi[have]
    grow = 0.5 * (hi - lo).min(axis=1, keepdims=True)
    lo, hi = lo - grow, hi + grow
    c = qb.mean(axis=1)
    ii, kk = _grid_pairs(np.concatenate([lo, hi], axis=1), np.concatenate([c - 1e-6, c + 1e-6], axis=1))
    if len(ii):
        d = ((c[kk] - 0.5 * (lo[ii] + hi[ii])) ** 2).sum(axis=1)
        first = np.lexsort((d, kk))
        ii, kk = ii[first], kk[first]
        head = np.r_[True, kk[1:] != kk[:-1]]
        out[kk[head]] = have[ii[head]]
    return out


def _places(
    qa: np.ndarray, rl: np.ndarray, qb: np.ndarray, js: np.ndarray, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where result words ``js`` are read in reference lines ``lines``: (place, tiebreak) per word.

    By position only, never by text or by what a word was matched with, so the words a line's
    figures are computed from read in the order they lie on the page: a word whose centre lies on
    a reference word of the line takes that word's place in the reference's own order (left to
    right, right to left, or whatever order its file lists the words in), any other word goes
    after the reference words that come before it along the line (between two places); words at
    one place read along the line.
    """
    n = len(rl)
    if not n or not len(js):
        z = np.zeros(len(js))
        return z, z
    ca = qa.mean(axis=1)
    axis = _line_axes(ca, rl)
    start = np.searchsorted(rl, rl, "left")  # a line's words are contiguous, lines ascending
    rank = np.arange(n) - start
    pa = (ca * axis).sum(axis=1)
    cb = qb[js].mean(axis=1)
    pb = (cb * axis[np.searchsorted(rl, lines, "left")]).sum(axis=1)
    # reference words of the same line lying before each result word along the line: one sort of
    # both (a result word before a reference word at the same spot), counting reference words
    is_ref = np.concatenate([np.ones(n, np.int64), np.zeros(len(js), np.int64)])
    line = np.concatenate([rl, lines])
    order = np.lexsort((is_ref, np.concatenate([pa, pb]), line))
    seen = np.cumsum(is_ref[order]) - is_ref[order]
    count = np.empty(len(line), np.int64)
    count[order] = seen - np.searchsorted(rl, line[order], "left")
    place = count[n:].astype(np.float64) - 0.5
    # on a reference word of its line: its centre in the box of the reference word just before or
    # just after it along the line (the nearer centre of the two)
    pos = np.arange(len(order))
    ref_at = np.where(is_ref[order] == 1, pos, -1)
    prev = np.maximum.accumulate(ref_at)
    nxt = np.minimum.accumulate(np.where(ref_at >= 0, ref_at, len(order))[::-1])[::-1]
    mine = np.flatnonzero(is_ref[order] == 0)
    k = order[mine] - n  # which result word
    ba = _boxes(qa)
    best_rank = np.full(len(js), -1.0)
    best_d = np.full(len(js), np.inf)
    for cand in (prev[mine], nxt[mine]):
        ok = (cand >= 0) & (cand < len(order))
        i = order[np.where(ok, cand, 0)]
        ok &= (i < n) & (rl[np.minimum(i, n - 1)] == lines[k])
        i = np.minimum(i, n - 1)
        c = cb[k]
        inside = (
            ok & (c[:, 0] >= ba[i, 0]) & (c[:, 0] <= ba[i, 2]) & (c[:, 1] >= ba[i, 1]) & (c[:, 1] <= ba[i, 3])
        )
        d = ((ca[i] - c) ** 2).sum(axis=1)
        better = inside & (d < best_d[k])
        best_d[k[better]] = d[better]
        best_rank[k[better]] = rank[i[better]]
    found = best_rank >= 0
    place[found] = best_rank[found]
    return place, pb


def compare_pages(
    ref_page: Page,
    result_page: Page,
    *,
    geometry: bool = True,
    index: int = 0,
    misplaced_by_text: bool = False,
    normalization: str = "exact",
) -> PageComparison:
    """Align ``result_page`` with ``ref_page`` (both placed on the same image) and score it.

    ``geometry=False`` ignores polygons (a plain text reference): lines are paired by text.
    ``misplaced_by_text``: when the two sides' boxes barely meet though their words agree (two scans of
    a page, shifted or cut), align by text instead, with a warning (``compare``'s figures); the window,
    where a person places the result with the frame tools, shows the placement as it is.
    ``normalization``: how texts are normalized before anything is compared (``metrics.NORMALIZATIONS``).
    """
    check_normalization(normalization)
    ref = PageWords(ref_page, normalization)
    res = PageWords(result_page, normalization)
    mode = _mode(ref_page, result_page, geometry)
    if mode == "words" and any(side and min(len(w.polygon) for w in side.word) < 3 for side in (ref, res)):
        mode = "text"  # a side without boxes (a plain text truth loaded in the window): by text
    ref_lines = _line_groups(ref)
    res_lines = _line_groups(res)
    line_block = dict(zip(ref.line, ref.block, strict=True))

    pairs = _Pairs(ref, res)
    detection: Detection | None = None
    # reference line -> (order key, result index)
    hyp_of_line: dict[int, list[tuple[float, int]]] = defaultdict(list)
    stray: list[int] = []  # result words in no reference line

    cols: tuple[np.ndarray, ...] | None = None
    boxes: tuple[np.ndarray, np.ndarray] | None = None
    if mode == "words":
        qa = _quads([w.polygon for w in ref.word])
        qb = _quads([w.polygon for w in res.word])
        mj, mv, detection = _align_words(ref, res, qa, qb)
        boxes = (_boxes(qa), _boxes(qb))
        cols, hyp, stray = _word_columns(ref, res, qa, qb, mj, mv)
    else:
        ref_keys = sorted(ref_lines)
        res_keys = sorted(res_lines)
        if mode == "lines":
            ref_polys = [ln.polygon for ln in ref_page.lines()]
            res_polys = [ln.polygon for ln in result_page.lines()]
            rpoly = [ref_polys[k] for k in ref_keys]
            spoly = [res_polys[k] for k in res_keys]
            qa, qb = _quads(rpoly), _quads(spoly)
            ii, jj = _grid_pairs(_boxes(qa), _boxes(qb))
            iou = _pair_iou(qa, qb, ii, jj)
            ok = iou >= DETECTION_IOU
            det = _greedy(ii[ok], jj[ok], iou[ok], len(rpoly), len(spoly))
            detection = Detection(len(det[0]), len(rpoly), len(spoly), level="line")
            line_pairs = list(zip(det[0].tolist(), det[1].tolist(), strict=True))
            done_a = {x for x, _ in line_pairs}
            done_b = {y for _, y in line_pairs}
            left_a = [x for x in range(len(ref_keys)) if x not in done_a]
            left_b = [y for y in range(len(res_keys)) if y not in done_b]
            more = _pair_lines_by_text(
                [_line_text(ref, ref_lines[ref_keys[x]]) for x in left_a],
                [_line_text(res, res_lines[res_keys[y]]) for y in left_b],
            )
            line_pairs += [(left_a[x], left_b[y]) for x, y in more]
        else:
            line_pairs = _pair_lines_by_text(
                [_line_text(ref, ref_lines[k]) for k in ref_keys],
                [_line_text(res, res_lines[k]) for k in res_keys],
            )
            line_pairs += _pair_gaps(line_pairs, len(ref_keys), len(res_keys))
        paired_res = set()
        seen_ref: set[int] = set()
        for x, y in line_pairs:
            rl, sl = ref_keys[x], res_keys[y]
            paired_res.add(sl)
            for ri, si in _align_in_pair(ref_lines[rl], res_lines[sl], ref, res):
                if ri is not None and si is not None:
                    pairs.matched(ri, si, math.nan)
                elif ri is not None:
                    pairs.missed(ri)
                else:
                    assert si is not None
                    pairs.extra(si)
                if ri is not None:
                    seen_ref.add(ri)
                if si is not None:
                    hyp_of_line[rl].append((float(si), si))  # the result line's own order
        for i in range(len(ref)):
            if i not in seen_ref:
                pairs.missed(i)
        for sl in res_keys:
            if sl not in paired_res:
                for j in res_lines[sl]:
                    pairs.extra(j)
                    stray.append(j)

        hyp = {ln: [j for _, j in sorted(v)] for ln, v in hyp_of_line.items()}

    # Scores per reference line, in the reference's order; strays are insertions at page level.
    lines: list[LineScore] = []
    cer = ErrorCount()
    wer = ErrorCount()
    for ln in sorted(ref_lines):
        rwords = [ref.text[i] for i in ref_lines[ln]]
        hwords = [res.text[j] for j in hyp.get(ln, ())]
        rtext, htext = " ".join(rwords), " ".join(hwords)
        c = char_errors(rtext, htext)
        w = ErrorCount(word_distance(rwords, hwords), len(rwords))
        lines.append(LineScore(line_block[ln], ln, rtext, htext, c, w))
        cer, wer = cer + c, wer + w
    for j in stray:
        cer = cer + ErrorCount(char_length(res.text[j]), 0)
        wer = wer + ErrorCount(1, 0)
    bag = ErrorCount(bag_of_words_errors(ref.text, res.text), len(ref))
    if misplaced_by_text and detection is not None and _misregistered(ref, res, detection):
        by_text = compare_pages(
            ref_page, result_page, geometry=False, index=index, normalization=normalization
        )
        return replace(
            by_text,
            detection=detection,
            warnings=(
                f"page {index + 1}: the two sides' boxes barely overlap ({detection.true_positives} of "
                f"{min(detection.reference, detection.result)} {detection.level}s at IoU >= {DETECTION_IOU}) "
                "though their words agree: aligned by text (are they from differently cut or shifted scans?)",
                *by_text.warnings,
            ),
        )
    status, p_ref, p_res, iou, dist = cols if cols is not None else pairs.arrays(sort=True)
    unrelated = _unrelated(ref, res, iou)
    status, p_ref, p_res, iou, dist, group = _splits_and_merges(
        status, p_ref, p_res, iou, dist, ref, res, boxes
    )
    return PageComparison(
        index=index,
        mode=mode,
        ref_words=ref,
        result_words=res,
        status=status,
        ref_index=p_ref,
        result_index=p_res,
        iou=iou,
        distance=dist,
        lines=tuple(lines),
        cer=cer,
        wer=wer,
        bag=bag,
        detection=detection,
        warnings=tuple(_page_warnings(index, ref, res)),
        unrelated=unrelated,
        group=group,
    )


# -- split and merged words ---------------------------------------------------------------------------


def _reads_as(whole: str, pieces: list[str]) -> int | None:
    """Edits between ``whole`` and ``pieces`` run together when that is within one edit in five of
    ``whole``'s length (none under five characters), else None."""
    d = char_distance(whole, "".join(pieces))
    return d if d <= char_length(whole) // 5 else None


def _within(pieces: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Per box of ``pieces`` (n, 4), whether most of it (half or more) lies in box ``whole`` (4,)."""
    area = (pieces[:, 2] - pieces[:, 0]) * (pieces[:, 3] - pieces[:, 1])
    w = np.minimum(pieces[:, 2], whole[2]) - np.maximum(pieces[:, 0], whole[0])
    h = np.minimum(pieces[:, 3], whole[3]) - np.maximum(pieces[:, 1], whole[1])
    out: np.ndarray = (area <= 0) | ((w > 0) & (h > 0) & (w * h >= 0.5 * area))
    return out


def _best_run(
    whole: str,
    texts: list[str],
    free: Container[int],
    line: list[int],
    anchor: int | None,
    candidates: list[int],
    fits: Any,
) -> tuple[list[int], int] | None:
    """The run of consecutive words (same line, all free but the anchor, each fitting the whole
    word's box) that best reads as ``whole``: (indexes, edits), or None."""
    if anchor is not None:
        lo = hi = anchor
        while (
            lo - 1 in free and line[lo - 1] == line[anchor] and anchor - lo + 1 < MAX_PIECES and fits(lo - 1)
        ):
            lo -= 1
        while (
            hi + 1 in free and line[hi + 1] == line[anchor] and hi - anchor + 1 < MAX_PIECES and fits(hi + 1)
        ):
            hi += 1
        spans = [
            (a, b)
            for a in range(lo, anchor + 1)
            for b in range(anchor, hi + 1)
            if 2 <= b - a + 1 <= MAX_PIECES
        ]
    else:
        spans = []
        inside = set(candidates)
        for a in candidates:
            b = a
            while b + 1 in inside and line[b + 1] == line[a] and b - a + 2 <= MAX_PIECES:
                b += 1
                spans.append((a, b))
    best: tuple[list[int], int] | None = None
    for a, b in spans:
        run = list(range(a, b + 1))
        d = _reads_as(whole, [texts[k] for k in run])
        if d is not None and (best is None or (d, len(run)) < (best[1], len(best[0]))):
            best = (run, d)
    return best


def _splits_and_merges(
    status: np.ndarray,
    ri: np.ndarray,
    si: np.ndarray,
    iou: np.ndarray,
    dist: np.ndarray,
    ref: PageWords,
    res: PageWords,
    boxes: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Name the split and merged words among the pairs (step 4 of the module's alignment); the
    columns otherwise as they were, plus each pair's group (-1: none), None when there is none.
    ``boxes``: the word boxes of both sides when they are compared by polygons."""
    extra = {int(si[k]): k for k in np.flatnonzero(status == 3).tolist()}
    missed = {int(ri[k]): k for k in np.flatnonzero(status == 2).tolist()}
    if not extra and not missed:
        return status, ri, si, iou, dist, None
    ba, bb = boxes if boxes is not None else (None, None)
    n_groups = 0
    new_rows: list[tuple[int, int, int, float, int, int]] = []  # status, ri, si, iou, dist, group
    dropped: set[int] = set()

    # split: a reference word (substituted or missed), several result words (its own and extra ones);
    # merged: a result word (substituted or extra), several reference words (its own and missed ones)
    for st, whole_side, piece_side, free, candidates in (
        (4, ref, res, extra, (status == 1) | (status == 2)),
        (5, res, ref, missed, (status == 1) | (status == 3)),
    ):
        wholes, pieces = (ri, si) if st == 4 else (si, ri)
        whole_boxes, piece_boxes = (ba, bb) if st == 4 else (bb, ba)
        for k in np.flatnonzero(candidates).tolist():
            if not free:
                break
            if k in dropped:
                continue
            w, anchor = int(wholes[k]), int(pieces[k])
            if char_length(whole_side.text[w]) < 2:
                continue

            def fits(x: int, w: int = w, wb: Any = whole_boxes, pb: Any = piece_boxes) -> bool:
                if wb is None or pb is None:
                    return True
                (p0, p1, p2, p3), (w0, w1, w2, w3) = pb[x].tolist(), wb[w].tolist()
                area = (p2 - p0) * (p3 - p1)
                iw, ih = min(p2, w2) - max(p0, w0), min(p3, w3) - max(p1, w1)
                return bool(area <= 0 or (iw > 0 and ih > 0 and iw * ih >= 0.5 * area))  # as _within

            if anchor >= 0:
                if not fits(anchor):
                    continue
                found = _best_run(
                    whole_side.text[w], piece_side.text, free, piece_side.line, anchor, [], fits
                )
                if found is None or found[1] >= int(dist[k]):
                    continue
            elif whole_boxes is not None and piece_boxes is not None:
                keys = np.fromiter(free, np.int64, len(free))
                near = np.sort(keys[_within(piece_boxes[keys], whole_boxes[w])]).tolist()
                found = _best_run(
                    whole_side.text[w], piece_side.text, free, piece_side.line, None, near, fits
                )
                if found is None:
                    continue
            else:
                continue
            run, d = found
            dropped.add(k)
            for x in run:
                if x != anchor:
                    dropped.add(free.pop(x))
                pair = (w, x) if st == 4 else (x, w)
                new_rows.append((st, *pair, float(iou[k]) if x == anchor else math.nan, d, n_groups))
            if st == 4 and anchor < 0:
                missed.pop(w, None)
            n_groups += 1

    if not n_groups:
        return status, ri, si, iou, dist, None
    keep = np.ones(len(status), bool)
    keep[list(dropped)] = False
    add = np.array([r[:3] for r in new_rows], np.int64).reshape(-1, 3)
    st_ = np.concatenate([status[keep], add[:, 0].astype(np.int8)])
    r_ = np.concatenate([ri[keep], add[:, 1]])
    s_ = np.concatenate([si[keep], add[:, 2]])
    io = np.concatenate([iou[keep], np.array([r[3] for r in new_rows], np.float64)])
    di = np.concatenate([dist[keep], np.array([r[4] for r in new_rows], np.int64)])
    gr = np.concatenate(
        [np.full(int(keep.sum()), -1, np.int64), np.array([r[5] for r in new_rows], np.int64)]
    )
    order = np.lexsort((s_, np.where(r_ >= 0, r_, np.iinfo(np.int64).max)))
    return st_[order], r_[order], s_[order], io[order], di[order], gr[order]


def _misregistered(ref: PageWords, res: PageWords, detection: Detection) -> bool:
    """The same words on boxes that do not meet: under half the boxes pair at the detection IoU while
    at least 80 % of the words are shared (a result of another scan of the page, shifted or cut)."""
    n = min(detection.reference, detection.result)
    if n < 5 or detection.true_positives >= 0.5 * n:
        return False
    shared = sum((Counter(ref.text) & Counter(res.text)).values())
    return shared >= 0.8 * min(len(ref), len(res))


def _line_text(words: PageWords, ids: list[int]) -> str:
    return " ".join(words.text[i] for i in ids)


def _page_warnings(index: int, ref: PageWords, res: PageWords) -> list[str]:
    """Things a person must know to read the page's figures: never a silent 0 % or 100 %."""
    page = f"page {index + 1}"
    if not ref and not res:
        return [f"{page}: neither side has text; nothing to score there"]
    if not ref:
        return [
            f"{page}: the reference has no text there; CER/WER are undefined, the result's {len(res)} words count as extra"
        ]
    if not res:
        return [
            f"{page}: the result has no text there; all {len(ref)} reference words count as missed (CER 100%)"
        ]
    return []


def _unrelated(ref: PageWords, res: PageWords, iou: np.ndarray) -> bool:
    """Two non-trivial pages sharing under 10 % of their words and of their boxes: different pages?"""
    n = min(len(ref), len(res))
    if n < 5:
        return False
    shared = sum((Counter(ref.text) & Counter(res.text)).values())
    overlapping = int(np.count_nonzero(iou >= DETECTION_IOU))  # NaN compares False
    return shared < 0.1 * n and overlapping < 0.1 * n


def compare_documents(
    reference: Document,
    result: Document,
    *,
    geometry: bool = True,
    misplaced_by_text: bool = False,
    normalization: str = "exact",
) -> Comparison:
    """Page by page, in order (page numbers in messages: the reference page's ``index``); counts must agree."""
    if len(reference.pages) != len(result.pages):
        raise BadInput(
            f"the reference has {len(reference.pages)} page(s), the result {len(result.pages)}; "
            "give a reference for the same pages (a text reference separates pages with a form feed)"
        )
    pages = tuple(
        compare_pages(
            r,
            s,
            geometry=geometry,
            index=r.index,
            misplaced_by_text=misplaced_by_text,
            normalization=normalization,
        )
        for r, s in zip(reference.pages, result.pages, strict=True)
    )
    return Comparison(
        pages=pages, warnings=tuple(w for p in pages for w in p.warnings), normalization=normalization
    )
