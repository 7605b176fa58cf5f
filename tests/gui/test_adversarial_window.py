"""Bad input through the window (session 6's adversarial pass): one line in the message bar, the window
keeps running, nothing written beside or over what the person chose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.errors import BadInput
from ocrviewer.gui.export_view import export_view
from tests.support.documents import make_pdf
from tests.support.responses import build_response, write_response


def error_line(window, qtbot, *needles: str) -> str:
    qtbot.waitUntil(
        lambda: window.message_bar.isVisible() and window.message_bar.level == "error", timeout=30000
    )
    text = window.message_bar.text
    assert "\n" not in text.strip() and "Traceback" not in text, text
    for n in needles:
        assert n in text, (n, text)
    return text


def _giant_pdf(tmp_path: Path) -> Path:
    """Page 1 is 200x200 inches: under the lowered limit of these tests it does not fit even at 10
    dpi (2000x2000 pixels); page 2 is A4."""
    import pikepdf

    path = tmp_path / "poster.pdf"
    with pikepdf.open(make_pdf(tmp_path / "plain.pdf", pages=2)) as pdf:
        pdf.pages[0].MediaBox = [0, 0, 14400, 14400]
        pdf.save(path)
    return path


def test_a_pdf_page_too_large_to_render_is_one_line_in_the_window(
    window, qtbot, tmp_path, monkeypatch
) -> None:
    """A page too large even at 10 dpi (PDFium would allocate gigabytes first). A page that fits
    at a lower dpi is shown at it, with a note (test_document_window)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500_000)
    window.files.open_path(str(_giant_pdf(tmp_path)))
    error_line(window, qtbot, "poster.pdf", "page 1 is 30000x30000 pixels", "too large", "shrink the page")
    assert window.isVisible()


@pytest.mark.parametrize("name", ["empty.jpg", "empty.png", "empty.pdf"])
def test_an_empty_file_says_it_is_empty(window, qtbot, tmp_path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    window.files.open_path(str(tmp_path / name))
    error_line(window, qtbot, name, "the file is empty (0 bytes)", "re-download")


@pytest.fixture
def saved_workspace(window, qtbot, tmp_path, text_image) -> tuple[Path, dict]:
    image = text_image(1, name="photo.jpg")
    resp = write_response(tmp_path / "resp.json", build_response("azure-v3"))
    assert window.files.open_image(str(image))
    window.files.open_response(str(resp))
    qtbot.waitUntil(lambda: len(window.state.results()) == 1 and not window.files.busy, timeout=30000)
    ws = window.files.save_workspace(str(tmp_path / "w.ocrviewer-workspace.json"))
    assert ws is not None
    return ws, json.loads(ws.read_text())


@pytest.mark.parametrize(
    ("change", "level", "needles"),
    [
        (lambda d: d.__setitem__("pages", 7), "error", ("pages are not a list", "open the image instead")),
        (lambda d: d["pages"][0].__setitem__("results", 7), "warning", ("results of page 1 are not a list",)),
        (lambda d: d["source"].__setitem__("dpi", "x"), "warning", ("dpi 'x' is not a positive number",)),
        (
            lambda d: d["pages"][0]["results"][0].__setitem__("response", 5),
            "warning",
            ("result 1 of page 1 skipped (response must be non-empty text)",),
        ),
        (
            lambda d: d.__setitem__("zz", int("9" * 4000)),
            "error",
            ("not a workspace", "open an ocrviewer workspace"),
        ),
    ],
)
def test_a_damaged_workspace_is_one_line_and_the_rest_opens(
    window, qtbot, saved_workspace, change, level: str, needles: tuple[str, ...]
) -> None:
    ws, data = saved_workspace
    change(data)
    text = json.dumps(data)
    if level == "error" and "zz" in data:
        text = text.replace(str(data["zz"]), "9" * 5000)  # past Python's 4300-digit cap
    ws.write_text(text)
    window.message_bar.dismiss()
    window.files.open_workspace(str(ws))
    qtbot.waitUntil(lambda: window.message_bar.isVisible() and not window.files.busy, timeout=30000)
    assert window.message_bar.level == level, window.message_bar.text
    message = window.message_bar.text
    assert "\n" not in message.strip() and "Error:" not in message, message
    for n in needles:
        assert n in message, (n, message)
    assert "set_int_max_str_digits" not in message
    assert window.isVisible()


def test_export_view_refuses_a_folder_and_writes_nothing_beside_it(loaded, tmp_path) -> None:
    folder = tmp_path / "views"
    folder.mkdir()
    with pytest.raises(BadInput, match="is a folder"):
        export_view(loaded.canvas, folder)
    assert not (tmp_path / "views.png").exists() and list(folder.iterdir()) == []


def test_export_view_adds_png_instead_of_replacing_another_suffix(loaded, tmp_path) -> None:
    """'scan.v2' (no picture suffix) became scan.png, written over whatever had that name."""
    neighbour = tmp_path / "scan.png"
    neighbour.write_bytes(b"someone else's picture")
    out = export_view(loaded.canvas, tmp_path / "scan.v2")
    assert out == tmp_path / "scan.v2.png" and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert neighbour.read_bytes() == b"someone else's picture"


def test_export_view_to_a_device_is_refused_not_written_beside_it(loaded, tmp_path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BadInput, match="choose a name ending in .png or .pdf"):
        export_view(loaded.canvas, fifo)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("pipe")) == ["pipe"]


def test_a_pdf_page_too_large_at_its_dpi_is_shown_at_one_that_fits(
    window, qtbot, tmp_path, monkeypatch
) -> None:
    """It was refused with 'draw it with ocrviewer render --dpi 101': now the window shows it at
    101 dpi and says so."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500_000)
    window.files.open_path(str(make_pdf(tmp_path / "a4.pdf", pages=1)))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    qtbot.waitUntil(lambda: window.message_bar.level == "warning", timeout=30000)
    assert "shown at 101 dpi" in window.message_bar.text
    assert window.state.image_info.display_size == (835, 1182)


def test_a_dropped_web_link_says_to_save_it_first(window, qtbot) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/scan.jpg")])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    error_line(window, qtbot, "https://example.com/scan.jpg", "not a file on this computer", "save it first")
    assert window.state.image_path is None


@pytest.mark.parametrize("value", ["garbage", "", "@ByteArray(\\xff\\xfe)"])
def test_a_settings_file_with_a_damaged_layout_still_opens_the_window(qtbot, tmp_path, value: str) -> None:
    """A settings file edited by hand or by a sync tool: the window's geometry or layout saved as text
    made the window fail to open at all (restoreGeometry(str) is a TypeError)."""
    from PySide6.QtCore import QSettings

    from ocrviewer.gui import settings_keys as keys
    from ocrviewer.gui.main_window import MainWindow

    ini = tmp_path / "ocrviewer.ini"
    ini.write_text(f"[window]\ngeometry={value}\nstate={value}\n[view]\ntheme={value or 'x'}\n")
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    assert settings.value(keys.GEOMETRY_KEY) is not None
    win = MainWindow(settings, with_docks=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.width() > 300 and win.height() > 200
    win.close()
    assert keys.saved_blob(settings, keys.GEOMETRY_KEY)  # a good layout saved over the damaged one


def test_a_corrupt_exif_warning_names_the_file_in_the_window(window, qtbot, tmp_path) -> None:
    """Pillow's 'Corrupt EXIF data' (given in the loader's thread, no file named) is a warning in the
    message bar that names the photo; the photo still opens."""
    from ocrviewer.gui.app import is_settled
    from ocrviewer.gui.library_warnings import LibraryWarnings
    from tests.support.images import make_corrupt_exif_jpeg

    photo = make_corrupt_exif_jpeg(tmp_path / "holiday photo.jpg")
    bridge = LibraryWarnings()
    bridge.install()
    try:
        bridge.show_in(window.show_message)
        window.files.open_path(str(photo))
        qtbot.waitUntil(
            lambda: window.message_bar.isVisible() and window.message_bar.level == "warning", timeout=30000
        )
        text = window.message_bar.text
        assert "holiday photo.jpg" in text and "Corrupt EXIF data" in text and "\n" not in text.strip()
        qtbot.waitUntil(lambda: window.state.image_path == str(photo), timeout=30000)
        qtbot.waitUntil(lambda: is_settled(window), timeout=30000)  # no loader reading it any more
    finally:
        bridge.uninstall()


def test_a_multi_page_tiff_opens_as_a_document_of_its_pages(window, qtbot) -> None:
    """A two-page fax TIFF (tests/data/images): both pages listed, PgDn shows page 2 (the window
    showed page 1 and said the rest could not be seen)."""
    from ocrviewer.gui.app import is_settled

    fax = Path(__file__).resolve().parents[1] / "data" / "images" / "fax-2-pages-g4.tif"
    assert window.files.open_path(str(fax)) is None
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    assert window.state.source is not None and window.state.source.kind == "tiff"
    assert window.page_strip.model.rowCount() == 2
    assert not (window.message_bar.isVisible() and window.message_bar.level == "warning")
    item = window.canvas.image_item

    def shown() -> object:
        return next(lv.image for lv in item.levels if lv.final).copy()

    first = shown()
    window.actions_["next_page"].trigger()
    qtbot.waitUntil(lambda: window.state.page == 1 and item.has_full and shown() != first, timeout=30000)
    qtbot.waitUntil(lambda: is_settled(window), timeout=30000)
    assert window.state.image_info.display_size == (160, 60)


def test_a_heic_photo_is_an_error_that_says_how_to_convert_it(window, qtbot, tmp_path) -> None:
    heic = Path(__file__).resolve().parents[1] / "data" / "images" / "photo.heic"
    window.files.open_path(str(heic))
    error_line(window, qtbot, "photo.heic", "HEIC/HEIF photo", "heif-convert")
    assert window.state.image_path is None and window.isVisible()


def test_a_strip_400000_pixels_wide_opens_and_says_its_zoom(window, qtbot, tmp_path) -> None:
    """A 400000x4 strip (a scanned receipt roll, a spectrum) fitted to the window is at ~0.2%:
    the status bar said 0%."""
    from PIL import Image

    path = tmp_path / "strip.png"
    Image.new("L", (400_000, 4), 90).save(path)
    assert window.files.open_image(str(path))
    item = window.canvas.image_item
    qtbot.waitUntil(lambda: item.has_full, timeout=30000)
    assert window.state.image_info.display_size == (400_000, 4)
    text = window.zoom_label.text()
    assert text.endswith("%") and text != "0%" and 0 < float(text[:-1]) < 1, text
