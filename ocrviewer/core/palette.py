"""Colours shared by the Qt canvas and the headless renderer, as plain hex strings.

The confidence scale runs red -> amber -> green. Services put nearly every word between 0.9 and
1.0, where a fixed 0..1 scale shows one green; :func:`fit_scale` stretches the scale over the
words' own range (a percentile stretch, which the legend states) so 0.93 and 0.99 look different.
Selection, search matches and compare statuses use colours that are not on that scale (blue,
magenta, violet...), and "no confidence" is grey and hatched, never a colour of the scale.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from typing import Any

from ocrviewer.core.records import Record, frozen

LEVEL_COLORS: dict[str, str] = {
    "block": "#2f80ed",  # blue
    "line": "#27ae60",  # green
    "word": "#f2994a",  # orange
    "table": "#9b51e0",  # purple
    "cell": "#bb6bd9",
}
NO_CONFIDENCE_COLOR = "#8e8e93"  # grey, drawn hatched: the service gave no confidence
SELECTION_COLOR = "#0a84ff"  # blue: not on the red-amber-green confidence scale
SEARCH_COLOR = "#e040fb"  # magenta: idem
#: compare statuses (compare mode), also off the confidence scale
COMPARE_COLORS: dict[str, str] = {
    "substituted": "#7c4dff",  # violet
    "missed": "#00bcd4",  # cyan
    "inserted": "#795548",  # brown
}

# Red (low) -> amber -> green (high); stops at 0.0, 0.5, 0.8, 1.0 so "good" words read as green.
_STOPS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.0, (215, 48, 39)),
    (0.5, (244, 109, 67)),
    (0.8, (254, 224, 139)),
    (1.0, (26, 152, 80)),
)


def confidence_rgb(confidence: float | None) -> tuple[int, int, int]:
    """Colour of a confidence in 0..1 (None -> grey)."""
    if confidence is None:
        h = NO_CONFIDENCE_COLOR.lstrip("#")
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    c = min(1.0, max(0.0, confidence))
    for (p0, c0), (p1, c1) in zip(_STOPS, _STOPS[1:], strict=False):
        if c <= p1:
            t = (c - p0) / (p1 - p0) if p1 > p0 else 0.0
            r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(c0, c1, strict=True))
            return r, g, b
    return _STOPS[-1][1]


@frozen()
class ConfidenceScale(Record):
    """Which confidences the red..green colours span: ``low`` and below is red, ``high`` green."""

    low: float = 0.0
    high: float = 1.0
    #: how the range was chosen, for the legend ("" for the fixed 0..1 scale)
    note: str = ""

    def __init__(self, low: float = 0.0, high: float = 1.0, note: str = "") -> None:
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "note", note)

    @property
    def stretched(self) -> bool:
        return (self.low, self.high) != (0.0, 1.0)

    def position(self, confidence: float) -> float:
        """Where ``confidence`` sits on the colour bar, 0..1."""
        span = self.high - self.low
        if span <= 0:
            return 1.0
        return min(1.0, max(0.0, (confidence - self.low) / span))

    def value_at(self, position: float) -> float:
        """The confidence at a point of the colour bar (0..1): the inverse of :meth:`position`."""
        return self.low + (self.high - self.low) * min(1.0, max(0.0, position))

    def rgb(self, confidence: float | None) -> tuple[int, int, int]:
        if confidence is None or (isinstance(confidence, float) and math.isnan(confidence)):
            return confidence_rgb(None)
        return confidence_rgb(self.position(confidence))


FULL_SCALE = ConfidenceScale()
#: words needed before the scale is fitted to them; a narrower range than this is widened
MIN_WORDS_TO_FIT = 8
MIN_SPAN = 0.05
LOW_PERCENTILE = 5.0


def fit_scale(confidences: Iterable[float | None]) -> ConfidenceScale:
    """A scale from the 5th percentile of the words' confidences to their maximum.

    Falls back to 0..1 when there are few words or they already spread over most of it.
    Bounds are rounded outward to 0.01 so the legend's numbers are round.
    """
    values: Any
    np = sys.modules.get("numpy")  # an array comes with numpy loaded; a list needs no numpy
    if np is not None and isinstance(confidences, np.ndarray):  # NaN for none: sorted in numpy (10k: ~0.5 ms)
        values = np.sort(confidences[~np.isnan(confidences)])  # (read by index: no list of floats)
    else:
        values = sorted(c for c in confidences if c is not None and not math.isnan(c))
    if len(values) < MIN_WORDS_TO_FIT:
        return FULL_SCALE
    k = (len(values) - 1) * LOW_PERCENTILE / 100
    lo_i = math.floor(k)
    low = float(values[lo_i] + (values[min(lo_i + 1, len(values) - 1)] - values[lo_i]) * (k - lo_i))
    high = float(values[-1])
    low = max(0.0, math.floor(low * 100) / 100)
    high = min(1.0, math.ceil(high * 100) / 100)
    if high - low < MIN_SPAN:
        low = max(0.0, high - MIN_SPAN)
    if high - low >= 0.6:
        return FULL_SCALE
    return ConfidenceScale(low, high, f"stretched: {LOW_PERCENTILE:.0f}th pct to max")


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


#: Word statuses in compare mode (canvas and HTML report alike). Chosen outside the confidence
#: scale (red -> amber -> green) and its grey, so a status is never read as a confidence:
#: cyan = equal, magenta = substituted, blue = missed (a reference word nothing matched), black = extra,
#: lime = split (one reference word read as several), wine = merged (several read as one).
STATUS_COLORS: dict[str, str] = {
    "equal": "#00b4d8",
    "substituted": "#e81cff",
    "missed": "#2346d8",
    "extra": "#1a1a1a",
    "split": "#bbdd00",
    "merged": "#773355",
}
