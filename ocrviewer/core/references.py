"""What ``compare`` reads: a reference and results, all placed on the same page (Qt-free).

A reference is any result: a ground truth in normalized JSON (``ocrviewer.document/1``), any
response format the parsers read, another engine's result, or a plain text file (``.txt``, UTF-8,
one line per text line, pages separated by a form feed as Tesseract writes them). A text
reference has no geometry: only text metrics are computed against it, detection is n/a.

Everything with geometry goes through :func:`~ocrviewer.core.loading.load_result` (an image) or
:func:`~ocrviewer.core.loading.load_document_result` (a PDF or a folder of page images: each
response page lands on the document page it names), so a reference and a result made from
differently rotated or shrunk copies still land on the same pixels. Without an image the
reference's page stands in for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from ocrviewer.core.frames import FrameDecision
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.loading import LoadedResult, load_document_result, load_result
from ocrviewer.core.metrics import normalize
from ocrviewer.core.model import Document, Page
from ocrviewer.core.sidecar import batch_name, read_sidecar
from ocrviewer.core.sources import Source, open_source
from ocrviewer.core.text_reference import TEXT_FORMAT, TEXT_SUFFIXES, is_text_reference, read_text_reference
from ocrviewer.errors import BadInput

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "TEXT_SUFFIXES",
    "Backdrop",
    "CompareInput",
    "ResultSet",
    "group_results",
    "load_inputs",
    "read_text_reference",
    "result_files",
]


@dataclass(frozen=True)
class CompareInput:
    """A reference or a result, ready to compare."""

    path: str
    document: Document  # placed on the displayed image (pixels); text references: no polygons
    geometry: bool
    format: str
    loaded: LoadedResult | None = None
    warnings: tuple[str, ...] = ()
    #: what the figures call it (a result set: its engine and folder); by default the file's name
    label: str | None = None
    #: the files a result set was read from (never written over)
    files: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.label or os.path.basename(self.path)

    @property
    def word_count(self) -> int:
        return sum(len(normalize(line.text).split()) for line in self.document.lines())


@dataclass(frozen=True)
class ResultSet:
    """Files that together are one result: one engine's responses, a file per page (a batch's OUTDIR).

    Compared as one column: its pages from every file, each file on the page its sidecar (or the
    ``pages`` given to :func:`load_inputs`) names.
    """

    name: str
    files: tuple[str, ...]
    #: where the files are (never written over): the OUTDIR, or their common folder
    path: str


def group_results(files: Sequence[str]) -> list[str | ResultSet]:
    """``files`` with one engine's per-page responses as one :class:`ResultSet`, in first-seen order.

    A response a batch wrote for one page (its sidecar names the page, as a batch's does) joins the
    others of its folder and provider: "azure-read (out/)"; any other file stays a result of its own.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    order: list[str | tuple[str, str]] = []
    for f in files:
        name = batch_name(f, read_sidecar(f))
        if name is None:
            order.append(f)
            continue
        key = (os.path.dirname(os.path.abspath(f)), name)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(f)
    out: list[str | ResultSet] = []
    for item in order:
        if isinstance(item, str):
            out.append(item)
        else:
            out.append(ResultSet(item[1], tuple(groups[item]), item[0]))
    return out


def result_files(results: Sequence[str | ResultSet]) -> list[str]:
    """Every file ``results`` read (a set: each of its files)."""
    return [f for r in results for f in ((r,) if isinstance(r, str) else r.files)]


class Backdrop:
    """What the pages are: an image, a document (PDF or folder), or nothing (the reference's page)."""

    def __init__(self, path: str | None = None, source: Source | None = None) -> None:
        self.path = path
        self.source = source
        self._picture = lru_cache(maxsize=2)(self._render)

    @property
    def name(self) -> str | None:
        return os.path.basename(os.path.normpath(self.path)) if self.path else None

    def _render(self, index: int) -> Image.Image | None:
        if self.source is not None:
            return self.source.pages[index].render() if 0 <= index < len(self.source.pages) else None
        if self.path is None:
            return None
        from ocrviewer.core.imageio import load_display_image

        return load_display_image(self.path)

    def picture(self, index: int) -> Image.Image | None:
        """The displayed picture of page ``index`` (an image: the image whatever the index), or None."""
        return self._picture(index)


def _check_size(loaded: LoadedResult, against: str) -> None:
    """A response whose page fits neither frame of the image is for another image: say so, once."""
    _check_decision(loaded.decision, loaded.response_path, against, loaded.image_path is not None)


def _check_decision(d: FrameDecision, path: str, against: str, have_image: bool) -> None:
    if d.method == "no-image" or d.page_size is None:
        return
    if (d.evidence.get(d.frame) or {}).get("size") != "mismatch":
        return
    w, h = d.page_size
    if not have_image:  # only the reference's page to go by: the image would decide
        hint = (
            "give the IMAGE so the frame can be decided (EXIF, shrunk copies), or check with 'ocrviewer info'"
        )
    else:
        hint = "Check with 'ocrviewer info' or set the frame with --frame display|raw"
    raise BadInput(
        f"{path}: its page ({w:.0f}x{h:.0f} {d.unit}) does not fit {against}; is it for another image? {hint}"
    )


def _load(path: str, image: str | None, frame: str, page_size: tuple[float, float] | None) -> CompareInput:
    if is_text_reference(path):
        # (a folder of page texts on one image: the file named after it)
        text = (
            read_text_reference(path, [os.path.basename(image)], "image")
            if image
            else read_text_reference(path)
        )
        if len(text.pages) > 1 and os.path.isdir(path):
            raise BadInput(
                f"{path}: a folder of {len(text.pages)} page texts needs the document they are pages of; "
                "give the PDF, TIFF or folder of images first"
            )
        return CompareInput(path, text, geometry=False, format=TEXT_FORMAT)
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


def _load_on_document(path: str, source: Source, frame: str, page: int | None = None) -> CompareInput:
    """One file on the document's pages, as the window places it (a plain text file too: no boxes)."""
    result = load_document_result(source, path, frame, page=page, coverage=not is_text_reference(path))
    geometry = result.parsed.source_format != TEXT_FORMAT
    for index, decision in result.decisions.items():
        if geometry:
            _check_decision(decision, path, f"page {index + 1} of {source.name}", True)
    return CompareInput(
        path, result.document, geometry=geometry, format=result.parsed.source_format, warnings=result.warnings
    )


def _set_on_document(rs: ResultSet, source: Source, frame: str, pages: Mapping[str, int]) -> CompareInput:
    """A result set as one result: each file on its page, the pages together (the first file of a page wins)."""
    from ocrviewer.core.loading import combine_results

    results = [load_document_result(source, f, frame, page=pages.get(f), coverage=False) for f in rs.files]
    combined = combine_results(source, results)
    for r in results:
        for index, decision in r.decisions.items():
            _check_decision(decision, r.response_path, f"page {index + 1} of {source.name}", True)
    fmt = results[0].parsed.source_format
    return CompareInput(
        rs.path,
        combined.document,
        geometry=fmt != TEXT_FORMAT,
        format=fmt,
        warnings=combined.warnings,
        label=rs.name,
        files=rs.files,
    )


def _on_reference_pages(ref: CompareInput, res: CompareInput) -> CompareInput:
    """``res`` with one page per reference page, by page index: a page it lacks is an empty page."""
    have = {p.index: p for p in res.document.pages}
    pages = [have.get(rp.index) or Page(rp.width, rp.height, index=rp.index) for rp in ref.document.pages]
    missing = [rp.index + 1 for rp in ref.document.pages if rp.index not in have]
    extra = sorted(i + 1 for i in have.keys() - {rp.index for rp in ref.document.pages})
    notes = list(res.warnings)
    if missing:
        notes.append(
            f"no result for page(s) {', '.join(map(str, missing))}: scored as empty (every word missed)"
        )
    if extra:
        notes.append(f"page(s) {', '.join(map(str, extra))} are not in the reference: not scored")
    return replace(res, document=res.document.with_pages(pages), warnings=tuple(notes))


def load_inputs(
    image: str | None,
    reference: str,
    results: Sequence[str | ResultSet],
    frame: str = "auto",
    pages: Mapping[str, int] | None = None,
) -> tuple[Backdrop, CompareInput, list[CompareInput]]:
    """(pages, reference, results), every geometric one placed on the same displayed pages.

    ``image`` may be a PDF or a folder (:func:`~ocrviewer.core.document_pages.is_document_path`): each response page then lands on the
    document page it names, and results are compared page by page with the reference's pages.
    Without ``image`` the reference's sidecar may name one; else the reference's page size stands
    in for the image, so results of a shrunk copy are scaled onto it. A response whose page fits
    neither is refused with a one-line message. ``pages`` (a document) puts a one-page file on the
    page (0-based) it names, as the window does with a file opened on the page it shows.
    """
    from ocrviewer.core.document_pages import is_document_path

    if image is not None and is_document_path(image):
        on = dict(pages or {})
        source = open_source(image)
        ref = _load_on_document(reference, source, frame, on.get(reference))
        outs = [
            _on_reference_pages(
                ref,
                _load_on_document(r, source, frame, on.get(r))
                if isinstance(r, str)
                else _set_on_document(r, source, frame, on),
            )
            for r in results
        ]
        return Backdrop(image, source), ref, outs
    sets = [r for r in results if not isinstance(r, str)]
    if sets:
        raise BadInput(
            f"{sets[0].path}: a result per page needs the document they are pages of; give it first"
        )
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
    for r in result_files(results):
        src = _load(r, image, frame, page_size)
        if src.loaded is not None:
            _check_size(src.loaded, against)
        out.append(src)
    return Backdrop(image), ref, out
