"""scripts/install (the README's first command) on a Debian/Ubuntu desktop where system packages are missing: as
root, as a user with sudo, and as a user without it (where it can only say what to ask for). The package tools are
stand-ins on PATH (dpkg-query answers from a list, apt-get records what it is asked); the script is the real one,
copied into a checkout of its own. Nothing here reaches a package index: each case stops before pip."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bash, Debian's package tools")


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _machine(
    tmp_path: Path, *, uid: int, sudo: str | None, missing: str, update_fails: bool = False, t64: str = ""
) -> Path:
    """Stand-ins for id, sudo ('nopasswd', 'denied' or None: not installed), dpkg-query and apt-get. dpkg-query
    answers as the real one: a status line per package it has (every one but ``missing``; of the names ending
    in t64, Ubuntu 24.04's, only those in ``t64``), an error and exit 1 for each it has not."""
    tools = tmp_path / "tools"
    tools.mkdir()
    log = tmp_path / "apt.log"
    _tool(tools, "id", f'[ "$1" = -u ] && {{ echo {uid}; exit 0; }}\nexec /usr/bin/id "$@"\n')
    if sudo == "nopasswd":
        _tool(tools, "sudo", f'[ "$1" = -n ] && shift\necho "sudo $*" >> "{log}"\nexec "$@"\n')
    elif sudo == "denied":
        _tool(tools, "sudo", 'echo "sudo: a password is required" >&2\nexit 1\n')
    else:
        _tool(tools, "sudo", "exit 127\n")  # then hidden from `command -v` below
        (tools / "sudo").unlink()
    _tool(
        tools,
        "dpkg-query",
        f"""rc=0
for p in "$@"; do
  case "$p" in -*) continue ;; esac
  has=1
  case " {missing} " in *" $p "*) has=0 ;; esac
  case "$p" in *t64) has=0 ;; esac
  case " {t64} " in *" $p "*) has=1 ;; esac
  if ((has)); then echo "install ok installed"; else echo "dpkg-query: no packages found matching $p" >&2; rc=1; fi
done
exit $rc
""",
    )
    update = "exit 100" if update_fails else "exit 0"
    # 'install' fails on purpose: the case ends there, before the environment and pip
    _tool(
        tools,
        "apt-get",
        f'echo "apt-get $*" >> "{log}"\n[ "$1" = update ] && {update}\n[ "$1" = install ] && exit 3\nexit 0\n',
    )
    return tools


def _run(tmp_path: Path, tools: Path, *args: str) -> subprocess.CompletedProcess[str]:
    checkout = tmp_path / "my checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "install", checkout / "scripts" / "install")
    path = f"{tools}:/usr/bin:/bin"
    if not (tools / "sudo").exists():  # no sudo on the machine: hide the real one
        path = f"{tools}:{_without_sudo(tmp_path)}"
    env = {"HOME": str(tmp_path), "PATH": path, "LANG": "C.UTF-8", "PYTHON": sys.executable}
    return subprocess.run(
        ["bash", str(checkout / "scripts" / "install"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,  # no terminal: sudo could not ask for a password
        cwd=tmp_path,
    )


def _without_sudo(tmp_path: Path) -> Path:
    """/usr/bin and /bin's commands the script uses, but not sudo."""
    folder = tmp_path / "bin-without-sudo"
    folder.mkdir()
    for name in ("bash", "grep", "dirname", "rm", "cat", "env", "readlink"):
        found = shutil.which(name, path="/usr/bin:/bin")
        if found:
            (folder / name).symlink_to(found)
    return folder


def _log(tmp_path: Path) -> list[str]:
    log = tmp_path / "apt.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.mark.parametrize("sudo", ["denied", None])
def test_without_root_or_sudo_it_says_in_one_line_what_to_install(tmp_path: Path, sudo: str | None) -> None:
    tools = _machine(tmp_path, uid=1000, sudo=sudo, missing="libegl1 libxcb-cursor0")
    result = _run(tmp_path, tools)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "sudo apt-get install libegl1 libxcb-cursor0" in lines[0] and "administrator" in lines[0]
    assert _log(tmp_path) == []  # apt-get never tried
    assert not (tmp_path / "my checkout" / ".venv").exists()


def test_with_sudo_the_missing_packages_are_installed_through_it(tmp_path: Path) -> None:
    tools = _machine(tmp_path, uid=1000, sudo="nopasswd", missing="libegl1 libxcb-cursor0")
    result = _run(tmp_path, tools)
    assert result.returncode != 0  # the stand-in apt-get's install fails: the case ends there
    assert "install: apt-get install libegl1 libxcb-cursor0" in result.stdout
    log = _log(tmp_path)
    assert "sudo apt-get update -qq" in log
    assert "sudo apt-get install -y -qq --no-install-recommends libegl1 libxcb-cursor0" in log


def test_ubuntu_24_04s_t64_packages_count_as_installed(tmp_path: Path) -> None:
    """Ubuntu 24.04 has GLib as libglib2.0-0t64 (libglib2.0-0 is only a name it provides): found installed, so a
    second run asks for no password and works offline; where neither name is installed, it is asked for."""
    tools = _machine(tmp_path, uid=1000, sudo=None, missing="libglib2.0-0", t64="libglib2.0-0t64")
    result = _run(tmp_path, tools)
    assert "missing system packages" not in result.stderr, result.stderr
    assert _log(tmp_path) == []
    other = tmp_path / "other"
    other.mkdir()
    tools = _machine(other, uid=1000, sudo=None, missing="libglib2.0-0")
    result = _run(other, tools)
    assert result.returncode == 1
    assert "sudo apt-get install libglib2.0-0'" in result.stderr.strip().splitlines()[0]


def test_as_root_no_sudo_is_needed_and_a_failing_update_does_not_stop_it(tmp_path: Path) -> None:
    """A desktop's broken third-party apt source makes 'apt-get update' fail; the install goes on."""
    tools = _machine(tmp_path, uid=0, sudo=None, missing="xvfb", update_fails=True)
    result = _run(tmp_path, tools, "--test")
    log = _log(tmp_path)
    assert log == ["apt-get update -qq", "apt-get install -y -qq --no-install-recommends xvfb"], result.stderr
    assert "apt-get update failed" in result.stderr


def test_a_python_older_than_3_10_is_named_with_what_to_do(tmp_path: Path) -> None:
    """Debian 11's python3 is 3.9: pip's own 'requires a different Python' came after minutes of work."""
    tools = _machine(tmp_path, uid=1000, sudo=None, missing="")
    _tool(tools, "python3.9", 'case "$*" in *print*) echo 3.9 ;; *) exit 1 ;; esac\n')
    checkout = tmp_path / "my checkout"
    (checkout / "scripts").mkdir(parents=True)
    script = shutil.copy(ROOT / "scripts" / "install", checkout / "scripts" / "install")
    env = {"HOME": str(tmp_path), "PATH": f"{tools}:/usr/bin:/bin", "PYTHON": "python3.9", "LANG": "C.UTF-8"}
    result = subprocess.run(
        ["bash", script], capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Python 3.9" in lines[0] and "3.10 or newer" in lines[0] and "PYTHON=" in lines[0]
    assert not (checkout / ".venv").exists()


def _checkout_with_fake_pip(tmp_path: Path) -> tuple[Path, Path]:
    """A checkout (the real script, a pyproject and a package) with a real .venv whose pip is a stand-in: it logs
    each call, and 'install -e' makes the checkout's package importable the way an editable install does."""
    checkout = tmp_path / "my checkout ü"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "install", checkout / "scripts" / "install")
    (checkout / "pyproject.toml").write_text('[project]\nname = "ocrviewer"\n', encoding="utf-8")
    (checkout / "ocrviewer").mkdir()
    (checkout / "ocrviewer" / "__init__.py").write_text("", encoding="utf-8")
    venv = checkout / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    log = tmp_path / "pip.log"
    (site / "pip").mkdir(parents=True)
    (site / "pip" / "__init__.py").write_text("", encoding="utf-8")
    (site / "pip" / "__main__.py").write_text(
        "import pathlib, sys\n"
        f"with open({str(log)!r}, 'a') as f: f.write(' '.join(sys.argv[1:]) + '\\n')\n"
        "if sys.argv[1] == 'install':\n"
        f"    pathlib.Path({str(site / 'ocrviewer.pth')!r}).write_text({str(checkout)!r})\n",
        encoding="utf-8",
    )
    return checkout, log


def test_a_second_run_with_nothing_changed_does_not_run_pip(tmp_path: Path) -> None:
    """Seconds, and it works offline; a changed pyproject.toml or an extra not installed yet runs pip again."""
    tools = _machine(tmp_path, uid=1000, sudo=None, missing="")
    checkout, log = _checkout_with_fake_pip(tmp_path)
    env = {"HOME": str(tmp_path), "PATH": f"{tools}:/usr/bin:/bin", "LANG": "C.UTF-8"}

    def install(*args: str) -> list[str]:
        before = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        result = subprocess.run(
            ["bash", str(checkout / "scripts" / "install"), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
            cwd=tmp_path,  # from another folder
        )
        assert result.returncode == 0, result.stderr
        assert "install: ready in" in result.stdout
        calls = log.read_text(encoding="utf-8").splitlines()[len(before) :]
        return [c.split(" -e ")[-1] for c in calls if c.startswith("install")]

    assert install() == [".[local]"]
    assert install() == []
    assert install("--test") == [".[local,test,bench]"]
    assert install() == [] and install("--test") == []  # the viewer's extras came with the test's
    (checkout / "pyproject.toml").write_text(
        '[project]\nname = "ocrviewer"\nversion = "2"\n', encoding="utf-8"
    )
    assert install() == [".[local]"]
    assert install("--test") == [".[local,test,bench]"]
    # a package gone from the environment (the editable install removed): installed again
    next(checkout.glob(".venv/lib/*/site-packages/ocrviewer.pth")).unlink()
    assert install() == [".[local]"]
