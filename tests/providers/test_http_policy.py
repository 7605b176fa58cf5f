"""The one retry/polling policy: pure decisions, then the client against a loopback server."""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time

import pytest

from ocrviewer.errors import (
    AuthError,
    BadResponse,
    Cancelled,
    ProviderError,
    ProviderTimeout,
    QuotaError,
    ServiceError,
)
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.http import (
    RUNNING,
    SUCCEEDED,
    HttpClient,
    PollStatus,
    RetryPolicy,
    Timing,
    error_detail,
    parse_json,
    parse_retry_after,
    redact_headers,
    redact_url,
)

from .conftest import FAST, FakeClock
from .servers import FakeCloud, Reply

# --------------------------------------------------------------------------- pure decisions


def test_retry_after_seconds_and_http_date() -> None:
    now = 1_795_000_000.0
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after(" 0.5 ", now) == 0.5
    assert parse_retry_after("-7", now) == 0.0  # never below zero
    date = email.utils.formatdate(now + 12, usegmt=True)
    assert parse_retry_after(date, now) == pytest.approx(12, abs=1)
    past = email.utils.formatdate(now - 60, usegmt=True)
    assert parse_retry_after(past, now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("", now) is None


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0, jitter=0.2)
    rng = random.Random(3)
    for attempt, nominal in ((1, 1), (2, 2), (3, 4), (4, 8), (9, 8)):
        d = policy.retry_delay(attempt, None, rng)
        assert nominal * 0.8 <= d <= nominal * 1.2
    assert policy.retry_delay(1, 5.0, rng) == 5.0  # Retry-After wins
    assert policy.retry_delay(1, -1.0, rng) == 0.0
    waits = [RetryPolicy(jitter=0).poll_delay(n, None, rng) for n in range(1, 8)]
    assert waits == sorted(waits) and waits[0] == 1.0 and waits[-1] == 5.0


def test_error_bodies_of_both_shapes_become_one_line() -> None:
    flat = b'{"code": 16, "message": "Unauthenticated", "details": [{"@type": "x"}]}'
    assert error_detail(flat) == "16: Unauthenticated"
    nested = b'{"error": {"code": "InvalidRequest", "message": "bad\\nimage", "innererror": {"code": "InvalidImageSize", "message": "too small"}}}'
    assert error_detail(nested) == "InvalidRequest: bad image (InvalidImageSize: too small)"
    assert error_detail(b"<html>\n<h1>Bad gateway</h1>") == "a web page: 'Bad gateway'"
    assert error_detail(b"") == ""
    bad_request = {
        "code": 3,
        "message": "Invalid argument",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": "r-1"},
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": "content", "description": "file is too large"}],
            },
        ],
    }
    assert (
        error_detail(json.dumps(bad_request).encode()) == "3: Invalid argument (content: file is too large)"
    )
    assert error_detail(b'{"code": 8, "message": "quota", "details": "not a list"}') == "8: quota"


def test_redaction_of_headers_and_urls() -> None:
    headers = {"Authorization": "Api-Key s3cr3t", "Ocp-Apim-Subscription-Key": "k", "Accept": "*/*"}
    assert redact_headers(headers) == {
        "Authorization": "***",
        "Ocp-Apim-Subscription-Key": "***",
        "Accept": "*/*",
    }
    url = redact_url("https://u:p@vision.example.com/v1/images:annotate?key=s3cr3t&mode=Printed")
    assert "s3cr3t" not in url and "u:p" not in url and "mode=Printed" in url


def test_malformed_json_is_one_line_bad_response() -> None:
    with pytest.raises(BadResponse) as info:
        parse_json(b"{'not': json,\n more", "Svc")
    assert "\n" not in str(info.value) and "Svc" in str(info.value)


# --------------------------------------------------------------------------- the client on the wire


def client(clock: FakeClock, policy: RetryPolicy = FAST, **kw: object) -> HttpClient:
    return HttpClient(service="Fake OCR", policy=policy, timing=clock.timing(), rng=random.Random(1), **kw)  # type: ignore[arg-type]


def test_429_retry_after_seconds_then_success(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script(
        "GET", "/x", Reply(429, {"code": 8, "message": "quota"}, {"Retry-After": "3"}), Reply(200, {"ok": 1})
    )
    resp = client(clock).send("GET", cloud.url + "/x", cancel=CancelToken())
    assert resp.json() == {"ok": 1}
    assert clock.sleeps == [3.0]


def test_503_retry_after_http_date(cloud: FakeCloud, clock: FakeClock) -> None:
    date = email.utils.formatdate(clock.wall_now + 7, usegmt=True)
    cloud.script("GET", "/x", Reply(503, b"busy", {"Retry-After": date}), Reply(200, {"ok": 1}))
    client(clock).send("GET", cloud.url + "/x", cancel=CancelToken())
    assert len(clock.sleeps) == 1 and clock.sleeps[0] == pytest.approx(7, abs=1)


def test_backoff_without_retry_after(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("GET", "/x", Reply(502, b""), Reply(504, b""), Reply(200, {}))
    client(clock).send("GET", cloud.url + "/x", cancel=CancelToken())
    assert len(clock.sleeps) == 2 and clock.sleeps[1] > clock.sleeps[0] > 0


def test_429_forever_is_a_quota_error_after_retries(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script(
        "POST", "/x", *[Reply(429, {"code": 8, "message": "Too many requests"}, {"Retry-After": "1"})] * 10
    )
    with pytest.raises(QuotaError) as info:
        client(clock).send("POST", cloud.url + "/x", cancel=CancelToken(), data=b"img")
    assert "after 4 retries" in str(info.value) and "Too many requests" in str(info.value)
    assert clock.sleeps == [1.0] * 4
    assert len(cloud.requests) == 5


def test_retry_after_past_the_deadline_fails_at_once(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("GET", "/x", Reply(429, b"", {"Retry-After": "100"}))
    c = client(clock, RetryPolicy(total_timeout=60.0))
    with pytest.raises(QuotaError, match="it asks to wait 100 s past the time limit"):
        c.send("GET", cloud.url + "/x", cancel=CancelToken(), deadline=c.deadline())
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "body", "err", "words"),
    [
        (401, {"code": 16, "message": "Unauthenticated", "details": []}, AuthError, "check the key"),
        (401, {"error": {"code": "401", "message": "Access denied"}}, AuthError, "Access denied"),
        (403, {"code": 7, "message": "Permission denied"}, AuthError, "role"),
        (500, {"code": 13, "message": "Internal"}, ServiceError, "try again later"),
        (
            500,
            {"error": {"code": "InternalServerError", "message": "oops", "innererror": {"code": "X"}}},
            ServiceError,
            "oops (X)",
        ),
        (400, {"error": {"code": "InvalidImage", "message": "unsupported"}}, ProviderError, "InvalidImage"),
    ],
)
def test_error_statuses_become_actionable_errors(
    cloud: FakeCloud, clock: FakeClock, status: int, body: object, err: type[Exception], words: str
) -> None:
    cloud.script("POST", "/x", *[Reply(status, body, {"x-request-id": "rid-42"})] * 5)
    with pytest.raises(err) as info:
        client(clock).send("POST", cloud.url + "/x", cancel=CancelToken())
    message = str(info.value)
    assert words in message and str(status) in message and "rid-42" in message
    assert "\n" not in message
    # not retried: a POST is sent again only on a status saying it was not acted on (429, 503)
    assert clock.sleeps == [] and "retries" not in message
    assert len(cloud.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_requests_safe_to_repeat_are_retried_on_a_server_error(
    cloud: FakeCloud, clock: FakeClock, status: int, method: str
) -> None:
    """A GET (a poll) is asked again on any 5xx, a bounded number of times; a POST (an upload,
    maybe billed) only on a 503, which says it was not acted on."""
    cloud.script(method, "/x", *[Reply(status, {"code": 13, "message": "Internal"})] * 10)
    with pytest.raises(ServiceError) as info:
        client(clock).send(
            method, cloud.url + "/x", cancel=CancelToken(), data=b"img" if method == "POST" else None
        )
    retried = method == "GET" or status == 503
    assert len(cloud.requests) == (5 if retried else 1)
    assert ("after 4 retries" in str(info.value)) == retried and "try again later" in str(info.value)


def test_a_secret_echoed_by_the_server_is_scrubbed(cloud: FakeCloud, clock: FakeClock) -> None:
    secret = "sk-live-0123456789"
    cloud.script("GET", "/x", Reply(401, {"message": f"key {secret} is invalid"}))
    with pytest.raises(AuthError) as info:
        client(clock, secrets=(secret,)).send("GET", cloud.url + "/x", cancel=CancelToken())
    assert secret not in str(info.value) and "***" in str(info.value)


def test_slow_server_is_a_timeout(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("POST", "/slow", Reply(200, {}, delay=60))
    policy = RetryPolicy(connect_timeout=10, read_timeout=1.0)
    t0 = time.monotonic()
    with pytest.raises(ProviderTimeout, match="did not answer within 1 s") as info:
        client(clock, policy).send("POST", cloud.url + "/slow", cancel=CancelToken(), data=b"img")
    assert time.monotonic() - t0 < 30  # the read timeout, not the server's minute
    assert info.value.__cause__ is not None  # chained
    assert len(cloud.requests) == 1 and clock.sleeps == []  # an upload is never repeated


def test_a_slow_poll_is_retried_then_succeeds(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("GET", "/op", Reply(200, {}, delay=60), Reply(200, {"status": "ok"}))
    policy = RetryPolicy(connect_timeout=10, read_timeout=1.0)
    resp = client(clock, policy).send("GET", cloud.url + "/op", cancel=CancelToken())
    assert resp.json() == {"status": "ok"} and len(clock.sleeps) == 1


def test_unreachable_host_names_the_host(clock: FakeClock) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on (kept bound, so no other server can take it)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with pytest.raises(
            ServiceError, match=f"127.0.0.1:{port} refused the connection; check the endpoint"
        ):
            client(clock).send("POST", f"http://127.0.0.1:{port}/x", cancel=CancelToken())
        assert clock.sleeps == []
        with pytest.raises(ServiceError, match=f"127.0.0.1:{port} refused the connection"):
            client(clock).send("GET", f"http://127.0.0.1:{port}/x", cancel=CancelToken())
    assert len(clock.sleeps) == 4  # polls are retried with backoff


def test_poll_until_done_waits_without_busy_loop(cloud: FakeCloud, clock: FakeClock) -> None:
    states = iter([RUNNING, RUNNING, RUNNING, SUCCEEDED])
    c = client(clock)
    seen: list[str] = []
    resp = c.poll(
        lambda: c.send("GET", cloud.url + "/x", ok=(200, 404), cancel=CancelToken()),
        lambda r: next(states),
        cancel=CancelToken(),
        deadline=c.deadline(),
        progress=lambda f, m: seen.append(m),
    )
    assert resp.status_code == 404  # the fake knows no /x; the interpreter decided
    assert len(clock.sleeps) == 3 and all(s > 0 for s in clock.sleeps)
    assert any("poll 3" in m for m in seen)


def test_poll_honours_retry_after_on_polls(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("GET", "/op", Reply(200, {}, {"Retry-After": "4"}), Reply(200, {}))
    states = iter([RUNNING, SUCCEEDED])
    c = client(clock)
    c.poll(
        lambda: c.send("GET", cloud.url + "/op", cancel=CancelToken()),
        lambda r: next(states),
        cancel=CancelToken(),
        deadline=c.deadline(),
    )
    assert clock.sleeps == [4.0]


def test_poll_gives_up_at_the_deadline(cloud: FakeCloud, clock: FakeClock) -> None:
    c = client(clock, RetryPolicy(total_timeout=10.0, poll_interval=1.0, jitter=0))
    with pytest.raises(ProviderTimeout, match="not ready after 10 s"):
        c.poll(
            lambda: c.send("GET", cloud.url + "/x", ok=(404,), cancel=CancelToken()),
            lambda r: RUNNING,
            cancel=CancelToken(),
            deadline=c.deadline(),
        )
    assert sum(clock.sleeps) == pytest.approx(10.0)  # the last wait is cut to the time left


def test_poll_failed_operation_says_why(cloud: FakeCloud, clock: FakeClock) -> None:
    c = client(clock)
    with pytest.raises(ServiceError, match="recognition failed: image is blank"):
        c.poll(
            lambda: c.send("GET", cloud.url + "/x", ok=(404,), cancel=CancelToken()),
            lambda r: PollStatus("failed", "image is blank"),
            cancel=CancelToken(),
            deadline=None,
        )


def test_cancel_from_another_thread_wakes_a_waiting_poll(cloud: FakeCloud) -> None:
    """Real sleep (CancelToken.wait) with a 600 s interval: cancel must end it at once.

    (poll_interval alone is capped by poll_interval_max, 5 s: a wait that ignored cancel ended in 5 s and
    the next poll saw the cancel, well within the bound checked below.)"""
    policy = RetryPolicy(poll_interval=600.0, poll_interval_max=600.0, total_timeout=3600.0, jitter=0)
    c = HttpClient(service="Fake OCR", policy=policy, timing=Timing())
    cancel = CancelToken()
    answered = threading.Event()

    def fetch():  # noqa: ANN202
        resp = c.send("GET", cloud.url + "/x", ok=(404,), cancel=cancel)
        answered.set()  # the poll goes on to wait its 600 s now
        return resp

    threading.Thread(target=lambda: answered.wait(60) and cancel.cancel(), daemon=True).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        c.poll(fetch, lambda r: RUNNING, cancel=cancel, deadline=c.deadline())
    assert time.monotonic() - t0 < 300  # far under the 600 s wait (room for a busy machine): woken by cancel
    assert len(cloud.requests) == 1


def test_retry_after_zero_cannot_make_a_busy_loop() -> None:
    policy = RetryPolicy()
    assert policy.poll_delay(1, 0.0, random.Random(1)) == policy.poll_min > 0
    assert RetryPolicy(poll_interval=0.0, jitter=0).poll_delay(3, None, random.Random(1)) == policy.poll_min


def test_debug_log_never_shows_the_secret(
    cloud: FakeCloud, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-log-check-24680"
    caplog.set_level("DEBUG", logger="ocrviewer.providers.http")
    client(clock, secrets=(secret,)).send(
        "GET",
        cloud.url + "/x",
        ok=(404,),
        cancel=CancelToken(),
        headers={"Authorization": f"Api-Key {secret}", "Ocp-Apim-Subscription-Key": secret},
        params={"key": secret, "mode": "Printed"},
    )
    assert "GET" in caplog.text and "mode=Printed" in caplog.text
    assert secret not in caplog.text


def test_a_detail_that_repeats_the_status_code_says_it_once() -> None:
    from ocrviewer.providers.http import Hints, status_error

    err = status_error("Azure", 401, "401: Access denied due to invalid subscription key", Hints())
    assert "401: 401" not in str(err)
    assert "(401: Access denied due to invalid subscription key)" in str(err)
