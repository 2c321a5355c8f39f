"""The programme workbook, recalculated by LibreOffice, gives the CLI's numbers (methodology section 6).

Every workbook of the module (the bundled sample, small programmes built here:
one workload, a pooled roadmap whose capacity goes idle, the same without
pooling, two pools by price; and workbooks whose named input cells were changed
with openpyxl) is recalculated in one LibreOffice batch and read back with
``data_only=True``. The expected numbers are ``tcoapp-cli report FILE --json``
run in a separate process on the programme file (for an edited workbook: on the
programme file with the same edits):

- the programme's series (``prog_series_<key>``) and summary
  (``prog_summary_<key>``), and each workload's (``w<n>_series_<key>``,
  ``w<n>_summary_<key>``), to a relative 1e-9 (IRR 1e-6; nulls are empty);
- the Check sheet says OK; no cell holds an error value.

LibreOffice is required: without it these tests fail, they do not skip.
"""

from __future__ import annotations

import json
import math
import subprocess
import zipfile
import sys
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest
from libreoffice import recalculate, soffice

from tcoapp.reports.export import write_atomically
from tcoapp.reports.programme_workbook import build_programme_workbook
from tcoapp.reports.workbook import defined_name
from tcoapp.reports.workbook.evaluate import save_workbook
from tcoapp.scenario.programme import (
    evaluate_programme, load_programme, programme_from_dict, programme_with_values, save_programme,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "company-programme.tco"
REL = 1e-9
REL_IRR = 1e-6
ERROR_VALUES = {"#NAME?", "#VALUE!", "#DIV/0!", "#REF!", "#NUM!", "#N/A", "#NULL!"}
DIFFERENCE_KEYS = {"profit": ("revenue_total", "total_cost"), "npv_profit": ("revenue_total", "total_cost"),
                   "residual_book_value": ("total_cost",)}

# ---- small programmes (as tests/engine/test_programme.py builds them) -------------------------

CHIP = {"id": "t1", "name": "Test chip", "vendor": "Test", "bf16_tflops": 500.0, "fp8_tflops": 1000.0,
        "fp4_tflops": None, "memory_gb": 80.0, "bandwidth_tbs": 2.0, "tdp_w": 700.0, "price_usd": 25000.0,
        "cloud_usd_per_hour": 2.5, "source": "test", "as_of": "2026-01"}
CHIP2 = dict(CHIP, id="t2", price_usd=30000.0)
MEASURED = {"chip": "t1", "chips_per_replica": 2, "prefill_tokens_per_s_per_chip": 8000.0,
            "decode_tokens_per_s_per_chip": 900.0}


def _programme(workloads, **top):
    doc = {"format": "tcoapp-programme", "schema_version": 1, "name": "p", "horizon_years": 5,
           "start_month": "2026-01", "finance": {"discount_rate": 0.07},
           "facility": {"life_years": 3, "colocation_per_kw_month": 150.0}, "chips": [CHIP, CHIP2],
           "workloads": workloads}
    doc.update(top)
    return doc


def _owned(name, rpd, **inference):
    inf = dict(MEASURED, deployment="owned", requests_per_day=rpd, annual_growth=0.6, **inference)
    return {"name": name, "model": {"params_billion": 70}, "inference": inf}


def _roadmap(**v2_inference):
    pilot = _owned("v1", 3e6, end_month=30)
    pilot["training"] = {"tokens_trillion": 1.0, "chip": "t1", "procurement": "owned"}
    v2 = _owned("v2", 5e6, **v2_inference)
    v2["training"] = {"start_month": 24, "duration_months": 6, "tokens_trillion": 3.0, "chip": "t1",
                      "refresh_every_months": 12, "refresh_fixed_cost": 1e5}
    support = {"name": "Support", "model": {"params_billion": 8},
               "inference": {"deployment": "api", "requests_per_day": 4e5, "api_price_input": 0.2,
                             "api_price_output": 0.8, "cached_input_fraction": 0.6, "api_price_cached_input": 0.05},
               "business": {"revenue_per_request": 0.01}}
    coder = _owned("Coder", 1e6, chip="t2")
    coder["inference"]["deployment"] = "cloud"
    return [pilot, v2, support, coder]


def _two_pools():
    workloads = _roadmap(launch_month=40)
    workloads[1]["inference"]["chip_price"] = 20000.0  # v2 at another price: its own pool; v1's goes idle
    return _programme(workloads, finance={"basis": "accrual", "discount_rate": 0.1})


PROGRAMMES = {
    "sample": lambda: load_programme(SAMPLE),
    "one_workload": lambda: programme_from_dict(_programme([dict(
        _owned("Chat", 2e6), training={"tokens_trillion": 2.0, "chip": "t1"}, business={"revenue_per_request": 0.002})])),
    "idle_pooled": lambda: programme_from_dict(_programme(_roadmap(launch_month=40))),
    "idle_unpooled": lambda: programme_from_dict(_programme(_roadmap(launch_month=40), shared_fleets=False)),
    "two_pools": lambda: programme_from_dict(_two_pools()),
}

#: Workbooks whose named input cells are changed with openpyxl: (source workbook, {programme input: value}).
CHANGES = {
    "sample_workload_edit": ("sample", {"Coding agent/inference.requests_per_day": 600000.0,
                                        "Support bot/inference.annual_growth": 0.5}),
    "sample_pooled_edit": ("sample", {"Assistant v2/inference.annual_growth": 0.7,
                                      "Assistant v1/inference.requests_per_day": 5e6}),
    "sample_shared_edit": ("sample", {"finance.discount_rate": 0.11, "facility.electricity_price": 0.12,
                                      "finance.basis": "accrual"}),
    "one_workload_edit": ("one_workload", {"Chat/inference.requests_per_day": 3e6, "finance.discount_rate": 0.05}),
    "idle_edit": ("idle_pooled", {"v2/inference.launch_month": 36, "facility.life_years": 4,
                                  "v1/inference.annual_growth": 0.3}),
    "unpooled_edit": ("idle_unpooled", {"v1/inference.requests_per_day": 2e6, "facility.pue": 1.5}),
}


def cell_name(programme, key: str) -> str:
    """The workbook name of a programme input: ``w<n>_<field>`` for a workload's, the field's for a shared one."""
    workload, _, path = key.rpartition("/")
    if not workload:
        return defined_name(path)
    return f"w{programme.names.index(workload) + 1}_{defined_name(path)}"


def cli_report(path: Path) -> dict:
    """``tcoapp-cli report PATH --json``, in its own process."""
    done = subprocess.run([sys.executable, "-c", "import sys; from tcoapp.cli.main import main; sys.exit(main())",
                           "report", str(path), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class Book(NamedTuple):
    programme: object
    report: dict  # the CLI's JSON
    original: Path
    values: openpyxl.Workbook  # the recalculated copy, read with data_only=True


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    assert soffice() is not None, "LibreOffice (soffice) is required: install libreoffice-calc-nogui"
    src = tmp_path_factory.mktemp("programme_xlsx")
    out = tmp_path_factory.mktemp("programme_recalculated")
    made = {}
    for name, make in PROGRAMMES.items():
        programme = make()
        tco = src / f"{name}.tco"
        save_programme(programme, tco)
        path = src / f"{name}.xlsx"
        workbook = build_programme_workbook(programme, evaluate_programme(programme))
        write_atomically(path, lambda target, workbook=workbook: save_workbook(workbook, target))
        made[name] = (programme, tco, path)
    for name, (source, changes) in CHANGES.items():
        programme = programme_with_values(made[source][0], changes)
        tco = src / f"{name}.tco"
        save_programme(programme, tco)
        workbook = openpyxl.load_workbook(made[source][2])
        for key, value in changes.items():
            _named_cell(workbook, cell_name(programme, key)).value = value
        path = src / f"{name}.xlsx"
        assert save_workbook(workbook, path) == {}  # the edit's cached values follow it
        made[name] = (programme, tco, path)
    # eleven workbooks of 20-odd sheets: minutes on a busy machine, more than the default batch timeout
    copies = recalculate([item[2] for item in made.values()], out, timeout=900)
    return {name: Book(p, cli_report(tco), path, openpyxl.load_workbook(copies[path.resolve()], data_only=True))
            for name, (p, tco, path) in made.items()}


def _destination(workbook, name: str):
    ((sheet, ref),) = list(workbook.defined_names[name].destinations)
    return workbook[sheet][ref.replace("$", "")]


def _named_cell(workbook, name: str):
    return _destination(workbook, name)


def _named_column(workbook, name: str) -> list:
    return [row[0].value for row in _destination(workbook, name)]


def _close(value, expected, rel: float, floor: float = 0.0) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return value in (None, "")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return abs(value - expected) <= rel * max(abs(expected), abs(value)) + floor


def _mismatches(workbook, block: dict, prefix: str) -> list[str]:
    problems = []
    summary = block["summary"]
    for key, expected in summary.items():
        value = _named_cell(workbook, f"{prefix}summary_{key}").value
        floor = REL * sum(abs(summary[k] or 0.0) for k in DIFFERENCE_KEYS.get(key, ()))
        if not _close(value, expected, REL_IRR if key == "irr" else REL, floor):
            problems.append(f"{prefix}summary_{key}: workbook {value!r}, CLI {expected!r}")
    for key, expected in block["series"].items():
        values = _named_column(workbook, f"{prefix}series_{key}")
        if len(values) != len(expected):
            problems.append(f"{prefix}series_{key}: {len(values)} months, CLI {len(expected)}")
            continue
        scale = max([abs(v) for v in expected if v is not None] + [0.0])
        for month, (value, want) in enumerate(zip(values, expected)):
            if not _close(value, want, REL, REL * scale):
                problems.append(f"{prefix}series_{key}[{month}]: workbook {value!r}, CLI {want!r}")
                break
    return problems


ALL = list(PROGRAMMES) + list(CHANGES)


@pytest.mark.parametrize("name", ALL)
def test_cached_values_equal_the_cli(books, name):
    """What a viewer that does not recalculate shows (the values cached beside the formulas) is the CLI's too."""
    book = books[name]
    cached = openpyxl.load_workbook(book.original, data_only=True)
    problems = _mismatches(cached, book.report, "prog_")
    for n, workload in enumerate(book.report["workloads"].values(), start=1):
        problems += _mismatches(cached, workload, f"w{n}_")
    assert not problems, problems[:10]


@pytest.mark.parametrize("name", ALL)
def test_workbook_equals_the_cli(books, name):
    book = books[name]
    problems = _mismatches(book.values, book.report, "prog_")
    assert list(book.report["workloads"]) == book.programme.names
    for w, (workload, block) in enumerate(book.report["workloads"].items()):
        problems += _mismatches(book.values, block, f"w{w + 1}_")
    assert problems == []


@pytest.mark.parametrize("name", ALL)
def test_check_sheet_says_ok(books, name):
    values = books[name].values
    assert _named_cell(values, "check_status").value == "OK"
    # the informational block compares with the app at export: the same until an input is edited
    assert _named_cell(values, "comparison_status").value == ("DIFFERS" if name in CHANGES else "OK")


@pytest.mark.parametrize("name", list(CHANGES))
def test_edits_moved_the_numbers(books, name):
    source = books[CHANGES[name][0]].report["summary"]["total_cost"]
    assert books[name].report["summary"]["total_cost"] != pytest.approx(source, rel=1e-9)


def test_no_cell_holds_an_error_value(books):
    errors = []
    for name, book in books.items():
        for sheet in book.values.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "e" or (isinstance(cell.value, str) and (
                            cell.value in ERROR_VALUES or cell.value.startswith("Err:"))):
                        errors.append(f"{name}: {sheet.title}!{cell.coordinate} = {cell.value}")
    assert errors[:20] == []


def test_idle_capacity_is_its_own_line(books):
    pooled, unpooled = books["idle_pooled"], books["idle_unpooled"]
    idle = _named_column(pooled.values, "prog_series_inference_unallocated")
    assert min(idle[30:40]) > 0 and max(idle[:30]) == 0 and max(idle[40:]) == 0
    assert idle == pytest.approx(pooled.report["series"]["inference_unallocated"], rel=REL)
    # the pool's idle months: flagged, and nobody's share
    assert _named_column(pooled.values, "pool1_idle")[30:40] == [1] * 10
    assert sum(_named_column(pooled.values, "pool1_share_0")[30:40]) == 0
    assert sum(_named_column(pooled.values, "pool1_share_1")[30:40]) == 0
    # the budget's idle rows add up to the line
    budget = pooled.values["Budget"]
    rows = [r for r in budget.iter_rows(min_row=5, values_only=True) if r[1] == "(idle owned capacity)"]
    assert sum(r[3] for r in rows) == pytest.approx(sum(idle), rel=REL)
    assert sum(_named_column(unpooled.values, "prog_series_inference_unallocated")) == 0
    assert "pool1_required" not in unpooled.values.defined_names


def test_two_prices_are_two_pools(books):
    values = books["two_pools"].values
    assert sum(_named_column(values, "pool1_share_0")) > 0  # v1 alone
    assert sum(_named_column(values, "pool2_share_1")) > 0  # v2 alone
    assert sum(_named_column(values, "prog_series_inference_unallocated")) > 0  # v1's fleet after its retirement


def test_budget_by_year_and_workload(books):
    book = books["sample"]
    report = book.report
    budget = book.values["Budget"]
    rows = list(budget.iter_rows(min_row=5, max_col=8, values_only=True))
    by_workload = {(r[0], r[1]): r for r in rows if isinstance(r[0], int) and r[1] in report["workloads"]}
    for name, block in report["workloads"].items():
        for y in range(5):
            year = block["yearly"]
            row = by_workload[(y + 1, name)]
            assert row[2] == pytest.approx(year["training"][y], rel=REL, abs=1e-6)
            assert row[3] == pytest.approx(year["inference"][y], rel=REL, abs=1e-6)
            assert row[4] == pytest.approx(year["capex"][y], rel=REL, abs=1e-6)
            assert row[6] == pytest.approx(year["cash_total"][y], rel=REL, abs=1e-6)
            assert row[5] == pytest.approx(year["cash_total"][y] - year["capex"][y], rel=REL, abs=1e-6)
    # the chart's table: total cost by year (rows) and workload (columns), the idle capacity last
    for y in range(5):
        row = [c.value for c in budget[5 + y]][9:9 + 2 + len(report["workloads"])]
        assert row[0] == y + 1
        for value, block in zip(row[1:], report["workloads"].values()):
            assert value == pytest.approx(block["yearly"]["total"][y], rel=REL, abs=1e-6)
        assert row[-1] == pytest.approx(report["yearly"]["inference_unallocated"][y], abs=1e-6)
    with zipfile.ZipFile(book.original) as archive:
        assert [n for n in archive.namelist() if n.startswith("xl/charts/chart")] == ["xl/charts/chart1.xml"]
    shares = _named_column(book.values, "budget_inference_share")
    yearly = report["yearly"]
    assert shares == pytest.approx([i / t for i, t in zip(yearly["inference"], yearly["total"])], rel=REL)


def test_inputs_are_unlocked_formulas_locked_fixed_fields_grey(tmp_path):
    programme = load_programme(SAMPLE)
    workbook = build_programme_workbook(programme)
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        assert sheet.protection.sheet and not sheet.protection.password, sheet.title
    rpd = _named_cell(workbook, "w3_inference_requests_per_day")
    assert rpd.protection.locked is False and rpd.value == 400000
    validations = workbook[rpd.parent.title].data_validations.dataValidation
    assert any(rpd.coordinate in str(dv.sqref) and ">=0" in dv.formula1 for dv in validations)
    assert _named_cell(workbook, "finance_discount_rate").protection.locked is False
    total = _named_cell(workbook, "prog_summary_total_cost")
    assert total.value.startswith("=") and total.protection.locked is not False
    # fixed at export: they decide the layout or the pools
    for name in ("horizon_years", "currency", "shared_fleets", "w1_inference_deployment", "w1_inference_chip_price",
                 "w2_inference_chip_price", "chip_h100_sxm_price_usd"):
        cell = _named_cell(workbook, name)
        assert cell.protection.locked is not False and cell.comment is not None, name
        assert cell.fill.fgColor.rgb.endswith("D9D9D9"), name
    # a lone chip's price is free (the coding agent rents its H200s)
    assert _named_cell(workbook, "chip_h200_price_usd").protection.locked is False
    stamp = workbook["Programme"]["A3"].value
    assert stamp.startswith("Exported ") and "model version" in stamp


def test_every_sheet_named_in_the_guide():
    programme = load_programme(SAMPLE)
    workbook = build_programme_workbook(programme)
    names = workbook.sheetnames
    assert names[:5] == ["Programme", "Budget", "Programme monthly", "Pools", "Programme inputs"]
    assert names[-1] == "Check"
    assert names[5:9] == ["1 Assistant v1", "1 Assistant v1 inputs", "1 Assistant v1 monthly",
                          "1 Assistant v1 workings"]
    assert all(len(n) <= 31 for n in names)


def test_awkward_workload_names_make_valid_sheets():
    doc = _programme([_owned("A-B? [x]: 'quoted' and a very long name indeed", 1e6),
                      _owned("Inputs", 1e6), _owned("Monthly", 2e6)])
    programme = programme_from_dict(doc)
    workbook = build_programme_workbook(programme)
    assert len(set(n.lower() for n in workbook.sheetnames)) == len(workbook.sheetnames)
    assert "2 Inputs" in workbook.sheetnames and "3 Monthly workings" in workbook.sheetnames
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\'") for n in workbook.sheetnames)
