"""Secrets against a real Secret Service (gnome-keyring on a private D-Bus), not an in-memory backend.

The secret is stored there (read back through secretstorage, not through ocrviewer), read back by
ocrviewer's credentials code in a new run, used for a request, deleted, and never written anywhere
else: not in a plain file under the isolated home, the cache, a response or its sidecar, the
settings, the output or the logs.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService

from ocrviewer.cli import main
from ocrviewer.providers.credentials import SERVICE, CredentialStore
from ocrviewer.providers.settings import settings_path
from tests.support.images import DEFAULT_WORDS, make_text_image

from .servers import AZURE_KEY, FakeCloud

SECRET = AZURE_KEY  # the key the loopback Azure service accepts


def files_holding(secret: str, *roots: Path) -> list[Path]:
    """Every file under ``roots`` whose bytes contain ``secret`` (plain, UTF-16 or as JSON would escape)."""
    needles = {secret.encode(), secret.encode("utf-16-le")}
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_socket():
                data = path.read_bytes()
                if any(n in data for n in needles):
                    found.append(path)
    return found


def test_secret_lives_in_the_secret_service_and_is_deleted_there(secret_service) -> None:  # noqa: ANN001
    assert isinstance(keyring.get_keyring(), SecretService.Keyring)
    store = CredentialStore(env={})
    assert store.keyring_usable()
    assert store.get("azure", "key") is None
    assert "system keyring" in store.set("azure", "key", SECRET)
    # in the Secret Service itself, under ocrviewer's service name
    assert secret_service.stored(SERVICE, "azure.key") == [SECRET.encode()]
    # read back by a new run's credentials code, from the keyring (nothing in memory there)
    again = CredentialStore(env={})
    assert again.get("azure", "key") == SECRET
    assert again.secrets() == (SECRET,)
    # replaced, not added to
    store.set("azure", "key", SECRET + "-2")
    assert secret_service.stored(SERVICE, "azure.key") == [(SECRET + "-2").encode()]
    assert again.delete("azure", "key") is True
    assert secret_service.stored(SERVICE, "azure.key") == []
    assert CredentialStore(env={}).get("azure", "key") is None
    assert again.delete("azure", "key") is False


def test_a_secret_set_and_used_from_the_command_line_is_written_nowhere_else(
    secret_service,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, ocrviewer's and the HTTP stack's
    cloud = FakeCloud(texts=[w for w, _ in DEFAULT_WORDS])
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
        assert main(["credentials", "set", "azure", "--endpoint", cloud.url]) == 0
        assert secret_service.stored(SERVICE, "azure.key") == [SECRET.encode()]

        work = tmp_path / "work"
        work.mkdir()
        photo = make_text_image(work / "photo.jpg", orientation=6)
        for name in ("first.json", "cached.json"):
            assert main(["recognize", str(photo), "-p", "azure-read", "-o", str(work / name)]) == 0
        assert main(["providers"]) == 0
        # the key went to the service, so ocrviewer read it back from the keyring
        assert cloud.requests and cloud.requests[0].headers.get("ocp-apim-subscription-key") == SECRET
        assert len(cloud.uploads) == 1  # the second run came from the cache
    finally:
        cloud.close()

    home = Path(os.environ["HOME"])
    cache = Path(os.environ["OCRVIEWER_CACHE_DIR"])
    written = sorted(p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file())
    assert settings_path().is_file() and any(p.startswith("data/keyrings/") for p in written), written
    assert any(cache.rglob("*.ocrviewer.json")) and (work / "first.json.ocrviewer.json").is_file()
    # not in any file: settings, cache entries and their sidecars, responses and sidecars, the keyring's
    # own (encrypted) file, anything else under the isolated home
    assert files_holding(SECRET, home, cache, work) == []
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    assert caplog.records and SECRET not in caplog.text
    assert all(SECRET not in str(r.args) for r in caplog.records)

    assert main(["credentials", "delete", "azure"]) == 0
    assert secret_service.stored(SERVICE, "azure.key") == []
    assert CredentialStore(env={}).get("azure", "key") is None


def test_a_locked_keyring_is_reported_never_prompted_for(
    secret_service,  # noqa: ANN001
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A desktop whose login keyring is locked: keyring's backend would ask the desktop's prompter to unlock
    it and wait for an answer (`ocrviewer providers` and Preferences hung). The store says why instead,
    keeps a secret set now in memory only, and nothing waits."""
    import threading

    import secretstorage

    from tests.support.secret_service import _connection

    with _connection(secret_service.address) as conn:
        secretstorage.get_default_collection(conn).lock()
    store = CredentialStore(env={})
    out: dict[str, object] = {}

    def use() -> None:
        out["get"] = store.get("azure", "key")
        out["set"] = store.set("azure", "key", SECRET)
        out["problem"] = store.keyring_problem()

    worker = threading.Thread(target=use, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "waited for a keyring unlock prompt"
    assert "locked" in str(out["problem"]) and "unlock" in str(out["problem"])
    assert out["get"] is None and out["set"] == "memory, for this run only (no system keyring)"
    assert store.get("azure", "key") == SECRET  # for this run
    assert secret_service.stored(SERVICE, "azure.key") == []
    assert files_holding(SECRET, tmp_path) == []
    capsys.readouterr()
    assert main(["providers"]) == 0
    assert "no usable system keyring (the keyring is locked" in capsys.readouterr().out
