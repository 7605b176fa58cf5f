"""Safe XML/HTML parsing for the markup formats, and small helpers they share.

Nothing is fetched and nothing expands: lxml parses with ``resolve_entities=False``,
``no_network=True``, ``load_dtd=False`` and ``huge_tree=False``, and a document that declares any
entity (the billion-laughs bomb, ``SYSTEM "file:///etc/passwd"``, ``http://`` entities) is refused
before it is parsed. A DOCTYPE that only names a DTD (Tesseract's XHTML) is fine: it is not loaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from lxml import etree

from ocrviewer.core.limits import xml_text
from ocrviewer.core.model import Block, Document, Line, Polygon, Table, polygon_bbox, polygon_from_bbox
from ocrviewer.errors import BadResponse

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_HINT = re.compile(rb"<html\b|\bocr_page\b|\bocr_line\b|\bocrx_word\b", re.IGNORECASE)


def _xml_parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _html_parser() -> etree.HTMLParser:
    return etree.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)


def _text_for_checks(raw: bytes) -> bytes:
    """The bytes as UTF-8 where a byte-order mark (or the first ``<``) says UTF-16/32, so the entity
    check sees them."""
    # a byte-order mark, or with none the first character (XML 1.0 appendix F), as lxml tells it
    for start, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if raw.startswith(start):
            return raw.decode(codec, errors="replace").encode("utf-8")
    return raw


def looks_like_markup(raw: bytes) -> bool:
    """True when the file's first non-blank character is ``<`` (XML or HTML, not JSON)."""
    head = _text_for_checks(raw[:4096]).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


_DECLARED = re.compile(rb"^(\xef\xbb\xbf)?(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._-]+)([\"'])")
_CHARSET = re.compile(rb"<meta[^>]*charset", re.IGNORECASE)
_SINGLE_BYTE = re.compile(rb"^(iso-?8859-\d+|latin-?1|l1|(windows|cp)-?125\d|us-ascii|ascii)$", re.IGNORECASE)


def _fix_declared_encoding(raw: bytes) -> bytes:
    """``raw`` with its declared encoding corrected where the bytes plainly contradict it.

    Real files get this wrong both ways: BnF's ALTO declares ISO-8859-1 and is UTF-8 (read as
    declared, every accent turns into two characters); hand-edited files declare UTF-8 (or nothing)
    and are Windows-1252, which lxml refuses (so do files declaring US-ASCII). Only a single-byte declaration is overridden, and only
    by UTF-8 that decodes cleanly and has non-ASCII characters; only an invalid UTF-8 file is read as
    Windows-1252 (Latin-1 for the bytes that code page leaves undefined).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4]:
        return raw  # UTF-16/32: lxml tells those itself
    m = _DECLARED.match(raw[:300])
    declared = m.group(3) if m else None
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    if m and declared and _SINGLE_BYTE.match(declared) and utf8 and not raw.isascii():
        return raw[: m.start(3)] + b"UTF-8" + raw[m.end(3) :]
    if declared is None and _CHARSET.search(raw[:4096]):
        return raw  # HTML that names its charset in a <meta>: the HTML parser follows it
    if not utf8 and (
        declared is None or declared.lower().replace(b"-", b"") in (b"utf8", b"ascii", b"usascii")
    ):
        body = raw.decode("latin-1").translate(_CP1252).encode("utf-8")
        if m:
            return body[: m.start(3)] + b"UTF-8" + body[m.end(3) :]
        return body
    return raw


#: Latin-1 -> Windows-1252 for 0x80-0x9F (the five bytes Windows-1252 leaves undefined stay as they are)
_CP1252 = {
    b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


_BEFORE_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?[ \t\r\n]+(?=<\?xml[ \t\r\n])")


def _strip_before_declaration(raw: bytes) -> bytes:
    """``raw`` without the blank lines before its XML declaration, which XML forbids there: ALTO or
    PAGE served by a web script that prints a newline first, or cut from a program's string literal,
    is otherwise refused as malformed for its first byte."""
    m = _BEFORE_DECLARATION.match(raw[:4096])
    return raw[: m.end(1) if m.group(1) else 0] + raw[m.end() :] if m else raw


def parse_markup(raw: bytes) -> etree._Element:
    """The root element of an XML (or, for hOCR, HTML) document; BadResponse when unsafe or malformed."""
    checked = _text_for_checks(raw)
    if _ENTITY_DECL.search(checked):
        raise BadResponse(
            "the XML declares entities (an XML bomb or external-entity reference); refused, nothing was "
            "expanded or fetched"
        )
    raw = _fix_declared_encoding(_strip_before_declaration(raw))
    try:
        root = etree.fromstring(raw, _xml_parser())
    except etree.XMLSyntaxError as err:
        lenient, other = _past_bad_xml_ids(raw, err)
        if lenient is not None:
            return lenient
        if _HTML_HINT.search(checked):  # hOCR written as HTML rather than XHTML
            try:
                root = etree.fromstring(raw, _html_parser())
            except (etree.XMLSyntaxError, ValueError):
                root = None
            if root is not None:
                return root
        line = getattr(err, "lineno", None)
        msg = str(err.msg if getattr(err, "msg", None) else err).splitlines()[0]
        if other is not None:  # the fault behind a bad xml:id, which is the one to tell
            line, msg = other
        where = f" (line {line})" if line else ""
        if "XML_PARSE_HUGE" in msg:  # libxml2's safety limits, which stay on: its advice is not ours
            raise BadResponse(
                f"XML past the safe parser's limits, a text over 10 MB or nesting over 256 levels{where}; "
                "refused: give the result as the OCR engine wrote it"
            ) from err
        if _cut_off(raw, line, msg):
            raise BadResponse(
                f"the XML stops before its end{where}: {msg}; the file is cut off: give the whole file the "
                "OCR engine wrote"
            ) from err
        raise BadResponse(f"malformed XML{where}: {msg}") from err
    except ValueError as err:  # e.g. an encoding declaration lxml cannot use
        raise BadResponse(f"malformed XML: {err}") from err
    if root is None:
        raise BadResponse("malformed XML: no root element")
    return root


def _past_bad_xml_ids(
    raw: bytes, err: etree.XMLSyntaxError
) -> tuple[etree._Element | None, tuple[int, str] | None]:
    """The document, when its only faults are ``xml:id`` values that are no XML names (MiniOCR's
    ``<p xml:id="4">``, as solr-ocrhighlighting's tools write page numbers): libxml2 rejects those,
    though the file is well-formed. Else None, with the line and message of the first other fault
    when the first one was such an ``xml:id``."""
    if "xml:id" not in str(err):
        return None, None
    parser = _xml_parser(recover=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        root = None
    other = next((e for e in parser.error_log if e.type_name != "DTD_XMLID_VALUE"), None)
    if other is not None:
        return None, (other.line, other.message.strip().splitlines()[0] if other.message else "malformed")
    return root, None


_WHERE = re.compile(r"'[^']*'|\d+")


def _cut_off(raw: bytes, line: int | None, msg: str) -> bool:
    """True when libxml2's error is the file's end coming too soon (a download or copy cut short),
    not a mistake inside it: data ended in an open element, or the error is on the last line of a
    file that does not end with a tag's '>'."""
    if "Premature end of data" in msg or "EndTag: '</' not found" in msg:
        return True
    body = raw.rstrip(b" \t\r\n\x00")
    return bool(body) and not body.endswith(b">") and line is not None and line >= body.count(b"\n") + 1


def summarize(warnings: Sequence[str], keep: int = 3) -> tuple[str, ...]:
    """``warnings`` with each message that recurs for many elements (the same words once the element's
    place, numbers and quoted text are left out) cut to its first ``keep``, the rest counted in the
    last: a file that places no String says so in four lines, not in one per word."""
    groups: dict[str, list[int]] = {}
    for i, w in enumerate(warnings):
        groups.setdefault(_WHERE.sub("", w), []).append(i)
    out: list[str] = []
    for i, w in enumerate(warnings):
        same = groups[_WHERE.sub("", w)]
        if len(same) <= keep or i in same[: keep - 1]:
            out.append(w)
        elif i == same[keep - 1]:
            out.append(f"{w} (and {len(same) - keep} more like it)")
    return tuple(out)


def local(tag: object) -> str:
    """An element's tag without its namespace (``""`` for comments and the like)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(el: etree._Element) -> str:
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children named ``name`` (any namespace)."""
    for c in el:
        if local(c.tag) == name:
            yield c


def child(el: etree._Element, name: str) -> etree._Element | None:
    return next(children(el, name), None)


def number(value: str | None, what: str) -> float | None:
    """A finite float from an attribute, None if absent; BadResponse if not a number."""
    if value is None or not value.strip():
        return None
    try:
        v = float(value)
    except ValueError as err:
        raise BadResponse(f"{what} is not a number: {value[:40]!r}") from err
    if not math.isfinite(v):
        raise BadResponse(f"{what} is not finite: {value[:40]!r}")
    return v


def fmt_num(v: float) -> str:
    """A coordinate as short text: integers without a point, others to 2 decimals."""
    r = round(v, 2)
    if r == int(r):
        return str(int(r))
    return f"{r:.2f}".rstrip("0").rstrip(".")


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def union_box(polys: Iterable[Polygon]) -> Polygon | None:
    """The box around ``polys`` (None for none): an element's box when it states none of its own.
    Empty polygons (elements of text only) have no place and are passed over."""
    boxes = [polygon_bbox(p) for p in polys if p]
    if not boxes:
        return None
    return polygon_from_bbox(
        min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)
    )


def line_baseline(line: Line) -> list[tuple[float, float]] | None:
    """The line's ``extras["baseline"]`` points when they lie on the line's box.

    Extras are not moved when a document is placed, so a baseline from another frame (a rotated or
    scaled placement) is left out rather than written where it does not belong.
    """
    pts = line.extras.get("baseline") if line.extras else None
    if not isinstance(pts, Sequence) or len(pts) < 2 or not line.polygon:
        return None
    try:
        coords = [(float(p[0]), float(p[1])) for p in pts]
    except (TypeError, ValueError, IndexError):
        return None
    x0, y0, x1, y1 = polygon_bbox(line.polygon)
    m = max(2.0, 0.5 * (y1 - y0))
    if not all(math.isfinite(x) and math.isfinite(y) for x, y in coords):
        return None
    if not all(x0 - m <= x <= x1 + m and y0 - m <= y <= y1 + m for x, y in coords):
        return None
    return coords


def word_gaps(text: str, words: Sequence[str]) -> list[bool]:
    """Whether the line's text has a space before each of its words (ALTO's SP, hOCR's whitespace): a word set
    right after the one before ("page" ",") has none. Every gap is a space where the words cannot be
    found in the text in order."""
    at = 0
    out: list[bool] = []
    for i, w in enumerate(words):
        k = text.find(w, at) if w else -1
        if k < 0:
            return [True] * len(words)
        out.append(i == 0 or k > at)
        at = k + len(w)
    return out


#: scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, CJK punctuation, kana,
#: Han, full-width forms)
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)


def unspaced_pair(before: str, after: str) -> bool:
    """True where ``before`` ends and ``after`` starts in a script written without spaces between
    words: in a file that marks no spaces, two such words are set together, not spaced."""
    return bool(before and after and _UNSPACED.match(before[-1]) and _UNSPACED.match(after[0]))


def xml_safe(doc: Document) -> Document:
    """``doc`` with every text and language cleaned of what XML cannot hold (NUL, controls, lone
    surrogates): a response may carry them, and the writers (XML, and a PDF's text layer) would fail on them."""

    def t(value: str | None) -> str | None:
        return None if value is None else xml_text(value)

    texts = [x for ln in doc.lines() for x in (ln.text, ln.language, *(w.text for w in ln.words))]
    texts += [c.text for p in doc.pages for tb in p.tables for c in tb.cells]
    if all(x is None or xml_text(x) is x for x in texts) and all(b.language is None for b in doc.blocks()):
        return doc  # the usual case: nothing to clean

    def block(b: Block) -> Block:
        lines = []
        for ln in b.lines:
            words = tuple(replace(w, text=xml_text(w.text), language=t(w.language)) for w in ln.words)
            lines.append(replace(ln, text=xml_text(ln.text), language=t(ln.language), words=words))
        return replace(b, lines=tuple(lines), language=t(b.language))

    def table(tb: Table) -> Table:
        return replace(tb, cells=tuple(replace(c, text=xml_text(c.text)) for c in tb.cells))

    pages = [
        replace(p, blocks=tuple(map(block, p.blocks)), tables=tuple(map(table, p.tables))) for p in doc.pages
    ]
    return doc.with_pages(pages)
