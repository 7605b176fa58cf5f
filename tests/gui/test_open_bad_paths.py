"""The window's open paths (File > Open, a drop, the command line's FILE all end in
``open_path``) given what a person can give by mistake: one line in the message bar saying what is
wrong and what to do, the window still running and still showing what it showed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.gui.test_adversarial_window import error_line
from tests.support.documents import make_broken_pdf, make_encrypted_pdf, make_pdf
from tests.support.images import make_text_image


def _truncated(tmp_path: Path, name: str) -> Path:
    whole = make_pdf(tmp_path / "whole.pdf", 2)
    data = whole.read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) // 2])
    return tmp_path / name


#: name -> (make the bad path in tmp_path, what the line must say)
CASES = {
    "missing": (lambda d: d / "nope.jpg", ["nope.jpg", "no such"]),
    "an empty folder": (lambda d: (d / "empty").mkdir() or d / "empty", ["empty", "holds no images"]),
    "text named .jpg": (
        lambda d: (d / "notes.jpg").write_text("hello\n") and d / "notes.jpg",
        ["notes.jpg", "not an image"],
    ),
    "a PDF cut short": (lambda d: _truncated(d, "cut.pdf"), ["cut.pdf", "re-download"]),
    "a damaged PDF": (lambda d: make_broken_pdf(d / "broken.pdf"), ["broken.pdf"]),
    "an encrypted PDF": (
        lambda d: make_encrypted_pdf(d / "locked.pdf"),
        ["locked.pdf", "encrypted", "decrypt"],
    ),
    "a name too long": (lambda d: d / ("N" * 300 + ".jpg"), ["too long", "shorter"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_path_is_one_line_and_the_open_picture_stays(window, qtbot, tmp_path: Path, case: str) -> None:
    good = make_text_image(tmp_path / "good.jpg")
    assert window.files.open_image(str(good))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full and not window.files.busy, timeout=30000)
    make, needles = CASES[case]
    window.files.open_path(str(make(tmp_path)))
    error_line(window, qtbot, *needles)
    assert window.isVisible()
    assert window.state.image_path is not None and Path(window.state.image_path).name == "good.jpg"


def test_a_file_name_that_is_not_utf8_opens(window, qtbot, tmp_path: Path) -> None:
    """A name in Latin-1 from an old archive (bytes Python keeps as surrogates): the picture opens,
    and the title or messages showing the name do not fail on it."""
    raw = os.fsencode(tmp_path) + b"/scan-\xe9t\xe9.jpg"
    make_text_image(raw.decode("utf-8", "surrogateescape"))
    name = os.fsdecode(raw)
    window.files.open_path(name)
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full and not window.files.busy, timeout=30000)
    assert window.state.image_path is not None and os.fsencode(window.state.image_path) == raw
    assert not (window.message_bar.isVisible() and window.message_bar.level == "error"), (
        window.message_bar.text
    )


def test_a_response_that_cannot_be_read_is_one_line(window, qtbot, tmp_path: Path) -> None:
    good = make_text_image(tmp_path / "good.jpg")
    assert window.files.open_image(str(good))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full and not window.files.busy, timeout=30000)
    (tmp_path / "folder.json").mkdir()
    window.files.open_response(str(tmp_path / "folder.json"))
    error_line(window, qtbot, "folder.json")
    window.message_bar.hide()
    window.files.open_response(str(tmp_path / ("R" * 300 + ".json")))
    error_line(window, qtbot, "too long")
