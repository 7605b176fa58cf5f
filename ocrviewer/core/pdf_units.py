"""PDF pages' UserUnit (PDF 1.6): how many points one unit of the page's user space is.

A large-format drawing (a map, a plan of 200 inches) states its MediaBox in units of, say, 2 points
(``/UserUnit 2``) to stay within the 14,400-unit limit of a page's side. PDFium (pypdfium2) ignores
the entry: its page sizes, text boxes and renders are in user units, so the page came out half its
real size (and at half the dpi the viewer says it is shown at). The entry is read here with
pikepdf (already the searchable PDF writer), once per file.
"""

from __future__ import annotations

import math
import os

#: the largest UserUnit taken as stated; beyond it (a damaged or hostile value) a page is taken as 1
MAX_USER_UNIT = 75_000.0


def user_units(pdf: str | os.PathLike[str] | bytes) -> list[float]:
    """Each page's UserUnit (1.0 where the page states none, or nothing usable); empty when pikepdf
    cannot read the file (PDFium, which renders it, says what is wrong then)."""
    import io

    import pikepdf

    try:
        source = io.BytesIO(pdf) if isinstance(pdf, bytes) else os.fspath(pdf)
        with pikepdf.open(source) as doc:
            return [_unit(page.obj.get("/UserUnit")) for page in doc.pages]
    except Exception:  # a PDF pikepdf cannot read: its pages are taken at 1 unit = 1 point
        return []


def _unit(value: object) -> float:
    try:
        unit = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    return unit if math.isfinite(unit) and 0 < unit <= MAX_USER_UNIT else 1.0


def unit_of(units: list[float], index: int) -> float:
    """Page ``index``'s UserUnit from :func:`user_units`' list (1.0 past its end)."""
    return units[index] if 0 <= index < len(units) else 1.0
