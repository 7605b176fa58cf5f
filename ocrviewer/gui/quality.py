"""The quality dock: confidence threshold, dim-or-hide choice, histogram and counts.

The threshold lives in ``state.min_confidence``; the dim/hide choice is a preference in
QSettings (``overlay/below_threshold`` = ``dim`` | ``hide``) mirrored to
``state.below_threshold`` so the canvas can follow it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.core.columns import word_confidences
from ocrviewer.core.layers import element_counts
from ocrviewer.core.model import Document
from ocrviewer.core.palette import FULL_SCALE, ConfidenceScale, confidence_rgb
from ocrviewer.core.wording import counted
from ocrviewer.gui.settings_keys import BELOW_THRESHOLD_KEY
from ocrviewer.gui.state import ViewerState

BINS = 20


def confidence_histogram(
    values: list[float] | np.ndarray, bins: int = BINS, scale: ConfidenceScale = FULL_SCALE
) -> list[int]:
    """Counts of ``values`` in ``bins`` equal bins over the scale's range; values at or below its
    low end go in the first bin, its high end in the last one."""
    arr = np.asarray(values, dtype=np.float64)
    span = max(scale.high - scale.low, 1e-9)
    arr = np.clip((arr - scale.low) / span, 0.0, 1.0)
    index = np.minimum((arr * bins).astype(np.int64), bins - 1)
    return np.bincount(index, minlength=bins).tolist()


class HistogramWidget(QWidget):
    """Bars of word counts per confidence bin, coloured like the overlay, with the threshold line.

    It spans the colour scale's range (stretched to the words when the canvas stretches its
    colours). Clicking or dragging on it sets the threshold there.
    """

    #: the threshold the user clicked or dragged to
    thresholdPicked = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: list[int] = [0] * BINS
        self.threshold = 0.0
        self.scale = FULL_SCALE
        self.setMinimumSize(160, 80)
        self.setMaximumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setToolTip("Words per confidence bin; click or drag to set the threshold")
        self.setCursor(Qt.CursorShape.SplitHCursor)

    def set_scale(self, scale: ConfidenceScale) -> None:
        self.scale = scale
        self.update()

    def _plot(self) -> QRectF:
        axis_h = self.fontMetrics().height() + 2
        return QRectF(self.rect()).adjusted(4, 4, -4, -axis_h)

    def value_at(self, x: float) -> float:
        """The confidence under a widget x coordinate, rounded to 0.01."""
        plot = self._plot()
        position = (x - plot.left()) / max(plot.width(), 1.0)
        return round(self.scale.value_at(position), 2)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.thresholdPicked.emit(self.value_at(event.position().x()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.thresholdPicked.emit(self.value_at(event.position().x()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(240, 110)

    def set_counts(self, counts: list[int]) -> None:
        self.counts = list(counts)
        self.update()

    def set_threshold(self, value: float) -> None:
        self.threshold = value
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pal = self.palette()
        axis_h = self.fontMetrics().height() + 2
        plot = self._plot()
        p.fillRect(plot, pal.color(QPalette.ColorRole.Base))
        top = max(self.counts) if any(self.counts) else 0
        n = len(self.counts)
        bar_w = plot.width() / n
        for i, count in enumerate(self.counts):
            if not count:
                continue
            h = max(1.0, plot.height() * count / top)
            rect = QRectF(plot.left() + i * bar_w + 1, plot.bottom() - h, max(1.0, bar_w - 2), h)
            p.fillRect(rect, QColor(*confidence_rgb((i + 0.5) / n)))
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        p.drawRect(plot)
        # threshold
        x = plot.left() + plot.width() * self.scale.position(self.threshold)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Text), 2, Qt.PenStyle.DashLine))
        p.drawLine(int(x), int(plot.top()), int(x), int(plot.bottom()))
        # axis labels
        p.setPen(pal.color(QPalette.ColorRole.Text))
        y = int(plot.bottom()) + 1
        fm_h = axis_h - 2
        lo, hi = self.scale.low, self.scale.high
        fmt = (lambda v: f"{v:.2f}") if self.scale.stretched else (lambda v: f"{v:g}")
        p.drawText(
            QRectF(plot.left(), y, 60, fm_h), Qt.AlignmentFlag.AlignLeft, ("≤" if lo > 0 else "") + fmt(lo)
        )
        p.drawText(
            QRectF(plot.center().x() - 30, y, 60, fm_h), Qt.AlignmentFlag.AlignHCenter, fmt((lo + hi) / 2)
        )
        p.drawText(QRectF(plot.right() - 60, y, 60, fm_h), Qt.AlignmentFlag.AlignRight, fmt(hi))
        if not top:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no confidences")
        p.end()


class QualityPanel(QWidget):
    """Threshold slider + spinbox, dim/hide, histogram, per-level counts, words under threshold."""

    def __init__(self, state: ViewerState, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self._source: Document | None = None
        self._confidences: np.ndarray = np.zeros(0)
        self._no_confidence = 0

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setToolTip("Words under this confidence are dimmed or hidden")
        self.spin = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1.0, singleStep=0.05)
        self.spin.setAccelerated(True)
        row = QHBoxLayout()
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)

        self.dim_radio = QRadioButton("Dim")
        self.hide_radio = QRadioButton("Hide")
        self.only_radio = QRadioButton("Only them")
        self.only_radio.setToolTip("Show only the words under the threshold: the suspects, for checking")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.dim_radio)
        self.mode_group.addButton(self.hide_radio)
        self.mode_group.addButton(self.only_radio)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.dim_radio)
        mode_row.addWidget(self.hide_radio)
        mode_row.addWidget(self.only_radio)
        mode_row.addStretch(1)

        self.histogram = HistogramWidget()
        self.under_label = QLabel()
        self.no_conf_label = QLabel()
        self.counts_label = QLabel()
        self.counts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.under_label, self.no_conf_label):
            label.setWordWrap(True)  # longer counts wrap instead of widening the panel
        # the counts come as two short lines (see _document_changed): never wider than the panel

        form = QFormLayout()
        # fields take the panel's width: at their own (wrapped) width "0 of 210 words (0%)" broke in
        # two lines the form then drew in one line's height
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Elements:", self.counts_label)
        form.addRow("Under threshold:", self.under_label)
        form.addRow("No confidence:", self.no_conf_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(QLabel("Confidence threshold"))
        layout.addLayout(row)
        # the label on a line of its own: beside the three choices it was cut off in a 270 px panel
        layout.addWidget(QLabel("Words under it:"))
        layout.addLayout(mode_row)
        layout.addWidget(self.histogram)
        layout.addLayout(form)
        layout.addStretch(1)

        mode = str(settings.value(BELOW_THRESHOLD_KEY, "dim"))
        self._radio(mode).setChecked(True)
        self._apply_mode(mode)

        self.histogram.thresholdPicked.connect(state.set_min_confidence)
        state.colourScaleChanged.connect(self._scale_changed)
        self.slider.valueChanged.connect(lambda v: state.set_min_confidence(v / 100))
        self.spin.valueChanged.connect(state.set_min_confidence)
        self.dim_radio.toggled.connect(lambda on: on and self._mode_chosen("dim"))
        self.hide_radio.toggled.connect(lambda on: on and self._mode_chosen("hide"))
        self.only_radio.toggled.connect(lambda on: on and self._mode_chosen("only"))
        state.thresholdChanged.connect(self._threshold_changed)
        state.belowThresholdChanged.connect(self._mode_changed_elsewhere)
        state.documentChanged.connect(self._document_changed)
        self._document_changed()
        self._threshold_changed(state.min_confidence)

    def reload_settings(self) -> None:
        """Follow a dim/hide change made in Preferences."""
        mode = str(self.settings.value(BELOW_THRESHOLD_KEY, "dim"))
        self._radio(mode).setChecked(True)
        self._apply_mode(mode)

    # -- dim / hide -------------------------------------------------------------------------
    def _mode_chosen(self, mode: str) -> None:
        self.settings.setValue(BELOW_THRESHOLD_KEY, mode)
        self._apply_mode(mode)

    def _apply_mode(self, mode: str) -> None:
        self.state.set_below_threshold(mode)

    def _radio(self, mode: str) -> QRadioButton:
        return {"hide": self.hide_radio, "only": self.only_radio}.get(mode, self.dim_radio)

    def _mode_changed_elsewhere(self, mode: str) -> None:
        radio = self._radio(mode)
        if not radio.isChecked():
            radio.setChecked(True)

    @property
    def mode(self) -> str:
        return "hide" if self.hide_radio.isChecked() else "only" if self.only_radio.isChecked() else "dim"

    # -- following the state ----------------------------------------------------------------
    def _threshold_changed(self, value: float) -> None:
        for w, v in ((self.slider, round(value * 100)), (self.spin, value)):
            if w.value() != v:
                w.blockSignals(True)
                w.setValue(v)
                w.blockSignals(False)
        self.histogram.set_threshold(value)
        self._update_under()

    def _document_changed(self) -> None:
        state = self.state
        if state.source_document is not None and state.source_document is self._source:
            return  # only the placement moved: confidences are unchanged
        self._source = state.source_document
        doc = state.document
        # one flat list and numpy, not a Python loop per word (~8 ms -> ~2 ms for 10k words)
        every = np.zeros(0) if doc is None else word_confidences(doc.pages)  # NaN: none given
        self._confidences = every[~np.isnan(every)]
        self._no_confidence = len(every) - len(self._confidences)
        self._scale_changed()
        if doc is None:
            self.counts_label.setText("no response")
        else:
            c = element_counts(doc)
            parts = [counted(c[k], k) for k in ("page", "block", "line", "word")]
            if c["table"]:
                parts.append(counted(c["table"], "table"))
            self.counts_label.setText(", ".join(parts[:2]) + ",\n" + ", ".join(parts[2:]))
        total = len(self._confidences) + self._no_confidence
        if self._no_confidence:
            self.no_conf_label.setText(f"{self._no_confidence} of {total} words")
            self.no_conf_label.setToolTip(
                "The service gave no confidence: drawn grey and hatched, never dimmed or hidden"
            )
        else:
            self.no_conf_label.setText("0")
        self._update_under()

    def _scale_changed(self) -> None:
        scale = self.state.colour_scale or FULL_SCALE
        self.histogram.set_scale(scale)
        self.histogram.set_counts(confidence_histogram(self._confidences, scale=scale))

    def under_threshold(self) -> int:
        t = self.state.min_confidence
        return int(np.count_nonzero(self._confidences < t))

    def _update_under(self) -> None:
        n = self.under_threshold()
        total = len(self._confidences)
        pct = f" ({100 * n / total:.0f}%)" if total else ""
        self.under_label.setText(f"{n} of {total} words{pct}")
