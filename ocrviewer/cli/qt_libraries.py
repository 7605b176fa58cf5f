"""Whether Qt can open a window here, asked before Qt is: a system library its platform plugin needs
and a minimal Linux install lacks (libxcb-cursor0 is not on a stock Ubuntu; Qt 6.5 and newer need it for
X11) made Qt abort the process (exit 134, five lines ending in "Reinstalling the application may fix
this problem"); a library PySide6 itself needs (GLib) made a traceback. Both become one line naming the
package to install. No Qt is imported here: the plugin is loaded as Qt would load it, with dlopen."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

__all__ = [
    "debian_package",
    "missing_library",
    "missing_library_line",
    "notify_desktop",
    "plugin_problem",
    "qt_problem",
]

#: Qt's platform plugin file for each QT_QPA_PLATFORM kind this checks (Qt 6.7+: one Wayland plugin;
#: older ones had a plugin per kind)
PLUGIN_FILES = {
    "xcb": ("libqxcb.so",),
    "wayland": ("libqwayland.so", "libqwayland-generic.so"),
    "wayland-egl": ("libqwayland.so", "libqwayland-egl.so"),
}

#: Debian/Ubuntu packages whose names do not follow from the library's (Debian's policy: libfoo.so.N is
#: in libfooN, libfoo2.so.N in libfoo2-N); Ubuntu 24.04's libglib2.0-0t64 is found by that name too
PACKAGES = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libharfbuzz.so.0": "libharfbuzz0b",
}


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that has the shared library ``soname`` ('libxcb-cursor.so.0' ->
    'libxcb-cursor0', 'libxkbcommon-x11.so.0' -> 'libxkbcommon-x11-0', 'libEGL.so.1' -> 'libegl1')."""
    if soname in PACKAGES:
        return PACKAGES[soname]
    name, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    name = name.lower()
    if not version:
        return name
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


#: a loader's words for a library it could not use, after the library's name
_UNUSABLE = (
    r"([^\s:/]+\.so(?:\.\d+)*): (?:cannot open shared object file|file too short|invalid ELF|wrong ELF class)"
)


def missing_library(error: str) -> str | None:
    """The shared library a loader's error names as missing or unusable ('libxcb-cursor.so.0: cannot
    open shared object file: No such file or directory'; '/usr/lib/.../libglib-2.0.so.0: file too
    short'), or None when the error is about something else (an undefined symbol of a present one)."""
    match = re.search(_UNUSABLE, error)
    return match.group(1) if match else None


def missing_library_line(soname: str, what: str) -> str:
    """One line: what cannot start, the library, and the command that installs it."""
    package = debian_package(soname)
    if Path("/usr/bin/dpkg").exists() or Path("/usr/bin/apt-get").exists():
        how = f"install it: sudo apt-get install {package}"
    else:
        how = f"install your distribution's package that has {soname} (Debian/Ubuntu: {package})"
    return f"{what} needs the system library {soname}, which is not installed; {how}, then start it again"


def _pyside_folder() -> Path | None:
    """PySide6's folder, found, not imported (its import takes ~0.2 s and loads the very libraries
    checked here)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return next((Path(p) for p in spec.submodule_search_locations if (Path(p) / "Qt").is_dir()), None)


def _plugin_folders() -> list[Path]:
    """Where Qt looks for platform plugins: QT_QPA_PLATFORM_PLUGIN_PATH (unless it is the one opencv's
    cv2 sets for its own Qt, which the viewer drops), then PySide6's own folder."""
    folders = []
    given = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if given and "cv2" not in Path(given).parts:
        folders.append(Path(given))
    pyside = _pyside_folder()
    if pyside is not None:
        folders.append(pyside / "Qt" / "plugins" / "platforms")
    return folders


def _unusable(library: Path) -> str | None:
    """The library that keeps ``library`` from loading (a soname), or None when it loads or the error
    names none. What loads stays loaded: Qt loads it next anyway."""
    import _ctypes  # (the C module: ctypes itself costs a few ms to import)

    try:
        _ctypes.dlopen(str(library), os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as err:
        return missing_library(str(err))
    return None


def _supported() -> bool:
    return sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def qt_problem() -> str | None:
    """Why Qt's widgets cannot load here (a system library they need, GLib on a minimal install), as
    one line naming the package to install, or None."""
    pyside = _pyside_folder() if _supported() else None
    widgets = None if pyside is None else pyside / "Qt" / "lib" / "libQt6Widgets.so.6"
    if widgets is None or not widgets.is_file():
        return None
    soname = _unusable(widgets)
    return None if soname is None else missing_library_line(soname, "the viewer (Qt)")


def plugin_problem(kind: str) -> str | None:
    """Why Qt's ``kind`` platform plugin ('xcb', 'wayland') cannot load, as one line naming the package
    to install, or None when it loads (Qt uses the first of its folders' that does) or there is nothing
    to tell: no such plugin file here, an error that names no library."""
    names = PLUGIN_FILES.get(kind, ())
    plugins = [f / n for f in (_plugin_folders() if _supported() else []) for n in names if (f / n).is_file()]
    first = None
    for plugin in plugins:
        soname = _unusable(plugin)
        if soname is None:
            return None
        first = first or soname
    if first is None:
        return None
    display = "X11 (xcb)" if kind == "xcb" else "Wayland"
    return missing_library_line(first, f"Qt's {display} platform plugin")


def notify_desktop(line: str) -> None:
    """Show ``line`` as a desktop notification too when no terminal shows standard error (started from
    the menu or a file manager's "Open with", where a window that never opens said nothing at all).
    notify-send (libnotify-bin, on Ubuntu's and Debian's desktops) where there is one; quietly nothing
    where there is not."""
    import shutil
    import subprocess

    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return
    except (AttributeError, ValueError):
        pass
    tool = shutil.which("notify-send")
    if tool is None:
        return
    try:
        subprocess.run(
            [
                tool,
                "--app-name=OCR Viewer",
                "--icon=io.github.ocrviewer.OcrViewer",
                "OCR Viewer cannot start",
                line,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        pass
