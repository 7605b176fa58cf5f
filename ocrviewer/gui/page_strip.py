"""The page strip: every page of the open document with a thumbnail and its status.

A :class:`PageStripModel` lists the pages in the document controller's order (page order, or worst
first); each row says the page's status: no result, or its words, mean confidence and worst word
(a batch's failed page says why). Thumbnails are rendered in the window's workers
(``SourcePage.render(max_side=...)``) only for the rows the view asks for, i.e. the visible ones;
rows wait with an empty icon meanwhile and the GUI thread never renders a page.
"""

from __future__ import annotations

from typing import Any

from PIL import ImageOps
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.core.document_pages import status_text
from ocrviewer.core.wording import counted
from ocrviewer.core.workspace import WorkspaceEvent
from ocrviewer.gui.document import DocumentController
from ocrviewer.gui.image_loader import pil_to_qimage
from ocrviewer.gui.state import ViewerState
from ocrviewer.gui.worker import Workers
from ocrviewer.providers.base import CancelToken, ProgressCallback

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
THUMB_SIDE = 96
#: thumbnails one worker renders before the next batch is taken (most recently asked for first)
THUMBS_PER_WORKER = 6
PAGE_ROLE = Qt.ItemDataRole.UserRole + 1


class PageStripModel(QAbstractListModel):
    """Rows: the document's pages in the listed order; text = label and status, icon = thumbnail."""

    def __init__(
        self, state: ViewerState, documents: DocumentController, workers: Workers, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.state, self.documents, self.workers = state, documents, workers
        self.thumb_side = THUMB_SIDE
        self._order: list[int] = []
        self._status: dict[int, str] = {}
        self.thumbs: dict[int, QImage] = {}
        self._pending: list[int] = []
        self._rendering = False
        self._worker: Any = None
        self._doc_id = 0
        self._placeholder: QPixmap | None = None
        #: rows on screen (first, last), told by the view; None: nothing is on screen
        self.visible_rows: Any = lambda: None
        documents.orderChanged.connect(self.reset)
        documents.opened.connect(lambda _n: self._new_document())
        state.workspace.subscribe(self._workspace_changed)
        state.imageChanged.connect(self._image_changed)

    # -- following the document ----------------------------------------------------------------
    def _new_document(self) -> None:
        if self._worker is not None:
            self._worker.cancel()  # it stops after the page it is rendering
        self._doc_id += 1
        self.thumbs.clear()
        self._pending.clear()
        self.reset()

    def _image_changed(self) -> None:
        if self.state.source is None and self._order:  # a lone image: no pages to list
            self._new_document()

    def reset(self) -> None:
        self.beginResetModel()
        self._order = list(self.documents.order) if self.state.source is not None else []
        self._status.clear()
        self.endResetModel()

    def _workspace_changed(self, event: WorkspaceEvent) -> None:
        if event.kind == "source" or event.page < 0:
            return
        self._status.pop(event.page, None)
        row = self.row_of(event.page)
        if row >= 0:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])

    def row_of(self, page: int) -> int:
        try:
            return self._order.index(page)
        except ValueError:
            return -1

    def page_at(self, row: int) -> int:
        return self._order[row]

    def status(self, page: int) -> str:
        text = self._status.get(page)
        if text is None:
            batch = self.documents.batch_status.get(page)
            failed = batch.reason or "failed" if batch is not None and batch.status == "failed" else None
            text = self._status[page] = status_text(self.state.page_document(page), failed)
        return text

    def label(self, page: int) -> str:
        source = self.state.source
        if source is not None and source.kind == "folder":
            return f"{page + 1}. {source.pages[page].label}"
        return f"Page {page + 1}"

    # -- QAbstractListModel --------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._order)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._order):
            return None
        page = self._order[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{self.label(page)}\n{self.status(page)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.label(page)}: {self.status(page)}".replace("\n", " · ")
        if role == Qt.ItemDataRole.DecorationRole:
            thumb = self.thumbs.get(page)
            if thumb is None:
                shown = self.visible_rows()  # a view laying out asks for rows it does not paint
                if shown is not None and shown[0] <= index.row() <= shown[1]:
                    self._request(page)
                return self._blank()
            return thumb
        if role == PAGE_ROLE:
            return page
        return None

    def _blank(self) -> QPixmap:
        if self._placeholder is None:
            side = self.thumb_side
            self._placeholder = QPixmap(side * 3 // 4, side)
            self._placeholder.fill(QColor(0, 0, 0, 0))
        return self._placeholder

    # -- thumbnails ----------------------------------------------------------------------------
    def _request(self, page: int) -> None:
        """Ask for ``page``'s thumbnail (the view asks only for visible rows)."""
        if page in self._pending:
            self._pending.remove(page)
        self._pending.append(page)
        if not self._rendering:
            self._start()

    def _start(self) -> None:
        source = self.state.source
        if source is None or not self._pending:
            return
        shown = self.visible_rows()
        if shown is not None:  # rows scrolled past meanwhile are asked for again when shown
            near = range(shown[0] - 10, shown[1] + 11)
            self._pending = [i for i in self._pending if self.row_of(i) in near]
            if not self._pending:
                return
        batch = list(reversed(self._pending[-THUMBS_PER_WORKER:]))  # the latest asked for first
        del self._pending[-THUMBS_PER_WORKER:]
        pages = [(i, source.pages[i]) for i in batch if i not in self.thumbs]
        side = self.thumb_side
        doc_id = self._doc_id

        def work(cancel: CancelToken, progress: ProgressCallback) -> Any:
            for i, page in pages:
                try:
                    picture = page.render(max_side=side)
                except Exception:  # a page that fails to render keeps an empty icon; flipping to it says why
                    continue
                picture = ImageOps.expand(picture.convert("RGB"), border=1, fill=(150, 150, 150))
                qimg, _buf = pil_to_qimage(picture)
                yield doc_id, i, qimg.copy()

        def landed(item: tuple[int, int, QImage]) -> None:
            did, i, qimg = item
            if did != self._doc_id:
                return
            self.thumbs[i] = qimg
            row = self.row_of(i)
            if row >= 0:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

        def finished() -> None:
            self._rendering = False
            self._worker = None
            if self._pending:  # (cleared on a new document: what is left is the current one's)
                self._start()

        self._rendering = True
        self._worker = self.workers.submit(work, name="thumbnails", on_yielded=landed, on_finished=finished)


class PageStrip(QWidget):
    """The Pages panel: the order chooser and the list; clicking a page shows it."""

    def __init__(
        self,
        state: ViewerState,
        documents: DocumentController,
        workers: Workers,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.documents = state, documents
        self.model = PageStripModel(state, documents, workers, self)
        self.view = _StripView(self)
        self.view.setItemDelegate(_CellDelegate(self.view))
        self.view.setObjectName("pageStrip")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)  # rows are laid out without asking every row's data
        # the status under its thumbnail, one column of cells as wide as the strip: beside the
        # thumbnail a narrow strip left the text ~50 px, one word a line
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setFlow(QListView.Flow.TopToBottom)
        self.view.setWrapping(False)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.view.setSpacing(2)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setWordWrap(True)
        self.order_combo = QComboBox(self)
        self.order_combo.addItem("Page order", "pages")
        self.order_combo.addItem("Worst first", "worst")
        self.order_combo.setToolTip("List pages in document order, or the least confident first")
        self.count_label = QLabel("", self)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.order_combo)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.model.visible_rows = self._visible_rows
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        self.order_combo.currentIndexChanged.connect(self._order_chosen)
        state.pageChanged.connect(self._follow)
        self.model.modelReset.connect(self._after_reset)
        if state.source is not None:  # a document opened before the panels were made (view doc.pdf)
            self.model.reset()

    def preferred_width(self) -> int:
        """Wide enough for a thumbnail and its longest usual status line ("worst 'quickly' 0.25"),
        the scroll bar and the margins: the width the Pages column gets on a first start."""
        text = self.fontMetrics().horizontalAdvance("worst 'quickly' 0.25")
        bar = self.view.verticalScrollBar().sizeHint().width()
        return max(THUMB_SIDE, text) + bar + 2 * self.view.spacing() + 24

    def _visible_rows(self) -> tuple[int, int] | None:
        """The first and last rows on screen (None: the strip is hidden or empty)."""
        view, n = self.view, self.model.rowCount()
        height = view.viewport().height()
        if not n or not view.isVisible() or height < 2:
            return None
        x = view.spacing() + 4
        gap = 2 * view.spacing() + 3  # the spacing between rows hits no row

        def row_near(y: int, direction: int) -> int | None:
            for dy in range(gap):
                index = view.indexAt(QPoint(x, y + direction * dy))
                if index.isValid():
                    return index.row()
            return None

        first = row_near(0, +1)
        if first is None:
            return None
        last = row_near(height - 1, -1)
        return first, n - 1 if last is None else last

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            page = self.model.page_at(index.row())
            if page != self.state.page:
                self.documents.go_to(page)

    def _follow(self, page: int) -> None:
        row = self.model.row_of(page)
        if row >= 0:
            index = self.model.index(row)
            if self.view.currentIndex() != index:
                self.view.setCurrentIndex(index)
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _after_reset(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(counted(n, "page"))
        worst = self.documents.order_kind == "worst"
        if (self.order_combo.currentData() == "worst") != worst:
            self.order_combo.blockSignals(True)
            self.order_combo.setCurrentIndex(1 if worst else 0)
            self.order_combo.blockSignals(False)
        self._follow(self.state.page)

    def _order_chosen(self) -> None:
        self.documents.set_order(str(self.order_combo.currentData()))


class _StripView(QListView):
    """One column of cells as wide as the strip: a thumbnail, under it its page's status lines."""

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        self._fit_cells()
        super().resizeEvent(event)

    def _fit_cells(self) -> None:
        lines = 4  # "Page 3", "312 words", "mean 0.94", "worst 'lmn' 0.31"
        width = max(THUMB_SIDE, self.viewport().width() - 2 * self.spacing())
        height = THUMB_SIDE + self.fontMetrics().lineSpacing() * lines + 12
        if self.gridSize() != QSize(width, height):
            self.setGridSize(QSize(width, height))


class _CellDelegate(QStyledItemDelegate):
    """The thumbnail's place as wide as the cell (the picture centred in it): under a thumbnail
    Qt wraps the text at the picture's width, 96 px, which broke "worst 'lmn' 0.31"."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        view = self.parent()
        if isinstance(view, QListView) and view.gridSize().width() > THUMB_SIDE:
            option.decorationSize = QSize(view.gridSize().width() - 8, THUMB_SIDE)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        # every cell the grid's size: rows are laid out from one (uniform sizes), whose status may
        # have fewer lines ("no result") than the others
        view = self.parent()
        if isinstance(view, QListView) and view.gridSize().isValid():
            return view.gridSize() - QSize(4, 4)
        return super().sizeHint(option, index)
