"""An OCR file with a line it does not place (a real Tesseract ALTO, one TextLine's positions taken out)
in the window: the line is kept as text only (the inspector and counts have its words, nothing is
drawn for it) and compare mode against a plain text truth scores it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.markup import FORMATS, blank_image

WAIT = 30000


def _alto_with_unplaced_line(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    raw = (FORMATS / "dinglehopper-tesseract41-alto3.xml").read_text(encoding="utf-8")
    start = raw.index('<TextLine ID="line_1"')
    end = raw.index("</TextLine>", start)
    part = re.sub(r' (HPOS|VPOS|WIDTH|HEIGHT)="[^"]*"', "", raw[start:end])
    resp = tmp_path / "ocr.alto.xml"
    resp.write_text(raw[:start] + part + raw[end:], encoding="utf-8")
    page = re.search(r'<Page[^>]* WIDTH="(\d+)" HEIGHT="(\d+)"', raw)
    assert page is not None
    image = blank_image(tmp_path, int(page.group(1)), int(page.group(2)))
    return image, resp, re.findall(r'CONTENT="([^"]*)"', part)


def test_an_unplaced_line_is_kept_and_compared(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image, resp, words = _alto_with_unplaced_line(tmp_path)
    assert window.files.open_image(str(image))
    window.files.open_response(str(resp))
    qtbot.waitUntil(lambda: window.state.document is not None and not window.files.busy, timeout=WAIT)
    doc = window.state.document
    (line,) = [ln for ln in doc.lines() if not ln.polygon]
    assert [w.text for w in line.words] == words
    assert "has no position; its text is kept as text only (nothing drawn)" in window.message_bar.text
    # nothing drawn for it: the canvas's word layer holds only the placed words
    drawn = window.canvas.layers["word"].data.elements
    assert len(drawn) == sum(1 for w in doc.words() if w.polygon) == len(list(doc.words())) - len(words)
    truth = tmp_path / "truth.txt"
    truth.write_text("\n".join(ln.text for ln in doc.lines()) + "\n", encoding="utf-8")
    window.files.open_truth(str(truth))
    qtbot.waitUntil(lambda: len(window.state.results()) == 2 and not window.files.busy, timeout=WAIT)
    shown = next(r for r in window.state.results() if r.role != "truth")
    window.state.show_result(shown.id)
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    window.compare.set_enabled(True)
    qtbot.waitUntil(lambda: any(m.startswith("compare (") for m in said), timeout=WAIT)
    counts = window.compare.comparison.counts()
    assert counts["missed"] == 0 and counts["extra"] == 0, counts
    assert counts["equal"] == sum(1 for _ in doc.words())
