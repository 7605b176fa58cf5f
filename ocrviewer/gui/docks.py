"""The viewer's docks: inspector, quality, frame tools and recognition, plus Preferences.

How the main window uses this module (E1)::

    context = DockContext(settings=QSettings(...))          # or DockContext.default()
    docks = install_docks(window, state, context)           # adds the docks and actions to window
    context.actions["find"]                                 # QActions to put in menus (see below)
    context.start_recognition("azure-read")                 # `view --provider NAME`
    context.shutdown()                                      # from closeEvent (also done automatically)

``install_docks`` adds every dock to ``window`` (a QMainWindow) and adds its actions to the
window so their shortcuts work without menus. Actions in ``context.actions``:

==================  =====================  ==============================================
key                 shortcut               what
==================  =====================  ==============================================
find                Ctrl+F                 focus the inspector's search box
find_next           F3 (Enter in the box)  select the next search match
find_previous       Shift+F3               select the previous match
run_recognition     Ctrl+Enter             run the chosen provider on the current image
run_all_pages                              run it on every page of the open document
cancel_recognition  Esc (only while busy)  cancel the running recognition
preferences         Ctrl+,                 open the Preferences dialog
==================  =====================  ==============================================

Docks: Recognition and Frame tools share the left area as tabs (Frame tools comes to the front
when a response's frame is uncertain); Inspector and Quality are on the right. Object names
(``recognitionDock``, ``frameDock``, ``inspectorDock``, ``qualityDock``) let saveState work.

The window's close event is watched: running recognition jobs are cancelled and waited for
briefly, so E1's closeEvent needs nothing (calling ``context.shutdown()`` again is harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QTabBar, QTabWidget, QWidget

from ocrviewer.gui.settings_keys import THEME_KEY
from ocrviewer.gui.state import ViewerState
from ocrviewer.gui.worker import Workers

#: a frame decision less sure than this brings the Frame tools dock to the front
UNSURE_FRAME = 0.6
#: each side panel's width as a share of the window (first start, or when the picture is squeezed)
SIDE_SHARE = 0.25
SIDE_MIN, SIDE_MAX = 275, 340
#: below this share of the window's width the picture counts as squeezed
CANVAS_SHARE = 0.4


def side_width(window_width: int) -> int:
    """The width each side panel gets in a window ``window_width`` pixels wide."""
    return max(SIDE_MIN, min(SIDE_MAX, round(window_width * SIDE_SHARE)))


#: below this window width (first start) every panel shares one side, so the picture comes first
COMPACT_WIDTH = 1200


def compact_docks(window: QMainWindow, docks: list[QDockWidget]) -> None:
    """Put every docked panel in one tab group on the left: at 1024 px the picture then gets
    ~70% of the width instead of a strip between two panels."""
    side = [d for d in docks if not d.isFloating()]
    if len(side) < 2:
        return
    first = side[0]
    for dock in side[1:]:
        if window.dockWidgetArea(dock) != Qt.DockWidgetArea.LeftDockWidgetArea:
            window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        window.tabifyDockWidget(first, dock)
    first.raise_()
    side_tabs_for_crowded_groups(window, docks)


#: a tab group of this many panels gets its tabs down its side: across a side panel's width their
#: names were cut to "I…", "Q…"
CROWDED_TABS = 4


def side_tabs_for_crowded_groups(window: QMainWindow, docks: list[QDockWidget]) -> None:
    """Tabs along the outer edge (full names, read top to bottom) in a side area whose panels share
    one crowded tab group, as in a small window's compact layout or one restored from it."""
    for area, position in (
        (Qt.DockWidgetArea.LeftDockWidgetArea, QTabWidget.TabPosition.West),
        (Qt.DockWidgetArea.RightDockWidgetArea, QTabWidget.TabPosition.East),
    ):
        crowded = any(
            window.dockWidgetArea(d) == area
            and not d.isFloating()
            and len(window.tabifiedDockWidgets(d)) + 1 >= CROWDED_TABS
            for d in docks
        )
        if crowded:
            window.setTabPosition(area, position)


#: shorter tab names for a tab group whose tabs cannot show every full name (the full name stays
#: in the tab's tooltip and the Panels menu): six panels down the side of a 960x540 window (a
#: 1920x1080 screen at 2x) were cut to "Recogni…", "Qu…", "Ch…"
SHORT_TITLES = {"Recognition": "OCR", "Frame tools": "Frame", "Differences": "Diffs", "Inspector": "Inspect"}
_FULL_TITLE = "ocrviewerFullTitle"


def full_title(dock: QDockWidget) -> str:
    """The dock's own name (its title when its tab has room)."""
    return str(dock.property(_FULL_TITLE) or dock.windowTitle())


def _tab_docks(window: QMainWindow, bar: QTabBar) -> list[QDockWidget | None]:
    docks = [d for d in window.findChildren(QDockWidget) if not d.isFloating()]
    return [next((d for d in docks if d.windowTitle() == bar.tabText(i)), None) for i in range(bar.count())]


def fit_tab_titles(window: QMainWindow) -> bool:
    """Give the docks of each tab group that has no room for every full name their short names
    (and the full names back when it has); each tab's tooltip says the full name. True if a
    title changed (the tab bars update on the next layout: call again for the tooltips)."""
    changed = False
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not bar.isVisible() or bar.count() < 2:
            continue
        docks = _tab_docks(window, bar)
        if any(d is None for d in docks):
            continue  # (the bar is not up to date yet)
        vertical = bar.shape() in (
            QTabBar.Shape.RoundedWest,
            QTabBar.Shape.RoundedEast,
            QTabBar.Shape.TriangularWest,
            QTabBar.Shape.TriangularEast,
        )
        fm = bar.fontMetrics()
        needed = 0
        for i, dock in enumerate(docks):
            hint = bar.tabSizeHint(i)
            text = fm.horizontalAdvance(bar.tabText(i))
            needed += (hint.height() if vertical else hint.width()) - text
            needed += fm.horizontalAdvance(full_title(dock))  # type: ignore[arg-type]
        front = next((d for d in docks if d is not None and not d.visibleRegion().isEmpty()), None)
        if front is None:
            continue
        room = front.height() if vertical else front.width()
        crowded = needed > room
        for i, dock in enumerate(docks):
            assert dock is not None
            full = full_title(dock)
            dock.setProperty(_FULL_TITLE, full)
            want = SHORT_TITLES.get(full, full) if crowded else full
            if dock.windowTitle() != want:
                dock.setWindowTitle(want)
                dock.toggleViewAction().setText(full)  # the Panels menu keeps the full names
                changed = True
            elif bar.tabToolTip(i) != full:
                bar.setTabToolTip(i, full)
    for dock in window.findChildren(QDockWidget):  # floated, closed or alone: its own name again
        full = full_title(dock)
        alone = dock.isFloating() or dock.isHidden() or not window.tabifiedDockWidgets(dock)
        if alone and dock.windowTitle() != full:
            dock.setWindowTitle(full)
            changed = True
    return changed


def fit_side_docks(window: QMainWindow, docks: list[QDockWidget], force: bool = False) -> None:
    """Shrink the docked side panels to their share when the picture is squeezed (always if ``force``).

    QMainWindow gives a narrower window's loss to the central widget first, so without this a
    1000 px window showed the picture in a 290 px strip between two full-width panels.
    """
    central = window.centralWidget()
    if not force and (central is None or central.width() >= window.width() * CANVAS_SHARE):
        return
    target = side_width(window.width())
    for area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea):
        side = [d for d in docks if not d.isFloating() and window.dockWidgetArea(d) == area]
        if side and (force or max(d.width() for d in side) > target):
            window.resizeDocks(side, [target] * len(side), Qt.Orientation.Horizontal)


def share_side_heights(window: QMainWindow, docks: list[QDockWidget]) -> None:
    """Share each side's height among its stacked panel groups in proportion to their size hints
    (a tab group: its tallest panel and its tab bar), as a window shown with its panels lays them out.

    For panels added to a window already shown: Qt gives each new one its size hint and the rest to the first.
    """
    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    tab_bar = max((b.sizeHint().height() for b in bars if b.isVisible()), default=0)
    for area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea):
        groups: list[list[QDockWidget]] = []
        for dock in docks:
            if dock.isFloating() or window.dockWidgetArea(dock) != area or any(dock in g for g in groups):
                continue
            groups.append([dock, *(d for d in window.tabifiedDockWidgets(dock) if d in docks)])
        shown = [g for g in ([d for d in g if not d.isHidden()] for g in groups) if g]
        if len(shown) > 1:
            front = [next((d for d in g if not d.visibleRegion().isEmpty()), g[0]) for g in shown]
            hints = [max(d.sizeHint().height() for d in g) + (tab_bar if len(g) > 1 else 0) for g in shown]
            window.resizeDocks(front, hints, Qt.Orientation.Vertical)


@dataclass
class DockContext:
    """What the docks need from the application, and what they hand back to it.

    Inputs: ``settings`` (QSettings for GUI preferences; tests pass an ini file in tmp_path),
    ``credentials`` (ocrviewer.providers.credentials.CredentialStore; None -> a default one),
    ``provider_settings`` (extra non-secret provider settings, e.g. endpoints for tests; they
    override the saved ``providers.json``), ``recognize`` (replaces
    :func:`ocrviewer.gui.recognition_panel.recognize_and_load`, same signature; for tests and demos).
    Outputs, filled by :func:`install_docks`: ``actions`` and the panels.
    """

    settings: QSettings
    credentials: Any = None
    provider_settings: dict[str, Any] = field(default_factory=dict)
    recognize: Callable[..., Any] | None = None
    #: the window's workers (its one thread pool); None: each panel gets its own (tests)
    workers: Workers | None = None
    #: the window's parser process (core.parse_child.ParserProcess): providers parse answers in it
    parser: Any = None
    actions: dict[str, QAction] = field(default_factory=dict)
    panels: dict[str, QWidget] = field(default_factory=dict)
    _shutdown: list[Callable[[int], Any]] = field(default_factory=list)

    @classmethod
    def default(cls) -> DockContext:
        return cls(settings=QSettings("ocrviewer", "ocrviewer"))

    def credential_store(self) -> Any:
        """The CredentialStore the docks use (created on first use)."""
        if self.credentials is None:
            from ocrviewer.providers.credentials import CredentialStore

            self.credentials = CredentialStore()
        return self.credentials

    def settings_for_providers(self) -> dict[str, Any]:
        """Saved provider settings (providers.json) + ``provider_settings`` + the credential store."""
        from ocrviewer.errors import BadInput
        from ocrviewer.providers.settings import CREDENTIALS, PARSER, load_settings

        try:
            merged: dict[str, Any] = dict(load_settings())
        except BadInput:
            merged = {}  # public defaults; the Preferences dialog names the broken file
        merged.update(self.provider_settings)
        merged.setdefault(CREDENTIALS, self.credential_store())
        if self.parser is not None:
            merged.setdefault(PARSER, self.parser)
        return merged

    def start_recognition(self, provider: str | None = None) -> bool:
        """Run recognition on the current image (``view --provider NAME``); False if it cannot start."""
        panel = self.panels.get("recognition")
        return bool(panel is not None and panel.start(provider))  # type: ignore[attr-defined]

    def shutdown(self, wait_ms: int = 1500) -> None:
        """Cancel background work and wait up to ``wait_ms`` for it to stop."""
        for fn in self._shutdown:
            fn(wait_ms)


def raise_parent_dock(widget: QWidget) -> None:
    """Show and bring to the front the dock that holds ``widget`` (e.g. behind a tab), if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    if parent is not None:
        parent.show()
        parent.raise_()


class _CloseWatcher(QObject):
    def __init__(self, context: DockContext, parent: QObject) -> None:
        super().__init__(parent)
        self.context = context

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.context.shutdown()
        return False


def _dock(
    window: QMainWindow, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea, scroll: bool = False
) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # for saveState/restoreState
    if scroll:  # tall panels scroll instead of squeezing their labels
        holder = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        holder.setWidget(widget)
        # narrower than its content, the panel scrolls sideways instead of squeezing the picture
        holder.setMinimumWidth(
            min(SIDE_MIN, widget.minimumSizeHint().width() + holder.verticalScrollBar().sizeHint().width())
        )
        dock.setWidget(holder)
    else:
        # a fixed minimum: a longer status line or result wraps inside the panel instead of
        # widening it (which took the width from the picture while the user looked at it)
        widget.setMinimumWidth(min(SIDE_MIN - 20, widget.minimumSizeHint().width()))
        dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def provider_titles(context: DockContext) -> dict[str, str]:
    """Each provider's title by its key, as the Recognition panel found them (none before it has)."""
    found = getattr(context.panels.get("recognition"), "providers", {}) or {}
    return {name: str(p.title) for name, p in found.items() if getattr(p, "title", None)}


def open_preferences(window: QWidget, context: DockContext) -> QWidget:
    """Show the Preferences dialog (window-modal, not blocking); docks reload when it closes."""
    from ocrviewer.gui.settings_dialog import PreferencesDialog

    dialog = context.panels.get("preferences")
    if dialog is not None and dialog.isVisible():
        dialog.raise_()
        return dialog
    dialog = PreferencesDialog(
        context.settings,
        context.credential_store(),
        context.settings_for_providers,
        parent=window,
        workers=context.workers,
        titles=provider_titles(context),
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def closed(_result: int) -> None:
        set_theme = getattr(window, "set_theme", None)
        if callable(set_theme):
            set_theme(str(context.settings.value(THEME_KEY, "system")))
        for name in ("recognition", "quality"):
            panel = context.panels.get(name)
            reload = getattr(panel, "reload_providers" if name == "recognition" else "reload_settings", None)
            if reload is not None:
                reload()
        context.panels.pop("preferences", None)

    dialog.finished.connect(closed)
    context.panels["preferences"] = dialog
    dialog.open()
    return dialog


def install_docks(
    window: QMainWindow,
    state: ViewerState,
    context: DockContext | None = None,
    far_left: QDockWidget | None = None,
    arrange: bool = True,
) -> list[QDockWidget]:
    """Create the docks for ``state``, add them and their actions to ``window``, return them.

    ``far_left`` and ``arrange``: see :func:`arrange_docks` (not arranged: for a saved layout
    about to be restored, so that Qt builds each tab group once)."""
    from ocrviewer.gui.check_panel import CheckPanel, canvas_crop_source
    from ocrviewer.gui.frame_panel import FramePanel
    from ocrviewer.gui.inspector import InspectorPanel
    from ocrviewer.gui.quality import QualityPanel
    from ocrviewer.gui.recognition_panel import RecognitionPanel

    if context is None:
        context = DockContext.default()
    inspector = InspectorPanel(state, window)
    quality = QualityPanel(state, context.settings, window)
    frame = FramePanel(state, context.settings, window)
    canvas = getattr(window, "canvas", None)
    check = CheckPanel(
        state, canvas_crop_source(canvas) if canvas is not None else None, window, workers=context.workers
    )
    recognition = RecognitionPanel(
        state,
        context.settings,
        provider_settings=context.settings_for_providers,
        recognizer=context.recognize,
        workers=context.workers,
        parent=window,
        picture_plan=canvas.picture_plan if canvas is not None else None,
    )
    context.panels.update(
        inspector=inspector, quality=quality, frame=frame, recognition=recognition, check=check
    )
    context._shutdown.append(recognition.shutdown)
    context.actions.update(
        find=inspector.find_action,
        find_next=inspector.find_next_action,
        find_previous=inspector.find_previous_action,
        run_recognition=recognition.run_action,
        run_all_pages=recognition.run_all_action,
        cancel_recognition=recognition.cancel_action,
        undo_placement=frame.undo_action,
        redo_placement=frame.redo_action,
        next_suspect=check.next_action,
        previous_suspect=check.previous_action,
    )
    left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
    recognition_dock = _dock(window, "Recognition", "recognitionDock", recognition, left)
    frame_dock = _dock(window, "Frame tools", "frameDock", frame, left, scroll=True)
    inspector_dock = _dock(window, "Inspector", "inspectorDock", inspector, right)
    quality_dock = _dock(window, "Quality", "qualityDock", quality, right)
    check_dock = _dock(window, "Check", "checkDock", check, right, scroll=True)
    docks = [
        recognition_dock,
        inspector_dock,
        quality_dock,
        frame_dock,
        check_dock,
    ]
    if arrange:
        arrange_docks(window, docks, far_left)

    def raise_check() -> None:
        if not check_dock.isVisible() or check_dock.visibleRegion().isEmpty():
            check_dock.show()
            check_dock.raise_()

    check.next_action.triggered.connect(raise_check)
    check.previous_action.triggered.connect(raise_check)

    def show_frame_tools_when_unsure() -> None:
        decision = state.decision
        if decision is not None and (decision.confidence < UNSURE_FRAME or getattr(decision, "warnings", ())):
            frame_dock.raise_()

    state.documentChanged.connect(show_frame_tools_when_unsure)
    preferences = QAction("Preferences…", window, shortcut=QKeySequence("Ctrl+,"))
    preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
    preferences.triggered.connect(lambda: open_preferences(window, context))
    recognition.preferencesRequested.connect(preferences.trigger)
    # panels ask to be seen by a signal; the docks (which know them) raise the dock that holds them
    recognition.attentionRequested.connect(lambda: raise_parent_dock(recognition))
    inspector.attentionRequested.connect(lambda: raise_parent_dock(inspector))
    context.actions["preferences"] = preferences
    for action in context.actions.values():
        window.addAction(action)
    watcher = _CloseWatcher(context, window)
    window.installEventFilter(watcher)
    window._ocrviewer_docks_context = context  # type: ignore[attr-defined]  # keeps it alive
    return docks


def arrange_docks(window: QMainWindow, docks: list[QDockWidget], far_left: QDockWidget | None = None) -> None:
    """The first-start layout of the docks install_docks added: Recognition and Frame tools one tab
    group on the left, Inspector above the Quality and Check tab group on the right.

    ``far_left``: a dock on the left that keeps a column of its own at the far left (the Pages
    panel). The left panels go beside it before they become a tab group: splitting a tab group
    took it apart and built it again, and Qt left the old group's bar on the screen."""
    by_name = {d.objectName(): d for d in docks}
    recognition, frame = by_name["recognitionDock"], by_name["frameDock"]
    quality, check = by_name["qualityDock"], by_name["checkDock"]
    if far_left is not None and window.dockWidgetArea(far_left) == Qt.DockWidgetArea.LeftDockWidgetArea:
        window.splitDockWidget(far_left, recognition, Qt.Orientation.Horizontal)
    window.tabifyDockWidget(recognition, frame)
    recognition.raise_()
    window.tabifyDockWidget(quality, check)
    quality.raise_()


def behind_another_tab(widget: QWidget | None) -> bool:
    """True for a widget in a dock tabbed behind another: Qt keeps such a dock "visible" (only moved
    out of sight), so Tab would walk through its every button, with no focus to be seen."""
    while widget is not None:
        if isinstance(widget, QDockWidget):
            return not widget.isFloating() and widget.visibleRegion().isEmpty()
        widget = widget.parentWidget()
    return False
