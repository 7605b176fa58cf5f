"""A SOCKS proxy in the environment (ALL_PROXY=socks5h://...), against loopback proxies.

Before: without PySocks a SOCKS proxy made every run fail as "request failed (InvalidSchema)"; with
PySocks its connections were urllib3's own, outside the watchdog, so Cancel and the run's deadline
waited out a silent proxy's connect timeout. Now: one line saying what to install; and with PySocks
the connection through the proxy is made aside and cut at once (these tests are skipped when PySocks
is not installed: ``pip install PySocks``).
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrviewer.errors import Cancelled, ProviderTimeout, ProviderUnavailable, ServiceError
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing

from .conftest import with_keys
from .faults import (
    NO_PROXY_VARS,
    PROXY_VARS,
    TEXTS,
    SilentListener,
    Socks5Proxy,
    free_port,
    make,
    one_clear_line,
    recognize,
)
from .servers import FakeCloud

PROVIDERS = ["yandex", "azure-read"]
#: a service elsewhere: through a SOCKS proxy with remote names (socks5h) only the proxy looks it up
NAME = "ocr.test"
LONG = 20.0
HAVE_SOCKS = importlib.util.find_spec("socks") is not None
needs_socks = pytest.mark.skipif(not HAVE_SOCKS, reason="PySocks is not installed (pip install PySocks)")


@pytest.fixture(autouse=True)
def no_proxy_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARS + NO_PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def named_cloud() -> Iterator[FakeCloud]:
    server = FakeCloud()
    server.name = NAME
    yield server
    server.close()


def through(cloud: FakeCloud, name: str, creds, policy: RetryPolicy):  # noqa: ANN001, ANN201
    """Provider ``name`` aimed at http://ocr.test:PORT (``cloud``'s port), in real time."""
    port = int(cloud.url.rsplit(":", 1)[1])
    url = f"http://{NAME}:{port}"
    endpoints = {"yandex.ocr_endpoint": url, "yandex.operation_endpoint": url, "azure.endpoint": url}
    http = HttpConfig(policy=policy, timing=Timing())
    return make(name, cloud, None, creds, http=http, **{"http.allow_insecure": True}, **endpoints)


@pytest.mark.skipif(HAVE_SOCKS, reason="PySocks is installed: SOCKS support is there")
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_socks_proxy_without_socks_support_says_what_to_install(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    with_keys(env)
    monkeypatch.setenv("ALL_PROXY", "socks5h://someone:s0cks-secret@127.0.0.1:1080")
    p = through(named_cloud, name, creds, RetryPolicy(total_timeout=60.0))
    with pytest.raises(ProviderUnavailable) as info:
        recognize(p, photo)
    message = one_clear_line(
        info.value, "is a SOCKS proxy", "pip install PySocks", "NO_PROXY", "127.0.0.1:1080"
    )
    assert "s0cks-secret" not in message
    assert named_cloud.requests == []


@needs_socks
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_socks_proxy_carries_the_run(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    with_keys(env)
    named_cloud.running_polls = 1
    proxy = Socks5Proxy(int(named_cloud.url.rsplit(":", 1)[1]))
    try:
        monkeypatch.setenv("ALL_PROXY", f"socks5h://someone:s0cks-secret@127.0.0.1:{proxy.port}")
        p = through(named_cloud, name, creds, RetryPolicy(total_timeout=120.0, poll_interval=0.05))
        result = recognize(p, photo)
    finally:
        proxy.close()
    assert [w.text for w in result.document.words()] == TEXTS
    assert set(proxy.names) == {NAME} and named_cloud.requests


@needs_socks
@pytest.mark.parametrize("name", PROVIDERS)
def test_cancel_and_the_deadline_end_a_run_held_by_a_silent_socks_proxy(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    with_keys(env)
    silent = SilentListener()
    try:
        monkeypatch.setenv("ALL_PROXY", f"socks5h://127.0.0.1:{silent.port}")
        policy = RetryPolicy(connect_timeout=LONG, read_timeout=LONG, total_timeout=300.0)
        p = through(named_cloud, name, creds, policy)
        cancel = CancelToken()
        threading.Thread(target=lambda: silent.accepted.wait(60) and cancel.cancel(), daemon=True).start()
        t0 = time.monotonic()
        with pytest.raises(Cancelled):
            recognize(p, photo, cancel)
        assert time.monotonic() - t0 < LONG / 2

        policy = RetryPolicy(connect_timeout=LONG, read_timeout=LONG, total_timeout=1.0)
        p = through(named_cloud, name, creds, policy)
        t0 = time.monotonic()
        with pytest.raises(ProviderTimeout) as info:
            recognize(p, photo)
        assert time.monotonic() - t0 < LONG / 2
        one_clear_line(info.value, "did not finish within 1 s", "raise http.total_timeout")
    finally:
        silent.close()
    assert named_cloud.requests == []


@needs_socks
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_socks_proxy_that_refuses_or_stays_silent_is_named_not_the_endpoint(
    name: str, photo: Path, named_cloud: FakeCloud, creds, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """Before: PySocks' failures were said as the endpoint's ("ocr.test refused the connection; check the
    endpoint URL"), though the endpoint was never reached."""
    with_keys(env)
    refusing = free_port()
    monkeypatch.setenv("ALL_PROXY", f"socks5h://someone:s0cks-secret@127.0.0.1:{refusing}")
    p = through(named_cloud, name, creds, RetryPolicy(total_timeout=60.0))
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    message = one_clear_line(
        info.value, f"cannot get through the SOCKS proxy socks5h://***@127.0.0.1:{refusing}"
    )
    assert (
        "refused" in message.lower()
        and "s0cks-secret" not in message
        and "check the endpoint URL" not in message
    )

    silent = SilentListener()
    try:
        monkeypatch.setenv("ALL_PROXY", f"socks5h://127.0.0.1:{silent.port}")
        p = through(
            named_cloud, name, creds, RetryPolicy(connect_timeout=1.0, read_timeout=LONG, total_timeout=300.0)
        )
        with pytest.raises(ServiceError) as info:
            recognize(p, photo)
    finally:
        silent.close()
    one_clear_line(
        info.value,
        f"cannot get through the SOCKS proxy socks5h://127.0.0.1:{silent.port}",
        "no answer within 1 s",
    )
    assert named_cloud.requests == []
