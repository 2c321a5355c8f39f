"""The comparison export: a workbook whose deltas are live formulas (recalculated by LibreOffice) and a CSV.

The comparison is built here from the engine's own results of four samples (one
moved to EUR at 0.9 so a column is converted), not by the GUI, so the expected
differences are worked out independently of the code that writes them.
"""

from __future__ import annotations

import csv
import io
import math

import pytest
from openpyxl import load_workbook

from libreoffice import recalculate
from tcoapp.paths import sample_files
from tcoapp.reports.comparison_workbook import (
    FIRST_ROW, HEADER_ROW, build_comparison_workbook, comparison_csv_text, write_comparison_csv,
    write_comparison_workbook,
)
from tcoapp.reports.export import ExportError
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values

ROWS = (("total_cost", "Lifetime cost"), ("inference_cost", "Inference cost"), ("inference_share", "Inference share"),
        ("crossover_month", "Inference overtakes training"), ("cost_per_request", "Cost per request"),
        ("peak_chips", "Peak inference chips"), ("payback_month", "Payback"))
MONEY = {"total_cost", "inference_cost", "cost_per_request"}
SAMPLES = ("deployment-api.tco", "deployment-cloud.tco", "deployment-owned.tco", "chat-assistant-owned-h100.tco")


def _summary(scenario) -> dict:
    result = evaluate(scenario)
    out = {}
    for key, _ in ROWS:
        value = float(result.summary[key][0])
        out[key] = None if math.isnan(value) else value
    return out


@pytest.fixture(scope="module")
def comparison():
    """Four samples in USD (the fourth typed in EUR at 0.9 EUR per USD, so its amounts are divided by 0.9)."""
    scenarios = [load_scenario(next(p for p in sample_files() if p.name == name)) for name in SAMPLES]
    scenarios[3] = with_values(scenarios[3], {"currency": "EUR", "finance.usd_to_currency": 0.9})
    base = 1
    columns = []
    for name, scenario in zip(SAMPLES, scenarios):
        factor = 1.0 if scenario.currency == "USD" else 1.0 / 0.9
        values = {k: (v * factor if k in MONEY and v is not None else v) for k, v in _summary(scenario).items()}
        columns.append({"name": name[:-4], "currency": scenario.currency, "factor": factor, "problem": None,
                        "values": values, "deltas": {}})
    for column in columns:
        for key, value in column["values"].items():
            ref = columns[base]["values"][key]
            if value is not None and ref is not None and key != "payback_month":
                column["deltas"][key] = (value - ref, (value - ref) / abs(ref) if ref else None)
    return {"currency": "USD", "converted": True, "base": base, "best": None, "columns": columns}


def test_layout_labels_stamp_and_protection(comparison):
    wb = build_comparison_workbook(comparison, ROWS)
    ws = wb["Comparison"]
    assert ws.protection.sheet, "the formulas are protected"
    assert ws.cell(2, 1).value.startswith("Exported ") and "tcoapp" in ws.cell(2, 1).value
    headers = [ws.cell(HEADER_ROW, c).value for c in range(1, 12)]
    assert headers[:5] == ["Metric", "deployment-cloud (base)", "deployment-api", "deployment-owned",
                           "chat-assistant-owned-h100"]
    assert headers[6:9] == ["Δ deployment-api", "Δ deployment-owned", "Δ chat-assistant-owned-h100"]
    assert ws.cell(FIRST_ROW, 1).value == "Lifetime cost (USD)"
    assert ws.cell(FIRST_ROW + 2, 1).value == "Inference share (%)"
    assert ws.cell(FIRST_ROW, 7).value == f'=IF(OR(C{FIRST_ROW}="",$B{FIRST_ROW}=""),"",C{FIRST_ROW}-$B{FIRST_ROW})'
    assert ws.cell(FIRST_ROW, 11).value.startswith("=IF(")
    payback = FIRST_ROW + 6
    assert ws.cell(payback, 7).value is None, "a payback month has no delta"


def test_recalculated_deltas_equal_the_differences(comparison, tmp_path):
    target = write_comparison_workbook(tmp_path / "comparison.xlsx", comparison, ROWS)
    copy = recalculate([target], tmp_path / "lo")[target.resolve()]
    ws = load_workbook(copy, data_only=True)["Comparison"]
    columns = comparison["columns"]
    base = columns[1]["values"]
    others = [0, 2, 3]  # in the workbook's order after the base
    checked = []
    for r, (key, _) in enumerate(ROWS):
        row = FIRST_ROW + r
        for j, index in enumerate(others):
            value, ref = columns[index]["values"][key], base[key]
            assert ws.cell(row, 3 + j).value == (None if value is None else pytest.approx(value))
            absolute, relative = ws.cell(row, 7 + j).value, ws.cell(row, 11 + j).value
            if key == "payback_month":
                assert absolute is None
            elif value is None or ref is None:
                assert absolute in (None, ""), (key, absolute)
            else:
                checked.append(key)
                assert absolute == pytest.approx(value - ref, rel=1e-12, abs=1e-12), key
                if ref == 0:
                    assert relative in (None, "")
                else:
                    assert relative == pytest.approx((value - ref) / abs(ref), rel=1e-12, abs=1e-15), key
    assert len(checked) >= 15, "most cells hold a difference to check"


def test_csv_values_and_deltas(comparison, tmp_path):
    written = write_comparison_csv(tmp_path / "comparison.csv", comparison, ROWS)
    rows = list(csv.reader(io.StringIO(written.read_text(encoding="utf-8"))))
    assert rows[0][:6] == ["metric", "unit", "deployment-api", "deployment-api delta", "deployment-api delta %",
                           "deployment-cloud (base)"]
    total = rows[1]
    api, cloud = comparison["columns"][0]["values"]["total_cost"], comparison["columns"][1]["values"]["total_cost"]
    assert total[:2] == ["Lifetime cost", "USD"]
    assert float(total[2]) == pytest.approx(api, rel=1e-11)
    assert float(total[3]) == pytest.approx(api - cloud, rel=1e-11)
    assert float(total[4]) == pytest.approx(100 * (api - cloud) / cloud, rel=1e-11)
    assert float(total[5]) == pytest.approx(cloud, rel=1e-11)
    per_request = next(r for r in rows if r[0] == "Cost per request")
    assert float(per_request[2]) == pytest.approx(comparison["columns"][0]["values"]["cost_per_request"], rel=1e-11)
    assert all("e-" not in cell or float(cell) != 0 for cell in per_request[2:] if cell)
    assert comparison_csv_text(comparison, ROWS) == written.read_text(encoding="utf-8")


def test_unwritable_targets_are_refused_before_writing(comparison, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        write_comparison_workbook(tmp_path / "missing" / "c.xlsx", comparison, ROWS)
    with pytest.raises(ExportError, match="directory"):
        write_comparison_workbook(tmp_path, comparison, ROWS)


def test_csv_numbers_are_never_in_scientific_notation():
    """A cost per request of 0.0000441 was written "4.41e-05" (repr)."""
    from tcoapp.reports.comparison_workbook import comparison_rows

    comparison = {"currency": "USD", "converted": False, "base": 0, "best": None, "columns": [
        {"name": "a", "currency": "USD", "factor": 1.0, "problem": None, "values": {"cost_per_request": 4.41e-05},
         "deltas": {}, "notes": {}},
        {"name": "b", "currency": "USD", "factor": 1.0, "problem": None, "values": {"cost_per_request": 8.82e-05},
         "deltas": {"cost_per_request": (4.41e-05, 1.0)}, "notes": {}}]}
    rows = comparison_rows(comparison, [("cost_per_request", "Cost per request")])
    line = rows[1]
    assert line[:3] == ["Cost per request", "USD", "0.0000441"] and line[3:6] == ["0.0000882", "0.0000441", "100"]


@pytest.mark.parametrize("value, written", [(1.23456789123e23, "123456789123000000000000"),
                                            (1e23, "100000000000000000000000"), (1e17, "100000000000000000"),
                                            (-4e22, "-40000000000000000000000"), (1234.0, "1234")])
def test_csv_whole_numbers_beyond_2_to_53_are_written_as_their_shortest_digits(value, written):
    """Before: a whole float was written as int(value), the binary value's full expansion: 1.23456789123e23
    became "123456789122999998480384", digits the model never computed. Now the CSV holds the shortest
    digits that read back as the same float, still without scientific notation."""
    from tcoapp.reports.comparison_workbook import comparison_rows

    comparison = {"currency": "USD", "converted": False, "base": 0, "best": None, "columns": [
        {"name": "a", "currency": "USD", "factor": 1.0, "problem": None, "values": {"total_cost": value},
         "deltas": {}, "notes": {}}]}
    cell = comparison_rows(comparison, [("total_cost", "Total cost")])[1][2]
    assert cell == written and float(cell) == value and "e" not in cell.lower()
