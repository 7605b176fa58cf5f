"""Azure Computer Vision / Form Recognizer / Document Intelligence responses.

- ``azure-recognize-text-v2``: v2.0 recognizeText, ``recognitionResult.lines`` (no page size);
  word confidence only as a "Low" label.
- ``azure-batch-read-v2``: v2.x batch Read, ``recognitionResults[]`` (clockwiseOrientation, unit).
- ``azure-read-v3``: Read v3.x, ``analyzeResult.readResults[]``.
- ``azure-form-recognizer-v2``: Form Recognizer v2.1, ``readResults`` plus ``pageResults`` tables.
- ``azure-image-analysis-4``: Image Analysis 4.0, ``readResult.blocks[].lines[].words[]``.
- ``azure-document-intelligence``: Form Recognizer v3 / Document Intelligence, ``analyzeResult.pages[]``
  with ``words``/``lines`` (``polygon`` or the preview's ``boundingBox``) tied together by spans; with
  ``contentFormat: markdown`` a line's text is its words' (Markdown escapes undone), not its Markdown.

These formats have no block level (Image Analysis aside): each page's lines are wrapped in one Block
whose polygon is the bounding box of its lines.

Confidences are 0..1 as the service gives them; one outside 0..1 (57, -1), NaN or not a number is left
out (None) with a warning and its word kept; a bad page angle likewise becomes None with a warning.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import chain
from typing import TYPE_CHECKING, Any

from ocrviewer.core.model import (
    Block,
    Cell,
    Document,
    Line,
    Page,
    Table,
    Word,
    label_to_confidence,
    make_line,
    make_word,
    polygon_from_bbox,
)
from ocrviewer.core.parsers._common import (
    ELEMENT_ERRORS,
    FAST_LIMIT,
    Context,
    as_dict,
    as_list,
    camel_keys,
    confidence,
    container_polygon,
    flat_polygon,
    integer,
    lines_block,
    number,
    optional_flat_polygon,
    optional_vertex_polygon,
    page_size,
    text,
    vertex_polygon,
)
from ocrviewer.errors import BadResponse

if TYPE_CHECKING:
    from ocrviewer.core.columns import PageColumns

# numpy, core.columns and pickle are imported where a page is read as columns: the other formats
# (and the viewer's first frame, which parses a small response before numpy loads) do not need them

RECOGNIZE_TEXT_V2 = "azure-recognize-text-v2"
BATCH_READ_V2 = "azure-batch-read-v2"
READ_V3 = "azure-read-v3"
FORM_RECOGNIZER_V2 = "azure-form-recognizer-v2"
IMAGE_ANALYSIS_4 = "azure-image-analysis-4"
DOCUMENT_INTELLIGENCE = "azure-document-intelligence"

_UNITS = {"pixel": "pixel", "inch": "inch", "point": "point"}


def _unit(value: Any, pno: int) -> str:
    if value is None:
        return "pixel"
    unit = _UNITS.get(str(value).lower()) if type(value) is str else None
    if unit is None:
        raise BadResponse(f"page {pno}: unknown unit {value!r}; expected pixel or inch")
    return unit


def _word_confidence(value: Any, ctx: Context, where: str) -> tuple[float | None, str | None]:
    """Numeric confidence, or a label ("Low") kept as label and mapped to a number for colouring."""
    if type(value) is str:
        try:
            float(value)
        except ValueError:
            return label_to_confidence(value), value
    return confidence(value, ctx, where), None


def _v2_words(raw: Any, where: str, ctx: Context) -> list[Word]:
    words: list[Word] = []
    if raw is None:
        return words
    if type(raw) is not list:
        raise BadResponse("words is not a list")
    append = words.append
    for wi, w in enumerate(raw, 1):
        try:
            t = w.get("text")
            if type(t) is not str:
                t = text(t)
            c = w.get("confidence")
            label = None
            if c is not None and not (type(c) is float and 0.0 <= c <= 1.0):
                c, label = _word_confidence(c, ctx, f"{where} word {wi}")
            # flat_polygon's fast path, inlined: this loop runs once per word
            b = w["boundingBox"]
            poly = None
            if type(b) is list and len(b) == 8:
                x0, y0, x1, y1, x2, y2, x3, y3 = b
                try:
                    f = x0 * x0 + y0 * y0 + x1 * x1 + y1 * y1 + x2 * x2 + y2 * y2 + x3 * x3 + y3 * y3
                    if f <= FAST_LIMIT:  # all finite and in range (else the slow path says which)
                        poly = ((x0, y0), (x1, y1), (x2, y2), (x3, y3))
                except TypeError:
                    pass
            append(make_word(t, flat_polygon(b) if poly is None else poly, c, label))
        except ELEMENT_ERRORS as err:
            ctx.skip(f"{where} word {wi}", err)
    return words


def _style(appearance: Any, where: str, ctx: Context) -> dict[str, Any]:
    """A line's appearance style (handwriting or other) as extras; a bad style confidence is left
    out with a warning: it says nothing about the line's text or place, so the line is kept."""
    if type(appearance) is not dict:
        return {}
    style = appearance.get("style")
    if type(style) is not dict:
        return {"appearance": appearance}
    extras: dict[str, Any] = {"style": style.get("name")}
    conf = confidence(style.get("confidence"), ctx, f"{where} appearance style")
    if conf is not None:
        extras["style_confidence"] = conf
    return extras


def _v2_lines(raw: Any, pno: int, ctx: Context) -> list[Line]:
    """Lines of recognizeText / batch Read / Read v3 / Form Recognizer v2.1 (flat 8-number boxes)."""
    lines: list[Line] = []
    for li, ln in enumerate(as_list(raw, "lines"), 1):
        where = f"page {pno} line {li}"
        try:
            words = _v2_words(ln.get("words"), where, ctx)
            bb = ln.get("boundingBox")
            poly = container_polygon(optional_flat_polygon, bb, (w.polygon for w in words), where, ctx)
            lang = ln.get("language")
            t = ln.get("text")
            lines.append(
                make_line(
                    t if type(t) is str else text(t),
                    poly,
                    tuple(words),
                    None,
                    lang if type(lang) is str else None,
                    _style(ln.get("appearance"), where, ctx),
                )
            )
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    return lines


def _page(
    lines: list[Line],
    width: float | None,
    height: float | None,
    unit: str,
    angle: float | None,
    index: int,
    language: str | None = None,
    tables: tuple[Table, ...] = (),
    extras: dict[str, Any] | None = None,
) -> Page:
    block = lines_block(lines, language=language)
    blocks = (block,) if block is not None else ()
    return Page(width, height, blocks, tables, unit, angle, index, extras or {})


def _angle(value: Any, pno: int, ctx: Context) -> float | None:
    """The page angle; a bad one (NaN, not a number) is dropped with a warning, the page kept."""
    if value is None:
        return None
    try:
        return number(value, "angle")
    except BadResponse as err:
        ctx.note(f"page {pno}: {err}; the page angle is left out")
        return None


def _page_number(value: Any, default: int) -> int:
    """0-based page index from a 1-based ``page``/``pageNumber``."""
    try:
        n = integer(value, "page", default + 1)
    except BadResponse:
        return default
    return max(n - 1, 0)


def _read_pages(results: list[Any], angle_key: str, ctx: Context) -> list[Page]:
    from ocrviewer.core.columns import ColumnPage

    pages: list[Page] = []
    for i, r in enumerate(results):
        if type(r) is not dict:
            raise BadResponse(f"page {i + 1} is not an object")
        index = _page_number(r.get("page"), i)
        pno = index + 1
        lang = r.get("language")
        language = lang if type(lang) is str else None
        columns = _columns(r.get("lines"), language)
        # something unusual: read element by element, skipping and warning
        lines = _v2_lines(r.get("lines"), pno, ctx) if columns is None else []
        width = page_size(r.get("width"), "width", pno, ctx)
        height = page_size(r.get("height"), "height", pno, ctx)
        unit = _unit(r.get("unit"), pno)
        angle = _angle(r.get(angle_key), pno, ctx)
        if columns is None:
            pages.append(_page(lines, width, height, unit, angle, index, language))
        else:
            pages.append(
                ColumnPage.of(columns, width=width, height=height, unit=unit, angle=angle, index=index)
            )
    return pages


_NUMBERS = {int, float}
_CONFIDENCES = {int, float, type(None)}
#: FAST_LIMIT less a margin for the rounding of a float sum (the per-word check sums exactly)
_COLUMN_LIMIT = FAST_LIMIT * (1 - 1e-9)


def _columns(raw: Any, language: str | None) -> PageColumns | None:
    """A page's ``raw`` lines as columns (for a :class:`~ocrviewer.core.columns.ColumnPage`: no Word
    or Line made, a 10k-word page is a few arrays, not ~60k objects for the cyclic GC), or None
    unless every line and word is well-formed: 8-number boxes in range, string texts, confidences
    in 0..1 or absent, a good appearance style. Then :func:`_v2_lines` would make the same elements
    with no warning (the tests compare both); anything else takes that path."""
    if type(raw) is not list or not raw:
        return None
    import pickle

    import numpy as np

    from ocrviewer.core.columns import LevelColumns, PageColumns, offsets, points_of

    try:
        line_boxes = [ln["boundingBox"] for ln in raw]
        line_texts = [ln["text"] for ln in raw]
        word_lists = [ln.get("words") for ln in raw]
        if type(None) in set(map(type, word_lists)):
            word_lists = [[] if ws is None else ws for ws in word_lists]
        words = list(chain.from_iterable(word_lists))
        word_boxes = [w["boundingBox"] for w in words]
        word_texts = [w["text"] for w in words]
        word_confs = [w.get("confidence") for w in words]
    except (KeyError, TypeError, AttributeError):
        return None
    if (
        not set(map(type, word_lists)) <= {list}
        or not set(map(type, line_boxes)) | set(map(type, word_boxes)) <= {list}
        or not set(map(len, line_boxes)) | set(map(len, word_boxes)) <= {8}
        or not set(map(type, line_texts)) | set(map(type, word_texts)) <= {str}
        or not set(map(type, word_confs)) <= _CONFIDENCES
    ):
        return None
    line_flat = list(chain.from_iterable(line_boxes))
    word_flat = list(chain.from_iterable(word_boxes))
    line_kinds, word_kinds = set(map(type, line_flat)), set(map(type, word_flat))
    if not line_kinds | word_kinds <= _NUMBERS:
        return None
    conf = np.array(word_confs, dtype=np.float64)  # None -> NaN
    missing = np.isnan(conf)
    if int(missing.sum()) != word_confs.count(None) or not np.all(missing | ((conf >= 0) & (conf <= 1))):
        return None  # NaN given as a confidence, or one out of range: the object path warns
    line_pts, line_ints = points_of(line_flat, line_kinds)
    word_pts, word_ints = points_of(word_flat, word_kinds)
    for pts in (line_pts, word_pts):
        f = pts.reshape(-1, 8).astype(np.float64)
        if not np.all(np.einsum("ij,ij->i", f, f) <= _COLUMN_LIMIT):  # NaN fails too
            return None
    probe = Context()  # a style the object path would warn about sends the page there
    rest: dict[int, bytes] = {}
    for i, ln in enumerate(raw):
        lang = ln.get("language")
        extras = _style(ln.get("appearance"), "", probe)
        kept: dict[str, Any] = {}
        if type(lang) is str:
            kept["language"] = lang
        if extras:
            kept["extras"] = extras
        if kept:
            rest[i] = pickle.dumps(kept)
    if probe.warnings:
        return None
    # the block around the lines, as lines_block makes it (the first of equal values wins)
    xs, ys = line_flat[0::2], line_flat[1::2]
    box = polygon_from_bbox(min(xs), min(ys), max(xs), max(ys))
    box_flat = [v for xy in box for v in xy]
    block_pts, block_ints = points_of(box_flat, set(map(type, box_flat)))
    n_words, n_lines = len(words), len(raw)
    word_text = offsets(list(map(len, word_texts)))
    return PageColumns(
        block=LevelColumns(
            block_pts,
            np.array([0, 4], dtype=np.int64),
            np.full(1, np.nan),
            None,
            np.array([0, n_lines], dtype=np.int64),
            {} if language is None else {0: pickle.dumps({"language": language})},
            block_ints,
        ),
        line=LevelColumns(
            line_pts,
            np.arange(0, 4 * n_lines + 1, 4, dtype=np.int64),
            np.full(n_lines, np.nan),
            offsets(list(map(len, line_texts)), int(word_text[-1])),
            offsets(list(map(len, word_lists))),
            rest,
            line_ints,
        ),
        word=LevelColumns(
            word_pts,
            np.arange(0, 4 * n_words + 1, 4, dtype=np.int64),
            conf,
            word_text,
            None,
            {},
            word_ints,
        ),
        blob="".join(word_texts) + "".join(line_texts),
    )


def parse_recognize_text_v2(data: Any) -> Document:
    """v2.0 recognizeText: one page, no size or unit stated (pixels of the image sent)."""
    ctx = Context()
    res = as_dict(data["recognitionResult"], "recognitionResult")
    page = _page(_v2_lines(res.get("lines"), 1, ctx), None, None, "pixel", None, 0)
    return Document((page,), RECOGNIZE_TEXT_V2, {}, tuple(ctx.warnings))


def parse_batch_read_v2(data: Any) -> Document:
    """v2.x batch Read: ``recognitionResults[]`` with clockwiseOrientation, width, height, unit."""
    ctx = Context()
    results = as_list(data["recognitionResults"], "recognitionResults")
    pages = _read_pages(results, "clockwiseOrientation", ctx)
    return Document(tuple(pages), BATCH_READ_V2, {}, tuple(ctx.warnings))


def _analyze_extras(ar: dict[str, Any]) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for key in ("version", "modelVersion", "model-version", "apiVersion", "modelId"):
        v = ar.get(key)
        if type(v) is str:
            extras[key.replace("-", "_")] = v
    return extras


#: the keys a Read v3 or Document Intelligence ``analyzeResult`` has at its top, in the REST answer's
#: camelCase and in the Python SDKs' ``to_dict()`` snake_case
_ANALYZE_KEYS = frozenset(
    {"apiVersion", "modelId", "api_version", "model_id", "content", "version", "modelVersion"}
)


def analyze_result_of(d: dict[str, Any], *, camel: bool = False) -> dict[str, Any] | None:
    """The ``analyzeResult`` of a Read v3 / Form Recognizer / Document Intelligence answer, also when it
    was saved on its own (the SDKs' ``result``: ``json.dump(result.as_dict())``, or azure-ai-formrecognizer's
    ``result.to_dict()`` in snake_case with ``[{"x", "y"}]`` polygons, which ``camel`` turns into the REST
    answer's names); None for anything else."""
    ar = d.get("analyzeResult")
    if type(ar) is dict:
        return ar
    ar = d.get("analyze_result")  # the computervision SDK's ReadOperationResult.as_dict()
    if type(ar) is dict and type(ar.get("read_results")) is list:
        return camel_keys(ar) if camel else ar
    if type(d.get("readResults")) is list and "analyzeResult" not in d:
        return d
    if type(d.get("read_results")) is list:  # the computervision SDK's analyze_result.as_dict()
        return camel_keys(d) if camel else d
    pages = d.get("pages")
    if (
        type(pages) is list
        and pages
        and type(pages[0]) is dict
        and any(k in pages[0] for k in ("words", "lines", "spans"))
        and _ANALYZE_KEYS & set(d)
    ):
        return camel_keys(d) if camel and ("api_version" in d or "page_number" in pages[0]) else d
    return None


def parse_read_v3(data: Any) -> Document:
    """Read v3.x (and Form Recognizer v2.1, which adds ``pageResults`` tables)."""
    ctx = Context()
    ar = as_dict(analyze_result_of(data, camel=True), "analyzeResult")
    pages = _read_pages(as_list(ar.get("readResults"), "readResults"), "angle", ctx)
    fmt = READ_V3
    if is_form_recognizer_v2(ar):
        fmt = FORM_RECOGNIZER_V2
        tables = _fr_tables(as_list(ar.get("pageResults"), "pageResults"), ctx)
        pages = [_with_tables(p, tuple(tables.get(p.index, ()))) for p in pages]
    extras = _analyze_extras(ar)
    if fmt == FORM_RECOGNIZER_V2 and type(ar.get("documentResults")) is list:
        extras["document_results"] = ar["documentResults"]
    return Document(tuple(pages), fmt, extras, tuple(ctx.warnings))


def _with_tables(p: Page, tables: tuple[Table, ...]) -> Page:
    """``p`` with its tables (a page of columns stays one)."""
    from ocrviewer.core.columns import ColumnPage, page_columns

    columns = page_columns(p)
    if columns is not None:
        return ColumnPage.of(
            columns,
            width=p.width,
            height=p.height,
            tables=tables,
            unit=p.unit,
            angle=p.angle,
            index=p.index,
            extras=p.extras,
        )
    return Page(p.width, p.height, p.blocks, tables, p.unit, p.angle, p.index, p.extras)


def is_form_recognizer_v2(ar: dict[str, Any]) -> bool:
    version = ar.get("version")
    return (
        "pageResults" in ar or "documentResults" in ar or (type(version) is str and version.startswith("2."))
    )


def _fr_tables(page_results: list[Any], ctx: Context) -> dict[int, list[Table]]:
    tables: dict[int, list[Table]] = {}
    for i, pr in enumerate(page_results):
        if type(pr) is not dict:
            continue
        index = _page_number(pr.get("page"), i)
        for ti, t in enumerate(as_list(pr.get("tables"), "tables"), 1):
            where = f"page {index + 1} table {ti}"
            try:
                cells: list[Cell] = []
                for ci, c in enumerate(as_list(t.get("cells"), "cells"), 1):
                    try:
                        cells.append(
                            Cell(
                                flat_polygon(c["boundingBox"]),
                                integer(c.get("rowIndex"), "rowIndex"),
                                integer(c.get("columnIndex"), "columnIndex"),
                                integer(c.get("rowSpan"), "rowSpan", 1),
                                integer(c.get("columnSpan"), "columnSpan", 1),
                                text(c.get("text")),
                            )
                        )
                    except ELEMENT_ERRORS as err:
                        ctx.skip(f"{where} cell {ci}", err)
                bb = t.get("boundingBox")
                poly = flat_polygon(bb) if bb is not None else _cells_bbox(cells)
                table = Table(
                    poly, integer(t.get("rows"), "rows"), integer(t.get("columns"), "columns"), tuple(cells)
                )
                tables.setdefault(index, []).append(table)
            except ELEMENT_ERRORS as err:
                ctx.skip(where, err)
    return tables


def _cells_bbox(cells: list[Cell]) -> Any:
    from ocrviewer.core.parsers._common import bbox_of

    poly = bbox_of(c.polygon for c in cells)
    if poly is None:
        raise BadResponse("table has neither a boundingBox nor cells")
    return poly


def is_bare_read_block(d: dict[str, Any]) -> bool:
    """One block of an Image Analysis 4.0 ``readResult`` saved on its own (``readResult.blocks[0]``, as
    users of the JavaScript SDK keep it): ``{"lines": [{"text", "boundingPolygon": [{x, y}], "words"}]}``.
    Azure v2's ``recognitionResult`` (also ``{"lines": ...}``) boxes its lines with ``boundingBox``."""
    lines = d.get("lines")
    if type(lines) is not list or not lines or set(d) - {"lines"}:
        return False
    first = lines[0]
    return type(first) is dict and type(first.get("boundingPolygon")) is list and "boundingBox" not in first


def is_bare_read_result(d: dict[str, Any]) -> bool:
    """An Image Analysis 4.0 ``readResult`` saved on its own: ``{"blocks": [{"lines": [...boundingPolygon]}]}``,
    or one of its blocks (:func:`is_bare_read_block`)."""
    if is_bare_read_block(d):
        return True
    blocks = d.get("blocks")
    if type(blocks) is not list or set(d) - {"blocks"}:
        return False
    for b in blocks:
        if type(b) is dict and type(b.get("lines")) is list:
            for ln in b["lines"]:
                return type(ln) is dict and "boundingPolygon" in ln
    return bool(blocks) is False


def parse_image_analysis_4(data: Any) -> Document:
    """Image Analysis 4.0 ``readResult``: blocks (no polygon) of lines of words with boundingPolygon."""
    ctx = Context()
    if is_bare_read_block(data):
        data = {"blocks": [data]}
    if "readResult" not in data:
        data = {"readResult": data}
    rr = as_dict(data["readResult"], "readResult")
    meta = as_dict(data.get("metadata"), "metadata")
    width = page_size(meta.get("width"), "width", 1, ctx)
    height = page_size(meta.get("height"), "height", 1, ctx)
    blocks: list[Block] = []
    line_no = 0
    for bi, b in enumerate(as_list(rr.get("blocks"), "blocks"), 1):
        try:
            lines: list[Line] = []
            for ln in as_list(b.get("lines"), "lines"):
                line_no += 1
                where = f"page 1 line {line_no}"
                try:
                    words: list[Word] = []
                    for wi, w in enumerate(as_list(ln.get("words"), "words"), 1):
                        try:
                            words.append(
                                Word(
                                    text(w.get("text")),
                                    vertex_polygon(w["boundingPolygon"], default=None),
                                    confidence(w.get("confidence"), ctx, f"{where} word {wi}"),
                                )
                            )
                        except ELEMENT_ERRORS as err:
                            ctx.skip(f"{where} word {wi}", err)
                    bp = ln.get("boundingPolygon")
                    poly = container_polygon(
                        optional_vertex_polygon,
                        bp,
                        (w.polygon for w in words),
                        where,
                        ctx,
                    )
                    lines.append(Line(text(ln.get("text")), poly, tuple(words)))
                except ELEMENT_ERRORS as err:
                    ctx.skip(where, err)
            block = lines_block(lines)
            if block is not None:
                blocks.append(block)
        except ELEMENT_ERRORS as err:
            ctx.skip(f"page 1 block {bi}", err)
    extras: dict[str, Any] = {}
    if type(data.get("modelVersion")) is str:
        extras["modelVersion"] = data["modelVersion"]
    page = Page(width, height, tuple(blocks), (), "pixel", None, 0)
    return Document((page,), IMAGE_ANALYSIS_4, extras, tuple(ctx.warnings))


def _di_polygon(d: dict[str, Any]) -> Any:
    poly = d.get("polygon")
    if poly is None:
        poly = d.get("boundingBox")  # 2021-09-30-preview name
    if poly is None:
        return None
    if type(poly) is list and poly and type(poly[0]) is dict:
        return vertex_polygon(poly, default=None)  # 2022-06-30-preview and later: [{x, y}]? keep both
    return flat_polygon(poly)


def _span_offsets(d: dict[str, Any]) -> list[tuple[int, int]]:
    spans = d.get("spans")
    if spans is None and d.get("span") is not None:
        spans = [d["span"]]
    out: list[tuple[int, int]] = []
    for s in as_list(spans, "spans"):
        off = integer(s.get("offset"), "offset")
        out.append((off, off + integer(s.get("length"), "length")))
    return out


def parse_document_intelligence(data: Any) -> Document:
    """Document Intelligence / Form Recognizer v3: ``analyzeResult.pages[]`` words and lines tied by spans.

    A line's words are the words whose span starts inside the line's spans. Words that belong to no
    line (or a page without lines) each become a line of their own, so no word is dropped. Where the
    result has ``paragraphs`` (2023 and later), each paragraph is a Block of the lines inside its spans,
    its ``role`` (title, sectionHeading, pageHeader, ...) the Block's layout_type; lines in no paragraph,
    or all lines when there are no paragraphs, are wrapped in one Block.
    """
    ctx = Context()
    ar = as_dict(analyze_result_of(data, camel=True), "analyzeResult")
    # outputContentFormat=markdown (2024-02-29-preview on): words and lines carry Markdown ("1\\.",
    # "# 1\\. Text", "This is title\n===", "<!-- PageHeader=\"...\" -->"); the page's text is without it
    markdown = ar.get("contentFormat") == "markdown"
    raw_pages = as_list(ar.get("pages"), "pages")
    tables = _di_tables(as_list(ar.get("tables"), "tables"), ctx)
    paragraphs = _di_paragraphs(as_list(ar.get("paragraphs"), "paragraphs"), ctx)
    pages: list[Page] = []
    for i, p in enumerate(raw_pages):
        if type(p) is not dict:
            raise BadResponse(f"page {i + 1} is not an object")
        index = _page_number(p.get("pageNumber"), i)
        pno = index + 1
        words: list[tuple[int, Word]] = []
        for wi, w in enumerate(as_list(p.get("words"), "words"), 1):
            try:
                poly = _di_polygon(w)
                if poly is None:
                    raise BadResponse("no polygon")
                spans = _span_offsets(w)
                start = spans[0][0] if spans else -1
                conf = w.get("confidence")
                if conf is not None:
                    conf = confidence(conf, ctx, f"page {pno} word {wi}")
                word_text = text(w.get("content"))
                words.append(
                    (start, make_word(md_unescape(word_text) if markdown else word_text, poly, conf))
                )
            except ELEMENT_ERRORS as err:
                ctx.skip(f"page {pno} word {wi}", err)
        words.sort(key=lambda sw: sw[0])
        starts = [s for s, _ in words]
        used = [False] * len(words)
        lines: list[tuple[int, Line]] = []
        for li, ln in enumerate(as_list(p.get("lines"), "lines"), 1):
            try:
                mine: list[Word] = []
                spans = _span_offsets(ln)
                for lo, hi in spans:
                    k = bisect_left(starts, lo)
                    while k < len(words) and starts[k] < hi:
                        if not used[k] and starts[k] >= 0:
                            used[k] = True
                            mine.append(words[k][1])
                        k += 1
                poly = container_polygon(
                    _di_polygon, ln, (w.polygon for w in mine), f"page {pno} line {li}", ctx
                )
                start = spans[0][0] if spans else -1
                line_text = text(ln.get("content"))
                if markdown:
                    line_text = " ".join(w.text for w in mine) if mine else md_plain_line(line_text)
                lines.append((start, make_line(line_text, poly, tuple(mine))))
            except ELEMENT_ERRORS as err:
                ctx.skip(f"page {pno} line {li}", err)
        for k, (start, w) in enumerate(words):
            if not used[k]:
                lines.append((start, make_line(w.text, w.polygon, (w,), w.confidence)))
        extras: dict[str, Any] = {}
        marks = p.get("selectionMarks")
        if marks:
            extras["selection_marks"] = marks
        pages.append(
            Page(
                page_size(p.get("width"), "width", pno, ctx),
                page_size(p.get("height"), "height", pno, ctx),
                _di_blocks(lines, paragraphs.get(index, [])),
                tuple(tables.get(index, ())),
                _unit(p.get("unit"), pno),
                _angle(p.get("angle"), pno, ctx),
                index,
                extras,
            )
        )
    extras = _analyze_extras(ar)
    if type(ar.get("content")) is str:
        extras["content"] = ar["content"]
    return Document(tuple(pages), DOCUMENT_INTELLIGENCE, extras, tuple(ctx.warnings))


_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_COMMENT = re.compile(r"<!--\s*\w+\s*=\s*\"(.*?)\"\s*-->", re.DOTALL)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_UNDERLINE = re.compile(r"\n\s*(=+|-+)\s*$")


def md_unescape(s: str) -> str:
    """Markdown's backslash escapes undone: ``1\\.`` -> ``1.``."""
    return _MD_ESCAPE.sub(r"\1", s)


def md_plain_line(s: str) -> str:
    """A Markdown line of Document Intelligence's as its text: a ``<!-- PageHeader="x" -->`` comment as
    ``x``, heading marks (``#``, a ``===`` underline) dropped, escapes undone, line breaks as spaces."""
    s = _MD_COMMENT.sub(lambda m: m.group(1), s)
    s = _MD_UNDERLINE.sub("", _MD_HEADING.sub("", s))
    return " ".join(md_unescape(s).split())


_Paragraph = tuple[Any, list[tuple[int, int]], "str | None"]


def _di_paragraphs(raw: list[Any], ctx: Context) -> dict[int, list[_Paragraph]]:
    """Paragraphs by 0-based page index: (polygon or None, spans, role)."""
    out: dict[int, list[_Paragraph]] = {}
    for pi, para in enumerate(raw, 1):
        try:
            spans = _span_offsets(para)
            role = para.get("role")
            for region in as_list(para.get("boundingRegions"), "boundingRegions"):
                index = _page_number(region.get("pageNumber"), 0)
                out.setdefault(index, []).append(
                    (_di_polygon(region), spans, role if type(role) is str else None)
                )
        except ELEMENT_ERRORS as err:
            ctx.skip(f"paragraph {pi}", err)
    return out


def _di_blocks(lines: list[tuple[int, Line]], paragraphs: list[_Paragraph]) -> tuple[Block, ...]:
    """Lines grouped into paragraph Blocks by span; the rest wrapped in one Block, in reading order."""
    order = sorted(range(len(lines)), key=lambda k: lines[k][0])
    starts = [lines[k][0] for k in order]
    used = [False] * len(lines)
    blocks: list[Block] = []
    for poly, spans, role in paragraphs:
        mine: list[Line] = []
        for lo, hi in spans:
            j = bisect_left(starts, lo)
            while j < len(order) and starts[j] < hi:
                k = order[j]
                if not used[k] and starts[j] >= 0:
                    used[k] = True
                    mine.append(lines[k][1])
                j += 1
        if not mine:
            continue
        if poly is None:
            block = lines_block(mine, layout_type=role)
            if block is not None:
                blocks.append(block)
        else:
            blocks.append(Block(poly, tuple(mine), None, None, role))
    rest = lines_block([ln for k, (_, ln) in enumerate(lines) if not used[k]])
    if rest is not None:
        blocks.append(rest)
    return tuple(blocks)


def _di_tables(raw: list[Any], ctx: Context) -> dict[int, list[Table]]:
    """Tables keyed by 0-based page index (from their first bounding region)."""
    tables: dict[int, list[Table]] = {}
    for ti, t in enumerate(raw, 1):
        where = f"table {ti}"
        try:
            regions = as_list(t.get("boundingRegions"), "boundingRegions")
            if regions:
                index = _page_number(regions[0].get("pageNumber"), 0)
                poly = _di_polygon(regions[0])
            else:  # 2022-01-30-preview: only the cells have regions; the table is boxed around them
                first = next(
                    (
                        r[0]
                        for c in as_list(t.get("cells"), "cells")
                        if type(c) is dict
                        and type(r := c.get("boundingRegions")) is list
                        and r
                        and type(r[0]) is dict
                    ),
                    None,
                )
                if first is None:
                    raise BadResponse("no boundingRegions, nor have its cells")
                index = _page_number(first.get("pageNumber"), 0)
                poly = None
            cells: list[Cell] = []
            for ci, c in enumerate(as_list(t.get("cells"), "cells"), 1):
                try:
                    cregions = as_list(c.get("boundingRegions"), "boundingRegions")
                    cpoly = _di_polygon(cregions[0]) if cregions else None
                    if cpoly is None:
                        raise BadResponse("cell has no polygon")
                    cells.append(
                        Cell(
                            cpoly,
                            integer(c.get("rowIndex"), "rowIndex"),
                            integer(c.get("columnIndex"), "columnIndex"),
                            integer(c.get("rowSpan"), "rowSpan", 1),
                            integer(c.get("columnSpan"), "columnSpan", 1),
                            text(c.get("content")),
                        )
                    )
                except ELEMENT_ERRORS as err:
                    ctx.skip(f"{where} cell {ci}", err)
            if poly is None:
                poly = _cells_bbox(cells)
            tables.setdefault(index, []).append(
                Table(
                    poly,
                    integer(t.get("rowCount"), "rowCount"),
                    integer(t.get("columnCount"), "columnCount"),
                    tuple(cells),
                )
            )
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    return tables
