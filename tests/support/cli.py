"""The command line as the tests drive it: ``ocrviewer ARGS`` in this process, its output captured."""

from __future__ import annotations

from typing import Any

from ocrviewer.cli import main


def run(capsys: Any, *argv: object) -> tuple[int, str, str]:
    """``ocrviewer ARGV``: its exit code, stdout and stderr."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, *needles: str) -> str:
    """The one line ``err`` holds, an ``ocrviewer: error:`` naming every needle."""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ocrviewer: error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]
