"""packaging/install-desktop.sh as a user runs it after the README's first command: a fresh checkout with the
.venv that scripts/install made and no bundle, a home folder whose name has spaces and non-ASCII letters, no root."""

from __future__ import annotations

import shlex
import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.ocrviewer.OcrViewer"


def _checkout(where: Path, with_venv: bool = True) -> Path:
    """What the script reads of a checkout, and (``with_venv``) a .venv whose ocrviewer records its arguments."""
    (where / "packaging").mkdir(parents=True)
    shutil.copy(ROOT / "packaging" / "install-desktop.sh", where / "packaging")
    shutil.copytree(ROOT / "resources" / "linux", where / "resources" / "linux")
    shutil.copytree(ROOT / "resources" / "icons", where / "resources" / "icons")
    if with_venv:
        exe = where / ".venv" / "bin" / "ocrviewer"
        exe.parent.mkdir(parents=True)
        exe.write_text(
            '#!/bin/sh\n[ "$1" = --version ] && { echo "ocrviewer 9.9"; exit 0; }\n'
            'printf "%s\\n" "$@" > "$(dirname "$(readlink -f "$0")")/ran-with"\n',
            encoding="utf-8",
        )
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return where


def _run(checkout: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    script = checkout / "packaging" / "install-desktop.sh"
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True, timeout=120, env=env)


def _exec_argv(desktop: Path) -> list[str]:
    """The Exec line as a launcher reads it: string escapes first, then the spec's (shell-like) quoting."""
    line = next(x for x in desktop.read_text(encoding="utf-8").splitlines() if x.startswith("Exec="))
    return shlex.split(line.removeprefix("Exec=").replace("\\\\", "\\"))


def test_menu_entry_for_the_checkouts_venv_under_a_home_with_spaces(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path / "my clone ü")
    home = tmp_path / "dësk hömé" / "ユーザー"
    home.mkdir(parents=True)
    installed = _run(checkout, home)
    assert installed.returncode == 0, installed.stderr
    assert "ocrviewer 9.9" in installed.stdout and "scripts/install" not in installed.stderr

    local = home / ".local"
    desktop = local / "share" / "applications" / f"{APP_ID}.desktop"
    tool = shutil.which("desktop-file-validate")
    if tool is not None:
        checked = subprocess.run([tool, str(desktop)], capture_output=True, text=True, timeout=120)
        assert checked.returncode == 0 and "error" not in checked.stdout.lower(), checked.stdout
    # the menu starts the checkout's viewer, by its full path (its folder has a space), with the file opened
    argv = _exec_argv(desktop)
    exe = checkout / ".venv" / "bin" / "ocrviewer"
    assert argv == [str(exe), "view", "%f"]
    subprocess.run([argv[0], "view", "/tmp/a photo.jpg"], check=True, timeout=60)
    assert (exe.parent / "ran-with").read_text(encoding="utf-8").splitlines() == ["view", "/tmp/a photo.jpg"]
    try_exec = next(x for x in desktop.read_text(encoding="utf-8").splitlines() if x.startswith("TryExec="))
    assert try_exec == f"TryExec={exe}"
    # the command, the icon the entry names, and the AppStream data
    command = local / "bin" / "ocrviewer"
    assert (
        subprocess.run([str(command), "--version"], capture_output=True, text=True).stdout
        == "ocrviewer 9.9\n"
    )
    assert (local / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    assert (local / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (local / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()

    removed = _run(checkout, home, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    left = [p for p in local.rglob("*") if p.is_file() or p.is_symlink()]
    assert [p.name for p in left if p.name != "mimeinfo.cache"] == []
    assert exe.is_file()  # the checkout itself is left alone


def test_nothing_to_install_says_what_to_run_first(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path / "clone", with_venv=False)
    home = tmp_path / "home"
    home.mkdir()
    result = _run(checkout, home)
    assert result.returncode == 1
    assert "run 'bash scripts/install' first" in result.stderr
    assert not (home / ".local" / "share" / "applications").exists()


def test_a_built_bundle_is_copied_and_its_entry_runs_it_from_a_home_with_spaces(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path / "clone")
    (checkout / "dist").mkdir()
    shutil.move(checkout / ".venv" / "bin", checkout / "dist" / "ocrviewer")  # a stand-in for the bundle
    home = tmp_path / "my home"
    home.mkdir()
    installed = _run(checkout, home)
    assert installed.returncode == 0, installed.stderr
    local = home / ".local"
    argv = _exec_argv(local / "share" / "applications" / f"{APP_ID}.desktop")
    assert argv == [str(local / "bin" / "ocrviewer"), "view", "%f"]
    subprocess.run([argv[0], "view", "x.jpg"], check=True, timeout=60)
    assert (local / "lib" / "ocrviewer" / "ran-with").read_text(encoding="utf-8").split() == ["view", "x.jpg"]
    assert _run(checkout, home, "--uninstall").returncode == 0
    assert not (local / "lib" / "ocrviewer").exists() and not (local / "bin" / "ocrviewer").exists()
