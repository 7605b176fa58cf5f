"""Alignment and metrics, checked against independent implementations (jiwer, dinglehopper's figures)."""

from __future__ import annotations

import itertools
import math
import random
import unicodedata

import jiwer
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrviewer.core.compare import _grid_pairs, compare_documents, compare_pages, polygon_iou
from ocrviewer.core.metrics import (
    ErrorCount,
    bag_of_words_errors,
    char_distance,
    char_length,
    graphemes,
    normalize,
)
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from ocrviewer.core.palette import STATUS_COLORS, confidence_rgb, hex_to_rgb
from ocrviewer.core.references import read_text_reference
from ocrviewer.errors import BadInput

VOCAB = "the quick brown fox jumps over lazy dog invoice total 17.50 München naïve Straße café".split()


def cer(ref: str, hyp: str) -> float:
    r, h = normalize(ref), normalize(hyp)
    return char_distance(r, h) / char_length(r) if r else (0.0 if not h else 1.0)


# -- metrics against dinglehopper's published figures -------------------------------------------------
# qurator-spk/dinglehopper src/dinglehopper/tests/test_character_error_rate.py (same normalization: NFC,
# grapheme clusters; both divide by the reference's length). Its empty-reference cases (inf, 0) and the
# rest are checked, with every other figure of its tests, in test_metrics_crosscheck.py.


@pytest.mark.parametrize(
    ("gt", "ocr", "expected"),
    [
        ("a", "a", 0),
        ("a", "b", 1 / 1),
        ("Foo", "Bar", 3 / 3),
        ("Foo", "", 3 / 3),
        ("Fnord", "Food", 2 / 5),
        ("Müll", "Mull", 1 / 4),
        ("Abstand", "Sand", 4 / 7),
    ],
)
def test_cer_matches_dinglehopper_figures(gt: str, ocr: str, expected: float) -> None:
    assert cer(gt, ocr) == pytest.approx(expected)


def test_cer_counts_grapheme_clusters_like_dinglehopper() -> None:
    s1 = unicodedata.normalize("NFC", "Schlyñ lorem ipsum.")
    s2 = unicodedata.normalize("NFD", "Schlyñ lorem ipsum!")  # decomposed, different
    assert cer(s1, s2) == pytest.approx(1 / 19)
    a, b = "Schlyñ", "Schlym\u0303"  # ñ one code point; m + combining tilde two, one grapheme each
    assert len(a) == 6 and len(b) == 7
    assert cer(a, b) == pytest.approx(1 / 6)
    assert cer(b, a) == pytest.approx(1 / 6)
    # a family emoji and a flag are one character each for a reader
    assert char_length("👨\u200d👩\u200d👧 🇩🇪") == 3
    assert char_distance("🇩🇪", "🇫🇷") == 1


def test_plain_text_takes_the_fast_path_and_agrees_with_uniseg() -> None:
    from uniseg.graphemecluster import grapheme_clusters

    for text in ("plain ASCII text", "München naïve", "e\u0301t\u00e9", "ก้าว", "한국어", "a\r\nb"):
        assert list(graphemes(text)) == list(grapheme_clusters(text)), text
    assert isinstance(graphemes("München"), str)  # no segmenter needed


def test_normalization_is_nfc_and_collapsed_whitespace() -> None:
    assert normalize("  e\u0301té \t  x\n y ") == "été x y"


def test_bag_of_words_ignores_order() -> None:
    assert bag_of_words_errors("a b c".split(), "c b a".split()) == 0
    assert bag_of_words_errors("a b c".split(), "a b x".split()) == 1  # one substitution
    assert bag_of_words_errors("a b c".split(), "a b".split()) == 1
    assert bag_of_words_errors("a b".split(), "a b c d".split()) == 2


# -- pages built from text lines ------------------------------------------------------------------


def page_from_lines(
    lines: list[list[str]], *, top: float = 10, boxes: list[list[tuple]] | None = None
) -> Page:
    """A page with one line per entry, words boxed left to right (or at the given boxes)."""
    out = []
    for li, words in enumerate(lines):
        y = top + li * 40
        x = 10.0
        ws = []
        for wi, t in enumerate(words):
            if boxes is not None:
                box = boxes[li][wi]
            else:
                box = (x, y, x + 12 * max(1, len(t)), y + 30)
                x = box[2] + 10
            ws.append(Word(t, polygon_from_bbox(*box)))
        right = max((w.bbox[2] for w in ws), default=x)
        out.append(Line(" ".join(words), polygon_from_bbox(10, y, right, y + 30), tuple(ws)))
    blocks = tuple(
        Block(polygon_from_bbox(0, 0, 2000, 2000), tuple(out[i : i + 3])) for i in range(0, len(out), 3)
    )
    return Page(2000, 2000, blocks)


def mutate(lines: list[list[str]], rng: random.Random) -> tuple[list[list[str]], list[list[tuple]]]:
    """Typos, dropped and inserted words; the result's boxes sit where the reference's were."""
    out, boxes = [], []
    for li, words in enumerate(lines):
        y = 10 + li * 40
        x = 10.0
        ref_boxes = []
        for t in words:
            ref_boxes.append((x, y, x + 12 * max(1, len(t)), y + 30))
            x += 12 * max(1, len(t)) + 10
        new, nb = [], []
        for t, box in zip(words, ref_boxes, strict=True):
            r = rng.random()
            if r < 0.1:
                continue  # dropped
            if r < 0.3:
                t = t[:-1] + rng.choice("xyz")  # typo
            new.append(t)
            nb.append(box)
            if r > 0.92:  # an extra word squeezed in after it
                new.append("zz")
                nb.append((box[2] + 1, y, box[2] + 9, y + 30))
        out.append(new)
        boxes.append(nb)
    return out, boxes


def random_lines(rng: random.Random, n: int = 12) -> list[list[str]]:
    return [[rng.choice(VOCAB) for _ in range(rng.randint(3, 9))] for _ in range(n)]


@pytest.mark.parametrize("seed", range(8))
def test_page_cer_and_wer_equal_jiwer_on_the_same_lines(seed: int) -> None:
    rng = random.Random(seed)
    ref_lines = random_lines(rng)
    hyp_lines, boxes = mutate(ref_lines, rng)
    page = compare_pages(page_from_lines(ref_lines), page_from_lines(hyp_lines, boxes=boxes))
    refs = [" ".join(x) for x in ref_lines]
    hyps = [" ".join(x) for x in hyp_lines]
    assert page.mode == "words"
    assert page.cer.rate == pytest.approx(jiwer.cer(refs, hyps))
    assert page.wer.rate == pytest.approx(jiwer.wer(refs, hyps))
    # the same figures against the same text as a plain text reference (no geometry)
    text_page = compare_pages(
        page_from_lines(ref_lines), page_from_lines(hyp_lines, boxes=boxes), geometry=False
    )
    assert text_page.mode == "text"
    assert text_page.cer.rate == pytest.approx(jiwer.cer(refs, hyps))
    assert text_page.wer.rate == pytest.approx(jiwer.wer(refs, hyps))


def test_statuses_counts_and_both_words_kept() -> None:
    ref = page_from_lines([["the", "quick", "brown", "fox"]])
    boxes = [[(10, 10, 46, 40), (56, 10, 116, 40), (188, 10, 224, 40), (230, 10, 250, 40)]]
    res = page_from_lines([["the", "quack", "fox", "!!"]], boxes=boxes)  # "brown" missed, "!!" extra
    page = compare_pages(ref, res)
    assert page.counts() == {
        "matched": 3,
        "equal": 2,
        "substituted": 1,
        "missed": 1,
        "extra": 1,
        "split": 0,
        "merged": 0,
    }
    by_status = {p.status: p for p in page.pairs if p.status != "equal"}
    sub = by_status["substituted"]
    assert (sub.ref_text, sub.result_text, sub.distance) == ("quick", "quack", 1)
    assert sub.ref is ref.blocks[0].lines[0].words[1] and sub.result is res.blocks[0].lines[0].words[1]
    assert by_status["missed"].ref_text == "brown" and by_status["missed"].result is None
    assert by_status["extra"].result_text == "!!" and by_status["extra"].ref is None
    assert page.worst(1)[0].status in {"missed", "extra"}  # longest first: "brown" (5)
    assert page.worst(1)[0].ref_text == "brown"


def test_reading_order_of_the_result_does_not_change_anything() -> None:
    rng = random.Random(3)
    ref_lines = random_lines(rng, 9)
    hyp_lines, boxes = mutate(ref_lines, rng)
    ref = page_from_lines(ref_lines)
    res = page_from_lines(hyp_lines, boxes=boxes)
    # the same words, read in another order: blocks reversed, lines and words shuffled
    blocks = []
    for b in reversed(res.blocks):
        lines = [Line(ln.text, ln.polygon, tuple(rng.sample(ln.words, len(ln.words)))) for ln in b.lines]
        rng.shuffle(lines)
        blocks.append(Block(b.polygon, tuple(lines)))
    shuffled = Page(res.width, res.height, tuple(blocks))
    a, b = compare_pages(ref, res), compare_pages(ref, shuffled)
    assert a.counts() == b.counts()
    assert (a.cer, a.wer, a.bag) == (b.cer, b.wer, b.bag)


def test_words_split_differently_still_align_by_text_within_the_line() -> None:
    ref = page_from_lines([["New", "York", "total"]])
    # an engine that boxed the first two words as one wide word, and "total" slightly off
    res = page_from_lines([["NewYork", "totai"]], boxes=[[(10, 10, 112, 40), (114, 12, 176, 42)]])
    page = compare_pages(ref, res)
    c = page.counts()
    # "New" and "York" run together: one merged word, not a substitution and a missed word
    assert c["matched"] == 1 and c["merged"] == 1 and c["missed"] == 0 and c["extra"] == 0
    assert page.lines[0].result == "NewYork totai"
    # the figures as before: WER counts a substitution and a deletion, as jiwer does
    assert page.wer == ErrorCount(3, 3) and page.wer.rate == jiwer.wer("New York total", "NewYork totai")


def test_detection_precision_recall_at_iou_half() -> None:
    ref = page_from_lines([["aaaa", "bbbb", "cccc"]])
    boxes = [[(10, 10, 58, 40), (90, 10, 138, 40), (300, 10, 348, 40)]]  # exact, shifted IoU < .5, elsewhere
    res = page_from_lines([["aaaa", "bbbb", "cccc"]], boxes=boxes)
    det = compare_pages(ref, res).detection
    assert det is not None
    assert det.true_positives == 1
    assert det.precision == pytest.approx(1 / 3) and det.recall == pytest.approx(1 / 3)


def test_polygon_iou_is_exact_for_rotated_quads() -> None:
    square = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    assert polygon_iou(square, ((5.0, 0.0), (15.0, 0.0), (15.0, 10.0), (5.0, 10.0))) == pytest.approx(1 / 3)
    diamond = ((5.0, -5.0), (10.0, 0.0), (5.0, 5.0), (0.0, 0.0))  # area 50, half inside the square
    assert polygon_iou(square, diamond) == pytest.approx(25 / 125)
    assert polygon_iou(square, square[::-1]) == pytest.approx(1.0)  # vertex order does not matter
    assert polygon_iou(square, ((20.0, 20.0), (30.0, 20.0), (30.0, 30.0))) == 0.0


def test_grid_finds_exactly_the_overlapping_boxes() -> None:
    rng = np.random.default_rng(4)

    def boxes(n: int) -> np.ndarray:
        xy = rng.uniform(0, 500, (n, 2))
        wh = rng.uniform(1, 60, (n, 2))
        wh[:3] = 400  # a few page-sized boxes take the brute-force path
        return np.concatenate([xy, xy + wh], axis=1)

    a, b = boxes(300), boxes(250)
    ii, jj = _grid_pairs(a, b)
    got = set(zip(ii.tolist(), jj.tolist(), strict=True))
    want = {
        (i, j)
        for i, j in itertools.product(range(len(a)), range(len(b)))
        if min(a[i, 2], b[j, 2]) > max(a[i, 0], b[j, 0]) and min(a[i, 3], b[j, 3]) > max(a[i, 1], b[j, 1])
    }
    assert got == want
    assert len(ii) == len(got)  # no pair twice


def test_empty_result_is_all_missed_and_says_so() -> None:
    ref = page_from_lines([["the", "fox"]])
    page = compare_pages(ref, Page(2000, 2000, ()))
    assert page.cer.rate == 1.0 and page.counts()["missed"] == 2
    assert any("no text" in w and "missed" in w for w in page.warnings)


def test_empty_reference_page_is_undefined_not_zero() -> None:
    page = compare_pages(Page(2000, 2000, ()), page_from_lines([["x", "y"]]))
    assert page.cer.rate is None and page.wer.rate is None
    assert page.counts()["extra"] == 2
    assert page.warnings


def test_unrelated_pages_are_flagged() -> None:
    rng = random.Random(1)
    a = page_from_lines(random_lines(rng, 6))
    b = page_from_lines([[f"w{i}{j}" for j in range(5)] for i in range(6)], top=1000)
    assert compare_pages(a, b).unrelated
    assert not compare_pages(a, a).unrelated


def test_page_counts_must_agree() -> None:
    a = Document(pages=(page_from_lines([["a"]]),))
    b = Document(pages=(page_from_lines([["a"]]), page_from_lines([["b"]])))
    with pytest.raises(BadInput, match="1 page.*2"):
        compare_documents(a, b)


def test_text_reference_pages_split_on_form_feed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "gt.txt"
    p.write_text("first line\n\n  second   line \f page two\f", encoding="utf-8")
    doc = read_text_reference(p)
    assert [[ln.text for ln in page.lines()] for page in doc.pages] == [
        ["first line", "second line"],
        ["page two"],
    ]


def test_text_reference_with_other_line_breaks_pairs_lines_by_text() -> None:
    ref = page_from_lines([["alpha", "beta"], ["gamma", "delta"], ["epsilon"]])
    res = page_from_lines([["gamma", "delta"], ["alpha", "beta", "epsilon"]])
    page = compare_pages(ref, res, geometry=False)
    assert page.counts()["equal"] == 4
    assert page.counts()["missed"] == 1 and page.counts()["extra"] == 1  # epsilon moved line


def test_status_colours_are_outside_the_confidence_scale() -> None:
    scale = [confidence_rgb(i / 100) for i in range(101)] + [confidence_rgb(None)]
    colours = [hex_to_rgb(c) for c in STATUS_COLORS.values()]
    assert set(STATUS_COLORS) == {"equal", "substituted", "missed", "extra", "split", "merged"}
    for c in colours:
        assert min(math.dist(c, s) for s in scale) > 100
    for a, b in itertools.combinations(colours, 2):
        assert math.dist(a, b) > 100


def test_reference_with_lines_but_no_words_pairs_lines_by_polygon() -> None:
    """Line-level ground truth (PAGE GT often has no words): lines paired by IoU, words by text."""
    words = page_from_lines([["the", "quick", "fox"], ["jumps", "over", "it"]])
    lines = [Line(ln.text, ln.polygon, ()) for ln in words.lines()]
    ref = Page(2000, 2000, (Block(polygon_from_bbox(0, 0, 2000, 2000), tuple(lines)),))
    # the result reads the second line first and misreads one word
    l0, l1 = words.blocks[0].lines
    typo = Line(
        "jumps ovor it",
        l1.polygon,
        tuple(Word(t, w.polygon) for t, w in zip(["jumps", "ovor", "it"], l1.words, strict=True)),
    )
    res = Page(2000, 2000, (Block(words.blocks[0].polygon, (typo, l0)),))
    page = compare_pages(ref, res)
    assert page.mode == "lines"
    assert page.counts() == {
        "matched": 6,
        "equal": 5,
        "substituted": 1,
        "missed": 0,
        "extra": 0,
        "split": 0,
        "merged": 0,
    }
    assert page.detection is not None and page.detection.level == "line" and page.detection.recall == 1
    assert page.cer.rate == pytest.approx(
        jiwer.cer(["the quick fox", "jumps over it"], ["the quick fox", "jumps ovor it"])
    )


def test_statuses_per_word_for_a_canvas() -> None:
    ref = page_from_lines([["the", "quick", "brown", "fox"]])
    # "fox" boxed off its place (IoU < 0.1) is still found by text within the line
    boxes = [[(10, 10, 46, 40), (56, 10, 116, 40), (230, 10, 250, 40), (300, 10, 320, 40)]]
    res = page_from_lines([["the", "quack", "fox", "!!"]], boxes=boxes)
    page = compare_pages(ref, res)
    names = ["equal", "substituted", "missed", "extra"]
    assert [names[s] for s in page.statuses("result")] == ["equal", "substituted", "equal", "extra"]
    assert [names[s] for s in page.statuses("reference")] == ["equal", "substituted", "missed", "equal"]


def test_documents_are_compared_page_by_page() -> None:
    a = page_from_lines([["one", "two"]])
    b = page_from_lines([["three", "four", "five"]])
    doc = Document(pages=(a, b))
    got = compare_documents(doc, Document(pages=(a, page_from_lines([["three", "fuor", "five"]]))))
    assert [p.cer.rate for p in got.pages] == [0.0, pytest.approx(2 / 15)]
    assert got.cer.errors == 2 and got.cer.length == 7 + 15
    assert got.counts()["substituted"] == 1


# -- invariants on random pages -------------------------------------------------------------------------

_word = st.text(alphabet="abcdé1.", min_size=1, max_size=6)
_lines = st.lists(st.lists(_word, min_size=1, max_size=6), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(ref_lines=_lines, hyp_lines=_lines, dx=st.floats(-30, 30), geometry=st.booleans())
def test_every_word_is_accounted_for_once(
    ref_lines: list[list[str]], hyp_lines: list[list[str]], dx: float, geometry: bool
) -> None:
    ref = page_from_lines(ref_lines)
    hyp = page_from_lines(hyp_lines, top=10 + dx)
    page = compare_pages(ref, hyp, geometry=geometry)
    c = page.counts()
    n_ref = sum(len(x) for x in ref_lines)
    n_hyp = sum(len(x) for x in hyp_lines)
    assert c["matched"] + c["missed"] == n_ref
    assert c["matched"] + c["extra"] == n_hyp
    assert sorted(i for i in page.ref_index.tolist() if i >= 0) == list(range(n_ref))
    assert sorted(j for j in page.result_index.tolist() if j >= 0) == list(range(n_hyp))
    assert page.cer.errors >= 0 and page.bag.errors <= max(n_ref, n_hyp)
    same = compare_pages(ref, ref, geometry=geometry)
    assert same.cer.rate == 0 and same.wer.rate == 0 and same.counts()["equal"] == n_ref


def test_model_statuses_follow_the_documents_own_word_order() -> None:
    """A canvas indexes words as page.words() does: words without text are there too, uncompared."""
    ref = page_from_lines([["the", "fox"]])
    res = page_from_lines(
        [["the", " ", "fax"]], boxes=[[(10, 10, 46, 40), (50, 10, 52, 40), (56, 10, 92, 40)]]
    )
    page = compare_pages(ref, res)
    assert page.model_statuses("result").tolist() == [0, -1, 1]  # equal, (blank), substituted
    assert page.model_statuses("reference").tolist() == [0, 1]
