"""The viewer's single source of truth, as a QObject whose signals every widget follows.

It holds Qt-free data only: the core's :class:`~ocrviewer.core.workspace.Workspace` (the pages
and every result on them) and, for the page shown, the result displayed (its Document,
FrameTransform, decision) plus view state (selection, filters). Widgets rebuild from it when it
signals. Elements are addressed by :class:`ElementRef` paths.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from ocrviewer.core.columns import page_columns
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.layers import ElementRef
from ocrviewer.core.loading import LoadedResult
from ocrviewer.core.model import Block, Document, Line, Word
from ocrviewer.core.workspace import (
    Origin,
    Result,
    SourceRef,
    Workspace,
    WorkspaceEvent,
    WorkspacePage,
    page_for,
    source_kind,
)


class ViewerState(QObject):
    """Current image, response, placement, selection and filters."""

    imageChanged = Signal()  # image_path / image_info changed (document cleared)
    documentChanged = Signal()  # displayed document changed (new response or new transform)
    transformChanged = Signal()  # placement changed (also emits documentChanged)
    selectionChanged = Signal()
    thresholdChanged = Signal(float)
    statusMessage = Signal(str)  # one line for the status bar / message area
    highlightsChanged = Signal()  # search matches changed
    dragModeChanged = Signal(bool)  # True: dragging on the canvas shifts the overlay (frame tools)
    belowThresholdChanged = Signal(str)  # "dim" or "hide": how words under min_confidence are drawn
    resultsChanged = Signal()  # results on the page added, removed, renamed or the shown one changed
    colourScaleChanged = Signal()  # the confidence colours now span another range
    pointPickChanged = Signal(bool)  # True: the next canvas clicks pick points (two-point alignment)
    pointPicked = Signal(float, float)  # a picked point, displayed-frame image pixels
    pageChanged = Signal(int)  # another page of the document is shown (its index)
    pageRequested = Signal(int)  # a view asks to show page N (the document controller shows it)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.image_path: str | None = None
        self.image_info: ImageInfo | None = None
        #: increments on every new image so stale background results can be dropped
        self.generation = 0
        self.response_path: str | None = None
        #: the response as parsed, in its own frame and units
        self.source_document: Document | None = None
        #: what frame detection concluded (ocrviewer.core.frames.FrameDecision), if any
        self.decision: Any = None
        self.transform: FrameTransform | None = None
        #: source_document placed on the displayed image
        self.document: Document | None = None
        self.prepared_layers: Any = None
        #: the inspector's text and rows made for ``document`` off the GUI thread
        #: (``core.text_rows.InspectorData``), or None (the inspector makes them)
        self.prepared_inspector: Any = None
        self.selection: ElementRef | None = None
        self.min_confidence = 0.0
        #: elements matching the current search, highlighted on the canvas
        self.highlights: tuple[ElementRef, ...] = ()
        self.drag_overlay = False
        #: "dim" or "hide": what the canvas does with words under min_confidence
        self.below_threshold = "dim"
        #: every page and result; the state shows page ``page`` and its result ``result_id``
        self.workspace = Workspace()
        self.workspace.subscribe(self._workspace_changed)
        self.page = 0
        self.result_id: str | None = None
        #: the open document's pages (core ``Source``), when a PDF, folder or batch OUTDIR is open
        self.source: Any = None
        #: bumped on every change to any page's results (views spanning the document rebuild on it)
        self.results_version = 0
        self._showing = False
        #: True while a tool wants canvas clicks as points instead of selections
        self.point_pick = False
        #: the confidence colour scale in use (ocrviewer.core.palette.ConfidenceScale), set by the canvas
        self.colour_scale: Any = None

    # -- changes -------------------------------------------------------------------------------
    def set_image(self, path: str | None, info: ImageInfo | None, page: int = 0) -> None:
        """Show a new image (``page`` of a PDF); the workspace starts over with it."""
        self.generation += 1
        self.image_path, self.image_info = path, info
        self.result_id = None
        self.source = None
        if path is not None and info is not None:
            ref = page if info.format == "PDF" else None
            self.workspace.set_source(SourceRef(path, source_kind(path)), [page_for(path, info, ref)])
        else:
            self.workspace.set_source(None)
        self.page = 0
        self.response_path = None
        self.source_document = self.document = self.prepared_layers = self.prepared_inspector = None
        self.decision = self.transform = None
        self.selection = None
        self.highlights = ()
        self.imageChanged.emit()
        self.documentChanged.emit()
        self.selectionChanged.emit()

    def set_document(self, source: Any, ref: SourceRef, pages: list[WorkspacePage]) -> None:
        """A new document (a core ``Source`` and a page per source page); :meth:`show_page` shows one."""
        self.source = source
        self.workspace.set_source(ref, pages)
        self.workspace.path = None

    def show_page(self, index: int, info: ImageInfo) -> None:
        """Show page ``index`` of the workspace (``info``: its header) with the result it shows.

        The results of every page stay in the workspace; only what is displayed changes.
        """
        page = self.workspace.page(index)
        self.generation += 1
        self.page = index
        self.image_path, self.image_info = page.image_path, info
        self.result_id = None
        self.response_path = None
        self.source_document = self.document = self.prepared_layers = self.prepared_inspector = None
        self.decision = self.transform = None
        self.selection = None
        self.highlights = ()
        self.pageChanged.emit(index)
        self.imageChanged.emit()
        self.show_result(page.shown)

    @property
    def is_document(self) -> bool:
        """A document of several pages is open (views then span all its pages)."""
        return self.source is not None and len(self.workspace.pages) > 1

    def go_to_page(self, index: int) -> None:
        """Ask for page ``index`` to be shown (at once: its results are in the workspace)."""
        if index != self.page:
            self.pageRequested.emit(index)

    def source_page(self) -> Any:
        """The core ``SourcePage`` shown (recognition renders it), or None for a lone image."""
        if self.source is None or not 0 <= self.page < len(self.source.pages):
            return None
        return self.source.pages[self.page]

    def page_document(self, index: int) -> Document | None:
        """The placed document of page ``index``'s shown result (None: no result or not placed)."""
        result = self.workspace.shown(index)
        return result.document if result is not None else None

    def set_response(
        self,
        source: Document,
        transform: FrameTransform,
        decision: Any = None,
        path: str | None = None,
        *,
        placed: Document | None = None,
        layers: Any = None,
        inspector: Any = None,
    ) -> None:
        """Show ``source`` placed by ``transform``.

        ``placed`` (``transform.apply_document(source)``), ``layers`` (the overlay's
        ``build_layers(placed)``) and ``inspector`` (its text and rows) may come ready-made from a
        worker thread, so the GUI thread does not redo them when a large result lands.
        """
        self.source_document, self.decision, self.response_path = source, decision, path
        self.selection = None
        self.set_transform(transform, placed=placed, layers=layers, inspector=inspector)
        self.selectionChanged.emit()

    # -- results in the workspace -------------------------------------------------------------
    def add_result(
        self,
        loaded: LoadedResult,
        *,
        role: str = "result",
        origin: Origin | None = None,
        name: str | None = None,
        layers: Any = None,
        inspector: Any = None,
        show: bool = True,
    ) -> Result:
        """Add a finished result to the page shown; display it unless ``show`` is False."""
        result = Result.from_loaded(loaded, name=name, role=role, origin=origin)
        if not self.workspace.pages:  # a response shown without an image: displayed, not kept
            self.set_response(
                loaded.source,
                loaded.transform,
                loaded.decision,
                loaded.response_path,
                placed=loaded.document,
                layers=layers,
                inspector=inspector,
            )
            return result
        stored = self.workspace.add_result(self.page, result, show=False)
        if show:
            self.show_result(stored.id, layers=layers, inspector=inspector)
        return stored

    def show_result(self, result_id: str | None, *, layers: Any = None, inspector: Any = None) -> None:
        """Display the page's result ``result_id`` (one not placed shows nothing, with its reason)."""
        result = self.workspace.pages[self.page].result(result_id) if self.workspace.pages else None
        self.result_id = result.id if result is not None else None
        if self.workspace.pages:
            self.workspace.show(self.page, self.result_id)
        loaded = result.loaded if result is not None else None
        self._showing = True
        try:
            if loaded is None:
                self.source_document = self.decision = self.transform = self.response_path = None
                self.selection = None
                self.set_transform(None, placed=None)  # type: ignore[arg-type]
                self.selectionChanged.emit()
                if result is not None and result.problem:
                    self.statusMessage.emit(result.problem)
            else:
                self.set_response(
                    loaded.source,
                    loaded.transform,
                    loaded.decision,
                    loaded.response_path,
                    placed=loaded.document,
                    layers=layers,
                    inspector=inspector,
                )
        finally:
            self._showing = False

    def results(self) -> list[Result]:
        """The results on the page shown."""
        return list(self.workspace.pages[self.page].results) if self.workspace.pages else []

    def current_result(self) -> Result | None:
        return self.workspace.pages[self.page].result(self.result_id) if self.workspace.pages else None

    def _workspace_changed(self, event: WorkspaceEvent) -> None:
        if event.kind == "checked":  # check marks change no result's name, words or place
            return
        self.results_version += 1
        # another page's results (a document's response landing on 200 pages) are not this page's
        if event.kind != "source" and event.page in (-1, self.page):
            self.resultsChanged.emit()

    def _record_correction(self) -> None:
        """A new placement of the displayed result (frame tools, dragging) goes into the workspace."""
        result = self.current_result()
        if self._showing or result is None or self.transform is None or self.document is None:
            return
        if result.transform == self.transform and result.document is self.document:
            return
        corrected = result.corrected_to(self.transform, document=self.document, decision=self.decision)
        self.workspace.replace_result(self.page, corrected)

    def set_transform(
        self,
        transform: FrameTransform,
        *,
        placed: Document | None = None,
        layers: Any = None,
        inspector: Any = None,
    ) -> None:
        self.transform = transform
        if self.source_document is None:
            self.document = None
        else:
            self.document = placed if placed is not None else transform.apply_document(self.source_document)
        #: overlay data made for ``document`` off the GUI thread, or None (the canvas builds it)
        self.prepared_layers = layers if placed is not None else None
        self.prepared_inspector = inspector if placed is not None else None
        self._record_correction()
        self.transformChanged.emit()
        self.documentChanged.emit()

    def select(self, ref: ElementRef | None) -> None:
        if ref != self.selection:
            self.selection = ref
            self.selectionChanged.emit()

    def set_min_confidence(self, value: float) -> None:
        value = max(0.0, min(1.0, float(value)))
        if value != self.min_confidence:
            self.min_confidence = value
            self.thresholdChanged.emit(value)

    def set_highlights(self, refs: tuple[ElementRef, ...]) -> None:
        if refs != self.highlights:
            self.highlights = tuple(refs)
            self.highlightsChanged.emit()

    def set_drag_overlay(self, enabled: bool) -> None:
        if enabled != self.drag_overlay:
            self.drag_overlay = enabled
            self.dragModeChanged.emit(enabled)

    def set_colour_scale(self, scale: Any) -> None:
        if scale != self.colour_scale:
            self.colour_scale = scale
            self.colourScaleChanged.emit()

    def set_point_pick(self, enabled: bool) -> None:
        if enabled != self.point_pick:
            self.point_pick = enabled
            self.pointPickChanged.emit(enabled)

    def set_below_threshold(self, mode: str) -> None:
        mode = mode if mode in ("hide", "only") else "dim"
        if mode != self.below_threshold:
            self.below_threshold = mode
            self.belowThresholdChanged.emit(mode)

    # -- lookups -------------------------------------------------------------------------------
    def element(self, ref: ElementRef) -> Block | Line | Word | None:
        doc = self.document
        if doc is None:
            return None
        try:
            cols = page_columns(doc.pages[ref.page])
            if cols is not None:  # a page parsed as columns: only this element is made
                path = {"block": (ref.block,), "line": (ref.block, ref.line)}.get(
                    ref.level, (ref.block, ref.line, ref.word)
                )
                for depth, i in enumerate(path):
                    if not 0 <= i < cols.children_count(path[:depth]):
                        return None
                return cols.at(path)  # type: ignore[return-value]
            block = doc.pages[ref.page].blocks[ref.block]
            if ref.level == "block":
                return block
            line = block.lines[ref.line]
            if ref.level == "line":
                return line
            return line.words[ref.word]
        except IndexError:
            return None
