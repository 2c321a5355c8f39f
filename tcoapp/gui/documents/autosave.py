"""The user's data folder: settings (recent files, last file) and autosaves with crash recovery.

The folder is ``platformdirs.user_data_dir("tcoapp")``, or ``$TCOAPP_DATA_DIR``
when set (tests point it at a temporary folder).

Each running window autosaves its unsaved documents into its own session
folder ``autosave/<pid>-<start time>/`` (the scenario as a ``.tco`` file next
to a small JSON note naming the file it belongs to) and deletes the folder
when it closes normally (programme windows share one folder per process,
``<pid>-<start>-programmes``). A session folder whose process is gone is what a
crash left behind: the next start offers to recover it. Recovered work is
autosaved into the new session before the old folder is deleted, so a second
crash (even during the recovery) still finds it; declined work is deleted only
when the user confirms.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import FileStamp, load_scenario, save_scenario
from tcoapp.scenario.schema import Scenario

MAX_RECENT = 10


def data_dir() -> Path:
    """The user's tcoapp data folder (created when needed)."""
    override = os.environ.get("TCOAPP_DATA_DIR")
    if override:
        folder = Path(override)
    else:
        import platformdirs

        folder = Path(platformdirs.user_data_dir("tcoapp", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- settings --------------------------------------------------------------------------------------

def _settings_path() -> Path:
    return data_dir() / "settings.json"


def load_settings() -> dict[str, Any]:
    """The saved settings; an unreadable file counts as none."""
    try:
        data = json.loads(_settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_settings(settings: dict[str, Any]) -> None:
    """Write the settings through a temporary file and a rename."""
    path = _settings_path()
    temporary = path.with_suffix(".tmp")
    try:
        temporary.write_text(json.dumps(settings, indent=2), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # settings are a convenience; never fail the app over them


def recent_files() -> list[str]:
    """Recently opened or saved files, newest first, those that still exist."""
    files = load_settings().get("recent_files", [])
    return [f for f in files if isinstance(f, str) and Path(f).is_file()][:MAX_RECENT]


def add_recent_file(path: str | Path) -> list[str]:
    """Put ``path`` first in the recent files and remember it as the last file."""
    path = str(Path(path).resolve())
    settings = load_settings()
    files = [f for f in settings.get("recent_files", []) if f != path]
    settings["recent_files"] = [path, *files][:MAX_RECENT]
    settings["last_file"] = path
    save_settings(settings)
    return settings["recent_files"]


def clear_recent_files() -> None:
    settings = load_settings()
    settings["recent_files"] = []
    save_settings(settings)


def last_file() -> str | None:
    """The file the user last opened or saved, if it still exists."""
    path = load_settings().get("last_file")
    return path if isinstance(path, str) and Path(path).is_file() else None


# -- autosave --------------------------------------------------------------------------------------

def _autosave_root() -> Path:
    return data_dir() / "autosave"


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _younger_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


@dataclass
class Recovered:
    """One autosaved scenario left behind by a session that did not close."""

    scenario: Scenario
    original_path: str | None
    display_name: str
    saved_at: float
    session: Path
    disk_stamp: FileStamp | None = None


class AutosaveSession:
    """The autosave folder of this running window."""

    def __init__(self) -> None:
        self.folder = _autosave_root() / f"{os.getpid()}-{int(time.time() * 1000)}"
        self._created = False

    def _ensure(self) -> None:
        if not self._created:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / "session.json").write_text(json.dumps({"pid": os.getpid(), "started": time.time()}),
                                                      encoding="utf-8")
            self._created = True

    def write(self, key: str, scenario: Scenario, original_path: str | os.PathLike[str] | None,
              display_name: str, disk_stamp: FileStamp | None = None) -> Path:
        """Autosave one document (atomically, like a normal save).

        The note keeps the document's file as an absolute path (a recovery started
        in another folder must not tie the work to another file of the same name)
        and the stamp of that file as the document last knew it, so that saving
        the recovered work still notices a change made on disk meanwhile.
        """
        self._ensure()
        target = self.folder / f"{key}.tco"
        save_scenario(scenario, target)
        note = {"original_path": os.path.abspath(original_path) if original_path else None,
                "display_name": display_name, "saved_at": time.time(),
                "disk_stamp": dataclasses.asdict(disk_stamp) if disk_stamp is not None else None}
        _write_atomically(self.folder / f"{key}.json", json.dumps(note))
        return target

    def remove(self, key: str) -> None:
        """Forget the autosave of a document that was saved or closed."""
        for suffix in (".tco", ".json"):
            (self.folder / f"{key}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        """A normal exit: nothing to recover."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def find_recoverable() -> list[Recovered]:
    """Autosaves of sessions whose process has ended (a crash), oldest session first."""
    root = _autosave_root()
    if not root.is_dir():
        return []
    found: list[Recovered] = []
    for session in sorted(root.iterdir()):
        if not session.is_dir() or is_programme_session(session):  # programmes: find_recoverable_programmes
            continue
        try:
            info = json.loads((session / "session.json").read_text(encoding="utf-8"))
            pid = int(info["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            pid = -1
            if _younger_than(session, 60):
                continue
        if pid > 0 and _process_alive(pid):
            continue
        for tco in sorted(session.glob("*.tco")):
            try:
                note = json.loads(tco.with_suffix(".json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                note = {}
            try:
                scenario = load_scenario(tco)
            except ScenarioError:
                continue
            original = note.get("original_path")
            if not (isinstance(original, str) and os.path.isabs(original)):
                original = None  # an older note's relative path names no particular file: save asks for one
            found.append(Recovered(scenario, original, note.get("display_name") or tco.stem,
                                   float(note.get("saved_at") or tco.stat().st_mtime), session,
                                   _stamp_from_note(note.get("disk_stamp"))))
    return found


def _stamp_from_note(data: Any) -> FileStamp | None:
    try:
        return FileStamp(int(data["mtime_ns"]), int(data["size"]), str(data["sha256"]))
    except (KeyError, TypeError, ValueError):
        return None


# -- programme autosaves ---------------------------------------------------------------------------
# Programme windows are not tied to a main window, so this process keeps one session folder for all of
# them, "<pid>-<start ms>-programmes" (the start time: a later process given the same pid never writes
# over a crashed session's autosaves). It has a session.json like a window's session, so
# :func:`stale_sessions` and :func:`discard_sessions` treat it the same way.

_PROGRAMME_SESSION_NAME = f"{os.getpid()}-{int(time.time() * 1000)}-programmes"


def programme_session_folder() -> Path:
    """This process's folder for programme autosaves (created, with its session.json, when needed)."""
    if not _PROGRAMME_SESSION_NAME.startswith(f"{os.getpid()}-"):
        _renew_programme_session_name()  # a forked child is another session
    folder = _autosave_root() / _PROGRAMME_SESSION_NAME
    folder.mkdir(parents=True, exist_ok=True)
    session = folder / "session.json"
    if not session.exists():
        _write_atomically(session, json.dumps({"pid": os.getpid(), "started": time.time()}))
    return folder


def _renew_programme_session_name() -> None:
    global _PROGRAMME_SESSION_NAME
    _PROGRAMME_SESSION_NAME = f"{os.getpid()}-{int(time.time() * 1000)}-programmes"


def is_programme_session(folder: Path) -> bool:
    return folder.name.endswith("-programmes")


def remove_empty_programme_session(folder: Path) -> None:
    """Delete a programme session folder of this process that holds no autosave any more (a normal exit
    leaves nothing behind)."""
    try:
        if is_programme_session(folder) and not any(p.suffix == ".tco" for p in folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass


def discard_sessions(sessions: set[Path]) -> None:
    """Delete recovered (or declined) session folders."""
    for session in sessions:
        shutil.rmtree(session, ignore_errors=True)


def stale_sessions() -> set[Path]:
    """Session folders of ended processes, empty ones included."""
    root = _autosave_root()
    if not root.is_dir():
        return set()
    out = set()
    for session in root.iterdir():
        try:
            pid = int(json.loads((session / "session.json").read_text(encoding="utf-8"))["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            pid = -1
            if _younger_than(session, 60):  # another window may be creating it right now
                continue
        if not (pid > 0 and _process_alive(pid)):
            out.add(session)
    return out
