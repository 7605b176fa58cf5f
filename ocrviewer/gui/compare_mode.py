"""View > Compare with Ground Truth: the shown result's words coloured by how they match the truth.

With the mode on (key D) and a ground truth on the page (File > Load as Ground Truth), the words
of the shown result are coloured equal / substituted / extra in the status colours (outside the
confidence scale), hovering one shows both texts, the Differences panel
(:mod:`ocrviewer.gui.differences`) lists the wrong words worst first (a click jumps to the word, .
and , step through them) and the Inspector names the selected word's status, the truth's text and
the edit distance; all three read the same pair (:mod:`ocrviewer.core.compare_notes`). Switch A/B (key B) shows the
truth in place instead, its words coloured equal / substituted / missed against that result, and
back. Wipe (W) and Side by Side (V) show A beside B (:mod:`ocrviewer.gui.compare_views`): B is the
page's other engine against the same truth, or the truth itself when there is one engine. The
comparisons run in the window's worker pool (:mod:`ocrviewer.core.compare`), never on the GUI
thread. The Differences panel and the Compare toolbar (:mod:`ocrviewer.gui.compare_toolbar`) show
only while compare mode is on.

A word the result cut in two (or two it ran together) is coloured *split* (*merged*), all its
pieces, and listed once with all of them. The toolbar's Text box picks the normalization both the
colouring and the report compare in (exact; historic: ligatures and MUFI letters as dinglehopper
reads them; modern: the long s as s too), remembered in the settings.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt

from ocrviewer.core import compare_notes as notes
from ocrviewer.core.compare import PageComparison, compare_pages
from ocrviewer.core.compare_notes import CONFIDENT, page_of
from ocrviewer.core.metrics import NORMALIZATIONS
from ocrviewer.core.palette import STATUS_COLORS
from ocrviewer.core.workspace import Result
from ocrviewer.errors import error_message
from ocrviewer.gui.compare_toolbar import make_toolbar
from ocrviewer.gui.compare_views import CompareViews, SideB
from ocrviewer.gui.differences import DifferencesPanel
from ocrviewer.gui.overlay import prepare_layers
from ocrviewer.gui.settings_keys import COMPARE_NORMALIZATION_KEY

__all__ = ["CONFIDENT", "CompareMode"]


class CompareMode(QObject):
    """Colours, tooltips, the differences list and the A/B switch of compare mode."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.enabled = False
        self.comparison: PageComparison | None = None
        #: (truth id, other result id, their documents' ids, normalization) the comparison was made for
        self.pair: tuple[str, str, int, int, str] | None = None
        saved = str(window.settings.value(COMPARE_NORMALIZATION_KEY, "exact"))
        #: the text normalization words are compared in (a key of ``metrics.NORMALIZATIONS``)
        self.normalization = saved if saved in NORMALIZATIONS else "exact"
        self._notes: dict[int, str] = {}
        #: B of the wipe and side by side: (key it was made for, what it shows)
        self._b: tuple[tuple[Any, ...], SideB, str] | None = None
        self.differences = DifferencesPanel(window)
        self.list = self.differences.list
        self.dock = self.differences.dock
        window.installEventFilter(self)
        self.views = CompareViews(window, window.canvas)
        self.differences.views = self.views
        self.toolbar, self.normalization_box = make_toolbar(
            window, self.normalization, self.set_normalization
        )
        window.canvas.word_note = self.note
        window.state.documentChanged.connect(self.refresh)
        window.state.resultsChanged.connect(self.refresh)
        window.state.selectionChanged.connect(self.inspect)
        # the saved layout is restored after this panel is made: compare mode starts off, so the
        # panel and the toolbar show only with it (a layout saved by an older version may show them)
        window.panelsReady.connect(self._settle, Qt.ConnectionType.SingleShotConnection)
        self._update_actions()

    def _settle(self) -> None:
        if not self.enabled:
            self.dock.hide()
            self.toolbar.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.w and event.type() == QEvent.Type.Close:
            # compare mode is not remembered: its panel and toolbar are saved hidden, in their places
            self.dock.hide()
            self.toolbar.hide()
        return False

    def set_normalization(self, name: str) -> None:
        """Compare in normalization ``name`` from now on (remembered); recolours at once."""
        if name not in NORMALIZATIONS or name == self.normalization:
            return
        self.normalization = name
        self.w.settings.setValue(COMPARE_NORMALIZATION_KEY, name)
        if self.normalization_box.currentData() != name:
            self.normalization_box.setCurrentIndex(self.normalization_box.findData(name))
        self.refresh()

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
        if self.enabled and not self.differences.placed:
            self.differences.place()
        self.dock.setVisible(self.enabled)
        if self.enabled:
            self.dock.raise_()
        self.toolbar.setVisible(self.enabled)
        if not self.enabled:
            for key in ("compare_wipe", "compare_side"):
                self.w.actions_[key].setChecked(False)
        self._update_actions()
        self.refresh()

    def _update_actions(self) -> None:
        a = self.w.actions_
        for key in ("next_difference", "previous_difference"):
            a[key].setEnabled(self.enabled)
        for key in ("wipe_left", "wipe_right"):
            a[key].setEnabled(self.views.wipe_on)

    def set_wipe(self, on: bool) -> None:
        """A left of a handle, B right of it (turns compare mode on)."""
        if on and not self.enabled:
            self.w.actions_["compare_mode"].setChecked(True)
        self.views.set_wipe(on)
        self._update_actions()
        self._refresh_b()

    def set_side(self, on: bool) -> None:
        """A and B in two linked views (turns compare mode on)."""
        if on and not self.enabled:
            self.w.actions_["compare_mode"].setChecked(True)
        self.views.set_side(on)
        self._refresh_b()

    def step_wipe(self, direction: int) -> None:
        """Move the wipe's handle left (-1) or right (+1)."""
        if self.views.wipe is not None and self.views.wipe_on:
            self.views.wipe.step(direction)

    def step(self, direction: int) -> None:
        """Select the next (+1) or previous (-1) row of the Differences list and jump to it."""
        if self.enabled:
            self.differences.step(direction)

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
            self._b = None
            self.views.set_b(None)
            self.inspect()
            return
        truth, other, truth_shown = self._sides()
        if truth is None or other is None or truth.document is None or other.document is None:
            layer.set_statuses(None)
            self._notes = {}
            self.list.clear()
            self._b = None
            self.views.set_b(None)
            self.inspect()
            self.w.statusBar().showMessage(
                "compare: load a ground truth (Ctrl+G) and show a result on this page", 10000
            )
            return
        # a moved overlay (frame tools) is a new document: compared again
        pair = (truth.id, other.id, id(truth.document), id(other.document), self.normalization)
        if pair == self.pair and self.comparison is not None:
            self._apply(self.comparison, truth_shown)
            return
        ref_doc, res_doc = truth.document, other.document
        page = self.w.state.page
        normalization = self.normalization

        def work(cancel: Any, progress: Any) -> PageComparison:
            ref_page = page_of(ref_doc, page)
            res_page = page_of(res_doc, page)
            return compare_pages(ref_page, res_page, index=page, normalization=normalization)

        def done(pc: PageComparison) -> None:
            self.pair, self.comparison = pair, pc
            _, _, now_truth_shown = self._sides()
            self._apply(pc, now_truth_shown)
            self._tell(truth, other, pc)

        def failed(err: BaseException) -> None:
            self.w.show_message(f"compare: {error_message(err)}", "error")

        self.w.workers.submit(
            work,
            generation=self.w.state.generation,
            kind="compare",
            name="compare",
            on_result=done,
            on_error=failed,
        )

    # -- showing -------------------------------------------------------------------------------
    def _tell(self, truth: Result, other: Result, pc: PageComparison) -> None:
        """Say what makes the figures meaningless or partial: never a silent 0 % or 100 %."""
        size = notes.size_mismatch(truth) or notes.size_mismatch(other)
        if size is not None:
            self.w.show_message(
                f"compare: {size}; is it for another image? Place it with the Frame tools "
                "(the Frame tools panel, or View > Move Overlay: M) and the comparison follows",
                "warning",
            )
            panels = getattr(self.w.dock_context, "panels", {}) if self.w.dock_context else {}
            frame = panels.get("frame")
            if frame is not None:
                from ocrviewer.gui.docks import raise_parent_dock

                raise_parent_dock(frame)
        elif pc.unrelated:
            self.w.show_message(
                f"compare: {other.name} and the ground truth {truth.name} share almost nothing "
                f"({pc.counts()['equal']} equal words, no overlapping boxes); are they for different pages?",
                "warning",
            )
        elif pc.warnings:
            self.w.show_message(f"compare: {other.name}: {pc.warnings[0]}", "warning")
        elif pc.mode != "words" and notes.line_counts(truth, other, self.w.state.page) is not None:
            nr, ns = notes.line_counts(truth, other, self.w.state.page) or (0, 0)
            self.w.show_message(
                f"compare: the ground truth {truth.name} has {nr} lines, {other.name} {ns}: lines were "
                "paired by text; unpaired lines count as missed/extra",
                "warning",
            )

    def _apply(self, pc: PageComparison, truth_shown: bool) -> None:
        side = "reference" if truth_shown else "result"
        self.w.canvas.layers["word"].set_statuses(pc.model_statuses(side))
        self._notes = notes.word_notes(pc, side)
        self.differences.fill(pc, truth_shown)
        self._refresh_b()
        n = pc.counts()
        cer = "n/a" if pc.cer.rate is None else f"{pc.cer.rate * 100:.2f}%"
        wrong, confident = notes.confident_wrong(pc)
        truth = self._sides()[0]
        text = f" · {truth.name} is text only: no boxes" if truth is not None and truth.text_only else ""
        self.w.statusBar().showMessage(
            f"compare ({'truth shown' if truth_shown else 'result shown'}"
            f"{'' if self.normalization == 'exact' else ', ' + self.normalization + ' text'}{text}): CER {cer} · "
            f"{n['substituted']} substituted, {n['missed']} missed, {n['extra']} extra, "
            f"{n['split']} split, {n['merged']} merged · {wrong} of {confident} confident (≥ {CONFIDENT:g}) words wrong",
            15000,
        )
        self.inspect()

    # -- B: the wipe's right side and the view beside --------------------------------------------
    def _partner(self) -> tuple[Result, Result, Result, str] | None:
        """(the truth, A, B, B's side): B is another engine (its "result" side against the truth),
        else the other side of A's comparison."""
        truth, other, truth_shown = self._sides()
        if truth is None or other is None:
            return None
        if truth_shown:
            return truth, truth, other, "result"
        engines = [
            r
            for r in self.w.state.results()
            if r.role != "truth" and r.document is not None and r.id != other.id
        ]
        if engines:
            return truth, other, engines[0], "result"
        return truth, other, truth, "reference"

    def _refresh_b(self) -> None:
        """Make B (in the pool) when the wipe or side by side needs it and it changed."""
        if not (self.enabled and self.views.wanted and self.comparison is not None):
            return
        found = self._partner()
        if found is None:
            return
        truth, a, b, side = found
        pc_a = self.comparison
        assert truth.document is not None and b.document is not None and a.document is not None
        key = (truth.id, b.id, id(truth.document), id(b.document), side, id(pc_a), self.normalization)
        truth_shown = a.id == truth.id
        caption_a = notes.caption(
            a, b if truth_shown else truth, pc_a, "reference" if truth_shown else "result"
        )
        if self._b is not None and self._b[0] == key:
            self.views.set_b(self._b[1], caption_a, self._b[2])
            return
        same = side == "reference" or (self.pair is not None and self.pair[1] == b.id)
        truth_doc, b_doc, page = truth.document, b.document, self.w.state.page
        normalization = self.normalization

        def work(cancel: Any, progress: Any) -> tuple[PageComparison, Any]:
            pc = (
                pc_a
                if same
                else compare_pages(
                    page_of(truth_doc, page), page_of(b_doc, page), index=page, normalization=normalization
                )
            )
            return pc, prepare_layers(b_doc)["word"]

        def done(out: tuple[PageComparison, Any]) -> None:
            pc, layer = out
            sb = SideB(b.name, layer, pc.model_statuses(side), notes.word_notes(pc, side))
            caption_b = notes.caption(b, a if side == "reference" else truth, pc, side)
            self._b = (key, sb, caption_b)
            self.views.set_b(sb, caption_a, caption_b)
            if not same:  # B's own problems (empty, another page...) are said too
                self._tell(truth, b, pc)

        self.w.workers.submit(
            work,
            generation=self.w.state.generation,
            kind="compare-b",
            name="compare B",
            on_result=done,
            on_error=lambda err: self.w.show_message(f"compare: {err}", "error"),
        )

    def inspect(self) -> None:
        """The Inspector shows the selected word's status, the truth's text and the edit distance
        (compare mode on and the comparison made for the result shown), else nothing of compare."""
        panels = getattr(self.w.dock_context, "panels", {}) if self.w.dock_context else {}
        panel = panels.get("inspector")
        if panel is None:
            return
        status = self._selected_status()
        if status is None:
            panel.set_compare(None)
        else:
            panel.set_compare(status.lines(), STATUS_COLORS[status.status])

    def _selected_status(self) -> notes.WordStatus | None:
        ref = self.w.state.selection
        pc = self.comparison
        if not self.enabled or pc is None or self.pair is None or ref is None or ref.level != "word":
            return None
        truth, other, truth_shown = self._sides()
        if truth is None or other is None or truth.document is None or other.document is None:
            return None
        if self.pair != (truth.id, other.id, id(truth.document), id(other.document), self.normalization):
            return None  # a comparison for another pair is on its way
        index = self.w.canvas.layers["word"].data.index_of(ref)
        return notes.word_status(pc, "reference" if truth_shown else "result", index) if index >= 0 else None

    def note(self, index: int) -> str:
        """Tooltip line for word ``index`` of the shown result in compare mode ('' otherwise)."""
        return self._notes.get(index, "") if self.enabled else ""
