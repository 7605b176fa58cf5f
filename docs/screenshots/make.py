"""Regenerate the README screenshots under Xvfb (needs xvfb-run; run from the repository root).

    python docs/screenshots/make.py

Each picture is the real window (``ocrviewer view --screenshot``), saved with a 256-colour
palette so it stays small. Settings go to a throw-away folder, so your own preferences are
neither used nor changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = "1600x1000"
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1920x1200x24"]

LABELS_SCRIPT = r"""
import sys
from PySide6.QtCore import QPointF, QTimer
from ocrviewer.cli.view_cmd import find_sample
from ocrviewer.gui.app import create_app, make_settings
from ocrviewer.gui.main_window import MainWindow
from ocrviewer.gui.state import ElementRef

app = create_app()
w = MainWindow(make_settings())
w.set_theme("light")
w.resize(1600, 1000)
w.show()
image, resp = find_sample()
w.files.open_image(str(image))
w.files.open_response(str(resp))


def ready():
    if w.files.busy or not w.canvas.image_item.has_full or w.state.document is None:
        QTimer.singleShot(50, ready)
        return
    w.welcome.hide()  # the first-start strip belongs to main.png only
    w.actions_["labels"].setChecked(True)
    w.canvas.set_zoom(1.1)
    w.canvas.centerOn(QPointF(600, 900))
    w.state.set_min_confidence(0.97)
    for bi, block in enumerate(w.state.document.pages[0].blocks):
        for li, line in enumerate(block.lines):
            if line.words and line.words[0].text.startswith("Tomatoes"):
                w.state.select(ElementRef("word", 0, bi, li, 0))
    w.canvas.set_zoom(1.1)
    w.canvas.centerOn(QPointF(600, 900))
    QTimer.singleShot(300, shoot)


def shoot():
    w.canvas.viewport().repaint()
    w.grab().save(sys.argv[1])
    app.quit()


QTimer.singleShot(50, ready)
app.exec()
"""


CHECK_SCRIPT = LABELS_SCRIPT.replace(
    """    w.actions_["labels"].setChecked(True)""",
    """    w.state.set_min_confidence(0.97)
    check = w.dock_context.panels["check"]
    check.next_action.trigger()
    w.actions_["labels"].setChecked(False)
    check._entered(False)  # the first suspect is right as read: on to the next
    from ocrviewer.gui.demo_export import DemoOptions, export_demo
    export_demo(w.canvas, sys.argv[2], DemoOptions(side_by_side=True))
    QTimer.singleShot(300, shoot)
    return
    w.actions_["labels"].setChecked(True)""",
)


def shrink(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as im:
        q = im.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    q.save(path, optimize=True)
    print(f"{path.relative_to(HERE.parent.parent)}: {path.stat().st_size // 1024} KB")


def main() -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="ocrviewer-shots-"))
    view = [*XVFB, sys.executable, "-m", "ocrviewer", "view", "--size", SIZE]
    samples = HERE.parent.parent / "resources" / "samples"
    runs = {
        "main.png": [*view, "--theme", "light"],
        "raw-frame-dark.png": [
            *view,
            str(samples / "receipt.jpg"),
            "--response",
            str(samples / "receipt.yandex-raw-frame.json"),
            "--theme",
            "dark",
        ],
    }
    # after the first picture, the welcome strip over the sample counts as dismissed
    seen = dict(env, XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="ocrviewer-shots-"))
    ini = Path(seen["XDG_CONFIG_HOME"]) / "ocrviewer" / "ocrviewer.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text("[welcome]\ndismissed=true\n", encoding="utf-8")
    for name, cmd in runs.items():
        subprocess.run([*cmd, "--screenshot", str(HERE / name)], env=env if name == "main.png" else seen, check=True)
        shrink(HERE / name)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(LABELS_SCRIPT)
    out = HERE / "labels-threshold.png"
    subprocess.run([*XVFB, sys.executable, script.name, str(out)], env=env, check=True)
    os.unlink(script.name)
    shrink(out)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(CHECK_SCRIPT)
    out, slide = HERE / "check.png", HERE / "slide.png"
    subprocess.run([*XVFB, sys.executable, script.name, str(out), str(slide)], env=env, check=True)
    os.unlink(script.name)
    shrink(out)
    shrink(slide)
    return 0


if __name__ == "__main__":
    sys.exit(main())
