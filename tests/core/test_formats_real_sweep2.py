"""Files found by session 10's wider sweep (origins in tests/data/SOURCES.md): each is opened as a user
opens it and checked against what the file says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse

ENGINES = Path(__file__).resolve().parents[1] / "data" / "engines"


def test_textract_analyze_expense_opens_with_the_lines_of_each_page(tmp_path: Path) -> None:
    """AnalyzeExpense holds its Blocks (PAGE, LINE, WORD) inside each expense document; before, the
    answer was "unknown response shape" though it is a Textract answer with words to draw."""
    f = ENGINES / "textract-analyzeexpense-multipage-excerpt.json"
    doc = load_response(f)
    assert doc.source_format == "aws-textract"
    assert [(p.index, sum(1 for _ in p.words())) for p in doc.pages] == [(0, 7), (1, 7)]
    assert [ln.text for ln in doc.pages[0].lines()] == ["INVOICE", "Invoice No:", "00000135", "- META -"]
    image = tmp_path / "invoice.png"
    Image.new("L", (1000, 1400), 255).save(image)
    first = next(load_result(f, image).document.words())
    assert first.text == "INVOICE"
    x0, y0, x1, y1 = first.bbox
    assert (round(x0), round(y0), round(x1), round(y1)) == (720, 60, 919, 101)


def test_textract_analyze_id_with_its_ocr_opens() -> None:
    doc = load_response(ENGINES / "textract-analyzeid-driverslicense-excerpt.json")
    assert [ln.text for ln in doc.lines()] == ["MASSACHUSETTS", "DRIVER", "LICENSE", "4a ISS", "4d NUMBER"]
    assert sum(1 for _ in doc.words()) == 7


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        (
            {
                "DocumentMetadata": {"Pages": 1},
                "ExpenseDocuments": [{"ExpenseIndex": 1, "SummaryFields": []}],
            },
            "AnalyzeExpense",
        ),
        ({"AnalyzeIDModelVersion": "1.0", "IdentityDocuments": [{"DocumentIndex": 1}]}, "AnalyzeID"),
        ({"AnalyzeIDModelVersion": "1.0", "DocumentMetadata": {"Pages": 1}}, "AnalyzeID"),
        (
            {"AnalyzeLendingModelVersion": "1.0", "Results": [], "DocumentMetadata": {"Pages": 1}},
            "AnalyzeLending",
        ),
    ],
)
def test_textract_analyses_without_blocks_say_so(tmp_path: Path, answer: dict, what: str) -> None:
    f = tmp_path / "answer.json"
    f.write_text(json.dumps(answer), encoding="utf-8")
    with pytest.raises(BadResponse) as err:
        load_response(f)
    message = str(err.value)
    assert f"AWS Textract {what} answer without Blocks" in message and "DetectDocumentText" in message
    assert "\n" not in message


def test_pdfplumber_json_is_not_taken_for_document_ai(tmp_path: Path) -> None:
    """pdfplumber's JSON numbers its pages (``page_number``), which made it a Document AI answer that
    opened as an empty page without a word of explanation."""
    page = {
        "page_number": 1,
        "width": 610.08,
        "height": 849.36,
        "mediabox": [0, 0, 610.08, 849.36],
        "chars": [{"text": "A", "x0": 10.0, "x1": 17.0, "top": 20.0, "bottom": 30.0, "fontname": "Times"}],
    }
    f = tmp_path / "page.json"
    f.write_text(
        json.dumps({"metadata": {"Producer": "LuraDocument PDF v2.40"}, "pages": [page]}), encoding="utf-8"
    )
    with pytest.raises(BadResponse, match="pdfplumber's JSON of a PDF .*open the PDF itself"):
        load_response(f)


def test_document_intelligence_result_saved_by_the_python_sdk_opens(tmp_path: Path) -> None:
    """azure-ai-formrecognizer's ``result.to_dict()`` (snake_case keys, ``[{"x", "y"}]`` polygons, no
    ``analyzeResult`` envelope), as its own sample and its users save it: it was "unknown response
    shape". A PDF's page is in inches: on an 850x1100 rendering each inch is 100 pixels."""
    f = ENGINES / "formrecognizer-sdk-todict-read-minimal.json"
    doc = load_response(f)
    assert doc.source_format == "azure-document-intelligence"
    page = doc.pages[0]
    assert (page.width, page.height, page.unit) == (8.5, 11.0, "inch")
    assert [ln.text for ln in doc.lines()] == ["Hello world", "Second line"]
    image = tmp_path / "page.png"
    Image.new("L", (850, 1100), 255).save(image)
    placed = [(w.text, tuple(round(v) for v in w.bbox)) for w in load_result(f, image).document.words()]
    assert placed == [
        ("Hello", (100, 100, 160, 120)),
        ("world", (170, 100, 230, 120)),
        ("Second", (100, 150, 180, 170)),
        ("line", (190, 150, 230, 170)),
    ]


@pytest.mark.parametrize(
    ("answer", "fmt"),
    [
        (  # azure-ai-documentintelligence's result.as_dict(): the REST analyzeResult on its own
            {
                "apiVersion": "2024-11-30",
                "modelId": "prebuilt-read",
                "content": "Hi",
                "pages": [
                    {
                        "pageNumber": 1,
                        "width": 100,
                        "height": 50,
                        "unit": "pixel",
                        "words": [
                            {
                                "content": "Hi",
                                "polygon": [1, 2, 21, 2, 21, 12, 1, 12],
                                "span": {"offset": 0, "length": 2},
                            }
                        ],
                        "lines": [
                            {
                                "content": "Hi",
                                "polygon": [1, 2, 21, 2, 21, 12, 1, 12],
                                "spans": [{"offset": 0, "length": 2}],
                            }
                        ],
                    }
                ],
            },
            "azure-document-intelligence",
        ),
        (  # Read 3.2's analyzeResult on its own
            {
                "version": "3.2.0",
                "modelVersion": "2022-04-30",
                "readResults": [
                    {
                        "page": 1,
                        "width": 100,
                        "height": 50,
                        "unit": "pixel",
                        "lines": [
                            {
                                "boundingBox": [1, 2, 21, 2, 21, 12, 1, 12],
                                "text": "Hi",
                                "words": [
                                    {
                                        "boundingBox": [1, 2, 21, 2, 21, 12, 1, 12],
                                        "text": "Hi",
                                        "confidence": 0.9,
                                    }
                                ],
                            }
                        ],
                    }
                ],
            },
            "azure-read-v3",
        ),
    ],
)
def test_azure_analyze_results_saved_on_their_own_open(tmp_path: Path, answer: dict, fmt: str) -> None:
    f = tmp_path / "result.json"
    f.write_text(json.dumps(answer), encoding="utf-8")
    doc = load_response(f)
    assert doc.source_format == fmt
    assert [(w.text, w.bbox) for w in doc.words()] == [("Hi", (1, 2, 21, 12))]


@pytest.mark.parametrize("envelope", [False, True])
def test_read_result_saved_by_the_computervision_sdk_opens(tmp_path: Path, envelope: bool) -> None:
    """msrest's ``as_dict()`` of the computervision SDK's ``analyze_result`` (snake_case, no envelope)
    or of the whole ``ReadOperationResult`` (``status``, ``analyze_result``)."""
    box = [1, 2, 21, 2, 21, 12, 1, 12]
    answer = {
        "version": "3.2.0",
        "model_version": "2022-04-30",
        "read_results": [
            {
                "page": 1,
                "angle": 0,
                "width": 100,
                "height": 50,
                "unit": "pixel",
                "lines": [
                    {
                        "bounding_box": box,
                        "text": "Hi",
                        "words": [{"bounding_box": box, "text": "Hi", "confidence": 0.9}],
                    }
                ],
            }
        ],
    }
    if envelope:
        answer = {
            "status": "succeeded",
            "created_date_time": "2024-01-01T00:00:00Z",
            "analyze_result": answer,
        }
    f = tmp_path / "result.json"
    f.write_text(json.dumps(answer), encoding="utf-8")
    doc = load_response(f)
    assert doc.source_format == "azure-read-v3"
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [("Hi", (1, 2, 21, 12), 0.9)]


def _vertices(x0: int, y0: int, x1: int, y1: int) -> dict:
    return {"vertices": [{"x": x0, "y": y0}, {"x": x1, "y": y0}, {"x": x1, "y": y1}, {"x": x0, "y": y1}]}


def _symbol(ch: str, box: dict, brk: int | None = None) -> dict:
    out: dict = {"text": ch, "bounding_box": box, "confidence": 0.9}
    if brk is not None:
        out["property"] = {"detected_break": {"type_": brk, "is_prefix": False}}
    return out


def word(ch: str, box: dict, brk: int) -> dict:
    return {"bounding_box": box, "symbols": [_symbol(ch, box, brk)], "confidence": 0.9}


@pytest.mark.parametrize("batch", [False, True])
def test_vision_response_saved_by_the_python_client_opens(tmp_path: Path, batch: bool) -> None:
    """google-cloud-vision's ``AnnotateImageResponse.to_dict()``: snake_case keys, enums as numbers
    (break 1 = SPACE, 3 = EOL_SURE_SPACE); it was "unknown response shape"."""
    response = {
        "text_annotations": [
            {"locale": "en", "description": "A B\nC\n", "bounding_poly": _vertices(1, 1, 50, 45)}
        ],
        "full_text_annotation": {
            "text": "A B\nC\n",
            "pages": [
                {
                    "width": 100,
                    "height": 50,
                    "blocks": [
                        {
                            "bounding_box": _vertices(1, 1, 50, 45),
                            "block_type": 1,
                            "paragraphs": [
                                {
                                    "bounding_box": _vertices(1, 1, 50, 45),
                                    "words": [
                                        word("A", _vertices(1, 1, 20, 20), 1),
                                        word("B", _vertices(30, 1, 50, 20), 3),
                                        word("C", _vertices(1, 25, 20, 45), 3),
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ],
        },
    }
    f = tmp_path / "vision.json"
    f.write_text(json.dumps({"responses": [response]} if batch else response), encoding="utf-8")
    doc = load_response(f)
    assert doc.source_format == "google-vision"
    assert [ln.text for ln in doc.lines()] == ["A B", "C"]
    assert [(w.text, w.bbox) for w in doc.words()] == [
        ("A", (1, 1, 20, 20)),
        ("B", (30, 1, 50, 20)),
        ("C", (1, 25, 20, 45)),
    ]
