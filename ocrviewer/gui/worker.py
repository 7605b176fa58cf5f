"""The GUI's one way to run work in the background (in the style of superqt's ``WorkerBase``).

A :class:`Worker` is a QRunnable running ``fn(cancel, progress)``; its :class:`WorkerSignals`
object is created on the main thread, so every slot connected to it runs there (queued). ``fn``
may be a generator function: each value it yields is sent as ``yielded`` (an image preview, then
the full picture) and what it returns is the result; the cancel token is checked between yields.

:class:`Workers` starts workers in the pool the window owns and passes in, keeps each one alive
until it finished, and is the one place stale results are dropped: a worker started for
``generation`` g reports nothing once the current generation is not g (another image was
opened), and a worker of a ``kind`` ("image", "response", ...) is superseded and cancelled when a
newer one of that kind starts. :meth:`Workers.shutdown` cancels every worker and waits (window close).
"""

from __future__ import annotations

import inspect
import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

from ocrviewer.errors import Cancelled
from ocrviewer.providers.base import CancelToken, ProgressCallback

log = logging.getLogger("ocrviewer.gui.worker")

#: ``fn(cancel, progress) -> result``, or a generator function yielding values and returning the result
WorkFunction = Callable[[CancelToken, ProgressCallback], Any]

_ids = itertools.count(1)


class WorkerSignals(QObject):
    """What a worker reports. Created on the main thread; emitted from the worker thread."""

    started = Signal()
    progress = Signal(float, str)  # fraction 0..1 or -1 when unknown, one-line status
    yielded = Signal(object)  # each value a generator function yields
    result = Signal(object)
    error = Signal(object)  # the exception (Cancelled when cancelled)
    finished = Signal()  # always last, after result or error


class Worker(QRunnable):
    """One unit of background work: its cancel token, its generation and kind, its signals."""

    def __init__(
        self, fn: WorkFunction, generation: int | None = None, name: str = "job", kind: str = ""
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it; Workers drops it after `finished`
        self.id = next(_ids)
        self.fn = fn
        #: the generation it was started for (None: never stale)
        self.generation = generation
        self.name = name
        self.kind = kind
        self.cancel_token = CancelToken()
        self.signals = WorkerSignals()
        #: set on the main thread when a newer worker of the same kind started
        self.superseded = False
        self.done = False

    def cancel(self) -> None:
        """Ask the work to stop (it checks the token between steps and while waiting)."""
        self.cancel_token.cancel()

    @property
    def abort_requested(self) -> bool:
        return self.cancel_token.cancelled

    def _emit(self, signal_name: str, *args: Any) -> None:
        """Emit unless the signals object is gone (the application is shutting down)."""
        try:
            getattr(self.signals, signal_name).emit(*args)
        except RuntimeError:  # "Signal source has been deleted": nobody is listening any more
            self.cancel_token.cancel()

    def _progress(self, fraction: float | None, message: str) -> None:
        if not self.cancel_token.cancelled:
            self._emit("progress", -1.0 if fraction is None else float(fraction), message)

    def _work(self) -> Any:
        value = self.fn(self.cancel_token, self._progress)
        if not inspect.isgenerator(value):
            return value
        while True:
            self.cancel_token.raise_if_cancelled()
            try:
                item = next(value)
            except StopIteration as stop:
                return stop.value
            self._emit("yielded", item)

    def run(self) -> None:  # worker thread
        try:
            self._emit("started")
            self.cancel_token.raise_if_cancelled()
            value = self._work()
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


class Workers(QObject):
    """Starts workers in ``pool``, keeps them alive until they finish, drops stale results."""

    busyChanged = Signal(bool)
    #: a worker's result or error was dropped because it went stale (the Worker)
    dropped = Signal(object)

    def __init__(
        self,
        pool: QThreadPool,
        current_generation: Callable[[], int] = lambda: 0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.pool = pool
        self.current_generation = current_generation
        self.jobs: dict[int, Worker] = {}
        self._latest: dict[str, Worker] = {}
        #: set by :meth:`shutdown`: nothing new starts any more
        self.closed = False

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def running(self, kind: str) -> bool:
        return any(w.kind == kind and not w.superseded for w in self.jobs.values())

    def is_stale(self, worker: Worker) -> bool:
        """True when what ``worker`` reports no longer belongs on screen."""
        return worker.superseded or (
            worker.generation is not None and worker.generation != self.current_generation()
        )

    def submit(
        self,
        fn: WorkFunction,
        *,
        generation: int | None = None,
        kind: str = "",
        name: str = "job",
        on_started: Callable[[], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_yielded: Callable[[Any], None] | None = None,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> Worker:
        """Run ``fn(cancel, progress)`` in the pool; callbacks run on the main thread.

        ``on_progress``, ``on_yielded``, ``on_result`` and ``on_error`` are not called once the
        worker is stale (see :meth:`is_stale`); ``on_started`` and ``on_finished`` always are.
        A ``kind`` given supersedes (and cancels) the previous worker of that kind.
        """
        if kind:
            self.cancel_kind(kind)
        worker = Worker(fn, generation, name, kind)
        if self.closed:  # a report delivered while the window closes asked for more work: none starts
            worker.cancel()
            worker.done = True
            return worker
        s = worker.signals
        if on_started is not None:
            s.started.connect(on_started)
        if on_progress is not None:
            s.progress.connect(lambda f, m, w=worker: self._deliver(w, on_progress, f, m))
        if on_yielded is not None:
            s.yielded.connect(lambda v, w=worker: self._deliver(w, on_yielded, v))
        if on_result is not None:
            s.result.connect(lambda v, w=worker: self._deliver(w, on_result, v, report=True))
        s.error.connect(lambda e, w=worker: self._deliver(w, on_error, e, report=True))
        if on_finished is not None:
            s.finished.connect(on_finished)
        s.finished.connect(lambda w=worker: self._finished(w))
        was_busy = self.busy
        self.jobs[worker.id] = worker
        if kind:
            self._latest[kind] = worker
        self.pool.start(worker)
        if not was_busy:
            self.busyChanged.emit(True)
        return worker

    def _deliver(
        self, worker: Worker, slot: Callable[..., None] | None, *args: Any, report: bool = False
    ) -> None:
        """The one place a stale report is dropped (a dropped result or error is announced).

        A report reaching a window already deleted (a job finishing as it closes) goes nowhere.
        """
        owner = getattr(slot, "__self__", None)
        if not isValid(self) or (isinstance(owner, QObject) and not isValid(owner)):
            return
        if self.is_stale(worker):
            if report:
                self.dropped.emit(worker)
            return
        if slot is not None:
            slot(*args)

    def _finished(self, worker: Worker) -> None:
        if not isValid(self):  # the window closed meanwhile
            return
        self.jobs.pop(worker.id, None)
        if worker.kind and self._latest.get(worker.kind) is worker:
            del self._latest[worker.kind]
        if not self.jobs:
            self.busyChanged.emit(False)

    def cancel_kind(self, kind: str) -> None:
        """Cancel the running worker of ``kind``; nothing it reports reaches its callbacks any more."""
        previous = self._latest.pop(kind, None)
        if previous is not None and not previous.done:
            previous.superseded = True
            previous.cancel()

    def cancel_all(self) -> None:
        for worker in list(self.jobs.values()):
            worker.cancel()

    def shutdown(self, wait_ms: int = 1500) -> bool:
        """Cancel every worker and wait up to ``wait_ms``; True if all stopped.

        From then on nothing new starts: a report queued before the close and delivered after it
        (a decoded page asking for its neighbours' prefetch) would otherwise start work nobody waits for.
        """
        self.closed = True
        self.cancel_all()
        return self.pool.waitForDone(wait_ms)
