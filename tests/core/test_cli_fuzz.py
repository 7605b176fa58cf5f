"""Fuzz ``export`` (every ``--to`` format) and ``render`` through the command's entry point, in-process (issue 11).

Corpus responses are mutated (a value somewhere replaced by NaN, Infinity, a huge number, a lone
surrogate, a newline, a very long text, a wrong type...) and run through ``ocrviewer export`` and
``ocrviewer render``. Every run must end with exit 0 and a valid output, or exit 1 with one line on
stderr and nothing written: any other exception (a traceback) fails the test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocrviewer.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
#: Small enough to run many examples (the Google one is trimmed to its first block).
RESPONSES = [
    "aws/textract-analyzedocument-paystub-header.json",
    "azure/batchread-v2.0-signage.json",
    "azure/docintel-2021-09-30-preview-layout-testdata.json",
    "azure/formrecognizer-v2.1-iddocument-driverlicense.json",
    "azure/imageanalysis-4.0-sample-allfeatures.json",
    "azure/read-v3.2-signage.json",
    "azure/recognizetext-v2.0-signage.json",
    "google/gcv2hocr-eng-test.json",
    "yandex/ocr-recognize-handwritten-ru-camelcase.json",
    "yandex/ocr-recognize-penguins-snakecase.json",
]

FUZZ = settings(
    max_examples=int(os.environ.get("OCRVIEWER_TEST_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

NASTY = st.sampled_from(
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        1e300,
        -1e300,
        1.7e308,
        1e-300,
        0,
        -1,
        10**400,
        "\ud800",
        "a\nb\tc\x00",
        "x" * 200_000,
        "",
        None,
        True,
        [],
        {},
        [1e300, 0, 1e300, 0, 1e300, 1e300, 0, 1e300],
        [[0, 0]] * 20_000,
        "NaN",
        "1e999",
    ]
)


def _load(name: str) -> Any:
    data = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    if name.startswith("google/"):
        resp = data["responses"][0]
        resp["textAnnotations"] = resp["textAnnotations"][:3]
        page = resp["fullTextAnnotation"]["pages"][0]
        page["blocks"] = page["blocks"][:1]
    return data


ORIGINALS = {name: _load(name) for name in RESPONSES}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in the JSON tree (lists sampled at a few positions to stay small)."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i in sorted({0, 1, len(value) // 2, len(value) - 1} & set(range(len(value)))):
            out += _paths(value[i], (*prefix, i))
    return out


PATHS = {name: _paths(data)[1:] for name, data in ORIGINALS.items()}
#: Paths to a text, so half the mutations land where a word's text is (controls, surrogates...).
TEXT_PATHS = {
    name: [p for p in paths if p[-1] in ("text", "Text", "content")] for name, paths in PATHS.items()
}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(RESPONSES))
    data = json.loads(json.dumps(ORIGINALS[name]))
    for _ in range(draw(st.integers(1, 4))):
        texts = TEXT_PATHS[name]
        path = draw(st.sampled_from(texts if texts and draw(st.booleans()) else PATHS[name]))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = draw(NASTY)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape on this path
    return name, data


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)  # anything but a clean exit code raises here and fails the test
    _, err = capsys.readouterr()
    return code, err


@FUZZ
@given(case=mutated(), command=st.sampled_from(["export", "render", "hocr", "alto", "page", "pdf"]))
def test_mutated_responses_never_crash(case: tuple[str, Any], command: str, tmp_path_factory, capsys) -> None:
    name, data = case
    folder = tmp_path_factory.mktemp("fuzz")
    resp = folder / "resp.json"
    resp.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    suffix = {"render": "png", "export": "json", "hocr": "hocr", "alto": "xml", "page": "xml", "pdf": "pdf"}[
        command
    ]
    out = folder / f"out.{suffix}"
    argv = [command, "-r", str(resp), "-o", str(out)]
    if command not in ("export", "render"):  # the other export formats
        argv = ["export", "--to", command, "-r", str(resp), "-o", str(out)]
    code, err = _run(argv, capsys)
    assert "Traceback" not in err
    if code == 0:
        if command == "export":
            json.loads(out.read_bytes().decode("utf-8"), parse_constant=lambda c: pytest.fail(c))
        elif command == "render":
            assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        elif command == "pdf":
            assert out.read_bytes()[:5] == b"%PDF-"
        elif command in ("alto", "page"):
            ElementTree.fromstring(out.read_bytes())  # well-formed XML
        else:
            out.read_bytes().decode("utf-8")  # hOCR: valid UTF-8
    else:
        assert code == 1, (name, err)
        errors = [ln for ln in err.splitlines() if ln.startswith("ocrviewer: error: ")]
        assert len(errors) == 1 and errors == err.splitlines()[-1:], err
        assert not out.exists()
    assert sorted(p.name for p in folder.iterdir() if p.name != out.name) == ["resp.json"]
