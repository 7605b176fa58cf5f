"""Every provider against an https endpoint whose certificate this computer does not trust,
against a server that closes a kept-alive connection just as the next request goes out on it, and
against a listener that never takes the connection.

The certificates are made for each test (tests.support.tls); the servers are real loopback
listeners (FakeCloud with a TLS context). A refused certificate ends in one line naming what is
wrong with it and what to do (REQUESTS_CA_BUNDLE for a proxy the person trusts), before any
request, and so any key, was sent. A poll that meets a closed kept-alive connection is asked
again at once, once, on a new connection: no backoff wait, no "retry" said.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrviewer.core.prepare import prepare_image
from ocrviewer.errors import ProviderError, ProviderTimeout, ServiceError
from ocrviewer.providers.base import CancelToken, Provider, RecognitionResult
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
from ocrviewer.providers.settings import settings_path
from tests.support.cli import one_error_line, run
from tests.support.tls import make_certificate, server_context

from .conftest import FakeClock, with_keys
from .servers import AZURE_KEY, YANDEX_KEY, FakeCloud, Recorded, Reply
from .test_faulty_servers import TEXTS, make, one_clear_line

PROVIDERS = ["yandex", "yandex-async", "azure-read", "azure-image-analysis"]


@pytest.fixture(autouse=True)
def no_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own trust settings must not decide these tests."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    from tests.support.images import make_text_image

    return make_text_image(tmp_path / "photo.jpg", orientation=6)


def recognize_noting(p: Provider, photo: Path) -> tuple[RecognitionResult, list[str]]:
    """Recognize, and the progress lines said meanwhile."""
    said: list[str] = []
    result = p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), lambda f, text: said.append(text))
    return result, said


# --------------------------------------------------------------------------- certificates


@pytest.fixture
def tls_cloud(tmp_path: Path) -> Iterator[tuple[FakeCloud, Path]]:
    """An https FakeCloud with a self-signed certificate for 127.0.0.1, and that certificate."""
    cert, key = make_certificate(tmp_path)
    server = FakeCloud(running_polls=1, texts=TEXTS, tls=server_context(cert, key))
    yield server, cert
    server.close()


def https_settings(cloud: FakeCloud) -> dict[str, str]:
    return {
        "yandex.ocr_endpoint": cloud.url,
        "yandex.operation_endpoint": cloud.url,
        "azure.endpoint": cloud.url,
    }


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_self_signed_certificate_is_not_trusted_and_says_what_to_do(
    name: str, photo: Path, tls_cloud: tuple[FakeCloud, Path], clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """Before: "the secure connection to HOST failed (TLS: the certificate or the protocol)"."""
    with_keys(env)
    cloud, _ = tls_cloud
    p = make(name, cloud, clock, creds, **https_settings(cloud))
    with pytest.raises(ServiceError) as info:
        recognize_noting(p, photo)
    host = cloud.url.split("//", 1)[1]
    one_clear_line(
        info.value,
        f"the certificate of {host} is not trusted (self-signed certificate)",
        "REQUESTS_CA_BUNDLE",
    )
    assert cloud.requests == [] and clock.sleeps == []  # nothing sent (no key), nothing retried


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ({"hosts": ("service.example",)}, ("was issued for another host", "IP address mismatch")),
        ({"days": (-30, -1)}, ("is out of date (certificate has expired)", "date and time")),
    ],
    ids=["another-host", "expired"],
)
@pytest.mark.parametrize("name", ["yandex", "azure-read"])
def test_a_trusted_certificate_for_another_host_or_out_of_date_says_which(
    name: str,
    kind: dict,
    words: tuple[str, ...],
    photo: Path,
    tmp_path: Path,
    clock: FakeClock,
    creds,
    env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # noqa: ANN001
    """Trusted (REQUESTS_CA_BUNDLE names it), so only the host name or the dates are wrong."""
    with_keys(env)
    cert, key = make_certificate(tmp_path, **kind)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    cloud = FakeCloud(running_polls=1, texts=TEXTS, tls=server_context(cert, key))
    try:
        p = make(name, cloud, clock, creds, **https_settings(cloud))
        with pytest.raises(ServiceError) as info:
            recognize_noting(p, photo)
        message = one_clear_line(info.value, *words)
        assert "REQUESTS_CA_BUNDLE" not in message  # trusting it more would not help
        assert cloud.requests == []
    finally:
        cloud.close()


def test_https_to_a_plain_http_server_says_it_does_not_speak_https(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    url = cloud.url.replace("http://", "https://")
    p = make("azure-read", cloud, clock, creds, **{"azure.endpoint": url})
    with pytest.raises(ServiceError) as info:
        recognize_noting(p, photo)
    one_clear_line(info.value, "the secure connection to", "failed (TLS: ", "does not speak https://")
    assert clock.sleeps == []


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocrviewer.providers.settings import save_settings

    monkeypatch.setenv("OCRVIEWER_YANDEX_API_KEY", YANDEX_KEY)
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", AZURE_KEY)
    save_settings({"http.read_timeout": 5, "http.total_timeout": 60, "http.poll_interval": 0.05})


def test_the_command_line_says_it_in_one_line_and_requests_ca_bundle_lets_it_through(
    photo: Path, tmp_path: Path, tls_cloud: tuple[FakeCloud, Path], cli_env: None, capsys, monkeypatch
) -> None:  # noqa: ANN001
    cloud, cert = tls_cloud
    out = tmp_path / "photo.json"
    args = ["recognize", photo, "-p", "azure-read", "--endpoint", cloud.url, "-o", out, "--no-cache"]
    code, stdout, err = run(capsys, *args)
    assert code == 1 and stdout == "" and not out.exists()
    errors = "\n".join(ln for ln in err.splitlines() if ln.startswith("ocrviewer: error:"))  # no progress
    one_error_line(errors, "is not trusted (self-signed certificate)", "set REQUESTS_CA_BUNDLE")
    assert AZURE_KEY not in err and "Traceback" not in err and cloud.requests == []

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # the person trusts it: all of it goes over https
    code, stdout, err = run(capsys, *args)
    assert code == 0, err
    assert "5 words" in stdout and out.exists()
    assert [r.method for r in cloud.requests] == ["POST", "GET", "GET"]
    assert AZURE_KEY not in stdout + err


# --------------------------------------------------------------------------- kept-alive connections

#: provider -> (the upload's path, the poll that meets the closed connection)
POLLS = {
    "azure-read": ("/vision/v3.2/read/analyze", "/vision/v3.2/read/analyzeResults/"),
    "yandex-async": ("/ocr/v1/recognizeTextAsync", "/operations/"),
}


def _on(cloud: FakeCloud, method: str, prefix: str) -> list[Recorded]:
    return [r for r in cloud.requests if r.method == method and r.path.startswith(prefix)]


@pytest.mark.parametrize("name", list(POLLS))
def test_a_poll_on_a_kept_alive_connection_the_server_closed_is_asked_again_at_once(
    name: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """Before: asked again only after a backoff wait (1 s and up), said as "closed the connection
    without answering; retry 1", and counted as one of the poll's retries."""
    with_keys(env)
    upload, poll = POLLS[name]
    _, said = recognize_noting(make(name, cloud, clock, creds), photo)
    waits = len(clock.sleeps)  # the waits of a run nothing spoils: the polls' own
    cloud.requests.clear()
    clock.sleeps.clear()

    cloud.script("GET", poll, Reply(200, hangup=True))
    result, said = recognize_noting(make(name, cloud, clock, creds), photo)
    assert [w.text for w in result.document.words()] == TEXTS
    assert len(clock.sleeps) == waits and not any("retry" in s for s in said), (clock.sleeps, said)
    (sent,) = _on(cloud, "POST", upload)
    polls = _on(cloud, "GET", poll)
    assert polls[0].connection == sent.connection  # the kept-alive connection, closed under it
    assert polls[1].connection != sent.connection  # asked again on a new one


def test_only_the_first_closed_connection_is_asked_again_at_once(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """A server that closes every connection it is asked on is not a stale connection: the second
    time, the poll's ordinary retry (with its wait) takes over, and its retries stay bounded."""
    with_keys(env)
    _, poll = POLLS["azure-read"]
    cloud.script("GET", poll, Reply(200, hangup=True), Reply(200, hangup=True))
    result, said = recognize_noting(make("azure-read", cloud, clock, creds), photo)
    assert [w.text for w in result.document.words()] == TEXTS
    retries = [s for s in said if "retry" in s]
    assert len(retries) == 1 and "closed the connection without answering" in retries[0], said
    assert "; retry 1 in" in retries[0] and "try again later" not in retries[0]  # it is trying again


def test_an_upload_on_a_closed_connection_is_not_sent_again(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """An upload (a POST) may have been read and billed: never repeated, whatever the connection."""
    with_keys(env)
    cloud.script("POST", "/ocr/v1/recognizeText", Reply(200, hangup=True))
    with pytest.raises(ServiceError) as info:
        recognize_noting(make("yandex", cloud, clock, creds), photo)
    one_clear_line(info.value, "closed the connection without answering", "try again later")
    assert len(_on(cloud, "POST", "/ocr/v1/recognizeText")) == 1 and clock.sleeps == []


# --------------------------------------------------------------------------- a connection never taken


@pytest.mark.parametrize("name", ["yandex", "azure-read"])
def test_a_connection_never_taken_ends_at_the_connect_timeout_naming_the_setting(
    name: str, photo: Path, full_listener: str, creds, env
) -> None:  # noqa: ANN001
    """Before: "could not connect to HOST within 1 s; check the endpoint and the network", with no
    word of the setting that set the 1 s."""
    with_keys(env)
    policy = RetryPolicy(connect_timeout=1.0, read_timeout=5.0, total_timeout=60.0)
    cloud = FakeCloud()
    try:
        settings = {"yandex.ocr_endpoint": full_listener, "azure.endpoint": full_listener}
        p = make(name, cloud, None, creds, http=HttpConfig(policy=policy, timing=Timing()), **settings)
        t0 = time.monotonic()
        with pytest.raises(ProviderTimeout) as info:
            recognize_noting(p, photo)
        one_clear_line(
            info.value,
            f"could not connect to {full_listener.split('//', 1)[1]} within 1 s",
            "check the endpoint and the network",
            f"raise http.connect_timeout in {settings_path()}",
        )
        assert time.monotonic() - t0 < 30  # one connect timeout (an upload is not tried again)
    finally:
        cloud.close()


@pytest.mark.parametrize("name", PROVIDERS)
def test_the_ca_bundle_setting_trusts_a_certificate_and_a_missing_file_is_one_line(
    name: str, photo: Path, tls_cloud: tuple[FakeCloud, Path], tmp_path: Path, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """``http.ca_bundle`` in providers.json: the run is verified against that file (not turned off), and a
    path naming no file, or a file with no PEM certificate, is said as the setting's fault (nothing sent),
    not as the service's TLS."""
    with_keys(env)
    cloud, cert = tls_cloud
    p = make(name, cloud, clock, creds, **https_settings(cloud), **{"http.ca_bundle": str(cert)})
    result, _ = recognize_noting(p, photo)
    assert [w.text for w in result.document.words()] == TEXTS

    other, _ = make_certificate(tmp_path, name="other")  # a bundle that does not hold the server's CA
    p = make(name, cloud, clock, creds, **https_settings(cloud), **{"http.ca_bundle": str(other)})
    with pytest.raises(ServiceError) as info:
        recognize_noting(p, photo)
    one_clear_line(info.value, "is not trusted", "http.ca_bundle")

    missing = tmp_path / "no-such-ca.pem"
    p = make(name, cloud, clock, creds, **https_settings(cloud), **{"http.ca_bundle": str(missing)})
    sent = len(cloud.requests)
    with pytest.raises(ProviderError) as info:
        recognize_noting(p, photo)
    one_clear_line(info.value, f"the http.ca_bundle setting names '{missing}', which is no file", "PEM")
    assert len(cloud.requests) == sent

    not_pem = tmp_path / "ca.der"  # a file, but no PEM certificate in it (a DER file, a key, a typo)
    not_pem.write_bytes(b"0\x82\x01\x0a not a PEM file")
    p = make(name, cloud, clock, creds, **https_settings(cloud), **{"http.ca_bundle": str(not_pem)})
    with pytest.raises(ProviderError) as info:
        recognize_noting(p, photo)
    one_clear_line(info.value, f"names '{not_pem}', which holds no PEM certificate", "give the path of a PEM")
    assert len(cloud.requests) == sent
