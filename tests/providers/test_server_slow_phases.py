"""The phases of a request before any answer comes, against loopback listeners that stall in them:
a connection the listener never takes (its queue is full, as a host whose firewall drops the
packets), and an https connection taken but never set up (the server says nothing, so the TLS
handshake never ends). Cancel and the run's deadline must end each at once; the connect timeout
ends it in one line naming the setting. The same through a proxy (HTTPS_PROXY...) that stalls, and a
proxy refusing the way through says what it answered. Also: an https endpoint redirecting to plain
http, a Yandex operation that ended with an error that is not an object, an error body nested deeper
than Python's JSON reader goes, and a gRPC code under a gateway's catch-all 400 or 500.

Before (session 10's sweep): Cancel and the deadline waited out the whole connect timeout in both
phases (10 s by default; 20 s in these tests), and the TLS phase was said as "did not answer within
READ_TIMEOUT" naming http.read_timeout, though the connect timeout had held it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from ocrviewer.errors import (
    AuthError,
    Cancelled,
    ProviderError,
    ProviderTimeout,
    QuotaError,
    RequestRejected,
    ServiceError,
)
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
from ocrviewer.providers.settings import save_settings, settings_path
from tests.support.cli import run
from tests.support.tls import make_certificate, server_context

from .conftest import FakeClock, with_keys
from .faults import PROXY_VARS, TEXTS, SilentListener, make, one_clear_line, recognize
from .servers import AZURE_KEY, YANDEX_KEY, FakeCloud, Reply

PROVIDERS = ["yandex", "azure-read"]
#: a service elsewhere: through a proxy its name is the proxy's to resolve (nothing leaves the machine)
REMOTE = "ocr.example.invalid"
#: long enough that a run reaching it fails the elapsed-time checks below
LONG = 20.0


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener()
    yield listener
    listener.close()


@pytest.fixture(autouse=True)
def _keys(env: dict[str, str]) -> None:
    """Every provider here has its key (what they meet is the stall, not a missing key)."""
    with_keys(env)


def aimed_at(url: str, name: str, creds, policy: RetryPolicy):  # noqa: ANN001, ANN201
    """Provider ``name`` whose endpoints are ``url``, in real time under ``policy``."""
    cloud = FakeCloud()  # (make wants one; nothing is sent to it)
    cloud.close()
    endpoints = {"yandex.ocr_endpoint": url, "yandex.operation_endpoint": url, "azure.endpoint": url}
    return make(name, cloud, None, creds, http=HttpConfig(policy=policy, timing=Timing()), **endpoints)


class Stall(NamedTuple):
    """Where a run stalls: the endpoint to aim at and what shows the run has reached the stall."""

    url: str
    #: set once the listener holds the run's connection (None: the connecting itself stalls)
    reached: threading.Event | None
    #: a plain http endpoint a long way off (through a proxy): allowed for the test's sake
    insecure: bool = False


#: the phases before any answer: a TLS handshake the server never answers, a connection the listener
#: never takes, and a proxy that never answers the CONNECT (https) or the request it forwards (http)
PHASES = ["tls-handshake", "connection-never-taken", "https-proxy-silent", "http-proxy-silent"]


@pytest.fixture
def stall(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Stall:
    """The stall named by the test's ``phase`` parameter."""
    phase = request.node.callspec.params["phase"]
    if phase == "connection-never-taken":
        return Stall(request.getfixturevalue("full_listener"), None)
    silent: SilentListener = request.getfixturevalue("silent")
    if phase == "tls-handshake":
        return Stall(f"https://127.0.0.1:{silent.port}", silent.accepted)
    through_proxy(monkeypatch, silent.port)
    scheme = phase.split("-")[0]
    return Stall(f"{scheme}://{REMOTE}", silent.accepted, insecure=scheme == "http")


def connecting(thread: int) -> bool:
    """``thread`` is inside the connecting (nothing else shows it: the full listener drops the SYN)."""
    frame = sys._current_frames().get(thread)
    while frame is not None:
        if frame.f_code.co_name == "_connect_watched":
            return True
        frame = frame.f_back
    return False


def cancel_once_reached(stall: Stall) -> CancelToken:
    """A token cancelled from another thread once the run is held in the stall (within 60 s)."""
    cancel = CancelToken()
    runner = threading.get_ident()

    def watch() -> None:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if stall.reached.wait(0.01) if stall.reached is not None else connecting(runner):
                cancel.cancel()
                return

    threading.Thread(target=watch, daemon=True).start()
    return cancel


@pytest.mark.parametrize("name", PROVIDERS)
@pytest.mark.parametrize("phase", PHASES)
def test_cancel_ends_a_run_stalled_before_any_answer_at_once(
    phase: str, name: str, photo: Path, stall: Stall, creds
) -> None:  # noqa: ANN001
    """Before: Cancel waited out the whole connect (or, through a proxy, read) timeout: 20 s here,
    10 s (60 s) by default. Through a proxy the connections were urllib3's own, out of the watchdog's
    reach."""
    policy = RetryPolicy(connect_timeout=LONG, read_timeout=LONG, total_timeout=300.0)
    p = aimed_at(stall.url, name, creds, policy)
    if stall.insecure:
        p.settings["http.allow_insecure"] = True
    cancel = cancel_once_reached(stall)
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        recognize(p, photo, cancel)
    assert time.monotonic() - t0 < LONG / 2


@pytest.mark.parametrize("name", PROVIDERS)
@pytest.mark.parametrize("phase", ["tls-handshake", "connection-never-taken"])
def test_a_run_stalled_before_any_answer_ends_at_the_deadline_not_the_connect_timeout(
    phase: str, name: str, photo: Path, stall: Stall, creds
) -> None:  # noqa: ANN001
    policy = RetryPolicy(connect_timeout=LONG, read_timeout=LONG, total_timeout=1.0)
    p = aimed_at(stall.url, name, creds, policy)
    t0 = time.monotonic()
    with pytest.raises(ProviderTimeout) as info:
        recognize(p, photo)
    assert time.monotonic() - t0 < LONG / 2
    one_clear_line(info.value, "did not finish within 1 s", "raise http.total_timeout")


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_tls_handshake_the_server_never_answers_is_said_as_such(
    name: str, photo: Path, silent: SilentListener, creds
) -> None:  # noqa: ANN001
    """The connect timeout holds the handshake: it is the setting named, with its time."""
    policy = RetryPolicy(connect_timeout=1.0, read_timeout=LONG, total_timeout=300.0)
    p = aimed_at(f"https://127.0.0.1:{silent.port}", name, creds, policy)
    with pytest.raises(ProviderTimeout) as info:
        recognize(p, photo)
    message = one_clear_line(
        info.value,
        f"127.0.0.1:{silent.port} took the connection but did not set up the secure (TLS) connection within 1 s",
        "the service's https port",
        f"raise http.connect_timeout in {settings_path()}",
    )
    assert "read_timeout" not in message and f"{LONG:.0f} s" not in message


# --------------------------------------------------------------------------- the command line


def test_the_command_line_says_a_stalled_tls_handshake_in_one_line_and_keeps_the_earlier_response(
    tmp_path: Path, silent: SilentListener, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    from tests.support.images import make_text_image

    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", AZURE_KEY)
    save_settings({"http.connect_timeout": 1, "http.read_timeout": LONG, "http.total_timeout": 300})
    photo = make_text_image(tmp_path / "photo.jpg")
    out = tmp_path / "photo.json"
    out.write_bytes(b'{"kept": 1}')
    url = f"https://127.0.0.1:{silent.port}"
    t0 = time.monotonic()
    code, stdout, err = run(
        capsys, "recognize", photo, "-p", "azure-read", "--endpoint", url, "-o", out, "--fresh"
    )
    assert code == 1 and stdout == "" and time.monotonic() - t0 < LONG / 2
    lines = [ln for ln in err.splitlines() if ln.startswith("ocrviewer: error:")]
    assert len(lines) == 1, err
    assert "did not set up the secure (TLS) connection within 1 s" in lines[0], lines[0]
    assert "Traceback" not in err and AZURE_KEY not in err
    assert out.read_bytes() == b'{"kept": 1}'


# --------------------------------------------------------------------------- https -> http


@pytest.fixture
def tls_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    cert, key = make_certificate(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # trusted: the redirect is what is tested
    server = FakeCloud(running_polls=1, texts=TEXTS, tls=server_context(cert, key))
    yield server
    server.close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize(
    ("name", "path"), [("yandex", "/ocr/v1/recognizeText"), ("azure-read", "/vision/v3.2/read/analyze")]
)
def test_a_redirect_from_https_to_plain_http_keeps_the_key_and_says_keep_https(
    name: str, path: str, status: int, photo: Path, tls_cloud: FakeCloud, cloud: FakeCloud, creds
) -> None:  # noqa: ANN001
    """Before: "the endpoint redirected to http://...; use that URL as the endpoint": advice to send
    the key unencrypted."""
    plain = cloud.url + path  # a plain http listener the key must never reach
    tls_cloud.script("POST", path, Reply(status, b"", {"Location": plain}))
    endpoints = {"yandex.ocr_endpoint": tls_cloud.url, "azure.endpoint": tls_cloud.url}
    p = make(name, tls_cloud, FakeClock(), creds, **endpoints)
    with pytest.raises(ProviderError) as info:
        recognize(p, photo)
    message = one_clear_line(
        info.value, "from https:// to plain http://", "the key was not sent unencrypted", "keep the https://"
    )
    assert "use that URL" not in message
    assert cloud.requests == [] and len(tls_cloud.requests) == 1


# --------------------------------------------------------------------------- Yandex operations


@pytest.mark.parametrize("error", ["RESOURCE_EXHAUSTED: the folder's quota is used up", {"details": []}])
def test_a_yandex_operation_done_with_an_error_that_is_no_status_object_fails_at_once(
    error: object, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Before: the error, a string or an object without code and message, was taken for success and
    the result asked for until the time limit (2 min of polls, then "still not ready")."""
    cloud.script("GET", "/operations/", Reply(200, {"id": "x", "done": True, "error": error}))
    p = make("yandex-async", cloud, clock, creds)
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    message = one_clear_line(info.value, "recognition failed")
    if isinstance(error, str):
        assert error in message
    assert not any(r.path == "/ocr/v1/getRecognition" for r in cloud.requests)
    assert YANDEX_KEY not in message


# --------------------------------------------------------------------------- a proxy that stalls


def through_proxy(monkeypatch: pytest.MonkeyPatch, port: int) -> str:
    """Every proxy variable pointing at ``port`` (with a password), no NO_PROXY: the proxy's URL."""
    proxy = f"http://proxyuser:pr0xy-s3cret@127.0.0.1:{port}"
    for name in PROXY_VARS:
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return proxy


def no_proxy_password(message: str) -> None:
    assert "pr0xy-s3cret" not in message and "proxyuser" not in message


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_proxy_that_never_answers_its_connect_is_named(
    name: str, photo: Path, silent: SilentListener, creds, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """Before: "ocr.example.invalid did not answer within 1 s ... raise http.read_timeout": the
    service blamed, for the proxy's silence."""
    through_proxy(monkeypatch, silent.port)
    policy = RetryPolicy(connect_timeout=1.0, read_timeout=LONG, total_timeout=300.0)
    p = aimed_at(f"https://{REMOTE}", name, creds, policy)
    with pytest.raises(ProviderTimeout) as info:
        recognize(p, photo)
    message = one_clear_line(
        info.value,
        f"the proxy http://***@127.0.0.1:{silent.port} took the connection but did not open the way to {REMOTE} "
        "within 1 s",
        "HTTPS_PROXY",
        "NO_PROXY",
    )
    no_proxy_password(message)


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (
            b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="office"\r\n'
            b"Content-Length: 0\r\n\r\n",
            AuthError,
            ("asks for a user name and password", "407 Proxy Authentication Required", "USER:PASSWORD@"),
        ),
        (
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
            ServiceError,
            ("cannot get through the proxy", "(it answered 403 Forbidden)", "NO_PROXY"),
        ),
    ],
    ids=["407", "403"],
)
def test_a_proxy_refusing_the_connect_says_what_it_answered(
    answer: bytes,
    error: type,
    words: tuple[str, ...],
    photo: Path,
    creds,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # noqa: ANN001
    """Before: "cannot get through the proxy ...; check the proxy" whatever the proxy said: a proxy
    asking for a password was not told from one that is down."""
    proxy = SilentListener(answer)
    try:
        through_proxy(monkeypatch, proxy.port)
        p = aimed_at(f"https://{REMOTE}", "azure-read", creds, RetryPolicy(total_timeout=60.0))
        with pytest.raises(error) as info:
            recognize(p, photo)
    finally:
        proxy.close()
    no_proxy_password(one_clear_line(info.value, f"proxy http://***@127.0.0.1:{proxy.port}", *words))


# --------------------------------------------------------------------------- an error nested too deeply


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("name", "path", "body"),
    [
        ("yandex", "/ocr/v1/recognizeText", b'{"code": 3, "message": ' + _deep(5000) + b"}"),
        ("yandex", "/ocr/v1/recognizeText", b'{"code": 3, "message": "m", "details": ' + _deep(5000) + b"}"),
        (
            "azure-image-analysis",
            "/computervision/",
            b'{"error": {"code": "x", "message": ' + _deep(5000) + b"}}",
        ),
        ("azure-read", "/vision/v3.2/read/analyze", _deep(100_000)),
    ],
    ids=["yandex-message", "yandex-details", "image-analysis-error", "read-whole-body"],
)
def test_an_error_body_nested_too_deeply_is_one_line(
    name: str, path: str, body: bytes, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """A 400 whose JSON is nested deeper than Python's JSON reader goes. Before: the RecursionError
    went up unhandled (the command line and the window said 'unexpected error; please report it')."""
    cloud.script("POST", path, Reply(400, body))
    with pytest.raises(RequestRejected) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "rejected the request (400: an error nested too deeply to quote)")


# --------------------------------------------------------------------------- a gRPC code under a catch-all status


@pytest.mark.parametrize(
    ("status", "code", "error", "words"),
    [
        (400, 16, AuthError, ("refused the credentials (400: 16: m)", "IAM tokens expire")),
        (500, 8, QuotaError, ("quota or rate limit exceeded (500: 8: m)", "larger quota")),
        (500, 7, AuthError, ("denied access (500: 7: m)",)),
        (400, 3, RequestRejected, ("rejected the request (400: 3: m)",)),
        (413, 3, ServiceError, ("too large for the service (413: 3: m)",)),  # the status says more
    ],
    ids=["400-unauthenticated", "500-exhausted", "500-denied", "400-invalid", "413-invalid"],
)
def test_a_grpc_code_under_a_catch_all_status_decides_what_to_do(
    status: int,
    code: int,
    error: type,
    words: tuple[str, ...],
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
) -> None:  # noqa: ANN001
    """A gateway answering Yandex's google.rpc.Status with a catch-all 400 or 500 its code does not
    map to. Before: 400 + UNAUTHENTICATED said "rejected the request; check the model and the
    languages", and 500 + RESOURCE_EXHAUSTED "service error; try again later"."""
    cloud.script(
        "POST", "/ocr/v1/recognizeText", Reply(status, {"code": code, "message": "m", "details": []})
    )
    with pytest.raises(error) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    assert type(info.value) is error
    one_clear_line(info.value, *words)
