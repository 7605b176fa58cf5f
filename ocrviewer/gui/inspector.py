"""The inspector dock: element tree, full text, word list sorted by confidence, and search.

Every part follows :class:`~ocrviewer.gui.state.ViewerState`: picking an element anywhere
calls ``state.select(ref)`` and every part shows ``state.selection`` when it changes. The tree
model creates its nodes lazily and the views use uniform row heights, so a 10,000-word
document opens without a pause. The item models live in :mod:`ocrviewer.gui.inspector_models`.
"""

from __future__ import annotations

import bisect
import html

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QMouseEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.core.model import Document
from ocrviewer.core.palette import FULL_SCALE, SEARCH_COLOR, SELECTION_COLOR
from ocrviewer.core.scripts import no_font_note, scripts_in
from ocrviewer.core.text_rows import ElementPath, InspectorData, Paths, build_text_paths, iter_refs, ref_path
from ocrviewer.gui.fonts import unshown_scripts
from ocrviewer.gui.inspector_models import DocumentTreeModel, SourceSortProxy, WordListModel
from ocrviewer.gui.state import ElementRef, ViewerState

#: text views stop painting search matches past this many (the canvas still shows them all)
MAX_TEXT_HIGHLIGHTS = 2000
#: how long after a new document the text and word list are rebuilt: a zero-delay timer ran in
#: the same event-loop pass as the canvas's first paint of the new overlay (one long pause)
REBUILD_DELAY_MS = 30


# -- the full text --------------------------------------------------------------------------------
class _TextView(QTextEdit):
    """The page's text, each line laid out in its own direction: an Arabic or Hebrew line reads from
    the right edge, a Latin one from the left (QPlainTextEdit lays every line out left-aligned)."""

    clicked = Signal(int)  # character position of a plain click (no drag selection)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            self.clicked.emit(self.cursorForPosition(event.position().toPoint()).position())


def _ref(path: ElementPath) -> ElementRef:
    return ElementRef("word" if path[3] >= 0 else "line", *path)


def build_text(doc: Document) -> tuple[str, list[int], list[int], list[ElementRef]]:
    """Like :func:`build_text_paths`, with an :class:`ElementRef` per range."""
    text, starts, ends, paths = build_text_paths(doc)
    return text, starts, ends, [_ref(path) for path in paths]


# -- the dock contents ----------------------------------------------------------------------------
class InspectorPanel(QWidget):
    """Search box on top; tabs for the tree, the full text and the word list."""

    LEVELS = (("Words", "word"), ("Lines", "line"), ("Blocks", "block"))

    #: the panel wants to be seen (Ctrl+F); the dock that holds it comes to the front
    attentionRequested = Signal()

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._source: Document | None = None
        self._syncing = False
        self.matches: tuple[ElementRef, ...] = ()
        self.match_index = -1
        #: a document of several pages: every match as (page, ref on that page's result)
        self.doc_matches: list[tuple[int, ElementRef]] = []
        self._search_key: tuple[object, ...] | None = None
        self._rows_key: tuple[object, ...] | None = None
        self._text_starts: list[int] = []
        self._text_ends: list[int] = []
        self._text_paths = Paths()
        #: pending rebuild for a new document: 0 none, 1 text (then words), 2 word list
        self._stage = 0

        # search row
        self.search_edit = QLineEdit(placeholderText="Find text (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip(
            "Highlights matching words (lines when the text has a space); Enter/F3 next, Shift+F3 previous"
        )
        self.search_edit.setObjectName("inspectorSearch")
        self.search_label = QLabel("")
        self.search_label.setMinimumWidth(60)
        self.prev_button = QToolButton(text="▲", toolTip="Previous match (Shift+F3)", autoRaise=True)
        self.next_button = QToolButton(text="▼", toolTip="Next match (F3)", autoRaise=True)
        search_row = QHBoxLayout()
        search_row.setContentsMargins(0, 0, 0, 0)
        for w in (self.search_edit, self.search_label, self.prev_button, self.next_button):
            search_row.addWidget(w)

        # tree
        self.tree_model = DocumentTreeModel(self)
        self.tree = QTreeView(uniformRowHeights=True, alternatingRowColors=True)
        self.tree.setModel(self.tree_model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.tree.header().resizeSection(1, self._text_width("Conf.", "0.00/0.00") + 36)

        # text
        self.text_view = _TextView(readOnly=True, acceptRichText=False)
        self.text_view.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.text_view.setPlaceholderText("No recognized text yet: open a response or run recognition.")

        # word list
        self.words_model = WordListModel(self)
        self.words_proxy = SourceSortProxy(self)
        self.words_proxy.setSourceModel(self.words_model)
        self.words_table = QTableView(sortingEnabled=True, alternatingRowColors=True)
        self.words_table.setModel(self.words_proxy)
        self.words_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.words_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.words_table.verticalHeader().hide()
        self.words_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.words_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # sized once: ResizeToContents made every layout pass ask data() of row after row (10k rows)
        for col, samples in (
            (1, ("Conf.", "0.00")),
            (2, ("Level", "block", "word")),
            (3, ("Page", "999")),
        ):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, self._text_width(*samples) + (44 if col == 1 else 24))
        # every row's level is the one shown (Show: Words, Lines or Blocks): its column left room for
        # the text in a 270 px panel of ~30 px ('e...', 'in...')
        self.words_table.setColumnHidden(2, True)
        self.words_table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.level_combo = QComboBox()
        for label, level in self.LEVELS:
            self.level_combo.addItem(label, level)
        words_page = QWidget()
        wl = QVBoxLayout(words_page)
        wl.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.level_combo)
        top.addStretch(1)
        top.addWidget(QLabel("click a header to sort"))
        wl.addLayout(top)
        wl.addWidget(self.words_table)

        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.tree, "Tree")
        self.tabs.addTab(self.text_view, "Text")
        self.tabs.addTab(words_page, "Words")

        #: scripts of the text no installed font shows (drawn as boxes), and what to install
        self.font_note = QLabel("", wordWrap=True, objectName="inspectorFontNote")
        self.font_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.font_note.setStyleSheet("QLabel { color: palette(text); background: #fff3cd; padding: 3px; }")
        self.font_note.hide()
        #: (font key, sample) -> whether the installed fonts show it (they do not change meanwhile)
        self._shown_samples: dict[tuple[str, str], bool] = {}

        #: compare mode: the selected word's status, the truth's text and the edit distance
        self.compare_box = QLabel("", wordWrap=True, objectName="inspectorCompare")
        self.compare_box.setTextFormat(Qt.TextFormat.RichText)
        self.compare_box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.compare_box.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(search_row)
        layout.addWidget(self.font_note)
        layout.addWidget(self.compare_box)
        layout.addWidget(self.tabs)

        # actions (added to the main window by install_docks so the shortcuts work everywhere)
        self.find_action = QAction("Find…", self, shortcut=QKeySequence.StandardKey.Find)
        self.find_next_action = QAction("Find next", self, shortcut=QKeySequence(Qt.Key.Key_F3))
        self.find_previous_action = QAction(
            "Find previous", self, shortcut=QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_F3)
        )
        self.find_action.triggered.connect(self.focus_search)
        self.find_next_action.triggered.connect(self.next_match)
        self.find_previous_action.triggered.connect(self.previous_match)

        # wiring
        self.search_edit.textChanged.connect(self.search)
        self.search_edit.returnPressed.connect(self.next_match)
        self.next_button.clicked.connect(self.next_match)
        self.prev_button.clicked.connect(self.previous_match)
        self.tree.selectionModel().currentChanged.connect(self._tree_current_changed)
        self.text_view.clicked.connect(self._text_clicked)
        self.words_table.clicked.connect(self._table_clicked)
        self.words_table.activated.connect(self._table_clicked)
        self.words_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._table_clicked(current)
        )
        self.level_combo.currentIndexChanged.connect(self._rebuild_word_list)
        state.documentChanged.connect(self._document_changed)
        state.selectionChanged.connect(self._selection_changed)
        state.thresholdChanged.connect(lambda _v: self._only_suspects())
        state.belowThresholdChanged.connect(lambda _m: self._only_suspects())
        state.highlightsChanged.connect(self._paint_text_marks)
        state.colourScaleChanged.connect(self._colour_scale_changed)
        self._colour_scale_changed()
        self._document_changed()
        self.flush()

    def set_compare(self, rows: list[tuple[str, str]] | None, colour: str = "") -> None:
        """Show (label, value) rows about the selected word's comparison; None hides them."""
        if not rows:
            self.compare_box.clear()
            self.compare_box.hide()
            return
        swatch = f'<span style="color:{colour}">■</span> ' if colour else ""
        cells = "".join(
            f"<tr><td><b>{html.escape(k)}</b>&nbsp;</td><td>{swatch if i == 0 else ''}{html.escape(v)}</td></tr>"
            for i, (k, v) in enumerate(rows)
        )
        self.compare_box.setText(f"<table>{cells}</table>")
        self.compare_box.show()

    def _text_width(self, *samples: str) -> int:
        fm = self.fontMetrics()
        return max(fm.horizontalAdvance(t) for t in samples)

    # -- following the state ------------------------------------------------------------
    def _colour_scale_changed(self) -> None:
        """Swatches in the canvas' colours (the scale stretched over the words' confidences)."""
        scale = self.state.colour_scale or FULL_SCALE
        self.tree_model.set_scale(scale)
        self.words_model.set_scale(scale)

    def _only_suspects(self) -> None:
        """In "only the words under the threshold" mode, the word list shows just those too."""
        st = self.state
        self.words_proxy.set_below(
            st.min_confidence if st.below_threshold == "only" and st.min_confidence > 0 else None
        )

    def _document_changed(self) -> None:
        """Rebuild in a timer of its own, not inside the signal that landed the result.

        The text and word list of a 10k-word document take ~20 ms: run after the canvas has
        painted, they are a separate short pause instead of adding to the landing one.
        Everything that reads the rows first calls :meth:`flush` so nothing sees stale rows.
        """
        self.tree_model.set_document(self.state.document, same_structure=self._same_source())
        if not self._stage:
            QTimer.singleShot(REBUILD_DELAY_MS, self._rebuild_step)
        self._stage = 1  # (again) from the text

    def _same_source(self) -> bool:
        source = self.state.source_document
        return source is not None and source is self._source

    def _rebuild_step(self) -> None:
        """One stage of a pending rebuild (text, then word list), each in its own timer pass."""
        if self._stage == 1:
            self._build_text()
            if self._stage == 2:
                QTimer.singleShot(REBUILD_DELAY_MS, self._rebuild_step)
        elif self._stage == 2:
            self._build_words()

    @property
    def rebuilding(self) -> bool:
        """A new document's text and word list are still to be made (on their own timer passes)."""
        return bool(self._stage)

    def flush(self) -> None:
        """Bring the text and word list up to the state's document now, if a rebuild is pending."""
        if self._stage == 1:
            self._build_text()
        if self._stage == 2:
            self._build_words()

    def _build_text(self) -> None:
        state = self.state
        if self._same_source():  # only the placement moved: text and rows stay
            self._stage = 0
            return
        self._stage = 2
        self._source = state.source_document
        doc = state.document
        text, self._text_starts, self._text_ends, self._text_paths = (
            InspectorData.text_of(doc, state.prepared_inspector) if doc else ("", [], [], Paths())
        )
        self.text_view.setPlainText(text)
        self._note_missing_fonts(doc, text)

    def _note_missing_fonts(self, doc: Document | None, text: str) -> None:
        """Say which scripts of the result show as boxes for want of a font (once per result)."""
        prepared = self.state.prepared_inspector
        scripts = prepared.scripts if prepared is not None and prepared.document is doc else scripts_in(text)
        missing = unshown_scripts(scripts, self.text_view.font(), self._shown_samples)
        self.font_note.setText(no_font_note(missing) if missing else "")
        self.font_note.setVisible(bool(missing))

    def _build_words(self) -> None:
        self._stage = 0
        state = self.state
        doc = state.document
        self._rebuild_word_list()
        if doc is not None and doc.pages:
            self.tree.expand(self.tree_model.index(0, 0))
        self.search(self.search_edit.text())
        if state.selection is not None:
            self._selection_changed()
        else:
            self._paint_text_marks()

    def _rebuild_word_list(self) -> None:
        self.flush()
        state = self.state
        level = self.level_combo.currentData() or "word"
        if state.is_document:  # the rows span every page; flipping pages keeps them
            key = (id(state.workspace), state.results_version, level)
            if key == self._rows_key:
                return
            self._rows_key = key
            pages = range(len(state.workspace.pages))
            self.words_model.set_document_rows([(i, state.page_document(i)) for i in pages], level)
        else:
            self._rows_key = None
            self.words_model.set_rows(state.document, level, state.prepared_inspector)
        header = self.words_table.horizontalHeader()
        self.words_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def _selection_changed(self) -> None:
        if self._syncing:
            return
        if self._stage and self.state.selection is None:  # flush() paints the marks later
            self.tree.selectionModel().clearSelection()
            self.words_table.clearSelection()
            return
        self.flush()
        self._syncing = True
        try:
            ref = self.state.selection
            if ref is None:
                self.tree.selectionModel().clearSelection()
                self.words_table.clearSelection()
            else:
                index = self.tree_model.index_for_ref(ref)
                if index.isValid():
                    parent = index.parent()
                    while parent.isValid():
                        self.tree.expand(parent)
                        parent = parent.parent()
                    self.tree.setCurrentIndex(index)
                    self.tree.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
                row = self.words_model.row_of(self._row_ref(ref))
                if row >= 0:
                    proxy_index = self.words_proxy.mapFromSource(self.words_model.index(row, 0))
                    self.words_table.selectRow(proxy_index.row())
                    self.words_table.scrollTo(proxy_index)
                else:
                    self.words_table.clearSelection()
            self._paint_text_marks(scroll=True)
        finally:
            self._syncing = False

    def _paint_text_marks(self, scroll: bool = False) -> None:
        """Search matches in yellow, the selection in the selection colour, in the text view."""
        if self._stage:
            return  # the text is about to change; flush() paints the marks
        marks: list[QTextEdit.ExtraSelection] = []
        doc = self.text_view.document()

        def mark(ref: ElementRef, color: str, alpha: int) -> QTextCursor | None:
            if ref.level not in ("word", "line"):
                return None
            i = self._text_paths.find(ref_path(ref))
            if i < 0 or (ref.level == "line" and self._text_paths[i][3] >= 0):
                return None
            cursor = QTextCursor(doc)
            cursor.setPosition(self._text_starts[i])
            cursor.setPosition(self._text_ends[i], QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            c = QColor(color)
            c.setAlpha(alpha)
            fmt.setBackground(c)
            sel = QTextEdit.ExtraSelection()
            sel.cursor, sel.format = cursor, fmt
            marks.append(sel)
            return cursor

        for ref in self.state.highlights[:MAX_TEXT_HIGHLIGHTS]:
            mark(ref, SEARCH_COLOR, 150)
        selected = None
        if self.state.selection is not None:
            selected = mark(self.state.selection, SELECTION_COLOR, 110)
        self.text_view.setExtraSelections(marks)
        if scroll and selected is not None:
            cursor = QTextCursor(doc)
            cursor.setPosition(selected.selectionStart())
            self.text_view.setTextCursor(cursor)
            self.text_view.ensureCursorVisible()

    def _row_ref(self, ref: ElementRef) -> ElementRef:
        """The word list's ref of an element of the page shown (in a document: its page's number)."""
        if self.state.is_document:
            return ElementRef(ref.level, self.state.page, ref.block, ref.line, ref.word)
        return ref

    def _show(self, page: int, ref: ElementRef) -> None:
        """Select ``ref`` of the result on ``page``, showing that page first."""
        if page != self.state.page:
            self.state.go_to_page(page)
            if page != self.state.page:
                return
        self.state.select(ref)

    # -- user picks ----------------------------------------------------------------------
    def _pick(self, ref: ElementRef | None) -> None:
        if self._syncing or ref is None:
            return
        self.state.select(ref)

    def _tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._pick(self.tree_model.ref_for_index(current))

    def _table_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        ref = self.words_model.ref_at(self.words_proxy.mapToSource(index).row())
        if self.state.is_document and not self._syncing:  # a row of any page: show that page
            self._show(ref.page, ElementRef(ref.level, 0, ref.block, ref.line, ref.word))
            return
        self._pick(ref)

    def _text_clicked(self, pos: int) -> None:
        ref = self.ref_at_text_position(pos)
        if ref is not None:
            self._pick(ref)

    def ref_at_text_position(self, pos: int) -> ElementRef | None:
        """The element whose text covers character ``pos`` (a click just after a word counts)."""
        self.flush()
        i = bisect.bisect_right(self._text_starts, pos) - 1
        if i >= 0 and pos <= self._text_ends[i]:
            return _ref(self._text_paths[i])
        return None

    # -- search --------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.attentionRequested.emit()
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def search(self, query: str) -> None:
        """Highlight every word containing ``query`` (lines when it has a space), case-insensitive."""
        self.flush()
        needle = query.strip().casefold()
        doc = self.state.document
        if self.state.is_document:
            self._search_document(needle)
            return
        self._search_key = None
        if not needle or doc is None:
            self.matches = ()
        else:
            level = "line" if " " in needle else "word"
            self.matches = tuple(ref for ref, e in iter_refs(doc, level) if needle in e.text.casefold())
        self.match_index = -1
        self.state.set_highlights(self.matches)
        self._update_search_label()

    def _search_document(self, needle: str) -> None:
        """Matches on every page; the page shown highlights its own. Flipping keeps the position."""
        state = self.state
        key = (needle, id(state.workspace), state.results_version)
        if key != self._search_key:
            self._search_key = key
            self.doc_matches = []
            if needle:
                level = "line" if " " in needle else "word"
                for i in range(len(state.workspace.pages)):
                    doc = state.page_document(i)
                    if doc is not None:
                        self.doc_matches += [
                            (i, ref) for ref, e in iter_refs(doc, level) if needle in e.text.casefold()
                        ]
            self.match_index = -1
        self.matches = tuple(ref for page, ref in self.doc_matches if page == state.page)
        state.set_highlights(self.matches)
        self._update_search_label()

    def next_match(self) -> None:
        self._step(+1)

    def previous_match(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if self.state.is_document:
            n = len(self.doc_matches)
            if n:
                self.match_index = (
                    (0 if delta > 0 else n - 1) if self.match_index < 0 else (self.match_index + delta) % n
                )
                self._show(*self.doc_matches[self.match_index])
            self._update_search_label()
            return
        if not self.matches:
            self._update_search_label()
            return
        if self.match_index < 0:
            self.match_index = 0 if delta > 0 else len(self.matches) - 1
        else:
            self.match_index = (self.match_index + delta) % len(self.matches)
        self.state.select(self.matches[self.match_index])
        self._update_search_label()

    def _update_search_label(self) -> None:
        n = len(self.doc_matches) if self.state.is_document else len(self.matches)
        if not self.search_edit.text().strip():
            self.search_label.setText("")
        elif n == 0:
            self.search_label.setText("no match")
        elif self.match_index < 0:
            self.search_label.setText(f"{n} found")
        else:
            self.search_label.setText(f"{self.match_index + 1} of {n}")
