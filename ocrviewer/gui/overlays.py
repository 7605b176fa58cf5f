"""Widgets that float over the picture without taking room from it: the keyboard shortcut sheet
(F1) and the first-start welcome strip over the bundled sample.

Both are children of the canvas viewport, so showing or hiding them never resizes the picture.
(`QtCore.Qt`, not an imported `Qt`: the welcome strip comes with the first frame, which does
without PySide's `Qt` namespace; see gui.painting.)
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

#: keys that are not menu actions (canvas gestures and panel keys), shown on the sheet too
EXTRA_KEYS: tuple[tuple[str, str], ...] = (
    ("Pan the picture", "Space + drag"),
    ("Zoom at the cursor", "Mouse wheel"),
    ("Nudge the overlay (Move Overlay on)", "Arrows, Shift+Arrows"),
    ("Wipe between A and B (Wipe A/B on)", "Drag the handle"),
    ("Clear the selection / close this sheet", "Esc"),
)


def key_text(sequence: QKeySequence) -> str:
    """A key as people read it on this system ("Ctrl+Shift+Z", "Esc")."""
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


#: Qt key codes from here up are media and launcher keys ("Open", "Copy", "ZoomIn" on special
#: keyboards) that standard shortcuts include; a sheet for people lists the keys they have
_SPECIAL_KEYS_FROM = 0x01000060
#: keys listed per action (Undo also has Alt+Backspace...): the common ones come first
MAX_KEYS = 2


def _on_keyboard(sequence: QKeySequence) -> bool:
    return sequence.count() > 0 and sequence[0].key().value < _SPECIAL_KEYS_FROM


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what, keys) for every action with a shortcut, sorted by name, without duplicates."""
    rows: dict[str, str] = {}
    for act in actions:
        found = [key_text(k) for k in act.shortcuts() if _on_keyboard(k)]
        # the first key, and a second one when it is short (not "Alt+Shift+Backspace")
        keys = ", ".join(found[:1] + [k for k in found[1:MAX_KEYS] if len(k) <= 12])
        name = act.text().replace("&", "").rstrip("…").strip()
        if keys and name:
            rows[name] = keys
    return sorted(rows.items(), key=lambda r: r[0].lower())


class ShortcutSheet(QFrame):
    """The keyboard shortcuts in two columns over the picture; Esc, F1 or a click closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutSheet")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(
            "#shortcutSheet { background: palette(window); border: 1px solid palette(mid); border-radius: 8px; }"
        )
        title = QLabel("<b>Keyboard shortcuts</b> — Esc closes")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(3)
        body = self.body = QWidget()
        body.setLayout(self.grid)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        self.rows: list[tuple[str, str]] = []
        self.columns = 2
        self.hide()
        parent.installEventFilter(self)

    def set_rows(self, rows: list[tuple[str, str]], columns: int = 2) -> None:
        """The shortcuts in ``columns`` (1 or 2) columns of name and keys."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.rows = rows
        self.columns = columns
        half = (len(rows) + 1) // 2 if columns == 2 else len(rows)
        for i, (what, keys) in enumerate(rows):
            col = 0 if i < half else 2
            row = i if i < half else i - half
            name = QLabel(what)
            name.setWordWrap(True)  # in a view too narrow for a column the names wrap, the keys stay whole
            self.grid.addWidget(name, row, col)
            key = QLabel(f"<b>{keys.replace(', ', ',<br>')}</b>" if len(keys) > 18 else f"<b>{keys}</b>")
            key.setTextFormat(QtCore.Qt.TextFormat.RichText)
            key.setMinimumWidth(key.sizeHint().width())
            self.grid.addWidget(key, row, col + 1)

    def pair_width(self) -> int:
        """The width of one column of names and keys (the keys bold, long ones a key a line)."""
        bold = QFont(self.font())
        bold.setBold(True)
        fm, fmb = self.fontMetrics(), QFontMetrics(bold)
        names = max((fm.horizontalAdvance(what) for what, _ in self.rows), default=0)
        keys = max(
            (
                fmb.horizontalAdvance(k)
                for _, ks in self.rows
                for k in (ks.split(", ") if len(ks) > 18 else [ks])
            ),
            default=0,
        )
        return names + self.grid.horizontalSpacing() + keys

    def open(self, rows: list[tuple[str, str]]) -> None:
        self.set_rows(rows)
        self._place()
        self.show()
        self.raise_()
        self.setFocus()

    def toggle(self, rows: list[tuple[str, str]]) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.open(rows)

    def _place(self) -> None:
        area = self.parentWidget().rect()
        # one column where two do not fit across (a narrow view: the keys were cut off at the right)
        columns = 2 if self.pair_width() * 2 + self.grid.horizontalSpacing() <= area.width() - 24 - 60 else 1
        if columns != self.columns:
            self.set_rows(self.rows, columns)
        w = min(area.width() - 24, max(760, self.sizeHint().width()))
        h = min(area.height() - 24, max(200, self.sizeHint().height()))
        self.setGeometry(area.center().x() - w // 2, area.center().y() - h // 2, w, h)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (QtCore.Qt.Key.Key_Escape, QtCore.Qt.Key.Key_F1):
            self.hide()
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()
        event.accept()


class WelcomeStrip(QFrame):
    """ "A sample receipt, read offline: open or drop your own image", over the top of the picture."""

    openRequested = Signal()
    dismissed = Signal()

    TEXT = "A sample receipt, read offline by the built-in engine: open or drop your own image."

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeStrip")
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#welcomeStrip { background: palette(highlight); border-radius: 6px; }"
            "#welcomeStrip QLabel { color: palette(highlighted-text); }"
        )
        self.label = QLabel(self.TEXT)
        self.label.setWordWrap(True)
        self.open_button = QPushButton("Open image…")
        self.close_button = QPushButton("×")
        self.close_button.setFlat(True)
        self.close_button.setToolTip("Do not show this again")
        self.close_button.setFixedWidth(self.close_button.fontMetrics().horizontalAdvance("×") + 16)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.close_button)
        self.open_button.clicked.connect(self.openRequested)
        self.close_button.clicked.connect(self._dismiss)
        self.hide()
        parent.installEventFilter(self)

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()

    def show_over(self) -> None:
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        area = self.parentWidget().rect()
        w = min(area.width() - 24, 720)
        h = self.heightForWidth(w) if self.hasHeightForWidth() else self.sizeHint().height()
        self.setGeometry(area.center().x() - w // 2, 12, w, max(h, self.sizeHint().height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
