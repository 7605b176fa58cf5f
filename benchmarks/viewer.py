"""The benchmarks' handle on the real viewer (offscreen Qt), kept in one place.

Every measurement goes through the viewer's own paths: the ViewerState signal the canvas rebuilds
its overlay from, ``Canvas.element_at`` for hover, ``MainWindow.files.open_image`` (the File >
Open path with the window's preview policy) for opening, and a viewport grab for painting.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.screen import offscreen_platform

#: Offscreen Qt with a 1920x1080 screen (the plain offscreen platform reports 800x800), so
#: anything sized from the screen, like the main window's preview size, behaves as on a desktop.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = offscreen_platform()

from PySide6.QtCore import QEvent, QEventLoop, QObject, QPointF, QSettings, Qt, QThreadPool, QTimer  # noqa: E402
from PySide6.QtGui import QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ocrviewer.core.model import Document  # noqa: E402
from ocrviewer.gui.canvas import Canvas  # noqa: E402
from ocrviewer.gui.image_loader import ImageLoader, read_info  # noqa: E402
from ocrviewer.gui.state import ViewerState  # noqa: E402
from ocrviewer.gui.worker import Workers  # noqa: E402

BUILD_HOW = "ViewerState.documentChanged -> Canvas rebuilds its overlay layers (document already placed)"
PAINT_HOW = (
    "Canvas.viewport().grab() at fit; 'caches dropped' first zooms by 0.1% (in, then back out: the view's "
    "scale changes), nudges the confidence threshold (0 <-> 1e-4, nothing looks different) and calls "
    "update() on every scene item; 'threshold change' does the last two only"
)
HIT_HOW = "Canvas.element_at(scene point), uniform random points over the page"
OPEN_HOW = (
    "MainWindow.files.open_image (read_info + ImageLoader, preview first, + set_image) on a 1920x1080 "
    "screen, until the first decoded image is painted by a viewport grab"
)
WAIT_LIMIT_S = 60.0
#: how long the window is left to come to rest after an image is shown (longer than the canvas's
#: KEEP_AFTER_MS and HOLD_FRAME_MS: its delayed work is done by then)
SETTLE_S = 0.5


def app() -> QApplication:
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([])


def placed_document(response: Path, image: Path) -> Document:
    """The response placed on the displayed image the way the CLI and the viewer place it."""
    from ocrviewer.core.loading import load_result

    return load_result(response, image).document


class _Bench:
    """What both set-ups share: waiting, opening, painting, the overlay."""

    app: QApplication
    state: ViewerState
    canvas: Canvas
    _decoded: list[Any]

    def start_open(self, path: Path) -> None:
        raise NotImplementedError

    def _wait(self, done: Callable[[], bool], what: str, wake: Any = None) -> None:
        """Run the event loop until ``done()``, checked every 2 ms, or, with ``wake`` (a signal whose
        emission is what ``done`` waits for), right after each emission and every 50 ms: a timed
        wait then ends when the event it waits for is handled, not up to 2 ms later, and the GUI
        thread is not woken 500 times a second meanwhile (a busy machine charges those wake-ups
        to the decode running beside it; the real window's event loop sleeps until an event)."""
        deadline = time.perf_counter() + WAIT_LIMIT_S
        loop = QEventLoop()
        tick = QTimer()
        tick.setTimerType(Qt.TimerType.PreciseTimer)
        tick.setInterval(2 if wake is None else 50)
        tick.timeout.connect(loop.quit)
        if wake is not None:
            wake.connect(loop.quit)
        tick.start()
        try:
            while not done():
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"timed out waiting for {what}")
                loop.exec()
        finally:
            tick.stop()
            if wake is not None:
                wake.disconnect(loop.quit)

    def show_image(self, path: Path) -> None:
        """Open an image and wait for its full resolution (not timed)."""
        self.start_open(path)
        self._wait(lambda: any(d.final for d in self._decoded), "the full-resolution image")
        self.fit()

    def open_until_painted(self, path: Path) -> tuple[float, float]:
        """Milliseconds (wall, process CPU) from the open call to the first painted frame with the image.

        Then waits (untimed) for the full-resolution decode and lets the window come to rest (its
        repaint with the full image, the copy kept at the view's pixels), so neither runs into the
        next sample: a user's next File > Open finds the window idle.
        """
        c0 = time.process_time()
        t0 = time.perf_counter()
        self.start_open(path)
        self._wait(lambda: bool(self._decoded), "the first decoded image", self.loader.decoded)
        frame = self.paint()
        elapsed = ((time.perf_counter() - t0) * 1000.0, (time.process_time() - c0) * 1000.0)
        # The generated photo is tinted paper and bluish ink: a grey or white centre means no image.
        c = frame.toImage().pixelColor(frame.width() // 2, frame.height() // 2)
        if not self.canvas.image_item.levels or c.red() == c.green() == c.blue():
            raise RuntimeError("the first painted frame does not show the image")
        self._wait(lambda: any(d.final for d in self._decoded), "the full-resolution image")
        rest = time.perf_counter() + SETTLE_S
        self._wait(lambda: time.perf_counter() >= rest, "the window at rest")
        return elapsed

    def first_level(self) -> tuple[int, int, float]:
        """Size and scale of the first image the canvas got (the preview, for a big photo)."""
        d = self._decoded[0]
        return d.image.width(), d.image.height(), d.scale

    def build_overlay(self, doc: Document) -> None:
        """Hand the canvas a placed document; it rebuilds its layers from the state's signal."""
        self.state.document = doc
        self.state.documentChanged.emit()

    def check_overlay(self, words: int) -> None:
        got = len(self.canvas.layers["word"].data)
        if got != words:
            raise RuntimeError(f"the canvas has {got} word polygons, expected {words}")

    def fit(self) -> None:
        self.canvas.fit()
        self.app.processEvents()

    def zoom_to(self, factor: float, x: float, y: float) -> None:
        """Zoom (screen pixels per image pixel) around an image point, as the wheel and keys do."""
        self.canvas.set_zoom(factor, QPointF(x, y))
        self.canvas.centerOn(QPointF(x, y))
        self.app.processEvents()

    def invalidate(self) -> None:
        """Drop every cache a repaint could reuse, as a zoom step does.

        A zoom step of 0.1% (alternately in and back out, drifting by 1e-6 a step so that no scale
        comes back: a picture kept for an earlier scale is never reused) changes the view's scale,
        so every picture kept at the view's pixels is made again; the confidence threshold is nudged
        between 0 and 1e-4 (no word changes look; the legend's threshold line and mark do, so its
        threshold part is drawn each frame, as during a threshold drag) through the same public path as the quality
        dock's slider; ``update()`` on every scene item drops Qt's item caches.
        """
        self.invalidate_threshold()
        self._steps = getattr(self, "_steps", 0) + 1
        step = (1.001 if self._nudge else 1 / 1.001) * (1 + 1e-6 * self._steps)
        self.canvas.set_zoom(self.canvas.zoom * step)

    def invalidate_threshold(self) -> None:
        """What a threshold change drops: the nudge and ``update()`` on every item, the zoom kept."""
        self._nudge = not getattr(self, "_nudge", False)
        self.state.set_min_confidence(1e-4 if self._nudge else 0.0)
        for item in self.canvas.scene().items():
            item.update()

    def paint(self) -> QPixmap:
        """One full repaint of the viewport into a pixmap (what a screen update costs)."""
        return self.canvas.viewport().grab()

    def hit(self, x: float, y: float) -> Any:
        return self.canvas.element_at(QPointF(x, y))


class Bench(_Bench):
    """A bare, shown canvas with a fixed viewport size, its state and an image loader."""

    def __init__(self, view: tuple[int, int]) -> None:
        self.app = app()
        self.state = ViewerState()
        self.canvas = Canvas(self.state)
        self.canvas.resize(*view)
        self.canvas.show()
        self.pool = QThreadPool()
        self.workers = Workers(self.pool, lambda: self.state.generation)
        self.loader = ImageLoader(self.workers)
        self.loader.decoded.connect(self.canvas.set_image)
        self._decoded = []
        self.loader.decoded.connect(self._decoded.append)
        self.app.processEvents()

    def start_open(self, path: Path) -> None:
        info = read_info(str(path))
        self._decoded.clear()
        self.state.set_image(str(path), info)
        vp = self.canvas.viewport()
        side = int(max(vp.width(), vp.height()) * (vp.devicePixelRatioF() or 1.0))
        self.loader.load(str(path), info, self.state.generation, side)

    def close(self) -> None:
        self.loader.cancel()
        self.pool.waitForDone(int(WAIT_LIMIT_S * 1000))
        self.canvas.close()
        self.canvas.deleteLater()
        self.app.processEvents()


class WindowBench(_Bench):
    """The real main window, docks included, its canvas viewport grown to the asked size."""

    def __init__(self, view: tuple[int, int]) -> None:
        from ocrviewer.gui.main_window import MainWindow

        self.app = app()
        self._tmp = tempfile.TemporaryDirectory(prefix="ocrviewer-bench-")
        self.settings = QSettings(str(Path(self._tmp.name) / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(self.settings)
        self.window.resize(*view)
        self.window.show()
        self.app.processEvents()
        vp = self.window.canvas.viewport()
        self.window.resize(2 * view[0] - vp.width(), 2 * view[1] - vp.height())
        self.app.processEvents()
        self.canvas = self.window.canvas
        self.state = self.window.state
        self.loader = self.window.loader
        self._decoded = []
        self.loader.decoded.connect(self._decoded.append)

    def start_open(self, path: Path) -> None:
        self._decoded.clear()
        if not self.window.files.open_image(str(path)):
            raise RuntimeError(f"the main window could not open {path}")

    def close(self) -> None:
        self.loader.cancel()
        self.window.pool.waitForDone(int(WAIT_LIMIT_S * 1000))
        self.window.close()
        self.window.deleteLater()
        self.app.processEvents()
        self._tmp.cleanup()


class StallMonitor:
    """Longest time the GUI thread went without running its event loop, seen by a 1 ms timer.

    Each tick also notes the GUI thread's own CPU time, so a gap can be told apart from the
    machine being busy (``cpu_gaps``: what the GUI thread itself ran in each gap).
    """

    def __init__(self) -> None:
        from PySide6.QtCore import Qt

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.ticks: list[float] = []
        self.cpu: list[float] = []

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())
        self.cpu.append(time.thread_time())

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.cpu = [time.thread_time()]
        self.timer.start()

    def stop(self) -> list[float]:
        """Gaps between ticks, in milliseconds."""
        self.timer.stop()
        self._tick()
        return [(b - a) * 1000.0 for a, b in zip(self.ticks, self.ticks[1:], strict=False)]

    def cpu_gaps(self) -> list[float]:
        """The GUI thread's CPU time in each gap, in milliseconds."""
        return [(b - a) * 1000.0 for a, b in zip(self.cpu, self.cpu[1:], strict=False)]


class PaintWatch(QObject):
    """When a widget was painted (its Paint events), seen by an event filter."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.widget = widget
        self.times: list[float] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.times.append(time.perf_counter())
        return False

    def painted_after(self, t: float) -> bool:
        return any(p > t for p in self.times)

    def close(self) -> None:
        self.widget.removeEventFilter(self)


def idle_gaps(bench: _Bench, seconds: float) -> list[float]:
    """Event-loop gaps (ms) of the GUI thread while the window does nothing for ``seconds``."""
    monitor = StallMonitor()
    monitor.start()
    end = time.perf_counter() + max(0.05, seconds)
    try:
        bench._wait(lambda: time.perf_counter() >= end, "the idle period")
    finally:
        gaps = monitor.stop()
    return gaps


def fake_recognizer(response: Path, service_seconds: float) -> Callable[..., Any]:
    """A recognizer for the recognition panel: waits like a service, then does the app's own work.

    It polls ``service_seconds`` in small sleeps with progress (what a provider does while the
    service works), then parses the response and places it once, as a provider run does after a
    real service answered, in the worker thread.
    """

    def recognize(image_path, provider, options, settings, cancel, progress, fresh):  # noqa: ANN001, ANN202
        from ocrviewer.core.imageio import read_image_info
        from ocrviewer.core.loading import place_result
        from ocrviewer.gui.recognition_panel import RecognitionOutput
        from ocrviewer.providers.run import document_from_raw

        steps = 20
        for i in range(steps):
            cancel.raise_if_cancelled()
            progress(i / steps, f"waiting for the service ({i + 1}/{steps})")
            time.sleep(service_seconds / steps)
        from ocrviewer.providers.settings import PARSER

        # parsed as a provider parses the service's answer: in the window's parser process
        raw = response.read_bytes()
        source = document_from_raw(raw, ".json", "the benchmark response", settings.get(PARSER), cancel)
        loaded = place_result(source, response, image_path, read_image_info(image_path))
        return RecognitionOutput(loaded, False, provider)

    return recognize


def run_recognition(
    bench: WindowBench, response: Path, service_seconds: float
) -> tuple[list[float], list[float], list[float]]:
    """Run one recognition through the window's recognition panel with a fake service.

    Returns the GUI thread's event-loop gaps (ms) while the job ran, those from the moment
    the result was handed to the GUI until it is on the canvas, painted by the window, and the
    docks (the inspector's text and word list, made on passes of their own) follow it, and the
    GUI thread's CPU time (ms) in each of the latter.
    """
    panel = bench.window.dock_context.panels["recognition"]
    bench._wait(lambda: panel.ready, "the provider check")
    name = next((n for n in panel.providers if not panel.reasons.get(n)), None)
    if name is None:
        raise RuntimeError(f"no provider is usable here to run the panel with: {panel.reasons}")
    panel.recognizer = fake_recognizer(response, service_seconds)
    applied: list[float] = []

    def on_document() -> None:
        applied.append(time.perf_counter())

    bench.state.documentChanged.connect(on_document)
    inspector = bench.window.dock_context.panels["inspector"]
    watch = PaintWatch(bench.canvas.viewport())
    monitor = StallMonitor()
    try:
        monitor.start()
        if not panel.start(name):
            raise RuntimeError(f"the recognition panel did not start: {panel.message_label.text()}")
        bench._wait(lambda: panel.job is None, "the recognition")
        # the window's own first frame with the result (a grab before it would paint it twice)
        bench._wait(lambda: bool(applied) and watch.painted_after(applied[0]), "the window's paint")
        bench._wait(lambda: not inspector.rebuilding, "the inspector's text and word list")
        # a grab of the canvas (a repaint from its kept pictures) checks the result is drawn; on a
        # pass of its own, not added to the window's last one
        ticks = len(monitor.ticks)
        bench._wait(lambda: len(monitor.ticks) > ticks + 1, "the event loop")
        bench.paint()
        bench._wait(lambda: time.perf_counter() - monitor.ticks[-1] < 0.001, "the event loop")
    finally:
        gaps = monitor.stop()
        watch.close()
        bench.state.documentChanged.disconnect(on_document)
    if not applied:
        raise RuntimeError("the recognition finished without putting a document on the state")
    # the gap that contains the moment the result was applied, and everything after it
    ticks = monitor.ticks
    cut = next((i for i in range(1, len(ticks)) if ticks[i] >= applied[0]), len(ticks) - 1) - 1
    return gaps[:cut], gaps[cut:], monitor.cpu_gaps()[cut:]
