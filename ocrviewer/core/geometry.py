"""Coordinate frames: the 8 EXIF orientations, and the one transform that places a response.

Coordinates are continuous pixel edges: a W x H image spans [0, W] x [0, H], so a
horizontal mirror maps x to W - x (not W - 1 - x).

An EXIF Orientation value says how the *stored* (raw) pixels must be transformed to be
displayed. :func:`orient_point` maps a raw-frame point to the displayed frame exactly as
``PIL.ImageOps.exif_transpose`` maps pixels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ocrviewer.core.model import Document, Page, Point, check_coordinates
from ocrviewer.core.records import Record, frozen
from ocrviewer.errors import BadInput

if TYPE_CHECKING:
    import numpy as np

# numpy and core.columns (numpy too) are imported where a document is placed: the viewer's first
# frame reads a sidecar's transform and maps a few polygons before numpy is loaded (~135 ms).

ORIENTATION_NAMES: dict[int, str] = {
    1: "normal",
    2: "mirror horizontal",
    3: "rotate 180",
    4: "mirror vertical",
    5: "transpose (mirror horizontal, rotate 270 CW)",
    6: "rotate 90 CW",
    7: "transverse (mirror horizontal, rotate 90 CW)",
    8: "rotate 270 CW",
}

#: Orientations that swap width and height.
SWAPS_AXES = frozenset({5, 6, 7, 8})

# Each orientation as (a, b, c, d, tx, ty) acting on (x, y) in a W x H frame:
#   x' = a*x + b*y + tx(W, H);  y' = c*x + d*y + ty(W, H)
# with tx, ty given as coefficients of (W, H).
_MATRIX: dict[int, tuple[int, int, int, int, tuple[int, int], tuple[int, int]]] = {
    1: (1, 0, 0, 1, (0, 0), (0, 0)),
    2: (-1, 0, 0, 1, (1, 0), (0, 0)),
    3: (-1, 0, 0, -1, (1, 0), (0, 1)),
    4: (1, 0, 0, -1, (0, 0), (0, 1)),
    5: (0, 1, 1, 0, (0, 0), (0, 0)),
    6: (0, -1, 1, 0, (0, 1), (0, 0)),
    7: (0, -1, -1, 0, (0, 1), (1, 0)),
    8: (0, 1, -1, 0, (0, 0), (1, 0)),
}


def check_orientation(orientation: int) -> int:
    if orientation not in _MATRIX:
        raise BadInput(f"EXIF orientation must be 1..8, got {orientation!r}")
    return orientation


def oriented_size(orientation: int, width: float, height: float) -> tuple[float, float]:
    """Displayed size of a raw ``width`` x ``height`` image with this orientation."""
    return (height, width) if orientation in SWAPS_AXES else (width, height)


def orient_point(orientation: int, x: float, y: float, width: float, height: float) -> Point:
    """Map a point of the raw ``width`` x ``height`` frame to the displayed frame."""
    a, b, c, d, (twx, twy), (tyx, tyy) = _MATRIX[orientation]
    return (a * x + b * y + twx * width + twy * height, c * x + d * y + tyx * width + tyy * height)


def inverse_orientation(orientation: int) -> int:
    """The orientation that undoes ``orientation`` (6 and 8 swap; the rest are their own inverse)."""
    return {6: 8, 8: 6}.get(orientation, orientation)


def compose_orientations(first: int, second: int) -> int:
    """The single orientation equal to applying ``first`` and then ``second``."""
    w, h = 3.0, 7.0
    probe = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))
    mid_w, mid_h = oriented_size(first, w, h)
    target = [orient_point(second, *orient_point(first, x, y, w, h), mid_w, mid_h) for x, y in probe]
    for cand in _MATRIX:
        if [orient_point(cand, x, y, w, h) for x, y in probe] == target:
            return cand
    raise AssertionError("the 8 orientations are closed under composition")  # pragma: no cover


@frozen()
class FrameTransform(Record):
    """Maps a response's coordinates onto the displayed image, in three explicit steps.

    1. scale: ``x * scale_x``, ``y * scale_y`` (response units -> source pixels; a page
       that was shrunk before sending has scale > 1);
    2. orientation: one of the 8 EXIF transforms acting in the source frame of
       ``source_width`` x ``source_height`` pixels (the raw frame for a raw-frame
       response, the displayed frame, with orientation 1, otherwise);
    3. offset: ``+ offset_x``, ``+ offset_y`` in displayed pixels.

    It is what the viewer shows, lets the user override, and saves in sidecars.
    """

    source_width: float
    source_height: float
    orientation: int = 1
    scale_x: float = 1.0
    scale_y: float = 1.0
    offset_x: float = 0.0
    offset_y: float = 0.0

    def __init__(
        self,
        source_width: float,
        source_height: float,
        orientation: int = 1,
        scale_x: float = 1.0,
        scale_y: float = 1.0,
        offset_x: float = 0.0,
        offset_y: float = 0.0,
    ) -> None:
        _set = object.__setattr__
        _set(self, "source_width", source_width)
        _set(self, "source_height", source_height)
        _set(self, "orientation", orientation)
        _set(self, "scale_x", scale_x)
        _set(self, "scale_y", scale_y)
        _set(self, "offset_x", offset_x)
        _set(self, "offset_y", offset_y)
        self._check()

    def _check(self) -> None:
        check_orientation(self.orientation)
        for name in ("source_width", "source_height", "scale_x", "scale_y"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise BadInput(f"frame transform {name} must be a positive number, got {v!r}")
        for name in ("offset_x", "offset_y"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v)):
                raise BadInput(f"frame transform {name} must be a finite number, got {v!r}")

    @classmethod
    def identity(cls, width: float, height: float) -> FrameTransform:
        return cls(source_width=width, source_height=height)

    @property
    def is_identity(self) -> bool:
        return (
            self.orientation == 1
            and self.scale_x == 1
            and self.scale_y == 1
            and self.offset_x == 0
            and self.offset_y == 0
        )

    @property
    def output_size(self) -> tuple[float, float]:
        """Size of the displayed frame this transform maps into."""
        return oriented_size(self.orientation, self.source_width, self.source_height)

    def apply(self, x: float, y: float) -> Point:
        ox, oy = orient_point(
            self.orientation, x * self.scale_x, y * self.scale_y, self.source_width, self.source_height
        )
        return (ox + self.offset_x, oy + self.offset_y)

    def invert(self, x: float, y: float) -> Point:
        """Displayed point -> response coordinates (the inverse of :meth:`apply`)."""
        dw, dh = self.output_size
        sx, sy = orient_point(
            inverse_orientation(self.orientation), x - self.offset_x, y - self.offset_y, dw, dh
        )
        return (sx / self.scale_x, sy / self.scale_y)

    def apply_points(self, pts: np.ndarray) -> np.ndarray:
        """:meth:`apply` on an (N, 2) array of points at once (the same arithmetic, in order)."""
        import numpy as np

        a, b, c, d, (twx, twy), (tyx, tyy) = _MATRIX[self.orientation]
        w, h = self.source_width, self.source_height
        x = pts[:, 0] * self.scale_x
        y = pts[:, 1] * self.scale_y
        out = np.empty((len(pts), 2), dtype=np.float64)
        out[:, 0] = a * x + b * y + twx * w + twy * h + self.offset_x
        out[:, 1] = c * x + d * y + tyx * w + tyy * h + self.offset_y
        return out

    def apply_document(self, doc: Document) -> Document:
        """The document with every polygon mapped to the displayed frame, page size set to it."""
        from ocrviewer.core.columns import resized_page

        w, h = self.output_size
        if self.is_identity:
            # Nothing moves: keep the (frozen) elements and set only the page size. Mapping every
            # polygon took ~80 ms for 10k words, on the GUI thread when a result lands.
            return doc.with_pages([resized_page(p, w, h) for p in doc.pages])
        placed = doc.with_pages([self._place_page(p, w, h) for p in doc.pages])
        check_coordinates(placed, "once placed on the image")
        return placed

    def _place_page(self, page: Page, w: float, h: float) -> Page:
        from ocrviewer.core.columns import ColumnPage, page_columns

        cols = page_columns(page)
        if cols is None or not isinstance(page, ColumnPage):
            return page.mapped(self.apply, w, h)
        # a page parsed in the child: its points move as arrays, its elements stay unmade
        tables = tuple(t.mapped(self.apply) for t in page.tables)
        return page.resized(w, h, cols.mapped(self.apply_points), tables)

    def then(
        self, orientation: int = 1, scale: float = 1.0, dx: float = 0.0, dy: float = 0.0
    ) -> FrameTransform:
        """This transform followed by a user correction in the displayed frame.

        The correction applies ``orientation`` about the displayed frame, then ``scale``
        about the origin, then a shift. The result is again a single FrameTransform.
        """
        check_orientation(orientation)
        if not (math.isfinite(scale) and scale > 0):
            raise BadInput(f"scale must be a positive number, got {scale!r}")
        # C(T(p)) = s*O2(O1(S p) + off) + d = O12(s S p; sW, sH) + s*L2(off) + d, since the
        # 8 orientations are exact frame maps closed under composition and linear in (W, H).
        lx, ly = orient_point(orientation, self.offset_x, self.offset_y, 0.0, 0.0)
        return FrameTransform(
            source_width=self.source_width * scale,
            source_height=self.source_height * scale,
            orientation=compose_orientations(self.orientation, orientation),
            scale_x=self.scale_x * scale,
            scale_y=self.scale_y * scale,
            offset_x=lx * scale + dx,
            offset_y=ly * scale + dy,
        )

    def describe(self) -> str:
        parts = [ORIENTATION_NAMES[self.orientation]]
        if (self.scale_x, self.scale_y) != (1.0, 1.0):
            if math.isclose(self.scale_x, self.scale_y, rel_tol=1e-9):
                parts.append(f"scale x{self.scale_x:.4g}")
            else:
                parts.append(f"scale x{self.scale_x:.4g}/y{self.scale_y:.4g}")
        if (self.offset_x, self.offset_y) != (0.0, 0.0):
            parts.append(f"offset ({self.offset_x:+.1f}, {self.offset_y:+.1f})")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "orientation": self.orientation,
            "source_width": self.source_width,
            "source_height": self.source_height,
            "scale_x": self.scale_x,
            "scale_y": self.scale_y,
            "offset_x": self.offset_x,
            "offset_y": self.offset_y,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FrameTransform:
        try:
            return cls(
                source_width=float(d["source_width"]),
                source_height=float(d["source_height"]),
                orientation=int(d.get("orientation", 1)),
                scale_x=float(d.get("scale_x", 1.0)),
                scale_y=float(d.get("scale_y", 1.0)),
                offset_x=float(d.get("offset_x", 0.0)),
                offset_y=float(d.get("offset_y", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise BadInput(f"invalid frame transform: {err}") from err
