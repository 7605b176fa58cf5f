"""The canvas: layers, zoom, hover, click, selection from elsewhere, threshold, overlay drag."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QPointF, Qt

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.gui.state import ElementRef
from tests.gui.conftest import words_document
from tests.support.images import DEFAULT_DISPLAY_SIZE, DEFAULT_WORDS


def centre(box):
    return QPointF((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def test_layers_hold_one_polygon_per_element(loaded) -> None:
    layers = loaded.canvas.layers
    assert len(layers["word"].data) == 5
    assert len(layers["line"].data) == 3
    assert len(layers["block"].data) == 1
    assert len(layers["table"].data) == 0
    # one item per level, not one per word
    assert len(loaded.canvas.scene().items()) < 10


def test_layer_toggles_hide_and_show(loaded, qtbot) -> None:
    canvas = loaded.canvas
    act = loaded.actions_["layer_word"]
    assert act.isChecked() and canvas.layer_visible("word")
    act.trigger()
    assert not canvas.layer_visible("word")
    assert canvas.visible_count("word") == 0
    act.trigger()
    assert canvas.layer_visible("word")
    loaded.actions_["layer_block"].setChecked(True)
    assert canvas.layer_visible("block")
    # the choice survives a restart (QSettings)
    assert loaded.settings.value("view/layer_block", type=bool) is True


def test_zoom_fit_and_actual_size(loaded) -> None:
    canvas = loaded.canvas
    canvas.actual_size()
    assert abs(canvas.zoom - 1.0) < 1e-9
    canvas.zoom_in()
    assert canvas.zoom > 1.0
    canvas.fit()
    w, h = loaded.state.image_info.display_size
    shown = canvas.mapFromScene(canvas.image_item.boundingRect()).boundingRect()
    vp = canvas.viewport().rect()
    assert shown.width() <= vp.width() and shown.height() <= vp.height()
    assert shown.width() >= vp.width() - 30 or shown.height() >= vp.height() - 30


def test_hover_tooltip_names_word_confidence_and_level(loaded) -> None:
    text, box = DEFAULT_WORDS[2]
    tip = loaded.canvas.tooltip_at(centre(box))
    assert text in tip and "0.400" in tip and "word" in tip
    assert loaded.canvas.tooltip_at(QPointF(5, 470)) == ""


def test_hover_by_mouse_marks_the_word(loaded, qtbot) -> None:
    canvas = loaded.canvas
    text, box = DEFAULT_WORDS[1]
    vp = canvas.mapFromScene(centre(box))
    qtbot.mouseMove(canvas.viewport(), vp)
    qtbot.waitUntil(lambda: canvas.markers.hover is not None, timeout=30000)
    assert canvas.markers.hover == loaded.state.document.pages[0].blocks[0].lines[0].words[1].polygon
    from PySide6.QtWidgets import QToolTip

    assert text in QToolTip.text() and "0.950" in QToolTip.text()


def test_click_selects_the_word(loaded, qtbot) -> None:
    canvas = loaded.canvas
    text, box = DEFAULT_WORDS[3]
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.mapFromScene(centre(box)))
    ref = loaded.state.selection
    assert ref is not None and ref.level == "word"
    assert loaded.state.element(ref).text == text
    loaded.actions_["copy_text"].trigger()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == text
    # a click on empty paper clears it
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.mapFromScene(QPointF(600, 450)))
    assert loaded.state.selection is None


def test_selection_from_elsewhere_centres_and_highlights(loaded) -> None:
    canvas = loaded.canvas
    canvas.set_zoom(4.0)
    ref = ElementRef("word", 0, 0, 1, 1)  # "frames", mid-page
    loaded.state.select(ref)
    word = loaded.state.element(ref)
    assert canvas.markers.selection == word.polygon
    centre_scene = canvas.mapToScene(canvas.viewport().rect().center())
    b = word.bbox
    assert abs(centre_scene.x() - (b[0] + b[2]) / 2) < 3
    assert abs(centre_scene.y() - (b[1] + b[3]) / 2) < 3


def test_search_highlights_are_drawn(loaded) -> None:
    loaded.state.set_highlights((ElementRef("word", 0, 0, 0, 0), ElementRef("word", 0, 0, 1, 1)))
    assert not loaded.canvas.markers.highlights.isEmpty()
    assert loaded.canvas.markers.highlights.elementCount() >= 8


def test_threshold_hides_words_under_it(loaded) -> None:
    canvas, state = loaded.canvas, loaded.state
    state.set_below_threshold("hide")
    assert canvas.visible_count("word") == 5
    state.set_min_confidence(0.9)
    assert canvas.visible_count("word") == 3  # 0.40 and 0.85 go
    # a hidden word is not hoverable either
    assert canvas.tooltip_at(centre(DEFAULT_WORDS[2][1])) == "" or "line" in canvas.tooltip_at(
        centre(DEFAULT_WORDS[2][1])
    )
    assert "3/5 words" in loaded.count_label.text()
    state.set_below_threshold("dim")
    assert canvas.visible_count("word") == 5


def test_drag_overlay_applies_an_offset(loaded, qtbot) -> None:
    canvas, state = loaded.canvas, loaded.state
    canvas.actual_size()
    canvas.centerOn(QPointF(320, 240))
    state.set_drag_overlay(True)
    start = canvas.mapFromScene(QPointF(300, 250))
    end = canvas.mapFromScene(QPointF(330, 230))
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=start)
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent

    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(end),
        canvas.viewport().mapToGlobal(QPointF(end)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    canvas.mouseMoveEvent(move)
    assert canvas.overlay_root.pos() == QPointF(30, -20)  # live preview
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=end)
    t = state.transform
    assert (t.offset_x, t.offset_y) == (30, -20)
    assert canvas.overlay_root.pos() == QPointF(0, 0)
    first = state.document.pages[0].blocks[0].lines[0].words[0]
    assert first.bbox[0] == DEFAULT_WORDS[0][1][0] + 30


def test_image_decodes_off_the_gui_thread(window, qtbot, text_image) -> None:
    seen = []
    window.loader.decoded.connect(lambda d: seen.append(d.thread))
    window.files.open_image(str(text_image(6)))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    assert seen and all(name != threading.main_thread().name for name in seen)
    # shown as displayed: 640 x 480 although stored 480 x 640 (the pixels stay as stored, once)
    assert window.canvas.image_item.size == DEFAULT_DISPLAY_SIZE
    full = window.canvas.image_item.levels[-1]
    assert (full.image.width(), full.orientation) == (480, 6)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_painted_upright(window, qtbot, text_image, orientation: int) -> None:
    window.files.open_image(str(text_image(orientation)))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    canvas = window.canvas
    canvas.set_zoom(1.0, QPointF(320, 240))
    canvas.centerOn(QPointF(320, 240))
    frame = canvas.viewport().grab().toImage()

    def grey(x: float, y: float) -> int:
        p = canvas.mapFromScene(QPointF(x, y))
        return frame.pixelColor(p.x(), p.y()).lightness()

    for _, (left, top, right, bottom) in DEFAULT_WORDS:
        assert grey((left + right) / 2, (top + bottom) / 2) < 80  # the black box, where it is displayed
        assert grey((left + right) / 2, bottom + 12) > 170  # white paper just under it


def test_status_bar_shows_displayed_and_raw_position(loaded) -> None:
    loaded.canvas.cursorMoved.emit(100.0, 50.0)
    text = loaded.position_label.text()
    # orientation 6: displayed (x, y) is raw (y, H_disp - x) with raw size 480 x 640
    assert "displayed 100, 50" in text and "raw 50, 540" in text


def test_many_words_build_and_hit_test(window) -> None:
    words = []
    for i in range(2000):
        x, y = (i % 50) * 12, (i // 50) * 12
        words.append((f"w{i}", (x, y, x + 10, y + 8)))
    doc = words_document(words, (600, 480), [i / 2000 for i in range(2000)])
    window.state.set_response(doc, FrameTransform.identity(600, 480))
    layer = window.canvas.layers["word"]
    assert len(layer.data) == 2000
    hit = layer.hit(12 * 3 + 5, 12 * 2 + 4)
    assert layer.data.text(hit) == "w103"


def test_dense_page_draws_fills_and_respects_the_threshold(window, qtbot) -> None:
    words = []
    for i in range(4000):
        x, y = (i % 50) * 12, (i // 50) * 6
        words.append((f"w{i}", (x, y, x + 10, y + 5)))
    conf = [0.2 if i % 2 else 0.95 for i in range(4000)]
    window.state.set_image(None, None)
    doc = words_document(words, (600, 480), conf)
    window.state.set_response(doc, FrameTransform.identity(600, 480))
    canvas = window.canvas
    canvas.image_item.reset(600, 480)
    canvas.fit()
    shot = canvas.viewport().grab().toImage()
    p = canvas.mapFromScene(QPointF(5, 2.5))  # inside word 0 (confident: green fill)
    c = shot.pixelColor(p)
    assert c.green() > c.red()
    window.state.set_below_threshold("hide")
    window.state.set_min_confidence(0.5)
    assert canvas.visible_count("word") == 2000
    shot = canvas.viewport().grab().toImage()
    p = canvas.mapFromScene(QPointF(12 + 5, 2.5))  # word 1 (0.2): hidden, background shows
    assert shot.pixelColor(p) == canvas.backgroundBrush().color() or shot.pixelColor(p).red() < 200


def make_pdf(path, pages: int = 1):
    """200 x 100 pt pages: page 1's left half black, the others' right half."""
    from tests.support.documents import make_pdf as make

    return make(
        path,
        pages,
        (200.0, 100.0),
        lambda i: [(0.0, 0.0, 100.0, 100.0) if i == 0 else (100.0, 0.0, 200.0, 100.0)],
    )


def test_pdf_first_page_opens(window, qtbot, tmp_path) -> None:
    path = make_pdf(tmp_path / "page.pdf")
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    w, h = window.state.image_info.display_size
    assert abs(w / h - 2.0) < 0.05
    image = window.canvas.image_item.levels[-1].image
    assert image.pixelColor(5, image.height() // 2).lightness() < 60  # left half black
    assert image.pixelColor(image.width() - 5, image.height() // 2).lightness() > 200
    assert window.page_strip.model.rowCount() == 1


def test_pdf_next_page_and_a_one_page_response_lands_on_the_page_shown(window, qtbot, tmp_path) -> None:
    from tests.support.responses import build_response, write_response

    path = make_pdf(tmp_path / "two.pdf", pages=2)
    assert window.files.open_image(str(path))
    assert window.page_strip.model.rowCount() == 2
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    window.actions_["next_page"].trigger()
    qtbot.waitUntil(lambda: window.files.page == 1 and window.canvas.image_item.has_full, timeout=30000)
    image = window.canvas.image_item.levels[-1].image
    assert image.pixelColor(5, image.height() // 2).lightness() > 200  # page 2: right half black
    w, h = window.state.image_info.display_size
    words = [("right", (w * 0.6, h * 0.3, w * 0.9, h * 0.6))]
    resp = write_response(tmp_path / "r.json", build_response("yandex", words, display_size=(w, h)))
    window.files.open_response(str(resp))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    box = window.canvas.layers["word"].data.bboxes[0]
    assert abs(box[0] - w * 0.6) < 2 and abs(box[3] - h * 0.6) < 2
    assert window.state.workspace.pages[0].results == []  # the response is page 2's, not page 1's


def test_first_result_imports_nothing_slow_on_the_gui_thread() -> None:
    """np.median (building) and np.unique (first dense paint) imported numpy.ma (~30 ms) on the
    GUI thread when the first result landed."""
    import subprocess
    import sys

    code = (
        "import sys; from ocrviewer.gui.overlay import build_layers; "
        "from tests.gui.conftest import words_document; "
        "layers = build_layers(words_document()); assert layers['word'].bboxes is not None; "
        # the first dense paint: classes, colour table, spans and the fill
        "from ocrviewer.gui.overlay import OverlayLayer, OverlayStyle; "
        "from ocrviewer.core.raster import Grid, Placement, device_spans, rasterize; "
        "item = OverlayLayer('word', OverlayStyle()); item.set_data(layers['word']); "
        "classes = item.word_classes()[0]; g = Grid(0, 0, 64, 64); "
        "rasterize(device_spans(item.data, Placement(0.1, 0.1, 0, 0), g), classes, g); "
        "print('numpy.ma' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dense_layer_prepared_in_a_worker_paints_the_same_as_one_prepared_on_paint(qapp) -> None:
    """prepare_layers finds the box-like polygons off the GUI thread; the picture must not change,
    at any threshold."""
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QGraphicsScene

    from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
    from ocrviewer.core.palette import fit_scale
    from ocrviewer.gui.overlay import DENSE_LIMIT, OverlayLayer, OverlayStyle, build_layers, prepare_layers

    words = []
    for i in range(DENSE_LIMIT + 600):
        x, y = 10 + (i % 60) * 10, 10 + (i // 60) * 8
        if i % 7 == 0:  # a slanted quadrilateral: not box-like, filled along its edges
            poly: tuple = ((x, y), (x + 8, y + 3), (x + 6, y + 7), (x - 2, y + 4))
        else:
            poly = polygon_from_bbox(x, y, x + 8, y + 6)
        words.append(Word(f"w{i}", poly, None if i % 11 == 0 else (i % 10) / 10))
    lines = tuple(Line("", polygon_from_bbox(0, 0, 1, 1), (w,)) for w in words)
    doc = Document((Page(640.0, 480.0, (Block(polygon_from_bbox(0, 0, 640, 480), lines),)),))

    prepared = prepare_layers(doc)["word"]
    assert prepared.boxy is not None  # made here, not on the first paint
    assert 0 < int(prepared.boxy.sum()) < len(words)
    scale = fit_scale([w.confidence for w in words if w.confidence is not None])
    pictures = []
    for data in (build_layers(doc)["word"], prepared):
        for threshold in (0.0, 0.45):
            scene = QGraphicsScene()
            item = OverlayLayer("word", OverlayStyle(min_confidence=threshold, scale=scale))
            scene.addItem(item)
            item.set_data(data)
            image = QImage(640, 480, QImage.Format.Format_ARGB32)
            image.fill(QColor("white"))
            painter = QPainter(image)
            scene.render(painter, image.rect(), scene.sceneRect())
            painter.end()
            pictures.append(image)
    assert pictures[0] == pictures[2] and pictures[1] == pictures[3]
    assert pictures[0] != pictures[1]  # the threshold dims some: the comparison can fail


def test_a_response_opened_while_the_shown_pages_decode_is_finishing_lands(
    window, qtbot, tmp_path, monkeypatch
) -> None:
    # the page's image has landed but its worker has not reported 'finished' yet (a busy machine):
    # the response used to wait for a first page that had already come, forever
    from tests.support.responses import build_response, write_response

    assert window.files.open_image(str(make_pdf(tmp_path / "two.pdf", pages=2)))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    monkeypatch.setattr(type(window.loader), "busy", property(lambda self: True))
    w, h = window.state.image_info.display_size
    resp = write_response(
        tmp_path / "r.json", build_response("yandex", [("a", (10, 10, 50, 30))], display_size=(w, h))
    )
    window.files.open_response(str(resp))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)


def test_image_painted_twice_the_same_way_is_kept_at_the_view_scale(window, qtbot, text_image) -> None:
    """A hover or threshold change repaints the image from a copy at the view's pixels (identical
    pixels); a zoom step paints it directly and keeps nothing until it is painted the same way again."""
    path = text_image()
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    canvas = window.canvas
    canvas.set_zoom(0.6)
    item = canvas.image_item
    direct = canvas.viewport().grab().toImage()
    assert item._kept is None
    again = canvas.viewport().grab().toImage()  # the same way twice: kept now
    assert item._kept is not None
    copied = canvas.viewport().grab().toImage()
    assert direct == again == copied
    kept = item._kept
    window.state.set_min_confidence(0.3)  # a threshold change: the image is copied, not scaled
    canvas.viewport().grab()
    assert item._kept is kept
    canvas.set_zoom(0.45)
    canvas.viewport().grab()
    assert item._kept is kept  # a zoom step: painted directly, the old copy not used nor replaced
    canvas.viewport().grab()
    assert item._kept is not kept


def test_image_shown_still_is_kept_at_the_view_scale_in_a_pass_of_its_own(window, qtbot, text_image) -> None:
    """A view that rests gets its copy of the image made on a timer pass, so the next frame (the
    first one of a result landing, say) only copies it; the pixels are the same."""
    from ocrviewer.gui.canvas import KEEP_AFTER_MS

    path = text_image()
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    canvas = window.canvas
    canvas.set_zoom(0.6)
    item = canvas.image_item
    direct = canvas.viewport().grab().toImage()
    assert item._kept is None
    qtbot.waitUntil(lambda: item._kept is not None, timeout=30000 + KEEP_AFTER_MS)
    assert canvas.viewport().grab().toImage() == direct
    canvas.set_zoom(0.45)  # a zoom step: nothing kept for the new scale until the view rests again
    canvas.viewport().grab()
    assert item._kept is None or item._kept[0] != item._wanted


@pytest.mark.parametrize("alpha", [False, True])
def test_background_painted_by_the_canvas_gives_the_frames_qts_own_clear_gives(
    window, qtbot, tmp_path, monkeypatch, alpha: bool
) -> None:
    """The canvas paints its background itself (Qt no longer clears the viewport first), and not
    under an opaque picture, a pixel in from its edges; every frame is the one Qt's own fill
    under the whole viewport gives: at fit, zoomed so the picture's edges fall between pixels,
    panned, and for a picture with transparency (filled everywhere)."""
    import numpy as np
    from PIL import Image
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QGraphicsView

    path = tmp_path / ("clear.png" if alpha else "page.png")
    rng = np.random.default_rng(2)
    pixels = rng.integers(0, 256, (301, 417, 4 if alpha else 3), dtype=np.uint8)
    if alpha:
        pixels[::3, :, 3] = 0  # see-through rows: the background shows there
    Image.fromarray(pixels).save(path)
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    canvas = window.canvas
    vp = canvas.viewport()

    def frames() -> list[bytes]:
        shots = []
        canvas.fit()
        for zoom, dx in ((None, 0), (1.37, 0), (2.913, 37), (0.4117, 0)):
            if zoom is not None:
                canvas.set_zoom(zoom)
                canvas.horizontalScrollBar().setValue(canvas.horizontalScrollBar().value() + dx)
            image = vp.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
            shots.append(bytes(image.constBits()))
            # the fill leaves out the opaque picture's pixels (a hole a pixel in from its edges)
            hole = canvas.image_item.covered_rect(canvas.viewportTransform())
            assert (hole is None) == alpha
            if hole is not None:
                picture = canvas.mapFromScene(canvas.image_item.boundingRect()).boundingRect()
                assert picture.contains(hole) and hole.width() >= picture.width() - 4
        return shots

    ours = frames()
    monkeypatch.setattr(type(canvas), "drawBackground", QGraphicsView.drawBackground)
    vp.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
    vp.setAutoFillBackground(True)
    assert frames() == ours


def test_a_png_shown_smaller_paints_the_same_from_its_kept_copy(window, qtbot, tmp_path) -> None:
    """A picture decoded by Pillow (here a PNG) painted twice the same way is copied from a kept
    view-size image the second time: the same pixels (Pillow's padding byte once made it blank)."""
    import numpy as np
    from PIL import Image
    from PySide6.QtGui import QImage

    from ocrviewer.gui.image_loader import pil_to_qimage

    rng = np.random.default_rng(3)
    picture = Image.fromarray(rng.integers(0, 256, (301, 417, 3), dtype=np.uint8))
    qimg, _buffer = pil_to_qimage(picture)
    assert QImage(qimg).convertToFormat(QImage.Format.Format_ARGB32).pixelColor(5, 5).alpha() == 255
    raw = np.frombuffer(qimg.constBits(), np.uint8, qimg.sizeInBytes())
    assert (raw[3::4] == 255).all()  # Qt's RGB32 is 0xffRRGGBB
    path = tmp_path / "page.png"
    picture.save(path)
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    canvas = window.canvas
    for zoom in (0.4117, 0.9):
        canvas.set_zoom(zoom)
        first = canvas.viewport().grab().toImage()
        second = canvas.viewport().grab().toImage()
        assert canvas.image_item._kept is not None  # the second frame came from the kept copy
        assert second == first


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_view_around_the_picture_is_the_themes_background(window, qtbot, text_image, theme: str) -> None:
    """The viewport is not cleared before a frame (the background brush covers it all): what is
    around the picture is the theme's colour in every frame, never what an earlier frame left."""
    from ocrviewer.gui.theme import canvas_background

    canvas = window.canvas
    window.files.open_image(str(text_image(1)))
    qtbot.waitUntil(lambda: canvas.image_item.has_full, timeout=30000)
    window.set_theme(theme, remember=False)
    for zoom in (0.05, 0.02):  # a smaller picture each frame: the area it left is background too
        canvas.set_zoom(zoom)
        canvas.centerOn(canvas.image_item.boundingRect().center())
        frame = canvas.viewport().grab().toImage()
        w, h = frame.width(), frame.height()
        for x, y in ((2, 2), (w - 3, 2), (2, h - 3), (w - 3, h - 3), (w // 2 - 40, h // 2)):
            assert frame.pixelColor(x, y).name() == canvas_background(theme == "dark").name(), (zoom, x, y)
        assert frame.pixelColor(w // 2, h // 2).name() != canvas_background(theme == "dark").name()


def _photo_png(tmp_path, size: tuple[int, int] = (1203, 901)):  # noqa: ANN202 - a Path
    """A smooth picture with some detail, decoded by Pillow (only its full level)."""
    import numpy as np
    from PIL import Image

    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack(
        [128 + 100 * np.sin(x / 37.0), 128 + 100 * np.cos(y / 23.0), 128 + 60 * np.sin((x + y) / 11.0)],
        axis=-1,
    )
    path = tmp_path / "photo.png"
    Image.fromarray(rgb.clip(0, 255).astype(np.uint8)).save(path)
    return path


def test_zoomed_out_to_half_or_less_the_picture_is_painted_from_a_reduction_made_off_the_gui_thread(
    window, qtbot, tmp_path, monkeypatch
) -> None:
    """At 0.3 the full image is smooth-scaled from its 1/2 reduction (made once, in the background),
    not from all its pixels; the frame looks the same as the direct scale's."""
    import numpy as np

    from ocrviewer.gui import canvas as canvas_mod

    threads = []
    real = canvas_mod.reduce_image
    monkeypatch.setattr(
        canvas_mod,
        "reduce_image",
        lambda image, by: threads.append(threading.current_thread()) or real(image, by),
    )
    assert window.files.open_image(str(_photo_png(tmp_path)))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    canvas, item = window.canvas, window.canvas.image_item
    assert [lv.final for lv in item.levels] == [True]
    canvas.set_zoom(0.3)
    canvas.viewport().grab()
    qtbot.waitUntil(lambda: item.reduced is not None, timeout=20000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    level, factor, reduced = item.reduced
    assert level is item.levels[-1] and factor == 2 and (reduced.width(), reduced.height()) == (602, 450)
    first = canvas.viewport().grab().toImage()
    canvas.viewport().grab()  # the same way twice: kept, and the kept copy is made from the reduction
    assert item._kept is not None and item._kept[0][1] == id(reduced)

    item.reduced, item.workers = None, None  # today's direct scale from every pixel
    item._forget_kept()
    direct = canvas.viewport().grab().toImage()

    def pixels(image):  # noqa: ANN001, ANN202
        from PySide6.QtGui import QImage

        image = image.convertToFormat(QImage.Format.Format_RGB32)
        raw = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
        return raw.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].astype(np.int16)

    a, b = pixels(first), pixels(direct)
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 1.5


def test_zoomed_in_past_half_no_reduction_is_made_or_kept_and_a_new_image_drops_it(
    window, qtbot, tmp_path
) -> None:
    assert window.files.open_image(str(_photo_png(tmp_path)))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    canvas, item = window.canvas, window.canvas.image_item
    canvas.set_zoom(0.2)  # 1/4 is the largest reduction still covering the view
    canvas.viewport().grab()
    qtbot.waitUntil(lambda: item.reduced is not None, timeout=20000)
    assert item.reduced[1] == 4
    canvas.set_zoom(0.4)  # the 1/4 one is too small now: 1/2 is made (from the image), 1/4 dropped
    canvas.viewport().grab()
    assert item.reduced is None
    qtbot.waitUntil(lambda: item.reduced is not None, timeout=20000)
    assert item.reduced[1] == 2
    canvas.set_zoom(0.6)
    canvas.viewport().grab()
    assert item.reduced is None and item._reducing is None
    canvas.set_zoom(0.3)
    canvas.viewport().grab()
    qtbot.waitUntil(lambda: item.reduced is not None, timeout=20000)
    window.files.open_image(str(_photo_png(tmp_path / "..", (640, 480))))
    qtbot.waitUntil(lambda: item.reduced is None, timeout=20000)
    qtbot.waitUntil(lambda: item.has_full, timeout=30000)
    assert item.reduced is None or item.reduced[0] is item.levels[-1]


def test_the_empty_hint_wraps_inside_a_narrow_view(window, qtbot) -> None:
    """With no image the canvas says what to do; in a narrow view (a small screen, wide docks)
    its lines wrap inside the view instead of running off both edges."""
    canvas = window.canvas
    canvas.setMaximumWidth(300)
    qtbot.waitUntil(lambda: canvas.viewport().width() <= 300, timeout=20000)
    image = canvas.viewport().grab().toImage()
    w, h = image.width(), image.height()
    background = image.pixel(0, 0)
    edges = [image.pixel(x, y) for x in (0, 1, 2, w - 3, w - 2, w - 1) for y in range(h)]
    assert set(edges) == {background}  # no text cut at the edges
    # and the hint is there: text pixels in the middle band
    middle = {image.pixel(x, y) for x in range(10, w - 10) for y in range(h // 3, 2 * h // 3)}
    assert len(middle) > 1
