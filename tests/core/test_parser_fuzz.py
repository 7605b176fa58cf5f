"""Property tests: whatever JSON a parser is given, it returns a Document or raises BadResponse, nothing else."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocrviewer.core.model import Document
from ocrviewer.core.parsers import load_response, parse_response
from ocrviewer.errors import BadResponse

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"

FUZZ = settings(
    max_examples=int(os.environ.get("OCRVIEWER_TEST_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KEYS = st.sampled_from(
    ["x", "y", "X", "Y", "text", "words", "lines", "blocks", "pages", "boundingBox", "vertices", "width", "height",
     "unit", "page", "confidence", "polygon", "content", "spans", "offset", "length", "Id", "BlockType",
     "Relationships", "Ids", "Type", "Geometry", "Polygon", "symbols", "paragraphs", "result", "textAnnotation",
     "cells", "tables", "rowIndex", "columnIndex", "angle", "rotate", "languages", "appearance", "schema"]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(
        ["12", "-1", "NaN", "1e999", "Low", "pixel", "inch", "ANGLE_90", "LINE", "WORD", "PAGE", "CHILD"]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(KEYS | st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=40,
)

#: Known shapes with an arbitrary value inside, so the fuzzing reaches past format detection.
SKELETONS = [
    lambda v: {"result": {"textAnnotation": v}},
    lambda v: {"result": {"textAnnotation": {"width": "10", "height": "10", "blocks": v}}},
    lambda v: {"text_annotation": {"blocks": [{"bounding_box": {"vertices": v}, "lines": v}]}},
    lambda v: {"results": [{"results": [{"textDetection": {"pages": v}}]}]},
    lambda v: {"recognitionResult": {"lines": v}},
    lambda v: {"recognitionResults": v},
    lambda v: {"analyzeResult": {"readResults": v}},
    lambda v: {"analyzeResult": {"readResults": [{"lines": v}], "pageResults": v}},
    lambda v: {"analyzeResult": {"pages": v, "tables": v}},
    lambda v: {"readResult": {"blocks": v}, "metadata": v},
    lambda v: {"responses": [{"fullTextAnnotation": {"pages": v}}]},
    lambda v: {"fullTextAnnotation": {"pages": [{"blocks": v}]}},
    lambda v: {"Blocks": v},
    lambda v: {"Blocks": [{"BlockType": "PAGE", "Id": "p", "Relationships": [{"Type": "CHILD", "Ids": ["l"]}]},
                          {"BlockType": "LINE", "Id": "l", "Geometry": v, "Relationships": v}]},
    lambda v: {"schema": "ocrviewer.document/1", "pages": v},
    lambda v: {"Entries": v, "Variables": {}},
    lambda v: {"Entries": [{"ResponseBody": v}, {"ResponseBody": json.dumps(v)}]},
    lambda v: [v, v],
]  # fmt: skip


def _trimmed_google() -> Any:
    data = json.loads((CORPUS / "google/gcv2hocr-eng-test.json").read_text(encoding="utf-8"))
    resp = data["responses"][0]
    resp["textAnnotations"] = resp["textAnnotations"][:4]
    page = resp["fullTextAnnotation"]["pages"][0]
    page["blocks"] = page["blocks"][:1]
    page["blocks"][0]["paragraphs"] = page["blocks"][0]["paragraphs"][:1]
    return data


REAL = [
    json.loads(p.read_text(encoding="utf-8"))
    for p in sorted(CORPUS.glob("*/*.json"))
    if p.name != "gcv2hocr-eng-test.json"
] + [_trimmed_google()]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


REAL_PATHS = [_paths(doc)[1:] for doc in REAL]


def check(data: Any) -> None:
    try:
        doc = parse_response(data)
    except BadResponse as err:
        assert str(err) and "\n" not in str(err)
        return
    assert isinstance(doc, Document)
    for w in doc.words():
        assert len(w.polygon) >= 3
    doc.to_dict()


@FUZZ
@given(JSON)
def test_arbitrary_json_gives_a_document_or_bad_response(value: Any) -> None:
    check(value)


@FUZZ
@given(st.sampled_from(SKELETONS), JSON)
def test_known_shapes_with_arbitrary_insides(skeleton: Any, value: Any) -> None:
    check(skeleton(value))


@FUZZ
@given(st.data())
def test_mutated_real_responses(data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(REAL) - 1), label="response")
    doc = copy.deepcopy(REAL[i])
    paths = REAL_PATHS[i]
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        path = paths[data.draw(st.integers(0, len(paths) - 1))]
        parent: Any = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            key = path[-1]
            if data.draw(st.booleans(), label="delete"):
                del parent[key]
            else:
                parent[key] = data.draw(SCALARS | JSON, label="value")
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    check(doc)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_load_response_of_any_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "resp.json"
        path.write_bytes(raw)
        try:
            load_response(path)
        except BadResponse as err:
            assert str(err).startswith(f"{path}: ") and "\n" not in str(err)
