"""The bundled samples: what `ocrviewer` opens with no arguments is there, consistent and small."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ocrviewer.core.frames import detect_frame
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.model import polygon_bbox
from ocrviewer.core.parsers import load_response
from ocrviewer.core.prepare import file_sha256
from ocrviewer.core.sidecar import read_sidecar

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
RECEIPT = SAMPLES / "receipt.jpg"
LOCAL = SAMPLES / "receipt.local.json"
RAW_FRAME = SAMPLES / "receipt.yandex-raw-frame.json"
DENSE = SAMPLES / "testdata.jpg"
DENSE_RESPONSE = SAMPLES / "testdata.formrecognizer-v2.1.json"


def test_the_receipt_is_a_sideways_phone_photo() -> None:
    info = read_image_info(RECEIPT)
    assert (info.raw_width, info.raw_height, info.orientation) == (1600, 1200, 6)
    assert info.display_size == (1200, 1600)


def test_the_local_response_matches_the_image_and_reads_the_receipt() -> None:
    sidecar = read_sidecar(LOCAL)
    assert sidecar is not None and sidecar.provider == "local" and sidecar.frame == "display"
    # Redrawing the photo without re-running the engine would leave a stale response.
    assert sidecar.image_sha256 == file_sha256(RECEIPT), "run python scripts/make_samples.py"
    assert sidecar.image_path == "receipt.jpg"  # never a path on the machine that made it
    doc = load_response(LOCAL)
    text = doc.text
    for expected in ("GREEN", "MARKET", "Sourdough", "TOTAL", "21.45", "Thank"):
        assert expected in text
    assert all(w.confidence is not None for w in doc.words())
    page = doc.pages[0]
    assert (page.width, page.height) == (1200, 1600)


def test_the_raw_frame_response_is_the_same_words_seen_sideways() -> None:
    local = load_response(LOCAL)
    raw = load_response(RAW_FRAME)
    assert raw.pages[0].width == 1600 and raw.pages[0].height == 1200
    assert [w.text for w in raw.words()] == [w.text for w in local.words()]
    # Rotating by the photo's orientation puts each word back on the local engine's box.
    to_display = FrameTransform(source_width=1600, source_height=1200, orientation=6)
    for r, d in zip(raw.words(), local.words(), strict=True):
        rx0, ry0, rx1, ry1 = polygon_bbox(tuple(to_display.apply(x, y) for x, y in r.polygon))
        dx0, dy0, dx1, dy1 = d.bbox
        assert math.hypot((rx0 + rx1 - dx0 - dx1) / 2, (ry0 + ry1 - dy0 - dy1) / 2) < 2
    decision = detect_frame(raw, read_image_info(RECEIPT))
    assert decision.frame == "raw"


def test_the_dense_page_and_its_response_fit() -> None:
    info = read_image_info(DENSE)
    doc = load_response(DENSE_RESPONSE)
    assert (info.display_width, info.display_height) == (doc.pages[0].width, doc.pages[0].height)
    counts = doc.counts()
    assert counts["word"] >= 40 and counts["table"] == 1


def test_every_sample_is_credited_and_the_folder_stays_small() -> None:
    sources = (SAMPLES / "SOURCES.md").read_text("utf-8")
    files = [p for p in SAMPLES.iterdir() if p.is_file() and p.name != "SOURCES.md"]
    for p in files:
        assert f"| {p.name} |" in sources, f"{p.name} is not in resources/samples/SOURCES.md"
    assert sum(p.stat().st_size for p in files) < 5_000_000


def test_the_viewer_opens_the_receipt_with_the_local_response(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocrviewer.cli.view_cmd import find_sample

    monkeypatch.setenv("OCRVIEWER_RESOURCES", str(SAMPLES.parent))
    image, response = find_sample()
    assert (image.name, response and response.name) == ("receipt.jpg", "receipt.local.json")
