"""Reading and writing ``.tco`` scenario files.

A file carries ``"format": "tcoapp-scenario"`` and a ``schema_version``. A file
from an older version is upgraded one step at a time through :data:`MIGRATIONS`
before it is validated; a file from a newer version is refused rather than
half-read. Saving is atomic: the new text goes to a temporary file in the same
folder, is flushed to disk and then renamed over the old file, so a failed save
never damages the file already there.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from tcoapp.scenario.errors import NO_VALUE, ScenarioError, scenario_error_from_validation
from tcoapp.scenario.schema import CURRENT_SCHEMA_VERSION, Scenario

SCENARIO_FORMAT = "tcoapp-scenario"

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""Version ``n`` -> a function turning a version-``n`` scenario dict into version ``n + 1``.

The loader sets ``schema_version`` after each step, so a migration only moves,
renames or converts fields. Every version below :data:`CURRENT_SCHEMA_VERSION`
needs one, and every file a released version wrote stays a test fixture.
"""


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 only adds fields (their defaults reproduce version 1's inputs); nothing moves."""
    return data


MIGRATIONS[1] = _v1_to_v2

MIGRATION_NOTES: dict[int, str] = {
    1: ("This file was written for model version 1. It opens unchanged, but the throughput estimate changed "
        "in version 2 (decode step time is memory time plus compute time, mixture-of-experts "
        "models read the experts a batch touches, and a serving efficiency calibrated per chip scales the "
        "estimate), so cloud and owned costs with estimated throughput differ from version 1's."),
}
"""What a user should be told, once, when a file of version ``n`` is opened."""


def migration_notices(data: Any) -> list[str]:
    """The notes for a parsed file that an upgrade to the current version would apply.

    >>> len(migration_notices({"schema_version": 1})), migration_notices({"schema_version": 2})
    (1, [])
    """
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        return []
    return [MIGRATION_NOTES[v] for v in range(max(version, 1), CURRENT_SCHEMA_VERSION) if v in MIGRATION_NOTES]


def load_scenario_with_notices(path: str | os.PathLike[str]) -> tuple[Scenario, list[str]]:
    """:func:`load_scenario` and the upgrade notes (:func:`migration_notices`) of the file."""
    data = read_json_object(path)
    return scenario_from_dict(data, source=path), migration_notices(data)


def scenario_from_dict(data: Any, source: str | os.PathLike[str] | None = None) -> Scenario:
    """Validate a parsed ``.tco`` document, upgrading it from an older version first.

    Parameters
    ----------
    data : dict
        The JSON object of a scenario file. It is not modified.
    source : str or os.PathLike, optional
        The file it came from, named in errors.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If it is not a tcoapp scenario, comes from a newer app, or breaks a rule.

    Examples
    --------
    >>> s = scenario_from_dict({"format": "tcoapp-scenario", "schema_version": 1,
    ...                         "model": {"params_billion": 8}, "inference": {"requests_per_day": 1000}})
    >>> s.inference.deployment
    'cloud'
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"must be a JSON object {{...}}, not {_json_kind(data)}", file=source)
    if "workloads" in data and "model" not in data and "inference" not in data:  # a programme, badly marked
        raise ScenarioError(
            'must be "tcoapp-programme": the file holds workloads, so it is a programme file',
            path="format", value=data.get("format", NO_VALUE), file=source,
        )
    if data.get("format") != SCENARIO_FORMAT:
        raise ScenarioError(
            f'must be "{SCENARIO_FORMAT}": this is not a tcoapp scenario file',
            path="format", value=data.get("format", NO_VALUE), file=source,
        )
    version = _schema_version(data, source)
    upgraded = copy.deepcopy(data)
    for old_version in range(version, CURRENT_SCHEMA_VERSION):
        upgraded = MIGRATIONS[old_version](upgraded)
        upgraded["schema_version"] = old_version + 1
    try:
        return Scenario.model_validate(upgraded)
    except ValidationError as error:
        raise scenario_error_from_validation(error, Scenario, file=source) from None


def _schema_version(data: dict[str, Any], source: str | os.PathLike[str] | None) -> int:
    """The file's ``schema_version``, checked to be one this app can read."""
    if "schema_version" not in data:
        raise ScenarioError("is required", path="schema_version", file=source)
    version = data["schema_version"]
    if type(version) is not int:
        raise ScenarioError("must be an integer", path="schema_version", value=version, file=source)
    if version < 1:
        raise ScenarioError("must be >= 1", path="schema_version", value=version, file=source)
    if version > CURRENT_SCHEMA_VERSION:
        raise ScenarioError(
            f"newer schema_version {version} than this app reads ({CURRENT_SCHEMA_VERSION}); update tcoapp",
            path="schema_version", value=version, file=source,
        )
    return version


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The JSON-ready document of a scenario, every field included.

    Keys follow the schema's order (``format`` and ``schema_version`` first), so
    saving the same scenario twice gives the same bytes.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    dict
    """
    return scenario.model_dump(mode="json")


def read_json_object(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a UTF-8 JSON file whose top level must be an object.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    dict

    Raises
    ------
    ScenarioError
        With ``file`` set, if the file is missing, a folder, unreadable, not
        UTF-8, not valid JSON or not a JSON object.
    """
    return _parse_json_object(_read_bounded(path)[0], path)


def _parse_json_object(raw: bytes, path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON object in a file's bytes (see :func:`read_json_object`)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        hint = ""
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 1 and 0 in raw[:2]):
            hint = ": it looks like UTF-16 (as some Windows editors save); save it as UTF-8"
        raise ScenarioError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x} at position {error.start}){hint}", file=path,
        ) from None
    if "\x00" in text:  # never in JSON text; UTF-16 without a byte-order mark decodes to this
        raise ScenarioError("not UTF-8 text (it holds NUL bytes): it looks like UTF-16 (as some Windows editors "
                            "save); save it as UTF-8", file=path)
    try:
        data = json.loads(text, object_pairs_hook=_object_without_duplicates)
    except _DuplicateKey as error:
        raise ScenarioError(f"duplicate key {error.key!r}: each key may appear only once in an object",
                            file=path) from None
    except json.JSONDecodeError as error:
        raise ScenarioError(
            f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}", file=path,
        ) from None
    except RecursionError:
        raise ScenarioError("not valid JSON: nested too deeply", file=path) from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise ScenarioError(f"not valid JSON: {str(error).split(';')[0]}", file=path) from None
    if not isinstance(data, dict):
        raise ScenarioError(f"must be a JSON object {{...}}, not {_json_kind(data)}", file=path)
    _check_unicode(data, path)
    return data


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``' object hook: a key given twice is refused (JSON would silently keep the last)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


MAX_SCENARIO_BYTES = 20 * 1024 * 1024
"""The largest scenario file read (20 MB; real ones are a few kB, a big chip catalog well under 1 MB)."""


@dataclass(frozen=True)
class FileStamp:
    """What a file was when it was read or written: to notice a later change by someone else."""

    mtime_ns: int
    size: int
    sha256: str

    def matches(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` still holds the same content (a missing or unreadable file does not match).

        Same modification time and size is taken as unchanged; otherwise the
        content is compared by hash, so a file only touched still matches.
        """
        try:
            info = os.stat(path)
        except OSError:
            return False
        if info.st_mtime_ns == self.mtime_ns and info.st_size == self.size:
            return True
        try:
            raw, _ = _read_bounded(path)
        except ScenarioError:
            return False
        return hashlib.sha256(raw).hexdigest() == self.sha256


def file_stamp(path: str | os.PathLike[str]) -> FileStamp:
    """The stamp of a file as it is now; raises ScenarioError as :func:`read_json_object` does."""
    return _read_bounded(path)[1]


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_output_target(path: str | os.PathLike[str]) -> None:
    """Refuse to write over something that is not a regular file (a FIFO, a device such as
    ``/dev/null``, a socket): a save renames a new file over its target, which would replace the
    special file itself (as root, the system's ``/dev/null``), and writing into a FIFO blocks.

    Raises
    ------
    ScenarioError
        ``"cannot write: it is a named pipe (FIFO), not a regular file; give a file name"``.
    """
    try:
        info = os.stat(path)
    except OSError:
        return  # a new file (a missing folder is reported by the write itself)
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"cannot write: it is {_kind_of(info.st_mode)}, not a regular file; give a file name",
                            file=path)


def read_bounded(path: str | os.PathLike[str], what: str = "scenario files") -> bytes:
    """The bytes of a regular file of at most :data:`MAX_SCENARIO_BYTES` (see :func:`_read_bounded`);
    ``what`` names the kind of file in the size message."""
    try:
        return _read_bounded(path)[0]
    except ScenarioError as error:
        raise ScenarioError(error.rule.replace("scenario files", what), file=path) from None


def _read_bounded(path: str | os.PathLike[str]) -> tuple[bytes, FileStamp]:
    """The bytes of a regular file of at most :data:`MAX_SCENARIO_BYTES`, and their stamp.

    The path is checked with ``stat`` before it is opened, so a FIFO is never
    opened (which would block) and a device such as ``/dev/zero`` never read;
    the file is opened non-blocking and checked again on the open handle, and
    read no further than the limit, so a file that grows while read is refused too.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError("file not found", file=path) from None
    except OSError as error:
        raise ScenarioError(f"cannot read: {_reason(error)}", file=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError("is a folder, not a file", file=path)
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"is {_kind_of(info.st_mode)}, not a regular file", file=path)
    if info.st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"is {_megabytes(info.st_size)}; scenario files are limited to "
                            f"{_megabytes(MAX_SCENARIO_BYTES)}", file=path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except IsADirectoryError:
        raise ScenarioError("is a folder, not a file", file=path) from None
    except OSError as error:
        raise ScenarioError(f"cannot read: {_reason(error)}", file=path) from None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise ScenarioError(f"is {_kind_of(opened.st_mode)}, not a regular file", file=path)
            raw = handle.read(MAX_SCENARIO_BYTES + 1)
    except OSError as error:
        raise ScenarioError(f"cannot read: {_reason(error)}", file=path) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"is more than {_megabytes(MAX_SCENARIO_BYTES)}; scenario files are limited to "
                            f"{_megabytes(MAX_SCENARIO_BYTES)}", file=path)
    return raw, FileStamp(opened.st_mtime_ns, len(raw), hashlib.sha256(raw).hexdigest())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"


def _check_unicode(data: Any, path: str | os.PathLike[str]) -> None:
    """Refuse text holding a lone surrogate escape (``"\\ud800"``): valid JSON, but not Unicode text,
    so it could be neither printed nor saved back as UTF-8."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{where}.{key}" if where else str(key), item) for key, item in value.items())
            texts = list(value)
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
            continue
        else:
            texts = [value] if isinstance(value, str) else []
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ScenarioError("is not valid Unicode text (a lone surrogate escape such as \\ud800)",
                                    path=where or "(top level)", file=path) from None


def _json_kind(value: Any) -> str:
    """What a JSON top level is, in words."""
    if isinstance(value, list):
        return "a list [...]"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return "a number"


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a ``.tco`` file (never modifying it).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With ``file`` set, for any problem: unreadable file, bad JSON, a newer
        version, a broken rule.
    """
    return scenario_from_dict(read_json_object(path), source=path)


def load_scenario_with_stamp(path: str | os.PathLike[str]) -> tuple[Scenario, FileStamp]:
    """:func:`load_scenario`, and the stamp of the very bytes it read (to notice a later change on disk)."""
    raw, stamp = _read_bounded(path)
    return scenario_from_dict(_parse_json_object(raw, path), source=path), stamp


def save_scenario(scenario: Scenario, path: str | os.PathLike[str]) -> FileStamp:
    """Write a scenario to a ``.tco`` file, atomically.

    The text (JSON, indented by 2, UTF-8, ending with a newline) goes to a
    temporary file in the target's folder, is flushed to disk, and then replaces
    the target in one rename; the folder is then flushed too, so the rename
    survives a power cut. On any failure the temporary file is removed and an
    existing target is left exactly as it was. A read-only target is refused
    (a rename would replace it). Hidden temporary files that an interrupted save
    left in the folder (our own pattern, ``.<name>.tco.XXXXXXXX.tmp``, older than
    :data:`STALE_TEMPORARY_SECONDS`) are removed.

    Parameters
    ----------
    scenario : Scenario
    path : str or os.PathLike
        The target; a symbolic link is followed, so the link stays a link.

    Returns
    -------
    FileStamp
        Of the file as written.

    Raises
    ------
    ScenarioError
        ``"cannot write: <reason>"``, with ``file`` set.
    """
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise ScenarioError("cannot write: it is a folder; give a file name", file=path)
    check_output_target(target)
    if target.exists() and is_read_only(target):
        raise ScenarioError("cannot write: the file is read-only; save under another name (Save As)", file=path)
    try:
        text = json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False) + "\n"
        content = text.encode("utf-8")
        _replace_atomically(target, content)
        info = target.stat()
    except FileNotFoundError:
        raise ScenarioError(f"cannot write: folder {str(target.parent)!r} does not exist", file=path) from None
    except (OSError, TypeError, ValueError) as error:
        raise ScenarioError(f"cannot write: {_reason(error)}", file=path) from None
    remove_stale_temporaries(target.parent, _SCENARIO_TEMPORARY)
    return FileStamp(info.st_mtime_ns, len(content), hashlib.sha256(content).hexdigest())


def is_read_only(path: Path) -> bool:
    """Whether an existing file is read-only (by its permission bits, so also for root)."""
    mode = path.stat().st_mode
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


#: How old a leftover temporary file must be before a save removes it (a save in progress is younger).
STALE_TEMPORARY_SECONDS = 600

#: The temporary files of scenario saves: ``.plan.tco.k3j_x9a2.tmp`` (tempfile's 8 random characters).
_SCENARIO_TEMPORARY = re.compile(r"\..+\.tco\.[a-z0-9_]{8}\.tmp")


def temporary_pattern(target_name: str) -> re.Pattern[str]:
    """The names of the temporary files of saves to ``target_name`` (see :func:`replace_atomically`)."""
    return re.compile(rf"\.{re.escape(target_name)}\.[a-z0-9_]{{8}}\.tmp")


def remove_stale_temporaries(folder: Path, pattern: re.Pattern[str],
                             older_than: float = STALE_TEMPORARY_SECONDS) -> list[Path]:
    """Delete regular files in ``folder`` whose whole name matches ``pattern`` and that are old enough.

    Best effort: an unreadable folder or a file that cannot be removed is left alone.
    Returns the files removed.
    """
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk; a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _replace_atomically(target: Path, content: bytes) -> None:
    """Put ``content`` in ``target`` through a flushed temporary file and a rename."""
    temporary = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp",
                                            delete=False)
    temporary_path = Path(temporary.name)
    try:
        with temporary:
            temporary.write(content)
            temporary.flush()
            os.fsync(temporary.fileno())
        os.chmod(temporary_path, _file_mode(target))
        os.replace(temporary_path, target)
    except BaseException:
        temporary_path.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def _file_mode(target: Path) -> int:
    """Permissions for the saved file: the old file's, else the user's default for new files.

    (A temporary file is created readable by its owner only.)
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_user_umask()


@functools.cache
def _user_umask() -> int:
    """The process umask; reading it means setting it, so it is read once."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(error: BaseException) -> str:
    """A short reason for a failed read or write."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
