"""Ink evidence ranks the true orientation first, on generated pages and on real photos."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrviewer.core.frames import detect_frame
from ocrviewer.core.geometry import FrameTransform, inverse_orientation
from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.ink import ink_map_from_path, rank_orientations
from ocrviewer.core.parsers import load_response, parse_response
from tests.support.images import ORIENTATIONS, layout_words, make_all_orientations
from tests.support.responses import build_response

DATA = Path(__file__).resolve().parent.parent / "data"
LINES = ["Invoice 2024 total", "Milk 2.50 bread 1.20", "Paid by card", "Thank you"]


@pytest.fixture(scope="module")
def text_pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[int, Path], list, tuple[int, int]]:
    words, size = layout_words(LINES, font_size=36)
    paths = make_all_orientations(tmp_path_factory.mktemp("ink"), words, size, style="text")
    return paths, words, size


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_generated_page_raw_frame_response_ranks_its_orientation_first(
    text_pages: tuple[dict[int, Path], list, tuple[int, int]], orientation: int
) -> None:
    paths, words, size = text_pages
    # the service saw the stored pixels: its coordinates need `orientation` to reach the display
    raw = parse_response(build_response("azure-v3", words, orientation, size, frame="raw"))
    page = raw.pages[0]
    ranking = rank_orientations(raw, ink_map_from_path(paths[orientation]), (page.width, page.height))
    assert ranking[0].orientation == orientation
    assert ranking[0].score > ranking[1].score + 0.05


@pytest.mark.parametrize("name", ["Portrait_3", "Portrait_6", "Portrait_8"])
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_real_photo_every_wrong_frame_is_found(name: str, orientation: int) -> None:
    image = DATA / "corpus" / "exif" / f"{name}.jpg"
    shown = load_response(DATA / "exif-local" / f"{name}.local.json")  # displayed frame
    w, h = read_image_info(image).display_size
    # the same response in the frame that `orientation` maps onto the display
    response = FrameTransform(w, h, orientation=inverse_orientation(orientation)).apply_document(shown)
    page = response.pages[0]
    ranking = rank_orientations(response, ink_map_from_path(image), (page.width, page.height))
    assert ranking[0].orientation == orientation, [c.describe() for c in ranking[:3]]


@pytest.mark.parametrize("orientation", [2, 3, 4])
def test_detect_frame_uses_ink_where_size_cannot_decide(
    text_pages: tuple[dict[int, Path], list, tuple[int, int]], orientation: int
) -> None:
    paths, words, size = text_pages
    # upright-looking polygons (no vertex-order hint) and no stated angle: only the ink can tell
    data = build_response("yandex", words, orientation, size, frame="raw")
    raw = parse_response(data)
    raw = raw.with_pages([p.mapped(lambda x, y: (x, y), p.width, p.height) for p in raw.pages])
    info = read_image_info(paths[orientation])
    decision = detect_frame(raw, info, ink=lambda: ink_map_from_path(paths[orientation]))
    assert decision.frame == "raw"
    assert any("ink" in r for r in decision.reasons), decision.reasons
    assert decision.evidence["ink"][0]["orientation"] == orientation
