"""Files found by session 9's sweep of the ecosystem's test data (origins in tests/data/SOURCES.md):
each is opened as a user opens it and checked against what the file says."""

from __future__ import annotations

import pytest

from ocrviewer.core.parsers import load_response
from tests.support.markup import FORMATS as SAMPLES
from tests.support.markup import cli_info


def test_hocr_with_an_unescaped_lt_in_a_word_keeps_each_word_once(capsys: pytest.CaptureFixture[str]) -> None:
    """OCR text with a raw ``<`` (``s<5<a</<e``) opens an ``<a>`` element in the HTML parser that holds
    the rest of the paragraph: the next words and lines end up inside the first word. Each word keeps
    its own text (before: the first word's text was the whole paragraph, and the line read every
    word twice); the words keep the spaces between them."""
    f = SAMPLES / "dbmdz-broken-unescaped-lt-excerpt.html"
    assert "'>s<5<a</<e</span>" in f.read_text(encoding="utf-8")
    doc = load_response(f)
    words = [w.text for w in doc.words()]
    assert len(words) == 42 and len(set(words)) >= 40
    assert words[:6] == ["s<5", "«.", "6eöi>A»kan", "^i'n", "n.", "tV«,a»>r«»«5«/,"]
    first = next(doc.words())
    assert first.bbox == (52, 1202, 163, 1235)
    lines = [line.text for line in doc.lines()]
    assert lines[0] == "s<5 «. 6eöi>A»kan ^i'n n.tV«,a»>r«»«5«/, eine »«es F»»«."
    assert lines[1] == "s5, 7^, »eÄe?!« Seäau»»»?n«en a. S«^-"
    assert "1 page(s), 2 blocks, 3 lines, 42 words" in cli_info(capsys, "-r", str(f))
