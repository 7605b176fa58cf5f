"""Decoding images off the GUI thread: a screen-size preview first, then the full resolution.

The decode is a generator run by the window's :class:`~ocrviewer.gui.worker.Workers`; each stage
it yields arrives on the main thread. Opening another image supersedes (cancels) the decode, and
the workers drop anything it still reports.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ocrviewer.core.drawing import preview_side
from ocrviewer.core.imageio import (
    ImageInfo,
    StoredPixels,
    damage_note,
    load_display_image,
    load_preview,
    load_preview_pixels,
    load_stored_pixels,
    read_image_info,
    reduce_pixels,
    release_free_memory,
    rgb_pixels,
    upright_pixels,
)
from ocrviewer.core.sources import shown_note
from ocrviewer.errors import Cancelled, ImageError, OcrViewerError, missing_file
from ocrviewer.gui.worker import Worker, Workers
from ocrviewer.providers.base import CancelToken, ProgressCallback

PDF_DPI = 150.0
MIP_MIN_SIDE = 1024  # no half-size copies below this side
#: Pause (s) after the frame showing the preview was painted (or the preview handed over, without
#: a canvas that paints it) before the full image is decoded. Its first step frees the previous
#: image (80 MB for 20 MP, ~10 ms holding the GIL): without the pause that landed on the next
#: frame (a second paint right after the first waited ~9 ms, measured).
PREVIEW_PAINT_S = 0.03
#: Longest wait (s) for the preview's first paint (a hidden window never paints it).
PREVIEW_WAIT_S = 1.0
#: Byte order of Qt's RGB32 (0xffRRGGBB words), which Qt paints fastest, rotated 90 degrees too.
NATIVE_ORDER = "BGRX" if sys.byteorder == "little" else "RGBX"


@dataclass
class DecodedImage:
    """A displayable QImage plus the buffer it points into (kept alive with it)."""

    image: QImage
    buffer: Any
    #: displayed pixels per image pixel (1.0 at full resolution, < 1 for a preview)
    scale: float
    final: bool
    thread: str = ""
    #: EXIF orientation still to apply when painting (1: the pixels are as displayed)
    orientation: int = 1
    #: a quick low-resolution look, dropped once the full resolution is there
    preview: bool = False
    #: set by the canvas when it first paints this image (the decode waits for it after a preview)
    painted: threading.Event = field(default_factory=threading.Event)
    #: what the canvas showed before (a preview carries it to the decode, which frees it)
    retired: list[Any] = field(default_factory=list)
    #: what is missing from the picture of a damaged or cut-short file (core ``damage_note``)
    note: str | None = None


def pil_to_qimage(img: Image.Image) -> tuple[QImage, bytes | bytearray]:
    """Wrap a Pillow RGB/RGBA image as a 32-bit QImage sharing one byte buffer (no second copy)."""
    w, h = img.size
    if img.mode == "RGBA":
        data = img.tobytes("raw", "BGRA")
        return QImage(data, w, h, w * 4, QImage.Format.Format_ARGB32), data
    return stored_to_qimage(rgb_pixels(img if img.mode == "RGB" else img.convert("RGB"), NATIVE_ORDER))


def stored_to_qimage(pixels: StoredPixels) -> tuple[QImage, bytearray]:
    """Wrap 4-byte pixels as a QImage sharing their buffer (no copy)."""
    w, h = pixels.size
    fmt = QImage.Format.Format_RGB32 if pixels.order == "BGRX" else QImage.Format.Format_RGBX8888
    return QImage(pixels.buffer, w, h, w * 4, fmt), pixels.buffer


def _wait_painted(decoded: DecodedImage, cancel: CancelToken) -> None:
    """Wait until ``decoded`` was painted (at most PREVIEW_WAIT_S), then PREVIEW_PAINT_S more;
    Cancelled as soon as ``cancel`` is, in either wait (a closing window never paints the preview)."""
    deadline = time.monotonic() + PREVIEW_WAIT_S
    while not decoded.painted.wait(0.02) and time.monotonic() < deadline:
        cancel.raise_if_cancelled()
    cancel.raise_if_cancelled()
    if cancel.wait(PREVIEW_PAINT_S):
        raise Cancelled("cancelled by the user")


def is_pdf(path: str | Path) -> bool:
    """A PDF, by its name or its first bytes (see ``ocrviewer.core.sources.is_pdf``)."""
    from ocrviewer.core.sources import is_pdf as pdf

    return pdf(path)


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
            raise ImageError(missing_file(path, "file"))
        return pdf_info(path, page)
    return read_image_info(path)


def preview_side_for(info: ImageInfo, viewport: Any) -> int:
    """Longest side a preview needs: the image fitted into ``viewport`` (a QWidget), in device pixels."""
    return preview_side(
        info.display_size, (viewport.width(), viewport.height()), viewport.devicePixelRatioF()
    )


def decode_stages(
    path: str, info: ImageInfo, preview_side: int, page: int = 0, started: threading.Event | None = None
) -> Callable[[CancelToken, ProgressCallback], Iterator[DecodedImage]]:
    """Work for a :class:`~ocrviewer.gui.worker.Worker`: yields a screen-size preview (when the
    image is bigger than the screen), halves for zoom levels between, then the full picture.

    ``started`` is set once the first decode runs without the GIL (libjpeg on the whole file), or
    once the work goes another way: until then the worker runs Python (opening the file, the
    header, the buffer) and a GUI thread holding the GIL would delay it.
    """
    ready = started.set if started is not None else lambda: None

    def work(cancel: CancelToken, progress: ProgressCallback) -> Iterator[DecodedImage]:
        thread = threading.current_thread().name
        try:
            if is_pdf(path):
                ready()
                yield DecodedImage(render_pdf_page(path, info, page), None, 1.0, True, thread)
                return
            full_w, full_h = info.display_size
            if max(full_w, full_h) > preview_side * 1.25:
                shown = _preview(path, max(256, preview_side), full_w, thread, ready)
                ready()  # set already, unless Pillow read the file its own way
                yield shown
                try:  # the full decode waits for the preview on screen: it would take the CPU from it
                    _wait_painted(shown, cancel)
                finally:
                    shown.retired = []  # the previous image, freed here rather than on the GUI thread
                    release_free_memory()  # and the decode's buffers, before the full image's peak
            ready()
            stored = load_stored_pixels(path, NATIVE_ORDER)
            if stored is not None:
                yield from _stored_stages(stored, preview_side, thread)
                return
            full = load_display_image(path)
            # halves for zoom levels between the preview and full size, so a big photo is never
            # shrunk from 20 MP on every repaint
            level, scale = full, 1.0
            while max(level.size) > 2 * MIP_MIN_SIDE:
                level, scale = level.reduce(2), scale / 2
                if scale * max(full.size) >= preview_side:
                    qimg, buf = pil_to_qimage(level)
                    yield DecodedImage(qimg, buf, level.width / full.width, False, thread)
            qimg, buf = pil_to_qimage(full)
            yield DecodedImage(qimg, buf, 1.0, True, thread, note=damage_note(full))
        except OcrViewerError:
            raise
        except Exception as err:  # a decoder bug must reach the user as a message, not kill the thread
            raise ImageError(f"{path}: cannot decode image ({err})") from err
        finally:
            ready()

    return work


def _preview(
    path: str, side: int, full_width: int, thread: str, decoding: Callable[[], None] | None = None
) -> DecodedImage:
    """The quick look: JPEG draft decodes at a small 1/2^k scale close to the fitted view."""
    # in Qt's RGB32 (what it paints fastest), red and blue swapped in the buffer the QImage shares
    # (Qt's convertToFormat on this thread was ~1 ms faster but raised the peak memory of opening
    # a 20 MP photo by ~5 MB)
    pixels = load_preview_pixels(path, side, decoding, NATIVE_ORDER)
    if pixels is not None:
        qimg, buf = stored_to_qimage(pixels)
    else:
        if decoding is not None:
            decoding()  # Pillow's own decode: no stretch without the GIL to wait for
        preview = load_preview(path, side)
        qimg, buf = pil_to_qimage(preview)
    return DecodedImage(qimg, buf, qimg.width() / full_width, False, thread, preview=True)


def _stored_stages(full: StoredPixels, preview_side: int, thread: str) -> Iterator[DecodedImage]:
    """The full resolution as stored (painted with its orientation), plus one reduced copy.

    The reduced copy is the smallest halving that still covers the fitted view (1/4 of a 20 MP
    photo in a 1000-pixel view, 5 MB), made upright so painting at fit is a plain scaled blit;
    zooms above it are painted from the full image, whose cost is bounded by the viewport.
    Every intermediate halving too would add 20 MB for a 20 MP photo.
    """
    full_w, full_h = full.size
    side = max(full_w, full_h)
    factor = 1
    while side / (factor * 2) >= max(preview_side, MIP_MIN_SIDE // 2):
        factor *= 2
    if factor > 1:
        level = upright_pixels(reduce_pixels(full, factor))
        qimg, buf = stored_to_qimage(level)
        yield DecodedImage(qimg, buf, max(level.size) / side, False, thread, level.orientation)
    qimg, buf = stored_to_qimage(full)
    release_free_memory()
    yield DecodedImage(qimg, buf, 1.0, True, thread, full.orientation, note=full.note)


def decode_page(
    page: Any, info: ImageInfo, preview_side: int
) -> Callable[[CancelToken, ProgressCallback], Iterator[DecodedImage]]:
    """Work decoding one page of a document (a core ``SourcePage``): a PDF page is rendered once
    by the open source (no preview: a page at 150 dpi is screen-sized), an image as above."""
    if page.image_path is not None:
        return decode_stages(page.image_path, info, preview_side)

    def work(cancel: CancelToken, progress: ProgressCallback) -> Iterator[DecodedImage]:
        picture = page.render()
        qimg, buf = pil_to_qimage(picture)
        yield DecodedImage(qimg, buf, 1.0, True, threading.current_thread().name, note=shown_note(picture))

    return work


class ImageLoader(QObject):
    """Decodes the shown image with the window's workers; only the current image reports."""

    decoded = Signal(object)  # DecodedImage
    failed = Signal(str)

    def __init__(self, workers: Workers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workers = workers

    @property
    def busy(self) -> bool:
        return self.workers.running("image")

    def load(
        self,
        path: str,
        info: ImageInfo,
        generation: int | None,
        preview_side: int,
        page: int = 0,
        wait_start: float = 0.0,
    ) -> Worker:
        """Decode ``path`` for ``generation``; a decode still running for another image is cancelled.

        With ``wait_start`` (s), the calling thread waits (without the GIL) at most that long for
        the decode to get past its Python set-up, so what the caller does next does not delay it.
        """
        started = threading.Event()
        pool = self.workers.pool
        if pool.activeThreadCount() >= pool.maxThreadCount():
            wait_start = 0.0  # queued behind other work: nothing to wait for now
        worker = self.workers.submit(
            decode_stages(path, info, preview_side, page, started),
            kind="image",
            generation=generation,
            name=f"decode {os.path.basename(path)}",
            on_yielded=self.decoded.emit,
            on_error=lambda err: None if isinstance(err, Cancelled) else self.failed.emit(str(err)),
        )
        if wait_start > 0:
            started.wait(wait_start)
        return worker

    def load_page(self, page: Any, info: ImageInfo, generation: int, preview_side: int) -> None:
        """Decode page ``page`` of the open document (a core ``SourcePage``) for ``generation``."""
        self.workers.submit(
            decode_page(page, info, preview_side),
            kind="image",
            generation=generation,
            name=f"decode {page.name}",
            on_yielded=self.decoded.emit,
            on_error=lambda err: None if isinstance(err, Cancelled) else self.failed.emit(str(err)),
        )

    def cancel(self) -> None:
        self.workers.cancel_kind("image")
