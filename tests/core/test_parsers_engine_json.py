"""docTR's JSON export, EasyOCR's readtext result, PaddleOCR's results and pytesseract's dict, opened as a
user opens them.

No docTR, EasyOCR or PaddleOCR result file with a licence that allows copying was found, so each file
here is written element for element as the producer writes it: docTR's ``Document.export()``
(mindee/doctr ``doctr/io/elements.py``, 0.7-0.10: ``dimensions`` is (height, width), geometry relative
to the page, ``[[xmin, ymin], [xmax, ymax]]`` or four corners with ``assume_straight_pages=False``)
dumped with ``json.dump``, and EasyOCR's ``Reader.readtext`` (``[[corners], text, confidence]``,
numpy values turned into numbers first, as every "save EasyOCR as JSON" recipe does), PaddleOCR 3.x's
``result.save_to_json()`` (PaddleX's OCR result: ``input_path``, ``page_index``, ``model_settings``,
``doc_preprocessor_res``, ``dt_polys``, ``rec_texts``/``rec_scores``/``rec_polys``/``rec_boxes``), its
serving API's answer (``result.ocrResults[].prunedResult``, ``dataInfo``) and PaddleOCR 2.x's
``ocr.ocr()`` list (``[[corners, [text, score]], ...]`` per page). pytesseract's ``image_to_data`` dict
is made from this machine's real Tesseract TSV by pytesseract's own ``file_to_dict`` steps.
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


def _paddle3(texts: list[str], scores: list[float], polys: list[Any], **extra: Any) -> dict[str, Any]:
    """One page as PaddleOCR 3.x ``save_to_json`` writes it (key order and the settings it records)."""
    return {
        "input_path": "/data/scan.png",
        "page_index": None,
        "model_settings": {
            "use_doc_preprocessor": True,
            "use_textline_orientation": False,
        },
        "doc_preprocessor_res": {
            "input_path": None,
            "page_index": None,
            "model_settings": {"use_doc_orientation_classify": True, "use_doc_unwarping": False},
            "angle": 0,
        },
        "dt_polys": polys,
        "text_det_params": {"limit_side_len": 64, "limit_type": "min", "thresh": 0.3, "box_thresh": 0.6},
        "text_type": "general",
        "textline_orientation_angles": [-1] * len(texts),
        "text_rec_score_thresh": 0.0,
        "return_word_box": False,
        "rec_texts": texts,
        "rec_scores": scores,
        "rec_polys": polys,
        "rec_boxes": [
            [min(p[0] for p in q), min(p[1] for p in q), max(p[0] for p in q), max(p[1] for p in q)]
            for q in polys
        ],
        **extra,
    }


def test_paddleocr3_save_to_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """PaddleOCR 3.x ``save_to_json``: each recognized text line with its four corners and score,
    placed on the image's page; an angle PaddleOCR turned the page by is kept."""
    polys = [[[32, 18], [210, 20], [209, 52], [31, 50]], [[30, 70], [150, 70], [150, 98], [30, 98]]]
    data = _paddle3(["Invoice 2024-01", "Total 42,00"], [0.9921, 0.873], polys)
    data["doc_preprocessor_res"]["angle"] = 180
    f = _write(tmp_path, data, "scan_res.json")
    doc = load_response(f)
    assert doc.source_format == "paddleocr" and doc.warnings == ()
    assert [(ln.text, ln.confidence) for ln in doc.lines()] == [
        ("Invoice 2024-01", 0.9921),
        ("Total 42,00", 0.873),
    ]
    first = next(doc.words())
    assert first.polygon == ((32, 18), (210, 20), (209, 52), (31, 50))
    assert doc.pages[0].extras["doc_preprocessor_angle"] == 180
    image = blank_image(tmp_path, 320, 240)
    placed = load_result(f, image).document
    assert [w.bbox for w in placed.words()] == [(31, 18, 210, 52), (30, 70, 150, 98)]
    assert "PaddleOCR result" in cli_info(capsys, str(image), "-r", str(f))


def test_paddleocr3_wrapped_in_res_and_with_boxes_only(tmp_path: Path) -> None:
    """``result.json`` is ``{"res": {...}}``; a 3.0 file with ``rec_boxes`` and no ``rec_polys``
    gives each line its box."""
    data = _paddle3(["Hello"], [0.5], [[[10, 10], [60, 10], [60, 30], [10, 30]]])
    del data["rec_polys"]
    doc = load_response(_write(tmp_path, {"res": data}))
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [("Hello", (10, 10, 60, 30), 0.5)]


def test_paddleocr_serving_response_with_page_sizes(tmp_path: Path) -> None:
    """The serving API's answer for a two-page PDF: one page per ``ocrResults`` item, sized by
    ``dataInfo.pages``."""
    one = _paddle3(["first"], [0.9], [[[10, 10], [60, 10], [60, 30], [10, 30]]])
    two = _paddle3(["second"], [0.8], [[[20, 40], [90, 40], [90, 60], [20, 60]]])
    body = {
        "logId": "3a5c0d6e",
        "errorCode": 0,
        "errorMsg": "Success",
        "result": {
            "ocrResults": [
                {"prunedResult": one, "ocrImage": None, "docPreprocessingImage": None, "inputImage": None},
                {"prunedResult": two, "ocrImage": None, "docPreprocessingImage": None, "inputImage": None},
            ],
            "dataInfo": {
                "type": "pdf",
                "numPages": 2,
                "pages": [{"width": 1654, "height": 2339}, {"width": 1654, "height": 2339}],
            },
        },
    }
    doc = load_response(_write(tmp_path, body))
    assert [(p.width, p.height, [w.text for w in p.words()]) for p in doc.pages] == [
        (1654, 2339, ["first"]),
        (1654, 2339, ["second"]),
    ]


def test_paddleocr2_ocr_list_pages(tmp_path: Path) -> None:
    """PaddleOCR 2.x ``ocr.ocr(img)``: a list per page (``null`` for a page without text) of
    ``[corners, [text, score]]``; one page's list alone reads the same."""
    item = [[[12.0, 8.0], [96.0, 8.0], [96.0, 30.0], [12.0, 30.0]], ["Привет", 0.9876]]
    item2 = [[[12.0, 40.0], [80.0, 40.0], [80.0, 60.0], [12.0, 60.0]], ["мир", 0.51]]
    doc = load_response(_write(tmp_path, [[item, item2], None, [item]], "pages.json"))
    assert [[(w.text, w.confidence) for w in p.words()] for p in doc.pages] == [
        [("Привет", 0.9876), ("мир", 0.51)],
        [],
        [("Привет", 0.9876)],
    ]
    one = load_response(_write(tmp_path, [item, item2], "page.json"))
    assert [(w.text, w.bbox) for w in one.words()] == [("Привет", (12, 8, 96, 30)), ("мир", (12, 40, 80, 60))]


def test_paddleocr3_counts_that_disagree_name_the_page(tmp_path: Path) -> None:
    data = _paddle3(["a", "b"], [0.9, 0.8], [[[0, 0], [5, 0], [5, 5], [0, 5]]])
    data["rec_boxes"] = []
    f = _write(tmp_path, data)
    with pytest.raises(BadResponse) as err:
        load_response(f)
    assert str(err.value) == (
        f"{f}: page 1: 2 rec_texts but 1 rec_polys and 0 rec_boxes; give the result as the OCR service or engine wrote it"
    )


def _pytesseract_dict(tsv_text: str) -> dict[str, list[Any]]:
    """pytesseract's ``image_to_data(output_type=Output.DICT)``: its ``file_to_dict`` (pytesseract
    0.3.10): one list per column, every cell but the text as ``int(float(cell))`` where it can."""
    rows = [row.split("\t") for row in tsv_text.strip().split("\n")]
    header = rows.pop(0)
    if len(rows[-1]) < len(header):
        rows[-1].append("")
    out: dict[str, list[Any]] = {}
    for i, head in enumerate(header):
        out[head] = []
        for row in rows:
            if len(row) <= i:
                continue
            if i != len(header) - 1:
                try:
                    out[head].append(int(float(row[i])))
                except ValueError:
                    out[head].append(row[i])
            else:
                out[head].append(row[i])
    return out


def test_pytesseract_dict_json_reads_as_its_tsv(tmp_path: Path) -> None:
    """``json.dump(pytesseract.image_to_data(img, output_type=Output.DICT))`` of a page this machine's
    Tesseract read: the same words, boxes and lines as the TSV it came from; confidences are the
    whole percentages pytesseract keeps."""
    from tests.support.images import draw_displayed, layout_words
    from tests.support.markup import run_tesseract

    words, size = layout_words(["Hello world", "Second line here"], font_size=40)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image)
    tsv = run_tesseract(image, tmp_path / "page", "tsv")
    data = _pytesseract_dict(tsv.read_text(encoding="utf-8"))
    f = _write(tmp_path, data, "data.json")
    want = load_response(tsv)
    doc = load_response(f)
    assert doc.source_format == "pytesseract-dict" and doc.warnings == ()
    assert [w.text for w in doc.words()] == ["Hello", "world", "Second", "line", "here"]
    assert [ln.text for ln in doc.lines()] == [ln.text for ln in want.lines()]
    assert [w.bbox for w in doc.words()] == [w.bbox for w in want.words()]
    assert (doc.pages[0].width, doc.pages[0].height) == (want.pages[0].width, want.pages[0].height)
    # pytesseract keeps int(float(conf)): 95.79 is 95
    truncated = [int(w.confidence * 100 + 1e-9) / 100 for w in want.words() if w.confidence is not None]
    assert [w.confidence for w in doc.words()] == pytest.approx(truncated)


def test_pytesseract_dict_with_unequal_columns_says_so(tmp_path: Path) -> None:
    data = {
        c: [5, 1, 1, 1, 1, 1, 10, 20, 30, 10, 96, "a"][i : i + 1]
        for i, c in enumerate(
            (
                "level",
                "page_num",
                "block_num",
                "par_num",
                "line_num",
                "word_num",
                "left",
                "top",
                "width",
                "height",
                "conf",
                "text",
            )
        )
    }
    data["text"] = []
    f = _write(tmp_path, data)
    with pytest.raises(BadResponse, match=r"columns have different lengths \(level 1, .* text 0\)"):
        load_response(f)


def test_pytesseract_dict_without_entries_says_no_text(tmp_path: Path) -> None:
    columns = ("level", "page_num", "block_num", "par_num", "line_num", "word_num")
    columns += ("left", "top", "width", "height", "conf", "text")
    f = _write(tmp_path, {c: [] for c in columns})
    with pytest.raises(BadResponse) as err:
        load_response(f)
    assert (
        str(err.value) == f"{f}: pytesseract's data with no entries: Tesseract found no text; check the image"
    )


def test_easyocr_dict_and_json_output_formats(tmp_path: Path) -> None:
    """``readtext(..., output_format="dict")`` dumped as a JSON array, and ``output_format="json"``
    (one JSON string per detection) written one a line: the same detections as the default list."""
    dets = [
        {"boxes": [[32, 18], [210, 18], [210, 52], [32, 52]], "text": "Hello world", "confident": 0.9876},
        {"boxes": [[30, 70], [150, 64], [152, 98], [32, 104]], "text": "Привет", "confident": 0.41},
    ]
    array = load_response(_write(tmp_path, dets, "dict.json"))
    lines_file = tmp_path / "json.jsonl"
    lines_file.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in dets) + "\n", encoding="utf-8")
    for doc in (array, load_response(lines_file)):
        assert doc.source_format == "easyocr" and doc.warnings == ()
        assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [
            ("Hello world", (32, 18, 210, 52), 0.9876),
            ("Привет", (30, 64, 152, 104), 0.41),
        ]
