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


