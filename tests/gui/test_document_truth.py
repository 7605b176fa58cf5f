"""A plain text ground truth on a document, and a report of two engines' batches, in the window.

Real PDFs and TIFFs (tests/support/documents), real OUTDIRs with manifests and sidecars, the real
window; the figures are checked against ``ocrviewer compare`` on the same files.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from ocrviewer.gui.compare_report import export_report, page_truth
from ocrviewer.gui.result_chooser import result_label
from tests.gui.conftest import reopen_workspace
from tests.support.documents import make_batch_outdir, make_pdf, make_tiff

WAIT = 30000


def _truth_file(path: Path, pages: int) -> Path:
    """What Tesseract's txt output would hold for the test PDF: a line per page, a form feed after each."""
    text = "".join(" ".join(f"p{i + 1}w{n}" for n in range(3)) + "\n\f" for i in range(pages))
    path.write_text(text, encoding="utf-8")
    return path


def _open_document(window, qtbot, path: Path) -> None:  # type: ignore[no-untyped-def]
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.state.is_document, timeout=WAIT)


def _load_truth(window, qtbot, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Open ``path`` as the truth and wait for the message that says how it went (it names the file;
    a message already shown, from opening the document, does not count)."""
    window.files.open_truth(str(path))
    qtbot.waitUntil(lambda: not window.files.busy and path.name in window.message_bar.text, timeout=WAIT)


@pytest.fixture
def pdf_with_truth(window, qtbot, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """doc.pdf (3 pages) shown in the window with truth.txt, a page of text each, loaded on it."""
    _open_document(window, qtbot, make_pdf(tmp_path / "doc.pdf", 3))
    truth = _truth_file(tmp_path / "truth.txt", 3)
    _load_truth(window, qtbot, truth)
    return truth


def _report_table(html: str, start: str = "<table>") -> list[list[str]]:
    """The report's first table (the figures; ``start``: another), each row's cells as text."""
    table = re.search(rf"{start}(.*?)</table>", html, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)
        ]
        for r in rows
    ]


def _cli(args: list[str], tmp_path: Path) -> dict:  # type: ignore[type-arg]
    from ocrviewer.cli import main

    out = tmp_path / "cli.json"
    assert main(["compare", *args, "--json", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_text_truth_on_a_pdf_lands_page_by_page_as_text_only(window, pdf_with_truth: Path) -> None:
    assert window.message_bar.level == "info", window.message_bar.text
    assert window.message_bar.text.startswith(
        "truth.txt: a text-only ground truth (no boxes) on 3 pages (1-3)"
    )
    for page in range(3):  # each page of text on its own page, no boxes
        doc = window.state.page_document(page)
        assert [w.text for w in doc.words()] == [f"p{page + 1}w{n}" for n in range(3)]
        assert all(not w.polygon for w in doc.words())
    shown = next(r for r in window.state.results() if r.role == "truth")
    assert result_label(shown) == "truth.txt · ground truth · text only"
    assert window.result_chooser.currentText() == "truth.txt · ground truth · text only"


def test_a_text_truth_of_the_wrong_page_count_is_one_line_saying_what_to_do(
    window, qtbot, tmp_path: Path
) -> None:
    _open_document(window, qtbot, make_pdf(tmp_path / "doc.pdf", 3))
    _load_truth(window, qtbot, _truth_file(tmp_path / "two.txt", 2))
    assert window.message_bar.level == "error"
    text = window.message_bar.text
    assert "\n" not in text
    assert (
        "two.txt: 2 pages of text (split at form feeds) but doc.pdf has 3; give 3 pages, each ended by a form feed"
        in text
    )
    assert window.state.results() == []  # nothing half-loaded
    assert all(not p.results for p in window.state.workspace.pages)


def test_one_page_of_text_goes_on_the_page_shown(window, qtbot, tmp_path: Path) -> None:
    truth = tmp_path / "page2.txt"
    truth.write_text("some words here\n", encoding="utf-8")  # no form feed: one page
    _open_document(window, qtbot, make_tiff(tmp_path / "scan.tif"))
    window.state.go_to_page(1)
    qtbot.waitUntil(lambda: window.state.page == 1, timeout=WAIT)
    _load_truth(window, qtbot, truth)
    assert "on 1 page (2)" in window.message_bar.text, window.message_bar.text
    assert [bool(p.results) for p in window.state.workspace.pages][:3] == [False, True, False]


def test_report_on_two_engines_batches_has_a_column_per_engine(window, qtbot, tmp_path: Path) -> None:
    """A 3-page PDF read by two engines (two OUTDIRs, a file per page each) and a .txt truth: the
    report reads as two columns with a row per page, the figures those of ``ocrviewer compare``."""
    pdf, out_a = make_batch_outdir(tmp_path, 3, name="azure", failed=())
    _pdf, out_b = make_batch_outdir(tmp_path, 3, name="local", provider="local", failed=(), typos={1: "pXw1"})
    truth = _truth_file(tmp_path / "truth.txt", 3)
    assert window.files.open_image(str(out_a))
    qtbot.waitUntil(
        lambda: window.files.documents.order_kind == "worst" and not window.files.busy, timeout=WAIT
    )
    assert window.files.open_image(str(out_b))  # the same document's second batch: added, not reopened
    qtbot.waitUntil(lambda: not window.files.busy and len(window.state.results()) == 2, timeout=WAIT)
    assert all(len(p.results) == 2 for p in window.state.workspace.pages)
    # the chooser names each engine as the report does (both batches' files are scan.p0001.json ...)
    names = [window.result_chooser.itemText(i) for i in range(window.result_chooser.count())]
    assert names == ["azure-read (azure/)", "local (local/)"]
    _load_truth(window, qtbot, truth)
    found = page_truth(window)
    assert found is not None and found[0] == str(truth) and len(found[1]) == 6  # a file per page and engine
    report = tmp_path / "report.html"
    export_report(window, found[0], str(report), found[1])
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=WAIT)
    said = window.statusBar().currentMessage()
    assert said.endswith("3 pages, CER azure-read (azure/) 0.00%, local (local/) 2.38% over them"), said
    html = report.read_text(encoding="utf-8")
    table = _report_table(html)
    assert [row[0] for row in table] == [
        "result",
        "azure-read (azure/) (azure-read-v3)",
        "local (local/) (azure-read-v3)",
    ]
    assert "(plain text, no geometry: text only (CER/WER), detection n/a)" in html
    # page by page: a row per page, a CER and WER per engine, the document's total last
    assert _report_table(html, "<table class=pages>") == [
        ["page", "azure-read (azure/)", "local (local/)"],
        ["CER", "WER", "CER", "WER"],
        ["1", "0.00%", "0.00%", "0.00%", "0.00%"],
        ["2", "0.00%", "0.00%", "7.14%", "33.33%"],
        ["3", "0.00%", "0.00%", "0.00%", "0.00%"],
        ["all 3 pages", "0.00%", "0.00%", "2.38%", "11.11%"],
    ]
    assert [row[10:12] for row in table[1:]] == [["n/a", "n/a"], ["n/a", "n/a"]]  # no boxes: no detection
    assert all(f"<h2>Page {n}</h2>" in html for n in (1, 2, 3))
    sections = html.split("<h2>Page ")[1:]  # a row per page, each with a figure per engine
    captions = [[unescape(c) for c in re.findall(r"<figcaption>(.*?) · WER", sec)] for sec in sections]
    assert captions == [
        ["azure-read (azure/) · CER 0.00%", "local (local/) · CER 0.00%"],
        ["azure-read (azure/) · CER 0.00%", "local (local/) · CER 7.14%"],  # 1 edit of 14 letters
        ["azure-read (azure/) · CER 0.00%", "local (local/) · CER 0.00%"],
    ]
    cli = _cli([str(pdf), str(truth), str(out_a), str(out_b)], tmp_path)
    assert [r["name"] for r in cli["results"]] == ["azure-read (azure/)", "local (local/)"]
    assert [row[1] for row in table[1:]] == [f"{r['cer'] * 100:.2f}%" for r in cli["results"]]
    assert [row[2] for row in table[1:]] == [f"{r['wer'] * 100:.2f}%" for r in cli["results"]]
    assert cli["results"][0]["cer"] == 0 and abs(cli["results"][1]["cer"] - 1 / 42) < 1e-5
    assert [len(r["pages"]) for r in cli["results"]] == [3, 3]


def test_compare_mode_against_a_text_truth_says_it_is_text_only(
    window, qtbot, tmp_path: Path, pdf_with_truth: Path
) -> None:
    from tests.support.documents import azure_read_pdf_response, write_json

    data = azure_read_pdf_response([0, 1, 2])
    line = data["analyzeResult"]["readResults"][1]["lines"][0]
    line["words"][1]["text"] = "pXw1"
    engine = write_json(tmp_path / "engine.json", data)
    window.files.open_response(str(engine))
    qtbot.waitUntil(lambda: len(window.state.results()) == 2 and not window.files.busy, timeout=WAIT)
    window.state.go_to_page(1)
    qtbot.waitUntil(lambda: window.state.page == 1, timeout=WAIT)
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    window.compare.set_enabled(True)
    qtbot.waitUntil(lambda: any("truth.txt is text only: no boxes" in m for m in said), timeout=WAIT)
    assert window.compare.comparison.counts()["substituted"] == 1
    line = next(m for m in said if "text only" in m)
    assert line.startswith("compare (result shown · truth.txt is text only: no boxes): CER 7.14%"), line


def test_a_text_truth_on_a_document_is_saved_and_reopened_with_the_workspace(
    window, qtbot, tmp_path: Path, pdf_with_truth: Path
) -> None:
    reopen_workspace(window, qtbot, tmp_path, pages=3)
    for page in range(3):
        (result,) = window.state.workspace.pages[page].results
        assert result.role == "truth" and result.text_only and result.problem is None, result.problem
        assert [w.text for w in result.document.words()] == [f"p{page + 1}w{n}" for n in range(3)]


def test_a_batch_of_another_document_of_the_same_name_opens_its_own(window, qtbot, tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    pdf, out = make_batch_outdir(tmp_path / "one", 3, failed=())
    _open_document(window, qtbot, make_pdf(tmp_path / "two" / "scan.pdf", 3))  # the same name, another file
    assert window.files.open_image(str(out))
    qtbot.waitUntil(
        lambda: window.files.documents.order_kind == "worst" and not window.files.busy, timeout=WAIT
    )
    assert Path(window.state.source.path) == pdf  # reopened on the document the batch read, not added
