"""Render resources/icons/ocrviewer.svg into the PNG sizes desktops ask for, plus ocrviewer.ico (Windows
executables) and ocrviewer.icns (the macOS app).

Run after editing the SVG:  python packaging/render_icons.py
Uses PySide6's QSvgRenderer offscreen and Pillow, so it needs no display and no extra tools.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(svg: Path, size: int, out: Path) -> None:
    """Draw ``svg`` into a transparent ``size`` x ``size`` PNG at ``out``."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG; fix it and run again")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"render_icons: could not write {out}")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts/painting need it)
    svg = ICON_DIR / "ocrviewer.svg"
    for size in SIZES:
        out = ICON_DIR / f"ocrviewer-{size}.png"
        render(svg, size, out)
        print(f"{out.relative_to(ICON_DIR.parent.parent)}  {size}x{size}")
    # Each size drawn from the SVG (not downscaled from one picture), so small icons stay sharp.
    renders = {}
    for size in sorted(set(ICO_SIZES) | {1024}):
        tmp = ICON_DIR / f".render-{size}.png"
        render(svg, size, tmp)
        with Image.open(tmp) as picture:
            renders[size] = picture.convert("RGBA")
        tmp.unlink()
    ico = ICON_DIR / "ocrviewer.ico"
    largest = renders[max(ICO_SIZES)]
    others = [renders[s] for s in ICO_SIZES if s != max(ICO_SIZES)]
    largest.save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=others)
    print(f"{ico.relative_to(ICON_DIR.parent.parent)}  {', '.join(map(str, ICO_SIZES))}")
    icns = ICON_DIR / "ocrviewer.icns"
    renders[1024].save(icns)
    print(f"{icns.relative_to(ICON_DIR.parent.parent)}  16-1024")
    return 0


if __name__ == "__main__":
    sys.exit(main())
