"""Long CLI work (a recognition, a batch) run so that Ctrl-C cancels it cleanly.

The work runs in a thread: Ctrl-C is delivered to the main thread, which cancels the work's token
(its waits wake at once, nothing is written after it) and gives it some time to stop. The main
thread waits on an Event, not ``Thread.join``: a join interrupted by Ctrl-C can report the thread
as ended while it still runs.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ocrviewer.providers.base import CancelToken

T = TypeVar("T")


@dataclass(frozen=True)
class Ran(Generic[T]):
    """How the work ended: its value or its error, and whether Ctrl-C came first."""

    value: T | None
    error: BaseException | None
    #: Ctrl-C was pressed (the token was cancelled)
    interrupted: bool
    #: the work ended (after an interrupt: within the time it was given)
    finished: bool


def run_interruptible(work: Callable[[], T], cancel: CancelToken, name: str, grace_s: float) -> Ran[T]:
    """Run ``work`` in a thread named ``name`` until it ends; on Ctrl-C cancel ``cancel``, say
    "cancelling..." and wait up to ``grace_s`` seconds more for it to stop."""
    box: dict[str, object] = {}
    finished = threading.Event()

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as err:  # handed to the main thread, which reports it
            box["error"] = err
        finally:
            finished.set()

    interrupted = False
    # started inside: a Ctrl-C from the first moment on cancels the work too
    try:
        threading.Thread(target=run, name=name, daemon=True).start()
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        interrupted = True
        cancel.cancel()
        print("ocrviewer: cancelling...", file=sys.stderr, flush=True)
        finished.wait(grace_s)
    error = box.get("error")
    return Ran(
        box.get("value"),  # type: ignore[arg-type]
        error if isinstance(error, BaseException) else None,
        interrupted,
        finished.is_set(),
    )
