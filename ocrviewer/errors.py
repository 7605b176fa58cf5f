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


class ProviderError(OcrViewerError):
    """A provider failed; the message says what to do."""


class ProviderUnavailable(ProviderError):
    """A provider cannot run here (no key, no endpoint, missing package)."""


class AuthError(ProviderError):
    """401/403: the key, token, role or folder is wrong."""


class QuotaError(ProviderError):
    """429: quota or rate limit exhausted after retries."""


class ServiceError(ProviderError):
    """5xx or an unexpected answer from the service."""


class ProviderTimeout(ProviderError):
    """The service did not answer within the allowed time."""


class Cancelled(OcrViewerError):
    """The user cancelled the operation."""
