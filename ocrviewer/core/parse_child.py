"""Parsing a response in a child process, so the viewer's GIL stays free while it runs.

Decoding the JSON of a 10k-word answer and making its model holds the GIL for tens of ms, and
the ~30k objects it makes trigger full garbage collections that hold it for 40-50 ms more: the
window stalls. :meth:`ParserProcess.call` runs the same parse function (``load_response``,
``document_from_raw``: any module-level function of ocrviewer returning a Document) in a child
(``python -m ocrviewer.core.parse_child``, started on first use and reused), which answers with
each page as columns (:mod:`ocrviewer.core.columns`: a few numpy arrays and one text blob). The
parent gets a Document of :class:`~ocrviewer.core.columns.ColumnPage`, equal to the in-process
parse element for element, or the same error with the same one-line message.

Messages are length-prefixed pickles on the child's stdin/stdout (only our own child is read):
parent -> child ``("module:function", args)`` or ``None`` to exit; child -> parent
``("ok", document_fields)`` or ``("error", error type name, one-line message)``.
This module must not import Qt.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocrviewer import errors
from ocrviewer.core import childproc
from ocrviewer.core.model import Document

log = logging.getLogger("ocrviewer.core.parse_child")
#: a frozen bundle starts its own executable with this set to 1 to serve as the parser process
CHILD_ENV = "OCRVIEWER_PARSE_CHILD"

#: the window's threshold: a response smaller than this (about 2,500 words) is parsed in the
#: calling thread; it makes too few objects to stall the window, and starting the child process
#: (an interpreter with numpy) would delay the first picture of a small result, such as the sample's
SMALL_RESPONSE_BYTES = 256 * 1024

#: a parse function: module-level, in ocrviewer, returning a Document
ParseFunction = Callable[..., Document]


def _input_size(args: tuple[Any, ...]) -> int:
    """The size of what a parse call reads: its first bytes or file argument (unknown: huge)."""
    first = args[0] if args else None
    if isinstance(first, (bytes, bytearray, memoryview)):
        return len(first)
    if isinstance(first, (str, os.PathLike)):
        try:
            return os.stat(first).st_size
        except OSError:
            pass
    return sys.maxsize


# -- the child ------------------------------------------------------------------------------------
def _function(name: str) -> ParseFunction:
    module, _, qualname = name.partition(":")
    if module != "ocrviewer" and not module.startswith("ocrviewer."):
        raise errors.BadInput(f"the parser process runs ocrviewer's parsers only, not {name}")
    fn: Any = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    return fn  # type: ignore[no-any-return]


def function_name(fn: ParseFunction) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def fields_of(doc: Document) -> dict[str, Any]:
    """``doc`` as plain fields, each page as columns (what the child sends)."""
    from ocrviewer.core.columns import columns_of, page_columns

    return {
        "source_format": doc.source_format,
        "extras": dict(doc.extras),
        "warnings": doc.warnings,
        "pages": [
            {
                "columns": columns_of(p) if page_columns(p) is None else page_columns(p),
                "width": p.width,
                "height": p.height,
                "tables": p.tables,
                "unit": p.unit,
                "angle": p.angle,
                "index": p.index,
                "extras": dict(p.extras),
            }
            for p in doc.pages
        ],
    }


def document_from_fields(fields: dict[str, Any]) -> Document:
    """The Document of column pages the child's fields describe."""
    from ocrviewer.core.columns import ColumnPage

    pages = tuple(ColumnPage.of(p.pop("columns"), **p) for p in fields["pages"])
    return Document(pages, fields["source_format"], fields["extras"], tuple(fields["warnings"]))


def main() -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may reach the message stream
    while True:
        try:
            message = childproc.read_message(stdin)
        except EOFError:
            return 0
        if message is None:
            return 0
        name, args = message
        try:
            reply: tuple[Any, ...] = ("ok", fields_of(_function(name)(*args)))
        except errors.OcrViewerError as err:
            reply = ("error", type(err).__name__, str(err))
        except Exception as err:  # a parser bug: said in one line, the parent raises BadResponse
            reply = ("error", "BadResponse", f"cannot read the response ({type(err).__name__}: {err})")
        childproc.write_message(stdout, reply)


# -- the parent -----------------------------------------------------------------------------------
class ParserProcess(childproc.ChildOwner):
    """One child that parses responses: started on first use, reused, killed on cancel or close.

    Calls are serialized. ``poll_seconds`` is how often a waiting call looks at ``cancelled``.
    """

    def __init__(self, poll_seconds: float = 0.05, min_bytes: int = 0) -> None:
        super().__init__()
        #: inputs (response bytes or file) smaller than this are parsed in the calling thread
        self.min_bytes = min_bytes
        self._poll = poll_seconds
        self.starts = 0
        self.closed = False

    def call(self, fn: ParseFunction, *args: Any, cancelled: Callable[[], bool] = lambda: False) -> Document:
        """``fn(*args)`` run in the child: the same Document (of column pages), or the same error
        with the same message. Raises :class:`~ocrviewer.errors.Cancelled` (the child is killed)
        once ``cancelled()``. ``args`` are plain values (bytes, str, paths). An input below
        ``min_bytes`` is parsed here by the same function (a Document equal to the child's)."""
        if self.min_bytes and _input_size(args) < self.min_bytes:
            if cancelled():
                raise errors.Cancelled("cancelled by the user")
            return fn(*args)
        with self._lock:
            if self.closed:
                raise errors.Cancelled("the window is closing")
            if self._process is None or self._process.poll() is not None:
                self._start()
            process = self._process
            assert process is not None and process.stdin is not None and process.stdout is not None
            try:
                childproc.write_message(process.stdin, (function_name(fn), args))
                reply = self._receive(process, cancelled)
            except (OSError, ValueError, EOFError, pickle.UnpicklingError) as err:
                code = process.poll()
                self._discard()
                raise errors.BadResponse(
                    f"cannot read the response: the parser process stopped (exit code {code}); try again"
                ) from err
        if reply[0] == "ok":
            return document_from_fields(reply[1])
        kind = getattr(errors, reply[1], None)
        if not (isinstance(kind, type) and issubclass(kind, errors.OcrViewerError)):
            kind = errors.BadResponse
        raise kind(reply[2])

    def _receive(self, process: subprocess.Popen[bytes], cancelled: Callable[[], bool]) -> Any:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        while True:
            if cancelled():
                self._discard()
                raise errors.Cancelled("cancelled by the user")
            ready, _, _ = select.select([fd], [], [], self._poll)
            if ready:
                return childproc.read_message(process.stdout)

    def _start(self) -> None:
        env = dict(os.environ)
        if getattr(sys, "frozen", False):  # a bundle: its entry point dispatches on CHILD_ENV
            env[CHILD_ENV] = "1"
            command = [sys.executable]
        else:
            # the package may run from a source tree that is only on the parent's sys.path
            root = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
            command = [sys.executable, "-m", "ocrviewer.core.parse_child"]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        self.starts += 1

    def close(self, timeout: float = 2.0) -> None:
        """Ask the child to exit (kill it if a parse still holds it); later calls are refused."""
        self.closed = True
        super().close(timeout)


if __name__ == "__main__":
    sys.exit(main())
