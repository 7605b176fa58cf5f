"""Every provider against faulty loopback servers: each fault ends, in time, in one line saying what
happened and what to do, with no secret in it; retries are bounded and Cancel is prompt.

Fake time (``FakeClock``) wherever only waits between attempts matter; real time, with generous
limits, where the wire itself is the point (a server that never answers). Nothing sleeps to
synchronize: tests wait for the server to have seen a request.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.errors import (
    AuthError,
    BadResponse,
    Cancelled,
    OcrViewerError,
    ProviderError,
    ProviderTimeout,
    QuotaError,
    ServiceError,
)
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing, parse_retry_after

from .conftest import FAST, FakeClock, provider_settings
from .faults import (
    READ_POLL,
    READ_POST,
    TEXTS,
    YANDEX_ASYNC,
    YANDEX_SYNC,
    free_port,
    make,
    one_clear_line,
    recognize,
    uploads,
)
from .servers import YANDEX_KEY, FakeCloud, Recorded, Reply

#: every provider here has its key (what the tests vary is the server)
pytestmark = pytest.mark.usefixtures("keys")

#: (provider, the path its image goes to)
UPLOADS = [("yandex", YANDEX_SYNC), ("azure-read", READ_POST)]
HTML_502 = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


# --------------------------------------------------------------------------- the network


@pytest.mark.parametrize("name", ["yandex", "yandex-async", "azure-read", "azure-image-analysis"])
def test_connection_refused_says_check_the_endpoint(
    name: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    url = f"http://127.0.0.1:{free_port()}"
    p = make(name, cloud, clock, creds, **{"yandex.ocr_endpoint": url, "azure.endpoint": url})
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "refused the connection", "check the endpoint")
    assert clock.sleeps == []  # an upload is not repeated


def test_a_host_that_does_not_resolve_says_check_the_endpoint_and_region(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    # .invalid never resolves (RFC 6761): a mistyped region in an endpoint looks like this
    p = make("azure-read", cloud, clock, creds, **{"azure.endpoint": "https://westeuropa.ocr-test.invalid"})
    t0 = time.monotonic()
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "cannot find the host westeuropa.ocr-test.invalid", "region", "endpoint")
    assert time.monotonic() - t0 < 60 and clock.sleeps == []


class RawServer:
    """A loopback listener that reads a request and answers with ``answer`` bytes as they are (not
    even HTTP, perhaps), then hangs up."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(30)
                try:
                    self._read_request(conn)
                    self.requests += 1
                    if self.answer:
                        conn.sendall(self.answer)
                    # hang up politely: closing with unread bytes would reset the connection and
                    # could drop the answer before the client reads it
                    conn.shutdown(socket.SHUT_WR)
                    while conn.recv(65536):
                        pass
                except OSError:
                    pass

    @staticmethod
    def _read_request(conn: socket.socket) -> None:
        """Read one whole request (headers, then Content-Length bytes of body)."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (b"", "closed the connection without answering"),
        (b"SSH-2.0-OpenSSH_9.2\r\n", "did not answer in HTTP (BadStatusLine); check the endpoint URL"),
        (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", "did not answer in HTTP"),  # TLS on an http:// URL
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 200_000 + b"\r\n\r\n", "did not answer in HTTP (LineTooLong)"),
    ],
    ids=["hangs-up", "not-http", "tls", "header-too-long"],
)
@pytest.mark.parametrize("name", ["yandex", "azure-read"])
def test_a_server_that_hangs_up_or_speaks_no_http_is_named_as_such(
    name: str, answer: bytes, words: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    raw = RawServer(answer)
    try:
        p = make(name, cloud, clock, creds, **{"yandex.ocr_endpoint": raw.url, "azure.endpoint": raw.url})
        with pytest.raises(ServiceError) as info:
            recognize(p, photo)
        message = one_clear_line(info.value, words)
        assert "cannot reach" not in message  # it was reached: it answered badly
        assert raw.requests == 1 and clock.sleeps == []  # the upload is not repeated
    finally:
        raw.close()


def _cancel_when(cloud: FakeCloud, seen: Callable[[Recorded], bool]) -> CancelToken:
    """A token cancelled from another thread as soon as the server has seen a matching request."""
    cancel = CancelToken()
    arrived = threading.Event()
    cloud.on_request = lambda rec: arrived.set() if seen(rec) else None
    threading.Thread(target=lambda: arrived.wait(60) and cancel.cancel(), daemon=True).start()
    return cancel


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {}, delay=600),  # accepts, never answers
        Reply(200, b"{" + b" " * 5000 + b"}", trickle=1.0),  # a byte a second
        Reply(200, head_trickle=1.0),  # even the status line a byte a second
    ],
    ids=["silent", "trickling-body", "trickling-headers"],
)
@pytest.mark.parametrize(("name", "path"), UPLOADS)
def test_cancel_ends_a_request_the_server_holds(
    name: str, path: str, reply: Reply, photo: Path, cloud: FakeCloud, creds
) -> None:  # noqa: ANN001
    """Real time with a 60 s read timeout and 300 s budget: Cancel must not wait for either."""
    cloud.script("POST", path, reply)
    policy = RetryPolicy(connect_timeout=10.0, read_timeout=60.0, total_timeout=300.0)
    p = make(name, cloud, None, creds, http=HttpConfig(policy=policy, timing=Timing()))
    cancel = _cancel_when(cloud, lambda rec: rec.method == "POST")
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        recognize(p, photo, cancel)
    assert time.monotonic() - t0 < 30  # well under the 60 s read timeout
    assert uploads(cloud, path) == 1


def test_cancel_ends_a_poll_the_server_holds(photo: Path, cloud: FakeCloud, creds) -> None:  # noqa: ANN001
    cloud.script("GET", READ_POLL, Reply(200, {"status": "running"}, delay=600))
    policy = RetryPolicy(read_timeout=60.0, total_timeout=300.0)
    p = make("azure-read", cloud, None, creds, http=HttpConfig(policy=policy, timing=Timing()))
    cancel = _cancel_when(cloud, lambda rec: rec.method == "GET")
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        recognize(p, photo, cancel)
    assert time.monotonic() - t0 < 30


def test_a_server_that_never_answers_ends_at_the_read_timeout(photo: Path, cloud: FakeCloud, creds) -> None:  # noqa: ANN001
    cloud.script("POST", YANDEX_SYNC, Reply(200, {}, delay=600))
    policy = RetryPolicy(connect_timeout=5.0, read_timeout=2.0, total_timeout=300.0)
    p = make("yandex", cloud, None, creds, http=HttpConfig(policy=policy, timing=Timing()))
    t0 = time.monotonic()
    with pytest.raises(ProviderTimeout) as info:
        recognize(p, photo)
    one_clear_line(info.value, "did not answer within 2", "try again later")
    assert time.monotonic() - t0 < 60 and uploads(cloud, YANDEX_SYNC) == 1


def test_closed_mid_body_is_one_line_and_the_upload_is_not_repeated(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", YANDEX_SYNC, Reply(200, {"result": {"textAnnotation": {}}}, cut=True))
    p = make("yandex", cloud, clock, creds)
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "was cut while it answered", "try again")
    assert uploads(cloud, YANDEX_SYNC) == 1


def test_a_poll_closed_mid_body_is_asked_again(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("GET", READ_POLL, Reply(200, {"status": "running"}, cut=True))
    result = recognize(make("azure-read", cloud, clock, creds), photo)
    assert [w.text for w in result.document.words()] == TEXTS


# --------------------------------------------------------------------------- what comes back


@pytest.mark.parametrize(("name", "path"), UPLOADS + [("azure-image-analysis", "/computervision/")])
def test_an_html_page_with_200_names_the_page_and_the_endpoint(
    name: str, path: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    page = Reply(200, HTML_502, {"Content-Type": "text/html"})
    if name == "azure-read":  # Read answers its upload with 202: the page comes at the poll
        cloud.script("GET", READ_POLL, page)
    else:
        cloud.script("POST", path, page)
    with pytest.raises(BadResponse) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "web page ('502 Bad Gateway')", "check the endpoint")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize(("name", "path"), UPLOADS)
def test_an_html_error_page_is_retried_then_named_by_its_title(
    name: str, path: str, status: int, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """A 503 says the upload was not acted on: it is sent again, a bounded number of times with a
    growing backoff. A 500, 502 or 504 may come after the service took the image (and billed it):
    the upload is not repeated, and the line says to try again."""
    cloud.script("POST", path, *[Reply(status, HTML_502, {"Content-Type": "text/html"})] * 10)
    with pytest.raises(ServiceError) as info:
        recognize(make(name, cloud, clock, creds), photo)
    message = one_clear_line(info.value, f"({status}: a web page: '502 Bad Gateway')", "try again later")
    assert "DOCTYPE" not in message
    if status == 503:
        assert "after 4 retries" in message
        assert uploads(cloud, path) == 5 and len(clock.sleeps) == 4
        assert clock.sleeps == sorted(clock.sleeps)  # backoff grows
    else:
        assert "retries" not in message
        assert uploads(cloud, path) == 1 and clock.sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize(("name", "path"), UPLOADS)
def test_a_passing_server_error_is_retried_and_the_run_succeeds(
    name: str, path: str, status: int, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """A passing 503 on the upload (not acted on: sent again) or a passing 5xx on any poll (a GET:
    safe to repeat) is retried after a backoff, and the run succeeds."""
    body = (
        {"code": 13, "message": "Internal"}
        if name == "yandex"
        else {"error": {"code": "InternalServerError"}}
    )
    cloud.script("POST", path, Reply(503, body))
    result = recognize(make(name, cloud, clock, creds), photo)
    assert [w.text for w in result.document.words()] == TEXTS
    assert uploads(cloud, path) == 2 and 0 < clock.sleeps[0] <= 30
    # the polls: the sync API has none, its async twin's stand in
    polls = [READ_POLL] if name == "azure-read" else ["/operations/", "/ocr/v1/getRecognition"]
    if name == "yandex":
        name, path = "yandex-async", YANDEX_ASYNC
    for poll in polls:
        cloud.script("GET", poll, Reply(status, body))
    clock.sleeps.clear()
    before = uploads(cloud, path)
    result = recognize(make(name, cloud, clock, creds), photo)
    assert [w.text for w in result.document.words()] == TEXTS
    assert 0 < clock.sleeps[0] <= 30 and uploads(cloud, path) == before + 1
    assert all(not replies for _, _, replies in cloud._scripts)  # every scripted fault was met


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"result": {"textAnnotation": {"width": "6', "not valid JSON"),
        (b"", "an empty response"),
        (b"\x00\x01garbage\xff", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),  # nesting deep enough to break a recursive parser
    ],
    ids=["truncated", "empty", "binary", "deep"],
)
def test_broken_json_is_one_line(
    body: bytes, words: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", YANDEX_SYNC, Reply(200, body))
    with pytest.raises(BadResponse) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    one_clear_line(info.value, "Yandex Vision OCR", words)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/html; charset=utf-8", "application/octet-stream"]
)
def test_a_wrong_content_type_on_good_json_is_read(
    content_type: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    p = make("yandex", cloud, clock, creds)
    good = recognize(p, photo).raw
    cloud.script("POST", YANDEX_SYNC, Reply(200, b"\xef\xbb\xbf" + good, {"Content-Type": content_type}))
    assert [w.text for w in recognize(p, photo).document.words()] == TEXTS  # (with a UTF-8 BOM, too)


def test_a_gzip_encoded_answer_is_read(photo: Path, cloud: FakeCloud, clock: FakeClock, creds) -> None:  # noqa: ANN001
    p = make("yandex", cloud, clock, creds)
    good = recognize(p, photo).raw
    cloud.script("POST", YANDEX_SYNC, Reply(200, gzip.compress(good), {"Content-Encoding": "gzip"}))
    result = recognize(p, photo)
    assert result.raw == good and [w.text for w in result.document.words()] == TEXTS


def test_a_body_that_is_not_the_gzip_it_claims_is_one_line(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", YANDEX_SYNC, Reply(200, b"plainly not gzip", {"Content-Encoding": "gzip"}))
    with pytest.raises(ServiceError) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    message = one_clear_line(info.value, "marked 'gzip' that cannot be decompressed")
    assert "cut" not in message and uploads(cloud, YANDEX_SYNC) == 1


def test_a_gzip_bomb_stops_at_the_size_cap(photo: Path, cloud: FakeCloud, clock: FakeClock, creds) -> None:  # noqa: ANN001
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # ~200 KB on the wire
    cloud.script("POST", YANDEX_SYNC, Reply(200, bomb, {"Content-Encoding": "gzip"}))
    policy = RetryPolicy(connect_timeout=10.0, read_timeout=30.0, max_body=2 * 1024 * 1024)
    p = make("yandex", cloud, clock, creds, http=HttpConfig(policy=policy, timing=clock.timing()))
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "more than 2 MB", "nothing was kept")


def test_a_huge_announced_body_is_refused_without_reading_it_all(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("GET", READ_POLL, Reply(200, endless=True))
    policy = RetryPolicy(connect_timeout=10.0, read_timeout=30.0, max_body=1024 * 1024)
    p = make("azure-read", cloud, clock, creds, http=HttpConfig(policy=policy, timing=clock.timing()))
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "more than 1 MB")
    assert sum(r.method == "GET" for r in cloud.requests) == 1  # a size refusal is not asked again


# --------------------------------------------------------------------------- what the services say


@pytest.mark.parametrize(
    ("name", "path", "status", "body", "err", "words"),
    [
        (
            "yandex",
            YANDEX_SYNC,
            401,
            {"code": 16, "message": "Unauthenticated", "details": []},
            AuthError,
            "check the key",
        ),
        (
            "yandex",
            YANDEX_SYNC,
            403,
            {
                "code": 7,
                "message": "Permission denied",
                "details": [{"@type": "type.googleapis.com/google.rpc.RequestInfo"}],
            },
            AuthError,
            "ai.vision.user role",
        ),
        (
            "azure-read",
            READ_POST,
            401,
            {
                "code": "401",
                "message": "Access denied due to invalid subscription key or wrong API endpoint.",
            },
            AuthError,
            "check the key",
        ),
        (
            "azure-read",
            READ_POST,
            403,
            {
                "error": {
                    "code": "403",
                    "message": "Out of call volume quota for ComputerVision F0 pricing tier.",
                }
            },
            AuthError,
            "Out of call volume quota for ComputerVision F0 pricing tier.); wait until the quota renews",
        ),
        (
            "azure-image-analysis",
            "/computervision/",
            401,
            {"error": {"code": "401", "message": "Access denied due to invalid subscription key."}},
            AuthError,
            "check the key",
        ),
        (
            "azure-read",
            READ_POST,
            404,
            {"error": {"code": "404", "message": "Resource not found"}},
            ServiceError,
            "check the endpoint",
        ),
        (
            "yandex",
            YANDEX_SYNC,
            404,
            b"<html><title>404 Not Found</title></html>",
            ServiceError,
            "'404 Not Found'",
        ),
    ],
)
def test_documented_error_bodies_say_what_to_do(
    name: str,
    path: str,
    status: int,
    body: Any,
    err: type[Exception],
    words: str,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
) -> None:  # noqa: ANN001
    cloud.script("POST", path, Reply(status, body, {"x-request-id": "rid-7"}))
    with pytest.raises(err) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, f"({status}", words, "rid-7")
    assert clock.sleeps == []


def test_a_wrong_path_in_the_endpoint_is_a_404_that_names_the_endpoint(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    p = make("azure-read", cloud, clock, creds, **{"azure.endpoint": cloud.url + "/westeurope"})
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "not found (404", "check the endpoint")


@pytest.mark.parametrize(("name", "path"), UPLOADS)
def test_429_without_retry_after_backs_off_then_says_quota(
    name: str, path: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", path, *[Reply(429, {"code": 8, "message": "Too many requests"})] * 10)
    with pytest.raises(QuotaError) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "rate limit", "after 4 retries")
    assert len(clock.sleeps) == 4 and clock.sleeps == sorted(clock.sleeps)
    assert all(0 < s <= RetryPolicy().backoff_max * 1.25 for s in clock.sleeps)


def test_429_retry_after_seconds_and_http_date_are_honoured(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    date = email.utils.formatdate(clock.wall_now + 40, usegmt=True)
    cloud.script(
        "POST",
        YANDEX_SYNC,
        Reply(429, {"code": 8, "message": "x"}, {"Retry-After": "7"}),
        Reply(429, {"code": 8, "message": "x"}, {"Retry-After": date}),
    )
    recognize(make("yandex", cloud, clock, creds), photo)
    assert clock.sleeps[0] == 7.0 and clock.sleeps[1] == pytest.approx(33, abs=2)  # the date, 7 s later


@pytest.mark.parametrize(
    "value",
    [
        "86400",
        "99999999999",
        "1e400",
        "inf",
        "-inf",
        "nan",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 99 Foo 2026 99:99:99 GMT",
        "soon",
        "-30",
        "0",
    ],
)
def test_an_absurd_retry_after_never_crashes_nor_waits_past_the_cap(
    value: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", YANDEX_SYNC, *[Reply(429, {"code": 8, "message": "x"}, {"Retry-After": value})] * 10)
    cap = RetryPolicy().retry_after_max
    with pytest.raises(QuotaError) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    message = one_clear_line(info.value, "rate limit")
    assert all(0 <= s <= cap for s in clock.sleeps) and sum(clock.sleeps) <= FAST.total_timeout
    asked = parse_retry_after(value, clock.wall_now)
    if asked is not None and asked > cap:  # said at once, in words a person reads
        assert clock.sleeps == [] and "longer than ocrviewer waits" in message
        assert "min" not in message.split("asks to wait", 1)[1].split(",")[0] or asked < 7200
    else:
        assert len(clock.sleeps) == 4


def test_a_retry_after_on_a_poll_is_honoured_up_to_the_cap(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script(
        "GET",
        READ_POLL,
        Reply(200, {"status": "running"}, {"Retry-After": "3"}),
        Reply(200, {"status": "running"}, {"Retry-After": "100000"}),
    )
    policy = RetryPolicy(total_timeout=600.0)
    recognize(
        make("azure-read", cloud, clock, creds, http=HttpConfig(policy=policy, timing=clock.timing())), photo
    )
    # (the first wait is the one after the 202, a poll interval: nothing can be ready at once)
    assert clock.sleeps[1:3] == [3.0, policy.retry_after_max]


def test_a_429_on_a_poll_is_retried(photo: Path, cloud: FakeCloud, clock: FakeClock, creds) -> None:  # noqa: ANN001
    cloud.script(
        "GET",
        READ_POLL,
        Reply(429, {"error": {"code": "429", "message": "Rate limit"}}, {"Retry-After": "2"}),
    )
    result = recognize(make("azure-read", cloud, clock, creds), photo)
    assert [w.text for w in result.document.words()] == TEXTS and 2.0 in clock.sleeps


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_loop_is_one_request_and_one_line(
    status: int, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", READ_POST, *[Reply(status, b"", {"Location": READ_POST})] * 50)
    with pytest.raises(ProviderError) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, f"redirected to {cloud.url}{READ_POST} ({status})", "not followed")
    assert len(cloud.requests) == 1


def test_a_redirecting_poll_is_not_followed(photo: Path, cloud: FakeCloud, clock: FakeClock, creds) -> None:  # noqa: ANN001
    other = FakeCloud()
    try:
        cloud.script("GET", READ_POLL, Reply(302, b"", {"Location": other.url + "/collect"}))
        with pytest.raises(ProviderError) as info:
            recognize(make("azure-read", cloud, clock, creds), photo)
        one_clear_line(info.value, "redirected", "the key is not sent elsewhere")
        assert other.requests == []
    finally:
        other.close()


# --------------------------------------------------------------------------- Azure's operation


def test_an_operation_that_never_finishes_ends_at_the_time_limit(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.running_polls = 10**9
    with pytest.raises(ProviderTimeout) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, "try again later")
    assert sum(clock.sleeps) == pytest.approx(FAST.total_timeout, abs=1)
    assert all(1.0 <= s <= RetryPolicy().poll_interval_max * 1.25 for s in clock.sleeps[:-1])  # no busy loop


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (
            {"status": "failed", "error": {"code": "InvalidImage", "message": "The image is corrupt"}},
            "InvalidImage: The image is corrupt",
        ),
        (
            {
                "status": "failed",
                "error": {
                    "code": "InternalServerError",
                    "message": "x",
                    "innererror": {"code": "Timeout", "message": "slow"},
                },
            },
            "(Timeout: slow)",
        ),
        ({"status": "failed"}, "gave no reason"),
        ({"status": "canceled"}, "unknown operation status 'canceled'"),
        ({"status": "Failed", "recognitionResult": None}, "gave no reason"),
    ],
)
def test_a_failed_operation_says_why_and_what_to_do(
    result: dict[str, Any], words: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("GET", READ_POLL, Reply(200, result))
    with pytest.raises(ServiceError) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, "recognition failed", words)


@pytest.mark.parametrize("location", [None, "", "   "])
def test_a_missing_operation_location_is_one_line(
    location: str | None, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    headers = {} if location is None else {"Operation-Location": location}
    cloud.script("POST", READ_POST, Reply(202, b"", headers))
    with pytest.raises(BadResponse) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, "no Operation-Location", "check the endpoint")
    assert len(cloud.requests) == 1


def test_a_relative_operation_location_is_polled_on_the_endpoint(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    p = make("azure-read", cloud, clock, creds)
    recognize(p, photo)  # a real operation to point at
    op_id = next(iter(cloud.operations))
    cloud.operations[op_id].polls_left = 1
    cloud.script("POST", READ_POST, Reply(202, b"", {"Operation-Location": f"analyzeResults/{op_id}"}))
    result = recognize(p, photo)
    assert [w.text for w in result.document.words()] == TEXTS
    assert cloud.requests[-1].path == f"{READ_POLL}{op_id}"


def test_an_operation_the_service_no_longer_knows_says_run_again(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", READ_POST, Reply(202, b"", {"Operation-Location": f"{cloud.url}{READ_POLL}gone"}))
    with pytest.raises(ServiceError) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, "not found", "run the recognition again")
    assert len(clock.sleeps) == 1  # the wait after the 202; the 404 is not asked again


# --------------------------------------------------------------------------- Yandex's operation


@pytest.mark.parametrize(
    ("error", "err", "words"),
    [
        ({"code": 16, "message": "Unauthenticated", "details": []}, AuthError, "check the key"),
        ({"code": "UNAUTHENTICATED", "message": "token expired"}, AuthError, "IAM tokens expire"),
        ({"code": 7, "message": "Permission denied"}, AuthError, "ai.vision.user"),
        (
            {
                "code": 8,
                "message": "Quota exceeded",
                "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure"}],
            },
            QuotaError,
            "quota",
        ),
        (
            {"code": 3, "message": "Invalid image"},
            ServiceError,
            "check the image, the model and the languages",
        ),
        ({"code": 13, "message": "Internal"}, ServiceError, "try again later"),
        ({"code": 99, "message": "Strange"}, ServiceError, "99: Strange"),
        ({"message": "no code at all"}, ServiceError, "no code at all"),
    ],
)
@pytest.mark.parametrize("when", ["accepted", "polled"])
def test_yandex_operation_errors_become_the_matching_error(
    error: dict[str, Any],
    err: type[Exception],
    words: str,
    when: str,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
) -> None:  # noqa: ANN001
    failed = {"id": "op1", "done": True, "error": error}
    if when == "accepted":
        cloud.script("POST", YANDEX_ASYNC, Reply(200, failed))
    else:
        cloud.script("GET", "/operations/", Reply(200, failed))
    with pytest.raises(err) as info:
        recognize(make("yandex-async", cloud, clock, creds), photo)
    one_clear_line(info.value, "recognition failed", words)
    assert not any(r.path == "/ocr/v1/getRecognition" for r in cloud.requests)


@pytest.mark.parametrize(
    ("reply", "err", "words"),
    [
        (
            Reply(404, {"code": 5, "message": "Operation not found", "details": []}),
            ServiceError,
            "run the recognition again",
        ),
        (Reply(200, HTML_502, {"Content-Type": "text/html"}), BadResponse, "web page ('502 Bad Gateway')"),
        (Reply(200, b'{"result": {"textAnnotation": {"wid'), BadResponse, "not valid JSON"),
        (Reply(403, {"code": 7, "message": "Permission denied"}), AuthError, "role"),
    ],
)
def test_yandex_get_recognition_faults(
    reply: Reply,
    err: type[Exception],
    words: str,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
) -> None:  # noqa: ANN001
    cloud.running_polls = 0
    cloud.script("GET", "/ocr/v1/getRecognition", reply)
    with pytest.raises(err) as info:
        recognize(make("yandex-async", cloud, clock, creds), photo)
    one_clear_line(info.value, words)


def test_a_yandex_result_that_is_never_ready_ends_at_the_time_limit(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.running_polls = 0
    not_ready = Reply(404, {"code": 5, "message": "operation data is not ready", "details": []})
    cloud.script("GET", "/ocr/v1/getRecognition", *[not_ready] * 1000)
    with pytest.raises(ProviderTimeout) as info:
        recognize(make("yandex-async", cloud, clock, creds), photo)
    one_clear_line(info.value, "try again later")
    assert sum(clock.sleeps) == pytest.approx(FAST.total_timeout, abs=1)


@pytest.mark.parametrize("answer", [{"done": False}, [1, 2], {"id": {"nested": 1}, "done": False}])
def test_yandex_async_without_a_usable_operation_id_is_one_line(
    answer: Any, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", YANDEX_ASYNC, Reply(200, answer))
    with pytest.raises(BadResponse) as info:
        recognize(make("yandex-async", cloud, clock, creds), photo)
    one_clear_line(info.value, "without an operation id", "check the Yandex OCR endpoint")


# --------------------------------------------------------------------------- secrets


def test_no_fault_puts_the_key_in_a_message_or_the_log(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    """Servers that echo the key back in every place an error is read from."""
    caplog.set_level("DEBUG")
    echoes = [
        (YANDEX_SYNC, [Reply(401, {"code": 16, "message": f"bad key {YANDEX_KEY}"})], "bad key ***"),
        (
            YANDEX_SYNC,
            [Reply(200, f"<html><title>Denied {YANDEX_KEY}</title></html>".encode())],
            "Denied ***",
        ),
        (YANDEX_SYNC, [Reply(200, f'{{"broken {YANDEX_KEY}'.encode())], "not valid JSON"),
        (YANDEX_SYNC, [Reply(302, b"", {"Location": f"https://elsewhere.example/{YANDEX_KEY}"})], "/***"),
        (YANDEX_SYNC, [Reply(503, f"oops {YANDEX_KEY}".encode())] * 5, "oops ***"),
        (YANDEX_SYNC, [Reply(500, f"oops {YANDEX_KEY}".encode())], "oops ***"),
        (YANDEX_ASYNC, [Reply(200, f"<title>{YANDEX_KEY}</title>".encode())], "web page ('***')"),
        (
            "/operations/",
            [Reply(200, {"done": True, "error": {"code": 16, "message": f"key {YANDEX_KEY} revoked"}})],
            "key *** revoked",
        ),
    ]
    for path, replies, said in echoes:
        cloud.script("GET" if path.startswith("/operations") else "POST", path, *replies)
        p = make("yandex-async" if path != YANDEX_SYNC else "yandex", cloud, clock, creds)
        with pytest.raises(OcrViewerError) as info:
            recognize(p, photo)
        assert YANDEX_KEY not in str(info.value) and said in str(info.value), str(info.value)
        assert all(not replies for _, _, replies in cloud._scripts)  # each case got its own faults
    assert YANDEX_KEY not in caplog.text


# --------------------------------------------------------------------------- batches


def _run_yandex_batch(tmp_path: Path, scans: int, settings):  # noqa: ANN001, ANN202
    """A real batch of ``scans`` generated scans through the Yandex provider (one job, no cache)."""
    from ocrviewer.core.sources import open_source
    from ocrviewer.providers.batch import RateLimit, prepare_batch, run_batch
    from tests.support.documents import make_scan

    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(1, scans + 1):
        make_scan(folder / f"scan{i}.png", words=1 + i % 3, size=(400 + 10 * i, 200))
    plan = prepare_batch(
        open_source(folder), tmp_path / "out", "yandex", {}, settings, rate=RateLimit(1000.0), use_cache=False
    )
    return run_batch(plan, settings, jobs=1, use_cache=False)


def test_a_batch_records_each_fault_and_goes_on(
    tmp_path: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    faults = iter(
        [
            Reply(200, HTML_502),
            Reply(200, b'{"cut'),
            Reply(400, {"code": 3, "message": "Invalid argument"}),
        ]
    )
    seen: list[str] = []

    def fault_for_some(rec: Recorded) -> None:
        if rec.method == "POST" and len(seen) < 3:
            seen.append(rec.path)
            cloud.script("POST", YANDEX_SYNC, next(faults))

    cloud.on_request = fault_for_some
    report = _run_yandex_batch(tmp_path, 6, provider_settings(cloud, clock, creds))
    failed = [r for r in report.records if r.status == "failed"]
    assert len(report.records) == 6 and len(failed) == 3 and report.stopped is None
    for r in failed:
        assert r.reason and "\n" not in r.reason and YANDEX_KEY not in r.reason
    assert {"web page ('502 Bad Gateway')", "not valid JSON", "Invalid argument"} == {
        next(
            w for w in ("web page ('502 Bad Gateway')", "not valid JSON", "Invalid argument") if w in r.reason
        )
        for r in failed
    }
    lines = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    assert sorted(line["status"] for line in lines) == ["done"] * 3 + ["failed"] * 3


def test_an_unexpected_error_in_one_input_is_recorded_and_the_batch_goes_on(
    tmp_path: Path, cloud: FakeCloud, clock: FakeClock, creds, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    from ocrviewer.providers import yandex

    real = yandex.document_of_raw
    calls = []

    def flaky(raw: bytes, suffix: str, service: str):  # noqa: ANN202
        calls.append(1)
        if len(calls) == 2:
            raise KeyError(f"a bug that mentions {YANDEX_KEY}")
        return real(raw, suffix, service)

    monkeypatch.setattr(yandex, "document_of_raw", flaky)
    report = _run_yandex_batch(tmp_path, 4, provider_settings(cloud, clock, creds))
    assert [r.status for r in report.records].count("done") == 3
    (bad,) = [r for r in report.records if r.status == "failed"]
    assert (
        bad.reason is not None
        and "unexpected error (KeyError" in bad.reason
        and "please report it" in bad.reason
    )
    assert YANDEX_KEY not in bad.reason


def test_a_2xx_the_api_never_sends_is_not_called_a_rejection(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Read answers an upload with 202; a 200 (a login page, another API) means a wrong endpoint."""
    cloud.script("POST", READ_POST, Reply(200, b"<html><title>Sign in to your account</title></html>"))
    with pytest.raises(ServiceError) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    message = one_clear_line(
        info.value, "answered 200 (a web page: 'Sign in to your account') where the API answers 202"
    )
    assert "check the endpoint" in message and "rejected" not in message


def test_a_4xx_web_page_points_at_the_endpoint(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", YANDEX_SYNC, Reply(400, b"<html><head><title>400 Bad Request</title></head></html>"))
    with pytest.raises(ProviderError) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    one_clear_line(info.value, "(400: a web page: '400 Bad Request')", "check the endpoint")


def test_a_poll_without_a_deadline_still_ends(cloud: FakeCloud, clock: FakeClock) -> None:
    """``HttpClient.poll`` called without a deadline (any caller but the providers) ends at the total time."""
    import random

    from ocrviewer.providers.http import RUNNING, HttpClient

    c = HttpClient(service="Fake OCR", policy=FAST, timing=clock.timing(), rng=random.Random(1))
    with pytest.raises(ProviderTimeout):
        c.poll(
            lambda: c.send("GET", cloud.url + "/op", ok=(404,), cancel=CancelToken()),
            lambda r: RUNNING,
            cancel=CancelToken(),
            deadline=None,
        )
    assert sum(clock.sleeps) == pytest.approx(FAST.total_timeout, abs=1)


@pytest.mark.parametrize(
    ("name", "path", "body"),
    [
        ("yandex", YANDEX_SYNC, {"code": 13, "message": "Internal error", "details": []}),
        (
            "azure-image-analysis",
            "/computervision/",
            {"error": {"code": "InternalServerError", "message": "Internal error"}},
        ),
    ],
)
def test_an_error_body_sent_with_200_is_said_as_the_services_error(
    name: str, path: str, body: Any, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("POST", path, Reply(200, body))
    with pytest.raises(ServiceError) as info:
        recognize(make(name, cloud, clock, creds), photo)
    message = one_clear_line(info.value, "answered with an error instead of a result", "Internal error")
    assert "cannot read" not in message


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize("body", ["zlib", "raw"])
def test_a_deflate_encoded_answer_is_read(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, body
) -> None:  # noqa: ANN001
    """'deflate' is zlib-wrapped by the standard, raw deflate by some servers: both are read."""
    p = make("yandex", cloud, clock, creds)
    good = recognize(p, photo).raw
    sent = zlib.compress(good) if body == "zlib" else _raw_deflate(good)
    cloud.script("POST", YANDEX_SYNC, Reply(200, sent, {"Content-Encoding": "deflate"}))
    result = recognize(p, photo)
    assert result.raw == good and [w.text for w in result.document.words()] == TEXTS


@pytest.mark.parametrize("text", [b"plainly not deflate", b"{}"])
def test_a_plain_body_marked_deflate_names_the_encoding(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, text: bytes
) -> None:  # noqa: ANN001
    """A plain body marked 'Content-Encoding: deflate' was called 'not valid JSON' (urllib3 had
    decoded it as raw deflate into bytes nobody sent)."""
    cloud.script("POST", YANDEX_SYNC, Reply(200, text, {"Content-Encoding": "deflate"}))
    with pytest.raises(ServiceError) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    message = one_clear_line(info.value, "marked 'deflate' that cannot be decompressed")
    assert "not valid JSON" not in message
