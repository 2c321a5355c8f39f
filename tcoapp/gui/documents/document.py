"""One observable scenario document: the scenario, its file, its undo stack.

Every edit goes through :meth:`ScenarioDocument.set_values`, which validates
the new values with :func:`~tcoapp.scenario.schema.with_values` and pushes a
labelled :class:`ChangeValuesCommand` ("Change Demand growth") on the
document's :class:`QUndoStack`. Widgets never hold their own copy of the truth:
they listen to :attr:`ScenarioDocument.changed`, which is emitted only when the
scenario really changes (glue's ``core/command.py`` pattern).
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import Any, Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from tcoapp.scenario.files import FileStamp, load_scenario_with_stamp, save_scenario
from tcoapp.scenario.schema import Scenario, get_path, numeric_field_paths, with_values

#: Titles of the non-numeric fields, for undo labels.
_TEXT_TITLES = {
    "name": "Scenario name", "notes": "Notes", "currency": "Currency", "start_month": "Start month",
    "finance.basis": "Accounting basis", "model.name": "Model name", "training.chip": "Training chip",
    "training.precision": "Training precision", "training.procurement": "Training hardware",
    "inference.deployment": "Deployment", "inference.chip": "Inference chip",
    "inference.precision": "Inference precision", "chips": "Custom chips", "uncertainty": "Uncertainty",
}

_COMMAND_IDS = itertools.count(1000)
_PATH_COMMAND_IDS: dict[str, int] = {}


def field_title(path: str) -> str:
    """The user's name of a field, e.g. ``"Demand growth"`` for ``inference.annual_growth``."""
    numeric = numeric_field_paths().get(path)
    if numeric is not None:
        return numeric.title
    return _TEXT_TITLES.get(path, path)


def _command_id(paths: tuple[str, ...]) -> int:
    """A stable QUndoCommand id per single edited field, so typing into one field merges."""
    if len(paths) != 1:
        return -1
    if paths[0] not in _PATH_COMMAND_IDS:
        _PATH_COMMAND_IDS[paths[0]] = next(_COMMAND_IDS)
    return _PATH_COMMAND_IDS[paths[0]]


class ChangeValuesCommand(QUndoCommand):
    """Replace the document's scenario by a validated copy with some fields changed.

    Consecutive edits of the same single field merge into one command when
    ``mergeable`` (a spin box being stepped) and less than :attr:`MERGE_SECONDS`
    apart, so one Undo reverts the whole burst but not yesterday's edit.
    """

    MERGE_SECONDS = 1.5

    def __init__(self, document: "ScenarioDocument", before: Scenario, after: Scenario, paths: tuple[str, ...],
                 label: str, mergeable: bool):
        super().__init__(label)
        self._document = document
        self._before = before
        self._after = after
        self._paths = paths
        self._mergeable = mergeable
        self._time = time.monotonic()

    def id(self) -> int:  # noqa: A003 - Qt's name
        return _command_id(self._paths) if self._mergeable else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, ChangeValuesCommand) or other._paths != self._paths or not other._mergeable:
            return False
        if other._time - self._time > self.MERGE_SECONDS:
            return False
        self._after = other._after
        self._time = other._time
        if self._after == self._before:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self._document._replace(self._after, self._paths)

    def undo(self) -> None:
        self._document._replace(self._before, self._paths)


class ScenarioDocument(QObject):
    """A scenario being edited, with its file path, dirty flag and undo history.

    Signals
    -------
    changed(list)
        The scenario changed; the argument lists the edited field paths
        (empty when the whole scenario was replaced).
    path_changed(str)
        The file the document is saved to changed.
    dirty_changed(bool)
        The document became modified or clean.
    """

    changed = Signal(list)
    path_changed = Signal(str)
    dirty_changed = Signal(bool)

    _untitled_numbers = itertools.count(1)

    def __init__(self, scenario: Scenario, path: str | Path | None = None, parent: QObject | None = None,
                 untitled_name: str | None = None):
        super().__init__(parent)
        self._scenario = scenario
        self._path = _absolute(path) if path else None
        #: What the file held when this document last read or wrote it (None: not known).
        self.disk_stamp: FileStamp | None = None
        self._untitled = 0 if path else next(self._untitled_numbers)
        self._untitled_name = untitled_name
        self.start_sample = False
        self.undo_stack = QUndoStack(self)
        # A bound method, not a lambda: Qt drops the connection when this document (the receiver) is
        # destroyed, before its undo stack, whose last cleanChanged would reach a deleted signal source.
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.autosave_id = f"doc{id(self):x}"

    def _on_clean_changed(self, clean: bool) -> None:
        try:
            self.dirty_changed.emit(not clean)
        except RuntimeError:  # being destroyed: nobody is listening any more
            pass

    # -- reading ---------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def value(self, path: str) -> Any:
        return get_path(self._scenario, path)

    def display_name(self) -> str:
        """The file name, or "Untitled N" for a document never saved."""
        if self._path is not None:
            return self._path.name
        return self._untitled_name or f"Untitled {self._untitled}"

    # -- editing ---------------------------------------------------------------------------------
    def set_values(self, values: Mapping[str, Any], label: str | None = None, mergeable: bool = False) -> bool:
        """Apply edits as one undoable command.

        Returns False (and pushes nothing) when nothing changes. Raises
        :class:`~tcoapp.scenario.errors.ScenarioError` when a value breaks a rule;
        the document is then untouched.
        """
        after = with_values(self._scenario, dict(values))
        if after == self._scenario:
            return False
        paths = tuple(values)
        if label is None:
            titles = ", ".join(field_title(p) for p in paths)
            label = f"Change {titles}"
        self.undo_stack.push(ChangeValuesCommand(self, self._scenario, after, paths, label, mergeable))
        return True

    def set_value(self, path: str, value: Any, mergeable: bool = False) -> bool:
        """Apply one edit; see :meth:`set_values`."""
        return self.set_values({path: value}, mergeable=mergeable)

    def replace_scenario(self, scenario: Scenario, label: str) -> bool:
        """Replace the whole scenario as one undoable command (e.g. applying a goal-seek result)."""
        if scenario == self._scenario:
            return False
        self.undo_stack.push(ChangeValuesCommand(self, self._scenario, scenario, (), label, False))
        return True

    def _replace(self, scenario: Scenario, paths: tuple[str, ...]) -> None:
        if scenario == self._scenario:
            return
        self._scenario = scenario
        self.changed.emit(list(paths))

    # -- files -----------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, parent: QObject | None = None) -> "ScenarioDocument":
        """Load a ``.tco`` file; raises ScenarioError naming the file, field and rule."""
        scenario, stamp = load_scenario_with_stamp(path)
        document = cls(scenario, Path(path), parent)
        document.disk_stamp = stamp
        return document

    def changed_on_disk(self) -> bool:
        """Whether the file was changed by someone else since this document read or wrote it.

        False for a document without a file, or whose file's content was never
        known (a recovered document: its file is checked on the first save), or
        whose file is gone (saving simply writes it again).
        """
        if self._path is None or self.disk_stamp is None or not self._path.exists():
            return False
        return not self.disk_stamp.matches(self._path)

    def save(self, path: str | Path | None = None) -> None:
        """Write the scenario atomically; raises ScenarioError. Marks the document clean."""
        target = _absolute(path) if path is not None else self._path
        if target is None:
            raise ValueError("the document has no file yet: give a path")
        self.disk_stamp = save_scenario(self._scenario, target)
        if target != self._path:
            self._path = target
            self.path_changed.emit(str(target))
        self.undo_stack.setClean()

    def reload(self) -> None:
        """Replace the scenario by the file's current content, as one undoable step; raises ScenarioError.

        The document is then clean (it equals the file); Undo brings the user's
        version back, unsaved.
        """
        if self._path is None:
            raise ValueError("the document has no file to reload")
        scenario, stamp = load_scenario_with_stamp(self._path)
        self.replace_scenario(scenario, "Reload from disk")
        self.disk_stamp = stamp
        self.undo_stack.setClean()

    def mark_dirty(self) -> None:
        """Mark a recovered document as unsaved (its clean state is unknown)."""
        self.undo_stack.resetClean()
        self.dirty_changed.emit(True)


def _absolute(path: str | os.PathLike[str]) -> Path:
    """The path made absolute against the current folder now, so a later change of folder
    (or a recovery started elsewhere) never ties the document to another file."""
    return Path(os.path.abspath(path))
