"""Closing a PDF while another thread holds PDFium (a long render): the close waits a bounded time,
then leaves the close to that thread, which does it as it lets go; the closed source refuses pages.

The holder is a real thread in the real lock, as a render of a huge page is; the documents are real
PDFs opened by PDFium."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrviewer.core.pdfium_lock import PDFIUM_LOCK, PdfiumLock
from ocrviewer.core.sources import PdfSource, open_source
from ocrviewer.errors import Cancelled
from tests.support.documents import make_pdf

LIMIT_S = 60.0


class Holder:
    """A thread inside ``lock`` until :meth:`let_go` (or ``LIMIT_S``: a failing test must not hang)."""

    def __init__(self, lock: PdfiumLock = PDFIUM_LOCK) -> None:
        self.inside = threading.Event()
        self.go = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(lock,), daemon=True)
        self.thread.start()
        assert self.inside.wait(LIMIT_S)

    def _hold(self, lock: PdfiumLock) -> None:
        with lock:
            self.inside.set()
            self.go.wait(LIMIT_S)

    def let_go(self) -> None:
        self.go.set()
        self.thread.join(LIMIT_S)
        assert not self.thread.is_alive()


@pytest.fixture
def pdf(tmp_path: Path) -> Iterator[PdfSource]:
    source = open_source(make_pdf(tmp_path / "doc.pdf", 2))
    assert isinstance(source, PdfSource)
    yield source
    source.close()


def _is_open(source: PdfSource) -> bool:
    return source._pdf.raw is not None


def test_a_close_with_pdfium_free_closes_at_once(pdf: PdfSource) -> None:
    pdf.render_page(0, 0.5)
    assert pdf.close() is True
    assert not _is_open(pdf)


def test_a_close_during_a_long_render_returns_and_the_render_closes_it(pdf: PdfSource) -> None:
    holder = Holder()
    asked: dict[str, BaseException] = {}

    def queued_thumbnail() -> None:  # a page asked for meanwhile: waits for PDFium, then is refused
        try:
            pdf.page_points(1)
        except BaseException as err:  # noqa: BLE001 - handed to the test
            asked["error"] = err

    try:
        start = time.monotonic()
        assert pdf.close(wait_s=0.2) is False  # handed over, not waited for
        assert time.monotonic() - start < LIMIT_S / 2  # before the fix: until the render ended (here: never)
        assert _is_open(pdf)  # PDFium is busy: freeing the document now could crash the render
        thumb = threading.Thread(target=queued_thumbnail, daemon=True)
        thumb.start()
    finally:
        holder.let_go()
    assert not _is_open(pdf)  # closed by the holder as it let go
    thumb.join(LIMIT_S)
    assert isinstance(asked.get("error"), Cancelled) and "the document was closed" in str(asked["error"])


def test_a_page_asked_for_after_the_close_is_refused_not_rendered_from_freed_memory(pdf: PdfSource) -> None:
    pdf.close()
    with pytest.raises(Cancelled, match="the document was closed"):
        pdf.render_page(0, 0.5)
    with pytest.raises(Cancelled):
        pdf.page_points(0)


def test_a_close_left_pending_runs_even_if_the_holder_let_go_just_before() -> None:
    """The race between 'the wait timed out' and 'the close was queued': many closes against a
    holder that takes and leaves the lock in a tight loop; every close runs, none twice."""
    lock = PdfiumLock()
    ran: list[int] = []
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            with lock:
                pass

    t = threading.Thread(target=churn, daemon=True)
    t.start()
    try:
        for i in range(300):
            lock.close_soon(lambda i=i: ran.append(i), wait_s=0)
    finally:
        stop.set()
        t.join(LIMIT_S)
    with lock:  # nothing may be left: a pending close ran at the churner's or this release
        pass
    assert sorted(ran) == list(range(300))


def test_the_cli_with_block_does_not_wait_for_a_render_of_another_thread(tmp_path: Path) -> None:
    """``with open_source(pdf) as source:`` (every command's shape) left while a batch's thread
    is still rendering (Ctrl-C, a batch that did not stop): the command ends, the file is closed later."""
    source = open_source(make_pdf(tmp_path / "doc.pdf", 1))
    assert isinstance(source, PdfSource)
    holder = Holder()
    try:
        start = time.monotonic()
        with source:
            pass
        assert time.monotonic() - start < LIMIT_S / 2
    finally:
        holder.let_go()
    assert not _is_open(source)
