"""A cache of raw responses keyed by everything that can change the answer, so a result is paid for once.

The key holds the image's hash and the hash of the bytes actually sent (the prepared image), the
provider, its options (model, languages, mode, reading order, ...) and what the provider says decides
the answer besides them (:func:`service_identity`: endpoint, API version, engine version).

Each entry is the raw response exactly as received plus its sidecar (the same file format
``recognize -o`` writes), under ``OCRVIEWER_CACHE_DIR`` or ``$XDG_CACHE_HOME/ocrviewer``.
Entries hold no secret: neither the raw response nor the sidecar ever contains one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocrviewer.core import output
from ocrviewer.core.sidecar import Sidecar, read_sidecar, sidecar_path, write_sidecar
from ocrviewer.errors import BadInput

SUFFIXES = (".json", ".jsonl")


def cache_dir() -> Path:
    explicit = os.environ.get("OCRVIEWER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ocrviewer"


def normalize_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options in one canonical form: no empty values, strings stripped, sorted keys."""
    out: dict[str, Any] = {}
    for key in sorted(options):
        value = options[key]
        if value is None or value == "" or value == ():
            continue
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, (list, tuple)):
            value = [str(v).strip() for v in value]
        elif not isinstance(value, (int, float, bool)):
            value = str(value)
        out[str(key)] = value
    return out


def cache_key(
    image_sha256: str,
    provider: str,
    options: Mapping[str, Any],
    *,
    prepared_sha256: str | None = None,
    service: Mapping[str, Any] | None = None,
) -> str:
    """The cache key of one request: any difference in what is sent, or where and how, is another key.

    ``image_sha256`` is the original file's (the placement on it is cached too), ``prepared_sha256``
    the bytes sent, ``service`` the provider's :func:`service_identity`.
    """
    blob = json.dumps(
        {
            "image": image_sha256,
            "prepared": prepared_sha256,
            "provider": provider,
            "options": normalize_options(options),
            "service": normalize_options(service or {}),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    raw: bytes
    path: Path
    sidecar: Sidecar

    @property
    def raw_suffix(self) -> str:
        return self.path.suffix


class ResponseCache:
    """Raw responses and their sidecars in a folder; writes are atomic, a broken entry is a miss."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else cache_dir()

    def _base(self, key: str) -> Path:
        return self.root / "responses" / key[:2] / key

    def _alias(self, alias: str) -> Path:
        return self.root / "aliases" / alias[:2] / alias

    def get_by_alias(self, alias: str) -> CacheEntry | None:
        """The entry last stored under ``alias``: a key without the prepared bytes, so a batch's plan
        can tell what the cache will answer without preparing every page. The run itself looks the
        entry up by its full key."""
        try:
            key = self._alias(alias).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return self.get(key) if key else None

    def get(self, key: str) -> CacheEntry | None:
        base = self._base(key)
        for suffix in SUFFIXES:
            path = base.with_name(base.name + suffix)
            if not path.is_file():
                continue
            try:
                sidecar = read_sidecar(path)
                raw = path.read_bytes()
            except (OSError, BadInput):
                return None
            if sidecar is None:  # the sidecar is written last: no sidecar, no entry
                return None
            return CacheEntry(raw=raw, path=path, sidecar=sidecar)
        return None

    def put(self, key: str, raw: bytes, suffix: str, sidecar: Sidecar, alias: str | None = None) -> Path:
        if suffix not in SUFFIXES:
            raise ValueError(f"cache suffix must be one of {SUFFIXES}")
        base = self._base(key)
        base.parent.mkdir(parents=True, exist_ok=True)
        path = base.with_name(base.name + suffix)
        for other in SUFFIXES:  # one entry per key
            if other != suffix:
                stale = base.with_name(base.name + other)
                stale.unlink(missing_ok=True)
                sidecar_path(stale).unlink(missing_ok=True)
        try:
            output.write_atomic(path, raw)
            write_sidecar(path, sidecar)
            if alias:
                link = self._alias(alias)
                link.parent.mkdir(parents=True, exist_ok=True)
                output.write_atomic(link, key.encode("ascii"))
        except BadInput as err:  # callers report an OSError with their own advice
            cause = err.__cause__
            raise cause if isinstance(cause, OSError) else OSError(str(err)) from err
        return path

    def clear(self) -> int:
        """Delete every entry; returns how many files went."""
        n = 0
        for folder in (self.root / "responses", self.root / "aliases"):
            if folder.is_dir():
                for p in sorted(folder.rglob("*"), reverse=True):
                    if p.is_file():
                        p.unlink()
                        n += 1
                    elif p.is_dir():
                        p.rmdir()
        return n
