"""A reader that closes standard output early (``ocrviewer info doc.pdf | head -1``): every
command stops quietly with status 141 (128 + SIGPIPE, what a shell reports for a C tool SIGPIPE
stopped), no traceback, no 'Exception ignored' line, and a file it finished stays written.

Real pipes, real processes: the read end is closed before the command starts (so the first write
meets it, however small the output), or closed by a reader after the first bytes, as ``head`` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrviewer.cli import COMMANDS, EXIT_PIPE_CLOSED
from tests.providers.servers import YANDEX_KEY, FakeCloud
from tests.support import responses as R
from tests.support.documents import make_batch_outdir, make_pdf
from tests.support.images import DEFAULT_WORDS, make_text_image

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGPIPE and poll() are POSIX")


def _env() -> dict[str, str]:
    """The commands' environment; standard output buffered, as a person's is (PYTHONUNBUFFERED, set
    on some machines that run these tests, hid the --help case: its text met the pipe only at exit)."""
    return {
        **{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
    }


def run_into_closed_pipe(
    args: list[str], cwd: Path, both: bool = False
) -> subprocess.CompletedProcess[bytes]:
    """``ocrviewer ARGS`` with standard output (``both``: and standard error) a pipe nobody reads."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "ocrviewer", *args],
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=write_end if both else subprocess.PIPE,
            env=_env(),
            cwd=cwd,
            timeout=300,
        )
    finally:
        os.close(write_end)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("closed-pipe")
    image = make_text_image(d / "photo.jpg")
    return {
        "dir": d,
        "image": image,
        "response": R.write_response(d / "r.json", R.build_response("azure-v3")),
        "other": R.write_response(d / "y.json", R.build_response("yandex")),
        "pdf": make_pdf(d / "doc.pdf", 3),
        "outdir": make_batch_outdir(d)[1],
    }


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    server = FakeCloud(running_polls=1, texts=[w for w, _ in DEFAULT_WORDS])
    yield server
    server.close()


#: command -> its command lines that write to standard output ({name}: a file of the fixture)
CASES: dict[str, list[list[str]]] = {
    "info": [["info", "{pdf}"], ["info", "{image}", "-r", "{response}"]],
    "export": [
        ["export", "{image}", "-r", "{response}", "-o", "-"],
        ["export", "{image}", "-r", "{response}", "--to", "hocr", "-o", "/dev/stdout"],
        ["export", "{image}", "-r", "{response}", "--to", "pdf", "-o", "-"],
    ],
    "render": [["render", "{image}", "-r", "{response}", "-o", "-"]],
    "compare": [
        ["compare", "{image}", "{response}", "{other}"],
        ["compare", "{image}", "{response}", "{other}", "--json", "-"],
    ],
    "providers": [["providers"]],
    "credentials": [["credentials", "delete", "yandex"]],
    "manifest": [["manifest", "list", "{outdir}"]],
    "view": [["view", "--help"]],
    "recognize": [],  # below, against a loopback server
}


def _cases() -> Iterator[object]:
    for command, lines in CASES.items():
        for i, line in enumerate(lines):
            yield pytest.param(line, id=f"{command}-{i}")
    for line in (["--help"], ["--version"], ["compare", "--help"]):
        yield pytest.param(line, id=" ".join(line))


def test_every_command_is_covered() -> None:
    assert set(CASES) == set(COMMANDS)


def _quiet(proc: subprocess.CompletedProcess[bytes]) -> None:
    assert proc.returncode == EXIT_PIPE_CLOSED, proc.stderr
    assert b"Traceback" not in (proc.stderr or b"") and b"Exception ignored" not in (proc.stderr or b"")
    assert b"rror" not in (proc.stderr or b""), proc.stderr  # no 'error:', no 'BrokenPipeError'


@pytest.mark.parametrize("line", list(_cases()))
def test_a_closed_standard_output_stops_the_command_quietly(files: dict[str, Path], line: list[str]) -> None:
    args = [a.format(**files) for a in line]
    _quiet(run_into_closed_pipe(args, files["dir"]))


@pytest.mark.parametrize(
    "line", [["info", "{pdf}"], ["export", "{image}", "-r", "{response}", "-o", "-"]], ids=["info", "export"]
)
def test_output_and_errors_into_one_closed_pipe(files: dict[str, Path], line: list[str]) -> None:
    """``ocrviewer ... 2>&1 | head -1``: the messages cannot be shown either; still no hang, status 141."""
    proc = run_into_closed_pipe([a.format(**files) for a in line], files["dir"], both=True)
    assert proc.returncode == EXIT_PIPE_CLOSED


def test_a_file_written_before_the_pipe_closed_stays_whole(files: dict[str, Path], tmp_path: Path) -> None:
    """Only the 'wrote ...' line met the closed pipe: the export itself is complete and valid."""
    out = tmp_path / "out.json"
    _quiet(
        run_into_closed_pipe(
            ["export", str(files["image"]), "-r", str(files["response"]), "-o", str(out)], tmp_path
        )
    )
    assert json.loads(out.read_bytes())["schema"] == "ocrviewer.document/1"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_head_closing_after_the_first_bytes(tmp_path: Path) -> None:
    """``ocrviewer render ... -o - | head -c 8``: the reader takes the PNG signature and goes; the
    4 MB image cannot fit in the pipe, so the writer meets the closed end mid-way."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ocrviewer",
            "render",
            str(SAMPLES / "receipt.jpg"),
            "-r",
            str(SAMPLES / "receipt.local.json"),
            "-o",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    with proc.stdout, proc.stderr:
        assert proc.stdout.read(8) == b"\x89PNG\r\n\x1a\n"
        proc.stdout.close()
        err = proc.stderr.read()
    assert proc.wait(timeout=300) == EXIT_PIPE_CLOSED, err
    assert b"Traceback" not in err and b"rror" not in err, err


def test_head_in_a_shell_pipeline(files: dict[str, Path]) -> None:
    """``info doc.pdf | head -1`` through bash with pipefail: the first line is there, nothing on the
    terminal, and the pipeline's status is 0 or ocrviewer's 141 (which one depends on whether head
    was still reading at the one write; the closed-pipe cases above are the deterministic ones)."""
    bash = "/bin/bash"
    if not os.path.exists(bash):
        pytest.skip("no /bin/bash")
    script = f'set -o pipefail; "{sys.executable}" -m ocrviewer info "{files["pdf"]}" | head -1'
    proc = subprocess.run(
        [bash, "-c", script], capture_output=True, env=_env(), cwd=files["dir"], timeout=300
    )
    assert proc.stdout.decode().startswith("document: ")
    assert proc.stdout.count(b"\n") == 1
    assert b"Traceback" not in proc.stderr and b"rror" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, EXIT_PIPE_CLOSED)  # 0 when head was still reading at the one write


def test_recognize_and_a_batch_into_a_closed_pipe(
    tmp_path: Path, cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The response to standard output, and a batch's summary line: quiet, and the batch's files
    and the cached response are kept (run again, nothing is sent twice)."""
    monkeypatch.setenv("OCRVIEWER_YANDEX_API_KEY", YANDEX_KEY)
    image = make_text_image(tmp_path / "photo.png")
    _quiet(
        run_into_closed_pipe(
            ["recognize", str(image), "-p", "yandex", "--endpoint", cloud.url, "-o", "-"], tmp_path
        )
    )
    sent = len(cloud.uploads)
    assert sent == 1
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(2):  # not the photo above: each its own request
        make_text_image(folder / f"scan{i}.png", display_size=(660 + 8 * i, 480))
    out = tmp_path / "out"
    args = ["recognize", str(folder), "-p", "yandex", "--endpoint", cloud.url, "-o", str(out), "--yes"]
    _quiet(run_into_closed_pipe(args, tmp_path))
    records = [json.loads(ln) for ln in (out / "manifest.jsonl").read_text().splitlines()]
    assert sorted(r["status"] for r in records) == ["done", "done"]
    # the one image again, to a file: from the cache, not sent again
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocrviewer",
            "recognize",
            str(image),
            "-p",
            "yandex",
            "--endpoint",
            cloud.url,
            "-o",
            str(tmp_path / "r.json"),
        ],
        capture_output=True,
        env=_env(),
        cwd=tmp_path,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert len(cloud.uploads) == sent + 2  # the batch's two, and none for the cached one
