"""The Pages panel on a first start with a document: as wide as its thumbnails, the page gets the rest.

``ocrviewer doc.pdf`` on a fresh install (1400x900) split the left side in two: the Pages column took
~370 px for 96 px thumbnails, beside the Recognition panel, and the page was shown at 25% in a
300 px strip.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from tests.support.documents import make_pdf

WAIT = 30000


def test_a_document_on_a_first_start_gets_a_narrow_pages_column(
    qtbot, settings: QSettings, tmp_path: Path
) -> None:
    from ocrviewer.gui.main_window import MainWindow

    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    win = MainWindow(settings, panels_later=True)  # as `view doc.pdf` builds it: panels once shown
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    assert win.files.open_image(str(pdf))
    qtbot.waitUntil(lambda: win.state.source is not None, timeout=WAIT)
    win.install_panels()
    qtbot.waitUntil(lambda: win.pages_dock.isVisible(), timeout=WAIT)

    wanted = win.page_strip.preferred_width()
    qtbot.waitUntil(lambda: win.pages_dock.width() <= wanted + 8, timeout=WAIT)
    assert win.pages_dock.width() >= win.page_strip.fontMetrics().horizontalAdvance("worst 'quickly'")
    # the page, not the panels, has most of the width
    assert win.centralWidget().width() >= 0.35 * win.width()
