"""The one lock around PDFium, and closing a PDF without waiting on a long render.

PDFium keeps global state and must not be entered from two threads at once (pypdfium2's docs), so
every call into it holds :data:`PDFIUM_LOCK`. A render of a huge or pathological page can hold it
for many seconds; closing a document (the window closing, a command ending after Ctrl-C) must not
wait that long. :meth:`PdfiumLock.close_soon` waits a bounded time; when the lock is still busy the
close is left to whichever thread releases the lock next, so the document is closed as soon as
PDFium is free and the caller goes on at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

#: how long a close waits for a render in another thread before leaving the close to it
CLOSE_WAIT_S = 2.0


class PdfiumLock:
    """A reentrant lock (use ``with``) that runs closes left to it when its holder lets go."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        #: how deep the holder is in (changed only by the holder); the pending closes run at 0
        self._depth = 0
        self._pending: list[Callable[[], None]] = []
        self._pending_lock = threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._lock.acquire(blocking, timeout):
            return False
        self._depth += 1
        return True

    def release(self) -> None:
        try:
            if self._depth == 1:
                self._run_pending()
        finally:
            self._depth -= 1
            self._lock.release()

    def __enter__(self) -> PdfiumLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def close_soon(self, close: Callable[[], None], wait_s: float = CLOSE_WAIT_S) -> bool:
        """Run ``close`` holding the lock: now if the lock is free within ``wait_s`` seconds (True),
        else when the thread holding it lets go (False; this returns at once then)."""
        if self.acquire(timeout=max(0.0, wait_s)):
            try:
                close()
            finally:
                self.release()
            return True
        with self._pending_lock:
            self._pending.append(close)
        # the holder may have let go between the wait and the append: then nobody would run it
        if self.acquire(blocking=False):
            self.release()
        return False

    def _run_pending(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, []
        for close in pending:
            try:
                close()
            except Exception:  # noqa: BLE001 - a failed close of a document nobody uses must not fail the render
                pass


#: the process's one lock around PDFium
PDFIUM_LOCK = PdfiumLock()
