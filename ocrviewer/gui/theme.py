"""Light and dark palettes on the Fusion style; "system" follows the desktop's colour scheme."""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

THEMES = ("system", "light", "dark")
#: set on an application made in the Fusion style from the start (``-style Fusion``, see
#: gui.app.create_app): apply_theme then leaves the style be; setStyle from Python returns the
#: new QStyle, whose wrapping makes PySide set up QStyle's enums (~15 ms) before the first frame
FUSION_PROPERTY = "ocrviewerFusion"

_SHEET = """
QToolBar { spacing: 2px; padding: 3px 6px; border: none; }
QToolBar QToolButton { padding: 3px 3px; border-radius: 5px; border: 1px solid transparent; }
QToolBar QToolButton:hover { border: 1px solid palette(mid); }
QToolBar QToolButton:checked { background: %(checked)s; border: 1px solid %(checked_border)s; }
QStatusBar QLabel { padding: 0 8px; }
QDockWidget::title { padding: 5px 8px; }
QLabel[tone="muted"] { color: %(muted)s; }
QLabel[tone="warning"] { color: %(warning)s; }
QLabel[tone="error"] { color: %(error)s; }
QLabel[tone="ok"] { color: %(ok)s; }
"""

#: a label's text tones (see set_tone), each at least 4.5:1 on its theme's window colour: a fixed
#: red, orange or green was ~3:1 on the dark window, and palette(mid) (a border colour) ~1.5:1 on both
TONES = {
    "light": {"muted": "#5c6069", "warning": "#9a5b00", "error": "#b3261e", "ok": "#1a7340"},
    "dark": {"muted": "#a2a6ad", "warning": "#f0b040", "error": "#ff8a80", "ok": "#6fcf8f"},
}


def set_tone(label: QWidget, tone: str = "") -> None:
    """Show ``label``'s text in a tone of the theme ("muted", "warning", "error", "ok"; "": plain),
    followed when the theme changes."""
    if label.property("tone") == (tone or None):
        return
    label.setProperty("tone", tone or None)
    label.style().unpolish(label)
    label.style().polish(label)


#: the dark theme's check boxes and radio buttons: Fusion draws their edge from the window colour
#: made darker, so on the dark window they were dark on dark (about 1.2:1) and hard to find
_DARK_INDICATORS = """
QCheckBox::indicator, QRadioButton::indicator { width: 13px; height: 13px; border: 1px solid #8b8f97;
    background: #1f2124; }
QCheckBox::indicator { border-radius: 3px; }
QRadioButton::indicator { border-radius: 7px; }
QCheckBox::indicator:hover, QRadioButton::indicator:hover { border-color: #6ea8ff; }
QCheckBox::indicator:checked { background: #3d7eea; border-color: #6ea8ff; image: url("%(check)s"); }
QRadioButton::indicator:checked { border-color: #6ea8ff; background: qradialgradient(cx: 0.5, cy: 0.5,
    radius: 0.5, fx: 0.5, fy: 0.5, stop: 0 #6ea8ff, stop: 0.45 #6ea8ff, stop: 0.55 #1f2124, stop: 1 #1f2124); }
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled { border-color: #55585e; }
QCheckBox::indicator:checked:disabled { background: #45484e; }
"""


#: the dark theme's dock tabs: Fusion fills the selected one with the window colour, darker than the
#: others' edges (#2c2e32 against #282a2d, 1.06:1), so the chosen tab read as the unchosen one. The
#: selected tab is lighter (1.5:1 against the others) with an accent line on the side facing its
#: dock; texts #ffffff on #45494f (8.9:1) and #c4c7cc on #26282b (9.6:1)
_DARK_DOCK_TABS = """
QMainWindow > QTabBar::tab { background: #26282b; color: #c4c7cc; border: 1px solid #3a3d42;
    padding: 4px 10px; }
QMainWindow > QTabBar::tab:hover { background: #303338; }
QMainWindow > QTabBar::tab:selected { background: #45494f; color: #ffffff; }
QMainWindow > QTabBar::tab:selected:bottom { border-top: 2px solid #6ea8ff; }
QMainWindow > QTabBar::tab:selected:top { border-bottom: 2px solid #6ea8ff; }
QMainWindow > QTabBar::tab:selected:left { border-right: 2px solid #6ea8ff; }
QMainWindow > QTabBar::tab:selected:right { border-left: 2px solid #6ea8ff; }
QMainWindow > QTabBar::tab:left, QMainWindow > QTabBar::tab:right { padding: 10px 4px; }
"""


def _dark_indicators() -> str:
    from ocrviewer.resources import resource_path

    return _DARK_INDICATORS % {"check": resource_path("ui", "check-dark.svg").as_posix()} + _DARK_DOCK_TABS


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        window, base, alt, text = "#2b2d31", "#1f2124", "#2a2c30", "#e6e6e6"
        button, mid, disabled, highlight, link = "#33363b", "#45484e", "#7c7f86", "#3d7eea", "#6ea8ff"
        bright = "#ff6b6b"
    else:
        window, base, alt, text = "#f3f4f6", "#ffffff", "#f6f7f9", "#1d1f23"
        button, mid, disabled, highlight, link = "#fbfbfc", "#c9ccd2", "#9a9ea6", "#2f6fde", "#1f5fcc"
        bright = "#d0312d"
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(window))
    p.setColor(role.WindowText, QColor(text))
    p.setColor(role.Base, QColor(base))
    p.setColor(role.AlternateBase, QColor(alt))
    p.setColor(role.ToolTipBase, QColor(base))
    p.setColor(role.ToolTipText, QColor(text))
    p.setColor(role.PlaceholderText, QColor(disabled))
    p.setColor(role.Text, QColor(text))
    p.setColor(role.Button, QColor(button))
    p.setColor(role.ButtonText, QColor(text))
    p.setColor(role.BrightText, QColor(bright))
    p.setColor(role.Mid, QColor(mid))
    p.setColor(role.Dark, QColor(mid).darker(130))
    p.setColor(role.Light, QColor(base))
    p.setColor(role.Highlight, QColor(highlight))
    p.setColor(role.HighlightedText, QColor("#ffffff"))
    p.setColor(role.Link, QColor(link))
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, QColor(disabled))
    return p


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        return hints.colorScheme() == QtCore.Qt.ColorScheme.Dark
    except AttributeError:  # Qt < 6.5
        return False


def apply_theme(app: QApplication, theme: str, system_dark: bool | None = None) -> str:
    """Apply "light", "dark" or "system"; returns the palette actually used ("light" or "dark").
    ``system_dark``: what "system" is, when known already (else the desktop is asked)."""
    if theme not in THEMES:
        theme = "system"
    if theme == "system":
        dark = system_prefers_dark() if system_dark is None else system_dark
    else:
        dark = theme == "dark"
    if not app.property(FUSION_PROPERTY):
        app.setStyle("Fusion")
    app.setPalette(_palette(dark))
    checked = (
        ("rgba(61, 126, 234, 0.30)", "rgba(110, 168, 255, 0.55)")
        if dark
        else (
            "rgba(47, 111, 222, 0.14)",
            "rgba(47, 111, 222, 0.45)",
        )
    )
    sheet = _SHEET % {
        "checked": checked[0],
        "checked_border": checked[1],
        **TONES["dark" if dark else "light"],
    }
    app.setStyleSheet(sheet + _dark_indicators() if dark else sheet)
    return "dark" if dark else "light"


def canvas_background(dark: bool) -> QColor:
    return QColor("#18191b") if dark else QColor("#d9dce1")
