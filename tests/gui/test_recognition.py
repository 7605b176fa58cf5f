"""Recognition dock against a loopback Azure Read v3.2 service: success, failure, cancel, stale, cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMainWindow

from ocrviewer.core.imageio import read_image_info
from ocrviewer.gui.docks import DockContext, install_docks
from ocrviewer.gui.recognition_panel import RecognitionPanel
from ocrviewer.gui.state import ViewerState
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing
from tests.providers.servers import AZURE_KEY, FakeCloud
from tests.support.images import DEFAULT_WORDS, make_text_image

#: Short poll intervals, generous network limits: a busy machine must not turn a slow answer into a failure.
POLICY = RetryPolicy(
    connect_timeout=10.0, read_timeout=30.0, total_timeout=120.0, poll_interval=0.02, jitter=0
)


def short_sleep(seconds: float, cancel: CancelToken) -> bool:
    """Real but short waits: the run takes a few ticks of the event loop, never long."""
    return cancel.wait(min(seconds, 0.01))


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    server = FakeCloud(running_polls=3, texts=[w for w, _ in DEFAULT_WORDS])
    yield server
    server.close()


@pytest.fixture
def creds() -> CredentialStore:
    store = CredentialStore(env={})
    store.set("azure", "key", AZURE_KEY)
    return store


@pytest.fixture
def context(tmp_path, cloud, creds) -> DockContext:
    return DockContext(
        settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat),
        credentials=creds,
        provider_settings={
            "azure.endpoint": cloud.url,
            "http": HttpConfig(policy=POLICY, timing=Timing(sleep=short_sleep), seed=1),
        },
    )


@pytest.fixture
def state(tmp_path) -> ViewerState:
    s = ViewerState()
    image = make_text_image(tmp_path / "photo.jpg", orientation=6)
    s.set_image(str(image), read_image_info(image))
    return s


@pytest.fixture
def panel(qtbot, state, context) -> RecognitionPanel:
    p = RecognitionPanel(state, context.settings, provider_settings=context.settings_for_providers)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.ready, timeout=30000)  # providers are checked in the background
    p.select_provider("azure-read")
    p.option_widgets["api_version"].setCurrentIndex(p.option_widgets["api_version"].findData("3.2"))
    return p


def word_boxes(state: ViewerState) -> list[tuple[str, tuple[int, ...]]]:
    return [(w.text, tuple(round(v) for v in w.bbox)) for w in state.document.words()]


def test_lists_every_provider_with_reasons(panel):
    names = [panel.provider_combo.itemData(i) for i in range(panel.provider_combo.count())]
    assert names == ["local", "tesseract", "yandex", "yandex-async", "azure-read", "azure-image-analysis"]
    assert panel.reasons["azure-read"] is None
    assert panel.reasons["yandex"]  # no Yandex credentials in this test
    i = panel.provider_combo.findData("yandex")
    assert panel.provider_combo.itemText(i).endswith("unavailable")
    panel.select_provider("yandex")
    assert "credentials" in panel.reason_label.text()
    assert set(panel.option_widgets) == {"model", "languages", "data_logging"}
    assert panel.start() is False
    assert "yandex cannot run" in panel.message_label.text()


def test_success_lands_on_displayed_text_and_gui_stays_responsive(qtbot, panel, state, cloud):
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    statuses: list[str] = []
    shown = panel._status
    panel._status = lambda text: (statuses.append(text), shown(text))  # every status, not samples
    with qtbot.waitSignal(panel.recognized, timeout=30000):
        assert panel.start() is True
        assert panel.busy and panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
        qtbot.waitUntil(lambda: any("poll" in s for s in statuses), timeout=30000)
    timer.stop()
    assert any("poll" in s for s in statuses), statuses
    assert len(ticks) >= 3  # the main thread kept processing events during the run
    assert [p.split(" ")[1] for p in cloud.paths()[:1]] == ["/vision/v3.2/read/analyze"]
    assert sum(p.startswith("GET") for p in cloud.paths()) == 4  # 3 "running" polls + the result
    got = word_boxes(state)
    assert [t for t, _ in got] == [w for w, _ in DEFAULT_WORDS]
    for (_, box), (_, want) in zip(got, DEFAULT_WORDS, strict=True):
        assert all(abs(a - b) <= 2 for a, b in zip(box, want, strict=True)), (box, want)
    assert state.decision.method == "sidecar"
    assert state.response_path and state.response_path.endswith(".json")
    # the result lands before the job's end is processed (a loaded machine shows the gap)
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    assert panel.run_button.isEnabled()
    assert "5 words" in panel.status_label.text()


def test_the_last_runs_word_count_goes_when_another_image_opens(qtbot, panel, state, cloud, tmp_path):
    with qtbot.waitSignal(panel.recognized, timeout=30000):
        assert panel.start() is True
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    assert "5 words" in panel.status_label.text()
    other = make_text_image(tmp_path / "other.png", orientation=1, fmt="PNG")
    state.set_image(str(other), read_image_info(other))
    assert panel.status_label.text() == "Ready"  # the count was about the picture before


def _run_when_ready(qtbot, panel):
    """Click Run as a person does: once the previous run has ended (Run is enabled again). The
    result lands before the job's end is processed, so starting at once could be refused."""
    qtbot.waitUntil(lambda: not panel.busy and panel.run_button.isEnabled(), timeout=30000)
    with qtbot.waitSignal(panel.recognized, timeout=30000) as done:
        assert panel.start()
    return done


def test_second_run_comes_from_cache_unless_fresh(qtbot, panel, state, cloud):
    first = _run_when_ready(qtbot, panel)
    assert first.args == ["azure-read", False]
    uploads = len(cloud.uploads)
    second = _run_when_ready(qtbot, panel)
    assert second.args == ["azure-read", True]
    assert len(cloud.uploads) == uploads
    assert "from the cache" in panel.status_label.text()
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    panel.fresh_check.setChecked(True)
    third = _run_when_ready(qtbot, panel)
    assert third.args == ["azure-read", False]
    assert len(cloud.uploads) == uploads + 1


def test_failure_shows_an_inline_message_that_says_what_to_do(qtbot, panel, state, creds):
    creds.set("azure", "key", "wrong-key")
    messages: list[str] = []
    state.statusMessage.connect(messages.append)
    panel.start()
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    assert state.document is None
    assert panel.message_label.isVisible()
    text = panel.message_label.text()
    assert "key" in text.lower() and "Preferences" in text
    assert "wrong-key" not in text
    assert messages[-1] == text
    assert panel.status_label.text() == "Failed"


def test_cancel_stops_polling(qtbot, panel, state, cloud):
    cloud.running_polls = 10_000
    panel.start()
    qtbot.waitUntil(lambda: sum(p.startswith("GET") for p in cloud.paths()) >= 2, timeout=30000)
    panel.cancel_action.trigger()  # Esc
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    assert panel.status_label.text() == "Cancelled"
    assert state.document is None
    # the worker thread has ended: nothing is left that could poll again
    qtbot.waitUntil(lambda: panel.runner.pool.activeThreadCount() == 0, timeout=30000)
    polls = sum(p.startswith("GET") for p in cloud.paths())
    assert cloud.operations and all(op.polls_left > 0 for op in cloud.operations.values())
    assert sum(p.startswith("GET") for p in cloud.paths()) == polls
    assert not panel.cancel_action.isEnabled()


def test_stale_result_for_a_previous_image_is_dropped(qtbot, panel, state, cloud, tmp_path):
    panel.start()
    qtbot.waitUntil(lambda: any(p.startswith("GET") for p in cloud.paths()), timeout=30000)
    other = make_text_image(tmp_path / "other.png", orientation=1, fmt="PNG")
    state.set_image(str(other), read_image_info(other))  # the user opened another image meanwhile
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    assert panel.last_dropped
    assert state.document is None
    assert state.image_path == str(other)


def test_no_image_and_unknown_provider(qtbot, context):
    state = ViewerState()
    panel = RecognitionPanel(state, context.settings, provider_settings=context.settings_for_providers)
    qtbot.addWidget(panel)
    assert not panel.run_button.isEnabled()
    assert panel.start() is False
    assert "Open an image" in panel.message_label.text()
    assert panel.start("nope") is False
    assert "Unknown provider" in panel.message_label.text()


def test_view_provider_hook_and_close_cancels(qtbot, context, state, cloud):
    cloud.running_polls = 10_000
    window = QMainWindow()
    qtbot.addWidget(window)
    install_docks(window, state, context)
    assert context.actions["run_recognition"].shortcut().toString() == "Ctrl+Return"
    assert context.actions["cancel_recognition"].shortcut().toString() == "Esc"
    panel = context.panels["recognition"]
    assert not panel.ready  # still checking providers: the run starts as soon as that is done
    assert context.start_recognition("azure-read") is True
    assert panel.busy
    qtbot.waitUntil(lambda: any(p.startswith("GET") for p in cloud.paths()), timeout=30000)
    window.close()  # cancels and waits briefly
    assert panel.runner.pool.activeThreadCount() == 0


def test_opening_another_image_cancels_the_run_and_run_works_at_once(qtbot, panel, state, cloud, tmp_path):
    cloud.running_polls = 10_000
    assert panel.start() is True
    qtbot.waitUntil(lambda: any(p.startswith("GET") for p in cloud.paths()), timeout=30000)
    other = make_text_image(tmp_path / "other.png", orientation=1, fmt="PNG")
    state.set_image(str(other), read_image_info(other))  # image B
    assert not panel.busy and panel.run_button.isEnabled()  # at once, not when A's job ends
    polls = sum(p.startswith("GET") for p in cloud.paths())
    cloud.running_polls = 1
    with qtbot.waitSignal(panel.recognized, timeout=30000):
        assert panel.start() is True  # Run on B is not refused
    assert state.image_path == str(other) and state.document is not None
    assert sum(p.startswith("GET") for p in cloud.paths()) <= polls + 4  # A stopped polling


def test_a_response_opened_meanwhile_is_never_replaced(qtbot, panel, state, cloud, tmp_path, monkeypatch):
    from ocrviewer.core import parsers
    from ocrviewer.core.loading import load_result
    from tests.support.responses import build_response, write_response

    calls: list[str] = []
    real = parsers._parse
    monkeypatch.setattr(parsers, "_parse", lambda fmt, data: calls.append(fmt) or real(fmt, data))
    cloud.running_polls = 20
    panel.start()
    qtbot.waitUntil(lambda: any(p.startswith("GET") for p in cloud.paths()), timeout=30000)
    resp = write_response(tmp_path / "mine.json", build_response("yandex", orientation=6, frame="raw"))
    mine = state.add_result(load_result(resp, state.image_path))  # File > Open response meanwhile
    with qtbot.waitSignal(panel.recognized, timeout=30000):
        pass
    assert state.result_id == mine.id  # what the user opened stays on screen
    assert [r.name for r in state.results()] == ["mine.json", "azure-read"]
    assert state.results()[1].document is not None
    assert len(calls) == 2  # one parse per result: the run's answer is never parsed again
    assert "added to the results" in panel.status_label.text()


def test_progress_counter_moves_while_the_provider_is_silent(qtbot, state, context) -> None:
    import threading

    from ocrviewer.errors import Cancelled

    release = threading.Event()

    def silent(image, provider, options, settings, cancel, progress, fresh):  # noqa: ANN001, ANN202
        progress(0.1, "detection: finding text")
        release.wait(60)
        raise Cancelled("stopped by the test")

    p = RecognitionPanel(
        state, context.settings, provider_settings=context.settings_for_providers, recognizer=silent
    )
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.ready, timeout=30000)
    p.select_provider("azure-read")
    assert p.start()
    qtbot.waitUntil(lambda: p.status_label.text().startswith("detection: finding text"), timeout=30000)
    qtbot.waitUntil(lambda: p.status_label.text().endswith("· 2 s"), timeout=30000)
    release.set()
    qtbot.waitUntil(lambda: not p.busy, timeout=30000)


def test_unusable_remembered_provider_falls_back_to_the_offline_engine(qtbot, state, tmp_path) -> None:
    settings = QSettings(str(tmp_path / "fallback.ini"), QSettings.Format.IniFormat)
    settings.setValue("recognition/provider", "azure-read")  # chosen in an earlier session
    context = DockContext(settings=settings, credentials=CredentialStore(env={}), provider_settings={})
    p = RecognitionPanel(state, settings, provider_settings=context.settings_for_providers)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.ready, timeout=30000)
    if p.reasons.get("local"):
        pytest.skip(f"the offline engine cannot run here: {p.reasons['local']}")
    assert p.current_provider() == "local"
    assert p.run_button.isEnabled()
    note = p.fallback_label.text()
    assert p.fallback_label.isVisible() and "offline engine" in note and "Preferences" in note
    assert "ocrviewer credentials" not in note
    assert settings.value("recognition/provider") == "azure-read"  # the remembered choice is kept
    p.select_provider("tesseract")  # choosing another one is remembered and clears the note
    assert settings.value("recognition/provider") == "tesseract" and not p.fallback_label.isVisible()


def test_a_faulty_server_is_one_line_that_says_what_to_do(qtbot, panel, state, cloud):
    """A wrong endpoint (404) and a gateway's error page: one line each, naming the fault and what to do."""
    from tests.providers.servers import Reply

    cases = [
        (
            [Reply(404, {"error": {"code": "404", "message": "Resource not found"}})],
            ("not found (404", "check the endpoint", "Preferences"),
        ),
        (  # retried (a 503 says the upload was not acted on), then said
            [Reply(503, b"<html><title>503 Service Unavailable</title></html>")] * 5,
            ("(503: a web page: '503 Service Unavailable')", "after 4 retries", "try again later"),
        ),
        (  # not repeated: the service may have taken (and billed) the image
            [Reply(502, b"<html><title>502 Bad Gateway</title></html>")],
            ("(502: a web page: '502 Bad Gateway')", "try again later"),
        ),
    ]
    for replies, words in cases:
        cloud.script("POST", "/vision/v3.2/read/analyze", *replies)
        qtbot.waitUntil(lambda: not panel.busy and panel.run_button.isEnabled(), timeout=30000)
        assert panel.start()
        qtbot.waitUntil(lambda: not panel.busy, timeout=60000)
        text = panel.message_label.text()
        assert panel.message_label.isVisible() and panel.status_label.text() == "Failed"
        assert all(w in text for w in words), text
        assert "\n" not in text and AZURE_KEY not in text and "Traceback" not in text
        assert state.document is None


def test_cancel_ends_a_run_whose_server_never_answers(qtbot, panel, state, cloud, context):
    """The server takes the upload and says nothing; with a 120 s read timeout, Esc still ends it now."""
    from tests.providers.servers import Reply

    slow = RetryPolicy(connect_timeout=10.0, read_timeout=120.0, total_timeout=600.0)
    context.provider_settings["http"] = HttpConfig(policy=slow, timing=Timing(sleep=short_sleep), seed=1)
    cloud.script("POST", "/vision/v3.2/read/analyze", Reply(202, b"", delay=600))
    assert panel.start()
    qtbot.waitUntil(lambda: any(p.startswith("POST") for p in cloud.paths()), timeout=30000)
    panel.cancel_action.trigger()  # Esc
    qtbot.waitUntil(lambda: not panel.busy, timeout=60000)  # at once: the 120 s read timeout runs past this
    assert panel.status_label.text() == "Cancelled" and state.document is None
    qtbot.waitUntil(lambda: panel.runner.pool.activeThreadCount() == 0, timeout=30000)


def test_yandex_request_logging_is_a_choice_not_a_text_box(panel):
    """'Let Yandex log the request' was a text box whose hint ('x-data-logging-ena…') was cut
    off, and left what to type unsaid; unset, the Preferences' choice applies."""
    from PySide6.QtWidgets import QComboBox

    panel.select_provider("yandex")
    box = panel.option_widgets["data_logging"]
    assert isinstance(box, QComboBox)
    assert [box.itemText(i) for i in range(box.count())] == ["(as in Preferences)", "on", "off"]
    assert "data_logging" not in panel.options()
    box.setCurrentIndex(box.findData("on"))
    assert panel.options()["data_logging"] == "on"


def test_a_run_asked_for_while_checking_ends_with_the_reason_not_checking(qtbot, panel) -> None:
    panel.select_provider("yandex")  # no Yandex credentials in this test
    panel.reload_providers()  # the providers are being checked again when Run is pressed
    assert panel.start() is True  # it waits for the check
    assert "checking" in panel.status_label.text()
    qtbot.waitUntil(lambda: "yandex cannot run" in panel.message_label.text(), timeout=30000)
    assert "checking" not in panel.status_label.text()
    assert not panel.busy


def test_a_run_that_finds_no_text_says_so(qtbot, panel, state, cloud, tmp_path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), "white").save(blank)
    state.set_image(str(blank), read_image_info(blank))
    with qtbot.waitSignal(panel.recognized, timeout=30000):
        assert panel.start() is True
    qtbot.waitUntil(lambda: not panel.busy, timeout=30000)
    assert panel.status_label.text() == "azure-read found no text on this picture"
