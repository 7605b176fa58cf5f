"""File > Compare and Export Report: the window writes the same report as ``ocrviewer compare``."""

from __future__ import annotations

from pathlib import Path

from ocrviewer.gui.compare_report import export_report
from tests.gui.conftest import open_page, typo_page
from tests.support import responses as R


def _open(window, qtbot, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """An EXIF-6 photo with a result that misreads one word, and the ground truth as another response."""
    image, truth, result = typo_page(tmp_path)
    open_page(window, qtbot, image, None, result)
    return truth, image


def test_window_exports_the_comparison_report(window, qtbot, tmp_path: Path) -> None:
    truth, _ = _open(window, qtbot, tmp_path)
    assert window.actions_["export_report"].isEnabled()
    out = tmp_path / "report.html"
    export_report(window, str(truth), str(out))
    qtbot.waitUntil(lambda: out.exists(), timeout=30000)
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=30000)
    # the raw-frame engine and the displayed-frame truth land on the same words: one substitution
    assert "CER 3.85%" in window.statusBar().currentMessage()  # 1 edit / 26 graphemes
    text = out.read_text(encoding="utf-8")
    assert "reference «Hello» / result «Hel1o»" in text and "data:image/jpeg" in text


def test_a_reference_for_another_image_is_one_message(window, qtbot, tmp_path: Path) -> None:
    _open(window, qtbot, tmp_path)
    other = R.write_response(tmp_path / "other.json", R.build_response("azure-v3", display_size=(300, 300)))
    out = tmp_path / "report.html"
    export_report(window, str(other), str(out))
    qtbot.waitUntil(lambda: window.message_bar.level == "error", timeout=30000)
    assert "other.json" in window.message_bar.text and "--frame" in window.message_bar.text
    assert not out.exists()


def test_without_a_result_the_action_says_what_to_do(window, tmp_path: Path) -> None:
    assert not window.actions_["export_report"].isEnabled()
    export_report(window, str(tmp_path / "truth.json"), str(tmp_path / "r.html"))
    assert window.message_bar.level == "warning" and "open an image and a result" in window.message_bar.text


def _azure_pdf(path: Path, pages: list[int], typo: dict[int, str] | None = None) -> Path:
    """An Azure Read answer for ``pages`` of :func:`make_pdf`'s PDF; ``typo`` misreads word 1 of a page."""
    from tests.support.documents import azure_read_pdf_response, write_json

    data = azure_read_pdf_response(pages)
    for result in data["analyzeResult"]["readResults"]:
        bad = (typo or {}).get(result["page"] - 1)
        if bad is not None:
            line = result["lines"][0]
            line["words"][1]["text"] = bad
            line["text"] = " ".join(w["text"] for w in line["words"])
    return write_json(path, data)


def _cli_cer(args: list[str], tmp_path: Path) -> float:
    import json

    from ocrviewer.cli import main

    out = tmp_path / "cli.json"
    assert main(["compare", *args, "--json", str(out)]) == 0
    return float(json.loads(out.read_text(encoding="utf-8"))["results"][0]["cer"])


def test_a_pdf_report_covers_every_page_with_the_clis_figures(window, qtbot, tmp_path: Path) -> None:
    from ocrviewer.gui.compare_report import page_truth
    from tests.support.documents import make_pdf

    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    truth = _azure_pdf(tmp_path / "truth.json", [0, 1, 2])
    engine = _azure_pdf(tmp_path / "engine.json", [0, 1, 2], typo={1: "pXw1"})
    assert window.files.open_image(str(pdf))
    window.files.open_truth(str(truth))
    qtbot.waitUntil(lambda: len(window.state.results()) == 1 and not window.files.busy, timeout=30000)
    window.files.open_response(str(engine))
    qtbot.waitUntil(lambda: len(window.state.results()) == 2 and not window.files.busy, timeout=30000)
    assert page_truth(window) == (str(truth), [str(engine)])
    out = tmp_path / "report.html"
    export_report(window, str(truth), str(out), [str(engine)])
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=30000)
    text = out.read_text(encoding="utf-8")
    assert all(f"<h2>Page {n}</h2>" in text for n in (1, 2, 3))
    assert "reference «p2w1» / result «pXw1»" in text
    cer = _cli_cer([str(pdf), str(truth), str(engine)], tmp_path)
    assert abs(cer - 1 / 42) < 1e-5  # one letter of page 2 misread: 1 edit over 3 lines of 14
    assert f"3 pages, CER {cer * 100:.2f}% over them" in window.statusBar().currentMessage()


def test_one_page_files_count_on_the_page_they_were_opened_on(window, qtbot, tmp_path: Path) -> None:
    """A one-page truth and result opened on page 2 are page 2's (the CLI alone would put them on page 1)."""
    from tests.support.documents import make_pdf

    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    page2 = _azure_pdf(tmp_path / "p2.json", [1])
    data = page2.read_text(encoding="utf-8").replace('"page": 2', '"page": 1')
    truth = tmp_path / "truth-p2.json"
    truth.write_text(data, encoding="utf-8")  # a one-page answer, made from page 2's picture alone
    engine = tmp_path / "engine-p2.json"
    engine.write_text(data.replace('"p2w1"', '"pXw1"'), encoding="utf-8")
    assert window.files.open_image(str(pdf))
    qtbot.waitUntil(lambda: window.state.is_document, timeout=30000)
    window.state.go_to_page(1)
    qtbot.waitUntil(lambda: window.state.page == 1, timeout=30000)
    window.files.open_truth(str(truth))
    qtbot.waitUntil(lambda: len(window.state.results()) == 1 and not window.files.busy, timeout=30000)
    window.files.open_response(str(engine))
    qtbot.waitUntil(lambda: len(window.state.results()) == 2 and not window.files.busy, timeout=30000)
    out = tmp_path / "report.html"
    export_report(window, str(truth), str(out), [str(engine)])
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=30000)
    text = out.read_text(encoding="utf-8")
    assert "<h2>Page 2</h2>" in text and "<h2>Page 1</h2>" not in text
    assert "1 page, CER 7.14% over them" in window.statusBar().currentMessage()  # 1 edit / 14


def test_a_reference_picked_on_a_document_page_is_for_that_page(window, qtbot, tmp_path: Path) -> None:
    from tests.support.documents import make_pdf

    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    engine = _azure_pdf(tmp_path / "engine.json", [0, 1, 2], typo={2: "pXw1"})
    data = _azure_pdf(tmp_path / "p3.json", [2]).read_text(encoding="utf-8").replace('"page": 3', '"page": 1')
    truth = tmp_path / "truth-p3.json"
    truth.write_text(data, encoding="utf-8")
    assert window.files.open_image(str(pdf))
    window.files.open_response(str(engine))
    qtbot.waitUntil(lambda: window.state.document is not None and not window.files.busy, timeout=30000)
    window.state.go_to_page(2)
    qtbot.waitUntil(lambda: window.state.page == 2 and window.state.document is not None, timeout=30000)
    out = tmp_path / "report.html"
    export_report(window, str(truth), str(out))
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=30000)
    assert "<h2>Page 3</h2>" in out.read_text(encoding="utf-8")
    assert "1 page, CER 7.14% over them" in window.statusBar().currentMessage()


def test_a_multi_page_tiff_report_matches_the_cli(window, qtbot, tmp_path: Path) -> None:
    """A TIFF of five pages (turned, shrunk, 1-bit...): the engine read three; the two it lacks count as missed."""
    from ocrviewer.gui.compare_report import page_truth
    from tests.support.documents import TIFF_PAGES, azure_read_pixel_response, make_tiff, write_json

    sizes = [size for size, *_ in TIFF_PAGES]
    tiff = make_tiff(tmp_path / "scan.tif")
    truth = write_json(tmp_path / "truth.json", azure_read_pixel_response(sizes, [0, 1, 2, 3, 4]))
    engine = write_json(tmp_path / "engine.json", azure_read_pixel_response(sizes, [0, 1, 3]))
    assert window.files.open_image(str(tiff))
    window.files.open_truth(str(truth))
    qtbot.waitUntil(lambda: len(window.state.results()) == 1 and not window.files.busy, timeout=30000)
    window.files.open_response(str(engine))
    qtbot.waitUntil(lambda: len(window.state.results()) == 2 and not window.files.busy, timeout=30000)
    window.state.go_to_page(2)  # a page the engine did not read: the truth there still spans the document
    qtbot.waitUntil(lambda: window.state.page == 2, timeout=30000)
    assert page_truth(window) == (str(truth), [str(engine)])
    out = tmp_path / "report.html"
    export_report(window, str(truth), str(out), [str(engine)])
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=30000)
    # the pages it lacks are said in the message bar; the status bar keeps the file and the figure
    assert (
        window.message_bar.level == "warning" and "page 3: the result has no text" in window.message_bar.text
    )
    assert "(+1 more in the report)" in window.message_bar.text
    assert window.message_bar.level != "error", window.message_bar.text
    text = out.read_text(encoding="utf-8")
    assert all(f"<h2>Page {n}</h2>" in text for n in range(1, 6))
    cer = _cli_cer([str(tiff), str(truth), str(engine)], tmp_path)
    assert abs(cer - 2 / 5) < 1e-5  # two of five pages missed
    assert f"5 pages, CER {cer * 100:.2f}% over them" in window.statusBar().currentMessage()
