"""Image preparation for sending: apply EXIF, drop the Orientation tag, encode, fit the service's limits.

Every provider then sees the displayed frame, whatever it does with EXIF. The returned
transform maps the prepared image's coordinates back onto the displayed original.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import ImageInfo, damage_note, load_display_image, read_image_info
from ocrviewer.core.limits import size_text
from ocrviewer.errors import ImageError

if TYPE_CHECKING:
    from ocrviewer.core.sources import SourcePage

MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "BMP": "image/bmp", "TIFF": "image/tiff"}


@dataclass(frozen=True)
class ImageLimits:
    """What a service accepts; preparation fits the image into these."""

    max_bytes: int | None = None
    max_pixels: int | None = None
    max_side: int | None = None
    min_side: int | None = None
    formats: tuple[str, ...] = ("JPEG", "PNG")  # Pillow format names, preferred first


@dataclass(frozen=True)
class PreparedImage:
    """Bytes ready to upload, and how they relate to the displayed original."""

    data: bytes
    format: str  # Pillow name: "JPEG", "PNG", ...
    width: int
    height: int
    #: prepared-image coordinates -> displayed original (scale only; orientation is already applied)
    transform: FrameTransform
    source: ImageInfo
    source_sha256: str
    #: one line per change made to fit the limits ("shrunk 0.71x to fit 20 MP"); empty if none
    changes: tuple[str, ...] = ()

    @property
    def mime_type(self) -> str:
        return MIME_TYPES.get(self.format, "application/octet-stream")


def file_sha256(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _encode(img: Image.Image, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=quality, optimize=False)
    elif fmt == "PNG":
        img.save(buf, "PNG", compress_level=6)
    else:
        img.save(buf, fmt)
    return buf.getvalue()


def prepare_image(
    path: str | os.PathLike[str] | SourcePage, limits: ImageLimits | None = None
) -> PreparedImage:
    """Displayed pixels of ``path`` (an image file, or a page of a source) encoded for a service.

    No EXIF is written, so the Orientation tag is dropped. Shrinks (never enlarges) to fit
    pixels and side; re-encodes at lower JPEG quality, then shrinks further, to fit bytes.
    A PDF page is rendered at its source's dpi and sent as PNG (or JPEG where PNG is not taken).
    """
    limits = limits or ImageLimits()
    if isinstance(path, (str, os.PathLike)):
        info = read_image_info(path)
        sha = file_sha256(path)
        img = load_display_image(path)
    else:
        page, path = path, path.name
        info, sha, img = page.info(), page.sha256(), page.render()
    damaged = damage_note(img)
    if damaged:  # a service would be paid to read a part of the picture
        raise ImageError(f"{path}: {damaged.replace('; re-export', ', so it is not sent; re-export')}")
    dw, dh = img.size
    changes: list[str] = []

    if limits.min_side and min(dw, dh) < limits.min_side:
        raise ImageError(
            f"{path}: image is {dw}x{dh}; this service needs at least {limits.min_side} px a side"
        )
    scale = 1.0
    if limits.max_pixels and dw * dh > limits.max_pixels:
        scale = min(scale, math.sqrt(limits.max_pixels / (dw * dh)))
        changes.append(f"shrunk to fit {limits.max_pixels / 1e6:g} MP")
    if limits.max_side and max(dw, dh) > limits.max_side:
        scale = min(scale, limits.max_side / max(dw, dh))
        changes.append(f"shrunk to fit {limits.max_side} px a side")

    src_fmt = (info.format or "").upper()
    fmt = src_fmt if src_fmt in limits.formats and src_fmt in ("PNG", "JPEG") else limits.formats[0]
    if img.mode == "RGBA" and fmt == "JPEG":
        background = Image.new("RGB", img.size, "white")
        background.paste(img, mask=img.getchannel("A"))
        img = background

    def sized(s: float) -> Image.Image:
        if s >= 1.0:
            return img
        w, h = max(1, int(dw * s)), max(1, int(dh * s))
        # Stay inside the limits after rounding.
        while limits.max_pixels and w * h > limits.max_pixels:
            w, h = w - 1, max(1, int(round((w - 1) * dh / dw)))
        return img.resize((w, h), Image.Resampling.LANCZOS)

    out = sized(scale)
    quality = 92
    data = _encode(out, fmt, quality)
    while limits.max_bytes and len(data) > limits.max_bytes:
        if fmt != "JPEG" and "JPEG" in limits.formats:
            fmt = "JPEG"
            changes.append("re-encoded as JPEG to fit the size limit")
        elif fmt == "JPEG" and quality > 70:
            quality -= 10
            changes.append(f"JPEG quality {quality} to fit {size_text(limits.max_bytes)}")
        else:
            scale *= 0.8
            out = sized(scale)
            changes.append(f"shrunk to fit {size_text(limits.max_bytes)}")
        if out.width < 16 or out.height < 16:
            raise ImageError(
                f"{path}: cannot fit the service's {size_text(limits.max_bytes)} upload limit even shrunk to "
                f"{out.width}x{out.height}; raise the limit if the service allows it, or choose another service"
            )
        data = _encode(out, fmt, quality)

    pw, ph = out.size
    transform = FrameTransform(source_width=dw, source_height=dh, scale_x=dw / pw, scale_y=dh / ph)
    if scale < 1.0:
        changes.insert(0, f"shrunk {dw}x{dh} -> {pw}x{ph}")
    return PreparedImage(
        data=data,
        format=fmt,
        width=pw,
        height=ph,
        transform=transform,
        source=info,
        source_sha256=sha,
        changes=tuple(dict.fromkeys(changes)),
    )
