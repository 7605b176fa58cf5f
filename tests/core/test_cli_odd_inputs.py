"""Odd paths on the command line (session 7's pass): a newline in a file name, symbolic links that
loop or point nowhere, and the viewer started where there is no display."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import responses as R
from tests.support.cli import one_error_line, run
from tests.support.images import make_text_image

ROOT = Path(__file__).resolve().parents[2]


def test_a_newline_in_a_file_name_keeps_the_error_on_one_line(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "scan\n1.jpg"
    bad.write_bytes(b"")
    code, _, err = run(capsys, "info", bad)
    assert code == 1
    one_error_line(err, "scan\\n1.jpg", "the file is empty")


@pytest.mark.parametrize("command", ["info", "render"])
def test_a_symbolic_link_loop_is_named_as_one(capsys, tmp_path: Path, command: str) -> None:
    (tmp_path / "a.jpg").symlink_to(tmp_path / "b.jpg")
    (tmp_path / "b.jpg").symlink_to(tmp_path / "a.jpg")
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    extra = ["-r", resp, "-o", tmp_path / "out.png"] if command == "render" else []
    code, _, err = run(capsys, command, tmp_path / "a.jpg", *extra)
    assert code == 1
    one_error_line(err, "a.jpg", "symbolic link that leads back to itself")
    assert not (tmp_path / "out.png").exists()


def test_a_dangling_link_names_its_target(capsys, tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").symlink_to(tmp_path / "moved" / "photo.jpg")
    image = make_text_image(tmp_path / "real.jpg")
    (tmp_path / "resp.json").symlink_to(tmp_path / "gone.json")
    code, _, err = run(capsys, "info", tmp_path / "photo.jpg")
    assert code == 1
    one_error_line(err, "a symbolic link to", "moved/photo.jpg", "does not exist")
    code, _, err = run(capsys, "info", image, "-r", tmp_path / "resp.json")
    assert code == 1
    one_error_line(err, "a symbolic link to", "gone.json", "response file")


def _no_display_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return {**env, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland display variables")
def test_view_without_a_display_is_one_line_not_a_qt_abort(tmp_path: Path) -> None:
    """Over ssh or in a container Qt aborted (exit 134) with five lines about its xcb plugin."""
    image = make_text_image(tmp_path / "photo.jpg")
    proc = subprocess.run(
        [sys.executable, "-m", "ocrviewer", "view", str(image)],
        capture_output=True,
        text=True,
        env=_no_display_env(),
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    one_error_line(proc.stderr, "no display", "--screenshot")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland display variables")
def test_a_screenshot_needs_no_display(tmp_path: Path) -> None:
    image = make_text_image(tmp_path / "photo.jpg")
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocrviewer",
            "view",
            str(image),
            "--screenshot",
            str(shot),
            "--size",
            "640x480",
        ],
        capture_output=True,
        text=True,
        env=_no_display_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert shot.is_file() and shot.stat().st_size > 0
    assert "propagateSizeHints" not in proc.stderr


def test_a_file_named_with_a_leading_dash_gets_a_hint(capsys, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    make_text_image(tmp_path / "-scan.jpg")
    with pytest.raises(SystemExit) as info:
        run(capsys, "info", "-scan.jpg")
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "write ./-scan.jpg, or put -- before it" in err
    code, out, _ = run(capsys, "info", "--", "-scan.jpg")
    assert code == 0 and "-scan.jpg" in out


def test_a_png_of_0x0_pixels_says_so(capsys, tmp_path: Path) -> None:
    """Pillow cannot identify it, which read as 'not an image ...; use JPEG, PNG' for a PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 0, 0, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )
    (tmp_path / "zero.png").write_bytes(png)
    code, _, err = run(capsys, "info", tmp_path / "zero.png")
    assert code == 1
    one_error_line(err, "zero.png", "0x0 pixels", "re-export")


def test_a_folder_with_a_looping_link_lists_it_as_skipped(capsys, tmp_path: Path) -> None:
    """A symbolic link loop inside a folder: listing it raised OSError (ELOOP) with a traceback."""
    (tmp_path / "scans").mkdir()
    make_text_image(tmp_path / "scans" / "page1.jpg")
    (tmp_path / "scans" / "a.jpg").symlink_to(tmp_path / "scans" / "b.jpg")
    (tmp_path / "scans" / "b.jpg").symlink_to(tmp_path / "scans" / "a.jpg")
    (tmp_path / "scans" / "gone.jpg").symlink_to(tmp_path / "elsewhere.jpg")
    code, out, err = run(capsys, "info", tmp_path / "scans")
    assert code == 0, err
    assert "kind: folder, 1 page(s)" in out
    assert "skipped: a.jpg: a symbolic link that leads back to itself" in out
    assert "skipped: gone.jpg: a symbolic link to" in out


def _free_display_number() -> int:
    """An X display number nothing listens on (no socket file, no abstract socket claimed by a test)."""
    return next(
        n for n in range(97, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists() and not _lock(n).exists()
    )


def _lock(n: int) -> Path:
    return Path(f"/tmp/.X{n}-lock")


def _view(tmp_path: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    image = make_text_image(tmp_path / "photo.jpg")
    return subprocess.run(
        [sys.executable, "-m", "ocrviewer", "view", str(image), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland display variables")
def test_view_on_a_display_nobody_answers_at_is_one_line(tmp_path: Path) -> None:
    """DISPLAY=:97 with no X server there (a stale ssh session's): Qt aborted (exit 134, five lines)."""
    env = {**_no_display_env(), "DISPLAY": f":{_free_display_number()}"}
    proc = _view(tmp_path, env)
    assert proc.returncode == 1, proc.stderr
    one_error_line(
        proc.stderr, "no display answers at DISPLAY=:", "start X", "--screenshot", "QT_QPA_PLATFORM"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland display variables")
def test_python_m_ocrviewer_on_a_tcp_display_nobody_answers_at_is_one_line(tmp_path: Path) -> None:
    env = {**_no_display_env(), "DISPLAY": f"127.0.0.1:{_free_display_number()}.0"}
    proc = subprocess.run(
        [sys.executable, "-m", "ocrviewer"], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 1, proc.stderr
    one_error_line(proc.stderr, "no display answers at DISPLAY=127.0.0.1:")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland display variables")
def test_view_on_a_wayland_socket_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {**_no_display_env(), "WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(runtime)}
    proc = _view(tmp_path, env)
    assert proc.returncode == 1, proc.stderr
    one_error_line(proc.stderr, "no display answers at WAYLAND_DISPLAY=wayland-9", "--screenshot")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 display")
def test_a_display_nobody_answers_at_still_takes_a_screenshot(tmp_path: Path) -> None:
    env = {**_no_display_env(), "DISPLAY": f":{_free_display_number()}"}
    shot = tmp_path / "shot.png"
    proc = _view(tmp_path, env, "--screenshot", str(shot), "--size", "640x480")
    assert proc.returncode == 0, proc.stderr
    assert shot.is_file() and shot.stat().st_size > 0


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("Xvfb"), reason="needs Xvfb")
def test_a_working_x_display_is_not_refused(tmp_path: Path) -> None:
    """A real X server (Xvfb, started here and waited for by its socket) is used, not refused."""
    xvfb, number = _xvfb()
    try:
        env = {**_no_display_env(), "DISPLAY": f":{number}"}
        shot = tmp_path / "shot.png"
        proc = _view(tmp_path, env, "--screenshot", str(shot), "--size", "640x480")
        assert proc.returncode == 0, proc.stderr
        assert "no display" not in proc.stderr
        assert shot.is_file() and shot.stat().st_size > 0
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Wayland display variables")
def test_qt_qpa_platform_wayland_with_no_compositor_is_one_line(tmp_path: Path) -> None:
    """QT_QPA_PLATFORM=wayland (set in a profile) with no compositor: Qt aborted (exit 134, six lines)."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {**_no_display_env(), "QT_QPA_PLATFORM": "wayland", "XDG_RUNTIME_DIR": str(runtime)}
    proc = _view(tmp_path, env)
    assert proc.returncode == 1, proc.stderr
    one_error_line(proc.stderr, "QT_QPA_PLATFORM=wayland", "no display answers at WAYLAND_DISPLAY=wayland-0")


def _xvfb() -> tuple[subprocess.Popen[bytes], int]:
    """A real X server on a display number it picks itself (-displayfd) and reports once it accepts
    connections. A number chosen here first was free only until another suite on the machine started its
    own Xvfb on it: the second server exited ("Xvfb exited") or a test talked to the other one."""
    read, write = os.pipe()
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write,),
        )
        os.close(write)
        write = -1
        answer = b""
        deadline = time.monotonic() + 60
        while not answer.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read], [], [], left)[0]:
                xvfb.kill()
                xvfb.wait(timeout=30)
                pytest.fail("Xvfb did not start within 60 s")
            chunk = os.read(read, 64)
            if not chunk:
                xvfb.wait(timeout=30)
                pytest.fail(f"Xvfb exited (status {xvfb.returncode}) before it named its display")
            answer += chunk
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)
    return xvfb, int(answer)


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("Xvfb"), reason="needs Xvfb")
@pytest.mark.parametrize("forced", [None, "wayland"])
def test_an_x_session_with_a_stale_wayland_display(tmp_path: Path, forced: str | None) -> None:
    """An X session left with WAYLAND_DISPLAY (and XDG_SESSION_TYPE=wayland) from an earlier Wayland login:
    Qt tried Wayland first and printed two lines about it; the window opens on X, standard error empty.
    With QT_QPA_PLATFORM=wayland in a profile as well, Qt aborted (exit 134): one line says to unset it."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    xvfb, number = _xvfb()
    try:
        env = {
            **_no_display_env(),
            "DISPLAY": f":{number}",
            "WAYLAND_DISPLAY": "wayland-9",
            "XDG_SESSION_TYPE": "wayland",
            "XDG_RUNTIME_DIR": str(runtime),
        }
        if forced:
            proc = _view(tmp_path, {**env, "QT_QPA_PLATFORM": forced})
            assert proc.returncode == 1, proc.stderr
            one_error_line(proc.stderr, "WAYLAND_DISPLAY=wayland-9", "unset QT_QPA_PLATFORM")
            return
        shot = tmp_path / "shot.png"
        proc = _view(tmp_path, env, "--screenshot", str(shot), "--size", "640x480")
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == ""
        assert shot.is_file() and shot.stat().st_size > 0
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)
