"""Issue 14 in the window: a PDF, a folder or a batch OUTDIR open as one document of pages.

Real PDFs (reportlab), real responses (Azure Read in inches, one per page), real Qt widgets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ocrviewer.gui.state import ElementRef
from tests.support.documents import (
    azure_read_pdf_response,
    make_batch_outdir,
    make_pdf,
    make_scan,
    write_json,
)

WAIT = 30000


@pytest.fixture
def full_window(qtbot, settings):
    """The main window with its docks (the inspector spans the document)."""
    from ocrviewer.gui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    # the providers are checked in the background: a window closed before that reports to a deleted panel
    qtbot.waitUntil(lambda: win.dock_context.panels["recognition"].ready, timeout=WAIT)
    yield win
    if shiboken6.isValid(win):
        # thumbnails and neighbour prefetches still queued are not the test's business: cancel them,
        # then let the running ones end (a PDF render can take long on a busy machine)
        win.workers.cancel_all()
        qtbot.waitUntil(lambda: not win.workers.busy, timeout=4 * WAIT)
        win.close()


def _response(tmp_path: Path, pages: list[int], low: dict[int, float] | None = None) -> Path:
    """An Azure Read answer for ``pages`` (0-based); ``low`` gives word 1 of a page another confidence."""
    data = azure_read_pdf_response(pages)
    for result in data["analyzeResult"]["readResults"]:
        conf = (low or {}).get(result["page"] - 1)
        if conf is not None:
            result["lines"][0]["words"][1]["confidence"] = conf
    return write_json(tmp_path / "doc.azure.json", data)


def _open_with_response(win, qtbot, tmp_path: Path, pages: int = 6) -> Path:
    pdf = make_pdf(tmp_path / "doc.pdf", pages)
    resp = _response(tmp_path, [i for i in range(pages) if i != 3], low={1: 0.31})
    assert win.files.open_image(str(pdf))
    win.files.open_response(str(resp))
    qtbot.waitUntil(lambda: win.state.document is not None and not win.files.busy, timeout=WAIT)
    return pdf


def _strip_text(win, page: int) -> str:
    model = win.page_strip.model
    return str(model.data(model.index(model.row_of(page)), Qt.ItemDataRole.DisplayRole))


def test_a_pdf_opens_as_one_document_and_a_response_lands_page_by_page(window, qtbot, tmp_path) -> None:
    _open_with_response(window, qtbot, tmp_path)
    ws = window.state.workspace
    assert ws.source is not None and ws.source.kind == "pdf" and len(ws.pages) == 6
    assert [len(p.results) for p in ws.pages] == [1, 1, 1, 0, 1, 1]
    assert window.pages_dock.isVisible()
    assert window.page_strip.model.rowCount() == 6
    # each page's words sit on that page: page 5's first word is "p5w0", 40 pt lower per page
    page5 = ws.pages[4].result(ws.pages[4].shown).document
    word = next(page5.words())
    assert word.text == "p5w0"
    assert abs(word.bbox[1] - (100 + 40 * 4) * 150 / 72) < 2


def test_page_keys_flip_pages_and_only_neighbours_stay_decoded(window, qtbot, tmp_path) -> None:
    make_pdf(tmp_path / "doc.pdf", 8)
    assert window.files.open_image(str(tmp_path / "doc.pdf"))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=WAIT)
    window.activateWindow()
    window.canvas.setFocus()
    docs = window.files.documents

    def press(key: Qt.Key, page: int) -> None:
        QTest.keyClick(window.canvas, key)
        qtbot.waitUntil(lambda: window.state.page == page and window.canvas.image_item.has_full, timeout=WAIT)

    press(Qt.Key.Key_PageDown, 1)
    press(Qt.Key.Key_PageDown, 2)
    press(Qt.Key.Key_End, 7)
    press(Qt.Key.Key_PageUp, 6)
    press(Qt.Key.Key_Home, 0)
    QTest.keyClick(window.canvas, Qt.Key.Key_PageUp)  # at the first page: stays
    assert window.state.page == 0
    # the page shown and its neighbour only (page 0 has one); the rest were dropped
    qtbot.waitUntil(lambda: set(docs.cache) == {0, 1}, timeout=WAIT)
    assert window.page_strip.view.currentIndex().row() == 0


def test_strip_says_each_pages_status(window, qtbot, tmp_path) -> None:
    _open_with_response(window, qtbot, tmp_path)
    assert _strip_text(window, 1) == "Page 2\n3 words\nmean 0.70\nworst 'p2w1' 0.31"
    assert _strip_text(window, 0) == "Page 1\n3 words\nmean 0.90\nworst 'p1w0' 0.90"
    assert _strip_text(window, 3) == "Page 4\nno result"
    # worst first: page 2 (worst word 0.31) after the page without a result, then the rest in order
    window.page_strip.order_combo.setCurrentIndex(1)
    assert window.files.documents.order == [3, 1, 0, 2, 4, 5]
    window.actions_["first_page"].trigger()
    assert window.state.page == 3
    window.actions_["next_page"].trigger()  # PgDn follows the listed order
    assert window.state.page == 1


def test_thumbnails_render_in_workers_for_visible_rows_only(window, qtbot, tmp_path) -> None:
    pdf = make_pdf(tmp_path / "long.pdf", 120)
    assert window.files.open_image(str(pdf))
    model, view = window.page_strip.model, window.page_strip.view
    # opening returned before any thumbnail existed: they are made in the background
    assert not model.thumbs
    qtbot.waitUntil(lambda: 0 in model.thumbs and 1 in model.thumbs, timeout=WAIT)
    thumb = model.thumbs[0]
    assert max(thumb.width(), thumb.height()) <= model.thumb_side + 2
    assert len(model.thumbs) < 40  # rows never shown were never rendered
    assert 119 not in model.thumbs
    view.scrollToBottom()
    qtbot.waitUntil(lambda: 119 in model.thumbs, timeout=WAIT)


def test_document_wide_search_and_word_list_jump_to_the_page(full_window, qtbot, tmp_path) -> None:
    win = full_window
    _open_with_response(win, qtbot, tmp_path)
    inspector = win.dock_context.panels["inspector"]
    inspector.flush()
    # the word list spans every page: 5 pages with results x 3 words, the Page column says which
    model = inspector.words_model
    assert model.rowCount() == 15
    pages = sorted({model.data(model.index(r, 3)) for r in range(model.rowCount())})
    assert pages == ["1", "2", "3", "5", "6"]
    # sorted by confidence, the worst word of the document comes first: activating it shows page 2
    top = inspector.words_proxy.index(0, 0)
    assert top.data() == "p2w1"
    inspector._table_clicked(top)
    assert win.state.page == 1
    assert win.state.selection == ElementRef("word", 0, 0, 0, 1)
    assert win.state.element(win.state.selection).text == "p2w1"
    # search finds words on every page; stepping goes to the page of each match
    inspector.search_edit.setText("w2")
    assert inspector.search_label.text() == "5 found"
    win.actions_["first_page"].trigger()
    for page in (0, 1, 2, 4, 5):
        inspector.next_match()
        assert win.state.page == page
        assert win.state.element(win.state.selection).text == f"p{page + 1}w2"
        qtbot.waitUntil(lambda: win.state.highlights == (ElementRef("word", 0, 0, 0, 2),), timeout=WAIT)
    assert inspector.search_label.text() == "5 of 5"


def test_a_batch_outdir_opens_its_document_worst_first(window, qtbot, tmp_path) -> None:
    _pdf, out = make_batch_outdir(tmp_path)
    assert window.files.open_image(str(out))
    docs = window.files.documents
    qtbot.waitUntil(lambda: docs.order_kind == "worst" and not window.files.busy, timeout=WAIT)
    assert docs.order == [2, 3, 1, 0]  # failed first, then the worst word lowest first
    assert window.state.page == 2
    assert _strip_text(window, 2) == "Page 3\nfailed: HTTP 500 from the service"
    assert "worst 'p4w1' 0.20" in _strip_text(window, 3)
    # every page's response is on its own page (each was one page "1" for the service)
    texts = [next(window.state.page_document(i).words()).text for i in (0, 1, 3)]
    assert texts == ["p1w0", "p2w0", "p4w0"]
    assert window.page_strip.order_combo.currentData() == "worst"


def test_a_batch_outdir_parses_each_response_once(window, qtbot, tmp_path, monkeypatch) -> None:
    """Placing the pages and ranking them worst-first both need the responses: read once, not twice."""
    import ocrviewer.core.loading as loading
    import ocrviewer.core.parsers as parsers

    _pdf, out = make_batch_outdir(tmp_path)
    read: list[str] = []
    real = parsers.load_response

    def counted(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        read.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parsers, "load_response", counted)
    monkeypatch.setattr(loading, "load_response", counted)
    assert window.files.open_image(str(out))
    docs = window.files.documents
    qtbot.waitUntil(lambda: docs.order_kind == "worst" and not window.files.busy, timeout=WAIT)
    assert docs.order == [2, 3, 1, 0]
    assert sorted(read) == ["scan.p0001.json", "scan.p0002.json", "scan.p0004.json"]


def test_a_one_page_batch_outdir_says_one_page(window, qtbot, tmp_path) -> None:
    _pdf, out = make_batch_outdir(tmp_path, pages=1)
    messages: list[str] = []
    window.state.statusMessage.connect(messages.append)
    assert window.files.open_image(str(out))
    qtbot.waitUntil(lambda: any("worst first" in m for m in messages), timeout=WAIT)
    said = next(m for m in messages if "worst first" in m)
    assert said == "out: 1 page of scan.pdf, worst first", said
    assert window.page_strip.count_label.text() == "1 page"


def test_a_folder_opens_as_a_document_in_natural_order(window, qtbot, tmp_path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in ("page10.png", "page2.png", "page1.png"):
        make_scan(folder / name)
    (folder / "notes.txt").write_text("not a page")
    assert window.files.open_image(str(folder))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=WAIT)
    assert [Path(p.image_path).name for p in window.state.workspace.pages] == [
        "page1.png",
        "page2.png",
        "page10.png",
    ]
    assert "notes.txt skipped" in window.message_bar.text
    assert _strip_text(window, 2) == "3. page10.png\nno result"


def test_a_page_past_the_end_shows_the_last_page_and_says_so(window, qtbot, tmp_path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 2)
    assert window.files.open_image(str(pdf), 4)  # what `ocrviewer view doc.pdf --page 5` asks for
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=WAIT)
    assert window.state.page == 1
    assert "there is no page 5, it has 2; showing page 2" in window.message_bar.text


def test_a_multi_page_workspace_saves_and_reopens_every_page(window, qtbot, tmp_path) -> None:
    _open_with_response(window, qtbot, tmp_path)
    before = {i: [w.bbox for w in window.state.page_document(i).words()] for i in (0, 1, 2, 4, 5)}
    saved = window.files.save_workspace(str(tmp_path / "doc.ocrviewer-workspace.json"))
    assert saved is not None
    data = json.loads(saved.read_text())
    assert [r.get("response_page") for p in data["pages"] for r in p["results"]] == [0, 1, 2, 4, 5]
    # a lone image in between, then the workspace again (offline: the response is re-read)
    make_scan(tmp_path / "other.png")
    assert window.files.open_image(str(tmp_path / "other.png"))
    assert window.page_strip.model.rowCount() == 0
    window.files.open_workspace(str(saved))
    qtbot.waitUntil(lambda: len(window.state.workspace.pages) == 6 and not window.files.busy, timeout=WAIT)
    assert window.page_strip.model.rowCount() == 6
    after = {i: [w.bbox for w in window.state.page_document(i).words()] for i in (0, 1, 2, 4, 5)}
    assert after == before
    assert window.state.workspace.pages[3].results == []
    window.actions_["last_page"].trigger()
    assert window.state.page == 5 and window.state.document is not None
    assert next(window.state.document.words()).text == "p6w0"


def test_view_command_opens_a_pdf_with_its_response(tmp_path) -> None:
    from ocrviewer.cli import main

    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    resp = _response(tmp_path, [0, 1, 2])
    shot = tmp_path / "shot.png"
    code = main(
        ["view", str(pdf), "-r", str(resp), "--page", "2", "--screenshot", str(shot), "--size", "900x600"]
    )
    assert code == 0 and shot.stat().st_size > 1000


@pytest.fixture
def azure_panel(full_window, qtbot):  # noqa: ANN001, ANN201
    """The window's Recognition panel with Azure Read at a loopback fake (its key stored; short waits
    between polls): (panel, the fake)."""
    from ocrviewer.providers.credentials import CredentialStore
    from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
    from tests.providers.servers import AZURE_KEY, FakeCloud

    cloud = FakeCloud(running_polls=1)
    store = CredentialStore(env={})
    store.set("azure", "key", AZURE_KEY)
    ctx = full_window.dock_context
    ctx.credentials = store
    policy = RetryPolicy(connect_timeout=10.0, read_timeout=30.0, total_timeout=120.0, poll_interval=0.02)
    timing = Timing(sleep=lambda s, c: c.wait(min(s, 0.01)))
    ctx.provider_settings.update(
        {"azure.endpoint": cloud.url, "http": HttpConfig(policy=policy, timing=timing, seed=1)}
    )
    panel = ctx.panels["recognition"]
    panel.reload_providers()
    qtbot.waitUntil(lambda: panel.ready, timeout=WAIT)
    yield panel, cloud
    cloud.close()


def test_recognize_all_pages_lands_each_page_on_its_page_and_can_be_cancelled(
    full_window, azure_panel, qtbot, tmp_path
) -> None:
    win = full_window
    panel, _cloud = azure_panel
    make_pdf(tmp_path / "doc.pdf", 4)
    assert win.files.open_image(str(tmp_path / "doc.pdf"))
    assert panel.all_button.isVisible() or not panel.isVisible()
    assert panel.start_all("azure-read")
    win.actions_["next_page"].trigger()  # flipping while it runs does not stop it
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)
    pages = win.state.workspace.pages
    assert [len(p.results) for p in pages] == [1, 1, 1, 1]
    assert all(p.results[0].origin.provider == "azure-read" for p in pages)
    assert "4 of 4 pages recognized" in panel.status_label.text()
    assert win.state.page == 1 and win.state.document is not None  # the page shown got its result
    assert _strip_text(win, 3) != "Page 4\nno result"
    # a second run skips the pages done
    assert not panel.start_all("azure-read")
    assert "every page has a result" in panel.status_label.text()
    # on another document, a run cancelled midway keeps the pages it finished
    make_pdf(tmp_path / "long.pdf", 30)
    assert win.files.open_image(str(tmp_path / "long.pdf"))
    assert panel.start_all("azure-read")
    qtbot.waitUntil(lambda: any(p.results for p in win.state.workspace.pages), timeout=WAIT)
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)
    done = sum(1 for p in win.state.workspace.pages if p.results)
    assert 1 <= done < 30


def test_recognize_all_pages_records_a_faulty_page_and_goes_on(
    full_window, azure_panel, qtbot, tmp_path
) -> None:
    """A proxy's page for one upload, a crash for another: those pages say why, the others land."""
    from tests.providers.servers import Reply

    win = full_window
    panel, cloud = azure_panel
    posts: list[str] = []

    def second_upload_gets_a_web_page(rec) -> None:  # noqa: ANN001
        if rec.method == "POST":
            posts.append(rec.path)
            if len(posts) == 2:
                cloud.script("POST", rec.path, Reply(200, b"<html><title>Sign in</title></html>"))

    cloud.on_request = second_upload_gets_a_web_page
    real = panel.recognizer
    calls: list[int] = []

    def third_page_crashes(*args):  # noqa: ANN002, ANN202
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("a bug")
        return real(*args)

    panel.recognizer = third_page_crashes
    messages: list[str] = []
    win.state.statusMessage.connect(messages.append)
    make_pdf(tmp_path / "doc.pdf", 4)
    assert win.files.open_image(str(tmp_path / "doc.pdf"))
    assert panel.start_all("azure-read")
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)
    assert [bool(p.results) for p in win.state.workspace.pages] == [True, False, False, True]
    assert "2 of 4 pages recognized, 2 failed" in panel.status_label.text()
    page2 = next(m for m in messages if m.startswith("page 2:"))
    assert "answered 200 (a web page: 'Sign in') where the API answers 202" in page2, page2
    assert "check the endpoint" in page2 and "\n" not in page2
    page3 = next(m for m in messages if m.startswith("page 3:"))
    assert "Unexpected error (RuntimeError: a bug)" in page3


def test_an_image_opened_after_a_pdf_puts_the_empty_pages_panel_away(window, qtbot, tmp_path) -> None:
    _open_with_response(window, qtbot, tmp_path)
    assert window.pages_dock.isVisible()
    image = make_scan(tmp_path / "lone.png")
    assert window.files.open_image(str(image))
    qtbot.waitUntil(lambda: window.canvas.image_item.has_full, timeout=WAIT)
    assert window.page_strip.count_label.text() == "0 pages"
    assert not window.pages_dock.isVisible()  # no empty "0 pages" list beside the picture


def test_a_layout_saved_with_a_pdf_open_shows_no_pages_panel_for_an_image(qtbot, settings, tmp_path) -> None:
    from ocrviewer.gui.main_window import MainWindow
    from ocrviewer.gui.settings_keys import WINDOW_STATE_KEY

    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    first.install_panels()
    first.pages_dock.show()
    settings.setValue(WINDOW_STATE_KEY, first.saveState())
    first.close()
    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    assert second.files.open_image(str(make_scan(tmp_path / "lone.png")))
    second.install_panels()
    qtbot.waitUntil(lambda: second.canvas.image_item.has_full, timeout=WAIT)
    assert not second.pages_dock.isVisible()


def test_a_poster_sized_pdf_page_is_shown_at_a_lower_dpi_with_a_note(
    window, qtbot, tmp_path, monkeypatch
) -> None:
    """A page too large to render at 150 dpi (here: the pixel limit lowered to 4 MP, so 40x40 inches
    is over it) is shown at the dpi that fits, and the message bar says so."""
    import pikepdf
    from PIL import Image

    from tests.support.documents import make_pdf

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4_000_000)
    path = tmp_path / "poster.pdf"
    with pikepdf.open(make_pdf(tmp_path / "plain.pdf", pages=2)) as pdf:
        pdf.pages[0].MediaBox = [0, 0, 2880, 2880]
        pdf.save(path)
    assert window.files.open_image(str(path))
    item = window.canvas.image_item
    qtbot.waitUntil(lambda: item.has_full, timeout=30000)
    qtbot.waitUntil(
        lambda: window.message_bar.isVisible() and window.message_bar.level == "warning", timeout=30000
    )
    assert window.message_bar.text.startswith("poster.pdf: page 1 is 40x40 inches")
    assert "shown at 70 dpi" in window.message_bar.text
    shown = next(lv for lv in item.levels if lv.final).image
    assert (shown.width(), shown.height()) == (2800, 2800)
