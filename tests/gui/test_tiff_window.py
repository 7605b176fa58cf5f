"""A multi-page TIFF in the window: a document of pages like a PDF (page strip with thumbnails, PgDn
flips to page 2's own pixels, a response of several pages lands page by page, a workspace keeps
every page). The TIFF is made in the test: pages of different sizes, modes, compressions and
Orientation tags (tests.support.documents.make_tiff)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from tests.support.documents import (
    TIFF_PAGES,
    azure_read_pixel_response,
    make_scan,
    make_tiff,
    tiff_word_boxes,
    write_json,
)

WAIT = 30000
SIZES = [size for size, *_ in TIFF_PAGES]


def _shown(window) -> object:
    """The full-resolution picture on the canvas (a DecodedImage), or None before it landed."""
    return next((lv for lv in window.canvas.image_item.levels if lv.final), None)


def _shown_size(window) -> tuple[int, int] | None:
    shown = _shown(window)
    return None if shown is None else shown.image.size().toTuple()


def _dark_at(decoded, x: int, y: int) -> bool:
    """Pixel (x, y) of the page, as displayed, is dark (the picture may be painted with a turn still to apply)."""
    assert decoded.orientation == 1
    return QColor(decoded.image.pixel(x, y)).lightness() < 90


@pytest.fixture
def tiff(tmp_path: Path) -> Path:
    return make_tiff(tmp_path / "scan.tif")


def test_a_tiff_opens_as_pages_and_pgdn_shows_page_twos_pixels(window, qtbot, tiff: Path) -> None:
    assert window.files.open_image(str(tiff))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=WAIT)
    ws = window.state.workspace
    assert ws.source is not None and ws.source.kind == "tiff" and len(ws.pages) == 5
    assert window.page_strip.model.rowCount() == 5
    assert window.pages_dock.isVisible()
    assert window.state.image_info.display_size == SIZES[0]
    # thumbnails come from the workers, page 2's portrait once turned
    model = window.page_strip.model
    qtbot.waitUntil(lambda: 0 in model.thumbs and 1 in model.thumbs, timeout=WAIT)
    assert model.thumbs[1].height() > model.thumbs[1].width()
    window.activateWindow()
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_PageDown)
    qtbot.waitUntil(
        lambda: (
            window.state.page == 1 and window.canvas.image_item.has_full and _shown_size(window) == SIZES[1]
        ),
        timeout=WAIT,
    )
    assert window.state.image_info.display_size == (300, 420)
    page2 = _shown(window)
    for left, top, right, bottom in tiff_word_boxes(1):  # page 2's boxes, upright
        assert _dark_at(page2, (left + right) // 2, (top + bottom) // 2)
    left, top, right, _ = tiff_word_boxes(0)[1]
    assert not _dark_at(page2, (left + right) // 2, top + 3)  # where page 1 has a box, page 2 has none
    # the 16-bit page stored turned 270 degrees: upright, not white (Pillow clipped 16-bit to white)
    QTest.keyClick(window.canvas, Qt.Key.Key_PageDown)
    QTest.keyClick(window.canvas, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: window.state.page == 3 and _shown_size(window) == SIZES[3], timeout=WAIT)
    page4 = _shown(window)
    assert all(_dark_at(page4, (l_ + r) // 2, (t + b) // 2) for l_, t, r, b in tiff_word_boxes(3))


def test_a_response_of_several_pages_lands_on_each_page(window, qtbot, tiff: Path, tmp_path: Path) -> None:
    resp = write_json(tmp_path / "scan.azure.json", azure_read_pixel_response(SIZES, [0, 1, 3]))
    assert window.files.open_image(str(tiff))
    window.files.open_response(str(resp))
    qtbot.waitUntil(lambda: window.state.document is not None and not window.files.busy, timeout=WAIT)
    ws = window.state.workspace
    assert [len(p.results) for p in ws.pages] == [1, 1, 0, 1, 0]
    page2 = ws.pages[1].result(ws.pages[1].shown).document
    word = next(page2.words())
    assert word.text == "p2w0"
    assert word.bbox == pytest.approx(tiff_word_boxes(1)[0], abs=1)
    window.actions_["next_page"].trigger()
    qtbot.waitUntil(lambda: window.state.page == 1 and window.state.document is not None, timeout=WAIT)
    assert next(window.state.document.words()).text == "p2w0"
    model = window.page_strip.model
    text = str(model.data(model.index(model.row_of(2)), Qt.ItemDataRole.DisplayRole))
    assert text == "Page 3\nno result"


def test_a_tiff_workspace_saves_and_reopens_every_page(window, qtbot, tiff: Path, tmp_path: Path) -> None:
    resp = write_json(tmp_path / "scan.azure.json", azure_read_pixel_response(SIZES, [0, 1, 2, 3, 4]))
    assert window.files.open_image(str(tiff))
    window.files.open_response(str(resp))
    qtbot.waitUntil(lambda: window.state.document is not None and not window.files.busy, timeout=WAIT)
    before = {i: [w.bbox for w in window.state.page_document(i).words()] for i in range(5)}
    saved = window.files.save_workspace(str(tmp_path / "scan.ocrviewer-workspace.json"))
    assert saved is not None
    data = json.loads(saved.read_text())
    assert data["source"]["kind"] == "tiff"
    assert [p["page"] for p in data["pages"]] == [0, 1, 2, 3, 4]
    make_scan(tmp_path / "other.png")
    assert window.files.open_image(str(tmp_path / "other.png"))
    assert window.page_strip.model.rowCount() == 0
    window.files.open_workspace(str(saved))
    qtbot.waitUntil(lambda: len(window.state.workspace.pages) == 5 and not window.files.busy, timeout=WAIT)
    assert window.state.source is not None and window.state.source.kind == "tiff"
    assert window.page_strip.model.rowCount() == 5
    after = {i: [w.bbox for w in window.state.page_document(i).words()] for i in range(5)}
    assert after == before
    window.actions_["last_page"].trigger()
    qtbot.waitUntil(lambda: window.state.page == 4 and _shown_size(window) == SIZES[4], timeout=WAIT)
    assert next(window.state.document.words()).text == "p5w0"


def test_view_command_opens_a_tiff_on_page_two_with_its_response(tiff: Path, tmp_path: Path) -> None:
    from PIL import Image

    from ocrviewer.cli import main

    resp = write_json(tmp_path / "scan.azure.json", azure_read_pixel_response(SIZES, [0, 1, 2, 3, 4]))
    shot = tmp_path / "shot.png"
    code = main(
        ["view", str(tiff), "-r", str(resp), "--page", "2", "--screenshot", str(shot), "--size", "900x600"]
    )
    assert code == 0
    with Image.open(shot) as img:
        assert img.size[0] >= 900 and img.getbbox() is not None


def test_recognize_all_pages_of_a_tiff_lands_each_page_on_its_page(qtbot, settings, tmp_path: Path) -> None:
    """Azure Read (the loopback emulator, which finds the black word boxes in the pixels it is sent)
    gets each page upright, page 2 stored turned included; each answer lands on its page."""
    import shiboken6

    from ocrviewer.gui.main_window import MainWindow
    from ocrviewer.providers.credentials import CredentialStore
    from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
    from tests.providers.servers import AZURE_KEY, FakeCloud

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    cloud = FakeCloud(running_polls=1)
    try:
        ctx = win.dock_context
        panel = ctx.panels["recognition"]
        qtbot.waitUntil(lambda: panel.ready, timeout=WAIT)
        store = CredentialStore(env={})
        store.set("azure", "key", AZURE_KEY)
        ctx.credentials = store
        policy = RetryPolicy(
            connect_timeout=2.0, read_timeout=5.0, total_timeout=60.0, poll_interval=0.02, jitter=0
        )
        ctx.provider_settings.update(
            {
                "azure.endpoint": cloud.url,
                "http": HttpConfig(
                    policy=policy, timing=Timing(sleep=lambda s, c: c.wait(min(s, 0.01))), seed=1
                ),
            }
        )
        panel.reload_providers()
        qtbot.waitUntil(lambda: panel.ready, timeout=WAIT)
        tiff = make_tiff(tmp_path / "scan.tif", TIFF_PAGES[:3])
        assert win.files.open_image(str(tiff))
        assert panel.start_all("azure-read")
        qtbot.waitUntil(lambda: not panel.busy, timeout=4 * WAIT)
        pages = win.state.workspace.pages
        assert [len(p.results) for p in pages] == [1, 1, 1]
        assert "3 of 3 pages recognized" in panel.status_label.text()
        for i, page in enumerate(pages):
            boxes = sorted(w.bbox for w in page.result(page.shown).document.words())
            assert len(boxes) == 3
            for got, want in zip(boxes, tiff_word_boxes(i), strict=True):
                assert got == pytest.approx(want, abs=3), (i, boxes)
    finally:
        cloud.close()
        if shiboken6.isValid(win):
            win.workers.cancel_all()
            qtbot.waitUntil(lambda: not win.workers.busy, timeout=4 * WAIT)
            win.close()


def test_a_tiff_named_jpg_opens_as_pages_in_the_window(window, qtbot, tmp_path: Path) -> None:
    """A fax saved as fax.jpg: the window opens its pages (it showed page 1 only, as a photo)."""
    path = tmp_path / "fax.jpg"
    path.write_bytes(make_tiff(tmp_path / "made.tif").read_bytes())
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=WAIT)
    ws = window.state.workspace
    assert ws.source is not None and ws.source.kind == "tiff" and len(ws.pages) == len(SIZES)
    assert window.page_strip.model.rowCount() == len(SIZES)
    assert _shown_size(window) == SIZES[0]
