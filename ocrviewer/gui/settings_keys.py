"""Every QSettings key the viewer reads or writes, in one place (GUI preferences only; no secrets)."""

from __future__ import annotations

from typing import Any

#: recently opened files, newest first
RECENT_KEY = "files/recent"
#: View > Theme and Preferences: "system", "light" or "dark"
THEME_KEY = "view/theme"
#: what the "system" theme resolved to when the desktop was last asked ("light" or "dark"): the
#: first frame at start uses it (asking costs PySide's `Qt` namespace: see gui.painting), and the
#: window asks again once that frame is painted
SYSTEM_SCHEME_KEY = "view/system_scheme"
#: window size, position and docks (Qt's saveGeometry/saveState blobs)
GEOMETRY_KEY = "window/geometry"
WINDOW_STATE_KEY = "window/state"
#: how words under the confidence threshold are drawn: "dim" or "hide"
BELOW_THRESHOLD_KEY = "overlay/below_threshold"
#: the provider picked in the Recognition panel and Preferences
PROVIDER_KEY = "recognition/provider"
#: how the Yandex credentials are given (API key or IAM token)
YANDEX_AUTH_KEY = "providers/yandex/auth_mode"
#: the folder the frame tools last saved a corrected result into
LAST_SAVE_DIR_KEY = "frame/last_save_dir"
#: the text normalization compare mode and its report use ("exact", "historic", "modern")
COMPARE_NORMALIZATION_KEY = "compare/normalization"


def saved_blob(settings: Any, key: str) -> bytes | None:
    """A saved Qt blob (geometry, window state), or None when absent or not a blob: a settings file
    edited by hand or by another program must not stop the window from opening."""
    value = settings.value(key)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if type(value).__name__ == "QByteArray":
        return bytes(value.data())
    return None


def layer_key(layer: str) -> str:
    """Whether the ``layer`` ("block", "line", "word", "table") outlines are shown."""
    return f"view/layer_{layer}"


def view_key(name: str) -> str:
    """A View menu toggle: "labels", "confidence" or "legend"."""
    return f"view/{name}"


def option_key(provider: str, option: str) -> str:
    """The value last chosen for ``provider``'s ``option`` in the Recognition panel."""
    return f"recognition/options/{provider}/{option}"
