"""Google Cloud Vision ``fullTextAnnotation`` (DOCUMENT_TEXT_DETECTION / TEXT_DETECTION).

Pages -> blocks -> paragraphs -> words -> symbols. A Block is Google's block; its Lines are the visual
lines of its paragraphs, split at the detected breaks (EOL_SURE_SPACE, LINE_BREAK, HYPHEN end a line;
SPACE and SURE_SPACE separate words), each boxed around its own words along their reading direction
(a paragraph of one line keeps the paragraph's polygon). Google states no line confidence: a line's
is None, its paragraph's number (1-based on the page) and confidence are in the line's extras
(``paragraph``, ``paragraph_confidence``). A word's text is the join of its symbols. Warnings name
the element as the response does: ``page 1 block 2 paragraph 1 word 5``.
Vertices whose x or y is 0 are omitted by the service: a missing x or y is 0. ``normalizedVertices``
(PDF/TIFF results) are scaled by the page size; PDF pages (``inputConfig``/``context`` naming a PDF)
have ``unit="point"``, as Google states their sizes in points. Confidences (words, paragraphs,
blocks, pages) are 0..1; one outside that range, NaN or not a number is left out (None) with a
warning, the element kept. Accepted wrappers: the ``images:annotate`` batch (``responses[]``), one
annotate response (``fullTextAnnotation``), or a bare fullTextAnnotation. A batch whose every
response is an error (``{"error": {"code": 3, "message": ...}}``) is reported as the service's
error; where only some images failed, their pages are empty, with a warning.
"""

from __future__ import annotations

import math
from typing import Any

from ocrviewer.core.model import Block, Document, Line, Page, Polygon, Word
from ocrviewer.core.parsers._common import (
    ELEMENT_ERRORS,
    Context,
    as_dict,
    as_list,
    camel_keys,
    confidence,
    container_polygon,
    lines_block,
    page_size,
    text,
    vertex_polygon,
    words_polygon,
)
from ocrviewer.errors import BadResponse

VISION = "google-vision"

#: Detected breaks that end a visual line, and the text they leave at its end: a line-ending hyphen
#: is not among the symbols, so it is put back.
_LINE_ENDS = {"EOL_SURE_SPACE": "", "LINE_BREAK": "", "HYPHEN": "-"}
#: Detected breaks between words of one line.
_SPACES = frozenset(("SPACE", "SURE_SPACE"))
_ANNOTATE_KEYS = ("fullTextAnnotation", "textAnnotations")
#: the same in snake_case, as google-cloud-vision's ``AnnotateImageResponse.to_dict()`` writes them
_SNAKE_KEYS = ("full_text_annotation", "text_annotations")
#: ``TextAnnotation.DetectedBreak.BreakType`` by number (``to_dict()`` writes enums as numbers)
_BREAK_TYPES = {0: "UNKNOWN", 1: "SPACE", 2: "SURE_SPACE", 3: "EOL_SURE_SPACE", 4: "HYPHEN", 5: "LINE_BREAK"}


def _snake_case(d: dict[str, Any]) -> bool:
    """True for an annotate response (or batch of them) saved by the Python client's ``to_dict()``."""
    responses = d.get("responses")
    items = responses if type(responses) is list else [d]
    return any(type(r) is dict and any(k in r for k in _SNAKE_KEYS) for r in items)


def _from_snake_case(d: dict[str, Any]) -> Any:
    """A ``to_dict()`` response as the REST answer: camelCase keys (``type_`` -> ``type``), break
    types by name."""
    out = camel_keys(d, {"type_": "type"})

    def names(v: Any) -> None:
        if type(v) is dict:
            brk = v.get("detectedBreak")
            if type(brk) is dict and type(brk.get("type")) is int:
                brk["type"] = _BREAK_TYPES.get(brk["type"], "UNKNOWN")
            for x in v.values():
                names(x)
        elif type(v) is list:
            for x in v:
                names(x)

    names(out)
    return out


#: google.rpc.Code names, for the numeric ``code`` of a per-image error.
_RPC_CODES = (
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)


def _is_error(r: Any) -> bool:
    """An annotate response that is only an error (``{"error": {"code": 3, "message": ...}}``)."""
    return type(r) is dict and type(r.get("error")) is dict and not any(k in r for k in _ANNOTATE_KEYS)


def _error_text(err: dict[str, Any]) -> str:
    """``3 INVALID_ARGUMENT Bad image data.``: the code, its name, the service's message, on one line."""
    code, message = err.get("code"), err.get("message")
    parts: list[str] = []
    if code is not None:
        parts.append(str(code))
        if type(code) is int and 0 <= code < len(_RPC_CODES):
            parts.append(_RPC_CODES[code])
    status = err.get("status")
    if type(status) is str and status not in parts:
        parts.append(status)
    if message is not None:
        parts.append(str(message))
    return " ".join(" ".join(parts).split()) or "no code or message"


def error_message(d: dict[str, Any]) -> str | None:
    """The message for an images:annotate batch whose every response is an error, else None."""
    responses = d.get("responses")
    if type(responses) is not list or not responses or not all(_is_error(r) for r in responses):
        return None
    first = _error_text(responses[0]["error"])
    more = f" (and {len(responses) - 1} more responses with errors)" if len(responses) > 1 else ""
    return f"the response is a Google Vision error: {first}{more}; fix the request and run it again"


def is_vision(d: dict[str, Any]) -> bool:
    """True for an images:annotate batch, one annotate response, or a bare fullTextAnnotation.

    A batch whose every response is an error is not: :func:`error_message` words it."""
    responses = d.get("responses")
    if type(responses) is list and responses and all(type(r) is dict for r in responses):
        if any(k in r for r in responses for k in _ANNOTATE_KEYS + _SNAKE_KEYS):
            return True
        return all(not r or _is_error(r) for r in responses) and not all(_is_error(r) for r in responses)
    if any(type(d.get(k)) in (dict, list) for k in _ANNOTATE_KEYS) or _snake_case(d):
        return True
    pages = d.get("pages")
    return type(pages) is list and "text" in d


def _annotations(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The annotate responses in ``d`` (each may hold fullTextAnnotation/textAnnotations/error)."""
    responses = d.get("responses")
    if type(responses) is list:
        return responses
    if "pages" in d and "fullTextAnnotation" not in d:
        return [{"fullTextAnnotation": d}]
    return [d]


def _lang(prop: Any) -> str | None:
    if type(prop) is not dict:
        return None
    langs = prop.get("detectedLanguages")
    if type(langs) is list and langs and type(langs[0]) is dict:
        code = langs[0].get("languageCode")
        return code if type(code) is str else None
    return None


class _Scale:
    __slots__ = ("height", "width")

    def __init__(self, width: float | None, height: float | None) -> None:
        self.width = width
        self.height = height

    def polygon(self, d: dict[str, Any]) -> Any:
        bp = d.get("boundingBox")
        if bp is None:
            bp = d.get("boundingPoly")
        if bp is None:
            return None
        if type(bp) is not dict:
            raise BadResponse("boundingBox is not an object")
        vs = bp.get("vertices")
        if vs:
            return vertex_polygon(vs)
        nv = bp.get("normalizedVertices")
        if nv:
            if self.width is None or self.height is None:
                raise BadResponse("normalizedVertices on a page without width and height")
            poly = vertex_polygon(nv)
            return tuple((x * self.width, y * self.height) for x, y in poly)
        return vertex_polygon(vs if vs is not None else [])


def _word(w: Any, sc: _Scale, ctx: Context, where: str) -> tuple[Word, str | None]:
    """The word and the type of the break after it (``detectedBreak`` of its last symbol), if any."""
    symbols = as_list(w.get("symbols"), "symbols")
    chars: list[str] = []
    brk = None
    for s in symbols:
        chars.append(text(s.get("text")))
    if symbols and type(symbols[-1]) is dict:
        prop = symbols[-1].get("property")
        if type(prop) is dict:
            db = prop.get("detectedBreak")
            if type(db) is dict and db.get("isPrefix") is not True and type(db.get("type")) is str:
                brk = db["type"]
    poly = sc.polygon(w)
    if poly is None:
        raise BadResponse("no boundingBox")
    conf = confidence(w.get("confidence"), ctx, where)
    return Word("".join(chars), poly, conf, None, _lang(w.get("property"))), brk


def _line_polygon(words: list[Word]) -> Polygon:
    """The box around a line's words along their reading direction, corners in the words' own order.

    The direction is the words' first edge (vertex 0 -> 1, along the text); the box's first edge
    follows it, so an upright line gets its axis-aligned box and a rotated line a rotated box, and
    frame detection reads a line's direction as it reads its words'. Words that are not
    quadrilaterals give the axis-aligned box.
    """
    ux = uy = dx = dy = 0.0
    for w in words:
        q = w.polygon
        if len(q) != 4:
            return words_polygon(words)
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q
        ux += x1 - x0 + x2 - x3
        uy += y1 - y0 + y2 - y3
        dx += x3 - x0 + x2 - x1
        dy += y3 - y0 + y2 - y1
    n = math.hypot(ux, uy)
    if n == 0 or not math.isfinite(n):
        return words_polygon(words)
    ux, uy = ux / n, uy / n
    vx, vy = -uy, ux  # across the text, on the side the words' second edges point to
    if vx * dx + vy * dy < 0:
        vx, vy = uy, -ux
    a = [x * ux + y * uy for w in words for x, y in w.polygon]
    b = [x * vx + y * vy for w in words for x, y in w.polygon]
    a0, a1, b0, b1 = min(a), max(a), min(b), max(b)
    poly = tuple((p * ux + q * vx, p * uy + q * vy) for p, q in ((a0, b0), (a1, b0), (a1, b1), (a0, b1)))
    if not math.isfinite(sum(c for pt in poly for c in pt)):  # overflow near the float limit
        return words_polygon(words)
    return poly


def _paragraph_lines(para: Any, sc: _Scale, ctx: Context, where: str, extras: dict[str, Any]) -> list[Line]:
    """A paragraph's visual lines: a line ends after a word whose break is EOL_SURE_SPACE, LINE_BREAK
    or HYPHEN (the hyphen, not among the symbols, is put back), and at the paragraph's end; SPACE and
    SURE_SPACE separate words inside a line, no break joins them ("word" ","). A paragraph of one
    line keeps the paragraph's own polygon; otherwise each line is boxed around its words."""
    lang = _lang(para.get("property"))
    groups: list[tuple[list[Word], str]] = []
    words: list[Word] = []
    parts: list[str] = []
    for wi, w in enumerate(as_list(para.get("words"), "words"), 1):
        try:
            word, brk = _word(w, sc, ctx, f"{where} word {wi}")
        except ELEMENT_ERRORS as err:
            ctx.skip(f"{where} word {wi}", err)
            continue
        words.append(word)
        parts.append(word.text)
        if brk in _LINE_ENDS:
            parts.append(_LINE_ENDS[brk])
            groups.append((words, "".join(parts).strip()))
            words, parts = [], []
        elif brk in _SPACES:
            parts.append(" ")
    if words:
        groups.append((words, "".join(parts).strip()))
    if len(groups) == 1:
        words, line_text = groups[0]
        poly = container_polygon(sc.polygon, para, (w.polygon for w in words), where, ctx)
        return [Line(line_text, poly, tuple(words), None, lang, extras)]
    return [Line(t, _line_polygon(ws), tuple(ws), None, lang, dict(extras)) for ws, t in groups]


def _page(p: Any, index: int, ctx: Context, unit: str = "pixel") -> Page:
    pno = index + 1
    if type(p) is not dict:
        raise BadResponse(f"page {pno} is not an object")
    sc = _Scale(page_size(p.get("width"), "width", pno, ctx), page_size(p.get("height"), "height", pno, ctx))
    blocks: list[Block] = []
    para_no = 0
    for bi, b in enumerate(as_list(p.get("blocks"), "blocks"), 1):
        where = f"page {pno} block {bi}"
        try:
            lines: list[Line] = []
            for pi, para in enumerate(as_list(b.get("paragraphs"), "paragraphs"), 1):
                para_no += 1
                pwhere = f"{where} paragraph {pi}"
                try:
                    extras: dict[str, Any] = {"paragraph": para_no}
                    conf = confidence(para.get("confidence"), ctx, pwhere)
                    if conf is not None:
                        extras["paragraph_confidence"] = conf
                    lines.extend(_paragraph_lines(para, sc, ctx, pwhere, extras))
                except ELEMENT_ERRORS as err:
                    ctx.skip(pwhere, err)
            poly = container_polygon(sc.polygon, b, (ln.polygon for ln in lines), where, ctx, "lines")
            btype = b.get("blockType")
            kw: dict[str, Any] = {
                "confidence": confidence(b.get("confidence"), ctx, where),
                "language": _lang(b.get("property")),
                "layout_type": btype if type(btype) is str else None,
            }
            blocks.append(Block(poly, tuple(lines), **kw))
        except ELEMENT_ERRORS as err:
            ctx.skip(where, err)
    extras = {}
    lang = _lang(p.get("property"))
    if lang:
        extras["language"] = lang
    page_conf = confidence(p.get("confidence"), ctx, f"page {pno}")
    if page_conf is not None:
        extras["confidence"] = page_conf
    return Page(sc.width, sc.height, tuple(blocks), (), unit, None, index, extras)


def _text_annotations_page(items: list[Any], index: int, ctx: Context) -> Page:
    """TEXT_DETECTION without fullTextAnnotation: the words after the first (whole-text) entry."""
    sc = _Scale(None, None)
    lines: list[Line] = []
    for wi, item in enumerate(items[1:], 1):
        try:
            poly = sc.polygon(item)
            if poly is None:
                raise BadResponse("no boundingPoly")
            locale = item.get("locale")
            word = Word(
                text(item.get("description")), poly, None, None, locale if type(locale) is str else None
            )
            lines.append(Line(word.text, poly, (word,)))
        except ELEMENT_ERRORS as err:
            ctx.skip(f"page {index + 1} word {wi}", err)
    block = lines_block(lines)
    return Page(None, None, (block,) if block else (), (), "pixel", None, index)


def _is_pdf(info: Any) -> bool:
    """A files:asyncBatchAnnotate ``inputConfig`` or per-page ``context`` naming a PDF (page sizes in points)."""
    if type(info) is not dict:
        return False
    mime, uri = info.get("mimeType"), info.get("uri")
    return (type(mime) is str and mime.lower() == "application/pdf") or (
        type(uri) is str and uri.lower().endswith(".pdf")
    )


def _context_page(context: Any) -> int | None:
    """0-based page a files:annotate response belongs to (``context.pageNumber``, 1-based), if stated."""
    n = context.get("pageNumber") if type(context) is dict else None
    return n - 1 if type(n) is int and n >= 1 else None


def parse_vision(data: Any) -> Document:
    """Google Cloud Vision annotate response(s) -> Document, one Page per fullTextAnnotation page."""
    ctx = Context()
    if _snake_case(data):
        data = _from_snake_case(data)
    pages: list[Page] = []
    pdf = _is_pdf(data.get("inputConfig"))
    for ri, r in enumerate(_annotations(data), 1):
        if type(r) is not dict:
            raise BadResponse(f"response {ri} is not an object")
        fta = r.get("fullTextAnnotation")
        if fta is not None:
            first = _context_page(r.get("context"))
            for pi, p in enumerate(as_list(as_dict(fta, "fullTextAnnotation").get("pages"), "pages")):
                unit = "point" if pdf or _is_pdf(r.get("context")) else "pixel"
                pages.append(_page(p, len(pages) if first is None else first + pi, ctx, unit))
        elif r.get("textAnnotations"):
            pages.append(
                _text_annotations_page(as_list(r["textAnnotations"], "textAnnotations"), len(pages), ctx)
            )
        elif type(r.get("error")) is dict:
            # one image of a batch failed, others did not: its page is empty, the error a warning
            ctx.note(
                f"page {len(pages) + 1}: Google Vision error: {_error_text(r['error'])}; no text for this page"
            )
            pages.append(Page(None, None, (), (), "pixel", None, len(pages)))
        else:  # no text found
            pages.append(Page(None, None, (), (), "pixel", None, len(pages)))
    pages.sort(key=lambda pg: pg.index)
    return Document(tuple(pages), VISION, {}, tuple(ctx.warnings))
