"""Compare mode's Differences panel: the wrong words worst first; a click (or . and ,) jumps to one.

Each row reads as the word's tooltip and the Inspector name it (``core.compare_notes``); the row
keeps where the pair is, so the wipe's and side by side's B view is marked there too.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem

from ocrviewer.core.compare import PageComparison
from ocrviewer.core.compare_notes import difference_row
from ocrviewer.core.palette import STATUS_COLORS
from ocrviewer.gui.compare_views import CompareViews
from ocrviewer.gui.settings_keys import WINDOW_STATE_KEY, saved_blob


class DifferencesPanel:
    """The list and its dock (hidden until compare mode shows it)."""

    def __init__(self, window: Any) -> None:
        self.w = window
        #: the wipe and side by side views, whose B is marked where a row's pair is (set by compare mode)
        self.views: CompareViews | None = None
        self._swatches: dict[str, QIcon] = {}
        self.list = QListWidget()
        self.list.itemActivated.connect(self.jump)
        self.list.itemClicked.connect(self.jump)
        self.list.currentItemChanged.connect(lambda item, _old: item is not None and self.jump(item))
        self.dock = QDockWidget("Differences", window)
        self.dock.setObjectName("differences")
        self.dock.setWidget(self.list)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        # a saved layout places the panel where the user left it; without one it joins the
        # right-hand tab group when first shown instead of stacking a fourth panel there
        saved = saved_blob(window.settings, WINDOW_STATE_KEY)
        self.placed = saved is not None and "differences".encode("utf-16-be") in saved

    def place(self) -> None:
        """First show without a saved place: a tab beside Check and Quality (on the right, or with
        every panel on the left in a narrow window), never a panel of its own squeezing the picture."""
        self.placed = True
        for name in ("checkDock", "qualityDock", "inspectorDock"):
            other = self.w.findChild(QDockWidget, name)
            if (
                other is not None
                and not other.isFloating()
                and self.w.dockWidgetArea(other) != Qt.DockWidgetArea.NoDockWidgetArea
            ):
                self.w.tabifyDockWidget(other, self.dock)
                return

    def step(self, direction: int) -> None:
        """Select the next (+1) or previous (-1) row and jump to it."""
        n = self.list.count()
        if n == 0:
            return
        row = self.list.currentRow()
        row = (0 if direction > 0 else n - 1) if row < 0 else max(0, min(n - 1, row + direction))
        self.list.setCurrentRow(row)
        item = self.list.currentItem()
        if item is not None:
            self.jump(item)

    def fill(self, pc: PageComparison, truth_shown: bool) -> None:
        self.list.clear()
        words = pc.ref_words if truth_shown else pc.result_words
        for p in pc.worst(500):
            item = QListWidgetItem(self._swatch(p.status), difference_row(p))
            i = p.ref_index if truth_shown else p.result_index
            model = words.model_index[i] if i >= 0 else -1
            item.setData(Qt.ItemDataRole.UserRole, model)
            # where the pair is (the truth's word, else the result's): B is marked there too
            word = p.ref if p.ref is not None and p.ref.polygon else p.result
            item.setData(Qt.ItemDataRole.UserRole + 1, word.polygon if word is not None else None)
            if model < 0:
                item.setToolTip("not on the result shown: switch A/B (B) to see it")
            self.list.addItem(item)

    def _swatch(self, status: str) -> QIcon:
        """A square of the status colour, as the canvas and the legend show it."""
        icon = self._swatches.get(status)
        if icon is None:
            pixmap = QPixmap(12, 12)
            pixmap.fill(QColor(STATUS_COLORS[status]))
            icon = self._swatches[status] = QIcon(pixmap)
        return icon

    def jump(self, item: QListWidgetItem) -> None:
        model = item.data(Qt.ItemDataRole.UserRole)
        polygon = item.data(Qt.ItemDataRole.UserRole + 1)
        if self.views is not None:
            self.views.mark(tuple(tuple(p) for p in polygon) if polygon else None)
        data = self.w.canvas.layers["word"].data
        ref = data.ref(int(model)) if model is not None and 0 <= model < len(data) else None
        if ref is not None:
            self.w.state.select(ref)
            self.w.canvas.center_on_ref(ref)  # again when already selected (the list stepped back)
        elif polygon:
            xs = [p[0] for p in polygon]
            ys = [p[1] for p in polygon]
            self.w.canvas.centerOn(QPointF((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))
