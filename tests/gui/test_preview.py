"""Opening a big photo: a quick preview, upright, is painted first; the full resolution replaces it."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from tests.support.images import ORIENTATIONS, save_oriented

SIZE = (3200, 2400)  # displayed; several times the test window's view, so a preview comes first
BLOCK = (200, 200, 1000, 800)  # a black block top left: where it lands tells the orientation
STRIPES = (2000, 1600, 2400, 2000)  # 1-pixel black and white columns: only full resolution resolves them


def photo(path, orientation: int):
    img = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((BLOCK[0], BLOCK[1], BLOCK[2] - 1, BLOCK[3] - 1), fill="black")
    left, top, right, bottom = STRIPES
    for x in range(left, right, 2):
        draw.line((x, top, x, bottom - 1), fill="black")
    return save_oriented(img, path, orientation)


def lightness(frame: QImage, canvas, x: float, y: float) -> int:
    p = canvas.mapFromScene(QPointF(x, y))
    return frame.pixelColor(p.x(), p.y()).lightness()


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_preview_is_painted_upright_then_full_resolution_replaces_it(
    window, qtbot, tmp_path, orientation: int
) -> None:
    canvas = window.canvas
    seen: list[tuple[bool, float, QImage]] = []

    def on_decoded(decoded) -> None:  # after the canvas took it: what the user sees at that moment
        seen.append((decoded.preview, decoded.scale, canvas.viewport().grab().toImage()))

    window.loader.decoded.connect(on_decoded)
    window.files.open_image(str(photo(tmp_path / f"o{orientation}.jpg", orientation)))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)

    is_preview, scale, frame = seen[0]
    assert is_preview and scale <= 0.5  # a reduced decode came first
    bx, by = (BLOCK[0] + BLOCK[2]) / 2, (BLOCK[1] + BLOCK[3]) / 2
    assert lightness(frame, canvas, bx, by) < 60  # the block where it is displayed...
    for x, y in ((SIZE[0] - bx, by), (bx, SIZE[1] - by), (SIZE[0] - bx, SIZE[1] - by)):
        assert lightness(frame, canvas, x, y) > 200  # ...and paper where a flip or turn would put it

    # the full resolution replaced the preview: at 1:1 the 1-pixel stripes are sharp
    assert not any(level.preview for level in canvas.image_item.levels)
    sx, sy = (STRIPES[0] + STRIPES[2]) / 2, (STRIPES[1] + STRIPES[3]) / 2
    canvas.set_zoom(1.0, QPointF(sx, sy))
    canvas.centerOn(QPointF(sx, sy))
    sharp = canvas.viewport().grab().toImage()
    row = [lightness(sharp, canvas, sx + i, sy) for i in range(-10, 10)]
    assert max(row) - min(row) > 150, row
    assert max(abs(a - b) for a, b in zip(row, row[1:], strict=False)) > 150  # neighbours differ: sharp


def test_the_previous_photo_is_freed_once_the_next_one_is_shown(window, qtbot, tmp_path) -> None:
    import gc
    import weakref

    canvas = window.canvas
    first: list[weakref.ref] = []  # what the first photo's decode handed over, not kept alive here
    recording = [True]

    def record(decoded) -> None:
        if recording[0]:
            first.append(weakref.ref(decoded))
            recording[0] = not decoded.final

    window.loader.decoded.connect(record)
    window.files.open_image(str(photo(tmp_path / "a.jpg", 6)))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)
    assert len(first) >= 2 and first[-1]().final
    window.files.open_image(str(photo(tmp_path / "b.jpg", 3)))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)
    # the first photo's preview, reduced copy and full picture (80 MB for 20 MP) are all gone,
    # dropped by the second one's decode once its preview was painted
    qtbot.waitUntil(lambda: gc.collect() >= 0 and all(r() is None for r in first), timeout=30000)
    assert not canvas.image_item.retired


def test_a_photo_opened_while_the_previous_one_decodes_is_the_only_one_shown(window, qtbot, tmp_path) -> None:
    canvas = window.canvas
    first = photo(tmp_path / "first.jpg", 6)  # white paper with black marks
    second = save_oriented(Image.new("RGB", SIZE, (220, 30, 30)), tmp_path / "second.jpg", 3)  # all red
    opened = [False]
    after_second: list = []  # what the canvas was handed once the second photo was opened
    window.loader.decoded.connect(lambda decoded: after_second.append(decoded) if opened[0] else None)

    def red(image: QImage) -> bool:
        c = image.pixelColor(image.width() // 2, image.height() // 2)
        return c.red() > 180 and c.green() < 80 and c.blue() < 80

    window.files.open_image(str(first))
    qtbot.waitUntil(
        lambda: bool(canvas.image_item.levels), timeout=30000
    )  # its preview: the full decode follows
    assert not canvas.image_item.has_full
    opened[0] = True
    window.files.open_image(str(second))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)
    qtbot.waitUntil(lambda: not window.loader.busy and not window.workers.busy, timeout=30000)

    # the first photo's full resolution never reached the screen: everything handed over is the
    # second photo, its preview first, and it is what is painted
    assert after_second and all(red(d.image) for d in after_second)
    assert after_second[0].preview and after_second[-1].final
    assert all(red(level.image) for level in canvas.image_item.levels)
    assert red(canvas.viewport().grab().toImage())
    assert window.state.image_path == str(second)


def test_a_big_png_shows_a_preview_then_its_full_resolution(window, qtbot, tmp_path) -> None:
    """Not a JPEG: Pillow decodes and shrinks it for the preview (no reduced decode), same order."""
    canvas = window.canvas
    path = tmp_path / "big.png"
    photo(tmp_path / "o1.jpg", 1)  # the same picture...
    Image.open(tmp_path / "o1.jpg").save(path)  # ...as a PNG
    seen: list = []
    window.loader.decoded.connect(lambda decoded: seen.append(decoded))
    window.files.open_image(str(path))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)
    assert seen[0].preview and not seen[0].final and seen[-1].final
    bx, by = (BLOCK[0] + BLOCK[2]) / 2, (BLOCK[1] + BLOCK[3]) / 2
    # painted twice the same way (as a hover does) it is kept at the view's scale: still the picture
    # (Pillow's BGRX bytes had 0 where Qt's RGB32 wants 255: the kept copy came out transparent)
    for _ in range(3):
        frame = canvas.viewport().grab().toImage()
        assert lightness(frame, canvas, bx, by) < 60 and lightness(frame, canvas, SIZE[0] - bx, by) > 200
    assert canvas.image_item._kept is not None


def _painted_frames(canvas) -> list[bool]:
    """The canvas's paint events (what reaches the screen) from now on: for each, whether the
    picture had anything to show (False: the empty grey page)."""
    from PySide6.QtCore import QEvent, QObject

    frames: list[bool] = []

    class Watch(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: ANN001 - Qt override
            if event.type() == QEvent.Type.Paint:
                frames.append(bool(canvas.image_item.levels))
            return False

    watch = Watch(canvas)
    canvas.viewport().installEventFilter(watch)
    canvas._test_watch = watch  # kept alive with the canvas
    return frames


def test_opening_another_photo_paints_no_empty_frame_before_its_preview(window, qtbot, tmp_path) -> None:
    """The previous picture stays on screen while the next one decodes, rather than a grey page
    for the ~0.1 s its preview takes; the preview is then the next frame painted."""
    canvas = window.canvas
    canvas._hold.setInterval(60_000)  # longer than any decode here, however busy the machine
    frames = _painted_frames(canvas)
    window.files.open_image(str(photo(tmp_path / "a.jpg", 1)))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)
    canvas.viewport().update()  # the frame with the full image, painted before the next open
    shown = len(frames)
    qtbot.waitUntil(lambda: len(frames) > shown, timeout=30000)
    shown = len(frames)
    window.files.open_image(str(photo(tmp_path / "b.jpg", 6)))
    assert not canvas.image_item.levels  # nothing arrived yet: a repaint now would be the empty page
    qtbot.waitUntil(lambda: canvas.image_item.has_full and len(frames) > shown, timeout=30000)
    assert all(frames[shown:]), frames[shown:]  # each frame showed a picture: no empty page between


def test_a_decode_that_never_lands_ends_the_hold_and_shows_the_empty_page(window, qtbot, tmp_path) -> None:
    """When no picture comes (a slow or failed decode), the view does not stay frozen: after
    HOLD_FRAME_MS it paints the new page's empty frame."""
    from ocrviewer.gui.image_loader import read_info

    canvas = window.canvas
    window.files.open_image(str(photo(tmp_path / "a.jpg", 1)))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)
    frames = _painted_frames(canvas)
    path = photo(tmp_path / "c.jpg", 6)
    window.state.set_image(str(path), read_info(str(path)))  # no decode started for it
    assert not canvas.viewport().updatesEnabled()
    qtbot.waitUntil(lambda: canvas.viewport().updatesEnabled() and bool(frames), timeout=30000)
    assert not canvas.image_item.levels and frames[-1] is False  # the empty page, painted
