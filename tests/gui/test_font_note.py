"""A result in a script no installed font has (Korean on a machine without CJK fonts) shows as
boxes; the inspector says so in one line naming the script and what to install."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.text_rows import prepare_inspector
from ocrviewer.gui.fonts import shows
from ocrviewer.gui.inspector import InspectorPanel
from ocrviewer.gui.state import ViewerState
from tests.support.elements import make_document

KOREAN = [(0, 0, "안녕하세요", 0.9), (0, 0, "세계", 0.8), (0, 1, "Seoul", 0.95)]
RUSSIAN = [(0, 0, "Привет", 0.9), (0, 0, "мир", 0.8)]


@pytest.fixture
def panel(qtbot) -> InspectorPanel:  # type: ignore[no-untyped-def]
    p = InspectorPanel(ViewerState())
    qtbot.addWidget(p)
    p.resize(400, 500)
    p.show()
    return p


def _show(panel: InspectorPanel, qtbot, words, prepared: bool) -> None:  # type: ignore[no-untyped-def]
    doc = make_document(words)
    panel.state.set_response(
        doc, FrameTransform.identity(640, 480), inspector=prepare_inspector(doc) if prepared else None
    )
    qtbot.waitUntil(lambda: panel.text_view.toPlainText().startswith(words[0][2]), timeout=30000)


@pytest.mark.parametrize("prepared", [True, False])
def test_korean_without_a_korean_font_is_named_with_what_to_install(panel, qtbot, prepared: bool) -> None:  # type: ignore[no-untyped-def]
    if shows("안녕하세요", panel.text_view.font()):
        pytest.skip("a font with Hangul is installed here: Korean shows as letters")
    _show(panel, qtbot, KOREAN, prepared)
    assert panel.font_note.isVisible()
    assert panel.font_note.text() == (
        "Korean text shows as empty boxes: no installed font has its characters; install a font for it "
        "(Debian/Ubuntu: sudo apt install fonts-noto-cjk) and restart ocrviewer"
    )
    _show(panel, qtbot, RUSSIAN, prepared)  # the next result, in a script a font has: no note
    if shows("Привет", panel.text_view.font()):
        assert not panel.font_note.isVisible() and panel.font_note.text() == ""


def test_a_script_the_fonts_show_gets_no_note(panel, qtbot) -> None:  # type: ignore[no-untyped-def]
    if not shows("Привет мир", panel.text_view.font()):
        pytest.skip("no font with Cyrillic here")
    _show(panel, qtbot, RUSSIAN, True)
    assert not panel.font_note.isVisible()


def test_the_check_agrees_with_what_qt_paints() -> None:
    """Glyph 0 (.notdef, the box) for a character no font has; real glyphs for Latin."""
    font = QFont()
    assert shows("Hello", font)
    assert not shows("\U000f0000", font)  # a private-use character of plane 15: no font has it
