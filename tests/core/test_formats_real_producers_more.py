"""More producers' files (origins in tests/data/SOURCES.md): eScriptorium's PAGE export, docTR's hOCR,
ALTO whose WC are percentages (eMOP's layout) and ALTO/PAGE with blank lines before the XML declaration.
Each is opened as a user opens it (``ocrviewer info``/``export``, ``load_result`` as the window's worker
does), checked against what the file says, then written as hOCR, ALTO and PAGE, which validate and
read back the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from ocrviewer.cli import main
from ocrviewer.core.formats import read_markup, write
from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import load_response, parse_response
from tests.support.markup import DATA, assert_valid
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import blank_image as _image
from tests.support.markup import cli_export_json as _export_json
from tests.support.markup import cli_info as _info


def _same_after_export(tmp_path: Path, f: Path, width: int = 0, height: int = 0) -> None:
    """``ocrviewer export [IMAGE] -r F`` to hOCR, ALTO and PAGE: valid, and the same lines read back
    (no image for a page too large to draw in a test: the file's own size places it)."""
    doc = load_response(f)
    image = [str(_image(tmp_path, width, height))] if width else []
    for name, extra, schema in (
        ("out.hocr", [], None),
        ("out.alto.xml", ["--to", "alto"], "alto-4-4"),
        ("out.page.xml", ["--to", "page"], "pagecontent-2019-07-15"),
    ):
        out = tmp_path / name
        assert main(["export", *image, "-r", str(f), "-o", str(out), *extra]) == 0
        if schema:
            assert_valid(out.read_bytes(), schema)
        back = load_response(out)
        assert [x.bbox for x in back.lines()] == [x.bbox for x in doc.lines()], name
        assert [x.text for x in back.lines()] == [x.text for x in doc.lines()], name


# -- eScriptorium -----------------------------------------------------------------------------------------
def test_escriptorium_page_dummy_block_is_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """eScriptorium's PAGE export puts lines that no region holds into ``eSc_dummyblock_`` with
    ``<Coords points="0,0 0,0"/>``: no outline, so the block is boxed by its line, without a warning
    (before: 'Coords has 2 points; at least 3 are needed' on every such page). A region with no lines
    stays a block; the eight regions keep the file's order."""
    f = SAMPLES / "escriptorium-dtgt-dummyblock-page2019.xml"
    raw = f.read_text(encoding="utf-8")
    assert '<TextRegion id="eSc_dummyblock_">\n      <Coords points="0,0 0,0"/>' in raw
    doc = load_response(f)
    assert doc.source_format == "page-2019-07-15" and doc.warnings == ()
    assert (doc.pages[0].width, doc.pages[0].height) == (2191, 2618)
    blocks = doc.pages[0].blocks
    assert [b.extras["id"] for b in blocks] == re.findall(r'<TextRegion id="([^"]+)"', raw)
    assert [[x.text for x in b.lines] for b in blocks] == [
        ["Stimmen"],
        ["aus Maria-Laach"],
        ["1872"],
        ["Misc."],
        ["oct"],
        ["2705"],
        [],
        ["2"],
    ]
    # <TextLine id="eSc_line_d794c1a3"><Coords points="229,1616 229,1544 264,1553 264,1616 261,1627 226,1623"/>
    assert blocks[-1].bbox == (226, 1544, 264, 1627) and blocks[-1].lines[0].bbox == (226, 1544, 264, 1627)
    assert blocks[-1].lines[0].extras["baseline"] == [[230, 1618], [265, 1618]]
    out = _info(capsys, "-r", str(f))
    assert "1 page(s), 8 blocks, 7 lines, 0 words" in out and "warning" not in out
    result = load_result(f, _image(tmp_path, 2191, 2618))
    assert [x.text for x in result.document.lines()][-1] == "2" and not result.document.warnings
    _same_after_export(tmp_path, f, 2191, 2618)


def test_page_coords_of_one_repeated_point_is_no_outline() -> None:
    """A Coords of one point however often written (kraken "0,0 0,0 0,0", eScriptorium "0,0 0,0", or one
    point) is no outline, said by no warning; two distinct points are still a bad outline, warned."""
    raw = (SAMPLES / "escriptorium-dtgt-dummyblock-page2019.xml").read_text(encoding="utf-8")
    for points in ("0,0", "0,0 0,0", "5,7 5,7", "0,0 0,0 0,0 0,0"):
        doc = read_markup(raw.replace('points="0,0 0,0"', f'points="{points}"').encode("utf-8"))
        assert doc.warnings == () and doc.pages[0].blocks[-1].bbox == (226, 1544, 264, 1627), points
    doc = read_markup(raw.replace('points="0,0 0,0"', 'points="0,0 9,9"').encode("utf-8"))
    assert len(doc.warnings) == 1 and "2 points" in doc.warnings[0]


# -- Transkribus tables ------------------------------------------------------------------------------------
def test_transkribus_table_in_its_custom_reading_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Transkribus' PAGE (Reichsanzeiger ground truth): its ReadingOrder names the TextRegions 0, 1 and 3;
    the TableRegion between them is placed by ``custom="readingOrder {index:2;}"`` only, and its
    TableCells are written column by column. The table reads after region 1 and row by row (before: at
    the end of the page, column by column: '6) Banknoten im Umlauf', '7) Depositenkapitalien', 'Thlr.')."""
    f = SAMPLES / "transkribus-reichsanzeiger-table-excerpt-page2013.xml"
    raw = f.read_text(encoding="utf-8")
    assert re.findall(r'RegionRefIndexed index="(\d+)"', raw) == ["0", "1", "3"]
    assert '<TableRegion id="Table_1644228808627_13" custom="readingOrder {index:2;}">' in raw
    doc = load_response(f)
    assert doc.source_format == "page-2013-07-15" and doc.warnings == ()
    page = doc.pages[0]
    assert (page.width, page.height) == (10720, 7440)
    ids = [b.extras["id"] for b in page.blocks]
    assert ids[:2] == ["r1", "r2"] and ids[-1] == "r3" and all(i.startswith("TableCell_") for i in ids[2:-1])
    assert [x.text for x in doc.lines()][:9] == [
        "858",
        "Paſſiva.",
        "6) Banknoten im Umlauf",
        "Thlr.",
        "195,346,000",
        "7) Depoſitenkapitalien",
        "„",
        "16,239,000",
        "8) Guthaben der Staatskaſſen, Inſtitute",
    ]
    assert [x.text for x in doc.lines()][-4:] == [
        "Berlin, den 23. Februar 1871.",
        "Königlich Preußiſches Haupt⸗Bank⸗Direktorium.",
        "von Dechend. Boeſe. Rotth. Gallenkamp.",
        "Herrmann.",
    ]
    (table,) = page.tables
    assert (table.rows, table.columns, len(table.cells)) == (3, 3, 9)
    assert {(c.row, c.column): c.text for c in table.cells}[(2, 2)] == "1,427,000"
    assert "1 page(s), 12 blocks, 17 lines, 0 words, 1 tables" in _info(capsys, "-r", str(f))
    data = _export_json(tmp_path, f)
    assert [ln["text"] for p in data["pages"] for b in p["blocks"] for ln in b["lines"]] == [
        x.text for x in doc.lines()
    ]
    _same_after_export(tmp_path, f)


def test_transkribus_unnamed_region_without_a_custom_index_goes_last() -> None:
    """A region neither the ReadingOrder nor a custom index places still follows the named ones."""
    raw = (SAMPLES / "transkribus-reichsanzeiger-table-excerpt-page2013.xml").read_text(encoding="utf-8")
    plain = raw.replace(
        '<TableRegion id="Table_1644228808627_13" custom="readingOrder {index:2;}">', '<TableRegion id="t">'
    )
    doc = read_markup(plain.encode("utf-8"))
    ids = [b.extras["id"] for b in doc.pages[0].blocks]
    assert ids[:3] == ["r1", "r2", "r3"] and len(ids) == 12
    assert [x.text for x in doc.lines()][6:9] == ["6) Banknoten im Umlauf", "Thlr.", "195,346,000"]


# -- blank lines before the XML declaration -------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "dinglehopper-tesseract41-alto3.xml",
        "prima-SimplePage-2017.xml",
        "escriptorium-dtgt-dummyblock-page2019.xml",
    ],
)
@pytest.mark.parametrize("before", [b"\n", b"\r\n\r\n", b"  \t\n", b"\xef\xbb\xbf\n"])
def test_xml_with_blank_lines_before_its_declaration(tmp_path: Path, name: str, before: bytes) -> None:
    """ALTO or PAGE with a newline before ``<?xml`` (a web script that prints one first, a file cut from a
    program's string literal) reads as the file itself; before, it was refused as malformed XML ('XML
    declaration allowed only at the start of the document'), though hOCR read so was accepted."""
    raw = (SAMPLES / name).read_bytes()
    assert raw.startswith(b"<?xml ")
    f = tmp_path / name
    f.write_bytes(before + raw)
    doc, want = load_response(f), load_response(SAMPLES / name)
    assert doc.source_format == want.source_format and doc.warnings == want.warnings
    assert [(x.text, x.bbox) for x in doc.lines()] == [(x.text, x.bbox) for x in want.lines()]
    assert [(w.text, w.confidence) for w in doc.words()] == [(w.text, w.confidence) for w in want.words()]


def test_text_before_the_declaration_is_still_malformed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only blanks are dropped: other text before ``<?xml`` is still one clear line, not a traceback."""
    f = tmp_path / "bad.xml"
    f.write_bytes(b"HTTP/1.1 200 OK\n" + (SAMPLES / "prima-SimplePage-2017.xml").read_bytes())
    assert main(["info", "-r", str(f)]) != 0
    err = capsys.readouterr().err
    assert "not XML" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


# -- ALTO WC as percentages -------------------------------------------------------------------------------
def test_alto_whose_wc_are_percentages(tmp_path: Path) -> None:
    """eMOP's ALTO (Tesseract + PageCorrector) writes WC as 0-100 (``WC="79"``) where ALTO says 0..1. A
    file whose WCs all lie in 0-100, most over 1, is read as percentages: Tesseract 4.1's real ALTO with
    every WC written so gives the same confidences (before: 100 words without one and three warnings)."""
    f = SAMPLES / "dinglehopper-tesseract41-alto3.xml"
    raw = f.read_text(encoding="utf-8")
    pct, n = re.subn(r'WC="([0-9.]+)"', lambda m: f'WC="{round(float(m.group(1)) * 100)}"', raw)
    assert n == 100 and 'WC="96"' in pct
    g = tmp_path / "percent.alto.xml"
    g.write_text(pct, encoding="utf-8")
    doc, want = load_response(g), load_response(f)
    assert doc.warnings == ()
    assert [w.confidence for w in doc.words()] == pytest.approx([w.confidence for w in want.words()])
    assert all(w.confidence is not None and 0 < w.confidence <= 1 for w in doc.words())
    data = _export_json(tmp_path, g)
    words = [w for p in data["pages"] for b in p["blocks"] for ln in b["lines"] for w in ln["words"]]
    assert words[0]["confidence"] == pytest.approx(0.96)
    back = read_markup(write("alto", doc))
    assert [w.confidence for w in back.words()] == pytest.approx([w.confidence for w in doc.words()])


def test_alto_with_a_stray_wc_past_one_stays_a_warning() -> None:
    """A 0..1 file with one WC past 1 is not read as percentages: that word alone loses its confidence."""
    raw = (SAMPLES / "dinglehopper-tesseract41-alto3.xml").read_text(encoding="utf-8")
    doc = read_markup(raw.replace('WC="0.96"', 'WC="96"', 1).encode("utf-8"))
    confs = [w.confidence for w in doc.words()]
    assert confs[0] is None and confs[1] == 0.96 and len(doc.warnings) == 1


# -- docTR's hOCR -------------------------------------------------------------------------------------------
def _doctr_hocr(
    width: int, height: int, blocks: list[list[list[tuple[str, tuple[int, int, int, int], float]]]]
) -> bytes:
    """A page as docTR's ``Page.export_as_xml`` writes it (doctr/io/elements.py, 0.5-0.10): ElementTree,
    no XML declaration, ``xmlns`` as an attribute, an EMPTY ``ocr_page`` div with the page's areas after
    it in ``<body>``, titles continued over source lines (runs of spaces inside ``bbox``), baseline 0 0."""
    html = ET.Element("html", attrib={"xmlns": "http://www.w3.org/1999/xhtml", "xml:lang": "en"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "title").text = "docTR - XML export (hOCR)"
    ET.SubElement(head, "meta", attrib={"http-equiv": "Content-Type", "content": "text/html; charset=utf-8"})
    ET.SubElement(head, "meta", attrib={"name": "ocr-system", "content": "python-doctr 0.7.0"})
    ET.SubElement(
        head,
        "meta",
        attrib={"name": "ocr-capabilities", "content": "ocr_page ocr_carea ocr_par ocr_line ocrx_word"},
    )
    body = ET.SubElement(html, "body")
    ET.SubElement(
        body,
        "div",
        attrib={"class": "ocr_page", "id": "page_1", "title": f"image; bbox 0 0 {width} {height}; ppageno 0"},
    )
    gap = " " * 20
    nb = nl = nw = 1
    for block in blocks:
        boxes = [w[1] for line in block for w in line]
        bb = f"bbox {min(b[0] for b in boxes)} {min(b[1] for b in boxes)} {gap}{max(b[2] for b in boxes)} {max(b[3] for b in boxes)}"
        div = ET.SubElement(body, "div", attrib={"class": "ocr_carea", "id": f"block_{nb}", "title": bb})
        par = ET.SubElement(div, "p", attrib={"class": "ocr_par", "id": f"par_{nb}", "title": bb})
        nb += 1
        for line in block:
            lb = [w[1] for w in line]
            title = (
                f"bbox {min(b[0] for b in lb)} {min(b[1] for b in lb)} {gap}{max(b[2] for b in lb)} "
                f"{max(b[3] for b in lb)}; {gap}baseline 0 0; x_size 0; x_descenders 0; x_ascenders 0"
            )
            span = ET.SubElement(
                par, "span", attrib={"class": "ocr_line", "id": f"line_{nl}", "title": title}
            )
            nl += 1
            for text, (x0, y0, x1, y1), conf in line:
                w = ET.SubElement(
                    span,
                    "span",
                    attrib={
                        "class": "ocrx_word",
                        "id": f"word_{nw}",
                        "title": f"bbox {x0} {y0} {gap}{x1} {y1}; {gap}x_wconf {round(conf * 100)}",
                    },
                )
                w.text = text
                nw += 1
    return ET.tostring(html, encoding="utf-8", method="xml")


def test_doctr_hocr_whose_page_div_is_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docTR writes ``<div class="ocr_page" .../>`` empty and the page's areas after it: they are that
    page's (before, the file opened as an empty page, with no word and no warning)."""
    blocks = [
        [[("Invoice", (120, 80, 310, 130), 0.99), ("No.", (330, 82, 390, 130), 0.97)]],
        [[("Total:", (120, 900, 260, 950), 0.88)], [("42,00", (600, 902, 740, 951), 0.61)]],
    ]
    raw = _doctr_hocr(1240, 1754, blocks)
    assert (
        b'class="ocr_page" id="page_1" title="image; bbox 0 0 1240 1754; ppageno 0" /><div class="ocr_carea"'
        in raw
    )
    f = tmp_path / "doctr.xml"
    f.write_bytes(raw)
    doc = load_response(f)
    assert doc.source_format == "hocr" and doc.warnings == ()
    assert (doc.pages[0].width, doc.pages[0].height) == (1240, 1754)
    assert [[x.text for x in b.lines] for b in doc.pages[0].blocks] == [["Invoice No."], ["Total:", "42,00"]]
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [
        ("Invoice", (120, 80, 310, 130), 0.99),
        ("No.", (330, 82, 390, 130), 0.97),
        ("Total:", (120, 900, 260, 950), 0.88),
        ("42,00", (600, 902, 740, 951), 0.61),
    ]
    assert doc.pages[0].blocks[1].bbox == (120, 900, 740, 951)
    assert "1 page(s), 2 blocks, 3 lines, 4 words" in _info(capsys, "-r", str(f))
    _same_after_export(tmp_path, f, 1240, 1754)


def test_hocr_pages_each_followed_by_their_areas() -> None:
    """Two docTR pages put in one file: each page's areas are those after it up to the next page."""
    one = _doctr_hocr(800, 600, [[[("first", (10, 10, 90, 40), 0.9)]]])
    two = _doctr_hocr(
        800, 600, [[[("second", (20, 20, 120, 50), 0.8)]], [[("page", (20, 80, 100, 110), 0.7)]]]
    )
    body_two = two[two.index(b"<body>") + len(b"<body>") : two.index(b"</body>")]
    merged = one.replace(b"</body>", body_two.replace(b'id="page_1"', b'id="page_2"') + b"</body>")
    doc = read_markup(merged)
    assert [[x.text for x in p.lines()] for p in doc.pages] == [["first"], ["second", "page"]]


def test_hocr_line_right_after_an_empty_page_div() -> None:
    """What follows an empty page div may be a line or a word itself, not only an area holding one."""
    raw = _doctr_hocr(800, 600, [[[("kept", (10, 10, 90, 40), 0.9)]]])
    start = raw.index(b'<div class="ocr_carea"')
    line_start = raw.index(b'<span class="ocr_line"')
    line_end = raw.index(b"</p>")
    unwrapped = raw[:start] + raw[line_start:line_end] + raw[raw.index(b"</body>") :]
    assert b'class="ocr_carea"' not in unwrapped and b'class="ocr_par"' not in unwrapped
    doc = read_markup(unwrapped)
    assert [(w.text, w.bbox) for w in doc.words()] == [("kept", (10, 10, 90, 40))]


# -- Document Intelligence with outputContentFormat=markdown ----------------------------------------------
def _di_markdown_response() -> dict:
    """Document Intelligence prebuilt-layout with ``outputContentFormat=markdown`` (2024-02-29-preview on,
    2024-11-30 GA), its lines and words as the service writes them in that mode (seen in a real
    response for Microsoft's layout sample: a line ``<!-- PageHeader="..." -->``, a title line
    ``This is title\\n===``, a heading ``# 1\\. Text`` whose first word is ``1\\.``)."""
    content = '<!-- PageHeader="Header of the document." -->\n\nThis is title\n===\n\n# 1\\. Text\n\nLatin refers to'
    words = [
        ("Header", 17), ("of", 24), ("the", 27), ("document.", 31),
        ("This", 48), ("is", 53), ("title", 56),
        ("1\\.", 71), ("Text", 75),
        ("Latin", 81), ("refers", 87), ("to", 94),
    ]  # fmt: skip

    def poly(i: int) -> list[float]:
        x, y = 1.0 + 0.6 * (i % 4), 0.5 + 0.8 * (i // 4)
        return [x, y, x + 0.5, y, x + 0.5, y + 0.2, x, y + 0.2]

    def line(text: str, offset: int, first: int, last: int) -> dict:
        x0, y0 = poly(first)[:2]
        x1, y1 = poly(last)[4:6]
        return {
            "content": text,
            "polygon": [x0, y0, x1, y0, x1, y1, x0, y1],
            "spans": [{"offset": offset, "length": len(text)}],
        }

    lines = [
        line('<!-- PageHeader="Header of the document." -->', 0, 0, 3),
        line("This is title\n===", 48, 4, 6),
        line("# 1\\. Text", 69, 7, 8),
        line("Latin refers to", 81, 9, 11),
    ]
    return {
        "status": "succeeded",
        "analyzeResult": {
            "apiVersion": "2024-11-30",
            "modelId": "prebuilt-layout",
            "stringIndexType": "utf16CodeUnit",
            "content": content,
            "contentFormat": "markdown",
            "pages": [
                {
                    "pageNumber": 1,
                    "angle": 0,
                    "width": 8.5,
                    "height": 11,
                    "unit": "inch",
                    "words": [
                        {
                            "content": w,
                            "polygon": poly(i),
                            "confidence": 0.99,
                            "span": {"offset": o, "length": len(w)},
                        }
                        for i, (w, o) in enumerate(words)
                    ],
                    "lines": lines,
                }
            ],
            "paragraphs": [
                {**para, "boundingRegions": [{"pageNumber": 1, "polygon": ln["polygon"]}]}
                for para, ln in zip(
                    (
                        {"role": "pageHeader", "content": lines[0]["content"], "spans": lines[0]["spans"]},
                        {"role": "title", "content": lines[1]["content"], "spans": lines[1]["spans"]},
                        {
                            "role": "sectionHeading",
                            "content": lines[2]["content"],
                            "spans": lines[2]["spans"],
                        },
                        {"content": lines[3]["content"], "spans": lines[3]["spans"]},
                    ),
                    lines,
                    strict=True,
                )
            ],
        },
    }


def test_document_intelligence_markdown_lines_read_as_text(tmp_path: Path) -> None:
    """With ``outputContentFormat=markdown`` the lines are the words' text, not the Markdown around them
    (before: 'This is title\\n===' with its line break, '# 1\\. Text', the page header as an HTML
    comment), and Markdown escapes are undone in words ('1\\.' -> '1.'). Exports read back the same."""
    f = tmp_path / "layout-markdown.json"
    f.write_text(json.dumps(_di_markdown_response()), encoding="utf-8")
    doc = load_response(f)
    assert doc.source_format == "azure-document-intelligence" and doc.warnings == ()
    assert [x.text for x in doc.lines()] == [
        "Header of the document.",
        "This is title",
        "1. Text",
        "Latin refers to",
    ]
    assert [w.text for w in doc.words()][7:9] == ["1.", "Text"]
    assert [b.layout_type for b in doc.pages[0].blocks] == ["pageHeader", "title", "sectionHeading", None]
    for fmt in ("hocr", "alto", "page"):
        placed = doc.with_pages([p.mapped(lambda x, y: (x * 100, y * 100), 850, 1100) for p in doc.pages])
        back = read_markup(write(fmt, placed))
        assert [x.text for x in back.lines()] == [x.text for x in doc.lines()], fmt


def test_document_intelligence_markdown_line_without_words() -> None:
    """A Markdown line with no words of its own keeps its text without the Markdown."""
    data = _di_markdown_response()
    data["analyzeResult"]["pages"][0]["words"] = []
    doc = parse_response(data)
    assert [x.text for x in doc.lines()] == [
        "Header of the document.",
        "This is title",
        "1. Text",
        "Latin refers to",
    ]


# -- ALTO: words set without a space between them ---------------------------------------------------------
def test_alto_export_keeps_punctuation_set_against_its_word(tmp_path: Path) -> None:
    """Google Vision gives punctuation as words of their own ("page" ","), the line's text "page,". The
    ALTO export writes SP only where the line has a space, and reading ALTO that writes SP joins Strings
    with no SP between them without one: the line reads back "page," (before: "page ,", on 2 lines of
    this real response). hOCR cannot say it (word spans are separated by whitespace), so stays spaced."""
    f = DATA / "corpus" / "google" / "gcv2hocr-eng-test.json"
    doc = load_response(f)
    glued = [x.text for x in doc.lines() if "page," in x.text]
    assert glued and any(w.text == "," for x in doc.lines() for w in x.words)
    out = tmp_path / "out.alto.xml"
    assert (
        main(
            [
                "export",
                str(DATA / "corpus" / "google" / "gcv2hocr-eng-test.jpg"),
                "-r",
                str(f),
                "-o",
                str(out),
                "--to",
                "alto",
            ]
        )
        == 0
    )
    raw = out.read_bytes()
    assert_valid(raw, "alto-4-4")
    back = load_response(out)
    assert [x.text for x in back.lines()] == [x.text for x in doc.lines()]
    assert [w.text for w in back.words()] == [w.text for w in doc.words()]


def test_alto_strings_without_sp_between_them_are_one_run() -> None:
    """In a file that writes SP between its words (ABBYY FineReader's ALTO), two Strings with no SP
    between them are read as one run of text; a file with no SP at all (OCR-D's converted ground truth)
    is spaced between all its Strings, as before."""
    raw = (SAMPLES / "dinglehopper-abbyy-alto2.xml").read_text(encoding="utf-8")
    want = read_markup(raw.encode("utf-8"))
    first = next(x for x in want.lines() if len(x.words) >= 2)
    a, b = first.words[0].text, first.words[1].text
    m = re.search(
        r'(CONTENT="'
        + re.escape(a)
        + r'"[^>]*/>\s*)<SP[^>]*/>\s*(<String[^>]*CONTENT="'
        + re.escape(b)
        + '")',
        raw,
    )
    assert m is not None
    glued = read_markup((raw[: m.start()] + m.group(1) + m.group(2) + raw[m.end() :]).encode("utf-8"))
    line = next(x for x in glued.lines() if x.words and x.words[0].text == a)
    assert line.text.startswith(a + b) and [w.text for w in line.words] == [w.text for w in first.words]
    no_sp = re.sub(r"<SP[^>]*/>", "", raw)
    spaced = read_markup(no_sp.encode("utf-8"))
    assert [x.text for x in spaced.lines()] == [x.text for x in want.lines()]


# -- hOCR alternatives and x_conf (dbmdz's hOCR of Chronicling America) ------------------------------------
def test_hocr_alternatives_and_x_conf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """dbmdz's hOCR of a Chronicling America page (The Ogden Standard, 1909): a word's confidence is
    ``x_conf`` (0-100), and a word with OCR alternatives holds hOCR's ``<span class="alternatives"><ins
    class="alt">UTAH</ins><del class="alt">UTAR</del>...``: the word is the ``ins`` reading (before: all
    readings run together, 'UTAHUTARVTA', and no word had a confidence)."""
    f = SAMPLES / "dbmdz-chroniclingamerica-alternatives-excerpt.html"
    raw = f.read_text(encoding="utf-8")
    assert raw.count('class="alternatives"') == 6 and "x_wconf" not in raw
    doc = load_response(f)
    assert doc.source_format == "hocr" and doc.warnings == ()
    assert (doc.pages[0].width, doc.pages[0].height) == (20145, 26970)
    assert doc.counts()["word"] == 107 and all(w.confidence is not None for w in doc.words())
    words = {w.text: w for w in doc.words()}
    assert "UTAH" in words and "UTAHUTARVTA" not in words and "UTAR" not in words
    # <span class="ocrx_word" title="bbox 10254 1308 10722 1428;x_conf 95.24"><span class="alternatives">
    assert (words["UTAH"].bbox, words["UTAH"].confidence) == (
        (10254, 1308, 10722, 1428),
        pytest.approx(0.9524),
    )
    assert [x.text for x in doc.lines()][4] == "I i II THE STANDARD OGDEN UTAH SATURDAY AUGUST 7 1909 j"
    assert {"Drudge", "frock", "shouldnt"} <= set(words) and "Dmdge" not in "".join(words)
    assert "1 page(s), 2 blocks, 31 lines, 107 words" in _info(capsys, "-r", str(f))
    data = _export_json(tmp_path, f)
    first = [w for p in data["pages"] for b in p["blocks"] for ln in b["lines"] for w in ln["words"]][0]
    assert first["text"] == "i" and first["confidence"] == pytest.approx(0.8095)
    _same_after_export(tmp_path, f)


def test_hocr_word_with_a_no_break_space_inside() -> None:
    """HTML collapses ASCII whitespace only: a no-break space inside a word is part of it (a word read
    from ALTO or PAGE that holds one came back from the hOCR export as 'Literatur verzeichnis')."""
    raw = (SAMPLES / "hocrjs-tesseract400alpha.html").read_text(encoding="utf-8")
    assert raw.count(">Literaturverzeichnis<") == 1
    doc = read_markup(raw.replace(">Literaturverzeichnis<", ">Literatur\u00a0verzeichnis<").encode("utf-8"))
    assert [w.text for w in doc.words()][1] == "Literatur\u00a0verzeichnis"
    assert [x.text for x in doc.lines()][0] == "202 Literatur\u00a0verzeichnis"
    back = read_markup(write("hocr", doc))
    assert [w.text for w in back.words()] == [w.text for w in doc.words()]


def test_alto_with_punctuation_strings_and_a_negative_line_height(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real ALTO v3 (a GBV page in dbmdz's test data) writes SP between words and punctuation as Strings
    of its own right after the word: the line is 'worden, die', its words 'worden' and ','. One line
    states HEIGHT="-10": it is boxed by its Strings, with one warning. The ALTO export writes the same
    spacing back."""
    f = SAMPLES / "dbmdz-gbv-alto3-sp-punctuation.xml"
    raw = f.read_text(encoding="utf-8")
    assert '<TextLine HPOS="258" VPOS="1658" ID="tl26" WIDTH="1097" HEIGHT="-10">' in raw
    doc = load_response(f)
    assert doc.source_format == "alto-v3" and doc.counts()["word"] == 249 and doc.counts()["line"] == 37
    assert doc.warnings == ("Page 1 TextBlock tb912944 TextLine 27: negative WIDTH/HEIGHT",)
    line = next(x for x in doc.lines() if "worden," in x.text)
    assert line.text == "auf Felsen entdeckt worden, die ein mannigfaches kulturelles"
    assert [w.text for w in line.words][3:5] == ["worden", ","]
    assert next(x.text for x in doc.lines() if x.text.startswith("Heft")) == "Heft 16, 1991"
    # tl26's own box is no box: its Strings' (from "Jettmar" at 258 to the footnote "5" at VPOS 1625)
    assert list(doc.lines())[26].bbox == (258, 1625, 1355, 1687)
    out = _info(capsys, "-r", str(f))
    assert "1 page(s), 1 blocks, 37 lines, 249 words" in out and out.count("warning:") == 1
    for name, extra, schema in (
        ("out.alto.xml", "alto", "alto-4-4"),
        ("out.page.xml", "page", "pagecontent-2019-07-15"),
    ):
        target = tmp_path / name
        assert main(["export", "-r", str(f), "-o", str(target), "--to", extra]) == 0
        assert_valid(target.read_bytes(), schema)
        back = load_response(target)
        assert [x.text for x in back.lines()] == [x.text for x in doc.lines()], name
        assert [(w.text, w.bbox) for w in back.words()] == [(w.text, w.bbox) for w in doc.words()], name


def test_transkribus_table_without_a_reading_order() -> None:
    """The same page without its ReadingOrder: every region's custom index places it (the table between
    regions 1 and 3, row by row); one region without an index keeps the document's order, as before."""
    raw = (SAMPLES / "transkribus-reichsanzeiger-table-excerpt-page2013.xml").read_text(encoding="utf-8")
    no_ro = re.sub(r"<ReadingOrder>.*?</ReadingOrder>", "", raw, flags=re.S)
    for text in (
        no_ro,
        no_ro.replace(
            "readingOrder {index:0;} structure {type:page-number;}", "structure {type:page-number;}"
        ),
    ):
        doc = read_markup(text.encode("utf-8"))
        ids = [b.extras["id"] for b in doc.pages[0].blocks]
        assert ids[:2] == ["r1", "r2"] and ids[-1] == "r3" and len(ids) == 12
        assert [x.text for x in doc.lines()][2:5] == ["6) Banknoten im Umlauf", "Thlr.", "195,346,000"]
