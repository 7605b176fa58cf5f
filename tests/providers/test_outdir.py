"""A batch's OUTDIR read back without Qt: what the window and the command line both open."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ocrviewer.errors import BadInput
from ocrviewer.providers.batch import MANIFEST, read_manifest
from ocrviewer.providers.outdir import is_manifest, is_outdir, outdir_source, response_page, source_records
from tests.support.cli import one_error_line, run
from tests.support.documents import make_batch_outdir


def test_an_outdir_is_a_folder_with_a_manifest(tmp_path: Path) -> None:
    _pdf, out = make_batch_outdir(tmp_path)
    assert is_outdir(out)
    assert not is_outdir(out / MANIFEST)  # the manifest itself is not a folder
    assert not is_outdir(tmp_path / "missing")
    assert is_manifest(out / MANIFEST)
    renamed = shutil.copy(out / MANIFEST, tmp_path / "shard.jsonl")
    assert is_manifest(renamed)  # a manifest by its first line, whatever its name
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"page": 1}) + "\n")
    assert not is_manifest(other)
    assert not is_manifest(tmp_path / "missing.jsonl")
    (out / MANIFEST).unlink()
    assert not is_outdir(out)


def test_an_outdir_names_its_document_and_each_response_s_page(tmp_path: Path) -> None:
    pdf, out = make_batch_outdir(tmp_path)
    source, records = outdir_source(out)
    assert source == pdf
    # page 3 failed (no response): the three others, each on its own source page
    assert [r.response for r in records] == ["scan.p0001.json", "scan.p0002.json", "scan.p0004.json"]
    assert [response_page(r) for r in records] == [0, 1, 3]
    assert response_page(replace(records[0], covered=(1, 2))) is None  # a whole-document response
    every = read_manifest(out / MANIFEST)
    assert source_records(every, "scan.pdf") == records
    assert source_records(every, "another.pdf") == []


def test_an_outdir_finds_its_document_beside_it_when_the_sidecars_point_elsewhere(tmp_path: Path) -> None:
    pdf, out = make_batch_outdir(tmp_path, pages=2)
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(pdf, moved / pdf.name)
    with pytest.raises(BadInput, match="cannot find scan.pdf, the document this batch read; put it next"):
        outdir_source(out)
    shutil.move(moved / pdf.name, out / pdf.name)  # in the OUTDIR itself
    assert outdir_source(out)[0] == out / pdf.name


def test_an_empty_manifest_says_to_run_a_batch_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("")
    with pytest.raises(BadInput, match="the manifest lists nothing; run a batch into it first"):
        outdir_source(out)


def test_the_command_line_reads_an_outdir_or_its_manifest_as_the_window_does(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf, out = make_batch_outdir(tmp_path)
    shard = shutil.copy(out / MANIFEST, out / "shard.jsonl")
    for response in (out, shard):  # the folder, or its manifest under another name
        code, stdout, err = run(capsys, "export", pdf, "--response", response, "-o", tmp_path / "all.json")
        assert code == 0, err
        assert "3 of 4 pages" in stdout
        exported = json.loads((tmp_path / "all.json").read_text())
        words = {p["index"]: p["blocks"][0]["lines"][0]["words"][0]["text"] for p in exported["pages"]}
        assert words == {0: "p1w0", 1: "p2w0", 3: "p4w0"}  # each response on its own page
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "export", pdf, "--response", empty, "-o", tmp_path / "none.json")
    assert code == 1
    one_error_line(err, "a folder without manifest.jsonl; give a response file or a batch's OUTDIR")
    assert not (tmp_path / "none.json").exists()
