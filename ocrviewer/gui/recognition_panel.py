"""The recognition dock: pick a provider and its options, run it in the background, follow progress.

The run goes through ``ocrviewer.providers.run.recognize_file`` (the same path as
``ocrviewer recognize``: prepare, send, poll, parse once, save the raw response and its sidecar,
cache, place once) in a :class:`~ocrviewer.gui.worker.Worker`; the run's
:class:`~ocrviewer.core.loading.LoadedResult` is handed over as is (never parsed again) and added
to the page as another result, shown unless the user picked or opened another result meanwhile.

Opening another image cancels the run at once (Run works on the new image straight away); a
result for an image no longer shown is dropped by the workers. Errors are shown inline and sent
to ``state.statusMessage``; they never block.

Programmatic start (``view --provider NAME``): :meth:`RecognitionPanel.start`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.core.layers import element_counts
from ocrviewer.core.loading import LoadedResult
from ocrviewer.core.text_rows import InspectorData, prepare_inspector
from ocrviewer.core.workspace import Origin, Result, now
from ocrviewer.errors import (
    AuthError,
    BadResponse,
    Cancelled,
    ProviderError,
    ProviderUnavailable,
    error_message,
)
from ocrviewer.gui.elided_combo import ElidedComboBox
from ocrviewer.gui.overlay import PicturePlan, prepare_layers, prepare_picture
from ocrviewer.gui.settings_keys import PROVIDER_KEY, option_key
from ocrviewer.gui.state import ViewerState
from ocrviewer.gui.theme import set_tone
from ocrviewer.gui.wording import gui_advice
from ocrviewer.gui.worker import Worker, Workers
from ocrviewer.providers.base import (
    DEFAULT_PROVIDER,
    KNOWN_PROVIDERS,
    CancelToken,
    ProgressCallback,
    Provider,
    ProviderOption,
)
from ocrviewer.providers.readiness import ProviderStatus, probe_providers

#: Milliseconds after the panel is built before the providers are first checked (see __init__).
FIRST_PROBE_DELAY_MS = 1000
#: the provider that needs no key and no network
OFFLINE = "local"


@dataclass(frozen=True)
class RecognitionOutput:
    """What a finished run hands to the GUI: the run's result, parsed and placed once."""

    loaded: LoadedResult
    from_cache: bool = False
    provider: str = ""
    options: Mapping[str, Any] | None = None
    #: the overlay's data for ``loaded.document``, made in the worker by :func:`prepare_landing`
    layers: Any = None
    #: the inspector's text and rows for ``loaded.document``, made there too
    inspector: InspectorData | None = None


def prepare_landing(out: RecognitionOutput, plan: PicturePlan | None = None) -> RecognitionOutput:
    """Do in the worker what the GUI thread would otherwise do when the result lands.

    Flattening the placed document for the overlay takes ~20 ms for 10k words, the inspector's
    text and word rows ~40 ms; made here, the GUI thread only takes them over. With ``plan`` (the
    view when the job started) the words' dense picture for that view is made too (~8 ms of the
    first frame that shows them).
    """
    if out.layers is not None:
        return out
    layers = prepare_layers(out.loaded.document)
    prepare_picture(layers["word"], plan)
    return replace(out, layers=layers, inspector=prepare_inspector(out.loaded.document))


#: recognize(image_path, provider, options, settings, cancel, progress, fresh) -> RecognitionOutput
Recognizer = Callable[
    [str, str, Mapping[str, Any], Mapping[str, Any], CancelToken, ProgressCallback, bool], RecognitionOutput
]


def recognize_and_load(
    image_path: str,
    provider: str,
    options: Mapping[str, Any],
    settings: Mapping[str, Any],
    cancel: CancelToken,
    progress: ProgressCallback,
    fresh: bool,
) -> RecognitionOutput:
    """Run ``provider`` on ``image_path`` (from the cache unless ``fresh``); the run places it.

    Runs in a worker thread: it never touches Qt.
    """
    from ocrviewer.providers.run import recognize_file

    outcome = recognize_file(
        image_path,
        provider,
        options=dict(options),
        settings=settings,
        cancel=cancel,
        progress=progress,
        fresh=fresh,
    )
    cancel.raise_if_cancelled()
    return RecognitionOutput(outcome.loaded, outcome.from_cache, provider, dict(options))


def what_to_do(err: BaseException) -> str:
    """A one-line message for an error, with the next step when the error itself lacks one."""
    text = error_message(err)
    if isinstance(err, (AuthError, ProviderUnavailable)):
        return f"{text} (keys and endpoints: Preferences, Ctrl+,)"
    if isinstance(err, (ProviderError, BadResponse)) and "endpoint" in text and "Preferences" not in text:
        return f"{text} (endpoints: Preferences, Ctrl+,)"
    return text


class RecognitionPanel(QWidget):
    """Provider picker, options, Run/Cancel, progress and status."""

    #: emitted after a result was applied to the state (provider name, from_cache)
    recognized = Signal(str, bool)
    #: the user asked to set up the picked provider (the dock installer opens Preferences)
    preferencesRequested = Signal()
    #: the panel wants to be seen (progress and Cancel while a run starts); its dock raises it
    attentionRequested = Signal()

    def __init__(
        self,
        state: ViewerState,
        settings: QSettings,
        provider_settings: Callable[[], Mapping[str, Any]] | None = None,
        recognizer: Recognizer | None = None,
        workers: Workers | None = None,
        parent: QWidget | None = None,
        picture_plan: Callable[[], PicturePlan | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        #: the canvas' view when a run starts (its result's picture is made for it in the worker)
        self.picture_plan = picture_plan or (lambda: None)
        self.settings = settings
        self.provider_settings = provider_settings or (lambda: {})
        self.recognizer: Recognizer = recognizer or recognize_and_load
        #: the window's workers; a panel on its own (tests) gets a pool of its own
        self.runner = workers or Workers(QThreadPool(self), lambda: state.generation, self)
        self.job: Worker | None = None
        self.probe: Worker | None = None
        self._first_probe = QTimer(self)
        self._first_probe.setSingleShot(True)
        self._first_probe.setInterval(FIRST_PROBE_DELAY_MS)
        #: the result shown when the running job started (a different one at landing: the user chose)
        self._shown_at_start: str | None = None
        self._pending_start: str | None = None
        self.providers: dict[str, Provider | None] = {}
        self.reasons: dict[str, str | None] = {}
        self.option_widgets: dict[str, QWidget] = {}
        self.last_dropped = False
        self.elapsed = QElapsedTimer()
        #: the latest progress message; a one-second tick re-shows it with the time elapsed, so
        #: the counter moves even while a service or the engine's detector says nothing new
        self._last_progress = ""
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_progress)

        self.provider_combo = ElidedComboBox()  # a long name is elided, said whole in its tooltip
        self.provider_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        set_tone(self.reason_label, "warning")
        #: says when a remembered provider could not run and the offline engine was picked instead
        self.fallback_label = QLabel()
        self.fallback_label.setWordWrap(True)
        set_tone(self.fallback_label, "muted")
        self.fallback_label.hide()
        self._checked_once = False
        self._falling_back = False
        self.setup_button = QPushButton("Set up in Preferences…")
        self.setup_button.clicked.connect(self.preferencesRequested)
        self.options_form = QFormLayout()
        self.options_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # each name above its field: beside it, "Let Yandex log the request:" read "Let Yandex l"
        self.options_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.fresh_check = QCheckBox("Fresh run (ignore the cache)")
        self.fresh_check.setToolTip(
            "By default a result for the same image, provider and options is reused (no new charge). "
            "Not remembered between sessions."
        )
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Recognize the current image (Ctrl+Enter)")
        self.all_button = QPushButton("All pages")
        self.all_button.setToolTip(
            "Recognize every page of the document that has no result from this provider"
        )
        self.all_button.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running recognition (Esc)")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(10)
        self.status_label = QLabel("Idle")
        self.status_label.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        top = QFormLayout()
        # the name above its chooser: beside it, a 275 px panel cut "Local engine (RapidOCR, o…"
        top.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        top.addRow("Provider:", self.provider_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.fallback_label)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(self.options_form)
        layout.addWidget(self.fresh_check)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.message_label)
        layout.addStretch(1)

        self.run_action = QAction("Run recognition", self)
        self.run_action.setShortcuts(
            [
                QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return),
                QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter),
            ]
        )
        self.run_action.setToolTip(self.run_button.toolTip())  # the toolbar's Recognize: with its key
        self.cancel_action = QAction("Cancel recognition", self, shortcut=QKeySequence(Qt.Key.Key_Escape))
        self.run_all_action = QAction("Recognize All Pages", self)
        self.run_all_action.setStatusTip(
            "Recognize every page of the document (pages done by the provider are skipped)"
        )
        self.run_all_action.triggered.connect(lambda: self.start_all())
        self.all_button.clicked.connect(lambda: self.start_all())
        self._all_source: Any = None
        self.run_action.triggered.connect(lambda: self.start())
        self.cancel_action.triggered.connect(self.cancel)
        self.run_button.clicked.connect(lambda: self.start())
        self.cancel_button.clicked.connect(self.cancel)
        self.provider_combo.currentIndexChanged.connect(self._provider_changed)
        state.imageChanged.connect(self._image_changed)

        # The first check waits a little: importing the HTTP and keyring libraries and asking the
        # keyring hold the GIL in the worker, and would slow the window's first paint. Anything
        # that needs the providers before then (Run, new settings) checks them at once.
        self._first_probe.timeout.connect(self.reload_providers)
        self._first_probe.start()
        self._fill_combo()
        self._set_busy(False)

    # -- providers --------------------------------------------------------------------------
    def reload_providers(self) -> None:
        """(Re)build every provider from the current settings in the background.

        Building a provider may read the keyring (which can be slow or ask to unlock), so it
        never runs on the GUI thread. Until it is done the providers are listed by name.
        """
        self._first_probe.stop()
        settings = dict(self.provider_settings())
        self._fill_combo()
        self.probe = self.runner.submit(
            lambda cancel, progress: probe_providers(settings),
            name="check providers",
            on_result=self._providers_checked,
            on_error=lambda err: self.show_message(f"Could not check the providers: {what_to_do(err)}"),
            on_finished=self._probe_finished,
        )
        self._update_enabled()

    @property
    def ready(self) -> bool:
        """True once the providers have been checked."""
        return self.probe is None and not self._first_probe.isActive()

    def _providers_checked(self, found: dict[str, ProviderStatus]) -> None:
        self.providers = {name: status.provider for name, status in found.items()}
        self.reasons = {name: status.reason for name, status in found.items()}
        self._fill_combo()
        first, self._checked_once = not self._checked_once, True
        if first and self._pending_start is None:
            self._fall_back_if_unusable()

    def _fall_back_if_unusable(self) -> None:
        """A provider remembered from an earlier session that cannot run now (no key, missing
        package) would leave Run greyed out on every start: pick the offline engine for this
        session, keep the remembered choice, and say so."""
        name = self.current_provider()
        reason = self.reasons.get(name or "")
        if (
            not name
            or not reason
            or name == OFFLINE
            or self.reasons.get(OFFLINE)
            or OFFLINE not in self.providers
        ):
            return
        title = getattr(self.providers.get(name), "title", name)
        self._falling_back = True
        try:
            self.select_provider(OFFLINE)
        finally:
            self._falling_back = False
        self.fallback_label.setText(
            f"{title} cannot run ({gui_advice(reason)}); the offline engine is picked for now."
        )
        self.fallback_label.show()

    def _probe_finished(self) -> None:
        self.probe = None
        self._update_enabled()
        pending, self._pending_start = self._pending_start, None
        if pending is not None:
            self.start(pending)

    def _fill_combo(self) -> None:
        wanted = self.current_provider() or str(self.settings.value(PROVIDER_KEY, DEFAULT_PROVIDER))
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        for name in KNOWN_PROVIDERS:
            provider = self.providers.get(name)
            title = getattr(provider, "title", name) if provider else name
            reason = self.reasons.get(name)
            label = f"{title} — unavailable" if reason else title
            self.provider_combo.addItem(label, name)
            i = self.provider_combo.count() - 1
            self.provider_combo.setItemData(
                i, gui_advice(reason) if reason else title, Qt.ItemDataRole.ToolTipRole
            )
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(wanted)))
        self.provider_combo.blockSignals(False)
        self._provider_changed()

    def current_provider(self) -> str | None:
        return self.provider_combo.currentData()

    def select_provider(self, name: str) -> bool:
        index = self.provider_combo.findData(name)
        if index < 0:
            return False
        self.provider_combo.setCurrentIndex(index)
        return True

    def _provider_changed(self) -> None:
        name = self.current_provider()
        if name is None:
            return
        if not self._falling_back:
            self.settings.setValue(PROVIDER_KEY, name)
            self.fallback_label.hide()
        reason = self.reasons.get(name)
        self.reason_label.setText(f"Unavailable: {gui_advice(reason)}" if reason else "")
        self.reason_label.setVisible(bool(reason))
        self.setup_button.setVisible(bool(reason) and name not in ("local", "tesseract"))
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_widgets.clear()
        provider = self.providers.get(name)
        for option in getattr(provider, "options", ()) or ():
            widget = self._option_widget(name, option)
            self.option_widgets[option.name] = widget
            self.options_form.addRow(f"{option.label}:", widget)
            widget.setEnabled(self.job is None)
        # Tab in the order they are shown: the fields made now came last in the chain, after the
        # panels below (the engine's "Minimum line score" was reached after the tab bars)
        chain = [self.provider_combo, self.setup_button, *self.option_widgets.values(), self.fresh_check]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        self._update_enabled()

    def _option_widget(self, provider: str, option: ProviderOption) -> QWidget:
        saved = self.settings.value(option_key(provider, option.name))
        tip = option.help or option.label
        if isinstance(option.default, bool):
            box = QCheckBox(toolTip=tip)
            box.setChecked(str(saved).lower() == "true" if saved is not None else option.default)
            box.toggled.connect(lambda on: self.settings.setValue(option_key(provider, option.name), on))
            return box
        if option.choices:
            combo = QComboBox(toolTip=tip)
            if option.default is None:
                combo.addItem(option.unset, None)
            for choice in option.choices:
                combo.addItem(str(choice), str(choice))
            value = saved if saved is not None else option.default
            combo.setCurrentIndex(max(0, combo.findData(None if value in (None, "") else str(value))))
            combo.currentIndexChanged.connect(
                lambda _i: self.settings.setValue(
                    option_key(provider, option.name), combo.currentData() or ""
                )
            )
            return combo
        edit = QLineEdit(toolTip=tip)
        if option.default is not None:
            edit.setPlaceholderText(str(option.default))
        elif option.help:
            edit.setPlaceholderText(option.help)
        if saved:
            edit.setText(str(saved))
        edit.textChanged.connect(lambda text: self.settings.setValue(option_key(provider, option.name), text))
        return edit

    def options(self) -> dict[str, Any]:
        """The chosen option values; empty fields are left out (the provider's default applies)."""
        out: dict[str, Any] = {}
        for name, widget in self.option_widgets.items():
            if isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                if widget.currentData() is not None:
                    out[name] = widget.currentData()
            elif isinstance(widget, QLineEdit) and widget.text().strip():
                out[name] = widget.text().strip()
        return out

    # -- running ------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while a recognition runs or is about to (waiting for the provider check)."""
        return self.job is not None or self._pending_start is not None

    def start(self, provider: str | None = None) -> bool:
        """Recognize the current image with ``provider`` (default: the one picked). False if it cannot start."""
        if provider is not None and not self.select_provider(provider):
            self.show_message(f"Unknown provider {provider!r}; choose one of: {', '.join(KNOWN_PROVIDERS)}")
            return False
        if self.job is not None:
            self.show_message("A recognition is already running; wait for it or cancel it (Esc).")
            return False
        state = self.state
        if not state.image_path:
            self.show_message("Open an image first (File → Open), then run recognition.")
            return False
        name = self.current_provider()
        if name is None:
            return False
        if self._first_probe.isActive():  # not checked yet: check now
            self.reload_providers()
        if self.probe is not None:  # still checking the providers: run as soon as that is done
            self._pending_start = name
            self._status(f"{name}: checking the provider…")
            return True
        reason = self.reasons.get(name)
        if reason:
            self._status(f"{name}: not run")  # not "checking the provider…" above the reason
            self.show_message(f"{name} cannot run: {reason}")
            return False
        options = self.options()
        settings = dict(self.provider_settings())
        fresh = self.fresh_check.isChecked()
        # a page of a document is rendered by its source (a PDF page at the document's dpi)
        image_path = state.source_page() or state.image_path
        recognizer = self.recognizer
        plan = self.picture_plan()

        def work(cancel: CancelToken, progress: ProgressCallback) -> Any:
            out = recognizer(image_path, name, options, settings, cancel, progress, fresh)
            return prepare_landing(out, plan)

        self.show_message("")
        self.last_dropped = False
        self._shown_at_start = state.result_id
        self.job = self.runner.submit(
            work,
            generation=state.generation,
            name=f"recognize {name}",
            on_started=lambda: self._status(f"{name}: starting…"),
            on_progress=self._progress,
            on_result=self._result,
            on_error=self._error,
            on_finished=self._finished,
        )
        self._set_busy(True)
        self._status(f"{name}: preparing the image…")
        self.elapsed.start()
        self.attentionRequested.emit()  # progress and Cancel in view
        return True

    def start_all(self, provider: str | None = None) -> bool:
        """Recognize every page of the open document, one after another in one worker; each page's
        result lands on its page as it comes. Flipping pages meanwhile is fine; Cancel stops it."""
        state = self.state
        source = state.source
        if source is None or not state.workspace.pages:
            self.show_message(
                "Open a PDF, a multi-page TIFF or a folder first, then recognize all its pages."
            )
            return False
        if provider is not None and not self.select_provider(provider):
            self.show_message(f"Unknown provider {provider!r}; choose one of: {', '.join(KNOWN_PROVIDERS)}")
            return False
        if self.job is not None or self.probe is not None:
            self.show_message("Wait for the running recognition (or cancel it), then try again.")
            return False
        name = self.current_provider()
        reason = self.reasons.get(name or "")
        if name is None or reason:
            self.show_message(f"{name} cannot run: {reason}")
            return False
        done = {
            i
            for i, page in enumerate(state.workspace.pages)
            if any(r.origin.provider == name for r in page.results)
        }
        todo = [(i, source.pages[i]) for i in range(len(source.pages)) if i not in done]
        if not todo:
            self._status(f"{name}: every page has a result already")
            return False
        options, settings = self.options(), dict(self.provider_settings())
        fresh, recognizer = self.fresh_check.isChecked(), self.recognizer

        def work(cancel: CancelToken, progress: ProgressCallback) -> Any:
            failed = 0
            for k, (i, page) in enumerate(todo):
                cancel.raise_if_cancelled()
                progress(k / len(todo), f"{name}: page {i + 1} ({k + 1} of {len(todo)})")
                try:
                    out = recognizer(page, name, options, settings, cancel, lambda f, m: None, fresh)
                except Cancelled:
                    raise
                except AuthError:
                    raise  # every next page would fail the same way
                except Exception as err:  # one page failing, however, does not stop the others
                    failed += 1
                    yield i, None, gui_advice(what_to_do(err))
                    continue
                yield i, out, None
            return len(todo), failed

        self.show_message("")
        self._all_source = source
        self.job = self.runner.submit(
            work,
            name=f"recognize all pages with {name}",
            on_started=lambda: self._status(f"{name}: starting…"),
            on_progress=self._progress,
            on_yielded=self._page_landed,
            on_result=lambda out: self._status(
                f"{name}: {out[0] - out[1]} of {out[0]} pages recognized"
                + (f", {out[1]} failed" if out[1] else "")
            ),
            on_error=self._error,
            on_finished=self._finished,
        )
        self._set_busy(True)
        self.elapsed.start()
        self.attentionRequested.emit()
        return True

    def _page_landed(self, item: tuple[int, RecognitionOutput | None, str | None]) -> None:
        i, out, problem = item
        state = self.state
        if state.source is not self._all_source:
            return  # another document was opened (the job is being cancelled)
        if out is None:
            state.statusMessage.emit(f"page {i + 1}: {problem}")
            return
        origin = Origin("provider", provider=out.provider, options=dict(out.options or {}), time=now())
        name = f"{out.provider}" + (" (cache)" if out.from_cache else "")
        stored = state.workspace.add_result(
            i, Result.from_loaded(out.loaded, origin=origin, name=name), show=False
        )
        if state.workspace.pages[i].shown is None:
            if i == state.page:
                state.show_result(stored.id)
            else:
                state.workspace.show(i, stored.id)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._status("Cancelling…")

    def _progress(self, fraction: float, message: str) -> None:
        if fraction < 0:
            self.progress_bar.setRange(0, 0)
        else:
            self._set_bar(round(1000 * min(1.0, fraction)))
        if message:
            self._last_progress = message
            self._show_progress()

    def _show_progress(self) -> None:
        message = self._last_progress
        if not message or self.job is None:
            return
        seconds = self.elapsed.elapsed() / 1000 if self.elapsed.isValid() else 0.0
        self._status(f"{message} · {seconds:.0f} s" if seconds >= 1 else message)

    def _image_changed(self) -> None:
        """Another image: the run for the old one is cancelled now, Run works on the new one at once."""
        job = self.job
        if job is not None and self._all_source is not None and self.state.source is not self._all_source:
            job.cancel()  # all pages of a document that is no longer open
            self._all_source = None
        if job is not None and self.runner.is_stale(job):
            job.cancel()
            self.job = None
            self.last_dropped = True
            self._set_busy(False)
            self._status("Cancelled: another image was opened")
        elif not self.busy and self.state.image_path:
            self._status("Ready")  # not the last run's "N words", which was about the picture before
        self._update_enabled()

    def _result(self, output: Any) -> None:
        out: RecognitionOutput = output
        state = self.state
        # a result the user opened or picked meanwhile stays on screen; this one is added beside it
        show = state.result_id == self._shown_at_start
        origin = Origin("provider", provider=out.provider, options=dict(out.options or {}), time=now())
        name = f"{out.provider or self.current_provider()}" + (" (cache)" if out.from_cache else "")
        state.add_result(
            out.loaded, origin=origin, name=name, layers=out.layers, inspector=out.inspector, show=show
        )
        words = element_counts(out.loaded.source)["word"]
        where = " (from the cache; tick 'Fresh run' to ask again)" if out.from_cache else ""
        text = f"{out.provider or self.current_provider()}: {words} words{where}"
        if not words:
            text = f"{out.provider or self.current_provider()} found no text on this picture{where}"
        if not show:
            text += "; added to the results (the one you opened stays shown)"
        self._status(text)
        state.statusMessage.emit(text)
        self.recognized.emit(out.provider, out.from_cache)

    def _error(self, err: BaseException) -> None:
        if isinstance(err, Cancelled):
            self._status("Cancelled")
            self.state.statusMessage.emit("Recognition cancelled")
            return
        self._status("Failed")
        self.show_message(what_to_do(err))

    def _finished(self) -> None:
        if self.job is not None and not self.job.done:
            return  # a cancelled run for an earlier image ended; a newer run is going
        self.job = None
        self._all_source = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self._last_progress = ""
            self._tick.start()
        else:
            self._tick.stop()
        self.cancel_button.setEnabled(busy)
        self.cancel_action.setEnabled(busy)
        self.provider_combo.setEnabled(not busy)
        for w in self.option_widgets.values():
            w.setEnabled(not busy)
        if busy:
            self.progress_bar.setRange(0, 0)
            self.progress_bar.show()
        else:
            self._set_bar(0)  # (right after a result landed: the canvas paints in a pass of its own)
        self._update_enabled()

    def _set_bar(self, value: int) -> None:
        """Move the progress bar with a deferred update, never a repaint at once.

        QProgressBar.setValue repaints at once, and a repaint paints the whole window's dirty
        region: the canvas with a new overlay right after a result landed (inside the landing's
        batch of events), or a 100k-word overlay at a progress step of the next run (~70 ms).
        Updates off, it is a normal deferred update and the canvas paints in a pass of its own.
        """
        self.progress_bar.setUpdatesEnabled(False)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(value)
        self.progress_bar.setUpdatesEnabled(True)

    def _update_enabled(self) -> None:
        can = (
            not self.busy
            and self.ready
            and bool(self.state.image_path)
            and not self.reasons.get(self.current_provider() or "")
        )
        self.run_button.setEnabled(can)
        self.run_action.setEnabled(can)
        document = self.state.is_document
        self.all_button.setVisible(document)
        self.all_button.setEnabled(can and document)
        self.run_all_action.setEnabled(can and document)
        if not self.busy and not self.state.image_path:
            self._status("Open an image to recognize it")
        elif not self.busy and self.status_label.text() in ("Idle", "Open an image to recognize it"):
            self._status("Ready")

    # -- messages -----------------------------------------------------------------------------
    def _status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_message(self, text: str) -> None:
        """An inline, non-blocking message (also sent to the status bar); empty hides it."""
        text = gui_advice(text)
        self.message_label.setText(text)
        set_tone(self.message_label, "error")
        self.message_label.setVisible(bool(text))
        if text:
            self.state.statusMessage.emit(text)

    def shutdown(self, wait_ms: int = 1500) -> bool:
        """Cancel the running job and wait briefly (window close)."""
        return self.runner.shutdown(wait_ms)
