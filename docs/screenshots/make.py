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
from ocrviewer.gui.app import create_app, is_settled, make_settings
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
    if not is_settled(w) or not w.canvas.image_item.has_full or w.state.document is None:
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


DOCUMENT_SCRIPT = r"""
import json, random, sys, tempfile
from pathlib import Path
from PySide6.QtCore import QTimer
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from ocrviewer.gui.app import create_app, is_settled, make_settings
from ocrviewer.gui.main_window import MainWindow

TEXT = (
    "The inspector reads every page of the report and marks each word with the confidence the "
    "service gave it so a reviewer can find the weak places quickly before the document is archived"
).split()
folder = Path(tempfile.mkdtemp(prefix="ocrviewer-doc-"))
pdf, W, H = folder / "annual-report.pdf", 595.0, 842.0
c = canvas.Canvas(str(pdf), pagesize=(W, H))
rng = random.Random(14)
results = []
for p in range(12):
    c.setFont("Helvetica-Bold", 15)
    c.drawString(60, H - 70, f"Section {p + 1}")
    lines = []
    for n in range(34):
        y = 110 + 19 * n
        x, words = 60.0, []
        for k in range(rng.randint(6, 9)):
            t = TEXT[(p * 31 + n * 7 + k) % len(TEXT)]
            w = stringWidth(t, "Helvetica", 11)
            c.setFont("Helvetica", 11)
            c.drawString(x, H - y, t)
            conf = rng.uniform(0.86, 0.995) if rng.random() > 0.03 else rng.uniform(0.25, 0.7)
            box = [v / 72 for v in (x, y - 9, x + w, y - 9, x + w, y + 3, x, y + 3)]
            words.append({"boundingBox": box, "text": t, "confidence": round(conf, 3)})
            x += w + stringWidth(" ", "Helvetica", 11)
        lb = [words[0]["boundingBox"][0], words[0]["boundingBox"][1], words[-1]["boundingBox"][2]]
        lb += [words[0]["boundingBox"][1], words[-1]["boundingBox"][2], words[0]["boundingBox"][5]]
        lb += [words[0]["boundingBox"][0], words[0]["boundingBox"][5]]
        lines.append({"boundingBox": lb, "text": " ".join(w["text"] for w in words), "words": words})
    if p != 7:  # one page the service left out
        results.append({"page": p + 1, "angle": 0, "width": W / 72, "height": H / 72, "unit": "inch", "lines": lines})
    c.showPage()
c.save()
resp = folder / "annual-report.azure.json"
resp.write_text(json.dumps({"status": "succeeded", "analyzeResult": {"version": "3.2.0", "readResults": results}}))

app = create_app()
w = MainWindow(make_settings())
w.set_theme("light")
w.resize(1600, 1000)
w.show()
w.files.open_image(str(pdf))
w.files.open_response(str(resp))
stage = [0]


def ready():
    if not is_settled(w) or not w.canvas.image_item.has_full or w.state.document is None:
        QTimer.singleShot(50, ready)
        return
    if stage[0] == 0:
        stage[0] = 1
        inspector = w.dock_context.panels["inspector"]
        inspector.tabs.setCurrentIndex(2)  # Words: the whole document, worst first
        inspector.flush()
        inspector._table_clicked(inspector.words_proxy.index(0, 0))  # jumps to the worst word's page
        QTimer.singleShot(50, ready)
        return
    QTimer.singleShot(600, shoot)


def shoot():
    w.canvas.viewport().repaint()
    w.grab().save(sys.argv[1])
    app.quit()


QTimer.singleShot(50, ready)
app.exec()
"""


WORKSPACE_SCRIPT = r"""
import shutil, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from ocrviewer.cli.view_cmd import find_sample
from ocrviewer.gui.app import create_app, is_settled, make_settings
from ocrviewer.gui.main_window import MainWindow
from ocrviewer.resources import samples_dir

# the sample photo with two engines' responses and a ground truth (the local result checked by
# hand: it reads the receipt right), saved as a workspace that make.py then reopens with
# `ocrviewer view WORKSPACE`
folder = Path(sys.argv[1])
image, resp = find_sample()
image = Path(shutil.copy(image, folder / image.name))
local = Path(shutil.copy(resp, folder / resp.name))
yandex = Path(shutil.copy(samples_dir() / "receipt.yandex-raw-frame.json", folder / "receipt.yandex.json"))
truth = Path(shutil.copy(resp, folder / "receipt.ground-truth.json"))

app = create_app()
w = MainWindow(make_settings())
w.show()
w.files.open_image(str(image))
w.files.open_response(str(yandex))
steps = [lambda: w.files.open_response(str(local)), lambda: w.files.open_truth(str(truth))]


def ready():
    if not is_settled(w) or w.files.busy or w.state.document is None:
        QTimer.singleShot(50, ready)
        return
    if steps:
        steps.pop(0)()
        QTimer.singleShot(50, ready)
        return
    shown = next(r for r in w.state.results() if r.name == local.name)
    w.state.show_result(shown.id)  # the engine's result drawn, the others in the chooser
    w.files.save_workspace(str(folder / "receipt.ocrviewer-workspace.json"))
    w.remember_layout = False
    w.close()
    app.quit()


QTimer.singleShot(50, ready)
app.exec()
"""


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
        subprocess.run(
            [*cmd, "--screenshot", str(HERE / name)], env=env if name == "main.png" else seen, check=True
        )
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
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(DOCUMENT_SCRIPT)
    out = HERE / "document.png"
    subprocess.run([*XVFB, sys.executable, script.name, str(out)], env=env, check=True)
    os.unlink(script.name)
    shrink(out)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(WORKSPACE_SCRIPT)
    folder = Path(tempfile.mkdtemp(prefix="ocrviewer-workspace-"))
    subprocess.run([*XVFB, sys.executable, script.name, str(folder)], env=env, check=True)
    os.unlink(script.name)
    out = HERE / "workspace.png"
    workspace = folder / "receipt.ocrviewer-workspace.json"
    subprocess.run(
        [*view, str(workspace), "--theme", "light", "--screenshot", str(out)], env=seen, check=True
    )
    shrink(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
