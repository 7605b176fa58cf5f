"""A stable window: results and messages never resize the picture; small windows keep the picture first."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.core.loading import load_result
from ocrviewer.gui import recognition_panel as rp
from ocrviewer.resources import samples_dir
from tests.gui.conftest import settled


@pytest.fixture
def landing(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Recognition returns the bundled sample's result, with a long status line."""
    folder = samples_dir()
    loaded = load_result(folder / "receipt.local.json", folder / "receipt.jpg")

    def fake(image, provider, options, settings, cancel, progress, fresh):  # noqa: ANN001, ANN202
        progress(0.5, "recognition: reading lines 1-6 of 27 with a rather long explanation of what happens")
        return rp.RecognitionOutput(loaded, True, "local")

    monkeypatch.setattr(rp, "recognize_and_load", fake)
    return folder / "receipt.jpg"


def make_window(qtbot, settings, size: tuple[int, int]):  # noqa: ANN001, ANN201
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.mark.parametrize("size", [(1400, 900), (1024, 700)])
def test_the_picture_keeps_its_size_when_a_result_lands(qtbot, settings, landing: Path, size) -> None:
    win = make_window(qtbot, settings, size)
    win.files.open_image(str(landing))
    qtbot.waitUntil(lambda: win.canvas.image_item.has_full, timeout=30000)
    panel = win.dock_context.panels["recognition"]
    qtbot.waitUntil(lambda: panel.ready, timeout=30000)
    before = settled(qtbot, lambda: win.canvas.viewport().size())
    assert panel.start("local") or panel.start("tesseract")
    qtbot.waitUntil(lambda: win.state.document is not None and not panel.busy, timeout=30000)
    panel.show_message(
        "A long message about what happened and what to do next, long enough to wrap lines " * 2
    )
    assert settled(qtbot, lambda: win.canvas.viewport().size()) == before


def test_small_window_gives_the_picture_most_of_the_width(qtbot, settings) -> None:
    win = make_window(qtbot, settings, (1024, 700))
    qtbot.waitUntil(lambda: win.canvas.width() >= 0.6 * win.width(), timeout=30000)  # was 0.45


def test_window_fits_the_screen_at_any_scale_factor(qtbot, settings) -> None:
    import os
    import subprocess
    import sys

    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)  # no remembered size: the 1400 x 900 default
    qtbot.addWidget(win)
    area = win.screen().availableGeometry()
    assert win.frameGeometry().width() <= area.width() and win.frameGeometry().height() <= area.height()
    code = (
        "from PySide6.QtCore import QSettings\n"
        "from ocrviewer.gui.app import create_app\n"
        "from ocrviewer.gui.main_window import MainWindow\n"
        "app = create_app()\n"
        f"w = MainWindow(QSettings({str(settings.fileName())!r}, QSettings.Format.IniFormat))\n"
        "w.show()\n"
        "for _ in range(20): app.processEvents()\n"
        "a = w.screen().availableGeometry()\n"
        "print(w.width() <= a.width(), w.height() <= a.height(), a.width())\n"
    )
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    fits_w, fits_h, screen_w = out.stdout.split()
    assert (fits_w, fits_h) == ("True", "True") and int(screen_w) < area.width()


def test_window_moved_to_a_smaller_screen_is_clamped_to_it(settings, tmp_path) -> None:
    import json
    import os
    import subprocess
    import sys

    screens = [
        {"name": "big", "x": 0, "y": 0, "width": 1920, "height": 1080},
        {"name": "small", "x": 1920, "y": 0, "width": 1024, "height": 700},
    ]
    for screen in screens:
        screen.update(logicalDpi=96, logicalBpi=96, dpr=1)
    config = tmp_path / "two-screens.json"
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": screens}))
    code = (
        "from PySide6.QtCore import QSettings\n"
        "from ocrviewer.gui.app import create_app\n"
        "from ocrviewer.gui.main_window import MainWindow\n"
        "app = create_app()\n"
        f"w = MainWindow(QSettings({str(settings.fileName())!r}, QSettings.Format.IniFormat))\n"
        "w.show()\n"
        "for _ in range(20): app.processEvents()\n"
        "print(w.screen().name(), *w.frameGeometry().getRect())\n"
        "w.move(2000, 40)\n"
        "import time\n"
        "end = time.monotonic() + 30\n"
        "while time.monotonic() < end and not (w.screen().name() == 'small' and w.width() <= 1024):\n"
        "    app.processEvents()\n"
        "    time.sleep(0.01)\n"
        "app.processEvents()\n"
        "print(w.screen().name(), *w.frameGeometry().getRect())\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    first, moved = (line.split() for line in out.stdout.splitlines()[-2:])
    assert first[0] == "big" and int(first[3]) > 1024  # the default 1400 x 900 fits the big screen
    name, x, y, w, h = moved[0], *map(int, moved[1:])
    assert name == "small" and w <= 1024 and h <= 700  # fits the small screen once it is there
    assert 1920 <= x and x + w <= 1920 + 1024 and 0 <= y and y + h <= 700


def test_f1_sheet_lists_human_key_names_and_closes_on_esc(qtbot, settings) -> None:
    from PySide6.QtCore import Qt

    win = make_window(qtbot, settings, (1024, 700))
    sheet = win.shortcut_sheet
    win.actions_["shortcuts"].trigger()  # F1
    assert sheet.isVisible()
    rows = dict(sheet.rows)
    assert rows["Open Image"] == "Ctrl+O"
    assert "Pan the picture" in rows
    assert all("Key_" not in k for k in rows.values())
    before = win.canvas.viewport().size()
    qtbot.keyClick(sheet, Qt.Key.Key_Escape)
    assert not sheet.isVisible()
    assert win.canvas.viewport().size() == before  # it floated over the picture


def test_welcome_strip_over_the_sample_until_dismissed(qtbot, settings, text_image, monkeypatch) -> None:
    from ocrviewer import resources
    from ocrviewer.resources import samples_dir

    listed = []  # the samples folder is listed once per window, not on every image opened
    find_sample = resources.find_sample
    monkeypatch.setattr(resources, "find_sample", lambda: listed.append(1) or find_sample())
    win = make_window(qtbot, settings, (1024, 700))
    before = win.canvas.viewport().size()
    win.files.open_image(str(samples_dir() / "receipt.jpg"))
    qtbot.waitUntil(win.welcome.isVisible, timeout=30000)
    assert (
        "sample receipt" in win.welcome.label.text()
        and "open or drop your own image" in win.welcome.label.text()
    )
    assert win.canvas.viewport().size() == before
    win.files.open_image(str(text_image(1)))
    qtbot.waitUntil(lambda: not win.welcome.isVisible(), timeout=30000)
    win.files.open_image(str(samples_dir() / "receipt.jpg"))
    qtbot.waitUntil(win.welcome.isVisible, timeout=30000)
    # another bundled sample is no "sample receipt read offline": no strip over it
    win.files.open_image(str(samples_dir() / "testdata.jpg"))
    qtbot.waitUntil(
        lambda: win.state.image_path.endswith("testdata.jpg") and not win.welcome.isVisible(), timeout=30000
    )
    win.files.open_image(str(samples_dir() / "receipt.jpg"))
    qtbot.waitUntil(win.welcome.isVisible, timeout=30000)
    win.welcome.close_button.click()
    assert not win.welcome.isVisible() and settings.value("welcome/dismissed", type=bool)
    # another file: rewriting the first one while its decode may still map it ends in SIGBUS
    win.files.open_image(str(text_image(1, name="page-again.jpg")))
    win.files.open_image(str(samples_dir() / "receipt.jpg"))
    # the sample shown again (a fixed 100 ms wait passed unchecked whenever the load took longer)
    qtbot.waitUntil(
        lambda: win.state.image_path.endswith("receipt.jpg") and win.canvas.image_item.has_full, timeout=30000
    )
    assert not win.welcome.isVisible()
    assert len(listed) == 1


def _panel_tabs(win):  # noqa: ANN001, ANN202
    """(tab bar, index, name) of each panel tab the window shows."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    bars = win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return [(b, i, b.tabText(i)) for b in bars if b.isVisible() for i in range(b.count())]


def _shown_in_full(bar, index: int) -> bool:  # noqa: ANN001
    """The tab has the room its whole name needs (Qt cuts a squeezed tab's name to "I…")."""
    rect, hint = bar.tabRect(index), bar.tabSizeHint(index)
    return rect.width() >= hint.width() and rect.height() >= hint.height() and bar.rect().contains(rect)


def test_small_window_shows_every_panel_tab_name_in_full_also_after_a_restart(qtbot, settings) -> None:
    win = make_window(qtbot, settings, (1024, 700))
    qtbot.waitUntil(lambda: len(_panel_tabs(win)) >= 5, timeout=30000)  # one tab group: the compact layout
    names = {name for _, _, name in _panel_tabs(win)}
    assert {"Recognition", "Inspector", "Quality", "Check"} <= names
    qtbot.waitUntil(lambda: all(_shown_in_full(b, i) for b, i, _ in _panel_tabs(win)), timeout=30000)
    win.close()  # remembers the layout

    again = make_window(qtbot, settings, (1024, 700))
    qtbot.waitUntil(lambda: {name for _, _, name in _panel_tabs(again)} >= names, timeout=30000)
    qtbot.waitUntil(lambda: all(_shown_in_full(b, i) for b, i, _ in _panel_tabs(again)), timeout=30000)


def test_welcome_strip_goes_once_the_sample_gets_a_second_result(qtbot, settings) -> None:
    from ocrviewer.resources import find_sample

    win = make_window(qtbot, settings, (1024, 700))
    image, response = find_sample()
    win.files.open_image(str(image))
    win.files.open_response(str(response))
    qtbot.waitUntil(lambda: win.state.document is not None and win.welcome.isVisible(), timeout=30000)
    truth = image.with_name("receipt.yandex-raw-frame.json")
    win.files.open_truth(str(truth))  # the user's own work on the sample: a ground truth to compare
    qtbot.waitUntil(lambda: len(win.state.results()) == 2, timeout=30000)
    qtbot.waitUntil(lambda: not win.welcome.isVisible(), timeout=30000)
    assert not settings.value("welcome/dismissed", False, type=bool)  # not dismissed for good


def test_a_layout_saved_on_a_big_screen_fits_a_small_one(settings, tmp_path) -> None:
    """Panels in two columns saved at 1920 x 1080, reopened at 200% on the same monitor (960 x 540 logical,
    offscreen screens of those sizes here): their minimum height, 582 px under X, pushed the status bar
    off the screen. They are put in one tab group, as on a first start in a small window, and it fits."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "from PySide6.QtCore import QSettings\n"
        "from ocrviewer.gui.app import create_app\n"
        "from ocrviewer.gui.main_window import MainWindow\n"
        "app = create_app()\n"
        f"w = MainWindow(QSettings({str(settings.fileName())!r}, QSettings.Format.IniFormat))\n"
        "w.show()\n"
        "w.install_panels()\n"
        "end = time.monotonic() + 30\n"
        "while time.monotonic() < end:\n"
        "    app.processEvents()\n"
        "    time.sleep(0.01)\n"
        "    a = w.screen().availableGeometry()\n"
        "    if sys.argv[1] == 'small' and w.frameGeometry().height() <= a.height():\n"
        "        break\n"
        "a = w.screen().availableGeometry()\n"
        "from PySide6.QtCore import Qt\n"
        "right = any(w.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea for d in w.docks)\n"
        "print(a.width(), a.height(), w.frameGeometry().width(), w.frameGeometry().height(), right)\n"
        "w.close()\n"
    )

    def run(name: str, width: int, height: int) -> list[str]:
        screen = {"name": name, "x": 0, "y": 0, "width": width, "height": height}
        screen.update(logicalDpi=96, logicalBpi=96, dpr=1)
        config = tmp_path / f"{name}.json"
        config.write_text(json.dumps({"windowFrameMargins": False, "screens": [screen]}))
        env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
        out = subprocess.run(
            [sys.executable, "-c", code, name], env=env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    big = run("big", 1920, 1080)
    assert big[-1] == "True" and int(big[3]) <= 1080  # two columns of panels, laid out and saved
    small = run("small", 960, 540)
    assert int(small[2]) <= 960 and int(small[3]) <= 540, small
    assert small[-1] == "False"  # one tab group on the left
