"""Writing exports: atomic files, clear refusals, and the ``tcoapp-cli export`` command."""

from __future__ import annotations

import csv
import os
import stat
import zipfile

import pytest
from export_cases import variant

from tcoapp.cli.main import main
from tcoapp.paths import samples_dir
from tcoapp.reports.export import (
    ExportError, check_file_target, write_atomically, write_csv, write_excel, write_figures,
)
from tcoapp.reports.report import build_report
from tcoapp.scenario.batch import evaluate

SAMPLE = samples_dir() / "chat-assistant-owned-h100.tco"


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_write_excel_is_a_valid_xlsx(tmp_path):
    target = write_excel(tmp_path / "out.xlsx", variant("cloud"))
    with zipfile.ZipFile(target) as archive:
        assert "xl/workbook.xml" in archive.namelist()
    assert _leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def failing(path):
        path.write_bytes(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_atomically(target, failing)
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_an_os_error_while_writing_is_an_export_error(tmp_path):
    def failing(path):
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="cannot write: no space left on device"):
        write_atomically(tmp_path / "out.xlsx", failing)
    assert _leftovers(tmp_path) == []


def test_overwriting_keeps_the_file_mode(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomically(target, lambda p: p.write_bytes(b"new"))
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("case, message", [
    ("directory", "it is a directory"),
    ("missing folder", "does not exist"),
    ("read-only", "read-only"),
])
def test_unwritable_targets_are_refused_before_writing(tmp_path, case, message):
    if case == "directory":
        target = tmp_path / "folder.xlsx"
        target.mkdir()
    elif case == "missing folder":
        target = tmp_path / "nowhere" / "out.xlsx"
    else:
        target = tmp_path / "out.xlsx"
        target.write_bytes(b"old")
        os.chmod(target, 0o444)
    with pytest.raises(ExportError, match=message):
        check_file_target(target)
    with pytest.raises(ExportError, match=message):
        write_excel(target, variant("cloud"))
    if case == "read-only":
        assert target.read_bytes() == b"old"


def test_csv_tables_hold_the_report(tmp_path):
    scenario = variant("owned_cash_life_2625")
    report = build_report(scenario, evaluate(scenario))
    monthly, yearly = write_csv(tmp_path / "csv", report, "plan")
    assert monthly.name == "plan-monthly.csv" and yearly.name == "plan-yearly.csv"
    with open(monthly, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60
    exact = report["series"]["total"][7]
    written = rows[7]["Total cost (USD)"]
    assert float(written) == pytest.approx(exact, rel=1e-11)  # 12 significant digits: a cent on a trillion
    assert len(written.replace(".", "").replace("-", "").lstrip("0")) <= 12, written
    for row in rows:
        for value in row.values():
            assert value not in ("-0", "-0.0"), row
    with open(yearly, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["Peak inference chips (chips)"]) for r in rows] == report["yearly"]["chips"]


def test_figures_as_png_and_svg(tmp_path):
    scenario = variant("cloud")
    report = build_report(scenario, evaluate(scenario))
    written = write_figures(tmp_path / "fig", report, "plan", ("png", "svg"))
    names = sorted(p.name for p in written)
    assert names == sorted(f"plan-{n}.{ext}" for n in ("monthly-cost", "cumulative", "yearly", "fleet")
                           for ext in ("png", "svg"))
    assert all(p.stat().st_size > 1000 for p in written)
    assert _leftovers(tmp_path / "fig") == []


# ---- the CLI --------------------------------------------------------------------


def test_cli_export_writes_every_format(tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    status = main(["export", str(SAMPLE), "-o", str(out), "--csv", str(tmp_path / "csv"),
                   "--png", str(tmp_path / "png"), "--svg", str(tmp_path / "svg")])
    assert status == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed
    assert out.exists()
    stem = SAMPLE.stem
    assert (tmp_path / "csv" / f"{stem}-monthly.csv").exists()
    assert (tmp_path / "png" / f"{stem}-cumulative.png").exists()
    assert (tmp_path / "svg" / f"{stem}-yearly.svg").exists()


@pytest.mark.parametrize("args, message", [
    ([], "give at least one of"),
    (["-o", "{tmp}/nowhere/plan.xlsx"], "folder '{tmp}/nowhere' does not exist"),
    (["-o", "{tmp}"], "it is a directory"),
    (["-o", "{tmp}/plan.csv"], "must name an .xlsx file"),
    (["-o", "{tmp}/locked.xlsx"], "the file is read-only"),
    (["--csv", "{tmp}/a/b"], "folder '{tmp}/a' does not exist"),
    (["--png", "{tmp}/locked.xlsx"], "it is a file, not a folder"),
])
def test_cli_export_refuses_unwritable_targets(tmp_path, capsys, args, message):
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(b"keep")
    os.chmod(locked, 0o444)
    tmp = str(tmp_path.resolve())
    status = main(["export", str(SAMPLE)] + [a.format(tmp=tmp) for a in args])
    err = capsys.readouterr().err
    assert status == 2
    assert message.format(tmp=tmp) in err
    assert err.count("\n") == 1 and err.startswith("tcoapp-cli: ")
    assert locked.read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.xlsx"]  # nothing half-written


def test_cli_export_of_a_bad_scenario_is_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.tco"
    bad.write_text('{"format": "tcoapp-scenario", "schema_version": 1, "model": {"params_billion": -1}, '
                   '"inference": {"requests_per_day": 1}}', encoding="utf-8")
    assert main(["export", str(bad), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "model.params_billion" in capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()


def test_an_export_flushes_the_folder_and_removes_its_own_old_temporaries(tmp_path, monkeypatch):
    import time

    from tcoapp.reports import export
    from tcoapp.scenario import files

    old = tmp_path / ".out.csv.ab_12xyz.tmp"       # left by an export killed an hour ago
    fresh = tmp_path / ".out.csv.zz99zz99.tmp"     # an export in progress
    other = tmp_path / ".notes.csv.ab_12xyz.tmp"   # another target's: not ours to judge here
    for path in (old, fresh, other):
        path.write_text("x")
    os.utime(old, (time.time() - 3600,) * 2)
    os.utime(other, (time.time() - 3600,) * 2)
    flushed = []
    real_fsync = os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: (flushed.append(stat.S_ISDIR(os.fstat(fd).st_mode)),
                                                       real_fsync(fd))[1])
    export.write_atomically(tmp_path / "out.csv", lambda tmp: tmp.write_text("a,b\n"))
    assert (tmp_path / "out.csv").read_text() == "a,b\n"
    assert not old.exists() and fresh.exists() and other.exists()
    assert flushed[-1] is True or os.name != "posix"


def test_an_export_target_that_is_a_fifo_or_a_device_is_refused(tmp_path):
    """A rename over a FIFO or /dev/null would replace the special file itself (GUI and programme exports too)."""
    import os

    from tcoapp.reports.export import ExportError, check_file_target

    fifo = tmp_path / "out.xlsx"
    os.mkfifo(fifo)
    for target, kind in ((fifo, "named pipe"), ("/dev/null", "device")):
        with pytest.raises(ExportError) as caught:
            check_file_target(target)
        assert kind in str(caught.value) and str(target) in str(caught.value)
    assert fifo.exists() and not fifo.is_file()
