"""Strip by strip look at a compressed TIFF page with libtiff: which strips (or tiles) its decoder
refused or complained about, and a decode that keeps the strips after a broken one.

Pillow hands a compressed page (LZW, Deflate, PackBits, JPEG, CCITT G3/G4) to libtiff as one
piece: the first strip libtiff refuses ends the decode (every row after it black), and what libtiff
only warns about (a G4 code word it cannot read, libjpeg's "Corrupt JPEG data") reaches stderr and
never Pillow, so the page showed wrong rows with nothing said. Here the same libtiff Pillow ships
with (found beside Pillow, loaded with ctypes) reads each strip on a handle of our own, whose error
and warning handlers are this handle's only (libtiff 4.5's ``TIFFOpenOptions``): nothing else in
the process changes. Without that libtiff (a Pillow linked statically, an older libtiff) the
check answers None and the page is read as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

#: TIFF Compression tag value of an uncompressed page (nothing for a decoder to find)
RAW = 1

#: largest decoded strip (or tile) checked: a page stored as one strip of 50 MP RGB would need a
#: second buffer of its size besides Pillow's picture; such a page is decoded as before, unchecked
MAX_PIECE_BYTES = 64 << 20

#: libtiff's RGBA pixels are ABGR in a uint32: RGBA bytes on a little-endian machine
_RGBA_RAW = "RGBA" if sys.byteorder == "little" else "ABGR"

_HANDLER = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p
)


@dataclass(frozen=True)
class BrokenPiece:
    """One strip (or tile) of a page that libtiff could not decode, or decoded with a complaint."""

    index: int
    #: libtiff's own words ("Fax4Decode: Bad code word at line 78 of strip 0")
    reason: str
    #: the decoder gave up on it (its rows are black); False: it decoded, but its pixels may be wrong
    refused: bool


@dataclass(frozen=True)
class PageCheck:
    """What libtiff found, strip by strip, in one page."""

    tiled: bool
    pieces: int
    #: rows a strip holds (the last may hold fewer); tile height for a tiled page
    rows_per_piece: int
    height: int
    broken: tuple[BrokenPiece, ...]

    def rows_of(self, index: int) -> tuple[int, int]:
        """First and last row (0-based, as stored) of strip ``index``."""
        first = index * self.rows_per_piece
        return first, min(self.height, first + self.rows_per_piece) - 1


def _candidates() -> list[str]:
    """The libtiff Pillow was built with (its wheels ship it beside the package), then the system's."""
    import PIL

    base = Path(PIL.__file__).parent
    found: list[str] = []
    for folder in (base.parent / "pillow.libs", base / ".dylibs", base.parent / "Pillow.libs", base):
        if folder.is_dir():
            found += [
                str(p)
                for p in sorted(folder.glob("libtiff*"))
                if ".so" in p.name or p.suffix in (".dylib", ".dll")
            ]
    system = ctypes.util.find_library("tiff")
    if system:
        found.append(system)
    return found


@functools.cache
def _libtiff() -> ctypes.CDLL | None:
    """libtiff with the per-handle handlers of 4.5+, its functions typed; None without one."""
    for name in _candidates():
        try:
            lib = ctypes.CDLL(name)
            lib.TIFFOpenOptionsAlloc  # noqa: B018  (4.5+ only: an older one is no use here)
        except (OSError, AttributeError):
            continue
        vp, u32, i64, u64 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int64, ctypes.c_uint64
        for fn, args, res in (
            ("TIFFOpenOptionsAlloc", [], vp),
            ("TIFFOpenOptionsFree", [vp], None),
            ("TIFFOpenOptionsSetErrorHandlerExtR", [vp, _HANDLER, vp], None),
            ("TIFFOpenOptionsSetWarningHandlerExtR", [vp, _HANDLER, vp], None),
            ("TIFFOpenExt", [ctypes.c_char_p, ctypes.c_char_p, vp], vp),
            ("TIFFClose", [vp], None),
            ("TIFFSetDirectory", [vp, u32], ctypes.c_int),
            ("TIFFIsTiled", [vp], ctypes.c_int),
            ("TIFFNumberOfStrips", [vp], u32),
            ("TIFFNumberOfTiles", [vp], u32),
            ("TIFFStripSize", [vp], i64),
            ("TIFFTileSize", [vp], i64),
            ("TIFFReadEncodedStrip", [vp, u32, vp, i64], i64),
            ("TIFFReadEncodedTile", [vp, u32, vp, i64], i64),
            ("TIFFGetStrileOffset", [vp, u32], u64),
            ("TIFFGetStrileByteCount", [vp, u32], u64),
            ("TIFFReadRGBAStrip", [vp, u32, vp], ctypes.c_int),
        ):
            f = getattr(lib, fn)
            f.argtypes, f.restype = args, res
        return lib
    return None


@functools.cache
def _vsnprintf() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        libc = ctypes.cdll.msvcrt if sys.platform == "win32" else ctypes.CDLL(None)
        f = libc._vsnprintf if sys.platform == "win32" else libc.vsnprintf
    except (OSError, AttributeError):
        return None
    f.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
    f.restype = ctypes.c_int
    return f


def _message(module: bytes | None, fmt: bytes | None, args: int | None) -> str:
    """libtiff's message with its arguments filled in (its format string alone when that fails)."""
    text = (fmt or b"").decode("utf-8", "replace")
    fill = _vsnprintf()
    if fill is not None and fmt:
        out = ctypes.create_string_buffer(512)
        try:
            if fill(out, len(out), fmt, args) >= 0:
                text = out.value.decode("utf-8", "replace")
        except Exception:  # the words only: never a reason to fail a check
            pass
    text = " ".join(text.split())
    return f"{module.decode('utf-8', 'replace')}: {text}" if module else text


class _Handle:
    """A libtiff handle on ``path`` whose errors and warnings go to :attr:`said`, not to stderr."""

    def __init__(self, lib: ctypes.CDLL, path: str) -> None:
        self.lib = lib
        self.said: list[str] = []

        def heard(
            _tif: int | None, _data: int | None, module: bytes | None, fmt: bytes | None, args: int | None
        ) -> int:
            # libtiff's LZW decoder names the file as its module: the note names it already
            self.said.append(_message(None if module == os.fsencode(path) else module, fmt, args))
            return 1  # handled: libtiff's process-wide handler (stderr) is not called

        self._heard = _HANDLER(heard)  # kept: libtiff calls it until the handle is closed
        options = lib.TIFFOpenOptionsAlloc()
        try:
            lib.TIFFOpenOptionsSetErrorHandlerExtR(options, self._heard, None)
            lib.TIFFOpenOptionsSetWarningHandlerExtR(options, self._heard, None)
            self.tif = lib.TIFFOpenExt(os.fsencode(path), b"r", options)
        finally:
            lib.TIFFOpenOptionsFree(options)

    def close(self) -> None:
        if self.tif:
            self.lib.TIFFClose(self.tif)
            self.tif = None


def check_page(path: str | os.PathLike[str], page: int, height: int, rows_per_strip: int) -> PageCheck | None:
    """Decode each strip (or tile) of page ``page`` (0-based) on its own: which ones libtiff refused,
    warned about, or whose data runs past the end of the file. ``height`` and ``rows_per_strip``:
    the page's ImageLength and RowsPerStrip (TileLength) as Pillow read them. None when this libtiff
    cannot be used or cannot open the page (Pillow's own decode says what is wrong then)."""
    lib = _libtiff()
    if lib is None:
        return None
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    handle = _Handle(lib, os.fspath(path))
    if not handle.tif:
        return None
    try:
        if not lib.TIFFSetDirectory(handle.tif, page):
            return None
        tiled = bool(lib.TIFFIsTiled(handle.tif))
        count = lib.TIFFNumberOfTiles(handle.tif) if tiled else lib.TIFFNumberOfStrips(handle.tif)
        piece = lib.TIFFTileSize(handle.tif) if tiled else lib.TIFFStripSize(handle.tif)
        read = lib.TIFFReadEncodedTile if tiled else lib.TIFFReadEncodedStrip
        if not 0 < piece <= MAX_PIECE_BYTES:
            return None
        buf = ctypes.create_string_buffer(piece)
        broken: list[BrokenPiece] = []
        for index in range(count):
            start = lib.TIFFGetStrileOffset(handle.tif, index)
            length = lib.TIFFGetStrileByteCount(handle.tif, index)
            past = start + length > size
            handle.said.clear()
            got = read(handle.tif, index, buf, piece)
            if got < 0 or past:
                reason = handle.said[0] if handle.said else "its data runs past the end of the file"
                broken.append(BrokenPiece(index, reason, refused=True))
            elif handle.said:
                broken.append(BrokenPiece(index, handle.said[0], refused=False))
        return PageCheck(tiled, count, max(1, rows_per_strip), height, tuple(broken))
    finally:
        handle.close()


def read_page_around(
    path: str | os.PathLike[str], page: int, size: tuple[int, int], rows_per_strip: int, skip: set[int]
) -> Image.Image | None:
    """Page ``page`` of a stripped TIFF as RGBA, decoded strip by strip by libtiff, the strips in
    ``skip`` left black: the strips after one libtiff refuses, which Pillow's one-piece decode never
    reaches. None when libtiff cannot be used here."""
    lib = _libtiff()
    if lib is None:
        return None
    width, height = size
    handle = _Handle(lib, os.fspath(path))
    if not handle.tif:
        return None
    out = Image.new("RGBA", size, (0, 0, 0, 255))
    try:
        if not lib.TIFFSetDirectory(handle.tif, page) or lib.TIFFIsTiled(handle.tif):
            return None
        raster = (ctypes.c_uint32 * (width * rows_per_strip))()
        for index, top in enumerate(range(0, height, rows_per_strip)):
            if index in skip:
                continue
            if not lib.TIFFReadRGBAStrip(handle.tif, top, raster):
                continue
            rows = min(rows_per_strip, height - top)
            # libtiff's RGBA rasters are bottom-up, each pixel ABGR packed (RGBA bytes on little endian)
            band = Image.frombuffer(
                "RGBA", (width, rows), bytes(raster)[: width * rows * 4], "raw", _RGBA_RAW, 0, -1
            )
            out.paste(band, (0, top))
        return out
    finally:
        handle.close()
