"""A desktop that lacks a system library Qt needs: libxcb-cursor0 is not on a stock Ubuntu and Qt 6.5+ needs it
for X11 (Qt aborted with exit 134 and five lines ending in "Reinstalling the application may fix this
problem"); GLib is not on a minimal Debian (PySide6's import failed with a traceback). Each is one line naming
the package to install. The missing library is made real: a copy of Qt's own xcb plugin whose list of needed
libraries names one that no system has, run under a real X server (Xvfb)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocrviewer.cli.qt_libraries import debian_package, missing_library
from tests.support.cli import one_error_line
from tests.support.images import make_text_image

ROOT = Path(__file__).resolve().parents[2]

linux_x = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("Xvfb"), reason="needs Linux and Xvfb"
)


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
        ("libwayland-cursor.so.0", "libwayland-cursor0"),
    ],
)
def test_a_library_is_named_by_its_debian_package(soname: str, package: str) -> None:
    assert debian_package(soname) == package


def test_the_loaders_words_name_the_missing_library() -> None:
    """What dlopen and Python's import said on this machine with the library absent or emptied."""
    assert missing_library(
        "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
    ) == ("libxcb-cursor.so.0")
    assert missing_library("/lib/x86_64-linux-gnu/libglib-2.0.so.0: file too short") == "libglib-2.0.so.0"
    assert missing_library("/x/libqxcb.so: undefined symbol: xcb_cursor_load_cursor") is None


def _pyside_needing(tmp_path: Path, present: str, absent: str) -> Path:
    """A PySide6 of links to the real one's files, but for Qt's xcb plugin: a copy whose needed library
    ``present`` is renamed ``absent`` (as long). Qt finds its plugins beside its libraries, so every
    plugin it looks at is this one. Returns the folder to put first on PYTHONPATH."""
    import PySide6

    real = Path(PySide6.__file__).parent
    path = ["Qt", "plugins", "platforms", "libqxcb.so"]
    source, target = real, tmp_path / "shadow" / "PySide6"
    for name in path:
        target.mkdir(parents=True)
        for entry in source.iterdir():
            if entry.name != name:
                (target / entry.name).symlink_to(entry)
        source, target = source / name, target / name
    plugin = source.read_bytes()
    assert len(present) == len(absent) and plugin.count(present.encode() + b"\0") == 1
    target.write_bytes(plugin.replace(present.encode() + b"\0", absent.encode() + b"\0"))
    return tmp_path / "shadow"


def _xvfb() -> tuple[subprocess.Popen[bytes], int]:
    number = next(n for n in range(140, 240) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    xvfb = subprocess.Popen(
        ["Xvfb", f":{number}", "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert xvfb.poll() is None, "Xvfb exited"
        assert time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    return xvfb, number


@linux_x
def test_an_x_desktop_without_libxcb_cursor_gets_one_line_naming_the_package(tmp_path: Path) -> None:
    """Before: exit 134 (SIGABRT, a core dump where enabled) and Qt's five lines (checked by hand against
    main with this set-up). A screenshot needs no X
    plugin: it is drawn offscreen."""
    shadow = _pyside_needing(tmp_path, "libxcb-cursor.so.0", "libxcb-nosuch.so.0")
    image = make_text_image(tmp_path / "photo.jpg")
    drop = ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "QT_QPA_PLATFORM_PLUGIN_PATH")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPATH"] = f"{shadow}{os.pathsep}{ROOT}"
    xvfb, number = _xvfb()
    try:
        env["DISPLAY"] = f":{number}"
        command = [sys.executable, "-m", "ocrviewer", "view", str(image)]
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 1, proc.stderr
        one_error_line(
            proc.stderr, "libxcb-nosuch.so.0", "sudo apt-get install libxcb-nosuch0", "--screenshot"
        )
        # from the menu (no terminal: standard error is a pipe here too) the line is a notification as well
        tools = tmp_path / "tools"
        tools.mkdir()
        notify = tools / "notify-send"
        notify.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/notified"\n', encoding="utf-8")
        notify.chmod(0o755)
        env_menu = {**env, "PATH": f"{tools}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"}
        proc = subprocess.run(command, capture_output=True, text=True, env=env_menu, timeout=300)
        assert proc.returncode == 1, proc.stderr
        notified = (tmp_path / "notified").read_text(encoding="utf-8").splitlines()
        assert "OCR Viewer cannot start" in notified
        assert any("sudo apt-get install libxcb-nosuch0" in n for n in notified), notified
        shot = tmp_path / "shot.png"
        proc = subprocess.run(
            [*command, "--screenshot", str(shot), "--size", "640x480"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert shot.is_file() and shot.stat().st_size > 0
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)


@linux_x
def test_qts_own_xcb_plugin_loads_here(tmp_path: Path) -> None:
    """The check does not refuse a working install: the real plugin, a real X server, a window's picture."""
    image = make_text_image(tmp_path / "photo.jpg")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "QT_QPA_PLATFORM_PLUGIN_PATH")
    }
    env["PYTHONPATH"] = str(ROOT)
    xvfb, number = _xvfb()
    try:
        env["DISPLAY"] = f":{number}"
        shot = tmp_path / "shot.png"
        proc = subprocess.run(
            [sys.executable, "-m", "ocrviewer", "view", str(image), "--screenshot", str(shot)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "sudo apt-get" not in proc.stderr
        assert shot.is_file() and shot.stat().st_size > 0
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)
