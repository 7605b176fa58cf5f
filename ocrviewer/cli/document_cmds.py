"""``export``, ``render`` and ``info`` on a document: a PDF, a multi-page TIFF or a folder of images, page by page.

``core_cmds`` hands a command here when DOC is a PDF or a folder (or, for ``render``, when a page
is chosen or the output is a PDF); a single image keeps its own path there.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocrviewer.core.loading import DocumentResult, load_document_result, page_ranges
from ocrviewer.core.model import Document
from ocrviewer.core.output import check_output, dumps_json, finite_json, is_stdout, write_atomic
from ocrviewer.core.sidecar import sidecar_path
from ocrviewer.core.sources import Source, open_source
from ocrviewer.errors import BadInput, ImageError, ImageTooLarge, one_line

if TYPE_CHECKING:
    from PIL import Image

PAGE_PATTERN = "{page}"


def _inputs(args: argparse.Namespace, source: Source) -> list[Any]:
    """Files an output must never replace: the response, its sidecar, the document and its pages."""
    files: list[Any] = [args.response, sidecar_path(args.response), source.path]
    files += [p.image_path for p in source.pages if p.image_path]
    if Path(args.response).is_dir():  # a batch's OUTDIR: every response and sidecar in it
        files += [str(f) for f in Path(args.response).iterdir()]
    return files


def load(source: Source, response: str, frame: str) -> DocumentResult:
    """The response placed on ``source``; a batch's OUTDIR (or its manifest) gives every page's response."""
    from ocrviewer.providers.outdir import is_manifest

    rpath = Path(response)
    if not (rpath.is_dir() or is_manifest(rpath)):
        return load_document_result(source, response, frame=frame)
    from ocrviewer.core.loading import combine_results
    from ocrviewer.providers.outdir import outdir_responses

    _, responses = outdir_responses(rpath, source.name)
    results = [
        load_document_result(source, file, frame=frame, coverage=False, page=page)
        for file, page in responses.items()
    ]
    return combine_results(source, results)


def _warn(result: DocumentResult) -> None:
    for w in result.warnings:
        print(f"ocrviewer: warning: {w}", file=sys.stderr)


def _skipped(source: Source) -> None:
    for s in source.skipped:
        print(f"ocrviewer: note: {source.name}/{s.name} skipped: {s.reason}", file=sys.stderr)


def _decisions(result: DocumentResult) -> str:
    """One summary per distinct decision: "display frame (...), confidence 0.97 (pages 1-40)"."""
    groups: dict[str, list[int]] = {}
    for index, d in sorted(result.decisions.items()):
        groups.setdefault(d.summary(), []).append(index)
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{s} (pages {page_ranges(ix)})" for s, ix in groups.items())


# -- export ---------------------------------------------------------------------------------------------
def export_dict(result: DocumentResult) -> dict[str, Any]:
    """The placed document (every covered page, pixels at the document's dpi) with where it came from."""
    data = result.document.to_dict()
    src = result.source
    extras = dict(data.get("extras") or {})
    extras["ocrviewer"] = {
        "response": os.path.basename(result.response_path),
        "source": src.name,
        "source_kind": src.kind,
        "dpi": src.dpi if src.kind == "pdf" else None,
        "source_pages": len(src.pages),
        "pages_covered": [i + 1 for i in result.covered],
        "frame_decisions": {str(i + 1): d.to_dict() for i, d in sorted(result.decisions.items())},
    }
    data["extras"] = extras
    if result.warnings:
        data["warnings"] = list(dict.fromkeys([*data.get("warnings", []), *result.warnings]))
    return data


def whole_document(result: DocumentResult) -> Document:
    """The placed result with every page of the source, an empty page (of its size) where it has none."""
    from dataclasses import replace

    from ocrviewer.core.model import Page

    pages = []
    for spage in result.source.pages:
        placed = result.page(spage.index)
        if placed is None:
            w, h = spage.size
            placed = Page(float(w), float(h), index=spage.index)
        pages.append(placed)
    return replace(result.document, pages=tuple(pages))


def _other_format(fmt: str, result: DocumentResult) -> bytes:
    """hOCR, ALTO, PAGE-XML (each page naming its image) or a searchable PDF of every page."""
    from ocrviewer.core import formats
    from ocrviewer.errors import BadResponse

    source = result.source
    doc = whole_document(result)
    try:
        if fmt == "pdf":
            from ocrviewer.core.formats.searchable_pdf import write_pdf

            images = [_page_picture(source, result, i) for i in range(len(source.pages))]
            dpi = [source.dpi if source.kind == "pdf" else None] * len(images)
            if source.kind == "tiff":  # each page printed at the resolution it states (a fax: 204x196)
                dpi = [formats.stated_dpi(img.info) for img in images]
            return write_pdf(doc, images, dpi=dpi)
        names = [p.label if p.image_path else p.name for p in source.pages]
        return formats.write(fmt, doc, image_names=names)
    except BadResponse as err:
        raise BadInput(f"{err}") from err


def _export_per_page(fmt: str, pattern: str, result: DocumentResult, inputs: list[Any]) -> list[Path]:
    """``{page}`` in -o: one hOCR/ALTO/PAGE file per page of the document, each naming its image."""
    from dataclasses import replace

    from ocrviewer.core import formats
    from ocrviewer.errors import BadResponse

    if fmt not in formats.PER_PAGE_FORMATS:
        raise BadInput(f"{pattern}: {fmt} is written as one file; {{page}} in -o is for hocr, alto or page")
    doc = whole_document(result)
    names = formats.page_file_names(pattern, len(doc.pages))
    for name in names:
        check_output(name, inputs)
    labels = [p.label if p.image_path else p.name for p in result.source.pages]
    try:
        blobs = [
            formats.write(fmt, replace(doc, pages=(replace(page, index=0),)), image_names=[label])
            for page, label in zip(doc.pages, labels, strict=True)
        ]
    except BadResponse as err:
        raise BadInput(f"{err}") from err
    return [write_atomic(name, data, inputs=inputs) for name, data in zip(names, blobs, strict=True)]


def cmd_export(args: argparse.Namespace, fmt: str = "json") -> int:
    from ocrviewer.core.formats import PAGE_PATTERN as PAGE_NAMES

    with open_source(args.image, dpi=args.dpi) as source:
        inputs = _inputs(args, source)
        check_output(args.output, inputs)
        result = load(source, args.response, args.frame)
        if PAGE_NAMES.search(args.output):
            written = _export_per_page(fmt, args.output, result, inputs)
            _skipped(source)
            _warn(result)
            print(
                f"wrote {len(written)} file(s) {written[0]} .. {written[-1]} ({fmt}); "
                f"{_decisions(result) or 'no page placed'}"
            )
            return 0
        if fmt == "json":
            clean, _ = finite_json(export_dict(result))  # NaN/Infinity copied from a response: null
            data = dumps_json(clean, indent=1) + b"\n"
        else:
            data = _other_format(fmt, result)
        out = write_atomic(args.output, data, inputs=inputs)
        _skipped(source)
        _warn(result)
        counts = result.document.counts()
        print(
            f"wrote {out}: {len(result.covered)} of {len(source.pages)} pages, {counts['word']} words, "
            f"{counts['line']} lines; {_decisions(result) or 'no page placed'}"
        )
    return 0


# -- render ---------------------------------------------------------------------------------------------
def parse_pages(value: str | None, count: int) -> list[int]:
    """``--page``: None -> the first page; "all"; N; or N-M,K (1-based) -> 0-based indices."""
    if value is None:
        return [0]
    text = value.strip().lower()
    if text == "all":
        return list(range(count))
    out: list[int] = []
    try:
        for part in text.split(","):
            a, _, b = part.partition("-")
            lo, hi = int(a), int(b) if b else int(a)
            if not 1 <= lo <= hi <= count:
                raise ValueError
            out.extend(range(lo - 1, hi))
    except ValueError:
        raise BadInput(f"--page {value!r}: give all, N or N-M within 1..{count}") from None
    return list(dict.fromkeys(out))


def _page_picture(source: Source, result: DocumentResult, index: int) -> Image.Image:
    from PIL import Image

    from ocrviewer.core.sources import shown_note

    try:
        picture = source.pages[index].render()
        note = shown_note(picture)
        if note:
            print(f"ocrviewer: note: {one_line(source.pages[index].name)}: {note}", file=sys.stderr)
        return picture
    except ImageTooLarge:
        raise  # a blank page of its size would be as large
    except ImageError as err:
        print(f"ocrviewer: warning: page {index + 1}: {err}; drawn on a blank page", file=sys.stderr)
        page = result.page(index)
        w, h = (page.width, page.height) if page and page.width and page.height else (1240, 1754)
        return Image.new("RGB", (max(1, math.ceil(w)), max(1, math.ceil(h))), "white")


def render_options(args: argparse.Namespace) -> tuple[Any, float | None]:
    """``render``'s --levels and --min-confidence, checked (one place for the image and document paths)."""
    from ocrviewer.core.render import parse_levels

    try:
        levels = parse_levels(args.levels)
    except BadInput as err:
        raise BadInput(f"--levels {args.levels!r}: {err}") from err
    mc = args.min_confidence
    if mc is not None and not (math.isfinite(mc) and 0.0 <= mc <= 1.0):
        raise BadInput(f"--min-confidence {mc!r}: give a number between 0 and 1")
    return levels, mc


def cmd_render(args: argparse.Namespace) -> int:
    from ocrviewer.core.render import pdf_pages_writer, png_options, render

    levels, mc = render_options(args)
    suffix = ".png" if is_stdout(args.output) else Path(args.output).suffix.lower()  # standard output: PNG
    if suffix not in (".png", ".pdf"):
        raise BadInput(f"{args.output}: render writes PNG or PDF; name the output .png or .pdf")
    if args.image is None:
        raise BadInput("render --page and PDF output need the document (DOC); pass it")
    with open_source(args.image, dpi=args.dpi) as source:
        try:
            indices = parse_pages(args.page, len(source.pages))
        except BadInput as err:
            note = source.pages[0].info().frames_note if source.kind == "image" else None
            if note:  # a multi-page TIFF: its pages past the first are not pages here
                raise BadInput(f"{err}; {one_line(str(args.image))} {note}") from None
            raise
        many_png = suffix == ".png" and len(indices) > 1
        if many_png and PAGE_PATTERN not in args.output:
            raise BadInput(
                f"{args.output}: {len(indices)} pages to PNG need {PAGE_PATTERN} in -o (e.g. out-{PAGE_PATTERN}.png), "
                "or write one PDF"
            )
        inputs = _inputs(args, source)
        targets = (
            [args.output.replace(PAGE_PATTERN, str(i + 1)) for i in indices]
            if suffix == ".png"
            else [args.output]
        )
        for t in targets:
            check_output(t, inputs)
        result = load(source, args.response, args.frame)
        _skipped(source)

        def drawn() -> Iterator[Image.Image]:
            for i in indices:
                page = result.page(i)
                doc = Document((page,) if page else (), result.document.source_format)
                yield render(
                    _page_picture(source, result, i),
                    doc,
                    levels=levels,
                    min_confidence=mc,
                    labels=not args.no_labels,
                )

        if suffix == ".pdf":
            dpi = source.dpi if source.kind == "pdf" else 150.0
            out = write_atomic(args.output, pdf_pages_writer(drawn(), dpi), inputs=inputs)
            print(f"wrote {out} ({len(indices)} pages); {_decisions(result) or 'no page placed'}")
        else:
            import io

            for target, img in zip(targets, drawn(), strict=True):
                buf = io.BytesIO()
                img.save(buf, "PNG", **png_options())
                out = write_atomic(target, buf.getvalue(), inputs=inputs)
                print(f"wrote {out} ({img.width}x{img.height})")
            print(f"{len(targets)} page(s); {_decisions(result) or 'no page placed'}")
        _warn(result)
    return 0


# -- info -------------------------------------------------------------------------------------------------
def source_lines(source: Source) -> list[str]:
    lines = [f"document: {source.path}", f"  kind: {source.kind}, {len(source.pages)} page(s)"]
    if source.kind == "pdf":
        lines.append(f"  dpi: {source.dpi:g} (page sizes below are pixels at this dpi)")
    for page in source.pages:
        try:
            w, h = page.size
            size = f"{w}x{h}"
        except BadInput as err:
            size = f"unreadable ({err})"
        label = f" {page.label}" if page.image_path else ""
        lines.append(f"  page {page.index + 1}:{label} {size}{_stored(source, page)}")
        if page.note:
            lines.append(f"    note: {page.note}")
    lines += [f"  skipped: {s.name}: {s.reason}" for s in source.skipped]
    return lines


def _stored(source: Source, page: Any) -> str:
    """A TIFF page stored turned: how it is stored (pages of one TIFF each have their own tag)."""
    if source.kind != "tiff":
        return ""
    try:
        info = page.info()
    except BadInput:
        return ""
    if info.orientation == 1:
        return ""
    from ocrviewer.core.geometry import ORIENTATION_NAMES

    w, h = info.raw_size
    return f" (stored {w}x{h}, orientation {info.orientation}: {ORIENTATION_NAMES[info.orientation]})"


def cmd_info(args: argparse.Namespace) -> int:
    from ocrviewer.core.parsers import FORMATS

    with open_source(args.image, dpi=args.dpi) as source:
        out = source_lines(source)
        if args.response:
            result = load(source, args.response, args.frame)
            counts = result.document.counts()
            fmt = result.parsed.source_format
            out += [
                f"response: {args.response}",
                f"  format: {fmt}" + (f" - {FORMATS[fmt]}" if fmt in FORMATS else ""),
                f"  pages in the response: {len(result.parsed.pages)}; placed on page(s) "
                f"{page_ranges(result.covered) or 'none'}",
                f"  contents: {counts['block']} blocks, {counts['line']} lines, {counts['word']} words",
            ]
            for index, d in sorted(result.decisions.items()):
                out.append(f"  page {index + 1}: {d.summary()}")
            out += [f"  warning: {w}" for w in result.warnings]
    print("\n".join(out))
    return 0
