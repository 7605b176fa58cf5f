"""GUI messages name GUI actions instead of command-line advice."""

from __future__ import annotations

from ocrviewer.gui.wording import gui_advice
from ocrviewer.providers.azure import NO_ENDPOINT, NO_KEY


def test_provider_reasons_point_at_preferences() -> None:
    assert gui_advice(NO_KEY) == "no Azure key: enter the key in Preferences (Ctrl+,)"
    assert gui_advice(NO_KEY, in_preferences=True) == "no Azure key: enter the key above"
    assert "--endpoint" not in gui_advice(NO_ENDPOINT) and "Preferences" in gui_advice(NO_ENDPOINT)
    assert gui_advice("check the key (ocrviewer credentials set azure) and retry") == (
        "check the key (Preferences, Ctrl+,) and retry"
    )


def test_frame_advice_names_the_button() -> None:
    text = "the overlay will not line up (use --frame raw)"
    assert gui_advice(text) == "the overlay will not line up (click Raw frame in Frame tools)"
    assert "Ctrl+O" in gui_advice("no page size and has no polygons; pass the image it was made from")
    assert "ocrviewer" not in gui_advice(
        "run 'ocrviewer credentials set yandex' or set OCRVIEWER_YANDEX_API_KEY"
    )
