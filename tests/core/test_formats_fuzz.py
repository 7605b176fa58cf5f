"""Property test: whatever markup a file holds, loading it gives a Document or one BadResponse line naming it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocrviewer.core.parsers import load_response
from ocrviewer.errors import BadResponse
from tests.support.markup import FORMATS as SAMPLES

FUZZ = settings(
    max_examples=int(os.environ.get("OCRVIEWER_TEST_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SEEDS = [
    (SAMPLES / name).read_bytes()[:6000]
    for name in ("prima-SimplePage-2017.xml", "ocropus-hocr-sample.html", "dinglehopper-abbyy-alto2.xml")
]
NOISE = st.sampled_from(
    [b"<", b">", b"/>", b'"', b"'", b"&amp;", b"&#0;", b"\x00", b"\xff", b"=", b' HPOS="-1e999"', b' WC="nan"',
     b' points="1,2"', b" title='bbox 9 9 1 1'", b"<String/>", b"<TextLine>", b"<Coords/>", b"]]>", b"<!--"]
)  # fmt: skip


def _load(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "fuzz.xml"
        f.write_bytes(raw)
        try:
            load_response(f)
        except BadResponse as err:
            message = str(err)
            assert message.startswith(f"{f}: ") and "\n" not in message


@FUZZ
@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(0, 6000),
    noise=st.lists(st.tuples(st.integers(0, 6000), NOISE), max_size=6),
)
def test_mutated_samples_never_crash(seed: bytes, cut: int, noise: list[tuple[int, bytes]]) -> None:
    raw = bytearray(seed[: max(1, cut)])
    for at, piece in noise:
        raw[at % len(raw) : at % len(raw)] = piece
    _load(bytes(raw))
