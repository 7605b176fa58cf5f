"""Yandex Vision: OCR API v1 (recognizeText / getRecognition) and the older Vision v1 batchAnalyze.

OCR v1 comes in camelCase (API reference) and snake_case (older examples), with or without the
``{"result": ...}`` wrapper, with numbers as strings, and with the older ``lines[].alternatives[]``
layout. Vertices are kept in the order given (TL, BL, BR, TR). OCR v1 has no confidence; Vision v1's
is 0..1, and one outside that range, NaN or not a number is left out (None) with a warning.
"""

from __future__ import annotations

from typing import Any

from ocrviewer.core.model import Block, Cell, Document, Line, Page, Polygon, Table, Word, make_line, make_word
from ocrviewer.core.parsers._common import (
    ELEMENT_ERRORS,
    FAST_LIMIT,
    OWNED_INPUT,
    Context,
    as_list,
    confidence,
    container_polygon,
    integer,
    page_size,
    text,
    vertex_polygon,
)
from ocrviewer.errors import BadResponse

OCR_V1 = "yandex-ocr-v1"
VISION_V1 = "yandex-vision-v1"

_ROTATE = {"ANGLE_0": 0.0, "ANGLE_90": 90.0, "ANGLE_180": 180.0, "ANGLE_270": 270.0}


def _get(d: dict[str, Any], camel: str, snake: str) -> Any:
    v = d.get(camel)
    return d.get(snake) if v is None else v


def annotation_of(data: Any) -> dict[str, Any] | None:
    """The TextAnnotation inside one OCR v1 page object, or None if this is not one."""
    if type(data) is not dict:
        return None
    inner = data.get("result")
    if type(inner) is dict:
        data = inner
        if not set(inner) - {"page"}:
            return {}  # protobuf JSON leaves out an empty textAnnotation: a page where nothing was found
    ann = _get(data, "textAnnotation", "text_annotation")
    if type(ann) is dict:
        return ann
    # the bare TextAnnotation itself
    if type(data.get("blocks")) is list and any(
        k in data for k in ("fullText", "full_text", "rotate", "entities", "markdown")
    ):
        bare: dict[str, Any] = data
        return bare
    return None


def _page_index(data: dict[str, Any], default: int) -> int:
    inner = data.get("result")
    src = inner if type(inner) is dict else data
    try:
        return integer(src.get("page"), "page", default)
    except BadResponse:
        return default


def _polygon(d: dict[str, Any]) -> Any:
    bb = _get(d, "boundingBox", "bounding_box")
    if bb is None:
        return None
    if type(bb) is not dict:
        raise BadResponse("boundingBox is not an object")
    return vertex_polygon(bb.get("vertices"))


def _words(raw: list[Any], where: str, ctx: Context) -> list[Word]:
    words: list[Word] = []
    append = words.append
    for wi, w in enumerate(raw, 1):
        try:
            bb = w.get("boundingBox")
            if bb is None:
                bb = w.get("bounding_box")
                if bb is None:
                    raise BadResponse("no boundingBox")
            # vertex_polygon's fast path, inlined: this loop runs once per word
            v = bb["vertices"]
            poly: Polygon | None = None
            if type(v) is list and len(v) == 4:
                p0, p1, p2, p3 = v
                try:
                    x0, y0, x1, y1 = float(p0["x"]), float(p0["y"]), float(p1["x"]), float(p1["y"])
                    x2, y2, x3, y3 = float(p2["x"]), float(p2["y"]), float(p3["x"]), float(p3["y"])
                    if (
                        x0 * x0 + y0 * y0 + x1 * x1 + y1 * y1 + x2 * x2 + y2 * y2 + x3 * x3 + y3 * y3
                        <= FAST_LIMIT
                    ):
                        poly = ((x0, y0), (x1, y1), (x2, y2), (x3, y3))
                except (LookupError, TypeError, ValueError):
                    pass
            if poly is None:  # anything unusual: the full path converts, checks and words the error
                poly = vertex_polygon(v)
            t = w.get("text")
            if type(t) is not str:
                t = text(t)
            extras = None
            ent = w.get("entityIndex")
            if ent is None:
                ent = w.get("entity_index")
            if ent is not None and ent != "-1" and ent != -1:
                ent = integer(ent, "entityIndex", -1)
                if ent != -1:
                    extras = {"entity_index": ent}
            conf = w.get("confidence")
            if conf is not None:
                conf = confidence(conf, ctx, f"{where} word {wi}")
            lang = None
            langs = w.get("languages")
            if langs:
                lang = _language(langs)
            append(make_word(t, poly, conf, None, lang, extras))
        except ELEMENT_ERRORS as err:
            ctx.skip(f"{where} word {wi}", err)
    return words


def _language(langs: Any) -> str | None:
    """The first languageCode of a ``languages`` list."""
    if type(langs) is list and langs and type(langs[0]) is dict:
        code = _get(langs[0], "languageCode", "language_code")
        return code if type(code) is str else None
    return None


def _line(ln: Any, where: str, ctx: Context) -> Line:
    extras: dict[str, Any] = {}
    alts = ln.get("alternatives")
    if type(alts) is list and alts:
        src = alts[0]  # the older layout: the first alternative is the recognized one
        if type(src) is not dict:
            raise BadResponse("alternative is not an object")
    else:
        src = ln
    words = _words(as_list(src.get("words"), "words"), where, ctx)
    line_text = src.get("text")
    if line_text is None and words:
        line_text = " ".join(w.text for w in words)
    poly = container_polygon(_polygon, ln, (w.polygon for w in words), where, ctx)
    orientation = ln.get("orientation")
    if orientation is not None and orientation != "ANGLE_0":
        extras["orientation"] = orientation
    conf = confidence(ln.get("confidence"), ctx, where)
    return make_line(text(line_text), poly, tuple(words), conf, None, extras)


def _block(b: Any, where: str, ctx: Context) -> Block:
    lines: list[Line] = []
    for li, ln in enumerate(as_list(b.get("lines"), "lines"), 1):
        try:
            lines.append(_line(ln, f"{where} line {li}", ctx))
        except ELEMENT_ERRORS as err:
            ctx.skip(f"{where} line {li}", err)
    lang = _language(b.get("languages"))
    layout = _get(b, "layoutType", "layout_type")
    poly = container_polygon(_polygon, b, (ln.polygon for ln in lines), where, ctx, "lines")
    return Block(poly, tuple(lines), None, lang, layout if type(layout) is str else None)


def _tables(raw: list[Any], pno: int, ctx: Context) -> list[Table]:
    tables: list[Table] = []
    for ti, t in enumerate(raw, 1):
        where = f"page {pno} table {ti}"
        try:
            cells: list[Cell] = []
            for ci, c in enumerate(as_list(t.get("cells"), "cells"), 1):
                try:
                    cells.append(
                        Cell(
                            _polygon(c) or _missing("cell"),
                            integer(_get(c, "rowIndex", "row_index"), "rowIndex"),
                            integer(_get(c, "columnIndex", "column_index"), "columnIndex"),
                            integer(_get(c, "rowSpan", "row_span"), "rowSpan", 1),
                            integer(_get(c, "columnSpan", "column_span"), "columnSpan", 1),
                            text(c.get("text")),
                        )
                    )
                except ELEMENT_ERRORS as err:
                    ctx.skip(f"{where} cell {ci}", err)
            tables.append(
                Table(
                    _polygon(t) or _missing("table"),
                    integer(_get(t, "rowCount", "row_count"), "rowCount"),
                    integer(_get(t, "columnCount", "column_count"), "columnCount"),
                    tuple(cells),
                )
            )
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    return tables


def _missing(what: str) -> Any:
    raise BadResponse(f"{what} has no boundingBox")


def parse_annotation(ann: dict[str, Any], index: int, ctx: Context) -> Page:
    """One OCR v1 TextAnnotation -> Page (``index`` is 0-based)."""
    pno = index + 1
    width = page_size(ann.get("width"), "width", pno, ctx)
    height = page_size(ann.get("height"), "height", pno, ctx)
    blocks: list[Block] = []
    owned = OWNED_INPUT.get()
    for bi, b in enumerate(as_list(ann.get("blocks"), "blocks"), 1):
        where = f"page {pno} block {bi}"
        try:
            block = _block(b, where, ctx)
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
            continue
        finally:
            if owned and type(b) is dict:
                b.clear()  # read: its JSON is freed now (see OWNED_INPUT)
        if block is not None:
            blocks.append(block)
    try:
        tables = _tables(as_list(ann.get("tables"), "tables"), pno, ctx)
    except BadResponse as err:
        ctx.skip(f"page {pno} tables", err)
        tables = []
    extras: dict[str, Any] = {}
    for camel, snake, key in (
        ("fullText", "full_text", "full_text"),
        ("entities", "entities", "entities"),
        ("markdown", "markdown", "markdown"),
        ("pictures", "pictures", "pictures"),
    ):
        v = _get(ann, camel, snake)
        if v:
            extras[key] = v
    angle = None
    rotate = ann.get("rotate")
    if rotate is not None:
        angle = _ROTATE.get(rotate) if type(rotate) is str else None
        if angle is None:
            ctx.note(f"page {pno}: unknown rotate value {rotate!r}; ignored")
        if rotate != "ANGLE_0":
            extras["rotate"] = rotate
    return Page(width, height, tuple(blocks), tuple(tables), "pixel", angle, index, extras)


def parse_ocr_v1(data: Any) -> Document:
    """Yandex OCR v1: one page object, or a list of them (JSON Lines from getRecognition)."""
    items = data if type(data) is list else [data]
    ctx = Context()
    pages: list[Page] = []
    for i, item in enumerate(items):
        ann = annotation_of(item)
        if ann is None:
            raise BadResponse(f"page {i + 1}: not a Yandex OCR page (no textAnnotation)")
        index = _page_index(item, i) if type(data) is list else _page_index(item, 0)
        pages.append(parse_annotation(ann, index, ctx))
    if type(data) is list:
        pages.sort(key=lambda p: p.index)
    return Document(tuple(pages), OCR_V1, {}, tuple(ctx.warnings))


def vision_pages(data: Any) -> list[dict[str, Any]] | None:
    """The textDetection pages of a Vision v1 batchAnalyze response, or None if this is not one."""
    if type(data) is not dict or type(data.get("results")) is not list:
        return None
    pages: list[dict[str, Any]] = []
    found = False
    for outer in data["results"]:
        if type(outer) is not dict or type(outer.get("results")) is not list:
            continue
        for inner in outer["results"]:
            if type(inner) is not dict:
                continue
            det = _get(inner, "textDetection", "text_detection")
            if type(det) is dict:
                found = True
                pages.extend(p for p in as_list(det.get("pages"), "pages"))
    return pages if found else None


def parse_vision_v1(data: Any) -> Document:
    """Yandex Vision v1 batchAnalyze ``textDetection``: pages/blocks/lines/words with confidence."""
    raw_pages = vision_pages(data)
    if raw_pages is None:
        raise BadResponse("no textDetection results")
    ctx = Context()
    pages: list[Page] = []
    for i, p in enumerate(raw_pages):
        if type(p) is not dict:
            raise BadResponse(f"page {i + 1} is not an object")
        page = parse_annotation(p, i, ctx)
        pages.append(page)
    return Document(tuple(pages), VISION_V1, {}, tuple(ctx.warnings))
