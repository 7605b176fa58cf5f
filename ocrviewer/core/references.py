"""What ``compare`` reads: a reference and results, all placed on the same page (Qt-free).

A reference is any result: a ground truth in normalized JSON (``ocrviewer.document/1``), any
response format the parsers read, another engine's result, or a plain text file (``.txt``, UTF-8,
one line per text line, pages separated by a form feed as Tesseract writes them). A text
reference has no geometry: only text metrics are computed against it, detection is n/a.

Everything with geometry goes through :func:`~ocrviewer.core.loading.load_result`, so a
reference and a result made from differently rotated or shrunk copies of the image still land
on the same pixels. Without an image the reference's page stands in for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.loading import LoadedResult, load_result
from ocrviewer.core.metrics import normalize
from ocrviewer.core.model import Block, Document, Line, Page, Word
from ocrviewer.errors import BadInput

__all__ = ["TEXT_SUFFIXES", "CompareInput", "load_inputs", "read_text_reference"]

TEXT_SUFFIXES = (".txt", ".text")


@dataclass(frozen=True)
class CompareInput:
    """A reference or a result, ready to compare."""

    path: str
    document: Document  # placed on the displayed image (pixels); text references: no polygons
    geometry: bool
    format: str
    loaded: LoadedResult | None = None
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def word_count(self) -> int:
        return sum(len(normalize(line.text).split()) for line in self.document.lines())


def read_text_reference(path: str | os.PathLike[str]) -> Document:
    """A plain text file as a document without geometry: one Line per non-blank line, pages split by form feed."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise BadInput(f"{p}: cannot read ({err.strerror or err})") from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BadInput(f"{p}: not UTF-8 text (byte {err.start}); save the reference as UTF-8") from err
    chunks = text.split("\f")
    if len(chunks) > 1 and not chunks[-1].strip():
        chunks = chunks[:-1]  # Tesseract ends every page with a form feed
    pages = []
    for i, chunk in enumerate(chunks):
        lines = []
        for raw_line in chunk.splitlines():
            t = normalize(raw_line)
            if t:
                lines.append(Line(t, (), tuple(Word(tok, ()) for tok in t.split())))
        blocks = (Block((), tuple(lines)),) if lines else ()
        pages.append(Page(None, None, blocks, index=i))
    return Document(pages=tuple(pages), source_format="text")


def _check_size(loaded: LoadedResult, against: str) -> None:
    """A response whose page fits neither frame of the image is for another image: say so, once."""
    d = loaded.decision
    if d.method == "no-image" or d.page_size is None:
        return
    if (d.evidence.get(d.frame) or {}).get("size") != "mismatch":
        return
    w, h = d.page_size
    if loaded.image_path is None:  # only the reference's page to go by: the image would decide
        hint = (
            "give the IMAGE so the frame can be decided (EXIF, shrunk copies), or check with 'ocrviewer info'"
        )
    else:
        hint = "Check with 'ocrviewer info' or set the frame with --frame display|raw"
    raise BadInput(
        f"{loaded.response_path}: its page ({w:.0f}x{h:.0f} {d.unit}) does not fit {against}; is it for "
        f"another image? {hint}"
    )


def _load(path: str, image: str | None, frame: str, page_size: tuple[float, float] | None) -> CompareInput:
    if Path(path).suffix.lower() in TEXT_SUFFIXES:
        return CompareInput(path, read_text_reference(path), geometry=False, format="text")
    info = None
    if image is None and page_size is not None:  # the reference's page stands in for the image
        w, h = (max(1, round(v)) for v in page_size)
        info = ImageInfo(path="", format="page", raw_width=w, raw_height=h)
    loaded = load_result(path, image, frame=frame, info=info)
    return CompareInput(
        path,
        loaded.document,
        geometry=True,
        format=loaded.source.source_format,
        loaded=loaded,
        warnings=loaded.warnings,
    )


def load_inputs(
    image: str | None, reference: str, results: list[str], frame: str = "auto"
) -> tuple[str | None, CompareInput, list[CompareInput]]:
    """(image used, reference, results), every geometric one placed on the same displayed page.

    Without ``image`` the reference's sidecar may name one; else the reference's page size stands
    in for the image, so results of a shrunk copy are scaled onto it. A response whose page fits
    neither is refused with a one-line message.
    """
    ref = _load(reference, image, frame, None)
    if ref.loaded is not None and ref.loaded.image_path:
        image = ref.loaded.image_path
        _check_size(ref.loaded, f"the image {os.path.basename(image)}")
    page_size = None
    against = f"the image {os.path.basename(image)}" if image else "the reference's page"
    if image is None and ref.geometry and ref.document.pages:
        p0 = ref.document.pages[0]
        if p0.width and p0.height:
            page_size = (p0.width, p0.height)
            against = f"the reference's page ({p0.width:.0f}x{p0.height:.0f} pixels)"
    out = []
    for r in results:
        src = _load(r, image, frame, page_size)
        if src.loaded is not None:
            _check_size(src.loaded, against)
        out.append(src)
    return image, ref, out
