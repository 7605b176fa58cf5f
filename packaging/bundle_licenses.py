"""Licences of what the bundle carries: the notice file shipped with it, and a check that nothing in it is GPL/AGPL.

``ocrviewer.spec`` hands it every file PyInstaller collected; each is traced to the installed Python distribution
that lists it (its licence from the metadata, its licence texts from the dist-info), to Python's standard library,
or to the host package it was copied from (``dpkg -S``, licence from the Debian copyright file). The build stops
when a component's only licences are GPL or AGPL, which would cover the whole bundle. Allowed copyleft: LGPL
(every library here is a separate shared object in the one-folder bundle, replaceable by the user), and GPL
with a linking exception (the GCC runtime, PyInstaller's bootloader). tests/packaging/test_licenses.py checks
the runtime dependencies with the same rules, without a build.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_COPYLEFT = re.compile(r"\bA?GPL|GNU (Affero )?General Public", re.I)
_PERMITTED = re.compile(r"LGPL|Lesser|Library General|exception", re.I)
_TEXT_NAME = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT|AUTHORS|THIRD[-_]?PARTY[-_]?NOTICES)", re.I)
NOTICE_NAME = "THIRD-PARTY-NOTICES.txt"
# Standard texts of licences some distributions name but ship no copy of (PySide6 and shiboken6: LGPL-3.0,
# which is the GPL-3.0 plus its additional permissions, so both; rapidocr_onnxruntime: Apache-2.0). Verbatim
# from Debian's /usr/share/common-licenses.
LICENCE_DIR = Path(__file__).resolve().with_name("licenses")
STANDARD_TEXTS = {
    "LGPL-3.0": ("LGPL-3.0.txt", "GPL-3.0.txt"),
    "GPL-3.0": ("GPL-3.0.txt",),
    "Apache-2.0": ("Apache-2.0.txt",),
}


@dataclass(frozen=True)
class Component:
    """One thing the bundle carries, under one licence."""

    name: str
    version: str
    licence: str  # SPDX expression, the metadata's License field, or its classifiers joined with " OR "
    origin: str  # "PyPI", "Python", "Debian package", "host"
    texts: tuple[Path, ...] = field(default=())


def licence_problem(licence: str) -> str | None:
    """Why a component under ``licence`` cannot ship in the bundle, or None when it can.

    Alternatives ("A OR B") are a choice: one shippable alternative is enough.
    """
    if not licence.strip():
        return "states no licence"
    alternatives = re.split(r"\s+or\s+", licence, flags=re.I)
    if all(_COPYLEFT.search(a) and not _PERMITTED.search(a) for a in alternatives):
        return f"is under {licence!r}: a GPL/AGPL component would put the whole bundle under it"
    return None


def licence_of(dist: md.Distribution) -> str:
    """The licence a distribution declares: License-Expression, a one-line License, else its classifiers."""
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 120:
        return text
    classifiers = [
        c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    classifiers = [c for c in classifiers if c != "OSI Approved"]
    if classifiers:
        return " OR ".join(classifiers)
    return text.splitlines()[0] if text else ""


def licence_texts(dist: md.Distribution) -> tuple[Path, ...]:
    """The licence files a distribution installs: in its dist-info (LICENSE*, COPYING*, licenses/...), else at
    the top of its package (onnxruntime/LICENSE, onnxruntime/ThirdPartyNotices.txt), else the standard text of
    the licence it names (:data:`STANDARD_TEXTS`)."""
    in_dist_info, in_package = [], []
    for f in dist.files or ():
        parts = f.parts
        if parts and parts[0].endswith(".dist-info"):
            if _TEXT_NAME.match(f.name) or "licenses" in parts[1:-1]:
                in_dist_info.append(Path(str(dist.locate_file(f))))
        elif len(parts) == 2 and _TEXT_NAME.match(f.name):
            in_package.append(Path(str(dist.locate_file(f))))
    found = [p for p in in_dist_info or in_package if p.is_file()]
    return tuple(sorted(found)) or standard_texts(licence_of(dist))


def standard_texts(licence: str) -> tuple[Path, ...]:
    """The standard texts of the first shippable alternative of ``licence`` that has them, or ()."""
    for alternative in re.split(r"\s+or\s+", licence, flags=re.I):
        if licence_problem(alternative):
            continue
        spdx = re.sub(r"-(only|or-later)$|\+$", "", alternative.strip().strip("()"))
        spdx = re.sub(r"^Apache(?: Software)?(?: License)?[ -]*(?:2\.0)?$", "Apache-2.0", spdx, flags=re.I)
        if spdx in STANDARD_TEXTS:
            return tuple(LICENCE_DIR / name for name in STANDARD_TEXTS[spdx])
    return ()


# Licences the metadata does not state precisely. PyInstaller's metadata says GPLv2, but what a bundle carries
# of it is the bootloader (GPL-2.0-or-later with the Bootloader exception: any licence may run on it) and the
# loader and run-time hooks (Apache-2.0 since 2020); both are in its COPYING.txt, copied into the notice.
DECLARED = {"pyinstaller": "(GPL-2.0-or-later WITH Bootloader-exception) AND Apache-2.0"}


def component_of(dist: md.Distribution) -> Component:
    name = dist.metadata["Name"]
    licence = DECLARED.get(name.lower()) or licence_of(dist)
    return Component(name, dist.version, licence, "PyPI", licence_texts(dist))


def components(files: Iterable[str], own: Path) -> tuple[list[Component], list[str]]:
    """The components the collected ``files`` (source paths) belong to, and files nothing could be traced to.

    Files under ``own`` (ocrviewer itself) that no distribution lists are skipped: the project's ``.venv`` is
    under ``own`` too (``scripts/install`` makes it there), and its packages are components.
    """
    index: dict[str, md.Distribution] = {}
    for dist in md.distributions():
        for f in dist.files or ():
            index.setdefault(os.path.normpath(str(dist.locate_file(f))), dist)
    stdlib = os.path.normpath(sysconfig.get_paths()["stdlib"]) + os.sep
    own_prefix = os.path.normpath(own) + os.sep
    dists: dict[str, md.Distribution] = {}
    python = False
    host: list[str] = []
    for name in sorted(set(files)):
        path = os.path.normpath(name)
        if not os.path.isfile(path):
            continue
        dist = index.get(path) or index.get(os.path.realpath(path))
        if dist is None and path.startswith(own_prefix):
            continue
        if dist is not None:
            if dist.metadata["Name"] != "ocrviewer":  # its metadata, copied so importlib.metadata works
                dists.setdefault(dist.metadata["Name"].lower(), dist)
        elif path.startswith(stdlib):
            python = True
        else:
            host.append(path)
    found = [component_of(d) for _, d in sorted(dists.items())]
    if python:
        version = ".".join(map(str, sys.version_info[:3]))
        texts = tuple(p for p in [Path(stdlib) / "LICENSE.txt"] if p.is_file())
        found.append(Component("Python standard library", version, "PSF-2.0", "Python", texts))
    packaged, untraced = _host_packages(host)
    return found + packaged, untraced


def _host_packages(paths: list[str]) -> tuple[list[Component], list[str]]:
    """Host files traced to Debian packages (licence from /usr/share/doc/PKG/copyright); the rest untraced."""
    if not paths or not _which("dpkg"):
        return [], paths
    owner: dict[str, str] = {}
    for path in paths:
        real = os.path.realpath(path)
        candidates = {path, real, *(p.removeprefix("/usr") for p in (path, real) if p.startswith("/usr/"))}
        candidates |= {"/usr" + p for p in list(candidates) if not p.startswith("/usr/")}
        query = subprocess.run(["dpkg", "-S", *sorted(candidates)], capture_output=True, text=True)
        for line in query.stdout.splitlines():
            package, sep, _ = line.partition(": ")
            if sep and "," not in package:
                owner[path] = package.split(":")[0]
                break
    comps = []
    for package in sorted(set(owner.values())):
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True
        ).stdout.strip()
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        libraries = [os.path.basename(p) for p, pkg in owner.items() if pkg == package]
        comps.append(
            Component(
                package,
                version,
                _debian_licence(copyright_file, libraries),
                "Debian package",
                (copyright_file,) if copyright_file.is_file() else (),
            )
        )
    return comps, [p for p in paths if p not in owner]


def _debian_licence(copyright_file: Path, libraries: Iterable[str] = ()) -> str:
    """The licence of the libraries taken from a package, from its machine-readable Debian copyright file.

    A source package often builds programs and libraries under different licences (util-linux: GPL-2+ for
    ``Files: *``, LGPL-2.1+ for ``libmount/*``, BSD for ``libuuid/*``), so a paragraph whose files are the
    library's own files (``libuuid/*`` for libuuid.so.1, ``keyutils.*`` for libkeyutils.so.1) win over
    ``Files: *``.
    """
    try:
        text = copyright_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    stems = {re.sub(r"\.so(\..*)?$", "", name) for name in libraries}
    stems |= {s.removeprefix("lib") for s in stems}
    default = "see the copyright file"
    for paragraph in re.split(r"\n\s*\n", text):
        match = re.search(r"^Files:(.*(?:\n[ \t]+.*)*)", paragraph, re.M)
        licence = re.search(r"^License:[ \t]*(.*)$", paragraph, re.M)
        if not match or not licence:
            continue
        globs = match.group(1).split()
        if any(g.split("/")[0].split(".")[0] in stems for g in globs if g != "*"):
            return licence.group(1).strip()
        if globs[:1] == ["*"] and default == "see the copyright file":
            default = licence.group(1).strip()
    return default


def _which(program: str) -> bool:
    return any(
        os.access(os.path.join(d, program), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep)
    )


def problems(found: Iterable[Component]) -> list[str]:
    """One line per component that cannot ship (host components with no machine-readable licence are let
    through: their copyright file is in the notice and the report lists them)."""
    out = []
    for c in found:
        if c.origin == "Debian package" and c.licence == "see the copyright file":
            continue
        reason = licence_problem(c.licence)
        if reason:
            out.append(f"{c.name} {c.version} ({c.origin}) {reason}")
    return out


HEADER = """\
Third-party software in the ocrviewer {version} bundle
{underline}

ocrviewer itself is under the MIT licence. This folder also carries the components below, each under its own
licence; the full texts follow the list, in the same order.

LGPL components (Qt 6 through PySide6/shiboken6, FFmpeg and Qt 5 inside OpenCV, GLib and others from the
build system) are separate shared libraries in this folder, loaded at run time: you may replace any of them
with your own build of a compatible version. Their sources: https://download.qt.io/official_releases/,
https://ffmpeg.org/download.html, https://download.gnome.org/sources/glib/ (or the Debian source package named
below).

The executable's startup code is PyInstaller's bootloader, GPL-2.0-or-later with the Bootloader exception,
which allows it to run programs under any licence (https://pyinstaller.org/en/stable/license.html).

"""


def notice(found: list[Component], version: str, untraced: Iterable[str] = ()) -> str:
    """The text of THIRD-PARTY-NOTICES.txt: a table of components, then every licence text."""
    title = f"Third-party software in the ocrviewer {version} bundle"
    lines = [HEADER.format(version=version, underline="=" * len(title))]
    width = max((len(c.name) for c in found), default=10)
    for c in found:
        lines.append(f"{c.name:<{width}}  {c.version:<14}  {c.licence}  [{c.origin}]")
    untraced = sorted(untraced)
    if untraced:
        lines.append("\nCopied from the build system without a package record (licence as of its project):")
        lines += [f"  {os.path.basename(p)}" for p in untraced]
    for c in found:
        for text in c.texts:
            lines.append(f"\n\n{'=' * 100}\n{c.name} {c.version}: {text.name}\n{'=' * 100}\n")
            lines.append(text.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(lines) + "\n"
