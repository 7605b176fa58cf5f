"""Small things a fuzz run found (issue 11, item 8): warnings in one line, odd EXIF tags, version floors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("tag", [0, 9, 65535])
def test_an_invalid_exif_orientation_is_shown_with_a_warning(capsys, tmp_path: Path, tag: int) -> None:
    image = tmp_path / "odd.jpg"
    img = Image.new("RGB", (64, 48), "white")
    exif = img.getexif()
    exif[0x0112] = tag
    img.save(image, exif=exif)
    assert main(["info", str(image)]) == 0
    out = capsys.readouterr().out
    assert "orientation: 1 (normal)" in out
    assert f"invalid EXIF orientation {tag}, treated as 1 (normal)" in out


def test_pillow_warnings_are_one_line_of_ours(tmp_path: Path) -> None:
    """A JPEG whose EXIF block is cut: Pillow warns (file:line, then the source line); we say it once."""
    image = tmp_path / "cut-exif.jpg"
    ifd = b"MM\x00*\x00\x00\x00\x08\x00\x02"
    ifd += b"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x01\x00\x00"  # Orientation 1
    ifd += b"\x01\x0f\x00\x02\x00\x00\x00\x40\x00\x00\x01\x00"  # Make: 64 bytes past the end
    Image.new("RGB", (64, 48), "white").save(image, exif=b"Exif\x00\x00" + ifd)
    done = subprocess.run(
        [sys.executable, "-m", "ocrviewer", "info", str(image)],
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "default"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(ln.startswith("ocrviewer: warning: ") for ln in lines), done.stderr
    assert len(lines) == len(set(lines))
    assert "warnings.warn" not in done.stderr and "UserWarning" not in done.stderr


def test_dependency_floors_exclude_known_vulnerable_releases() -> None:
    deps = (ROOT / "pyproject.toml").read_text()  # (tomllib is 3.11+; the project supports 3.10)
    assert '"pillow>=10.3"' in deps  # libwebp CVE-2023-4863 (10.0.1), CVE-2024-28219 (10.3)
    assert '"requests>=2.32.4"' in deps  # CVE-2024-35195, CVE-2024-47081
