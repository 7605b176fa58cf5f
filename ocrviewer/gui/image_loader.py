"""Decoding images off the GUI thread: a screen-size preview first, then the full resolution.

Jobs run in a QThreadPool; their signals belong to one QObject living on the main thread, so
results arrive there queued. Each job carries the state's generation: a result for an image
that is no longer shown is dropped by the receiver.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader

from ocrviewer.core.imageio import ImageInfo, load_display_image, read_image_info
from ocrviewer.errors import ImageError, OcrViewerError

PDF_DPI = 150.0
MIP_MIN_SIDE = 1024  # no half-size copies below this side
PDF_SUFFIXES = (".pdf",)


@dataclass
class DecodedImage:
    """A displayable QImage plus the buffer it points into (kept alive with it)."""

    image: QImage
    buffer: Any
    #: displayed pixels per image pixel (1.0 at full resolution, < 1 for a preview)
    scale: float
    final: bool
    thread: str = ""


def pil_to_qimage(img: Image.Image) -> tuple[QImage, bytes]:
    """Wrap a Pillow RGB/RGBA image as a 32-bit QImage sharing one byte buffer (no second copy)."""
    w, h = img.size
    if img.mode == "RGBA":
        data = img.tobytes("raw", "BGRA")
        fmt = QImage.Format.Format_ARGB32
    else:
        if img.mode != "RGB":
            img = img.convert("RGB")
        data = img.tobytes("raw", "BGRX")
        fmt = QImage.Format.Format_RGB32
    return QImage(data, w, h, w * 4, fmt), data


def is_pdf(path: str | Path) -> bool:
    return str(path).lower().endswith(PDF_SUFFIXES)


def pdf_info(path: str, page: int = 0) -> ImageInfo:
    """Size of one PDF page rendered at PDF_DPI (only the PDF's structure is read here).

    ``frames`` is the page count; the page shown is kept by the caller. Pages are sized and rendered
    by :mod:`ocrviewer.core.sources` (PDFium), the same renderer the command line and batches use.
    """
    from ocrviewer.core.sources import open_source

    with open_source(path, dpi=PDF_DPI) as source:
        if not 0 <= page < len(source.pages):
            raise ImageError(f"{path}: has no page {page + 1} (it has {len(source.pages)})")
        w, h = source.pages[page].size
        return ImageInfo(
            path=path, format="PDF", raw_width=w, raw_height=h, orientation=1, frames=len(source.pages)
        )


def render_pdf_page(path: str, info: ImageInfo, page: int = 0) -> QImage:
    """The page at PDF_DPI, on white, as a QImage that owns its pixels."""
    from ocrviewer.core.sources import open_source

    with open_source(path, dpi=PDF_DPI) as source:
        picture = source.pages[page].render()
    qimg, _buffer = pil_to_qimage(picture)
    return qimg.copy()  # detached from the Pillow buffer, which goes out of scope here


def read_info(path: str, page: int = 0) -> ImageInfo:
    """Header-only image info (PDF: the size of ``page`` at PDF_DPI)."""
    if is_pdf(path):
        if not Path(path).is_file():
            raise ImageError(f"{path}: no such file; check the path")
        return pdf_info(path, page)
    return read_image_info(path)


def preview_side_for(info: ImageInfo, viewport: Any) -> int:
    """Longest side a preview needs: the image fitted into ``viewport`` (a QWidget), in device pixels."""
    vw, vh = max(viewport.width(), 320), max(viewport.height(), 240)
    w, h = info.display_size
    fit = min(1.0, vw / max(w, 1), vh / max(h, 1))
    return max(256, int(max(w, h) * fit * viewport.devicePixelRatioF() + 0.5))


class LoaderSignals(QObject):
    """Lives on the main thread; jobs emit through it so slots run there."""

    decoded = Signal(int, object)  # generation, DecodedImage
    failed = Signal(int, str)  # generation, one-line message


def lower_thread_priority(niceness: int = 8) -> None:
    """Make the calling thread yield the CPU to the GUI thread (Linux: per-thread nice value)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError):  # other systems: run at normal priority
        pass


class ImageJob(QRunnable):
    """Decodes the preview (when the image is bigger than the screen), then queues the full decode."""

    def __init__(
        self,
        signals: LoaderSignals,
        path: str,
        info: ImageInfo,
        generation: int,
        preview_side: int,
        background: QThreadPool | None = None,
        page: int = 0,
    ):
        super().__init__()
        self.page = page
        self.signals, self.path, self.info = signals, path, info
        self.generation, self.preview_side = generation, preview_side
        self.background = background
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        self.stage = "preview"
        # Qt reads autoDelete before run(); the loader keeps this object alive instead, because
        # run() may queue it again for the full-resolution stage
        self.setAutoDelete(False)

    def run(self) -> None:
        requeued = False
        try:
            requeued = self._run()
        finally:
            if not requeued:
                self.finished.set()

    def _run(self) -> bool:
        """One stage; True when the job queued itself again for the full-resolution stage."""
        thread = threading.current_thread().name
        try:
            if self.stage == "full":
                lower_thread_priority()
                if not self.cancelled.is_set():
                    self._full(thread)
                return False
            if is_pdf(self.path):
                image = render_pdf_page(self.path, self.info, self.page)
                self.signals.decoded.emit(self.generation, DecodedImage(image, None, 1.0, True, thread))
                return False
            full_w, full_h = self.info.display_size
            if max(full_w, full_h) <= self.preview_side * 1.25:
                self._full(thread)
                return False
            # JPEG draft decodes at the smallest 1/2^k scale that still covers the fitted view
            preview = load_display_image(self.path, max_side=max(256, self.preview_side))
            qimg, buf = pil_to_qimage(preview)
            scale = preview.width / full_w
            self.signals.decoded.emit(self.generation, DecodedImage(qimg, buf, scale, False, thread))
            if self.cancelled.is_set():
                return False
            if self.background is None:
                self._full(thread)
                return False
            # the full decode runs on a low-priority thread so painting the preview stays smooth
            self.stage = "full"
            self.background.start(self)
            return True
        except OcrViewerError as err:
            self.signals.failed.emit(self.generation, str(err))
        except Exception as err:  # a decoder bug must reach the user as a message, not kill the thread
            self.signals.failed.emit(self.generation, f"{self.path}: cannot decode image ({err})")
        return False

    def _full(self, thread: str) -> None:
        full = load_display_image(self.path)
        # halves for zoom levels between the preview and full size, so a big photo is never
        # shrunk from 20 MP on every repaint
        level, scale = full, 1.0
        while max(level.size) > 2 * MIP_MIN_SIDE and not self.cancelled.is_set():
            level, scale = level.reduce(2), scale / 2
            if scale * max(full.size) >= self.preview_side:
                qimg, buf = pil_to_qimage(level)
                self.signals.decoded.emit(
                    self.generation, DecodedImage(qimg, buf, level.width / full.width, False, thread)
                )
        qimg, buf = pil_to_qimage(full)
        self.signals.decoded.emit(self.generation, DecodedImage(qimg, buf, 1.0, True, thread))


class ImageLoader(QObject):
    """Starts decode jobs and forwards results for the current generation only."""

    decoded = Signal(object)  # DecodedImage
    failed = Signal(str)

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.signals = LoaderSignals(self)
        self.signals.decoded.connect(self._on_decoded)
        self.signals.failed.connect(self._on_failed)
        self.generation = -1
        self._job: ImageJob | None = None
        self._jobs: list[ImageJob] = []  # kept alive while they run (they are re-queued once)
        self.busy = False
        self.background = QThreadPool(self)
        self.background.setMaxThreadCount(1)
        # Qt readers refuse images over 256 MB by default; ours are decoded by Pillow, but icons
        # and any QImageReader use elsewhere must accept large scans too.
        QImageReader.setAllocationLimit(2048)

    def load(self, path: str, info: ImageInfo, generation: int, preview_side: int, page: int = 0) -> None:
        if self._job is not None:
            self._job.cancelled.set()
        self.generation = generation
        self.busy = True
        self._job = ImageJob(self.signals, path, info, generation, preview_side, self.background, page)
        self._jobs = [j for j in self._jobs if not j.finished.is_set()] + [self._job]
        self.pool.start(self._job)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancelled.set()
        self.generation = -1
        self.busy = False

    def wait(self, msecs: int) -> bool:
        """Wait for running decodes (window closing)."""
        return self.pool.waitForDone(msecs) and self.background.waitForDone(msecs)

    def _on_decoded(self, generation: int, decoded: DecodedImage) -> None:
        if generation != self.generation:
            return
        if decoded.final:
            self.busy = False
        self.decoded.emit(decoded)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self.busy = False
        self.failed.emit(message)


class TaskSignals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)


class FunctionJob(QRunnable):
    def __init__(self, signals: TaskSignals, ident: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.signals, self.ident, self.fn = signals, ident, fn

    def run(self) -> None:
        try:
            result = self.fn()
        except OcrViewerError as err:
            self.signals.failed.emit(self.ident, str(err))
        except Exception as err:  # reported as a message; the GUI keeps running
            self.signals.failed.emit(self.ident, f"{type(err).__name__}: {err}")
        else:
            self.signals.done.emit(self.ident, result)


class TaskRunner(QObject):
    """Runs plain functions in the pool and calls back on the main thread; stale results are dropped."""

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.signals = TaskSignals(self)
        self.signals.done.connect(self._done)
        self.signals.failed.connect(self._failed)
        self._next = 0
        self._pending: dict[int, tuple[Callable[[Any], None], Callable[[str], None], str]] = {}
        self._latest: dict[str, int] = {}

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        kind: str,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None],
    ) -> int:
        """Run ``fn`` in the pool; only the latest task of each ``kind`` reports back."""
        self._next += 1
        ident = self._next
        self._pending[ident] = (on_done, on_error, kind)
        self._latest[kind] = ident
        self.pool.start(FunctionJob(self.signals, ident, fn))
        return ident

    def _done(self, ident: int, result: Any) -> None:
        entry = self._pending.pop(ident, None)
        if entry and self._latest.get(entry[2]) == ident:
            entry[0](result)

    def _failed(self, ident: int, message: str) -> None:
        entry = self._pending.pop(ident, None)
        if entry and self._latest.get(entry[2]) == ident:
            entry[1](message)
