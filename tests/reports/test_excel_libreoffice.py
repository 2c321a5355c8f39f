"""Exported workbooks recalculated by LibreOffice give the engine's numbers.

Every workbook of the module (the bundled samples, the scenario variants of
``conftest.VARIANTS``, workbooks whose inputs were changed with openpyxl, one
with sensitivity results) is recalculated in a single LibreOffice batch, then
read back with ``data_only=True``:

- every Monthly series (the ``series_<key>`` ranges) and every Summary KPI (the
  ``summary_<key>`` cells) equals the engine to a relative 1e-9 (IRR, solved
  iteratively by the spreadsheet, to 1e-6); nulls are empty cells;
- a workbook whose named input cells were changed equals the engine run on the
  changed scenario;
- no cell of any sheet holds an error value;
- the native charts survive the round trip.

LibreOffice is required (CI installs ``libreoffice-calc-nogui``): without it
these tests fail, they do not skip.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest
from export_cases import VARIANTS, variant
from libreoffice import recalculate, soffice

from tcoapp.engine import SERIES, SUMMARY
from tcoapp.paths import sample_files
from tcoapp.reports.workbook import defined_name
from tcoapp.reports.export import write_excel
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values

REL = 1e-9
REL_IRR = 1e-6
ERROR_VALUES = {"#NAME?", "#VALUE!", "#DIV/0!", "#REF!", "#NUM!", "#N/A", "#NULL!"}
#: Summary keys that are differences of larger sums: compared relative to the sums' size.
DIFFERENCE_KEYS = {"profit": ("revenue_total", "total_cost"), "npv_profit": ("revenue_total", "total_cost"),
                   "residual_book_value": ("total_cost",)}

TORNADO = {
    "metric": "total_cost", "metric_label": "Lifetime cost", "unit": "USD", "base": 5.0e7,
    "rows": [
        {"path": "inference.requests_per_day", "title": "Requests per day", "low_input": 1e6, "high_input": 4e6,
         "low_metric": 3.0e7, "high_metric": 9.0e7},
        {"path": "finance.discount_rate", "title": "Discount rate", "low_input": 0.05, "high_input": 0.12,
         "low_metric": 4.9e7, "high_metric": 5.1e7},
    ],
}
MONTE_CARLO = [
    {"metric": "total_cost", "metric_label": "Lifetime cost", "unit": "USD", "samples": 1000, "mean": 5.1e7,
     "percentiles": {5: 4.0e7, 50: 5.0e7, 95: 6.5e7}},
    {"metric": "inference_share", "metric_label": "Inference share", "unit": "share", "samples": 1000,
     "mean": 0.7, "percentiles": {5: 0.6, 50: 0.7, 95: 0.8}},
]

#: Workbooks whose input cells are changed with openpyxl: (source workbook, {field path: new value}).
CHANGES = {
    "change_owned_sample": ("sample_chat-assistant-owned-h100", {
        "inference.requests_per_day": 8e6, "inference.annual_growth": 0.4, "inference.chip_price": 28000.0,
        "finance.discount_rate": 0.1}),
    "change_cloud": ("cloud", {
        "inference.requests_per_day": 3e6, "inference.annual_growth": 0.2, "training.chip_price": 30000.0,
        "training.cloud_rate": 2.0, "finance.discount_rate": 0.05}),
    "change_catalog_fx": ("sample_deployment-owned", {
        "finance.usd_to_currency": 0.9, "inference.requests_per_day": 1.2e6, "inference.annual_growth": 0.3}),
    "change_deployment": ("cloud", {
        "inference.deployment": "owned", "finance.basis": "accrual", "business.revenue_per_request": 0.002,
        "inference.requests_per_day": 2.5e6}),
    "change_api": ("api", {
        "inference.requests_per_day": 1e5, "inference.annual_growth": 0.9, "finance.discount_rate": 0.12}),
    "change_owned_training_price": ("owned_training", {
        "training.chip_price": 25000.0, "inference.requests_per_day": 1e6, "finance.discount_rate": 0.03}),
}


def _cases() -> dict:
    cases = {f"sample_{path.stem}": load_scenario(path) for path in sample_files()}
    cases.update({name: variant(name) for name in VARIANTS})
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """{name: (scenario, result, original .xlsx, recalculated .xlsx)} for every workbook of the module."""
    assert soffice() is not None, "LibreOffice (soffice) is required: install libreoffice-calc-nogui"
    src = tmp_path_factory.mktemp("xlsx")
    out = tmp_path_factory.mktemp("recalculated")
    books = {}
    for name, scenario in CASES.items():
        result = evaluate(scenario)
        path = write_excel(src / f"{name}.xlsx", scenario, result)
        books[name] = (scenario, result, path)
    scenario = CASES["cloud"]
    books["with_solver"] = (scenario, evaluate(scenario),
                            write_excel(src / "with_solver.xlsx", scenario, tornado=TORNADO, monte_carlo=MONTE_CARLO))
    for name, (source, changes) in CHANGES.items():
        scenario = with_values(books[source][0], changes)
        workbook = openpyxl.load_workbook(books[source][2])
        for path, value in changes.items():
            cell = _named_cell(workbook, defined_name(path))
            cell.value = value
        path = src / f"{name}.xlsx"
        workbook.save(path)
        books[name] = (scenario, evaluate(scenario), path)
    copies = recalculate([item[2] for item in books.values()], out)
    return {name: Book(s, r, p, copies[p.resolve()], openpyxl.load_workbook(copies[p.resolve()], data_only=True))
            for name, (s, r, p) in books.items()}


class Book(NamedTuple):
    scenario: object
    result: object
    original: Path
    copy: Path
    values: openpyxl.Workbook  # the recalculated copy, read with data_only=True


def _named_cell(workbook, name: str):
    ((sheet, ref),) = list(workbook.defined_names[name].destinations)
    return workbook[sheet][ref.replace("$", "")]


def _named_column(workbook, name: str) -> list:
    ((sheet, ref),) = list(workbook.defined_names[name].destinations)
    return [row[0].value for row in workbook[sheet][ref.replace("$", "")]]


def _close(value, expected: float, rel: float, floor: float = 0.0) -> bool:
    if math.isnan(expected):
        return value in (None, "")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return abs(value - expected) <= rel * max(abs(expected), abs(value)) + floor


def _mismatches(workbook, result) -> list[str]:
    problems = []
    summary = {key: float(result.summary[key][0]) for key in SUMMARY}
    for key in SUMMARY:
        value = _named_cell(workbook, f"summary_{key}").value
        rel = REL_IRR if key == "irr" else REL
        floor = REL * sum(abs(summary[k]) for k in DIFFERENCE_KEYS.get(key, ()))
        if not _close(value, summary[key], rel, floor):
            problems.append(f"summary_{key}: workbook {value!r}, engine {summary[key]!r}")
    for key in SERIES:
        values = _named_column(workbook, f"series_{key}")
        expected = result.series[key][0]
        if len(values) != len(expected):
            problems.append(f"series_{key}: {len(values)} months, engine {len(expected)}")
            continue
        for month, (value, want) in enumerate(zip(values, expected)):
            if not _close(value, float(want), REL):
                problems.append(f"series_{key}[{month}]: workbook {value!r}, engine {float(want)!r}")
                break
    return problems


@pytest.mark.parametrize("name", list(CASES) + ["with_solver"])
def test_workbook_matches_engine(recalculated, name):
    book = recalculated[name]
    assert _mismatches(book.values, book.result) == []
    assert _named_cell(book.values, "check_status").value == "OK"


@pytest.mark.parametrize("name", list(CHANGES))
def test_changed_inputs_give_the_changed_scenario(recalculated, name):
    book = recalculated[name]
    source = recalculated[CHANGES[name][0]].result
    assert float(source.summary["total_cost"][0]) != pytest.approx(float(book.result.summary["total_cost"][0]))
    assert _mismatches(book.values, book.result) == []


def test_no_cell_holds_an_error_value(recalculated):
    errors = []
    for name, book in recalculated.items():
        for sheet in book.values.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "e" or (isinstance(cell.value, str) and (
                            cell.value in ERROR_VALUES or cell.value.startswith("Err:"))):
                        errors.append(f"{name}: {sheet.title}!{cell.coordinate} = {cell.value}")
    assert errors[:20] == []


def test_charts_survive_the_round_trip(recalculated):
    for name in ("sample_chat-assistant-owned-h100", "api", "with_solver"):
        original, copy = recalculated[name].original, recalculated[name].copy
        expected = 5 if name == "with_solver" else 4
        for path in (original, copy):
            with zipfile.ZipFile(path) as archive:
                charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart") and n.endswith(".xml")]
            assert len(charts) == expected, (name, path.name, charts)
        with zipfile.ZipFile(copy) as archive:
            xml = " ".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                           if n.startswith("xl/charts/chart"))
        assert "Monthly!$B$5" in xml.replace("'", "")  # the series still point at the sheets


def test_solver_sheets(recalculated):
    workbook = recalculated["with_solver"].values
    sensitivity = workbook["Sensitivity"]
    assert sensitivity["A5"].value == "Requests per day"
    assert sensitivity["G5"].value == pytest.approx(6.0e7)
    assert sensitivity["H5"].value == pytest.approx(-2.0e7)
    monte_carlo = workbook["Monte Carlo"]
    assert [c.value for c in monte_carlo[4]][:6] == ["Figure", "Unit", "Mean", "P5", "P50", "P95"]
    assert monte_carlo["E5"].value == pytest.approx(5.0e7)


def test_text_that_looks_like_a_formula_stays_text(recalculated):
    workbook = recalculated["formula_like_text"].values
    assert _named_cell(workbook, "name").value == "=SUM(1,2)"
    assert _named_cell(workbook, "model_name").value == "+cmd|' /C calc'!A0"


def test_hardware_life_rounds_half_to_even(recalculated):
    for name, months in (("owned_cash_life_2625", 32), ("owned_accrual_life_2375", 28)):
        workbook = recalculated[name].values
        assert _named_cell(workbook, "calc_life_months").value == months


def test_calendar_months_of_crossover_and_payback(recalculated):
    workbook = recalculated["sample_chat-assistant-owned-h100"].values
    assert _named_cell(workbook, "summary_crossover_month").value == 19
    assert _named_cell(workbook, "label_crossover_month").value == "Aug 2027"
    legend = [c.value for c in workbook["Workings"][4] if isinstance(c.value, str) and c.value.startswith("Cross")]
    assert legend == ["Crossover: Aug 2027"]  # the chart's legend names the month
    payback = _named_cell(workbook, "summary_payback_month").value
    assert isinstance(payback, int) and _named_cell(workbook, "label_payback_month").value.endswith(
        str(2026 + (payback // 12)))
    workbook = recalculated["eur_fx"].values  # starts in November
    crossover = _named_cell(workbook, "summary_crossover_month").value
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    month = 10 + crossover
    assert _named_cell(workbook, "label_crossover_month").value == f"{names[month % 12]} {2026 + month // 12}"
