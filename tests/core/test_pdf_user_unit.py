"""A PDF page with /UserUnit (PDF 1.6, large-format drawings): one unit of its user space is that
many points, so the page is that many times the size PDFium reports. The page shows at its real
size at the dpi it says, and results in inches or points, and its own text layer, land on it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ocrviewer.core.loading import load_document_result
from ocrviewer.core.model import polygon_bbox
from ocrviewer.core.sources import open_source
from tests.support.documents import _read_v32, write_json

#: the page's MediaBox in user units, and a black box and a word on it (user units from the top-left)
SIZE = (300.0, 200.0)
BOX = (30.0, 40.0, 130.0, 60.0)
WORD_AT = (30.0, 150.0)  # left, baseline


def _pdf(path: Path, unit: float | None) -> Path:
    import pikepdf
    from reportlab.pdfgen import canvas

    plain = path.with_suffix(".plain.pdf")
    c = canvas.Canvas(str(plain), pagesize=SIZE)
    left, top, right, bottom = BOX
    c.rect(left, SIZE[1] - bottom, right - left, bottom - top, stroke=0, fill=1)
    c.setFont("Helvetica", 20)
    c.drawString(WORD_AT[0], SIZE[1] - WORD_AT[1], "DRAWING")
    c.showPage()
    c.save()
    with pikepdf.open(plain) as pdf:
        if unit is not None:
            pdf.pages[0].obj["/UserUnit"] = unit
        pdf.save(path)
    return path


@pytest.mark.parametrize("unit", [2.0, 1.0, None])
def test_the_page_shows_at_its_real_size_at_the_dpi_it_states(tmp_path: Path, unit: float | None) -> None:
    k = unit or 1.0
    dpi = 100
    with open_source(_pdf(tmp_path / "plan.pdf", unit), dpi=dpi) as source:
        page = source.pages[0]
        assert page.points == (SIZE[0] * k, SIZE[1] * k)
        assert page.size == (math.ceil(SIZE[0] * k * dpi / 72), math.ceil(SIZE[1] * k * dpi / 72))
        img = np.asarray(page.render().convert("L"))
        assert img.shape == (page.size[1], page.size[0])
        px = k * dpi / 72
        left, top, right, bottom = (round(v * px) for v in BOX)
        assert img[top + 3 : bottom - 3, left + 3 : right - 3].max() < 60  # the box, where it really is
        assert (
            img[bottom + 3, left + 3 : right - 3].min() > 200
            and img[top + 3 : bottom - 3, right + 3].min() > 200
        )
        assert (page.sha256() == _plain_sha(source, dpi)) is (unit in (1.0, None))  # cached results
        small = page.render(max_side=200)
        assert max(small.size) <= 200 and abs(small.width / small.height - SIZE[0] / SIZE[1]) < 0.02


def _plain_sha(source, dpi: float) -> str:  # type: ignore[no-untyped-def]
    """The page key of before /UserUnit was read (still every other page's)."""
    import hashlib

    return hashlib.sha256(f"{source.sha256}:0:{dpi:g}".encode()).hexdigest()


def test_azure_read_in_inches_lands_on_the_drawing(tmp_path: Path) -> None:
    """Azure Read states a PDF page and its words in inches of the real page."""
    pdf = _pdf(tmp_path / "plan.pdf", 2.0)
    inches = [tuple(2 * v / 72 for v in BOX)]
    resp = write_json(
        tmp_path / "r.json", _read_v32([(0, inches, 2 * SIZE[0] / 72, 2 * SIZE[1] / 72)], "inch")
    )
    result = load_document_result(open_source(pdf, dpi=72), resp)
    page = result.page(0)
    assert page is not None and (page.width, page.height) == (600, 400)
    box = polygon_bbox(next(page.words()).polygon)
    assert all(abs(a - 2 * b) <= 1.5 for a, b in zip(box, BOX, strict=True))


def test_the_text_layer_is_in_real_points_and_lands_on_its_word(tmp_path: Path) -> None:
    from ocrviewer.core.formats.pdf_text import read

    pdf = _pdf(tmp_path / "plan.pdf", 2.0)
    doc = read(pdf.read_bytes())
    page = doc.pages[0]
    assert (page.width, page.height, page.unit) == (600.0, 400.0, "point")
    word = next(page.words())
    assert word.text == "DRAWING"
    left, top, right, bottom = polygon_bbox(word.polygon)
    assert (
        abs(left - 2 * WORD_AT[0]) < 4 and 0 <= bottom - 2 * WORD_AT[1] < 12
    )  # the baseline and its descent
    # placed on the page as shown: on the word's dark pixels
    with open_source(pdf, dpi=72) as source:
        result = load_document_result(source, pdf)
        placed = result.page(0)
        assert placed is not None
        x0, y0, x1, y1 = (round(v) for v in polygon_bbox(next(placed.words()).polygon))
        img = np.asarray(source.pages[0].render().convert("L"))
        assert img[y0:y1, x0:x1].min() < 60 and abs(x0 - 60) < 4 and 0 <= y1 - 300 < 12
