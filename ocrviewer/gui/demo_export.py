"""A picture for a slide: the view plus a caption band, labels above the boxes, weak words
highlighted, and optionally the recognized text beside the image.

Built on :func:`ocrviewer.gui.export_view.render_view_image` (the view as shown, at the image's
resolution), reduced to a slide-sized picture and composed with QPainter; saved through
``core/output.write_atomic`` as PNG, JPEG or a one-page PDF.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ocrviewer.errors import BadInput, OcrViewerError
from ocrviewer.gui.canvas import Canvas
from ocrviewer.gui.export_view import pdf_page, render_view_image
from ocrviewer.gui.theme import set_tone

#: longest side of the image part of a demo picture (a slide needs no 12 MP)
DEMO_SIDE = 2000
WEAK_COLOR = QColor("#d7301f")
CAPTION_BG = QColor(34, 36, 40)


@dataclass(frozen=True)
class DemoOptions:
    """What goes into the picture besides the view itself."""

    caption: bool = True
    labels: bool = True
    weak: bool = True
    side_by_side: bool = False
    max_side: int = DEMO_SIDE


@dataclass(frozen=True)
class DemoFacts:
    """The caption's facts: file, provider, words, mean confidence, date."""

    file: str
    provider: str
    words: int
    mean_confidence: float | None
    day: str
    weak_below: float | None = None

    def caption(self) -> str:
        parts = [self.file, self.provider, f"{self.words} words"]
        if self.mean_confidence is not None:
            parts.append(f"mean confidence {self.mean_confidence:.2f}")
        parts.append(self.day)
        text = "  ·  ".join(p for p in parts if p)
        if self.weak_below is not None:
            text += f"  ·  red: under {self.weak_below:.2f}"
        return text


def weak_cut(canvas: Canvas) -> float:
    """Words under this are highlighted: the threshold when one is set, else the lower third of
    the colour scale (the red and orange words)."""
    t = canvas.style_opts.min_confidence
    if t > 0:
        return t
    return round(canvas.style_opts.scale.value_at(1 / 3), 2)


def demo_facts(canvas: Canvas, provider: str | None = None, today: date | None = None) -> DemoFacts:
    state = canvas.state
    data = canvas.layers["word"].data
    known = data.conf[~np.isnan(data.conf)] if len(data.conf) else np.zeros(0)
    if provider is None:
        provider = _provider_of(state.response_path) or (
            state.source_document.source_format if state.source_document is not None else ""
        )
    weak = weak_cut(canvas) if len(known) else None
    return DemoFacts(
        file=Path(state.image_path).name if state.image_path else "",
        provider=provider,
        words=len(data),
        mean_confidence=float(known.mean()) if len(known) else None,
        day=(today or date.today()).isoformat(),
        weak_below=weak,
    )


def _provider_of(response_path: str | None) -> str | None:
    if not response_path:
        return None
    try:
        from ocrviewer.core.sidecar import read_sidecar

        sidecar = read_sidecar(response_path)
    except (OcrViewerError, OSError):  # a caption is decoration: a broken sidecar, no provider name
        return None
    return getattr(sidecar, "provider", None) if sidecar is not None else None


def compose_demo(canvas: Canvas, options: DemoOptions, facts: DemoFacts | None = None) -> QImage:
    """The demo picture as a QImage (RGB)."""
    view = render_view_image(canvas)
    k = min(1.0, options.max_side / max(view.width(), view.height()))
    if k < 1.0:
        view = view.scaled(
            round(view.width() * k),
            round(view.height() * k),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    facts = facts or demo_facts(canvas)
    base_px = max(14.0, view.height() / 60)
    text_w = round(max(420, view.width() * 0.7)) if options.side_by_side else 0
    caption_h = round(base_px * 2.4) if options.caption else 0
    out = QImage(view.width() + text_w, view.height() + caption_h, QImage.Format.Format_RGB32)
    out.fill(QColor("white"))
    p = QPainter(out)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.drawImage(0, 0, view)
        cut = facts.weak_below if options.weak else None
        shift = canvas.overlay_root.pos()
        if options.weak and cut is not None:
            _paint_weak(p, canvas, k, cut, shift)
        if options.labels:
            _paint_labels_above(p, canvas, k, shift, QRectF(0, 0, view.width(), view.height()))
        if options.side_by_side:
            _paint_text(p, canvas, QRectF(view.width(), 0, text_w, view.height()), base_px, cut)
        if options.caption:
            _paint_caption(p, QRectF(0, view.height(), out.width(), caption_h), facts.caption(), base_px)
    finally:
        p.end()
    return out


def _visible_words(canvas: Canvas) -> np.ndarray:
    layer = canvas.layers["word"]
    if not layer.isVisible() or not len(layer.data):
        return np.zeros(0, dtype=np.int64)
    index = np.arange(len(layer.data))
    return index[~layer._hidden_mask(index)]


def _paint_weak(p: QPainter, canvas: Canvas, k: float, cut: float, shift: QPointF) -> None:
    data = canvas.layers["word"].data
    idx = _visible_words(canvas)
    weak = idx[data.conf[idx] < cut] if len(idx) else idx
    pen = QPen(WEAK_COLOR, max(2.0, 3.0 * k * max(1.0, max(canvas.image_item.size) / 1500)))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for i in weak.tolist():
        x0, y0, x1, y1 = (float(v) for v in data.bboxes[i])
        pad = 2.0
        p.drawRoundedRect(
            QRectF(
                (x0 + shift.x()) * k - pad,
                (y0 + shift.y()) * k - pad,
                (x1 - x0) * k + 2 * pad,
                (y1 - y0) * k + 2 * pad,
            ),
            3,
            3,
        )


def _paint_labels_above(p: QPainter, canvas: Canvas, k: float, shift: QPointF, area: QRectF) -> None:
    """Each visible word's text in a small white tag just above its box (below it at the top
    edge), sized to the box, as ``ocrviewer render`` writes them."""
    data = canvas.layers["word"].data
    idx = _visible_words(canvas)
    if not len(idx):
        return
    font = QFont(p.font())
    heights = (data.bboxes[idx, 3] - data.bboxes[idx, 1]) * k
    size = float(np.clip(np.median(heights) * 0.55, 9, 40))
    font.setPixelSize(round(size))
    p.setFont(font)
    for tag, text in label_tags(data, idx, k, shift, area, font):
        path = QPainterPath()
        path.addRoundedRect(tag, 3, 3)
        p.fillPath(path, QColor(255, 255, 255, 215))
        p.setPen(QColor(20, 20, 20))
        p.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)


def label_tags(
    data: Any, idx: np.ndarray, k: float, shift: QPointF, area: QRectF, font: QFont
) -> list[tuple[QRectF, str]]:
    """(tag, text) of each word's label above its box (below it at the top edge), inside ``area``:
    a text wider than the picture is cut short with an ellipsis rather than running off its edge."""
    fm = QFontMetricsF(font)
    tags = []
    for i in idx.tolist():
        text = data.text(i)
        if not text:
            continue
        x0, y0, _x1, y1 = (float(v) for v in data.bboxes[i])
        left, top, bottom = (x0 + shift.x()) * k, (y0 + shift.y()) * k, (y1 + shift.y()) * k
        if fm.horizontalAdvance(text) + 6 > area.width():
            text = fm.elidedText(text, Qt.TextElideMode.ElideRight, area.width() - 8)
        w, h = fm.horizontalAdvance(text) + 6, fm.height() + 2
        y = top - h - 1 if top - h - 1 >= area.top() else bottom + 1
        x = max(area.left(), min(left, area.right() - w))
        tags.append((QRectF(x, y, w, h), text))
    return tags


def side_text(doc: Any, cut: float | None, font: QFont, width: float, margin: float) -> QTextDocument:
    """The recognized text laid out for the column beside the image: one paragraph per line, so
    each line reads in its own direction (an Arabic line right to left, a Latin one beside it left
    to right), blocks apart, weak words in red."""
    paragraphs = []
    for page in doc.pages:
        for block in page.blocks:
            first = True
            for line in block.lines:
                words = line.words or ()
                if words:
                    body = " ".join(
                        f'<span style="color:{WEAK_COLOR.name()}; font-weight:bold">{html.escape(w.text)}</span>'
                        if cut is not None and w.confidence is not None and w.confidence < cut
                        else html.escape(w.text)
                        for w in words
                    )
                elif line.text:
                    body = html.escape(line.text)
                else:
                    continue
                gap = round(margin * 0.6) if first and paragraphs else 0
                paragraphs.append(f'<p style="margin:{gap}px 0 0 0">{body}</p>')
                first = False
    text = QTextDocument()
    text.setDefaultFont(font)
    text.setDocumentMargin(margin)
    text.setTextWidth(width)
    text.setHtml(f'<div style="color:#202020">{"".join(paragraphs)}</div>')
    return text


def _paint_text(p: QPainter, canvas: Canvas, rect: QRectF, base_px: float, cut: float | None) -> None:
    """The recognized text, block by block, weak words in red, beside the image."""
    doc = canvas.state.document
    p.fillRect(rect, QColor(250, 250, 248))
    p.setPen(QPen(QColor(210, 210, 210), 1))
    p.drawLine(rect.topLeft(), rect.bottomLeft())
    if doc is None:
        return
    font = QFont(p.font())
    font.setPixelSize(round(base_px))
    text = side_text(doc, cut, font, rect.width(), base_px)
    scale = min(1.0, rect.height() / max(1.0, text.size().height()))
    p.save()
    p.translate(rect.topLeft())
    p.scale(scale, scale)
    text.setTextWidth(rect.width() / scale)
    text.drawContents(p, QRectF(0, 0, rect.width() / scale, rect.height() / scale))
    p.restore()


def _paint_caption(p: QPainter, rect: QRectF, caption: str, base_px: float) -> None:
    p.fillRect(rect, CAPTION_BG)
    font = QFont(p.font())
    font.setPixelSize(round(base_px))
    fm = QFontMetricsF(font)
    while fm.horizontalAdvance(caption) > rect.width() - 2 * base_px and font.pixelSize() > 9:
        font.setPixelSize(font.pixelSize() - 1)
        fm = QFontMetricsF(font)
    p.setFont(font)
    p.setPen(QColor(240, 240, 240))
    p.drawText(
        rect.adjusted(base_px, 0, -base_px, 0),
        Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
        caption,
    )


def export_demo(
    canvas: Canvas,
    path: str | os.PathLike[str],
    options: DemoOptions,
    inputs: tuple[str | None, ...] = (),
    facts: DemoFacts | None = None,
) -> Path:
    """Write the demo picture as PNG/JPEG or a one-page PDF (by suffix); never over an input."""
    from ocrviewer.core.output import write_atomic

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".jpg", ".jpeg", ".pdf"):
        target = target.with_suffix(".png")
        suffix = ".png"
    image = compose_demo(canvas, options, facts)
    if suffix == ".pdf":
        data = _pdf_bytes(image, Path(canvas.state.image_path or "view").name)
    else:
        data = _image_bytes(image, "JPG" if suffix in (".jpg", ".jpeg") else "PNG")
    write_atomic(target, data, inputs=[p for p in inputs if p])
    return target


def _image_bytes(image: QImage, fmt: str) -> bytes:
    buf = QByteArray()
    device = QBuffer(buf)
    device.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(device, fmt, 92 if fmt == "JPG" else -1):
        raise BadInput(f"could not encode the picture as {fmt}")
    device.close()
    return bytes(buf.data())


def _pdf_bytes(image: QImage, title: str) -> bytes:
    buf = QByteArray()
    device = QBuffer(buf)
    device.open(QIODevice.OpenModeFlag.WriteOnly)
    with pdf_page(device, title, image.width(), image.height()) as (painter, rect):
        painter.drawImage(rect, image)
    device.close()
    return bytes(buf.data())


class DemoExportDialog(QDialog):
    """Choose what goes into the demo picture; the file is asked for next."""

    def __init__(self, parent: QWidget | None = None, options: DemoOptions | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export for a slide")
        o = options or DemoOptions()
        self.caption = QCheckBox(
            "Caption band (file, provider, words, mean confidence, date)", checked=o.caption
        )
        self.labels = QCheckBox("Text labels above the boxes", checked=o.labels)
        self.weak = QCheckBox("Highlight weak words in red", checked=o.weak)
        self.side = QCheckBox("Recognized text beside the image", checked=o.side_by_side)
        note = QLabel("PNG, JPEG or PDF, chosen by the file name.")
        set_tone(note, "muted")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.caption, self.labels, self.weak, self.side, note):
            layout.addWidget(w)
        layout.addWidget(buttons)

    def options(self) -> DemoOptions:
        return DemoOptions(
            caption=self.caption.isChecked(),
            labels=self.labels.isChecked(),
            weak=self.weak.isChecked(),
            side_by_side=self.side.isChecked(),
        )
