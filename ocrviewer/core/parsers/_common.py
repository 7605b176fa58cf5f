"""Helpers shared by the format parsers: fast polygons, numbers, warnings, wrapping lines in blocks.

The hot path (one call per word) builds polygon tuples directly and checks them once per polygon
(at least 3 points, all finite) instead of going through :func:`ocrviewer.core.model.make_polygon`
point by point; the checks are the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from ocrviewer.core.model import Block, Line, Polygon, Word, polygon_from_bbox
from ocrviewer.errors import BadResponse

#: What a malformed element can raise while it is read; each is turned into one warning.
ELEMENT_ERRORS = (BadResponse, KeyError, TypeError, ValueError, AttributeError, IndexError)

_isfinite = math.isfinite
_from_chain = chain.from_iterable


class Context:
    """Collects one warning per skipped element while a document is parsed."""

    __slots__ = ("warnings",)

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def skip(self, where: str, err: BaseException) -> None:
        self.warnings.append(f"{where}: {describe(err)}; skipped")

    def note(self, message: str) -> None:
        self.warnings.append(message)


def describe(err: BaseException) -> str:
    """A short phrase for why an element could not be read."""
    if isinstance(err, BadResponse):
        return str(err)
    if isinstance(err, KeyError):
        return f"missing {err.args[0]!r}" if err.args else "missing key"
    if isinstance(err, (TypeError, AttributeError)):
        return "malformed (a value has the wrong type)"
    if isinstance(err, ValueError):
        return f"bad value ({err})"
    return f"malformed ({type(err).__name__})"


def _check(pts: list[tuple[float, float]] | tuple[tuple[float, float], ...]) -> Polygon:
    n = len(pts)
    if n < 3:
        raise BadResponse(f"polygon has {n} point{'s' if n != 1 else ''}")
    # one sum instead of 2n isfinite calls: any NaN or infinity makes the sum non-finite
    if not _isfinite(sum(_from_chain(pts))):
        raise BadResponse("polygon has a non-finite coordinate")
    return tuple(pts)


def flat_polygon(values: Any) -> Polygon:
    """Polygon from a flat ``[x0, y0, x1, y1, ...]`` list (Azure ``boundingBox``/``polygon``)."""
    if type(values) is not list:
        raise BadResponse("polygon is not a list of numbers")
    try:
        if len(values) == 8:
            x0, y0, x1, y1, x2, y2, x3, y3 = map(float, values)
            pts: Any = ((x0, y0), (x1, y1), (x2, y2), (x3, y3))
        else:
            if len(values) % 2:
                raise BadResponse(f"polygon has an odd number of coordinates ({len(values)})")
            f = list(map(float, values))
            pts = list(zip(f[0::2], f[1::2], strict=True))
    except (TypeError, ValueError) as err:
        raise BadResponse("polygon has a coordinate that is not a number") from err
    return _check(pts)


def vertex_polygon(vertices: Any, xk: str = "x", yk: str = "y", default: Any = 0) -> Polygon:
    """Polygon from ``[{"x": .., "y": ..}, ...]``; a missing x or y is ``default`` (protobuf JSON omits 0)."""
    if type(vertices) is not list:
        raise BadResponse("polygon is not a list of points")
    try:
        pts = [(float(v.get(xk, default)), float(v.get(yk, default))) for v in vertices]
    except AttributeError as err:
        raise BadResponse("polygon has a point that is not an object") from err
    except (TypeError, ValueError) as err:
        raise BadResponse("polygon has a coordinate that is not a number") from err
    return _check(pts)


def pair_polygon(points: Any) -> Polygon:
    """Polygon from ``[[x, y], ...]``."""
    if type(points) is not list:
        raise BadResponse("polygon is not a list of points")
    try:
        pts = [(float(x), float(y)) for x, y in points]
    except (TypeError, ValueError) as err:
        raise BadResponse("polygon has a point that is not [x, y]") from err
    return _check(pts)


def bbox_of(polygons: Iterable[Polygon]) -> Polygon | None:
    """Axis-aligned rectangle around polygons, or None if there are none."""
    xs: list[float] = []
    ys: list[float] = []
    for poly in polygons:
        for x, y in poly:
            xs.append(x)
            ys.append(y)
    if not xs:
        return None
    return polygon_from_bbox(min(xs), min(ys), max(xs), max(ys))


def lines_block(lines: Sequence[Line], **kwargs: Any) -> Block | None:
    """A Block around lines, for formats without a block level; None if there are no lines."""
    poly = bbox_of(line.polygon for line in lines)
    if poly is None:
        return None
    return Block(polygon=poly, lines=tuple(lines), **kwargs)


def words_polygon(words: Sequence[Word]) -> Polygon:
    """Bounding box of words, for lines that come without a polygon."""
    poly = bbox_of(w.polygon for w in words)
    if poly is None:
        raise BadResponse("line has neither a polygon nor words")
    return poly


def text(value: Any) -> str:
    """A text field: a string, or empty when absent."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise BadResponse(f"text is not a string: {_short(value)}")


def number(value: Any, what: str) -> float:
    """A finite number, also from a string ("12")."""
    if isinstance(value, bool):
        raise BadResponse(f"{what} is not a number: {_short(value)}")
    try:
        f = float(value)
    except (TypeError, ValueError) as err:
        raise BadResponse(f"{what} is not a number: {_short(value)}") from err
    if not _isfinite(f):
        raise BadResponse(f"{what} is not finite: {_short(value)}")
    return f


def opt_number(value: Any, what: str) -> float | None:
    return None if value is None else number(value, what)


def integer(value: Any, what: str, default: int = 0) -> int:
    """An integer, also from a string ("3"); ``default`` when absent."""
    if value is None:
        return default
    f = number(value, what)
    if f != int(f):
        raise BadResponse(f"{what} is not a whole number: {_short(value)}")
    return int(f)


def confidence(value: Any, scale: float = 1.0) -> float | None:
    """Confidence in 0..1 (``scale`` 100 for percentages), None when absent."""
    if value is None:
        return None
    c = number(value, "confidence") / scale
    return 0.0 if c < 0.0 else 1.0 if c > 1.0 else c


def page_size(value: Any, what: str, page: int, ctx: Context) -> float | None:
    """A page width or height: None if absent or 0 (unknown); NaN, infinite or negative is a page error."""
    if value is None:
        return None
    try:
        f = number(value, what)
    except BadResponse as err:
        raise BadResponse(f"page {page}: {err}") from None
    if f < 0:
        raise BadResponse(f"page {page}: {what} is negative ({_short(value)})")
    if f == 0:
        ctx.note(f"page {page}: {what} is 0; treated as unknown")
        return None
    return f


def as_list(value: Any, what: str) -> list[Any]:
    """A JSON array, or [] when absent."""
    if value is None:
        return []
    if type(value) is not list:
        raise BadResponse(f"{what} is not a list")
    return value


def as_dict(value: Any, what: str) -> dict[str, Any]:
    """A JSON object, or {} when absent."""
    if value is None:
        return {}
    if type(value) is not dict:
        raise BadResponse(f"{what} is not an object")
    return value


def _short(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 40 else r[:37] + "..."
