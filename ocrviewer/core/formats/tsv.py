"""Tesseract's TSV (``tesseract IMAGE OUT tsv``, pytesseract's ``image_to_data``): read.

One row per element: ``level`` 1 page (its box is the page size), 2 block, 3 paragraph, 4 line,
5 word, with ``left top width height`` in pixels and ``conf`` 0-100 (-1 where there is none). Blocks
are Tesseract's paragraphs, as the hOCR reader makes them from ``ocr_par``, so a page's TSV and hOCR
give the same document. Told by its header row, never the file name.
"""

from __future__ import annotations

import csv
import math

from ocrviewer.core.formats._xml import union_box
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from ocrviewer.errors import BadResponse

TSV = "tesseract-tsv"
FORMATS = {TSV: "Tesseract TSV (level/page_num/.../conf/text rows; pytesseract image_to_data)"}
_HEADER = ("level", "page_num", "block_num", "par_num", "line_num", "word_num")
_COLUMNS = (*_HEADER, "left", "top", "width", "height", "conf", "text")


#: byte-order marks of the encodings other than UTF-8 a TSV comes in (Windows PowerShell's ``>`` writes
#: UTF-16 LE with a BOM when Tesseract's ``stdout`` is redirected)
_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _codec(raw: bytes) -> tuple[str, int]:
    """The codec of ``raw`` and the length of its byte-order mark."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32", 0
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return codec, len(bom)
    return "utf-8-sig", 0


#: what pandas writes over its index column (``DataFrame.to_csv`` of pytesseract's DATAFRAME output)
_INDEX_NAMES = ("", "Unnamed: 0", "index")


def _layout(first: str) -> tuple[str, int] | None:
    """(delimiter, leading columns to skip) of a header row: Tesseract's own TSV, or pytesseract's
    ``image_to_data(output_type=DATAFRAME)`` saved by pandas (tabs or commas, with or without its
    index column); None for anything else."""
    for delimiter in ("\t", ","):
        cells = [c.strip().strip('"') for c in first.split(delimiter)]
        for skip in (0, 1):
            if tuple(cells[skip : skip + 6]) == _HEADER and (skip == 0 or cells[0] in _INDEX_NAMES):
                return delimiter, skip
    return None


def is_tsv(raw: bytes) -> bool:
    """True when the first line is Tesseract's TSV header (or that table saved by pandas)."""
    # the header is short: look at the file's start only (a 10 MB one-line JSON is not split)
    codec, skip = _codec(raw)
    head = raw[skip : skip + 512].decode(codec, errors="replace")
    first = head.split("\n", 1)[0].rstrip("\r")
    return _layout(first) is not None


def read(raw: bytes) -> Document:
    """A Tesseract TSV file as a Document in pixels."""
    codec, skip = _codec(raw)
    try:
        text = raw[skip:].decode(codec)
    except UnicodeDecodeError as err:
        raise BadResponse(
            f"Tesseract TSV that is not {codec.upper().replace('-SIG', '')} text (byte {err.start})"
        ) from err
    # rows end at a newline only: a word may hold a form feed, U+2028 or U+0085 (str.splitlines would
    # cut the row there)
    rows = [r[:-1] if r.endswith("\r") else r for r in text.split("\n")]
    layout = _layout(rows[0])
    header = [c.strip().strip('"') for c in rows[0].split(layout[0] if layout else "\t")]
    if layout is None or tuple(header[layout[1] : layout[1] + len(_COLUMNS)]) != _COLUMNS:
        got = header[layout[1] :] if layout else header
        missing = [c for c in _COLUMNS if c not in got]
        if missing and got == list(_COLUMNS[: len(got)]):
            raise BadResponse(
                f"Tesseract TSV whose header stops after {got[-1]!r} (no {', '.join(missing)}): the file "
                "is cut off; give the whole file tesseract wrote"
            )
        raise BadResponse(
            f"Tesseract TSV with unexpected columns {header[:12]!r} (Tesseract writes "
            f"{' '.join(_COLUMNS)}); give the file tesseract wrote, unchanged"
        )
    delimiter, lead = layout
    if (delimiter, lead) != ("\t", 0):  # saved by pandas: quoted fields, an index column
        table = csv.reader(rows[1:], delimiter=delimiter)
        rows = [rows[0]] + ["\t".join(cells[lead:]) for cells in table]
    sizes: dict[int, tuple[float, float]] = {}
    line_boxes: dict[tuple[int, ...], tuple[float, float, float, float]] = {}
    par_boxes: dict[tuple[int, ...], tuple[float, float, float, float]] = {}
    words: dict[tuple[int, ...], list[Word]] = {}
    warnings: list[str] = []
    data_rows = 0
    for n, row in enumerate(rows[1:], start=2):
        if not row.strip():
            continue
        data_rows += 1
        cells = row.split("\t", len(_COLUMNS) - 1)
        if len(cells) < len(_COLUMNS) - 1:
            warnings.append(f"row {n}: {len(cells)} columns, not {len(_COLUMNS)}; skipped")
            continue
        try:
            level, page, block, par, line, _ = (int(float(c)) for c in cells[:6])
            left, top, width, height, conf = (float(c) for c in cells[6:11])
        except ValueError:
            warnings.append(f"row {n}: not numbers where numbers belong; skipped")
            continue
        if not all(math.isfinite(v) for v in (left, top, width, height, conf)) or width < 0 or height < 0:
            warnings.append(f"row {n}: a box that is no box; skipped")
            continue
        box = (left, top, left + width, top + height)
        key = (page, block, par, line)
        if level == 1:
            sizes[page] = (width, height)
        elif level == 3:
            par_boxes[(page, block, par)] = box
        elif level == 4:
            line_boxes[key] = box
        elif level == 5:
            word_text = (cells[11] if len(cells) > 11 else "").strip()
            if word_text:
                confidence = conf / 100.0 if 0 <= conf <= 100 else None
                words.setdefault(key, []).append(Word(word_text, polygon_from_bbox(*box), confidence))
    pages: list[Page] = []
    for page_num in sorted(set(sizes) | {k[0] for k in line_boxes} | {k[0] for k in words}):
        blocks: dict[tuple[int, int], list[Line]] = {}
        for line_key in sorted(set(line_boxes) | set(words)):
            if line_key[0] != page_num:
                continue
            found = tuple(words.get(line_key, ()))
            poly = (
                polygon_from_bbox(*line_boxes[line_key])
                if line_key in line_boxes
                else union_box(w.polygon for w in found)
            )
            if poly is None or not found:
                continue  # a line without words: Tesseract writes none such with text
            blocks.setdefault((line_key[1], line_key[2]), []).append(
                Line(" ".join(w.text for w in found), poly, found)
            )
        page_blocks = []
        for (block, par), lines in blocks.items():
            stated = par_boxes.get((page_num, block, par))
            poly = polygon_from_bbox(*stated) if stated else union_box(x.polygon for x in lines)
            assert poly is not None
            page_blocks.append(Block(poly, tuple(lines)))
        w, h = sizes.get(page_num, (0.0, 0.0))
        pages.append(Page(width=w or None, height=h or None, blocks=tuple(page_blocks), index=len(pages)))
    if not pages:
        raise BadResponse(_why_empty(data_rows, warnings))
    return Document(pages=tuple(pages), source_format=TSV, warnings=tuple(warnings))


def _why_empty(data_rows: int, warnings: list[str]) -> str:
    """What is wrong with a Tesseract TSV that gave no page, and what to do."""
    if data_rows == 0:
        return (
            "Tesseract TSV with its header and no rows: Tesseract found no text (or the file was cut off "
            "after its first line); check the image, or run tesseract again"
        )
    if len(warnings) == data_rows:
        first = warnings[0].removesuffix("; skipped")
        more = f"; {data_rows - 1} more row(s) as bad" if data_rows > 1 else ""
        return (
            f"Tesseract TSV whose {data_rows} row(s) cannot be read ({first}{more}): it was changed or is "
            "not Tesseract's; give the file tesseract wrote, unchanged"
        )
    return (
        f"Tesseract TSV with {data_rows} row(s) but no page, line or word (levels 1, 4 and 5); give the "
        "whole file tesseract wrote"
    )


_TABLE_SUFFIXES = (".tsv", ".tab", ".csv")


def not_tesseract_table(raw: bytes, name: str) -> str | None:
    """The message for a table that is not Tesseract's TSV (another program's .tsv or .csv), or None
    when ``raw`` does not look like a table: it would otherwise be reported as 'not JSON'."""
    if not raw.strip():
        return None  # told as an empty file
    codec, skip = _codec(raw)
    first = raw[skip : skip + 512].decode(codec, errors="replace").split("\n", 1)[0].rstrip("\r")
    tabs = first.count("\t")
    if not (name.lower().endswith(_TABLE_SUFFIXES) or tabs >= 3):
        return None
    shown = first if len(first) <= 60 else first[:57] + "..."
    return (
        f"a table whose first line is {shown!r}, not Tesseract's TSV header ({' '.join(_HEADER)} ...); "
        "give the .tsv that 'tesseract IMAGE OUT tsv' writes, or an OCR response"
    )
