"""Yandex Vision OCR v1: ``yandex`` (recognizeText, sync) and ``yandex-async`` (recognizeTextAsync).

Auth is an API key (``Authorization: Api-Key``) or an IAM token with a folder id
(``Authorization: Bearer`` + ``x-folder-id``). Data logging by Yandex is off unless the
``yandex.data_logging`` setting or the ``data_logging`` option turns it on.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from ocrviewer.core.model import Document
from ocrviewer.core.prepare import ImageLimits, PreparedImage
from ocrviewer.errors import (
    AuthError,
    BadInput,
    BadResponse,
    ProviderError,
    ProviderUnavailable,
    QuotaError,
    ServiceError,
)
from ocrviewer.providers.base import CancelToken, ProgressCallback, ProviderOption, RecognitionResult
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.http import (
    INSECURE_SETTING,
    RUNNING,
    SUCCEEDED,
    Hints,
    PollStatus,
    check_document,
    check_endpoint,
    decode_raw,
    document_of,
    error_detail,
    error_value_detail,
    make_client,
    parse_json,
    request_id_of,
)
from ocrviewer.providers.settings import CREDENTIALS, PARSER, as_bool

OCR_HOST = "https://ocr.api.cloud.yandex.net"
OPERATION_HOST = "https://operation.api.cloud.yandex.net"
API_VERSION = "ocr/v1"
#: where the APIs' own paths begin: an endpoint pasted with one is cut there (check_endpoint)
OCR_PATHS = ("/ocr/v1",)
OPERATION_PATHS = ("/operations",)

MODELS = (
    "page",
    "page-column-sort",
    "handwritten",
    "table",
    "markdown",
    "math-markdown",
    "passport",
    "driver-license-front",
    "driver-license-back",
    "vehicle-registration-front",
    "vehicle-registration-back",
    "license-plates",
)
#: Models that do not auto-detect: the languages they read must be given explicitly.
EXPLICIT_LANGUAGES: dict[str, frozenset[str]] = {
    "handwritten": frozenset({"ru", "en"}),
    "table": frozenset({"ru", "en"}),
}

#: the answer recognizeText and getRecognition give (a 200 with another API's JSON: a wrong endpoint)
RESULT_FORMATS = frozenset({"yandex-ocr-v1"})

#: 10 MB per file and 20 megapixels (Yandex Vision limits).
LIMITS = ImageLimits(max_bytes=10 * 1024 * 1024, max_pixels=20_000_000, formats=("JPEG", "PNG"))

HINTS = Hints(
    auth=(
        "check the key, or the IAM token and the folder ID (ocrviewer credentials set yandex); "
        "IAM tokens expire after 12 hours"
    ),
    forbidden="check that the account has the ai.vision.user role in the folder, and the folder ID",
    not_found="check the Yandex OCR and operation endpoints",
    quota="wait a little and try again, or ask for a larger quota in the Yandex Cloud console",
    bad_request="check the model and the languages (--model, --lang) and the image",
    too_large="Yandex takes up to 10 MB and 20 megapixels: send a smaller image",
)

OPTIONS = (
    ProviderOption("model", "Model", "page", MODELS, "recognition model"),
    ProviderOption(
        "languages", "Languages", "*", (), "ISO 639-1 codes, comma-separated; * detects the language"
    ),
    ProviderOption(
        "data_logging",
        "Let Yandex log the request",
        None,
        ("on", "off"),
        "x-data-logging-enabled; unset: as in Preferences (off unless set there)",
        unset="(as in Preferences)",
    ),
)


def normalize_languages(value: Any) -> tuple[str, ...]:
    """("ru", "en") from "ru, en" or ["ru", "en"]; ("*",) when nothing is given."""
    if value is None:
        return ("*",)
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    langs = tuple(dict.fromkeys(v.strip().lower() for v in items if v.strip()))
    return langs or ("*",)


def check_request(model: str, languages: tuple[str, ...]) -> None:
    """Refuse, before anything is sent, a model/language pair Yandex cannot serve."""
    if model not in MODELS:
        raise BadInput(f"unknown Yandex model {model!r}; choose one of: {', '.join(MODELS)}")
    needed = EXPLICIT_LANGUAGES.get(model)
    if needed is None:
        return
    wanted = " and/or ".join(sorted(needed, reverse=True))
    if "*" in languages:
        raise BadInput(
            f"the Yandex {model!r} model does not detect the language; give it explicitly, e.g. --lang ru,en"
        )
    others = [lang for lang in languages if lang not in needed]
    if others:
        raise BadInput(
            f"the Yandex {model!r} model reads only {wanted}; {', '.join(others)} is not supported"
        )
    if not languages:  # pragma: no cover - normalize_languages never returns ()
        raise BadInput(f"the Yandex {model!r} model needs --lang {wanted}")


#: google.rpc.Code of an operation's error -> (its name, the error type, what to do)
_GRPC_CODES: dict[int, tuple[str, type[ProviderError], str]] = {
    3: ("INVALID_ARGUMENT", ServiceError, "check the image, the model and the languages"),
    4: ("DEADLINE_EXCEEDED", ServiceError, "try again later"),
    5: ("NOT_FOUND", ServiceError, "run the recognition again"),
    7: ("PERMISSION_DENIED", AuthError, HINTS.forbidden),
    8: ("RESOURCE_EXHAUSTED", QuotaError, HINTS.quota),
    9: ("FAILED_PRECONDITION", ServiceError, "check the image, the model and the languages"),
    13: ("INTERNAL", ServiceError, "try again later"),
    14: ("UNAVAILABLE", ServiceError, "try again later"),
    16: ("UNAUTHENTICATED", AuthError, HINTS.auth),
}
_GRPC_NAMES = {name: code for code, (name, _, _) in _GRPC_CODES.items()}


def _grpc_code(value: Any) -> int | None:
    """The numeric google.rpc.Code of ``16``, ``"16"`` or ``"UNAUTHENTICATED"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().upper()
        return int(text) if text.isdigit() else _GRPC_NAMES.get(text)
    return None


def operation_status(body: Any) -> PollStatus:
    """Status of a Yandex Operation JSON (pure). A failed operation's ``error`` is a google.rpc.Status
    ``{code, message, details}``; its code decides the error type (16: AuthError, 8: QuotaError...)
    and the advice."""
    if not isinstance(body, Mapping):
        raise BadResponse("Yandex sent an operation that is not a JSON object; try again later")
    error = body.get("error")
    if isinstance(error, Mapping) and (error.get("code") or error.get("message")):
        reason = error_value_detail(error) or "the service gave no reason"
        known = _GRPC_CODES.get(_grpc_code(error.get("code")) or -1)
        if known is None:
            return PollStatus("failed", reason)
        _, error_type, advice = known
        return PollStatus("failed", f"{reason}; {advice}", error=error_type)
    if error not in (None, {}, "", []):  # an error, though not a google.rpc.Status: not a success
        said = " ".join(error.split())[:200] if isinstance(error, str) else ""
        return PollStatus("failed", said or "the service gave no reason")
    return SUCCEEDED if as_bool(body.get("done", False)) else RUNNING


def recognition_status(status_code: int, body: bytes) -> PollStatus:
    """Status of a getRecognition answer: 200 is the result; 404 "not ready" means keep waiting."""
    if status_code == 200:
        return SUCCEEDED
    if status_code == 404:
        detail = error_detail(body).lower()
        if "not ready" in detail or not detail:
            return RUNNING
        return PollStatus(
            "failed",
            f"the service does not know the operation's result ({error_detail(body)}); run the recognition again",
        )
    return PollStatus("failed", f"unexpected status {status_code}")  # pragma: no cover


class YandexProvider:
    """Yandex Vision OCR v1, sync (``yandex``) or async (``yandex-async``)."""

    limits = LIMITS
    options = OPTIONS

    def __init__(self, settings: Mapping[str, Any], asynchronous: bool = False) -> None:
        self.settings = dict(settings)
        self.asynchronous = asynchronous
        self.name = "yandex-async" if asynchronous else "yandex"
        self.title = "Yandex Vision OCR (async)" if asynchronous else "Yandex Vision OCR"
        store = self.settings.get(CREDENTIALS)
        self.credentials: CredentialStore = store if isinstance(store, CredentialStore) else CredentialStore()

    # -- configuration

    @property
    def ocr_host(self) -> str:
        return str(self.settings.get("yandex.ocr_endpoint") or OCR_HOST)

    @property
    def operation_host(self) -> str:
        return str(self.settings.get("yandex.operation_endpoint") or OPERATION_HOST)

    def cache_identity(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The endpoints and the API version (the options hold model and languages)."""
        identity = {"endpoint": _base(self.ocr_host, OCR_PATHS), "api_version": API_VERSION}
        if self.asynchronous:
            identity["operation_endpoint"] = _base(self.operation_host, OPERATION_PATHS)
        return identity

    def _auth(self) -> tuple[dict[str, str], str | None]:
        """Auth headers, or ({}, reason) when there are no usable credentials."""
        api_key = self.credentials.get("yandex", "api_key")
        if api_key:
            return {"Authorization": f"Api-Key {api_key}"}, None
        token = self.credentials.get("yandex", "iam_token")
        if token:
            folder = self.credentials.get("yandex", "folder_id")
            if not folder:
                return {}, (
                    "an IAM token needs a folder ID: set OCRVIEWER_YANDEX_FOLDER_ID or run "
                    "'ocrviewer credentials set yandex --folder-id ID'"
                )
            return {"Authorization": f"Bearer {token}", "x-folder-id": folder}, None
        return {}, (
            "no Yandex credentials: run 'ocrviewer credentials set yandex' or set "
            "OCRVIEWER_YANDEX_API_KEY (or OCRVIEWER_YANDEX_IAM_TOKEN and OCRVIEWER_YANDEX_FOLDER_ID)"
        )

    def unavailable_reason(self) -> str | None:
        try:
            check_endpoint(self.ocr_host, "the Yandex OCR endpoint", self.settings, OCR_PATHS)
            if self.asynchronous:
                check_endpoint(
                    self.operation_host, "the Yandex operation endpoint", self.settings, OPERATION_PATHS
                )
        except ProviderError as err:
            return str(err)
        return self._auth()[1]

    # -- recognition

    def _parsed(self, raw: bytes, suffix: str, cancel: CancelToken) -> Document:
        """The answer parsed, in the viewer's parser process when it gave one (settings ``parser``);
        BadResponse when it is another API's answer or has nothing usable in it."""
        parser = self.settings.get(PARSER)
        if parser is None:
            document = document_of_raw(raw, suffix, self.title)
        else:
            document = parser.call(
                document_of_raw, raw, suffix, self.title, cancelled=lambda: cancel.cancelled
            )
        return check_document(document, self.title, RESULT_FORMATS, "check the Yandex OCR endpoint")

    def recognize(
        self,
        image: PreparedImage,
        options: Mapping[str, Any],
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> RecognitionResult:
        model = str(options.get("model") or "page")
        languages = normalize_languages(options.get("languages"))
        check_request(model, languages)
        auth, reason = self._auth()
        if reason:
            raise ProviderUnavailable(reason)
        ocr_host = check_endpoint(self.ocr_host, "the Yandex OCR endpoint", self.settings, OCR_PATHS)
        logging_on = options.get("data_logging")
        if logging_on is None:
            logging_on = self.settings.get("yandex.data_logging", False)
        logging_on = as_bool(logging_on)
        headers = {
            **auth,
            "Content-Type": "application/json",
            "x-data-logging-enabled": "true" if logging_on else "false",
            "x-client-request-id": str(uuid.uuid4()),
        }
        body = json.dumps(
            {
                "mimeType": image.format,
                "languageCodes": list(languages),
                "model": model,
                "content": base64.b64encode(image.data).decode("ascii"),
            }
        ).encode("utf-8")
        with make_client(self.title, self.settings, self.credentials.secrets(), HINTS) as client:
            deadline = client.deadline()
            path = "recognizeTextAsync" if self.asynchronous else "recognizeText"
            progress(0.1, f"sending {image.width}x{image.height} {image.format} to {self.title}")
            resp = client.send(
                "POST",
                f"{ocr_host}/ocr/v1/{path}",
                cancel=cancel,
                deadline=deadline,
                headers=headers,
                data=body,
                progress=progress,
            )
            if not self.asynchronous:
                raw = resp.content
                document = self._parsed(raw, ".json", cancel)
                progress(1.0, "done")
                return RecognitionResult(
                    raw=raw,
                    document=document,
                    raw_suffix=".json",
                    request_id=request_id_of(resp),
                    api_version=API_VERSION,
                )

            operation = parse_json(resp.content, self.title, "operation")
            op_id = operation.get("id") if isinstance(operation, Mapping) else None
            if not op_id or not isinstance(op_id, (str, int)) or isinstance(op_id, bool):
                raise BadResponse(
                    f"{self.title} answered without an operation id; check the Yandex OCR endpoint "
                    "(it should be the recognizeTextAsync service)"
                )
            op_id = str(op_id)
            first = operation_status(operation)
            if first.state == "failed":
                error_type = first.error or ServiceError
                raise error_type(client.scrub(f"{self.title}: recognition failed: {first.reason}"))
            request_id = request_id_of(resp)
            poll_headers = {k: v for k, v in headers.items() if k != "Content-Type"}
            op_host = check_endpoint(
                self.operation_host, "the Yandex operation endpoint", self.settings, OPERATION_PATHS
            )

            if first.state == "running":
                progress(None, f"operation {op_id} accepted; waiting")

                def fetch_operation() -> requests.Response:
                    return client.send(
                        "GET",
                        f"{op_host}/operations/{quote(str(op_id), safe='')}",  # an id is never a path
                        cancel=cancel,
                        deadline=deadline,
                        headers=poll_headers,
                        progress=progress,
                    )

                client.poll(
                    fetch_operation,
                    lambda r: operation_status(parse_json(r.content, self.title, "operation")),
                    cancel=cancel,
                    deadline=deadline,
                    progress=progress,
                    what="the operation",
                )

            def fetch_result() -> requests.Response:
                return client.send(
                    "GET",
                    f"{ocr_host}/ocr/v1/getRecognition",
                    cancel=cancel,
                    deadline=deadline,
                    ok=(200, 404),
                    headers=poll_headers,
                    params={"operationId": op_id},
                    progress=progress,
                )

            result = client.poll(
                fetch_result,
                lambda r: recognition_status(r.status_code, r.content),
                cancel=cancel,
                deadline=deadline,
                progress=progress,
                what="the result",
            )
            raw = result.content
            document = self._parsed(raw, ".jsonl", cancel)
            progress(1.0, "done")
            return RecognitionResult(
                raw=raw,
                document=document,
                raw_suffix=".jsonl",
                request_id=request_id_of(result) or request_id,
                api_version=API_VERSION,
                extras={"operation_id": op_id},
            )


def document_of_raw(raw: bytes, suffix: str, service: str) -> Document:
    """The answer's Document (JSON, or JSON Lines for the asynchronous answer)."""
    return document_of(decode_raw(raw, suffix, service), service)


def _base(url: str, api_paths: tuple[str, ...]) -> str:
    """The endpoint as requests go to it (for the cache's identity), or as given when it is no URL."""
    try:
        return check_endpoint(url, "the endpoint", {INSECURE_SETTING: True}, api_paths)
    except ProviderError:
        return url.strip().rstrip("/")


def create_sync(settings: Mapping[str, Any]) -> YandexProvider:
    return YandexProvider(settings, asynchronous=False)


def create_async(settings: Mapping[str, Any]) -> YandexProvider:
    return YandexProvider(settings, asynchronous=True)
