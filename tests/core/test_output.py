"""The one safe writer: never over an input, atomic, no leftovers, no followed symlinks, strict JSON."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ocrviewer.core.output import dumps_json, write_atomic
from ocrviewer.errors import BadInput


def test_writes_and_replaces(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    write_atomic(out, b"one")
    write_atomic(out, "two")
    assert out.read_text() == "two"
    assert sorted(os.listdir(tmp_path)) == ["out.json"]


def test_refuses_an_input_also_through_a_hard_link(tmp_path: Path) -> None:
    src = tmp_path / "image.jpg"
    src.write_bytes(b"precious")
    link = tmp_path / "link.jpg"
    os.link(src, link)
    for target in (src, link):
        with pytest.raises(BadInput, match="input file"):
            write_atomic(target, b"x", inputs=[src])
    assert src.read_bytes() == b"precious"


def test_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    def boom(f: object) -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "out.bin", boom)
    assert os.listdir(tmp_path) == []


def test_planted_symlink_at_a_guessable_temp_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    for name in ("out.json.tmp", ".out.json.tmp", "out.json.part", f".out.json.{os.getpid()}.tmp"):
        (tmp_path / name).symlink_to(victim)
    write_atomic(tmp_path / "out.json", b"{}")
    assert victim.read_text() == "keep me"
    assert (tmp_path / "out.json").read_bytes() == b"{}"


def test_strict_json() -> None:
    with pytest.raises(BadInput, match="not finite"):
        dumps_json({"x": float("inf")})
    assert dumps_json({"t": "a\ud800b"}).decode("utf-8") == '{"t": "a\ufffdb"}'
    assert dumps_json({"t": "\U0001f600"}).decode("utf-8") == '{"t": "\U0001f600"}'


@pytest.mark.skipif(not hasattr(__import__("signal"), "pthread_sigmask"), reason="POSIX signal masks")
# a Ctrl-C landing just after the file object is made drops that object unclosed (Python warns): expected here
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_ctrl_c_right_after_the_temp_file_is_created_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C the moment the temporary file exists: it is handled once the file is registered
    (single thread) or at once (another thread took the signal), and either way the writer
    removes the file (it used to escape before the clean-up began)."""
    import signal

    from ocrviewer.core import output

    real_open = os.open

    def open_then_ctrl_c(*args: object, **kwargs: object) -> int:
        fd = real_open(*args, **kwargs)  # type: ignore[arg-type]
        if str(args[0]).endswith(".tmp"):
            os.kill(os.getpid(), signal.SIGINT)
        return fd

    monkeypatch.setattr(output.os, "open", open_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "out.json", b"data")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []
    assert not output._pending
