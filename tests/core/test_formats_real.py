"""Real third-party hOCR, ALTO and PAGE-XML files (tests/data/formats, origins in tests/data/SOURCES.md),
opened through the public paths, with expectations checked by hand against each file.

Where a realistic variant could not be obtained with a licence, the test writes a faithful synthetic one
and says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ocrviewer.cli import main
from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import load_response
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import blank_image as _image
from tests.support.markup import cli_export_json as _export_json
from tests.support.markup import cli_info as _info


# -- PAGE-XML -----------------------------------------------------------------------------------------
def test_transkribus_page_with_https_namespace_and_custom_reading_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Transkribus (TRP) wrote the namespace as https://...; lines carry ``custom="readingOrder {index:N;}"``
    and no TextEquiv (a layout-only export); an ImageRegion comes first."""
    f = SAMPLES / "kraken-transkribus-https-page2013.xml"
    doc = load_response(f)
    assert doc.source_format == "page-2013-07-15"
    assert (doc.pages[0].width, doc.pages[0].height) == (3631, 4734)
    assert [(b.extras["id"], len(b.lines)) for b in doc.pages[0].blocks] == [
        ("region_1546920829334_13716", 1),
        ("TextRegion_1546921002631_14111", 48),
        ("TextRegion_1546921232608_14500", 48),
    ]
    assert doc.counts()["line"] == 97 and doc.counts()["word"] == 0
    first = doc.pages[0].blocks[1].lines[0]
    assert first.extras["id"] == "line_1546920834046_13727" and first.text == ""
    assert first.polygon == ((350, 505), (1790, 486), (1791, 536), (351, 555))
    assert first.extras["baseline"] == [[351, 550], [1791, 531]]
    out = _info(capsys, "-r", str(f))
    assert "1 page(s), 3 blocks, 97 lines" in out and "3631x4734" in out
    data = _export_json(tmp_path, f)
    assert len(data["pages"][0]["blocks"]) == 3


def test_transkribus_custom_reading_order_when_no_reading_order_element(tmp_path: Path) -> None:
    """Transkribus' own order (``custom`` index) decides where the document order differs (synthetic
    variant of the files above: Transkribus writes both, ordered alike, so the real files cannot tell)."""
    ns = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15"

    def line(i: int, idx: int, text: str) -> str:
        y = 10 + 40 * i
        return (
            f'<TextLine id="l{i}" custom="readingOrder {{index:{idx};}} textStyle {{offset:0; length:3;bold:true;}}">'
            f'<Coords points="10,{y} 190,{y} 190,{y + 30} 10,{y + 30}"/>'
            f"<TextEquiv><Unicode>{text}</Unicode></TextEquiv></TextLine>"
        )

    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<PcGts xmlns="{ns}"><Metadata>'
        "<Creator>Transkribus</Creator><Created>2020-01-01T00:00:00</Created><LastChange>2020-01-01T00:00:00"
        '</LastChange><TranskribusMetadata docId="1" pageId="2" pageNr="1"/></Metadata>'
        '<Page imageFilename="a.jpg" imageWidth="400" imageHeight="300">'
        '<TextRegion id="r2" custom="readingOrder {index:1;}"><Coords points="200,0 400,0 400,300 200,300"/>'
        f"{line(0, 0, 'right')}</TextRegion>"
        '<TextRegion id="r1" custom="readingOrder {index:0;}"><Coords points="0,0 200,0 200,300 0,300"/>'
        f"{line(1, 1, 'two')}{line(0, 0, 'one')}"
        "<TextEquiv><PlainText>one two</PlainText><Unicode>one\ntwo</Unicode></TextEquiv></TextRegion>"
        "</Page></PcGts>"
    )
    f = tmp_path / "transkribus.xml"
    f.write_text(xml, encoding="utf-8")
    doc = load_response(f)
    assert [b.extras["id"] for b in doc.pages[0].blocks] == ["r1", "r2"]
    assert [line.text for line in doc.lines()] == ["one", "two", "right"]


def test_transkribus_lite_export_reading_order_and_empty_unicode() -> None:
    doc = load_response(SAMPLES / "kraken-transkribus-lite-page2013.xml")
    blocks = doc.pages[0].blocks
    assert [b.extras["id"] for b in blocks] == ["region_1469098609000_462", "region_1469098557906_461"]
    assert [line.text for line in blocks[0].lines] == ["$pag:39"]
    assert [line.text for line in blocks[1].lines] == [
        "",  # <Unicode></Unicode>
        "y salvedades alli expressadas; Y fue acetada;",
        "y assi mismo el dho$.dicho $ofi:Patron $ant:Miguel $ant:Carreras,",
        "y el $ofi:Rndo$.Reverendo $ant:Miguel $ant:Carreras $ofi:pbro$.presbítero residente en la",
    ]


def test_page_unordered_group_of_ordered_groups() -> None:
    doc = load_response(SAMPLES / "kraken-unordered-group-page2013.xml")
    assert [(b.extras["id"], b.text) for b in doc.pages[0].blocks] == [
        ("r1", "Line 1"),
        ("r2", "Line 2"),
        ("r3", "Line 3"),
    ]


def test_page_region_with_empty_coords_takes_its_lines_box() -> None:
    doc = load_response(SAMPLES / "kraken-empty-coords-page2013.xml")
    blocks = doc.pages[0].blocks
    assert [(b.extras["id"], b.text) for b in blocks] == [
        ("r1", "Line 1\nLine 2"),
        ("r_nocoords", "Line 3"),
        ("r2", "Line 4"),
    ]
    assert blocks[1].bbox == (10, 320, 490, 450)
    assert any("r_nocoords" in w for w in doc.warnings)


@pytest.mark.parametrize("sample", ["kraken-zero-dims-page.xml", "kraken-zero-dims-alto4.xml"])
def test_zero_page_size_means_not_stated(
    tmp_path: Path, sample: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """imageWidth="0"/WIDTH="0" (kraken's tests): the size is taken from the image, not refused."""
    doc = load_response(SAMPLES / sample)
    assert (doc.pages[0].width, doc.pages[0].height) == (None, None)
    image = _image(tmp_path, 123, 45)
    result = load_result(SAMPLES / sample, image)
    assert (result.document.pages[0].width, result.document.pages[0].height) == (123, 45)
    assert "123x45" in _info(capsys, str(image), "-r", str(SAMPLES / sample))


# -- ALTO ---------------------------------------------------------------------------------------------
def test_escriptorium_alto_hebrew_rtl_polygons_and_baselines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = SAMPLES / "kraken-escriptorium-hebrew-alto4.xml"
    doc = load_response(f)
    assert doc.source_format == "alto-v4" and doc.extras["image"] == "bsb00084914_00007.jpg"
    assert doc.counts() == {"page": 1, "block": 5, "line": 31, "word": 86, "table": 0}
    main_block = doc.pages[0].blocks[0]
    assert (main_block.language, main_block.bbox, len(main_block.lines)) == (
        "heb",
        (808, 606, 2755, 3240),
        26,
    )
    assert main_block.polygon == ((812, 606), (2755, 648), (2723, 3192), (808, 3240))  # its Shape
    # TAGREFS name eScriptorium's block types (Tags/OtherTag LABEL); the language tag is not one
    assert [b.layout_type for b in doc.pages[0].blocks] == [
        "Main",
        "Paratext",
        "Paratext",
        "Paratext",
        "Margin",
    ]
    first = main_block.lines[0]
    assert first.text.startswith("בשאול וגו' ˙ אם יחבאו")
    assert first.extras["baseline"][0] == [848, 682] and len(first.extras["baseline"]) == 5
    image = _image(tmp_path, 3177, 4308, "bsb00084914_00007.png")
    out = _info(capsys, str(image), "-r", str(f))
    assert "5 blocks, 31 lines, 86 words" in out
    data = _export_json(tmp_path, f, str(image))
    assert data["pages"][0]["blocks"][0]["lines"][0]["text"] == first.text


def test_escriptorium_alto_space_separated_points() -> None:
    """eScriptorium writes POINTS and BASELINE as "x y x y"; a block without coordinates takes its lines'."""
    doc = load_response(SAMPLES / "kraken-escriptorium-polygons-alto4.xml")
    lines = list(doc.lines())
    assert [line.text for line in lines] == ["Ꝙesãsͥ", "a9"]
    assert lines[0].bbox == (4, 41, 223, 51) and len(lines[0].polygon) == 89
    assert lines[0].extras["baseline"] == [[5, 44], [224, 50]]
    assert doc.pages[0].blocks[0].bbox == (4, 41, 223, 74)


def test_alto_blocks_with_shapes_but_no_lines() -> None:
    doc = load_response(SAMPLES / "kraken-block-shapes-alto4.xml")
    blocks = doc.pages[0].blocks
    assert [(b.bbox, len(b.polygon), b.language) for b in blocks] == [
        ((808, 606, 2755, 3240), 4, "heb"),
        ((596, 2850, 729, 3008), 4, None),
    ]  # the third TextBlock has no position and no lines: left out
    assert doc.counts()["line"] == 0


def test_alto_string_placed_by_its_ellipse_and_glyphs() -> None:
    """altoxml's glyph sample: a String with no HPOS/VPOS, only ``Shape/Ellipse`` and Glyphs."""
    doc = load_response(SAMPLES / "altoxml-glyph-ellipse-alto4.xml")
    (word,) = doc.words()
    assert (word.text, word.bbox, word.confidence) == ("12", (230, 216, 1216, 246), 0.99)


def test_alto_string_without_content_or_box_takes_its_glyphs(tmp_path: Path) -> None:
    """Glyph-level ALTO (synthetic, after altoxml's glyph samples): the word is its glyphs."""
    xml = (
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="100" HEIGHT="50">'
        "<PrintSpace><TextBlock><TextLine><String>"
        '<Glyph CONTENT="o" HPOS="10" VPOS="10" WIDTH="10" HEIGHT="20"/>'
        '<Glyph CONTENT="k" HPOS="20" VPOS="8" WIDTH="9" HEIGHT="22"/>'
        "</String></TextLine></TextBlock></PrintSpace></Page></Layout></alto>"
    )
    f = tmp_path / "glyphs.xml"
    f.write_text(xml, encoding="utf-8")
    (word,) = load_response(f).words()
    assert (word.text, word.bbox) == ("ok", (10, 8, 29, 30))


def test_alto_without_description_and_cjk_glyph_strings() -> None:
    doc = load_response(SAMPLES / "altoxml-glyph-chinese-alto4.xml")
    assert doc.pages[0].unit == "pixel" and (doc.pages[0].width, doc.pages[0].height) == (1003, 1469)
    assert [w.text for w in doc.words()] == ["義", "禮", "說", "選"]
    # no SP in the file, which spaces Latin words throughout; Chinese is written without spaces
    assert next(doc.lines()).text == "義禮說選"


# -- encodings, BOMs, line endings ---------------------------------------------------------------------
_ALTO_V3 = (
    '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Description><MeasurementUnit>pixel'
    '</MeasurementUnit></Description><Layout><Page WIDTH="100" HEIGHT="50"><PrintSpace><TextBlock><TextLine>'
    '<String CONTENT="{word}" HPOS="1" VPOS="2" WIDTH="30" HEIGHT="9"/></TextLine></TextBlock></PrintSpace>'
    "</Page></Layout></alto>"
)
_WORD = "Résumé “quoted” Œuvre"


@pytest.mark.parametrize(
    ("case", "raw"),
    [
        # BnF's published ALTO (altoxml/documentation use-cases/alto-dialect/ALTO-BnF-V2.xml, 600 KB, not
        # copied) declares ISO-8859-1 and is UTF-8: read as declared, "É" became "Ã\x89"
        ("ISO-8859-1 declared, UTF-8 bytes", ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + _ALTO_V3)),
        ("UTF-8 declared, Windows-1252 bytes", ('<?xml version="1.0" encoding="UTF-8"?>\n' + _ALTO_V3)),
        ("no declaration, Windows-1252 bytes", _ALTO_V3),
        ("windows-1252 declared and used", ('<?xml version="1.0" encoding="windows-1252"?>\n' + _ALTO_V3)),
        ("UTF-16 with BOM", ('<?xml version="1.0" encoding="UTF-16"?>\n' + _ALTO_V3)),
        ("UTF-16LE without BOM", ('<?xml version="1.0" encoding="UTF-16LE"?>\n' + _ALTO_V3)),
        (
            "UTF-8 BOM, CRLF",
            ('<?xml version="1.0" encoding="UTF-8"?>\r\n' + _ALTO_V3.replace("><", ">\r\n<")),
        ),
    ],
)
def test_encodings_as_real_files_have_them(tmp_path: Path, case: str, raw: str) -> None:
    text = raw.format(word=_WORD)
    data = {
        "ISO-8859-1 declared, UTF-8 bytes": lambda: text.encode("utf-8"),
        "UTF-8 declared, Windows-1252 bytes": lambda: text.encode("cp1252"),
        "no declaration, Windows-1252 bytes": lambda: text.encode("cp1252"),
        "windows-1252 declared and used": lambda: text.encode("cp1252"),
        "UTF-16 with BOM": lambda: text.encode("utf-16"),
        "UTF-16LE without BOM": lambda: text.encode("utf-16-le"),
        "UTF-8 BOM, CRLF": lambda: b"\xef\xbb\xbf" + text.encode("utf-8"),
    }[case]()
    f = tmp_path / "r.xml"
    f.write_bytes(data)
    (word,) = load_response(f).words()
    assert (word.text, word.bbox) == (_WORD, (1, 2, 31, 11))


def test_html_hocr_in_latin1_named_by_its_meta_charset(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body>'
        '<div class="ocr_page" title="bbox 0 0 100 50"><span class="ocr_line" title="bbox 1 1 50 9">'
        '<span class="ocrx_word" title="bbox 1 1 50 9">Grüße&nbsp;</span></span></div></body></html>'
    )
    f = tmp_path / "latin1.hocr"
    f.write_bytes(html.encode("latin-1"))
    assert [w.text for w in load_response(f).words()] == ["Grüße"]


# -- hOCR ---------------------------------------------------------------------------------------------
def test_tesseract_303_hocr_from_hocr_tools(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = SAMPLES / "hocrtools-tesseract303.hocr"
    doc = load_response(f)
    assert doc.counts() == {
        "page": 1,
        "block": 8,
        "line": 37,
        "word": 503,
        "table": 0,
    }  # 8 ocr_par in 2 areas
    assert doc.extras["ocr_system"] == "tesseract 3.03" and doc.pages[0].extras["image"] == "alice_1.png"
    assert [len(b.lines) for b in doc.pages[0].blocks] == [1, 4, 4, 10, 2, 3, 10, 3]
    first = next(doc.lines())
    assert (first.text, first.bbox) == ("1 Down the Rabbit-Hole", (470, 528, 1383, 585))
    assert first.extras["baseline"] == [[470, 580], [1383, pytest.approx(584.565)]]
    words = list(doc.words())
    assert (words[0].text, words[0].bbox, words[0].confidence, words[0].language) == (
        "1",
        (470, 530, 499, 580),
        0.96,
        "eng",
    )
    assert (words[-1].text, words[-1].bbox, words[-1].confidence) == (
        "house!’",
        (1923, 2756, 2063, 2792),
        0.92,
    )
    assert "503 words" in _info(capsys, "-r", str(f)) and "2488x3507" in _info(capsys, "-r", str(f))
    data = _export_json(tmp_path, f)
    assert data["pages"][0]["blocks"][0]["lines"][0]["text"] == "1 Down the Rabbit-Hole"


def test_ocropy_hocr_lines_directly_under_the_page() -> None:
    doc = load_response(SAMPLES / "hocrtools-ocropy-litver.html")
    assert doc.extras["ocr_system"] == "ocropy-1.0" and doc.pages[0].extras["image"] == "litver.png"
    assert (doc.pages[0].width, doc.pages[0].height) == (4299, 3035)
    lines = list(doc.lines())
    assert len(lines) == 105 and not list(doc.words()) and len(doc.pages[0].blocks) == 1
    assert lines[0].text.startswith("(Hrsg.). Bürgerbegehren und Bürgerentscheid") and lines[0].bbox == (
        795,
        230,
        2238,
        272,
    )
    assert lines[3].text == "In: Bayerische Verwaltungsbl\\&ttcr S. 33--43, 74-79."  # &amp; in the file


def test_kraken_hocr_blocks_polygons_and_character_confidences(tmp_path: Path) -> None:
    """hOCR as kraken's template (kraken/templates/hocr, Apache-2.0) writes it: HTML5 without a namespace,
    ``ocrx_block`` regions, ``poly`` polygons, ``x_confs`` per character in 0..1, no ``x_wconf``,
    an unquoted image name with a space (synthetic: kraken's repository keeps no hOCR output)."""
    f = tmp_path / "kraken.hocr"
    f.write_text(_KRAKEN_HOCR, encoding="utf-8")
    doc = load_response(f)
    assert doc.pages[0].extras["image"] == "scan 01.png"
    region, loose = doc.pages[0].blocks
    assert region.bbox == (10, 10, 590, 200)
    (line,) = region.lines
    assert line.polygon == ((20, 22), (300, 20), (300, 60), (20, 58))
    abc, d = line.words
    assert abc.polygon == ((20, 22), (80, 21), (80, 60), (20, 58))
    assert abc.confidence == pytest.approx(0.8) and d.confidence == 0.5 and d.bbox == (90, 20, 110, 60)
    assert loose.text == "ef" and next(iter(loose.lines)).words[0].confidence == 1.0


_KRAKEN_HOCR = """<!DOCTYPE html>
<html>
	<head>
		<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
		<meta name="ocr-system" content="kraken"/>
		<meta name="ocr-capabilities" content="ocr_page ocrx_block ocr_line ocrx_word ocrp_poly"/>
	</head>
	<body>
		<div class="ocr_page" title="bbox 0 0 600 400; image scan 01.png" style="writing-mode: horizontal-tb;">
			<div class="ocrx_block" id="r_1" data-region-type="text" title="bbox 10 10 590 200; poly 10 10 590 10 590 200 10 200">
		<span class="ocr_line" id="l_1" title="bbox 20 20 300 60; x_bboxes 20 20 40 60 40 20 60 60 60 20 80 60 90 20 110 60; poly 20 22 300 20 300 60 20 58">
			<span class="ocrx_word" id="segment_0" title="bbox 20 20 80 60; x_confs 0.9 0.8 0.7; poly 20 22 80 21 80 60 20 58">abc</span>
			<span class="ocrx_word" id="segment_2" title="bbox 90 20 110 60; x_confs 0.5">d</span>
		</span>
		<br/>
			</div>
		<span class="ocr_line" id="l_2" title="bbox 20 300 200 340">
			<span class="ocrx_word" id="segment_3" title="bbox 20 300 200 340; x_confs 1.0 1.0">ef</span>
		</span>
		<br/>
		</div>
	</body>
</html>
"""


def test_scribeocr_hocr_json_metas_nested_markup_and_an_empty_page(tmp_path: Path) -> None:
    """hOCR as ScribeOCR's writer (scribe.js js/export/writeHocr.js) lays it out: JSON in <meta> content,
    lines directly under the page, ``;x_wconf`` without a space, fractional x_wconf, ``<sup>`` and an
    ``ocr_dropcap`` span inside words, a trailing empty page (synthetic: that project's files are AGPL)."""
    f = tmp_path / "scribe.hocr"
    f.write_text(_SCRIBE_HOCR, encoding="utf-8")
    doc = load_response(f)
    assert doc.extras["ocr_system"] == "scribeocr" and len(doc.pages) == 2
    assert [(w.text, w.confidence) for w in doc.words()] == [("Big", 0.96), ("2", 0.875), ("A&B", 0.0)]
    assert next(doc.lines()).extras["baseline"] == [[20, 55], [300, pytest.approx(55.93324)]]
    assert (doc.pages[1].width, doc.pages[1].height, doc.pages[1].blocks) == (600, 400, ())


def test_gimagereader_batch_hocr_with_xml_declarations_between_pages(tmp_path: Path) -> None:
    """gImageReader's batch output (OutputEditorHOCR::HOCRBatchProcessor) writes an HTML5 header, then each
    page as its own XML document, declaration included, with ``image '...'; rot; scan_res`` added to the
    page title and words in <strong>/<em> (synthetic: gImageReader is GPL)."""
    f = tmp_path / "batch.html"
    f.write_text(_GIMAGEREADER_HOCR, encoding="utf-8")
    doc = load_response(f)
    assert [p.extras["image"] for p in doc.pages] == ["scan 1.png", "scan 2.png"]
    assert [p.text for p in doc.pages] == ["Fett kursiv", "zwei"]
    assert [(w.text, w.confidence, w.language) for w in doc.pages[0].words()] == [
        ("Fett", 0.91, "deu"),
        ("kursiv", 0.88, "deu"),
    ]


_SCRIBE_HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en"><head>
	<title></title>
	<meta name='font-metrics' content='{"Default":{"normal":{"height":0.7}}}'></meta>
	<meta name='default-font' content='Default'></meta>
	<meta name='layout' content='[{"default":true,"boxes":{}}]'></meta>
	<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
	<meta name='ocr-system' content='scribeocr' />
	<meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrp_lang ocrp_dir ocrp_font ocrp_fsize'/>
</head>
<body>
	<div class='ocr_page' title='bbox 0 0 600 400'>
		<span class='ocr_line' title="bbox 20 20 300 60; baseline 0.003333 -5; x_x_height 20; x_asc_height 30">
			<span class='ocrx_word' id='w1' title='bbox 20 20 80 60;x_wconf 96;x_font Times;x_fsize 12' lang='eng' style='font-style:italic;font-family:Times'>Big</span>
			<span class='ocrx_word' id='w2' title='bbox 90 20 110 60;x_wconf 87.5' lang='eng'><sup>2</sup></span>
			<span class='ocrx_word' id='w3' title='bbox 120 20 300 60;x_wconf 0'><span class='ocr_dropcap'>A&amp;B</span></span>
		</span>
	</div>
	<div class='ocr_page' title='bbox 0 0 600 400'>
	</div>
</body>
</html>
"""

_GIMAGEREADER_HOCR = """<!DOCTYPE html>
<html>
<head>
 <title>scan.png</title>
 <meta charset="utf-8" />
 <meta name='ocr-system' content='tesseract 5.3.0' />
 <meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_par ocr_line ocrx_word'/>
</head><body>
<?xml version="1.0" encoding="UTF-8"?>
<div class="ocr_page" id="page_1" title="bbox 0 0 600 400; image 'scan 1.png'; ppageno 0; rot 0; scan_res 300">
   <div class='ocr_carea' id='block_1_1' title="bbox 20 20 300 60">
    <p class='ocr_par' id='par_1_1' lang='deu' title="bbox 20 20 300 60">
     <span class='ocr_line' id='line_1_1' title="bbox 20 20 300 60; baseline 0 -5; x_size 40; x_descenders 5; x_ascenders 10">
      <span class='ocrx_word' id='word_1_1' title='bbox 20 20 80 60; x_wconf 91; x_font &apos;Times New Roman&apos;'><strong>Fett</strong></span>
      <span class='ocrx_word' id='word_1_2' title='bbox 90 20 300 60; x_wconf 88'><em>kursiv</em></span>
     </span>
    </p>
   </div>
</div>
<?xml version="1.0" encoding="UTF-8"?>
<div class="ocr_page" id="page_2" title="bbox 0 0 600 400; image 'scan 2.png'; ppageno 1; rot 0; scan_res 300">
   <div class='ocr_carea' id='block_2_1' title="bbox 20 20 300 60">
    <p class='ocr_par' id='par_2_1' lang='deu' title="bbox 20 20 300 60">
     <span class='ocr_line' id='line_2_1' title="bbox 20 20 300 60; baseline 0 -5">
      <span class='ocrx_word' id='word_2_1' title='bbox 20 20 300 60; x_wconf 70'>zwei</span>
     </span>
    </p>
   </div>
</div>
</body></html>
"""


# -- PAGE-XML export of a multi-page result -----------------------------------------------------------
def test_multipage_to_page_xml_needs_and_follows_a_page_pattern(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """gImageReader's two-page batch hOCR to PAGE: refused with a hint, then one valid file per page."""
    from tests.support.markup import assert_valid

    src = tmp_path / "batch.html"
    src.write_text(_GIMAGEREADER_HOCR, encoding="utf-8")
    single = tmp_path / "out.page.xml"
    assert main(["export", "-r", str(src), "-o", str(single)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "{page}" in err and "2 pages" in err
    assert not single.exists()

    assert main(["export", "-r", str(src), "-o", str(tmp_path / "out-{page:02d}.page.xml")]) == 0
    assert "wrote 2 file(s)" in capsys.readouterr().out
    files = [tmp_path / "out-01.page.xml", tmp_path / "out-02.page.xml"]
    for f, image, text in zip(files, ["scan 1.png", "scan 2.png"], ["Fett kursiv", "zwei"], strict=True):
        raw = f.read_bytes()
        assert_valid(raw, "pagecontent-2019-07-15")
        doc = load_response(f)
        assert doc.pages[0].text == text and doc.extras["image"] == image
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.html", *[f.name for f in files]]

    assert main(["export", "-r", str(src), "--to", "alto", "-o", str(tmp_path / "p{page}.xml")]) == 0
    assert [w.text for w in load_response(tmp_path / "p2.xml").words()] == ["zwei"]
    assert main(["export", "-r", str(src), "-o", str(tmp_path / "p{page}.json")]) != 0
    assert "{page} in the output name is for hocr, alto or page" in capsys.readouterr().err
    assert not list(tmp_path.glob("p*.json"))


def test_pdf_document_to_page_xml_one_file_per_pdf_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 3-page PDF whose page 2 has no result: three valid PAGE files, each naming its PDF page; the
    searchable PDF of the same document round-trips its words through PDFium."""
    import pypdfium2 as pdfium

    from tests.support.documents import azure_read_pdf_response, make_pdf, write_json
    from tests.support.markup import assert_valid

    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    resp = write_json(tmp_path / "r.json", azure_read_pdf_response([0, 2]))
    assert main(["export", str(pdf), "-r", str(resp), "-o", str(tmp_path / "one.page.xml")]) != 0
    assert "{page}" in capsys.readouterr().err and not (tmp_path / "one.page.xml").exists()
    assert main(["export", str(pdf), "-r", str(resp), "-o", str(tmp_path / "doc-{page}.page.xml")]) == 0
    docs = []
    for i in (1, 2, 3):
        raw = (tmp_path / f"doc-{i}.page.xml").read_bytes()
        assert_valid(raw, "pagecontent-2019-07-15")
        docs.append(load_response(tmp_path / f"doc-{i}.page.xml"))
    assert [d.extras["image"] for d in docs] == [f"doc.pdf#page={i}" for i in (1, 2, 3)]
    assert "p1w0" in docs[0].pages[0].text and docs[1].pages[0].text == "" and "p3w2" in docs[2].pages[0].text

    searchable = tmp_path / "searchable.pdf"
    assert main(["export", str(pdf), "-r", str(resp), "-o", str(searchable)]) == 0
    out = pdfium.PdfDocument(str(searchable))
    try:
        texts = [out[i].get_textpage().get_text_range() for i in range(len(out))]
    finally:
        out.close()
    assert [t.split() for t in texts] == [[w.text for w in d.words()] for d in docs]


def test_ccs_docworks_alto_without_namespace_in_mm10_with_styles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The National Library of Norway's production ALTO (CCS docWorks + ABBYY FineReader 11): ALTO 1.2
    without a namespace, mm10, Styles, OCRProcessing, margins, nested ComposedBlocks; placed on an
    image twice the page's mm10 numbers (about 508 dpi) every box doubles."""
    f = SAMPLES / "ngxmime-ccs-docworks-nonamespace-mm10.xml"
    doc = load_response(f)
    assert doc.source_format == "alto" and doc.pages[0].unit == "inch"
    assert doc.counts() == {"page": 1, "block": 4, "line": 5, "word": 22, "table": 0}
    image = _image(tmp_path, 2290, 3304)
    result = load_result(f, image)
    assert not result.warnings
    words = list(result.document.words())
    assert (words[0].text, words[0].confidence) == ("Brann-", 0.97)
    assert words[0].bbox == pytest.approx((444, 2676, 732, 2736))  # HPOS 222 VPOS 1338 WIDTH 144 HEIGHT 30
    assert "Itorøts^Jnmnftassr" in result.document.pages[0].text  # inside two ComposedBlocks
    assert "5 lines, 22 words" in _info(capsys, str(image), "-r", str(f))


def test_transkribus_alto2_in_mm10_with_subs_content() -> None:
    doc = load_response(SAMPLES / "ngxmime-transkribus-alto2-mm10-subs.xml")
    assert doc.source_format == "alto-v2" and doc.pages[0].unit == "inch"
    assert [line.text for line in doc.lines()] == [
        "very intelligent would mean",
        "nothing at all to our poli-",
        "ticians. But that he is smart,",
        '"yankee-smart" - that gets',
    ]
    hyphenated = [(w.text, w.extras["subs_type"]) for w in doc.words() if w.extras]
    assert hyphenated == [("poli-", "HypPart1"), ("ticians.", "HypPart2")]


def test_alto3_pixel_page_without_margins() -> None:
    doc = load_response(SAMPLES / "ngxmime-alto3-pixel.xml")
    assert doc.source_format == "alto-v3" and (doc.pages[0].width, doc.pages[0].height) == (805, 1390)
    assert [line.text for line in doc.lines()] == [
        "Hos andre er Aarsagen uden Tvivl den, at man har stolet",
        "*",
    ]
    assert doc.counts()["word"] == 12


def test_words_without_coordinates_keep_their_text_in_the_line(tmp_path: Path) -> None:
    """PAGE Words without Coords and ALTO Strings without a position (seen in hand-edited ground truth;
    synthetic): no box to draw, but the line's text still has them."""
    page = tmp_path / "gt.xml"
    page.write_text(
        '<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"><Page imageFilename="a.png" '
        'imageWidth="300" imageHeight="100"><TextRegion id="r"><Coords points="0,0 300,0 300,100 0,100"/>'
        '<TextLine id="l"><Coords points="0,0 300,0 300,40 0,40"/>'
        '<Word id="w1"><Coords points="0,0 90,0 90,40 0,40"/><TextEquiv><Unicode>placed</Unicode></TextEquiv></Word>'
        '<Word id="w2"><TextEquiv><Unicode>floating</Unicode></TextEquiv></Word>'
        '<Word id="w3"><Glyph id="g"><TextEquiv><PlainText>x</PlainText><Unicode>y</Unicode></TextEquiv></Glyph></Word>'
        "</TextLine></TextRegion></Page></PcGts>",
        encoding="utf-8",
    )
    doc = load_response(page)
    (line,) = doc.lines()
    assert line.text == "placed floating y" and [w.text for w in line.words] == ["placed"]
    assert sum("its text stays in the line" in w for w in doc.warnings) == 2
    alto = tmp_path / "a.xml"
    alto.write_text(
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="300" HEIGHT="100"><PrintSpace>'
        '<TextBlock><TextLine HPOS="0" VPOS="0" WIDTH="300" HEIGHT="40"><String CONTENT="placed" HPOS="0" VPOS="0" '
        'WIDTH="90" HEIGHT="40"/><SP/><String CONTENT="floating"/><HYP CONTENT="-"/></TextLine></TextBlock>'
        "</PrintSpace></Page></Layout></alto>",
        encoding="utf-8",
    )
    (line,) = load_response(alto).lines()
    assert line.text == "placed floating-" and [w.text for w in line.words] == ["placed"]


def test_page_textequiv_with_plaintext_only(tmp_path: Path) -> None:
    """Some converters write ``<PlainText>`` without ``<Unicode>`` (not schema-valid; synthetic)."""
    f = tmp_path / "plain.xml"
    f.write_text(
        '<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"><Page imageFilename="a.png" '
        'imageWidth="300" imageHeight="100"><TextRegion id="r"><Coords points="0,0 300,0 300,40 0,40"/>'
        '<TextLine id="l"><Coords points="0,0 300,0 300,40 0,40"/><TextEquiv conf="0.5"><PlainText>just text'
        "</PlainText></TextEquiv></TextLine></TextRegion></Page></PcGts>",
        encoding="utf-8",
    )
    (line,) = load_response(f).lines()
    assert (line.text, line.confidence) == ("just text", 0.5)


def test_ocrd_tesserocr_page_with_tables_and_nested_reading_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = SAMPLES / "ocrd-tesserocr-table-page2019.xml"
    doc = load_response(f)
    assert doc.counts() == {"page": 1, "block": 11, "line": 19, "word": 82, "table": 0}
    ids = [b.extras["id"] for b in doc.pages[0].blocks]
    assert ids == [
        *[f"region000{i}" for i in (0, 1, 2, 3, 4, 6)],
        *[f"region0007_cell000{i}" for i in range(4)],  # the table's cells, in its OrderedGroupIndexed
        "region0010_cell0000",
    ]
    assert doc.pages[0].blocks[1].text == "G. €. Silberſchlägs"
    assert doc.pages[0].blocks[0].extras["orientation"] == pytest.approx(-0.060876395515066)
    image = _image(tmp_path, 2018, 2529, "PPN860789411-00000001.png")
    assert "11 blocks, 19 lines, 82 words" in _info(capsys, str(image), "-r", str(f))
    data = _export_json(tmp_path, f, str(image))
    assert sum(len(b["lines"]) for b in data["pages"][0]["blocks"]) == 19


@pytest.mark.parametrize(
    ("sample", "text"),
    [
        ("ocrd-two-point-coords-line-page2019.xml", "CONTENT BUT NO WORDS"),
        ("ocrd-two-point-coords-region-page2019.xml", "CONTENT BUT NO LINES"),
    ],
)
def test_page_coords_of_two_points_keep_their_text(
    tmp_path: Path, sample: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """OCR-D's fixtures with ``points="0,0 1,1"``: not a polygon, but the text stays, on the points' box."""
    doc = load_response(SAMPLES / sample)
    (line,) = doc.lines()
    assert (line.text, line.bbox) == (text, (0, 0, 1, 1))
    assert any("2 points" in w for w in doc.warnings)
    image = _image(tmp_path, 3195, 4370)
    assert "1 lines" in _info(capsys, str(image), "-r", str(SAMPLES / sample))


def test_page_line_with_neither_words_nor_text_between_two() -> None:
    doc = load_response(SAMPLES / "ocrd-empty-lines-page2019.xml")
    assert [line.text for line in doc.lines()] == ["foo", "", "bar"]
    assert [w.text for w in doc.words()] == ["foo", "bar"]


_TESS_PAGE_DIV = """<div class='ocr_page' id='page_{n}' title='image "a.png"; bbox 0 0 300 200; ppageno {p}'>
 <div class='ocr_carea' id='block_{n}_1' title="bbox 10 10 200 50">
  <p class='ocr_par' id='par_{n}_1' lang='eng' title="bbox 10 10 200 50">
   <span class='ocr_line' id='line_{n}_1' title="bbox 10 10 200 50; baseline 0 -5; x_size 40; x_descenders 5; x_ascenders 10">
    <span class='ocrx_word' id='word_{n}_1' title='bbox 10 10 90 50; x_wconf 91'>{word}</span>
   </span>
  </p>
 </div>
</div>
"""


def test_tesseract_api_page_fragments_without_a_document_around_them(tmp_path: Path) -> None:
    """What ``TessBaseAPI::GetHOCRText`` returns (and tesserocr, pytesseract's image_to_pdf_or_hocr of old
    and many scripts save): the page <div> alone, or several one after another (synthetic)."""
    one = tmp_path / "one.hocr"
    one.write_text(_TESS_PAGE_DIV.format(n=1, p=0, word="Hello"), encoding="utf-8")
    doc = load_response(one)
    assert doc.source_format == "hocr" and [(w.text, w.bbox) for w in doc.words()] == [
        ("Hello", (10, 10, 90, 50))
    ]
    assert (doc.pages[0].width, doc.pages[0].height) == (300, 200)
    two = tmp_path / "two.hocr"
    two.write_text(
        _TESS_PAGE_DIV.format(n=1, p=0, word="Hello") + _TESS_PAGE_DIV.format(n=2, p=1, word="Again"),
        encoding="utf-8",
    )
    assert [p.text for p in load_response(two).pages] == ["Hello", "Again"]


@pytest.mark.parametrize(
    ("ns", "fmt"),
    [
        ("http://www.loc.gov/standards/alto/ns-v3", "alto-v3"),  # no closing "#"
        ("https://www.loc.gov/standards/alto/ns-v4#", "alto-v4"),
    ],
)
def test_alto_namespace_written_loosely(tmp_path: Path, ns: str, fmt: str) -> None:
    f = tmp_path / "a.xml"
    f.write_text(
        _ALTO_V3.replace("http://www.loc.gov/standards/alto/ns-v3#", ns).format(word="w"), encoding="utf-8"
    )
    doc = load_response(f)
    assert doc.source_format == fmt and [w.text for w in doc.words()] == ["w"]


_KRAKEN_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15 http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15/pagecontent.xsd">
    <Metadata>
        <Creator>kraken 5.2.9</Creator>
        <Created>2024-01-01T00:00:00</Created>
        <LastChange>2024-01-01T00:00:00</LastChange>
    </Metadata>
    <Page imageFilename="folio.png" imageWidth="600" imageHeight="400">
        <TextRegion id="r_1" custom="type {type:text;}" readingDirection="right-to-left">
                <Coords points="0,0 0,0 0,0"/>
            <TextLine id="l_1" custom="type {type:default;}" readingDirection="right-to-left">
                <Coords points="20,20 300,20 300,60 20,60"/>
                <Baseline points="20,55 300,55"/>
                <Word id="segment_0">
                    <Coords points="20,20 20,60 80,60 80,20"/>
                    <Glyph id="char_0">
                        <Coords points="20,20 40,20 40,60 20,60"/>
                        <TextEquiv conf="0.9"><Unicode>ab</Unicode></TextEquiv>
                    </Glyph>
                    <TextEquiv conf="0.9"><Unicode>ab</Unicode></TextEquiv>
                </Word>
                <Word id="segment_1">
                    <Coords points="80,20 80,60 90,60 90,20"/>
                    <TextEquiv conf="0.99"><Unicode> </Unicode></TextEquiv>
                </Word>
                <Word id="segment_2">
                    <Coords points="90,20 90,60 300,60 300,20"/>
                    <TextEquiv conf="0.8"><Unicode>cd</Unicode></TextEquiv>
                </Word>
                <TextEquiv conf="0.8967"><Unicode>ab cd</Unicode></TextEquiv>
            </TextLine>
        </TextRegion>
    </Page>
</PcGts>
"""


def test_kraken_page_region_without_outline_and_space_words(tmp_path: Path) -> None:
    """PAGE as kraken's template (kraken/templates/pagexml) writes it: a region it has no outline of gets
    ``points="0,0 0,0 0,0"`` and the spaces between words are Words of their own (synthetic)."""
    f = tmp_path / "kraken.xml"
    f.write_text(_KRAKEN_PAGE, encoding="utf-8")
    doc = load_response(f)
    (block,) = doc.pages[0].blocks
    assert block.bbox == (20, 20, 300, 60)  # its line's box, not a point at the origin
    (line,) = block.lines
    assert (line.text, line.confidence) == ("ab cd", 0.8967)
    assert [(w.text, w.confidence) for w in line.words] == [("ab", 0.9), ("cd", 0.8)]
    assert line.words[0].polygon == ((20, 20), (20, 60), (80, 60), (80, 20))


def test_alto_reading_order_of_element_refs(tmp_path: Path) -> None:
    """ALTO 4.2+ ``ReadingOrder`` (as kraken's template writes it: refs to blocks or to lines, groups in an
    UnorderedGroup): blocks follow the order; kraken's own sample keeps document order (synthetic)."""
    doc = load_response(SAMPLES / "kraken-escriptorium-hebrew-alto4.xml")
    assert len(doc.pages[0].blocks[0].lines) == 26  # the main text first, as its ReadingOrder has it
    xml = (
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Description><MeasurementUnit>pixel'
        "</MeasurementUnit></Description><ReadingOrder><UnorderedGroup ID='u'><OrderedGroup ID='o'>"
        "<ElementRef ID='e1' REF='l_right'/><ElementRef ID='e2' REF='tb_left'/></OrderedGroup>"
        "</UnorderedGroup></ReadingOrder><Layout><Page WIDTH='400' HEIGHT='100'><PrintSpace>"
        "<TextBlock ID='tb_left' HPOS='0' VPOS='0' WIDTH='190' HEIGHT='100'><TextLine ID='l_left' HPOS='0' "
        "VPOS='0' WIDTH='190' HEIGHT='30'><String CONTENT='second' HPOS='0' VPOS='0' WIDTH='190' HEIGHT='30'/>"
        "</TextLine></TextBlock><TextBlock ID='tb_right' HPOS='210' VPOS='0' WIDTH='190' HEIGHT='100'>"
        "<TextLine ID='l_right' HPOS='210' VPOS='0' WIDTH='190' HEIGHT='30'><String CONTENT='first' HPOS='210' "
        "VPOS='0' WIDTH='190' HEIGHT='30'/></TextLine></TextBlock><TextBlock ID='tb_unnamed'><TextLine "
        "HPOS='0' VPOS='50' WIDTH='90' HEIGHT='30'><String CONTENT='last' HPOS='0' VPOS='50' WIDTH='90' "
        "HEIGHT='30'/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>"
    )
    f = tmp_path / "ro.xml"
    f.write_text(xml, encoding="utf-8")
    assert [b.text for b in load_response(f).pages[0].blocks] == ["first", "second", "last"]


@pytest.mark.parametrize(
    ("sample", "words"),
    [
        (
            "ocrmypdf-multilingual.hocr",
            [("English", "eng"), ("Text", "eng"), ("Here", "eng"), ("مرحبا", "ara"), ("بك", "ara")],
        ),
        (
            "ocrmypdf-cjk.hocr",
            [
                ("你好", "chi_sim"),
                ("世界", "chi_sim"),
                ("繁體", "chi_tra"),
                ("中文", "chi_tra"),
                ("こんにちは", "jpn"),
                ("世界", "jpn"),
                ("안녕하세요", "kor"),
                ("세계", "kor"),
            ],
        ),
    ],
)
def test_ocrmypdf_script_samples_read_and_export_to_every_format(
    tmp_path: Path, sample: str, words: list[tuple[str, str]]
) -> None:
    """OCRmyPDF's hOCR test files (Tesseract 5 layout, RTL and CJK paragraphs with their own lang): read,
    then written as ALTO and PAGE that validate and as a searchable PDF whose text PDFium extracts."""
    import pypdfium2 as pdfium

    from tests.support.markup import assert_valid

    f = SAMPLES / sample
    doc = load_response(f)
    assert [(w.text, w.language) for w in doc.words()] == words
    assert all(w.confidence == 0.95 for w in doc.words())
    for fmt, schema in (("alto", "alto-4-4"), ("page", "pagecontent-2019-07-15")):
        out = tmp_path / f"out.{fmt}.xml"
        assert main(["export", "-r", str(f), "-o", str(out)]) == 0
        assert_valid(out.read_bytes(), schema)
        assert [w.text for w in load_response(out).words()] == [w for w, _ in words]
    pdf_path = tmp_path / "out.pdf"
    assert main(["export", "-r", str(f), "-o", str(pdf_path)]) == 0
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[0]
        assert page.get_size() == pytest.approx((2550 * 72 / 300, 3300 * 72 / 300))  # no image: 300 dpi
        text = page.get_textpage().get_text_range()
    finally:
        pdf.close()
    got = text.split()
    if sample == "ocrmypdf-cjk.hocr":  # PDFium puts no space between CJK words; Korean keeps its spaces
        assert "".join(got) == "".join(w for w, _ in words) and got[-2:] == ["안녕하세요", "세계"]
    else:  # each Arabic word reads as written (not reversed); the line reads from the right
        assert got[:3] == ["English", "Text", "Here"] and sorted(got[3:]) == sorted(["مرحبا", "بك"])


def test_searchable_pdf_of_hebrew_escriptorium_alto_extracts_in_reading_order(tmp_path: Path) -> None:
    """Right-to-left words are written in visual order so PDF readers give them back as recognized."""
    import pypdfium2 as pdfium

    from ocrviewer.core.formats.searchable_pdf import visual_order

    assert visual_order("abc") == "abc" and visual_order("עם2020") == "2020םע"
    assert visual_order("[צל']") == "['לצ]"  # reversed, brackets mirrored: readers give "[צל']" back
    f = SAMPLES / "kraken-escriptorium-hebrew-alto4.xml"
    out = tmp_path / "hebrew.pdf"
    assert main(["export", "-r", str(f), "-o", str(out)]) == 0
    pdf = pdfium.PdfDocument(str(out))
    try:
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    first = next(load_response(f).lines()).text
    assert first.startswith("בשאול") and "בשאול וגו' ˙ אם יחבאו" in " ".join(text.split())
    assert "[צל']" in text


@pytest.mark.parametrize(
    "options",
    [
        ["-c", "hocr_char_boxes=1"],
        ["-c", "lstm_choice_mode=1"],
        ["-c", "lstm_choice_mode=2", "-c", "hocr_char_boxes=1"],
    ],
)
def test_tesseract_hocr_with_character_boxes_and_lstm_choices(tmp_path: Path, options: list[str]) -> None:
    """Tesseract's documented hOCR options put each character (``ocrx_cinfo``) and its alternatives
    (``lstm_choices``, ``ocr_symbol``/``timestep``) inside the word: the word's text stays the word."""
    import os
    import subprocess

    from tests.support.images import draw_displayed, layout_words
    from tests.support.markup import run_tesseract, tesseract

    lines = ["Hello world", "Second line"]
    words, size = layout_words(lines, font_size=40)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image)
    plain = load_response(run_tesseract(image, tmp_path / "plain", "hocr"))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = [tesseract(), str(image), str(tmp_path / "rich"), "--psm", "3", "-l", "eng", *options, "hocr"]
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=300)
    rich = load_response(tmp_path / "rich.hocr")
    assert [line.text for line in rich.lines()] == [line.text for line in plain.lines()] == lines
    assert [(w.text, w.bbox) for w in rich.words()] == [(w.text, w.bbox) for w in plain.words()]


_XHTML_HOCR = """<?xml version="1.0" encoding="{enc}"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>
<div class="ocr_page" id="page_1" title="image &quot;a b.png&quot;; bbox 0 0 400 300; ppageno 0">
<span class="ocr_line" title="bbox 10 10 200 40; baseline 0 -3; x_size 30; x_descenders 5; x_ascenders 6">
<span class="ocrx_word" title="bbox 10 10 90 40;x_wconf 95;"><strong><em>Grüße</em></strong></span>&nbsp;<span
 class="ocrx_word" title="bbox 100 10 200 40 ; x_font Times">&amp;Co</span></span>
</div></body></html>
"""


@pytest.mark.parametrize(
    ("case", "encode"),
    [
        ("XHTML with an HTML entity (&nbsp;), not well-formed XML", lambda t: t.format(enc="UTF-8").encode()),
        ("UTF-16 with BOM", lambda t: t.format(enc="UTF-16").encode("utf-16")),
        ("ISO-8859-1 declared and used", lambda t: t.format(enc="ISO-8859-1").encode("latin-1")),
        (
            "UTF-8 BOM and CRLF",
            lambda t: ("\ufeff" + t.format(enc="UTF-8")).replace("\n", "\r\n").encode("utf-8"),
        ),
    ],
)
def test_hocr_entities_encodings_and_line_endings(tmp_path: Path, case: str, encode: object) -> None:
    f = tmp_path / "x.hocr"
    f.write_bytes(encode(_XHTML_HOCR))  # type: ignore[operator]
    doc = load_response(f)
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [
        ("Grüße", (10, 10, 90, 40), 0.95),
        ("&Co", (100, 10, 200, 40), None),  # x_wconf missing
    ]
    assert doc.pages[0].extras["image"] == "a b.png" and doc.pages[0].width == 400


def test_page_polygons_survive_alto_as_shapes(tmp_path: Path) -> None:
    """A Transkribus PAGE (polygons, slanted lines) to ALTO and back to PAGE: ALTO keeps each polygon in a
    ``Shape/Polygon`` next to its box, valid against the 4.4 schema."""
    from tests.support.markup import assert_valid

    src = SAMPLES / "kraken-transkribus-lite-page2013.xml"
    alto = tmp_path / "t.alto.xml"
    assert main(["export", "-r", str(src), "-o", str(alto)]) == 0
    assert_valid(alto.read_bytes(), "alto-4-4")
    before, after = load_response(src), load_response(alto)
    for a, b in zip(before.lines(), after.lines(), strict=True):
        assert b.polygon == a.polygon and b.text == a.text
    assert [b.polygon for b in after.pages[0].blocks] == [b.polygon for b in before.pages[0].blocks]


def test_polygons_survive_hocr_as_poly(tmp_path: Path) -> None:
    """PAGE polygons to hOCR keep a ``poly`` property (hOCR 1.2, ``ocrp_poly``) that reads back."""
    src = SAMPLES / "kraken-transkribus-lite-page2013.xml"
    out = tmp_path / "t.hocr"
    assert main(["export", "-r", str(src), "-o", str(out)]) == 0
    raw = out.read_text(encoding="utf-8")
    assert "ocrp_poly" in raw and "; poly 2344 182 2428 195 2420 244 2336 231" in raw
    before, after = load_response(src), load_response(out)
    assert [line.polygon for line in after.lines()] == [line.polygon for line in before.lines()]


def test_layout_only_words_survive_hocr(tmp_path: Path) -> None:
    """Words with boxes and no text yet (PRImA's region sample with its PlainText taken out, so every
    TextEquiv is empty, as layout ground truth has it): hOCR keeps their boxes (an empty ``ocrx_word``),
    while a word of only spaces, as kraken writes between words, is still no word."""
    import re

    src = tmp_path / "layout.xml"
    raw = (SAMPLES / "prima-regiontypes-2013.xml").read_text(encoding="utf-8")
    src.write_text(re.sub(r"<PlainText>[^<]*</PlainText>", "", raw), encoding="utf-8")
    out = tmp_path / "layout.hocr"
    assert main(["export", "-r", str(src), "-o", str(out)]) == 0
    before, after = load_response(src), load_response(out)
    assert [w.bbox for w in after.words()] == [w.bbox for w in before.words()] and before.counts()[
        "word"
    ] == 12
    assert all(w.text == "" for w in after.words())
    spaced = tmp_path / "spaces.hocr"
    spaced.write_text(_KRAKEN_HOCR.replace(">d</span>", "> </span>"), encoding="utf-8")
    assert [w.text for w in load_response(spaced).words()] == ["abc", "ef"]


_FUZZ_SEEDS = [
    (SAMPLES / name).read_bytes()[:5000]
    for name in (
        "kraken-escriptorium-polygons-alto4.xml",
        "kraken-transkribus-lite-page2013.xml",
        "ocrmypdf-cjk.hocr",
        "ngxmime-ccs-docworks-nonamespace-mm10.xml",
        "altoxml-glyph-ellipse-alto4.xml",
    )
]
_FUZZ_NOISE = [
    b'<?xml version="1.0" encoding="ISO-8859-1"?>',
    b'encoding="UTF-16"',
    b"\xc3",
    b"\xe9",
    b"\xef\xbb\xbf",
    b"<Shape><Ellipse HPOS='1' VPOS='1' HLENGTH='-3' VLENGTH='2'/></Shape>",
    b"<Glyph CONTENT='x' HPOS='a'/>",
    b" title='poly 1 2 3; x_confs 2 .5 nan'",
    b' custom="readingOrder {index:99999999999999999999;}"',
    b"<ReadingOrder><ElementRef REF=''/></ReadingOrder>",
    b'<Coords points="5,5"/>',
    b' WIDTH="0" HEIGHT="0"',
    b"<MeasurementUnit>MM10</MeasurementUnit>",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_FUZZ_SEEDS),
    cut=st.integers(0, 5000),
    noise=st.lists(st.tuples(st.integers(0, 5000), st.sampled_from(_FUZZ_NOISE)), max_size=5),
)
def test_mutated_real_samples_give_a_document_or_one_line(
    seed: bytes, cut: int, noise: list[tuple[int, bytes]]
) -> None:
    """The readers' new paths (encodings, shapes, glyphs, poly, custom order, point boxes) never crash."""
    import tempfile

    from ocrviewer.errors import BadResponse

    raw = bytearray(seed[: max(1, cut)])
    for at, piece in noise:
        raw[at % len(raw) : at % len(raw)] = piece
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "fuzz.xml"
        f.write_bytes(bytes(raw))
        try:
            load_response(f)
        except BadResponse as err:
            assert str(err).startswith(f"{f}: ") and "\n" not in str(err)


def test_info_on_alto_in_mm10_without_its_image(capsys: pytest.CaptureFixture[str]) -> None:
    """``info -r`` says all it can of a response in physical units, and that placing it needs the image."""
    out = _info(capsys, "-r", str(SAMPLES / "ngxmime-ccs-docworks-nonamespace-mm10.xml"))
    assert "format: alto" in out and "4 blocks, 5 lines, 22 words" in out
    assert "(1145x1652 mm10)" in out and "placed: not without the image" in out


def test_hocr_page_bbox_of_zero_size_means_not_stated(tmp_path: Path) -> None:
    f = tmp_path / "zero.hocr"
    f.write_text(_TESS_PAGE_DIV.format(n=1, p=0, word="Hello").replace("bbox 0 0 300 200", "bbox 0 0 0 0"))
    doc = load_response(f)
    assert (doc.pages[0].width, doc.pages[0].height) == (None, None) and doc.counts()["word"] == 1
    image = _image(tmp_path, 300, 200)
    assert load_result(f, image).document.pages[0].width == 300


def test_searchable_pdf_round_trip_through_its_text_layer(tmp_path: Path) -> None:
    """hOCR -> searchable PDF -> the PDF opened as the response on the same image: the same 503 words,
    boxes within a pixel, the same 37 lines (ligatures come back as letters, as PDFium gives them)."""
    import unicodedata

    src = SAMPLES / "hocrtools-tesseract303.hocr"
    pdf = tmp_path / "alice.pdf"
    assert main(["export", "-r", str(src), "-o", str(pdf)]) == 0
    doc = load_response(pdf)
    assert doc.source_format == "pdf-text" and doc.pages[0].unit == "point"
    image = _image(tmp_path, 2488, 3507, "alice_1.png")
    placed = load_result(pdf, image).document
    before = list(load_response(src).words())
    after = list(placed.words())
    assert [unicodedata.normalize("NFKC", w.text) for w in before] == [w.text for w in after]
    pairs = zip(before, after, strict=True)
    assert max(abs(a - b) for v, w in pairs for a, b in zip(v.bbox, w.bbox, strict=True)) <= 1
    assert [unicodedata.normalize("NFKC", x.text) for x in load_response(src).lines()] == [
        x.text for x in placed.lines()
    ]  # a line-end "book-" stays on its line


def test_a_pdf_without_text_layer_is_one_line(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 100), "white").save(scan)
    with pytest.raises(Exception, match=r"scan\.pdf: the PDF has no text layer") as info:
        load_response(scan)
    assert "\n" not in str(info.value)


def test_tesseract_tsv_gives_the_same_document_as_its_hocr(tmp_path: Path) -> None:
    """Tesseract's TSV (pytesseract's image_to_data) is read too, told by its header: the same words,
    boxes, lines and paragraph blocks as Tesseract's hOCR of the page; conf 0-100 -> 0..1."""
    import os
    import subprocess

    from tests.support.images import draw_displayed, layout_words
    from tests.support.markup import run_tesseract, tesseract

    lines = ["Hello world", "Searchable text layer"]
    words, size = layout_words(lines, font_size=40)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image)
    hocr = load_response(run_tesseract(image, tmp_path / "page", "hocr"))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = [tesseract(), str(image), str(tmp_path / "page"), "--psm", "3", "-l", "eng", "tsv"]
    subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=300)
    tsv_file = tmp_path / "page.tsv"
    doc = load_response(tsv_file)
    assert doc.source_format == "tesseract-tsv" and (doc.pages[0].width, doc.pages[0].height) == size
    assert [(w.text, w.bbox) for w in doc.words()] == [(w.text, w.bbox) for w in hocr.words()]
    assert [x.bbox for x in doc.lines()] == [x.bbox for x in hocr.lines()]
    assert [b.bbox for b in doc.pages[0].blocks] == [b.bbox for b in hocr.pages[0].blocks]
    for t, h in zip(doc.words(), hocr.words(), strict=True):
        assert t.confidence == pytest.approx(h.confidence, abs=0.01)
    result = load_result(tsv_file, image)
    assert result.decision.transform.is_identity and [x.text for x in result.document.lines()] == lines
