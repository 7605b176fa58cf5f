"""What the viewer's helper processes share: framed messages on a pipe, and stopping a child.

The local engine (``providers/_engine_child``) and the parser process (``core/parse_child``) are
plain subprocesses speaking length-prefixed pickles on their stdin/stdout. Only our own child is
ever read from, so unpickling is safe here. Standard library only: a child imports this first.
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import threading
from typing import IO, Any

_HEADER = struct.Struct(">Q")


def write_message(stream: IO[bytes], message: Any) -> None:
    """Send one message (``None`` asks a child to exit)."""
    payload = pickle.dumps(message, protocol=5)
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        chunk = stream.read(size - len(buf))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        buf += chunk
    return bytes(buf)


def read_message(stream: IO[bytes]) -> Any:
    """One message; EOFError when the pipe is closed."""
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    return pickle.loads(_read_exactly(stream, size))


def ask_to_exit(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Send the exit message and wait up to ``timeout`` s (the caller kills it if still running)."""
    if process.poll() is None and process.stdin is not None:
        try:
            write_message(process.stdin, None)
            process.stdin.close()
            process.wait(timeout)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass


def kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the child if it still runs, reap it and close its pipes."""
    if process.poll() is None:
        process.kill()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a kill that does not take
        pass
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


class ChildOwner:
    """Owns at most one child at a time: calls hold ``_lock``; ``close`` asks it to exit, ``_discard`` kills it.

    The parser process and the local engine both start their child on first use, reuse it, and
    must never leave one running: a call still holding the lock at close (a parse or recognition
    that outlives the window) gets its child killed instead of waited for.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The running child's process id, or None."""
        p = self._process
        return p.pid if p is not None and p.poll() is None else None

    def close(self, timeout: float = 2.0) -> None:
        """Ask the child to exit; kill it if it does not, or if a call still holds it after ``timeout``."""
        if not self._lock.acquire(timeout=timeout):
            self._discard()
            return
        try:
            if self._process is not None:
                ask_to_exit(self._process, timeout)
            self._discard()
        finally:
            self._lock.release()

    def _discard(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            kill(process)
