"""The Recognition panel, every HTTP provider, against faulty servers on 127.0.0.1.

Each run ends in the panel with one line that says what went wrong and what to do (never
"Unexpected error"), the window answers while it waits, Esc ends a run whose server never answers
at once, and a failed run leaves what is shown alone. Answers are parsed in the viewer's own
parser process, as in the window. Timeouts come from the providers' real ``http.*`` settings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, QTimer

from ocrviewer.core.imageio import read_image_info
from ocrviewer.core.parse_child import ParserProcess
from ocrviewer.gui.docks import DockContext
from ocrviewer.gui.recognition_panel import RecognitionPanel
from ocrviewer.gui.state import ViewerState
from ocrviewer.providers.credentials import CredentialStore
from ocrviewer.providers.http import HttpConfig, Timing
from tests.providers.faults import HeldResolver
from tests.providers.servers import AZURE_KEY, YANDEX_KEY, FakeCloud, Reply
from tests.support.images import DEFAULT_WORDS, make_text_image

PROVIDERS = ["yandex", "yandex-async", "azure-read", "azure-image-analysis"]
UPLOAD = {
    "yandex": "/ocr/v1/recognizeText",
    "yandex-async": "/ocr/v1/recognizeTextAsync",
    "azure-read": "/vision/v3.2/read/analyze",
    "azure-image-analysis": "/computervision/imageanalysis:analyze",
}


@pytest.fixture(scope="module")
def parser() -> Iterator[ParserProcess]:
    p = ParserProcess()
    yield p
    p.close()


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    server = FakeCloud(running_polls=1, texts=[w for w, _ in DEFAULT_WORDS])
    yield server
    server.close()


@pytest.fixture
def context(tmp_path, cloud, parser) -> DockContext:
    creds = CredentialStore(env={})
    creds.set("azure", "key", AZURE_KEY)
    creds.set("yandex", "api_key", YANDEX_KEY)
    return DockContext(
        settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat),
        credentials=creds,
        parser=parser,
        provider_settings={
            "azure.endpoint": cloud.url,
            "yandex.ocr_endpoint": cloud.url,
            "yandex.operation_endpoint": cloud.url,
            # no policy: the numbers below are read as from providers.json
            "http": HttpConfig(timing=Timing()),
            "http.read_timeout": 1,
            "http.total_timeout": 60,
            "http.poll_interval": 0.05,
        },
    )


@pytest.fixture
def state(tmp_path) -> ViewerState:
    s = ViewerState()
    image = make_text_image(tmp_path / "photo.jpg", orientation=6)
    s.set_image(str(image), read_image_info(image))
    return s


def make_panel(qtbot, state, context, provider: str) -> RecognitionPanel:  # noqa: ANN001
    p = RecognitionPanel(state, context.settings, provider_settings=context.settings_for_providers)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.ready, timeout=30000)
    p.select_provider(provider)
    assert p.reasons[provider] is None, p.reasons[provider]
    return p


def ran_to_failure(qtbot, panel: RecognitionPanel, waits: bool = False) -> str:  # noqa: ANN001
    """Run and wait for the end; the message shown, checked as one clean line. ``waits``: the run
    waits on the server for a while, and the window's timers must keep firing meanwhile."""
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    try:
        assert panel.start()
        qtbot.waitUntil(lambda: not panel.busy, timeout=60000)
    finally:
        timer.stop()
    assert ticks or not waits, "the window did not process events while the run waited"
    text = panel.message_label.text()
    assert panel.status_label.text() == "Failed" and panel.message_label.isVisible()
    assert "\n" not in text and "Traceback" not in text and "Unexpected error (" not in text, text
    assert AZURE_KEY not in text and YANDEX_KEY not in text
    return text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_server_that_never_answers_ends_at_the_read_timeout(qtbot, state, context, cloud, provider):
    cloud.script("POST", UPLOAD[provider], Reply(200, {}, delay=600))
    panel = make_panel(qtbot, state, context, provider)
    text = ran_to_failure(qtbot, panel, waits=True)
    assert "did not answer within 1 s" in text and "try again later" in text, text
    host = cloud.url.split("//", 1)[1]
    assert f"{host} did not answer" in text and "raise http.read_timeout in" in text, text
    assert state.document is None


@pytest.mark.parametrize("provider", PROVIDERS)
def test_esc_ends_a_run_whose_server_never_answers_at_once(qtbot, state, context, cloud, provider):
    """A 120 s read timeout: Esc must not wait for it, whichever provider waits."""
    context.provider_settings["http.read_timeout"] = 120
    context.provider_settings["http.total_timeout"] = 600
    cloud.script("POST", UPLOAD[provider], Reply(200, {}, delay=600))
    panel = make_panel(qtbot, state, context, provider)
    assert panel.start()
    qtbot.waitUntil(lambda: any(p.startswith("POST") for p in cloud.paths()), timeout=30000)
    panel.cancel_action.trigger()  # Esc
    qtbot.waitUntil(lambda: not panel.busy, timeout=60000)  # at once: the 120 s read timeout runs past this
    assert panel.status_label.text() == "Cancelled" and state.document is None
    qtbot.waitUntil(lambda: panel.runner.pool.activeThreadCount() == 0, timeout=30000)


@pytest.mark.parametrize(
    ("provider", "method", "path", "reply", "words"),
    [
        (
            "azure-read",
            "POST",
            UPLOAD["azure-read"],
            Reply(202, b"", {"Operation-Location": "http://[::1"}),
            ("Operation-Location", "check the endpoint"),
        ),
        (
            "yandex",
            "POST",
            UPLOAD["yandex"],
            Reply(200, {"metadata": {"width": 9, "height": 9}, "readResult": {"blocks": []}}),
            ("another API's result", "Azure Image Analysis", "check the Yandex OCR endpoint"),
        ),
        (
            "azure-image-analysis",
            "POST",
            UPLOAD["azure-image-analysis"],
            Reply(
                400, {"error": {"code": "InvalidArgument", "message": "Invalid query parameter 'language'"}}
            ),
            ("rejected the request (400", "'language'", "check the language option"),
        ),
        (
            "yandex",
            "POST",
            UPLOAD["yandex"],
            Reply(400, {"code": 3, "message": "bad", "details": [{"fieldViolations": [{"field": "model"}]}]}),
            (
                "rejected the request (400: 3: bad (model))",
                "check the model and the languages (Recognition panel)",
            ),
        ),
        (
            "yandex-async",
            "GET",
            "/ocr/v1/getRecognition",
            Reply(200, {"result": {"textAnnotation": {"blocks": [{"lines": [{"words": [{"text": "a"}]}]}]}}}),
            ("every line and word was unusable",),
        ),
        (
            "azure-image-analysis",
            "POST",
            UPLOAD["azure-image-analysis"],
            Reply(200, {"pad": "x" * 200}, stall=True),
            ("sent part of its answer, then nothing for 1 s", "try again later"),
        ),
    ],
    ids=[
        "operation-location",
        "another-api",
        "400-field",
        "400-field-yandex",
        "nothing-usable",
        "stalled-body",
    ],
)
def test_a_faulty_answer_is_one_line_and_the_shown_result_stays(
    qtbot, state, context, cloud, provider, method, path, reply, words
):
    """A good run first, then a fresh run the server spoils: one line saying what to do, and the
    first result stays on screen. Before: the Operation-Location case said "Unexpected error
    (ValueError: Invalid IPv6 URL); please report it"; another API's answer and a result with nothing
    usable replaced the words on screen with an empty result, said as "0 words"."""
    cloud.running_polls = 0
    panel = make_panel(qtbot, state, context, provider)
    with qtbot.waitSignal(panel.recognized, timeout=60000):
        assert panel.start()
    qtbot.waitUntil(lambda: not panel.busy and panel.run_button.isEnabled(), timeout=60000)
    before = [w.text for w in state.document.words()]
    assert before == [w for w, _ in DEFAULT_WORDS]
    cloud.script(method, path, reply)
    panel.fresh_check.setChecked(True)  # ask the service again (the cache would answer)
    text = ran_to_failure(qtbot, panel)
    for w in words:
        assert w in text, (w, text)
    assert "--" not in text  # no command-line options in the window's words
    assert [w.text for w in state.document.words()] == before


def test_an_unforeseen_error_is_one_line_without_the_key(qtbot, state, context, cloud, monkeypatch):
    """A bug met while reading an answer, its text quoting the key: before, the panel showed
    "Unexpected error (KeyError: '... <the key>'); please report it"."""
    from ocrviewer.providers import yandex

    def broken(raw: bytes, suffix: str, service: str):  # noqa: ANN202
        raise KeyError(f"no field, key {YANDEX_KEY}")

    monkeypatch.setattr(yandex, "document_of_raw", broken)
    context.parser = None  # parsed here, where the broken parser is
    panel = make_panel(qtbot, state, context, "yandex")
    text = ran_to_failure(qtbot, panel)  # (checks the key is not in it)
    assert "unexpected error (KeyError" in text and "please report it" in text, text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_refused_connection_says_check_the_endpoint_in_preferences(qtbot, state, context, provider):
    import socket

    with socket.socket() as s:  # bound, never listening: a connection to it is refused
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
        for key in ("azure.endpoint", "yandex.ocr_endpoint", "yandex.operation_endpoint"):
            context.provider_settings[key] = url
        panel = make_panel(qtbot, state, context, provider)
        text = ran_to_failure(qtbot, panel)
    assert "refused the connection" in text and "check the endpoint URL" in text, text
    assert "Preferences" in text and state.document is None


@pytest.mark.parametrize("retry_after", ["seconds", "http-date"])
def test_esc_ends_the_wait_a_429_asked_for_at_once(qtbot, state, context, cloud, retry_after):
    """A 429 asking for 100 s, as seconds or as an HTTP date: the panel says it waits, and Esc ends
    the wait at once, nothing more sent (the wait is the cancel token's, not a sleep)."""
    import email.utils

    context.provider_settings["http.total_timeout"] = 600
    wait = "100" if retry_after == "seconds" else email.utils.formatdate(time.time() + 100, usegmt=True)
    busy = Reply(429, {"error": {"code": "429", "message": "Rate limit is exceeded."}}, {"Retry-After": wait})
    cloud.script("POST", UPLOAD["azure-image-analysis"], busy, busy)
    panel = make_panel(qtbot, state, context, "azure-image-analysis")
    assert panel.start()
    qtbot.waitUntil(lambda: "busy (429); retry 1 in" in panel.status_label.text(), timeout=30000)
    sent = len(cloud.requests)
    panel.cancel_action.trigger()  # Esc
    # at once: within 60 s on a busy machine, where the 100 s asked for would run past it
    qtbot.waitUntil(lambda: not panel.busy, timeout=60000)
    assert panel.status_label.text() == "Cancelled" and state.document is None
    assert len(cloud.requests) == sent
    qtbot.waitUntil(lambda: panel.runner.pool.activeThreadCount() == 0, timeout=30000)


# --------------------------------------------------------------------------- Esc in each slow phase


@pytest.fixture
def silent():  # noqa: ANN201
    """A loopback listener that takes connections and never says a word: an https run waits in its
    TLS handshake."""
    from tests.providers.faults import SilentListener

    listener = SilentListener()
    yield listener
    listener.close()


SLOW_PHASES = {
    # phase: (provider, what the server does, the request that shows the run is in that phase)
    "tls-handshake": ("azure-read", None, None),
    "trickling-headers": ("yandex", Reply(200, head_trickle=1.0), "POST"),
    "trickling-body": ("azure-image-analysis", Reply(200, b"{" + b" " * 5000 + b"}", trickle=1.0), "POST"),
    "polling": ("azure-read", None, "GET"),
    # the endpoint's name, looked up by a resolver that never answers (a name server gone silent)
    "name-lookup": ("yandex", None, None),
}


@pytest.mark.parametrize("phase", list(SLOW_PHASES))
def test_esc_in_each_slow_phase_ends_the_run_at_once_and_the_next_run_works(
    qtbot, state, context, cloud, silent, capfd, phase
):
    """Limits of 120 s everywhere: Esc must not wait for any of them. Before: Esc in a TLS handshake
    the server never answers waited the connect timeout (120 s here) before the run ended, and Esc in a
    name lookup the name server never answered did nothing until the system resolver gave up."""
    provider, reply, method = SLOW_PHASES[phase]
    endpoints = ("azure.endpoint", "yandex.ocr_endpoint", "yandex.operation_endpoint")
    for name in ("http.connect_timeout", "http.read_timeout"):
        context.provider_settings[name] = 120
    context.provider_settings["http.total_timeout"] = 600
    resolver = HeldResolver("ocr.test", hold=True)
    if phase == "tls-handshake":
        for key in endpoints:
            context.provider_settings[key] = f"https://127.0.0.1:{silent.port}"
    elif phase == "name-lookup":
        context.provider_settings["http"] = HttpConfig(timing=Timing(), resolve=resolver)
        context.provider_settings["http.allow_insecure"] = True  # http:// to a name: it is the loopback
        for key in endpoints:
            context.provider_settings[key] = cloud.url.replace("127.0.0.1", "ocr.test")
    elif phase == "polling":
        cloud.running_polls = 10_000
    else:
        cloud.script("POST", UPLOAD[provider], reply)
    panel = make_panel(qtbot, state, context, provider)
    assert panel.start()
    if phase == "name-lookup":
        qtbot.waitUntil(resolver.entered.is_set, timeout=30000)
    elif method is None:
        qtbot.waitUntil(silent.accepted.is_set, timeout=30000)
    else:
        qtbot.waitUntil(lambda: any(p.startswith(method) for p in cloud.paths()), timeout=30000)
    panel.cancel_action.trigger()  # Esc
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60000)
    qtbot.waitUntil(lambda: panel.runner.pool.activeThreadCount() == 0, timeout=60000)
    assert time.monotonic() - t0 < 30
    assert panel.status_label.text() == "Cancelled" and state.document is None
    resolver.hold = False  # the name server answers again; the lookup left behind ends alone
    resolver.release()
    # the window goes on: the same panel runs again against a server that answers
    for key in endpoints:
        context.provider_settings[key] = cloud.url
    cloud.running_polls = 0
    with qtbot.waitSignal(panel.recognized, timeout=60000):
        assert panel.start()
    assert [w.text for w in state.document.words()] == [w for w, _ in DEFAULT_WORDS]
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and AZURE_KEY not in out + err and YANDEX_KEY not in out + err


def test_closing_the_window_in_a_tls_handshake_leaves_no_worker_running(qtbot, state, context, silent):
    """Before: the worker stayed in the handshake for the connect timeout (120 s here) after the
    window had closed."""
    from PySide6.QtWidgets import QMainWindow

    from ocrviewer.gui.docks import install_docks

    context.provider_settings["http.connect_timeout"] = 120
    context.provider_settings["http.total_timeout"] = 600
    context.provider_settings["azure.endpoint"] = f"https://127.0.0.1:{silent.port}"
    window = QMainWindow()
    qtbot.addWidget(window)
    install_docks(window, state, context)
    panel = context.panels["recognition"]
    qtbot.waitUntil(lambda: panel.ready, timeout=30000)
    assert context.start_recognition("azure-read") is True
    qtbot.waitUntil(silent.accepted.is_set, timeout=30000)
    window.close()  # cancels the run and waits for it a moment
    assert panel.runner.pool.activeThreadCount() == 0
