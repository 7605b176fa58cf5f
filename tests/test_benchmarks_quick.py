"""The benchmark suite's quick mode runs end to end, so the suite cannot rot unnoticed.

No timing is asserted here: speed targets live in the benchmarks' own table (python -m benchmarks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.cases import CASES

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
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["schema"] == "ocrviewer.bench/1"
    assert report["mode"] == "quick"
    assert [c["name"] for c in report["cases"]] == list(CASES)
    for case in report["cases"]:
        assert case["status"] in {"PASS", "MISS", "INFO", "SKIP", "ERROR"}
    # The table reached the terminal too.
    for name in CASES:
        assert name in proc.stdout
