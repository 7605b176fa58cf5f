"""Inspector dock: tree counts, selection sync both ways, text clicks, word list order, search."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtWidgets import QMainWindow

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.model import Document
from ocrviewer.core.text_rows import build_text_paths, collect_rows, prepare_inspector
from ocrviewer.gui import inspector_models as im
from ocrviewer.gui.docks import DockContext, install_docks
from ocrviewer.gui.inspector import REBUILD_DELAY_MS, InspectorPanel, build_text
from ocrviewer.gui.state import ElementRef, ViewerState
from tests.support.elements import WORDS, make_document


def make_big_document(n_words: int) -> Document:
    words = [(i // 500, (i // 10) % 50, f"w{i}", (i % 97) / 97) for i in range(n_words)]
    return make_document(words, width=4000, height=4000)


@pytest.fixture
def state() -> ViewerState:
    s = ViewerState()
    s.set_response(make_document(), FrameTransform.identity(640, 480))
    return s


@pytest.fixture
def panel(qtbot, state) -> InspectorPanel:
    p = InspectorPanel(state)
    qtbot.addWidget(p)
    p.resize(400, 500)
    p.show()
    return p


def test_tree_counts_match_document(panel):
    m = panel.tree_model
    assert m.rowCount() == 1  # one page
    page = m.index(0, 0)
    assert "Page 1 (640×480)" in m.data(page)
    assert m.rowCount(page) == 2  # blocks
    block0 = m.index(0, 0, page)
    assert m.rowCount(block0) == 2  # lines
    line1 = m.index(1, 0, block0)
    assert m.data(line1) == "Total due"
    assert [m.data(m.index(r, 0, line1)) for r in range(m.rowCount(line1))] == ["Total", "due"]
    assert m.data(m.index(1, 1, line1)) == "—"  # no confidence
    assert m.data(m.index(0, 1, line1)) == "0.42"
    assert m.parent(m.index(0, 0, line1)) == line1


def test_select_in_tree_sets_state(panel, state):
    m = panel.tree_model
    index = m.index_for_ref(ElementRef("word", 0, 1, 0, 1))
    panel.tree.setCurrentIndex(index)
    assert state.selection == ElementRef("word", 0, 1, 0, 1)
    assert state.element(state.selection).text == "you"


def test_state_selection_selects_tree_row_and_text(panel, state):
    ref = ElementRef("word", 0, 1, 1, 0)
    state.select(ref)
    current = panel.tree.currentIndex()
    assert panel.tree_model.ref_for_index(current) == ref
    assert panel.tree.isExpanded(current.parent())
    marks = panel.text_view.extraSelections()
    assert [m.cursor.selectedText() for m in marks] == ["total"]
    # and back to nothing
    state.select(None)
    assert not panel.tree.selectionModel().hasSelection()


def test_full_text_and_click_selects_word(qtbot, panel, state):
    text = panel.text_view.toPlainText()
    assert text == "Invoice number\nTotal due\n\nThank you\ntotal"
    panel.tabs.setCurrentWidget(panel.text_view)
    pos = text.index("due") + 1
    cursor = panel.text_view.textCursor()
    cursor.setPosition(pos)
    rect = panel.text_view.cursorRect(cursor)
    qtbot.mouseClick(panel.text_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    assert state.selection == ElementRef("word", 0, 0, 1, 1)


def test_right_to_left_lines_read_from_the_right_and_latin_ones_from_the_left(qtbot, panel, state):
    """Arabic and Hebrew lines sit at the right edge of the Text tab, a Latin line at the left; a click on
    an Arabic word still selects it on the page."""
    words = [(0, 0, "Invoice", 0.9), (0, 1, "مرحبا", 0.9), (0, 1, "بالعالم", 0.8), (1, 0, "שלום", 0.9)]
    state.set_response(make_document(words), FrameTransform.identity(640, 480))
    panel.flush()
    panel.tabs.setCurrentWidget(panel.text_view)
    qtbot.waitUntil(lambda: panel.text_view.toPlainText().startswith("Invoice"), timeout=30000)
    doc = panel.text_view.document()
    width = panel.text_view.viewport().width()

    def line_rect(number: int):  # the block's first line, in the viewport's pixels
        block = doc.findBlockByNumber(number)
        layout = block.layout()
        line = layout.lineAt(0)
        return line.naturalTextRect().translated(layout.position()), block.text()

    latin, arabic, hebrew = line_rect(0), line_rect(1), line_rect(3)
    assert (latin[1], arabic[1], hebrew[1]) == ("Invoice", "مرحبا بالعالم", "שלום")
    assert latin[0].left() < 10 and latin[0].right() < width / 2
    for rect, _ in (arabic, hebrew):
        assert rect.left() > width / 2 and rect.right() > width - 20
    cursor = panel.text_view.textCursor()
    cursor.setPosition(panel.text_view.toPlainText().index("بالعالم") + 2)
    rect = panel.text_view.cursorRect(cursor)
    assert rect.center().x() > width / 2  # the word is drawn where the layout says
    qtbot.mouseClick(panel.text_view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    assert state.selection == ElementRef("word", 0, 0, 1, 1)
    assert [m.cursor.selectedText() for m in panel.text_view.extraSelections()] == ["بالعالم"]


def test_build_text_ranges_cover_every_word():
    doc = make_document()
    text, starts, ends, refs = build_text(doc)
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == [w[2] for w in WORDS]
    assert len(refs) == len(WORDS)


def test_text_and_rows_made_in_a_worker_are_used_for_their_own_document_only(panel, state):
    doc = make_document(WORDS[:2])
    prepared = prepare_inspector(doc)
    assert prepared is not None and prepare_inspector(None) is None
    assert prepared.text == build_text_paths(doc)
    assert prepared.rows == collect_rows(doc, "word")
    # a marked text (same ranges' count), to see which one the panel shows
    marked = replace(prepared, text=("made ahead", [0, 5], [4, 10], prepared.text[3]))
    identity = FrameTransform.identity(640, 480)
    state.set_response(doc, identity, placed=doc, inspector=marked)
    panel.flush()
    assert panel.text_view.toPlainText() == "made ahead"
    assert panel.words_model._texts is prepared.rows[0]  # the worker's rows, not made again
    # another document landing with data made for the first: made now, for its own words
    other = make_document(WORDS[:3])
    state.set_response(other, identity, placed=other, inspector=marked)
    panel.flush()
    assert panel.text_view.toPlainText() == "Invoice number\nTotal"
    assert panel.words_model.rowCount() == 3
    # a placement not made in a worker keeps no prepared data
    state.set_transform(identity)
    assert state.prepared_inspector is None


def test_word_list_sorted_ascending_puts_worst_first(panel, state):
    proxy = panel.words_proxy
    panel.words_table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    texts = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert texts[:3] == ["you", "Total", "total"]
    assert texts[-1] == "due"  # no confidence sorts after every number
    panel.words_table.clicked.emit(proxy.index(0, 0))
    assert state.element(state.selection).text == "you"
    panel.level_combo.setCurrentIndex(1)  # lines
    assert proxy.rowCount() == 4
    assert {proxy.index(r, 2).data() for r in range(4)} == {"line"}


def test_search_highlights_and_steps(qtbot, panel, state):
    panel.search_edit.setText("TOTAL")
    assert state.highlights == (ElementRef("word", 0, 0, 1, 0), ElementRef("word", 0, 1, 1, 0))
    assert panel.search_label.text() == "2 found"
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    assert state.selection == ElementRef("word", 0, 0, 1, 0)
    panel.find_next_action.trigger()  # F3
    assert state.selection == ElementRef("word", 0, 1, 1, 0)
    assert panel.search_label.text() == "2 of 2"
    panel.find_next_action.trigger()  # wraps
    assert state.selection == ElementRef("word", 0, 0, 1, 0)
    panel.find_previous_action.trigger()  # Shift+F3
    assert state.selection == ElementRef("word", 0, 1, 1, 0)
    panel.search_edit.setText("zzz")
    assert state.highlights == ()
    assert panel.search_label.text() == "no match"
    panel.search_edit.setText("total due")  # a phrase matches lines
    assert state.highlights == (ElementRef("line", 0, 0, 1),)


def test_shortcuts_work_from_the_window(qtbot, tmp_path, state):
    window = QMainWindow()
    qtbot.addWidget(window)
    context = DockContext(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    install_docks(window, state, context)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    inspector = context.panels["inspector"]
    assert context.actions["find"].shortcut().toString() == "Ctrl+F"
    assert context.actions["find_next"].shortcut().toString() == "F3"
    assert context.actions["find_previous"].shortcut().toString() == "Shift+F3"
    context.actions["find"].trigger()
    inspector.search_edit.setText("you")
    context.actions["find_next"].trigger()
    assert state.element(state.selection).text == "you"


def test_ten_thousand_words_build_without_freezing(qtbot):
    state = ViewerState()
    panel = InspectorPanel(state)
    qtbot.addWidget(panel)
    panel.show()
    doc = make_big_document(10_000)
    state.set_response(doc, FrameTransform.identity(4000, 4000))
    # the text and word list follow in timer passes of their own, after the canvas painted; the limit catches a
    # hang or a quadratic blow-up (the speed target lives in benchmarks, not in a test on a shared machine)
    qtbot.waitUntil(lambda: panel.words_proxy.rowCount() == 10_000, timeout=60000)
    state.select(ElementRef("word", 0, 19, 49, 9))
    assert panel.tree_model.ref_for_index(panel.tree.currentIndex()) == ElementRef("word", 0, 19, 49, 9)


def test_picking_before_the_deferred_rebuild_shows_the_new_document(qtbot, panel, state):
    """A selection or search right after a new document lands sees its rows, not the old ones."""
    words = [(0, 0, "alpha", 0.5), (0, 0, "beta", 0.2), (0, 1, "gamma", 0.9)]
    state.set_response(make_document(words), FrameTransform.identity(640, 480))
    state.select(ElementRef("word", 0, 0, 0, 1))  # no event loop ran since
    assert panel.text_view.toPlainText() == "alpha beta\ngamma"
    assert [m.cursor.selectedText() for m in panel.text_view.extraSelections()] == ["beta"]
    row = panel.words_table.currentIndex().row()
    assert panel.words_proxy.index(row, 0).data() == "beta"
    assert [panel.words_proxy.index(r, 0).data() for r in range(3)] == ["beta", "alpha", "gamma"]
    # the pending rebuild timers (one stage per pass) fire and find nothing left to do
    passes: list[int] = []
    QTimer.singleShot(REBUILD_DELAY_MS, lambda: QTimer.singleShot(REBUILD_DELAY_MS, lambda: passes.append(1)))
    qtbot.waitUntil(lambda: bool(passes), timeout=30000)
    assert state.selection == ElementRef("word", 0, 0, 0, 1)
    assert [m.cursor.selectedText() for m in panel.text_view.extraSelections()] == ["beta"]


def test_moving_the_overlay_keeps_tree_state(panel, state):
    state.select(ElementRef("word", 0, 0, 0, 1))
    panel.tree.expandAll()
    state.set_transform(state.transform.then(dx=5))
    assert panel.tree_model.ref_for_index(panel.tree.currentIndex()) == ElementRef("word", 0, 0, 0, 1)


def test_arrow_keys_in_word_list_select(qtbot, panel, state):
    panel.tabs.setCurrentIndex(2)
    panel.words_table.setFocus()
    panel.words_table.selectRow(0)
    first = state.selection
    qtbot.keyClick(panel.words_table, Qt.Key.Key_Down)
    assert state.selection is not None and state.selection != first


def test_rows_of_several_pages_keep_their_page_and_sort_by_confidence(qtbot) -> None:
    model = im.WordListModel()
    doc = make_document()
    model.set_document_rows([(0, doc), (3, doc)], "word")
    n = model.rowCount()
    assert n == 2 * len(list(doc.words()))
    assert {model.ref_at(r).page for r in range(n)} == {0, 3}
    model.sort(1, Qt.SortOrder.DescendingOrder)
    confs = [model.confidence_at(r) for r in range(n)]
    rated = [c for c in confs if c is not None]
    assert rated == sorted(rated, reverse=True) and confs[: len(rated)] == rated
    for r in range(n):
        assert model.row_of(model.ref_at(r)) == r
