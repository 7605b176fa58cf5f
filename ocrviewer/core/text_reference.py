"""A plain text ground truth (``.txt``): its pages, and which document pages they are (Qt-free).

A text file holds no boxes: one line per text line, pages separated by a form feed (``\\f``) as
Tesseract's ``txt`` output and ``pdftotext`` write them (each ends every page with one). On a
document it is one page of text per document page, in order, or one page of text for one page
(the page shown in the window; page 1 on the command line, or the page its sidecar names).
Any other count is refused in one line: pages matched by position would score the wrong pages.

A folder of text files is a ground truth of one file per page (``page1.txt`` ... ``page10.txt``, or
``scan_0001.txt`` beside ``scan_0001.tif``; OCR-D's and Calamari's ``.gt.txt`` too): each file is
the page its name names (the page image of the same name, or the page number in it), else the page
at its place in the natural order of the names. A count that differs from the document's, or two
files naming one page, is refused in one line saying what to do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ocrviewer.core.limits import read_limited
from ocrviewer.core.metrics import normalize
from ocrviewer.core.model import Block, Document, Line, Page, Word
from ocrviewer.errors import BadInput

__all__ = [
    "TEXT_FORMAT",
    "TEXT_SUFFIXES",
    "check_text_pages",
    "is_text_folder",
    "is_text_reference",
    "read_text_reference",
    "text_files",
]

TEXT_SUFFIXES = (".txt", ".text")
#: the ``source_format`` of a text reference: a result without geometry
TEXT_FORMAT = "text"


#: a batch's OUTDIR holds this; such a folder is results, never a ground truth
_MANIFEST = "manifest.jsonl"


def text_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The text files directly in ``folder`` (hidden ones left out), in the natural order of their names."""
    from ocrviewer.core.sources import natural_key

    try:
        entries = list(os.scandir(folder))
    except OSError as err:
        raise BadInput(f"{folder}: cannot read the folder ({err.strerror or err})") from err
    files = [
        Path(e.path)
        for e in entries
        if not e.name.startswith(".") and Path(e.name).suffix.lower() in TEXT_SUFFIXES and e.is_file()
    ]
    return sorted(files, key=lambda f: natural_key(f.name))


def is_text_folder(path: str | os.PathLike[str]) -> bool:
    """A folder holding text files (one per page) and no batch manifest: a ground truth folder."""
    p = Path(path)
    if not p.is_dir() or (p / _MANIFEST).exists():
        return False
    try:
        return bool(text_files(p))
    except BadInput:
        return False


def is_text_reference(path: str | os.PathLike[str]) -> bool:
    """A plain text file (by its suffix), or a folder of them: read with :func:`read_text_reference`,
    not a parser."""
    return Path(path).suffix.lower() in TEXT_SUFFIXES or is_text_folder(path)


def read_text_reference(
    path: str | os.PathLike[str], page_names: Sequence[str] | None = None, kind: str = ""
) -> Document:
    """A plain text file as a document without geometry: one Line per non-blank line, pages split by
    form feed. A folder of text files (:func:`read_text_folder`): one page per file, on the pages of
    the document whose ``page_names`` (its pages' file names) and ``kind`` ("folder", "pdf", "tiff")
    are given; without them in the natural order of the names."""
    if Path(path).is_dir():
        return read_text_folder(path, page_names, kind)
    return _read_text_file(path)


def _read_text_file(path: str | os.PathLike[str]) -> Document:
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


#: a ground truth's own ending before .txt (OCR-D, Calamari and kraken write ``line.gt.txt``)
_GT_END = re.compile(r"\.gt$", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


def _stem(name: str) -> str:
    """``scan_0001`` of ``scan_0001.gt.txt`` and of ``scan_0001.tif`` (case ignored)."""
    base = os.path.basename(name.split("#", 1)[0])
    return _GT_END.sub("", os.path.splitext(base)[0]).casefold()


def _number(stem: str) -> int | None:
    """The last number in a name (``12`` of ``page12``, ``1`` of ``scan_0001``), or None."""
    found = _NUMBER.findall(stem)
    return int(found[-1]) if found else None


def _one_per_number(files: list[Path], folder: Path) -> dict[int, Path] | None:
    """Each file by the number in its name; None when a name has none. Two naming one: refused."""
    by_number: dict[int, Path] = {}
    for f in files:
        n = _number(_stem(f.name))
        if n is None:
            return None
        if n in by_number:
            raise BadInput(
                f"{folder.name}: {by_number[n].name} and {f.name} both name page {n}; keep one text file per page"
            )
        by_number[n] = f
    return by_number


def match_text_files(
    folder: str | os.PathLike[str], files: list[Path], page_names: Sequence[str], kind: str = ""
) -> list[Path]:
    """``files`` in the order of the document's pages (``page_names``: the pages' file names).

    A folder of page images (or one image, ``kind`` "image": its file among many): a text file per image by name (``scan_0001.txt`` for ``scan_0001.tif``),
    else by the number in the names (``page3.txt`` for ``IMG_0003.jpg``). A PDF or TIFF: by the page
    number in the names (from 1, or from 0 when a ``0`` is there and the last page's is not). Else the
    natural order of the names. Refused in one line: another count, or two files naming one page.
    """
    folder = Path(folder)
    n = len(page_names)
    named = kind in ("folder", "image")  # pages that are image files, named
    if n == 1 and named and len(files) > 1:  # one image of the folder's pages: its own file
        mine = [f for f in files if _stem(f.name) == _stem(page_names[0])]
        if len(mine) == 1:
            return mine
    if len(files) != n:
        raise BadInput(
            f"{folder.name}: {len(files)} text file(s) but the document has {n} page(s); give one .txt per page, "
            "named so they sort in page order (page1.txt, page2.txt ... page10.txt) or after the page images "
            "(scan_0001.txt for scan_0001.tif)"
        )
    if named:
        stems = [_stem(name) for name in page_names]
        if len(set(stems)) == n:
            by_stem = {_stem(f.name): f for f in files}
            if len(by_stem) == n and set(by_stem) == set(stems):
                return [by_stem[st] for st in stems]
    by_number = _one_per_number(files, folder)
    if by_number is not None:
        if named:
            pages = [_number(_stem(name)) for name in page_names]
            if None not in pages and len(set(pages)) == n and set(pages) == set(by_number):
                return [by_number[p] for p in pages]  # type: ignore[index]
        elif set(by_number) == set(range(1, n + 1)):
            return [by_number[i + 1] for i in range(n)]
        elif set(by_number) == set(range(n)):
            return [by_number[i] for i in range(n)]
    from ocrviewer.core.sources import natural_key

    for a, b in zip(files, files[1:], strict=False):
        if [k[:2] for k in natural_key(a.name)] == [k[:2] for k in natural_key(b.name)]:
            raise BadInput(
                f"{folder.name}: {a.name} and {b.name} sort alike; rename one so the page order is clear"
            )
    return files


def read_text_folder(
    path: str | os.PathLike[str], page_names: Sequence[str] | None = None, kind: str = ""
) -> Document:
    """A folder of text files as one document without geometry: each file one page (its form feeds
    are no page breaks of their own: a per-page file holds one page), on the page it names."""
    folder = Path(path)
    files = text_files(folder)
    if not files:
        raise BadInput(f"{folder}: no .txt files in the folder; give a folder of one .txt per page")
    if page_names is not None:
        files = match_text_files(folder, files, page_names, kind)
    pages = []
    for i, f in enumerate(files):
        one = _read_text_file(f)
        if len(one.pages) > 1:
            raise BadInput(
                f"{f}: {len(one.pages)} pages of text (split at form feeds) in a folder of one file per page; "
                "split it into one file per page, or give that file alone"
            )
        blocks = one.pages[0].blocks if one.pages else ()
        pages.append(Page(None, None, blocks, index=i, extras={"file": f.name}))
    return Document(pages=tuple(pages), source_format=TEXT_FORMAT, extras={"files": [f.name for f in files]})
