"""Pytest fixtures over :mod:`tests.support.images`; import the ones you need into a test module.

from tests.support.fixtures import oriented_image, oriented_images  # noqa: F401
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .images import ORIENTATIONS, make_all_orientations


@pytest.fixture(scope="module")
def oriented_images(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """{orientation: JPEG path} for all 8 orientations, each displaying the default page (made once per module)."""
    return make_all_orientations(tmp_path_factory.mktemp("oriented"))


@pytest.fixture(params=ORIENTATIONS, ids=[f"orient{o}" for o in ORIENTATIONS])
def orientation(request: pytest.FixtureRequest) -> int:
    """Each EXIF orientation 1..8 in turn."""
    return int(request.param)


@pytest.fixture
def oriented_image(oriented_images: dict[int, Path], orientation: int) -> tuple[int, Path]:
    """(orientation, path) for each of the 8 orientations in turn."""
    return orientation, oriented_images[orientation]
