"""Recalculate .xlsx files with LibreOffice headless (the recipe of shared/DESIGN.md).

Exported workbooks carry cached values computed by tcoapp's own evaluator
(``tcoapp.reports.workbook.evaluate``); a workbook is only proven by a real
spreadsheet engine computing it independently. LibreOffice recalculates every
formula of an .xlsx on load (ignoring the cached values) only when its profile
sets ``OOXMLRecalcMode`` to 0 ("always"); the converted copy then carries
LibreOffice's values, which openpyxl reads with ``data_only=True``.

Conversions take a second or more each: :func:`recalculate` converts a batch of
files in a few ``soffice`` processes running side by side (one profile each,
since one profile cannot be shared by two running instances).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

#: LibreOffice exits 0 even when it failed to load a file; a missing output is the failure signal.
TIMEOUT_SECONDS = 120

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_profile(folder: Path) -> Path:
    """A LibreOffice user profile that recalculates .xlsx formulas on load."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    return folder


def recalculate(files: Iterable[Path], out_dir: Path, jobs: int | None = None,
                timeout: float = TIMEOUT_SECONDS) -> dict[Path, Path]:
    """Open each file in LibreOffice, recalculate it and save a copy in ``out_dir``.

    Parameters
    ----------
    files : iterable of Path
        .xlsx files with distinct names.
    out_dir : Path
        Folder for the recalculated copies (same names); must differ from the inputs' folders.
    jobs : int, optional
        LibreOffice processes run side by side, each with its own profile and
        a share of the files (default 1: on a busy machine more are slower).
    timeout : float, optional
        Seconds allowed for the whole batch.

    Returns
    -------
    dict of Path to Path
        Input file (resolved) -> recalculated copy.

    Raises
    ------
    RuntimeError
        If LibreOffice is missing, times out, or does not produce a copy.
    """
    files = [Path(f).resolve() for f in files]
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; CI installs libreoffice-calc-nogui")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if len({f.name for f in files}) != len(files):
        raise ValueError("files to recalculate in one batch need distinct names")
    if any(f.parent == out_dir for f in files):
        raise ValueError("out_dir must differ from the folders of the files")
    jobs = max(1, min(jobs or 1, len(files)))
    shares = [files[i::jobs] for i in range(jobs)]
    with tempfile.TemporaryDirectory(prefix="tcoapp-lo-profile-") as tmp:
        processes = []
        for i, share in enumerate(shares):
            profile = make_profile(Path(tmp) / f"profile{i}")
            command = [exe, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
                       "--convert-to", "xlsx", "--outdir", str(out_dir), *map(str, share)]
            processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        messages = []
        try:
            for process in processes:
                messages.append(process.communicate(timeout=timeout)[0])
        except subprocess.TimeoutExpired as error:
            for process in processes:
                process.kill()
                process.wait()
            raise RuntimeError(f"LibreOffice timed out after {timeout:g} s") from error
    results = {}
    for f in files:
        copy = out_dir / f.name
        if not copy.exists():
            raise RuntimeError(f"LibreOffice did not convert {f.name}: {' '.join(messages).strip()}")
        results[f] = copy
    return results
