"""docTR's JSON export (``json.dump(result.export())``, mindee/doctr ``doctr/io/elements.py``).

``{"pages": [{"page_idx", "dimensions": [height, width], "orientation", "language", "blocks": [{"geometry",
"objectness_score", "lines": [{"geometry", "objectness_score", "words": [{"value", "confidence", "geometry",
"objectness_score", "crop_orientation"}]}], "artefacts": [...]}]}]}``.

Geometry is relative to the page (0..1): ``[[xmin, ymin], [xmax, ymax]]`` for straight pages, four
``[x, y]`` corners when docTR ran with ``assume_straight_pages=False`` (``.tolist()`` of its arrays).
``dimensions`` is (height, width) in pixels: with it the page is in pixels; without it (or 0) the page
is ``normalized`` and placement scales it with the image. Word ``confidence`` is 0..1; lines and
blocks have none (their ``objectness_score`` is the detector's, kept in ``extras``). docTR's KIE
predictor exports ``predictions`` (class name -> words) instead of blocks: each class is a Block
(``layout_type`` the class) and each prediction a line of one word. Artefacts (no text) are not read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ocrviewer.core.model import Block, Document, Line, Page, Polygon, Word, polygon_from_bbox
from ocrviewer.core.parsers._common import (
    ELEMENT_ERRORS,
    Context,
    as_dict,
    as_list,
    bbox_of,
    confidence,
    container_polygon,
    integer,
    number,
    page_size,
    pair_polygon,
    text,
)
from ocrviewer.errors import BadResponse

DOCTR = "doctr"


def is_doctr(d: dict[str, Any]) -> bool:
    """docTR's ``Document.export()``: pages with ``dimensions`` and ``blocks`` (or KIE ``predictions``)."""
    pages = d.get("pages")
    if type(pages) is not list or not pages or type(pages[0]) is not dict:
        return False
    first = pages[0]
    return "dimensions" in first and ("blocks" in first or "predictions" in first)


def _relative(geometry: Any) -> Polygon:
    """A geometry as relative corner points: two points (a straight box) or a polygon."""
    if type(geometry) is not list:
        raise BadResponse("geometry is not a list of points")
    if len(geometry) == 2:
        a, b = geometry
        if type(a) is not list or type(b) is not list or len(a) != 2 or len(b) != 2:
            raise BadResponse("geometry is not [[xmin, ymin], [xmax, ymax]]")
        x0, y0, x1, y1 = (number(v, "coordinate") for v in (*a, *b))
        return polygon_from_bbox(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if len(geometry) == 4 and all(type(v) is not list for v in geometry):
        x0, y0, x1, y1 = (number(v, "coordinate") for v in geometry)  # a flat box, as some tools save it
        return polygon_from_bbox(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if len(geometry) == 5 and all(type(v) is not list for v in geometry):
        raise BadResponse(
            "a rotated box (x, y, w, h, angle) of docTR 0.4; export it again with docTR 0.5 or later"
        )
    return pair_polygon(geometry)


class _Reader:
    def __init__(self, ctx: Context, width: float, height: float) -> None:
        self.ctx = ctx
        self.width = width
        self.height = height

    def polygon(self, geometry: Any) -> Polygon:
        w, h = self.width, self.height
        return tuple((x * w, y * h) for x, y in _relative(geometry))

    def optional_polygon(self, element: dict[str, Any]) -> Polygon | None:
        geometry = element.get("geometry")
        return None if geometry is None else self.polygon(geometry)

    def word(self, w: Any, where: str) -> Word:
        w = as_dict(w, "word")
        extras: dict[str, Any] = {}
        crop = w.get("crop_orientation")
        if type(crop) is dict and crop.get("value") not in (None, 0):
            extras["crop_orientation"] = crop.get("value")
        return Word(
            text(w.get("value")),
            self.polygon(w.get("geometry")),
            confidence(w.get("confidence"), self.ctx, where),
            None,
            None,
            extras,
        )

    def words(self, items: Any, where: str) -> list[Word]:
        out: list[Word] = []
        for i, w in enumerate(as_list(items, "words"), 1):
            try:
                out.append(self.word(w, f"{where} word {i}"))
            except ELEMENT_ERRORS as err:
                self.ctx.skip(f"{where} word {i}", err)
        return out

    def line(self, ln: Any, where: str) -> Line:
        ln = as_dict(ln, "line")
        words = self.words(ln.get("words"), where)
        poly = container_polygon(self.optional_polygon, ln, (w.polygon for w in words), where, self.ctx)
        return Line(" ".join(w.text for w in words), poly, tuple(words), None, None, _objectness(ln))

    def block(self, b: Any, where: str) -> Block | None:
        b = as_dict(b, "block")
        lines: list[Line] = []
        for i, ln in enumerate(as_list(b.get("lines"), "lines"), 1):
            try:
                lines.append(self.line(ln, f"{where} line {i}"))
            except ELEMENT_ERRORS as err:
                self.ctx.skip(f"{where} line {i}", err)
        if not lines:  # a block of artefacts only: nothing to show
            return None
        poly = container_polygon(
            self.optional_polygon, b, (ln.polygon for ln in lines), where, self.ctx, "lines"
        )
        return Block(poly, tuple(lines), None, None, None, _objectness(b))

    def predictions(self, predictions: Any, where: str) -> list[Block]:
        out: list[Block] = []
        for name, items in as_dict(predictions, "predictions").items():
            words = self.words(items, f"{where} {name}")
            box = bbox_of(w.polygon for w in words)
            if box is None:
                continue
            lines = tuple(Line(w.text, w.polygon, (w,), None) for w in words)
            out.append(Block(box, lines, None, None, str(name)))
        return out


def _objectness(element: dict[str, Any]) -> dict[str, Any]:
    score = element.get("objectness_score")
    return {"objectness_score": score} if type(score) in (int, float) else {}


def _dimensions(value: Any, pno: int, ctx: Context) -> tuple[float, float] | None:
    """(width, height) in pixels from docTR's (height, width); None when absent or 0."""
    if value is None:
        return None
    if type(value) is not list or len(value) != 2:
        raise BadResponse(f"page {pno}: dimensions is not [height, width]")
    height = page_size(value[0], "height", pno, ctx)
    width = page_size(value[1], "width", pno, ctx)
    return None if width is None or height is None else (width, height)


def parse_doctr(data: Any) -> Document:
    """docTR ``export()`` -> Document (pixel pages where ``dimensions`` is given)."""
    ctx = Context()
    pages: list[Page] = []
    for i, p in enumerate(as_list(data["pages"], "pages")):
        pno = i + 1
        if type(p) is not dict:
            raise BadResponse(f"page {pno} is not an object")
        dims = _dimensions(p.get("dimensions"), pno, ctx)
        rd = _Reader(ctx, *(dims or (1.0, 1.0)))
        blocks: list[Block] = []
        if "predictions" in p and "blocks" not in p:
            blocks = rd.predictions(p["predictions"], f"page {pno}")
        for bi, b in enumerate(as_list(p.get("blocks"), "blocks"), 1):
            try:
                block = rd.block(b, f"page {pno} block {bi}")
            except ELEMENT_ERRORS as err:
                ctx.skip(f"page {pno} block {bi}", err)
                continue
            if block is not None:
                blocks.append(block)
        try:
            index = integer(p.get("page_idx"), "page_idx", i)
        except BadResponse:
            index = i
        extras: dict[str, Any] = {}
        for key in ("orientation", "language"):
            value = p.get(key)
            if type(value) is dict and value.get("value") is not None:
                extras[key] = value["value"]
        unit = "pixel" if dims is not None else "normalized"
        width, height = dims or (1.0, 1.0)
        pages.append(Page(width, height, tuple(blocks), (), unit, None, max(index, 0), extras))
    pages.sort(key=lambda pg: pg.index)
    pages = [replace(pg, index=k) for k, pg in enumerate(pages)]  # in that order, numbered from 0
    return Document(tuple(pages), DOCTR, {}, tuple(ctx.warnings))
