"""A combo box that elides its shown text (…) where the style would cut it off mid-letter, and
says the whole of it in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget


class ElidedComboBox(QComboBox):
    def __init__(self, parent: QWidget | None = None, hint: str = "") -> None:
        super().__init__(parent)
        self.hint = hint  # the tooltip's second line: what the box is for
        self.currentIndexChanged.connect(self._update_tip)

    def _style_option(self) -> QStyleOptionComboBox:
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        return opt

    def shown_text(self) -> str:
        """The current text as drawn: elided to the box's text field."""
        opt = self._style_option()
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        return self.fontMetrics().elidedText(self.currentText(), Qt.TextElideMode.ElideRight, field.width())

    def _update_tip(self, *_args: object) -> None:
        text = self.currentText()
        lines = [text] if text and self.shown_text() != text else []
        if self.hint:
            lines.append(self.hint)
        tip = "\n".join(lines)
        if tip != self.toolTip():
            self.setToolTip(tip)

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        opt = self._style_option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
        self._update_tip()  # (also after items filled with signals blocked)
