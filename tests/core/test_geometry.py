"""The 8 EXIF orientations and FrameTransform: properties that must hold for every input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from ocrviewer.core.geometry import (
    SWAPS_AXES,
    FrameTransform,
    compose_orientations,
    inverse_orientation,
    orient_point,
    oriented_size,
)
from ocrviewer.errors import BadInput
from tests.support.images import ORIENTATIONS, make_marked_image

orientations = st.sampled_from(ORIENTATIONS)
sizes = st.floats(min_value=1, max_value=10_000, allow_nan=False)
coords = st.floats(min_value=-20_000, max_value=20_000, allow_nan=False)
scales = st.floats(min_value=0.05, max_value=20, allow_nan=False)
offsets = st.floats(min_value=-5_000, max_value=5_000, allow_nan=False)


def close(a: tuple[float, float], b: tuple[float, float], tol: float = 1e-6) -> bool:
    scale = max(1.0, abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]))
    return math.isclose(a[0], b[0], abs_tol=tol * scale) and math.isclose(a[1], b[1], abs_tol=tol * scale)


@given(orientations, coords, coords, sizes, sizes)
def test_orient_then_inverse_is_identity(o: int, x: float, y: float, w: float, h: float) -> None:
    dw, dh = oriented_size(o, w, h)
    back = orient_point(inverse_orientation(o), *orient_point(o, x, y, w, h), dw, dh)
    assert close(back, (x, y))


@given(orientations, orientations, coords, coords, sizes, sizes)
def test_compose_matches_sequential_application(
    a: int, b: int, x: float, y: float, w: float, h: float
) -> None:
    mw, mh = oriented_size(a, w, h)
    seq = orient_point(b, *orient_point(a, x, y, w, h), mw, mh)
    assert close(orient_point(compose_orientations(a, b), x, y, w, h), seq)


@given(orientations)
def test_compose_with_inverse_is_normal(o: int) -> None:
    assert compose_orientations(o, inverse_orientation(o)) == 1
    assert compose_orientations(inverse_orientation(o), o) == 1


@given(orientations, sizes, sizes)
def test_corners_map_to_corners(o: int, w: float, h: float) -> None:
    dw, dh = oriented_size(o, w, h)
    assert (dw, dh) == ((h, w) if o in SWAPS_AXES else (w, h))
    mapped = {orient_point(o, x, y, w, h) for x, y in ((0, 0), (w, 0), (0, h), (w, h))}
    assert all(
        close(p, q) for p, q in zip(sorted(mapped), sorted({(0, 0), (dw, 0), (0, dh), (dw, dh)}), strict=True)
    )


transforms = st.builds(
    FrameTransform,
    source_width=sizes,
    source_height=sizes,
    orientation=orientations,
    scale_x=scales,
    scale_y=scales,
    offset_x=offsets,
    offset_y=offsets,
)


@given(transforms, coords, coords)
def test_transform_invert_undoes_apply(t: FrameTransform, x: float, y: float) -> None:
    assert close(t.invert(*t.apply(x, y)), (x, y), tol=1e-6)


@given(transforms, orientations, scales, offsets, offsets, coords, coords)
@settings(max_examples=100)
def test_then_equals_correction_after_transform(
    t: FrameTransform, o: int, s: float, dx: float, dy: float, x: float, y: float
) -> None:
    combined = t.then(orientation=o, scale=s, dx=dx, dy=dy)
    ow, oh = t.output_size
    px, py = t.apply(x, y)
    qx, qy = orient_point(o, px, py, ow, oh)
    expected = (qx * s + dx, qy * s + dy)
    assert close(combined.apply(x, y), expected, tol=1e-6)


@given(transforms)
def test_to_dict_round_trip(t: FrameTransform) -> None:
    assert FrameTransform.from_dict(t.to_dict()) == t


@pytest.mark.parametrize("o", ORIENTATIONS)
def test_orient_point_matches_pillow_exif_transpose(tmp_path, o: int) -> None:
    raw_w, raw_h, mark = 40, 30, (3, 5)
    path = make_marked_image(tmp_path / f"m{o}.png", o, (raw_w, raw_h), mark)
    with Image.open(path) as img:
        shown = ImageOps.exif_transpose(img)
    # The pixel square [3,4)x[5,6) maps to a square; its centre lands on the marked pixel's centre.
    cx, cy = orient_point(o, mark[0] + 0.5, mark[1] + 0.5, raw_w, raw_h)
    assert shown.size == tuple(int(v) for v in oriented_size(o, raw_w, raw_h))
    assert shown.getpixel((int(cx), int(cy))) == 255
    assert shown.histogram()[255] == 1 and shown.histogram()[0] == raw_w * raw_h - 1


@pytest.mark.parametrize(
    "bad",
    [
        {"source_width": 0, "source_height": 10},
        {"source_width": 10, "source_height": float("nan")},
        {"source_width": 10, "source_height": 10, "orientation": 9},
        {"source_width": 10, "source_height": 10, "scale_x": -1},
        {"source_width": 10, "source_height": 10, "offset_x": float("inf")},
    ],
)
def test_bad_transforms_are_refused(bad: dict) -> None:
    with pytest.raises(BadInput):
        FrameTransform(**bad)


def test_describe_names_every_step() -> None:
    t = FrameTransform(100, 50, orientation=6, scale_x=2, scale_y=2, offset_x=3, offset_y=-1)
    text = t.describe()
    assert "rotate 90 CW" in text and "x2" in text and "+3.0" in text
