"""Honest progress: the local engine names its phases and its counter moves during detection;
HTTP providers say uploading, queued, running and downloading."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocrviewer.core.prepare import prepare_image
from ocrviewer.providers import _engine_child
from ocrviewer.providers.base import CancelToken, get_provider
from tests.providers.conftest import provider_settings, with_keys
from tests.providers.servers import FakeCloud
from tests.support.images import DEFAULT_WORDS, make_text_image


def wait_for(condition, limit: float = 30.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False


class SlowDetector:
    """Just enough of RapidOCR for run_engine; detection lasts until two ticks were reported."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen
        self.text_rec = self
        self.rec_batch_num = 6

    def load_img(self, img):  # noqa: ANN001, ANN201
        return img

    def preprocess(self, img):  # noqa: ANN001, ANN201
        return img, 1.0, 1.0

    def maybe_add_letterbox(self, img, record):  # noqa: ANN001, ANN201
        return img, record

    def auto_text_det(self, img):  # noqa: ANN001, ANN201
        assert wait_for(lambda: sum("detection" in m and " s)" in m for m in self.seen) >= 2)
        return np.array([[[1, 1], [30, 1], [30, 10], [1, 10]]], dtype=np.float32), None

    def get_crop_img_list(self, img, boxes):  # noqa: ANN001, ANN201
        return [np.zeros((10, 40, 3), dtype=np.uint8)]

    def text_cls(self, crops):  # noqa: ANN001, ANN201
        return crops, None, None

    def __call__(self, crops, flag):  # noqa: ANN001, ANN204 - the recognizer
        return [["word", 0.9]], None

    def cal_rec_boxes(self, crops, boxes, res):  # noqa: ANN001, ANN201
        return [[r[0], r[1], []] for r in res]

    def _get_origin_points(self, boxes, record, h, w):  # noqa: ANN001, ANN201
        return boxes


def test_engine_reports_phases_and_a_moving_counter_while_detecting(monkeypatch) -> None:
    monkeypatch.setattr(_engine_child, "TICK_S", 0.05)
    seen: list[str] = []
    lock = threading.Lock()

    def progress(fraction: float, message: str) -> None:
        with lock:
            seen.append(message)

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buf, "PNG")
    lines = _engine_child.run_engine(SlowDetector(seen), buf.getvalue(), 0.5, progress)
    assert [line["text"] for line in lines] == ["word"]
    phases = [m.split(":")[0] for m in seen]
    assert phases.index("detection") < phases.index("direction") < phases.index("recognition")
    ticks = [m for m in seen if m.startswith("detection") and m.endswith(" s)")]
    assert len(ticks) >= 2
    # the ticking stopped with detection: its thread is gone, so no tick can come later (a fixed 0.2 s
    # wait for a late tick proved nothing on a machine too busy to run the ticker in it)
    assert not [t for t in threading.enumerate() if t.name == "progress-tick"]


def test_azure_reports_upload_queued_and_running(tmp_path: Path, clock, creds, env) -> None:  # noqa: ANN001
    cloud = FakeCloud(running_polls=3, texts=[w for w, _ in DEFAULT_WORDS])
    try:
        cloud.queued_polls = 1
        with_keys(env)
        provider = get_provider("azure-read", provider_settings(cloud, clock, creds))
        photo = make_text_image(tmp_path / "photo.jpg")
        prepared = prepare_image(photo, provider.limits_for({"api_version": "3.2"}))
        seen: list[str] = []
        provider.recognize(prepared, {"api_version": "3.2"}, CancelToken(), lambda f, m: seen.append(m))
    finally:
        cloud.close()
    assert any(m.startswith("uploading") and "KB" in m for m in seen), seen
    queued = [i for i, m in enumerate(seen) if m.startswith("queued at")]
    running = [i for i, m in enumerate(seen) if m.startswith("running at")]
    assert queued and running and queued[0] < running[0], seen


def test_a_large_answer_reports_downloading(tmp_path: Path, clock, creds, env) -> None:  # noqa: ANN001
    from ocrviewer.providers.http import DOWNLOAD_NOTE_BYTES
    from tests.providers.servers import Reply

    cloud = FakeCloud()
    try:
        body = b'{"result": "' + b"x" * DOWNLOAD_NOTE_BYTES + b'"}'
        cloud.script("GET", "/big", Reply(200, body))
        from ocrviewer.providers.http import make_client

        client = make_client("Test service", provider_settings(cloud, clock, creds))
        seen: list[str] = []
        resp = client.send(
            "GET", cloud.url + "/big", cancel=CancelToken(), progress=lambda f, m: seen.append(m)
        )
    finally:
        cloud.close()
    assert resp.content == body
    assert any(m.startswith("downloading the answer from Test service") and "KB" in m for m in seen), seen


@pytest.fixture(scope="module")
def real_engine():  # noqa: ANN201
    return _engine_child.load_engine()


@pytest.mark.parametrize("size", [(1, 200), (200, 1), (3, 900)])
def test_a_thin_strip_reaches_the_detector_at_a_sane_size(
    real_engine, monkeypatch, size: tuple[int, int]
) -> None:  # noqa: ANN001
    """The real engine on a 1x200 picture: scaled to 30x6000, then by detection to 736x147,200
    (2.8 GB, still 'finding text' after three minutes). Padded with white, it is a small picture."""
    engine = real_engine
    real = engine.auto_text_det
    shapes: list[tuple[int, ...]] = []

    def detect(img):  # noqa: ANN001, ANN202 - the real detector, refused an absurd input up front
        shapes.append(img.shape)
        h, w = img.shape[:2]
        assert max(h, w) / min(h, w) <= 10, f"detector input {w}x{h}: scaled to 736 px across, it is huge"
        return real(img)

    monkeypatch.setattr(engine, "auto_text_det", detect)
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    assert _engine_child.run_engine(engine, buf.getvalue(), 0.5, lambda f, m: None) == []
    assert shapes


def test_padding_keeps_the_pixels_where_they_were() -> None:
    img = np.zeros((400, 10, 3), dtype=np.uint8)
    out = _engine_child.pad_thin(img)
    assert out.shape == (400, 50, 3) and (out[:, :10] == 0).all() and (out[:, 10:] == 255).all()
    square = np.zeros((300, 400, 3), dtype=np.uint8)
    assert _engine_child.pad_thin(square) is square
