"""The window's status bar: a message too long for the room left of the permanent labels is
elided (…) and said whole in the tooltip, instead of cut off mid-word."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QStatusBar, QStyle, QStyleOption, QWidget


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self._update_tip)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - Qt's name
        super().addPermanentWidget(widget, stretch)
        self._permanent.append(widget)

    def message_rect(self) -> QRect:
        """Where the message is drawn: left of the first shown permanent widget (as Qt's own)."""
        right = self.width() - 12
        for widget in self._permanent:
            if widget.isVisible():
                right = min(right, widget.x() - 2)
                break
        return QRect(6, 0, max(0, right - 6), self.height())

    def shown_message(self) -> str:
        """The message as drawn: elided to its room."""
        return self.fontMetrics().elidedText(self.currentMessage(), Qt.TextElideMode.ElideRight, self.message_rect().width())

    def _update_tip(self, *_args: object) -> None:
        text = self.currentMessage()
        self.setToolTip(text if text and self.shown_message() != text else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:
        # Qt's own paint, but with the message elided (it drew it clipped at the permanent widgets)
        message = self.currentMessage()
        painter = QPainter(self)
        opt = QStyleOption()
        opt.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, opt, painter, self)
        for widget in self._permanent:  # (the window adds no others)
            if widget.isVisible():
                item = QStyleOption()
                item.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                item.palette = self.palette()
                item.state = QStyle.StateFlag.State_None
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem, item, painter, widget)
        if message:
            painter.setPen(self.palette().windowText().color())
            painter.drawText(
                self.message_rect(),
                Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                self.shown_message(),
            )
        painter.end()
