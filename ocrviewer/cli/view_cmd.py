"""``ocrviewer view``: the desktop viewer, or one screenshot of it for docs and tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocrviewer.errors import BadInput, missing_file
from ocrviewer.resources import IMAGE_SUFFIXES, find_sample

if TYPE_CHECKING:
    import argparse

__all__ = ["DEFAULTS", "IMAGE_SUFFIXES", "find_sample", "register", "run"]

#: ``ocrviewer view``'s options when none is given: the parser's defaults, and what ``ocrviewer``
#: and ``ocrviewer view`` alone run with (without argparse: ``ocrviewer.cli.main``)
DEFAULTS: dict[str, Any] = {
    "image": None,
    "response": None,
    "provider": None,
    "frame": "auto",
    "screenshot": None,
    "size": (1400, 900),
    "theme": None,
    "page": 1,
}


def _size(text: str) -> tuple[int, int]:
    import argparse

    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"size must look like 1400x900, not {text!r}") from err
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"size {text} is out of range (200..10000 per side)")
    return w, h


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "view",
        help="open the viewer (no IMAGE: the bundled sample)",
        description="Open the desktop viewer. Without IMAGE it shows the bundled sample image and response. "
        "Close it with its close button or Ctrl+Q; Ctrl+C or kill in the terminal close it the same way.",
    )
    p.add_argument(
        "image",
        nargs="?",
        metavar="IMAGE",
        help="image file (JPEG, PNG, TIFF, BMP, WebP, GIF, JPEG 2000, AVIF, PNM), a PDF, a multi-page TIFF or a folder of images "
        "(one document of pages), "
        "a batch's OUTDIR (its pages listed worst first) or a saved workspace (.ocrviewer-workspace.json)",
    )
    p.add_argument(
        "-r",
        "--response",
        metavar="RESP",
        help="a saved OCR response to place on the image (on a document, each of its pages on its page)",
    )
    p.add_argument(
        "--provider", metavar="NAME", help="run recognition with this provider once the image is open"
    )
    p.add_argument(
        "--frame",
        choices=("auto", "display", "raw"),
        default=DEFAULTS["frame"],
        help="the frame the response's coordinates are in (default: detect)",
    )
    p.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="save a picture of the window once loaded, then exit (PNG; .jpg, .webp, .tif or .bmp by the name)",
    )
    p.add_argument(
        "--size", type=_size, default=DEFAULTS["size"], metavar="WxH", help="window size for --screenshot"
    )
    p.add_argument("--theme", choices=("system", "light", "dark"), help="colour theme for this run")
    p.add_argument(
        "--page",
        type=int,
        default=DEFAULTS["page"],
        metavar="N",
        help="page of a PDF, multi-page TIFF or folder to show first (default 1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace | Any) -> int:
    """Open the viewer as ``args`` (the parsed options, or an object with :data:`DEFAULTS`' names) say."""
    image, response = args.image, args.response
    if image is None and response is None:
        sample, sample_response = find_sample()
        image = str(sample)
        response = str(sample_response) if sample_response and not args.provider else None
    if image is not None and not (Path(image).is_file() or Path(image).is_dir()):
        raise BadInput(missing_file(image, "image file or folder"))
    if response is not None and not Path(response).is_file():
        raise BadInput(f"{response}: no such response file; check the path")
    for path, what in ((image, "image"), (response, "response")):
        # said here, as a missing file is: the window would open only to say it
        if path is not None and Path(path).is_file() and not os.access(path, os.R_OK):
            raise BadInput(
                f"{path}: cannot read the {what} (permission denied); check the file's permissions"
            )
    if args.page < 1:
        raise BadInput(f"--page {args.page}: pages count from 1; give 1 or more")
    if args.provider:
        from ocrviewer.providers.base import provider_names  # only then: the viewer's start stays light

        if args.provider not in provider_names():
            raise BadInput(
                f"--provider {args.provider!r}: unknown provider; choose one of {', '.join(provider_names())}"
            )

    _check_display(bool(args.screenshot))
    if args.screenshot:
        from ocrviewer.core.output import check_output
        from ocrviewer.core.sidecar import sidecar_path

        inputs = [p for p in (image, response) if p]
        check_output(args.screenshot, [*inputs, *(sidecar_path(p) for p in inputs)])

    try:
        from ocrviewer.gui.app import ViewRequest, run_viewer
    except ImportError as err:
        raise _import_failure(err) from err

    request = ViewRequest(
        image=image,
        response=response,
        provider=args.provider,
        frame=args.frame,
        screenshot=args.screenshot,
        size=args.size,
        theme=args.theme,
        page=args.page,
    )
    return run_viewer(request)


def _check_display(screenshot: bool) -> None:
    """On Linux and the BSDs without a display (an ssh session, a service, a container), or with one
    named that nothing answers at (DISPLAY=:97 with no X server there), Qt aborts the process with
    five lines about its xcb plugin. A screenshot needs none: it is drawn offscreen; a window gets
    one line saying what to do. QT_QPA_PLATFORM=wayland (or xcb) counts only that kind of display;
    a stale WAYLAND_DISPLAY in an X session (Qt would try it first, and say so in two lines) is
    passed over for X."""
    import os

    if sys.platform in ("darwin", "win32"):
        return
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    kinds = {p.split(":")[0].strip() for p in platform.split(";") if p.strip()}
    if kinds - {"xcb", "wayland", "wayland-egl"}:
        return  # offscreen, eglfs, vnc...: no display server to check
    x11, wayland = os.environ.get("DISPLAY"), os.environ.get("WAYLAND_DISPLAY")
    wants_x = not kinds or "xcb" in kinds
    wants_wayland = not kinds or bool(kinds & {"wayland", "wayland-egl"})
    if kinds and not wants_x:
        wayland = wayland or "wayland-0"  # libwayland's default
        x11 = None
    elif kinds and not wants_wayland:
        wayland = None
    if not x11 and not wayland:
        asked = f"QT_QPA_PLATFORM={platform} asks for X, but " if kinds else ""
        problem = f"{asked}no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    else:
        x_up = bool(x11) and _x_display_answers(x11)  # type: ignore[arg-type]
        wayland_up = bool(wayland) and _wayland_display_answers(wayland)  # type: ignore[arg-type]
        if wayland_up or x_up:
            _check_platform_plugins(
                "wayland" if wayland_up else "xcb",
                # X after a Wayland that cannot be used, as Qt tries it
                "xcb" if wayland_up and x_up else None,
                # a WAYLAND_DISPLAY left from another session: X it is, without Qt's lines about it
                bool(wayland) and not wayland_up and not kinds,
                screenshot,
            )
            return
        named = [f"{n}={v}" for n, v in (("DISPLAY", x11), ("WAYLAND_DISPLAY", wayland)) if v]
        asked = f"QT_QPA_PLATFORM={platform}: " if kinds else ""
        problem = f"{asked}no display answers at {' and '.join(named)} (is its server running?)"
        if kinds and not wants_x and os.environ.get("DISPLAY"):
            problem += "; in an X session unset QT_QPA_PLATFORM"
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # this process only: it exits after the picture
        return
    raise BadInput(
        f"{problem}; start X or run it in a desktop session (ssh -X for forwarding) and set DISPLAY, "
        "or use --screenshot OUT.png or QT_QPA_PLATFORM=offscreen (drawn without a display) or 'ocrviewer render'"
    )


def _check_platform_plugins(first: str, then: str | None, name_it: bool, screenshot: bool) -> None:
    """Qt's platform plugin for the display found (``first``; ``then``, X, where Qt would fall back to
    it) must load: a system library it needs and the install lacks (libxcb-cursor0 on a stock Ubuntu)
    made Qt abort with five lines. A screenshot is drawn offscreen instead; a window gets one line
    naming the package. ``name_it``: set QT_QPA_PLATFORM to the plugin used."""
    import os

    from ocrviewer.cli.qt_libraries import notify_desktop, plugin_problem, qt_problem

    problem = qt_problem()  # (a library all of Qt needs: no platform helps)
    if problem is not None:
        notify_desktop(problem)
        raise BadInput(problem)
    problem = plugin_problem(first)
    if problem is None:
        if name_it:
            os.environ["QT_QPA_PLATFORM"] = first
        return
    if then is not None and plugin_problem(then) is None:
        os.environ["QT_QPA_PLATFORM"] = then
        return
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return
    notify_desktop(problem)
    raise BadInput(f"{problem} (or use --screenshot OUT.png or 'ocrviewer render', which need no display)")


def _import_failure(err: ImportError) -> BadInput:
    """PySide6 (or a system library Qt needs, GLib on a minimal install) missing: one line saying
    what to install, not a traceback."""
    from ocrviewer.cli.qt_libraries import missing_library, missing_library_line

    soname = missing_library(str(err))
    if soname is not None:
        return BadInput(missing_library_line(soname, "the viewer (Qt)"))
    if (err.name or "").split(".")[0] in ("PySide6", "shiboken6"):
        return BadInput(
            f"the viewer cannot start: {err}; install it with 'bash scripts/install' in the checkout "
            "(or 'pip install PySide6' in this Python)"
        )
    return BadInput(f"the viewer cannot start: {err}")


def _connects(family: int, address: str | tuple[str, int], timeout: float | None = None) -> bool | None:
    """Whether a stream socket connects (True), is refused or absent (False), or neither is known (None).
    ``_socket``, not ``socket``: the module costs ~2 ms to import, the C one ~0.2 ms."""
    import _socket

    try:
        sock = _socket.socket(family, _socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        if timeout is not None:
            sock.settimeout(timeout)
        sock.connect(address)
        return True
    except (FileNotFoundError, ConnectionRefusedError):
        return False
    except OSError:  # a permission, a time-out, a name that does not resolve: let Qt say
        return None
    finally:
        sock.close()


def _x_display_answers(display: str) -> bool:
    """Whether an X server listens where DISPLAY points, tried as Xlib/xcb would ('[proto/]host:N[.S]':
    no host or 'unix', the abstract then the file socket /tmp/.X11-unix/XN; a host, TCP port 6000+N).
    Only a definite 'nothing there' is False: anything unusual is left to Qt, never refused."""
    import _socket
    import re

    match = re.fullmatch(r"(?:([a-z0-9]+)/)?([^:/]*):(\d+)(?:\.\d+)?", display)
    if not match:
        return True  # a form not understood here (XQuartz's socket path...): Qt decides
    protocol, host, number = match.group(1), match.group(2), int(match.group(3))
    if protocol in (None, "unix") and host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        if sys.platform.startswith("linux") and _connects(_socket.AF_UNIX, "\0" + path) is True:
            return True
        return _connects(_socket.AF_UNIX, path) is not False
    if host in ("", "unix", "localhost") or re.fullmatch(r"[\d.]+", host):  # no name to look up
        return _connects(_socket.AF_INET, (host or "127.0.0.1", 6000 + number), timeout=0.5) is not False
    return True


def _wayland_display_answers(name: str) -> bool:
    """Whether a compositor listens on WAYLAND_DISPLAY (a socket in XDG_RUNTIME_DIR, or a path)."""
    import _socket
    import os

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not os.path.isabs(name):
        if not runtime:
            return False  # libwayland refuses to connect without it
        name = os.path.join(runtime, name)
    return _connects(_socket.AF_UNIX, name) is not False
