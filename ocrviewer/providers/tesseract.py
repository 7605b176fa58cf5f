"""Provider ``tesseract``: the Tesseract program, when it is installed and on PATH.

It runs ``tesseract IMAGE OUT -l LANGS tsv`` on the prepared image in a subprocess (cancel
kills it). The TSV is read by the reader of a ``.tsv`` the user opens
(:mod:`ocrviewer.core.formats.tsv`): the same words, lines and blocks (Tesseract's paragraphs,
as its hOCR and ALTO give them) whether the viewer runs Tesseract or the user does.
The raw response is the project's own ``ocrviewer.document/1`` JSON, so it loads like any other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ocrviewer.core.model import Document
from ocrviewer.core.prepare import ImageLimits, PreparedImage
from ocrviewer.errors import BadInput, BadResponse, Cancelled, ProviderError, ProviderUnavailable
from ocrviewer.providers.base import (
    CancelToken,
    ProgressCallback,
    ProviderOption,
    RecognitionResult,
    child_environment,
)

INSTALL_HINT = (
    "install it: apt-get install tesseract-ocr (Debian/Ubuntu), brew install tesseract (macOS), "
    "or the UB Mannheim installer on Windows (https://github.com/UB-Mannheim/tesseract/wiki), "
    "or set tesseract.command in the provider settings to its full path"
)
SOURCE_FORMAT = "tesseract"
DEFAULT_LANGUAGE = "eng"


def document_from_tsv(
    tsv: bytes, width: float, height: float, extras: Mapping[str, Any] | None = None
) -> Document:
    """Tesseract's TSV of one image -> a one-page Document in that image's frame.

    Read by :func:`ocrviewer.core.formats.tsv.read`, the reader of a ``.tsv`` the user opens, so
    running Tesseract here or running it by hand and opening its TSV gives the same blocks, lines,
    words and confidences; only the source format, the extras and the page size (the image's) are
    this provider's.
    """
    from ocrviewer.core.formats import tsv as tsv_format  # loads lxml: only when a run finishes

    if not tsv.strip():
        raise BadResponse("tesseract wrote an empty TSV file; run it again, or report it")
    read = tsv_format.read(tsv)
    page = replace(read.pages[0], width=float(width), height=float(height), index=0)
    return replace(read, pages=(page,), source_format=SOURCE_FORMAT, extras=dict(extras or {}))


def languages_option(value: Any, installed: Sequence[str]) -> str:
    """ "eng", "eng+deu" or ["eng", "deu"] -> "eng+deu", checked against the installed languages."""
    if value is None or value == "" or value == []:
        if DEFAULT_LANGUAGE in installed or not installed:
            return DEFAULT_LANGUAGE
        return installed[0]
    parts = value if isinstance(value, (list, tuple)) else str(value).replace(",", "+").split("+")
    langs = [str(p).strip() for p in parts if str(p).strip()]
    missing = [lang for lang in langs if installed and lang not in installed]
    if missing:
        raise BadInput(
            f"Tesseract has no language {', '.join(missing)}; installed: {', '.join(installed) or 'none'} "
            f"(Debian: apt-get install tesseract-ocr-LANG)"
        )
    return "+".join(langs)


class TesseractProvider:
    """The ``tesseract`` program on this computer."""

    name = "tesseract"
    title = "Tesseract (offline, if installed)"
    limits = ImageLimits(max_pixels=40_000_000, formats=("PNG", "JPEG"))

    def __init__(
        self,
        command: str | None = None,
        poll_seconds: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._command = command or "tesseract"
        self._poll = poll_seconds
        self._clock = clock
        self._languages: tuple[str, ...] | None = None
        self._version: str | None = None

    @property
    def executable(self) -> str | None:
        """Full path of the program, or None when it is not found.

        On Windows the UB Mannheim installer's default folder is tried too: it does not add
        itself to PATH.
        """
        found = shutil.which(self._command)
        if found is None and os.name == "nt" and self._command == "tesseract":
            for base in (os.environ.get("ProgramFiles"), os.environ.get("LOCALAPPDATA")):
                candidate = Path(base or "") / "Tesseract-OCR" / "tesseract.exe"
                if base and candidate.is_file():
                    return str(candidate)
        return found

    def unavailable_reason(self) -> str | None:
        if self.executable is None:
            if self._command != "tesseract":
                return f"the tesseract program {self._command!r} (tesseract.command) was not found; {INSTALL_HINT}"
            return f"the tesseract program is not installed or not on PATH; {INSTALL_HINT}"
        return None

    def _run_quick(self, *args: str) -> str:
        exe = self.executable
        if exe is None:
            raise ProviderUnavailable(self.unavailable_reason() or "tesseract was not found")
        try:
            done = subprocess.run(
                [exe, *args], capture_output=True, timeout=30, check=False, env=child_environment()
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ProviderUnavailable(f"cannot run {exe}: {err}") from err
        return (done.stdout or done.stderr).decode("utf-8", "replace")

    def languages(self) -> tuple[str, ...]:
        """Installed languages (traineddata), without the orientation script ``osd``."""
        if self._languages is None:
            out = self._run_quick("--list-langs")
            langs = [
                line.strip()
                for line in out.splitlines()[1:]
                if line.strip() and line.strip() != "osd" and " " not in line.strip()
            ]
            self._languages = tuple(langs)
        return self._languages

    def version(self) -> str:
        if self._version is None:
            first = self._run_quick("--version").splitlines()
            self._version = first[0].strip() if first else "tesseract"
        return self._version

    def cache_identity(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Which tesseract program, and its version (the options hold the languages)."""
        try:
            version = self.version()
        except ProviderUnavailable:
            version = None
        return {"program": self.executable, "version": version}

    @property
    def options(self) -> tuple[ProviderOption, ...]:
        langs: tuple[str, ...] = ()
        if self.unavailable_reason() is None:
            try:
                langs = self.languages()
            except ProviderUnavailable:
                langs = ()
        return (
            ProviderOption(
                "languages",
                "Languages",
                default=DEFAULT_LANGUAGE,
                choices=langs,
                help="installed Tesseract languages, several joined with + (eng+deu)",
            ),
        )

    def recognize(
        self,
        image: PreparedImage,
        options: Mapping[str, Any],
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> RecognitionResult:
        reason = self.unavailable_reason()
        if reason:
            raise ProviderUnavailable(reason)
        langs = languages_option(options.get("languages"), self.languages())
        version = self.version()
        exe = self.executable
        assert exe is not None
        cancel.raise_if_cancelled()
        suffix = ".png" if image.format == "PNG" else ".jpg"
        with tempfile.TemporaryDirectory(prefix="ocrviewer-tesseract-") as tmp:
            src = Path(tmp) / f"page{suffix}"
            src.write_bytes(image.data)
            out_base = Path(tmp) / "out"
            err_path = Path(tmp) / "stderr.txt"
            progress(None, f"tesseract reading ({langs})")
            with open(err_path, "wb") as err_file:
                try:
                    process = subprocess.Popen(
                        [exe, str(src), str(out_base), "-l", langs, "tsv"],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=err_file,
                        env=child_environment(),  # no keys: tesseract never calls a service
                    )
                except OSError as err:
                    raise ProviderUnavailable(f"cannot run {exe}: {err}") from err
                started = self._clock()
                reported = 0
                while True:
                    if cancel.cancelled:
                        process.kill()
                        process.wait()
                        raise Cancelled("cancelled by the user")
                    try:
                        code = process.wait(self._poll)
                        break
                    except subprocess.TimeoutExpired:
                        elapsed = int(self._clock() - started)
                        if elapsed > reported:
                            reported = elapsed
                            progress(None, f"tesseract reading ({langs}), {elapsed} s")
            tsv_path = out_base.with_suffix(".tsv")
            if code != 0 or not tsv_path.is_file():
                detail = err_path.read_text("utf-8", "replace").strip().splitlines()
                last = detail[-1] if detail else "no message"
                raise ProviderError(f"tesseract failed (exit code {code}): {last}")
            tsv = tsv_path.read_bytes()
        extras = {"engine": "tesseract", "version": version, "languages": langs}
        document = document_from_tsv(tsv, image.width, image.height, extras=extras)
        progress(1.0, f"tesseract read {document.counts()['word']} words")
        raw = json.dumps(document.to_dict(), ensure_ascii=False).encode("utf-8")
        return RecognitionResult(raw=raw, document=document, raw_suffix=".json", api_version=version)


#: Settings key naming the program (a full path or a name on PATH).
COMMAND_SETTING = "tesseract.command"


def create(settings: Mapping[str, Any]) -> TesseractProvider:
    """Registry factory. ``settings["tesseract.command"]`` may name the program."""
    command = settings.get(COMMAND_SETTING) or None
    return TesseractProvider(command=str(command) if command else None)
