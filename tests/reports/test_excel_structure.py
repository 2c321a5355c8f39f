"""The workbook's layout, names and formulas, checked without a spreadsheet engine."""

from __future__ import annotations

import re

import openpyxl
import pytest
from export_cases import variant

from tcoapp.engine import CHIP_SPECS, INPUT_DEFAULTS, SERIES, SUMMARY
from tcoapp.reports.workbook import FIRST_ROW, build_workbook, defined_name
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.schema import numeric_field_paths

#: Functions that Excel 2010 and LibreOffice both know (no _xlfn. prefix needed).
EXCEL_2010 = {
    "IF", "AND", "OR", "NOT", "MIN", "MAX", "SUM", "SUMIFS", "SUMPRODUCT", "INDEX", "MATCH", "ROUND", "INT",
    "MOD", "LOG", "IRR", "NPV", "ISNUMBER", "ISNA", "COUNTIF", "SIGN", "ABS", "DATE", "MONTH", "YEAR", "CHOOSE",
    "VALUE", "LEFT", "RIGHT", "OFFSET", "ISERROR", "ROWS", "N", "LEN", "MID",
}
FUNCTION = re.compile(r"(?<![A-Za-z0-9_.])([A-Z][A-Z0-9.]*)\(")


@pytest.fixture(scope="module")
def owned_book():
    scenario = variant("owned_cash_life_2625")
    return scenario, build_workbook(scenario, evaluate(scenario))


def _destination(workbook, name):
    ((sheet, ref),) = list(workbook.defined_names[name].destinations)
    return sheet, ref.replace("$", "")


def test_sheets(owned_book):
    _, workbook = owned_book
    assert workbook.sheetnames == ["Summary", "Inputs", "Monthly", "Yearly", "Charts", "Workings", "Chips", "Check"]


def test_every_input_field_has_its_name_on_the_inputs_sheet(owned_book):
    _, workbook = owned_book
    paths = [k for k in INPUT_DEFAULTS if ".chip." not in k] + list(numeric_field_paths())
    for path in paths:
        sheet, ref = _destination(workbook, defined_name(path))
        assert sheet == "Inputs"
        assert workbook[sheet][ref.replace("B", "A")].value == path
    for role in ("training", "inference"):
        for spec in CHIP_SPECS + ("peak_tflops",):
            assert _destination(workbook, f"{role}_chip_{spec}")[0] == "Inputs"
    assert {"training_chip_price", "inference_chip_price", "training_cloud_rate", "inference_cloud_rate",
            "inference_chip_peak_tflops", "facility_pue", "finance_discount_rate"} <= set(workbook.defined_names)


def test_names_are_workbook_level(owned_book):
    _, workbook = owned_book
    assert all(not sheet.defined_names for sheet in workbook.worksheets)


def test_empty_fields_hold_formulas_and_given_ones_values(owned_book):
    scenario, workbook = owned_book

    def cell(name):
        sheet, ref = _destination(workbook, name)
        return workbook[sheet][ref].value

    assert cell("training_chip_price") == "=training_chip_price_usd*finance_usd_to_currency"
    assert cell("inference_cloud_rate") == "=inference_chip_cloud_usd_per_hour*finance_usd_to_currency"
    assert cell("model_active_params_billion") == "=model_params_billion"
    assert cell("inference_launch_month") == "=training_duration_months"
    assert cell("inference_chips_per_replica") == "=calc_auto_chips_per_replica"
    assert cell("training_compute_flops").startswith("=6*")
    assert cell("inference_requests_per_day") == scenario.inference.requests_per_day
    assert cell("inference_deployment") == "owned"
    assert cell("inference_max_requests_per_day") is None  # empty: no ceiling
    assert cell("inference_chip_price_usd") == 31250


def test_every_figure_is_a_formula(owned_book):
    scenario, workbook = owned_book
    months = 12 * scenario.horizon_years
    for key in SERIES:
        sheet, ref = _destination(workbook, f"series_{key}")
        cells = [row[0] for row in workbook[sheet][ref]]
        assert len(cells) == months
        assert all(isinstance(c.value, str) and c.value.startswith("=") for c in cells), key
        sheet, ref = _destination(workbook, f"yearly_{key}")
        assert all(row[0].value.startswith("=") for row in workbook[sheet][ref])
    for key in SUMMARY:
        sheet, ref = _destination(workbook, f"summary_{key}")
        assert sheet == "Summary" and workbook[sheet][ref].value.startswith("="), key


def test_only_excel_2010_functions(owned_book):
    _, workbook = owned_book
    used = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    used |= set(FUNCTION.findall(cell.value))
    assert used <= EXCEL_2010, used - EXCEL_2010
    assert {"SUMIFS", "IRR", "COUNTIF"} <= used


def test_presentation(owned_book):
    scenario, workbook = owned_book
    summary = workbook["Summary"]
    assert summary.print_area
    assert summary.freeze_panes == "A5"
    assert workbook["Monthly"].freeze_panes == f"C{FIRST_ROW}"
    sheet, ref = _destination(workbook, "summary_total_cost")
    assert '"USD"' in workbook[sheet][ref].number_format
    sheet, ref = _destination(workbook, "summary_inference_share")
    assert "%" in workbook[sheet][ref].number_format
    assert workbook["Monthly"].column_dimensions["C"].width >= 14
    assert len(workbook["Charts"]._charts) == 4
    assert workbook.calculation.fullCalcOnLoad


def test_summary_shows_industry_figures_with_sources(owned_book):
    _, workbook = owned_book
    text = " ".join(str(c.value) for row in workbook["Summary"].iter_rows() for c in row if c.value)
    assert "Deloitte" in text and "two-thirds" in text


def test_chips_sheet_lists_the_chips_with_sources():
    scenario = variant("custom_chip_owned")
    workbook = build_workbook(scenario)
    rows = [[c.value for c in row] for row in workbook["Chips"].iter_rows(min_row=FIRST_ROW)]
    ids = [row[1] for row in rows if row[1]]
    assert ids == ["h100-sxm", "acme-x1"]
    assert any("Acme datasheet" in str(v) for v in rows[1])
    assert any("2026-02-01" == v for v in rows[1])


def test_check_sheet_holds_engine_values(owned_book):
    scenario, workbook = owned_book
    result = evaluate(scenario)
    check = workbook["Check"]
    first = next(row for row in range(1, check.max_row + 1) if check.cell(row, 1).value == SUMMARY[0])
    keys = [check.cell(row, 1).value for row in range(first, first + len(SUMMARY))]
    assert keys == list(SUMMARY)
    assert check.cell(first + SUMMARY.index("total_cost"), 3).value == pytest.approx(
        float(result.summary["total_cost"][0]), rel=1e-15)


def test_unused_chip_and_api_formulas_do_not_divide_by_zero():
    # an API scenario whose inference chip is unknown to the formulas must not need its specs
    scenario = variant("api")
    workbook = build_workbook(scenario)
    sheet, ref = _destination(workbook, "calc_replica_prefill")
    assert workbook[sheet][ref].value.startswith('=IF(inference_deployment="api","",')
