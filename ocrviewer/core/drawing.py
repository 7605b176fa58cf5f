"""Numbers the overlay's drawing and the preview decode share between the canvas and the first frame.

This module imports nothing: ``ocrviewer.gui.first_frame`` paints the picture and its overlay at
start before numpy and Pillow load, and must draw with the same numbers as the canvas
(``core.layers``, ``gui.overlay``) and the loader (``core.imageio``) that import them.
"""

from __future__ import annotations

#: confidence colour steps (0.05 wide); the threshold still cuts at exact values
BUCKETS = 20
#: the bucket of elements without a confidence
NO_CONF = -1
#: more polygons than this in view: filled as a picture instead of outlined
DENSE_LIMIT = 3000
#: the fill's alpha of outlined words and tables
FILL_ALPHA = 38
#: the alpha of the hatched fill of words without a confidence
NO_CONF_ALPHA = 150
#: a preview may be decoded this much smaller than asked (JPEG scales by 1/2, 1/4, 1/8): it is
#: on screen for a moment, and every halving of the decode scale saves a pass of inverse DCTs
PREVIEW_MIN_SHARE = 2 / 3


def preview_side(display_size: tuple[int, int], view: tuple[int, int], dpr: float) -> int:
    """The longest side a preview needs: a picture of ``display_size`` fitted into a view of ``view``
    logical pixels (at least 320x240), in device pixels, at least 256."""
    vw, vh = max(view[0], 320), max(view[1], 240)
    w, h = display_size
    fit = min(1.0, vw / max(w, 1), vh / max(h, 1))
    return max(256, int(max(w, h) * fit * dpr + 0.5))
