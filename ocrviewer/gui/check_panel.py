"""The Check dock: step through suspect words with a magnified crop of each, and mark them.

N / Shift+N go to the next / previous suspect (under the threshold; 0.90 while none is set)
across pages; the word is selected, so the canvas centres on it. The correction field holds the
recognized text: Enter keeps it (right) or takes what was typed (corrected), Shift+Enter marks
the word wrong, and both move on. The marks live in a Qt-free
:class:`ocrviewer.core.checking.CheckSession`; "Export ground truth…" writes the corrected
document in the normalized format. The marks are kept with the shown result in the workspace, so
a saved workspace brings them (and the progress) back when it reopens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, QThreadPool
from PySide6.QtGui import QAction, QImage, QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.core.checking import CheckSession, WordKey
from ocrviewer.core.model import Document
from ocrviewer.errors import Cancelled, OcrViewerError, error_message
from ocrviewer.gui.save_dialog import ask_save_path
from ocrviewer.gui.state import ElementRef, ViewerState
from ocrviewer.gui.theme import set_tone
from ocrviewer.gui.worker import Workers

if TYPE_CHECKING:
    from ocrviewer.core.loading import LoadedResult

#: suspects are words under this when no threshold is set
DEFAULT_SUSPECT = 0.9
CROP_HEIGHT = 96

#: (rect in displayed image pixels) -> the picture there, or None while it is not decoded
CropSource = Callable[[QRectF], QImage | None]


class CorrectionEdit(QLineEdit):
    """Enter: right or corrected; Shift+Enter: wrong."""

    def __init__(self, on_enter: Callable[[bool], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_enter = on_enter

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_enter(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            event.accept()
            return
        super().keyPressEvent(event)


class LinesLabel(QLabel):
    """A wrapped label of a fixed number of lines: no height-for-width (a wrapped label's made the
    scroll area holding the panel ask for its whole preferred height, not its minimum)."""

    def hasHeightForWidth(self) -> bool:
        return False


class MessageLabel(LinesLabel):
    """Two wrapped lines of room, kept while empty so a message appearing moves nothing; empty,
    that room is no minimum (a panel just short of it does not scroll for a blank), and a message
    asks for the lines it needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred))
        self._room = self.fontMetrics().lineSpacing() * 2 + 4
        self.setMaximumHeight(self._room)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._room)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.updateGeometry()  # the minimum changes with the text, the size hint does not

    def minimumSizeHint(self) -> QSize:
        width = super().minimumSizeHint().width()
        if not self.text():
            return QSize(width, 0)
        need = self.heightForWidth(self.width()) if self.width() > 0 else self._room
        return QSize(width, min(self._room, max(need, 0) or self._room))


class CheckPanel(QWidget):
    def __init__(
        self,
        state: ViewerState,
        crop_source: CropSource | None = None,
        parent: QWidget | None = None,
        workers: Workers | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        #: the window's workers; a panel on its own (tests) gets a pool of its own
        self.runner = workers or Workers(QThreadPool(self), lambda: state.generation, self)
        self.crop_source = crop_source
        self.session: CheckSession | None = None
        self.current: WordKey | None = None
        self._source: object = None
        #: marks per shown result while the window is open (a workspace result also keeps its own)
        self._marks: dict[object, dict] = {}

        self.progress_label = QLabel()
        self.crop_label = QLabel()
        self.crop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.crop_label.setFixedHeight(CROP_HEIGHT + 8)
        self.crop_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.crop_label.setStyleSheet("background: palette(base); border: 1px solid palette(mid);")
        self.word_label = LinesLabel()
        self.word_label.setWordWrap(True)
        self.word_label.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 4)
        self.edit = CorrectionEdit(self._entered)
        self.edit.setPlaceholderText("the correct text")
        self.edit.setToolTip("Enter: right as read (or as you typed it) · Shift+Enter: wrong")
        self.right_button = QPushButton("Right")
        self.right_button.setToolTip("Keep the text as read, or as typed (Enter)")
        self.wrong_button = QPushButton("Wrong")
        self.wrong_button.setToolTip("Mark the word wrong without a correct text (Shift+Enter)")
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.only_check = QCheckBox("Show only suspect words")
        self.only_check.setToolTip(
            "Hide every other word on the picture (Quality: words under it, Only them)"
        )
        self._mode_before = "dim"
        self.export_button = QPushButton("Export ground truth…")
        self.message_label = MessageLabel()

        marks = QHBoxLayout()
        marks.addWidget(self.right_button)
        marks.addWidget(self.wrong_button)
        steps = QHBoxLayout()
        steps.addWidget(self.prev_button)
        steps.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.only_check)
        layout.addWidget(self.crop_label)
        layout.addWidget(self.word_label)
        layout.addWidget(self.edit)
        layout.addLayout(marks)
        layout.addLayout(steps)
        layout.addWidget(self.export_button)
        layout.addWidget(self.message_label)
        layout.addStretch(1)

        self.next_action = QAction("Next Suspect Word", self, shortcut=QKeySequence("N"))
        self.previous_action = QAction("Previous Suspect Word", self, shortcut=QKeySequence("Shift+N"))
        self.next_action.triggered.connect(lambda: self.step(True))
        self.previous_action.triggered.connect(lambda: self.step(False))
        self.next_button.clicked.connect(lambda: self.step(True))
        self.prev_button.clicked.connect(lambda: self.step(False))
        self.right_button.clicked.connect(lambda: self._entered(False))
        self.wrong_button.clicked.connect(lambda: self._entered(True))
        self.export_button.clicked.connect(self._export_clicked)
        self.only_check.toggled.connect(self.set_only_suspects)
        state.belowThresholdChanged.connect(lambda mode: self._sync_only(mode == "only"))
        state.documentChanged.connect(self._document_changed)
        state.thresholdChanged.connect(self._threshold_changed)
        self._document_changed()

    # -- following the state ----------------------------------------------------------------------
    def threshold(self) -> float:
        return self.state.min_confidence if self.state.min_confidence > 0 else DEFAULT_SUSPECT

    def _document_changed(self) -> None:
        doc = self.state.document
        if doc is None:
            self.session, self.current = None, None
        elif self.session is None or self.session.document is not doc:
            same = self.session is not None and self.state.source_document is self._source
            # the same result re-placed keeps its marks: word keys do not change with placement;
            # a result shown again gets back the marks it had (saved in the workspace, else kept here)
            saved = None if same else self._saved_session(doc)
            if saved is not None:
                marks = saved.marks
            elif same and self.session is not None:
                marks = dict(self.session.marks)
            else:
                marks = dict(self._marks.get(self._key(), {}))
            self.session = CheckSession(doc, self.threshold(), marks=marks)
            self._marks[self._key()] = self.session.marks
            if not same:
                self.current = None
            if saved is not None and self.state.min_confidence <= 0 and saved.threshold != DEFAULT_SUSPECT:
                self.state.set_min_confidence(saved.threshold)  # checked at that threshold: same suspects
        self._source = self.state.source_document
        self._show()

    def _saved_session(self, doc: Document) -> CheckSession | None:
        """The marks the workspace holds for the result shown, or None when it holds none."""
        result = self.state.current_result()
        if result is None or not result.check:
            return None
        try:
            return CheckSession.from_dict(doc, result.check)
        except OcrViewerError as err:
            self._message(f"{result.name}: check marks not restored ({err})", error=True)
            return None

    def _persist(self) -> None:
        """The marks go into the workspace beside the result they belong to (saved with it)."""
        result = self.state.current_result()
        if self.session is None or result is None:
            return
        self.state.workspace.set_check(
            self.state.page, result.id, self.session.marks_to_dict() if self.session.marks else None
        )

    def _key(self) -> object:
        state = self.state
        source = state.source_document
        return (state.image_path, getattr(state, "page", 0), getattr(state, "result_id", None), id(source))

    def _threshold_changed(self, _value: float) -> None:
        if self.session is not None:
            self.session.set_threshold(self.threshold())
            self._show()

    def set_only_suspects(self, on: bool) -> None:
        """The picture shows only the suspects (or goes back to how it was)."""
        state = self.state
        if on:
            if state.below_threshold != "only":
                self._mode_before = state.below_threshold
            if state.min_confidence <= 0:
                state.set_min_confidence(DEFAULT_SUSPECT)
            state.set_below_threshold("only")
        elif state.below_threshold == "only":
            state.set_below_threshold(self._mode_before)

    def _sync_only(self, on: bool) -> None:
        if self.only_check.isChecked() != on:
            self.only_check.blockSignals(True)
            self.only_check.setChecked(on)
            self.only_check.blockSignals(False)

    # -- stepping and marking -----------------------------------------------------------------------
    def step(self, forward: bool = True) -> WordKey | None:
        """Go to the next (previous) suspect, select it and show its crop."""
        if self.session is None:
            return None
        key = self.session.step(self.current, forward)
        if key is None:
            self._message("No suspect words under the threshold")
            return None
        self.current = key
        self.state.select(ElementRef("word", *key))
        self._show()
        self.edit.setFocus()
        self.edit.selectAll()
        return key

    def _entered(self, wrong: bool) -> None:
        if self.session is None or self.current is None:
            self.step(True)
            return
        word = self.session.word(self.current)
        if word is None:
            return
        typed = self.edit.text()
        if wrong:
            self.session.mark(self.current, "wrong")
        elif typed and typed != word.text:
            self.session.mark(self.current, "corrected", typed)
        else:
            self.session.mark(self.current, "right")
        self._persist()
        done, total = self.session.progress()
        if done >= total:
            self._show()
            self._message("Every suspect word is checked; export the ground truth when ready")
            return
        self.session_step_unchecked()

    def session_step_unchecked(self) -> None:
        assert self.session is not None
        key = self.session.step(self.current, True, unchecked_only=True)
        if key is not None and key != self.current:
            self.current = key
            self.state.select(ElementRef("word", *key))
            self.edit.setFocus()
        self._show()
        self.edit.selectAll()

    # -- showing ------------------------------------------------------------------------------------
    def _show(self) -> None:
        s = self.session
        self.progress_label.setText("Open a result to check it" if s is None else s.progress_text())
        for w in (self.right_button, self.wrong_button, self.edit):
            w.setEnabled(s is not None and self.current is not None)
        for w in (self.prev_button, self.next_button, self.export_button):
            w.setEnabled(s is not None)
        if s is None or self.current is None:
            self.crop_label.clear()
            self.word_label.setText(f"N: next suspect word (under {self.threshold():.2f})" if s else "")
            self.edit.clear()
            return
        word = s.word(self.current)
        if word is None:
            return
        mark = s.marks.get(self.current)
        conf = "no confidence" if word.confidence is None else f"confidence {word.confidence:.2f}"
        said = "" if mark is None else f" · marked {mark.verdict}" + (f" “{mark.text}”" if mark.text else "")
        self.word_label.setText(f"“{word.text}” · {conf}{said}")
        self.edit.setText(mark.text if mark is not None and mark.text else word.text)
        self.crop_label.setPixmap(self._crop(word.bbox))

    def _crop(self, bbox: tuple[float, float, float, float]) -> QPixmap:
        if self.crop_source is None:
            return QPixmap()
        x0, y0, x1, y1 = bbox
        pad = max(4.0, 0.35 * (y1 - y0))
        image = self.crop_source(QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad))
        if image is None or image.isNull():
            return QPixmap()
        width = max(40, self.crop_label.width() - 8)
        return QPixmap.fromImage(
            image.scaled(
                width,
                CROP_HEIGHT,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _message(self, text: str, error: bool = False) -> None:
        set_tone(self.message_label, "error" if error else "")
        self.message_label.setText(text)
        self.state.statusMessage.emit(text)

    # -- export -------------------------------------------------------------------------------------
    def _export_clicked(self) -> None:
        base = Path(self.state.response_path or self.state.image_path or "result")
        path, _ = ask_save_path(
            self, "Export ground truth", base.with_name(f"{base.stem}.truth.json"), ["OCR result (*.json)"]
        )
        if path:
            self.export(path)

    def export(self, path: str) -> Path | None:
        if self.session is None:
            return None
        try:
            out = self.session.export_ground_truth(
                path, inputs=(self.state.image_path, self.state.response_path)
            )
        except (OcrViewerError, OSError) as err:
            self._message(str(err), error=True)
            return None
        self._message(f"Ground truth saved to {out.name} ({self.session.progress_text()})")
        self._add_to_workspace(out, self.session.progress_text())
        return out

    def _add_to_workspace(self, path: Path, checked: str) -> None:
        """The exported ground truth joins the page's results (role "truth", origin "check"), so a
        saved workspace keeps it; the result on screen stays shown. Read and placed in a worker,
        as every result is (a big page froze the window); dropped when another image was opened."""
        state = self.state
        image = state.image_path
        if getattr(state, "add_result", None) is None or not image:
            return
        from ocrviewer.core.loading import load_result
        from ocrviewer.core.workspace import Origin, now

        def landed(loaded: LoadedResult) -> None:
            origin = Origin("check", path=str(path), time=now())
            state.add_result(loaded, role="truth", origin=origin, show=False)
            self._message(
                f"Ground truth saved to {path.name} ({checked}); kept in the workspace as a ground truth result"
            )

        def failed(err: BaseException) -> None:
            if isinstance(err, Cancelled):
                return  # the window is closing
            self._message(
                f"Ground truth saved, but not added to the workspace: {error_message(err)}", error=True
            )

        self.runner.submit(
            lambda cancel, _progress: load_result(path, image, cancelled=lambda: cancel.cancelled),
            generation=state.generation,
            name="ground truth",
            on_result=landed,
            on_error=failed,
        )


def canvas_crop_source(canvas: object) -> CropSource:
    """Crops from the canvas' sharpest decoded picture (displayed-frame pixels)."""

    def crop(rect: QRectF) -> QImage | None:
        from ocrviewer.gui.canvas import displayed_crop

        levels = getattr(getattr(canvas, "image_item", None), "levels", [])
        return displayed_crop(levels[-1], rect) if levels else None

    return crop
