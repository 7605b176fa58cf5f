"""The ``ocrviewer`` command. Each group of subcommands lives in its own module with ``register``.

Only the module of the command that runs is imported (``ocrviewer view`` does not load the
exporters, parsers and numpy the other commands need); ``ocrviewer --help`` lists the commands
from :data:`COMMANDS` without importing any of them. ``ocrviewer`` and ``ocrviewer view`` alone
(the viewer on the bundled sample, what a new user starts first) skip argparse: building a parser
looks up each of its help texts' translations on disk, ~5-10 ms before the window.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ocrviewer import __version__
from ocrviewer.errors import Cancelled, OcrViewerError, OutputClosed, error_message, one_line

#: command -> (the module whose ``register`` adds it, its one-line help as that module gives it),
#: in the order ``--help`` lists them. A test checks the lines against the modules.
COMMANDS: dict[str, tuple[str, str]] = {
    "export": (
        "ocrviewer.cli.core_cmds",
        "write a response as normalized JSON, hOCR, ALTO, PAGE-XML or a searchable PDF",
    ),
    "render": (
        "ocrviewer.cli.core_cmds",
        "draw a response's polygons, text and confidence on the image (PNG or PDF)",
    ),
    "info": (
        "ocrviewer.cli.core_cmds",
        "show an image's orientation and sizes (a PDF's or folder's pages), and how a response is placed",
    ),
    "recognize": (
        "ocrviewer.cli.provider_cmds",
        "send an image to an OCR service and save its raw response and a sidecar",
    ),
    "providers": ("ocrviewer.cli.provider_cmds", "list OCR providers and whether each is ready (or why not)"),
    "credentials": ("ocrviewer.cli.provider_cmds", "store or delete a provider's key in the system keyring"),
    "manifest": ("ocrviewer.cli.batch_cmds", "join the manifests of several batch OUTDIRs (shards) into one"),
    "view": ("ocrviewer.cli.view_cmd", "open the viewer (no IMAGE: the bundled sample)"),
    "compare": (
        "ocrviewer.cli.compare_cmd",
        "score results against a reference (CER, WER, word statuses), JSON and an HTML report",
    ),
}

#: Modules that add subcommands; a missing one is skipped so the rest still work.
COMMAND_MODULES = tuple(dict.fromkeys(module for module, _help in COMMANDS.values()))


if TYPE_CHECKING:
    import argparse


def _one_line_parser(**kwargs: Any) -> argparse.ArgumentParser:
    """argparse whose usage errors are one line that says where to look, not a usage dump."""
    import argparse

    class OneLineParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            hint = _dash_file_hint(message)
            hint = hint or f" (see '{self.prog} --help')"
            self.exit(2, f"{self.prog}: error: {one_line(message)}{hint}\n")

    return OneLineParser(**kwargs)


def _dash_file_hint(message: str) -> str | None:
    """For an argument taken as an unknown option that is a file ('-scan.jpg'): how to give it."""
    import os.path

    if not message.startswith("unrecognized arguments: "):
        return None
    words = message.split(": ", 1)[1].split()
    named = [w for w in words if w.startswith("-") and os.path.exists(w)]
    if not named:
        return None
    return f"; {named[0]} is a file: write ./{named[0]}, or put -- before it"


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A library's warning as one line of ours, each text once per run (an image is read more than
    once); one Pillow gave while reading an image names that image."""
    text = None
    if "PIL" in filename:  # (imageio imports Pillow: only for Pillow's own warnings)
        from ocrviewer.core.imageio import image_warning

        text = image_warning(message, filename)
    text = text or " ".join(str(message).split())
    if text not in _WARNED:
        _WARNED.add(text)
        print(f"ocrviewer: warning: {text}", file=file or sys.stderr)


_WARNED: set[str] = set()


#: the options that name a file a command writes (``-o``, compare's ``--json`` and ``--report``)
_OUTPUT_OPTIONS = ("output", "json", "report")


def _messages_off_stdout(args: Any) -> contextlib.AbstractContextManager[object]:
    """With an output on standard output (``-o -``, ``-o /dev/stdout``), every line the command
    prints ('wrote ...', summaries, tables) goes to stderr, so piped data stays only the data."""
    from ocrviewer.core.output import is_stdout

    if any(is_stdout(getattr(args, name, None)) for name in _OUTPUT_OPTIONS):
        return contextlib.redirect_stdout(sys.stderr)
    return contextlib.nullcontext()


def _command_in(args: Sequence[str]) -> str | None:
    """The subcommand named in ``args``: the first word that is not an option (the top level has
    no option that takes a value)."""
    return next((a for a in args if not a.startswith("-")), None)


def _module_present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def build_parser(args: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser. With ``args`` (the command line to parse), only the module of the
    command named in it is imported; the other commands are listed from :data:`COMMANDS` (enough
    for ``--help`` and for a mistyped command's error). Without, every command is built in full."""
    parser = _one_line_parser(
        prog="ocrviewer",
        usage="%(prog)s [-h] [--version] [COMMAND [ARGS ...] | FILE]",
        description="OCR annotation viewer: polygons drawn exactly on the text as displayed.",
        epilog="With no COMMAND the viewer opens on the bundled sample; 'ocrviewer FILE' opens FILE in it "
        "(as 'ocrviewer view FILE' does). 'ocrviewer COMMAND --help' shows a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"ocrviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="ocrviewer")
    wanted = (
        COMMAND_MODULES
        if args is None
        else tuple(COMMANDS[c][0] for c in [_command_in(args)] if c in COMMANDS)
    )
    for name in COMMAND_MODULES:
        if name not in wanted:
            if _module_present(name):  # listed only: its module is imported when it runs
                for command, (owner, help_text) in COMMANDS.items():
                    if owner == name:
                        sub.add_parser(command, help=help_text, add_help=False)
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.register(sub)
    return parser


def _plain_view() -> SimpleNamespace:
    """``ocrviewer view`` parsed without argparse: its defaults (a test checks they are the parser's)."""
    from ocrviewer.cli import view_cmd

    return SimpleNamespace(command="view", func=view_cmd.run, **view_cmd.DEFAULTS)


#: options only ``view`` has: ``ocrviewer --theme dark`` means ``ocrviewer view --theme dark``
VIEW_OPTIONS = frozenset(
    {"-r", "--response", "--provider", "--frame", "--screenshot", "--size", "--theme", "--page"}
)


def _names_a_file(arg: str) -> bool:
    """A first argument that is no command but a path (it exists, or has a folder or an extension):
    ``ocrviewer photo.jpg`` means ``ocrviewer view photo.jpg``. A mistyped command ('veiw') is not one."""
    import os.path

    if arg in COMMANDS or arg.startswith("-"):
        return False
    return os.path.exists(arg) or os.sep in arg or "/" in arg or bool(os.path.splitext(arg)[1])


#: exit status when the reader of standard output went away (``ocrviewer info doc.pdf | head -1``):
#: 128 + SIGPIPE, what a shell reports for a C tool SIGPIPE stopped (``seq 1 1e6 | head -1``), so
#: ``set -o pipefail`` scripts see the same from ocrviewer as from any other tool
EXIT_PIPE_CLOSED = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); the exit status.

    When the reader of standard output (or of standard error) closes its end early, as ``head``
    does, the command stops quietly with :data:`EXIT_PIPE_CLOSED`: no traceback, no message (there
    is nobody to read it), files it finished stay written. SIGPIPE itself stays ignored, as Python
    sets it: a provider's HTTP connection closed by the server must be an error, not a silent death.
    """
    try:
        try:
            code = _main(argv)
        except SystemExit:  # argparse's --help, --version and usage errors: its text is still in the buffer
            _flush(sys.stdout)
            raise
        # flushed here, not at exit: a closed pipe found by the interpreter's last flush is a
        # traceback-like 'Exception ignored' line and exit status 120
        _flush(sys.stdout)
        return code
    except (BrokenPipeError, OutputClosed):
        if not _silence_closed_pipes():
            raise  # not our output: some other pipe broke, which is a bug to see
        return EXIT_PIPE_CLOSED


def _flush(stream: TextIO | None) -> None:
    if stream is not None:
        stream.flush()


def _silence_closed_pipes() -> bool:
    """Point standard output and error, where their reader went away, at the null device (so
    nothing more is written there, also not by the interpreter at exit); True when one was closed."""
    import os

    closed = [fd for fd in (1, 2) if _reader_gone(fd)]
    if closed:
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in closed:
            os.dup2(null, fd)
        os.close(null)
    return bool(closed)


def _reader_gone(fd: int) -> bool:
    """True when ``fd`` is a pipe or socket whose reader closed its end (poll says error or
    hang-up); where poll is missing (Windows) a broken pipe can only be standard output's."""
    import select

    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return fd == 1
    poller = select.poll()
    try:
        poller.register(fd, select.POLLOUT)
    except (OSError, ValueError):
        return False
    events = next((ev for _fd, ev in poller.poll(0)), 0)
    return bool(events & (select.POLLERR | select.POLLHUP))


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        args_list = ["view"]  # no argument: the viewer on the bundled sample
    elif _names_a_file(args_list[0]) or args_list[0].split("=")[0] in VIEW_OPTIONS:
        # 'ocrviewer scan.jpg' opens it, as an image viewer does; 'ocrviewer --screenshot s.png' is the sample's
        args_list = ["view", *args_list]
    args: Any
    if args_list == ["view"]:
        args = _plain_view()
    else:
        parser = build_parser(args_list)
        args = parser.parse_args(args_list)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
    from ocrviewer.core.output import install_signal_cleanup, remove_pending

    warnings.showwarning = _one_line_warning  # Pillow's and others': one line of ours, not two of theirs
    # each time, not once per text: two files with the same corrupt EXIF are two lines, each naming its file
    warnings.filterwarnings("always", module=r"PIL\.")
    # SIGTERM: remove a half-written output's temporary file, then exit (until main returns)
    restore_sigterm = install_signal_cleanup()
    try:
        with _messages_off_stdout(args):
            return int(args.func(args) or 0)
    except Cancelled:
        print("ocrviewer: cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        remove_pending()  # a temporary file the interruption reached before its own clean-up
        print("ocrviewer: cancelled", file=sys.stderr)
        return 130
    except OutputClosed:
        raise  # main stops quietly
    except OcrViewerError as err:
        print(f"ocrviewer: error: {one_line(str(err))}", file=sys.stderr)
        return 1
    except OSError as err:
        if isinstance(err, BrokenPipeError):
            raise  # main stops quietly when it was our output's reader that went away
        # a file the checks before did not foresee (a name too long for the file system, a disk
        # gone): one line naming it, not a traceback
        print(f"ocrviewer: error: {error_message(err)}", file=sys.stderr)
        return 1
    finally:
        restore_sigterm()
