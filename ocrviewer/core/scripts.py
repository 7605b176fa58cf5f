"""Which writing systems a result's text uses, and what to install when no font shows one.

The viewer bundles no fonts: Qt draws each character with the first installed font that has it
(fontconfig on Linux), and draws an empty box where none does; on a Linux machine without CJK fonts
Korean came out as a row of boxes with nothing said. The scripts are found here, Qt-free, from the
characters' Unicode names (once per result, in the worker that parsed it); whether a font shows
them is the window's question (``gui.fonts``).
"""

from __future__ import annotations

import unicodedata

#: characters kept per script to try a font on (a font that has these has the script, near enough)
SAMPLE = 48

#: first word of a character's Unicode name -> the script a person would name
_NAMES = {
    "HANGUL": "Korean",
    "CJK": "Chinese/Japanese/Korean (Han)",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "DEVANAGARI": "Devanagari",
    "BENGALI": "Bengali",
    "GURMUKHI": "Gurmukhi",
    "GUJARATI": "Gujarati",
    "ORIYA": "Odia",
    "TAMIL": "Tamil",
    "TELUGU": "Telugu",
    "KANNADA": "Kannada",
    "MALAYALAM": "Malayalam",
    "SINHALA": "Sinhala",
    "THAI": "Thai",
    "LAO": "Lao",
    "TIBETAN": "Tibetan",
    "MYANMAR": "Myanmar",
    "KHMER": "Khmer",
    "ETHIOPIC": "Ethiopic",
    "GEORGIAN": "Georgian",
    "ARMENIAN": "Armenian",
    "CHEROKEE": "Cherokee",
    "SYRIAC": "Syriac",
    "THAANA": "Thaana",
    "MONGOLIAN": "Mongolian",
    "GREEK": "Greek",
    "CYRILLIC": "Cyrillic",
}

#: the Debian/Ubuntu package with a font for each script, where not fonts-noto-core (Noto: SIL OFL)
_DEBIAN = {
    "Korean": "fonts-noto-cjk",
    "Chinese/Japanese/Korean (Han)": "fonts-noto-cjk",
    "Japanese": "fonts-noto-cjk",
}


def scripts_in(text: str, sample: int = SAMPLE) -> dict[str, str]:
    """The scripts of ``text`` other than Latin (and digits, punctuation, symbols), each with up to
    ``sample`` of its distinct characters, in the order they first appear."""
    found: dict[str, list[str]] = {}
    for ch in dict.fromkeys(text):  # distinct, in order: a 10k-word text has a few hundred
        if ch < "\u0370" or not unicodedata.category(ch).startswith(("L", "M")):
            continue
        script = _NAMES.get(unicodedata.name(ch, "").split(" ", 1)[0])
        if script is None:
            continue
        chars = found.setdefault(script, [])
        if len(chars) < sample:
            chars.append(ch)
    return {script: "".join(chars) for script, chars in found.items()}


def no_font_note(scripts: list[str]) -> str:
    """One line for scripts no installed font shows: what the reader sees and what to install."""
    named = " and ".join(scripts) if len(scripts) <= 2 else ", ".join(scripts[:-1]) + f" and {scripts[-1]}"
    packages = sorted({_DEBIAN.get(s, "fonts-noto-core") for s in scripts})
    return (
        f"{named} text shows as empty boxes: no installed font has its characters; install a font for it "
        f"(Debian/Ubuntu: sudo apt install {' '.join(packages)}) and restart ocrviewer"
    )
