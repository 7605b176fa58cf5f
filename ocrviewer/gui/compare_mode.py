"""View > Compare with Ground Truth: the shown result's words coloured by how they match the truth.

With the mode on (key D) and a ground truth on the page (File > Load as Ground Truth), the words
of the shown result are coloured equal / substituted / extra in the status colours (outside the
confidence scale), hovering one shows both texts, and the Differences panel lists the wrong words
worst first (a click jumps to the word). Switch A/B (key B) shows the truth in place instead, its
words coloured equal / substituted / missed against that result, and back. The comparison runs in
the window's worker pool (:mod:`ocrviewer.core.compare`), never on the GUI thread.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem

from ocrviewer.core.compare import STATUSES, PageComparison, compare_pages
from ocrviewer.core.workspace import Result

#: confidence at or above which a wrong word counts as "confident but wrong"
CONFIDENT = 0.9


class CompareMode(QObject):
    """Colours, tooltips, the differences list and the A/B switch of compare mode."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.enabled = False
        self.comparison: PageComparison | None = None
        #: (truth id, other result id, their documents' ids) the comparison was made for
        self.pair: tuple[str, str, int, int] | None = None
        self._notes: dict[int, str] = {}
        self.list = QListWidget()
        self.list.itemActivated.connect(self._jump)
        self.list.itemClicked.connect(self._jump)
        self.dock = QDockWidget("Differences", window)
        self.dock.setObjectName("differences")
        self.dock.setWidget(self.list)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        window.canvas.word_note = self.note
        window.state.documentChanged.connect(self.refresh)
        window.state.resultsChanged.connect(self.refresh)

    # -- which results -------------------------------------------------------------------------
    def _sides(self) -> tuple[Result | None, Result | None, bool]:
        """(truth, the other result, whether the truth is the one shown)."""
        state = self.w.state
        results = state.results()
        truth = next((r for r in results if r.role == "truth" and r.document is not None), None)
        shown = state.current_result()
        if truth is None or shown is None:
            return truth, None, False
        if shown.id != truth.id:
            return truth, shown, False
        other_id = self.pair[1] if self.pair is not None else None
        other = next((r for r in results if r.id == other_id and r.document is not None), None)
        if other is None:
            other = next((r for r in results if r.role != "truth" and r.document is not None), None)
        return truth, other, True

    # -- switching -----------------------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self.dock.setVisible(self.enabled)
        self.refresh()

    def toggle_ab(self) -> None:
        """Show the truth in place of the compared result, or back."""
        truth, other, truth_shown = self._sides()
        if truth is None or other is None:
            self.w.show_message(
                "compare needs a ground truth and a result on the page: File > Load as Ground Truth",
                "warning",
            )
            return
        self.w.state.show_result(other.id if truth_shown else truth.id)

    def refresh(self) -> None:
        """Recompute (in the pool) when the pair changed; recolour the shown words."""
        layer = self.w.canvas.layers["word"]
        if not self.enabled:
            if layer.statuses is not None:
                layer.set_statuses(None)
            self._notes = {}
            return
        truth, other, truth_shown = self._sides()
        if truth is None or other is None or truth.document is None or other.document is None:
            layer.set_statuses(None)
            self._notes = {}
            self.list.clear()
            self.w.statusBar().showMessage(
                "compare: load a ground truth (Ctrl+G) and show a result on this page", 10000
            )
            return
        # a moved overlay (frame tools) is a new document: compared again
        pair = (truth.id, other.id, id(truth.document), id(other.document))
        if pair == self.pair and self.comparison is not None:
            self._apply(self.comparison, truth_shown)
            return
        ref_doc, res_doc = truth.document, other.document
        page = self.w.state.page

        def work(cancel: Any, progress: Any) -> PageComparison:
            ref_page = _page(ref_doc, page)
            res_page = _page(res_doc, page)
            return compare_pages(ref_page, res_page, index=page)

        def done(pc: PageComparison) -> None:
            self.pair, self.comparison = pair, pc
            _, _, now_truth_shown = self._sides()
            self._apply(pc, now_truth_shown)

        def failed(err: BaseException) -> None:
            self.w.show_message(f"compare: {err}", "error")

        self.w.workers.submit(
            work,
            generation=self.w.state.generation,
            kind="compare",
            name="compare",
            on_result=done,
            on_error=failed,
        )

    # -- showing -------------------------------------------------------------------------------
    def _apply(self, pc: PageComparison, truth_shown: bool) -> None:
        side = "reference" if truth_shown else "result"
        self.w.canvas.layers["word"].set_statuses(pc.model_statuses(side))
        words = pc.ref_words if truth_shown else pc.result_words
        index = pc.ref_index if truth_shown else pc.result_index
        model = np.asarray(words.model_index, np.int64)
        self._notes = {}
        for k in np.flatnonzero(index >= 0).tolist():
            m = int(model[int(index[k])])
            if m >= 0:
                self._notes[m] = _note(pc, k)
        self._fill_list(pc, truth_shown)
        n = pc.counts()
        cer = "n/a" if pc.cer.rate is None else f"{pc.cer.rate * 100:.2f}%"
        wrong, confident = _confident_wrong(pc)
        self.w.statusBar().showMessage(
            f"compare ({'truth shown' if truth_shown else 'result shown'}): CER {cer} · "
            f"{n['substituted']} substituted, {n['missed']} missed, {n['extra']} extra · "
            f"{wrong} of {confident} confident (≥ {CONFIDENT:g}) words wrong",
            15000,
        )

    def _fill_list(self, pc: PageComparison, truth_shown: bool) -> None:
        self.list.clear()
        words = pc.ref_words if truth_shown else pc.result_words
        for p in pc.worst(500):
            text = f"{p.status}: «{p.ref_text or '—'}» → «{p.result_text or '—'}» ({p.distance})"
            item = QListWidgetItem(text)
            i = p.ref_index if truth_shown else p.result_index
            model = words.model_index[i] if i >= 0 else -1
            item.setData(Qt.ItemDataRole.UserRole, model)
            if model < 0:
                item.setToolTip("not on the result shown: switch A/B (B) to see it")
            self.list.addItem(item)

    def _jump(self, item: QListWidgetItem) -> None:
        model = item.data(Qt.ItemDataRole.UserRole)
        if model is None or model < 0:
            return
        data = self.w.canvas.layers["word"].data
        if 0 <= model < len(data):
            ref = data.ref(int(model))
            if ref is not None:
                self.w.state.select(ref)

    def note(self, index: int) -> str:
        """Tooltip line for word ``index`` of the shown result in compare mode ('' otherwise)."""
        return self._notes.get(index, "") if self.enabled else ""


def _page(doc: Any, index: int) -> Any:
    for p in doc.pages:
        if p.index == index:
            return p
    return doc.pages[0] if len(doc.pages) == 1 else doc.pages[min(index, len(doc.pages) - 1)]


def _note(pc: PageComparison, k: int) -> str:
    status = STATUSES[int(pc.status[k])]
    p = pc.pair(k)
    ref = html.escape(p.ref_text) if p.ref is not None else "—"
    res = html.escape(p.result_text) if p.result is not None else "—"
    return f"<i>{status}</i>: truth «{ref}» · result «{res}»"


def _confident_wrong(pc: PageComparison) -> tuple[int, int]:
    st = pc.statuses("result")
    conf = np.array(
        [np.nan if w.confidence is None else w.confidence for w in pc.result_words.word], dtype=float
    )
    confident = conf >= CONFIDENT
    return int((confident & ((st == 1) | (st == 3))).sum()), int(confident.sum())
