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
    path: Path, planes: list[np.ndarray], tags: dict[int, tuple[int, list[int]]], samples: int | None = None
) -> Path:
    """A little-endian TIFF with one strip per plane (``planes``: 2-D arrays, written as they are;
    ``samples`` a pixel: one per plane unless said) and the given extra tags (tag: (type, values);
    3 SHORT, 4 LONG)."""
    h, w = planes[0].shape
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
