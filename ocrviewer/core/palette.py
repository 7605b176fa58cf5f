"""Colours shared by the Qt canvas and the headless renderer, as plain hex strings."""

from __future__ import annotations

LEVEL_COLORS: dict[str, str] = {
    "block": "#2f80ed",  # blue
    "line": "#27ae60",  # green
    "word": "#f2994a",  # orange
    "table": "#9b51e0",  # purple
    "cell": "#bb6bd9",
}
NO_CONFIDENCE_COLOR = "#8e8e93"  # grey: the service gave no confidence
SELECTION_COLOR = "#ff2d55"
SEARCH_COLOR = "#ffd60a"

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


def confidence_hex(confidence: float | None) -> str:
    r, g, b = confidence_rgb(confidence)
    return f"#{r:02x}{g:02x}{b:02x}"


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
