"""Creating the QApplication and running the viewer (interactive or for one screenshot)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from ocrviewer import __version__
from ocrviewer.errors import BadInput, one_line
from ocrviewer.gui.theme import FUSION_PROPERTY

ORG = "ocrviewer"
APP = "ocrviewer"
SCREENSHOT_TIMEOUT_S = 180.0


def sanitize_qt_env(environ: dict[str, str] | None = None) -> list[str]:
    """Drop Qt plugin/font paths that opencv-python's cv2 points at its own Qt build.

    Importing cv2 (RapidOCR needs it) can leave QT_QPA_PLATFORM_PLUGIN_PATH pointing into cv2's
    folder; PySide6 would then load cv2's incompatible xcb plugin and abort. Returns the names removed.
    """
    env = os.environ if environ is None else environ
    removed = []
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        value = env.get(name)
        if value and "cv2" in Path(value).parts:
            del env[name]
            removed.append(name)
    return removed


def utf8_ctype(environ: dict[str, str] | None = None) -> bool:
    """Give this process a UTF-8 character type where the locale's is not (LC_ALL=C, an ASCII or
    Latin-1 locale), as Qt would itself, but without its four lines of warning at every start;
    file names with non-ASCII letters keep working. Every other category (messages, numbers,
    dates) stays as the user set it. Returns whether anything was changed."""
    import locale

    env = os.environ if environ is None else environ
    if sys.platform in ("darwin", "win32"):
        return False
    try:
        locale.setlocale(locale.LC_CTYPE, "")
        codeset = locale.nl_langinfo(locale.CODESET)
    except (locale.Error, AttributeError):
        codeset = ""
    if codeset.replace("-", "").lower() == "utf8":
        return False
    value = env.pop("LC_ALL", None)
    if value:  # LC_ALL overrides every category: hand its value to each but the character type
        for name in ("LC_COLLATE", "LC_MESSAGES", "LC_MONETARY", "LC_NUMERIC", "LC_TIME"):
            env[name] = value
    env["LC_CTYPE"] = "C.UTF-8"
    try:
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
    except locale.Error:
        pass
    return True


def create_app(argv: list[str] | None = None, icon: bool = True) -> QApplication:
    """The QApplication (reused if one exists), named so QSettings has a home, in INI format, with
    the window icon (``icon=False``: the caller sets it later, see :func:`set_window_icon`)."""
    sanitize_qt_env()
    if QApplication.instance() is None:
        utf8_ctype()
    app = QApplication.instance()
    if app is None:
        # in the Fusion style from the start (the themes' style: see gui.theme.FUSION_PROPERTY)
        app = QApplication([*(argv if argv is not None else [sys.argv[0]]), "-style", "Fusion"])
        app.setProperty(FUSION_PROPERTY, True)
    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    QCoreApplication.setApplicationVersion(__version__)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    if isinstance(app, QApplication):
        if icon:
            set_window_icon(app)
        app.setDesktopFileName("io.github.ocrviewer.OcrViewer")
    return app  # type: ignore[return-value]


def set_window_icon(app: QApplication) -> None:
    """The application's window icon (every window's, also those already shown). It costs ~3 ms
    at start (QIcon's set-up with its 151-member ``ThemeIcon`` enum, Qt's SVG icon engine plugin
    and QtSvg loaded): ``run_viewer`` sets it after the first frame."""
    try:
        from PySide6.QtGui import QIcon

        from ocrviewer.resources import icon_path

        icon = icon_path()
        if icon.is_file():
            app.setWindowIcon(QIcon(str(icon)))
    except Exception:  # an icon is decoration; never fail start-up over it
        pass


def make_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, APP)


def settings_unwritable(settings: QSettings) -> str | None:
    """Why the settings file cannot be written (a read-only home, an unwritable XDG_CONFIG_HOME),
    as a line for the window, or None when it can. Nothing is created to find out."""
    path = Path(settings.fileName())
    folder = path.parent
    if path.exists():
        ok = os.access(path, os.W_OK) and os.access(folder, os.W_OK)
    else:
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # the folder the missing ones would be made in
        ok = folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
    if ok:
        return None
    return (
        f"settings will not be saved: {folder} is not writable (layout, theme and recent files "
        "are kept for this run only); make it writable or set XDG_CONFIG_HOME to a writable folder"
    )


class _QuitOnSignals:
    """SIGTERM (a logout, `kill`, a service manager) and SIGINT (Ctrl+C in the terminal that
    started the viewer) close the window as its close button does, saving its layout, and end the
    run with 128 + the signal's number. Python runs a signal handler only between bytecodes,
    never while Qt's event loop waits, so the signal's C handler writes to a socket
    (signal.set_wakeup_fd) that a QSocketNotifier watches: the loop wakes and the handler runs.
    :meth:`restore` puts back what was there (a test process runs many viewers)."""

    SIGNALS = ("SIGTERM", "SIGINT")

    def __init__(self, stop: Callable[[int], None]) -> None:
        import _socket  # (the C module: ``socket`` costs ~2 ms to import)
        import signal

        from PySide6.QtCore import QSocketNotifier

        self._stop = stop
        self._old_handlers: dict[int, object] = {}
        self._old_fd = -1
        self._pair: tuple[_socket.socket, _socket.socket] | None = None
        self.notifier: QSocketNotifier | None = None
        if threading.current_thread() is not threading.main_thread():
            return
        reader, writer = _socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        try:
            self._old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        except (ValueError, OSError):
            reader.close()
            writer.close()
            return
        self._pair = (reader, writer)
        self.notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._drain)
        for name in self.SIGNALS:
            number = getattr(signal, name)
            self._old_handlers[number] = signal.signal(number, self._on_signal)

    def _drain(self) -> None:  # the handler itself has run by now (Python code is executing)
        if self._pair is not None:
            try:
                while self._pair[0].recv(64):
                    pass
            except OSError:
                pass

    def _on_signal(self, signum: int, frame: object) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: self._stop(128 + signum))

    def restore(self) -> None:
        import signal

        for number, handler in self._old_handlers.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        self._old_handlers.clear()
        if self._pair is not None:
            signal.set_wakeup_fd(self._old_fd)
            if self.notifier is not None:
                self.notifier.setEnabled(False)
                self.notifier.deleteLater()
                self.notifier = None
            for sock in self._pair:
                sock.close()
            self._pair = None


class ViewRequest:
    """What the command line asked the viewer to open and how (a plain class: a dataclass's
    generated methods are compiled at every start, before the first frame)."""

    def __init__(
        self,
        image: str | None = None,
        response: str | None = None,
        provider: str | None = None,
        frame: str = "auto",
        screenshot: str | None = None,
        size: tuple[int, int] = (1400, 900),
        theme: str | None = None,
        page: int = 1,  # PDF page, 1-based
    ) -> None:
        self.image = image
        self.response = response
        self.provider = provider
        self.frame = frame
        self.screenshot = screenshot
        self.size = size
        self.theme = theme
        self.page = page


def open_request(window: object, request: ViewRequest, parsed: object = None) -> None:
    """Open what the command line asked for in ``window`` (a MainWindow); ``parsed`` is the
    response's Document when the first frame parsed it already."""
    from ocrviewer.core.workspace import is_workspace_file

    files = window.files  # type: ignore[attr-defined]
    files.frame = request.frame
    if request.image and is_workspace_file(request.image):
        files.open_workspace(request.image)  # `ocrviewer view WORKSPACE.json`
    elif request.image:
        ok = files.open_image(request.image, max(0, request.page - 1))
        if ok and request.response:
            files.open_response(request.response, request.frame, parsed=parsed)
    elif request.response:
        files.open_response(request.response, request.frame)
    if request.provider:

        def start() -> None:
            ctx = window.dock_context  # type: ignore[attr-defined]
            if ctx is None or not hasattr(ctx, "start_recognition"):
                window.show_message(  # type: ignore[attr-defined]
                    f"recognition with {request.provider} is not available in this build", "error"
                )
            elif not ctx.start_recognition(request.provider):
                window.show_message(  # type: ignore[attr-defined]
                    f"could not start recognition with {request.provider}; see the Recognition panel",
                    "error",
                )

        # with its panel: at once if the panels exist, else once they are built
        window.when_panels_ready(lambda: QTimer.singleShot(0, start))  # type: ignore[attr-defined]


def _recognition_busy(window: object) -> bool:
    """A recognition runs, or the providers are still being checked (Run greyed out, names bare)."""
    ctx = getattr(window, "dock_context", None)
    panel = ctx.panels.get("recognition") if ctx is not None else None
    busy = getattr(panel, "busy", False) if panel is not None else False
    ready = getattr(panel, "ready", True) if panel is not None else True
    return bool(busy() if callable(busy) else busy) or not ready


def is_settled(window: object) -> bool:
    """True when nothing is loading: image decoded (or failed), response placed, recognition done."""
    w = window
    if not getattr(w, "panels_ready", True) or w.files.busy:  # type: ignore[attr-defined]
        return False
    workers = getattr(w, "workers", None)
    if workers is not None and workers.busy:  # a document's thumbnails and neighbouring pages too
        return False
    if w.state.image_path and not w.canvas.image_item.has_full and w.message_bar.level != "error":  # type: ignore[attr-defined]
        return False
    return not _recognition_busy(w)


#: --screenshot's picture formats by suffix (Qt's image-format plugins; the bundle carries them)
SCREENSHOT_FORMATS = {
    **{".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".bmp": "BMP", ".webp": "WEBP"},
    **{".tif": "TIFF", ".tiff": "TIFF"},
}


def save_screenshot(window: object, out: Path, request: ViewRequest) -> Path:
    """A picture of ``window`` written through the safe writer: never over the image, the response
    or their sidecars (also those the window found by itself)."""
    from PySide6.QtCore import QBuffer, QIODevice

    from ocrviewer.core.output import write_atomic
    from ocrviewer.core.sidecar import with_sidecars

    state = window.state  # type: ignore[attr-defined]
    inputs = with_sidecars((request.image, request.response, state.image_path, state.response_path))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # the format its name says (a .webp was a PNG inside); PNG for any other name
    fmt = SCREENSHOT_FORMATS.get(out.suffix.lower(), "PNG")
    if not window.grab().save(buffer, fmt):  # type: ignore[attr-defined]
        raise BadInput(f"{out}: cannot encode the screenshot")
    buffer.close()
    return write_atomic(out, bytes(buffer.data().data()), inputs=sorted(inputs))


#: what Qt's offscreen platform (a --screenshot without a display) says at every window and dock
_OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def _quiet_offscreen_plugin() -> None:
    """Drop the offscreen platform's line about size hints (six of them before each picture, about
    nothing the user can change); every other Qt message still goes to stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode: object, context: object, message: str) -> None:
        if message != _OFFSCREEN_NOISE:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def run_viewer(request: ViewRequest) -> int:
    """Show the window; with ``request.screenshot``, save a picture of it once settled and exit."""
    from ocrviewer.gui.start_prefetch import StartPrefetch, first_frame_likely

    app = create_app(icon=False)
    if request.screenshot or app.platformName() == "offscreen":  # (also where the no-display line points)
        _quiet_offscreen_plugin()
    # fonts and the first frame's picture are loaded on a thread while the window's modules import
    prefetch = StartPrefetch()
    try:
        ahead = not request.provider and not request.theme and request.frame == "auto"
        likely = ahead and first_frame_likely(request.image, request.response)
        prefetch.decode_ahead(request.image if likely else None)
        return _run_viewer(app, request, prefetch)
    finally:
        prefetch.join()


def _run_viewer(app: QApplication, request: ViewRequest, prefetch: object) -> int:
    from ocrviewer.gui.first_frame import can_draw, first_frame_for
    from ocrviewer.gui.main_window import MainWindow

    settings = make_settings()
    from ocrviewer.gui.library_warnings import LibraryWarnings

    library_warnings = LibraryWarnings(app)
    library_warnings.install()
    # the picture with its overlay first, drawn before the window's own modules load (when its
    # placement is recorded); then the canvas, then the panels
    first = None
    if not request.provider and not request.theme and can_draw(settings):
        first = first_frame_for(request.image, request.response, request.frame)
    if first is not None:
        first.prefetch = prefetch  # type: ignore[assignment]
    if first is None:
        set_window_icon(app)  # (with a first frame: once it is painted, in open_rest)
    window = MainWindow(settings, panels_later=True, first_frame=first)
    library_warnings.show_in(window.show_message)  # 'photo.jpg: Corrupt EXIF data ...'
    unwritable = settings_unwritable(settings)
    if request.theme:
        window.set_theme(request.theme, remember=False)  # for this run only
    if request.screenshot:
        window.remember_layout = False  # a picture for the docs must not change the user's layout
        window.resize(*request.size)
    window.show()
    if first is not None:

        def open_rest() -> None:  # after the first frame (MainWindow.finish_start)
            set_window_icon(app)
            open_request(window, request, parsed=first.source)
            window.install_panels_after_paint()

        window.start_with(open_rest)
    else:
        open_request(window, request)
        window.install_panels_after_paint()
    if unwritable:
        window.when_panels_ready(lambda: window.show_message(unwritable, "warning"))
    if not request.screenshot:

        def stop_window(code: int) -> None:
            window.close()
            app.exit(code)

        signals = _QuitOnSignals(stop_window)
        try:
            return int(app.exec())
        finally:
            signals.restore()

    out = Path(request.screenshot)
    result = {"code": 0}
    deadline = time.monotonic() + SCREENSHOT_TIMEOUT_S
    settled_since: list[float] = []

    def poll() -> None:
        if "stopped" in result:  # by a signal
            return
        now = time.monotonic()
        if is_settled(window):
            settled_since.append(now)
        else:
            settled_since.clear()
        # settled for a few polls in a row (recognition may start on the next event loop turn)
        if len(settled_since) < 4 and now < deadline:
            QTimer.singleShot(50, poll)
            return
        if now >= deadline:
            print("ocrviewer: warning: gave up waiting for loading to finish", file=sys.stderr)
        app.processEvents()
        window.canvas.viewport().repaint()
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            save_screenshot(window, out, request)
        except BadInput as err:
            print(f"ocrviewer: error: {one_line(str(err))}", file=sys.stderr)
            result["code"] = 1
        else:
            if window.message_bar.level == "error" and window.message_bar.isVisible():
                print(f"ocrviewer: error: {one_line(window.message_bar.text)}", file=sys.stderr)
                result["code"] = 1
        window.close()
        loop.quit()

    # A local loop, not app.exec()/app.quit(): quitting the application would leave it unable
    # to run event loops again in the same process (tests, embedding).
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()

    def stop_picture(code: int) -> None:
        result["code"] = result["stopped"] = code
        window.close()
        loop.quit()

    signals = _QuitOnSignals(stop_picture)
    QTimer.singleShot(50, poll)
    try:
        loop.exec()
    finally:
        signals.restore()
    return result["code"]
