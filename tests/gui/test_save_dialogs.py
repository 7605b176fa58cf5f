"""The Save dialogs as a person uses them: type a bare name, pick a file type, press Save."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLineEdit, QMessageBox, QTreeView

from ocrviewer.gui.save_dialog import filter_suffix, save_dialog, suggested_path
from ocrviewer.resources import find_sample


def _fill(dialog: QFileDialog, qtbot, name: str, type_index: int) -> None:
    """Pick the file type with the keyboard and type a name, as a person does."""
    combo = dialog.findChild(QComboBox, "fileTypeCombo")
    combo.setFocus()
    while combo.currentIndex() < type_index:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    edit = dialog.findChild(QLineEdit, "fileNameEdit")
    edit.clear()
    qtbot.keyClicks(edit, name)


def _on_dialog(qtbot, action: Callable[[QFileDialog], None]) -> None:
    """Run ``action`` on the Save dialog once it is up (the dialog blocks its caller)."""

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, run)
            return
        try:
            action(dialog)
        finally:
            if dialog.isVisible():  # a failed check must not leave the test blocked in the dialog
                dialog.reject()

    QTimer.singleShot(0, run)


def test_export_view_as_pdf_typed_without_suffix_is_a_pdf(loaded, qtbot, tmp_path: Path) -> None:

    def act(dialog: QFileDialog) -> None:
        assert dialog.nameFilters() == ["PNG image (*.png)", "PDF (*.pdf)"]
        _fill(dialog, qtbot, "handout", 1)
        dialog.accept()

    _on_dialog(qtbot, act)
    loaded.dialogs.choose_export()
    out = tmp_path / "handout.pdf"
    qtbot.waitUntil(out.exists, timeout=30000)
    assert out.read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "handout.png").exists()


def test_a_suffix_added_by_the_dialog_still_asks_before_overwriting(loaded, qtbot, tmp_path: Path) -> None:
    old = tmp_path / "handout.pdf"
    old.write_bytes(b"%PDF- the talk's earlier handout")
    asked: list[str] = []

    def answer_no() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_no)
            return
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.No).click()

    def act(dialog: QFileDialog) -> None:
        _fill(dialog, qtbot, "handout", 1)
        QTimer.singleShot(0, answer_no)
        dialog.accept()  # Qt asks: the name is handout.pdf, which exists
        qtbot.waitUntil(lambda: bool(asked), timeout=30000)
        dialog.reject()

    _on_dialog(qtbot, act)
    loaded.dialogs.choose_export()
    assert asked and "handout.pdf" in asked[0]
    assert old.read_bytes() == b"%PDF- the talk's earlier handout"


def test_save_workspace_typed_without_suffix_can_be_found_again(loaded, qtbot, tmp_path: Path) -> None:
    def act(dialog: QFileDialog) -> None:
        _fill(dialog, qtbot, "review", 0)
        dialog.accept()

    _on_dialog(qtbot, act)
    loaded.dialogs.choose_save_workspace()
    out = tmp_path / "review.ocrviewer-workspace.json"
    qtbot.waitUntil(out.exists, timeout=30000)
    assert not (tmp_path / "review").exists()


def test_save_result_chosen_type_suffix_and_the_name_picks_the_type(qtbot, tmp_path: Path) -> None:
    from ocrviewer.gui.files import SAVE_FILTERS

    dialog = save_dialog(None, "Save Result", tmp_path / "scan.alto.xml", list(SAVE_FILTERS))
    qtbot.addWidget(dialog)
    assert dialog.selectedNameFilter() == "ALTO XML (*.alto.xml)"  # not a plain .xml guess
    assert dialog.selectedFiles() == [str(tmp_path / "scan.alto.xml")]
    _fill(dialog, qtbot, "scan2", 0)
    combo = dialog.findChild(QComboBox, "fileTypeCombo")
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # from ALTO XML to hOCR
    assert dialog.selectedFiles() == [str(tmp_path / "scan2.hocr")]
    assert filter_suffix("All files (*)") == ""


def test_nothing_is_suggested_into_the_bundled_samples_folder(tmp_path: Path) -> None:
    image, _ = find_sample()
    suggested = Path(suggested_path(image.with_name("receipt-view.png")))
    assert suggested == Path.home() / "receipt-view.png"
    assert suggested_path(tmp_path / "a.png") == str(tmp_path / "a.png")


def test_open_lists_every_kind_it_opens_all_supported_first(loaded, qtbot, tmp_path: Path) -> None:
    from tests.support.images import make_text_image

    folder = tmp_path / "mixed"
    folder.mkdir()
    make_text_image(folder / "photo.jpg")
    (folder / "scan.hocr").write_text("<html><body></body></html>", encoding="utf-8")
    (folder / "review.ocrviewer-workspace.json").write_text("{}", encoding="utf-8")
    (folder / "notes.odt").write_bytes(b"PK")
    loaded.recent.add(str(folder / "photo.jpg"))
    listed: list[set[str]] = []

    def act(dialog: QFileDialog) -> None:
        assert dialog.selectedNameFilter().startswith("All supported (")
        assert dialog.nameFilters()[0] == dialog.selectedNameFilter()
        assert any(f.startswith("PDF documents") for f in dialog.nameFilters())
        assert any(f.startswith("ocrviewer workspaces") for f in dialog.nameFilters())
        view = dialog.findChild(QTreeView, "treeView")

        def names() -> set[str]:
            model, root = view.model(), view.rootIndex()
            return {model.index(r, 0, root).data() for r in range(model.rowCount(root))}

        qtbot.waitUntil(lambda: len(names()) >= 3, timeout=30000)
        listed.append(names())
        dialog.reject()

    _on_dialog(qtbot, act)
    loaded.dialogs.choose_image()
    assert listed == [{"photo.jpg", "scan.hocr", "review.ocrviewer-workspace.json"}]
