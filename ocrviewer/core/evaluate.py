"""Files in, comparisons out: what ``ocrviewer compare`` and the window's report both run (Qt-free).

:func:`compare_files` loads a reference and results (placed on the same page), compares each
result page by page and refuses what would give a meaningless figure; :func:`comparison_json`
is the ``ocrviewer.comparison/1`` document; :func:`write_report` the HTML report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ocrviewer.core.compare import DETECTION_IOU, Comparison, compare_documents
from ocrviewer.core.metrics import NORMALIZATIONS, check_normalization
from ocrviewer.core.output import write_atomic
from ocrviewer.core.references import Backdrop, CompareInput, ResultSet, load_inputs
from ocrviewer.errors import BadInput

__all__ = ["DEFINITIONS", "SCHEMA", "Row", "compare_files", "comparison_json", "definitions", "write_report"]

SCHEMA = "ocrviewer.comparison/1"
#: How each figure is defined, written into the JSON and the report (with the default normalization).
DEFINITIONS: dict[str, str] = {
    "normalization": NORMALIZATIONS["exact"],
    "cer": "edit distance over grapheme clusters / reference length in grapheme clusters, per reference "
    "line against the result words aligned to it; lines summed to blocks, pages and the document (line "
    "breaks are no characters); not capped at 1",
    "wer": "edit distance over words (whitespace-separated, punctuation included) / reference word count, "
    "per line as above",
    "wer_unordered": "bag of words: max(|ref - result|, |result - ref|) over word multisets / reference "
    "word count (order ignored)",
    "words": "alignment: polygon IoU first, then text similarity within the line; matched = equal + "
    "substituted, missed = reference words left unmatched, extra = result words left unmatched; "
    "split = reference words read as 2 or more consecutive result words (run together, they read as the "
    "word within one edit in five; with boxes, the pieces lie within its box), merged = result words that "
    "so read as 2 or more consecutive reference words; their pieces are counted in no other status. "
    "These name differences only: CER and WER are as without them",
    "detection": f"one-to-one word polygons with IoU >= {DETECTION_IOU}, text ignored; null without geometry",
}


def definitions(normalization: str = "exact") -> dict[str, str]:
    """:data:`DEFINITIONS` with the normalization the comparison used."""
    return {**DEFINITIONS, "normalization": NORMALIZATIONS[check_normalization(normalization)]}


def _normalization(rows: list[Row]) -> str:
    return rows[0][1].normalization if rows else "exact"


#: One result: its source, its comparison, and notes a reader of its figures needs.
Row = tuple[CompareInput, Comparison, list[str]]


def _check(ref: CompareInput, res: CompareInput, comparison: Comparison) -> list[str]:
    """Refuse what would be a meaningless figure; return notes a reader of the figures needs."""
    notes: list[str] = []
    for page in comparison.pages:
        if page.unrelated:
            shared = page.counts()["equal"]
            raise BadInput(
                f"{res.path}: page {page.index + 1} shares almost nothing with the reference {ref.name} "
                f"({shared} equal words, no overlapping boxes); are they for different pages?"
            )
    if not ref.geometry:
        for rp, sp in zip(ref.document.pages, res.document.pages, strict=True):
            nr = sum(1 for _ in rp.lines())
            ns = sum(1 for ln in sp.lines() if ln.text.strip())
            if nr != ns:
                where = f" page {rp.index + 1}" if len(ref.document.pages) > 1 else ""
                notes.append(
                    f"{ref.name}{where} has {nr} lines, {res.name} {ns}: lines were paired by text; unpaired "
                    "lines count as missed/extra"
                )
    if ref.geometry and not res.geometry:
        notes.append(f"{res.name} has no geometry: text metrics only, detection n/a")
    return notes + [f"{res.name}: {w}" for w in comparison.warnings]


def compare_files(
    image: str | None,
    reference: str,
    results: Sequence[str | ResultSet],
    frame: str = "auto",
    pages: Mapping[str, int] | None = None,
    normalization: str = "exact",
) -> tuple[Backdrop, CompareInput, list[Row]]:
    """Load and compare; errors are one line (BadInput). ``image`` may be a PDF or a folder
    (``pages``: the page a one-page file goes on, see :func:`load_inputs`); a :class:`ResultSet`
    (one engine's file per page) is one result; ``normalization`` one of ``metrics.NORMALIZATIONS``."""
    check_normalization(normalization)
    backdrop, ref, sources = load_inputs(image, reference, results, frame, pages)
    if ref.word_count == 0:
        raise BadInput(f"{reference}: the reference has no text; there is nothing to score against")
    out = []
    for src in sources:
        try:
            comparison = compare_documents(
                ref.document,
                src.document,
                geometry=ref.geometry and src.geometry,
                misplaced_by_text=True,
                normalization=normalization,
            )
        except BadInput as err:
            raise BadInput(f"{src.path}: {err}") from err
        out.append((src, comparison, _check(ref, src, comparison)))
    return backdrop, ref, out


def comparison_json(backdrop: Backdrop, ref: CompareInput, rows: list[Row]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "normalization": _normalization(rows),
        "definitions": definitions(_normalization(rows)),
        "image": backdrop.name,
        "reference": {
            "path": os.path.basename(ref.path),
            "format": ref.format,
            "geometry": ref.geometry,
            "pages": len(ref.document.pages),
            "words": ref.word_count,
        },
        "results": [
            {
                "path": os.path.basename(src.path),
                **(
                    {"name": src.name, "files": [os.path.basename(f) for f in src.files]} if src.files else {}
                ),
                "format": src.format,
                **comparison.to_dict(),
                "notes": notes,
            }
            for src, comparison, notes in rows
        ],
    }


def write_report(
    path: str | os.PathLike[str], backdrop: Backdrop, ref: CompareInput, rows: list[Row]
) -> Path:
    """The HTML report written to ``path`` (never over an input)."""
    from ocrviewer.core.report import render_report

    html = render_report(backdrop, ref, rows, definitions=definitions(_normalization(rows)))
    inputs = [backdrop.path, ref.path, *(f for src, _, _ in rows for f in (src.path, *src.files))]
    return write_atomic(path, html, inputs=inputs)
