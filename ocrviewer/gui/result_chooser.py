"""The toolbar's result chooser: every result on the page shown, the displayed one selected."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker
from PySide6.QtWidgets import QComboBox, QSizePolicy, QWidget

from ocrviewer.core.workspace import Result
from ocrviewer.gui.elided_combo import ElidedComboBox
from ocrviewer.gui.state import ViewerState


def result_label(result: Result) -> str:
    """What the chooser lists: the name, "truth" for ground truth, "text only" without boxes, why it is not placed."""
    label = result.name
    if result.role == "truth":
        label += " · ground truth"
    if result.text_only:
        label += " · text only"
    if result.corrected:
        label += " · corrected"
    if result.document is None:
        label += " · not placed"
    return label


HINT = "Result shown on this page (File > Open Response adds one)"
#: the width the chooser asks the toolbar for, in characters (a 1024 px window fits it all) ...
ASKS_CHARS = 12
#: ... and the widest it grows to where the toolbar has room (a longer name is elided)
GROWS_CHARS = 40


class ResultChooser(ElidedComboBox):
    """Follows the state's results; picking one displays it. It asks for a short width and takes
    the toolbar's spare room up to its longest name (or GROWS_CHARS); the shown name is elided
    when it has less, and the tooltip says it whole."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent, HINT)
        self.state = state
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(ASKS_CHARS)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
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
        self._fit_width()
        self._update_tip()

    def _fit_width(self) -> None:
        """At most as wide as its longest name needs (capped), never narrower than it asks."""
        fm = self.fontMetrics()
        names = [self.itemText(i) for i in range(self.count())]
        text = min(
            max((fm.horizontalAdvance(n) for n in names), default=0), fm.averageCharWidth() * GROWS_CHARS
        )
        frame = self.sizeHint().width() - fm.horizontalAdvance("X" * ASKS_CHARS)  # arrow, margins
        self.setMaximumWidth(max(self.sizeHint().width(), frame + text))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_width()

    def _picked(self, index: int) -> None:
        result_id = self.itemData(index)
        if result_id is not None and result_id != self.state.result_id:
            self.state.show_result(result_id)
