"""Files found by session 9's sweep of the ecosystem's test data (origins in tests/data/SOURCES.md):
each is opened as a user opens it and checked against what the file says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrviewer.cli import main
from ocrviewer.core.parsers import load_response
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import cli_info


def test_hocr_with_an_unescaped_lt_in_a_word_keeps_each_word_once(capsys: pytest.CaptureFixture[str]) -> None:
    """OCR text with a raw ``<`` (``s<5<a</<e``) opens an ``<a>`` element in the HTML parser that holds
    the rest of the paragraph: the next words and lines end up inside the first word. Each word keeps
    its own text (before: the first word's text was the whole paragraph, and the line read every
    word twice); the words keep the spaces between them."""
    f = SAMPLES / "dbmdz-broken-unescaped-lt-excerpt.html"
    assert "'>s<5<a</<e</span>" in f.read_text(encoding="utf-8")
    doc = load_response(f)
    words = [w.text for w in doc.words()]
    assert len(words) == 42 and len(set(words)) >= 40
    assert words[:6] == ["s<5", "«.", "6eöi>A»kan", "^i'n", "n.", "tV«,a»>r«»«5«/,"]
    first = next(doc.words())
    assert first.bbox == (52, 1202, 163, 1235)
    lines = [line.text for line in doc.lines()]
    assert lines[0] == "s<5 «. 6eöi>A»kan ^i'n n.tV«,a»>r«»«5«/, eine »«es F»»«."
    assert lines[1] == "s5, 7^, »eÄe?!« Seäau»»»?n«en a. S«^-"
    assert "1 page(s), 2 blocks, 3 lines, 42 words" in cli_info(capsys, "-r", str(f))


def test_hocr_title_with_a_semicolon_inside_a_quoted_image_name(tmp_path: Path) -> None:
    """Tesseract writes the input's path quoted into the page title (``image "..."``); a ';' in that
    name is no property separator: the page keeps its image name, and PAGE-XML names it (before, the
    name was cut at the ';'). An apostrophe inside a word (``x_font O'Brien``) opens no quote."""
    raw = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><meta name='ocr-system' content='tesseract 5.3.0' /></head>
<body><div class='ocr_page' id='page_1' title='image "/scans/Box 3; folder 2/p;7.png"; bbox 0 0 640 480; ppageno 0; scan_res 300 300'>
<span class='ocr_line' id='line_1_1' title="bbox 10 20 300 60; baseline 0 -5; x_size 40; x_descenders 10; x_ascenders 10">
<span class='ocrx_word' id='word_1_1' title='bbox 10 20 120 60; x_wconf 93; x_font O'Brien; x_fsize 12'>Hello</span>
<span class='ocrx_word' id='word_1_2' title='bbox 130 20 300 60; x_wconf 88'>world</span>
</span></div></body></html>
"""
    f = tmp_path / "p7.hocr"
    f.write_text(raw, encoding="utf-8")
    doc = load_response(f)
    page = doc.pages[0]
    assert page.extras["image"] == "/scans/Box 3; folder 2/p;7.png"
    assert (page.width, page.height) == (640, 480)
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [
        ("Hello", (10, 20, 120, 60), 0.93),
        ("world", (130, 20, 300, 60), 0.88),
    ]
    out = tmp_path / "p7.page.xml"
    assert main(["export", "-r", str(f), "-o", str(out)]) == 0
    assert 'imageFilename="/scans/Box 3; folder 2/p;7.png"' in out.read_text(encoding="utf-8")


def test_document_intelligence_preview_table_boxed_around_its_cells(tmp_path: Path) -> None:
    """Document Intelligence 2022-01-30-preview (Azure-Samples/document-intelligence-code-samples
    Data/general_documents_sample_response.json, its shape kept): words with ``boundingBox`` and a
    single ``span``, a table whose cells have regions and the table none. The table is boxed around
    its cells on their page (before: 'table 1: no boundingRegions; skipped')."""
    cell_box = [1.9198, 4.277, 3.3621, 4.2715, 3.3621, 4.5034, 1.9198, 4.5089]
    body = {
        "status": "succeeded",
        "analyzeResult": {
            "apiVersion": "2022-01-30-preview",
            "modelId": "prebuilt-document",
            "stringIndexType": "textElements",
            "content": "content extracted",
            "pages": [
                {
                    "pageNumber": 1,
                    "angle": 0,
                    "width": 8.4722,
                    "height": 11,
                    "unit": "inch",
                    "words": [
                        {
                            "content": "Case",
                            "boundingBox": [1.3578, 0.2244, 1.7328, 0.2244, 1.7328, 0.3502, 1.3578, 0.3502],
                            "confidence": 1,
                            "span": {"offset": 0, "length": 4},
                        }
                    ],
                    "lines": [
                        {
                            "content": "Case",
                            "boundingBox": [1.3578, 0.2244, 3.2879, 0.2244, 3.2879, 0.3502, 1.3578, 0.3502],
                            "spans": [{"offset": 0, "length": 22}],
                        }
                    ],
                }
            ],
            "tables": [
                {
                    "rowCount": 8,
                    "columnCount": 3,
                    "cells": [
                        {
                            "kind": "columnHeader",
                            "rowIndex": 0,
                            "columnIndex": 0,
                            "rowSpan": 1,
                            "columnSpan": 1,
                            "content": "Applicant's Name:",
                            "boundingRegions": [{"pageNumber": 1, "boundingBox": cell_box}],
                            "spans": [{"offset": 578, "length": 17}],
                        }
                    ],
                    "spans": [{"offset": 578, "length": 300}, {"offset": 1358, "length": 10}],
                }
            ],
        },
    }
    f = tmp_path / "general_documents_sample_response.json"
    f.write_text(json.dumps(body))
    doc = load_response(f)
    assert doc.warnings == ()
    assert [(w.text, w.confidence) for w in doc.words()] == [("Case", 1.0)]
    (table,) = doc.pages[0].tables
    assert (table.rows, table.columns) == (8, 3)
    assert table.polygon == ((1.9198, 4.2715), (3.3621, 4.2715), (3.3621, 4.5089), (1.9198, 4.5089))
    assert [c.text for c in table.cells] == ["Applicant's Name:"]
