"""What the A/B wipe shows over a dense page (the overlay's pictures, not outlines): left of the
handle exactly the frame compare mode shows for A, right of it exactly the one it shows for B (the
picture on both sides), after zoom steps and while the handle is dragged; the handle on top."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage

from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from ocrviewer.core.palette import STATUS_COLORS
from ocrviewer.gui.canvas import Canvas
from ocrviewer.gui.compare_views import SideB, Wipe
from ocrviewer.gui.image_loader import DecodedImage
from ocrviewer.gui.overlay import DENSE_LIMIT
from ocrviewer.gui.state import ViewerState

W, H = 1000, 750  # the page; shown at fit in an 800 x 600 view, so the picture is scaled down
COLS, ROWS = 60, 60  # words: more than DENSE_LIMIT, so each side is one picture of its words
EQUAL, MISSED = 0, 2  # A's words all read right, B's all missed: two colours far apart


def _page_document() -> Document:
    words = []
    for r in range(ROWS):
        for c in range(COLS):
            x, y = 10 + c * 16, 10 + r * 12
            words.append(Word(f"w{r}_{c}", polygon_from_bbox(x, y, x + 11, y + 7), 0.9))
    lines = tuple(
        Line(
            "", polygon_from_bbox(10, 10 + r * 12, 970, 17 + r * 12), tuple(words[r * COLS : (r + 1) * COLS])
        )
        for r in range(ROWS)
    )
    return Document((Page(float(W), float(H), (Block(polygon_from_bbox(0, 0, W, H), lines),)),))


def _picture() -> QImage:
    """A warm page with a gradient (nothing like the status colours)."""
    x = np.arange(W, dtype=np.uint32)
    red = 150 + (x * 100 // W)
    row = (0xFF << 24) | (red << 16) | (110 << 8) | 40
    pixels = np.ascontiguousarray(np.broadcast_to(row, (H, W)), dtype=np.uint32)
    return QImage(pixels.data, W, H, 4 * W, QImage.Format.Format_RGB32).copy()


@pytest.fixture
def wiped(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    state = ViewerState()
    canvas = Canvas(state)
    qtbot.addWidget(canvas)
    canvas.resize(800, 600)
    canvas.show()
    qtbot.waitExposed(canvas)
    picture = _picture()
    path = tmp_path / "page.png"
    picture.save(str(path))
    state.set_image(str(path), ImageInfo(str(path), "PNG", W, H))
    canvas.set_image(DecodedImage(picture, None, 1.0, True))
    state.document = _page_document()
    state.documentChanged.emit()
    canvas.fit()
    layer = canvas.layers["word"]
    assert len(layer.data) > DENSE_LIMIT
    a = np.full(len(layer.data), EQUAL, np.int8)
    b = np.full(len(layer.data), MISSED, np.int8)
    layer.set_statuses(a)
    wipe = Wipe(canvas)
    return canvas, wipe, a, b


def _grab(canvas: Canvas) -> np.ndarray:
    image = canvas.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4)
    return rows.reshape(image.height(), -1)[:, : image.width()].copy()


def _frames(canvas: Canvas, wipe: Wipe, a: np.ndarray, b: np.ndarray, x: float) -> tuple[np.ndarray, ...]:
    """Compare mode's frame of A alone, of B alone (A's words coloured as B's), and the wipe's at ``x``."""
    layer = canvas.layers["word"]
    wipe.set_on(False)
    only_a = _grab(canvas)
    layer.set_statuses(b)
    only_b = _grab(canvas)
    layer.set_statuses(a)
    wipe.set_on(True)
    wipe.set_b(SideB("B", layer.data, b))
    wipe.set_x(x)
    return only_a, only_b, _grab(canvas)


def _handle_column(canvas: Canvas, wipe: Wipe) -> float:
    return canvas.viewportTransform().map(QPointF(wipe.x, 0)).x()


def _check_sides(
    canvas: Canvas, wipe: Wipe, only_a: np.ndarray, only_b: np.ndarray, frame: np.ndarray
) -> None:
    handle = _handle_column(canvas, wipe)
    left, right = math.floor(handle) - 3, math.floor(handle) + 4  # the line, 4 pixels wide
    # the grip (knob and the A and B tags) in the middle of the view's height, on the line
    grip = np.zeros(frame.shape, bool)
    middle = frame.shape[0] // 2
    grip[middle - 16 : middle + 16, max(0, left - 42) : right + 42] = True
    a_side = np.zeros(frame.shape, bool)
    a_side[:, :left] = True
    b_side = np.zeros(frame.shape, bool)
    b_side[:, right:] = True
    assert a_side.any() and b_side.any()
    # left of the handle: what A alone shows; right of it: what B alone shows, picture and all
    assert np.array_equal(frame[a_side & ~grip], only_a[a_side & ~grip])
    assert np.array_equal(frame[b_side & ~grip], only_b[b_side & ~grip])
    # (the two differ on both sides, so the comparison can fail)
    assert (only_a[a_side] != only_b[a_side]).any() and (only_a[b_side] != only_b[b_side]).any()
    # the handle's white core over the page, top to bottom of the picture
    top = canvas.viewportTransform().map(QPointF(0, 0)).y()
    bottom = canvas.viewportTransform().map(QPointF(0, H)).y()
    core = frame[math.ceil(top) + 1 : math.floor(bottom) - 1, math.floor(handle + 0.5) - 1]
    knob = slice(middle - 16 - math.ceil(top) - 1, middle + 16 - math.ceil(top) - 1)
    assert (np.delete(core, np.arange(len(core))[knob]) == 0xFFFFFFFF).all()
    assert (core[knob] != 0xFFFFFFFF).any()  # the knob's arrow on it


def _colour(value: int) -> tuple[int, int, int]:
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _word_pixel(canvas: Canvas, row: int, col: int) -> tuple[int, int]:
    """A view pixel inside word ``row``, ``col``."""
    p = canvas.viewportTransform().map(QPointF(10 + col * 16 + 5.5, 10 + row * 12 + 3.5))
    return round(p.y()), round(p.x())


def _gap_pixel(canvas: Canvas, row: int, col: int) -> tuple[int, int]:
    """A view pixel between word ``row``, ``col`` and the next (only the picture)."""
    p = canvas.viewportTransform().map(QPointF(10 + col * 16 + 13.5, 10 + row * 12 + 3.5))
    return round(p.y()), round(p.x())


def _tint(frame: np.ndarray, word: tuple[int, int], gap: tuple[int, int], status: str) -> float:
    """How far the word's pixel is from ``status``'s colour laid over the picture beside it (the
    translucent fill of compare mode's pictures)."""
    from ocrviewer.gui.overlay import OverlayStyle

    alpha = OverlayStyle().dense_alpha / 255
    want = QColor(STATUS_COLORS[status])
    under = _colour(int(frame[gap]))
    expected = [
        c * alpha + u * (1 - alpha)
        for c, u in zip((want.red(), want.green(), want.blue()), under, strict=True)
    ]
    return float(np.abs(np.subtract(_colour(int(frame[word])), expected)).max())


def test_the_wipe_shows_a_left_and_b_right_over_the_picture(wiped) -> None:  # type: ignore[no-untyped-def]
    canvas, wipe, a, b = wiped
    only_a, only_b, frame = _frames(canvas, wipe, a, b, W / 2)
    _check_sides(canvas, wipe, only_a, only_b, frame)
    # what that looks like: A's words read right (equal), B's missed, the warm page between them
    for col, status, other in ((5, "equal", "missed"), (50, "missed", "equal")):
        word, gap = _word_pixel(canvas, 10, col), _gap_pixel(canvas, 10, col)
        red, green, blue = _colour(int(frame[gap]))
        assert red > green > blue and red - blue > 90  # the picture, not a colour over it
        assert _tint(frame, word, gap, status) < 12 < _tint(frame, word, gap, other)


def test_the_wipe_after_zoom_steps_still_shows_each_side_exactly(wiped) -> None:  # type: ignore[no-untyped-def]
    canvas, wipe, a, b = wiped
    for step in (1.001, 1 / 1.001, 0.8):  # every picture made again at the new scale
        canvas.set_zoom(canvas.zoom * step)
        only_a, only_b, frame = _frames(canvas, wipe, a, b, W * 0.4)
        _check_sides(canvas, wipe, only_a, only_b, frame)


def test_the_handle_dragged_with_the_mouse_moves_where_b_begins(wiped, qtbot) -> None:  # type: ignore[no-untyped-def]
    canvas, wipe, a, b = wiped
    only_a, only_b, frame = _frames(canvas, wipe, a, b, W / 2)
    _check_sides(canvas, wipe, only_a, only_b, frame)
    vp = canvas.viewport()
    y = vp.height() // 3
    start = canvas.mapFromScene(QPointF(wipe.x, 0))
    start.setY(y)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for x in (0.45, 0.35, 0.25):  # each frame while dragging: the pictures kept, cut elsewhere
        to = canvas.mapFromScene(QPointF(W * x, 0))
        to.setY(y)
        qtbot.mouseMove(vp, pos=to)
        assert abs(wipe.x - W * x) < 2 / canvas.zoom
        _check_sides(canvas, wipe, only_a, only_b, _grab(canvas))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=to)
    assert wipe.x < W / 3
    # and back past the middle: B's side shrinks, A's grows
    wipe.set_x(W * 0.65)
    _check_sides(canvas, wipe, only_a, only_b, _grab(canvas))
