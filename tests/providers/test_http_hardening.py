"""HTTP bounded (issue 11, item 5): each misbehaving loopback server ends in time with one line.

Small real budgets (2 s) where the wire itself is the point; the fake clock elsewhere. Nothing
sleeps to synchronize.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from ocrviewer.core.limits import MAX_RESPONSE_BYTES
from ocrviewer.core.prepare import prepare_image
from ocrviewer.errors import ProviderError, ProviderTimeout, ServiceError
from ocrviewer.providers.base import CancelToken, get_provider, no_progress
from ocrviewer.providers.http import RUNNING, SUCCEEDED, HttpClient, RetryPolicy, Timing, check_endpoint
from tests.support.images import make_text_image

from .conftest import FAST, FakeClock, with_keys
from .servers import FakeCloud, Reply
from .test_yandex import provider


def real_client(**policy: float) -> HttpClient:
    return HttpClient(service="Fake OCR", policy=RetryPolicy(**policy), timing=Timing(), rng=random.Random(1))  # type: ignore[arg-type]


def fake_client(clock: FakeClock, policy: RetryPolicy = FAST) -> HttpClient:
    return HttpClient(service="Fake OCR", policy=policy, timing=clock.timing(), rng=random.Random(1))


def test_a_trickling_server_ends_at_the_budget(cloud: FakeCloud) -> None:
    """One byte a second: every read is within the read timeout, yet the run ends at its 2 s budget."""
    cloud.script("POST", "/slow", Reply(200, b"x" * 200, trickle=1.0))
    c = real_client(connect_timeout=1.0, read_timeout=1.5, total_timeout=2.0)
    t0 = time.monotonic()
    with pytest.raises(ProviderTimeout, match="did not finish (sending its answer )?within 2 s"):
        c.send("POST", cloud.url + "/slow", cancel=CancelToken(), deadline=c.deadline(), data=b"img")
    assert time.monotonic() - t0 < 60  # the 2 s budget, with room for a busy machine (unbounded: 200 s)
    assert len(cloud.requests) == 1


def test_a_server_trickling_its_headers_ends_at_the_budget(cloud: FakeCloud) -> None:
    """Even the status line a byte a second: the deadline cuts the connection."""
    cloud.script("GET", "/slow", Reply(200, head_trickle=1.0))
    c = real_client(connect_timeout=1.0, read_timeout=1.5, total_timeout=2.0)
    t0 = time.monotonic()
    with pytest.raises(ProviderTimeout, match="did not finish within 2 s"):
        c.send("GET", cloud.url + "/slow", cancel=CancelToken(), deadline=c.deadline())
    assert time.monotonic() - t0 < 20
    assert len(cloud.requests) == 1  # not retried past the deadline


def test_a_huge_chunked_body_is_refused_at_the_size_cap(cloud: FakeCloud, clock: FakeClock) -> None:
    assert RetryPolicy().max_body == MAX_RESPONSE_BYTES
    cloud.script("GET", "/huge", Reply(200, endless=True))
    policy = RetryPolicy(connect_timeout=1.0, read_timeout=2.0, max_body=1024 * 1024)
    with pytest.raises(ServiceError, match="an answer of more than 1 MB, over the limit"):
        fake_client(clock, policy).send("GET", cloud.url + "/huge", cancel=CancelToken())
    assert len(cloud.requests) == 1  # a size refusal is not retried


def test_retry_after_zero_on_polls_waits_the_floor(cloud: FakeCloud, clock: FakeClock) -> None:
    zero = Reply(200, {}, {"Retry-After": "0"})
    cloud.script("GET", "/op", zero, zero, zero, Reply(200, {}))
    states = iter([RUNNING, RUNNING, RUNNING, SUCCEEDED])
    c = fake_client(clock)
    c.poll(
        lambda: c.send("GET", cloud.url + "/op", cancel=CancelToken()),
        lambda r: next(states),
        cancel=CancelToken(),
        deadline=c.deadline(),
    )
    assert clock.sleeps == [1.0, 1.0, 1.0]  # 1 s floor: not a 50 ms loop carrying the key


def test_a_poll_cut_mid_body_is_retried(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("GET", "/op", Reply(200, {"status": "running"}, cut=True), Reply(200, {"status": "done"}))
    resp = fake_client(clock).send("GET", cloud.url + "/op", cancel=CancelToken())
    assert resp.json() == {"status": "done"}
    assert len(cloud.requests) == 2 and len(clock.sleeps) == 1


def test_an_upload_cut_mid_answer_is_not_repeated(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("POST", "/up", Reply(200, {"status": "accepted"}, cut=True))
    with pytest.raises(ServiceError, match="connection to 127.0.0.1:[0-9]+ was cut while it answered"):
        fake_client(clock).send("POST", cloud.url + "/up", cancel=CancelToken(), data=b"img")
    assert len(cloud.requests) == 1 and clock.sleeps == []


def test_a_redirect_is_explained(cloud: FakeCloud, clock: FakeClock) -> None:
    cloud.script("POST", "/x", Reply(307, b"", {"Location": "https://elsewhere.example/ocr?key=s3cret"}))
    with pytest.raises(ProviderError) as info:
        fake_client(clock).send("POST", cloud.url + "/x", cancel=CancelToken(), data=b"img")
    message = str(info.value)
    assert "the endpoint redirected to https://elsewhere.example/ocr?key=***" in message
    assert "use that URL as the endpoint" in message and "s3cret" not in message
    assert len(cloud.requests) == 1  # not followed


def test_an_evil_yandex_operation_id_stays_in_its_path_segment(
    tmp_path: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    evil = "../../evil?steal=1#"
    cloud.script("POST", "/ocr/v1/recognizeTextAsync", Reply(200, {"id": evil, "done": False}))
    cloud.script(
        "GET", "/operations/", Reply(200, {"id": evil, "done": True, "error": {"code": 3, "message": "no"}})
    )
    p = provider("yandex-async", cloud, clock, creds)
    photo = make_text_image(tmp_path / "p.jpg")
    with pytest.raises(ServiceError, match="recognition failed"):
        p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)
    polled = cloud.requests[1]
    assert polled.path == "/operations/..%2F..%2Fevil%3Fsteal%3D1%23" and polled.query == {}
    assert not any(r.path.startswith("/evil") for r in cloud.requests)


def test_plain_http_to_another_host_is_not_ready_unless_insisted(creds, env) -> None:  # noqa: ANN001
    with_keys(env)
    remote = {"azure.endpoint": "http://ocr.example.com", "credentials": creds}
    reason = get_provider("azure-read", remote).unavailable_reason()
    assert (
        reason is not None and "keys would travel unencrypted" in reason and "--allow-insecure-http" in reason
    )
    assert get_provider("azure-read", {**remote, "http.allow_insecure": True}).unavailable_reason() is None
    for url in ("https://ocr.example.com", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2"):
        assert check_endpoint(url, "the endpoint") == url
    with pytest.raises(ProviderError, match="plain http://"):
        check_endpoint("http://10.0.0.7/", "the Yandex OCR endpoint")
    yandex = {"yandex.ocr_endpoint": "http://10.0.0.7", "credentials": creds}
    assert "unencrypted" in (get_provider("yandex", yandex).unavailable_reason() or "")


def test_a_clients_repr_never_shows_its_secrets() -> None:
    """A client in a debugger, a log line ("%r") or a crash report: the service, never the key."""
    client = HttpClient("Azure Computer Vision", secrets=("az-test-subscription-key-0c41e8",))
    assert "Azure Computer Vision" in repr(client)
    assert "az-test-subscription-key-0c41e8" not in repr(client) and "secrets" not in repr(client)
    assert client.scrub("key az-test-subscription-key-0c41e8") != "key az-test-subscription-key-0c41e8"
