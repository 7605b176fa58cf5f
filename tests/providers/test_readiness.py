"""Provider readiness without Qt: the probe behind ``ocrviewer providers`` and the window's
provider list, and the Preferences' connection test, against a loopback cloud."""

from __future__ import annotations

import pytest

from ocrviewer.errors import AuthError, BadResponse, ProviderUnavailable
from ocrviewer.providers import base
from ocrviewer.providers.base import CancelToken, no_progress
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.readiness import check_connection, probe_providers
from tests.providers.conftest import provider_settings, with_keys
from tests.providers.servers import AZURE_KEY, YANDEX_KEY, FakeCloud, Reply


def test_probe_says_ready_not_ready_missing_and_broken(monkeypatch, cloud: FakeCloud) -> None:
    monkeypatch.setitem(base.KNOWN_PROVIDERS, "missing", "ocrviewer_no_such_package:create")
    monkeypatch.setitem(base.KNOWN_PROVIDERS, "broken", "json:loads")  # json.loads(dict): TypeError
    found = probe_providers(provider_settings(cloud, None, CredentialStore(env={})))
    assert found["azure-read"].provider is not None
    assert found["azure-read"].describe().startswith("not ready: ") and "key" in found["azure-read"].reason
    assert found["missing"].provider is None
    assert found["missing"].describe().startswith("not available: provider 'missing' cannot load")
    assert found["broken"].provider is None and found["broken"].broken == "TypeError"
    assert found["broken"].describe().startswith("broken: TypeError: ")
    keyed = probe_providers(provider_settings(cloud, None, CredentialStore(env=with_keys({}))))
    assert keyed["azure-read"].reason is None and keyed["azure-read"].describe() == "ready"


def test_connection_test_accepts_a_good_key_and_names_a_bad_one(cloud: FakeCloud) -> None:
    settings = provider_settings(cloud, None, CredentialStore(env=with_keys({})))
    said: list[str] = []
    line = check_connection("azure-read", settings, CancelToken(), lambda _f, message: said.append(message))
    assert line == f"Connected to {cloud.url}: the key was accepted"
    assert said == [f"asking {cloud.url}"]
    assert cloud.requests[-1].path.startswith("/vision/v3.2/read/analyzeResults/")
    assert check_connection("yandex", settings, CancelToken(), no_progress).endswith(
        "the credentials were accepted"
    )
    wrong = CredentialStore(env={"OCRVIEWER_AZURE_KEY": "bad-key"})
    with pytest.raises(AuthError) as info:
        check_connection("azure-read", provider_settings(cloud, None, wrong), CancelToken(), no_progress)
    assert "bad-key" not in str(info.value) and AZURE_KEY not in str(info.value)


def test_connection_test_to_a_web_page_is_not_a_success(cloud: FakeCloud) -> None:
    page = b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nginx</body></html>"
    cloud.script("GET", "/vision/", Reply(404, page, {"Content-Type": "text/html"}))
    settings = provider_settings(cloud, None, CredentialStore(env=with_keys({})))
    with pytest.raises(BadResponse) as info:
        check_connection("azure-read", settings, CancelToken(), no_progress)
    assert "web page ('404 Not Found')" in str(info.value) and AZURE_KEY not in str(info.value)


def test_connection_test_without_a_key_says_what_is_missing(cloud: FakeCloud) -> None:
    settings = provider_settings(cloud, None, CredentialStore(env={}))
    with pytest.raises(ProviderUnavailable):
        check_connection("yandex", settings, CancelToken(), no_progress)
    assert cloud.requests == [] and YANDEX_KEY not in repr(settings)
