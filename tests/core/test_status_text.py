"""The status bar's wording (core.status_text): zoom, pointer position and element counts, no window."""

from __future__ import annotations

from ocrviewer.core.geometry import orient_point
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from ocrviewer.core.status_text import count_text, position_text, zoom_text


def test_zoom_in_whole_percents_and_one_digit_below_one() -> None:
    assert zoom_text(1.0) == "100%"
    assert zoom_text(0.254) == "25%"
    assert zoom_text(0.005) == "0.5%"  # a 100000x10 strip fitted to the window, not "0%"
    assert zoom_text(0.0) == "0%"


def test_position_names_the_displayed_and_the_stored_pixel() -> None:
    """A photo stored on its side (EXIF 6): the point shown is another point of the stored pixels."""
    info = ImageInfo("p.jpg", "JPEG", raw_width=400, raw_height=300, orientation=6)
    assert info.display_size == (300, 400)
    x, y = orient_point(6, 350, 20, 400, 300)  # stored (350, 20), where it shows
    assert position_text(info, x, y) == f"displayed {x:.0f}, {y:.0f}  ·  raw 350, 20"
    upright = ImageInfo("p.png", "PNG", raw_width=400, raw_height=300)
    assert position_text(upright, 10, 20) == "displayed 10, 20  ·  raw 10, 20"


def test_position_outside_the_image_or_without_one_is_blank() -> None:
    info = ImageInfo("p.png", "PNG", raw_width=400, raw_height=300)
    assert position_text(info, 400, 10) == "" and position_text(info, -1, 10) == ""
    assert position_text(None, 10, 10) == ""


def _doc(words: int) -> Document:
    made = tuple(Word(f"w{i}", polygon_from_bbox(i * 10, 0, i * 10 + 8, 8), 0.9) for i in range(words))
    line = Line(" ".join(w.text for w in made), polygon_from_bbox(0, 0, words * 10, 8), made)
    return Document((Page(100.0, 100.0, (Block(line.polygon, (line,)),)),))


def test_counts_say_how_many_words_are_shown_when_some_are_hidden() -> None:
    assert count_text(_doc(1), 1) == "1 block · 1 line · 1 word"
    assert count_text(_doc(3), 3) == "1 block · 1 line · 3 words"
    assert count_text(_doc(3), 2) == "1 block · 1 line · 2/3 words"
    assert count_text(None, 0) == ""
