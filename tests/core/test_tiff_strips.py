"""Compressed TIFFs with a damaged strip: the page shows what its intact strips hold, with one line
naming the broken strip, and is not sent to a service.

Real TIFFs written by Pillow (libtiff) with each compression, then damaged the way files are:
bytes overwritten inside a strip, a strip's byte count running past the end of the file.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocrviewer.core.imageio import check_pixels, damage_note, load_display_frame, load_display_image
from ocrviewer.core.prepare import prepare_image
from ocrviewer.core.tiffstrips import check_page
from ocrviewer.errors import ImageError
from tests.support.cli import run

W, H = 400, 300


def _picture() -> Image.Image:
    a = np.zeros((H, W, 3), np.uint8)
    a[..., 0] = np.linspace(0, 255, W)[None, :]
    a[..., 1] = np.linspace(0, 255, H)[:, None]
    a[: H // 2, :, 2] = 200
    return Image.fromarray(a)


def _scan() -> Image.Image:
    """A bilevel page: black bars on white, what a G4 scan of text looks like to its decoder."""
    a = np.full((H, W), 255, np.uint8)
    for top in range(10, H, 20):
        a[top : top + 6, 20 : W - 20] = 0
    return Image.fromarray(a).convert("1")


def _tiff(compression: str, pages: int = 1) -> tuple[bytearray, tuple[int, ...], tuple[int, ...]]:
    """The file's bytes, its first page's strip offsets and byte counts (several strips a page)."""
    pic = _scan() if compression == "group4" else _picture()
    buf = io.BytesIO()
    strip = 8000 if compression == "group4" else 60000
    extra = [pic.copy() for _ in range(pages - 1)]
    pic.save(buf, "TIFF", compression=compression, strip_size=strip, save_all=pages > 1, append_images=extra)
    with Image.open(io.BytesIO(buf.getvalue())) as img:
        offsets, counts = img.tag_v2[273], img.tag_v2[279]
    assert len(offsets) >= 2
    return bytearray(buf.getvalue()), offsets, counts


def _set_last_count(data: bytearray, count: int) -> None:
    """Write ``count`` as the first page's last StripByteCounts value (a little-endian TIFF)."""
    ifd = struct.unpack("<I", data[4:8])[0]
    for i in range(struct.unpack("<H", data[ifd : ifd + 2])[0]):
        entry = ifd + 2 + 12 * i
        tag, kind, n, value = struct.unpack("<HHII", data[entry : entry + 12])
        if tag == 279:
            assert kind == 4  # LONG
            at = entry + 8 if n == 1 else value + 4 * (n - 1)
            data[at : at + 4] = struct.pack("<I", count)
            return
    raise AssertionError("no StripByteCounts")


def _rows(path: Path, index: int) -> tuple[int, int]:
    with Image.open(path) as img:
        per = img.tag_v2[278]
    return index * per, min(H, (index + 1) * per) - 1


COMPRESSIONS = ["tiff_lzw", "tiff_adobe_deflate", "packbits", "jpeg", "group4"]


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_a_strip_cut_off_by_the_end_of_the_file_is_named_and_the_rest_shows(
    tmp_path: Path, compression: str
) -> None:
    """The last strip's byte count runs past the end of the file (what a copy cut short in its
    last strip looks like to libtiff): that strip is black, the note names it, every strip before
    it is the picture's."""
    data, offsets, counts = _tiff(compression)
    last = len(offsets) - 1
    _set_last_count(data, counts[last] + 100_000)
    path = tmp_path / "scan.tif"
    path.write_bytes(bytes(data))
    shown = load_display_image(path)
    note = damage_note(shown)
    first, end = _rows(path, last)
    assert note is not None and note.startswith(
        f"the picture is damaged or cut short: strip {last + 1} of {len(offsets)} could not be decoded "
        f"(rows {first + 1}-{end + 1}, about "
    )
    assert "shown black" in note and "\n" not in note
    assert shown.getpixel((W // 2, H - 1)) == (0, 0, 0)
    reference = load_display_image(_intact(tmp_path, compression))
    assert _same(shown, reference, 0, first - 1)  # the intact strips show their pixels
    assert check_pixels(path) == note


def _intact(tmp_path: Path, compression: str) -> Path:
    path = tmp_path / "intact.tif"
    path.write_bytes(bytes(_tiff(compression)[0]))
    assert damage_note(load_display_image(path)) is None and check_pixels(path) is None
    return path


def _same(a: Image.Image, b: Image.Image, top: int, bottom: int) -> bool:
    x = np.asarray(a.convert("RGB"))[top : bottom + 1].astype(int)
    y = np.asarray(b.convert("RGB"))[top : bottom + 1].astype(int)
    return bool(np.abs(x - y).max() <= 2)


@pytest.mark.parametrize("compression", ["tiff_lzw", "tiff_adobe_deflate"])
def test_a_corrupt_strip_in_the_middle_leaves_the_strips_after_it_showing(
    tmp_path: Path, compression: str
) -> None:
    """Pillow's decode stops at a strip libtiff refuses; the strips after it are decoded around it."""
    data, offsets, counts = _tiff(compression)
    k = len(offsets) // 2
    data[offsets[k] + 2 : offsets[k] + counts[k]] = b"\x5a" * (counts[k] - 2)
    path = tmp_path / "scan.tif"
    path.write_bytes(bytes(data))
    shown = load_display_image(path)
    note = damage_note(shown) or ""
    first, last = _rows(path, k)
    assert f"strip {k + 1} of {len(offsets)} could not be decoded (rows {first + 1}-{last + 1}," in note
    reference = load_display_image(_intact(tmp_path, compression))
    assert _same(shown, reference, 0, first - 1) and _same(shown, reference, last + 1, H - 1)
    assert np.asarray(shown)[first : last + 1].max() == 0  # the broken strip is black, not garbage


@pytest.mark.parametrize("compression", ["group4", "jpeg", "packbits"])
def test_a_strip_its_decoder_complains_about_is_named_though_it_decodes(
    tmp_path: Path, compression: str
) -> None:
    """Damage libtiff's decoders only warn about (a G4 code word, libjpeg's "Corrupt JPEG data", a
    PackBits run too long): the rows come out wrong and used to show with nothing said."""
    data, offsets, counts = _tiff(compression)
    k = len(offsets) - 1
    mid = offsets[k] + counts[k] // 2
    data[mid : mid + 8] = b"\x13\x57\x9b\xdf\x02\x46\x8a\xce"
    path = tmp_path / "scan.tif"
    path.write_bytes(bytes(data))
    shown = load_display_image(path)
    first, last = _rows(path, k)
    assert damage_note(shown) == check_pixels(path)
    assert (
        f"strip {k + 1} of {len(offsets)} decoded with errors (rows {first + 1}-{last + 1}, its pixels may be wrong"
        in (damage_note(shown) or "")
    )
    reference = load_display_image(_intact(tmp_path, compression))
    assert _same(shown, reference, 0, first - 1)


def test_a_damaged_strip_on_page_two_names_that_page_only(tmp_path: Path) -> None:
    data, _, _ = _tiff("tiff_adobe_deflate", pages=2)
    with Image.open(io.BytesIO(bytes(data))) as img:
        img.seek(1)
        offsets, counts = img.tag_v2[273], img.tag_v2[279]
    data[offsets[1] + 2 : offsets[1] + counts[1]] = b"\x5a" * (counts[1] - 2)
    path = tmp_path / "pages.tif"
    path.write_bytes(bytes(data))
    assert damage_note(load_display_frame(path, 0)) is None
    note = damage_note(load_display_frame(path, 1)) or ""
    assert note.startswith(
        f"the picture is damaged or cut short: strip 2 of {len(offsets)} could not be decoded"
    )


def test_a_tiff_with_a_damaged_strip_is_not_recognized(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, offsets, counts = _tiff("group4")
    data[offsets[0] + counts[0] // 2 : offsets[0] + counts[0] // 2 + 8] = b"\x13\x57\x9b\xdf\x02\x46\x8a\xce"
    path = tmp_path / "scan.tif"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageError, match=r"strip 1 of \d+ decoded with errors.*so it is not sent"):
        prepare_image(path)
    code, out, err = run(capsys, "recognize", path, "--provider", "tesseract", "-o", tmp_path / "out.json")
    assert code != 0 and "strip 1 of" in err and "not sent" in err
    assert not (tmp_path / "out.json").exists()


def test_an_intact_compressed_tiff_is_checked_strip_by_strip_with_nothing_found(tmp_path: Path) -> None:
    for compression in COMPRESSIONS:
        path = tmp_path / f"{compression}.tif"
        data, offsets, _ = _tiff(compression)
        path.write_bytes(bytes(data))
        check = check_page(path, 0, H, _rows(path, 0)[1] + 1)
        assert check is not None and check.pieces == len(offsets) and check.broken == ()


def test_a_thumbnail_is_not_checked_strip_by_strip(tmp_path: Path) -> None:
    """A page strip's thumbnails of a 300-page scan would each cost a second decode for a note
    nobody reads there; the page shown full size says it."""
    data, offsets, counts = _tiff("group4")
    data[offsets[0] + counts[0] // 2 : offsets[0] + counts[0] // 2 + 8] = b"\x13\x57\x9b\xdf\x02\x46\x8a\xce"
    path = tmp_path / "scan.tif"
    path.write_bytes(bytes(data))
    assert damage_note(load_display_image(path, max_side=100)) is None
    assert damage_note(load_display_frame(path, 0, max_side=100)) is None
    assert "strip 1 of" in (damage_note(load_display_frame(path, 0)) or "")
