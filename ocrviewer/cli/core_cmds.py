"""``ocrviewer export``, ``render`` and ``info``: the headless core commands."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ocrviewer.core import export as core_export
from ocrviewer.core.formats import EXPORT_FORMATS, PAGE_PATTERN, suffix_format
from ocrviewer.core.frames import FRAMES, FrameDecision
from ocrviewer.core.geometry import ORIENTATION_NAMES
from ocrviewer.core.imageio import check_pixels, read_image_info
from ocrviewer.core.loading import LoadedResult, load_result
from ocrviewer.core.model import LEVELS
from ocrviewer.core.output import check_output as output_check
from ocrviewer.core.output import is_stdout, write_atomic
from ocrviewer.core.sidecar import sidecar_path
from ocrviewer.core.sources import DEFAULT_DPI
from ocrviewer.errors import BadInput, one_line

if TYPE_CHECKING:
    from PIL import Image

#: Set to 1 to make ``render`` print its phases' times (ms) as one JSON line on stderr (benchmarks).
TIMINGS_ENV = "OCRVIEWER_RENDER_TIMINGS"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    frame_help = "frame of the response's coordinates: auto (default) decides from the evidence"
    doc_help = "the image, PDF or folder of images the response was made from"
    dpi_help = f"dpi PDF pages are rendered at (default {DEFAULT_DPI:g}; recorded in the output)"

    p = sub.add_parser(
        "export",
        help="write a response as normalized JSON, hOCR, ALTO, PAGE-XML or a searchable PDF",
        description="Write the response with every polygon in displayed-image pixels (EXIF applied; PDF pages "
        "at --dpi): ocrviewer.document/1 JSON (default), hOCR, ALTO v4, PAGE-XML 2019, or a searchable PDF (the "
        "image with an invisible text layer), every page of a PDF, multi-page TIFF or folder. DOC is optional when the response "
        "states its page size in pixels.",
    )
    p.add_argument("image", nargs="?", metavar="DOC", help=doc_help)
    p.add_argument(
        "--response", "-r", required=True, metavar="RESP", help="OCR response (JSON or JSON Lines)"
    )
    p.add_argument("--frame", choices=FRAMES, default="auto", help=frame_help)
    p.add_argument(
        "--to",
        choices=EXPORT_FORMATS,
        default=None,
        help="output format (default: from the -o suffix .json/.hocr/.html/.pdf/.alto.xml/.page.xml, else json)",
    )
    p.add_argument("--dpi", type=float, default=DEFAULT_DPI, help=dpi_help)
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="file to write; {page} in the name (e.g. out-{page}.page.xml, {page:03d} pads) writes one "
        "hOCR/ALTO/PAGE file per page, as PAGE-XML needs for a multi-page result; - is standard output",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "render",
        help="draw a response's polygons, text and confidence on the image (PNG or PDF)",
        description="Write the displayed image with blocks, lines and words drawn, made without a display. "
        "Without DOC (and no image named by a sidecar) the response is drawn on a blank page of the "
        "size it states. For a PDF, multi-page TIFF or folder, --page all writes one multi-page PDF (-o OUT.pdf) or one "
        "PNG per page (-o 'OUT-{page}.png').",
    )
    p.add_argument("image", nargs="?", metavar="DOC", help=doc_help)
    p.add_argument(
        "--response", "-r", required=True, metavar="RESP", help="OCR response (JSON or JSON Lines)"
    )
    p.add_argument(
        "--levels",
        default=",".join(LEVELS),
        help=f"comma-separated levels to draw (default {','.join(LEVELS)})",
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        default=None,
        metavar="X",
        help="hide words with confidence under X (0..1)",
    )
    p.add_argument("--no-labels", action="store_true", help="draw polygons only, no text")
    p.add_argument("--frame", choices=FRAMES, default="auto", help=frame_help)
    p.add_argument("--page", metavar="N|all", help="page(s) to draw: N, N-M, or all (default: the first)")
    p.add_argument("--dpi", type=float, default=DEFAULT_DPI, help=dpi_help)
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT.png|OUT.pdf",
        help="PNG or PDF file to write (- is standard output, as PNG)",
    )
    p.set_defaults(func=cmd_render)

    p = sub.add_parser(
        "info",
        help="show an image's orientation and sizes (a PDF's or folder's pages), and how a response is placed",
        description="Print the EXIF orientation, stored and displayed size and format; with --response also "
        "the response's format, page size, the detected frame, how sure that is and why. DOC may be "
        "left out when --response is given.",
    )
    p.add_argument(
        "image",
        nargs="?",
        metavar="DOC",
        help="a photo or scan (JPEG, PNG, TIFF, ...), a PDF, a multi-page TIFF or a folder",
    )
    p.add_argument("--response", "-r", metavar="RESP", help="also show how this OCR response is placed")
    p.add_argument("--frame", choices=FRAMES, default="auto", help=frame_help)
    p.add_argument("--dpi", type=float, default=DEFAULT_DPI, help=dpi_help)
    p.set_defaults(func=cmd_info)


# -- helpers ------------------------------------------------------------------------------------------
def protected_inputs(inputs: Iterable[str | os.PathLike[str] | None]) -> list[str | os.PathLike[str]]:
    """The inputs and their sidecars: nothing ocrviewer writes may land on one of them."""
    return [p for src in inputs if src is not None for p in (src, sidecar_path(src))]


def check_output(output: str, inputs: Iterable[str | os.PathLike[str] | None]) -> Path:
    """Refuse to write over an input or its sidecar (see :func:`ocrviewer.core.output.check_output`)."""
    try:
        return output_check(output, protected_inputs(inputs))
    except BadInput as err:
        raise BadInput(str(err).replace("give a file name", "give a file name with -o")) from err


def _warn(result: LoadedResult) -> None:
    """Warnings on stderr; those about the response's own elements name the response file."""
    parser_warnings = set(result.source.warnings)
    for w in result.warnings:
        where = f"{result.response_path}: " if w in parser_warnings else ""
        print(f"ocrviewer: warning: {where}{w}", file=sys.stderr)


def note_frames(path: str | os.PathLike[str]) -> None:
    """Say on stderr which frame of a multi-page TIFF or an animation was used (the first)."""
    note = read_image_info(path).frames_note
    if note:
        print(f"ocrviewer: note: {one_line(os.fspath(path))} {note}", file=sys.stderr)


def note_damage(path: str | os.PathLike[str], note: str | None) -> None:
    """Say on stderr that the picture of ``path`` is damaged or cut short, and what is missing."""
    if note:
        print(f"ocrviewer: note: {one_line(os.fspath(path))}: {note}", file=sys.stderr)


def _check_image(result: LoadedResult) -> None:
    """An image of which nothing can be decoded is an error even where only its header is needed;
    one damaged or cut short but partly readable is a note."""
    if result.image_path is not None:
        note_damage(result.image_path, check_pixels(result.image_path))


def _blank_page(result: LoadedResult) -> Image.Image:
    """A white page of the placed document's size, for a response without its image."""
    from PIL import Image

    page = result.document.pages[0] if result.document.pages else None
    if page is None or page.width is None or page.height is None:
        raise BadInput(f"{result.response_path}: no page size to draw on; pass the image")
    limit = Image.MAX_IMAGE_PIXELS or float("inf")
    if page.width * page.height > limit:
        raise BadInput(
            f"{result.response_path}: page {_size(page.width, page.height)} is too large to draw without "
            "its image; pass the image"
        )
    return Image.new("RGB", (max(1, math.ceil(page.width)), max(1, math.ceil(page.height))), "white")


def _size(w: float, h: float) -> str:
    def f(v: float) -> str:
        if abs(v) >= 1e7:
            return f"{v:.3g}"
        return f"{v:.0f}" if abs(v - round(v)) < 1e-6 else f"{v:.4g}"

    return f"{f(w)}x{f(h)}"


# -- export ---------------------------------------------------------------------------------------------
def export_dict(result: LoadedResult) -> dict[str, Any]:
    """The normalized document, with where it came from and the frame decision in ``extras``."""
    return core_export.export_dict(
        result.document,
        response_path=result.response_path,
        image_path=result.image_path,
        decision=result.decision,
        warnings=result.warnings,
    )


def export_format(to: str | None, output: str) -> str:
    """The format ``--to`` names, else the one the output's suffix implies, else json (``.xml`` needs --to)."""
    if to:
        return to
    fmt = suffix_format(output)
    if fmt is None and output.lower().endswith(".xml"):
        raise BadInput(f"{output}: .xml could be ALTO or PAGE-XML; give --to alto or --to page")
    return fmt or "json"


def cmd_export(args: argparse.Namespace) -> int:
    from ocrviewer.cli import document_cmds
    from ocrviewer.core.document_pages import is_document_path

    fmt = export_format(args.to, args.output)
    if is_document_path(args.image):
        return document_cmds.cmd_export(args, fmt)
    out = check_output(args.output, [args.response, args.image])
    result = load_result(args.response, args.image, frame=args.frame)
    check_output(args.output, [result.image_path])  # the image may come from the sidecar
    _check_image(result)
    if PAGE_PATTERN.search(args.output):
        return _export_per_page(fmt, args.output, result)
    if fmt != "json":
        return _export_other(fmt, out, result)
    core_export.write_export(
        out,
        result.document,
        inputs=protected_inputs([args.response, args.image, result.image_path]),
        response_path=result.response_path,
        image_path=result.image_path,
        decision=result.decision,
        warnings=result.warnings,
        on_note=lambda note: print(f"ocrviewer: warning: {result.response_path}: {note}", file=sys.stderr),
    )
    _warn(result)
    counts = result.document.counts()
    print(
        f"wrote {out}: {counts['word']} words, {counts['line']} lines, {counts['block']} blocks; "
        f"{result.decision.summary()}"
    )
    return 0


def _export_other(fmt: str, out: Path, result: LoadedResult) -> int:
    from ocrviewer.core import output
    from ocrviewer.core.formats import export_bytes
    from ocrviewer.errors import BadResponse

    try:
        data = export_bytes(fmt, result.document, result.image_path)
    except BadResponse as err:
        raise BadInput(f"{out}: {err}") from err
    inputs = [result.response_path, result.image_path, sidecar_path(result.response_path)]
    output.write_atomic(out, data, inputs=inputs)
    _warn(result)
    counts = result.document.counts()
    print(
        f"wrote {out} ({fmt}): {counts['word']} words, {counts['line']} lines, {counts['block']} blocks; "
        f"{result.decision.summary()}"
    )
    return 0


def _export_per_page(fmt: str, pattern: str, result: LoadedResult) -> int:
    """One file per page, named by ``{page}`` in -o (PAGE-XML holds one page per file)."""
    from ocrviewer.core import output
    from ocrviewer.core.formats import export_pages, page_file_names
    from ocrviewer.errors import BadResponse

    pages = result.document.pages
    names = page_file_names(pattern, len(pages))
    if len(set(names)) != len(names):
        raise BadInput(f"{pattern}: the pages' names repeat; give {{page}} in the file name")
    inputs = [result.response_path, result.image_path, sidecar_path(result.response_path)]
    for name in names:
        output.check_output(name, inputs)
    try:
        blobs = export_pages(fmt, result.document, result.image_path)
    except BadResponse as err:
        raise BadInput(f"{pattern}: {err}") from err
    for name, data in zip(names, blobs, strict=True):
        output.write_atomic(name, data, inputs=inputs)
    _warn(result)
    counts = result.document.counts()
    shown = names[0] if len(names) == 1 else f"{names[0]} .. {names[-1]}"
    print(
        f"wrote {len(names)} file(s) {shown} ({fmt}): {counts['word']} words, {counts['line']} lines, "
        f"{counts['block']} blocks; {result.decision.summary()}"
    )
    return 0


# -- render ---------------------------------------------------------------------------------------------
def cmd_render(args: argparse.Namespace) -> int:
    from ocrviewer.cli import document_cmds
    from ocrviewer.core.document_pages import is_document_path
    from ocrviewer.core.imageio import DecodeAhead
    from ocrviewer.core.render import draw_layers, png_writer

    if is_document_path(args.image) or args.page is not None or args.output.lower().endswith(".pdf"):
        return document_cmds.cmd_render(args)

    levels, mc = document_cmds.render_options(args)
    out = check_output(args.output, [args.response, args.image])
    if out.suffix.lower() != ".png" and not is_stdout(args.output):  # standard output: a PNG
        raise BadInput(f"{args.output}: render writes PNG; name the output .png")
    timings: dict[str, float] | None = {} if os.environ.get(TIMINGS_ENV) else None
    t0 = time.perf_counter()
    # the picture decodes (without the GIL) while the response is parsed and the overlay drawn
    ahead = DecodeAhead(args.image) if args.image is not None else None
    result = load_result(args.response, args.image, frame=args.frame)
    check_output(args.output, [result.image_path])  # the image may come from the sidecar
    picture: Any = _blank_page(result) if result.image_path is None else ahead or result.image_path
    t1 = time.perf_counter()
    layers = draw_layers(
        picture,
        result.document,
        levels=levels,
        min_confidence=mc,
        labels=not args.no_labels,
        timings=timings,
    )
    img = layers.picture
    if result.image_path is None:
        print(
            f"ocrviewer: note: no image given; drawn on a blank {img.width}x{img.height} page",
            file=sys.stderr,
        )
    t2 = time.perf_counter()
    encoded: list[float] = []
    write_png = png_writer(layers, timings=timings)  # composited a band of rows at a time on its way

    def write(fh: IO[bytes]) -> None:  # the PNG goes to the file as it is made (see png_parts)
        write_png(fh)
        encoded.append(time.perf_counter())

    write_atomic(out, write, inputs=protected_inputs([args.response, args.image, result.image_path]))
    if result.image_path is not None:
        note_frames(result.image_path)
        note_damage(result.image_path, ahead.note if ahead is not None else check_pixels(result.image_path))
    if timings is not None:  # encode: made and handed to the file; write: flushed, synced, renamed
        t3 = encoded[0]
        compose = timings.setdefault("compose", 0.0)
        timings.update(parse=t1 - t0, encode=t3 - t2 - compose, write=time.perf_counter() - t3)
        ms = {k: round(v * 1000.0, 2) for k, v in timings.items()}
        print(f"render timings: {json.dumps(ms)}", file=sys.stderr)
    _warn(result)
    print(f"wrote {out} ({img.width}x{img.height}); {result.decision.summary()}")
    return 0


# -- info -------------------------------------------------------------------------------------------------
def decision_lines(decision: FrameDecision) -> list[str]:
    lines = [f"  frame: {decision.summary()}"]
    lines += [f"    why: {r}" for r in decision.reasons]
    return lines


def _image_lines(path: str) -> list[str]:
    info = read_image_info(path)
    damage = check_pixels(path)
    note_damage(path, damage)
    dw, dh = info.display_size
    return (
        [
            f"image: {path}",
            f"  format: {info.format}" + (f" ({info.frames} frames)" if info.frames > 1 else ""),
            f"  orientation: {info.orientation} ({ORIENTATION_NAMES[info.orientation]})",
            f"  stored size: {_size(info.raw_width, info.raw_height)}",
            f"  displayed size: {_size(dw, dh)}",
        ]
        + [f"  warning: {w}" for w in info.warnings]
        + ([f"  note: {info.frames_note}"] if info.frames_note else [])
        + ([f"  note: {damage}"] if damage else [])
    )


def _unplaced_lines(response: str, why: str) -> list[str]:
    """What ``info`` can say of a response in physical units without its image: all but the placing."""
    from ocrviewer.core.parsers import FORMATS, load_response

    doc = load_response(response)
    counts = doc.counts()
    fmt = doc.source_format
    page = doc.pages[0] if doc.pages else None
    size = "not stated"
    if page is not None and page.width and page.height:
        size = f"{_size(page.width, page.height)} {page.unit}"
        unit = (page.extras or {}).get("measurement_unit")
        per_inch = {"mm10": 254.0, "inch1200": 1200.0}.get(str(unit))
        if per_inch:  # ALTO's own numbers too
            size += f" ({_size(page.width * per_inch, page.height * per_inch)} {unit})"
    return [
        "image: none given",
        f"response: {response}",
        f"  format: {fmt}" + (f" - {FORMATS[fmt]}" if fmt in FORMATS else ""),
        f"  contents: {counts['page']} page(s), {counts['block']} blocks, {counts['line']} lines, "
        f"{counts['word']} words",
        f"  page size: {size}",
        f"  placed: not without the image ({why.split(': ', 1)[-1]})",
    ]


def cmd_info(args: argparse.Namespace) -> int:
    from ocrviewer.cli import document_cmds
    from ocrviewer.core.document_pages import is_document_path

    if is_document_path(args.image):
        return document_cmds.cmd_info(args)
    if args.image is None and not args.response:
        raise BadInput("give an IMAGE, a --response RESP, or both")
    out = _image_lines(args.image) if args.image is not None else []
    if args.response:
        from ocrviewer.core.parsers import FORMATS

        try:
            result = load_result(args.response, args.image, frame=args.frame)
        except BadInput as err:
            if args.image is not None or "pass the image so it can be converted" not in str(err):
                raise
            print("\n".join(_unplaced_lines(args.response, str(err))))  # ALTO in mm10, a response in inches
            return 0
        if args.image is None:
            out += _image_lines(result.image_path) if result.image_path else ["image: none given"]
        d = result.decision
        counts = result.source.counts()
        fmt = result.source.source_format
        out += [
            f"response: {args.response}",
            f"  format: {fmt}" + (f" - {FORMATS[fmt]}" if fmt in FORMATS else ""),
            f"  contents: {counts['page']} page(s), {counts['block']} blocks, {counts['line']} lines, "
            f"{counts['word']} words" + (f", {counts['table']} tables" if counts["table"] else ""),
            "  page size: "
            + (f"{_size(*d.page_size)} {d.unit}" if d.page_size else f"not stated ({d.unit} coordinates)"),
            "  sidecar: "
            + (
                f"{sidecar_path(args.response)}"
                + (f" ({result.sidecar.provider})" if result.sidecar.provider else "")
                if result.sidecar
                else "none"
            ),
        ]
        out += decision_lines(d)
        out += [f"  warning: {w}" for w in result.warnings]
    print("\n".join(out))
    return 0
