"""Batch recognition: every page of a document (a folder of images or a PDF) through one provider.

One raw response per page, with its sidecar, goes into OUTDIR, and ``OUTDIR/manifest.jsonl`` gets one
line per input (status done / cached / failed with a one-line reason, seconds, provider, options,
calls made, cache hit). A re-run skips the inputs the manifest has as done and reuses the cache, so
an interrupted batch resumes. Requests pass a token bucket per provider (its documented quota),
whatever ``jobs`` is. ``shard`` takes a stable share of the inputs (hash of each input's name), so a
cluster's job runner can run N copies and :func:`merge_manifests` joins what they wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ocrviewer import __version__
from ocrviewer.core.confidence import page_word_stats, worst_first_key
from ocrviewer.core.limits import size_text
from ocrviewer.core.model import Document
from ocrviewer.core.output import dumps_json, write_atomic
from ocrviewer.core.sidecar import SIDECAR_SUFFIX
from ocrviewer.core.sources import Source, SourcePage
from ocrviewer.errors import (
    AuthError,
    BadInput,
    Cancelled,
    OcrViewerError,
    ProviderUnavailable,
    error_message,
)
from ocrviewer.providers.base import CancelToken, Provider, get_provider
from ocrviewer.providers.cache import ResponseCache, cache_key
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.http import HttpConfig, Scrubber
from ocrviewer.providers.settings import CREDENTIALS

if TYPE_CHECKING:
    from ocrviewer.core.prepare import ImageLimits

MANIFEST = "manifest.jsonl"
MANIFEST_SCHEMA = "ocrviewer.manifest/1"
STATUSES = ("done", "cached", "failed")
#: Providers that cost money per call; a batch on them shows the cost and asks first.
PAID_PROVIDERS = ("yandex", "yandex-async", "azure-read", "azure-image-analysis")


# -- rate limits -------------------------------------------------------------------------------------------
class TokenBucket:
    """``rate`` requests per second, at most ``burst`` at once; thread-safe, waits wake on cancel."""

    def __init__(self, rate: float, burst: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if not rate > 0:
            raise BadInput(f"rate {rate!r} must be above 0 requests per second")
        self.rate, self.burst, self.clock = float(rate), max(1.0, float(burst)), clock
        self._tokens = self.burst
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self, cancel: CancelToken) -> None:
        while True:
            with self._lock:
                now = self.clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                wait_for = (1.0 - self._tokens) / self.rate
            if cancel.wait(wait_for):
                raise Cancelled("cancelled by the user")


@dataclass(frozen=True)
class RateLimit:
    """Requests per second for starting recognitions and for status polls (None: no limit)."""

    submit: float | None
    status: float | None = None

    def describe(self) -> str:
        def one(r: float | None) -> str:
            if r is None:
                return "no limit"
            return f"{r * 60:g}/min" if r < 1 / 1.5 else f"{r:g}/s"

        if self.status is None or self.status == self.submit:
            return one(self.submit)
        return f"{one(self.submit)} to start, {one(self.status)} for status"


#: The documented quotas (PROVIDERS.md): Yandex OCR sync 1 rps; async 10 rps to start and 50 rps for
#: getRecognition/operations; Azure free tier (F0) 20 calls a minute, polls included.
DEFAULT_RATES: dict[str, RateLimit] = {
    "yandex": RateLimit(1.0),
    "yandex-async": RateLimit(10.0, 50.0),
    "azure-read": RateLimit(20 / 60),
    "azure-image-analysis": RateLimit(20 / 60),
}


def parse_rate(text: str) -> float:
    """``2``, ``2/s``, ``20/min`` or ``1000/h`` -> requests per second."""
    value, _, unit = text.strip().lower().partition("/")
    per = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hour": 3600.0}.get(
        unit.strip()
    )
    try:
        n = float(value)
    except ValueError:
        n = float("nan")
    if per is None or not n > 0 or n == float("inf"):
        raise BadInput(f"rate {text!r}: give requests per second (2, 2/s) or per minute (20/min)")
    return n / per


class RequestGate:
    """The gate of :class:`~ocrviewer.providers.http.HttpClient`: every request waits for its bucket,
    and is counted for the worker thread that sent it (the manifest's ``calls``)."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.submit = TokenBucket(limit.submit) if limit.submit else None
        status = limit.status if limit.status is not None else limit.submit
        self.status = self.submit if limit.status is None else (TokenBucket(status) if status else None)
        self._local = threading.local()
        self._lock = threading.Lock()
        self.total = 0

    @staticmethod
    def is_status(method: str, url: str) -> bool:
        path = urlsplit(url).path
        return method in ("GET", "HEAD") or "/operations" in path or "getRecognition" in path

    def __call__(self, method: str, url: str, cancel: CancelToken) -> None:
        bucket = self.status if self.is_status(method, url) else self.submit
        if bucket is not None:
            bucket.acquire(cancel)
        self._local.calls = getattr(self._local, "calls", 0) + 1
        with self._lock:
            self.total += 1

    def take_calls(self) -> int:
        """Requests sent by this thread since the last call."""
        n = getattr(self._local, "calls", 0)
        self._local.calls = 0
        return n


# -- inputs and shards -------------------------------------------------------------------------------------
def shard_of(name: str, count: int) -> int:
    """The shard (0..count-1) of an input, from a hash of its name: stable across runs and machines."""
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:16], 16) % count


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` (0-based I, as a Kubernetes Indexed Job's $JOB_COMPLETION_INDEX) -> (I, N)."""
    a, sep, b = text.partition("/")
    try:
        index, count = int(a), int(b)
    except ValueError:
        index, count = -1, 0
    if not sep or count < 1 or not 0 <= index < count:
        raise BadInput(f"--shard {text!r}: give I/N with 0 <= I < N (e.g. 0/4 ... 3/4)")
    return index, count


@dataclass(frozen=True)
class BatchInput:
    #: position of the page in the whole document (not the shard): the manifest's order
    position: int
    page: SourcePage
    #: the response file's name in OUTDIR
    response: str
    #: the whole PDF in one request (``page`` is its first page)
    document: bool = False

    @property
    def name(self) -> str:
        return self.page.file.name if self.document else self.page.name


def response_name(page: SourcePage, suffix: str) -> str:
    if page.image_path is not None:
        return f"{page.name}{suffix}"
    return f"{page.file.stem}.p{page.index + 1:04d}{suffix}"


def _suffix(provider: str) -> str:
    return ".jsonl" if provider == "yandex-async" else ".json"


def plan(source: Source, provider: str, shard: tuple[int, int] | None = None) -> list[BatchInput]:
    suffix = _suffix(provider)
    out = []
    for i, page in enumerate(source.pages):
        if shard is not None and shard_of(page.name, shard[1]) != shard[0]:
            continue
        out.append(BatchInput(i, page, response_name(page, suffix)))
    return out


# -- the manifest ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One line of the manifest."""

    input: str
    position: int
    image: str
    page: int | None
    response: str | None
    status: str
    reason: str | None
    seconds: float
    provider: str
    options: Mapping[str, Any]
    calls: int
    cache_hit: bool
    dpi: float | None = None
    words: int | None = None
    source: str = ""
    #: a whole-document request: the pages (1-based) its response covers
    covered: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": MANIFEST_SCHEMA,
            "source": self.source,
            "input": self.input,
            "position": self.position,
            "image": self.image,
            "page": self.page,
            "pages_covered": None if self.covered is None else list(self.covered),
            "dpi": self.dpi,
            "response": self.response,
            "status": self.status,
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
            "provider": self.provider,
            "options": dict(self.options),
            "calls": self.calls,
            "cache_hit": self.cache_hit,
            "words": self.words,
            "ocrviewer": __version__,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Record:
        return cls(
            input=str(d["input"]),
            position=int(d["position"]),
            image=str(d["image"]),
            page=d.get("page"),
            response=d.get("response"),
            status=str(d["status"]),
            reason=d.get("reason"),
            seconds=float(d.get("seconds") or 0.0),
            provider=str(d["provider"]),
            options=dict(d.get("options") or {}),
            calls=int(d.get("calls") or 0),
            cache_hit=bool(d.get("cache_hit")),
            dpi=d.get("dpi"),
            words=d.get("words"),
            source=str(d.get("source") or ""),
            covered=None if d.get("pages_covered") is None else tuple(int(x) for x in d["pages_covered"]),
        )


def read_manifest(path: Path) -> list[Record]:
    """The records of a manifest; another version's manifest or a broken line is a one-line BadInput."""
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(
            f"{path}: cannot read the manifest ({err}); move it away or use another OUTDIR"
        ) from err
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except (ValueError, RecursionError) as err:
            raise BadInput(f"{path}: line {n} is not JSON; move the file away or use another OUTDIR") from err
        schema = d.get("schema") if isinstance(d, dict) else None
        if schema != MANIFEST_SCHEMA:
            raise BadInput(
                f"{path}: a manifest of another version ({schema or 'no schema'}; this is {MANIFEST_SCHEMA}); "
                "nothing was changed: use another OUTDIR"
            )
        try:
            records.append(Record.from_dict(d))
        except (KeyError, TypeError, ValueError) as err:
            raise BadInput(f"{path}: line {n} is not a manifest record ({err}); use another OUTDIR") from err
    return records


def manifest_bytes(records: Iterable[Record]) -> bytes:
    ordered = sorted(records, key=lambda r: (r.source, r.position, r.input))
    return b"".join(dumps_json(r.to_dict()) + b"\n" for r in ordered)


def _check_outdir(outdir: Path, inputs: Sequence[BatchInput], previous: Sequence[Record]) -> None:
    """An OUTDIR holding files this batch would not write is refused before anything is sent."""
    if outdir.exists() and not outdir.is_dir():
        raise BadInput(f"{outdir}: is a file; give a folder for the responses (-o OUTDIR)")
    if not outdir.is_dir():
        return
    ours = {MANIFEST}
    for name in [i.response for i in inputs] + [r.response for r in previous if r.response]:
        ours.update((name, name + SIDECAR_SUFFIX))
    others = sorted(
        e.name
        for e in os.scandir(outdir)
        if e.name not in ours and not (e.name.startswith(".") and e.name.endswith(".tmp"))
    )
    if others:
        more = f" and {len(others) - 1} more" if len(others) > 1 else ""
        raise BadInput(
            f"{outdir}: holds other files ({others[0]}{more}); nothing was written: give an empty or new OUTDIR"
        )


# -- running --------------------------------------------------------------------------------------------
def failure_reason(err: BaseException, scrub: Callable[[str], str] = lambda text: text) -> str:
    """The manifest's one-line reason for a failed input (an unexpected error is named as such),
    with every known secret removed."""
    text = " ".join(str(err).split())
    if isinstance(err, OSError) and not isinstance(err, OcrViewerError):
        text = error_message(err)  # the file and what to do, not '[Errno 36] File name too long: ...'
    elif not (isinstance(err, OcrViewerError) and text):
        text = f"unexpected error ({type(err).__name__}: {text or 'no message'}); please report it"
    return scrub(text)


@dataclass
class BatchPlan:
    """What a batch will do, known before anything is sent (the cost line is made from it)."""

    source: Source
    outdir: Path
    provider: str
    options: dict[str, Any]
    inputs: list[BatchInput]
    #: inputs the manifest already has as done or cached (skipped)
    skipped: list[BatchInput]
    #: inputs the cache will answer (no call)
    cached: list[BatchInput]
    previous: dict[str, Record]
    limit: RateLimit | None
    #: the whole PDF as one request (Yandex async, Azure Read 3.x); its pages follow only where the
    #: response does not cover them
    document: BatchInput | None = None

    @property
    def to_send(self) -> list[BatchInput]:
        done = {i.name for i in self.skipped} | {i.name for i in self.cached}
        if self.document is not None:
            if self.document.name not in done:
                return [self.document]
            covered = (
                set(self.previous[self.document.name].covered or ())
                if self.document.name in self.previous
                else set()
            )
            return [i for i in self.inputs if i.name not in done and i.position + 1 not in covered]
        return [i for i in self.inputs if i.name not in done]

    @property
    def paid(self) -> bool:
        return self.provider in PAID_PROVIDERS

    def cost_line(self) -> str:
        n = len(self.to_send)
        head = f"{self.provider}: {len(self.inputs)} page(s)"
        if self.document is not None and self.to_send == [self.document]:
            what = "paid call" if self.paid else "call (free)"
            return f"{head} sent as one document: 1 {what} (pages it does not cover follow one by one)" + (
                f"; rate limit {self.limit.describe()}" if self.limit and self.limit.submit else ""
            )
        extra = [f"{len(self.skipped)} already done", f"{len(self.cached)} from the cache"]
        rest = ", ".join(e for e in extra if not e.startswith("0 "))
        calls = (
            f"{n} page(s) x 1 paid call = {n} paid call(s)"
            if self.paid
            else f"{n} page(s) to recognize (free)"
        )
        rate = f"; rate limit {self.limit.describe()}" if self.limit and self.limit.submit else ""
        return f"{head}{' (' + rest + ')' if rest else ''}: {calls}{rate}"


def prepare_batch(
    source: Source,
    outdir: str | os.PathLike[str],
    provider_name: str,
    options: Mapping[str, Any] | None,
    settings: Mapping[str, Any],
    *,
    shard: tuple[int, int] | None = None,
    rate: RateLimit | None = None,
    cache: ResponseCache | None = None,
    use_cache: bool = True,
    whole_document: bool | None = None,
) -> BatchPlan:
    """Check OUTDIR and the provider, read a previous manifest, and sort the inputs: skip, cache, send.

    ``whole_document`` None (auto): a multi-page PDF goes to Yandex async or Azure Read 3.x as one
    request where it fits the service's limits (never with a shard), and so does a multi-page TIFF to
    Azure Read 3.x (its documents: "PDF and TIFF files, up to 2,000 pages"); True insists, False
    sends pages.
    """
    from ocrviewer.providers.run import effective_options

    out = Path(outdir)
    provider = get_provider(provider_name, settings)
    reason = provider.unavailable_reason()
    if reason:
        raise ProviderUnavailable(f"{provider_name}: {reason}")
    opts = effective_options(provider, options)
    inputs = plan(source, provider_name, shard)
    document = None
    if whole_document is not False:
        why_not = _whole_document_reason(source, provider_name, provider, opts, shard)
        if why_not is None:
            suffix = _suffix(provider_name)
            document = BatchInput(0, source.pages[0], f"{source.path.stem}.document{suffix}", document=True)
        elif whole_document:
            raise BadInput(f"cannot send {source.name} as one document: {why_not}")
    manifest = out / MANIFEST
    previous = read_manifest(manifest) if manifest.is_file() else []
    _check_outdir(out, inputs + ([document] if document else []), previous)
    by_name = {r.input: r for r in previous if r.source == source.name}
    if document is not None and document.name in by_name and by_name[document.name].status == "failed":
        document = None  # it failed before and its pages went one by one: a re-run does not pay again
    skipped, cached = [], []
    cache = cache or ResponseCache()
    for item in ([document] if document else []) + inputs:
        rec = by_name.get(item.name)
        if (
            rec is not None
            and rec.status in ("done", "cached")
            and rec.provider == provider_name
            and dict(rec.options) == opts
            and rec.response
            and (out / rec.response).is_file()
        ):
            skipped.append(item)
            continue
        if use_cache:
            try:
                hit = _cached(cache, item, provider, opts)
            except (OSError, OcrViewerError):
                hit = False
            if hit:
                cached.append(item)
    limit = rate if rate is not None else DEFAULT_RATES.get(provider_name)
    return BatchPlan(source, out, provider_name, opts, inputs, skipped, cached, by_name, limit, document)


#: Pages a service reads from one PDF in one request (Yandex async: 200; Azure Read 3.x: 2,000).
WHOLE_DOCUMENT_PAGES = {"yandex-async": 200, "azure-read": 2000}
#: The services that read a multi-page TIFF as one document (Azure Read 3.x: "PDF and TIFF files, up
#: to 2,000 pages"; Yandex takes JPEG, PNG and PDF only)
WHOLE_TIFF_PROVIDERS = ("azure-read",)


def _whole_document_reason(
    source: Source, provider_name: str, provider: Any, opts: Mapping[str, Any], shard: tuple[int, int] | None
) -> str | None:
    """None when the source can go as one request; else why not (one line)."""
    from ocrviewer.providers.run import limits_for

    max_pages = WHOLE_DOCUMENT_PAGES.get(provider_name)
    if source.kind not in ("pdf", "tiff"):
        return "it is not a PDF or a multi-page TIFF"
    if source.kind == "tiff" and max_pages is not None and provider_name not in WHOLE_TIFF_PROVIDERS:
        return f"{provider_name} takes a PDF as one document, not a TIFF"
    if max_pages is None:
        return f"{provider_name} reads one page per request"
    if provider_name == "azure-read" and not str(opts.get("api_version") or "3.2").startswith("3"):
        return "Azure Read before 3.x is sent page by page"
    if shard is not None:
        return "a shard takes single pages"
    if len(source.pages) < 2:
        return "it has one page"
    if len(source.pages) > max_pages:
        return f"it has {len(source.pages)} pages; {provider_name} reads up to {max_pages}"
    limits = limits_for(provider, opts)
    limit = limits.max_bytes
    size = source.path.stat().st_size
    if limit and size > limit:
        return f"it is {size_text(size)}; {provider_name} takes up to {size_text(limit)}"
    if source.kind == "tiff":
        return _tiff_pages_reason(source, limits)
    return None


def _tiff_pages_reason(source: Source, limits: ImageLimits) -> str | None:
    """Why a TIFF's pages cannot go as they are stored (one by one, each is turned upright and shrunk
    to the service's limits); None when every page can."""
    for page in source.pages:
        try:
            info = page.info()
        except OcrViewerError as err:
            return f"page {page.index + 1} cannot be read ({err})"
        if info.orientation != 1:
            # whether a service turns a TIFF page by its Orientation tag is not documented: sent one
            # by one, each page goes upright
            return f"page {page.index + 1} is stored turned (Orientation {info.orientation})"
        w, h = info.raw_size
        if (limits.min_side and min(w, h) < limits.min_side) or (
            limits.max_side and max(w, h) > limits.max_side
        ):
            return (
                f"page {page.index + 1} is {w}x{h} pixels; the service takes {limits.min_side or 1}.."
                f"{limits.max_side or 'any'} a side"
            )
    return None


def _document_key(sha: str, provider: Provider, opts: Mapping[str, Any]) -> str:
    """A whole PDF's cache key: the file is sent as it is, so its hash is also the bytes sent."""
    from ocrviewer.providers.run import service_identity

    service = service_identity(provider, opts)
    return cache_key(f"document:{sha}", provider.name, opts, prepared_sha256=sha, service=service)


def _cached(cache: ResponseCache, item: BatchInput, provider: Provider, opts: Mapping[str, Any]) -> bool:
    """Whether the cache will answer ``item`` (a page is found by its alias: it is not prepared here)."""
    from ocrviewer.core.prepare import file_sha256
    from ocrviewer.providers.run import service_identity

    if item.document:
        return cache.get(_document_key(file_sha256(item.page.file), provider, opts)) is not None
    alias = cache_key(item.page.sha256(), provider.name, opts, service=service_identity(provider, opts))
    return cache.get_by_alias(alias) is not None


@dataclass
class BatchReport:
    records: list[Record] = field(default_factory=list)
    cancelled: bool = False
    stopped: str | None = None
    calls: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r.status == status)


#: progress(finished inputs, total inputs, the record just written)
BatchProgress = Callable[[int, int, Record], None]


def run_batch(
    bp: BatchPlan,
    settings: Mapping[str, Any],
    *,
    jobs: int = 4,
    cancel: CancelToken | None = None,
    progress: BatchProgress | None = None,
    cache: ResponseCache | None = None,
    use_cache: bool = True,
    fresh: bool = False,
    flush_every: float = 1.0,
) -> BatchReport:
    """Recognize every input not done yet, ``jobs`` at a time under the rate limit; write the manifest.

    The manifest is rewritten (atomically) at most every ``flush_every`` seconds and at the end, also
    after Ctrl-C; a failed input is recorded with its reason and the batch goes on. An authentication
    error stops the batch (every next call would fail the same way).
    """
    from ocrviewer.providers.run import recognize_file

    if jobs < 1:
        raise BadInput(f"--jobs {jobs}: give 1 or more")
    cancel = cancel or CancelToken()
    cache = cache or ResponseCache()
    gate = RequestGate(bp.limit or RateLimit(None))
    config = settings.get("http")
    config = replace(config, gate=gate) if isinstance(config, HttpConfig) else HttpConfig(gate=gate)
    run_settings = {**settings, "http": config}

    def scrub(text: str) -> str:
        """``text`` without the secrets (the store is asked only when an input fails)."""
        store = settings.get(CREDENTIALS)
        return Scrubber((store if isinstance(store, CredentialStore) else CredentialStore()).secrets())(text)

    bp.outdir.mkdir(parents=True, exist_ok=True)
    manifest = bp.outdir / MANIFEST
    kept = {name: rec for name, rec in bp.previous.items()}
    # records of other documents in the same manifest stay as they were
    others = [
        r for r in (read_manifest(manifest) if manifest.is_file() else []) if r.source != bp.source.name
    ]
    report = BatchReport()
    lock = threading.Lock()
    last_flush = [time.monotonic()]

    def flush(force: bool = False) -> None:
        with lock:
            if not force and time.monotonic() - last_flush[0] < flush_every:
                return
            last_flush[0] = time.monotonic()
            data = manifest_bytes([*others, *kept.values()])
        write_atomic(manifest, data)

    def one(item: BatchInput) -> tuple[Record, bool]:
        """The input's record, and whether it failed on authentication (which stops the batch)."""
        started = time.perf_counter()
        gate.take_calls()
        page = item.page
        base = dict(
            source=bp.source.name,
            input=item.name,
            position=item.position,
            image=page.file.name,
            page=page.index + 1 if page.image_path is None else None,
            dpi=page.dpi,
            provider=bp.provider,
            options=bp.options,
        )
        if item.document:
            return _one_document(item, bp, run_settings, cancel, cache, use_cache, fresh, gate, started, base)
        try:
            outcome = recognize_file(
                page,
                bp.provider,
                bp.options,
                run_settings,
                cancel=cancel,
                out_path=bp.outdir / item.response,
                use_cache=use_cache,
                fresh=fresh,
                cache=cache,
            )
        except Cancelled:
            raise
        except Exception as err:  # one input failing, however, never stops the others
            return Record(
                response=None,
                status="failed",
                reason=failure_reason(err, scrub),
                seconds=time.perf_counter() - started,
                calls=gate.take_calls(),
                cache_hit=False,
                **base,  # type: ignore[arg-type]
            ), isinstance(err, AuthError)
        return Record(
            response=item.response,
            status="cached" if outcome.from_cache else "done",
            reason=None,
            seconds=time.perf_counter() - started,
            calls=gate.take_calls(),
            cache_hit=outcome.from_cache,
            words=sum(1 for _ in outcome.document.words()),
            **base,  # type: ignore[arg-type]
        ), False

    skip = {i.name for i in bp.skipped}
    covered: set[int] = set()
    doc = bp.document
    if doc is not None:
        if doc.name in skip:
            covered = set(bp.previous[doc.name].covered or ())
        else:
            rec, auth = one(doc)
            kept[rec.input] = rec
            report.records.append(rec)
            covered = set(rec.covered or ())
            if auth:
                report.stopped = rec.reason
            if progress is not None:
                progress(len(covered), len(bp.inputs), rec)
            flush(force=True)
    todo = (
        [i for i in bp.inputs if i.name not in skip and i.position + 1 not in covered]
        if report.stopped is None and not cancel.cancelled
        else []
    )
    total = len(bp.inputs)
    finished = len(bp.inputs) - len(todo)
    queue = iter(todo)
    if not todo:
        report.calls = gate.total
        if cancel.cancelled and report.stopped is None:
            report.cancelled = True
        flush(force=True)
        return report
    running: dict[Future[tuple[Record, bool]], BatchInput] = {}
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="ocrviewer-batch") as pool:
        try:
            while True:
                # one input queued ahead per worker: a worker that finishes starts the next at once
                while len(running) < 2 * jobs and not cancel.cancelled and report.stopped is None:
                    item = next(queue, None)
                    if item is None:
                        break
                    running[pool.submit(one, item)] = item
                if not running:
                    break
                done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in done:
                    running.pop(fut)
                    try:
                        rec, auth = fut.result()
                    except (Cancelled, CancelledError):
                        continue
                    with lock:
                        kept[rec.input] = rec
                        report.records.append(rec)
                    finished += 1
                    if auth:
                        report.stopped = rec.reason
                        cancel.cancel()
                    if progress is not None:
                        progress(finished, total, rec)
                    flush()
                if cancel.cancelled:
                    for fut in running:
                        fut.cancel()  # those not started yet; running ones stop at their next check
        except KeyboardInterrupt:
            cancel.cancel()
            report.cancelled = True
            for fut in running:
                fut.cancel()
            wait(running, timeout=30)
            for fut in running:
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    rec = fut.result()[0]
                    kept[rec.input] = rec
                    report.records.append(rec)
        finally:
            flush(force=True)
    if cancel.cancelled and report.stopped is None:
        report.cancelled = True
    report.calls = gate.total
    return report


# -- merge ------------------------------------------------------------------------------------------------
_RANK = {"done": 0, "cached": 1, "failed": 2}


def merge_manifests(
    outdirs: Sequence[str | os.PathLike[str]], target: str | os.PathLike[str]
) -> tuple[int, list[str]]:
    """Join the manifests of ``outdirs`` into ``target`` (one line per input, in document order).

    Response paths are rewritten relative to the target's folder. An input in several manifests keeps
    its best record (done, then cached, then failed) and is named in the returned notes.
    """
    out = Path(target)
    best: dict[tuple[str, str], Record] = {}
    notes: list[str] = []
    sources = []
    for d in outdirs:
        folder = Path(d)
        manifest = folder / MANIFEST if folder.is_dir() else folder
        if not manifest.is_file():
            raise BadInput(f"{d}: no {MANIFEST} there; give the OUTDIRs the batches wrote")
        sources.append(manifest)
        base = manifest.parent
        for rec in read_manifest(manifest):
            if rec.response:
                rel = os.path.relpath(base / rec.response, out.parent if str(out.parent) else ".")
                rec = replace(rec, response=rel)
            key = (rec.source, rec.input)
            old = best.get(key)
            if old is not None:
                notes.append(
                    f"{rec.input} is in more than one manifest; the {('better', 'first')[_RANK[old.status] <= _RANK[rec.status]]} record is kept"
                )
                if _RANK[old.status] <= _RANK[rec.status]:
                    continue
            best[key] = rec
    write_atomic(out, manifest_bytes(best.values()), inputs=sources)
    return len(best), notes


def _one_document(
    item: BatchInput,
    bp: BatchPlan,
    settings: Mapping[str, Any],
    cancel: CancelToken,
    cache: ResponseCache,
    use_cache: bool,
    fresh: bool,
    gate: RequestGate,
    started: float,
    base: dict[str, Any],
) -> tuple[Record, bool]:
    """The whole PDF (or multi-page TIFF) in one request: its raw response and a sidecar (no
    transform: each page is placed on its own when loaded), and the pages the response covers."""
    import datetime as _dt

    from ocrviewer.core.geometry import FrameTransform
    from ocrviewer.core.prepare import PreparedImage, file_sha256
    from ocrviewer.core.sidecar import Sidecar, write_sidecar
    from ocrviewer.providers.run import document_from_raw

    base = {**base, "page": None, "input": item.name}
    out = bp.outdir / item.response
    source = bp.source
    try:
        sha = file_sha256(source.path)
        provider = get_provider(bp.provider, settings)
        key = _document_key(sha, provider, bp.options)
        entry = cache.get(key) if use_cache and not fresh else None
        if entry is not None:
            raw, suffix, sidecar, from_cache = entry.raw, entry.raw_suffix, entry.sidecar, True
        else:
            first = source.pages[0]
            w, h = first.size
            data = source.path.read_bytes()
            prepared = PreparedImage(
                data=data,
                format="TIFF" if source.kind == "tiff" else "PDF",
                width=w,
                height=h,
                transform=FrameTransform.identity(w, h),
                source=first.info(),
                source_sha256=sha,
            )
            cancel.raise_if_cancelled()
            result = provider.recognize(prepared, bp.options, cancel, lambda f, m: None)
            raw, suffix, from_cache = result.raw, result.raw_suffix, False
            sidecar = Sidecar(
                provider=bp.provider,
                api_version=result.api_version,
                options=bp.options,
                image_sha256=sha,
                image_path=str(source.path.resolve()),
                frame="display",
                created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                request_id=result.request_id,
                extras={
                    "document": True,
                    "pages": len(source.pages),
                    "raw_suffix": suffix,
                    "source_format": result.document.source_format,
                },
            )
            if use_cache:
                try:
                    cache.put(key, raw, suffix, sidecar)
                except OSError:
                    pass  # the result is still good; the batch goes on without caching it
        parsed = document_from_raw(raw, suffix)
        cancel.raise_if_cancelled()
        write_atomic(out, raw)
        write_sidecar(out, sidecar)
    except Cancelled:
        raise
    except (OcrViewerError, ValueError, TypeError, KeyError, RuntimeError) as err:
        return Record(
            response=None,
            status="failed",
            reason=failure_reason(err) + "; its pages are sent one by one",
            seconds=time.perf_counter() - started,
            calls=gate.take_calls(),
            cache_hit=False,
            covered=(),
            **base,
        ), isinstance(err, AuthError)
    except OSError as err:
        return Record(
            response=None,
            status="failed",
            reason=f"{out}: cannot write ({err.strerror or err}); its pages are sent one by one",
            seconds=time.perf_counter() - started,
            calls=gate.take_calls(),
            cache_hit=False,
            covered=(),
            **base,
        ), False
    n = len(source.pages)
    covered = tuple(sorted({p.index + 1 for p in parsed.pages if 0 <= p.index < n}))
    missing = n - len(covered)
    return Record(
        response=item.response,
        status="cached" if from_cache else "done",
        reason=None
        if not missing
        else f"the response covers {len(covered)} of {n} pages; the others are sent one by one",
        seconds=time.perf_counter() - started,
        calls=gate.take_calls(),
        cache_hit=from_cache,
        words=sum(1 for _ in parsed.words()),
        covered=covered,
        **base,
    ), False


# -- reading an OUTDIR back: pages worst-first -------------------------------------------------------
@dataclass(frozen=True)
class PageStatus:
    """One page of a batch's OUTDIR, as a person triaging results wants it (the window's page list)."""

    source: str
    #: the manifest input it came from ("scan3.png", "doc.pdf#page=3", or "doc.pdf" for a whole document)
    input: str
    #: 0-based page of the source (for a folder: the image's position)
    index: int
    status: str
    reason: str | None
    response: Path | None
    words: int = 0
    mean_confidence: float | None = None
    #: the least confident word (text, confidence), if any word has one
    worst: tuple[str, float] | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """Failed first, then pages without words, then by the worst word and the mean (lowest first)."""
        failed = self.status == "failed"
        return (
            *worst_first_key(failed, self.words, self.mean_confidence, self.worst),
            self.source,
            self.index,
        )


def outdir_pages(
    outdir: str | os.PathLike[str], load: Callable[[Path], Document] | None = None
) -> list[PageStatus]:
    """Every page a batch's OUTDIR has a line for, worst first; each response is parsed once.

    A response that cannot be read any more is listed as failed with the reason. ``load`` reads a
    response (default: parse the file); a caller that parsed them already hands those over.
    """
    from ocrviewer.core.parsers import load_response

    load = load or load_response

    folder = Path(outdir)
    manifest = folder / MANIFEST if folder.is_dir() else folder
    if not manifest.is_file():
        raise BadInput(f"{outdir}: no {MANIFEST} there; give an OUTDIR a batch wrote")
    out: list[PageStatus] = []
    for rec in read_manifest(manifest):
        first = rec.page - 1 if rec.page else rec.position
        if rec.status == "failed" or not rec.response:
            if rec.covered is None:  # a failed whole-document line is followed by its pages' own lines
                out.append(PageStatus(rec.source, rec.input, first, "failed", rec.reason, None))
            continue
        path = manifest.parent / rec.response
        try:
            doc = load(path)
        except OcrViewerError as err:
            out.append(PageStatus(rec.source, rec.input, first, "failed", str(err), path))
            continue
        for page in doc.pages:
            index = page.index if rec.covered is not None else first
            words, mean, worst = page_word_stats(page.words())
            out.append(
                PageStatus(rec.source, rec.input, index, rec.status, rec.reason, path, words, mean, worst)
            )
    out.sort(key=PageStatus.sort_key)
    return out
