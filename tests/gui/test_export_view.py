"""Export: the view at the image's full size, overlays where the words are; never over an input."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from ocrviewer.errors import BadInput
from ocrviewer.gui.export_view import export_view
from tests.support.images import DEFAULT_WORDS


def coloured(image: QImage, x0: int, y0: int, x1: int, y1: int, spread: int = 50) -> int:
    """How many pixels in the box are clearly coloured (not grey, black or white)."""
    n = 0
    for y in range(max(0, y0), min(image.height(), y1)):
        for x in range(max(0, x0), min(image.width(), x1)):
            c = image.pixelColor(x, y)
            if max(c.red(), c.green(), c.blue()) - min(c.red(), c.green(), c.blue()) > spread:
                n += 1
    return n


def test_png_has_image_size_and_overlay_on_the_words(loaded, tmp_path) -> None:
    out = export_view(loaded.canvas, tmp_path / "view.png")
    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 480)
    for _text, (left, top, _right, bottom) in DEFAULT_WORDS:
        mid = int((top + bottom) / 2)
        assert coloured(image, int(left) - 2, mid - 3, int(left) + 3, mid + 3) > 0
    # empty paper stays clean (the legend sits bottom right)
    assert coloured(image, 480, 20, 620, 140) == 0


def test_pdf_export_writes_a_pdf(loaded, tmp_path) -> None:
    out = export_view(loaded.canvas, tmp_path / "view.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"


def test_export_refuses_to_overwrite_the_image(loaded) -> None:
    image = loaded.state.image_path
    with pytest.raises(BadInput, match="input file"):
        export_view(loaded.canvas, image, (image,))


def test_export_action_without_image_says_what_to_do(window) -> None:
    window.dialogs.choose_export()
    assert "open one first" in window.message_bar.text


def test_pdf_legend_matches_the_png(loaded, tmp_path) -> None:
    """The PDF (150 dpi) drew the legend's text larger than its box: point sizes followed the PDF's dpi."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    png = QImage(str(export_view(loaded.canvas, tmp_path / "view.png")))
    doc = QPdfDocument()
    doc.load(str(export_view(loaded.canvas, tmp_path / "view.pdf")))
    pdf = doc.render(0, QSize(png.width(), png.height())).convertToFormat(QImage.Format.Format_RGB32)
    x0, y0 = png.width() - 230, png.height() - 110  # the legend, bottom right
    diff = [
        abs(png.pixelColor(x, y).lightness() - pdf.pixelColor(x, y).lightness())
        for y in range(y0, png.height(), 2)
        for x in range(x0, png.width(), 2)
    ]
    assert sum(diff) / len(diff) < 4  # 7.7 when the text overflowed, 1.4 when it fits
