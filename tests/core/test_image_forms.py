"""Less common forms of TIFF, PNG and JPEG, written byte by byte or with Pillow here: each opens
as the picture it is (checked at a pixel), or says in one line what it is and what to do."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from ocrviewer.core.imageio import load_display_frame, load_display_image, read_image_info
from ocrviewer.errors import ImageError


def _tiff(
    path: Path,
    planes: list[np.ndarray],
    tags: dict[int, tuple[int, list[int]]],
    samples: int | None = None,
    width: int | None = None,
) -> Path:
    """A little-endian TIFF with one strip per plane (``planes``: 2-D arrays, written as they are;
    ``samples`` a pixel: one per plane unless said; ``width`` in pixels: the arrays' unless said,
    for packed bits) and the given extra tags (tag: (type, values); 3 SHORT, 4 LONG)."""
    h, w = planes[0].shape
    w = width or w
    data = b"".join(p.astype(p.dtype.newbyteorder("<")).tobytes() for p in planes)
    offsets, pos = [], 8
    for p in planes:
        offsets.append(pos)
        pos += p.nbytes
    entries = {
        256: (4, [w]),
        257: (4, [h]),
        259: (3, [1]),
        273: (4, offsets),
        277: (3, [samples or len(planes)]),
        278: (4, [h]),
        279: (4, [p.nbytes for p in planes]),
        **tags,
    }
    ifd = 8 + len(data)
    extra = ifd + 2 + 12 * len(entries) + 4
    head, tail = b"", b""
    for tag in sorted(entries):
        kind, values = entries[tag]
        packed = b"".join(struct.pack("<H" if kind == 3 else "<I", v) for v in values)
        if len(packed) <= 4:
            head += struct.pack("<HHI", tag, kind, len(values)) + packed.ljust(4, b"\0")
        else:
            head += struct.pack("<HHII", tag, kind, len(values), extra + len(tail))
            tail += packed
    path.write_bytes(
        b"II*\0" + struct.pack("<I", ifd) + data + struct.pack("<H", len(entries)) + head + b"\0" * 4 + tail
    )
    return path


def test_a_16_bit_rgb_tiff_stored_as_separate_planes_shows_its_colours(tmp_path: Path) -> None:
    """PlanarConfiguration 2, uncompressed, 16 bits a sample: Pillow read each plane as 8-bit and
    a red-to-blue gradient came out red and purple."""
    w, h = 200, 120
    red = np.tile(np.linspace(65535, 0, w, dtype=np.uint16), (h, 1))
    path = _tiff(
        tmp_path / "planes.tif",
        [red, np.zeros((h, w), np.uint16), 65535 - red],
        {258: (3, [16, 16, 16]), 262: (3, [2]), 284: (3, [2])},
    )
    shown = load_display_image(path)
    assert shown.size == (w, h)
    left, right = shown.getpixel((2, 60)), shown.getpixel((197, 60))
    assert left[0] > 240 and left[2] < 15 and right[0] < 15 and right[2] > 240, (left, right)
    assert load_display_frame(path, 0).getpixel((197, 60)) == right


@pytest.mark.parametrize(
    ("tags", "kind"),
    [
        ({258: (3, [32, 32, 32]), 262: (3, [2]), 339: (3, [3, 3, 3])}, "32-bit floating-point RGB"),
        ({258: (3, [16, 16, 16]), 262: (3, [2]), 339: (3, [3, 3, 3])}, "16-bit floating-point RGB"),
        ({258: (3, [16, 16, 16]), 262: (3, [8])}, "16-bit CIELab"),
    ],
)
def test_a_tiff_of_pixels_pillow_cannot_read_says_what_they_are_not_that_it_is_damaged(
    tmp_path: Path, tags: dict[int, tuple[int, list[int]]], kind: str
) -> None:
    """Float RGB (HDR scans, microscopy) and Lab TIFFs were 'a TIFF file whose header Pillow cannot
    read (damaged); re-export or re-download it': re-downloading gives the same file."""
    bits, floats = tags[258][1][0], 339 in tags
    dtype = {(32, True): np.float32, (16, True): np.float16, (16, False): np.uint16}[bits, floats]
    planes = [np.zeros((20, 30), dtype) for _ in range(3)]
    pixels = np.stack(planes, axis=-1)  # one strip of interleaved samples
    path = _tiff(tmp_path / "odd.tif", [pixels.reshape(20, -1)], {**tags, 284: (3, [1])}, samples=3)
    with pytest.raises(ImageError) as err:
        read_image_info(path)
    message = str(err.value)
    assert message == (
        f"{path}: a TIFF of {kind} pixels, which the viewer cannot read; convert it to 8-bit RGB "
        "first (e.g. convert IN.tif -depth 8 OUT.png)"
    )


def test_a_jpeg_of_a_process_libjpeg_does_not_decode_is_named_not_shown_black(tmp_path: Path) -> None:
    """A frame marker libjpeg refuses before its first row (here a lossless SOF11 header on baseline
    data): Pillow's 'broken data stream' left a black picture, which was shown with a note."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 1] = 0xCB
    path = tmp_path / "odd.jpg"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageError) as err:
        load_display_image(path)
    assert str(err.value) == (
        f"{path}: a lossless arithmetic-coded (SOF11) JPEG, which the viewer cannot decode; convert it "
        "to PNG with a program that reads it (e.g. convert IN.jpg OUT.png)"
    )


def test_an_arithmetic_coded_jpeg_opens(tmp_path: Path) -> None:
    """jpegtran -arithmetic (when installed) re-codes a photo losslessly: the same pixels come out."""
    import shutil
    import subprocess

    from PIL import Image

    if shutil.which("jpegtran") is None:
        pytest.skip("jpegtran is not installed")
    plain = tmp_path / "plain.jpg"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(plain, "JPEG")
    arith = tmp_path / "arith.jpg"
    subprocess.run(["jpegtran", "-arithmetic", "-outfile", str(arith), str(plain)], check=True, timeout=60)
    assert b"\xff\xc9" in arith.read_bytes()  # SOF9: arithmetic-coded
    assert load_display_image(arith).tobytes() == load_display_image(plain).tobytes()


def _rgb(path: Path, xy: tuple[int, int]) -> tuple[int, ...]:
    return tuple(load_display_image(path).getpixel(xy))  # type: ignore[arg-type]


def test_a_cmyk_jpeg_adobe_inverted_shows_its_colour(tmp_path: Path) -> None:
    """Photoshop's CMYK JPEGs store inverted ink (Adobe marker): red ink must come out red."""
    from PIL import Image

    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(path)
    r, g, b = _rgb(path, (30, 20))[:3]
    assert r > 240 and g < 15 and b < 15


@pytest.mark.parametrize("kind", ["png16", "tiff16", "tiff16b", "tiff-float"])
def test_deep_grey_scans_are_scaled_not_clipped_to_white(tmp_path: Path, kind: str) -> None:
    from PIL import Image

    ramp = np.tile(np.linspace(0, 1, 256), (16, 1))
    if kind == "tiff-float":
        img = Image.fromarray(ramp.astype(np.float32), "F")
    elif kind == "tiff16b":
        img = Image.frombytes("I;16B", (256, 16), (ramp * 65535).astype(">u2").tobytes())
    else:
        img = Image.fromarray((ramp * 65535).astype(np.uint16))
    path = tmp_path / ("scan.png" if kind == "png16" else "scan.tif")
    img.save(path)
    shown = load_display_image(path)
    assert abs(shown.getpixel((128, 8))[0] - 128) <= 2 and shown.getpixel((255, 8))[0] == 255
    assert shown.getpixel((0, 8))[0] == 0


@pytest.mark.parametrize(
    "tiffinfo",
    [{}, {266: 2}],  # FillOrder 2: the bits of each byte reversed (faxes)
)
@pytest.mark.parametrize("compression", ["group3", "group4", "tiff_lzw"])
def test_a_one_bit_fax_shows_black_ink_on_white(tmp_path: Path, tiffinfo: dict, compression: str) -> None:  # type: ignore[type-arg]
    from PIL import Image, ImageDraw

    page = Image.new("1", (200, 100), 1)
    ImageDraw.Draw(page).rectangle((10, 10, 60, 40), fill=0)
    path = tmp_path / "fax.tif"
    page.save(path, compression=compression, tiffinfo=tiffinfo)
    assert _rgb(path, (30, 20)) == (0, 0, 0) and _rgb(path, (150, 80)) == (255, 255, 255)


def test_a_min_is_white_bilevel_tiff_is_not_inverted(tmp_path: Path) -> None:
    """PhotometricInterpretation 0 (a 0 bit is white), as fax software writes: the ink is where the
    1 bits are. Written byte by byte: one row of 16 pixels, the first 8 ink."""
    path = _tiff(
        tmp_path / "fax.tif",
        [np.array([[0xFF, 0x00]] * 4, np.uint8)],
        {258: (3, [1]), 262: (3, [0])},
        width=16,
    )
    assert _rgb(path, (3, 1)) == (0, 0, 0) and _rgb(path, (12, 1)) == (255, 255, 255)


def test_transparent_and_grey_alpha_pngs_keep_their_transparency(tmp_path: Path) -> None:
    from PIL import Image

    pal = Image.new("P", (20, 10), 0)
    pal.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    pal.paste(1, (10, 0, 20, 10))
    pal.save(tmp_path / "pal.png", transparency=0)  # a tRNS chunk: index 0 see-through
    shown = load_display_image(tmp_path / "pal.png")
    assert (
        shown.mode == "RGBA"
        and shown.getpixel((2, 2))[3] == 0
        and shown.getpixel((15, 2)) == (0, 0, 255, 255)
    )
    Image.new("LA", (20, 10), (90, 128)).save(tmp_path / "la.png")
    assert load_display_image(tmp_path / "la.png").getpixel((3, 3)) == (90, 90, 90, 128)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF", "JPEG2000", "ICO"])
def test_a_one_pixel_image_opens_in_every_format(tmp_path: Path, fmt: str) -> None:
    from PIL import Image

    path = tmp_path / f"dot.{fmt.lower()}"
    Image.new("RGB", (1, 1), (200, 10, 10)).save(path, fmt)
    info = read_image_info(path)
    shown = load_display_image(path)
    assert info.display_size == shown.size == (1, 1)
    r, g, b = shown.getpixel((0, 0))[:3]
    assert abs(r - 200) < 12 and g < 25 and b < 25
