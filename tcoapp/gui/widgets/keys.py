"""Window-wide keyboard conventions that Qt's widgets would otherwise swallow.

A line edit or spin box keeps its own little undo history and takes Ctrl+Z
(Cmd+Z) before the window's Undo action sees it, so undo did nothing while the
cursor was in a field, which is nearly always. :class:`UndoKeys` watches the
window's key presses and sends Undo/Redo to the scenario's history instead:
pending typing in the field is committed first (so Ctrl+Z reverts exactly what
was typed), then the window's action runs. Keys in other windows (dialogs) are
left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QWidget


def _matches(event, standard: QKeySequence.StandardKey) -> bool:
    return event.matches(standard)


class UndoKeys(QObject):
    """Application event filter: Undo/Redo keys anywhere in ``window`` act on the scenario history.

    ``window`` has ``act_undo``, ``act_redo`` and ``editor`` (the main window, a programme window).
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        QApplication.instance().installEventFilter(self)

    def _ours(self, watched) -> bool:
        return isinstance(watched, QWidget) and watched.window() is self.window

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or not self._ours(watched):
            return False
        if _matches(event, QKeySequence.StandardKey.Undo):
            action = self.window.act_undo
        elif _matches(event, QKeySequence.StandardKey.Redo):
            action = self.window.act_redo
        else:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # Claim the key for every widget of the window, so it arrives as a KeyPress (below)
            # instead of firing a shortcut or a field's own undo.
            event.accept()
            return True
        self._commit_pending(watched)
        if action.isEnabled():
            action.trigger()
        event.accept()
        return True

    def _commit_pending(self, watched) -> None:
        """Typing not yet committed (a number box before Enter, a text field) becomes an edit first."""
        widget = watched
        while widget is not None and not isinstance(widget, QAbstractSpinBox):
            widget = widget.parentWidget() if isinstance(widget, QWidget) else None
        if widget is not None:
            widget.interpretText()
        editor = getattr(self.window, "editor", None)
        if editor is not None:
            editor.flush()

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
