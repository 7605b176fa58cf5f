"""File > Compare and Export Report: the open result against a reference, as ``ocrviewer compare --report``.

With a ground truth on the page (File > Load as Ground Truth) the report scores every result on
the page against it, side by side; without one it asks for the reference file.

The comparison and the HTML run in the pool (never on the GUI thread) through the same
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


def page_truth(window: Any) -> tuple[str, list[str]] | None:
    """(the page's ground truth file, every other result's file) when the page has a truth."""
    results = window.state.results()
    truth = next((r for r in results if r.role == "truth" and r.response_path), None)
    others = [r.response_path for r in results if r.role != "truth" and r.response_path]
    return (truth.response_path, others) if truth is not None and others else None


def export_report(window: Any, reference: str, output: str, results: list[str] | None = None) -> None:
    """Compare the window's result (or ``results``) with ``reference`` and write the report to
    ``output`` (in the pool)."""
    from ocrviewer.core.evaluate import compare_files, write_report

    state = window.state
    image, response = state.image_path, state.response_path
    if image is None or (response is None and not results):
        window.show_message("open an image and a result first; the report compares that result", "warning")
        return
    if state.image_info is not None and state.image_info.format == "PDF":
        window.show_message(
            "a comparison report of a PDF page is not available yet; use a page image", "warning"
        )
        return
    frame = window.files.frame

    def work(cancel: Any, progress: Any) -> Any:
        backdrop, ref, rows = compare_files(image, reference, results or [response], frame)
        path = write_report(output, backdrop, ref, rows)
        return path, rows[0][1], rows[0][2]

    def done(result: Any) -> None:
        path, comparison, notes = result
        cer = comparison.cer.rate
        figure = "CER n/a" if cer is None else f"CER {cer * 100:.2f}%"
        window.statusBar().showMessage(f"wrote {path} · {figure}", 10000)
        if notes:
            window.show_message(notes[0], "warning")

    def failed(err: BaseException) -> None:
        window.show_message(error_message(err), "error")

    window.workers.submit(work, kind="compare-report", name="compare report", on_result=done, on_error=failed)


def choose_and_export(window: Any) -> None:
    """Ask for the reference and where to save, then export."""
    state = window.state
    if state.image_path is None or state.response_path is None:
        window.show_message("open an image and a result first; the report compares that result", "warning")
        return
    base = Path(state.image_path)
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
