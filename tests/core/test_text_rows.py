"""A document's text and rows in reading order, without Qt: what the inspector lists and searches."""

from __future__ import annotations

from ocrviewer.core.layers import ElementRef
from ocrviewer.core.text_rows import Paths, build_text_paths, collect_rows, format_confidence, iter_refs
from tests.support.elements import WORDS, make_document


def test_the_full_text_joins_words_lines_and_blocks_and_maps_each_word_s_range() -> None:
    doc = make_document()
    text, starts, ends, paths = build_text_paths(doc)
    assert text == "Invoice number\nTotal due\n\nThank you\ntotal"
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == [w[2] for w in WORDS]
    assert paths[3] == (0, 0, 1, 1) and paths[4] == (0, 1, 0, 0)


def test_row_paths_are_one_array_and_find_their_rows() -> None:
    """The rows' (page, block, line, word) are one int array; a row's path is found without a
    tuple per row (a click on the canvas selects the row of its word)."""
    doc = make_document()
    texts, confs, paths = collect_rows(doc, "word")
    assert isinstance(paths, Paths) and paths.array.shape == (len(texts), 4)
    listed = list(paths)
    assert listed == [tuple(p) for p in listed] and paths == listed
    for i, path in enumerate(listed):
        assert paths.find(path) == i
    assert paths.find((0, 99, 0, 0)) == -1 and paths.find((1, 0, 0, 0)) == -1
    _text, starts, ends, text_paths = build_text_paths(doc)
    assert text_paths == listed and len(starts) == len(ends) == len(listed)


def test_rows_of_a_level_and_their_confidences_read_in_order() -> None:
    doc = make_document()
    texts, confs, paths = collect_rows(doc, "line")
    assert texts == ["Invoice number", "Total due", "Thank you", "total"]
    assert list(paths) == [(0, 0, 0, -1), (0, 0, 1, -1), (0, 1, 0, -1), (0, 1, 1, -1)]
    assert collect_rows(None, "word") == ([], [], Paths())
    refs = [ref for ref, _ in iter_refs(doc, "block")]
    assert refs == [ElementRef("block", 0, 0), ElementRef("block", 0, 1)]
    assert [format_confidence(c) for c in (0.456, None)] == ["0.46", "—"]
