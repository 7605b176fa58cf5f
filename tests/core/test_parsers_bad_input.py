"""Bad input: one-line BadResponse messages naming the file and the problem; bad elements skipped with a warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.core.parsers import load_response, parse_response
from ocrviewer.errors import BadResponse

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def azure_v3() -> dict[str, Any]:
    return load_json(CORPUS / "azure/read-v3.2-signage.json")


def yandex() -> dict[str, Any]:
    return load_json(CORPUS / "yandex/ocr-recognize-penguins-snakecase.json")


def error_of(path: Path) -> str:
    with pytest.raises(BadResponse) as info:
        load_response(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_not_json_names_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "resp.json"
    path.write_text('{\n  "status": "succeeded",\n  oops\n}\n')
    message = error_of(path)
    assert "not JSON (line 3 column 3:" in message
    assert "give the response file" in message


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(azure_v3())[:300])
    message = error_of(path)  # 'not JSON' said the file was something else; it is JSON cut short
    assert "JSON that stops before its end (line 1 column 301" in message and "cut off" in message
    assert "not JSON" not in message


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.json"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\xff\xfe")
    assert "not JSON" in error_of(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("  \n")
    assert "the file is empty" in error_of(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "no such response file" in error_of(tmp_path / "nope.json")
    assert "is a directory" in error_of(tmp_path)


def test_nested_too_deeply(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    assert "nested too deeply" in error_of(path)


def test_unknown_shape_lists_top_level_keys(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"c": 1, "a": [], "b": {}}))
    message = error_of(path)
    assert message.endswith(
        "unknown response shape: top-level keys a, b, c; expected a Yandex, Azure, Google, Textract, docTR, EasyOCR or PaddleOCR response"
    )


@pytest.mark.parametrize(
    ("value", "kind"),
    [(3, "a number"), ("text", "a string"), (None, "null"), ([], "an empty array"), ([1], "item 1")],
)
def test_unknown_top_level_values(value: Any, kind: str) -> None:
    with pytest.raises(BadResponse, match=f"unknown response shape: {kind}"):
        parse_response(value)


def test_service_error_bodies() -> None:
    with pytest.raises(BadResponse, match=r"service error \(16: Unauthenticated\)"):
        parse_response({"code": 16, "message": "Unauthenticated", "details": []})
    with pytest.raises(BadResponse, match="Yandex operation is not done"):
        parse_response({"id": "abc", "done": False, "createdAt": "2024-01-01T00:00:00Z"})
    with pytest.raises(BadResponse, match="status 'failed'"):
        parse_response({"status": "failed"})


def test_mixed_json_lines() -> None:
    with pytest.raises(BadResponse, match="mix formats"):
        parse_response([yandex(), azure_v3()])


def test_word_polygon_with_two_points_is_skipped_and_reported() -> None:
    data = azure_v3()
    lines = data["analyzeResult"]["readResults"][0]["lines"]
    lines[1]["words"][0]["boundingBox"] = [1, 2, 3, 4]
    doc = parse_response(data)
    assert [w.text for w in doc.words()] == ["520", "Seattle"]
    assert doc.warnings == ("page 1 line 2 word 1: polygon has 2 points; skipped",)
    assert [ln.text for ln in doc.lines()] == ["520", "WEST", "Seattle"]


def test_yandex_word_with_two_vertices_is_skipped() -> None:
    data = yandex()
    word = data["result"]["text_annotation"]["blocks"][0]["lines"][1]["alternatives"][0]["words"][0]
    word["bounding_box"]["vertices"] = word["bounding_box"]["vertices"][:2]
    doc = parse_response(data)
    assert [w.text for w in doc.words()] == ["PENGUINS", "SLOW"]
    assert doc.warnings == ("page 1 block 1 line 2 word 1: polygon has 2 points; skipped",)


def test_bad_line_polygon_falls_back_to_the_box_of_its_words() -> None:
    data = azure_v3()
    line = data["analyzeResult"]["readResults"][0]["lines"][0]
    line["boundingBox"] = [0, 0, "x", 1, 2, 2, 3, 3]
    doc = parse_response(data)
    assert [ln.text for ln in doc.lines()] == ["520", "WEST", "Seattle"]
    first = next(doc.lines())
    assert first.bbox == first.words[0].bbox
    assert doc.warnings == ("page 1 line 1: coordinate is not a number: 'x'; used the box around its words",)


def test_bad_line_without_words_is_skipped() -> None:
    data = azure_v3()
    line = data["analyzeResult"]["readResults"][0]["lines"][0]
    line["boundingBox"] = [0, 0, 1, 1]
    del line["words"]
    doc = parse_response(data)
    assert [ln.text for ln in doc.lines()] == ["WEST", "Seattle"]
    assert doc.warnings == ("page 1 line 1: polygon has 2 points; skipped",)


def test_bad_yandex_block_polygon_keeps_its_lines() -> None:
    data = yandex()
    data["result"]["text_annotation"]["blocks"][0]["bounding_box"]["vertices"] = []
    doc = parse_response(data)
    assert [ln.text for ln in doc.lines()] == ["PENGUINS", "CROSSING", "SLOW"]
    assert doc.warnings == ("page 1 block 1: polygon has 0 points; used the box around its lines",)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "12abc", None, {"x": 1}, [1]])
def test_bad_coordinates_skip_the_word(bad: Any) -> None:
    data = azure_v3()
    data["analyzeResult"]["readResults"][0]["lines"][2]["words"][0]["boundingBox"][3] = bad
    doc = parse_response(data)
    assert [w.text for w in doc.words()] == ["520", "WEST"]
    (warning,) = doc.warnings
    assert warning.startswith("page 1 line 3 word 1: ") and warning.endswith("; skipped")


def test_string_that_is_not_a_number_in_yandex_vertex() -> None:
    data = yandex()
    word = data["result"]["text_annotation"]["blocks"][1]["lines"][0]["alternatives"][0]["words"][0]
    word["bounding_box"]["vertices"][2]["x"] = "seven"
    doc = parse_response(data)
    assert [w.text for w in doc.words()] == ["PENGUINS", "CROSSING"]
    assert doc.warnings == ("page 1 block 2 line 1 word 1: coordinate is not a number: 'seven'; skipped",)


@pytest.mark.parametrize(
    ("width", "message"),
    [
        (float("nan"), "page 1: width is not finite"),
        (-250, "page 1: width is negative"),
        ("wide", "page 1: width is not a number"),
    ],
)
def test_bad_page_size_is_a_page_error(width: Any, message: str) -> None:
    data = azure_v3()
    data["analyzeResult"]["readResults"][0]["width"] = width
    with pytest.raises(BadResponse, match=message):
        parse_response(data)


def test_nan_page_size_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(yandex()).replace('"width": "1920"', '"width": NaN'))
    assert "page 1: width is not finite" in error_of(path)


def test_zero_page_size_is_unknown_with_a_warning() -> None:
    data = yandex()
    data["result"]["text_annotation"]["width"] = "0"
    doc = parse_response(data)
    assert doc.pages[0].width is None
    assert doc.warnings == ("page 1: width is 0; treated as unknown",)


def test_wrong_types_in_containers_are_bad_response() -> None:
    data = azure_v3()
    data["analyzeResult"]["readResults"] = {"page": 1}
    with pytest.raises(BadResponse, match="readResults is not a list"):
        parse_response(data)


def test_textract_bad_word_geometry_is_skipped() -> None:
    data = load_json(CORPUS / "aws/textract-analyzedocument-paystub-header.json")
    word = next(b for b in data["Blocks"] if b["BlockType"] == "WORD")
    word["Geometry"]["Polygon"] = word["Geometry"]["Polygon"][:2]
    doc = parse_response(data)
    assert doc.counts()["word"] == 27
    assert len(doc.warnings) == 1 and "polygon has 2 points; skipped" in doc.warnings[0]


def test_input_file_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "resp.json"
    raw = json.dumps(azure_v3()).encode()
    path.write_bytes(raw)
    mtime = path.stat().st_mtime_ns
    load_response(path)
    assert path.read_bytes() == raw and path.stat().st_mtime_ns == mtime


def test_bad_normalized_document(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(
        json.dumps({"schema": "ocrviewer.document/1", "pages": [{"blocks": [{"polygon": [[0, 0]]}]}]})
    )
    assert "block has 1 points" in error_of(path)
    path.write_text(json.dumps({"schema": "ocrviewer.document/9", "pages": []}))
    assert "unsupported document schema 'ocrviewer.document/9'" in error_of(path)


def test_json_lines_with_a_bad_line_names_that_line(tmp_path: Path) -> None:
    path = tmp_path / "result.jsonl"
    page = json.dumps(yandex())
    path.write_text(f"{page}\n{page}\n{{broken\n")
    message = error_of(path)
    assert "not JSON Lines (line 3 column 2:" in message


def test_element_of_the_wrong_type_is_named() -> None:
    data = azure_v3()
    data["analyzeResult"]["readResults"][0]["lines"][1]["words"][0] = "WEST"
    doc = parse_response(data)
    assert doc.warnings == ("page 1 line 2 word 1: not an object (a string); skipped",)


def test_many_bad_elements_are_counted_not_listed() -> None:
    data = azure_v3()
    line = data["analyzeResult"]["readResults"][0]["lines"][0]
    line["words"] = [{"text": str(i), "boundingBox": [0, 0, 1, 1]} for i in range(500)]
    doc = parse_response(data)
    assert len(doc.warnings) == 201
    assert doc.warnings[0] == "page 1 line 1 word 1: polygon has 2 points; skipped"
    assert doc.warnings[-1] == "... and 300 more problems like these"
    assert [w.text for w in doc.words()] == ["WEST", "Seattle"]


def test_google_error_response_reports_the_service_message(tmp_path: Path) -> None:
    path = tmp_path / "google.json"
    path.write_text(json.dumps({"responses": [{"error": {"code": 3, "message": "Bad image data."}}]}))
    message = error_of(path)
    assert message == (
        f"{path}: the response is a Google Vision error: 3 INVALID_ARGUMENT Bad image data.; "
        "fix the request and run it again"
    )
    two = {"responses": [{"error": {"code": 7, "message": "No\npermission"}}] * 2}
    with pytest.raises(BadResponse) as info:
        parse_response(two)
    assert str(info.value) == (
        "the response is a Google Vision error: 7 PERMISSION_DENIED No permission "
        "(and 1 more responses with errors); fix the request and run it again"
    )


def test_google_batch_with_one_failed_image_keeps_the_others() -> None:
    good = load_json(CORPUS / "google/gcv2hocr-eng-test.json")["responses"][0]
    data = {"responses": [good, {"error": {"code": 3, "message": "Bad image data."}}]}
    doc = parse_response(data)
    assert len(doc.pages) == 2
    assert doc.pages[0].blocks and doc.pages[1].blocks == ()
    assert doc.warnings == (
        "page 2: Google Vision error: 3 INVALID_ARGUMENT Bad image data.; no text for this page",
    )


@pytest.mark.parametrize("angle", [float("nan"), float("inf"), "tilted", [2]])
def test_bad_page_angle_is_dropped_with_a_warning(angle: Any) -> None:
    data = azure_v3()
    data["analyzeResult"]["readResults"][0]["angle"] = angle
    doc = parse_response(data)
    assert doc.pages[0].angle is None
    assert [ln.text for ln in doc.lines()] == ["520", "WEST", "Seattle"]
    (warning,) = doc.warnings
    assert warning.startswith("page 1: angle is not ") and warning.endswith("; the page angle is left out")


def test_nan_page_angle_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "nan-angle.json"
    di = load_json(CORPUS / "azure/docintel-2021-09-30-preview-layout-testdata.json")
    di["analyzeResult"]["pages"][0]["angle"] = "@NAN@"
    path.write_text(json.dumps(di).replace('"@NAN@"', "NaN"))
    doc = load_response(path)
    assert doc.pages[0].angle is None and doc.counts()["word"] == 44
    assert doc.warnings == ("page 1: angle is not finite: nan; the page angle is left out",)


def test_nan_appearance_style_confidence_keeps_the_line(tmp_path: Path) -> None:
    data = azure_v3()
    line = data["analyzeResult"]["readResults"][0]["lines"][0]
    line["appearance"]["style"]["confidence"] = "@NAN@"
    path = tmp_path / "nan-style.json"
    path.write_text(json.dumps(data).replace('"@NAN@"', "NaN"))
    doc = load_response(path)
    assert [ln.text for ln in doc.lines()] == ["520", "WEST", "Seattle"]
    assert [w.text for w in doc.words()] == ["520", "WEST", "Seattle"]
    first = next(doc.lines())
    assert first.extras["style"] == line["appearance"]["style"]["name"]
    assert "style_confidence" not in first.extras
    assert doc.warnings == (
        "page 1 line 1 appearance style: confidence is not finite: nan; kept without a confidence",
    )


@pytest.mark.parametrize(
    ("value", "warning"),
    [
        (57, "confidence 57 is outside 0..1"),
        (-1, "confidence -1 is outside 0..1"),
        ("57", "confidence '57' is outside 0..1"),
        ("abc", None),  # a label, as recognizeText's "Low": kept as the label
        (float("inf"), "confidence is not finite: inf"),
    ],
)
def test_out_of_range_azure_word_confidence_is_reported_not_clamped(value: Any, warning: str | None) -> None:
    data = azure_v3()
    data["analyzeResult"]["readResults"][0]["lines"][1]["words"][0]["confidence"] = value
    doc = parse_response(data)
    assert [w.text for w in doc.words()] == ["520", "WEST", "Seattle"]
    west = doc.pages[0].blocks[0].lines[1].words[0]
    assert west.confidence is None
    if warning is None:
        assert west.confidence_label == "abc" and doc.warnings == ()
    else:
        assert west.confidence_label is None
        assert doc.warnings == (f"page 1 line 2 word 1: {warning}; kept without a confidence",)


def test_rounding_past_one_is_not_a_bad_confidence() -> None:
    data = azure_v3()
    data["analyzeResult"]["readResults"][0]["lines"][1]["words"][0]["confidence"] = 1.0000001
    data["analyzeResult"]["readResults"][0]["lines"][2]["words"][0]["confidence"] = 1
    doc = parse_response(data)
    assert [w.confidence for w in doc.words()][1:] == [1.0, 1.0]
    assert doc.warnings == ()


def test_textract_percent_confidence_is_scaled_and_out_of_range_reported() -> None:
    data = load_json(CORPUS / "aws/textract-analyzedocument-paystub-header.json")
    words = [b for b in data["Blocks"] if b["BlockType"] == "WORD"]
    words[0]["Confidence"] = 57
    words[1]["Confidence"] = 101
    words[2]["Confidence"] = -1
    doc = parse_response(data)
    conf = {w.text: w.confidence for w in doc.words()}
    assert doc.counts()["word"] == 28
    assert conf[words[0]["Text"]] == pytest.approx(0.57)
    assert conf[words[1]["Text"]] is None and conf[words[2]["Text"]] is None
    assert len(doc.warnings) == 2
    assert doc.warnings[0].endswith("confidence 101 is outside 0..100; kept without a confidence")
    assert doc.warnings[1].endswith("confidence -1 is outside 0..100; kept without a confidence")


def test_google_and_document_intelligence_bad_confidences_keep_the_word() -> None:
    google = load_json(CORPUS / "google/gcv2hocr-eng-test.json")
    page = google["responses"][0]["fullTextAnnotation"]["pages"][0]
    page["blocks"][0]["paragraphs"][0]["words"][0]["confidence"] = 57
    page["confidence"] = -0.5
    doc = parse_response(google)
    assert doc.counts()["word"] == 425
    assert next(doc.words()).confidence is None
    assert "confidence" not in doc.pages[0].extras
    assert doc.warnings == (
        "page 1 block 1 paragraph 1 word 1: confidence 57 is outside 0..1; kept without a confidence",
        "page 1: confidence -0.5 is outside 0..1; kept without a confidence",
    )
    di = load_json(CORPUS / "azure/docintel-2021-09-30-preview-layout-testdata.json")
    di["analyzeResult"]["pages"][0]["words"][0]["confidence"] = "high"
    doc = parse_response(di)
    assert doc.counts()["word"] == 44
    assert doc.warnings == ("page 1 word 1: confidence is not a number: 'high'; kept without a confidence",)


@pytest.mark.parametrize("zero", [0, "0", 0.0])
def test_zero_width_and_height_are_both_reported(zero: Any) -> None:
    data = yandex()
    data["result"]["text_annotation"]["width"] = zero
    data["result"]["text_annotation"]["height"] = zero
    doc = parse_response(data)
    assert (doc.pages[0].width, doc.pages[0].height) == (None, None)
    assert doc.warnings == (
        "page 1: width is 0; treated as unknown",
        "page 1: height is 0; treated as unknown",
    )
    vision = {"results": [{"results": [{"textDetection": {"pages": [{"width": zero, "height": zero}]}}]}]}
    assert parse_response(vision).warnings == doc.warnings


# -- what is wrong with a Tesseract TSV, and other text formats cut short -------------------------------
_TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\twords_num\tleft\ttop\twidth\theight\tconf\ttext"
TSV_HEADER = _TSV_HEADER.replace("words_num", "word_num")


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        # rows there, each with too few columns: 'without rows' said there were none
        ("1\t1\t0\t0\t0\n5\t1\t1\n", ("2 row(s) cannot be read", "row 2: 5 columns, not 12", "unchanged")),
        # numbers that are not numbers
        (
            "1\t1\t0\t0\t0\t0\tx\ty\tw\th\t-1\t\n5\t1\t1\t1\t1\t1\ta\tb\tc\td\t90\tword\n",
            ("2 row(s) cannot be read", "not numbers where numbers belong"),
        ),
        # only the header: Tesseract found nothing, or the file was cut after it
        ("", ("its header and no rows", "found no text")),
        # readable rows, but no page, line or word
        ("2\t1\t1\t0\t0\t0\t0\t0\t10\t10\t-1\t\n", ("1 row(s) but no page, line or word",)),
    ],
)
def test_a_bad_tesseract_tsv_says_what_is_wrong(tmp_path: Path, body: str, needles: tuple[str, ...]) -> None:
    path = tmp_path / "page.tsv"
    path.write_text(TSV_HEADER + "\n" + body)
    message = error_of(path)
    assert "without rows" not in message
    for needle in needles:
        assert needle in message, (needle, message)


def test_a_tsv_header_cut_short_names_the_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "page.tsv"
    path.write_text(TSV_HEADER.rsplit("\twidth", 1)[0] + "\n")
    message = error_of(path)
    assert "stops after 'top'" in message and "width, height, conf, text" in message and "cut off" in message


@pytest.mark.parametrize(
    ("name", "text"), [("people.tsv", "name\tage\tcity\nbob\t3\tparis\n"), ("a.csv", "a,b\n1,2\n")]
)
def test_another_programs_table_is_not_called_not_json(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    message = error_of(path)
    assert (
        "not JSON" not in message
        and "not Tesseract's TSV header" in message
        and "tesseract IMAGE OUT tsv" in message
    )


@pytest.mark.parametrize(
    "sample", ["dinglehopper-tesseract41-alto3.xml", "dinglehopper-calamari-excerpt-page2019.xml"]
)
@pytest.mark.parametrize("share", [0.3, 0.7, 0.95])
def test_alto_and_page_cut_short_say_so(tmp_path: Path, sample: str, share: float) -> None:
    raw = (CORPUS.parent / "formats" / sample).read_bytes()
    path = tmp_path / sample
    path.write_bytes(raw[: int(len(raw) * share)])
    message = error_of(path)
    assert "stops before its end" in message and "cut off" in message, message


def test_hocr_cut_short_opens_what_it_has_with_a_warning(tmp_path: Path) -> None:
    """hOCR is read as lenient HTML, so a cut-off file opened as a smaller result with no word of it."""
    raw = (CORPUS.parent / "formats" / "hocrtools-tesseract303.hocr").read_bytes()
    path = tmp_path / "cut.hocr"
    path.write_bytes(raw[: len(raw) // 2])
    doc = load_response(path)
    assert (
        0
        < doc.counts()["word"]
        < load_response(CORPUS.parent / "formats" / "hocrtools-tesseract303.hocr").counts()["word"]
    )
    assert any("stops before its </html>" in w for w in doc.warnings)
    whole = tmp_path / "whole.hocr"
    whole.write_bytes(raw)
    assert not any("</html>" in w for w in load_response(whole).warnings)


def test_json_lines_with_a_cut_off_last_line_say_so(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    line = json.dumps(azure_v3())
    path.write_text(line + "\n" + line + "\n" + line[:200])
    message = error_of(path)
    assert "last line stops before its end (line 3" in message and "cut off" in message
