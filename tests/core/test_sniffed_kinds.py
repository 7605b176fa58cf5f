"""A file is opened as what its bytes say, not what its name says: a multi-page TIFF named fax.dat,
scan.jpg or without a suffix is a document of its pages; a PDF named .jpg is a PDF; a PNG named
.jpg is a PNG (scanners, mail gateways and download folders rename files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.sources import is_multipage_tiff, is_paged_file, is_pdf, open_source
from ocrviewer.core.workspace import source_kind
from tests.support import responses as R
from tests.support.cli import run
from tests.support.documents import TIFF_PAGES, make_pdf, make_tiff

SIZES = [size for size, *_ in TIFF_PAGES]


@pytest.mark.parametrize("name", ["fax.dat", "scan.jpg", "fax", "scan.png"])
def test_a_multi_page_tiff_under_another_name_opens_as_its_pages(capsys, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    shutil.copy(make_tiff(tmp_path / "made.tif"), path)
    assert is_multipage_tiff(path) and is_paged_file(path) and source_kind(path) == "tiff"
    with open_source(path) as source:
        assert source.kind == "tiff" and [p.size for p in source.pages] == SIZES
        assert source.pages[1].name == f"{name}#page=2"
    code, out, err = run(capsys, "info", path)
    assert code == 0, err
    assert f"kind: tiff, {len(SIZES)} page(s)" in out and "only page 1" not in out + err
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "render", path, "-r", resp, "--page", "2", "-o", tmp_path / "p2.png")
    assert code == 0, err
    with Image.open(tmp_path / "p2.png") as drawn:
        assert drawn.size == SIZES[1]  # page 2's own size, turned upright


def test_a_one_page_tiff_named_jpg_is_one_picture(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    Image.new("RGB", (120, 80), (10, 200, 30)).save(path, format="TIFF")
    assert not is_multipage_tiff(path)
    with open_source(path) as source:
        assert source.kind == "image" and source.pages[0].size == (120, 80)
        assert source.pages[0].render().getpixel((5, 5)) == (10, 200, 30)


def test_a_pdf_named_jpg_opens_as_a_pdf(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "scan.jpg"
    shutil.copy(make_pdf(tmp_path / "made.pdf", pages=2), path)
    assert is_pdf(path) and source_kind(path) == "pdf"
    with open_source(path) as source:
        assert source.kind == "pdf" and len(source.pages) == 2
        assert source.pages[0].size == (1240, 1755)  # A4 at 150 dpi
    code, out, err = run(capsys, "info", path)
    assert code == 0, err
    assert "kind: pdf, 2 page(s)" in out


def test_a_png_named_jpg_is_read_as_the_png_it_is(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "photo.jpg"
    Image.new("RGBA", (50, 40), (255, 0, 0, 255)).save(path, format="PNG")
    code, out, err = run(capsys, "info", path)
    assert code == 0, err
    assert "format: PNG" in out and "displayed size: 50x40" in out


def test_a_folder_keeps_a_multi_page_tiff_as_one_picture_and_says_so(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "scans"
    folder.mkdir()
    make_tiff(folder / "a.tif")
    with open_source(folder) as source:
        assert source.kind == "folder" and len(source.pages) == 1
        assert "open the file on its own" in (source.pages[0].info().frames_note or "")
