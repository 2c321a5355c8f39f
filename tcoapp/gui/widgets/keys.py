"""Window-wide keyboard conventions that Qt's widgets would otherwise swallow.

A line edit or spin box keeps its own little undo history and takes Ctrl+Z
(Cmd+Z) before the window's Undo action sees it, so undo did nothing while the
cursor was in a field, which is nearly always. :class:`UndoKeys` watches the
window's key presses and sends Undo/Redo to the scenario's history instead:
pending typing in the field is committed first (so Ctrl+Z reverts exactly what
was typed), then the window's action runs. Keys in other windows (dialogs) are
left alone.

:func:`key_sequences` gives an action its shortcuts: one the menu shows, the same on every
platform (``Ctrl`` is Cmd on macOS), then the platform's own standard keys for it (Ctrl+F4
also closes on Windows). Sequences the editor's fields need are never given to an action:
:data:`FIELD_KEYS`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QWidget
from shiboken6 import isValid


def key_sequences(explicit: str | None = None, standard: QKeySequence.StandardKey | None = None,
                  also: tuple[str, ...] = ()) -> list[QKeySequence]:
    """An action's shortcuts: ``explicit`` first (what the menu shows), then ``also``, then the platform's
    bindings of ``standard`` (without repeats). With no ``explicit``, the standard key's first binding is the
    one shown, so it must have one on every platform (New, Open, Save, Undo)."""
    keys: list[QKeySequence] = []
    candidates = ([explicit] if explicit else []) + list(also)
    for item in candidates:
        keys.append(QKeySequence(item))
    if standard is not None:
        keys += QKeySequence.keyBindings(standard)
    unique: list[QKeySequence] = []
    for key in keys:
        if not key.isEmpty() and all(key != other for other in unique):
            unique.append(key)
    if not unique:
        raise ValueError(f"no shortcut: give an explicit one for {standard}")
    return unique


def set_keys(action, explicit: str | None = None, standard: QKeySequence.StandardKey | None = None,
             also: tuple[str, ...] = ()) -> None:
    """Give ``action`` the shortcuts of :func:`key_sequences`."""
    action.setShortcuts(key_sequences(explicit, standard, also))


_S = QKeySequence.StandardKey
#: The standard keys a line edit, spin box or text box uses for its own editing (Undo and Redo aside: the
#: window takes those on purpose, see :class:`UndoKeys`); no menu action may have one of their bindings.
FIELD_STANDARD_KEYS = (
    _S.Cut, _S.Copy, _S.Paste, _S.SelectAll, _S.Deselect, _S.Delete, _S.Backspace, _S.DeleteStartOfWord,
    _S.DeleteEndOfWord, _S.DeleteEndOfLine, _S.DeleteCompleteLine, _S.InsertParagraphSeparator,
    _S.InsertLineSeparator, _S.MoveToNextChar, _S.MoveToPreviousChar, _S.MoveToNextWord, _S.MoveToPreviousWord,
    _S.MoveToNextLine, _S.MoveToPreviousLine, _S.MoveToNextPage, _S.MoveToPreviousPage, _S.MoveToStartOfLine,
    _S.MoveToEndOfLine, _S.MoveToStartOfBlock, _S.MoveToEndOfBlock, _S.MoveToStartOfDocument,
    _S.MoveToEndOfDocument, _S.SelectNextChar, _S.SelectPreviousChar, _S.SelectNextWord, _S.SelectPreviousWord,
    _S.SelectNextLine, _S.SelectPreviousLine, _S.SelectNextPage, _S.SelectPreviousPage, _S.SelectStartOfLine,
    _S.SelectEndOfLine, _S.SelectStartOfBlock, _S.SelectEndOfBlock, _S.SelectStartOfDocument,
    _S.SelectEndOfDocument, _S.Cancel,
)
#: Keys fields need on some platform whatever this one binds (Ctrl+K deletes to the end of the line and
#: Ctrl+U the line on Linux; Ctrl+Shift+U types a Unicode character in GNOME; Cmd+H hides the app and Cmd+M
#: minimises it on macOS; Ctrl+Shift+C copies a focused chart), and every undo and redo key.
FIELD_EXPLICIT_KEYS = ("Ctrl+A", "Ctrl+C", "Ctrl+V", "Ctrl+X", "Ctrl+Z", "Ctrl+Y", "Ctrl+Shift+Z", "Ctrl+K",
                       "Ctrl+U", "Ctrl+Shift+A", "Ctrl+Shift+U", "Ctrl+H", "Ctrl+M", "Ctrl+Shift+C", "Ctrl+Ins",
                       "Shift+Ins", "Shift+Del", "Alt+Backspace", "Alt+Shift+Backspace")


#: The editing bindings of :data:`FIELD_STANDARD_KEYS` (with a modifier) under each of Qt's keyboard schemes, as
#: Qt 6 binds them (Qt's "Ctrl" is Cmd and "Meta" the Control key on macOS; the X11 row is checked against Qt
#: on an X server by the tests), so a menu key chosen on one platform is not a field's on another: the X11 scheme (Linux desktops) gives a line edit the emacs keys Ctrl+D (delete),
#: Ctrl+E (end of line), Ctrl+K and Ctrl+U; macOS gives Control+A/E/B/F/N/P/D/K/H and Cmd+arrows; Windows
#: gives Ctrl+arrows, Ctrl+Backspace and Alt+Backspace (undo).
FIELD_PLATFORM_KEYS = {
    "x11": ("Ctrl+X", "Shift+Del", "F20", "Ctrl+C", "Ctrl+Ins", "F16", "Ctrl+V", "Ctrl+Shift+Ins", "Shift+Ins",
            "F18", "Ctrl+A", "Ctrl+Shift+A", "Ctrl+D", "Ctrl+Backspace", "Ctrl+Del", "Ctrl+K", "Ctrl+U",
            "Shift+Enter", "Shift+Return", "Ctrl+Right", "Ctrl+Left", "Ctrl+E", "Ctrl+Home", "Ctrl+End",
            "Shift+Right", "Shift+Left", "Ctrl+Shift+Right", "Ctrl+Shift+Left", "Shift+Down", "Shift+Up",
            "Shift+PgDown", "Shift+PgUp", "Shift+Home", "Shift+End", "Ctrl+Shift+Home", "Ctrl+Shift+End"),
    "windows": ("Ctrl+X", "Shift+Del", "Ctrl+C", "Ctrl+Ins", "Ctrl+V", "Shift+Ins", "Ctrl+A", "Ctrl+Backspace",
                "Ctrl+Del", "Shift+Enter", "Shift+Return", "Ctrl+Right", "Ctrl+Left", "Ctrl+Home", "Ctrl+End",
                "Shift+Right", "Shift+Left", "Ctrl+Shift+Right", "Ctrl+Shift+Left", "Shift+Down", "Shift+Up",
                "Shift+PgDown", "Shift+PgUp", "Shift+Home", "Shift+End", "Ctrl+Shift+Home", "Ctrl+Shift+End",
                "Alt+Backspace", "Alt+Shift+Backspace"),
    "macos": ("Meta+A", "Meta+E", "Meta+B", "Meta+F", "Meta+N", "Meta+P", "Meta+D", "Meta+K", "Meta+H", "Meta+O",
              "Meta+V", "Meta+Shift+A", "Meta+Shift+E", "Ctrl+Left", "Ctrl+Right", "Ctrl+Up", "Ctrl+Down",
              "Ctrl+Shift+Left", "Ctrl+Shift+Right", "Ctrl+Shift+Up", "Ctrl+Shift+Down", "Ctrl+Backspace",
              "Alt+Backspace", "Alt+Del", "Alt+Left", "Alt+Right", "Alt+Up", "Alt+Down", "Alt+Shift+Left",
              "Alt+Shift+Right", "Alt+Shift+Up", "Alt+Shift+Down", "Ctrl+.", "Ctrl+H", "Ctrl+M"),
}


def field_keys() -> list[QKeySequence]:
    """Every sequence in :data:`FIELD_STANDARD_KEYS` (on this platform), :data:`FIELD_PLATFORM_KEYS` (on any)
    and :data:`FIELD_EXPLICIT_KEYS`."""
    keys = [QKeySequence(text) for text in FIELD_EXPLICIT_KEYS]
    keys += [QKeySequence(text) for scheme in FIELD_PLATFORM_KEYS.values() for text in scheme]
    for standard in FIELD_STANDARD_KEYS:
        keys += QKeySequence.keyBindings(standard)
    return keys


def _matches(event, standard: QKeySequence.StandardKey, action=None) -> bool:
    """The key press is ``standard`` on this platform, or one of ``action``'s own shortcuts (Ctrl+Shift+Z
    redoes everywhere, also where the platform's Redo is Ctrl+Y)."""
    if event.matches(standard):
        return True
    if action is None:
        return False
    pressed = QKeySequence(event.keyCombination())
    return any(pressed == key for key in action.shortcuts())


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
        if not isValid(self.window):  # the window was deleted while closing: stop watching, never crash
            self.remove()
            return False
        return self._filter(watched, event)

    def _filter(self, watched, event) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or not self._ours(watched):
            return False
        if _matches(event, QKeySequence.StandardKey.Undo, self.window.act_undo):
            action = self.window.act_undo
        elif _matches(event, QKeySequence.StandardKey.Redo, self.window.act_redo):
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
            try:
                app.removeEventFilter(self)
            except RuntimeError:  # this filter's own object is already gone
                pass
