"""Item models behind the inspector: the lazy element tree and the sortable word list.

Plain Qt models over a :class:`~ocrviewer.core.model.Document`; the inspector panel
(:mod:`ocrviewer.gui.inspector`) owns the views and the syncing with the viewer state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from ocrviewer.core.columns import page_columns
from ocrviewer.core.confidence import word_confidence
from ocrviewer.core.model import Document
from ocrviewer.core.palette import FULL_SCALE, ConfidenceScale
from ocrviewer.core.text_rows import InspectorData, Paths, collect_rows, format_confidence, ref_path
from ocrviewer.gui.state import ElementRef

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # default parent argument (never mutated)

#: sort key for "no confidence": after every real value, so ascending order shows the worst first
NO_CONFIDENCE_KEY = 2.0


def confidence_color(value: float | None, scale: ConfidenceScale = FULL_SCALE) -> QColor:
    """The swatch of a confidence on ``scale``: the colour the canvas draws it in."""
    return QColor(*scale.rgb(value))


# -- the tree -------------------------------------------------------------------------------------
class _Node:
    """One tree row. Children are made the first time the view asks for them."""

    __slots__ = ("parent", "row", "path", "children")

    def __init__(self, parent: _Node | None, row: int, path: tuple[int, ...]) -> None:
        self.parent = parent
        self.row = row
        self.path = path  # (page,), (page, block), (page, block, line) or (page, block, line, word)
        self.children: list[_Node] | None = None


_LEVEL_OF_DEPTH = {1: "page", 2: "block", 3: "line", 4: "word"}


class DocumentTreeModel(QAbstractItemModel):
    """Page -> block -> line -> word, two columns: text and confidence."""

    HEADERS = ("Element", "Conf.")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._doc: Document | None = None
        self._root = _Node(None, 0, ())
        #: elements made from a column page's columns, by path (a row asks many times per paint)
        self._made: dict[tuple[int, ...], Any] = {}
        #: what a row shows, by path (see _row)
        self._rows: dict[tuple[int, ...], tuple[Any, float | None, Any, Any, str]] = {}
        self.scale = FULL_SCALE

    def set_scale(self, scale: ConfidenceScale) -> None:
        """Swatches on ``scale`` (the canvas' colours), repainted in place."""
        if scale != self.scale:
            self.scale = scale
            self.layoutChanged.emit()  # every expanded row's swatch; the rows stay

    # -- data source ------------------------------------------------------------------
    def set_document(self, doc: Document | None, *, same_structure: bool = False) -> None:
        """Show ``doc``. With ``same_structure`` (only polygons moved) the rows stay as they are."""
        if same_structure:
            self._doc = doc
            self._made, self._rows = {}, {}
            return
        self.beginResetModel()
        self._doc = doc
        self._root = _Node(None, 0, ())
        self._made, self._rows = {}, {}
        self.endResetModel()

    def element(self, path: tuple[int, ...]) -> Any:
        doc = self._doc
        if doc is None or not path:
            return doc
        obj: Any = doc.pages[path[0]]
        cols = page_columns(obj)
        if cols is not None and len(path) > 1:  # a page parsed as columns: only this element is made
            made = self._made.get(path)
            if made is None:
                if len(self._made) > 512:
                    self._made.clear()
                made = self._made[path] = cols.at(path[1:])
            return made
        if len(path) > 1:
            obj = obj.blocks[path[1]]
        if len(path) > 2:
            obj = obj.lines[path[2]]
        if len(path) > 3:
            obj = obj.words[path[3]]
        return obj

    def _count(self, node: _Node) -> int:
        if self._doc is None:
            return 0
        depth = len(node.path)
        if depth == 0:
            return len(self._doc.pages)
        if depth == 4:
            return 0
        cols = page_columns(self._doc.pages[node.path[0]])
        if cols is not None:
            return cols.children_count(node.path[1:])
        obj = self.element(node.path)
        return len(getattr(obj, ("blocks", "lines", "words")[depth - 1]))

    def _children(self, node: _Node) -> list[_Node]:
        if node.children is None:
            node.children = [_Node(node, i, (*node.path, i)) for i in range(self._count(node))]
        return node.children

    def _node(self, index: Index) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    # -- refs -------------------------------------------------------------------------
    def ref_for_index(self, index: Index) -> ElementRef | None:
        if not index.isValid():
            return None
        path = self._node(index).path
        level = _LEVEL_OF_DEPTH[len(path)]
        if level == "page":
            return None
        return ElementRef(level, *path)

    def index_for_ref(self, ref: ElementRef) -> QModelIndex:
        path = [ref.page, ref.block]
        if ref.level in ("line", "word"):
            path.append(ref.line)
        if ref.level == "word":
            path.append(ref.word)
        node = self._root
        index = QModelIndex()
        for row in path:
            children = self._children(node)
            if not 0 <= row < len(children):
                return QModelIndex()
            node = children[row]
            index = self.createIndex(row, 0, node)
        return index

    # -- QAbstractItemModel -----------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        children = self._children(self._node(parent))
        if not (0 <= row < len(children) and 0 <= column < len(self.HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index | None = None) -> Any:  # type: ignore[override]
        if index is None:  # QObject.parent()
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        up = self._node(index).parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() and parent.column() > 0:
            return 0
        node = self._node(parent)
        return len(node.children) if node.children is not None else self._count(node)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def _row(self, node: _Node) -> tuple[Any, float | None, Any, Any, str]:
        """(element, its confidence, its words' confidence, the same when it has none of its own,
        its label) of a row, made once:
        a view asks for several roles of every visible row on every paint, and a block's stats
        and first line read all its words (a first paint of the tree after a 10k-word result
        landed took 15-35 ms)."""
        got = self._rows.get(node.path)
        if got is not None:
            return got
        if len(self._rows) > 512:
            self._rows.clear()
        depth = len(node.path)
        obj = self.element(node.path)
        conf = getattr(obj, "confidence", None)
        words = word_confidence(obj) if depth in (2, 3) else None
        stats = words if conf is None else None
        if depth == 1:
            size = f" ({obj.width:.0f}×{obj.height:.0f})" if obj.width and obj.height else ""
            label = f"Page {obj.index + 1}{size}"  # a document's page says which page it is
        elif depth == 2:
            kind = f" [{obj.layout_type}]" if obj.layout_type else ""
            first = obj.lines[0].text if obj.lines else ""
            label = f"Block {node.path[1] + 1}{kind}: {first}"
        else:
            label = obj.text
        got = self._rows[node.path] = (obj, conf, words, stats, label)
        return got

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._doc is None:
            return None
        node = self._node(index)
        depth = len(node.path)
        obj, conf, words, stats, label = self._row(node)
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 1:
                if stats is not None:
                    return stats.short()
                return "" if depth == 1 else format_confidence(conf)
            return label
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 1:
            if conf is not None:
                return confidence_color(conf, self.scale)
            if stats is not None:
                return confidence_color(stats.low, self.scale)
        if role == Qt.ItemDataRole.ToolTipRole:
            if depth in (2, 3) and index.column() == 1:
                return words.describe() + " (min/mean)" if words is not None else "no confidence"
            return obj.text if depth > 1 else None
        return None


# -- the word list --------------------------------------------------------------------------------
class WordListModel(QAbstractTableModel):
    """Elements of one level as rows: text, confidence, level, page.

    Rows live in flat lists in reading order; ``_order`` maps display rows to them and the
    :class:`ElementRef` of a row is made only when asked for.
    """

    HEADERS = ("Text", "Conf.", "Level", "Page")  # ("Conf." as the tree's: the panel is narrow)
    REF_ROLE = Qt.ItemDataRole.UserRole + 1
    #: "1" for a row under :attr:`below`, else "0": what :class:`SourceSortProxy` filters on
    BELOW_ROLE = Qt.ItemDataRole.UserRole + 2
    #: the confidence the proxy lists the rows under (None: every row)
    below: float | None = None

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._level = "word"
        self._texts: list[str] = []
        self._confs: list[float | None] = []
        self._paths = Paths()
        #: display row -> reading-order index (made on the first row_of)
        #: display row -> reading-order index, as an int array (10^5 rows sort in numpy)
        self._order = np.zeros(0, dtype=np.intp)
        self._display_row: np.ndarray | None = None
        self.scale = FULL_SCALE

    def set_scale(self, scale: ConfidenceScale) -> None:
        """Swatches on ``scale`` (the canvas' colours), repainted in place."""
        if scale != self.scale:
            self.scale = scale
            if self._texts:
                top, bottom = self.index(0, 1), self.index(len(self._order) - 1, 1)
                self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DecorationRole])

    def set_rows(self, doc: Document | None, level: str, prepared: InspectorData | None = None) -> None:
        """Rows of ``level`` in ``doc``; the word rows ``prepared`` holds if it was made for ``doc``."""
        self.beginResetModel()
        self._level = level
        if doc is not None and level == "word" and prepared is not None and prepared.document is doc:
            self._texts, self._confs, self._paths = prepared.rows
        else:
            self._texts, self._confs, self._paths = collect_rows(doc, level)
        self._order = np.arange(len(self._texts))
        self._display_row = None
        self.endResetModel()

    def set_document_rows(self, docs: list[tuple[int, Document | None]], level: str) -> None:
        """Rows of every page of a document: ``docs`` holds (page, its result) pairs; a row's
        page (the first index of its path, and the Page column) is that page, not the result's."""
        self.beginResetModel()
        self._level = level
        texts: list[str] = []
        confs: list[float | None] = []
        paths: list[Paths] = []
        for page, doc in docs:
            if doc is None:
                continue
            t, c, ps = collect_rows(doc, level)
            texts += t
            confs += c
            ps.array[:, 0] = page
            paths.append(ps)
        self._texts, self._confs, self._paths = texts, confs, Paths.joined(paths)
        self._order = np.arange(len(texts))
        self._display_row = None
        self.endResetModel()

    def row_of(self, ref: ElementRef) -> int:
        if ref.level != self._level:
            return -1
        i = self._paths.find(ref_path(ref))
        if i < 0:
            return -1
        return int(self._display_rows()[i])

    def _display_rows(self) -> np.ndarray:
        """Reading-order index -> display row (the inverse of ``_order``), made once per order."""
        if self._display_row is None:
            display = np.empty(len(self._order), dtype=np.intp)
            display[self._order] = np.arange(len(self._order))
            self._display_row = display
        return self._display_row

    def ref_at(self, row: int) -> ElementRef:
        return ElementRef(self._level, *self._paths[int(self._order[row])])

    def confidence_at(self, row: int) -> float | None:
        return self._confs[int(self._order[row])]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort with precomputed keys (one pass, not a data() call per comparison; numbers in numpy).

        Ties keep reading order when ascending; words without a confidence stay last in both
        directions.
        """
        if not 0 <= column < len(self.HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_items = [int(self._order[i.row()]) for i in old]
        reverse = order == Qt.SortOrder.DescendingOrder
        n = len(self._texts)
        if column == 0:
            keys: list[Any] = [t.casefold() for t in self._texts]
            if reverse:  # ties in reverse reading order, as a (key, index) sort would give
                self._order = np.array(
                    sorted(range(n), key=lambda i: (keys[i], i), reverse=True), dtype=np.intp
                )
            else:
                self._order = np.array(sorted(range(n), key=keys.__getitem__), dtype=np.intp)
        else:  # numbers: one stable numpy sort (a Python sort of 100k rows took ~40 ms)
            if column == 1:
                conf = np.array(self._confs, dtype=np.float64)  # None -> NaN
                values = np.where(np.isnan(conf), NO_CONFIDENCE_KEY, conf)
            elif column == 2:
                values = np.zeros(n)  # one level per list: reading order
            else:
                values = self._paths.array[:, 0]
            rows = np.argsort(values, kind="stable")
            if reverse:  # descending, ties in reverse reading order
                rows = rows[::-1]
                if column == 1:  # words without a confidence stay last
                    none = values[rows] == NO_CONFIDENCE_KEY
                    rows = np.concatenate([rows[~none], rows[none]])
            self._order = rows
        self._display_row = None
        if old:
            display = self._display_rows()
            self.changePersistentIndexList(
                old, [self.index(int(display[k]), i.column()) for k, i in zip(old_items, old, strict=True)]
            )
        self.layoutChanged.emit()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        i = int(self._order[index.row()])
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return self._texts[i]
            if col == 1:
                return format_confidence(self._confs[i])
            return self._level if col == 2 else str(self._paths[i][0] + 1)
        if role == self.REF_ROLE:
            return ElementRef(self._level, *self._paths[i])
        if role == self.BELOW_ROLE:
            conf = self._confs[i]
            return "1" if self.below is not None and conf is not None and conf < self.below else "0"
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return confidence_color(self._confs[i], self.scale)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SourceSortProxy(QSortFilterProxyModel):
    """A proxy that hands sorting to the source model (fast for 10,000 rows) and keeps its order.

    With :meth:`set_below` it lists only the rows under a confidence (the suspects, for checking).
    """

    below: float | None = None

    def set_below(self, value: float | None) -> None:
        if value == self.below:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+, where invalidateFilter() is deprecated
            self.beginFilterChange()
            self._filter_below(value)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older PySide6 (>= 6.6 is supported)
            self._filter_below(value)
            self.invalidateFilter()

    def _filter_below(self, value: float | None) -> None:
        # Qt's own filter on the source's BELOW_ROLE, not a Python filterAcceptsRow: with no filter
        # Qt accepts every row without a call per row (10k Python calls each time a result landed)
        self.below = value
        source = self.sourceModel()
        if source is not None:
            source.below = value
        self.setFilterRole(WordListModel.BELOW_ROLE)
        self.setFilterFixedString("" if value is None else "1")

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)
