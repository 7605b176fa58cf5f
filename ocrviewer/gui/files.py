"""Opening images and responses, saving the normalized result, recent files.

Slow parts (decoding, parsing) run in the thread pool; errors come back as one-line messages
that say what to do. No input file is ever overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog

from ocrviewer.core.document_pages import is_document_path
from ocrviewer.core.export import result_path, write_export
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.layers import element_counts
from ocrviewer.core.loading import LoadedResult, is_response_path, load_result, place_result
from ocrviewer.core.parse_child import ParserProcess
from ocrviewer.core.sidecar import with_sidecars
from ocrviewer.core.text_reference import TEXT_FORMAT, is_text_reference, read_text_reference, text_only_note
from ocrviewer.core.text_rows import prepare_inspector
from ocrviewer.core.workspace import Origin, is_workspace_file, now, open_workspace
from ocrviewer.errors import BadInput, Cancelled, OcrViewerError, error_message
from ocrviewer.gui.document import DocumentController
from ocrviewer.gui.image_loader import ImageLoader, read_info
from ocrviewer.gui.overlay import prepare_layers
from ocrviewer.gui.save_dialog import ask_save_path
from ocrviewer.gui.settings_keys import RECENT_KEY
from ocrviewer.gui.state import ViewerState
from ocrviewer.gui.worker import Workers
from ocrviewer.providers.base import CancelToken
from ocrviewer.resources import PICTURE_SUFFIXES, find_sample, samples_dir

#: Longest wait (s) of File > Open for the decode to get past its Python set-up (see open_image).
START_WAIT_S = 0.02
_RESPONSE_PATTERNS = "*.json *.hocr *.html *.htm *.xml *.miniocr *.tsv *.gz"
_PICTURE_PATTERNS = " ".join("*" + s for s in PICTURE_SUFFIXES)
#: File > Open takes images, documents, workspaces and responses (see FileController.open_path):
#: every one is listed, all of them in the first entry, which is chosen
IMAGE_FILTER = ";;".join(
    (
        f"All supported ({_PICTURE_PATTERNS} *.pdf {_RESPONSE_PATTERNS})",
        f"Images ({_PICTURE_PATTERNS})",
        "PDF documents (*.pdf)",
        "ocrviewer workspaces (*.ocrviewer-workspace.json)",
        f"OCR responses ({_RESPONSE_PATTERNS})",
        "All files (*)",
    )
)
RESPONSE_FILTER = f"OCR responses ({_RESPONSE_PATTERNS});;All files (*)"
#: a ground truth may also be plain text, one line per text line
TRUTH_FILTER = "Ground truth (*.json *.hocr *.html *.htm *.xml *.miniocr *.tsv *.txt *.text);;All files (*)"
#: Save Result's file types -> export format (json is the ocrviewer.document/1 result)
SAVE_FILTERS = {
    "ocrviewer result (*.json)": "json",
    "hOCR (*.hocr)": "hocr",
    "ALTO XML (*.alto.xml)": "alto",
    "PAGE-XML (*.page.xml)": "page",
    "Searchable PDF (*.pdf)": "pdf",
}
WORKSPACE_FILTER = "ocrviewer workspace (*.ocrviewer-workspace.json *.json);;All files (*)"
WORKSPACE_SUFFIX = ".ocrviewer-workspace.json"
MAX_RECENT = 10


def save_target(path: str, selected_filter: str) -> tuple[str, str]:
    """(path, format) for Save Result: the name's suffix decides, else the chosen file type (its suffix added)."""
    from ocrviewer.core.formats import export_target

    return export_target(path, SAVE_FILTERS.get(selected_filter, "json"))


def state_inputs(state: ViewerState) -> list[str]:
    """The files the shown result came from (image, response, its sidecar): never written over."""
    return [p for p in (state.image_path,) if p] + with_sidecars((state.response_path,))


def save_document(state: ViewerState, path: str | os.PathLike[str]) -> Path:
    """Write the displayed-frame document as ``ocrviewer.document/1``; refuses to overwrite inputs."""
    if state.document is None:
        raise BadInput("there is no result to save; open a response or run recognition first")
    result = state.current_result()
    target = write_export(
        Path(path).resolve(),
        state.document,
        inputs=state_inputs(state),
        response_path=state.response_path,
        image_path=state.image_path,
        decision=state.decision,
        transform=state.transform,
        corrections=result.corrections if result is not None else (),
    )
    return target


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
        """Put ``path`` first; the bundled samples are left out (the viewer opens one at every start,
        and File > Open Sample opens it again): the list is the user's own files."""
        path = os.path.abspath(path)
        samples = os.path.join(os.path.abspath(samples_dir()), "")
        if path.startswith(samples):
            return
        items = [p for p in self.items() if p != path]
        self.settings.setValue(RECENT_KEY, [path, *items][:MAX_RECENT])
        self.changed.emit()

    def clear(self) -> None:
        self.settings.setValue(RECENT_KEY, [])
        self.changed.emit()


class FileController(QObject):
    """What the File menu, drops and the command line do."""

    message = Signal(str, str)  # text, level ("info", "warning", "error")
    responseLoaded = Signal(object)  # the LoadedResult

    def __init__(
        self,
        state: ViewerState,
        loader: ImageLoader,
        workers: Workers,
        recent: RecentFiles,
        preview_side: Callable[[Any], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.loader, self.workers, self.recent = state, loader, workers, recent
        self.preview_side = preview_side
        #: the window's parser process (core.parse_child); None parses in this process
        self.parser: ParserProcess | None = None
        self.frame = "auto"
        self._loading = 0
        #: PDFs, folders and batch OUTDIRs: one document of pages
        self.documents = DocumentController(state, loader, workers, preview_side, self)
        self.documents.message.connect(self.message)

    @property
    def page(self) -> int:
        """The page shown (0-based; 0 for a lone image)."""
        return self.state.page

    @property
    def busy(self) -> bool:
        return self.loader.busy or self._loading > 0 or self.documents.busy

    def open_path(self, path: str) -> None:
        """An image, a document (PDF, folder, batch OUTDIR), a workspace, or a response to place."""
        if is_document_path(path):
            self.open_image(path)
        elif is_workspace_file(path):
            self.open_workspace(path)
        elif is_response_path(path):
            self.open_response(path)
        else:
            self.open_image(path)

    def open_image(self, path: str, page: int = 0) -> bool:
        """Open an image, or a PDF/folder/OUTDIR as a document showing ``page``; False, with a message,
        when it cannot be read."""
        path = str(path)
        if is_document_path(path):
            ok = self.documents.open_document(path, page)
            if ok:
                self.recent.add(path)
            return ok
        try:
            info = read_info(path, page)
        except Exception as err:  # never crash on a strange file: one line (a reader's bug: report it)
            self.message.emit(error_message(err, path), "error")
            return False
        # The decode starts first, and this thread waits (a millisecond or two) until it runs in
        # libjpeg without the GIL: updating the window meanwhile would hold its first steps back.
        decode = self.loader.load(path, info, None, self.preview_side(info), 0, wait_start=START_WAIT_S)
        self.state.set_image(path, info, 0)
        decode.generation = self.state.generation  # nothing is delivered before this returns
        self.recent.add(path)
        self.state.statusMessage.emit(f"{os.path.basename(path)} · {info.describe()}")
        if info.frames_note:
            self.message.emit(f"{os.path.basename(path)} {info.frames_note}", "warning")
        return True

    def _run(
        self, name: str, work: Callable[[CancelToken], Any], done: Callable[[Any], None], path: str
    ) -> None:
        """Run ``work(cancel)`` for the image shown now; ``done`` gets its result unless another image was opened."""

        def failed(err: BaseException) -> None:
            if isinstance(err, Cancelled):
                return  # the window is closing
            self.message.emit(error_message(err, path), "error")

        def finished() -> None:
            self._loading -= 1

        self._loading += 1
        self.workers.submit(
            lambda cancel, progress: work(cancel),
            generation=self.state.generation,
            name=name,
            on_result=done,
            on_error=failed,
            on_finished=finished,
        )

    def open_response(
        self, path: str, frame: str | None = None, role: str = "result", parsed: Any = None
    ) -> None:
        """Read, parse, place a response in a worker; it is added to the page as a new result.
        ``parsed``: the response's Document when it was parsed already (the first frame's)."""
        path = str(path)
        frame = frame or self.frame
        if self.state.source is not None:  # a document: each page of the response lands on its page
            self.documents.open_response(path, frame, role)
            return
        image = self.state.image_path
        info = self.state.image_info
        pdf_info = info if info is not None and info.format == "PDF" else None

        parser = self.parser

        def work(cancel: CancelToken) -> tuple[LoadedResult, Any, Any]:
            if role == "truth" and is_text_reference(path):
                # a plain text ground truth (one line per text line): text only, no boxes to place
                text = read_text_reference(path, [os.path.basename(image or "")], "image")
                loaded = place_result(text, path, image, info or (read_info(image) if image else None))
            else:
                loaded = load_result(
                    path,
                    image_path=image,
                    frame=frame,
                    info=pdf_info,
                    parser=parser,
                    cancelled=lambda: cancel.cancelled,
                    parsed=parsed,
                )
            return loaded, prepare_layers(loaded.document), prepare_inspector(loaded.document)

        self._run("response", work, lambda out: self._apply(out[0], out[1], role, out[2]), path)

    def open_truth(self, path: str) -> None:
        """Load ``path`` as the page's ground truth (shown like any result, marked as truth)."""
        self.open_response(path, role="truth")

    def _apply(
        self, result: LoadedResult, layers: Any = None, role: str = "result", inspector: Any = None
    ) -> None:
        if result.image_path and result.image_path != self.state.image_path:
            if not self.open_image(result.image_path):
                return
            layers = None  # opening the image started a new workspace; the result is still good
        origin = Origin("file", path=result.response_path, time=now())
        self.state.add_result(result, role=role, origin=origin, layers=layers, inspector=inspector)
        self.recent.add(result.response_path)
        self.responseLoaded.emit(result)
        counts = element_counts(result.document)  # (Document.counts would make every word)
        decision = result.decision
        self.state.statusMessage.emit(
            f"{os.path.basename(result.response_path)}: {counts['word']} words, {counts['line']} lines · "
            f"{decision.summary()}"
        )
        if result.warnings:
            more = f" (+{len(result.warnings) - 1} more)" if len(result.warnings) > 1 else ""
            self.message.emit(result.warnings[0] + more, "warning")
        elif result.source.source_format == TEXT_FORMAT:
            self.message.emit(text_only_note(os.path.basename(result.response_path), role), "info")
        elif not counts["word"] and not counts["line"]:  # else a picture with nothing on it, unexplained
            self.message.emit(
                f"{os.path.basename(result.response_path)} has no text: its engine found no words here",
                "info",
            )

    # -- workspaces -----------------------------------------------------------------------------
    def open_workspace(self, path: str) -> None:
        """Reopen a saved workspace (offline: every response is re-read and placed in a worker)."""
        path = str(path)
        parser = self.parser

        def work(cancel: CancelToken) -> Any:
            ws, notes = open_workspace(path, parser)
            if not ws.pages:
                raise BadInput(f"{path}: the workspace has no page; open an image instead")
            if ws.source is not None and ws.source.kind in ("pdf", "tiff", "folder"):
                from ocrviewer.core.sources import open_source

                try:
                    source = open_source(ws.source.path, dpi=ws.source.dpi)
                except OcrViewerError as err:
                    notes.append(f"{err}; the pages are shown without their pictures")
                    source = None
                if source is not None:
                    return ws, notes, source, None
            page = ws.pages[0]
            info = read_info(page.image_path, page.page_ref or 0) if Path(page.image_path).is_file() else None
            shown = page.result(page.shown)
            layers = prepare_layers(shown.document) if shown is not None and shown.document else None
            return ws, notes, info, layers

        self._run("workspace", work, self._apply_workspace, path)

    def _apply_workspace(self, out: Any) -> None:
        ws, notes, info, layers = out
        page = ws.pages[0]
        if info is not None and not isinstance(info, ImageInfo):  # a document's source, opened
            self._apply_document_workspace(ws, notes, info)
            return
        if info is not None:
            self.state.set_image(page.image_path, info, page.page_ref or 0)
            self.loader.load(
                page.image_path, info, self.state.generation, self.preview_side(info), page.page_ref or 0
            )
        self.state.workspace.set_source(ws.source, ws.pages)
        self.state.workspace.path = ws.path
        self.state.show_result(page.shown or (page.results[-1].id if page.results else None), layers=layers)
        self.recent.add(str(ws.path))
        self.state.statusMessage.emit(f"opened workspace {ws.path}: {len(page.results)} results")
        if notes:
            more = f" (+{len(notes) - 1} more)" if len(notes) > 1 else ""
            self.message.emit(notes[0] + more, "warning")

    def _apply_document_workspace(self, ws: Any, notes: list[str], source: Any) -> None:
        if len(ws.pages) != len(source.pages):
            notes.append(
                f"{source.name} has {len(source.pages)} pages, the workspace {len(ws.pages)}; "
                "pages are matched by position"
            )
        by_index = {p.index: p for p in ws.pages}
        from ocrviewer.core.document_pages import workspace_pages

        pages = [by_index.get(p.index, p) for p in workspace_pages(source)]
        self.documents.adopt(source, pages)
        self.state.workspace.path = ws.path
        self.recent.add(str(ws.path))
        total = sum(len(p.results) for p in pages)
        self.state.statusMessage.emit(f"opened workspace {ws.path}: {total} results on {len(pages)} pages")
        if notes:
            more = f" (+{len(notes) - 1} more)" if len(notes) > 1 else ""
            self.message.emit(notes[0] + more, "warning")

    def save_workspace(self, path: str) -> Path | None:
        try:
            target = self.state.workspace.save(path)
        except OcrViewerError as err:
            self.message.emit(str(err), "error")
            return None
        self.recent.add(str(target))
        self.state.statusMessage.emit(f"saved workspace {target}")
        return target

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
        from ocrviewer.core.formats import PAGE_PATTERN, export_bytes, export_pages, page_file_names

        doc = self.state.document
        if doc is None:
            self.message.emit("there is no result to save; open a response or run recognition first", "error")
            return None
        info = self.state.image_info
        image = self.state.image_path if info is not None and info.format != "PDF" else None
        inputs = state_inputs(self.state)

        def work(cancel: CancelToken) -> Path:
            if PAGE_PATTERN.search(os.path.basename(path)) and doc.pages:  # {page}: a file per page
                names = page_file_names(path, len(doc.pages))
                for name in names:
                    output.check_output(name, inputs)
                blobs = export_pages(fmt, doc, image)
                pairs = zip(names, blobs, strict=True)
                return [output.write_atomic(name, data, inputs=inputs) for name, data in pairs][0]
            return output.write_atomic(path, export_bytes(fmt, doc, image), inputs=inputs)

        def done(target: Path) -> None:
            self.state.statusMessage.emit(f"saved {target}")

        self._run("save", work, done, path)
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

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self.w, "Open Folder or Batch Output", self._dialog_dir())
        if path:
            self.w.files.open_image(path)  # a batch's OUTDIR (manifest.jsonl) opens its document

    def choose_response(self) -> None:
        start = os.path.dirname(self.w.state.image_path) if self.w.state.image_path else self._dialog_dir()
        path, _ = QFileDialog.getOpenFileName(self.w, "Open Response", start, RESPONSE_FILTER)
        if path:
            self.w.files.open_response(path)

    def choose_truth(self) -> None:
        start = os.path.dirname(self.w.state.image_path) if self.w.state.image_path else self._dialog_dir()
        path, _ = QFileDialog.getOpenFileName(self.w, "Load as Ground Truth", start, TRUTH_FILTER)
        if path:
            self.w.files.open_truth(path)

    def choose_truth_folder(self) -> None:
        start = os.path.dirname(self.w.state.image_path) if self.w.state.image_path else self._dialog_dir()
        path = QFileDialog.getExistingDirectory(self.w, "Load Ground Truth Folder (one .txt per page)", start)
        if path:
            self.w.files.open_truth(path)

    def choose_workspace(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Open Workspace", self._dialog_dir(), WORKSPACE_FILTER)
        if path:
            self.w.files.open_workspace(path)

    def choose_save_workspace(self) -> None:
        state = self.w.state
        if not state.workspace.pages:
            self.w.show_message("there is nothing to save; open an image first", "warning")
            return
        if state.workspace.path is not None:
            default = state.workspace.path
        else:
            image = Path(state.image_path or "workspace")
            default = image.with_name(image.stem + WORKSPACE_SUFFIX)
        path, _ = ask_save_path(self.w, "Save Workspace", default, WORKSPACE_FILTER.split(";;"))
        if path:
            self.w.files.save_workspace(path)

    def choose_save(self) -> None:
        if self.w.state.document is None:
            self.w.show_message(
                "there is no result to save; open a response or run recognition first", "warning"
            )
            return
        path, selected = ask_save_path(
            self.w,
            "Save Result",
            result_path(self.w.state.response_path, self.w.state.image_path),
            list(SAVE_FILTERS),
        )
        if path:
            self.w.files.save_as(*save_target(path, selected))

    def choose_export(self) -> None:
        if not self.w.state.image_path:
            self.w.show_message("there is no image to export; open one first", "warning")
            return
        base = Path(self.w.state.image_path)
        path, _ = ask_save_path(
            self.w,
            "Export View",
            base.with_name(base.stem + "-view.png"),
            ["PNG image (*.png)", "PDF (*.pdf)"],
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
        try:
            image, response = find_sample()
        except OcrViewerError as err:
            self.w.show_message(str(err), "error")
            return
        if self.w.files.open_image(str(image)) and response:
            self.w.files.open_response(str(response))
