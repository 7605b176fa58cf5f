"""``export``, ``render`` and ``info`` on a PDF or a folder: every page, one line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.sources import open_source
from tests.support.cli import run
from tests.support.documents import azure_read_pdf_response, make_pdf, make_scan, word_boxes_pt, write_json


@pytest.fixture
def doc(tmp_path: Path) -> tuple[Path, Path]:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=5)
    resp = write_json(tmp_path / "resp.json", azure_read_pdf_response([0, 1, 2, 3, 4]))
    return pdf, resp


def test_export_writes_every_page_with_the_dpi(capsys, tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    pdf, resp = doc
    out = tmp_path / "out.json"
    code, stdout, err = run(capsys, "export", pdf, "--response", resp, "--dpi", 100, "-o", out)
    assert code == 0, err
    assert "5 of 5 pages" in stdout
    data = json.loads(out.read_text())
    assert [p["index"] for p in data["pages"]] == [0, 1, 2, 3, 4]
    assert data["extras"]["ocrviewer"]["dpi"] == 100
    assert data["extras"]["ocrviewer"]["source_kind"] == "pdf"
    page4 = data["pages"][3]
    assert (page4["width"], page4["height"]) == (827, 1170)
    first = page4["blocks"][0]["lines"][0]["words"][0]["polygon"][0]
    left, top, _, _ = word_boxes_pt(3)[0]
    assert abs(first[0] - left * 100 / 72) < 1.5 and abs(first[1] - top * 100 / 72) < 1.5


def test_render_all_pages_to_one_pdf_and_to_numbered_pngs(capsys, tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    pdf, resp = doc
    out_pdf = tmp_path / "drawn.pdf"
    code, stdout, err = run(capsys, "render", pdf, "--response", resp, "--page", "all", "-o", out_pdf)
    assert code == 0, err
    with open_source(out_pdf) as drawn:
        assert len(drawn.pages) == 5
        assert drawn.pages[0].size == open_source(pdf).pages[0].size
        # the first word of page 2 is filled with its confidence colour, not plain black any more
        img = drawn.pages[1].render().convert("RGB")
        left, top, right, bottom = word_boxes_pt(1)[0]
        k = 150 / 72
        r, g, b = img.getpixel((int((left + 2) * k), int((top + 2) * k)))
        assert max(r, g, b) > 20 or (r, g, b) != (0, 0, 0)
    pattern = tmp_path / "page-{page}.png"
    code, stdout, err = run(capsys, "render", pdf, "--response", resp, "--page", "2-3", "-o", pattern)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.glob("page-*.png")) == ["page-2.png", "page-3.png"]
    with Image.open(tmp_path / "page-3.png") as im:
        assert im.size == (1240, 1755)


def test_many_pngs_without_a_pattern_is_one_line_and_writes_nothing(capsys, tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    pdf, resp = doc
    code, _, err = run(capsys, "render", pdf, "--response", resp, "--page", "all", "-o", tmp_path / "x.png")
    assert code == 1 and "{page}" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
    code, _, err = run(capsys, "render", pdf, "--response", resp, "--page", "9", "-o", tmp_path / "x.png")
    assert code == 1 and "within 1..5" in err


def test_render_never_writes_over_the_document(capsys, tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    pdf, resp = doc
    before = pdf.read_bytes()
    code, _, err = run(capsys, "render", pdf, "--response", resp, "--page", "all", "-o", pdf)
    assert code == 1 and "input" in err
    assert pdf.read_bytes() == before


def test_info_lists_pages_with_size_and_dpi(capsys, tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    pdf, resp = doc
    code, out, err = run(capsys, "info", pdf, "--response", resp)
    assert code == 0, err
    assert "5 page(s)" in out and "dpi: 150" in out
    assert "page 5: 1240x1755" in out
    assert "placed on page(s) 1-5" in out


def test_folder_export_and_info_name_skipped_files(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "scans"
    folder.mkdir()
    make_scan(folder / "s1.png")
    make_scan(folder / "s2.png")
    (folder / "readme.md").write_text("x")
    code, out, err = run(capsys, "info", folder)
    assert code == 0 and "page 2: s2.png 400x200" in out and "skipped: readme.md" in out
    data = azure_read_pdf_response([0])
    r = data["analyzeResult"]["readResults"][0]
    r.update(unit="pixel", width=400, height=200)
    resp = write_json(tmp_path / "r.json", data)
    code, out, err = run(capsys, "export", folder, "--response", resp, "-o", tmp_path / "o.json")
    assert code == 0, err
    assert "covers page(s) 1 of 2" in err and "readme.md skipped" in err


def test_encrypted_pdf_is_one_line(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.documents import make_encrypted_pdf

    pdf = make_encrypted_pdf(tmp_path / "locked.pdf")
    resp = write_json(tmp_path / "r.json", azure_read_pdf_response([0]))
    code, _, err = run(capsys, "export", pdf, "--response", resp, "-o", tmp_path / "o.json")
    assert code == 1 and "encrypted" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.json").exists()


def test_a_page_that_fails_to_render_is_drawn_blank_and_the_rest_go_on(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "scans"
    folder.mkdir()
    make_scan(folder / "1.png")
    make_scan(folder / "2.png")
    make_scan(folder / "3.png")
    data = azure_read_pdf_response([0, 1, 2])
    for r in data["analyzeResult"]["readResults"]:
        r.update(unit="pixel", width=400, height=200)
    resp = write_json(tmp_path / "r.json", data)
    (folder / "2.png").write_bytes((folder / "2.png").read_bytes()[:60])  # header kept, pixels cut off
    out = tmp_path / "all.pdf"
    code, _, err = run(capsys, "render", folder, "--response", resp, "--page", "all", "-o", out)
    assert code == 0, err
    assert "page 2:" in err and "drawn on a blank page" in err
    with open_source(out) as drawn:
        assert len(drawn.pages) == 3


def test_export_a_pdf_as_a_searchable_pdf_and_as_alto_with_every_page(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    resp = write_json(tmp_path / "r.json", azure_read_pdf_response([0, 2]))  # page 2 has no result
    out = tmp_path / "searchable.pdf"
    code, stdout, err = run(capsys, "export", pdf, "--response", resp, "-o", out)
    assert code == 0, err
    doc = pdfium.PdfDocument(str(out))
    try:
        assert len(doc) == 3
        texts = [doc[i].get_textpage().get_text_range() for i in range(3)]
    finally:
        doc.close()
    assert "p1w0" in texts[0] and texts[1].strip() == "" and "p3w2" in texts[2]
    alto = tmp_path / "doc.alto.xml"
    code, _, err = run(capsys, "export", pdf, "--response", resp, "-o", alto)
    assert code == 0, err
    text = alto.read_text()
    assert text.count("<Page ") == 3 and "doc.pdf#page=1" in text and "p3w1" in text
