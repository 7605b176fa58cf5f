"""The figures are edit distances over token sequences, whatever the alignment shows.

WER and CER of a page are checked against a plain Levenshtein written here (words; grapheme clusters
from uniseg) and against jiwer, on results made by editing a reference (misread, missed, extra, cut
and run-together words) with boxes where the edits put them. How the window pairs words and where it
places a left-over word is for the eye; the counts follow the token sequences alone.
"""

from __future__ import annotations

import random
import unicodedata

import jiwer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from uniseg.graphemecluster import grapheme_clusters  # type: ignore[import-untyped]

from ocrviewer.core.compare import compare_pages
from ocrviewer.core.metrics import ErrorCount, normalize
from ocrviewer.core.model import Block, Line, Page, Word, polygon_from_bbox

Box = tuple[float, float, float, float]
CHAR = 12.0  # px per character
GAP = 12.0  # px between words


def levenshtein(a: list[str], b: list[str]) -> int:
    """Insertions + deletions + substitutions turning ``a`` into ``b`` (the textbook table)."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def clusters(text: str) -> list[str]:
    return list(grapheme_clusters(text))


def boxed_page(lines: list[list[tuple[str, Box]]]) -> Page:
    out = []
    for words in lines:
        ws = tuple(Word(t, polygon_from_bbox(*b)) for t, b in words)
        if ws:
            x0 = min(b[0] for _, b in words)
            y0 = min(b[1] for _, b in words)
            x1 = max(b[2] for _, b in words)
            y1 = max(b[3] for _, b in words)
            out.append(Line(" ".join(t for t, _ in words), polygon_from_bbox(x0, y0, x1, y1), ws))
    return Page(3000, 3000, (Block(polygon_from_bbox(0, 0, 3000, 3000), tuple(out)),))


def lay_out(lines: list[list[str]]) -> list[list[tuple[str, Box]]]:
    """Words left to right, one line every 40 px."""
    out = []
    for li, words in enumerate(lines):
        y, x = 10 + 40 * li, 10.0
        row = []
        for t in words:
            w = CHAR * len(clusters(t))
            row.append((t, (x, y, x + w, y + 30)))
            x += w + GAP
        out.append(row)
    return out


def edit(line: list[tuple[str, Box]], rng: random.Random, letters: str) -> list[tuple[str, Box]]:
    """Another reading of a boxed line, in reading order: each edit where it happens on the page."""
    out: list[tuple[str, Box]] = []
    k = 0
    while k < len(line):
        t, (x0, y0, x1, y1) = line[k]
        r = rng.random()
        cs = clusters(t)
        if r < 0.1:
            pass  # missed
        elif r < 0.25:  # misread
            i = rng.randrange(len(cs))
            out.append(("".join(cs[:i] + [rng.choice(letters)] + cs[i + 1 :]), (x0, y0, x1, y1)))
        elif r < 0.35 and len(cs) >= 2:  # cut in two within its box
            m = rng.randrange(1, len(cs))
            xm = x0 + (x1 - x0) * m / len(cs)
            out += [("".join(cs[:m]), (x0, y0, xm - 1, y1)), ("".join(cs[m:]), (xm + 1, y0, x1, y1))]
        elif r < 0.45 and k + 1 < len(line):  # run together with the next word
            t2, b2 = line[k + 1]
            out.append((t + t2, (x0, y0, b2[2], y1)))
            k += 1
        elif r < 0.55:  # an extra word in the gap after it (or at the line's end)
            out += [(t, (x0, y0, x1, y1)), (rng.choice(letters) * 2, (x1 + 2, y0, x1 + GAP - 2, y1))]
        else:
            out.append((t, (x0, y0, x1, y1)))
        k += 1
    return out


ASCII_WORDS = ["the", "of", "newspaper", "said", "a", "Lorem", "ipsum", "dolor", "amet", "ut", "et", "sed"]
# combining marks (e with a combining acute, m with a combining tilde), a precomposed é, a ligature,
# the long s, a flag of two code points: one grapheme cluster each
UNICODE_WORDS = ["cafe\u0301", "café", "m\u0303it", "ﬁnden", "ſie", "Straße", "🇩🇪", "naïve", "e\u0301e"]


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_lines=st.integers(1, 4),
    shuffle=st.booleans(),
    geometry=st.booleans(),
)
def test_figures_are_jiwers_on_the_lines_as_read(
    seed: int, n_lines: int, shuffle: bool, geometry: bool
) -> None:
    """With or without boxes, in any file order of the result's words: jiwer's figures on the lines."""
    rng = random.Random(seed)
    ref = lay_out([[rng.choice(ASCII_WORDS) for _ in range(rng.randint(2, 9))] for _ in range(n_lines)])
    hyp = [edit(line, rng, "xyz") for line in ref]
    refs = [" ".join(t for t, _ in line) for line in ref]
    hyps = [" ".join(t for t, _ in line) for line in hyp]
    if not any(hyps) or (not geometry and not all(hyps)):
        return  # jiwer takes no empty reading (without boxes an empty line pairs with none)
    listed = [rng.sample(line, len(line)) for line in hyp] if shuffle and geometry else hyp
    page = compare_pages(boxed_page(ref), boxed_page(listed), geometry=geometry)
    # each line scores the two token sequences it reports
    for ls in page.lines:
        assert ls.wer.errors == levenshtein(ls.reference.split(), ls.result.split())
        assert ls.cer.errors == levenshtein(list(ls.reference), list(ls.result))
    if not geometry and [ls.result for ls in page.lines] != hyps:
        # by text alone, lines are paired by likeness, not by their place in the file (a text
        # reference may list them in another order): two short lines misread alike can pair
        # crosswise (seed 2901 of 3000, 3 lines); jiwer pairs them by index
        return
    words = sum(levenshtein(r.split(), h.split()) for r, h in zip(refs, hyps, strict=True))
    chars = sum(levenshtein(list(r), list(h)) for r, h in zip(refs, hyps, strict=True))
    assert page.wer == ErrorCount(words, sum(len(r.split()) for r in refs))
    assert page.cer == ErrorCount(chars, sum(len(r) for r in refs))
    assert page.wer.rate == pytest.approx(jiwer.wer(refs, hyps))
    assert page.cer.rate == pytest.approx(jiwer.cer(refs, hyps))
    assert [ls.result for ls in page.lines] == hyps  # with boxes: each line as the result reads on the page


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 10**6), form=st.sampled_from(["exact", "historic", "modern"]), nfd=st.booleans())
def test_cer_is_a_grapheme_levenshtein_in_every_normalization(seed: int, form: str, nfd: bool) -> None:
    """Combining marks, ligatures, the long s, a flag: CER counts what a reader sees as one character,
    after the normalization asked for; a result written decomposed (NFD) counts the same."""
    rng = random.Random(seed)
    ref = lay_out(
        [[rng.choice(UNICODE_WORDS + ASCII_WORDS) for _ in range(rng.randint(2, 7))] for _ in range(2)]
    )
    hyp = [edit(line, rng, "xé\u0303ſﬁ") for line in ref]
    if not all(hyp):
        return
    if nfd:
        hyp = [[(unicodedata.normalize("NFD", t), b) for t, b in line] for line in hyp]
    page = compare_pages(boxed_page(ref), boxed_page(hyp), normalization=form)
    refs = [normalize(" ".join(t for t, _ in line), form) for line in ref]
    hyps = [normalize(" ".join(t for t, _ in line), form) for line in hyp]
    chars = sum(levenshtein(clusters(r), clusters(h)) for r, h in zip(refs, hyps, strict=True))
    assert page.cer == ErrorCount(chars, sum(len(clusters(r)) for r in refs))
    words = sum(levenshtein(r.split(), h.split()) for r, h in zip(refs, hyps, strict=True))
    assert page.wer == ErrorCount(words, sum(len(r.split()) for r in refs))


_word = st.text(alphabet="abcé1.", min_size=1, max_size=6)
_lines = st.lists(st.lists(_word, min_size=1, max_size=6), min_size=1, max_size=5)


@settings(max_examples=80, deadline=None)
@given(ref_lines=_lines, hyp_lines=_lines, dx=st.floats(-40, 40), dy=st.floats(-40, 40))
def test_any_two_pages_score_the_token_sequences_they_report(
    ref_lines: list[list[str]], hyp_lines: list[list[str]], dx: float, dy: float
) -> None:
    """Unrelated or shifted pages too: each line's figures are the edit distances between the texts
    it reports, and a result word in no line is one inserted word."""
    ref = boxed_page(lay_out(ref_lines))
    shifted = [
        [(t, (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)) for t, b in line] for line in lay_out(hyp_lines)
    ]
    page = compare_pages(ref, boxed_page(shifted))
    wer, cer = ErrorCount(), ErrorCount()
    for ls in page.lines:
        w = ErrorCount(levenshtein(ls.reference.split(), ls.result.split()), len(ls.reference.split()))
        c = ErrorCount(levenshtein(clusters(ls.reference), clusters(ls.result)), len(clusters(ls.reference)))
        assert (ls.wer, ls.cer) == (w, c)
        wer, cer = wer + w, cer + c
    placed = sum(len(ls.result.split()) for ls in page.lines)
    strays = [t for line in hyp_lines for t in line][placed:]  # how many, not which
    n_hyp = sum(len(x) for x in hyp_lines)
    assert page.wer.errors == wer.errors + (n_hyp - placed) and page.wer.length == wer.length
    assert page.cer.errors >= cer.errors and len(strays) == n_hyp - placed


def test_a_leftover_word_after_a_merge_reads_where_it_lies() -> None:
    """'amet' read as 'am' 'et' after 'Lorem ipsum' ran together: 'et' is the end of a split word,
    not 'ut' at the line's end. The line read so scored WER 12/15 against jiwer's 13/15."""
    text = "Lorem ipsum dolor sit amet consetetur sadipscing elitr sed diam nonumy eirmod tempor invidunt ut"
    # each piece read and the reference letters it stands on
    pieces = [("Loremipsum", "Loremipsum"), ("do", "do"), ("lor", "lor"), ("six", "sit"), ("am", "am")]
    pieces += [("et", "et"), ("conse", "conse"), ("tetur", "tetur"), ("sadipscinx", "sadipscing")]
    pieces += [(t, t) for t in ("elitr", "sed", "diam", "nonumyeirmod", "tempor", "inviduntut")]
    ref = lay_out([text.split()])
    letters = [(bx0 + CHAR * i, y0, y1) for t, (bx0, y0, _, y1) in ref[0] for i in range(len(t))]
    flat = "".join(t for t, _ in ref[0])
    at = 0
    hyp: list[tuple[str, Box]] = []
    for piece, under in pieces:
        at = flat.index(under, at)
        (x0, y0, y1), (x1, _, _) = letters[at], letters[at + len(under) - 1]
        hyp.append((piece, (x0 + 1, y0, x1 + CHAR - 1, y1)))
        at += len(under)
    reading = " ".join(p for p, _ in pieces)
    page = compare_pages(boxed_page(ref), boxed_page([hyp]))
    listed_backwards = compare_pages(boxed_page(ref), boxed_page([hyp[::-1]]))
    assert page.lines[0].result == listed_backwards.lines[0].result == reading
    assert (page.wer, page.cer) == (listed_backwards.wer, listed_backwards.cer)
    assert page.wer == ErrorCount(13, 15) and page.wer.rate == pytest.approx(jiwer.wer(text, reading))
    assert page.cer.rate == pytest.approx(jiwer.cer(text, reading))
    (split,) = [p for p in page.worst() if p.ref_text == "amet"]
    assert split.status == "split" and split.joined == "am et"
    assert not [p for p in page.pairs if p.ref_text == "ut" and p.result_text == "et"]
