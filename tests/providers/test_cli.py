"""The commands as a person uses them: recognize then export, providers, credentials, Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from ocrviewer.cli import main
from ocrviewer.core.model import polygon_bbox
from ocrviewer.core.sidecar import sidecar_path
from ocrviewer.providers.settings import save_settings
from tests.support.images import DEFAULT_WORDS, make_text_image

from .servers import AZURE_KEY, YANDEX_KEY, FakeCloud

TEXTS = [w for w, _ in DEFAULT_WORDS]


@pytest.fixture(params=["ignore", "apply"], ids=["exif-ignoring-server", "exif-applying-server"])
def flavoured_cloud(request: pytest.FixtureRequest) -> Iterator[FakeCloud]:
    server = FakeCloud(exif=request.param, texts=TEXTS)
    yield server
    server.close()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCRVIEWER_YANDEX_API_KEY", YANDEX_KEY)
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", AZURE_KEY)
    save_settings({"http.poll_interval": 0.01})  # real waits, but tiny


def exported_boxes(path: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    doc = json.loads(path.read_text())
    return [
        (w["text"], polygon_bbox(tuple(tuple(p) for p in w["polygon"])))
        for page in doc["pages"]
        for block in page["blocks"]
        for line in block["lines"]
        for w in line["words"]
    ]


@pytest.mark.parametrize(
    ("provider", "extra", "orientation"),
    [
        ("yandex", [], 6),
        ("yandex-async", ["--lang", "ru,en", "--model", "handwritten"], 8),
        ("azure-read", ["--api-version", "2.0", "--mode", "Handwritten"], 5),
        ("azure-read", ["--api-version", "2.1"], 7),
        ("azure-read", ["--api-version", "3.2", "--lang", "en"], 3),
        ("azure-image-analysis", [], 6),
    ],
)
def test_recognize_then_export_lands_on_the_displayed_text(
    provider: str,
    extra: list[str],
    orientation: int,
    flavoured_cloud: FakeCloud,
    keys: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    photo = make_text_image(tmp_path / "photo.jpg", orientation=orientation)
    resp = tmp_path / "resp.json"
    endpoint = ["--endpoint", flavoured_cloud.url]
    if provider == "yandex-async":
        endpoint += ["--operation-endpoint", flavoured_cloud.listen()]
    code = main(["recognize", str(photo), "--provider", provider, *extra, *endpoint, "-o", str(resp)])
    err = capsys.readouterr()
    assert code == 0, err.err
    assert "5 words" in err.out and "%" in err.err  # a summary, and progress on stderr
    assert resp.is_file() and sidecar_path(resp).is_file()

    out = tmp_path / "export.json"
    assert main(["export", str(photo), "-r", str(resp), "-o", str(out)]) == 0
    got = exported_boxes(out)
    assert [t for t, _ in got] == TEXTS
    for (text, box), (_, want) in zip(got, DEFAULT_WORDS, strict=True):
        assert box == pytest.approx(want, abs=2.0), (text, box, want)


def test_failure_is_one_line_and_nonzero(
    tmp_path: Path, cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", "wrong-key-5555")
    photo = make_text_image(tmp_path / "p.jpg")
    resp = tmp_path / "r.json"
    code = main(
        ["recognize", str(photo), "-p", "azure-image-analysis", "--endpoint", cloud.url, "-o", str(resp)]
    )
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert code == 1 and last.startswith("ocrviewer: error: Azure Image Analysis refused the credentials")
    assert "check the key" in last and "wrong-key-5555" not in err
    assert not resp.exists()


def test_refuses_output_equal_to_the_image(tmp_path: Path, cloud: FakeCloud, keys: None, capsys) -> None:  # noqa: ANN001
    photo = make_text_image(tmp_path / "p.jpg")
    before = photo.read_bytes()
    assert main(["recognize", str(photo), "-p", "yandex", "--endpoint", cloud.url, "-o", str(photo)]) == 1
    assert "that is the image itself" in capsys.readouterr().err
    assert photo.read_bytes() == before


def test_ctrl_c_cancels_cleanly_with_exit_130(tmp_path: Path, cloud: FakeCloud, keys: None, capsys) -> None:  # noqa: ANN001
    save_settings({"http.poll_interval": 30})
    cloud.running_polls = 100
    fired = threading.Event()

    def on_request(rec) -> None:  # noqa: ANN001
        if rec.method == "GET" and not fired.is_set():
            # The first poll, while the worker waits for this answer: Ctrl-C now, no timer to race.
            fired.set()
            os.kill(os.getpid(), signal.SIGINT)

    cloud.on_request = on_request
    photo = make_text_image(tmp_path / "p.jpg")
    resp = tmp_path / "r.json"
    code = main(["recognize", str(photo), "-p", "azure-read", "--endpoint", cloud.url, "-o", str(resp)])
    assert fired.is_set() and code == 130
    assert "cancelled" in capsys.readouterr().err
    # the worker stops (it would otherwise poll every 30 s for 100 polls) and writes nothing
    for thread in threading.enumerate():
        if thread.name == "ocrviewer-recognize":
            thread.join(60)
            assert not thread.is_alive()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jpg"]
    assert len(cloud.requests) == 2  # the upload and the one poll


def test_providers_lists_each_with_its_state(
    cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", AZURE_KEY)
    monkeypatch.setenv("OCRVIEWER_AZURE_ENDPOINT", cloud.url)
    assert main(["providers"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert {"yandex", "yandex-async", "azure-read", "azure-image-analysis"} <= set(lines)
    assert lines["azure-read"].endswith("ready")
    assert "OCRVIEWER_YANDEX_API_KEY" in lines["yandex"]


def test_credentials_set_reads_stdin_and_never_echoes(
    memory_keyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys,  # noqa: ANN001
) -> None:
    secret = "yc-secret-from-stdin-31337"
    monkeypatch.setattr("sys.stdin", io.StringIO(secret + "\n"))
    assert main(["credentials", "set", "yandex"]) == 0
    out = capsys.readouterr()
    assert secret not in out.out + out.err and "keyring" in out.out
    assert memory_keyring.store[("ocrviewer", "yandex.api_key")] == secret

    monkeypatch.setattr("sys.stdin", io.StringIO("az-key-777777\n"))
    assert (
        main(["credentials", "set", "azure", "--endpoint", "https://res.cognitiveservices.azure.com/"]) == 0
    )
    assert memory_keyring.store[("ocrviewer", "azure.key")] == "az-key-777777"
    saved = Path(os.environ["XDG_CONFIG_HOME"], "ocrviewer", "providers.json").read_text()
    assert json.loads(saved) == {"azure.endpoint": "https://res.cognitiveservices.azure.com"}
    assert "az-key" not in saved
    capsys.readouterr()
    assert main(["providers"]) == 0
    assert "azure-read            Azure Read: ready" in capsys.readouterr().out

    assert main(["credentials", "delete", "yandex"]) == 0
    assert ("ocrviewer", "yandex.api_key") not in memory_keyring.store
    assert "deleted api key" in capsys.readouterr().out


def test_credentials_set_without_a_keyring_says_to_use_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    keyring.set_keyring(fail.Keyring())
    stdin = io.StringIO("az-key-888888\n")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["credentials", "set", "azure-read"]) == 1
    captured = capsys.readouterr()
    err = captured.err
    assert "no usable system keyring" in err and "OCRVIEWER_AZURE_KEY" in err and "az-key-888888" not in err
    # one line, said before the key is asked for (it is not read), and no "stored ... in memory"
    assert len(err.strip().splitlines()) == 1 and "was not stored" in err, err
    assert stdin.read() == "az-key-888888\n" and "stored" not in captured.out


def test_empty_secret_is_refused(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["credentials", "set", "azure"]) == 1
    assert "no Azure key given" in capsys.readouterr().err


@pytest.mark.parametrize(("key", "value"), [("http.read_timeout", "abc"), ("azure.read_max_mb", -4)])
def test_a_bad_number_in_the_settings_file_is_one_line(
    tmp_path: Path, cloud: FakeCloud, keys: None, capsys, key: str, value: object
) -> None:  # noqa: ANN001
    from ocrviewer.providers.settings import settings_path

    path = settings_path()
    path.write_text(json.dumps({**json.loads(path.read_text()), key: value}))
    photo = make_text_image(tmp_path / "p.jpg")
    code = main(
        ["recognize", str(photo), "-p", "azure-read", "--endpoint", cloud.url, "-o", str(tmp_path / "r")]
    )
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert str(path) in err and key in err and "positive number" in err and "Traceback" not in err
    assert cloud.requests == []


def test_a_service_echoing_the_key_in_a_malformed_answer_does_not_leak_it(
    tmp_path: Path, cloud: FakeCloud, keys: None, capsys
) -> None:  # noqa: ANN001
    from .servers import Reply

    cloud.script("POST", "/computervision/", Reply(200, f"<html>bad gateway for key {AZURE_KEY}".encode()))
    photo = make_text_image(tmp_path / "p.jpg")
    code = main(
        [
            "recognize",
            str(photo),
            "-p",
            "azure-image-analysis",
            "--endpoint",
            cloud.url,
            "-o",
            str(tmp_path / "r"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "sent a web page ('bad gateway for key ***') instead of a response in JSON" in err
    assert AZURE_KEY not in err


def test_plain_http_to_another_host_needs_allow_insecure_http(tmp_path: Path, keys: None, capsys) -> None:  # noqa: ANN001
    from ocrviewer.cli import build_parser
    from ocrviewer.cli.provider_cmds import runtime_settings
    from ocrviewer.providers.base import get_provider

    photo = make_text_image(tmp_path / "p.jpg")
    resp = tmp_path / "r.json"
    argv = [
        "recognize",
        str(photo),
        "-p",
        "azure-read",
        "--endpoint",
        "http://ocr.example.com",
        "-o",
        str(resp),
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "keys would travel unencrypted" in err and "--allow-insecure-http" in err
    assert not resp.exists()
    args = build_parser().parse_args([*argv, "--allow-insecure-http"])
    settings = runtime_settings(args, "azure-read")
    assert get_provider("azure-read", settings).unavailable_reason() is None  # the user insisted


@pytest.mark.parametrize("target", ["-", "/proc/self/fd/1"])
def test_recognize_to_stdout_writes_the_raw_response_alone(
    cloud: FakeCloud,
    keys: None,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    """``-o -``: the response exactly as received on stdout, the 'wrote' line on stderr, and no
    sidecar (before: '/dev/stdout.ocrviewer.json' was created in /dev, and '-' a file in the folder)."""
    photo = make_text_image(tmp_path / "p.jpg")
    monkeypatch.chdir(tmp_path)
    code = main(["recognize", str(photo), "-p", "azure-read", "--endpoint", cloud.url, "-o", target])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert json.loads(out)["status"] == "succeeded"
    assert "wrote standard output" in err and "no sidecar" in err and "saved to standard output" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jpg"]


def test_recognize_a_folder_to_stdout_is_one_line(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)  # before the fix, the batch went into a folder named '-' here
    (tmp_path / "pages").mkdir()
    make_text_image(tmp_path / "pages" / "a.jpg")
    assert main(["recognize", str(tmp_path / "pages"), "-o", "-"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "give -o a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages"]


def test_a_batch_of_the_current_folder_names_skipped_entries_as_they_are(
    tmp_path: Path, capsys, monkeypatch
) -> None:  # noqa: ANN001
    """'recognize .': a skipped entry was named '/gone.jpg' (the folder '.' has no name), which reads as
    a file at the root; a newline in a page's name split its progress line."""
    make_text_image(tmp_path / "page\n1.jpg")
    (tmp_path / "gone.jpg").symlink_to(tmp_path / "elsewhere.jpg")
    monkeypatch.chdir(tmp_path)
    assert main(["recognize", ".", "-p", "local", "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "note: gone.jpg skipped: a symbolic link to" in err and "/gone.jpg" not in err
    progress = [ln for ln in err.splitlines() if "[1/1]" in ln]
    assert progress and "page\\n1.jpg: done" in progress[0]
