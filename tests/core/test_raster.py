"""The numpy rasterizer of dense overlays (core.raster): pixel-centre fill, patches, hatching."""

from __future__ import annotations

import numpy as np
import pytest

from ocrviewer.core.layers import LayerData, box_like
from ocrviewer.core.model import Word, polygon_from_bbox
from ocrviewer.core.raster import Grid, Placement, device_spans, hatch, rasterize, repeat_rows, update_classes


def layer(polys: list) -> LayerData:
    data = LayerData("word", elements=[Word(f"w{i}", p, 0.5) for i, p in enumerate(polys)])
    data.finish()
    return data


def reference(polys: list, place: Placement, grid: Grid, classes: np.ndarray) -> np.ndarray:
    """Every pixel centre tested against every polygon (even-odd crossings, written independently
    of the code under test; a centre on a left or top edge is outside, on a right or bottom edge
    inside, as Qt's aliased fill has it); the last polygon containing it gives its class."""
    out = np.zeros((grid.height, grid.width), np.uint8)
    x, y = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
    for i, poly in enumerate(polys):
        dev = [(px * place.sx + place.dx - grid.left, py * place.sy + place.dy - grid.top) for px, py in poly]
        hit = np.zeros(x.shape, bool)
        for (ax, ay), (bx, by) in zip(dev, dev[1:] + dev[:1], strict=True):
            if ay == by:
                continue
            hit ^= ((ay < y) != (by < y)) & (ax + (bx - ax) * (y - ay) / (by - ay) < x)
        out[hit] = classes[i]
    return out


@pytest.mark.parametrize("scale", [0.33, 1.0, 2.7])
def test_boxes_fill_the_pixels_whose_centres_they_contain(scale: float) -> None:
    rng = np.random.default_rng(4)
    polys = []
    for _ in range(60):
        x, y = rng.uniform(0, 90, 2)
        w, h = rng.uniform(0.5, 14, 2)
        polys.append(polygon_from_bbox(x, y, x + w, y + h))
    data = layer(polys)
    place = Placement(scale, scale, 3.3, -1.6)
    grid = Grid(-2, 1, int(100 * scale) + 8, int(100 * scale) + 4)
    classes = rng.integers(1, 50, len(polys)).astype(np.uint8)
    raster = rasterize(
        device_spans(data, place, grid, None, box_like(data.pts, data.starts, data.bboxes)), classes, grid
    )
    assert np.array_equal(raster.labels, reference(polys, place, grid, classes))
    assert raster.labels.any()


def test_slanted_quadrilaterals_follow_their_edges() -> None:
    polys = [
        ((10.0, 10.0), (40.0, 18.0), (36.0, 32.0), (6.0, 24.0)),  # turned
        ((50.0, 5.0), (70.0, 5.0), (80.0, 30.0), (45.0, 30.0)),  # trapezoid
        ((20.0, 40.0), (30.0, 36.0), (40.0, 40.0), (30.0, 44.0)),  # diamond
    ]
    data = layer(polys)
    boxy = box_like(data.pts, data.starts, data.bboxes)
    assert not boxy.any()
    place, grid = Placement(1.0, 1.0, 0.0, 0.0), Grid(0, 0, 90, 50)
    classes = np.array([3, 7, 9], np.uint8)
    raster = rasterize(device_spans(data, place, grid, None, boxy), classes, grid)
    assert np.array_equal(raster.labels, reference(polys, place, grid, classes))
    # a box-shaped fill would have covered the turned word's bounding-box corner
    assert raster.labels[11, 38] == 0


def test_a_subset_and_the_grid_edges_clip() -> None:
    polys = [polygon_from_bbox(i * 10, 0, i * 10 + 8, 8) for i in range(10)]
    data = layer(polys)
    grid = Grid(25, 0, 40, 10)  # device columns 25..64
    classes = np.arange(1, 11, dtype=np.uint8)
    spans = device_spans(data, Placement(1, 1, 0, 0), grid, np.array([1, 2, 3, 4, 5]))
    labels = rasterize(spans, classes, grid).labels
    assert set(np.unique(labels).tolist()) == {0, 3, 4, 5, 6}  # polygons 2..5 show; 1 lies left of it
    assert labels[4, 0] == 3 and labels[4, 39] == 0  # polygon 6 (x 60..68) is not in the subset


def test_a_patch_of_changed_classes_equals_a_fresh_fill_even_where_polygons_overlap() -> None:
    rng = np.random.default_rng(9)
    polys = []
    for _ in range(300):
        x, y = rng.uniform(0, 180, 2)
        polys.append(polygon_from_bbox(x, y, x + rng.uniform(2, 25), y + rng.uniform(2, 12)))
    data = layer(polys)
    place, grid = Placement(0.8, 0.8, 1.0, 2.0), Grid(0, 0, 160, 160)
    spans = device_spans(data, place, grid)
    classes = rng.integers(1, 20, len(polys)).astype(np.uint8)
    raster = rasterize(spans, classes, grid)
    for share in (0.01, 0.1, 0.6):  # a few (patched) and many (filled again)
        classes = classes.copy()
        pick = rng.random(len(polys)) < share
        classes[pick] = rng.integers(0, 20, int(pick.sum()))
        before, differ = raster.version, int((classes != raster.classes).sum())
        assert update_classes(raster, classes) == differ > 0
        assert raster.version == before + 1
        assert np.array_equal(raster.labels, rasterize(spans, classes, grid).labels)
    assert update_classes(raster, classes) == 0  # nothing changed: nothing written


def test_hatch_clears_the_off_pixels_of_its_classes_only() -> None:
    data = layer([polygon_from_bbox(0, 0, 16, 16), polygon_from_bbox(16, 0, 32, 16)])
    grid = Grid(0, 0, 32, 16)
    raster = rasterize(device_spans(data, Placement(1, 1, 0, 0), grid), np.array([1, 5], np.uint8), grid)
    tile = np.eye(8, dtype=bool)
    hatch(raster, [1], tile)
    left, right = raster.labels[:, :16], raster.labels[:, 16:]
    assert np.array_equal(left > 0, np.tile(tile, (2, 2)))
    assert (right == 5).all()


def test_long_spans_filled_as_runs_equal_the_pixel_by_pixel_fill() -> None:
    from ocrviewer.core.raster import _paint, fill

    polys = [
        polygon_from_bbox(3 + (i % 8) * 30, 2 + (i // 8) * 9, 3 + (i % 8) * 30 + 25, 9 + (i // 8) * 9)
        for i in range(64)
    ]
    data = layer(polys)
    grid = Grid(0, 0, 250, 80)
    spans = device_spans(data, Placement(1.0, 1.0, 0.3, 0.2), grid)
    classes = np.arange(1, 65, dtype=np.uint8)
    assert (spans.x1 - spans.x0).mean() >= 8  # the run-length path
    by_pixel = np.zeros((grid.height, grid.width), np.uint8)
    _paint(by_pixel.reshape(-1), grid.width, spans, None, classes)
    assert np.array_equal(fill(spans, classes, grid), by_pixel)
    assert np.array_equal(by_pixel, reference(polys, Placement(1.0, 1.0, 0.3, 0.2), grid, classes))


@pytest.mark.parametrize("slanted", [False, True])
def test_a_part_of_a_grid_worked_out_from_its_corner_has_the_whole_grids_pixels(slanted: bool) -> None:
    """A grid cut down to what a clipping parent shows (the compare wipe's sides) fills exactly the
    pixels the whole grid has there, at many placements (positions are worked out from the whole
    grid's corner, then moved by whole pixels)."""
    rng = np.random.default_rng(21)
    polys = []
    for i in range(400):
        x, y = rng.uniform(0, 390, 2)
        w, h = rng.uniform(0.3, 12, 2)
        if slanted and i % 3 == 0:
            polys.append(((x, y + 1), (x + w, y), (x + w + 1, y + h), (x + 1, y + h + 1)))
        else:
            polys.append(polygon_from_bbox(x, y, x + w, y + h))
    data = layer(polys)
    boxy = box_like(data.pts, data.starts, data.bboxes)
    assert boxy.all() != slanted
    classes = rng.integers(1, 40, len(polys)).astype(np.uint8)
    for _ in range(40):
        s = rng.uniform(0.2, 2.5)
        place = Placement(s, s, rng.uniform(0, 1), rng.uniform(0, 1))
        side = int(400 * s) + 8
        whole = Grid(-1, -2, (side + 3) // 4 * 4, side)
        full = rasterize(device_spans(data, place, whole, None, boxy), classes, whole).labels
        left, top = int(rng.integers(0, side - 9)), int(rng.integers(0, side - 9))
        width, height = int(rng.integers(4, side - left)) // 4 * 4 + 4, int(rng.integers(1, side - top))
        width = min(width, whole.width - left)
        part = Grid(whole.left + left, whole.top + top, width, height, (whole.left, whole.top))
        assert whole.contains(part) and not part.contains(whole)
        got = rasterize(device_spans(data, place, part, None, boxy), classes, part).labels
        assert np.array_equal(got, full[top : top + height, left : left + width])


def test_long_spans_out_of_reading_order_or_overlapping_are_filled_as_the_pixel_fill() -> None:
    """The run-length fill takes spans sorted by row only: words read right to left, or boxes that
    overlap, go the pixel-by-pixel way (the later polygon on top), with the same picture."""
    from ocrviewer.core.raster import _paint, fill

    rtl = [
        polygon_from_bbox(3 + (7 - i % 8) * 30, 2 + (i // 8) * 9, 3 + (7 - i % 8) * 30 + 25, 9 + (i // 8) * 9)
        for i in range(64)
    ]
    overlapping = [
        polygon_from_bbox(3 + i * 20, 2 + (i % 3) * 5, 3 + i * 20 + 28, 12 + (i % 3) * 5) for i in range(12)
    ]
    for polys in (rtl, overlapping):
        data = layer(polys)
        grid = Grid(0, 0, 252, 80)
        place = Placement(1.0, 1.0, 0.3, 0.2)
        spans = device_spans(data, place, grid)
        classes = np.arange(1, len(polys) + 1, dtype=np.uint8)
        assert (spans.x1 - spans.x0).mean() >= 8  # the run-length path is tried
        by_pixel = np.zeros((grid.height, grid.width), np.uint8)
        _paint(by_pixel.reshape(-1), grid.width, spans, None, classes)
        assert np.array_equal(fill(spans, classes, grid), by_pixel)
        assert np.array_equal(by_pixel, reference(polys, place, grid, classes))


def _lines_of_words(rng: np.random.Generator, tall: int = 0, overlapping: int = 0) -> list:
    """Words on text lines (a line's words share their top and bottom), plus ``tall`` boxes over
    several lines and ``overlapping`` boxes laid over others."""
    polys = []
    for line in range(14):
        top = 3 + line * 13 + rng.uniform(0, 2)
        x = rng.uniform(0, 6)
        while x < 180:
            w = rng.uniform(4, 22)
            polys.append(polygon_from_bbox(x, top, x + w, top + 9))
            x += w + rng.uniform(1, 5)
    for _ in range(tall):
        x, y = rng.uniform(0, 170), rng.uniform(0, 120)
        polys.insert(
            int(rng.integers(0, len(polys))), polygon_from_bbox(x, y, x + 8, y + rng.uniform(15, 60))
        )
    for _ in range(overlapping):
        x, y = rng.uniform(0, 170), rng.uniform(0, 170)
        polys.append(polygon_from_bbox(x, y, x + rng.uniform(5, 30), y + rng.uniform(3, 20)))
    return polys


@pytest.mark.parametrize(("tall", "overlapping"), [(0, 0), (6, 0), (0, 12), (5, 9)])
def test_boxes_filled_a_band_of_rows_at_a_time_equal_the_row_by_row_fill(tall: int, overlapping: int) -> None:
    """Boxes on shared lines are filled once per band of identical rows (the text lines of a page
    at fit): the same pixels as every row filled, with boxes over several bands and overlapping
    boxes (the later one on top), at many placements, and after classes are patched."""
    from ocrviewer.core.raster import _paint

    rng = np.random.default_rng(5 + tall + overlapping)
    polys = _lines_of_words(rng, tall, overlapping)
    data = layer(polys)
    boxy = box_like(data.pts, data.starts, data.bboxes)
    classes = rng.integers(1, 40, len(polys)).astype(np.uint8)
    banded = 0
    for _ in range(12):
        s = rng.uniform(0.3, 2.0)
        place = Placement(s, s, rng.uniform(0, 1), rng.uniform(0, 1))
        side = int(200 * s) + 8
        grid = Grid(int(rng.integers(-3, 3)), int(rng.integers(-3, 3)), (side + 3) // 4 * 4, side)
        raster = rasterize(device_spans(data, place, grid, None, boxy), classes, grid)
        banded += raster.bands is not None
        by_row = np.zeros((grid.height, grid.width), np.uint8)
        _paint(by_row.reshape(-1), grid.width, raster.spans, None, classes)  # every span of every row
        assert np.array_equal(raster.labels, by_row)
        if raster.bands is not None:
            compact, rows = raster.bands
            assert np.array_equal(np.repeat(compact, rows, axis=0), raster.labels)
            assert len(compact) < grid.height
        if not overlapping:
            assert np.array_equal(raster.labels, reference(polys, place, grid, classes))
        patched = classes.copy()
        patched[rng.integers(0, len(polys), 20)] = 41
        update_classes(raster, patched)
        assert raster.bands is None  # the rows were written one by one
        assert np.array_equal(
            raster.labels, rasterize(device_spans(data, place, grid, None, boxy), patched, grid).labels
        )
    assert banded >= 6  # the band fill was taken (not only the row fill)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint32])
def test_rows_repeated_band_by_band_are_np_repeat_into_a_given_buffer_too(dtype: type) -> None:
    """The picture's rows (made with the GIL released) are the rows np.repeat makes; bands of no
    row are skipped and every row of a buffer handed in is written."""
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 250, size=(40, 33)).astype(dtype)
    counts = rng.integers(0, 6, size=40)
    counts[0] = 0
    counts[-1] = 3
    expected = np.repeat(rows, counts, axis=0)
    made = repeat_rows(rows, counts)
    assert made.dtype == expected.dtype and np.array_equal(made, expected)
    out = np.full_like(expected, 255)
    assert repeat_rows(rows, counts, out) is out
    assert np.array_equal(out, expected)
