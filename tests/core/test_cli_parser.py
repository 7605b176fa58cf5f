"""The command line's parser: every command and its help, without loading what the command does not need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocrviewer.cli import COMMANDS, build_parser, main

REPO = Path(__file__).resolve().parents[2]
#: heavy libraries a --help or --version must not load (the GUI, arrays, XML, images)
HEAVY = ("PySide6", "numpy", "lxml", "PIL", "rapidfuzz", "pikepdf", "keyring")


def loaded_after(code: str) -> list[str]:
    """Top-level packages a child Python has loaded after running ``code``."""
    probe = (
        "import sys\n"
        f"{code}\n"
        "import json\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], []])
def test_version_and_help_load_no_heavy_library(args: list[str]) -> None:
    run = f"from ocrviewer.cli import main\ntry:\n    main({args!r} or ['--help'])\nexcept SystemExit:\n    pass"
    loaded = loaded_after(run)
    assert not [m for m in HEAVY if m in loaded], loaded


def test_view_parser_loads_no_heavy_library() -> None:
    loaded = loaded_after(
        "from ocrviewer.cli import build_parser\nbuild_parser(['view']).parse_args(['view'])"
    )
    assert not [m for m in HEAVY if m in loaded]


@pytest.mark.parametrize("args", [[], ["view"]])
def test_the_viewer_alone_starts_as_the_parser_would_start_it(args: list[str], monkeypatch) -> None:
    """``ocrviewer`` and ``ocrviewer view`` skip argparse (before the window, it costs ~5-10 ms):
    the viewer gets the options the parser would have given it, and argparse is never loaded."""
    from ocrviewer.cli import view_cmd

    got = []
    monkeypatch.setattr(view_cmd, "run", lambda a: got.append(vars(a)) or 0)
    monkeypatch.delitem(sys.modules, "argparse", raising=False)
    assert main(args) == 0
    assert "argparse" not in sys.modules
    parsed = vars(build_parser(["view"]).parse_args(["view"]))
    assert got == [{**parsed, "func": got[0]["func"]}]
    assert parsed["func"] is view_cmd.run


def test_help_lists_each_command_as_its_module_describes_it() -> None:
    assert build_parser([]).format_help() == build_parser().format_help()
    helps = {a.dest: a.help for a in build_parser()._subparsers._group_actions[0]._choices_actions}  # type: ignore[union-attr]
    assert helps == {name: help_text for name, (_module, help_text) in COMMANDS.items()}


@pytest.mark.parametrize(
    "args",
    [[name, "--help"] for name in COMMANDS]
    + [["manifest", "merge", "--help"], ["manifest", "list", "--help"], ["credentials", "set", "--help"]],
    ids=lambda a: " ".join(a[:-1]),
)
def test_each_command_has_its_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ocrviewer {' '.join(args[:-1])} ")
    assert "options:" in out


def test_a_mistyped_command_is_one_line_naming_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["veiw"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "invalid choice: 'veiw'" in err and "'view'" in err and "'export'" in err


def test_a_path_alone_opens_it_in_the_viewer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """'ocrviewer scan.jpg' is 'ocrviewer view scan.jpg' (as an image viewer takes a file), and a
    missing one says so in the viewer's own words, not 'invalid choice'."""
    from ocrviewer.cli import view_cmd

    opened: list[str] = []
    monkeypatch.setattr(view_cmd, "run", lambda args: opened.append(args.image) or 0)
    image = tmp_path / "scan"  # no extension: it exists
    image.write_bytes(b"")
    assert main([str(image)]) == 0
    assert main(["photo.jpg"]) == 0
    assert opened == [str(image), "photo.jpg"]
    monkeypatch.undo()
    assert main([str(tmp_path / "missing.jpg")]) == 1
    err = capsys.readouterr().err
    assert "invalid choice" not in err and "missing.jpg" in err and len(err.strip().splitlines()) == 1


def test_a_view_option_alone_is_the_viewers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'ocrviewer --screenshot shot.png' (the bundled sample's picture) was 'invalid choice: shot.png'."""
    from ocrviewer.cli import VIEW_OPTIONS, view_cmd

    seen: list[dict] = []
    monkeypatch.setattr(view_cmd, "run", lambda args: seen.append(vars(args)) or 0)
    shot = str(tmp_path / "shot.png")
    assert main(["--screenshot", shot, "--theme", "dark"]) == 0
    assert main(["--size=800x600", "--screenshot", shot]) == 0
    assert [(s["image"], s["screenshot"], s["theme"], s["size"]) for s in seen] == [
        (None, shot, "dark", (1400, 900)),
        (None, shot, None, (800, 600)),
    ]
    # the list is every option of view's own (a new one is not left out)
    view = build_parser(["view"])._subparsers._group_actions[0].choices["view"]  # type: ignore[union-attr]
    options = {s for a in view._actions for s in a.option_strings} - {"-h", "--help"}
    assert options == VIEW_OPTIONS


def _commands(parser: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    """Every (sub)command's parser with its words: ('recognize',), ('manifest', 'merge')..."""
    import argparse

    assert isinstance(parser, argparse.ArgumentParser)
    found: list[tuple[tuple[str, ...], object]] = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _commands(child, (*path, name))
    return found


def test_every_command_describes_itself_and_each_of_its_arguments() -> None:
    """--help of each command says what it does and what each argument and option is (recognize's image and
    --provider, providers, credentials delete and manifest's OUTDIRs were bare names)."""
    import argparse

    bare = []
    for words, parser in _commands(build_parser())[1:]:
        assert isinstance(parser, argparse.ArgumentParser)
        if not parser.description:
            bare.append(" ".join(words))
        for action in parser._actions:
            if isinstance(action, (argparse._SubParsersAction, argparse._HelpAction)):
                continue
            if not action.help:
                bare.append(f"{' '.join(words)} {action.option_strings[:1] or [action.metavar]}")
    assert not bare, f"no description or help: {bare}"


def test_top_level_help_says_how_to_open_the_viewer_and_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("usage: ocrviewer [-h] [--version] [COMMAND [ARGS ...] | FILE]")
    assert "With no COMMAND the viewer opens on the bundled sample; 'ocrviewer FILE' opens FILE" in out
    assert "'ocrviewer COMMAND --help' shows a command's options" in out
    with pytest.raises(SystemExit):
        main(["recognize", "photo.jpg", "-p", "nonsuch", "-o", "r.json"])
    err = capsys.readouterr().err
    assert err.startswith("ocrviewer recognize: error: argument --provider/-p: invalid choice: 'nonsuch'")
    assert "(see 'ocrviewer recognize --help')" in err
