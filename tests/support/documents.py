"""Real multi-page documents for tests: PDFs drawn with reportlab, folders of images, and responses.

Each PDF page holds black rectangles ("words") at known places in points, so a loopback emulator
finds them in the rendered pixels and a placed response can be checked against them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

#: A4 in points
A4 = (595.0, 842.0)
#: (left, top, right, bottom) in points from the top-left corner, one line of three words
WORDS_PT = ((72.0, 100.0, 172.0, 124.0), (190.0, 100.0, 260.0, 124.0), (280.0, 100.0, 400.0, 124.0))


def word_boxes_pt(page: int) -> list[tuple[float, float, float, float]]:
    """The word boxes of page ``page`` (0-based): the line moves down 40 pt per page (mod 15)."""
    dy = 40.0 * (page % 15)
    return [(left, top + dy, right, bottom + dy) for left, top, right, bottom in WORDS_PT]


def make_pdf(
    path: str | os.PathLike[str],
    pages: int = 3,
    size: tuple[float, float] = A4,
    boxes: Callable[[int], list[tuple[float, float, float, float]]] = word_boxes_pt,
) -> Path:
    """A PDF of ``pages`` text-only pages: black ``boxes(page)`` (points from the top-left corner;
    by default a line of word boxes) and a page number."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=size, pageCompression=1)
    w, h = size
    for i in range(pages):
        for left, top, right, bottom in boxes(i):
            c.rect(left, h - bottom, right - left, bottom - top, stroke=0, fill=1)
        c.setFont("Helvetica", 9)
        c.drawString(w / 2, 20, f"{i + 1}")
        c.showPage()
    c.save()
    return Path(path)


def make_encrypted_pdf(path: str | os.PathLike[str]) -> Path:
    import pikepdf

    plain = Path(path).with_suffix(".plain.pdf")
    make_pdf(plain, 1)
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="o", user="secret", R=6))
    plain.unlink()
    return Path(path)


def make_broken_pdf(path: str | os.PathLike[str]) -> Path:
    Path(path).write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nthis is not a pdf\n")
    return Path(path)


def make_scan(path: str | os.PathLike[str], words: int = 3, size: tuple[int, int] = (400, 200)) -> Path:
    """An image of ``words`` black boxes on one line (what a scanned page looks like to the emulator)."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    for i in range(words):
        x = 20 + i * 90
        draw.rectangle((x, 40, x + 70, 70), fill="black")
    img.save(path)
    return Path(path)


def azure_read_pdf_response(pages: list[int], size: tuple[float, float] = A4) -> dict[str, Any]:
    """An Azure Read v3.2 answer for a PDF: ``readResults[]`` in inches, one per page (1-based ``page``)."""
    return _read_v32(
        [
            (i, [tuple(v / 72 for v in box) for box in word_boxes_pt(i)], size[0] / 72, size[1] / 72)
            for i in pages
        ],
        "inch",
    )


def _read_v32(pages: list[tuple[int, list[Any], float, float]], unit: str) -> dict[str, Any]:
    """Azure Read v3.2's answer: per (0-based page, word boxes (left, top, right, bottom), width,
    height) one readResult of one line, its words named ``p<page>w<n>``, confidence 0.9."""
    results = []
    for i, boxes, width, height in pages:
        words = []
        for n, (left, top, right, bottom) in enumerate(boxes):
            box = [left, top, right, top, right, bottom, left, bottom]
            words.append({"boundingBox": box, "text": f"p{i + 1}w{n}", "confidence": 0.9})
        first, last = words[0]["boundingBox"], words[-1]["boundingBox"]
        line_box = [first[0], first[1], last[2], last[3], last[4], last[5], first[6], first[7]]
        line = {"boundingBox": line_box, "text": " ".join(x["text"] for x in words), "words": words}
        results.append(
            {"page": i + 1, "angle": 0, "width": width, "height": height, "unit": unit, "lines": [line]}
        )
    return {
        "status": "succeeded",
        "createdDateTime": "2024-01-01T00:00:00Z",
        "lastUpdatedDateTime": "2024-01-01T00:00:01Z",
        "analyzeResult": {"version": "3.2.0", "modelVersion": "2022-04-30", "readResults": results},
    }


def yandex_pdf_pages(
    pages: list[int], dpi: float = 300, size: tuple[float, float] = A4
) -> list[dict[str, Any]]:
    """Yandex recognizeTextAsync results for a PDF: one object per page, in the pixels of its own
    rendering at ``dpi`` (its stated width/height), ``page`` 0-based as the service numbers them."""
    k = dpi / 72
    out = []
    for i in pages:
        words = []
        for n, (left, top, right, bottom) in enumerate(word_boxes_pt(i)):
            l_, t, r, b = (str(round(v * k)) for v in (left, top, right, bottom))
            words.append(
                {
                    "boundingBox": {
                        "vertices": [{"x": l_, "y": t}, {"x": l_, "y": b}, {"x": r, "y": b}, {"x": r, "y": t}]
                    },
                    "text": f"p{i + 1}w{n}",
                    "entityIndex": "-1",
                }
            )
        verts = [
            words[0]["boundingBox"]["vertices"][0],
            words[0]["boundingBox"]["vertices"][1],
            words[-1]["boundingBox"]["vertices"][2],
            words[-1]["boundingBox"]["vertices"][3],
        ]
        line = {
            "boundingBox": {"vertices": verts},
            "text": " ".join(w["text"] for w in words),
            "words": words,
        }
        ann = {
            "width": str(round(size[0] * k)),
            "height": str(round(size[1] * k)),
            "blocks": [{"boundingBox": {"vertices": verts}, "lines": [line]}],
            "entities": [],
            "fullText": line["text"],
            "rotate": "ANGLE_0",
        }
        out.append({"result": {"textAnnotation": ann, "page": str(i)}})
    return out


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    Path(path).write_text(json.dumps(data), encoding="utf-8")
    return Path(path)


#: (displayed size, mode, Orientation tag, compression) of each page of :func:`make_tiff`'s default file:
#: sizes differ per page, page 2 is stored turned (Orientation 6), page 3 is a 1-bit G4 fax page,
#: page 4 16-bit grey, page 5 CMYK upside down (Orientation 3)
TIFF_PAGES: tuple[tuple[tuple[int, int], str, int, str | None], ...] = (
    ((400, 200), "RGB", 1, "tiff_lzw"),
    ((300, 420), "L", 6, "tiff_adobe_deflate"),
    ((480, 240), "1", 1, "group4"),
    ((360, 260), "I;16", 8, None),
    ((320, 240), "CMYK", 3, "packbits"),
)


def tiff_word_boxes(page: int) -> list[tuple[int, int, int, int]]:
    """The word boxes (left, top, right, bottom) of :func:`make_tiff`'s page ``page`` (0-based), in
    its displayed pixels: one line of three words, 30 px lower per page."""
    top = 40 + 30 * page
    return [(20 + n * 90, top, 90 + n * 90, top + 30) for n in range(3)]


def make_tiff(
    path: str | os.PathLike[str],
    pages: tuple[tuple[tuple[int, int], str, int, str | None], ...] = TIFF_PAGES,
) -> Path:
    """A multi-page TIFF whose pages, as displayed (each turned by its own Orientation tag), are white
    with black word boxes at :func:`tiff_word_boxes`; each page written with its own mode, tag and
    compression (Pillow's ``save_all`` gives every page the first one's)."""
    from PIL import TiffImagePlugin

    # the stored pixels are the displayed ones turned back: Orientation 6 is shown turned 90 degrees clockwise
    back = {
        1: None,
        3: Image.Transpose.ROTATE_180,
        6: Image.Transpose.ROTATE_90,
        8: Image.Transpose.ROTATE_270,
    }
    with TiffImagePlugin.AppendingTiffWriter(str(path), new=True) as tf:
        for i, (size, mode, orientation, compression) in enumerate(pages):
            shown = Image.new("L", size, 255)
            draw = ImageDraw.Draw(shown)
            for box in tiff_word_boxes(i):
                draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=0)
            turn = back[orientation]
            stored = shown.transpose(turn) if turn is not None else shown
            if mode == "1":
                stored = stored.convert("1", dither=Image.Dither.NONE)
            elif mode == "I;16":
                stored = Image.frombytes(
                    "I;16", stored.size, bytes(b for v in stored.tobytes() for b in (v, v))
                )
            elif mode != "L":
                stored = stored.convert(mode)
            info = {274: orientation}
            kw = {"compression": compression} if compression else {}
            stored.save(tf, format="TIFF", tiffinfo=info, **kw)
            tf.newFrame()
    return Path(path)


def azure_read_pixel_response(sizes: list[tuple[int, int]], pages: list[int]) -> dict[str, Any]:
    """An Azure Read v3.2 answer for an image document (a multi-page TIFF): ``readResults[]`` in
    pixels, one per page of ``pages`` (0-based), the words at :func:`tiff_word_boxes`."""
    return _read_v32([(i, list(tiff_word_boxes(i)), *sizes[i]) for i in pages], "pixel")


def make_batch_outdir(
    tmp_path: Path,
    pages: int = 4,
    *,
    name: str = "out",
    provider: str = "azure-read",
    failed: tuple[int, ...] = (2,),
    typos: dict[int, str] | None = None,
) -> tuple[Path, Path]:
    """A batch OUTDIR for a 4-page PDF: page 3 failed; page 4's worst word 0.2, page 2's 0.5
    (``pages``: the PDF's first pages only). ``name``, ``provider``: a second engine's OUTDIR of
    the same PDF (made once); ``failed``: the pages (0-based) that failed; ``typos``: page ->
    what the engine read for that page's word 1."""
    from ocrviewer.core.sidecar import Sidecar, write_sidecar
    from ocrviewer.providers.batch import MANIFEST, Record, manifest_bytes

    pdf = tmp_path / "scan.pdf"
    if not pdf.exists():
        make_pdf(pdf, pages)
    out = tmp_path / name
    out.mkdir()
    conf = {0: 0.9, 1: 0.5, 3: 0.2}
    records = []
    for i in range(pages):
        response = f"scan.p{i + 1:04d}.json"
        base = dict(
            input=f"scan.pdf#page={i + 1}",
            position=i,
            image="scan.pdf",
            page=i + 1,
            seconds=0.1,
            provider=provider,
            options={},
            calls=1,
            cache_hit=False,
            dpi=150.0,
            source="scan.pdf",
        )
        if i in failed:
            records.append(Record(response=None, status="failed", reason="HTTP 500 from the service", **base))
            continue
        data = azure_read_pdf_response([i])
        result = data["analyzeResult"]["readResults"][0]
        result["page"] = 1  # one page sent: the service calls it page 1
        word = result["lines"][0]["words"][1]
        word["confidence"] = conf.get(i, 0.9)
        if typos and i in typos:
            word["text"] = typos[i]
            result["lines"][0]["text"] = " ".join(w["text"] for w in result["lines"][0]["words"])
        write_json(out / response, data)
        write_sidecar(
            out / response,
            Sidecar(provider=provider, image_path=str(pdf), extras={"page": i + 1, "dpi": 150.0}),
        )
        records.append(Record(response=response, status="done", reason=None, **base))
    (out / MANIFEST).write_bytes(manifest_bytes(records))
    return pdf, out
