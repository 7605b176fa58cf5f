"""The dense overlay picture (numpy-rasterized) against the painter's own vector fill, the threshold
repainting it, compare colours, and zooming in switching to outlines."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from ocrviewer.gui.overlay import DENSE_LIMIT, NO_CONF, OverlayLayer, OverlayStyle, build_layers

W, H = 640, 480
N = DENSE_LIMIT + 900


def dense_document(slanted: bool = False, no_conf: bool = False, lined: bool = False) -> Document:
    """``N`` words in rows; ``lined``: the words of a row share their top and height, as on a page."""
    rng = np.random.default_rng(5)
    words = []
    for i in range(N):
        x, y = 4 + (i % 70) * 9, 4 + (i // 70) * 8
        w, h = 4 + 3 * rng.random(), (4.4 + (i // 70) % 3 * 0.7) if lined else 3 + 3 * rng.random()
        if slanted and i % 5 == 0:
            poly: tuple = ((x, y + 1), (x + w, y), (x + w + 1, y + h), (x + 1, y + h + 1))
        else:
            poly = polygon_from_bbox(x, y, x + w, y + h)
        conf = None if no_conf and i % 13 == 0 else float(rng.uniform(0.2, 1.0))
        words.append(Word(f"w{i}", poly, conf))
    lines = tuple(Line("", polygon_from_bbox(0, 0, 1, 1), (w,)) for w in words)
    return Document((Page(float(W), float(H), (Block(polygon_from_bbox(0, 0, W, H), lines),)),))


def render(item: OverlayLayer, scale: float, size: tuple[int, int]) -> QImage:
    """The item's scene drawn on white at ``scale`` screen pixels per page pixel."""
    scene = item.scene()
    image = QImage(*size, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, *size), QRectF(0, 0, size[0] / scale, size[1] / scale))
    painter.end()
    return image


def vector_reference(item: OverlayLayer, scale: float, size: tuple[int, int]) -> QImage:
    """What the painter draws for the same words one polygon at a time (aliased fills, the layer's
    own colours and alphas): the picture the fast path must reproduce."""
    image = QImage(*size, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.scale(scale, scale)
    painter.setPen(Qt.PenStyle.NoPen)
    classes, table, _ = item.word_classes()
    for i in range(len(item.data)):
        if not classes[i]:
            continue
        path = QPainterPath()
        poly = item.data.polygon(i)
        path.moveTo(*poly[0])
        for p in poly[1:]:
            path.lineTo(*p)
        path.closeSubpath()
        painter.fillPath(path, QColor.fromRgba(table[classes[i]]))
    painter.end()
    return image


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    buf = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = buf.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()]
    return rows[:, :, 2::-1].astype(int)  # B, G, R in memory: R, G, B


def make_item(doc: Document, style: OverlayStyle | None = None) -> OverlayLayer:
    scene = QGraphicsScene()
    item = OverlayLayer("word", style or OverlayStyle())
    scene.addItem(item)
    item.set_data(build_layers(doc)["word"])
    item._test_scene = scene  # type: ignore[attr-defined]  # keep the scene alive with the item
    return item


def centre_px(item: OverlayLayer, i: int, scale: float) -> tuple[int, int]:
    b = item.data.bboxes[i]
    return int((b[0] + b[2]) / 2 * scale), int((b[1] + b[3]) / 2 * scale)


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.7])
@pytest.mark.parametrize(("slanted", "lined"), [(False, False), (True, False), (False, True)])
def test_fast_path_draws_the_boxes_the_vector_path_draws(
    qapp, scale: float, slanted: bool, lined: bool
) -> None:
    item = make_item(dense_document(slanted, lined=lined))
    size = (int(W * scale), int(H * scale))
    fast = pixels(render(item, scale, size))
    assert item._raster is not None  # the dense picture was used
    # words sharing their rows' pixel rows are filled and coloured a band of rows at a time
    assert item._raster[1].bands is not None or not lined
    ref = pixels(vector_reference(item, scale, size))
    same = (np.abs(fast - ref).max(axis=2) <= 3).mean()
    assert same > 0.995, same  # edges may round differently by a pixel here and there
    for i in range(0, N, 37):  # each sampled word's centre has the word's colour
        x, y = centre_px(item, i, scale)
        assert np.abs(fast[y, x] - ref[y, x]).max() <= 3, (i, fast[y, x], ref[y, x])
        assert (fast[y, x] != 255).any()
    # empty paper stays white: below the last row of words, and between two columns
    assert (fast[-3:, :] == 255).all()
    assert (fast[: int(100 * scale), int(W * scale) - 2 :] == 255).all()


def test_threshold_change_repaints_dim_hide_and_back(qapp) -> None:
    style = OverlayStyle()
    item = make_item(dense_document(), style)
    first = pixels(render(item, 1.0, (W, H)))
    conf = item.data.conf
    low = int(np.flatnonzero(conf < 0.4)[0])
    high = int(np.flatnonzero(conf > 0.8)[0])
    x, y = centre_px(item, low, 1.0)
    hx, hy = centre_px(item, high, 1.0)

    style.min_confidence = 0.5
    item.update()
    dimmed = pixels(render(item, 1.0, (W, H)))
    assert dimmed[y, x].sum() > first[y, x].sum() + 60  # paler: 35 instead of 110 alpha
    assert (dimmed[y, x] < 255).any()  # still drawn
    assert (dimmed[hy, hx] == first[hy, hx]).all()

    style.below = "hide"
    item.update()  # as the canvas does on every filter change
    hidden = pixels(render(item, 1.0, (W, H)))
    assert (hidden[y, x] == 255).all()
    assert (hidden[hy, hx] == first[hy, hx]).all()

    style.below = "only"  # the suspects only: the confident word goes, the low one is strong
    item.update()
    only = pixels(render(item, 1.0, (W, H)))
    assert (only[hy, hx] == 255).all()
    assert (only[y, x] == first[y, x]).all()

    style.below, style.min_confidence = "dim", 0.0
    item.update()
    assert (pixels(render(item, 1.0, (W, H))) == first).all()  # patched back to the first picture


def test_words_without_confidence_are_hatched_and_compare_colours_replace_the_scale(qapp) -> None:
    item = make_item(dense_document(no_conf=True))
    scale, size = 1.0, (W, H)
    shot = pixels(render(item, scale, size))
    assert item._raster is not None  # dense: the picture path
    none = np.flatnonzero(item._buckets == NO_CONF)
    b = item.data.bboxes
    big = int(none[np.argmax((b[none, 2] - b[none, 0]) * (b[none, 3] - b[none, 1]))])
    x0, y0, x1, y1 = (int(round(v)) for v in b[big])
    inner = shot[y0 + 1 : y1, x0 + 1 : x1]
    white = (inner == 255).all(axis=2)
    assert white.any() and (~white).any()  # stripes, not a fill
    confident = int(np.flatnonzero(item._buckets != NO_CONF)[0])
    x, y = centre_px(item, confident, scale)
    assert (shot[y - 1 : y + 2, x] != 255).any(axis=1).all()  # a filled word: no stripes

    statuses = np.arange(len(item.data)) % 4
    item.set_statuses(statuses.astype(np.int8))
    compare = pixels(render(item, scale, size))
    for s in range(4):
        i = int(np.flatnonzero(statuses == s)[0])
        x, y = centre_px(item, i, scale)
        want = item.bucket_color(item._buckets[i])
        got = compare[y, x]
        # 110/255 of the status colour over white
        expect = [round(255 + (c - 255) * 110 / 255) for c in (want.red(), want.green(), want.blue())]
        assert np.abs(got - expect).max() <= 3, (s, got, expect)


def test_zooming_in_switches_to_outlines_and_back(window, qtbot) -> None:
    doc = dense_document()
    window.state.set_image(None, None)
    window.state.set_response(doc, FrameTransform.identity(W, H))
    canvas = window.canvas
    canvas.image_item.reset(W, H)
    canvas.fit()
    layer = canvas.layers["word"]
    canvas.viewport().grab()
    assert layer.cacheMode() == QGraphicsItem.CacheMode.NoCache  # the picture is its own cache
    assert layer._raster is not None
    i = N // 2
    b = layer.data.bboxes[i]
    centre = QPointF((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    fit_shot = canvas.viewport().grab().toImage()
    canvas.set_zoom(12.0, centre)
    canvas.centerOn(centre)
    assert layer.data.count_in_rect(canvas.mapToScene(canvas.viewport().rect()).boundingRect()) < DENSE_LIMIT
    layer._raster = None
    shot = canvas.viewport().grab().toImage()
    qtbot.waitUntil(lambda: layer.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache, timeout=30000)
    assert layer._raster is None  # outlines, not a picture
    p = canvas.mapFromScene(centre)
    edge = canvas.mapFromScene(QPointF(b[0], (b[1] + b[3]) / 2))
    inner, border = shot.pixelColor(p), shot.pixelColor(edge)
    assert border.lightness() < inner.lightness() - 20  # a 1 px outline around a light fill
    canvas.fit()
    again = canvas.viewport().grab().toImage()
    assert layer._raster is not None
    assert again == fit_shot


def test_a_turned_view_still_fills_the_words(qapp) -> None:
    item = make_item(dense_document())
    image = QImage(W, H, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.translate(W, 0)
    painter.rotate(90)  # a picture made in page units, drawn through the turn
    painter.scale(0.7, 0.7)
    item.scene().render(painter, QRectF(0, 0, W, H), QRectF(0, 0, W, H))
    painter.end()
    shot = pixels(image)
    assert item._raster is not None
    covered = (shot != 255).any(axis=2)
    assert covered.mean() > 0.1  # words drawn...
    assert covered[:, : W // 2].mean() < 0.01  # ...turned: the right part of the picture only


def test_the_wipe_sides_fill_only_their_part_and_frames_stay_the_same(window, monkeypatch) -> None:
    """With the compare wipe on, each side's picture is filled only where its clip shows it (and
    kept while the handle moves); every frame equals the one made from whole-layer pictures."""
    from ocrviewer.gui import overlay
    from ocrviewer.gui.compare_views import SideB, Wipe

    doc = dense_document(slanted=True)
    window.state.set_image(None, None)
    window.state.set_response(doc, FrameTransform.identity(W, H))
    canvas = window.canvas
    canvas.image_item.reset(W, H)
    canvas.fit()
    a = canvas.layers["word"]
    statuses = (np.arange(len(a.data)) % 4).astype(np.int8)
    a.set_statuses(statuses)
    wipe = Wipe(canvas)
    wipe.set_on(True)
    wipe.set_b(SideB("B", a.data, statuses[::-1].copy()))
    b = wipe.layer
    made: list[overlay.Grid] = []
    make_raster = overlay.make_raster

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(args[2])
        return make_raster(*args, **kwargs)

    monkeypatch.setattr(overlay, "make_raster", counted)

    def frame() -> np.ndarray:
        return pixels(canvas.viewport().grab().toImage())

    def whole_layer_frame() -> np.ndarray:
        with monkeypatch.context() as m:
            m.setattr(overlay.OverlayLayer, "_clip_rect", lambda self: None)
            m.setattr(overlay, "make_raster", make_raster)  # (not counted)
            kept = a._raster, b._raster
            a._raster = b._raster = None
            shot = frame()
            a._raster, b._raster = kept
        return shot

    for x in (0.5, 0.3, 0.45, 0.7, 0.05, 0.98):
        wipe.set_x(x * W)
        shot = frame()
        assert (shot == whole_layer_frame()).all(), x
    assert len(made) <= 2 + 2 * 2  # the first frame, then at most a whole layer per side and per direction
    for step in (1.001, 1 / 1.0007):  # a zoom step: each side's part only
        canvas.set_zoom(canvas.zoom * step)
        wipe.set_x(0.4 * W)
        made.clear()
        shot = frame()
        vp = canvas.viewport()
        full = a._plan(a.deviceTransform(canvas.viewportTransform()), 1.0, (vp.width(), vp.height()), None)
        assert full is not None and len(made) == 2
        assert all(g.width < full.whole.width for g in made)  # a side each, not the whole layer twice
        assert (shot == whole_layer_frame()).all()
        assert (frame() == shot).all() and len(made) == 2  # the next frame draws what is kept


@pytest.mark.parametrize("scale", [0.5, 1.3])
def test_a_picture_coloured_a_band_at_a_time_equals_one_coloured_pixel_by_pixel(qapp, scale: float) -> None:
    from dataclasses import replace

    from ocrviewer.gui.overlay import indexed_picture

    item = make_item(dense_document(lined=True))
    render(item, scale, (int(W * scale), int(H * scale)))
    raster = item._raster[1]
    assert raster.bands is not None
    _, table, _ = item.word_classes()
    banded = indexed_picture(raster, table)
    whole = indexed_picture(replace(raster, rows=raster.labels, bands=None), table)
    assert banded.format() == whole.format() == QImage.Format.Format_ARGB32_Premultiplied
    assert banded == whole
    assert len(np.unique(pixels(banded).reshape(-1, 3), axis=0)) > 3  # coloured, not blank


def test_the_classes_kept_under_a_threshold_follow_the_colours(qapp) -> None:
    """A dense layer keeps each word's class before the threshold while it is dragged; compare
    colours, a new colour scale or new words give the classes worked out afresh, in every mode."""
    from ocrviewer.core.palette import ConfidenceScale
    from ocrviewer.gui.overlay import conf_buckets, dense_classes

    item = make_item(dense_document(no_conf=True))

    def fresh() -> tuple[np.ndarray, bool]:
        s = item.style
        t = s.min_confidence
        return dense_classes(
            conf_buckets(item.data.conf, s.scale) if item.statuses is None else item._buckets,
            item.data.conf,
            t,
            s.below,
            s.below == "only" and t > 0,
        )

    def check() -> None:
        for below in ("dim", "hide", "only"):
            for t in (0.0, 0.5, 0.8):
                item.style.below, item.style.min_confidence = below, t
                classes, _table, hatched = item.word_classes()
                want, unrated = fresh()
                assert np.array_equal(classes, want)
                assert bool(hatched) == unrated

    check()
    statuses = np.random.default_rng(2).integers(-1, 4, len(item.data)).astype(np.int8)
    item.set_statuses(statuses)
    check()
    item.set_statuses(None)
    check()
    item.style.scale = ConfidenceScale(0.6, 0.9, "stretched")
    item.restyle()
    check()
    item.set_data(build_layers(dense_document(lined=True))["word"])
    check()
