"""Loopback fake services that speak Yandex Vision OCR v1 and Azure Computer Vision as documented.

They really look at what they receive: the uploaded image is decoded with Pillow and the dark
rectangles in its pixels become the words of the answer, in the frame of the pixels the service
saw. ``exif="ignore"`` answers for the stored pixels as a naive engine would; ``exif="apply"``
applies the Orientation tag first (as Yandex documents). Since ocrviewer strips EXIF and sends
displayed pixels, both must land on the displayed text.

Each :class:`FakeCloud` records every request (method, path, query, headers, body) and can be
scripted to answer some requests with canned replies (429 with Retry-After, 401, slow answers...).
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image, ImageOps

Box = tuple[int, int, int, int]

YANDEX_KEY = "yc-test-api-key-7f3a9c"
YANDEX_IAM = "t1.test-iam-token-55bd21"
YANDEX_FOLDER = "b1gtestfolder"
AZURE_KEY = "az-test-subscription-key-0c41e8"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    #: the path as it came, a gateway's prefix included (``path`` is without it)
    full_path: str = ""
    #: the client's port: requests on one kept-alive connection share it
    connection: int = 0

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """A canned answer: status, body (bytes, or JSON-able), headers, and a delay before answering.

    Misbehaviours (issue 11): ``trickle`` sends the body one byte per that many seconds;
    ``cut`` announces a longer body, sends part of it and closes the connection;
    ``endless`` sends a chunked body that never ends (until the client hangs up);
    ``head_trickle`` sends even the status line one byte per that many seconds;
    ``stall`` sends the headers and half the body, then nothing more (until the client hangs up);
    ``reset`` sends the headers and half the body, then resets the connection (RST);
    ``chunked_cut`` sends half the body as one chunk of a chunked answer, then closes without
    the last chunk;
    ``hangup`` reads the request and closes the connection without a word (as a server does when
    its keep-alive timer ends just as a request comes in on a connection it had kept open);
    ``lengths`` are sent as the Content-Length header(s) instead of the body's true length (one
    header each), and the connection is kept open after the body.
    """

    status: int
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    cut: bool = False
    endless: bool = False
    head_trickle: float = 0.0
    stall: bool = False
    reset: bool = False
    chunked_cut: bool = False
    hangup: bool = False
    lengths: tuple[str, ...] = ()

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


# --------------------------------------------------------------------------- what the engine sees


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True values."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def find_word_boxes(img: Image.Image) -> list[list[Box]]:
    """Dark rectangles of ``img`` as lines (top to bottom) of word boxes (left to right)."""
    dark = np.asarray(img.convert("L")) < 128
    lines: list[list[Box]] = []
    for y0, y1 in _runs(dark.any(axis=1)):
        band = dark[y0:y1]
        words: list[Box] = []
        for x0, x1 in _runs(band.any(axis=0)):
            rows = _runs(band[:, x0:x1].any(axis=1))
            words.append((x0, y0 + rows[0][0], x1, y0 + rows[-1][1]))
        lines.append(words)
    return lines


#: the dpi the fake services render a PDF's pages at (Yandex answers in these pixels; Azure in inches)
PDF_RENDER_DPI = 200


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF")


def pdf_pages(data: bytes, dpi: float = PDF_RENDER_DPI) -> list[Image.Image]:
    """Each page of an uploaded PDF as the service would see it (rendered by PDFium at ``dpi``)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    finally:
        pdf.close()


def is_multipage_tiff(data: bytes) -> bool:
    if not data.startswith((b"II*\x00", b"MM\x00*")):
        return False
    with Image.open(io.BytesIO(data)) as img:
        return getattr(img, "n_frames", 1) > 1


def tiff_pages(data: bytes) -> list[Image.Image]:
    """Each page of an uploaded TIFF as stored (Azure's handling of a page's Orientation tag is not
    documented; the viewer sends turned pages one by one)."""
    pages = []
    with Image.open(io.BytesIO(data)) as img:
        for i in range(img.n_frames):
            img.seek(i)
            pages.append(img.convert("RGB"))
    return pages


def seen_image(data: bytes, exif: str) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return ImageOps.exif_transpose(img) if exif == "apply" else img


def _union(boxes: Iterable[Box]) -> Box:
    bs = list(boxes)
    return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))


# --------------------------------------------------------------------------- response shapes


def _yandex_vertices(b: Box) -> dict[str, Any]:
    x0, y0, x1, y1 = b  # TL, BL, BR, TR; int64 as strings, as the service sends them
    pts = [(x0, y0), (x0, y1), (x1, y1), (x1, y0)]
    return {"vertices": [{"x": str(x), "y": str(y)} for x, y in pts]}


def yandex_annotation(lines: list[list[tuple[str, Box]]], width: int, height: int) -> dict[str, Any]:
    out_lines = []
    for words in lines:
        out_lines.append(
            {
                "boundingBox": _yandex_vertices(_union(b for _, b in words)),
                "text": " ".join(t for t, _ in words),
                "words": [
                    {"boundingBox": _yandex_vertices(b), "text": t, "entityIndex": "-1", "textSegments": []}
                    for t, b in words
                ],
                "textSegments": [],
                "orientation": "ANGLE_0",
            }
        )
    blocks = []
    if out_lines:
        blocks.append(
            {
                "boundingBox": _yandex_vertices(_union(b for ws in lines for _, b in ws)),
                "lines": out_lines,
                "languages": [{"languageCode": "en"}],
                "textSegments": [],
                "layoutType": "LAYOUT_TYPE_TEXT",
            }
        )
    return {
        "width": str(width),
        "height": str(height),
        "blocks": blocks,
        "entities": [],
        "tables": [],
        "fullText": "\n".join(line["text"] for line in out_lines),
        "rotate": "ANGLE_0",
    }


def _flat(b: Box) -> list[int]:
    x0, y0, x1, y1 = b  # clockwise from the top-left
    return [x0, y0, x1, y0, x1, y1, x0, y1]


def _read_page(number: int, width: float, height: float, unit: str, lines: list[Any]) -> dict[str, Any]:
    """One of Azure Read v3.2's ``readResults``: a page, its size in ``unit``."""
    return {"page": number, "angle": 0, "width": width, "height": height, "unit": unit, "lines": lines}


def azure_lines(lines: list[list[tuple[str, Box]]], confidence: Any) -> list[dict[str, Any]]:
    out = []
    for words in lines:
        ws = []
        for t, b in words:
            w: dict[str, Any] = {"boundingBox": _flat(b), "text": t}
            if confidence is not None:
                w["confidence"] = confidence
            ws.append(w)
        out.append(
            {
                "boundingBox": _flat(_union(b for _, b in words)),
                "text": " ".join(t for t, _ in words),
                "words": ws,
            }
        )
    return out


def image_analysis_result(lines: list[list[tuple[str, Box]]], width: int, height: int) -> dict[str, Any]:
    def poly(b: Box) -> list[dict[str, int]]:
        x0, y0, x1, y1 = b
        return [{"x": x0, "y": y0}, {"x": x1, "y": y0}, {"x": x1, "y": y1}, {"x": x0, "y": y1}]

    out_lines = [
        {
            "text": " ".join(t for t, _ in words),
            "boundingPolygon": poly(_union(b for _, b in words)),
            "words": [{"text": t, "boundingPolygon": poly(b), "confidence": 0.98} for t, b in words],
        }
        for words in lines
    ]
    return {
        "modelVersion": "2023-10-01",
        "metadata": {"width": width, "height": height},
        "readResult": {"blocks": [{"lines": out_lines}] if out_lines else []},
    }


# --------------------------------------------------------------------------- the server


@dataclass
class Operation:
    kind: str  # "yandex", "azure-2.0", "azure-2.1", "azure-3.2"
    polls_left: int
    result: bytes
    width: int = 0
    height: int = 0


class FakeCloud:
    """A loopback server answering Yandex OCR, Yandex operations and Azure CV paths."""

    def __init__(
        self,
        exif: str = "ignore",
        running_polls: int = 2,
        texts: Iterable[str] = (),
        host: str = "127.0.0.1",
        prefix: str = "",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.exif = exif
        #: serve https with this context (see tests.support.tls)
        self.tls = tls
        #: the address it listens on ("::1" for the IPv6 loopback)
        self.host = host
        #: a gateway's path before the APIs' ("/gw"): requests outside it get a 404
        self.prefix = prefix
        #: the host name the URLs it sends back give (an Operation-Location) instead of its address:
        #: a name a test's resolver maps to this listener
        self.name: str | None = None
        self.running_polls = running_polls
        #: of the running polls, how many Azure 3.2 answers "notStarted" first (queued)
        self.queued_polls = 0
        self.texts = list(texts)
        self.requests: list[Recorded] = []
        self.uploads: list[bytes] = []
        self.operations: dict[str, Operation] = {}
        self._scripts: list[tuple[str, str, list[Reply]]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.on_request: Callable[[Recorded], None] | None = None
        #: pages of a PDF that Azure Read answers for (its free tier reads the first 2); None: all
        self.azure_pdf_pages: int | None = None
        self.closed = threading.Event()  # ends trickling and endless answers
        self.url = self.listen()

    # -- lifecycle

    def listen(self) -> str:
        """Start one more listener on a new port sharing this state (e.g. a separate operation host)."""
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                rec = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    connection=int(self.client_address[1]),
                )
                reply = cloud.handle(rec, cloud.base_url(self.server.server_address[1]))
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.payload()
                try:
                    if reply.hangup:
                        self.close_connection = True
                        return
                    if reply.head_trickle:
                        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}":
                            if cloud.closed.wait(reply.head_trickle):
                                return
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                        return
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/json", **reply.headers}
                    for k, v in headers.items():
                        self.send_header(k, v)
                    if reply.chunked_cut:
                        half = payload[: max(1, len(payload) // 2)]
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    if reply.endless:
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        chunk = b"x" * 65536
                        while not cloud.closed.is_set():
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        return
                    for length in reply.lengths or (str(len(payload) + (100 if reply.cut else 0)),):
                        self.send_header("Content-Length", length)
                    self.end_headers()
                    if reply.trickle:
                        for i in range(len(payload)):
                            if cloud.closed.wait(reply.trickle):
                                return
                            self.wfile.write(payload[i : i + 1])
                            self.wfile.flush()
                        return
                    if reply.stall or reply.reset:
                        self.wfile.write(payload[: len(payload) // 2])
                        self.wfile.flush()
                        if reply.reset:  # SO_LINGER 0: close() sends RST, not FIN
                            self.connection.setsockopt(
                                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                            )
                            self.connection.close()
                        else:
                            cloud.closed.wait()
                        self.close_connection = True
                        return
                    self.wfile.write(payload)
                    if reply.cut:
                        self.wfile.flush()
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            do_GET = _handle
            do_POST = _handle

        class _Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in self.host else socket.AF_INET

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client refusing the certificate, or hanging up: the test says what it expects

        server = _Server((self.host, 0), Handler)
        if self.tls is not None:  # the handshake happens in the handler's thread, at its first read
            server.socket = self.tls.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._servers.append(server)
        return self.base_url(server.server_address[1])

    def base_url(self, port: int) -> str:
        """The URL of the listener on ``port``, with the gateway prefix if any."""
        host = self.name or (f"[{self.host}]" if ":" in self.host else self.host)
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{host}:{port}{self.prefix}"

    def close(self) -> None:
        self.closed.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # -- scripting

    def script(self, method: str, path_prefix: str, *replies: Reply) -> None:
        """Answer the next requests matching ``method`` and ``path_prefix`` with ``replies``, in order."""
        with self._lock:
            self._scripts.append((method, path_prefix, list(replies)))

    def _scripted(self, rec: Recorded) -> Reply | None:
        with self._lock:
            for method, prefix, replies in self._scripts:
                if rec.method == method and rec.path.startswith(prefix) and replies:
                    return replies.pop(0)
        return None

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]

    # -- the APIs

    def handle(self, rec: Recorded, base: str) -> Reply:
        with self._lock:
            self.requests.append(rec)
        if self.on_request:
            self.on_request(rec)
        if self.prefix:
            if not rec.path.startswith(self.prefix + "/"):
                return Reply(404, {"code": 5, "message": f"no such path {rec.path}"})
            rec.full_path, rec.path = rec.path, rec.path[len(self.prefix) :]
        scripted = self._scripted(rec)
        if scripted is not None:
            return scripted
        p = rec.path
        try:
            if p.startswith("/ocr/v1/") or p.startswith("/operations/"):
                return self._yandex(rec)
            if p.startswith("/vision/") or p.startswith("/computervision/"):
                return self._azure(rec, base)
        except Exception as err:  # a bug in the fake must show in the test, not hang it
            return Reply(500, {"code": 13, "message": f"fake server error: {err!r}"})
        return Reply(404, {"code": 5, "message": f"no such path {p}"})

    def _words(self, data: bytes) -> tuple[list[list[tuple[str, Box]]], int, int]:
        return self._words_of(seen_image(data, self.exif))

    def _words_of(self, img: Image.Image) -> tuple[list[list[tuple[str, Box]]], int, int]:
        names = iter(self.texts)
        lines = [[(next(names, f"w{n}"), b) for n, b in enumerate(line)] for line in find_word_boxes(img)]
        return lines, img.width, img.height

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    # Yandex Vision OCR v1

    def _yandex_auth(self, rec: Recorded) -> Reply | None:
        auth = rec.headers.get("authorization", "")
        if auth == f"Api-Key {YANDEX_KEY}":
            return None
        if auth == f"Bearer {YANDEX_IAM}":
            if rec.headers.get("x-folder-id") == YANDEX_FOLDER:
                return None
            return Reply(403, {"code": 7, "message": "Permission denied", "details": []})
        return Reply(401, {"code": 16, "message": "Unauthenticated", "details": []})

    def _yandex(self, rec: Recorded) -> Reply:
        denied = self._yandex_auth(rec)
        if denied:
            return denied
        rid = {"x-request-id": f"req-{next(self._ids)}"}
        if rec.method == "POST" and rec.path in ("/ocr/v1/recognizeText", "/ocr/v1/recognizeTextAsync"):
            if rec.headers.get("content-type", "").split(";")[0] != "application/json":
                return Reply(400, {"code": 3, "message": "expected application/json"})
            req = rec.json()
            if req.get("mimeType") not in (
                "JPEG",
                "PNG",
                "PDF",
                "image/jpeg",
                "image/png",
                "application/pdf",
            ):
                return Reply(400, {"code": 3, "message": f"bad mimeType {req.get('mimeType')!r}"})
            data = base64.b64decode(req["content"], validate=True)
            self.uploads.append(data)
            if is_pdf(data):
                pages = [self._words_of(img) for img in pdf_pages(data)]
                if not rec.path.endswith("Async") and len(pages) > 1:
                    return Reply(
                        400, {"code": 3, "message": "The number of pages in a PDF file should not exceed 1"}
                    )
                if rec.path.endswith("Async"):
                    op_id = self._new_id("fop")
                    body = "".join(
                        json.dumps({"result": {"textAnnotation": yandex_annotation(*pg), "page": str(i)}})
                        + "\n"
                        for i, pg in enumerate(pages)
                    )
                    self.operations[op_id] = Operation("yandex", self.running_polls, body.encode())
                    return Reply(
                        200, {"id": op_id, "description": "OCR async recognition", "done": False}, rid
                    )
            lines, w, h = self._words(data) if not is_pdf(data) else pages[0]
            annotation = yandex_annotation(lines, w, h)
            if rec.path.endswith("Async"):
                op_id = self._new_id("fop")
                line = json.dumps({"result": {"textAnnotation": annotation, "page": "0"}})
                self.operations[op_id] = Operation("yandex", self.running_polls, (line + "\n").encode(), w, h)
                return Reply(200, {"id": op_id, "description": "OCR async recognition", "done": False}, rid)
            return Reply(200, {"result": {"textAnnotation": annotation, "page": "0"}}, rid)
        if rec.method == "GET" and rec.path.startswith("/operations/"):
            op = self.operations.get(rec.path.rsplit("/", 1)[1])
            if op is None:
                return Reply(404, {"code": 5, "message": "Operation not found"})
            if op.polls_left > 0:
                op.polls_left -= 1
                return Reply(200, {"id": rec.path.rsplit("/", 1)[1], "done": False}, rid)
            return Reply(200, {"id": rec.path.rsplit("/", 1)[1], "done": True, "response": {}}, rid)
        if rec.method == "GET" and rec.path == "/ocr/v1/getRecognition":
            op_id = (rec.query.get("operationId") or [""])[0]
            op = self.operations.get(op_id)
            if op is None:
                return Reply(404, {"code": 5, "message": "Operation not found"})
            if op.polls_left > 0:
                return Reply(404, {"code": 5, "message": "operation data is not ready", "details": []})
            return Reply(200, op.result, {**rid, "Content-Type": "application/json"})
        return Reply(404, {"code": 5, "message": f"no such method {rec.method} {rec.path}"})

    # Azure Computer Vision

    def _azure(self, rec: Recorded, base: str) -> Reply:
        if rec.headers.get("ocp-apim-subscription-key") != AZURE_KEY:
            if rec.path.startswith("/computervision/"):
                return Reply(
                    401,
                    {
                        "error": {
                            "code": "401",
                            "message": "Access denied due to invalid subscription key or wrong API endpoint.",
                        }
                    },
                )
            return Reply(
                401,
                {
                    "code": "401",
                    "message": "Access denied due to invalid subscription key or wrong API endpoint.",
                },
            )
        rid = {"apim-request-id": f"az-{next(self._ids)}"}
        p = rec.path
        if rec.method == "POST":
            if rec.headers.get("content-type") != "application/octet-stream":
                return Reply(
                    400, {"code": "InvalidImageFormat", "message": "expected application/octet-stream"}
                )
            self.uploads.append(rec.body)
            if is_pdf(rec.body) and p == "/vision/v3.2/read/analyze":
                return self._azure_read_pdf(rec.body, base, rid)
            if p == "/vision/v3.2/read/analyze" and is_multipage_tiff(rec.body):
                return self._azure_read_tiff(rec.body, base, rid)
            lines, w, h = self._words(rec.body)
            if p == "/computervision/imageanalysis:analyze":
                if rec.query.get("features") != ["read"] or not rec.query.get("api-version"):
                    return Reply(
                        400,
                        {
                            "error": {
                                "code": "InvalidRequest",
                                "message": "features=read and api-version needed",
                            }
                        },
                    )
                return Reply(200, image_analysis_result(lines, w, h), rid)
            if p == "/vision/v2.0/recognizeText":
                mode = (rec.query.get("mode") or [""])[0]
                if mode not in ("Printed", "Handwritten"):
                    return Reply(
                        400, {"code": "BadArgument", "message": "mode must be Printed or Handwritten"}
                    )
                result = {"status": "Succeeded", "recognitionResult": {"lines": azure_lines(lines, None)}}
                return self._azure_start("azure-2.0", result, f"{base}/vision/v2.0/textOperations/", rid)
            if p == "/vision/v2.1/read/core/asyncBatchAnalyze":
                page = {
                    "page": 1,
                    "clockwiseOrientation": 0.0,
                    "width": w,
                    "height": h,
                    "unit": "pixel",
                    "lines": azure_lines(lines, None),
                }
                result = {"status": "Succeeded", "recognitionResults": [page]}
                return self._azure_start("azure-2.1", result, f"{base}/vision/v2.1/read/operations/", rid)
            if p == "/vision/v3.2/read/analyze":
                page = _read_page(1, w, h, "pixel", azure_lines(lines, 0.97))
                return self._azure_read_v32([page], base, rid)
        if rec.method == "GET":
            op = self.operations.get(p.rsplit("/", 1)[1])
            if op is None:
                return Reply(404, {"code": "NotFound", "message": "operation not found"})
            if op.polls_left > 0:
                op.polls_left -= 1
                running = "running" if op.kind == "azure-3.2" else "Running"
                if op.kind == "azure-3.2" and op.polls_left >= self.running_polls - self.queued_polls:
                    running = "notStarted"
                return Reply(200, {"status": running}, rid)
            return Reply(200, op.result, rid)
        return Reply(404, {"code": "NotFound", "message": f"no such path {p}"})

    def _azure_read_pdf(self, data: bytes, base: str, rid: dict[str, str]) -> Reply:
        """Read v3.2 on a PDF: one readResult per page, sizes and boxes in inches (as documented)."""
        dpi = PDF_RENDER_DPI
        results = []
        for i, img in enumerate(pdf_pages(data, dpi)[: self.azure_pdf_pages]):
            lines, w, h = self._words_of(img)
            page_lines = azure_lines(lines, 0.97)
            for line in page_lines:
                line["boundingBox"] = [v / dpi for v in line["boundingBox"]]
                for word in line["words"]:
                    word["boundingBox"] = [v / dpi for v in word["boundingBox"]]
            results.append(_read_page(i + 1, w / dpi, h / dpi, "inch", page_lines))
        return self._azure_read_v32(results, base, rid)

    def _azure_read_tiff(self, data: bytes, base: str, rid: dict[str, str]) -> Reply:
        """Read v3.2 on a multi-page TIFF: one readResult per page, in that page's pixels."""
        results = []
        for i, img in enumerate(tiff_pages(data)[: self.azure_pdf_pages]):
            lines, w, h = self._words_of(img)
            results.append(_read_page(i + 1, w, h, "pixel", azure_lines(lines, 0.97)))
        return self._azure_read_v32(results, base, rid)

    def _azure_read_v32(self, pages: list[dict[str, Any]], base: str, rid: dict[str, str]) -> Reply:
        """Read v3.2's operation, succeeded with these ``readResults``."""
        result = {
            "status": "succeeded",
            "createdDateTime": "2026-11-22T03:00:00Z",
            "lastUpdatedDateTime": "2026-11-22T03:00:01Z",
            "analyzeResult": {"version": "3.2.0", "modelVersion": "2022-04-30", "readResults": pages},
        }
        return self._azure_start("azure-3.2", result, f"{base}/vision/v3.2/read/analyzeResults/", rid)

    def _azure_start(self, kind: str, result: dict[str, Any], op_base: str, rid: dict[str, str]) -> Reply:
        op_id = self._new_id("az-op-")
        self.operations[op_id] = Operation(kind, self.running_polls, json.dumps(result).encode())
        return Reply(202, b"", {**rid, "Operation-Location": op_base + op_id})
