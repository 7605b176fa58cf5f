"""Where a word's label goes, without Qt: its box along the word's reading direction."""

from __future__ import annotations

import math

import pytest

from ocrviewer.core.layers import label_box


def test_label_box_is_the_words_box_along_its_baseline() -> None:
    # a word 100 x 20 turned 30 degrees clockwise about its top-left (10, 10), in either vertex order
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    tl, tr = (10.0, 10.0), (10 + 100 * c, 10 + 100 * s)
    br, bl = (tr[0] - 20 * s, tr[1] + 20 * c), (10 - 20 * s, 10 + 20 * c)
    for poly in ((tl, tr, br, bl), (tl, bl, br, tr), (br, bl, tl, tr), (bl, tl, tr, br)):
        box = label_box(poly)
        assert box.origin == pytest.approx(tl)
        assert (box.angle, box.width, box.height) == pytest.approx((30.0, 100.0, 20.0))
    # not a quadrilateral: its upright box
    box = label_box(((0.0, 0.0), (50.0, 5.0), (40.0, 30.0), (5.0, 25.0), (0.0, 20.0)))
    assert (box.origin, box.angle, box.width, box.height) == ((0.0, 0.0), 0.0, 50.0, 30.0)
