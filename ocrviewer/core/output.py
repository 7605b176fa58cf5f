"""One safe writer for every file ocrviewer writes (CLI and window alike).

* never over an input: :func:`check_output` refuses a target that is the same file as any input
  (also through a hard link or symlink) and a target that is a folder;
* atomic: the data goes to a temporary file created exclusively (``O_EXCL``, random name, never a
  followed symlink) in the target's folder, is flushed to disk, then renamed over the target
  (a device or pipe, ``-o /dev/stdout``, is written into instead: a rename would replace it);
* ``-`` is standard output (:data:`STDOUT`); :func:`is_stdout` tells it, and any other name of it
  (``/dev/stdout``, ``/dev/fd/1``), apart, so callers can keep their messages out of the data;
* nothing left behind: the temporary file is removed on any error, on Ctrl-C, and on SIGTERM once
  :func:`install_signal_cleanup` has run (the CLI does it at start);
* strict JSON: :func:`dumps_json` refuses NaN/Infinity and replaces lone surrogates, so what is
  written is standard JSON any reader accepts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any

from ocrviewer.errors import BadInput, OutputClosed

__all__ = [
    "STDOUT",
    "check_output",
    "is_stdout",
    "dumps_json",
    "finite_json",
    "install_signal_cleanup",
    "same_file",
    "write_atomic",
]

PathLike = str | os.PathLike[str]

#: the output name that means standard output
STDOUT = "-"

_pending: set[str] = set()
#: reentrant: the SIGTERM cleanup may run in a thread that holds it (see _create_temp)
_pending_lock = threading.RLock()


def same_file(a: PathLike, b: PathLike) -> bool:
    """True when ``a`` and ``b`` name the same file (same inode when both exist, same path otherwise)."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        try:
            return Path(a).resolve() == Path(b).resolve()
        except (OSError, RuntimeError):
            return os.path.abspath(a) == os.path.abspath(b)
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def is_stdout(path: PathLike | None) -> bool:
    """True when ``path`` is ``-`` or another name of this process's standard output (``/dev/stdout``,
    ``/dev/fd/1``, or the file the shell sent the output to): what is written there is the data, so
    messages about it belong on stderr."""
    if path is None:
        return False
    if os.fspath(path) == STDOUT:
        return True
    try:
        st, out = os.stat(path), os.fstat(1)
    except (OSError, ValueError):
        return False
    return (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino)


def check_output(path: PathLike, inputs: Iterable[PathLike | None] = ()) -> Path:
    """``path`` as a :class:`Path`, after refusing an input, a folder, or a missing parent folder."""
    if os.fspath(path) == STDOUT:
        return Path(STDOUT)
    out = Path(path)
    for src in inputs:
        if src is not None and same_file(out, src):
            raise BadInput(
                f"{out}: that is an input file ({src}); choose another output name (nothing was written)"
            )
    if out.is_dir():
        raise BadInput(f"{out}: is a folder; give a file name")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise BadInput(f"{out}: folder {parent} does not exist; create it or choose another output")
    return out


def write_atomic(
    path: PathLike,
    data: bytes | str | Callable[[IO[bytes]], None],
    *,
    inputs: Iterable[PathLike | None] = (),
    mode: int | None = None,
) -> Path:
    """Write ``data`` (bytes, text as UTF-8, or a function writing into a binary file) to ``path``.

    Refuses to write over any of ``inputs``. ``mode`` defaults to 0o666 minus the umask (a new
    file's usual permissions); give 0o600 for private files.
    """
    out = check_output(path, inputs)
    fd = _descriptor_of(path)
    if fd is not None:
        _write_descriptor(fd, path, data)
        return out
    if _is_special(out):
        _write_special(out, data)
        return out
    parent = out.parent if str(out.parent) else Path(".")
    made: list[str] = []  # the temporary file's name, known before the file exists
    f: IO[bytes] | None = None
    try:
        with _signals_held():
            fd = _create_temp(out, parent, made)
            tmp = made[0]
            try:
                f = io.open(fd, "wb")  # noqa: UP020 (the C function: no Python frame for a signal to land in)
            except BaseException:
                # a signal handled just after the file object was made: dropping that object closed
                # the descriptor already; otherwise it is closed here (the file is removed below)
                with contextlib.suppress(OSError):
                    os.close(fd)
                raise
        with f:
            if callable(data):
                data(f)
            else:
                f.write(_utf8(data) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _default_mode() if mode is None else mode)
        os.replace(tmp, out)
    except OSError as err:
        raise BadInput(f"{out}: cannot write ({err.strerror or err})") from err
    finally:
        for name in made:
            _discard(name, f)
    return out


def _is_special(out: Path) -> bool:
    """True when ``out`` is (or links to) a device, pipe or socket: ``-o /dev/stdout``, ``/dev/null``."""
    try:
        return not stat.S_ISREG(os.stat(out).st_mode)
    except OSError:
        return False


_FD_NAME = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")


def _descriptor_of(path: PathLike) -> int | None:
    """The open descriptor of this process that ``path`` names: ``-`` and any name of standard
    output are 1, ``/dev/stderr`` 2, ``/dev/fd/N`` and ``/proc/self/fd/N`` N; None for other files.

    Written through the descriptor, the data lands where the shell sent it (a pipe, a terminal, a
    file opened with ``>`` or ``>>``); a rename over such a name would replace the link itself."""
    name = os.fspath(path)
    if is_stdout(name):
        return 1
    if name == "/dev/stderr":
        return 2
    m = _FD_NAME.fullmatch(name)
    return int(m.group(1)) if m else None


def _write_descriptor(fd: int, path: PathLike, data: bytes | str | Callable[[IO[bytes]], None]) -> None:
    """Write ``data`` into open descriptor ``fd`` (a copy of it: the caller's stays open)."""
    _write_opened(lambda: os.dup(fd), "standard output" if fd == 1 else os.fspath(path), data)


def _write_special(out: Path, data: bytes | str | Callable[[IO[bytes]], None]) -> None:
    """Write into a device or pipe as it is: renaming a file over it would replace the device itself."""
    _write_opened(lambda: os.open(out, os.O_WRONLY | getattr(os, "O_BINARY", 0)), os.fspath(out), data)


def _write_opened(
    opener: Callable[[], int], shown: str, data: bytes | str | Callable[[IO[bytes]], None]
) -> None:
    """Write ``data`` into the descriptor ``opener`` gives (closed after); ``shown`` names it in errors."""
    try:
        with open(opener(), "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(_utf8(data) if isinstance(data, str) else data)
    except BrokenPipeError as err:  # '| head': the reader took what it wanted
        raise OutputClosed(f"{shown}: the reader of the pipe closed it before the end") from err
    except OSError as err:
        raise BadInput(f"{shown}: cannot write ({err.strerror or err})") from err


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _create_temp(out: Path, parent: Path, made: list[str]) -> int:
    """A new temporary file beside ``out`` (random name, created exclusively, never through a
    link); its name goes into ``made`` and is registered for the signal cleanup *before* the
    file exists.

    Holding signals is not enough on its own: in a process with other threads a signal can be
    taken by one of them and its Python handler then runs in this thread at any point, even
    while this thread holds signals. So the cleanup and the caller's ``finally`` know the name
    before there is a file to leave behind.
    """
    import secrets  # here, not at the top: 5-15 ms of imports at every start of the viewer

    while True:
        name = str(parent / f".{out.name}.{secrets.token_hex(6)}.tmp")
        made.append(name)
        with _pending_lock:
            _pending.add(name)
        try:
            return os.open(name, _TEMP_FLAGS, 0o600)
        except FileExistsError:  # someone else's file by that name: not ours to remove
            made.remove(name)
            _forget(name)
        except OSError as err:
            made.remove(name)
            _forget(name)
            raise BadInput(f"{out}: cannot write in {parent} ({err.strerror or err})") from err


def _forget(name: str) -> None:
    with _pending_lock:
        _pending.discard(name)


def _discard(tmp: str, f: IO[bytes] | None) -> None:
    """Close and remove a temporary file (gone already after the rename), then forget it; with
    signals held, so a signal does not stop it halfway."""
    with _signals_held():
        if f is not None:
            with contextlib.suppress(OSError):
                f.close()
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        _forget(tmp)  # only once it is gone: interrupted before, remove_pending still has it


_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Delay SIGINT/SIGTERM (delivered on leaving) in this thread, where the platform allows it."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - Windows
        yield
        return
    old = mask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _utf8(text: str) -> bytes:
    """``text`` as UTF-8; a lone surrogate (a file name that is not UTF-8, kept by Python as one) as U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _clean_surrogates(text).encode("utf-8")


def _clean_surrogates(text: str) -> str:
    """Lone surrogates (not encodable as UTF-8) become U+FFFD; valid pairs are kept."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def dumps_json(obj: Any, *, indent: int | None = None) -> bytes:
    """Standard JSON as UTF-8: NaN/Infinity refused with a one-line error, lone surrogates replaced.

    With ``indent`` the text is indented (2 spaces through orjson when it is installed: the
    standard library's indenting encoder is pure Python, ten times slower on a 100k-word document).
    """
    try:
        text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    except ValueError as err:
        raise BadInput(f"cannot write JSON: a number is not finite (NaN or Infinity): {err}") from err
    except RecursionError as err:
        raise BadInput("cannot write JSON: a value is nested too deeply") from err
    if indent is not None:
        pretty = _orjson_indented(obj)
        if pretty is not None:
            return pretty
        text = json.dumps(obj, ensure_ascii=False, allow_nan=False, indent=indent)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _clean_surrogates(text).encode("utf-8")


def _orjson_indented(obj: Any) -> bytes | None:
    """``obj`` indented by orjson, or None when orjson is missing or refuses it (lone surrogates...)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        return None
    try:
        return bytes(orjson.dumps(obj, option=orjson.OPT_INDENT_2))
    except (TypeError, orjson.JSONEncodeError):
        return None


def finite_json(obj: Any) -> tuple[Any, int]:
    """``obj`` with every NaN/Infinity number replaced by None, and how many there were.

    For values copied through from a response (``extras``), so :func:`dumps_json` can write them;
    the caller warns when the count is not 0.
    """
    try:  # the usual case, at C speed: nothing to replace
        json.dumps(obj, allow_nan=False, check_circular=False)
        return obj, 0
    except (ValueError, TypeError, RecursionError):
        pass
    count = 0

    def clean(value: Any) -> Any:
        nonlocal count
        if type(value) is float:
            if value - value != 0:  # NaN or +-Infinity
                count += 1
                return None
            return value
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    try:
        return clean(obj), count
    except RecursionError as err:
        raise BadInput("cannot write JSON: a value is nested too deeply") from err


def remove_pending() -> None:
    """Remove every temporary file still being written (called on SIGTERM, and by the CLI on Ctrl-C)."""
    with _pending_lock:
        names = list(_pending)
        _pending.clear()
    for name in names:
        try:
            os.unlink(name)
        except OSError:
            pass


def install_signal_cleanup() -> Callable[[], None]:
    """On SIGTERM: remove pending temporary files, then exit 143. Call from the main thread.

    Returns a function that puts back the handler there was before (a caller running the CLI in its own
    process, as the tests do, must not keep a handler that raises SystemExit in whatever it runs next)."""

    def on_term(signum: int, frame: FrameType | None) -> None:
        remove_pending()
        raise SystemExit(128 + signum)

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, on_term)

    def restore() -> None:
        if previous is not None:  # None: set outside Python, cannot be put back from here
            signal.signal(signal.SIGTERM, previous)

    return restore
