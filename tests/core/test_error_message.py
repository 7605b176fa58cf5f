"""What a person is told about an error, without Qt: one line, the file named once, what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.errors import BadResponse, ImageError, error_message


def test_our_own_errors_are_said_as_they_are_with_the_file_named_once(tmp_path: Path) -> None:
    scan = tmp_path / "scan.jpg"
    err = ImageError(f"{scan}: truncated; save it again or give another file")
    assert error_message(err, scan) == str(err)  # the message names it already: not twice
    assert error_message(BadResponse("not JSON; give the service's answer"), "r.json") == (
        "r.json: not JSON; give the service's answer"
    )
    assert error_message(BadResponse("not JSON")) == "not JSON"


def test_a_file_that_cannot_be_read_says_what_to_check(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(OSError) as info:
        open(missing)  # noqa: SIM115 (the error is the point)
    said = error_message(info.value)
    assert said == f"{missing}: No such file or directory; check the file, its folder and their permissions"


def test_a_bug_met_on_the_way_is_one_line_asking_for_a_report() -> None:
    said = error_message(ValueError("lines\nwords"), "page 3")
    assert said == "page 3: Unexpected error (ValueError: lines words); please report it"
    assert error_message(RuntimeError()) == "Unexpected error (RuntimeError: RuntimeError); please report it"


def test_a_control_character_in_a_name_does_not_split_the_line() -> None:
    said = error_message(BadResponse("unknown shape; give a response file"), "scan\x1b1.json")
    assert "\n" not in said and "\x1b" not in said
    assert said.startswith("scan\\x1b1.json: ")
