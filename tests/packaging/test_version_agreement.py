"""One version, kept in ocrviewer/__init__.py; the command, the metadata, the wheel and the metainfo agree."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import ocrviewer
from ocrviewer.cli import main

ROOT = Path(__file__).resolve().parents[2]
METAINFO = ROOT / "resources" / "linux" / "io.github.ocrviewer.OcrViewer.metainfo.xml"


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def test_version_command_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"ocrviewer {ocrviewer.__version__}"


def test_installed_metadata_has_the_package_version() -> None:
    installed = importlib.metadata.version("ocrviewer")
    assert installed == ocrviewer.__version__, (
        f"installed metadata says {installed}; reinstall with: python -m pip install -e ."
    )


def test_metainfo_newest_release_is_the_package_version() -> None:
    releases = ET.parse(METAINFO).getroot().findall("releases/release")
    assert releases, "the metainfo has no <release>"
    versions = [r.get("version", "") for r in releases]
    assert versions == sorted(versions, key=_version_key, reverse=True), (
        "releases must be listed newest first"
    )
    assert versions[0] == ocrviewer.__version__, (
        f'metainfo\'s newest release is {versions[0]}; add <release version="{ocrviewer.__version__}"> to {METAINFO}'
    )


@pytest.mark.slow
def test_built_wheel_has_the_package_version(tmp_path: Path) -> None:
    setuptools = pytest.importorskip(
        "setuptools", reason="building the wheel needs setuptools (the build backend)"
    )
    if _version_key(setuptools.__version__) < (70, 1):  # older setuptools builds wheels through 'wheel'
        pytest.importorskip("wheel", reason="setuptools < 70.1 needs the 'wheel' package to build a wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel_file,) = tmp_path.glob("ocrviewer-*.whl")
    with zipfile.ZipFile(wheel_file) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode("utf-8")
    version = next(
        line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Version:")
    )
    assert version == ocrviewer.__version__
