"""Frame detection: which frame a response's coordinates are in, and how to place them on the image.

A response is in the *displayed* frame (the service applied EXIF) or the *raw* frame (it saw the
stored pixels). :func:`detect_frame` weighs the evidence and returns a :class:`FrameDecision` with
one :class:`~ocrviewer.core.geometry.FrameTransform` (response coordinates -> displayed pixels), a
confidence and the reasons, in words a person can check:

1. a sidecar that records the transform wins;
2. the page size the response states versus the raw and displayed sizes (a uniform difference
   means the image was shrunk before sending: scaled back and reported; inch/point/normalized
   pages are converted with the image's size);
3. where size cannot decide (orientations 2, 3, 4, square images, no size stated): the text's
   reading direction from vertex order (the polygon starts at the text's own top-left and its
   first edge runs along the line; placed correctly, text reads left to right, top to bottom),
   the page angle the service states, and the share of polygons inside the image;
4. the ink (:mod:`ocrviewer.core.ink`): how well the boxes of each orientation sit on the image's
   text-like pixels. Decisive where the others are not (mirrored or upside-down responses,
   square images); computed only when size cannot decide, from a callable given by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ocrviewer.core.columns import corner_array, corner_points, text_polygons
from ocrviewer.core.geometry import _MATRIX, FrameTransform, orient_point
from ocrviewer.core.imageio import ImageInfo
from ocrviewer.core.ink import InkCandidate, InkSource, rank_orientations, resolve_ink
from ocrviewer.core.model import Document, Page
from ocrviewer.core.sidecar import Sidecar
from ocrviewer.errors import BadInput, BadResponse

FRAMES = ("auto", "display", "raw")

_UNIT_ALIASES = {
    "pixel": "pixel",
    "pixels": "pixel",
    "px": "pixel",
    "inch": "inch",
    "inches": "inch",
    "in": "inch",
    "point": "point",
    "points": "point",
    "pt": "point",
    "normalized": "normalized",
    "normalised": "normalized",
}
#: Formats whose polygons run TL, BL, BR, TR (counter-clockwise); everything else starts TL, TR.
_CCW_FORMAT_PREFIXES = ("yandex",)
#: Formats documented to apply the EXIF orientation themselves (weak prior for the displayed frame).
_EXIF_AWARE_PREFIXES = ("yandex",)

#: Size classes, best first.
_EXACT, _SCALED, _UNKNOWN, _MISMATCH = "exact", "scaled", "unknown", "mismatch"
_SIZE_RANK = {_EXACT: 0, _SCALED: 1, _UNKNOWN: 2, _MISMATCH: 3}


@dataclass(frozen=True)
class FrameDecision:
    """Where a response goes on the displayed image, how sure we are, and why."""

    #: "display" or "raw": the frame the response's coordinates are taken to be in
    frame: str
    #: response coordinates (in the response's unit) -> displayed pixels
    transform: FrameTransform
    #: 0..1; 1.0 only when a sidecar recorded the transform
    confidence: float
    #: short sentences, most important first
    reasons: tuple[str, ...] = ()
    #: page size as the response states it (in ``unit``), or None
    page_size: tuple[float, float] | None = None
    unit: str = "pixel"
    #: True when a scale was applied (shrunk image, or inch/point/normalized converted to pixels)
    scaled: bool = False
    #: "sidecar", "auto", "forced" or "no-image"
    method: str = "auto"
    #: things the user should look at (evidence disagreeing with a forced frame, ...)
    warnings: tuple[str, ...] = ()
    #: numbers behind the decision, for display and debugging
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: frame, transform and confidence."""
        return f"{self.frame} frame ({self.transform.describe()}), confidence {self.confidence:.2f}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "frame": self.frame,
            "transform": self.transform.to_dict(),
            "confidence": round(self.confidence, 4),
            "reasons": list(self.reasons),
            "page_size": list(self.page_size) if self.page_size else None,
            "unit": self.unit,
            "scaled": self.scaled,
            "method": self.method,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FrameDecision:
        """The decision :meth:`to_dict` wrote (its evidence is not kept)."""
        if not isinstance(d, Mapping) or not isinstance(d.get("transform"), Mapping):
            raise BadInput("a frame decision needs a transform object")
        size = d.get("page_size")
        try:
            return cls(
                frame=str(d.get("frame", "display")),
                transform=FrameTransform.from_dict(d["transform"]),
                confidence=float(d.get("confidence", 0.0)),
                reasons=tuple(str(r) for r in d.get("reasons") or ()),
                page_size=(float(size[0]), float(size[1])) if size else None,
                unit=str(d.get("unit", "pixel")),
                scaled=bool(d.get("scaled", False)),
                method=str(d.get("method", "auto")),
                warnings=tuple(str(w) for w in d.get("warnings") or ()),
            )
        except (TypeError, ValueError, IndexError) as err:
            raise BadInput(f"invalid frame decision: {err}") from err


def normalize_unit(unit: str | None) -> str:
    u = _UNIT_ALIASES.get(str(unit or "pixel").strip().lower())
    if u is None:
        raise BadResponse(f"unknown page unit {unit!r}; expected pixel, inch, point or normalized")
    return u


def _fmt(v: float) -> str:
    if abs(v) >= 1e7:  # an absurd size stays short in messages
        return f"{v:.3g}"
    return f"{v:.0f}" if abs(v - round(v)) < 1e-6 else f"{v:.4g}"


def _size_str(w: float, h: float) -> str:
    return f"{_fmt(w)}x{_fmt(h)}"


def stated_page_size(page: Page) -> tuple[float, float] | None:
    """The page size the response states, validated (None if it states none)."""
    if page.width is None and page.height is None:
        return None
    w, h = page.width, page.height
    for name, v in (("width", w), ("height", h)):
        if v is None:
            return None
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise BadResponse(f"page {page.index + 1} {name} {v!r} is not a positive number")
    return float(w), float(h)  # type: ignore[arg-type]


# -- evidence ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Candidate:
    frame: str
    orientation: int
    width: float  # source frame size in pixels
    height: float


@dataclass
class _Evidence:
    size: str = _UNKNOWN
    scale: tuple[float, float] = (1.0, 1.0)
    direction: float | None = None  # mean reading score in -1..1
    upright: int = 0
    angle: float | None = None  # cos of the displayed text angle
    inside: float | None = None  # share of polygon corners inside the image


def _text_polygons(doc: Document, limit: int = 5000) -> np.ndarray:
    """Line and word polygons with exactly 4 corners (at most ``limit``) as an (N, 4, 2) array."""
    parts = []
    n = 0
    for page in doc.pages:  # (a page parsed as columns is read without making its words)
        parts.append(text_polygons(page, limit - n))
        n += len(parts[-1])
        if n >= limit:
            break
    return np.concatenate(parts) if parts else np.zeros((0, 4, 2))


def _vertex_order(polys: np.ndarray, source_format: str) -> tuple[str, str]:
    """("cw"|"ccw", why): which neighbour of the first vertex lies along the reading direction.

    Elongated polygons (lines) show it directly: the long edge from the first vertex runs along the
    text. Otherwise the format's documented order is used.
    """
    e1 = np.hypot(*(polys[:, 1] - polys[:, 0]).T)
    e3 = np.hypot(*(polys[:, 3] - polys[:, 0]).T)
    cw = int(np.count_nonzero(e1 > 2 * e3))
    ccw = int(np.count_nonzero(e3 > 2 * e1))
    if cw + ccw >= 2 and max(cw, ccw) >= 0.8 * (cw + ccw):
        return ("cw" if cw > ccw else "ccw"), "from the long edges of the text polygons"
    fmt = source_format.lower()
    if fmt.startswith(_CCW_FORMAT_PREFIXES):
        return "ccw", f"as documented for {source_format}"
    return "cw", "assumed clockwise from the top-left"


def _linear(orientation: int, v: tuple[float, float]) -> tuple[float, float]:
    """The linear part of an orientation applied to a vector."""
    return orient_point(orientation, v[0], v[1], 0.0, 0.0)


def _direction(polys: np.ndarray, order: str, orientation: int) -> tuple[float, int]:
    """(mean score in -1..1, upright count) of the polygons mapped by ``orientation``.

    Score per polygon: (reading . +x + down . +y) / 2 with unit vectors; 1 = upright text.
    """
    along, across = polys[:, 1] - polys[:, 0], polys[:, 3] - polys[:, 0]
    r, d = (along, across) if order == "cw" else (across, along)
    a, b, c, dd, _, _ = _MATRIX[orientation]
    rx, ry = a * r[:, 0] + b * r[:, 1], c * r[:, 0] + dd * r[:, 1]
    dx, dy = a * d[:, 0] + b * d[:, 1], c * d[:, 0] + dd * d[:, 1]
    nr, nd = np.hypot(rx, ry), np.hypot(dx, dy)
    ok = (nr != 0) & (nd != 0)
    s = (rx[ok] / nr[ok] + dy[ok] / nd[ok]) / 2
    total = float(np.add.accumulate(s)[-1]) if len(s) else 0.0  # summed in order, as one by one
    return (total / len(polys) if len(polys) else 0.0), int(np.count_nonzero(s > 0.8))


def _angle_score(angle: float | None, orientation: int) -> float | None:
    """cos of the stated text angle (degrees clockwise) after mapping by ``orientation``."""
    if angle is None or not math.isfinite(angle):
        return None
    a = math.radians(angle)
    vx, vy = _linear(orientation, (math.cos(a), math.sin(a)))
    return vx / (math.hypot(vx, vy) or 1.0)


def _corners(doc: Document) -> Iterator[tuple[float, float]]:
    for page in doc.pages:
        yield from corner_points(page)  # type: ignore[misc]


def _corner_array(doc: Document, max_points: int = 20000) -> np.ndarray:
    """The first ``max_points`` polygon corners (lines, then their words) as an (M, 2) array."""
    parts = []
    n = 0
    for page in doc.pages:
        parts.append(corner_array(page, max_points - n))
        n += len(parts[-1])
        if n >= max_points:
            break
    return (np.concatenate(parts) if parts else np.zeros((0, 2)))[:max_points]


def _inside_share(corners: np.ndarray, t: FrameTransform) -> float | None:
    dw, dh = t.output_size
    tol_x, tol_y = 0.02 * dw + 1, 0.02 * dh + 1
    n = len(corners)
    if not n:
        return None
    p = t.apply_points(corners)
    inside = (-tol_x <= p[:, 0]) & (p[:, 0] <= dw + tol_x) & (-tol_y <= p[:, 1]) & (p[:, 1] <= dh + tol_y)
    return int(np.count_nonzero(inside)) / n


def _size_evidence(
    stated: tuple[float, float] | None, unit: str, cand: _Candidate
) -> tuple[str, tuple[float, float]]:
    """(size class, scale) of a candidate source frame against the stated page."""
    cw, ch = cand.width, cand.height
    if unit == "normalized":
        return _UNKNOWN, (cw / (stated[0] if stated else 1.0), ch / (stated[1] if stated else 1.0))
    if stated is None:
        return _UNKNOWN, (1.0, 1.0)
    pw, ph = stated
    sx, sy = cw / pw, ch / ph
    if unit == "pixel" and abs(pw - cw) <= max(1.0, 0.002 * cw) and abs(ph - ch) <= max(1.0, 0.002 * ch):
        return _EXACT, (1.0, 1.0)
    # Same aspect: the image was shrunk (or the unit is physical). Allow rounding of small sides.
    tol = max(0.01, 1.5 / min(pw, ph)) if unit == "pixel" else 0.01
    if abs(sx - sy) / max(sx, sy) <= tol:
        return (_SCALED if unit == "pixel" else _EXACT), (sx, sy)
    return _MISMATCH, (1.0, 1.0)


def _transform(cand: _Candidate, scale: tuple[float, float]) -> FrameTransform:
    return FrameTransform(
        source_width=cand.width,
        source_height=cand.height,
        orientation=cand.orientation,
        scale_x=scale[0],
        scale_y=scale[1],
    )


# -- decision --------------------------------------------------------------------------------------------
def detect_frame(
    doc: Document,
    info: ImageInfo | None,
    frame: str = "auto",
    sidecar: Sidecar | None = None,
    ink: InkSource = None,
) -> FrameDecision:
    """Decide the frame of ``doc`` for the image ``info`` (None: no image) and how to place it.

    ``frame`` "display" or "raw" forces the frame (the evidence is still reported, with a warning
    when it disagrees). A sidecar transform wins unless a frame is forced. ``ink`` (an InkMap of
    the image, or a callable making one) is consulted when the page size cannot decide.
    """
    if frame not in FRAMES:
        raise BadInput(f"frame must be one of {', '.join(FRAMES)}, not {frame!r}")
    page0 = doc.pages[0] if doc.pages else Page(None, None)
    unit = normalize_unit(page0.unit)
    stated = stated_page_size(page0)
    for p in doc.pages[1:]:
        stated_page_size(p)  # validates every page's size

    if sidecar is not None and sidecar.transform is not None and frame == "auto":
        return _from_sidecar(doc, info, sidecar, stated, unit)
    if info is None:
        return _without_image(doc, frame, stated, unit)

    o = info.orientation
    dw, dh = info.display_size
    rw, rh = info.raw_size
    polys = _text_polygons(doc)
    order, order_why = _vertex_order(polys, doc.source_format)
    corners = _corner_array(doc)

    cands = [_Candidate("display", 1, dw, dh)]
    if o != 1:
        cands.append(_Candidate("raw", o, rw, rh))
    ev: dict[str, _Evidence] = {}
    for c in cands:
        size, scale = _size_evidence(stated, unit, c)
        e = _Evidence(size=size, scale=scale)
        if len(polys):
            e.direction, e.upright = _direction(polys, order, c.orientation)
        e.angle = _angle_score(page0.angle, c.orientation)
        e.inside = _inside_share(corners, _transform(c, scale))
        ev[c.frame] = e

    ranking: list[InkCandidate] = []

    def ink_ranking() -> list[InkCandidate]:
        if not ranking and ink is not None:
            found = resolve_ink(ink)
            if found is not None:
                ranking.extend(rank_orientations(doc, found, stated if unit != "normalized" else (1.0, 1.0)))
        return ranking

    reasons: list[str] = []
    warnings: list[str] = []
    if sidecar is not None and sidecar.transform is not None:
        warnings.append(
            f"the sidecar's transform ({sidecar.transform.describe()}) is ignored: frame forced to {frame}"
        )
    forced_sidecar_frame = None
    if frame == "auto" and sidecar is not None and sidecar.frame in ("display", "raw"):
        forced_sidecar_frame = sidecar.frame

    if o == 1:
        chosen = cands[0]
        confidence = 0.7 if ev["display"].size == _MISMATCH else 0.97
        reasons.append(
            "the image has no EXIF rotation (orientation 1): stored and displayed frames are the same"
        )
        if frame == "raw":
            reasons.append("--frame raw is the same as display for this image")
    elif frame in ("display", "raw") or forced_sidecar_frame:
        want = forced_sidecar_frame or frame
        chosen = next(c for c in cands if c.frame == want)
        auto_choice, auto_conf, auto_reasons = _auto(cands, ev, stated, unit, doc, len(polys), ink_ranking)
        if forced_sidecar_frame:
            reasons.append(f"the sidecar says the response is in the {want} frame")
            confidence = 0.99
        else:
            reasons.append(f"frame forced to {want}")
            confidence = 1.0
        if auto_choice.frame != want and auto_conf >= 0.7:
            warnings.append(
                f"the evidence points to the {auto_choice.frame} frame (confidence {auto_conf:.2f}): "
                + "; ".join(auto_reasons[:2])
            )
    else:
        chosen, confidence, auto_reasons = _auto(cands, ev, stated, unit, doc, len(polys), ink_ranking)
        reasons.extend(auto_reasons)

    e = ev[chosen.frame]
    transform = _transform(chosen, e.scale)
    scaled = e.scale != (1.0, 1.0)
    if stated is not None and unit == "pixel" and e.size == _SCALED:
        f = 1 / e.scale[0]
        reasons.append(
            f"response page {_size_str(*stated)} is {f:.3g}x the image; scaled x{e.scale[0]:.4g}"
            + (f"/x{e.scale[1]:.4g}" if not math.isclose(*e.scale, rel_tol=1e-3) else "")
        )
    elif unit in ("inch", "point") and stated is not None:
        reasons.append(
            f"page {_size_str(*stated)} {unit}; converted to pixels with the image size "
            f"({e.scale[0]:.4g} px per {unit})"
        )
    elif unit == "normalized":
        reasons.append("normalized coordinates (0..1) converted with the image size")
    fitting = [f for f, x in ev.items() if f != chosen.frame and x.size in (_EXACT, _SCALED)]
    if e.size == _MISMATCH and stated is not None and fitting:
        warnings.append(
            f"response page {_size_str(*stated)} {unit} fits the {fitting[0]} frame, not the "
            f"{chosen.frame} frame in use; the overlay will not line up (use --frame {fitting[0]})"
        )
    elif e.size == _MISMATCH and stated is not None:
        warnings.append(
            f"response page {_size_str(*stated)} {unit} matches neither the displayed "
            f"{_size_str(dw, dh)} nor the stored {_size_str(rw, rh)} image; was it made from another image?"
        )
    if e.inside is not None and e.inside < 0.9:
        warnings.append(f"only {e.inside:.0%} of polygon corners fall inside the image as placed")
    if len(polys):
        reasons.append(f"vertex order {order} ({order_why})")

    evidence: dict[str, Any] = {
        c.frame: {
            "size": ev[c.frame].size,
            "scale": list(ev[c.frame].scale),
            "direction": ev[c.frame].direction,
            "upright": ev[c.frame].upright,
            "angle": ev[c.frame].angle,
            "inside": ev[c.frame].inside,
        }
        for c in cands
    }
    evidence["text_polygons"] = len(polys)
    if ranking:
        evidence["ink"] = [
            {"orientation": c.orientation, "score": c.score, "transform": c.transform.to_dict()}
            for c in ranking
        ]
    return FrameDecision(
        frame=chosen.frame,
        transform=transform,
        confidence=confidence,
        reasons=tuple(reasons),
        page_size=stated,
        unit=unit,
        scaled=scaled,
        method="forced" if frame != "auto" else ("sidecar" if forced_sidecar_frame else "auto"),
        warnings=tuple(warnings),
        evidence=evidence,
    )


def _auto(
    cands: list[_Candidate],
    ev: dict[str, _Evidence],
    stated: tuple[float, float] | None,
    unit: str,
    doc: Document,
    n: int,
    ink_ranking: Callable[[], list[InkCandidate]] = list,
) -> tuple[_Candidate, float, list[str]]:
    """Automatic choice between display and raw (orientation != 1): (candidate, confidence, reasons)."""
    disp, raw = cands
    ed, er = ev["display"], ev["raw"]
    reasons: list[str] = []

    # 1. Size.
    rd, rr = _SIZE_RANK[ed.size], _SIZE_RANK[er.size]
    size_choice: _Candidate | None = None
    if rd != rr and min(rd, rr) <= _SIZE_RANK[_SCALED]:
        size_choice = disp if rd < rr else raw
        other = raw if size_choice is disp else disp
        es = ev[size_choice.frame]
        what = "equals" if es.size == _EXACT and unit == "pixel" else "has the aspect ratio of"
        label = "displayed" if size_choice is disp else "stored (raw)"
        reasons.append(
            f"page {_size_str(*stated)} {what} the {label} "  # type: ignore[misc]
            f"{_size_str(size_choice.width, size_choice.height)} image, not the "
            f"{_size_str(other.width, other.height)} {'stored' if other is raw else 'displayed'} one"
        )

    # 2. Reading direction and stated angle (weight of the angle: 3 polygons).
    def score(e: _Evidence) -> float | None:
        parts, weights = [], []
        if e.direction is not None and n:
            parts.append(e.direction * n)
            weights.append(n)
        if e.angle is not None:
            parts.append(e.angle * 3)
            weights.append(3)
        return sum(parts) / sum(weights) if weights else None

    sd, sr = score(ed), score(er)
    dir_choice: _Candidate | None = None
    dir_strength = 0.0
    if sd is not None and sr is not None and abs(sd - sr) >= 0.2:
        dir_choice = disp if sd > sr else raw
        weight = n + (3 if ed.angle is not None else 0)
        dir_strength = min(1.0, abs(sd - sr)) * min(1.0, weight / 6)
    if n:
        reasons_dir = (
            f"text reads left to right in {ed.upright} of {n} polygons placed as display, "
            f"{er.upright} of {n} placed as raw"
        )
    else:
        reasons_dir = ""
    angle_txt = ""
    page_angle = doc.pages[0].angle if doc.pages else None
    if page_angle is not None and ed.angle is not None:
        angle_txt = f"the service states a text angle of {_fmt(page_angle)} deg"

    # 3. Share inside the image.
    inside_choice: _Candidate | None = None
    if ed.inside is not None and er.inside is not None and abs(ed.inside - er.inside) >= 0.1:
        inside_choice = disp if ed.inside > er.inside else raw

    if size_choice is not None:
        conf = 0.97 if ev[size_choice.frame].size == _EXACT else 0.92
        if dir_choice is not None and dir_choice is not size_choice and dir_strength > 0.5:
            conf = 0.75
            reasons.append(f"but {reasons_dir}")
        elif reasons_dir and dir_choice is size_choice:
            reasons.append(reasons_dir)
        return size_choice, conf, reasons

    if stated is None and unit != "normalized":
        reasons.append("the response states no page size")
    elif unit == "normalized":
        reasons.append("normalized coordinates carry no page size")
    else:
        reasons.append(
            "page size cannot decide: it fits the stored and the displayed image alike"
            if ed.size == er.size and ed.size != _MISMATCH
            else f"page {_size_str(*stated)} matches neither image size"  # type: ignore[misc]
        )
    ink_choice, ink_why = _ink_choice(ink_ranking(), disp, raw)
    if ink_choice is not None:
        if dir_choice is not None and dir_choice is not ink_choice:
            reasons.append(f"{ink_why}; the vertex order disagrees ({reasons_dir})")
            return ink_choice, 0.75, reasons
        reasons.append(ink_why)
        if dir_choice is ink_choice and reasons_dir:
            reasons.append(reasons_dir)
        return ink_choice, 0.95 if dir_choice is ink_choice else 0.9, reasons
    if dir_choice is not None:
        conf = 0.5 + 0.45 * dir_strength
        if inside_choice is not None and inside_choice is not dir_choice:
            conf = min(conf, 0.6)
            reasons.append(f"{reasons_dir}, but fewer polygons fit inside the image that way")
        else:
            reasons.append(reasons_dir if reasons_dir else angle_txt)
            if reasons_dir and angle_txt:
                reasons.append(angle_txt)
        return dir_choice, round(conf, 3), reasons
    if inside_choice is not None:
        e_in = ev[inside_choice.frame]
        e_out = ev["raw" if inside_choice is disp else "display"]
        reasons.append(
            f"{e_in.inside:.0%} of polygon corners fall inside the image placed as {inside_choice.frame}, "
            f"{e_out.inside:.0%} as the other frame"
        )
        return inside_choice, 0.8, reasons
    fmt = doc.source_format.lower()
    if fmt.startswith(_EXIF_AWARE_PREFIXES):
        reasons.append(f"no evidence either way; {doc.source_format} documents that it applies EXIF")
        return disp, 0.6, reasons
    reasons.append("no evidence either way; assumed the displayed frame")
    return disp, 0.5, reasons


#: how much better (in ink contrast) one frame's boxes must sit on the ink to decide
INK_MARGIN = 0.04


def _ink_choice(
    ranking: list[InkCandidate], disp: _Candidate, raw: _Candidate
) -> tuple[_Candidate | None, str]:
    """The candidate whose orientation the ink prefers clearly, and why in words."""
    if not ranking:
        return None, ""
    score = {c.orientation: c.score for c in ranking}
    sd, sr = score.get(disp.orientation, 0.0), score.get(raw.orientation, 0.0)
    if abs(sd - sr) < INK_MARGIN:
        return None, ""
    best = disp if sd > sr else raw
    hi, lo = max(sd, sr), min(sd, sr)
    label = "display" if best is disp else "raw"
    return best, (
        f"the boxes sit on the image's text placed as {label} (ink contrast {hi:+.2f} against {lo:+.2f})"
    )


def _from_sidecar(
    doc: Document,
    info: ImageInfo | None,
    sidecar: Sidecar,
    stated: tuple[float, float] | None,
    unit: str,
) -> FrameDecision:
    t = sidecar.transform
    assert t is not None
    reasons = [
        "the sidecar recorded the transform"
        + (f" ({sidecar.provider})" if sidecar.provider else "")
        + f": {t.describe()}"
    ]
    warnings: list[str] = []
    if info is not None:
        ow, oh = t.output_size
        if abs(ow - info.display_width) > 1 or abs(oh - info.display_height) > 1:
            warnings.append(
                f"the sidecar's transform maps onto {_size_str(ow, oh)} but the image displays "
                f"{_size_str(*info.display_size)}; it may belong to another image"
            )
    return FrameDecision(
        frame=sidecar.frame if sidecar.frame in ("display", "raw") else "display",
        transform=t,
        confidence=1.0,
        reasons=tuple(reasons),
        page_size=stated,
        unit=unit,
        scaled=(t.scale_x, t.scale_y) != (1.0, 1.0),
        method="sidecar",
        warnings=tuple(warnings),
    )


def _without_image(doc: Document, frame: str, stated: tuple[float, float] | None, unit: str) -> FrameDecision:
    if frame == "raw":
        raise BadInput("--frame raw needs the image (its EXIF orientation); pass the image")
    if unit != "pixel":
        raise BadInput(
            f"the response's page is in {unit} units; pass the image so it can be converted to pixels"
        )
    if stated is not None:
        return FrameDecision(
            frame="display",
            transform=FrameTransform.identity(*stated),
            confidence=0.5,
            reasons=(
                f"no image given: assumed the displayed frame, page {_size_str(*stated)} pixels as the response "
                "states",
            ),
            page_size=stated,
            unit=unit,
            method="no-image",
        )
    xs_ys = list(_corners(doc))
    if not xs_ys:
        raise BadInput(
            "the response states no page size and has no polygons; pass the image it was made from"
        )
    w = max(1.0, math.ceil(max(x for x, _ in xs_ys)))
    h = max(1.0, math.ceil(max(y for _, y in xs_ys)))
    return FrameDecision(
        frame="display",
        transform=FrameTransform.identity(w, h),
        confidence=0.3,
        reasons=(
            f"no image given and the response states no page size: assumed the displayed frame, page "
            f"{_size_str(w, h)} from the polygons' extent",
        ),
        page_size=None,
        unit=unit,
        method="no-image",
        warnings=("the page size is a guess from the polygons; pass the image for the real size",),
    )
