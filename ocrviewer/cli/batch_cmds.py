"""``recognize DIR|DOC.pdf -o OUTDIR`` (a batch) and ``manifest merge``.

``provider_cmds.cmd_recognize`` hands a folder or a PDF here; the batch itself lives in
:mod:`ocrviewer.providers.batch`, so the window can run the same thing.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

from ocrviewer.cli.interruptible import run_interruptible
from ocrviewer.errors import BadInput, one_line
from ocrviewer.providers.base import CancelToken


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "manifest",
        help="join the manifests of several batch OUTDIRs (shards) into one",
        description="Join the manifests of several batch OUTDIRs (e.g. the shards of one batch) into one "
        "(merge), or list a batch's pages worst first (list).",
    )
    msub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    m = msub.add_parser(
        "merge",
        help="join manifests",
        description="Join OUTDIR/manifest.jsonl of each OUTDIR into MERGED, one line per input in document "
        "order, response paths relative to MERGED's folder.",
    )
    m.add_argument(
        "outdirs", nargs="+", metavar="OUTDIR", help="a batch's output folder (recognize -o OUTDIR)"
    )
    m.add_argument("-o", "--output", required=True, metavar="MERGED", help="manifest file to write")
    m.set_defaults(func=cmd_merge)
    ls = msub.add_parser(
        "list",
        help="a batch's pages, worst first (failed, no words, least confident word)",
        description="List a batch's pages worst first: failed ones (and why), pages with no words, then by "
        "their least confident word.",
    )
    ls.add_argument("outdir", metavar="OUTDIR", help="a batch's output folder (recognize -o OUTDIR)")
    ls.add_argument("--limit", type=int, default=None, metavar="N", help="only the N worst pages")
    ls.set_defaults(func=cmd_list)


def add_batch_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "batch (IMAGE is a folder of images, a PDF or a multi-page TIFF; -o is then an OUTDIR)"
    )
    g.add_argument(
        "--jobs", "-j", type=int, default=4, metavar="N", help="inputs in flight at once (default 4)"
    )
    g.add_argument(
        "--shard",
        metavar="I/N",
        help="take only share I of N (0-based; a stable hash of each input's name), e.g. $JOB_COMPLETION_INDEX/4",
    )
    g.add_argument(
        "--rate",
        metavar="R",
        help="requests to start recognitions, per second (2, 2/s) or minute (20/min); default: the provider's quota",
    )
    g.add_argument(
        "--status-rate", metavar="R", help="status polls per second or minute (Yandex async: 50/s)"
    )
    g.add_argument("--dpi", type=float, default=150.0, help="dpi PDF pages are rendered at (default 150)")
    g.add_argument(
        "--page-by-page",
        action="store_true",
        help="send a PDF's pages one by one (default: Yandex async and Azure Read 3.x get the whole PDF)",
    )
    g.add_argument("--yes", "-y", action="store_true", help="do not ask before calling a paid service")


class _Plain:
    """Progress as plain lines (not a terminal): one per input, with an ETA."""

    def __init__(self, stream: TextIO, total: int, already: int) -> None:
        self.stream, self.total, self.start, self.already = stream, total, time.monotonic(), already

    def __enter__(self) -> _Plain:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __call__(self, finished: int, total: int, rec: Any) -> None:
        elapsed = time.monotonic() - self.start
        new = finished - self.already
        eta = elapsed / new * (total - finished) if new else 0.0
        what = rec.status + (f" ({rec.reason})" if rec.reason else "")
        print(
            one_line(
                f"ocrviewer: [{finished}/{total}] {rec.input}: {what}, {rec.seconds:.2f} s; eta {eta:.0f} s"
            ),
            file=self.stream,
            flush=True,
        )


class _Bar:
    """A rich progress bar with ETA on a terminal; failures printed above it."""

    def __init__(self, stream: TextIO, total: int, already: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("[bold]recognizing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=Console(file=stream),
            transient=False,
        )
        self.task = self.progress.add_task("", total=total, completed=already)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, finished: int, total: int, rec: Any) -> None:
        if rec.status == "failed":
            self.progress.console.print(
                one_line(f"ocrviewer: {rec.input}: failed: {rec.reason}"), markup=False
            )
        self.progress.update(self.task, completed=finished, description=one_line(rec.input))


def _confirm(line: str, yes: bool, stdin: TextIO) -> None:
    if yes:
        return
    if not stdin.isatty():
        raise BadInput(
            "this batch calls a paid service; pass --yes to confirm the cost when not on a terminal"
        )
    answer = input("go on? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise BadInput("not confirmed; nothing was sent")


def cmd_batch(args: argparse.Namespace, settings: dict[str, Any], options: dict[str, Any]) -> int:
    from ocrviewer.core.sources import open_source
    from ocrviewer.providers.batch import (
        DEFAULT_RATES,
        BatchReport,
        RateLimit,
        parse_rate,
        parse_shard,
        prepare_batch,
        run_batch,
    )
    from ocrviewer.providers.cache import ResponseCache

    shard = parse_shard(args.shard) if args.shard else None
    rate = None
    if args.rate or args.status_rate:
        base = DEFAULT_RATES.get(args.provider, RateLimit(None))
        rate = RateLimit(
            parse_rate(args.rate) if args.rate else base.submit,
            parse_rate(args.status_rate) if args.status_rate else base.status,
        )
    if args.jobs < 1:
        raise BadInput(f"--jobs {args.jobs}: give 1 or more")
    use_cache = not args.no_cache
    cache = ResponseCache()
    with open_source(args.image, dpi=args.dpi) as source:
        for s in source.skipped:
            where = one_line(
                str(source.path / s.name)
            )  # ('.'/name: the name; '.'.name was '', giving '/name')
            print(f"ocrviewer: note: {where} skipped: {one_line(s.reason)}", file=sys.stderr)
        bp = prepare_batch(
            source,
            args.output,
            args.provider,
            options,
            settings,
            shard=shard,
            rate=rate,
            cache=cache,
            use_cache=use_cache and not args.fresh,
            whole_document=False if args.page_by_page else None,
        )
        if args.fresh:
            bp.cached.clear()
        line = bp.cost_line()
        print(f"ocrviewer: {line}", file=sys.stderr, flush=True)
        if bp.paid and bp.to_send:
            _confirm(line, args.yes, sys.stdin)
        cancel = CancelToken()
        total, already = len(bp.inputs), len(bp.skipped)
        show = (_Bar if sys.stderr.isatty() else _Plain)(sys.stderr, total, already)

        def work() -> BatchReport:
            return run_batch(
                bp,
                settings,
                jobs=args.jobs,
                cancel=cancel,
                progress=show,
                cache=cache,
                use_cache=use_cache,
                fresh=args.fresh,
            )

        # Ctrl-C cancels: waits wake at once, running inputs stop, the manifest is written with what
        # finished
        with show:
            ran = run_interruptible(work, cancel, "ocrviewer-batch", grace_s=120.0)
        if not ran.finished:
            raise BadInput("the batch did not stop within 2 minutes; the manifest may lack the last inputs")
        if ran.error is not None:
            raise ran.error
        report = ran.value
        assert report is not None
    done, cached, failed = report.count("done"), report.count("cached"), report.count("failed")
    summary = (
        f"{bp.outdir}/manifest.jsonl: {done} done, {cached} from the cache, {failed} failed, "
        f"{already} already done; {report.calls} request(s) sent"
    )
    if report.stopped:
        print(f"ocrviewer: error: stopped: {report.stopped}", file=sys.stderr)
        print(summary)
        return 1
    if report.cancelled:
        print(f"ocrviewer: cancelled; {summary}; run the same command again to resume", file=sys.stderr)
        return 130
    print(summary)
    return 1 if failed else 0


def cmd_merge(args: argparse.Namespace) -> int:
    from ocrviewer.providers.batch import merge_manifests

    count, notes = merge_manifests(args.outdirs, args.output)
    for n in notes:
        print(f"ocrviewer: note: {n}", file=sys.stderr)
    print(f"wrote {args.output}: {count} input(s) from {len(args.outdirs)} manifest(s)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ocrviewer.providers.batch import outdir_pages

    pages = outdir_pages(args.outdir)
    for p in pages[: args.limit]:
        where = f"{p.source}: page {p.index + 1}"
        if p.status == "failed":
            print(f"{where}: failed: {p.reason}")
            continue
        mean = f"mean {p.mean_confidence:.2f}" if p.mean_confidence is not None else "no confidence"
        worst = f", worst {p.worst[0]!r} {p.worst[1]:.2f}" if p.worst else ""
        print(f"{where}: {p.words} words, {mean}{worst} ({p.response.name if p.response else '-'})")
    return 0
