"""The window opens hOCR, ALTO and PAGE-XML like any response, and Save Result offers them and the PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ocrviewer.core.formats import read_markup
from ocrviewer.gui import files as files_module
from ocrviewer.gui.files import SAVE_FILTERS, save_target
from tests.support.images import draw_displayed, layout_words
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import assert_valid, run_tesseract

LINES = ["Hello world", "Searchable text layer"]


@pytest.fixture
def tess_page(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    words, size = layout_words(LINES, font_size=40)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image)
    return image, {k: run_tesseract(image, tmp_path / "page", k) for k in ("hocr", "alto")}


@pytest.mark.parametrize("kind", ["hocr", "alto"])
def test_tesseract_output_opens_on_its_image(window, qtbot, tess_page, kind: str) -> None:
    image, files = tess_page
    window.files.open_image(str(image))
    window.files.open_path(str(files[kind]))  # by content: .hocr / .xml are responses, not images
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    expected = [w.bbox for w in read_markup(files[kind].read_bytes()).words()]
    layer = window.canvas.layers["word"].data
    assert len(layer.bboxes) == len(expected) == 5
    for got, want in zip(layer.bboxes, expected, strict=True):
        assert all(abs(a - b) < 1 for a, b in zip(got, want, strict=True))
    assert "5 words" in window.count_label.text()


def test_page_ground_truth_opens_on_its_image(window, qtbot, tmp_path: Path) -> None:
    for name in ("prima-SimplePage-2017.xml", "prima-SimplePage.png"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    window.files.open_image(str(tmp_path / "prima-SimplePage.png"))
    window.files.open_response(str(tmp_path / "prima-SimplePage-2017.xml"))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    assert window.state.source_document.source_format == "page-2017-07-15"
    assert len(window.canvas.layers["block"].data.bboxes) == 12
    assert not window.message_bar.isVisible() or window.message_bar.level != "error"


def test_save_result_offers_the_formats(
    loaded, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def fake_dialog(parent, title, start, filters):  # type: ignore[no-untyped-def]
        seen.append(";;".join(filters))
        return str(tmp_path / "result"), "ALTO XML (*.alto.xml)"

    monkeypatch.setattr(files_module, "ask_save_path", fake_dialog)
    loaded.dialogs.choose_save()
    assert seen and all(
        f in seen[0] for f in ("hOCR (*.hocr)", "ALTO XML", "PAGE-XML", "Searchable PDF (*.pdf)")
    )
    out = tmp_path / "result.alto.xml"
    qtbot.waitUntil(out.exists, timeout=30000)
    assert_valid(out.read_bytes(), "alto-4-4")
    assert [w.text for w in read_markup(out.read_bytes()).words()] == [
        w.text for w in loaded.state.document.words()
    ]


def test_save_as_searchable_pdf_and_page(loaded, qtbot, tmp_path: Path) -> None:
    pdf_path = tmp_path / "view.pdf"
    loaded.files.save_as(*save_target(str(pdf_path), "ocrviewer result (*.json)"))  # the name decides
    page_path, fmt = save_target(str(tmp_path / "gt.xml"), "PAGE-XML (*.page.xml)")
    assert fmt == "page"
    qtbot.waitUntil(pdf_path.exists, timeout=30000)
    loaded.files.save_as(page_path, fmt)
    qtbot.waitUntil(Path(page_path).exists, timeout=30000)
    assert_valid(Path(page_path).read_bytes(), "pagecontent-2019-07-15")
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert text.split() == [w.text for w in loaded.state.document.words()]


def test_save_as_never_writes_over_an_input(loaded, qtbot) -> None:
    image = loaded.state.image_path
    before = Path(image).read_bytes()
    loaded.files.save_as(image, "pdf")
    qtbot.waitUntil(lambda: loaded.message_bar.level == "error", timeout=30000)
    assert "input file" in loaded.message_bar.text and Path(image).read_bytes() == before


def test_save_filters_name_every_format() -> None:
    assert sorted(SAVE_FILTERS.values()) == ["alto", "hocr", "json", "page", "pdf"]


def test_dropping_an_image_with_its_hocr_places_it(window, qtbot, tess_page) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    image, files = tess_page
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(files["hocr"])), QUrl.fromLocalFile(str(image))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    assert window.state.image_path == str(image)
    assert window.state.source_document.source_format == "hocr"


def test_save_as_page_xml_of_two_pages_needs_and_follows_a_page_pattern(
    loaded, qtbot, tmp_path: Path
) -> None:
    from ocrviewer.core.frames import FrameTransform
    from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox

    pages = []
    for i, text in enumerate(["first", "second"]):
        box = polygon_from_bbox(10, 10, 110, 40)
        pages.append(Page(640.0, 480.0, (Block(box, (Line(text, box, (Word(text, box, 0.9),)),)),), index=i))
    loaded.state.set_response(Document(tuple(pages)), FrameTransform.identity(640, 480))
    qtbot.waitUntil(
        lambda: loaded.state.document is not None and len(loaded.state.document.pages) == 2, timeout=30000
    )
    single = tmp_path / "gt.page.xml"
    loaded.files.save_as(str(single), "page")
    qtbot.waitUntil(lambda: loaded.message_bar.level == "error", timeout=30000)
    assert "{page}" in loaded.message_bar.text and not single.exists()
    loaded.files.save_as(str(tmp_path / "gt-{page}.page.xml"), "page")
    second = tmp_path / "gt-2.page.xml"
    qtbot.waitUntil(second.exists, timeout=30000)
    for i, text in ((1, "first"), (2, "second")):
        raw = (tmp_path / f"gt-{i}.page.xml").read_bytes()
        assert_valid(raw, "pagecontent-2019-07-15")
        assert [w.text for w in read_markup(raw).words()] == [text]


def test_tesseract_tsv_opens_by_content_and_is_offered(window, qtbot, tmp_path: Path) -> None:
    """A TSV dropped (or picked from Recent) is a response, not an image; Open Response lists *.tsv."""
    from ocrviewer.core.loading import is_response_path
    from ocrviewer.gui.files import RESPONSE_FILTER

    words, size = layout_words(LINES, font_size=40)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text", font_size=40).save(image)
    tsv = run_tesseract(image, tmp_path / "page", "tsv")
    assert "*.tsv" in RESPONSE_FILTER.split(";;")[0] and is_response_path(str(tsv))
    window.files.open_image(str(image))
    window.files.open_path(str(tsv))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    assert window.state.source_document.source_format == "tesseract-tsv"
    assert len(window.canvas.layers["word"].data.bboxes) == 5
    assert "5 words" in window.count_label.text()


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("kraken-invalid-unit-alto4-excerpt.xml", "MeasurementUnit 'mm'"),
        ("prima-draft-2009-pcgts.xml", "2009 draft layout"),
    ],
)
def test_a_real_file_that_cannot_be_read_is_one_error_line(
    window, qtbot, tmp_path: Path, name: str, match: str
) -> None:
    image = tmp_path / "page.png"
    words, size = layout_words(LINES, font_size=40)
    draw_displayed(words, size, style="text", font_size=40).save(image)
    window.files.open_image(str(image))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    window.files.open_response(str(SAMPLES / name))
    qtbot.waitUntil(lambda: window.message_bar.level == "error", timeout=30000)
    assert match in window.message_bar.text and "\n" not in window.message_bar.text.strip()
    assert window.state.document is None


def test_transkribus_table_opens_with_its_cells_drawn(window, qtbot, tmp_path: Path) -> None:
    """A Transkribus PAGE table (TableRegion/TableCell/TextLine) on its image: the cells' lines are drawn
    and the table is on the tables layer (synthetic in Transkribus' layout)."""
    from PIL import Image

    from tests.core.test_formats_real_more import _TRANSKRIBUS_TABLE

    image = tmp_path / "t.png"
    Image.new("L", (1000, 800), 255).save(image)
    xml = tmp_path / "t.xml"
    xml.write_text(_TRANSKRIBUS_TABLE.format(order=""), encoding="utf-8")
    window.files.open_image(str(image))
    window.files.open_response(str(xml))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    assert len(window.canvas.layers["line"].data.bboxes) == 3
    assert len(window.canvas.layers["table"].data.bboxes) >= 1
    assert not window.message_bar.isVisible() or window.message_bar.level != "error"


@pytest.mark.parametrize(
    ("name", "size", "counts"),
    [
        # (file, its page size, (blocks, lines, words) drawn)
        ("pero-ocr-czech-lines-page2019.xml", (4132, 5848), (15, 30, 0)),
        ("eynollah-marginalia-layout-page2019.xml", (800, 1376), (17, 50, 0)),
        ("hocrjs-tesseract305-em-lang.html", (1688, 2904), (4, 37, 245)),
        ("altoxml-bnf-dialect-excerpt.xml", (4882, 7305), (6, 32, 109)),
    ],
)
def test_other_producers_files_open_on_their_page(
    window, qtbot, tmp_path: Path, name: str, size: tuple[int, int], counts: tuple[int, int, int]
) -> None:
    """PERO OCR and eynollah PAGE, Tesseract 3.05 hOCR and the BnF's ALTO, opened on a page of their
    size: every block, line and word is drawn where the file puts it, and nothing is reported wrong."""
    from PIL import Image

    image = tmp_path / "page.png"
    Image.new("L", size, 255).save(image)
    window.files.open_image(str(image))
    window.files.open_response(str(SAMPLES / name))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    doc = read_markup((SAMPLES / name).read_bytes())
    drawn = [window.canvas.layers[k].data.bboxes for k in ("block", "line", "word")]
    assert tuple(len(b) for b in drawn) == counts
    for got, want in zip(drawn[1], [x.bbox for x in doc.lines()], strict=True):
        assert all(abs(a - b) < 1 for a, b in zip(got, want, strict=True))
    assert f"{counts[2]} words" in window.count_label.text() or counts[2] == 0
    assert not window.message_bar.isVisible() or window.message_bar.level != "error"


def test_a_result_with_no_words_says_so_in_the_window(window, qtbot, tmp_path: Path) -> None:
    from tests.support.images import make_text_image

    image = make_text_image(tmp_path / "blank.jpg")
    hocr = tmp_path / "blank.hocr"
    hocr.write_text(
        '<html><head><meta charset="utf-8"></head><body>'
        '<div class="ocr_page" title="bbox 0 0 640 480"></div></body></html>',
        encoding="utf-8",
    )
    window.files.open_image(str(image))
    window.files.open_response(str(hocr))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    qtbot.waitUntil(window.message_bar.isVisible, timeout=30000)
    assert window.message_bar.text == "blank.hocr has no text: its engine found no words here"
    assert window.message_bar.level == "info"


def test_miniocr_with_relative_coordinates_opens_on_its_image(window, qtbot, tmp_path: Path) -> None:
    """MiniOCR without a page size: the words' fractions of the page land on the image's pixels."""
    from PIL import Image

    image = tmp_path / "page.png"
    Image.new("L", (1000, 1500), 255).save(image)
    response = tmp_path / "page.miniocr"  # the converter's suffix: told by its content
    shutil.copy(SAMPLES / "dbmdz-miniocr-nopagedims-excerpt.xml", response)
    window.files.open_image(str(image))
    window.files.open_path(str(response))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    assert window.state.source_document.source_format == "miniocr"
    bboxes = window.canvas.layers["word"].data.bboxes
    assert len(bboxes) == 268
    assert all(abs(a - b) < 0.5 for a, b in zip(bboxes[0], (41.2, 343.2, 230.9, 440.4), strict=True))
    assert "268 words" in window.count_label.text()
