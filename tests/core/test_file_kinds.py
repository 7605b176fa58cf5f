"""What a file given to the viewer is taken as (core.loading), the name and format a saved result gets
(core.export.result_path, core.formats.export_target) and what a save never writes over (core.sidecar.with_sidecars): no window."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ocrviewer.core.export import result_path
from ocrviewer.core.formats import EXPORT_FORMATS, EXPORT_SUFFIXES, export_target, suffix_format
from ocrviewer.core.loading import is_image_path, is_response_path
from ocrviewer.core.sidecar import with_sidecars

TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("resp.json", b"not even JSON"),  # .json by name: its parser says what is wrong with it
        ("resp.txt", b'\xef\xbb\xbf\n  {"status": "ok"}'),
        ("lines.out", b"[1, 2]"),
        ("page.hocr", b"<html><body><div class='ocr_page'></div></body></html>"),
        ("alto", b'<?xml version="1.0"?><alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"/>'),
        ("page.tsv", TSV_HEADER.encode()),
        ("page.xml.gz", gzip.compress(b"<PcGts/>", mtime=0)),  # (mtime 0: the same test id every run)
    ],
)
def test_responses_are_told_by_name_or_content(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert is_response_path(path) and is_response_path(str(path))
    assert not is_image_path(path)


@pytest.mark.parametrize("name", ["scan.PNG", "photo.jpeg", "fax.tif", "doc.pdf", "page.jp2"])
def test_images_are_images_whatever_they_hold(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"{}")  # an image by its name even when it starts like JSON
    assert is_image_path(path) and not is_response_path(path)


def test_a_missing_or_other_file_is_no_response(tmp_path: Path) -> None:
    assert not is_response_path(tmp_path / "gone.xml")
    (tmp_path / "notes.txt").write_text("a note, not a response\n")
    assert not is_response_path(tmp_path / "notes.txt")


def test_a_saved_result_is_offered_beside_its_response_never_as_it() -> None:
    assert result_path("/d/resp.json", "/d/scan.png") == Path("/d/resp.ocrviewer-result.json")
    assert result_path("/d/RESP.JSON", None) == Path("/d/RESP.ocrviewer-result.json")
    assert result_path(None, "/d/scan.png") == Path("/d/scan.ocrviewer-result.json")
    assert result_path("/d/page.hocr", None) == Path("/d/page.ocrviewer-result.json")
    assert result_path(None, None) == Path("result.ocrviewer-result.json")


def test_sidecars_are_protected_with_their_files() -> None:
    assert with_sidecars(("/d/scan.png", None, "", Path("/d/resp.json"))) == [
        "/d/scan.png",
        "/d/resp.json",
        "/d/scan.png.ocrviewer.json",
        "/d/resp.json.ocrviewer.json",
    ]
    assert with_sidecars(()) == []


@pytest.mark.parametrize(
    ("name", "chosen", "expected"),
    [
        ("scan.alto.xml", "json", ("scan.alto.xml", "alto")),  # the name decides over the file type
        ("scan.page.xml", "hocr", ("scan.page.xml", "page")),
        ("scan.HOCR", "json", ("scan.HOCR", "hocr")),
        ("scan", "alto", ("scan.alto.xml", "alto")),  # no suffix: the chosen type's is added
        ("scan", "pdf", ("scan.pdf", "pdf")),
        ("scan.v2", "page", ("scan.v2", "page")),  # a suffix the formats do not know stays
    ],
)
def test_a_saved_result_takes_its_format_from_its_name_else_the_chosen_type(
    name: str, chosen: str, expected: tuple[str, str]
) -> None:
    assert export_target(name, chosen) == expected


def test_every_export_format_has_a_suffix_that_names_it_again() -> None:
    assert sorted(EXPORT_SUFFIXES) == sorted(EXPORT_FORMATS)
    assert all(suffix_format("x" + s) == fmt for fmt, s in EXPORT_SUFFIXES.items())
