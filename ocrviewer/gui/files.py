"""Opening images and responses, saving the normalized result, recent files.

Slow parts (decoding, parsing) run in the thread pool; errors come back as one-line messages
that say what to do. No input file is ever overwritten.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QSpinBox, QWidget

from ocrviewer.core.sidecar import sidecar_path
from ocrviewer.errors import BadInput, OcrViewerError
from ocrviewer.gui.image_loader import PDF_DPI, ImageLoader, TaskRunner, read_info
from ocrviewer.gui.state import ViewerState

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".pdf")
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp *.pdf);;All files (*)"
RESPONSE_FILTER = "OCR responses (*.json *.hocr *.html *.htm *.xml);;All files (*)"
#: Save Result's file types -> export format (json is the ocrviewer.document/1 result)
SAVE_FILTERS = {
    "ocrviewer result (*.json)": "json",
    "hOCR (*.hocr)": "hocr",
    "ALTO XML (*.alto.xml)": "alto",
    "PAGE-XML (*.page.xml)": "page",
    "Searchable PDF (*.pdf)": "pdf",
}
_SAVE_SUFFIXES = {"json": ".json", "hocr": ".hocr", "alto": ".alto.xml", "page": ".page.xml", "pdf": ".pdf"}
RESULT_SUFFIX = ".ocrviewer-result.json"
RECENT_KEY = "files/recent"
MAX_RECENT = 10


def is_image_path(path: str) -> bool:
    return path.lower().endswith(IMAGE_SUFFIXES)


def looks_like_response(path: str) -> bool:
    """A file that is not an image by name and starts like JSON or XML/HTML (hOCR, ALTO, PAGE-XML)."""
    if is_image_path(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    from ocrviewer.core.formats import looks_like_markup

    return looks_like_markup(head) or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def is_response_path(path: str) -> bool:
    """A response to place (JSON by name, or hOCR/ALTO/PAGE-XML/JSON by content) rather than an image."""
    return path.lower().endswith(".json") or looks_like_response(path)


def save_target(path: str, selected_filter: str) -> tuple[str, str]:
    """(path, format) for Save Result: the name's suffix decides, else the chosen file type (its suffix added)."""
    from ocrviewer.core.formats import suffix_format

    fmt = suffix_format(path)
    if fmt is not None:
        return path, fmt
    fmt = SAVE_FILTERS.get(selected_filter, "json")
    if Path(path).suffix == "":
        path += _SAVE_SUFFIXES[fmt]
    return path, fmt


def default_result_path(state: ViewerState) -> Path:
    """A name for the saved result that cannot be an input file."""
    base = state.response_path or state.image_path or "result"
    p = Path(base)
    stem = p.name[: -len(".json")] if p.name.lower().endswith(".json") else p.stem
    return p.with_name(stem + RESULT_SUFFIX)


def save_document(state: ViewerState, path: str | os.PathLike[str]) -> Path:
    """Write the displayed-frame document as ``ocrviewer.document/1``; refuses to overwrite inputs."""
    if state.document is None:
        raise BadInput("there is no result to save; open a response or run recognition first")
    target = Path(path).resolve()
    inputs = {Path(p).resolve() for p in (state.image_path, state.response_path) if p}
    if state.response_path:
        inputs.add(sidecar_path(state.response_path).resolve())
    if target in inputs:
        raise BadInput(f"{target}: that is an input file; choose another name (nothing was written)")
    data: dict[str, Any] = state.document.to_dict()
    extras = dict(data.get("extras") or {})
    if state.transform is not None:
        extras["ocrviewer_transform"] = state.transform.to_dict()
    if state.image_path:
        extras["ocrviewer_image"] = os.path.basename(state.image_path)
    if extras:
        data["extras"] = extras
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as err:
        raise BadInput(f"{target}: cannot write ({err.strerror}); pick a folder you can write to") from err
    return target


def load_onto_rendered_page(path: str, image: str, info: Any, frame: str) -> Any:
    """load_result for a PDF page: Pillow cannot read PDFs, so the rendered page's size stands in."""
    from ocrviewer.core.frames import detect_frame
    from ocrviewer.core.loading import LoadedResult, place_document
    from ocrviewer.core.parsers import load_response
    from ocrviewer.core.sidecar import read_sidecar

    source = load_response(path)
    sidecar = read_sidecar(path)
    decision = detect_frame(source, info, frame=frame, sidecar=sidecar)
    document = place_document(source, decision, info)
    return LoadedResult(
        response_path=str(path),
        image_path=image,
        source=source,
        document=document,
        decision=decision,
        sidecar=sidecar,
        image_info=info,
        warnings=tuple(source.warnings) + tuple(decision.warnings),
    )


class RecentFiles(QObject):
    changed = Signal()

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings

    def items(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add(self, path: str) -> None:
        path = os.path.abspath(path)
        items = [p for p in self.items() if p != path]
        self.settings.setValue(RECENT_KEY, [path, *items][:MAX_RECENT])
        self.changed.emit()

    def clear(self) -> None:
        self.settings.setValue(RECENT_KEY, [])
        self.changed.emit()


class FileController(QObject):
    """What the File menu, drops and the command line do."""

    message = Signal(str, str)  # text, level ("info", "warning", "error")
    pageCountChanged = Signal(int, int)  # pages in the open document (1 for images), page shown
    responseLoaded = Signal(object)  # the LoadedResult

    def __init__(
        self,
        state: ViewerState,
        loader: ImageLoader,
        runner: TaskRunner,
        recent: RecentFiles,
        preview_side: Callable[[Any], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.loader, self.runner, self.recent = state, loader, runner, recent
        self.preview_side = preview_side
        self.frame = "auto"
        self.page = 0

    @property
    def busy(self) -> bool:
        return self.loader.busy or self.runner.busy

    def open_path(self, path: str) -> None:
        """An image, or a response (JSON, hOCR, ALTO, PAGE-XML: told by content) to place on the current image."""
        if is_response_path(path):
            self.open_response(path)
        else:
            self.open_image(path)

    def open_image(self, path: str, page: int = 0) -> bool:
        """Open an image (or ``page`` of a PDF); False, with a message, when it cannot be read."""
        path = str(path)
        try:
            info = read_info(path, page)
        except OcrViewerError as err:
            self.message.emit(f"{err}", "error")
            return False
        except Exception as err:  # never crash on a strange file
            self.message.emit(f"{path}: cannot open ({err}); try another file", "error")
            return False
        self.page = page if info.format == "PDF" else 0
        self.state.set_image(path, info)
        self.loader.load(path, info, self.state.generation, self.preview_side(info), self.page)
        self.recent.add(path)
        note = f"{os.path.basename(path)} · {info.describe()}"
        if info.format == "PDF":
            note = f"{os.path.basename(path)} · page {self.page + 1} of {info.frames} at {PDF_DPI:.0f} dpi"
        self.state.statusMessage.emit(note)
        self.pageCountChanged.emit(info.frames if info.format == "PDF" else 1, self.page)
        return True

    def open_response(self, path: str, frame: str | None = None) -> None:
        from ocrviewer.core.loading import load_result

        path = str(path)
        frame = frame or self.frame
        image = self.state.image_path
        generation = self.state.generation

        info = self.state.image_info

        def work() -> Any:
            if image is not None and info is not None and info.format == "PDF":
                return load_onto_rendered_page(path, image, info, frame)
            return load_result(path, image_path=image, frame=frame)

        def done(result: Any) -> None:
            if self.state.generation != generation:
                return  # another image was opened meanwhile: this placement belongs to the old one
            self._apply(result)

        def failed(msg: str) -> None:
            self.message.emit(msg if path in msg else f"{path}: {msg}", "error")

        self.runner.run("response", work, done, failed)

    def _apply(self, result: Any) -> None:
        if result.image_path and result.image_path != self.state.image_path:
            if not self.open_image(result.image_path):
                return
        self.state.set_response(
            result.source, result.decision.transform, result.decision, result.response_path
        )
        self.recent.add(result.response_path)
        self.responseLoaded.emit(result)
        counts = result.document.counts()
        decision = result.decision
        self.state.statusMessage.emit(
            f"{os.path.basename(result.response_path)}: {counts['word']} words, {counts['line']} lines · "
            f"{decision.summary()}"
        )
        if result.warnings:
            more = f" (+{len(result.warnings) - 1} more)" if len(result.warnings) > 1 else ""
            self.message.emit(result.warnings[0] + more, "warning")

    def save(self, path: str) -> Path | None:
        try:
            target = save_document(self.state, path)
        except OcrViewerError as err:
            self.message.emit(str(err), "error")
            return None
        self.state.statusMessage.emit(f"saved {target}")
        return target

    def save_as(self, path: str, fmt: str) -> Path | None:
        """Save as ``fmt``: json now (returns the path); hOCR, ALTO, PAGE-XML or PDF in the pool."""
        if fmt == "json":
            return self.save(path)
        from ocrviewer.core import output
        from ocrviewer.core.formats import export_bytes

        doc = self.state.document
        if doc is None:
            self.message.emit("there is no result to save; open a response or run recognition first", "error")
            return None
        info = self.state.image_info
        image = self.state.image_path if info is not None and info.format != "PDF" else None
        inputs = [self.state.image_path, self.state.response_path]
        if self.state.response_path:
            inputs.append(str(sidecar_path(self.state.response_path)))

        def work() -> Path:
            return output.write_atomic(path, export_bytes(fmt, doc, image), inputs=inputs)

        def done(target: Path) -> None:
            self.state.statusMessage.emit(f"saved {target}")

        def failed(msg: str) -> None:
            self.message.emit(msg if path in msg else f"{path}: {msg}", "error")

        self.runner.run("save", work, done, failed)
        return None


class FileDialogs:
    """The File menu's dialogs for a main window (its files, state, canvas and message bar)."""

    def __init__(self, window: Any) -> None:
        self.w = window

    def _dialog_dir(self) -> str:
        recent = self.w.recent.items()
        return os.path.dirname(recent[0]) if recent else str(Path.home())

    def choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Open Image", self._dialog_dir(), IMAGE_FILTER)
        if path:
            self.w.files.open_path(path)  # a JSON picked here is placed as a response

    def choose_response(self) -> None:
        start = os.path.dirname(self.w.state.image_path) if self.w.state.image_path else self._dialog_dir()
        path, _ = QFileDialog.getOpenFileName(self.w, "Open Response", start, RESPONSE_FILTER)
        if path:
            self.w.files.open_response(path)

    def choose_save(self) -> None:
        if self.w.state.document is None:
            self.w.show_message(
                "there is no result to save; open a response or run recognition first", "warning"
            )
            return
        path, selected = QFileDialog.getSaveFileName(
            self.w, "Save Result", str(default_result_path(self.w.state)), ";;".join(SAVE_FILTERS)
        )
        if path:
            self.w.files.save_as(*save_target(path, selected))

    def choose_export(self) -> None:
        if not self.w.state.image_path:
            self.w.show_message("there is no image to export; open one first", "warning")
            return
        base = Path(self.w.state.image_path)
        path, _ = QFileDialog.getSaveFileName(
            self.w,
            "Export View",
            str(base.with_name(base.stem + "-view.png")),
            "PNG image (*.png);;PDF (*.pdf)",
        )
        if path:
            self.export(path)

    def export(self, path: str) -> Path | None:
        from ocrviewer.gui.export_view import export_view

        try:
            target = export_view(self.w.canvas, path, (self.w.state.image_path, self.w.state.response_path))
        except OcrViewerError as err:
            self.w.show_message(str(err), "error")
            return None
        self.w.statusBar().showMessage(f"exported {target}", 10000)
        return target

    def open_sample(self) -> None:
        from ocrviewer.cli.view_cmd import find_sample

        try:
            image, response = find_sample()
        except OcrViewerError as err:
            self.w.show_message(str(err), "error")
            return
        if self.w.files.open_image(str(image)) and response:
            self.w.files.open_response(str(response))


class PageChooser(QSpinBox):
    """Status-bar page number for multi-page PDFs (hidden for images and one-page PDFs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPrefix("page ")
        self.setKeyboardTracking(False)
        self.setToolTip("PDF page shown (a response belongs to one page)")
        self.hide()

    def set_pages(self, count: int, page: int) -> None:
        self.blockSignals(True)
        self.setRange(1, max(1, count))
        self.setSuffix(f" of {count}")
        self.setValue(page + 1)
        self.blockSignals(False)
        self.setVisible(count > 1)
