"""File > Compare and Export Report: the window writes the same report as ``ocrviewer compare``."""

from __future__ import annotations

from pathlib import Path

from ocrviewer.gui.compare_report import export_report
from tests.support import responses as R
from tests.support.images import DEFAULT_WORDS, make_text_image


def _open(window, qtbot, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """An EXIF-6 photo with a result that misreads one word, and the ground truth as another response."""
    image = make_text_image(tmp_path / "photo.jpg", orientation=6)
    typo = [("Hel1o" if t == "Hello" else t, box) for t, box in DEFAULT_WORDS]
    result = R.write_response(
        tmp_path / "engine.json", R.build_response("azure-v3", typo, orientation=6, frame="raw")
    )
    truth = R.write_response(
        tmp_path / "truth.json", R.build_response("yandex", DEFAULT_WORDS, orientation=6)
    )
    assert window.files.open_image(str(image))
    window.files.open_response(str(result))
    qtbot.waitUntil(lambda: window.state.document is not None, timeout=30000)
    return truth, image


def test_window_exports_the_comparison_report(window, qtbot, tmp_path: Path) -> None:
    truth, _ = _open(window, qtbot, tmp_path)
    assert window.actions_["export_report"].isEnabled()
    out = tmp_path / "report.html"
    export_report(window, str(truth), str(out))
    qtbot.waitUntil(lambda: out.exists(), timeout=30000)
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=30000)
    # the raw-frame engine and the displayed-frame truth land on the same words: one substitution
    assert "CER 3.85%" in window.statusBar().currentMessage()  # 1 edit / 26 graphemes
    text = out.read_text(encoding="utf-8")
    assert "reference «Hello» / result «Hel1o»" in text and "data:image/jpeg" in text


def test_a_reference_for_another_image_is_one_message(window, qtbot, tmp_path: Path) -> None:
    _open(window, qtbot, tmp_path)
    other = R.write_response(tmp_path / "other.json", R.build_response("azure-v3", display_size=(300, 300)))
    out = tmp_path / "report.html"
    export_report(window, str(other), str(out))
    qtbot.waitUntil(lambda: window.message_bar.level == "error", timeout=30000)
    assert "other.json" in window.message_bar.text and "--frame" in window.message_bar.text
    assert not out.exists()


def test_without_a_result_the_action_says_what_to_do(window, tmp_path: Path) -> None:
    assert not window.actions_["export_report"].isEnabled()
    export_report(window, str(tmp_path / "truth.json"), str(tmp_path / "r.html"))
    assert window.message_bar.level == "warning" and "open an image and a result" in window.message_bar.text
