"""The normalized result file: every field ocrviewer writes is read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrviewer.core.export import read_export, write_export
from ocrviewer.core.loading import load_result
from ocrviewer.errors import BadInput
from tests.support import responses as R
from tests.support.images import make_text_image


def test_write_then_read_back_every_field(tmp_path: Path) -> None:
    image = make_text_image(tmp_path / "photo.jpg", orientation=6)
    resp = R.write_response(tmp_path / "r.json", R.build_response("yandex", orientation=6, frame="raw"))
    loaded = load_result(resp, image)
    corrected = loaded.transform.then(dx=5.0)
    corrections = ({"time": "2026-01-01T00:00:00+00:00", "transform": corrected.to_dict()},)
    out = write_export(
        tmp_path / "out.json",
        corrected.apply_document(loaded.source),
        inputs=[resp, image],
        response_path=resp,
        image_path=image,
        decision=loaded.decision,
        transform=corrected,
        corrections=corrections,
        warnings=("a note",),
    )
    doc, info = read_export(out)
    assert (info.response, info.image) == ("r.json", "photo.jpg")
    assert info.decision == loaded.decision.__class__.from_dict(loaded.decision.to_dict())
    assert info.decision.frame == "raw" and info.decision.transform == loaded.transform
    assert info.transform == corrected and info.corrections == corrections
    assert "ocrviewer" not in doc.extras and "a note" in doc.warnings
    assert [w.bbox for w in doc.words()] == [w.bbox for w in corrected.apply_document(loaded.source).words()]


def test_never_over_an_input_and_strict_json(tmp_path: Path) -> None:
    image = make_text_image(tmp_path / "photo.jpg")
    resp = R.write_response(tmp_path / "r.json", R.build_response("yandex"))
    loaded = load_result(resp, image)
    before = resp.read_bytes()
    with pytest.raises(BadInput, match="input file"):
        write_export(resp, loaded.document, inputs=[resp, image], decision=loaded.decision)
    assert resp.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))  # nothing left behind
    json.loads((write_export(tmp_path / "o.json", loaded.document)).read_text())
