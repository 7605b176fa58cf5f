"""A folder of per-page .txt files as a document's ground truth in the window: File > Load Ground
Truth Folder, each file on the page its name names, a mismatch one line, saved with the workspace.

Real folders of page images and real PDFs (tests/support/documents), the real window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ocrviewer.gui.result_chooser import result_label
from tests.gui.conftest import reopen_workspace
from tests.support.documents import make_pdf, make_scan

WAIT = 30000


def _words(i: int) -> list[str]:
    return [f"p{i + 1}w{n}" for n in range(3)]


def _scans_and_truth(tmp_path: Path, pages: int = 3) -> tuple[Path, Path]:
    """A folder of page images scan_0001.png... and a folder of their texts scan_0001.txt..."""
    doc, gt = tmp_path / "scans", tmp_path / "gt"
    doc.mkdir()
    gt.mkdir()
    for i in range(pages):
        make_scan(doc / f"scan_{i + 1:04d}.png")
        (gt / f"scan_{i + 1:04d}.txt").write_text(" ".join(_words(i)) + "\n", encoding="utf-8")
    return doc, gt


def _load(window, qtbot, path: Path) -> None:  # type: ignore[no-untyped-def]
    window.files.open_truth(str(path))
    qtbot.waitUntil(lambda: not window.files.busy, timeout=WAIT)
    qtbot.waitUntil(lambda: window.message_bar.text != "", timeout=WAIT)


def test_the_file_menu_loads_a_folder_of_page_texts(window, qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    doc, gt = _scans_and_truth(tmp_path)
    assert window.files.open_image(str(doc))
    qtbot.waitUntil(lambda: window.state.is_document and not window.files.busy, timeout=WAIT)
    action = window.actions_["load_truth_folder"]
    assert action.isEnabled() and action in window.menuBar().actions()[0].menu().actions()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(gt))  # the dialog's answer
    action.trigger()
    qtbot.waitUntil(lambda: not window.files.busy and bool(window.state.results()), timeout=WAIT)
    qtbot.waitUntil(lambda: window.message_bar.text != "", timeout=WAIT)
    assert window.message_bar.level == "info", window.message_bar.text
    assert window.message_bar.text.startswith("gt: a text-only ground truth (no boxes) on 3 pages (1-3)")
    for page in range(3):
        doc_page = window.state.page_document(page)
        assert [w.text for w in doc_page.words()] == _words(page)
        assert all(not w.polygon for w in doc_page.words())
    shown = next(r for r in window.state.results() if r.role == "truth")
    assert result_label(shown) == "gt · ground truth · text only"


def test_a_folder_of_another_page_count_is_one_line(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    gt = tmp_path / "gt"
    gt.mkdir()
    for i in range(2):
        (gt / f"page{i + 1}.txt").write_text(" ".join(_words(i)) + "\n", encoding="utf-8")
    assert window.files.open_image(str(pdf))
    qtbot.waitUntil(lambda: window.state.is_document, timeout=WAIT)
    _load(window, qtbot, gt)
    assert window.message_bar.level == "error"
    text = window.message_bar.text
    assert "\n" not in text
    assert "gt: 2 text file(s) but the document has 3 page(s); give one .txt per page" in text
    assert window.state.results() == []  # nothing half-loaded


def test_a_truth_folder_is_saved_and_reopened_with_the_workspace(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc, gt = _scans_and_truth(tmp_path)
    assert window.files.open_image(str(doc))
    qtbot.waitUntil(lambda: window.state.is_document and not window.files.busy, timeout=WAIT)
    _load(window, qtbot, gt)
    reopen_workspace(window, qtbot, tmp_path, pages=3)
    for page in range(3):
        (result,) = window.state.workspace.pages[page].results
        assert result.role == "truth" and result.text_only and result.problem is None, result.problem
        assert [w.text for w in result.document.words()] == _words(page)


def test_one_image_takes_its_own_file_from_a_truth_folder(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc, gt = _scans_and_truth(tmp_path)
    assert window.files.open_image(str(doc / "scan_0002.png"))
    qtbot.waitUntil(lambda: window.state.image_path is not None and not window.files.busy, timeout=WAIT)
    _load(window, qtbot, gt)
    assert window.message_bar.level == "info", window.message_bar.text
    (truth,) = window.state.results()
    assert truth.role == "truth" and truth.text_only
    assert [w.text for w in truth.document.words()] == _words(1)
