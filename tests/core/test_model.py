"""The document model: round trips, validation, derived values."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrviewer.core.model import (
    SCHEMA,
    Block,
    Cell,
    Document,
    Line,
    Page,
    Table,
    Word,
    label_to_confidence,
    make_polygon,
    polygon_from_bbox,
)
from ocrviewer.errors import BadResponse

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
polygons = st.lists(st.tuples(finite, finite), min_size=3, max_size=5).map(tuple)
confs = st.one_of(st.none(), st.floats(min_value=0, max_value=1))
texts = st.text(max_size=12)
words = st.builds(
    Word, text=texts, polygon=polygons, confidence=confs, language=st.one_of(st.none(), st.just("en"))
)
lines = st.builds(
    Line, text=texts, polygon=polygons, words=st.lists(words, max_size=2).map(tuple), confidence=confs
)
blocks = st.builds(
    Block, polygon=polygons, lines=st.lists(lines, max_size=2).map(tuple), layout_type=st.none()
)
pages = st.builds(
    Page,
    width=st.one_of(st.none(), st.floats(min_value=1, max_value=1e5)),
    height=st.one_of(st.none(), st.floats(min_value=1, max_value=1e5)),
    blocks=st.lists(blocks, max_size=2).map(tuple),
    angle=st.one_of(st.none(), st.floats(min_value=-180, max_value=180)),
)
documents = st.builds(
    Document, pages=st.lists(pages, min_size=1, max_size=2).map(tuple), source_format=st.just("x")
)


@given(documents)
@settings(max_examples=25, deadline=None)
def test_round_trip_through_json(doc: Document) -> None:
    data = json.loads(json.dumps(doc.to_dict()))
    assert data["schema"] == SCHEMA
    assert Document.from_dict(data) == doc


def test_tables_and_extras_round_trip() -> None:
    sq = polygon_from_bbox(0, 0, 10, 10)
    table = Table(
        sq, rows=1, columns=2, cells=(Cell(sq, 0, 0, text="a"), Cell(sq, 0, 1, column_span=1, text="b"))
    )
    doc = Document(
        (Page(100, 50, (Block(sq, (Line("a b", sq, (Word("a", sq, 0.5, extras={"k": 1}),)),)),), (table,)),),
        source_format="yandex-ocr-v1",
        extras={"entities": [{"name": "x"}]},
        warnings=("skipped one word",),
    )
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc
    assert doc.counts() == {"page": 1, "block": 1, "line": 1, "word": 1, "table": 1}
    assert doc.text == "a b"


@pytest.mark.parametrize(
    "points",
    [
        [[0, 0], [1, 1]],
        [[0, 0], [1, float("nan")], [2, 2]],
        [0, 0, 1],
        [[0, "x"], [1, 1], [2, 2]],
        [[0, 0, 0]],
    ],
)
def test_bad_polygons_are_refused(points) -> None:
    with pytest.raises(BadResponse):
        make_polygon(points)


def test_flat_and_pair_polygons_agree() -> None:
    assert make_polygon([0, 0, 4, 0, 4, 2]) == make_polygon([[0, 0], [4, 0], [4, 2]])


def test_labels_map_to_numbers() -> None:
    assert label_to_confidence("Low") == 0.3
    assert label_to_confidence(" HIGH ") == 0.9
    assert label_to_confidence("odd") is None and label_to_confidence(None) is None


def test_not_a_document_is_refused() -> None:
    with pytest.raises(BadResponse):
        Document.from_dict({"schema": "other"})
    with pytest.raises(BadResponse):
        Document.from_dict({"schema": SCHEMA, "pages": [{"blocks": [{"polygon": [[0, 0]]}]}]})


def test_mapped_page_moves_every_polygon() -> None:
    sq = polygon_from_bbox(0, 0, 10, 10)
    page = Page(10, 10, (Block(sq, (Line("a", sq, (Word("a", sq),)),)),))
    moved = page.mapped(lambda x, y: (x + 1, y * 2), 11, 20)
    assert next(moved.words()).polygon[2] == (11, 20)
    assert (moved.width, moved.height, moved.unit) == (11, 20, "pixel")
    assert math.isclose(moved.blocks[0].bbox[3], 20)
