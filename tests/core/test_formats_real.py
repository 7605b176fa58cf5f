"""Real third-party hOCR, ALTO and PAGE-XML files (tests/data/formats, origins in tests/data/SOURCES.md),
opened through the public paths, with expectations checked by hand against each file.

Where a realistic variant could not be obtained with a licence, the test writes a faithful synthetic one
and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.cli import main
from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import load_response
from tests.support.markup import FORMATS as SAMPLES


def _info(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["info", *args]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _export_json(tmp_path: Path, response: Path, *image: str) -> dict:
    out = tmp_path / "out.json"
    assert main(["export", *image, "-r", str(response), "-o", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _image(tmp_path: Path, w: int, h: int, name: str = "page.png") -> Path:
    path = tmp_path / name
    Image.new("L", (w, h), 255).save(path)
    return path


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
    assert next(doc.lines()).text == "義 禮 說 選"


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
