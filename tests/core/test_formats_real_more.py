"""More real third-party hOCR, ALTO, PAGE-XML and TSV files (tests/data/formats, origins in
tests/data/SOURCES.md), opened the way a user opens them (``ocrviewer info``/``export``, and
``load_result``, which the window's open-response worker runs), with expectations read off each file.

Variants no licensed real file could be found for (hOCR words outside lines, TSV as PowerShell writes
it) are made from a real Tesseract run here and say so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.cli import main
from ocrviewer.core.formats import export_bytes, read_markup
from ocrviewer.core.loading import load_result
from ocrviewer.core.model import Document
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import assert_valid
from tests.support.markup import blank_image as _image
from tests.support.markup import cli_export_json as _export_json
from tests.support.markup import cli_info as _info


def _words(data: dict) -> list[dict]:
    return [w for p in data["pages"] for b in p["blocks"] for ln in b["lines"] for w in ln["words"]]


def _bbox(word: dict) -> tuple[float, float, float, float]:
    xs = [p[0] for p in word["polygon"]]
    ys = [p[1] for p in word["polygon"]]
    return min(xs), min(ys), max(xs), max(ys)


def _one_line_error(capsys: pytest.CaptureFixture[str], path: Path, match: str) -> str:
    """``ocrviewer info -r PATH`` fails with one line naming the file; load_response raises BadResponse."""
    with pytest.raises(BadResponse):
        load_response(path)
    assert main(["info", "-r", str(path)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and match in err, err
    return err


# -- ALTO ---------------------------------------------------------------------------------------------
def test_tesseract_41_alto3_on_its_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tesseract 4.1.0-rc4's ALTO v3: pixels, WC per String, SP between them, a fileName of only tabs."""
    f = SAMPLES / "dinglehopper-tesseract41-alto3.xml"
    doc = load_response(f)
    assert doc.source_format == "alto-v3" and "image" not in doc.extras  # "\t\t\t" names no image
    assert (doc.pages[0].width, doc.pages[0].height) == (2481, 3508)
    assert doc.counts()["line"] == 7 and doc.counts()["word"] == 100
    first = doc.pages[0].blocks[0].lines[0]
    assert first.text.startswith("Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed")
    assert [(w.text, w.confidence, w.bbox) for w in first.words[:2]] == [
        ("Lorem", 0.96, (237, 248, 370, 282)),
        ("ipsum", 0.96, (384, 247, 504, 292)),
    ]
    assert all(w.confidence is not None and 0 < w.confidence <= 1 for w in doc.words())
    assert "1 page(s), 1 blocks, 7 lines, 100 words" in _info(capsys, "-r", str(f))
    data = _export_json(tmp_path, f, str(_image(tmp_path, 2481, 3508)))
    words = _words(data)
    assert len(words) == 100 and words[0]["text"] == "Lorem"
    assert _bbox(words[0]) == (237, 248, 370, 282) and words[0]["confidence"] == 0.96


def test_docworks_finereader_alto2_in_mm10_placed_on_a_300_dpi_scan(tmp_path: Path) -> None:
    """CCS docWorks + ABBYY FineReader 11 ALTO v2 in mm10 (1/10 mm): on the page scanned at 300 dpi
    (1003 x 1469 mm10 = 1185 x 1735 px) every box lands in pixels; WC is the confidence, CC ignored."""
    f = SAMPLES / "altoxml-docworks-finereader-alto2-mm10.xml"
    doc = load_response(f)
    assert doc.source_format == "alto-v2" and doc.extras["image"] == "../MASTER/00001.tiff"
    assert doc.pages[0].unit == "inch"
    assert (doc.pages[0].width, doc.pages[0].height) == pytest.approx((1003 / 254, 1469 / 254))
    assert doc.counts()["block"] == 7 and doc.counts()["line"] == 27 and doc.counts()["word"] == 209
    image = _image(tmp_path, 1185, 1735)
    result = load_result(f, image)
    words = list(result.document.words())
    so = next(w for w in words if w.text == "So")
    # <String HPOS="162" VPOS="171" WIDTH="36" HEIGHT="23" CONTENT="So" WC="0.45"> in mm10
    scale = 1185 / 1003
    assert so.bbox == pytest.approx((162 * scale, 171 * scale, 198 * scale, 194 * scale), abs=0.5)
    assert so.confidence == 0.45
    # the whole text stays inside the page
    assert all(0 <= w.bbox[0] and w.bbox[2] <= 1185 and 0 <= w.bbox[1] and w.bbox[3] <= 1735 for w in words)
    data = _export_json(tmp_path, f, str(image))
    assert [w["text"] for w in _words(data)] == [w.text for w in words]


def test_ndnp_alto1_in_inch1200_placed_on_a_100_dpi_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Library of Congress NDNP newspaper page (ALTO 1 in the CCS namespace, inch1200, a fileName
    padded with newlines), reduced to one block: on a 100 dpi scan (20463 x 25941 -> 1705 x 2162 px)
    the boxes are the stated 1/1200 inch over 12."""
    f = SAMPLES / "dinglehopper-ndnp-alto1-inch1200-excerpt.xml"
    doc = load_response(f)
    assert doc.source_format == "alto-v1" and doc.extras["image"].endswith("\\ocr\\0070.tif")
    assert (doc.pages[0].width, doc.pages[0].height, doc.pages[0].unit) == (
        20463 / 1200,
        25941 / 1200,
        "inch",
    )
    assert [ln.text for ln in doc.lines()] == [
        "J a Ira mj iI tE1r 3",
        "i",
        "c",
        "JiLas Edition THE WINCHESTER NEWS",
    ]
    assert "inch" in _info(capsys, "-r", str(f))
    image = _image(tmp_path, 1705, 2162)
    words = list(load_result(f, image).document.words())
    # <String HEIGHT="81.0" WIDTH="36.0" HPOS="3960.0" VPOS="981.0" CONTENT="J" WC="0.8095238"/>
    assert words[0].text == "J" and words[0].confidence == pytest.approx(0.8095238)
    assert words[0].bbox == pytest.approx((3960 / 12, 981 / 12, 3996 / 12, 1062 / 12), abs=0.3)
    data = _export_json(tmp_path, f, str(image))
    assert _bbox(_words(data)[0]) == pytest.approx(words[0].bbox, abs=0.01)


def test_alto_glyph_variants_are_not_the_text() -> None:
    """altoxml's ALTO v3 Glyph sample: each Glyph has Variant alternatives; the String's CONTENT is the
    word, the Variants are not."""
    doc = load_response(SAMPLES / "altoxml-glyph-general-alto3.xml")
    assert [(w.text, w.confidence) for w in doc.words()] == [("Marne", 0.99), ("Home", 0.99)]
    assert doc.pages[0].blocks[0].lines[0].text == "Marne Home"


def test_kraken_alto_block_without_coordinates_and_reading_order() -> None:
    """kraken's test file: a TextBlock with no HPOS/VPOS takes its lines' box; ReadingOrder by line refs."""
    doc = load_response(SAMPLES / "kraken-missing-coords-ro-alto4.xml")
    blocks = doc.pages[0].blocks
    assert [b.text for b in blocks] == ["Line one\nLine two", "Line three", "Line four"]
    assert blocks[1].bbox == (20, 420, 480, 580)
    assert doc.counts()["word"] == 8 and not doc.warnings


def test_alto_in_an_unknown_unit_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    """kraken's invalid sample (MeasurementUnit "mm", not an ALTO unit), reduced to one block."""
    err = _one_line_error(capsys, SAMPLES / "kraken-invalid-unit-alto4-excerpt.xml", "MeasurementUnit 'mm'")
    assert "mm10" in err  # says what is expected


# -- PAGE-XML -----------------------------------------------------------------------------------------
def test_ocrd_calamari_page_with_prefix_line_confidences_and_reading_order(tmp_path: Path) -> None:
    """OCR-D (ocrd_calamari) PAGE 2019 with the ``pc:`` prefix, reduced to three regions: line-level
    TextEquiv ``conf``, an empty region, a ReadingOrder naming regions the excerpt no longer has."""
    f = SAMPLES / "dinglehopper-calamari-excerpt-page2019.xml"
    doc = load_response(f)
    assert doc.source_format == "page-2019-07-15"
    assert (doc.pages[0].width, doc.pages[0].height) == (2463, 4060)
    assert [b.extras["id"] for b in doc.pages[0].blocks] == ["r4", "r0", "r1"]  # indices 6, 8, 10
    r4, r0, r1 = doc.pages[0].blocks
    assert r0.lines == () and r0.text == ""
    assert [ln.text for ln in r4.lines] == ["", "122.1", r4.lines[2].text] and r4.lines[2].text
    assert r4.lines[1].confidence == pytest.approx(0.8592017292976379)
    assert r1.lines[0].text == "Die" and r1.lines[0].confidence == pytest.approx(0.9996649622917175)
    assert r1.lines[0].bbox == (2166, 3681, 2245, 3731)
    data = _export_json(tmp_path, f, str(_image(tmp_path, 2463, 4060)))
    assert [ln["text"] for b in data["pages"][0]["blocks"] for ln in b["lines"]][-1] == "Die"


def test_page_glyph_confidences_and_words_out_of_line_order() -> None:
    """dinglehopper's "levels are different": Words with Glyphs and TextEquiv conf; the line's own
    TextEquiv is its text even where the Words are written in another order."""
    doc = load_response(SAMPLES / "dinglehopper-glyphs-conf-page2018.xml")
    lines = list(doc.lines())
    assert [ln.text for ln in lines] == [
        "Hand, Mylord? fragte der Graf von Ro\uf502e\ueadaer.",
        "Als er einsmals in dem Oberhauſe eine Bi\uf4f9 we⸗",
    ]
    assert lines[0].confidence == pytest.approx(0.70871)
    assert [(w.text, w.confidence) for w in lines[0].words[:2]] == [("Hand,", 0.61335), ("Mylord?", 0.76524)]
    assert doc.counts()["word"] == 16
    assert sum(w.confidence is not None for w in doc.words()) == 14  # two Words state no conf


def test_kraken_page_explicit_reading_order() -> None:
    doc = load_response(SAMPLES / "kraken-explicit-ro-page2013.xml")
    assert [b.extras["id"] for b in doc.pages[0].blocks] == ["r2", "r1", "r3"]
    assert doc.pages[0].blocks[0].lines[0].text == "Line 1 in region 2"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("prima-regiontypes-2010.xml", "page-2010-03-19"),
        ("prima-regiontypes-2010-01-12.xml", "page-2010-01-12"),
    ],
)
def test_prima_page_2010_point_coordinates_and_plain_text(tmp_path: Path, name: str, fmt: str) -> None:
    """PRImA's PAGE 2010 samples: ``<Coords><Point x= y=/>`` children, and every Word's, line's and
    glyph's text in ``<PlainText>This</PlainText>`` beside an empty ``<Unicode></Unicode>``: the text is
    read from PlainText (it was left out before: twelve empty words)."""
    f = SAMPLES / name
    doc = load_response(f)
    assert doc.source_format == fmt
    assert (doc.pages[0].width, doc.pages[0].height) == (700, 800)
    r3 = doc.pages[0].blocks[0]
    assert r3.extras["id"] == "r3" and r3.layout_type == "paragraph" and r3.bbox == (32, 31, 278, 151)
    assert [len(ln.words) for ln in r3.lines] == [5, 4, 1, 2]
    assert [ln.text for ln in r3.lines] == [
        "This is a text region.",
        "It contains text lines,",
        "words",
        "and glyphs.",
    ]
    assert (r3.lines[0].words[0].text, r3.lines[0].words[0].bbox) == ("This", (32, 31, 82, 50))
    assert doc.counts()["word"] == 12
    data = _export_json(tmp_path, f, str(_image(tmp_path, 700, 800)))
    assert [w["text"] for w in _words(data)][:5] == ["This", "is", "a", "text", "region."]


def test_page_2009_draft_layout_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    """PRImA's validator sample in the pre-release layout (``pcGts``, ``text_region``, ``image_width``)."""
    _one_line_error(capsys, SAMPLES / "prima-draft-2009-pcgts.xml", "2009 draft layout")


def test_page_with_a_size_that_is_no_number_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    """kraken's invalid sample (imageWidth="foo"), reduced to one region."""
    _one_line_error(
        capsys, SAMPLES / "kraken-invalid-dims-page2013-excerpt.xml", "imageWidth is not a number"
    )


def test_page_orientation_is_the_turn_that_corrects_the_text(tmp_path: Path) -> None:
    """PAGE's Page/@orientation is the clockwise turn that makes the page upright, so the text itself
    stands at the opposite angle (synthetic: OCR-D's real files state only small deskew angles)."""
    xml = (
        '<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">'
        '<Page imageFilename="a.png" imageWidth="100" imageHeight="200" orientation="90">'
        '<TextRegion id="r"><Coords points="10,10 30,10 30,190 10,190"/></TextRegion></Page></PcGts>'
    )
    f = tmp_path / "turned.xml"
    f.write_text(xml, encoding="utf-8")
    page = load_response(f).pages[0]
    assert page.angle == -90 and page.extras["orientation"] == 90


# -- hOCR -----------------------------------------------------------------------------------------------
def test_ocrmypdf_hello_world_in_twenty_scripts(tmp_path: Path) -> None:
    """OCRmyPDF's hOCR of "hello" in 20 languages: ``lang`` per paragraph, RTL Arabic and Hebrew, CJK."""
    f = SAMPLES / "ocrmypdf-hello-world-scripts.hocr"
    doc = load_response(f)
    words = list(doc.words())
    assert len(words) == 20 and (doc.pages[0].width, doc.pages[0].height) == (2550, 3300)
    assert [(w.text, w.language, w.confidence) for w in words[:3]] == [
        ("Hello!", "eng", 0.98),
        ("¡Hola!", "spa", 0.97),
        ("Bonjour!", "fra", 0.96),
    ]
    assert {"こんにちは！", "안녕하세요!", "नमस्ते!", "שלום", "!مرحبا"} <= {w.text for w in words}


def test_hocr_words_without_lines(tmp_path: Path) -> None:
    """Words written straight into a paragraph or the page (some converters write no ``ocr_line``):
    each run of them is a line, nothing is dropped (synthetic: no licensed real file was found)."""
    hocr = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title></title>
<meta name="ocr-capabilities" content="ocr_page ocr_par ocrx_word"/></head><body>
<div class="ocr_page" title="bbox 0 0 500 400">
 <span class="ocrx_word" title="bbox 10 10 50 30; x_wconf 90">Hello</span>
 <span class="ocrx_word" title="bbox 60 10 100 30; x_wconf 80">world</span>
 <p class="ocr_par" title="bbox 10 100 200 130">
  <span class="ocrx_word" title="bbox 10 100 50 130; x_wconf 70">Again</span>
  <span class="ocrx_word" title="bbox 60 100 200 130">here</span></p>
</div></body></html>"""
    f = tmp_path / "loose.hocr"
    f.write_text(hocr, encoding="utf-8")
    doc = load_response(f)
    assert [(ln.text, ln.bbox) for ln in doc.lines()] == [
        ("Hello world", (10, 10, 100, 30)),
        ("Again here", (10, 100, 200, 130)),
    ]
    assert [w.confidence for w in doc.words()] == [0.9, 0.8, 0.7, None]
    assert doc.pages[0].blocks[1].bbox == (10, 100, 200, 130)  # the paragraph's own box


def test_hocr_line_keeps_the_text_of_a_word_without_a_box(tmp_path: Path) -> None:
    hocr = (
        "<html><body><div class='ocr_page' title='bbox 0 0 200 50'>"
        "<span class='ocr_line' title='bbox 0 0 200 40'>"
        "<span class='ocrx_word' title='bbox 0 0 50 40'>one</span> "
        "<span class='ocrx_word'>two</span> "
        "<span class='ocrx_word' title='bbox 120 0 190 40'>three</span></span></div></body></html>"
    )
    f = tmp_path / "nobox.hocr"
    f.write_text(hocr, encoding="utf-8")
    doc = load_response(f)
    line = next(doc.lines())
    assert line.text == "one two three" and [w.text for w in line.words] == ["one", "three"]
    assert any("no bbox" in w for w in doc.warnings)


def test_hocr_vertical_line_gets_no_horizontal_baseline(tmp_path: Path) -> None:
    """Tesseract's ``textangle 90`` line: its ``baseline`` is in the turned line's frame, not the page's."""
    hocr = (
        "<html><body><div class='ocr_page' title='bbox 0 0 300 300'>"
        "<span class='ocr_line' title='bbox 100 10 130 290; textangle 90; baseline 0 -5'>"
        "<span class='ocrx_word' title='bbox 100 10 130 290; x_wconf 91'>縦書き</span></span>"
        "<span class='ocr_line' title='bbox 10 10 90 40; baseline 0 -5'>"
        "<span class='ocrx_word' title='bbox 10 10 90 40; x_wconf 95'>flat</span></span></div></body></html>"
    )
    f = tmp_path / "vertical.hocr"
    f.write_text(hocr, encoding="utf-8")
    vertical, flat = load_response(f).lines()
    assert vertical.text == "縦書き" and "baseline" not in vertical.extras
    assert flat.extras["baseline"] == [[10, 35], [90, 35]]


# -- TSV ------------------------------------------------------------------------------------------------
def _tesseract_tsv(tmp_path: Path) -> Path:
    from tests.support.images import draw_displayed, layout_words
    from tests.support.markup import run_tesseract

    words, size = layout_words(["Hello world", "Second line here"], font_size=40)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image)
    return run_tesseract(image, tmp_path / "page", "tsv")


def test_tesseract_tsv_as_windows_powershell_saves_it(tmp_path: Path) -> None:
    """``tesseract img stdout tsv > out.tsv`` in Windows PowerShell: UTF-16 LE with a BOM, CRLF
    (made from this machine's real Tesseract TSV)."""
    real = _tesseract_tsv(tmp_path)
    want = load_response(real)
    f = tmp_path / "powershell.tsv"
    f.write_bytes(b"\xff\xfe" + real.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-16-le"))
    got = load_response(f)
    assert got.source_format == "tesseract-tsv"
    assert [(w.text, w.bbox, w.confidence) for w in got.words()] == [
        (w.text, w.bbox, w.confidence) for w in want.words()
    ]
    assert [w.text for w in got.words()] == ["Hello", "world", "Second", "line", "here"]


def test_tesseract_4_tsv_rows_without_a_text_column_and_odd_characters(tmp_path: Path) -> None:
    """Tesseract 4.0's TSV ends its non-word rows after ``conf`` (no tab, no text); a word may hold a
    form feed or U+2028, which must not end its row (synthetic rows in that layout)."""
    rows = [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
        "1\t1\t0\t0\t0\t0\t0\t0\t500\t600\t-1",
        "2\t1\t1\t0\t0\t0\t10\t9\t479\t514\t-1",
        "3\t1\t1\t1\t0\t0\t11\t9\t406\t14\t-1",
        "4\t1\t1\t1\t1\t0\t11\t9\t406\t14\t-1",
        "5\t1\t1\t1\t1\t1\t11\t9\t14\t11\t95.791931\tNo",
        "5\t1\t1\t1\t1\t2\t35\t12\t22\t8\t95.791931\ton\x0ce",
        "5\t1\t1\t1\t1\t3\t66\t9\t39\t11\t92.953789\two\u2028uld",
        "5\t1\t1\t1\t1\t4\t115\t9\t30\t11\t-1\t ",
    ]
    f = tmp_path / "t4.tsv"
    f.write_bytes(("\n".join(rows) + "\n").encode("utf-8"))
    doc = load_response(f)
    assert not doc.warnings
    assert (doc.pages[0].width, doc.pages[0].height) == (500, 600)
    assert [(w.text, w.bbox) for w in doc.words()] == [
        ("No", (11, 9, 25, 20)),
        ("on\x0ce", (35, 12, 57, 20)),
        ("wo\u2028uld", (66, 9, 105, 20)),
    ]
    assert next(doc.words()).confidence == pytest.approx(0.95791931)


# -- safety and round trips -----------------------------------------------------------------------------
def test_entity_declarations_in_utf16_without_a_bom_are_refused(tmp_path: Path) -> None:
    from tests.core.test_formats_bad_input import BILLION_LAUGHS

    f = tmp_path / "bomb16.xml"
    text = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16LE"')
    f.write_bytes(text.encode("utf-16-le"))  # no byte-order mark
    with pytest.raises(BadResponse, match="declares entities"):
        load_response(f)


def _same_words(a: Document, b: Document, tol: float, fmt: str) -> None:
    wa = list(a.words())
    wb = list(b.words())
    if fmt == "alto":  # ALTO holds text in Strings only (at least one a line): a line without words
        # is written as one String holding its text, empty or not
        wordless = [ln.text for ln in a.lines() if not ln.words]
        assert [w.text for w in wb if w.text in wordless] == wordless
        wb = [w for w in wb if w.text not in wordless]
    assert [w.text for w in wa] == [w.text for w in wb]
    for x, y in zip(wa, wb, strict=True):
        assert x.bbox == pytest.approx(y.bbox, abs=tol)
        if x.confidence is None:
            assert y.confidence is None
        else:
            assert y.confidence == pytest.approx(x.confidence, abs=0.006)


@pytest.mark.parametrize(
    "sample",
    [
        "dinglehopper-tesseract41-alto3.xml",
        "dinglehopper-glyphs-conf-page2018.xml",
        "ocrmypdf-hello-world-scripts.hocr",
        "prima-regiontypes-2010.xml",
        "kraken-missing-coords-ro-alto4.xml",
        "dinglehopper-calamari-excerpt-page2019.xml",
    ],
)
@pytest.mark.parametrize("fmt", ["hocr", "alto", "page"])
def test_our_exports_of_real_files_read_back(tmp_path: Path, sample: str, fmt: str) -> None:
    """Each real file, placed on an image of its size and exported, reads back to the same words, boxes
    (within the formats' whole-pixel rounding) and confidences; ALTO and PAGE are schema-valid."""
    src = load_response(SAMPLES / sample)
    page = src.pages[0]
    image = _image(tmp_path, int(page.width or 0), int(page.height or 0))
    placed = load_result(SAMPLES / sample, image).document
    raw = export_bytes(fmt, placed, str(image))
    if fmt == "alto":
        assert_valid(raw, "alto-4-4")
    if fmt == "page":
        assert_valid(raw, "pagecontent-2019-07-15")
    out = tmp_path / f"again.{fmt}.xml"
    out.write_bytes(raw)
    back = load_response(out)
    _same_words(placed, back, 0.5 if fmt != "alto" else 0.01, fmt)
    if fmt in ("hocr", "page"):  # line confidences (PAGE's line TextEquiv conf) survive too
        want = [ln.confidence for ln in placed.lines()]
        got = [ln.confidence for ln in back.lines()]
        assert got == [None if c is None else pytest.approx(c, abs=0.006) for c in want]
    assert read_markup(raw).pages[0].width == pytest.approx(page.width, abs=0.5)


_TRANSKRIBUS_TABLE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15">
<Metadata><Creator>prov=READ-COOP:name=PyXRIF:version=2.9.0;Transkribus</Creator>
<Created>2024-06-20T12:00:00</Created><LastChange>2024-07-03T14:50:05</LastChange></Metadata>
<Page imageFilename="t.jpg" imageWidth="1000" imageHeight="800">{order}
<TableRegion id="t1" custom="readingOrder {{index:0;}}"><Coords points="10,100 610,100 610,300 10,300"/>
<TableCell row="0" col="0" rowSpan="1" colSpan="1" id="c1"><Coords points="10,100 10,200 310,200 310,100"/>
<TextLine id="l2" custom="readingOrder {{index:0;}}"><Coords points="20,110 300,110 300,190 20,190"/>
<Baseline points="20,180 300,180"/><TextEquiv><Unicode>Name</Unicode></TextEquiv></TextLine>
<CornerPts>0 1 2 3</CornerPts></TableCell>
<TableCell row="0" col="1" rowSpan="1" colSpan="1" id="c2"><Coords points="310,100 310,200 610,200 610,100"/>
<TextLine id="l3" custom="readingOrder {{index:0;}}"><Coords points="320,110 600,110 600,190 320,190"/>
<TextEquiv><Unicode>Age</Unicode></TextEquiv></TextLine><CornerPts>0 1 2 3</CornerPts></TableCell>
<TableCell row="1" col="0" rowSpan="1" colSpan="2" id="c3"><Coords points="10,200 10,300 610,300 610,200"/>
<CornerPts>0 1 2 3</CornerPts></TableCell></TableRegion>
<TextRegion id="r1" custom="readingOrder {{index:1;}}"><Coords points="10,400 900,400 900,460 10,460"/>
<TextLine id="l1" custom="readingOrder {{index:0;}}"><Coords points="10,400 900,400 900,460 10,460"/>
<TextEquiv><Unicode>Below the table</Unicode></TextEquiv></TextLine></TextRegion>
</Page></PcGts>"""


@pytest.mark.parametrize(
    "order",
    [
        "",  # Transkribus' own custom readingOrder decides
        '<ReadingOrder><OrderedGroup id="ro"><RegionRefIndexed index="0" regionRef="t1"/>'
        '<RegionRefIndexed index="1" regionRef="r1"/></OrderedGroup></ReadingOrder>',
    ],
)
def test_transkribus_table_cells_keep_their_lines_and_make_a_table(tmp_path: Path, order: str) -> None:
    """Transkribus writes tables as ``TableRegion/TableCell/TextLine`` (row, col, spans, CornerPts): the
    cells' lines are text like any region's, in the table's place in the reading order, and the table
    is a table (synthetic in Transkribus' layout: no licensed real export was found)."""
    f = tmp_path / "table.xml"
    f.write_text(_TRANSKRIBUS_TABLE.format(order=order), encoding="utf-8")
    doc = load_response(f)
    page = doc.pages[0]
    assert [(b.extras["id"], b.text) for b in page.blocks] == [
        ("c1", "Name"),
        ("c2", "Age"),
        ("c3", ""),
        ("r1", "Below the table"),
    ]
    (table,) = page.tables
    assert (table.rows, table.columns, table.polygon[0]) == (2, 2, (10, 100))
    assert [(c.row, c.column, c.row_span, c.column_span, c.text) for c in table.cells] == [
        (0, 0, 1, 1, "Name"),
        (0, 1, 1, 1, "Age"),
        (1, 0, 1, 2, ""),
    ]
    assert table.cells[1].polygon == ((310, 100), (310, 200), (610, 200), (610, 100))
    data = _export_json(tmp_path, f, str(_image(tmp_path, 1000, 800)))
    assert data["pages"][0]["tables"][0]["cells"][0]["text"] == "Name"
    assert not doc.warnings


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_searchable_pdf_text_lands_on_the_ink_of_a_turned_and_cropped_page(
    tmp_path: Path, rotation: int
) -> None:
    """Tesseract's own searchable PDF, its page then given a ``/Rotate`` and a CropBox that does not start
    at 0,0 (as scanners and OCRmyPDF's --rotate-pages write them): the words read from the text layer
    sit on their ink in the page as rendered (PDFium gives character boxes in the unturned, uncropped
    page)."""
    import os
    import subprocess

    import numpy as np
    import pypdfium2 as pdfium

    from tests.support.images import draw_displayed, layout_words
    from tests.support.markup import tesseract

    words, size = layout_words(["Hello world", "Second line here"], font_size=40)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image, dpi=(300, 300))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = [tesseract(), str(image), str(tmp_path / "ocr"), "--psm", "3", "-l", "eng", "pdf"]
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=300)
    pdf = pdfium.PdfDocument(tmp_path / "ocr.pdf")
    try:
        page = pdf[0]
        left, bottom, right, top = page.get_mediabox()
        page.set_cropbox(left + 3, bottom + 2, right - 1, top - 1)
        page.set_rotation(rotation)
        turned = tmp_path / f"turned{rotation}.pdf"
        pdf.save(turned)
    finally:
        pdf.close()
    doc = load_response(turned)
    assert [w.text for w in doc.words()] == ["Hello", "world", "Second", "line", "here"]
    pdf = pdfium.PdfDocument(turned)
    try:
        bitmap = pdf[0].render(scale=4)  # what the viewer shows, turned and cropped
        ink = np.asarray(bitmap.to_pil().convert("L")) < 128
    finally:
        pdf.close()
    page = doc.pages[0]
    assert (page.width, page.height) == pytest.approx((ink.shape[1] / 4, ink.shape[0] / 4), abs=0.5)
    for w in doc.words():
        x0, y0, x1, y1 = (round(v * 4) for v in w.bbox)
        inside = ink[max(0, y0) : y1, max(0, x0) : x1]
        assert inside.size and inside.mean() > 0.08, (w.text, w.bbox)
    assert ink.sum() * 0.8 < sum(
        ink[
            max(0, round(w.bbox[1] * 4)) : round(w.bbox[3] * 4),
            max(0, round(w.bbox[0] * 4)) : round(w.bbox[2] * 4),
        ].sum()
        for w in doc.words()
    )


def _ink_under_words(pdf_path: Path, doc: Document, scale: float = 2) -> list[float]:
    import numpy as np
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        ink = np.asarray(pdf[0].render(scale=scale).to_pil().convert("L")) < 160
    finally:
        pdf.close()
    out = []
    for w in doc.pages[0].words():
        x0, y0, x1, y1 = (max(0, round(v * scale)) for v in w.bbox)
        under = ink[y0:y1, x0:x1]
        out.append(float(under.mean()) if under.size else 0.0)
    return out


@pytest.mark.parametrize(
    ("name", "size", "first"),
    [
        ("ocrmypdf-graph-ocred.pdf", (718.5, 300), "sw"),  # OCRmyPDF's text layer on a scanned graph
        ("ocrmypdf-type3-cropbox.pdf", (301.092, 179.783), "\x19\x12"),  # CropBox from y=612
    ],
)
def test_real_pdfs_text_layer_on_its_ink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, size: tuple[float, float], first: str
) -> None:
    f = SAMPLES / name
    doc = load_response(f)
    assert doc.source_format == "pdf-text" and doc.pages[0].unit == "point"
    assert (doc.pages[0].width, doc.pages[0].height) == pytest.approx(size, abs=0.01)
    assert next(doc.words()).text == first
    ink = _ink_under_words(f, doc)
    assert sum(v > 0.02 for v in ink) >= 0.8 * len(ink), ink
    assert all(0 <= w.bbox[1] and w.bbox[3] <= size[1] + 1 for w in doc.words())
    assert "page(s)" in _info(capsys, "-r", str(f))


@pytest.mark.parametrize(
    ("declared", "text", "codec"),
    [
        ("US-ASCII", "Grüße", "cp1252"),  # declared ASCII, written by a Windows tool
        ("Shift_JIS", "日本語", "shift_jis"),
        ("GB2312", "中文", "gb2312"),
        ("KOI8-R", "Привет", "koi8-r"),
        ("Windows-1250", "Łódź", "cp1250"),
        ("macintosh", "Grüße", "mac-roman"),
    ],
)
def test_alto_in_legacy_encodings(tmp_path: Path, declared: str, text: str, codec: str) -> None:
    xml = (
        f'<?xml version="1.0" encoding="{declared}"?>\n'
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout><Page WIDTH="10" HEIGHT="10">'
        f'<PrintSpace><TextBlock><TextLine><String CONTENT="{text}" HPOS="0" VPOS="0" WIDTH="5" HEIGHT="5"/>'
        "</TextLine></TextBlock></PrintSpace></Page></Layout></alto>"
    )
    f = tmp_path / "legacy.xml"
    f.write_bytes(xml.encode(codec))
    assert next(load_response(f).words()).text == text


def test_transkribus_region_types_from_custom_structure() -> None:
    """Transkribus writes a region's type as ``custom="... structure {type:Machine\\u0020Printed\\u0020text;}"``
    (kraken's copies of two real exports); the inspector shows it as the block's type."""
    https = load_response(SAMPLES / "kraken-transkribus-https-page2013.xml")
    assert {b.layout_type for b in https.pages[0].blocks} == {"Machine Printed text"}
    lite = load_response(SAMPLES / "kraken-transkribus-lite-page2013.xml")
    assert [b.layout_type for b in lite.pages[0].blocks] == ["$pag", "$pac"]
    # PAGE's own type attribute still decides where it is given
    simple = load_response(SAMPLES / "prima-SimplePage-2017.xml")
    assert simple.pages[0].blocks[0].layout_type == "heading"


def test_gcv2hocr_swapped_bbox_corners_are_read_not_dropped(tmp_path: Path) -> None:
    """gcv2hocr (Google Cloud Vision -> hOCR) writes every box with its corners swapped; each word is
    read as the box between them (before, every such word was dropped), with one warning for all."""
    f = SAMPLES / "gcv2hocr-eng-swapped-bbox-excerpt.hocr"
    doc = load_response(f)
    words = list(doc.words())
    assert len(words) == 40 and "".join(w.text for w in words[:7]) == "Optical"
    assert (words[0].bbox, words[0].confidence) == ((81, 104, 102, 126), 0.85)  # "bbox 102 104 81 126"
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("40 bbox(es)")
    assert (doc.pages[0].width, doc.pages[0].height) == (None, None)  # "bbox 0 0 0 0"
    data = _export_json(tmp_path, f, str(_image(tmp_path, 826, 1169)))
    assert len(_words(data)) == 40


def test_gcv2hocr2_nested_content_areas() -> None:
    doc = load_response(SAMPLES / "gcv2hocr2-nested-careas.hocr")
    assert (doc.pages[0].width, doc.pages[0].height) == (1928, 2552)
    assert doc.pages[0].extras["image"] == "1.jpg" and doc.extras["ocr_system"] == "gcv2hocr.py"
    assert doc.counts()["block"] == 22 and doc.counts()["word"] == 237
    assert all(w.confidence is None for w in doc.words())
    assert [w.text for w in doc.words()][:4] == ["/", "1/6846", "|", "("]


@pytest.mark.parametrize(
    ("delimiter", "index"),
    [("\t", True), (",", True), (",", False)],
)
def test_pytesseract_dataframe_saved_by_pandas(tmp_path: Path, delimiter: str, index: bool) -> None:
    """pytesseract's ``image_to_data(output_type=DATAFRAME)`` saved with ``DataFrame.to_csv`` (tab or
    comma separated, the index column first unless ``index=False``; punctuation quoted): the same words
    as Tesseract's TSV (written here as pandas writes it: pandas is not installed for the tests)."""
    import csv
    import io

    real = _tesseract_tsv(tmp_path)
    want = load_response(real)
    rows = [r.split("\t") for r in real.read_text(encoding="utf-8").splitlines()]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for i, row in enumerate(rows):
        row = row + [""] * (12 - len(row))
        if i and row[0] == "5":
            row[10] = f"{float(row[10]):.6f}"  # pandas writes the float column with a point
        writer.writerow(([""] if i == 0 else [str(i - 1)]) + row if index else row)
    f = tmp_path / "frame.csv"
    f.write_text(out.getvalue(), encoding="utf-8")
    got = load_response(f)
    assert got.source_format == "tesseract-tsv"
    assert [(w.text, w.bbox, w.confidence) for w in got.words()] == [
        (w.text, w.bbox, pytest.approx(w.confidence)) for w in want.words()
    ]


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("prima-SimplePage.png", "a PNG image; open it as the image"),
        ("ocrmypdf-graph-ocred.pdf", None),  # a searchable PDF is a response (its text layer)
    ],
)
def test_an_image_given_as_the_response_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, match: str | None
) -> None:
    if match is None:
        assert load_response(SAMPLES / name).source_format == "pdf-text"
        return
    _one_line_error(capsys, SAMPLES / name, match)


def test_an_export_archive_given_as_the_response_says_to_unpack_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    f = tmp_path / "transkribus-export.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.write(SAMPLES / "kraken-transkribus-lite-page2013.xml", "page/0074.xml")
    _one_line_error(capsys, f, "unpack it")


def test_gzipped_page_and_alto_open_as_they_are(tmp_path: Path) -> None:
    """``page.xml.gz`` / ``alto.xml.gz`` (how collections store them) open like the plain file; a
    gzip bomb is refused before it is inflated past the response limit, a cut one is one line."""
    import gzip

    from ocrviewer.core.limits import MAX_RESPONSE_BYTES

    for name in ("prima-SimplePage-2017.xml", "dinglehopper-tesseract41-alto3.xml"):
        plain = load_response(SAMPLES / name)
        f = tmp_path / f"{name}.gz"
        f.write_bytes(gzip.compress((SAMPLES / name).read_bytes()))
        zipped = load_response(f)
        assert [(w.text, w.bbox) for w in zipped.words()] == [(w.text, w.bbox) for w in plain.words()]
        assert zipped.source_format == plain.source_format
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b"<" + b" " * (MAX_RESPONSE_BYTES + 10)))
    with pytest.raises(BadResponse, match="over the limit"):
        load_response(bomb)
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(gzip.compress((SAMPLES / "prima-SimplePage-2017.xml").read_bytes())[:200])
    with pytest.raises(BadResponse, match="ends early"):
        load_response(cut)


def test_abbyy_finereader_xml_and_mets_say_what_to_open_instead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _one_line_error(
        capsys, SAMPLES / "prima-abbyy-finereader10-empty.xml", "export the page from FineReader as ALTO"
    )
    mets = tmp_path / "mets.xml"
    mets.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><mets:mets xmlns:mets="http://www.loc.gov/METS/">'
        '<mets:fileSec><mets:fileGrp USE="OCR-D-GT-PAGE"/></mets:fileSec></mets:mets>',
        encoding="utf-8",
    )
    _one_line_error(capsys, mets, "a METS file")


def test_hocr_line_confidence_without_words(tmp_path: Path) -> None:
    """A line recognised as a whole (line-level OCR such as OCRopus or kraken) states its own x_wconf."""
    f = tmp_path / "lines.hocr"
    f.write_text(
        "<html><body><div class='ocr_page' title='bbox 0 0 300 100'>"
        "<span class='ocr_line' title='bbox 10 10 290 40; x_wconf 87'>a whole line</span>"
        "<span class='ocr_line' title='bbox 10 50 290 80'>no confidence</span></div></body></html>",
        encoding="utf-8",
    )
    first, second = load_response(f).lines()
    assert (first.text, first.confidence) == ("a whole line", 0.87)
    assert (second.text, second.confidence) == ("no confidence", None)


def test_page_table_cells_in_the_order_the_table_group_lists_them() -> None:
    """dinglehopper's table-region sample: the ReadingOrder's group names the TableRegion itself and
    lists its TextRegion cells in an order unlike the document's; the cells read 1..9."""
    doc = load_response(SAMPLES / "dinglehopper-table-region-order-page2019.xml")
    assert [b.text for b in doc.pages[0].blocks] == [str(i) for i in range(1, 10)]
