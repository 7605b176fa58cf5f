"""A PDF, a multi-page TIFF, a folder of images or a batch's OUTDIR open in the window as one document.

The workspace gets one page per source page (:mod:`ocrviewer.core.sources`); the window shows one
page at a time. Flipping shows the page's own results at once and its picture from a small cache:
only the page shown and its neighbours are kept decoded at full size (neighbours are decoded in
the window's workers ahead of a flip), every other page is dropped from memory.

A response on a document (Azure ``readResults[]``, Yandex JSON Lines, ...) lands page by page
through :func:`ocrviewer.core.loading.load_document_result`; a batch's OUTDIR gives every page's
response, and its pages are listed worst-first (:func:`ocrviewer.providers.batch.outdir_pages`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ocrviewer.core.document_pages import page_info, page_order_key, page_results, workspace_pages
from ocrviewer.core.loading import DocumentResult, load_document_result, page_ranges
from ocrviewer.core.sidecar import batch_name
from ocrviewer.core.sources import Source, open_source
from ocrviewer.core.text_reference import TEXT_FORMAT, text_only_note
from ocrviewer.core.wording import counted
from ocrviewer.core.workspace import Origin, Result, SourceRef, WorkspacePage, now
from ocrviewer.errors import Cancelled, OcrViewerError, error_message
from ocrviewer.gui.image_loader import PDF_DPI, DecodedImage, ImageLoader, decode_page
from ocrviewer.gui.state import ViewerState
from ocrviewer.gui.worker import Workers
from ocrviewer.providers.base import CancelToken, ProgressCallback

#: pages either side of the one shown kept decoded at full size
NEIGHBOURS = 1
#: how long closing waits for a render still inside PDFium (the window gave its workers 3 s already)
CLOSE_WAIT_S = 0.5


class DocumentController(QObject):
    """Opens documents into the state and flips their pages; keeps the page cache small."""

    message = Signal(str, str)  # text, level
    #: a document opened (page count); the page strip rebuilds
    opened = Signal(int)
    #: the order pages are listed in changed (a batch's OUTDIR: worst first)
    orderChanged = Signal()
    #: a response landed on the document: (pages it covers, warnings)
    responseLanded = Signal(int)

    def __init__(
        self,
        state: ViewerState,
        loader: ImageLoader,
        workers: Workers,
        preview_side: Callable[[Any], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.loader, self.workers = state, loader, workers
        self.preview_side = preview_side
        #: page index -> its full-size picture (the page shown and its neighbours only)
        self.cache: dict[int, DecodedImage] = {}
        #: page indices in the order they are listed (and PgDn follows): "pages" or "worst" first
        self.order: list[int] = []
        self.order_kind = "pages"
        #: per page, what the batch said (an OUTDIR): index -> PageStatus
        self.batch_status: dict[int, Any] = {}
        self._loading = 0
        self._doc_id = 0
        #: work waiting for the first page to be painted (parsing a big response competes for the GIL)
        self._after_first_page: list[Callable[[], None]] = []
        loader.decoded.connect(self._decoded)
        loader.failed.connect(lambda _msg: self._first_page_done())
        state.pageRequested.connect(self.go_to)

    @property
    def busy(self) -> bool:
        return self._loading > 0

    @property
    def source(self) -> Source | None:
        return self.state.source  # type: ignore[no-any-return]

    # -- opening -------------------------------------------------------------------------------
    def open_document(self, path: str, page: int = 0) -> bool:
        """Open a PDF, a multi-page TIFF, a folder of images or a batch's OUTDIR as one document; False with a message."""
        path = str(path)
        try:
            from ocrviewer.providers.outdir import is_outdir  # (the batch module: not at start-up)

            if is_outdir(path):
                if self._another_batch(path):  # a second engine's batch of the open document: add it
                    self.open_response(path)
                    return True
                return self.open_outdir(path)
            source = open_source(path, dpi=PDF_DPI)
            pages = workspace_pages(source)
        except Exception as err:  # never crash on a strange file: one line (a reader's bug: report it)
            self.message.emit(error_message(err, path), "error")
            return False
        self._start(source, pages, page)
        for s in source.skipped[:1]:
            more = f" (+{len(source.skipped) - 1} more)" if len(source.skipped) > 1 else ""
            self.message.emit(f"{source.name}/{s.name} skipped: {s.reason}{more}", "warning")
        return True

    def _another_batch(self, outdir: str) -> bool:
        """Whether ``outdir`` is a batch of the document open now whose responses are not on it yet."""
        from ocrviewer.providers.outdir import outdir_source

        source = self.source
        if source is None:
            return False
        try:
            read, records = outdir_source(outdir)  # the document its responses' sidecars name
        except OcrViewerError:
            return False
        if os.path.realpath(read) != os.path.realpath(source.path):
            return False
        folder = os.path.abspath(outdir)
        on_pages = {
            os.path.dirname(os.path.abspath(r.response_path))
            for p in self.state.workspace.pages
            for r in p.results
            if r.response_path
        }
        return bool(records) and folder not in on_pages

    def _start(self, source: Source, pages: list[WorkspacePage], page: int = 0) -> None:
        self._doc_id += 1
        self.cache.clear()
        self._first_page_done()  # work deferred for the previous document's first page: dropped by doc id
        self.batch_status = {}
        self.order = list(range(len(pages)))
        self.order_kind = "pages"
        ref = SourceRef(str(source.path), source.kind, source.dpi)
        self.state.set_document(source, ref, pages)
        # the previous source is not closed here: a thumbnail or prefetch may still be rendering from
        # it; pypdfium2 closes it when it is collected
        self.opened.emit(len(pages))
        self.orderChanged.emit()
        self.go_to(max(0, min(page, len(pages) - 1)))
        if page >= len(pages) > 0:  # asked for a page past the end (``ocrviewer view --page N``)
            self.message.emit(
                f"{source.name}: there is no page {page + 1}, it has {len(pages)}; showing page {len(pages)}",
                "warning",
            )

    def adopt(self, source: Source, pages: list[WorkspacePage]) -> None:
        """Show a reopened workspace's pages (with their results) of ``source``."""
        self._start(source, pages)
        self.state.statusMessage.emit(f"{source.name}: {counted(len(pages), 'page')}")

    def close(self) -> bool:
        """Release the document's file. A render still holding PDFium (a huge page) is not waited
        for beyond a moment: it releases the file itself when it ends. True when released now."""
        if self.source is None:
            return True
        return self.source.close(wait_s=CLOSE_WAIT_S)

    # -- flipping ------------------------------------------------------------------------------
    def go_to(self, index: int) -> None:
        """Show page ``index``: its results at once, its picture from the cache or decoded now."""
        source = self.source
        if source is None or not 0 <= index < len(source.pages):
            return
        try:
            info = page_info(source, index)
        except OcrViewerError as err:
            self.message.emit(str(err), "error")
            return
        self.state.show_page(index, info)
        keep = {index + d for d in range(-NEIGHBOURS, NEIGHBOURS + 1)}
        for i in [i for i in self.cache if i not in keep]:
            del self.cache[i]  # dropped from memory: only the page shown and its neighbours stay
        cached = self.cache.get(index)
        if cached is not None:
            self.loader.cancel()
            self.loader.decoded.emit(cached)  # and the neighbours are prefetched (see _decoded)
        else:  # the neighbours wait: PDFium renders one page at a time, the page shown first
            self.workers.cancel_kind("prefetch")
            self.loader.load_page(source.pages[index], info, self.state.generation, self.preview_side(info))
        label = source.pages[index].label if source.kind == "folder" else f"page {index + 1}"
        self.state.statusMessage.emit(f"{source.name} · {label} of {len(source.pages)}")

    def _decoded(self, decoded: DecodedImage) -> None:
        if decoded.final and self.source is not None:
            self.cache[self.state.page] = decoded
            self._prefetch(self.state.page)
        if decoded.final:
            self._first_page_done()

    def _first_page_done(self) -> None:
        waiting, self._after_first_page = self._after_first_page, []
        for start in waiting:
            start()

    def _prefetch(self, index: int) -> None:
        source = self.source
        assert source is not None
        wanted = [i for i in (index + 1, index - 1) if 0 <= i < len(source.pages) and i not in self.cache][
            : 2 * NEIGHBOURS
        ]
        if not wanted:
            return
        pages = [(i, source.pages[i], page_info(source, i)) for i in wanted]

        def work(cancel: CancelToken, progress: ProgressCallback) -> Iterator[tuple[int, DecodedImage]]:
            for i, page, info in pages:
                for decoded in decode_page(page, info, 10**6)(cancel, progress):
                    if decoded.final:
                        yield i, decoded

        def store(item: tuple[int, DecodedImage]) -> None:
            i, decoded = item
            if abs(i - self.state.page) <= NEIGHBOURS:
                self.cache[i] = decoded

        self.workers.submit(
            work,
            kind="prefetch",
            generation=self.state.generation,
            name="prefetch pages",
            on_yielded=store,
            on_error=lambda err: None,  # the page reports its own error when it is shown
        )

    def set_order(self, kind: str) -> None:
        """List pages in page order ("pages") or the least confident first ("worst")."""
        n = len(self.state.workspace.pages)
        self.order_kind = "worst" if kind == "worst" else "pages"
        if self.order_kind == "pages":
            self.order = list(range(n))
        else:
            failed = {i for i, s in self.batch_status.items() if s.status == "failed"}
            self.order = sorted(
                range(n), key=lambda i: (*page_order_key(self.state.page_document(i), i in failed), i)
            )
        self.orderChanged.emit()

    def step(self, delta: int) -> None:
        """The page ``delta`` places on in the listed order (PgDn +1, PgUp -1)."""
        if not self.order:
            return
        try:
            pos = self.order.index(self.state.page)
        except ValueError:
            pos = 0
        self.go_to(self.order[max(0, min(len(self.order) - 1, pos + delta))])

    def first(self) -> None:
        if self.order:
            self.go_to(self.order[0])

    def last(self) -> None:
        if self.order:
            self.go_to(self.order[-1])

    # -- responses -----------------------------------------------------------------------------
    def open_response(self, path: str, frame: str = "auto", role: str = "result") -> None:
        """Parse a response once and add each of its pages to the page it belongs to (in a worker)."""
        source = self.source
        if source is None:
            return
        doc_id = self._doc_id
        shown = self.state.page

        def work(cancel: CancelToken, progress: ProgressCallback) -> list[DocumentResult]:
            from ocrviewer.core.sidecar import read_sidecar
            from ocrviewer.core.text_reference import is_text_folder
            from ocrviewer.providers.outdir import is_manifest, outdir_responses

            if role == "truth" and is_text_folder(path):  # one .txt per page: each on the page it names
                return [load_document_result(source, path, frame=frame)]
            if Path(path).is_dir() or is_manifest(path):  # a batch's OUTDIR: each response on its page
                _, responses = outdir_responses(path, source.name)
                out = []
                for file, page in responses.items():
                    cancel.raise_if_cancelled()
                    out.append(load_document_result(source, file, frame=frame, coverage=False, page=page))
                return out
            # a one-page response goes on the page shown, unless its sidecar names its page (a batch's)
            sidecar = read_sidecar(path)
            named = sidecar is not None and bool(sidecar.extras.get("page"))
            return [load_document_result(source, path, frame=frame, page=None if named else shown)]

        def start() -> None:
            if doc_id == self._doc_id:
                self._submit(
                    f"place {os.path.basename(os.path.normpath(path))}",
                    work,
                    lambda results: self._land(results, role, doc_id, show_warnings=True),
                    path,
                )

        # the first page is painted first; the response is parsed after it (once its image landed
        # the page is cached: the decode's worker may still be finishing, and no other image follows)
        if self.loader.busy and shown not in self.cache:
            self._loading += 1  # busy meanwhile (view --screenshot waits for it)

            def deferred() -> None:
                self._loading -= 1
                start()

            self._after_first_page.append(deferred)
        else:
            start()

    def _submit(self, name: str, work: Any, done: Callable[[Any], None], path: str) -> None:
        def failed(err: BaseException) -> None:
            if not isinstance(err, Cancelled):
                self.message.emit(error_message(err, path), "error")

        def finished() -> None:
            self._loading -= 1

        self._loading += 1
        self.workers.submit(work, name=name, on_result=done, on_error=failed, on_finished=finished)

    def _land(
        self, results: list[DocumentResult], role: str, doc_id: int, *, show_warnings: bool = False
    ) -> None:
        """Add every page of ``results`` to its page (the page shown displays its new result)."""
        if doc_id != self._doc_id:
            return  # another document was opened meanwhile
        state = self.state
        covered = 0
        ws = state.workspace
        for result in results:
            engine = batch_name(result.response_path, result.sidecar)  # a batch's: named as in the report
            for target, loaded, response_page in page_results(result):
                stored = ws.add_result(
                    target,
                    Result.from_loaded(
                        loaded,
                        name=engine,
                        role=role,
                        origin=Origin("file", path=result.response_path, time=now()),
                        response_page=response_page,
                    ),
                    show=False,
                )
                if ws.pages[target].shown is None or role == "result":
                    ws.show(target, stored.id)
                covered += 1
        shown = ws.pages[state.page].shown if ws.pages else None
        if shown is not None and shown != state.result_id:
            state.show_result(shown)
        warnings = [w for r in results for w in r.warnings]
        if show_warnings and warnings:
            more = f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else ""
            self.message.emit(warnings[0] + more, "warning")
        name = (
            os.path.basename(results[0].response_path) if len(results) == 1 else f"{len(results)} responses"
        )
        text = [r for r in results if r.parsed.source_format == TEXT_FORMAT]
        if text:  # nothing to draw: say so rather than show a bare page as if it had no text
            where = f" on {counted(covered, 'page')} ({page_ranges(text[0].covered)})"
            self.message.emit(text_only_note(name, role, where), "info")
        state.statusMessage.emit(f"{name}: results on {covered} of {len(ws.pages)} pages")
        self.responseLanded.emit(covered)

    # -- a batch's OUTDIR ----------------------------------------------------------------------
    def open_outdir(self, path: str) -> bool:
        """Open the document a batch read, every page's response on it, pages listed worst-first."""
        from ocrviewer.providers.outdir import outdir_source, response_page

        outdir = Path(path)
        try:
            source_path, records = outdir_source(outdir)
            source = open_source(source_path, dpi=PDF_DPI)
            pages = workspace_pages(source)
        except OcrViewerError as err:
            self.message.emit(str(err), "error")
            return False
        self._start(source, pages)
        doc_id = self._doc_id

        def work(cancel: CancelToken, progress: ProgressCallback) -> tuple[list[DocumentResult], list[Any]]:
            from ocrviewer.core.parsers import load_response
            from ocrviewer.providers.batch import outdir_pages

            results = []
            for rec in records:
                cancel.raise_if_cancelled()
                try:
                    results.append(
                        load_document_result(
                            source, outdir / str(rec.response), coverage=False, page=response_page(rec)
                        )
                    )
                except OcrViewerError:
                    continue  # outdir_pages lists it as failed, with the reason
            # the pages' words and confidences from the responses just parsed, not parsed again
            parsed = {Path(r.response_path): r.parsed for r in results}
            statuses = [
                s
                for s in outdir_pages(outdir, load=lambda p: parsed[p] if p in parsed else load_response(p))
                if s.source == source.name
            ]
            return results, statuses

        def done(out: tuple[list[DocumentResult], list[Any]]) -> None:
            results, statuses = out
            if doc_id != self._doc_id:
                return
            if results:
                self._land(results, "result", doc_id)
            self.batch_status = {s.index: s for s in statuses if 0 <= s.index < len(source.pages)}
            self.set_order("worst")
            failed = sum(1 for s in statuses if s.status == "failed")
            self.state.statusMessage.emit(
                f"{outdir.name}: {counted(len(statuses), 'page')} of {source.name}, worst first"
                + (f" ({failed} failed)" if failed else "")
            )
            if self.order and self.order[0] != self.state.page:
                self.go_to(self.order[0])

        self._submit(f"open {outdir.name}", work, done, path)
        return True
