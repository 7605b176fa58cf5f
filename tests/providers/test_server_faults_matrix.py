"""Every HTTP provider, at every request it makes, against a loopback server that misbehaves.

Each case names what a person sees: one line saying what went wrong and what to do, of the
project's own error type, no traceback, no secret; an upload is never sent twice. Fake time
(``FakeClock``) where only waits between attempts matter; real time with a 1 s read timeout set
through the provider's own ``http.*`` settings where the wire is the point (a body that stalls).
"""

from __future__ import annotations

import email.utils
import time
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.core.prepare import prepare_image
from ocrviewer.errors import (
    BadResponse,
    ProviderError,
    ProviderTimeout,
    QuotaError,
    RequestRejected,
    ServiceError,
)
from ocrviewer.providers.base import CancelToken, no_progress
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing

from .conftest import FakeClock
from .faults import (
    IMAGE_ANALYSIS,
    READ_POLL,
    READ_POST,
    TEXTS,
    YANDEX_ASYNC,
    YANDEX_SYNC,
    make,
    one_clear_line,
    recognize,
    uploads,
)
from .servers import FakeCloud, Reply

#: every provider here has its key (what the tests vary is the server)
pytestmark = pytest.mark.usefixtures("keys")

#: (provider, method, path) of every request each provider makes
STAGES = [
    ("yandex", "POST", YANDEX_SYNC),
    ("yandex-async", "POST", YANDEX_ASYNC),
    ("yandex-async", "GET", "/operations/"),
    ("yandex-async", "GET", "/ocr/v1/getRecognition"),
    ("azure-read", "POST", READ_POST),
    ("azure-read", "GET", READ_POLL),
    ("azure-image-analysis", "POST", IMAGE_ANALYSIS),
]
#: the request that carries the image (and would be paid twice if repeated)
UPLOADS = [s for s in STAGES if s[1] == "POST"]
#: the request whose 200 body is the result
RESULTS = [
    ("yandex", "POST", YANDEX_SYNC),
    ("yandex-async", "GET", "/ocr/v1/getRecognition"),
    ("azure-read", "GET", READ_POLL),
    ("azure-image-analysis", "POST", IMAGE_ANALYSIS),
]


def stage_id(stage: tuple[str, str, str]) -> str:
    return f"{stage[0]}-{stage[1]}-{stage[2].rstrip('/').rsplit('/', 1)[-1]}"


# --------------------------------------------------------------------------- the wire


@pytest.mark.parametrize("stage", STAGES, ids=stage_id)
def test_a_body_that_stalls_after_the_headers_ends_at_the_read_timeout(
    stage: tuple[str, str, str], photo: Path, cloud: FakeCloud, creds
) -> None:  # noqa: ANN001
    """Headers and half the body, then silence: the 1 s read timeout (``http.read_timeout``) ends it,
    said as what happened (not "did not answer"); a poll is asked again, an upload is not."""
    name, method, path = stage
    cloud.running_polls = 1
    cloud.script(method, path, Reply(200, {"status": "running", "pad": "x" * 200}, stall=True))
    # no policy given: the numbers come from the provider's own settings, in real time
    real = {"http": HttpConfig(timing=Timing()), "http.read_timeout": 1, "http.total_timeout": 60}
    p = make(name, cloud, None, creds, **real)
    if method == "POST":
        with pytest.raises(ProviderTimeout) as info:
            recognize(p, photo)
        one_clear_line(info.value, "sent part of its answer, then nothing for 1 s", "try again later")
        assert uploads(cloud, path) == 1
    else:  # a lost poll is safe to repeat: the run goes on and succeeds
        assert [w.text for w in recognize(p, photo).document.words()] == TEXTS


RUNNING_PADDED = {"status": "running", "pad": "x" * 200}
BROKEN_BODIES = {
    "reset": Reply(200, RUNNING_PADDED, reset=True),
    "chunked_cut": Reply(200, RUNNING_PADDED, chunked_cut=True),
    # garbage where a chunk's size belongs (http.client reads it as the same IncompleteRead as a cut)
    "chunk_size_no_number": Reply(200, b"zz\r\n{}\r\n0\r\n\r\n", headers={"Transfer-Encoding": "chunked"}),
}


@pytest.mark.parametrize("fault", list(BROKEN_BODIES))
@pytest.mark.parametrize("stage", STAGES, ids=stage_id)
def test_a_connection_reset_or_a_chunked_body_cut_off(
    stage: tuple[str, str, str], fault: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """RST mid-body, a chunked answer without its last chunk, or with a chunk size that is no number: an
    upload is one line and not sent again (it may be billed); a poll is asked again and the run succeeds."""
    name, method, path = stage
    cloud.running_polls = 1
    cloud.script(method, path, BROKEN_BODIES[fault])
    p = make(name, cloud, clock, creds)
    if method == "POST":
        with pytest.raises(ServiceError) as info:
            recognize(p, photo)
        one_clear_line(info.value, "was cut while it answered", "try again")
        assert uploads(cloud, path) == 1
    else:
        assert [w.text for w in recognize(p, photo).document.words()] == TEXTS


BAD_LENGTHS = {"not_a_number": ("abc",), "two_values": ("2", "5")}


@pytest.mark.parametrize("lengths", list(BAD_LENGTHS))
@pytest.mark.parametrize("stage", STAGES, ids=stage_id)
def test_a_content_length_that_is_no_number_or_two_values_is_one_prompt_line(
    stage: tuple[str, str, str], lengths: str, photo: Path, cloud: FakeCloud, creds
) -> None:  # noqa: ANN001
    """``Content-Length: abc`` (or two different lengths) on a connection kept open: read as it is, the
    body would have no end, and the run would wait out the read timeout. It ends at once with one line
    naming the malformed answer; an upload is not sent again."""
    name, method, path = stage
    cloud.running_polls = 1
    cloud.script(method, path, Reply(200, RUNNING_PADDED, lengths=BAD_LENGTHS[lengths]))
    real = {"http": HttpConfig(timing=Timing()), "http.read_timeout": 60, "http.total_timeout": 120}
    p = make(name, cloud, None, creds, **real)
    started = time.monotonic()
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    assert time.monotonic() - started < 30  # well under the 60 s read timeout, even on a loaded machine
    one_clear_line(info.value, "Content-Length", "try again", "proxy")
    if method == "POST":
        assert uploads(cloud, path) == 1


# --------------------------------------------------------------------------- what the services say


@pytest.mark.parametrize("stage", UPLOADS, ids=stage_id)
def test_a_400_naming_the_invalid_field_says_what_to_check(
    stage: tuple[str, str, str], photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    name, method, path = stage
    body: Any = (
        {
            "code": 3,
            "message": "invalid argument",
            "details": [{"fieldViolations": [{"field": "language_codes", "description": "unknown code xx"}]}],
        }
        if name.startswith("yandex")
        else {"error": {"code": "InvalidArgument", "message": "Invalid query parameter 'language'"}}
    )
    cloud.script(method, path, Reply(400, body))
    with pytest.raises(RequestRejected) as info:
        recognize(make(name, cloud, clock, creds), photo)
    said = "language_codes: unknown code xx" if name.startswith("yandex") else "parameter 'language'"
    one_clear_line(info.value, "rejected the request (400", said, "check the", "language")
    assert clock.sleeps == [] and uploads(cloud, path) == 1  # a refusal is not retried


@pytest.mark.parametrize(
    ("name", "path", "what_to_do"),
    [
        ("yandex", YANDEX_SYNC, "up to 10 MB and 20 megapixels"),
        ("yandex-async", YANDEX_ASYNC, "up to 10 MB and 20 megapixels"),
        ("azure-read", READ_POST, "Preferences > Azure (the azure.read_max_mb setting"),
        ("azure-image-analysis", IMAGE_ANALYSIS, "up to 20 MB"),
    ],
)
@pytest.mark.parametrize(
    "body",
    [
        {"error": {"code": "InvalidImageSize", "message": "Image size is too big."}},
        b"<html><head><title>413 Request Entity Too Large</title></head></html>",
    ],
    ids=["json", "html"],
)
def test_a_413_says_to_send_a_smaller_image(
    name: str,
    path: str,
    what_to_do: str,
    body: Any,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
) -> None:  # noqa: ANN001
    cloud.script("POST", path, Reply(413, body))
    with pytest.raises(ServiceError) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "too large for the service (413", what_to_do)
    assert uploads(cloud, path) == 1


@pytest.mark.parametrize("value", ["0", "-5", "-0.5", "past-date"])
@pytest.mark.parametrize("stage", STAGES, ids=stage_id)
def test_a_retry_after_of_zero_or_less_still_spaces_the_retries(
    stage: tuple[str, str, str], value: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """A 429 saying "retry now" (0, negative, a date gone by) again and again: the retries are
    spaced by the policy's floor, not spent in the same instant, and the budget ends in one line."""
    name, method, path = stage
    if value == "past-date":
        value = email.utils.formatdate(clock.wall_now - 3600, usegmt=True)
    cloud.running_polls = 1
    cloud.script(
        method, path, *[Reply(429, {"code": 8, "message": "slow down"}, {"Retry-After": value})] * 20
    )
    p = make(name, cloud, clock, creds)
    with pytest.raises(QuotaError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "rate limit exceeded after 4 retries", "slow down")
    retries = clock.sleeps[-4:]
    assert len(retries) == 4 and all(s >= RetryPolicy().retry_min for s in retries), clock.sleeps


# --------------------------------------------------------------------------- what comes back with 200

GOOGLE = {"responses": [{"fullTextAnnotation": {"pages": [{"width": 640, "height": 480, "blocks": []}]}}]}
IMAGE_ANALYSIS_ANSWER = {
    "modelVersion": "2023-10-01",
    "metadata": {"width": 640, "height": 480},
    "readResult": {"blocks": []},
}
YANDEX_ANSWER = {"result": {"textAnnotation": {"width": "640", "height": "480", "blocks": []}, "page": "0"}}
READ_ANSWER = {
    "status": "succeeded",
    "analyzeResult": {
        "readResults": [{"page": 1, "width": 640, "height": 480, "unit": "pixel", "lines": []}]
    },
}


@pytest.mark.parametrize(
    ("stage", "answer", "named"),
    [
        (RESULTS[0], IMAGE_ANALYSIS_ANSWER, "Azure Image Analysis"),
        (RESULTS[0], GOOGLE, "Google Cloud Vision"),
        (RESULTS[1], READ_ANSWER, "Azure Computer Vision Read"),
        (RESULTS[2], {"status": "succeeded", **IMAGE_ANALYSIS_ANSWER}, "Azure Image Analysis"),
        (RESULTS[3], YANDEX_ANSWER, "Yandex Vision OCR"),
        (RESULTS[3], READ_ANSWER, "Azure Computer Vision Read"),
    ],
    ids=lambda v: stage_id(v) if isinstance(v, tuple) else None,
)
def test_another_apis_answer_is_not_taken_for_an_empty_result(
    stage: tuple[str, str, str],
    answer: Any,
    named: str,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
) -> None:  # noqa: ANN001
    """A wrong endpoint answering 200 with another service's (valid, empty) JSON landed as
    "0 words", said as a success."""
    name, method, path = stage
    cloud.running_polls = 0
    cloud.script(method, path, Reply(200, answer))
    with pytest.raises(BadResponse) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "answered with another API's result", named, "check the")


@pytest.mark.parametrize(
    ("stage", "answer"),
    [
        (
            RESULTS[0],
            {
                "result": {
                    "textAnnotation": {"width": None, "blocks": [{"lines": [{"words": [{"text": "a"}]}]}]}
                }
            },
        ),
        (
            RESULTS[1],
            {
                "result": {
                    "textAnnotation": {
                        "blocks": [{"boundingBox": None, "lines": [{"text": None, "words": None}]}]
                    }
                }
            },
        ),
        (
            RESULTS[2],
            {
                "status": "succeeded",
                "analyzeResult": {
                    "readResults": [{"page": 1, "lines": [{"text": "a", "boundingBox": None, "words": None}]}]
                },
            },
        ),
        (
            RESULTS[3],
            {
                "metadata": None,
                "readResult": {
                    "blocks": [
                        {"lines": [{"text": "a", "words": [{"text": "a", "boundingPolygon": [{"x": None}]}]}]}
                    ]
                },
            },
        ),
    ],
    ids=lambda v: stage_id(v) if isinstance(v, tuple) else None,
)
def test_an_answer_with_nothing_usable_in_it_is_not_a_success(
    stage: tuple[str, str, str], answer: Any, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Valid JSON of the right shape whose every word lacks a position (nulls, missing fields)."""
    name, method, path = stage
    cloud.running_polls = 0
    cloud.script(method, path, Reply(200, answer))
    with pytest.raises(BadResponse) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "a result ocrviewer cannot read: every line and word was unusable", "skipped")


@pytest.mark.parametrize(
    "answer",
    [{"foo": 1}, {"status": None}, {"status": ""}, {"readResult": {"blocks": []}}, {"responses": []}],
)
def test_a_read_operation_result_without_a_status_says_check_the_endpoint(
    answer: Any, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("GET", READ_POLL, Reply(200, answer))
    with pytest.raises(BadResponse) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    message = one_clear_line(info.value, "an operation result without a status", "check the endpoint")
    assert "check the image" not in message


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "succeeded", "analyzeResult": {"version": "3.2.0", "readResults": None}},
        {"status": "succeeded", "analyzeResult": {"version": "3.2.0", "readResults": []}},
    ],
)
def test_a_succeeded_read_operation_without_any_page_is_not_an_empty_result(
    answer: Any, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Before: landed as a result of 0 words, said as a success (a blank image is still one page)."""
    cloud.script("GET", READ_POLL, Reply(200, answer))
    with pytest.raises(BadResponse) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, "no page at all", "check the endpoint")


def test_a_failed_read_operation_with_a_plain_text_error_says_it(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    cloud.script("GET", READ_POLL, Reply(200, {"status": "failed", "error": "Image is corrupt"}))
    with pytest.raises(ServiceError) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, "recognition failed: Image is corrupt")


# --------------------------------------------------------------------------- Azure's Operation-Location


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("http://[::1", "not a URL"),
        ("http://127.0.0.1:notaport/vision/v3.2/read/analyzeResults/1", "not a URL"),
        ("ftp://127.0.0.1/op/1", "not an http(s) URL"),
        ("javascript:alert(1)", "not an http(s) URL"),
    ],
)
@pytest.mark.parametrize("version", ["2.0", "2.1", "3.2"])
def test_an_operation_location_that_is_no_url_is_one_line(
    version: str, location: str, words: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Before: ``ValueError: Invalid IPv6 URL`` out of the provider (a traceback on the command line,
    "unexpected error ... please report it" in a batch and in the window)."""
    cloud.script("POST", "/vision/", Reply(202, b"", {"Operation-Location": location}))
    p = make("azure-read", cloud, clock, creds)
    with pytest.raises(BadResponse) as info:
        p.recognize(prepare_image(photo, p.limits), {"api_version": version}, CancelToken(), no_progress)
    one_clear_line(info.value, words, "Operation-Location", "check the endpoint")
    assert len(cloud.requests) == 1  # nothing polled, the key went nowhere else


def test_an_operation_location_on_another_scheme_or_port_is_refused(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    other = FakeCloud()
    try:
        cloud.script("POST", READ_POST, Reply(202, b"", {"Operation-Location": other.url + READ_POLL + "x"}))
        with pytest.raises(ServiceError) as info:
            recognize(make("azure-read", cloud, clock, creds), photo)
        one_clear_line(info.value, f"asked to poll {other.url}, not the endpoint ({cloud.url})", "refusing")
        assert other.requests == []
    finally:
        other.close()


def test_the_http_settings_reach_the_client(photo: Path, cloud: FakeCloud, creds) -> None:  # noqa: ANN001
    """``http.read_timeout`` from the settings (what the CLI and the window pass) bounds a silent server."""
    cloud.script("POST", IMAGE_ANALYSIS, Reply(200, {}, delay=600))
    real = {"http": HttpConfig(timing=Timing()), "http.read_timeout": 1, "http.total_timeout": 60}
    with pytest.raises(ProviderTimeout) as info:
        recognize(make("azure-image-analysis", cloud, None, creds, **real), photo)
    one_clear_line(info.value, "did not answer within 1 s", "try again later")


# --------------------------------------------------------------------------- ends that are said as such


@pytest.mark.parametrize(
    ("name", "version", "never"),
    [
        ("azure-read", "2.0", "operation"),
        ("azure-read", "2.1", "operation"),
        ("azure-read", "3.2", "operation"),
        ("yandex-async", None, "operation"),
        ("yandex-async", None, "result"),
    ],
)
def test_an_operation_that_never_ends_is_said_as_still_running(
    name: str, version: str | None, never: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Before: "did not finish within 2 min", as if the service had hung, not the operation."""
    if never == "operation":
        cloud.running_polls = 10**9
    else:  # Yandex: the operation is done, but getRecognition keeps saying "not ready"
        cloud.running_polls = 0
        not_ready = Reply(404, {"code": 5, "message": "operation data is not ready"})
        cloud.script("GET", "/ocr/v1/getRecognition", *[not_ready] * 1000)
    p = make(name, cloud, clock, creds)
    with pytest.raises(ProviderTimeout) as info:
        p.recognize(
            prepare_image(photo, p.limits),
            {"api_version": version} if version else {},
            CancelToken(),
            no_progress,
        )
    one_clear_line(info.value, "was still not ready after 2 min (", "polls); try again later")
    assert sum(clock.sleeps) == pytest.approx(120, abs=1)


HUGE = {
    "yandex": b'{"result": {"textAnnotation": {"width": "1e308", "height": "480", "blocks": []}}}',
    "yandex-async": b'{"result": {"textAnnotation": {"width": "640", "height": NaN, "blocks": []}}}\n',
    "azure-read": b'{"status": "succeeded", "analyzeResult": {"readResults": [{"page": 1, "width": 1e400, '
    b'"height": 480, "unit": "pixel", "lines": []}]}}',
    "azure-image-analysis": b'{"metadata": {"width": 640, "height": -Infinity}, "readResult": {"blocks": []}}',
}


@pytest.mark.parametrize("stage", RESULTS, ids=stage_id)
def test_huge_numbers_and_nan_in_a_result_are_one_line_saying_what_to_do(
    stage: tuple[str, str, str], photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    name, method, path = stage
    cloud.running_polls = 0
    cloud.script(method, path, Reply(200, HUGE[name]))
    with pytest.raises(BadResponse) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "a result ocrviewer cannot read", "try again later", "check the endpoint")


@pytest.mark.parametrize("status", [301, 307])
@pytest.mark.parametrize("stage", STAGES, ids=stage_id)
def test_a_redirect_back_to_the_same_url_is_called_a_loop(
    stage: tuple[str, str, str], status: int, photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    name, method, path = stage
    cloud.running_polls = 1
    seen: list[str] = []

    def loop_back(rec) -> None:  # noqa: ANN001
        if rec.method == method and rec.path.startswith(path) and not seen:
            seen.append(rec.path)
            query = "?" + "&".join(f"{k}={v[0]}" for k, v in rec.query.items()) if rec.query else ""
            cloud.script(method, path, Reply(status, b"", {"Location": rec.path + query}))

    cloud.on_request = loop_back
    with pytest.raises(ProviderError) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, f"({status}), the URL it was asked: a redirect loop", "not followed")
    assert sum(1 for r in cloud.requests if r.path == seen[0]) == 1  # not followed


@pytest.mark.parametrize("stage", [s for s in RESULTS if s[0] != "azure-read"], ids=stage_id)
def test_an_empty_json_object_is_named_as_such(
    stage: tuple[str, str, str], photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Before: "unknown response shape: top-level keys ; expected ..." (a list of no keys)."""
    name, method, path = stage
    cloud.running_polls = 0
    cloud.script(method, path, Reply(200, {}))
    with pytest.raises(BadResponse) as info:
        recognize(make(name, cloud, clock, creds), photo)
    message = one_clear_line(info.value, "an empty JSON object", "try again later")
    assert "keys ;" not in message


@pytest.mark.parametrize("stage", STAGES, ids=stage_id)
def test_a_redirect_to_something_that_is_no_url_is_one_line(
    stage: tuple[str, str, str], photo: Path, cloud: FakeCloud, clock: FakeClock, creds
) -> None:  # noqa: ANN001
    """Before: ``ValueError: Invalid IPv6 URL`` out of requests (it reads the Location even when
    redirects are not followed), a traceback on the command line."""
    name, method, path = stage
    cloud.running_polls = 1
    cloud.script(method, path, Reply(302, b"", {"Location": "http://[::1/x"}))
    with pytest.raises(ServiceError) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "sent an answer that cannot be followed", "redirect", "check the endpoint URL")


def test_a_key_a_server_puts_in_a_url_stays_out_of_the_libraries_logs(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    """urllib3 logs every request's path at DEBUG: an Operation-Location echoing the key put it in the
    log (before), though ocrviewer's own lines were scrubbed."""
    from .servers import AZURE_KEY

    caplog.set_level("DEBUG")
    cloud.script(
        "POST", READ_POST, Reply(202, b"", {"Operation-Location": f"{cloud.url}{READ_POLL}{AZURE_KEY}"})
    )
    with pytest.raises(ServiceError) as info:
        recognize(make("azure-read", cloud, clock, creds), photo)
    one_clear_line(info.value, "not found at", "***")
    assert any(r.path.endswith(AZURE_KEY) for r in cloud.requests)  # the poll did go there
    assert "urllib3" in caplog.text and AZURE_KEY not in caplog.text
