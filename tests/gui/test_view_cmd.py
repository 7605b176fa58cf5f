"""``ocrviewer view --screenshot``: a picture of the whole window with the overlay on the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

import ocrviewer.gui.main_window as main_window
from ocrviewer.cli import main
from ocrviewer.gui.app import sanitize_qt_env
from tests.gui.test_export_view import coloured
from tests.support.images import DEFAULT_WORDS
from tests.support.responses import build_response, write_response


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> list:
    """Records the windows the command creates, so a test can map image points to the picture."""
    made: list = []

    class Recording(main_window.MainWindow):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(main_window, "MainWindow", Recording)
    return made


def window_point(win, x: float, y: float) -> tuple[int, int]:
    canvas = win.canvas
    p = canvas.viewport().mapTo(win, canvas.mapFromScene(QPointF(x, y)))
    return p.x(), p.y()


@pytest.mark.parametrize("orientation", [1, 6])
def test_screenshot_shows_words_on_the_text(qapp, windows, text_image, tmp_path, orientation) -> None:
    image = text_image(orientation)
    resp = write_response(
        tmp_path / "resp.json", build_response("yandex", orientation=orientation, frame="raw")
    )
    out = tmp_path / "shot.png"
    code = main(["view", str(image), "--response", str(resp), "--screenshot", str(out), "--size", "1000x700"])
    assert code == 0
    picture = QImage(str(out))
    assert (picture.width(), picture.height()) == (1000, 700)
    win = windows[0]
    assert win.state.document is not None and win.canvas.image_item.has_full
    for _text, (left, top, right, bottom) in DEFAULT_WORDS:
        x, y = window_point(win, left, (top + bottom) / 2)
        assert coloured(picture, x - 3, y - 3, x + 4, y + 4) > 0, _text
        # the middle of the black box is dark: the picture is displayed upright, not raw
        cx, cy = window_point(win, (left + right) / 2, (top + bottom) / 2)
        assert picture.pixelColor(cx, cy).lightness() < 60


def test_screenshot_of_a_bad_image_reports_and_exits_1(qapp, windows, tmp_path, capsys) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    out = tmp_path / "shot.png"
    code = main(["view", str(bad), "--screenshot", str(out), "--size", "800x600"])
    assert code == 1
    assert out.is_file()
    assert "bad.jpg" in capsys.readouterr().err
    assert windows[0].message_bar.level == "error"


def test_missing_image_is_one_line_error(capsys, tmp_path) -> None:
    assert main(["view", str(tmp_path / "nope.jpg"), "--screenshot", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ocrviewer: error:") and "nope.jpg" in err


def test_cv2_plugin_path_is_removed() -> None:
    env = {"QT_QPA_PLATFORM_PLUGIN_PATH": str(Path("/x/site-packages/cv2/qt/plugins")), "OTHER": "1"}
    assert sanitize_qt_env(env) == ["QT_QPA_PLATFORM_PLUGIN_PATH"]
    assert env == {"OTHER": "1"}
    keep = {"QT_QPA_PLATFORM_PLUGIN_PATH": "/usr/lib/qt6/plugins"}
    assert sanitize_qt_env(keep) == [] and keep


def test_no_argument_means_the_bundled_sample() -> None:
    from ocrviewer.cli.view_cmd import find_sample

    image, response = find_sample()
    assert image.is_file() and image.suffix.lower() in (".jpg", ".jpeg", ".png")
    assert response is not None and response.name.startswith(image.stem)


def test_response_without_image_shows_the_page_area(window, qtbot) -> None:
    from ocrviewer.core.geometry import FrameTransform
    from tests.gui.conftest import words_document

    window.state.set_response(words_document(), FrameTransform.identity(640, 480))
    assert window.canvas.image_item.size == (640, 480)
    assert len(window.canvas.layers["word"].data) == 5


def test_screenshot_waits_for_the_provider_check(qapp, windows, text_image, tmp_path, monkeypatch) -> None:
    """The picture showed a greyed-out Run and bare provider names when the check was slower than loading."""
    import time

    import ocrviewer.gui.recognition_panel as recognition_panel

    real = recognition_panel.probe_providers

    def slow_probe(settings):  # noqa: ANN001, ANN202
        # slower than loading, however busy the machine: it ends once the picture is in (a fixed 0.4 s
        # sleep ended first whenever loading took longer, and the test then proved nothing)
        end = time.monotonic() + 60
        while time.monotonic() < end and not (windows and windows[0].canvas.image_item.has_full):
            time.sleep(0.01)
        return real(settings)

    monkeypatch.setattr(recognition_panel, "probe_providers", slow_probe)
    out = tmp_path / "shot.png"
    assert main(["view", str(text_image(1)), "--screenshot", str(out), "--size", "1000x700"]) == 0
    panel = windows[0].dock_context.panels["recognition"]
    assert panel.ready and panel.provider_combo.count() > 1


def test_screenshot_run_leaves_the_users_preferences_alone(qapp, windows, text_image, tmp_path) -> None:
    """``view --theme dark --screenshot`` used to save "dark" and the picture's window size and docks
    as the user's preferences for every later start."""
    from ocrviewer.gui.app import make_settings

    make_settings().setValue("view/theme", "light")
    out = tmp_path / "shot.png"
    assert main(["view", str(text_image(1)), "--theme", "dark", "--screenshot", str(out)]) == 0
    assert windows[0].actions_["theme_dark"].isChecked()  # the menu shows what is on screen
    assert make_settings().value("view/theme") == "light"
    # nor does the screenshot's window size (default 1400x900) become the user's window layout
    assert make_settings().value("window/geometry") is None


@pytest.mark.parametrize(("suffix", "pil_format"), [(".webp", "WEBP"), (".tif", "TIFF"), (".bmp", "BMP")])
def test_a_screenshot_is_in_the_format_its_name_says(qapp, text_image, tmp_path, suffix, pil_format) -> None:
    """shot.webp was a PNG inside (only .jpg had its own format)."""
    from PIL import Image

    out = tmp_path / f"shot{suffix}"
    assert main(["view", str(text_image(1)), "--screenshot", str(out), "--size", "800x600"]) == 0
    with Image.open(out) as picture:
        assert picture.format == pil_format and picture.size == (800, 600)
