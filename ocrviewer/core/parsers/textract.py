"""AWS Textract ``Blocks`` (DetectDocumentText / AnalyzeDocument, also the boto3 dict with ResponseMetadata).

PAGE -> LINE -> WORD through ``Relationships`` of type CHILD. Coordinates are normalized (0..1):
pages get ``unit="normalized"`` and width = height = 1.0; placement scales them with the image size.
Confidence 0..100 becomes 0..1 (57 -> 0.57); one outside 0..100 (101, -1), NaN or not a number is left
out (None) with a warning, the element kept. Textract has no block level above LINE: lines are grouped by the
``LAYOUT_*`` block that holds them (its type becomes ``Block.layout_type``); lines outside any layout,
or all lines when the response has no layout, are each a Block of their own. TABLE/CELL become
Table/Cell (rows and columns 0-based like the other formats).
"""

from __future__ import annotations

from typing import Any

from ocrviewer.core.model import Block, Cell, Document, Line, Page, Table, Word, polygon_from_bbox
from ocrviewer.core.parsers._common import (
    ELEMENT_ERRORS,
    Context,
    as_list,
    confidence,
    container_polygon,
    integer,
    number,
    text,
    vertex_polygon,
)
from ocrviewer.errors import BadResponse

TEXTRACT = "aws-textract"

#: the analyses whose answer is a list of documents (an invoice, a receipt, an ID), each holding the
#: Blocks of its pages in the newer answers, and what to call them
_DOCUMENT_LISTS = {"ExpenseDocuments": "AnalyzeExpense", "IdentityDocuments": "AnalyzeID"}


def embedded_blocks(d: dict[str, Any]) -> list[Any] | None:
    """The Blocks of an AnalyzeExpense or AnalyzeID answer's documents, in order; None where the
    answer is no such list or its documents hold no Blocks (older answers: fields only)."""
    for key in _DOCUMENT_LISTS:
        docs = d.get(key)
        if type(docs) is list and docs and all(type(x) is dict for x in docs):
            blocks = [b for x in docs if type(x.get("Blocks")) is list for b in x["Blocks"]]
            return blocks or None
    return None


def fields_only(d: dict[str, Any]) -> str | None:
    """The one-line advice for a Textract analysis answer that holds no Blocks to draw; else None."""
    what = next((name for key, name in _DOCUMENT_LISTS.items() if type(d.get(key)) is list), None)
    for name in ("AnalyzeExpense", "AnalyzeID", "AnalyzeLending"):
        if what is None and f"{name}ModelVersion" in d:
            what = name
    if what is None:
        return None
    newer = (
        "" if what == "AnalyzeLending" else "a newer answer of that analysis (its documents hold Blocks) or "
    )
    return (
        f"an AWS Textract {what} answer without Blocks (only the fields it found, no lines or words of "
        f"the page); give {newer}a DetectDocumentText / AnalyzeDocument answer"
    )


def _polygon(b: dict[str, Any]) -> Any:
    geo = b.get("Geometry")
    if geo is None:
        return None
    if type(geo) is not dict:
        raise BadResponse("Geometry is not an object")
    poly = geo.get("Polygon")
    if poly is not None:
        return vertex_polygon(poly, "X", "Y", None)
    bb = geo.get("BoundingBox")
    if type(bb) is dict:
        left, top = number(bb.get("Left"), "Left"), number(bb.get("Top"), "Top")
        return polygon_from_bbox(
            left, top, left + number(bb.get("Width"), "Width"), top + number(bb.get("Height"), "Height")
        )
    return None


def _children(b: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for rel in as_list(b.get("Relationships"), "Relationships"):
        if type(rel) is dict and rel.get("Type") == "CHILD":
            out.extend(i for i in as_list(rel.get("Ids"), "Ids") if type(i) is str)
    return out


class _Reader:
    def __init__(self, blocks: list[Any], ctx: Context) -> None:
        self.ctx = ctx
        self.by_id: dict[str, dict[str, Any]] = {}
        for b in blocks:
            if type(b) is dict and type(b.get("Id")) is str:
                self.by_id[b["Id"]] = b

    def kids(self, b: dict[str, Any], *types: str) -> list[dict[str, Any]]:
        out = []
        for i in _children(b):
            k = self.by_id.get(i)
            if k is not None and (not types or k.get("BlockType") in types):
                out.append(k)
        return out

    def word(self, w: dict[str, Any], where: str) -> Word:
        poly = _polygon(w)
        if poly is None:
            raise BadResponse("no Geometry")
        extras = {"text_type": w["TextType"]} if type(w.get("TextType")) is str else {}
        return Word(
            text(w.get("Text")),
            poly,
            confidence(w.get("Confidence"), self.ctx, where, 100.0),
            None,
            None,
            extras,
        )

    def line(self, ln: dict[str, Any], where: str) -> Line:
        words: list[Word] = []
        for wi, w in enumerate(self.kids(ln, "WORD"), 1):
            try:
                words.append(self.word(w, f"{where} word {wi}"))
            except ELEMENT_ERRORS as err:
                self.ctx.skip(f"{where} word {wi}", err)
        poly = container_polygon(_polygon, ln, (w.polygon for w in words), where, self.ctx)
        conf = confidence(ln.get("Confidence"), self.ctx, where, 100.0)
        return Line(text(ln.get("Text")), poly, tuple(words), conf)

    def table(self, t: dict[str, Any], where: str) -> Table:
        cells: list[Cell] = []
        rows = cols = 0
        for ci, c in enumerate(self.kids(t, "CELL"), 1):
            try:
                poly = _polygon(c)
                if poly is None:
                    raise BadResponse("no Geometry")
                row = integer(c.get("RowIndex"), "RowIndex", 1) - 1
                col = integer(c.get("ColumnIndex"), "ColumnIndex", 1) - 1
                rs = integer(c.get("RowSpan"), "RowSpan", 1)
                cs = integer(c.get("ColumnSpan"), "ColumnSpan", 1)
                words = " ".join(text(w.get("Text")) for w in self.kids(c, "WORD"))
                cells.append(Cell(poly, row, col, rs, cs, words))
                rows, cols = max(rows, row + rs), max(cols, col + cs)
            except ELEMENT_ERRORS as err:
                self.ctx.skip(f"{where} cell {ci}", err)
        poly = _polygon(t)
        if poly is None:
            raise BadResponse("no Geometry")
        return Table(poly, rows, cols, tuple(cells))


def parse_textract(data: Any) -> Document:
    """Textract Blocks -> Document with normalized pages (see the module docstring for blocks)."""
    ctx = Context()
    embedded = None if "Blocks" in data else embedded_blocks(data)
    blocks = as_list(data["Blocks"] if embedded is None else embedded, "Blocks")
    rd = _Reader(blocks, ctx)
    page_blocks = [b for b in blocks if type(b) is dict and b.get("BlockType") == "PAGE"]
    if not page_blocks:
        # no PAGE block: every top-level line and table on one page
        page_blocks = [{"Relationships": [{"Type": "CHILD", "Ids": list(rd.by_id)}]}]
    pages: list[Page] = []
    for i, pb in enumerate(page_blocks):
        try:  # multi-page results number their PAGE blocks from 1
            index = integer(pb.get("Page"), "Page", i + 1) - 1
        except BadResponse:
            index = i
        index = max(index, 0)
        pno = index + 1
        kids = rd.kids(pb)
        layout_lines: set[str] = set()
        out: list[Block] = []
        tables: list[Table] = []
        line_no = 0
        for k in kids:
            kind = k.get("BlockType")
            if type(kind) is str and kind.startswith("LAYOUT_"):
                lines: list[Line] = []
                for ln in rd.kids(k, "LINE"):
                    layout_lines.add(ln["Id"])
                    line_no += 1
                    try:
                        lines.append(rd.line(ln, f"page {pno} line {line_no}"))
                    except ELEMENT_ERRORS as err:
                        ctx.skip(f"page {pno} line {line_no}", err)
                if not lines:
                    continue
                try:
                    poly = container_polygon(
                        _polygon,
                        k,
                        (ln.polygon for ln in lines),
                        f"page {pno} {kind}",
                        ctx,
                        "lines",
                    )
                    conf = confidence(k.get("Confidence"), ctx, f"page {pno} {kind}", 100.0)
                    out.append(Block(poly, tuple(lines), conf, None, kind))
                except ELEMENT_ERRORS as err:
                    ctx.skip(f"page {pno} {kind}", err)
            elif kind == "TABLE":
                try:
                    tables.append(rd.table(k, f"page {pno} table {len(tables) + 1}"))
                except ELEMENT_ERRORS as err:
                    ctx.skip(f"page {pno} table {len(tables) + 1}", err)
        for k in kids:
            if k.get("BlockType") == "LINE" and k.get("Id") not in layout_lines:
                line_no += 1
                try:
                    line = rd.line(k, f"page {pno} line {line_no}")
                    out.append(Block(line.polygon, (line,), line.confidence))
                except ELEMENT_ERRORS as err:
                    ctx.skip(f"page {pno} line {line_no}", err)
        pages.append(Page(1.0, 1.0, tuple(out), tuple(tables), "normalized", None, index))
    pages.sort(key=lambda p: p.index)
    if embedded is not None:  # two receipts on one page are two documents with a PAGE each: one page
        merged: list[Page] = []
        for p in pages:
            if merged and merged[-1].index == p.index:
                last = merged[-1]
                p = Page(
                    1.0, 1.0, last.blocks + p.blocks, last.tables + p.tables, "normalized", None, p.index
                )
                merged[-1] = p
            else:
                merged.append(p)
        pages = merged
    extras: dict[str, Any] = {}
    meta = data.get("DocumentMetadata")
    if type(meta) is dict and meta.get("Pages") is not None:
        extras["pages"] = meta["Pages"]
    return Document(tuple(pages), TEXTRACT, extras, tuple(ctx.warnings))
