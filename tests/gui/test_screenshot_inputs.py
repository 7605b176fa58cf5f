"""``view --screenshot`` never writes over the image, the response or their sidecars (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.cli import main
from ocrviewer.core.sidecar import Sidecar, sidecar_path, write_sidecar
from tests.support import responses as R
from tests.support.images import make_text_image


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    image = make_text_image(tmp_path / "photo.jpg")
    resp = R.write_response(tmp_path / "resp.json", R.build_response("azure-v3"))
    write_sidecar(resp, Sidecar(provider="azure-read", image_path=str(image), frame="display"))
    return image, resp


@pytest.mark.parametrize("target", ["image", "response", "response sidecar"])
def test_screenshot_over_an_input_is_refused(capsys, inputs, target) -> None:
    image, resp = inputs
    out = {"image": image, "response": resp, "response sidecar": sidecar_path(resp)}[target]
    before = _files(image.parent)
    code = main(["view", str(image), "-r", str(resp), "--screenshot", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "is an input file" in err, err
    assert _files(image.parent) == before


def test_screenshot_over_the_image_a_sidecar_names_is_refused(qapp, capsys, inputs) -> None:
    """The image is not on the command line: the window found it through the response's sidecar."""
    image, resp = inputs
    before = _files(image.parent)
    code = main(["view", "-r", str(resp), "--screenshot", str(image), "--size", "800x600"])
    err = capsys.readouterr().err
    assert code == 1 and "is an input file" in err, err
    assert _files(image.parent) == before


def test_the_windows_save_writes_standard_json_and_leaves_nothing(loaded, tmp_path) -> None:
    """NaN copied through a response and a lone surrogate in a word: strict UTF-8 JSON, no .tmp left."""
    import dataclasses
    import json

    from ocrviewer.core.geometry import FrameTransform
    from tests.gui.conftest import words_document
    from tests.support.images import DEFAULT_DISPLAY_SIZE

    doc = words_document()
    page = doc.pages[0]
    block = page.blocks[0]
    line = block.lines[0]
    odd = dataclasses.replace(line.words[0], text="a\ud800b")
    line = dataclasses.replace(line, words=(odd, *line.words[1:]))
    block = dataclasses.replace(block, lines=(line, *block.lines[1:]))
    page = dataclasses.replace(page, blocks=(block, *page.blocks[1:]))
    doc = dataclasses.replace(doc, pages=(page,), extras={"score": float("nan"), "ok": 1})
    loaded.state.set_response(doc, FrameTransform.identity(*DEFAULT_DISPLAY_SIZE))
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "saved.json"
    assert loaded.files.save(str(out)) is not None
    data = json.loads(out.read_bytes().decode("utf-8"), parse_constant=lambda c: pytest.fail(c))
    assert data["extras"]["score"] is None and data["extras"]["ok"] == 1
    assert "a\ufffdb" in out.read_text(encoding="utf-8")
    assert [p.name for p in folder.iterdir()] == ["saved.json"]
