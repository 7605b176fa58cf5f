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
cancel_recognition  Esc (only while busy)  cancel the running recognition
preferences         Ctrl+,                 open the Preferences dialog
==================  =====================  ==============================================

The window's close event is watched: running recognition jobs are cancelled and waited for
briefly, so E1's closeEvent needs nothing (calling ``context.shutdown()`` again is harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from ocrviewer.gui.state import ViewerState


@dataclass
class DockContext:
    """What the docks need from the application, and what they hand back to it.

    Inputs: ``settings`` (QSettings for GUI preferences; tests pass an ini file in tmp_path),
    ``credentials`` (ocrviewer.providers.credentials.CredentialStore; None -> a default one),
    ``provider_settings`` (extra non-secret provider settings, e.g. endpoints for tests; they
    override the saved ``providers.json``), ``recognize`` (replaces
    ``ocrviewer.providers.run.recognize_file``; for tests and demos).
    Outputs, filled by :func:`install_docks`: ``actions`` and the panels.
    """

    settings: QSettings
    credentials: Any = None
    provider_settings: dict[str, Any] = field(default_factory=dict)
    recognize: Callable[..., Any] | None = None
    actions: dict[str, QAction] = field(default_factory=dict)
    panels: dict[str, QWidget] = field(default_factory=dict)
    _shutdown: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def default(cls) -> DockContext:
        return cls(settings=QSettings("ocrviewer", "ocrviewer"))

    def start_recognition(self, provider: str | None = None) -> bool:
        """Run recognition on the current image (``view --provider NAME``); False if it cannot start."""
        panel = self.panels.get("recognition")
        return bool(panel is not None and panel.start(provider))  # type: ignore[attr-defined]

    def shutdown(self, wait_ms: int = 1500) -> None:
        """Cancel background work and wait up to ``wait_ms`` for it to stop."""
        for fn in self._shutdown:
            fn()


class _CloseWatcher(QObject):
    def __init__(self, context: DockContext, parent: QObject) -> None:
        super().__init__(parent)
        self.context = context

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.context.shutdown()
        return False


def _dock(
    window: QMainWindow, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea
) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # for saveState/restoreState
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def install_docks(
    window: QMainWindow, state: ViewerState, context: DockContext | None = None
) -> list[QDockWidget]:
    """Create the docks for ``state``, add them and their actions to ``window``, return them."""
    from ocrviewer.gui.frame_panel import FramePanel
    from ocrviewer.gui.inspector import InspectorPanel
    from ocrviewer.gui.quality import QualityPanel

    if context is None:
        context = DockContext.default()
    inspector = InspectorPanel(state, window)
    quality = QualityPanel(state, context.settings, window)
    frame = FramePanel(state, context.settings, window)
    context.panels.update(inspector=inspector, quality=quality, frame=frame)
    context.actions.update(
        find=inspector.find_action,
        find_next=inspector.find_next_action,
        find_previous=inspector.find_previous_action,
    )
    right = Qt.DockWidgetArea.RightDockWidgetArea
    docks = [
        _dock(window, "Inspector", "inspectorDock", inspector, right),
        _dock(window, "Quality", "qualityDock", quality, right),
        _dock(window, "Frame tools", "frameDock", frame, Qt.DockWidgetArea.LeftDockWidgetArea),
    ]
    for action in context.actions.values():
        window.addAction(action)
    watcher = _CloseWatcher(context, window)
    window.installEventFilter(watcher)
    window._ocrviewer_docks_context = context  # type: ignore[attr-defined]  # keeps it alive
    return docks
