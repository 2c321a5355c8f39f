"""``tcoapp-cli`` on programme files: the report's JSON, validate, CSV export and the solver tools."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tcoapp.cli.main import main
from tcoapp.engine import programme as engine_programme
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.programme import (
    evaluate_programme, load_programme, programme_with_values, save_programme, workload_scenario,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "company-programme.tco"


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv):
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_report_json_has_programme_and_workloads(capsys):
    report = _json(capsys, "report", SAMPLE)
    programme = load_programme(SAMPLE)
    assert report["format"] == "tcoapp-programme-report"
    assert list(report["workloads"]) == programme.names
    assert len(report["workloads"]) >= 4
    months = 12 * programme.horizon_years
    total = np.zeros(months)
    for name, item in report["workloads"].items():
        assert len(item["series"]["total"]) == months
        scenario_keys = set(item["summary"])
        assert {"training_chips", "replica_chips", "total_cost"} <= scenario_keys
        total += np.array(item["series"]["total"], dtype=float)
    idle = np.array(report["series"]["inference_unallocated"], dtype=float)
    np.testing.assert_allclose(np.array(report["series"]["total"], dtype=float), total + idle, rtol=1e-12)
    assert report["summary"]["total_cost"] == pytest.approx(sum(report["series"]["total"]), rel=1e-12)
    assert report["summary"]["training_chips"] is None and report["summary"]["replica_batch"] is None
    # the retired pilot's fleet is reused by v2: it shares the pool and v2 buys fewer chips than it needs at launch
    v1, v2 = report["workloads"]["Assistant v1"], report["workloads"]["Assistant v2"]
    assert v1["series"]["chips"][30] == 0 and v2["series"]["chips"][30] > 0
    assert v2["series"]["capex"][30] < v2["series"]["chips"][30] * 31250 * 1.4


def test_report_text(capsys):
    code, out, _ = _run(capsys, "report", SAMPLE)
    assert code == 0
    assert "Idle owned capacity" in out and "Assistant v1" in out and "Support bot" in out


def test_validate(capsys, tmp_path):
    code, out, _ = _run(capsys, "validate", SAMPLE)
    assert code == 0 and "valid" in out
    data = json.loads(SAMPLE.read_text("utf-8"))
    data["workloads"][1]["finance"] = {"discount_rate": 0.1}
    bad = tmp_path / "bad.tco"
    bad.write_text(json.dumps(data), "utf-8")
    code, out, err = _run(capsys, "validate", bad)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "bad.tco: workloads[1].finance: is shared by every workload" in err


def test_engine_error_names_the_workload(capsys, tmp_path):
    data = json.loads(SAMPLE.read_text("utf-8"))
    data["workloads"][2]["inference"]["min_tokens_per_s_per_user"] = 1e6
    bad = tmp_path / "slow.tco"
    bad.write_text(json.dumps(data), "utf-8")
    code, _, err = _run(capsys, "report", bad)
    assert code == 2
    assert "workloads[2].inference.min_tokens_per_s_per_user" in err


def test_export_csv(capsys, tmp_path):
    code, out, err = _run(capsys, "export", SAMPLE, "--csv", tmp_path)
    assert code == 0, err
    import pandas as pd

    budget = pd.read_csv(tmp_path / "company-programme-budget.csv")
    yearly = pd.read_csv(tmp_path / "company-programme-yearly.csv")
    report = _json(capsys, "report", SAMPLE)
    by_year = budget.groupby("Year")["Total (USD)"].sum().to_numpy()
    np.testing.assert_allclose(by_year, report["yearly"]["total"], rtol=1e-9)
    np.testing.assert_allclose(budget.groupby("Year")["Cash (USD)"].sum().to_numpy(), report["yearly"]["cash_total"],
                               rtol=1e-9)
    assert "Idle owned capacity, unallocated (USD)" in yearly.columns


def test_export_workbook(capsys, tmp_path):
    import openpyxl

    target = tmp_path / "p.xlsx"
    code, out, err = _run(capsys, "export", SAMPLE, "-o", target, "--csv", tmp_path / "csv")
    assert code == 0, err
    assert f"wrote {target}" in out and (tmp_path / "csv" / "company-programme-budget.csv").exists()
    workbook = openpyxl.load_workbook(target)
    names = load_programme(SAMPLE).names
    assert workbook.sheetnames[0] == "Programme" and f"1 {names[0]}" in workbook.sheetnames
    assert "prog_summary_total_cost" in workbook.defined_names and "w4_summary_total_cost" in workbook.defined_names
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left behind


def test_export_workbook_refuses_bad_targets_before_writing(capsys, tmp_path):
    code, _, err = _run(capsys, "export", SAMPLE, "-o", tmp_path / "missing" / "p.xlsx")
    assert code == 2 and "does not exist" in err and "Traceback" not in err
    code, _, err = _run(capsys, "export", SAMPLE, "-o", tmp_path / "p.csv")
    assert code == 2 and "must name an .xlsx file" in err
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"keep me")
    old.chmod(0o444)
    code, _, err = _run(capsys, "export", SAMPLE, "-o", old)
    assert code == 2 and "read-only" in err and old.read_bytes() == b"keep me"
    code, _, err = _run(capsys, "export", SAMPLE, "-o", tmp_path / "q.xlsx", "--csv", tmp_path / "a" / "b")
    assert code == 2 and not (tmp_path / "q.xlsx").exists()  # the CSV folder is checked before the workbook
    code, _, err = _run(capsys, "export", SAMPLE, "--png", tmp_path)
    assert code == 2 and "charts" in err


def _count_engine_calls(monkeypatch):
    calls = []
    real = engine_programme.run

    def counting(inputs, months, **kw):
        calls.append(max([np.size(v) for v in inputs.values()]))
        return real(inputs, months, **kw)
    monkeypatch.setattr(engine_programme, "run", counting)
    return calls


def test_sweep_is_one_batch_and_matches_edited_programmes(capsys, monkeypatch):
    programme = load_programme(SAMPLE)
    values = [0.2, 0.5, 0.9]
    calls = _count_engine_calls(monkeypatch)
    result = _json(capsys, "sweep", SAMPLE, "--input", "Assistant v2/inference.annual_growth",
                   "--values", ",".join(map(str, values)), "--metric", "npv_total")
    assert calls[-1] == 3 * len(programme.workloads)  # K variants x W workloads in one engine call
    for value, got in zip(values, result["metrics"]["npv_total"]):
        edited = programme_with_values(programme, {"Assistant v2/inference.annual_growth": value})
        assert got == pytest.approx(float(evaluate_programme(edited).summary["npv_total"][0]), rel=1e-12)


def test_shared_input_sweep(capsys):
    programme = load_programme(SAMPLE)
    result = _json(capsys, "sweep", SAMPLE, "--input", "facility.electricity_price", "--values", "0.05,0.2")
    for value, got in zip((0.05, 0.2), result["metrics"]["total_cost"]):
        edited = programme_with_values(programme, {"facility.electricity_price": value})
        assert got == pytest.approx(float(evaluate_programme(edited).summary["total_cost"][0]), rel=1e-12)


def test_tornado_rows_match_edited_programmes(capsys):
    programme = load_programme(SAMPLE)
    result = _json(capsys, "tornado", SAMPLE, "--input", "Coding agent/inference.requests_per_day",
                   "--input", "finance.discount_rate", "--metric", "npv_total")
    for row in result["rows"]:
        edited = programme_with_values(programme, {row["path"]: row["high_input"]})
        assert row["high_metric"] == pytest.approx(float(evaluate_programme(edited).summary["npv_total"][0]),
                                                   rel=1e-12)


def test_solve_reaches_the_target(capsys):
    programme = load_programme(SAMPLE)
    base = float(evaluate_programme(programme).summary["total_cost"][0])
    result = _json(capsys, "solve", SAMPLE, "--input", "Support bot/inference.requests_per_day",
                   "--metric", "total_cost", "--target", str(base + 1e6), "--low", "1e5", "--high", "1e7")
    assert result["status"] == "ok"
    edited = programme_with_values(programme, {"Support bot/inference.requests_per_day": result["value"]})
    assert float(evaluate_programme(edited).summary["total_cost"][0]) == pytest.approx(base + 1e6, rel=1e-5)


def test_compare_deployments_of_a_workload(capsys):
    programme = load_programme(SAMPLE)
    result = _json(capsys, "compare", SAMPLE, "deployments", "--workload", "Coding agent")
    by_kind = {r["deployment"]: r["value"] for r in result["rows"]}
    data = json.loads(SAMPLE.read_text("utf-8"))
    data["workloads"][2]["inference"]["deployment"] = "owned"
    from tcoapp.scenario.programme import programme_from_dict

    owned = evaluate_programme(programme_from_dict(data))
    assert by_kind["owned"] == pytest.approx(float(owned.summary["total_cost"][0]), rel=1e-12)
    assert by_kind["cloud"] == pytest.approx(float(evaluate_programme(programme).summary["total_cost"][0]), rel=1e-12)
    code, _, err = _run(capsys, "compare", SAMPLE, "chips")
    assert code == 2 and "--workload" in err


def test_montecarlo_is_seeded(capsys):
    a = _json(capsys, "montecarlo", SAMPLE, "--samples", "300", "--seed", "3")
    b = _json(capsys, "montecarlo", SAMPLE, "--samples", "300", "--seed", "3")
    assert a == b and a["failed"] == 0
    assert a["metrics"]["total_cost"]["p5"] < a["metrics"]["total_cost"]["p95"]


def test_bad_programme_inputs(capsys):
    code, _, err = _run(capsys, "sweep", SAMPLE, "--input", "Nobody/inference.annual_growth", "--values", "1")
    assert code == 2 and "names no workload" in err
    code, _, err = _run(capsys, "sweep", SAMPLE, "--input", "inference.annual_growth", "--values", "1")
    assert code == 2 and "WORKLOAD/section.field" in err
    code, _, err = _run(capsys, "sweep", SAMPLE, "--input", "Assistant v1/finance.discount_rate", "--values", "1")
    assert code == 2 and "shared by every workload" in err
    code, _, err = _run(capsys, "sweep", SAMPLE, "--input", "finance.discount_rate", "--values", "0.1",
                        "--metric", "training_chips")
    assert code == 2 and "per-workload" in err


def test_one_workload_programme_equals_the_scenario(capsys, tmp_path):
    programme = load_programme(SAMPLE)
    one = programme.model_copy(update={"workloads": [programme.workloads[0]], "uncertainty": {}})
    path = tmp_path / "one.tco"
    save_programme(one, path)
    report = _json(capsys, "report", path)
    scenario = evaluate(workload_scenario(one, 0))
    for key in ("total_cost", "npv_total", "inference_cost", "energy_mwh", "residual_book_value", "irr",
                "payback_month", "crossover_month"):
        expected = float(scenario.summary[key][0])
        if np.isnan(expected):
            assert report["summary"][key] is None, key
        else:
            assert report["summary"][key] == pytest.approx(expected, rel=1e-12), key


def test_subprocess_entry_point():
    out = subprocess.run([sys.executable, "-m", "tcoapp.cli", "report", str(SAMPLE), "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["workloads"]["Support bot"]["summary"]["training_cost"] == 0.0


def test_a_batch_whose_variants_pool_differently(capsys):
    """One sweep where a price change splits v2 from v1's pool in one variant and not in another."""
    programme = load_programme(SAMPLE)
    catalog_price = 31250.0  # the H100 SXM catalog price the sample's v1 pays
    values = [catalog_price, 20000.0, catalog_price * 1.5]
    result = _json(capsys, "sweep", SAMPLE, "--input", "Assistant v2/inference.chip_price",
                   "--values", ",".join(map(str, values)), "--metric", "total_cost")
    for value, got in zip(values, result["metrics"]["total_cost"]):
        edited = programme_with_values(programme, {"Assistant v2/inference.chip_price": value})
        one = evaluate_programme(edited)
        assert got == pytest.approx(float(one.summary["total_cost"][0]), rel=1e-12)
    pooled = evaluate_programme(programme_with_values(programme, {"Assistant v2/inference.chip_price": values[0]}))
    split = evaluate_programme(programme_with_values(programme, {"Assistant v2/inference.chip_price": values[1]}))
    assert pooled.pools[0].tolist()[:2] == [0, 0] and split.pools[0].tolist()[:2] == [0, 1]


def test_allocation_conserves_the_pools_costs():
    """Every owned series of the programme is its workloads' allocated parts plus the idle part."""
    programme = load_programme(SAMPLE)
    data = json.loads(SAMPLE.read_text("utf-8"))
    data["workloads"][1]["inference"]["launch_month"] = 36  # a six-month gap after v1 retires
    data["workloads"][1]["training"]["start_month"] = 28
    from tcoapp.scenario.programme import programme_from_dict

    result = evaluate_programme(programme_from_dict(data))
    idle = result.series["inference_unallocated"][0]
    assert idle[30:36].min() > 0 and idle[:30].max() == 0
    wl = result.workloads.series
    for key in ("inference", "total", "cash_total"):
        np.testing.assert_allclose(result.series[key][0], wl[key].sum(axis=0) + idle, rtol=1e-12, err_msg=key)
    np.testing.assert_allclose(result.series["capex"][0], wl["capex"].sum(axis=0), rtol=1e-12)  # no idle buying
    assert programme.names == list(p.name for p in programme.workloads)


def test_chips_and_plan_on_a_programme(capsys, tmp_path):
    data = json.loads(SAMPLE.read_text("utf-8"))
    data["chips"] = [{"id": "my-asic", "name": "Our ASIC", "bf16_tflops": 100.0, "memory_gb": 64.0}]
    path = tmp_path / "own-chip.tco"
    path.write_text(json.dumps(data), "utf-8")
    listing = _json(capsys, "chips", path)
    assert "my-asic" in [chip["id"] for chip in listing["chips"]]
    code, _, err = _run(capsys, "plan", SAMPLE, "--quality-loss", "2")
    assert code == 2 and "not a programme" in err


def test_two_way_sweep_cells_match_edited_programmes(capsys):
    programme = load_programme(SAMPLE)
    result = _json(capsys, "sweep", SAMPLE, "--input", "facility.electricity_price", "--values", "0.05,0.1",
                   "--y-input", "Assistant v2/inference.annual_growth", "--y-values", "0.2,0.6")
    for iy, y in enumerate(result["y"]):
        for ix, x in enumerate(result["x"]):
            edited = programme_with_values(programme, {"facility.electricity_price": x,
                                                       "Assistant v2/inference.annual_growth": y})
            assert result["grid"][iy][ix] == pytest.approx(float(evaluate_programme(edited).summary["total_cost"][0]),
                                                           rel=1e-12)


def test_solve_against_another_deployment_of_a_workload(capsys):
    programme = load_programme(SAMPLE)
    result = _json(capsys, "solve", SAMPLE, "--input", "Coding agent/inference.cloud_rate", "--metric", "total_cost",
                   "--target-deployment", "owned", "--workload", "Coding agent", "--low", "1", "--high", "20")
    assert result["status"] == "ok" and result["workload"] == "Coding agent"
    owned = programme_with_values(programme, {"Coding agent/inference.deployment": "owned"})
    assert result["target"] == pytest.approx(float(evaluate_programme(owned).summary["total_cost"][0]), rel=1e-12)
    at = programme_with_values(programme, {"Coding agent/inference.cloud_rate": result["value"]})
    assert float(evaluate_programme(at).summary["total_cost"][0]) == pytest.approx(result["target"], rel=1e-5)
    code, _, err = _run(capsys, "solve", SAMPLE, "--input", "finance.discount_rate", "--metric", "total_cost",
                        "--target-deployment", "owned", "--low", "0", "--high", "0.5")
    assert code == 2 and "--workload" in err


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_shared_fleets_that_is_not_true_or_false_is_one_line_naming_it(capsys, tmp_path, value):
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["shared_fleets"] = value
    path = tmp_path / "bad.tco"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _run(capsys, "report", path, "--json")
    assert code == 2 and out == ""
    assert err.strip() == f"tcoapp-cli: {path}: shared_fleets = {value!r}: must be true or false"


@pytest.mark.parametrize("name, rule", [
    ("\u200b", "workloads[1].name = '\\u200b': must have a visible character (it holds only invisible ones such "
               "as U+200B)"),
    (" \u00ad\ufeff ", "workloads[1].name = ' \\xad\\ufeff ': must have a visible character (it holds only "
                       "invisible ones such as U+00AD)"),
    ("Assistant\u200b v1", "workloads[1].name = 'Assistant\\u200b v1': is already the name of workloads[0] "
                           "('Assistant v1'); names must be unique, ignoring case and spaces"),
])
def test_invisible_workload_names_are_refused(capsys, tmp_path, name, rule):
    # a name of only zero-width characters shows as blank, and one that differs from another only by them
    # shows as the same name: both are refused like a blank or duplicate name
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["workloads"][1]["name"] = name
    data["uncertainty"] = {}
    path = tmp_path / "bad.tco"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _run(capsys, "report", path, "--json")
    assert code == 2 and out == ""
    assert err.strip() == f"tcoapp-cli: {path}: {rule}"


@pytest.mark.parametrize("fmt", [None, "tcoapp-scenario", "tcoapp-programm"])
def test_a_programme_with_a_missing_or_wrong_format_says_so(capsys, tmp_path, fmt):
    # without "format": "tcoapp-programme" the file was read as a scenario: "must be "tcoapp-scenario"" or
    # "model: is required", which sent the user the wrong way
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    if fmt is None:
        del data["format"]
    else:
        data["format"] = fmt
    path = tmp_path / "bad.tco"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _run(capsys, "report", path, "--json")
    value = "" if fmt is None else f" = {fmt!r}"
    assert code == 2 and out == ""
    assert err.strip() == (f"tcoapp-cli: {path}: format{value}: must be \"tcoapp-programme\": the file holds "
                           "workloads, so it is a programme file")


def _tiny_programme(**top):
    """A needs 2 chips in months 0-5, B 3 chips in months 8-11 of a 1-year programme; one chip per server,
    life 12 months, K = 1000 (no server overhead, flat prices), energy 1 kW * 730 h * 0.1 = 73 a chip-month,
    no maintenance or colocation, discount 0."""
    chip = {"id": "h", "name": "Hand chip", "vendor": "T", "bf16_tflops": 500.0, "fp8_tflops": 1000.0,
            "fp4_tflops": None, "memory_gb": 80.0, "bandwidth_tbs": 2.0, "tdp_w": 1000.0, "price_usd": 1000.0,
            "cloud_usd_per_hour": 2.0, "source": "test", "as_of": "2026-01"}
    served = {"chip": "h", "deployment": "owned", "chips_per_replica": 1, "prefill_tokens_per_s_per_chip": 1.0,
              "decode_tokens_per_s_per_chip": 1.0, "input_tokens": 0, "output_tokens": 1,
              "target_utilization": 1.0, "peak_to_average": 1.0}
    doc = {"format": "tcoapp-programme", "schema_version": 1, "horizon_years": 1, "chips": [chip],
           "finance": {"discount_rate": 0.0},
           "facility": {"chips_per_server": 1, "life_years": 1, "server_overhead": 0.0, "hardware_price_change": 0.0,
                        "electricity_price": 0.1, "electricity_price_change": 0.0, "server_power_overhead": 0.0,
                        "power_load_factor": 1.0, "pue": 1.0, "maintenance_rate": 0.0,
                        "colocation_per_kw_month": 0.0},
           "workloads": [
               {"name": "A", "model": {"params_billion": 1},
                "inference": dict(served, requests_per_day=2 * 86400.0, launch_month=0, end_month=6)},
               {"name": "B", "model": {"params_billion": 1},
                "inference": dict(served, requests_per_day=3 * 86400.0, launch_month=8)}]}
    doc.update(top)
    return doc


@pytest.mark.parametrize("case, a_total, b_total, idle", [
    # pooled: the fleet buys 2 chips in month 0 (2000) and 1 in month 8 (1000). A: 2000 + 6 x 2 x 73 = 2876;
    # B: 1000 + 4 x 3 x 73 = 1876; months 6-7 nobody needs chips: 2 x 2 x 73 = 292 idle. Total 5044.
    ("pooled", 2876.0, 1876.0, [0.0] * 6 + [146.0] * 2 + [0.0] * 4),
    # shared_fleets off, each its own fleet as in a scenario: A keeps its 2 chips all year (never sold):
    # 2000 + 12 x 146 = 3752; B buys 3 in month 8: 3000 + 4 x 219 = 3876; nothing idle. Total 7628.
    ("off", 3752.0, 3876.0, [0.0] * 12),
    # B at another price (1100): two pools of one. A: 2876 and its chips idle in months 6-11 (6 x 146 = 876);
    # B buys 3 at 1100: 3300 + 876 = 4176. Total 2876 + 876 + 4176 = 7928.
    ("price", 2876.0, 4176.0, [0.0] * 6 + [146.0] * 6),
])
def test_report_json_pooling_by_hand(capsys, tmp_path, case, a_total, b_total, idle):
    doc = _tiny_programme(shared_fleets=case != "off")
    if case == "price":
        doc["workloads"][1]["inference"]["chip_price"] = 1100.0
    path = tmp_path / "tiny.tco"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = _json(capsys, "report", path)
    assert list(report["workloads"]) == ["A", "B"]
    assert report["workloads"]["A"]["summary"]["total_cost"] == pytest.approx(a_total, rel=1e-12)
    assert report["workloads"]["B"]["summary"]["total_cost"] == pytest.approx(b_total, rel=1e-12)
    assert report["series"]["inference_unallocated"] == pytest.approx(idle, abs=1e-9)
    total = a_total + b_total + sum(idle)
    summary = report["summary"]
    assert summary["total_cost"] == pytest.approx(total, rel=1e-12)
    assert summary["npv_total"] == pytest.approx(total, rel=1e-12)  # cash basis, discount 0
    assert summary["training_cost"] == 0.0 and summary["crossover_month"] == 0
    assert summary["training_chips"] is None and summary["replica_chips"] is None
    assert summary["peak_chips"] == {"pooled": 3.0, "off": 5.0, "price": 5.0}[case]
    # MWh: 1 kW * 730 h = 0.73 MWh a chip-month; pooled 2 x 8 + 3 x 4 = 28 chip-months, else 2 x 12 + 3 x 4 = 36
    assert summary["energy_mwh"] == pytest.approx(0.73 * (28 if case == "pooled" else 36), rel=1e-12)


@pytest.mark.parametrize("command", [["compare", "{file}", "chips", "--workload", "Assistant v1"],
                                     ["solve", "{file}", "--workload", "Assistant v1", "--target-deployment", "api",
                                      "--input", "finance.discount_rate", "--metric", "total_cost",
                                      "--low", "0", "--high", "0.5"]])
@pytest.mark.parametrize("content, problem", [(None, "file not found"), ("{bad", "not valid JSON at line 1")])
def test_workload_with_a_missing_or_broken_file_names_the_option_and_the_file(capsys, tmp_path, command,
                                                                             content, problem):
    """Before: a file that could not be read was called "a scenario, not a programme"."""
    path = tmp_path / "x.tco"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, *[str(path) if a == "{file}" else a for a in command])
    assert code == 2 and out == ""
    assert err.startswith(f"tcoapp-cli: --workload 'Assistant v1': {path}: {problem}") and err.count("\n") == 1
    assert "is a scenario" not in err and "Traceback" not in err
