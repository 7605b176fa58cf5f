"""GUI test fixtures: isolated QSettings per test, a main window, generated images and documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from ocrviewer.core.geometry import FrameTransform
from ocrviewer.core.model import Block, Document, Line, Page, Word, polygon_from_bbox
from tests.support import responses as R
from tests.support.images import DEFAULT_DISPLAY_SIZE, DEFAULT_WORDS, make_text_image, misread

#: confidences given to DEFAULT_WORDS, in order (one low word for threshold tests)
CONFIDENCES = (0.99, 0.95, 0.40, 0.90, 0.85)
#: a page whose engine result has a word cut in two, two run together and a ligature written out
SPLIT_TRUTH = (
    ("Hello", (40, 40, 200, 90)),
    ("world", (240, 40, 420, 90)),
    ("EXIF", (40, 160, 180, 210)),
    ("frames", (220, 160, 440, 210)),
    ("\ufb01ne", (40, 300, 170, 350)),  # "ﬁne" with the fi ligature
)
#: the engine ran "Hello world" together, cut "frames" in two and wrote the ligature as two letters
SPLIT_ENGINE = (
    ("Helloworld", (40, 40, 420, 90)),
    ("EXIF", (40, 160, 180, 210)),
    ("fra", (220, 160, 320, 210)),
    ("mes", (326, 160, 440, 210)),
    ("fine", (40, 300, 170, 350)),
)


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every QSettings (default-constructed or by org/app name) writes under a per-test folder."""
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder / "system"))
    QCoreApplication.setOrganizationName("ocrviewer-test")
    QCoreApplication.setApplicationName("ocrviewer-test")
    yield folder


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def words_document(words=DEFAULT_WORDS, size=DEFAULT_DISPLAY_SIZE, confidences=CONFIDENCES) -> Document:
    """A displayed-frame document: one block, one line per word row, one word per box."""
    ws = [
        Word(text, polygon_from_bbox(*box), confidence=conf)
        for (text, box), conf in zip(words, confidences, strict=False)
    ]
    rows: dict[float, list[Word]] = {}
    for w in ws:
        rows.setdefault(w.bbox[1], []).append(w)
    lines = []
    for row in rows.values():
        left = min(w.bbox[0] for w in row)
        top = min(w.bbox[1] for w in row)
        right = max(w.bbox[2] for w in row)
        bottom = max(w.bbox[3] for w in row)
        lines.append(
            Line(" ".join(w.text for w in row), polygon_from_bbox(left, top, right, bottom), tuple(row))
        )
    block = Block(polygon_from_bbox(20, 20, 460, 370), tuple(lines))
    return Document((Page(float(size[0]), float(size[1]), (block,)),), source_format="test")


@pytest.fixture
def text_image(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a JPEG showing DEFAULT_WORDS as black boxes, stored with the given EXIF orientation."""

    def make(orientation: int = 1, name: str | None = None) -> Path:
        return make_text_image(tmp_path / (name or f"page-o{orientation}.jpg"), orientation=orientation)

    return make


@pytest.fixture
def window(qtbot, settings: QSettings):
    """A main window without the docks (E2's panels have their own tests)."""
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings, with_docks=False)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def docked_window(qtbot, settings: QSettings) -> Callable[..., Any]:
    """Factory: a main window with its panels (MainWindow's keywords passed on), shown, at ``size`` if
    given (else the size it chooses itself)."""

    def make(size: tuple[int, int] | None = None, **kwargs: Any) -> Any:
        from ocrviewer.gui.main_window import MainWindow

        win = MainWindow(settings, **kwargs)
        qtbot.addWidget(win)
        if size is not None:
            win.resize(*size)
        win.show()
        qtbot.waitExposed(win)
        return win

    return make


@pytest.fixture
def loaded(window, qtbot, text_image):
    """The window with an EXIF-6 image decoded and DEFAULT_WORDS placed on it."""
    path = text_image(6)
    assert window.files.open_image(str(path))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    doc = words_document()
    window.state.set_response(doc, FrameTransform.identity(*DEFAULT_DISPLAY_SIZE))
    return window


def typo_page(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An EXIF-6 photo of DEFAULT_WORDS, its ground truth (Yandex, displayed frame) and an engine's result
    that misreads "Hello" as "Hel1o" (Azure, in the stored, raw frame): (image, truth, result)."""
    image = make_text_image(tmp_path / "photo.jpg", orientation=6)
    truth = R.write_response(
        tmp_path / "truth.json", R.build_response("yandex", DEFAULT_WORDS, orientation=6)
    )
    result = R.write_response(
        tmp_path / "engine.json",
        R.build_response("azure-v3", misread("Hello", "Hel1o"), orientation=6, frame="raw"),
    )
    return image, truth, result


def open_page(window, qtbot, image: Path, truth: Path | None, *results: Path) -> None:  # noqa: ANN001
    """``image`` shown in full, ``truth`` (if any) loaded as its ground truth, then each of ``results`` in
    turn, each waited for; the last one is the result shown."""
    assert window.files.open_image(str(image))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=30000)
    expected = 0
    for path, role in [(truth, "truth")] * (truth is not None) + [(r, "result") for r in results]:
        expected += 1
        (window.files.open_truth if role == "truth" else window.files.open_response)(str(path))
        qtbot.waitUntil(
            lambda n=expected, name=path.name, role=role: (  # type: ignore[misc]
                not window.files.busy
                and len(window.state.results()) == n
                and window.state.current_result() is not None
                and (role == "truth" or window.state.current_result().name == name)
            ),
            timeout=30000,
        )


def open_split_page(window, qtbot, tmp_path: Path) -> Path:  # noqa: ANN001
    """The SPLIT_TRUTH page shown with its truth (Yandex) and SPLIT_ENGINE's result (Azure); the truth's path."""
    image = make_text_image(tmp_path / "page.jpg", words=SPLIT_TRUTH)
    truth = R.write_response(tmp_path / "truth.json", R.build_response("yandex", list(SPLIT_TRUTH)))
    engine = R.write_response(tmp_path / "engine.json", R.build_response("azure-v3", list(SPLIT_ENGINE)))
    open_page(window, qtbot, image, truth, engine)
    return truth


def reopen_workspace(window, qtbot, tmp_path: Path, pages: int) -> None:  # noqa: ANN001
    """The window's workspace saved, another document (a 1-page PDF) opened, then the saved workspace
    reopened and waited for until its ``pages`` pages and their results are back."""
    from tests.support.documents import make_pdf

    saved = window.files.save_workspace(str(tmp_path / "doc.ocrviewer-workspace.json"))
    assert saved is not None
    window.files.open_image(str(make_pdf(tmp_path / "other.pdf", 1)))
    qtbot.waitUntil(lambda: len(window.state.workspace.pages) == 1, timeout=30000)
    window.files.open_workspace(str(saved))
    qtbot.waitUntil(
        lambda: (
            len(window.state.workspace.pages) == pages
            and not window.files.busy
            and bool(window.state.results())
        ),
        timeout=30000,
    )


def settled(qtbot, value: Callable[[], object], passes: int = 3, limit_s: float = 30.0) -> object:  # noqa: ANN001
    """``value()`` once it has stayed the same over ``passes`` event-loop passes of 50 ms (layouts, docks and
    their timers done), within ``limit_s``. A fixed qtbot.wait(50) before measuring a layout measured it half
    done whenever a busy machine ran fewer passes in those 50 ms."""
    import time

    deadline = time.monotonic() + limit_s
    last, same = value(), 0
    while same < passes:
        assert time.monotonic() < deadline, f"still changing after {limit_s:.0f} s: {last!r}"
        qtbot.wait(50)
        now = value()
        same = same + 1 if now == last else 0
        last = now
    return last
