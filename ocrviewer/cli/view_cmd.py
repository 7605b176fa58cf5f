"""``ocrviewer view``: the desktop viewer, or one screenshot of it for docs and tests."""

from __future__ import annotations

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
        description="Open the desktop viewer. Without IMAGE it shows the bundled sample image and response.",
    )
    p.add_argument(
        "image",
        nargs="?",
        metavar="IMAGE",
        help="image file (JPEG, PNG, TIFF, BMP, WebP), a PDF or a folder of images (one document of pages), "
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
        "--screenshot", metavar="OUT.png", help="save a picture of the window once loaded, then exit"
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
        help="page of a PDF or folder to show first (default 1)",
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

    from ocrviewer.gui.app import ViewRequest, run_viewer

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
    """On Linux and the BSDs without a display (an ssh session, a service, a container), Qt aborts
    the process with five lines about its xcb plugin. A screenshot needs none: it is drawn offscreen;
    a window gets one line saying what to do."""
    import os

    if sys.platform in ("darwin", "win32") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # this process only: it exits after the picture
        return
    raise BadInput(
        "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); run it in a "
        "desktop session, or use --screenshot OUT.png (drawn without a display) or 'ocrviewer render'"
    )
