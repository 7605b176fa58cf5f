"""Cold start of the viewer as a user starts it: ``ocrviewer`` with no argument (the bundled sample).

Runs the real command line (``ocrviewer.cli.main(["view"])``) and exits right after the first
paint of the window's picture view showing both the sample image and its overlay (the first
frame's view, or the canvas when the window starts without one: ``MainWindow.picture_view``);
the parent times the whole process (interpreter start included). ``benchmarks/peer_qlabel.py`` is the peer.

The only thing added to the viewer is an event filter on that view (installed when the window is
shown), as the peer has one on its label; nothing is imported before the command line runs. (An application-wide filter, as before, is not
equivalent: every event then reaches Python, and wrapping each object Qt made in C++ made PySide
initialise most widget classes and their enums, ~140 of them, before the first frame.)

Usage: python benchmarks/cold_start_probe.py
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any


def watch_first_paint(main_window: Any) -> None:
    """Exit right after the first paint of a shown main window's picture view with the picture
    and its overlay (``MainWindow.picture_view`` / ``picture_shown``)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class ExitAfterPaint(QObject):
        def __init__(self, window: Any) -> None:
            super().__init__()
            self.window = window

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and self.window.picture_shown():
                QTimer.singleShot(0, lambda: os._exit(0))  # once this paint is done
            return False

    show = main_window.MainWindow.show
    watchers: list[ExitAfterPaint] = []

    def show_and_watch(window: Any) -> None:
        show(window)
        watchers.append(ExitAfterPaint(window))
        window.picture_view().installEventFilter(watchers[-1])

    main_window.MainWindow.show = show_and_watch


class _WatchOnImport:
    """Patches ocrviewer.gui.main_window once the command imports it, so nothing is imported
    here before the command line runs (as with the ``ocrviewer`` script). A finder and loader
    by protocol: importlib.abc would import importlib.resources, tempfile, shutil, bz2 (~15 ms)."""

    NAME = "ocrviewer.gui.main_window"

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != self.NAME:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        self.inner = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec: Any) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.inner.exec_module(module)
        watch_first_paint(module)


def main() -> int:
    sys.meta_path.insert(0, _WatchOnImport())
    from ocrviewer.cli import main as cli_main

    code = cli_main(["view"])
    print("the viewer returned before painting the sample with its overlay", file=sys.stderr)
    return code or 1


if __name__ == "__main__":
    sys.exit(main())
