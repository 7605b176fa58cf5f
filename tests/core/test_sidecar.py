"""The sidecar next to a response: round trip, and a broken one is one line saying what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrviewer.cli import main
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.sidecar import Sidecar, read_sidecar, sidecar_path, write_sidecar
from ocrviewer.errors import BadInput
from tests.support import responses as R
from tests.support.images import make_text_image


def test_round_trip(tmp_path: Path) -> None:
    resp = tmp_path / "r.json"
    side = Sidecar(
        provider="yandex",
        api_version="ocr/v1",
        options={"model": "page"},
        image_sha256="ab" * 32,
        transform=FrameTransform(640, 480, orientation=6, scale_x=2, scale_y=2),
        frame="display",
        request_id="req-1",
    )
    assert write_sidecar(resp, side) == sidecar_path(resp) == tmp_path / "r.json.ocrviewer.json"
    assert read_sidecar(resp) == side


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{not json", "unreadable sidecar"),
        ("[1, 2]", "not an ocrviewer.sidecar/1 sidecar"),
        ('{"schema": "ocrviewer.sidecar/1", "options": 5}', "options must be a JSON object, not int"),
        ('{"schema": "ocrviewer.sidecar/1", "transform": "hello"}', "transform must be a JSON object"),
        ('{"schema": "ocrviewer.sidecar/1", "extras": [1]}', "extras must be a JSON object"),
        ('{"schema": "ocrviewer.sidecar/1", "provider": 3}', "provider must be text"),
        (
            '{"schema": "ocrviewer.sidecar/1", "transform": {"source_width": 640, "source_height": 480, '
            '"orientation": 42}}',
            "orientation must be 1..8",
        ),
    ],
)
def test_a_broken_sidecar_is_one_line_saying_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    image = make_text_image(tmp_path / "i.jpg", 6)
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3", orientation=6))
    sidecar_path(resp).write_text(content)
    with pytest.raises(BadInput) as err:
        read_sidecar(resp)
    assert said in str(err.value) and "delete" in str(err.value)
    code = main(["export", str(image), "-r", str(resp), "-o", str(tmp_path / "o.json")])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith(f"ocrviewer: error: {sidecar_path(resp)}: ") and said in lines[0]
    assert "delete" in lines[0] and not (tmp_path / "o.json").exists()
    assert json.loads(resp.read_text())  # the response is untouched
