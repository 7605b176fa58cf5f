"""Provider ``tesseract``: TSV parsing, the install hint, and real runs when the program is installed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ocrviewer.core.model import Document
from ocrviewer.core.prepare import prepare_image
from ocrviewer.errors import BadInput, BadResponse, Cancelled, ProviderUnavailable
from ocrviewer.providers.base import CancelToken, get_provider, no_progress
from ocrviewer.providers.tesseract import TesseractProvider, document_from_tsv, languages_option

from .test_local import MIXED_LINES, check_reading, make_page_file

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="the tesseract program is not installed (apt-get install tesseract-ocr); CI installs it",
)

TSV = "\n".join(
    [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
        "1\t1\t0\t0\t0\t0\t0\t0\t800\t600\t-1\t",
        "2\t1\t1\t0\t0\t0\t40\t30\t300\t90\t-1\t",
        "3\t1\t1\t1\t0\t0\t40\t30\t300\t90\t-1\t",
        "4\t1\t1\t1\t1\t0\t40\t30\t300\t40\t-1\t",
        "5\t1\t1\t1\t1\t1\t40\t30\t120\t40\t96.5\tHello",
        "5\t1\t1\t1\t1\t2\t180\t32\t160\t38\t88\tworld",
        "4\t1\t1\t1\t2\t0\t40\t80\t200\t40\t-1\t",
        "5\t1\t1\t1\t2\t1\t40\t80\t200\t40\t91\tagain",
        "5\t1\t1\t1\t2\t2\t250\t80\t10\t40\t95\t ",
        "2\t1\t2\t0\t0\t0\t40\t400\t100\t40\t-1\t",
        "4\t1\t2\t1\t1\t0\t40\t400\t100\t40\t-1\t",
        "5\t1\t2\t1\t1\t1\t40\t400\t100\t40\tx\tbroken",
        "5\t1\t2\t1\t1\t2\t40\t400\t100\t40\t70\tend",
    ]
)


def test_tsv_words_lines_and_blocks() -> None:
    doc = document_from_tsv(TSV.encode(), 800, 600, extras={"engine": "tesseract"})
    assert [b.text for b in doc.blocks()] == ["Hello world\nagain", "end"]
    hello = next(doc.words())
    assert hello.bbox == (40, 30, 160, 70) and hello.confidence == pytest.approx(0.965)
    first_line = next(doc.lines())
    assert first_line.bbox == (40, 30, 340, 70)  # the line's own row, not the words' union
    assert doc.pages[0].blocks[0].bbox == (40, 30, 340, 120)
    assert len(doc.warnings) == 1 and "row 13" in doc.warnings[0]
    assert doc.source_format == "tesseract" and doc.extras == {"engine": "tesseract"}
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc


#: one Tesseract block holding two paragraphs (an indented first line starts the second), a word
#: cut by a form feed Tesseract copied from the page, and a word Tesseract gave no confidence
TWO_PARAGRAPHS = "\n".join(
    [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
        "1\t1\t0\t0\t0\t0\t0\t0\t800\t600\t-1\t",
        "2\t1\t1\t0\t0\t0\t40\t30\t500\t140\t-1\t",
        "3\t1\t1\t1\t0\t0\t40\t30\t500\t40\t-1\t",
        "4\t1\t1\t1\t1\t0\t40\t30\t500\t40\t-1\t",
        "5\t1\t1\t1\t1\t1\t40\t30\t200\t40\t96.958191\tFirst",
        "5\t1\t1\t1\t1\t2\t260\t30\t280\t40\t91.5\tpa\x0cragraph",
        "3\t1\t1\t2\t0\t0\t80\t130\t460\t40\t-1\t",
        "4\t1\t1\t2\t1\t0\t80\t130\t460\t40\t-1\t",
        "5\t1\t1\t2\t1\t1\t80\t130\t460\t40\t-1\tSecond",
    ]
)


@pytest.mark.parametrize("tsv", [TSV, TWO_PARAGRAPHS], ids=["blocks", "paragraphs"])
def test_a_run_reads_as_the_tsv_the_user_opens(tsv: str) -> None:
    """Running Tesseract here and opening its .tsv give the same blocks, lines, words and warnings:
    one reader (core.formats.tsv). The run's blocks were Tesseract's blocks (two paragraphs in one),
    the opened file's its paragraphs (as hOCR's ocr_par and ALTO's TextBlock); a form feed in a word
    cut the run's row, and a word without a confidence was dropped from the run."""
    from dataclasses import replace

    from ocrviewer.core.formats import read_tsv

    opened = read_tsv(tsv.encode())
    run = document_from_tsv(tsv.encode(), 800, 600, extras={"engine": "tesseract"})
    assert replace(run, source_format=opened.source_format, extras=opened.extras) == opened


def test_paragraphs_of_one_tesseract_block_are_blocks() -> None:
    doc = document_from_tsv(TWO_PARAGRAPHS.encode(), 800, 600)
    assert [b.text for b in doc.blocks()] == ["First pa\x0cragraph", "Second"]
    assert [b.bbox for b in doc.pages[0].blocks] == [(40, 30, 540, 70), (80, 130, 540, 170)]
    assert [w.confidence for w in doc.words()] == [pytest.approx(0.96958191), 0.915, None]
    assert doc.pages[0].width == 800 and doc.pages[0].height == 600


def test_something_else_than_tsv_is_refused() -> None:
    with pytest.raises(BadResponse, match="Tesseract TSV"):
        document_from_tsv(b"<html>", 10, 10)
    with pytest.raises(BadResponse, match="empty TSV"):
        document_from_tsv(b"", 10, 10)


def test_languages_are_checked_against_the_installed_ones() -> None:
    assert languages_option(None, ("deu", "eng")) == "eng"
    assert languages_option("eng, deu", ("deu", "eng")) == "eng+deu"
    assert languages_option(["deu"], ("deu", "eng")) == "deu"
    with pytest.raises(BadInput, match="no language fra.*installed: deu, eng"):
        languages_option("fra", ("deu", "eng"))


def test_a_missing_program_says_how_to_install_it() -> None:
    provider = TesseractProvider(command="no-such-tesseract-program-xyz")
    reason = provider.unavailable_reason()
    assert reason is not None
    for hint in ("apt-get install tesseract-ocr", "brew install tesseract", "UB Mannheim"):
        assert hint in reason
    assert provider.options[0].choices == ()
    with pytest.raises(ProviderUnavailable, match="apt-get"):
        provider.recognize(None, {}, CancelToken(), no_progress)  # type: ignore[arg-type]


@needs_tesseract
def test_languages_come_from_the_installed_traineddata() -> None:
    provider = get_provider("tesseract")
    assert provider.unavailable_reason() is None
    assert "eng" in provider.languages() and "osd" not in provider.languages()
    assert "eng" in provider.options[0].choices


@needs_tesseract
def test_reads_a_rotated_photo_in_the_displayed_frame(tmp_path: Path) -> None:
    path, expected = make_page_file(tmp_path, MIXED_LINES, orientation=8, fmt="JPEG")
    provider = TesseractProvider()
    prepared = prepare_image(path, provider.limits)
    assert prepared.source.orientation == 8
    result = provider.recognize(prepared, {"languages": "eng"}, CancelToken(), no_progress)
    check_reading(prepared.transform.apply_document(result.document), expected)
    again = Document.from_dict(json.loads(result.raw))
    assert again.source_format == "tesseract" and again.extras["languages"] == "eng"
    assert result.api_version and result.api_version.startswith("tesseract")


@needs_tesseract
def test_cancel_kills_the_tesseract_process(tmp_path: Path) -> None:
    path, _ = make_page_file(tmp_path, MIXED_LINES, orientation=1, fmt="PNG")
    provider = TesseractProvider()
    prepared = prepare_image(path, provider.limits)
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        provider.recognize(prepared, {}, cancel, lambda fraction, message: cancel.cancel())


def test_tesseract_runs_without_secrets_in_its_environment(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A stand-in ``tesseract`` that lists the OCRVIEWER_* variables it was given as its languages."""
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", "az-secret-1234")
    monkeypatch.setenv("OCRVIEWER_YANDEX_API_KEY", "yc-secret")
    monkeypatch.setenv("OCRVIEWER_CACHE_DIR", "/tmp/not-a-secret")
    fake = tmp_path / "tesseract"
    fake.write_text('#!/bin/sh\necho "List of available languages"\nenv | grep ^OCRVIEWER_ | cut -d= -f1\n')
    fake.chmod(0o755)
    assert TesseractProvider(command=str(fake)).languages() == ("OCRVIEWER_CACHE_DIR",)


@needs_tesseract
def test_a_run_gives_what_the_tsv_of_tesseract_run_by_hand_gives(tmp_path: Path) -> None:
    """The user's own ``tesseract IMAGE OUT -l eng tsv`` on the same picture, opened as a response,
    and the viewer's run: the same pages, blocks, lines, words, boxes and confidences."""
    import subprocess

    from ocrviewer.core.parsers import load_response

    path, _ = make_page_file(tmp_path, MIXED_LINES, orientation=1, fmt="PNG")
    provider = TesseractProvider()
    prepared = prepare_image(path, provider.limits)
    run = provider.recognize(prepared, {"languages": "eng"}, CancelToken(), no_progress).document
    given = tmp_path / "given.png"
    given.write_bytes(prepared.data)
    subprocess.run(
        [provider.executable, str(given), str(tmp_path / "by-hand"), "-l", "eng", "tsv"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    opened = load_response(tmp_path / "by-hand.tsv")
    assert opened.source_format == "tesseract-tsv" and len(run.pages[0].blocks) >= 2
    assert run.pages == opened.pages
