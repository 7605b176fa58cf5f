"""Provider ``local`` (RapidOCR in a child process): it reads generated pages correctly and safely.

The engine runs are few (about a second each on a shared machine) and share one engine
process for the session. The child-process plumbing (cancel, crash, restart) is tested
with a tiny stand-in child speaking the same protocol, so those tests take milliseconds.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocrviewer.core.model import Document, Word
from ocrviewer.core.prepare import prepare_image
from ocrviewer.errors import BadInput, Cancelled, ProviderError, ProviderUnavailable
from ocrviewer.providers import local
from ocrviewer.providers.base import CancelToken, get_provider, no_progress
from ocrviewer.providers.local import EngineProcess, LocalProvider, words_from_chars
from tests.support.images import save_oriented

Box = tuple[float, float, float, float]

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

# --- generated pages with known words in known places (shared with the Tesseract tests) ----


def page_font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A DejaVu face when installed (fonts-dejavu-core), else Pillow's bundled default font."""
    path = DEJAVU / f"{name}.ttf"
    if name != "default" and path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


#: (font, size in px, text): several faces and sizes; words an OCR engine cannot confuse.
MIXED_LINES: tuple[tuple[str, int, str], ...] = (
    ("default", 44, "Order number 4721 paid"),
    ("DejaVuSans", 36, "Fresh bread and butter"),
    ("DejaVuSerif", 32, "Delivery on Monday morning"),
    ("DejaVuSansMono-Bold", 28, "Bread 38.50 EUR"),
    ("default", 26, "Thank you for your order"),
)
SMALL_LINES: tuple[tuple[str, int, str], ...] = (
    ("DejaVuSerif", 28, "Weekly report from the garden club"),
    ("default", 34, "Tomatoes grew quickly"),
    ("DejaVuSans-Bold", 26, "Meeting at seven"),
    ("DejaVuSansMono", 24, "Room 12 Floor 3"),
)


def draw_page(
    lines: Sequence[tuple[str, int, str]], margin: int = 48
) -> tuple[Image.Image, list[tuple[str, Box]]]:
    """A white page with the lines drawn word by word; returns it and each word's ink box."""
    placed: list[tuple[str, Box, ImageFont.FreeTypeFont | ImageFont.ImageFont]] = []
    y = float(margin)
    right = 0.0
    for face, size, text in lines:
        font = page_font(face, size)
        x = float(margin)
        for word in text.split():
            l0, t0, r0, b0 = font.getbbox(word)
            placed.append((word, (x + l0, y + t0, x + r0, y + b0), font))
            right = max(right, x + r0)
            x += r0 + size * 0.7
        y += size * 1.9
    page = Image.new("RGB", (int(right + margin), int(y + margin)), (250, 249, 244))
    draw = ImageDraw.Draw(page)
    for word, box, font in placed:
        l0, t0, _, _ = font.getbbox(word)
        draw.text((box[0] - l0, box[1] - t0), word, fill=(20, 20, 30), font=font)
    return page, [(w, b) for w, b, _ in placed]


def centre(word: Word) -> tuple[float, float]:
    xs = [p[0] for p in word.polygon]
    ys = [p[1] for p in word.polygon]
    return (sum(xs) / len(xs), sum(ys) / len(ys))


def inside(point: tuple[float, float], box: Box, slack: float = 2.0) -> bool:
    return box[0] - slack <= point[0] <= box[2] + slack and box[1] - slack <= point[1] <= box[3] + slack


def check_reading(document: Document, expected: Sequence[tuple[str, Box]]) -> None:
    """>= 90% of the words read right with their centre in the drawn box; all with a confidence."""
    found = list(document.words())
    assert found, "no words were read"
    assert all(w.confidence is not None and 0.0 <= w.confidence <= 1.0 for w in found)
    read = [text for text, box in expected if any(w.text == text and inside(centre(w), box) for w in found)]
    missed = [text for text, _ in expected if text not in read]
    assert len(read) >= 0.9 * len(expected), f"read {len(read)}/{len(expected)}; missed {missed}"
    # Every word the engine returned sits on some drawn word: a wrong scale or orientation fails here.
    stray = [w.text for w in found if not any(inside(centre(w), box) for _, box in expected)]
    assert len(stray) <= 0.1 * len(found), f"words not on any drawn word: {stray}"


def make_page_file(
    folder: Path, lines: Sequence[tuple[str, int, str]], orientation: int, fmt: str
) -> tuple[Path, list[tuple[str, Box]]]:
    """The page saved as raw pixels plus the EXIF Orientation tag; boxes are in the displayed frame."""
    page, expected = draw_page(lines)
    path = folder / f"page-o{orientation}.{'jpg' if fmt == 'JPEG' else 'png'}"
    save_oriented(page, path, orientation, fmt=fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return path, expected


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def engine() -> Iterator[EngineProcess]:
    """One engine process for the whole session (loading it takes about a second)."""
    process = local.shared_engine()  # the one `ocrviewer recognize` uses too
    yield process
    process.close()


@pytest.fixture(scope="session")
def engine_available() -> None:
    reason = LocalProvider().unavailable_reason()
    if reason:
        pytest.skip(reason)


FAKE_CHILD = r"""
import os, sys, time
from ocrviewer.providers._engine_child import read_message, write_message
out = os.fdopen(os.dup(1), "wb")
source = sys.stdin.buffer
mode = sys.argv[1]
if mode == "broken":
    write_message(out, ("error", "cannot load the local engine: ImportError: libGL.so.1 missing"))
    sys.exit(0)
write_message(out, ("ready", {"engine": "fake", "rapidocr_onnxruntime_version": "0"}))
while True:
    request = read_message(source)
    if request is None:
        break
    write_message(out, ("progress", 0.1, "finding text"))
    if mode == "hang":
        time.sleep(60)
    if mode == "crash":
        sys.stderr.write("Illegal instruction in onnxruntime\n")
        sys.stderr.flush()
        os._exit(3)
    text = ",".join(sorted(k for k in os.environ if k.startswith("OCRVIEWER_"))) if mode == "env" else "fake word"
    write_message(out, ("result", [{"polygon": [[10, 10], [90, 10], [90, 30], [10, 30]], "text": text,
                                    "confidence": 0.9, "char_boxes": [], "chars": [], "char_confidences": []}]))
"""


def fake_engine(mode: str) -> EngineProcess:
    return EngineProcess(command=[sys.executable, "-c", FAKE_CHILD, mode])


def progress_that(action: Callable[[], None]) -> Callable[[float | None, str], None]:
    def progress(fraction: float | None, message: str) -> None:
        if message == "finding text":
            action()

    return progress


# --- words from per-character boxes (pure) -------------------------------------------------


def char_box(x: float, y: float = 10, w: float = 10, h: float = 20) -> list[list[float]]:
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


LINE = ((0.0, 10.0), (200.0, 10.0), (200.0, 30.0), (0.0, 30.0))


@pytest.mark.parametrize("with_space_boxes", [True, False])
def test_words_take_the_union_of_their_characters(with_space_boxes: bool) -> None:
    chars = list("ab cd")
    boxes = [char_box(10 * i) for i in range(5)]
    scores = [0.9, 0.7, 0.99, 0.5, 0.5]
    if not with_space_boxes:
        chars, boxes, scores = chars[:2] + chars[3:], boxes[:2] + boxes[3:], scores[:2] + scores[3:]
    words = words_from_chars("ab cd", LINE, 0.8, boxes, chars, scores)
    assert [w.text for w in words] == ["ab", "cd"]
    assert words[0].bbox == (0, 10, 20, 30)
    assert words[1].bbox == (30, 10, 50, 30)
    assert words[0].confidence == pytest.approx(0.8)
    assert words[1].confidence == pytest.approx(0.5)
    assert "geometry" not in words[0].extras


def test_words_are_split_where_the_engine_dropped_a_space() -> None:
    # "Thankyou": letters 12 px apart, then a 30 px step where the space was.
    xs = [0, 12, 24, 36, 48, 78, 90, 102]
    boxes = [char_box(x) for x in xs]
    words = words_from_chars("Thankyou", LINE, 0.9, boxes, list("Thankyou"), [0.9] * 8)
    assert [w.text for w in words] == ["Thank", "you"]
    assert words[1].bbox[0] == 78


def test_a_line_the_engine_spaced_is_not_split_further() -> None:
    # A wide "M" makes a wider step, but the engine's own spaces are wider still.
    text = "on Monday"
    xs = [0, 12, 44, 62, 74, 86, 98, 110, 122]
    chars = [c for c in text if c != " "]
    words = words_from_chars(text, LINE, 0.9, [char_box(x) for x in xs], chars, [0.9] * len(chars))
    assert [w.text for w in words] == ["on", "Monday"]


def test_words_on_a_slanted_line_get_slanted_boxes() -> None:
    # A line rising 45 degrees: its characters' box follows the line, not the page axes.
    line = ((0.0, 100.0), (100.0, 0.0), (110.0, 10.0), (10.0, 110.0))
    boxes = [[[0, 100], [10, 90], [20, 100], [10, 110]], [[20, 80], [30, 70], [40, 80], [30, 90]]]
    (word,) = words_from_chars("ab", line, 0.9, boxes, ["a", "b"], [0.9, 0.9])
    (x0, y0), (x1, y1) = word.polygon[0], word.polygon[1]
    assert x1 - x0 == pytest.approx(y0 - y1, abs=0.05)  # top edge along the line


def test_words_are_estimated_when_characters_do_not_match_the_text() -> None:
    words = words_from_chars("abc def", LINE, 0.8, [char_box(0)], ["x"], [0.9])
    assert [w.text for w in words] == ["abc", "def"]
    assert all(w.extras.get("geometry") == "estimated" and w.confidence == 0.8 for w in words)
    assert words[0].bbox[0] == pytest.approx(0) and words[1].bbox[2] == pytest.approx(200)


def test_document_from_engine_groups_stacked_lines_and_skips_bad_ones() -> None:
    def item(y: float, text: str, x: float = 0) -> dict[str, object]:
        return {
            "polygon": [[x, y], [x + 100, y], [x + 100, y + 20], [x, y + 20]],
            "text": text,
            "confidence": 0.9,
        }

    lines = [
        item(0, "one"),
        item(25, "two"),
        item(200, "far"),
        item(0, "right", x=500),
        {"polygon": [[1, 2]]},
    ]
    doc = local.document_from_engine(lines, 800, 600, extras={"engine": "x"})
    assert [b.text for b in doc.blocks()] == ["one\ntwo", "far", "right"]
    assert len(doc.warnings) == 1 and "line 4" in doc.warnings[0]
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc


@pytest.mark.parametrize("value", ["x", -0.1, 1.5])
def test_bad_text_score_is_refused(value: object) -> None:
    with pytest.raises(BadInput, match="text_score"):
        local.text_score_option({"text_score": value})


def test_missing_package_is_reported_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "ENGINE_PACKAGE", "no_such_engine_package_xyz")
    reason = LocalProvider().unavailable_reason()
    assert reason and "no_such_engine_package_xyz" in reason and "pip install" in reason


def test_images_reach_the_engine_as_bgr_with_transparency_on_white() -> None:
    import io

    pytest.importorskip("numpy")
    from ocrviewer.providers._engine_child import decode_bgr

    img = Image.new("RGBA", (4, 2), (0, 0, 0, 0))  # transparent
    img.putpixel((1, 0), (255, 0, 0, 255))  # opaque red
    img.putpixel((2, 0), (0, 0, 0, 255))  # opaque black ink
    buf = io.BytesIO()
    img.save(buf, "PNG")
    array = decode_bgr(buf.getvalue())
    assert array.shape == (2, 4, 3)
    assert array[0, 0].tolist() == [255, 255, 255]  # transparent -> white paper, not black
    assert array[0, 1].tolist() == [0, 0, 255]  # red, in the engine's blue-green-red order
    assert array[0, 2].tolist() == [0, 0, 0]


# --- the child process: cancel, crash, restart (a stand-in child, milliseconds) ------------


def test_cancel_kills_the_engine_at_once_and_the_next_run_starts_a_new_one() -> None:
    engine = fake_engine("hang")
    cancel = CancelToken()
    seen: dict[str, object] = {}

    def stop() -> None:
        seen["process"] = engine._process
        cancel.cancel()

    with pytest.raises(Cancelled):
        engine.recognize(b"img", 0.5, cancel, progress_that(stop))
    assert seen["process"].returncode is not None  # type: ignore[attr-defined]
    assert not engine.running and engine.starts == 1
    # The next run starts a fresh engine that takes work again (the stand-in hangs again: cancel it).
    second = CancelToken()
    with pytest.raises(Cancelled):
        engine.recognize(b"img", 0.5, second, progress_that(second.cancel))
    assert engine.starts == 2 and not engine.running


def test_a_crashed_engine_is_reported_with_its_last_words_and_restarts() -> None:
    engine = fake_engine("crash")
    with pytest.raises(ProviderError, match=r"exit code 3.*Illegal instruction"):
        engine.recognize(b"img", 0.5, CancelToken(), no_progress)
    assert not engine.running


def test_the_engine_process_gets_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCRVIEWER_AZURE_KEY", "az-secret-1234")
    monkeypatch.setenv("OCRVIEWER_YANDEX_IAM_TOKEN", "t1.secret")
    monkeypatch.setenv("OCRVIEWER_YANDEX_API_KEY", "yc-secret")
    monkeypatch.setenv("OCRVIEWER_SMTP_PASSWORD", "hunter2")
    monkeypatch.setenv("OCRVIEWER_CACHE_DIR", "/tmp/not-a-secret")
    engine = fake_engine("env")
    try:
        seen = engine.recognize(b"img", 0.5, CancelToken(), no_progress)[0]["text"]
    finally:
        engine.close()
    assert seen == "OCRVIEWER_CACHE_DIR"  # the rest never reached the child


def test_an_engine_that_cannot_load_makes_the_provider_unavailable() -> None:
    engine = fake_engine("broken")
    with pytest.raises(ProviderUnavailable, match="libGL"):
        engine.recognize(b"img", 0.5, CancelToken(), no_progress)


def test_the_engine_is_loaded_once_and_reused(tmp_path: Path) -> None:
    engine = fake_engine("ok")
    try:
        for _ in range(3):
            assert engine.recognize(b"img", 0.5, CancelToken(), no_progress)[0]["text"] == "fake word"
        assert engine.starts == 1 and engine.running
    finally:
        engine.close()
    assert not engine.running


# --- the real engine -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("engine_available")
def test_reads_a_rotated_photo_in_the_displayed_frame(tmp_path: Path, engine: EngineProcess) -> None:
    path, expected = make_page_file(tmp_path, MIXED_LINES, orientation=6, fmt="JPEG")
    provider = LocalProvider(engine=engine)
    prepared = prepare_image(path, provider.limits)
    assert prepared.source.orientation == 6
    messages: list[tuple[float | None, str]] = []
    result = provider.recognize(prepared, {}, CancelToken(), lambda f, m: messages.append((f, m)))
    displayed = prepared.transform.apply_document(result.document)
    check_reading(displayed, expected)
    assert any(f == 1.0 for f, _ in messages) and len(messages) >= 4
    # The raw response is the project's normalized document, so it loads like any other.
    again = Document.from_dict(json.loads(result.raw))
    assert again.source_format == "rapidocr" and again.counts() == result.document.counts()
    assert result.api_version and "rapidocr_onnxruntime" in result.api_version


@pytest.mark.slow
@pytest.mark.usefixtures("engine_available")
def test_reads_small_text_in_several_faces(tmp_path: Path, engine: EngineProcess) -> None:
    path, expected = make_page_file(tmp_path, SMALL_LINES, orientation=1, fmt="PNG")
    provider = LocalProvider(engine=engine)
    prepared = prepare_image(path, provider.limits)
    result = provider.recognize(prepared, {"text_score": "0.5"}, CancelToken(), no_progress)
    check_reading(prepared.transform.apply_document(result.document), expected)


@pytest.mark.slow
@pytest.mark.usefixtures("engine_available")
def test_recognize_then_export_puts_the_words_on_the_text_as_displayed(
    tmp_path: Path, engine: EngineProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    from ocrviewer.cli import main

    before = dict(os.environ)
    # what this run adds (another test, e.g. test_progress's real engine, may have loaded cv2 in this process
    # already: in reverse file order "cv2 not in sys.modules" failed though the run imported nothing)
    modules = set(sys.modules)
    image, expected = make_page_file(tmp_path, MIXED_LINES, orientation=8, fmt="JPEG")
    response, exported = tmp_path / "R.json", tmp_path / "out.json"
    assert main(["recognize", str(image), "--provider", "local", "-o", str(response)]) == 0
    assert main(["export", str(image), "-r", str(response), "-o", str(exported)]) == 0
    assert "words" in capsys.readouterr().out
    check_reading(Document.from_dict(json.loads(exported.read_text("utf-8"))), expected)
    # The engine ran in its own process: the viewer's environment and modules are untouched.
    assert engine.running
    assert dict(os.environ) == before
    assert os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH") == before.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    added = {m.split(".")[0] for m in set(sys.modules) - modules}
    assert not added & {"cv2", "rapidocr_onnxruntime", "onnxruntime"}, added


def test_the_registry_builds_the_local_provider() -> None:
    provider = get_provider("local")
    assert isinstance(provider, LocalProvider) and provider.name == "local"
    assert provider.engine is get_provider("local").engine  # one engine for every run


@pytest.mark.slow
@pytest.mark.usefixtures("engine_available")
def test_recognize_on_a_multi_page_fax_reads_every_page_onto_its_page(
    tmp_path: Path, engine: EngineProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    """A two-page G4 fax TIFF (tests/data/images, made by ImageMagick) is a batch like a PDF: one
    response per page, each read from its own page (page 2 was never read)."""
    from ocrviewer.cli import main
    from ocrviewer.core.loading import load_document_result
    from ocrviewer.core.sources import open_source

    fax = Path(__file__).resolve().parents[1] / "data" / "images" / "fax-2-pages-g4.tif"
    out = tmp_path / "out"
    assert main(["recognize", str(fax), "--provider", "local", "-o", str(out)]) == 0
    _, err = capsys.readouterr()
    assert "only page 1" not in err
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert [(r["input"], r["page"], r["status"]) for r in rows] == [
        ("fax-2-pages-g4.tif#page=1", 1, "done"),
        ("fax-2-pages-g4.tif#page=2", 2, "done"),
    ]
    texts = []
    with open_source(fax) as source:
        for r in rows:
            result = load_document_result(source, out / r["response"])
            page = result.page(r["page"] - 1)
            assert page is not None
            texts.append(" ".join(w.text for w in page.words()).upper())
    assert "PAGE" in texts[0] and "1" in texts[0] and "2" not in texts[0], texts
    assert "PAGE" in texts[1] and "2" in texts[1] and "1" not in texts[1], texts
