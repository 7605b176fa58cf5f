"""The window's status bar: a message too long for the room left of the permanent labels is
elided (…) and said whole in the tooltip, instead of cut off mid-word.

Built before the first frame: nothing here touches PySide's `Qt` namespace or QStyle's enums
until a message is too long (see gui.painting).
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QStatusBar, QWidget

#: Qt.AlignLeading | Qt.AlignVCenter | Qt.TextSingleLine, as drawText takes them (an int)
_MESSAGE_FLAGS = 0x1 | 0x80 | 0x100


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

    def _fits(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.currentMessage()) <= self.message_rect().width()

    def shown_message(self) -> str:
        """The message as drawn: elided to its room."""
        text = self.currentMessage()
        if self._fits():
            return text
        from PySide6.QtCore import Qt

        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, self.message_rect().width())

    def _update_tip(self, *_args: object) -> None:
        text = self.currentMessage()
        tip = text if text and not self._fits() else ""
        if tip != self.toolTip():
            self.setToolTip(tip)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage() or self._fits():
            super().paintEvent(event)
            return
        # Qt's own paint, with the message elided (Qt draws it clipped at the permanent widgets)
        from PySide6.QtGui import QPainter
        from PySide6.QtWidgets import QStyle, QStyleOption

        painter = QPainter(self)
        opt = QStyleOption()
        opt.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, opt, painter, self)
        for widget in self._permanent:  # (the window adds no others)
            if widget.isVisible():
                item = QStyleOption()
                item.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                item.palette = self.palette()
                self.style().drawPrimitive(
                    QStyle.PrimitiveElement.PE_FrameStatusBarItem, item, painter, widget
                )
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_rect(), _MESSAGE_FLAGS, self.shown_message())
        painter.end()
