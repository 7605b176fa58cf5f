"""Entry script of the PyInstaller bundle: the same ``main`` as the ``ocrviewer`` console script."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    # A frozen program must call this first so a child process (spawn/forkserver) runs the child's code and
    # not a second copy of the app.
    multiprocessing.freeze_support()
    from ocrviewer.cli import main

    sys.exit(main())
