"""Timing, targets, results, the table and the JSON file: everything that is not a case."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA = "ocrviewer.bench/1"
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stats:
    """Several timings (or sizes) of one thing, kept raw so runs can be compared later."""

    samples: tuple[float, ...]
    unit: str = "ms"
    #: CPU time of this process for the same calls (all threads); shows how much of the wall
    #: time was the code and how much was waiting for a busy machine
    cpu: tuple[float, ...] = ()

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "n": len(self.samples),
            "samples": list(self.samples),
            "cpu_median": statistics.median(self.cpu) if self.cpu else None,
            "cpu_samples": list(self.cpu),
        }


def time_calls(fn: Callable[[], Any], n: int, setup: Callable[[], Any] | None = None) -> Stats:
    """Run ``fn`` ``n`` times (after ``setup`` each time, not timed); milliseconds per call."""
    out: list[float] = []
    cpu: list[float] = []
    for _ in range(max(1, n)):
        if setup is not None:
            setup()
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    return Stats(tuple(out), cpu=tuple(cpu))


@dataclass(frozen=True)
class Target:
    """What a case must reach.

    kind: ``max`` (value <= limit), ``min`` (value >= limit) or ``info`` (reported, no target).
    """

    kind: str
    limit: float | None = None
    text: str = ""

    def verdict(self, value: float) -> str:
        if self.kind == "max":
            return "PASS" if value <= (self.limit or 0.0) else "MISS"
        if self.kind == "min":
            return "PASS" if value >= (self.limit or 0.0) else "MISS"
        return "INFO"


@dataclass
class Result:
    """One line of the table."""

    name: str
    title: str
    target: Target
    unit: str = "ms"
    value: float | None = None
    status: str = "ERROR"  # PASS | MISS | INFO | SKIP | ERROR
    stats: dict[str, Stats] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    seconds: float = 0.0

    def finish(self, value: float, note: str = "") -> Result:
        self.value = value
        self.status = self.target.verdict(value)
        if note:
            self.note = note
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "value": self.value,
            "unit": self.unit,
            "target": {"kind": self.target.kind, "limit": self.target.limit, "text": self.target.text},
            "status": self.status,
            "stats": {k: v.to_dict() for k, v in self.stats.items()},
            "params": self.params,
            "note": self.note,
            "seconds": round(self.seconds, 3),
        }


class Skip(Exception):
    """A case cannot run here (a module it measures is not there yet); reported as SKIP."""


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:.0f} MB"
    if value >= 100:
        return f"{value:.0f} {unit}"
    if value >= 1:
        return f"{value:.2f} {unit}"
    return f"{value:.3f} {unit}"


def _stats_text(stats: dict[str, Stats]) -> str:
    parts = []
    for name, s in stats.items():
        text = f"{name} {fmt_value(s.median, s.unit)} [{fmt_value(s.min, s.unit)}..{fmt_value(s.max, s.unit)}] n={len(s.samples)}"
        if s.cpu:
            text += f" (cpu {fmt_value(statistics.median(s.cpu), s.unit)})"
        parts.append(text)
    return "; ".join(parts)


def table(results: list[Result], previous: dict[str, Any] | None = None) -> str:
    """A plain-text table: case, value, target, verdict, then the medians/min/max behind it."""
    old = {c["name"]: c for c in (previous or {}).get("cases", [])}
    rows = [
        ("case", "value", "target", "status", "was" if previous else "", "median [min..max] per measurement")
    ]
    for r in results:
        was = ""
        if r.name in old and old[r.name].get("value") is not None:
            was = fmt_value(old[r.name]["value"], old[r.name].get("unit", r.unit))
        detail = _stats_text(r.stats)
        if r.note:
            detail = f"{detail}; {r.note}" if detail else r.note
        rows.append((r.name, fmt_value(r.value, r.unit), r.target.text or "-", r.status, was, detail))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for i, row in enumerate(rows):
        cells = [row[j].ljust(widths[j]) for j in range(5)]
        lines.append("  ".join(cells) + "  " + row[5])
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 20)
    return "\n".join(lines)


def _run_text(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info() -> dict[str, Any]:
    """Enough about the machine and the code to know whether two runs are comparable."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_total = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1]) // 1024
    except OSError:
        pass
    versions: dict[str, str] = {"python": platform.python_version()}
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("PySide6", "PySide6-Essentials", "pillow", "numpy", "orjson", "matplotlib"):
        try:  # from the installed metadata: no need to import (matplotlib takes 0.2 s)
            versions[dist] = version(dist)
        except PackageNotFoundError:  # a missing optional package is just not listed
            continue
    try:
        from PySide6.QtCore import qVersion

        versions["Qt"] = qVersion()
    except Exception:
        pass
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory_mb": mem_total,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "qt_qpa_platform": os.environ.get("QT_QPA_PLATFORM"),
        "versions": versions,
    }


def git_info() -> dict[str, Any]:
    commit = _run_text(["git", "rev-parse", "HEAD"])
    dirty = bool(_run_text(["git", "status", "--porcelain", "--untracked-files=no"]))
    return {"commit": commit or None, "dirty": dirty}


def report(results: list[Result], *, mode: str, repeat: int, argv: list[str]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "repeat": repeat,
        "command": " ".join([Path(sys.executable).name, "-m", "benchmarks", *argv]),
        "git": git_info(),
        "machine": machine_info(),
        "cases": [r.to_dict() for r in results],
        "summary": {
            s: sum(1 for r in results if r.status == s) for s in ("PASS", "MISS", "INFO", "SKIP", "ERROR")
        },
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
