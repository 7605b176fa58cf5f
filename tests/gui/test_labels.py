"""Text labels follow the word as displayed, whichever frame and vertex order the response used.

A raw-frame Yandex response drew every label turned 90 degrees and shifted onto the neighbouring
word: the label took the polygon's first edge as its baseline, and that edge is a vertical one
for Yandex's TL-BL-BR-TR order, or wherever the raw frame's first corner lands after the transform.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from ocrviewer.core.layers import label_box
from ocrviewer.core.loading import LoadedResult, load_result
from tests.support.images import DEFAULT_DISPLAY_SIZE, DEFAULT_WORDS, ORIENTATIONS
from tests.support.responses import (
    Layout,
    azure_read_v3_response,
    display_to_frame,
    engine_angle,
    frame_size,
    layout,
    write_response,
    yandex_response,
)

TILT = 5.0  # degrees: words on a photo are rarely level, and a level box hides which edge is the baseline

#: (frame, where each polygon starts): the displayed frame; the raw frame with each polygon starting
#: at the text's own top-left (an engine reading rotated text); the raw frame with each polygon starting
#: at its corner nearest the raw image's top-left (an engine reporting boxes in the pixels it saw).
DELIVERIES = (("display", "text"), ("raw", "text"), ("raw", "image"))


def _tilted(quad, orientation: int, frame: str, start: str):
    """A displayed TL, TR, BR, BL quad turned by TILT about its centre, expressed in ``frame``."""
    cx, cy = sum(x for x, _ in quad) / 4, sum(y for _, y in quad) / 4
    c, s = math.cos(math.radians(TILT)), math.sin(math.radians(TILT))
    # whole pixels, as the services send them, so both deliveries carry exactly the same corners
    shown = [
        (round(cx + (x - cx) * c - (y - cy) * s), round(cy + (x - cx) * s + (y - cy) * c)) for x, y in quad
    ]
    pts = [display_to_frame(orientation, x, y, DEFAULT_DISPLAY_SIZE, frame) for x, y in shown]
    if start == "image":
        first = min(range(4), key=lambda i: (pts[i][0] + pts[i][1], pts[i][0]))
        pts = pts[first:] + pts[:first]
    return tuple(pts)


def delivered(orientation: int, frame: str, start: str) -> Layout:
    lay = layout(DEFAULT_WORDS, 1, DEFAULT_DISPLAY_SIZE, "display")
    for block in lay.blocks:
        block.quad = _tilted(block.quad, orientation, frame, start)
        for line in block.lines:
            line.quad = _tilted(line.quad, orientation, frame, start)
            for word in line.words:
                word.quad = _tilted(word.quad, orientation, frame, start)
    width, height = frame_size(orientation, DEFAULT_DISPLAY_SIZE, frame)
    return Layout(lay.blocks, width, height, orientation, frame, engine_angle(orientation, frame))


def load(tmp_path: Path, image: Path, shape: str, orientation: int, frame: str, start: str) -> LoadedResult:
    lay = delivered(orientation, frame, start)
    data = yandex_response(lay) if shape == "yandex" else azure_read_v3_response(lay)
    path = write_response(tmp_path / f"{shape}-o{orientation}-{frame}-{start}.json", data)
    return load_result(path, image, frame=frame)


def boxes(result: LoadedResult) -> list[tuple[str, tuple[float, ...]]]:
    page = result.document.pages[0]
    out = []
    for line in (line for b in page.blocks for line in b.lines):
        for el in (line, *line.words):
            box = label_box(el.polygon)
            out.append((el.text, (*box.origin, box.angle, box.width, box.height)))
    return out


# Yandex writes TL, BL, BR, TR (counter-clockwise); Azure TL, TR, BR, BL (clockwise).
@pytest.mark.parametrize("shape", ["yandex", "azure-v3"])
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_same_words_in_any_frame_get_the_same_labels(
    shape: str, orientation: int, text_image, tmp_path: Path
) -> None:
    image = text_image(orientation)
    results = [load(tmp_path, image, shape, orientation, f, s) for f, s in DELIVERIES]
    expected = boxes(results[0])
    for text, (_x, _y, angle, width, height) in expected:
        assert angle == pytest.approx(TILT, abs=1.5), text  # along the tilted word, not across it
        assert width > height, text
    for (frame, start), result in zip(DELIVERIES[1:], results[1:], strict=True):
        got = boxes(result)
        assert [t for t, _ in got] == [t for t, _ in expected]
        for (text, want), (_, have) in zip(expected, got, strict=True):
            assert have == pytest.approx(want, abs=1e-6), f"{text}: {frame} frame, polygons from the {start}"


def differences(a: QImage, b: QImage) -> tuple[int, int]:
    """(pixels that differ, largest difference in any channel) of two same-size images."""

    def array(image: QImage) -> np.ndarray:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
        raw = np.frombuffer(bytes(image.constBits()), np.uint8)
        return raw.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()].astype(int)

    d = np.abs(array(a) - array(b)).max(axis=2)
    return int(np.count_nonzero(d)), int(d.max())


def grab_with_labels(window, result: LoadedResult) -> QImage:
    window.state.set_response(result.source, result.transform, result.decision, placed=result.document)
    window.canvas.viewport().repaint()
    return window.canvas.viewport().grab().toImage()


@pytest.mark.parametrize("shape", ["yandex", "azure-v3"])
@pytest.mark.parametrize("orientation", [3, 6, 7])
def test_window_shows_raw_and_displayed_deliveries_identically(
    shape: str, orientation: int, window, qtbot, text_image, tmp_path: Path
) -> None:
    image = text_image(orientation)
    assert window.files.open_image(str(image))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    window.canvas.set_labels(True)
    window.canvas.fit()
    shots = [grab_with_labels(window, load(tmp_path, image, shape, orientation, f, s)) for f, s in DELIVERIES]
    # the labels are there: the shot differs from the same view without them
    window.canvas.set_labels(False)
    plain = grab_with_labels(window, load(tmp_path, image, shape, orientation, "display", "text"))
    assert shots[0] != plain
    assert shots[1] == shots[0]
    # Polygons starting at another corner: the labels are the same; only the antialiased outline where
    # its path starts and closes may differ, by a level or two in a few pixels.
    changed, most = differences(shots[2], shots[0])
    assert changed < 40 and most <= 3, (changed, most)
