"""Demo export: caption band, labels above boxes, weak words in red, text beside the image."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtGui import QImage

from ocrviewer.errors import BadInput
from ocrviewer.gui.demo_export import DemoFacts, DemoOptions, compose_demo, demo_facts, export_demo
from tests.support.images import DEFAULT_WORDS

# conftest CONFIDENCES: Hello 0.99, world 0.95, EXIF 0.40, frames 0.90, done 0.85


def reddish(image: QImage, x0: int, y0: int, x1: int, y1: int) -> int:
    n = 0
    for y in range(max(0, y0), min(image.height(), y1)):
        for x in range(max(0, x0), min(image.width(), x1)):
            c = image.pixelColor(x, y)
            n += c.red() > 170 and c.green() < 90 and c.blue() < 90
    return n


def test_caption_states_file_provider_words_mean_and_date(loaded) -> None:
    facts = demo_facts(loaded.canvas, provider="local", today=date(2026, 12, 2))
    text = facts.caption()
    assert text.startswith("page-o6.jpg  ·  local  ·  5 words  ·  mean confidence 0.82  ·  2026-12-02")
    assert "red: under" in text


def test_caption_band_and_side_by_side_enlarge_the_picture(loaded) -> None:
    plain = compose_demo(loaded.canvas, DemoOptions(caption=False, labels=False, weak=False))
    assert (plain.width(), plain.height()) == (640, 480)
    full = compose_demo(loaded.canvas, DemoOptions(side_by_side=True))
    assert full.width() > 640 + 400 and full.height() > 480
    band = full.pixelColor(5, full.height() - 5)
    assert band.lightness() < 60  # the dark caption band
    text_area = full.pixelColor(full.width() - 5, 5)
    assert text_area.lightness() > 240  # the light text column


def test_weak_words_are_outlined_in_red_and_labels_sit_above_boxes(loaded) -> None:
    facts = DemoFacts("f.jpg", "test", 5, 0.8, "2026-12-02", weak_below=0.5)
    image = compose_demo(loaded.canvas, DemoOptions(caption=False, labels=False), facts)
    boxes = dict(DEFAULT_WORDS)
    x0, t, r, _b = (int(v) for v in boxes["EXIF"])  # 0.40: weak
    assert reddish(image, x0 - 4, t - 4, r + 4, t + 1) > 20
    x0, t, r, _b = (int(v) for v in boxes["Hello"])  # 0.99: not weak
    assert reddish(image, x0 - 4, t - 4, r + 4, t + 1) == 0
    labelled = compose_demo(loaded.canvas, DemoOptions(caption=False, weak=False), facts)
    x0, t, r, _b = (int(v) for v in boxes["world"])

    def dark_above(img: QImage) -> int:
        return sum(img.pixelColor(x, y).lightness() < 90 for x in range(x0, r) for y in range(t - 32, t - 1))

    plain = compose_demo(loaded.canvas, DemoOptions(caption=False, weak=False, labels=False), facts)
    assert dark_above(plain) == 0 and dark_above(labelled) > 30  # the word's text, just above its box


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_export_writes_png_or_pdf_and_never_over_the_image(loaded, tmp_path, suffix) -> None:
    out = export_demo(loaded.canvas, tmp_path / f"slide{suffix}", DemoOptions(side_by_side=True))
    data = out.read_bytes()
    assert data[:5] == b"%PDF-" if suffix == ".pdf" else data[:4] == b"\x89PNG"
    image = loaded.state.image_path
    with pytest.raises(BadInput):
        export_demo(loaded.canvas, image, DemoOptions(), inputs=(image,))
