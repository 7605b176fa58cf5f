"""Yandex Vision OCR v1, sync and async, against the loopback fake that speaks the documented API."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.model import Document
from ocrviewer.core.prepare import ImageLimits, prepare_image
from ocrviewer.errors import AuthError, BadInput, ProviderUnavailable, ServiceError
from ocrviewer.providers.base import CancelToken, Provider, get_provider, no_progress
from ocrviewer.providers.yandex import LIMITS, check_request, normalize_languages, operation_status
from tests.support.images import DEFAULT_WORDS, make_text_image

from .conftest import FakeClock, provider_settings, with_keys
from .servers import YANDEX_FOLDER, YANDEX_IAM, YANDEX_KEY, FakeCloud, Reply

TEXTS = [w for w, _ in DEFAULT_WORDS]


def assert_on_displayed_boxes(doc: Document, tol: float = 2.0) -> None:
    words = list(doc.words())
    assert [w.text for w in words] == TEXTS
    for word, (_, box) in zip(words, DEFAULT_WORDS, strict=True):
        got = word.bbox
        assert got == pytest.approx(box, abs=tol), (word.text, got, box)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A phone photo stored sideways with EXIF Orientation 6 (displayed 640x480)."""
    return make_text_image(tmp_path / "photo.jpg", orientation=6)


def provider(name: str, cloud: FakeCloud, clock: FakeClock, creds, **extra) -> Provider:  # noqa: ANN001
    cloud.texts = TEXTS
    return get_provider(name, provider_settings(cloud, clock, creds, **extra))


def test_sync_request_is_the_documented_one(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    p = provider("yandex", cloud, clock, creds)
    assert p.unavailable_reason() is None
    prepared = prepare_image(photo, p.limits)
    result = p.recognize(prepared, {"model": "page", "languages": "ru, en"}, CancelToken(), no_progress)

    (req,) = cloud.requests
    assert (req.method, req.path) == ("POST", "/ocr/v1/recognizeText")
    assert req.headers["authorization"] == f"Api-Key {YANDEX_KEY}"
    assert "x-folder-id" not in req.headers
    assert req.headers["x-data-logging-enabled"] == "false"
    assert req.headers["content-type"] == "application/json"
    body = req.json()
    assert body["mimeType"] == "JPEG" and body["languageCodes"] == ["ru", "en"] and body["model"] == "page"
    sent = Image.open(io.BytesIO(base64.b64decode(body["content"])))
    assert sent.format == "JPEG" and sent.size == (640, 480)  # displayed pixels
    assert 0x0112 not in sent.getexif()  # no Orientation tag

    assert result.raw_suffix == ".json" and result.api_version == "ocr/v1"
    assert result.request_id and result.request_id.startswith("req-")
    assert json.loads(result.raw)["result"]["textAnnotation"]["width"] == "640"
    assert_on_displayed_boxes(prepared.transform.apply_document(result.document))


def test_iam_token_sends_bearer_and_folder(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    env.update(OCRVIEWER_YANDEX_IAM_TOKEN=YANDEX_IAM, OCRVIEWER_YANDEX_FOLDER_ID=YANDEX_FOLDER)
    p = provider("yandex", cloud, clock, creds, **{"yandex.data_logging": True})
    p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)
    (req,) = cloud.requests
    assert req.headers["authorization"] == f"Bearer {YANDEX_IAM}"
    assert req.headers["x-folder-id"] == YANDEX_FOLDER
    assert req.headers["x-data-logging-enabled"] == "true"
    assert req.json()["languageCodes"] == ["*"] and req.json()["model"] == "page"


def test_missing_credentials_say_what_to_set(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    p = provider("yandex", cloud, clock, creds)
    reason = p.unavailable_reason()
    assert reason and "OCRVIEWER_YANDEX_API_KEY" in reason and "credentials set yandex" in reason
    env["OCRVIEWER_YANDEX_IAM_TOKEN"] = YANDEX_IAM
    assert "folder" in (p.unavailable_reason() or "")
    with pytest.raises(ProviderUnavailable, match="folder"):
        p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)
    assert cloud.requests == []


def test_wrong_key_and_wrong_folder(photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env) -> None:  # noqa: ANN001
    env["OCRVIEWER_YANDEX_API_KEY"] = "wrong-key-123"
    p = provider("yandex", cloud, clock, creds)
    prepared = prepare_image(photo, p.limits)
    with pytest.raises(AuthError, match="check the key") as info:
        p.recognize(prepared, {}, CancelToken(), no_progress)
    assert "wrong-key-123" not in str(info.value)
    env.clear()
    env.update(OCRVIEWER_YANDEX_IAM_TOKEN=YANDEX_IAM, OCRVIEWER_YANDEX_FOLDER_ID="b1gother")
    with pytest.raises(AuthError, match="ai.vision.user role"):
        p.recognize(prepared, {}, CancelToken(), no_progress)


@pytest.mark.parametrize(
    ("model", "langs", "message"),
    [
        ("handwritten", "*", "does not detect the language"),
        ("handwritten", None, "does not detect the language"),
        ("table", "ru,de", "reads only ru and/or en; de"),
        ("nonsense", "ru", "unknown Yandex model"),
    ],
)
def test_models_that_need_languages_are_refused_before_sending(
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,
    model: str,
    langs: str | None,
    message: str,  # noqa: ANN001
) -> None:
    with_keys(env)
    p = provider("yandex", cloud, clock, creds)
    with pytest.raises(BadInput, match=message):
        p.recognize(
            prepare_image(photo, p.limits), {"model": model, "languages": langs}, CancelToken(), no_progress
        )
    assert cloud.requests == []


def test_handwritten_with_explicit_languages_is_sent() -> None:
    check_request("handwritten", normalize_languages("RU,en"))
    check_request("table", ("en",))
    assert normalize_languages(["ru", " en", "ru"]) == ("ru", "en")
    assert normalize_languages("") == ("*",)


def test_async_polls_the_operation_then_fetches_json_lines(
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,  # noqa: ANN001
) -> None:
    with_keys(env)
    cloud.running_polls = 3
    op_host = cloud.listen()  # the operation service on its own host
    p = provider("yandex-async", cloud, clock, creds, **{"yandex.operation_endpoint": op_host})
    prepared = prepare_image(photo, p.limits)
    messages: list[str] = []
    result = p.recognize(prepared, {"languages": "en"}, CancelToken(), lambda f, m: messages.append(m))

    assert cloud.paths()[0] == "POST /ocr/v1/recognizeTextAsync"
    op_id = next(iter(cloud.operations))
    assert cloud.paths()[1:] == [f"GET /operations/{op_id}"] * 4 + ["GET /ocr/v1/getRecognition"]
    for req in cloud.requests[1:]:
        assert req.headers["authorization"] == f"Api-Key {YANDEX_KEY}"
    assert cloud.requests[-1].query == {"operationId": [op_id]}
    assert len(clock.sleeps) == 3 and all(s > 0 for s in clock.sleeps)
    assert any("poll 3" in m for m in messages)

    assert result.raw_suffix == ".jsonl"
    assert result.raw == cloud.operations[op_id].result  # byte-exact JSON Lines
    assert result.extras["operation_id"] == op_id
    assert_on_displayed_boxes(prepared.transform.apply_document(result.document))


def test_async_result_not_ready_means_keep_waiting(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    cloud.running_polls = 0
    not_ready = Reply(404, {"code": 5, "message": "operation data is not ready", "details": []})
    cloud.script("GET", "/ocr/v1/getRecognition", not_ready, not_ready)
    p = provider("yandex-async", cloud, clock, creds)
    result = p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)
    assert cloud.paths().count("GET /ocr/v1/getRecognition") == 3
    assert len(clock.sleeps) == 2
    assert len(list(result.document.words())) == 5


def test_async_failed_operation_says_why(photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env) -> None:  # noqa: ANN001
    with_keys(env)
    cloud.script(
        "GET",
        "/operations/",
        Reply(200, {"id": "x", "done": True, "error": {"code": 3, "message": "Image is empty"}}),
    )
    p = provider("yandex-async", cloud, clock, creds)
    with pytest.raises(ServiceError, match="recognition failed: 3: Image is empty"):
        p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)


def test_operation_status_is_pure() -> None:
    assert operation_status({"id": "a", "done": False}).state == "running"
    assert operation_status({"id": "a"}).state == "running"
    assert operation_status({"id": "a", "done": True, "response": {}}).state == "succeeded"
    failed = operation_status({"done": True, "error": {"code": 13, "message": "Internal"}})
    assert (failed.state, failed.reason) == ("failed", "13: Internal; try again later")


def test_over_the_limits_is_shrunk_and_lands_back(
    tmp_path: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """A tighter pixel budget than the real 20 MP keeps the test fast; the mapping is the same."""
    assert LIMITS.max_pixels == 20_000_000 and LIMITS.max_bytes == 10 * 1024 * 1024
    with_keys(env)
    photo = make_text_image(tmp_path / "big.png", orientation=8, fmt="PNG")
    p = provider("yandex", cloud, clock, creds)
    p.limits = ImageLimits(max_pixels=640 * 480 // 4, max_bytes=10 * 1024 * 1024)  # type: ignore[misc]
    prepared = prepare_image(photo, p.limits)
    assert prepared.width * prepared.height <= 640 * 480 // 4 and prepared.changes
    result = p.recognize(prepared, {}, CancelToken(), no_progress)
    sent = Image.open(io.BytesIO(cloud.uploads[0]))
    assert sent.size == (prepared.width, prepared.height)
    assert_on_displayed_boxes(prepared.transform.apply_document(result.document), tol=4.0)


def test_the_two_fake_flavours_disagree_on_an_unprepared_photo(photo: Path) -> None:
    """Sending the stored bytes as they are would put the words elsewhere on a naive service."""
    from .servers import find_word_boxes, seen_image

    data = photo.read_bytes()
    applied = [b for line in find_word_boxes(seen_image(data, "apply")) for b in line]
    naive = [b for line in find_word_boxes(seen_image(data, "ignore")) for b in line]
    flat = [v for box in applied for v in box]
    assert flat == pytest.approx([v for _, box in DEFAULT_WORDS for v in box], abs=2)
    assert seen_image(data, "ignore").size == (480, 640) and naive != applied


def test_rate_limited_then_served_and_quota_exhausted(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    p = provider("yandex", cloud, clock, creds)
    prepared = prepare_image(photo, p.limits)
    busy = Reply(
        429, {"code": 8, "message": "Resource has been exhausted", "details": []}, {"Retry-After": "2"}
    )
    cloud.script("POST", "/ocr/v1/recognizeText", busy)
    result = p.recognize(prepared, {}, CancelToken(), no_progress)
    assert clock.sleeps == [2.0] and len(list(result.document.words())) == 5
    cloud.script("POST", "/ocr/v1/recognizeText", *[busy] * 5)
    from ocrviewer.errors import QuotaError

    with pytest.raises(QuotaError, match="quota or rate limit exceeded after 4 retries"):
        p.recognize(prepared, {}, CancelToken(), no_progress)


def test_malformed_json_is_one_clear_line(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    from ocrviewer.errors import BadResponse

    with_keys(env)
    p = provider("yandex", cloud, clock, creds)
    cloud.script("POST", "/ocr/v1/recognizeText", Reply(200, b'{"result": {"textAnnotation": \n'))
    with pytest.raises(BadResponse) as info:
        p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)
    assert "Yandex Vision OCR sent a response that is not valid JSON" in str(info.value)
    assert "\n" not in str(info.value) and info.value.__cause__ is not None
