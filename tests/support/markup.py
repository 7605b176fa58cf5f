"""Test support for hOCR/ALTO/PAGE-XML: the official schemas (no network), Tesseract runs, sample files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

DATA = Path(__file__).resolve().parent.parent / "data"
FORMATS = DATA / "formats"
SCHEMAS = DATA / "schemas"

#: schema locations the shipped XSDs import, served from tests/data/schemas instead of the network
_LOCAL = {"http://www.loc.gov/standards/xlink/xlink.xsd": SCHEMAS / "xlink.xsd"}


class _LocalSchemas(etree.Resolver):
    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        if url in _LOCAL:
            return self.resolve_filename(str(_LOCAL[url]), context)
        if Path(url).parent == SCHEMAS:
            return None  # the schema file itself
        raise AssertionError(f"schema import {url} is not shipped under tests/data/schemas")


@lru_cache(maxsize=4)
def xml_schema(name: str) -> etree.XMLSchema:
    """``alto-4-4`` or ``pagecontent-2019-07-15``, imports resolved locally."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd"), parser))


def assert_valid(data: bytes, schema: str) -> None:
    doc = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))
    xs = xml_schema(schema)
    assert xs.validate(doc), f"not valid against {schema}: {xs.error_log}"


def tesseract() -> str:
    """Tesseract's path; a missing Tesseract fails the test (scripts/install --test installs it)."""
    exe = shutil.which("tesseract")
    assert exe, (
        "tesseract is not installed; run scripts/install --test (apt: tesseract-ocr tesseract-ocr-eng)"
    )
    return exe


def run_tesseract(image: Path, out_base: Path, config: str) -> Path:
    """Run ``tesseract IMAGE OUT CONFIG`` (hocr, alto, page, tsv) and return the file it wrote."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    subprocess.run(
        [tesseract(), str(image), str(out_base), "--psm", "3", "-l", "eng", config],
        check=True,
        capture_output=True,
        env=env,
        timeout=300,
    )
    suffix = {"hocr": ".hocr", "alto": ".xml", "page": ".page.xml", "tsv": ".tsv"}[config]
    out = out_base.with_name(out_base.name + suffix)
    assert out.is_file(), f"tesseract wrote no {out.name}"
    return out


# -- the command line on markup files (the real-file tests open them as a user does) ---------------


def cli_info(capsys: Any, *args: str) -> str:
    """``ocrviewer info ARGS``'s output (the command must succeed)."""
    from ocrviewer.cli import main

    assert main(["info", *args]) == 0, capsys.readouterr().err
    return str(capsys.readouterr().out)


def cli_export_json(tmp_path: Path, response: Path, *image: str) -> dict:
    """``ocrviewer export [IMAGE] -r RESPONSE -o out.json``, read back."""
    from ocrviewer.cli import main

    out = tmp_path / "out.json"
    assert main(["export", *image, "-r", str(response), "-o", str(out)]) == 0
    return dict(json.loads(out.read_text(encoding="utf-8")))


def blank_image(tmp_path: Path, w: int, h: int, name: str = "page.png") -> Path:
    """A white ``w`` x ``h`` page to place a response on."""
    from PIL import Image

    path = tmp_path / name
    Image.new("L", (w, h), 255).save(path)
    return path
