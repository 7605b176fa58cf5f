"""Project-level promises: the core stays Qt-free, lint is clean, the README's commands are what CI runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    """The path of a tool the suite needs; a missing tool fails the test instead of skipping it.

    This interpreter's environment first (.venv/bin when it is not activated), then PATH.
    """
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert exe is not None, f"{name} is not installed; pip install -e '.[test]'"
    return exe


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([tool("lint-imports")], cwd=root, capture_output=True, text=True, env=env)


def test_import_contracts_hold() -> None:
    """Core and providers never import Qt; cli > gui > providers > core > errors; no import cycles."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("where", "planted", "broken"),
    [
        (
            "gui/legend.py",
            "from ocrviewer.cli import view_cmd",
            "ocrviewer.gui is not allowed to import ocrviewer.cli",
        ),
        (
            "core/palette.py",
            "from ocrviewer.providers import base",
            "ocrviewer.core is not allowed to import",
        ),
        ("gui/inspector.py", "from ocrviewer.gui import docks", ".inspector -> .docks"),
        # the providers and the bundled resources are Qt-free as the core is
        (
            "providers/http.py",
            "from PySide6 import QtCore",
            "ocrviewer.providers is not allowed to import PySide6",
        ),
        ("resources.py", "from PySide6 import QtGui", "ocrviewer.resources is not allowed to import PySide6"),
        ("resources.py", "from ocrviewer.core import model", "ocrviewer.resources is not allowed to import"),
    ],
)
def test_the_contracts_catch_a_planted_import(tmp_path: Path, where: str, planted: str, broken: str) -> None:
    shutil.copytree(ROOT / "ocrviewer", tmp_path / "ocrviewer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "ocrviewer" / where, "a", encoding="utf-8") as f:
        f.write(f"\n{planted}  # planted by the test\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0 and "BROKEN" in result.stdout
    assert broken in result.stdout, result.stdout[-3000:]


def test_mypy_is_clean_on_core_and_providers() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert "No module named mypy" not in result.stderr, "mypy is not installed; pip install -e '.[test]'"
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_importing_core_does_not_load_qt() -> None:
    """Every module of the core and the providers (and the CLI's entry), imported for real: an import
    the contracts cannot see (inside a function run at import, through importlib) loads no Qt either."""
    code = (
        "import importlib, pkgutil, sys, ocrviewer.core, ocrviewer.providers, ocrviewer.resources, ocrviewer.cli\n"
        "names = [m.name for p in (ocrviewer.core, ocrviewer.providers) "
        "for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names), sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    count, loaded = out.stdout.strip().split(" ", 1)
    assert int(count) > 40 and loaded == "[]", out.stdout


def test_ruff_is_clean() -> None:
    exe = tool("ruff")
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


def _documented_command_lines() -> list[tuple[str, list[str]]]:
    """Every `ocrviewer ...` line in the READMEs' shell blocks, as arguments: `[--x]` optional parts taken,
    `a|b|c` choices as their first, comments and GNU parallel's `::: ...` dropped."""
    import shlex

    found = []
    for doc in (ROOT / "README.md", ROOT / "packaging" / "README.md"):
        text = doc.read_text(encoding="utf-8")
        for block in re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, flags=re.S):
            for line in block.splitlines():
                line = re.sub(r"\s#.*", "", line.split(" ::: ")[0])
                line = re.sub(r"(\w+)(\|[\w.]+)+", r"\1", line)
                m = re.search(r"(?:^|[\s;&(])(?:python3? -m |\S*/)?ocrviewer((?: [^#;&|]*)?)$", line)
                if m and not re.match(r"\s*(bash|\.|PREFIX=)", line):
                    found.append((line.strip(), shlex.split(re.sub(r"\[([^\]]*)\]", r"\1", m.group(1)))))
    return found


def test_every_documented_command_line_is_one_the_parser_takes(capsys: pytest.CaptureFixture[str]) -> None:
    """The READMEs' examples use only options and commands that exist, with values they accept."""
    from ocrviewer.cli import VIEW_OPTIONS, _names_a_file, build_parser

    lines = _documented_command_lines()
    assert len(lines) > 40 and any(args[:1] == ["compare"] for _, args in lines)
    refused = []
    for line, args in lines:
        if not args or _names_a_file(args[0]) or args[0].split("=")[0] in VIEW_OPTIONS:
            args = ["view", *args]  # what main() does
        try:
            build_parser().parse_args(args)
        except SystemExit as stop:
            if stop.code:
                refused.append(f"{line}\n    {capsys.readouterr().err.strip()}")
    assert not refused, "\n".join(refused)
