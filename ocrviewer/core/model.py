"""The one document model: Document -> Page -> Block -> Line -> Word.

Every polygon is in page pixels of the *displayed* frame (EXIF applied) once a
document has been placed with a :class:`~ocrviewer.core.geometry.FrameTransform`.
Parsers produce documents in the response's own frame; ``Document.transformed``
maps them. The model is frozen and Qt-free; drawing lives elsewhere.

Confidence is a float in 0..1 or ``None`` where the service gives none (Yandex
OCR v1). Azure v2 gives only labels ("Low"/"High"): the label is kept in
``confidence_label`` and mapped to a number with :data:`LABEL_CONFIDENCE`
(Low -> 0.3, High/Medium -> 0.9/0.6) so it can be coloured like the others.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import field, fields, replace
from itertools import chain
from typing import Any

from ocrviewer.core.limits import MAX_COORDINATE, MAX_DOCUMENT_POINTS, MAX_POLYGON_POINTS
from ocrviewer.core.records import Record, frozen
from ocrviewer.errors import BadResponse

SCHEMA = "ocrviewer.document/1"

Point = tuple[float, float]
Polygon = tuple[Point, ...]

# The classes below are frozen dataclasses (core.records.frozen) with their own __init__: each sets
# its fields with _set, as dataclass's generated one does; extras=None (the default) is a new {}.
_set = object.__setattr__

LEVELS = ("block", "line", "word")

#: ``Line.extras`` key: how many of the line's words its file did not place (no position of their own
#: in a placed line). Their text is in the line's text, not among its words: compare takes the line's
#: text, boxed by the line, as it does for a line without words, so no word of it goes missing.
UNPLACED_WORDS = "unplaced_words"

#: Azure v2 word confidence labels mapped to numbers for colouring.
LABEL_CONFIDENCE: dict[str, float] = {"low": 0.3, "medium": 0.6, "high": 0.9}


def label_to_confidence(label: str | None) -> float | None:
    """Number used for colouring a confidence label ("Low" -> 0.3); None if unknown."""
    if label is None:
        return None
    return LABEL_CONFIDENCE.get(str(label).strip().lower())


def make_polygon(points: Sequence[Sequence[Any]] | Sequence[float], *, what: str = "polygon") -> Polygon:
    """Validate and freeze a polygon from ``[[x, y], ...]`` or a flat ``[x0, y0, x1, y1, ...]``.

    Raises BadResponse for fewer than 3 points or non-finite numbers.
    """
    pts: list[Point] = []
    if points and not isinstance(points[0], (list, tuple)):
        flat = list(points)
        if len(flat) % 2:
            raise BadResponse(f"{what} has an odd number of coordinates ({len(flat)})")
        pairs: Sequence[Sequence[Any]] = [flat[i : i + 2] for i in range(0, len(flat), 2)]
    else:
        pairs = points  # type: ignore[assignment]
    if len(pairs) > MAX_POLYGON_POINTS:
        raise BadResponse(f"{what} has {len(pairs):,} points, over the limit of {MAX_POLYGON_POINTS:,}")
    for p in pairs:
        if not isinstance(p, (list, tuple)) or len(p) != 2:
            raise BadResponse(f"{what} has a point that is not [x, y]: {p!r}")
        try:
            x, y = float(p[0]), float(p[1])
        except (TypeError, ValueError) as err:
            raise BadResponse(f"{what} has a non-numeric coordinate: {p!r}") from err
        if not (math.isfinite(x) and math.isfinite(y)):
            raise BadResponse(f"{what} has a non-finite coordinate: {p!r}")
        if not (-MAX_COORDINATE <= x <= MAX_COORDINATE and -MAX_COORDINATE <= y <= MAX_COORDINATE):
            raise BadResponse(
                f"{what} has a coordinate out of range (the limit is ±{MAX_COORDINATE:g}): {p!r}"
            )
        pts.append((x, y))
    if len(pts) < 3:
        raise BadResponse(f"{what} has {len(pts)} points; at least 3 are needed")
    return tuple(pts)


def polygon_bbox(poly: Polygon) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a polygon."""
    xs = [p[0] for p in poly]
    ys = [p[1] for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def polygon_from_bbox(left: float, top: float, right: float, bottom: float) -> Polygon:
    """Clockwise rectangle from its edges, starting top-left."""
    return ((left, top), (right, top), (right, bottom), (left, bottom))


def map_polygon(poly: Polygon, fn: Callable[[float, float], Point]) -> Polygon:
    return tuple(fn(x, y) for x, y in poly)


def _poly_to_list(poly: Polygon) -> list[list[float]]:
    return [[x, y] for x, y in poly]


def _poly_from(data: Any, what: str) -> Polygon:
    if not isinstance(data, list):
        raise BadResponse(f"{what} polygon must be a list of [x, y] points")
    if not data:  # an element of text only (a plain text's, a line no file placed): no polygon
        return ()
    return make_polygon(data, what=what)


def _opt_conf(value: Any, what: str) -> float | None:
    if value is None:
        return None
    try:
        conf = float(value)
    except (TypeError, ValueError) as err:
        raise BadResponse(f"{what} confidence is not a number: {value!r}") from err
    if not math.isfinite(conf):
        raise BadResponse(f"{what} confidence is not finite: {value!r}")
    return conf


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise BadResponse(f"{what} is not finite: {value!r}")
    return value


def _opt_size(value: Any, what: str) -> float | None:
    if value is None:
        return None
    size = _finite(float(value), what)
    if not 0 < size <= MAX_COORDINATE:
        raise BadResponse(f"{what} {size:g} is out of range (0 to {MAX_COORDINATE:g})")
    return size


def _page_polygons(page: Page) -> Iterator[Polygon]:
    for block in page.blocks:
        yield block.polygon
        for line in block.lines:
            yield line.polygon
            for word in line.words:
                yield word.polygon
    for table in page.tables:
        yield table.polygon
        for cell in table.cells:
            yield cell.polygon


def check_coordinates(doc: Document, when: str = "") -> None:
    """BadResponse (one line) if a coordinate is not finite or beyond ±MAX_COORDINATE, or the
    document holds more than MAX_DOCUMENT_POINTS polygon points. ``when`` says at which step
    ("once placed on the image"). Keeps drawing, painting and saving bounded and finite."""
    total = 0
    for page in doc.pages:
        columns = vars(page).get("columns")  # a page parsed in the child (core.columns): arrays
        if columns is not None:
            total += _check_columns(page, columns, total, when)
            continue
        polys = list(_page_polygons(page))
        total += sum(map(len, polys))
        if total > MAX_DOCUMENT_POINTS:
            raise _too_many_points()
        if not polys:
            continue
        flat = list(_flat(polys))  # flattened once (three passes over the chain took twice as long)
        if not flat:  # elements of text only: no coordinate to check
            continue
        low = min(flat)
        high = max(flat)
        if -MAX_COORDINATE <= low and high <= MAX_COORDINATE and math.isfinite(sum(flat)):
            continue  # (min and max can step over a NaN; the sum cannot)
        bad = next(v for v in flat if not -MAX_COORDINATE <= v <= MAX_COORDINATE)
        raise _beyond_limit(page, bad, when)


def _too_many_points() -> BadResponse:
    return BadResponse(
        f"the response has more than {MAX_DOCUMENT_POINTS:,} polygon points, over the limit; "
        "split it into smaller responses"
    )


def _beyond_limit(page: Page, value: float, when: str) -> BadResponse:
    where = f" {when}" if when else ""
    return BadResponse(
        f"page {page.index + 1}: a coordinate is {value:g}{where}, beyond the limit of ±{MAX_COORDINATE:g}; "
        "the response's page size or coordinates are wrong"
    )


def _check_columns(page: Page, columns: Any, total: int, when: str) -> int:
    """check_coordinates for a column page without making its elements; its number of points."""
    import numpy as np

    arrays = [
        np.asarray(c.pts, dtype=np.float64).ravel() for c in (columns.block, columns.line, columns.word)
    ]
    tables = [xy for t in page.tables for poly in (t.polygon, *(c.polygon for c in t.cells)) for xy in poly]
    arrays.append(np.asarray(tables, dtype=np.float64).ravel())
    n = sum(len(a) for a in arrays) // 2
    if total + n > MAX_DOCUMENT_POINTS:
        raise _too_many_points()
    for values in arrays:
        bad = ~(np.abs(values) <= MAX_COORDINATE)  # NaN compares False
        if bad.any():
            raise _beyond_limit(page, float(values[bad][0]), when)
    return n


def _flat(polys: list[Polygon]) -> Iterator[float]:
    return chain.from_iterable(chain.from_iterable(polys))


@frozen(slots=True)
class Word(Record):
    """One word: its text, polygon, confidence (0..1 or None) and what the service said besides."""

    text: str
    polygon: Polygon
    confidence: float | None = None
    confidence_label: str | None = None
    language: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        text: str,
        polygon: Polygon,
        confidence: float | None = None,
        confidence_label: str | None = None,
        language: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        _set(self, "text", text)
        _set(self, "polygon", polygon)
        _set(self, "confidence", confidence)
        _set(self, "confidence_label", confidence_label)
        _set(self, "language", language)
        _set(self, "extras", {} if extras is None else extras)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return polygon_bbox(self.polygon)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "confidence": self.confidence,
            "polygon": _poly_to_list(self.polygon),
        }
        if self.confidence_label is not None:
            d["confidence_label"] = self.confidence_label
        if self.language is not None:
            d["language"] = self.language
        if self.extras:
            d["extras"] = dict(self.extras)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Word:
        return cls(
            text=str(d.get("text", "")),
            polygon=_poly_from(d.get("polygon"), "word"),
            confidence=_opt_conf(d.get("confidence"), "word"),
            confidence_label=d.get("confidence_label"),
            language=d.get("language"),
            extras=dict(d.get("extras") or {}),
        )

    def mapped(self, fn: Callable[[float, float], Point]) -> Word:
        return replace(self, polygon=map_polygon(self.polygon, fn))


@frozen(slots=True)
class Line(Record):
    """One line of text with its words, in reading order."""

    text: str
    polygon: Polygon
    words: tuple[Word, ...] = ()
    confidence: float | None = None
    language: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        text: str,
        polygon: Polygon,
        words: tuple[Word, ...] = (),
        confidence: float | None = None,
        language: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        _set(self, "text", text)
        _set(self, "polygon", polygon)
        _set(self, "words", words)
        _set(self, "confidence", confidence)
        _set(self, "language", language)
        _set(self, "extras", {} if extras is None else extras)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return polygon_bbox(self.polygon)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "confidence": self.confidence,
            "polygon": _poly_to_list(self.polygon),
            "words": [w.to_dict() for w in self.words],
        }
        if self.language is not None:
            d["language"] = self.language
        if self.extras:
            d["extras"] = dict(self.extras)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Line:
        return cls(
            text=str(d.get("text", "")),
            polygon=_poly_from(d.get("polygon"), "line"),
            words=tuple(Word.from_dict(w) for w in d.get("words") or ()),
            confidence=_opt_conf(d.get("confidence"), "line"),
            language=d.get("language"),
            extras=dict(d.get("extras") or {}),
        )

    def mapped(self, fn: Callable[[float, float], Point]) -> Line:
        return replace(
            self, polygon=map_polygon(self.polygon, fn), words=tuple(w.mapped(fn) for w in self.words)
        )


@frozen()
class Block(Record):
    """A block (paragraph, region) of lines; ``layout_type`` is the service's kind of block, if any."""

    polygon: Polygon
    lines: tuple[Line, ...] = ()
    confidence: float | None = None
    language: str | None = None
    layout_type: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        polygon: Polygon,
        lines: tuple[Line, ...] = (),
        confidence: float | None = None,
        language: str | None = None,
        layout_type: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        _set(self, "polygon", polygon)
        _set(self, "lines", lines)
        _set(self, "confidence", confidence)
        _set(self, "language", language)
        _set(self, "layout_type", layout_type)
        _set(self, "extras", {} if extras is None else extras)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return polygon_bbox(self.polygon)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "confidence": self.confidence,
            "polygon": _poly_to_list(self.polygon),
            "lines": [line.to_dict() for line in self.lines],
        }
        if self.language is not None:
            d["language"] = self.language
        if self.layout_type is not None:
            d["layout_type"] = self.layout_type
        if self.extras:
            d["extras"] = dict(self.extras)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Block:
        return cls(
            polygon=_poly_from(d.get("polygon"), "block"),
            lines=tuple(Line.from_dict(x) for x in d.get("lines") or ()),
            confidence=_opt_conf(d.get("confidence"), "block"),
            language=d.get("language"),
            layout_type=d.get("layout_type"),
            extras=dict(d.get("extras") or {}),
        )

    def mapped(self, fn: Callable[[float, float], Point]) -> Block:
        return replace(
            self, polygon=map_polygon(self.polygon, fn), lines=tuple(x.mapped(fn) for x in self.lines)
        )


@frozen()
class Cell(Record):
    """One table cell: its place in the grid (0-based row and column, spans) and its text."""

    polygon: Polygon
    row: int
    column: int
    row_span: int = 1
    column_span: int = 1
    text: str = ""

    def __init__(
        self, polygon: Polygon, row: int, column: int, row_span: int = 1, column_span: int = 1, text: str = ""
    ) -> None:
        _set(self, "polygon", polygon)
        _set(self, "row", row)
        _set(self, "column", column)
        _set(self, "row_span", row_span)
        _set(self, "column_span", column_span)
        _set(self, "text", text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "polygon": _poly_to_list(self.polygon),
            "row": self.row,
            "column": self.column,
            "row_span": self.row_span,
            "column_span": self.column_span,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Cell:
        return cls(
            polygon=_poly_from(d.get("polygon"), "cell"),
            row=int(d.get("row", 0)),
            column=int(d.get("column", 0)),
            row_span=int(d.get("row_span", 1)),
            column_span=int(d.get("column_span", 1)),
            text=str(d.get("text", "")),
        )

    def mapped(self, fn: Callable[[float, float], Point]) -> Cell:
        return replace(self, polygon=map_polygon(self.polygon, fn))


@frozen()
class Table(Record):
    """A table: its outline, its grid size and its cells."""

    polygon: Polygon
    rows: int
    columns: int
    cells: tuple[Cell, ...] = ()

    def __init__(self, polygon: Polygon, rows: int, columns: int, cells: tuple[Cell, ...] = ()) -> None:
        _set(self, "polygon", polygon)
        _set(self, "rows", rows)
        _set(self, "columns", columns)
        _set(self, "cells", cells)

    def to_dict(self) -> dict[str, Any]:
        return {
            "polygon": _poly_to_list(self.polygon),
            "rows": self.rows,
            "columns": self.columns,
            "cells": [c.to_dict() for c in self.cells],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Table:
        return cls(
            polygon=_poly_from(d.get("polygon"), "table"),
            rows=int(d.get("rows", 0)),
            columns=int(d.get("columns", 0)),
            cells=tuple(Cell.from_dict(c) for c in d.get("cells") or ()),
        )

    def mapped(self, fn: Callable[[float, float], Point]) -> Table:
        return replace(
            self, polygon=map_polygon(self.polygon, fn), cells=tuple(c.mapped(fn) for c in self.cells)
        )


@frozen()
class Page(Record):
    """One page. ``width``/``height`` are in ``unit`` (``pixel`` after normalisation)."""

    width: float | None
    height: float | None
    blocks: tuple[Block, ...] = ()
    tables: tuple[Table, ...] = ()
    unit: str = "pixel"
    angle: float | None = None
    index: int = 0
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        width: float | None,
        height: float | None,
        blocks: tuple[Block, ...] = (),
        tables: tuple[Table, ...] = (),
        unit: str = "pixel",
        angle: float | None = None,
        index: int = 0,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        _set(self, "width", width)
        _set(self, "height", height)
        _set(self, "blocks", blocks)
        _set(self, "tables", tables)
        _set(self, "unit", unit)
        _set(self, "angle", angle)
        _set(self, "index", index)
        _set(self, "extras", {} if extras is None else extras)

    def words(self) -> Iterator[Word]:
        for b in self.blocks:
            for line in b.lines:
                yield from line.words

    def lines(self) -> Iterator[Line]:
        for b in self.blocks:
            yield from b.lines

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "width": self.width,
            "height": self.height,
            "unit": self.unit,
            "angle": self.angle,
            "blocks": [b.to_dict() for b in self.blocks],
            "tables": [t.to_dict() for t in self.tables],
        }
        if self.extras:
            d["extras"] = dict(self.extras)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Page:
        return cls(
            width=_opt_size(d.get("width"), "page width"),
            height=_opt_size(d.get("height"), "page height"),
            blocks=tuple(Block.from_dict(b) for b in d.get("blocks") or ()),
            tables=tuple(Table.from_dict(t) for t in d.get("tables") or ()),
            unit=str(d.get("unit", "pixel")),
            angle=None if d.get("angle") is None else _finite(float(d["angle"]), "page angle"),
            index=int(d.get("index", 0)),
            extras=dict(d.get("extras") or {}),
        )

    def mapped(self, fn: Callable[[float, float], Point], width: float, height: float) -> Page:
        """The page with every polygon passed through ``fn`` and the new page size."""
        return replace(
            self,
            width=width,
            height=height,
            unit="pixel",
            blocks=tuple(b.mapped(fn) for b in self.blocks),
            tables=tuple(t.mapped(fn) for t in self.tables),
        )


@frozen()
class Document(Record):
    """A whole OCR result. ``source_format`` names the parser that read it."""

    pages: tuple[Page, ...]
    source_format: str = "unknown"
    extras: Mapping[str, Any] = field(default_factory=dict)
    #: One line per element that was skipped because it was bad.
    warnings: tuple[str, ...] = ()

    def __init__(
        self,
        pages: tuple[Page, ...],
        source_format: str = "unknown",
        extras: Mapping[str, Any] | None = None,
        warnings: tuple[str, ...] = (),
    ) -> None:
        _set(self, "pages", pages)
        _set(self, "source_format", source_format)
        _set(self, "extras", {} if extras is None else extras)
        _set(self, "warnings", warnings)

    def words(self) -> Iterator[Word]:
        for p in self.pages:
            yield from p.words()

    def lines(self) -> Iterator[Line]:
        for p in self.pages:
            yield from p.lines()

    def blocks(self) -> Iterator[Block]:
        for p in self.pages:
            yield from p.blocks

    def counts(self) -> dict[str, int]:
        return {
            "page": len(self.pages),
            "block": sum(len(p.blocks) for p in self.pages),
            "line": sum(1 for _ in self.lines()),
            "word": sum(1 for _ in self.words()),
            "table": sum(len(p.tables) for p in self.pages),
        }

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SCHEMA,
            "source_format": self.source_format,
            "pages": [p.to_dict() for p in self.pages],
        }
        if self.extras:
            d["extras"] = dict(self.extras)
        if self.warnings:
            d["warnings"] = list(self.warnings)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Document:
        if not isinstance(d, Mapping) or d.get("schema") != SCHEMA:
            raise BadResponse(f"not an {SCHEMA} document")
        try:
            return cls(
                pages=tuple(Page.from_dict(p) for p in d.get("pages") or ()),
                source_format=str(d.get("source_format", "unknown")),
                extras=dict(d.get("extras") or {}),
                warnings=tuple(d.get("warnings") or ()),
            )
        except BadResponse:
            raise
        except (TypeError, ValueError, AttributeError, KeyError) as err:
            raise BadResponse(f"invalid {SCHEMA} document: {err}") from err

    def with_pages(self, pages: Sequence[Page]) -> Document:
        return replace(self, pages=tuple(pages))


# -- fast constructors: a parser or a page of columns makes thousands of these ---------------------
def _fast_constructor(cls: type, names: tuple[str, ...]) -> bool:
    """True if ``cls`` is a plain frozen slotted dataclass with exactly these fields, so its
    ``__init__`` (one ``object.__setattr__`` per field) can be replaced by the slots' setters."""
    return (
        tuple(f.name for f in fields(cls)) == names
        and not hasattr(cls, "__post_init__")
        and getattr(cls, "__slots__", None) == names
    )


_WORD_FIELDS = ("text", "polygon", "confidence", "confidence_label", "language", "extras")
_LINE_FIELDS = ("text", "polygon", "words", "confidence", "language", "extras")
_new = object.__new__
#: The extras of every element made without any: one shared empty dict (the model is frozen, nothing
#: writes into extras), not 10k of them, which counted towards the cyclic GC's collections.
NO_EXTRAS: dict[str, Any] = {}

if _fast_constructor(Word, _WORD_FIELDS) and _fast_constructor(Line, _LINE_FIELDS):
    # Word and Line are slotted (no per-object ``__dict__``: one object the cyclic GC tracks per
    # word instead of two); the slots' own setters bypass the frozen ``__setattr__``.
    _w_text, _w_poly, _w_conf, _w_label, _w_lang, _w_extras = (getattr(Word, n).__set__ for n in _WORD_FIELDS)
    _l_text, _l_poly, _l_words, _l_conf, _l_lang, _l_extras = (getattr(Line, n).__set__ for n in _LINE_FIELDS)

    def make_word(
        text: str,
        polygon: Polygon,
        confidence: float | None = None,
        confidence_label: str | None = None,
        language: str | None = None,
        extras: dict[str, Any] | None = None,
    ) -> Word:
        """``Word(...)`` without the frozen-dataclass ``__init__`` cost (same object, same equality)."""
        w = _new(Word)
        _w_text(w, text)
        _w_poly(w, polygon)
        _w_conf(w, confidence)
        _w_label(w, confidence_label)
        _w_lang(w, language)
        _w_extras(w, NO_EXTRAS if extras is None else extras)
        return w

    def make_line(
        text: str,
        polygon: Polygon,
        words: tuple[Word, ...] = (),
        confidence: float | None = None,
        language: str | None = None,
        extras: dict[str, Any] | None = None,
    ) -> Line:
        """``Line(...)`` without the frozen-dataclass ``__init__`` cost."""
        ln = _new(Line)
        _l_text(ln, text)
        _l_poly(ln, polygon)
        _l_words(ln, words)
        _l_conf(ln, confidence)
        _l_lang(ln, language)
        _l_extras(ln, NO_EXTRAS if extras is None else extras)
        return ln

else:  # the model changed shape: stay correct, lose a little speed

    def make_word(
        text: str,
        polygon: Polygon,
        confidence: float | None = None,
        confidence_label: str | None = None,
        language: str | None = None,
        extras: dict[str, Any] | None = None,
    ) -> Word:
        return Word(text, polygon, confidence, confidence_label, language, extras or {})

    def make_line(
        text: str,
        polygon: Polygon,
        words: tuple[Word, ...] = (),
        confidence: float | None = None,
        language: str | None = None,
        extras: dict[str, Any] | None = None,
    ) -> Line:
        return Line(text, polygon, words, confidence, language, extras or {})
