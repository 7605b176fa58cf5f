"""Work done on a thread at start, while the window's modules are imported and built.

Python imports hold the GIL; Qt's C++ work does not need it. Two things the first frame waits for
are C++ only and can be done meanwhile on the second core: loading the font database (fontconfig
reads its configuration and caches: ~6-10 ms the first time any text is measured, i.e. while the
window is built) and decoding the first frame's picture (~8 ms for the bundled sample). The
picture's reduced size depends on the view the window lays out later; it is predicted from the
screen (a view is never bigger), which gives the same DCT scale in all but very small windows,
and :meth:`StartPrefetch.preview` hands the picture over only when its size is the one asked for
(else the caller decodes it itself, as before). Nothing here changes what is shown.

This is not a worker of the window (gui.worker): it runs before the window and its pool exist,
touches no widget and is joined before its result is used or the viewer returns.
"""

from __future__ import annotations

import math
import os
import threading

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QGuiApplication, QImage, QImageReader

from ocrviewer.core.drawing import PREVIEW_MIN_SHARE, preview_side

#: responses up to this size are parsed on the GUI thread for the first frame (the sample: 12 KB)
FIRST_FRAME_MAX_BYTES = 64 * 1024
#: QImageReader's reading of the EXIF orientation (QImageIOHandler.Transformation) -> EXIF value
EXIF_OF_TRANSFORMATION = {0: 1, 1: 2, 3: 3, 2: 4, 6: 5, 4: 6, 5: 7, 7: 8}
#: EXIF orientations that swap width and height (as core.geometry.SWAPS_AXES)
_SWAPS = (5, 6, 7, 8)


def preview_scaled_size(stored: tuple[int, int], side: int) -> QSize | None:
    """The size a JPEG of ``stored`` size is decoded at for a view ``side`` pixels long: the
    largest 1/2, 1/4 or 1/8 DCT scale still reaching PREVIEW_MIN_SHARE of it (as Pillow's draft);
    None for the full size."""
    w, h = stored
    want = max(1, int(side * PREVIEW_MIN_SHARE))
    scale = want / max(w, h)
    if scale >= 1:
        return None
    rw, rh = max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale))
    k = next(i for i in (8, 4, 2, 1) if min(w // rw, h // rh) >= i)
    return QSize((w + k - 1) // k, (h + k - 1) // k) if k > 1 else None


def decode_preview(path: str, scaled: QSize | None) -> QImage:
    """The picture at ``scaled`` (stored orientation; None: full size), turned upright, RGB32."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    if scaled is not None:  # (in the stored orientation; the reader turns the result upright)
        reader.setScaledSize(scaled)
    image = reader.read()
    if image.format() != QImage.Format.Format_RGB32:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    return image


def first_frame_likely(image: str | None, response: str | None) -> bool:
    """The cheap part of gui.first_frame.first_frame_for: an image file, and a JSON response small
    enough with a sidecar beside it (where its placement is recorded)."""
    if not image or not response or not os.path.isfile(image):
        return False
    from ocrviewer.core.sidecar import sidecar_path

    try:
        small = os.path.getsize(response) <= FIRST_FRAME_MAX_BYTES
        return response.lower().endswith(".json") and small and sidecar_path(response).is_file()
    except OSError:
        return False


class StartPrefetch:
    """Loads the font database on a thread started at once (after the QApplication exists), then,
    once :meth:`decode_ahead` names a JPEG, decodes it for the largest view the primary screen
    allows (:meth:`decode_ahead` with None: nothing to decode)."""

    def __init__(self) -> None:
        self._image: str | None = None
        self._go = threading.Event()
        self._key: tuple[str, tuple[int, int] | None] | None = None
        self._picture: QImage | None = None
        self._view = (0, 0)
        self._dpr = 1.0
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self._view = (area.width(), area.height())
            self._dpr = screen.devicePixelRatio()
        self._thread = threading.Thread(target=self._run, name="start prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            QFontDatabase.families()  # fontconfig's set-up, shared by every thread
            QFontInfo(QFont()).family()  # the default font's match
            self._go.wait()
            if self._image is not None and self._view[0] > 0:
                self._decode(self._image)
        except Exception:  # a prefetch only: the window does the same work itself when needed
            self._picture = None

    def _decode(self, path: str) -> None:
        reader = QImageReader(path)
        if bytes(reader.format().data()).lower() != b"jpeg" or not reader.size().isValid():
            return
        stored = (reader.size().width(), reader.size().height())
        orientation = EXIF_OF_TRANSFORMATION.get(reader.transformation().value, 1)
        shown = (stored[1], stored[0]) if orientation in _SWAPS else stored
        scaled = preview_scaled_size(stored, preview_side(shown, self._view, self._dpr))
        picture = decode_preview(path, scaled)
        if not picture.isNull():
            self._picture = picture
            self._key = (path, scaled.toTuple() if scaled is not None else None)  # type: ignore[assignment]

    def decode_ahead(self, image: str | None) -> None:
        """Decode ``image`` (None: nothing) once the fonts are loaded; call once."""
        self._image = image if image and os.path.isfile(image) else None
        self._go.set()

    def join(self) -> None:
        """Wait for the thread (the viewer does before it returns)."""
        self._go.set()
        self._thread.join()

    def preview(self, path: str, scaled: QSize | None) -> QImage | None:
        """The picture decoded ahead when it is ``path`` at ``scaled`` (waits for the thread), else None."""
        if self._image is None or os.path.abspath(path) != os.path.abspath(self._image):
            return None
        self.join()
        key = (path, scaled.toTuple() if scaled is not None else None)
        if self._key is None or (os.path.abspath(self._key[0]), self._key[1]) != (
            os.path.abspath(key[0]),
            key[1],
        ):
            return None
        picture, self._picture, self._key = self._picture, None, None  # handed over once
        return picture
