"""ocrviewer.resources finds resources/ in a checkout, in a PyInstaller bundle and where a packager says."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ocrviewer import resources
from ocrviewer.errors import OcrViewerError

ROOT = Path(__file__).resolve().parents[2]


def test_checkout_resources_are_found() -> None:
    assert resources.resources_dir() == ROOT / "resources"
    assert resources.icon_path().is_file()
    assert resources.icon_path(64).is_file()


def test_bundle_folder_wins_over_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "resources" / "samples").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.samples_dir() == tmp_path / "resources" / "samples"


def test_environment_override_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    (tmp_path / "bundle" / "resources").mkdir(parents=True)
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path))
    assert resources.resources_dir() == tmp_path


def test_missing_folder_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path / "nowhere"))
    monkeypatch.setattr(resources, "__file__", str(tmp_path / "pkg" / "ocrviewer" / "resources.py"))
    with pytest.raises(OcrViewerError, match=r"nowhere.*OCRVIEWER_RESOURCES"):
        resources.resources_dir()
