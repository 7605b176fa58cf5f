"""PDFs as they come: encrypted with an empty user password, a broken cross-reference table,
pages turned by /Rotate, a CropBox inside the MediaBox, no pages at all, and a page so large (a
poster, a map) that it is shown at a lower dpi with a note instead of being refused. Each is made
here with reportlab and pikepdf."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from ocrviewer.core.sources import open_source, shown_note
from ocrviewer.errors import BadInput
from tests.support import responses as R
from tests.support.cli import one_error_line, run

A4 = (595, 842)


def _pdf(path: Path, pages: int = 2) -> Path:
    """A4 pages, each with a black 100x50 pt box in its bottom-left corner."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(pages):
        c.setFont("Helvetica", 40)
        c.drawString(150, 700, f"PAGE {i + 1}")
        c.rect(0, 0, 100, 50, fill=1)
        c.showPage()
    c.save()
    return path


def _dark(img: Image.Image, x: int, y: int) -> bool:
    return sum(img.convert("RGB").getpixel((x, y))) < 100


def test_an_encrypted_pdf_with_an_empty_user_password_opens(tmp_path: Path) -> None:
    plain = _pdf(tmp_path / "plain.pdf")
    path = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:  # opens without a password; only editing is restricted
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner", user="", R=6))
    with open_source(path) as source:
        page = source.pages[0].render()
        assert page.size == (1240, 1755) and _dark(page, 10, 1750) and not _dark(page, 600, 900)


def test_an_encrypted_pdf_that_needs_a_password_is_one_line_saying_so(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "secret.pdf"
    with pikepdf.open(_pdf(tmp_path / "plain.pdf")) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner", user="secret", R=6))
    code, _, err = run(capsys, "info", path)
    assert code != 0
    one_error_line(err, str(path), "encrypted", "qpdf --decrypt")


def test_a_pdf_whose_cross_reference_offset_is_wrong_is_repaired(tmp_path: Path) -> None:
    data = _pdf(tmp_path / "plain.pdf").read_bytes()
    path = tmp_path / "moved.pdf"
    path.write_bytes(data[: data.rfind(b"startxref")] + b"startxref\n999999\n%%EOF\n")
    with open_source(path) as source:
        assert len(source.pages) == 2 and _dark(source.pages[1].render(), 10, 1750)


@pytest.mark.parametrize(("rotate", "corner"), [(90, (10, 10)), (270, (1745, 1230)), (180, (1230, 10))])
def test_a_page_turned_by_rotate_is_shown_turned(
    tmp_path: Path, rotate: int, corner: tuple[int, int]
) -> None:
    """/Rotate turns the page clockwise: the bottom-left box goes to the top-left at 90, the
    bottom-right at 270 and the top-right at 180; the page's size turns with it."""
    path = tmp_path / "turned.pdf"
    with pikepdf.open(_pdf(tmp_path / "plain.pdf")) as pdf:
        pdf.pages[0].Rotate = rotate
        pdf.save(path)
    with open_source(path) as source:
        page = source.pages[0]
        want = (1755, 1240) if rotate in (90, 270) else (1240, 1755)
        assert page.size == want
        shown = page.render()
        assert shown.size == want and _dark(shown, *corner)
        assert not _dark(shown, want[0] - 1 - corner[0], want[1] - 1 - corner[1])


def test_a_cropbox_inside_the_mediabox_is_what_is_shown(tmp_path: Path) -> None:
    path = tmp_path / "cropped.pdf"
    with pikepdf.open(_pdf(tmp_path / "plain.pdf")) as pdf:
        pdf.pages[0].CropBox = [0, 0, 300, 400]  # the bottom-left quarter, with the box
        pdf.save(path)
    with open_source(path) as source:
        page = source.pages[0]
        assert page.size == (625, 834)  # 300x400 pt at 150 dpi
        shown = page.render()
        assert shown.size == (625, 834) and _dark(shown, 10, 830)


def test_a_pdf_without_pages_says_so(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "empty.pdf"
    pikepdf.new().save(path)
    with pytest.raises(BadInput, match="the PDF has no pages"):
        open_source(path)
    code, _, err = run(capsys, "info", path)
    assert code != 0
    one_error_line(err, str(path), "has no pages", "re-export")


@pytest.fixture
def poster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Page 1 is 40x40 inches; the pixel limit is lowered to 4 MP (8 MP rendered) so the test stays
    small: 6000x6000 pixels at 150 dpi is over it."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4_000_000)
    path = tmp_path / "poster.pdf"
    with pikepdf.open(_pdf(tmp_path / "plain.pdf")) as pdf:
        pdf.pages[0].MediaBox = [0, 0, 2880, 2880]
        pdf.save(path)
    return path


def test_a_page_too_large_for_its_dpi_is_shown_at_a_lower_one_with_a_note(poster: Path) -> None:
    with open_source(poster) as source:
        page, other = source.pages
        assert page.dpi == 70 and page.size == (2800, 2800)  # 2800^2 fits 8 MP, 2840^2 (71 dpi) does not
        assert page.note == (
            "page 1 is 40x40 inches, 6000x6000 pixels at 150 dpi (more than the viewer renders safely); "
            "it is shown at 70 dpi"
        )
        shown = page.render()
        assert shown.size == page.size and shown_note(shown) == page.note
        assert _dark(shown, 10, 2795)  # the box, at 70 dpi
        assert other.dpi == 150 and other.note is None and shown_note(other.render()) is None


def test_the_command_line_says_at_which_dpi_a_large_page_is_shown(
    capsys, poster: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "info", poster)
    assert code == 0, err
    assert "  page 1: 2800x2800\n    note: page 1 is 40x40 inches" in out and "shown at 70 dpi" in out
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "render", poster, "-r", resp, "-o", tmp_path / "p1.png")
    assert code == 0, err
    assert f"ocrviewer: note: {poster.name}#page=1: page 1 is 40x40 inches" in err
    with Image.open(tmp_path / "p1.png") as drawn:
        assert drawn.size == (2800, 2800)


def test_a_damaged_pdf_opened_after_an_encrypted_one_is_not_called_encrypted(tmp_path: Path) -> None:
    """PDFium's reason for refusing a file is its last error, which a load that worked leaves as it
    was: an empty or damaged PDF opened after an encrypted one was said to need a password."""
    from tests.support.documents import make_broken_pdf, make_encrypted_pdf

    with pytest.raises(BadInput, match="encrypted"):
        open_source(make_encrypted_pdf(tmp_path / "secret.pdf"))
    with pytest.raises(BadInput, match="not a readable PDF") as err:
        open_source(make_broken_pdf(tmp_path / "broken.pdf"))
    assert "encrypted" not in str(err.value)
    pikepdf.new().save(tmp_path / "empty.pdf")
    with pytest.raises(BadInput, match="has no pages"):
        open_source(tmp_path / "empty.pdf")


def test_a_pdf_that_cannot_be_read_for_its_permissions_says_so(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """chmod 000 does not stop root (CI containers): the open fails here as the OS would. PDFium's
    own word for it was 'file access error', and the message said the PDF was damaged."""
    import builtins

    from ocrviewer.core import sources

    path = _pdf(tmp_path / "locked.pdf")

    def denied(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return builtins.open(name, *args, **kwargs)

    monkeypatch.setattr(sources, "open", denied, raising=False)
    code, _, err = run(capsys, "info", path)
    assert code != 0
    line = one_error_line(err, str(path), "permission denied", "check the file's permissions")
    assert "damaged" not in line
