"""Exported workbooks carry a cached value beside every formula, equal to LibreOffice's recalculation.

The workbooks of every bundled sample and every export variant
(``export_cases.VARIANTS``: each deployment and basis), one exported by the
CLI with ``--sensitivity`` (Sensitivity and Monte Carlo sheets), and workbooks
whose input cells were edited with openpyxl and re-saved through
:func:`save_workbook`, are recalculated by LibreOffice in one batch. Then:

- every formula cell of every sheet has a cached value;
- that cached value equals LibreOffice's: numbers to a relative 1e-9 (cells of
  the IRR to an absolute 1e-6; a difference of two cells, such as the Check
  sheet's ``B37-C37``, relative to those cells), dates, text and error values
  exactly;
- ``pandas.read_excel`` (which never recalculates) shows the Summary's key
  figures equal to ``tcoapp-cli report FILE --json``;
- the workbook still asks for a full recalculation on load.

LibreOffice is required (CI installs ``libreoffice-calc-nogui``): without it
these tests fail, they do not skip.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest
from export_cases import VARIANTS, variant
from libreoffice import recalculate, soffice

from tcoapp.engine import SUMMARY
from tcoapp.paths import sample_files, samples_dir
from tcoapp.reports.export import write_excel
from tcoapp.reports.workbook import defined_name
from tcoapp.reports.workbook.evaluate import save_workbook
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values

REL = 1e-9
ABS_IRR = 1e-6
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

#: Input cells changed with openpyxl and re-saved through save_workbook: (source workbook, {field path: value}).
EDITS = {
    "edit_owned_sample": ("sample_chat-assistant-owned-h100", {
        "inference.requests_per_day": 8e6, "inference.annual_growth": 0.4, "finance.discount_rate": 0.1}),
    "edit_cloud_deployment": ("cloud", {
        "inference.deployment": "owned", "finance.basis": "accrual", "business.revenue_per_request": 0.002}),
    "edit_api": ("api", {"inference.requests_per_day": 1e5, "inference.annual_growth": 0.9}),
}
CLI_SENSITIVITY = "cli_sensitivity"


def _cases() -> dict:
    cases = {f"sample_{path.stem}": load_scenario(path) for path in sample_files()}
    cases.update({name: variant(name) for name in VARIANTS})
    return cases


CASES = _cases()


class Book(NamedTuple):
    path: Path  # as exported (cached values)
    copy: Path  # recalculated by LibreOffice
    scenario: object


def _named_cell(workbook, name: str):
    ((sheet, ref),) = list(workbook.defined_names[name].destinations)
    return workbook[sheet][ref.replace("$", "")]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Book]:
    assert soffice() is not None, "LibreOffice (soffice) is required: install libreoffice-calc-nogui"
    src = tmp_path_factory.mktemp("cached")
    out = tmp_path_factory.mktemp("cached-recalculated")
    paths, scenarios = {}, {}
    for name, scenario in CASES.items():
        paths[name] = write_excel(src / f"{name}.xlsx", scenario, evaluate(scenario))
        scenarios[name] = scenario
    sample = samples_dir() / "chat-assistant-owned-h100.tco"
    target = src / f"{CLI_SENSITIVITY}.xlsx"
    run = subprocess.run([sys.executable, "-m", "tcoapp.cli", "export", str(sample), "--sensitivity",
                          "--samples", "200", "-o", str(target)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    paths[CLI_SENSITIVITY], scenarios[CLI_SENSITIVITY] = target, load_scenario(sample)
    for name, (source, changes) in EDITS.items():
        workbook = openpyxl.load_workbook(paths[source])
        for field, value in changes.items():
            _named_cell(workbook, defined_name(field)).value = value
        paths[name] = src / f"{name}.xlsx"
        assert save_workbook(workbook, paths[name]) == {}
        scenarios[name] = with_values(scenarios[source], changes)
    copies = recalculate(list(paths.values()), out)
    return {name: Book(path, copies[path.resolve()], scenarios[name]) for name, path in paths.items()}


def _sheet_xml(path: Path) -> dict[str, ET.Element]:
    """{sheet title: parsed sheet XML} of an .xlsx."""
    with zipfile.ZipFile(path) as archive:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target").lstrip("/") for r in rels}
        out = {}
        for sheet in workbook.iter(f"{MAIN}sheet"):
            rid = sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            part = targets[rid] if targets[rid].startswith("xl/") else "xl/" + targets[rid]
            out[sheet.get("name")] = ET.fromstring(archive.read(part))
    return out


def _uncached_formulas(path: Path) -> list[str]:
    """Formula cells saved without a cached value (no ``<v>``, or an empty one that is not text)."""
    missing = []
    for title, root in _sheet_xml(path).items():
        for cell in root.iter(f"{MAIN}c"):
            if cell.find(f"{MAIN}f") is None:
                continue
            value = cell.find(f"{MAIN}v")
            if value is None or (not value.text and cell.get("t") != "str"):
                missing.append(f"{title}!{cell.get('r')}")
    return missing


#: A difference of two cells (``B37-C37``): compared relative to the cells, since it cancels their digits.
DIFFERENCE = re.compile(r"(?<![A-Za-z_$!])([A-Z]{1,3}[0-9]+)-([A-Z]{1,3}[0-9]+)(?![0-9(])")


def _same(cached, computed, irr: bool, scale: float = 0.0) -> bool:
    if cached in (None, "") and computed in (None, ""):
        return True
    if isinstance(cached, bool) or isinstance(computed, bool):
        return cached == computed
    if isinstance(cached, (int, float)) and isinstance(computed, (int, float)):
        if math.isnan(cached) or math.isnan(computed):
            return False
        floor = (ABS_IRR if irr else 0.0) + REL * scale
        return abs(cached - computed) <= REL * max(abs(cached), abs(computed)) + floor
    return cached == computed


def _irr_cells(formulas: openpyxl.Workbook) -> set[tuple[str, str]]:
    """Cells of the IRR (solved iteratively, so to ABS_IRR): formulas naming IRR, and their rows' other cells.

    The rows' other cells are the Check sheet's difference and verdict beside ``summary_irr``.
    """
    cells = set()
    for ws in formulas.worksheets:
        rows = set()
        for row in ws.iter_rows():
            for cell in row:
                text = str(cell.value).upper()
                if cell.data_type == "f" and ("IRR(" in text or "SUMMARY_IRR" in text):
                    rows.add(cell.row)
        cells.update((ws.title, cell.coordinate) for r in rows for cell in ws[r])
    return cells


def _differences(book: Book) -> tuple[int, list[str]]:
    """(formula cells compared, cells whose cached value differs from LibreOffice's)."""
    formulas = openpyxl.load_workbook(book.path)
    cached = openpyxl.load_workbook(book.path, data_only=True)
    computed = openpyxl.load_workbook(book.copy, data_only=True)
    irr = _irr_cells(formulas)
    compared, problems = 0, []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                compared += 1
                mine = cached[ws.title][cell.coordinate].value
                theirs = computed[ws.title][cell.coordinate].value
                operands = [computed[ws.title][ref].value for pair in DIFFERENCE.findall(cell.value) for ref in pair]
                scale = max([abs(v) for v in operands if isinstance(v, (int, float))], default=0.0)
                if not _same(mine, theirs, (ws.title, cell.coordinate) in irr, scale):
                    problems.append(f"{ws.title}!{cell.coordinate} {cell.value[:80]}: cached {mine!r}, "
                                    f"LibreOffice {theirs!r}")
    return compared, problems


NAMES = list(CASES) + [CLI_SENSITIVITY] + list(EDITS)


@pytest.mark.parametrize("name", NAMES)
def test_every_formula_has_a_cached_value(books, name):
    assert _uncached_formulas(books[name].path) == []


@pytest.mark.parametrize("name", NAMES)
def test_cached_values_equal_libreoffice(books, name):
    compared, problems = _differences(books[name])
    assert compared > 1000
    assert problems[:15] == []


def test_the_solver_sheets_are_cached(books):
    cached = openpyxl.load_workbook(books[CLI_SENSITIVITY].path, data_only=True)
    formulas = openpyxl.load_workbook(books[CLI_SENSITIVITY].path)
    for title in ("Sensitivity", "Monte Carlo"):
        cells = [c for row in formulas[title].iter_rows() for c in row if c.data_type == "f"]
        if title == "Sensitivity":
            assert cells, "the Sensitivity sheet has formulas"
        for cell in cells:
            assert cached[title][cell.coordinate].value is not None, f"{title}!{cell.coordinate}"
    ws = cached["Sensitivity"]
    row = 5  # the first tornado row: swing = |high - low|, each against the base
    low, high = ws.cell(row, 5).value, ws.cell(row, 6).value
    assert ws.cell(row, 7).value == pytest.approx(abs(high - low), rel=1e-12)


def test_edits_are_followed(books):
    for name, (source, changes) in EDITS.items():
        edited = openpyxl.load_workbook(books[name].path, data_only=True)
        before = openpyxl.load_workbook(books[source].path, data_only=True)
        value = _named_cell(edited, "summary_total_cost").value
        assert value != pytest.approx(_named_cell(before, "summary_total_cost").value)
        expected = float(evaluate(books[name].scenario).summary["total_cost"][0])
        assert value == pytest.approx(expected, rel=1e-9)


def test_workbooks_still_recalculate_on_load(books):
    with zipfile.ZipFile(books["cloud"].path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
    assert 'fullCalcOnLoad="1"' in workbook


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_pandas_reads_the_summary_numbers(books, path):
    import pandas as pd

    report = subprocess.run([sys.executable, "-m", "tcoapp.cli", "report", str(path), "--json"],
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout)["summary"]
    table = pd.read_excel(books[f"sample_{path.stem}"].path, sheet_name="Summary", header=None)
    keys = table.iloc[:, 4].tolist()  # column E names each key figure's row
    shown = {}
    for key in SUMMARY:
        assert f"{key}" in keys, key
        shown[key] = table.iloc[keys.index(key), 1]
    for key in ("training_cost", "inference_cost", "total_cost", "npv_total", "revenue_total", "profit"):
        assert not pd.isna(shown[key]), key
    for key, expected in summary.items():
        if expected is None:
            assert pd.isna(shown[key]) or shown[key] == "", key
        else:
            rel = 1e-6 if key == "irr" else 1e-9
            assert float(shown[key]) == pytest.approx(expected, rel=rel, abs=1e-9 if key != "irr" else 1e-6), key
