"""Endpoints go to providers.json in clear: one that carries a secret is refused, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.errors import BadInput
from ocrviewer.providers.settings import load_settings, save_settings

SECRET = "s3cr3t-Key-0123456789"


@pytest.mark.parametrize(
    ("endpoint", "said"),
    [
        (
            f"https://NAME.cognitiveservices.azure.com/vision/v3.2/read/analyze?subscription-key={SECRET}",
            "subscription-key=…",
        ),
        (f"https://gw.example.com/ocr?language=en&Token={SECRET}", "Token=…"),
        (f"https://user:{SECRET}@gw.example.com", "user name or password"),
        (f"https://{SECRET}@gw.example.com", "user name or password"),
    ],
)
def test_an_endpoint_holding_a_secret_is_refused_and_nothing_is_written(
    tmp_path: Path, endpoint: str, said: str
) -> None:
    path = tmp_path / "providers.json"
    save_settings({"azure.endpoint": "https://old.example.com"}, path)
    before = path.read_bytes()
    with pytest.raises(BadInput) as info:
        save_settings({"azure.endpoint": endpoint, "http.read_timeout": 5}, path)
    message = str(info.value)
    assert "\n" not in message and SECRET not in message
    assert said in message and "keyring" in message and message.startswith("azure.endpoint: ")
    assert path.read_bytes() == before  # not the endpoint, not the other setting either
    with pytest.raises(BadInput):
        save_settings({"yandex.ocr_endpoint": endpoint}, path)
    assert SECRET not in path.read_text(encoding="utf-8")


def test_an_endpoint_without_a_secret_is_saved_as_given(tmp_path: Path) -> None:
    path = tmp_path / "providers.json"
    pasted = "https://NAME.cognitiveservices.azure.com/vision/v3.2/read/analyze?language=en&key="
    save_settings({"azure.endpoint": pasted, "yandex.ocr_endpoint": "https://ocr.api.cloud.yandex.net"}, path)
    assert load_settings(path)["azure.endpoint"] == pasted  # (an empty key= holds nothing)
