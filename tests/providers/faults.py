"""What the faulty-server tests share: the services' paths, a provider aimed at the loopback
``FakeCloud``, one recognition, and the check that an error is one clear line with no secret.

``test_faulty_servers``, ``test_server_conformance`` and ``test_server_faults_matrix`` import these
from here (they used to import them from one another's test module).
"""

from __future__ import annotations

import atexit
import socket
import threading
from pathlib import Path
from typing import Any

from ocrviewer.core.prepare import prepare_image
from ocrviewer.providers.base import CancelToken, Provider, RecognitionResult, get_provider, no_progress
from ocrviewer.providers.credentials import CredentialStore
from tests.support.images import DEFAULT_WORDS

from .conftest import FakeClock, provider_settings
from .servers import AZURE_KEY, YANDEX_KEY, FakeCloud

#: the words the fake services find on every image
TEXTS = [w for w, _ in DEFAULT_WORDS]
YANDEX_SYNC = "/ocr/v1/recognizeText"
YANDEX_ASYNC = "/ocr/v1/recognizeTextAsync"
READ_POST = "/vision/v3.2/read/analyze"
READ_POLL = "/vision/v3.2/read/analyzeResults/"
IMAGE_ANALYSIS = "/computervision/imageanalysis:analyze"


#: the proxy variables requests reads (both spellings), cleared where a test must reach its server directly
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
NO_PROXY_VARS = ("NO_PROXY", "no_proxy")


def make(
    name: str, cloud: FakeCloud, clock: FakeClock | None, creds: CredentialStore, **extra: Any
) -> Provider:
    """Provider ``name`` aimed at ``cloud`` (fake time from ``clock``), finding :data:`TEXTS`."""
    cloud.texts = TEXTS
    return get_provider(name, provider_settings(cloud, clock, creds, **extra))


def recognize(p: Provider, photo: Path, cancel: CancelToken | None = None) -> RecognitionResult:
    return p.recognize(prepare_image(photo, p.limits), {}, cancel or CancelToken(), no_progress)


def one_clear_line(err: BaseException, *words: str) -> str:
    """The error's message: one line, no key, no traceback, and holding ``words``."""
    message = str(err)
    assert "\n" not in message and message.strip() == message and message
    assert YANDEX_KEY not in message and AZURE_KEY not in message
    assert "Traceback" not in message and "object at 0x" not in message
    for w in words:
        assert w in message, (w, message)
    return message


def uploads(cloud: FakeCloud, path: str) -> int:
    """How many times the image was sent to ``path``."""
    return sum(1 for r in cloud.requests if r.method == "POST" and r.path == path)


_HELD: list[socket.socket] = []
atexit.register(lambda: [s.close() for s in _HELD])


def free_port() -> int:
    """A loopback port nothing listens on: a connection to it is refused.

    The socket stays bound (never listening) until the test process ends: a port closed at once was free
    for any other bind, and another test's or another suite's server on the machine could take it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _HELD.append(s)
    return int(s.getsockname()[1])


class SilentListener:
    """A loopback listener that takes every connection and never says a word (nor reads one); or,
    given ``answer``, reads the request's head and sends that (a proxy refusing a CONNECT)."""

    def __init__(self, answer: bytes | None = None) -> None:
        self.answer = answer
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.accepted = threading.Event()
        self.held: list[socket.socket] = []
        self.port = int(self.sock.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.accepted.set()
            if self.answer is not None:
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    return
                head += data
            conn.sendall(self.answer or b"")
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


class HeldResolver:
    """A resolver the test controls, passed as ``HttpConfig(resolve=...)`` in place of getaddrinfo:
    each name in ``names`` is looked up as 127.0.0.1 (or fails with ``fail``, a getaddrinfo error
    number), and while ``hold`` is set every lookup of a name waits until :meth:`release` (a name
    server that does not answer), as the system's resolver does, without any network."""

    def __init__(self, *names: str, hold: bool = False, fail: int | None = None) -> None:
        self.names = set(names)
        self.hold = hold
        self.fail = fail
        self.asked: list[str] = []
        self.entered = threading.Event()  # a lookup has begun
        self.finished = threading.Event()  # a held lookup has come back after its release
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    def __call__(self, host: str, port: int, family: int = 0, type: int = 0) -> list[tuple[Any, ...]]:  # noqa: A002
        self.asked.append(host)
        self.entered.set()
        if self.hold:
            self._released.wait(300)
        try:
            if self.fail is not None:
                raise socket.gaierror(self.fail, "a test's name server says no")
            if host in self.names:
                return socket.getaddrinfo("127.0.0.1", port, socket.AF_INET, socket.SOCK_STREAM)
            # an address stays itself; any other name is unknown here (no name server is ever asked)
            return socket.getaddrinfo(host, port, family, type, 0, socket.AI_NUMERICHOST)
        finally:
            if self.hold:
                self.finished.set()


class Socks5Proxy:
    """A SOCKS5 proxy on the loopback (no authentication, or any user name and password) that
    carries every CONNECT, whatever host it names, to ``target`` (a FakeCloud's port): enough of
    RFC 1928/1929 for PySocks. ``names`` records the hosts asked for."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.names: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = int(self.sock.getsockname()[1])
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            more = conn.recv(n - len(data))
            if not more:
                raise ConnectionError("the client left")
            data += more
        return data

    def _serve(self, conn: socket.socket) -> None:
        try:
            _version, count = self._read(conn, 2)
            methods = self._read(conn, count)
            if 0 in methods:
                conn.sendall(b"\x05\x00")
            else:  # user name and password (RFC 1929): any are taken
                conn.sendall(b"\x05\x02")
                _, ulen = self._read(conn, 2)
                self._read(conn, ulen)
                (plen,) = self._read(conn, 1)
                self._read(conn, plen)
                conn.sendall(b"\x01\x00")
            _, _cmd, _, atyp = self._read(conn, 4)
            if atyp == 3:
                (length,) = self._read(conn, 1)
                self.names.append(self._read(conn, length).decode())
            else:
                self.names.append(
                    socket.inet_ntop(
                        socket.AF_INET if atyp == 1 else socket.AF_INET6,
                        self._read(conn, 4 if atyp == 1 else 16),
                    )
                )
            self._read(conn, 2)
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.held.append(upstream)
            conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
            threading.Thread(target=self._pipe, args=(upstream, conn), daemon=True).start()
            self._pipe(conn, upstream)
        except OSError:
            pass

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()
