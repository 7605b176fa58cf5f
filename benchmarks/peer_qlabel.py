"""The cold-start peer: the smallest PySide6 program that shows an image, in a QLabel.

It starts Qt, loads IMAGE into a QPixmap, shows it in a QLabel and exits right after the
label's first paint, so its wall time as a process is "start to first painted window" for a
program that does nothing else. ``benchmarks/cold_start_probe.py`` measures the viewer the
same way.

Usage: python benchmarks/peer_qlabel.py IMAGE
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel


class ExitAfterPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, lambda: os._exit(0))  # once this paint is done
        return False


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    app = QApplication([sys.argv[0]])
    label = QLabel()
    pixmap = QPixmap(argv[0])
    if pixmap.isNull():
        print(f"cannot read {argv[0]}", file=sys.stderr)
        return 1
    label.setPixmap(pixmap)
    watcher = ExitAfterPaint()
    label.installEventFilter(watcher)
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
