"""The offscreen Qt platform with a 1920x1080 screen for the benchmarks (the plain one reports 800x800), so
anything sized from the screen, like the main window's preview size, behaves as on a desktop."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

SCREEN_CONFIG = Path(__file__).resolve().parent / "offscreen_screen.json"


@functools.cache
def offscreen_platform(config: Path = SCREEN_CONFIG) -> str:
    """The QT_QPA_PLATFORM value for that screen.

    Qt reads the ``configfile`` argument as Latin-1: in a checkout under a non-ASCII path ("Мои проекты")
    the process aborted with "Could not find platform config file". There the file is copied to the
    temporary folder for as long as this process lives (its children use it too); plain ``offscreen`` when
    even that path is not ASCII.
    """
    path = config
    if not str(path).isascii():
        folder = Path(tempfile.mkdtemp(prefix="ocrviewer-bench-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / config.name
        shutil.copyfile(config, path)
    return f"offscreen:configfile={path}" if str(path).isascii() else "offscreen"
