"""Provider settings: endpoints and other non-secret choices, saved as JSON in the config folder.

A settings mapping handed to a provider factory holds plain values under dotted names
(``yandex.ocr_endpoint``, ``azure.endpoint``, ``http.read_timeout``...) and may carry two
injected dependencies that are never saved: ``credentials`` (a CredentialStore) and ``http``
(a :class:`ocrviewer.providers.http.HttpConfig`: retry policy and timing, see
:func:`ocrviewer.providers.http.make_client`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ocrviewer.core.output import write_atomic
from ocrviewer.errors import BadInput

#: Keys a settings file may hold, with their meaning (shown by ``ocrviewer providers``).
KNOWN_SETTINGS: dict[str, str] = {
    "yandex.ocr_endpoint": "Yandex OCR host (default https://ocr.api.cloud.yandex.net)",
    "yandex.operation_endpoint": "Yandex operation host (default https://operation.api.cloud.yandex.net)",
    "yandex.data_logging": "let Yandex log request data (x-data-logging-enabled; default false)",
    "azure.endpoint": "Azure Computer Vision resource endpoint, e.g. https://NAME.cognitiveservices.azure.com",
    "azure.read_api_version": "Azure Read API version used when none is given: 2.0, 2.1 or 3.2 (default)",
    "azure.read_max_mb": "largest upload for Azure Read in MB (4 on the free tier, up to 500 paid)",
    "tesseract.command": "full path of the tesseract program when it is not on PATH",
    "http.connect_timeout": "seconds to wait for a connection",
    "http.read_timeout": "seconds to wait for an answer",
    "http.total_timeout": "seconds a whole recognition (upload and polling) may take",
    "http.poll_interval": "seconds between the first polls",
    "http.allow_insecure": "send keys to a plain http:// endpoint on another host (default false: refused)",
    "http.ca_bundle": "a PEM file of the CA certificates to trust (a company proxy's) instead of the system's",
}

#: Keys holding injected objects, never written to a file.
CREDENTIALS = "credentials"
HTTP = "http"
#: the viewer's :class:`~ocrviewer.core.parse_child.ParserProcess`: responses are parsed in it
PARSER = "parser"
RUNTIME_KEYS = frozenset({CREDENTIALS, HTTP, PARSER})

_SECRET_WORDS = ("key", "token", "secret", "password")
#: query parameters whose value is a secret: redacted in messages and logs (``providers.http``),
#: refused in an endpoint that would be saved
SENSITIVE_PARAMS = frozenset(
    {"key", "api_key", "apikey", "api-key", "subscription-key", "token", "access_token", "sig", "code"}
)


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ocrviewer"


def settings_path() -> Path:
    return config_dir() / "providers.json"


def _check_key(key: str) -> None:
    if key not in KNOWN_SETTINGS:
        raise BadInput(f"unknown provider setting {key!r}; known: {', '.join(KNOWN_SETTINGS)}")
    last = key.rsplit(".", 1)[-1]
    if any(word in last for word in _SECRET_WORDS):  # pragma: no cover - guards future keys
        raise BadInput(f"{key!r} looks like a secret; use 'ocrviewer credentials set'")


def _secret_in_endpoint(key: str, value: str) -> str | None:
    """What in an endpoint would put a secret into the settings file in clear (a user:password, a
    key in the query such as Azure's ``?subscription-key=``), or None."""
    if not key.endswith("endpoint"):
        return None
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None  # no URL at all: the provider says so when it is used
    if "@" in parts.netloc:
        return "a user name or password (…@ before the host)"
    for name, given in parse_qsl(parts.query, keep_blank_values=True):
        if given and name.lower() in SENSITIVE_PARAMS:
            return f"a {name}=… parameter"
    return None


def load_settings(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Saved settings, or {} when there is no file. A broken file is an error naming it."""
    p = Path(path) if path is not None else settings_path()
    if not p.is_file():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        raise BadInput(f"{p}: unreadable settings ({err}); fix or delete it") from err
    if not isinstance(data, dict):
        raise BadInput(f"{p}: settings must be a JSON object; fix or delete it")
    settings = {k: v for k, v in data.items() if k in KNOWN_SETTINGS}
    for key in POSITIVE_NUMBERS & settings.keys():
        _check_positive(p, key, settings[key])
    return settings


#: Settings that must be a positive number (seconds, megabytes).
POSITIVE_NUMBERS = frozenset(
    {
        "http.connect_timeout",
        "http.read_timeout",
        "http.total_timeout",
        "http.poll_interval",
        "azure.read_max_mb",
    }
)


def _check_positive(path: Path, key: str, value: Any) -> None:
    """A number setting that is not a finite positive number is an error naming the file and key."""
    try:
        ok = not isinstance(value, bool) and math.isfinite(float(value)) and float(value) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise BadInput(f"{path}: setting {key} is {value!r}; give a positive number, or delete the line")


def save_settings(values: Mapping[str, Any], path: str | os.PathLike[str] | None = None) -> Path:
    """Merge ``values`` into the settings file (None removes a key). Runtime objects are refused."""
    p = Path(path) if path is not None else settings_path()
    current = load_settings(p)
    for key, value in values.items():
        if key in RUNTIME_KEYS:
            continue
        _check_key(key)
        if value is None:
            current.pop(key, None)
        elif isinstance(value, (str, int, float, bool)):
            if key in POSITIVE_NUMBERS:
                _check_positive(p, key, value)
            secret = _secret_in_endpoint(key, value) if isinstance(value, str) else None
            if secret:
                raise BadInput(
                    f"{key}: the endpoint holds {secret}, and settings are saved in clear; give it without "
                    "that and keep the key in the keyring (Preferences, or 'ocrviewer credentials set')"
                )
            current[key] = value
        else:
            raise BadInput(f"setting {key!r} must be a string, number or true/false")
    p.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(p, json.dumps(current, indent=2, sort_keys=True, allow_nan=False))


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
