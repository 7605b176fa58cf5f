"""Faulty-server round 2: the network around the services and answers that bend the documents.

Real loopback servers (``FakeCloud``) throughout: proxies set in the environment (a service on this
machine must not go through them; another host must, NO_PROXY honoured), the IPv6 loopback, an
endpoint pasted with the API's own path or behind a gateway's prefix, answers in an encoding other
than UTF-8, a cancel while polling, and credentials echoed back in the errors of each API.
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from ocrviewer.errors import AuthError, Cancelled, OcrViewerError, ServiceError
from ocrviewer.providers.base import CancelToken
from ocrviewer.providers.http import HttpConfig, RetryPolicy, Timing, check_endpoint, to_utf8

from .conftest import FakeClock, with_keys
from .faults import NO_PROXY_VARS, PROXY_VARS, TEXTS, free_port, make, one_clear_line, recognize, uploads
from .servers import AZURE_KEY, YANDEX_FOLDER, YANDEX_IAM, YANDEX_KEY, FakeCloud, Reply

PROVIDERS = ["yandex", "yandex-async", "azure-read", "azure-image-analysis"]


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every proxy variable pointing at a port nothing listens on, and no NO_PROXY: anything sent
    through the proxy fails."""
    proxy = f"http://127.0.0.1:{free_port()}"
    for name in PROXY_VARS:
        monkeypatch.setenv(name, proxy)
    for name in NO_PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    return proxy


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------- proxies


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_proxy_in_the_environment_is_not_used_for_this_machine(
    name: str, host: str, dead_proxy: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """HTTPS_PROXY/HTTP_PROXY/ALL_PROXY set, no NO_PROXY: a service on the loopback is reached
    directly (before, every request went to the proxy: 'refused the connection')."""
    if name == "azure-read" and host == "localhost":
        pytest.skip("the fake names its operations at 127.0.0.1: another host than 'localhost'")
    with_keys(env)
    url = cloud.url.replace("127.0.0.1", host)
    p = make(name, cloud, clock, creds, **{"yandex.ocr_endpoint": url, "yandex.operation_endpoint": url})
    if name.startswith("azure"):
        p = make(name, cloud, clock, creds, **{"azure.endpoint": url})
    assert [w.text for w in recognize(p, photo).document.words()] == TEXTS


def test_a_proxy_in_the_environment_carries_requests_to_other_hosts_unless_no_proxy_names_them(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """The proxy is honoured for a service elsewhere (here the fake plays the proxy and the service);
    NO_PROXY naming the host sends it directly (where the name does not resolve)."""
    with_keys(env)
    for name in PROXY_VARS:
        monkeypatch.setenv(name, cloud.url)
    for name in NO_PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    remote = "http://ocr.example.invalid"
    settings = {"yandex.ocr_endpoint": remote, "http.allow_insecure": True}
    result = recognize(make("yandex", cloud, clock, creds, **settings), photo)
    assert [w.text for w in result.document.words()] == TEXTS
    assert cloud.requests[-1].headers["host"] == "ocr.example.invalid"  # it came through the proxy

    monkeypatch.setenv("NO_PROXY", "example.invalid")
    monkeypatch.setenv("no_proxy", "example.invalid")
    seen = len(cloud.requests)
    with pytest.raises(ServiceError) as info:
        recognize(make("yandex", cloud, clock, creds, **settings), photo)
    one_clear_line(info.value, "cannot find the host ocr.example.invalid")
    assert len(cloud.requests) == seen


def test_a_proxy_that_cannot_be_reached_is_named_without_its_password(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    with_keys(env)
    port = free_port()
    for name in PROXY_VARS:
        monkeypatch.setenv(name, f"http://proxyuser:pr0xy-s3cret@127.0.0.1:{port}")
    for name in NO_PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    p = make("yandex", cloud, clock, creds, **{"yandex.ocr_endpoint": "http://ocr.example.invalid"})
    p.settings["http.allow_insecure"] = True
    with pytest.raises(ServiceError) as info:
        recognize(p, photo)
    message = one_clear_line(info.value, f"proxy http://***@127.0.0.1:{port}", "HTTPS_PROXY", "NO_PROXY")
    assert "pr0xy-s3cret" not in message and "proxyuser" not in message
    assert clock.sleeps == []  # an upload is not repeated


# --------------------------------------------------------------------------- IPv6, endpoints


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
@pytest.mark.parametrize("name", PROVIDERS)
def test_every_provider_works_on_the_ipv6_loopback(
    name: str, dead_proxy: str, photo: Path, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """http://[::1]:PORT is this machine: plain http is allowed and no proxy is used."""
    with_keys(env)
    cloud = FakeCloud(host="::1")
    try:
        assert cloud.url.startswith("http://[::1]:")
        result = recognize(make(name, cloud, clock, creds), photo)
        assert [w.text for w in result.document.words()] == TEXTS
    finally:
        cloud.close()


#: what people paste after the base: a slash, an empty query, the API's own path (with a query)
ANY_API = ["/", "//", "?", "#top"]
ENDPOINT_SUFFIXES = [
    *[(name, suffix) for name in PROVIDERS for suffix in ANY_API],
    *[
        (name, suffix)
        for name in ("yandex", "yandex-async")
        for suffix in ("/ocr/v1", "/ocr/v1/recognizeText")
    ],
    *[
        (name, suffix)
        for name in ("azure-read", "azure-image-analysis")
        for suffix in (
            "/vision/v3.2/",
            "/vision/v3.2/read/analyze?language=en",
            "/computervision/imageanalysis:analyze?api-version=2024-02-01&features=read",
        )
    ],
]


@pytest.mark.parametrize(("name", "suffix"), ENDPOINT_SUFFIXES)
def test_an_endpoint_with_a_trailing_slash_or_the_apis_path_is_read_as_its_base(
    name: str, suffix: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """An endpoint pasted with the path of the API it belongs to (or a slash, or a query) reaches
    the documented paths, not '/vision/v3.2/read/analyze/vision/v3.2/read/analyze' (a 404)."""
    if name.startswith("yandex") != suffix.startswith("/ocr") and suffix.startswith(
        ("/ocr", "/vision", "/comp")
    ):
        pytest.skip("another API's path is not this endpoint's")
    with_keys(env)
    url = cloud.url + suffix
    settings = {"yandex.ocr_endpoint": url, "azure.endpoint": url}
    if name == "yandex-async":
        settings["yandex.operation_endpoint"] = cloud.url + "/operations/"
    result = recognize(make(name, cloud, clock, creds, **settings), photo)
    assert [w.text for w in result.document.words()] == TEXTS
    assert not any(
        "//" in r.path or r.path.count("/v1/") > 1 or r.path.count("/vision/") > 1 for r in cloud.requests
    )


@pytest.mark.parametrize("name", PROVIDERS)
def test_an_endpoint_behind_a_gateway_prefix_keeps_the_prefix(
    name: str, photo: Path, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    cloud = FakeCloud(prefix="/gw/ocr-team")
    try:
        result = recognize(make(name, cloud, clock, creds), photo)
        assert [w.text for w in result.document.words()] == TEXTS
        assert cloud.requests and all(r.full_path.startswith("/gw/ocr-team/") for r in cloud.requests)
    finally:
        cloud.close()


def test_check_endpoint_cuts_only_the_apis_own_path() -> None:
    paths = ("/vision/v", "/computervision/")
    cases = {
        "https://res.cognitiveservices.azure.com/": "https://res.cognitiveservices.azure.com",
        "https://res.cognitiveservices.azure.com/vision/v3.2/read/analyze?x=1": "https://res.cognitiveservices.azure.com",
        "https://gw.example.com/azure/computervision/imageanalysis:analyze": "https://gw.example.com/azure",
        "https://gw.example.com/azure/visionary/": "https://gw.example.com/azure/visionary",
        " https://res.cognitiveservices.azure.com#frag ": "https://res.cognitiveservices.azure.com",
    }
    for given, base in cases.items():
        assert check_endpoint(given, "the Azure endpoint", None, paths) == base


# --------------------------------------------------------------------------- encodings

CYRILLIC = ["Привет", "мир", "Ёжик", "щука", "Эхо"]
LATIN = ["café", "naïve", "über", "señor", "Ærø"]


@pytest.mark.parametrize(
    ("label", "words", "encode", "content_type"),
    [
        ("utf-8 with a BOM", CYRILLIC, lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "application/json"),
        ("utf-16 with a BOM", CYRILLIC, lambda t: t.encode("utf-16"), "application/json; charset=utf-16"),
        ("utf-16le, no BOM, no charset", LATIN, lambda t: t.encode("utf-16-le"), "application/json"),
        ("utf-32 with a BOM", CYRILLIC, lambda t: t.encode("utf-32"), "application/json"),
        ("windows-1251", CYRILLIC, lambda t: t.encode("cp1251"), "application/json; charset=windows-1251"),
        ("iso-8859-1", LATIN, lambda t: t.encode("latin-1"), 'application/json; charset="ISO-8859-1"'),
        (
            "utf-8 labelled latin-1",
            CYRILLIC,
            lambda t: t.encode("utf-8"),
            "application/json; charset=iso-8859-1",
        ),
    ],
)
@pytest.mark.parametrize("name", ["yandex", "azure-read"])
def test_an_answer_in_another_encoding_is_read_and_kept_as_utf8(
    name: str,
    label: str,
    words: list[str],
    encode: Any,
    content_type: str,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,
) -> None:  # noqa: ANN001
    """The same answer, sent as UTF-8 with a BOM, UTF-16/32, or in the charset its Content-Type
    names, gives the same words; the raw answer kept is UTF-8 (before: 'not valid JSON')."""
    with_keys(env)
    p = make(name, cloud, clock, creds)
    text = json.dumps(json.loads(recognize(p, photo).raw), ensure_ascii=False)
    for plain, word in zip(TEXTS, words, strict=True):
        text = text.replace(plain, word)
    path = "/ocr/v1/recognizeText" if name == "yandex" else "/vision/v3.2/read/analyzeResults/"
    cloud.script(
        "POST" if name == "yandex" else "GET", path, Reply(200, encode(text), {"Content-Type": content_type})
    )
    result = recognize(p, photo)
    assert [w.text for w in result.document.words()] == words, label
    assert not result.raw.startswith(b"\xef\xbb\xbf")
    assert json.loads(result.raw.decode("utf-8")) == json.loads(text)


def test_bytes_that_are_no_text_are_left_for_the_json_reader_to_refuse() -> None:
    for junk in (b"\x00\x01garbage\xff", b"\xff\xfe\x00", b"\x00\x00\x00"):
        assert to_utf8(junk, "application/json") == junk
    assert to_utf8(b"\xe9t\xe9", "application/json; charset=no-such-charset") == b"\xe9t\xe9"
    assert to_utf8(b"\xe9t\xe9", "application/json; charset=base64") == b"\xe9t\xe9"  # not a text codec
    assert to_utf8(b'{"a": 1}', "application/json; charset=utf-16") == b'{"a": 1}'  # UTF-8 as it is


# --------------------------------------------------------------------------- cancel while polling


@pytest.mark.parametrize(("name", "poll"), [("azure-read", "/vision/"), ("yandex-async", "/operations/")])
def test_a_cancel_while_polling_sends_nothing_more(
    name: str, poll: str, photo: Path, cloud: FakeCloud, creds, env
) -> None:  # noqa: ANN001
    """Cancelled as the second poll arrives (the operation runs on): Cancelled, promptly, and no
    request after the one that was under way."""
    with_keys(env)
    cloud.running_polls = 10_000
    policy = RetryPolicy(read_timeout=30.0, total_timeout=300.0, poll_interval=0.2)
    p = make(name, cloud, None, creds, http=HttpConfig(policy=policy, timing=Timing()))
    cancel = CancelToken()
    at_cancel: list[int] = []
    arrived = threading.Event()
    polls = [0]

    def on_request(rec: Any) -> None:
        if rec.method == "GET" and rec.path.startswith(poll):
            polls[0] += 1
            if polls[0] == 2:
                arrived.set()

    def cancel_then_count() -> None:
        if arrived.wait(60):
            at_cancel.append(len(cloud.requests))
            cancel.cancel()

    cloud.on_request = on_request
    worker = threading.Thread(target=cancel_then_count, daemon=True)
    worker.start()
    with pytest.raises(Cancelled):
        recognize(p, photo, cancel)
    worker.join(60)
    assert at_cancel and len(cloud.requests) == at_cancel[0], cloud.paths()


# --------------------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    ("status", "body", "err", "words"),
    [
        (401, {"code": 16, "message": "The token is invalid: TOKEN", "details": []}, AuthError, "folder ID"),
        (
            403,
            {"code": 7, "message": "Permission denied for folder FOLDER, token TOKEN"},
            AuthError,
            "folder ID",
        ),
        (200, b"<html><title>Sign in TOKEN</title></html>", OcrViewerError, "web page"),
        (400, {"code": 3, "message": "bad request from TOKEN"}, OcrViewerError, "rejected the request"),
    ],
)
def test_an_iam_token_echoed_back_never_reaches_a_message_or_the_log(
    status: int,
    body: Any,
    err: type[Exception],
    words: str,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,
    caplog: pytest.LogCaptureFixture,
) -> None:  # noqa: ANN001
    """Bearer IAM token + x-folder-id: the API's own 401/403 JSON says to check the token and the
    folder; the token never shows, wherever the server echoes it."""
    env.update(OCRVIEWER_YANDEX_IAM_TOKEN=YANDEX_IAM, OCRVIEWER_YANDEX_FOLDER_ID=YANDEX_FOLDER)
    caplog.set_level("DEBUG")
    raw = json.dumps(body) if not isinstance(body, bytes) else body.decode()
    raw = raw.replace("TOKEN", YANDEX_IAM).replace("FOLDER", YANDEX_FOLDER)
    cloud.script("POST", "/ocr/v1/recognizeText", Reply(status, raw.encode()))
    with pytest.raises(err) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    message = str(info.value)
    assert YANDEX_IAM not in message and "\n" not in message and words in message, message
    assert YANDEX_IAM not in caplog.text and YANDEX_KEY not in caplog.text and AZURE_KEY not in caplog.text
    assert uploads(cloud, "/ocr/v1/recognizeText") == 1
    assert cloud.requests[0].headers["authorization"] == f"Bearer {YANDEX_IAM}"
    assert cloud.requests[0].headers["x-folder-id"] == YANDEX_FOLDER


# --------------------------------------------------------------------------- the shapes of an answer


@pytest.mark.parametrize("layout", ["json-lines", "pretty-printed pages", "one pretty page", "a JSON array"])
def test_a_yandex_async_result_in_any_json_layout_is_read_page_by_page(
    layout: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """getRecognition sends JSON Lines, one page a line; the docs print each page over many lines.
    Either (and a single page, or the pages as one array) is read, pages in order (before: a page
    printed over many lines was 'result line 1 ... not valid JSON')."""
    with_keys(env)
    p = make("yandex-async", cloud, clock, creds)
    page = json.loads(recognize(p, photo).raw.splitlines()[0])
    pages = [page, {"result": {**page["result"], "page": "1"}}]
    bodies = {
        "json-lines": "\n".join(json.dumps(x) for x in pages),
        "pretty-printed pages": "\n".join(json.dumps(x, indent=2) for x in pages),
        "one pretty page": json.dumps(page, indent=2),
        "a JSON array": json.dumps(pages, indent=1),
    }
    cloud.script("GET", "/ocr/v1/getRecognition", Reply(200, bodies[layout].encode()))
    document = recognize(p, photo).document
    expected = 1 if layout == "one pretty page" else 2
    assert len(document.pages) == expected
    assert [w.text for w in document.words()] == TEXTS * expected


def test_a_yandex_async_result_with_a_broken_page_names_its_line(
    photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    p = make("yandex-async", cloud, clock, creds)
    good = recognize(p, photo).raw.splitlines()[0]
    cloud.script("GET", "/ocr/v1/getRecognition", Reply(200, good + b"\n" + good[:40] + b"\n"))
    with pytest.raises(OcrViewerError) as info:
        recognize(p, photo)
    one_clear_line(info.value, "result line 2", "not valid JSON")


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://gwuser:gw-pa55word@127.0.0.1:{port}",  # refused: the host is named
        "http://gwuser:gw-pa55word@203.0.113.9",  # plain http elsewhere: refused before sending
        "ftp://gwuser:gw-pa55word@127.0.0.1/",  # not http(s)
        "http://gwuser:gw-pa55word@[::1",  # no URL at all
    ],
)
def test_a_password_in_the_endpoint_url_stays_out_of_the_message(
    endpoint: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    url = endpoint.format(port=free_port())
    p = make("yandex", cloud, clock, creds, **{"yandex.ocr_endpoint": url})
    with pytest.raises(OcrViewerError) as info:
        recognize(p, photo)
    message = one_clear_line(info.value)
    assert "gw-pa55word" not in message and "gwuser" not in message, message


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("OCRVIEWER_YANDEX_API_KEY", "yc-key\nsecond-line-0f9e", "the key (its Authorization header)"),
        ("OCRVIEWER_YANDEX_API_KEY", "ключ-0f9e-кириллица", "the key (its Authorization header)"),
        ("OCRVIEWER_AZURE_KEY", "az-key\x07bell-0f9e", "the key (its Ocp-Apim-Subscription-Key header)"),
        ("OCRVIEWER_YANDEX_FOLDER_ID", "папка-0f9e", "the folder ID"),
    ],
)
def test_a_credential_that_cannot_go_in_a_header_is_said_before_anything_is_sent(
    variable: str, value: str, said: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """A line break, a control character or Cyrillic in a pasted key: before, the request failed as
    'the answer ... could not be read; try again later' (a retry cannot help)."""
    if variable == "OCRVIEWER_YANDEX_FOLDER_ID":
        env["OCRVIEWER_YANDEX_IAM_TOKEN"] = YANDEX_IAM
    else:
        with_keys(env)
    env[variable] = value
    p = make("azure-read" if "AZURE" in variable else "yandex", cloud, clock, creds)
    with pytest.raises(AuthError) as info:
        recognize(p, photo)
    message = one_clear_line(info.value, said, "cannot be sent", "check the")
    assert "0f9e" not in message and YANDEX_IAM not in message
    assert cloud.requests == []


# --------------------------------------------------------------------------- polling


@pytest.mark.parametrize(
    ("retry_after", "first_wait"), [(None, (1.0, 2.0)), ("4", (4.0, 4.0)), ("0", (1.0, 1.0))]
)
def test_azure_read_waits_after_its_202_before_the_first_poll(
    retry_after: str | None,
    first_wait: tuple[float, float],
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,
) -> None:  # noqa: ANN001
    """Azure's guidance is 1-2 s between calls (its free tier allows 20 a minute): the first poll
    comes a poll interval after the 202, or after the 202's Retry-After (never under the 1 s floor);
    before, it was sent at once, a call spent on 'notStarted'."""
    with_keys(env)
    cloud.running_polls = 0
    accepted: list[float] = []
    polled: list[float] = []

    def on_request(rec: Any) -> None:
        (accepted if rec.method == "POST" else polled).append(clock.now)

    cloud.on_request = on_request
    if retry_after is not None:
        original = cloud.handle

        def handle(rec: Any, base: str) -> Reply:
            reply = original(rec, base)
            if rec.method == "POST":
                reply.headers["Retry-After"] = retry_after
            return reply

        cloud.handle = handle  # type: ignore[method-assign]
    policy = RetryPolicy(poll_interval=1.0, total_timeout=120.0)
    p = make("azure-read", cloud, clock, creds, http=HttpConfig(policy=policy, timing=clock.timing(), seed=3))
    assert [w.text for w in recognize(p, photo).document.words()] == TEXTS
    assert len(polled) == 1  # ready at the first poll: one call, not two
    low, high = first_wait
    assert low <= polled[0] - accepted[0] <= high * 1.2 + 1e-9


# --------------------------------------------------------------------------- content encodings


@pytest.mark.parametrize("encoding", ["br", "compress", "gzip, snappy"])
@pytest.mark.parametrize(
    ("name", "method", "path"),
    [("yandex", "POST", "/ocr/v1/recognizeText"), ("azure-read", "GET", "/vision/v3.2/read/analyzeResults/")],
)
def test_an_answer_in_a_compression_never_asked_for_is_said_as_such(
    name: str,
    method: str,
    path: str,
    encoding: str,
    photo: Path,
    cloud: FakeCloud,
    clock: FakeClock,
    creds,
    env,
) -> None:  # noqa: ANN001
    """ocrviewer asks for gzip or deflate; an answer marked 'br' (a proxy's doing) was called 'not
    valid JSON; try again later', which sends people to the service."""
    with_keys(env)
    cloud.script(method, path, Reply(200, b"\x8b\x02\x80{}\x03", {"Content-Encoding": encoding}))
    with pytest.raises(ServiceError) as info:
        recognize(make(name, cloud, clock, creds), photo)
    one_clear_line(info.value, "compressed as", "cannot decompress", "proxy")
    assert uploads(cloud, "/ocr/v1/recognizeText" if name == "yandex" else "/vision/v3.2/read/analyze") == 1


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_redirect_to_another_host_is_not_followed_and_says_what_it_may_be(
    name: str, status: int, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    """A captive portal's 302 to its sign-in page, or a service that moved: nothing is sent there
    (the key would go with it); the line names the host and both readings."""
    with_keys(env)
    other = FakeCloud()
    try:
        target = f"{other.url.replace('127.0.0.1', 'localhost')}/login?next=ocr"
        path = {
            "yandex": "/ocr/v1/recognizeText",
            "yandex-async": "/ocr/v1/recognizeTextAsync",
            "azure-read": "/vision/v3.2/read/analyze",
            "azure-image-analysis": "/computervision/imageanalysis:analyze",
        }[name]
        cloud.script(
            "POST", path, Reply(status, b"<html><title>Sign in</title></html>", {"Location": target})
        )
        with pytest.raises(OcrViewerError) as info:
            recognize(make(name, cloud, clock, creds), photo)
        one_clear_line(
            info.value, f"redirected to {target} ({status}), another host", "not sent there", "sign in"
        )
        assert other.requests == [] and uploads(cloud, path) == 1
    finally:
        other.close()


@pytest.mark.parametrize(
    ("encode", "content_type"),
    [
        (lambda t: t.encode("cp1251"), "application/json; charset=windows-1251"),
        (lambda t: t.encode("utf-16"), "application/json"),
    ],
)
def test_an_error_body_in_another_encoding_is_quoted_readably(
    encode: Any, content_type: str, photo: Path, cloud: FakeCloud, clock: FakeClock, creds, env
) -> None:  # noqa: ANN001
    with_keys(env)
    body = json.dumps({"code": 16, "message": "Доступ запрещён: ключ отозван"}, ensure_ascii=False)
    cloud.script("POST", "/ocr/v1/recognizeText", Reply(401, encode(body), {"Content-Type": content_type}))
    with pytest.raises(AuthError) as info:
        recognize(make("yandex", cloud, clock, creds), photo)
    one_clear_line(info.value, "(401: 16: Доступ запрещён: ключ отозван)", "check the key")
