"""Split and merged words, and the opt-in historic normalization, in the word alignment.

A split or merged word is a name for a difference the alignment already found (a substitution beside
an extra or a missed word): the figures must stay those jiwer computes, and the counts name it once.
"""

from __future__ import annotations

import jiwer
import pytest

from ocrviewer.core.compare import STATUSES, compare_pages
from ocrviewer.core.metrics import ErrorCount
from ocrviewer.core.model import Block, Line, Page, Word, polygon_from_bbox
from ocrviewer.errors import BadInput

Box = tuple[float, float, float, float]


def page(words: list[tuple[str, Box]]) -> Page:
    """One line of boxed words."""
    ws = tuple(Word(t, polygon_from_bbox(*b)) for t, b in words)
    right = max(b[2] for _, b in words)
    line = Line(" ".join(t for t, _ in words), polygon_from_bbox(10, 10, right, 40), ws)
    return Page(2000, 2000, (Block(polygon_from_bbox(0, 0, 2000, 2000), (line,)),))


def text_page(*lines: str) -> Page:
    """Lines of text without boxes (a plain text reference)."""
    out = tuple(Line(t, (), tuple(Word(w, ()) for w in t.split())) for t in lines)
    return Page(None, None, (Block((), out),))


REF = page([("the", (10, 10, 46, 40)), ("newspaper", (56, 10, 164, 40)), ("said", (174, 10, 222, 40))])


def test_a_word_read_as_two_pieces_within_its_box_is_split_and_the_figures_stay_jiwers() -> None:
    res = page(
        [
            ("the", (10, 10, 46, 40)),
            ("news", (56, 10, 104, 40)),
            ("paper", (108, 10, 164, 40)),
            ("said", (174, 10, 222, 40)),
        ]
    )
    pc = compare_pages(REF, res)
    n = pc.counts()
    assert (n["split"], n["substituted"], n["extra"], n["missed"], n["equal"]) == (1, 0, 0, 0, 2)
    # both pieces and the reference word carry the status (what the canvas colours)
    split = STATUSES.index("split")
    assert pc.statuses("result").tolist() == [0, split, split, 0]
    assert pc.statuses("reference").tolist() == [0, split, 0]
    (worst,) = pc.worst()  # listed once, with its pieces
    assert worst.status == "split" and worst.shown == ("newspaper", "news paper") and worst.distance == 0
    assert worst.to_dict()["result_words"] == "news paper"
    # the figures: WER a substitution and an insertion, CER one inserted space, as jiwer has them
    assert pc.wer == ErrorCount(2, 3) and pc.wer.rate == pytest.approx(
        jiwer.wer("the newspaper said", "the news paper said")
    )
    assert pc.cer == ErrorCount(1, 18) and pc.cer.rate == pytest.approx(
        jiwer.cer("the newspaper said", "the news paper said")
    )


def test_pieces_outside_the_words_box_are_no_split() -> None:
    """'news paper' where 'paper' lies far right of 'newspaper': a misread word and an extra one."""
    res = page(
        [
            ("the", (10, 10, 46, 40)),
            ("news", (56, 10, 104, 40)),
            ("paper", (400, 10, 456, 40)),
            ("said", (174, 10, 222, 40)),
        ]
    )
    n = compare_pages(REF, res).counts()
    assert (n["split"], n["substituted"], n["extra"]) == (0, 1, 1)


def test_two_words_run_together_are_merged_without_boxes_too() -> None:
    pc = compare_pages(text_page("to day is fine"), text_page("today is fine"), geometry=False)
    n = pc.counts()
    assert (n["merged"], n["substituted"], n["missed"], n["equal"]) == (1, 0, 0, 2)
    merged = STATUSES.index("merged")
    assert pc.statuses("reference").tolist() == [merged, merged, 0, 0]
    assert pc.statuses("result").tolist() == [merged, 0, 0]
    (worst,) = pc.worst()
    assert worst.shown == ("to day", "today") and worst.to_dict()["reference_words"] == "to day"
    assert pc.wer.rate == pytest.approx(jiwer.wer("to day is fine", "today is fine"))


def test_pieces_that_do_not_read_as_the_word_stay_a_substitution_and_an_extra_word() -> None:
    # "a x" run together is "ax", one edit from "at": a short word allows none
    n = compare_pages(text_page("look at it"), text_page("look a x it"), geometry=False).counts()
    assert (n["split"], n["substituted"], n["extra"]) == (0, 1, 1)
    # a longer word allows one edit in five: "nonu yy" reads as "nonumy" (1 edit in 6)
    n = compare_pages(
        text_page("sed diam nonumy eirmod"), text_page("sed diam nonu yy eirmod"), geometry=False
    ).counts()
    assert (n["split"], n["substituted"], n["extra"]) == (1, 0, 0)


def test_historic_normalization_makes_a_ligature_equal_its_letters() -> None:
    ref, res = text_page("Die ﬁnden ſie"), text_page("Die finden sie")
    exact = compare_pages(ref, res, geometry=False)
    assert exact.counts()["substituted"] == 2 and exact.cer == ErrorCount(3, 13)
    historic = compare_pages(ref, res, geometry=False, normalization="historic")
    assert historic.counts()["substituted"] == 1 and historic.cer == ErrorCount(1, 14)  # ſ kept: 1 edit
    modern = compare_pages(ref, res, geometry=False, normalization="modern")
    assert modern.counts()["equal"] == 3 and modern.cer == ErrorCount(0, 14)
    with pytest.raises(BadInput, match="unknown normalization 'old'; use one of: exact, historic, modern"):
        compare_pages(ref, res, normalization="old")


def _cut_and_joined(words: list[tuple[str, Box]], seed: int) -> list[tuple[str, Box]]:
    """Another reading: some words cut in two (within their box), some pairs run together, some typos."""
    import random

    rng = random.Random(seed)
    out: list[tuple[str, Box]] = []
    k = 0
    while k < len(words):
        t, (x0, y0, x1, y1) = words[k]
        r = rng.random()
        if r < 0.2 and len(t) >= 4:
            m = len(t) // 2
            xm = x0 + (x1 - x0) * m / len(t)
            out += [(t[:m], (x0, y0, xm - 1, y1)), (t[m:], (xm + 1, y0, x1, y1))]
        elif r < 0.35 and k + 1 < len(words):
            t2, b2 = words[k + 1]
            out.append((t + t2, (x0, min(y0, b2[1]), b2[2], max(y1, b2[3]))))
            k += 1
        elif r < 0.45:
            out.append((t[:-1] + "x", (x0, y0, x1, y1)))
        else:
            out.append((t, (x0, y0, x1, y1)))
        k += 1
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("boxes", [True, False])
def test_naming_splits_and_merges_changes_no_figure(
    seed: int, boxes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same comparison with the naming step left out: every figure and line score equal."""
    import ocrviewer.core.compare as compare

    text = "Lorem ipsum dolor sit amet consetetur sadipscing elitr sed diam nonumy eirmod tempor invidunt ut"
    words: list[tuple[str, Box]] = []
    x = 10.0
    for t in text.split():
        words.append((t, (x, 10, x + 14 * len(t), 40)))
        x += 14 * len(t) + 12
    ref, res = page(words), page(_cut_and_joined(words, seed))
    named = compare_pages(ref, res, geometry=boxes)
    n = named.counts()
    assert n["split"] + n["merged"] > 0
    monkeypatch.setattr(compare, "_splits_and_merges", lambda *cols_and_sides: (*cols_and_sides[:5], None))
    plain = compare_pages(ref, res, geometry=boxes)
    assert plain.counts()["split"] == plain.counts()["merged"] == 0
    assert (named.cer, named.wer, named.bag, named.lines) == (plain.cer, plain.wer, plain.bag, plain.lines)
    r, h = " ".join(t for t, _ in words), " ".join(t for t, _ in _cut_and_joined(words, seed))
    # by text the line reads in the result's order, by boxes where its words lie: jiwer's figures
    assert named.wer.rate == pytest.approx(jiwer.wer(r, h))
    assert named.cer.rate == pytest.approx(jiwer.cer(r, h))
    # every word is counted once: reference words in split/merged pieces are in no other status
    pieces = {
        int(i)
        for i, g in zip(named.ref_index, named.group if named.group is not None else [], strict=True)
        if g >= 0
    }
    assert n["matched"] + n["missed"] + len(pieces) == len(words)
