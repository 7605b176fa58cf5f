"""The pipeline: prepare, recognize, save raw + sidecar, cache, place on the displayed image."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest

from ocrviewer.core.prepare import file_sha256
from ocrviewer.core.sidecar import read_sidecar, sidecar_path
from ocrviewer.errors import BadInput, Cancelled, ProviderUnavailable
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.cache import ResponseCache, cache_key, normalize_options
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
from ocrviewer.providers.run import recognize_file
from tests.support.images import make_text_image

from .conftest import FakeClock, provider_settings, with_keys
from .servers import YANDEX_FOLDER, YANDEX_IAM, FakeCloud
from .test_yandex import TEXTS, assert_on_displayed_boxes


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_text_image(tmp_path / "photo.jpg", orientation=6)


@pytest.fixture
def settings(cloud: FakeCloud, clock: FakeClock, creds, env):  # noqa: ANN001, ANN201
    with_keys(env)
    cloud.texts = TEXTS
    return provider_settings(cloud, clock, creds)


def all_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


def test_run_writes_raw_and_sidecar_and_places_words(
    photo: Path, tmp_path: Path, cloud: FakeCloud, settings
) -> None:  # noqa: ANN001
    before = photo.read_bytes()
    out = tmp_path / "out" / "resp.json"
    messages: list[str] = []
    outcome = recognize_file(
        photo, "yandex", {"languages": "en"}, settings, progress=lambda f, m: messages.append(m), out_path=out
    )
    assert photo.read_bytes() == before  # never touched
    assert not outcome.from_cache and outcome.response_path == out
    assert out.read_bytes() == outcome.raw == json.dumps(json.loads(out.read_bytes())).encode()
    side = read_sidecar(out)
    assert side is not None
    assert (side.provider, side.api_version, side.frame) == ("yandex", "ocr/v1", "display")
    assert side.options == {"languages": "en", "model": "page"}
    assert side.image_sha256 == file_sha256(photo)
    assert side.transform is not None and side.transform.output_size == (640, 480)
    assert side.request_id and side.request_id.startswith("req-")
    assert dt.datetime.fromisoformat(side.created or "").tzinfo is not None
    assert outcome.document.pages[0].width == 640
    assert_on_displayed_boxes(outcome.document)
    assert any("sending" in m for m in messages)


def test_second_run_uses_the_cache_unless_fresh(
    photo: Path, tmp_path: Path, cloud: FakeCloud, settings
) -> None:  # noqa: ANN001
    first = recognize_file(photo, "yandex", {}, settings, out_path=tmp_path / "a.json")
    n = len(cloud.requests)
    again = recognize_file(photo, "yandex", {"model": "page"}, settings, out_path=tmp_path / "b.json")
    assert again.from_cache and len(cloud.requests) == n
    assert (tmp_path / "b.json").read_bytes() == first.raw
    assert read_sidecar(tmp_path / "b.json").request_id == first.sidecar.request_id  # type: ignore[union-attr]
    assert_on_displayed_boxes(again.document)
    fresh = recognize_file(photo, "yandex", {}, settings, fresh=True)
    assert not fresh.from_cache and len(cloud.requests) == n + 1
    other = recognize_file(photo, "yandex", {"languages": "ru"}, settings)  # other options, other key
    assert not other.from_cache
    nocache = recognize_file(photo, "yandex", {}, settings, use_cache=False)
    assert not nocache.from_cache and nocache.response_path is None


def test_async_run_keeps_json_lines(photo: Path, tmp_path: Path, cloud: FakeCloud, settings) -> None:  # noqa: ANN001
    out = tmp_path / "resp.jsonl"
    outcome = recognize_file(photo, "yandex-async", {}, settings, out_path=out)
    assert outcome.raw_suffix == ".jsonl" and out.read_bytes() == outcome.raw
    assert outcome.raw.endswith(b"\n") and outcome.raw.count(b"\n") == 1
    assert outcome.response_path == out
    cached = recognize_file(photo, "yandex-async", {}, settings)
    assert cached.from_cache and cached.response_path and cached.response_path.suffix == ".jsonl"
    assert_on_displayed_boxes(cached.document)


def test_recognize_output_does_not_follow_planted_symlinks(
    photo: Path, tmp_path: Path, cloud: FakeCloud, settings
) -> None:  # noqa: ANN001
    """A symlink planted at an old, predictable temporary name is neither followed nor used."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "resp.json"
    for name in ("resp.json.tmp", "resp.json.part", "resp.json.ocrviewer.json.tmp", ".resp.json.tmp"):
        (tmp_path / name).symlink_to(victim)
    recognize_file(photo, "yandex", {}, settings, out_path=out, use_cache=False)
    assert victim.read_text() == "keep me"
    assert json.loads(out.read_bytes()) and read_sidecar(out) is not None


def test_refuses_to_write_over_the_image(photo: Path, cloud: FakeCloud, settings) -> None:  # noqa: ANN001
    before = photo.read_bytes()
    with pytest.raises(BadInput, match="that is the image itself"):
        recognize_file(photo, "yandex", {}, settings, out_path=photo)
    with pytest.raises(BadInput, match="that is the image itself"):
        recognize_file(photo, "yandex", {}, settings, out_path=photo.parent / "." / photo.name)
    assert photo.read_bytes() == before and cloud.requests == []


def test_unknown_option_and_unready_provider_are_refused(
    photo: Path, cloud: FakeCloud, settings, env
) -> None:  # noqa: ANN001
    with pytest.raises(BadInput, match="has no option 'api_version'"):
        recognize_file(photo, "yandex", {"api_version": "3.2"}, settings)
    env.clear()
    with pytest.raises(ProviderUnavailable, match="yandex: no Yandex credentials"):
        recognize_file(photo, "yandex", {}, settings)
    assert cloud.requests == []


def test_cancel_while_polling_returns_promptly_and_leaves_nothing(
    photo: Path,
    tmp_path: Path,
    cloud: FakeCloud,
    settings,  # noqa: ANN001
) -> None:
    cloud.running_polls = 100
    # real waits: 1 s before the first poll, then 600 s (a poll_interval of 30 s was capped by poll_interval_max,
    # 5 s: a wait that ignored the cancel ended within the old 15 s bound and the next poll saw it, so the test
    # could not fail, and on a busy machine the two waits came near that bound)
    policy = RetryPolicy(poll_growth=600.0, poll_interval_max=600.0, total_timeout=3600.0, jitter=0)
    settings["http"] = HttpConfig(policy=policy, timing=Timing())
    cancel = CancelToken()
    polled = threading.Event()
    cloud.on_request = lambda rec: (
        polled.set() if rec.path.startswith("/vision/") and rec.method == "GET" else None
    )
    threading.Thread(target=lambda: polled.wait(60) and cancel.cancel(), daemon=True).start()
    out = tmp_path / "resp.json"
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        recognize_file(photo, "azure-read", {}, settings, cancel=cancel, out_path=out)
    assert time.monotonic() - t0 < 300  # far under the 600 s wait (room for a busy machine): woken by cancel
    assert not out.exists() and not sidecar_path(out).exists()
    assert all_files(ResponseCache().root) == []


def test_cache_key_normalizes_options() -> None:
    assert normalize_options({"b": " x ", "a": None, "c": ["ru", " en"], "d": ""}) == {
        "b": "x",
        "c": ["ru", "en"],
    }
    k = cache_key("abc", "yandex", {"model": "page", "languages": "en"})
    assert k == cache_key("abc", "yandex", {"languages": "en ", "model": "page", "x": None})
    assert k != cache_key("abc", "yandex-async", {"model": "page", "languages": "en"})
    assert k != cache_key("abd", "yandex", {"model": "page", "languages": "en"})


def test_cache_key_holds_everything_that_can_change_the_answer() -> None:
    base = {
        "api_version": "3.2",
        "languages": "en",
        "mode": "Printed",
        "model": "latest",
        "reading_order": "basic",
    }
    service = {"endpoint": "https://one.example", "api_version": "3.2"}
    k = cache_key("img", "azure-read", base, prepared_sha256="sent", service=service)
    changed = [
        cache_key("img", "azure-read", base, prepared_sha256="other bytes", service=service),
        cache_key(
            "img",
            "azure-read",
            base,
            prepared_sha256="sent",
            service={**service, "endpoint": "https://two.example"},
        ),
        cache_key(
            "img", "azure-read", base, prepared_sha256="sent", service={**service, "api_version": "2.1"}
        ),
    ]
    for option, value in (
        ("model", "2022-04-30"),
        ("languages", "de"),
        ("mode", "Handwritten"),
        ("reading_order", "natural"),
    ):
        changed.append(
            cache_key("img", "azure-read", {**base, option: value}, prepared_sha256="sent", service=service)
        )
    assert k not in changed and len(set(changed)) == len(changed)


def test_a_second_azure_endpoint_gets_its_own_request(photo: Path, clock: FakeClock, creds, env) -> None:  # noqa: ANN001
    """The cache ignored the endpoint: the second resource got the first one's answer, unasked (Yandex too)."""
    with_keys(env)
    first, second = FakeCloud(texts=TEXTS), FakeCloud(texts=TEXTS)
    try:
        for provider in ("azure-read", "azure-image-analysis", "yandex"):
            a = recognize_file(photo, provider, {}, provider_settings(first, clock, creds))
            n_first = len(first.requests)
            b = recognize_file(photo, provider, {}, provider_settings(second, clock, creds))
            assert not b.from_cache and second.requests, f"{provider}: the second endpoint was never asked"
            assert second.requests[0].body and len(first.requests) == n_first
            assert_on_displayed_boxes(b.document)
            # each endpoint's answer is cached under its own key
            for cloud, before in ((first, a), (second, b)):
                n = len(cloud.requests)
                again = recognize_file(photo, provider, {}, provider_settings(cloud, clock, creds))
                assert again.from_cache and len(cloud.requests) == n
                assert again.sidecar.request_id == before.sidecar.request_id
            second.requests.clear()
    finally:
        first.close()
        second.close()


def test_the_api_version_and_the_bytes_sent_are_in_the_key(photo: Path, cloud: FakeCloud, settings) -> None:  # noqa: ANN001
    recognize_file(photo, "azure-read", {"api_version": "3.2"}, settings)
    n = len(cloud.requests)
    other_version = recognize_file(photo, "azure-read", {"api_version": "2.1"}, settings)
    assert not other_version.from_cache and len(cloud.requests) > n
    # a smaller upload limit sends other bytes (shrunk): not the full-size answer
    n = len(cloud.requests)
    shrunk = recognize_file(
        photo, "azure-read", {"api_version": "3.2"}, {**settings, "azure.read_max_mb": 0.005}
    )
    assert shrunk.changes and not shrunk.from_cache and len(cloud.requests) > n


def test_a_damaged_cache_entry_is_a_miss(photo: Path, cloud: FakeCloud, settings) -> None:  # noqa: ANN001
    first = recognize_file(photo, "yandex", {}, settings)
    assert first.response_path is not None
    first.response_path.write_bytes(b"{broken")
    again = recognize_file(photo, "yandex", {}, settings)
    assert not again.from_cache


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("yandex", {"languages": "ru,en", "model": "handwritten"}),
        ("yandex-iam", {}),
        ("yandex-async", {}),
        ("azure-read", {"api_version": "2.0"}),
        ("azure-read", {"api_version": "3.2"}),
        ("azure-image-analysis", {}),
    ],
)
def test_no_secret_in_any_file_a_run_writes(
    name: str,
    options: dict,
    photo: Path,
    tmp_path: Path,
    cloud: FakeCloud,
    settings,
    env,  # noqa: ANN001
) -> None:
    from ocrviewer.providers.settings import config_dir, save_settings

    save_settings({"azure.endpoint": cloud.url, "yandex.data_logging": False})
    secrets = [env["OCRVIEWER_YANDEX_API_KEY"], env["OCRVIEWER_AZURE_KEY"]]
    if name == "yandex-iam":
        name = "yandex"
        env.pop("OCRVIEWER_YANDEX_API_KEY")
        env.update(OCRVIEWER_YANDEX_IAM_TOKEN=YANDEX_IAM, OCRVIEWER_YANDEX_FOLDER_ID=YANDEX_FOLDER)
        secrets.append(YANDEX_IAM)
    out = tmp_path / "runs" / "resp.json"
    recognize_file(photo, name, options, settings, out_path=out)
    recognize_file(photo, name, options, settings, out_path=tmp_path / "runs" / "again.json")  # cache hit
    files = all_files(tmp_path / "runs", ResponseCache().root, config_dir())
    assert len(files) >= 5  # 2 responses + 2 sidecars + cache entry + sidecar + settings
    for f in files:
        data = f.read_bytes()
        for s in secrets:
            assert s.encode() not in data, f"{s} leaked into {f}"


def test_a_folder_given_as_the_image_is_named_as_such(tmp_path: Path, settings, cloud: FakeCloud) -> None:  # noqa: ANN001
    with pytest.raises(BadInput, match="is a folder, not an image") as err:
        recognize_file(tmp_path, "yandex", None, settings, out_path=tmp_path / "r.json")
    assert "no such" not in str(err.value)
    assert cloud.requests == []


def test_an_output_that_cannot_be_written_is_refused_before_sending(
    photo: Path, tmp_path: Path, cloud: FakeCloud, settings
) -> None:  # noqa: ANN001
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    with pytest.raises(BadInput, match="cannot write in .*notes.txt; choose another -o"):
        recognize_file(photo, "yandex", None, settings, out_path=blocker / "sub" / "r.json")
    (tmp_path / "r.json.ocrviewer.json").mkdir()
    with pytest.raises(BadInput, match="r.json.ocrviewer.json: is a folder"):
        recognize_file(photo, "yandex", None, settings, out_path=tmp_path / "r.json")
    assert cloud.requests == []  # nothing sent, nothing paid
    assert blocker.read_text() == "a file, not a folder"


def test_a_cache_that_cannot_be_written_does_not_lose_the_result(
    photo: Path, tmp_path: Path, cloud: FakeCloud, settings
) -> None:  # noqa: ANN001
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("x")
    messages: list[str] = []
    out = tmp_path / "r.json"
    outcome = recognize_file(
        photo,
        "yandex",
        None,
        settings,
        out_path=out,
        cache=ResponseCache(blocker / "cache"),
        progress=lambda f, m: messages.append(m),
    )
    assert out.is_file() and sidecar_path(out).is_file() and outcome.document.counts()["word"] == 5
    assert any("could not keep the result in the cache" in m for m in messages)


def test_an_unreadable_image_is_one_line(photo: Path, cloud: FakeCloud, settings, monkeypatch) -> None:  # noqa: ANN001
    import ocrviewer.providers.run as run_module

    def denied(path):  # noqa: ANN001, ANN202 - root reads chmod 000 files, so the OS refusal is simulated
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(run_module, "file_sha256", denied)
    with pytest.raises(BadInput, match=r"photo.jpg: cannot read image \(Permission denied\); check"):
        recognize_file(photo, "yandex", None, settings)
    assert cloud.requests == []


@pytest.mark.parametrize("provider", ["yandex", "yandex-async", "azure-read"])
def test_a_run_with_the_windows_parser_lands_the_same_words(
    photo: Path, tmp_path: Path, settings, provider
) -> None:  # noqa: ANN001
    """The viewer passes its parser process in the settings: the answer is parsed there, the
    placed words are the same as a run parsing in this process, and so is the cached run."""
    from ocrviewer.core.columns import ColumnPage
    from ocrviewer.core.parse_child import ParserProcess
    from ocrviewer.providers.settings import PARSER

    parser = ParserProcess()
    try:
        here = recognize_file(photo, provider, {}, settings, use_cache=False)
        there = recognize_file(photo, provider, {}, {**settings, PARSER: parser}, fresh=True)
        cached = recognize_file(photo, provider, {}, {**settings, PARSER: parser})
        assert cached.from_cache
        for outcome in (there, cached):
            assert isinstance(outcome.document.pages[0], ColumnPage)
            assert outcome.document == here.document
            assert outcome.loaded.decision == here.loaded.decision
        assert parser.starts == 1
    finally:
        parser.close()
