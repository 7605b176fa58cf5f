"""A plain text ground truth (``.txt``): its pages, and which document pages they are (Qt-free).

A text file holds no boxes: one line per text line, pages separated by a form feed (``\\f``) as
Tesseract's ``txt`` output and ``pdftotext`` write them (each ends every page with one). On a
document it is one page of text per document page, in order, or one page of text for one page
(the page shown in the window; page 1 on the command line, or the page its sidecar names).
Any other count is refused in one line: pages matched by position would score the wrong pages.
"""

from __future__ import annotations

import os
from pathlib import Path

from ocrviewer.core.limits import read_limited
from ocrviewer.core.metrics import normalize
from ocrviewer.core.model import Block, Document, Line, Page, Word
from ocrviewer.errors import BadInput

__all__ = ["TEXT_FORMAT", "TEXT_SUFFIXES", "check_text_pages", "is_text_reference", "read_text_reference"]

TEXT_SUFFIXES = (".txt", ".text")
#: the ``source_format`` of a text reference: a result without geometry
TEXT_FORMAT = "text"


def is_text_reference(path: str | os.PathLike[str]) -> bool:
    """A plain text file (by its suffix): read with :func:`read_text_reference`, not a parser."""
    return Path(path).suffix.lower() in TEXT_SUFFIXES


def read_text_reference(path: str | os.PathLike[str]) -> Document:
    """A plain text file as a document without geometry: one Line per non-blank line, pages split by form feed."""
    p = Path(path)
    try:
        raw = read_limited(p)  # the responses' size cap: a huge or endless file is one line
    except OSError as err:
        raise BadInput(f"{p}: cannot read ({err.strerror or err})") from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadInput(f"{p}: not UTF-8 text (byte {err.start}); save the reference as UTF-8") from err
    chunks = text.split("\f")
    if len(chunks) > 1 and not chunks[-1].strip():
        chunks = chunks[:-1]  # Tesseract and pdftotext end every page with a form feed
    pages = []
    for i, chunk in enumerate(chunks):
        lines = []
        for raw_line in chunk.splitlines():
            t = normalize(raw_line)
            if t:
                lines.append(Line(t, (), tuple(Word(tok, ()) for tok in t.split())))
        blocks = (Block((), tuple(lines)),) if lines else ()
        pages.append(Page(None, None, blocks, index=i))
    return Document(pages=tuple(pages), source_format=TEXT_FORMAT)


def check_text_pages(text: Document, path: str | os.PathLike[str], pages: int, document: str) -> None:
    """Refuse a text whose page count fits neither every page of ``document`` nor one page of it."""
    found = len(text.pages)
    if found in (1, pages):
        return
    raise BadInput(
        f"{Path(path).name}: {found} pages of text (split at form feeds) but {document} has {pages}; "
        f"give {pages} pages, each ended by a form feed (\\f) as Tesseract's txt and pdftotext write, "
        "or one page's text (no form feed) for one page"
    )


def text_only_note(name: str, role: str, where: str = "") -> str:
    """What the window says when a result without boxes lands: nothing is drawn, its text is scored."""
    what = "ground truth" if role == "truth" else "result"
    return (
        f"{name}: a text-only {what} (no boxes){where}; nothing is drawn for it: compare mode and the "
        "comparison report score its text (CER/WER)"
    )
