"""A dismissible inline message bar: errors and warnings without a modal dialog."""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

STYLES = {
    "error": ("#fdecea", "#8a1c12", "#e6a39b"),
    "warning": ("#fff6dd", "#6b4e00", "#e8cf86"),
    "info": ("#e8f1fd", "#14417d", "#a9c6ee"),
}
#: the same in the dark theme (a pale bar with dark text glared over the dark window)
DARK_STYLES = {
    "error": ("#4a1f1c", "#f7c9c3", "#7d3029"),
    "warning": ("#43370f", "#f3e0a5", "#7a6320"),
    "info": ("#1b3150", "#c9dcf7", "#34557f"),
}


class MessageBar(QFrame):
    """Shows one message at a time; info messages fade away on their own, errors stay until closed."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.level = ""
        self._plain = ""
        self.dark = False
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        # (enum properties by name: the window makes this bar before its first frame, which does
        # without PySide's `Qt` namespace; see gui.painting)
        self.label.setProperty("textInteractionFlags", "TextSelectableByMouse")
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Dismiss (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.label, 1)
        top = QVBoxLayout()  # the close button at the top of a message of several lines
        top.addWidget(close)
        top.addStretch(1)
        layout.addLayout(top)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    @property
    def text(self) -> str:
        """The message as given (without markup)."""
        return self._plain

    def set_dark(self, dark: bool) -> None:
        """Follow the window's theme (also for the message shown)."""
        if dark != self.dark:
            self.dark = dark
            if self.level:
                self._colour(self.level)

    def _colour(self, level: str) -> None:
        styles = DARK_STYLES if self.dark else STYLES
        bg, fg, border = styles.get(level, styles["info"])
        self.setStyleSheet(
            f"#message_bar {{ background: {bg}; border-bottom: 1px solid {border}; }}"
            f"#message_bar QLabel, #message_bar QToolButton {{ color: {fg}; background: transparent; }}"
        )

    def show_message(self, text: str, level: str = "info", timeout_ms: int | None = None) -> None:
        self.level = level
        self._colour(level)
        prefix = {"error": "<b>Error:</b> ", "warning": "<b>Note:</b> "}.get(level, "")
        self.label.setText(prefix + html.escape(text, quote=False))
        self._plain = text
        self.show()
        if timeout_ms is None:
            timeout_ms = 8000 if level == "info" else 0
        if timeout_ms:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def dismiss(self) -> None:
        self._timer.stop()
        if self.isVisible():
            self.hide()
            self.dismissed.emit()
