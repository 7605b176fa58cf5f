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


def _photo(path, orientation: int, noisy: bool, size=(1200, 1500)):
    """A displayed picture (noise: a photo's grain; else flat) saved as JPEG with ``orientation``."""
    import os

    from tests.support.images import save_oriented

    if noisy:
        shown = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        shown = Image.new("RGB", size, (245, 240, 230))
        shown.paste((30, 60, 160), (100, 200, 1100, 260))
    return save_oriented(shown, path, orientation, quality=90)


@pytest.mark.parametrize("orientation", [1, 6])
@pytest.mark.parametrize("noisy", [True, False])  # noise: rows stored; flat: deflated
def test_cli_render_png_has_the_pixels_pillow_composites(
    tmp_path, capsys, orientation: int, noisy: bool
) -> None:
    """`ocrviewer render` (picture decoded while the overlay is drawn, composited a band of rows at
    a time on its way into the PNG) writes exactly the pixels of Pillow's own decode, turn and
    one-piece composite, read back by Pillow's PNG reader."""
    from PIL import ImageOps

    from ocrviewer.cli import main
    from ocrviewer.core.render import draw_layers

    image = _photo(tmp_path / "photo.jpg", orientation, noisy)
    words = [
        (f"w{i}", (40 + (i % 9) * 125, 40 + (i // 9) * 70, 150 + (i % 9) * 125, 90 + (i // 9) * 70))
        for i in range(180)
    ]
    lay = R.layout(words, 1, (1200, 1500), "display", confidence=[0.5 + (i % 50) / 100 for i in range(180)])
    resp = R.write_response(tmp_path / "r.json", R.azure_read_v3_response(lay))
    out = tmp_path / "out.png"
    assert main(["render", str(image), "-r", str(resp), "-o", str(out)]) == 0
    capsys.readouterr()
    with Image.open(image) as im:
        base = ImageOps.exif_transpose(im).convert("RGB")
    layers = draw_layers(base, load_result(resp, image).document)
    reference = layers.picture
    assert layers.overlay is not None and layers.overlay.getbbox() is not None  # something was drawn
    reference.paste(layers.overlay, (0, 0), layers.overlay)
    with Image.open(out) as back:
        assert back.format == "PNG" and back.mode == "RGB" and back.size == (1200, 1500)
        assert back.tobytes() == reference.tobytes()
    assert (out.stat().st_size > 1200 * 1500 * 3) == noisy  # a photo's rows stored, a flat page deflated


def test_layers_png_is_the_composited_picture_and_composites_once(tmp_path) -> None:
    """A PNG written from Layers (composited band by band) equals the picture composited in one
    piece; afterwards the picture is composited, and composing again changes nothing."""
    import os

    from ocrviewer.core.render import Layers, encode_png

    size = (700, 2100)  # stored rows: several ~1 MB blocks of stored deflate blocks, the last short
    picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    overlay.paste((200, 30, 30, 56), (50, 50, 650, 2000))
    overlay.paste((30, 200, 30, 255), (100, 1000, 600, 1010))
    reference = picture.copy()
    reference.paste(overlay, (0, 0), overlay)
    layers = Layers(picture.copy(), overlay)
    data = encode_png(layers)
    # every chunk's CRC holds, and the rows inflate with their Adler-32 checked (Pillow checks neither)
    import struct
    import zlib

    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(kind + body)
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    assert len(zlib.decompress(idat)) == size[1] * (size[0] * 3 + 1)
    out = tmp_path / "o.png"
    out.write_bytes(data)
    with Image.open(out) as back:
        assert back.tobytes() == reference.tobytes()
    assert layers.composed().tobytes() == reference.tobytes()


def test_decode_ahead_hands_over_the_picture_or_the_error(tmp_path) -> None:
    from ocrviewer.core.imageio import DecodeAhead, load_display_image
    from ocrviewer.errors import ImageError
    from tests.support.images import make_headless_jpeg, make_truncated_jpeg

    image = _photo(tmp_path / "p.jpg", 6, False, (300, 200))
    ahead = DecodeAhead(image)
    assert ahead.size == (300, 200)
    assert ahead.result().tobytes() == load_display_image(image).tobytes()
    cut = DecodeAhead(make_truncated_jpeg(tmp_path / "cut.jpg", (640, 480)))
    assert cut.result().size == (640, 480) and "the lower part is missing" in (cut.note or "")
    assert ahead.note is None
    empty = DecodeAhead(make_headless_jpeg(tmp_path / "none.jpg", (640, 480)))
    with pytest.raises(ImageError, match="truncated or corrupt"):
        empty.result()
