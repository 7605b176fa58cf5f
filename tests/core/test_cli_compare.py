"""``ocrviewer compare`` as a user runs it: figures, JSON, the HTML report, and bad input."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jiwer
import pytest

from ocrviewer.cli import main
from ocrviewer.core.metrics import NORMALIZATION
from ocrviewer.core.palette import STATUS_COLORS
from tests.support import responses as R
from tests.support.cli import run as run_cli
from tests.support.images import draw_displayed, layout_words

LINES = ["Invoice total 17.50", "paid by Mr. Smith", "in München today"]
TYPOS = ["Invoice tota1 17.50", "paid by Mr. Smith", "in Munchen today"]


@pytest.fixture
def page(tmp_path: Path) -> dict[str, Path]:
    """An image with three lines of text, its ground truth, and results of two engines."""
    words, size = layout_words(LINES, font_size=36)
    image = tmp_path / "page.png"
    draw_displayed(words, size, style="text").save(image)
    typo_words = [(t, box) for t, (_, box) in zip(" ".join(TYPOS).split(), words, strict=True)]
    files = {"image": image}

    def write(name: str, ws: list, **kw: object) -> Path:
        path = tmp_path / name
        R.write_response(path, R.build_response("azure-v3", ws, display_size=size, **kw))
        files[name.split(".")[0]] = path
        return path

    write("gt.json", words)
    write("good.json", words)
    write("typos.json", typo_words)
    write("half.json", typo_words, scale=0.5)  # made from a copy shrunk to half size
    files["size"] = size  # type: ignore[assignment]
    return files


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    return run_cli(capsys, "compare", *args)


def test_json_has_one_result_per_file_in_order_with_the_figures(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp.json"
    code, stdout, _ = run(
        capsys, page["image"], page["gt"], page["good"], page["typos"], page["half"], "--json", out
    )
    assert code == 0, stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "ocrviewer.comparison/1"
    assert data["definitions"]["normalization"] == NORMALIZATION
    assert [r["path"] for r in data["results"]] == ["good.json", "typos.json", "half.json"]
    good, typos, half = data["results"]
    assert good["cer"] == 0 and good["wer"] == 0 and good["wer_unordered"] == 0
    assert good["words"] == {
        "matched": 10,
        "equal": 10,
        "substituted": 0,
        "missed": 0,
        "extra": 0,
        "split": 0,
        "merged": 0,
    }
    assert good["detection"]["precision"] == 1 and good["detection"]["recall"] == 1
    assert typos["cer"] == pytest.approx(jiwer.cer(LINES, TYPOS), abs=1e-6)
    assert typos["wer"] == pytest.approx(jiwer.wer(LINES, TYPOS), abs=1e-6)
    assert typos["words"]["substituted"] == 2 and typos["words"]["equal"] == 8
    # every word is 0.98 confident: two confident words are wrong
    assert typos["confidence"] == [{"from": 0.9, "to": 1.0, "words": 10, "wrong": 2, "wrong_share": 0.2}]
    # a result made from a half-size copy lands on the same words: same figures, boxes matched
    assert half["cer"] == typos["cer"] and half["detection"]["recall"] == 1
    p0 = typos["pages"][0]
    assert p0["cer"] == typos["cer"] and len(p0["lines"]) == 3
    assert {w["reference"] for w in p0["worst"]} == {"total", "München"}
    assert f"wrote {out}" in stdout and "CER" not in stdout  # the table only without --json


def test_without_json_a_short_table(page: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, page["image"], page["gt"], page["good"], page["typos"])
    assert code == 0
    lines = stdout.splitlines()
    assert "gt.json" in lines[0] and "10 words" in lines[0]
    assert "NFC" in lines[1]
    header, good, typos = lines[2:5]
    assert header.split()[:3] == ["result", "CER", "WER"]
    assert good.split()[:3] == ["good.json", "0.00%", "0.00%"]
    assert typos.split()[0] == "typos.json" and typos.split()[2] == f"{jiwer.wer(LINES, TYPOS) * 100:.2f}%"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_report_is_one_self_contained_html_file(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    code, _, _ = run(capsys, page["image"], page["gt"], page["good"], page["typos"], "--report", report)
    assert code == 0
    text = report.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(text)
    names = [t for t, _ in parser.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    for tag, attrs in parser.tags:
        for key in ("src", "href"):
            if attrs.get(key):
                assert attrs[key].startswith("data:image/"), (tag, attrs[key][:60])
    assert "http://" not in text and "https://" not in text and "@import" not in text
    assert "url(data:image/jpeg;base64," in text  # the page picture, embedded once
    assert text.count("data:image/jpeg") == 1
    crops = [a for t, a in parser.tags if t == "img"]
    assert len(crops) == 2  # the two wrong words of typos.json, each with its crop
    polygons = [a for t, a in parser.tags if t == "polygon"]
    assert len(polygons) == 20  # 10 words per engine
    assert sum(1 for a in polygons if a.get("class") == "substituted") == 2
    assert NORMALIZATION in text
    for colour in STATUS_COLORS.values():
        assert colour in text
    assert "good.json" in text and "typos.json" in text
    assert "reference «total» / result «tota1»" in text  # both texts on hover
    assert "Confidence and correctness" in text and "2 of 10 wrong (20.0%)" in text


def test_text_reference_gives_text_metrics_and_no_detection(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "cmp.json"
    code, _, err = run(capsys, gt, page["typos"], "--json", out)
    assert code == 0, err
    (res,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert res["cer"] == pytest.approx(jiwer.cer(LINES, TYPOS), abs=1e-6)
    assert res["detection"] is None


# -- bad input: one line, never a silent 0 % or 100 % ---------------------------------------------------


def test_reference_for_another_image_size_is_refused(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    R.write_response(other, R.build_response("azure-v3", display_size=(500, 500)))
    out = tmp_path / "cmp.json"
    code, stdout, err = run(capsys, page["image"], other, page["typos"], "--json", out)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "other.json" in err and "does not fit the image page.png" in err and "--frame" in err
    assert not out.exists() and stdout == ""


def test_result_for_another_size_without_image_is_refused(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    R.write_response(other, R.build_response("azure-v3", display_size=(500, 500)))
    code, _, err = run(capsys, page["gt"], other)
    assert code == 1 and "other.json" in err and "reference's page" in err and "give the IMAGE" in err


def test_empty_result_is_scored_and_said(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.json"
    data = json.loads(page["gt"].read_text(encoding="utf-8"))
    data["analyzeResult"]["readResults"][0]["lines"] = []  # the engine found nothing
    R.write_response(empty, data)
    out = tmp_path / "cmp.json"
    code, _, err = run(capsys, page["image"], page["gt"], empty, "--json", out)
    assert code == 0
    assert "empty.json" in err and "no text" in err and "missed" in err
    (res,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert res["cer"] == 1 and res["words"]["missed"] == 10
    assert res["notes"]


def test_empty_reference_is_refused(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_text("\n \n", encoding="utf-8")
    code, _, err = run(capsys, gt, page["typos"])
    assert code == 1 and "no text" in err and "gt.txt" in err


def test_text_reference_with_other_line_count_says_so(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_text("Invoice total 17.50 paid by Mr. Smith\nin München today\n", encoding="utf-8")
    code, stdout, err = run(capsys, gt, page["typos"])
    assert code == 0
    assert "gt.txt has 2 lines, typos.json 3" in err
    assert "typos.json" in stdout


def test_files_for_different_pages_are_refused(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words, _ = layout_words(["Completely other words here", "nothing shared at all", "with the truth"], 36)
    shifted = [(t, (b[0], b[1] + 400, b[2], b[3] + 400)) for t, b in words]
    other = tmp_path / "other.json"
    size = page["size"]
    R.write_response(other, R.build_response("azure-v3", shifted, display_size=(size[0], size[1])))  # type: ignore[index]
    code, _, err = run(capsys, page["gt"], other)
    assert code == 1 and "different pages" in err and len(err.strip().splitlines()) == 1


def test_page_count_mismatch_is_refused(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_text("\n".join(LINES) + "\f" + "second page\f", encoding="utf-8")
    code, _, err = run(capsys, gt, page["typos"])
    assert code == 1 and "2 page(s)" in err and "form feed" in err


def test_never_writes_over_an_input(page: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    before = page["typos"].read_bytes()
    code, _, err = run(capsys, page["gt"], page["typos"], "--json", page["typos"])
    assert code == 1 and "input" in err
    assert page["typos"].read_bytes() == before


def test_usage_errors_are_one_line(page: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, page["image"], page["gt"])
    assert code == 1 and "REFERENCE and at least one RESULT" in err
    code, _, err = run(capsys, page["gt"], page["typos"], page["image"])
    assert code == 1 and "it comes first" in err


def test_report_without_image_and_with_a_text_reference(
    page: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    report = tmp_path / "report.html"
    code, _, err = run(capsys, gt, page["typos"], "--report", report)
    assert code == 0, err
    text = report.read_text(encoding="utf-8")
    assert "data:image/jpeg" not in text and "no image given" in text
    assert "plain text, no geometry: text only (CER/WER), detection n/a" in text
    parser = _Tags()
    parser.feed(text)
    assert sum(1 for t, _ in parser.tags if t == "polygon") == 10  # the result's words, by status


def test_page_xml_ground_truth_with_lines_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """PAGE-XML ground truth with region text only (PRImA's sample: no TextLine holds text) against an
    hOCR result: the region's text is cut into its lines, which have no box of their own, so lines are
    paired by text and detection is n/a."""
    from ocrviewer.core.metrics import normalize
    from ocrviewer.core.parsers import load_response

    formats = Path(__file__).resolve().parent.parent / "data" / "formats"
    image, truth = formats / "prima-SimplePage.png", formats / "prima-SimplePage-2017.xml"
    hocr = tmp_path / "engine.hocr"
    assert main(["export", str(image), "-r", str(truth), "--to", "hocr", "-o", str(hocr)]) == 0
    hocr.write_text(hocr.read_text(encoding="utf-8").replace("plethora", "p1ethora", 1), encoding="utf-8")
    capsys.readouterr()
    out = tmp_path / "cmp.json"
    code, _, err = run(capsys, image, truth, hocr, "--json", out)
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["reference"]["format"].startswith("page-")
    (res,) = data["results"]
    assert res["pages"][0]["alignment"] == "text"
    assert res["detection"] is None
    assert res["words"]["substituted"] == 1 and res["words"]["missed"] == 0 and res["words"]["extra"] == 0
    refs = [normalize(ln.text) for ln in load_response(truth).lines()]
    hyps = [r.replace("plethora", "p1ethora", 1) for r in refs]
    assert res["cer"] == pytest.approx(jiwer.cer(refs, hyps), abs=1e-6)


def test_a_pdf_document_is_compared_page_by_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DOC: an inch-based reference and a 300-dpi pixel result land on the same PDF pages."""
    from tests.support.documents import azure_read_pdf_response, make_pdf, yandex_pdf_pages

    pdf = make_pdf(tmp_path / "scan.pdf", pages=3)
    truth = R.write_response(tmp_path / "truth.json", azure_read_pdf_response([0, 1, 2]))
    pages = yandex_pdf_pages([0, 1])  # the engine returned two of the three pages
    word = pages[1]["result"]["textAnnotation"]["blocks"][0]["lines"][0]["words"][0]
    word["text"] = "p2wX"
    engine = R.write_response(tmp_path / "engine.jsonl", pages)
    out, report = tmp_path / "cmp.json", tmp_path / "report.html"
    code, _, err = run(capsys, pdf, truth, engine, "--json", out, "--report", report)
    assert code == 0, err
    (res,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert [p["index"] for p in res["pages"]] == [0, 1, 2]
    assert [p["words"]["substituted"] for p in res["pages"]] == [0, 1, 0]
    assert res["pages"][2]["words"]["missed"] == 3 and res["pages"][2]["cer"] == 1
    assert res["pages"][0]["detection"]["recall"] == 1 and res["pages"][1]["detection"]["recall"] == 1
    assert "no result for page(s) 3" in err
    text = report.read_text(encoding="utf-8")
    assert text.count("data:image/jpeg") == 3  # each PDF page rendered and embedded once
    assert "<h2>Page 3</h2>" in text


def test_a_searchable_pdf_after_the_image_is_a_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    formats = Path(__file__).resolve().parent.parent / "data" / "formats"
    image, truth = formats / "prima-SimplePage.png", formats / "prima-SimplePage-2017.xml"
    pdf = tmp_path / "searchable.pdf"
    assert main(["export", str(image), "-r", str(truth), "-o", str(pdf)]) == 0
    capsys.readouterr()
    out = tmp_path / "cmp.json"
    code, _, err = run(capsys, image, truth, pdf, "--json", out)
    assert code == 0, err
    (res,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert res["path"] == "searchable.pdf" and res["wer_unordered"] == 0  # every word is there


def test_one_page_files_on_a_document_count_on_the_page_given(tmp_path: Path) -> None:
    """The window's report: a one-page answer (and a one-page text truth) opened on page 2 is page 2's."""
    from ocrviewer.core.evaluate import compare_files
    from tests.support.documents import azure_read_pdf_response, make_pdf

    pdf = make_pdf(tmp_path / "scan.pdf", pages=3)
    data = azure_read_pdf_response([1])
    data["analyzeResult"]["readResults"][0]["page"] = 1  # made from page 2's picture alone
    engine = R.write_response(tmp_path / "engine.json", data)
    truth = tmp_path / "truth.txt"
    truth.write_text("p2w0 p2w1 p2w2\n", encoding="utf-8")
    _, ref, rows = compare_files(str(pdf), str(truth), [str(engine)], pages={str(truth): 1, str(engine): 1})
    assert [p.index for p in ref.document.pages] == [1]
    assert rows[0][1].cer.rate == 0 and not rows[0][2][1:]  # every word on its page
    _, ref, rows = compare_files(str(pdf), str(truth), [str(engine)], pages={str(engine): 1})
    assert [p.index for p in ref.document.pages] == [0]  # a text file, as the command line reads it
    assert rows[0][1].cer.rate == 1 and any("no text there" in n for n in rows[0][2])


@pytest.mark.parametrize("suffix", [".ppm", ".jfif", ".pnm", ".j2k"])
def test_an_image_of_any_kind_the_viewer_opens_comes_first(
    page: dict[str, Path], capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """compare had its own, shorter list of image names: a .ppm or .jfif IMAGE was read as the
    reference ("not JSON"); it now takes every picture the viewer and a folder take."""
    from PIL import Image

    image = page["image"].with_suffix(suffix)
    with Image.open(page["image"]) as picture:
        picture.convert("RGB").save(image, "JPEG" if suffix == ".jfif" else None)
    code, stdout, _ = run(capsys, image, page["gt"], page["good"])
    assert code == 0, stdout
    assert stdout.splitlines()[3].split()[:3] == ["good.json", "0.00%", "0.00%"]
    code, _, stderr = run(capsys, page["gt"], page["good"], image)
    assert code != 0 and "an image or a folder" in stderr


def test_split_words_and_historic_normalization_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A word read in two pieces is counted as split in the table, the JSON and the report; with
    --normalize modern the long s and the fi ligature equal s and fi, and every output says so."""
    gt, ocr = tmp_path / "gt.txt", tmp_path / "ocr.txt"
    gt.write_text("the newspaper said\nſie ﬁnden es\n", encoding="utf-8")
    ocr.write_text("the news paper said\nsie finden es\n", encoding="utf-8")
    code, stdout, _ = run(capsys, gt, ocr)
    assert code == 0
    head, row = stdout.splitlines()[-2:]
    assert head.split()[4:10] == ["equal", "subst", "missed", "extra", "split", "merged"]
    assert row.split()[1:10] == ["13.33%", "66.67%", "66.67%", "3", "2", "0", "0", "1", "0"]  # 4/30, 4/6
    assert "normalization: exact: Unicode NFC" in stdout

    out, report = tmp_path / "cmp.json", tmp_path / "cmp.html"
    code, stdout, _ = run(capsys, gt, ocr, "--normalize", "modern", "--json", out, "--report", report)
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["normalization"] == "modern" and "long s read as s" in data["definitions"]["normalization"]
    assert "split = reference words read as 2 or more" in data["definitions"]["words"]
    (result,) = data["results"]
    assert result["normalization"] == "modern"
    assert result["cer"] == pytest.approx(
        1 / 31, abs=1e-6
    )  # the space in "news paper"; ﬁ unjoined: 31 characters
    assert result["words"]["split"] == 1 and result["words"]["equal"] == 5 and result["words"]["extra"] == 0
    assert result["wer"] == pytest.approx(
        jiwer.wer(["the newspaper said", "sie finden es"], ["the news paper said", "sie finden es"])
    )
    assert {"status": "split", "result_words": "news paper"}.items() <= result["pages"][0]["worst"][0].items()
    html = report.read_text(encoding="utf-8")
    assert "Normalization: <b>modern</b>" in html and STATUS_COLORS["split"] in html
    assert "<td class='l mono'>newspaper</td><td class='l mono'>news paper</td>" in html

    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(gt), str(ocr), "--normalize", "old"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'old' (choose from" in capsys.readouterr().err


def test_compare_help_says_split_and_merged_words_change_no_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Split and merged words classify differences; they change no figure." in text
    assert "a split word still counts as a substitution and an insertion in WER" in text
    assert "--normalize {exact,historic,modern}" in text
