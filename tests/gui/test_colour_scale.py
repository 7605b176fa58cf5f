"""Colours follow the fitted scale on the canvas, the histogram sets the threshold, no-confidence is hatched."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.palette import FULL_SCALE
from ocrviewer.gui.canvas import Canvas
from ocrviewer.gui.overlay import BUCKETS, NO_CONF, conf_buckets
from ocrviewer.gui.quality import QualityPanel
from ocrviewer.gui.state import ViewerState
from tests.gui.conftest import words_document
from tests.support.images import DEFAULT_WORDS

WORDS = list(DEFAULT_WORDS) * 2
CONFS = (0.93, 0.99, 0.95, 0.97, 0.999, 0.91, 0.98, 0.96, 0.94, None)


def make(qtbot, settings):
    state = ViewerState()
    canvas = Canvas(state)
    panel = QualityPanel(state, settings)
    for w in (canvas, panel):
        qtbot.addWidget(w)
        w.show()
    canvas.resize(700, 520)
    panel.resize(300, 400)
    doc = words_document(WORDS, confidences=CONFS)
    state.set_response(doc, FrameTransform(640, 480))
    return state, canvas, panel


def test_buckets_spread_over_the_fitted_range(qtbot, settings) -> None:
    state, canvas, _panel = make(qtbot, settings)
    scale = state.colour_scale
    assert scale is not None and scale.stretched
    buckets = conf_buckets(np.array([0.93, 0.99, np.nan]), scale)
    assert buckets[1] - buckets[0] >= BUCKETS // 2  # 0.93 and 0.99 are far apart on the bar
    assert buckets[2] == NO_CONF
    word = canvas.layers["word"]
    assert word.bucket_color(int(buckets[0])) != word.bucket_color(int(buckets[1]))
    canvas.set_fit_colours(False)
    assert state.colour_scale == FULL_SCALE
    assert abs(int(conf_buckets(np.array([0.93]))[0]) - int(conf_buckets(np.array([0.99]))[0])) <= 2


def test_histogram_click_and_drag_set_the_threshold(qtbot, settings) -> None:
    state, _canvas, panel = make(qtbot, settings)
    hist = panel.histogram
    plot = hist._plot()
    y = int(plot.center().y())
    qtbot.mouseClick(hist, Qt.MouseButton.LeftButton, pos=QPoint(int(plot.center().x()), y))
    scale = state.colour_scale
    assert abs(state.min_confidence - (scale.low + scale.high) / 2) <= 0.02
    qtbot.mousePress(hist, Qt.MouseButton.LeftButton, pos=QPoint(int(plot.left() + 2), y))
    qtbot.mouseMove(hist, QPoint(int(plot.right() - 2), y))
    qtbot.mouseRelease(hist, Qt.MouseButton.LeftButton, pos=QPoint(int(plot.right() - 2), y))
    assert state.min_confidence >= scale.high - 0.02
    assert panel.spin.value() == state.min_confidence


def test_words_without_confidence_are_hatched(qtbot, settings) -> None:
    state, canvas, _panel = make(qtbot, settings)
    word = canvas.layers["word"]
    assert word.hatch_none
    brush = word._brush(NO_CONF, QColor("grey"))
    assert brush.style() == Qt.BrushStyle.BDiagPattern
    assert isinstance(word._brush(3, QColor("red")), QColor)
    # the legend says so
    img = QImage(700, 520, QImage.Format.Format_ARGB32)
    img.fill(0)
    p = QPainter(img)
    canvas.render(p)
    p.end()
    assert canvas.legend_wanted()


def test_only_suspects_filter_shows_just_the_words_under_the_threshold(qtbot, settings) -> None:
    state, canvas, panel = make(qtbot, settings)
    word = canvas.layers["word"]
    state.set_min_confidence(0.95)
    panel.only_radio.click()
    assert state.below_threshold == "only"
    under = sum(1 for c in CONFS if c is not None and c < 0.95)
    assert word.visible_count() == under
    img = QImage(700, 520, QImage.Format.Format_ARGB32)
    img.fill(0)
    p = QPainter(img)
    canvas.render(p)  # paints without error in the filtered mode
    p.end()
    panel.dim_radio.click()
    assert word.visible_count() == len(CONFS)


def test_inspector_swatches_use_the_canvas_colours(qtbot, settings) -> None:
    from ocrviewer.gui.inspector import InspectorPanel

    state = ViewerState()
    canvas = Canvas(state)
    inspector = InspectorPanel(state)
    for w in (canvas, inspector):
        qtbot.addWidget(w)
        w.show()
    state.set_response(words_document(WORDS, confidences=CONFS), FrameTransform(640, 480))
    words = inspector.words_model
    qtbot.waitUntil(lambda: words.rowCount() == len(WORDS), timeout=30000)

    def swatch(row: int) -> QColor:
        return words.data(words.index(row, 1), Qt.ItemDataRole.DecorationRole)

    def shown(scale) -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
        """Each row's confidence text: (its swatch, that confidence on ``scale``)."""
        rows = {}
        for row in range(words.rowCount()):
            text = words.data(words.index(row, 1))
            if text not in ("—", "1.00"):  # 1.00 is 0.999 rounded
                rows[text] = (swatch(row).getRgb()[:3], scale.rgb(float(text)))
        return rows

    def near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 3

    scale = state.colour_scale
    assert scale.stretched
    rows = shown(scale)
    assert all(near(got, want) for got, want in rows.values()), rows
    assert len({got for got, _ in rows.values()}) == 8  # 0.91..0.99 in distinct colours, as on the canvas
    tree = inspector.tree_model
    page = tree.index(0, 0)
    block = tree.index(0, 1, page)
    assert tree.data(block, Qt.ItemDataRole.DecorationRole).getRgb()[:3] == scale.rgb(0.91)  # its lowest word
    canvas.set_fit_colours(False)
    rows = shown(FULL_SCALE)
    assert all(near(got, want) for got, want in rows.values()), rows


def test_the_kept_legend_follows_what_it_shows(qtbot, settings) -> None:
    """The canvas draws its confidence legend once and copies it onto each frame: every change of
    what the legend shows (threshold, mode, colour scale, the hatched swatch, theme, font) draws it
    again, so a frame equals one whose legend is drawn afresh, and differs from the frame before."""
    from collections.abc import Callable

    from PySide6.QtGui import QFont, QPalette

    from ocrviewer.gui.legend import CornerPicture
    from ocrviewer.gui.painting import TextStamp

    state, canvas, _panel = make(qtbot, settings)

    def frame() -> QImage:
        return canvas.viewport().grab().toImage()

    def fresh() -> QImage:
        canvas._view_legend = CornerPicture()  # what a legend drawn for this frame looks like
        canvas._legend_line = TextStamp()
        return frame()

    def dark() -> None:
        palette = canvas.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(30, 30, 30))
        canvas.setPalette(palette)

    def font(change) -> Callable[[], None]:
        def set_font() -> None:
            font = QFont(canvas.font())
            change(font)
            canvas.setFont(font)

        return set_font

    lower = tuple(None if c is None else c - 0.2 for c in CONFS)  # another stretch, the same lines

    changes = [
        lambda: state.set_min_confidence(0.95),
        lambda: state.set_below_threshold("hide"),
        lambda: state.set_below_threshold("only"),
        lambda: state.set_response(words_document(WORDS, confidences=lower), FrameTransform(640, 480)),
        lambda: canvas.set_fit_colours(False),  # the bar's ticks: 0..1 instead of the words' range
        lambda: state.set_response(words_document(WORDS, confidences=(0.9,) * 20), FrameTransform(640, 480)),
        dark,
        font(lambda f: f.setBold(True)),  # the same size
        font(lambda f: f.setPointSizeF(f.pointSizeF() + 2)),
    ]
    assert canvas.legend_wanted()
    before = frame()
    assert frame() == before  # (copied from the kept picture)
    for change in changes:
        change()
        assert canvas.legend_wanted()
        now = frame()
        assert now != before
        assert now == fresh()
        before = now
