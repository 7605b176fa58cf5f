"""OCR responses built from known word boxes, in the displayed or the raw frame.

Word boxes are given in the DISPLAYED frame (as in :mod:`tests.support.images`). :func:`layout`
expresses them in the frame a service returned:

- ``frame="display"``: the service applied EXIF (Yandex documents this);
- ``frame="raw"``: the service ignored EXIF and saw the stored pixels. Polygons are in raw pixels,
  AND each polygon starts at the text's own top-left and runs along its reading direction, as an
  engine reports rotated text: a displayed-frame quad TL, TR, BR, BL is mapped corner by corner.

``scale`` < 1 models an image shrunk before sending (coordinates and page size multiplied by it);
``scale=1/dpi`` with ``unit="inch"`` models an inch-based page.

The builders then write the provider's JSON shape, with the provider's own vertex order
(Azure: clockwise from the text's top-left; Yandex OCR: TL, BL, BR, TR).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocrviewer.core.geometry import inverse_orientation, orient_point, oriented_size

from .images import DEFAULT_DISPLAY_SIZE, DEFAULT_WORDS, ORIENTATIONS, Box, WordBox

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]  # TL, TR, BR, BL in the text's own reading orientation

FRAMES = ("display", "raw")
#: Response shapes the builders write, by the name :func:`build_response` takes.
SHAPES = ("yandex", "azure-v3")

__all__ = [
    "FRAMES",
    "ORIENTATIONS",
    "SHAPES",
    "Layout",
    "RBlock",
    "RLine",
    "RWord",
    "azure_read_v3_response",
    "box_quad",
    "build_response",
    "display_to_frame",
    "engine_angle",
    "frame_size",
    "layout",
    "quad_in_frame",
    "write_response",
    "yandex_response",
]


def box_quad(box: Box) -> Quad:
    """Upright text quad TL, TR, BR, BL of a box."""
    left, top, right, bottom = box
    return ((left, top), (right, top), (right, bottom), (left, bottom))


def frame_size(orientation: int, display_size: tuple[float, float], frame: str) -> tuple[float, float]:
    """Page size of a response in ``frame`` for an image displayed at ``display_size``."""
    if frame == "display":
        return display_size
    if frame == "raw":
        return oriented_size(inverse_orientation(orientation), *display_size)
    raise ValueError(f"frame must be display or raw, not {frame!r}")


def display_to_frame(
    orientation: int, x: float, y: float, display_size: tuple[float, float], frame: str
) -> Point:
    """A displayed-frame point expressed in ``frame`` (raw: the stored pixel it came from)."""
    if frame == "display":
        return (x, y)
    if frame == "raw":
        dw, dh = display_size
        return orient_point(inverse_orientation(orientation), x, y, dw, dh)
    raise ValueError(f"frame must be display or raw, not {frame!r}")


def quad_in_frame(
    box: Box, orientation: int, display_size: tuple[float, float], frame: str, scale: float = 1.0
) -> Quad:
    """Displayed box -> quad in ``frame``, starting at the text's own top-left (times ``scale``)."""
    pts = [display_to_frame(orientation, x, y, display_size, frame) for x, y in box_quad(box)]
    return tuple((x * scale, y * scale) for x, y in pts)  # type: ignore[return-value]


def engine_angle(orientation: int, frame: str) -> float:
    """Text angle (degrees clockwise, -180..180] an engine reports for upright displayed text in ``frame``."""
    if frame == "display":
        return 0.0
    (x0, y0), (x1, y1) = (display_to_frame(orientation, x, y, (100, 100), "raw") for x, y in ((0, 0), (1, 0)))
    a = math.degrees(math.atan2(y1 - y0, x1 - x0))
    return 180.0 if a == -180.0 else a + 0.0


@dataclass
class RWord:
    text: str
    quad: Quad
    confidence: float = 0.98


@dataclass
class RLine:
    text: str
    quad: Quad
    words: list[RWord] = field(default_factory=list)


@dataclass
class RBlock:
    quad: Quad
    lines: list[RLine] = field(default_factory=list)


@dataclass
class Layout:
    """A page as a service would describe it: blocks -> lines -> words with quads in its frame."""

    blocks: list[RBlock]
    width: float
    height: float
    orientation: int = 1
    frame: str = "display"
    angle: float = 0.0

    def words(self) -> list[RWord]:
        return [w for b in self.blocks for line in b.lines for w in line.words]

    def lines(self) -> list[RLine]:
        return [line for b in self.blocks for line in b.lines]


def _union(boxes: Iterable[Box]) -> Box:
    bs = list(boxes)
    return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))


def group_lines(words: Iterable[WordBox]) -> list[list[WordBox]]:
    """Words grouped into lines by overlapping vertical extent (displayed frame), left to right."""
    lines: list[list[WordBox]] = []
    for w in sorted(words, key=lambda w: (w[1][1], w[1][0])):
        for line in lines:
            top, bottom = line[0][1][1], line[0][1][3]
            if w[1][1] < bottom and w[1][3] > top:
                line.append(w)
                break
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w[1][0]) for line in lines]


def layout(
    words: Iterable[WordBox] = DEFAULT_WORDS,
    orientation: int = 1,
    display_size: tuple[float, float] = DEFAULT_DISPLAY_SIZE,
    frame: str = "display",
    scale: float = 1.0,
    one_block: bool = True,
    confidence: float | Sequence[float] = 0.98,
) -> Layout:
    """Displayed word boxes as a service in ``frame`` would report them (see the module docstring).

    ``confidence`` is one value for all words or one per word in the order given.
    """
    words = list(words)
    confs = [confidence] * len(words) if isinstance(confidence, (int, float)) else list(confidence)
    if len(confs) != len(words):
        raise ValueError(f"{len(confs)} confidences for {len(words)} words")
    # Carry each word's confidence through the grouping as a third item.
    tagged = [(t, b, float(c)) for (t, b), c in zip(words, confs, strict=True)]

    def q(box: Box) -> Quad:
        return quad_in_frame(box, orientation, display_size, frame, scale)

    lines = group_lines(tagged)  # type: ignore[arg-type]
    rlines = [
        RLine(
            text=" ".join(w[0] for w in line),
            quad=q(_union(w[1] for w in line)),
            words=[RWord(w[0], q(w[1]), w[2]) for w in line],  # type: ignore[misc]
        )
        for line in lines
    ]
    if one_block:
        blocks = [RBlock(q(_union(b for _, b in words)), rlines)]
    else:
        blocks = [RBlock(q(_union(w[1] for w in line)), [rl]) for line, rl in zip(lines, rlines, strict=True)]
    w, h = frame_size(orientation, display_size, frame)
    return Layout(blocks, w * scale, h * scale, orientation, frame, engine_angle(orientation, frame))


def _as_layout(page: Layout | Iterable[WordBox], width: float | None, height: float | None) -> Layout:
    if isinstance(page, Layout):
        if width is not None or height is not None:
            page = Layout(
                page.blocks,
                width or page.width,
                height or page.height,
                page.orientation,
                page.frame,
                page.angle,
            )
        return page
    words = list(page)
    if width is None or height is None:
        width = max(b[2] for _, b in words) if width is None else width
        height = max(b[3] for _, b in words) if height is None else height
    return layout(words, 1, (width, height), "display")


# -- Yandex OCR v1 ------------------------------------------------------------------------------------
def _num(v: float, as_string: bool) -> Any:
    n = int(round(v))
    return str(n) if as_string else n


def _yandex_box(quad: Quad, snake: bool, as_string: bool, drop_zero: bool) -> dict[str, Any]:
    tl, tr, br, bl = quad
    verts = []
    for x, y in (tl, bl, br, tr):  # Yandex order: TL, BL, BR, TR (counter-clockwise)
        v: dict[str, Any] = {}
        if not (drop_zero and round(x) == 0):
            v["x"] = _num(x, as_string)
        if not (drop_zero and round(y) == 0):
            v["y"] = _num(y, as_string)
        verts.append(v)
    return {"vertices": verts}


def yandex_response(
    page: Layout | Iterable[WordBox],
    width: float | None = None,
    height: float | None = None,
    *,
    case: str = "camel",
    wrapper: bool = True,
    numbers_as_strings: bool = True,
    drop_zero: bool = True,
    rotate: str | None = None,
) -> dict[str, Any]:
    """A Yandex OCR v1 recognizeText response ({"result": {"textAnnotation": ...}, "page": "0"}).

    ``case="snake"`` writes text_annotation/bounding_box; ``drop_zero`` omits x/y equal to 0 as protobuf
    JSON does; ``rotate`` ("ANGLE_0".."ANGLE_270") is written when given.
    """
    lay = _as_layout(page, width, height)
    snake = case == "snake"
    k_bbox = "bounding_box" if snake else "boundingBox"
    k_ann = "text_annotation" if snake else "textAnnotation"
    k_full = "full_text" if snake else "fullText"
    k_entity = "entity_index" if snake else "entityIndex"

    def box(quad: Quad) -> dict[str, Any]:
        return _yandex_box(quad, snake, numbers_as_strings, drop_zero)

    blocks = []
    for b in lay.blocks:
        lines = []
        for line in b.lines:
            words = [
                {k_bbox: box(w.quad), "text": w.text, k_entity: "-1" if numbers_as_strings else -1}
                for w in line.words
            ]
            lines.append({k_bbox: box(line.quad), "text": line.text, "words": words})
        blocks.append({k_bbox: box(b.quad), "lines": lines, "languages": [{"languageCode": "en"}]})
    ann: dict[str, Any] = {
        "width": _num(lay.width, numbers_as_strings),
        "height": _num(lay.height, numbers_as_strings),
        "blocks": blocks,
        "entities": [],
        "tables": [],
        k_full: "\n".join(line.text for line in lay.lines()) + "\n",
    }
    if rotate is not None:
        ann["rotate"] = rotate
    body = {k_ann: ann, "page": "0"}
    return {"result": body} if wrapper else body


# -- Azure Read v3 --------------------------------------------------------------------------------------
def _flat(quad: Quad, ndigits: int) -> list[float]:
    out: list[float] = []
    for x, y in quad:  # Azure order: TL, TR, BR, BL (clockwise from the text's top-left)
        out += [round(x, ndigits), round(y, ndigits)]
    return out


def azure_read_v3_response(
    page: Layout | Iterable[WordBox],
    width: float | None = None,
    height: float | None = None,
    *,
    angle: float | None = None,
    unit: str = "pixel",
    version: str = "3.2.0",
) -> dict[str, Any]:
    """An Azure Read v3.x result ({"status": "succeeded", "analyzeResult": {"readResults": [...]}}).

    ``angle`` defaults to what an engine reports for the layout's frame (0 for display,
    180 for a raw orientation-3 image, ...). Coordinates keep 4 decimals for inch pages, else whole pixels.
    """
    lay = _as_layout(page, width, height)
    nd = 4 if unit != "pixel" else 0
    lines = [
        {
            "boundingBox": _flat(line.quad, nd),
            "text": line.text,
            "appearance": {"style": {"name": "other", "confidence": 0.9}},
            "words": [
                {"boundingBox": _flat(w.quad, nd), "text": w.text, "confidence": w.confidence}
                for w in line.words
            ],
        }
        for line in lay.lines()
    ]
    return {
        "status": "succeeded",
        "createdDateTime": "2026-11-22T00:00:00Z",
        "lastUpdatedDateTime": "2026-11-22T00:00:01Z",
        "analyzeResult": {
            "version": version,
            "modelVersion": "2022-04-30",
            "readResults": [
                {
                    "page": 1,
                    "angle": lay.angle if angle is None else angle,
                    "width": round(lay.width, nd) if nd else int(round(lay.width)),
                    "height": round(lay.height, nd) if nd else int(round(lay.height)),
                    "unit": unit,
                    "lines": lines,
                }
            ],
        },
    }


def build_response(
    shape: str,
    words: Iterable[WordBox] = DEFAULT_WORDS,
    orientation: int = 1,
    display_size: tuple[float, float] = DEFAULT_DISPLAY_SIZE,
    frame: str = "display",
    scale: float = 1.0,
    **options: Any,
) -> dict[str, Any]:
    """One call for the common case: ``shape`` ("yandex" or "azure-v3") of ``words`` in ``frame``."""
    lay = layout(words, orientation, display_size, frame, scale)
    if shape == "yandex":
        return yandex_response(lay, **options)
    if shape == "azure-v3":
        return azure_read_v3_response(lay, **options)
    raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")


def write_response(path: str | os.PathLike[str], data: Any) -> Path:
    """Write a response as JSON (a list is written as JSON Lines, one object per line)."""
    p = Path(path)
    if isinstance(data, list):
        p.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in data), encoding="utf-8")
    else:
        p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return p
