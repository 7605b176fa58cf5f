"""Regenerate the compare screenshots (compare-side.png, compare-wipe.png) and a demo report.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/compare.py [OUTDIR]

The "Done when" walk of the compare issue, in the real window: the bundled testdata.jpg with
Azure Form Recognizer's transcription as the ground truth, the local engine's reading as A and
a copy of the truth with four misread words as B (a made-up engine, so the picture shows both
kinds of error). Compare mode, side by side, the worst differences stepped through, the wipe,
and the HTML report the window exports. Settings go to a throw-away folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSettings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLES = ROOT / "resources" / "samples"
#: B's misreadings of the truth (word -> what B read)
B_ERRORS = {
    "pharetra": "pharctra",
    "Vestibulum": "Vestibu1um",
    "1900/01/01": "1900/0l/01",
    "dapibus": "dapibns",
}


def make_inputs(folder: Path) -> tuple[Path, Path, Path, Path]:
    image = SAMPLES / "testdata.jpg"
    truth = folder / "truth.json"
    truth.write_bytes((SAMPLES / "testdata.formrecognizer-v2.1.json").read_bytes())
    data = json.loads(truth.read_text(encoding="utf-8"))
    for page in data["analyzeResult"]["readResults"]:
        for line in page["lines"]:
            for word in line["words"]:
                word["text"] = B_ERRORS.get(word["text"], word["text"])
            line["text"] = " ".join(w["text"] for w in line["words"])
    engine_b = folder / "engine-b.json"
    engine_b.write_text(json.dumps(data), encoding="utf-8")
    engine_a = folder / "local.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ocrviewer",
            "recognize",
            str(image),
            "-p",
            "local",
            "-o",
            str(engine_a),
            "--yes",
        ],
        check=True,
    )
    return image, truth, engine_a, engine_b


def wait(condition, timeout_ms: int = 120000) -> None:  # type: ignore[no-untyped-def]
    timer = QElapsedTimer()
    timer.start()
    while not condition():
        QCoreApplication.processEvents()
        if timer.elapsed() > timeout_ms:
            raise TimeoutError("the window did not get there")


def settle(app) -> None:  # type: ignore[no-untyped-def]
    """Let the layout and the docks' animations finish before a picture."""
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < 800:
        app.processEvents()


def main() -> int:
    from ocrviewer.gui.app import create_app
    from ocrviewer.gui.compare_report import export_report
    from ocrviewer.gui.main_window import MainWindow

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    folder = Path(tempfile.mkdtemp(prefix="ocrviewer-compare-"))
    image, truth, engine_a, engine_b = make_inputs(folder)
    app = create_app()
    w = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    w.remember_layout = False
    w.set_theme("light", remember=False)
    w.resize(1600, 1000)
    w.show()
    w.files.open_image(str(image))
    wait(lambda: w.canvas.image_item.has_full)
    w.files.open_truth(str(truth))
    wait(lambda: len(w.state.results()) == 1)
    w.files.open_response(str(engine_b))
    wait(lambda: len(w.state.results()) == 2)
    w.files.open_response(str(engine_a))
    wait(lambda: len(w.state.results()) == 3 and w.state.current_result().name == "local.json")
    w.welcome.hide()
    w.message_bar.dismiss()
    for dock in w.docks:  # the left-hand panels closed: the two views get the room
        if dock.objectName() in ("recognitionDock", "frameDock"):
            dock.hide()
    w.actions_["compare_side"].setChecked(True)
    side = w.compare.views.side
    wait(lambda: side.b is not None and side.layer.statuses is not None)
    for _ in range(3):  # the worst disagreement, then the next two
        w.actions_["next_difference"].trigger()
    w.compare.list.setCurrentRow(0)
    settle(app)
    w.canvas.set_zoom(0.5)
    w.canvas.centerOn(950, 1100)
    settle(app)
    w.grab().save(str(out / "compare-side.png"))
    w.actions_["compare_side"].setChecked(False)
    w.actions_["compare_wipe"].setChecked(True)
    wait(lambda: w.compare.views.wipe.b is not None)
    settle(app)
    w.canvas.set_zoom(0.5)
    w.canvas.centerOn(950, 1100)
    w.compare.views.wipe.set_x(1300)
    settle(app)
    w.grab().save(str(out / "compare-wipe.png"))
    report = folder / "report.html"
    export_report(w, str(truth), str(report), [str(engine_a), str(engine_b)])
    wait(lambda: report.exists())
    print(f"report: {report} ({report.stat().st_size} bytes)")
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
