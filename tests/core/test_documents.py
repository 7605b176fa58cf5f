"""Multi-page responses land page by page on a document, each page with its own size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrviewer.core.loading import load_document_result, page_ranges
from ocrviewer.core.model import polygon_bbox
from ocrviewer.core.parsers import load_response
from ocrviewer.core.sources import open_source
from tests.support.documents import (
    A4,
    azure_read_pdf_response,
    make_pdf,
    make_scan,
    word_boxes_pt,
    write_json,
    yandex_pdf_pages,
)


def first_word_px(result, index: int) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
    page = result.page(index)
    assert page is not None, f"page {index + 1} has no result"
    return polygon_bbox(next(page.words()).polygon)


def expected_px(index: int, dpi: float) -> tuple[float, float, float, float]:
    k = dpi / 72
    left, top, right, bottom = word_boxes_pt(index)[0]
    return left * k, top * k, right * k, bottom * k


def close(a: tuple[float, ...], b: tuple[float, ...], tol: float = 1.5) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("dpi", [150, 100])
def test_azure_read_in_inches_lands_on_each_page_at_the_dpi(tmp_path: Path, dpi: int) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=4)
    resp = write_json(tmp_path / "r.json", azure_read_pdf_response([0, 1, 2, 3]))
    result = load_document_result(open_source(pdf, dpi=dpi), resp)
    assert result.covered == (0, 1, 2, 3)
    for i in range(4):
        assert close(first_word_px(result, i), expected_px(i, dpi)), i
        page = result.page(i)
        assert page is not None and page.unit == "pixel"
        assert (page.width, page.height) == result.source.pages[i].size
    assert not [w for w in result.warnings if "cover" in w]


@pytest.mark.parametrize("layout", ["jsonl", "concatenated"])
def test_yandex_async_pages_are_scaled_from_its_own_rendering(tmp_path: Path, layout: str) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    objects = yandex_pdf_pages([0, 1, 2], dpi=300)
    if layout == "jsonl":
        text = "\n".join(json.dumps(o) for o in objects)
    else:  # as the docs print it: pretty objects one after another
        text = "\n".join(json.dumps(o, indent=2) for o in reversed(objects))
    resp = tmp_path / "r.jsonl"
    resp.write_text(text)
    assert [p.index for p in load_response(resp).pages] == [0, 1, 2]
    result = load_document_result(open_source(pdf), resp)
    for i in range(3):
        assert close(first_word_px(result, i), expected_px(i, 150)), i
        assert any("scaled" in r for r in result.decisions[i].reasons)


def test_a_response_with_fewer_pages_says_which_it_covers(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=6)
    resp = write_json(tmp_path / "r.json", azure_read_pdf_response([1, 2, 4]))
    result = load_document_result(open_source(pdf), resp)
    assert result.covered == (1, 2, 4)
    assert result.page(0) is None
    assert close(first_word_px(result, 4), expected_px(4, 150))
    assert "the response covers page(s) 2-3, 5 of 6; the other pages have no result" in result.warnings


def test_a_response_with_more_pages_than_the_document_says_so(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=2)
    resp = write_json(tmp_path / "r.json", azure_read_pdf_response([0, 1, 2, 3]))
    result = load_document_result(open_source(pdf), resp)
    assert result.covered == (0, 1)
    assert any("page(s) 3-4 but doc.pdf has 2 page(s)" in w for w in result.warnings)


def test_folder_pages_each_keep_their_own_size(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    make_scan(folder / "a1.png", size=(400, 200))
    make_scan(folder / "a2.png", size=(800, 400))
    # a two-page response in each image's own pixels (Azure Read v3 on a multi-image TIFF, say)
    data = azure_read_pdf_response([0, 1])
    for r, (w, h) in zip(data["analyzeResult"]["readResults"], [(400, 200), (800, 400)], strict=True):
        r.update(unit="pixel", width=w, height=h)
        for word in r["lines"][0]["words"]:
            word["boundingBox"] = [10, 10, 50, 10, 50, 30, 10, 30]
        r["lines"][0]["boundingBox"] = [10, 10, 50, 10, 50, 30, 10, 30]
    resp = write_json(tmp_path / "r.json", data)
    result = load_document_result(open_source(folder), resp)
    assert [(p.width, p.height) for p in result.document.pages] == [(400, 200), (800, 400)]
    assert first_word_px(result, 1) == (10, 10, 50, 30)


def test_google_pages_follow_context_page_numbers() -> None:
    from ocrviewer.core.parsers import parse_response

    def resp(n: int) -> dict:  # type: ignore[type-arg]
        page = {"width": 612, "height": 792, "blocks": []}
        return {
            "fullTextAnnotation": {"pages": [page], "text": ""},
            "context": {"uri": "gs://b/d.pdf", "pageNumber": n},
        }

    doc = parse_response({"inputConfig": {"mimeType": "application/pdf"}, "responses": [resp(4), resp(3)]})
    assert [p.index for p in doc.pages] == [2, 3]


def test_page_ranges() -> None:
    assert page_ranges([0, 1, 2, 5, 7, 8]) == "1-3, 6, 8-9"
    assert page_ranges([]) == ""


def _textract_pages(pages: list[int]) -> dict:  # type: ignore[type-arg]
    """AnalyzeDocument/GetDocumentTextDetection on a PDF: PAGE blocks numbered by ``Page``, geometry 0..1."""
    blocks = []
    for i in pages:
        left, top, right, bottom = word_boxes_pt(i)[0]
        box = {
            "Left": left / A4[0],
            "Top": top / A4[1],
            "Width": (right - left) / A4[0],
            "Height": (bottom - top) / A4[1],
        }
        poly = [
            {"X": box["Left"], "Y": box["Top"]},
            {"X": box["Left"] + box["Width"], "Y": box["Top"]},
            {"X": box["Left"] + box["Width"], "Y": box["Top"] + box["Height"]},
            {"X": box["Left"], "Y": box["Top"] + box["Height"]},
        ]
        geo = {"BoundingBox": box, "Polygon": poly}
        wid, lid, pid = f"w{i}", f"l{i}", f"p{i}"
        blocks += [
            {
                "BlockType": "PAGE",
                "Id": pid,
                "Page": i + 1,
                "Geometry": geo,
                "Relationships": [{"Type": "CHILD", "Ids": [lid]}],
            },
            {
                "BlockType": "LINE",
                "Id": lid,
                "Page": i + 1,
                "Text": f"p{i + 1}",
                "Confidence": 99.0,
                "Geometry": geo,
                "Relationships": [{"Type": "CHILD", "Ids": [wid]}],
            },
            {
                "BlockType": "WORD",
                "Id": wid,
                "Page": i + 1,
                "Text": f"p{i + 1}",
                "Confidence": 99.0,
                "Geometry": geo,
            },
        ]
    return {"DocumentMetadata": {"Pages": len(pages)}, "Blocks": blocks}


def _docintel_pages(pages: list[int]) -> dict:  # type: ignore[type-arg]
    """Document Intelligence on a PDF: ``pages[]`` with ``pageNumber``, inches, flat polygons."""
    out = []
    content = ""
    for i in pages:
        left, top, right, bottom = (v / 72 for v in word_boxes_pt(i)[0])
        poly = [left, top, right, top, right, bottom, left, bottom]
        text = f"p{i + 1}"
        span = {"offset": len(content), "length": len(text)}
        content += text + "\n"
        out.append(
            {
                "pageNumber": i + 1,
                "angle": 0,
                "width": A4[0] / 72,
                "height": A4[1] / 72,
                "unit": "inch",
                "words": [{"content": text, "polygon": poly, "span": span, "confidence": 0.9}],
                "lines": [{"content": text, "polygon": poly, "spans": [span]}],
            }
        )
    return {
        "status": "succeeded",
        "analyzeResult": {"apiVersion": "2023-07-31", "content": content, "pages": out},
    }


@pytest.mark.parametrize("shape", ["textract", "document-intelligence"])
def test_textract_and_document_intelligence_pages_land_on_their_pages(tmp_path: Path, shape: str) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=4)
    data = _textract_pages([1, 3]) if shape == "textract" else _docintel_pages([1, 3])
    resp = write_json(tmp_path / "r.json", data)
    result = load_document_result(open_source(pdf), resp)
    assert result.covered == (1, 3)
    for i in (1, 3):
        assert close(first_word_px(result, i), expected_px(i, 150), tol=2.0), i
    assert "the response covers page(s) 2, 4 of 4; the other pages have no result" in result.warnings
