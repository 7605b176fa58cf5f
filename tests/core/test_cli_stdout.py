"""Writing to standard output (``-o -``, ``-o /dev/stdout``): the data alone on stdout, every
message on stderr, and nothing written beside it (no sidecar, no temporary file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocrviewer.cli import main
from tests.support import responses as R
from tests.support.images import make_text_image

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def photo_and_response(tmp_path: Path) -> tuple[Path, Path]:
    image = make_text_image(tmp_path / "photo.jpg")
    return image, R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))


# (not /dev/stdout here: with pytest's capture, fd 1 is a regular file, and before the fix the
# export renamed its file over /dev/stdout itself; the piped run below covers that name)
@pytest.mark.parametrize("target", ["-", "/proc/self/fd/1"])
@pytest.mark.parametrize(("to", "check"), [("json", "json"), ("hocr", "html"), ("pdf", "%PDF")])
def test_export_to_stdout_writes_only_the_data(
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    photo_and_response,
    tmp_path: Path,
    target: str,
    to: str,
    check: str,
) -> None:
    image, resp = photo_and_response
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["export", str(image), "-r", str(resp), "--to", to, "-o", target])
    out, err = capfd.readouterr()
    assert code == 0, err
    if check == "json":
        assert json.loads(out)["schema"] == "ocrviewer.document/1"
    elif check == "html":
        assert out.lstrip().startswith("<?xml") and out.rstrip().endswith("</html>")
    else:
        assert out.startswith("%PDF") and "wrote" not in out
    assert "wrote" in err  # the message is still given, where it does not mix with the data
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file named '-', no temporary file


def test_render_to_stdout_writes_a_png(capfdbinary: pytest.CaptureFixture[bytes], photo_and_response) -> None:
    image, resp = photo_and_response
    code = main(["render", str(image), "-r", str(resp), "-o", "-"])
    out, err = capfdbinary.readouterr()
    assert code == 0, err
    assert out.startswith(b"\x89PNG\r\n\x1a\n") and b"wrote" not in out
    assert b"wrote standard output" in err or b"wrote -" in err


def test_export_piped_through_dev_stdout_is_valid_json(photo_and_response, tmp_path: Path) -> None:
    """As a user pipes it: ``ocrviewer export ... -o /dev/stdout | jq``; the 'wrote' line went into the pipe."""
    image, resp = photo_and_response
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    proc = subprocess.run(
        [sys.executable, "-m", "ocrviewer", "export", str(image), "-r", str(resp), "-o", "/dev/stdout"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["schema"] == "ocrviewer.document/1"
    assert b"wrote /dev/stdout" in proc.stderr


def test_export_through_a_descriptor_name_when_stdout_is_a_file(photo_and_response, tmp_path: Path) -> None:
    """``-o /proc/self/fd/1 > out.json``: written into the file the shell opened (a rename into
    /proc/self/fd failed, and into /dev would replace /dev/stdout itself)."""
    image, resp = photo_and_response
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    target = tmp_path / "out.json"
    with open(target, "wb") as sink:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "ocrviewer",
                "export",
                str(image),
                "-r",
                str(resp),
                "-o",
                "/proc/self/fd/1",
            ],
            stdout=sink,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(target.read_bytes())["schema"] == "ocrviewer.document/1"
    assert b"wrote" in proc.stderr


def test_compare_json_to_stdout_keeps_the_table_off_it(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    image = make_text_image(tmp_path / "photo.jpg")
    ref = R.write_response(tmp_path / "ref.json", R.build_response("azure-v3"))
    res = R.write_response(tmp_path / "res.json", R.build_response("yandex"))
    code = main(["compare", str(image), str(ref), str(res), "--json", "-"])
    out, err = capfd.readouterr()
    assert code == 0, err
    json.loads(out)
    assert "wrote" in err
