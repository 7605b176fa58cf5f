"""The RapidOCR engine, run in a child process so cv2 never touches the viewer's process.

Importing cv2 (opencv-python, which rapidocr_onnxruntime requires) sets
``QT_QPA_PLATFORM_PLUGIN_PATH``, ``QT_QPA_FONTDIR`` and ``LD_LIBRARY_PATH`` and maps
OpenCV's own Qt 5 libraries into the process. In a child none of that reaches the
viewer, and a recognition can be stopped at once by killing the child.

Started as ``python -m ocrviewer.providers._engine_child`` (a plain subprocess, not
multiprocessing, so the parent's ``__main__`` is never re-imported). A frozen bundle starts
its own executable with ``OCRVIEWER_ENGINE_CHILD=1``; its entry point must then call
:func:`main` before anything else. This module must not import Qt or ``ocrviewer.gui``.

Messages are length-prefixed pickles on the child's stdin/stdout (its stdout is kept for
them; anything the engine prints goes to stderr):

- parent -> child: ``(data: bytes, text_score: float)`` to recognize, ``None`` to exit;
- child -> parent: ``("ready", info)``, ``("progress", fraction, message)``,
  ``("result", lines)`` or ``("error", message)``.

Each line in ``lines`` is a dict with ``polygon``, ``text``, ``confidence`` and the
per-character ``char_boxes``, ``chars`` and ``char_confidences`` (plain lists and floats).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ocrviewer.core.childproc import read_message, write_message

ENGINE_PACKAGE = "rapidocr_onnxruntime"
CHILD_ENV = "OCRVIEWER_ENGINE_CHILD"

Progress = Callable[[float, str], None]
#: seconds between "still detecting" reports while the engine's detector runs (it reports nothing)
TICK_S = 2.0


@contextmanager
def ticking(progress: Progress, fraction: float, message: str, every: float | None = None) -> Iterator[None]:
    """Report ``message`` with the time spent so far every ``every`` seconds while the block runs.

    The detector is one long call into ONNX Runtime (which releases the GIL), so a thread can
    say it is still going: the counter moves instead of sitting at "finding text".
    """
    stop = threading.Event()
    start = time.monotonic()
    period = TICK_S if every is None else every

    def run() -> None:
        while not stop.wait(period):
            progress(fraction, f"{message} ({time.monotonic() - start:.0f} s)")

    thread = threading.Thread(target=run, name="progress-tick", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def load_engine() -> Any:
    """Build the RapidOCR engine (models ship inside the wheel; CPU only)."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(print_verbose=False)


def engine_info() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    info: dict[str, Any] = {"engine": ENGINE_PACKAGE}
    for dist in (ENGINE_PACKAGE, "onnxruntime"):
        try:
            info[f"{dist}_version"] = version(dist)
        except PackageNotFoundError:
            info[f"{dist}_version"] = None
    return info


def _plain(value: Any) -> Any:
    """Numpy values and tuples -> plain lists and floats, so they pickle small and JSON-encode."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def decode_bgr(data: bytes) -> Any:
    """Encoded image -> the BGR array the engine expects, transparency flattened onto white.

    The engine's own RGBA handling inverts the colours of most images with an alpha channel.
    """
    import io

    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = img.convert("RGB")
    return np.ascontiguousarray(np.asarray(flat)[:, :, ::-1])


#: longest side over shortest past which a tall picture is widened with white before detection
THIN_RATIO = 8
#: the engine's own smallest side (``min_side_len``): a thinner picture is scaled up to it
MIN_SIDE = 30


def pad_thin(img: Any) -> Any:
    """``img`` (an H x W x 3 array) with white added on the right or at the bottom where it is a thin
    strip. The engine scales a picture's shorter side up to 30 px, and detection then its shorter
    side to 736 px: a 1x200 picture became 736x147,200 (2.8 GB, minutes of CPU). Padding on the
    right and bottom leaves every text pixel where it was, so boxes need no correction."""
    import math

    import numpy as np

    h, w = img.shape[:2]
    want_w = max(w, math.ceil(h / THIN_RATIO)) if h > THIN_RATIO * w else w
    want_h = max(h, MIN_SIDE) if w > h and h < MIN_SIDE else h
    if (want_h, want_w) == (h, w):
        return img
    out = np.full((want_h, want_w, *img.shape[2:]), 255, dtype=img.dtype)
    out[:h, :w] = img
    return out


def run_engine(engine: Any, data: bytes, text_score: float, progress: Progress) -> list[dict[str, Any]]:
    """Detect, classify and recognize like ``RapidOCR.__call__`` (1.4.4), reporting progress.

    The steps are the engine's own; only recognition is split into chunks (aligned to the
    engine's batches, in its width order, so results are the same) to report progress.
    """
    import numpy as np

    progress(0.05, "decoding: reading the image")
    img = engine.load_img(decode_bgr(data))
    raw_h, raw_w = img.shape[:2]
    img = pad_thin(img)  # white on the right or bottom: the text keeps its coordinates
    op_record: dict[str, Any] = {}
    img, ratio_h, ratio_w = engine.preprocess(img)
    op_record["preprocess"] = {"ratio_h": ratio_h, "ratio_w": ratio_w}
    img, op_record = engine.maybe_add_letterbox(img, op_record)

    progress(0.1, "detection: finding text")
    with ticking(progress, 0.1, "detection: finding text"):
        dt_boxes, _ = engine.auto_text_det(img)
    if dt_boxes is None or len(dt_boxes) == 0:
        return []
    crops = engine.get_crop_img_list(img, dt_boxes)
    count = len(crops)
    progress(0.4, f"direction: found {count} lines; checking which way up they are")
    crops, _, _ = engine.text_cls(crops)

    order = np.argsort(np.array([c.shape[1] / float(c.shape[0]) for c in crops]), kind="stable")
    chunk = max(1, int(engine.text_rec.rec_batch_num))
    rec_res: list[Any] = [None] * count
    for start in range(0, count, chunk):
        progress(
            0.45 + 0.5 * start / count,
            f"recognition: reading lines {start + 1}-{min(count, start + chunk)} of {count}",
        )
        idx = [int(i) for i in order[start : start + chunk]]
        part, _ = engine.text_rec([crops[i] for i in idx], True)
        for i, res in zip(idx, part, strict=True):
            rec_res[i] = res

    rec_res = engine.cal_rec_boxes(crops, dt_boxes, rec_res)
    for res in rec_res:
        if res[2]:
            res[2] = engine._get_origin_points(res[2], op_record, raw_h, raw_w).astype(np.int32).tolist()
    boxes = engine._get_origin_points(dt_boxes, op_record, raw_h, raw_w)

    lines: list[dict[str, Any]] = []
    for box, res in zip(boxes, rec_res, strict=True):
        text, score = str(res[0]), float(res[1])
        if not text.strip() or score < text_score:
            continue
        lines.append(
            {
                "polygon": _plain(box),
                "text": text,
                "confidence": score,
                "char_boxes": _plain(res[2]) if len(res) > 2 else [],
                "chars": [str(c) for c in res[3]] if len(res) > 3 else [],
                "char_confidences": [float(c) for c in res[4]] if len(res) > 4 else [],
            }
        )
    progress(1.0, f"read {len(lines)} lines")
    return lines


def serve(receive: Callable[[], Any], send: Callable[[Any], None]) -> None:
    """Child main loop: load the engine once, then answer requests until ``None`` or EOF."""
    try:
        engine = load_engine()
        info = engine_info()
    except Exception as err:  # report anything; the parent turns it into ProviderUnavailable
        send(("error", f"cannot load the local engine: {type(err).__name__}: {err}"))
        return
    send(("ready", info))
    lock = threading.Lock()  # the ticking thread and the main one both report

    def progress(fraction: float, message: str) -> None:
        with lock:
            send(("progress", fraction, message))

    while True:
        try:
            request = receive()
        except (EOFError, OSError):
            return
        if request is None:
            return
        data, text_score = request
        try:
            lines = run_engine(engine, data, float(text_score), progress)
            with lock:
                send(("result", lines))
        except Exception as err:  # one bad image must not end the engine
            send(("error", f"{type(err).__name__}: {err}"))


def main() -> int:
    """Entry point of the child: keep stdout for messages, send everything printed to stderr.

    Ctrl-C in a terminal reaches the whole process group; the parent decides when the engine
    stops (it cancels by killing the child), so the child ignores it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    source = sys.stdin.buffer
    try:
        serve(lambda: read_message(source), lambda m: write_message(channel, m))
    except (BrokenPipeError, EOFError):  # the parent went away
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
