"""Opening documents: an image, a PDF (rendered by PDFium at a stated dpi) and a folder of images."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.sources import natural_key, open_source
from ocrviewer.errors import BadInput, ImageError
from tests.support.documents import (
    A4,
    make_broken_pdf,
    make_encrypted_pdf,
    make_pdf,
    make_scan,
    word_boxes_pt,
)
from tests.support.images import make_text_image


def test_pdf_pages_have_their_size_at_the_dpi_and_render_to_it(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    with open_source(pdf, dpi=100) as src:
        assert src.kind == "pdf" and len(src.pages) == 3 and src.dpi == 100
        page = src.pages[1]
        assert page.label == "page 2" and page.name == "doc.pdf#page=2" and page.image_path is None
        assert page.size == (827, 1170)  # A4 at 100 dpi
        img = page.render()
        assert img.size == page.size
        # the first word box is black where the PDF drew it (page 2: 40 pt lower)
        left, top, right, bottom = word_boxes_pt(1)[0]
        k = 100 / 72
        assert img.convert("L").getpixel(((left + right) / 2 * k, (top + bottom) / 2 * k)) < 50
        assert img.convert("L").getpixel((5, 5)) > 200
        thumb = page.render(max_side=200)
        assert max(thumb.size) <= 200


def test_a_thousand_page_pdf_opens_without_rendering(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "big.pdf", pages=1000)
    start = time.perf_counter()
    src = open_source(pdf)
    opened = time.perf_counter() - start
    assert len(src.pages) == 1000
    assert not src.pages._made  # type: ignore[attr-defined]  # no page object made, nothing rendered
    assert src.pages[-1].size == (1240, 1755)
    assert opened < 20  # generous: a busy machine; locally about 0.05 s
    src.close()


def test_folder_pages_are_in_natural_order_and_other_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in ("p10.png", "p2.png", "P1.png"):
        make_scan(folder / name)
    (folder / "notes.txt").write_text("hello")
    make_pdf(folder / "other.pdf", 1)
    (folder / "sub").mkdir()
    src = open_source(folder)
    assert src.kind == "folder"
    assert [p.label for p in src.pages] == ["P1.png", "p2.png", "p10.png"]
    assert [p.index for p in src.pages] == [0, 1, 2]
    assert src.pages[0].image_path == str(folder / "P1.png")
    reasons = {s.name: s.reason for s in src.skipped}
    assert set(reasons) == {"notes.txt", "other.pdf", "sub"}
    assert "not an image" in reasons["notes.txt"] and "\n" not in reasons["notes.txt"]


def test_an_image_is_a_one_page_document_with_exif_applied(tmp_path: Path) -> None:
    photo = make_text_image(tmp_path / "photo.jpg", orientation=6)
    src = open_source(photo)
    assert src.kind == "image" and len(src.pages) == 1
    page = src.pages[0]
    with Image.open(photo) as raw:
        assert page.size == (raw.height, raw.width)  # orientation 6 turns it
    assert page.render().size == page.size


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (make_encrypted_pdf, "encrypted"),
        (make_broken_pdf, "not a readable PDF"),
    ],
)
def test_bad_pdfs_get_one_line(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "bad.pdf")
    with pytest.raises(BadInput) as err:
        open_source(path)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_missing_paths_empty_folders_and_non_images(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file"):
        open_source(tmp_path / "nope.pdf")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "a.txt").write_text("x")
    with pytest.raises(BadInput, match="holds no images"):
        open_source(tmp_path / "empty")
    (tmp_path / "x.png").write_text("not a png")
    with pytest.raises(ImageError):
        open_source(tmp_path / "x.png")
    with pytest.raises(BadInput, match="dpi"):
        open_source(make_pdf(tmp_path / "d.pdf", 1), dpi=0)


def test_a_broken_image_in_a_folder_fails_only_its_page(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    make_scan(folder / "1.png")
    (folder / "2.png").write_bytes(b"\x89PNG broken")
    src = open_source(folder)
    assert len(src.pages) == 2
    assert src.pages[0].size == (400, 200)
    with pytest.raises(ImageError):
        src.pages[1].render()


def test_natural_key() -> None:
    names = ["a10.png", "a2.png", "A1.png", "b.png", "a2b.png"]
    assert sorted(names, key=natural_key) == ["A1.png", "a2.png", "a2b.png", "a10.png", "b.png"]


def test_pdf_page_sha_depends_on_page_and_dpi(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "d.pdf", 2)
    a, b = open_source(pdf), open_source(pdf, dpi=200)
    assert a.pages[0].sha256() != a.pages[1].sha256()
    assert a.pages[0].sha256() != b.pages[0].sha256()
    assert a.pages[0].sha256() == open_source(pdf).pages[0].sha256()
    assert A4[0] / 72 * 200 <= b.pages[0].size[0] <= A4[0] / 72 * 200 + 1
