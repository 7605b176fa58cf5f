"""The viewer as a desktop starts and stops it: `kill` at logout and Ctrl+C in the terminal close the window
(its layout saved), an ASCII-only locale is no reason for four lines of Qt's on standard error, and a home
folder where settings cannot be written is said in the window, not discovered next time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from ocrviewer.cli import main
from ocrviewer.gui.app import settings_unwritable
from tests.gui.test_view_cmd import windows  # noqa: F401 (fixture)
from tests.support.images import make_text_image

ROOT = Path(__file__).resolve().parents[2]

#: runs `ocrviewer view IMAGE` (no --screenshot: the interactive event loop) and, once every panel is built,
#: sends the process the signal named in argv[2], as a logout or Ctrl+C would
_DRIVER = """
import os, signal, sys
from PySide6.QtCore import QTimer
import ocrviewer.gui.main_window as main_window
from ocrviewer.cli import main

class Window(main_window.MainWindow):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        QTimer.singleShot(0, self.signal_when_ready)

    def signal_when_ready(self):
        if self.panels_ready:
            os.kill(os.getpid(), getattr(signal, sys.argv[2]))
        else:
            QTimer.singleShot(50, self.signal_when_ready)

main_window.MainWindow = Window
sys.exit(main(["view", sys.argv[1]]))
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "QT_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        LANG="C.UTF-8",
    )
    env.update(extra)
    return env


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_closes_the_window_and_keeps_its_layout(tmp_path: Path, name: str, code: int) -> None:
    """Python runs a signal handler only between bytecodes, never while Qt's loop waits: `kill PID` (a logout)
    and Ctrl+C left the window open until something else woke the loop, and then ended it with a traceback."""
    image = make_text_image(tmp_path / "photo.jpg")
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(image), name],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=180,
    )
    assert proc.returncode == code, proc.stderr
    assert proc.stderr == ""
    ini = tmp_path / "home" / "config" / "ocrviewer" / "ocrviewer.ini"
    assert ini.is_file(), "the window was not closed: its layout was not saved"
    saved = QSettings(str(ini), QSettings.Format.IniFormat)
    assert saved.value("window/geometry") is not None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX locales")
def test_an_ascii_locale_opens_a_non_ascii_file_name_without_a_word(tmp_path: Path) -> None:
    """LC_ALL=C (a minimal system, a cron job, ssh from a client that sends it): Qt said in four lines that it
    switched to C.UTF-8; the file named in another script opened all the same."""
    folder = tmp_path / "Quittungen für März"
    folder.mkdir()
    image = make_text_image(folder / "reçu été.jpg")
    shot = folder / "vue d'écran.png"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocrviewer",
            "view",
            str(image),
            "--screenshot",
            str(shot),
            "--size",
            "640x480",
        ],
        capture_output=True,
        text=True,
        env=_env(tmp_path, LC_ALL="C", LANG="C"),
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert shot.is_file() and shot.stat().st_size > 0


def test_settings_that_cannot_be_saved_are_said_in_the_window(qapp, windows, tmp_path: Path) -> None:  # noqa: F811
    """A read-only home or an XDG_CONFIG_HOME that is not a folder: the viewer starts, and says so."""
    blocker = tmp_path / "config-is-a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(blocker / "config"))
    image = make_text_image(tmp_path / "photo.jpg")
    assert main(["view", str(image), "--screenshot", str(tmp_path / "shot.png"), "--size", "900x600"]) == 0
    bar = windows[-1].message_bar
    assert "settings will not be saved" in bar.text and "XDG_CONFIG_HOME" in bar.text
    assert bar.level == "warning"


def test_writable_settings_say_nothing(tmp_path: Path) -> None:
    assert (
        settings_unwritable(QSettings(str(tmp_path / "new" / "deeper" / "x.ini"), QSettings.Format.IniFormat))
        is None
    )
    blocked = QSettings(str(tmp_path / "x.ini" / "y" / "z.ini"), QSettings.Format.IniFormat)
    (tmp_path / "x.ini").write_text("", encoding="utf-8")
    assert "not writable" in (settings_unwritable(blocked) or "")
