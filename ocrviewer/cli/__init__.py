"""The ``ocrviewer`` command. Each group of subcommands lives in its own module with ``register``."""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn, TextIO

from ocrviewer import __version__
from ocrviewer.errors import Cancelled, OcrViewerError

#: Modules that add subcommands; a missing one is skipped so the rest still work.
COMMAND_MODULES = (
    "ocrviewer.cli.core_cmds",  # export, render, info
    "ocrviewer.cli.provider_cmds",  # recognize, providers, credentials
    "ocrviewer.cli.batch_cmds",  # manifest merge (recognize on a folder or PDF runs a batch)
    "ocrviewer.cli.view_cmd",  # view (the GUI)
    "ocrviewer.cli.compare_cmd",  # compare
)


class OneLineParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line that says where to look, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A library's warning as one line of ours, each text once per run (an image is read more than once)."""
    text = " ".join(str(message).split())
    if text not in _WARNED:
        _WARNED.add(text)
        print(f"ocrviewer: warning: {text}", file=file or sys.stderr)


_WARNED: set[str] = set()


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ocrviewer",
        description="OCR annotation viewer: polygons drawn exactly on the text as displayed.",
    )
    parser.add_argument("--version", action="version", version=f"ocrviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list:
        args_list = ["view"]  # no argument: the viewer on the bundled sample
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from ocrviewer.core.output import install_signal_cleanup, remove_pending

    warnings.showwarning = _one_line_warning  # Pillow's and others': one line of ours, not two of theirs
    install_signal_cleanup()  # SIGTERM: remove a half-written output's temporary file, then exit
    try:
        return int(args.func(args) or 0)
    except Cancelled:
        print("ocrviewer: cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        remove_pending()  # a temporary file the interruption reached before its own clean-up
        print("ocrviewer: cancelled", file=sys.stderr)
        return 130
    except OcrViewerError as err:
        print(f"ocrviewer: error: {err}", file=sys.stderr)
        return 1
