"""ALTO (https://www.loc.gov/standards/alto/) v1 to v4: read; v4 (4.4 schema): write.

Namespaces: the LoC's (also written with https, without the closing ``#``, or as a schema file's
address), CCS's ALTO 1, none, and the BnF's ``alto_prod`` (Gallica's ALTO).

Read: every ``TextBlock`` under ``Layout/Page`` (inside ``PrintSpace``, the margins or
``ComposedBlock``), in the order 4.2's ``ReadingOrder`` names them (else document order), as blocks;
``TextLine`` as lines (a block's ``TAGREFS`` to a Tags LABEL -> its layout type, as eScriptorium
writes them); ``String`` as words (``CONTENT`` or its Glyphs', ``WC`` 0..1 or a file's 0-100,
``Shape/Polygon``, ``HPOS/VPOS/WIDTH/HEIGHT``, ``Shape/Ellipse|Circle`` or its Glyphs). A line-end ``HYP`` is
appended to the line's last word, whose ``SUBS_TYPE``/``SUBS_CONTENT`` (the whole hyphenated word) are
kept in ``extras``. ``BASELINE`` (a y value, or points from 4.2 on) -> ``extras["baseline"]``. A line's
text is its Strings' spaced by its ``SP``s (in a file with no SP at all, spaced throughout).

Units (``Description/MeasurementUnit``): ``pixel`` stays; ``mm10`` (1/10 mm) and ``inch1200``
(1/1200 inch) are converted to inches and the page marked ``unit="inch"``, so placing it on the
image scales by the page size (``Page WIDTH/HEIGHT``) against the image size, as for any response in
inches; a page in those units without a size is read at 300 dpi (assumed, with a warning). No
MeasurementUnit: taken as pixels (what files that omit it use in practice; the frame detection still
scales a page whose stated size differs from the image).

Write: ALTO 4.4 in pixels; every element's box, and a ``Shape/Polygon`` where its polygon is no box;
an ``SP`` between two words only where the line's text has a space between them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from lxml import etree

from ocrviewer.core.formats._xml import (
    child,
    children,
    fmt_num,
    line_baseline,
    local,
    namespace,
    number,
    summarize,
    union_box,
    unspaced_pair,
    word_gaps,
)
from ocrviewer.core.model import (
    UNPLACED_WORDS,
    Block,
    Document,
    Line,
    Page,
    Polygon,
    Word,
    make_polygon,
    polygon_bbox,
    polygon_from_bbox,
)
from ocrviewer.errors import BadResponse

NAMESPACES = {
    "http://www.loc.gov/standards/alto/ns-v2#": "alto-v2",
    "http://www.loc.gov/standards/alto/ns-v3#": "alto-v3",
    "http://www.loc.gov/standards/alto/ns-v4#": "alto-v4",
    "http://schema.ccs-gmbh.com/ALTO": "alto-v1",
    "http://www.loc.gov/standards/alto/ns-v1#": "alto-v1",
    # the BnF's production ALTO (Gallica serves every page's OCR so): ALTO v2 with the BnF's additions
    "http://bibnum.bnf.fr/ns/alto_prod": "alto-bnf",
    "": "alto",
}
FORMATS = {
    "alto-v2": "ALTO v2 XML (Layout/Page/TextBlock/TextLine/String)",
    "alto-v3": "ALTO v3 XML (Tesseract's ALTO output)",
    "alto-v4": "ALTO v4 XML",
    "alto-v1": "ALTO v1 XML (CCS namespace)",
    "alto-bnf": "ALTO of the BnF (alto_prod namespace, as Gallica serves it)",
    "alto": "ALTO XML without a namespace",
}
V4 = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: pixels per inch assumed for mm10/inch1200 coordinates on a page of no stated size
ASSUMED_DPI = 300.0
#: units per inch
_UNITS = {"pixel": None, "mm10": 254.0, "inch1200": 1200.0}
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LANG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def is_alto(root: etree._Element) -> bool:
    return local(root.tag) == "alto"


#: the Library of Congress's ALTO address, which writers have also put the schema's file name in as
#: the namespace (``http://www.loc.gov/standards/alto/alto-v2.0.xsd``, ``.../alto/v4/alto.xsd``)
_LOC = re.compile(r"^https?://www\.loc\.gov/standards/alto(?:/(.*))?$")


def version_of(root: etree._Element) -> str:
    ns = namespace(root)
    if ns not in NAMESPACES:  # written loosely: https, or without the closing "#"
        loose = ns.replace("https://", "http://", 1).rstrip("/#") + "#"
        ns = loose if loose in NAMESPACES else ns
    if ns not in NAMESPACES and (m := _LOC.match(ns)):
        v = re.search(r"v(\d+)", m.group(1) or "")
        if v is None:
            return "alto"
        if v.group(1) in ("1", "2", "3", "4"):
            return f"alto-v{v.group(1)}"
    if ns not in NAMESPACES:
        raise BadResponse(
            f"unknown ALTO namespace {ns[:80]!r}; this version reads ALTO v1 to v4 and the BnF's alto_prod "
            "(http://www.loc.gov/standards/alto/ns-v2#, -v3#, -v4#, http://bibnum.bnf.fr/ns/alto_prod)"
        )
    return NAMESPACES[ns]


#: Tags whose LABEL is no block type (eScriptorium: languages, training splits; reading orders)
_NOT_TYPES = frozenset({"language", "split", "ro"})


def block_type_labels(root: etree._Element) -> dict[str, str]:
    """Tag ID -> LABEL of ``Tags`` that name a kind of block (eScriptorium's "Main", "Margin", LoC's
    StructureTags), for TextBlocks' ``TAGREFS``."""
    tags = child(root, "Tags")
    out: dict[str, str] = {}
    for tag in tags if tags is not None else ():
        if local(tag.tag) not in ("OtherTag", "StructureTag", "LayoutTag") or not tag.get("LABEL"):
            continue
        if (tag.get("TYPE") or "").strip().lower() in _NOT_TYPES or not tag.get("ID"):
            continue
        out[tag.get("ID", "")] = tag.get("LABEL", "")
    return out


def wc_scale(root: etree._Element) -> float:
    """What a ``WC`` is multiplied by to be 0..1: 1, or 1/100 for files that write percentages.

    ALTO's WC is 0..1, but some producers write 0-100 (eMOP's Tesseract + PageCorrector: ``WC="79"``).
    A file is read as percentages when all its WCs are numbers within 0-100 and most are over 1 (a
    single stray value past 1 in a 0..1 file stays a warning for that word)."""
    values: list[float] = []
    for wc in root.xpath("//@WC"):
        try:
            v = float(wc)
        except ValueError:
            return 1.0
        if not 0.0 <= v <= 100.0:
            return 1.0
        values.append(v)
    over = sum(v > 1.0 for v in values)
    return 0.01 if values and over * 2 > len(values) else 1.0


_TESSERACT = re.compile(r"\s*tesseract\s+v?(\d+)\.(\d+)(?:\.(\d+))?", re.IGNORECASE)
#: Tesseract's ALTO up to 5.5.2 writes WC as "0." and the integer percentage (tesseract#4615, fixed
#: by #4616): "0.9" is 9 %, "0.100" is 100 %
_TESSERACT_WC = re.compile(r"\s*0\.(\d{1,3})\s*")


def tesseract_percent_wc(root: etree._Element) -> bool:
    """True for ALTO written by a Tesseract whose WC is "0." + the percentage (4.1 to 5.5.2)."""
    for el in root.iter("{*}softwareName"):
        m = _TESSERACT.match(el.text or "")
        if m:
            return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) <= (5, 5, 2)
    return False


class _Reader:
    def __init__(
        self, per_inch: float | None, labels: dict[str, str] | None = None, wc_scale: float = 1.0
    ) -> None:
        self.scale = 1.0 if per_inch is None else 1.0 / per_inch
        self.warnings: list[str] = []
        self.labels = labels or {}
        self.wc_scale = wc_scale
        #: WC written as "0." + an integer percentage (older Tesseract): read as that percentage
        self.percent_digits = False
        #: the file writes SP between its words: Strings with none between them are one run of text
        #: ("page" "," is "page,"), as its producer wrote them; a file without SP is spaced throughout
        self.spaced_by_sp = False
        #: a String's text was found as its element content (said once)
        self.content_as_text = False

    def box(self, el: etree._Element, what: str) -> Polygon | None:
        """The element's ``Shape/Polygon``, else its HPOS/VPOS/WIDTH/HEIGHT, else the box of its
        ``Shape/Ellipse`` or ``Shape/Circle`` (centre and radii, as the ALTO samples write them)."""
        shape = child(el, "Shape")
        if shape is not None:
            poly_el = child(shape, "Polygon")
            if poly_el is not None and poly_el.get("POINTS"):
                try:
                    return self.points(poly_el.get("POINTS", ""), what)
                except BadResponse as err:
                    self.warnings.append(f"{what}: {err}; its box is used")
        try:
            vals = [number(el.get(k), f"{what} {k}") for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT")]
        except BadResponse as err:
            self.warnings.append(f"{what}: {err}")
            return None
        if any(v is None for v in vals):
            return self.round_shape(shape, what) if shape is not None else None
        x, y, w, h = (float(v) * self.scale for v in vals)  # type: ignore[arg-type]
        if w < 0 or h < 0:
            self.warnings.append(f"{what}: negative WIDTH/HEIGHT")
            return None
        return polygon_from_bbox(x, y, x + w, y + h)

    def round_shape(self, shape: etree._Element, what: str) -> Polygon | None:
        for name, keys in (("Ellipse", ("HLENGTH", "VLENGTH")), ("Circle", ("RADIUS", "RADIUS"))):
            el = child(shape, name)
            if el is None:
                continue
            try:
                vals = [number(el.get(k), f"{what} {name} {k}") for k in ("HPOS", "VPOS", *keys)]
            except BadResponse as err:
                self.warnings.append(f"{what}: {err}")
                return None
            if any(v is None for v in vals) or float(vals[2]) < 0 or float(vals[3]) < 0:  # type: ignore[arg-type]
                return None
            cx, cy, rx, ry = (float(v) * self.scale for v in vals)  # type: ignore[arg-type]
            return polygon_from_bbox(cx - rx, cy - ry, cx + rx, cy + ry)
        return None

    def points(self, text: str, what: str) -> Polygon:
        nums = [float(v) * self.scale for v in _NUM.findall(text)]
        return make_polygon(nums, what=f"{what} POINTS")

    def word(self, el: etree._Element, what: str) -> Word | None:
        glyphs = list(children(el, "Glyph"))
        text = el.get("CONTENT")
        if text is None and glyphs:  # glyph-level OCR: the word is its glyphs
            text = "".join(g.get("CONTENT", "") for g in glyphs)
        elif text is None:
            # the text as the element's content (<String>AA BB</String>), as ALTO "cleaners" write it:
            # no valid ALTO, but the text is there
            text = "".join(el.itertext()).strip()
            if text.strip() and not self.content_as_text:
                self.content_as_text = True
                self.warnings.append(
                    f"{what} holds its text as element content, not in CONTENT (not valid ALTO); read from there"
                )
        if text.strip():  # a word's spaces belong between words (SP), as in hOCR and PAGE
            text = text.strip()
        poly = self.box(el, what)
        if poly is None and glyphs:
            poly = union_box(p for i, g in enumerate(glyphs) if (p := self.box(g, f"{what} Glyph {i + 1}")))
        if poly is None and not text:  # kraken writes <String CONTENT=""/> in a line it recognized nothing in
            return None
        conf: float | None = None
        wc = el.get("WC")
        digits = _TESSERACT_WC.fullmatch(wc) if wc is not None and self.percent_digits else None
        if digits is not None:
            conf = int(digits.group(1)) / 100.0  # "0.9" from Tesseract is 9 %, not 90 %
        elif wc is not None:
            try:
                conf = number(wc, f"{what} WC")
                conf = None if conf is None else conf * self.wc_scale
            except BadResponse as err:
                self.warnings.append(f"{what}: {err}; kept without confidence")
            if conf is not None and not 0.0 <= conf <= 1.0:
                self.warnings.append(f"{what}: WC {wc[:20]!r} is not 0..1; kept without confidence")
                conf = None
        extras: dict[str, Any] = {}
        for key in ("SUBS_TYPE", "SUBS_CONTENT"):
            if el.get(key):
                extras[key.lower()] = el.get(key)
        return Word(
            text=text,
            polygon=poly or (),  # no position: text only, as a plain text's words (the line decides)
            confidence=conf,
            language=el.get("LANG") or el.get("language"),
            extras=extras,
        )

    def line(self, el: etree._Element, what: str) -> Line | None:
        words: list[Word] = []
        texts: list[str] = []  # every String's, placed or not: the line keeps the text of all
        spaced: list[bool] = []  # whether a space goes before each text
        labels: list[str] = []  # each word's name in warnings
        last_placed = False
        gap = False
        i = 0
        for s in el:
            tag = local(s.tag)
            if tag == "SP":
                gap = True
            if tag != "String":
                continue
            i += 1
            w = self.word(s, f"{what} String {i}")
            last_placed = w is not None
            if w is not None:
                words.append(w)
                labels.append(f"{what} String {i}")
                texts.append(w.text)
            else:
                texts.append(
                    s.get("CONTENT")
                    or "".join(g.get("CONTENT", "") for g in children(s, "Glyph"))
                    or "".join(s.itertext())
                )
            spaced.append(gap or not self.spaced_by_sp)
            gap = False
        hyp = child(el, "HYP")
        if hyp is not None and last_placed and hyp.get("CONTENT"):
            last = words[-1]
            words[-1] = Word(
                last.text + hyp.get("CONTENT", ""),
                last.polygon,
                last.confidence,
                None,
                last.language,
                last.extras,
            )
        if hyp is not None and texts and hyp.get("CONTENT"):
            texts[-1] += hyp.get("CONTENT", "")
        text = ""
        for t, space in zip(texts, spaced, strict=True):
            if t:
                # a file without SP spaces every word, but for two of a script set without spaces
                unspaced = not self.spaced_by_sp and unspaced_pair(text, t)
                text += (" " if text and space and not unspaced else "") + t
        poly = self.box(el, what) or union_box(w.polygon for w in words if w.polygon)
        if poly is not None and not all(w.polygon for w in words):
            # a String without a position in a placed line: the word is left out, its text stays in the line's
            for w, label in zip(words, labels, strict=True):
                if not w.polygon:
                    self.warnings.append(
                        f"{label} {w.text[:30]!r} has no position; its text stays in the line"
                    )
            unplaced = len(words) - sum(1 for w in words if w.polygon)
            words = [w for w in words if w.polygon]
        else:
            unplaced = 0
        if poly is None:
            if not text.strip():
                self.warnings.append(f"{what} has no position and no text; skipped")
                return None
            # no position anywhere in it: a text-only line, as a plain text's (nothing drawn, text compared)
            self.warnings.append(f"{what} has no position; its text is kept as text only (nothing drawn)")
            return Line(
                text=text, polygon=(), words=tuple(words), language=el.get("LANG") or el.get("language")
            )
        extras: dict[str, Any] = {UNPLACED_WORDS: unplaced} if unplaced and words else {}
        bl = el.get("BASELINE")
        if bl:
            nums = [float(v) * self.scale for v in _NUM.findall(bl)]
            x0, _, x1, _ = polygon_bbox(poly)
            if len(nums) == 1:
                extras["baseline"] = [[x0, nums[0]], [x1, nums[0]]]
            elif len(nums) >= 4 and len(nums) % 2 == 0:
                extras["baseline"] = [[nums[i], nums[i + 1]] for i in range(0, len(nums), 2)]
        return Line(
            text=text,
            polygon=poly,
            words=tuple(words),
            language=el.get("LANG") or el.get("language"),
            extras=extras,
        )

    def block(self, el: etree._Element, what: str) -> Block | None:
        lines: list[Line] = []
        for i, tl in enumerate(children(el, "TextLine")):
            ln = self.line(tl, f"{what} TextLine {i + 1}")
            if ln is not None:
                lines.append(ln)
        poly = self.box(el, what) or union_box(x.polygon for x in lines if x.polygon)
        if poly is None and not lines:
            return None
        extras: dict[str, Any] = {}
        rot = el.get("ROTATION")
        if rot:
            try:
                extras["rotation"] = number(rot, f"{what} ROTATION")
            except BadResponse as err:
                self.warnings.append(str(err))
        kind = next((self.labels[t] for t in (el.get("TAGREFS") or "").split() if t in self.labels), None)
        return Block(
            polygon=poly or (),  # lines of text only: a block of text only
            lines=tuple(lines),
            language=el.get("LANG") or el.get("language"),
            layout_type=kind,
            extras=extras,
        )


def reading_order_refs(root: etree._Element) -> list[str]:
    """The ``REF``s of ALTO 4.2's ``ReadingOrder`` (groups nested in groups flattened), in order."""
    ro = child(root, "ReadingOrder")
    return [e.get("REF", "") for e in ro.iter() if local(e.tag) == "ElementRef"] if ro is not None else []


def in_reading_order(text_blocks: list[etree._Element], refs: list[str]) -> list[etree._Element]:
    """``text_blocks`` in the order the ReadingOrder first names each (itself, or a line or string in
    it, as kraken and eScriptorium refer to lines); blocks it does not name follow in document order."""
    if not refs:
        return text_blocks
    owner: dict[str, int] = {}
    for i, tb in enumerate(text_blocks):
        for e in tb.iter():
            ident = e.get("ID") if isinstance(e.tag, str) else None
            if ident and ident not in owner:
                owner[ident] = i
    first: list[int] = []
    for ref in refs:
        at = owner.get(ref)
        if at is not None and at not in first:
            first.append(at)
    first += [i for i in range(len(text_blocks)) if i not in first]
    return [text_blocks[i] for i in first]


def read(root: etree._Element) -> Document:
    """An ALTO document as a Document (pixels, or inches for mm10/inch1200)."""
    fmt = version_of(root)
    desc = child(root, "Description")
    unit_el = child(desc, "MeasurementUnit") if desc is not None else None
    unit = (unit_el.text or "").strip().lower() if unit_el is not None else "pixel"
    if unit not in _UNITS:
        raise BadResponse(f"unknown ALTO MeasurementUnit {unit[:20]!r}; expected pixel, mm10 or inch1200")
    per_inch = _UNITS[unit]
    reader = _Reader(per_inch, block_type_labels(root), wc_scale(root))
    reader.spaced_by_sp = next(root.iter("{*}SP"), None) is not None
    reader.percent_digits = tesseract_percent_wc(root)
    order = reading_order_refs(root)
    layout = child(root, "Layout")
    if layout is None:
        raise BadResponse("ALTO without a Layout element")
    pages: list[Page] = []
    for pi, page_el in enumerate(children(layout, "Page")):
        what = f"Page {pi + 1}"
        w = number(page_el.get("WIDTH"), f"{what} WIDTH")
        h = number(page_el.get("HEIGHT"), f"{what} HEIGHT")
        if not (w and h and w > 0 and h > 0):  # 0 x 0: written by tools that did not know the size
            w = h = None
        page_unit = "inch" if per_inch else "pixel"
        reader.scale = 1.0 if per_inch is None else 1.0 / per_inch
        if per_inch is not None and (w is None or h is None):
            # valid ALTO, but nothing says how large the page is: pixels at the usual scan resolution
            reader.scale, page_unit = ASSUMED_DPI / per_inch, "pixel"
            reader.warnings.append(
                f"{what} is in {unit} without WIDTH/HEIGHT; converted to pixels at {ASSUMED_DPI:g} dpi "
                "(assumed), so the overlay is off if the scan has another resolution"
            )
        elif per_inch is not None:
            w, h = w / per_inch, h / per_inch  # type: ignore[operator]
        blocks: list[Block] = []
        text_blocks = [e for e in page_el.iter() if local(e.tag) == "TextBlock"]
        for bi, tb in enumerate(in_reading_order(text_blocks, order)):
            b = reader.block(tb, f"{what} TextBlock {tb.get('ID') or bi + 1}")
            if b is not None:
                blocks.append(b)
        page_extras: dict[str, Any] = {"measurement_unit": unit} if unit != "pixel" else {}
        # ALTO 4's Page ROTATION: the text's counter-clockwise turn; the page's angle is clockwise
        try:
            rotation = number(page_el.get("ROTATION"), f"{what} ROTATION")
        except BadResponse as err:
            reader.warnings.append(f"{err}; the page's angle is not known")
            rotation = None
        pages.append(
            Page(
                width=w,
                height=h,
                blocks=tuple(blocks),
                unit=page_unit,
                angle=None if rotation is None else (-rotation or 0.0),
                index=pi,
                extras=page_extras,
            )
        )
    extras: dict[str, Any] = {}
    if desc is not None:
        src = child(desc, "sourceImageInformation")
        name = child(src, "fileName") if src is not None else None
        if name is not None and (name.text or "").strip():
            extras["image"] = name.text.strip()  # type: ignore[union-attr]
    return Document(pages=tuple(pages), source_format=fmt, extras=extras, warnings=summarize(reader.warnings))


# -- writing -------------------------------------------------------------------------------------------
def _box_attrs(el: etree._Element, poly: Polygon) -> None:
    """HPOS/VPOS/WIDTH/HEIGHT, and a ``Shape/Polygon`` (its first child) when ``poly`` is no box;
    none for an element of text only (no polygon), which is read back so."""
    if not poly:
        return
    x0, y0, x1, y1 = polygon_bbox(poly)
    el.set("HPOS", fmt_num(x0))
    el.set("VPOS", fmt_num(y0))
    el.set("WIDTH", fmt_num(x1 - x0))
    el.set("HEIGHT", fmt_num(y1 - y0))
    corners = {(x0, y0), (x1, y0), (x1, y1), (x0, y1)}
    if not (len(poly) == 4 and set(poly) == corners):
        shape = etree.SubElement(el, f"{{{namespace(el)}}}Shape")
        points = " ".join(f"{fmt_num(x)},{fmt_num(y)}" for x, y in poly)
        etree.SubElement(shape, f"{{{namespace(el)}}}Polygon", POINTS=points)


def _set_lang(el: etree._Element, lang: str | None) -> None:
    if lang and _LANG.match(lang):
        el.set("LANG", lang)


def write(doc: Document, *, image_names: Sequence[str | None] = (), system: str = "ocrviewer") -> bytes:
    """The document as ALTO 4.4 XML in pixels (valid against alto-4-4.xsd)."""

    def E(tag: str, parent: etree._Element, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{V4}}}{tag}", attrs)

    root = etree.Element(f"{{{V4}}}alto", nsmap={None: V4, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{V4} http://www.loc.gov/alto/v4/alto-4-4.xsd")
    desc = E("Description", root)
    E("MeasurementUnit", desc).text = "pixel"
    name = next((n for n in image_names if n), None)
    if name:
        E("fileName", E("sourceImageInformation", desc)).text = name
    proc = E("Processing", desc, ID="processing_1")
    E("softwareName", E("processingSoftware", proc)).text = system
    layout = E("Layout", root)
    nb = nl = nw = 0
    for pi, page in enumerate(doc.pages):
        page_el = E("Page", layout, ID=f"page_{pi + 1}", PHYSICAL_IMG_NR=str(pi + 1))
        if page.width is not None and page.height is not None:
            page_el.set("WIDTH", fmt_num(page.width))
            page_el.set("HEIGHT", fmt_num(page.height))
        if page.angle is not None and math.isfinite(page.angle) and page.angle:
            page_el.set("ROTATION", fmt_num(-page.angle))  # counter-clockwise, as ALTO states it
        space = E("PrintSpace", page_el)
        if page.width is not None and page.height is not None:
            _box_attrs(space, polygon_from_bbox(0, 0, page.width, page.height))
        for block in page.blocks:
            nb += 1
            tb = E("TextBlock", space, ID=f"block_{nb}")
            _box_attrs(tb, block.polygon)
            _set_lang(tb, block.language)
            for line in block.lines:
                nl += 1
                tl = E("TextLine", tb, ID=f"line_{nl}")
                _box_attrs(tl, line.polygon)
                bl = line_baseline(line)
                if bl:
                    tl.set("BASELINE", " ".join(f"{fmt_num(x)},{fmt_num(y)}" for x, y in bl))
                if line.language != block.language:
                    _set_lang(tl, line.language)
                words = line.words or (Word(line.text, line.polygon, line.confidence),)
                gaps = word_gaps(line.text, [w.text for w in words])
                hyp: str | None = None
                for i, word in enumerate(words):
                    if i and gaps[i]:
                        E("SP", tl)
                    nw += 1
                    text = word.text
                    subs_type = word.extras.get("subs_type") if word.extras else None
                    last = i == len(words) - 1
                    if (
                        last
                        and subs_type == "HypPart1"
                        and len(text) > 1
                        and text[-1] in "-\u00ad\u2010\u00ac=\u2e17"
                    ):
                        text, hyp = text[:-1], text[-1]
                    s = E("String", tl, ID=f"string_{nw}")
                    _box_attrs(s, word.polygon)
                    s.set("CONTENT", text)
                    if word.confidence is not None:
                        s.set("WC", f"{max(0.0, min(1.0, word.confidence)):.4g}")
                    if subs_type in ("HypPart1", "HypPart2") and word.extras.get("subs_content"):
                        s.set("SUBS_TYPE", subs_type)
                        s.set("SUBS_CONTENT", str(word.extras["subs_content"]))
                    if word.language not in (line.language, block.language):
                        _set_lang(s, word.language)
                if hyp:
                    E("HYP", tl, CONTENT=hyp)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
