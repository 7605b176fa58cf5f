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
