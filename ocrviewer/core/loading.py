"""The one result pipeline: read -> parse (once) -> decide the frame -> place (once).

Every result goes through here and comes out as one :class:`LoadedResult`: the CLI (``export``,
``render``, ``info``) and File > Open response through :func:`load_result`, a recognition run
(already parsed by its provider) through :func:`place_result`, a reopened workspace through
:func:`load_result` with the transform it recorded. The GUI runs these in a worker and only
receives the finished object.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ocrviewer.core.frames import FrameDecision, detect_frame
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import ImageInfo, read_image_info
from ocrviewer.core.ink import ink_map_from_path
from ocrviewer.core.model import Document, Page
from ocrviewer.core.parse_child import ParserProcess
from ocrviewer.core.parsers import load_response
from ocrviewer.core.prepare import file_sha256
from ocrviewer.core.sidecar import Sidecar, read_sidecar, sidecar_path
from ocrviewer.core.sources import Source
from ocrviewer.core.text_reference import check_text_pages, is_text_reference, read_text_reference
from ocrviewer.errors import BadInput, BadResponse
from ocrviewer.resources import IMAGE_SUFFIXES


def is_image_path(path: str | os.PathLike[str]) -> bool:
    """A file the viewer opens as an image (or a PDF) by its name."""
    return os.fspath(path).lower().endswith(IMAGE_SUFFIXES)


def looks_like_response(path: str | os.PathLike[str]) -> bool:
    """A file that is not an image by name and starts like JSON, XML/HTML (hOCR, ALTO, PAGE-XML),
    Tesseract's TSV or gzip (``page.xml.gz``): only its first 4 KiB are read."""
    if is_image_path(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    from ocrviewer.core.formats import is_tsv, looks_like_markup

    return (
        looks_like_markup(head)
        or is_tsv(head)
        or head.startswith(b"\x1f\x8b")  # gzip: page.xml.gz, result.json.gz
        or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    )


def is_response_path(path: str | os.PathLike[str]) -> bool:
    """A response to place (JSON by name, or hOCR/ALTO/PAGE-XML/TSV/JSON by content) rather than an
    image: what a file dropped on the window or given with others is taken as."""
    return os.fspath(path).lower().endswith(".json") or looks_like_response(path)


@dataclass(frozen=True)
class LoadedResult:
    """A response as parsed and as placed on the displayed image, with the decision behind it."""

    response_path: str
    image_path: str | None
    #: the response as parsed: its own frame and unit
    source: Document
    #: the response placed on the displayed image (pixels, EXIF applied)
    document: Document
    decision: FrameDecision
    sidecar: Sidecar | None
    image_info: ImageInfo | None
    #: parser warnings (skipped elements), placement warnings, sidecar mismatches
    warnings: tuple[str, ...] = ()

    @property
    def transform(self) -> FrameTransform:
        return self.decision.transform


def place_document(source: Document, decision: FrameDecision, info: ImageInfo | None) -> Document:
    """``source`` mapped onto the displayed image by ``decision``.

    Without an image each page keeps its own stated pixel size (identity; a page without one gets
    the decision's guess); with one, every page is placed with the decision's transform.
    """
    if info is None and decision.method == "no-image":
        guess = decision.transform.output_size
        pages = []
        for p in source.pages:
            w, h = (p.width, p.height) if p.width is not None and p.height is not None else guess
            pages.append(p.mapped(lambda x, y: (x, y), w, h))
        return source.with_pages(pages)
    t = decision.transform
    return t.apply_document(source)  # (identity: only the page size and unit are set)


def _sidecar_image(sidecar: Sidecar | None, response_path: Path) -> str | None:
    """The image the sidecar names, if it still exists (relative paths: next to the response)."""
    if sidecar is None or not sidecar.image_path:
        return None
    p = Path(sidecar.image_path)
    if not p.is_absolute():
        p = response_path.parent / p
    return str(p) if p.is_file() else None


def recorded_decision(source: Document, transform: FrameTransform, frame: str = "display") -> FrameDecision:
    """A decision that keeps ``transform`` as recorded (a workspace, a user's correction)."""
    return FrameDecision(
        frame=frame if frame in ("display", "raw") else "display",
        transform=transform,
        confidence=1.0,
        reasons=(f"the workspace recorded the transform: {transform.describe()}",),
        unit=source.pages[0].unit if source.pages else "pixel",
        scaled=(transform.scale_x, transform.scale_y) != (1.0, 1.0),
        method="recorded",
    )


def place_result(
    source: Document,
    response_path: str | os.PathLike[str],
    image_path: str | os.PathLike[str] | None,
    info: ImageInfo | None,
    *,
    sidecar: Sidecar | None = None,
    frame: str = "auto",
    transform: FrameTransform | None = None,
    warnings: tuple[str, ...] = (),
) -> LoadedResult:
    """Decide the frame of an already parsed ``source`` and place it once.

    ``transform`` keeps a recorded placement (no detection); otherwise the sidecar's transform
    or frame detection decides. Errors name ``response_path``.
    """
    rpath = Path(response_path)
    try:
        if transform is not None:
            decision = recorded_decision(source, transform, frame)
        else:
            # the image's ink is read only if the page size cannot decide (see core/ink.py)
            ink = (lambda: ink_map_from_path(image_path)) if image_path is not None else None  # noqa: E731
            decision = detect_frame(source, info, frame=frame, sidecar=sidecar, ink=ink)
        document = place_document(source, decision, info)
    except BadResponse as err:
        raise BadResponse(f"{rpath}: {err}") from err
    except BadInput as err:
        raise BadInput(f"{rpath}: {err}") from err
    return LoadedResult(
        response_path=str(rpath),
        image_path=None if image_path is None else str(image_path),
        source=source,
        document=document,
        decision=decision,
        sidecar=sidecar,
        image_info=info,
        warnings=(*source.warnings, *warnings, *decision.warnings),
    )


def load_result(
    response_path: str | os.PathLike[str],
    image_path: str | os.PathLike[str] | None = None,
    frame: str = "auto",
    *,
    info: ImageInfo | None = None,
    transform: FrameTransform | None = None,
    parser: ParserProcess | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    parsed: Document | None = None,
) -> LoadedResult:
    """Parse ``response_path``, read the image and sidecar, decide the frame and place the document.

    The sidecar ``RESP.ocrviewer.json`` is picked up automatically; when no image is given and the
    sidecar names one that exists, that image is used. ``info`` stands in for reading the image's
    header (a rendered PDF page); ``transform`` keeps a recorded placement. Errors name the file.
    With ``parser`` (the viewer's) the response is parsed in that child process (same result);
    ``parsed`` is the response already parsed (the viewer's first frame parsed it).
    """
    rpath = Path(response_path)
    if parsed is not None:
        source = parsed
    elif parser is None:
        source = load_response(rpath)
    else:
        source = parser.call(load_response, rpath, cancelled=cancelled)
    sidecar = read_sidecar(rpath)
    warnings: list[str] = []

    if image_path is None:
        found = _sidecar_image(sidecar, rpath)
        if found and found.lower().endswith(".pdf"):  # a page of a recognized PDF: not an image file
            warnings.append(
                f"the sidecar names a PDF ({found}); give it as the document to place the page on it"
            )
        elif found:
            image_path = found
            warnings.append(f"using the image the sidecar names: {found}")
    if info is None and image_path is not None:
        info = read_image_info(image_path)

    if sidecar is not None and sidecar.image_sha256 and image_path is not None and transform is None:
        try:
            digest = file_sha256(image_path)
        except OSError as err:
            raise BadInput(f"{image_path}: cannot read image ({err})") from err
        if digest != sidecar.image_sha256:
            warnings.append(
                f"{image_path} is not the image {sidecar_path(rpath).name} records (sha256 differs); "
                "the placement may be off"
            )
    if info is not None:
        warnings.extend(f"{info.path}: {w}" for w in info.warnings)
    return place_result(
        source,
        rpath,
        image_path,
        info,
        sidecar=sidecar,
        frame=frame,
        transform=transform,
        warnings=tuple(warnings),
    )


# -- documents: a PDF, a folder or an image, each page placed on its own ------------------------------
def page_ranges(indices: Iterable[int]) -> str:
    """0-based page indices as 1-based ranges: [0, 1, 2, 5] -> "1-3, 6"."""
    out: list[str] = []
    run: list[int] = []
    for i in sorted(set(indices)):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            out.append(f"{run[0] + 1}" if len(run) == 1 else f"{run[0] + 1}-{run[-1] + 1}")
        run = [i]
    if run:
        out.append(f"{run[0] + 1}" if len(run) == 1 else f"{run[0] + 1}-{run[-1] + 1}")
    return ", ".join(out)


@dataclass(frozen=True)
class DocumentResult:
    """A response placed on a document page by page, each page with its own size and frame decision.

    ``document.pages`` hold only the pages the response covers; each page's ``index`` is the index of
    the source page it belongs to (0-based), in order.
    """

    response_path: str
    source: Source
    #: the response as parsed: its own frame and unit
    parsed: Document
    #: the response placed on the document's pages (pixels at the source's dpi, EXIF applied)
    document: Document
    #: source page index -> the decision that placed it
    decisions: Mapping[int, FrameDecision]
    sidecar: Sidecar | None
    warnings: tuple[str, ...] = ()

    @property
    def covered(self) -> tuple[int, ...]:
        return tuple(p.index for p in self.document.pages)

    def page(self, index: int) -> Page | None:
        """The placed result of source page ``index``, or None when the response has none for it."""
        for p in self.document.pages:
            if p.index == index:
                return p
        return None


def _first_page(sidecar: Sidecar | None) -> int:
    """0-based source page a one-page response belongs to, as its sidecar records (batch runs on PDFs)."""
    if sidecar is None:
        return 0
    page = sidecar.extras.get("page")
    return page - 1 if isinstance(page, int) and not isinstance(page, bool) and page >= 1 else 0


def load_document_result(
    source: Source,
    response_path: str | os.PathLike[str],
    frame: str = "auto",
    *,
    coverage: bool = True,
    page: int | None = None,
) -> DocumentResult:
    """Parse ``response_path`` once and place each of its pages on the source page it names.

    Azure ``readResults[].page``, Document Intelligence ``pageNumber``, Yandex ``page``, Textract
    ``Page`` and Google's page order say which page; a page in inches or in the service's own pixels
    is scaled to the page's pixel size here. A response with fewer or more pages than the document gets
    a warning saying which pages it covers (unless ``coverage`` is False: one of several responses).
    A page whose image cannot be read is left out with a warning. ``page`` (0-based) puts a one-page
    response on that page (a batch's response for one image of a folder); by default its sidecar says.
    A plain text file (:mod:`~ocrviewer.core.text_reference`) is placed the same way, page by page,
    without boxes; a page count that fits neither the document nor one page is refused.
    """
    rpath = Path(response_path)
    if is_text_reference(rpath):  # plain text: no boxes; a page of text per page, or one page
        # (a folder of them: a file per page, each on the page its name names)
        parsed = read_text_reference(rpath, [p.name for p in source.pages], source.kind)
        check_text_pages(parsed, rpath, len(source.pages), source.name)
    else:
        parsed = load_response(rpath)
    sidecar = read_sidecar(rpath)
    warnings: list[str] = list(parsed.warnings)
    single = len(parsed.pages) == 1
    offset = (page if page is not None else _first_page(sidecar)) if single else 0
    n = len(source.pages)
    placed: dict[int, Page] = {}
    decisions: dict[int, FrameDecision] = {}
    beyond: list[int] = []
    for p in parsed.pages:
        target = p.index + offset
        if not 0 <= target < n:
            beyond.append(target)
            continue
        if target in placed:
            warnings.append(f"the response has page {target + 1} twice; the first is used")
            continue
        spage = source.pages[target]
        try:
            info = spage.info()
            recorded = None if sidecar is None or sidecar.extras.get("document") else sidecar.image_sha256
            if single and recorded and recorded != spage.sha256():
                warnings.append(
                    f"page {target + 1} is not the image {sidecar_path(rpath).name} records (sha256 differs); "
                    "the placement may be off"
                )
        except (BadInput, OSError) as err:
            warnings.append(f"page {target + 1}: {err}; its result is left out")
            continue
        sub = Document((p,), parsed.source_format, parsed.extras)
        try:
            decision = detect_frame(sub, info, frame=frame, sidecar=sidecar if single else None)
            placed_page = place_document(sub, decision, info).pages[0]
        except BadResponse as err:
            raise BadResponse(f"{rpath}: page {target + 1}: {err}") from err
        except BadInput as err:
            raise BadInput(f"{rpath}: page {target + 1}: {err}") from err
        placed[target] = replace(placed_page, index=target)
        decisions[target] = decision
        where = f"page {target + 1}: " if n > 1 else ""
        warnings.extend(f"{where}{w}" for w in decision.warnings)
    if beyond:
        warnings.append(
            f"the response has page(s) {page_ranges(beyond)} but {source.name} has {n} page(s); "
            "those are left out (is it the response for another document?)"
        )
    if coverage:
        warnings.extend(_coverage(placed, n, "the response"))
    document = replace(parsed, pages=tuple(placed[i] for i in sorted(placed)), warnings=parsed.warnings)
    return DocumentResult(
        response_path=str(rpath),
        source=source,
        parsed=parsed,
        document=document,
        decisions=decisions,
        sidecar=sidecar,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _coverage(placed: Iterable[int], n: int, what: str) -> list[str]:
    covered = sorted(set(placed))
    if n > 1 and len(covered) < n:
        pages = page_ranges(covered) if covered else "none"
        verb = "cover" if what.endswith("s") else "covers"  # "the responses cover"
        return [f"{what} {verb} page(s) {pages} of {n}; the other pages have no result"]
    return []


def combine_results(source: Source, results: Iterable[DocumentResult]) -> DocumentResult:
    """Several responses on one document (a batch's one per page) as one result, page by page.

    A page two responses cover keeps the first; the warning about uncovered pages is about them all.
    """
    results = list(results)
    if not results:
        raise BadInput(f"no response for {source.name}")
    pages: dict[int, Page] = {}
    decisions: dict[int, FrameDecision] = {}
    warnings: list[str] = []
    for r in results:
        name = Path(r.response_path).name
        warnings.extend(f"{name}: {w}" for w in r.warnings)
        for page in r.document.pages:
            if page.index in pages:
                warnings.append(
                    f"{name}: page {page.index + 1} is also in an earlier response; the first is used"
                )
                continue
            pages[page.index] = page
            decisions[page.index] = r.decisions[page.index]
    warnings.extend(_coverage(pages, len(source.pages), "the responses"))
    first = results[0]
    document = replace(first.document, pages=tuple(pages[i] for i in sorted(pages)))
    return DocumentResult(
        response_path=os.path.commonpath([r.response_path for r in results])
        if len(results) > 1
        else first.response_path,
        source=source,
        parsed=first.parsed,
        document=document,
        decisions=decisions,
        sidecar=first.sidecar,
        warnings=tuple(dict.fromkeys(warnings)),
    )
