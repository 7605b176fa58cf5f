"""Messages in the window's own words: core and provider errors give command-line advice
("run 'ocrviewer credentials set azure'", "use --frame raw"); in the GUI they name what to click.
"""

from __future__ import annotations

import re

#: (pattern, replacement outside Preferences, replacement inside Preferences)
_RULES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p), out, inside)
    for p, out, inside in (
        (
            r"set OCRVIEWER_AZURE_ENDPOINT, pass --endpoint, or run '[^']*'",
            "enter the endpoint in Preferences (Ctrl+,)",
            "enter the endpoint above",
        ),
        (
            r"(?:set OCRVIEWER_\w+ or )?run 'ocrviewer credentials set yandex --folder-id ID'",
            "enter the folder ID in Preferences (Ctrl+,)",
            "enter the folder ID above",
        ),
        (
            r"run 'ocrviewer credentials set \w+'(?: or set OCRVIEWER_\w+(?: \(or [\w ]+\))?)?",
            "enter the key in Preferences (Ctrl+,)",
            "enter the key above",
        ),
        (r"\(ocrviewer credentials set \w+\)", "(Preferences, Ctrl+,)", "(the key above)"),
        (r"use 'ocrviewer credentials set'", "enter it in Preferences (Ctrl+,)", "enter it above"),
        (
            r"\(use --frame (raw|display)\)",
            r"(click \1 frame in Frame tools)",
            r"(click \1 frame in Frame tools)",
        ),
        (r"--frame raw is the same", "Raw frame is the same", "Raw frame is the same"),
        (r"--frame raw needs", "the raw frame needs", "the raw frame needs"),
        (
            r"; pass the image(?: it was made from| so it can be converted to pixels| for the real size)?",
            "; open the image it was made from (Ctrl+O)",
            "; open the image it was made from",
        ),
        (r"pass --endpoint", "enter the endpoint in Preferences (Ctrl+,)", "enter the endpoint above"),
        (
            r"give it explicitly, e\.g\. --lang [\w,]+",
            "choose the languages in the Recognition panel",
            "choose the languages in the Recognition panel",
        ),
        (  # the window shows PDF pages at one dpi: the command line can draw one at a lower dpi
            r"render it at (\d+) dpi or less",
            r"draw it with 'ocrviewer render --dpi \1', or shrink the page",
            r"draw it with 'ocrviewer render --dpi \1', or shrink the page",
        ),
        (r" \(--model, --lang\)", " (Recognition panel)", " (Recognition panel)"),
        (
            r"needs --lang ([\w,]+)",
            r"needs the languages \1 (Recognition panel)",
            r"needs the languages \1 (Recognition panel)",
        ),
    )
)
_FIX_CASE = re.compile(r"\bframe in Frame tools\b")


def gui_advice(text: str, in_preferences: bool = False) -> str:
    """``text`` with command-line advice replaced by the GUI action that does the same."""
    for pattern, outside, inside in _RULES:
        text = pattern.sub(inside if in_preferences else outside, text)
    return re.sub(r"click (raw|display) frame", lambda m: f"click {m.group(1).capitalize()} frame", text)
