"""Red-team findings on the command line: each test is an input a careful attacker or a careless
finance user gave, and what the CLI must do with it (exit 2, one line naming the option or field,
never a hang, a traceback or a silently wrong answer)."""

from __future__ import annotations

import copy
import errno
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from tcoapp.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
PROGRAMME = SAMPLES / "company-programme.tco"
CLOUD = SAMPLES / "deployment-cloud.tco"


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _bad(capsys, *argv) -> str:
    code, out, err = _run(capsys, *argv)
    assert code == 2, (code, out, err)
    assert err.strip().count("\n") == 0 and "Traceback" not in err, err
    return err


def _write(tmp_path, name, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def _programme() -> dict:
    return json.loads(PROGRAMME.read_text("utf-8"))


# ------------------------------------------------------------------ ranking "best first"

@pytest.mark.parametrize("metric", ["npv_profit", "profit", "irr", "revenue_total"])
def test_compare_ranks_higher_is_better_metrics_highest_first(capsys, metric):
    # Before: every metric was ranked ascending, so "best first" put the lowest NPV of profit
    # (or IRR) first.
    code, out, err = _run(capsys, "compare", PROGRAMME, "deployments", "--workload", "Assistant v1",
                          "--metric", metric, "--json")
    assert code == 0, err
    values = [row["value"] for row in json.loads(out)["rows"] if row["value"] is not None]
    assert len(values) >= 2 and values == sorted(values, reverse=True)


def test_compare_ranks_costs_lowest_first(capsys):
    code, out, err = _run(capsys, "compare", CLOUD, "deployments", "--json")
    assert code == 0, err
    values = [row["value"] for row in json.loads(out)["rows"] if row["value"] is not None]
    assert values == sorted(values)


def test_scenario_compare_npv_profit_highest_first(capsys):
    code, out, err = _run(capsys, "compare", CLOUD, "deployments", "--metric", "npv_profit", "--json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    values = [row["value"] for row in rows if row["value"] is not None]
    assert values == sorted(values, reverse=True)
    assert [row["rank"] for row in rows if row["value"] is not None] == list(range(1, len(values) + 1))


# ------------------------------------------------------------------ sweeps over the calendar

def test_engine_refuses_an_end_month_not_after_launch_in_a_sweep():
    # Before: a sweep of inference.end_month to or below the launch month computed a scenario the
    # file loader refuses (no inference at all) and showed it as a valid point.
    from tcoapp.scenario import sensitivity as ss
    from tcoapp.scenario.files import load_scenario
    from tcoapp.scenario.schema import with_values

    scenario = with_values(load_scenario(CLOUD), {"inference.end_month": 30})  # launch 0 + 2 = 2
    result = ss.sweep(scenario, "inference.end_month", [1, 2, 3, 30])
    assert [e is None for e in result["errors"]] == [False, False, True, True], result["errors"]
    assert "inference.end_month" in result["errors"][0] and "launch" in result["errors"][0]
    assert result["metrics"]["total_cost"][:2] == [None, None]
    launch = ss.sweep(scenario, "inference.launch_month", [29, 30, 40])
    assert [e is None for e in launch["errors"]] == [True, False, False]


def test_programme_sweep_point_ending_before_launch_is_an_error(capsys):
    code, out, err = _run(capsys, "sweep", PROGRAMME, "--input", "Assistant v1/inference.end_month",
                          "--values", "1,4,5", "--json")
    if code == 2:  # refused outright, naming the option: also right
        assert "--values" in err and "end_month" in err
        return
    doc = json.loads(out)
    assert doc["errors"][0] is not None and "Assistant v1/inference.end_month" in doc["errors"][0]
    assert doc["errors"][1] is not None and doc["errors"][2] is None


def test_scenario_sweep_of_a_whole_number_field_takes_whole_numbers(capsys, tmp_path):
    # Before: "--values 1: inference.end_month must be an integer" (the typed 1 was read as 1.0).
    data = json.loads(CLOUD.read_text("utf-8"))
    data["inference"]["end_month"] = 40
    path = _write(tmp_path, "s.tco", data)
    code, out, err = _run(capsys, "sweep", path, "--input", "inference.end_month", "--values", "10,20,30", "--json")
    assert code == 0, err
    assert json.loads(out)["values"] == [10, 20, 30]
    err = _bad(capsys, "sweep", path, "--input", "inference.end_month", "--values", "10.5")
    assert "--values 10.5" in err and "whole number" in err
    code, out, err = _run(capsys, "solve", path, "--input", "inference.end_month", "--metric", "total_cost",
                          "--target", "1e6", "--low", "3", "--high", "48", "--json")
    assert code in (0, 3), err


def test_programme_sweep_refuses_values_outside_the_rule_as_the_scenario_sweep_does(capsys):
    # Before: the programme sweep clipped 1e13 to 1e12 without a word; the scenario sweep refuses it.
    err = _bad(capsys, "sweep", PROGRAMME, "--input", "Assistant v1/inference.requests_per_day", "--values", "1e13")
    assert "--values" in err and "requests_per_day" in err and "1 trillion" in err
    err = _bad(capsys, "solve", PROGRAMME, "--input", "Assistant v1/inference.annual_growth", "--metric",
               "total_cost", "--target", "1e8", "--low", "-5", "--high", "1")
    assert "--low" in err and "annual_growth" in err


@pytest.mark.parametrize("path", ["horizon_years", "Assistant v1/horizon_years"])
def test_programme_horizon_is_not_a_loop_of_suggestions(capsys, path):
    # Before: "horizon_years" said "name it as Assistant v1/horizon_years", which said "name it as horizon_years".
    err = _bad(capsys, "sweep", PROGRAMME, "--input", path, "--values", "3")
    assert "horizon" in err and "cannot be varied" in err, err


# ------------------------------------------------------------------ special files as inputs and outputs

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_prices_import_from_a_fifo_or_a_device_is_refused_without_blocking(capsys, tmp_path):
    # Before: --import on a FIFO blocked for ever and on /dev/zero read until memory ran out.
    fifo = tmp_path / "prices.csv"
    os.mkfifo(fifo)
    err = _bad(capsys, "prices", "--import", fifo)
    assert "named pipe" in err
    err = _bad(capsys, "prices", "--import", "/dev/zero")
    assert "device" in err
    err = _bad(capsys, "prices", "--import", tmp_path)
    assert "folder" in err and "Errno" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("argv", [
    ("prices", "--csv", "{t}"),
    ("thinking", str(CLOUD), "--png", "{t}"),
    ("tradeoff", str(CLOUD), "--png", "{t}"),
    ("export", str(CLOUD), "-o", "{t}"),
])
def test_an_output_that_is_a_special_file_is_refused_and_left_alone(capsys, tmp_path, argv):
    # Before: the FIFO (and, as root, /dev/null itself) was renamed over by a regular file, or
    # writing a PNG to it was an internal error.
    suffix = {"prices": ".csv", "export": ".xlsx"}.get(argv[0], ".png")
    target = tmp_path / f"out{suffix}"
    os.mkfifo(target)
    err = _bad(capsys, *[a.format(t=target) for a in argv])
    assert "named pipe" in err and "regular file" in err, err
    assert target.is_fifo()


def test_prices_csv_disk_full_leaves_no_temporary_file(capsys, tmp_path, monkeypatch):
    target = tmp_path / "book.csv"
    target.write_text("old", "utf-8")
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    err = _bad(capsys, "prices", "--csv", target)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert "No space left" in err
    assert target.read_text("utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv"]


# ------------------------------------------------------------------ number lists of the serving commands

@pytest.mark.parametrize("argv, words", [
    (("thinking", CLOUD, "--values", "nan"), ["--values", "finite"]),
    (("thinking", CLOUD, "--values", "0,inf"), ["--values", "finite"]),
    (("thinking", CLOUD, "--values", "1e300"), ["reasoning_tokens", "10 million"]),
    (("tradeoff", CLOUD, "--batches", "1e9"), ["batches", "65,536"]),
    (("tradeoff", CLOUD, "--batches", "1.5"), ["batches", "whole"]),
    (("tradeoff", CLOUD, "--batches", "nan"), ["--batches", "finite"]),
])
def test_serving_number_lists_are_checked(capsys, argv, words):
    # Before: nan was computed (a row "nan ... of nan tokens"), 1e300 reasoning tokens printed a
    # 300-digit cost, a batch of 1e9 was silently capped.
    err = _bad(capsys, *argv)
    assert all(w in err for w in words), err


# ------------------------------------------------------------------ figures beyond double precision

def _near_zero_traffic(tmp_path) -> Path:
    data = json.loads((SAMPLES / "deployment-api.tco").read_text("utf-8"))
    data["inference"]["requests_per_day"] = 5e-324  # within the rule (>= 0), but nearly nothing
    return _write(tmp_path, "tiny.tco", data)


def test_an_overflowing_ratio_is_null_with_a_warning(capsys, tmp_path):
    # Before: cost_per_million_tokens was inf in the engine and null in report --json, with no word.
    code, out, err = _run(capsys, "report", _near_zero_traffic(tmp_path), "--json")
    assert code == 0, err
    summary = json.loads(out)["summary"]
    assert summary["cost_per_million_tokens"] is None
    assert "warning:" in err and "cost_per_million_tokens" in err and "double precision" in err, err


def test_an_overflowing_ratio_in_a_programme_workload_is_warned_about(capsys, tmp_path):
    data = _programme()
    data["workloads"][3]["inference"]["requests_per_day"] = 5e-324
    data["workloads"][3]["inference"]["annual_growth"] = 0.0
    code, out, err = _run(capsys, "report", _write(tmp_path, "p.tco", data), "--json")
    assert code == 0, err
    assert json.loads(out)["workloads"]["Support bot"]["summary"]["cost_per_million_tokens"] is None
    assert "[Support bot]: cost_per_million_tokens" in err, err


@pytest.mark.parametrize("event", ["npv_profit>nan", "total_cost<inf", "irr>=-inf"])
def test_montecarlo_event_needs_a_finite_threshold(capsys, event):
    # Before: "npv_profit>nan" was accepted and reported P = 0.0 %.
    err = _bad(capsys, "montecarlo", PROGRAMME, "--samples", "50", "--event", event)
    assert "event" in err and "finite" in err, err


@pytest.mark.parametrize("file, path", [(CLOUD, "facility.pue"), (PROGRAMME, "facility.pue"),
                                        (CLOUD, "facility.power_load_factor")])
def test_default_sweep_axis_has_no_repeated_points(capsys, file, path):
    # Before: pue 1.3 +-50 % clipped point by point gave 1.0, 1.0, 1.0, 1.04, ...: three equal columns.
    code, out, err = _run(capsys, "sweep", file, "--input", path, "--json")
    assert code == 0, err
    values = json.loads(out)["values"]
    assert len(values) == 11 and len(set(values)) == 11, values
    assert values == sorted(values)


@pytest.mark.parametrize("argv", [
    ("compare", SAMPLES / "deployment-api.tco", "chips"),
    ("compare", PROGRAMME, "chips", "--workload", "Support bot"),
])
def test_comparing_inference_chips_of_an_api_deployment_is_refused(capsys, argv):
    # Before: every chip gave the same cost and was ranked 1, 2, 3 ... as if one were best.
    err = _bad(capsys, *argv)
    assert "inference.deployment" in err and "api" in err and "--role training" in err, err


def test_comparing_training_chips_of_an_api_deployment_still_ranks(capsys):
    code, out, err = _run(capsys, "compare", SAMPLES / "deployment-api.tco", "chips", "--role", "training", "--json")
    assert code == 0, err
    assert len({row["value"] for row in json.loads(out)["rows"] if row["value"] is not None}) > 1


# ------------------------------------------------------------------ writing where it cannot

class _FullStdout:
    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("argv", [("report", PROGRAMME, "--json"), ("report", CLOUD),
                                  ("sweep", PROGRAMME, "--input", "facility.pue", "--json")])
def test_a_full_disk_on_stdout_is_one_line_exit_2(capsys, monkeypatch, argv):
    monkeypatch.setattr("sys.stdout", _FullStdout())
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "No space left" in err, (code, err)


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EACCES, errno.EROFS])
@pytest.mark.parametrize("argv", [
    ("prices", "--csv", "{d}/book.csv"),
    ("thinking", str(CLOUD), "--png", "{d}/t.png"),
    ("export", str(CLOUD), "--csv", "{d}"),
    ("export", str(CLOUD), "-o", "{d}/w.xlsx"),
    ("export", str(PROGRAMME), "--csv", "{d}"),
])
def test_a_write_that_fails_is_one_line_exit_2(capsys, monkeypatch, tmp_path, failure, argv):
    # Root ignores permission bits, so a read-only folder, a read-only file system and a full disk
    # are all simulated by the OSError the first write would raise.
    import builtins
    import tempfile

    # openpyxl binds tempfile.NamedTemporaryFile when its sheet writer is first imported: import it
    # now, or a first import under the patch keeps the refusing stub and every later export fails.
    import openpyxl.worksheet._writer  # noqa: F401

    def refuse(*args, **kwargs):
        raise OSError(failure, os.strerror(failure))

    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wax") and str(file).startswith(str(tmp_path)):
            refuse()
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(builtins, "open", guarded_open)
    code = main([a.format(d=tmp_path) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert os.strerror(failure).lower() in err.lower() and "cannot write" in err, err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ an export never replaces its own input

@pytest.mark.parametrize("source", [CLOUD, PROGRAMME], ids=["scenario", "programme"])
def test_an_export_to_a_link_to_the_input_leaves_the_input_alone(capsys, tmp_path, source):
    # Before: "-o out.xlsx", a symbolic link to the .tco being exported, replaced the user's
    # scenario (or programme) with the workbook and printed "wrote .../plan.tco".
    plan = tmp_path / "plan.tco"
    original = source.read_bytes()
    plan.write_bytes(original)
    link = tmp_path / "out.xlsx"
    link.symlink_to(plan.name)
    err = _bad(capsys, "export", plan, "-o", link)
    assert "out.xlsx" in err and "link" in err and "plan.tco" in err, err
    assert plan.read_bytes() == original and link.is_symlink()


def test_an_export_onto_its_own_input_file_is_refused(capsys, tmp_path):
    # Before: a scenario saved as plan.xlsx and exported with "-o plan.xlsx" (or "./plan.xlsx")
    # was overwritten by its own workbook.
    plan = tmp_path / "plan.xlsx"
    original = CLOUD.read_bytes()
    plan.write_bytes(original)
    for output in (plan, tmp_path / "." / "plan.xlsx"):
        err = _bad(capsys, "export", plan, "-o", output)
        assert "input file" in err, err
    assert plan.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_a_csv_table_linked_to_the_input_is_refused(capsys, tmp_path):
    plan = tmp_path / "plan.tco"
    original = CLOUD.read_bytes()
    plan.write_bytes(original)
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "plan-monthly.csv").symlink_to(plan)
    err = _bad(capsys, "export", plan, "--csv", folder)
    assert "plan-monthly.csv" in err and "link" in err, err
    assert plan.read_bytes() == original


def test_an_export_through_a_link_to_a_workbook_still_writes(capsys, tmp_path):
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "latest.xlsx"
    link.symlink_to(real.name)
    code, out, err = _run(capsys, "export", CLOUD, "-o", link)
    assert code == 0, err
    assert link.is_symlink() and real.read_bytes()[:2] == b"PK"  # a zip: the workbook


# ------------------------------------------------------------------ programme goal seek: no solution is not success

@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_programme_solve_without_a_solution_exits_3(capsys, json_flag):
    # Before: a programme's goal seek exited 0 for "no solution in range" (the scenario's exits 3,
    # as --help says). Lifetime cost is about USD 77M; a 4-month training run cannot make it 1 billion.
    code, out, err = _run(capsys, "solve", PROGRAMME, "--input", "Assistant v1/training.duration_months",
                          "--metric", "total_cost", "--target", "1e9", "--low", "1", "--high", "12", *json_flag)
    assert code == 3, (code, out, err)
    if json_flag:
        assert json.loads(out)["status"] == "no solution in range"


def test_programme_solve_jumping_over_the_target_exits_3(capsys):
    # Whole servers make the cost a staircase: a target between two steps is "not reached".
    code, out, err = _run(capsys, "solve", PROGRAMME, "--input", "Assistant v1/inference.requests_per_day",
                          "--metric", "total_cost", "--target", "8e7", "--low", "1", "--high", "1e8", "--json")
    doc = json.loads(out)
    assert doc["status"] != "ok" and code == 3, (code, doc["status"])


@pytest.mark.parametrize("tol", ["-1", "0"])
def test_programme_solve_refuses_a_tolerance_that_cannot_be_met(capsys, tol):
    # Before: --tol -1 was accepted on a programme (a scenario's solve refuses it).
    err = _bad(capsys, "solve", PROGRAMME, "--input", "Assistant v1/inference.requests_per_day", "--metric",
               "total_cost", "--target", "8e7", "--low", "1", "--high", "1e8", "--tol", tol)
    assert "tol" in err and "> 0" in err, err


def test_programme_solve_with_a_solution_exits_0(capsys):
    code, out, err = _run(capsys, "solve", PROGRAMME, "--input", "Assistant v1/inference.requests_per_day",
                          "--metric", "crossover_month", "--target", "5", "--low", "1", "--high", "1e8")
    assert code == 0, (code, out, err)


# ------------------------------------------------------------------ a divisor at the bottom of its rule

def _sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text("utf-8"))


@pytest.mark.parametrize("value", [5e-324, 1e-300, 0.0009])
@pytest.mark.parametrize("sample, path", [
    ("chat-assistant-owned-h100.tco", ("training", "mfu")),
    ("chat-assistant-owned-h100.tco", ("inference", "target_utilization")),
    ("chat-assistant-owned-h100.tco", ("inference", "efficiency", "decode_mfu")),
    ("deployment-cloud.tco", ("inference", "efficiency", "bandwidth")),
    ("deployment-cloud.tco", ("inference", "efficiency", "serving")),
    ("deployment-owned.tco", ("inference", "decode_tokens_per_s_per_chip")),
])
@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_a_vanishing_divisor_is_refused_at_its_field(capsys, tmp_path, sample, path, value, json_flag):
    # Before: training.mfu = 5e-324 (> 0, so within its rule) made the run's chip-hours infinite (report was
    # "internal error: TypeError", --json a null lifetime cost); a utilisation of 1e-300 gave a lifetime cost
    # of 3e306 that the overview showed as "USD 32,572,37" and axes of "375,759,360T".
    data = _sample(sample)
    section = data
    for key in path[:-1]:
        section = section.setdefault(key, {})
    section[path[-1]] = value
    if path[-1] == "decode_tokens_per_s_per_chip":
        data["inference"]["prefill_tokens_per_s_per_chip"] = 5000.0
    err = _bad(capsys, "report", _write(tmp_path, "s.tco", data), *json_flag)
    assert f"{'.'.join(path)} = {value!r}: must be between 0.001 and 1" in err, err


def test_a_vanishing_divisor_in_a_workload_is_refused_naming_the_workload(capsys, tmp_path):
    # Before: without refreshes, infinite hours times "no refresh" (0 x inf = NaN) made the training
    # compute 0: Assistant v1's training cost was its USD 3M fixed cost alone, exit 0.
    data = _programme()
    data["workloads"][0]["training"]["mfu"] = 5e-324
    err = _bad(capsys, "report", _write(tmp_path, "p.tco", data), "--json")
    assert "workloads[0].training.mfu = 5e-324: must be between 0.001 and 1" in err and "Assistant v1" in err, err


def test_a_custom_chip_of_almost_no_compute_is_refused_at_its_field(capsys, tmp_path):
    data = _sample("chat-assistant-owned-h100.tco")
    data["chips"] = [{"id": "tiny", "name": "Tiny", "bf16_tflops": 1e-300, "memory_gb": 80, "bandwidth_tbs": 3,
                      "tdp_w": 700, "price_usd": 20000, "cloud_usd_per_hour": 2}]
    data["inference"]["chip"] = "tiny"
    err = _bad(capsys, "report", _write(tmp_path, "s.tco", data))
    assert "chips[0].bf16_tflops = 1e-300" in err and "0.001" in err, err


# ------------------------------------------------------------------ number lists with a value left out

@pytest.mark.parametrize("argv", [
    ("sweep", CLOUD, "--input", "inference.requests_per_day", "--values", "1,,2"),
    ("sweep", PROGRAMME, "--input", "Assistant v1/inference.requests_per_day", "--values", "1e6,2e6,"),
    ("sweep", CLOUD, "--input", "facility.pue", "--y-input", "facility.electricity_price", "--values", "1.2,1.4",
     "--y-values", ",0.1"),
    ("thinking", CLOUD, "--values", "0,,10"),
])
def test_an_empty_value_in_a_number_list_is_refused(capsys, argv):
    # Before: "1,,2" silently swept 1 and 2, dropping the value the user left out.
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:  # argparse's one-line error
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "empty value" in err, (code, err)


@pytest.mark.parametrize("argv", [
    ("compare", CLOUD, "deployments", "--workload", "Assistant v1"),
    ("solve", CLOUD, "--input", "inference.cloud_rate", "--metric", "total_cost", "--target", "1e7",
     "--low", "1", "--high", "20", "--workload", "x"),
])
def test_workload_on_a_scenario_is_refused_not_ignored(capsys, argv):
    # Before: --workload on a scenario file was silently ignored (the answer looked like the workload's).
    err = _bad(capsys, *argv)
    assert "--workload" in err and "scenario" in err, err


def test_a_chip_named_twice_is_compared_once(capsys):
    for target, extra in ((CLOUD, []), (PROGRAMME, ["--workload", "Assistant v2"])):
        code, out, err = _run(capsys, "compare", target, "chips", "--chip", "h100-sxm", "--chip", "h100-sxm",
                              "--chip", "h200", *extra, "--json")
        assert code == 0, err
        assert [r["chip"] for r in json.loads(out)["rows"]].count("h100-sxm") == 1


# ------------------------------------------------------------------ finite each month, infinite in total

def _strict(capsys, *argv) -> str:
    """_bad with every numpy warning an error (an overflow warned on stderr is not a clear refusal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return _bad(capsys, *argv)


def test_a_discount_rate_whose_present_value_overflows_is_refused_naming_it(capsys, tmp_path):
    # (1 + r) ** (-m / 12) with r = -1 + 1e-16 is about 1e16 ** 20 = 1e320 at the end of 20 years
    data = _sample("chat-assistant-owned-h100.tco")
    data["horizon_years"] = 20
    data["finance"]["discount_rate"] = -0.9999999999999999
    err = _strict(capsys, "report", _write(tmp_path, "s.tco", data), "--json")
    assert "finance.discount_rate = -0.9999999999999999" in err and "present value" in err, err


def test_the_largest_batch_exports_and_a_larger_one_is_refused(capsys, tmp_path):
    # Before: max_batch could be 1,000,000 and the workbook's batch table (a row per candidate batch, twice
    # max_batch) ran past the sheet's 1,048,576 rows: export was "internal error: ValueError".
    from tcoapp.scenario.schema import MAX_BATCH

    data = _sample("deployment-api.tco")
    data["inference"].setdefault("efficiency", {})["max_batch"] = MAX_BATCH + 1
    err = _bad(capsys, "export", _write(tmp_path, "s.tco", data), "-o", tmp_path / "s.xlsx")
    assert f"max_batch = {MAX_BATCH + 1}: must be between 1 and 65,536" in err, err
    data["inference"]["efficiency"]["max_batch"] = MAX_BATCH
    code, out, err = _run(capsys, "export", _write(tmp_path, "s.tco", data), "-o", tmp_path / "s.xlsx")
    assert code == 0 and (tmp_path / "s.xlsx").exists(), err
