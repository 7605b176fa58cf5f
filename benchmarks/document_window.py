"""Benchmark cases for documents in the window: a 200-page PDF with a 200-page Azure response, and the
page strip of a 1,000-page PDF. Each runs in a child process (``python -m benchmarks.child ...``) so its
peak memory (VmHWM) is its own.

    python -m benchmarks.child document DOC.pdf RESPONSE.json FLIPS   # open, first paint, flips
    python -m benchmarks.child strip DOC.pdf [MAX_SCREENS]            # open, scroll the strip to the end
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.harness import REPO, Result, Skip, Stats, Target

if TYPE_CHECKING:
    from benchmarks.cases import Context

PAGE_PT = (595.0, 842.0)
LINES, WORDS_PER_LINE = 40, 12


def azure_response(pages: int) -> dict[str, Any]:
    """An Azure Read v3.2 answer in inches for the benchmark PDF's text lines (40 lines x 12 words a page)."""
    w_in, h_in = PAGE_PT[0] / 72, PAGE_PT[1] / 72
    results = []
    for p in range(pages):
        lines = []
        for n in range(LINES):
            top = (PAGE_PT[1] - 780 + 18 * n - 10) / 72
            bottom = top + 13 / 72
            words = []
            for k in range(WORDS_PER_LINE):
                left = (60 + 38 * k) / 72
                right = left + 34 / 72
                words.append(
                    {
                        "boundingBox": [left, top, right, top, right, bottom, left, bottom],
                        "text": f"w{p}.{n}.{k}",
                        "confidence": 0.5 + ((p * 7 + n * 3 + k) % 50) / 100,
                    }
                )
            box = [words[0]["boundingBox"][0], top, words[-1]["boundingBox"][2], top]
            box += [words[-1]["boundingBox"][2], bottom, words[0]["boundingBox"][0], bottom]
            lines.append({"boundingBox": box, "text": " ".join(w["text"] for w in words), "words": words})
        results.append(
            {"page": p + 1, "angle": 0, "width": w_in, "height": h_in, "unit": "inch", "lines": lines}
        )
    return {"status": "succeeded", "analyzeResult": {"version": "3.2.0", "readResults": results}}


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_env(),
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"child exited {proc.returncode}: {' | '.join(tail)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _env() -> dict[str, str]:
    from benchmarks.cases import _child_env

    return _child_env()


def _need_reportlab() -> None:
    try:
        import reportlab  # noqa: F401
    except ImportError as err:
        raise Skip(f"reportlab is needed to make the PDF: {err}") from err


def window_200_pages(ctx: Context) -> Result:
    res = Result(
        name="window_pdf_200p_azure",
        title="window: 200-page text PDF + 200-page Azure response: open until the first page is painted",
        target=Target("max", 1500.0, "<= 1500 ms (flip <= 150 ms, peak <= 600 MB)"),
        unit="ms",
    )
    _need_reportlab()
    from benchmarks.documents import _pdf

    runs = []
    with tempfile.TemporaryDirectory(prefix="ocrviewer-bench-doc-") as tmp:
        pdf = _pdf(Path(tmp) / "long.pdf", 200)
        resp = Path(tmp) / "long.azure.json"
        resp.write_text(json.dumps(azure_response(200)), encoding="utf-8")
        flips = 6 if ctx.quick else 20
        for _ in range(1 if ctx.quick else min(ctx.repeat, 3)):
            runs.append(_child(["document", str(pdf), str(resp), str(flips)]))
    first = Stats(tuple(r["first_paint_ms"] for r in runs))
    landed = Stats(tuple(r["result_shown_ms"] for r in runs))
    warm = Stats(tuple(x for r in runs for x in r["flip_ms"]))
    cold = Stats(tuple(x for r in runs for x in r["jump_ms"]))
    peak = Stats(tuple(r["vmhwm_mb"] for r in runs), unit="MB")
    res.params = {"pages": 200, "words": 200 * LINES * WORDS_PER_LINE, "dpi": 150, "child": runs[-1]}
    res.stats = {
        "open -> first page painted": first,
        "open -> response placed on every page, page 1 painted with its words": landed,
        "page flip (PgDn, neighbour prefetched), painted with words": warm,
        "jump to a far page (not prefetched), painted with words": cold,
        "peak RSS": peak,
    }
    note = (
        f"flip {warm.median:.0f} ms (jump {cold.median:.0f} ms), target <= 150; "
        f"peak {peak.median:.0f} MB, target <= 600; words shown after {landed.median:.0f} ms"
    )
    return res.finish(first.median, note=note)


def window_1000_pages_strip(ctx: Context) -> Result:
    res = Result(
        name="window_pdf_1000p_strip_rss",
        title="window: 1,000-page PDF: open and scroll the page strip to the end (thumbnails of each screen)",
        target=Target("max", 800.0, "<= 800 MB"),
        unit="MB",
    )
    _need_reportlab()
    from benchmarks.documents import _pdf

    runs = []
    with tempfile.TemporaryDirectory(prefix="ocrviewer-bench-doc-") as tmp:
        pdf = _pdf(Path(tmp) / "thousand.pdf", 1000)
        for _ in range(1 if ctx.quick else min(ctx.repeat, 3)):
            runs.append(_child(["strip", str(pdf), "10" if ctx.quick else "0"]))
    peak = Stats(tuple(r["vmhwm_mb"] for r in runs), unit="MB")
    res.params = {"pages": 1000, "child": runs[-1]}
    res.stats = {
        "peak RSS": peak,
        "open -> first page painted": Stats(tuple(r["first_paint_ms"] for r in runs)),
        "scroll one screen of the strip -> its thumbnails shown": Stats(
            tuple(x for r in runs for x in r["screen_ms"])
        ),
    }
    return res.finish(
        peak.median, note=f"{runs[-1]['thumbnails']} thumbnails rendered for {runs[-1]['screens']} screens"
    )


# -- the child side ---------------------------------------------------------------------------------------
def run_document(bench: Any, pdf: Path, response: Path, flips: int) -> dict[str, Any]:
    win = bench.window
    state, canvas = win.state, win.canvas
    t0 = time.perf_counter()
    if not win.files.open_image(str(pdf)):
        raise RuntimeError(f"cannot open {pdf}")
    win.files.open_response(str(response))
    bench._wait(lambda: canvas.image_item.has_full, "the first page")
    bench.paint()
    first = (time.perf_counter() - t0) * 1000.0
    bench._wait(lambda: state.document is not None and not win.files.busy, "the response")
    bench.paint()
    landed = (time.perf_counter() - t0) * 1000.0
    if not len(canvas.layers["word"].data):
        raise RuntimeError("page 1 shows no words")
    docs = win.files.documents

    def flip(action: Any, page: int) -> float:
        bench._decoded.clear()  # the bench's own list of decoded pages would hold every page flipped to
        t = time.perf_counter()
        action()
        bench._wait(
            lambda: state.page == page and canvas.image_item.has_full and state.document is not None,
            f"page {page + 1}",
        )
        bench.paint()
        return (time.perf_counter() - t) * 1000.0

    warm = []
    for _ in range(flips):
        page = state.page + 1
        bench._wait(lambda p=page: p in docs.cache, "the next page's prefetch")  # a reader's pace
        warm.append(flip(win.actions_["next_page"].trigger, page))
    cold = []
    for k in range(max(3, flips // 2)):
        page = (state.page + 37 + k) % len(state.workspace.pages)
        bench._wait(lambda: not win.workers.running("prefetch"), "the prefetch")
        cold.append(flip(lambda p=page: docs.go_to(p), page))
    return {
        "first_paint_ms": round(first, 1),
        "result_shown_ms": round(landed, 1),
        "flip_ms": [round(x, 1) for x in warm],
        "jump_ms": [round(x, 1) for x in cold],
        "cached_pages": sorted(docs.cache),
    }


def run_strip(bench: Any, pdf: Path, max_screens: int = 0) -> dict[str, Any]:
    """Scroll the strip one screen at a time to the end (``max_screens``: then jump to the end)."""
    win = bench.window
    t0 = time.perf_counter()
    if not win.files.open_image(str(pdf)):
        raise RuntimeError(f"cannot open {pdf}")
    bench._wait(lambda: win.canvas.image_item.has_full, "the first page")
    bench.paint()
    first = (time.perf_counter() - t0) * 1000.0
    strip = win.page_strip
    model, bar = strip.model, strip.view.verticalScrollBar()

    def screen_done() -> bool:
        rows = strip._visible_rows()
        return rows is not None and all(model.page_at(r) in model.thumbs for r in range(rows[0], rows[1] + 1))

    times = []
    screens = 0
    while True:
        t = time.perf_counter()
        bench._wait(screen_done, "the strip's thumbnails")
        strip.view.viewport().grab()
        times.append((time.perf_counter() - t) * 1000.0)
        screens += 1
        if bar.value() >= bar.maximum():
            break
        step = strip.view.viewport().height()
        if max_screens and screens >= max_screens:
            step = bar.maximum()
        bar.setValue(min(bar.maximum(), bar.value() + step))
        bench.app.processEvents()
    return {
        "first_paint_ms": round(first, 1),
        "screens": screens,
        "screen_ms": [round(x, 1) for x in times],
        "thumbnails": len(model.thumbs),
    }
