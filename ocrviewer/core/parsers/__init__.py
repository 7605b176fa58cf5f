"""Parsers: one pure function per response format, ``dict -> Document``, chosen by the JSON's shape.

Public API (everything else in this package is private to it):

- ``detect_format(data) -> str``: the format name for a parsed JSON value (a dict, or a list of
  dicts for JSON Lines), e.g. ``"yandex-ocr-v1"``, ``"azure-read-v3"``; raises BadResponse if unknown.
- ``parse_response(data) -> Document``: detect and parse. Coordinates stay in the response's own
  frame and unit (inch/point pages are converted to pixels later, with the image's size).
- ``load_response(path) -> Document``: read a file (JSON, or JSON Lines), errors name the file.

Parsers raise only :class:`ocrviewer.errors.BadResponse`; one bad element is skipped and
recorded in ``Document.warnings``.
"""

from __future__ import annotations
