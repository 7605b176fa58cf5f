"""Benchmark cases for documents: batch scheduling overhead, and opening / flipping long PDFs (core part).

The batch case runs a real batch (``providers.batch.run_batch``) against the loopback Yandex emulator
used by the tests. It times each input's recognition (``run.recognize_file``: hash, prepare, the
provider call, the cache, the response and its sidecar) and the provider call inside it, and reports
what the batch's scheduling adds per input beyond the recognition (the pool, the rate-limit gate,
the manifest); the preparation and writing around the provider call are reported beside it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.harness import REPO, Result, Skip, Stats, Target

if TYPE_CHECKING:
    from benchmarks.cases import Context


@contextmanager
def _timed(owner: Any, attr: str, calls: list[float]) -> Iterator[None]:
    """Record how long each call of ``owner.attr`` takes (restored afterwards)."""
    original = getattr(owner, attr)

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            calls.append(time.perf_counter() - t0)

    setattr(owner, attr, timed)
    try:
        yield
    finally:
        setattr(owner, attr, original)


def _emulator() -> Any:
    import sys

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    try:
        from tests.providers.servers import YANDEX_KEY, FakeCloud
    except ImportError as err:  # pragma: no cover - the tests ship with the source
        raise Skip(f"the loopback emulator (tests/providers/servers.py) is not importable: {err}") from err
    return FakeCloud, YANDEX_KEY


def batch_overhead(ctx: Context) -> Result:
    res = Result(
        name="batch_overhead_per_input",
        title="batch: scheduling time per input beyond the recognition itself (loopback Yandex emulator, jobs 1)",
        target=Target("max", 5.0, "<= 5 ms"),
        unit="ms",
    )
    from PIL import Image, ImageDraw

    from ocrviewer.core.sources import open_source
    from ocrviewer.providers.batch import RateLimit, prepare_batch, run_batch
    from ocrviewer.providers.cache import ResponseCache
    from ocrviewer.providers.credentials import ENV_VARS, CredentialStore
    from ocrviewer.providers.settings import CREDENTIALS

    fake_cloud, key = _emulator()
    n = 20 if ctx.quick else 100
    cloud = fake_cloud(running_polls=0)
    env = ENV_VARS[("yandex", "api_key")]
    previous = os.environ.get(env)
    os.environ[env] = key
    from ocrviewer.providers import run as run_module
    from ocrviewer.providers import yandex

    samples: list[float] = []
    provider_ms: list[float] = []
    around_ms: list[float] = []
    try:
        for _ in range(1 if ctx.quick else min(ctx.repeat, 3)):
            with tempfile.TemporaryDirectory(prefix="ocrviewer-bench-batch-") as tmp:
                folder = Path(tmp) / "scans"
                folder.mkdir()
                for i in range(n):  # small scans, all different (no cache hit between them)
                    img = Image.new("L", (600, 300), 255)
                    ImageDraw.Draw(img).rectangle((20 + i, 40, 120 + i, 70), fill=0)
                    img.save(folder / f"scan{i:04d}.png")
                settings: dict[str, Any] = {"yandex.ocr_endpoint": cloud.url, CREDENTIALS: CredentialStore()}
                calls: list[float] = []
                inputs: list[float] = []
                with (
                    open_source(folder) as src,
                    _timed(yandex.YandexProvider, "recognize", calls),
                    _timed(run_module, "recognize_file", inputs),
                ):
                    bp = prepare_batch(
                        src,
                        Path(tmp) / "out",
                        "yandex",
                        {},
                        settings,
                        rate=RateLimit(None),
                        cache=ResponseCache(Path(tmp) / "cache"),
                    )
                    t0 = time.perf_counter()
                    report = run_batch(bp, settings, jobs=1, cache=ResponseCache(Path(tmp) / "cache"))
                    wall = time.perf_counter() - t0
                if report.count("done") != n:
                    reasons = {r.reason for r in report.records if r.reason}
                    raise RuntimeError(f"batch did not finish: {report.count('done')} of {n} done; {reasons}")
                samples.append((wall - sum(inputs)) / n * 1000.0)
                provider_ms.append(sum(calls) / n * 1000.0)
                around_ms.append((sum(inputs) - sum(calls)) / n * 1000.0)
    finally:
        cloud.close()
        if previous is None:
            os.environ.pop(env, None)
        else:
            os.environ[env] = previous
    stats = Stats(tuple(samples))
    res.params = {"inputs": n, "image": "600x300 PNG", "jobs": 1, "provider": "yandex (loopback emulator)"}
    around = Stats(tuple(around_ms))
    res.stats = {
        "scheduling per input": stats,
        "provider call per input": Stats(tuple(provider_ms)),
        "hash + prepare + cache + response/sidecar writes per input": around,
    }
    return res.finish(
        stats.median,
        note=f"provider call {Stats(tuple(provider_ms)).median:.1f} ms; preparing and writing around it "
        f"{around.median:.1f} ms per input (mostly the PNG re-encode in prepare_image)",
    )


def _pdf(path: Path, pages: int) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(595, 842), pageCompression=1)
    for i in range(pages):
        c.setFont("Helvetica", 11)
        for line in range(40):
            c.drawString(
                60,
                780 - 18 * line,
                f"Page {i + 1} line {line + 1}: the quick brown fox jumps over the lazy dog",
            )
        c.showPage()
    c.save()
    return path


def pdf_open_first_page(ctx: Context) -> Result:
    res = Result(
        name="pdf_200p_open_first_page",
        title="200-page text PDF: open and render the first page at 150 dpi (core, no window)",
        target=Target("max", 1500.0, "<= 1500 ms"),
        unit="ms",
    )
    try:
        import reportlab  # noqa: F401
    except ImportError as err:
        raise Skip(f"reportlab is needed to make the PDF: {err}") from err
    from ocrviewer.core.sources import open_source

    with tempfile.TemporaryDirectory(prefix="ocrviewer-bench-pdf-") as tmp:
        pdf = _pdf(Path(tmp) / "long.pdf", 200)
        opens, flips = [], []
        for _ in range(ctx.fast_repeat):
            t0 = time.perf_counter()
            with open_source(pdf) as src:
                src.pages[0].render()
                opens.append((time.perf_counter() - t0) * 1000.0)
                t1 = time.perf_counter()
                src.pages[100].render()
                flips.append((time.perf_counter() - t1) * 1000.0)
    res.params = {"pages": 200, "dpi": 150}
    res.stats = {"open + first page": Stats(tuple(opens)), "flip (render another page)": Stats(tuple(flips))}
    flip = Stats(tuple(flips)).median
    return res.finish(Stats(tuple(opens)).median, note=f"page flip {flip:.0f} ms (target <= 150 ms)")


def pdf_1000_pages_memory(ctx: Context) -> Result:
    res = Result(
        name="pdf_1000p_peak_rss",
        title="1,000-page PDF: open, read every page size, render 20 thumbnails and 3 pages (core, child)",
        target=Target("max", 800.0, "<= 800 MB"),
        unit="MB",
    )
    import json
    import subprocess
    import sys

    try:
        import reportlab  # noqa: F401
    except ImportError as err:
        raise Skip(f"reportlab is needed to make the PDF: {err}") from err
    pages = 1000
    with tempfile.TemporaryDirectory(prefix="ocrviewer-bench-pdf-") as tmp:
        pdf = _pdf(Path(tmp) / "thousand.pdf", pages)
        script = (
            "import json, sys\n"
            "from ocrviewer.core.sources import open_source\n"
            "src = open_source(sys.argv[1])\n"
            "sizes = [p.size for p in src.pages]\n"
            "for i in range(0, len(src.pages), 50): src.pages[i].render(max_side=256)\n"
            "for i in (0, 499, 999): src.pages[i].render()\n"
            "peak = [int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')][0]\n"
            "print(json.dumps({'pages': len(sizes), 'vmhwm_mb': peak / 1024}))\n"
        )
        peaks = []
        for _ in range(1 if ctx.quick else min(ctx.repeat, 3)):
            env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
            out = subprocess.run(
                [sys.executable, "-c", script, str(pdf)], capture_output=True, text=True, env=env, check=False
            )
            if out.returncode != 0:
                raise RuntimeError(f"child failed: {out.stderr.strip().splitlines()[-1:]}")
            peaks.append(json.loads(out.stdout.strip().splitlines()[-1])["vmhwm_mb"])
    res.params = {"pages": pages, "dpi": 150, "thumbnails": 20, "full pages": 3}
    res.stats = {"peak RSS": Stats(tuple(peaks), unit="MB")}
    return res.finish(Stats(tuple(peaks), unit="MB").median)
