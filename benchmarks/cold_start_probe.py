"""Cold start of the viewer as a user starts it: ``ocrviewer`` with no argument (the bundled sample).

Runs the real command line (``ocrviewer.cli.main(["view"])``) and exits right after the first
paint of the window's picture view showing both the sample image and its overlay (the first
frame's view, or the canvas when the window starts without one: ``MainWindow.picture_view``);
the parent times the whole process (interpreter start included). ``benchmarks/peer_qlabel.py`` is the peer.

The only thing added to the viewer is an event filter on that view (installed when the window is
shown), as the peer has one on its label. (An application-wide filter, as before, is not
equivalent: every event then reaches Python, and wrapping each object Qt made in C++ made PySide
initialise most widget classes and their enums, ~140 of them, before the first frame.)

Usage: python benchmarks/cold_start_probe.py
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer

    from ocrviewer.gui import main_window

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

    main_window.MainWindow.show = show_and_watch  # type: ignore[method-assign]
    from ocrviewer.cli import main as cli_main

    code = cli_main(["view"])
    print("the viewer returned before painting the sample with its overlay", file=sys.stderr)
    return code or 1


if __name__ == "__main__":
    sys.exit(main())
