"""Azure Read 2.0 / 2.1 / 3.2 and Image Analysis 4.0 against the loopback fake."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.prepare import prepare_image
from ocrviewer.errors import AuthError, BadInput, ImageError, ProviderUnavailable, ServiceError
from ocrviewer.providers.azure import read_status
from ocrviewer.providers.base import CancelToken, get_provider, no_progress
from tests.support.images import DEFAULT_WORDS, draw_displayed, make_text_image, save_oriented

from .conftest import FakeClock, provider_settings, with_keys
from .servers import AZURE_KEY, FakeCloud, Reply
from .test_yandex import TEXTS, assert_on_displayed_boxes


def noisy_photo(path: Path, orientation: int) -> Path:
    """The default page on light paper grain, so it does not compress to a few kB."""
    import numpy as np

    page = np.asarray(draw_displayed(DEFAULT_WORDS)).astype(np.int16)
    grain = np.random.default_rng(5).integers(0, 70, page.shape[:2], dtype=np.int16)[..., None]
    noisy = np.where(page > 128, page - grain, page).clip(0, 255).astype(np.uint8)
    return save_oriented(Image.fromarray(noisy), path, orientation, fmt="PNG")


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_text_image(tmp_path / "photo.jpg", orientation=3)


def azure(name: str, cloud: FakeCloud, clock: FakeClock, creds, **extra):  # noqa: ANN001, ANN201
    cloud.texts = TEXTS
    return get_provider(name, provider_settings(cloud, clock, creds, **extra))


@pytest.mark.parametrize(
    ("version", "options", "post", "query", "op_path", "running"),
    [
        (
            "2.0",
            {"mode": "handwritten"},
            "/vision/v2.0/recognizeText",
            {"mode": ["Handwritten"]},
            "/vision/v2.0/textOperations/",
            "Running",
        ),
        (
            "2.1",
            {},
            "/vision/v2.1/read/core/asyncBatchAnalyze",
            {},
            "/vision/v2.1/read/operations/",
            "Running",
        ),
        (
            "3.2",
            {"languages": "en", "reading_order": "natural", "model": "2022-04-30"},
            "/vision/v3.2/read/analyze",
            {"language": ["en"], "readingOrder": ["natural"], "model-version": ["2022-04-30"]},
            "/vision/v3.2/read/analyzeResults/",
            "running",
        ),
    ],
)
def test_read_versions_post_binary_and_poll_operation_location(
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,  # noqa: ANN001
    version: str,
    options: dict,
    post: str,
    query: dict,
    op_path: str,
    running: str,
) -> None:
    with_keys(env)
    cloud.running_polls = 3
    p = azure("azure-read", cloud, clock, creds)
    assert p.unavailable_reason() is None
    prepared = prepare_image(photo, p.limits_for({"api_version": version}))
    result = p.recognize(prepared, {"api_version": version, **options}, CancelToken(), no_progress)

    first = cloud.requests[0]
    assert (first.method, first.path, first.query) == ("POST", post, query)
    assert first.headers["ocp-apim-subscription-key"] == AZURE_KEY
    assert first.headers["content-type"] == "application/octet-stream"
    assert first.body == prepared.data
    sent = Image.open(io.BytesIO(first.body))
    assert sent.size == (640, 480) and 0x0112 not in sent.getexif()
    polls = cloud.requests[1:]
    assert len(polls) == 4 and all(r.method == "GET" and r.path.startswith(op_path) for r in polls)
    assert all(r.headers["ocp-apim-subscription-key"] == AZURE_KEY for r in polls)
    assert len(clock.sleeps) == len(polls)  # a wait before each poll: the first one after the 202 too
    assert b'"status": "' + running.encode() not in result.raw  # the final answer, not a poll
    assert result.api_version == version and result.request_id
    assert_on_displayed_boxes(prepared.transform.apply_document(result.document))


def test_image_analysis_is_one_synchronous_call(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    p = azure("azure-image-analysis", cloud, clock, creds)
    prepared = prepare_image(photo, p.limits)
    result = p.recognize(prepared, {"languages": "en"}, CancelToken(), no_progress)
    (req,) = cloud.requests
    assert req.path == "/computervision/imageanalysis:analyze"
    assert req.query == {"features": ["read"], "api-version": ["2024-02-01"], "language": ["en"]}
    assert req.headers["content-type"] == "application/octet-stream"
    assert req.body == prepared.data
    assert result.api_version == "2024-02-01"
    assert_on_displayed_boxes(prepared.transform.apply_document(result.document))


def test_no_endpoint_says_how_to_set_it(cloud: FakeCloud, clock: FakeClock, creds, env) -> None:  # noqa: ANN001
    with_keys(env)
    settings = provider_settings(cloud, clock, creds)
    del settings["azure.endpoint"]
    for name in ("azure-read", "azure-image-analysis"):
        reason = get_provider(name, settings).unavailable_reason()
        assert reason and "OCRVIEWER_AZURE_ENDPOINT" in reason
    env["OCRVIEWER_AZURE_ENDPOINT"] = cloud.url
    assert get_provider("azure-read", settings).unavailable_reason() is None
    del env["OCRVIEWER_AZURE_KEY"]
    assert "OCRVIEWER_AZURE_KEY" in (get_provider("azure-read", settings).unavailable_reason() or "")


@pytest.mark.parametrize("name", ["azure-read", "azure-image-analysis"])
def test_bad_key_in_either_error_shape_says_check_the_key(
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,
    name: str,  # noqa: ANN001
) -> None:
    env.update(OCRVIEWER_AZURE_KEY="not-the-key-99")
    p = azure(name, cloud, clock, creds)
    with pytest.raises(AuthError, match="check the key") as info:
        p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)
    assert "invalid subscription key" in str(info.value)
    assert "not-the-key-99" not in str(info.value)


def test_failed_operation_and_foreign_operation_host(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    p = azure("azure-read", cloud, clock, creds)
    prepared = prepare_image(photo, p.limits)
    cloud.script(
        "GET",
        "/vision/v3.2/read/analyzeResults/",
        Reply(200, {"status": "failed", "error": {"code": "InvalidImage", "message": "no text"}}),
    )
    with pytest.raises(ServiceError, match="recognition failed: InvalidImage: no text"):
        p.recognize(prepared, {}, CancelToken(), no_progress)

    other = FakeCloud()
    try:
        cloud.script(
            "POST", "/vision/v3.2/read/analyze", Reply(202, b"", {"Operation-Location": other.url + "/steal"})
        )
        with pytest.raises(ServiceError, match="refusing to send the key"):
            p.recognize(prepared, {}, CancelToken(), no_progress)
        assert other.requests == []
    finally:
        other.close()


def test_a_relative_operation_location_is_resolved(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    cloud.running_polls = 0
    p = azure("azure-read", cloud, clock, creds)
    prepared = prepare_image(photo, p.limits)
    p.recognize(prepared, {"api_version": "2.1"}, CancelToken(), no_progress)  # creates az-op-0001
    op = next(iter(cloud.operations))
    cloud.script(
        "POST", "/vision/v2.1/", Reply(202, b"", {"Operation-Location": f"/vision/v2.1/read/operations/{op}"})
    )
    result = p.recognize(prepared, {"api_version": "2.1"}, CancelToken(), no_progress)
    assert cloud.paths()[-1] == f"GET /vision/v2.1/read/operations/{op}"
    assert len(list(result.document.words())) == 5


def test_read_limits_per_version_and_options_checked(
    tmp_path: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    p = azure("azure-read", cloud, clock, creds)
    assert p.limits_for({"api_version": "2.0"}).max_side == 4200
    assert p.limits_for({"api_version": "3.2"}).max_side == 10000
    assert p.limits.max_bytes == 4 * 1024 * 1024 and p.limits.min_side == 50
    paid = azure("azure-read", cloud, clock, creds, **{"azure.read_max_mb": 500})
    assert paid.limits.max_bytes == 500 * 1024 * 1024
    assert get_provider("azure-image-analysis", {}).limits.max_side == 16000
    tiny = make_text_image(tmp_path / "tiny.png", words=[], display_size=(40, 300), fmt="PNG")
    with pytest.raises(ImageError, match="at least 50 px"):
        prepare_image(tiny, p.limits)
    photo = make_text_image(tmp_path / "p.jpg")
    with pytest.raises(BadInput, match="one language"):
        p.recognize(prepare_image(photo, p.limits), {"languages": "en,es"}, CancelToken(), no_progress)
    with pytest.raises(BadInput, match="version '4.0' is not supported"):
        p.recognize(prepare_image(photo, p.limits), {"api_version": "4.0"}, CancelToken(), no_progress)
    assert cloud.requests == []


def test_over_4mb_is_shrunk_for_read_and_lands_back(
    tmp_path: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    p = azure(
        "azure-read", cloud, clock, creds, **{"azure.read_max_mb": 0.05}
    )  # a 50 kB budget keeps it fast
    photo = noisy_photo(tmp_path / "big.png", orientation=6)
    assert photo.stat().st_size > 0.05 * 1024 * 1024
    prepared = prepare_image(photo, p.limits)
    assert len(prepared.data) <= 0.05 * 1024 * 1024 and prepared.changes
    result = p.recognize(prepared, {}, CancelToken(), no_progress)
    assert_on_displayed_boxes(prepared.transform.apply_document(result.document), tol=4.0)


def test_read_status_is_pure_and_accepts_both_spellings() -> None:
    assert read_status({"status": "NotStarted"}).state == "running"
    assert read_status({"status": "Running"}).state == "running"
    assert read_status({"status": "running"}).state == "running"
    assert read_status({"status": "Succeeded"}).state == "succeeded"
    assert read_status({"status": "succeeded"}).state == "succeeded"
    assert read_status({"status": "Failed"}).state == "failed"
    assert "unknown operation status" in read_status({"status": "weird"}).reason


def test_unavailable_is_reported_not_sent(photo: Path, cloud: FakeCloud, clock: FakeClock, creds) -> None:  # noqa: ANN001
    p = azure("azure-read", cloud, clock, creds)
    with pytest.raises(ProviderUnavailable, match="no Azure key"):
        p.recognize(prepare_image(photo, p.limits), {}, CancelToken(), no_progress)
    assert cloud.requests == []


@pytest.mark.parametrize(
    ("version", "options", "said"),
    [
        (
            "2.0",
            {"languages": "ru", "reading_order": "natural"},
            "Azure Read 2.0 takes no language 'ru', reading order 'natural'",
        ),
        (
            "2.1",
            {"mode": "Handwritten", "model": "latest"},
            "Azure Read 2.1 takes no text mode 'Handwritten', model version 'latest'",
        ),
        ("3.2", {"mode": "Handwritten"}, "Azure Read 3.2 takes no text mode 'Handwritten'"),
    ],
)
def test_options_the_version_does_not_take_are_said_to_be_ignored(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env, version: str, options: dict, said: str
) -> None:  # noqa: ANN001
    with_keys(env)
    cloud.running_polls = 0
    p = azure("azure-read", cloud, clock, creds)
    messages: list[str] = []
    p.recognize(
        prepare_image(photo, p.limits),
        {"api_version": version, "mode": "Printed", **options},
        CancelToken(),
        lambda f, m: messages.append(m),
    )
    assert [m for m in messages if "ignored" in m] == [said + "; ignored"]


def test_defaults_are_not_reported_as_ignored(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    cloud.running_polls = 0
    p = azure("azure-read", cloud, clock, creds)
    messages: list[str] = []
    opts = {"api_version": "2.1", "mode": "Printed", "languages": "*"}
    p.recognize(prepare_image(photo, p.limits), opts, CancelToken(), lambda f, m: messages.append(m))
    assert not [m for m in messages if "ignored" in m]
