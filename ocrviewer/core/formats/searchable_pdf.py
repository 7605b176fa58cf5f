"""A searchable PDF: each page's displayed image with an invisible text layer on the words.

Every word is drawn in text render mode 3 (invisible) in its own text object, fitted to its
polygon: the reading direction is the polygon's first edge (the model's polygons start at the text's
top-left and run along the line), the size is the polygon's extent along and across that direction,
the font size fills the height and horizontal scaling (``Tz``) the width. Selecting or searching in
any PDF reader then hits the words where they are on the image, rotated words included. Arabic and
Hebrew words are written in visual order (reversed, brackets mirrored, digit runs kept), so readers
give them back in the order they were recognized.

The font is a glyphless CID font (``Identity-H``; every character of the document gets its own code
and a ``ToUnicode`` entry), so text in any script extracts as what was recognized. It is embedded
(every font of the file is, as PDF/A wants): Tesseract's 572-byte GlyphLessFont, one empty glyph half
an em wide that every code maps to.

Library: pikepdf (MPL-2.0, bundles qpdf under Apache-2.0): the content stream and the font are
written directly, which the glyphless font needs. ReportLab's TTF embedding drops the Unicode of
characters its font lacks (Cyrillic and CJK extracted as blanks with the bundled Vera font).
"""

from __future__ import annotations

import base64
import io
import math
import unicodedata
import zlib
from collections.abc import Sequence

from ocrviewer.core.formats._xml import xml_safe
from ocrviewer.core.model import Document, Polygon
from ocrviewer.errors import BadInput

#: pixels per inch when the image states none (a usual scan resolution)
DEFAULT_DPI = 300.0
#: glyph advance (1/1000 em) and vertical metrics of the glyphless font
_ADVANCE = 500
#: (the embedded font's own box reaches a full em above the baseline; readers use it for selection)
_ASCENT, _DESCENT = 1000, -200


#: Tesseract's GlyphLessFont (tessdata/pdf.ttf of the Tesseract OCR project, Apache-2.0): glyph 1 is
#: empty and 1024/2048 em wide. Kept here so the bundle needs no data file.
_GLYPHLESS_TTF = base64.b64decode(
    "AAEAAAAKAIAAAwAgT1MvMlbeyJQAAAEoAAAAYGNtYXAACgA0AAABkAAAAB5nbHlmFSJBJAAAAbgAAAAYaGVhZAt48WUAAACs"
    "AAAANmhoZWEMAgQCAAAA5AAAACRobXR4BAAAAAAAAYgAAAAIbG9jYQAMAAAAAAGwAAAABm1heHAABAAFAAABCAAAACBuYW1l"
    "8usW2gAAAdAAAABLcG9zdAABAAEAAAIcAAAAIAABAAAAAQAAsJRxEF8PPPUEBwgAAAAAAM+a/G4AAAAA1MOn8gAAAAAEAAgA"
    "AAAAEAACAAAAAAAAAAEAAAgA//8AAAQAAAAAAAQAAAEAAAAAAAAAAAAAAAAAAAACAAEAAAACAAQAAQAAAAAAAQAAAAAAAAAA"
    "AAAAAAAAAAAAAwAAAZAABQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAUAAQABAAAAAAAAAAAAAAAAAAAAAAAAAAAAR09PRwBA"
    "AAAAAAAB//8AAAABAAGAAAAAAAAAAAAAAAAAAAABAAAAAAAABAAAAAAAAAIAAQAAAAAAFAADAAAAAAAUAAYACgAAAAAAAAAA"
    "AAAAAAAMAAAAAQAAAAAEAAgAAAMAADEhESEEAPwACAAAAAADACoAAAADAAAABQAWAAAAAQAAAAAABQALABYAAwABBAkABQAW"
    "AAAAVgBlAHIAcwBpAG8AbgAgADEALgAwVmVyc2lvbiAxLjAAAAEAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAA="
)


def _fit(poly: Polygon, height_px: float, k: float) -> tuple[tuple[float, ...], float, float] | None:
    """(text matrix, font size, width) placing a word's text on ``poly`` in PDF points."""
    pts = [(x * k, (height_px - y) * k) for x, y in poly]
    # the text runs from the first vertex to the next one of a clockwise polygon (TL, TR, BR, BL) and
    # to the last one of a counter-clockwise polygon (TL, BL, BR, TR: Yandex); with y up, clockwise on
    # the image has a negative shoelace area
    ring = zip(pts, pts[1:] + pts[:1], strict=True)
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in ring)
    (ax, ay), (bx, by) = pts[0], (pts[-1] if area > 0 else pts[1])
    length = math.hypot(bx - ax, by - ay)
    ux, uy = ((bx - ax) / length, (by - ay) / length) if length > 1e-9 else (1.0, 0.0)
    vx, vy = -uy, ux  # "up" for the text: the reading direction turned 90 degrees counter-clockwise
    along = [x * ux + y * uy for x, y in pts]
    across = [x * vx + y * vy for x, y in pts]
    w, h = max(along) - min(along), max(across) - min(across)
    if w <= 0 or h <= 0:
        return None
    size = h * 1000.0 / (_ASCENT - _DESCENT)  # ascent to descent spans the polygon's height
    base = min(across) + size * (-_DESCENT) / 1000.0
    ox, oy = ux * min(along) + vx * base, uy * min(along) + vy * base
    return (ux, uy, vx, vy, ox, oy), size, w


_RTL = frozenset({"R", "AL"})
_LTR_RUN = frozenset({"L", "EN", "AN"})
_MIRROR = {a: b for a, b in zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True)}


def visual_order(text: str) -> str:
    """A word's characters in the order they stand on the page, left to right.

    Glyphs are laid out left to right, and readers give a right-to-left run back reversed (PDFium
    extracted "مرحبا" as "ابحرم" and "שָׁלוֹם" as "םֹולָׁש"), so a word in Arabic or Hebrew is written
    reversed, its runs of digits or Latin kept as they read, as Tesseract's PDF renderer does.
    """
    if not any(unicodedata.bidirectional(ch) in _RTL for ch in text):
        return text
    runs: list[str] = []
    for ch in text:
        ch = _MIRROR.get(ch, ch)  # "(" in a right-to-left run is drawn as ")": readers mirror it back
        if (
            unicodedata.bidirectional(ch) in _LTR_RUN
            and runs
            and unicodedata.bidirectional(runs[-1][-1]) in _LTR_RUN
        ):
            runs[-1] += ch
        else:
            runs.append(ch)
    return "".join(reversed(runs))


def _n(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".") or "0"


class _Codes:
    """Character -> 2-byte code of the glyphless font, and the ToUnicode CMap for them."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def encode(self, text: str) -> str:
        out = []
        for ch in text:
            code = self.codes.get(ch)
            if code is None:
                code = len(self.codes) + 1
                if code > 0xFFFF:
                    raise BadInput("the result has more than 65,535 distinct characters; cannot write a PDF")
                self.codes[ch] = code
            out.append(f"{code:04X}")
        return "".join(out)

    def to_unicode(self) -> bytes:
        items = sorted(self.codes.items(), key=lambda kv: kv[1])
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        for i in range(0, len(items), 100):
            chunk = items[i : i + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{code:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch, code in chunk]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")


def _image_stream(pdf: object, img: object, source_format: str | None) -> object:
    import pikepdf
    from PIL import Image

    assert isinstance(img, Image.Image)
    if img.mode.startswith("I") or img.mode == "F":  # Pillow's conversion would clip 16-bit grey to white
        from ocrviewer.core.imageio import grey_to_eight_bits

        img = grey_to_eight_bits(img)
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    elif img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    colorspace = pikepdf.Name.DeviceGray if img.mode == "L" else pikepdf.Name.DeviceRGB
    if source_format == "JPEG":  # a photo stays a JPEG (re-encoded after EXIF turned it upright)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=92)
        data, filt = buf.getvalue(), pikepdf.Name.DCTDecode
    else:
        data, filt = zlib.compress(img.tobytes(), 6), pikepdf.Name.FlateDecode
    return pikepdf.Stream(
        pdf,  # type: ignore[arg-type]
        data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=img.width,
        Height=img.height,
        ColorSpace=colorspace,
        BitsPerComponent=8,
        Filter=filt,
    )


def write_pdf(
    doc: Document,
    images: Sequence[object | None],
    *,
    dpi: Sequence[float | None] = (),
    source_formats: Sequence[str | None] = (),
) -> bytes:
    """The searchable PDF of ``doc`` (placed: displayed-image pixels), one PDF page per document page.

    ``images[i]`` (a displayed PIL image, or None) is page i's picture; a page without one is white,
    of the page's stated size. ``dpi[i]`` sets the printed size (:data:`DEFAULT_DPI` where unknown).
    """
    import pikepdf

    if not doc.pages:
        raise BadInput("the result has no pages; nothing to write")
    doc = xml_safe(doc)  # a lone surrogate has no code to show in the text layer
    pdf = pikepdf.new()
    codes = _Codes()
    contents: list[tuple[list[float], bytes, object | None]] = []
    for i, page in enumerate(doc.pages):
        img = images[i] if i < len(images) else None
        if img is not None:
            wpx, hpx = float(img.size[0]), float(img.size[1])  # type: ignore[attr-defined]
        elif page.width and page.height:
            wpx, hpx = float(page.width), float(page.height)
        else:
            raise BadInput(f"page {i + 1} has no size and no image; pass the image")
        res = dpi[i] if i < len(dpi) and dpi[i] else None
        k = 72.0 / (res if res and 20 <= res <= 10000 else DEFAULT_DPI)
        sx = wpx / page.width if page.width else 1.0
        sy = hpx / page.height if page.height else 1.0
        ops = [f"q {_n(wpx * k)} 0 0 {_n(hpx * k)} 0 0 cm /Im0 Do Q" if img is not None else ""]
        for line in page.lines():
            items = line.words or ((line,) if line.text.strip() else ())
            for item in items:
                text = item.text.strip()
                if not text or not item.polygon:  # text only: no place on the page to put it
                    continue
                poly = tuple((x * sx, y * sy) for x, y in item.polygon)
                fit = _fit(poly, hpx, k)
                if fit is None:
                    continue
                (a, b, c, d, e, f), size, width = fit
                scale = 100.0 * width / (len(text) * _ADVANCE / 1000.0 * size)
                ops.append(
                    f"BT 3 Tr /F0 {_n(size)} Tf {_n(scale)} Tz {_n(a)} {_n(b)} {_n(c)} {_n(d)} {_n(e)} {_n(f)} Tm "
                    f"<{codes.encode(visual_order(text))}> Tj ET"
                )
        box = [0.0, 0.0, wpx * k, hpx * k]
        contents.append((box, "\n".join(o for o in ops if o).encode("ascii"), img))
    font = _font(pdf, codes)
    fmts = list(source_formats)
    for i, (box, content, img) in enumerate(contents):
        resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F0=font))
        if img is not None:
            resources.XObject = pikepdf.Dictionary(
                Im0=_image_stream(pdf, img, fmts[i] if i < len(fmts) else None)
            )
        page_obj = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array(box),
            Resources=resources,
            Contents=pikepdf.Stream(pdf, content),
        )
        pdf.pages.append(pikepdf.Page(page_obj))
    pdf.docinfo[pikepdf.Name.Producer] = "ocrviewer"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _font(pdf: object, codes: _Codes) -> object:
    import pikepdf

    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name.GlyphLessFont,
        Flags=5,
        FontBBox=pikepdf.Array([0, _DESCENT, _ADVANCE, _ASCENT]),
        ItalicAngle=0,
        Ascent=_ASCENT,
        Descent=_DESCENT,
        CapHeight=_ASCENT,
        StemV=80,
        FontFile2=pikepdf.Stream(pdf, _GLYPHLESS_TTF),  # type: ignore[arg-type]
    )
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name.GlyphLessFont,
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=descriptor,
        DW=_ADVANCE,
        # every code draws glyph 1 (code 0 is unused)
        CIDToGIDMap=pikepdf.Stream(pdf, b"\x00\x00" + b"\x00\x01" * len(codes.codes)),  # type: ignore[arg-type]
    )
    return pdf.make_indirect(  # type: ignore[attr-defined]
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name.GlyphLessFont,
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=pikepdf.Array([cid_font]),
            ToUnicode=pikepdf.Stream(pdf, codes.to_unicode()),  # type: ignore[arg-type]
        )
    )
