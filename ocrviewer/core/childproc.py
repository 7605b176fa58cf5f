"""What the viewer's helper processes share: framed messages on a pipe, and stopping a child.

The local engine (``providers/_engine_child``) and the parser process (``core/parse_child``) are
plain subprocesses speaking framed pickles on their stdin/stdout (protocol 5, arrays out of band).
Only our own child is ever read from, so unpickling is safe here. Standard library only: a child imports this first.
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import threading
from typing import IO, Any

# a message: this header (the pickle's size and how many out-of-band buffers follow), the size of
# each buffer, the pickle, then the buffers' raw bytes
_HEADER = struct.Struct(">QI")
_SIZE = struct.Struct(">Q")
#: a header asking for more than this (a garbled or foreign stream) is refused before allocating
_MAX_BYTES = 1 << 34
_MAX_BUFFERS = 1 << 20


def write_message(stream: IO[bytes], message: Any) -> None:
    """Send one message (``None`` asks a child to exit).

    Pickle protocol 5 with out-of-band buffers: contiguous numpy arrays (the parser's columns) go
    after the pickle as raw bytes, so the reader receives them with ``readinto`` (which releases
    the GIL) into buffers it allocates, and unpickles only the small rest without copying them.
    """
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    views = [b.raw() for b in buffers]
    stream.write(_HEADER.pack(len(payload), len(views)) + b"".join(_SIZE.pack(v.nbytes) for v in views))
    stream.write(payload)
    for view in views:
        stream.write(view)
    stream.flush()


def _read_into(stream: IO[bytes], size: int) -> bytearray:
    """``size`` bytes read into a buffer allocated here: the reads release the GIL."""
    buf = bytearray(size)
    view = memoryview(buf)
    done = 0
    while done < size:
        n = stream.readinto(view[done:])  # type: ignore[attr-defined]
        if not n:
            raise EOFError("the other side closed the pipe")
        done += n
    view.release()
    return buf


def read_message(stream: IO[bytes]) -> Any:
    """One message; EOFError when the pipe is closed (also in the middle of a message),
    pickle.UnpicklingError when it is not one of ours."""
    size, count = _HEADER.unpack(_read_into(stream, _HEADER.size))
    if count > _MAX_BUFFERS:
        raise pickle.UnpicklingError(f"garbled message header ({count} buffers)")
    sizes = [s for (s,) in _SIZE.iter_unpack(_read_into(stream, _SIZE.size * count))] if count else []
    if size > _MAX_BYTES or sum(sizes) > _MAX_BYTES:
        raise pickle.UnpicklingError("garbled message header (size out of range)")
    payload = _read_into(stream, size)
    buffers = [_read_into(stream, n) for n in sizes]
    try:
        return pickle.loads(payload, buffers=buffers)
    except pickle.UnpicklingError:
        raise
    except Exception as err:  # garbled bytes fail in many ways: one kind for the callers
        raise pickle.UnpicklingError(f"garbled message ({type(err).__name__}: {err})") from err


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
