"""Find files under the project's ``resources/`` folder (samples, icons, desktop files).

The folder sits next to the ``ocrviewer`` package in a source checkout (and in an editable install), and at the
top of a PyInstaller bundle (``sys._MEIPASS``). ``OCRVIEWER_RESOURCES`` overrides both, for packagers who put
it elsewhere. Qt-free, so the core and the command line can use it too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ocrviewer.errors import BadInput, OcrViewerError

ENV_VAR = "OCRVIEWER_RESOURCES"


def candidate_dirs() -> list[Path]:
    """The places searched for ``resources/``, in order."""
    dirs: list[Path] = []
    override = os.environ.get(ENV_VAR)
    if override:
        dirs.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs.append(Path(bundle) / "resources")
    dirs.append(Path(__file__).resolve().parent.parent / "resources")
    return dirs


def resources_dir() -> Path:
    """The first existing ``resources/`` folder; raises ``OcrViewerError`` saying where it looked."""
    dirs = candidate_dirs()
    for d in dirs:
        if d.is_dir():
            return d
    looked = ", ".join(str(d) for d in dirs)
    raise OcrViewerError(
        f"the resources folder was not found (looked in {looked}); "
        f"run from a source checkout or set {ENV_VAR} to its path"
    )


def resource_path(*parts: str) -> Path:
    """Path of ``resources/<parts...>``; it may not exist (check before use)."""
    return resources_dir().joinpath(*parts)


def samples_dir() -> Path:
    """The bundled samples folder (images plus responses for demos with no account)."""
    return resource_path("samples")


#: file names of pictures (Pillow reads them): a folder's pages, ``compare``'s IMAGE, the Open dialog
PICTURE_SUFFIXES = (
    *(".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif"),
    *(".jp2", ".j2k", ".jpx", ".avif", ".pbm", ".pgm", ".ppm", ".pnm"),
)
#: file names the viewer opens as images (the CLI, the Open dialog, drops and the sample finder agree)
IMAGE_SUFFIXES = (*PICTURE_SUFFIXES, ".pdf")


def find_sample() -> tuple[Path, Path | None]:
    """The bundled sample image and its response (a JSON whose name starts with the image's stem)."""
    folder = samples_dir()
    # (listed, not globbed: a glob pattern is compiled to a regular expression, ~1 ms at start)
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    if not images:
        raise BadInput(f"no sample image in {folder}; pass an image: ocrviewer view IMAGE")
    for image in images:
        responses = [
            p
            for p in files
            if p.name.startswith(image.stem)
            and p.name.endswith(".json")
            and not p.name.endswith((".ocrviewer.json", "-result.json", "-workspace.json"))
        ]
        if responses:
            # prefer the local engine's response: it is what a user without an account can reproduce
            local = [p for p in responses if "local" in p.name or "rapid" in p.name]
            return image, (local or responses)[0]
    return images[0], None


def icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG, or the PNG of ``size`` pixels (16, 32, 48, 64, 128, 256, 512)."""
    if size is None:
        return resource_path("icons", "ocrviewer.svg")
    return resource_path("icons", f"ocrviewer-{size}.png")
