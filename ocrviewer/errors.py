"""The project's own error types. Every message is one line a person can act on."""

from __future__ import annotations


class OcrViewerError(Exception):
    """Base of every error ocrviewer raises on purpose."""


class BadInput(OcrViewerError):
    """A file or argument given by the user cannot be used."""


class BadResponse(BadInput):
    """An OCR response is not JSON, has an unknown shape, or holds invalid values."""


class ImageError(BadInput):
    """An image cannot be read: missing, truncated, corrupt, or too large."""


class ImageTooLarge(ImageError):
    """An image or PDF page has more pixels than can be decoded safely (a decompression bomb)."""


class OutputClosed(BadInput):
    """The reader of a pipe the output was going to went away (``ocrviewer info doc.pdf | head -1``):
    the command line stops quietly, as other Unix tools do."""


class ProviderError(OcrViewerError):
    """A provider failed; the message says what to do."""


class ProviderUnavailable(ProviderError):
    """A provider cannot run here (no key, no endpoint, missing package)."""


class AuthError(ProviderError):
    """401/403: the key, token, role or folder is wrong."""


class RequestRejected(ProviderError):
    """400 and the like: the service refused the request as sent (an option, a language, the image)."""


class QuotaError(ProviderError):
    """429: quota or rate limit exhausted after retries."""


class ServiceError(ProviderError):
    """5xx or an unexpected answer from the service."""


class ProviderTimeout(ProviderError):
    """The service did not answer within the allowed time."""


class Cancelled(OcrViewerError):
    """The user cancelled the operation."""


#: control characters as escapes: a file named 'scan\n1.jpg' must not split an error into two lines
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(32), 127]} | {10: "\\n", 13: "\\r", 9: "\\t"}


def one_line(text: str) -> str:
    """``text`` on one line: control characters (a newline in a file name) shown as escapes."""
    return text.translate(_CONTROLS)


def error_message(err: BaseException, path: object = None) -> str:
    """What a person is told about ``err``, on one line: our own errors as they say it; a file
    that cannot be read or written, with what to check; anything else (a bug met on the way) with its type and
    a request to report it. ``path`` goes first when the message does not name it already."""
    import errno
    import os

    text = " ".join((str(err) or type(err).__name__).split())
    if isinstance(err, OSError) and not isinstance(err, OcrViewerError):
        if err.errno == errno.ENAMETOOLONG:
            text = "the name is too long for the file system (255 bytes a name at most); choose a shorter one"
        elif err.strerror:
            text = f"{err.strerror}; check the file, its folder and their permissions"
        if path is None and err.filename is not None:
            path = err.filename
    elif not isinstance(err, OcrViewerError):
        text = f"Unexpected error ({type(err).__name__}: {text}); please report it"
    name = os.fspath(path) if path is not None else ""  # type: ignore[call-overload]
    if name and name not in text:
        text = f"{name}: {text}"
    return one_line(text)


def link_problem(path: object, what: str = "image file") -> str | None:
    """What is wrong with ``path`` when it is a symbolic link that loops or points nowhere; None
    for anything else."""
    import errno
    import os

    name = os.fspath(path)  # type: ignore[call-overload]
    if not os.path.islink(name):
        return None
    try:
        os.stat(name)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return f"a symbolic link that leads back to itself (a loop); point it at the {what}"
        try:
            target = os.readlink(name)
        except OSError:
            target = "?"
        return f"a symbolic link to {target}, which does not exist; fix the link or give the {what}"
    return None


def missing_file(path: object, what: str = "image file") -> str:
    """Why ``path`` names no readable file, in one line: a symbolic link that loops or points nowhere
    is said to be one (the plain 'no such file' sent people looking for a file that is there)."""
    import os

    name = os.fspath(path)  # type: ignore[call-overload]
    return f"{name}: {link_problem(name, what) or f'no such {what}; check the path'}"
