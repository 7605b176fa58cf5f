"""``ocrviewer recognize`` (one image and a batch) against faulty loopback servers, as a person runs
it: the timeouts come from the settings file, the answer is one ``ocrviewer: error:`` line, an
earlier response is never overwritten, and a batch records each failure and goes on."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrviewer.providers.settings import save_settings, settings_path
from tests.support.cli import one_error_line, run
from tests.support.images import DEFAULT_WORDS, make_text_image

from .servers import AZURE_KEY, YANDEX_KEY, FakeCloud, Recorded, Reply

TEXTS = [w for w, _ in DEFAULT_WORDS]
EARLIER = b'{"kept": "an earlier response"}'
#: provider -> the path its image goes to
UPLOAD = {
    "yandex": "/ocr/v1/recognizeText",
    "yandex-async": "/ocr/v1/recognizeTextAsync",
    "azure-read": "/vision/v3.2/read/analyze",
    "azure-image-analysis": "/computervision/imageanalysis:analyze",
}


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    server = FakeCloud(running_polls=1, texts=TEXTS)
    yield server
    server.close()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCRVIEWER_YANDEX_API_KEY", YANDEX_KEY)
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", AZURE_KEY)
    # short limits, set where a person sets them; polls 1 s apart at most
    save_settings({"http.read_timeout": 1, "http.total_timeout": 60, "http.poll_interval": 0.05})


def endpoint_args(provider: str, cloud: FakeCloud) -> list[str]:
    extra = ["--operation-endpoint", cloud.url] if provider == "yandex-async" else []
    return ["-p", provider, "--endpoint", cloud.url, *extra]


def the_error(err: str, *needles: str) -> str:
    """The one ``ocrviewer: error:`` line of ``err`` (progress lines around it), holding ``needles``."""
    return one_error_line(
        "\n".join(ln for ln in err.splitlines() if ln.startswith("ocrviewer: error:")), *needles
    )


def no_secret(*texts: str) -> None:
    for text in texts:
        assert AZURE_KEY not in text and YANDEX_KEY not in text and "Traceback" not in text


@pytest.mark.parametrize("provider", list(UPLOAD))
def test_a_server_that_never_answers_ends_at_the_read_timeout_and_keeps_the_earlier_response(
    provider: str, tmp_path: Path, cloud: FakeCloud, keys: None, capsys
) -> None:  # noqa: ANN001
    photo = make_text_image(tmp_path / "photo.jpg", orientation=6)
    out = tmp_path / "photo.json"
    out.write_bytes(EARLIER)
    cloud.script("POST", UPLOAD[provider], Reply(200, {}, delay=600))
    code, stdout, err = run(capsys, "recognize", photo, *endpoint_args(provider, cloud), "-o", out, "--fresh")
    assert code == 1 and stdout == ""
    host = cloud.url.split("//", 1)[1]
    # the server and the setting that cut it, where it is set (before: neither was named)
    the_error(
        err,
        f"{host} did not answer within 1 s",
        "try again later",
        f"raise http.read_timeout in {settings_path()}",
    )
    assert out.read_bytes() == EARLIER and not (tmp_path / "photo.json.ocrviewer.json").exists()
    no_secret(stdout, err)


SLOW_STAGES = [
    ("yandex", "POST", UPLOAD["yandex"]),
    ("azure-image-analysis", "POST", UPLOAD["azure-image-analysis"]),
    ("azure-read", "GET", "/vision/v3.2/read/analyzeResults/"),
    ("yandex-async", "GET", "/ocr/v1/getRecognition"),
]


@pytest.mark.parametrize(
    ("provider", "method", "path"), SLOW_STAGES, ids=[f"{s[0]}-{s[1]}" for s in SLOW_STAGES]
)
def test_a_body_trickling_forever_ends_at_the_total_time_limit(
    provider: str, method: str, path: str, tmp_path: Path, cloud: FakeCloud, keys: None, capsys
) -> None:  # noqa: ANN001
    """Slowloris: headers at once, then a byte every 0.2 s, so no single read waits the 1 s read
    timeout; the run still ends at its total limit (3 s), in one line naming the setting."""
    save_settings({"http.total_timeout": 3})
    photo = make_text_image(tmp_path / "photo.jpg")
    cloud.script(method, path, Reply(200, b"{" + b" " * 100_000 + b"}", trickle=0.2))
    t0 = time.monotonic()
    code, stdout, err = run(
        capsys, "recognize", photo, *endpoint_args(provider, cloud), "-o", tmp_path / "r.json", "--no-cache"
    )
    took = time.monotonic() - t0
    assert code == 1
    the_error(err, "did not finish", "within 3 s", f"raise http.total_timeout in {settings_path()}")
    assert took < 30, took  # 3 s and the machine's slack; the body alone would take 5 h
    no_secret(stdout, err)


@pytest.mark.parametrize(
    "location",
    ["http://[::1", "ftp://127.0.0.1/op"],
)
def test_an_operation_location_that_is_no_url_is_one_error_line(
    location: str, tmp_path: Path, cloud: FakeCloud, keys: None, capsys
) -> None:  # noqa: ANN001
    """Before: ``ValueError: Invalid IPv6 URL`` and its traceback."""
    photo = make_text_image(tmp_path / "photo.jpg")
    out = tmp_path / "photo.json"
    out.write_bytes(EARLIER)
    cloud.script("POST", UPLOAD["azure-read"], Reply(202, b"", {"Operation-Location": location}))
    code, stdout, err = run(
        capsys, "recognize", photo, *endpoint_args("azure-read", cloud), "-o", out, "--fresh"
    )
    assert code == 1
    the_error(err, "Operation-Location", "check the endpoint")
    assert out.read_bytes() == EARLIER
    no_secret(stdout, err)


def test_an_unforeseen_error_is_one_line_without_the_key(
    tmp_path: Path, cloud: FakeCloud, keys: None, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """A bug met while reading an answer (here the parser raising a KeyError that quotes the key)
    is one line saying so, as a batch records it, never a traceback or the key."""
    from ocrviewer.providers import yandex

    def broken(raw: bytes, suffix: str, service: str):  # noqa: ANN202
        raise KeyError(f"no field, key {YANDEX_KEY}")

    monkeypatch.setattr(yandex, "document_of_raw", broken)
    photo = make_text_image(tmp_path / "photo.jpg")
    code, stdout, err = run(
        capsys, "recognize", photo, *endpoint_args("yandex", cloud), "-o", tmp_path / "r.json", "--no-cache"
    )
    assert code == 1
    the_error(err, "unexpected error (KeyError", "please report it")
    no_secret(stdout, err)


@pytest.mark.parametrize("provider", ["yandex", "azure-read", "azure-image-analysis"])
def test_a_batch_records_each_servers_fault_and_goes_on(
    provider: str, tmp_path: Path, cloud: FakeCloud, keys: None, capsys
) -> None:  # noqa: ANN001
    """Five scans, four faulty answers to the upload (a field refused, too large, a sign-in page, an
    answer cut short; for Read an Operation-Location that is no URL) and one good one: every fault
    recorded in the manifest in one line, the batch goes on, the good result saved."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(5):
        make_text_image(folder / f"scan{i}.png")
    faults = [
        (Reply(400, {"error": {"code": "InvalidArgument", "message": "bad 'language'"}}), "bad 'language'"),
        (Reply(413, {"error": {"code": "InvalidImageSize", "message": "too big"}}), "too large"),
        (Reply(200, b"<html><title>Sign in</title></html>"), "'Sign in'"),
        (Reply(200, {"result": "y" * 200}, cut=True), "cut while it answered"),
    ]
    if provider == "azure-read":
        faults[2] = (Reply(202, b"", {"Operation-Location": "http://[::1"}), "Operation-Location")
    left = [reply for reply, _ in faults]

    def fault_for_some(rec: Recorded) -> None:
        if rec.method == "POST" and left:
            cloud.script("POST", rec.path, left.pop(0))

    cloud.on_request = fault_for_some
    outdir = tmp_path / "out"
    code, stdout, err = run(
        capsys,
        "recognize",
        folder,
        *endpoint_args(provider, cloud),
        "-o",
        outdir,
        "--yes",
        "-j",
        "1",
        "--rate",
        "100",
    )
    assert code == 1
    records = [json.loads(line) for line in (outdir / "manifest.jsonl").read_text().splitlines()]
    assert sorted(r["status"] for r in records) == ["done"] + ["failed"] * 4
    reasons = [r["reason"] for r in records if r["status"] == "failed"]
    for words in (w for _, w in faults):
        assert any(words in reason for reason in reasons), (words, reasons)
    for reason in reasons:
        assert "\n" not in reason and "unexpected error" not in reason
    (done,) = [r for r in records if r["status"] == "done"]
    assert (outdir / done["response"]).is_file()
    no_secret(stdout, err, (outdir / "manifest.jsonl").read_text())
