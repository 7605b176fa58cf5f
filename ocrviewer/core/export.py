"""The one owner of the normalized result file (``ocrviewer.document/1``): written and read back here.

Every writer (``ocrviewer export``, the window's Save Result, the frame tools' Save corrected)
calls :func:`write_export`; what ocrviewer adds to the document is one ``extras["ocrviewer"]``
object, and :func:`read_export` reads every field of it back::

    "extras": {"ocrviewer": {
        "response": "resp.json",           # the response it was made from (file name), or null
        "image": "photo.jpg",              # the image it is placed on (file name), or null
        "frame_decision": {...},           # FrameDecision.to_dict(): frame, transform, confidence, ...
        "transform": {...},                # the transform in force (differs after corrections)
        "corrections": [{"time": ..., "transform": {...}}, ...]
    }}

The document's polygons are already placed (displayed frame, pixels); the transform says how they
were placed, so the file is reproducible from the raw response. Written through
:func:`ocrviewer.core.output.write_atomic`, never over an input.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ocrviewer.core.frames import FrameDecision
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.limits import read_limited
from ocrviewer.core.model import Document
from ocrviewer.core.output import dumps_json, finite_json, write_atomic
from ocrviewer.errors import BadInput, BadResponse

__all__ = [
    "EXTRAS_KEY",
    "RESULT_SUFFIX",
    "ExportInfo",
    "export_dict",
    "read_export",
    "result_path",
    "write_export",
]

EXTRAS_KEY = "ocrviewer"

PathLike = str | os.PathLike[str]


#: what a saved result's name ends with when the viewer proposes one
RESULT_SUFFIX = ".ocrviewer-result.json"


def result_path(response_path: str | None, image_path: str | None) -> Path:
    """A name for the saved result beside its response (else its image) that cannot be either:
    ``resp.json`` -> ``resp.ocrviewer-result.json``, ``scan.png`` -> ``scan.ocrviewer-result.json``."""
    p = Path(response_path or image_path or "result")
    stem = p.name[: -len(".json")] if p.name.lower().endswith(".json") else p.stem
    return p.with_name(stem + RESULT_SUFFIX)


@dataclass(frozen=True)
class ExportInfo:
    """What ocrviewer recorded about how the exported document was made and placed."""

    response: str | None = None
    image: str | None = None
    decision: FrameDecision | None = None
    transform: FrameTransform | None = None
    corrections: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "response": self.response,
            "image": self.image,
            "frame_decision": self.decision.to_dict() if self.decision is not None else None,
            "transform": self.transform.to_dict() if self.transform is not None else None,
            "corrections": [dict(c) for c in self.corrections],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ExportInfo:
        if not isinstance(d, Mapping):
            raise BadInput(f"extras.{EXTRAS_KEY} must be a JSON object")
        decision = d.get("frame_decision")
        transform = d.get("transform")
        corrections = d.get("corrections") or []
        if not isinstance(corrections, list) or not all(isinstance(c, Mapping) for c in corrections):
            raise BadInput(f"extras.{EXTRAS_KEY}.corrections must be a list of objects")
        return cls(
            response=_text_or_none(d.get("response"), "response"),
            image=_text_or_none(d.get("image"), "image"),
            decision=FrameDecision.from_dict(decision) if decision else None,
            transform=FrameTransform.from_dict(transform) if transform else None,
            corrections=tuple(dict(c) for c in corrections),
        )


def _text_or_none(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadInput(f"extras.{EXTRAS_KEY}.{what} must be text")
    return value


def export_dict(
    document: Document,
    *,
    response_path: PathLike | None = None,
    image_path: PathLike | None = None,
    decision: FrameDecision | None = None,
    transform: FrameTransform | None = None,
    corrections: Iterable[Mapping[str, Any]] = (),
    warnings: Iterable[str] = (),
) -> dict[str, Any]:
    """The normalized document with ``extras["ocrviewer"]`` saying how it was made and placed."""
    if transform is None and decision is not None:
        transform = decision.transform
    info = ExportInfo(
        response=os.path.basename(response_path) if response_path else None,
        image=os.path.basename(image_path) if image_path else None,
        decision=decision,
        transform=transform,
        corrections=tuple(corrections),
    )
    data = document.to_dict()
    data["extras"] = {**(data.get("extras") or {}), EXTRAS_KEY: info.to_dict()}
    merged = list(dict.fromkeys([*data.get("warnings", []), *warnings]))
    if merged:
        data["warnings"] = merged
    return data


def write_export(
    path: PathLike,
    document: Document,
    *,
    inputs: Iterable[PathLike | None] = (),
    on_note: Callable[[str], None] | None = None,
    **info: Any,
) -> Path:
    """Write :func:`export_dict` to ``path`` (strict JSON, atomic, never over one of ``inputs``).

    NaN/Infinity copied from a response (in extras) are written as null, with a note in the
    document's warnings and to ``on_note``.
    """
    data, dropped = finite_json(export_dict(document, **info))
    if dropped:
        note = f"{dropped} value(s) copied from the response were NaN or Infinity; written as null"
        data["warnings"] = [*data.get("warnings", []), note]
        if on_note is not None:
            on_note(note)
    return write_atomic(path, dumps_json(data, indent=1) + b"\n", inputs=inputs)


def read_export(source: PathLike | Mapping[str, Any]) -> tuple[Document, ExportInfo]:
    """A normalized document and what ocrviewer recorded with it (empty for a plain document)."""
    name = "the document"
    if isinstance(source, Mapping):
        data: Any = source
    else:
        name = os.fspath(source)
        try:
            data = json.loads(read_limited(source))
        except OSError as err:
            raise BadInput(f"{name}: cannot read ({err.strerror or err})") from err
        except (ValueError, RecursionError) as err:
            raise BadResponse(f"{name}: not JSON ({err})") from err
    document = Document.from_dict(data)
    extras = dict(document.extras)
    recorded = extras.pop(EXTRAS_KEY, None)
    try:
        info = ExportInfo.from_dict(recorded) if recorded is not None else ExportInfo()
    except BadInput as err:
        raise BadInput(f"{name}: {err}") from err
    return replace(document, extras=extras), info
