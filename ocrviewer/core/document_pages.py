"""A document's pages as the workspace and the window hold them, Qt-free.

One workspace page per source page and each page's header; a response on a document split into the
per-page results the workspace keeps; and what the page list says of a page's result (its words,
mean and worst confidence, ranked worst first). The window (``gui.document``, ``gui.page_strip``)
only shows them.
"""

from __future__ import annotations

import os
from typing import Any

from ocrviewer.core.confidence import page_word_stats, worst_first_key
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.loading import DocumentResult, LoadedResult
from ocrviewer.core.model import Document
from ocrviewer.core.sources import PAGED_KINDS, Source, is_paged_file
from ocrviewer.core.workspace import WorkspacePage


def is_document_path(path: str | os.PathLike[str] | None) -> bool:
    """A PDF, a multi-page TIFF or a folder (of images, or a batch's OUTDIR): a document of pages,
    each response page placed on the page it names, not one image."""
    # os.path.isdir: Path.is_dir raises for a name too long for the file system (before Python 3.14)
    return path is not None and (os.path.isdir(path) or is_paged_file(path))


def workspace_pages(source: Source) -> list[WorkspacePage]:
    """One workspace page per source page (a PDF's or TIFF's page size read now: no page is rendered)."""
    pdf = source.kind in PAGED_KINDS
    out = []
    for page in source.pages:
        out.append(
            WorkspacePage(
                index=page.index,
                image_path=str(page.image_path or source.path),
                page_ref=page.index if pdf else None,
                size=page.size if pdf else None,
            )
        )
    return out


def page_info(source: Source, index: int) -> ImageInfo:
    """The header of page ``index`` as the window uses it (a PDF page: its size at the source's dpi)."""
    page = source.pages[index]
    if page.image_path is not None or source.kind == "tiff":
        return page.info()
    w, h = page.size
    return ImageInfo(
        path=str(source.path),
        format="PDF",
        raw_width=w,
        raw_height=h,
        orientation=1,
        frames=len(source.pages),
    )


def page_results(result: DocumentResult) -> list[tuple[int, LoadedResult, int]]:
    """(source page, its LoadedResult, the page of the response it is) for each page the response covers."""
    parsed = result.parsed
    out = []
    by_target = {p.index: p for p in result.document.pages}
    single = len(parsed.pages) == 1
    for target, placed in sorted(by_target.items()):
        if single:
            src_page = parsed.pages[0]
        else:
            src_page = next((p for p in parsed.pages if p.index == target), parsed.pages[0])
        source_doc = Document((src_page,), parsed.source_format, parsed.extras)
        spage = result.source.pages[target]
        info = page_info(result.source, target)
        loaded = LoadedResult(
            response_path=result.response_path,
            image_path=str(spage.image_path or result.source.path),
            source=source_doc,
            document=Document((placed,), parsed.source_format, parsed.extras),
            decision=result.decisions[target],
            sidecar=result.sidecar,
            image_info=info,
        )
        out.append((target, loaded, src_page.index))
    return out


def page_stats(doc: Document | None) -> tuple[int, float | None, tuple[str, float] | None]:
    """Words, mean word confidence and the least confident word (text, confidence) of a page's result."""
    return page_word_stats(doc.words()) if doc is not None else (0, None, None)


def page_order_key(doc: Document | None, failed: bool) -> tuple[Any, ...]:
    """Where a page's result ranks in the worst-first list (see :func:`core.confidence.worst_first_key`)."""
    return worst_first_key(failed, *page_stats(doc))


def status_text(doc: Document | None, failed: str | None = None) -> str:
    """ "no result", "failed: ...", or lines "312 words", "mean 0.94", "worst 'lmn' 0.31"."""
    if failed:
        return f"failed: {failed}"
    if doc is None:
        return "no result"
    words, mean, worst = page_stats(doc)
    text = f"{words} word" + ("" if words == 1 else "s")
    if mean is not None:
        text += f"\nmean {mean:.2f}"
    if worst is not None:
        text += f"\nworst {worst[0][:16]!r} {worst[1]:.2f}"
    return text
