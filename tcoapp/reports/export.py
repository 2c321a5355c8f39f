"""Writing exports to disk: the Excel workbook, CSV tables, PNG and SVG figures.

Every file is written the way scenarios are saved: to a temporary file in the
target's folder, flushed, then renamed over the target, so an interrupted or
failed export never leaves a half-written file and never damages the file that
was there. A target that cannot be written (a read-only file, a directory, a
missing folder) raises :class:`ExportError` with a one-line message before
anything is written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Mapping

from tcoapp.scenario.files import fsync_folder, remove_stale_temporaries, temporary_pattern

#: File name suffixes of the tables written by :func:`write_csv`.
CSV_TABLES = ("monthly", "yearly")


class ExportError(Exception):
    """A target that cannot be written, in one line: ``out.xlsx: cannot write: folder 'x' does not exist``."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: cannot write: {reason}")


def _is_read_only(path: Path) -> bool:
    """Whether an existing file is read-only (by its permission bits, so also for root)."""
    mode = path.stat().st_mode
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def check_file_target(path) -> Path:
    """The resolved target file, after checking that it can be written.

    Raises
    ------
    ExportError
        If it is a directory or a special file (FIFO, device), its folder does not exist, or it is read-only.
    """
    shown = path
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise ExportError(shown, "it is a directory; give a file name")
    named = Path(os.path.abspath(path))
    if target != named and target.exists() and target.suffix.lower() != named.suffix.lower():
        # A link named out.xlsx to the user's plan.tco: the export would replace the scenario itself.
        raise ExportError(shown, f"it is a link to {str(target)!r}, which is not a {named.suffix or 'same-type'} "
                                 "file; give another name")
    folder = target.parent
    if not folder.exists():
        raise ExportError(shown, f"folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise ExportError(shown, f"{str(folder)!r} is not a folder")
    if target.exists() and not target.is_file():  # a FIFO, a device such as /dev/null, a socket
        from ..scenario.errors import ScenarioError
        from ..scenario.files import check_output_target

        try:
            check_output_target(target)
        except ScenarioError as error:
            raise ExportError(shown, error.rule.removeprefix("cannot write: ")) from None
    if target.exists() and _is_read_only(target):
        raise ExportError(shown, "the file is read-only")
    return target


def check_folder_target(path, create: bool = True) -> Path:
    """The resolved target folder; a missing one (whose parent exists) is created when ``create`` is set.

    With ``create=False`` nothing is created: the folder is only checked to
    exist or to be creatable, so that every target can be checked before any
    file is written.

    Raises
    ------
    ExportError
        If it is a file, or neither it nor its parent folder exists, or it cannot be created.
    """
    shown = path
    folder = Path(os.path.realpath(path))
    if folder.exists() and not folder.is_dir():
        raise ExportError(shown, "it is a file, not a folder")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise ExportError(shown, f"folder {str(folder.parent)!r} does not exist")
        if create:
            try:
                folder.mkdir()
            except OSError as error:
                raise ExportError(shown, _reason(error)) from None
    return folder


def write_atomically(path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)``, then move the finished file onto ``path``.

    The temporary file sits in the target's folder (so the rename is atomic),
    is flushed to disk before the rename and removed on any failure; the folder
    is flushed after the rename. The new file keeps an existing target's
    permissions. Old temporary files of this target that an interrupted export
    left behind are removed.

    Returns
    -------
    Path
        The target.

    Raises
    ------
    ExportError
        If the target cannot be written (checked first) or writing fails with an OS error.
    """
    target = check_file_target(path)
    try:
        handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp",
                                             delete=False)
    except OSError as error:
        raise ExportError(path, _reason(error)) from None
    temporary = Path(handle.name)
    handle.close()
    try:
        write(temporary)
        with open(temporary, "rb+") as finished:
            os.fsync(finished.fileno())
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportError(path, _reason(error)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)
    remove_stale_temporaries(target.parent, temporary_pattern(target.name))
    return target


def _file_mode(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def _reason(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    text = error.strerror or str(error) or type(error).__name__
    return text[:1].lower() + text[1:]


# ---- the exports ------------------------------------------------------------------


def write_excel(path, scenario, result=None, *, tornado: Mapping | None = None, monte_carlo=None,
                warnings: list[str] | None = None) -> Path:
    """Write the workbook of :func:`tcoapp.reports.workbook.build_workbook` to ``path`` atomically.

    Every formula is saved with its computed value cached beside it
    (:func:`tcoapp.reports.workbook.evaluate.save_workbook`), so viewers that do
    not recalculate show the numbers; spreadsheets still recalculate on opening.
    """
    check_file_target(path)  # fail before the work of building
    from .workbook import build_workbook
    from .workbook.evaluate import save_workbook

    workbook = build_workbook(scenario, result, tornado=tornado, monte_carlo=monte_carlo, warnings=warnings)
    return write_atomically(path, lambda temporary: save_workbook(workbook, temporary))


def write_programme_excel(path, programme, result=None) -> Path:
    """Write the workbook of a programme (``reports/programme_workbook``) to ``path`` atomically, values cached."""
    check_file_target(path)
    from .programme_workbook import build_programme_workbook
    from .workbook.evaluate import save_workbook

    workbook = build_programme_workbook(programme, result)
    return write_atomically(path, lambda temporary: save_workbook(workbook, temporary))


#: Significant digits written to CSV: a cent on a trillion, without binary noise such as
#: ``0.30000000000000004`` or ``-0``.
CSV_DIGITS = 12


def csv_ready(table):
    """The table with float columns rounded to :data:`CSV_DIGITS` significant digits and no ``-0``.

    A value smaller than a 1e-9 part of its column's largest is float noise and becomes 0.

    >>> import pandas as pd
    >>> csv_ready(pd.DataFrame({"x": [0.1 + 0.2, -1e-14, 2.0], "n": [1, 2, 3]})).to_dict("list")
    {'x': [0.3, 0.0, 2.0], 'n': [1, 2, 3]}
    """
    import numpy as np

    out = table.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype.kind != "f":
            continue
        values = column.to_numpy(dtype=float, copy=True)
        finite = np.isfinite(values)
        scale = np.max(np.abs(values[finite])) if finite.any() else 0.0
        values[finite & (np.abs(values) <= 1e-9 * scale)] = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            magnitude = np.where(finite & (values != 0), np.floor(np.log10(np.abs(values))), 0)
        decimals = (CSV_DIGITS - 1 - magnitude).astype(int)
        values = np.array([round(v, int(d)) if f else v for v, d, f in zip(values, decimals, finite)])
        out[name] = values + 0.0  # -0.0 + 0.0 is +0.0
    return out


def write_table_csv(path, table) -> Path:
    """Write a DataFrame as UTF-8 CSV (comma, ``.`` decimal point) atomically, rounded by :func:`csv_ready`."""
    ready = csv_ready(table)
    return write_atomically(path, lambda tmp: ready.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n"))


def write_csv(folder, report: dict, stem: str) -> list[Path]:
    """Write ``<stem>-monthly.csv`` and ``<stem>-yearly.csv`` into ``folder`` (created if missing)."""
    from .tables import monthly_table, yearly_table

    folder = check_folder_target(folder)
    return [write_table_csv(folder / f"{stem}-monthly.csv", monthly_table(report)),
            write_table_csv(folder / f"{stem}-yearly.csv", yearly_table(report))]


def write_figures(folder, report: dict, stem: str, formats: Iterable[str] = ("png",), *,
                  tornado: Mapping | None = None, size=(8, 5), dpi: int = 100) -> list[Path]:
    """Render every report figure (and the tornado when given) as ``<stem>-<figure>.<format>``.

    Parameters
    ----------
    folder : path
        Created if missing (one level).
    formats : iterable of str
        ``"png"``, ``"svg"`` (or ``"pdf"``).
    """
    from .figures import REPORT_FIGURES, draw_tornado, render

    folder = check_folder_target(folder)
    jobs = [(name, fn, report) for name, fn in REPORT_FIGURES.items()]
    if tornado:
        jobs.append(("tornado", draw_tornado, tornado))
    written = []
    for fmt in formats:
        for name, fn, data in jobs:
            target = folder / f"{stem}-{name}.{fmt}"
            written.append(write_atomically(
                target, lambda tmp, fn=fn, data=data, fmt=fmt: render(fn, data, tmp, size=size, dpi=dpi, format=fmt)))
    return written


__all__ = ["ExportError", "check_file_target", "check_folder_target", "write_atomically", "write_excel",
           "write_table_csv", "write_csv", "write_figures", "CSV_TABLES"]
