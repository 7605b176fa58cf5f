"""A PDF's text layer as a response: the words a searchable PDF carries, with their boxes.

This closes the round trip of :mod:`ocrviewer.core.formats.searchable_pdf` (a result written as a
searchable PDF opens again as that result) and opens the text layer of any searchable PDF
(Tesseract's, OCRmyPDF's). Characters and their boxes come from PDFium (pypdfium2, already the PDF
renderer); words are runs of characters between spaces, lines what PDFium ends with a line break,
one block per page (a line-end hyphen PDFium joins to the next line ends its line again; ligatures come
back as their letters, as PDFium gives them). Coordinates are PDF points from the page's top-left corner (``unit="point"``),
so placing the result on the page's image scales by the image size, as for any response in points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ocrviewer.core.model import Block, Document, Line, Page, Polygon, Word, polygon_from_bbox
from ocrviewer.core.pdf_units import unit_of, user_units
from ocrviewer.errors import BadResponse

PDF_TEXT = "pdf-text"
FORMATS = {PDF_TEXT: "text layer of a searchable PDF (ocrviewer's, Tesseract's, OCRmyPDF's), read by PDFium"}


def is_pdf(raw: bytes) -> bool:
    """True when the bytes are a PDF (they start with its ``%PDF-`` header)."""
    return raw.lstrip(b"\x00\t\r\n ")[:5] == b"%PDF-"


def _union(boxes: list[tuple[float, float, float, float]]) -> Polygon:
    return polygon_from_bbox(
        min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)
    )


def _same_line(a: tuple[float, ...], b_poly: Polygon) -> bool:
    """True when box ``b`` continues line box ``a`` sideways: mostly the same height, no overlap across."""
    b = (
        min(x for x, _ in b_poly),
        min(y for _, y in b_poly),
        max(x for x, _ in b_poly),
        max(y for _, y in b_poly),
    )
    shared = min(a[3], b[3]) - max(a[1], b[1])
    height = min(a[3] - a[1], b[3] - b[1])
    return height > 0 and shared >= 0.5 * height and (b[0] >= a[2] - 1 or b[2] <= a[0] + 1)


def _page(textpage: object, crop: tuple[float, float, float, float], index: int) -> Page:
    """The page's text in the unrotated page's frame: points from the crop box's top-left corner."""
    left, bottom, right, top_edge = crop
    width, height = right - left, top_edge - bottom
    lines: list[Line] = []
    words: list[Word] = []
    text: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []

    def end_word() -> None:
        if text:
            words.append(Word("".join(text), _union(boxes)))
        text.clear()
        boxes.clear()

    def end_line() -> None:
        end_word()
        if words:
            found = tuple(words)
            if lines and _same_line(lines[-1].bbox, _union([w.bbox for w in found])):
                found = lines.pop().words + found  # PDFium broke one line at a wide gap
            poly = _union([w.bbox for w in found])
            lines.append(Line(" ".join(w.text for w in found), poly, found))
        words.clear()

    count = textpage.count_chars()  # type: ignore[attr-defined]
    for i in range(count):
        ch = textpage.get_text_range(i, 1)  # type: ignore[attr-defined]
        if ch in ("\r", "\n"):
            end_line()
        elif ch == "\ufffe":  # PDFium's mark for a hyphen ending a line, whose break it then leaves out
            x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)  # type: ignore[attr-defined]
            text.append("-")
            boxes.append((x0 - left, top_edge - y1, x1 - left, top_edge - y0))
            end_line()
        elif not ch.strip():
            end_word()
        else:
            x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)  # type: ignore[attr-defined]
            text.append(ch)
            boxes.append((x0 - left, top_edge - y1, x1 - left, top_edge - y0))
    end_line()
    blocks = (Block(_union([line.bbox for line in lines]), tuple(lines)),) if lines else ()
    return Page(width=width, height=height, blocks=blocks, unit="point", index=index)


def _words_in_page_order(page: Page) -> Page:
    """``page`` with each line's words in the order they stand on the unturned page, where PDFium gave
    them backwards (it does so on a page turned upside down by ``/Rotate 180``): a line whose words
    run strictly right to left is turned round (its characters are in order already)."""

    def line(ln: Line) -> Line:
        xs = [w.bbox[0] for w in ln.words]
        if len(xs) < 2 or any(a <= b for a, b in zip(xs, xs[1:], strict=False)):
            return ln
        words = ln.words[::-1]
        return replace(ln, words=words, text=" ".join(w.text for w in words))

    blocks = tuple(replace(b, lines=tuple(line(ln) for ln in b.lines)) for b in page.blocks)
    return replace(page, blocks=blocks)


def _turned(page: Page, rotation: int) -> Page:
    """``page`` as the PDF shows it: turned clockwise by the page's ``/Rotate`` (the picture the viewer
    renders is turned so, and PDFium gives character boxes in the unturned page)."""
    rotation %= 360
    if rotation not in (90, 180, 270) or page.width is None or page.height is None:
        return page
    w, h = page.width, page.height

    def pt(x: float, y: float) -> tuple[float, float]:
        if rotation == 90:
            return h - y, x
        if rotation == 180:
            return w - x, h - y
        return y, w - x

    blocks = _mapped(page, pt)
    size = (h, w) if rotation in (90, 270) else (w, h)
    return replace(page, width=size[0], height=size[1], blocks=blocks)


def _in_points(page: Page, unit: float) -> Page:
    """``page`` (in PDFium's user units) in points: its size and boxes times its /UserUnit."""
    if unit == 1.0 or page.width is None or page.height is None:
        return page
    blocks = _mapped(page, lambda x, y: (x * unit, y * unit))
    return replace(page, width=page.width * unit, height=page.height * unit, blocks=blocks)


def _mapped(page: Page, pt: Callable[[float, float], tuple[float, float]]) -> tuple[Block, ...]:
    """``page``'s blocks, every polygon's points through ``pt``."""

    def poly(p: Polygon) -> Polygon:
        return tuple(pt(x, y) for x, y in p)

    return tuple(
        replace(
            b,
            polygon=poly(b.polygon),
            lines=tuple(
                replace(
                    ln,
                    polygon=poly(ln.polygon),
                    words=tuple(replace(wd, polygon=poly(wd.polygon)) for wd in ln.words),
                )
                for ln in b.lines
            ),
        )
        for b in page.blocks
    )


def read(raw: bytes) -> Document:
    """The text layer of every page; BadResponse for a PDF PDFium cannot open or one without text."""
    from ocrviewer.core.pdfium_lock import PDFIUM_LOCK

    # PDFium must not run in two threads at once: the window renders pages while a result is read
    with PDFIUM_LOCK:
        pages = _read_pages(raw)
    if not any(p.blocks for p in pages):
        raise BadResponse(
            "the PDF has no text layer (a scan without OCR); open it as the image and give its OCR response"
        )
    return Document(pages=tuple(pages), source_format=PDF_TEXT)


def _read_pages(raw: bytes) -> list[Page]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as err:
        raise BadResponse(
            f"a PDF that cannot be read ({err}); give a searchable PDF or an OCR response"
        ) from err
    units = user_units(raw)
    pages: list[Page] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                crop = tuple(float(v) for v in page.get_cropbox())
                textpage = page.get_textpage()
                try:
                    one = _page(textpage, crop, i)  # type: ignore[arg-type]
                finally:
                    textpage.close()
                rotation = page.get_rotation()
                if rotation % 360 == 180:
                    one = _words_in_page_order(one)
                pages.append(_turned(_in_points(one, unit_of(units, i)), rotation))
            finally:
                page.close()
    finally:
        pdf.close()
    return pages
