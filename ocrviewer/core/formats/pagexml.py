"""PAGE-XML (PRImA page content, https://github.com/PRImA-Research-Lab/PAGE-XML): read and write.

Read (2009-03-16 to 2019-07-15 namespaces): ``TextRegion`` (nested ones too, e.g. inside
``TableRegion``) as blocks, in ``ReadingOrder`` order (ordered groups by ``index``, nested groups
flattened; a region the order leaves out goes where its Transkribus ``custom`` readingOrder index puts
it among the named ones, else last; a table's cells row by row); ``TextLine``, ``Word`` as lines and
words with their ``Coords`` polygons (``points`` or 2010's ``Point`` children); text from the
``TextEquiv`` with the lowest ``index`` (none indexed: the highest ``conf``; else the first) (its
``Unicode``, or its ``PlainText`` where that is empty; ``conf`` -> confidence); a word without text gets
its glyphs' text; a region with text but no lines gets one line per line of its text, each on the
region's polygon. Where a region's or a line's own text differs from its lines' or words' text, the
lines' and words' text is kept (a warning says so). Region ``type`` ->
``layout_type``, ``orientation`` -> ``extras["orientation"]``; ``Baseline`` -> ``extras["baseline"]``.
The page size is ``imageWidth`` x ``imageHeight`` pixels, so a PAGE file made for a scaled image is
placed like any response that states another size.

Write: 2019-07-15 (valid against its XSD): one ``Page`` (PAGE holds one page per file), polygons
kept, rounded to whole non-negative pixels as the schema requires; a reading order of the blocks.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import statistics
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

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
)
from ocrviewer.core.model import (
    UNPLACED_WORDS,
    Block,
    Cell,
    Document,
    Line,
    Page,
    Polygon,
    Table,
    Word,
    make_polygon,
    polygon_bbox,
    polygon_from_bbox,
)
from ocrviewer.errors import BadResponse

_BASE = "http://schema.primaresearch.org/PAGE/gts/pagecontent/"
VERSIONS = (
    "2009-03-16",
    "2010-01-12",
    "2010-03-19",
    "2013-07-15",
    "2016-07-15",
    "2017-07-15",
    "2018-07-15",
    "2019-07-15",
)
NS_2019 = _BASE + "2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FORMATS = {f"page-{v}": f"PAGE-XML {v} (PcGts/Page/TextRegion/TextLine/Word)" for v in VERSIONS}
TEXT_TYPES = frozenset(
    "paragraph heading caption header footer page-number drop-capital credit floating signature-mark "
    "catch-word marginalia footnote footnote-continued endnote TOC-entry list-label other".split()
)
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def is_page(root: etree._Element) -> bool:
    return local(root.tag) == "PcGts"


def version_of(root: etree._Element) -> str:
    ns = namespace(root)
    # Transkribus (TRP) has written the namespace with https:// (kraken's tests keep such a file)
    base = next((b for b in (_BASE, _BASE.replace("http://", "https://", 1)) if ns.startswith(b)), None)
    version = ns[len(base) :].rstrip("/#") if base else None
    if version not in VERSIONS:
        raise BadResponse(
            f"unknown PAGE-XML namespace {ns[:90]!r}; this version reads PAGE {VERSIONS[0]} to {VERSIONS[-1]} "
            f"({_BASE}...)"
        )
    return f"page-{version}"


def _reading_order(page_el: etree._Element) -> list[str]:
    ro = child(page_el, "ReadingOrder")
    if ro is None:
        return []
    out: list[str] = []

    def walk(group: etree._Element) -> None:
        ref = group.get("regionRef")
        if ref and local(group.tag) not in ("RegionRefIndexed", "RegionRef"):
            out.append(ref)
        items = [
            c
            for c in group
            if local(c.tag)
            in (
                "RegionRefIndexed",
                "RegionRef",
                "OrderedGroupIndexed",
                "UnorderedGroupIndexed",
                "OrderedGroup",
                "UnorderedGroup",
            )
        ]
        if local(group.tag).startswith("Ordered"):

            def key(c: etree._Element) -> float:
                try:
                    return float(c.get("index", "inf"))
                except ValueError:
                    return math.inf

            items.sort(key=key)
        for c in items:
            if local(c.tag) in ("RegionRefIndexed", "RegionRef"):
                if c.get("regionRef"):
                    out.append(c.get("regionRef", ""))
            else:
                walk(c)

    for g in ro:
        if local(g.tag) in ("OrderedGroup", "UnorderedGroup"):
            walk(g)
    return out


_CUSTOM_INDEX = re.compile(r"readingOrder\s*\{[^}]*?index\s*:\s*(\d+)")


def custom_index(el: etree._Element) -> int | None:
    """Transkribus' ``custom="readingOrder {index:3;}"``, or None (a TableCell: its table's)."""
    m = _CUSTOM_INDEX.search(el.get("custom") or "")
    if m is None and local(el.tag) == "TableCell" and el.getparent() is not None:
        m = _CUSTOM_INDEX.search(el.getparent().get("custom") or "")
    return int(m.group(1)) if m else None


_CUSTOM_TYPE = re.compile(r"structure\s*\{[^}]*?type\s*:\s*([^;}]+)")


def custom_type(el: etree._Element) -> str | None:
    """Transkribus' and eScriptorium's ``custom="structure {type:heading;}"`` (their region types, which
    they write there rather than in ``type``), ``\\u0020`` read as a space; or None."""
    m = _CUSTOM_TYPE.search(el.get("custom") or "")
    if not m:
        return None
    kind = m.group(1).replace("\\u0020", " ").strip()
    return kind or None


def by_custom_index(els: list[etree._Element]) -> list[etree._Element]:
    """``els`` in Transkribus' custom reading order when every one states an index, else as they are."""
    keys = [custom_index(e) for e in els]
    if len(els) < 2 or any(k is None for k in keys):
        return els
    order = sorted(range(len(els)), key=lambda i: (keys[i], i))
    return [els[i] for i in order]


def _size(value: str | None, what: str) -> float | None:
    """A page dimension; 0 (written by tools that did not know it) counts as not stated."""
    v = number(value, what)
    return v if v is not None and v > 0 else None


#: elements whose TextLines make a block: PAGE's TextRegion, and Transkribus' TableCell (its tables are
#: ``TableRegion/TableCell/TextLine``, an extension of the 2013 schema)
_TEXT_CONTAINERS = ("TextRegion", "TableCell")


def _text_regions(el: etree._Element) -> Iterator[etree._Element]:
    """TextRegions (and TableCells) in document order, nested ones (in tables, in other regions) included."""
    for e in el.iter():
        if local(e.tag) in _TEXT_CONTAINERS:
            yield e


def _cell_int(el: etree._Element, name: str, least: int) -> int:
    """A TableCell's ``row``/``col`` (from 0) or ``rowSpan``/``colSpan`` (from 1); ``least`` if absent or bad."""
    try:
        return max(least, int(el.get(name, str(least))))
    except ValueError:
        return least


def _same_text(a: str, b: str) -> bool:
    """The same text once in NFC with whitespace runs as one space (a region's text joins its lines by
    line breaks, a line's its words by spaces)."""
    return " ".join(unicodedata.normalize("NFC", a).split()) == " ".join(
        unicodedata.normalize("NFC", b).split()
    )


_T = TypeVar("_T", Word, Line)


def _in_text_order(items: list[_T], parts: list[str], *, alike: bool = False) -> list[_T]:
    """``items`` (a line's words, a region's lines) in the order their parent's own text reads them
    (``parts``: that text cut into words or lines), when it holds exactly their texts: OCR-D ground
    truth made with LAREX lists Words and TextLines in another order than the TextEquiv above them
    reads ("dur\uf502 Graﬀen von ... Vor⸗ des Hrn."); otherwise ``items`` as they are. ``alike``: a
    part may also stand for the one item whose text is most like it (at least half alike), when there
    are as many parts as items (a region text edited after its lines were)."""
    tokens = [" ".join(unicodedata.normalize("NFC", t).split()) for t in parts]
    tokens = [t for t in tokens if t]
    keys = [" ".join(unicodedata.normalize("NFC", x.text).split()) for x in items]
    if len(tokens) < 2 or len(tokens) != len(keys):
        return items
    if sorted(tokens) == sorted(keys):
        free: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            free.setdefault(k, []).append(i)
        return [items[free[t].pop(0)] for t in tokens]
    if not alike:
        return items
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    score = process.cdist(tokens, keys, scorer=Indel.normalized_similarity)
    place: dict[int, int] = {}
    taken: set[int] = set()
    for flat in sorted(range(score.size), key=lambda f: -float(score.flat[f])):
        ti, ki = divmod(flat, len(keys))
        if score[ti, ki] < 0.5:
            break
        if ti not in place and ki not in taken:
            place[ti] = ki
            taken.add(ki)
    if len(place) != len(tokens):
        return items
    return [items[place[t]] for t in range(len(tokens))]


def _differ(own: str, children_text: str, whose: str) -> str:
    """Where an element's own TextEquiv and its children's text first part: "reads '…ſorgen w…' where its
    TextLines read '…ſorgen v…'" (NFC, whitespace runs as one space)."""
    a = " ".join(unicodedata.normalize("NFC", own).split())
    b = " ".join(unicodedata.normalize("NFC", children_text).split())
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, at - 12)

    def cut(t: str) -> str:
        part = t[start : at + 18]
        return repr(("…" if start else "") + part + ("…" if at + 18 < len(t) else ""))

    return f"its TextEquiv reads {cut(a)} where its {whose} read {cut(b)}"


class _Reader:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        #: the height given to a line placed by its Baseline alone (set per page)
        self.line_height = _DEFAULT_LINE_HEIGHT
        #: lines' and regions' TextEquiv conf are no confidence (Tesseract 5.4 wrote 0 for all)
        self.zero_line_conf = False

    def coords(self, el: etree._Element, what: str) -> Polygon | None:
        c = child(el, "Coords")
        if c is None:
            return None
        try:
            if c.get("points") is not None:
                nums = [float(v) for v in _NUM.findall(c.get("points", ""))]
                # one point, however often: no outline. kraken writes "0,0 0,0 0,0" for a region it has
                # none of, eScriptorium "0,0 0,0" for the region it puts lines without one in
                if (
                    len(nums) >= 2
                    and len(nums) % 2 == 0
                    and len(set(zip(nums[0::2], nums[1::2], strict=True))) == 1
                ):
                    return None
                return make_polygon(nums, what=f"{what} Coords")
            pts = [
                (number(p.get("x"), f"{what} Point x"), number(p.get("y"), f"{what} Point y"))
                for p in children(c, "Point")
            ]
            return make_polygon([list(p) for p in pts], what=f"{what} Coords")
        except BadResponse as err:
            self.warnings.append(f"{err}; its box is taken from its contents or its points")
            return None

    def point_box(self, el: etree._Element) -> Polygon | None:
        """The box of a ``Coords`` too small to be a polygon (1 or 2 points, as OCR-D's fixtures have):
        the last resort that keeps an element's text on the page."""
        c = child(el, "Coords")
        nums = [float(v) for v in _NUM.findall(c.get("points", ""))] if c is not None else []
        xs, ys = nums[0::2], nums[1::2]
        if not xs or len(xs) != len(ys) or not all(math.isfinite(v) for v in nums):
            return None
        if len(set(zip(xs, ys, strict=True))) == 1:
            return None  # one point ("0,0 0,0"): no position at all, not a box of nothing at that point
        return polygon_from_bbox(min(xs), min(ys), max(xs), max(ys))

    def text_equiv(self, el: etree._Element, what: str) -> tuple[str | None, float | None]:
        """The text and confidence of the TextEquiv with the lowest index; when none states an index, the
        one with the highest conf; else the first (dinglehopper's and OCR-D's choice among alternatives)."""
        tes = list(children(el, "TextEquiv"))
        if not tes:
            return None, None

        def attr(te: etree._Element, name: str) -> float:
            try:
                v = float(te.get(name))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return math.nan
            return v if math.isfinite(v) else math.nan

        indexes = [attr(te, "index") for te in tes]
        confs = [attr(te, "conf") for te in tes]
        if any(not math.isnan(v) for v in indexes):
            te = tes[min((v, i) for i, v in enumerate(indexes) if not math.isnan(v))[1]]
        elif any(not math.isnan(v) for v in confs):
            te = tes[min((-v, i) for i, v in enumerate(confs) if not math.isnan(v))[1]]
        else:
            te = tes[0]
        uni = child(te, "Unicode")
        text = "".join(uni.itertext()) if uni is not None else ""
        if not text.strip():
            # PlainText alone (not valid PAGE, but written), or beside an empty Unicode: PRImA's own
            # 2010-2013 samples hold every word's text so ("<PlainText>This</PlainText><Unicode/>")
            plain = child(te, "PlainText")
            plain_text = "".join(plain.itertext()) if plain is not None else ""
            if plain_text.strip():
                text = plain_text
        conf: float | None = None
        if te.get("conf") is not None:
            try:
                conf = number(te.get("conf"), f"{what} TextEquiv conf")
            except BadResponse as err:
                self.warnings.append(f"{err}; kept without confidence")
            if conf is not None and not 0.0 <= conf <= 1.0:
                self.warnings.append(f"{what}: TextEquiv conf {conf!r} is not 0..1; kept without confidence")
                conf = None
        return text, conf

    def word(self, el: etree._Element, what: str) -> tuple[Word | None, str]:
        """The word (None when nothing places it) and its text, which the line keeps either way."""
        text, conf = self.text_equiv(el, what)
        if text is None:
            glyphs = [self.text_equiv(g, f"{what} Glyph")[0] or "" for g in children(el, "Glyph")]
            text = "".join(glyphs)
        if text.strip():  # Tesseract (via OCR-D) counts the space before a word as its first glyph
            text = text.strip()
        poly = self.coords(el, what)
        if poly is None:
            boxes = [p for g in children(el, "Glyph") if (p := self.coords(g, f"{what} Glyph")) is not None]
            poly = union_box(boxes) or self.point_box(el)
        if poly is None and not text:
            return None, text
        extras = {"id": el.get("id")} if el.get("id") else {}
        # no usable Coords: a word of text only, as a plain text's words (its line decides whether it stays)
        word = Word(
            text=text, polygon=poly or (), confidence=conf, language=el.get("language"), extras=extras
        )
        return word, text

    def line(self, el: etree._Element, what: str) -> Line | None:
        read = [self.word(we, f"{what} Word {i + 1}") for i, we in enumerate(children(el, "Word"))]
        # a Word of only whitespace (kraken writes the spaces between words as Words) is no word
        words = [w for w, _ in read if w is not None and (w.text.strip() or not w.text)]
        unplaced = {id(w): i for i, (w, _) in enumerate(read) if w is not None and not w.polygon}
        text, conf = self.text_equiv(el, what)
        if self.zero_line_conf:
            conf = None
        if text is None:
            text = " ".join(t for _, t in read if t)
        elif words and not _same_text(text, " ".join(w.text for w in words)):
            words = _in_text_order(words, text.split())
        if text.strip() and words and not _same_text(text, " ".join(w.text for w in words)):
            self.warnings.append(
                f"{what}: {_differ(text, ' '.join(w.text for w in words), 'Words')}; the words are compared"
            )
        text = text.strip()  # PERO writes " IC: 691 82 604": edge spaces are no text (hOCR cannot hold them)
        extras: dict[str, Any] = {"id": el.get("id")} if el.get("id") else {}
        bl = child(el, "Baseline")
        if bl is not None and bl.get("points"):
            nums = [float(v) for v in _NUM.findall(bl.get("points", ""))]
            if len(nums) >= 4 and len(nums) % 2 == 0 and all(math.isfinite(v) for v in nums):
                extras["baseline"] = [[nums[i], nums[i + 1]] for i in range(0, len(nums), 2)]
        poly = (
            self.coords(el, what) or union_box([w.polygon for w in words if w.polygon]) or self.point_box(el)
        )
        if poly is None and "baseline" in extras:
            # a line segmented by its baseline alone (kraken/eScriptorium before their polygons are
            # made): the text sits above it, about as high as the page's other lines
            xs = [p[0] for p in extras["baseline"]]
            ys = [p[1] for p in extras["baseline"]]
            h = self.line_height
            poly = polygon_from_bbox(min(xs), min(ys) - h, max(xs), max(ys) + h / 4)
            self.warnings.append(
                f"{what} has a Baseline and no Coords: its box is drawn {h:g} px high above the baseline"
            )
        if poly is not None and unplaced:
            # a Word without usable Coords in a placed line: left out, its text stays in the line's
            for w in words:
                if not w.polygon:
                    i = unplaced[id(w)]
                    self.warnings.append(
                        f"{what} Word {i + 1} {w.text[:30]!r} has no usable Coords; its text stays in the line"
                    )
            placed = [w for w in words if w.polygon]
            if placed:
                extras[UNPLACED_WORDS] = len(words) - len(placed)
            words = placed
        if poly is None:
            if not text:
                self.warnings.append(f"{what} has no usable Coords and no text; skipped")
                return None
            # nothing in it placed: a line of text only (nothing drawn, its text compared and exported)
            self.warnings.append(
                f"{what} has no usable Coords; its text is kept as text only (nothing drawn)"
            )
        return Line(
            text=text,
            polygon=poly or (),
            words=tuple(words),
            confidence=conf,
            language=el.get("primaryLanguage"),
            extras=extras,
        )

    def block(self, el: etree._Element, what: str) -> Block | None:
        lines = [
            ln
            for i, le in enumerate(by_custom_index(list(children(el, "TextLine"))))
            if (ln := self.line(le, f"{what} TextLine {i + 1}")) is not None
        ]
        text, conf = self.text_equiv(el, what)
        if self.zero_line_conf:
            conf = None
        poly = (
            self.coords(el, what) or union_box([x.polygon for x in lines if x.polygon]) or self.point_box(el)
        )
        if poly is None and not lines and not (text or "").strip():
            self.warnings.append(f"{what} has no usable Coords and no lines; skipped")
            return None
        if poly is None and not lines:
            self.warnings.append(
                f"{what} has no usable Coords; its text is kept as text only (nothing drawn)"
            )
        poly = poly or ()  # lines of text only, or a region's text alone: a block of text only
        if text and len(lines) > 1 and not _same_text(text, " ".join(ln.text for ln in lines)):
            lines = _in_text_order(lines, text.splitlines(), alike=True)
        if text and any(ln.text for ln in lines) and not _same_text(text, " ".join(ln.text for ln in lines)):
            self.warnings.append(
                f"{what}: {_differ(text, ' '.join(ln.text for ln in lines), 'TextLines')}; the lines are compared"
            )
        parts = [t.strip() for t in (text or "").splitlines() if t.strip()]
        if parts and all(not ln.text and not ln.words for ln in lines):
            # a region's text holds its lines joined by line breaks (PAGE's convention, as dinglehopper
            # and Tesseract write it): as many lines as its empty TextLines (Aletheia ground truth
            # segmented into lines, transcribed per region) fill them in order; else one line each,
            # placed on the region (they have no box of their own)
            if len(parts) == len(lines):
                lines = [
                    Line(text=t, polygon=ln.polygon, confidence=conf, extras=ln.extras)
                    for t, ln in zip(parts, lines, strict=True)
                ]
            elif len(lines) == 1:
                lines = [
                    Line(text=text or "", polygon=lines[0].polygon, confidence=conf, extras=lines[0].extras)
                ]
            else:
                lines = [
                    Line(text=t, polygon=poly, confidence=conf, extras={"from": "region TextEquiv"})
                    for t in parts
                ]
        extras: dict[str, Any] = {"id": el.get("id")} if el.get("id") else {}
        if el.get("orientation") is not None:
            try:
                extras["orientation"] = number(el.get("orientation"), f"{what} orientation")
            except BadResponse as err:
                self.warnings.append(str(err))
        return Block(
            polygon=poly,
            lines=tuple(lines),
            confidence=conf,
            language=el.get("primaryLanguage"),
            layout_type=el.get("type") or custom_type(el),
            extras=extras,
        )


def _tables(page_el: etree._Element, cell_blocks: dict[int, Block]) -> list[Table]:
    """Transkribus' tables (``TableRegion`` with ``TableCell``s stating ``row``/``col``) as Tables;
    ``cell_blocks``: each TableCell's block, by ``id()`` of its element."""
    out: list[Table] = []
    for tr in page_el.iter():
        if local(tr.tag) != "TableRegion":
            continue
        cells: list[Cell] = []
        for tc in children(tr, "TableCell"):
            block = cell_blocks.get(id(tc))
            if block is None or not block.polygon:  # a cell of text only: its text is in its block
                continue
            cells.append(
                Cell(
                    polygon=block.polygon,
                    row=_cell_int(tc, "row", 0),
                    column=_cell_int(tc, "col", 0),
                    row_span=_cell_int(tc, "rowSpan", 1),
                    column_span=_cell_int(tc, "colSpan", 1),
                    text=block.text,
                )
            )
        if not cells:
            continue
        coords = child(tr, "Coords")
        pts = [float(v) for v in _NUM.findall(coords.get("points", ""))] if coords is not None else []
        try:
            poly = make_polygon(pts, what="TableRegion Coords") if len(pts) >= 6 else None
        except BadResponse:
            poly = None
        poly = poly or union_box(c.polygon for c in cells)
        assert poly is not None  # cells have polygons
        rows = max(c.row + c.row_span for c in cells)
        columns = max(c.column + c.column_span for c in cells)
        out.append(Table(polygon=poly, rows=rows, columns=columns, cells=tuple(cells)))
    return out


def _place_unnamed(ordered: list[etree._Element], rest: list[etree._Element]) -> list[etree._Element]:
    """``ordered`` (the regions the ReadingOrder names) with the ones it does not name put in.

    Transkribus' ReadingOrder names its TextRegions only; a TableRegion's place is in its ``custom``
    readingOrder index alone (a gap in the order's indexes). Such a region (and its cells) goes before
    the first named region whose own custom index is greater; one without a custom index goes last."""
    if not rest or not ordered:  # no ReadingOrder: the regions are already in their custom order
        return ordered + rest
    out = list(ordered)
    keys = [custom_index(e) for e in out]
    last: list[etree._Element] = []
    for r in sorted(rest, key=lambda e: math.inf if (k := custom_index(e)) is None else k):
        k = custom_index(r)
        if k is None:
            last.append(r)
            continue
        at = next((i for i, key in enumerate(keys) if key is not None and key > k), len(out))
        out.insert(at, r)
        keys.insert(at, k)
    return out + last


def _rows_first(regions: list[etree._Element]) -> list[etree._Element]:
    """``regions`` with each run of one table's TableCells put row by row (Transkribus writes them
    column by column), by their ``row``/``col``."""
    out: list[etree._Element] = []
    i = 0
    while i < len(regions):
        j = i + 1
        if local(regions[i].tag) == "TableCell":
            parent = regions[i].getparent()
            while (
                j < len(regions) and local(regions[j].tag) == "TableCell" and regions[j].getparent() is parent
            ):
                j += 1
            out += sorted(regions[i:j], key=lambda c: (_cell_int(c, "row", 0), _cell_int(c, "col", 0)))
        else:
            out.append(regions[i])
        i = j
    return out


_DEFAULT_LINE_HEIGHT = 30.0


def _line_height(page_el: etree._Element) -> float:
    """The median height of the page's lines that have an outline (for those that have a Baseline
    only); 30 px on a page with none."""
    heights = []
    quiet = _Reader()
    for el in page_el.iter():
        if isinstance(el.tag, str) and local(el.tag) == "TextLine":
            poly = quiet.coords(el, "TextLine")
            if poly is not None:
                _, y0, _, y1 = polygon_bbox(poly)
                if y1 > y0:
                    heights.append(y1 - y0)
    return round(statistics.median(heights), 1) if heights else _DEFAULT_LINE_HEIGHT


#: Tesseract 5.4's PAGE renderer wrote conf="0" on every TextLine and TextRegion (tesseract#4283,
#: fixed in 5.5.0); its Words' conf are right
_TESSERACT_54 = re.compile(r"\s*Tesseract\s*-\s*5\.4\.", re.IGNORECASE)


def read(root: etree._Element) -> Document:
    """A PAGE-XML document as a Document in pixels of the image it names."""
    fmt = version_of(root)
    reader = _Reader()
    meta = child(root, "Metadata")
    creator = child(meta, "Creator") if meta is not None else None
    reader.zero_line_conf = creator is not None and bool(_TESSERACT_54.match(creator.text or ""))
    pages: list[Page] = []
    for pi, page_el in enumerate(children(root, "Page")):
        w = _size(page_el.get("imageWidth"), "Page imageWidth")
        h = _size(page_el.get("imageHeight"), "Page imageHeight")
        reader.line_height = _line_height(page_el)
        regions = list(_text_regions(page_el))
        if child(page_el, "ReadingOrder") is None:
            regions = by_custom_index(regions)
        by_id = {r.get("id"): r for r in regions if r.get("id")}
        # the order names text regions, and may name a region that holds some (a Transkribus
        # TableRegion, whose cells it does not name): those follow at the holder's place, unless the
        # order names them itself (OCR-D's OrderedGroupIndexed on a TableRegion lists its cells)
        steps: list[tuple[bool, etree._Element]] = []
        named: dict[str, etree._Element] | None = None
        for ref in _reading_order(page_el):
            r = by_id.get(ref)
            if r is not None:
                steps.append((False, r))
                continue
            if named is None:
                named = {e.get("id", ""): e for e in page_el.iter() if isinstance(e.tag, str) and e.get("id")}
            if ref in named:
                steps.append((True, named[ref]))
        listed = {id(r) for holder, r in steps if not holder}
        ordered: list[etree._Element] = []
        seen: set[int] = set()
        for holder, el in steps:
            found = [r for r in _text_regions(el) if id(r) not in listed] if holder else [el]
            for r in found:
                if id(r) not in seen:
                    ordered.append(r)
                    seen.add(id(r))
        ordered = _rows_first(_place_unnamed(ordered, [r for r in regions if id(r) not in seen]))
        blocks: list[Block] = []
        cell_blocks: dict[int, Block] = {}
        for r in ordered:
            b = reader.block(r, f"{local(r.tag)} {r.get('id') or '?'}")
            if b is not None:
                blocks.append(b)
                if local(r.tag) == "TableCell":
                    cell_blocks[id(r)] = b
        tables = _tables(page_el, cell_blocks)
        extras: dict[str, Any] = {}
        if page_el.get("imageFilename"):
            extras["image"] = page_el.get("imageFilename")
        # PAGE's orientation is the clockwise turn that corrects the skew; the page's angle is the
        # text's own clockwise angle (as Azure states it): the opposite
        orientation = number(page_el.get("orientation"), "Page orientation")
        if orientation is not None:
            extras["orientation"] = orientation
        pages.append(
            Page(
                width=w,
                height=h,
                blocks=tuple(blocks),
                tables=tuple(tables),
                index=pi,
                angle=None if orientation is None else (-orientation or 0.0),
                extras=extras,
            )
        )
    if not pages:
        raise BadResponse("PAGE-XML without a Page element")
    extras = {"image": pages[0].extras["image"]} if "image" in pages[0].extras else {}
    return Document(pages=tuple(pages), source_format=fmt, extras=extras, warnings=summarize(reader.warnings))


# -- writing -------------------------------------------------------------------------------------------
def _i(v: float) -> int:
    return max(0, int(math.floor(v + 0.5)))


#: the points of an element of text only: one point, which PAGE's readers (this one, eScriptorium's
#: dummy blocks) take for no position, and which PAGE's schema accepts where it wants Coords
NO_POINTS = "0,0 0,0"


def points_text(poly: Sequence[Sequence[float]]) -> str:
    if not poly:
        return NO_POINTS
    return " ".join(f"{_i(x)},{_i(y)}" for x, y in poly)


def _conf(el: etree._Element, conf: float | None) -> None:
    if conf is not None and math.isfinite(conf):
        el.set("conf", f"{max(0.0, min(1.0, conf)):.4g}")


def write(doc: Document, *, image_names: Sequence[str | None] = (), system: str = "ocrviewer") -> bytes:
    """The document's one page as PAGE-XML 2019-07-15 (polygons in whole pixels)."""
    if len(doc.pages) != 1:
        raise BadResponse(
            f"PAGE-XML holds one page per file and this result has {len(doc.pages)} pages; put {{page}} in the "
            "output name (e.g. out-{page}.page.xml) to write one file per page, or export as hOCR or ALTO"
        )
    page = doc.pages[0]
    if page.width is None or page.height is None:
        raise BadResponse("the page size is not known; pass the image so PAGE-XML can state it")

    def E(tag: str, parent: etree._Element, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS_2019}}}{tag}", attrs)

    root = etree.Element(f"{{{NS_2019}}}PcGts", nsmap={None: NS_2019, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{NS_2019} {NS_2019}/pagecontent.xsd")
    meta = E("Metadata", root)
    E("Creator", meta).text = system
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat()
    E("Created", meta).text = now
    E("LastChange", meta).text = now
    name = next((n for n in image_names if n), None) or str(doc.extras.get("image") or "")
    page_el = E(
        "Page", root, imageFilename=name, imageWidth=str(_i(page.width)), imageHeight=str(_i(page.height))
    )
    if page.angle is not None and math.isfinite(page.angle) and page.angle:
        # the clockwise turn that corrects the text's own angle (read back as the page's angle)
        page_el.set("orientation", fmt_num(-page.angle))
    if page.blocks:
        group = E("OrderedGroup", E("ReadingOrder", page_el), id="ro_1")
        for bi in range(len(page.blocks)):
            E("RegionRefIndexed", group, index=str(bi), regionRef=f"r_{bi + 1}")
    nl = nw = 0
    for bi, block in enumerate(page.blocks):
        region = E("TextRegion", page_el, id=f"r_{bi + 1}")
        orientation = block.extras.get("orientation") if block.extras else None
        if isinstance(orientation, (int, float)) and math.isfinite(orientation):
            region.set("orientation", fmt_num(float(orientation)))
        if block.layout_type in TEXT_TYPES:
            region.set("type", str(block.layout_type))
        E("Coords", region, points=points_text(block.polygon))
        for line in block.lines:
            nl += 1
            line_el = E("TextLine", region, id=f"l_{nl}")
            E("Coords", line_el, points=points_text(line.polygon))
            bl = line_baseline(line)
            if bl:
                E("Baseline", line_el, points=points_text(bl))
            for word in line.words:
                nw += 1
                word_el = E("Word", line_el, id=f"w_{nw}")
                E("Coords", word_el, points=points_text(word.polygon))
                te = E("TextEquiv", word_el)
                _conf(te, word.confidence)
                E("Unicode", te).text = word.text
            te = E("TextEquiv", line_el)
            _conf(te, line.confidence)
            E("Unicode", te).text = line.text
        te = E("TextEquiv", region)
        _conf(te, block.confidence)
        E("Unicode", te).text = block.text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
