"""Compare mode's toolbar: Compare, A/B, Wipe, Side by Side, stepping, Report, and the Text box
that picks the normalization (shown with the mode, on a row of its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from ocrviewer.core.metrics import NORMALIZATIONS


def make_toolbar(
    window: Any, normalization: str, on_normalization: Callable[[str], None]
) -> tuple[QToolBar, QComboBox]:
    """The toolbar (hidden) and its normalization box, set to ``normalization``."""
    bar = QToolBar("Compare", window)
    bar.setObjectName("compare_toolbar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    a = window.actions_
    for key, short in (
        ("compare_mode", "Compare"),
        ("compare_swap", "A/B"),
        ("compare_wipe", "Wipe"),
        ("compare_side", "Side by Side"),
        ("previous_difference", "◀ Difference"),
        ("next_difference", "Difference ▶"),
        ("export_report", "Report…"),
    ):
        a[key].setIconText(short)
        bar.addAction(a[key])
    bar.addSeparator()
    label = QLabel(" Text: ")
    bar.addWidget(label)
    box = QComboBox()
    box.setObjectName("compare_normalization")
    for name in NORMALIZATIONS:
        box.addItem(name, name)
    box.setCurrentIndex(box.findData(normalization))
    box.setToolTip(
        "How texts are normalized before they are compared (colours, figures and the report):\n"
        + "\n".join(f"{k}: {v}" for k, v in NORMALIZATIONS.items())
    )
    label.setBuddy(box)
    box.currentIndexChanged.connect(lambda _i: on_normalization(str(box.currentData())))
    bar.addWidget(box)
    window.addToolBarBreak()  # a row of its own: the main toolbar's row does not widen the window
    window.addToolBar(bar)
    bar.hide()
    return bar, box
