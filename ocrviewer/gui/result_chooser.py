"""The toolbar's result chooser: every result on the page shown, the displayed one selected."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QWidget

from ocrviewer.core.workspace import Result
from ocrviewer.gui.state import ViewerState


def result_label(result: Result) -> str:
    """What the chooser lists: the name, "truth" for ground truth, why it is not placed."""
    label = result.name
    if result.role == "truth":
        label += " · ground truth"
    if result.corrected:
        label += " · corrected"
    if result.document is None:
        label += " · not placed"
    return label


class ResultChooser(QComboBox):
    """Follows the state's results; picking one displays it."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setMinimumContentsLength(14)
        self.setToolTip("Result shown on this page (File > Open Response adds one)")
        self.setAccessibleName("Result shown")
        state.resultsChanged.connect(self.rebuild)
        state.imageChanged.connect(self.rebuild)
        state.documentChanged.connect(self.rebuild)
        self.activated.connect(self._picked)
        self.rebuild()

    def rebuild(self) -> None:
        with QSignalBlocker(self):
            self.clear()
            results = self.state.results()
            for r in results:
                self.addItem(result_label(r), r.id)
                self.setItemData(self.count() - 1, r.problem or r.response_path or r.name, 3)  # tooltip
            if not results:
                self.addItem("no result", None)
            self.setCurrentIndex(max(0, self.findData(self.state.result_id)))
        self.setEnabled(bool(results))

    def _picked(self, index: int) -> None:
        result_id = self.itemData(index)
        if result_id is not None and result_id != self.state.result_id:
            self.state.show_result(result_id)
