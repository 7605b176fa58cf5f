"""Provider ``local``: RapidOCR (ONNX Runtime, CPU) with the models inside its wheel; no network, no key.

The engine runs in one long-lived child process (see :mod:`ocrviewer.providers._engine_child`
for why): it is loaded on first use and reused; cancel kills it, and the next run starts a
new one. The viewer's process never imports cv2, so its environment and Qt stay untouched.

The engine gives lines (a quadrilateral, text, score) and per-character boxes. Words are
the line's text split on spaces, and again where the letters leave a space-wide gap (the
engine often drops the spaces of English text), each with the oriented box of its characters
and the mean of their scores (the engine's line score is the mean over its characters too).
Lines that stack closely form blocks. The raw response is the project's own
``ocrviewer.document/1`` JSON, so it loads like any other.
"""

from __future__ import annotations

import atexit
import collections
import importlib.metadata
import importlib.util
import json
import math
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ocrviewer.core import childproc
from ocrviewer.core.childproc import read_message, write_message
from ocrviewer.core.model import (
    Block,
    Document,
    Line,
    Page,
    Point,
    Polygon,
    Word,
    make_polygon,
    polygon_from_bbox,
)
from ocrviewer.core.prepare import ImageLimits, PreparedImage
from ocrviewer.errors import BadInput, BadResponse, Cancelled, ProviderError, ProviderUnavailable
from ocrviewer.providers._engine_child import CHILD_ENV
from ocrviewer.providers.base import (
    CancelToken,
    ProgressCallback,
    ProviderOption,
    RecognitionResult,
    child_environment,
)

ENGINE_PACKAGE = "rapidocr_onnxruntime"
INSTALL_HINT = "pip install 'ocrviewer[local]' (or: pip install rapidocr_onnxruntime==1.4.4)"
DEFAULT_TEXT_SCORE = 0.5
SOURCE_FORMAT = "rapidocr"


# --- the engine process -------------------------------------------------------------------


class EngineProcess(childproc.ChildOwner):
    """One child process running the engine: started on first use, reused, killed on cancel.

    Calls are serialized (one image at a time). ``poll_seconds`` is how often a waiting call
    looks at the cancel token. ``command`` overrides how the child is started (tests).
    """

    def __init__(self, poll_seconds: float = 0.05, command: Sequence[str] | None = None) -> None:
        super().__init__()
        self._messages: queue.Queue[Any] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        self._poll = poll_seconds
        self._command = list(command) if command else None
        self.info: dict[str, Any] = {}
        self.starts = 0  # how many times the engine was loaded

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def recognize(
        self, data: bytes, text_score: float, cancel: CancelToken, progress: ProgressCallback
    ) -> list[dict[str, Any]]:
        """The engine's lines for an encoded image (see ``_engine_child.run_engine``)."""
        with self._lock:
            cancel.raise_if_cancelled()
            if not self.running:
                self._start(cancel, progress)
            process = self._process
            assert process is not None and process.stdin is not None
            try:
                write_message(process.stdin, (data, text_score))
            except (OSError, ValueError) as err:
                raise self._died() from err
            result = self._receive(cancel, progress)
            if not isinstance(result, list):
                raise ProviderError("the local engine answered something unexpected; run again")
            return result

    def kill(self) -> None:
        """Stop the child at once (cancel); the next call starts a fresh one."""
        self._discard()

    def _child_command(self) -> tuple[list[str], dict[str, str]]:
        env = child_environment()  # no keys: the engine never calls a service
        if self._command:
            return list(self._command), env
        if getattr(sys, "frozen", False):  # a bundle: its entry point dispatches on CHILD_ENV
            env[CHILD_ENV] = "1"
            return [sys.executable], env
        # The package may run from a source tree that is only on the parent's sys.path.
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        return [sys.executable, "-m", "ocrviewer.providers._engine_child"], env

    def _start(self, cancel: CancelToken, progress: ProgressCallback) -> None:
        progress(None, "starting the local engine")
        command, env = self._child_command()
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                # No console window flashing up next to the viewer on Windows.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as err:
            raise ProviderUnavailable(f"cannot start the local engine process: {err}") from err
        self._process = process
        self._messages = queue.Queue()
        self._stderr.clear()
        self.starts += 1
        threading.Thread(
            target=_pump_messages, args=(process, self._messages), name="local-engine-out", daemon=True
        ).start()
        threading.Thread(
            target=_pump_stderr, args=(process, self._stderr), name="local-engine-err", daemon=True
        ).start()
        try:
            info = self._receive(cancel, progress)
        except ProviderError as err:
            self._discard()
            raise ProviderUnavailable(str(err)) from err
        self.info = dict(info) if isinstance(info, Mapping) else {}

    def _receive(self, cancel: CancelToken, progress: ProgressCallback) -> Any:
        while True:
            if cancel.cancelled:
                self.kill()
                raise Cancelled("cancelled by the user")
            try:
                message = self._messages.get(timeout=self._poll)
            except queue.Empty:
                continue
            if message is _EOF:
                raise self._died()
            kind = message[0]
            if kind == "progress":
                progress(float(message[1]), str(message[2]))
            elif kind in ("ready", "result"):
                return message[1]
            elif kind == "error":
                raise ProviderError(f"local engine: {message[1]}")

    def _died(self) -> ProviderError:
        process = self._process
        code = None
        if process is not None:
            try:
                code = process.wait(5)
            except subprocess.TimeoutExpired:
                pass
        # The stderr reader may still be catching up with the last lines.
        time.sleep(0.05)
        last = next((line for line in reversed(self._stderr) if line.strip()), "")
        self._discard()
        detail = f": {last.strip()}" if last else ""
        return ProviderError(f"the local engine stopped unexpectedly (exit code {code}){detail}")


_EOF = object()


def _pump_messages(process: subprocess.Popen[bytes], out: queue.Queue[Any]) -> None:
    """Reader thread: child's messages -> queue, then ``_EOF`` when its stdout closes."""
    assert process.stdout is not None
    try:
        while True:
            out.put(read_message(process.stdout))
    except (EOFError, OSError, ValueError, pickle.UnpicklingError):
        out.put(_EOF)


def _pump_stderr(process: subprocess.Popen[bytes], lines: collections.deque[str]) -> None:
    assert process.stderr is not None
    try:
        for raw in process.stderr:
            lines.append(raw.decode("utf-8", "replace").rstrip())
    except (OSError, ValueError):
        pass


# Process-wide on purpose (the one module-level singleton the style allows here, by reason): the
# engine is a child process holding the loaded models (seconds to start, hundreds of MB), while
# ``LocalProvider`` objects are made afresh by the registry for every run and readiness probe. The
# process that owns the child is the right owner: started on first use, closed once at exit. Tests
# and callers that want their own pass an ``EngineProcess`` to ``LocalProvider(engine=...)``.
_shared_lock = threading.Lock()
_shared_engine: EngineProcess | None = None


def shared_engine() -> EngineProcess:
    """The process-wide engine, so every ``local`` provider reuses one loaded model set."""
    global _shared_engine
    with _shared_lock:
        if _shared_engine is None:
            _shared_engine = EngineProcess()
            atexit.register(_shared_engine.close)
        return _shared_engine


# --- engine lines -> Document (pure) ------------------------------------------------------


def _round(p: Sequence[float]) -> Point:
    return (round(float(p[0]), 2), round(float(p[1]), 2))


def _line_axes(poly: Polygon) -> tuple[Point, Point]:
    """Unit vectors along the line's top edge and across it (down the page for upright text)."""
    (x0, y0), (x1, y1) = poly[0], poly[1]
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 1e-6:
        return (1.0, 0.0), (0.0, 1.0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    return (ux, uy), (-uy, ux)


def oriented_box(points: Sequence[Sequence[float]], axes: tuple[Point, Point]) -> Polygon:
    """The smallest box around ``points`` with sides along ``axes``: TL, TR, BR, BL."""
    (ux, uy), (vx, vy) = axes
    a = [p[0] * ux + p[1] * uy for p in points]
    b = [p[0] * vx + p[1] * vy for p in points]
    a0, a1, b0, b1 = min(a), max(a), min(b), max(b)
    corners = ((a0, b0), (a1, b0), (a1, b1), (a0, b1))
    return tuple(_round((s * ux + t * vx, s * uy + t * vy)) for s, t in corners)


def _estimated_words(text: str, poly: Polygon, confidence: float | None) -> tuple[Word, ...]:
    """Words placed by character count along the line, when the engine gave no usable char boxes."""
    axes = _line_axes(poly)
    box = oriented_box(poly, axes)
    (tlx, tly), (trx, try_), (brx, bry), (blx, bly) = box
    total = max(1, len(text))
    words = []
    pos = 0
    for token in text.split(" "):
        if token:
            f0, f1 = pos / total, (pos + len(token)) / total

            def at(f: float, ax: float, ay: float, bx: float, by: float) -> Point:
                return _round((ax + (bx - ax) * f, ay + (by - ay) * f))

            words.append(
                Word(
                    text=token,
                    polygon=(
                        at(f0, tlx, tly, trx, try_),
                        at(f1, tlx, tly, trx, try_),
                        at(f1, blx, bly, brx, bry),
                        at(f0, blx, bly, brx, bry),
                    ),
                    confidence=confidence,
                    extras={"geometry": "estimated"},
                )
            )
        pos += len(token) + 1
    return tuple(words)


#: A gap between two letters over this many times the line's usual spacing is a word break
#: (measured centre to centre; the second figure allows for letter widths).
GAP_SPLIT = 1.7
GAP_SPLIT_PROPORTIONAL = 1.5
_NARROW = set("fijlrtI1!.,:;'|()[]")
_WIDE = set("mwMW")


def _advance(char: str) -> float:
    """Rough relative width of a letter, so "m" or "w" next to a letter is not taken for a gap."""
    if char in _NARROW:
        return 0.6
    if char in _WIDE:
        return 1.5
    return 1.2 if char.isupper() else 1.0


def _split_wide_gaps(
    groups: list[list[tuple[str, Any, float]]], axes: tuple[Point, Point]
) -> list[list[tuple[str, Any, float]]]:
    """Split words where the letters are far apart: the engine's English often drops spaces.

    A break needs a wide step both as measured and allowing for letter widths (so a
    monospaced "38.50EUR" splits and a proportional "grew" does not), and, when the engine
    did give spaces on this line, a step about as wide as those spaces.
    """
    (ux, uy), _ = axes

    def along(box: Any) -> float:
        return float(sum(p[0] * ux + p[1] * uy for p in box) / len(box))

    def steps(a: tuple[str, Any, float], b: tuple[str, Any, float]) -> tuple[float, float]:
        d = along(b[1]) - along(a[1])
        return d, d / ((_advance(a[0][-1]) + _advance(b[0][0])) / 2)

    inside = [steps(g[i], g[i + 1]) for g in groups for i in range(len(g) - 1)]
    if len(inside) < 3:
        return groups
    usual = sorted(d for d, _ in inside)[len(inside) // 2]
    usual_p = sorted(p for _, p in inside)[len(inside) // 2]
    if usual <= 0 or usual_p <= 0:
        return groups
    spaces = [steps(a[-1], b[0])[0] for a, b in zip(groups, groups[1:], strict=False)]
    floor = 0.85 * min(spaces) if spaces else 0.0
    out: list[list[tuple[str, Any, float]]] = []
    for group in groups:
        current = [group[0]]
        for i in range(1, len(group)):
            d, p = steps(group[i - 1], group[i])
            if d > GAP_SPLIT * usual and p > GAP_SPLIT_PROPORTIONAL * usual_p and d >= floor:
                out.append(current)
                current = []
            current.append(group[i])
        out.append(current)
    return out


def words_from_chars(
    text: str,
    line_polygon: Polygon,
    line_confidence: float | None,
    char_boxes: Sequence[Sequence[Sequence[float]]],
    chars: Sequence[str],
    char_confidences: Sequence[float],
) -> tuple[Word, ...]:
    """Group the engine's per-character boxes into the words of ``text`` (split on spaces).

    Characters are matched to the text ignoring whitespace, so it works whether or not the
    engine gave boxes for the spaces. A word whose letters have a wide gap (over
    :data:`GAP_SPLIT` times the line's usual spacing, see :func:`_split_wide_gaps`) is split there, because the engine
    often drops the spaces of English text ("Invoicenumber"). If the characters do not match
    the text, words are placed by character count along the line and marked
    ``extras["geometry"] = "estimated"``.
    """
    tokens = text.split()
    if not tokens:
        return ()
    usable = len(chars) == len(char_boxes) == len(char_confidences) and all(
        isinstance(b, (list, tuple)) and len(b) >= 3 for b in char_boxes
    )
    kept = (
        [(c, b, float(s)) for c, b, s in zip(chars, char_boxes, char_confidences, strict=True) if c.strip()]
        if usable
        else []
    )
    if not usable or "".join(c for c, _, _ in kept) != "".join(tokens):
        return _estimated_words(text, line_polygon, line_confidence)
    axes = _line_axes(line_polygon)
    groups: list[list[tuple[str, Any, float]]] = []
    pos = 0
    for token in tokens:
        # A "character" may be several letters (the engine's vocabulary has a few).
        group = []
        consumed = 0
        while consumed < len(token) and pos < len(kept):
            group.append(kept[pos])
            consumed += len(kept[pos][0])
            pos += 1
        if consumed != len(token):
            return _estimated_words(text, line_polygon, line_confidence)
        groups.append(group)
    words = []
    for group in _split_wide_gaps(groups, axes):
        scores = [score for _, _, score in group]
        words.append(
            Word(
                text="".join(c for c, _, _ in group),
                polygon=oriented_box([p for _, box, _ in group for p in box], axes),
                confidence=round(sum(scores) / len(scores), 4),
            )
        )
    return tuple(words)


def _line_from_engine(item: Mapping[str, Any], index: int) -> Line:
    what = f"local engine line {index}"
    polygon = tuple(_round(p) for p in make_polygon(item.get("polygon") or [], what=what))
    text = " ".join(str(item.get("text", "")).split())
    confidence = round(float(item.get("confidence", 0.0)), 4)
    words = words_from_chars(
        text,
        polygon,
        confidence,
        item.get("char_boxes") or [],
        item.get("chars") or [],
        item.get("char_confidences") or [],
    )
    if words and "geometry" not in words[0].extras:
        text = " ".join(w.text for w in words)  # spaces restored where words were split
    return Line(text=text, polygon=polygon, words=words, confidence=confidence)


def group_blocks(lines: Sequence[Line]) -> tuple[Block, ...]:
    """Lines that stack closely (small vertical gap, overlapping across, similar height) form one block."""
    groups: list[list[Line]] = []
    for line in lines:
        left, top, right, bottom = line.bbox
        height = max(1.0, bottom - top)
        target = None
        best = 0.0
        for group in groups:
            l2, t2, r2, b2 = group[-1].bbox
            gap = top - b2
            overlap = min(right, r2) - max(left, l2)
            similar = 0.6 <= height / max(1.0, b2 - t2) <= 1.6
            if -0.5 * height <= gap <= 0.8 * height and overlap > best and similar:
                target, best = group, overlap  # the block right above, overlapping the most
        if target is None:
            groups.append([line])
        else:
            target.append(line)
    blocks = []
    for group in groups:
        boxes = [line.bbox for line in group]
        blocks.append(
            Block(
                polygon=polygon_from_bbox(
                    min(b[0] for b in boxes),
                    min(b[1] for b in boxes),
                    max(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                ),
                lines=tuple(group),
            )
        )
    return tuple(blocks)


def document_from_engine(
    lines: Sequence[Mapping[str, Any]], width: int, height: int, extras: Mapping[str, Any] | None = None
) -> Document:
    """The engine's lines (in the image it was given) as a one-page Document in that frame."""
    parsed: list[Line] = []
    warnings: list[str] = []
    for i, item in enumerate(lines):
        try:
            parsed.append(_line_from_engine(item, i))
        except (BadResponse, TypeError, ValueError) as err:
            warnings.append(f"skipped local engine line {i}: {err}")
    page = Page(width=float(width), height=float(height), blocks=group_blocks(parsed))
    return Document(
        pages=(page,), source_format=SOURCE_FORMAT, extras=dict(extras or {}), warnings=tuple(warnings)
    )


# --- the provider -------------------------------------------------------------------------


def text_score_option(options: Mapping[str, Any]) -> float:
    value = options.get("text_score", DEFAULT_TEXT_SCORE)
    try:
        score = float(DEFAULT_TEXT_SCORE if value is None else value)
    except (TypeError, ValueError) as err:
        raise BadInput(f"text_score must be a number between 0 and 1, got {value!r}") from err
    if not 0.0 <= score <= 1.0:
        raise BadInput(f"text_score must be between 0 and 1, got {value!r}")
    return score


class LocalProvider:
    """RapidOCR on this computer, in a child process."""

    name = "local"
    title = "Local engine (RapidOCR, offline)"
    options = (
        ProviderOption(
            "text_score",
            "Minimum line score",
            default=DEFAULT_TEXT_SCORE,
            help="lines the engine scores below this (0..1) are dropped",
        ),
    )
    # The engine shrinks to 2000 px a side itself; sending more only costs time.
    limits = ImageLimits(max_side=4096, formats=("PNG", "JPEG"))

    def __init__(self, engine: EngineProcess | None = None) -> None:
        self._engine = engine

    @property
    def engine(self) -> EngineProcess:
        if self._engine is None:
            self._engine = shared_engine()
        return self._engine

    def unavailable_reason(self) -> str | None:
        for package in (ENGINE_PACKAGE, "onnxruntime"):
            try:
                found = importlib.util.find_spec(package) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                return f"the local engine needs the {package} package: {INSTALL_HINT}"
        return None

    def cache_identity(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The engine's and onnxruntime's versions (its models ship inside the engine's wheel)."""
        identity: dict[str, Any] = {}
        for package in (ENGINE_PACKAGE, "onnxruntime"):
            try:
                identity[package] = importlib.metadata.version(package)
            except importlib.metadata.PackageNotFoundError:
                identity[package] = None
        return identity

    def recognize(
        self,
        image: PreparedImage,
        options: Mapping[str, Any],
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> RecognitionResult:
        reason = self.unavailable_reason()
        if reason:
            raise ProviderUnavailable(reason)
        text_score = text_score_option(options)
        lines = self.engine.recognize(image.data, text_score, cancel, progress)
        info = dict(self.engine.info)
        info["text_score"] = text_score
        document = document_from_engine(lines, image.width, image.height, extras=info)
        raw = json.dumps(document.to_dict(), ensure_ascii=False).encode("utf-8")
        version = info.get(f"{ENGINE_PACKAGE}_version")
        return RecognitionResult(
            raw=raw,
            document=document,
            raw_suffix=".json",
            api_version=f"{ENGINE_PACKAGE} {version}" if version else ENGINE_PACKAGE,
        )


def create(settings: Mapping[str, Any]) -> LocalProvider:
    """Registry factory. No settings are needed; the engine process is shared."""
    return LocalProvider()
