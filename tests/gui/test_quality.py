"""Quality dock: threshold slider/spinbox drive the state, histogram and counts follow."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.gui.quality import BELOW_THRESHOLD_KEY, QualityPanel, confidence_histogram
from ocrviewer.gui.state import ViewerState
from tests.support.elements import make_document


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def state() -> ViewerState:
    s = ViewerState()
    s.set_response(make_document(), FrameTransform.identity(640, 480))
    return s


@pytest.fixture
def panel(qtbot, state, settings) -> QualityPanel:
    p = QualityPanel(state, settings)
    qtbot.addWidget(p)
    p.resize(300, 360)
    p.show()
    return p


def test_histogram_bins():
    counts = confidence_histogram([0.0, 0.04, 0.05, 0.5, 0.99, 1.0])
    assert len(counts) == 20
    assert counts[0] == 2 and counts[1] == 1 and counts[10] == 1 and counts[19] == 2


def test_counts_and_histogram_from_document(panel):
    assert "2 blocks" in panel.counts_label.text()
    assert "4 lines" in panel.counts_label.text()
    assert "7 words" in panel.counts_label.text()
    assert sum(panel.histogram.counts) == 6  # "due" has no confidence
    assert panel.no_conf_label.text() == "1 of 7 words"
    assert panel.under_label.text().startswith("0 of 6 words")


def test_slider_updates_state_spinbox_and_histogram(qtbot, panel, state):
    with qtbot.waitSignal(state.thresholdChanged, timeout=30000):
        panel.slider.setValue(50)
    assert state.min_confidence == pytest.approx(0.5)
    assert panel.spin.value() == pytest.approx(0.5)
    assert panel.histogram.threshold == pytest.approx(0.5)
    assert panel.under_label.text().startswith("2 of 6 words")  # 0.42 and 0.12
    panel.spin.setValue(0.9)
    assert state.min_confidence == pytest.approx(0.9)
    assert panel.slider.value() == 90
    assert panel.under_label.text().startswith("4 of 6 words")
    state.set_min_confidence(0.2)  # from elsewhere (the canvas legend, a shortcut)
    assert panel.slider.value() == 20 and panel.spin.value() == pytest.approx(0.2)


def test_threshold_line_is_drawn_where_the_threshold_is(panel, state):
    state.set_min_confidence(0.5)
    image = panel.histogram.grab().toImage()
    text_color = panel.histogram.palette().text().color()
    mid = image.width() // 2
    column = [image.pixelColor(x, image.height() // 2) for x in range(mid - 4, mid + 5)]
    assert any(c.red() == text_color.red() and c.green() == text_color.green() for c in column)


def test_dim_or_hide_goes_to_state_and_settings(panel, state, settings):
    assert state.below_threshold == "dim"
    with pytest.MonkeyPatch.context():
        panel.hide_radio.setChecked(True)
    assert state.below_threshold == "hide"
    assert settings.value(BELOW_THRESHOLD_KEY) == "hide"


def test_new_image_clears_counts(panel, state):
    state.set_image(None, None)
    assert panel.counts_label.text() == "no response"
    assert sum(panel.histogram.counts) == 0


def test_dim_hide_changed_elsewhere_shows_here(panel, state):
    state.set_below_threshold("hide")
    assert panel.hide_radio.isChecked()


def test_counts_read_as_english_for_one(qtbot, settings) -> None:
    """ "1 page(s), 1 blocks, ... 1 tables" read oddly; one of a kind is singular."""
    from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
    from ocrviewer.core.status_text import count_text
    from ocrviewer.gui.quality import QualityPanel
    from ocrviewer.gui.state import ViewerState

    word = Word("one", polygon_from_bbox(10, 10, 50, 30), confidence=0.9)
    line = Line("one", polygon_from_bbox(10, 10, 50, 30), (word,))
    doc = Document((Page(100.0, 100.0, (Block(polygon_from_bbox(10, 10, 50, 30), (line,)),)),))
    state = ViewerState()
    panel = QualityPanel(state, settings)
    qtbot.addWidget(panel)
    state.source_document = doc
    state.document = doc
    state.documentChanged.emit()
    assert panel.counts_label.text().replace("\n", " ").startswith("1 page, 1 block, 1 line, 1 word")
    assert count_text(doc, 1) == "1 block · 1 line · 1 word"
