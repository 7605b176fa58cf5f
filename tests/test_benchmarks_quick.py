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
        timeout=900,
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
