"""Whether each provider can run, and a connection test: one answer for the window and the CLI.

:func:`probe_providers` builds every known provider from the settings and says why one cannot run
(``ocrviewer providers`` prints it; the window greys out the provider). :func:`check_connection`
is the Preferences' "Test connection": the provider's own check, then one free request that needs
the credentials (a status query for an operation that does not exist: 404 means the key was
accepted, 401/403 that it was not).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ocrviewer.errors import BadResponse, ProviderUnavailable
from ocrviewer.providers.base import (
    KNOWN_PROVIDERS,
    CancelToken,
    ProgressCallback,
    Provider,
    get_provider,
)

#: an operation id no service knows: asking for it needs the credentials and costs nothing
MISSING_OPERATION = "00000000-0000-0000-0000-000000000000"
#: a connection test answers within seconds: no retries, short timeouts (a recognition waits longer)
TEST_CONNECT_S, TEST_READ_S, TEST_TOTAL_S = 4.0, 6.0, 8.0


@dataclass(frozen=True)
class ProviderStatus:
    """One provider as built from the settings: ready, not ready (and why), or failing to load."""

    provider: Provider | None  # None: it could not be built
    reason: str | None = None  # why it cannot run; None when it is ready
    #: the error's type when building it failed with something else than ProviderUnavailable (a bug
    #: or a broken install), else None
    broken: str | None = None

    def describe(self) -> str:
        """``ready``, ``not ready: ...``, ``not available: ...`` or ``broken: Type: ...``."""
        if self.provider is None:
            return f"broken: {self.broken}: {self.reason}" if self.broken else f"not available: {self.reason}"
        return "ready" if self.reason is None else f"not ready: {self.reason}"


def probe_providers(settings: Mapping[str, Any]) -> dict[str, ProviderStatus]:
    """Every known provider built from ``settings`` with why it cannot run.

    May read the keyring (slow, or asking to unlock): the window calls it in a worker. A provider
    that fails to load is reported with its error, never raised (keyring's plugin loading).
    """
    found: dict[str, ProviderStatus] = {}
    for name in KNOWN_PROVIDERS:
        try:
            provider = get_provider(name, settings)
            found[name] = ProviderStatus(provider, provider.unavailable_reason())
        except ProviderUnavailable as err:
            found[name] = ProviderStatus(None, str(err) or type(err).__name__)
        except Exception as err:  # a broken provider is reported, not fatal
            found[name] = ProviderStatus(None, str(err) or type(err).__name__, broken=type(err).__name__)
    return found


def _ask(
    service: str,
    url: str,
    settings: Mapping[str, Any],
    secrets: tuple[str | None, ...],
    headers: Mapping[str, str],
    cancel: CancelToken,
    params: Mapping[str, str] | None = None,
) -> None:
    """One GET of ``url`` that needs the credentials, under a short, retry-free policy; raises
    ProviderError (AuthError...) unless the service answers 200, 400 or 404 with JSON (or nothing)."""
    from ocrviewer.providers.http import make_client, parse_json

    client = make_client(service, settings, secrets=secrets)
    p = client.policy
    client.policy = replace(
        p,
        connect_timeout=min(p.connect_timeout, TEST_CONNECT_S),
        read_timeout=min(p.read_timeout, TEST_READ_S),
        total_timeout=min(p.total_timeout, TEST_TOTAL_S),
        max_retries=0,
    )
    resp = client.send(
        "GET",
        url,
        cancel=cancel,
        deadline=client.deadline(),
        headers=headers,
        params=params,
        ok=(200, 400, 404),
    )
    if resp.content.strip():  # a web server's own 404 page is not the service saying "no such operation"
        try:
            parse_json(resp.content, service, "answer")
        except BadResponse as err:
            raise BadResponse(client.scrub(str(err))) from None


def check_connection(
    provider_name: str, settings: Mapping[str, Any], cancel: CancelToken, progress: ProgressCallback
) -> str:
    """One line saying the provider is ready; raises ProviderError (AuthError...) when it is not.

    Cloud providers get one free authenticated request; the others their own check only.
    """
    provider: Any = get_provider(provider_name, settings)
    reason = provider.unavailable_reason()
    if reason:
        raise ProviderUnavailable(reason)
    store: Any = getattr(provider, "credentials", None)
    if provider_name.startswith("azure"):
        endpoint = str(provider.endpoint).rstrip("/")
        key = store.get("azure", "key")
        progress(None, f"asking {endpoint}")
        url = f"{endpoint}/vision/v3.2/read/analyzeResults/{MISSING_OPERATION}"
        _ask("Azure Computer Vision", url, settings, (key,), {"Ocp-Apim-Subscription-Key": key}, cancel)
        return f"Connected to {endpoint}: the key was accepted"
    if provider_name.startswith("yandex"):
        headers, why = provider._auth()
        if why:
            raise ProviderUnavailable(why)
        host = str(provider.ocr_host).rstrip("/")
        secrets = (store.get("yandex", "api_key"), store.get("yandex", "iam_token"))
        progress(None, f"asking {host}")
        params = {"operationId": "ocrviewer-connection-test"}
        _ask("Yandex Vision OCR", f"{host}/ocr/v1/getRecognition", settings, secrets, headers, cancel, params)
        return f"Connected to {host}: the credentials were accepted"
    return f"{provider.title} is ready"


__all__ = ["ProviderStatus", "check_connection", "probe_providers"]
