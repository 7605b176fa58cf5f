"""The bundle's licence rules (packaging/bundle_licenses.py), checked without building the bundle."""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    # By path: the repository's packaging/ folder is not the PyPI "packaging" package imported above.
    spec = importlib.util.spec_from_file_location(
        "bundle_licenses", ROOT / "packaging" / "bundle_licenses.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bl = _load()


@pytest.mark.parametrize(
    "licence",
    [
        "GPL-3.0-only",
        "GPL-2.0-or-later",
        "AGPL-3.0-or-later",
        "GNU General Public License v3 (GPLv3)",
        "GNU Affero General Public License v3",
        "MIT AND GPL-2.0-only",
        "GPL-2+",
        "",
    ],
)
def test_gpl_agpl_and_unstated_licences_are_refused(licence: str) -> None:
    assert bl.licence_problem(licence)


@pytest.mark.parametrize(
    "licence",
    [
        "MIT",
        "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",  # PySide6: the LGPL alternative is taken
        "GNU Lesser General Public License v3 (LGPLv3)",
        "(GPL-2.0-or-later WITH Bootloader-exception) AND Apache-2.0",
        "GPL-3.0-or-later WITH GCC-exception-3.1",
        "GPL-2+ or AFL-2.1, and Expat and Tcl-BSDish",  # libdbus (Debian copyright style)
        "Apache Software License OR GNU General Public License v2 (GPLv2)",
        "MPL-2.0 AND (Apache-2.0 OR MIT)",
    ],
)
def test_permissive_lgpl_and_excepted_licences_pass(licence: str) -> None:
    assert bl.licence_problem(licence) is None


def _runtime_closure() -> dict[str, md.Distribution]:
    """ocrviewer's runtime dependencies and the offline engine (what the bundle carries), with theirs."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["local"]]
    found: dict[str, md.Distribution] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        if key in found:
            continue
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            continue  # an engine not installed here is not bundled either
        found[key] = dist
        todo += [Requirement(r) for r in dist.requires or ()]
    return found


def test_nothing_the_bundle_carries_is_gpl_or_agpl() -> None:
    closure = _runtime_closure()
    recent = {"lxml", "pikepdf", "pypdfium2", "rapidfuzz", "uniseg", "rich"}
    assert {"pyside6-essentials", *recent} <= set(closure)
    refused = [f"{name}: {bl.licence_problem(bl.licence_of(d))}" for name, d in closure.items()]
    refused = [line for line in refused if not line.endswith(": None")]
    assert not refused, "\n".join(refused)


def test_files_are_traced_to_their_distribution_and_python(tmp_path: Path) -> None:
    lxml = md.distribution("lxml")
    so = next(str(lxml.locate_file(f)) for f in lxml.files or () if f.name.startswith("etree."))
    own = tmp_path / "own"
    own.mkdir()
    (own / "mine.py").write_text("", encoding="utf-8")
    found, untraced = bl.components([so, json.__file__, str(own / "mine.py")], own=own)
    by_name = {c.name: c for c in found}
    assert set(by_name) == {"lxml", "Python standard library"} and not untraced
    assert by_name["lxml"].licence == "BSD-3-Clause"
    assert by_name["lxml"].texts, "lxml's licence texts were not found in its dist-info"


def test_packages_of_a_venv_inside_the_checkout_are_components(tmp_path: Path) -> None:
    """scripts/install makes .venv in the checkout: its packages are in the notice (and checked), not skipped
    as ocrviewer's own files."""
    lxml = md.distribution("lxml")
    so = next(str(lxml.locate_file(f)) for f in lxml.files or () if f.name.startswith("etree."))
    checkout = Path(so).parents[4]  # .../.venv/lib/python3.X/site-packages/lxml/etree.so -> above .venv
    found, _ = bl.components([so], own=checkout)
    assert [c.name for c in found] == ["lxml"]


def test_every_bundled_distribution_has_a_licence_text() -> None:
    """The notice promises the texts: from the dist-info, else the package's top (onnxruntime/LICENSE), else
    the standard text of the licence named (PySide6 and shiboken6 ship none: LGPL-3.0, with the GPL-3.0 it
    adds its permissions to)."""
    closure = _runtime_closure()
    bare = [name for name, dist in closure.items() if not bl.licence_texts(dist)]
    assert not bare, f"no licence text found for {bare}"
    pyside = [p.name for p in bl.licence_texts(closure["pyside6-essentials"])]
    assert pyside == ["LGPL-3.0.txt", "GPL-3.0.txt"]
    assert all(p.is_file() for p in bl.licence_texts(closure["pyside6-essentials"]))
    if "onnxruntime" in closure:
        assert "LICENSE" in [p.name for p in bl.licence_texts(closure["onnxruntime"])]
    found, _ = bl.components([json.__file__], own=ROOT)
    assert [p.name for p in found[0].texts] == ["LICENSE.txt"]  # Python's own


def test_a_library_gets_its_own_paragraph_of_a_debian_copyright_file(tmp_path: Path) -> None:
    """util-linux style: the programs are GPL, the libraries are not."""
    copyright_file = tmp_path / "copyright"
    copyright_file.write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        "Files: *\nCopyright: someone\nLicense: GPL-2+\n\n"
        "Files: libuuid/*\n       libuuid/src/*\nCopyright: someone\nLicense: BSD-3-clause\n\n"
        "Files: keyutils.*\nCopyright: someone\nLicense: LGPL-2+\n",
        encoding="utf-8",
    )
    assert bl._debian_licence(copyright_file, ["libuuid.so.1"]) == "BSD-3-clause"
    assert bl._debian_licence(copyright_file, ["libkeyutils.so.1"]) == "LGPL-2+"
    assert bl._debian_licence(copyright_file, ["libblkid.so.1"]) == "GPL-2+"
    refused = bl.problems([bl.Component("libblkid1", "1", "GPL-2+", "Debian package")])
    assert refused and "libblkid1" in refused[0]


def test_the_notice_lists_each_component_then_its_texts(tmp_path: Path) -> None:
    text = tmp_path / "LICENSE"
    text.write_text("Permission is hereby granted, for testing.\n", encoding="utf-8")
    found = [
        bl.Component("alpha", "1.0", "MIT", "PyPI", (text,)),
        bl.Component("libbeta0", "2.0", "LGPL-2.1+", "Debian package"),
    ]
    notice = bl.notice(found, "9.9", untraced=["/opt/lib/libgamma.so.1"])
    assert "ocrviewer 9.9 bundle" in notice
    assert re.search(r"^alpha +1\.0 +MIT +\[PyPI\]$", notice, re.M)
    assert re.search(r"^libbeta0 +2\.0 +LGPL-2\.1\+ +\[Debian package\]$", notice, re.M)
    assert "  libgamma.so.1" in notice
    assert notice.index("alpha 1.0: LICENSE") < notice.index("Permission is hereby granted, for testing.")
