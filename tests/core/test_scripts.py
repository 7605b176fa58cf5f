"""The scripts of a result's text, found Qt-free once per result, and the note for those no font shows."""

from __future__ import annotations

from ocrviewer.core.scripts import no_font_note, scripts_in
from ocrviewer.core.text_rows import prepare_inspector
from tests.support.elements import make_document


def test_the_scripts_of_a_text_other_than_latin_each_with_a_sample() -> None:
    found = scripts_in("Invoice 2024: 안녕하세요 서울, 東京 カタカナ Привет — 42 €")
    assert found == {
        "Korean": "안녕하세요서울",
        "Chinese/Japanese/Korean (Han)": "東京",
        "Japanese": "カタナ",
        "Cyrillic": "Привет",
    }
    assert scripts_in("Plain Latin, café, naïve, 123 + - %") == {}
    assert len(scripts_in("".join(chr(0xAC00 + i) for i in range(500)))["Korean"]) == 48


def test_the_worker_finds_the_scripts_with_the_inspector_rows() -> None:
    data = prepare_inspector(make_document([(0, 0, "שלום", 0.9), (0, 0, "world", 0.8)]))
    assert data is not None and data.scripts == {"Hebrew": "שלום"}


def test_the_note_names_each_script_and_the_packages() -> None:
    assert no_font_note(["Korean", "Ethiopic", "Thai"]) == (
        "Korean, Ethiopic and Thai text shows as empty boxes: no installed font has its characters; install a "
        "font for it (Debian/Ubuntu: sudo apt install fonts-noto-cjk fonts-noto-core) and restart ocrviewer"
    )
