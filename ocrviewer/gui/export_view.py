"""Export the view (image plus visible overlays and legend) at the image's full resolution."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, QSizeF
from PySide6.QtGui import QFont, QFontInfo, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from ocrviewer.core.output import check_output, write_atomic
from ocrviewer.core.sidecar import with_sidecars
from ocrviewer.errors import BadInput
from ocrviewer.gui.canvas import Canvas
from ocrviewer.gui.legend import paint_legend


def _pen_scale(width: int, height: int) -> float:
    """Thicker cosmetic pens on big images so outlines stay visible when the picture is shrunk."""
    return max(2.0, max(width, height) / 800.0)


def _render(canvas: Canvas, painter: QPainter, target: QRectF, width: int, height: int) -> None:
    scale = _pen_scale(width, height)
    style = canvas.style_opts
    old_scale, old_marker = style.pen_scale, canvas.markers.pen_scale
    hover = canvas.markers.hover
    style.pen_scale = scale
    style.force_outlines = True
    canvas.markers.pen_scale = scale
    canvas.markers.set_hover(None)
    try:
        source = QRectF(0, 0, width, height)
        canvas.scene().render(painter, target, source)
        if canvas.legend_wanted():
            painter.save()
            k = target.width() / width * scale
            painter.translate(target.topLeft())
            painter.scale(k, k)
            corner = QPointF(target.width() / k - 12, target.height() / k - 12)
            data = canvas.layers["word"].data
            # a pixel-sized font: a point size would follow the device's dpi (150 on PDF) and overflow the box
            font = QFont(canvas.font())
            font.setPixelSize(QFontInfo(canvas.font()).pixelSize())
            paint_legend(
                painter,
                corner,
                font,
                style.min_confidence,
                style.below,
                with_none=bool(np.isnan(data.conf).any()),
                scale=style.scale,
            )
            painter.restore()
    finally:
        style.pen_scale, canvas.markers.pen_scale = old_scale, old_marker
        style.force_outlines = False
        canvas.markers.set_hover(hover)
        for item in canvas.layers.values():
            item.update()


def render_view_image(canvas: Canvas) -> QImage:
    """The image as displayed with the visible overlays, at the image's own size."""
    width, height = canvas.image_item.size
    if not width or not height:
        raise BadInput("there is no image to export; open one first")
    if not canvas.image_item.has_full:
        raise BadInput("the image is still loading; export again in a moment")
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    try:
        _render(canvas, painter, QRectF(0, 0, width, height), width, height)
    finally:
        painter.end()
    return image


_QT_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF"}


def export_view(canvas: Canvas, path: str | os.PathLike[str], inputs: tuple[str | None, ...] = ()) -> Path:
    """Write the view as PNG (or JPEG) or PDF, chosen by the suffix; never over an input file
    (nor the response's sidecar)."""
    protected = with_sidecars(inputs)
    target = check_output(path, protected)  # a folder (or no name at all) is refused as given
    suffix = target.suffix.lower()
    if suffix != ".pdf" and suffix not in (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"):
        # added, not put in place of the suffix: "scan.v2" must not become an existing scan.png, and
        # "/dev/full" not a new file in /dev
        if target.exists() and not target.is_file():
            raise BadInput(
                f"{target}: export writes a PNG, JPEG or PDF file; choose a name ending in .png or .pdf"
            )
        target, suffix = target.with_name(target.name + ".png"), ".png"
        check_output(target, protected)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if suffix == ".pdf":
        _export_pdf(canvas, buffer)
    else:
        fmt = _QT_FORMATS.get(suffix, suffix[1:].upper())
        if not render_view_image(canvas).save(buffer, fmt):
            raise BadInput(f"{target}: cannot encode the picture as {fmt}; choose .png")
    buffer.close()
    return write_atomic(target, bytes(buffer.data().data()), inputs=protected)


def _export_pdf(canvas: Canvas, target: QBuffer) -> None:
    width, height = canvas.image_item.size
    if not width or not height:
        raise BadInput("there is no image to export; open one first")
    if not canvas.image_item.has_full:
        raise BadInput("the image is still loading; export again in a moment")
    with pdf_page(target, Path(canvas.state.image_path or "view").name, width, height) as (painter, rect):
        _render(canvas, painter, rect, width, height)


#: a picture's pixels per inch on an exported PDF page
PDF_DPI = 150


@contextmanager
def pdf_page(device: QIODevice, title: str, width: float, height: float) -> Iterator[tuple[QPainter, QRectF]]:
    """A painter on a one-page PDF written to ``device``, the page a ``width`` x ``height`` pixel
    picture at :data:`PDF_DPI`, and the page's rectangle to paint it in (View and demo exports)."""
    writer = QPdfWriter(device)
    writer.setResolution(PDF_DPI)
    writer.setTitle(title)
    writer.setCreator("ocrviewer")
    size = QPageSize(QSizeF(width * 72.0 / PDF_DPI, height * 72.0 / PDF_DPI), QPageSize.Unit.Point, "image")
    writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise BadInput("cannot start a PDF page for the picture; export as .png instead")
    try:
        yield painter, QRectF(0, 0, writer.width(), writer.height())
    finally:
        painter.end()
