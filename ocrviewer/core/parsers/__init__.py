"""Parsers: one pure function per response format, ``dict -> Document``, chosen by the JSON's shape.

Public API (everything else in this package is private to it):

- ``detect_format(data) -> str``: the format name for a parsed JSON value (a dict, or a list of
  dicts for JSON Lines), e.g. ``"yandex-ocr-v1"``, ``"azure-read-v3"``; raises BadResponse if unknown.
- ``parse_response(data) -> Document``: detect and parse. Coordinates stay in the response's own
  frame and unit (inch/point pages are converted to pixels later, with the image's size).
- ``load_response(path) -> Document``: read a file (JSON, JSON Lines, JSON objects printed one after
  another, or hOCR/ALTO/PAGE-XML: a file starting with ``<`` goes to
  :func:`ocrviewer.core.formats.read_markup`), errors name the file.
- ``FORMATS``: format name -> one-line description.

Accepted besides the bare responses: JSON Lines or a JSON array of responses (pages in order;
Yandex pages ordered by their ``page`` field, Textract pages merged), an Azure SDK test recording
(``{"Entries": [...]}``: its last recognized response body), and the project's own
``ocrviewer.document/1`` export (``source_format`` "ocrviewer", the service format in
``extras["exported_from"]``). Service error bodies and unfinished operations get a message that says so.

Parsers raise only :class:`ocrviewer.errors.BadResponse`; one bad element is skipped and
recorded in ``Document.warnings`` (a line or block whose own polygon is bad keeps its contents, boxed
around them, with a warning). An empty result (no text) is a page without blocks.

Confidences are 0..1 in the model. A service's confidence outside its documented range (0..1; 0..100
for Textract), NaN, or not a number is never clamped or guessed at: the element is kept without a
confidence (None) and a warning names it and the value. Only rounding within 1e-6 of an end is clamped.

Where a format has no block level (Azure Read, recognizeText, Document Intelligence without
paragraphs) a page's lines are wrapped in one Block around them. Textract has no blocks either: lines
are grouped by the ``LAYOUT_*`` block that holds them when the response has layout, else each line is
its own Block.
"""

from __future__ import annotations

import errno
import functools
import json
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ocrviewer.core.limits import MAX_RESPONSE_BYTES, read_capped
from ocrviewer.core.model import SCHEMA, Document, Page, check_coordinates
from ocrviewer.core.parsers._common import OWNED_INPUT, describe
from ocrviewer.core.parsers._common import kind as _kind
from ocrviewer.errors import BadResponse, missing_file

#: responses smaller than this are decoded by the standard library alone: the same result (orjson
#: only speeds up what json accepts), and importing orjson (~15 ms, with uuid and datetime) would
#: cost more than it saves, e.g. for the viewer's bundled sample at start
ORJSON_MIN_BYTES = 64 * 1024


@functools.cache
def _orjson() -> Any:
    """orjson, a faster decoder for valid UTF-8 JSON, when installed and recent enough; else None."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency, but the parsers work without it
        return None
    return orjson if _orjson_usable(getattr(orjson, "__version__", "")) else None


def _orjson_usable(version: str) -> bool:
    """orjson before 3.10 can crash (stack overflow) on deeply nested input: not used then."""
    try:
        major, minor = (int(p) for p in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (3, 10)


__all__ = ["FORMATS", "detect_format", "load_response", "parse_response"]

OCRVIEWER = "ocrviewer"


# The service formats' parser modules (azure, google, textract, yandex) are imported where a
# response is not an ocrviewer.document/1 export: the viewer's bundled sample is one, and the four
# modules cost ~3 ms before its first frame.


@functools.cache
def _service_table() -> dict[str, tuple[Callable[[Any], Document], str]]:
    """Format name -> (parser, one-line description): the one list of the JSON formats read here."""
    from ocrviewer.core.parsers import (
        azure,
        doctr,
        documentai,
        easyocr,
        google,
        paddleocr,
        pytesseract,
        textract,
        yandex,
    )

    return {
        yandex.OCR_V1: (
            yandex.parse_ocr_v1,
            "Yandex Vision OCR API v1 (recognizeText / getRecognition, JSON or JSON Lines)",
        ),
        yandex.VISION_V1: (
            yandex.parse_vision_v1,
            "Yandex Vision API v1 batchAnalyze textDetection (older API)",
        ),
        azure.RECOGNIZE_TEXT_V2: (
            azure.parse_recognize_text_v2,
            "Azure Computer Vision v2.0 recognizeText (recognitionResult)",
        ),
        azure.BATCH_READ_V2: (
            azure.parse_batch_read_v2,
            "Azure Computer Vision v2.x batch Read (recognitionResults[])",
        ),
        azure.READ_V3: (azure.parse_read_v3, "Azure Computer Vision Read v3.x (analyzeResult.readResults[])"),
        azure.FORM_RECOGNIZER_V2: (
            azure.parse_read_v3,
            "Azure Form Recognizer v2.1 (readResults + pageResults tables)",
        ),
        azure.IMAGE_ANALYSIS_4: (
            azure.parse_image_analysis_4,
            "Azure Image Analysis 4.0 (readResult.blocks[])",
        ),
        azure.DOCUMENT_INTELLIGENCE: (
            azure.parse_document_intelligence,
            "Azure Document Intelligence / Form Recognizer v3 (analyzeResult.pages[])",
        ),
        google.VISION: (google.parse_vision, "Google Cloud Vision fullTextAnnotation (images:annotate)"),
        documentai.DOCUMENT_AI: (
            documentai.parse_document_ai,
            "Google Cloud Document AI Document (pages, blocks, lines, tokens; camelCase or snake_case)",
        ),
        textract.TEXTRACT: (
            textract.parse_textract,
            "AWS Textract Blocks (DetectDocumentText / AnalyzeDocument)",
        ),
        doctr.DOCTR: (
            doctr.parse_doctr,
            "docTR JSON export (result.export(): pages, blocks, lines, words; relative geometry)",
        ),
        easyocr.EASYOCR: (
            easyocr.parse_easyocr,
            "EasyOCR readtext result saved as JSON ([box, text, confidence] per detection)",
        ),
        paddleocr.PADDLEOCR: (
            paddleocr.parse_paddleocr,
            "PaddleOCR result saved as JSON (3.x rec_texts/rec_polys, or 2.x [box, [text, score]])",
        ),
        pytesseract.PYTESSERACT: (
            pytesseract.parse_pytesseract,
            "pytesseract image_to_data(output_type=DICT) saved as JSON (one list per TSV column)",
        ),
        OCRVIEWER: (_from_schema, f"ocrviewer normalized document ({SCHEMA})"),
    }


def _service_formats() -> dict[str, str]:
    """Format name -> one-line description (shown by ``ocrviewer info``); ``FORMATS`` adds the
    markup, PDF and TSV formats (made on first use: their readers load lxml)."""
    return {name: description for name, (_, description) in _service_table().items()}


def __getattr__(name: str) -> dict[str, str]:
    if name == "FORMATS":
        from ocrviewer.core import formats

        globals()["FORMATS"] = value = {**_service_formats(), **formats.FORMATS}
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_EXPECTED = "expected a Yandex, Azure, Google, Textract, docTR, EasyOCR or PaddleOCR response"


def _from_schema(data: Any) -> Document:
    """An exported document: already placed (displayed frame, pixels). ``source_format`` says so;
    the service format it was made from is kept in ``extras["exported_from"]``."""
    doc = Document.from_dict(data)
    if doc.source_format == OCRVIEWER:
        return doc
    return replace(doc, source_format=OCRVIEWER, extras={**doc.extras, "exported_from": doc.source_format})


@functools.cache
def _parsers() -> dict[str, Callable[[Any], Document]]:
    return {name: parse for name, (parse, _) in _service_table().items()}


def _service_error(d: dict[str, Any]) -> str | None:
    """A message if ``d`` is an error or unfinished-operation body rather than a result."""
    err = d.get("error")
    if type(err) is dict and ("message" in err or "code" in err):
        return f"the response is a service error ({err.get('code')}: {err.get('message')}); fix the request and run it again"
    if "code" in d and "message" in d and len(d) <= 5:
        return f"the response is a service error ({d.get('code')}: {d.get('message')}); fix the request and run it again"
    status = d.get("status")
    if type(status) is str and status.lower() in ("notstarted", "running", "failed", "canceled", "cancelled"):
        if status.lower() in ("notstarted", "running"):
            return f"the Azure operation is still {status!r}: no result yet; fetch the result again when it has succeeded"
        return f"the Azure operation ended with status {status!r}: there is no result to show"
    if d.get("done") is False and "id" in d:
        return "the Yandex operation is not done yet: no result; fetch it again with getRecognition when it is done"
    return None


def _pdfplumber(d: dict[str, Any]) -> str | None:
    """The advice for pdfplumber's JSON of a PDF (its pages' characters: no OCR result); else None."""
    pages = d.get("pages")
    if (
        type(pages) is list
        and pages
        and type(pages[0]) is dict
        and "chars" in pages[0]
        and "mediabox" in pages[0]
    ):
        return (
            "pdfplumber's JSON of a PDF (the characters of its text layer, no OCR result); open the PDF "
            "itself as the response, whose text layer is read"
        )
    return None


def _key_name(key: str) -> str:
    """A key as it can be shown inside a one-line message."""
    if key and key.isprintable() and len(key) <= 40 and "," not in key and key.strip() == key:
        return key
    return repr(key[:40])


def _one_line(message: str) -> str:
    """The message with line breaks (from a service's text, a file name) turned into spaces."""
    if "\n" in message or "\r" in message:
        return " ".join(message.split())
    return message


def _detect_dict(d: dict[str, Any]) -> str:
    if d.get("schema") == SCHEMA:
        return OCRVIEWER
    from ocrviewer.core.parsers import (
        azure,
        doctr,
        documentai,
        easyocr,
        google,
        paddleocr,
        pytesseract,
        textract,
        yandex,
    )

    if type(d.get("recognitionResult")) is dict:
        return azure.RECOGNIZE_TEXT_V2
    if type(d.get("recognitionResults")) is list:
        return azure.BATCH_READ_V2
    ar = azure.analyze_result_of(d)  # the answer's, or one saved on its own
    if ar is not None:
        if "readResults" in ar or "read_results" in ar:
            return azure.FORM_RECOGNIZER_V2 if azure.is_form_recognizer_v2(ar) else azure.READ_V3
        if "pages" in ar:
            return azure.DOCUMENT_INTELLIGENCE
    if type(d.get("readResult")) is dict or azure.is_bare_read_result(d):
        return azure.IMAGE_ANALYSIS_4
    if yandex.annotation_of(d) is not None:
        return yandex.OCR_V1
    if yandex.vision_pages(d) is not None:
        return yandex.VISION_V1
    if documentai.document_of(d) is not None:  # before Vision: both have pages and text
        return documentai.DOCUMENT_AI
    if google.is_vision(d):
        return google.VISION
    if type(d.get("Blocks")) is list or textract.embedded_blocks(d) is not None:
        return textract.TEXTRACT
    if doctr.is_doctr(d):
        return doctr.DOCTR
    if paddleocr.result_of(d) is not None or paddleocr.serving_results(d) is not None:
        return paddleocr.PADDLEOCR
    if pytesseract.is_pytesseract(d):
        return pytesseract.PYTESSERACT
    if easyocr.is_easyocr_dict(d):
        return easyocr.EASYOCR
    message = google.error_message(d) or _service_error(d) or textract.fields_only(d) or _pdfplumber(d)
    if message is not None:
        raise BadResponse(_one_line(message))
    if type(d.get("schema")) is str and str(d["schema"]).startswith("ocrviewer."):
        raise BadResponse(f"unsupported document schema {d['schema']!r}; this version reads {SCHEMA}")
    if not d:
        raise BadResponse(f"unknown response shape: an empty JSON object; {_EXPECTED}")
    names = sorted(str(k) for k in d)
    keys = ", ".join(_key_name(k) for k in names[:12]) + (
        f" (+{len(names) - 12} more)" if len(names) > 12 else ""
    )
    raise BadResponse(f"unknown response shape: top-level keys {keys}; {_EXPECTED}")


def _unwrap_recording(data: Any) -> Any:
    """The last recognized response body of an Azure SDK test recording (``{"Entries": [...]}``, the
    body an object or a JSON string); anything else unchanged."""
    if type(data) is not dict or type(data.get("Entries")) is not list or len(data) > 3:
        return data
    for entry in reversed(data["Entries"]):
        body = entry.get("ResponseBody") if type(entry) is dict else None
        if type(body) is str and body.strip():
            try:
                body = json.loads(body)
            except (ValueError, RecursionError):
                continue
        if type(body) is dict and "Entries" not in body:
            try:
                _detect_dict(body)
            except BadResponse:
                continue
            return body
    raise BadResponse("a test recording without a recognized OCR response in its entries")


def detect_format(data: Any) -> str:
    """The format name of a parsed JSON value, judged from its shape only."""
    if type(data) is dict:
        return _detect_dict(_unwrap_recording(data))
    if type(data) is list:
        if not data:
            raise BadResponse(f"unknown response shape: an empty array; {_EXPECTED}")
        from ocrviewer.core.parsers import easyocr, paddleocr

        if easyocr.is_easyocr(data):
            return easyocr.EASYOCR
        if paddleocr.is_v2(data):
            return paddleocr.PADDLEOCR
        formats = set()
        for i, item in enumerate(data):
            if type(item) is not dict:
                raise BadResponse(
                    f"unknown response shape: item {i + 1} of the array is {_kind(item)}; {_EXPECTED}"
                )
            try:
                formats.add(_detect_dict(item))
            except BadResponse as err:
                raise BadResponse(f"item {i + 1}: {err}") from None
        if len(formats) > 1:
            raise BadResponse(
                f"the items mix formats ({', '.join(sorted(formats))}); give one response per file"
            )
        fmt = formats.pop()
        if fmt == OCRVIEWER:
            raise BadResponse(f"an array of {SCHEMA} documents; give one document per file")
        return fmt
    raise BadResponse(f"unknown response shape: {_kind(data)}; {_EXPECTED}")


def _parse(fmt: str, data: Any) -> Document:
    try:
        parse = _from_schema if fmt == OCRVIEWER else _parsers()[fmt]
        return parse(data)
    except BadResponse:
        raise
    except RecursionError as err:
        raise BadResponse(f"malformed {fmt} response: nested too deeply") from err
    except Exception as err:  # the safety net: a parser must never leak another error type
        raise BadResponse(f"malformed {fmt} response: {describe(err)}") from err


def parse_response(data: Any, owned: bool = False) -> Document:
    """Detect the format of a parsed JSON value and parse it; coordinates stay in the response's frame.

    ``owned=True`` says nobody else holds ``data`` (it was decoded for this call): parts of it may
    then be emptied once read, which spares the cyclic GC most of its work on a big response.
    """
    token = OWNED_INPUT.set(owned)
    try:
        return _parse_any(data)
    except BadResponse as err:
        message = _one_line(str(err))
        if message != str(err):
            raise BadResponse(message) from err
        raise
    finally:
        OWNED_INPUT.reset(token)


def _parse_any(data: Any) -> Document:
    doc = _parse_any_unchecked(data)
    check_coordinates(doc)
    return doc


def _parse_any_unchecked(data: Any) -> Document:
    data = _unwrap_recording(data)
    fmt = detect_format(data)
    if type(data) is dict:
        return _parse(fmt, data)
    from ocrviewer.core.parsers import easyocr, paddleocr, textract, yandex

    if fmt in (yandex.OCR_V1, easyocr.EASYOCR, paddleocr.PADDLEOCR):
        return _parse(fmt, data)
    if fmt == textract.TEXTRACT:
        # paginated Get* results: a page's CHILD ids may point into the next response
        return _parse(fmt, {"Blocks": [b for item in data for b in item["Blocks"]]})
    # JSON Lines of another format: one response per line, pages in order
    pages: list[Page] = []
    warnings: list[str] = []
    for item in data:
        doc = _parse(fmt, item)
        for p in doc.pages:
            pages.append(Page(p.width, p.height, p.blocks, p.tables, p.unit, p.angle, len(pages), p.extras))
        warnings.extend(doc.warnings)
    return Document(tuple(pages), fmt, {}, tuple(warnings))


def _decode(raw: bytes) -> Any:
    """``json.loads``, through orjson when it can: about 3x faster on number-heavy responses.

    Anything orjson refuses (a byte-order mark, UTF-16, NaN, deep nesting, invalid JSON) goes to the
    standard library, which accepts what it accepts and words the errors.
    """
    orjson = _orjson() if len(raw) >= ORJSON_MIN_BYTES else None
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


def json_values(raw: bytes) -> list[Any] | None:
    """The JSON values of ``raw`` one after another: JSON Lines (one page a line, as Yandex's
    getRecognition sends them), each value printed over many lines (as Yandex's docs print a
    multi-page result) or a single value; None when any of it is not JSON."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos, end = 0, len(text)
    try:
        while True:
            while pos < end and text[pos] in " \t\r\n":
                pos += 1
            if pos == end:
                return values
            value, pos = decoder.raw_decode(text, pos)
            values.append(value)
    except (ValueError, RecursionError):
        return None


def _concatenated(raw: bytes) -> list[Any] | None:
    """Several JSON values one after another (see :func:`json_values`); None unless the whole
    file is two or more of them."""
    values = json_values(raw)
    return values if values is not None and len(values) > 1 else None


def _first_clause(err: Exception) -> str:
    """An exception's message up to its first ';' (Python's advice on raising its own limits is not ours)."""
    return str(err).split(";")[0].strip() or type(err).__name__


def _read_json(raw: bytes, name: str) -> Any:
    if not raw or raw.isspace():
        raise BadResponse(f"{name}: the file is empty; give the response file the service returned")
    try:
        return _decode(raw)
    except UnicodeDecodeError as err:
        raise BadResponse(
            f"{name}: not JSON (not UTF-8 text: {err.reason}); give the response file the service returned"
        ) from err
    except RecursionError as err:
        raise BadResponse(
            f"{name}: not usable JSON (nested too deeply); give the response file the service returned"
        ) from err
    except json.JSONDecodeError as err:
        first = err
    except ValueError as err:  # Python's cap on integer digits (a 5,000-digit number)
        raise BadResponse(
            f"{name}: not usable JSON ({_first_clause(err)}); give the response file the service returned"
        ) from err
    # JSON Lines: one value per line (Yandex getRecognition)
    items: list[Any] = []
    lines = raw.splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(_decode(line))
        except json.JSONDecodeError as err:
            if items and _cut_off(err) and not any(rest.strip() for rest in lines[n:]):
                raise BadResponse(
                    f"{name}: JSON Lines whose last line stops before its end (line {n} column "
                    f"{err.colno}: {err.msg}); the file is cut off: save or download the whole response again"
                ) from err
            if items:  # earlier lines were JSON values: this is JSON Lines with a bad line
                raise BadResponse(
                    f"{name}: not JSON Lines (line {n} column {err.colno}: {err.msg}); "
                    "give the response file the service returned, one JSON value per line"
                ) from err
            break
        except (UnicodeDecodeError, RecursionError, ValueError):
            break
    else:
        if len(items) > 1:
            return items
    values = _concatenated(raw)
    if values is not None:
        return values
    if _cut_off(first):
        raise BadResponse(
            f"{name}: JSON that stops before its end (line {first.lineno} column {first.colno}: {first.msg}); "
            "the file is cut off: save or download the whole response again"
        ) from first
    raise BadResponse(
        f"{name}: not JSON (line {first.lineno} column {first.colno}: {first.msg}); "
        "give the response file the service returned (JSON or JSON Lines)"
    ) from first


def _cut_off(err: json.JSONDecodeError) -> bool:
    """True when the JSON error is the data ending too soon (a cut-off download), not a mistake inside."""
    if err.msg.startswith("Unterminated string"):
        return True
    doc = err.doc
    return bool(doc.strip()) and err.pos >= len(doc.rstrip())


def _parse_file(raw: bytes, name: str) -> Document:
    if raw[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):  # JSON: no PDF, TSV or markup
        return _parse_json_file(raw, name)
    from ocrviewer.core import formats as _markup  # the readers of the other formats (lxml)

    inflated = _markup.gunzip(raw, MAX_RESPONSE_BYTES)  # page.xml.gz, result.json.gz
    if inflated is not None:
        return _parse_file(inflated, name)
    wrong = _markup.not_a_response(raw)
    if wrong is not None:
        raise BadResponse(wrong)
    if _markup.is_pdf(raw):  # a searchable PDF's text layer
        try:
            return _markup.read_pdf_text(raw)
        except BadResponse:
            raise
        except Exception as err:  # the safety net, as for markup
            raise BadResponse(f"unreadable PDF: {describe(err)}") from err
    if _markup.is_tsv(raw):
        return _markup.read_tsv(raw)
    if _markup.looks_like_markup(raw):
        try:
            doc = _markup.read_markup(raw)
        except BadResponse:
            raise
        except RecursionError as err:
            raise BadResponse("malformed XML: nested too deeply") from err
        except Exception as err:  # the safety net: a reader must never leak another error type
            raise BadResponse(f"malformed XML document: {describe(err)}") from err
        check_coordinates(doc)
        return doc
    table = _markup.not_tesseract_table(raw, name)  # another program's .tsv/.csv: not 'not JSON'
    if table is not None:
        raise BadResponse(table)
    if raw.strip() and name.lower().endswith(_MARKUP_SUFFIXES):
        raise BadResponse(
            "not XML (it does not start with '<'); give the hOCR, ALTO or PAGE-XML file the OCR engine wrote"
        )
    return _parse_json_file(raw, name)


_MARKUP_SUFFIXES = (".xml", ".hocr", ".html", ".htm", ".xhtml", ".miniocr")


def _parse_json_file(raw: bytes, name: str) -> Document:
    data = _read_json(raw, name)
    owned = OWNED_INPUT.set(True)  # decoded here, held by nobody else: parsers may free what they read
    try:
        return _parse_any(data)
    finally:
        OWNED_INPUT.reset(owned)


def load_response(path: str | os.PathLike[str]) -> Document:
    """Read a response file (JSON, JSON Lines, an ocrviewer.document/1 export, hOCR, ALTO, PAGE-XML, or
    a searchable PDF's text layer)."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = read_capped(fh, name, what=" for a response", error=BadResponse)
    except IsADirectoryError as err:
        raise BadResponse(f"{name}: is a directory; give a response file") from err
    except FileNotFoundError as err:
        raise BadResponse(missing_file(name, "response file")) from err
    except OSError as err:
        if err.errno == errno.ELOOP:  # a symbolic link that loops
            raise BadResponse(missing_file(name, "response file")) from err
        raise BadResponse(
            f"{name}: cannot read ({err.strerror or err}); check the path and permissions"
        ) from err
    try:
        return _parse_file(raw, name)
    except BadResponse as err:
        if str(err).startswith(f"{name}: "):
            raise
        hint = "" if ";" in str(err) else "; give the result as the OCR service or engine wrote it"
        raise BadResponse(_one_line(f"{name}: {err}{hint}")) from err
