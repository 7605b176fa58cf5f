"""The benchmarks' handle on the real viewer canvas (offscreen Qt), kept in one place.

Every measurement goes through the canvas's own public paths: the ViewerState signal the canvas
rebuilds its overlay from, ``Canvas.element_at`` for hover, the ImageLoader the main window uses
for opening, and a viewport grab for painting.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QPointF, QThreadPool, QTimer  # noqa: E402
from PySide6.QtGui import QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ocrviewer.core.model import Document  # noqa: E402
from ocrviewer.gui.canvas import Canvas  # noqa: E402
from ocrviewer.gui.image_loader import ImageLoader, read_info  # noqa: E402
from ocrviewer.gui.state import ViewerState  # noqa: E402

BUILD_HOW = "ViewerState.documentChanged -> Canvas rebuilds its overlay layers (document already placed)"
PAINT_HOW = "Canvas.viewport().grab() at fit; 'caches dropped' calls update() on every scene item first"
HIT_HOW = "Canvas.element_at(scene point), uniform random points over the page"
OPEN_HOW = (
    "read_info + ViewerState.set_image + ImageLoader.load (preview first, as the main window does) "
    "until the first decoded image is painted by a viewport grab"
)
WAIT_LIMIT_S = 60.0


def app() -> QApplication:
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([])


def placed_document(response: Path, image: Path) -> Document:
    """The response placed on the displayed image the way the CLI and the viewer place it."""
    try:
        from ocrviewer.core.loading import load_result
    except ImportError:
        load_result = None
    if load_result is not None:
        return load_result(response, image).document
    from ocrviewer.core.geometry import FrameTransform
    from ocrviewer.core.imageio import read_image_info
    from ocrviewer.core.parsers import load_response

    info = read_image_info(image)
    return FrameTransform.identity(*info.display_size).apply_document(load_response(response))


def preview_side(canvas: Canvas) -> int:
    """The preview size the main window asks for: the screen-size side of the viewport."""
    vp = canvas.viewport()
    dpr = vp.devicePixelRatioF() or 1.0
    return int(max(vp.width(), vp.height()) * dpr)


class Bench:
    """A shown, offscreen canvas of a fixed viewport size, with its state and image loader."""

    def __init__(self, view: tuple[int, int]) -> None:
        self.app = app()
        self.state = ViewerState()
        self.canvas = Canvas(self.state)
        self.canvas.resize(*view)
        self.canvas.show()
        self.pool = QThreadPool()
        self.loader = ImageLoader(self.pool)
        self.loader.decoded.connect(self.canvas.set_image)
        self._decoded: list[Any] = []
        self.loader.decoded.connect(self._decoded.append)
        self.app.processEvents()

    def close(self) -> None:
        self.loader.cancel()
        self.pool.waitForDone(int(WAIT_LIMIT_S * 1000))
        self.canvas.close()
        self.canvas.deleteLater()
        self.app.processEvents()

    # -- image -----------------------------------------------------------------------------------
    def _wait(self, done: Any, what: str) -> None:
        deadline = time.perf_counter() + WAIT_LIMIT_S
        loop = QEventLoop()
        while not done():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            QTimer.singleShot(5, loop.quit)
            loop.exec()

    def start_open(self, path: Path) -> None:
        info = read_info(str(path))
        self._decoded.clear()
        self.state.set_image(str(path), info)
        self.loader.load(str(path), info, self.state.generation, preview_side(self.canvas))

    def show_image(self, path: Path) -> None:
        """Open an image and wait for its full resolution (not timed)."""
        self.start_open(path)
        self._wait(lambda: any(d.final for d in self._decoded), "the full-resolution image")
        self.fit()

    def open_until_painted(self, path: Path) -> float:
        """Seconds from the open call to the first painted frame that shows the image.

        Then waits (untimed) for the full-resolution decode, so it does not run into the next sample.
        """
        t0 = time.perf_counter()
        self.start_open(path)
        self._wait(lambda: bool(self._decoded), "the first decoded image")
        frame = self.paint()
        elapsed = time.perf_counter() - t0
        # The generated photo is tinted paper and bluish ink: a grey or white centre means no image.
        c = frame.toImage().pixelColor(frame.width() // 2, frame.height() // 2)
        if not self.canvas.image_item.levels or c.red() == c.green() == c.blue():
            raise RuntimeError("the first painted frame does not show the image")
        self._wait(lambda: any(d.final for d in self._decoded), "the full-resolution image")
        return elapsed

    # -- overlay ---------------------------------------------------------------------------------
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

    def invalidate(self) -> None:
        """Drop every item cache, as a zoom step or a threshold change does."""
        for item in self.canvas.scene().items():
            item.update()

    def paint(self) -> QPixmap:
        """One full repaint of the viewport into a pixmap (what a screen update costs)."""
        return self.canvas.viewport().grab()

    def hit(self, x: float, y: float) -> Any:
        return self.canvas.element_at(QPointF(x, y))
