"""Every real response file parses; hand-checked counts and texts; shape variants give the same document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrviewer.core.model import Document
from ocrviewer.core.parsers import FORMATS, detect_format, load_response, parse_response

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "corpus"
SEEDS = DATA / "seeds"

RESPONSE_FILES = sorted(CORPUS.glob("*/*.json")) + sorted(SEEDS.glob("*.json"))

EXPECTED_FORMAT = {
    "textract-analyzedocument-paystub-header.json": "aws-textract",
    "batchread-v2.0-signage.json": "azure-batch-read-v2",
    "docintel-2021-09-30-preview-layout-testdata.json": "azure-document-intelligence",
    "formrecognizer-v2.1-iddocument-driverlicense.json": "azure-form-recognizer-v2",
    "formrecognizer-v2.1-layout-testdata.json": "azure-form-recognizer-v2",
    "imageanalysis-4.0-sample-allfeatures.json": "azure-image-analysis-4",
    "read-v3.2-signage.json": "azure-read-v3",
    "recognizetext-v2.0-signage.json": "azure-recognize-text-v2",
    "gcv2hocr-eng-test.json": "google-vision",
    "ocr-recognize-handwritten-ru-camelcase.json": "yandex-ocr-v1",
    "ocr-recognize-penguins-snakecase.json": "yandex-ocr-v1",
    "yandex-ocr-handwritten-hello-camelcase.json": "yandex-ocr-v1",
    "yandex-ocr-penguins-snakecase-alternatives.json": "yandex-ocr-v1",
    "azure-recognizetext-v2.0-quickstart.json": "azure-recognize-text-v2",
    "azure-batchread-v2.1-quickstart.json": "azure-batch-read-v2",
    "azure-read-v3.0-preview-quickstart.json": "azure-read-v3",
}


def load_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def texts(doc: Document) -> list[str]:
    return [w.text for w in doc.words()]


def test_every_response_file_is_covered() -> None:
    assert {p.name for p in RESPONSE_FILES} == set(EXPECTED_FORMAT)


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.name)
def test_every_response_file_parses(path: Path) -> None:
    doc = load_response(path)
    assert doc.source_format == EXPECTED_FORMAT[path.name]
    assert doc.source_format in FORMATS
    assert detect_format(load_json(path)) == doc.source_format
    assert doc.warnings == ()
    assert doc.pages and any(True for _ in doc.words())
    for word in doc.words():
        assert len(word.polygon) >= 3
        assert word.confidence is None or 0.0 <= word.confidence <= 1.0


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.name)
def test_a_file_and_its_json_give_the_same_document_and_the_callers_data_is_left_alone(path: Path) -> None:
    # load_response frees each part of the JSON tree it decoded once read; parse_response
    # gets the caller's data, which must come back as it was
    data = load_json(path)
    before = json.dumps(data, sort_keys=True)
    assert parse_response(data) == load_response(path)
    assert json.dumps(data, sort_keys=True) == before


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.name)
def test_round_trip_of_parsed_documents(path: Path) -> None:
    doc = load_response(path)
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again == doc


def test_normalized_export_loads_back(tmp_path: Path) -> None:
    doc = load_response(CORPUS / "azure/read-v3.2-signage.json")
    out = tmp_path / "doc.json"
    out.write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    assert detect_format(load_json(out)) == "ocrviewer"
    again = load_response(out)
    assert again.source_format == "ocrviewer"
    assert again.extras["exported_from"] == "azure-read-v3"
    assert again.pages == doc.pages
    assert load_response(out) == again
    out.write_text(json.dumps(again.to_dict()), encoding="utf-8")
    assert load_response(out) == again  # stable on a second round


@pytest.mark.parametrize(
    "name",
    [
        "azure/read-v3.2-signage.json",
        "azure/recognizetext-v2.0-signage.json",
        "azure/batchread-v2.0-signage.json",
    ],
)
def test_azure_signage_words(name: str) -> None:
    doc = load_response(CORPUS / name)
    assert texts(doc) == ["520", "WEST", "Seattle"]
    assert [ln.text for ln in doc.lines()] == ["520", "WEST", "Seattle"]
    assert doc.counts()["block"] == 1


def test_azure_read_v3_details() -> None:
    doc = load_response(CORPUS / "azure/read-v3.2-signage.json")
    page = doc.pages[0]
    assert (page.width, page.height, page.unit, page.angle) == (250.0, 258.0, "pixel", 2.2026)
    first = next(doc.words())
    assert isinstance(first.confidence, float)
    assert first.polygon[0] == (float(first.polygon[0][0]), float(first.polygon[0][1]))
    assert next(doc.lines()).extras.get("style") in {"other", "handwriting"}
    assert doc.extras.get("version") == "3.2.0"


def test_azure_batch_read_orientation_is_page_angle() -> None:
    doc = load_response(CORPUS / "azure/batchread-v2.0-signage.json")
    assert doc.pages[0].angle == 2.47


def test_azure_recognize_text_has_no_page_size() -> None:
    page = load_response(CORPUS / "azure/recognizetext-v2.0-signage.json").pages[0]
    assert page.width is None and page.height is None


def test_azure_low_label_kept_and_mapped() -> None:
    doc = load_response(SEEDS / "azure-batchread-v2.1-quickstart.json")
    comma = [w for w in doc.words() if w.text == ","]
    assert len(comma) == 1
    assert comma[0].confidence_label == "Low"
    assert comma[0].confidence == pytest.approx(0.3)
    others = [w for w in doc.words() if w.text != ","]
    assert all(w.confidence is None and w.confidence_label is None for w in others)
    assert doc.pages[0].angle == 349.59


def test_yandex_handwritten_camelcase() -> None:
    doc = load_response(CORPUS / "yandex/ocr-recognize-handwritten-ru-camelcase.json")
    assert texts(doc) == ["Привет,", "Мир!"]
    page = doc.pages[0]
    assert (page.width, page.height) == (241.0, 162.0)
    block = page.blocks[0]
    assert block.language == "ru"
    assert all(w.confidence is None for w in doc.words())
    assert page.extras["full_text"] == "Привет,\nМир!\n"


def test_yandex_penguins_alternatives_layout() -> None:
    doc = load_response(CORPUS / "yandex/ocr-recognize-penguins-snakecase.json")
    assert [ln.text for ln in doc.lines()] == ["PENGUINS", "CROSSING", "SLOW"]
    assert doc.counts() == {"page": 1, "block": 2, "line": 3, "word": 3, "table": 0}
    word = next(doc.words())
    # vertex order as given: TL, BL, BR, TR
    assert word.polygon == ((460.0, 768.0), (460.0, 830.0), (802.0, 830.0), (802.0, 768.0))
    assert [b.language for b in doc.blocks()] == ["en", "en"]


def test_google_test_page() -> None:
    doc = load_response(CORPUS / "google/gcv2hocr-eng-test.json")
    # hand-checked on the image: 5 blocks (one paragraph each) of 32 printed lines
    assert doc.counts() == {"page": 1, "block": 5, "line": 32, "word": 425, "table": 0}
    words = texts(doc)
    assert words[:3] == ["Optical", "character", "recognition"]
    assert next(doc.lines()).text == "Optical character recognition"
    assert (doc.pages[0].width, doc.pages[0].height) == (826.0, 1169.0)
    assert [len(b.lines) for b in doc.pages[0].blocks] == [1, 1, 10, 5, 15]
    third = doc.pages[0].blocks[2]
    assert [ln.text for ln in third.lines[:2]] == [
        "Optical character recognition (optical character reader, OCR) is the mechanical or electronic",
        "conversion of images of typed, handwritten or printed text into machine-encoded text, whether from",
    ]
    assert third.lines[9].text.endswith("OCR is a field of research in pattern recognition, artificial")
    assert doc.pages[0].blocks[4].lines[0].text == "History"
    # each line is boxed around its own words, one under the other
    assert third.lines[0].bbox == (79.0, 243.0, 727.0, 258.0)
    assert third.lines[1].bbox == (79.0, 266.0, 745.0, 281.0)
    assert all(ln.extras["paragraph"] == 3 for ln in third.lines)
    # the service's own text has one line per visual line
    full = load_json(CORPUS / "google/gcv2hocr-eng-test.json")["responses"][0]["fullTextAnnotation"]["text"]
    assert [ln.text for ln in doc.lines()] == full.splitlines()


def test_textract_paystub() -> None:
    doc = load_response(CORPUS / "aws/textract-analyzedocument-paystub-header.json")
    page = doc.pages[0]
    assert (page.width, page.height, page.unit) == (1.0, 1.0, "normalized")
    assert doc.counts() == {"page": 1, "block": 4, "line": 11, "word": 28, "table": 2}
    assert {b.layout_type for b in page.blocks} == {"LAYOUT_TEXT", "LAYOUT_KEY_VALUE"}
    assert "Earnings Statement" in [ln.text for ln in doc.lines()]
    co = next(doc.words())
    assert co.text == "CO."
    assert co.confidence == pytest.approx(0.8568397521972656)
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for w in doc.words() for x, y in w.polygon)
    table = page.tables[0]
    assert table.cells[0].row == 0 and table.cells[0].column == 0
    assert table.cells[0].text == "CO."


def test_driver_licence() -> None:
    doc = load_response(CORPUS / "azure/formrecognizer-v2.1-iddocument-driverlicense.json")
    assert doc.counts()["line"] == 22
    assert doc.counts()["word"] == 61
    lines = [ln.text for ln in doc.lines()]
    assert lines[:3] == ["WA", "USA WASHINGTON", "DRIVER LICENSE"]
    assert "document_results" in doc.extras


def test_form_recognizer_layout_and_document_intelligence_agree() -> None:
    v21 = load_response(CORPUS / "azure/formrecognizer-v2.1-layout-testdata.json")
    v3 = load_response(CORPUS / "azure/docintel-2021-09-30-preview-layout-testdata.json")
    assert [ln.text for ln in v21.lines()] == [ln.text for ln in v3.lines()]
    assert texts(v21) == texts(v3)
    assert v21.counts() == v3.counts() == {"page": 1, "block": 1, "line": 11, "word": 44, "table": 1}
    t21, t3 = v21.pages[0].tables[0], v3.pages[0].tables[0]
    assert (t21.rows, t21.columns) == (t3.rows, t3.columns) == (3, 2)
    assert [c.text for c in t21.cells] == [c.text for c in t3.cells]


def test_image_analysis_4() -> None:
    doc = load_response(CORPUS / "azure/imageanalysis-4.0-sample-allfeatures.json")
    assert [ln.text for ln in doc.lines()] == ["Sample text", "Hand writing", "123 456"]
    assert (doc.pages[0].width, doc.pages[0].height) == (864.0, 576.0)
    assert all(w.confidence is not None for w in doc.words())


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.name)
def test_fast_decoder_and_standard_library_agree(path: Path) -> None:
    assert load_response(path) == parse_response(json.loads(path.read_bytes()))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_byte_order_mark_and_utf16_files_load(tmp_path: Path, encoding: str) -> None:
    source = CORPUS / "yandex/ocr-recognize-handwritten-ru-camelcase.json"
    path = tmp_path / f"resp-{encoding}.json"
    path.write_text(source.read_text(encoding="utf-8"), encoding=encoding)
    assert load_response(path) == load_response(source)


def test_old_orjson_is_not_used() -> None:
    from ocrviewer.core.parsers import _orjson_usable

    assert not _orjson_usable("3.8.3")
    assert _orjson_usable("3.10.0") and _orjson_usable("3.13.0") and _orjson_usable("4.0")
    assert not _orjson_usable("unknown")


def test_fast_constructors_make_ordinary_model_objects() -> None:
    import copy
    import pickle
    from dataclasses import dataclass, replace

    from ocrviewer.core.model import (
        _LINE_FIELDS,
        _WORD_FIELDS,
        Line,
        Word,
        _fast_constructor,
        make_line,
        make_word,
    )

    # the hot path is taken, and words carry no per-object __dict__ (one GC-tracked object each)
    assert _fast_constructor(Word, _WORD_FIELDS) and _fast_constructor(Line, _LINE_FIELDS)
    poly = ((0.0, 0.0), (2.0, 0.0), (2.0, 1.0))
    word = make_word("hi", poly, 0.5, None, "en", {"k": 1})
    assert word == Word("hi", poly, 0.5, None, "en", {"k": 1})
    assert not hasattr(word, "__dict__")
    assert make_word("hi", poly).extras == {}
    assert replace(word, text="ho").text == "ho"
    assert pickle.loads(pickle.dumps(word)) == word == copy.deepcopy(word)
    line = make_line("hi", poly, (word,))
    assert line == Line("hi", poly, (word,))
    assert Line.from_dict(line.to_dict()) == line

    @dataclass(frozen=True)
    class Other:
        text: str
        extra: int = 0

    assert not _fast_constructor(Other, ("text",))


def test_load_response_lets_the_parser_free_the_json_it_decoded(monkeypatch) -> None:
    # the speed of a big Yandex response depends on it (the GC walked the whole tree twice a parse)
    from ocrviewer.core.parsers import yandex
    from ocrviewer.core.parsers._common import OWNED_INPUT

    path = next(p for p in RESPONSE_FILES if EXPECTED_FORMAT[p.name] == "yandex-ocr-v1")
    seen: list[bool] = []
    block = yandex._block
    monkeypatch.setattr(
        yandex, "_block", lambda b, where, ctx: (seen.append(OWNED_INPUT.get()), block(b, where, ctx))[1]
    )
    load_response(path)
    assert seen and all(seen)
    seen.clear()
    parse_response(load_json(path))  # the caller's data: left alone
    assert seen and not any(seen)


def test_service_parsers_load_only_for_a_service_response(tmp_path: Path) -> None:
    """An ocrviewer.document/1 export (the viewer's bundled sample) is read without importing the
    service parsers (they cost the first frame ~3 ms); a service response and an unknown shape in
    the same process still get them, and the same messages."""
    import subprocess
    import sys

    export = tmp_path / "doc.json"
    export.write_text(json.dumps(load_response(CORPUS / "azure" / "read-v3.2-signage.json").to_dict()))
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"foo": 1}')
    code = f"""
import sys
from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse
services = ("azure", "google", "textract", "yandex")
loaded = lambda: [n for n in services if "ocrviewer.core.parsers." + n in sys.modules]
doc = load_response({str(export)!r})
print(doc.source_format, loaded())
print(load_response({str(CORPUS / "azure" / "read-v3.2-signage.json")!r}).source_format, loaded())
try:
    load_response({str(unknown)!r})
except BadResponse as err:
    print(err)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "ocrviewer []"
    assert lines[1] == "azure-read-v3 ['azure', 'google', 'textract', 'yandex']"
    assert lines[2].endswith(
        "unknown response shape: top-level keys foo; expected a Yandex, Azure, Google, Textract, docTR, EasyOCR or PaddleOCR response"
    )
