"""Checking words: suspects, stepping, marks, progress, ground truth export and persistence."""

from __future__ import annotations

import json

import pytest

from ocrviewer.core.checking import CheckSession, Mark
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from ocrviewer.errors import BadInput


def doc() -> Document:
    def w(text: str, x: float, conf: float | None) -> Word:
        return Word(text, polygon_from_bbox(x, 0, x + 10, 10), conf)

    line1 = (w("Milk", 0, 0.99), w("2.5O", 20, 0.61), w("bread", 40, 0.95))
    line2 = (w("Tota1", 0, 0.42), w("21.45", 20, None))
    lines = (
        Line("Milk 2.5O bread", polygon_from_bbox(0, 0, 50, 10), line1),
        Line("Tota1 21.45", polygon_from_bbox(0, 20, 30, 30), line2),
    )
    page = Page(100.0, 100.0, (Block(polygon_from_bbox(0, 0, 50, 30), lines),))
    return Document((page, page), source_format="test")


def test_suspects_are_low_confidence_or_compare_statuses_in_reading_order() -> None:
    s = CheckSession(doc(), threshold=0.9)
    assert s.suspects() == [(0, 0, 0, 1), (0, 0, 1, 0), (1, 0, 0, 1), (1, 0, 1, 0)]
    s = CheckSession(doc(), threshold=0.9, statuses={(0, 0, 0, 0): "substituted"}, include_unknown=True)
    assert (0, 0, 0, 0) in s.suspects() and (0, 0, 1, 1) in s.suspects()


def test_n_and_shift_n_step_across_pages_and_wrap() -> None:
    s = CheckSession(doc(), threshold=0.9)
    k = s.step(None)
    seen = [k]
    for _ in range(4):
        k = s.step(k)
        seen.append(k)
    assert seen == [(0, 0, 0, 1), (0, 0, 1, 0), (1, 0, 0, 1), (1, 0, 1, 0), (0, 0, 0, 1)]
    assert s.step((0, 0, 0, 1), forward=False) == (1, 0, 1, 0)
    assert s.step((0, 0, 0, 0)) == (0, 0, 0, 1)  # from a word that is not suspect
    s.mark((0, 0, 1, 0), "right")
    assert s.step((0, 0, 0, 1), unchecked_only=True) == (1, 0, 0, 1)


def test_marks_progress_and_ground_truth(tmp_path) -> None:
    s = CheckSession(doc(), threshold=0.9)
    assert s.progress_text() == "0 of 4 checked"
    s.mark((0, 0, 0, 1), "corrected", "2.50")
    s.mark((0, 0, 1, 0), "corrected", "Total")
    s.mark((1, 0, 0, 1), "corrected", "2.5O")  # its own text: right
    s.mark((1, 0, 1, 0), "wrong")
    assert s.marks[(1, 0, 0, 1)] == Mark("right")
    assert s.progress() == (4, 4) and s.progress_text() == "4 of 4 checked"
    gt = s.ground_truth()
    line = gt.pages[0].blocks[0].lines[0]
    assert line.text == "Milk 2.50 bread" and line.words[1].extras["recognized"] == "2.5O"
    assert gt.pages[1].blocks[0].lines[1].words[0].extras["checked"] == "wrong"
    assert gt.extras["ground_truth"]["corrected"] == 2
    out = s.export_ground_truth(tmp_path / "truth.json")
    again = Document.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert again.pages[0].blocks[0].lines[1].words[0].text == "Total"
    with pytest.raises(BadInput):
        s.export_ground_truth(tmp_path / "truth.json", inputs=[str(tmp_path / "truth.json")])


def test_marks_round_trip_and_bad_marks_are_refused() -> None:
    s = CheckSession(doc(), threshold=0.8)
    s.mark((0, 0, 0, 1), "corrected", "2.50")
    s.mark((0, 0, 1, 0), "wrong")
    data = json.loads(json.dumps(s.marks_to_dict()))
    data["marks"].append({"word": [9, 9, 9, 9], "verdict": "right"})  # not in the document: dropped
    back = CheckSession.from_dict(doc(), data)
    assert back.marks == s.marks and back.threshold == 0.8
    with pytest.raises(BadInput):
        Mark("maybe")
    with pytest.raises(BadInput):
        s.mark((5, 0, 0, 0), "right")
