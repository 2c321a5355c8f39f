"""A programme being edited: an observable document with labelled undo commands.

Every edit builds a new, fully validated :class:`~tcoapp.scenario.programme.Programme`
(every workload's scenario rules included) and pushes one :class:`ProgrammeCommand`
that swaps the whole programme; a rejected edit raises
:class:`~tcoapp.scenario.errors.ScenarioError` and leaves the document untouched.

Field edits come from the scenario editor as scenario paths of the selected
workload: the shared ones (``finance.``, ``facility.``, ``chips``, ``currency``,
``start_month``, ``horizon_years``) change the programme's shared sections (every
workload), the others that workload alone.

Files follow the scenario document's rules: the document keeps the
:class:`~tcoapp.scenario.files.FileStamp` of what it read or wrote, so a save can
first notice a change made on disk by someone else (:meth:`changed_on_disk`,
:meth:`reload`), and a read-only file is refused.

Autosave: :meth:`ProgrammeDocument.autosave` writes the programme atomically into
this process's programme session folder of the app's autosave folder
(:func:`tcoapp.gui.documents.autosave.programme_session_folder`) as
``programme-<id>.tco`` with a ``.json`` note naming its file absolutely;
:func:`find_recoverable_programmes` lists those left by a session that did not
close, and start-up recovery offers them with the scenarios.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from tcoapp.scenario.errors import ScenarioError, scenario_error_from_validation
from tcoapp.scenario.files import FileStamp
from tcoapp.scenario.programme import (
    Programme, Workload, import_scenario, load_programme, load_programme_with_stamp, save_programme, unique_name,
    workload_scenario, workload_scenarios,
)
from tcoapp.scenario.schema import Scenario, with_values

from tcoapp.gui.documents import autosave as _autosave
from tcoapp.gui.documents.document import ScenarioDocument, field_title

#: Scenario paths (first part) that are a programme's shared sections.
SHARED_HEADS = ("finance", "facility", "chips", "currency", "start_month", "horizon_years")
_ids = itertools.count(1)


def is_shared_path(path: str) -> bool:
    """Whether a scenario field path edits the programme's shared sections."""
    return path.split(".", 1)[0].split("[", 1)[0] in SHARED_HEADS


def _validated(data: dict) -> Programme:
    try:
        programme = Programme.model_validate(data)
    except ValidationError as error:
        raise scenario_error_from_validation(error, Programme) from None
    workload_scenarios(programme)
    return programme


def _workload_from_scenario(scenario: Scenario, name: str, notes: str) -> dict:
    data = {"name": name, "notes": notes, "model": scenario.model.model_dump(),
            "inference": scenario.inference.model_dump(), "business": scenario.business.model_dump()}
    data["training"] = scenario.training.model_dump()
    return data


def _renamed_uncertainty(uncertainty: dict, old: str, new: str) -> dict:
    """The uncertainty section with workload ``old``'s inputs ("old/section.field") named for ``new``."""
    prefix = f"{old}/"
    return {(f"{new}/{key[len(prefix):]}" if key.startswith(prefix) else key): value
            for key, value in uncertainty.items()}


class ProgrammeCommand(QUndoCommand):
    """One labelled change of the programme: swaps the whole (immutable) programme.

    ``selection`` is the workload index to select after redo (``undo_selection`` after undo).
    Consecutive ``mergeable`` edits of the same fields of the same workload merge (typing).
    """

    def __init__(self, document: "ProgrammeDocument", before: Programme, after: Programme, label: str,
                 selection: int | None = None, undo_selection: int | None = None, merge_key: tuple | None = None):
        super().__init__(label)
        self.document, self.before, self.after = document, before, after
        self.selection, self.undo_selection, self.merge_key = selection, undo_selection, merge_key

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 0x5052 if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, ProgrammeCommand) or other.merge_key != self.merge_key or self.merge_key is None:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.document._replace(self.after, self.selection)

    def undo(self) -> None:
        self.document._replace(self.before, self.undo_selection)


class ProgrammeDocument(QObject):
    """A programme with its file path, dirty flag and undo history.

    Signals
    -------
    changed(int)
        The programme changed; the argument is the workload index to select (-1: keep the selection).
    path_changed(str)
    dirty_changed(bool)
    """

    changed = Signal(int)
    path_changed = Signal(str)
    dirty_changed = Signal(bool)

    def __init__(self, programme: Programme, path: str | Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._programme = programme
        self._path = Path(os.path.abspath(path)) if path else None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        #: What the file held when this document last read or wrote it (None: not known).
        self.disk_stamp: FileStamp | None = None
        self.autosave_id = f"programme-{os.getpid()}-{next(_ids)}"
        self._autosave_folder: Path | None = None

    def _on_clean_changed(self, clean: bool) -> None:
        try:
            self.dirty_changed.emit(not clean)
        except RuntimeError:
            pass

    # -- reading ---------------------------------------------------------------------------------
    @property
    def programme(self) -> Programme:
        return self._programme

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        return self._path.name if self._path is not None else (self._programme.name or "Untitled programme")

    def workload_scenario(self, index: int) -> Scenario:
        """Workload ``index`` as a scenario (shared sections plus its own)."""
        return workload_scenario(self._programme, index)

    # -- editing ---------------------------------------------------------------------------------
    def _push(self, after: Programme, label: str, selection: int | None = None, undo_selection: int | None = None,
              merge_key: tuple | None = None) -> bool:
        if after == self._programme:
            return False
        self.undo_stack.push(ProgrammeCommand(self, self._programme, after, label, selection, undo_selection,
                                              merge_key))
        return True

    def _replace(self, programme: Programme, selection: int | None) -> None:
        self._programme = programme
        self.changed.emit(-1 if selection is None else selection)

    def set_scenario_values(self, index: int, values: Mapping[str, Any], label: str | None = None,
                            mergeable: bool = False) -> bool:
        """Apply scenario-path edits of workload ``index``: shared paths go to the shared sections, the others
        to the workload. Raises ScenarioError (naming ``workloads[i].path`` for a workload rule)."""
        programme = self._programme
        workload = programme.workloads[index]
        if "name" in values:
            self._check_new_name(index, values["name"])
        scenario = with_values(workload_scenario(programme, index), dict(values))
        data = programme.model_dump()
        shared = [p for p in values if is_shared_path(p)]
        for key in ("currency", "start_month", "horizon_years"):
            data[key] = getattr(scenario, key)
        data["finance"] = scenario.finance.model_dump()
        data["facility"] = scenario.facility.model_dump()
        data["chips"] = [chip.model_dump() for chip in scenario.chips]
        had_training = workload.training is not None
        entry = _workload_from_scenario(scenario, scenario.name, scenario.notes)
        if not had_training and not any(p.startswith("training.") for p in values):
            entry.pop("training")  # left out stays left out unless the user edits training
        data["workloads"][index] = entry
        if scenario.name != workload.name:  # a renamed workload keeps its uncertain inputs
            data["uncertainty"] = _renamed_uncertainty(data.get("uncertainty", {}), workload.name, scenario.name)
        after = _validated(data)
        if label is None and list(values) == ["name"]:
            label = f"Rename workload {workload.name} to {scenario.name}"
        if label is None:
            titles = ", ".join(field_title(p) for p in values)
            label = f"Change {titles} (shared)" if shared else f"Change {workload.name}: {titles}"
        return self._push(after, label, index, index, ("set", index, tuple(values)) if mergeable else None)

    def set_shared_values(self, values: Mapping[str, Any], label: str | None = None) -> bool:
        """Edit shared fields (``finance.x``, ``facility.x``, ``currency`` ...); applies to every workload."""
        bad = [p for p in values if not is_shared_path(p)]
        if bad:
            raise ScenarioError("is not a shared field of a programme", path=bad[0])
        return self.set_scenario_values(0, values, label)

    def _check_new_name(self, index: int, name: Any) -> None:
        """A workload's new name may not be another workload's (the error names the renamed one)."""
        for other, existing in enumerate(self._programme.names):
            if other != index and existing == name:
                raise ScenarioError(f"is already the name of another workload (workloads[{other}]); names must "
                                    "be unique",
                                    path=f"workloads[{index}].name", value=name)

    def rename_workload(self, index: int, name: str) -> bool:
        self._check_new_name(index, name)
        data = self._programme.model_dump()
        old = data["workloads"][index]["name"]
        data["workloads"][index]["name"] = name
        data["uncertainty"] = _renamed_uncertainty(data.get("uncertainty", {}), old, name)
        try:
            after = _validated(data)
        except ScenarioError as error:
            raise ScenarioError(error.rule, path=f"workloads[{index}].name", value=name) from None
        return self._push(after, f"Rename workload {old} to {name}", index, index)

    def _unique(self, base: str) -> str:
        return unique_name(base, self._programme.names)

    def add_workload(self) -> int:
        """Append a new workload (a copy of the last one's model and demand, renamed); returns its index."""
        data = self._programme.model_dump()
        entry = dict(data["workloads"][-1])
        entry["name"] = self._unique("New workload")
        entry["notes"] = ""
        data["workloads"].append(entry)
        index = len(data["workloads"]) - 1
        self._push(_validated(data), f"Add workload {entry['name']}", index, None)
        return index

    def duplicate_workload(self, index: int) -> int:
        data = self._programme.model_dump()
        entry = dict(data["workloads"][index])
        entry["name"] = self._unique(f"{entry['name']} copy")
        data["workloads"].insert(index + 1, entry)
        self._push(_validated(data), f"Duplicate workload {data['workloads'][index]['name']}", index + 1, index)
        return index + 1

    def remove_workload(self, index: int) -> bool:
        if len(self._programme.workloads) <= 1:
            raise ScenarioError("must hold at least one workload: the last one cannot be removed", path="workloads")
        data = self._programme.model_dump()
        removed = data["workloads"].pop(index)
        prefix = f"{removed['name']}/"
        data["uncertainty"] = {k: v for k, v in data.get("uncertainty", {}).items() if not k.startswith(prefix)}
        return self._push(_validated(data), f"Remove workload {removed['name']}",
                          min(index, len(data["workloads"]) - 1), index)

    def move_workload(self, index: int, to: int) -> bool:
        count = len(self._programme.workloads)
        if not (0 <= index < count and 0 <= to < count) or index == to:
            return False
        data = self._programme.model_dump()
        entry = data["workloads"].pop(index)
        data["workloads"].insert(to, entry)
        return self._push(_validated(data), f"Move workload {entry['name']}", to, index)

    def import_workload(self, scenario: Scenario, name: str | None = None) -> tuple[int, list[str]]:
        """Append a scenario as a workload; returns its index and the shared values it left behind."""
        workload, left = import_scenario(self._programme, scenario, name)
        data = self._programme.model_dump()
        data["workloads"].append(workload.model_dump())
        index = len(data["workloads"]) - 1
        self._push(_validated(data), f"Import workload {workload.name}", index, None)
        return index, left

    # -- files -----------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, parent: QObject | None = None) -> "ProgrammeDocument":
        """Load a programme file; raises ScenarioError naming the file, field and rule."""
        programme, stamp = load_programme_with_stamp(path)
        document = cls(programme, path, parent)
        document.disk_stamp = stamp
        return document

    # the same rules as a scenario document's (they read only ``_path``, ``disk_stamp`` and the undo stack)
    changed_on_disk = ScenarioDocument.changed_on_disk
    mark_dirty = ScenarioDocument.mark_dirty

    def save(self, path: str | Path | None = None) -> None:
        """Write the programme atomically; raises ScenarioError (a read-only file is refused, left unchanged).
        Marks the document clean and forgets its autosave."""
        target = Path(os.path.abspath(path)) if path is not None else self._path
        if target is None:
            raise ValueError("the programme has no file yet: give a path")
        self.disk_stamp = save_programme(self._programme, target)
        if target != self._path:
            self._path = target
            self.path_changed.emit(str(target))
        self.undo_stack.setClean()
        self.remove_autosave()

    def reload(self) -> None:
        """Replace the programme by the file's current content, as one undoable step; raises ScenarioError.

        The document is then clean (it equals the file); Undo brings the user's version back, unsaved."""
        if self._path is None:
            raise ValueError("the programme has no file to reload")
        programme, stamp = load_programme_with_stamp(self._path)
        self._push(programme, "Reload from disk", None, None)
        self.disk_stamp = stamp
        self.undo_stack.setClean()
        self.remove_autosave()

    # -- autosave --------------------------------------------------------------------------------
    def autosave(self) -> Path:
        """Write the programme (atomically) to this session's autosave folder with a note naming its file
        (absolutely) and the stamp of that file as this document last knew it."""
        folder = _autosave.programme_session_folder()
        target = folder / f"{self.autosave_id}.tco"
        save_programme(self._programme, target)
        note = {"kind": "programme", "original_path": str(self._path) if self._path else None,
                "display_name": self.display_name(), "saved_at": time.time(),
                "disk_stamp": dataclasses.asdict(self.disk_stamp) if self.disk_stamp is not None else None}
        _autosave._write_atomically(folder / f"{self.autosave_id}.json", json.dumps(note))
        self._autosave_folder = folder
        return target

    def remove_autosave(self) -> None:
        """Forget this document's autosave (saved, reloaded or discarded); an emptied session folder goes too."""
        if self._autosave_folder is not None:
            for suffix in (".tco", ".json"):
                (self._autosave_folder / f"{self.autosave_id}{suffix}").unlink(missing_ok=True)
            _autosave.remove_empty_programme_session(self._autosave_folder)


@dataclass
class RecoveredProgramme:
    """One autosaved programme left behind by a session that did not close."""

    programme: Programme
    original_path: str | None
    display_name: str
    autosave_file: Path
    disk_stamp: FileStamp | None = None


def find_recoverable_programmes(include_alive: bool = False) -> list[tuple[Programme, dict, Path]]:
    """Autosaved programmes of sessions whose process has ended (``include_alive``: of every session):
    ``(programme, note, autosave file)``; unreadable ones are skipped."""
    root = _autosave._autosave_root()
    out = []
    if not root.is_dir():
        return out
    for folder in sorted(root.glob("*-programmes")):
        try:
            pid = int(json.loads((folder / "session.json").read_text(encoding="utf-8"))["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not include_alive and _autosave._process_alive(pid):
            continue
        for note_path in sorted(folder.glob("programme-*.json")):
            try:
                note = json.loads(note_path.read_text(encoding="utf-8"))
                programme = load_programme(note_path.with_suffix(".tco"))
            except (OSError, ValueError, ScenarioError):
                continue
            out.append((programme, note, note_path.with_suffix(".tco")))
    return out


def recoverable_programmes() -> list[RecoveredProgramme]:
    """:func:`find_recoverable_programmes` as start-up recovery uses it: the note's file only when it is an
    absolute path (an older note's relative path names no particular file: saving then asks for one)."""
    out = []
    for programme, note, autosave_file in find_recoverable_programmes():
        original = note.get("original_path")
        if not (isinstance(original, str) and os.path.isabs(original)):
            original = None
        out.append(RecoveredProgramme(programme, original, str(note.get("display_name") or autosave_file.stem),
                                      autosave_file, _autosave._stamp_from_note(note.get("disk_stamp"))))
    return out
