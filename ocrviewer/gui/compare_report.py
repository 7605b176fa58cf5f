"""File > Compare and Export Report: the open result against a reference, as ``ocrviewer compare --report``.

With a ground truth on the page (File > Load as Ground Truth) the report scores every result on
the page against it, side by side; without one it asks for the reference file.

On a document (a PDF, a multi-page TIFF, a folder) the report covers the document as
``ocrviewer compare DOC REFERENCE RESULT...`` does: every page the reference has, with figures
per page and for the whole document; each result is one column (one engine's responses of a
batch, a file per page, are one column: :func:`ocrviewer.core.references.group_results`), and a
file of one page counts on the page it was opened on.

The report compares in the normalization compare mode's toolbar shows (Text: exact, historic or
modern) and says which. The comparison and the HTML run in the pool (never on the GUI thread) through the same
:mod:`ocrviewer.core.evaluate` the command line uses, so both write the same report.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from ocrviewer.errors import error_message
from ocrviewer.gui.save_dialog import ask_save_path

REFERENCE_FILTER = "References (*.json *.jsonl *.txt *.text);;All files (*)"


def document_path(state: Any) -> str | None:
    """The open document (PDF, multi-page TIFF, folder) the page shown belongs to, or None."""
    if state.source is not None:
        return str(state.source.path)
    info = state.image_info
    return state.image_path if info is not None and info.format == "PDF" else None


def _files_on_pages(state: Any) -> dict[str, list[int]]:
    """Every result file in the workspace and the pages its results are on, in page order."""
    out: dict[str, list[int]] = {}
    for page in state.workspace.pages:
        for r in page.results:
            if r.response_path and page.index not in out.setdefault(r.response_path, []):
                out[r.response_path].append(page.index)
    return out


def page_truth(window: Any) -> tuple[str, list[str]] | None:
    """(the page's ground truth file, every other result's file) when the page has a truth.

    On a document: every result file on the pages that truth covers (the report spans them)."""
    state = window.state
    results = state.results()
    truth = next((r for r in results if r.role == "truth" and r.response_path), None)
    if truth is None:
        return None
    if state.source is None:  # an image (or one page of a PDF): the results on it
        others = [r.response_path for r in results if r.role != "truth" and r.response_path]
        return (truth.response_path, others) if others else None
    pages = {
        p.index
        for p in state.workspace.pages
        if any(r.role == "truth" and r.response_path == truth.response_path for r in p.results)
    }
    others = []
    for page in state.workspace.pages:
        for r in page.results if page.index in pages else ():
            if r.role != "truth" and r.response_path and r.response_path not in others:
                others.append(r.response_path)
    return (truth.response_path, others) if others else None


def export_report(window: Any, reference: str, output: str, results: list[str] | None = None) -> None:
    """Compare the window's result (or ``results``) with ``reference`` and write the report to
    ``output`` (in the pool)."""
    from ocrviewer.core.evaluate import compare_files, write_report
    from ocrviewer.core.references import group_results

    state = window.state
    image, response = state.image_path, state.response_path
    if image is None or (response is None and not results):
        window.show_message("open an image and a result first; the report compares that result", "warning")
        return
    frame = window.files.frame
    # the normalization compare mode's toolbar shows (Text: exact / historic / modern)
    normalization = getattr(getattr(window, "compare", None), "normalization", "exact")
    files = results or [response]
    document = document_path(state)
    pages: dict[str, int] = {}
    picked = False  # a reference picked in the dialog, not opened on any page
    if document is not None:  # the whole document; a file of one page counts on the page it is on
        image = document
        if state.source is None:  # one page of a PDF open on its own: every file is for it
            ref_page = (state.workspace.pages[0].page_ref or 0) if state.workspace.pages else 0
            pages = {f: ref_page for f in (reference, *files)}
        else:
            on_pages = _files_on_pages(state)
            pages = {path: found[0] for path, found in on_pages.items() if len(found) == 1}
            if reference not in on_pages:  # for the page shown, unless its sidecar names one
                pages[reference], picked = state.page, True

    def work(cancel: Any, progress: Any) -> Any:
        from ocrviewer.core.sidecar import read_sidecar

        if picked:
            sidecar = read_sidecar(reference)
            if sidecar is not None and sidecar.extras.get("page"):
                pages.pop(reference)  # a batch's response names its own page
        # on a document, one engine's file per page (a batch's OUTDIR) is one column, not one per page
        grouped = group_results(files) if document is not None else files
        backdrop, ref, rows = compare_files(image, reference, grouped, frame, pages, normalization)
        path = write_report(output, backdrop, ref, rows)
        cers = [(src.name, c.cer.rate) for src, c, _ in rows]
        return path, cers, [n for _, _, ns in rows for n in ns], len(ref.document.pages)

    def done(result: Any) -> None:
        path, cers, notes, n_pages = result

        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v * 100:.2f}%"

        if len(cers) == 1:
            figure = f"CER {pct(cers[0][1])}"
        else:  # several engines: each one's figure, as the report's columns
            figure = "CER " + ", ".join(f"{name} {pct(cer)}" for name, cer in cers)
        if document is not None:
            figure = f"{n_pages} page{'s' if n_pages != 1 else ''}, {figure} over them"
        if notes:  # the first in the message bar, every one in the report; the status bar keeps the figure
            more = f" (+{len(notes) - 1} more in the report)" if len(notes) > 1 else ""
            window.show_message(notes[0] + more, "warning")
        window.statusBar().showMessage(f"wrote {path} · {figure}", 15000)

    def failed(err: BaseException) -> None:
        window.show_message(error_message(err), "error")

    window.workers.submit(work, kind="compare-report", name="compare report", on_result=done, on_error=failed)


def choose_and_export(window: Any) -> None:
    """Ask for the reference and where to save, then export."""
    state = window.state
    if state.image_path is None or state.response_path is None:
        window.show_message("open an image and a result first; the report compares that result", "warning")
        return
    base = Path(document_path(state) or state.image_path)
    on_page = page_truth(window)
    if on_page is not None:  # the page's ground truth against every engine on the page
        output, _ = ask_save_path(
            window,
            "Save Comparison Report",
            base.with_name(base.stem + "-comparison.html"),
            ["HTML (*.html)"],
        )
        if output:
            export_report(window, on_page[0], output, on_page[1])
        return
    start = os.path.dirname(state.response_path)
    reference, _ = QFileDialog.getOpenFileName(
        window, "Reference (ground truth or another result)", start, REFERENCE_FILTER
    )
    if not reference:
        return
    output, _ = ask_save_path(
        window, "Save Comparison Report", base.with_name(base.stem + "-comparison.html"), ["HTML (*.html)"]
    )
    if output:
        export_report(window, reference, output)
