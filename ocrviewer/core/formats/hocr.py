"""hOCR (https://kba.github.io/hocr-spec/1.2/): read and write.

Read: ``ocr_page`` (its ``bbox`` is the page size; several pages make a multi-page document),
``ocr_par`` (or ``ocr_carea``/``ocrx_block`` where a line has no paragraph) as blocks, ``ocr_line``
and the other line classes (``ocr_header``, ``ocr_caption``, ``ocr_textfloat``, ``ocrx_line``) as
lines, ``ocrx_word`` as words (Tesseract's per-character ``ocrx_cinfo`` and LSTM alternatives, and
hOCR ``alternatives``' rejected ``<del>`` readings, are not their text); ``poly`` (kraken) over
``bbox``; ``x_wconf`` 0-100 (else ``x_conf`` 0-100, else the mean of ``x_confs``) ->
confidence 0..1; ``baseline slope offset`` (relative to the line box's bottom-left corner) ->
``extras["baseline"]``, two points in page pixels; ``lang`` from the element or its ancestors.
Coordinates are pixels. A page ``<div>`` saved alone (Tesseract's API output) is hOCR too; an empty
``ocr_page`` followed by its areas (docTR's export) holds the elements up to the next page.

Write: XHTML with ``ocr-system`` and ``ocr-capabilities`` meta, one ``ocr_page`` per page, each
block as ``ocr_carea`` holding one ``ocr_par``; boxes rounded to whole pixels, and ``poly`` where a
polygon is no box.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from lxml import etree

from ocrviewer.core.formats._xml import line_baseline, local, summarize, union_box, unspaced_pair, word_gaps
from ocrviewer.core.model import (
    UNPLACED_WORDS,
    Block,
    Document,
    Line,
    Page,
    Polygon,
    Word,
    polygon_bbox,
    polygon_from_bbox,
)

HOCR = "hocr"
XHTML_NS = "http://www.w3.org/1999/xhtml"

#: what makes a block, in order of preference (kraken writes ``ocrx_block``)
BLOCK_CLASSES = ("ocr_par", "ocr_carea", "ocrx_block")
LINE_CLASSES = frozenset({"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat", "ocrx_line"})
WORD_CLASSES = frozenset({"ocrx_word", "ocr_word"})
_PROP = re.compile(r"\s*([A-Za-z_][\w-]*)\s*(.*)")


def classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


#: root elements an hOCR file can have: a whole document, or the page ``<div>`` that Tesseract's API
#: (``GetHOCRText``) returns and tools save as it is
_ROOTS = frozenset({"html", "body", "div", "span", "p"})


def is_hocr(root: etree._Element) -> bool:
    """True for an (X)HTML document, or an hOCR page fragment, with hOCR class names."""
    if local(root.tag).lower() not in _ROOTS:
        return False
    for el in root.iter():
        if isinstance(el.tag, str) and classes(el) & ({"ocr_page"} | LINE_CLASSES | WORD_CLASSES):
            return True
    return False


def _title_parts(title: str) -> list[str]:
    """A title split at the ';' outside quoted strings (``image "scan;2.png"; bbox ...``); at every ';'
    when a quote is left open."""
    if '"' not in title and "'" not in title:
        return title.split(";")
    parts: list[str] = []
    start = 0
    quote = ""
    for i, ch in enumerate(title):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and (i == 0 or title[i - 1] in " \t;"):  # a quote opens a value: not O'Brien
            quote = ch
        elif ch == ";":
            parts.append(title[start:i])
            start = i + 1
    if quote:
        return title.split(";")
    parts.append(title[start:])
    return parts


def title_props(el: etree._Element) -> dict[str, str]:
    """``title="bbox 1 2 3 4; x_wconf 90"`` -> ``{"bbox": "1 2 3 4", "x_wconf": "90"}``."""
    props: dict[str, str] = {}
    for part in _title_parts(el.get("title") or ""):
        m = _PROP.match(part)
        if m:
            props[m.group(1)] = m.group(2).strip()
    return props


def _floats(value: str, n: int, what: str) -> list[float] | None:
    try:
        nums = [float(v) for v in value.split()[:n]]
    except ValueError:
        return None
    if len(nums) != n or not all(math.isfinite(v) for v in nums):
        return None
    return nums


def _bbox(props: dict[str, str], what: str, warnings: list[str]) -> tuple[float, float, float, float] | None:
    if "bbox" not in props:
        return None
    nums = _floats(props["bbox"], 4, what)
    if nums is None:
        warnings.append(f"{what}: bad bbox {props['bbox'][:40]!r}; its box is taken from its contents")
        return None
    x0, y0, x1, y1 = nums
    if x1 < x0 or y1 < y0:  # corners swapped (gcv2hocr writes a turned word's so): the box between them
        warnings.append(_SWAPPED)
        x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    return x0, y0, x1, y1


#: placeholder warning for a bbox with swapped corners; ``read`` makes one line of them all
_SWAPPED = "\0bbox-swapped"
#: start of the warning for a word without a bbox (then where it is); ``read`` makes one line of them all
_NO_BOX = "\0no-bbox:"


def _summary(warnings: list[str]) -> tuple[str, ...]:
    swapped = warnings.count(_SWAPPED)
    boxless = [w[len(_NO_BOX) :] for w in warnings if w.startswith(_NO_BOX)]
    out = [w for w in warnings if w != _SWAPPED and not w.startswith(_NO_BOX)]
    if len(boxless) == 1:
        out.append(f"{boxless[0]} has no bbox; skipped (its text stays in its line)")
    elif boxless:  # a file that boxes only its lines: one line, not one per word
        out.append(
            f"{len(boxless)} words have no bbox (the first: {boxless[0]}); they are skipped and their "
            "text stays in their lines"
        )
    if swapped:
        out.append(
            f"{swapped} bbox(es) give the right or bottom edge before the left or top one; "
            "each is read as the box between its corners"
        )
    return tuple(out)


def _poly(props: dict[str, str], box: tuple[float, float, float, float] | None) -> Polygon | None:
    """The ``poly x y x y ...`` property (kraken writes it) when it is a polygon, else the ``bbox``."""
    parts = props.get("poly", "").split()
    nums = _floats(props["poly"], len(parts), "poly") if parts else None
    if nums is not None and len(nums) >= 6 and len(nums) % 2 == 0:
        return tuple((nums[i], nums[i + 1]) for i in range(0, len(nums), 2))
    return polygon_from_bbox(*box) if box else None


def _confidence(props: dict[str, str], what: str, warnings: list[str]) -> float | None:
    """``x_wconf`` (0-100), else ``x_conf`` (0-100), else the mean of ``x_confs`` (per character: 0-100,
    or 0-1 as kraken writes)."""
    if "x_wconf" in props:
        nums = _floats(props["x_wconf"], 1, what)
        if nums is None or not 0 <= nums[0] <= 100:
            warnings.append(
                f"{what}: x_wconf {props['x_wconf'][:20]!r} is not 0-100; kept without confidence"
            )
            return None
        return nums[0] / 100.0
    if "x_conf" in props:  # a word's x_conf, 0-100 (dbmdz's hOCR of Chronicling America's OCR)
        nums = _floats(props["x_conf"], 1, what)
        if nums is None or not 0 <= nums[0] <= 100:
            warnings.append(f"{what}: x_conf {props['x_conf'][:20]!r} is not 0-100; kept without confidence")
            return None
        return nums[0] / 100.0
    if "x_confs" in props:
        values = props["x_confs"].split()
        nums = _floats(props["x_confs"], len(values), what) if values else None
        if nums and all(0 <= v <= 100 for v in nums):
            mean = sum(nums) / len(nums)
            return mean if max(nums) <= 1 else mean / 100.0
    return None


_HTML = frozenset({"html", "HTML", f"{{{XHTML_NS}}}html"})


def _lang(el: etree._Element) -> str | None:
    """``lang`` of the element or the nearest ancestor that states one, short of ``<html>``: Tesseract
    writes ``<html lang="en">`` into every file whatever it read (the page's language is on ``ocr_par``
    from Tesseract 4 on, on each word in 3.x), so English would be claimed for Latin or Fraktur."""
    for e in (el, *el.iterancestors()):
        if e.tag in _HTML:
            break
        v = e.get("lang") or e.get("{http://www.w3.org/XML/1998/namespace}lang")
        if v:
            return v
    return None


#: Tesseract's ``lstm_choice_mode`` 1 and 2 put each character's alternatives inside the word
#: (``ocr_symbol``/``timestep``/``choice``, ``lstm_choices``): they are not its text
_ALTERNATIVE_IDS = ("lstm_choices", "timestep", "choice_", "symbol_")


def _is_alternative(el: etree._Element) -> bool:
    """A word's part that is not its text: Tesseract's choices, or hOCR's ``alternatives`` whose
    rejected readings are ``<del class="alt">`` (the ``<ins>`` one is the word)."""
    ident = el.get("id") or ""
    return ident.startswith(_ALTERNATIVE_IDS) or "ocr_symbol" in classes(el) or local(el.tag).lower() == "del"


def _raw_text(el: etree._Element, skip: frozenset[str] = frozenset()) -> list[str]:
    """The text pieces of ``el`` and its children, leaving out alternatives and any child with a
    class in ``skip`` (a word's text leaves out a word or line nested in it, which only a broken file
    has: an unescaped ``<`` in the text opens an element that holds the rest of the page)."""
    parts = [el.text or ""]
    for c in el:
        if isinstance(c.tag, str) and not _is_alternative(c) and not (skip and classes(c) & skip):
            parts += _raw_text(c, skip)
        parts.append(c.tail or "")
    return parts


_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def _text(el: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    raw = "".join(_raw_text(el, skip))
    # HTML collapses ASCII whitespace only: a no-break space inside a word is text (at its edges, as
    # "Grüße&nbsp;" writes one, it is not)
    words = raw.split() if raw.isascii() else [t for w in _HTML_SPACE.split(raw) if (t := w.strip())]
    if any("ocrx_cinfo" in classes(c) for c in el if isinstance(c.tag, str)):
        return "".join(words)  # hocr_char_boxes: one span per character, laid out on lines of their own
    return " ".join(words)


#: what a word's text leaves out: a word or line inside it (see :func:`_raw_text`)
_NESTED = frozenset(WORD_CLASSES | LINE_CLASSES)

#: direction marks at a word's edges are no text: archive.org's ABBYY-to-hOCR converter ends every
#: right-to-left word with a LEFT-TO-RIGHT MARK
_BIDI_MARKS = "\u200e\u200f\u061c"


def _word(el: etree._Element, what: str, warnings: list[str]) -> Word | None:
    props = title_props(el)
    text = _text(el, _NESTED).strip(_BIDI_MARKS)
    box = _bbox(props, what, warnings)
    if box is None and not text.strip():
        return None
    conf = _confidence(props, what, warnings)
    # no bbox: a word of text only, as a plain text's words (its line decides whether it stays one)
    poly = _poly(props, box) if box is not None else ()
    assert poly is not None
    return Word(text=text, polygon=poly, confidence=conf, language=_lang(el))


def _drop_unplaced(
    indexed: list[tuple[int, Word]], what: str, warnings: list[str]
) -> tuple[list[tuple[int, Word]], bool]:
    """The placed words of a placed line, and whether one with text was left out (its text stays in the
    line's); each left out is named in the warnings."""
    placed = [(i, w) for i, w in indexed if w.polygon]
    for i, w in indexed:
        if not w.polygon:
            warnings.append(f"{_NO_BOX}{what} word {i + 1} {w.text[:30]!r}")
    return placed, len(placed) < len(indexed)


def _words(
    word_els: list[etree._Element], what: str, warnings: list[str]
) -> tuple[list[tuple[int, Word]], bool]:
    """The words of ``word_els`` (with their index there), and whether one with text was left out
    (no usable bbox)."""
    words: list[tuple[int, Word]] = []
    lost = False
    for i, w in enumerate(word_els):
        word = _word(w, f"{what} word {i + 1}", warnings)
        # a word of only spaces (kraken writes the gaps between words so) is none; an empty one is
        # a box still to be transcribed (layout-only ground truth) and stays
        if word is not None and (word.text or not "".join(_raw_text(w))):
            words.append((i, word))
        elif word is None and _text(w):
            lost = True
    return words, lost


def _space_before(container: etree._Element, word_els: Sequence[etree._Element]) -> list[bool]:
    """Whether the markup has whitespace between each of ``word_els`` and the one before it (in
    ``container``, in document order; a word's own leading or trailing space counts)."""
    index = {w: i for i, w in enumerate(word_els)}
    out = [False] * len(word_els)
    space = False

    def walk(e: etree._Element) -> None:
        nonlocal space
        for c in e:
            if not isinstance(c.tag, str):
                pass
            elif c in index:
                raw = "".join(_raw_text(c, _NESTED))
                out[index[c]] = space or bool(raw[:1].isspace())
                space = not raw.strip() or raw[-1:].isspace()
                if len(c) and any(d in index for d in c.iterdescendants()):
                    walk(c)  # words nested in a word (a broken file): their spaces too
            elif not _is_alternative(c):
                space = space or bool((c.text or "")[:1].isspace())
                walk(c)
            if c.tail and _HTML_SPACE.search(c.tail):
                space = True

    walk(container)
    return out


def _join(words: list[tuple[int, Word]], space_before: list[bool] | None) -> str:
    """The words' text as the markup sets it: a space where whitespace separates two words. Where the
    file has no whitespace between any words (some converters separate them by markup alone; a
    Chinese or Japanese page has none to show), words are spaced, but for two of a script written
    without spaces."""
    out = ""
    prev = -1
    for i, w in words:
        if not w.text:
            continue
        if space_before is None:
            gap = bool(out) and not unspaced_pair(out, w.text)
        else:
            gap = bool(out) and any(space_before[prev + 1 : i + 1])
        if gap:
            out += " "
        out += w.text
        prev = i
    return out


def _word_elements(line: etree._Element) -> list[etree._Element]:
    """The line's ``ocrx_word``s; where it has none, its ``ocr_cinfo`` spans with a ``bbox`` (the hOCR
    spec's character-information element holding a whole word, as Google Books' hOCR writes them)."""
    found = [e for e in line.iter() if isinstance(e.tag, str) and classes(e) & WORD_CLASSES]
    if found:
        return found
    return [
        e
        for e in line.iter()
        if isinstance(e.tag, str) and "ocr_cinfo" in classes(e) and "bbox" in title_props(e)
    ]


def _character_words(el: etree._Element, what: str) -> tuple[list[tuple[int, Word]], str] | None:
    """Words made of a line's character boxes, where its text is the line's own and an empty
    ``ocr_cinfo`` gives ``x_bboxes`` for each character of it, -1s for a space (Cuneiform's hOCR)."""
    cinfo = next((c for c in el if isinstance(c.tag, str) and "ocr_cinfo" in classes(c)), None)
    if cinfo is None or len(cinfo) or (cinfo.text or "").strip():
        return None
    values = title_props(cinfo).get("x_bboxes", "").split()
    nums = _floats(" ".join(values), len(values), what) if values else None
    text = "".join(_raw_text(el)).strip("\r\n")
    if not nums or len(nums) != 4 * len(text):
        return None
    words: list[tuple[int, Word]] = []
    run: list[tuple[str, tuple[float, ...]]] = []
    for i in range(len(text) + 1):
        box = tuple(nums[4 * i : 4 * i + 4]) if i < len(text) else ()
        if (
            i < len(text)
            and not text[i].isspace()
            and min(box) >= 0
            and box[2] >= box[0]
            and box[3] >= box[1]
        ):
            run.append((text[i], box))
            continue
        if run:
            x0, y0 = min(b[0] for _, b in run), min(b[1] for _, b in run)
            x1, y1 = max(b[2] for _, b in run), max(b[3] for _, b in run)
            word = Word("".join(c for c, _ in run), polygon_from_bbox(x0, y0, x1, y1), language=_lang(el))
            words.append((len(words), word))
            run = []
    return words, " ".join(text.split())


def _line(el: etree._Element, what: str, warnings: list[str], spaced: bool) -> Line | None:
    props = title_props(el)
    word_els = _word_elements(el)
    indexed, lost = _words(word_els, what, warnings)
    chars = _character_words(el, what) if not word_els else None
    if chars is not None:
        indexed = chars[0]
    box = _bbox(props, what, warnings)
    poly = _poly(props, box) or union_box(w.polygon for _, w in indexed if w.polygon)
    unplaced = 0
    if poly is not None:
        before = len(indexed)
        indexed, dropped = _drop_unplaced(indexed, what, warnings)
        lost = lost or dropped
        unplaced = before - len(indexed)
    elif not _text(el):
        warnings.append(f"{what} has no bbox and no text; skipped")
        return None
    else:  # nothing in it placed: a line of text only (nothing drawn, its text compared and exported)
        warnings.append(f"{what} has no bbox; its text is kept as text only (nothing drawn)")
        poly = ()
    words = [w for _, w in indexed]
    # the line keeps the text of every word, placed or not (as the ALTO and PAGE readers do)
    if chars is not None:
        text = chars[1]
    elif words and not lost:
        text = _join(indexed, _space_before(el, word_els) if spaced else None)
    else:
        text = _text(el)
    extras: dict[str, Any] = {UNPLACED_WORDS: unplaced} if unplaced and indexed else {}
    turned = _floats(props.get("textangle", "0"), 1, what)
    # Tesseract states a vertical line's baseline in the turned line's frame: not a page line
    if "baseline" in props and box is not None and not (turned and turned[0] % 360):
        bl = _floats(props["baseline"], 2, what)
        if bl is not None:
            slope, offset = bl
            x0, _, x1, y1 = box
            extras["baseline"] = [[x0, y1 + offset], [x1, y1 + offset + slope * (x1 - x0)]]
    conf = _confidence(props, what, warnings)  # a line's own x_wconf (OCRopus, kraken's line models)
    return Line(
        text=text, polygon=poly, words=tuple(words), confidence=conf, language=_lang(el), extras=extras
    )


def _block_of(line_el: etree._Element) -> etree._Element | None:
    for cls in BLOCK_CLASSES:
        for anc in line_el.iterancestors():
            if cls in classes(anc):
                return anc
            if "ocr_page" in classes(anc):
                break
    return None


def _line_elements(
    page: etree._Element, after: Sequence[etree._Element] = ()
) -> Iterator[tuple[etree._Element, list[etree._Element]]]:
    """The page's lines (in it, then in the elements ``after`` it) in document order: ``(line element,
    [])``, or ``(parent, [word elements])`` for words that no line holds (written straight into a
    paragraph, area or page, as some converters do): consecutive ones of one parent make one line.
    Lines and words are not looked into (a line inside a line, or a word's parts, belong to the outer
    one)."""
    loose: list[etree._Element] = []
    stack: list[Iterator[etree._Element]] = [iter([*page, *after])]
    while stack:
        e = next(stack[-1], None)
        if e is None:
            stack.pop()
            continue
        if not isinstance(e.tag, str):
            continue
        cls = classes(e)
        if cls & LINE_CLASSES:
            if loose:
                yield loose[0].getparent(), loose
                loose = []
            yield e, []
        elif cls & WORD_CLASSES:
            if loose and loose[0].getparent() is not e.getparent():
                yield loose[0].getparent(), loose
                loose = []
            loose.append(e)
        elif len(e):
            stack.append(iter(e))
    if loose:
        yield loose[0].getparent(), loose


def _loose_line(word_els: list[etree._Element], what: str, warnings: list[str], spaced: bool) -> Line | None:
    """One line made of words that no ``ocr_line`` holds; its box is theirs."""
    indexed, lost = _words(word_els, what, warnings)
    poly = union_box(w.polygon for _, w in indexed if w.polygon)
    unplaced = 0
    if poly is not None:
        before = len(indexed)
        indexed, dropped = _drop_unplaced(indexed, what, warnings)
        lost = lost or dropped
        unplaced = before - len(indexed)
    elif not indexed:
        warnings.append(f"{what}: words without a line and without text; skipped")
        return None
    else:
        warnings.append(f"{what}: words without a line and without a bbox; kept as text only (nothing drawn)")
        poly = ()
    words = [w for _, w in indexed]
    parent = word_els[0].getparent()
    if lost:  # the line keeps the text of every word, placed or not
        text = " ".join(t for t in (_text(w) for w in word_els) if t)
    else:
        text = _join(indexed, _space_before(parent, word_els) if spaced and parent is not None else None)
    extras = {UNPLACED_WORDS: unplaced} if unplaced and words else {}
    return Line(
        text=text, polygon=poly, words=tuple(words), language=_lang(word_els[0].getparent()), extras=extras
    )


def _following(page: etree._Element) -> list[etree._Element]:
    """The elements after ``page`` that belong to it: its next siblings up to the next page. docTR
    writes its ``ocr_page`` as an empty ``<div/>`` with the page's areas after it, not in it."""
    out: list[etree._Element] = []
    for sib in page.itersiblings():
        if not isinstance(sib.tag, str):
            continue
        if any(isinstance(e.tag, str) and "ocr_page" in classes(e) for e in sib.iter()):
            break
        out.append(sib)
    return out


def _page(
    el: etree._Element,
    index: int,
    warnings: list[str],
    after: Sequence[etree._Element] = (),
    spaced: bool = True,
) -> Page:
    props = title_props(el)
    box = _bbox(props, f"page {index + 1}", warnings)
    # consecutive lines of one paragraph/area (or loose lines of one parent) make one block
    groups: list[tuple[etree._Element, bool, list[Line]]] = []
    n = 0
    for e, loose in _line_elements(el, after):
        n += 1
        what = f"page {index + 1} line {n}"
        line = _loose_line(loose, what, warnings, spaced) if loose else _line(e, what, warnings, spaced)
        if line is None:
            continue
        if loose:  # ``e`` is the words' parent: a block itself, inside one, or the page
            blk = e if classes(e) & set(BLOCK_CLASSES) else _block_of(e)
            owner, is_block = (blk, True) if blk is not None else (e, False)
        else:
            blk = _block_of(e)
            owner, is_block = (blk, True) if blk is not None else (e.getparent(), False)
        if groups and groups[-1][0] is owner:
            groups[-1][2].append(line)
        else:
            groups.append((owner, is_block, [line]))
    blocks: list[Block] = []
    for owner, is_block, lines in groups:
        block_props = title_props(owner) if is_block else {}
        bbox = _bbox(block_props, f"page {index + 1} block", warnings) if is_block else None
        # lines of text only (no bbox anywhere) make a block of text only
        poly = _poly(block_props, bbox) or union_box(x.polygon for x in lines if x.polygon) or ()
        blocks.append(Block(polygon=poly, lines=tuple(lines), language=_lang(owner) if is_block else None))
    extras: dict[str, Any] = {}
    if "image" in props:
        extras["image"] = props["image"].strip().strip("\"'")
    width = box[2] if box and box[2] > 0 else None  # "bbox 0 0 0 0": the size was not known
    height = box[3] if box and box[3] > 0 else None
    return Page(width=width, height=height, blocks=tuple(blocks), index=index, extras=extras)


def read(root: etree._Element) -> Document:
    """An hOCR document (XHTML or HTML) as a Document, in pixels."""
    warnings: list[str] = []
    page_els = [e for e in root.iter() if isinstance(e.tag, str) and "ocr_page" in classes(e)]
    if not page_els:
        body = next((e for e in root.iter() if local(e.tag).lower() == "body"), root)
        page_els = [body]
    # whitespace between two words is a space in their line's text where the file separates words so
    # (Tesseract, ocrviewer: "page," is one word or two without one); a file with none anywhere
    # separates them by markup alone, and every word is a word of its own
    spaced = any(
        _HTML_SPACE.search(e.tail or "")
        for e in root.iter()
        if isinstance(e.tag, str) and classes(e) & WORD_CLASSES
    )
    pages = [
        _page(el, i, warnings, _following(el) if el is not root else (), spaced)
        for i, el in enumerate(page_els)
    ]
    system = None
    for meta in root.iter():
        if local(meta.tag).lower() == "meta" and (meta.get("name") or "").lower() == "ocr-system":
            system = meta.get("content")
    extras = {"ocr_system": system} if system else {}
    return Document(
        pages=tuple(pages), source_format=HOCR, extras=extras, warnings=summarize(_summary(warnings))
    )


# -- writing -------------------------------------------------------------------------------------------
def _int(v: float) -> int:
    return max(0, int(math.floor(v + 0.5)))


def bbox_text(poly: Polygon) -> str:
    """``bbox x0 y0 x1 y1``, and ``; poly x y x y ...`` (whole pixels) where the polygon is no box;
    nothing for an element of text only (no polygon: hOCR's properties are all optional)."""
    if not poly:
        return ""
    x0, y0, x1, y1 = polygon_bbox(poly)
    a, b, c, d = _int(x0), _int(y0), _int(x1), _int(y1)
    text = f"bbox {a} {b} {max(c, a)} {max(d, b)}"
    if not (len(poly) == 4 and set(poly) == {(x0, y0), (x1, y0), (x1, y1), (x0, y1)}):
        text += "; poly " + " ".join(f"{_int(x)} {_int(y)}" for x, y in poly)
    return text


def _baseline(line: Line) -> str | None:
    """``baseline slope offset`` (from the line box's bottom-left corner) of ``extras["baseline"]``."""
    pts = line_baseline(line)
    if pts is None:
        return None
    (ax, ay), (bx, by) = pts[0], pts[-1]
    x0, _, _, y1 = polygon_bbox(line.polygon)
    slope = (by - ay) / (bx - ax) if abs(bx - ax) > 1e-9 else 0.0
    offset = ay + slope * (_int(x0) - ax) - _int(y1)
    return f"baseline {round(slope, 5):g} {round(offset):g}"


def _sub(
    parent: etree._Element, tag: str, cls: str, ident: str, title: str, lang: str | None = None
) -> etree._Element:
    el = etree.SubElement(parent, f"{{{XHTML_NS}}}{tag}", {"class": cls, "id": ident, "title": title})
    if lang:
        el.set("lang", lang)
    return el


def _lay_out(el: etree._Element, depth: int = 0) -> None:
    """Indent the structure (head, pages, areas, paragraphs, lines), never inside a line: whitespace
    between words is text in HTML, and only the line's own spaces belong there."""
    kids = list(el)
    if not kids and el.text is None and local(el.tag) != "meta":
        el.text = ""  # "<div/>" opens an element that never ends where the file is read as HTML
    if not kids or "ocr_line" in classes(el):
        return
    el.text = "\n" + "  " * (depth + 1)
    for k in kids:
        k.tail = "\n" + "  " * (depth + 1)
        _lay_out(k, depth + 1)
    kids[-1].tail = "\n" + "  " * depth


def write(doc: Document, *, image_names: Sequence[str | None] = (), system: str = "ocrviewer") -> bytes:
    """The document as hOCR 1.2 XHTML (pixels of the displayed image)."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS})
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = ""
    etree.SubElement(
        head, f"{{{XHTML_NS}}}meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"}
    )
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", {"name": "ocr-system", "content": system})
    capabilities = etree.SubElement(head, f"{{{XHTML_NS}}}meta", {"name": "ocr-capabilities"})
    etree.SubElement(
        head, f"{{{XHTML_NS}}}meta", {"name": "ocr-number-of-pages", "content": str(len(doc.pages))}
    )
    langs = [b.language for b in doc.blocks() if b.language]
    langs += [line.language for line in doc.lines() if line.language]
    langs += [w.language for w in doc.words() if w.language]
    if langs:  # hOCR recommends naming the document's languages
        content = " ".join(dict.fromkeys(lang.replace(" ", "_") for lang in langs))
        etree.SubElement(head, f"{{{XHTML_NS}}}meta", {"name": "ocr-langs", "content": content})
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    nb = nl = nw = 0
    for pi, page in enumerate(doc.pages):
        p = pi + 1
        parts = []
        name = image_names[pi] if pi < len(image_names) else None
        if name:
            parts.append('image "' + name.replace('"', "'") + '"')
        if page.width is not None and page.height is not None:
            parts.append(f"bbox 0 0 {_int(page.width)} {_int(page.height)}")
        parts.append(f"ppageno {pi}")
        page_el = _sub(body, "div", "ocr_page", f"page_{p}", "; ".join(parts))
        for block in page.blocks:
            nb += 1
            carea = _sub(page_el, "div", "ocr_carea", f"block_{p}_{nb}", bbox_text(block.polygon))
            par = _sub(carea, "p", "ocr_par", f"par_{p}_{nb}", bbox_text(block.polygon), block.language)
            for line in block.lines:
                nl += 1
                parts = [bbox_text(line.polygon)]
                parts.append(_baseline(line) or "")
                if line.confidence is not None and math.isfinite(line.confidence):
                    parts.append(f"x_wconf {max(0, min(100, round(line.confidence * 100)))}")
                title = "; ".join(t for t in parts if t)
                lang = line.language if line.language != block.language else None
                line_el = _sub(par, "span", "ocr_line", f"line_{p}_{nl}", title, lang)
                if not line.words:
                    line_el.text = line.text
                # a space between two words only where the line's text has one, so that the text read
                # off the file (a browser's textContent, hocr-tools' text nodes) is "page," not "page ,"
                gaps = word_gaps(line.text, [w.text for w in line.words])
                word_el: etree._Element | None = None
                for word, gap in zip(line.words, gaps, strict=True):
                    nw += 1
                    parts = [bbox_text(word.polygon)]
                    if word.confidence is not None and math.isfinite(word.confidence):
                        parts.append(f"x_wconf {max(0, min(100, round(word.confidence * 100)))}")
                    title = "; ".join(t for t in parts if t)
                    wl = word.language if word.language not in (line.language, block.language) else None
                    if word_el is not None and gap:
                        word_el.tail = " "
                    word_el = _sub(line_el, "span", "ocrx_word", f"word_{p}_{nw}", title, wl)
                    word_el.text = word.text
    used = ["ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word", "ocrp_wconf"]
    if body.find(".//*[@lang]") is not None:
        used.append("ocrp_lang")
    titles = " ".join(e.get("title", "") for e in body.iter())
    if "baseline" in titles:
        used.append("ocrp_baseline")
    if "; poly " in titles:
        used.append("ocrp_poly")
    capabilities.set("content", " ".join(used))
    # laid out by hand: libxml2's pretty printer would put whitespace between the words of a line
    # that has none (a word and its punctuation), and whitespace there is text in HTML
    _lay_out(html)
    body_bytes = etree.tostring(
        html,
        xml_declaration=True,
        encoding="UTF-8",
        doctype='<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
    )
    return body_bytes
