"""The benchmark suite's quick mode runs end to end, so the suite cannot rot unnoticed.

No timing is asserted here: speed targets live in the benchmarks' own table (python -m benchmarks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.cases import CASES
from benchmarks.harness import Result, Skip, Target

REPO = Path(__file__).resolve().parent.parent


def test_quick_benchmarks_run_and_write_every_case(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--json",
            str(out),
            "--out-dir",
            str(tmp_path / "in"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["schema"] == "ocrviewer.bench/1"
    assert report["mode"] == "quick"
    assert [c["name"] for c in report["cases"]] == list(CASES)
    for case in report["cases"]:
        # every case ran and measured something; quick times mean nothing, so MISS is fine here
        assert case["status"] in {"PASS", "MISS", "INFO"}, case
        assert case["value"] is not None, case
    # The table reached the terminal too.
    for name in CASES:
        assert name in proc.stdout


def _slow_case(ctx) -> Result:  # noqa: ANN001
    return Result("slow", "always misses", Target("max", 0.0)).finish(1.0)


def _broken_case(ctx) -> Result:  # noqa: ANN001
    raise RuntimeError("this case is broken")


def _skipped_case(ctx) -> Result:  # noqa: ANN001
    raise Skip("what it measures is missing")


def _fine_case(ctx) -> Result:  # noqa: ANN001
    return Result("fine", "always passes", Target("max", 10.0)).finish(1.0)


@pytest.mark.parametrize(
    ("case", "quick", "code"),
    [
        (_fine_case, True, 0),
        (_fine_case, False, 0),
        (_broken_case, True, 1),
        (_broken_case, False, 1),
        (_skipped_case, True, 1),
        (_skipped_case, False, 1),
        (_slow_case, True, 0),  # quick mode: times mean nothing
        (_slow_case, False, 1),  # a full run that misses a target fails
    ],
    ids=[
        "pass-quick",
        "pass-full",
        "error-quick",
        "error-full",
        "skip-quick",
        "skip-full",
        "miss-quick",
        "miss-full",
    ],
)
def test_exit_status_says_whether_every_case_ran_and_met_its_target(
    case, quick: bool, code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    from benchmarks import data, run

    monkeypatch.setitem(run.CASES, "probe", case)
    monkeypatch.setattr(data, "FULL", data.QUICK)  # the full run's verdicts, on the quick inputs
    args = [
        "--only",
        "probe",
        "--repeat",
        "1",
        "--json",
        str(tmp_path / "r.json"),
        "--out-dir",
        str(tmp_path),
    ]
    assert run.main([*(["--quick"] if quick else []), *args]) == code
    err = capsys.readouterr().err
    assert ("did not run: probe" in err or "missed the target: probe" in err) == bool(code)


def test_generated_inputs_are_deterministic_and_parse_to_the_asked_words(tmp_path: Path) -> None:
    import hashlib

    from benchmarks.data import QUICK, generate
    from ocrviewer.core.imageio import read_image_info
    from ocrviewer.core.parsers import load_response

    first = generate(tmp_path / "a", QUICK, log=lambda _msg: None)
    second = generate(tmp_path / "b", QUICK, log=lambda _msg: None)

    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    for name, path in first.responses.items():
        assert digest(path) == digest(second.responses[name]), name
        tier = name.rsplit("-", 1)[1]
        assert sum(1 for _ in load_response(path).words()) == QUICK.words[tier], name
    assert digest(first.page_jpeg) == digest(second.page_jpeg)
    photo = read_image_info(first.photo_jpeg)
    assert photo.orientation == 6
    assert photo.display_size == QUICK.photo


def test_the_benchmark_screen_works_in_a_checkout_under_a_non_ascii_path(tmp_path: Path) -> None:
    """Qt reads the offscreen platform's configfile as Latin-1: under "Мои проекты" the quick benchmarks
    aborted (SIGABRT, 'Could not find platform config file')."""
    from benchmarks.screen import SCREEN_CONFIG, offscreen_platform

    folder = tmp_path / "Мои проекты"
    folder.mkdir()
    config = folder / SCREEN_CONFIG.name
    config.write_bytes(SCREEN_CONFIG.read_bytes())
    platform = offscreen_platform(config)
    assert platform.isascii() and platform.startswith("offscreen:configfile=")
    code = "from PySide6.QtWidgets import QApplication\napp = QApplication([])\nprint(app.primaryScreen().name())\n"
    env = dict(os.environ, QT_QPA_PLATFORM=platform)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "bench-1920x1080"
