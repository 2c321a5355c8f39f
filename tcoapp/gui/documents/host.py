"""What a view needs from the window that hosts it: a small Protocol, so views never import the window.

:class:`~tcoapp.gui.app.mainwindow.MainWindow` satisfies it; a test can pass any
QWidget that has these attributes. Keeping the views on this interface is what
lets the import-linter contract in ``pyproject.toml`` forbid views -> app imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Sequence

if TYPE_CHECKING:
    from tcoapp.gui.documents.document import ScenarioDocument
    from tcoapp.gui.documents.worker import Worker


class ViewHost(Protocol):
    """The window as the views see it: open documents, the active one, the worker and the live evaluator."""

    #: The open documents, in tab order.
    documents: Sequence["ScenarioDocument"]
    #: The window's one background worker (runs, progress, Cancel).
    worker: "Worker"
    #: The live evaluator (``latest`` is the last evaluation of the active document).
    evaluator: Any
    #: Signal(object): the active document changed (or one of its inputs did); argument may be None.
    active_document_changed: Any
    #: The document being edited, or None when none is open.
    active: "ScenarioDocument | None"
