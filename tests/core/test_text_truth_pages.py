"""A plain text ground truth on a document, and one engine's batch compared as one result (Qt-free).

Real generated PDFs and TIFFs, real batch OUTDIRs (manifest and sidecars), through the core
functions the window calls and through ``ocrviewer compare``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrviewer.core.evaluate import compare_files
from ocrviewer.core.loading import load_document_result
from ocrviewer.core.references import ResultSet, group_results
from ocrviewer.core.sources import open_source
from ocrviewer.errors import BadInput
from tests.support.cli import one_error_line, run
from tests.support.documents import azure_read_pdf_response, make_batch_outdir, make_pdf, write_json


def _pages_text(pages: int, end: str = "\f") -> str:
    return end.join(" ".join(f"p{i + 1}w{n}" for n in range(3)) + "\n" for i in range(pages)) + end


@pytest.mark.parametrize("end", ["\f", ""], ids=["tesseract-pdftotext", "no-last-form-feed"])
def test_form_feed_pages_land_on_the_documents_pages_without_boxes(tmp_path: Path, end: str) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    truth = tmp_path / "truth.txt"
    truth.write_text(_pages_text(3, "\f")[:-1] + end, encoding="utf-8")
    with open_source(pdf) as source:
        result = load_document_result(source, truth)
    assert result.covered == (0, 1, 2)
    assert result.parsed.source_format == "text"
    for i, page in enumerate(result.document.pages):
        assert [w.text for w in page.words()] == [f"p{i + 1}w{n}" for n in range(3)]
        assert all(not w.polygon for w in page.words())
        assert (page.width, page.height) == source.pages[i].size  # the page's own size: nothing to scale


def test_one_page_of_text_goes_on_the_page_given(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    truth = tmp_path / "p3.txt"
    truth.write_text("p3w0 p3w1 p3w2\n", encoding="utf-8")
    with open_source(pdf) as source:
        assert load_document_result(source, truth, page=2).covered == (2,)
        assert load_document_result(source, truth).covered == (0,)  # no page given: the first


@pytest.mark.parametrize("pages", [2, 4])
def test_another_page_count_is_refused_in_one_line_saying_what_to_do(tmp_path: Path, pages: int) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    truth = tmp_path / "truth.txt"
    truth.write_text(_pages_text(pages), encoding="utf-8")
    with open_source(pdf) as source, pytest.raises(BadInput) as err:
        load_document_result(source, truth)
    assert str(err.value) == (
        f"truth.txt: {pages} pages of text (split at form feeds) but doc.pdf has 3; give 3 pages, each "
        "ended by a form feed (\\f) as Tesseract's txt and pdftotext write, or one page's text (no form "
        "feed) for one page"
    )


def test_the_cli_refuses_it_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    truth = tmp_path / "truth.txt"
    truth.write_text(_pages_text(2), encoding="utf-8")
    engine = write_json(tmp_path / "engine.json", azure_read_pdf_response([0, 1, 2]))
    code, _, err = run(capsys, "compare", pdf, truth, engine)
    assert code == 1
    one_error_line(err, "2 pages of text", "doc.pdf has 3", "form feed")


def test_a_text_truth_scores_every_page_by_text(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    truth = tmp_path / "truth.txt"
    truth.write_text(_pages_text(3).replace("p2w1", "p2wX"), encoding="utf-8")
    engine = write_json(tmp_path / "engine.json", azure_read_pdf_response([0, 1, 2]))
    _, ref, rows = compare_files(str(pdf), str(truth), [str(engine)])
    assert not ref.geometry and ref.format == "text"
    (_, comparison, _notes) = rows[0]
    assert [p.cer.errors for p in comparison.pages] == [0, 1, 0]
    assert comparison.cer.rate == pytest.approx(1 / 42)
    assert comparison.detection is None  # no boxes: no detection figures


def test_batch_responses_group_by_folder_and_engine(tmp_path: Path) -> None:
    _pdf, a = make_batch_outdir(tmp_path, 3, name="a", failed=())
    _pdf, b = make_batch_outdir(tmp_path, 3, name="b", provider="local", failed=())
    other = write_json(tmp_path / "other.json", azure_read_pdf_response([0]))
    files = [str(a / "scan.p0001.json"), str(b / "scan.p0001.json"), str(other), str(a / "scan.p0002.json")]
    grouped = group_results(files)
    assert grouped == [
        ResultSet("azure-read (a/)", (files[0], files[3]), str(a)),
        ResultSet("local (b/)", (files[1],), str(b)),
        str(other),
    ]


def test_compare_takes_an_outdir_or_its_manifest_as_one_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, out = make_batch_outdir(tmp_path, 3, failed=(2,), typos={1: "pXw1"})
    truth = tmp_path / "truth.txt"
    truth.write_text(_pages_text(3), encoding="utf-8")
    scores = tmp_path / "scores.json"
    code, _, err = run(capsys, "compare", pdf, truth, out, out / "manifest.jsonl", "--json", scores)
    assert code == 0, err
    data = json.loads(scores.read_text(encoding="utf-8"))
    assert [r["name"] for r in data["results"]] == ["azure-read (out/)"] * 2
    assert data["results"][0]["files"] == ["scan.p0001.json", "scan.p0002.json"]
    first = data["results"][0]
    assert [p["cer"] for p in first["pages"]] == [0.0, pytest.approx(1 / 14, abs=1e-5), 1.0]  # page 3 failed
    assert first == data["results"][1]
    assert "azure-read (out/): no result for page(s) 3" in err
    code, _, err = run(capsys, "compare", truth, out)
    assert code == 1
    one_error_line(err, "out: a batch's results need the document it read (DOC) first")
