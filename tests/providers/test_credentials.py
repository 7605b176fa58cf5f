"""Credentials: environment over keyring; no keyring means memory for this run, never a file."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail

from ocrviewer.errors import BadInput
from ocrviewer.providers.credentials import SERVICE, CredentialStore, group_of


def test_keyring_round_trip_under_the_ocrviewer_service(memory_keyring) -> None:  # noqa: ANN001
    store = CredentialStore(env={})
    assert store.get("azure", "key") is None
    where = store.set("azure", "key", "  k-123456  ")
    assert "keyring" in where
    assert memory_keyring.store[(SERVICE, "azure.key")] == "k-123456"
    assert store.get("azure", "key") == "k-123456"
    assert store.secrets() == ("k-123456",)
    assert store.delete("azure", "key") and store.get("azure", "key") is None
    assert not store.delete("azure", "key")


def test_environment_overrides_the_keyring() -> None:
    env = {"OCRVIEWER_YANDEX_API_KEY": "from-env-1"}
    store = CredentialStore(env=env)
    store.set("yandex", "api_key", "from-keyring")
    assert store.get("yandex", "api_key") == "from-env-1"
    env["OCRVIEWER_YANDEX_API_KEY"] = "  "
    assert store.get("yandex", "api_key") == "from-keyring"


@pytest.mark.parametrize("backend", [fail.Keyring(), "empty-chainer"])
def test_without_a_keyring_the_secret_lives_in_memory_only(backend, tmp_path: Path) -> None:  # noqa: ANN001
    if backend == "empty-chainer":

        class EmptyChainer(chainer.ChainerBackend):
            backends: list = []  # noqa: RUF012

        backend = EmptyChainer()
    keyring.set_keyring(backend)
    told: list[str] = []
    store = CredentialStore(env={}, notify=told.append)
    assert not store.keyring_usable()
    assert store.get("azure", "key") is None  # no error, just nothing
    where = store.set("azure", "key", "mem-secret-42")
    store.set("yandex", "api_key", "mem-secret-43")
    assert "for this run only" in where
    assert store.get("azure", "key") == "mem-secret-42"
    assert len(told) == 1 and "no usable system keyring" in told[0]  # said once
    assert "mem-secret" not in told[0]
    home = Path(os.environ["XDG_CONFIG_HOME"]).parent
    for p in home.rglob("*"):
        assert not p.is_file() or b"mem-secret" not in p.read_bytes()
    # A new store (a new run) has forgotten it.
    assert CredentialStore(env={}).get("azure", "key") is None


def test_groups() -> None:
    assert group_of("yandex-async") == "yandex" and group_of("azure-read") == "azure"
    with pytest.raises(BadInput, match="takes no credentials"):
        group_of("local")


def test_a_plain_file_keyring_is_never_used(tmp_path: Path) -> None:
    """keyrings.alt's PlaintextKeyring (picked on headless Linux when installed) writes secrets to a file."""
    from keyring.backend import KeyringBackend

    class PlaintextKeyring(KeyringBackend):
        priority = 0.5  # type: ignore[assignment]
        written: dict = {}  # noqa: RUF012

        def get_password(self, service, username):  # noqa: ANN001, ANN201
            return self.written.get((service, username))

        def set_password(self, service, username, password) -> None:  # noqa: ANN001
            self.written[(service, username)] = password

        def delete_password(self, service, username) -> None:  # noqa: ANN001
            self.written.pop((service, username), None)

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    plain = PlaintextKeyring()
    told: list[str] = []
    store = CredentialStore(env={}, backend=plain, notify=told.append)
    assert not store.keyring_usable()
    assert "for this run only" in store.set("azure", "key", "plain-secret-77")
    assert PlaintextKeyring.written == {}
    assert store.get("azure", "key") == "plain-secret-77"
    assert len(told) == 1 and "plain file" in told[0] and "plain-secret" not in told[0]

    class Chain(chainer.ChainerBackend):
        backends = [plain]  # noqa: RUF012

    assert not CredentialStore(env={}, backend=Chain()).keyring_usable()
