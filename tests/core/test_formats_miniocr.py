"""MiniOCR, solr-ocrhighlighting's compact format: the files its own tests index (origins in
tests/data/SOURCES.md) open with their words where the file puts them, relative or absolute."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.loading import load_result
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadInput, BadResponse
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import cli_info


def _close(got: tuple[float, ...], want: tuple[float, ...]) -> bool:
    return all(abs(a - b) < 1e-6 for a, b in zip(got, want, strict=True))


def test_relative_coordinates_on_pages_with_a_size_are_pixels_of_that_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``x=".0506 .0452 .1106 .0149"`` on ``<p wh="1000 2000">``: fractions of the page, so the word
    sits at 50.6, 90.4 on a 1000x2000 page; the page numbers are ``xml:id="7"`` (no XML name, which
    the XML parser refused: the file used to be "malformed XML")."""
    f = SAMPLES / "dbmdz-miniocr-relative-wh-excerpt.xml"
    doc = load_response(f)
    assert doc.source_format == "miniocr" and not doc.warnings
    assert [(p.width, p.height, p.unit, p.extras["id"]) for p in doc.pages] == [
        (1500, 3000, "pixel", "4"),
        (1000, 2000, "pixel", "7"),
    ]
    assert [sum(1 for _ in p.words()) for p in doc.pages] == [1, 30]
    word = next(w for w in doc.words() if w.text == "Magdeburg")
    assert _close(word.bbox, (50.6, 90.4, 161.2, 120.2))
    # the punctuation MiniOCR keeps between words is in the line's text, not in a word
    lines = [ln.text for ln in doc.pages[1].lines()]
    assert lines[:3] == ["„Mé 32G.", "Magdeburg,", "Abonnementspreis:"]
    assert "format: miniocr" in cli_info(capsys, "-r", str(f))


def test_relative_coordinates_without_a_page_size_are_placed_on_the_image(tmp_path: Path) -> None:
    """No ``wh``: the page is normalized (1 x 1) and the image decides the pixels, as for Textract;
    without an image the window says to give one."""
    f = SAMPLES / "dbmdz-miniocr-nopagedims-excerpt.xml"
    doc = load_response(f)
    page = doc.pages[0]
    assert (page.width, page.height, page.unit) == (1.0, 1.0, "normalized")
    assert sum(1 for _ in doc.words()) == 268
    assert _close(next(doc.words()).bbox, (0.0412, 0.2288, 0.2309, 0.2936))
    image = tmp_path / "page.png"
    Image.new("L", (1000, 1500), 255).save(image)
    placed = load_result(f, image).document
    first = next(placed.words())
    assert first.text == "Lenin"
    assert _close(first.bbox, (41.2, 343.2, 230.9, 440.4))
    assert sum(1 for _ in placed.words()) == 268
    with pytest.raises(BadInput, match="normalized units; pass the image"):
        load_result(f)


def test_absolute_coordinates_are_pixels() -> None:
    f = SAMPLES / "dbmdz-miniocr-absolute-excerpt.xml"
    doc = load_response(f)
    page = doc.pages[0]
    assert (page.width, page.height, page.unit, page.extras["id"]) == (20204, 29044, "pixel", "PAGE1")
    assert (len(page.blocks), sum(1 for _ in doc.lines()), sum(1 for _ in doc.words())) == (2, 99, 571)
    word = next(w for w in doc.words() if w.text == "WILTON")
    assert word.bbox == (3304, 1960, 3925, 2077)
    assert next(doc.lines()).text == "Klit lHL AT WILTON"


def test_a_lone_page_with_alternatives_hyphens_confidences_and_no_lines(tmp_path: Path) -> None:
    """The format's documented forms: a bare ``<p>``, ``⇿`` alternatives, a soft hyphen at a line's
    end, ``c`` confidence, words straight in a block; a word whose ``x`` is no box keeps its text in
    the line, with a note."""
    f = tmp_path / "page.xml"
    f.write_text(
        '<p xml:id="p1" wh="400 300"><b>'
        '<l><w x="10 10 50 20" c="0.91">clistrias⇿christmas⇿christrias</w> '
        '<w x="70 10 60 20">Wirt\u00ad</w></l>'
        '<l><w x="10 40 80 20">schaft</w> <w x="oops">lost</w>.</l>'
        '</b><b><w x="200 200 40 20">loose</w> <w x="250 200 40 20">words</w></b></p>',
        encoding="utf-8",
    )
    doc = load_response(f)
    words = list(doc.words())
    assert [(w.text, w.bbox) for w in words] == [
        ("clistrias", (10, 10, 60, 30)),
        ("Wirt-", (70, 10, 130, 30)),
        ("schaft", (10, 40, 90, 60)),
        ("loose", (200, 200, 240, 220)),
        ("words", (250, 200, 290, 220)),
    ]
    assert words[0].confidence == 0.91
    assert words[0].extras["alternatives"] == ["christmas", "christrias"]
    assert [ln.text for ln in doc.lines()] == ["clistrias Wirt-", "schaft lost.", "loose words"]
    assert len(doc.warnings) == 1 and "'lost'" in doc.warnings[0] and "x 'oops'" in doc.warnings[0]


def test_only_a_bad_xml_id_is_forgiven(tmp_path: Path) -> None:
    """A numeric ``xml:id`` is read; a file that is also cut off is still refused as cut off."""
    f = tmp_path / "cut.xml"
    f.write_text('<ocr><p xml:id="4"><b><l><w x="1 2 3 4">a</w></l></b></p>', encoding="utf-8")
    with pytest.raises(BadResponse, match="cut off"):
        load_response(f)
    other = tmp_path / "other.xml"
    other.write_text('<root><item xml:id="1">x</item></root>', encoding="utf-8")
    with pytest.raises(BadResponse, match=r"root element 'root'.*MiniOCR"):
        load_response(other)


def test_the_converters_relative_output_with_unquoted_coordinates_and_nested_blocks() -> None:
    """solr-ocrhighlighting's own converter (util/miniocr.py) on an ALTO in mm10: relative coordinates
    written without quotes (``x=.5590 .3280 .1112 .0670``, no XML parser reads that), ``<b>`` nested in
    ``<b>``, a soft hyphen at a line's end. The page reads as the ALTO it came from: the same lines,
    each word at the same fraction of the page."""
    mini = SAMPLES / "dbmdz-miniocr-util-from-transkribus-alto-mm10.xml"
    assert b"<w x=.5590 .3280 .1112 .0670>very</w>" in mini.read_bytes()
    doc = load_response(mini)
    alto = load_response(SAMPLES / "ngxmime-transkribus-alto2-mm10-subs.xml")
    assert [ln.text for ln in doc.lines()] == [ln.text for ln in alto.lines()]
    assert [ln.text for ln in doc.lines()][1] == "nothing at all to our poli-"
    page, apage = doc.pages[0], alto.pages[0]
    assert (page.width, page.height, page.unit) == (1.0, 1.0, "normalized")
    for w, a in zip(doc.words(), alto.words(), strict=True):
        assert w.text == a.text
        rel = (a.bbox[0] / apage.width, a.bbox[1] / apage.height)  # type: ignore[operator]
        assert abs(w.bbox[0] - rel[0]) < 1e-3 and abs(w.bbox[1] - rel[1]) < 1e-3


def test_the_converters_output_of_a_tesseract_hocr_matches_the_hocr() -> None:
    """The converter on Tesseract 3.03 hOCR (hocr-tools' test file): pixels, ``xml:id="0"``, ``wh``;
    the 503 words sit where the hOCR puts them (three words the converter wrote empty, their text
    being in a ``<strong>`` it does not read, stay empty; a space it left out stays out)."""
    doc = load_response(SAMPLES / "dbmdz-miniocr-util-from-tesseract303-hocr.xml")
    hocr = load_response(SAMPLES / "hocrtools-tesseract303.hocr")
    assert (doc.pages[0].width, doc.pages[0].height, doc.pages[0].extras["id"]) == (2488, 3507, "0")
    got = [(w.text, w.bbox) for w in doc.words()]
    want = [(w.text, w.bbox) for w in hocr.words()]
    assert len(got) == len(want) == 503
    assert [g[1] for g in got] == [w[1] for w in want]
    assert [g for g, w in zip(got, want, strict=True) if g != w] == [
        ("", (1620, 1376, 1655, 1413)),
        ("", (1292, 1674, 1523, 1711)),
        ("", (609, 2269, 701, 2314)),
    ]
    # the lines read as the hOCR's but where the converter left a word's text or a space out
    lines = [(ln.text, h.text) for ln, h in zip(doc.lines(), hocr.lines(), strict=True)]
    assert [mini for mini, text in lines if mini != text] == [
        "There was nothing so VERY remarkable inthat; nor did Alice think it so",
        "quite natural); but when the Rabbit actually TOOK WATCH OUT OF",
        "just in time to see it pop down a large under the hedge.",
        "of the and noticed that they were ﬁlled with cupboards and book-",
    ]
    assert (len(list(doc.blocks())), len(lines)) == (8, 37)
