"""A document's pages without Qt: workspace pages, headers, a response split page by page, the
page list's words and worst-first order. Real PDFs (reportlab) and an Azure Read answer in inches."""

from __future__ import annotations

from pathlib import Path

from ocrviewer.core.document_pages import (
    page_info,
    page_order_key,
    page_results,
    status_text,
    workspace_pages,
)
from ocrviewer.core.loading import load_document_result
from ocrviewer.core.model import Document, Page
from ocrviewer.core.sources import open_source
from tests.support.documents import A4, azure_read_pdf_response, make_pdf, make_scan, write_json

DPI = 150.0


def test_a_pdf_gives_one_workspace_page_per_page_with_its_size_and_header(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    with open_source(pdf, dpi=DPI) as source:
        pages = workspace_pages(source)
        size = (round(A4[0] * DPI / 72), round(A4[1] * DPI / 72))
        assert [(p.index, p.page_ref, p.image_path) for p in pages] == [(i, i, str(pdf)) for i in range(3)]
        assert all(p.size is not None and abs(p.size[0] - size[0]) <= 1 for p in pages)
        info = page_info(source, 2)
        assert (info.format, info.frames, info.orientation) == ("PDF", 3, 1)
        assert info.display_size == pages[2].size


def test_a_folder_s_pages_are_its_images(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in ("b.png", "a.png"):
        make_scan(folder / name)
    with open_source(folder) as source:
        pages = workspace_pages(source)
        assert [Path(p.image_path).name for p in pages] == ["a.png", "b.png"]
        assert all(p.page_ref is None and p.size is None for p in pages)
        assert page_info(source, 1).display_size == (400, 200)


def test_a_response_on_pages_2_and_3_lands_on_those_pages_only(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    response = write_json(tmp_path / "doc.azure.json", azure_read_pdf_response([1, 2]))
    with open_source(pdf, dpi=DPI) as source:
        result = load_document_result(source, response)
        split = page_results(result)
        assert [(target, own) for target, _, own in split] == [(1, 1), (2, 2)]
        for target, loaded, _ in split:
            assert loaded.image_path == str(pdf) and loaded.response_path == str(response)
            assert [w.text for w in loaded.document.words()][0] == f"p{target + 1}w0"
            assert (
                loaded.image_info is not None and loaded.image_info.display_size == source.pages[target].size
            )


def _page(*confs: float | None) -> Document:
    from ocrviewer.core.model import Block, Line, Word, polygon_from_bbox

    box = polygon_from_bbox(0, 0, 10, 10)
    words = tuple(Word(f"w{i}", box, c) for i, c in enumerate(confs))
    line = Line(" ".join(w.text for w in words), box, words)
    return Document((Page(width=100, height=100, blocks=(Block(box, (line,)),) if words else ()),), "test")


def test_the_page_list_says_words_mean_and_worst_and_ranks_the_worst_first() -> None:
    good, poor, empty = _page(0.9, 0.95), _page(0.9, 0.3), _page()
    assert status_text(poor) == "2 words\nmean 0.60\nworst 'w1' 0.30"
    assert status_text(_page(None)) == "1 word"
    assert status_text(None) == "no result"
    assert status_text(good, "HTTP 500 from the service") == "failed: HTTP 500 from the service"
    ranked = sorted(
        [("good", good, False), ("empty", empty, False), ("failed", None, True), ("poor", poor, False)],
        key=lambda p: page_order_key(p[1], p[2]),
    )
    assert [name for name, _, _ in ranked] == ["failed", "empty", "poor", "good"]


def test_a_pdf_a_multi_page_tiff_or_a_folder_is_a_document_an_image_is_not(tmp_path: Path) -> None:
    from ocrviewer.core.document_pages import is_document_path
    from tests.support.documents import TIFF_PAGES, make_tiff

    assert is_document_path(make_pdf(tmp_path / "doc.pdf", 1))
    assert is_document_path(make_tiff(tmp_path / "pages.tif"))
    assert is_document_path(tmp_path)
    assert not is_document_path(make_tiff(tmp_path / "one.tif", TIFF_PAGES[:1]))
    assert not is_document_path(make_scan(tmp_path / "scan.png"))
    assert not is_document_path(None)
