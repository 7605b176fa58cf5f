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
