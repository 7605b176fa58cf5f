"""Project-level promises: the core stays Qt-free, lint is clean, the README's commands are what CI runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_core_and_providers_never_import_qt() -> None:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_core_does_not_load_qt() -> None:
    code = (
        "import sys, ocrviewer.core.model, ocrviewer.core.geometry, ocrviewer.core.imageio, "
        "ocrviewer.core.prepare, ocrviewer.providers.base, ocrviewer.cli; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ruff_is_clean() -> None:
    exe = shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [exe, "check", "ocrviewer", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme, flags=re.S)
    assert len(blocks) >= 2
    run_cmd, test_cmd = blocks[0].strip(), blocks[1].strip()
    assert "ocrviewer" in run_cmd and "install" in run_cmd
    assert "pytest" in test_cmd
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for part in test_cmd.split("&&"):
        assert part.strip() in ci, f"CI does not run {part.strip()!r}"


def test_version_is_printed() -> None:
    from ocrviewer import __version__

    out = subprocess.run(
        [sys.executable, "-m", "ocrviewer", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"ocrviewer {__version__}"


def test_a_usage_mistake_is_one_line_that_says_where_to_look() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ocrviewer", "render", "x.jpg", "--min-confidence", "abc", "-o", "o.png"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "--min-confidence" in lines[0] and "--help" in lines[0]
