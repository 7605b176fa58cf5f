"""A TIFF of several pages (scans, faxes) is a document like a PDF: every page listed, each upright by
its own Orientation tag, in its own size and mode, decoded when asked for; render, info and
responses take its pages (``scan.tif#page=2``). A single-page TIFF stays a plain image.

The files are made in the tests (:func:`tests.support.documents.make_tiff`: RGB LZW, grey Deflate
turned 90 degrees, a 1-bit G4 fax page, 16-bit grey stored turned 270 degrees, CMYK upside down)
plus a real two-page G4 fax made by ImageMagick (tests/data/images/fax-2-pages-g4.tif)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.loading import load_document_result
from ocrviewer.core.sources import is_paged_file, open_source
from ocrviewer.core.workspace import source_kind
from ocrviewer.errors import ImageError
from tests.support.cli import one_error_line, run
from tests.support.documents import (
    TIFF_PAGES,
    azure_read_pixel_response,
    make_tiff,
    tiff_word_boxes,
    write_json,
)

FAX = Path(__file__).resolve().parents[1] / "data" / "images" / "fax-2-pages-g4.tif"
SIZES = [size for size, *_ in TIFF_PAGES]


def boxes_are_drawn(img: Image.Image, page: int) -> bool:
    """The page's word boxes are black inside and white just outside, where the page shows them."""
    grey = img.convert("L")
    return all(
        grey.getpixel((left + 3, top + 3)) < 60  # type: ignore[operator]
        and grey.getpixel((right - 3, bottom - 3)) < 60  # type: ignore[operator]
        and grey.getpixel((left - 3, top - 3)) > 200  # type: ignore[operator]
        and grey.getpixel((right + 3, bottom + 3)) > 200  # type: ignore[operator]
        for left, top, right, bottom in tiff_word_boxes(page)
    )


@pytest.fixture
def tiff(tmp_path: Path) -> Path:
    return make_tiff(tmp_path / "scan.tif")


def test_every_page_opens_upright_in_its_own_size_and_mode(tiff: Path) -> None:
    with open_source(tiff) as source:
        assert source.kind == "tiff" and len(source.pages) == 5
        assert [p.name for p in source.pages] == [f"scan.tif#page={i}" for i in range(1, 6)]
        assert [p.label for p in source.pages] == [f"page {i}" for i in range(1, 6)]
        assert [p.size for p in source.pages] == SIZES
        assert [p.info().orientation for p in source.pages] == [1, 6, 1, 8, 3]
        assert source.pages[1].info().raw_size == (420, 300)  # stored turned
        for i, page in enumerate(source.pages):
            img = page.render()
            assert img.mode == "RGB" and img.size == SIZES[i]
            assert boxes_are_drawn(img, i), f"page {i + 1} is not upright or not converted"
        thumb = source.pages[1].render(max_side=64)
        assert max(thumb.size) == 64 and thumb.height > thumb.width  # page 2 is portrait once turned
        digests = {p.sha256() for p in source.pages}
        assert len(digests) == 5 and source.pages[2].sha256() == source.pages[2].sha256()


def test_the_real_fax_opens_as_two_pages_and_a_single_page_tiff_stays_an_image(tmp_path: Path) -> None:
    with open_source(FAX) as fax:
        assert fax.kind == "tiff" and [p.size for p in fax.pages] == [(160, 60), (160, 60)]
        one, two = (p.render().convert("L") for p in fax.pages)
        assert one.getbbox() is not None and one.tobytes() != two.tobytes()
    single = tmp_path / "one.tif"
    Image.new("L", (50, 30), 255).save(single, compression="tiff_lzw")
    with open_source(single) as source:
        assert source.kind == "image" and len(source.pages) == 1 and source.pages[0].name == "one.tif"
    assert not is_paged_file(single) and is_paged_file(FAX)
    assert (source_kind(single), source_kind(FAX)) == ("image", "tiff")
    # an animation keeps its first frame, with the note
    gif = FAX.with_name("animated-2-frames.gif")
    with open_source(gif) as source:
        assert source.kind == "image"
        assert "only the first frame" in (source.pages[0].info().frames_note or "")


def test_pages_render_side_by_side_from_several_threads(tiff: Path) -> None:
    """A window's thumbnails and prefetches and a batch's pool render pages at once: each render has
    its own handle (Pillow's image objects are not thread-safe)."""
    with open_source(tiff) as source:
        alone = [p.render().tobytes() for p in source.pages]
        got: dict[tuple[int, int], bytes] = {}
        errors: list[BaseException] = []

        def work(t: int) -> None:
            try:
                for i in [*range(5), *reversed(range(5))]:
                    got[(t, i)] = source.pages[i].render().tobytes()
            except BaseException as err:  # reported below
                errors.append(err)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors
        assert all(got[(t, i)] == alone[i] for t in range(4) for i in range(5))


def test_a_damaged_page_fails_alone(tiff: Path, tmp_path: Path) -> None:
    """Page 2's compressed data overwritten: page 2 says it is damaged, naming itself; the others
    still render (each page is decoded on its own, when asked for)."""
    data = bytearray(tiff.read_bytes())
    with Image.open(tiff) as img:
        img.seek(1)
        strips = zip(img.tag_v2[273], img.tag_v2[279], strict=True)
        for offset, count in strips:
            data[offset : offset + count] = bytes(count)
    bad = tmp_path / "bad.tif"
    bad.write_bytes(bytes(data))
    with open_source(bad) as source:
        assert len(source.pages) == 5 and source.pages[1].size == (300, 420)
        with pytest.raises(ImageError, match=r"bad\.tif#page=2: image is truncated or corrupt"):
            source.pages[1].render()
        for i in (0, 2, 4):
            assert boxes_are_drawn(source.pages[i].render(), i)


def test_info_lists_every_page_and_how_each_is_stored(capsys, tiff: Path) -> None:
    code, out, _ = run(capsys, "info", tiff)
    assert code == 0
    assert out.splitlines()[:7] == [
        f"document: {tiff}",
        "  kind: tiff, 5 page(s)",
        "  page 1: 400x200",
        "  page 2: 300x420 (stored 420x300, orientation 6: rotate 90 CW)",
        "  page 3: 480x240",
        "  page 4: 360x260 (stored 260x360, orientation 8: rotate 270 CW)",
        "  page 5: 320x240 (stored 320x240, orientation 3: rotate 180)",
    ]
    assert "only page 1" not in out


def test_a_response_of_several_pages_lands_page_by_page_and_render_page_two_draws_it(
    capsys, tiff: Path, tmp_path: Path
) -> None:
    resp = write_json(tmp_path / "scan.azure.json", azure_read_pixel_response(SIZES, [0, 1, 3]))
    with open_source(tiff) as source:
        result = load_document_result(source, resp)
        assert result.covered == (0, 1, 3)
        page2 = result.page(1)
        assert page2 is not None and (page2.width, page2.height) == (300, 420)
        word = next(page2.words())
        assert word.text == "p2w0" and word.bbox == pytest.approx(tiff_word_boxes(1)[0], abs=1)
    out = tmp_path / "p2.png"
    code, stdout, err = run(capsys, "render", tiff, "-r", resp, "--page", "2", "-o", out, "--no-labels")
    assert code == 0, err
    assert f"wrote {out} (300x420)" in stdout and "note" not in err
    with Image.open(out) as drawn:
        assert drawn.size == (300, 420)
        # page 2's own pixels (its boxes where page 2 has them, not where page 1 has them)
        left, top, right, bottom = tiff_word_boxes(1)[1]
        r, g, b = drawn.convert("RGB").getpixel(((left + right) // 2, (top + bottom) // 2))  # type: ignore[misc]
        assert max(r, g, b) < 90
        left, top, right, bottom = tiff_word_boxes(0)[1]
        assert min(drawn.convert("RGB").getpixel(((left + right) // 2, top + 3))) > 200  # type: ignore[arg-type]
    code, _, err = run(capsys, "render", tiff, "-r", resp, "--page", "9", "-o", tmp_path / "p9.png")
    assert code == 1
    one_error_line(err, "--page", "1..5")
    assert "only page 1" not in err


def test_every_page_exports_naming_its_page(capsys, tiff: Path, tmp_path: Path) -> None:
    resp = write_json(tmp_path / "scan.azure.json", azure_read_pixel_response(SIZES, [0, 1, 2, 3, 4]))
    out = tmp_path / "all.json"
    code, _, err = run(capsys, "export", "-r", resp, tiff, "-o", out)
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["extras"]["ocrviewer"]["source_kind"] == "tiff"
    assert data["extras"]["ocrviewer"]["pages_covered"] == [1, 2, 3, 4, 5]
    assert [(p["width"], p["height"]) for p in data["pages"]] == SIZES


@pytest.mark.parametrize("orientation", [6, 8])
def test_an_uncompressed_tiff_stored_turned_opens_upright(tmp_path: Path, orientation: int) -> None:
    """Pillow memory-maps an uncompressed TIFF with its size after the turn: a single-page scan
    stored turned (Orientation 6 or 8) came out unturned, in sheared stripes, 300x100 for 100x300."""
    from PIL import ImageDraw

    from ocrviewer.core.imageio import load_display_image

    stored = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(stored).rectangle((0, 0, 49, 19), fill=0)  # the stored top-left corner
    path = tmp_path / "turned.tif"
    stored.save(path, tiffinfo={274: orientation})
    with open_source(path) as source:
        assert source.kind == "image" and source.pages[0].size == (100, 300)
    shown = load_display_image(path).convert("L")
    assert shown.size == (100, 300)
    # turned 90 degrees clockwise (6) the corner is at the top right; counter-clockwise (8), bottom left
    corner = (90, 10) if orientation == 6 else (10, 290)
    assert shown.getpixel(corner) == 0 and shown.getpixel((50, 150)) == 255


def test_a_searchable_pdf_of_a_tiff_has_every_page_at_the_resolution_it_states(
    capsys, tmp_path: Path
) -> None:
    """Page 1 states 200 dpi, page 2 (a fax page) 100 dpi: each is printed at its own size."""
    from PIL import TiffImagePlugin

    path = tmp_path / "fax.tif"
    with TiffImagePlugin.AppendingTiffWriter(str(path), new=True) as tf:
        for size, dpi in (((400, 200), 200), ((300, 150), 100)):
            Image.new("L", size, 255).convert("1").save(
                tf, format="TIFF", compression="group4", dpi=(dpi, dpi)
            )
            tf.newFrame()
    resp = write_json(tmp_path / "r.json", azure_read_pixel_response([(400, 200), (300, 150)], [0, 1]))
    out = tmp_path / "searchable.pdf"
    code, stdout, err = run(capsys, "export", "-r", resp, path, "-o", out)
    assert code == 0, err
    assert "2 of 2 pages" in stdout
    with open_source(out, dpi=72) as pdf:  # at 72 dpi a page's pixels are its points
        assert [p.size for p in pdf.pages] == [(144, 72), (216, 108)]
