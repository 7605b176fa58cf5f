"""PaddleOCR results saved as JSON.

- PaddleOCR 3.x ``result.save_to_json(...)`` (or ``result.json``): ``{"res": {...}}`` or the bare
  object, with ``rec_texts``, ``rec_scores`` and ``rec_polys`` (four ``[x, y]`` corners each; older
  3.0 files may give only ``rec_boxes`` ``[x0, y0, x1, y1]``) in the pixels of the image PaddleOCR
  read. A list of such objects is one per page.
- PaddleOCR's serving API (``paddlex --serve`` / PaddleOCR's HTTP service): ``{"logId", "result":
  {"ocrResults": [{"prunedResult": {...}}], "dataInfo": {...}}}``: the same objects, one per page, with
  the page size from ``dataInfo`` (``width``/``height``, or ``pages[]`` for a PDF).
- PaddleOCR 2.x ``ocr.ocr(img)`` dumped with ``json.dump``: a list per page of ``[corners, [text,
  score]]``, or one page's list alone; a page without text is ``null``.

Scores are 0..1. PaddleOCR finds text lines, not words: each is a line of one word, in a Block of its
own (as EasyOCR's detections). The page size is not in the result: placement takes the image's.
When PaddleOCR turned the page first (``doc_preprocessor_res.angle``), the angle is kept in the
page's extras; the frame decision finds the turn from the image.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ocrviewer.core.model import Block, Document, Line, Page, Polygon, Word, polygon_from_bbox
from ocrviewer.core.parsers._common import (
    ELEMENT_ERRORS,
    Context,
    as_list,
    confidence,
    number,
    page_size,
    pair_polygon,
    text,
)
from ocrviewer.errors import BadResponse

PADDLEOCR = "paddleocr"


def result_of(d: dict[str, Any]) -> dict[str, Any] | None:
    """The PaddleOCR 3.x result object in ``d`` (``{"res": {...}}`` or bare), or None."""
    res = d.get("res")
    inner = res if type(res) is dict and len(d) <= 2 else d
    if type(inner.get("rec_texts")) is list and ("rec_polys" in inner or "rec_boxes" in inner):
        return inner
    return None


def serving_results(d: dict[str, Any]) -> list[Any] | None:
    """The ``ocrResults`` of a PaddleOCR serving response, or None."""
    result = d.get("result")
    if type(result) is not dict or type(result.get("ocrResults")) is not list:
        return None
    items: list[Any] = result["ocrResults"]
    if items and not all(type(i) is dict and type(i.get("prunedResult")) is dict for i in items):
        return None
    return items


def _serving_sizes(d: dict[str, Any], n: int) -> list[tuple[Any, Any]]:
    """Each page's (width, height) from the serving response's ``dataInfo``."""
    info = d["result"].get("dataInfo")
    if type(info) is not dict:
        return [(None, None)] * n
    pages = info.get("pages")
    if type(pages) is list:
        sizes = [(p.get("width"), p.get("height")) if type(p) is dict else (None, None) for p in pages]
        return (sizes + [(None, None)] * n)[:n]
    return [(info.get("width"), info.get("height"))] * n


def _is_v2_item(item: Any) -> bool:
    """``[[corner points], [text, score]]``."""
    return (
        type(item) is list
        and len(item) == 2
        and type(item[0]) is list
        and bool(item[0])
        and type(item[0][0]) is list
        and type(item[1]) is list
        and len(item[1]) == 2
        and type(item[1][0]) is str
    )


def is_v2(data: list[Any]) -> bool:
    """PaddleOCR 2.x: one page's ``[corners, [text, score]]`` items, or a list of such pages."""
    first = data[0]
    if _is_v2_item(first):
        return True
    pages = [p for p in data if p is not None]
    return (
        bool(pages)
        and all(type(p) is list for p in pages)
        and any(p for p in pages)
        and _is_v2_item(next(p for p in pages if p)[0])
    )


def _line(value: str, poly: Polygon, conf: float | None) -> Block:
    word = Word(value, poly, conf)
    return Block(poly, (Line(value, poly, (word,), conf),), conf)


def _v3_page(res: dict[str, Any], index: int, ctx: Context) -> Page:
    pno = index + 1
    texts = as_list(res.get("rec_texts"), "rec_texts")
    scores = as_list(res.get("rec_scores"), "rec_scores")
    polys = res.get("rec_polys")
    boxes = as_list(res.get("rec_boxes"), "rec_boxes")
    use_polys = type(polys) is list and len(polys) == len(texts)
    if not use_polys and len(boxes) != len(texts):
        raise BadResponse(
            f"page {pno}: {len(texts)} rec_texts but {len(polys) if type(polys) is list else 0} rec_polys "
            f"and {len(boxes)} rec_boxes"
        )
    blocks: list[Block] = []
    for i, value in enumerate(texts):
        where = f"page {pno} text {i + 1}"
        try:
            if use_polys:
                poly = pair_polygon(polys[i])  # type: ignore[index]
            else:
                box = boxes[i]
                if type(box) is not list or len(box) != 4:
                    raise BadResponse("rec_boxes item is not [x0, y0, x1, y1]")
                x0, y0, x1, y1 = (number(v, "coordinate") for v in box)
                poly = polygon_from_bbox(x0, y0, x1, y1)
            conf = confidence(scores[i], ctx, where) if i < len(scores) else None
            blocks.append(_line(text(value), poly, conf))
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    extras: dict[str, Any] = {}
    pre = res.get("doc_preprocessor_res")
    if type(pre) is dict and type(pre.get("angle")) in (int, float) and pre["angle"] not in (0, -1):
        extras["doc_preprocessor_angle"] = pre["angle"]
    if type(res.get("input_path")) is str:
        extras["image"] = res["input_path"]
    page_index = res.get("page_index")
    if type(page_index) is int and page_index >= 0:
        index = page_index
    return Page(None, None, tuple(blocks), (), "pixel", None, index, extras)


def _v2_page(items: Any, index: int, ctx: Context) -> Page:
    blocks: list[Block] = []
    for i, item in enumerate(as_list(items, "page"), 1):
        where = f"page {index + 1} text {i}"
        try:
            if not _is_v2_item(item):
                raise BadResponse("not [corners, [text, score]]")
            conf = confidence(item[1][1], ctx, where)
            blocks.append(_line(text(item[1][0]), pair_polygon(item[0]), conf))
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    return Page(None, None, tuple(blocks), (), "pixel", None, index)


def parse_paddleocr(data: Any) -> Document:
    """PaddleOCR 3.x result objects (one or a list) or 2.x lists -> pages of pixel coordinates."""
    ctx = Context()
    pages: list[Page] = []
    served = serving_results(data) if type(data) is dict else None
    if served is not None:
        sizes = _serving_sizes(data, len(served))
        for i, item in enumerate(served):
            res = result_of(item["prunedResult"])
            if res is None:
                raise BadResponse(f"page {i + 1}: no rec_texts with rec_polys or rec_boxes")
            page = _v3_page(res, i, ctx)
            w = page_size(sizes[i][0], "width", i + 1, ctx)
            h = page_size(sizes[i][1], "height", i + 1, ctx)
            pages.append(replace(page, width=w, height=h) if w and h else page)
    elif type(data) is dict:
        res = result_of(data)
        if res is None:
            raise BadResponse("no rec_texts with rec_polys or rec_boxes")
        pages.append(_v3_page(res, 0, ctx))
    elif data and _is_v2_item(data[0]):
        pages.append(_v2_page(data, 0, ctx))
    elif all(type(d) is dict for d in data):
        for i, d in enumerate(data):
            res = result_of(d)
            if res is None:
                raise BadResponse(f"item {i + 1}: no rec_texts with rec_polys or rec_boxes")
            pages.append(_v3_page(res, i, ctx))
    else:
        pages.extend(_v2_page(items or [], i, ctx) for i, items in enumerate(data))
    pages.sort(key=lambda p: p.index)
    pages = [replace(pg, index=k) for k, pg in enumerate(pages)]  # in that order, numbered from 0
    return Document(tuple(pages), PADDLEOCR, {}, tuple(ctx.warnings))
