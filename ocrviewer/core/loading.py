"""Loading a result: response + image + sidecar -> a document placed on the displayed image.

The CLI (``export``, ``render``, ``info``) and the GUI both go through :func:`load_result`, so
they place a response the same way and report the same reasons.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ocrviewer.core.frames import FrameDecision, detect_frame
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import ImageInfo, read_image_info
from ocrviewer.core.model import Document
from ocrviewer.core.parsers import load_response
from ocrviewer.core.prepare import file_sha256
from ocrviewer.core.sidecar import Sidecar, read_sidecar, sidecar_path
from ocrviewer.errors import BadInput, BadResponse


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
    if t.is_identity:  # nothing moves: only the page size and unit are set (fast for 100k words)
        w, h = t.output_size
        return source.with_pages([replace(p, width=w, height=h, unit="pixel") for p in source.pages])
    return t.apply_document(source)


def _sidecar_image(sidecar: Sidecar | None, response_path: Path) -> str | None:
    """The image the sidecar names, if it still exists (relative paths: next to the response)."""
    if sidecar is None or not sidecar.image_path:
        return None
    p = Path(sidecar.image_path)
    if not p.is_absolute():
        p = response_path.parent / p
    return str(p) if p.is_file() else None


def load_result(
    response_path: str | os.PathLike[str],
    image_path: str | os.PathLike[str] | None = None,
    frame: str = "auto",
) -> LoadedResult:
    """Parse ``response_path``, read the image and sidecar, decide the frame and place the document.

    The sidecar ``RESP.ocrviewer.json`` is picked up automatically; when no image is given and the
    sidecar names one that exists, that image is used. Errors name the file and the problem.
    """
    rpath = Path(response_path)
    source = load_response(rpath)
    sidecar = read_sidecar(rpath)
    warnings: list[str] = list(source.warnings)

    if image_path is None:
        found = _sidecar_image(sidecar, rpath)
        if found:
            image_path = found
            warnings.append(f"using the image the sidecar names: {found}")
    info = read_image_info(image_path) if image_path is not None else None

    if sidecar is not None and sidecar.image_sha256 and image_path is not None:
        try:
            digest = file_sha256(image_path)
        except OSError as err:
            raise BadInput(f"{image_path}: cannot read image ({err})") from err
        if digest != sidecar.image_sha256:
            warnings.append(
                f"{image_path} is not the image {sidecar_path(rpath).name} records (sha256 differs); "
                "the placement may be off"
            )
    try:
        decision = detect_frame(source, info, frame=frame, sidecar=sidecar)
        document = place_document(source, decision, info)
    except BadResponse as err:
        raise BadResponse(f"{rpath}: {err}") from err
    except BadInput as err:
        raise BadInput(f"{rpath}: {err}") from err
    warnings.extend(decision.warnings)
    return LoadedResult(
        response_path=str(rpath),
        image_path=None if image_path is None else str(image_path),
        source=source,
        document=document,
        decision=decision,
        sidecar=sidecar,
        image_info=info,
        warnings=tuple(warnings),
    )
