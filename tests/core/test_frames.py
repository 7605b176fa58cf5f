"""Frame detection and placement: every orientation, both frames, Yandex and Azure shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocrviewer.core.frames import detect_frame
from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.loading import load_result
from ocrviewer.core.model import Document
from ocrviewer.core.parsers import parse_response
from ocrviewer.core.prepare import file_sha256
from ocrviewer.core.sidecar import Sidecar, write_sidecar
from ocrviewer.errors import BadInput
from tests.support import responses as R
from tests.support.images import (
    DEFAULT_DISPLAY_SIZE,
    DEFAULT_WORDS,
    ORIENTATIONS,
    make_all_orientations,
    make_text_image,
)

BOXES = dict(DEFAULT_WORDS)


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    return make_all_orientations(tmp_path_factory.mktemp("orient"))


def assert_on_boxes(
    doc: Document, boxes: dict[str, tuple[float, float, float, float]] = BOXES, tol: float = 1.5
):
    words = list(doc.words())
    assert sorted(w.text for w in words) == sorted(boxes)
    for w in words:
        got = w.bbox
        want = boxes[w.text]
        assert all(abs(a - b) <= tol for a, b in zip(got, want, strict=True)), (w.text, got, want)


@pytest.mark.parametrize("shape", R.SHAPES)
@pytest.mark.parametrize("frame", R.FRAMES)
@pytest.mark.parametrize("o", ORIENTATIONS)
def test_auto_places_words_on_the_boxes_as_displayed(
    tmp_path, images, o: int, frame: str, shape: str
) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response(shape, orientation=o, frame=frame))
    result = load_result(resp, images[o])
    expected = "display" if o == 1 else frame
    assert result.decision.frame == expected, result.decision.reasons
    assert result.decision.confidence >= (0.7 if o in (2, 3, 4) else 0.9)
    assert result.decision.reasons
    assert_on_boxes(result.document)
    page = result.document.pages[0]
    assert (page.width, page.height) == DEFAULT_DISPLAY_SIZE


@pytest.mark.parametrize("o", [2, 3, 4, 6])
@pytest.mark.parametrize("frame", R.FRAMES)
def test_forced_frame_is_honoured_and_disagreement_warned(tmp_path, images, o: int, frame: str) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3", orientation=o, frame=frame))
    other = "raw" if frame == "display" else "display"
    right = load_result(resp, images[o], frame=frame)
    assert right.decision.frame == frame and right.decision.method == "forced"
    assert not right.decision.warnings
    assert_on_boxes(right.document)
    wrong = load_result(resp, images[o], frame=other)
    assert wrong.decision.frame == other
    assert any(f"points to the {frame} frame" in w for w in wrong.warnings)


@pytest.mark.parametrize("o", [5, 6, 7, 8])
@pytest.mark.parametrize("shape", R.SHAPES)
def test_square_images_are_decided_by_reading_direction(tmp_path, o: int, shape: str) -> None:
    words = [("alpha", (20, 20, 180, 60)), ("beta", (200, 20, 330, 60)), ("gamma", (20, 120, 200, 160))]
    image = make_text_image(tmp_path / "sq.jpg", o, words, (400, 400))
    for frame in R.FRAMES:
        resp = R.write_response(
            tmp_path / f"{frame}.json", R.build_response(shape, words, o, (400, 400), frame)
        )
        result = load_result(resp, image)
        assert result.decision.frame == frame, result.decision.reasons
        assert any("page size cannot decide" in r for r in result.decision.reasons)
        assert_on_boxes(result.document, dict(words))


@pytest.mark.parametrize("o", [1, 3, 6])
@pytest.mark.parametrize("frame", R.FRAMES)
def test_shrunk_response_is_scaled_back_and_reported(tmp_path, images, o: int, frame: str) -> None:
    resp = R.write_response(
        tmp_path / "r.json", R.build_response("azure-v3", orientation=o, frame=frame, scale=0.5)
    )
    result = load_result(resp, images[o])
    d = result.decision
    assert d.scaled and d.transform.scale_x == pytest.approx(2.0)
    pw, ph = R.frame_size(o, DEFAULT_DISPLAY_SIZE, frame)
    assert any(
        f"response page {pw // 2:.0f}x{ph // 2:.0f} is 0.5x the image; scaled x2" in r for r in d.reasons
    )
    assert_on_boxes(result.document)


def test_shrink_by_odd_factor_with_rounded_page(tmp_path, images) -> None:
    data = R.build_response("yandex", orientation=6, frame="raw", scale=0.37)
    resp = R.write_response(tmp_path / "r.json", data)  # Yandex rounds everything to whole pixels
    result = load_result(resp, images[6])
    assert result.decision.frame == "raw"
    assert_on_boxes(result.document, tol=3.0)


@pytest.mark.parametrize("o", [1, 6])
def test_inch_page_is_converted_with_the_image_size(tmp_path, images, o: int) -> None:
    lay = R.layout(orientation=o, frame="raw", scale=1 / 100)  # 100 px per inch
    resp = R.write_response(tmp_path / "r.json", R.azure_read_v3_response(lay, unit="inch"))
    result = load_result(resp, images[o])
    d = result.decision
    assert d.unit == "inch" and d.scaled
    assert d.transform.scale_x == pytest.approx(100, rel=1e-3)
    assert any("inch" in r and "converted" in r for r in d.reasons)
    assert_on_boxes(result.document)


def test_inch_page_without_image_asks_for_the_image(tmp_path) -> None:
    resp = R.write_response(
        tmp_path / "r.json", R.azure_read_v3_response(R.layout(scale=1 / 100), unit="inch")
    )
    with pytest.raises(BadInput, match="pass the image"):
        load_result(resp)


def test_sidecar_transform_is_picked_up(tmp_path, images) -> None:
    # The response was made on a half-size prepared copy; only the sidecar knows it.
    data = R.build_response("azure-v3", orientation=1, frame="display", scale=0.5)
    data["analyzeResult"]["readResults"][0].pop("width")
    data["analyzeResult"]["readResults"][0].pop("height")
    resp = R.write_response(tmp_path / "r.json", data)
    transform = FrameTransform(640, 480, scale_x=2.0, scale_y=2.0)
    write_sidecar(resp, Sidecar(provider="azure", image_sha256=file_sha256(images[6]), transform=transform))
    result = load_result(resp, images[6])
    assert result.decision.method == "sidecar" and result.decision.confidence == 1.0
    assert result.decision.transform == transform
    assert not result.warnings
    assert_on_boxes(result.document)


def test_forced_frame_overrides_the_sidecar(tmp_path, images) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3", orientation=3, frame="raw"))
    write_sidecar(resp, Sidecar(provider="azure", transform=FrameTransform(640, 480, scale_x=2, scale_y=2)))
    result = load_result(resp, images[3], frame="raw")
    assert result.decision.method == "forced" and result.decision.transform.scale_x == 1
    assert any("sidecar's transform" in w and "ignored" in w for w in result.warnings)
    assert_on_boxes(result.document)


def test_sidecar_for_another_image_is_warned(tmp_path, images) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    write_sidecar(resp, Sidecar(provider="azure", image_sha256="0" * 64, transform=FrameTransform(640, 480)))
    result = load_result(resp, images[1])
    assert any("sha256 differs" in w for w in result.warnings)


def test_sidecar_names_the_image(tmp_path, images) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("yandex", orientation=3, frame="raw"))
    write_sidecar(resp, Sidecar(provider="yandex", image_path=str(images[3]), frame="raw"))
    result = load_result(resp)
    assert result.image_info is not None and result.decision.frame == "raw"
    assert_on_boxes(result.document)


def test_no_image_uses_the_stated_pixel_size(tmp_path) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("yandex"))
    result = load_result(resp)
    d = result.decision
    assert (d.frame, d.method, d.transform.is_identity) == ("display", "no-image", True)
    assert d.confidence <= 0.5 and "no image" in d.reasons[0]
    assert_on_boxes(result.document)


def test_no_image_and_no_page_size(tmp_path) -> None:
    data = R.build_response("azure-v3")
    rr = data["analyzeResult"]["readResults"][0]
    del rr["width"], rr["height"]
    resp = R.write_response(tmp_path / "r.json", data)
    result = load_result(resp)  # placed as is, the page size guessed from the polygons, and said so
    assert result.decision.confidence <= 0.3
    assert any("guess" in w for w in result.warnings)
    assert_on_boxes(result.document)
    assert result.document.pages[0].width == max(b[2] for b in BOXES.values())


def test_no_page_size_is_decided_by_direction_and_fit(tmp_path, images) -> None:
    data = R.build_response("azure-v3", orientation=8, frame="raw")
    rr = data["analyzeResult"]["readResults"][0]
    del rr["width"], rr["height"]
    resp = R.write_response(tmp_path / "r.json", data)
    result = load_result(resp, images[8])
    assert result.decision.frame == "raw"
    assert any("states no page size" in r for r in result.decision.reasons)
    assert_on_boxes(result.document)


def test_stated_angle_alone_decides(images) -> None:
    # One square-ish word: vertex order cannot tell reading direction from shape, the page angle can.
    words = [("o", (100, 100, 140, 140))]
    info = read_image_info(images[3])
    for frame, angle in (("display", 0.0), ("raw", 180.0)):
        lay = R.layout(words, 3, DEFAULT_DISPLAY_SIZE, frame)
        data = R.azure_read_v3_response(lay, angle=angle)
        decision = detect_frame(parse_response(data), info)
        assert decision.frame == frame


def test_page_size_matching_neither_image_is_warned(tmp_path, images) -> None:
    data = R.build_response("azure-v3", orientation=6, frame="display")
    data["analyzeResult"]["readResults"][0]["width"] = 1000
    data["analyzeResult"]["readResults"][0]["height"] = 1000
    result = load_result(R.write_response(tmp_path / "r.json", data), images[6])
    assert result.decision.frame == "display"
    assert any("matches neither" in w for w in result.warnings)


def test_bad_frame_name(images) -> None:
    doc = parse_response(R.build_response("azure-v3"))
    with pytest.raises(BadInput, match="auto, display, raw"):
        detect_frame(doc, read_image_info(images[1]), frame="sideways")


@pytest.mark.parametrize("bad", [float("nan"), -5])
def test_nan_or_negative_page_size(tmp_path, bad) -> None:
    data = R.build_response("azure-v3")
    data["analyzeResult"]["readResults"][0]["width"] = bad
    p = tmp_path / "r.json"
    p.write_text(json.dumps(data))  # json writes NaN as a bare NaN token
    with pytest.raises(BadInput) as err:  # BadResponse, or "no usable page size" where the parser drops it
        load_result(p)
    assert str(p) in str(err.value) and "\n" not in str(err.value)


def test_decision_to_dict_is_json(tmp_path, images) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("yandex", orientation=5, frame="raw"))
    d = load_result(resp, images[5]).decision
    data = json.loads(json.dumps(d.to_dict()))
    assert data["frame"] == "raw" and FrameTransform.from_dict(data["transform"]) == d.transform
    assert "raw" in d.summary()


def test_zero_page_size_is_reported_not_used(tmp_path, images) -> None:
    data = R.build_response("azure-v3", orientation=6, frame="raw")
    data["analyzeResult"]["readResults"][0]["width"] = 0
    result = load_result(R.write_response(tmp_path / "r.json", data), images[6])
    assert any("width is 0" in w for w in result.warnings)
    assert result.decision.frame == "raw"
    assert_on_boxes(result.document)


def test_an_absurd_page_size_stays_short_in_messages(images) -> None:
    data = R.build_response("azure-v3")
    data["analyzeResult"]["readResults"][0]["width"] = 1e8
    decision = detect_frame(parse_response(data), read_image_info(images[6]))
    text = " ".join(decision.reasons + decision.warnings)
    assert "1e+08x480" in text
    assert max(len(m) for m in decision.reasons + decision.warnings) < 200


def test_forcing_the_wrong_frame_says_which_frame_the_page_fits() -> None:
    """A raw-frame response forced to display: the warning names the raw frame, not 'neither'."""
    from ocrviewer.core.imageio import ImageInfo

    info = ImageInfo(path="p.jpg", format="JPEG", raw_width=1600, raw_height=1200, orientation=6)
    data = {
        "analyzeResult": {
            "readResults": [
                {
                    "page": 1,
                    "angle": 0,
                    "width": 1600,
                    "height": 1200,
                    "unit": "pixel",
                    "lines": [
                        {
                            "boundingBox": [100, 100, 300, 100, 300, 140, 100, 140],
                            "text": "HELLO",
                            "words": [
                                {
                                    "boundingBox": [100, 100, 300, 100, 300, 140, 100, 140],
                                    "text": "HELLO",
                                    "confidence": 0.9,
                                }
                            ],
                        }
                    ],
                }
            ]
        },
        "status": "succeeded",
    }
    decision = detect_frame(parse_response(data), info, frame="display")
    text = " ".join(decision.warnings)
    assert "fits the raw frame" in text and "matches neither" not in text
