"""Honest progress: the local engine names its phases and its counter moves during detection;
HTTP providers say uploading, queued, running and downloading."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
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
    n_after = len(seen)
    time.sleep(0.2)
    assert len(seen) == n_after  # the ticking stopped with detection


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
