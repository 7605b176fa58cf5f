"""Background jobs for the GUI: a QRunnable per job, signals on a QObject that lives on the main thread.

Nothing slow runs on the GUI thread. A job is ``fn(cancel, progress) -> result`` run in a
private QThreadPool; its :class:`JobSignals` object is created on the main thread, so slots
connected to it run there (queued). The pool keeps every job referenced until it finished,
each job carries the ``generation`` it was started for (the caller compares it with
``state.generation`` to drop stale results), and :meth:`JobRunner.shutdown` cancels every job
and waits briefly (for window close).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ocrviewer.errors import Cancelled
from ocrviewer.providers.base import CancelToken, ProgressCallback

log = logging.getLogger("ocrviewer.gui.worker")

JobFunction = Callable[[CancelToken, ProgressCallback], Any]

_ids = itertools.count(1)


class JobSignals(QObject):
    """What a job reports. Created on the main thread; emitted from the worker thread."""

    started = Signal()
    progress = Signal(float, str)  # fraction 0..1 or -1 when unknown, one-line status
    result = Signal(object)
    error = Signal(object)  # the exception (Cancelled when cancelled)
    finished = Signal()  # always last, after result or error


class Job(QRunnable):
    """One unit of background work with its cancel token and the generation it belongs to."""

    def __init__(self, fn: JobFunction, generation: int = 0, name: str = "job") -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it; JobRunner drops it after `finished`
        self.id = next(_ids)
        self.fn = fn
        self.generation = generation
        self.name = name
        self.cancel_token = CancelToken()
        self.signals = JobSignals()
        self.done = False

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _emit(self, signal_name: str, *args: Any) -> None:
        """Emit unless the signals object is gone (the application is shutting down)."""
        try:
            getattr(self.signals, signal_name).emit(*args)
        except RuntimeError:  # "Signal source has been deleted": nobody is listening any more
            self.cancel_token.cancel()

    def _progress(self, fraction: float | None, message: str) -> None:
        if not self.cancel_token.cancelled:
            self._emit("progress", -1.0 if fraction is None else float(fraction), message)

    def run(self) -> None:  # worker thread
        try:
            self._emit("started")
            self.cancel_token.raise_if_cancelled()
            value = self.fn(self.cancel_token, self._progress)
            if self.cancel_token.cancelled:
                raise Cancelled("cancelled by the user")
        except Cancelled as err:
            self._emit("error", err)
        except Exception as err:  # reported to the user, never raised into Qt
            log.debug("%s failed", self.name, exc_info=True)
            self._emit("error", err)
        else:
            self._emit("result", value)
        finally:
            self.done = True
            self._emit("finished")


class JobRunner(QObject):
    """Starts jobs in a private thread pool and keeps them alive until they finish."""

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.jobs: dict[int, Job] = {}

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def submit(
        self,
        fn: JobFunction,
        *,
        generation: int = 0,
        name: str = "job",
        on_started: Callable[[], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> Job:
        """Run ``fn(cancel, progress)`` in the background; callbacks run on the main thread."""
        job = Job(fn, generation, name)
        s = job.signals
        for signal, slot in (
            (s.started, on_started),
            (s.progress, on_progress),
            (s.result, on_result),
            (s.error, on_error),
            (s.finished, on_finished),
        ):
            if slot is not None:
                signal.connect(slot)
        s.job_id = job.id  # type: ignore[attr-defined]
        s.finished.connect(self._job_finished)  # a bound slot: dropped if the runner is deleted first
        was_busy = self.busy
        self.jobs[job.id] = job
        self.pool.start(job)
        if not was_busy:
            self.busyChanged.emit(True)
        return job

    def _job_finished(self) -> None:
        self.jobs.pop(getattr(self.sender(), "job_id", -1), None)
        if not self.jobs:
            self.busyChanged.emit(False)

    def cancel_all(self) -> None:
        for job in list(self.jobs.values()):
            job.cancel()

    def shutdown(self, wait_ms: int = 1500) -> bool:
        """Cancel every job and wait up to ``wait_ms``; True if all stopped."""
        self.cancel_all()
        return self.pool.waitForDone(wait_ms)
