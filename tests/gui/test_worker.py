"""JobRunner: results, errors and cancellation arrive on the main thread; jobs live until done."""

from __future__ import annotations

import threading

from ocrviewer.errors import Cancelled, ServiceError
from ocrviewer.gui.worker import JobRunner


def test_result_and_progress_arrive_on_the_main_thread(qtbot):
    runner = JobRunner()
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
    with qtbot.waitSignal(runner.busyChanged, timeout=2000) as idle:
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
    runner = JobRunner()
    errors: list[BaseException] = []

    def work(cancel, progress):
        raise ServiceError("the service answered 500; try again later")

    runner.submit(work, on_error=errors.append)
    qtbot.waitUntil(lambda: not runner.busy, timeout=2000)
    assert isinstance(errors[0], ServiceError)


def test_cancel_wakes_a_waiting_job_and_shutdown_waits(qtbot):
    runner = JobRunner()
    errors: list[BaseException] = []
    waiting = threading.Event()

    def work(cancel, progress):
        waiting.set()
        cancel.wait(30)  # wakes at once on cancel
        return "too late"

    results: list[object] = []
    runner.submit(work, on_error=errors.append, on_result=results.append)
    assert waiting.wait(2)
    assert runner.shutdown(2000) is True
    qtbot.waitUntil(lambda: not runner.busy, timeout=2000)
    assert results == [] and isinstance(errors[0], Cancelled)
