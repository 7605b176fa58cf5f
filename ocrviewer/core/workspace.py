"""The workspace: a source of pages, each page holding any number of results. Qt-free and evented.

::

    Workspace
      source: SourceRef (path, kind "image" | "pdf" | "tiff" | "folder", dpi)
      pages: [WorkspacePage (index, image path + page ref, sha256, size, shown result id)]
        results: [Result (id, name, role "result" | "truth", origin, raw response path,
                          frame decision + transform in force + user corrections,
                          the checker's marks on its words (optional "check"),
                          the LoadedResult with the placed Document once placed)]

It saves to one JSON file (``"schema": "ocrviewer.workspace/1"``, paths relative to that file so
the folder can move) through :mod:`ocrviewer.core.output`, and reopens from it without calling
any service: :func:`open_workspace` re-reads every raw response and places it with the transform
the workspace recorded. A page whose image changed (sha256) or is missing keeps its results but
does not place them; a missing response, or a file from a newer schema, is one message each; the
rest opens. Views subscribe with :meth:`Workspace.subscribe` and rebuild from the model.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ocrviewer.core.frames import FrameDecision
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.limits import read_limited
from ocrviewer.core.loading import LoadedResult, load_result
from ocrviewer.core.model import Document
from ocrviewer.core.output import dumps_json, finite_json, write_atomic
from ocrviewer.core.parse_child import ParserProcess
from ocrviewer.core.prepare import file_sha256
from ocrviewer.core.sidecar import sidecar_path
from ocrviewer.core.text_reference import TEXT_FORMAT, is_text_folder, is_text_reference, read_text_reference
from ocrviewer.errors import BadInput, OcrViewerError

__all__ = [
    "SCHEMA",
    "Origin",
    "Result",
    "SourceRef",
    "Workspace",
    "WorkspaceEvent",
    "WorkspacePage",
    "is_workspace_file",
    "open_workspace",
    "page_for",
    "read_workspace",
    "source_kind",
]

SCHEMA = "ocrviewer.workspace/1"
SCHEMA_PREFIX = "ocrviewer.workspace/"
SCHEMA_VERSION = 1
ROLES = ("result", "truth")
ORIGIN_KINDS = ("file", "provider", "check")


def source_kind(path: str | os.PathLike[str]) -> str:
    """ "pdf", "tiff" (a TIFF of several pages), "folder" or "image", from the path (and a TIFF's
    directories)."""
    from ocrviewer.core.sources import is_multipage_tiff, is_pdf

    p = Path(path)
    if p.is_dir():
        return "folder"
    if is_pdf(p):
        return "pdf"
    return "tiff" if is_multipage_tiff(p) else "image"


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SourceRef:
    """Where the pages come from."""

    path: str
    kind: str = "image"  # "image", "pdf", "tiff" or "folder"
    dpi: float = 150.0


@dataclass(frozen=True)
class Origin:
    """Where a result came from: a file, a provider run (name, options, time) or a check."""

    kind: str = "file"
    path: str | None = None
    provider: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    time: str | None = None


@dataclass(frozen=True)
class Result:
    """One result on one page. ``loaded`` (not saved) is the parsed and placed response."""

    id: str
    name: str
    role: str = "result"
    origin: Origin = field(default_factory=Origin)
    #: the raw response file (absolute in memory, relative in the saved file)
    response_path: str | None = None
    #: "display" or "raw": the frame the response's coordinates were taken to be in
    frame: str = "display"
    #: how the placement was decided ("auto", "sidecar", "forced", "recorded", ...) and how sure
    method: str = "auto"
    confidence: float = 0.0
    #: the transform frame detection chose, and the one in force (differs after user corrections)
    detected: FrameTransform | None = None
    transform: FrameTransform | None = None
    #: the user's corrections in order: {"time": ..., "transform": {...}}
    corrections: tuple[Mapping[str, Any], ...] = ()
    #: the checker's marks on this result's words (``CheckSession.marks_to_dict``), or None
    check: Mapping[str, Any] | None = None
    loaded: LoadedResult | None = field(default=None, compare=False, repr=False)
    #: why the result is not placed (image changed, response missing), or None
    problem: str | None = None
    #: the page of a multi-page response this result is (its parsed page's index), or None: the whole response
    response_page: int | None = None

    @property
    def document(self) -> Document | None:
        """The result placed on the displayed page, or None when it could not be placed."""
        return self.loaded.document if self.loaded is not None else None

    @property
    def decision(self) -> FrameDecision | None:
        return self.loaded.decision if self.loaded is not None else None

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    @property
    def text_only(self) -> bool:
        """A result without boxes (a plain text ground truth): scored by its text alone, nothing drawn."""
        if self.loaded is not None:
            return self.loaded.source.source_format == TEXT_FORMAT
        return self.response_path is not None and is_text_reference(self.response_path)

    @classmethod
    def from_loaded(
        cls,
        loaded: LoadedResult,
        *,
        name: str | None = None,
        role: str = "result",
        origin: Origin | None = None,
        id: str = "",
        response_page: int | None = None,
    ) -> Result:
        """A result for a freshly placed response (its decision becomes the detected transform)."""
        if role not in ROLES:
            raise BadInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        d = loaded.decision
        return cls(
            id=id,
            name=name or os.path.basename(loaded.response_path),
            role=role,
            origin=origin or Origin("file", path=loaded.response_path, time=now()),
            response_path=loaded.response_path,
            frame=d.frame,
            method=d.method,
            confidence=d.confidence,
            detected=d.transform,
            transform=d.transform,
            loaded=loaded,
            response_page=response_page,
        )

    def corrected_to(
        self,
        transform: FrameTransform,
        *,
        document: Document | None = None,
        decision: FrameDecision | None = None,
    ) -> Result:
        """This result re-placed by ``transform`` (``document`` when already placed), the correction
        recorded. ``decision`` replaces the frame decision (the user forced a frame)."""
        entry = {"time": now(), "transform": transform.to_dict()}
        loaded = self.loaded
        if loaded is not None:
            d = decision if decision is not None else loaded.decision
            loaded = replace(
                loaded,
                decision=replace(d, transform=transform),
                document=document if document is not None else transform.apply_document(loaded.source),
            )
        frame = decision.frame if decision is not None else self.frame
        return replace(
            self, transform=transform, frame=frame, corrections=(*self.corrections, entry), loaded=loaded
        )

    # -- saved form ----------------------------------------------------------------------------
    def to_dict(self, base: Path) -> dict[str, Any]:
        origin: dict[str, Any] = {"kind": self.origin.kind}
        if self.origin.path:
            origin.update(_saved_path("path", self.origin.path, base))
        if self.origin.provider:
            origin["provider"] = self.origin.provider
            origin["options"] = dict(self.origin.options)
        if self.origin.time:
            origin["time"] = self.origin.time
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "origin": origin,
            **(
                _saved_path("response", self.response_path, base)
                if self.response_path
                else {"response": None}
            ),
            "frame": {
                "frame": self.frame,
                "method": self.method,
                "confidence": round(self.confidence, 4),
                "detected": self.detected.to_dict() if self.detected else None,
                "transform": self.transform.to_dict() if self.transform else None,
                "corrections": [dict(c) for c in self.corrections],
            },
        }
        if self.response_page is not None:
            out["response_page"] = self.response_page
        if self.check:
            out["check"] = dict(self.check)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], base: Path) -> Result:
        if not isinstance(d, Mapping):
            raise BadInput("a result must be a JSON object")
        o = _mapping(d.get("origin"), "origin")
        f = _mapping(d.get("frame"), "frame")
        role = d.get("role", "result")
        if role not in ROLES:
            raise BadInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        kind = o.get("kind", "file")
        if kind not in ORIGIN_KINDS:
            raise BadInput(f"origin kind must be one of {', '.join(ORIGIN_KINDS)}, not {kind!r}")
        corrections = f.get("corrections") or []
        if not isinstance(corrections, list) or not all(isinstance(c, Mapping) for c in corrections):
            raise BadInput("frame corrections must be a list of objects")
        return cls(
            id=_text(d.get("id"), "id"),
            name=_text(d.get("name", d.get("id")), "name"),
            role=role,
            origin=Origin(
                kind=kind,
                path=_read_path(o, "path", base, "origin path") if o.get("path") else None,
                provider=o.get("provider"),
                options=dict(_mapping(o.get("options"), "options")),
                time=o.get("time"),
            ),
            response_path=_read_path(d, "response", base, "response") if d.get("response") else None,
            frame=str(f.get("frame", "display")),
            method=str(f.get("method", "recorded")),
            confidence=float(f.get("confidence", 1.0)),
            detected=FrameTransform.from_dict(f["detected"]) if f.get("detected") else None,
            transform=FrameTransform.from_dict(f["transform"]) if f.get("transform") else None,
            corrections=tuple(dict(c) for c in corrections),
            response_page=None if d.get("response_page") is None else int(d["response_page"]),
            check=_check(d.get("check")),
        )


@dataclass
class WorkspacePage:
    """One page: the file its pixels come from (and the page inside a PDF), its hash and size."""

    index: int
    image_path: str
    page_ref: int | None = None
    sha256: str | None = None
    #: displayed size in pixels (EXIF applied; a PDF page at the source's dpi)
    size: tuple[int, int] | None = None
    results: list[Result] = field(default_factory=list)
    #: id of the result the views show, or None
    shown: str | None = None
    #: why this page's results are not placed (image changed or missing), or None
    problem: str | None = None

    def result(self, result_id: str | None) -> Result | None:
        return next((r for r in self.results if r.id == result_id), None)

    def info(self) -> ImageInfo | None:
        """An ImageInfo standing in for the page's header (a PDF page), from the recorded size."""
        if self.page_ref is None or self.size is None:
            return None
        w, h = self.size
        return ImageInfo(path=self.image_path, format="PDF", raw_width=w, raw_height=h)

    def to_dict(self, base: Path) -> dict[str, Any]:
        return {
            "index": self.index,
            **_saved_path("image", self.image_path, base),
            "page": self.page_ref,
            "sha256": self.sha256,
            "size": list(self.size) if self.size else None,
            "shown": self.shown,
            "results": [r.to_dict(base) for r in self.results],
        }


def page_for(
    image_path: str | os.PathLike[str], info: ImageInfo, page_ref: int | None = None
) -> WorkspacePage:
    """A page showing ``image_path`` (or page ``page_ref`` of a PDF) as ``info`` describes it.

    The image's hash is taken when the workspace is saved (hashing a big scan is not free).
    """
    return WorkspacePage(
        index=page_ref or 0, image_path=str(image_path), page_ref=page_ref, size=info.display_size
    )


@dataclass(frozen=True)
class WorkspaceEvent:
    """What changed: ``kind`` is "source", "added", "changed", "checked", "removed" or "shown"."""

    kind: str
    page: int = -1
    result_id: str | None = None


Listener = Callable[[WorkspaceEvent], None]


class Workspace:
    """Pages of one source and their results; tells subscribers about every change."""

    def __init__(self, source: SourceRef | None = None, pages: Iterable[WorkspacePage] = ()) -> None:
        self.source = source
        self.pages: list[WorkspacePage] = list(pages)
        #: the file this workspace was read from or last saved to
        self.path: Path | None = None
        self._listeners: list[Listener] = []

    # -- events --------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, kind: str, page: int = -1, result_id: str | None = None) -> None:
        event = WorkspaceEvent(kind, page, result_id)
        for listener in list(self._listeners):
            listener(event)

    # -- changes -------------------------------------------------------------------------------
    def set_source(self, source: SourceRef | None, pages: Iterable[WorkspacePage] = ()) -> None:
        """Start over with ``source`` and its ``pages`` (no results)."""
        self.source, self.pages = source, list(pages)
        self._emit("source")

    def page(self, index: int) -> WorkspacePage:
        try:
            return self.pages[index]
        except IndexError:
            raise BadInput(f"the workspace has no page {index + 1} (it has {len(self.pages)})") from None

    def add_result(self, page: int, result: Result, *, show: bool = True) -> Result:
        """Add ``result`` to ``page`` (a unique id is given when empty or taken); returns it as stored."""
        p = self.page(page)
        taken = {r.id for r in p.results}
        rid = result.id
        if not rid or rid in taken:
            n = len(p.results) + 1
            while f"r{n}" in taken:
                n += 1
            rid = f"r{n}"
        names = {r.name for r in p.results}
        name, k = result.name, 2
        while name in names:
            name, k = f"{result.name} ({k})", k + 1
        stored = replace(result, id=rid, name=name)
        p.results.append(stored)
        self._emit("added", page, rid)
        if show:
            self.show(page, rid)
        return stored

    def replace_result(self, page: int, result: Result) -> None:
        """Put ``result`` in place of the result with the same id (a correction, a placement)."""
        p = self.page(page)
        for i, r in enumerate(p.results):
            if r.id == result.id:
                p.results[i] = result
                self._emit("changed", page, result.id)
                return
        raise BadInput(f"page {page + 1} has no result {result.id!r}")

    def set_check(self, page: int, result_id: str, marks: Mapping[str, Any] | None) -> None:
        """Record the checker's marks on a result (saved with the workspace); emits "checked"."""
        p = self.page(page)
        for i, r in enumerate(p.results):
            if r.id == result_id:
                if r.check != marks:
                    p.results[i] = replace(r, check=dict(marks) if marks else None)
                    self._emit("checked", page, result_id)
                return
        raise BadInput(f"page {page + 1} has no result {result_id!r}")

    def show(self, page: int, result_id: str | None) -> None:
        """Make ``result_id`` the result views show on ``page``."""
        p = self.page(page)
        if result_id is not None and p.result(result_id) is None:
            raise BadInput(f"page {page + 1} has no result {result_id!r}")
        if p.shown != result_id:
            p.shown = result_id
            self._emit("shown", page, result_id)

    def shown(self, page: int) -> Result | None:
        if not 0 <= page < len(self.pages):
            return None
        p = self.pages[page]
        return p.result(p.shown)

    # -- saving --------------------------------------------------------------------------------
    def to_dict(self, base: str | os.PathLike[str]) -> dict[str, Any]:
        """The saved form, paths relative to the folder ``base``."""
        b = Path(base)
        return {
            "schema": SCHEMA,
            "saved": now(),
            "source": None
            if self.source is None
            else {
                **_saved_path("path", self.source.path, b),
                "kind": self.source.kind,
                "dpi": self.source.dpi,
            },
            "pages": [p.to_dict(b) for p in self.pages],
        }

    def inputs(self) -> list[str]:
        """Every file the workspace refers to, and the responses' sidecars (never written over by a save)."""
        files: list[str] = [self.source.path] if self.source else []
        for p in self.pages:
            files.append(p.image_path)
            for r in p.results:
                if r.response_path:
                    files += [r.response_path, str(sidecar_path(r.response_path))]
        return files

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the workspace to ``path`` (atomic; never over an image or response it refers to)."""
        target = Path(path)
        hashes: dict[str, str] = {}  # a PDF's pages share one file: hashed once
        for p in self.pages:
            if p.sha256 is None and p.problem is None and Path(p.image_path).is_file():
                if p.image_path not in hashes:
                    hashes[p.image_path] = file_sha256(p.image_path)
                p.sha256 = hashes[p.image_path]
        folder = target.absolute().parent
        data = dumps_json(finite_json(self.to_dict(folder))[0], indent=1)  # NaN copied through: null
        out = write_atomic(target, data, inputs=self.inputs())
        self.path = out
        return out


# -- reading --------------------------------------------------------------------------------------------
def is_workspace_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` looks like a saved workspace (its schema near the start), without parsing it."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b'"schema"' in head and SCHEMA_PREFIX.encode() in head


def read_workspace(path: str | os.PathLike[str]) -> tuple[Workspace, list[str]]:
    """The workspace in ``path`` with no result placed yet, and one-line notes about what was odd.

    Raises :class:`BadInput` only when the file is not a workspace at all.
    """
    p = Path(path)
    try:
        data = json.loads(read_limited(p))
    except OSError as err:
        raise BadInput(f"{p}: cannot read ({err.strerror or err}); check the path") from err
    except RecursionError as err:
        raise BadInput(
            f"{p}: not a workspace (not JSON: nested too deeply); open an ocrviewer workspace file"
        ) from err
    except ValueError as err:
        why = str(err).split(";")[0]  # not Python's advice on raising its integer-digits limit
        raise BadInput(f"{p}: not a workspace (not JSON: {why}); open an ocrviewer workspace file") from err
    schema = data.get("schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or not schema.startswith(SCHEMA_PREFIX):
        raise BadInput(f"{p}: not an ocrviewer workspace (no {SCHEMA!r} schema); open a workspace file")
    notes: list[str] = []
    version = schema[len(SCHEMA_PREFIX) :]
    if not version.isdigit() or int(version) > SCHEMA_VERSION:
        notes.append(
            f"{p}: written by a newer ocrviewer ({schema}); opened what this version understands, "
            "update ocrviewer to see the rest"
        )
    base = p.absolute().parent
    source = None
    s = data.get("source")
    if isinstance(s, Mapping) and isinstance(s.get("path"), str):
        dpi = s.get("dpi", 150.0)
        if not (type(dpi) in (int, float) and math.isfinite(dpi) and dpi > 0):
            notes.append(f"{p}: the source's dpi {dpi!r} is not a positive number; 150 is used")
            dpi = 150.0
        source = SourceRef(
            _read_path(s, "path", base, "source path"), str(s.get("kind", "image")), float(dpi)
        )
    pages: list[WorkspacePage] = []
    listed = data.get("pages") or []
    if not isinstance(listed, list):
        raise BadInput(f"{p}: the workspace's pages are not a list; fix the file or open the image instead")
    for n, pd in enumerate(listed):
        try:
            page = _page_from_dict(pd, base, n)
        except (BadInput, KeyError, TypeError, ValueError) as err:
            notes.append(f"{p}: page {n + 1} skipped ({err}); fix or remove it in the workspace file")
            continue
        results = pd.get("results") or []
        if not isinstance(results, list):
            notes.append(
                f"{p}: the results of page {n + 1} are not a list; fix or remove them in the workspace file"
            )
            results = []
        for k, rd in enumerate(results):
            try:
                result = Result.from_dict(rd, base)
            except (BadInput, KeyError, TypeError, ValueError) as err:
                notes.append(
                    f"{p}: result {k + 1} of page {n + 1} skipped ({err}); fix or remove it in the workspace file"
                )
                continue
            if rd.get("check") is not None and result.check is None:
                notes.append(
                    f"{p}: the check marks of result {k + 1} on page {n + 1} are not marks (no schema); "
                    "they were left out, check the words again"
                )
            page.results.append(result)
        pages.append(page)
    ws = Workspace(source, pages)
    ws.path = p
    return ws, notes


def _page_from_dict(d: Any, base: Path, n: int) -> WorkspacePage:
    d = _mapping(d, "page")
    size = d.get("size")
    return WorkspacePage(
        index=int(d.get("index", n)),
        image_path=_read_path(d, "image", base, "image"),
        page_ref=None if d.get("page") is None else int(d["page"]),
        sha256=d.get("sha256"),
        size=(int(size[0]), int(size[1])) if size else None,
        shown=d.get("shown"),
    )


def open_workspace(
    path: str | os.PathLike[str], parser: ParserProcess | None = None
) -> tuple[Workspace, list[str]]:
    """Read ``path`` and place every result with its recorded transform (no service is called).

    Slow for big responses: run it in a worker. Returns the workspace and one-line notes (an
    image that changed or is missing, a response that is missing or unreadable, a newer schema).
    With ``parser`` (the viewer's) the responses are parsed in that child process.
    """
    ws, notes = read_workspace(path)
    memo: dict[str, Any] = {}  # a document's pages share their PDF and their responses: read once
    if ws.source is not None and ws.source.kind != "image":  # a folder of page texts finds its pages
        memo[_TEXT_PAGES] = ([os.path.basename(p.image_path) for p in ws.pages], ws.source.kind)
    for page in ws.pages:
        notes.extend(place_page(page, memo, parser))
    return ws, notes


def place_page(
    page: WorkspacePage, memo: dict[str, Any] | None = None, parser: ParserProcess | None = None
) -> list[str]:
    """Check the page's image and place each of its results; one note per problem.

    ``memo`` (shared by the pages of one workspace) keeps file hashes and parsed responses.
    """
    memo = {} if memo is None else memo
    notes: list[str] = []
    image = page.image_path
    if not Path(image).is_file():
        page.problem = f"{image}: the image is missing; put it back next to the workspace or reload it"
    elif page.sha256:
        try:
            key = f"sha256:{image}"
            if key not in memo:
                memo[key] = file_sha256(image)
            changed = memo[key] != page.sha256
        except OSError as err:
            changed, page.problem = False, f"{image}: cannot read ({err.strerror or err}); check permissions"
        if changed:
            page.problem = (
                f"{image}: the image changed since the workspace was saved (sha256 differs); "
                "its results are not placed, open the responses again to place them on the new image"
            )
    if page.problem:
        notes.append(page.problem)
        page.results = [replace(r, loaded=None, problem=page.problem) for r in page.results]
        return notes
    placed: list[Result] = []
    for r in page.results:
        try:
            placed.append(place_recorded(r, image, page.info(), memo, parser))
        except OcrViewerError as err:
            notes.append(str(err))
            placed.append(replace(r, loaded=None, problem=str(err)))
    page.results = placed
    return notes


#: the ``memo`` key of the document's page names and kind (a folder of page texts is matched to them)
_TEXT_PAGES = "text-pages"


def place_recorded(
    result: Result,
    image_path: str,
    info: ImageInfo | None = None,
    memo: dict[str, Any] | None = None,
    parser: ParserProcess | None = None,
) -> Result:
    """``result`` with its response parsed once and placed by the transform it recorded.

    A result that is one page of a multi-page response places that page only (the parsed response
    is kept in ``memo`` for the other pages).
    """
    if not result.response_path:
        raise BadInput(f"result {result.name!r} has no response file; load it again")
    if not Path(result.response_path).is_file() and not is_text_folder(result.response_path):
        raise BadInput(
            f"{result.response_path}: the response of {result.name!r} is missing; put it back or remove the result"
        )
    if result.response_page is None or result.transform is None:
        loaded = load_result(
            result.response_path,
            image_path,
            frame=result.frame,
            info=info,
            transform=result.transform,
            parser=parser,
            parsed=read_text_reference(result.response_path)
            if is_text_reference(result.response_path)
            else None,
        )
        return replace(result, loaded=loaded, problem=None)
    from ocrviewer.core.loading import place_result
    from ocrviewer.core.parsers import load_response

    memo = {} if memo is None else memo
    key = f"response:{result.response_path}"
    if key not in memo:
        if is_text_reference(result.response_path):  # a plain text ground truth (or a folder of them)
            memo[key] = read_text_reference(result.response_path, *memo.get(_TEXT_PAGES, (None, "")))
        elif parser is None:
            memo[key] = load_response(result.response_path)
        else:
            memo[key] = parser.call(load_response, result.response_path)
    parsed: Document = memo[key]
    page = next((p for p in parsed.pages if p.index == result.response_page), None)
    if page is None:
        raise BadInput(
            f"{result.response_path}: has no page {result.response_page + 1} any more; load the response again"
        )
    one = replace(parsed, pages=(page,), warnings=())
    loaded = place_result(
        one, result.response_path, image_path, info, frame=result.frame, transform=result.transform
    )
    return replace(result, loaded=loaded, problem=None)


# -- helpers --------------------------------------------------------------------------------------------
def _rel(path: str, base: Path) -> str:
    """``path`` relative to ``base`` when it can be (so the folder can move), with / separators."""
    try:
        return Path(os.path.relpath(os.path.abspath(path), base)).as_posix()
    except ValueError:  # another drive (Windows)
        return os.path.abspath(path)


#: beside a path whose file name is not UTF-8 (bytes on Linux, held as lone surrogates): its bytes,
#: base64; the path itself is saved readable, with U+FFFD for each such byte (JSON holds only Unicode)
_BYTES_SUFFIX = "_bytes"


def _saved_path(key: str, path: str, base: Path) -> dict[str, str]:
    """``{key: path relative to base}``, and ``{key}_bytes`` when the name is not valid UTF-8, so the
    file is found again on reopening (the readable form alone names no file)."""
    rel = _rel(path, base)
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        import base64

        return {key: rel, key + _BYTES_SUFFIX: base64.b64encode(os.fsencode(rel)).decode("ascii")}
    return {key: rel}


def _read_path(d: Mapping[str, Any], key: str, base: Path, what: str) -> str:
    """The absolute path saved under ``key`` (its ``_bytes`` form first, when valid)."""
    raw = d.get(key + _BYTES_SUFFIX)
    if isinstance(raw, str) and raw:
        import base64
        import binascii

        try:
            return _abs(os.fsdecode(base64.b64decode(raw, validate=True)), base)
        except (binascii.Error, ValueError):
            pass  # edited by hand: the readable form below
    return _abs(_text(d.get(key), what), base)


def _abs(path: str, base: Path) -> str:
    p = Path(path)
    return str(p if p.is_absolute() else (base / p))


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadInput(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _check(value: Any) -> Mapping[str, Any] | None:
    """Saved check marks as they are (the checker reads and validates them), or None when absent
    or not marks at all (read_workspace says so)."""
    if not isinstance(value, Mapping) or not isinstance(value.get("schema"), str):
        return None
    return dict(value)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadInput(f"{what} must be non-empty text")
    return value
