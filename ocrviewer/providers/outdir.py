"""A batch's OUTDIR read back: whether a path is one, the document it read, each response's page.

The window (a folder dropped or opened) and the command line (``export``/``render``/``info``
with ``--response OUTDIR``) both open an OUTDIR: they find its manifest, its records and the
source page of each response here, so the two cannot drift apart.
"""

from __future__ import annotations

import os
from pathlib import Path

from ocrviewer.errors import BadInput
from ocrviewer.providers.batch import MANIFEST, Record, read_manifest

#: what the first line of a manifest holds (its schema's name), whatever the file is called
MANIFEST_MARK = b'"ocrviewer.manifest/'


def is_outdir(path: str | os.PathLike[str]) -> bool:
    """A batch's OUTDIR: a folder holding ``manifest.jsonl``."""
    return Path(path).is_dir() and (Path(path) / MANIFEST).is_file()


def is_manifest(path: str | os.PathLike[str]) -> bool:
    """A manifest file given by itself (a ``.jsonl`` whose first line names the manifest schema)."""
    p = Path(path)
    if p.suffix.lower() != ".jsonl":
        return False
    try:
        with open(p, "rb") as fh:
            return MANIFEST_MARK in fh.readline()
    except OSError:
        return False


def response_page(record: Record) -> int | None:
    """The source page (0-based) a record's response is for; None: a whole-document response,
    whose pages say which source page each is."""
    if record.covered is not None:
        return None
    return record.page - 1 if record.page else record.position


def source_records(records: list[Record], source_name: str) -> list[Record]:
    """The records of ``source_name`` that have a response (a failed input has none)."""
    return [r for r in records if r.source == source_name and r.response]


def outdir_responses(path: str | os.PathLike[str], source_name: str) -> tuple[Path, dict[str, int | None]]:
    """(the manifest, each response of ``source_name`` -> the source page it is for) of a batch's
    OUTDIR or its manifest; one line when it holds none for that document."""
    p = Path(path)
    if p.is_dir() and not is_outdir(p):
        raise BadInput(f"{path}: a folder without {MANIFEST}; give a response file or a batch's OUTDIR")
    manifest = p / MANIFEST if p.is_dir() else p
    records = source_records(read_manifest(manifest), source_name)
    if not records:
        raise BadInput(f"{manifest}: has no results for {source_name}; is it the batch of another document?")
    return manifest, {str(manifest.parent / str(r.response)): response_page(r) for r in records}


def outdir_source(outdir: str | os.PathLike[str]) -> tuple[Path, list[Record]]:
    """The document a batch's OUTDIR was made from and its records that have a response.

    The responses' sidecars name the document (or its page image's folder); failing that, a file
    of the manifest's source name next to the OUTDIR or in it.
    """
    from ocrviewer.core.sidecar import read_sidecar

    folder = Path(outdir)
    records = read_manifest(folder / MANIFEST)
    if not records:
        raise BadInput(f"{folder}: the manifest lists nothing; run a batch into it first")
    name = records[0].source
    mine = source_records(records, name)
    for rec in mine:
        sidecar = read_sidecar(folder / str(rec.response))
        if sidecar is None or not sidecar.image_path:
            continue
        image = Path(sidecar.image_path)
        path = image if (rec.page is not None or rec.covered is not None) else image.parent
        if path.exists():
            return path, mine
    for guess in (folder.parent / name, folder / name):
        if guess.exists():
            return guess, mine
    raise BadInput(
        f"{folder}: cannot find {name}, the document this batch read; put it next to the OUTDIR "
        f"(or open it and then its responses)"
    )
