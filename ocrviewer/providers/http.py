"""One HTTP client, retry and polling policy for every cloud provider.

The policy is a strategy object (:class:`RetryPolicy`); the decisions it makes (how long to wait,
what a status means, what an error body says) are pure functions, free of I/O. The clock and the
sleep are injected through :class:`Timing`, so tests never wait; the default sleep is
:meth:`CancelToken.wait`, so a cancel wakes a waiting worker at once.

Secrets never reach a message or a log line: headers and URLs are redacted before logging, and
every message built here is scrubbed of the secret values the client was given.
"""

from __future__ import annotations

import codecs
import email.utils
import errno
import html
import http.client
import ipaddress
import json
import logging
import math
import os
import random
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.response
import urllib3.util.connection

from ocrviewer.core.limits import MAX_RESPONSE_BYTES, seconds_text, size_text
from ocrviewer.core.model import Document
from ocrviewer.errors import (
    AuthError,
    BadResponse,
    Cancelled,
    OcrViewerError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaError,
    RequestRejected,
    ServiceError,
)
from ocrviewer.providers.base import CancelToken, ProgressCallback, no_progress
from ocrviewer.providers.settings import SENSITIVE_PARAMS

log = logging.getLogger("ocrviewer.providers.http")

#: Header names whose values are never logged (compared case-insensitively).
SENSITIVE_HEADERS = frozenset(
    {"authorization", "ocp-apim-subscription-key", "x-api-key", "api-key", "cookie", "set-cookie"}
)
#: what a secret query value or user:password is shown as (the names: settings.SENSITIVE_PARAMS)
REDACTED = "***"


# --------------------------------------------------------------------------- timing and policy


def _cancel_sleep(seconds: float, cancel: CancelToken) -> bool:
    return cancel.wait(seconds)


@dataclass(frozen=True)
class Timing:
    """The clocks and the sleep the client uses; tests pass fakes that never wait."""

    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time  # for Retry-After given as an HTTP date
    #: sleep(seconds, cancel) -> True when cancelled; must wake at once on cancel
    sleep: Callable[[float, CancelToken], bool] = _cancel_sleep


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for what. All times in seconds."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    #: the whole recognition (upload, retries and polling) must finish within this
    total_timeout: float = 300.0
    max_retries: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    jitter: float = 0.2  # +- fraction of each computed delay
    poll_interval: float = 1.0
    poll_interval_max: float = 5.0
    poll_growth: float = 1.5
    #: floor for any wait between polls, so "Retry-After: 0" cannot make a busy loop (each poll
    #: carries the key)
    poll_min: float = 1.0
    #: floor for any wait before a retry, so "Retry-After: 0" (or a negative one, or a date gone by)
    #: cannot spend every retry in the same instant against a service that asked to slow down
    retry_min: float = 1.0
    #: largest answer body read (bytes); a larger one is refused
    max_body: int = MAX_RESPONSE_BYTES
    #: longest Retry-After honoured: a service asking for more gets no retry but a message saying
    #: how long it asked for (a wait between polls is cut to it)
    retry_after_max: float = 120.0
    retry_statuses: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})

    @property
    def timeouts(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def _jittered(self, delay: float, rng: random.Random) -> float:
        if self.jitter <= 0:
            return delay
        return max(0.0, delay * (1.0 + rng.uniform(-self.jitter, self.jitter)))

    def retry_delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Wait before retry number ``attempt`` (1-based): Retry-After if given, else backoff."""
        if retry_after is not None:
            return max(0.0, retry_after)
        return self._jittered(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)), rng)

    def poll_delay(self, poll: int, retry_after: float | None, rng: random.Random) -> float:
        """Wait after poll number ``poll`` (1-based) saw "still running" (never below ``poll_min``)."""
        if retry_after is not None:
            return min(max(self.poll_min, self.retry_after_max), max(self.poll_min, retry_after))
        base = min(self.poll_interval_max, self.poll_interval * self.poll_growth ** (poll - 1))
        return max(self.poll_min, self._jittered(base, rng))

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RetryPolicy:
        """A policy with any ``http.*`` numbers from settings applied."""
        kwargs: dict[str, Any] = {}
        for name in ("connect_timeout", "read_timeout", "total_timeout", "poll_interval"):
            value = settings.get(f"http.{name}")
            if value is not None:
                kwargs[name] = float(value)
        return cls(**kwargs)


# --------------------------------------------------------------------------- pure helpers


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After value (delta seconds or an HTTP date); None if absent/bad.

    ``now`` is the wall-clock time (epoch seconds) used for the HTTP-date form. Never negative;
    "inf", "nan" and other values that are not a finite number count as absent.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def wait_text(seconds: float) -> str:
    """A wait a service asked for, for a message: "40 s", "5 min", "about 3 h", "more than a day"."""
    if seconds > 86400:
        return "more than a day"
    if seconds >= 7200:
        return f"about {seconds / 3600:.0f} h"
    return seconds_text(seconds)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|h1)\b", re.I | re.S)
_HTML_TITLE = re.compile(r"<(title|h1)[^>]*>(.*?)</\1\s*>", re.I | re.S)
_HTML_TAG = re.compile(r"<[^>]*>|<!--.*?-->", re.S)


def html_title(body: bytes) -> str | None:
    """The title (or first heading, or first words) of an HTML page; None if ``body`` is not one.

    A proxy, a gateway or a wrong URL answers with a web page; its title ("502 Bad Gateway") is
    what a person can act on, not its first line ("<!DOCTYPE html>")."""
    head = body[:65536]
    if not _HTML_START.match(head):
        return None
    text = head.decode("utf-8", "replace")
    found = _HTML_TITLE.search(text)
    words = found.group(2) if found else _HTML_TAG.sub(" ", text)
    return _one_line(html.unescape(_HTML_TAG.sub(" ", words)), 120)


#: what an error nested deeper than Python's JSON reader or writer goes is quoted as
TOO_DEEP = "an error nested too deeply to quote"


def error_detail(body: bytes) -> str:
    """One line from an error body: ``{code, message, details}`` or ``{"error": {code, message, innererror}}``.

    A body nested too deeply to decode (``[[[[...`` a thousand deep) is said as such: the
    RecursionError it raised went up as 'unexpected error; please report it'."""
    try:
        return _error_detail(body)
    except RecursionError:
        return TOO_DEEP


def error_value_detail(value: Any) -> str:
    """:func:`error_detail` of an error already decoded (an operation's ``error`` object)."""
    try:
        return error_detail(json.dumps(value).encode())
    except (RecursionError, ValueError, TypeError):
        return TOO_DEEP


def _error_detail(body: bytes) -> str:
    title = html_title(body)
    if title is not None:
        return f"a web page: {title!r}" if title else "a web page"
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        text = body.decode("utf-8", "replace").strip()
        return _one_line(text.splitlines()[0] if text else "", 200)
    if isinstance(data, Mapping) and isinstance(data.get("error"), Mapping):
        data = data["error"]
    if not isinstance(data, Mapping):
        return _one_line(json.dumps(data), 200)
    code = data.get("code")
    message = data.get("message") or data.get("error_description") or ""
    if code is not None and not isinstance(code, (str, int, float)):
        code = None  # not a code: a list or an object the message would only clutter
    if not isinstance(message, str):
        message = json.dumps(message) if message else ""
    text = ": ".join(str(x) for x in (code, message) if x not in (None, ""))
    inner = data.get("innererror")
    if isinstance(inner, Mapping):
        inner_text = ": ".join(str(inner[k]) for k in ("code", "message") if inner.get(k))
        if inner_text:
            text = f"{text} ({inner_text})" if text else inner_text
    said = _status_details(data.get("details"))
    if said:
        text = f"{text} ({said})" if text else said
    return _one_line(text)


def _status_details(details: Any) -> str:
    """What a google.rpc.Status's ``details`` add for a person: the fields a BadRequest names
    ("content: too large") and an ErrorInfo's reason; type URLs and request ids say nothing more."""
    if not isinstance(details, list):
        return ""
    said: list[str] = []
    for item in details[:10]:
        if not isinstance(item, Mapping):
            continue
        violations = item.get("fieldViolations") or item.get("field_violations")
        if isinstance(violations, list):
            for v in violations[:5]:
                if isinstance(v, Mapping) and (v.get("field") or v.get("description")):
                    said.append(": ".join(str(v[k]) for k in ("field", "description") if v.get(k)))
        reason = item.get("reason")
        if isinstance(reason, str) and reason:
            said.append(reason)
    return "; ".join(dict.fromkeys(said))


def redact_url(url: str) -> str:
    """The URL with the values of sensitive query parameters and any user:password replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = REDACTED + "@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, REDACTED if k.lower() in SENSITIVE_PARAMS else v) for k, v in pairs], safe="*,"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def shown_host(url: str) -> str:
    """The host:port of ``url`` for a message, a user:password in it replaced."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return REDACTED
    return REDACTED + "@" + netloc.rsplit("@", 1)[1] if "@" in netloc else netloc


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` fit for a log: sensitive values replaced."""
    return {k: (REDACTED if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


class Scrubber:
    """Removes known secret values from any text before it is shown or logged."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Longest first so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, REDACTED)
        return text


@dataclass(frozen=True)
class Hints:
    """What to tell a person for each kind of failure of one service."""

    auth: str = "check the key"
    forbidden: str = "check that the key's account has the role needed for this service"
    not_found: str = "check the endpoint URL"
    quota: str = "wait a little and try again, or raise the quota"
    #: an operation the service ran and gave up on
    failed: str = "check the image and the options, or try again later"
    #: 400 and the like: the request as sent was refused
    bad_request: str = "check the options (model, language) and the image"
    #: 413: the upload is over the service's size limit
    too_large: str = "send a smaller image (fewer pixels, or JPEG)"


#: google.rpc.Code -> the HTTP status a gateway answers it with (Yandex's table, PROVIDERS.md)
GRPC_HTTP_STATUS = {3: 400, 4: 504, 5: 404, 7: 403, 8: 429, 13: 500, 14: 503, 16: 401}


def grpc_status(body: bytes) -> int | None:
    """The HTTP status the numeric code of a google.rpc.Status body (``{"code": 16, "message": ...}``,
    as Yandex answers) stands for; None for any other body (Azure's codes are words)."""
    if not body.lstrip()[:1] == b"{":
        return None
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    code = data.get("code") if isinstance(data, Mapping) else None
    if isinstance(code, bool) or not isinstance(code, int):
        return None
    return GRPC_HTTP_STATUS.get(code)


def status_error(
    service: str, status: int, detail: str, hints: Hints, retries: int = 0, shown: int | None = None
) -> ProviderError:
    """The error for an unexpected HTTP status, with a message a person can act on. ``shown``: the
    status the answer came with, when ``status`` is the one its body's gRPC code stands for."""
    shown = status if shown is None else shown
    # Services often start the detail with the code itself ("401: Access denied"); say it once.
    detail = re.sub(rf"^\s*{shown}\s*[:\-]?\s*", "", detail or "")
    said = f" ({shown}: {detail})" if detail else f" ({shown})"
    if status == 401:
        return AuthError(f"{service} refused the credentials{said}; {hints.auth}")
    if status == 403:
        if re.search(r"\bquota\b", detail, re.I):  # Azure's free tier, its month's calls used up
            # still an AuthError: every other request with this key meets the same (a batch stops)
            return AuthError(
                f"{service} denied access: the key's call quota is used up{said}; wait until the quota "
                "renews, or raise it (a paid tier)"
            )
        return AuthError(f"{service} denied access{said}; {hints.forbidden}")
    if status == 429:
        tried = f" after {retries} retries" if retries else ""
        return QuotaError(f"{service}: quota or rate limit exceeded{tried}{said}; {hints.quota}")
    if status == 404:
        return ServiceError(f"{service}: not found{said}; {hints.not_found}")
    if status == 413:
        return ServiceError(f"{service}: the image is too large for the service{said}; {hints.too_large}")
    if status >= 500:
        tried = f" after {retries} retries" if retries else ""
        return ServiceError(f"{service}: service error{tried}{said}; try again later")
    if 400 <= status < 500:
        return RequestRejected(f"{service} rejected the request{said}; {hints.bad_request}")
    return ProviderError(f"{service} rejected the request{said}")


def _a(what: str) -> str:
    return f"an {what}" if what[:1].lower() in "aeiou" else f"a {what}"


#: methods a retry cannot turn into a second piece of work (a poll is asked again; an upload is not)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: statuses that say the request was not acted on: only these repeat an upload (a POST). A 500, 502
#: or 504 may come after the service read the image and started (or billed) the work, so the upload
#: is not sent again: the person is told to try again.
NOT_PROCESSED_STATUSES = frozenset({408, 429, 503})


def proxies_for(url: str) -> dict[str, str] | None:
    """The ``proxies`` argument for a request to ``url``: none at all for this machine (a proxy in
    HTTPS_PROXY / HTTP_PROXY / ALL_PROXY cannot reach a service on the loopback, and NO_PROXY rarely
    names it), else None: requests follows the environment (and its NO_PROXY) as usual."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    # a fresh dict each time: requests fills it in (setdefault) with the environment's proxies
    # (a None value tells requests "no proxy for this scheme"; its annotations say str only)
    none: dict[str, Any] = {"http": None, "https": None, "all": None}
    return none if _is_loopback(host) else None


def proxy_shown(url: str) -> str:
    """The environment's proxy for ``url``, fit for a message (a user:password in it redacted)."""
    try:
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    except (ValueError, TypeError):
        proxy = None
    return redact_url(proxy) if proxy else "set in the environment"


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM starts it
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?([^\"';\s]+)", re.I)


def to_utf8(body: bytes, content_type: str | None = None) -> bytes:
    """``body`` as UTF-8 without a byte order mark, so the answer kept on disk is what every
    reader takes. JSON is UTF-8 (RFC 8259) and most answers are left as they are; a body that is
    not is read from its byte order mark (UTF-8, UTF-16, UTF-32), from the null bytes of UTF-16/32
    without one (RFC 4627), or, when it is no UTF-8 at all, from the charset its Content-Type names
    (windows-1251, latin-1...). Anything else (binary junk, an unknown charset) is left alone for the
    JSON reader to refuse in its own words."""
    if not body:
        return body
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), None)
    if encoding is None and b"\x00" in body[:4]:
        guess = json.detect_encoding(body)
        encoding = None if guess == "utf-8" else guess
        sniffed = True
    else:
        sniffed = False
    if encoding is None:
        try:
            body.decode("utf-8")
            return body
        except UnicodeDecodeError:
            found = _CHARSET.search(content_type or "")
            if not found:
                return body
            encoding = found.group(1)
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError, ValueError):
        return body
    if sniffed and text.lstrip()[:1] not in ("{", "["):
        return body  # null bytes, but no JSON in UTF-16/32 either: junk, left as it came
    return text.lstrip("\ufeff").encode("utf-8")


#: the Content-Encodings urllib3 decodes here (gzip, deflate; br and zstd when their modules are installed)
_DECODERS = tuple(getattr(urllib3.response.HTTPResponse, "CONTENT_DECODERS", ("gzip", "x-gzip", "deflate")))


def _deflate_unfinished(raw: Any) -> bool:
    """Whether a body marked 'deflate' ended before its stream did. urllib3 decodes a body that is
    not zlib-wrapped as raw deflate, so plain text ('{}') can come out as a few bytes nobody sent,
    with no error: reported as broken JSON, it sent people to the service instead of the encoding."""
    decoder = getattr(raw, "_decoder", None)
    if type(decoder).__name__ != "DeflateDecoder":  # (gzip: urllib3 checks its end itself)
        return False
    return getattr(getattr(decoder, "_obj", None), "eof", True) is False


def parse_json(body: bytes, service: str, what: str = "response") -> Any:
    """JSON from a body, or BadResponse with one line naming the service and what to do.

    An empty body, a web page (a proxy's or a login page) and broken JSON each get their own words.
    A UTF-8 byte order mark is accepted."""
    if not body.strip():
        raise BadResponse(f"{service} sent an empty {what}; try again later")
    title = html_title(body)
    if title is not None:
        named = f" ({title!r})" if title else ""
        raise BadResponse(
            f"{service} sent a web page{named} instead of {_a(what)} in JSON; check the endpoint: "
            "a proxy, a login page or a wrong URL answered instead of the service"
        )
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        snippet = _one_line(body[:80].decode("utf-8", "replace"), 80)
        raise BadResponse(
            f"{service} sent {_a(what)} that is not valid JSON ({err.__class__.__name__}: "
            f"{_one_line(str(err), 80)}); starts with {snippet!r}; try again later, and check the "
            "endpoint if it keeps happening"
        ) from err


# --------------------------------------------------------------------------- polling status


@dataclass(frozen=True)
class PollStatus:
    """What one poll answer means: ``running``, ``succeeded`` or ``failed`` (with a reason).

    ``queued`` marks a running operation the service has not started yet (Azure "notStarted"),
    so progress can say "queued" rather than "running".
    """

    state: str
    reason: str = ""
    queued: bool = False
    #: the error type a failure raises (AuthError for an operation refused for its credentials...);
    #: None: ServiceError
    error: type[ProviderError] | None = None

    @property
    def done(self) -> bool:
        return self.state != "running"


RUNNING = PollStatus("running")
QUEUED = PollStatus("running", queued=True)
SUCCEEDED = PollStatus("succeeded")


# --------------------------------------------------------------------------- the deadline watchdog

_watched = threading.local()  # the watchdog of the current thread's request


def _watch(conn: urllib3.connection.HTTPConnection) -> None:
    dog = getattr(_watched, "dog", None)
    if dog is not None:
        dog.add(conn)


def _connected(conn: urllib3.connection.HTTPConnection) -> None:
    dog = getattr(_watched, "dog", None)
    if dog is not None and dog.stopped:  # cut while it connected: the socket is new, cut it too
        _shut(conn)


def _shut(conn: urllib3.connection.HTTPConnection) -> None:
    # while TLS is set up, conn.sock is the plain socket the TLS one took over (detached, no longer
    # cuttable): the copy made for that time (_Counted._handshake) is
    for sock in (getattr(conn, "sock", None), getattr(conn, "_handshake", None)):
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


#: what a TLS handshake that timed out is called in its error (see _HTTPSConnection.connect)
_TLS_STALLED = "TLS handshake timed out"
#: and a proxy that did not answer a CONNECT (see _HTTPSConnection._tunnel)
_PROXY_STALLED = "proxy tunnel timed out"
#: how often a connection being made looks at its watchdog (a cancel or the deadline ends it this soon)
CONNECT_SLICE = 0.05

#: resolve(host, port, family, type) -> getaddrinfo's list; :func:`socket.getaddrinfo` unless a test
#: (or an embedding program) passes its own through :class:`HttpConfig`
Resolver = Callable[[str, int, int, int], list[tuple[Any, ...]]]


class _SlowLookup(socket.gaierror):
    """Looking up a host's name took longer than the connect timeout (a name server that does not
    answer: getaddrinfo can block for 20 s or more and cannot be interrupted)."""


def _aside(work: Callable[[], Any], dog: _Watchdog, name: str, timeout: float | None = None) -> Any:
    """``work()`` run in a daemon thread of its own and waited for in slices, so that Cancel and the
    deadline (``dog``) and ``timeout`` end the wait at once though ``work`` blocks where nothing can cut
    it (getaddrinfo in C, a SOCKS proxy's handshake). Work given up goes on alone; a socket it makes
    after all is closed, nothing uses it. Raises ConnectionAbortedError when stopped, TimeoutError at
    ``timeout``, else what ``work`` raised."""
    box: dict[str, Any] = {}
    done = threading.Event()
    lock = threading.Lock()

    def run() -> None:
        try:
            found = work()
        except BaseException as err:  # noqa: BLE001 - handed to the waiting thread, never lost
            with lock:
                box["error"] = err
        else:
            with lock:
                box["found"] = found
                late = "abandoned" in box
            if late and isinstance(found, socket.socket):
                found.close()
        finally:
            done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    end = None if timeout is None else time.monotonic() + timeout
    while not done.wait(CONNECT_SLICE):
        if dog.stopped or (end is not None and time.monotonic() >= end):
            with lock:
                box["abandoned"] = True
                found = box.pop("found", None)
            if isinstance(found, socket.socket):  # came back just now
                found.close()
            if dog.stopped:
                raise ConnectionAbortedError(errno.ECONNABORTED, "stopped while connecting")
            raise TimeoutError("timed out")
    if "error" in box:
        raise box["error"]
    if dog.stopped:
        found = box.get("found")
        if isinstance(found, socket.socket):
            found.close()
        raise ConnectionAbortedError(errno.ECONNABORTED, "stopped while connecting")
    return box.get("found")


def _lookup(host: str, port: int, timeout: float | None, dog: _Watchdog) -> list[tuple[Any, ...]]:
    """The addresses of ``host``, looked up aside (:func:`_aside`) so that Cancel, the deadline and the
    connect timeout end the wait at once: getaddrinfo blocks in C and nothing can cut it, so a slow name
    server held the worker (and Cancel) for as long as the system's resolver tried. A lookup given up
    goes on alone in its daemon thread; its answer is dropped (nothing connects with it)."""
    family = urllib3.util.connection.allowed_gai_family()
    try:
        ipaddress.ip_address(host)
        numeric = True
    except ValueError:
        numeric = False
    if numeric:  # nothing to look up: no name server is asked
        return dog.resolve(host, port, family, socket.SOCK_STREAM)
    try:
        found = _aside(
            lambda: dog.resolve(host, port, family, socket.SOCK_STREAM),
            dog,
            f"ocrviewer lookup of {host}",
            timeout,
        )
    except TimeoutError:
        raise _SlowLookup(
            socket.EAI_AGAIN, f"looking up the name took longer than {seconds_text(timeout or 0)}"
        ) from None
    except OSError:
        raise
    except Exception as err:  # a resolver's own failure (a test's, an embedding program's)
        raise socket.gaierror(socket.EAI_FAIL, f"the name lookup failed ({type(err).__name__})") from err
    return list(found or [])


def _connect_watched(
    address: tuple[str, int],
    timeout: float | None,
    source_address: tuple[str, int] | None,
    socket_options: Any,
    dog: _Watchdog,
) -> socket.socket:
    """urllib3's ``create_connection``, with each connection attempt made without blocking and
    given up as soon as ``dog`` stops: a socket still connecting (a host whose firewall drops the
    packets, a listener whose queue is full) cannot be cut from another thread, so Cancel and the
    run's deadline waited the whole connect timeout (10 s by default) before they took effect. The
    name is looked up the same way (:func:`_lookup`)."""
    host, port = address
    host = host.strip("[]")
    err: OSError | None = None
    for af, socktype, proto, _name, sa in _lookup(host, port, timeout, dog):
        sock = socket.socket(af, socktype, proto)
        try:
            for opt in socket_options or ():
                sock.setsockopt(*opt)
            if source_address:
                sock.bind(source_address)
            sock.setblocking(False)
            code = sock.connect_ex(sa)
            end = None if timeout is None else time.monotonic() + timeout
            while code in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EINTR):
                if dog.stopped:
                    raise ConnectionAbortedError(
                        errno.ECONNABORTED, "the connection was stopped while it was made"
                    )
                left = CONNECT_SLICE if end is None else min(CONNECT_SLICE, end - time.monotonic())
                if left <= 0:
                    raise TimeoutError("timed out")
                _, ready, failed = select.select([], [sock], [sock], left)
                if ready or failed:
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            sock.settimeout(timeout)
            return sock
        except OSError as caught:
            err = caught
            sock.close()
    raise err if err is not None else OSError("getaddrinfo returns an empty list")


class _Counted:
    """Counts the answers a connection's socket has carried, so a request knows whether it went out
    on a kept-alive connection (one a server may have closed meanwhile) or a fresh one, and hands
    each request to the deadline watchdog: the one mixin of the HTTP and HTTPS connections."""

    def _new_conn(self) -> socket.socket:
        """urllib3's, the connecting done by :func:`_connect_watched` under this thread's watchdog."""
        dog = getattr(_watched, "dog", None)
        if dog is None:
            return super()._new_conn()  # type: ignore[misc,no-any-return]
        conn: Any = self
        sock = self._open(dog)
        if isinstance(self, urllib3.connection.HTTPSConnection):
            # urllib3 connects an https connection before its request (where _watch adds it): added
            # now, with a copy of the socket the TLS one takes the descriptor over from, so a
            # handshake the server never answers can be cut (the copy is closed in
            # _HTTPSConnection.connect)
            self._handshake = socket.socket(sock.family, sock.type, sock.proto, fileno=os.dup(sock.fileno()))
            try:
                dog.add(conn)
            except urllib3.exceptions.ProtocolError:
                pass  # stopped meanwhile: the handshake's first read meets the cut socket
            if dog.stopped:
                _shut(conn)
        return sock

    def _open(self, dog: _Watchdog) -> socket.socket:
        """A connected socket, made under ``dog``, with urllib3's errors."""
        conn: Any = self
        try:
            return _connect_watched(
                (conn._dns_host, conn.port), conn.timeout, conn.source_address, conn.socket_options, dog
            )
        except socket.gaierror as e:
            raise urllib3.exceptions.NameResolutionError(conn.host, conn, e) from e
        except TimeoutError as e:
            raise urllib3.exceptions.ConnectTimeoutError(
                conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
            ) from e
        except OSError as e:
            raise urllib3.exceptions.NewConnectionError(
                conn, f"Failed to establish a new connection: {e}"
            ) from e

    answered = 0
    #: the last request went on a socket that had carried an answer before
    reused = False
    #: a copy of the socket while TLS is set up on it (see _shut)
    _handshake: socket.socket | None = None

    def request(self, *args: Any, **kwargs: Any) -> None:
        self.reused = getattr(self, "sock", None) is not None and self.answered > 0
        _watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.answered = 0
        _connected(self)  # type: ignore[arg-type]

    def getresponse(self) -> Any:
        resp = super().getresponse()  # type: ignore[misc]
        self.answered += 1
        return resp


class _HTTPConnection(_Counted, urllib3.connection.HTTPConnection):
    pass


def _connect_tls(conn: Any, connect: Callable[[], None]) -> None:
    """An https connection's ``connect`` (the TLS handshake included): a handshake that times out is said
    as such, and the copy of the socket kept to cut it (``_handshake``) is closed."""
    try:
        connect()
    except TimeoutError as err:  # the TLS handshake, under the connect timeout, not the read one
        raise urllib3.exceptions.ConnectTimeoutError(
            conn, f"the secure connection to {conn.host} was not set up in time ({_TLS_STALLED})"
        ) from err
    finally:
        copy, conn._handshake = conn._handshake, None
        if copy is not None:
            copy.close()


class _HTTPSConnection(_Counted, urllib3.connection.HTTPSConnection):
    def connect(self) -> None:
        _connect_tls(self, super().connect)

    def _tunnel(self) -> None:
        try:
            super()._tunnel()
        except TimeoutError as err:  # the proxy took the connection, then said nothing to CONNECT
            raise urllib3.exceptions.ConnectTimeoutError(
                self, f"the proxy did not answer in time ({_PROXY_STALLED})"
            ) from err

    def getresponse(self) -> Any:
        resp = super().getresponse()
        self.answered += 1
        return resp


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _socks_pools() -> dict[str, type[urllib3.HTTPConnectionPool]] | None:
    """The pools of a SOCKS proxy's connections, watched like the others; None without PySocks."""
    import importlib.util

    if importlib.util.find_spec("socks") is None:  # (urllib3's module would warn, then fail)
        return None
    try:
        from urllib3.contrib import socks as contrib
    except ImportError:
        return None

    class _SocksOpen:
        def _open(self, dog: _Watchdog) -> socket.socket:
            """PySocks connects to the proxy and talks to it (its name looked up, the handshake, the
            CONNECT) in one blocking call: made aside, so Cancel and the deadline end it at once."""
            conn: Any = self
            try:
                return _aside(  # type: ignore[no-any-return]
                    lambda: contrib.SOCKSConnection._new_conn(conn), dog, "ocrviewer SOCKS connection"
                )
            except ConnectionAbortedError as e:
                raise urllib3.exceptions.NewConnectionError(
                    conn, f"Failed to establish a new connection: {e}"
                ) from e

    class _SocksConnection(_SocksOpen, _Counted, contrib.SOCKSConnection):
        pass

    class _SocksHTTPSConnection(_SocksOpen, _Counted, contrib.SOCKSHTTPSConnection):
        def connect(self) -> None:
            _connect_tls(self, super().connect)

    class _SocksHTTPPool(contrib.SOCKSHTTPConnectionPool):
        ConnectionCls = _SocksConnection

    class _SocksHTTPSPool(contrib.SOCKSHTTPSConnectionPool):
        ConnectionCls = _SocksHTTPSConnection

    return {"http": _SocksHTTPPool, "https": _SocksHTTPSPool}


class _NoSocks(requests.exceptions.InvalidSchema):
    """A SOCKS proxy is set in the environment, and PySocks (SOCKS support) is not installed."""


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter whose connections a :class:`_Watchdog` can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
        """The connections through a proxy (HTTPS_PROXY...) are watched too: they went in urllib3's
        own pools, so Cancel and the deadline waited out a silent proxy's or service's timeouts."""
        socks = proxy.lower().startswith("socks")
        pools = _socks_pools() if socks else None
        if socks and pools is None:
            raise _NoSocks("SOCKS support is not installed")
        manager: urllib3.PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is urllib3.ProxyManager:
            manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        elif pools is not None:  # a SOCKS proxy's: connected through PySocks, under the watchdog too
            manager.pool_classes_by_scheme = pools
        return manager


class _Watchdog:
    """Cuts the connections of one request when its time is up or the run is cancelled, wherever
    it is blocked: a server sending its status line or headers a byte at a time cannot hold a run
    past the deadline (the socket timeout only bounds each single read), and Cancel does not wait
    for a silent server's read timeout."""

    def __init__(
        self, seconds: float | None, cancel: CancelToken | None = None, resolve: Resolver | None = None
    ) -> None:
        self.seconds = seconds
        self.cancel = cancel
        self.resolve: Resolver = resolve or socket.getaddrinfo
        self.fired = False  # the deadline cut it
        self.cancelled = False  # the cancel token cut it
        self.connections: list[urllib3.connection.HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._unhook: Callable[[], None] = lambda: None

    @property
    def stopped(self) -> bool:
        return self.fired or self.cancelled

    @property
    def reused(self) -> bool:
        """Whether the request went out on a kept-alive connection that had answered before."""
        with self._lock:
            return bool(self.connections) and bool(getattr(self.connections[-1], "reused", False))

    def __enter__(self) -> _Watchdog:
        _watched.dog = self
        if self.seconds is not None:
            self._timer = threading.Timer(max(0.0, self.seconds), self._fire)
            self._timer.daemon = True
            self._timer.start()
        if self.cancel is not None:
            self._unhook = self.cancel.on_cancel(self._on_cancel)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._unhook()
        _watched.dog = None

    def add(self, conn: urllib3.connection.HTTPConnection) -> None:
        with self._lock:
            if conn not in self.connections:  # (an https one is added as it connects, before its request)
                self.connections.append(conn)
            stopped = self.stopped
        if stopped:  # cut before this connection was handed out: it sends nothing
            raise urllib3.exceptions.ProtocolError("the request was stopped before it was sent")

    def _cut(self) -> None:
        with self._lock:
            connections = list(self.connections)
        for conn in connections:
            _shut(conn)

    def _fire(self) -> None:
        self.fired = True
        self._cut()

    def _on_cancel(self) -> None:
        self.cancelled = True
        self._cut()


#: the libraries' loggers that name URLs (urllib3 logs "GET /path HTTP/1.1" 200 at DEBUG)
_LIBRARY_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")


class _ScrubFilter(logging.Filter):
    """Removes a client's secrets from a library's log records before any handler sees them."""

    def __init__(self, scrub: Scrubber) -> None:
        super().__init__()
        self.scrub = scrub

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: left to logging
            return True
        clean = self.scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


# --------------------------------------------------------------------------- the client


@dataclass
class HttpClient:
    """Sends requests with timeouts, retries 429/502/503/504 and polls, all under one policy."""

    service: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    timing: Timing = field(default_factory=Timing)
    session: requests.Session = field(default_factory=requests.Session)
    rng: random.Random = field(default_factory=random.Random)
    hints: Hints = field(default_factory=Hints)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # never in a repr, a log or a traceback
    #: called before every request (retries and polls too); a batch's rate limit waits here
    gate: RequestGate | None = None
    #: looks host names up (None: socket.getaddrinfo); a test passes one it controls
    resolve: Resolver | None = None
    #: the PEM file of CA certificates to trust (the ``http.ca_bundle`` setting); None: the system's
    #: (or REQUESTS_CA_BUNDLE's)
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        self.scrub = Scrubber(self.secrets)
        # the time the first request waited at the gate: a deadline starts when it can go out,
        # so a file queued behind a batch's rate limit is not out of time before it is sent
        self._gate_wait: float | None = None
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _WatchedAdapter())
        # urllib3 logs each request's path at DEBUG; a server can put the key in a path it names
        # (an Operation-Location): its records are scrubbed too while this client lives
        self._log_filter = _ScrubFilter(self.scrub) if self.secrets else None
        if self._log_filter is not None:
            for name in _LIBRARY_LOGGERS:
                logging.getLogger(name).addFilter(self._log_filter)

    def close(self) -> None:
        self.session.close()
        if self._log_filter is not None:
            for name in _LIBRARY_LOGGERS:
                logging.getLogger(name).removeFilter(self._log_filter)
            self._log_filter = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        """Close; an error leaving the ``with`` block (a parse of the answer, a poll's status) is
        scrubbed of the secrets too, whoever raised it: a server echoing the key in a page title
        or a broken body must not put it in the message."""
        self.close()
        if isinstance(exc, OcrViewerError):
            clean = self.scrub(str(exc))
            if clean != str(exc):
                raise type(exc)(clean) from None  # the original (and its chain) holds the secret

    def deadline(self) -> float:
        """The monotonic time by which a recognition started now must end."""
        return self.timing.monotonic() + self.policy.total_timeout

    def _remaining(self, deadline: float | None) -> float:
        if deadline is None:
            return float("inf")
        return deadline + (self._gate_wait or 0.0) - self.timing.monotonic()

    def _raise_hint(self, setting: str, first: str = "try again later") -> str:
        """'try again later, or raise SETTING in FILE': where a person lengthens a limit that cut a run."""
        from ocrviewer.providers.settings import settings_path

        return f"{first}, or raise {setting} in {settings_path()} for a slow service or network"

    def _out_of_time(self, url: str = "") -> str:
        host = f" ({shown_host(url)})" if url else ""
        return (
            f"{self.service}{host} did not finish within {seconds_text(self.policy.total_timeout)}; "
            f"{self._raise_hint('http.total_timeout')}"
        )

    def _fail(self, err_type: type[ProviderError], message: str) -> ProviderError:
        return err_type(self.scrub(message))

    def _sleep(self, seconds: float, cancel: CancelToken) -> None:
        if self.timing.sleep(max(0.0, seconds), cancel) or cancel.cancelled:
            raise Cancelled("cancelled by the user")

    def send(
        self,
        method: str,
        url: str,
        *,
        cancel: CancelToken,
        deadline: float | None = None,
        ok: Iterable[int] = (200,),
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        progress: ProgressCallback = no_progress,
    ) -> requests.Response:
        """One request, retried on 408/429/500/502/503/504 with backoff (a Retry-After up to
        ``retry_after_max`` honoured, a longer one reported at once); other failures raise.

        A cancel cuts the request wherever it waits (connection, answer, body) and raises Cancelled."""
        ok_set = set(ok)
        self._check_headers(headers or {})
        attempt = 0
        stale_retried = False
        while True:
            cancel.raise_if_cancelled()
            remaining = self._remaining(deadline)
            if remaining <= 0:
                raise self._fail(ProviderTimeout, self._out_of_time())
            read_timeout = min(self.policy.read_timeout, max(0.001, remaining))
            if self.gate is not None:
                before = self.timing.monotonic()
                self.gate(method, url, cancel)
                if self._gate_wait is None:  # later waits (retries, polls) count: the file is under way
                    self._gate_wait = self.timing.monotonic() - before
            if data:
                progress(None, f"uploading {_size_text(len(data))} to {self.service}")
            # without a deadline one request still ends within the total time (headers trickling in)
            budget = self._remaining(deadline) if deadline is not None else self.policy.total_timeout
            watchdog = _Watchdog(budget, cancel, self.resolve)
            try:
                with watchdog:
                    resp = self.session.request(
                        method,
                        url,
                        headers=dict(headers or {}),
                        params=params,
                        data=data,
                        timeout=(self.policy.connect_timeout, read_timeout),
                        proxies=proxies_for(url),
                        verify=self.ca_bundle,  # (None: requests' own choice, REQUESTS_CA_BUNDLE or the system's)
                        allow_redirects=False,
                        stream=True,  # the body is read below, under the deadline and the size cap
                    )
                    if resp.status_code in ok_set:
                        length = resp.headers.get("Content-Length")
                        if length is None or (length.isdigit() and int(length) >= DOWNLOAD_NOTE_BYTES):
                            size = f" ({_size_text(int(length))})" if length else ""
                            progress(None, f"downloading the answer from {self.service}{size}")
                    self._check_length(resp)
                    self._read_body(resp, deadline, read_timeout)
            except ValueError as err:  # not a RequestException: a Location header that is no URL...
                if cancel.cancelled:
                    raise Cancelled("cancelled by the user") from None
                if isinstance(err, requests.exceptions.InvalidHeader) and "Content-Length" in str(err):
                    # urllib3 refuses two different lengths itself, before the answer is returned
                    raise self._bad_length(url, None) from err
                if isinstance(err, requests.exceptions.RequestException):
                    raise self._transport_error(err, url, read_timeout) from err
                raise self._fail(
                    ServiceError,
                    f"{self.service}: {shown_host(url)} sent an answer that cannot be followed "
                    f"({type(err).__name__}: {_one_line(str(err), 80)}), such as a redirect to something that "
                    "is not a URL; check the endpoint URL and any proxy between you and the service",
                ) from err
            except (
                requests.exceptions.RequestException,
                urllib3.exceptions.HTTPError,
                http.client.HTTPException,
                OSError,
            ) as err:
                if cancel.cancelled:  # the cancel cut the connection
                    raise Cancelled("cancelled by the user") from None
                if watchdog.fired:  # the deadline cut the connection (headers trickling in...)
                    raise self._fail(ProviderTimeout, self._out_of_time(url)) from err
                if method in IDEMPOTENT_METHODS and not stale_retried and watchdog.reused and _hung_up(err):
                    # A server closes a kept-alive connection when it has been idle a while; a request
                    # sent just then meets the close. Asked again at once on a new connection, once.
                    stale_retried = True
                    log.debug(
                        "%s: a kept-alive connection was closed under a %s; asked again", self.service, method
                    )
                    continue
                failure = self._transport_error(err, url, read_timeout)
                # A lost poll (GET) is safe to repeat; an upload is not (it may be billed twice).
                if (
                    method in ("GET", "HEAD")
                    and isinstance(err, (requests.exceptions.ConnectionError, requests.exceptions.Timeout))
                    and not isinstance(err, requests.exceptions.SSLError)
                    and attempt < self.policy.max_retries
                ):
                    attempt += 1
                    delay = max(self.policy.retry_min, self.policy.retry_delay(attempt, None, self.rng))
                    if delay < self._remaining(deadline):
                        # what happened, without the advice ("try again later") the retry is taking
                        happened = str(failure).split("; ", 1)[0]
                        progress(None, f"{happened}; retry {attempt} in {delay:.1f} s")
                        self._sleep(delay, cancel)
                        continue
                raise failure from err
            if log.isEnabledFor(logging.DEBUG):
                sent = (
                    redact_headers({str(k): str(v) for k, v in resp.request.headers.items()})
                    if resp.request is not None
                    else {}
                )
                line = f"{method} {redact_url(resp.url or url)} -> {resp.status_code} "
                line += f"(request id {request_id_of(resp)}) headers {sent}"
                log.debug("%s", self.scrub(line))
            if resp.status_code in ok_set:
                return resp
            retryable = (
                self.policy.retry_statuses
                if method in IDEMPOTENT_METHODS
                else self.policy.retry_statuses & NOT_PROCESSED_STATUSES
            )
            if resp.status_code in retryable and attempt < self.policy.max_retries:
                retry_after = parse_retry_after(resp.headers.get("Retry-After"), self.timing.wall())
                if retry_after is not None and retry_after > self.policy.retry_after_max:
                    raise self._status_error(
                        resp,
                        attempt,
                        f"; it asks to wait {wait_text(retry_after)}, longer than ocrviewer waits "
                        f"({seconds_text(self.policy.retry_after_max)}): try again after that",
                    )
                attempt += 1
                delay = max(self.policy.retry_min, self.policy.retry_delay(attempt, retry_after, self.rng))
                if delay > self._remaining(deadline):
                    asked = (
                        f"it asks to wait {wait_text(delay)}"
                        if retry_after is not None
                        else f"the next retry (in {seconds_text(delay)}) would be"
                    )
                    raise self._status_error(resp, attempt - 1, f"; {asked} past the time limit")
                progress(None, f"{self.service} busy ({resp.status_code}); retry {attempt} in {delay:.1f} s")
                self._sleep(delay, cancel)
                continue
            raise self._status_error(resp, attempt, expected=ok_set)

    def _check_headers(self, headers: Mapping[str, str]) -> None:
        """AuthError before anything is sent when a credential cannot go in its header: a line
        break, a control character or a letter other than ASCII in a key (a copy-and-paste brings
        them) made the request fail as 'the answer could not be read; try again later'."""
        for name, value in headers.items():
            if all(32 <= ord(c) < 127 or c == "\t" for c in str(value)):
                continue
            secret = name.lower() in SENSITIVE_HEADERS
            error: type[ProviderError]
            if name.lower() == "x-folder-id":
                said, error = "the folder ID", AuthError
            elif secret:
                said, error = f"the key (its {name} header)", AuthError
            else:
                said, error = f"the {name} header's value", ProviderError
            raise self._fail(
                error,
                f"{self.service}: {said} cannot be sent: it holds a line break, a control character or a "
                f"character other than ASCII (a copy-and-paste can bring them); {self.hints.auth}",
            )

    def _bad_length(self, url: str, value: str | None) -> ProviderError:
        said = (
            f"Content-Length {_one_line(value, 40)!r}"
            if value is not None
            else "two different Content-Lengths"
        )
        return self._fail(
            ServiceError,
            f"{self.service}: {shown_host(url)} sent an answer with a malformed length ({said}), so where it "
            "ends cannot be told; try again, and check any proxy between you and the service",
        )

    def _check_length(self, resp: requests.Response) -> None:
        """A Content-Length that is no number (or negative) leaves the body without an end: read as it
        is, it would be read until the server closes, at the read timeout on a kept-alive connection.
        Refused at once instead (a chunked answer ignores the header, as urllib3 does)."""
        value = resp.headers.get("Content-Length")
        if value is None or "chunked" in (resp.headers.get("Transfer-Encoding") or "").lower():
            return
        if not all(v.strip().isdigit() and v.strip().isascii() for v in value.split(",")):
            resp.close()
            raise self._bad_length(resp.url or "", value)

    def _read_body(self, resp: requests.Response, deadline: float | None, read_timeout: float) -> None:
        """Read the body in pieces as they arrive, so the deadline holds while reading (a server
        trickling a byte a second cannot hold a run past it) and a body over ``max_body`` is refused
        before it fills the memory. A cut body raises ``requests.ConnectionError`` (safe to repeat
        for a GET). The body is then available as ``resp.content``, as usual."""
        raw = resp.raw
        limit = self.policy.max_body
        end = (
            deadline + (self._gate_wait or 0.0)
            if deadline is not None
            else self.timing.monotonic() + read_timeout
        )
        encodings = [
            t.strip().lower() for t in (resp.headers.get("Content-Encoding") or "").split(",") if t.strip()
        ]
        unknown = [t for t in encodings if t != "identity" and t not in _DECODERS]
        if unknown:  # read as it is, it would be called broken JSON: the service is not the cause
            resp.close()
            raise self._fail(
                ServiceError,
                f"{self.service} sent an answer compressed as {_one_line(unknown[0], 40)!r}, which ocrviewer "
                f"did not ask for and cannot decompress (it takes {', '.join(_DECODERS)}); try again later, and "
                "check any proxy between you and the service",
            )
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                if self.timing.monotonic() > end:
                    resp.close()
                    budget = self.policy.total_timeout if deadline is not None else read_timeout
                    setting = "http.total_timeout" if deadline is not None else "http.read_timeout"
                    raise self._fail(
                        ProviderTimeout,
                        f"{self.service}: {shown_host(resp.url or '')} did not finish sending its answer within "
                        f"{seconds_text(budget)}; {self._raise_hint(setting)}",
                    )
                chunk = raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    resp.close()
                    raise self._fail(
                        ServiceError,
                        f"{self.service} sent an answer of more than {size_text(limit)}, over the limit for "
                        "a response; nothing was kept",
                    )
                chunks.append(chunk)
            if _deflate_unfinished(raw):
                raise urllib3.exceptions.DecodeError("the deflate stream did not end")
        except urllib3.exceptions.DecodeError as err:
            resp.close()
            encoding = resp.headers.get("Content-Encoding") or "compressed"
            raise self._fail(
                ServiceError,
                f"{self.service} sent an answer marked {_one_line(encoding, 40)!r} that cannot be "
                "decompressed; try again later",
            ) from err
        except (urllib3.exceptions.HTTPError, OSError) as err:
            resp.close()
            if isinstance(err, urllib3.exceptions.ReadTimeoutError):
                raise _BodyStalled(err) from err
            raise _BodyCut(f"the answer was cut ({type(err).__name__})") from err
        resp._content = to_utf8(b"".join(chunks), resp.headers.get("Content-Type"))
        resp._content_consumed = True  # type: ignore[attr-defined]
        raw.release_conn()  # read to the end: the connection can serve the next request

    def _transport_error(self, err: Exception, url: str, read_timeout: float) -> ProviderError:
        host = shown_host(url)
        socks = proxy_shown(url) if proxies_for(url) is None else ""  # (none for this machine)
        if socks.lower().startswith("socks") and (
            isinstance(err, requests.exceptions.ConnectTimeout)
            or isinstance(_transport_cause(err), urllib3.exceptions.NewConnectionError)
        ):
            # PySocks' own failures (the proxy refused, silent, or could not reach the host) went out
            # as the endpoint's ("HOST refused the connection; check the endpoint URL")
            if isinstance(err, requests.exceptions.ConnectTimeout):
                said = f"no answer within {seconds_text(self.policy.connect_timeout)}"
            else:
                said = _one_line(
                    re.sub(r"^.*?Failed to establish a new connection: ", "", str(_transport_cause(err))), 100
                )
            return self._fail(
                ServiceError,
                f"{self.service}: cannot get through the SOCKS proxy {socks} to {host} ({self.scrub(said)}); "
                "check the proxy (ALL_PROXY / HTTPS_PROXY in the environment), or add the endpoint's host to NO_PROXY",
            )
        if isinstance(err, requests.exceptions.ConnectTimeout) and _PROXY_STALLED in str(err):
            return self._fail(
                ProviderTimeout,
                f"{self.service}: the proxy {proxy_shown(url)} took the connection but did not open the way to "
                f"{host} within {seconds_text(self.policy.connect_timeout)}; check the proxy (HTTPS_PROXY / "
                "HTTP_PROXY / ALL_PROXY in the environment), or add the endpoint's host to NO_PROXY",
            )
        if isinstance(err, requests.exceptions.ConnectTimeout) and _TLS_STALLED in str(err):
            return self._fail(
                ProviderTimeout,
                f"{self.service}: {host} took the connection but did not set up the secure (TLS) connection "
                f"within {seconds_text(self.policy.connect_timeout)}; check that the endpoint's port is the "
                f"service's https port; {self._raise_hint('http.connect_timeout')}",
            )
        if isinstance(err, requests.exceptions.ConnectTimeout):
            return self._fail(
                ProviderTimeout,
                f"{self.service}: could not connect to {host} within "
                f"{seconds_text(self.policy.connect_timeout)}; "
                f"{self._raise_hint('http.connect_timeout', 'check the endpoint and the network')}",
            )
        if isinstance(err, _NoSocks):
            return self._fail(
                ProviderUnavailable,
                f"{self.service}: the proxy {proxy_shown(url)} is a SOCKS proxy, and SOCKS support is not "
                "installed: install PySocks (pip install PySocks) into ocrviewer's environment, or use an "
                "http:// proxy, or add the endpoint's host to NO_PROXY",
            )
        if isinstance(err, requests.exceptions.ProxyError) and isinstance(
            _transport_cause(err), urllib3.exceptions.NameResolutionError
        ):
            slow = isinstance(getattr(_transport_cause(err), "_reason", None), _SlowLookup)
            return self._fail(
                ProviderTimeout if slow else ServiceError,
                f"{self.service}: cannot find the proxy {proxy_shown(url)} (its host name "
                f"{'was not looked up in time' if slow else 'does not resolve'}); check the proxy (HTTPS_PROXY / "
                "HTTP_PROXY / ALL_PROXY in the environment) and the network, or add the endpoint's host to NO_PROXY",
            )
        if isinstance(err, requests.exceptions.ProxyError):
            # the proxy's own answer to CONNECT, when it gave one ("407 Proxy Authentication Required")
            answered = re.search(r"Tunnel connection failed: (\d{3}(?: [A-Za-z][\w ,.-]{0,60})?)", str(err))
            said = f" (it answered {answered.group(1).strip()})" if answered else ""
            if answered and answered.group(1).startswith("407"):
                return self._fail(
                    AuthError,
                    f"{self.service}: the proxy {proxy_shown(url)} asks for a user name and password{said}; "
                    "put them in the proxy's URL (http://USER:PASSWORD@HOST:PORT in HTTPS_PROXY), or add the "
                    "endpoint's host to NO_PROXY",
                )
            return self._fail(
                ServiceError,
                f"{self.service}: cannot get through the proxy {proxy_shown(url)} to {host}{said}; check the "
                "proxy (HTTPS_PROXY / HTTP_PROXY / ALL_PROXY in the environment), or add the endpoint's host "
                "to NO_PROXY",
            )
        # the read timeout in force is the setting's, or less when the total time left was less
        setting = "http.read_timeout" if read_timeout >= self.policy.read_timeout else "http.total_timeout"
        if isinstance(err, _BodyStalled):
            return self._fail(
                ProviderTimeout,
                f"{self.service}: {host} sent part of its answer, then nothing for {seconds_text(read_timeout)}; "
                f"{self._raise_hint(setting)}",
            )
        if isinstance(err, requests.exceptions.ReadTimeout):
            return self._fail(
                ProviderTimeout,
                f"{self.service}: {host} did not answer within {seconds_text(read_timeout)}; "
                f"{self._raise_hint(setting)}",
            )
        if isinstance(err, requests.exceptions.ConnectionError) and "answer was cut" in str(err):
            return self._fail(
                ServiceError, f"{self.service}: the connection to {host} was cut while it answered; try again"
            )
        if isinstance(err, requests.exceptions.SSLError):
            return self._fail(ServiceError, f"{self.service}: {tls_failure(err, host)}")
        cause = _transport_cause(err)
        if isinstance(cause, urllib3.exceptions.NameResolutionError):
            name = urlsplit(url).hostname
            looked = getattr(cause, "_reason", None) or cause.__cause__
            if isinstance(looked, _SlowLookup):
                return self._fail(
                    ProviderTimeout,
                    f"{self.service}: looking up the host {name} took longer than "
                    f"{seconds_text(self.policy.connect_timeout)} (the name server did not answer); check the "
                    f"network and its DNS settings; {self._raise_hint('http.connect_timeout', 'try again later')}",
                )
            if isinstance(looked, socket.gaierror) and looked.errno == socket.EAI_AGAIN:
                return self._fail(
                    ServiceError,
                    f"{self.service}: cannot look up the host {name}: the name server did not answer "
                    "(a temporary failure); check the network connection and its DNS settings, then try again",
                )
            return self._fail(
                ServiceError,
                f"{self.service}: cannot find the host {urlsplit(url).hostname} (its name does not "
                "resolve); check the endpoint URL (and the region in it) and the network",
            )
        if isinstance(cause, urllib3.exceptions.NewConnectionError) and "refused" in str(cause).lower():
            return self._fail(
                ServiceError,
                f"{self.service}: {host} refused the connection; check the endpoint URL (host and port) "
                "and that the service is running",
            )
        if isinstance(cause, (http.client.RemoteDisconnected, ConnectionResetError)):
            return self._fail(
                ServiceError,
                f"{self.service}: {host} closed the connection without answering; try again later, and "
                "check the endpoint if it keeps happening",
            )
        if isinstance(cause, http.client.HTTPException):
            return self._fail(
                ServiceError,
                f"{self.service}: {host} did not answer in HTTP ({type(cause).__name__}); check the "
                "endpoint URL (its scheme, host and port)",
            )
        if isinstance(err, requests.exceptions.ConnectionError):
            return self._fail(
                ServiceError, f"{self.service}: cannot reach {host}; check the endpoint and the network"
            )
        if isinstance(err, (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)):
            return self._fail(
                ServiceError,
                f"{self.service}: the answer from {host} could not be read ({err.__class__.__name__}); "
                "try again later",
            )
        return self._fail(ServiceError, f"{self.service}: request failed ({err.__class__.__name__})")

    def _status_error(
        self, resp: requests.Response, retries: int, extra: str = "", expected: Iterable[int] = ()
    ) -> ProviderError:
        location = resp.headers.get("Location")
        if 300 <= resp.status_code < 400 and location:
            try:
                target = redact_url(urljoin(resp.url or "", location))
            except ValueError:
                target = repr(_one_line(location, 80))
            if target == redact_url(resp.url or ""):
                return self._fail(
                    ProviderError,
                    f"{self.service}: the endpoint redirected to {target} ({resp.status_code}), the URL it was "
                    "asked: a redirect loop; check the endpoint URL and any proxy between you and the service "
                    "(redirects are not followed)",
                )
            try:
                elsewhere = urlsplit(target).hostname != urlsplit(resp.url or "").hostname
                downgrade = urlsplit(resp.url or "").scheme == "https" and urlsplit(target).scheme == "http"
            except ValueError:
                elsewhere, downgrade = True, False
            if downgrade:  # "use that URL" would have people send the key unencrypted
                host = ", another host" if elsewhere else ""
                return self._fail(
                    ProviderError,
                    f"{self.service}: the endpoint redirected from https:// to plain http:// ({target}, "
                    f"{resp.status_code}{host}); redirects are not followed, so the key was not sent unencrypted: "
                    "keep the https:// endpoint, and check the endpoint URL and any proxy between you and the "
                    "service",
                )
            if elsewhere:  # another host: the service's new address, or a network's sign-in page
                return self._fail(
                    ProviderError,
                    f"{self.service}: the endpoint redirected to {target} ({resp.status_code}), another host; "
                    "redirects are not followed, so the key was not sent there: use that URL as the endpoint if "
                    "it is the service's, or, if it is a sign-in page (hotel or office Wi-Fi), sign in to the "
                    "network first",
                )
            return self._fail(
                ProviderError,
                f"{self.service}: the endpoint redirected to {target} ({resp.status_code}); use that URL as the "
                "endpoint (redirects are not followed, so the key is not sent elsewhere)",
            )
        detail = error_detail(resp.content)
        wanted = sorted(expected)
        err: ProviderError
        if resp.status_code < 400 and wanted:  # a 200 where 202 belongs...: not this API's answer
            said = f" ({detail})" if detail else ""
            err = ServiceError(
                f"{self.service} answered {resp.status_code}{said} where the API answers "
                f"{' or '.join(str(w) for w in wanted)}; check the endpoint and the API version"
            )
        else:
            # a gateway answering a gRPC error with the catch-all 400 or 500 its code does not map to
            # (400 for UNAUTHENTICATED, 500 for RESOURCE_EXHAUSTED): the code says what to do. A more
            # particular status (413, 404...) says more than a code and is kept.
            meant = grpc_status(resp.content) if resp.status_code in (400, 500) else None
            err = status_error(
                self.service, meant or resp.status_code, detail, self.hints, retries, shown=resp.status_code
            )
            if isinstance(err, RequestRejected) and detail.startswith("a web page"):
                # a page, not the API's error JSON: what answered is not the service
                said = f" ({resp.status_code}: {detail})"
                err = RequestRejected(
                    f"{self.service} rejected the request{said}; check the endpoint: a proxy, a login page or "
                    "a wrong URL answered instead of the service"
                )
        rid = request_id_of(resp)
        message = str(err) + extra + (f" [request id {rid}]" if rid else "")
        return type(err)(self.scrub(message))

    def poll(
        self,
        fetch: Callable[[], requests.Response],
        interpret: Callable[[requests.Response], PollStatus],
        *,
        cancel: CancelToken,
        deadline: float | None,
        progress: ProgressCallback = no_progress,
        what: str = "the result",
        accepted: requests.Response | None = None,
    ) -> requests.Response:
        """Call ``fetch`` until ``interpret`` says done; waits between polls honour Retry-After.

        ``accepted``: the answer that accepted the work (Azure's 202); the first poll waits a poll
        interval after it, or its Retry-After when it gives one, rather than asking at once for
        what cannot be ready (Azure's guidance is 1-2 s between calls; its free tier allows 20 a
        minute).

        Raises ServiceError when the operation failed, ProviderTimeout past the deadline and
        Cancelled (promptly, even mid-wait) when the token is cancelled.
        """
        started = self.timing.monotonic()
        if deadline is None:  # an operation that never finishes must still end
            deadline = self.deadline()
        if accepted is not None:
            retry_after = parse_retry_after(accepted.headers.get("Retry-After"), self.timing.wall())
            wait = min(self.policy.poll_delay(1, retry_after, self.rng), max(0.0, self._remaining(deadline)))
            progress(None, f"accepted by {self.service}: asking for {what} in {wait:.1f} s")
            self._sleep(wait, cancel)
        n = 0
        while True:
            cancel.raise_if_cancelled()
            if n and self._remaining(deadline) <= 0:  # waited out the time left: said as a poll
                raise self._fail(
                    ProviderTimeout,
                    f"{self.service}: {what} was still not ready after "
                    f"{seconds_text(self.policy.total_timeout)} ({n} polls); "
                    f"{self._raise_hint('http.total_timeout')}",
                )
            n += 1
            resp = fetch()
            status = interpret(resp)
            if status.state == "succeeded":
                return resp
            if status.state == "failed":
                reason = status.reason or "the service gave no reason"
                hint = "" if ("; " in reason or "try again" in reason) else f"; {self.hints.failed}"
                raise self._fail(
                    status.error or ServiceError, f"{self.service}: recognition failed: {reason}{hint}"
                )
            retry_after = parse_retry_after(resp.headers.get("Retry-After"), self.timing.wall())
            delay = self.policy.poll_delay(n, retry_after, self.rng)
            remaining = self._remaining(deadline)
            if remaining <= 0:
                raise self._fail(
                    ProviderTimeout,
                    f"{self.service}: {what} was still not ready after "
                    f"{seconds_text(self.policy.total_timeout)} ({n} polls); "
                    f"{self._raise_hint('http.total_timeout')}",
                )
            elapsed = self.timing.monotonic() - started
            phase = f"queued at {self.service}" if status.queued else f"running at {self.service}"
            progress(None, f"{phase}: waiting for {what} (poll {n}, {elapsed:.0f} s)")
            self._sleep(min(delay, remaining), cancel)


class _BodyStalled(requests.exceptions.ReadTimeout):
    """The answer's status and headers came, then its body stopped for longer than the read timeout."""


class _BodyCut(requests.exceptions.ConnectionError):
    """The answer's status and headers came, then the connection ended before its body did."""


_CAUSES = (
    urllib3.exceptions.NameResolutionError,
    urllib3.exceptions.NewConnectionError,
    http.client.HTTPException,  # RemoteDisconnected, BadStatusLine, LineTooLong...
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


def _hung_up(err: BaseException) -> bool:
    """Whether the server closed the connection before any of its answer came (what a kept-alive
    connection the server has since closed gives), not a timeout or a broken answer."""
    if isinstance(err, (requests.exceptions.Timeout, requests.exceptions.SSLError, _BodyCut)):
        return False
    return isinstance(
        _transport_cause(err),
        (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError),
    )


def _transport_cause(err: BaseException) -> BaseException | None:
    """What went wrong under a requests error: a NameResolutionError, a NewConnectionError, or the
    http.client error of a server that hung up or did not speak HTTP."""
    seen = 0
    current: BaseException | None = err
    while current is not None and seen < 10:
        seen += 1
        if isinstance(current, _CAUSES):
            return current
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
            continue
        args = getattr(current, "args", ())
        nested = next((a for a in args if isinstance(a, BaseException)), None)
        current = nested or current.__cause__ or current.__context__
    return None


#: OpenSSL's verify codes for a certificate no authority this computer trusts has signed
_UNTRUSTED_CODES = frozenset({2, 18, 19, 20, 21})
_EXPIRED_CODES = frozenset({9, 10})  # not yet valid, expired
_WRONG_HOST_CODES = frozenset({62, 64})  # host name, IP address mismatch


def _ssl_cause(err: BaseException) -> ssl.SSLError | None:
    """The ssl module's error under a requests/urllib3 one (each wraps the next in args or a reason)."""
    seen = 0
    current: BaseException | None = err
    while current is not None and seen < 10:
        seen += 1
        if isinstance(current, ssl.SSLError):
            return current
        reason = getattr(current, "reason", None)
        nested = reason if isinstance(reason, BaseException) else None
        nested = nested or next(
            (a for a in getattr(current, "args", ()) if isinstance(a, BaseException)), None
        )
        current = nested or current.__cause__ or current.__context__
    return None


def tls_failure(err: BaseException, host: str) -> str:
    """What a failed TLS handshake with ``host`` means for a person, and what to do, in one line:
    a certificate no trusted authority signed (a company proxy that re-signs traffic, a self-signed
    gateway), one for another host, an expired one, or no TLS at all (an http:// server)."""
    cause = _ssl_cause(err)
    if isinstance(cause, ssl.SSLCertVerificationError):
        code = getattr(cause, "verify_code", None)
        said = str(getattr(cause, "verify_message", "") or cause.reason or "refused")
        said = _one_line(said, 100).rstrip(".")
        if code in _UNTRUSTED_CODES:
            return (
                f"the certificate of {host} is not trusted ({said}); check the endpoint URL. If a proxy or "
                "gateway you trust signs it (a company network does), save its CA certificate as a PEM "
                f"file and give its path as {CA_BUNDLE_SETTING} in the settings (or set REQUESTS_CA_BUNDLE to "
                "it before starting ocrviewer)"
            )
        if code in _EXPIRED_CODES:
            return (
                f"the certificate of {host} is out of date ({said}); check the computer's date and time, "
                "and the endpoint URL"
            )
        if code in _WRONG_HOST_CODES:
            return (
                f"the certificate of {host} was issued for another host ({said}); check the endpoint URL "
                "(use the host name the service gives, not an address)"
            )
        return f"the certificate of {host} was refused ({said}); check the endpoint URL and any proxy"
    reason = getattr(cause, "reason", None) if cause is not None else None
    said = f": {_one_line(str(reason), 60)}" if reason else ""
    return (
        f"the secure connection to {host} failed (TLS{said}); check the endpoint URL (an http:// server "
        "does not speak https://) and any proxy between you and the service"
    )


#: answers at least this big (or of unknown size) get a "downloading" progress note
DOWNLOAD_NOTE_BYTES = 32 * 1024


def _size_text(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


def request_id_of(resp: requests.Response) -> str | None:
    """The service's request id from the response headers, if any."""
    for name in ("x-request-id", "apim-request-id", "x-ms-request-id", "x-client-request-id"):
        value = resp.headers.get(name)
        if value:
            return value
    return None


#: gate(method, url, cancel): returns when the request may go (raises Cancelled when cancelled)
RequestGate = Callable[[str, str, CancelToken], None]


@dataclass(frozen=True)
class HttpConfig:
    """Injected under the ``http`` settings key: a policy and a timing (tests pass fakes), and a gate
    every request passes (a batch's rate limit)."""

    policy: RetryPolicy | None = None
    timing: Timing = field(default_factory=Timing)
    seed: int | None = None
    gate: RequestGate | None = None
    #: looks host names up instead of socket.getaddrinfo (a test's resolver it can hold or fail)
    resolve: Resolver | None = None


def make_client(
    service: str, settings: Mapping[str, Any], secrets: Iterable[str | None] = (), hints: Hints | None = None
) -> HttpClient:
    """A client for one recognition, configured from settings (``http.*`` numbers, ``http`` object)."""
    config = settings.get("http")
    if not isinstance(config, HttpConfig):
        config = HttpConfig()
    policy = config.policy or RetryPolicy.from_settings(settings)
    return HttpClient(
        ca_bundle=ca_bundle_of(settings),
        service=service,
        policy=policy,
        timing=config.timing,
        rng=random.Random(config.seed),
        hints=hints or Hints(),
        secrets=tuple(s for s in secrets if s),
        gate=config.gate,
        resolve=config.resolve,
    )


CA_BUNDLE_SETTING = "http.ca_bundle"


def ca_bundle_of(settings: Mapping[str, Any]) -> str | None:
    """The PEM file the ``http.ca_bundle`` setting names, or None when it is not set; ProviderError in one
    line when it names no file (a typo would otherwise be said as a TLS failure of the service)."""
    value = settings.get(CA_BUNDLE_SETTING)
    if value in (None, ""):
        return None
    from ocrviewer.providers.settings import settings_path

    path = os.path.expanduser(str(value))
    problem = ca_bundle_problem(path)
    if problem:
        raise ProviderError(
            f"the {CA_BUNDLE_SETTING} setting names {_one_line(path, 200)!r}, which {problem}; give the path of "
            f"a PEM file of CA certificates, or delete the setting in {settings_path()}"
        )
    return path


def ca_bundle_problem(path: str) -> str | None:
    """What is wrong with ``path`` as a PEM file of CA certificates ("is no file", "holds no PEM
    certificate"), or None. Checked before anything is sent (a wrong file would otherwise be said as a
    TLS failure of the service)."""
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        return "is no file"
    try:
        with open(path, "rb") as f:
            head = f.read(4 * 1024 * 1024)
    except OSError as err:
        return f"cannot be read ({_one_line(err.strerror or type(err).__name__, 60)})"
    if b"-----BEGIN CERTIFICATE-----" not in head:
        return "holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)"
    return None


_STATUS_KEYS = frozenset({"code", "message", "details", "requestId", "request_id", "error"})


def check_not_an_error(data: Any, service: str) -> None:
    """Raise ServiceError when a successful status carried an error body instead of a result
    (``{"code": 13, "message": ...}`` or ``{"error": {...}}``, for a list each item): said as the
    service's error, not as "a result ocrviewer cannot read"."""
    for item in data if isinstance(data, list) else [data]:
        if not isinstance(item, Mapping) or not item or not set(item) <= _STATUS_KEYS:
            continue
        if "message" in item or isinstance(item.get("error"), Mapping):
            detail = error_value_detail(item) or "no detail"
            raise ServiceError(
                f"{service} answered with an error instead of a result ({detail}); try again later"
            )


def document_of(data: Any, service: str) -> Document:
    """The Document of a service's decoded answer: an error body said as the service's error
    (:func:`check_not_an_error`), a result ocrviewer cannot read as a BadResponse saying what to do."""
    from ocrviewer.core import parsers

    check_not_an_error(data, service)
    try:
        return parsers.parse_response(data)
    except BadResponse as err:
        raise BadResponse(
            f"{service} answered with a result ocrviewer cannot read: {err}; try again later, and check the "
            "endpoint if it keeps happening"
        ) from err


def check_document(
    document: Document, service: str, expected: Iterable[str], endpoint_hint: str = "check the endpoint"
) -> Document:
    """``document`` if it is an answer of the kind ``service`` gives; else BadResponse in one line.

    A 200 carrying another API's JSON (a wrong endpoint or path, a proxy's canned answer) parses as
    that API's result and would land as an empty or foreign result; and an answer every element of
    which was skipped (nulls where the polygons belong) would land as "0 words", said as a success.
    """
    wanted = set(expected)
    if document.source_format not in wanted:
        from ocrviewer.core import parsers

        named = parsers.FORMATS.get(document.source_format, document.source_format)
        raise BadResponse(
            f"{service} answered with another API's result ({_one_line(named, 100)}), not its own; "
            f"{endpoint_hint}"
        )
    if not document.pages:  # a blank image is still one page: none at all is no result
        raise BadResponse(
            f"{service} answered with a result holding no page at all (its list of pages is empty or missing); "
            f"try again later, and {endpoint_hint} if it keeps happening"
        )
    counts = document.counts()
    if document.warnings and not any(counts.get(kind) for kind in ("word", "line", "table")):
        raise BadResponse(
            f"{service} answered with a result ocrviewer cannot read: every line and word was unusable "
            f"({_one_line(document.warnings[0], 120)}); try again later, and {endpoint_hint} if it keeps "
            "happening"
        )
    return document


def decode_raw(raw: bytes, suffix: str, service: str) -> Any:
    """The JSON value of a raw response: a dict, or a list of dicts for JSON Lines (``.jsonl``)."""
    if suffix == ".jsonl":
        if html_title(raw) is not None:
            parse_json(raw, service, "result")  # raises: a web page, named by its title
        from ocrviewer.core.parsers import json_values

        values = json_values(raw)
        if values is not None:
            if len(values) == 1 and isinstance(values[0], list):  # the pages as one JSON array
                values = values[0]
            if values:
                return values
        items = []  # one of them is broken: said line by line
        for n, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                items.append(parse_json(line, service, f"result line {n}"))
        if not items:
            raise BadResponse(f"{service} sent an empty result; try again later")
        return items
    return parse_json(raw, service)


INSECURE_SETTING = "http.allow_insecure"


def check_endpoint(
    url: str, what: str, settings: Mapping[str, Any] | None = None, api_paths: Iterable[str] = ()
) -> str:
    """A base URL without its trailing slash; ProviderError naming ``what`` if it is not http(s), or
    if it is plain ``http://`` to a host other than this machine (keys would travel unencrypted)
    and the ``http.allow_insecure`` setting (``--allow-insecure-http``) does not say to go ahead.

    An endpoint pasted with the API's own path (``https://NAME.cognitiveservices.azure.com/vision/
    v3.2/read/analyze?language=en``) is cut where the first of ``api_paths`` begins, query and all:
    the provider adds the path it means. A path before it (a gateway's prefix) is kept."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError as err:
        shown = re.sub(r"//[^/]*@", "//***@", _one_line(url, 120))  # no user:password in the message
        raise ProviderError(f"{what} {shown!r} is not a URL ({err})") from None
    lowered = parts.path.lower()
    cuts = [i for i in (lowered.find(p.lower()) for p in api_paths) if i >= 0]
    path = parts.path[: min(cuts)] if cuts else parts.path
    if cuts or "?" in url or "#" in url:  # nothing after the base is the API's
        url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    url = url.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProviderError(f"{what} {redact_url(url)!r} is not an http(s) URL")
    insisted = settings is not None and _as_bool(settings.get(INSECURE_SETTING))
    if parts.scheme == "http" and not insisted and not _is_loopback(parts.hostname or ""):
        raise ProviderError(
            f"{what} {redact_url(url)} is plain http://, so keys would travel unencrypted; use https:// or pass "
            "--allow-insecure-http"
        )
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
