"""Looking up the endpoint's host name, with a resolver the test controls (``HttpConfig(resolve=...)``,
:class:`tests.providers.faults.HeldResolver`) instead of the system's: no name server, no network.

getaddrinfo blocks in C and cannot be interrupted: a name server that does not answer held the
worker for as long as the system's resolver tried (20 s and more), Cancel did nothing meanwhile,
and the run's deadline and the connect timeout did not hold. Now the lookup runs aside: Cancel,
the deadline and the connect timeout end the wait at once, the lookup left behind ends alone and
nothing connects with its answer; a slow or failed lookup is one line saying what to check.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrviewer.errors import Cancelled, ProviderTimeout, ServiceError
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
from ocrviewer.providers.settings import settings_path

from .conftest import with_keys
from .faults import NO_PROXY_VARS, PROXY_VARS, TEXTS, HeldResolver, make, one_clear_line, recognize
from .servers import FakeCloud

PROVIDERS = ["yandex", "azure-read"]
#: a name only the test's resolver knows (.test is reserved, RFC 6761: no real one exists)
NAME = "ocr.test"
#: long enough that a run reaching it fails the elapsed-time checks below
LONG = 20.0


@pytest.fixture(autouse=True)
def no_proxy_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARS + NO_PROXY_VARS:  # the name is not this machine's: a proxy set here would be used
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def named_cloud() -> Iterator[FakeCloud]:
    """The fake services, their URLs (an Operation-Location) naming them :data:`NAME`."""
    server = FakeCloud()
    server.name = NAME
    yield server
    server.close()


def by_name(cloud: FakeCloud, name: str, creds, policy: RetryPolicy, resolver: HeldResolver):  # noqa: ANN001, ANN201
    """Provider ``name`` aimed at ``cloud`` as http://ocr.test:PORT, looked up by ``resolver``."""
    port = int(cloud.url.rsplit(":", 1)[1])
    url = f"http://{NAME}:{port}"
    endpoints = {"yandex.ocr_endpoint": url, "yandex.operation_endpoint": url, "azure.endpoint": url}
    http = HttpConfig(policy=policy, timing=Timing(), resolve=resolver)
    # plain http to a host that is not called 127.0.0.1: the user insisted (it is the loopback)
    return make(name, cloud, None, creds, http=http, **{"http.allow_insecure": True}, **endpoints)


def lookups_left(host: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"ocrviewer lookup of {host}"]


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_name_the_resolver_gives_is_used_for_the_upload_and_the_polls(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env
) -> None:  # noqa: ANN001
    """The hook is the only resolver: every request (Azure's polls on the Operation-Location too)
    asks it, and the run lands its words."""
    with_keys(env)
    named_cloud.running_polls = 1
    resolver = HeldResolver(NAME)
    p = by_name(named_cloud, name, creds, RetryPolicy(total_timeout=120.0, poll_interval=0.05), resolver)
    result = recognize(p, photo)
    assert [w.text for w in result.document.words()] == TEXTS
    assert NAME in resolver.asked and named_cloud.requests
    if name == "azure-read":
        assert any(r.method == "GET" for r in named_cloud.requests)


@pytest.mark.parametrize("name", PROVIDERS)
def test_cancel_ends_a_name_lookup_that_never_answers_and_the_lookup_left_behind_is_harmless(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    resolver = HeldResolver(NAME, hold=True)
    policy = RetryPolicy(connect_timeout=LONG, read_timeout=LONG, total_timeout=300.0, poll_interval=0.05)
    p = by_name(named_cloud, name, creds, policy, resolver)
    cancel = CancelToken()
    threading.Thread(target=lambda: resolver.entered.wait(60) and cancel.cancel(), daemon=True).start()
    t0 = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            recognize(p, photo, cancel)
        assert time.monotonic() - t0 < LONG / 2
    finally:
        resolver.release()
    # the lookup left behind comes back and ends; nothing connects with its answer
    assert resolver.finished.wait(60)
    end = time.monotonic() + 60
    while lookups_left(NAME) and time.monotonic() < end:
        time.sleep(0.05)
    assert not lookups_left(NAME)
    assert named_cloud.requests == []
    # and the next run, the name server answering again, works
    resolver.hold = False
    result = recognize(p, photo)
    assert [w.text for w in result.document.words()] == TEXTS


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_name_lookup_slower_than_the_connect_timeout_is_one_line(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    resolver = HeldResolver(NAME, hold=True)
    policy = RetryPolicy(connect_timeout=1.0, read_timeout=LONG, total_timeout=300.0)
    p = by_name(named_cloud, name, creds, policy, resolver)
    t0 = time.monotonic()
    try:
        with pytest.raises(ProviderTimeout) as info:
            recognize(p, photo)
        assert time.monotonic() - t0 < LONG / 2
    finally:
        resolver.release()
    one_clear_line(
        info.value,
        f"looking up the host {NAME} took longer than 1 s (the name server did not answer)",
        "DNS",
        f"raise http.connect_timeout in {settings_path()}",
    )
    assert named_cloud.requests == []


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_name_lookup_that_never_answers_ends_at_the_deadline(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    resolver = HeldResolver(NAME, hold=True)
    policy = RetryPolicy(connect_timeout=LONG, read_timeout=LONG, total_timeout=1.0)
    p = by_name(named_cloud, name, creds, policy, resolver)
    t0 = time.monotonic()
    try:
        with pytest.raises(ProviderTimeout) as info:
            recognize(p, photo)
        assert time.monotonic() - t0 < LONG / 2
    finally:
        resolver.release()
    one_clear_line(info.value, "did not finish within 1 s", "raise http.total_timeout")


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            socket.EAI_NONAME,
            f"cannot find the host {NAME} (its name does not resolve); check the endpoint URL",
        ),
        (socket.EAI_AGAIN, f"cannot look up the host {NAME}: the name server did not answer"),
    ],
)
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_failed_name_lookup_says_what_to_check(
    name: str, code: int, said: str, photo: Path, named_cloud: FakeCloud, creds, env
) -> None:  # noqa: ANN001
    """No such name (a mistyped region) and no name server reached (offline) are different advice."""
    with_keys(env)
    p = by_name(named_cloud, name, creds, RetryPolicy(total_timeout=60.0), HeldResolver(NAME, fail=code))
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    message = one_clear_line(info.value, said)
    assert ("network connection" in message) == (code == socket.EAI_AGAIN)


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_proxy_whose_name_does_not_resolve_is_named_as_the_proxy(
    name: str, photo: Path, creds, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """Through a proxy only the proxy's name is looked up here: its failure named the endpoint's
    host ("check the endpoint URL"), sending people to the wrong setting."""
    with_keys(env)
    monkeypatch.setenv("HTTPS_PROXY", "http://someone:pr0xy-secret@proxy.test:3128")
    resolver = HeldResolver(fail=socket.EAI_NONAME)
    cloud = FakeCloud()
    cloud.close()
    url = "https://ocr.example.invalid"
    endpoints = {"yandex.ocr_endpoint": url, "yandex.operation_endpoint": url, "azure.endpoint": url}
    http = HttpConfig(policy=RetryPolicy(total_timeout=60.0), timing=Timing(), resolve=resolver)
    p = make(name, cloud, None, creds, http=http, **endpoints)
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    message = one_clear_line(info.value, "cannot find the proxy", "proxy.test:3128", "NO_PROXY")
    assert "pr0xy-secret" not in message
    assert resolver.asked == ["proxy.test"]
