"""Test-support library shared by every test package: generated images and OCR responses.

- :mod:`tests.support.images`: real image files with a chosen EXIF orientation whose *displayed*
  appearance has black boxes or readable text at known places.
- :mod:`tests.support.responses`: OCR responses (Yandex OCR v1, Azure Read v3, ...) built from those
  boxes, in the displayed frame or the raw (stored-pixel) frame, as a service would return them.
"""
