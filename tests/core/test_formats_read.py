"""Reading hOCR, ALTO and PAGE-XML: Tesseract's own output, published samples, and each format's features."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import FORMATS, load_response
from tests.support.images import draw_displayed, layout_words
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import run_tesseract

LINES = ["Hello world", "Searchable text layer", "Reading order matters"]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / small


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[float, ...]]]:
    """A PNG of three printed lines and each word's drawn box."""
    words, size = layout_words(LINES, font_size=40)
    path = tmp_path_factory.mktemp("page") / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(path)
    return path, dict(words)


@pytest.fixture(scope="module")
def tesseract_files(page: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("tess")
    return {kind: run_tesseract(page[0], out / "page", kind) for kind in ("hocr", "alto")}


@pytest.mark.parametrize("kind", ["hocr", "alto"])
def test_tesseract_output_opens_on_its_image(
    kind: str, page: tuple[Path, dict], tesseract_files: dict[str, Path]
) -> None:
    image, drawn = page
    result = load_result(tesseract_files[kind], image)
    doc = result.document
    assert result.source.source_format == {"hocr": "hocr", "alto": "alto-v3"}[kind]
    assert result.decision.transform.is_identity and not result.warnings
    assert [line.text for line in doc.lines()] == LINES
    for word in doc.words():
        assert _overlap(word.bbox, drawn[word.text]) > 0.8, (word.text, word.bbox, drawn[word.text])
        assert word.confidence is not None and 0 < word.confidence <= 1


def test_tesseract_hocr_and_alto_agree(tesseract_files: dict[str, Path]) -> None:
    hocr, alto = load_response(tesseract_files["hocr"]), load_response(tesseract_files["alto"])
    pairs = list(zip(hocr.words(), alto.words(), strict=True))
    assert pairs
    for h, a in pairs:
        assert (h.text, h.bbox) == (a.text, a.bbox)
        assert h.confidence == pytest.approx(a.confidence, abs=0.006)
    baselines = [line.extras.get("baseline") for line in hocr.lines()]
    assert all(b is not None and len(b) == 2 for b in baselines)


def test_tesseract_multipage_hocr(tmp_path: Path) -> None:
    words1, _ = layout_words(LINES[:1], font_size=40)
    words2, size = layout_words(["Second page here"], font_size=40)
    tif = tmp_path / "two.tif"
    first = draw_displayed(words1, size, style="text", font_size=40)
    first.save(tif, save_all=True, append_images=[draw_displayed(words2, size, style="text", font_size=40)])
    doc = load_response(run_tesseract(tif, tmp_path / "two", "hocr"))
    assert [p.index for p in doc.pages] == [0, 1]
    assert [p.text for p in doc.pages] == ["Hello world", "Second page here"]
    assert all((p.width, p.height) == size for p in doc.pages)


# -- published samples -----------------------------------------------------------------------------
def test_prima_page_2017_ground_truth_on_its_image() -> None:
    result = load_result(SAMPLES / "prima-SimplePage-2017.xml", SAMPLES / "prima-SimplePage.png")
    doc = result.document
    assert result.source.source_format == "page-2017-07-15"
    assert result.decision.transform.is_identity
    blocks = doc.pages[0].blocks
    # ReadingOrder r0, r1, r2 first; a region line without text takes the region's text
    assert [b.extras["id"] for b in blocks[:3]] == ["r0", "r1", "r2"]
    assert blocks[0].text == "The PAGE Format" and blocks[0].layout_type == "heading"
    assert blocks[1].text.startswith("There is a plethora of established")
    assert blocks[1].bbox == (25, 60, 400, 300)


def test_prima_page_2013_words_and_glyph_text() -> None:
    doc = load_response(SAMPLES / "prima-regiontypes-2013.xml")
    assert doc.source_format == "page-2013-07-15"
    assert (doc.pages[0].width, doc.pages[0].height) == (700, 800)
    assert doc.counts()["word"] == 12
    assert [w.text for w in doc.words()][:5] == ["This", "is", "a", "text", "region."]  # from PlainText
    assert "page-2013-07-15" in FORMATS


def test_ocropus_html_hocr_without_words() -> None:
    doc = load_response(SAMPLES / "ocropus-hocr-sample.html")  # HTML, not XHTML: unclosed <p>
    assert doc.source_format == "hocr"
    lines = list(doc.lines())
    assert lines[0].text == "1 Down the Rabbit-Hole" and lines[0].bbox == (467, 525, 1386, 588)
    assert len(lines) == 37 and not list(doc.words())
    assert [len(b.lines) for b in doc.pages[0].blocks][:3] == [1, 4, 4]  # loose lines, then paragraphs


def test_abbyy_alto_v2_with_margins_and_soft_hyphen() -> None:
    doc = load_response(SAMPLES / "dinglehopper-abbyy-alto2.xml")
    assert doc.source_format == "alto-v2" and (doc.pages[0].width, doc.pages[0].height) == (1720, 2500)
    assert doc.counts()["word"] == 244 and doc.pages[0].blocks[0].text == "142"  # a TopMargin block first
    first, second = (w for w in doc.words() if w.extras)
    assert (first.text, first.bbox) == ("übersicht\u00ad", (1434, 1804, 1574, 1848))
    assert first.extras == {"subs_type": "HypPart1", "subs_content": "übersichtlich"}
    assert (second.text, second.extras["subs_type"]) == ("lich", "HypPart2")
    assert first.confidence == pytest.approx(0.8366666436)


def test_page_2019_reading_order_differs_from_document_order() -> None:
    doc = load_response(SAMPLES / "dinglehopper-table-order-page2019.xml")
    blocks = doc.pages[0].blocks
    assert [b.extras["id"] for b in blocks] == ["r6", "r7", "r8", "r9", "r1", "r2", "r3", "r4", "r5"]
    assert [b.text for b in blocks] == [str(i) for i in range(1, 10)]


def test_page_2017_lowest_textequiv_index_wins() -> None:
    doc = load_response(SAMPLES / "dinglehopper-indexed-textequiv-page2017.xml")
    first, second = doc.pages[0].blocks[:2]
    assert first.extras["orientation"] == pytest.approx(0.1143322574)
    assert second.lines[0].text == "sondere Schrift daraus zu machen. Locke scheint fort-"  # index 0, not 1


# -- format features ---------------------------------------------------------------------------------
def _alto(ns: str, unit: str | None, page: str, body: str) -> bytes:
    mu = f"<MeasurementUnit>{unit}</MeasurementUnit>" if unit else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<alto xmlns="{ns}"><Description>{mu}</Description>'
        f"<Layout><Page ID='p1' PHYSICAL_IMG_NR='1' {page}><PrintSpace>{body}</PrintSpace></Page></Layout></alto>"
    ).encode()


ALTO_NS = {
    "v2": "http://www.loc.gov/standards/alto/ns-v2#",
    "v3": "http://www.loc.gov/standards/alto/ns-v3#",
    "v4": "http://www.loc.gov/standards/alto/ns-v4#",
}


@pytest.mark.parametrize("version", ["v2", "v3", "v4"])
@pytest.mark.parametrize(
    ("unit", "per_px"), [("pixel", 1.0), ("mm10", 254 / 100), ("inch1200", 12.0), (None, 1.0)]
)
def test_alto_units_are_placed_in_pixels(
    tmp_path: Path, version: str, unit: str | None, per_px: float
) -> None:
    """A 400x300 px image at 100 dpi; ALTO coordinates in its unit land on the same pixels."""
    image = tmp_path / "img.png"
    Image.new("RGB", (400, 300), "white").save(image)

    def u(v: float) -> str:
        return f"{v * per_px:g}"

    body = (
        f"<TextBlock ID='b1' HPOS='{u(10)}' VPOS='{u(20)}' WIDTH='{u(200)}' HEIGHT='{u(40)}'>"
        f"<TextLine ID='l1' HPOS='{u(10)}' VPOS='{u(20)}' WIDTH='{u(200)}' HEIGHT='{u(40)}'>"
        f"<String ID='s1' CONTENT='Hello' WC='0.9' HPOS='{u(10)}' VPOS='{u(20)}' WIDTH='{u(90)}' HEIGHT='{u(40)}'/>"
        f"<SP/><String ID='s2' CONTENT='world' HPOS='{u(120)}' VPOS='{u(20)}' WIDTH='{u(90)}' HEIGHT='{u(40)}'/>"
        "</TextLine></TextBlock>"
    )
    f = tmp_path / "r.xml"
    f.write_bytes(_alto(ALTO_NS[version], unit, f"WIDTH='{u(400)}' HEIGHT='{u(300)}'", body))
    result = load_result(f, image)
    assert result.source.source_format == f"alto-{version}"
    words = list(result.document.words())
    assert [w.text for w in words] == ["Hello", "world"]
    assert words[0].bbox == pytest.approx((10, 20, 100, 60), abs=1e-6)
    assert words[1].bbox == pytest.approx((120, 20, 210, 60), abs=1e-6)
    assert words[0].confidence == 0.9 and words[1].confidence is None


@pytest.mark.parametrize(("unit", "per_inch"), [("mm10", 254.0), ("inch1200", 1200.0)])
def test_alto_physical_unit_without_page_size_is_read_at_300_dpi(
    tmp_path: Path, unit: str, per_inch: float
) -> None:
    """Valid ALTO that says nothing of the page's size: pixels at 300 dpi (assumed), with a warning."""
    body = (
        f"<TextBlock><TextLine><String CONTENT='x' HPOS='{per_inch}' VPOS='{per_inch / 2}' "
        f"WIDTH='{per_inch}' HEIGHT='{per_inch / 10}'/></TextLine></TextBlock>"
    )
    f = tmp_path / "r.xml"
    f.write_bytes(_alto(ALTO_NS["v4"], unit, "", body))
    doc = load_response(f)
    (word,) = doc.words()
    assert word.bbox == pytest.approx((300, 150, 600, 180))
    assert doc.pages[0].unit == "pixel" and doc.pages[0].width is None
    assert any(f"{unit} without WIDTH/HEIGHT" in w and "300 dpi" in w for w in doc.warnings)


def test_alto_hyphenation_and_baseline(tmp_path: Path) -> None:
    body = (
        "<TextBlock ID='b1' HPOS='0' VPOS='0' WIDTH='300' HEIGHT='100'>"
        "<TextLine ID='l1' HPOS='0' VPOS='0' WIDTH='300' HEIGHT='40' BASELINE='35'>"
        "<String CONTENT='an' HPOS='0' VPOS='0' WIDTH='50' HEIGHT='40'/><SP/>"
        "<String CONTENT='infor' SUBS_TYPE='HypPart1' SUBS_CONTENT='information' HPOS='60' VPOS='0' WIDTH='200' HEIGHT='40'/>"
        "<HYP CONTENT='-'/></TextLine>"
        "<TextLine ID='l2' HPOS='0' VPOS='50' WIDTH='300' HEIGHT='40' BASELINE='0,85 300,87'>"
        "<String CONTENT='mation' SUBS_TYPE='HypPart2' SUBS_CONTENT='information' HPOS='0' VPOS='50' WIDTH='200' HEIGHT='40'/>"
        "</TextLine></TextBlock>"
    )
    f = tmp_path / "r.xml"
    f.write_bytes(_alto(ALTO_NS["v4"], "pixel", "WIDTH='300' HEIGHT='100'", body))
    doc = load_response(f)
    l1, l2 = doc.lines()
    assert l1.text == "an infor-" and l2.text == "mation"
    assert l1.words[1].extras == {"subs_type": "HypPart1", "subs_content": "information"}
    assert l2.words[0].extras["subs_content"] == "information"
    assert l1.extras["baseline"] == [[0, 35], [300, 35]]
    assert l2.extras["baseline"] == [[0, 85], [300, 87]]


PAGE_2019 = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"


def test_page_2019_reading_order_textequiv_glyphs_orientation(tmp_path: Path) -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="{PAGE_2019}"><Metadata><Creator>t</Creator><Created>2020-01-01T00:00:00</Created>
<LastChange>2020-01-01T00:00:00</LastChange></Metadata>
<Page imageFilename="x.png" imageWidth="400" imageHeight="300">
 <ReadingOrder><OrderedGroup id="ro"><RegionRefIndexed index="1" regionRef="second"/>
  <OrderedGroupIndexed id="g" index="0"><RegionRefIndexed index="0" regionRef="first"/></OrderedGroupIndexed>
 </OrderedGroup></ReadingOrder>
 <TextRegion id="second" orientation="-1.5" type="paragraph"><Coords points="10,150 390,150 390,200 10,200"/>
  <TextLine id="l2"><Coords points="10,150 390,150 390,200 10,200"/><Baseline points="10,195 390,195"/>
   <Word id="w3"><Coords points="10,150 100,150 100,200 10,200"/>
    <Glyph id="g1"><Coords points="10,150 50,150 50,200 10,200"/><TextEquiv><Unicode>o</Unicode></TextEquiv></Glyph>
    <Glyph id="g2"><Coords points="50,150 100,150 100,200 50,200"/><TextEquiv><Unicode>k</Unicode></TextEquiv></Glyph>
   </Word>
  </TextLine></TextRegion>
 <TextRegion id="first" type="heading"><Coords points="10,10 390,10 390,60 10,60"/>
  <TextLine id="l1"><Coords points="10,10 390,10 390,60 10,60"/>
   <Word id="w1"><Coords points="10,10 200,10 200,60 10,60"/>
    <TextEquiv index="2" conf="0.2"><Unicode>Tit1e</Unicode></TextEquiv>
    <TextEquiv index="1" conf="0.8"><Unicode>Title</Unicode></TextEquiv></Word>
   <TextEquiv conf="0.7"><Unicode>Title</Unicode></TextEquiv>
  </TextLine></TextRegion>
</Page></PcGts>"""
    f = tmp_path / "gt.xml"
    f.write_text(xml, encoding="utf-8")
    doc = load_response(f)
    assert doc.source_format == "page-2019-07-15"
    first, second = doc.pages[0].blocks
    assert (first.extras["id"], second.extras["id"]) == ("first", "second")
    assert first.layout_type == "heading" and second.extras["orientation"] == -1.5
    title = first.lines[0].words[0]
    assert (title.text, title.confidence) == ("Title", 0.8)  # the lowest index wins
    assert first.lines[0].confidence == 0.7
    assert second.lines[0].text == "ok"  # word text from its glyphs
    assert second.lines[0].extras["baseline"] == [[10, 195], [390, 195]]


def test_hocr_baseline_and_multipage(tmp_path: Path) -> None:
    html = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title></title></head><body>
<div class='ocr_page' title='image "a.png"; bbox 0 0 300 200; ppageno 0'>
 <p class='ocr_par' lang='deu' title='bbox 10 10 200 50'>
  <span class='ocr_line' title='bbox 10 10 200 50; baseline 0.01 -5'>
   <span class='ocrx_word' title='bbox 10 10 90 50; x_wconf 91'>Guten</span>
   <span class='ocrx_word' title='bbox 100 10 200 50; x_wconf 250'>Tag</span></span></p></div>
<div class='ocr_page' title='bbox 0 0 300 200; ppageno 1'>
 <span class='ocr_line' title='bbox 5 5 50 20'><span class='ocrx_word' title='bbox 5 5 50 20'>two</span></span></div>
</body></html>"""
    f = tmp_path / "x.hocr"
    f.write_text(html, encoding="utf-8")
    doc = load_response(f)
    assert doc.source_format == "hocr" and [p.text for p in doc.pages] == ["Guten Tag", "two"]
    line = next(doc.pages[0].lines())
    assert line.extras["baseline"] == [[10, 45], [200, pytest.approx(46.9)]]
    guten, tag = line.words
    assert (guten.confidence, guten.language) == (0.91, "deu")
    assert tag.confidence is None and any("x_wconf '250'" in w for w in doc.warnings)
    assert doc.pages[0].extras["image"] == "a.png"
