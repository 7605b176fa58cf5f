"""Reading images: sizes and orientation from the header, displayed pixels, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ocrviewer.core import imageio
from ocrviewer.core.imageio import (
    check_pixels,
    damage_note,
    load_display_image,
    load_preview,
    load_preview_pixels,
    load_stored_pixels,
    read_image_info,
    reduce_pixels,
    rgb_pixels,
    upright_pixels,
)
from ocrviewer.errors import ImageError
from tests.support.images import (
    DEFAULT_DISPLAY_SIZE,
    DEFAULT_WORDS,
    ORIENTATIONS,
    make_bomb_png,
    make_headless_jpeg,
    make_text_image,
    make_truncated_jpeg,
)


@pytest.mark.parametrize("o", ORIENTATIONS)
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
def test_info_and_displayed_pixels_for_every_orientation(tmp_path, o: int, fmt: str) -> None:
    path = make_text_image(tmp_path / f"o{o}.{fmt.lower()}", o, fmt=fmt)
    info = read_image_info(path)
    assert info.orientation == o
    assert info.display_size == DEFAULT_DISPLAY_SIZE
    assert info.raw_size == (DEFAULT_DISPLAY_SIZE if o in (1, 2, 3, 4) else DEFAULT_DISPLAY_SIZE[::-1])
    assert info.format == fmt
    shown = load_display_image(path)
    assert shown.size == DEFAULT_DISPLAY_SIZE
    # The first word's box is black as displayed, the margin white.
    left, top, right, bottom = DEFAULT_WORDS[0][1]
    assert max(shown.getpixel((int(left + right) // 2, int(top + bottom) // 2))) < 60
    assert min(shown.getpixel((5, 5))) > 200


def test_preview_decode_is_bounded(tmp_path) -> None:
    path = make_text_image(tmp_path / "big.jpg", 6, display_size=(1200, 900))
    shown = load_display_image(path, max_side=300)
    assert max(shown.size) <= 300 and shown.size[0] > shown.size[1]


def test_missing_file(tmp_path) -> None:
    with pytest.raises(ImageError, match="no such image"):
        read_image_info(tmp_path / "nope.jpg")


def test_not_an_image(tmp_path) -> None:
    p = tmp_path / "x.jpg"
    p.write_text("hello")
    with pytest.raises(ImageError, match="not an image"):
        read_image_info(p)


def test_a_truncated_jpeg_shows_what_it_holds_with_a_note(tmp_path) -> None:
    path = make_truncated_jpeg(tmp_path / "cut.jpg")
    read_image_info(path)  # the header is intact
    shown = load_display_image(path)
    note = damage_note(shown)
    assert note is not None and note.startswith(
        "the picture is damaged or cut short: the lower part is missing"
    )
    assert "re-download" in note and "\n" not in note
    assert shown.size == (200, 150) and shown.getpixel((100, 149)) == (128, 128, 128)  # libjpeg's grey
    assert shown.getpixel((100, 5)) != (128, 128, 128)  # the top half is the picture


def test_a_jpeg_cut_before_its_first_pixel_is_an_error(tmp_path) -> None:
    path = make_headless_jpeg(tmp_path / "cut.jpg")
    read_image_info(path)  # the header is intact
    with pytest.raises(ImageError) as err:
        load_display_image(path)
    assert "truncated or corrupt" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ImageError, match="nothing of the picture could be decoded"):
        check_pixels(path)


def test_decompression_bomb(tmp_path) -> None:
    path = make_bomb_png(tmp_path / "bomb.png")
    with pytest.raises(ImageError, match="too large"):
        read_image_info(path)


def test_pixel_limit_is_honoured(tmp_path, monkeypatch) -> None:
    path = make_text_image(tmp_path / "a.png", 1, fmt="PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageError, match="too large"):
        load_display_image(path)


def test_a_folder_is_not_called_missing(tmp_path) -> None:
    with pytest.raises(ImageError, match="is a folder, not an image") as err:
        read_image_info(tmp_path)
    assert "no such" not in str(err.value)


def test_unreadable_file_says_permission(tmp_path, monkeypatch) -> None:
    # chmod 000 does not stop root (CI containers), so Pillow's open is made to fail as the OS would.
    path = make_text_image(tmp_path / "a.jpg", 1)

    def denied(fp, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(fp))

    monkeypatch.setattr(Image, "open", denied)
    with pytest.raises(ImageError) as err:
        read_image_info(path)
    message = str(err.value)
    assert str(path) in message and "permission denied" in message and "permissions" in message
    assert "Errno" not in message and "\n" not in message


def test_check_pixels_finds_a_cut_off_file(tmp_path) -> None:
    good = make_text_image(tmp_path / "ok.jpg", 6)
    assert check_pixels(good) is None
    assert check_pixels(make_text_image(tmp_path / "ok.png", 3, fmt="PNG")) is None
    cut = make_truncated_jpeg(tmp_path / "cut.jpg", (640, 480))
    assert "the lower part is missing" in (check_pixels(cut) or "")
    png = make_text_image(tmp_path / "cut.png", 1, fmt="PNG")
    png.write_bytes(png.read_bytes()[:-400])
    assert "the lower part is missing" in (check_pixels(png) or "")
    with pytest.raises(ImageError, match="truncated or corrupt"):
        check_pixels(make_headless_jpeg(tmp_path / "none.jpg"))


def test_between_the_pixel_limit_and_twice_it_opens_without_a_warning(tmp_path, monkeypatch) -> None:
    # Pillow only warns there (two lines on stderr from the CLI); warnings are errors in this suite.
    path = make_text_image(tmp_path / "a.jpg", 6)  # 640 x 480 = 307,200 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200_000)
    assert read_image_info(path).display_size == DEFAULT_DISPLAY_SIZE
    assert load_display_image(path).size == DEFAULT_DISPLAY_SIZE
    check_pixels(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # more than twice: refused
    with pytest.raises(ImageError, match="too large"):
        read_image_info(path)


def test_quick_preview_is_upright_and_near_the_asked_size(tmp_path) -> None:
    path = make_text_image(tmp_path / "big.jpg", 6, display_size=(2400, 1800))
    shown = load_preview(path, 600)
    # JPEG draft at 1/4 (600 x 450): at least 2/3 of the asked side, never more
    assert 400 <= max(shown.size) <= 600 and shown.size[0] > shown.size[1]
    png = make_text_image(tmp_path / "big.png", 6, display_size=(1200, 900), fmt="PNG")
    assert load_preview(png, 300).size == (300, 225)


@pytest.mark.parametrize("o", ORIENTATIONS)
def test_fast_preview_pixels_are_pillows_preview_for_every_orientation(tmp_path, o: int) -> None:
    path = make_text_image(tmp_path / f"o{o}.jpg", o, display_size=(2400, 1800))
    fast = load_preview_pixels(path, 600)
    slow = load_preview(path, 600)  # draft + exif_transpose, as Pillow shows it
    assert fast is not None and fast.orientation == 1 and fast.size == slow.size == (600, 450)
    assert fast.image.convert("RGB").tobytes() == slow.tobytes()  # same pixels, same places
    # and they are the picture: the first word's black box where it is displayed
    left, top, right, bottom = (v / 4 for v in DEFAULT_WORDS[0][1])
    assert max(fast.image.getpixel((int((left + right) / 2), int((top + bottom) / 2)))[:3]) < 80
    # in Qt's byte order (blue, green, red, 255) for the window: the same pixels, red and blue traded
    native = load_preview_pixels(path, 600, order="BGRX")
    assert native is not None and native.order == "BGRX" and native.size == fast.size
    rgbx = np.frombuffer(fast.buffer, np.uint8).reshape(-1, 4)
    bgrx = np.frombuffer(native.buffer, np.uint8).reshape(-1, 4)
    assert (bgrx[:, :3] == rgbx[:, 2::-1]).all() and (bgrx[:, 3] == 255).all()


def test_fast_preview_of_a_cut_off_jpeg_shows_its_top_with_a_note(tmp_path) -> None:
    cut = make_truncated_jpeg(tmp_path / "cut.jpg", (1600, 1200))
    fast = load_preview_pixels(cut, 300)
    assert fast is not None and fast.note is not None and "the lower part is missing" in fast.note
    assert fast.image.getpixel((fast.size[0] // 2, fast.size[1] - 1))[:3] == (128, 128, 128)
    stored = load_stored_pixels(cut)
    assert stored is not None and stored.note is not None and "lower part" in stored.note
    with pytest.raises(ImageError, match="truncated or corrupt"):
        load_preview_pixels(make_headless_jpeg(tmp_path / "none.jpg"), 300)


@pytest.mark.parametrize("block", [64, 1000, 4096, 1 << 20])
def test_fast_preview_pixels_are_the_same_whatever_the_read_block(tmp_path, monkeypatch, block: int) -> None:
    """The file reaches libjpeg a block at a time; what it leaves unread of one block (the MCU in
    progress, a marker cut in two: 64 bytes is less than a Huffman table) comes again with the next."""
    path = make_text_image(tmp_path / "photo.jpg", 6, display_size=(2400, 1800))
    slow = load_preview(path, 600)
    monkeypatch.setattr(imageio, "PREVIEW_READ_BLOCK", block)
    fast = load_preview_pixels(path, 600)
    assert fast is not None and fast.size == slow.size
    assert fast.image.convert("RGB").tobytes() == slow.tobytes()


@pytest.mark.parametrize("block", [4096, 1 << 20])
def test_a_jpeg_cut_short_by_another_program_during_the_decode_does_not_kill_the_viewer(
    tmp_path, block: int
) -> None:
    """Another program truncates the photo the moment libjpeg starts on it (a scanner or an editor
    saving over it): the preview is the picture as read when the file fitted in the first block,
    else what was read with a note, and the process lives (a file mapped into memory instead would die of
    SIGBUS). Run in a child so a crash is a failure here."""
    import subprocess
    import sys

    path = make_text_image(tmp_path / "photo.jpg", 6, display_size=(2400, 1800))
    expected = load_preview_pixels(path, 600)
    assert expected is not None
    whole = path.stat().st_size <= block
    assert whole == (block > 4096)  # one case read whole before the cut, one cut while read
    script = (
        "import os, sys\n"
        "from ocrviewer.core import imageio\n"
        "from ocrviewer.errors import ImageError\n"
        "path = sys.argv[1]\n"
        f"imageio.PREVIEW_READ_BLOCK = {block}\n"
        "try:\n"
        "    px = imageio.load_preview_pixels(path, 600, decoding=lambda: os.truncate(path, 0))\n"
        "except ImageError as err:\n"
        "    sys.stdout.write(f'error: {err}')\n"
        "else:\n"
        "    sys.stdout.write(f'note: {px.note}') if px.note else sys.stdout.buffer.write(bytes(px.buffer))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-500:]
    assert path.stat().st_size == 0  # it was cut during the decode
    if whole:
        assert done.stdout == bytes(expected.buffer)
    else:
        message = done.stdout.decode()
        assert message.startswith("note: the picture is damaged or cut short") and "\n" not in message


def test_fast_preview_pixels_leave_other_files_to_pillow(tmp_path) -> None:
    png = make_text_image(tmp_path / "big.png", 6, display_size=(1200, 900), fmt="PNG")
    assert load_preview_pixels(png, 300) is None
    grey = tmp_path / "grey.jpg"
    Image.new("L", (800, 600), 128).save(grey)
    assert load_preview_pixels(grey, 300) is None
    assert load_preview(grey, 300).size == (200, 150)  # Pillow draft at 1/4


def test_stored_pixels_are_the_decoded_file_in_a_buffer_of_our_own(tmp_path) -> None:
    path = make_text_image(tmp_path / "o6.jpg", 6)
    pixels = load_stored_pixels(path)
    assert pixels is not None and pixels.orientation == 6
    with Image.open(path) as ref:
        ref.load()
        assert pixels.size == ref.size == DEFAULT_DISPLAY_SIZE[::-1]
        rgb = bytes(pixels.buffer)
        assert len(rgb) == ref.width * ref.height * 4
        assert rgb[3::4] == b"\xff" * (ref.width * ref.height)  # R, G, B, 255
        assert Image.frombytes("RGBX", ref.size, rgb).convert("RGB").tobytes() == ref.tobytes()
        half = reduce_pixels(pixels, 2, band_rows=64)  # several bands
        assert half.orientation == 6
        assert half.image.convert("RGB").tobytes() == ref.reduce(2).tobytes()
    assert load_stored_pixels(make_text_image(tmp_path / "o1.png", 1, fmt="PNG")) is None


@pytest.mark.parametrize("o", ORIENTATIONS)
def test_stored_pixels_in_qt_order_and_upright(tmp_path, o: int) -> None:
    path = make_text_image(tmp_path / f"o{o}.jpg", o)
    pixels = load_stored_pixels(path, order="BGRX")
    assert pixels is not None and pixels.order == "BGRX"
    shown = upright_pixels(pixels)
    assert shown.size == DEFAULT_DISPLAY_SIZE and shown.orientation == 1 and shown.order == "BGRX"
    b, g, r, x = Image.frombytes("RGBA", shown.size, bytes(shown.buffer)).split()
    as_rgb = Image.merge("RGB", (r, g, b))
    assert as_rgb.tobytes() == load_display_image(path).tobytes()  # same pixels, as displayed


@pytest.mark.parametrize("order", ["RGBX", "BGRX"])
def test_rgb_pixels_are_the_image_in_the_asked_byte_order_with_the_fourth_byte_255(order: str) -> None:
    img = Image.new("RGB", (5, 600), (10, 20, 30))  # more rows than one band
    img.putpixel((4, 599), (200, 100, 50))
    pixels = rgb_pixels(img, order, band_rows=256)
    px = np.frombuffer(pixels.buffer, np.uint8).reshape(600, 5, 4)
    first, last = (10, 20, 30), (200, 100, 50)
    if order == "BGRX":
        first, last = first[::-1], last[::-1]
    assert pixels.order == order and pixels.size == (5, 600)
    assert tuple(px[0, 0, :3]) == first and tuple(px[599, 4, :3]) == last
    assert (px[..., 3] == 255).all()  # Qt's RGB32 reads a 0 here as transparent


def test_a_pillow_warning_names_each_file_it_is_about(capsys, tmp_path) -> None:
    """Pillow's 'Corrupt EXIF data' says no file; in a folder of several, each is one line naming its file."""
    from ocrviewer.cli import main
    from tests.support.images import make_corrupt_exif_jpeg

    for name in ("a.jpg", "b.jpg"):
        make_corrupt_exif_jpeg(tmp_path / "scans" / name)
    assert main(["info", str(tmp_path / "scans")]) == 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "EXIF" in ln]
    assert len(lines) == 2, err
    for line, name in zip(lines, ("a.jpg", "b.jpg"), strict=True):
        assert line.startswith("ocrviewer: warning: ") and str(tmp_path / "scans" / name) in line
        assert "Corrupt EXIF data" in line


def test_a_warning_from_elsewhere_is_not_given_a_file_name(tmp_path) -> None:
    from ocrviewer.core.imageio import image_warning, reading_image

    with reading_image(tmp_path / "a.jpg"):
        assert image_warning("something", "/usr/lib/python3/numpy/core/x.py") is None
        named = image_warning("Corrupt EXIF data.", "/site-packages/PIL/TiffImagePlugin.py")
    assert named == f"{tmp_path / 'a.jpg'}: Corrupt EXIF data."
    assert (
        image_warning("Corrupt EXIF data.", "/site-packages/PIL/TiffImagePlugin.py") == "Corrupt EXIF data."
    )
