"""Smoke test of the PyInstaller bundle in dist/ocrviewer (slow: skipped unless a current bundle is there or asked for).

bash packaging/build.sh && python -m pytest tests/packaging -m bundle -q     # test an existing build
OCRVIEWER_TEST_BUNDLE=1 python -m pytest tests/packaging -m bundle -q        # (re)build it first if needed
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ocrviewer

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "ocrviewer"
EXE = BUNDLE / ("ocrviewer.exe" if sys.platform.startswith("win") else "ocrviewer")

pytestmark = [pytest.mark.bundle, pytest.mark.slow]


def _newest_source_change() -> float:
    """When the bundle's inputs last changed: the package, resources and the spec."""
    inputs = [*(ROOT / "ocrviewer").rglob("*.py"), *(ROOT / "resources").rglob("*")]
    inputs += [ROOT / "packaging" / n for n in ("ocrviewer.spec", "launcher.py", "bundle_licenses.py")]
    inputs += [*(ROOT / "packaging" / "licenses").glob("*")]
    return max(p.stat().st_mtime for p in inputs if p.is_file())


@pytest.fixture(scope="module")
def bundle() -> Path:
    """The built bundle. With OCRVIEWER_TEST_BUNDLE=1 it is (re)built here when missing or older than the source;
    otherwise a missing or stale bundle skips these tests (a leftover build is not a failure of the code)."""
    asked = os.environ.get("OCRVIEWER_TEST_BUNDLE") == "1"
    how = "build it with 'bash packaging/build.sh' or set OCRVIEWER_TEST_BUNDLE=1"
    if not EXE.exists():
        reason = f"no bundle at dist/ocrviewer: {how}"
    elif EXE.stat().st_mtime < _newest_source_change():
        reason = f"dist/ocrviewer is older than the source: re{how}"
    else:
        return BUNDLE
    if not asked:
        pytest.skip(reason)
    build = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh")], capture_output=True, text=True, timeout=1800
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return BUNDLE


def _internal(bundle: Path) -> Path:
    return bundle / "_internal" if (bundle / "_internal").is_dir() else bundle


def test_bundle_reports_the_package_version(bundle: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([str(EXE), "--version"], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ocrviewer {ocrviewer.__version__}", (
        "stale bundle? rebuild: bash packaging/build.sh"
    )


def test_bundle_carries_models_plugins_and_keyring_backends(bundle: Path) -> None:
    inside = _internal(bundle)
    assert (inside / "resources" / "icons" / "ocrviewer.svg").is_file()
    assert list(inside.glob("keyring-*.dist-info/entry_points.txt")), "keyring's entry points are missing"
    if sys.platform.startswith("linux"):
        plugins = inside / "PySide6" / "Qt" / "plugins"
        present = {p.relative_to(plugins).as_posix() for p in plugins.rglob("*.so")}
        wanted = {"platforms/libqxcb.so", "platforms/libqoffscreen.so", "platforms/libqwayland.so"}
        wanted |= {f"imageformats/libq{f}.so" for f in ("jpeg", "tiff", "webp", "svg")}
        wanted |= {"iconengines/libqsvgicon.so"}
        assert wanted <= present, f"Qt plugins missing: {sorted(wanted - present)}"
        unwanted = {"platforminputcontexts/libqtvirtualkeyboardplugin.so", "platformthemes/libqgtk3.so"}
        unwanted |= {"imageformats/libqpdf.so", "tls/libqopensslbackend.so", "networkinformation/libqglib.so"}
        assert not unwanted & present
        # What the desktop provides (fontconfig reads the host's config, libdbus talks to its bus), GTK (only
        # the dropped theme plugin needed it), GNU readline (GPL-3.0) and OpenCV's own Qt 5 platform plugin.
        shipped = {p.name for p in inside.iterdir()}
        for name in (
            "libfontconfig.so.1",
            "libfreetype.so.6",
            "libdbus-1.so.3",
            "libgtk-3.so.0",
            "libreadline.so.8",
        ):
            assert name not in shipped, f"{name} is in the bundle"
        assert not (inside / "cv2" / "qt").exists()
        dangling = [p.name for p in inside.rglob("*") if p.is_symlink() and not p.exists()]
        assert not dangling, f"links to libraries left out: {dangling}"
    listing = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller.utils.cliutils.archive_viewer",
            "--list",
            "--recursive",
            str(EXE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if listing.returncode != 0:
        pytest.skip(
            f"cannot list the bundle's modules (PyInstaller missing?): {listing.stderr.strip()[-200:]}"
        )
    modules = {
        line.rsplit(",", 1)[-1].strip().strip("')") for line in listing.stdout.splitlines() if "," in line
    }
    assert {
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.kwallet",
    } <= modules
    # Every module of the app is inside, also those only named in strings (registry, COMMAND_MODULES).
    source = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "ocrviewer").rglob("*.py")
    }
    missing = sorted(source - modules)
    assert not missing, f"not in the bundle (stale build? rebuild with bash packaging/build.sh): {missing}"
    # find_spec, not import: importing the engine loads cv2, which changes this process's environment.
    if importlib.util.find_spec("rapidocr_onnxruntime") is not None:
        assert len(list((inside / "rapidocr_onnxruntime" / "models").glob("*.onnx"))) == 3
        assert (inside / "rapidocr_onnxruntime" / "config.yaml").is_file()


def test_smoke_script_passes(bundle: Path, tmp_path: Path) -> None:
    env = dict(os.environ, TMPDIR=str(tmp_path))
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "smoke_test.sh"), str(bundle)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke: all checks passed" in result.stdout


def test_install_desktop_puts_a_working_menu_entry_under_the_prefix(bundle: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    env = dict(os.environ, PREFIX=str(prefix))
    script = str(ROOT / "packaging" / "install-desktop.sh")
    installed = subprocess.run(["bash", script], capture_output=True, text=True, timeout=300, env=env)
    assert installed.returncode == 0, installed.stderr
    desktop = prefix / "share" / "applications" / "io.github.ocrviewer.OcrViewer.desktop"
    assert f"Exec={prefix}/bin/ocrviewer view %f" in desktop.read_text(encoding="utf-8")
    assert (
        prefix / "share" / "icons" / "hicolor" / "256x256" / "apps" / "io.github.ocrviewer.OcrViewer.png"
    ).is_file()
    version = subprocess.run(
        [str(prefix / "bin" / "ocrviewer"), "--version"], capture_output=True, text=True, timeout=300
    )
    assert version.stdout.strip() == f"ocrviewer {ocrviewer.__version__}"
    removed = subprocess.run(
        ["bash", script, "--uninstall"], capture_output=True, text=True, timeout=300, env=env
    )
    assert removed.returncode == 0, removed.stderr
    assert not desktop.exists() and not (prefix / "bin" / "ocrviewer").exists()


def test_bundle_views_a_pdf_page_through_pdfium(bundle: Path, tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(page).rectangle((50, 50, 250, 120), fill="black")
    pdf, shot = tmp_path / "page.pdf", tmp_path / "view.png"
    page.save(pdf)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [str(EXE), "view", str(pdf), "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    with Image.open(shot) as picture:
        assert picture.width > 600 and picture.height > 300
        # The page is drawn: its 200x70 black box is far more dark pixels than the window's own text.
        dark = sum(picture.convert("L").histogram()[:20])
        assert dark > 8000, f"only {dark} dark pixels: the PDF page was not drawn"


def test_bundle_ships_the_licence_notice_of_what_it_carries(bundle: Path) -> None:
    notice = (bundle / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    rows = re.findall(r"^(\S+) +\S+ +.*\[(?:PyPI|Python|Debian package)\]$", notice, re.M)
    listed = {name.lower() for name in rows}
    for name in (
        "pyside6_essentials",
        "shiboken6",
        "lxml",
        "pikepdf",
        "pypdfium2",
        "rapidfuzz",
        "uniseg",
        "rich",
    ):
        assert name in listed, f"{name} missing from the notice's list"
    if importlib.util.find_spec("rapidocr_onnxruntime") is not None:
        assert {"rapidocr-onnxruntime", "onnxruntime", "opencv-python"} <= listed
    # Left out of the bundle, so not in the notice either.
    assert not {"matplotlib", "pytest", "hypothesis", "jiwer", "reportlab", "pygments", "ocrviewer"} & listed
    assert "Permission is hereby granted" in notice  # the texts follow the list
    # every Python distribution's own licence text, the LGPL's (with the GPL it extends) for Qt among them
    rows = re.findall(r"^(Python standard library|\S+) +(\S+) +.*\[(?:PyPI|Python)\]$", notice, re.M)
    bare = [name for name, version in rows if f"\n{name} {version}: " not in notice]
    assert not bare, f"no licence text in the notice for {bare}"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in notice and "Version 3, 29 June 2007" in notice


def test_bundle_reopens_a_saved_workspace(bundle: Path, tmp_path: Path) -> None:
    """A workspace saved by this source tree opens in the bundle: two results on the sample, one the truth."""
    from ocrviewer.core.imageio import read_image_info
    from ocrviewer.core.loading import load_result
    from ocrviewer.core.workspace import Result, SourceRef, Workspace, page_for
    from ocrviewer.resources import samples_dir

    image = tmp_path / "receipt.jpg"
    image.write_bytes((samples_dir() / "receipt.jpg").read_bytes())
    responses = []
    for name in ("receipt.local.json", "receipt.yandex-raw-frame.json"):
        (tmp_path / name).write_bytes((samples_dir() / name).read_bytes())
        responses.append(tmp_path / name)
    ws = Workspace()
    ws.set_source(SourceRef(str(image), "image"), [page_for(image, read_image_info(image))])
    ws.add_result(0, Result.from_loaded(load_result(responses[1], image), role="truth"), show=False)
    ws.add_result(0, Result.from_loaded(load_result(responses[0], image)))
    saved = ws.save(tmp_path / "receipt.ocrviewer-workspace.json")
    shot = tmp_path / "workspace.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [str(EXE), "view", str(saved), "--screenshot", str(shot), "--size", "1200x800"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    from PIL import Image

    with Image.open(shot) as picture:
        assert picture.size == (1200, 800)
        # The photo is drawn: the middle of the window has a photo's many colours, not an empty canvas's few.
        colours = picture.convert("RGB").crop((400, 200, 800, 600)).getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 1000, f"{len(colours)} colours: the workspace's image was not drawn"


def _run_bundle(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], input=stdin, capture_output=True, text=True, timeout=300, env=env
    )


def test_bundle_reads_every_image_format_and_tiff_pages(bundle: Path, tmp_path: Path) -> None:
    """What `view --help` promises: JPEG, PNG, TIFF (multi-page), BMP, WebP, GIF, JPEG 2000, AVIF, PNM."""
    from PIL import Image, ImageDraw, features

    page = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(page).rectangle((50, 50, 250, 120), fill="black")
    suffixes = [".jpg", ".png", ".bmp", ".webp", ".gif", ".ppm"]
    suffixes += [".jp2"] * features.check("jpg_2000") + [".avif"] * features.check("avif")
    for suffix in suffixes:
        page.save(tmp_path / f"page{suffix}")
    tiff = tmp_path / "scan.tiff"
    page.save(
        tiff, save_all=True, append_images=[Image.new("L", (400, 500), 255)], compression="tiff_deflate"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for suffix in suffixes:
        info = _run_bundle(["info", str(tmp_path / f"page{suffix}")], env)
        assert info.returncode == 0, f"{suffix}: {info.stderr}"
        assert "stored size: 600x300" in info.stdout, f"{suffix}: {info.stdout}"
    info = _run_bundle(["info", str(tiff)], env)
    assert info.returncode == 0, info.stderr
    assert "2 page(s)" in info.stdout and "page 2: 400x500" in info.stdout, info.stdout
    dark = []
    for number in (1, 2):  # page 1 has the black box, page 2 is blank: the box's pixels tell them apart
        shot = tmp_path / f"tiff-{number}.png"
        view = _run_bundle(["view", str(tiff), "--page", str(number), "--screenshot", str(shot)], env)
        assert view.returncode == 0, view.stderr
        with Image.open(shot) as picture:
            dark.append(sum(picture.convert("L").histogram()[:20]))
    assert dark[0] - dark[1] > 3000, f"dark pixels {dark}: the TIFF's pages were not drawn, each on its own"


def test_bundle_writes_screenshots_through_qts_image_format_plugins(bundle: Path, tmp_path: Path) -> None:
    """The WebP, TIFF and JPEG plugins the bundle carries load and write (not only are present)."""
    from PIL import Image

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for suffix, pil_format in ((".webp", "WEBP"), (".tif", "TIFF"), (".jpg", "JPEG")):
        shot = tmp_path / f"shot{suffix}"
        result = _run_bundle(["view", "--screenshot", str(shot), "--size", "800x600"], env)
        assert result.returncode == 0, result.stderr
        with Image.open(shot) as picture:
            assert picture.format == pil_format and picture.size == (800, 600)


def test_bundle_viewer_runs_the_offline_engine_under_x11(bundle: Path, tmp_path: Path) -> None:
    """The viewer (xcb, as on a desktop) recognizes the sample with the engine, whose OpenCV brings its own Qt 5
    and sets QT_QPA_PLATFORM_PLUGIN_PATH: neither reaches the viewer, even when the user's environment already
    points into a cv2 folder."""
    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        pytest.skip("built without the offline engine")
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed (apt-get install xvfb)")
    from PIL import Image

    from ocrviewer.resources import samples_dir

    image = tmp_path / "photo.jpg"
    image.write_bytes((samples_dir() / "receipt.jpg").read_bytes())
    cache, shot = tmp_path / "cache", tmp_path / "x11.png"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="xcb",
        QT_QPA_PLATFORM_PLUGIN_PATH=str(tmp_path / "cv2" / "qt" / "plugins"),
        OCRVIEWER_CACHE_DIR=str(cache),
    )
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(EXE), "view", str(image)]
        + ["--provider", "local", "--screenshot", str(shot), "--size", "1200x800"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "qt.qpa.plugin" not in result.stderr and "Could not load" not in result.stderr, result.stderr
    assert list(cache.rglob("*.json")), "the engine did not run: nothing in the cache"
    with Image.open(shot) as picture:
        assert picture.size == (1200, 800)


def test_bundle_keeps_keys_in_the_secret_service_or_says_in_one_line_why_not(
    bundle: Path,
    tmp_path: Path,
    secret_service,  # noqa: ANN001
) -> None:
    """keyring finds its Secret Service backend in the bundle (entry points); with no D-Bus session the key is
    refused in one line and written nowhere."""
    from ocrviewer.providers.credentials import SERVICE

    key = "bundle-key-4242424242"
    stored = _run_bundle(["credentials", "set", "azure"], dict(os.environ), stdin=key + "\n")
    assert stored.returncode == 0, stored.stderr
    assert secret_service.stored(SERVICE, "azure.key") == [key.encode()]
    providers = _run_bundle(["providers"], dict(os.environ))
    assert key not in providers.stdout + providers.stderr
    deleted = _run_bundle(["credentials", "delete", "azure"], dict(os.environ))
    assert deleted.returncode == 0, deleted.stderr
    assert secret_service.stored(SERVICE, "azure.key") == []

    no_bus = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    no_bus["XDG_RUNTIME_DIR"] = str(tmp_path / "run")  # no session bus socket there either
    (tmp_path / "run").mkdir(mode=0o700)
    refused = _run_bundle(["credentials", "set", "azure"], no_bus, stdin=key + "\n")
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "no usable system keyring" in lines[0] and "OCRVIEWER_AZURE_KEY" in lines[0]
    home = Path(os.environ["HOME"])
    holding = [
        p for p in [*home.rglob("*"), *tmp_path.rglob("*")] if p.is_file() and key.encode() in p.read_bytes()
    ]
    assert holding == []
