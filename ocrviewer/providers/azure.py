"""Azure Computer Vision: ``azure-read`` (Read API 2.0, 2.1 or 3.2, asynchronous) and
``azure-image-analysis`` (Image Analysis 4.0, synchronous).

Each Azure resource has its own endpoint, so there is no default host: it comes from the
``azure.endpoint`` setting (or ``--endpoint``), else ``OCRVIEWER_AZURE_ENDPOINT``. The key goes in
``Ocp-Apim-Subscription-Key`` and the prepared image is uploaded as ``application/octet-stream``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from ocrviewer.core.model import Document
from ocrviewer.core.prepare import ImageLimits, PreparedImage
from ocrviewer.errors import BadInput, BadResponse, ProviderError, ProviderUnavailable, ServiceError
from ocrviewer.providers.base import CancelToken, ProgressCallback, ProviderOption, RecognitionResult
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.http import (
    QUEUED,
    RUNNING,
    SUCCEEDED,
    Hints,
    PollStatus,
    check_document,
    check_endpoint,
    document_of,
    error_detail,
    error_value_detail,
    make_client,
    parse_json,
    request_id_of,
)
from ocrviewer.providers.settings import CREDENTIALS, PARSER

READ_VERSIONS = ("2.0", "2.1", "3.2")
DEFAULT_READ_VERSION = "3.2"
IMAGE_ANALYSIS_VERSION = "2024-02-01"
MODES = ("Printed", "Handwritten")
#: where the API's own paths begin: an endpoint pasted with one is cut there (check_endpoint)
API_PATHS = ("/vision/v", "/computervision/", "/formrecognizer/", "/documentintelligence/")
READING_ORDERS = ("basic", "natural")

MB = 1024 * 1024
#: Read: JPEG/PNG/BMP/PDF/TIFF, 4 MB on the free tier (``azure.read_max_mb`` for paid), 50..10000 px.
#: Version 2.0 (recognizeText) took at most 4200 px a side.
READ_MAX_SIDE = {"2.0": 4200, "2.1": 10000, "3.2": 10000}
#: Image Analysis 4.0: 20 MB, 50..16000 px.
IMAGE_ANALYSIS_LIMITS = ImageLimits(max_bytes=20 * MB, min_side=50, max_side=16000, formats=("JPEG", "PNG"))

HINTS = Hints(
    auth="check the key (ocrviewer credentials set azure) and that it belongs to this endpoint's resource",
    forbidden="check that the resource allows this API and region, and the key's permissions",
    not_found="check the endpoint (https://NAME.cognitiveservices.azure.com) and the API version",
    quota="the free tier allows 20 calls a minute; wait and try again, or move to a paid tier",
    bad_request="check the options (API version, language, pages, model version, reading order) and the image",
    too_large=(
        "the resource takes less than ocrviewer sent: lower 'Largest upload (Read)' in Preferences > Azure "
        "(the azure.read_max_mb setting; 4 MB on the free tier) or send a smaller image"
    ),
)

#: Image Analysis has no azure.read_max_mb and fewer options
IMAGE_ANALYSIS_HINTS = replace(
    HINTS,
    bad_request="check the language option and the image",
    too_large="Image Analysis takes up to 20 MB: send a smaller image",
)

NO_ENDPOINT = (
    "no Azure endpoint: set OCRVIEWER_AZURE_ENDPOINT, pass --endpoint, or run "
    "'ocrviewer credentials set azure --endpoint https://NAME.cognitiveservices.azure.com'"
)
NO_KEY = "no Azure key: run 'ocrviewer credentials set azure' or set OCRVIEWER_AZURE_KEY"


def read_status(body: Any) -> PollStatus:
    """Status of a Read operation result (pure): v2 says ``Running``/``Succeeded``, v3 ``running``..."""
    if not isinstance(body, Mapping):
        raise BadResponse("Azure Read sent an operation result that is not a JSON object; try again later")
    if not isinstance(body.get("status"), str) or not body["status"].strip():
        keys = ", ".join(sorted(str(k)[:40] for k in body)[:8]) or "none"
        raise BadResponse(
            f"Azure Read sent an operation result without a status (its keys: {keys}); check the endpoint "
            "and the API version: another service may have answered"
        )
    status = str(body.get("status", "")).strip().lower()
    if status == "notstarted":
        return QUEUED
    if status == "running":
        return RUNNING
    if status == "succeeded":
        return SUCCEEDED
    if status == "failed":
        error = body.get("error")
        reason = (
            error_value_detail(error)
            if isinstance(error, Mapping)
            else " ".join(error.split())[:200]
            if isinstance(error, str)
            else ""
        )
        return PollStatus("failed", reason or "the service gave no reason")
    return PollStatus("failed", f"unknown operation status {body.get('status')!r}")


def _single_language(options: Mapping[str, Any], service: str) -> str | None:
    value = options.get("languages")
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    langs = [v.strip() for v in items if v.strip() and v.strip() != "*"]
    if len(langs) > 1:
        raise BadInput(f"{service} takes one language (or none to detect it), not {', '.join(langs)}")
    return langs[0] if langs else None


#: Read options and the API versions that use them (the others ignore them).
_READ_OPTION_VERSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mode": ("text mode", ("2.0",)),
    "languages": ("language", ("3.2",)),
    "reading_order": ("reading order", ("3.2",)),
    "pages": ("pages", ("3.2",)),
    "model": ("model version", ("3.2",)),
}


def ignored_read_options(version: str, options: Mapping[str, Any]) -> list[str]:
    """Names of the options given (other than their defaults) that Read ``version`` does not take."""
    ignored = []
    for name, (label, versions) in _READ_OPTION_VERSIONS.items():
        value = options.get(name)
        if version in versions or value in (None, "", "*", ()):
            continue
        if name == "mode" and str(value).capitalize() == "Printed":
            continue  # the default, always present
        ignored.append(f"{label} {value!r}")
    return ignored


class _AzureBase:
    name: str
    title: str

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        store = self.settings.get(CREDENTIALS)
        self.credentials: CredentialStore = store if isinstance(store, CredentialStore) else CredentialStore()

    @property
    def endpoint(self) -> str | None:
        return self.settings.get("azure.endpoint") or self.credentials.get("azure", "endpoint")

    def unavailable_reason(self) -> str | None:
        if not self.endpoint:
            return NO_ENDPOINT
        try:
            check_endpoint(self.endpoint, "the Azure endpoint", self.settings, API_PATHS)
        except ProviderError as err:
            return str(err)
        if not self.credentials.get("azure", "key"):
            return NO_KEY
        return None

    def _endpoint_identity(self) -> str:
        try:
            return check_endpoint(str(self.endpoint or ""), "the Azure endpoint", api_paths=API_PATHS)
        except ProviderError:
            return str(self.endpoint or "")

    def _ready(self) -> tuple[str, str]:
        reason = self.unavailable_reason()
        if reason:
            raise ProviderUnavailable(reason)
        return check_endpoint(str(self.endpoint), "the Azure endpoint", self.settings, API_PATHS), str(
            self.credentials.get("azure", "key")
        )

    def _document(self, raw: bytes, cancel: CancelToken) -> Document:
        """The answer parsed, in the viewer's parser process when it gave one (settings ``parser``)."""
        parser = self.settings.get(PARSER)
        if parser is None:
            return document_of_raw(raw, self.title)
        return parser.call(document_of_raw, raw, self.title, cancelled=lambda: cancel.cancelled)  # type: ignore[no-any-return]


def operation_url(url: str, location: str, endpoint: str, service: str) -> str:
    """The URL to poll from an Operation-Location (absolute, or relative to the request's URL).

    Refused in one line when it cannot be read as a URL, is not http(s), or points at another host
    than the endpoint (the key would go there)."""
    shown = " ".join(location.split())[:120]
    try:
        op_url = urljoin(url, location)
        parts, base = urlsplit(op_url), urlsplit(endpoint)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as err:
        raise BadResponse(
            f"{service} named an operation to poll that is not a URL (Operation-Location {shown!r}); "
            "check the endpoint (a proxy may rewrite the header) and try again"
        ) from err
    if parts.scheme not in ("http", "https") or any(ord(c) < 33 or ord(c) == 127 for c in op_url):
        raise BadResponse(
            f"{service} named an operation to poll that is not an http(s) URL (Operation-Location "
            f"{shown!r}); check the endpoint (a proxy may rewrite the header) and try again"
        )
    if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
        raise ServiceError(
            f"{service} asked to poll {parts.scheme}://{parts.netloc}, not the endpoint ({base.scheme}://"
            f"{base.netloc}); refusing to send the key there: check the endpoint"
        )
    return op_url


#: the answers each provider gives (a 200 with another API's JSON means a wrong endpoint)
READ_FORMATS = frozenset({"azure-recognize-text-v2", "azure-batch-read-v2", "azure-read-v3"})
IMAGE_ANALYSIS_FORMATS = frozenset({"azure-image-analysis-4"})


def document_of_raw(raw: bytes, service: str) -> Document:
    """The Document of an Azure answer."""
    return document_of(parse_json(raw, service), service)


class AzureReadProvider(_AzureBase):
    """Azure Read: POST the image, 202 + Operation-Location, poll until succeeded or failed."""

    name = "azure-read"
    title = "Azure Read"
    options = (
        ProviderOption("api_version", "API version", DEFAULT_READ_VERSION, READ_VERSIONS),
        ProviderOption("mode", "Text (v2.0)", "Printed", MODES, "v2.0 recognizeText mode"),
        ProviderOption("languages", "Language (v3.2)", None, (), "one code, e.g. en; empty detects it"),
        ProviderOption("reading_order", "Reading order (v3.2)", None, READING_ORDERS),
        ProviderOption("pages", "Pages (v3.2, PDF/TIFF)", None, (), "e.g. 1-3,5"),
        ProviderOption("model", "Model version (v3.2)", None, (), "e.g. latest or 2022-04-30"),
    )

    def _version(self, options: Mapping[str, Any]) -> str:
        version = str(
            options.get("api_version") or self.settings.get("azure.read_api_version") or DEFAULT_READ_VERSION
        )
        version = version.lstrip("vV")
        if version not in READ_VERSIONS:
            raise BadInput(
                f"Azure Read API version {version!r} is not supported; choose {', '.join(READ_VERSIONS)}"
            )
        return version

    def cache_identity(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The endpoint and the API version in effect (the options hold model, language, mode, order)."""
        return {"endpoint": self._endpoint_identity(), "api_version": self._version(options)}

    def limits_for(self, options: Mapping[str, Any]) -> ImageLimits:
        """Limits of the chosen API version (the upload size from ``azure.read_max_mb``, default 4)."""
        max_mb = float(self.settings.get("azure.read_max_mb") or 4)
        side = READ_MAX_SIDE[self._version(options)]
        return ImageLimits(max_bytes=int(max_mb * MB), min_side=50, max_side=side, formats=("JPEG", "PNG"))

    @property
    def limits(self) -> ImageLimits:
        return self.limits_for({})

    def _request(self, endpoint: str, version: str, options: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        if version == "2.0":
            mode = str(options.get("mode") or "Printed").capitalize()
            if mode not in MODES:
                raise BadInput(f"Azure Read 2.0 mode must be Printed or Handwritten, not {mode!r}")
            return f"{endpoint}/vision/v2.0/recognizeText", {"mode": mode}
        if version == "2.1":
            return f"{endpoint}/vision/v2.1/read/core/asyncBatchAnalyze", {}
        params: dict[str, str] = {}
        language = _single_language(options, self.title)
        if language:
            params["language"] = language
        if options.get("pages"):
            params["pages"] = str(options["pages"])
        order = options.get("reading_order")
        if order:
            if order not in READING_ORDERS:
                raise BadInput(f"reading order must be basic or natural, not {order!r}")
            params["readingOrder"] = str(order)
        if options.get("model"):
            params["model-version"] = str(options["model"])
        return f"{endpoint}/vision/v3.2/read/analyze", params

    def recognize(
        self,
        image: PreparedImage,
        options: Mapping[str, Any],
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> RecognitionResult:
        version = self._version(options)
        endpoint, key = self._ready()
        url, params = self._request(endpoint, version, options)
        ignored = ignored_read_options(version, options)
        if ignored:
            progress(None, f"{self.title} {version} takes no {', '.join(ignored)}; ignored")
        with make_client(self.title, self.settings, (key,), HINTS) as client:
            deadline = client.deadline()
            progress(0.1, f"sending {image.width}x{image.height} {image.format} to {self.title} {version}")
            resp = client.send(
                "POST",
                url,
                cancel=cancel,
                deadline=deadline,
                ok=(202,),
                headers={"Ocp-Apim-Subscription-Key": key, "Content-Type": "application/octet-stream"},
                params=params,
                data=image.data,
                progress=progress,
            )
            location = (resp.headers.get("Operation-Location") or "").strip()
            if not location:
                raise BadResponse(
                    f"{self.title} accepted the image but sent no Operation-Location header to poll; "
                    "check the endpoint (a proxy may drop the header) and try again"
                )
            op_url = operation_url(url, location, endpoint, self.title)
            request_id = request_id_of(resp)

            def fetch() -> requests.Response:
                return client.send(
                    "GET",
                    op_url,
                    cancel=cancel,
                    deadline=deadline,
                    ok=(200, 404),
                    headers={"Ocp-Apim-Subscription-Key": key},
                    progress=progress,
                )

            def interpret(r: requests.Response) -> PollStatus:
                if r.status_code == 404:  # results expire after 48 h; a wrong Operation-Location
                    detail = re.sub(r"^\s*404\s*[:\-]?\s*", "", error_detail(r.content))
                    return PollStatus(
                        "failed",
                        f"the operation it named is not found at {urlsplit(op_url).path} "
                        f"(404: {detail or 'no detail'}); run the recognition again",
                    )
                return read_status(parse_json(r.content, self.title, "operation result"))

            result = client.poll(
                fetch,
                interpret,
                cancel=cancel,
                deadline=deadline,
                progress=progress,
                what="the result",
                accepted=resp,
            )
            raw = result.content
            document = check_document(
                self._document(raw, cancel),
                self.title,
                READ_FORMATS,
                "check the endpoint and the API version",
            )
            progress(1.0, "done")
            return RecognitionResult(
                raw=raw,
                document=document,
                raw_suffix=".json",
                request_id=request_id,
                api_version=version,
                extras={"operation": urlsplit(op_url).path.rsplit("/", 1)[-1]},
            )


class AzureImageAnalysisProvider(_AzureBase):
    """Azure Image Analysis 4.0 ``features=read``: one synchronous call."""

    name = "azure-image-analysis"
    title = "Azure Image Analysis"
    limits = IMAGE_ANALYSIS_LIMITS
    options = (
        ProviderOption("api_version", "API version", IMAGE_ANALYSIS_VERSION, (IMAGE_ANALYSIS_VERSION,)),
        ProviderOption("languages", "Language", None, (), "one code, e.g. en"),
    )

    def cache_identity(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The endpoint and the API version in effect."""
        version = str(options.get("api_version") or IMAGE_ANALYSIS_VERSION)
        return {"endpoint": self._endpoint_identity(), "api_version": version}

    def recognize(
        self,
        image: PreparedImage,
        options: Mapping[str, Any],
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> RecognitionResult:
        version = str(options.get("api_version") or IMAGE_ANALYSIS_VERSION)
        language = _single_language(options, self.title)
        endpoint, key = self._ready()
        params = {"features": "read", "api-version": version}
        if language:
            params["language"] = language
        with make_client(self.title, self.settings, (key,), IMAGE_ANALYSIS_HINTS) as client:
            progress(0.1, f"sending {image.width}x{image.height} {image.format} to {self.title}")
            resp = client.send(
                "POST",
                f"{endpoint}/computervision/imageanalysis:analyze",
                cancel=cancel,
                deadline=client.deadline(),
                headers={"Ocp-Apim-Subscription-Key": key, "Content-Type": "application/octet-stream"},
                params=params,
                data=image.data,
                progress=progress,
            )
            raw = resp.content
            document = check_document(
                self._document(raw, cancel), self.title, IMAGE_ANALYSIS_FORMATS, "check the endpoint"
            )
            progress(1.0, "done")
            return RecognitionResult(
                raw=raw,
                document=document,
                raw_suffix=".json",
                request_id=request_id_of(resp),
                api_version=version,
            )


def create_read(settings: Mapping[str, Any]) -> AzureReadProvider:
    return AzureReadProvider(settings)


def create_image_analysis(settings: Mapping[str, Any]) -> AzureImageAnalysisProvider:
    return AzureImageAnalysisProvider(settings)
