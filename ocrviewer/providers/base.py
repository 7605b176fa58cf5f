"""The provider interface: a small Protocol, a cancel token, progress, and a lazy registry.

A provider recognizes an already-prepared image (EXIF applied, Orientation dropped, fitted to
the service's limits; see :mod:`ocrviewer.core.prepare`). It returns the raw response exactly
as received and the parsed Document in the *prepared image's* frame; the caller maps it onto
the displayed image with ``PreparedImage.transform``.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ocrviewer.core.model import Document
from ocrviewer.core.prepare import ImageLimits, PreparedImage
from ocrviewer.errors import Cancelled, ProviderUnavailable

log = logging.getLogger(__name__)

#: progress(fraction or None when unknown, one-line status such as "polling (3)")
ProgressCallback = Callable[[float | None, str], None]


def no_progress(fraction: float | None, message: str) -> None:
    """A progress callback that ignores everything."""


class CancelToken:
    """Set from any thread; workers check it between steps and while they wait."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a callback failing must not stop the cancel (or the others)
                log.debug("a cancel callback failed", exc_info=True)

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (from the cancelling thread) when the token is cancelled, at once if
        it already is; returns a function that unregisters it. A blocked network read is cut this
        way, so Cancel does not wait for a silent server's timeout."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)

                def remove() -> None:
                    with self._lock:
                        if callback in self._callbacks:
                            self._callbacks.remove(callback)

                return remove
        callback()
        return lambda: None

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` but wake at once on cancel; True if cancelled."""
        return self._event.wait(max(0.0, seconds))


@dataclass(frozen=True)
class ProviderOption:
    """One user-facing option (shown in the GUI, accepted on the CLI)."""

    name: str  # e.g. "model", "languages", "api_version", "mode"
    label: str
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""
    #: what leaving a choice unset means, shown as the first choice when ``default`` is None
    unset: str = "(service default)"


@dataclass(frozen=True)
class RecognitionResult:
    """What a run returns. ``raw`` is the exact bytes received (JSON Lines for Yandex async)."""

    raw: bytes
    document: Document
    raw_suffix: str = ".json"  # ".jsonl" for JSON Lines
    request_id: str | None = None
    api_version: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Provider(Protocol):
    """What every provider offers."""

    __slots__ = ()

    name: str
    title: str
    options: tuple[ProviderOption, ...]
    limits: ImageLimits

    def unavailable_reason(self) -> str | None:
        """None when it can run; else one line saying why not and what to do."""
        ...

    def recognize(
        self,
        image: PreparedImage,
        options: Mapping[str, Any],
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> RecognitionResult: ...

    # Optional: ``cache_identity(options) -> Mapping[str, Any]``, what besides the options and the image
    # decides the answer (endpoint, API version, engine version); the response cache keys on it.


#: Canonical name -> "module:factory". Factories take ``settings: Mapping[str, Any]`` (endpoints
#: and other non-secret settings) and return a Provider. Imported lazily so an optional provider
#: whose package is missing is reported, not fatal.
KNOWN_PROVIDERS: dict[str, str] = {
    "local": "ocrviewer.providers.local:create",
    "tesseract": "ocrviewer.providers.tesseract:create",
    "yandex": "ocrviewer.providers.yandex:create_sync",
    "yandex-async": "ocrviewer.providers.yandex:create_async",
    "azure-read": "ocrviewer.providers.azure:create_read",
    "azure-image-analysis": "ocrviewer.providers.azure:create_image_analysis",
}

DEFAULT_PROVIDER = "local"


def provider_names() -> list[str]:
    return list(KNOWN_PROVIDERS)


def get_provider(name: str, settings: Mapping[str, Any] | None = None) -> Provider:
    """Build the provider called ``name``; raises ProviderUnavailable with a hint if it cannot load."""
    target = KNOWN_PROVIDERS.get(name)
    if target is None:
        raise ProviderUnavailable(f"unknown provider {name!r}; choose one of: {', '.join(KNOWN_PROVIDERS)}")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ProviderUnavailable(f"provider {name!r} cannot load: {err}") from err
    factory = getattr(module, attr)
    provider: Provider = factory(dict(settings or {}))
    return provider


#: Environment variable names that may hold a secret (OCRVIEWER_AZURE_KEY, *_TOKEN, *_PASSWORD...).
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL", re.IGNORECASE)


def child_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process (local engine, tesseract) without any variable whose
    name says it holds a secret: a child that never calls a service has no use for keys."""
    env = os.environ if environ is None else environ
    return {k: v for k, v in env.items() if not _SECRET_NAME.search(k)}
