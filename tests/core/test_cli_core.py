"""``ocrviewer export``, ``render`` and ``info`` as a user runs them: outputs, messages, exit codes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from PIL import Image

from ocrviewer.core.model import SCHEMA, Document
from ocrviewer.core.palette import confidence_rgb
from tests.support import responses as R
from tests.support.cli import one_error_line, run
from tests.support.images import (
    DEFAULT_WORDS,
    ORIENTATIONS,
    make_all_orientations,
    make_bomb_png,
    make_headless_jpeg,
    make_text_image,
    make_truncated_jpeg,
)

DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS = (
    DATA / "corpus"
    if (DATA / "corpus").is_dir()
    else Path(__file__).resolve().parents[3] / "shared" / "corpus"
)
SEEDS = DATA / "seeds"
BOXES = dict(DEFAULT_WORDS)

#: Corpus responses and the image each was made from (None: the image is not published).
CORPUS_IMAGES: dict[str, str | None] = {
    "aws/textract-analyzedocument-paystub-header.json": "aws/textract-analyzedocument-paystub-header.png",
    "azure/batchread-v2.0-signage.json": None,
    "azure/docintel-2021-09-30-preview-layout-testdata.json": "azure/testdata.jpg",
    "azure/formrecognizer-v2.1-iddocument-driverlicense.json": "azure/formrecognizer-v2.1-iddocument-driverlicense.png",
    "azure/formrecognizer-v2.1-layout-testdata.json": "azure/testdata.jpg",
    "azure/imageanalysis-4.0-sample-allfeatures.json": None,
    "azure/read-v3.2-signage.json": None,
    "azure/recognizetext-v2.0-signage.json": None,
    "google/gcv2hocr-eng-test.json": "google/gcv2hocr-eng-test.jpg",
    "yandex/ocr-recognize-handwritten-ru-camelcase.json": None,
    "yandex/ocr-recognize-penguins-snakecase.json": None,
}


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    return make_all_orientations(tmp_path_factory.mktemp("orient"))


# -- export -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", R.SHAPES)
@pytest.mark.parametrize("frame", R.FRAMES)
@pytest.mark.parametrize("o", ORIENTATIONS)
def test_export_places_polygons_on_the_boxes_as_displayed(capsys, tmp_path, images, o, frame, shape) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response(shape, orientation=o, frame=frame))
    out = tmp_path / "out.json"
    code, stdout, _ = run(capsys, "export", images[o], "--response", resp, "-o", out)
    assert code == 0 and str(out) in stdout
    data = json.loads(out.read_text())
    assert data["schema"] == SCHEMA
    words = [w for p in data["pages"] for b in p["blocks"] for ln in b["lines"] for w in ln["words"]]
    assert sorted(w["text"] for w in words) == sorted(BOXES)
    for w in words:
        xs = [pt[0] for pt in w["polygon"]]
        ys = [pt[1] for pt in w["polygon"]]
        left, top, right, bottom = BOXES[w["text"]]
        assert (
            max(abs(min(xs) - left), abs(min(ys) - top), abs(max(xs) - right), abs(max(ys) - bottom)) <= 1.5
        )
        assert "confidence" in w
    decision = data["extras"]["ocrviewer"]["frame_decision"]
    assert decision["frame"] == ("display" if o == 1 else frame)
    assert Document.from_dict(data).pages[0].width == 640


def test_export_without_image_uses_the_stated_size(capsys, tmp_path) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("yandex", case="snake"))
    out = tmp_path / "o.json"
    code, stdout, _ = run(capsys, "export", "-r", resp, "--to", "json", "-o", out)
    assert code == 0 and "confidence 0.50" in stdout
    assert json.loads(out.read_text())["extras"]["ocrviewer"]["frame_decision"]["method"] == "no-image"


# -- render -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("o", [1, 3, 6, 7])
def test_render_colours_the_polygons_where_the_words_are_displayed(capsys, tmp_path, o) -> None:
    words = [("left", (60, 80, 200, 130)), ("right", (330, 80, 470, 130))]
    image = make_text_image(tmp_path / "i.png", o, words, (640, 480), fmt="PNG", style="none")
    lay = R.layout(words, o, (640, 480), "raw", confidence=1.0)
    resp = R.write_response(tmp_path / "r.json", R.azure_read_v3_response(lay))
    out = tmp_path / "out.png"
    code, stdout, _ = run(capsys, "render", image, "-r", resp, "--levels", "word", "--no-labels", "-o", out)
    assert code == 0 and "wrote" in stdout
    with Image.open(out) as img:
        img = img.convert("RGB")
    assert img.size == (640, 480)
    green = confidence_rgb(1.0)
    for x, y in ((60, 105), (200, 105), (330, 105), (470, 105), (130, 80), (130, 130)):
        assert all(abs(a - b) <= 3 for a, b in zip(img.getpixel((x, y)), green, strict=True)), (x, y)
    assert img.getpixel((260, 105)) == (255, 255, 255)


def test_render_min_confidence_hides_words(capsys, tmp_path) -> None:
    words = [("sure", (60, 80, 200, 130)), ("unsure", (330, 80, 470, 130))]
    image = make_text_image(tmp_path / "i.png", 1, words, (640, 480), fmt="PNG", style="none")
    resp = R.write_response(
        tmp_path / "r.json", R.azure_read_v3_response(R.layout(words, confidence=[0.99, 0.2]))
    )
    out = tmp_path / "out.png"
    code, _, _ = run(
        capsys, "render", image, "-r", resp, "--min-confidence", "0.5", "--levels", "word", "-o", out
    )
    assert code == 0
    with Image.open(out) as img:
        img = img.convert("RGB")
    assert img.getpixel((60, 105)) != (255, 255, 255)
    assert img.getpixel((330, 105)) == (255, 255, 255)


# -- info -------------------------------------------------------------------------------------------------
def test_info_image_only(capsys, images) -> None:
    code, out, _ = run(capsys, "info", images[6])
    assert code == 0
    assert "orientation: 6 (rotate 90 CW)" in out
    assert "stored size: 480x640" in out and "displayed size: 640x480" in out and "format: JPEG" in out


def test_info_with_response_explains_the_frame(capsys, tmp_path, images) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3", orientation=3, frame="raw"))
    code, out, _ = run(capsys, "info", images[3], "--response", resp)
    assert code == 0
    assert "format: azure-read-v3" in out
    assert "page size: 640x480 pixel" in out
    assert "frame: raw frame (rotate 180)" in out
    assert "why: text reads left to right" in out
    code, out, _ = run(capsys, "info", images[3], "-r", resp, "--frame", "display")
    assert "frame: display frame" in out and "warning: the evidence points to the raw frame" in out


# -- bad input --------------------------------------------------------------------------------------------
def test_not_json(capsys, tmp_path, images) -> None:
    resp = tmp_path / "r.json"
    resp.write_text("{not json")
    code, _, err = run(capsys, "export", images[1], "-r", resp, "-o", tmp_path / "o.json")
    assert code != 0
    one_error_line(err, str(resp))
    assert not (tmp_path / "o.json").exists()


def test_unknown_shape(capsys, tmp_path, images) -> None:
    resp = R.write_response(tmp_path / "r.json", {"hello": [1, 2, 3]})
    code, _, err = run(capsys, "render", images[1], "-r", resp, "-o", tmp_path / "o.png")
    assert code != 0
    one_error_line(err, str(resp))


def test_truncated_jpeg(capsys, tmp_path) -> None:
    """A JPEG cut short is drawn as far as it goes (libjpeg's grey below) with a one-line note."""
    image = make_truncated_jpeg(tmp_path / "cut.jpg", (640, 480))
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "render", image, "-r", resp, "-o", tmp_path / "o.png")
    assert code == 0, err
    (note,) = [line for line in err.splitlines() if "damaged" in line]
    assert note.startswith(f"ocrviewer: note: {image}: the picture is damaged or cut short: the lower part")
    with Image.open(tmp_path / "o.png") as drawn:
        assert drawn.size == (640, 480) and drawn.convert("RGB").getpixel((630, 478)) == (128, 128, 128)


@pytest.mark.parametrize("command", ["export", "info"])
def test_truncated_jpeg_is_a_note_where_only_its_header_is_needed(capsys, tmp_path, command) -> None:
    image = make_truncated_jpeg(tmp_path / "cut.jpg", (640, 480))
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    extra = ["-o", tmp_path / "o.json"] if command == "export" else []
    code, out, err = run(capsys, command, image, "-r", resp, *extra)
    assert code == 0, err
    assert f"ocrviewer: note: {image}: the picture is damaged or cut short: the lower part is missing" in err
    assert (tmp_path / "o.json").exists() == (command == "export")


@pytest.mark.parametrize("command", ["export", "info", "render"])
def test_a_jpeg_without_one_decodable_pixel_is_an_error(capsys, tmp_path, command) -> None:
    image = make_headless_jpeg(tmp_path / "cut.jpg", (640, 480))
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    extra = ["-o", tmp_path / f"o.{'png' if command == 'render' else 'json'}"] if command != "info" else []
    code, out, err = run(capsys, command, image, "-r", resp, *extra)
    assert code != 0 and out == ""
    one_error_line(err, str(image), "truncated or corrupt")
    assert not list(tmp_path.glob("o.*"))


def test_a_folder_without_images_given_as_the_document(capsys, tmp_path) -> None:
    # a folder is a document of its images (tests/core/test_cli_documents.py); without any it is an error
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "export", tmp_path, "-r", resp, "-o", tmp_path / "o.json")
    assert code != 0
    one_error_line(err, str(tmp_path), "holds no images")


def test_decompression_bomb(capsys, tmp_path) -> None:
    image = make_bomb_png(tmp_path / "bomb.png")
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    for argv in (["info", image], ["export", image, "-r", resp, "-o", tmp_path / "o.json"]):
        code, _, err = run(capsys, *argv)
        assert code != 0
        one_error_line(err, str(image), "too large")


def test_pixel_limit_monkeypatched(capsys, tmp_path, images, monkeypatch) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    code, _, err = run(capsys, "render", images[1], "-r", resp, "-o", tmp_path / "o.png")
    assert code != 0
    one_error_line(err, "too large")


def test_nan_page_size(capsys, tmp_path, images) -> None:
    resp = tmp_path / "r.json"
    resp.write_text(
        json.dumps(R.build_response("yandex", numbers_as_strings=False)).replace(
            '"width": 640', '"width": NaN'
        )
    )
    code, _, err = run(capsys, "export", images[1], "-r", resp, "-o", tmp_path / "o.json")
    assert code != 0
    one_error_line(err, str(resp))


@pytest.mark.parametrize("which", ["response", "image", "sidecar"])
def test_output_equal_to_an_input_is_refused(capsys, tmp_path, images, which) -> None:
    image = tmp_path / "i.jpg"
    image.write_bytes(images[1].read_bytes())
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    sidecar = tmp_path / "r.json.ocrviewer.json"
    target = {"response": resp, "image": image, "sidecar": sidecar}[which]
    before = target.read_bytes() if target.exists() else None
    code, _, err = run(capsys, "export", image, "-r", resp, "-o", target)
    assert code != 0
    one_error_line(err, "is an input file")
    assert (target.read_bytes() if target.exists() else None) == before
    code, _, err = run(capsys, "render", image, "-r", resp, "-o", tmp_path / "." / "r.json")
    assert code != 0 and "is an input file" in err


def test_unknown_level(capsys, tmp_path, images) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(
        capsys, "render", images[1], "-r", resp, "--levels", "word,glyph", "-o", tmp_path / "o.png"
    )
    assert code != 0
    one_error_line(err, "--levels", "'glyph'", "block, line, word")


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan"])
def test_bad_min_confidence(capsys, tmp_path, images, value) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(
        capsys, "render", images[1], "-r", resp, "--min-confidence", value, "-o", tmp_path / "o.png"
    )
    assert code != 0
    one_error_line(err, "--min-confidence")


def test_missing_files(capsys, tmp_path, images) -> None:
    code, _, err = run(capsys, "export", images[1], "-r", tmp_path / "none.json", "-o", tmp_path / "o.json")
    assert code != 0
    one_error_line(err, "none.json")
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "info", tmp_path / "none.jpg", "-r", resp)
    assert code != 0
    one_error_line(err, "none.jpg")


# -- the corpus -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CORPUS_IMAGES))
def test_every_corpus_file_exports_renders_and_infos(capsys, tmp_path, name) -> None:
    resp = CORPUS / name
    image = CORPUS_IMAGES[name] and CORPUS / CORPUS_IMAGES[name]
    out = tmp_path / "o.json"
    args = ["export", *([image] if image else []), "-r", resp, "-o", out]
    code, _, err = run(capsys, *args)
    assert code == 0, err
    doc = Document.from_dict(json.loads(out.read_text()))
    assert doc.counts()["word"] > 0
    if image:
        with Image.open(image) as img:
            size = img.size
        page = doc.pages[0]
        assert (page.width, page.height) == size
        # Words sit on the page (a few may poke past the edge by a pixel or two).
        inside = [
            w
            for w in doc.words()
            if -3 <= w.bbox[0] and w.bbox[2] <= size[0] + 3 and w.bbox[3] <= size[1] + 3
        ]
        assert len(inside) >= 0.95 * doc.counts()["word"]
        code, _, err = run(capsys, "render", image, "-r", resp, "-o", tmp_path / "o.png")
        assert code == 0, err
        with Image.open(tmp_path / "o.png") as img:
            assert img.size == size
        code, out_text, err = run(capsys, "info", image, "-r", resp)
        assert code == 0, err
        assert "frame: display frame" in out_text


def test_corpus_table_covers_every_corpus_response() -> None:
    found = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.json")}
    assert found == set(CORPUS_IMAGES)


@pytest.mark.parametrize("name", ["Portrait_3.jpg", "Portrait_6.jpg", "Portrait_8.jpg"])
def test_info_on_real_exif_photos(capsys, name) -> None:
    code, out, _ = run(capsys, "info", CORPUS / "exif" / name)
    assert code == 0
    o = name[-5]
    assert f"orientation: {o}" in out
    assert "displayed size: 1200x1800" in out


@pytest.mark.skipif(not SEEDS.is_dir(), reason="tests/data/seeds not present")
def test_every_seed_response_exports(capsys, tmp_path) -> None:
    for resp in sorted(SEEDS.glob("*.json")):
        code, _, err = run(capsys, "export", "-r", resp, "-o", tmp_path / (resp.stem + ".out.json"))
        assert code == 0, (resp.name, err)


def test_info_reports_the_sidecar(capsys, tmp_path, images) -> None:
    from ocrviewer.core.geometry import FrameTransform
    from ocrviewer.core.sidecar import Sidecar, write_sidecar

    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3", scale=0.5))
    write_sidecar(resp, Sidecar(provider="azure", transform=FrameTransform(640, 480, scale_x=2, scale_y=2)))
    code, out, _ = run(capsys, "info", images[6], "-r", resp)
    assert code == 0
    assert "r.json.ocrviewer.json (azure)" in out
    assert "confidence 1.00" in out and "why: the sidecar recorded the transform (azure)" in out


def test_raw_frame_without_image(capsys, tmp_path) -> None:
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    code, _, err = run(capsys, "export", "-r", resp, "--frame", "raw", "-o", tmp_path / "o.json")
    assert code != 0
    one_error_line(err, "--frame raw needs the image")


@pytest.mark.parametrize("name", ["Portrait_3.jpg", "Portrait_6.jpg", "Portrait_8.jpg"])
@pytest.mark.parametrize("frame", R.FRAMES)
def test_real_exif_photos_in_both_frames(capsys, tmp_path, name, frame) -> None:
    o = int(name[-5])
    words = [("top", (100, 100, 600, 250)), ("middle", (100, 800, 900, 950)), ("low", (300, 1500, 700, 1650))]
    data = R.build_response("azure-v3", words, o, (1200, 1800), frame)
    resp = R.write_response(tmp_path / "r.json", data)
    out = tmp_path / "o.json"
    code, stdout, err = run(capsys, "export", CORPUS / "exif" / name, "-r", resp, "-o", out)
    assert code == 0, err
    assert f"{frame} frame" in stdout
    doc = Document.from_dict(json.loads(out.read_text()))
    for w in doc.words():
        want = dict(words)[w.text]
        assert all(abs(a - b) <= 1.5 for a, b in zip(w.bbox, want, strict=True))


@pytest.mark.parametrize("name", sorted(n for n, image in CORPUS_IMAGES.items() if image is None))
def test_corpus_files_without_their_image_render_on_a_blank_page_and_info(capsys, tmp_path, name) -> None:
    resp = CORPUS / name
    out = tmp_path / "o.png"
    code, stdout, err = run(capsys, "render", "-r", resp, "-o", out)
    assert code == 0, err
    assert "drawn on a blank" in err
    with Image.open(out) as img:
        size = img.size
        colours = img.convert("RGB").getcolors(1 << 24) or []
        coloured = sum(n for n, (r, g, b) in colours if not (r == g == b))
    code, _, _ = run(capsys, "export", "-r", resp, "-o", tmp_path / "o.json")
    page = Document.from_dict(json.loads((tmp_path / "o.json").read_text())).pages[0]
    assert size == (math.ceil(page.width), math.ceil(page.height))
    assert coloured > 0  # the polygons are drawn
    code, stdout, err = run(capsys, "info", "-r", resp)
    assert code == 0, err
    assert "image: none given" in stdout and "frame: display frame" in stdout


def test_info_needs_an_image_or_a_response(capsys) -> None:
    code, _, err = run(capsys, "info")
    assert code != 0
    one_error_line(err, "IMAGE", "--response")


def test_render_without_image_refuses_an_absurd_page(capsys, tmp_path) -> None:
    data = R.build_response("azure-v3")
    data["analyzeResult"]["readResults"][0]["width"] = 1e8
    resp = R.write_response(tmp_path / "r.json", data)
    code, _, err = run(capsys, "render", "-r", resp, "-o", tmp_path / "o.png")
    assert code != 0
    one_error_line(err, "r.json", "1e+08x480", "pass the image")
    assert len(err) < 200


def test_a_skipped_element_is_reported_with_the_response_file(capsys, tmp_path, images) -> None:
    data = R.build_response("azure-v3")
    data["analyzeResult"]["readResults"][0]["lines"][0]["words"][0]["boundingBox"] = [1, 2, 3, 4]
    resp = R.write_response(tmp_path / "r.json", data)
    code, out, err = run(capsys, "export", images[1], "-r", resp, "-o", tmp_path / "o.json")
    assert code == 0
    assert "4 words" in out
    warnings = [ln for ln in err.splitlines() if "skipped" in ln]
    assert len(warnings) == 1 and warnings[0].startswith(f"ocrviewer: warning: {resp}: ")


@pytest.mark.parametrize("o", [3, 6, 7])
def test_export_on_an_exif_rotated_tiff(capsys, tmp_path, o) -> None:
    # Pillow reports a TIFF's size already oriented; the stored size must still be told apart.
    image = make_text_image(tmp_path / f"o{o}.tif", o, fmt="TIFF")
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3", orientation=o, frame="raw"))
    out = tmp_path / "o.json"
    code, stdout, err = run(capsys, "export", image, "-r", resp, "-o", out)
    assert code == 0, err
    assert "raw frame" in stdout
    doc = Document.from_dict(json.loads(out.read_text()))
    for w in doc.words():
        assert all(abs(a - b) <= 1.5 for a, b in zip(w.bbox, BOXES[w.text], strict=True))


@pytest.mark.parametrize("command", ["export", "render"])
def test_the_image_a_sidecar_names_is_never_written_over(capsys, tmp_path, command) -> None:
    from ocrviewer.core.sidecar import Sidecar, write_sidecar

    image = make_text_image(tmp_path / "photo.png", 6, fmt="PNG")
    before = image.read_bytes()
    resp = R.write_response(tmp_path / "r.json", R.build_response("azure-v3"))
    write_sidecar(resp, Sidecar(provider="azure-read", image_path=str(image), frame="display"))
    code, _, err = run(capsys, command, "-r", resp, "-o", image)
    assert code != 0
    assert "is an input file" in err and str(image) in err
    assert image.read_bytes() == before


def test_render_of_a_broken_response_on_a_cut_image_names_the_response(capsys, tmp_path) -> None:
    """The picture decodes on a thread of its own while the response is read: a response that
    cannot be read is still the error reported (the decode's own error is never raised over it)."""
    image = make_headless_jpeg(tmp_path / "cut.jpg", (640, 480))
    resp = tmp_path / "r.json"
    resp.write_text("{not json")
    code, _, err = run(capsys, "render", image, "-r", resp, "-o", tmp_path / "o.png")
    assert code != 0
    one_error_line(err, str(resp))
    assert "truncated" not in err and not (tmp_path / "o.png").exists()


def test_the_cli_run_in_process_puts_the_sigterm_handler_back(capsys, tmp_path: Path) -> None:
    """main() set a SIGTERM handler raising SystemExit and kept it: in the test process a later SIGTERM
    (a CI job stopped, a helper ending a run) raised SystemExit inside whatever test ran then."""
    import signal

    before = signal.getsignal(signal.SIGTERM)
    code, _, err = run(capsys, "export", "-r", tmp_path / "missing.json", "-o", tmp_path / "o.json")
    assert code == 1 and "missing.json" in err
    assert signal.getsignal(signal.SIGTERM) is before
