"""ocrviewer: a desktop OCR annotation viewer with EXIF-correct overlays."""

from __future__ import annotations

__version__ = "0.1.0"
