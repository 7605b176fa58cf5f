"""The OCR ecosystem's file formats: hOCR, ALTO and PAGE-XML in and out, MiniOCR in, and a searchable PDF.

- ``read_markup(raw) -> Document``: an XML/HTML file, its format told by its content (root element,
  namespace, hOCR class names), never its name. :func:`ocrviewer.core.parsers.load_response` sends
  every file that starts with ``<`` here, so everything that opens a response opens these too.
- ``write(fmt, doc, image_names=...) -> bytes`` for ``hocr``, ``alto`` and ``page``;
  :mod:`ocrviewer.core.formats.searchable_pdf` writes ``pdf``.
- ``read_pdf_text(raw) -> Document``: a searchable PDF's text layer (:mod:`.pdf_text`), so a
  result exported as a PDF opens again.
- ``read_tsv(raw) -> Document``: Tesseract's TSV (:mod:`.tsv`).
- ``FORMATS``: format name -> one-line description.

Parsing is safe (see ``_xml``): no entity is expanded, no DTD loaded, nothing fetched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import PurePath

from ocrviewer.core.formats import alto, hocr, miniocr, pagexml, pdf_text, tsv
from ocrviewer.core.formats._xml import local, looks_like_markup, namespace, parse_markup, xml_safe
from ocrviewer.core.limits import xml_text
from ocrviewer.core.model import Document
from ocrviewer.errors import BadResponse

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_SUFFIXES",
    "export_target",
    "FORMATS",
    "gunzip",
    "stated_dpi",
    "not_a_response",
    "is_pdf",
    "is_tsv",
    "not_tesseract_table",
    "looks_like_markup",
    "read_markup",
    "read_pdf_text",
    "read_tsv",
    "suffix_format",
    "write",
]

is_pdf = pdf_text.is_pdf
read_pdf_text = pdf_text.read
is_tsv = tsv.is_tsv
not_tesseract_table = tsv.not_tesseract_table
read_tsv = tsv.read

FORMATS: dict[str, str] = {
    hocr.HOCR: "hOCR (HTML/XHTML with ocr_page, ocr_line, ocrx_word; Tesseract, gImageReader, kraken)",
    **alto.FORMATS,
    **pagexml.FORMATS,
    **miniocr.FORMATS,
    **pdf_text.FORMATS,
    **tsv.FORMATS,
}

#: ``export --to`` choices: the normalized JSON and the formats written here.
EXPORT_FORMATS = ("json", "hocr", "alto", "page", "pdf")
#: output suffixes that name one format unambiguously (``.xml`` could be ALTO or PAGE: needs --to)
_SUFFIXES = {".json": "json", ".hocr": "hocr", ".html": "hocr", ".htm": "hocr", ".pdf": "pdf"}


#: leading bytes of files that are no response, and what to say instead of "not JSON"
_NOT_RESPONSES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"GIF8", "a GIF image"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image"),
)


def not_a_response(raw: bytes) -> str | None:
    """What the file is, when its first bytes show it is an image or an archive rather than a response:
    the one-line advice to give instead of a JSON syntax error; None otherwise."""
    for magic, what in _NOT_RESPONSES:
        if raw.startswith(magic):
            return (
                f"not JSON or another OCR response: {what}; open it as the image and give its response file"
            )
    if raw[:2] == b"BM" and raw[6:10] == b"\x00\x00\x00\x00":
        return (
            "not JSON or another OCR response: a BMP image; open it as the image and give its response file"
        )
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return (
            "not JSON or another OCR response: a WebP image; open it as the image and give its response file"
        )
    if raw.startswith(b"PK\x03\x04"):
        return (
            "not JSON or another OCR response: a ZIP archive (a Transkribus, eScriptorium or OCR-D export?); "
            "unpack it and open the hOCR, ALTO, PAGE-XML or JSON file inside"
        )
    return None


def gunzip(raw: bytes, limit: int) -> bytes | None:
    """The content of a gzip file (``page.xml.gz``) up to ``limit`` bytes; None when ``raw`` is no gzip.
    BadResponse when it is corrupt or inflates past the limit (a gzip bomb is not inflated further)."""
    import zlib

    if not raw.startswith(b"\x1f\x8b"):
        return None
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as err:
        raise BadResponse(f"a gzip file that cannot be unpacked ({err})") from err
    if len(out) > limit:
        raise BadResponse(
            f"a gzip file that unpacks to more than {limit // (1024 * 1024)} MB, over the limit"
        )
    if not inflater.eof:
        raise BadResponse("a gzip file that ends early (truncated); give the whole file")
    return out


def suffix_format(name: str) -> str | None:
    """The export format an output name implies, or None where the suffix does not decide."""
    lower = name.lower()
    if lower.endswith(".alto.xml"):
        return "alto"
    if lower.endswith(".page.xml"):
        return "page"
    for suffix, fmt in _SUFFIXES.items():
        if lower.endswith(suffix):
            return fmt
    return None


#: the suffix a file of each export format is given when its name has none
EXPORT_SUFFIXES = {"json": ".json", "hocr": ".hocr", "alto": ".alto.xml", "page": ".page.xml", "pdf": ".pdf"}


def export_target(path: str, chosen: str) -> tuple[str, str]:
    """(path, format) of a result saved as ``path``: the name's suffix decides (``x.alto.xml`` is
    ALTO); else the ``chosen`` format, whose suffix is added to a name that has none."""
    fmt = suffix_format(path)
    if fmt is not None:
        return path, fmt
    if PurePath(path).suffix == "":
        path += EXPORT_SUFFIXES[chosen]
    return path, chosen


def _ends_as_html(raw: bytes) -> bool:
    """True when the file ends with its closing </html> (or </body>, which some writers stop at).
    Only the last kilobyte is looked at, in any of the encodings markup comes in."""
    tail = raw[-1024:]
    for codec in ("utf-8", "utf-16-le", "utf-16-be"):
        text = tail.decode(codec, errors="ignore").rstrip(" \t\r\n\x00").lower()
        if text.endswith(("</html>", "</body>")):
            return True
    return False


def read_markup(raw: bytes) -> Document:
    """An hOCR, ALTO, PAGE-XML or MiniOCR file as a Document; BadResponse for anything else or anything unsafe."""
    root = parse_markup(miniocr.quote_coordinates(raw))
    if alto.is_alto(root):
        return alto.read(root)
    if pagexml.is_page(root):
        return pagexml.read(root)
    if miniocr.is_miniocr(root):
        return miniocr.read(root)
    if hocr.is_hocr(root):
        doc = hocr.read(root)
        if not _ends_as_html(raw):  # read leniently as HTML: a cut-off file still gives its first words
            cut = (
                "the hOCR file stops before its </html> (cut off?): only what comes before is shown; "
                "give the whole file the OCR engine wrote"
            )
            doc = replace(doc, warnings=(cut, *doc.warnings))
        return doc
    ns = namespace(root)
    if "abbyy.com" in ns:
        raise BadResponse(
            "ABBYY FineReader's own XML is not read; export the page from FineReader as ALTO (or hOCR) "
            "and open that"
        )
    if local(root.tag) == "mets":
        raise BadResponse(
            "a METS file (an OCR-D or digitisation workspace) lists the page files; open one of the "
            "PAGE-XML or ALTO files it names"
        )
    if local(root.tag) == "pcGts":  # PRImA's pre-release layout (pcMetadata, text_region, image_width)
        raise BadResponse(
            "PAGE-XML in the 2009 draft layout (pcGts, text_region) is not read; convert it to PAGE "
            "2010-03-19 or later (e.g. with PRImA's PAGE converter) and open that"
        )
    if local(root.tag).lower() in ("html", "body", "div"):
        raise BadResponse(
            "an HTML file with no hOCR in it (no ocr_page, ocr_line or ocrx_word); it may be cut short: "
            "give the whole hOCR file the OCR engine wrote"
        )
    raise BadResponse(
        f"unknown XML document: root element {local(root.tag)[:40]!r}"
        + (f" in namespace {ns[:80]!r}" if ns else "")
        + "; expected hOCR, ALTO (alto), PAGE-XML (PcGts) or MiniOCR (ocr)"
    )


def write(
    fmt: str, doc: Document, *, image_names: Sequence[str | None] = (), system: str | None = None
) -> bytes:
    """``doc`` (placed: displayed-image pixels) as ``hocr``, ``alto`` or ``page`` bytes."""
    from ocrviewer import __version__

    system = system or f"ocrviewer {__version__}"
    writers = {"hocr": hocr.write, "alto": alto.write, "page": pagexml.write}
    if fmt not in writers:
        raise BadResponse(f"unknown output format {fmt!r}; expected one of {', '.join(writers)}")
    # a file name that is not UTF-8 (bytes kept as lone surrogates) cannot go into XML as it is, nor
    # can a response's NUL, controls or lone surrogates: every writer gets them cleaned, whoever calls
    names = [None if n is None else xml_text(n) for n in image_names]
    return writers[fmt](xml_safe(doc), image_names=names, system=system)


def page_images(path: str, count: int) -> tuple[list[object], list[float | None], str | None]:
    """Up to ``count`` displayed frames of the image at ``path`` (EXIF applied), their DPI, its format."""
    from PIL import Image, ImageSequence

    from ocrviewer.core.imageio import displayed_frame, load_display_image, reading_image

    first = load_display_image(path)
    images: list[object] = [first]
    with reading_image(path), Image.open(path) as img:
        fmt = img.format
        dpis: list[float | None] = [stated_dpi(img.info)]
        if count > 1 and getattr(img, "n_frames", 1) > 1:
            for i, frame in enumerate(ImageSequence.Iterator(img)):
                if i == 0:
                    continue
                if i >= count:
                    break
                images.append(displayed_frame(frame))  # 16-bit grey scaled, as the first frame
                dpis.append(stated_dpi(frame.info))
    return images, dpis, fmt


def stated_dpi(info: dict) -> float | None:  # type: ignore[type-arg]
    """The horizontal DPI a Pillow image's ``info`` states, or None."""
    value = info.get("dpi")
    try:
        return float(value[0]) if value else None
    except (TypeError, ValueError, IndexError):
        return None


#: the placeholder in an output name that makes one file per page: ``{page}`` or e.g. ``{page:03d}``
PAGE_PATTERN = re.compile(r"\{page(?::(0?\d{1,2})d)?\}")
#: formats that can be written one file per page (PAGE-XML must be: it holds one page)
PER_PAGE_FORMATS = ("hocr", "alto", "page")


def page_file_names(pattern: str, count: int) -> list[str]:
    """``pattern`` with ``{page}`` (1-based; ``{page:03d}`` pads) filled in for each of ``count`` pages."""

    def fill(number: int) -> str:
        def sub(m: re.Match[str]) -> str:
            spec = m.group(1)
            return f"{number:{spec}d}" if spec else str(number)

        return PAGE_PATTERN.sub(sub, pattern)

    return [fill(i + 1) for i in range(count)]


def export_pages(fmt: str, doc: Document, image_path: str | None = None) -> list[bytes]:
    """``doc`` as one ``hocr``, ``alto`` or ``page`` file per page (each naming its page's image)."""
    import os

    if fmt not in PER_PAGE_FORMATS:
        raise BadResponse(
            f"{fmt} is written as one file; {{page}} in the output name is for hocr, alto or page"
        )
    stated = doc.extras.get("image")
    out = []
    for page in doc.pages:
        own = page.extras.get("image") if page.extras else None
        name = os.path.basename(image_path) if image_path else (str(own or stated or "") or None)
        one = replace(doc, pages=(replace(page, index=0),))
        out.append(write(fmt, one, image_names=[name]))
    return out


def export_bytes(fmt: str, doc: Document, image_path: str | None = None) -> bytes:
    """``doc`` (placed on the displayed image) as ``hocr``, ``alto``, ``page`` or ``pdf`` bytes.

    The PDF shows the image at ``image_path`` (each frame of a multi-frame TIFF on its page); a page
    without a picture is white. The XML formats name the image file.
    """
    import os

    stated = doc.extras.get("image")
    name = os.path.basename(image_path) if image_path else (str(stated) if stated else None)
    if fmt == "pdf":
        from ocrviewer.core.formats.searchable_pdf import write_pdf

        if image_path is None:
            return write_pdf(doc, [])
        images, dpis, source = page_images(image_path, len(doc.pages))
        return write_pdf(doc, images, dpi=dpis, source_formats=[source] * len(images))
    if image_path:
        return write(fmt, doc, image_names=[name] * len(doc.pages))
    # each page names the image its file named (an hOCR page's own ``image``; else the document's)
    names = [str((p.extras.get("image") if p.extras else None) or name or "") or None for p in doc.pages]
    return write(fmt, doc, image_names=names)
