"""The Inspector in compare mode: a clicked word's status, the truth's text and the edit distance, as its
tooltip and the Differences panel name them; nothing of compare when the mode is off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt

from tests.gui.conftest import SPLIT_ENGINE as ENGINE
from tests.gui.conftest import SPLIT_TRUTH as TRUTH
from tests.gui.conftest import open_split_page


@pytest.fixture
def window(qtbot, settings: QSettings):  # type: ignore[no-untyped-def]
    """The main window with its panels (the Inspector among them)."""
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.install_panels()
    return win


def click(window, qtbot, box: tuple[int, int, int, int]) -> None:  # type: ignore[no-untyped-def]
    """A click in the middle of an image box on the canvas."""
    canvas = window.canvas
    at = canvas.mapFromScene(QPointF((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=at)


def compare_rows(window) -> dict[str, str] | None:  # type: ignore[no-untyped-def]
    """What the Inspector says about the selected word's comparison: label -> value (None: nothing)."""
    box = window.dock_context.panels["inspector"].compare_box
    if box.isHidden():
        return None
    text = re.sub(r"&nbsp;", " ", box.text())
    cells = [re.sub(r"<[^>]+>", "", c).replace("■", "").strip() for c in re.findall(r"<td>(.*?)</td>", text)]
    return dict(zip(cells[0::2], cells[1::2], strict=True))


def difference(window, status: str) -> str:  # type: ignore[no-untyped-def]
    rows = [window.compare.list.item(i).text() for i in range(window.compare.list.count())]
    (row,) = [r for r in rows if r.startswith(status + ":")]
    return row


def test_the_inspector_shows_the_clicked_words_status_only_in_compare_mode(
    window, qtbot, tmp_path: Path
) -> None:
    open_split_page(window, qtbot, tmp_path)
    click(window, qtbot, ENGINE[2][1])  # "fra"
    assert window.state.selection is not None and window.state.selection.level == "word"
    assert compare_rows(window) is None  # not comparing: nothing of compare

    window.actions_["compare_mode"].setChecked(True)
    qtbot.waitUntil(lambda: window.compare.comparison is not None, timeout=30000)
    qtbot.waitUntil(lambda: compare_rows(window) is not None, timeout=30000)  # the word already selected
    assert compare_rows(window) == {
        "Status": "split",
        "Truth": "frames",
        "Result": "fra mes",
        "Edit distance": "0",
    }
    assert difference(window, "split") == "split: «frames» → «fra mes» (0)"
    layer = window.canvas.layers["word"]
    k = [layer.data.text(i) for i in range(len(layer.data))].index("fra")
    assert "<i>split</i>: truth «frames» · result «fra mes»" in window.canvas.tooltip_for("word", k)

    click(window, qtbot, ENGINE[0][1])  # "Helloworld"
    assert compare_rows(window) == {
        "Status": "merged",
        "Truth": "Hello world",
        "Result": "Helloworld",
        "Edit distance": "0",
    }
    click(window, qtbot, ENGINE[4][1])  # "fine" against the ligature, compared exactly
    rows = compare_rows(window)
    assert rows == {"Status": "substituted", "Truth": "\ufb01ne", "Result": "fine", "Edit distance": "2"}
    assert difference(window, "substituted") == "substituted: «\ufb01ne» → «fine» (2)"
    click(window, qtbot, ENGINE[1][1])  # "EXIF"
    assert compare_rows(window) == {
        "Status": "equal",
        "Truth": "EXIF",
        "Result": "EXIF",
        "Edit distance": "0",
    }

    # the historic normalization reads the ligature as its letters: the same word is equal now
    click(window, qtbot, ENGINE[4][1])
    first = window.compare.comparison
    window.compare.set_normalization("historic")
    qtbot.waitUntil(lambda: window.compare.comparison is not first, timeout=30000)
    qtbot.waitUntil(lambda: (compare_rows(window) or {}).get("Status") == "equal", timeout=30000)
    assert compare_rows(window) == {
        "Status": "equal",
        "Truth": "fine",
        "Result": "fine",
        "Edit distance": "0",
    }

    click(window, qtbot, (600, 420, 620, 440))  # empty paper: no selection, nothing shown
    assert window.state.selection is None and compare_rows(window) is None
    click(window, qtbot, ENGINE[2][1])
    assert compare_rows(window) is not None
    window.actions_["compare_mode"].setChecked(False)
    assert window.state.selection is not None and compare_rows(window) is None


def test_with_the_truth_shown_the_inspector_names_the_truths_word(window, qtbot, tmp_path: Path) -> None:
    open_split_page(window, qtbot, tmp_path)
    window.compare.set_enabled(True)
    qtbot.waitUntil(lambda: window.compare.comparison is not None, timeout=30000)
    window.actions_["compare_swap"].trigger()
    qtbot.waitUntil(lambda: window.state.current_result().role == "truth", timeout=30000)
    qtbot.waitUntil(lambda: window.canvas.layers["word"].statuses is not None, timeout=30000)
    click(window, qtbot, TRUTH[1][1])  # "world", run together with "Hello" by the engine
    assert window.state.element(window.state.selection).text == "world"
    assert compare_rows(window) == {
        "Status": "merged",
        "Truth": "Hello world",
        "Result": "Helloworld",
        "Edit distance": "0",
    }
    # a row of the Differences panel selects its word, and the Inspector follows
    rows = [window.compare.list.item(i).text() for i in range(window.compare.list.count())]
    window.compare.list.setCurrentRow(rows.index("split: «frames» → «fra mes» (0)"))
    qtbot.waitUntil(lambda: (compare_rows(window) or {}).get("Status") == "split", timeout=30000)
    assert compare_rows(window) == {
        "Status": "split",
        "Truth": "frames",
        "Result": "fra mes",
        "Edit distance": "0",
    }
