"""Test-wide set-up: offscreen Qt, an in-memory keyring, no real network, isolated settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never let a test pick up a developer's credentials. OCRVIEWER_TEST_* switches (e.g. OCRVIEWER_TEST_BUNDLE=1)
# select optional tests and are kept.
for _name in list(os.environ):
    if _name.startswith("OCRVIEWER_") and not _name.startswith("OCRVIEWER_TEST_"):
        del os.environ[_name]

import signal  # noqa: E402

# A suite started in the background by a script (`cmd &` without job control, nohup) inherits SIGINT ignored,
# and Python then raises no KeyboardInterrupt: the tests that press Ctrl-C (on this process or on a child they
# start) waited out 100 polls of 30 s. Ctrl-C as on a terminal; children get the default again at exec.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from hypothesis import settings  # noqa: E402

# The property tests draw the same examples on every run, so a suite that passed here passes on CI's fresh clone
# (a random draw once failed there on an edge case no earlier run had met). To search for new failures, run
# `pytest --hypothesis-profile=explore tests/core`: random draws (and 1000 where a test does not set its own number).
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile("default")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.errors import PasswordDeleteError  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in memory (headless Linux has none)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    """Every test gets a fresh, empty in-memory keyring."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings, cache and config go to a per-test folder, never the developer's home.

    HOME too: what ocrviewer suggests or opens there (save dialogs, the Open folder) and what programs the
    tests start read from it (fontconfig's ~/.fonts, a developer's dotfiles) is then the same on every machine."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("OCRVIEWER_CACHE_DIR", str(home / "cache" / "ocrviewer"))


@pytest.fixture
def secret_service(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The system keyring for real: keyring's SecretService backend on a private gnome-keyring.

    HOME is the test's isolated home too, so everything the daemons and ocrviewer write lands in it.
    Skipped only where the daemons are not installed; installed but failing to start is a failure.
    """
    from tests.support.secret_service import SecretServiceError, missing_programs, private_secret_service

    missing = missing_programs()
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install dbus gnome-keyring)")
    from keyring.backends import SecretService

    home = Path(os.environ["XDG_CONFIG_HOME"]).parent
    monkeypatch.setenv("HOME", str(home))
    try:
        with private_secret_service(home) as session:
            monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)
            backend = SecretService.Keyring()
            keyring.set_keyring(backend)
            yield session
    except SecretServiceError as err:
        pytest.fail(f"the private Secret Service did not start: {err}")
