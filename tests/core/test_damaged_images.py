"""Files damaged or cut short: what can be decoded is shown, with one line saying what is missing.

Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` is a process-wide switch the viewer never sets: each
file is read on its own terms (a JPEG cut short is given its end marker, other formats keep the
rows decoded before their data ended), and a file of which nothing decodes stays an error.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from ocrviewer.core.imageio import (
    check_pixels,
    damage_note,
    load_display_image,
    load_preview,
    load_preview_pixels,
    load_stored_pixels,
)
from ocrviewer.core.prepare import prepare_image
from ocrviewer.errors import ImageError
from tests.support import responses as R
from tests.support.cli import run

GREY = (128, 128, 128)


def _picture(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Colour everywhere (no mid-grey row), so a grey band can only be libjpeg's filling."""
    w, h = size
    a = np.zeros((h, w, 3), np.uint8)
    a[..., 0] = np.linspace(0, 255, w)[None, :]
    a[..., 1] = np.linspace(0, 255, h)[:, None]
    a[: h // 2, :, 2] = 200
    return Image.fromarray(a)


def _jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    buf = io.BytesIO()
    _picture(size).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _scan_middle(data: bytes) -> int:
    sos = data.find(b"\xff\xda")
    return sos + (len(data) - sos) // 2


def test_pillow_is_not_switched_to_loading_truncated_images_for_everyone(tmp_path: Path) -> None:
    cut = tmp_path / "cut.jpg"
    data = _jpeg()
    cut.write_bytes(data[: len(data) // 2])
    load_display_image(cut)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with Image.open(cut) as img, pytest.raises(OSError, match="truncated"):
        img.load()  # Pillow itself, elsewhere in the process, still refuses it


@pytest.mark.parametrize("damage", ["bytes-dropped", "marker-in-scan"])
def test_a_jpeg_with_corrupt_scan_data_shows_its_grey_bottom_with_a_note(tmp_path: Path, damage: str) -> None:
    """Bytes lost in the middle of the scan (a download that skipped a block), or a marker where
    scan data should be: libjpeg stops early and fills the rest with grey, without an error."""
    data = _jpeg()
    mid = _scan_middle(data)
    bad = (
        data[:mid] + data[mid + 1500 :]
        if damage == "bytes-dropped"
        else data[:mid] + b"\xff\xd9" + data[mid:]
    )
    path = tmp_path / "photo.jpg"
    path.write_bytes(bad)
    shown = load_display_image(path)
    note = damage_note(shown)
    assert note is not None
    assert note.startswith("the picture is damaged or cut short: the lower part is missing (about ")
    assert note.endswith("shown grey); re-export or re-download the file for the whole picture")
    assert shown.size == (400, 300) and shown.getpixel((200, 299)) == GREY
    assert shown.getpixel((200, 10)) != GREY
    # every way the viewer decodes it says so: the quick preview, the fast paths and the check
    assert "the lower part is missing" in (damage_note(load_preview(path, 100)) or "")
    fast = load_preview_pixels(path, 100)
    stored = load_stored_pixels(path)
    assert fast is not None and "the lower part is missing" in (fast.note or "")
    assert stored is not None and stored.note == note
    assert check_pixels(path)


@pytest.mark.parametrize("colour", ["gray", (128, 128, 128)])
def test_a_whole_jpeg_that_is_mid_grey_is_not_called_damaged(tmp_path: Path, colour: object) -> None:
    path = tmp_path / "grey.jpg"
    Image.new("RGB", (320, 240), colour).save(path)  # type: ignore[arg-type]
    assert damage_note(load_display_image(path)) is None
    stored = load_stored_pixels(path)
    assert stored is not None and stored.note is None
    assert check_pixels(path) is None
    half = tmp_path / "half.jpg"
    a = np.full((240, 320, 3), 128, np.uint8)
    a[:100] = (200, 30, 30)
    Image.fromarray(a).save(half, quality=95)
    assert damage_note(load_display_image(half)) is None


def test_a_png_cut_short_shows_its_top_rows_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    _picture().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    shown = load_display_image(path)
    note = damage_note(shown)
    assert note is not None and "the lower part is missing" in note and "shown black" in note
    assert shown.getpixel((200, 299)) == (0, 0, 0) and shown.getpixel((200, 5))[1] < 20
    assert shown.getpixel((390, 5))[0] > 200  # the top rows are the picture's
    assert check_pixels(path) == note


def test_a_palette_png_with_transparency_cut_short_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    img = _picture().convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    img.save(path, transparency=0)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    shown = load_display_image(path)
    assert shown.mode == "RGBA" and damage_note(shown) is not None


@pytest.mark.parametrize("compression", [None, "packbits"])
def test_a_tiff_cut_short_shows_its_top_strips_with_a_note(tmp_path: Path, compression: str | None) -> None:
    """The TIFF's directory comes before its strips here (as scanners write it), so the header
    survives the cut; the strips that are gone are black."""
    import struct

    path = tmp_path / "scan.tif"
    pic = _picture()
    pic.save(path, compression=compression, rowsperstrip=16)
    with Image.open(path) as img:
        offsets = img.tag_v2[273]
    data = path.read_bytes()
    ifd = struct.unpack("<I", data[4:8])[0]
    assert ifd < offsets[0] or ifd > offsets[-1]
    if ifd > offsets[-1]:  # the directory is gone with the end of the file: nothing to show
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(ImageError, match="re-export or re-download it"), pytest.warns(UserWarning):
            load_display_image(path)  # (Pillow warns of the directory it cannot read)
        return
    cut = offsets[0] + (len(data) - offsets[0]) // 2
    path.write_bytes(data[:cut])
    shown = load_display_image(path)
    note = damage_note(shown)
    assert note is not None and "the lower part is missing" in note
    assert shown.getpixel((200, 299)) == (0, 0, 0) and shown.getpixel((200, 5)) != (0, 0, 0)


def test_a_damaged_picture_is_not_sent_to_a_service(tmp_path: Path) -> None:
    path = tmp_path / "cut.jpg"
    data = _jpeg()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError) as err:
        prepare_image(path)
    message = str(err.value)
    assert message.startswith(f"{path}: the picture is damaged or cut short") and "not sent" in message
    assert "\n" not in message


@pytest.mark.parametrize("command", ["info", "render"])
def test_the_command_line_notes_a_corrupt_jpeg_on_stderr(capsys, tmp_path: Path, command: str) -> None:  # type: ignore[no-untyped-def]
    data = _jpeg((640, 480))
    mid = _scan_middle(data)
    path = tmp_path / "photo.jpg"
    path.write_bytes(data[:mid] + data[mid + 3000 :])
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    extra = ["-o", tmp_path / "o.png"] if command == "render" else []
    code, out, err = run(capsys, command, path, "-r", resp, *extra)
    assert code == 0, err
    notes = [line for line in err.splitlines() if "damaged" in line]
    assert len(notes) == 1 and notes[0].startswith(
        f"ocrviewer: note: {path}: the picture is damaged or cut short"
    )
    if command == "render":
        with Image.open(tmp_path / "o.png") as drawn:
            assert drawn.convert("RGB").getpixel((630, 478)) == GREY
    else:
        assert "  note: the picture is damaged or cut short" in out


def _cut(tmp_path: Path, name: str, save: object, share: float = 0.6) -> Path:
    buf = io.BytesIO()
    save(buf)  # type: ignore[operator]
    data = buf.getvalue()
    path = tmp_path / name
    path.write_bytes(data[: int(len(data) * share)])
    return path


@pytest.mark.parametrize(
    ("name", "save", "side", "size"),
    [
        ("scan.bmp", lambda b: _picture().save(b, "BMP"), "upper part", (400, 300)),  # rows stored bottom-up
        ("scan.ppm", lambda b: _picture().save(b, "PPM"), "lower part", (400, 300)),
        (
            "scan16.png",
            lambda b: Image.fromarray(np.asarray(_picture().convert("L")).astype(np.uint16) * 257).save(
                b, "PNG"
            ),
            "lower part",
            (400, 300),
        ),
        ("grey.jpg", lambda b: _picture().convert("L").save(b, "JPEG"), "lower part", (400, 300)),
        ("turned.jpg", lambda b: _picture().save(b, "JPEG", exif=_exif(6)), "left part", (300, 400)),
        ("turned8.jpg", lambda b: _picture().save(b, "JPEG", exif=_exif(8)), "right part", (300, 400)),
        (
            "progressive.jpg",
            lambda b: _picture().save(b, "JPEG", progressive=True),
            "detail may be missing",
            (400, 300),
        ),
    ],
)
def test_every_kind_of_file_cut_short_says_which_part_is_missing(
    tmp_path: Path, name: str, save: object, side: str, size: tuple[int, int]
) -> None:
    """The side named is the side of the picture as displayed: a photo stored turned (EXIF 6) that
    lost the end of its data lacks its left part; a BMP, stored bottom-up, its upper part; a
    progressive JPEG has every row, but not all of its detail."""
    path = _cut(tmp_path, name, save)
    shown = load_display_image(path)
    note = damage_note(shown)
    assert shown.size == size and note is not None and side in note, note


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


@pytest.mark.parametrize(
    ("name", "save"),
    [
        ("photo.webp", lambda b: _picture().save(b, "WEBP")),
        ("scan.jp2", lambda b: _picture().save(b, "JPEG2000")),
    ],
)
def test_a_file_cut_short_that_its_decoder_cannot_start_on_is_a_one_line_error(
    tmp_path: Path, name: str, save: object
) -> None:
    path = _cut(tmp_path, name, save)
    with pytest.raises(ImageError) as err:
        load_display_image(path)
    message = str(err.value)
    assert message.startswith(f"{path}: image is truncated or corrupt") and "re-download" in message
    assert "\n" not in message


def test_a_png_whose_image_data_is_corrupt_says_so_and_a_black_bottom_is_no_damage(tmp_path: Path) -> None:
    """zlib stops at the corrupt bytes and Pillow leaves the rows after them black without a word."""
    buf = io.BytesIO()
    _picture().save(buf, "PNG")
    data = bytearray(buf.getvalue())
    mid = len(data) // 2
    data[mid : mid + 50] = bytes(50)
    path = tmp_path / "scan.png"
    path.write_bytes(bytes(data))
    shown = load_display_image(path)
    note = damage_note(shown)
    assert note is not None and "the lower part is missing" in note and "shown black" in note
    assert shown.getpixel((200, 299)) == (0, 0, 0)
    dark = tmp_path / "dark.png"
    a = np.asarray(_picture()).copy()
    a[200:] = 0  # a black band at the bottom, as a scan's border
    Image.fromarray(a).save(dark)
    assert damage_note(load_display_image(dark)) is None and check_pixels(dark) is None


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_missing_only_its_end_marker_is_whole_and_not_called_damaged(
    tmp_path: Path, progressive: bool
) -> None:
    """Some cameras and writers leave off the final FFD9: every scan is there. Pillow refused it
    ('image file is truncated (2 bytes not processed)'); a note would have been a false alarm."""
    buf = io.BytesIO()
    _picture().save(buf, "JPEG", progressive=progressive)
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(buf.getvalue())
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(buf.getvalue()[:-2])
    shown = load_display_image(cut)
    assert damage_note(shown) is None and shown.tobytes() == load_display_image(whole).tobytes()
    stored = load_stored_pixels(cut)
    assert stored is not None and stored.note is None
    assert check_pixels(cut) is None
