"""Modules the app imports by name (strings, importlib) resolve, and the bundle spec collects them.

PyInstaller's analysis follows import statements only; a module named in a string (the provider
registry, the command table, the parser process's ``module:function`` names, ``importlib`` calls)
is in the bundle only because the spec collects it. These checks need no built bundle.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrviewer.cli import COMMANDS
from ocrviewer.providers.base import KNOWN_PROVIDERS

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "ocrviewer.spec"
#: "ocrviewer.core.parse_child" or "ocrviewer.providers.local:create"
_NAMED = re.compile(r"ocrviewer(\.[A-Za-z_]\w*)+(:[A-Za-z_][\w.]*)?")
_IMPORTERS = {"import_module", "find_spec", "__import__"}


def _sources() -> list[Path]:
    return sorted((ROOT / "ocrviewer").rglob("*.py"))


def _strings_naming_modules() -> Iterator[tuple[str, str]]:
    """(where, name) for every string constant in ocrviewer that is a dotted ocrviewer module name:
    its first part after ``ocrviewer.`` is a package or module of ocrviewer ("ocrviewer.svg", a
    file name, is not)."""
    top = {
        p.stem for p in (ROOT / "ocrviewer").iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()
    }
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if _NAMED.fullmatch(node.value) and node.value.split(".")[1].partition(":")[0] in top:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def _importlib_literals() -> Iterator[tuple[str, str]]:
    """(where, name) for every string literal passed to import_module / find_spec / __import__."""
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if called in _IMPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", first.value


def _resolves(name: str) -> str | None:
    """None when ``module[:attr.path]`` names something that exists, else what is missing."""
    module, _, attr = name.partition(":")
    if importlib.util.find_spec(module) is None:
        return f"no module {module}"
    if attr:
        obj: object = importlib.import_module(module)
        for part in attr.split("."):
            if not hasattr(obj, part):
                return f"{module} has no {attr}"
            obj = getattr(obj, part)
    return None


@pytest.mark.parametrize("name", sorted(KNOWN_PROVIDERS))
def test_every_registered_provider_factory_exists(name: str) -> None:
    assert _resolves(KNOWN_PROVIDERS[name]) is None, KNOWN_PROVIDERS[name]


def test_every_command_module_exists() -> None:
    missing = {
        cmd: module for cmd, (module, _help) in COMMANDS.items() if importlib.util.find_spec(module) is None
    }
    assert not missing


def test_every_ocrviewer_module_named_in_a_string_exists() -> None:
    found = list(_strings_naming_modules())
    assert found, "the scan found no module named in a string: is the pattern still right?"
    broken = [f"{where}: {name}: {why}" for where, name in found if (why := _resolves(name))]
    assert not broken, "\n".join(broken)


def _spec_collected_packages() -> tuple[set[str], set[str]]:
    """(packages whose submodules the spec collects, modules it lists by name) from its source."""
    collected: set[str] = set()
    listed: set[str] = set()
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        func = getattr(node.func, "id", None)
        if func == "collect_submodules":
            collected.update(names)
        elif func == "optional" and node.args and getattr(node.args[0], "id", None) == "collect_submodules":
            collected.update(names)
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            listed.add(node.value)
    return collected, listed


def _covered(module: str, collected: set[str], listed: set[str]) -> bool:
    return module in listed or any(module == p or module.startswith(p + ".") for p in collected)


def test_the_spec_collects_every_module_imported_by_name() -> None:
    """Every ocrviewer module (the registry, commands and parser names are strings) and every
    other module ocrviewer passes to importlib as a literal is collected by the spec."""
    collected, listed = _spec_collected_packages()
    source = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in _sources()
    }
    by_name = {name.partition(":")[0] for _where, name in _importlib_literals()}
    by_name |= {target.partition(":")[0] for target in KNOWN_PROVIDERS.values()}
    by_name |= {module for module, _help in COMMANDS.values()}
    missing = sorted(m for m in source | by_name if not _covered(m, collected, listed))
    assert not missing, (
        "packaging/ocrviewer.spec does not collect these, so the bundle would lack them "
        f"(add them to hiddenimports): {missing}"
    )


def _spec_excludes() -> list[str]:
    """The spec's ``excludes`` list, evaluated from its source (its assignment and UNUSED_QT's)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    wanted = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id in {"UNUSED_QT", "excludes"} for t in node.targets)
    ]
    namespace: dict[str, object] = {}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(SPEC), "exec"), namespace)  # noqa: S102
    excludes = namespace["excludes"]
    assert isinstance(excludes, list) and excludes
    return [str(e) for e in excludes]


def _imported_modules() -> Iterator[tuple[str, str]]:
    """(where, module) for every absolute import in ocrviewer, at any depth (inside functions too)."""
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", name


def test_the_spec_excludes_nothing_the_app_imports() -> None:
    """A module the app imports, even inside a function (Qt classes, parsers, PDF libraries), must
    not be on the spec's excludes list: the bundle would start and fail only when that code runs."""
    excludes = _spec_excludes()
    hits = sorted(
        f"{where}: {name} (excluded as {ex})"
        for where, name in _imported_modules()
        for ex in excludes
        if name == ex or name.startswith(ex + ".")
    )
    assert not hits, "\n".join(hits)
