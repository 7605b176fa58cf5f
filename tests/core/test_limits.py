"""Limits and values (issue 11): each case is a correct output or a one-line refusal naming the limit."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
from PIL import Image

import ocrviewer.core.model as model
from ocrviewer.core.limits import (
    MAX_COORDINATE,
    MAX_LABEL_CHARS,
    MAX_POLYGON_POINTS,
    MAX_RESPONSE_BYTES,
    drawable_text,
    seconds_text,
)
from tests.support import responses as R
from tests.support.cli import one_error_line, run

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


def test_a_response_over_the_size_limit_is_refused_before_reading(capsys, tmp_path: Path) -> None:
    resp = tmp_path / "huge.json"
    with open(resp, "wb") as f:  # sparse: no disk used, and nothing is read
        f.truncate(MAX_RESPONSE_BYTES + 1)
    code, _, err = run(capsys, "export", "-r", resp, "-o", tmp_path / "o.json")
    assert code == 1
    one_error_line(err, "huge.json", "100 MB limit")
    assert not (tmp_path / "o.json").exists()


def test_dev_zero_is_refused_quickly(capsys, tmp_path: Path) -> None:
    started = time.monotonic()
    code, _, err = run(capsys, "render", "-r", "/dev/zero", "-o", tmp_path / "o.png")
    assert code == 1
    one_error_line(err, "/dev/zero", "over the limit")
    assert time.monotonic() - started < 60  # it read at most the limit, not forever


def test_a_million_point_polygon_is_skipped_with_a_warning(capsys, tmp_path: Path) -> None:
    data = R.build_response("azure-v3")
    n = 1_000_000
    ring = [
        v for i in range(n) for v in (300 + 50 * math.cos(i / n * 6.283), 200 + 50 * math.sin(i / n * 6.283))
    ]
    data["analyzeResult"]["readResults"][0]["lines"][0]["words"][0]["boundingBox"] = ring
    resp = tmp_path / "r.json"
    resp.write_text(json.dumps(data))
    code, _, err = run(capsys, "render", "-r", resp, "-o", tmp_path / "o.png")
    assert code == 0
    assert f"over the limit of {MAX_POLYGON_POINTS:,}" in err and "skipped" in err
    with Image.open(tmp_path / "o.png") as picture:
        assert picture.size == (640, 480)


def test_too_many_points_in_a_document_is_one_line(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(model, "MAX_DOCUMENT_POINTS", 20)
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "export", "-r", resp, "-o", tmp_path / "o.json")
    assert code == 1
    one_error_line(err, "r.json", "more than 20 polygon points")


def test_a_coordinate_absurd_once_placed_is_one_line(capsys, tmp_path: Path) -> None:
    """Finite in the response, beyond any image once scaled by a tiny page size: refused, not drawn."""
    data = R.build_response("azure-v3")
    page = data["analyzeResult"]["readResults"][0]
    page.update(unit="inch", width=1e-6, height=1e-6 * 480 / 640)
    image = tmp_path / "i.png"
    Image.new("RGB", (640, 480), "white").save(image)
    for command, out in (("export", "o.json"), ("render", "o.png")):
        code, _, err = run(
            capsys, command, image, "-r", R.write_response(tmp_path / "r.json", data), "-o", tmp_path / out
        )
        assert code == 1, err
        one_error_line(err, "once placed on the image", f"±{MAX_COORDINATE:g}")
        assert not (tmp_path / out).exists()


def test_nan_and_infinity_copied_from_a_response_become_null_with_a_warning(capsys, tmp_path: Path) -> None:
    data = json.loads((CORPUS / "azure" / "formrecognizer-v2.1-iddocument-driverlicense.json").read_text())
    fields = data["analyzeResult"]["documentResults"][0]["fields"]
    fields["Extra"] = {"type": "number", "valueNumber": float("nan"), "confidence": float("inf")}
    resp = tmp_path / "r.json"
    resp.write_text(json.dumps(data))  # NaN / Infinity literals, as a broken service might send
    assert "NaN" in resp.read_text()
    code, _, err = run(capsys, "export", "-r", resp, "-o", tmp_path / "o.json")
    assert code == 0, err
    assert "2 value(s)" in err and "written as null" in err
    raw = (tmp_path / "o.json").read_text(encoding="utf-8")
    out = json.loads(raw, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    extra = out["extras"]["document_results"][0]["fields"]["Extra"]
    assert extra["valueNumber"] is None and extra["confidence"] is None


def test_lone_surrogate_and_control_text(capsys, tmp_path: Path) -> None:
    data = R.build_response("azure-v3")
    words = data["analyzeResult"]["readResults"][0]["lines"][0]["words"]
    words[0]["text"] = "a\ud800b"
    words[1]["text"] = "two\nlines\x00" + "x" * 1_100_000
    resp = tmp_path / "r.json"
    resp.write_text(json.dumps(data))  # \ud800 escaped, as JSON allows
    code, _, err = run(capsys, "export", "-r", resp, "-o", tmp_path / "o.json")
    assert code == 0, err
    text = (tmp_path / "o.json").read_bytes().decode("utf-8")  # valid UTF-8
    assert "a\ufffdb" in text
    code, _, err = run(capsys, "render", "-r", resp, "-o", tmp_path / "o.png")
    assert code == 0, err


def test_drawable_text() -> None:
    assert drawable_text("a\nb\tc\x00d\u2028e") == "a b c d e"
    assert drawable_text("x\ud800y") == "x\ufffdy"
    long = drawable_text("y" * 10_000)
    assert len(long) == MAX_LABEL_CHARS and long.endswith("\u2026")
    assert drawable_text("Seattle") == "Seattle"


def test_durations_read_well() -> None:
    assert seconds_text(19.9899) == "20 s"
    assert seconds_text(2.5) == "2.5 s"
    assert seconds_text(200) == "3 min 20 s"


def test_workspace_and_export_files_are_read_with_the_cap(tmp_path: Path) -> None:
    from ocrviewer.core.export import read_export
    from ocrviewer.core.limits import read_limited
    from ocrviewer.errors import BadInput

    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:
        f.truncate(MAX_RESPONSE_BYTES + 1)
    with pytest.raises(BadInput, match="over the 100 MB limit"):
        read_export(huge)
    with pytest.raises(BadInput, match="over the limit"):
        read_limited("/dev/zero")
    assert read_limited(__file__)[:3] == b'"""'
