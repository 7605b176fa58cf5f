"""The recognition pipeline shared by ``ocrviewer recognize`` and the viewer's worker.

image -> prepare (EXIF applied, Orientation dropped, fitted to the service's limits) -> provider
(parses the answer once) -> raw response saved exactly as received, with a sidecar -> placed once
on the DISPLAYED image by :func:`ocrviewer.core.loading.place_result` with
``PreparedImage.transform``; the run hands over that :class:`~ocrviewer.core.loading.LoadedResult`.
A cache keyed by everything that can change the answer (image and prepared bytes, provider, options,
endpoint and API version) spares a second payment unless a fresh run is asked for. The image itself
is never written.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocrviewer.core import parsers
from ocrviewer.core.imageio import ImageInfo, read_image_info
from ocrviewer.core.loading import LoadedResult, place_result
from ocrviewer.core.model import Document
from ocrviewer.core.output import is_stdout, same_file, write_atomic
from ocrviewer.core.parse_child import ParserProcess
from ocrviewer.core.prepare import ImageLimits, file_sha256, prepare_image
from ocrviewer.core.sidecar import Sidecar, sidecar_path, write_sidecar
from ocrviewer.errors import (
    BadInput,
    BadResponse,
    OcrViewerError,
    OutputClosed,
    ProviderError,
    ProviderUnavailable,
    missing_file,
)
from ocrviewer.providers.base import CancelToken, ProgressCallback, Provider, get_provider, no_progress
from ocrviewer.providers.cache import ResponseCache, cache_key, normalize_options
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.http import Scrubber, decode_raw
from ocrviewer.providers.settings import CREDENTIALS, PARSER

if TYPE_CHECKING:
    from ocrviewer.core.sources import SourcePage


@dataclass(frozen=True)
class RunOutcome:
    """What a run produced: the raw answer and the result parsed and placed once (``loaded``)."""

    raw: bytes
    loaded: LoadedResult
    response_path: Path | None
    sidecar: Sidecar
    from_cache: bool
    raw_suffix: str = ".json"
    #: one line per change made to fit the service's limits ("shrunk 4000x3000 -> ...")
    changes: tuple[str, ...] = ()

    @property
    def document(self) -> Document:
        """The result in the displayed frame of the original image."""
        return self.loaded.document


def effective_options(provider: Provider, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The provider's defaults overlaid with ``options``, normalised (this is what the cache keys on)."""
    merged: dict[str, Any] = {opt.name: opt.default for opt in provider.options}
    for name, value in (options or {}).items():
        if name not in merged and value is not None:
            known = ", ".join(merged) or "none"
            raise BadInput(f"provider {provider.name!r} has no option {name!r}; its options: {known}")
        merged[name] = value
    return normalize_options(merged)


def service_identity(provider: Provider, options: Mapping[str, Any]) -> dict[str, Any]:
    """What besides options and image decides the answer (an optional ``cache_identity`` method).

    Endpoint, API version, engine version...: two endpoints never share a cached answer.
    """
    fn = getattr(provider, "cache_identity", None)
    return dict(fn(options)) if callable(fn) else {}


def limits_for(provider: Provider, options: Mapping[str, Any]) -> ImageLimits:
    """Limits of the provider for these options (an optional ``limits_for`` method), else ``limits``."""
    fn = getattr(provider, "limits_for", None)
    return fn(options) if callable(fn) else provider.limits


def check_output(image_path: Path, out_path: Path) -> None:
    """Refuse an output that would overwrite the image (or its sidecar the image)."""
    if is_stdout(out_path):
        return  # the response is written to standard output, without a sidecar
    for target in (out_path, sidecar_path(out_path)):
        if same_file(target, image_path):
            raise BadInput(f"{out_path}: that is the image itself; choose another -o file for the response")
    for target in (out_path, sidecar_path(out_path)):
        if target.is_dir():
            raise BadInput(f"{target}: is a folder; give another file name for the response")
    # Before anything is sent (and paid for): the response must be writable where it goes.
    folder = out_path.parent
    existing = next((f for f in (folder, *folder.parents) if f.exists()), None)
    if existing is not None and (not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK)):
        raise BadInput(f"{out_path}: cannot write in {existing}; choose another -o")
    for target in (out_path, sidecar_path(out_path)):
        if target.exists() and not os.access(target, os.W_OK) and not os.access(folder, os.W_OK):
            raise BadInput(f"{target}: cannot be replaced; choose another -o")


def document_from_raw(
    raw: bytes,
    suffix: str,
    service: str = "the cached response",
    parser: ParserProcess | None = None,
    cancel: CancelToken | None = None,
) -> Document:
    """Parse a raw response (JSON, or JSON Lines for ``.jsonl``) into a Document in its own frame.

    With ``parser`` (the viewer's) it is parsed in that child process: the same Document, made of
    column pages, and the viewer's GIL stays free meanwhile.
    """
    if parser is not None:
        token = cancel or CancelToken()
        return parser.call(document_from_raw, raw, suffix, service, cancelled=lambda: token.cancelled)
    return parsers.parse_response(decode_raw(raw, suffix, service), owned=True)


def _without_secrets(err: OcrViewerError, settings: Mapping[str, Any]) -> OcrViewerError | None:
    """A copy of ``err`` with every known secret removed from its message; None if it held none.

    The last line of defence for every provider: a service that echoes the key in a malformed
    answer must not put it in the message a person sees or a log keeps.
    """
    store = settings.get(CREDENTIALS)
    if not isinstance(store, CredentialStore):
        store = CredentialStore()
    message = str(err)
    clean = Scrubber(store.secrets())(message)
    return None if clean == message else type(err)(clean)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def recognize_file(
    image_path: str | os.PathLike[str] | SourcePage,
    provider_name: str,
    options: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressCallback = no_progress,
    out_path: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    fresh: bool = False,
    cache: ResponseCache | None = None,
) -> RunOutcome:
    """Recognize ``image_path`` with ``provider_name`` and place the words on the displayed image.

    ``settings`` defaults to the saved provider settings. With ``out_path`` the raw response is written there (exactly as received) with its sidecar
    next to it. The cache is read unless ``fresh`` and written unless ``use_cache`` is False.
    Nothing is written if the run fails or is cancelled. ``image_path`` may be a page of a source
    (:mod:`ocrviewer.core.sources`): a PDF page is rendered at its source's dpi, recorded in the sidecar
    with its page number (a TIFF's page: the number only).
    """
    cancel = cancel or CancelToken()
    page = None if isinstance(image_path, (str, os.PathLike)) else image_path
    if page is not None and page.image_path is not None:  # an image file: the same as its path
        image_path, page = page.image_path, None
    image = Path(image_path) if page is None else page.file  # type: ignore[arg-type]
    page_extras: dict[str, Any] = (
        {}
        if page is None
        else {"page": page.index + 1, **({"dpi": page.dpi} if page.dpi is not None else {})}
    )
    out = Path(out_path) if out_path is not None else None
    if out is not None:
        check_output(image, out)
    if image.is_dir():
        raise BadInput(f"{image}: is a folder, not an image; give an image file")
    if not image.is_file():
        raise BadInput(missing_file(image))
    if settings is None:
        from ocrviewer.providers.settings import load_settings

        settings = load_settings()
    provider = get_provider(provider_name, settings)
    reason = provider.unavailable_reason()
    if reason:
        raise ProviderUnavailable(f"{provider_name}: {reason}")
    opts = effective_options(provider, options)
    cache = cache or ResponseCache()
    progress(0.0, f"reading {image.name}")
    try:
        sha = file_sha256(image) if page is None else page.sha256()
    except OSError as err:
        raise BadInput(
            f"{image}: cannot read image ({err.strerror or err}); check the file's permissions"
        ) from err
    # The key holds the bytes actually sent, so the image is prepared before the cache is asked.
    progress(0.02, f"preparing {image.name} for {provider.title}")
    prepared = prepare_image(image if page is None else page, limits_for(provider, opts))
    service = service_identity(provider, opts)
    key = cache_key(
        sha, provider.name, opts, prepared_sha256=hashlib.sha256(prepared.data).hexdigest(), service=service
    )

    try:
        entry = cache.get(key) if use_cache and not fresh else None
    except OSError:
        entry = None  # an unreadable cache is a miss
    if entry is not None and entry.sidecar.transform is not None:
        try:
            doc = document_from_raw(entry.raw, entry.raw_suffix, parser=settings.get(PARSER), cancel=cancel)
        except BadResponse:
            entry = None  # a damaged entry is a miss
        else:
            progress(0.9, f"using the cached result from {entry.sidecar.created or 'earlier'}")
            sidecar = replace(
                entry.sidecar,
                image_path=str(image.resolve()),
                extras={**entry.sidecar.extras, **page_extras, "from_cache": True},
            )
            return _finish(
                entry.raw,
                entry.raw_suffix,
                doc,
                image,
                read_image_info(image) if page is None else page.info(),
                sidecar,
                out,
                cache_path=entry.path,
                from_cache=True,
                cancel=cancel,
                progress=progress,
            )

    for change in prepared.changes:
        progress(0.05, change)
    cancel.raise_if_cancelled()
    try:
        result = provider.recognize(prepared, opts, cancel, progress)
    except OcrViewerError as err:
        clean = _without_secrets(err, settings)
        if clean is not None:
            raise clean from None  # the original (and its chain) holds the secret
        raise
    except Exception as err:  # a bug met on the way (an answer no check foresaw): said, never the key
        text = " ".join(str(err).split()) or "no message"
        message = f"{provider.title}: unexpected error ({type(err).__name__}: {text}); please report it"
        clean = _without_secrets(ProviderError(message), settings)
        if clean is not None:
            raise clean from None  # the original (and its chain) holds the secret
        raise ProviderError(message) from err
    cancel.raise_if_cancelled()
    sidecar = Sidecar(
        provider=provider.name,
        api_version=result.api_version,
        options=opts,
        image_sha256=sha,
        image_path=str(image.resolve()),
        transform=prepared.transform,
        frame="display",
        created=_now(),
        request_id=result.request_id,
        extras={
            "raw_suffix": result.raw_suffix,
            "prepared": {"width": prepared.width, "height": prepared.height, "format": prepared.format},
            "changes": list(prepared.changes),
            "source_format": result.document.source_format,
            **page_extras,
            **{k: v for k, v in result.extras.items() if isinstance(v, (str, int, float, bool))},
        },
    )
    cache_path = None
    if use_cache:
        try:
            # the alias (no prepared bytes) lets a batch's plan find it without preparing the page
            cache_path = cache.put(
                key,
                result.raw,
                result.raw_suffix,
                sidecar,
                alias=cache_key(sha, provider.name, opts, service=service),
            )
        except OSError as err:  # the result is still good: say so and go on
            progress(None, f"could not keep the result in the cache {cache.root} ({err.strerror or err})")
    return _finish(
        result.raw,
        result.raw_suffix,
        result.document,
        image,
        read_image_info(image) if page is None else page.info(),
        sidecar,
        out,
        cache_path=cache_path,
        from_cache=False,
        cancel=cancel,
        progress=progress,
        changes=prepared.changes,
    )


def _finish(
    raw: bytes,
    suffix: str,
    source: Document,
    image: Path,
    info: ImageInfo,
    sidecar: Sidecar,
    out: Path | None,
    *,
    cache_path: Path | None,
    from_cache: bool,
    cancel: CancelToken,
    progress: ProgressCallback,
    changes: tuple[str, ...] = (),
) -> RunOutcome:
    cancel.raise_if_cancelled()
    response_path = cache_path
    if out is not None:
        try:
            if is_stdout(out):  # a sidecar beside standard output has nowhere to go
                write_atomic(out, raw)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(out, raw, inputs=[image, sidecar_path(image)])
                write_sidecar(out, sidecar, inputs=[image])
        except (OSError, BadInput) as err:
            kept = (
                f"; the result is in the cache ({cache_path}), run again with another -o"
                if cache_path
                else ""
            )
            # the reader of a pipe went away ('-o - | head'): still that kind, so the CLI stops quietly
            kind = OutputClosed if isinstance(err, OutputClosed) else BadInput
            raise kind(
                f"{out}: cannot write the response ({getattr(err, 'strerror', None) or err}){kept}"
            ) from err
        response_path = out
    # placed once, by the transform the sidecar records (the one the image was prepared with)
    loaded = place_result(
        source,
        response_path if response_path is not None else f"the {sidecar.provider} response",
        image,
        info,
        sidecar=sidecar,
    )
    shown = "to standard output" if out is not None and is_stdout(out) else response_path
    progress(1.0, f"saved {shown}" if response_path else "done")
    return RunOutcome(
        raw=raw,
        loaded=loaded,
        response_path=response_path,
        sidecar=sidecar,
        from_cache=from_cache,
        raw_suffix=suffix,
        changes=changes,
    )


__all__ = ["RunOutcome", "recognize_file", "document_from_raw", "effective_options", "service_identity"]
