"""Image preparation: EXIF applied, tag dropped, limits met, transform maps back onto the original."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ocrviewer.core.prepare import ImageLimits, file_sha256, prepare_image
from ocrviewer.errors import ImageError
from tests.support.images import DEFAULT_DISPLAY_SIZE, DEFAULT_WORDS, make_text_image


@pytest.mark.parametrize("o", [1, 3, 6, 8])
def test_prepared_image_is_upright_without_orientation_tag(tmp_path, o: int) -> None:
    path = make_text_image(tmp_path / "p.jpg", o)
    prepared = prepare_image(path)
    img = Image.open(io.BytesIO(prepared.data))
    assert img.size == DEFAULT_DISPLAY_SIZE == (prepared.width, prepared.height)
    assert img.getexif().get(0x0112) in (None, 1)
    left, top, right, bottom = DEFAULT_WORDS[0][1]
    assert max(img.convert("RGB").getpixel((int(left + right) // 2, int(top + bottom) // 2))) < 60
    assert prepared.transform.is_identity
    assert prepared.source_sha256 == file_sha256(path)
    assert prepared.changes == ()
    assert prepared.mime_type == "image/jpeg"


def test_shrunk_to_fit_pixels_and_transform_maps_back(tmp_path) -> None:
    path = make_text_image(tmp_path / "p.jpg", 6)
    prepared = prepare_image(path, ImageLimits(max_pixels=640 * 480 // 4))
    assert prepared.width * prepared.height <= 640 * 480 // 4
    assert prepared.changes and "shrunk" in prepared.changes[0]
    # The prepared image's far corner maps onto the displayed original's far corner.
    x, y = prepared.transform.apply(prepared.width, prepared.height)
    assert (round(x), round(y)) == DEFAULT_DISPLAY_SIZE


def test_side_and_bytes_limits(tmp_path) -> None:
    path = make_text_image(tmp_path / "p.png", 1, fmt="PNG", style="text")
    prepared = prepare_image(path, ImageLimits(max_side=320, max_bytes=12_000, formats=("PNG", "JPEG")))
    assert max(prepared.width, prepared.height) <= 320
    assert len(prepared.data) <= 12_000


def test_too_small_for_the_service(tmp_path) -> None:
    path = make_text_image(tmp_path / "p.jpg", 1)
    with pytest.raises(ImageError, match="at least"):
        prepare_image(path, ImageLimits(min_side=1000))


def test_a_size_limit_is_said_as_the_service_says_it(tmp_path) -> None:
    """Yandex's 10 MB (10 MiB) and Azure's 4 MB read '10 MB' and '4 MB', not '10.4858 MB'; an image
    that cannot fit says so in a size a person reads, and what to do."""
    path = make_text_image(tmp_path / "p.png", 1, fmt="PNG", style="text")
    prepared = prepare_image(path, ImageLimits(max_bytes=8 * 1024, formats=("PNG", "JPEG")))
    assert any(c.endswith("to fit 8 KB") for c in prepared.changes), prepared.changes
    with pytest.raises(ImageError) as info:
        prepare_image(path, ImageLimits(max_bytes=300, formats=("PNG", "JPEG")))
    message = str(info.value)
    assert "upload limit" in message and "300 bytes" in message and "choose another service" in message
