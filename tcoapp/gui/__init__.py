"""The desktop app: the only package that imports PySide6.

:func:`create_main_window` builds the main window inside an existing
QApplication (tests, automation, the screenshot command); ``tcoapp`` (the
console entry :func:`tcoapp.gui.main.main`) starts the application.
"""

from __future__ import annotations

from pathlib import Path


def create_main_window(path: str | Path | None = None):
    """The main window on a scenario file, else the last file, else the default sample.

    Needs a running ``QApplication``; does not show the window or enter the
    event loop. A file that cannot be opened shows the loader's message (through
    :func:`tcoapp.gui.dialogs.questions.ask`) and leaves the window on its empty state.
    """
    from .main import build_window

    return build_window([path] if path else [])


__all__ = ["create_main_window"]
