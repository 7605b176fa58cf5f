"""Helpers shared by the format parsers: fast polygons, numbers, warnings, wrapping lines in blocks.

The hot path (one call per word) builds polygon tuples directly and checks them once per polygon
(at least 3 points, all finite) instead of going through :func:`ocrviewer.core.model.make_polygon`
point by point; the checks are the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from itertools import chain
from typing import Any

from ocrviewer.core.limits import MAX_COORDINATE, MAX_POLYGON_POINTS
from ocrviewer.core.model import Block, Line, Polygon, Word, polygon_from_bbox
from ocrviewer.errors import BadResponse

#: What a malformed element can raise while it is read; each is turned into one warning.
ELEMENT_ERRORS = (BadResponse, KeyError, TypeError, ValueError, AttributeError, IndexError)

_isfinite = math.isfinite
#: Sum of the squares of a 4-point polygon's coordinates at most this: every one is within the
#: limit (a polygon failing it takes the slow path, which checks each coordinate exactly).
FAST_LIMIT = MAX_COORDINATE * MAX_COORDINATE
_from_chain = chain.from_iterable


#: True while a parser reads a JSON tree that nobody else holds (``load_response`` decoded it from
#: the file): it may then empty each part it has read, so the cyclic GC stops walking the tree
#: (a 10k-word Yandex response is ~100k dicts and lists; freeing each block's once read halved the
#: GC time of its parse). Never set for ``parse_response``, whose caller owns its data.
OWNED_INPUT: ContextVar[bool] = ContextVar("ocrviewer_parsers_owned_input", default=False)


class Context:
    """Collects one warning per skipped element while a document is parsed.

    At most ``limit`` are kept, then one line counts the rest: a broken 10k-word response should not
    print 10k lines.
    """

    __slots__ = ("_items", "limit", "more")

    def __init__(self, limit: int = 200) -> None:
        self._items: list[str] = []
        self.limit = limit
        self.more = 0

    @property
    def warnings(self) -> list[str]:
        if self.more:
            return [*self._items, f"... and {self.more} more problems like these"]
        return list(self._items)

    def note(self, message: str) -> None:
        if len(self._items) < self.limit:
            self._items.append(message)
        else:
            self.more += 1

    def skip(self, where: str, err: BaseException) -> None:
        self.note(f"{where}: {describe(err)}; skipped")


_SNAKE = re.compile(r"_([a-z0-9])")


def camel_keys(value: Any, renames: dict[str, str] | None = None) -> Any:
    """``value`` with every object key in camelCase (``page_number`` -> ``pageNumber``; ``renames``
    first, for keys the rule does not cover): what the Python SDKs' ``to_dict()`` write in snake_case
    read as the REST answer they came from."""
    table = renames or {}

    def key(k: Any) -> Any:
        if type(k) is not str:
            return k
        return table.get(k) or _SNAKE.sub(lambda m: m.group(1).upper(), k)

    def walk(v: Any) -> Any:
        if type(v) is dict:
            return {key(k): walk(x) for k, x in v.items()}
        if type(v) is list:
            return [walk(x) for x in v]
        return v

    return walk(value)


def describe(err: BaseException) -> str:
    """A short phrase for why an element could not be read."""
    if isinstance(err, BadResponse):
        return str(err)
    if isinstance(err, KeyError):
        return f"missing {err.args[0]!r}" if err.args else "missing key"
    if isinstance(err, AttributeError) and err.name in ("get", "items") and hasattr(err, "obj"):
        return f"not an object ({kind(err.obj)})"
    if isinstance(err, (TypeError, AttributeError)):
        return "malformed (a value has the wrong type)"
    if isinstance(err, ValueError):
        return f"bad value ({err})"
    return f"malformed ({type(err).__name__})"


def kind(value: Any) -> str:
    """What a JSON value is, for messages: "a string", "an array", "null"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _check_count(n: int) -> None:
    """A polygon of more than MAX_POLYGON_POINTS points is refused before its points are read."""
    if n > MAX_POLYGON_POINTS:
        raise BadResponse(f"polygon has {n:,} points, over the limit of {MAX_POLYGON_POINTS:,}")


def _check(pts: list[tuple[float, float]] | tuple[tuple[float, float], ...]) -> Polygon:
    n = len(pts)
    if n < 3:
        raise BadResponse(f"polygon has {n} point{'s' if n != 1 else ''}")
    _check_count(n)
    # one sum instead of 2n isfinite calls: any NaN or infinity makes the sum non-finite
    if not _isfinite(sum(_from_chain(pts))):
        raise BadResponse("polygon has a non-finite coordinate")
    low, high = min(_from_chain(pts)), max(_from_chain(pts))
    if low < -MAX_COORDINATE or high > MAX_COORDINATE:
        bad = low if low < -MAX_COORDINATE else high
        raise BadResponse(
            f"polygon has a coordinate out of range ({bad:g}; the limit is ±{MAX_COORDINATE:g})"
        )
    return tuple(pts)


def flat_polygon(values: Any) -> Polygon:
    """Polygon from a flat ``[x0, y0, x1, y1, ...]`` list (Azure ``boundingBox``/``polygon``).

    Fast path for the usual 8 JSON numbers: the coordinates are kept as parsed (int or float) and
    checked with one sum; anything else goes through the converting, validating path.
    """
    if type(values) is list and len(values) == 8:
        x0, y0, x1, y1, x2, y2, x3, y3 = values
        try:
            # one comparison checks all 8 are finite and in range (NaN and infinity fail it too)
            if x0 * x0 + y0 * y0 + x1 * x1 + y1 * y1 + x2 * x2 + y2 * y2 + x3 * x3 + y3 * y3 <= FAST_LIMIT:
                return ((x0, y0), (x1, y1), (x2, y2), (x3, y3))
        except TypeError:
            pass
    return _flat_polygon_slow(values)


def _flat_polygon_slow(values: Any) -> Polygon:
    if type(values) is not list:
        raise BadResponse("polygon is not a list of numbers")
    _check_count(len(values) // 2)
    if len(values) % 2:
        raise BadResponse(f"polygon has an odd number of coordinates ({len(values)})")
    f = [number(v, "coordinate") for v in values]
    return _check(list(zip(f[0::2], f[1::2], strict=True)))


def vertex_polygon(vertices: Any, xk: str = "x", yk: str = "y", default: Any = 0) -> Polygon:
    """Polygon from ``[{"x": .., "y": ..}, ...]``; a missing x or y is ``default`` (protobuf JSON omits 0).

    ``default=None`` makes a missing coordinate an error.
    """
    if type(vertices) is list and len(vertices) == 4:
        a, b, c, d = vertices
        try:  # every coordinate present: the common case; anything else takes the slow path
            x0, y0 = float(a[xk]), float(a[yk])
            x1, y1 = float(b[xk]), float(b[yk])
            x2, y2 = float(c[xk]), float(c[yk])
            x3, y3 = float(d[xk]), float(d[yk])
            if x0 * x0 + y0 * y0 + x1 * x1 + y1 * y1 + x2 * x2 + y2 * y2 + x3 * x3 + y3 * y3 <= FAST_LIMIT:
                return ((x0, y0), (x1, y1), (x2, y2), (x3, y3))
        except (LookupError, TypeError, ValueError):
            pass
    return _vertex_polygon_slow(vertices, xk, yk, default)


def _vertex_polygon_slow(vertices: Any, xk: str, yk: str, default: Any) -> Polygon:
    if type(vertices) is not list:
        raise BadResponse("polygon is not a list of points")
    _check_count(len(vertices))
    pts: list[tuple[float, float]] = []
    for v in vertices:
        if type(v) is not dict:
            raise BadResponse("polygon has a point that is not an object")
        x, y = v.get(xk, default), v.get(yk, default)
        if x is None or y is None:
            raise BadResponse(f"polygon has a point without {xk if x is None else yk}")
        pts.append((number(x, "coordinate"), number(y, "coordinate")))
    return _check(pts)


def pair_polygon(points: Any) -> Polygon:
    """Polygon from ``[[x, y], ...]``."""
    if type(points) is not list:
        raise BadResponse("polygon is not a list of points")
    _check_count(len(points))
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


def container_polygon(
    read: Callable[[Any], Polygon | None],
    source: Any,
    parts: Iterable[Polygon],
    where: str,
    ctx: Context,
    what: str = "words",
) -> Polygon:
    """The polygon of a line or block: as read; if absent, the box around its parts; if bad, the box
    around its parts with a warning (its words or lines are good, so nothing is dropped); if there are
    no parts either, the error stands and the element is skipped. ``read(source)`` gives the polygon
    or None when the element has none."""
    try:
        poly = read(source)
    except BadResponse as err:
        box = bbox_of(parts)
        if box is None:
            raise
        ctx.note(f"{where}: {err}; used the box around its {what}")
        return box
    if poly is None:
        box = bbox_of(parts)
        if box is None:
            raise BadResponse(f"no polygon and no {what}")
        return box
    return poly


def optional_flat_polygon(values: Any) -> Polygon | None:
    return None if values is None else flat_polygon(values)


def optional_vertex_polygon(vertices: Any) -> Polygon | None:
    """Like vertex_polygon for ``[{x, y}]`` where a missing coordinate is an error; None if absent."""
    return None if vertices is None else vertex_polygon(vertices, default=None)


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
    except OverflowError as err:  # an integer too large for a float
        raise BadResponse(f"{what} is not finite: {_short(value)}") from err
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


#: How far past either end of its range a confidence may be and still count as rounding (clamped).
CONFIDENCE_SLACK = 1e-6


def confidence(value: Any, ctx: Context, where: str, scale: float = 1.0) -> float | None:
    """Confidence in 0..1 from a value in 0..``scale`` (100 for percentages); None when absent.

    A bad value is never guessed at: one outside its range (57 or -1 where 0..1 is meant, 101 for a
    percentage), NaN, or not a number is left out (None) with a warning naming ``where``, and the
    element is kept. Only rounding (within ``CONFIDENCE_SLACK`` of the range) is clamped.
    """
    if value is None:
        return None
    t = type(value)
    if (t is float or t is int) and 0 <= value <= scale:
        return float(value / scale)
    try:
        c = number(value, "confidence")
    except BadResponse as err:
        ctx.note(f"{where}: {err}; kept without a confidence")
        return None
    if 0.0 <= c <= scale:
        return c / scale
    slack = scale * CONFIDENCE_SLACK
    if -slack <= c < 0.0:
        return 0.0
    if scale < c <= scale + slack:
        return 1.0
    ctx.note(f"{where}: confidence {_short(value)} is outside 0..{scale:g}; kept without a confidence")
    return None


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
    if f > MAX_COORDINATE:
        raise BadResponse(f"page {page}: {what} {_short(value)} is over the limit of {MAX_COORDINATE:g}")
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
