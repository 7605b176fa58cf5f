"""Closing the window while a render holds PDFium (a huge page, a pathological PDF): the window
closes within its bounded waits instead of hanging until the render ends, and the PDF is released
by the render as it lets go.

The render is a real thread inside the real PDFium lock; the window and the PDF are real."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ocrviewer.core.pdfium_lock import PDFIUM_LOCK
from tests.support.documents import make_pdf

WAIT = 30000
#: the longest a stuck render is held (a failing test ends instead of hanging the suite)
HOLD_S = 90.0


def test_closing_the_window_during_a_long_render_does_not_wait_for_it(window, qtbot, tmp_path: Path) -> None:
    assert window.files.open_image(str(make_pdf(tmp_path / "doc.pdf", 3)))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full and not window.workers.busy, timeout=WAIT)
    source = window.files.documents.source
    assert source is not None and source.kind == "pdf"
    inside, go = threading.Event(), threading.Event()

    def long_render() -> None:
        with PDFIUM_LOCK:
            inside.set()
            go.wait(HOLD_S)

    render = threading.Thread(target=long_render, daemon=True)
    render.start()
    assert inside.wait(WAIT / 1000)
    try:
        start = time.monotonic()
        window.close()
        took = time.monotonic() - start
    finally:
        go.set()
        render.join(HOLD_S)
    # the window's own bounds: 3 s for its workers, 0.5 s for PDFium; before, it waited out the render
    assert took < HOLD_S / 3, f"closing took {took:.1f} s"
    assert not window.isVisible()
    assert source._pdf.raw is None  # released when the render let go
