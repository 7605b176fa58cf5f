"""One Save dialog for every file the window writes.

Qt's own dialog leaves a name typed without a suffix as it is: "report" with *PDF* chosen became
report.png (the writers go by the suffix), and a suffix added after the dialog skipped its
overwrite question. Here the chosen file type's suffix is the dialog's default suffix, so it is
added before Qt asks about overwriting. The suggested folder is never the bundled samples' (read
only in a bundle, the program's own files in a checkout), nor one that cannot be written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from ocrviewer.resources import samples_dir


def filter_suffix(name_filter: str) -> str:
    """The first pattern's suffix of a filter such as ``"ALTO XML (*.alto.xml)"`` ("alto.xml");
    "" for ``*`` (All files)."""
    match = re.search(r"\(\s*\*\.([^\s)]+)", name_filter)
    return match.group(1) if match else ""


def writable_folder(folder: Path) -> bool:
    """A folder the user can save into: not the bundled samples, existing and writable."""
    try:
        if folder.resolve() == samples_dir().resolve():
            return False
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK)


def suggested_path(default: str | os.PathLike[str]) -> str:
    """``default``, moved to the home folder when its own folder is not one to save into."""
    path = Path(default)
    if writable_folder(path.parent if str(path.parent) else Path(".")):
        return str(path)
    return str(Path.home() / path.name)


def save_dialog(
    parent: QWidget | None, title: str, default: str | os.PathLike[str], filters: list[str]
) -> QFileDialog:
    """A Save dialog suggesting ``default`` (see :func:`suggested_path`), the file type its suffix
    matches chosen, whose suffix is added to a name typed without one."""
    dialog = QFileDialog(parent, title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setNameFilters(filters)
    path = suggested_path(default)
    lower = path.lower()
    # the longest matching suffix: "x.alto.xml" is ALTO, not a plain XML
    matching = sorted(
        (f for f in filters if filter_suffix(f) and lower.endswith("." + filter_suffix(f).lower())),
        key=lambda f: -len(filter_suffix(f)),
    )
    if matching:
        dialog.selectNameFilter(matching[0])
    dialog.setDefaultSuffix(filter_suffix(dialog.selectedNameFilter()))
    dialog.filterSelected.connect(lambda chosen: dialog.setDefaultSuffix(filter_suffix(chosen)))
    dialog.setDirectory(str(Path(path).parent))
    dialog.selectFile(path)
    return dialog


def ask_save_path(
    parent: QWidget | None, title: str, default: str | os.PathLike[str], filters: list[str]
) -> tuple[str, str]:
    """(path, chosen filter) from a Save dialog (see :func:`save_dialog`); ("", "") when cancelled."""
    dialog = save_dialog(parent, title, default, filters)
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return "", ""
    return dialog.selectedFiles()[0], dialog.selectedNameFilter()
