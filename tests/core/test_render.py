"""The headless renderer: polygons in the right colours at the right displayed pixels."""

from __future__ import annotations

import pytest
from PIL import Image

from ocrviewer.core.loading import load_result
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from ocrviewer.core.palette import LEVEL_COLORS, NO_CONFIDENCE_COLOR, confidence_rgb, hex_to_rgb
from ocrviewer.core.render import parse_levels, render, save_png
from ocrviewer.errors import BadInput
from tests.support import responses as R
from tests.support.images import make_text_image

WHITE = (255, 255, 255)


def doc_of(*words: Word, size=(640, 480)) -> Document:
    line = Line("l", polygon_from_bbox(30, 30, 600, 300), words)
    block = Block(polygon_from_bbox(20, 20, 610, 310), (line,))
    return Document((Page(size[0], size[1], (block,)),))


def near(a, b, tol=3) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


@pytest.fixture
def blank(tmp_path):
    return make_text_image(tmp_path / "blank.png", 6, [], (640, 480), fmt="PNG", style="none")


def test_word_outline_and_fill_in_confidence_colours(blank) -> None:
    good = Word("good", polygon_from_bbox(100, 100, 200, 140), confidence=1.0)
    bad = Word("bad", polygon_from_bbox(300, 100, 400, 140), confidence=0.0)
    none = Word("none", polygon_from_bbox(100, 200, 200, 240), confidence=None)
    img = render(blank, doc_of(good, bad, none), levels=("word",), labels=False, legend=False)
    assert img.size == (640, 480) and img.mode == "RGB"
    assert near(img.getpixel((100, 120)), confidence_rgb(1.0))  # left edge of "good"
    assert near(img.getpixel((300, 120)), confidence_rgb(0.0))
    assert near(img.getpixel((100, 220)), hex_to_rgb(NO_CONFIDENCE_COLOR))
    inside = img.getpixel((150, 120))
    assert inside != WHITE and inside[1] > inside[0]  # a light green tint, the word still visible
    assert img.getpixel((250, 120)) == WHITE and img.getpixel((500, 400)) == WHITE


def test_levels_and_hidden_words(blank) -> None:
    low = Word("low", polygon_from_bbox(100, 100, 200, 140), confidence=0.2)
    img = render(blank, doc_of(low), levels="block,line", min_confidence=0.5, labels=False, legend=False)
    assert near(img.getpixel((20, 150)), hex_to_rgb(LEVEL_COLORS["block"]))
    assert near(img.getpixel((30, 150)), hex_to_rgb(LEVEL_COLORS["line"]))
    assert img.getpixel((100, 120)) == WHITE
    shown = render(blank, doc_of(low), levels=("word",), min_confidence=0.1, labels=False, legend=False)
    hidden = render(blank, doc_of(low), levels=("word",), min_confidence=0.5, labels=False, legend=False)
    assert shown.getpixel((100, 120)) != WHITE and hidden.getpixel((100, 120)) == WHITE


def test_labels_and_legend_are_drawn(blank, tmp_path) -> None:
    w = Word("Привет", polygon_from_bbox(100, 100, 260, 140), confidence=0.93)
    plain = render(blank, doc_of(w), levels=("word",), labels=False, legend=False)
    full = render(blank, doc_of(w), levels=("word",), labels=True, legend=True)
    # Label above the word, legend in the bottom-right corner.
    above = (100, 70, 260, 99)
    assert plain.crop(above).getcolors() == [(160 * 29, WHITE)]
    assert len(full.crop(above).getcolors(10_000)) > 2
    assert len(full.crop((500, 400, 640, 480)).getcolors(10_000)) > 2
    out = save_png(full, tmp_path / "out.png")
    with Image.open(out) as saved:
        assert saved.size == (640, 480)
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize("o", [3, 6])
def test_raw_frame_response_renders_on_the_displayed_boxes(tmp_path, o: int) -> None:
    words = [("word", (100, 100, 220, 150)), ("next", (300, 100, 420, 150))]
    image = make_text_image(tmp_path / "i.png", o, words, (640, 480), fmt="PNG", style="none")
    resp = R.write_response(
        tmp_path / "r.json", R.azure_read_v3_response(R.layout(words, o, (640, 480), "raw", confidence=1.0))
    )
    result = load_result(resp, image)
    img = render(image, result.document, levels=("word",), labels=False, legend=False)
    assert near(img.getpixel((100, 125)), confidence_rgb(1.0))
    assert near(img.getpixel((420, 125)), confidence_rgb(1.0))
    assert img.getpixel((250, 125)) == WHITE


def test_unknown_level_lists_the_valid_ones() -> None:
    with pytest.raises(BadInput, match="valid levels: block, line, word"):
        parse_levels("word,glyph")
    assert parse_levels(" Word , line,word") == ("word", "line")


def test_min_confidence_out_of_range(blank) -> None:
    with pytest.raises(BadInput, match="between 0 and 1"):
        render(blank, doc_of(), min_confidence=50)


def test_colours_are_stretched_like_the_window_and_the_legend_says_so(blank) -> None:
    from ocrviewer.core.palette import FULL_SCALE, fit_scale

    confs = (0.93, 0.99, 0.95, 0.97, 0.999, 0.91, 0.98, 0.96, 0.94)
    words = tuple(
        Word(f"w{i}", polygon_from_bbox(30 + 60 * i, 100, 80 + 60 * i, 140), confidence=c)
        for i, c in enumerate(confs)
    )
    doc = doc_of(*words)
    scale = fit_scale(confs)
    assert scale.stretched  # what the window shows for these words
    img = render(blank, doc, levels=("word",), labels=False, legend=False)
    low, high = img.getpixel((30 + 60 * 5, 120)), img.getpixel((30 + 60 * 1, 120))  # 0.91 and 0.99 edges
    assert near(low, scale.rgb(0.91)) and near(high, scale.rgb(0.99))
    assert low[0] > 200 and low[1] < 100  # 0.91 reads red, not the green of a 0..1 scale
    flat = render(blank, doc, levels=("word",), labels=False, legend=False, scale=FULL_SCALE)
    assert near(flat.getpixel((30 + 60 * 5, 120)), confidence_rgb(0.91))

    from PIL import ImageChops

    from ocrviewer.core.render import scale_legend_text

    assert scale_legend_text(scale) == ("word confidence (stretched: 5th pct to max)", "0.91", "1.00")
    assert scale_legend_text(FULL_SCALE) == ("word confidence", "0", "1")
    stretched = render(blank, doc, levels=("word",), labels=False)
    plain = render(blank, doc, levels=("word",), labels=False, scale=FULL_SCALE)
    below_words = (0, 200, 640, 480)  # where the legend goes: the corner with no words
    assert ImageChops.difference(stretched.crop(below_words), plain.crop(below_words)).getbbox() is not None


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize("noisy", [False, True])  # flat: deflated; noise: stored (deflate does not pay)
def test_png_is_written_in_blocks_and_reads_back_pixel_for_pixel(tmp_path, mode: str, noisy: bool) -> None:
    """The PNG goes to the file a block of rows at a time (several IDAT chunks, no whole-image
    copies); every pixel reads back, across block edges, stored or deflated."""
    import os
    import struct

    size = (1500, 700)  # ~1 MB blocks of 4,500-6,000-byte rows: 3-4 blocks, the last one short
    if noisy:
        img = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        img = Image.new(mode, size, (250, 250, 240, 255)[: len(mode)])
        img.paste((10, 20, 200, 128)[: len(mode)], (100, 170, 1400, 530))
    out = save_png(img, tmp_path / "out.png")
    data = out.read_bytes()
    kinds, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and kinds.count(b"IDAT") >= 3
    assert (len(data) > img.width * img.height * len(mode)) == noisy  # noise stored, flat deflated
    with Image.open(out) as back:
        assert back.mode == mode and back.tobytes() == img.tobytes()
