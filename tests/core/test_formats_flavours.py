"""Producers' flavours of hOCR and PAGE-XML not covered by the published files: archive.org's
character hOCR (ABBYY), Google Books' ``ocr_cinfo`` words, Cuneiform's character boxes, title
properties in any order, Tesseract 5.4's PAGE output, a baseline-only PAGE line, ALTO with float
positions over three pages. Each file is a minimal one written by this project to reproduce what
its producer writes (tests/data/SOURCES.md says which code each mirrors); each is opened as a user
opens it, checked against what the file says, then exported to hOCR, ALTO and PAGE, which validate
and read back the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.core.formats import read_markup, write
from ocrviewer.core.model import Document
from ocrviewer.core.parsers import load_response
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import assert_valid
from tests.support.markup import cli_info as _info

_SCHEMAS = {"alto": "alto-4-4", "page": "pagecontent-2019-07-15"}


def _words(doc: Document) -> list[tuple[str, tuple[float, ...], float | None]]:
    return [(w.text, tuple(round(v) for v in w.bbox), w.confidence) for w in doc.words()]


def _lines_as_words(doc: Document) -> Document:
    """``doc`` with each line that has no words given one word of its text and box."""
    from dataclasses import replace

    from ocrviewer.core.model import Word

    pages = []
    for p in doc.pages:
        blocks = []
        for b in p.blocks:
            lines = tuple(
                x if x.words else replace(x, words=(Word(x.text, x.polygon, x.confidence),)) for x in b.lines
            )
            blocks.append(replace(b, lines=lines))
        pages.append(replace(p, blocks=tuple(blocks)))
    return replace(doc, pages=tuple(pages))


def _exports_read_back(doc: Document) -> None:
    """hOCR, ALTO and (page by page) PAGE of ``doc``: valid, and the same pages, lines, words, boxes
    (whole pixels) and confidences read back."""
    for fmt in ("hocr", "alto", "page"):
        docs = [Document((p,), doc.source_format) for p in doc.pages] if fmt == "page" else [doc]
        for one in docs:
            raw = write(fmt, one, image_names=["page.png"] * len(one.pages))
            if fmt in _SCHEMAS:
                assert_valid(raw, _SCHEMAS[fmt])
            back = read_markup(raw)
            sizes = [(p.width, p.height) for p in back.pages]
            # hOCR's bbox is whole pixels
            assert sizes == [pytest.approx((p.width, p.height), abs=0.5) for p in one.pages], fmt
            assert [x.text for x in back.lines()] == [x.text for x in one.lines()], fmt
            got, want = _words(back), _words(one)
            if fmt == "alto":  # ALTO has no text outside Strings: a line without words gets one
                want = _words(_lines_as_words(one))
            assert [w[0] for w in got] == [w[0] for w in want], fmt
            for (_, a, ca), (_, b, cb) in zip(got, want, strict=True):
                assert max(abs(u - v) for u, v in zip(a, b, strict=True)) <= 1, fmt
                assert (ca is None) == (cb is None), fmt
                if ca is not None and cb is not None:
                    assert ca == pytest.approx(cb, abs=0.0051), fmt  # hOCR: whole percent


# -- hOCR ---------------------------------------------------------------------------------------------
def test_archive_org_character_hocr(capsys: pytest.CaptureFixture[str]) -> None:
    """archive.org's ``_chocr.html`` (ABBYY to hOCR): words made of one ``ocrx_cinfo`` span per
    character laid out on lines of their own, ``x_confs`` per character, a table and a photo area,
    and a LEFT-TO-RIGHT MARK ending each right-to-left word."""
    f = SAMPLES / "archiveorg-abbyy-chocr-minimal.html"
    doc = load_response(f)
    assert [line.text for line in doc.lines()] == ["The end,", "שלום", "42"]
    assert _words(doc) == [
        ("The", (100, 100, 220, 150), 0.93),
        ("end,", (240, 100, 400, 150), 0.88),
        ("שלום", (500, 200, 700, 250), 0.8),  # no U+200E: a search for the word finds it
        ("42", (110, 1010, 200, 1060), 0.97),
    ]
    assert [w.language for w in doc.words()] == ["en", "en", "he", None]
    assert "1 page(s), 2 blocks, 3 lines, 4 words" in _info(capsys, "-r", str(f))
    _exports_read_back(doc)


def test_google_books_ocr_cinfo_words() -> None:
    """Google Books' hOCR (the Google 1000 books sample) holds each word as an ``ocr_cinfo`` span
    with its bbox and no ``ocrx_word``: they are the line's words; one without a bbox keeps its text
    in the line."""
    doc = load_response(SAMPLES / "google1000-ocr-cinfo-minimal.html")
    assert [line.text for line in doc.lines()] == ["THE HISTORY OF", "ROME."]
    assert _words(doc) == [
        ("THE", (93, 155, 236, 190), None),
        ("HISTORY", (250, 155, 400, 190), None),
        ("OF", (410, 155, 500, 190), None),
    ]
    _exports_read_back(doc)


def test_cuneiform_character_boxes_make_words() -> None:
    """Cuneiform writes a line's text, then an empty ``ocr_cinfo`` whose ``x_bboxes`` has one box per
    character (-1s for a space): the words are the runs of boxed characters."""
    doc = load_response(SAMPLES / "cuneiform-cinfo-xbboxes-minimal.html")
    assert [line.text for line in doc.lines()] == ["Hi all"]
    assert _words(doc) == [("Hi", (10, 20, 40, 40), None), ("all", (60, 20, 110, 40), None)]
    _exports_read_back(doc)


def test_cuneiform_boxes_that_do_not_match_the_text_leave_the_line_whole() -> None:
    raw = (SAMPLES / "cuneiform-cinfo-xbboxes-minimal.html").read_bytes().replace(b"Hi all", b"Hi all!")
    doc = read_markup(raw)
    assert [line.text for line in doc.lines()] == ["Hi all!"]
    assert list(doc.words()) == []


def test_hocr_title_properties_in_any_order_and_ocrx_line() -> None:
    """``x_wconf`` before ``bbox``, no space after ``;``, spaces before it, ``x_confs`` (mean) and
    ``x_conf`` as the only confidence, ``ocrx_line``; a vertical line (``textangle 90``) keeps no
    baseline (Tesseract states it in the turned frame)."""
    doc = load_response(SAMPLES / "hocr-title-order-ocrx-line-minimal.hocr")
    assert doc.pages[0].width == 400 and doc.pages[0].height == 300
    assert doc.pages[0].extras["image"] == "x.png"
    lines = list(doc.lines())
    assert [x.text for x in lines] == ["alpha beta gamma", "vertical"]
    assert lines[0].confidence == pytest.approx(0.77)
    assert "baseline" not in lines[1].extras
    assert _words(doc) == [
        ("alpha", (10, 10, 90, 40), 0.91),
        ("beta", (100, 10, 150, 40), pytest.approx(0.8)),
        ("gamma", (160, 10, 200, 40), pytest.approx(0.555)),
        ("vertical", (300, 50, 340, 250), 0.6),
    ]
    _exports_read_back(doc)


# -- PAGE-XML -----------------------------------------------------------------------------------------
def test_tesseract_54_page_output() -> None:
    """Tesseract 5.4's PAGE renderer (``-c page_xml_level=1``): one ``Page`` per image in one file,
    a GraphicRegion outside the reading order, ``custom`` with ``orientation {0;}``, Words with a
    Baseline of their own and ``TextEquiv index="1" conf`` written with 4 digits ("1", "0"), and
    the 5.4 renderer's conf="0" on every line and region."""
    doc = load_response(SAMPLES / "tesseract54-two-pages-words-minimal.page.xml")
    assert [(p.width, p.height) for p in doc.pages] == [(1400, 500), (900, 300)]
    assert [line.text for line in doc.lines()] == [
        "Hello, world.",
        "Price: $42.50;",
        "שלום עולם",
        "Page two: the end.",
    ]
    # 5.4 wrote conf="0" on every line and region (tesseract#4283, fixed in 5.5.0): no confidence
    assert [line.confidence for line in doc.lines()] == [None, None, None, None]
    assert [(w.text, w.confidence) for w in doc.words()] == [
        ("Hello,", 0.9663),
        ("world.", 1.0),
        ("Price:", 0.0),  # a confidence of 0 is a confidence, not none
        ("$42.50;", 0.9552),
        ("שלום", 0.91),
        ("עולם", 0.88),
    ]
    _exports_read_back(doc)


def test_page_line_with_a_baseline_only_is_kept() -> None:
    """A TextLine whose Coords are empty but which has a Baseline (baseline segmentation) stays on
    the page, boxed above its baseline at the page's usual line height; the lowest TextEquiv index
    wins, a Word's text can come from its Glyphs, coordinates past the page's edges are kept."""
    doc = load_response(SAMPLES / "page2019-baseline-only-nested-minimal.xml")
    texts = [line.text for line in doc.lines()]
    assert texts == ["Right by", "baseline only", "nested"]
    only = list(doc.lines())[1]
    x0, y0, x1, y1 = only.bbox
    assert (x0, x1) == (10, 290) and y0 < 150 < y1 and y1 - y0 < 60
    assert only.extras["baseline"] == [[10.0, 150.0], [290.0, 150.0]]
    assert any("Baseline and no Coords" in w for w in doc.warnings)
    assert [(w.text, w.confidence) for w in doc.words()] == [("Right", 0.9), ("by", None)]
    assert next(doc.words()).bbox == (-5, -5, 100, 40)


# -- ALTO ---------------------------------------------------------------------------------------------
def test_alto_float_positions_over_three_pages() -> None:
    """ALTO 4 with HPOS/VPOS/WIDTH/HEIGHT and page sizes as decimals, a word hyphenated across
    pages (HypPart1 with HYP, HypPart2), an empty third page, ALTERNATIVE readings that are not the
    text, CC without WC (no confidence)."""
    doc = load_response(SAMPLES / "alto4-floats-three-pages-hyp-minimal.xml")
    assert [(p.width, p.height) for p in doc.pages] == [(1000.5, 1500.25), (1000, 1500), (1000, 1500)]
    assert [line.text for line in doc.lines()] == ["Hello, wor-", "ld again."]
    words = list(doc.words())
    assert [w.text for w in words] == ["Hello", ",", "wor-", "ld", "again."]
    assert words[0].bbox == pytest.approx((10.5, 20.25, 110.75, 60.75))
    assert [w.confidence for w in words] == [0.97, None, None, 0.5, None]
    assert words[2].extras["subs_content"] == words[3].extras["subs_content"] == "world"
    assert doc.pages[2].blocks == ()
    _exports_read_back(doc)


@pytest.mark.parametrize(
    "name",
    [
        "archiveorg-abbyy-chocr-minimal.html",
        "google1000-ocr-cinfo-minimal.html",
        "cuneiform-cinfo-xbboxes-minimal.html",
        "hocr-title-order-ocrx-line-minimal.hocr",
        "tesseract54-two-pages-words-minimal.page.xml",
        "page2019-baseline-only-nested-minimal.xml",
        "alto4-floats-three-pages-hyp-minimal.xml",
    ],
)
def test_flavour_files_open_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """``ocrviewer export -r FILE`` to hOCR reads back with every line of the file."""
    from ocrviewer.cli import main

    f = SAMPLES / name
    out = tmp_path / "out.hocr"
    assert main(["export", "-r", str(f), "-o", str(out)]) == 0, capsys.readouterr().err
    assert [x.text for x in load_response(out).lines()] == [x.text for x in load_response(f).lines()]


# -- Tesseract's ALTO word confidence ------------------------------------------------------------------
def test_tesseract_alto_confidences_agree_with_its_hocr(tmp_path: Path) -> None:
    """Tesseract up to 5.5.2 writes ALTO's WC as "0." and the integer percentage (tesseract#4615):
    a 4 % word is WC="0.4", a 100 % one WC="0.100". Text turned on its side reads badly enough to
    give words under 10 %; every word's confidence from the ALTO equals the hOCR's x_wconf."""
    from tests.support.images import draw_displayed, layout_words
    from tests.support.markup import run_tesseract

    words, size = layout_words(
        ["Hello, world. This (is) a test!", "Price: $42.50; quoted text?"], font_size=36
    )
    image = tmp_path / "turned.png"
    draw_displayed(words, size, style="text", font_size=36).rotate(90, expand=True).save(image)
    hocr = load_response(run_tesseract(image, tmp_path / "t", "hocr"))
    alto = load_response(run_tesseract(image, tmp_path / "t", "alto"))
    assert [w.text for w in alto.words()] == [w.text for w in hocr.words()]
    assert [w.confidence for w in alto.words()] == [w.confidence for w in hocr.words()]


@pytest.mark.parametrize(
    ("software", "want"),
    [
        ("tesseract 5.3.0", [0.04, 1.0, 0.87, 0.0]),
        ("tesseract 4.1.0-rc4", [0.04, 1.0, 0.87, 0.0]),
        ("tesseract 5.6.0", [0.4, 0.1, 0.87, 0.0]),  # fixed: WC is 0..1 as written
        ("ABBYY FineReader 11", [0.4, 0.1, 0.87, 0.0]),
    ],
)
def test_tesseract_alto_wc_digits_are_a_percentage(software: str, want: list[float]) -> None:
    strings = "".join(
        f'<String CONTENT="w{i}" HPOS="{10 * i}" VPOS="0" WIDTH="9" HEIGHT="9" WC="{wc}"/>'
        for i, wc in enumerate(["0.4", "0.100", "0.87", "0.0"])
    )
    raw = (
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Description><MeasurementUnit>pixel'
        "</MeasurementUnit><OCRProcessing><ocrProcessingStep><processingSoftware><softwareName>"
        f"{software}</softwareName></processingSoftware></ocrProcessingStep></OCRProcessing></Description>"
        '<Layout><Page WIDTH="100" HEIGHT="50"><PrintSpace><TextBlock><TextLine>'
        f"{strings}</TextLine></TextBlock></PrintSpace></Page></Layout></alto>"
    ).encode()
    assert [w.confidence for w in read_markup(raw).words()] == pytest.approx(want)


def test_hocr_words_without_a_line_keep_the_text_of_one_without_a_bbox() -> None:
    """Words written straight into a paragraph make one line; a word there without a bbox is not
    placed, but its text stays in the line, between its neighbours."""
    raw = (
        b'<html><body><div class="ocr_page" title="bbox 0 0 100 100"><p class="ocr_par">'
        b'<span class="ocrx_word" title="bbox 0 0 10 10">a</span> <span class="ocrx_word" title="">lost</span> '
        b'<span class="ocrx_word" title="bbox 30 0 40 10">b,</span></p></div></body></html>'
    )
    doc = read_markup(raw)
    assert [line.text for line in doc.lines()] == ["a lost b,"]
    assert [w.text for w in doc.words()] == ["a", "b,"]


def test_tesseract_hocr_alto_and_tsv_of_a_two_page_tiff_agree(tmp_path: Path) -> None:
    """One Tesseract run's three outputs of a two-page TIFF with punctuation: the same pages and
    sizes, line texts ("world," stays one piece), words, boxes and confidences (TSV's are exact,
    hOCR's and ALTO's whole percentages)."""
    from tests.support.images import draw_displayed, layout_words
    from tests.support.markup import run_tesseract

    first, size = layout_words(["Hello, world.", "Price: $42.50; done!"], font_size=40)
    second, _ = layout_words(["Page two (the end)."], font_size=40)
    tif = tmp_path / "two.tif"
    pictures = [draw_displayed(w, size, style="text", font_size=40) for w in (first, second)]
    pictures[0].save(tif, save_all=True, append_images=pictures[1:])
    docs = {
        kind: load_response(run_tesseract(tif, tmp_path / "two", kind)) for kind in ("hocr", "alto", "tsv")
    }
    tsv = docs.pop("tsv")
    assert [(p.width, p.height) for p in tsv.pages] == [size, size]
    assert [line.text for line in tsv.lines()] == [
        "Hello, world.",
        "Price: $42.50; done!",
        "Page two (the end).",
    ]
    for kind, doc in docs.items():
        assert [(p.width, p.height) for p in doc.pages] == [size, size], kind
        assert [line.text for line in doc.lines()] == [line.text for line in tsv.lines()], kind
        pairs = list(zip(doc.words(), tsv.words(), strict=True))
        for a, b in pairs:
            assert (a.text, a.bbox) == (b.text, b.bbox), kind
            assert a.confidence is not None and b.confidence is not None
            assert 0 <= b.confidence - a.confidence < 0.01, (kind, a.text)  # whole percent, truncated


def test_alto_page_rotation_that_is_no_number_is_a_warning() -> None:
    raw = (
        b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="100" HEIGHT="50" '
        b'ROTATION="abc"><PrintSpace><TextBlock><TextLine><String CONTENT="a" HPOS="1" VPOS="2" WIDTH="3" '
        b'HEIGHT="4"/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>'
    )
    doc = read_markup(raw)
    assert doc.pages[0].angle is None and [w.text for w in doc.words()] == ["a"]
    assert any("ROTATION is not a number" in w for w in doc.warnings)
    assert read_markup(raw.replace(b"abc", b"1.5")).pages[0].angle == -1.5


def test_ocrd_deskewed_page_with_alternative_images_and_a_border() -> None:
    """OCR-D's preprocessing (binarize, crop, deskew) records derived images as AlternativeImages
    and the skew as Page/@orientation; coordinates stay those of the original image, which is the
    page's image. Exported again, PAGE and ALTO keep the angle."""
    doc = load_response(SAMPLES / "ocrd-deskew-border-alternativeimages-minimal.page.xml")
    page = doc.pages[0]
    assert (page.width, page.height) == (1457, 2083)
    assert page.extras["image"] == "OCR-D-IMG/INPUT_0001.tif"  # not a derived AlternativeImage
    assert page.angle == pytest.approx(0.75)
    assert [(x.text, x.bbox, x.confidence) for x in doc.lines()] == [
        ("Beantwortung der Frage:", (120, 300, 900, 350), 0.91)
    ]
    assert not doc.warnings
    for fmt in ("page", "alto"):
        raw = write(fmt, doc)
        assert_valid(raw, _SCHEMAS[fmt])
        assert read_markup(raw).pages[0].angle == pytest.approx(0.75)
