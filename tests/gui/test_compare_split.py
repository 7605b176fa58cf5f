"""Compare mode with a word the engine cut in two and two it ran together, and the Text normalization."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from ocrviewer.core.compare import STATUSES
from ocrviewer.core.palette import STATUS_COLORS
from ocrviewer.gui.compare_report import export_report
from ocrviewer.gui.settings_keys import COMPARE_NORMALIZATION_KEY
from tests.gui.conftest import SPLIT_ENGINE as ENGINE
from tests.gui.conftest import open_split_page


def _colour_at(window, box: tuple[int, int, int, int]) -> QColor:  # type: ignore[no-untyped-def]
    """The colour painted at the middle of an image box, as the canvas shows it."""
    frame = window.canvas.viewport().grab().toImage()
    at = window.canvas.mapFromScene(QPointF((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
    return QColor(frame.pixel(at.x(), at.y()))


def _distance(a: QColor, b: QColor) -> float:
    return float(
        ((a.red() - b.red()) ** 2 + (a.green() - b.green()) ** 2 + (a.blue() - b.blue()) ** 2) ** 0.5
    )


def test_a_split_and_a_merged_word_are_coloured_and_listed_with_their_status(
    window, qtbot, tmp_path: Path
) -> None:
    open_split_page(window, qtbot, tmp_path)
    assert window.compare.normalization == "exact"
    window.actions_["compare_mode"].setChecked(True)
    layer = window.canvas.layers["word"]
    qtbot.waitUntil(lambda: layer.statuses is not None, timeout=30000)
    texts = [layer.data.text(i) for i in range(len(layer.data))]
    names = {t: STATUSES[s] for t, s in zip(texts, layer.statuses.tolist(), strict=True)}
    assert names == {
        "Helloworld": "merged",
        "EXIF": "equal",
        "fra": "split",
        "mes": "split",
        "fine": "substituted",  # compared as written: the ligature is not "fi"
    }
    assert "<i>split</i>: truth «frames» · result «fra mes»" in window.canvas.tooltip_for(
        "word", texts.index("mes")
    )
    assert "truth «\ufb01ne» · result «fine»" in window.canvas.tooltip_for("word", texts.index("fine"))
    n = window.compare.comparison.counts()
    assert (n["split"], n["merged"], n["extra"], n["missed"]) == (1, 1, 0, 0)
    rows = [window.compare.list.item(i).text() for i in range(window.compare.list.count())]
    assert "split: «frames» → «fra mes» (0)" in rows and "merged: «Hello world» → «Helloworld» (0)" in rows
    assert len(rows) == 3  # each once, and the ligature word
    # each status painted in its own colour: the two pieces alike, unlike the equal, substituted
    # and merged words; split in its lime (no other status has that hue)
    window.canvas.fit()
    fra, mes, equal, substituted, merged = (
        _colour_at(window, box)
        for box in (ENGINE[2][1], ENGINE[3][1], ENGINE[1][1], ENGINE[4][1], ENGINE[0][1])
    )
    assert _distance(fra, mes) < 10
    assert min(_distance(fra, other) for other in (equal, substituted, merged)) > 40
    assert abs(fra.hue() - QColor(STATUS_COLORS["split"]).hue()) < 10 and fra.saturation() > 60
    assert abs(substituted.hue() - QColor(STATUS_COLORS["substituted"]).hue()) < 12, substituted.name()
    assert substituted.saturation() > 60  # painted in the status colour, outside the confidence scale
    # the list jumps to the split word's first piece
    item = window.compare.list.item(rows.index("split: «frames» → «fra mes» (0)"))
    window.compare.list.itemClicked.emit(item)
    sel = window.state.selection
    assert sel is not None
    doc = window.state.current_result().document
    assert doc.pages[0].blocks[sel.block].lines[sel.line].words[sel.word].text == "fra"


def test_the_text_box_compares_historic_spellings_and_the_report_says_so(
    window, qtbot, tmp_path: Path, settings
) -> None:
    truth = open_split_page(window, qtbot, tmp_path)
    window.compare.set_enabled(True)
    qtbot.waitUntil(lambda: window.compare.comparison is not None, timeout=30000)
    assert window.compare.comparison.counts()["substituted"] == 1
    box = window.compare.normalization_box
    assert box.isVisible() and [box.itemText(i) for i in range(box.count())] == [
        "exact",
        "historic",
        "modern",
    ]
    box.setCurrentIndex(box.findData("historic"))
    qtbot.waitUntil(
        lambda: window.compare.pair is not None and window.compare.pair[-1] == "historic", timeout=30000
    )
    assert window.compare.comparison.counts()["substituted"] == 0  # "ﬁne" and "fine" are one word now
    assert settings.value(COMPARE_NORMALIZATION_KEY) == "historic"
    out = tmp_path / "report.html"
    export_report(window, str(truth), str(out))
    qtbot.waitUntil(lambda: out.exists(), timeout=30000)
    text = out.read_text(encoding="utf-8")
    assert "Normalization: <b>historic</b>" in text and "reference «frames» / result «fra mes»" in text
