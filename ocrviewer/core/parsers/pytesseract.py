"""pytesseract's ``image_to_data(img, output_type=Output.DICT)`` saved with ``json.dump``.

``{"level": [...], "page_num": [...], "block_num", "par_num", "line_num", "word_num", "left", "top",
"width", "height", "conf", "text"}``: Tesseract's TSV turned into one list per column (numbers as
numbers, ``conf`` -1 where there is none). It is read as the TSV it came from
(:mod:`ocrviewer.core.formats.tsv`), so both give the same document.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ocrviewer.core.model import Document
from ocrviewer.errors import BadResponse

PYTESSERACT = "pytesseract-dict"

#: Tesseract's TSV header (formats.tsv reads the same columns); written out here because importing
#: ocrviewer.core.formats loads lxml, and this is checked on every JSON response that is not ours
_COLUMNS = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)


def is_pytesseract(d: dict[str, Any]) -> bool:
    """Every TSV column is a key holding a list."""
    return all(type(d.get(c)) is list for c in _COLUMNS)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def parse_pytesseract(data: Any) -> Document:
    """The columns back into Tesseract's TSV, read as that (row numbers become entry numbers)."""
    from ocrviewer.core.formats import tsv

    lengths = {c: len(data[c]) for c in _COLUMNS}
    if len(set(lengths.values())) != 1:
        shown = ", ".join(f"{c} {n}" for c, n in lengths.items())
        raise BadResponse(f"the columns have different lengths ({shown}): the file was changed or cut")
    if not lengths["level"]:
        raise BadResponse("pytesseract's data with no entries: Tesseract found no text; check the image")
    rows = ["\t".join(_COLUMNS)]
    rows.extend("\t".join(_cell(data[c][i]) for c in _COLUMNS) for i in range(lengths["level"]))
    try:
        doc = tsv.read("\n".join(rows).encode("utf-8"))
    except BadResponse as err:
        raise BadResponse(_entries(str(err)).replace("Tesseract TSV", "pytesseract's data")) from err
    return replace(doc, source_format=PYTESSERACT, warnings=tuple(_entries(w) for w in doc.warnings))


def _entries(message: str) -> str:
    """``row N`` of the TSV made here is the list entry N - 1 (the header is row 1)."""
    return re.sub(r"\brow (\d+)", lambda m: f"entry {int(m.group(1)) - 1}", message)
