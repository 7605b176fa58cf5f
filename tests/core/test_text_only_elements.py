"""Lines and words a file holds without any position (ALTO without HPOS/VPOS/WIDTH/HEIGHT, PAGE with
``points="0,0 0,0"`` or no Coords, hOCR without ``bbox``) are kept as text only, as a plain text ground
truth's are: their text is in the document, compared and exported; nothing is drawn for them.

Each case is a real published file with one line's positions taken out, as converters that know the
text but not the layout (or eScriptorium's dummy blocks) write them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ocrviewer.cli import main
from ocrviewer.core.formats import read_markup, write
from ocrviewer.core.layers import build_layers
from ocrviewer.core.model import Document
from ocrviewer.core.parsers import load_response
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import assert_valid, blank_image


def _alto_line_unplaced() -> tuple[bytes, str]:
    """Tesseract 4.1's ALTO v3 (dinglehopper), its second TextLine and that line's Strings without positions."""
    raw = (SAMPLES / "dinglehopper-tesseract41-alto3.xml").read_text(encoding="utf-8")
    start = raw.index('<TextLine ID="line_1"')
    end = raw.index("</TextLine>", start)
    part, n = re.subn(r' (HPOS|VPOS|WIDTH|HEIGHT)="[^"]*"', "", raw[start:end])
    assert n >= 8
    words = re.findall(r'CONTENT="([^"]*)"', part)
    return (raw[:start] + part + raw[end:]).encode("utf-8"), " ".join(words)


def _page_line_unplaced() -> tuple[bytes, str]:
    """PERO OCR's PAGE 2019, its second TextLine with eScriptorium's ``0,0 0,0`` and no Baseline."""
    raw = (SAMPLES / "pero-ocr-czech-lines-page2019.xml").read_text(encoding="utf-8")
    start = raw.index('<TextLine id="r005-l002"')
    end = raw.index("</TextLine>", start)
    part = re.sub(r'<Coords points="[^"]*"/>', '<Coords points="0,0 0,0"/>', raw[start:end])
    part = re.sub(r"\s*<Baseline [^>]*/>", "", part)
    text = re.search(r"<Unicode>([^<]*)</Unicode>", part)
    assert text is not None
    return (raw[:start] + part + raw[end:]).encode("utf-8"), text.group(1).strip()


def _hocr_line_unplaced() -> tuple[bytes, str]:
    """Tesseract 3.03's hOCR (hocr-tools), its second ocr_line and its words without ``bbox``."""
    raw = (SAMPLES / "hocrtools-tesseract303.hocr").read_text(encoding="utf-8")
    start = raw.index("<span class='ocr_line' id='line_1_2'")
    end = raw.index("<span class='ocr_line'", start + 10)
    part = re.sub(r"bbox \d+ \d+ \d+ \d+;? ?", "", raw[start:end])
    words = re.findall(r">([^<>]+)</span>", part)
    return (raw[:start] + part + raw[end:]).encode("utf-8"), " ".join(w.strip() for w in words if w.strip())


CASES = {"alto": _alto_line_unplaced, "page": _page_line_unplaced, "hocr": _hocr_line_unplaced}


def _text_only_lines(doc: Document) -> list[str]:
    return [ln.text for ln in doc.lines() if not ln.polygon]


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_line_without_any_position_keeps_its_text_as_text_only(kind: str) -> None:
    raw, text = CASES[kind]()
    doc = read_markup(raw)
    assert _text_only_lines(doc) == [text]
    (line,) = [ln for ln in doc.lines() if not ln.polygon]
    # its words too (PERO writes lines without Words): text only, as a plain text's
    assert " ".join(w.text for w in line.words) in (text, "") and all(not w.polygon for w in line.words)
    assert text in doc.text
    assert any("text only" in w for w in doc.warnings)
    # the placed lines are as before
    assert sum(1 for ln in doc.lines() if ln.polygon) >= 1
    # nothing of it is drawn: the layers hold only what has a place
    layers = build_layers(doc)
    assert all(len(el.polygon) >= 3 for name in ("block", "line", "word") for el in layers[name].elements)
    assert len(layers["word"].elements) == sum(1 for w in doc.words() if w.polygon)


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize("fmt", ["hocr", "alto", "page"])
def test_text_only_lines_survive_export_and_read_back(kind: str, fmt: str) -> None:
    raw, text = CASES[kind]()
    doc = read_markup(raw)
    out = write(fmt, doc)
    if fmt in ("alto", "page"):
        assert_valid(out, {"alto": "alto-4-4", "page": "pagecontent-2019-07-15"}[fmt])
    back = read_markup(out)
    assert _text_only_lines(back) == [text]
    assert [ln.text for ln in back.lines()] == [ln.text for ln in doc.lines()]
    if doc.counts()["word"]:  # (ALTO gives a line without words one String of its text)
        assert [w.text for w in back.words()] == [w.text for w in doc.words()]


def test_text_only_lines_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """export (JSON, then read back), render and compare against a plain text truth all see the line."""
    raw, text = _alto_line_unplaced()
    resp = tmp_path / "ocr.alto.xml"
    resp.write_bytes(raw)
    doc = read_markup(raw)
    image = blank_image(tmp_path, int(doc.pages[0].width or 0), int(doc.pages[0].height or 0))
    out = tmp_path / "out.json"
    assert main(["export", str(image), "-r", str(resp), "-o", str(out)]) == 0
    back = load_response(out)
    assert _text_only_lines(back) == [text]
    assert main(["export", str(image), "-r", str(resp), "-o", str(tmp_path / "out.pdf")]) == 0
    assert main(["render", str(image), "-r", str(resp), "-o", str(tmp_path / "r.png")]) == 0
    truth = tmp_path / "truth.txt"
    truth.write_text("\n".join(ln.text for ln in doc.lines()) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["compare", str(image), str(truth), str(resp), "--json", str(tmp_path / "c.json")]) == 0
    figures = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    (result,) = figures["results"]
    assert result["cer"] == 0.0  # the unplaced line's words count: before, they were missed


def test_a_position_less_region_of_text_alone_is_kept() -> None:
    """A PAGE TextRegion with ``0,0 0,0`` and only a region TextEquiv (no TextLines): its text stays."""
    raw = (SAMPLES / "escriptorium-dtgt-dummyblock-page2019.xml").read_bytes()
    doc = read_markup(raw)
    assert all(len(b.polygon) >= 3 or not b.polygon for b in doc.pages[0].blocks)
    page = (
        b'<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"><Page imageFilename="a.png" '
        b'imageWidth="300" imageHeight="100"><TextRegion id="r"><Coords points="0,0 0,0"/>'
        b"<TextEquiv><Unicode>region text\nsecond line</Unicode></TextEquiv></TextRegion></Page></PcGts>"
    )
    doc = read_markup(page)
    assert [ln.text for ln in doc.lines()] == ["region text", "second line"]
    assert all(not ln.polygon for ln in doc.lines())


@pytest.mark.parametrize("kind", ["alto", "hocr", "page"])
def test_a_word_without_position_in_a_placed_line_still_counts_in_compare(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One word of a placed line without a position of its own (the line keeps its text): compared
    against a plain text truth of the file's text it is matched, not missed (before: 1 missed)."""
    if kind == "alto":
        raw = (SAMPLES / "dinglehopper-tesseract41-alto3.xml").read_text(encoding="utf-8")
        raw, n = re.subn(
            r'(<String ID="string_3"[^>]*?) HPOS="[^"]*" VPOS="[^"]*" WIDTH="[^"]*" HEIGHT="[^"]*"',
            r"\1",
            raw,
        )
    elif kind == "hocr":
        raw = (SAMPLES / "hocrtools-tesseract303.hocr").read_text(encoding="utf-8")
        raw, n = re.subn(r"(id='word_1_2' title=')bbox \d+ \d+ \d+ \d+; ", r"\1", raw)
    else:
        raw = (SAMPLES / "dinglehopper-glyphs-conf-page2018.xml").read_text(encoding="utf-8")
        start = raw.index("<pc:Word") if "<pc:Word" in raw else raw.index("<Word")
        end = raw.index("</pc:Word>" if "<pc:Word" in raw else "</Word>", start)
        part, n = re.subn(r"<(pc:)?Coords points=\"[^\"]*\"/>", "", raw[start:end])
        raw = raw[:start] + part + raw[end:]
    assert n >= 1
    resp = tmp_path / f"ocr.{kind}.xml"
    resp.write_text(raw, encoding="utf-8")
    doc = read_markup(raw.encode("utf-8"))
    assert any("its text stays in the line" in w or "no bbox" in w for w in doc.warnings), doc.warnings
    truth = tmp_path / "truth.txt"
    truth.write_text("\n".join(ln.text for ln in doc.lines() if ln.text) + "\n", encoding="utf-8")
    out = tmp_path / "c.json"
    assert main(["compare", str(truth), str(resp), "--json", str(out)]) == 0, capsys.readouterr().err
    (result,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert result["cer"] == 0.0 and result["words"]["missed"] == 0


def test_alto_strings_holding_their_text_as_element_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ALTO "cleaner"'s output: ``<String>Prvý riadok textu</String>`` (no CONTENT, no position) in
    placed lines. Its text was read as nothing (lines of no text, no warning); now it is each line's
    text, said once, and a truth of that text scores 0 errors."""
    path = SAMPLES / "alto2-string-element-text-minimal.xml"
    doc = load_response(path)
    assert [ln.text for ln in doc.lines()] == ["Strana 12", "Prvý riadok textu", "druhý riadok"]
    assert all(len(ln.polygon) == 4 for ln in doc.lines())
    assert sum("holds its text as element content" in w for w in doc.warnings) == 1
    truth = tmp_path / "truth.txt"
    truth.write_text("Strana 12\nPrvý riadok textu\ndruhý riadok\n", encoding="utf-8")
    out = tmp_path / "c.json"
    assert main(["compare", str(truth), str(path), "--json", str(out)]) == 0, capsys.readouterr().err
    (result,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert result["cer"] == 0.0


def test_a_word_of_no_area_is_paired_with_the_same_box(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """eScriptorium ground truth with a line collapsed to its baseline (HEIGHT="0": 'Droits.'): compared
    with itself (or with an OCR of the same segmentation) that word overlapped nothing, not even its
    own box, and counted 1 missed + 1 extra (CER 1.02 %); the same box now pairs it."""
    path = SAMPLES / "htrunited-lectaurep-flat-line-alto4.xml"
    doc = load_response(path)
    (flat,) = [w for w in doc.words() if w.bbox[1] == w.bbox[3]]
    assert flat.text == "Droits."
    out = tmp_path / "c.json"
    assert main(["compare", str(path), str(path), "--json", str(out)]) == 0, capsys.readouterr().err
    (result,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert result["cer"] == 0.0
    assert result["words"]["missed"] == 0 and result["words"]["extra"] == 0
    assert result["words"]["equal"] == sum(1 for _ in doc.words())


def test_a_file_with_no_position_anywhere_is_all_text_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tesseract 3.03's hOCR with every bbox taken out (hOCR's properties are optional): it opened
    with "Unexpected error (ValueError: min() arg is an empty sequence)"; now it is a document of
    text only, placed on the image, exported and compared like a plain text."""
    raw = (SAMPLES / "hocrtools-tesseract303.hocr").read_text(encoding="utf-8")
    raw, n = re.subn(r"bbox \d+ \d+ \d+ \d+;? ?", "", raw)
    assert n > 100
    resp = tmp_path / "nobox.hocr"
    resp.write_text(raw, encoding="utf-8")
    image = blank_image(tmp_path, 2000, 3000)
    doc = load_response(resp)
    assert doc.counts()["word"] > 100 and not any(w.polygon for w in doc.words())
    for fmt in ("json", "hocr", "alto", "page", "pdf"):
        out = tmp_path / f"out.{fmt}"
        assert main(["export", str(image), "-r", str(resp), "-o", str(out), "--to", fmt]) == 0, (
            capsys.readouterr().err
        )
    assert main(["render", str(image), "-r", str(resp), "-o", str(tmp_path / "r.png")]) == 0
    truth = tmp_path / "truth.txt"
    truth.write_text("\n".join(ln.text for ln in doc.lines()) + "\n", encoding="utf-8")
    out = tmp_path / "c.json"
    assert main(["compare", str(image), str(truth), str(resp), "--json", str(out)]) == 0, (
        capsys.readouterr().err
    )
    (result,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert result["cer"] == 0.0


def test_a_big_file_parsed_as_columns_draws_no_text_only_word() -> None:
    """A response parsed in the child process travels as columns; a line of text only has no points
    there, and the columns' boxes gave its words the box of the next word's first point (drawn and
    hit there, counted as drawn). Its layers are now those of the parsed elements."""
    from ocrviewer.core.parse_child import document_from_fields, fields_of

    raw, text = _alto_line_unplaced()
    doc = read_markup(raw)
    cols = document_from_fields(fields_of(doc))
    from ocrviewer.core.columns import page_columns

    assert page_columns(cols.pages[0]) is not None
    for name in ("block", "line", "word"):
        a, b = build_layers(cols)[name], build_layers(doc)[name]
        assert len(a.elements) == len(b.elements)
        assert a.bboxes.tolist() == b.bboxes.tolist()
    assert len(build_layers(cols)["word"].elements) == sum(1 for w in doc.words() if w.polygon)
