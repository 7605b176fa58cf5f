"""The frame tools dock: what frame the response is in, and the controls to fix a wrong one.

It shows the image's EXIF orientation and sizes, the page size the response states, what frame
detection concluded and why, and the current placement. Corrections (any of the 8 transforms,
a scale, an offset, dragging the overlay, forcing the raw or displayed frame) go through
``state.set_transform``, so the canvas previews them live. "Save corrected…" writes the placed
document (displayed frame) to a new file and can record the corrected transform in the sidecar
of the original response.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.core.export import write_export
from ocrviewer.core.geometry import ORIENTATION_NAMES, SWAPS_AXES, FrameTransform
from ocrviewer.core.history import History
from ocrviewer.core.model import Document
from ocrviewer.core.sidecar import Sidecar, read_sidecar, write_sidecar
from ocrviewer.errors import BadInput, OcrViewerError
from ocrviewer.gui.files import state_inputs
from ocrviewer.gui.save_dialog import ask_save_path
from ocrviewer.gui.settings_keys import LAST_SAVE_DIR_KEY
from ocrviewer.gui.state import ViewerState
from ocrviewer.gui.theme import set_tone
from ocrviewer.gui.wording import gui_advice

#: (label, EXIF orientation applied as a correction in the displayed frame, tooltip)
CORRECTIONS: tuple[tuple[str, int, str], ...] = (
    ("⟳ 90° CW", 6, "Rotate the overlay 90° clockwise"),
    ("⟲ 90° CCW", 8, "Rotate the overlay 90° counter-clockwise"),
    ("180°", 3, "Rotate the overlay 180°"),
    ("Mirror ↔", 2, "Mirror the overlay horizontally"),
    ("Mirror ↕", 4, "Mirror the overlay vertically"),
    ("Transpose", 5, "Swap x and y (mirror about the main diagonal)"),
    ("Transverse", 7, "Mirror about the other diagonal"),
)

#: orientation names short enough for a narrow panel
SHORT_NAMES = {
    1: "as is",
    2: "mirror ↔",
    3: "180°",
    4: "mirror ↕",
    5: "transpose",
    6: "90° CW",
    7: "transverse",
    8: "90° CCW",
}
#: lines of "why" shown before it scrolls: a long explanation never pushes the buttons down
WHY_LINES = 4


def _size(w: float | None, h: float | None) -> str:
    if w is None or h is None:
        return "—"
    return f"{w:.0f} × {h:.0f}" if float(w).is_integer() and float(h).is_integer() else f"{w:.4g} × {h:.4g}"


class FramePanel(QWidget):
    """Frame information, corrections with live preview, and saving the corrected result."""

    def __init__(self, state: ViewerState, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self._source: Document | None = None
        self._initial: tuple[FrameTransform | None, Any] = (None, None)
        self._updating = False

        # -- information
        self.orientation_label = QLabel()
        self.raw_label = QLabel()
        self.display_label = QLabel()
        self.page_label = QLabel()
        self.frame_label = QLabel()
        self.reasons_label = QLabel()
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextFormat(Qt.TextFormat.PlainText)
        self.transform_label = QLabel()
        self.transform_label.setWordWrap(True)
        info = QFormLayout()
        info.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        info.addRow("EXIF orientation:", self.orientation_label)
        info.addRow("Stored (raw):", self.raw_label)
        info.addRow("Displayed:", self.display_label)
        info.addRow("Response page:", self.page_label)
        info.addRow("Detected frame:", self.frame_label)
        self.reasons_scroll = QScrollArea()
        self.reasons_scroll.setWidget(self.reasons_label)
        self.reasons_scroll.setWidgetResizable(True)
        self.reasons_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.reasons_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reasons_scroll.setFixedHeight(self.fontMetrics().lineSpacing() * WHY_LINES + 4)
        self.reasons_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        info.addRow("Placement:", self.transform_label)
        # the explanation under its name, the panel's whole width: in the field column of a
        # 1024 px window it had ~110 px, four words a line, and scrolled
        info.addRow(QLabel("Why:"))
        info.addRow(self.reasons_scroll)
        for label in (self.orientation_label, self.raw_label, self.display_label, self.page_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.orientation_label, self.page_label, self.frame_label):
            label.setWordWrap(True)
        info_box = QGroupBox("Frame")
        info_box.setLayout(info)

        # -- corrections
        self.correction_buttons: dict[int, QPushButton] = {}
        for text, orientation, tip in CORRECTIONS:
            button = QPushButton(text, toolTip=tip)
            button.clicked.connect(lambda _=False, o=orientation: self.apply_correction(o))
            self.correction_buttons[orientation] = button
        self.reset_button = QPushButton("Reset", toolTip="Back to the placement the response was loaded with")
        self.fit_button = QPushButton(
            "Fit page", toolTip="Stretch the response's page onto the whole image (scale x and y separately)"
        )

        self.scale_spin = QDoubleSpinBox(decimals=4, minimum=0.0001, maximum=1000.0, singleStep=0.01)
        self.scale_spin.setToolTip("Response units -> displayed pixels (both axes)")
        self.offset_x_spin = QDoubleSpinBox(
            decimals=1, minimum=-1e6, maximum=1e6, singleStep=1.0, suffix=" px"
        )
        self.offset_y_spin = QDoubleSpinBox(
            decimals=1, minimum=-1e6, maximum=1e6, singleStep=1.0, suffix=" px"
        )
        for spin in (self.scale_spin, self.offset_x_spin, self.offset_y_spin):
            spin.setAccelerated(True)
            spin.setKeyboardTracking(False)
            spin.setMinimumWidth(72)  # not the width of "-1000000.0 px": the panel may be narrow
        numbers = QFormLayout()
        numbers.addRow("Scale:", self.scale_spin)
        offsets = QHBoxLayout()
        offsets.addWidget(QLabel("x"))
        offsets.addWidget(self.offset_x_spin, 1)
        offsets.addWidget(QLabel("y"))
        offsets.addWidget(self.offset_y_spin, 1)
        numbers.addRow("Offset:", offsets)

        self.drag_button = QPushButton("Drag overlay", checkable=True)
        self.drag_button.setToolTip("While on, dragging on the image moves the overlay instead of panning")
        self.raw_button = QPushButton(
            "Raw frame", toolTip="Re-place assuming the service saw the stored pixels (ignored EXIF)"
        )
        self.display_button = QPushButton(
            "Display frame", toolTip="Re-place assuming the service saw the displayed image (EXIF applied)"
        )
        # two columns, so the panel fits a narrow dock without cutting button labels
        grid = QGridLayout()
        buttons = [self.raw_button, self.display_button, self.drag_button, *self.correction_buttons.values()]
        for i, button in enumerate([*buttons, self.fit_button, self.reset_button]):
            grid.addWidget(button, i // 2, i % 2)

        # -- ink ranking, two-point alignment, undo
        self.ink_button = QPushButton(
            "Rank by ink", toolTip="Score the 8 orientations by how well the boxes sit on the text"
        )
        self.ink_apply_button = QPushButton(
            "Use best", toolTip="Place the response the way the ink ranks first"
        )
        self.ink_label = QLabel()
        self.ink_label.setWordWrap(True)  # (its four lines: unwrapped, it widened the panel past its dock)
        self.ink_label.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 4)
        self.ink_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.ink_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.align_button = QPushButton("Align by two clicks", checkable=True)
        self.align_button.setToolTip("Click a word's corner on the image, then where that corner should be")
        self.undo_button = QPushButton("Undo", toolTip="Undo the last placement change (Ctrl+Z)")
        self.redo_button = QPushButton("Redo", toolTip="Redo (Ctrl+Shift+Z)")
        self.undo_action = QAction("Undo Placement", self)
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        self.redo_action = QAction("Redo Placement", self)
        redo_keys = [QKeySequence("Ctrl+Shift+Z")]  # on every platform, beside the platform's own
        redo_keys += [
            k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in redo_keys
        ]
        self.redo_action.setShortcuts(redo_keys)
        self.history: History[tuple[FrameTransform, Any]] = History(same=lambda a, b: a[0] == b[0])
        self._restoring = False
        self._ranking: list[Any] = []
        self._ink_job: Any = None
        self._picked: list[tuple[float, float]] = []
        ink_row = QHBoxLayout()
        ink_row.addWidget(self.ink_button)
        ink_row.addWidget(self.ink_apply_button)
        undo_row = QHBoxLayout()
        undo_row.addWidget(self.undo_button)
        undo_row.addWidget(self.redo_button)

        fix_layout = QVBoxLayout()
        fix_layout.addLayout(undo_row)
        fix_layout.addLayout(grid)
        fix_layout.addLayout(numbers)
        fix_layout.addWidget(self.align_button)
        fix_layout.addLayout(ink_row)
        fix_layout.addWidget(self.ink_label)
        fix_box = QGroupBox("Correct")
        fix_box.setLayout(fix_layout)

        # -- save
        self.save_button = QPushButton("Save corrected…")
        self.save_button.setToolTip("Write the result as placed on the image (displayed frame) to a new file")
        self.sidecar_check = QCheckBox("Also record it in the sidecar")
        self.sidecar_check.setToolTip("Reopening the original response will then place it the corrected way")
        self.sidecar_check.setChecked(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 4)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        save_layout = QVBoxLayout()
        save_layout.addWidget(self.sidecar_check)
        save_layout.addWidget(self.save_button)
        save_layout.addWidget(self.message_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(info_box)
        layout.addWidget(fix_box)
        layout.addLayout(save_layout)
        layout.addStretch(1)

        self.reset_button.clicked.connect(self.reset)
        self.fit_button.clicked.connect(self.fit_page_to_image)
        self.raw_button.clicked.connect(lambda: self.force_frame("raw"))
        self.display_button.clicked.connect(lambda: self.force_frame("display"))
        self.drag_button.toggled.connect(state.set_drag_overlay)
        self.scale_spin.valueChanged.connect(self.set_scale)
        self.offset_x_spin.valueChanged.connect(lambda v: self.set_offset(x=v))
        self.offset_y_spin.valueChanged.connect(lambda v: self.set_offset(y=v))
        self.save_button.clicked.connect(self._save_clicked)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.undo_action.triggered.connect(self.undo)
        self.redo_action.triggered.connect(self.redo)
        self.ink_button.clicked.connect(self.rank_by_ink)
        self.ink_apply_button.clicked.connect(self.use_best_ink)
        self.align_button.toggled.connect(self._align_toggled)
        state.pointPicked.connect(self._point_picked)
        state.pointPickChanged.connect(self._point_pick_changed)
        state.transformChanged.connect(self._record)
        state.imageChanged.connect(self._refresh)
        state.documentChanged.connect(self._refresh)
        state.dragModeChanged.connect(self._drag_mode_changed)
        self._refresh()

    # -- following the state ----------------------------------------------------------------
    def _refresh(self) -> None:
        state = self.state
        if state.source_document is not self._source:
            self._source = state.source_document
            self._initial = (state.transform, state.decision)
            self.history.reset((state.transform, state.decision) if state.transform is not None else None)
            evidence = getattr(state.decision, "evidence", None) or {}
            self._ranking = _ranking_from_evidence(evidence.get("ink"))
            self._show_ranking()
        info = state.image_info
        if info is not None:
            o = info.orientation
            note = " ⚠ (the file's tag was invalid)" if info.warnings else ""
            self.orientation_label.setText(f"{o} — {ORIENTATION_NAMES.get(o, '?')}{note}")
            self.orientation_label.setToolTip("\n".join(info.warnings))
            self.raw_label.setText(_size(info.raw_width, info.raw_height))
            self.display_label.setText(_size(info.display_width, info.display_height))
        else:
            for label in (self.orientation_label, self.raw_label, self.display_label):
                label.setText("no image")
        self.page_label.setText(self._page_text())
        decision = state.decision
        if decision is None:
            self.frame_label.setText("—" if state.source_document is None else "not detected")
            self.reasons_label.setText("")
        else:
            how = {"sidecar": "from the sidecar", "forced": "chosen by you", "auto": "detected"}.get(
                decision.method, decision.method
            )
            self.frame_label.setText(f"{decision.frame} ({how}, confidence {decision.confidence:.0%})")
            lines = [f"• {gui_advice(r)}" for r in decision.reasons]
            lines += [f"⚠ {gui_advice(w)}" for w in decision.warnings]
            self.reasons_label.setText("\n".join(lines))
        t = state.transform
        self.transform_label.setText("—" if t is None or state.source_document is None else t.describe())
        has_doc = state.source_document is not None and t is not None
        has_image = has_doc and state.image_info is not None
        for w in (*self.correction_buttons.values(), self.reset_button, self.scale_spin):
            w.setEnabled(has_doc)
        for w in (self.offset_x_spin, self.offset_y_spin, self.drag_button, self.save_button):
            w.setEnabled(has_doc)
        for w in (self.raw_button, self.display_button, self.fit_button, self.ink_button):
            w.setEnabled(has_image)
        self.align_button.setEnabled(has_doc)
        self.ink_apply_button.setEnabled(has_doc and bool(self._ranking))
        self._update_undo()
        if t is not None:
            self._updating = True
            try:
                for spin, value in (
                    (self.scale_spin, t.scale_x),
                    (self.offset_x_spin, t.offset_x),
                    (self.offset_y_spin, t.offset_y),
                ):
                    if abs(spin.value() - value) > 1e-9:
                        spin.setValue(value)
            finally:
                self._updating = False

    # -- undo / redo ----------------------------------------------------------------------------
    def _record(self) -> None:
        """Every placement change (buttons, drag, nudge, two-point, Raw frame...) is one undo step."""
        state = self.state
        if self._restoring or state.transform is None or state.source_document is None:
            return
        if state.source_document is not self._source:
            return  # a new response: _refresh starts a new history
        self.history.push((state.transform, state.decision))
        self._update_undo()

    def _update_undo(self) -> None:
        for w in (self.undo_button, self.undo_action):
            w.setEnabled(self.history.can_undo)
        for w in (self.redo_button, self.redo_action):
            w.setEnabled(self.history.can_redo)

    def _restore(self, entry: tuple[FrameTransform, Any] | None, what: str) -> None:
        state = self.state
        if entry is None or state.source_document is None:
            return
        transform, decision = entry
        self._restoring = True
        try:
            if decision is not state.decision:
                state.set_response(state.source_document, transform, decision, state.response_path)
            else:
                state.set_transform(transform)
        finally:
            self._restoring = False
        self._update_undo()
        self._message(f"{what}: {transform.describe()}")

    def undo(self) -> None:
        self._restore(self.history.undo(), "Undone")

    def redo(self) -> None:
        self._restore(self.history.redo(), "Redone")

    # -- ink ---------------------------------------------------------------------------------------
    def rank_by_ink(self) -> None:
        """Score the 8 orientations on the image's ink in the background, then show the ranking."""
        from PySide6.QtCore import QThreadPool

        from ocrviewer.core.ink import ink_map_from_path, rank_orientations
        from ocrviewer.gui.worker import Workers

        state = self.state
        if state.source_document is None or not state.image_path or self._ink_job is not None:
            return
        if not hasattr(self, "_runner"):
            self._runner = Workers(QThreadPool(self), parent=self)
        doc, path, decision = state.source_document, state.image_path, state.decision
        page = getattr(decision, "page_size", None)
        unit = getattr(decision, "unit", "pixel")
        page_size = (1.0, 1.0) if unit == "normalized" else page

        def work(cancel: Any, progress: Any) -> Any:
            return rank_orientations(doc, ink_map_from_path(path), page_size)

        self.ink_label.setText("Looking at the ink…")
        self._ink_job = self._runner.submit(
            work,
            name="rank by ink",
            on_result=lambda r, d=doc: self._ranked(r, d),
            on_error=lambda err: self.ink_label.setText(f"Could not read the image's ink: {err}"),
            on_finished=lambda: setattr(self, "_ink_job", None),
        )

    def _ranked(self, ranking: list[Any], doc: Document) -> None:
        if doc is not self.state.source_document:
            return
        self._ranking = list(ranking)
        self._show_ranking()
        self.ink_apply_button.setEnabled(bool(self._ranking))

    def _show_ranking(self) -> None:
        if not self._ranking:
            self.ink_label.setText("Ink ranking: not computed (click Rank by ink)")
            return
        current = self.state.transform.orientation if self.state.transform is not None else None
        lines = ["Ink ranking (how well the boxes sit on text):"]
        for i, c in enumerate(self._ranking[:3], 1):
            mark = "  ◀ now" if c.orientation == current else ""
            lines.append(f"{i}. {SHORT_NAMES[c.orientation]} ({c.orientation})  {c.score:+.2f}{mark}")
        self.ink_label.setText("\n".join(lines))

    def use_best_ink(self) -> None:
        if not self._ranking or self.state.source_document is None:
            return
        best = self._ranking[0]
        self.state.set_transform(best.transform)
        self._show_ranking()
        self._message(f"Placed as the ink ranks first: {best.transform.describe()}")

    # -- two-point alignment ------------------------------------------------------------------
    def _align_toggled(self, on: bool) -> None:
        self._picked = []
        self.state.set_point_pick(on)
        if on:
            self._message("Click a word's corner on the image…")

    def _point_pick_changed(self, on: bool) -> None:
        if self.align_button.isChecked() != on:
            self.align_button.setChecked(on)

    def _point_picked(self, x: float, y: float) -> None:
        if not self.align_button.isChecked():
            return
        if not self._picked:
            corner = self.nearest_corner(x, y)
            if corner is None:
                self._message("No word there; click closer to a word's corner", error=True)
                return
            self._picked = [corner]
            self._message(f"Corner at {corner[0]:.0f}, {corner[1]:.0f}; now click where it should be")
            return
        (x0, y0), self._picked = self._picked[0], []
        t = self.state.transform
        self.align_button.setChecked(False)
        if t is not None:
            self.state.set_transform(t.then(dx=x - x0, dy=y - y0))
            self._message(f"Moved the overlay by {x - x0:+.0f}, {y - y0:+.0f} px")

    def nearest_corner(self, x: float, y: float) -> tuple[float, float] | None:
        """The corner of a placed word (or line) polygon nearest to (x, y), within a word's size."""
        doc = self.state.document
        if doc is None:
            return None
        best: tuple[float, tuple[float, float]] | None = None
        for page in doc.pages:
            for line in page.lines():
                for poly in [w.polygon for w in line.words] or [line.polygon]:
                    for px, py in poly:
                        d = (px - x) ** 2 + (py - y) ** 2
                        if best is None or d < best[0]:
                            best = (d, (px, py))
        if best is None:
            return None
        return best[1]

    def _page_text(self) -> str:
        decision = self.state.decision
        if decision is not None and getattr(decision, "page_size", None):
            w, h = decision.page_size
            return f"{_size(w, h)} {decision.unit}"
        doc = self.state.source_document
        if doc is None or not doc.pages:
            return "—"
        p = doc.pages[0]
        return f"{_size(p.width, p.height)} {p.unit}" if p.width and p.height else "not stated"

    def _drag_mode_changed(self, enabled: bool) -> None:
        if self.drag_button.isChecked() != enabled:
            self.drag_button.setChecked(enabled)

    # -- corrections --------------------------------------------------------------------------
    def apply_correction(self, orientation: int) -> None:
        """Apply one of the 8 transforms to the overlay, about the displayed frame."""
        t = self.state.transform
        if t is not None and self.state.source_document is not None:
            self.state.set_transform(t.then(orientation=orientation))

    def set_scale(self, value: float) -> None:
        """Make the overall scale ``value``, keeping the offset."""
        t = self.state.transform
        if self._updating or t is None or value <= 0 or abs(value - t.scale_x) < 1e-12:
            return
        k = value / t.scale_x
        self.state.set_transform(t.then(scale=k, dx=t.offset_x * (1 - k), dy=t.offset_y * (1 - k)))

    def set_offset(self, x: float | None = None, y: float | None = None) -> None:
        t = self.state.transform
        if self._updating or t is None:
            return
        self.state.set_transform(
            replace(t, offset_x=t.offset_x if x is None else x, offset_y=t.offset_y if y is None else y)
        )

    def force_frame(self, frame: str) -> None:
        """Re-run frame detection with the frame forced to "raw" or "display"."""
        from ocrviewer.core.frames import detect_frame

        state = self.state
        if state.source_document is None or state.image_info is None:
            return
        try:
            decision = detect_frame(state.source_document, state.image_info, frame=frame)
        except OcrViewerError as err:
            self._message(f"Cannot place the response in the {frame} frame: {err}", error=True)
            return
        state.set_response(state.source_document, decision.transform, decision, state.response_path)
        self._message(f"Placed in the {frame} frame: {decision.transform.describe()}")

    def page_size(self) -> tuple[float, float] | None:
        """The first page's size in the response's own units, if it states one."""
        decision = self.state.decision
        if decision is not None and getattr(decision, "page_size", None):
            return decision.page_size
        doc = self.state.source_document
        if doc is None or not doc.pages:
            return None
        p = doc.pages[0]
        return (p.width, p.height) if p.width and p.height else None

    def fit_page_to_image(self) -> None:
        """Keep the orientation, drop the offset, and scale each axis so the page covers the image."""
        state = self.state
        t, info, size = state.transform, state.image_info, self.page_size()
        if t is None or info is None:
            return
        if size is None:
            self._message("The response states no page size; use the scale and offset instead", error=True)
            return
        w, h = info.display_size
        sw, sh = (h, w) if t.orientation in SWAPS_AXES else (w, h)
        fitted = FrameTransform(
            source_width=sw,
            source_height=sh,
            orientation=t.orientation,
            scale_x=sw / size[0],
            scale_y=sh / size[1],
        )
        state.set_transform(fitted)
        self._message(f"Page fitted to the image: {fitted.describe()}")

    def reset(self) -> None:
        transform, decision = self._initial
        state = self.state
        if transform is None or state.source_document is None:
            return
        state.set_response(state.source_document, transform, decision, state.response_path)
        self._message("Placement reset to the one loaded")

    # -- saving -----------------------------------------------------------------------------
    def input_paths(self) -> list[str]:
        return state_inputs(self.state)

    def suggested_path(self) -> str:
        state = self.state
        base = state.response_path or state.image_path
        if base:
            p = Path(base)
            folder = str(self.settings.value(LAST_SAVE_DIR_KEY, "") or p.parent)
            return str(Path(folder) / f"{p.stem}.corrected.json")
        return str(Path(str(self.settings.value(LAST_SAVE_DIR_KEY, "") or Path.home())) / "corrected.json")

    def _save_clicked(self) -> None:
        path, _ = ask_save_path(
            self, "Save corrected result", self.suggested_path(), ["OCR result (*.json)", "All files (*)"]
        )
        if not path:
            return
        try:
            out = self.save_corrected(path, record_in_sidecar=self.sidecar_check.isChecked())
        except (OcrViewerError, OSError) as err:
            self._message(str(err), error=True)
            return
        self.settings.setValue(LAST_SAVE_DIR_KEY, str(out.parent))

    def save_corrected(self, path: str | os.PathLike[str], record_in_sidecar: bool = False) -> Path:
        """Write the placed document (displayed frame, transform in extras) to ``path``, a new file.

        Refuses to write over the image, the response or its sidecar. With ``record_in_sidecar``
        the corrected transform is also saved in the original response's sidecar.
        """
        state = self.state
        if state.document is None or state.transform is None:
            raise BadInput("nothing to save: open a response or run recognition first")
        result = state.current_result()
        out = write_export(
            path,
            state.document,
            inputs=self.input_paths(),
            response_path=state.response_path,
            image_path=state.image_path,
            decision=state.decision,
            transform=state.transform,
            corrections=result.corrections if result is not None else (),
        )
        note = f"Saved the corrected result to {out}"
        if record_in_sidecar and state.response_path and Path(state.response_path).is_file():
            written = self.record_in_sidecar()
            note += f"; placement recorded in {written.name}"
        self._message(note)
        return out

    def record_in_sidecar(self) -> Path:
        """Save the current transform in the sidecar of the response (other fields kept)."""
        state = self.state
        if not state.response_path or state.transform is None:
            raise BadInput("no response file to record the placement for")
        try:
            old = read_sidecar(state.response_path)
        except BadInput:
            old = None  # a broken sidecar is replaced by a good one
        decision = state.decision
        base = old or Sidecar(image_path=state.image_path)
        extras = dict(base.extras)
        extras["corrected"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        sidecar = replace(
            base,
            transform=state.transform,
            frame=getattr(decision, "frame", None) or base.frame,
            extras=extras,
        )
        return write_sidecar(state.response_path, sidecar, inputs=[state.image_path])

    def _message(self, text: str, error: bool = False) -> None:
        text = gui_advice(text)
        set_tone(self.message_label, "error" if error else "")
        self.message_label.setText(text)
        self.state.statusMessage.emit(text)


def _ranking_from_evidence(items: Any) -> list[Any]:
    """The ink ranking frame detection stored in its evidence, as InkCandidates."""
    from ocrviewer.core.ink import InkCandidate

    out = []
    for item in items or ():
        try:
            out.append(
                InkCandidate(
                    int(item["orientation"]),
                    FrameTransform.from_dict(item["transform"]),
                    float(item["score"]),
                    bool(item.get("fits_page", True)),
                )
            )
        except (KeyError, TypeError, ValueError, OcrViewerError):
            continue
    return out
