"""Nothing written over an input, nothing left behind, no planted symlink followed (issue 11, items 2-3)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocrviewer.cli import main
from ocrviewer.core.sidecar import Sidecar, sidecar_path, write_sidecar
from ocrviewer.providers.cache import ResponseCache
from ocrviewer.providers.settings import save_settings
from tests.support import responses as R
from tests.support.images import make_text_image

ROOT = Path(__file__).resolve().parents[2]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: (p.read_bytes() if not p.is_symlink() else b"->") for p in sorted(folder.iterdir())}


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    image = make_text_image(tmp_path / "photo.jpg")
    resp = R.write_response(tmp_path / "resp.json", R.build_response("azure-v3"))
    write_sidecar(resp, Sidecar(provider="azure-read", image_path=str(image), frame="display"))
    return image, resp


@pytest.mark.parametrize("command", ["export", "render"])
def test_export_and_render_never_write_over_the_response_sidecar(capsys, inputs, command) -> None:
    image, resp = inputs
    before = _files(image.parent)
    code = main([command, str(image), "-r", str(resp), "-o", str(sidecar_path(resp))])
    assert code == 1 and "is an input file" in capsys.readouterr().err
    assert _files(image.parent) == before


OLD_TEMP_NAMES = ("{name}.tmp", ".{name}.tmp", "{name}.part", ".{name}.{pid}.tmp")


def _plant(folder: Path, name: str, victim: Path) -> None:
    for pattern in OLD_TEMP_NAMES:
        link = folder / pattern.format(name=name, pid=os.getpid())
        if not link.is_symlink():
            link.symlink_to(victim)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    v = tmp_path / "victim.txt"
    v.write_text("keep me")
    return v


@pytest.mark.parametrize("command", ["export", "render"])
def test_cli_outputs_do_not_follow_planted_symlinks(capsys, inputs, victim, command) -> None:
    image, resp = inputs
    out = image.parent / ("out.png" if command == "render" else "out.json")
    _plant(out.parent, out.name, victim)
    assert main([command, str(image), "-r", str(resp), "-o", str(out)]) == 0
    assert victim.read_text() == "keep me" and not out.is_symlink() and out.stat().st_size > 0


def test_sidecar_settings_and_cache_do_not_follow_planted_symlinks(tmp_path: Path, victim: Path) -> None:
    resp = tmp_path / "r.json"
    resp.write_text("{}")
    _plant(tmp_path, sidecar_path(resp).name, victim)
    write_sidecar(resp, Sidecar(provider="x"))
    settings = tmp_path / "providers.json"
    _plant(tmp_path, settings.name, victim)
    save_settings({"http.read_timeout": 5}, settings)
    cache = ResponseCache(tmp_path / "cache")
    key = "ab" * 32
    folder = tmp_path / "cache" / "responses" / "ab"
    folder.mkdir(parents=True)
    _plant(folder, key + ".json", victim)
    _plant(folder, key + ".json.ocrviewer.json", victim)
    cache.put(key, b"{}", ".json", Sidecar(provider="x"))
    assert victim.read_text() == "keep me"
    assert json.loads(settings.read_text()) == {"http.read_timeout": 5}
    assert cache.get(key) is not None


def _big_response(path: Path, words: int) -> Path:
    lines = []
    for i in range(words):
        x, y = (i % 100) * 10, (i // 100) * 10
        box = [x, y, x + 9, y, x + 9, y + 9, x, y + 9]
        lines.append({"boundingBox": box, "text": f"w{i}", "words": [{"boundingBox": box, "text": f"w{i}"}]})
    page = {"page": 1, "angle": 0, "width": 1000, "height": 10 + words // 10, "unit": "pixel", "lines": lines}
    path.write_text(json.dumps({"status": "succeeded", "analyzeResult": {"readResults": [page]}}))
    return path


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_export_leaves_nothing_behind(tmp_path: Path, signum: int) -> None:
    """SIGTERM (or Ctrl-C) once the temporary output exists: the process ends, no temporary file
    stays, and the output is either absent or complete (the rename is atomic)."""
    resp = _big_response(tmp_path / "big.json", 40_000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ocrviewer", "export", "-r", str(resp), "-o", str(out_dir / "o.json")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = False
    deadline = time.monotonic() + 300
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if any(n.endswith(".tmp") for n in os.listdir(out_dir)):
                proc.send_signal(signum)
                seen = True
                break
            time.sleep(0.0005)  # polling for the condition, not a guess at how long export takes
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    leftovers = [n for n in os.listdir(out_dir) if n != "o.json"]
    assert leftovers == []
    assert b"Traceback" not in err
    if seen and proc.returncode != 0:
        expected = 128 + signal.SIGTERM if signum == signal.SIGTERM else 130  # 130: "ocrviewer: cancelled"
        assert proc.returncode == expected and not (out_dir / "o.json").exists()
    if (out_dir / "o.json").exists():
        assert json.loads((out_dir / "o.json").read_bytes())["schema"] == "ocrviewer.document/1"
    assert seen, "the temporary output never appeared"
