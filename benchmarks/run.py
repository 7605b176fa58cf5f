"""Command line of the benchmark suite: generate inputs, run the cases, print the table, write JSON.

python -m benchmarks [--quick] [--repeat N] [--json OUT] [--only NAME ...] [--compare OLD.json]

Exit status 1 when a case errors or does not run (SKIP), and in a full run also when a case misses
its target; quick mode's tiny inputs make its timings meaningless, so a MISS there is not a failure.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

# The canvas cases need a Qt platform that works without a display; set it before Qt loads.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks import data  # noqa: E402
from benchmarks.cases import CASES, Context  # noqa: E402
from benchmarks.harness import Result, Skip, Target, report, table, write_json  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="ocrviewer benchmarks: parse, overlay, paint, hit-test, first paint, render vs matplotlib, memory.",
    )
    p.add_argument("--quick", action="store_true", help="tiny inputs, 1 repeat: checks the suite runs (CI)")
    p.add_argument("--repeat", type=int, default=None, help="runs per case (default 5; 1 with --quick)")
    p.add_argument(
        "--json",
        type=Path,
        default=None,
        help="where to write results (default OUT_DIR/results[-quick].json)",
    )
    p.add_argument(
        "--out-dir", type=Path, default=None, help="generated inputs and pictures (default benchmarks/out)"
    )
    p.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these cases (shell patterns, e.g. 'paint_*')"
    )
    p.add_argument(
        "--compare", type=Path, default=None, help="an earlier results JSON to show next to this run"
    )
    p.add_argument("--list", action="store_true", help="list the case names and exit")
    p.add_argument(
        "--nice",
        type=int,
        default=None,
        metavar="N",
        help="run at this scheduling priority (e.g. -10, needs privileges) so other work on a shared "
        "machine disturbs the timings less; recorded in the JSON",
    )
    return p


def run_case(name: str, ctx: Context) -> Result:
    t0 = time.perf_counter()
    try:
        result = CASES[name](ctx)
    except Skip as err:
        result = Result(name=name, title=name, target=Target("info"), status="SKIP", note=str(err))
    except Exception as err:  # one broken case must not hide the others' numbers
        result = Result(
            name=name, title=name, target=Target("info"), status="ERROR", note=f"{type(err).__name__}: {err}"
        )
        traceback.print_exc(file=sys.stderr)
    result.name = name
    result.seconds = time.perf_counter() - t0
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(args_list)
    if args.list:
        print("\n".join(CASES))
        return 0
    names = list(CASES)
    if args.only:
        names = [n for n in names if any(fnmatch.fnmatch(n, pat) for pat in args.only)]
        if not names:
            print(f"benchmarks: no case matches {args.only}; see --list", file=sys.stderr)
            return 2
    repeat = args.repeat or (1 if args.quick else 5)
    priority = None
    if args.nice is not None:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # children inherit it
            priority = os.getpriority(os.PRIO_PROCESS, 0)
        except (AttributeError, OSError) as err:
            print(
                f"benchmarks: cannot set priority {args.nice} ({err}); running at normal priority",
                file=sys.stderr,
            )
    sizes = data.QUICK if args.quick else data.FULL
    out_dir = args.out_dir or (DEFAULT_OUT / ("quick" if args.quick else "full"))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    inputs = data.generate(out_dir, sizes, log=log)
    ctx = Context(inputs=inputs, repeat=repeat, quick=args.quick, log=log)
    results = []
    for name in names:
        log(f"[{len(results) + 1}/{len(names)}] {name} ...")
        r = run_case(name, ctx)
        log(
            f"    {r.status} {'' if r.value is None else round(r.value, 3)} {r.unit if r.value is not None else ''} ({r.seconds:.1f} s) {r.note if r.status in ('SKIP', 'ERROR') else ''}"
        )
        results.append(r)

    previous = None
    if args.compare:
        try:
            previous = json.loads(args.compare.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            log(f"benchmarks: cannot read {args.compare} ({err}); no comparison")
    doc = report(results, mode="quick" if args.quick else "full", repeat=repeat, argv=args_list)
    doc["machine"]["nice"] = priority if priority is not None else os.getpriority(os.PRIO_PROCESS, 0)
    json_path = args.json or (out_dir / ("results-quick.json" if args.quick else "results.json"))
    write_json(json_path, doc)
    print(table(results, previous))
    print()
    if args.quick:
        print(
            "quick mode: tiny inputs and 1 repeat; it checks that the suite runs, the verdicts mean nothing."
        )
    summary = ", ".join(f"{v} {k}" for k, v in doc["summary"].items() if v)
    load = doc["machine"].get("load_average")
    if load:
        print(
            f"load average at the end: {load[0]:.1f} (1 min) on {os.cpu_count()} cores; cpu = this process's CPU time"
        )
    print(
        f"{summary}; commit {str(doc['git']['commit'])[:10]}{' (dirty)' if doc['git']['dirty'] else ''}; JSON: {json_path}"
    )
    failed = failures(results, quick=args.quick)
    if failed:
        print(f"benchmarks: {failed}", file=sys.stderr)
        return 1
    return 0


def failures(results: Sequence[Result], quick: bool) -> str:
    """Why the run fails ('' when it passes): a case that errors or did not run, or (full mode) a miss.

    Quick mode only checks that every case ran: its tiny inputs make the verdicts meaningless.
    """
    broken = [r.name for r in results if r.status in ("ERROR", "SKIP")]
    missed = [] if quick else [r.name for r in results if r.status == "MISS"]
    parts = []
    if broken:
        parts.append(f"did not run: {', '.join(broken)}")
    if missed:
        parts.append(f"missed the target: {', '.join(missed)}")
    return "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
