"""The Linux desktop files validate with the desktop's own tools and agree with each other and the icon."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.ocrviewer.OcrViewer"
DESKTOP = ROOT / "resources" / "linux" / f"{APP_ID}.desktop"
METAINFO = ROOT / "resources" / "linux" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  (keys are case-sensitive)
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_validates() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (Debian package desktop-file-utils)")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower(), result.stdout
    # e.g. two main categories: "application might appear more than once in the application menu"
    assert "hint" not in result.stdout.lower(), result.stdout


def test_metainfo_validates() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is not installed (Debian package appstream)")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_opens_images_and_pdfs_with_the_app_icon() -> None:
    entry = _desktop_entry()
    # `ocrviewer FILE` is not a command (the first argument names a subcommand); `view` takes one image.
    assert entry["Exec"] == "ocrviewer view %f"
    assert entry["Icon"] == APP_ID
    mime = set(filter(None, entry["MimeType"].split(";")))
    assert mime == {"image/jpeg", "image/png", "image/tiff", "image/bmp", "image/webp", "application/pdf"}
    assert set(filter(None, entry["Categories"].split(";"))) >= {"Graphics", "Viewer"}


def test_metainfo_points_at_the_desktop_file_and_has_licences() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.find("content_rating") is not None
    assert root.findtext("provides/binary") == "ocrviewer"


def test_icon_svg_and_every_png_size_exist() -> None:
    assert (ICONS / "ocrviewer.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with Image.open(ICONS / "ocrviewer.ico") as ico:  # the Windows executables' icon, every size
        assert {16, 32, 48, 256} <= {w for w, _ in ico.info["sizes"]}
    with Image.open(ICONS / "ocrviewer.icns") as icns:  # the macOS app's icon
        assert icns.format == "ICNS"
    for size in (16, 32, 48, 64, 128, 256, 512):
        with Image.open(ICONS / f"ocrviewer-{size}.png") as image:
            assert image.size == (size, size)
            assert image.mode == "RGBA"
            alpha = image.getchannel("A")
            # A document shape on a transparent background: the corners are clear, the middle is drawn.
            assert alpha.getpixel((0, 0)) == 0
            assert alpha.getpixel((size // 2, size // 2)) == 255


def test_desktop_exec_line_is_a_command_the_cli_accepts() -> None:
    from ocrviewer.cli import build_parser

    program, *arguments = _desktop_entry()["Exec"].split()
    assert program == "ocrviewer"
    image = str(ROOT / "resources" / "samples" / "receipt.jpg")
    args = build_parser().parse_args([image if a in ("%f", "%F") else a for a in arguments])
    assert args.command == "view"
    assert image in {str(v) for v in vars(args).values()}


def test_the_running_app_names_its_desktop_entry(qapp) -> None:
    """On Wayland the window is matched to the menu entry (and its icon) by this name."""
    from ocrviewer.gui.app import create_app

    app = create_app()
    desktop = next((ROOT / "resources" / "linux").glob("*.desktop"))
    assert app.desktopFileName() == desktop.stem
