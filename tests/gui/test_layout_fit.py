"""What a user sees at common window sizes: nothing cut off, nothing hidden that has room."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtWidgets import QApplication, QDockWidget, QStyle, QStyleOptionComboBox, QToolBar, QToolButton

from ocrviewer.core.model import Document
from ocrviewer.resources import find_sample
from tests.gui.conftest import settled


def sample_window(
    qtbot, settings, size: tuple[int, int], tmp_path: Path | None = None, response_name: str = ""
):
    """A window with its panels showing the bundled sample (its response optionally renamed)."""
    from ocrviewer.gui.app import is_settled
    from ocrviewer.gui.main_window import MainWindow

    image, response = find_sample()
    assert response is not None
    if response_name and tmp_path is not None:
        image = Path(shutil.copy(image, tmp_path / image.name))
        response = Path(shutil.copy(response, tmp_path / response_name))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    win.resize(*size)
    qtbot.waitExposed(win)
    assert win.files.open_image(str(image))
    win.files.open_response(str(response))
    qtbot.waitUntil(lambda: is_settled(win) and isinstance(win.state.document, Document), timeout=30000)
    win.resize(
        *size
    )  # (again: the tests' offscreen screen is 800 px wide, and a window is kept on its screen)
    qtbot.waitUntil(lambda: win.size().width() == size[0], timeout=30000)
    QApplication.processEvents()
    return win


def in_bar(bar: QToolBar, widget) -> bool:
    """``widget`` is shown inside the toolbar's own row (not in its extension popup)."""
    if not widget.isVisible():
        return False
    top_left = widget.mapTo(bar, QPoint(0, 0))
    return bar.rect().contains(QRect(top_left, widget.size()))


def edit_width(combo) -> int:
    """The width the combo box has for its current text."""
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    rect = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return rect.width()


def test_the_whole_toolbar_fits_a_1024_px_window(qtbot, settings) -> None:
    """At 1024x700 the result chooser was pushed into the toolbar's overflow, out of sight."""
    win = sample_window(qtbot, settings, (1024, 700))
    bar = win.toolbar
    chooser = win.result_chooser
    qtbot.waitUntil(lambda: in_bar(bar, chooser), timeout=30000)
    for action in bar.actions():
        widget = bar.widgetForAction(action)
        if widget is not None and not action.isSeparator():
            assert in_bar(bar, widget), action.iconText() or type(widget).__name__
    ext = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert ext is None or not ext.isVisible()  # nothing left over
    # the sample's name is shown whole
    assert chooser.currentText() == "receipt.local.json"
    assert edit_width(chooser) >= chooser.fontMetrics().horizontalAdvance(chooser.currentText())


def test_a_narrow_window_keeps_the_chooser_and_reaches_the_rest_through_the_arrow(qtbot, settings) -> None:
    win = sample_window(qtbot, settings, (640, 600))
    bar = win.toolbar
    qtbot.waitUntil(lambda: in_bar(bar, win.result_chooser), timeout=30000)  # before the view switches
    ext = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert ext is not None and ext.isVisible() and bar.rect().contains(ext.geometry())
    hidden = [a for a in bar.actions() if not a.isSeparator() and not in_bar(bar, bar.widgetForAction(a))]
    assert hidden  # some go in the overflow ...
    ext.click()  # ... and the arrow shows every one of them
    qtbot.waitUntil(lambda: all(bar.widgetForAction(a).isVisible() for a in hidden), timeout=30000)
    ext.click()


def test_a_long_result_name_is_elided_with_the_full_name_in_the_tooltip(qtbot, settings, tmp_path) -> None:
    long_name = "receipt.scanned-at-the-front-desk-on-a-rainy-tuesday.local.json"
    win = sample_window(qtbot, settings, (1024, 700), tmp_path, long_name)
    chooser = win.result_chooser
    assert chooser.currentText() == long_name
    bar = win.toolbar
    qtbot.waitUntil(lambda: in_bar(bar, chooser), timeout=30000)  # still in the bar: its width is bounded
    assert edit_width(chooser) < chooser.fontMetrics().horizontalAdvance(long_name)
    shown = chooser.shown_text()  # elided, not cut off mid-letter
    assert shown.endswith("…") and long_name.startswith(shown[:-1])
    assert chooser.fontMetrics().horizontalAdvance(shown) <= edit_width(chooser)
    assert long_name in chooser.toolTip()
    # wide enough for a readable part of the name
    assert edit_width(chooser) >= chooser.fontMetrics().horizontalAdvance("receipt.scanned-at")
    # the Recognition panel's provider ("Local engine (RapidOCR, offline)") likewise, in its 1024 px panel
    provider = win.dock_context.panels["recognition"].provider_combo
    qtbot.waitUntil(lambda: provider.width() > 0 and "Local engine" in provider.currentText(), timeout=30000)
    shown = provider.shown_text()
    assert provider.fontMetrics().horizontalAdvance(shown) <= edit_width(provider)
    if shown != provider.currentText():
        assert shown.endswith("…") and provider.currentText() in provider.toolTip()


@pytest.mark.parametrize("width", [1400, 1920])
def test_the_chooser_does_not_stretch_over_a_wide_toolbar(qtbot, settings, width: int) -> None:
    win = sample_window(qtbot, settings, (width, 900))
    chooser = win.result_chooser
    assert in_bar(win.toolbar, chooser)
    assert chooser.width() < 400


def words_under(canvas, rect) -> int:
    """How many word boxes a rect of the canvas' viewport covers."""
    words = canvas.layers["word"]
    scene = canvas.mapToScene(rect.toAlignedRect()).boundingRect()
    return words.data.count_in_rect(words.mapFromScene(scene).boundingRect())


def legend_drawn(canvas):
    canvas.viewport().repaint()
    return canvas.legend_rect


@pytest.mark.parametrize("size", [(1024, 700), (960, 540)])  # (960x540: a 1920x1080 screen at 2x)
def test_the_legend_goes_to_a_corner_free_of_words(qtbot, settings, size) -> None:
    """Zoomed into the receipt, the legend sat over its prices in the bottom-right corner while
    the corner left of them was empty."""
    from PySide6.QtCore import QPointF

    from ocrviewer.gui.legend import CORNERS, corner_rect, legend_size

    win = sample_window(qtbot, settings, size)
    win.welcome.hide()
    canvas = win.canvas
    canvas.set_zoom(0.6)
    vp = canvas.viewport().rect()
    o = canvas.style_opts
    full = legend_size(canvas.font(), o.min_confidence, True, o.scale)
    # a word of the receipt under the old place (bottom right) while another corner is empty
    data = canvas.layers["word"].data
    old = corner_rect(vp, full, "bottom-right")
    for x0, y0, x1, y1 in data.bboxes:
        canvas.centerOn(
            QPointF((x0 + x1) / 2, (y0 + y1) / 2) + QPointF(vp.center()) / 0.6 - old.center() / 0.6
        )
        QApplication.processEvents()
        counts = {c: words_under(canvas, corner_rect(vp, full, c)) for c in CORNERS}
        if counts["bottom-right"] and min(counts.values()) == 0:
            break
    else:
        pytest.fail("no view of the sample with a word under the bottom-right corner and a free corner")
    rect = legend_drawn(canvas)
    assert rect is not None and QRectF_in(vp, rect)
    assert words_under(canvas, rect) == 0
    # never under what floats over the picture (the first start's welcome strip along the top)
    win.welcome.show()
    QApplication.processEvents()
    rect = legend_drawn(canvas)
    assert rect is not None and not rect.intersects(QRectF(win.welcome.geometry()))
    win.welcome.hide()
    # at fit the bundled sample's words are all clear of it too
    canvas.fit()
    QApplication.processEvents()
    rect = legend_drawn(canvas)
    assert rect is not None and words_under(canvas, rect) == 0


def QRectF_in(vp, rect) -> bool:  # noqa: N802 - reads as the type it checks
    return vp.contains(rect.toAlignedRect())


def open_truth_and_second_engine(win, qtbot, tmp_path: Path) -> None:
    """The sample with a ground truth (its words, a few changed) and a second engine's result."""
    import json

    from ocrviewer.resources import samples_dir

    image, response = find_sample()
    assert response is not None
    doc = json.loads(response.read_text(encoding="utf-8"))
    for n, word in enumerate(w for b in doc["pages"][0]["blocks"] for ln in b["lines"] for w in ln["words"]):
        if n % 9 == 0:
            word["text"] += "x"
    truth = tmp_path / "receipt.ground-truth.json"
    truth.write_text(json.dumps(doc), encoding="utf-8")
    win.files.open_response(str(samples_dir() / "receipt.yandex-raw-frame.json"))
    qtbot.waitUntil(lambda: len(win.state.results()) == 2, timeout=30000)
    win.files.open_truth(str(truth))
    qtbot.waitUntil(lambda: len(win.state.results()) == 3 and not win.files.busy, timeout=30000)
    engine = next(r for r in win.state.results() if r.name == "receipt.local.json")
    win.state.show_result(engine.id)


@pytest.mark.parametrize("mode", ["compare_wipe", "compare_side"])
def test_the_wipe_caption_wraps_instead_of_widening_the_window(qtbot, settings, tmp_path, mode) -> None:
    """The wipe's one-line caption (A's and B's names and scores) made a 1024 px window 1947 px wide."""
    win = sample_window(qtbot, settings, (1024, 700))
    open_truth_and_second_engine(win, qtbot, tmp_path)
    win.actions_[mode].setChecked(True)
    views = win.compare.views
    qtbot.waitUntil(lambda: views.b is not None and views.caption_a.isVisible(), timeout=30000)
    # laid out: the splitter and the captions have their places (the window grew here)
    qtbot.waitUntil(lambda: views.caption_a.width() > 100, timeout=30000)
    win.centralWidget().layout().activate()
    QApplication.processEvents()
    assert win.width() == 1024
    for caption in (views.caption_a, views.caption_b):
        if caption.isVisible():
            assert "CER" in caption.text()
            assert caption.height() >= caption.heightForWidth(caption.width())  # every line shown
            assert win.rect().contains(QRect(caption.mapTo(win, QPoint(0, 0)), caption.size()))
    if mode == "compare_wipe":  # A's figures and B's each start a line (run on, one broke "0 / missed")
        lines = views.caption_a.text().split("<br>")
        assert len(lines) == 2 and lines[0].startswith("◀ A:") and lines[1].startswith("B:")


def test_a_long_status_message_is_elided_and_said_whole_in_the_tooltip(qtbot, settings) -> None:
    """At 1024 px the sample's message ended '... display frame (normal), confidenc' (cut mid-word)."""
    win = sample_window(qtbot, settings, (1024, 700))
    bar = win.statusBar()
    text = "receipt.local.json: 56 words, 27 lines · display frame (normal), confidence 1.00 · " + "x" * 40
    bar.showMessage(text, 60000)
    QApplication.processEvents()
    assert not bar.grab().isNull()  # (drawn without an error)
    shown = bar.shown_message()
    room = bar.message_rect()
    assert room.right() < win.count_label.x()  # left of the permanent labels
    assert shown.endswith("…") and text.startswith(shown[:-1])
    assert bar.fontMetrics().horizontalAdvance(shown) <= room.width()
    assert bar.toolTip() == text
    # a message with room is shown whole, without a tooltip
    bar.showMessage("ready", 60000)
    assert bar.shown_message() == "ready" and bar.toolTip() == ""
    assert bar.currentMessage() == "ready"


def test_the_quality_panel_shows_its_choices_and_counts_whole_in_a_1024_px_window(
    qtbot, settings, tmp_path
) -> None:
    """With 210 words 'Under threshold' broke in two lines drawn in one line's height, and 'Words
    under it:' beside Dim/Hide/Only them was cut off at the panel's edge."""
    from ocrviewer.gui.docks import raise_parent_dock
    from tests.support.responses import build_response, write_response

    win = sample_window(qtbot, settings, (1024, 700))
    words = [
        (f"w{i}", (20.0 + 60 * (i % 15), 20.0 + 30 * (i // 15), 70.0 + 60 * (i % 15), 40.0 + 30 * (i // 15)))
        for i in range(210)
    ]
    resp = write_response(
        tmp_path / "many.json", build_response("azure-v3", words, display_size=(1200, 1600))
    )
    win.files.open_response(str(resp))
    qtbot.waitUntil(
        lambda: win.state.document is not None and len(win.canvas.layers["word"].data) == 210, timeout=30000
    )
    quality = win.dock_context.panels["quality"]
    raise_parent_dock(quality)
    qtbot.waitUntil(lambda: quality.isVisible() and "210" in quality.under_label.text(), timeout=30000)
    QApplication.processEvents()
    label = quality.under_label
    assert label.height() >= label.heightForWidth(label.width())  # every line of it shown
    for widget in (quality.dim_radio, quality.hide_radio, quality.only_radio):
        right = widget.mapTo(quality, QPoint(widget.width(), 0)).x()
        assert right <= quality.width()
        assert widget.width() >= widget.sizeHint().width()  # not cut off


def test_the_page_strip_shows_each_status_line_unbroken_in_a_1024_px_window(
    qtbot, settings, tmp_path
) -> None:
    """Beside its 96 px thumbnail a page's status had ~50 px: 'Page 1 / 210 / words / mean / 0.76'
    one word a line."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from tests.gui.test_document_window import _open_with_response

    win = sample_window(qtbot, settings, (1024, 700))
    _open_with_response(win, qtbot, tmp_path)
    view = win.page_strip.view
    qtbot.waitUntil(lambda: view.isVisible() and view.model().rowCount() == 6, timeout=30000)
    QApplication.processEvents()
    assert win.page_strip.mapTo(win, QPoint(win.page_strip.width(), 0)).x() <= win.width()
    fm = view.fontMetrics()
    for row in range(2):
        index = view.model().index(row, 0)
        opt = QStyleOptionViewItem()
        view.initViewItemOption(opt)
        view.itemDelegate().initStyleOption(opt, index)
        opt.rect = view.visualRect(index)
        text = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, view)
        lines = str(index.data()).splitlines()
        assert len(lines) >= 3
        assert text.width() >= max(fm.horizontalAdvance(line) for line in lines), lines
        assert text.height() >= fm.height() * len(lines), lines


@pytest.mark.parametrize("size", [(1024, 700), (1400, 900)])
def test_the_pages_column_takes_its_room_from_the_picture_not_the_panels(
    qtbot, settings, tmp_path, size
) -> None:
    """Opening a PDF put the Pages column beside the left panels and squeezed them: Frame tools
    scrolled sideways, its right-hand buttons and the 'Why' text cut off."""
    from PySide6.QtWidgets import QDockWidget, QScrollArea

    from tests.gui.test_document_window import _open_with_response

    win = sample_window(qtbot, settings, size)
    frame_dock = next(d for d in win.docks if d.objectName() == "frameDock")
    frame_dock.raise_()
    scroll = frame_dock.widget()
    assert isinstance(scroll, QScrollArea)
    qtbot.waitUntil(lambda: scroll.isVisible() and scroll.viewport().width() > 0, timeout=30000)
    # (settled: one event pass did not show a scroll bar that a later layout pass brings)
    assert settled(qtbot, scroll.horizontalScrollBar().isVisible) is False  # whole before the document
    _open_with_response(win, qtbot, tmp_path)
    pages = win.pages_dock
    assert isinstance(pages, QDockWidget)
    qtbot.waitUntil(lambda: pages.isVisible() and pages.width() > 0, timeout=30000)
    frame_dock.raise_()
    qtbot.waitUntil(lambda: scroll.isVisible(), timeout=30000)
    assert settled(qtbot, scroll.horizontalScrollBar().isVisible) is False
    assert win.canvas.width() >= 0.4 * win.width()  # and the picture keeps its share


def test_the_message_bar_follows_the_dark_theme(window, qtbot) -> None:
    """In the dark theme an error still came as a pale pink bar with dark red text."""
    bar = window.message_bar

    def background_lightness() -> int:
        image = bar.grab().toImage()
        return image.pixelColor(image.width() // 2, image.height() - 3).lightness()

    window.set_theme("dark", remember=False)
    bar.show_message("cannot read page.png; check the file", "error")
    qtbot.waitUntil(bar.isVisible, timeout=30000)
    assert background_lightness() < 100
    text = bar.label.palette().color(bar.label.foregroundRole()).lightness()
    assert text > 160  # light text on it
    window.set_theme("light", remember=False)  # the bar shown changes with the theme
    assert background_lightness() > 200


def test_every_swatch_of_compare_modes_legend_shows_on_the_dark_legend(qapp) -> None:
    """'extra' is black: on the dark theme's legend its swatch could not be seen."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter

    from ocrviewer.core.palette import STATUS_COLORS
    from ocrviewer.gui.legend import PADDING, paint_status_legend, status_legend_size

    font = QFont()
    w, h = status_legend_size(font)
    image = QImage(int(w) + 4, int(h) + 4, QImage.Format.Format_ARGB32)
    image.fill(0xFF000000)  # a dark picture under it
    painter = QPainter(image)
    rect = paint_status_legend(painter, QPointF(w + 2, h + 2), font, dark=True)
    painter.end()
    fm = QFontMetricsF(font)
    backdrop = image.pixelColor(int(rect.right()) - 20, int(rect.top()) + 4).lightness()
    y = rect.top() + PADDING + fm.height() + 4
    for name in STATUS_COLORS:
        top = int(y + (fm.height() - 10) / 2)
        left = int(rect.left() + PADDING)
        ring = [
            image.pixelColor(left + dx, top + dy).lightness() for dx in (-1, 0, 10) for dy in range(-1, 11)
        ]
        assert max(abs(v - backdrop) for v in ring) > 60, name  # its edge stands out from the legend
        y += fm.height()


def test_the_shortcut_sheet_shows_every_key_in_a_narrow_view(qtbot, settings) -> None:
    """In a 960x540 window (a 1920x1080 screen at 2x) the sheet's second column of keys was cut
    off at the right ('Ctrl+', 'PgU', 'Shift')."""
    from PySide6.QtWidgets import QLabel, QScrollArea

    win = sample_window(qtbot, settings, (960, 540))
    sheet = win.shortcut_sheet
    win.actions_["shortcuts"].trigger()
    qtbot.waitUntil(sheet.isVisible, timeout=30000)
    QApplication.processEvents()
    body = sheet.findChild(QScrollArea).widget()
    viewport = body.parentWidget()
    labels = [w for w in body.findChildren(QLabel) if w.isVisible()]
    assert len(labels) == 2 * len(sheet.rows)
    for label in labels:
        right = label.mapTo(viewport, QPoint(label.width(), 0)).x()
        assert right <= viewport.width(), label.text()
        assert label.width() >= label.minimumSizeHint().width(), label.text()
    win.resize(1600, 900)  # room again: two columns
    qtbot.waitUntil(lambda: sheet.columns == 2, timeout=30000)


def test_no_legend_peeks_out_under_the_shortcut_sheet(qtbot, settings) -> None:
    win = sample_window(qtbot, settings, (960, 540))
    canvas = win.canvas
    assert legend_drawn(canvas) is not None
    win.actions_["shortcuts"].trigger()
    qtbot.waitUntil(win.shortcut_sheet.isVisible, timeout=30000)
    QApplication.processEvents()
    rect = legend_drawn(canvas)
    assert rect is None or not rect.intersects(QRectF(win.shortcut_sheet.geometry()))
    win.shortcut_sheet.hide()
    assert legend_drawn(canvas) is not None  # back once it closes


def test_the_words_list_has_room_for_the_words_in_a_1024_px_window(qtbot, settings, tmp_path) -> None:
    """With a PDF's Pages column the Inspector's Words list showed its text column ~30 px wide
    ('e...', 'in...'), beside a Level column saying 'word' on every row."""
    from tests.gui.test_document_window import _open_with_response

    win = sample_window(qtbot, settings, (1024, 700))
    _open_with_response(win, qtbot, tmp_path)
    inspector = win.dock_context.panels["inspector"]
    next(d for d in win.docks if d.objectName() == "inspectorDock").raise_()
    inspector.tabs.setCurrentIndex(2)
    table = inspector.words_table
    qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() > 0, timeout=30000)
    QApplication.processEvents()
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance("inspector") + 12
    header = table.horizontalHeader()
    shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    assert sum(header.sectionSize(c) for c in shown) <= table.viewport().width()  # no sideways scrolling


def dock_tab_bars(win) -> list:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    bars = win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return [b for b in bars if b.isVisible() and b.count() > 1]


def tab_names_whole(bar) -> bool:
    """Every tab of ``bar`` has the room its name needs (Qt elides a squeezed one: "Qu…")."""
    vertical = bar.shape() in (bar.Shape.RoundedWest, bar.Shape.RoundedEast)
    for i in range(bar.count()):
        rect, hint = bar.tabRect(i), bar.tabSizeHint(i)
        if (rect.height() < hint.height()) if vertical else (rect.width() < hint.width()):
            return False
    return True


def test_six_panels_down_one_side_keep_readable_tab_names(qtbot, settings, tmp_path) -> None:
    """In a 960x540 window (a 1920x1080 screen at 2x) with compare mode on, the six panels down
    the left side had their names cut to 'Recogni…', 'Insp…', 'Qu…', 'Frame t…', 'Ch…'."""
    from ocrviewer.gui.docks import full_title

    win = sample_window(qtbot, settings, (960, 540))
    open_truth_and_second_engine(win, qtbot, tmp_path)
    win.actions_["compare_mode"].setChecked(True)
    qtbot.waitUntil(lambda: any(b.count() == 6 for b in dock_tab_bars(win)), timeout=30000)
    bar = next(b for b in dock_tab_bars(win) if b.count() == 6)
    qtbot.waitUntil(lambda: tab_names_whole(bar), timeout=30000)
    names = [bar.tabText(i) for i in range(bar.count())]
    assert "Quality" in names and "Check" in names  # the short names are whole
    docks = {full_title(d): d for d in win.findChildren(QDockWidget)}
    # each tab's tooltip and the Panels menu say the panel's full name
    qtbot.waitUntil(lambda: bar.tabToolTip(names.index("OCR")) == "Recognition", timeout=30000)
    assert docks["Recognition"].toggleViewAction().text() == "Recognition"
    docks["Recognition"].setFloating(True)  # a panel of its own has its own name again
    qtbot.waitUntil(lambda: docks["Recognition"].windowTitle() == "Recognition", timeout=30000)
    docks["Recognition"].setFloating(False)
    # with room again, the full names come back
    win.resize(1600, 1000)
    qtbot.waitUntil(lambda: "Recognition" in [bar.tabText(i) for i in range(bar.count())], timeout=30000)
    qtbot.waitUntil(lambda: tab_names_whole(bar), timeout=30000)


def test_the_provider_name_is_shown_whole_in_a_1024_px_window(qtbot, settings) -> None:
    """Beside its 'Provider:' label the chooser in the 275 px panel read 'Local engine (RapidOCR, o…'."""
    win = sample_window(qtbot, settings, (1024, 700))
    panel = win.dock_context.panels["recognition"]
    provider = panel.provider_combo
    next(d for d in win.docks if d.objectName() == "recognitionDock").raise_()
    qtbot.waitUntil(lambda: provider.isVisible() and "Local engine" in provider.currentText(), timeout=30000)
    QApplication.processEvents()
    assert provider.shown_text() == provider.currentText() == "Local engine (RapidOCR, offline)"
    assert edit_width(provider) >= provider.fontMetrics().horizontalAdvance(provider.currentText())
    assert provider.mapTo(panel, QPoint(provider.width(), 0)).x() <= panel.width()


def test_no_legend_over_the_words_of_a_picture_too_small_for_one(qtbot, settings) -> None:
    """In a 640x400 window (a 1280x800 screen at 2x) the legend took 60% of the picture's width
    and sat over the receipt's heading; a 1024 px window keeps it."""
    win = sample_window(qtbot, settings, (640, 400))
    canvas = win.canvas
    canvas.fit()
    QApplication.processEvents()
    assert canvas.legend_wanted()  # (colours by confidence, legend on)
    assert legend_drawn(canvas) is None
    win.resize(1024, 700)
    qtbot.waitUntil(lambda: legend_drawn(canvas) is not None, timeout=30000)


def test_every_engines_options_show_their_names_whole_in_a_1024_px_window(qtbot, settings) -> None:
    """Yandex's 'Let Yandex log the request:' was cut to 'Let Yandex l' beside its chooser."""
    from PySide6.QtWidgets import QFormLayout, QLabel

    win = sample_window(qtbot, settings, (1024, 700))
    panel = win.dock_context.panels["recognition"]
    next(d for d in win.docks if d.objectName() == "recognitionDock").raise_()
    qtbot.waitUntil(lambda: panel.isVisible() and panel.ready, timeout=30000)
    form = panel.options_form
    for i in range(panel.provider_combo.count()):
        name = panel.provider_combo.itemData(i)
        panel.select_provider(name)
        panel.layout().activate()
        QApplication.processEvents()
        assert form.rowCount() == len(panel.option_widgets)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            assert isinstance(label, QLabel)
            assert label.width() >= label.sizeHint().width(), (name, label.text())
            for widget in (label, field):
                assert widget.mapTo(panel, QPoint(widget.width(), 0)).x() <= panel.width(), (
                    name,
                    label.text(),
                )
            assert not label.geometry().intersects(field.geometry()), (name, label.text())


def test_the_frame_panel_explains_why_across_its_width_in_a_1024_px_window(qtbot, settings) -> None:
    """For a raw-frame response the 'Why' sat in the field column, ~110 px: 'page / 1600x1200 /
    equals the stored' a line, two sentences in view."""
    from ocrviewer.resources import samples_dir

    win = sample_window(qtbot, settings, (1024, 700))
    win.files.open_response(str(samples_dir() / "receipt.yandex-raw-frame.json"))
    frame = win.dock_context.panels["frame"]
    qtbot.waitUntil(lambda: "page 1600x1200" in frame.reasons_label.text(), timeout=30000)
    next(d for d in win.docks if d.objectName() == "frameDock").raise_()
    scroll = frame.reasons_scroll
    qtbot.waitUntil(lambda: scroll.isVisible() and scroll.width() > 0, timeout=30000)
    QApplication.processEvents()
    assert scroll.width() >= 0.8 * frame.width()
    fm = frame.reasons_label.fontMetrics()
    assert scroll.viewport().width() >= fm.horizontalAdvance("• page 1600x1200 equals the")


def indicator_contrast(button) -> int:
    """How far the check box's or radio button's indicator stands out from the panel around it."""
    from PySide6.QtWidgets import QCheckBox, QStyleOptionButton

    opt = QStyleOptionButton()
    button.initStyleOption(opt)
    element = (
        QStyle.SubElement.SE_CheckBoxIndicator
        if isinstance(button, QCheckBox)
        else QStyle.SubElement.SE_RadioButtonIndicator
    )
    rect = button.style().subElementRect(element, opt, button)
    image = button.grab().toImage()
    around = image.pixelColor(rect.right() + 2, rect.center().y()).lightness()
    return max(
        abs(image.pixelColor(x, y).lightness() - around)
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    )


@pytest.mark.parametrize("checked", [False, True])
def test_check_boxes_and_radio_buttons_stand_out_in_the_dark_theme(window, qtbot, checked) -> None:
    """Dark on dark (~1.2:1): the dark theme's unticked 'Fresh run' box and the Quality panel's
    Dim/Hide/Only them circles could hardly be seen."""
    from PySide6.QtWidgets import QCheckBox, QRadioButton, QVBoxLayout, QWidget

    window.set_theme("dark", remember=False)
    panel = QWidget()
    qtbot.addWidget(panel)
    box, radio = QCheckBox("Fresh run"), QRadioButton("Dim")
    layout = QVBoxLayout(panel)
    layout.addWidget(box)
    layout.addWidget(radio)
    box.setChecked(checked)
    radio.setChecked(checked)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.palette().color(panel.backgroundRole()).lightness() < 100  # (dark)
    assert indicator_contrast(box) > 70
    assert indicator_contrast(radio) > 70
    window.set_theme("light", remember=False)


def contrast(a, b) -> float:
    """WCAG contrast ratio of two QColors."""

    def lum(c) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_contrast(label) -> float:
    from PySide6.QtGui import QPalette

    pal = label.palette()
    return contrast(pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_notes_warnings_and_errors_are_readable_in_both_themes(qtbot, settings, theme) -> None:
    """The slide dialog's 'PNG, JPEG or PDF…' note was drawn in a border colour (~1.5:1), and the
    panels' fixed red and orange were ~3:1 on the dark window."""
    from PySide6.QtWidgets import QLabel

    from ocrviewer.gui.demo_export import DemoExportDialog

    window = sample_window(qtbot, settings, (1024, 700))
    window.set_theme(theme, remember=False)
    dialog = DemoExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    note = next(w for w in dialog.findChildren(QLabel) if w.text().startswith("PNG, JPEG or PDF"))
    assert text_contrast(note) >= 4.5
    recognition = window.dock_context.panels["recognition"]
    qtbot.waitUntil(lambda: recognition.ready, timeout=30000)
    recognition.select_provider("yandex")  # no credentials here: the orange "Unavailable: …"
    assert recognition.reason_label.isVisibleTo(recognition) and recognition.reason_label.text()
    assert text_contrast(recognition.reason_label) >= 4.5
    recognition.show_message("yandex cannot run")  # the red message
    assert text_contrast(recognition.message_label) >= 4.5
    window.set_theme("light", remember=False)


@pytest.mark.parametrize("size", [(960, 700), (1024, 700)])
def test_recognize_stays_in_the_toolbar_of_a_960_px_window(qtbot, settings, size) -> None:
    """At 960 px the toolbar's last action, Recognize, went into the » overflow menu: the one that
    makes a result now stands beside the result chooser, and view buttons overflow first."""
    win = sample_window(qtbot, settings, size)
    bar = win.toolbar
    run = win.dock_context.actions["run_recognition"]
    qtbot.waitUntil(lambda: in_bar(bar, win.result_chooser), timeout=30000)
    assert in_bar(bar, bar.widgetForAction(run))
    assert bar.widgetForAction(run).text() == "Recognize"


def test_the_shortcut_sheet_keeps_keys_whole_over_a_picture_squeezed_by_panels(qtbot) -> None:
    """A layout saved in a wide window and restored in a 1024 px one left the picture 330 px
    wide: the sheet's one column cut the keys to 'Ctr', 'Shi', 'Hor'."""
    from PySide6.QtWidgets import QLabel, QScrollArea, QWidget

    from ocrviewer.gui.overlays import ShortcutSheet

    view = QWidget()
    qtbot.addWidget(view)
    view.resize(330, 430)
    view.show()
    sheet = ShortcutSheet(view)
    rows = [("Compare with Ground Truth", "D"), ("Copy Selected Text", "Ctrl+C, Ctrl+Ins")]
    rows += [
        ("Open Workspace", "Ctrl+Shift+O"),
        ("Export for a Slide", "Ctrl+Shift+E"),
        ("Find previous", "Shift+F3"),
    ]
    sheet.open(rows)
    qtbot.waitUntil(sheet.isVisible, timeout=30000)
    QApplication.processEvents()
    body = sheet.findChild(QScrollArea).widget()
    viewport = body.parentWidget()
    keys = [w for w in body.findChildren(QLabel) if w.isVisible() and w.text().startswith("<b>")]
    assert len(keys) == len(rows)
    for key in keys:
        assert key.width() >= key.sizeHint().width(), key.text()
        assert key.mapTo(viewport, QPoint(key.width(), 0)).x() <= viewport.width(), key.text()
