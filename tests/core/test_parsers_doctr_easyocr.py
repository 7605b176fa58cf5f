"""docTR's JSON export and EasyOCR's readtext result, opened as a user opens them.

No docTR or EasyOCR result file with a licence that allows copying was found, so each file here is
written element for element as the producer writes it: docTR's ``Document.export()``
(mindee/doctr ``doctr/io/elements.py``, 0.7-0.10: ``dimensions`` is (height, width), geometry relative
to the page, ``[[xmin, ymin], [xmax, ymax]]`` or four corners with ``assume_straight_pages=False``)
dumped with ``json.dump``, and EasyOCR's ``Reader.readtext`` (``[[corners], text, confidence]``,
numpy values turned into numbers first, as every "save EasyOCR as JSON" recipe does).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse
from tests.support.markup import blank_image, cli_info


def _word(value: str, box: Any, conf: float) -> dict[str, Any]:
    return {
        "value": value,
        "confidence": conf,
        "geometry": box,
        "objectness_score": 0.93,
        "crop_orientation": {"value": 0, "confidence": None},
    }


def _enclosing(boxes: list[Any]) -> list[list[float]]:
    xs = [p[0] for b in boxes for p in b]
    ys = [p[1] for b in boxes for p in b]
    return [[min(xs), min(ys)], [max(xs), max(ys)]]


def _page(words_by_line: list[list[dict[str, Any]]], dims: Any = (1754, 1240), idx: int = 0) -> dict:
    """One page of ``Document.export()``: one block of the given lines (docTR's key order)."""
    lines = [
        {
            "geometry": _enclosing([w["geometry"] for w in words]),
            "objectness_score": 0.93,
            "words": words,
        }
        for words in words_by_line
    ]
    block = {
        "geometry": _enclosing([ln["geometry"] for ln in lines]),
        "objectness_score": 0.93,
        "lines": lines,
        "artefacts": [],
    }
    return {
        "page_idx": idx,
        "dimensions": list(dims) if dims is not None else None,
        "orientation": {"value": None, "confidence": None},
        "language": {"value": None, "confidence": None},
        "blocks": [block],
    }


def _write(tmp_path: Path, data: Any, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return path


def test_doctr_export_words_in_page_pixels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A portrait A4 scan (1240 wide, 1754 high; docTR says [1754, 1240]): each word's box is its
    relative geometry times the page's width and height, not swapped; confidence as docTR gives it."""
    page = _page(
        [
            [
                _word("Invoice", [[0.1, 0.05], [0.25, 0.07]], 0.99),
                _word("No.", [[0.27, 0.05], [0.31, 0.07]], 0.8),
            ],
            [_word("Total:", [[0.1, 0.5], [0.2, 0.52]], 0.42)],
        ]
    )
    f = _write(tmp_path, {"pages": [page]})
    doc = load_response(f)
    assert doc.source_format == "doctr" and doc.warnings == ()
    p = doc.pages[0]
    assert (p.width, p.height, p.unit) == (1240, 1754, "pixel")
    assert [line.text for line in p.lines()] == ["Invoice No.", "Total:"]
    words = list(doc.words())
    assert [w.text for w in words] == ["Invoice", "No.", "Total:"]
    assert [w.confidence for w in words] == [0.99, 0.8, 0.42]
    assert words[0].bbox == pytest.approx((124, 87.7, 310, 122.78))
    assert words[2].bbox == pytest.approx((124, 877, 248, 912.08))
    out = cli_info(capsys, "-r", str(f))
    assert "docTR JSON export" in out and "1 page(s), 1 blocks, 2 lines, 3 words" in out
    assert "page size: 1240x1754 pixel" in out


def test_doctr_rotated_export_keeps_four_corners_and_pages_in_order(tmp_path: Path) -> None:
    """``assume_straight_pages=False``: geometry is four corners (numpy's ``tolist()``): the word is
    drawn turned, not as its enclosing box. Pages come in ``page_idx`` order."""
    corners = [[0.2, 0.3], [0.5, 0.25], [0.51, 0.3], [0.21, 0.35]]
    second = _page([[_word("turned", corners, 0.7)]], dims=(200, 400), idx=1)
    first = _page([[_word("first", [[0.0, 0.0], [0.5, 0.5]], 0.9)]], dims=(100, 100), idx=0)
    doc = load_response(_write(tmp_path, {"pages": [second, first]}))
    assert [[w.text for w in p.words()] for p in doc.pages] == [["first"], ["turned"]]
    word = next(doc.pages[1].words())
    assert [c for pt in word.polygon for c in pt] == pytest.approx([80, 60, 200, 50, 204, 60, 84, 70])


def test_doctr_export_without_dimensions_is_placed_with_the_image(tmp_path: Path) -> None:
    """No page size (a hand-trimmed export): the relative geometry is scaled by the image's size."""
    page = _page([[_word("Hello", [[0.1, 0.2], [0.3, 0.25]], 0.95)]], dims=None)
    f = _write(tmp_path, {"pages": [page]})
    assert load_response(f).pages[0].unit == "normalized"
    image = blank_image(tmp_path, 400, 300)
    placed = load_result(f, image).document
    word = next(placed.words())
    assert word.bbox == pytest.approx((40, 60, 120, 75))


def test_doctr_kie_predictions_by_class(tmp_path: Path) -> None:
    """docTR's KIE predictor exports ``predictions`` (class -> words) instead of blocks: each class
    is a block named after it, each prediction a line."""
    page = _page([[_word("x", [[0, 0], [0.1, 0.1]], 0.5)]])
    del page["blocks"]
    page["predictions"] = {
        "dates": [_word("2024-01-31", [[0.6, 0.1], [0.8, 0.12]], 0.97)],
        "amounts": [
            _word("42,00", [[0.7, 0.8], [0.8, 0.82]], 0.9),
            _word("7,50", [[0.7, 0.85], [0.8, 0.87]], 0.6),
        ],
    }
    doc = load_response(_write(tmp_path, {"pages": [page]}))
    blocks = doc.pages[0].blocks
    assert [(b.layout_type, [ln.text for ln in b.lines]) for b in blocks] == [
        ("dates", ["2024-01-31"]),
        ("amounts", ["42,00", "7,50"]),
    ]


def test_doctr_bad_word_is_skipped_with_a_warning(tmp_path: Path) -> None:
    """One word without geometry and one from docTR 0.4 (a 5-number rotated box): each is a warning
    naming it; the other words are shown."""
    page = _page([[_word("good", [[0.1, 0.1], [0.2, 0.2]], 0.9)]])
    words = page["blocks"][0]["lines"][0]["words"]
    words.append({"value": "lost", "confidence": 0.5})
    words.append(_word("old", [0.5, 0.5, 0.1, 0.05, 12.0], 0.5))
    doc = load_response(_write(tmp_path, {"pages": [page]}))
    assert [w.text for w in doc.words()] == ["good"]
    assert len(doc.warnings) == 2
    assert doc.warnings[0].startswith("page 1 block 1 line 1 word 2: ")
    assert "docTR 0.4" in doc.warnings[1] and "word 3" in doc.warnings[1]


def test_doctr_page_with_bad_dimensions_names_the_file(tmp_path: Path) -> None:
    page = _page([[_word("x", [[0, 0], [0.1, 0.1]], 0.5)]], dims=(-5, 100))
    f = _write(tmp_path, {"pages": [page]})
    with pytest.raises(BadResponse) as err:
        load_response(f)
    message = str(err.value)
    assert message.startswith(f"{f}: ") and "height is negative" in message and "\n" not in message


def test_easyocr_readtext_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """EasyOCR ``readtext`` (detail=1): each detection one line with its corners and confidence; the
    page takes the image's size."""
    data = [
        [[[32, 18], [210, 18], [210, 52], [32, 52]], "Hello world", 0.9876],
        [[[30, 70], [150, 64], [152, 98], [32, 104]], "Привет", 0.41],
    ]
    f = _write(tmp_path, data, "easyocr.json")
    doc = load_response(f)
    assert doc.source_format == "easyocr" and doc.warnings == ()
    assert [(ln.text, ln.confidence) for ln in doc.lines()] == [("Hello world", 0.9876), ("Привет", 0.41)]
    assert [w.bbox for w in doc.words()] == [(32, 18, 210, 52), (30, 64, 152, 104)]
    image = blank_image(tmp_path, 320, 240)
    placed = load_result(f, image).document
    assert (placed.pages[0].width, placed.pages[0].height) == (320, 240)
    assert [w.bbox for w in placed.words()] == [(32, 18, 210, 52), (30, 64, 152, 104)]
    assert "EasyOCR readtext" in cli_info(capsys, str(image), "-r", str(f))


def test_easyocr_paragraph_mode_and_a_bad_item(tmp_path: Path) -> None:
    """``paragraph=True`` gives [corners, text] (no confidence); an item that is not a detection is a
    warning, the others are kept."""
    data = [
        [[[0, 0], [100, 0], [100, 20], [0, 20]], "A paragraph of text"],
        [[[0, 30], [100, 30]], "two points"],
    ]
    doc = load_response(_write(tmp_path, data, "easyocr.json"))
    assert [(w.text, w.confidence) for w in doc.words()] == [("A paragraph of text", None)]
    assert doc.warnings == ("detection 2: polygon has 2 points; skipped",)
