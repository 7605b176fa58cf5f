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
