"""The main window: actions, menus, docks, the canvas and the status bar; the work lives elsewhere."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QSettings,
    QSignalBlocker,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from ocrviewer import __version__
from ocrviewer.errors import OcrViewerError
from ocrviewer.gui import actions as acts
from ocrviewer.gui import settings_keys as keys
from ocrviewer.gui.message_bar import MessageBar
from ocrviewer.gui.overlays import EXTRA_KEYS, ShortcutSheet, WelcomeStrip, shortcut_rows
from ocrviewer.gui.painting import brush_of
from ocrviewer.gui.theme import apply_theme, canvas_background

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QDockWidget

    from ocrviewer.gui.first_frame import FirstFrame, FirstFrameView
    from ocrviewer.gui.image_loader import DecodedImage
    from ocrviewer.gui.state import ViewerState

# Qt classes the window needs only after its first frame (the docks, drops) are imported where
# used: PySide sets up a class, its enums included, on its first use (QUrl alone has five).
# The canvas, the state, files and loading (numpy, Pillow and the core's loading chain: ~0.4 s of
# CPU at start) are imported where the window makes them (_build_core), so a window started with a
# first frame (ocrviewer.gui.first_frame) paints the picture before they load. PySide's `Qt`
# namespace is reached as `QtCore.Qt` where used: importing `Qt` builds all its ~100 enums (~25 ms),
# which the first frame does without (see gui.painting).

#: True once the user closed the welcome strip over the sample
WELCOME_KEY = "welcome/dismissed"
#: panels built later (``install_panels_after_paint``) come at the latest this long after the call
PANELS_LATEST_MS = 1500


class _AfterPaint(QObject):
    """Calls ``done`` on the next event-loop turn after a paint of ``widget`` for which ``ready()``."""

    def __init__(self, widget: QWidget, ready: Any, done: Any) -> None:
        super().__init__(widget)
        self.widget, self.ready, self.done = widget, ready, done
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.widget and event.type() == QEvent.Type.Paint and self.ready():
            self.widget.removeEventFilter(self)
            QTimer.singleShot(0, self.widget, self.done)  # once this paint is on the screen
        return False


class MainWindow(QMainWindow):
    """The viewer's window. Its panels (docks, the Tools menu, Differences) are built at the end of
    the constructor, or with ``panels_later`` when :meth:`install_panels` is called (``run_viewer``
    builds them once the picture and its overlay are painted: the picture comes first at start)."""

    #: the panels exist (docks, dock_context, pages_dock, compare)
    panelsReady = Signal()
    #: the bundled start sample's absolute path once looked up ("" when there is none)
    _sample_image: str | None = None

    def __init__(
        self,
        settings: QSettings,
        state: ViewerState | None = None,
        with_docks: bool = True,
        panels_later: bool = False,
        first_frame: FirstFrame | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        #: save size, position and docks on close (not for a ``view --screenshot`` window)
        self.remember_layout = True
        #: the first frame's view until the canvas replaces it (see finish_start)
        self.start_view: FirstFrameView | None = None
        if first_frame is None:
            self._build_core(state)
        self.setWindowTitle("ocrviewer")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        if first_frame is None:
            self._build_canvas()
        self._shortcut_sheet: ShortcutSheet | None = None  # made on first F1
        self.message_bar = MessageBar(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        if first_frame is None:
            layout.addWidget(self.canvas, 1)
        else:
            from ocrviewer.gui.first_frame import FirstFrameView

            self.start_view = FirstFrameView(first_frame, settings, central)
            layout.addWidget(self.start_view, 1)
            self.welcome = WelcomeStrip(self.start_view.viewport())
            self.welcome.openRequested.connect(lambda: (self.ensure_built(), self.dialogs.choose_image()))
            self.welcome.dismissed.connect(lambda: self.settings.setValue(WELCOME_KEY, True))
            #: what opens the first frame's files in full (start_with), called after its paint
            self._start_then: Any = None
            self._after_first = _AfterPaint(
                self.start_view.viewport(),
                lambda: self._start_then is not None,
                lambda: self.finish_start(self._start_then),
            )
        self.setCentralWidget(central)
        if self.start_view is not None:
            self.set_theme(self._saved_theme(), remember=False)

        self.actions_ = acts.create_actions(self, icons=first_frame is None)
        self.dock_context: Any = None
        self.docks: list[QDockWidget] = []
        self.pages_dock: QDockWidget | None = None
        self.compare: Any = None  # CompareMode, with the panels
        self._with_docks = with_docks
        self._panels_built = False
        self._page_count = 0
        self._fresh_layout = False
        self.recent_menu, self.panels_menu = acts.build_menus(self, self.actions_, {})
        self.toolbar = acts.build_toolbar(self, self.actions_, {})
        self.toolbar.setProperty("toolButtonStyle", "ToolButtonTextOnly")  # (by name: no `Qt`)
        # which result is shown, beside the files it comes from: where a narrow window's toolbar
        # keeps it in sight (the view switches after it go to the overflow arrow first)
        self._chooser_place = self.toolbar.insertSeparator(self.actions_["layer_block"])
        self.toolbar.insertWidget(self._chooser_place, QLabel("Result:", self))
        self._build_status_bar()
        self._restore_checks()
        if first_frame is None:
            self._finish_core()
        self._restore_geometry()
        if not panels_later and first_frame is None:
            self.install_panels()

    # -- construction --------------------------------------------------------------------------
    def _build_core(self, state: ViewerState | None) -> None:
        """The state, the thread pool, the parser process, the image loader and the file controller."""
        from ocrviewer.core.parse_child import SMALL_RESPONSE_BYTES, ParserProcess
        from ocrviewer.gui.files import FileController, RecentFiles
        from ocrviewer.gui.image_loader import ImageLoader
        from ocrviewer.gui.state import ViewerState
        from ocrviewer.gui.worker import Workers

        self.state = state or ViewerState(self)
        #: the window's one thread pool; every background job runs in it through ``workers``
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
        self.workers = Workers(self.pool, lambda: self.state.generation, self)
        #: responses are parsed in this child process, so parsing never holds this process' GIL
        self.parser = ParserProcess(min_bytes=SMALL_RESPONSE_BYTES)
        self.loader = ImageLoader(self.workers, self)
        self.recent = RecentFiles(self.settings, self)
        self.files = FileController(
            self.state, self.loader, self.workers, self.recent, self._preview_side, self
        )
        self.files.parser = self.parser

    def _build_canvas(self) -> None:
        """The canvas (in the central widget once laid out), its welcome strip, the file dialogs."""
        from ocrviewer.gui.canvas import Canvas
        from ocrviewer.gui.files import FileDialogs

        self.canvas = Canvas(self.state, self)
        self.welcome = WelcomeStrip(self.canvas.viewport())
        self.dialogs = FileDialogs(self)

    def _finish_core(self) -> None:
        """What needs the state, the canvas and the files: the result chooser, the connections, the
        canvas' switches as the actions restored them."""
        from ocrviewer.gui.result_chooser import ResultChooser

        self.result_chooser = ResultChooser(self.state, self)
        self.toolbar.insertWidget(self._chooser_place, self.result_chooser)
        self._connect()
        self._apply_checks()
        self.set_theme(self._saved_theme())
        self._update_recent_menu()
        self._update_enabled()

    def start_with(self, then: Any) -> None:
        """Paint the first frame (its picture decoded for the laid-out view), then build the rest
        and call ``then()`` (which opens what the first frame shows: see :meth:`finish_start`)."""
        assert self.start_view is not None
        self.start_view.show_picture()
        self._update_welcome(self.start_view.first.image_path)  # (placed over the laid-out view)
        self._start_then = then

    def finish_start(self, then: Any) -> None:
        """After the first frame: import and build the state, the canvas and the files, open what
        ``then()`` opens, and put the canvas in the first frame's place once it shows the picture
        with its overlay (or the loading ended without them: its message shows then)."""
        view = self.start_view
        if view is None or getattr(self, "files", None) is not None or not self.isVisible():
            return  # (built already, or closed on its first frame)
        acts.add_icons(self, self.actions_)
        self._build_core(None)
        self._build_canvas()
        self.canvas.hide()
        self.canvas.setGeometry(view.geometry())  # the preview is sized for the view it replaces
        self._finish_core()
        then()

        def swap() -> None:
            if self.start_view is None:
                return
            ready = self.state.document is not None and bool(self.canvas.image_item.levels)
            if not ready and self.files.busy:
                return
            layout = self.centralWidget().layout()
            layout.replaceWidget(self.start_view, self.canvas)
            self.canvas.show()
            self.start_view.hide()
            self.start_view.deleteLater()
            self.start_view = None

        self.loader.decoded.connect(lambda _d: swap())
        self.state.documentChanged.connect(swap)
        # loading ended without both (a failure, another image dropped): the canvas as it is
        self.workers.busyChanged.connect(lambda busy: busy or QTimer.singleShot(0, swap))

    def ensure_built(self) -> None:
        """Build what the first frame left for later now (the user acts on the first frame)."""
        if self.start_view is not None and getattr(self, "files", None) is None:
            self.finish_start(self._start_then or (lambda: None))

    def picture_view(self) -> QWidget:
        """The widget that paints the picture now: the first frame's view at start, then the canvas'."""
        return self.start_view.viewport() if self.start_view is not None else self.canvas.viewport()

    def picture_shown(self) -> bool:
        """The picture view has a picture and its overlay to paint."""
        if self.start_view is not None:
            return self.start_view.picture is not None
        return self.state.document is not None and bool(self.canvas.image_item.levels)

    @property
    def shortcut_sheet(self) -> ShortcutSheet:
        """The F1 sheet over the picture (made when first wanted: it costs ~15 ms at start)."""
        if self._shortcut_sheet is None:
            self._shortcut_sheet = ShortcutSheet(self.canvas.viewport())
        return self._shortcut_sheet

    @property
    def panels_ready(self) -> bool:
        return self._panels_built

    def install_panels(self) -> None:
        """Build the docks, the Pages panel, Differences, the Tools menu and Run, then restore the
        saved dock layout (once; later calls do nothing)."""
        if self._panels_built:
            return
        self._panels_built = True
        from ocrviewer.gui.compare_mode import CompareMode

        window_state = keys.saved_blob(self.settings, keys.WINDOW_STATE_KEY)
        # A window not shown yet lays itself out again whenever a new tab group asks Qt for its tab
        # bar; Qt then gives that group a second bar, drops it and deletes it on a later turn of the
        # event loop (never, for a script that only processes events): a stale bar stacked under
        # the side panels. Held, the layout runs once, on the first show; and a saved layout is
        # restored onto panels not yet in tab groups (else every default group is dropped too).
        layout = self.layout()
        held = not self.isVisible() and layout.isEnabled()
        arranged = not (held and window_state is not None)
        if held:
            layout.setEnabled(False)
        try:
            self.pages_dock = self._install_page_strip()
            self.docks = self._install_docks(arranged) if self._with_docks else []
            self.pages_dock.hide()  # (shown for a document of pages)
            extra = dict(self.dock_context.actions) if self.dock_context is not None else {}
            acts.add_panel_actions(self, self.toolbar, extra)
            for dock in [self.pages_dock, *self.docks]:
                self.panels_menu.addAction(dock.toggleViewAction())
            self.panels_menu.addAction(self.toolbar.toggleViewAction())
            self.compare = CompareMode(self)
            self.panels_menu.addAction(self.compare.dock.toggleViewAction())
            self._watch_tab_titles()
            if window_state is not None and not self.restoreState(window_state):
                window_state = None  # not a layout Qt can read: laid out as on a first start
            if not arranged and window_state is None and self.docks:
                from ocrviewer.gui.docks import arrange_docks

                arrange_docks(self, self.docks, self.pages_dock)
        finally:
            if held:
                layout.setEnabled(True)
                layout.invalidate()
        if window_state is not None and self.dock_context is not None:
            from ocrviewer.gui.docks import side_tabs_for_crowded_groups

            side_tabs_for_crowded_groups(self, self.docks)
        if window_state is not None and self.docks:
            QTimer.singleShot(0, self, self._fit_restored_layout)  # once laid out
        # first start: side panels sized to the window once it is shown, the picture gets the room
        self._fresh_layout = window_state is None
        if self.isVisible() and self._fresh_layout:
            QTimer.singleShot(0, self, self._fit_added_panels)  # once they are laid out
        self._show_pages_dock(self._page_count)
        self._update_enabled()
        self.panelsReady.emit()

    def install_panels_after_paint(self, latest_ms: int = PANELS_LATEST_MS) -> None:
        """Build the panels once the canvas has painted what is being opened (the picture with its
        overlay, or nothing when nothing opens), and at the latest after ``latest_ms``."""
        if self._panels_built:
            return

        def shown() -> bool:
            if not self.files.busy:
                return True
            return self.state.document is not None and bool(self.canvas.image_item.levels)

        def install_if_open() -> None:
            if self.isVisible():  # not for a window closed meanwhile
                self.install_panels()

        self._after_paint = _AfterPaint(self.canvas.viewport(), shown, install_if_open)
        QTimer.singleShot(latest_ms, self, install_if_open)

    def when_panels_ready(self, fn: Any) -> None:
        """Call ``fn`` now if the panels exist, else once they do."""
        if self._panels_built:
            fn()
        else:
            self.panelsReady.connect(fn, QtCore.Qt.ConnectionType.SingleShotConnection)

    def _watch_tab_titles(self) -> None:
        """Short tab names where a tab group has no room for the full ones (docks.fit_tab_titles),
        checked once the layout settles after a resize or a panel moving, showing or hiding."""
        from PySide6.QtWidgets import QDockWidget

        self._tab_titles = QTimer(self, singleShot=True, interval=0)
        self._tab_titles.timeout.connect(self._fit_tab_titles)
        for dock in self.findChildren(QDockWidget):
            for signal in (dock.visibilityChanged, dock.dockLocationChanged, dock.topLevelChanged):
                signal.connect(self._tab_titles.start)
        self._tab_titles.start()

    def _fit_tab_titles(self) -> None:
        from ocrviewer.gui.docks import fit_tab_titles

        if fit_tab_titles(self):
            self._tab_titles.start()  # again once the tab bars show the new names: their tooltips

    def _install_docks(self, arrange: bool = True) -> list[Any]:
        try:
            from ocrviewer.gui import docks
        except ModuleNotFoundError as err:
            if err.name != "ocrviewer.gui.docks":
                raise
            return []
        self.dock_context = docks.DockContext(
            settings=self.settings, workers=self.workers, parser=self.parser
        )
        return list(
            docks.install_docks(
                self, self.state, self.dock_context, far_left=self.pages_dock, arrange=arrange
            )
        )

    def _install_page_strip(self) -> QDockWidget:
        """The Pages panel (left): a document's pages with thumbnails and status; hidden for one image.
        Added before the other panels, which install_docks puts beside it (``far_left``)."""
        from ocrviewer.gui.page_strip import PageStrip

        self.page_strip = PageStrip(self.state, self.files.documents, self.workers, self)
        from PySide6.QtWidgets import QDockWidget

        dock = QDockWidget("Pages", self)
        dock.setObjectName("pagesDock")
        dock.setWidget(self.page_strip)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return dock

    def _show_pages_dock(self, count: int) -> None:
        self._page_count = count
        if self.pages_dock is None:
            return
        if count > 1:
            self.pages_dock.show()
            self.pages_dock.raise_()  # in front when it shares a tab group (a narrow window)
        elif count == 0:  # a lone image (after a PDF, or a layout saved with a PDF open): "0 pages" took room
            self.pages_dock.hide()

    def _build_status_bar(self) -> None:
        from ocrviewer.gui.status_bar import StatusBar

        bar = StatusBar(self)
        self.setStatusBar(bar)
        self.position_label = QLabel("", self)
        self.position_label.setMinimumWidth(300)
        self.zoom_label = QLabel("", self)
        self.count_label = QLabel("", self)
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.position_label)
        bar.addPermanentWidget(self.zoom_label)

    def _connect(self) -> None:
        a, c = self.actions_, self.canvas
        acts.connect(
            a,
            {
                "open_image": self.dialogs.choose_image,
                "open_folder": self.dialogs.choose_folder,
                "next_page": lambda: self.files.documents.step(+1),
                "previous_page": lambda: self.files.documents.step(-1),
                "first_page": self.files.documents.first,
                "last_page": self.files.documents.last,
                "open_response": self.dialogs.choose_response,
                "load_truth": self.dialogs.choose_truth,
                "load_truth_folder": self.dialogs.choose_truth_folder,
                "open_workspace": self.dialogs.choose_workspace,
                "open_sample": self.dialogs.open_sample,
                "save_workspace": self.dialogs.choose_save_workspace,
                "save_result": self.dialogs.choose_save,
                "export_view": self.dialogs.choose_export,
                "export_demo": self.export_demo,
                "export_report": self.export_report,
                "compare_mode": lambda on: self._compare().set_enabled(on),
                "compare_swap": lambda: self._compare().toggle_ab(),
                "compare_wipe": lambda on: self._compare().set_wipe(on),
                "compare_side": lambda on: self._compare().set_side(on),
                "wipe_left": lambda: self._compare().step_wipe(-1),
                "wipe_right": lambda: self._compare().step_wipe(+1),
                "next_difference": lambda: self._compare().step(+1),
                "previous_difference": lambda: self._compare().step(-1),
                "quit": self.close,
                "copy_text": self.copy_text,
                "zoom_in": c.zoom_in,
                "zoom_out": c.zoom_out,
                "fit": c.fit,
                "actual": c.actual_size,
                "layer_block": lambda on: self._set_layer("block", on),
                "layer_line": lambda on: self._set_layer("line", on),
                "layer_word": lambda on: self._set_layer("word", on),
                "layer_table": lambda on: self._set_layer("table", on),
                "labels": lambda on: self._set_pref("labels", on, c.set_labels),
                "confidence": lambda on: self._set_pref("confidence", on, c.set_colour_by_confidence),
                "legend": lambda on: self._set_pref("legend", on, c.set_show_legend),
                "fit_colours": lambda on: self._set_pref("fit_colours", on, c.set_fit_colours),
                "drag_overlay": self.state.set_drag_overlay,
                "full_screen": lambda on: self.showFullScreen() if on else self.showNormal(),
                "theme_system": lambda on: on and self.set_theme("system"),
                "theme_light": lambda on: on and self.set_theme("light"),
                "theme_dark": lambda on: on and self.set_theme("dark"),
                "shortcuts": self.show_shortcuts,
                "about": self.show_about,
            },
        )
        self.state.dragModeChanged.connect(a["drag_overlay"].setChecked)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # follow the desktop when the theme is "system"
            hints.colorSchemeChanged.connect(
                lambda _s: (
                    self.settings.value(keys.THEME_KEY, "system") == "system" and self.set_theme("system")
                )
            )
        self.state.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.state.imageChanged.connect(self._on_image_changed)
        self.state.documentChanged.connect(self._update_counts)
        self.state.thresholdChanged.connect(lambda _v: self._update_counts())
        self.state.belowThresholdChanged.connect(lambda _v: self._update_counts())
        self.loader.decoded.connect(self._on_decoded)
        self.loader.failed.connect(lambda msg: self.show_message(msg, "error"))
        self.files.message.connect(self.show_message)
        self.files.responseLoaded.connect(lambda r: setattr(self, "_placement_notes", tuple(r.warnings)))
        self.state.transformChanged.connect(self._placement_changed)
        self.files.documents.opened.connect(self._show_pages_dock)
        self.state.resultsChanged.connect(lambda: self.welcome.isVisible() and self._update_welcome())
        self.state.imageChanged.connect(lambda: self.state.source is None and self._show_pages_dock(0))
        self.recent.changed.connect(self._update_recent_menu)
        self.welcome.openRequested.connect(self.dialogs.choose_image)
        self.welcome.dismissed.connect(lambda: self.settings.setValue(WELCOME_KEY, True))
        c.cursorMoved.connect(self._on_cursor)
        c.cursorLeft.connect(lambda: self.position_label.setText(""))
        from ocrviewer.core.status_text import zoom_text

        c.zoomChanged.connect(lambda z: self.zoom_label.setText(zoom_text(z)))

    def _restore_checks(self) -> None:
        """Tick the actions (layers, view switches, theme) as the settings say."""
        s = self.settings
        for name, default in (("block", False), ("line", False), ("word", True), ("table", True)):
            self.actions_[f"layer_{name}"].setChecked(s.value(keys.layer_key(name), default, type=bool))
        for key, default in (
            ("labels", False),
            ("confidence", True),
            ("legend", True),
            ("fit_colours", True),
        ):
            self.actions_[key].setChecked(s.value(keys.view_key(key), default, type=bool))
        self.actions_.get(f"theme_{self._saved_theme()}", self.actions_["theme_system"]).setChecked(True)

    def _saved_theme(self) -> str:
        return str(self.settings.value(keys.THEME_KEY, "system"))

    def _apply_checks(self) -> None:
        """The canvas shows what the actions say."""
        for name in ("block", "line", "word", "table"):
            self.canvas.set_layer_visible(name, self.actions_[f"layer_{name}"].isChecked())
        self.canvas.set_fit_colours(self.actions_["fit_colours"].isChecked())
        self.canvas.set_labels(self.actions_["labels"].isChecked())
        self.canvas.set_colour_by_confidence(self.actions_["confidence"].isChecked())
        self.canvas.set_show_legend(self.actions_["legend"].isChecked())

    def _restore_geometry(self) -> None:
        geometry = keys.saved_blob(self.settings, keys.GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 900)
        self.clamp_to_screen()
        # the saved dock and toolbar layout is restored with the panels (install_panels)

    # -- preferences ---------------------------------------------------------------------------
    def _set_layer(self, name: str, on: bool) -> None:
        self.canvas.set_layer_visible(name, on)
        self.settings.setValue(keys.layer_key(name), on)
        self._update_counts()

    def _set_pref(self, key: str, on: bool, apply: Any) -> None:
        apply(on)
        self.settings.setValue(keys.view_key(key), on)

    def set_theme(self, theme: str, remember: bool = True) -> None:
        """Apply ``theme`` and tick it in View > Theme; ``remember=False`` (``view --theme``) keeps
        the saved preference as it was."""
        app = QApplication.instance()
        first_frame = getattr(self, "canvas", None) is None
        known = None
        if first_frame and theme == "system":  # as the desktop was at the last start (asked again later)
            known = {"dark": True, "light": False}.get(str(self.settings.value(keys.SYSTEM_SCHEME_KEY, "")))
        used = apply_theme(app, theme, known) if isinstance(app, QApplication) else "light"
        if theme == "system" and known is None and used != self.settings.value(keys.SYSTEM_SCHEME_KEY):
            self.settings.setValue(keys.SYSTEM_SCHEME_KEY, used)
        if self.start_view is not None:
            self.start_view.setBackgroundBrush(brush_of(canvas_background(used == "dark")))
        bar = getattr(self, "message_bar", None)
        if bar is not None:
            bar.set_dark(used == "dark")
        if first_frame:
            return  # (see finish_start)
        action = self.actions_.get(f"theme_{theme}")
        if action is not None and not action.isChecked():
            with QSignalBlocker(action):
                action.setChecked(True)
        if remember:
            self.settings.setValue(keys.THEME_KEY, theme)
        self.canvas.setBackgroundBrush(canvas_background(used == "dark"))
        self.canvas.viewport().update()

    # -- files ---------------------------------------------------------------------------------
    def _update_recent_menu(self) -> None:
        acts.fill_recent_menu(self.recent_menu, self.recent.items(), self.files.open_path, self.recent.clear)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        from PySide6.QtCore import QUrl

        from ocrviewer.core.loading import is_response_path

        self.ensure_built()  # (dropped on the first frame)
        urls = event.mimeData().urls()
        paths = [u.toLocalFile() for u in urls if isinstance(u, QUrl) and u.isLocalFile()]
        if urls and not paths:  # a link dragged from a browser: nothing was opened, say so
            name = urls[0].toDisplayString()[:120]
            self.show_message(
                f"{name}: not a file on this computer; save it first, then open or drop it", "error"
            )
            event.acceptProposedAction()
            return
        images = [p for p in paths if os.path.isdir(p) or not is_response_path(p)]
        responses = [p for p in paths if is_response_path(p)]
        if images:
            self.files.open_image(images[0])
        for path in responses:  # each response becomes another result on the page (or a workspace opens)
            self.files.open_path(path)
        event.acceptProposedAction()

    # -- reactions -----------------------------------------------------------------------------
    def show_message(self, text: str, level: str = "info") -> None:
        from ocrviewer.gui.wording import gui_advice  # (its dozen patterns: compiled when needed)

        text = gui_advice(text)
        self.message_bar.show_message(text, level)
        self.statusBar().showMessage(text.splitlines()[0] if text else "", 15000)

    def _on_image_changed(self) -> None:
        path = self.state.image_path
        self._update_welcome()
        self.setWindowTitle(f"{os.path.basename(path)} — ocrviewer" if path else "ocrviewer")
        if self.message_bar.level == "error":
            self.message_bar.dismiss()
        self._update_enabled()

    def _update_welcome(self, path: str | None = None) -> None:
        """The welcome strip shows over the start sample (the receipt its text names) until dismissed once;
        not over the other bundled samples (a Lorem Ipsum page read by Azure is no "sample receipt")."""
        path = path or self.state.image_path
        sample = bool(path) and os.path.abspath(path) == self._start_sample()
        # its text says what is shown ("read offline by the built-in engine"): once a response or a
        # ground truth is added the sample is the user's work, and the strip would cover it
        state = getattr(self, "state", None)  # (none yet over the first frame's start view)
        own = state is None or len(state.results()) <= 1
        if sample and own and not self.settings.value(WELCOME_KEY, False, type=bool):
            self.welcome.show_over()
        else:
            self.welcome.hide()

    def _start_sample(self) -> str:
        """The start sample's absolute path ("" when this build has no readable samples): the
        samples folder is listed the first time it is asked, not on every image opened."""
        if self._sample_image is None:
            from ocrviewer.resources import find_sample

            try:
                self._sample_image = os.path.abspath(find_sample()[0])
            except (OcrViewerError, OSError):  # no (readable) bundled samples in this build
                self._sample_image = ""
        return self._sample_image

    def clamp_to_screen(self) -> None:
        """Keep the whole window on its screen (a saved or default size may not fit at a large
        QT_SCALE_FACTOR or on a smaller monitor)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        w = min(self.width(), area.width() - extra_w)
        h = min(self.height(), area.height() - extra_h)
        if (w, h) != (self.width(), self.height()):
            self.resize(max(200, w), max(200, h))
        frame = self.frameGeometry()
        # inside the screen; when still too big (its minimum size), its top-left corner stays on it
        x = max(area.left(), min(frame.x(), area.right() - frame.width() + 1))
        y = max(area.top(), min(frame.y(), area.bottom() - frame.height() + 1))
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _placement_changed(self) -> None:
        """The user re-placed the overlay: a note about the old placement no longer applies."""
        bar, notes = self.message_bar, getattr(self, "_placement_notes", ())
        if bar.level == "warning" and bar.isVisible() and any(bar.text.startswith(n) for n in notes):
            bar.dismiss()
            self._placement_notes = ()

    def _on_decoded(self, decoded: DecodedImage) -> None:
        self.canvas.set_image(decoded)
        if decoded.final and decoded.note:  # a damaged file: what is shown is not the whole picture
            name = os.path.basename(self.state.image_path or "") or "the image"
            self.show_message(f"{name}: {decoded.note}", "warning")

    def _update_counts(self) -> None:
        from ocrviewer.core.status_text import count_text

        self.count_label.setText(count_text(self.state.document, self.canvas.visible_count("word")))
        self._update_enabled()

    def _update_enabled(self) -> None:
        has_image = self.state.image_path is not None
        pages = len(self.state.workspace.pages) if self.state.source is not None else 0
        for key in ("next_page", "previous_page", "first_page", "last_page"):
            self.actions_[key].setEnabled(pages > 1)
        self.actions_["open_response"].setEnabled(True)
        self.actions_["save_result"].setEnabled(self.state.document is not None)
        self.actions_["save_workspace"].setEnabled(has_image)
        self.actions_["load_truth"].setEnabled(has_image)
        self.actions_["load_truth_folder"].setEnabled(has_image)
        self.actions_["export_view"].setEnabled(has_image)
        self.actions_["export_demo"].setEnabled(has_image)
        self.actions_["export_report"].setEnabled(self.state.document is not None)
        self.actions_["drag_overlay"].setEnabled(self.state.document is not None)

    def _on_cursor(self, x: float, y: float) -> None:
        from ocrviewer.core.status_text import position_text

        self.position_label.setText(position_text(self.state.image_info, x, y))

    def copy_text(self) -> None:
        ref = self.state.selection
        element = self.state.element(ref) if ref is not None else None
        if element is not None:
            QGuiApplication.clipboard().setText(element.text)
            self.statusBar().showMessage(f"copied {element.text[:60]!r}", 5000)

    def _compare(self) -> Any:
        """The compare mode (its panel built now if the panels are still to come)."""
        self.install_panels()
        return self.compare

    def export_report(self) -> None:
        from ocrviewer.gui.compare_report import choose_and_export

        choose_and_export(self)

    def export_demo(self) -> None:
        """File > Export for a Slide: choose the extras, then the file."""
        from ocrviewer.gui.demo_export import DemoExportDialog, export_demo
        from ocrviewer.gui.save_dialog import ask_save_path

        dialog = DemoExportDialog(self)
        if dialog.exec() != DemoExportDialog.DialogCode.Accepted:
            return
        stem = os.path.splitext(os.path.basename(self.state.image_path or "view"))[0]
        folder = os.path.dirname(self.state.image_path or "") or os.path.expanduser("~")
        path, _ = ask_save_path(
            self,
            "Export for a slide",
            os.path.join(folder, f"{stem}.slide.png"),
            ["PNG (*.png)", "PDF (*.pdf)", "JPEG (*.jpg)"],
        )
        if not path:
            return
        try:
            out = export_demo(
                self.canvas, path, dialog.options(), inputs=(self.state.image_path, self.state.response_path)
            )
        except (OcrViewerError, OSError) as err:
            self.show_message(str(err), "error")
            return
        self.show_message(f"Exported {out}", "info")

    def show_shortcuts(self) -> None:
        """F1: the shortcut sheet over the picture (F1 again, Esc or a click closes it)."""
        rows = shortcut_rows(self.findChildren(QAction)) + list(EXTRA_KEYS)
        self.shortcut_sheet.toggle(rows)

    def show_about(self) -> None:
        self.show_message(
            f"ocrviewer {__version__}: OCR polygons drawn exactly on the text as displayed. MIT licence.",
            "info",
        )

    def _preview_side(self, info: Any) -> int:
        from ocrviewer.gui.image_loader import preview_side_for

        return preview_side_for(info, self.canvas.viewport())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None and self.remember_layout and not getattr(self, "_follows_screen", False):
            # moved to another screen (a smaller one, another scale factor): fit that one too
            handle.screenChanged.connect(lambda _screen: QTimer.singleShot(0, self.clamp_to_screen))
            self._follows_screen = True
        self._fit_fresh_layout()

    def _fit_added_panels(self) -> None:
        """Panels added to the shown window: Qt gave each new one its size hint and the rest to the
        first; share each side's height as in a window shown with its panels, then fit the widths."""
        from ocrviewer.gui.docks import share_side_heights

        if self._fresh_layout:
            share_side_heights(self, self.docks)
        self._fit_fresh_layout()

    def _fit_fresh_layout(self) -> None:
        """First start (no saved layout): side panels sized to the shown window, the picture gets the room."""
        if self.docks and self._fresh_layout:
            from ocrviewer.gui.docks import COMPACT_WIDTH, compact_docks, fit_side_docks

            if self.width() < COMPACT_WIDTH:
                compact_docks(self, self.docks)
                if self.remember_layout:  # not for a --screenshot window of a requested size
                    # one tab group needs less room than two columns: clamp again once laid out
                    QTimer.singleShot(0, self.clamp_to_screen)
            fit_side_docks(self, self.docks, force=True)
            self._fit_pages_column()
            self._fresh_layout = False

    def _fit_restored_layout(self) -> None:
        """A layout saved on a bigger screen (or before a bigger scale factor: 200% on a 1080p monitor
        leaves 960 x 540) whose two columns of panels need more room than this screen has: one tab
        group on the left, as a first start in a small window, and the window clamped again."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None or not self.remember_layout or self.isMaximized() or self.isFullScreen():
            return
        area = screen.availableGeometry()
        extra_h = self.frameGeometry().height() - self.height()
        need = self.minimumSizeHint()
        if need.width() <= area.width() and need.height() + extra_h <= area.height():
            return
        from ocrviewer.gui.docks import compact_docks

        compact_docks(self, self.docks)
        QTimer.singleShot(0, self.clamp_to_screen)  # once the tab group is laid out

    def _fit_pages_column(self) -> None:
        """The Pages panel, in its own column at the far left, as wide as its thumbnails and status
        need (a first start with a document: Qt split the left side in two, ~370 px of a 1400 px
        window for 96 px thumbnails)."""
        dock = self.pages_dock
        if dock is None or dock.isHidden() or dock.isFloating() or self.tabifiedDockWidgets(dock):
            return
        width = self.page_strip.preferred_width()
        if dock.width() > width:
            self.resizeDocks([dock], [width], QtCore.Qt.Orientation.Horizontal)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.docks and self.isVisible():
            from ocrviewer.gui.docks import fit_side_docks

            fit_side_docks(self, self.docks)
        if getattr(self, "_tab_titles", None) is not None:
            self._tab_titles.start()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 (Qt's name)
        """Tab and Shift+Tab: past the panels tabbed behind others (none of them is on screen)."""
        from ocrviewer.gui.docks import behind_another_tab

        for _ in range(500):  # (a bound, should a chain have nothing else)
            if not super().focusNextPrevChild(next):
                return False
            if not behind_another_tab(QApplication.focusWidget()):
                return True
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "files", None) is None:  # closed on its first frame: nothing else runs yet
            if self.remember_layout:
                self.settings.setValue(keys.GEOMETRY_KEY, self.saveGeometry())
            super().closeEvent(event)
            return
        if self.remember_layout:
            self.settings.setValue(keys.GEOMETRY_KEY, self.saveGeometry())
            if self._panels_built:  # else the saved layout of the panels stays as it was
                self.settings.setValue(keys.WINDOW_STATE_KEY, self.saveState())
        if self.dock_context is not None:
            self.dock_context.shutdown()
        self.workers.shutdown(3000)
        # workers that just finished (thumbnails, prefetch) have their `finished` queued: deliver it
        # now, while the window's Workers still exist
        QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
        self.files.documents.close()
        if self.parser is not None:
            self.parser.close()
        super().closeEvent(event)
