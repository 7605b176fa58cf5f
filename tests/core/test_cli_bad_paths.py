"""Paths the file system refuses, for real (session 11's audit): a name too long for it, a file
nobody may read, a folder nobody may write in, a disk that is full. Every command answers with one
``ocrviewer: error:`` line saying what to do and exit status 1; nothing earlier is lost.

chmod 000 does not stop root (CI containers, this machine): as root the command runs as the
user ``nobody`` (the OS refuses it then), which needs the checkout and Python readable by
everyone; otherwise those tests are skipped with the reason. The full disk is a 64 KB tmpfs in a
private mount namespace (``unshare -m``: nothing outside sees it), skipped where that is not allowed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import responses as R
from tests.support.cli import one_error_line, run
from tests.support.images import make_text_image

ROOT = Path(__file__).resolve().parents[2]
LONG = "N" * 300  # a name of 300 bytes: file systems allow 255
NOBODY = 65534

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and mounts")


@pytest.fixture
def good(tmp_path: Path) -> dict[str, Path]:
    return {
        "image": make_text_image(tmp_path / "photo.jpg"),
        "response": R.write_response(tmp_path / "r.json", R.build_response("azure-v3")),
    }


def _long_name_cases(d: Path, image: Path, response: Path) -> dict[str, list[object]]:
    far = d / f"{LONG}.jpg"
    return {
        "info DOC": ["info", far],
        "info -r": ["info", image, "-r", d / f"{LONG}.json"],
        "export DOC": ["export", far, "-r", response, "-o", d / "o.json"],
        "export -o": ["export", image, "-r", response, "-o", d / f"{LONG}.json"],
        "render -r": ["render", image, "-r", d / f"{LONG}.json", "-o", d / "o.png"],
        "render -o": ["render", image, "-r", response, "-o", d / f"{LONG}.png"],
        "compare REFERENCE": ["compare", image, d / f"{LONG}.json", response],
        "compare --json": ["compare", image, response, response, "--json", d / f"{LONG}.json"],
        "recognize IMAGE": ["recognize", far, "-o", d / "o.json"],
        "recognize -o": ["recognize", image, "-o", d / f"{LONG}.json"],
        "manifest list": ["manifest", "list", d / LONG],
        "manifest merge": ["manifest", "merge", d / LONG, "-o", d / "m.jsonl"],
        "view IMAGE": ["view", far, "--screenshot", d / "s.png"],
        "view --screenshot": ["view", image, "--screenshot", d / f"{LONG}.png"],
    }


@pytest.mark.parametrize("case", list(_long_name_cases(Path("d"), Path("i"), Path("r"))))
def test_a_name_too_long_for_the_file_system_is_one_line(capsys, tmp_path: Path, good, case: str) -> None:  # noqa: ANN001
    """It was a traceback (pathlib's is_dir raises ENAMETOOLONG) or '[Errno 36] File name too long: ...'."""
    args = _long_name_cases(tmp_path, good["image"], good["response"])[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = run(capsys, *args)
    assert code == 1
    line = one_error_line(err, "too long")
    assert "Errno" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written instead


def _the_error(stderr: str, *needles: str) -> str:
    """The one error line of a command's stderr (recognize's progress lines around it), no traceback."""
    assert "Traceback" not in stderr, stderr
    return one_error_line(
        "\n".join(ln for ln in stderr.splitlines() if ln.startswith("ocrviewer: error")), *needles
    )


# -- as a user the OS refuses -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def refused_user() -> int | None:
    """The user id to run as so chmod matters: None (this user) when not root; ``nobody`` as root,
    once it is known nobody can run ocrviewer here."""
    if os.geteuid() != 0:
        return None
    probe = subprocess.run(
        [sys.executable, "-c", "import ocrviewer.cli, PIL"],
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd="/",
        capture_output=True,
        timeout=120,
    )
    if probe.returncode != 0:
        pytest.skip(
            "running as root, where chmod 000 does not stop a read, and the user nobody cannot run "
            f"ocrviewer from {ROOT} ({probe.stderr.decode(errors='replace').strip().splitlines()[-1:]})"
        )
    return NOBODY


@pytest.fixture
def shared_dir(refused_user: int | None) -> Iterator[Path]:
    """A folder the refused user may enter (pytest's tmp_path is private to root)."""
    d = Path(tempfile.mkdtemp(prefix="ocrviewer-perm-"))
    d.chmod(0o777)
    yield d
    for p in [d, *d.rglob("*")]:
        p.chmod(0o777) if p.is_dir() else p.chmod(0o666)
    shutil.rmtree(d)


def _as(user: int | None, args: list[object], cwd: Path) -> subprocess.CompletedProcess[str]:
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    home.chmod(0o777)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "OCRVIEWER_CACHE_DIR": str(home / "cache" / "ocrviewer"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
    }
    ids = {"user": user, "group": user, "extra_groups": []} if user is not None else {}
    return subprocess.run(
        [sys.executable, "-m", "ocrviewer", *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        **ids,  # type: ignore[arg-type]
    )


def _refused_cases(d: Path) -> dict[str, list[object]]:
    image, resp, lock_img, lock_resp = d / "photo.jpg", d / "r.json", d / "locked.jpg", d / "locked.json"
    return {
        "info": ["info", lock_img],
        "info -r": ["info", image, "-r", lock_resp],
        "export": ["export", lock_img, "-r", resp, "-o", d / "o.json"],
        "export -r": ["export", image, "-r", lock_resp, "-o", d / "o.json"],
        "render": ["render", lock_img, "-r", resp, "-o", d / "o.png"],
        "compare": ["compare", lock_img, resp, resp],
        "compare RESULT": ["compare", image, resp, lock_resp],
        "recognize": ["recognize", lock_img, "-o", d / "o.json"],
        "view": ["view", lock_img, "--screenshot", d / "s.png"],
        "view -r": ["view", image, "-r", lock_resp, "--screenshot", d / "s.png"],
    }


@pytest.mark.parametrize("case", list(_refused_cases(Path("d"))))
def test_a_file_nobody_may_read_is_one_line(shared_dir: Path, refused_user: int | None, case: str) -> None:
    """(view was a window saying it, exit status 0, with --screenshot a picture of the message)"""
    d = shared_dir
    make_text_image(d / "photo.jpg")
    R.write_response(d / "r.json", R.build_response("azure-v3"))
    shutil.copy(d / "photo.jpg", d / "locked.jpg")
    shutil.copy(d / "r.json", d / "locked.json")
    for name in ("locked.jpg", "locked.json"):
        (d / name).chmod(0o000)
    proc = _as(refused_user, _refused_cases(d)[case], d)
    assert proc.returncode == 1, proc.stderr
    line = _the_error(proc.stderr, "locked.")
    assert "ermission" in line
    assert not any((d / n).exists() for n in ("o.json", "o.png", "s.png"))


@pytest.mark.parametrize("command", ["export", "render", "compare", "recognize", "view"])
def test_a_folder_nobody_may_write_in_is_one_line(
    shared_dir: Path, refused_user: int | None, command: str
) -> None:
    d = shared_dir
    image = make_text_image(d / "photo.jpg")
    resp = R.write_response(d / "r.json", R.build_response("azure-v3"))
    shut = d / "shut"
    shut.mkdir()
    shut.chmod(0o555)
    args: list[object] = {
        "export": ["export", image, "-r", resp, "-o", shut / "o.json"],
        "render": ["render", image, "-r", resp, "-o", shut / "o.png"],
        "compare": ["compare", image, resp, resp, "--report", shut / "o.html"],
        "recognize": ["recognize", image, "-o", shut / "o.json"],
        "view": ["view", image, "--screenshot", shut / "o.png"],
    }[command]
    proc = _as(refused_user, args, d)
    assert proc.returncode == 1, proc.stderr
    _the_error(proc.stderr, str(shut), "cannot write")
    assert list(shut.iterdir()) == []


# -- a full disk --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_mount() -> str:
    """Skips unless a tmpfs can be mounted in a private mount namespace here."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare (util-linux) to mount a small tmpfs privately")
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a private namespace here ({probe.stderr.strip()})")
    return unshare


#: fills the tmpfs at $1 after writing an earlier output there, runs ocrviewer ("$@" after $1),
#: then shows what is left: the earlier file's text and the folder's names
_ON_A_FULL_DISK = r"""
d=$1; shift
mount -t tmpfs -o size=64k tmpfs "$d" || exit 99
printf 'EARLIER' > "$d/out.json"; printf 'EARLIER' > "$d/out.png"; printf 'EARLIER' > "$d/out.html"
dd if=/dev/zero of="$d/fill" bs=4k 2>/dev/null
"$PYTHON" -m ocrviewer "$@"
echo "status=$?" >&2
echo "json=$(cat "$d/out.json") png=$(cat "$d/out.png") html=$(cat "$d/out.html")"
ls -A "$d" | tr '\n' ' '
"""


@pytest.mark.parametrize("command", ["export", "render", "compare", "recognize", "view"])
def test_a_full_disk_is_one_line_and_the_earlier_output_is_kept(
    tiny_mount: str, tmp_path: Path, good, command: str
) -> None:  # noqa: ANN001
    d = tmp_path / "disk"
    d.mkdir()
    image, resp = good["image"], good["response"]
    args: list[object] = {
        "export": ["export", image, "-r", resp, "-o", d / "out.json"],
        "render": ["render", image, "-r", resp, "-o", d / "out.png"],
        "compare": ["compare", image, resp, resp, "--report", d / "out.html"],
        "recognize": ["recognize", image, "-o", d / "out.json"],
        "view": ["view", image, "--screenshot", d / "out.png"],
    }[command]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHON": sys.executable, "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    proc = subprocess.run(
        [tiny_mount, "-m", "sh", "-c", _ON_A_FULL_DISK, "sh", str(d), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    err = proc.stderr.splitlines()
    assert err and err[-1] == "status=1", proc.stderr
    line = _the_error("\n".join(err[:-1]), "out.")
    assert "No space left on device" in line or "disk" in line.lower(), line
    if command == "recognize":
        assert "cache" in line  # the response itself is kept, and the line says where
    shown, names = proc.stdout.splitlines()
    assert shown == "json=EARLIER png=EARLIER html=EARLIER"  # nothing earlier lost or cut short
    assert sorted(names.split()) == ["fill", "out.html", "out.json", "out.png"]  # no temporary file left
