"""Whether the installed fonts show a script: Qt's own font fallback, asked once per script sample.

Qt draws a character with the first font that has it (its fallback list, fontconfig's on Linux)
and an empty box (glyph 0, ``.notdef``) where none has. Laying a sample of the script's characters
out with the window's font gives the glyphs Qt would paint; any glyph 0 means boxes on screen.
Asked when a result lands (its scripts found in the worker, :mod:`ocrviewer.core.scripts`), never
while painting.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextLayout


def shows(sample: str, font: QFont) -> bool:
    """Whether ``font`` with Qt's fallback fonts has a glyph for every character of ``sample``."""
    layout = QTextLayout(sample, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return all(0 not in run.glyphIndexes() for run in layout.glyphRuns())


def unshown_scripts(scripts: dict[str, str], font: QFont, known: dict[tuple[str, str], bool]) -> list[str]:
    """The scripts of ``scripts`` (name -> sample) that show as boxes in ``font``; ``known`` keeps
    the answers (the installed fonts do not change while the window runs)."""
    missing = []
    for script, sample in scripts.items():
        key = (font.key(), sample)
        if key not in known:
            known[key] = shows(sample, font)
        if not known[key]:
            missing.append(script)
    return missing
