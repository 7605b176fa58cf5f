"""The overlay's data without Qt: arrays, hit index, counts and element references."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ocrviewer.core.layers import ElementRef, build_layers, element_counts
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox

ROOT = Path(__file__).resolve().parents[2]


def doc() -> Document:
    words = [
        Word("big", polygon_from_bbox(0, 0, 100, 100), confidence=0.9),
        Word("small", polygon_from_bbox(10, 10, 20, 20), confidence=0.3),
        Word("far", polygon_from_bbox(300, 300, 340, 320), confidence=None),
    ]
    line = Line("big small far", polygon_from_bbox(0, 0, 340, 320), tuple(words))
    return Document((Page(400.0, 400.0, (Block(polygon_from_bbox(0, 0, 340, 320), (line,)),)),), "test")


def test_hit_prefers_the_smallest_polygon_and_respects_hidden_words() -> None:
    words = build_layers(doc())["word"]
    assert len(words) == 3 and words.bboxes.shape == (3, 4)
    assert words.text(words.hit(15, 15)) == "small"
    assert words.text(words.hit(50, 50)) == "big"
    assert words.hit(200, 200) is None
    # "small" (0.3) is hidden under a 0.5 threshold: the click falls through to "big"
    assert words.text(words.hit(15, 15, min_confidence=0.5, hide=True)) == "big"
    assert words.shown_count(min_confidence=0.5, hide=True) == 2 and words.shown_count() == 3
    assert words.ref(2) == ElementRef("word", 0, 0, 0, 2)


def test_counts() -> None:
    assert element_counts(doc()) == {"page": 1, "block": 1, "line": 1, "word": 3, "table": 0}


def test_the_layer_data_does_not_load_qt() -> None:
    code = "import sys, ocrviewer.core.layers; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_word_reference_finds_its_index_again() -> None:
    two_lines = Document(
        (
            Page(
                400.0,
                400.0,
                (
                    Block(
                        polygon_from_bbox(0, 0, 400, 400),
                        (
                            Line(
                                "a b",
                                polygon_from_bbox(0, 0, 90, 20),
                                (
                                    Word("a", polygon_from_bbox(0, 0, 40, 20)),
                                    Word("b", polygon_from_bbox(50, 0, 90, 20)),
                                ),
                            ),
                            Line(
                                "c",
                                polygon_from_bbox(0, 40, 40, 60),
                                (Word("c", polygon_from_bbox(0, 40, 40, 60)),),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        "test",
    )
    words = build_layers(two_lines)["word"]
    assert [words.index_of(words.ref(i)) for i in range(len(words))] == [0, 1, 2]  # type: ignore[arg-type]
    assert words.text(words.index_of(ElementRef("word", 0, 0, 1, 0))) == "c"
    assert words.index_of(ElementRef("word", 0, 0, 1, 1)) == -1  # past the line's last word
    assert (
        words.index_of(ElementRef("line", 0, 0, 0)) == -1
        and words.index_of(ElementRef("word", 0, 3, 0, 0)) == -1
    )
