"""Real files from producers the other real-file tests do not cover (origins in tests/data/SOURCES.md):
PERO OCR and eynollah PAGE, OCR-D PAGE with image regions in the reading order, Tesseract 3.05 and
4.00alpha hOCR (kba/hocrjs' examples), the BnF's ALTO. Each is opened as a user opens it
(``ocrviewer info``/``export``, ``load_result`` which the window's worker runs) and checked against what
the file says; each is then written as hOCR, ALTO and PAGE, which validate and read back the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ocrviewer.cli import main
from ocrviewer.core.formats import read_markup, write
from ocrviewer.core.loading import load_result
from ocrviewer.core.model import Document
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import assert_valid
from tests.support.markup import blank_image as _image
from tests.support.markup import cli_export_json as _export_json
from tests.support.markup import cli_info as _info


def _lines(data: dict) -> list[dict]:
    return [ln for p in data["pages"] for b in p["blocks"] for ln in b["lines"]]


def _bbox(item: dict) -> tuple[float, float, float, float]:
    xs = [p[0] for p in item["polygon"]]
    ys = [p[1] for p in item["polygon"]]
    return min(xs), min(ys), max(xs), max(ys)


# -- PAGE -----------------------------------------------------------------------------------------------
def test_pero_ocr_lines_with_baselines_and_confidences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PERO OCR's PAGE: no XML declaration, lines without words, each with a Baseline polyline and a
    TextEquiv conf; ``index`` and ``custom`` on TextLine are not PAGE's and change nothing."""
    f = SAMPLES / "pero-ocr-czech-lines-page2019.xml"
    doc = load_response(f)
    assert doc.source_format == "page-2019-07-15" and not doc.warnings
    assert (doc.pages[0].width, doc.pages[0].height) == (4132, 5848)
    assert doc.counts()["block"] == 15 and doc.counts()["line"] == 30 and doc.counts()["word"] == 0
    first = doc.pages[0].blocks[0].lines[0]
    # <TextLine id="r005-l001" index="0" ...><Coords points="2548,489 ... 1160,484 1160,589 ... 2955,484
    # 2548,489"/><Baseline points="1160,560 1365,560 ... 2955,560"/><TextEquiv conf="0.965">
    assert (first.text, first.bbox, first.confidence) == (
        "Advokátní kancelář Mgr. Lukáš Kock",
        (1160, 484, 2955, 594),
        0.965,
    )
    assert first.extras["baseline"][0] == [1160, 560] and first.extras["baseline"][-1] == [2955, 560]
    assert len(first.extras["baseline"]) == 10
    assert all(ln.confidence is not None and 0 < ln.confidence <= 1 for ln in doc.lines())
    assert "Dental & Esthetic Clinic s.r.0." in [ln.text for ln in doc.lines()]  # &amp; decoded
    # <Unicode> IC: 691 82 604</Unicode>: the space before is no text (hOCR could not keep it)
    assert "<Unicode> IC: 691 82 604</Unicode>" in f.read_text(encoding="utf-8")
    assert list(doc.lines())[-1].text == "IC: 691 82 604"
    assert "1 page(s), 15 blocks, 30 lines, 0 words" in _info(capsys, "-r", str(f))
    data = _export_json(tmp_path, f, str(_image(tmp_path, 4132, 5848)))
    lines = _lines(data)
    assert [ln["text"] for ln in lines] == [ln.text for ln in doc.lines()]
    assert _bbox(lines[0]) == (1160, 484, 2955, 594) and lines[0]["confidence"] == 0.965


def test_eynollah_layout_in_its_reading_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """eynollah's layout analysis: 17 typed regions, 50 lines with no text, placed in the ReadingOrder's
    order (the marginalia first), not the document's (paragraphs first)."""
    f = SAMPLES / "eynollah-marginalia-layout-page2019.xml"
    doc = load_response(f)
    assert doc.source_format == "page-2019-07-15" and not doc.warnings
    assert (doc.pages[0].width, doc.pages[0].height) == (800, 1376)
    blocks = doc.pages[0].blocks
    raw = f.read_text(encoding="utf-8")
    order = re.findall(r'RegionRefIndexed index="\d+" regionRef="([^"]+)"', raw)
    assert order[:2] == ["region_0013", "region_0014"] and len(order) == 17
    assert [b.extras["id"] for b in blocks] == order
    assert [b.layout_type for b in blocks[:5]] == ["marginalia"] * 5
    assert sorted(b.layout_type for b in blocks).count("paragraph") == 6
    assert blocks[0].extras["orientation"] == pytest.approx(1.241379310344827)
    assert doc.counts()["line"] == 50 and all(ln.text == "" and not ln.words for ln in doc.lines())
    # <pc:TextLine id="region_0013_line_0001"><pc:Coords points="..."/> of region_0013, independently
    m = re.search(r'<pc:TextLine id="region_0013_line_0001">\s*<pc:Coords points="([^"]+)"', raw)
    assert m is not None
    pts = [tuple(float(v) for v in p.split(",")) for p in m.group(1).split()]
    want = (min(x for x, _ in pts), min(y for _, y in pts), max(x for x, _ in pts), max(y for _, y in pts))
    assert blocks[0].lines[0].bbox == want
    assert "1 page(s), 17 blocks, 50 lines, 0 words" in _info(capsys, "-r", str(f))
    data = _export_json(tmp_path, f, str(_image(tmp_path, 800, 1376)))
    assert _bbox(_lines(data)[0]) == want


def test_ocrd_reading_order_naming_image_regions() -> None:
    """OCR-D/core 1.0's PAGE 2018 whose ReadingOrder names three ImageRegions around its one TextRegion:
    the text region is the one block, with its 35 lines, and nothing is warned about."""
    doc = load_response(SAMPLES / "dinglehopper-ocrd-image-regions-page2018.xml")
    assert doc.source_format == "page-2018-07-15" and not doc.warnings
    assert [b.extras["id"] for b in doc.pages[0].blocks] == ["region0001"]
    lines = list(doc.lines())
    assert len(lines) == 35 and lines[0].text == "phariſei hypocritæ, qui comeditis domos uiduarã ſub"
    assert lines[0].bbox == (217, 204, 1324, 264)


# -- hOCR -----------------------------------------------------------------------------------------------
def test_tesseract_400alpha_hocr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tesseract 4.00.00alpha's hOCR: ``lang`` on the paragraph, x_size/x_descenders/x_ascenders beside
    the baseline (ignored), 388 words in 41 lines of 26 paragraphs."""
    f = SAMPLES / "hocrjs-tesseract400alpha.html"
    doc = load_response(f)
    assert doc.extras["ocr_system"] == "tesseract 4.00.00alpha" and not doc.warnings
    assert doc.counts() == {"page": 1, "block": 26, "line": 41, "word": 388, "table": 0}
    first = next(doc.lines())
    # title="bbox 348 157 2173 202; baseline 0.005 -10; x_size 42.392159; ..."
    assert (first.text, first.bbox) == ("202 Literaturverzeichnis", (348, 157, 2173, 202))
    assert first.extras["baseline"] == [[348, 192], [2173, pytest.approx(192 + 0.005 * 1825)]]
    words = list(doc.words())
    assert [(w.text, w.bbox, w.confidence, w.language) for w in words[:2]] == [
        ("202", (348, 157, 419, 193), 0.96, "deu"),
        ("Literaturverzeichnis", (1778, 165, 2173, 202), 0.90, "deu"),
    ]
    assert {b.language for b in doc.pages[0].blocks} == {"deu"}
    assert "1 page(s), 26 blocks, 41 lines, 388 words" in _info(capsys, "-r", str(f))
    data = _export_json(tmp_path, f, str(_image(tmp_path, 2338, 3404)))
    assert sum(len(ln["words"]) for ln in _lines(data)) == 388


def test_tesseract_305_hocr_words_in_em_and_strong_with_their_own_language(tmp_path: Path) -> None:
    """Tesseract 3.05's hOCR names the language on each word only (``lat``, ``deu_frak``), and writes
    ``<html lang="en">`` as it does for every page: the words keep their own, and the lines and blocks
    are not claimed to be English (before, they were: the ALTO export said ``LANG="en"``)."""
    f = SAMPLES / "hocrjs-tesseract305-em-lang.html"
    doc = load_response(f)
    assert doc.counts() == {"page": 1, "block": 4, "line": 37, "word": 245, "table": 0}
    words = list(doc.words())
    assert [(w.text, w.language, w.confidence) for w in words[:6]] == [
        ("de", "lat", 0.73),
        ("veteri", "lat", 0.59),
        ("uile/Le", "lat", 0.53),
        ("jiutu.", "lat", 0.67),  # <em>jiutu.</em>
        ("«", "deu_frak", 0.40),
        ("429", "deu_frak", 0.71),
    ]
    assert {w.language for w in words} == {"lat", "deu_frak"}
    assert "Irer," in [w.text for w in words]  # <strong><em>Irer,</em></strong>
    assert "«'l—\"jia." in [w.text for w in words]  # «&#39;l—&quot;jia.
    assert all(x.language is None for x in (*doc.pages[0].blocks, *doc.lines()))
    alto = write("alto", doc)
    assert_valid(alto, "alto-4-4")
    # "deu_frak" (Tesseract's name) is no xs:language, so ALTO gets only "lat"; never "en"
    assert set(re.findall(rb'LANG="([^"]*)"', alto)) == {b"lat"}
    back = read_markup(alto)
    back_words = [w for ln in back.lines() for w in ln.words if w.text or len(ln.words) > 1]
    assert [(w.text, w.language) for w in back_words] == [
        (w.text, w.language if w.language == "lat" else None) for w in words
    ]
    hocr = read_markup(write("hocr", doc))
    assert [(w.text, w.language) for w in hocr.words()] == [(w.text, w.language) for w in words]
    assert all(x.language is None for x in hocr.lines())


# -- ALTO -----------------------------------------------------------------------------------------------
_LOC_V3 = 'xmlns="http://www.loc.gov/standards/alto/ns-v3#"'


@pytest.mark.parametrize(
    ("namespace", "fmt"),
    [
        (None, "alto-v3"),  # as altoxml/documentation publishes it
        # as Gallica serves every page's ALTO (the BnF's production namespace): refused before
        ('xmlns="http://bibnum.bnf.fr/ns/alto_prod"', "alto-bnf"),
    ],
)
def test_bnf_alto_as_published_and_as_gallica_serves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], namespace: str | None, fmt: str
) -> None:
    """The BnF's ALTO: declared ISO-8859-1 and written in UTF-8, blocks in the TopMargin (one inside a
    ComposedBlock) before the PrintSpace's, a Structure tag naming a heading."""
    f = SAMPLES / "altoxml-bnf-dialect-excerpt.xml"
    if namespace is not None:
        raw = f.read_bytes()
        assert raw.count(_LOC_V3.encode()) == 1
        f = tmp_path / "gallica.xml"
        f.write_bytes(raw.replace(_LOC_V3.encode(), namespace.encode()))
    doc = load_response(f)
    assert doc.source_format == fmt and not doc.warnings
    assert (doc.pages[0].width, doc.pages[0].height) == (4882, 7305) and doc.extras["image"] == "00000001.tif"
    assert doc.counts() == {"page": 1, "block": 6, "line": 32, "word": 109, "table": 0}
    blocks = doc.pages[0].blocks
    # TB000001 (TopMargin), TB000002 (TopMargin/ComposedBlock), TB000003, then the PrintSpace's TB000004-6
    assert [b.bbox[:2] for b in blocks] == [
        (210, 381),
        (902, 258),
        (3858, 469),
        (558, 1308),
        (206, 1411),
        (208, 1658),
    ]
    assert blocks[3].layout_type == "titre 1"  # TAGREFS="TAG_ST001" -> <StructureTag LABEL="titre 1">
    words = list(doc.words())
    # <String ... CONTENT="SUmÉ«EIT" .../> in UTF-8 bytes under an ISO-8859-1 declaration
    sume = next(w for w in words if w.text.startswith("SUm"))
    assert (sume.text, sume.bbox, sume.confidence) == ("SUmÉ«EIT", (527, 676, 764, 719), 0.74)
    assert "N°" in [w.text for w in words]
    out = _info(capsys, "-r", str(f))
    assert fmt in out and "1 page(s), 6 blocks, 32 lines, 109 words" in out
    result = load_result(f, _image(tmp_path, 4882, 7305))
    assert [w.bbox for w in result.document.words()] == [w.bbox for w in words]


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.loc.gov/standards/alto/alto-v2.0.xsd",  # PDF-to-ALTO writers put the schema file here
        "http://www.loc.gov/standards/alto/v4/alto.xsd",
        "https://www.loc.gov/standards/alto/ns-v3",
    ],
)
def test_alto_whose_namespace_is_written_as_the_schema_address(namespace: str) -> None:
    """Writers that put the LoC schema's address (or a close form) in the namespace: still ALTO of the
    version it names (a real ALTO v3 file, its namespace rewritten so). Refused before, bar the last."""
    raw = (SAMPLES / "ngxmime-alto3-pixel.xml").read_bytes()
    assert raw.count(_LOC_V3.encode()) == 1
    doc = read_markup(raw.replace(_LOC_V3.encode(), f'xmlns="{namespace}"'.encode()))
    want = read_markup(raw)
    assert doc.source_format == "alto-v" + re.search(r"v(\d)", namespace).group(1)  # type: ignore[union-attr]
    assert [(w.text, w.bbox, w.confidence) for w in doc.words()] == [
        (w.text, w.bbox, w.confidence) for w in want.words()
    ]
    with pytest.raises(BadResponse, match="unknown ALTO namespace"):
        read_markup(raw.replace(_LOC_V3.encode(), b'xmlns="http://www.loc.gov/standards/alto/ns-v9#"'))


# -- exports of documents built from each file ----------------------------------------------------------
_NEW = [
    "pero-ocr-czech-lines-page2019.xml",
    "eynollah-marginalia-layout-page2019.xml",
    "dinglehopper-ocrd-image-regions-page2018.xml",
    "hocrjs-tesseract400alpha.html",
    "hocrjs-tesseract305-em-lang.html",
    "altoxml-bnf-dialect-excerpt.xml",
]


def _same_read_back(doc: Document, back: Document, fmt: str) -> None:
    assert [(p.width, p.height) for p in back.pages] == [(p.width, p.height) for p in doc.pages]
    src, got = list(doc.lines()), list(back.lines())
    # hOCR is HTML: runs of white space are one space, and none leads or trails
    norm = (lambda t: " ".join(t.split())) if fmt == "hocr" else (lambda t: t)
    assert [norm(x.text) for x in got] == [norm(x.text) for x in src]
    for a, b in zip(src, got, strict=True):
        assert max(abs(u - v) for u, v in zip(a.bbox, b.bbox, strict=True)) <= 1
        if fmt != "alto":  # a line's own confidence (PERO's TextEquiv conf); ALTO has none for lines
            assert b.confidence == (None if a.confidence is None else pytest.approx(a.confidence, abs=0.006))
    # ALTO holds text in Strings only, and a TextLine at least one: a line without words is written as
    # one String holding its text, empty or not
    src_words = [w for x in src for w in (x.words or ((x,) if fmt == "alto" else ()))]
    got_words = list(back.words())
    assert [norm(w.text) for w in got_words] == [norm(w.text) for w in src_words]
    for a, b in zip(src_words, got_words, strict=True):
        assert max(abs(u - v) for u, v in zip(a.bbox, b.bbox, strict=True)) <= 1
        if a.confidence is None:
            assert b.confidence is None
        else:
            assert b.confidence == pytest.approx(a.confidence, abs=0.006)


@pytest.mark.parametrize("sample", _NEW)
@pytest.mark.parametrize(
    ("fmt", "schema"), [("hocr", None), ("alto", "alto-4-4"), ("page", "pagecontent-2019-07-15")]
)
def test_exports_of_each_new_file_validate_and_read_back_the_same(
    sample: str, fmt: str, schema: str | None
) -> None:
    doc = load_response(SAMPLES / sample)
    raw = write(fmt, doc, image_names=["page.png"])
    if schema:
        assert_valid(raw, schema)
    _same_read_back(doc, read_markup(raw), fmt)


def test_cli_export_of_pero_page_to_alto_and_hocr_on_its_image(tmp_path: Path) -> None:
    """``ocrviewer export IMAGE -r PERO.xml -o out.alto.xml --to alto`` (and .hocr): valid ALTO, and both
    read back with PERO's lines where the file put them."""
    f = SAMPLES / "pero-ocr-czech-lines-page2019.xml"
    image = _image(tmp_path, 4132, 5848)
    doc = load_response(f)
    for name, extra in (("out.alto.xml", ["--to", "alto"]), ("out.hocr", [])):
        out = tmp_path / name
        assert main(["export", str(image), "-r", str(f), "-o", str(out), *extra]) == 0
        if name.endswith(".xml"):
            assert_valid(out.read_bytes(), "alto-4-4")
        back = load_response(out)
        assert [x.bbox for x in back.lines()] == [x.bbox for x in doc.lines()]
        assert [" ".join(x.text.split()) for x in back.lines()] == [
            " ".join(x.text.split()) for x in doc.lines()
        ]


def test_hocr_whose_words_have_no_bbox_is_one_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Words boxed only by their lines (Tesseract 4.00alpha's real file with the words' bbox taken out,
    as converters that box only lines write it): the lines keep their boxes and all their text, the
    words are skipped, and that is one warning line, not one per word (388 before)."""
    raw = (SAMPLES / "hocrjs-tesseract400alpha.html").read_text(encoding="utf-8")
    boxless, n = re.subn(r"title='bbox \d+ \d+ \d+ \d+; (x_wconf \d+)'", r"title='\1'", raw)
    assert n == 388
    f = tmp_path / "lines-boxed.html"
    f.write_text(boxless, encoding="utf-8")
    doc = load_response(f)
    want = load_response(SAMPLES / "hocrjs-tesseract400alpha.html")
    assert doc.counts()["word"] == 0
    assert [(x.text, x.bbox) for x in doc.lines()] == [(x.text, x.bbox) for x in want.lines()]
    assert doc.warnings == (
        "388 words have no bbox (the first: page 1 line 1 word 1 '202'); they are skipped and their text "
        "stays in their lines",
    )
    out = _info(capsys, "-r", str(f))
    assert out.count("warning:") == 1 and "388 words have no bbox" in out


def test_alto_whose_strings_have_no_position_warns_in_a_few_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """An ALTO that places its lines but not its Strings (a real ALTO v3, its Strings' HPOS/VPOS/WIDTH/
    HEIGHT taken out, as text-only converters write it): the lines keep every word's text, and the
    warning about the unplaced Strings is three lines, the last counting the rest (one per String before)."""
    raw = (SAMPLES / "ngxmime-alto3-pixel.xml").read_text(encoding="utf-8")
    text_only, n = re.subn(
        r'(<String[^>]*?) HPOS="[^"]*" VPOS="[^"]*" WIDTH="[^"]*" HEIGHT="[^"]*"', r"\1", raw
    )
    assert n == 12
    doc = read_markup(text_only.encode("utf-8"))
    want = read_markup(raw.encode("utf-8"))
    assert [(x.text, x.bbox) for x in doc.lines()] == [(x.text, x.bbox) for x in want.lines()]
    assert doc.counts()["word"] == 0 and len(doc.warnings) == 3
    assert doc.warnings[0] == (
        "Page 1 TextBlock block_0 TextLine 1 String 1 'Hos' has no position; its text stays in the line"
    )
    assert doc.warnings[2].endswith("has no position; its text stays in the line (and 9 more like it)")


def test_hocr_confidences_out_of_range_warn_in_a_few_lines() -> None:
    """Tesseract 4.00alpha's real hOCR with every x_wconf pushed past 100 (as a converter that writes
    per-mille would): the words keep their boxes without a confidence, in three warning lines."""
    raw = (SAMPLES / "hocrjs-tesseract400alpha.html").read_text(encoding="utf-8")
    wild, n = re.subn(r"x_wconf (\d+)'", r"x_wconf 1\1'", raw)
    assert n == 388
    doc = read_markup(wild.encode("utf-8"))
    assert doc.counts()["word"] == 388 and all(w.confidence is None for w in doc.words())
    assert doc.warnings == (
        "page 1 line 1 word 1: x_wconf '196' is not 0-100; kept without confidence",
        "page 1 line 1 word 2: x_wconf '190' is not 0-100; kept without confidence",
        "page 1 line 2 word 1: x_wconf '191' is not 0-100; kept without confidence (and 385 more like it)",
    )


def test_ocrd_tesseract_word_whose_first_glyph_is_a_space(tmp_path: Path) -> None:
    """OCR-D's Tesseract PAGE (Words of Glyphs, conf at every level): one Word's first Glyph is the space
    before it, so its TextEquiv is " Hesstimated". The word is "Hesstimated" (before, the space stayed and
    the hOCR export, which cannot keep it, read back another word); the line keeps its own TextEquiv."""
    f = SAMPLES / "pagetoalto-ocrd-tesseract-glyphs-excerpt-page2019.xml"
    assert "<pc:Unicode> Hesstimated</pc:Unicode>" in f.read_text(encoding="utf-8")
    doc = load_response(f)
    line = doc.pages[0].blocks[0].lines[0]
    assert line.text == "3.  Hesstimated thc Chinese Overseas Community at over"
    assert [(w.text, w.confidence) for w in line.words[:2]] == [
        ("3.", 0.990490341186523),
        ("Hesstimated", 0.984285297393799),
    ]
    assert all(w.text == w.text.strip() and w.text for w in doc.words()) and doc.counts()["word"] == 17
    back = read_markup(write("hocr", doc))
    assert [w.text for w in back.words()] == [w.text for w in doc.words()]


def test_alto_string_with_spaces_at_its_edges() -> None:
    """A String whose CONTENT carries the space around it (a real ALTO v3, one String padded so): the
    word is what is between the spaces, and the line's text is unchanged."""
    raw = (SAMPLES / "ngxmime-alto3-pixel.xml").read_bytes()
    assert raw.count(b'CONTENT="Hos"') == 1
    doc = read_markup(raw.replace(b'CONTENT="Hos"', b'CONTENT=" Hos "'))
    want = read_markup(raw)
    assert [w.text for w in doc.words()] == [w.text for w in want.words()]
    assert [x.text for x in doc.lines()] == [x.text for x in want.lines()]
