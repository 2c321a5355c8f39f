"""Help in the scenario window: the pages (:mod:`tcoapp.gui.dialogs.help`, shared with the programme
window) and the getting-started page offered once, on the first start (remembered in the window settings)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from tcoapp.gui.dialogs.help import (  # noqa: F401 - the pages, as this module has always offered them
    FALLBACK_METHODOLOGY, GETTING_STARTED, GettingStartedDialog, MethodologyDialog, ProgrammesDialog, about_text,
    catalog_date, methodology_markdown, methodology_path, programmes_markdown, show_about, show_getting_started,
    show_methodology, show_programmes,
)

#: Settings key set once the getting-started page has been offered on a first start.
OFFERED_KEY = "help/getting_started_offered"


def offer_getting_started(parent: QWidget | None, store=None) -> bool:
    """On the first start, ask whether to show the page; remembered, so it is offered only once.

    A start with a remembered window (someone who used tcoapp before this page existed)
    is not a first start: the page is not offered, and it stays in Help > Getting started.

    ``store`` is a QSettings (default: the window settings in the app's data folder).
    Returns True when the page was shown.
    """
    from tcoapp.gui.dialogs.questions import Question, ask

    if store is None:
        from tcoapp.gui.app.window_state import settings

        store = settings()
    if str(store.value(OFFERED_KEY, "false")).lower() in ("true", "1"):
        return False
    returning = store.contains("window/rect")  # a window was closed here before: not a first start
    store.setValue(OFFERED_KEY, True)
    store.sync()
    if returning:
        return False
    answer = ask(parent, Question("yes_no", "Welcome to tcoapp",
                                  "Would you like a one-page guide to getting started?",
                                  "You can open it at any time from Help > Getting started."))
    if answer != "yes":
        return False
    show_getting_started(parent)
    return True
