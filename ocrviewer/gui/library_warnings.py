"""Warnings an image library gives while a file is read, shown in the window naming the file.

Pillow warns about a file's contents ("Corrupt EXIF data. Expecting to read 12 bytes but only got
4.") without saying which file, on stderr where a window's user never looks. Here each such
warning becomes one line naming the file (:func:`ocrviewer.core.imageio.image_warning`), on stderr
and in the window's message bar and status bar. Other warnings go to the previous handler.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any, TextIO

from PySide6.QtCore import QObject, Signal


class LibraryWarnings(QObject):
    """Installed once per window run: :meth:`install`, then :meth:`show_in` the window."""

    #: one line naming the file; emitted from whichever thread read it (queued to the window)
    warned = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous: Callable[..., Any] | None = None
        self._seen: list[str] = []
        self._deliver_to: Callable[[str, str], None] | None = None

    def install(self) -> None:
        self._previous = warnings.showwarning
        warnings.showwarning = self._show
        # every time, not once per text: two files with the same corrupt EXIF are two messages
        warnings.filterwarnings("always", module=r"PIL\.")

    def uninstall(self) -> None:
        if self._previous is not None and warnings.showwarning == self._show:
            warnings.showwarning = self._previous
        self._previous = None

    def show_in(self, show: Callable[[str, str], None]) -> None:
        """Send each warning to ``show(text, "warning")``, beginning with the last one given so far."""
        self._deliver_to = show
        self.warned.connect(self._deliver)  # a method of this (main-thread) object: queued across threads
        if self._seen:
            more = f" (+{len(self._seen) - 1} more on stderr)" if len(self._seen) > 1 else ""
            show(self._seen[-1] + more, "warning")

    def _deliver(self, text: str) -> None:
        if self._deliver_to is not None:
            self._deliver_to(text, "warning")

    def _show(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = None
        if "PIL" in filename:  # (imageio imports Pillow: not before the first picture needs it)
            from ocrviewer.core.imageio import image_warning

            text = image_warning(message, filename)
        if text is None:
            if self._previous is not None:
                self._previous(message, category, filename, lineno, file, line)
            return
        if text in self._seen:  # the same file is read more than once (preview, full picture)
            return
        self._seen.append(text)
        print(f"ocrviewer: warning: {text}", file=file or sys.stderr)
        self.warned.emit(text)
