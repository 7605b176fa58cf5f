"""Entry script of the PyInstaller bundle: the same ``main`` as the ``ocrviewer`` console script.

The bundle has no ``python -m``, so the local engine starts the bundle's own executable as its child process
with ``OCRVIEWER_ENGINE_CHILD=1`` (see ocrviewer/providers/_engine_child.py); that must be served before
anything else is imported (no Qt in the engine's process).
"""

from __future__ import annotations

import multiprocessing
import os
import sys

if __name__ == "__main__":
    # A frozen program must call this first so a multiprocessing child runs the child's code, not the app.
    multiprocessing.freeze_support()
    if os.environ.get("OCRVIEWER_ENGINE_CHILD") == "1":
        from ocrviewer.providers._engine_child import main as engine_child_main

        sys.exit(engine_child_main())
    if os.environ.get("OCRVIEWER_PARSE_CHILD") == "1":  # the window's parser process (core/parse_child.py)
        from ocrviewer.core.parse_child import main as parse_child_main

        sys.exit(parse_child_main())
    from ocrviewer.cli import main

    sys.exit(main())
