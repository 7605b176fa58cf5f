"""Cold start of the viewer as a user starts it: ``ocrviewer`` with no argument (the bundled sample).

Runs the real command line (``ocrviewer.cli.main(["view"])``) and exits right after the first
paint of the canvas that shows both the sample image and its overlay; the parent times the
whole process (interpreter start included). ``benchmarks/peer_qlabel.py`` is the peer.

The only thing added to the viewer is an application-wide event filter (installed as soon as
the QApplication exists) that watches for that paint; the peer carries an equivalent one.

Usage: python benchmarks/cold_start_probe.py
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _ready(widget: Any) -> bool:
    """The main window's canvas has an image and a document to draw."""
    state = getattr(widget, "state", None)
    canvas = getattr(widget, "canvas", None)
    if state is None or canvas is None or getattr(state, "document", None) is None:
        return False
    item = getattr(canvas, "image_item", None)
    return bool(getattr(item, "levels", None))


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    import ocrviewer.gui.app as gui_app

    class ExitAfterPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                for top in QApplication.topLevelWidgets():
                    canvas = getattr(top, "canvas", None)
                    if canvas is not None and watched is canvas.viewport() and _ready(top):
                        QTimer.singleShot(0, lambda: os._exit(0))  # once this paint is done
            return False

    create_app = gui_app.create_app
    watcher: list[ExitAfterPaint] = []

    def create_and_watch(argv: list[str] | None = None) -> QApplication:
        app = create_app(argv)
        watcher.append(ExitAfterPaint())
        app.installEventFilter(watcher[0])
        return app

    gui_app.create_app = create_and_watch  # type: ignore[assignment]
    from ocrviewer.cli import main as cli_main

    code = cli_main(["view"])
    print("the viewer returned before painting the sample with its overlay", file=sys.stderr)
    return code or 1


if __name__ == "__main__":
    sys.exit(main())
