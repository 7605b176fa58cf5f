"""Parsing in a child process: the same result word for word, the same errors, cancel and close.

The viewer parses responses in ``ocrviewer.core.parse_child`` so its own GIL stays free; what comes
back is a Document of column pages (core.columns). Everything a user sees must be the same as the
in-process parse: the words, their boxes and confidences, where they land on a rotated photo,
the frame decision, the counts, the suspects of check mode and the one-line errors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ocrviewer.core.checking import CheckSession
from ocrviewer.core.columns import ColumnPage, page_columns
from ocrviewer.core.frames import detect_frame
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.layers import build_layers, element_counts
from ocrviewer.core.loading import load_result
from ocrviewer.core.model import Document
from ocrviewer.core.parse_child import ParserProcess
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse, Cancelled
from ocrviewer.providers.run import document_from_raw

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
RESPONSES = sorted(p for p in CORPUS.glob("*/*.json"))


@pytest.fixture(scope="module")
def parser() -> Iterator[ParserProcess]:
    p = ParserProcess()
    yield p
    p.close()


def as_json(doc) -> str:  # noqa: ANN001
    """The document as the normalized format writes it: ints stay ints, None stays None."""
    return json.dumps(doc.to_dict(), sort_keys=True)


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_child_parse_equals_the_in_process_parse_word_for_word(parser, path):
    want = load_response(path)
    got = parser.call(load_response, path)
    assert all(isinstance(p, ColumnPage) and page_columns(p) is not None for p in got.pages)
    assert element_counts(got) == element_counts(want) == want.counts()
    assert got == want
    assert as_json(got) == as_json(want)  # texts, boxes (int or float as given), confidences, extras
    assert [w.text for w in got.words()] == [w.text for w in want.words()]


def test_raw_answer_parsed_in_the_child_as_a_provider_would(parser):
    raw = (CORPUS / "azure" / "read-v3.2-signage.json").read_bytes()
    got = document_from_raw(raw, ".json", "Azure", parser=parser)
    assert got == document_from_raw(raw, ".json", "Azure")


@pytest.mark.parametrize(
    "raw",
    [b'{"analyzeResult": {"readResults": [{"lines": "no"}]', b'{"x": 1}', b"\xff\xfe not json"],
    ids=["truncated", "unknown-shape", "not-utf8"],
)
def test_a_bad_answer_fails_in_the_child_with_the_same_one_line_error(parser, raw):
    with pytest.raises(BadResponse) as here:
        document_from_raw(raw, ".json", "the service")
    with pytest.raises(BadResponse) as there:
        document_from_raw(raw, ".json", "the service", parser=parser)
    assert str(there.value) == str(here.value)
    assert "\n" not in str(there.value)
    assert parser.call(load_response, RESPONSES[0]) == load_response(RESPONSES[0])  # the child lives on


def test_a_missing_file_names_the_file_as_in_process(parser, tmp_path):
    missing = tmp_path / "gone.json"
    with pytest.raises(Exception) as here:
        load_response(missing)
    with pytest.raises(type(here.value)) as there:
        parser.call(load_response, missing)
    assert str(there.value) == str(here.value)


def test_cancel_kills_the_child_and_the_next_parse_starts_a_new_one():
    parser = ParserProcess(poll_seconds=0.01)
    try:
        parser.call(load_response, RESPONSES[0])
        first = parser.pid
        assert first is not None
        with pytest.raises(Cancelled):
            parser.call(load_response, RESPONSES[0], cancelled=lambda: True)
        assert parser.pid is None
        with pytest.raises(ProcessLookupError):
            os.kill(first, 0)  # killed and reaped, not left behind
        assert parser.call(load_response, RESPONSES[0]) == load_response(RESPONSES[0])
        assert parser.starts == 2
    finally:
        parser.close()


def test_close_ends_the_child_and_refuses_later_parses():
    parser = ParserProcess()
    parser.call(load_response, RESPONSES[0])
    pid = parser.pid
    assert pid is not None
    parser.close()
    assert parser.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(Cancelled):
        parser.call(load_response, RESPONSES[0])


def test_a_rotated_photo_gets_the_same_placement_layers_and_suspects(parser):
    path = CORPUS / "azure" / "read-v3.2-signage.json"
    want = load_response(path)
    got = parser.call(load_response, path)
    page = want.pages[0]
    moved = FrameTransform(page.width, page.height, orientation=6, scale_x=1.5, scale_y=1.5, offset_x=3)
    placed_want, placed_got = moved.apply_document(want), moved.apply_document(got)
    assert isinstance(placed_got.pages[0], ColumnPage)
    assert "blocks" not in vars(placed_got.pages[0])  # placed as arrays: no word made yet
    layers_want, layers_got = build_layers(placed_want), build_layers(placed_got)
    for level in ("block", "line", "word"):
        a, b = layers_got[level], layers_want[level]
        assert len(a) == len(b)
        assert np.array_equal(a.pts, b.pts) and np.array_equal(a.bboxes, b.bboxes)
        assert np.array_equal(a.conf, b.conf, equal_nan=True)
        assert [a.ref(i) for i in range(len(a))] == [b.ref(i) for i in range(len(b))]
        assert [a.text(i) for i in range(len(a))] == [b.text(i) for i in range(len(b))]
    assert placed_got == placed_want
    for threshold in (0.5, 0.9, 1.0):
        s_got, s_want = CheckSession(placed_got, threshold), CheckSession(placed_want, threshold)
        assert list(s_got.suspects()) == list(s_want.suspects())
        assert s_got.progress_text() == s_want.progress_text()


@pytest.mark.parametrize("path", RESPONSES[:6], ids=lambda p: p.name)
def test_the_frame_decision_is_the_same_from_columns(parser, path):
    image = CORPUS / "exif" / "Portrait_6.jpg"
    info = read_image_info(image)
    want, got = load_response(path), parser.call(load_response, path)
    assert detect_frame(got, info) == detect_frame(want, info)


def test_load_result_with_the_parser_is_the_same_result(parser):
    path = CORPUS / "azure" / "read-v3.2-signage.json"
    image = CORPUS / "azure" / "testdata.jpg"
    want = load_result(path, image)
    got = load_result(path, image, parser=parser)
    assert got.decision == want.decision
    assert got.document == want.document
    assert got.warnings == want.warnings


def test_a_copy_made_by_replace_is_a_plain_page_with_the_same_content(parser):
    got = parser.call(load_response, RESPONSES[0])
    page = got.pages[0]
    copy = replace(page, index=3)
    assert copy.index == 3 and copy.blocks == page.blocks and copy.columns is None


def test_every_field_and_empty_parts_come_back_from_columns():
    from ocrviewer.core.columns import column_page
    from ocrviewer.core.model import Block, Cell, Line, Page, Table, Word, polygon_from_bbox

    box = polygon_from_bbox(1, 2, 30, 12)
    word = Word("Straße", box, 0.5, confidence_label="Low", language="de", extras={"k": [1, 2]})
    bare = Word("x", ((0.5, 1), (3, 1.25), (2, 4)), None)
    pages = (
        Page(100.0, 50.0),  # no blocks at all
        Page(
            100.0,
            50.0,
            (
                Block(box, (), layout_type="figure"),  # a block without lines
                Block(
                    box,
                    (Line("no words", box, (), 0.7, language="en"), Line("Straße x", box, (word, bare))),
                    0.9,
                    extras={"role": "body"},
                ),
                Block(box),
            ),
            (Table(box, 1, 1, (Cell(box, 0, 0, text="c"),)),),
            unit="inch",
            angle=1.5,
            index=2,
            extras={"p": 1},
        ),
    )
    for page in pages:
        made = column_page(page)
        assert made == page and made.blocks == page.blocks
        assert as_json(Document((made,))) == as_json(Document((page,)))
        assert element_counts(Document((made,))) == Document((page,)).counts()


def test_polygons_of_any_number_of_points_come_back_from_columns_as_they_were():
    from ocrviewer.core.columns import column_page
    from ocrviewer.core.model import Block, Line, Page, Word

    tri = ((0.5, 1.0), (3.0, 1.25), (2.0, 4.0))
    penta = ((10.0, 0.0), (20.0, 0.0), (25.0, 5.0), (20.0, 10.0), (10.0, 10.0))
    quad = ((1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0))
    words = (Word("a", tri, 0.1), Word("b", penta, None), Word("c", quad, 1.0))
    page = Page(100.0, 50.0, (Block(penta, (Line("a b c", quad, words),)),))
    made = column_page(page)
    assert made.blocks == page.blocks
    assert [w.polygon for w in made.words()] == [tri, penta, quad]
    assert [w.confidence for w in made.words()] == [0.1, None, 1.0]


def test_a_child_that_dies_mid_parse_is_a_one_line_error_and_the_next_parse_works():
    import signal

    parser = ParserProcess(poll_seconds=0.01)
    try:
        parser.call(load_response, RESPONSES[0])  # started

        def kill_it() -> bool:
            pid = parser.pid
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
            return False

        biggest = max(RESPONSES, key=lambda p: p.stat().st_size)  # (killed long before it is parsed)
        with pytest.raises(BadResponse) as died:
            parser.call(load_response, biggest, cancelled=kill_it)
        assert "parser process stopped" in str(died.value) and "\n" not in str(died.value)
        assert parser.call(load_response, RESPONSES[0]) == load_response(RESPONSES[0])
    finally:
        parser.close()
