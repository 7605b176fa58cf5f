"""The sidecar: what a recognition run knew, saved next to its raw response.

``RESP.json`` gets ``RESP.json.ocrviewer.json`` beside it. It never holds a secret.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.output import dumps_json, finite_json, write_atomic
from ocrviewer.core.records import Record, frozen
from ocrviewer.errors import BadInput

SIDECAR_SCHEMA = "ocrviewer.sidecar/1"
SIDECAR_SUFFIX = ".ocrviewer.json"


def sidecar_path(response_path: str | os.PathLike[str]) -> Path:
    p = Path(response_path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def with_sidecars(paths: Iterable[str | os.PathLike[str] | None]) -> list[str]:
    """The given files (None and "" left out) and each one's sidecar: what a save must never write
    over (the image, the response, and the metadata beside them)."""
    given = [os.fspath(p) for p in paths if p]
    return [*given, *(str(sidecar_path(p)) for p in given)]


@frozen()
class Sidecar(Record):
    """Metadata of one run. ``transform`` maps the response's coordinates onto the displayed image."""

    provider: str | None = None
    api_version: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    image_sha256: str | None = None
    image_path: str | None = None
    transform: FrameTransform | None = None
    #: "display" or "raw": the frame the response's coordinates are in, when known.
    frame: str | None = None
    created: str | None = None
    request_id: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        provider: str | None = None,
        api_version: str | None = None,
        options: Mapping[str, Any] | None = None,
        image_sha256: str | None = None,
        image_path: str | None = None,
        transform: FrameTransform | None = None,
        frame: str | None = None,
        created: str | None = None,
        request_id: str | None = None,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "provider", provider)
        _set(self, "api_version", api_version)
        _set(self, "options", {} if options is None else options)
        _set(self, "image_sha256", image_sha256)
        _set(self, "image_path", image_path)
        _set(self, "transform", transform)
        _set(self, "frame", frame)
        _set(self, "created", created)
        _set(self, "request_id", request_id)
        _set(self, "extras", {} if extras is None else extras)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SIDECAR_SCHEMA,
            "provider": self.provider,
            "api_version": self.api_version,
            "options": dict(self.options),
            "image_sha256": self.image_sha256,
            "image_path": self.image_path,
            "transform": self.transform.to_dict() if self.transform else None,
            "frame": self.frame,
            "created": self.created,
            "request_id": self.request_id,
            "extras": dict(self.extras),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Sidecar:
        if not isinstance(d, Mapping) or d.get("schema") != SIDECAR_SCHEMA:
            raise BadInput(f"not an {SIDECAR_SCHEMA} sidecar")
        for key in ("options", "transform", "extras"):
            if d.get(key) is not None and not isinstance(d[key], Mapping):
                raise BadInput(f"{key} must be a JSON object, not {type(d[key]).__name__}")
        texts = ("provider", "api_version", "image_sha256", "image_path", "frame", "created", "request_id")
        for key in texts:
            if d.get(key) is not None and not isinstance(d[key], str):
                raise BadInput(f"{key} must be text, not {type(d[key]).__name__}")
        t = d.get("transform")
        return cls(
            provider=d.get("provider"),
            api_version=d.get("api_version"),
            options=dict(d.get("options") or {}),
            image_sha256=d.get("image_sha256"),
            image_path=d.get("image_path"),
            transform=FrameTransform.from_dict(t) if t else None,
            frame=d.get("frame"),
            created=d.get("created"),
            request_id=d.get("request_id"),
            extras=dict(d.get("extras") or {}),
        )


def read_sidecar(response_path: str | os.PathLike[str]) -> Sidecar | None:
    """The sidecar next to ``response_path``, or None when there is none. A broken one is an error."""
    p = sidecar_path(response_path)
    if not p.is_file():
        return None
    try:
        return Sidecar.from_dict(json.loads(p.read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise BadInput(f"{p}: unreadable sidecar ({reason}); delete it or fix it") from err
    except BadInput as err:
        raise BadInput(f"{p}: {err}; delete the sidecar or fix it") from err


def write_sidecar(
    response_path: str | os.PathLike[str],
    sidecar: Sidecar,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Write the sidecar next to ``response_path`` (never over the response or any of ``inputs``)."""
    data, _ = finite_json(sidecar.to_dict())
    return write_atomic(
        sidecar_path(response_path), dumps_json(data, indent=2), inputs=[response_path, *inputs]
    )


def batch_name(path: str, sidecar: Sidecar | None) -> str | None:
    """ "azure-read (out/)": the engine and folder of a response a batch wrote for one page (its
    sidecar names the page), what the window and the report call that engine's results; else None."""
    if sidecar is None or not sidecar.extras.get("page"):
        return None
    return engine_name(sidecar.provider, os.path.dirname(os.path.abspath(path)))


def engine_name(provider: str | None, folder: str | os.PathLike[str]) -> str:
    """ "azure-read (out/)": one engine's results in ``folder`` (a batch's OUTDIR)."""
    return f"{provider or 'results'} ({Path(os.path.abspath(folder)).name}/)"
