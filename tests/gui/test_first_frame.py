"""Starting on a picture whose placement is recorded: the first frame shows the picture with its
words before numpy and the window's own modules load; the window then works as ever."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtGui import QTransform

from ocrviewer.gui.app import ViewRequest, open_request
from ocrviewer.gui.first_frame import can_draw, first_frame_for, level_polygons, read_preview
from ocrviewer.gui.main_window import MainWindow
from ocrviewer.gui.settings_keys import view_key
from ocrviewer.resources import samples_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the bundled sample: image, response and its sidecar (the recorded placement)."""
    for name in (
        "receipt.jpg",
        "receipt.local.json",
        "receipt.local.json.ocrviewer.json",
        "receipt.yandex-raw-frame.json",
    ):
        shutil.copy(samples_dir() / name, tmp_path / name)
    return tmp_path / "receipt.jpg", tmp_path / "receipt.local.json"


def start(qtbot, settings: QSettings, image: Path, response: Path) -> MainWindow:
    """A window started as ``ocrviewer view IMAGE -r RESPONSE`` starts it (gui.app.run_viewer)."""
    first = first_frame_for(str(image), str(response))
    assert first is not None
    win = MainWindow(settings, panels_later=True, first_frame=first)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    request = ViewRequest(image=str(image), response=str(response))

    def open_rest() -> None:
        open_request(win, request, parsed=first.source)
        win.install_panels_after_paint()

    win.start_with(open_rest)
    return win


def sample_words(response: Path) -> list[str]:
    data = json.loads(response.read_text())
    return [w["text"] for b in data["pages"][0]["blocks"] for ln in b["lines"] for w in ln["words"]]


def test_the_first_frame_shows_the_sample_words_then_the_canvas_takes_over(qtbot, settings, sample) -> None:
    image, response = sample
    win = start(qtbot, settings, image, response)
    view = win.start_view
    assert view is not None and win.picture_view() is view.viewport() and win.picture_shown()
    outlines = {item.level: item for item in view.scene().items() if hasattr(item, "polys")}
    words = sample_words(response)
    assert len(words) > 20
    assert set(outlines) == {"word"}  # words and tables by default; the sample has no table
    assert len(outlines["word"].polys) == len(words)
    # each view's transform at its first paint (the canvas': before the panels narrow it)
    painted: dict[str, QTransform] = {}

    class Watch(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                if "first" not in painted:
                    painted["first"] = view.transform()
                elif watched is win.canvas.viewport():
                    painted.setdefault("canvas", win.canvas.transform())
            return False

    watch = Watch()
    view.viewport().installEventFilter(watch)
    build = win._build_canvas

    def build_and_watch() -> None:
        build()
        win.canvas.viewport().installEventFilter(watch)

    win._build_canvas = build_and_watch

    qtbot.waitUntil(lambda: win.start_view is None and win.panels_ready, timeout=30000)
    assert win.picture_view() is win.canvas.viewport() and win.canvas.isVisible()
    assert painted["canvas"] == painted["first"]  # the same fit
    assert win.state.document is not None
    assert win.canvas.visible_count("word") == len(words)
    assert win.state.colour_scale == view.scale_  # the same colours
    assert [r.response_path for r in win.state.results()] == [str(response)]
    assert win.result_chooser.currentText()


def test_a_recorded_raw_frame_placement_is_drawn_where_the_canvas_draws_it(qtbot, settings, sample) -> None:
    """A response in the raw (stored) frame of the EXIF-6 photo, its placement recorded: the first
    frame turns the polygons as the window's loading does."""
    from ocrviewer.core.geometry import FrameTransform
    from ocrviewer.core.sidecar import Sidecar, write_sidecar

    image, _ = sample
    response = image.with_name("receipt.yandex-raw-frame.json")
    write_sidecar(response, Sidecar(provider="yandex", transform=FrameTransform(1600.0, 1200.0, 6)))
    win = start(qtbot, settings, image, response)
    words = next(i for i in win.start_view.scene().items() if getattr(i, "level", "") == "word")
    first = sorted(tuple(round(v, 6) for pt in poly for v in pt) for poly, _ in words.polys)
    qtbot.waitUntil(lambda: win.start_view is None and win.panels_ready, timeout=30000)
    layer = win.canvas.layers["word"].data
    placed = sorted(tuple(round(v, 6) for pt in layer.polygon(i) for v in pt) for i in range(len(layer)))
    assert len(first) > 20 and first == placed
    assert max(v for poly in first for v in poly[0::2]) <= 1200  # upright: 1200 wide


def test_actions_work_as_soon_as_the_rest_has_loaded(qtbot, settings, sample) -> None:
    image, response = sample
    win = start(qtbot, settings, image, response)
    qtbot.waitUntil(lambda: getattr(win, "files", None) is not None, timeout=30000)
    # at once, before the canvas has even replaced the first frame: another response, the lines
    win.files.open_response(str(image.with_name("receipt.yandex-raw-frame.json")))
    win.actions_["layer_line"].trigger()
    qtbot.waitUntil(lambda: len(win.state.results()) == 2 and not win.files.busy, timeout=30000)
    qtbot.waitUntil(lambda: win.start_view is None and win.panels_ready, timeout=30000)
    assert win.canvas.layer_visible("line") and settings.value("view/layer_line", type=bool) is True
    assert win.result_chooser.count() == 2
    win.actions_["zoom_in"].trigger()
    assert win.zoom_label.text() != ""
    assert win.dock_context is not None and win.actions_["open_response"].isEnabled()


def test_a_drop_on_the_first_frame_opens_the_dropped_image(qtbot, settings, sample, text_image) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    image, response = sample
    first = first_frame_for(str(image), str(response))
    win = MainWindow(settings, panels_later=True, first_frame=first)
    qtbot.addWidget(win)
    win.show()
    dropped = text_image(1, "dropped.jpg")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(drop)  # before the rest of the window was built
    assert win.state.image_path == str(dropped)
    qtbot.waitUntil(lambda: win.start_view is None and win.canvas.image_item.has_full, timeout=30000)
    assert win.picture_view() is win.canvas.viewport()


def test_closing_on_the_first_frame_keeps_the_window_size(qtbot, settings, sample) -> None:
    first = first_frame_for(*map(str, sample))
    win = MainWindow(settings, panels_later=True, first_frame=first)
    qtbot.addWidget(win)
    win.show()
    win.close()  # before anything else was built
    assert getattr(win, "files", None) is None
    assert settings.value("window/geometry") is not None


def test_no_first_frame_without_a_recorded_placement(sample, tmp_path: Path, settings, text_image) -> None:
    image, response = sample
    assert first_frame_for(str(image), str(response)) is not None
    assert first_frame_for(str(image), str(response), frame="raw") is None  # a forced frame decides
    assert first_frame_for(str(image), None) is None
    # no sidecar: the frame is detected, with numpy, by the window
    assert first_frame_for(str(image), str(image.with_name("receipt.yandex-raw-frame.json"))) is None
    # a sidecar whose placement does not fit this image
    other = text_image(1)
    shutil.copy(response, other.with_name("r.json"))
    shutil.copy(str(response) + ".ocrviewer.json", other.with_name("r.json.ocrviewer.json"))
    assert first_frame_for(str(other), str(other.with_name("r.json"))) is None
    assert can_draw(settings)
    settings.setValue(view_key("labels"), True)  # labels are the canvas' to draw
    assert not can_draw(settings)


@pytest.mark.parametrize("side", [256, 628, 900, 1300])
def test_the_first_frame_picture_is_the_loaders_preview(sample, side: int) -> None:
    """Qt's reduced decode of the sample (EXIF 6) is the loader's preview, pixel for pixel."""
    from ocrviewer.gui.image_loader import _preview

    first = first_frame_for(*map(str, sample))
    ours = read_preview(first, side)
    theirs = _preview(str(sample[0]), side, first.display_size[0], "test").image
    assert ours.size() == theirs.size()
    assert ours == theirs.convertToFormat(ours.format())


def test_the_picture_decoded_ahead_at_start_is_the_one_the_first_frame_decodes(qapp, sample) -> None:
    """run_viewer decodes the first frame's picture on a thread while the window's modules load,
    for the largest view the screen allows: the first frame takes it when its view asks for that
    size (the same pixels it would decode itself), once; for another size it decodes its own."""
    from PySide6.QtGui import QGuiApplication

    from ocrviewer.gui.start_prefetch import (
        StartPrefetch,
        decode_preview,
        first_frame_likely,
        preview_scaled_size,
        preview_side,
    )

    image, response = map(str, sample)
    first = first_frame_for(image, response)
    screen = QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    side = preview_side(first.display_size, (area.width(), area.height()), screen.devicePixelRatio())
    scaled = preview_scaled_size(first.stored_size, side)
    assert scaled is not None and preview_scaled_size(first.stored_size, 256) != scaled
    own = decode_preview(image, scaled)
    assert not own.isNull()

    assert first_frame_likely(image, response)
    assert not first_frame_likely(
        image, str(sample[1].with_name("receipt.yandex-raw-frame.json"))
    )  # no sidecar
    first.prefetch = StartPrefetch()
    first.prefetch.decode_ahead(image)
    assert first.prefetch.preview(str(sample[0].with_name("other.jpg")), scaled) is None
    assert first.prefetch.preview(image, preview_scaled_size(first.stored_size, 256)) is None  # kept
    assert read_preview(first, side) == own  # handed over
    assert first.prefetch.preview(image, scaled) is None  # once: it is not kept twice
    assert read_preview(first, side) == own  # decoded again, the same
    small = read_preview(first, 256)
    assert small.size() != own.size() and small == decode_preview(
        image, preview_scaled_size(first.stored_size, 256)
    )


def test_the_first_frame_overlay_is_the_canvas_overlay_pixel_for_pixel(
    qtbot, settings, sample, monkeypatch
) -> None:
    """Outlines, fills and the legend, without the picture: the first frame's view and the canvas
    that replaces it (same place, same size: the panels are kept away) paint the same pixels."""
    monkeypatch.setattr(MainWindow, "install_panels_after_paint", lambda self, latest_ms=0: None)
    image, response = sample
    settings.setValue("view/layer_line", True)  # lines too, outlined without a fill
    win = start(qtbot, settings, image, response)
    view = win.start_view
    qtbot.waitExposed(win)
    view.picture.hide()
    first = view.viewport().grab().toImage()
    qtbot.waitUntil(lambda: win.start_view is None and not win.files.busy, timeout=30000)
    win.canvas.image_item.hide()
    canvas = win.canvas.viewport().grab().toImage()
    assert canvas.size() == first.size()
    assert canvas == first


def test_level_polygons_are_the_canvas_layers(sample) -> None:
    from ocrviewer.core import layers
    from ocrviewer.gui import first_frame

    assert set(first_frame.LEVELS) == set(layers.LAYERS)
    from ocrviewer.core.layers import build_layers
    from ocrviewer.core.parsers import load_response

    doc = load_response(sample[1])
    mine, theirs = level_polygons(doc), build_layers(doc)
    for level in ("block", "line", "word", "table"):
        assert [p for p, _ in mine[level]] == [theirs[level].polygon(i) for i in range(len(theirs[level]))]


#: the end of every probe script below: its ``Watch`` filters the window's picture view from the
#: window's first show, in place of the probe's own watcher
_WATCH_FROM_SHOW = """
    def show_and_watch(win):
        show(win)
        w = Watch()
        w.win = win
        win.watcher = w
        win.picture_view().installEventFilter(w)

    module.MainWindow.show = show_and_watch

probe.watch_first_paint = watch
sys.exit(probe.main())
"""


def _run_probe(tmp_path: Path, script: str) -> str:
    """Run the cold-start probe (the real ``ocrviewer`` start with the sample, in a process of its
    own) with ``script``'s ``watch`` (and its ``Watch``) in place of the probe's; what it printed."""
    code = (
        f"import sys\nsys.path.insert(0, {str(ROOT / 'benchmarks')!r})\nimport cold_start_probe as probe\n"
        + script
        + _WATCH_FROM_SHOW
    )
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config")
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_ocrviewer_paints_the_sample_before_loading_numpy(tmp_path: Path) -> None:
    """The real command, in its own process: the first painted picture has the sample's words,
    and neither numpy nor Pillow (nor any other library the rest of the window needs) was imported
    for it; then the full window comes."""
    script = """
import os, sys

HEAVY = (
    "ocrviewer.core.compare", "ocrviewer.core.export", "ocrviewer.providers", "ocrviewer.gui.canvas",
    "keyring", "requests", "urllib3", "ssl", "lxml", "pikepdf", "pypdfium2", "rapidfuzz", "orjson",
)

def watch(module):
    from PySide6.QtCore import QEvent, QObject, QTimer
    show = module.MainWindow.show
    seen = []

    class Watch(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not seen and self.win.picture_shown():
                view = self.win.start_view
                items = [i for i in view.scene().items() if getattr(i, "level", "") == "word"]
                strip = self.win.welcome
                placed = strip.isVisible() and strip.width() == min(view.viewport().width() - 24, 720)
                heavy = [m for m in HEAVY if m in sys.modules]
                seen.append((
                    "numpy" in sys.modules, "PIL.Image" in sys.modules, len(items[0].polys), placed,
                    ",".join(heavy) or "-",
                ))
                QTimer.singleShot(0, self.when_built)
            return False

        def when_built(self):
            if self.win.start_view is not None or not self.win.panels_ready:
                QTimer.singleShot(50, self.when_built)
                return
            print(*seen[0], self.win.canvas.visible_count("word"), "numpy" in sys.modules, flush=True)
            os._exit(0)
"""
    numpy_first, pil_first, first_words, welcome_placed, heavy_first, canvas_words, numpy_later = _run_probe(
        tmp_path, script
    ).split()
    # nor the compare, export and provider code, the canvas, HTTP, keyring, the markup and PDF readers
    assert heavy_first == "-"
    assert welcome_placed == "True"  # the welcome strip over the sample, across the laid-out view
    words = len(sample_words(samples_dir() / "receipt.local.json"))
    assert (numpy_first, pil_first) == ("False", "False")
    assert int(first_words) == words and int(canvas_words) == words
    assert numpy_later == "True"  # the canvas' layers are numpy arrays


def test_the_system_theme_starts_as_the_desktop_was_then_follows_it(qtbot, settings, sample) -> None:
    """The first frame is painted in what "system" was at the last start (asking the desktop
    makes PySide build its whole Qt namespace before the picture); the built window asks again,
    shows a change made since and remembers it."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from ocrviewer.gui.settings_keys import SYSTEM_SCHEME_KEY
    from ocrviewer.gui.theme import system_prefers_dark

    assert not system_prefers_dark()  # (offscreen: no dark desktop)
    settings.setValue(SYSTEM_SCHEME_KEY, "dark")  # it was dark at the last start
    win = start(qtbot, settings, *sample)
    window_colour = lambda: QApplication.instance().palette().color(QPalette.ColorRole.Window)  # noqa: E731
    assert win.start_view is not None and window_colour().lightness() < 128
    qtbot.waitUntil(lambda: win.start_view is None and not win.files.busy, timeout=30000)
    assert window_colour().lightness() > 128
    assert settings.value(SYSTEM_SCHEME_KEY) == "light"


def _starts_twice(tmp_path: Path) -> list[dict[str, bool]]:
    """Run the cold-start probe twice (the real ``ocrviewer`` start with the sample); for each
    start, whether PySide had built the `Qt` namespace (its GlobalColor enum) and QIcon (its
    ThemeIcon enum) at the first frame's paint and once the window was built, and whether the
    application had its window icon then."""
    script = """
import enum, json, os, sys

made = []
create = enum.EnumType._create_
def spy(cls, name, *args, **kwargs):
    made.append(name)
    return create(cls, name, *args, **kwargs)
enum.EnumType._create_ = spy

HEAVY = (
    "ocrviewer.core.compare", "ocrviewer.core.export", "ocrviewer.providers", "ocrviewer.gui.canvas",
    "keyring", "requests", "urllib3", "ssl", "lxml", "pikepdf", "pypdfium2", "rapidfuzz", "orjson",
)

def watch(module):
    from PySide6.QtCore import QEvent, QObject, QTimer
    show = module.MainWindow.show
    seen = {}

    class Watch(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not seen and self.win.picture_shown():
                seen.update(namespace_first="GlobalColor" in made, qicon_first="ThemeIcon" in made)
                QTimer.singleShot(0, self.when_built)
            return False

        def when_built(self):
            if self.win.start_view is not None or not self.win.panels_ready:
                QTimer.singleShot(50, self.when_built)
                return
            from PySide6.QtWidgets import QApplication
            seen.update(namespace_built="GlobalColor" in made, qicon_built="ThemeIcon" in made)
            seen["icon_built"] = not QApplication.instance().windowIcon().isNull()
            print(json.dumps(seen), flush=True)
            os._exit(0)
"""
    return [json.loads(_run_probe(tmp_path, script).strip().splitlines()[-1]) for _ in range(2)]


def test_a_second_start_paints_the_sample_before_pyside_builds_its_qt_namespace(tmp_path: Path) -> None:
    """PySide builds the whole `Qt` namespace (~100 enums) on its first use; the first frame does
    without it (gui.painting), from the second start on (the first asks the desktop for its
    colour scheme). It comes once the window is built."""
    runs = _starts_twice(tmp_path)
    # not before the first frame; with the built window
    assert (runs[1]["namespace_first"], runs[1]["namespace_built"]) == (False, True)


def test_the_window_icon_comes_after_the_first_frame(tmp_path: Path) -> None:
    """The window icon (QIcon's set-up, Qt's SVG icon engine) is set once the first frame is
    painted: the window has it when built, and QIcon was not set up before that paint."""
    for run in _starts_twice(tmp_path):
        assert (run["qicon_first"], run["icon_built"]) == (False, True)
