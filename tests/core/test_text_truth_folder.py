"""A folder of per-page .txt files as the ground truth of a document (Qt-free, and the CLI).

Real generated PDFs and folders of page images; each text file lands on the page its name names
(natural order: page2 before page10; the page image of the same stem; the number in the name), and
what cannot be matched for sure is one line saying what to do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.core.evaluate import compare_files
from ocrviewer.core.loading import load_document_result
from ocrviewer.core.sources import open_source
from ocrviewer.core.text_reference import is_text_folder
from ocrviewer.errors import BadInput
from tests.support.cli import one_error_line, run
from tests.support.documents import azure_read_pdf_response, make_pdf, make_scan, write_json


def _words(i: int) -> str:
    return " ".join(f"p{i + 1}w{n}" for n in range(3))


def _truth_folder(folder: Path, names: list[str], pages: list[int] | None = None) -> Path:
    """``names[k]`` holds page ``pages[k]``'s (0-based) words, as Tesseract's txt writes one page."""
    folder.mkdir()
    for k, name in enumerate(names):
        i = pages[k] if pages is not None else k
        (folder / name).write_text(_words(i) + "\n\f", encoding="utf-8")
    return folder


def _page_words(result_pages: object) -> list[list[str]]:
    return [[w.text for w in p.words()] for p in result_pages]  # type: ignore[attr-defined]


def test_page_files_land_in_natural_order_page2_before_page10(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 11)
    gt = _truth_folder(tmp_path / "gt", [f"page{i + 1}.txt" for i in range(11)])
    assert is_text_folder(gt)
    with open_source(pdf) as source:
        result = load_document_result(source, gt)
    assert result.covered == tuple(range(11))
    assert _page_words(result.document.pages) == [_words(i).split() for i in range(11)]
    assert all(not w.polygon for w in result.document.words())
    assert result.parsed.source_format == "text"


def test_files_named_after_the_page_images_land_on_those_pages(tmp_path: Path) -> None:
    """scan_0001.gt.txt for scan_0001.png (OCR-D's .gt.txt), whatever order the names sort in."""
    doc = tmp_path / "scans"
    doc.mkdir()
    for name in ("b_0002.png", "a_0001.png", "c_0003.png"):
        make_scan(doc / name)
    # the images sort a, b, c; the texts name them: a_0001 holds page 1's words (the first image)
    gt = _truth_folder(tmp_path / "gt", ["c_0003.gt.txt", "a_0001.gt.txt", "b_0002.gt.txt"], [2, 0, 1])
    with open_source(doc) as source:
        result = load_document_result(source, gt)
    assert _page_words(result.document.pages) == [_words(i).split() for i in range(3)]


def test_files_numbered_like_the_page_images_land_on_them(tmp_path: Path) -> None:
    """page3.txt for IMG_0003.png: by the number in the names, not their order."""
    doc = tmp_path / "scans"
    doc.mkdir()
    for n in (3, 4, 5):
        make_scan(doc / f"IMG_{n:04d}.png")
    gt = _truth_folder(tmp_path / "gt", ["page5.txt", "page3.txt", "page4.txt"], [2, 0, 1])
    with open_source(doc) as source:
        result = load_document_result(source, gt)
    assert _page_words(result.document.pages) == [_words(i).split() for i in range(3)]


def test_a_folder_of_images_and_their_texts_side_by_side(tmp_path: Path) -> None:
    """The same folder as the document and as its ground truth (scan_0001.png beside scan_0001.txt)."""
    doc = tmp_path / "book"
    doc.mkdir()
    for n in (1, 2):
        make_scan(doc / f"scan_{n:04d}.png")
        (doc / f"scan_{n:04d}.txt").write_text(_words(n - 1) + "\n", encoding="utf-8")
    with open_source(doc) as source:
        assert len(source.pages) == 2
        result = load_document_result(source, doc)
    assert _page_words(result.document.pages) == [_words(i).split() for i in range(2)]


@pytest.mark.parametrize("count", [2, 4])
def test_another_count_of_files_is_refused_in_one_line(tmp_path: Path, count: int) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    gt = _truth_folder(tmp_path / "gt", [f"page{i + 1}.txt" for i in range(count)])
    with open_source(pdf) as source, pytest.raises(BadInput) as err:
        load_document_result(source, gt)
    assert str(err.value) == (
        f"gt: {count} text file(s) but the document has 3 page(s); give one .txt per page, named so they sort "
        "in page order (page1.txt, page2.txt ... page10.txt) or after the page images (scan_0001.txt for "
        "scan_0001.tif)"
    )


def test_two_files_naming_one_page_are_refused(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    gt = _truth_folder(tmp_path / "gt", ["page1.txt", "page01.txt", "page2.txt"])
    with open_source(pdf) as source, pytest.raises(BadInput) as err:
        load_document_result(source, gt)
    assert str(err.value) == "gt: page01.txt and page1.txt both name page 1; keep one text file per page"


def test_a_page_file_holding_several_pages_is_refused(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 2)
    gt = _truth_folder(tmp_path / "gt", ["page1.txt", "page2.txt"])
    (gt / "page2.txt").write_text("one\fanother\f", encoding="utf-8")
    with open_source(pdf) as source, pytest.raises(BadInput, match="split it into one file per page"):
        load_document_result(source, gt)


def test_a_batch_outdir_is_no_text_folder(tmp_path: Path) -> None:
    gt = _truth_folder(tmp_path / "out", ["page1.txt"])
    (gt / "manifest.jsonl").write_text("{}\n", encoding="utf-8")
    assert not is_text_folder(gt)
    assert not is_text_folder(tmp_path / "nothing")


def test_compare_scores_each_page_against_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    gt = _truth_folder(tmp_path / "gt", ["page1.txt", "page2.txt", "page3.txt"])
    (gt / "page2.txt").write_text(_words(1).replace("p2w1", "p2wX") + "\n", encoding="utf-8")
    engine = write_json(tmp_path / "engine.json", azure_read_pdf_response([0, 1, 2]))
    _, ref, rows = compare_files(str(pdf), str(gt), [str(engine)])
    assert not ref.geometry and ref.format == "text"
    (_, comparison, _notes) = rows[0]
    assert [p.cer.errors for p in comparison.pages] == [0, 1, 0]
    code, out, err = run(capsys, "compare", pdf, gt, engine)
    assert code == 0, err
    assert "gt (text, text only), 3 page(s)" in out


def test_the_cli_refuses_a_mismatch_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    gt = _truth_folder(tmp_path / "gt", ["page1.txt", "page2.txt"])
    engine = write_json(tmp_path / "engine.json", azure_read_pdf_response([0, 1, 2]))
    code, _, err = run(capsys, "compare", pdf, gt, engine)
    assert code == 1
    one_error_line(err, "2 text file(s)", "3 page(s)", "one .txt per page")


def test_the_cli_asks_for_the_document_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gt = _truth_folder(tmp_path / "gt", ["page1.txt", "page2.txt"])
    engine = write_json(tmp_path / "engine.json", azure_read_pdf_response([0, 1]))
    code, _, err = run(capsys, "compare", gt, engine)
    assert code == 1
    one_error_line(err, "needs the document", "PDF, TIFF or folder of images first")


def test_one_image_takes_its_own_file_from_the_folder(tmp_path: Path) -> None:
    """scan_0002.png opened alone, the folder of every page's text given: scan_0002.txt is its truth."""
    make_scan(tmp_path / "scan_0002.png")
    gt = _truth_folder(tmp_path / "gt", [f"scan_{i + 1:04d}.txt" for i in range(3)])
    with open_source(tmp_path / "scan_0002.png") as source:
        result = load_document_result(source, gt)
    assert _page_words(result.document.pages) == [_words(1).split()]


def test_compare_on_one_image_takes_its_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = make_scan(tmp_path / "scan_0002.png")
    gt = _truth_folder(tmp_path / "gt", [f"scan_{i + 1:04d}.txt" for i in range(3)])
    res = tmp_path / "res.txt"
    res.write_text(_words(1) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "compare", image, gt, res)
    assert code == 0, err
    assert "res.txt  0.00%" in out
