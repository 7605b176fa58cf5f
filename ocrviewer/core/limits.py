"""Every limit on what ocrviewer accepts, in one place, and text made safe to draw.

Each limit bounds the time and memory one input can take; going past one gives a one-line
message naming it (a response file too large is refused; a polygon with too many points is
skipped with a warning; a coordinate that is absurd once placed refuses the response).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from typing import BinaryIO

from ocrviewer.errors import BadInput

#: Largest response file read (bytes); checked before reading. The HTTP client caps bodies at it too.
MAX_RESPONSE_BYTES = 100 * 1024 * 1024
#: Most points one polygon may have; a polygon with more is skipped with a warning.
MAX_POLYGON_POINTS = 10_000
#: Most polygon points in one document (words, lines, blocks, tables and cells together).
MAX_DOCUMENT_POINTS = 2_000_000
#: Largest absolute coordinate (pixels of the displayed image, or the response's own unit).
MAX_COORDINATE = 1e9
#: Characters of one element's text drawn as a label (the text itself is kept whole).
MAX_LABEL_CHARS = 200


def read_limited(path: str | os.PathLike[str], limit: int = MAX_RESPONSE_BYTES) -> bytes:
    """The file's bytes; a file over ``limit`` is refused before reading (a device or pipe once
    past it) with a one-line :class:`ocrviewer.errors.BadInput`. OSError passes through."""
    with open(path, "rb") as fh:
        return read_capped(fh, os.fspath(path), limit)


def read_capped(
    fh: BinaryIO,
    name: str,
    limit: int = MAX_RESPONSE_BYTES,
    what: str = "",
    error: type[BadInput] = BadInput,
) -> bytes:
    """The rest of the open file ``fh`` (called ``name`` in messages), refused with ``error`` before
    reading when it is larger than ``limit``; a pipe or device (``/dev/zero``) is read up to the
    limit and refused past it. ``what`` ends the message (" for a response")."""
    st = os.fstat(fh.fileno())
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise error(f"{name}: the file is {size_text(st.st_size)}, over the {size_text(limit)} limit{what}")
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise error(f"{name}: more than {size_text(limit)} of data, over the limit{what}")
    return data


def size_text(n: float) -> str:
    """A byte count for messages: "100 MB", "1.5 GB", "12 KB"."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} bytes"


def seconds_text(seconds: float) -> str:
    """A duration for messages: "20 s", "2.5 s", "0.25 s", "3 min 20 s"."""
    if seconds >= 120:
        m, s = divmod(round(seconds), 60)
        return f"{m} min {s} s" if s else f"{m} min"
    if seconds >= 10:
        return f"{seconds:.0f} s"
    return f"{seconds:.2g} s"


# The two patterns are compiled on first use: ~2-5 ms together, and the model imports this
# module before the viewer's first frame, which draws no text through them.


@functools.cache
def _undrawable() -> re.Pattern[str]:
    """C0 and C1 controls (tab, newline, NUL...), line/paragraph separators, and lone surrogates."""
    return re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@functools.cache
def _not_xml() -> re.Pattern[str]:
    """What XML 1.0 cannot hold (controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF)."""
    return re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` as XML (and a PDF text layer) can hold it: controls as spaces, the rest as U+FFFD."""
    not_xml = _not_xml()
    if not_xml.search(text) is None:
        return text
    return not_xml.sub(lambda m: " " if m.group() < "\x20" else "\ufffd", text)


def drawable_text(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text`` fit for one drawn label: controls and line breaks as spaces, lone surrogates as
    U+FFFD, at most ``limit`` characters (an ellipsis marks a cut). For drawing only."""
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    undrawable = _undrawable()
    if undrawable.search(text) is None:
        return text
    return undrawable.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else " ", text)
