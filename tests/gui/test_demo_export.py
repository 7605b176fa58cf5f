"""Demo export: caption band, labels above boxes, weak words in red, text beside the image."""

from __future__ import annotations

from datetime import date

import numpy as np
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


def _doc_of(lines: list[tuple[str, tuple[float, float, float, float]]]):
    from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox

    made = tuple(
        Line(text, polygon_from_bbox(*box), (Word(text, polygon_from_bbox(*box), confidence=0.9),))
        for text, box in lines
    )
    return Document((Page(640.0, 480.0, (Block(made[0].polygon, made),)),), source_format="test")


def test_side_text_reads_each_line_in_its_own_direction(loaded) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont

    from ocrviewer.gui.demo_export import side_text

    doc = _doc_of([("مرحبا بالعالم", (10, 10, 300, 40)), ("normal text", (10, 60, 300, 90))])
    text = side_text(doc, None, QFont(), 500, 10)
    assert text.size().width() == 500  # laid out
    block = text.begin()
    found = {}
    while block.isValid():
        line = block.layout().lineAt(0)
        found[block.text()] = (block.textDirection(), line.naturalTextRect().left())
        block = block.next()
    assert found["مرحبا بالعالم"][0] == Qt.LayoutDirection.RightToLeft
    assert found["normal text"][0] == Qt.LayoutDirection.LeftToRight
    assert (
        found["normal text"][1] < 20
    )  # at the column's left edge, not pushed to the right by the Arabic line
    assert found["مرحبا بالعالم"][1] > 200  # at its right edge


def test_a_label_wider_than_the_picture_stays_on_it(loaded) -> None:
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QFont

    from ocrviewer.core.geometry import FrameTransform
    from ocrviewer.gui.demo_export import label_tags

    long = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt" * 2
    loaded.state.set_response(_doc_of([(long, (20, 200, 620, 240))]), FrameTransform.identity(640, 480))
    data = loaded.canvas.layers["word"].data
    font = QFont()
    font.setPixelSize(24)
    area = QRectF(0, 0, 640, 480)
    [(tag, text)] = label_tags(data, np.arange(len(data)), 1.0, QPointF(0, 0), area, font)
    assert area.contains(tag), tag
    assert text.endswith("…") and text.startswith("Donaudampf")
