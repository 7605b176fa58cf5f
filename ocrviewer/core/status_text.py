"""What the window's status bar says: the zoom, the point under the pointer, the element counts.

Plain text from plain values, so the wording is tested without a window (``gui.main_window`` only
sets the labels).
"""

from __future__ import annotations

from ocrviewer.core.geometry import inverse_orientation, orient_point
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.layers import element_counts
from ocrviewer.core.model import Document
from ocrviewer.core.wording import counted


def zoom_text(zoom: float) -> str:
    """The zoom as the status bar shows it: whole percents, and below 1% one significant digit
    (a 100000x10 strip fitted to the window is at 0.5%, not "0%")."""
    pct = zoom * 100
    if pct >= 1 or pct <= 0:
        return f"{pct:.0f}%"
    return f"{pct:.1g}%"


def position_text(info: ImageInfo | None, x: float, y: float) -> str:
    """Status-bar text for a displayed-frame point: displayed and raw (stored) pixel coordinates."""
    if info is None:
        return ""
    w, h = info.display_size
    if not (0 <= x < w and 0 <= y < h):
        return ""
    rx, ry = orient_point(inverse_orientation(info.orientation), x, y, w, h)
    return f"displayed {x:.0f}, {y:.0f}  ·  raw {rx:.0f}, {ry:.0f}"


def count_text(doc: Document | None, shown_words: int) -> str:
    """Status-bar text: element counts, with how many words are shown when some are hidden."""
    if doc is None:
        return ""
    counts = element_counts(doc)
    total = counts["word"]
    words = counted(total, "word") if shown_words == total else f"{shown_words}/{total} words"
    return f"{counted(counts['block'], 'block')} · {counted(counts['line'], 'line')} · {words}"
