"""Google Cloud Document AI ``Document`` JSON (OCR, Form Parser and the other processors).

The ``process`` answer (``{"document": {...}}``) or the Document alone, as the REST API writes it
(camelCase) or as the Python client's ``Document.to_dict``/``to_json`` writes it (snake_case). A page's
``blocks``, ``lines`` and ``tokens`` each have a ``layout``: its text is the document's ``text`` cut by
``textAnchor.textSegments`` (int64 indices written as strings; a start of 0 is left out), its polygon
is ``boundingPoly.vertices`` in pixels or ``normalizedVertices`` scaled by the page's ``dimension`` (else its ``image``'s size).
Tokens become Words, lines Lines, blocks Blocks, each holding what its text range holds (a token
ends with the space or newline after it: that is not its text). A page with blocks and no lines (the
v1beta2 OCR answer) has each block as one line without words; one with only ``formFields`` (the v1beta2
Form Parser answer) has each field as a block of its name's and its value's line. The Form Parser's
``tables`` (header rows, then body rows, with row and column spans) become Tables.

Where Document AI turned or deskewed the page before reading it (``transforms``: a 2x3 affine matrix
from the input image to the page image, OpenCV's ``{rows, cols, type, data}`` with ``data`` base64 of
little-endian doubles), every polygon is mapped back by its inverse onto the input image; the page
size is then left to the image. ``layout.orientation`` (PAGE_UP/RIGHT/DOWN/LEFT) is kept in the page's
extras. Confidences are 0..1.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import struct
from collections.abc import Callable
from typing import Any

from ocrviewer.core.model import Block, Cell, Document, Line, Page, Polygon, Table, Word
from ocrviewer.core.parsers._common import (
    ELEMENT_ERRORS,
    Context,
    as_dict,
    as_list,
    bbox_of,
    confidence,
    integer,
    number,
    page_size,
    vertex_polygon,
)
from ocrviewer.errors import BadResponse

DOCUMENT_AI = "google-document-ai"

_PAGE_KEYS = ("dimension", "tokens", "pageNumber", "page_number", "layout")


def _get(d: dict[str, Any], camel: str, snake: str) -> Any:
    value = d.get(camel)
    return d.get(snake) if value is None else value


def document_of(d: dict[str, Any]) -> dict[str, Any] | None:
    """The Document in ``d`` (a process answer or the Document itself), or None."""
    inner = d.get("document")
    doc: dict[str, Any] = inner if type(inner) is dict else d
    pages = doc.get("pages")
    if type(pages) is not list or not pages or type(pages[0]) is not dict:
        return None
    first = pages[0]
    if "words" in first or "spans" in first:  # Azure Document Intelligence's pages
        return None
    found = [k for k in _PAGE_KEYS if k in first]
    if found and not (set(found) <= {"pageNumber", "page_number"} and "chars" in first):
        return doc  # (pdfplumber's JSON of a PDF numbers its pages too, and lists their "chars")
    blocks = first.get("blocks")  # the v1beta2 answer: blocks with a layout (Vision's have none)
    if type(blocks) is list and blocks and type(blocks[0]) is dict and "layout" in blocks[0]:
        return doc
    return None


def _index(value: Any, what: str) -> int:
    if value is None:
        return 0
    n = number(value, what)
    if n != int(n) or n < 0:
        raise BadResponse(f"{what} is not a text index: {value!r}")
    return int(n)


def _segments(layout: dict[str, Any]) -> list[tuple[int, int]]:
    anchor = _get(layout, "textAnchor", "text_anchor")
    if anchor is None:
        return []
    out = []
    for seg in as_list(_get(as_dict(anchor, "textAnchor"), "textSegments", "text_segments"), "textSegments"):
        seg = as_dict(seg, "text segment")
        start = _index(_get(seg, "startIndex", "start_index"), "startIndex")
        end = _index(_get(seg, "endIndex", "end_index"), "endIndex")
        out.append((start, end))
    return out


class _Page:
    def __init__(self, text: str, width: float, height: float, ctx: Context, where: str) -> None:
        self.text = text
        self.width = width
        self.height = height
        self.ctx = ctx
        self.where = where
        self.back: Callable[[float, float], tuple[float, float]] | None = None
        #: a polygon was in pixels (``vertices``): without a dimension the page is in pixels
        self.pixels = False

    def polygon(self, layout: dict[str, Any]) -> Polygon | None:
        poly = _get(layout, "boundingPoly", "bounding_poly")
        if poly is None:
            return None
        poly = as_dict(poly, "boundingPoly")
        vertices = poly.get("vertices")
        normalized = _get(poly, "normalizedVertices", "normalized_vertices")
        if normalized:
            pts = vertex_polygon(normalized)
            w, h = self.width, self.height
            out: Polygon = tuple((x * w, y * h) for x, y in pts)
        elif vertices:
            out = vertex_polygon(vertices)
            self.pixels = True
        else:
            return None
        if self.back is not None:
            back = self.back
            out = tuple(back(x, y) for x, y in out)
        return out

    def element(self, item: Any, what: str) -> tuple[str, Polygon | None, float | None, int]:
        """An element's text, polygon, confidence and where its text starts."""
        layout = as_dict(_get(as_dict(item, what), "layout", "layout"), "layout")
        segs = _segments(layout)
        text = "".join(self.text[a:b] for a, b in segs)
        conf = confidence(layout.get("confidence"), self.ctx, what)
        return text, self.polygon(layout), conf, segs[0][0] if segs else -1


def _transform(page: dict[str, Any]) -> Callable[[float, float], tuple[float, float]] | None:
    """The inverse of the page's first transform (page image -> input image), or None."""
    items = page.get("transforms")
    if type(items) is not list or not items:
        return None
    t = as_dict(items[0], "transform")
    data = t.get("data")
    if t.get("rows") != 2 or t.get("cols") != 3 or type(data) is not str:
        raise BadResponse("a transform that is not a 2x3 matrix")
    try:
        raw = base64.b64decode(data, validate=True)
        a, b, c, d, e, f = struct.unpack("<6d", raw)
    except (binascii.Error, struct.error) as err:
        raise BadResponse("a transform whose data is not six numbers") from err
    det = a * e - b * d
    if not det or det != det:
        raise BadResponse("a transform that cannot be undone")

    def back(x: float, y: float) -> tuple[float, float]:
        x, y = x - c, y - f
        return (e * x - b * y) / det, (a * y - d * x) / det

    return back


def _strip(text: str) -> str:
    return text.strip()


def _form_fields(rd: _Page, p: dict[str, Any], pno: int) -> list[Block]:
    """A page with only ``formFields`` (the v1beta2 Form Parser answer): each field a block of its
    name's line and its value's line."""
    blocks: list[Block] = []
    for n, field in enumerate(as_list(_get(p, "formFields", "form_fields"), "formFields"), 1):
        where = f"page {pno} form field {n}"
        try:
            field = as_dict(field, "form field")
            lines = []
            for key in (("fieldName", "field_name"), ("fieldValue", "field_value")):
                part = _get(field, *key)
                if part is None:
                    continue
                text, poly, conf, _ = rd.element({"layout": part}, where)
                if poly is not None and _strip(text):
                    lines.append(Line(" ".join(_strip(text).split()), poly, (), conf))
            box = bbox_of(ln.polygon for ln in lines)
            if box is not None:
                blocks.append(Block(box, tuple(lines), None, None, "form_field"))
        except ELEMENT_ERRORS as err:
            rd.ctx.skip(where, err)
    return blocks


#: more columns than any table has: a span past it is a broken answer, not a grid to fill
_MAX_COLUMNS = 1000


def _tables(rd: _Page, p: dict[str, Any], pno: int) -> list[Table]:
    """The Form Parser's tables: header rows then body rows, each cell placed in the grid past the
    cells that rows above span into."""
    tables: list[Table] = []
    for n, t in enumerate(as_list(p.get("tables"), "tables"), 1):
        where = f"page {pno} table {n}"
        try:
            t = as_dict(t, "table")
            rows = [
                *as_list(_get(t, "headerRows", "header_rows"), "headerRows"),
                *as_list(_get(t, "bodyRows", "body_rows"), "bodyRows"),
            ]
            taken: set[tuple[int, int]] = set()
            cells: list[Cell] = []
            columns = 0
            for r, row in enumerate(rows):
                col = 0
                for c in as_list(as_dict(row, "row").get("cells"), "cells"):
                    while (r, col) in taken:
                        col += 1
                    c = as_dict(c, "cell")
                    rs = max(integer(_get(c, "rowSpan", "row_span"), "rowSpan", 1), 1)
                    cs = max(integer(_get(c, "colSpan", "col_span"), "colSpan", 1), 1)
                    if rs > len(rows) - r or cs > _MAX_COLUMNS:
                        raise BadResponse(f"a cell spans {rs} rows and {cs} columns, past the table")
                    text, poly, _, _ = rd.element(c, f"{where} cell")
                    if poly is not None:
                        cells.append(Cell(poly, r, col, rs, cs, " ".join(text.split())))
                    taken.update((r + i, col + j) for i in range(rs) for j in range(cs))
                    col += cs
                    columns = max(columns, col)
            layout = as_dict(_get(t, "layout", "layout"), "layout")
            poly = rd.polygon(layout) or bbox_of(c.polygon for c in cells)
            if poly is None:
                raise BadResponse("no boundingPoly and no cells")
            tables.append(Table(poly, len(rows), columns, tuple(cells)))
        except ELEMENT_ERRORS as err:
            rd.ctx.skip(where, err)
    return tables


def _page(doc_text: str, p: dict[str, Any], i: int, ctx: Context) -> Page:
    pno = i + 1
    dim = as_dict(p.get("dimension"), "dimension")
    if not dim and type(p.get("image")) is dict:  # the v1beta2 answer: the page image's own size
        dim = p["image"]
    width = page_size(dim.get("width"), "width", pno, ctx)
    height = page_size(dim.get("height"), "height", pno, ctx)
    unit = "pixel" if width and height else "normalized"
    rd = _Page(doc_text, width or 1.0, height or 1.0, ctx, f"page {pno}")
    try:
        rd.back = _transform(p)
    except BadResponse as err:
        ctx.note(f"page {pno}: {err}; its polygons are left in the page image's frame")
    words: list[tuple[int, Word]] = []
    for n, item in enumerate(as_list(p.get("tokens"), "tokens"), 1):
        where = f"page {pno} token {n}"
        try:
            text, poly, conf, start = rd.element(item, where)
            if poly is None:
                raise BadResponse("no boundingPoly")
            if _strip(text):
                words.append((start, Word(_strip(text), poly, conf)))
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    words.sort(key=lambda sw: sw[0])
    starts = [s for s, _ in words]

    def inside(start: int, end: int) -> list[Word]:
        lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        return [w for _, w in words[lo:hi]]

    lines: list[tuple[int, int, Line]] = []
    for n, item in enumerate(as_list(p.get("lines"), "lines"), 1):
        where = f"page {pno} line {n}"
        try:
            text, poly, conf, start = rd.element(item, where)
            end = start + len(text)
            found = tuple(inside(start, end))
            poly = poly or bbox_of(w.polygon for w in found)
            if poly is None:
                raise BadResponse("no boundingPoly and no tokens")
            if _strip(text) or found:
                lines.append((start, end, Line(" ".join(_strip(text).split("\n")), poly, found, conf)))
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    lines.sort(key=lambda x: x[0])
    line_starts = [s for s, _, _ in lines]
    blocks: list[Block] = []
    used: set[int] = set()
    for n, item in enumerate(as_list(p.get("blocks"), "blocks"), 1):
        where = f"page {pno} block {n}"
        try:
            text, poly, conf, start = rd.element(item, where)
            end = start + len(text)
            lo, hi = bisect.bisect_left(line_starts, start), bisect.bisect_left(line_starts, end)
            held = [k for k in range(lo, hi) if k not in used]
            used.update(held)
            own = tuple(lines[k][2] for k in held)
            if not own and not lines and _strip(text):  # blocks only: each block one line of text
                if poly is None:
                    raise BadResponse("no boundingPoly")
                own = (Line(" ".join(_strip(text).split()), poly, (), conf),)
            if not own:
                continue
            poly = poly or bbox_of(ln.polygon for ln in own)
            assert poly is not None
            blocks.append(Block(poly, own, conf))
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    for k, (_, _, line) in enumerate(lines):  # lines no block holds: a block each
        if k not in used:
            blocks.append(Block(line.polygon, (line,), line.confidence))
    if not blocks:
        blocks = _form_fields(rd, p, pno)
    extras: dict[str, Any] = {}
    layout = p.get("layout")
    if type(layout) is dict and type(layout.get("orientation")) is str:
        extras["orientation"] = layout["orientation"]
    tables = tuple(_tables(rd, p, pno))
    if rd.back is not None or (unit == "normalized" and rd.pixels):
        # placed on the input image, whose size the answer does not state
        return Page(None, None, tuple(blocks), tables, "pixel", None, i, extras)
    return Page(width or 1.0, height or 1.0, tuple(blocks), tables, unit, None, i, extras)


def parse_document_ai(data: Any) -> Document:
    """A Document AI Document (or process answer) -> Document, one page per ``pages`` item."""
    ctx = Context()
    doc = document_of(data)
    if doc is None:
        raise BadResponse("no Document AI pages")
    text = doc.get("text")
    if text is not None and type(text) is not str:
        raise BadResponse("the document's text is not a string")
    pages = []
    for i, p in enumerate(as_list(doc.get("pages"), "pages")):
        if type(p) is not dict:
            raise BadResponse(f"page {i + 1} is not an object")
        pages.append(_page(text or "", p, i, ctx))
    if text and text.strip() and not any(pg.blocks or pg.tables for pg in pages):
        ctx.note(
            "the document has text but no positions for it (no blocks, lines, tokens or form fields on "
            "its pages): nothing to draw; run the OCR or Form Parser processor to get its layout"
        )
    extras: dict[str, Any] = {}
    uri = doc.get("uri")
    if type(uri) is str and uri:
        extras["image"] = uri.rsplit("/", 1)[-1]
    return Document(tuple(pages), DOCUMENT_AI, extras, tuple(ctx.warnings))
