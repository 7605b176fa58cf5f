"""Shape variants of the same response: naming styles, wrappers, JSON Lines, omitted zeros, units."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.core.parsers import detect_format, load_response, parse_response
from ocrviewer.errors import BadResponse

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "corpus"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def snake(value: Any) -> Any:
    """The same JSON with every camelCase key in snake_case (the older Yandex style)."""
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake(v) for v in value]
    return value


def box(x0: int, y0: int, x1: int, y1: int) -> dict[str, Any]:
    """Yandex boundingBox (TL, BL, BR, TR) with numbers as strings, as the service sends them."""
    return {
        "vertices": [
            {"x": str(x0), "y": str(y0)},
            {"x": str(x0), "y": str(y1)},
            {"x": str(x1), "y": str(y1)},
            {"x": str(x1), "y": str(y0)},
        ]
    }


def yandex_page(page: int = 0, word: str = "Hello") -> dict[str, Any]:
    """A camelCase OCR v1 page with everything a user may want to see: table, entity, rotate, layout."""
    return {
        "result": {
            "textAnnotation": {
                "width": "400",
                "height": "300",
                "blocks": [
                    {
                        "boundingBox": box(10, 10, 200, 60),
                        "lines": [
                            {
                                "boundingBox": box(10, 10, 200, 60),
                                "text": f"{word} Ivan",
                                "words": [
                                    {"boundingBox": box(10, 10, 100, 60), "text": word, "entityIndex": "-1"},
                                    {
                                        "boundingBox": box(110, 10, 200, 60),
                                        "text": "Ivan",
                                        "entityIndex": "0",
                                    },
                                ],
                                "orientation": "ANGLE_0",
                            }
                        ],
                        "languages": [{"languageCode": "en"}, {"languageCode": "ru"}],
                        "layoutType": "LAYOUT_TYPE_HEADER",
                    }
                ],
                "entities": [{"name": "name", "text": "Ivan"}],
                "tables": [
                    {
                        "boundingBox": box(10, 100, 390, 290),
                        "rowCount": "2",
                        "columnCount": "2",
                        "cells": [
                            {
                                "boundingBox": box(10, 100, 200, 190),
                                "rowIndex": "0",
                                "columnIndex": "0",
                                "rowSpan": "1",
                                "columnSpan": "2",
                                "text": "Header",
                            },
                            {
                                "boundingBox": box(10, 190, 200, 290),
                                "rowIndex": "1",
                                "columnIndex": "1",
                                "text": "42",
                            },
                        ],
                    }
                ],
                "fullText": f"{word} Ivan\n",
                "rotate": "ANGLE_90",
                "markdown": f"# {word} Ivan",
            },
            "page": str(page),
        }
    }


def test_yandex_keeps_what_users_want_to_see() -> None:
    doc = parse_response(yandex_page())
    assert doc.source_format == "yandex-ocr-v1"
    page = doc.pages[0]
    assert page.angle == 90.0
    assert page.extras["entities"] == [{"name": "name", "text": "Ivan"}]
    assert page.extras["markdown"] == "# Hello Ivan"
    assert page.extras["full_text"] == "Hello Ivan\n"
    block = page.blocks[0]
    assert block.language == "en"
    assert block.layout_type == "LAYOUT_TYPE_HEADER"
    hello, ivan = block.lines[0].words
    assert hello.extras == {} and ivan.extras == {"entity_index": 0}
    assert all(w.confidence is None for w in doc.words())
    (table,) = page.tables
    assert (table.rows, table.columns) == (2, 2)
    header, cell = table.cells
    assert (header.row, header.column, header.row_span, header.column_span, header.text) == (
        0,
        0,
        1,
        2,
        "Header",
    )
    assert (cell.row, cell.column, cell.row_span, cell.column_span, cell.text) == (1, 1, 1, 1, "42")
    assert cell.polygon == ((10.0, 190.0), (10.0, 290.0), (200.0, 290.0), (200.0, 190.0))


@pytest.mark.parametrize(
    "path",
    [
        CORPUS / "yandex/ocr-recognize-handwritten-ru-camelcase.json",
        DATA / "seeds/yandex-ocr-handwritten-hello-camelcase.json",
    ],
    ids=lambda p: p.name,
)
def test_yandex_camel_and_snake_case_give_the_same_document(path: Path) -> None:
    camel = load_json(path)
    assert parse_response(snake(camel)) == parse_response(camel)


def test_yandex_rich_page_camel_and_snake_agree() -> None:
    assert parse_response(snake(yandex_page())) == parse_response(yandex_page())


def test_yandex_with_and_without_result_wrapper() -> None:
    wrapped = load_json(CORPUS / "yandex/ocr-recognize-handwritten-ru-camelcase.json")
    bare = wrapped["result"]
    annotation_only = bare["textAnnotation"]
    assert detect_format(bare) == detect_format(annotation_only) == "yandex-ocr-v1"
    assert parse_response(bare) == parse_response(wrapped) == parse_response(annotation_only)


def test_yandex_json_lines_two_pages(tmp_path: Path) -> None:
    path = tmp_path / "async-result.jsonl"
    path.write_text(json.dumps(yandex_page(0, "First")) + "\n" + json.dumps(yandex_page(1, "Second")) + "\n")
    doc = load_response(path)
    assert doc.source_format == "yandex-ocr-v1"
    assert [p.index for p in doc.pages] == [0, 1]
    assert [p.blocks[0].lines[0].words[0].text for p in doc.pages] == ["First", "Second"]


def test_json_lines_pages_sorted_by_page_field(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        json.dumps(yandex_page(1, "Second")) + "\n\n" + json.dumps(yandex_page(0, "First")) + "\n"
    )
    doc = load_response(path)
    assert [next(p.words()).text for p in doc.pages] == ["First", "Second"]


def test_json_array_of_pages_is_the_same_as_json_lines(tmp_path: Path) -> None:
    pages = [yandex_page(0, "First"), yandex_page(1, "Second")]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in pages))
    assert parse_response(pages) == load_response(path)


def test_yandex_missing_x_or_y_is_zero() -> None:
    data = load_json(CORPUS / "yandex/ocr-recognize-handwritten-ru-camelcase.json")
    word = data["result"]["textAnnotation"]["blocks"][0]["lines"][0]["words"][0]
    vertices = word["boundingBox"]["vertices"]
    del vertices[0]["x"]
    del vertices[3]["y"]
    doc = parse_response(data)
    poly = next(doc.words()).polygon
    assert poly[0][0] == 0.0 and poly[3][1] == 0.0
    assert poly[1] == (float(vertices[1]["x"]), float(vertices[1]["y"]))
    assert doc.warnings == ()


def test_yandex_numbers_as_strings_or_numbers_agree() -> None:
    data = load_json(CORPUS / "yandex/ocr-recognize-handwritten-ru-camelcase.json")

    def numbers(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (int(v) if k in {"x", "y", "width", "height"} else numbers(v)) for k, v in value.items()
            }
        if isinstance(value, list):
            return [numbers(v) for v in value]
        return value

    as_numbers = numbers(data)
    assert as_numbers != data
    assert parse_response(as_numbers) == parse_response(data)
    page = parse_response(data).pages[0]
    assert isinstance(page.width, float) and page.width == 241.0


def test_yandex_vertex_order_kept() -> None:
    doc = parse_response(yandex_page())
    assert next(doc.words()).polygon == ((10.0, 10.0), (10.0, 60.0), (100.0, 60.0), (100.0, 10.0))


def test_yandex_empty_result_is_a_page_without_blocks() -> None:
    doc = parse_response(
        {"result": {"textAnnotation": {"width": "640", "height": "480", "blocks": [], "fullText": ""}}}
    )
    assert len(doc.pages) == 1
    assert doc.pages[0].blocks == ()
    assert (doc.pages[0].width, doc.pages[0].height) == (640.0, 480.0)


def test_yandex_result_without_annotation_is_an_empty_page() -> None:
    doc = parse_response([{"result": {"page": "0"}}, yandex_page(1)])
    assert [len(p.blocks) for p in doc.pages] == [0, 1]
    assert doc.pages[0].width is None


def test_yandex_vision_v1_batch_analyze() -> None:
    # the shape of the Yandex Vision v1 docs' batchAnalyze TEXT_DETECTION answer
    word = {
        "boundingBox": box(504, 760, 826, 836),
        "languages": [{"languageCode": "en", "confidence": 0.95}],
        "text": "PENGUINS",
        "confidence": 0.95,
    }
    data = {
        "results": [
            {
                "results": [
                    {
                        "textDetection": {
                            "pages": [
                                {
                                    "blocks": [
                                        {
                                            "boundingBox": box(504, 760, 826, 836),
                                            "lines": [
                                                {
                                                    "boundingBox": box(504, 760, 826, 836),
                                                    "words": [word],
                                                    "confidence": 0.95,
                                                }
                                            ],
                                        }
                                    ],
                                    "width": "1920",
                                    "height": "1280",
                                }
                            ]
                        }
                    }
                ]
            }
        ]
    }
    assert detect_format(data) == "yandex-vision-v1"
    doc = parse_response(data)
    assert doc.source_format == "yandex-vision-v1"
    (w,) = list(doc.words())
    assert (w.text, w.confidence, w.language) == ("PENGUINS", 0.95, "en")
    assert next(doc.lines()).text == "PENGUINS"  # the older API gives no line text: joined from words
    assert (doc.pages[0].width, doc.pages[0].height) == (1920.0, 1280.0)


def test_azure_inch_units_kept() -> None:
    data = load_json(CORPUS / "azure/read-v3.2-signage.json")
    page = data["analyzeResult"]["readResults"][0]
    page.update(unit="inch", width=8.5, height=11)
    for line in page["lines"]:
        line["boundingBox"] = [v / 100 for v in line["boundingBox"]]
        for w in line["words"]:
            w["boundingBox"] = [v / 100 for v in w["boundingBox"]]
    doc = parse_response(data)
    p = doc.pages[0]
    assert (p.unit, p.width, p.height) == ("inch", 8.5, 11.0)
    assert max(x for w in doc.words() for x, _ in w.polygon) < 8.5


def test_azure_batch_read_page_and_orientation() -> None:
    doc = load_response(DATA / "seeds/azure-batchread-v2.1-quickstart.json")
    p = doc.pages[0]
    assert (p.index, p.width, p.height, p.unit, p.angle) == (0, 3200.0, 3200.0, "pixel", 349.59)
    assert [ln.text for ln in doc.lines()][:2] == [
        "Our greatest glory is not",
        "but in rising every time we fall",
    ]


def test_azure_read_v3_line_without_words_keeps_words_empty() -> None:
    data = load_json(CORPUS / "azure/read-v3.2-signage.json")
    del data["analyzeResult"]["readResults"][0]["lines"][0]["words"]
    doc = parse_response(data)
    first = next(doc.lines())
    assert first.words == () and first.text == "520"
    assert len(first.polygon) == 4


def test_azure_line_without_polygon_gets_the_box_of_its_words() -> None:
    data = load_json(CORPUS / "azure/read-v3.2-signage.json")
    line = data["analyzeResult"]["readResults"][0]["lines"][0]
    del line["boundingBox"]
    doc = parse_response(data)
    first = next(doc.lines())
    xs = line["words"][0]["boundingBox"][0::2]
    ys = line["words"][0]["boundingBox"][1::2]
    assert first.bbox == (min(xs), min(ys), max(xs), max(ys))


def test_azure_block_polygon_is_the_box_of_its_lines() -> None:
    doc = load_response(CORPUS / "azure/read-v3.2-signage.json")
    block = doc.pages[0].blocks[0]
    lefts, tops, rights, bottoms = zip(*(ln.bbox for ln in block.lines), strict=True)
    assert block.bbox == (min(lefts), min(tops), max(rights), max(bottoms))


def test_azure_v3_appearance_style_in_line_extras() -> None:
    data = load_json(CORPUS / "azure/read-v3.2-signage.json")
    style = data["analyzeResult"]["readResults"][0]["lines"][0]["appearance"]["style"]
    line = next(parse_response(data).lines())
    assert line.extras["style"] == style["name"]
    assert line.extras["style_confidence"] == pytest.approx(style["confidence"])


def test_azure_error_bodies_are_explained() -> None:
    with pytest.raises(Exception, match="service error.*InvalidImageSize"):
        parse_response({"error": {"code": "InvalidImageSize", "message": "Image must be at least 50 pixels"}})
    with pytest.raises(Exception, match="still 'running'"):
        parse_response({"status": "running", "createdDateTime": "2021-03-24T06:44:48Z"})


def test_document_intelligence_current_shape_with_flat_polygon() -> None:
    """2023+ Document Intelligence: ``polygon`` instead of ``boundingBox``; derived from the preview file."""
    data = load_json(CORPUS / "azure/docintel-2021-09-30-preview-layout-testdata.json")

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {("polygon" if k == "boundingBox" else k): rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        return value

    assert parse_response(rename(data)) == parse_response(data)


def test_document_intelligence_page_without_lines_keeps_every_word() -> None:
    data = load_json(CORPUS / "azure/docintel-2021-09-30-preview-layout-testdata.json")
    data["analyzeResult"]["pages"][0]["lines"] = []
    doc = parse_response(data)
    assert doc.counts()["word"] == 44
    assert all(len(ln.words) == 1 for ln in doc.lines())


def test_google_bare_annotation_and_single_response_agree() -> None:
    data = load_json(CORPUS / "google/gcv2hocr-eng-test.json")
    single = data["responses"][0]
    bare = single["fullTextAnnotation"]
    whole = parse_response(data)
    assert parse_response(single) == whole
    assert parse_response(bare) == whole


def test_google_omitted_zero_coordinates() -> None:
    data = load_json(CORPUS / "google/gcv2hocr-eng-test.json")
    word = data["responses"][0]["fullTextAnnotation"]["pages"][0]["blocks"][0]["paragraphs"][0]["words"][0]
    word["boundingBox"]["vertices"][0] = {"y": 5}
    word["boundingBox"]["vertices"][1] = {}
    doc = parse_response(data)
    poly = next(doc.words()).polygon
    assert poly[0] == (0.0, 5.0) and poly[1] == (0.0, 0.0)


def test_google_word_text_joins_symbols_and_confidence_kept() -> None:
    data = {
        "responses": [
            {
                "fullTextAnnotation": {
                    "pages": [
                        {
                            "width": 100,
                            "height": 50,
                            "blocks": [
                                {
                                    "boundingBox": {
                                        "vertices": [{}, {"x": 90}, {"x": 90, "y": 20}, {"y": 20}]
                                    },
                                    "paragraphs": [
                                        {
                                            "words": [
                                                {
                                                    "boundingBox": {
                                                        "vertices": [
                                                            {},
                                                            {"x": 40},
                                                            {"x": 40, "y": 20},
                                                            {"y": 20},
                                                        ]
                                                    },
                                                    "confidence": 0.98,
                                                    "symbols": [
                                                        {"text": "H"},
                                                        {
                                                            "text": "i",
                                                            "property": {"detectedBreak": {"type": "SPACE"}},
                                                        },
                                                    ],
                                                },
                                                {
                                                    "boundingBox": {
                                                        "vertices": [
                                                            {"x": 50},
                                                            {"x": 90},
                                                            {"x": 90, "y": 20},
                                                            {"x": 50, "y": 20},
                                                        ]
                                                    },
                                                    "confidence": 0.5,
                                                    "symbols": [{"text": "yo"}],
                                                },
                                            ]
                                        }
                                    ],
                                }
                            ],
                        }
                    ],
                    "text": "Hi yo",
                }
            }
        ]
    }
    doc = parse_response(data)
    assert [(w.text, w.confidence) for w in doc.words()] == [("Hi", 0.98), ("yo", 0.5)]
    assert next(doc.lines()).text == "Hi yo"
    assert next(doc.words()).polygon == ((0.0, 0.0), (40.0, 0.0), (40.0, 20.0), (0.0, 20.0))


def test_google_no_text_found_is_an_empty_page() -> None:
    doc = parse_response({"responses": [{}]})
    assert doc.source_format == "google-vision"
    assert len(doc.pages) == 1 and doc.pages[0].blocks == ()


def test_textract_without_layout_one_block_per_line() -> None:
    data = load_json(CORPUS / "aws/textract-analyzedocument-paystub-header.json")
    data["Blocks"] = [b for b in data["Blocks"] if not b["BlockType"].startswith("LAYOUT_")]
    doc = parse_response(data)
    assert doc.counts()["line"] == doc.counts()["block"] == 11
    assert all(b.layout_type is None for b in doc.blocks())
    assert doc.counts()["word"] == 28


def test_image_analysis_full_and_bare_read_result_agree() -> None:
    data = load_json(CORPUS / "azure/imageanalysis-4.0-sample-allfeatures.json")
    assert detect_format(data) == "azure-image-analysis-4"
    full = parse_response(data)
    assert full.counts()["word"] == 6
    bare = parse_response(copy.deepcopy(data["readResult"]))  # what saving only result.read gives
    assert bare.source_format == "azure-image-analysis-4"
    assert bare.pages[0].blocks == full.pages[0].blocks
    assert bare.pages[0].width is None  # the size is in metadata, which a bare readResult lacks


def test_parse_does_not_change_its_input() -> None:
    for path in sorted(CORPUS.glob("*/*.json")):
        data = load_json(path)
        before = copy.deepcopy(data)
        parse_response(data)
        assert data == before, path.name


def test_textract_paginated_results_are_merged() -> None:
    """Get*DocumentText results come in pages of Blocks; a PAGE's children may be in the next one."""
    data = load_json(CORPUS / "aws/textract-analyzedocument-paystub-header.json")
    blocks = data["Blocks"]
    half = len(blocks) // 2
    parts = [{"Blocks": blocks[:half], "NextToken": "t"}, {"Blocks": blocks[half:]}]
    assert parse_response(parts).pages == parse_response(data).pages


def test_google_pdf_pages_are_in_points() -> None:
    page = {
        "width": 612,
        "height": 792,
        "blocks": [
            {
                "paragraphs": [
                    {
                        "words": [
                            {
                                "boundingBox": {
                                    "normalizedVertices": [
                                        {"x": 0.1, "y": 0.1},
                                        {"x": 0.2, "y": 0.1},
                                        {"x": 0.2, "y": 0.2},
                                        {"x": 0.1, "y": 0.2},
                                    ]
                                },
                                "symbols": [{"text": "A"}],
                            }
                        ]
                    }
                ]
            }
        ],
    }
    data = {
        "inputConfig": {"gcsSource": {"uri": "gs://bucket/doc.pdf"}, "mimeType": "application/pdf"},
        "responses": [
            {
                "fullTextAnnotation": {"pages": [page], "text": "A"},
                "context": {"uri": "gs://bucket/doc.pdf", "pageNumber": 1},
            }
        ],
    }
    doc = parse_response(data)
    p = doc.pages[0]
    assert (p.unit, p.width, p.height) == ("point", 612.0, 792.0)
    assert next(doc.words()).polygon[0] == pytest.approx((61.2, 79.2))
    assert next(doc.lines()).polygon == next(doc.words()).polygon


def test_document_intelligence_paragraphs_become_blocks() -> None:
    data = load_json(CORPUS / "azure/docintel-2021-09-30-preview-layout-testdata.json")
    ar = data["analyzeResult"]
    lines = ar["pages"][0]["lines"]

    def paragraph(first: int, last: int, role: str | None) -> dict[str, Any]:
        lo = lines[first]["spans"][0]["offset"]
        hi = lines[last]["spans"][-1]["offset"] + lines[last]["spans"][-1]["length"]
        para: dict[str, Any] = {
            "spans": [{"offset": lo, "length": hi - lo}],
            "boundingRegions": [{"pageNumber": 1, "polygon": [0, 0, 100, 0, 100, 10, 0, 10]}],
            "content": "...",
        }
        if role:
            para["role"] = role
        return para

    ar["paragraphs"] = [paragraph(0, 0, "title"), paragraph(1, 2, None)]
    doc = parse_response(data)
    title, body, rest = doc.pages[0].blocks
    assert title.layout_type == "title" and [ln.text for ln in title.lines] == ["Lorem Ipsum"]
    assert title.polygon == ((0, 0), (100, 0), (100, 10), (0, 10))
    assert body.layout_type is None and len(body.lines) == 2
    assert len(rest.lines) == 8
    assert [ln.text for ln in doc.lines()] == [ln["content"] for ln in lines]
    assert doc.counts()["word"] == 44


def test_textract_multi_page_uses_page_numbers() -> None:
    data = load_json(CORPUS / "aws/textract-analyzedocument-paystub-header.json")
    second = copy.deepcopy(data["Blocks"])
    for b in second:
        b["Id"] = "p2-" + b["Id"]
        for rel in b.get("Relationships", []):
            rel["Ids"] = ["p2-" + i for i in rel["Ids"]]
    for b in data["Blocks"]:
        b["Page"] = 2
    for b in second:
        b["Page"] = 1
    data["Blocks"] += second
    doc = parse_response(data)
    assert [p.index for p in doc.pages] == [0, 1]
    assert doc.pages[0].blocks == doc.pages[1].blocks


def test_azure_sdk_test_recordings_are_unwrapped() -> None:
    """SDK session recordings hold the response among other entries, as an object or a JSON string."""
    final = load_json(CORPUS / "azure/read-v3.2-signage.json")
    net_style = {
        "Entries": [
            {"RequestMethod": "POST", "ResponseBody": "", "StatusCode": 202},
            {"RequestMethod": "GET", "ResponseBody": json.dumps({"status": "running"}), "StatusCode": 200},
            {"RequestMethod": "GET", "ResponseBody": json.dumps(final, indent=2), "StatusCode": 200},
        ],
        "Names": {},
        "Variables": {},
    }
    assert detect_format(net_style) == "azure-read-v3"
    assert parse_response(net_style) == parse_response(final)
    analysis = load_json(CORPUS / "azure/imageanalysis-4.0-sample-allfeatures.json")
    python_style = {
        "Entries": [{"RequestMethod": "POST", "ResponseBody": analysis, "StatusCode": 200}],
        "Variables": {},
    }
    assert parse_response(python_style) == parse_response(analysis)
    with pytest.raises(BadResponse, match="test recording without a recognized OCR response"):
        parse_response({"Entries": [{"ResponseBody": json.dumps({"status": "running"})}], "Variables": {}})


def gword(text: str, corners: list[tuple[int, int]], brk: str | None = None) -> dict[str, Any]:
    """A Google word (vertices TL, TR, BR, BL in reading direction), the break after it on its last symbol."""
    symbols: list[dict[str, Any]] = [{"text": ch} for ch in text]
    if brk is not None:
        symbols[-1]["property"] = {"detectedBreak": {"type": brk}}
    return {"boundingBox": {"vertices": [{"x": x, "y": y} for x, y in corners]}, "symbols": symbols}


def grect(text: str, x0: int, y0: int, x1: int, y1: int, brk: str | None = None) -> dict[str, Any]:
    return gword(text, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], brk)


def google_page(*paragraphs: list[dict[str, Any]]) -> dict[str, Any]:
    page = {"width": 400, "height": 300, "blocks": [{"paragraphs": [{"words": ws} for ws in paragraphs]}]}
    return {"responses": [{"fullTextAnnotation": {"pages": [page], "text": ""}}]}


def test_google_paragraph_is_split_into_lines_at_line_breaks() -> None:
    paragraph = [
        grect("Hello", 10, 10, 60, 30, "SPACE"),
        grect("wide", 80, 12, 120, 30, "SURE_SPACE"),
        grect("world", 130, 10, 190, 32, "EOL_SURE_SPACE"),
        grect("recog", 10, 40, 70, 60, "HYPHEN"),
        grect("nition", 10, 70, 80, 90),
        grect(",", 80, 85, 84, 92, "LINE_BREAK"),
        grect("End", 10, 100, 50, 120),
    ]
    doc = parse_response(google_page(paragraph))
    (block,) = doc.pages[0].blocks
    assert [ln.text for ln in block.lines] == ["Hello wide world", "recog-", "nition,", "End"]
    assert [[w.text for w in ln.words] for ln in block.lines] == [
        ["Hello", "wide", "world"],
        ["recog"],
        ["nition", ","],
        ["End"],
    ]
    assert [ln.bbox for ln in block.lines] == [
        (10.0, 10.0, 190.0, 32.0),
        (10.0, 40.0, 70.0, 60.0),
        (10.0, 70.0, 84.0, 92.0),
        (10.0, 100.0, 50.0, 120.0),
    ]
    # clockwise from the top-left, like the words
    assert block.lines[0].polygon == ((10.0, 10.0), (190.0, 10.0), (190.0, 32.0), (10.0, 32.0))
    assert block.bbox == (10.0, 10.0, 190.0, 120.0)
    assert doc.warnings == ()


def test_google_rotated_lines_get_rotated_boxes() -> None:
    # text reading downwards (turned 90 degrees clockwise): the top of the letters faces +x
    paragraph = [
        gword("ab", [(60, 0), (60, 30), (50, 30), (50, 0)], "SPACE"),
        gword("cd", [(62, 40), (62, 70), (50, 70), (50, 40)], "EOL_SURE_SPACE"),
        gword("ef", [(45, 0), (45, 30), (35, 30), (35, 0)]),
    ]
    doc = parse_response(google_page(paragraph))
    first, second = doc.pages[0].blocks[0].lines
    assert (first.text, second.text) == ("ab cd", "ef")
    assert first.polygon == ((62.0, 0.0), (62.0, 70.0), (50.0, 70.0), (50.0, 0.0))
    assert second.polygon == ((45.0, 0.0), (45.0, 30.0), (35.0, 30.0), (35.0, 0.0))


def test_google_one_line_paragraph_keeps_its_own_polygon() -> None:
    data = google_page([grect("Hi", 10, 10, 40, 30, "SPACE"), grect("yo", 50, 10, 90, 30)])
    para = data["responses"][0]["fullTextAnnotation"]["pages"][0]["blocks"][0]["paragraphs"][0]
    para["boundingBox"] = {
        "vertices": [{"x": 8, "y": 9}, {"x": 92, "y": 9}, {"x": 92, "y": 31}, {"x": 8, "y": 31}]
    }
    para["confidence"] = 0.9
    (line,) = parse_response(data).lines()
    assert line.text == "Hi yo"
    assert line.polygon == ((8.0, 9.0), (92.0, 9.0), (92.0, 31.0), (8.0, 31.0))
    assert line.confidence is None  # Google states no line confidence; the paragraph's is kept aside
    assert line.extras == {"paragraph": 1, "paragraph_confidence": 0.9}


def test_google_line_box_near_the_float_limit_stays_finite() -> None:
    big = 1.7e308  # finite coordinates whose differences overflow
    paragraph = [
        gword("a", [(-big, 0), (big, 0), (big, 10), (-big, 10)], "EOL_SURE_SPACE"),
        gword("b", [(0, 20), (10, 20), (10, 30), (0, 30)]),
    ]
    doc = parse_response(google_page(paragraph))
    # the absurd word is skipped with a warning naming the limit; the rest stays, finite
    assert [w.text for w in doc.words()] == ["b"]
    assert any("out of range" in w and "1e+09" in w for w in doc.warnings)
    assert all(abs(c) <= 1e9 for ln in doc.lines() for pt in ln.polygon for c in pt)


def test_image_analysis_4_one_block_saved_on_its_own() -> None:
    """``readResult.blocks[0]`` kept by a JavaScript app (``{"lines": [...boundingPolygon]}``): read as
    Image Analysis 4.0 (was: "unknown response shape: top-level keys lines"); Azure v2's
    ``recognitionResult``, also ``{"lines": ...}``, boxes its lines with ``boundingBox`` and is not taken for it."""
    path = Path(__file__).parent.parent / "data" / "engines" / "imageanalysis4-bare-block-minimal.json"
    doc = load_response(path)
    assert doc.source_format == "azure-image-analysis-4"
    assert [ln.text for ln in doc.lines()] == ["SAMPLE BANK", "1234 5678 9012 3456", "VALID THRU 12/29"]
    assert [w.text for w in doc.words()][:3] == ["SAMPLE", "BANK", "1234"]
    assert next(doc.words()).bbox == (75.0, 131.0, 159.0, 156.0)
    v2 = {"lines": [{"boundingBox": [0, 0, 10, 0, 10, 5, 0, 5], "text": "a", "words": []}]}
    with pytest.raises(BadResponse, match="unknown response shape"):
        detect_format(v2)
