"""Writing hOCR, ALTO and PAGE-XML (schema-valid, round trips) and the searchable PDF (text where the words are)."""

from __future__ import annotations

import math
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image, ImageChops, ImageStat

from ocrviewer.cli import main
from ocrviewer.core.formats import read_markup, suffix_format, write
from ocrviewer.core.formats.hocr import title_props
from ocrviewer.core.formats.searchable_pdf import write_pdf
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_bbox, polygon_from_bbox
from tests.support.images import draw_displayed, layout_words
from tests.support.markup import assert_valid, run_tesseract

LINES = ["Hello world", "Searchable text layer", "Reading order matters"]


@pytest.fixture(scope="module")
def tess(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(image, Tesseract hOCR of it)."""
    words, size = layout_words(LINES, font_size=40)
    folder = tmp_path_factory.mktemp("tess")
    image = folder / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image, dpi=(150, 150))
    return image, run_tesseract(image, folder / "page", "hocr")


def _export(tmp_path: Path, image: Path, response: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["export", str(image), "-r", str(response), *extra, "-o", str(out)]) == 0
    return out


# -- schema validity ---------------------------------------------------------------------------------
def test_tesseract_page_exports_valid_alto_and_page(tmp_path: Path, tess: tuple[Path, Path]) -> None:
    image, hocr = tess
    alto = _export(tmp_path, image, hocr, "page.alto.xml")
    page = _export(tmp_path, image, hocr, "gt.xml", "--to", "page")
    assert_valid(alto.read_bytes(), "alto-4-4")
    assert_valid(page.read_bytes(), "pagecontent-2019-07-15")
    source = [(w.text, w.bbox) for w in read_markup(hocr.read_bytes()).words()]
    for out in (alto, page):
        assert [(w.text, w.bbox) for w in read_markup(out.read_bytes()).words()] == source


def test_hocr_export_follows_the_spec(tmp_path: Path, tess: tuple[Path, Path]) -> None:
    image, hocr = tess
    out = _export(tmp_path, image, hocr, "page.hocr")
    root = etree.fromstring(out.read_bytes(), etree.XMLParser(no_network=True, resolve_entities=False))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    metas = {m.get("name"): m.get("content") for m in root.iterfind(".//h:meta", ns)}
    assert metas["ocr-system"].startswith("ocrviewer ")
    capabilities = set(metas["ocr-capabilities"].split())
    used = {c for e in root.iter() for c in (e.get("class") or "").split()}
    assert used <= capabilities and {"ocr_page", "ocr_line", "ocrx_word"} <= used
    assert {
        "ocrp_wconf",
        "ocrp_baseline",
        "ocrp_lang",
    } <= capabilities  # Tesseract's hOCR has lang and baselines
    assert metas["ocr-number-of-pages"] == "1"
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    page = root.find(".//h:div[@class='ocr_page']", ns)
    assert title_props(page) == {"image": '"page.png"', "bbox": "0 0 490 244", "ppageno": "0"}
    for word in root.iterfind(".//h:span[@class='ocrx_word']", ns):
        props = title_props(word)
        x0, y0, x1, y1 = (int(v) for v in props["bbox"].split())
        assert 0 <= x0 <= x1 and 0 <= y0 <= y1
        assert 0 <= int(props["x_wconf"]) <= 100
    for line in root.iterfind(".//h:span[@class='ocr_line']", ns):
        slope, offset = title_props(line)["baseline"].split()
        float(slope), int(offset)
    assert [x.text for x in read_markup(out.read_bytes()).lines()] == LINES


# -- round trips ----------------------------------------------------------------------------------------
_TEXT = st.text(st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=8)


@st.composite
def _documents(draw: st.DrawFn, pages: int) -> Document:
    out = []
    for pi in range(pages):
        blocks = []
        for _ in range(draw(st.integers(1, 3))):
            lines = []
            for _ in range(draw(st.integers(1, 3))):
                words = []
                for _ in range(draw(st.integers(1, 4))):
                    x = draw(st.floats(0, 900, allow_nan=False))
                    y = draw(st.floats(0, 700, allow_nan=False))
                    w = draw(st.floats(1, 99, allow_nan=False))
                    h = draw(st.floats(1, 99, allow_nan=False))
                    conf = draw(st.one_of(st.none(), st.floats(0, 1)))
                    words.append(Word(draw(_TEXT), polygon_from_bbox(x, y, x + w, y + h), conf))
                box = _union(w.polygon for w in words)
                lines.append(Line(" ".join(w.text for w in words), box, tuple(words)))
            blocks.append(Block(_union(x.polygon for x in lines), tuple(lines)))
        out.append(Page(1000.0, 800.0, tuple(blocks), index=pi))
    return Document(tuple(out), "test")


def _union(polys: object) -> tuple[tuple[float, float], ...]:
    boxes = [polygon_bbox(p) for p in polys]  # type: ignore[attr-defined]
    return polygon_from_bbox(
        min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)
    )


def _same(doc: Document, back: Document, conf_tol: float) -> None:
    assert len(back.pages) == len(doc.pages)
    for p, q in zip(doc.pages, back.pages, strict=True):
        assert (q.width, q.height) == (p.width, p.height)
        assert [b.text for b in q.blocks] == [b.text for b in p.blocks]
        for level in ("blocks", "lines", "words"):
            a = list(p.blocks) if level == "blocks" else list(getattr(p, level)())
            b = list(q.blocks) if level == "blocks" else list(getattr(q, level)())
            assert len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                assert max(abs(u - v) for u, v in zip(x.bbox, y.bbox, strict=True)) <= 1.0
        for w, v in zip(p.words(), q.words(), strict=True):
            assert v.text == w.text
            if w.confidence is None:
                assert v.confidence is None
            else:
                assert v.confidence == pytest.approx(w.confidence, abs=conf_tol)


@pytest.mark.parametrize(
    ("fmt", "pages", "conf_tol"),
    [("hocr", 2, 0.005 + 1e-9), ("alto", 2, 1e-3), ("page", 1, 1e-3)],  # hOCR: whole percent
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_keeps_text_order_boxes(
    fmt: str, pages: int, conf_tol: float, data: st.DataObject
) -> None:
    doc = data.draw(_documents(pages))
    raw = write(fmt, doc, image_names=["img.png"] * pages)
    if fmt == "alto":
        assert_valid(raw, "alto-4-4")
    if fmt == "page":
        assert_valid(raw, "pagecontent-2019-07-15")
    _same(doc, read_markup(raw), conf_tol)


def test_page_keeps_polygons_and_alto_hyphenation_round_trips() -> None:
    quad = ((10.2, 20.0), (110.0, 40.4), (104.0, 70.0), (4.0, 50.0))
    word = Word("tilted", quad, 0.5)
    doc = Document(
        (Page(200.0, 100.0, (Block(quad, (Line("tilted", quad, (word,)),), layout_type="heading"),)),)
    )
    back = read_markup(write("page", doc))
    got = next(back.words()).polygon
    assert all(abs(a - b) <= 0.5 for p, q in zip(quad, got, strict=True) for a, b in zip(p, q, strict=True))
    assert back.pages[0].blocks[0].layout_type == "heading"

    hyph = Word(
        "infor-",
        polygon_from_bbox(0, 0, 50, 10),
        extras={"subs_type": "HypPart1", "subs_content": "information"},
    )
    alto_doc = Document(
        (Page(100.0, 50.0, (Block(hyph.polygon, (Line("infor-", hyph.polygon, (hyph,)),)),)),)
    )
    raw = write("alto", alto_doc)
    assert_valid(raw, "alto-4-4")
    assert b'<HYP CONTENT="-"/>' in raw and b'CONTENT="infor"' in raw
    assert next(read_markup(raw).words()).text == "infor-"


# -- CLI -------------------------------------------------------------------------------------------------
def test_suffixes_and_xml_needs_to(
    tmp_path: Path, tess: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert [
        suffix_format(n)
        for n in ("a.json", "a.hocr", "a.HTML", "a.pdf", "a.alto.xml", "a.page.xml", "a.xml", "a.txt")
    ] == [
        "json",
        "hocr",
        "hocr",
        "pdf",
        "alto",
        "page",
        None,
        None,
    ]
    image, hocr = tess
    out = tmp_path / "result.xml"
    assert main(["export", str(image), "-r", str(hocr), "-o", str(out)]) != 0
    assert "give --to alto or --to page" in capsys.readouterr().err and not out.exists()
    plain = _export(tmp_path, image, hocr, "result.txt")  # no format in the name: json as before
    assert plain.read_text(encoding="utf-8").lstrip().startswith("{")


def test_page_export_of_two_pages_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two = tmp_path / "two.hocr"
    two.write_bytes(write("hocr", next(iter([_two_pages()]))))
    out = tmp_path / "out.page.xml"
    assert main(["export", "-r", str(two), "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert "PAGE-XML holds one page per file" in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob(".*"))


def _two_pages() -> Document:
    pages = []
    for i, text in enumerate(["first", "second"]):
        box = polygon_from_bbox(10, 10, 110, 40)
        pages.append(Page(300.0, 200.0, (Block(box, (Line(text, box, (Word(text, box, 0.9),)),)),), index=i))
    return Document(tuple(pages))


# -- searchable PDF -----------------------------------------------------------------------------------
def _chars(
    pdf_path: Path | bytes, index: int = 0
) -> tuple[str, list[tuple[str, tuple[float, ...]]], tuple[float, float]]:
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[index]
        tp = page.get_textpage()
        n = tp.count_chars()
        chars = [(tp.get_text_range(i, 1), tp.get_charbox(i, loose=True)) for i in range(n)]
        text = tp.get_text_range()
        size = page.get_size()
        tp.close()
        page.close()
    finally:
        pdf.close()
    return text, chars, size


def _assert_chars_in_boxes(chars: list, words: list[Word], px_to_pt: float, height_pt: float) -> None:
    """Each word's characters, in order, have their boxes inside the word's box (1 px slack)."""
    visible = [(c, box) for c, box in chars if c.strip()]
    i = 0
    for word in words:
        x0, y0, x1, y1 = word.bbox
        for ch in word.text:
            c, (left, bottom, right, top) = visible[i]
            i += 1
            assert c == ch
            cx0, cx1 = left / px_to_pt, right / px_to_pt
            cy0, cy1 = (height_pt - top) / px_to_pt, (height_pt - bottom) / px_to_pt
            inside = x0 - 1 <= cx0 <= cx1 <= x1 + 1 and y0 - 1 <= cy0 <= cy1 <= y1 + 1
            assert inside, (word.text, ch, (cx0, cy0, cx1, cy1), word.bbox)
            assert (cx1 - cx0) * (cy1 - cy0) > 0
    assert i == len(visible)


def test_searchable_pdf_text_lands_on_the_words(tmp_path: Path, tess: tuple[Path, Path]) -> None:
    image, hocr = tess
    out = _export(tmp_path, image, hocr, "page.pdf")
    text, chars, (w_pt, h_pt) = _chars(out)
    assert text.split() == " ".join(LINES).split()
    k = 72 / 150  # the image states 150 dpi
    assert (w_pt, h_pt) == pytest.approx((490 * k, 244 * k), abs=0.05)  # PNG stores pixels per metre
    _assert_chars_in_boxes(chars, list(read_markup(hocr.read_bytes()).words()), k, h_pt)
    # the page shows the image
    pdf = pdfium.PdfDocument(out)
    try:
        rendered = pdf[0].render(scale=150 / 72).to_pil().convert("L")
    finally:
        pdf.close()
    assert rendered.size == (490, 244)
    with Image.open(image) as img:
        original = img.convert("L")
    assert (
        ImageStat.Stat(ImageChops.difference(rendered, original)).mean[0] < 6
    )  # resampling: ~3.3; a blank page: 18


def test_searchable_pdf_rotated_words_and_any_script() -> None:
    def rotated(text: str, cx: float, cy: float, deg: float, w: float, h: float) -> Word:
        a = math.radians(deg)
        ux, uy, vx, vy = math.cos(a), math.sin(a), -math.sin(a), math.cos(a)  # image coords, y down
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        return Word(text, tuple((cx + x * ux + y * vx, cy + x * uy + y * vy) for x, y in corners))

    words = [
        rotated("Привет", 200, 150, 30, 180, 40),
        rotated("漢字かな", 450, 300, -60, 160, 40),
        rotated("Ωmega", 300, 450, 180, 150, 40),
    ]
    lines = tuple(Line(w.text, w.polygon, (w,)) for w in words)
    doc = Document((Page(600.0, 600.0, (Block(polygon_from_bbox(0, 0, 600, 600), lines),)),))
    raw = write_pdf(doc, [Image.new("RGB", (600, 600), "white")], dpi=[72])
    text, chars, (_, h_pt) = _chars(raw)
    assert [t for t in text.split()] == ["Привет", "漢字かな", "Ωmega"]
    _assert_chars_in_boxes(chars, words, 1.0, h_pt)
    # the characters run along the reading direction: Привет up-right at 30 degrees (down-right in image y)
    firsts = [box for c, box in chars if c in "Пт"]
    assert firsts[1][0] > firsts[0][0] and firsts[1][1] < firsts[0][1]


def test_searchable_pdf_multipage_from_tiff(tmp_path: Path) -> None:
    tif = tmp_path / "two.tif"
    pages = [Image.new("RGB", (300, 200), c) for c in ("white", "lightgray")]
    pages[0].save(tif, save_all=True, append_images=pages[1:], dpi=(100, 100))
    hocr = tmp_path / "two.hocr"
    hocr.write_bytes(write("hocr", _two_pages()))
    out = _export(tmp_path, tif, hocr, "two.pdf")
    pdf = pdfium.PdfDocument(out)
    try:
        assert len(pdf) == 2
    finally:
        pdf.close()
    for i, word in enumerate(["first", "second"]):
        text, chars, size = _chars(out, i)
        assert text.strip() == word and size == pytest.approx((216, 144))
        _assert_chars_in_boxes(chars, [Word(word, polygon_from_bbox(10, 10, 110, 40))], 0.72, size[1])


def test_searchable_pdf_reads_counter_clockwise_polygons_along_the_text() -> None:
    """Yandex polygons run TL, BL, BR, TR: the text still runs left to right, not down the page."""
    ccw = ((20.0, 40.0), (20.0, 80.0), (220.0, 80.0), (220.0, 40.0))
    word = Word("sideways", ccw)
    doc = Document((Page(300.0, 120.0, (Block(ccw, (Line("sideways", ccw, (word,)),)),)),))
    text, chars, (_, h_pt) = _chars(write_pdf(doc, [None], dpi=[72]))
    assert text.strip() == "sideways"
    _assert_chars_in_boxes(chars, [word], 1.0, h_pt)
    tops = {round(box[3], 1) for c, box in chars if c.strip()}
    assert len(tops) == 1  # one baseline: all characters side by side


def test_searchable_pdf_shows_the_image_as_displayed(tmp_path: Path) -> None:
    """An EXIF-rotated photo: the PDF page has the displayed size and the text sits on the displayed words."""
    from tests.support.images import DEFAULT_WORDS, make_text_image
    from tests.support.responses import build_response, write_response

    image = make_text_image(tmp_path / "rot.jpg", orientation=6)
    resp = write_response(tmp_path / "resp.json", build_response("yandex", orientation=6, frame="raw"))
    out = _export(tmp_path, image, resp, "rot.pdf")
    text, chars, (w_pt, h_pt) = _chars(out)
    with Image.open(image) as img:
        dpi = img.info.get("dpi", (300, 300))[0]  # the JPEG's stated density, else 300 assumed
    k = 72 / dpi
    assert (w_pt, h_pt) == pytest.approx((640 * k, 480 * k), abs=0.05)
    boxes = [Word(t, polygon_from_bbox(*b)) for t, b in DEFAULT_WORDS]
    assert text.split() == [w.text for w in boxes]
    _assert_chars_in_boxes(chars, boxes, k, h_pt)


@pytest.mark.parametrize(
    "sample",
    [
        "dinglehopper-abbyy-alto2.xml",
        "prima-SimplePage-2017.xml",
        "dinglehopper-indexed-textequiv-page2017.xml",
    ],
)
def test_published_files_convert_to_valid_alto_and_page(sample: str) -> None:
    from tests.support.markup import FORMATS as SAMPLES

    doc = read_markup((SAMPLES / sample).read_bytes())
    for fmt, schema in (("alto", "alto-4-4"), ("page", "pagecontent-2019-07-15")):
        raw = write(fmt, doc)
        assert_valid(raw, schema)
        back = read_markup(raw)
        assert [line.text for line in back.lines()] == [line.text for line in doc.lines()]
        # a line without words gets one String (ALTO has no text outside Strings); PAGE keeps it as is
        src_words = [w for line in doc.lines() for w in (line.words or ((line,) if fmt == "alto" else ()))]
        assert [w.text for w in back.words()] == [w.text for w in src_words]
        if fmt == "alto":  # SUBS_CONTENT is ALTO's own
            assert [w.extras.get("subs_content") for w in back.words()] == [
                getattr(w, "extras", {}).get("subs_content") for w in src_words
            ]


def _pdf_page_picture(pdf_path: Path, index: int) -> Image.Image:
    """The picture drawn on page ``index`` of a PDF, as PDFium renders it at 72 dpi (one pixel a point)."""
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[index]
        img = page.render(scale=1).to_pil().convert("L")
        page.close()
    finally:
        pdf.close()
    return img


def test_searchable_pdf_every_frame_of_a_16_bit_tiff_is_scaled_not_clipped(tmp_path: Path) -> None:
    """Each frame of a multi-page 16-bit TIFF (frames of different sizes) shows its grey levels in
    the PDF; Pillow's conversion clipped every value over 255 to white on the frames after the first."""
    import numpy as np

    sizes = [(300, 200), (240, 160), (180, 120)]
    frames = []
    for w, h in sizes:
        a = np.full((h, w), 10000, np.uint16)  # dark grey: 10000 >> 8 = 39
        a[:, w // 2 :] = 50000  # light grey: 195
        frames.append(Image.fromarray(a))  # mode I;16
    tif = tmp_path / "scan16.tif"
    frames[0].save(tif, save_all=True, append_images=frames[1:], dpi=(72, 72))
    with Image.open(tif) as check:
        assert check.n_frames == 3 and check.mode == "I;16"
    pages = []
    for i, (w, h) in enumerate(sizes):
        box = polygon_from_bbox(10, 10, 110, 40)
        pages.append(
            Page(float(w), float(h), (Block(box, (Line("w", box, (Word("w", box, 0.9),)),)),), index=i)
        )
    resp = tmp_path / "scan16.hocr"
    resp.write_bytes(write("hocr", Document(tuple(pages))))
    out = _export(tmp_path, tif, resp, "scan16.pdf")
    for i, (w, h) in enumerate(sizes):
        pic = _pdf_page_picture(out, i)
        assert pic.size == (w, h)
        left, right = pic.getpixel((w // 4, h // 2)), pic.getpixel((3 * w // 4, h // 2))
        assert abs(left - 39) <= 3 and abs(right - 195) <= 3, (i, left, right)


def test_searchable_pdf_scales_a_16_bit_picture_given_directly() -> None:
    """write_pdf given a 16-bit grey picture (as a caller holding one would pass it) scales, not clips."""
    import numpy as np

    pic = Image.fromarray(np.full((50, 80), 20000, np.uint16))  # 20000 >> 8 = 78
    doc = Document((Page(80.0, 50.0, (), index=0),))
    raw = write_pdf(doc, [pic], dpi=[72])
    pdf = pdfium.PdfDocument(raw)
    try:
        page = pdf[0]
        value = page.render(scale=1).to_pil().convert("L").getpixel((40, 25))
        page.close()
    finally:
        pdf.close()
    assert abs(value - 78) <= 3


# -- the text other tools read off an export -------------------------------------------------------------
def _punctuated() -> Document:
    """Two pages: a line whose punctuation is words of its own ("Hello" "," ...), an RTL line, a word
    with no confidence, a line of two words set without a space, and an empty second page."""
    texts = ["Hello", ",", "world", ".", "«", "Quote", "»", "(", "sic", ")", "!"]
    line_text = "Hello, world. «Quote» (sic)!"
    x = 10.0
    words = []
    for i, t in enumerate(texts):
        words.append(Word(t, polygon_from_bbox(x, 10, x + 8 * len(t), 30), None if i == 1 else 0.9))
        x += 8 * len(t) + 4
    line = Line(line_text, _union(w.polygon for w in words), tuple(words), 0.8)
    rtl_words = (
        Word("שלום", polygon_from_bbox(360, 40, 400, 60), 0.7),
        Word("עולם", polygon_from_bbox(300, 40, 350, 60), 0.6),
    )
    rtl = Line("שלום עולם", _union(w.polygon for w in rtl_words), rtl_words, language="he")
    tight_words = (
        Word("can", polygon_from_bbox(10, 70, 40, 90)),
        Word("'t", polygon_from_bbox(40, 70, 55, 90)),
    )
    tight = Line("can't", _union(w.polygon for w in tight_words), tight_words)
    lines = (line, rtl, tight)
    page = Page(500.0, 100.0, (Block(_union(x.polygon for x in lines), lines),))
    return Document((page, Page(320.0, 240.0, (), index=1)), "test")


def test_hocr_export_text_reads_naturally_in_browsers_and_hocr_tools() -> None:
    import re

    from lxml import html as lxml_html

    doc = _punctuated()
    raw = write("hocr", doc)
    want = [line.text for line in doc.lines()]
    # a browser: the file parsed as HTML (not XHTML), each line's textContent with whitespace collapsed
    root = lxml_html.document_fromstring(raw.decode("utf-8").split("\n", 1)[1])
    lines = root.find_class("ocr_line")
    assert [" ".join(e.text_content().split()) for e in lines] == want
    # as HTML, the empty second page ends where it should (a "<div/>" would swallow what follows)
    pages = root.find_class("ocr_page")
    assert (
        len(pages) == 2
        and not pages[1].find_class("ocr_line")
        and pages[0].getparent() is pages[1].getparent()
    )
    # hocr-tools' hocr-lines: every text node under the line, joined, whitespace collapsed
    xml = etree.fromstring(raw, etree.XMLParser(no_network=True, resolve_entities=False))
    xlines = [e for e in xml.iter() if e.get("class") == "ocr_line"]
    assert [re.sub(r"\s+", " ", "".join(e.xpath(".//text()"))).strip() for e in xlines] == want
    # the recommended ocr-langs meta names the languages the document states
    metas = {m.get("name"): m.get("content") for m in xml.iter("{http://www.w3.org/1999/xhtml}meta")}
    assert metas["ocr-langs"] == "he"
    # and our own reader gets the same lines, words, boxes and confidences back
    back = read_markup(raw)
    assert [line.text for line in back.lines()] == want
    _same(doc, back, 0.005)


@pytest.mark.parametrize("fmt", ["alto", "page"])
def test_alto_and_page_exports_keep_punctuation_spacing(fmt: str) -> None:
    doc = _punctuated()
    if fmt == "page":
        doc = Document(doc.pages[:1], "test")
    raw = write(fmt, doc)
    assert_valid(raw, "alto-4-4" if fmt == "alto" else "pagecontent-2019-07-15")
    xml = etree.fromstring(raw, etree.XMLParser(no_network=True, resolve_entities=False))
    want = [line.text for line in doc.lines()]
    if fmt == "alto":  # String CONTENTs with a space for each SP, as ALTO-to-text tools join them
        ns = {"a": xml.nsmap[None]}
        got = [
            "".join(" " if c.tag.endswith("SP") else c.get("CONTENT", "") for c in tl)
            for tl in xml.iterfind(".//a:TextLine", ns)
        ]
    else:  # the line's own TextEquiv
        ns = {"p": xml.nsmap[None]}
        got = [e.findtext("p:TextEquiv/p:Unicode", namespaces=ns) for e in xml.iterfind(".//p:TextLine", ns)]
    assert got == want
    back = read_markup(raw)
    assert [line.text for line in back.lines()] == want
    _same(doc, back, 1e-3)


@pytest.mark.parametrize(
    ("fmt", "name"), [("hocr", "rot.hocr"), ("alto", "rot.alto.xml"), ("page", "rot.xml")]
)
def test_exif_rotated_photo_exports_round_trip_in_the_displayed_frame(
    tmp_path: Path, fmt: str, name: str
) -> None:
    """A photo stored sideways (EXIF 6) with a response in its raw frame: every export states the
    displayed size and the displayed words, and reads back as the normalized export says."""
    from ocrviewer.core.export import read_export
    from tests.support.images import DEFAULT_WORDS, make_text_image
    from tests.support.responses import build_response, write_response

    image = make_text_image(tmp_path / "rot.jpg", orientation=6)
    resp = write_response(tmp_path / "resp.json", build_response("yandex", orientation=6, frame="raw"))
    placed, _ = read_export(_export(tmp_path, image, resp, "rot.json"))
    out = _export(tmp_path, image, resp, name, *(("--to", fmt) if fmt == "page" else ()))
    raw = out.read_bytes()
    if fmt != "hocr":
        assert_valid(raw, "alto-4-4" if fmt == "alto" else "pagecontent-2019-07-15")
    back = read_markup(raw)
    assert (back.pages[0].width, back.pages[0].height) == (640, 480)  # displayed, not the stored 480x640
    assert [w.text for w in back.words()] == [t for t, _ in DEFAULT_WORDS]
    _same(placed, back, 0.005)
    assert [line.text for line in back.lines()] == [line.text for line in placed.lines()]


@pytest.mark.parametrize(("fmt", "stated"), [("page", b'orientation="90"'), ("alto", b'ROTATION="90"')])
def test_page_angle_round_trips(fmt: str, stated: bytes) -> None:
    """The page's angle (text turned 90 degrees counter-clockwise) is PAGE's Page/@orientation (the
    clockwise turn that corrects it) and ALTO 4's Page/@ROTATION (the text's counter-clockwise turn)."""
    box = polygon_from_bbox(10, 10, 60, 30)
    doc = Document(
        (Page(300.0, 200.0, (Block(box, (Line("a", box, (Word("a", box, 0.5),)),)),), angle=-90.0),)
    )
    raw = write(fmt, doc)
    assert_valid(raw, "pagecontent-2019-07-15" if fmt == "page" else "alto-4-4")
    assert stated in raw
    assert read_markup(raw).pages[0].angle == -90


@pytest.mark.parametrize("fmt", ["hocr", "alto", "page"])
def test_unspaced_scripts_round_trip_without_spaces(fmt: str) -> None:
    """A Chinese and a Thai line split into words have no space between them: the export has
    nothing between the words (no whitespace, no SP), and reading it back does not add spaces."""
    lines = []
    for y, parts in ((0, ["你好", "世界", "。"]), (20, ["สวัสดี", "ครับ"])):
        x = 0.0
        words = []
        for t in parts:
            words.append(Word(t, polygon_from_bbox(x, y, x + 10 * len(t), y + 10), 0.9))
            x += 10 * len(t)
        lines.append(Line("".join(parts), _union(w.polygon for w in words), tuple(words)))
    doc = Document((Page(200.0, 50.0, (Block(_union(x.polygon for x in lines), tuple(lines)),)),), "test")
    raw = write(fmt, doc)
    if fmt in ("alto", "page"):
        assert_valid(raw, "alto-4-4" if fmt == "alto" else "pagecontent-2019-07-15")
    back = read_markup(raw)
    assert [x.text for x in back.lines()] == ["你好世界。", "สวัสดีครับ"]
    assert [w.text for w in back.words()] == ["你好", "世界", "。", "สวัสดี", "ครับ"]


def test_exports_clean_what_xml_and_pdf_cannot_hold() -> None:
    """A response may carry NUL, form feeds or lone surrogates in its text: every writer (called
    directly, as the document export does) writes them as a space or U+FFFD instead of failing."""
    box = polygon_from_bbox(0, 0, 100, 30)
    texts = ["a\x00b", "c\x0cd", "e\ud800f"]
    words = tuple(Word(t, polygon_from_bbox(40 * i, 0, 40 * i + 30, 30), 0.5) for i, t in enumerate(texts))
    doc = Document((Page(300.0, 200.0, (Block(box, (Line(" ".join(texts), box, words),)),)),), "test")
    for fmt in ("hocr", "alto", "page"):
        raw = write(fmt, doc)
        if fmt != "hocr":
            assert_valid(raw, "alto-4-4" if fmt == "alto" else "pagecontent-2019-07-15")
        assert [w.text for w in read_markup(raw).words()] == ["a b", "c d", "e\ufffdf"], fmt
    assert write_pdf(doc, []).startswith(b"%PDF")
