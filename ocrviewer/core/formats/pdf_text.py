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

from ocrviewer.core.model import Block, Document, Line, Page, Polygon, Word, polygon_from_bbox
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


def _page(textpage: object, width: float, height: float, index: int) -> Page:
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
            left, bottom, right, top = textpage.get_charbox(i, loose=True)  # type: ignore[attr-defined]
            text.append("-")
            boxes.append((left, height - top, right, height - bottom))
            end_line()
        elif not ch.strip():
            end_word()
        else:
            left, bottom, right, top = textpage.get_charbox(i, loose=True)  # type: ignore[attr-defined]
            text.append(ch)
            boxes.append((left, height - top, right, height - bottom))
    end_line()
    blocks = (Block(_union([line.bbox for line in lines]), tuple(lines)),) if lines else ()
    return Page(width=width, height=height, blocks=blocks, unit="point", index=index)


def read(raw: bytes) -> Document:
    """The text layer of every page; BadResponse for a PDF PDFium cannot open or one without text."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as err:
        raise BadResponse(
            f"a PDF that cannot be read ({err}); give a searchable PDF or an OCR response"
        ) from err
    pages: list[Page] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                width, height = page.get_size()
                textpage = page.get_textpage()
                try:
                    pages.append(_page(textpage, float(width), float(height), i))
                finally:
                    textpage.close()
            finally:
                page.close()
    finally:
        pdf.close()
    if not any(p.blocks for p in pages):
        raise BadResponse(
            "the PDF has no text layer (a scan without OCR); open it as the image and give its OCR response"
        )
    return Document(pages=tuple(pages), source_format=PDF_TEXT)
