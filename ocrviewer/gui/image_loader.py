"""Decoding images off the GUI thread: a screen-size preview first, then the full resolution.

The decode is a generator run by the window's :class:`~ocrviewer.gui.worker.Workers`; each stage
it yields arrives on the main thread. Opening another image supersedes (cancels) the decode, and
the workers drop anything it still reports.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ocrviewer.core.imageio import ImageInfo, load_display_image, read_image_info
from ocrviewer.errors import Cancelled, ImageError, OcrViewerError
from ocrviewer.gui.worker import Workers
from ocrviewer.providers.base import CancelToken, ProgressCallback

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


def decode_stages(
    path: str, info: ImageInfo, preview_side: int, page: int = 0
) -> Callable[[CancelToken, ProgressCallback], Iterator[DecodedImage]]:
    """Work for a :class:`~ocrviewer.gui.worker.Worker`: yields a screen-size preview (when the
    image is bigger than the screen), halves for zoom levels between, then the full picture."""

    def work(cancel: CancelToken, progress: ProgressCallback) -> Iterator[DecodedImage]:
        thread = threading.current_thread().name
        try:
            if is_pdf(path):
                yield DecodedImage(render_pdf_page(path, info, page), None, 1.0, True, thread)
                return
            full_w, full_h = info.display_size
            if max(full_w, full_h) > preview_side * 1.25:
                # JPEG draft decodes at the smallest 1/2^k scale that still covers the fitted view
                preview = load_display_image(path, max_side=max(256, preview_side))
                qimg, buf = pil_to_qimage(preview)
                yield DecodedImage(qimg, buf, preview.width / full_w, False, thread)
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
            yield DecodedImage(qimg, buf, 1.0, True, thread)
        except OcrViewerError:
            raise
        except Exception as err:  # a decoder bug must reach the user as a message, not kill the thread
            raise ImageError(f"{path}: cannot decode image ({err})") from err

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

    def load(self, path: str, info: ImageInfo, generation: int, preview_side: int, page: int = 0) -> None:
        """Decode ``path`` for ``generation``; a decode still running for another image is cancelled."""
        self.workers.submit(
            decode_stages(path, info, preview_side, page),
            kind="image",
            generation=generation,
            name=f"decode {os.path.basename(path)}",
            on_yielded=self.decoded.emit,
            on_error=lambda err: None if isinstance(err, Cancelled) else self.failed.emit(str(err)),
        )

    def cancel(self) -> None:
        self.workers.cancel_kind("image")
