"""The main window's actions (with shortcuts) and the menus and toolbar built from them."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

Std = QKeySequence.StandardKey

#: key -> (text, shortcuts, checkable, status tip)
SPECS: dict[str, tuple[str, tuple[object, ...], bool, str]] = {
    "open_image": ("&Open Image…", (Std.Open,), False, "Open a JPEG, PNG, TIFF, BMP, WebP or PDF"),
    "open_folder": (
        "Open &Folder…",
        (),
        False,
        "Open a folder of images, or a batch's output folder (its pages listed worst first)",
    ),
    "open_response": ("Open &Response…", ("Ctrl+R",), False, "Place a saved OCR response on the image"),
    "load_truth": (
        "Load as &Ground Truth…",
        ("Ctrl+G",),
        False,
        "Add a response or document as the page's ground truth",
    ),
    "load_truth_folder": (
        "Load Ground Truth &Folder…",
        (),
        False,
        "Add a folder of one .txt per page (page1.txt… or named as the page images) as the document's ground truth",
    ),
    "open_workspace": ("Open &Workspace…", ("Ctrl+Shift+O",), False, "Reopen a saved workspace (offline)"),
    "open_sample": ("Open &Sample", (), False, "Open the bundled sample image and response"),
    "save_workspace": (
        "&Save Workspace…",
        (Std.Save,),
        False,
        "Save the image, its results and corrections as one workspace file",
    ),
    "save_result": (
        "Save &Result…",
        ("Ctrl+Shift+S",),
        False,
        "Save the shown result in the displayed frame",
    ),
    "export_view": ("&Export View…", ("Ctrl+E",), False, "Save the view as PNG or PDF at full resolution"),
    "export_demo": (
        "Export for a S&lide…",
        ("Ctrl+Shift+E",),
        False,
        "A picture for a slide: caption, labels above the boxes, weak words in red, text beside it",
    ),
    "export_report": (
        "Compare and Export Re&port…",
        (),
        False,
        "Score the result against a reference (ground truth or another result) and save one HTML report",
    ),
    "quit": ("&Quit", (Std.Quit, "Ctrl+Q"), False, "Close the viewer"),
    "copy_text": ("&Copy Selected Text", (Std.Copy,), False, "Copy the selected element's text"),
    "zoom_in": ("Zoom &In", (Std.ZoomIn, "Ctrl+="), False, "Zoom in"),
    "zoom_out": ("Zoom &Out", (Std.ZoomOut,), False, "Zoom out"),
    "next_page": ("&Next Page", ("PgDown",), False, "Show the next page of the document"),
    "previous_page": ("&Previous Page", ("PgUp",), False, "Show the previous page of the document"),
    "first_page": ("F&irst Page", ("Home",), False, "Show the first page of the document"),
    "last_page": ("La&st Page", ("End",), False, "Show the last page of the document"),
    "fit": ("&Fit to Window", ("Ctrl+0", "F"), False, "Show the whole image"),
    "actual": ("&Actual Size", ("Ctrl+1",), False, "One image pixel per screen pixel"),
    "layer_block": ("&Blocks", ("1",), True, "Show block outlines"),
    "layer_line": ("&Lines", ("2",), True, "Show line outlines"),
    "layer_word": ("&Words", ("3",), True, "Show word outlines"),
    "layer_table": ("T&ables", ("4",), True, "Show tables and cells"),
    "labels": ("Text La&bels", ("T",), True, "Write the recognised text inside each box"),
    "confidence": ("Colour by &Confidence", ("C",), True, "Colour words from red (unsure) to green"),
    "legend": ("Confidence Le&gend", ("L",), True, "Show the confidence legend"),
    "fit_colours": (
        "&Stretch Colours to the Words",
        ("S",),
        True,
        "Spread red..green over the words' own confidence range, so 0.93 and 0.99 differ",
    ),
    "drag_overlay": ("&Move Overlay", ("M",), True, "Drag to shift the overlay onto the text"),
    "compare_mode": (
        "Compare with Ground &Truth",
        ("D",),
        True,
        "Colour the shown result's words equal / substituted / missed / extra against the page's ground truth",
    ),
    "compare_swap": ("Switch Result/Truth (A/B)", ("B",), False, "Show the ground truth in place, or back"),
    "compare_wipe": (
        "&Wipe A/B",
        ("W",),
        True,
        "Compare mode: left of the handle result A, right of it B (the other engine, else the truth); drag it",
    ),
    "wipe_left": ("Wipe Handle Left", ("[",), False, "Move the wipe handle left"),
    "wipe_right": ("Wipe Handle Right", ("]",), False, "Move the wipe handle right"),
    "compare_side": (
        "Side b&y Side",
        ("V",),
        True,
        "Compare mode: A and B in two linked views (same zoom and scroll), each coloured against the truth",
    ),
    "next_difference": ("Next Difference", (".",), False, "Jump to the next wrong word, worst first"),
    "previous_difference": ("Previous Difference", (",",), False, "Jump to the previous wrong word"),
    "full_screen": ("F&ull Screen", (Std.FullScreen, "F11"), True, "Toggle full screen"),
    "theme_system": ("&System", (), True, "Follow the desktop's light or dark setting"),
    "theme_light": ("&Light", (), True, "Light palette"),
    "theme_dark": ("&Dark", (), True, "Dark palette"),
    "shortcuts": ("&Keyboard Shortcuts", ("F1",), False, "List the keyboard shortcuts"),
    "about": ("&About ocrviewer", (), False, "Version and licence"),
}

#: action -> the style's standard icon (QStyle.StandardPixmap's name), shown in the menus
ICONS = {
    "open_image": "SP_DialogOpenButton",
    "open_response": "SP_FileDialogDetailedView",
    "save_workspace": "SP_DialogSaveButton",
    "export_view": "SP_DriveFDIcon",
}


def _keys(shortcuts: tuple[object, ...]) -> list[QKeySequence]:
    out: list[QKeySequence] = []
    for s in shortcuts:
        if isinstance(s, Std):
            out.extend(k for k in QKeySequence.keyBindings(s) if k not in out)
        else:
            k = QKeySequence(str(s))
            if k not in out:
                out.append(k)
    return out


def create_actions(window: QMainWindow, icons: bool = True) -> dict[str, QAction]:
    """All actions, added to the window so their shortcuts work even with menus hidden; their
    icons too unless ``icons`` is False (a first frame: the menus' icons come with the rest, as
    the style's classes cost ~10 ms to load; see :func:`add_icons`)."""
    actions: dict[str, QAction] = {}
    for key, (text, shortcuts, checkable, tip) in SPECS.items():
        act = QAction(window)  # (QAction(text, window) would set up QIcon, ~1 ms: its overloads take one)
        act.setText(text)
        keys = _keys(shortcuts)
        if keys:
            act.setShortcuts(keys)
            tip = f"{tip} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})"
        act.setStatusTip(tip)
        act.setToolTip(tip)
        act.setCheckable(checkable)
        window.addAction(act)
        actions[key] = act
    group = QActionGroup(window)
    for key in ("theme_system", "theme_light", "theme_dark"):
        group.addAction(actions[key])
    if icons:
        add_icons(window, actions)
    return actions


def add_icons(window: QMainWindow, actions: dict[str, QAction]) -> None:
    """The menus' icons, from the window's style."""
    from PySide6.QtWidgets import QStyle

    style = window.style()
    for key, name in ICONS.items():
        actions[key].setIcon(style.standardIcon(getattr(QStyle.StandardPixmap, name)))


def connect(actions: dict[str, QAction], handlers: dict[str, Callable[..., object]]) -> None:
    for key, fn in handlers.items():
        act = actions[key]
        (act.toggled if act.isCheckable() else act.triggered).connect(fn)


def build_menus(
    window: QMainWindow, actions: dict[str, QAction], extra: dict[str, QAction]
) -> tuple[QMenu, QMenu]:
    """File, View, (docks' Tools) and Help menus; returns (recent menu, panels menu)."""
    bar = window.menuBar()
    a = actions
    file_menu = bar.addMenu("&File")
    file_menu.addActions(
        [
            a["open_image"],
            a["open_folder"],
            a["open_response"],
            a["load_truth"],
            a["load_truth_folder"],
            a["open_workspace"],
        ]
    )
    recent = file_menu.addMenu("Open &Recent")
    file_menu.addAction(a["open_sample"])
    file_menu.addSeparator()
    file_menu.addActions(
        [a["save_workspace"], a["save_result"], a["export_view"], a["export_demo"], a["export_report"]]
    )
    file_menu.addSeparator()
    file_menu.addAction(a["quit"])

    edit = bar.addMenu("&Edit")
    edit.addAction(a["copy_text"])

    view = bar.addMenu("&View")
    view.addActions([a["zoom_in"], a["zoom_out"], a["fit"], a["actual"]])
    view.addSeparator()
    view.addActions([a["next_page"], a["previous_page"], a["first_page"], a["last_page"]])
    view.addSeparator()
    view.addActions([a["layer_block"], a["layer_line"], a["layer_word"], a["layer_table"]])
    view.addSeparator()
    view.addActions([a["labels"], a["confidence"], a["fit_colours"], a["legend"], a["drag_overlay"]])
    view.addActions([a["compare_mode"], a["compare_swap"], a["compare_wipe"], a["compare_side"]])
    view.addActions([a["next_difference"], a["previous_difference"], a["wipe_left"], a["wipe_right"]])
    view.addSeparator()
    theme = view.addMenu("&Theme")
    theme.addActions([a["theme_system"], a["theme_light"], a["theme_dark"]])
    panels = view.addMenu("&Panels")
    view.addAction(a["full_screen"])

    if extra:
        _fill_tools(bar.addMenu("&Tools"), extra)

    help_menu = bar.addMenu("&Help")
    help_menu.addActions([a["shortcuts"], a["about"]])
    return recent, panels


#: the Tools menu's order (None: a separator); the docks' other actions follow
TOOLS_ORDER = (
    *("find", "find_next", "find_previous", None),
    *("run_recognition", "cancel_recognition", None, "preferences"),
)


def _fill_tools(tools: QMenu, extra: dict[str, QAction]) -> None:
    for key in TOOLS_ORDER:
        if key is None:
            tools.addSeparator()
        elif key in extra:
            tools.addAction(extra[key])
    for act in extra.values():
        if act not in tools.actions():
            tools.addAction(act)


def add_panel_actions(window: QMainWindow, toolbar: QToolBar, extra: dict[str, QAction]) -> None:
    """The docks' actions once they exist: the Tools menu (before Help, the last menu) and Run at
    the toolbar, where build_menus/build_toolbar put them when given at once."""
    if not extra:
        return
    bar = window.menuBar()
    menus = bar.actions()
    tools = QMenu("&Tools", bar)
    if menus:
        bar.insertMenu(menus[-1], tools)
    else:
        bar.addMenu(tools)
    _fill_tools(tools, extra)
    if "run_recognition" in extra:
        place_recognize(toolbar, extra["run_recognition"])


def place_recognize(bar: QToolBar, run: QAction) -> None:
    """Recognize goes before the view buttons (beside the result chooser: it makes a result): a
    toolbar overflows from its end, so the view buttons go into » first (at the end, Recognize did
    in a 960 px window)."""
    run.setIconText("Recognize")  # (short: the toolbar fits a 1024 px window)
    anchor = getattr(bar, "recognize_before", None)
    if anchor is None or anchor not in bar.actions():
        bar.addSeparator()
        bar.addAction(run)
        return
    bar.insertAction(anchor, run)
    bar.insertSeparator(anchor)


def build_toolbar(window: QMainWindow, actions: dict[str, QAction], extra: dict[str, QAction]) -> QToolBar:
    bar = QToolBar("Main", window)
    bar.setObjectName("main_toolbar")
    bar.setMovable(False)
    a = actions
    for key, short in (
        ("open_image", "Open"),
        ("open_response", "Response"),
        ("save_workspace", "Save"),
        ("export_view", "Export"),
    ):
        a[key].setIconText(short)
        bar.addAction(a[key])
    bar.addSeparator()
    bar.recognize_before = a["layer_block"]  # type: ignore[attr-defined]  # (place_recognize)
    for key, short in (
        ("layer_block", "Blocks"),
        ("layer_line", "Lines"),
        ("layer_word", "Words"),
        ("layer_table", "Tables"),
        ("labels", "Labels"),
        ("confidence", "Confidence"),
    ):
        a[key].setIconText(short)
        bar.addAction(a[key])
    bar.addSeparator()
    for key, short in (("fit", "Fit"), ("actual", "1:1")):
        a[key].setIconText(short)
        bar.addAction(a[key])
    if "run_recognition" in extra:
        place_recognize(bar, extra["run_recognition"])
    window.addToolBar(bar)
    return bar


def fill_recent_menu(
    menu: QMenu, items: list[str], open_path: Callable[[str], object], clear: Callable[[], object]
) -> None:
    menu.clear()
    for i, path in enumerate(items):
        name = os.path.basename(path)
        act = menu.addAction(f"&{i + 1} {name}" if i < 9 else name)
        act.setToolTip(path)
        act.setStatusTip(path)
        act.triggered.connect(lambda _=False, p=path: open_path(p))
    if items:
        menu.addSeparator()
        menu.addAction("Clear Recent", clear)
    menu.setEnabled(bool(items))
