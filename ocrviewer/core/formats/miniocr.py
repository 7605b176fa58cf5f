"""MiniOCR (https://dbmdz.github.io/solr-ocrhighlighting/latest/formats/#miniocr): read.

The compact format of solr-ocrhighlighting, the search stack's fourth format beside hOCR, ALTO and
PAGE: ``<ocr>`` holds pages ``<p>`` (``xml:id``, optional ``wh="W H"``), blocks ``<b>``, lines ``<l>``
and words ``<w x="X Y W H">``; a file may also be a single ``<p>`` or leave out pages and blocks.

- ``x`` is the word's box as left, top, width, height: in pixels, or relative to the page (floats
  0..1, often without the leading ``0``: ``.0476``). A page whose every value is within 0..1 is
  relative: on a page with ``wh`` it is scaled to those pixels, without one the page is
  ``unit="normalized"`` (1 x 1), placed by the image's size as Textract's answers are.
- A word's text is what comes before its first ``⇿`` (U+21FF); the rest are alternative readings,
  kept in ``extras["alternatives"]``. ``c`` is its confidence (0..1).
- A line's text is all of its text, so the punctuation and spaces the format keeps between words
  (``<w>Magdeburg</w>, ``) are in it. A word ending in a soft hyphen (U+00AD) is hyphenated at the
  line's end: it reads with a ``-``, as ALTO's ``HYP``.
- Lines and blocks state no box: theirs is the box around their words. Blocks may nest (the
  converter writes ALTO's PrintSpace, ComposedBlock and TextBlock as ``<b>``): a line belongs to its
  innermost block.
- The converter's relative coordinates come unquoted (``x=.5590 .3280 .1112 .0670``): they are
  quoted before the file is parsed.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ocrviewer.core.formats._xml import local, namespace, summarize, union_box
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox

MINIOCR = "miniocr"
FORMATS = {MINIOCR: 'MiniOCR XML (solr-ocrhighlighting: ocr/p/b/l/w, x="x y w h", pixels or relative)'}

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
ALTERNATIVE = "\u21ff"
SOFT_HYPHEN = "\u00ad"
_SPACE = re.compile(r"\s+")
_CONTAINERS = frozenset({"ocr", "p", "b", "l"})


#: a word's ``x`` without quotes: solr-ocrhighlighting's converter (``util/miniocr.py``) writes relative
#: coordinates so (``<w x=.5590 .3280 .1112 .0670>``), which no XML parser reads
_UNQUOTED_X = re.compile(rb"(<w\s+x=)((?:[-+]?[0-9.]+[ \t]+){3}[-+]?[0-9.]+)(?=\s*/?>)")
_HEAD = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?<(?:ocr|p)[\s>]")


def quote_coordinates(raw: bytes) -> bytes:
    """``raw`` with unquoted word coordinates quoted, in a file that starts as MiniOCR does; else as it is."""
    if not _HEAD.match(raw[:512]) or not _UNQUOTED_X.search(raw):
        return raw
    return _UNQUOTED_X.sub(rb'\1"\2"', raw)


def is_miniocr(root: etree._Element) -> bool:
    """True for an ``<ocr>`` root (no namespace), or a lone ``<p>`` page holding ``<w x=...>`` words."""
    if namespace(root):
        return False
    tag = local(root.tag)
    if tag == "ocr":
        return all(local(el.tag) in _CONTAINERS | {"w"} for el in root.iter() if isinstance(el.tag, str))
    if tag == "p":
        first = next(root.iter("w"), None)
        return first is not None and first.get("x") is not None and root.get("class") is None
    return False


def _numbers(value: str | None) -> list[float] | None:
    if value is None:
        return None
    try:
        nums = [float(v) for v in value.split()]
    except ValueError:
        return None
    if any(n != n or n in (float("inf"), float("-inf")) for n in nums):
        return None
    return nums


def _word_text(el: etree._Element) -> tuple[str, list[str]]:
    """The word's text (before its first ``⇿``) and its alternatives."""
    raw = "".join(el.itertext())
    first, *alternatives = raw.split(ALTERNATIVE)
    return _SPACE.sub(" ", first).strip(), [a.strip() for a in alternatives if a.strip()]


class _Reader:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def word(self, el: etree._Element, what: str, scale: tuple[float, float]) -> Word | None:
        text, alternatives = _word_text(el)
        if text.endswith(SOFT_HYPHEN):
            text = text.rstrip(SOFT_HYPHEN) + "-"
        nums = _numbers(el.get("x"))
        if nums is None or len(nums) != 4 or nums[2] < 0 or nums[3] < 0:
            if text:
                self.warnings.append(
                    f"{what} {text[:30]!r}: x {str(el.get('x'))[:40]!r} is not 'x y width height'; "
                    "its text stays in the line"
                )
            return None
        sx, sy = scale
        x, y, w, h = nums
        conf: float | None = None
        c = el.get("c")
        if c is not None:
            value = _numbers(c)
            if value and len(value) == 1 and 0.0 <= value[0] <= 1.0:
                conf = value[0]
            else:
                self.warnings.append(f"{what}: c {c[:20]!r} is not 0..1; kept without confidence")
        extras: dict[str, Any] = {"alternatives": alternatives} if alternatives else {}
        return Word(
            text=text,
            polygon=polygon_from_bbox(x * sx, y * sy, (x + w) * sx, (y + h) * sy),
            confidence=conf,
            extras=extras,
        )

    def line(
        self, word_els: list[etree._Element], head: str, what: str, scale: tuple[float, float]
    ) -> Line | None:
        """The line of ``word_els``: its text is ``head`` (the text before the first word), each
        word's and the text after it (punctuation, spaces)."""
        words: list[Word] = []
        pieces: list[str] = [head]
        for i, w_el in enumerate(word_els):
            word = self.word(w_el, f"{what} w {i + 1}", scale)
            if word is not None:
                words.append(word)
                pieces.append(word.text)
            else:
                pieces.append(_word_text(w_el)[0])
            pieces.append(w_el.tail or "")
        text = _SPACE.sub(" ", "".join(pieces).replace(SOFT_HYPHEN, "")).strip()
        poly = union_box(w.polygon for w in words)
        if poly is None:
            if text:
                self.warnings.append(f"{what} {text[:30]!r} has no placed word; skipped")
            return None
        return Line(text=text, polygon=poly, words=tuple(words))

    def page(self, el: etree._Element, index: int) -> Page:
        page_id = el.get(XML_ID) or el.get("pid") or el.get("id")
        what = f"page {page_id or index + 1}"
        size = _numbers(el.get("wh"))
        if el.get("wh") is not None and not (size and len(size) == 2 and size[0] > 0 and size[1] > 0):
            self.warnings.append(f"{what}: wh {str(el.get('wh'))[:30]!r} is not 'width height'; ignored")
            size = None
        values = [n for w in el.iter("w") for n in (_numbers(w.get("x")) or ())]
        relative = bool(values) and all(0.0 <= n <= 1.0 for n in values)
        width: float | None = size[0] if size else None
        height: float | None = size[1] if size else None
        unit = "pixel"
        scale = (1.0, 1.0)
        if relative and width and height:
            scale = (width, height)
        elif relative:
            width = height = 1.0
            unit = "normalized"
        # each line goes to its innermost block (the converter nests <b> as ALTO nests its blocks);
        # the words outside any <l> are a line of their own per parent element, in their place
        groups: dict[etree._Element, list[etree._Element]] = {}  # block -> its <l>s and loose parents
        loose: dict[etree._Element, list[etree._Element]] = {}  # parent -> its words outside lines
        for node in el.iter("l", "w"):
            if _nearest(node, "l", el) is not el:
                continue  # inside a line: read with it
            members = groups.setdefault(_nearest(node, "b", el), [])
            if node.tag == "l":
                members.append(node)
            else:
                parent = node.getparent()
                if parent not in loose:
                    loose[parent] = []
                    members.append(parent)
                loose[parent].append(node)
        blocks: list[Block] = []
        n_lines = 0
        for members in groups.values():
            lines: list[Line] = []
            for m in members:
                n_lines += 1
                if m.tag == "l" and m not in loose:
                    ln = self.line(list(m.iter("w")), m.text or "", f"{what} l {n_lines}", scale)
                else:
                    ln = self.line(loose[m], "", f"{what} l {n_lines}", scale)
                if ln is not None:
                    lines.append(ln)
            poly = union_box(x.polygon for x in lines)
            if poly is not None:
                blocks.append(Block(polygon=poly, lines=tuple(lines)))
        extras: dict[str, Any] = {"id": page_id} if page_id else {}
        return Page(width, height, tuple(blocks), unit=unit, index=index, extras=extras)


def _nearest(el: etree._Element, tag: str, stop: etree._Element) -> etree._Element:
    """``el``'s nearest ancestor named ``tag`` below ``stop``, else ``stop``."""
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            return parent
        parent = parent.getparent()
    return stop


def read(root: etree._Element) -> Document:
    """A MiniOCR document as a Document: pixels, or normalized pages where the file is relative and
    states no page size."""
    reader = _Reader()
    if local(root.tag) == "p":
        page_els = [root]
    else:
        page_els = [c for c in root if isinstance(c.tag, str) and c.tag == "p"]
        if not page_els:  # a single page's blocks straight under <ocr>
            page_els = [root]
    pages = [reader.page(el, i) for i, el in enumerate(page_els)]
    return Document(pages=tuple(pages), source_format=MINIOCR, warnings=summarize(reader.warnings))
