"""The workspace model: many results on a page, saved and reopened offline, bad input one line each."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from ocrviewer.core import parsers
from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.loading import load_result
from ocrviewer.core.sources import open_source
from ocrviewer.core.workspace import (
    SCHEMA,
    Origin,
    Result,
    SourceRef,
    Workspace,
    open_workspace,
    page_for,
    read_workspace,
)
from ocrviewer.errors import BadInput
from tests.support import responses as R
from tests.support.images import make_text_image


def polygons(result: Result) -> list[tuple[str, tuple[tuple[float, float], ...]]]:
    assert result.document is not None, result.problem
    return [(w.text, tuple(w.polygon)) for w in result.document.words()]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with a rotated photo, two responses (two frames) and a ground truth."""
    folder = tmp_path / "project"
    folder.mkdir()
    make_text_image(folder / "photo.jpg", orientation=6)
    R.write_response(folder / "yandex.json", R.build_response("yandex", orientation=6, frame="raw"))
    R.write_response(folder / "azure.json", R.build_response("azure-v3", orientation=6, frame="display"))
    R.write_response(folder / "truth.json", R.build_response("azure-v3", orientation=6, frame="display"))
    return folder


def build(folder: Path) -> Workspace:
    image = folder / "photo.jpg"
    ws = Workspace()
    events: list[str] = []
    ws.subscribe(lambda e: events.append(e.kind))
    ws.set_source(SourceRef(str(image), "image"), [page_for(image, read_image_info(image))])
    a = ws.add_result(0, Result.from_loaded(load_result(folder / "yandex.json", image)))
    ws.add_result(0, Result.from_loaded(load_result(folder / "azure.json", image)))
    ws.add_result(0, Result.from_loaded(load_result(folder / "truth.json", image), role="truth"))
    # a user correction on the first result: shift it by 3 px
    corrected = a.corrected_to(a.transform.then(dx=3.0))  # type: ignore[union-attr]
    ws.replace_result(0, corrected)
    ws.show(0, a.id)
    assert events[:3] == ["source", "added", "shown"] and events[-2:] == ["changed", "shown"]
    return ws


def test_round_trip_after_moving_the_folder(project: Path, tmp_path: Path) -> None:
    ws = build(project)
    before = {r.id: (r.name, r.role, polygons(r)) for r in ws.pages[0].results}
    saved = ws.save(project / "work.ocrviewer-workspace.json")
    data = json.loads(saved.read_text())
    assert data["schema"] == SCHEMA
    assert not any(str(project) in json.dumps(p) for p in data["pages"])  # relative paths only

    moved = tmp_path / "elsewhere"
    shutil.move(str(project), moved)
    again, notes = open_workspace(moved / "work.ocrviewer-workspace.json")
    assert notes == []
    assert {r.id: (r.name, r.role, polygons(r)) for r in again.pages[0].results} == before
    page = again.pages[0]
    assert page.shown == ws.pages[0].shown
    first = page.results[0]
    assert first.corrected and first.transform != first.detected
    assert [r.role for r in page.results] == ["result", "result", "truth"]
    assert first.origin.kind == "file" and first.origin.path == str(moved / "yandex.json")


def test_reopening_parses_each_response_once_and_calls_no_service(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project).save(project / "w.json")
    calls: list[str] = []
    real = parsers._parse
    monkeypatch.setattr(parsers, "_parse", lambda fmt, data: calls.append(fmt) or real(fmt, data))
    monkeypatch.setattr("socket.socket.connect", lambda *a: pytest.fail("a workspace must open offline"))
    ws, _ = open_workspace(project / "w.json")
    assert len(calls) == len(ws.pages[0].results) == 3


def test_changed_image_is_named_and_its_results_are_not_placed(project: Path) -> None:
    build(project).save(project / "w.json")
    make_text_image(project / "photo.jpg", orientation=1)  # another picture under the same name
    ws, notes = open_workspace(project / "w.json")
    assert len(notes) == 1 and "photo.jpg" in notes[0] and "sha256" in notes[0] and "\n" not in notes[0]
    assert all(r.document is None and r.problem for r in ws.pages[0].results)
    assert len(ws.pages[0].results) == 3  # kept, so saving again loses nothing


def test_missing_response_is_one_line_and_the_rest_opens(project: Path) -> None:
    build(project).save(project / "w.json")
    (project / "azure.json").unlink()
    ws, notes = open_workspace(project / "w.json")
    assert len(notes) == 1 and "azure.json" in notes[0] and "missing" in notes[0]
    placed = [r.name for r in ws.pages[0].results if r.document is not None]
    assert placed == ["yandex.json", "truth.json"]


def test_newer_schema_says_so_and_opens_what_it_can(project: Path) -> None:
    path = build(project).save(project / "w.json")
    data = json.loads(path.read_text())
    data["schema"] = "ocrviewer.workspace/7"
    data["pages"][0]["results"].append({"id": "x", "role": "opinion"})
    path.write_text(json.dumps(data))
    ws, notes = open_workspace(path)
    assert len(notes) == 2
    assert "newer" in notes[0] and "workspace/7" in notes[0]
    assert "result 4 of page 1" in notes[1]
    assert len([r for r in ws.pages[0].results if r.document is not None]) == 3


def test_not_a_workspace_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "resp.json"
    p.write_text('{"result": {}}')
    with pytest.raises(BadInput, match="not an ocrviewer workspace"):
        read_workspace(p)


def test_save_never_writes_over_an_input(project: Path) -> None:
    ws = build(project)
    with pytest.raises(BadInput, match="input file"):
        ws.save(project / "azure.json")
    assert json.loads((project / "azure.json").read_text())  # untouched
    with pytest.raises(BadInput, match="input file"):  # nor over a response's sidecar
        ws.save(project / "azure.json.ocrviewer.json")
    assert not (project / "azure.json.ocrviewer.json").exists()


def test_provider_origin_round_trips(project: Path) -> None:
    ws = build(project)
    r = Result.from_loaded(
        load_result(project / "azure.json", project / "photo.jpg"),
        name="azure run",
        origin=Origin(
            "provider", provider="azure-read", options={"model": "read"}, time="2026-01-01T00:00:00+00:00"
        ),
    )
    ws.add_result(0, r)
    ws.save(project / "w.json")
    again, _ = read_workspace(project / "w.json")
    got = again.pages[0].results[-1].origin
    assert (got.kind, got.provider, dict(got.options), got.time) == (
        "provider",
        "azure-read",
        {"model": "read"},
        "2026-01-01T00:00:00+00:00",
    )


def test_single_image_source(project: Path) -> None:
    source = open_source(project / "photo.jpg")
    assert source.kind == "image" and len(source.pages) == 1
    page = source.pages[0]
    assert page.index == 0 and page.size == read_image_info(project / "photo.jpg").display_size
    assert page.render(max_side=100).size[0] <= 100


def test_check_marks_are_saved_with_their_result_and_old_files_still_open(project: Path) -> None:
    from ocrviewer.core.checking import CheckSession

    ws = build(project)
    first = ws.pages[0].results[1]  # azure: every word 0.98
    assert first.document is not None
    session = CheckSession(first.document, threshold=0.99)  # every word (0.98) is a suspect
    session.mark((0, 0, 0, 0), "corrected", "Hallo")
    session.mark((0, 0, 1, 0), "wrong")
    events: list[str] = []
    ws.subscribe(lambda e: events.append(e.kind))
    ws.set_check(0, first.id, session.marks_to_dict())
    assert events == ["checked"]
    saved = ws.save(project / "work.ocrviewer-workspace.json")
    data = json.loads(saved.read_text())
    assert [("check" in r) for r in data["pages"][0]["results"]] == [False, True, False]

    again, notes = open_workspace(saved)
    assert notes == []
    result = again.pages[0].results[1]
    assert result.check is not None and result.document is not None
    restored = CheckSession.from_dict(result.document, result.check)
    assert restored.marks == session.marks and restored.progress_text() == "2 of 5 checked"
    assert [w.text for w in restored.ground_truth().words()][0] == "Hallo"

    # a file from before check marks (no "check"), and one whose marks are not marks
    del data["pages"][0]["results"][1]["check"]
    data["pages"][0]["results"][0]["check"] = ["not", "marks"]
    saved.write_text(json.dumps(data))
    old, notes = open_workspace(saved)
    assert [r.check for r in old.pages[0].results] == [None, None, None]
    assert len(notes) == 1 and "check marks of result 1 on page 1" in notes[0]
    assert all(r.document is not None for r in old.pages[0].results)  # every result still opens


@pytest.mark.skipif(os.name == "nt" or sys.platform == "darwin", reason="file names as bytes: Linux")
def test_file_names_that_are_not_utf8_round_trip(tmp_path: Path) -> None:
    """A photo and response named in Latin-1 bytes (an old camera card, a Windows share): the names
    were saved with U+FFFD in place of the bytes, and the reopened workspace reported the image missing."""
    folder = tmp_path / os.fsdecode(b"caf\xe9")  # the folder too
    folder.mkdir()
    image = Path(os.fsdecode(bytes(folder) + b"/re\xe7u.jpg"))
    response = Path(os.fsdecode(bytes(folder) + b"/r\xe9ponse.json"))
    make_text_image(image, orientation=6)
    R.write_response(response, R.build_response("yandex", orientation=6, frame="raw"))
    ws = Workspace()
    ws.set_source(SourceRef(str(image), "image"), [page_for(image, read_image_info(image))])
    ws.add_result(0, Result.from_loaded(load_result(response, image)))
    before = polygons(ws.pages[0].results[0])
    saved = ws.save(folder / "work.ocrviewer-workspace.json")

    text = saved.read_bytes().decode("utf-8")  # still UTF-8 JSON any reader takes
    data = json.loads(text)
    assert data["pages"][0]["image"] == "re\ufffdu.jpg"  # readable, for a person or an older ocrviewer

    again, notes = open_workspace(saved)
    assert notes == []
    page = again.pages[0]
    assert page.image_path == str(image) and page.problem is None
    assert again.source is not None and again.source.path == str(image)
    result = page.results[0]
    assert result.response_path == str(response) and result.problem is None
    assert polygons(result) == before
