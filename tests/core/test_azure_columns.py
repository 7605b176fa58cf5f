"""Azure Read pages parsed straight into columns (``ColumnPage``) are the pages the element-by-element
parser makes: every word's text, polygon (ints stay ints) and confidence as the JSON gives them, the
same lines, block, warnings; anything unusual takes the element path, so nothing changes for it."""

from __future__ import annotations

import copy
import gc
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocrviewer.core.columns import page_columns
from ocrviewer.core.model import Document
from ocrviewer.core.parse_child import document_from_fields, fields_of
from ocrviewer.core.parsers import azure, load_response, parse_response

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "azure"


def _element_by_element(data: Any, monkeypatch: pytest.MonkeyPatch) -> Document:
    """The same response read by the element path only (the reference)."""
    with monkeypatch.context() as m:
        m.setattr(azure, "_columns", lambda *args: None)
        return parse_response(copy.deepcopy(data))


def _word(box: list[Any], text: str, conf: Any = 0.9) -> dict[str, Any]:
    w: dict[str, Any] = {"boundingBox": box, "text": text}
    if conf is not None:
        w["confidence"] = conf
    return w


def _read_v3(*pages: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "succeeded",
        "analyzeResult": {"version": "3.2.0", "modelVersion": "2022-04-30", "readResults": list(pages)},
    }


def _odd_response() -> dict[str, Any]:
    """Rotated and slanted quads, ints and floats mixed in one box, lines without words, languages,
    styles with and without a confidence, absent and integer confidences, empty pages."""
    rotated = {
        "page": 1,
        "angle": 31.5,
        "width": 1200,
        "height": 900,
        "unit": "pixel",
        "language": "de",
        "lines": [
            {
                "boundingBox": [100.25, 50.5, 300.75, 173.0, 280, 205, 80, 82.5],
                "text": "Grüße aus Köln",
                "language": "de",
                "appearance": {"style": {"name": "handwriting", "confidence": 0.75}},
                "words": [
                    _word([100.25, 50.5, 170, 93, 150.5, 126.0, 80, 82.5], "Grüße", 0.5),
                    _word([175, 96, 215, 120, 195, 152, 155, 128], "aus", None),
                    _word([220.0, 123.0, 300.75, 173.0, 280, 205, 200.0, 155.0], "Köln", 1),
                ],
            },
            {"boundingBox": [10, 10, 20, 10, 20, 20, 10, 20], "text": "", "words": []},
            {"boundingBox": [-5, 700, 40, 690, 41, 720, -4, 731], "text": "no words key"},
            {
                "boundingBox": [500, 600, 400, 600, 400, 650, 500, 650],  # drawn right to left
                "text": "x y",
                "appearance": {"style": {"name": "other"}},
                "words": [
                    _word([500, 600, 450, 600, 450, 650, 500, 650], "x", 0.0),
                    _word([445, 600, 400, 600, 400, 650, 445, 650], "y", 0.999999),
                ],
            },
        ],
    }
    empty = {"page": 2, "angle": 0, "width": 8.5, "height": 11, "unit": "inch", "lines": []}
    no_lines = {"page": 3, "angle": 0, "width": 8.5, "height": 11, "unit": "inch"}
    inches = {
        "page": 4,
        "angle": -0.2,
        "width": 8.5,
        "height": 11,
        "unit": "inch",
        "lines": [
            {
                "boundingBox": [1.1, 2.2, 3.3, 2.2, 3.3, 2.5, 1.1, 2.5],
                "text": "Total 12.50",
                "appearance": {"style": {"name": "other", "confidence": 1}},
                "words": [
                    _word([1.1, 2.2, 2.0, 2.2, 2.0, 2.5, 1.1, 2.5], "Total", 0.98),
                    _word([2.1, 2.2, 3.3, 2.2, 3.3, 2.5, 2.1, 2.5], "12.50", 0.87),
                ],
            }
        ],
    }
    return _read_v3(rotated, empty, no_lines, inches)


def _pairs(box: list[Any]) -> list[tuple[Any, Any]]:
    return list(zip(box[0::2], box[1::2], strict=True))


def test_words_polygons_and_confidences_are_the_jsons_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _odd_response()
    doc = parse_response(copy.deepcopy(data))
    assert [page_columns(p) is not None for p in doc.pages] == [True, False, False, True]
    for page, raw in zip(doc.pages, data["analyzeResult"]["readResults"], strict=True):
        raw_lines = raw.get("lines") or []
        assert [ln.text for ln in page.lines()] == [ln["text"] for ln in raw_lines]
        for line, raw_line in zip(page.lines(), raw_lines, strict=True):
            assert [(type(v), v) for xy in line.polygon for v in xy] == [
                (type(v), v) for v in raw_line["boundingBox"]
            ]
            raw_words = raw_line.get("words") or []
            assert [w.text for w in line.words] == [w["text"] for w in raw_words]
            for word, raw_word in zip(line.words, raw_words, strict=True):
                # ints stay ints, floats stay floats: the same values the JSON has
                assert [[(type(v), v) for v in xy] for xy in word.polygon] == [
                    [(type(v), v) for v in xy] for xy in _pairs(raw_word["boundingBox"])
                ]
                given_conf = raw_word.get("confidence")
                assert word.confidence == (None if given_conf is None else float(given_conf))
                assert word.confidence is None or type(word.confidence) is float
    first = doc.pages[0]
    assert first.blocks[0].language == "de"
    assert first.blocks[0].polygon == ((-5, 10), (500, 10), (500, 731), (-5, 731))
    assert [ln.extras for ln in first.lines()] == [
        {"style": "handwriting", "style_confidence": 0.75},
        {},
        {},
        {"style": "other"},
    ]
    assert [ln.language for ln in first.lines()] == ["de", None, None, None]
    assert doc.pages[1].blocks == () and doc.pages[2].blocks == ()
    assert doc.pages[3].unit == "inch" and doc.pages[3].lines().__next__().extras["style_confidence"] == 1.0
    assert doc == _element_by_element(data, monkeypatch)
    assert doc.warnings == ()


@pytest.mark.parametrize(
    "name",
    ["read-v3.2-signage.json", "batchread-v2.0-signage.json", "formrecognizer-v2.1-layout-testdata.json"],
)
def test_real_responses_are_columns_equal_to_the_element_path(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = CORPUS / name
    doc = load_response(path)
    assert all(page_columns(p) is not None for p in doc.pages)
    assert doc == _element_by_element(json.loads(path.read_bytes()), monkeypatch)
    if name.startswith("formrecognizer"):
        assert any(p.tables for p in doc.pages)  # the tables stay with the page of columns


def _spoil(data: dict[str, Any], how: str) -> None:
    line = data["analyzeResult"]["readResults"][0]["lines"][0]
    word = line["words"][1]
    if how == "short box":
        word["boundingBox"] = word["boundingBox"][:6]
    elif how == "string coordinate":
        word["boundingBox"][3] = "120"
    elif how == "boolean coordinate":
        word["boundingBox"][0] = True
    elif how == "coordinate beyond the limit":
        word["boundingBox"][2] = 2e9
    elif how == "NaN coordinate":
        word["boundingBox"][2] = math.nan
    elif how == "NaN confidence":
        word["confidence"] = math.nan
    elif how == "confidence out of range":
        word["confidence"] = 57
    elif how == "confidence label":
        word["confidence"] = "Low"
    elif how == "no text":
        del word["text"]
    elif how == "number as text":
        word["text"] = 42
    elif how == "word not an object":
        line["words"][1] = ["not", "a", "word"]
    elif how == "line without a box":
        del line["boundingBox"]
    elif how == "bad style confidence":
        line["appearance"] = {"style": {"name": "other", "confidence": 7}}
    elif how == "words not a list":
        data["analyzeResult"]["readResults"][0]["lines"][1]["words"] = {"a": 1}
    else:  # pragma: no cover - a typo in the parameters
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "short box",
        "string coordinate",
        "boolean coordinate",
        "coordinate beyond the limit",
        "NaN coordinate",
        "NaN confidence",
        "confidence out of range",
        "confidence label",
        "no text",
        "number as text",
        "word not an object",
        "line without a box",
        "bad style confidence",
        "words not a list",
    ],
)
def test_an_unusual_page_is_read_element_by_element_as_before(
    how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _odd_response()
    _spoil(data, how)
    doc = parse_response(copy.deepcopy(data))
    assert page_columns(doc.pages[0]) is None  # the element path, with its warnings
    assert page_columns(doc.pages[3]) is not None  # the other pages are still columns
    reference = _element_by_element(data, monkeypatch)
    assert doc == reference
    assert doc.warnings == reference.warnings


_coordinate = st.one_of(
    st.integers(-20_000, 20_000),
    st.floats(-20_000, 20_000, allow_nan=False),
    st.sampled_from([0, 0.0, -0.0, 1e9, -1e9, 999_999_999.5]),
)
_box = st.lists(_coordinate, min_size=8, max_size=8)
_conf = st.one_of(st.none(), st.floats(0, 1), st.sampled_from([0, 1, 1.0000001, -0.5, 2]))
_words = st.lists(st.builds(lambda b, t, c: _word(b, t, c), _box, st.text(max_size=6), _conf), max_size=5)
_style = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"style": st.fixed_dictionaries({"name": st.sampled_from(["other", "handwriting"])})}
    ),
    st.builds(lambda c: {"style": {"name": "other", "confidence": c}}, _conf),
)


@st.composite
def _line(draw: st.DrawFn) -> dict[str, Any]:
    ln: dict[str, Any] = {
        "boundingBox": draw(_box),
        "text": draw(st.text(max_size=12)),
        "words": draw(_words),
    }
    style = draw(_style)
    if style is not None:
        ln["appearance"] = style
    if draw(st.booleans()):
        ln["language"] = draw(st.sampled_from(["en", "de", ""]))
    return ln


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pages=st.lists(st.lists(_line(), max_size=4), min_size=1, max_size=3),
    width=st.sampled_from([1000, 0]),  # 0: a page warning, said before or after the lines' as before
)
def test_any_read_v3_response_parses_as_the_element_path_does(
    pages: list[list[dict[str, Any]]], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _read_v3(
        *(
            {"page": i + 1, "width": width, "height": 800, "unit": "pixel", "lines": ls}
            for i, ls in enumerate(pages)
        )
    )
    doc = parse_response(copy.deepcopy(data))
    reference = _element_by_element(data, monkeypatch)
    assert doc == reference
    assert doc.warnings == reference.warnings
    assert [w.polygon for w in doc.words()] == [w.polygon for w in reference.words()]
    assert [[type(v) for xy in w.polygon for v in xy] for w in doc.words()] == [
        [type(v) for xy in w.polygon for v in xy] for w in reference.words()
    ]


def _grid_response(words: int) -> dict[str, Any]:
    lines = []
    for li in range(words // 10):
        y = 10 + li * 20
        ws = [
            _word([x * 30, y, x * 30 + 25, y, x * 30 + 25, y + 12, x * 30, y + 12], f"w{li}.{x}", 0.5)
            for x in range(10)
        ]
        lines.append(
            {
                "boundingBox": [0, y, 295, y, 295, y + 12, 0, y + 12],
                "text": " ".join(w["text"] for w in ws),
                "appearance": {"style": {"name": "other", "confidence": 0.9}},
                "words": ws,
            }
        )
    return _read_v3(
        {"page": 1, "width": 400, "height": 20 * words // 10 + 40, "unit": "pixel", "lines": lines}
    )


def test_a_parsed_page_leaves_few_objects_for_the_garbage_collector() -> None:
    """What keeps a parse from triggering full collections: 2,000 words are a handful of tracked
    objects (arrays, a text blob), not one Word and five polygon tuples each."""
    data = _grid_response(2000)
    gc.collect()
    before = len(gc.get_objects())
    doc = parse_response(data)
    gc.collect()
    made = len(gc.get_objects()) - before
    assert page_columns(doc.pages[0]) is not None
    assert made < 100, made
    assert sum(1 for _ in doc.words()) == 2000  # and the words are there when read


def test_the_parser_process_sends_the_parsers_columns_as_they_are() -> None:
    doc = parse_response(_odd_response())
    fields = fields_of(doc)
    assert fields["pages"][0]["columns"] is page_columns(doc.pages[0])
    assert document_from_fields(fields) == doc
