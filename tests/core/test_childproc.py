"""The framed messages between the viewer and its helper processes (``core.childproc``).

Big numeric columns travel as out-of-band pickle buffers read with ``readinto``; these tests send
real messages through real pipes and check what the reader gets, whole, cut short or garbled.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from ocrviewer.core import childproc
from ocrviewer.core.columns import page_columns
from ocrviewer.core.parse_child import document_from_fields, fields_of
from ocrviewer.core.parsers import load_response

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
BIGGEST = max(CORPUS.glob("*/*.json"), key=lambda p: p.stat().st_size)


def through_a_pipe(message: object) -> object:
    """``message`` written by one thread into an OS pipe and read back by this one."""
    r, w = os.pipe()
    with os.fdopen(r, "rb") as reader, os.fdopen(w, "wb") as writer:
        t = threading.Thread(target=childproc.write_message, args=(writer, message))
        t.start()
        try:
            return childproc.read_message(reader)
        finally:
            t.join(30)


def encoded(message: object) -> bytes:
    out = io.BytesIO()
    childproc.write_message(out, message)
    return out.getvalue()


def from_a_child(data: bytes) -> object:
    """What ``read_message`` makes of ``data`` written by a child process that then exits."""
    code = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(data)
    child.stdin.close()
    try:
        return childproc.read_message(child.stdout)
    finally:
        child.stdout.close()
        child.wait(30)


def test_a_parsed_document_comes_back_with_equal_columns_and_the_arrays_out_of_band():
    doc = load_response(BIGGEST)
    fields = fields_of(doc)
    got = through_a_pipe(("ok", fields))
    assert got[0] == "ok"
    back = document_from_fields(got[1])
    assert back == doc and [w.text for w in back.words()] == [w.text for w in doc.words()]
    for want_fields, got_page in zip(fields["pages"], back.pages, strict=True):
        want, have = want_fields["columns"], page_columns(got_page)
        assert want is not None and have is not None and have.blob == want.blob
        for level in ("block", "line", "word"):
            a, b = vars(want.level(level)), vars(have.level(level))
            for key, value in a.items():
                if isinstance(value, np.ndarray):
                    assert b[key].dtype == value.dtype and np.array_equal(
                        b[key], value, equal_nan=value.dtype.kind == "f"
                    ), (
                        level,
                        key,
                    )
    # the numbers are not inside the pickle: it stays small whatever the page's size
    words = np.arange(1_000_000, dtype=np.float64)
    assert len(encoded(words)) - words.nbytes < 1000


def test_big_arrays_of_every_kind_round_trip_through_a_pipe():
    rng = np.random.default_rng(1)
    message = (
        "ok",
        {
            "points": rng.random((300_000, 2)),  # ~4.8 MB: many pipe reads
            "ints": rng.integers(-(2**40), 2**40, 100_000),
            "conf": rng.random(50_000).astype(np.float32),
            "flags": rng.random(1000) > 0.5,
            "strided": np.arange(100)[::3],  # not contiguous: pickled in band
            "empty": np.zeros((0, 2)),
            "text": "héllo wörld" * 1000,
            "raw": b"\x00\xff" * 10,
        },
    )
    got = through_a_pipe(message)
    assert got[0] == "ok" and set(got[1]) == set(message[1])
    for key, value in message[1].items():
        if isinstance(value, np.ndarray):
            assert got[1][key].dtype == value.dtype and np.array_equal(got[1][key], value), key
        else:
            assert got[1][key] == value
    assert through_a_pipe(None) is None


def test_a_message_cut_anywhere_is_the_closed_pipe_error():
    data = encoded(("ok", {"a": np.arange(5000, dtype=np.int64), "b": np.ones(300)}, "tail"))
    header = struct.calcsize(">QI")
    for cut in (0, 5, header, header + 8, header + 30, len(data) // 2, len(data) - 1):
        with pytest.raises(EOFError, match="closed the pipe"):
            from_a_child(data[:cut])
    assert np.array_equal(from_a_child(data)[1]["a"], np.arange(5000))


def test_garbled_messages_are_refused_as_unpicklable_without_a_huge_allocation():
    data = encoded(("ok", np.arange(1000)))
    size, count = struct.unpack_from(">QI", data)
    cases = [
        struct.pack(">QI", 1 << 62, 0),  # a pickle larger than any answer
        struct.pack(">QI", 10, 1 << 31),  # billions of buffers
        struct.pack(">QIQ", 10, 1, 1 << 62),  # one buffer larger than any answer
        data[:12] + bytes(255 - b for b in data[12:]),  # the bytes after the header garbled
    ]
    for bad in cases:
        with pytest.raises(pickle.UnpicklingError):
            from_a_child(bad)
