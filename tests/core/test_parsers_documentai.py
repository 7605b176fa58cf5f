"""Google Cloud Document AI's Document JSON: two real answers of its OCR processor (origins in
tests/data/SOURCES.md) and the REST API's camelCase shape. Before, a Document AI file was taken for a
Vision answer (both have ``pages`` and ``text``) and opened as an empty page."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import detect_format, load_response
from tests.support.markup import cli_info

ENGINES = Path(__file__).resolve().parent.parent / "data" / "engines"


def test_documentai_ocr_answer_snake_case(capsys: pytest.CaptureFixture[str]) -> None:
    """The OCR processor's answer as the Python client's ``Document.to_json`` writes it (snake_case,
    ``normalized_vertices``, a start index of 0 left out): blocks, lines and tokens as the page shows
    them, each word on its text in the 936x213 image."""
    f = ENGINES / "documentai-ocr-multiple-levels.json"
    doc = load_response(f)
    assert doc.source_format == "google-document-ai" and doc.warnings == ()
    page = doc.pages[0]
    assert (page.width, page.height, page.unit) == (936, 213, "pixel")
    assert [[line.text for line in b.lines] for b in page.blocks] == [
        ["Willkommen!", "Bienvenue !", "Welcome!"],
        ["Question: What is the answer to the ultimate question of life?", "Answer: 42"],
    ]
    words = list(doc.words())
    assert len(words) == 22
    assert [w.text for w in words[:6]] == ["Willkommen", "!", "Bienvenue", "!", "Welcome", "!"]
    first = words[0]
    assert first.bbox == pytest.approx((32, 50, 195, 70), abs=0.01)
    assert first.confidence == pytest.approx(0.9732163)
    assert "1 page(s), 2 blocks, 5 lines, 22 words" in cli_info(capsys, "-r", str(f))
    placed = load_result(f, ENGINES / "documentai-ocr-multiple-levels.png")
    assert placed.decision.transform.is_identity
    assert next(placed.document.words()).bbox == pytest.approx((32, 50, 195, 70), abs=0.01)


def test_documentai_turned_page_lands_on_the_input_image() -> None:
    """An upside-down photo (1120x268): Document AI turned it by about 190 degrees onto a 1150x472 page
    image and states every polygon there, with the turn in ``transforms``. The polygons are mapped
    back onto the photo: each word lies inside it, on its handwriting."""
    f = ENGINES / "documentai-ocr-upside-down-excerpt.json"
    raw = json.loads(f.read_text(encoding="utf-8"))
    assert raw["pages"][0]["dimension"] == {"width": 1150.0, "height": 472.0, "unit": "pixels"}
    doc = load_response(f)
    assert [line.text for line in doc.lines()] == ["Forty-two,", "said Deep Thought with infinite majesty."]
    words = {w.text: w for w in doc.words()}
    assert len(list(doc.words())) == 11
    for w in words.values():
        x0, y0, x1, y1 = w.bbox
        assert -2 <= x0 < x1 <= 1122 and -2 <= y0 < y1 <= 270, (w.text, w.bbox)
    # upside down: "Forty" (read first) is at the photo's right, "majesty" at its left
    assert words["Forty"].bbox == pytest.approx((952, 37, 1076, 146), abs=1)
    assert words["majesty"].bbox[2] < 200
    placed = load_result(f, ENGINES / "documentai-ocr-upside-down.jpg")
    assert (placed.document.pages[0].width, placed.document.pages[0].height) == (1120, 268)
    assert placed.decision.transform.is_identity


def _anchor(*segments: tuple[int, int]) -> dict[str, Any]:
    segs = [
        {"endIndex": str(b)} if a == 0 else {"startIndex": str(a), "endIndex": str(b)} for a, b in segments
    ]
    return {"textSegments": segs}


def _layout(box: tuple[int, int, int, int], *segments: tuple[int, int], conf: float = 0.9) -> dict[str, Any]:
    x0, y0, x1, y1 = box
    vertices = [{"x": x0, "y": y0}, {"x": x1, "y": y0}, {"x": x1, "y": y1}, {"x": x0, "y": y1}]
    if x0 == 0:  # the REST API leaves out a coordinate of 0
        for v in vertices:
            if v["x"] == 0:
                del v["x"]
    return {
        "layout": {
            "textAnchor": _anchor(*segments),
            "confidence": conf,
            "boundingPoly": {"vertices": vertices},
        }
    }


def test_documentai_rest_answer_camel_case(tmp_path: Path) -> None:
    """The REST ``process`` answer (``{"document": ...}``, camelCase, pixel ``vertices`` with a 0 left
    out): a line no block holds is a block of its own; a token of two text segments reads both."""
    text = "Hello world\nsecond line\n"
    page = {
        "pageNumber": 1,
        "dimension": {"width": 400, "height": 200, "unit": "pixels"},
        "layout": {"orientation": "PAGE_UP"},
        "blocks": [_layout((0, 10, 200, 30), (0, 12))],
        "lines": [_layout((0, 10, 200, 30), (0, 12)), _layout((10, 50, 220, 70), (12, 24))],
        "tokens": [
            _layout((0, 10, 90, 30), (0, 6), conf=0.99),
            _layout((100, 10, 200, 30), (6, 12), conf=0.5),
            _layout((10, 50, 120, 70), (12, 15), (15, 19), conf=0.8),
            _layout((130, 50, 220, 70), (19, 24), conf=0.7),
        ],
    }
    f = tmp_path / "answer.json"
    f.write_text(
        json.dumps(
            {
                "document": {
                    "uri": "gs://b/scan.png",
                    "mimeType": "image/png",
                    "text": text,
                    "pages": [page],
                },
                "humanReviewStatus": {"state": "SKIPPED"},
            }
        )
    )
    doc = load_response(f)
    assert doc.source_format == "google-document-ai" and doc.warnings == ()
    assert [[line.text for line in b.lines] for b in doc.pages[0].blocks] == [
        ["Hello world"],
        ["second line"],
    ]
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [
        ("Hello", (0, 10, 90, 30), 0.99),
        ("world", (100, 10, 200, 30), 0.5),
        ("second", (10, 50, 120, 70), 0.8),
        ("line", (130, 50, 220, 70), 0.7),
    ]
    assert doc.pages[0].extras == {"orientation": "PAGE_UP"}


def test_documentai_bad_transform_is_a_warning(tmp_path: Path) -> None:
    """A transform that cannot be undone (all zeros) leaves the polygons in the page image's frame,
    with a warning naming the page."""
    text = "Hi\n"
    data = base64.b64encode(struct.pack("<6d", 0, 0, 0, 0, 0, 0)).decode()
    page = {
        "pageNumber": 1,
        "dimension": {"width": 100, "height": 50, "unit": "pixels"},
        "transforms": [{"rows": 2, "cols": 3, "type": 6, "data": data}],
        "lines": [_layout((10, 10, 40, 30), (0, 3))],
        "tokens": [_layout((10, 10, 40, 30), (0, 3))],
    }
    f = tmp_path / "answer.json"
    f.write_text(json.dumps({"text": text, "pages": [page]}))
    doc = load_response(f)
    assert [(w.text, w.bbox) for w in doc.words()] == [("Hi", (10, 10, 40, 30))]
    assert doc.warnings == (
        "page 1: a transform that cannot be undone; its polygons are left in the page image's frame",
    )


def test_vision_and_azure_pages_are_not_document_ai() -> None:
    """A bare Vision fullTextAnnotation (pages of blocks with ``boundingBox``) and Azure Document
    Intelligence's pages (``words``, ``spans``) keep their own readers."""
    vision = {
        "text": "a",
        "pages": [{"width": 10, "height": 10, "blocks": [{"boundingBox": {}, "paragraphs": []}]}],
    }
    assert detect_format(vision) == "google-vision"
    azure = {
        "analyzeResult": {
            "pages": [{"pageNumber": 1, "width": 8.5, "height": 11, "unit": "inch", "words": [], "spans": []}]
        }
    }
    assert detect_format(azure) != "google-document-ai"


def test_documentai_form_fields_only_and_text_without_positions(tmp_path: Path) -> None:
    """The v1beta2 Form Parser answer has only ``formFields`` on its page: each field is a block of
    its name's and value's lines. An answer whose text has no positions at all says so."""
    text = "Invoice no: 1001\n"
    name = {
        "textAnchor": _anchor((0, 11)),
        "confidence": 1,
        "boundingPoly": {
            "normalizedVertices": [
                {"x": 0.1, "y": 0.1},
                {"x": 0.4, "y": 0.1},
                {"x": 0.4, "y": 0.2},
                {"x": 0.1, "y": 0.2},
            ]
        },
    }
    value = {
        "textAnchor": _anchor((12, 16)),
        "confidence": 0.97,
        "boundingPoly": {
            "normalizedVertices": [
                {"x": 0.45, "y": 0.1},
                {"x": 0.6, "y": 0.1},
                {"x": 0.6, "y": 0.2},
                {"x": 0.45, "y": 0.2},
            ]
        },
    }
    page = {
        "pageNumber": 1,
        "formFields": [{"fieldName": name, "fieldValue": value}],
        "image": {"mimeType": "image/png", "width": 1000, "height": 500},
    }
    f = tmp_path / "form.json"
    f.write_text(json.dumps({"document": {"text": text, "pages": [page]}}))
    doc = load_response(f)
    (block,) = doc.pages[0].blocks
    assert block.layout_type == "form_field"
    assert [(ln.text, ln.bbox) for ln in block.lines] == [
        ("Invoice no:", pytest.approx((100, 50, 400, 100))),
        ("1001", pytest.approx((450, 50, 600, 100))),
    ]
    bare = tmp_path / "bare.json"
    bare.write_text(
        json.dumps(
            {"document": {"text": text, "pages": [{"pageNumber": 1, "image": {"width": 10, "height": 10}}]}}
        )
    )
    assert "has text but no positions" in load_response(bare).warnings[0]


def test_documentai_form_parser_table_with_spans(tmp_path: Path) -> None:
    """A Form Parser table: a header row, then body rows; a cell spanning two rows pushes the next
    row's first cell one column right. Each cell keeps its text and box."""
    text = "Name Qty Apple 3 4\n"

    def cell(box: tuple[int, int, int, int], a: int, b: int, rows: int = 1) -> dict[str, Any]:
        return {**_layout(box, (a, b)), "rowSpan": rows, "colSpan": 1}

    table = {
        "layout": _layout((10, 10, 210, 90), (0, 18))["layout"],
        "headerRows": [{"cells": [cell((10, 10, 110, 30), 0, 4), cell((110, 10, 210, 30), 5, 8)]}],
        "bodyRows": [
            {"cells": [cell((10, 30, 110, 90), 9, 14, rows=2), cell((110, 30, 210, 60), 15, 16)]},
            {"cells": [cell((110, 60, 210, 90), 17, 18)]},
        ],
    }
    page = {"pageNumber": 1, "dimension": {"width": 300, "height": 100, "unit": "pixels"}, "tables": [table]}
    f = tmp_path / "table.json"
    f.write_text(json.dumps({"text": text, "pages": [page]}))
    (t,) = load_response(f).pages[0].tables
    assert (t.rows, t.columns) == (3, 2)
    assert [(c.row, c.column, c.row_span, c.text, c.polygon[0]) for c in t.cells] == [
        (0, 0, 1, "Name", (10, 10)),
        (0, 1, 1, "Qty", (110, 10)),
        (1, 0, 2, "Apple", (10, 30)),
        (1, 1, 1, "3", (110, 30)),
        (2, 1, 1, "4", (110, 60)),
    ]


def test_documentai_table_cell_spanning_past_the_table_is_a_warning(tmp_path: Path) -> None:
    """A cell whose rowSpan is far past the table's rows (a broken answer) skips the table with a
    warning, at once (the grid is not filled out to 10**12 rows)."""
    cell = {**_layout((10, 10, 110, 30), (0, 2)), "rowSpan": "1000000000000", "colSpan": 1}
    table = {"layout": _layout((10, 10, 110, 30), (0, 2))["layout"], "bodyRows": [{"cells": [cell]}]}
    page = {"pageNumber": 1, "dimension": {"width": 300, "height": 100}, "tables": [table]}
    f = tmp_path / "table.json"
    f.write_text(json.dumps({"text": "ab\n", "pages": [page]}))
    doc = load_response(f)
    assert doc.pages[0].tables == ()
    assert doc.warnings[0] == (
        "page 1 table 1: a cell spans 1000000000000 rows and 1 columns, past the table; skipped"
    )
