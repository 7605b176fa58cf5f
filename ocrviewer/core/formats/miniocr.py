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
- Lines and blocks state no box: theirs is the box around their words.
"""

from __future__ import annotations

import re
from copy import deepcopy
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

    def line(self, el: etree._Element, what: str, scale: tuple[float, float]) -> Line | None:
        words: list[Word] = []
        pieces: list[str] = [el.text or ""]
        for i, w_el in enumerate(el.iter("w")):
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

    def block(self, el: etree._Element, what: str, scale: tuple[float, float]) -> Block | None:
        lines: list[Line] = []
        for i, part in enumerate(_runs(el, "l")):
            ln = self.line(part, f"{what} l {i + 1}", scale)
            if ln is not None:
                lines.append(ln)
        poly = union_box(x.polygon for x in lines)
        return None if poly is None else Block(polygon=poly, lines=tuple(lines))

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
        blocks: list[Block] = []
        for i, part in enumerate(_runs(el, "b")):
            b = self.block(part, f"{what} b {i + 1}", scale)
            if b is not None:
                blocks.append(b)
        extras: dict[str, Any] = {"id": page_id} if page_id else {}
        return Page(width, height, tuple(blocks), unit=unit, index=index, extras=extras)


def _runs(el: etree._Element, tag: str) -> list[etree._Element]:
    """The ``tag`` children of ``el``; a run of other children (``<l>`` or ``<w>`` where a ``<b>``
    was expected, as files that leave blocks or lines out write them) is wrapped in a ``tag`` of its
    own, so no word is lost for a level the file does not use."""
    out: list[etree._Element] = []
    loose: etree._Element | None = None
    for c in el:
        if not isinstance(c.tag, str):
            continue
        if c.tag == tag:
            out.append(c)
            loose = None
            continue
        if loose is None:
            loose = etree.Element(tag)
            out.append(loose)
        loose.append(_copy(c))
    return out


def _copy(el: etree._Element) -> etree._Element:
    """``el`` copied, tail included (the text after a word), so the file's tree is left as it is."""
    return deepcopy(el)


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
