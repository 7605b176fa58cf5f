"""Workers: results, errors and cancellation arrive on the main thread; jobs live until done."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool

from ocrviewer.errors import Cancelled, ServiceError
from ocrviewer.gui.worker import Workers


def test_result_and_progress_arrive_on_the_main_thread(qtbot):
    runner = Workers(QThreadPool(), lambda: 7)
    main = threading.get_ident()
    seen: list[tuple[str, bool]] = []

    def work(cancel, progress):
        progress(0.5, "half way")
        progress(None, "polling (1)")
        return threading.get_ident()

    job = runner.submit(
        work,
        generation=7,
        on_started=lambda: seen.append(("started", threading.get_ident() == main)),
        on_progress=lambda f, m: seen.append((f"{f:g} {m}", threading.get_ident() == main)),
        on_result=lambda v: seen.append(("result", v != main and threading.get_ident() == main)),
        on_finished=lambda: seen.append(("finished", threading.get_ident() == main)),
    )
    assert job.generation == 7 and runner.busy
    with qtbot.waitSignal(runner.busyChanged, timeout=30000) as idle:
        pass
    assert idle.args == [False]
    assert seen == [
        ("started", True),
        ("0.5 half way", True),
        ("-1 polling (1)", True),
        ("result", True),
        ("finished", True),
    ]
    assert not runner.jobs


def test_error_is_reported_not_raised(qtbot):
    runner = Workers(QThreadPool())
    errors: list[BaseException] = []

    def work(cancel, progress):
        raise ServiceError("the service answered 500; try again later")

    runner.submit(work, on_error=errors.append)
    qtbot.waitUntil(lambda: not runner.busy, timeout=30000)
    assert isinstance(errors[0], ServiceError)


def test_cancel_wakes_a_waiting_job_and_shutdown_waits(qtbot):
    runner = Workers(QThreadPool())
    errors: list[BaseException] = []
    waiting = threading.Event()

    def work(cancel, progress):
        waiting.set()
        cancel.wait(30)  # wakes at once on cancel
        return "too late"

    results: list[object] = []
    runner.submit(work, on_error=errors.append, on_result=results.append)
    assert waiting.wait(30)
    assert runner.shutdown(30000) is True
    qtbot.waitUntil(lambda: not runner.busy, timeout=30000)
    assert results == [] and isinstance(errors[0], Cancelled)


def test_work_asked_for_after_shutdown_never_starts(qtbot):
    """A result delivered while the window closes may ask for more work (a decoded page asks for
    its neighbours): once shut down, none starts and the runner ends idle."""
    runner = Workers(QThreadPool())
    ran: list[str] = []

    def first(cancel, progress):
        return "page"

    def more(cancel, progress):
        ran.append("more")

    runner.submit(first, on_result=lambda v: runner.submit(more, kind="prefetch"))
    # before the shutdown, the follow-up runs
    qtbot.waitUntil(lambda: ran == ["more"] and not runner.busy, timeout=30000)

    ran.clear()
    runner.submit(first, on_result=lambda v: runner.submit(more, kind="prefetch"))
    assert runner.pool.waitForDone(30000)  # it ended; its result is queued, not yet delivered
    assert runner.shutdown(30000) is True
    qtbot.waitUntil(lambda: not runner.busy, timeout=30000)  # the result lands after the shutdown
    assert runner.pool.waitForDone(30000)
    assert ran == [] and not runner.jobs


def test_stale_results_are_dropped_in_one_place(qtbot):
    generation = [1]
    runner = Workers(QThreadPool(), lambda: generation[0])
    release = threading.Event()
    results: list[object] = []
    dropped: list[object] = []
    runner.dropped.connect(dropped.append)
    job = runner.submit(
        lambda cancel, progress: release.wait(10) and "for image 1", generation=1, on_result=results.append
    )
    generation[0] = 2  # another image was opened
    release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=30000)
    assert results == [] and dropped == [job]


def test_a_newer_job_of_a_kind_supersedes_and_cancels_the_older(qtbot):
    runner = Workers(QThreadPool())
    results: list[object] = []
    started = threading.Event()

    def slow(cancel, progress):
        started.set()
        cancel.wait(30)
        return "old"

    old = runner.submit(slow, kind="image", on_result=results.append)
    assert started.wait(10)
    runner.submit(lambda cancel, progress: "new", kind="image", on_result=results.append)
    assert old.abort_requested and old.superseded
    qtbot.waitUntil(lambda: not runner.busy, timeout=30000)
    assert results == ["new"]


def test_generator_work_yields_on_the_main_thread_and_stops_when_cancelled(qtbot):
    runner = Workers(QThreadPool())
    main = threading.get_ident()
    got: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    step = threading.Event()

    def stages(cancel, progress):
        for i in range(1000):
            yield i
            step.wait(10)
            step.clear()
        return "all"

    job = runner.submit(
        stages, on_yielded=lambda v: got.append((v, threading.get_ident() == main)), on_error=errors.append
    )
    qtbot.waitUntil(lambda: len(got) >= 1, timeout=30000)
    job.cancel()
    step.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=30000)
    assert got[0] == (0, True) and len(got) < 1000
    assert isinstance(errors[0], Cancelled)
