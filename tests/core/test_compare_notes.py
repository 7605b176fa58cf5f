"""What compare mode says about a word, without Qt: the Inspector's rows, the tooltip and the
Differences row name the same status, texts and edit distance."""

from __future__ import annotations

from ocrviewer.core.compare import compare_pages
from ocrviewer.core.compare_notes import difference_row, note, word_status
from ocrviewer.core.model import Block, Line, Page, Word, polygon_from_bbox


def page(words: list[tuple[str, tuple[float, float, float, float]]]) -> Page:
    ws = tuple(Word(t, polygon_from_bbox(*b)) for t, b in words)
    line = Line(" ".join(t for t, _ in words), polygon_from_bbox(10, 10, 600, 40), ws)
    return Page(1000, 1000, (Block(polygon_from_bbox(0, 0, 1000, 1000), (line,)),))


REF = page([("the", (10, 10, 46, 40)), ("newspaper", (56, 10, 164, 40)), ("said", (174, 10, 222, 40))])
RES = page(
    [
        ("the", (10, 10, 46, 40)),
        ("news", (56, 10, 104, 40)),
        (" ", (105, 10, 107, 40)),  # no text: not compared
        ("paper", (108, 10, 164, 40)),
        ("sald", (174, 10, 222, 40)),
        ("!!", (300, 10, 320, 40)),
    ]
)


def test_each_words_status_reads_as_its_tooltip_and_differences_row() -> None:
    pc = compare_pages(REF, RES)
    got = {i: word_status(pc, "result", i) for i in range(6)}
    assert got[2] is None  # the blank word
    assert [
        (s.status, s.reference, s.result, s.distance) for s in (got[0], got[1], got[3], got[4], got[5])
    ] == [
        ("equal", "the", "the", 0),
        ("split", "newspaper", "news paper", 0),
        ("split", "newspaper", "news paper", 0),
        ("substituted", "said", "sald", 1),
        ("extra", "—", "!!", 2),
    ]
    assert got[4] is not None and got[4].lines() == [
        ("Status", "substituted"),
        ("Truth", "said"),
        ("Result", "sald"),
        ("Edit distance", "1"),
    ]
    rows = {difference_row(p) for p in pc.worst()}
    assert rows == {
        "split: «newspaper» → «news paper» (0)",
        "substituted: «said» → «sald» (1)",
        "extra: «—» → «!!» (2)",
    }
    k = [int(j) for j in pc.result_index].index(3)  # the pair of "sald" (page_words index 3)
    assert note(pc, k) == "<i>substituted</i>: truth «said» · result «sald»"
    # from the truth's side: its words, "said" the same pair
    truth = word_status(pc, "reference", 2)
    assert truth is not None and (truth.status, truth.reference, truth.result, truth.distance) == (
        "substituted",
        "said",
        "sald",
        1,
    )
