"""The benchmark cases. Each takes a :class:`Context` and returns a :class:`Result`.

Targets come from the benchmark issue and are never changed here: a miss is a reason to fix
the code. Ratios are measured in the same run (baseline and case interleaved), so a busy
machine slows both sides alike.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.data import Inputs
from benchmarks.harness import REPO, Result, Skip, Stats, Target, time_calls


@dataclass
class Context:
    inputs: Inputs
    repeat: int
    quick: bool
    log: Callable[[str], None]

    @property
    def fast_repeat(self) -> int:
        """Samples for millisecond-scale cases: more than ``repeat`` so the median means something."""
        return 1 if self.quick else max(self.repeat * 4, 15)


def _require(module: str, what: str) -> Any:
    """Import a module the case measures, or Skip with who is expected to provide it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise Skip(f"{module} not importable yet ({what}): {err}") from err


def _interleaved(a: Callable[[], Any], b: Callable[[], Any], n: int) -> tuple[Stats, Stats]:
    """Time ``a`` and ``b`` alternately ``n`` times each, so machine noise hits both alike."""
    sa: list[float] = []
    sb: list[float] = []
    ca: list[float] = []
    cb: list[float] = []
    for _ in range(max(1, n)):
        for fn, out, cpu in ((a, sa, ca), (b, sb, cb)):
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000.0)
            cpu.append((time.process_time() - c0) * 1000.0)
    return Stats(tuple(sa), cpu=tuple(ca)), Stats(tuple(sb), cpu=tuple(cb))


# -- parse + model ---------------------------------------------------------------------------------


def _parse_case(fmt: str) -> Callable[[Context], Result]:
    def case(ctx: Context) -> Result:
        res = Result(
            name=f"parse_{fmt.replace('-', '_')}_10k",
            title=f"parse + build the model, 10k-word {fmt} response, vs bare json.loads",
            target=Target("max", 2.0, "<= 2.00x json.loads"),
            unit="x",
        )
        parsers = _require("ocrviewer.core.parsers", "engineer A's parsers")
        if not hasattr(parsers, "load_response"):
            raise Skip("ocrviewer.core.parsers.load_response does not exist yet (engineer A)")
        path = ctx.inputs.response(fmt, "10k")
        res.params = {"file": path.name, "bytes": path.stat().st_size, "words": ctx.inputs.sizes.words["10k"]}
        doc = parsers.load_response(path)  # warm-up, and a check that it is the document we meant
        words = sum(1 for _ in doc.words())
        if words != ctx.inputs.sizes.words["10k"]:
            raise RuntimeError(f"{path.name}: parsed {words} words, expected {ctx.inputs.sizes.words['10k']}")
        parse, bare = _interleaved(
            lambda: parsers.load_response(path), lambda: json.loads(path.read_bytes()), ctx.fast_repeat
        )
        res.stats = {"load_response": parse, "json.loads": bare}
        try:  # for the reader: how much of the margin a faster JSON reader gives, if one is installed
            import orjson

            res.stats["orjson.loads"] = time_calls(lambda: orjson.loads(path.read_bytes()), ctx.fast_repeat)
        except ImportError:
            pass
        return res.finish(parse.median / bare.median, note="baseline: the standard library's json.loads")

    return case


# -- viewer cases ----------------------------------------------------------------------------------


def _viewer() -> Any:
    """The adapter onto the canvas (imports Qt; only viewer cases pay for it)."""
    try:
        from benchmarks import viewer
    except ImportError as err:
        raise Skip(f"viewer not importable yet (engineer E1's canvas): {err}") from err
    return viewer


def _overlay_build(tier: str, limit: float | None) -> Callable[[Context], Result]:
    def case(ctx: Context) -> Result:
        target = Target("max", limit, f"<= {limit:.0f} ms") if limit else Target("info", None, "(none)")
        res = Result(
            name=f"overlay_build_{tier}", title=f"build the canvas overlay for {tier} words", target=target
        )
        viewer = _viewer()
        doc = viewer.placed_document(ctx.inputs.response("azure-v3", tier), ctx.inputs.page_jpeg)
        bench = viewer.Bench(ctx.inputs.sizes.view)
        try:
            bench.show_image(ctx.inputs.page_jpeg)
            res.params = {"words": ctx.inputs.sizes.words[tier], "how": viewer.BUILD_HOW}
            n = ctx.repeat if not ctx.quick else 1
            stats = time_calls(lambda: bench.build_overlay(doc), n)
            bench.check_overlay(ctx.inputs.sizes.words[tier])
            # the floor: reading every polygon point of the model once, in Python
            floor = time_calls(lambda: sum(len(w.polygon) for w in doc.words()), n)
            res.stats = {"build": stats, "floor: read every word polygon": floor}
            return res.finish(stats.median)
        finally:
            bench.close()

    return case


def _paint(tier: str, limit: float | None, zoom: float | None = None) -> Callable[[Context], Result]:
    """Paint at fit (``zoom`` None) or at ``zoom`` screen pixels per image pixel, page centre."""
    where = "fit" if zoom is None else f"zoom{zoom:g}"

    def case(ctx: Context) -> Result:
        res = Result(
            name=f"paint_{where}_{tier}",
            title=f"paint one frame at {where}, {tier} words over the 12 MP page",
            target=Target("max", limit, f"<= {limit:.0f} ms") if limit else Target("info", None, "(none)"),
        )
        viewer = _viewer()
        doc = viewer.placed_document(ctx.inputs.response("azure-v3", tier), ctx.inputs.page_jpeg)
        bench = viewer.Bench(ctx.inputs.sizes.view)
        try:
            bench.show_image(ctx.inputs.page_jpeg)
            bench.fit()
            if zoom is not None:
                w, h = ctx.inputs.sizes.page
                bench.zoom_to(zoom, w / 2, h / 2)
            # the floor: the same frame with the image alone (what the overlay adds is the rest)
            floor = time_calls(bench.paint, ctx.fast_repeat, setup=bench.invalidate)
            bench.build_overlay(doc)
            frame = bench.paint()
            frame.save(str(ctx.inputs.folder / f"paint_{where}_{tier}.png"))  # to look at
            res.params = {
                "words": ctx.inputs.sizes.words[tier],
                "viewport": list(ctx.inputs.sizes.view),
                "zoom": bench.canvas.zoom,
                "how": viewer.PAINT_HOW,
            }
            cold = time_calls(bench.paint, ctx.fast_repeat, setup=bench.invalidate)
            threshold = time_calls(bench.paint, ctx.fast_repeat, setup=bench.invalidate_threshold)
            warm = time_calls(bench.paint, ctx.fast_repeat)
            res.stats = {
                "repaint (caches dropped)": cold,
                "repaint (threshold change)": threshold,
                "repaint (caches kept)": warm,
                "floor: image only, caches dropped": floor,
            }
            return res.finish(
                cold.median, note="target applies to the repaint with caches dropped (zoom/filter change)"
            )
        finally:
            bench.close()

    return case


def _hit(tier: str) -> Callable[[Context], Result]:
    def case(ctx: Context) -> Result:
        res = Result(
            name=f"hit_test_{tier}",
            title=f"hover hit-test at a random point, {tier} words",
            target=Target("max", 1.0, "<= 1 ms"),
        )
        viewer = _viewer()
        doc = viewer.placed_document(ctx.inputs.response("azure-v3", tier), ctx.inputs.page_jpeg)
        bench = viewer.Bench(ctx.inputs.sizes.view)
        try:
            bench.show_image(ctx.inputs.page_jpeg)
            bench.fit()
            w, h = ctx.inputs.sizes.page
            rng = random.Random(5)
            points = [(rng.uniform(0, w), rng.uniform(0, h)) for _ in range(50 if ctx.quick else 2000)]
            # the floor: the same call on the canvas with no overlay (the call's own cost)
            floor = time_calls(lambda: [bench.hit(x, y) for x, y in points[:200]], 1)
            floor = Stats((floor.median / min(200, len(points)),))
            bench.build_overlay(doc)
            times: list[float] = []
            cpu: list[float] = []
            hits = 0
            for x, y in points:
                c0 = time.process_time()
                t0 = time.perf_counter()
                found = bench.hit(x, y)
                times.append((time.perf_counter() - t0) * 1000.0)
                cpu.append((time.process_time() - c0) * 1000.0)
                hits += found is not None
            res.params = {
                "words": ctx.inputs.sizes.words[tier],
                "points": len(points),
                "hits": hits,
                "how": viewer.HIT_HOW,
            }
            if hits == 0:
                raise RuntimeError("no random point hit a word: the hit test is not finding anything")
            stats = Stats(tuple(times), cpu=tuple(cpu))
            res.stats = {"per call": stats, "floor: per call, no overlay (mean)": floor}
            return res.finish(stats.median)
        finally:
            bench.close()

    return case


def _pillow_full_decode(path: Path) -> None:
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.load()
        ImageOps.exif_transpose(img)


def _pillow_draft_decode(path: Path, size: tuple[int, int]) -> None:
    """The floor of a first paint from a reduced decode: libjpeg's DCT-scaled decode to ``size``
    (stored orientation) alone, no turn, no painting. Its entropy decoding reads every coefficient
    of the file whatever the scale, so it cannot go below this without another source of pixels."""
    from PIL import Image

    with Image.open(path) as img:
        img.draft("RGB", size)
        img.load()


#: interleaved (open, Pillow, draft) runs of open_20mp_first_paint in a full run, at least
OPEN_MIN_RUNS = 11


def open_first_paint(ctx: Context) -> Result:
    res = Result(
        name="open_20mp_first_paint",
        title="open the 20 MP EXIF-6 JPEG until the first frame with the image is painted, vs Pillow full decode",
        target=Target("max", 0.35, "<= 0.35x Pillow"),
        unit="x",
    )
    viewer = _viewer()
    path = ctx.inputs.photo_jpeg
    bench = viewer.WindowBench(ctx.inputs.sizes.view)
    try:
        bench.open_until_painted(path)  # warm-up (page cache, thread pool, fonts)
        res.params = {
            "file": path.name,
            "bytes": path.stat().st_size,
            "viewport": list(bench.canvas.viewport().size().toTuple()),
            "first_image": list(bench.first_level()),
            "how": viewer.OPEN_HOW,
        }
        # Interleaved by hand: the open call returns its own time up to the first paint (it then
        # waits, untimed, for the full-resolution decode to finish before Pillow's turn).
        from PIL import Image

        fw, fh, _ = bench.first_level()
        with Image.open(path) as img:  # the first image's size as stored (it is shown upright)
            stored = (fh, fw) if img.getexif().get(0x0112, 1) in (5, 6, 7, 8) else (fw, fh)
        wall: list[float] = []
        cpu: list[float] = []
        pillow_runs: list[Stats] = []
        draft_runs: list[Stats] = []
        # Pillow's full decode of 20 MP varies by up to 2x between runs (it faults in ~120 MB of
        # fresh pages each time): at least 11 interleaved pairs, so the ratio's medians hold still
        for _ in range(ctx.repeat if ctx.quick else max(ctx.repeat, OPEN_MIN_RUNS)):
            w, c = bench.open_until_painted(path)
            wall.append(w)
            cpu.append(c)
            pillow_runs.append(time_calls(lambda: _pillow_full_decode(path), 1))
            draft_runs.append(time_calls(lambda: _pillow_draft_decode(path, stored), 1))
        first = Stats(tuple(wall), cpu=tuple(cpu))
        pillow = Stats(tuple(s.samples[0] for s in pillow_runs), cpu=tuple(s.cpu[0] for s in pillow_runs))
        draft = Stats(tuple(s.samples[0] for s in draft_runs), cpu=tuple(s.cpu[0] for s in draft_runs))
        res.stats = {
            "first paint": first,
            "pillow open+load+exif_transpose": pillow,
            f"floor: pillow draft decode to {stored[0]}x{stored[1]} alone": draft,
        }
        return res.finish(
            first.median / pillow.median,
            note=f"the reduced decode alone is {draft.median / pillow.median:.2f}x Pillow's full decode",
        )
    finally:
        bench.close()


def _gui_block(tier: str, limit: float | None) -> Callable[[Context], Result]:
    def case(ctx: Context) -> Result:
        return gui_block_recognition(ctx, tier, limit)

    return case


def gui_block_recognition(ctx: Context, tier: str = "10k", limit: float | None = 33.0) -> Result:
    res = Result(
        name=f"gui_block_recognition_{tier}",
        title=f"longest GUI-thread stall while a recognition runs and its {tier}-word result lands (12 MP page)",
        target=Target("max", limit, f"<= {limit:.0f} ms") if limit else Target("info", None, "(report)"),
    )
    viewer = _viewer()
    bench = viewer.WindowBench(ctx.inputs.sizes.view)
    service = 0.05 if ctx.quick else 0.5
    try:
        bench.show_image(ctx.inputs.page_jpeg)
        # untimed: a window's first grab also delivers the resize events its never-shown widgets
        # (menus, hidden docks) have pending (~10 ms no window spends when it paints on its own)
        bench.paint()
        response = ctx.inputs.response("azure-v3", tier)
        running: list[float] = []
        landing: list[float] = []
        worst_run: list[float] = []
        worst_land: list[float] = []
        worst_land_cpu: list[float] = []
        idle: list[float] = []
        for _ in range(ctx.repeat):
            during, after, after_cpu = viewer.run_recognition(bench, response, service)
            running += during
            landing += after
            worst_run.append(max(during, default=0.0))
            worst_land.append(max(after, default=0.0))
            worst_land_cpu.append(max(after_cpu, default=0.0))
            # the floor: the same timer on the same window doing nothing, as long as the job took
            idle.append(max(viewer.idle_gaps(bench, (sum(during) + sum(after)) / 1000.0), default=0.0))
        worst = [max(a, b) for a, b in zip(worst_run, worst_land, strict=True)]
        res.params = {
            "words": ctx.inputs.sizes.words[tier],
            "service_seconds": service,
            "how": "RecognitionPanel.start with an injected recognizer that sleeps like a service, then parses "
            "the answer in the window's parser process (as a provider run does) and detects the frame in "
            "the worker (as recognize_and_load); a 1 ms timer on the GUI thread "
            "records the gaps until the result is on the canvas and painted",
            "gaps_while_running": len(running),
        }
        res.stats = {
            "worst stall per run": Stats(tuple(worst)),
            "worst while the job runs": Stats(tuple(worst_run)),
            "worst while the result lands": Stats(tuple(worst_land)),
            "GUI-thread CPU in a landing gap, most": Stats(tuple(worst_land_cpu)),
            "floor: worst gap of the idle window": Stats(tuple(idle)),
        }
        return res.finish(
            max(worst),
            note="value = the worst stall of all runs (the target says 'never'); 'while the result lands' "
            "is set_response + overlay + docks on the GUI thread; the floor is the timer's own jitter",
        )
    finally:
        bench.close()


def _paint_compare(tier: str, limit: float, wipe: bool = False) -> Callable[[Context], Result]:
    """The compare overlay (words coloured by status) at fit: the same budget as the normal one.
    ``wipe``: with the A/B wipe on, its handle in the middle (B's words and the picture again on
    the right half)."""
    name = f"paint_fit_{tier}_{'wipe' if wipe else 'compare'}"

    def case(ctx: Context) -> Result:
        import numpy as np

        res = Result(
            name=name,
            title=f"paint one frame at fit, {tier} words coloured by compare status over the 12 MP page"
            + (", A/B wipe in the middle" if wipe else ""),
            target=Target("max", limit, f"<= {limit:.0f} ms"),
        )
        viewer = _viewer()
        doc = viewer.placed_document(ctx.inputs.response("azure-v3", tier), ctx.inputs.page_jpeg)
        bench = viewer.Bench(ctx.inputs.sizes.view)
        try:
            bench.show_image(ctx.inputs.page_jpeg)
            bench.build_overlay(doc)
            bench.fit()
            layer = bench.canvas.layers["word"]
            rng = np.random.default_rng(3)  # 90% equal, 5% substituted, 3% missed, 2% extra
            layer.set_statuses(rng.choice(4, size=len(layer.data), p=[0.9, 0.05, 0.03, 0.02]).astype(np.int8))
            how = viewer.PAINT_HOW + "; statuses set"
            if wipe:
                from ocrviewer.gui.compare_views import SideB, Wipe

                w = Wipe(bench.canvas)
                w.set_on(True)
                b = rng.choice(4, size=len(layer.data), p=[0.9, 0.05, 0.03, 0.02]).astype(np.int8)
                w.set_b(SideB("B", layer.data, b))
                how += "; wipe on, handle in the middle"
            bench.paint().save(str(ctx.inputs.folder / f"{name}.png"))  # to look at
            res.params = {"words": ctx.inputs.sizes.words[tier], "how": how}
            cold = time_calls(bench.paint, ctx.fast_repeat, setup=bench.invalidate)
            threshold = time_calls(bench.paint, ctx.fast_repeat, setup=bench.invalidate_threshold)
            res.stats = {"repaint (caches dropped)": cold, "repaint (threshold change)": threshold}
            if wipe:  # dragging the handle: every frame moves it, the layers' pictures are kept
                xs = iter(np.linspace(0.3, 0.7, 10_000) * w.size[0])
                res.stats["handle dragged (caches kept)"] = time_calls(
                    bench.paint, ctx.fast_repeat, setup=lambda: w.set_x(next(xs))
                )
            return res.finish(cold.median, note="target: the normal overlay's (paint_fit_10k)")
        finally:
            bench.close()

    return case


# -- compare ---------------------------------------------------------------------------------------


def _perturbed(doc: Any, seed: int = 11) -> Any:
    """Another engine's reading of the same page: boxes jittered, typos, dropped and extra words,
    and a different reading order (blocks reversed, lines shuffled)."""
    from dataclasses import replace

    from ocrviewer.core.model import Word, polygon_from_bbox

    rng = random.Random(seed)
    pages = []
    for page in doc.pages:
        blocks = []
        for block in page.blocks:
            lines = []
            for line in block.lines:
                words = []
                for w in line.words:
                    r = rng.random()
                    if r < 0.02:
                        continue
                    left, top, right, bottom = w.bbox
                    dx, dy = rng.uniform(-2, 2), rng.uniform(-2, 2)
                    text = w.text[:-1] + "x" if r < 0.07 and w.text else w.text
                    words.append(
                        Word(text, polygon_from_bbox(left + dx, top + dy, right + dx, bottom + dy), 0.9)
                    )
                    if r > 0.99:
                        words.append(Word("~", polygon_from_bbox(right + 1, top, right + 4, bottom), 0.5))
                lines.append(replace(line, words=tuple(words)))
            rng.shuffle(lines)
            blocks.append(replace(block, lines=tuple(lines)))
        pages.append(replace(page, blocks=tuple(reversed(blocks))))
    return doc.with_pages(pages)


def compare_align(ctx: Context) -> Result:
    res = Result(
        name="compare_align_10k",
        title="align and score 10k result words against 10k reference words on one page",
        target=Target("max", 300.0, "<= 300 ms"),
    )
    compare = _require("ocrviewer.core.compare", "the compare feature")
    parsers = _require("ocrviewer.core.parsers", "the parsers")
    ref = parsers.load_response(ctx.inputs.response("azure-v3", "10k"))
    result = _perturbed(ref)
    page = compare.compare_pages(ref.pages[0], result.pages[0])  # warm-up, and a check
    n = ctx.inputs.sizes.words["10k"]
    counts = page.counts()
    grouped = 0 if page.group is None else len(set(page.ref_index[page.group >= 0].tolist()))  # split/merged
    if counts["matched"] + counts["missed"] + grouped != n or counts["matched"] < 0.9 * n:
        raise RuntimeError(f"alignment looks wrong: {counts} for {n} reference words")
    from rapidfuzz.distance import Levenshtein

    ref_text, res_text = ref.pages[0].text, result.pages[0].text
    stats, floor = _interleaved(
        lambda: compare.compare_pages(ref.pages[0], result.pages[0]),
        lambda: Levenshtein.distance(ref_text, res_text),
        ctx.fast_repeat,
    )
    res.params = {
        "reference_words": n,
        "result_words": sum(1 for _ in result.words()),
        "words": counts,
        "cer": round(page.cer.rate or 0.0, 4),
        "how": "ocrviewer.core.compare.compare_pages: grid + polygon IoU, text within the line, line CER/WER, "
        "bag of words, detection; the result is the reference with jittered boxes, 5% typos, 2% dropped, "
        "1% extra words, blocks reversed and lines shuffled",
    }
    res.stats = {"compare_pages": stats, "floor: one edit distance of the two page texts": floor}
    return res.finish(stats.median, note="floor: what a text-only CER of the page costs (no alignment)")


# -- subprocess cases ------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # as installed (pip compiles on install): bytecode cached, not compiled from source every start
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def _run_timed(
    cmd: list[str], what: str, output: Path | None = None, env: dict[str, str] | None = None
) -> float:
    return _run_timed_err(cmd, what, output, env)[0]


def _run_timed_err(
    cmd: list[str], what: str, output: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, str]:
    """Wall time (ms) of a subprocess, and its stderr."""
    if output is not None:
        output.unlink(missing_ok=True)  # a fresh file each run (and no refusal to overwrite)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env or _child_env(), cwd=REPO)
    elapsed = (time.perf_counter() - t0) * 1000.0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{what} exited {proc.returncode}: {' | '.join(tail)}")
    return elapsed, proc.stderr


#: Phases ``ocrviewer render`` reports with OCRVIEWER_RENDER_TIMINGS=1 (one JSON line on stderr).
RENDER_PHASES = ("parse", "decode", "draw", "text", "compose", "encode", "write")


def _render_timings(stderr: str) -> dict[str, float]:
    for line in reversed(stderr.splitlines()):
        if line.startswith("render timings: "):
            return {k: float(v) for k, v in json.loads(line[len("render timings: ") :]).items()}
    raise RuntimeError("`ocrviewer render` printed no timings with OCRVIEWER_RENDER_TIMINGS=1")


def render_vs_peer(ctx: Context) -> Result:
    res = Result(
        name="render_10k_vs_matplotlib",
        title="`ocrviewer render` 10k words on the 12 MP page vs the quickstart's matplotlib overlay",
        target=Target("min", 40.0, ">= 40x faster"),
        unit="x",
    )
    cli = _require("ocrviewer.cli", "the CLI")
    if "render" not in cli.build_parser().format_help():
        raise Skip("`ocrviewer render` is not registered yet (engineer B)")
    image, resp = ctx.inputs.page_jpeg, ctx.inputs.response("azure-v3", "10k")
    out_ours = ctx.inputs.folder / "render_ocrviewer.png"
    out_peer = ctx.inputs.folder / "render_matplotlib.png"
    # ocrviewer render IMAGE --response RESP -o OUT (default levels: block, line, word, with labels)
    ours_cmd = [
        sys.executable,
        "-m",
        "ocrviewer",
        "render",
        str(image),
        "--response",
        str(resp),
        "-o",
        str(out_ours),
    ]
    peer_cmd = [
        sys.executable,
        str(REPO / "benchmarks" / "peer_matplotlib_overlay.py"),
        str(image),
        str(resp),
        str(out_peer),
    ]
    n_peer = 1 if ctx.quick else min(ctx.repeat, 3)
    timed_env = dict(_child_env(), OCRVIEWER_RENDER_TIMINGS="1")
    runs: list[tuple[float, str]] = []

    def run_ours() -> None:
        runs.append(_run_timed_err(ours_cmd, "ocrviewer render", out_ours, timed_env))

    if ctx.quick:  # only proves both still run: side by side, to keep CI fast
        out_peer.unlink(missing_ok=True)
        t0 = time.perf_counter()
        peer_proc = subprocess.Popen(
            peer_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_child_env(), cwd=REPO
        )
        run_ours()
        _, err = peer_proc.communicate()
        if peer_proc.returncode != 0:
            raise RuntimeError(f"matplotlib peer exited {peer_proc.returncode}: {err.strip()[-300:]}")
        peer = Stats(((time.perf_counter() - t0) * 1000.0,))
    else:
        # interleaved: ours, peer, ours, peer, ... then ours alone for the remaining repeats
        peer_times: list[float] = []
        for i in range(ctx.repeat):
            run_ours()
            if i < n_peer:
                peer_times.append(_run_timed(peer_cmd, "matplotlib peer", out_peer))
        peer = Stats(tuple(peer_times))
    ours = Stats(tuple(t for t, _ in runs))
    # where the time goes, from the same runs: the CLI's own phase timings; the rest of the
    # wall time is the interpreter starting and importing
    phases = [_render_timings(err) for _, err in runs]
    breakdown: dict[str, Stats] = {}
    start = [t - sum(p.values()) for (t, _), p in zip(runs, phases, strict=True)]
    breakdown["start + imports"] = Stats(tuple(start))
    for name in RENDER_PHASES:
        breakdown[name] = Stats(tuple(p.get(name, 0.0) for p in phases))
    total = ours.median
    shares = ", ".join(f"{k} {100 * v.median / total:.0f}%" for k, v in breakdown.items())
    res.params = {
        "words": ctx.inputs.sizes.words["10k"],
        "image": image.name,
        "ours": " ".join(Path(c).name if "/" in c else c for c in ours_cmd[1:]),
        "peer": "benchmarks/peer_matplotlib_overlay.py",
        "peer_runs": n_peer,
        "both": "subprocess wall time, interpreter start included",
    }
    res.stats = {"ocrviewer render": ours, "matplotlib peer": peer}
    res.stats.update({f"  {k}": v for k, v in breakdown.items()})
    return res.finish(peer.median / ours.median, note=f"share of ocrviewer's wall time: {shares}")


def _peak_memory(tier: str, factor: float | None) -> Callable[[Context], Result]:
    def case(ctx: Context) -> Result:
        return peak_memory(ctx, tier, factor)

    return case


def peak_memory(ctx: Context, tier: str = "10k", factor: float | None = 1.5) -> Result:
    w, h = ctx.inputs.sizes.photo
    copy_mb = w * h * 4 / 2**20  # one 32-bit copy of the photo
    res = Result(
        name=f"peak_rss_20mp_{tier}",
        title=f"peak memory above the empty window: viewer with the 20 MP photo (full resolution) and "
        f"{tier} words, painted once",
        target=Target("max", factor * copy_mb, f"<= {factor:g} x photo ({factor * copy_mb:.0f} MB)")
        if factor
        else Target("info", None, "(report)"),
        unit="MB",
    )
    _viewer()
    image, resp = ctx.inputs.photo_jpeg, ctx.inputs.response("azure-v3", tier, target="photo")
    runs = []
    base = []
    for _ in range(1 if ctx.quick else min(ctx.repeat, 3)):
        # Peak RSS is per process, so the two children can run side by side.
        run, floor_run = _child_peaks([["memory", str(image), str(resp)], ["baseline"]])
        runs.append(run)
        base.append(floor_run)
    peak = Stats(tuple(r["vmhwm_mb"] for r in runs), unit="MB")
    floor = Stats(tuple(b["vmhwm_mb"] for b in base), unit="MB")
    above = Stats(tuple(r["vmhwm_mb"] - b["vmhwm_mb"] for r, b in zip(runs, base, strict=True)), unit="MB")
    res.params = {
        "image": image.name,
        "words": ctx.inputs.sizes.words[tier],
        "decoded_rgb32_mb": round(copy_mb, 1),
        "child": runs[-1],
    }
    res.stats = {
        "above the empty window": above,
        "viewer": peak,
        "floor: python + Qt, empty main window": floor,
    }
    return res.finish(above.median, note=f"one 32-bit copy of the photo is {copy_mb:.0f} MB")


# -- cold start ------------------------------------------------------------------------------------


def cold_start(ctx: Context) -> Result:
    res = Result(
        name="cold_start_sample",
        title="process start to the first painted window with the bundled sample and its overlay, "
        "vs a minimal PySide6 QLabel showing the same image",
        target=Target("max", 1.5, "<= 1.50x QLabel"),
        unit="x",
    )
    from ocrviewer.cli.view_cmd import find_sample

    image, response = find_sample()
    if response is None:
        raise RuntimeError("the bundled sample has no response to show")
    env = _child_env()
    from benchmarks.screen import offscreen_platform

    env["QT_QPA_PLATFORM"] = offscreen_platform()
    ours_cmd = [sys.executable, str(REPO / "benchmarks" / "cold_start_probe.py")]
    peer_cmd = [sys.executable, str(REPO / "benchmarks" / "peer_qlabel.py"), str(image)]
    _run_timed(ours_cmd, "the viewer's cold start", env=env)  # warm-up: page cache, font cache
    _run_timed(peer_cmd, "the QLabel peer", env=env)
    ours: list[float] = []
    peer: list[float] = []
    for _ in range(1 if ctx.quick else max(ctx.repeat * 2, 10)):
        ours.append(_run_timed(ours_cmd, "the viewer's cold start", env=env))
        peer.append(_run_timed(peer_cmd, "the QLabel peer", env=env))
    res.params = {
        "image": image.name,
        "response": response.name,
        "ours": "benchmarks/cold_start_probe.py (ocrviewer view, exits after the first paint with image + overlay)",
        "peer": "benchmarks/peer_qlabel.py IMAGE (QLabel + QPixmap, exits after its first paint)",
        "both": "subprocess wall time, interpreter start included, interleaved",
    }
    o, p = Stats(tuple(ours)), Stats(tuple(peer))
    res.stats = {"ocrviewer (sample + overlay)": o, "peer: QLabel with the image": p}
    return res.finish(o.median / p.median)


def _child_peaks(arg_lists: list[list[str]]) -> list[dict[str, Any]]:
    """Run ``python -m benchmarks.child ARGS`` for each list at once; their JSON reports."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.child", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_child_env(),
            cwd=REPO,
        )
        for args in arg_lists
    ]
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            tail = (stderr or stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"memory child exited {proc.returncode}: {' | '.join(tail)}")
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


from benchmarks import document_window as _document_window  # noqa: E402
from benchmarks import documents as _documents  # noqa: E402  (its cases take this module's Context)

#: name -> case, in table order. Names are the same in quick and full mode.
CASES: dict[str, Callable[[Context], Result]] = {
    "parse_azure_v3_10k": _parse_case("azure-v3"),
    "parse_yandex_10k": _parse_case("yandex"),
    "overlay_build_10k": _overlay_build("10k", None),
    "paint_fit_10k": _paint("10k", 16.0),
    "hit_test_10k": _hit("10k"),
    "overlay_build_100k": _overlay_build("100k", 300.0),
    "paint_fit_100k": _paint("100k", 25.0),
    "hit_test_100k": _hit("100k"),
    "paint_zoom4_100k": _paint("100k", None, zoom=4.0),
    "open_20mp_first_paint": open_first_paint,
    "gui_block_recognition_10k": _gui_block("10k", 33.0),
    "gui_block_recognition_100k": _gui_block("100k", None),
    "render_10k_vs_matplotlib": render_vs_peer,
    "peak_rss_20mp_10k": _peak_memory("10k", 1.5),
    "peak_rss_20mp_100k": _peak_memory("100k", None),
    "cold_start_sample": cold_start,
    "batch_overhead_per_input": _documents.batch_overhead,
    "pdf_200p_open_first_page": _documents.pdf_open_first_page,
    "pdf_1000p_peak_rss": _documents.pdf_1000_pages_memory,
    "compare_align_10k": compare_align,
    "paint_fit_10k_compare": _paint_compare("10k", 16.0),
    "paint_fit_10k_wipe": _paint_compare("10k", 16.0, wipe=True),
    "window_pdf_200p_azure": _document_window.window_200_pages,
    "window_pdf_1000p_strip_rss": _document_window.window_1000_pages_strip,
}
