"""Child process for the peak-memory case: its high-water RSS is its own, not the runner's.

It runs the real main window (docks included) on the offscreen 1920x1080 screen.

    python -m benchmarks.child memory IMAGE RESPONSE   # viewer: full image + response, painted once
    python -m benchmarks.child baseline                 # python + Qt + the empty main window, painted once
    python -m benchmarks.child document PDF RESP FLIPS  # a 200-page document: open, paint, flip pages
    python -m benchmarks.child strip PDF                # a long PDF: scroll its page strip to the end

Prints one JSON line: {"vmhwm_mb": ..., ...}.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def vmhwm_mb() -> float:
    """Peak resident set size of this process (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str]) -> int:
    from benchmarks import viewer

    t0 = time.perf_counter()
    bench = viewer.WindowBench((1600, 1000))
    # both children first let the window settle as a user's does: the recognition panel checks
    # the providers a moment after start (HTTP and keyring libraries, ~25 MB)
    panel = bench.window.dock_context.panels.get("recognition") if bench.window.dock_context else None
    if panel is not None:
        bench._wait(lambda: panel.ready, "the provider check")
    out: dict[str, object] = {"mode": argv[0]}
    if argv[0] == "memory":
        image, response = Path(argv[1]), Path(argv[2])
        bench.show_image(image)  # waits for the full-resolution decode
        doc = viewer.placed_document(response, image)
        bench.build_overlay(doc)
        bench.fit()
        bench.paint()
        out["words"] = len(bench.canvas.layers["word"].data)
        out["image_levels"] = [[lv.image.width(), lv.image.height()] for lv in bench.canvas.image_item.levels]
    elif argv[0] == "baseline":
        bench.paint()
    elif argv[0] == "document":
        from benchmarks.document_window import run_document

        out.update(run_document(bench, Path(argv[1]), Path(argv[2]), int(argv[3])))
    elif argv[0] == "strip":
        from benchmarks.document_window import run_strip

        out.update(run_strip(bench, Path(argv[1]), int(argv[2]) if len(argv) > 2 else 0))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    out["seconds"] = round(time.perf_counter() - t0, 3)
    out["vmhwm_mb"] = round(vmhwm_mb(), 1)
    bench.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
