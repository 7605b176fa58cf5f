"""Fixtures for provider tests: loopback fake services, a fake clock, credentials in a dict."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
from tests.support.images import make_text_image

from .servers import AZURE_KEY, YANDEX_KEY, FakeCloud


class FakeClock:
    """Monotonic and wall clocks that only move when something sleeps; sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.wall_now = 1_795_000_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.wall_now

    def sleep(self, seconds: float, cancel: CancelToken) -> bool:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
        self.wall_now += seconds
        return cancel.cancelled

    def timing(self) -> Timing:
        return Timing(monotonic=self.monotonic, wall=self.wall, sleep=self.sleep)


#: Fake time for waits between polls; real network limits generous enough for a busy machine (a loopback
#: answer never comes near them unless something hangs).
FAST = RetryPolicy(connect_timeout=10.0, read_timeout=30.0, total_timeout=120.0, poll_interval=0.5)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    server = FakeCloud()
    yield server
    server.close()


@pytest.fixture
def env() -> dict[str, str]:
    """The environment the CredentialStore sees (empty unless a test fills it)."""
    return {}


@pytest.fixture
def creds(env: dict[str, str]) -> CredentialStore:
    return CredentialStore(env=env)


def provider_settings(
    cloud: FakeCloud, clock: FakeClock | None, creds: CredentialStore, **extra: Any
) -> dict[str, Any]:
    """Settings pointing every provider at ``cloud`` with fake time and the given credentials."""
    timing = clock.timing() if clock is not None else Timing()
    return {
        "yandex.ocr_endpoint": cloud.url,
        "yandex.operation_endpoint": cloud.url,
        "azure.endpoint": cloud.url,
        "credentials": creds,
        "http": HttpConfig(policy=FAST, timing=timing, seed=7),
        **extra,
    }


def with_keys(env: dict[str, str]) -> dict[str, str]:
    env["OCRVIEWER_YANDEX_API_KEY"] = YANDEX_KEY
    env["OCRVIEWER_AZURE_KEY"] = AZURE_KEY
    return env


@pytest.fixture
def keys(env: dict[str, str]) -> dict[str, str]:
    """The Yandex and Azure keys in the environment the credentials see (a module whose every test
    wants them: ``pytestmark = pytest.mark.usefixtures("keys")``)."""
    return with_keys(env)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A phone photo stored sideways with EXIF Orientation 6 (displayed 640x480); a module that
    wants another one defines its own."""
    return make_text_image(tmp_path / "photo.jpg", orientation=6)


@pytest.fixture
def full_listener() -> Iterator[str]:
    """The URL of a loopback listener whose queue of connections is full: the kernel drops the next
    connection's SYN, so connecting to it waits for the connect timeout (as to a host that is down)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    address = server.getsockname()
    fillers: list[socket.socket] = []
    try:
        for _ in range(16):  # until one is not taken within a probe's limit: the queue is full
            probe = socket.socket()
            probe.settimeout(0.5)
            fillers.append(probe)
            try:
                probe.connect(address)
            except (TimeoutError, OSError):
                break
        else:
            pytest.skip("this system accepts every connection on a full listener")
        yield f"http://127.0.0.1:{address[1]}"
    finally:
        for s in fillers:
            s.close()
        server.close()
