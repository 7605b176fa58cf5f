"""Image files of the kinds people open, made by other tools than Pillow (tests/data/images, see
SOURCES.md): a format the viewer cannot read is named with the command that converts it, a file of
several pages or frames says which one is used, and a folder takes every format Pillow reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ocrviewer.core.imageio import load_display_image, read_image_info
from ocrviewer.core.sources import IMAGE_SUFFIXES, open_source
from ocrviewer.errors import ImageError
from ocrviewer.resources import IMAGE_SUFFIXES as VIEWER_SUFFIXES
from tests.support import responses as R
from tests.support.cli import one_error_line, run

DATA = Path(__file__).resolve().parents[1] / "data" / "images"


@pytest.mark.parametrize("name", ["photo.heic", "IMG_0001.jpg"])
def test_a_heic_photo_is_named_and_the_error_says_how_to_convert_it(
    capsys, tmp_path: Path, name: str
) -> None:
    """An iPhone's HEIC (also when shared under a .jpg name): was 'not an image Pillow can read; use
    JPEG, PNG, TIFF, BMP or WebP', which did not say what the file is nor how to get a JPEG."""
    photo = shutil.copy(DATA / "photo.heic", tmp_path / name)
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    for argv in (["info", photo], ["render", photo, "-r", resp, "-o", tmp_path / "out.png"]):
        code, _, err = run(capsys, *argv)
        assert code == 1
        one_error_line(err, name, "HEIC/HEIF photo", "convert it to JPEG", "heif-convert")
    assert not (tmp_path / "out.png").exists()


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        (b"\xff\x0a\xfa\x7f\x00\x00", ("JPEG XL", "djxl")),
        (b"\x00\x00\x00\x0cJXL \r\n\x87\n\x00\x00\x00\x14ftypjxl ", ("JPEG XL", "djxl")),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>', ("SVG",)),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ("a PDF", "rename it to end in .pdf")),
    ],
)
def test_a_format_the_viewer_cannot_read_is_named(
    tmp_path: Path, data: bytes, needles: tuple[str, ...]
) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(data)
    with pytest.raises(ImageError) as err:
        read_image_info(path)
    for n in needles:
        assert n in str(err.value)


def test_a_damaged_avif_is_damaged_not_unsupported(tmp_path: Path) -> None:
    """This Pillow reads AVIF: a broken one must not send the user off to convert or upgrade."""
    from PIL import features

    if not features.check("avif"):
        pytest.skip("this Pillow has no AVIF support")
    path = tmp_path / "cut.avif"
    path.write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 20)
    with pytest.raises(ImageError, match=r"an AVIF file whose header Pillow cannot read \(damaged\)"):
        read_image_info(path)


def test_a_multi_page_tiff_is_a_document_of_its_pages(capsys, tmp_path: Path) -> None:
    """A 1-bit G4 fax of two pages: `info` lists both pages and `render --page 2` draws page 2 (page 2
    was never shown: the viewer read page 1 and said so)."""
    fax = DATA / "fax-2-pages-g4.tif"
    info = read_image_info(fax)
    assert (info.format, info.frames, info.display_size) == ("TIFF", 2, (160, 60))
    code, out, _ = run(capsys, "info", fax)
    assert code == 0
    assert "kind: tiff, 2 page(s)" in out and "page 2: 160x60" in out and "only page 1" not in out
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "render", fax, "-r", resp, "--page", "2", "-o", tmp_path / "p2.png")
    assert code == 0, err
    assert "note:" not in err
    with open_source(fax) as source:
        page2 = source.pages[1].render()
    assert page2.size == (160, 60) and page2.tobytes() != load_display_image(fax).tobytes()
    # in a folder, a TIFF is one picture: its first page, and the note says how to see the rest
    assert info.frames_note == (
        "has 2 pages; only page 1 is shown and read here (a page of a folder). To see every page, open "
        "the file on its own"
    )


def test_an_animation_says_its_first_frame_is_used_and_a_single_picture_says_nothing(tmp_path: Path) -> None:
    assert read_image_info(DATA / "animated-2-frames.gif").frames_note == (
        "is animated (2 frames); only the first frame is shown and read"
    )
    assert read_image_info(DATA / "page.jp2").frames_note is None


def test_a_folder_takes_gif_and_jpeg_2000_pages_and_says_how_to_convert_a_heic(tmp_path: Path) -> None:
    """A folder used to skip a GIF or a JPEG 2000 ("not an image (.gif)") though each opened alone."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in ("page.jp2", "animated-2-frames.gif", "photo.heic"):
        shutil.copy(DATA / name, folder / name)
    with open_source(folder) as source:
        assert [p.label for p in source.pages] == ["animated-2-frames.gif", "page.jp2"]
        assert [p.size for p in source.pages] == [(160, 60), (160, 60)]
        assert [p.render().size for p in source.pages] == [(160, 60), (160, 60)]
        ((skipped),) = source.skipped
        assert skipped.name == "photo.heic" and "heif-convert" in skipped.reason


def test_the_viewer_and_a_folder_take_the_same_image_files() -> None:
    """One list for the Open dialog, drops and the command line (resources) and for folders (core)."""
    assert VIEWER_SUFFIXES == (*IMAGE_SUFFIXES, ".pdf")
