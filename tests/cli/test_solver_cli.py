"""``tcoapp-cli tornado | montecarlo | solve | sweep | compare`` (issue 3).

The JSON of each command is the solver's own dict (checked against the
scenario-level functions, which tests/engine/test_sensitivity.py checks
against one-at-a-time runs); bad input exits 2 with one line on stderr and
no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from report_checks import only_warnings  # noqa: E402

from tcoapp.cli.main import main
from tcoapp.paths import samples_dir
from tcoapp.scenario import load_scenario, with_values
from tcoapp.scenario import sensitivity as ss
from tcoapp.scenario.batch import evaluate

SAMPLES = samples_dir()
OWNED = str(SAMPLES / "chat-assistant-owned-h100.tco")
REASONING = str(SAMPLES / "reasoning-model-long-thinking.tco")
API = str(SAMPLES / "deployment-api.tco")
CLOUD = str(SAMPLES / "deployment-cloud.tco")
ENTERPRISE = str(SAMPLES / "enterprise-finetune-api.tco")
STATS = {"p5", "p10", "p50", "p90", "p95", "mean"}


def cli(*argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TCOAPP_DEBUG"}
    return subprocess.run([sys.executable, "-m", "tcoapp.cli", *argv], capture_output=True, text=True,
                          timeout=120, env=env)


def run_in_process(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out, out.err


def json_of(capsys, *argv: str) -> dict:
    code, out, err = run_in_process(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


# ---------------------------------------------------------------- montecarlo (through a subprocess)
def test_montecarlo_json_through_a_subprocess():
    first = cli("montecarlo", OWNED, "--samples", "2000", "--seed", "7", "--json")
    assert first.returncode == 0, first.stderr
    assert only_warnings(first.stderr), first.stderr
    doc = json.loads(first.stdout)
    assert doc["samples"] == 2000 and doc["seed"] == 7
    for key in ("total_cost", "npv_total", "inference_share"):
        stats = doc["metrics"][key]
        assert set(stats) == STATS
        assert all(isinstance(stats[k], float) for k in STATS)
        assert stats["p5"] <= stats["p10"] <= stats["p50"] <= stats["p90"] <= stats["p95"]
    # the same as the solver in-process, and the same again for the same seed
    assert doc == json.loads(json.dumps(ss.monte_carlo(load_scenario(OWNED), samples=2000, seed=7)))
    again = cli("montecarlo", OWNED, "--samples", "2000", "--seed", "7", "--json")
    assert again.stdout == first.stdout
    other = json.loads(cli("montecarlo", OWNED, "--samples", "2000", "--seed", "8", "--json").stdout)
    assert other["seed"] == 8 and other["metrics"]["total_cost"] != doc["metrics"]["total_cost"]


def test_montecarlo_metrics_events_and_text(capsys):
    doc = json_of(capsys, "montecarlo", REASONING, "--samples", "300", "--metric", "cost_per_million_tokens",
                  "--metric", "crossover_month", "--event", "crossover_month<12", "--event", "inference_share>0.9")
    assert list(doc["metrics"]) == ["cost_per_million_tokens", "crossover_month"]
    assert set(doc["probabilities"]) == {"crossover_month<12", "inference_share>0.9"}
    assert all(0 <= p <= 1 for p in doc["probabilities"].values())
    code, out, err = run_in_process(capsys, "montecarlo", OWNED, "--samples", "300")
    assert code == 0, err
    assert "300 samples" in out and "Lifetime cost" in out and "P(inference_share>0.5)" in out


# ---------------------------------------------------------------- tornado
def test_tornado_json_and_text(capsys):
    doc = json_of(capsys, "tornado", OWNED, "--metric", "npv_total")
    assert doc == json.loads(json.dumps(ss.tornado(load_scenario(OWNED), "npv_total")))
    assert doc["metric"] == "npv_total" and len(doc["rows"]) >= 30
    doc = json_of(capsys, "tornado", OWNED, "--input", "facility.pue", "--input", "inference.output_tokens",
                  "--swing", "0.1")
    assert sorted(r["path"] for r in doc["rows"]) == ["facility.pue", "inference.output_tokens"]
    pue = next(r for r in doc["rows"] if r["path"] == "facility.pue")
    assert (pue["low_input"], pue["high_input"]) == pytest.approx((1.17, 1.43), rel=1e-12)
    code, out, err = run_in_process(capsys, "tornado", OWNED, "--top", "5")
    assert code == 0, err
    assert "Tornado of Lifetime cost" in out and "Demand growth" in out and "smaller effects" in out


# ---------------------------------------------------------------- solve
def test_solve_json_plateau(capsys):
    doc = json_of(capsys, "solve", REASONING, "--input", "inference.reasoning_tokens", "--metric", "crossover_month",
                  "--target", "12", "--low", "1000", "--high", "8000")
    assert doc["status"] == "ok" and doc["value"] == doc["ranges"][0][0]
    scenario = load_scenario(REASONING)
    achieved = evaluate(with_values(scenario, {"inference.reasoning_tokens": doc["value"]})).summary
    assert achieved["crossover_month"][0] == 12


def test_solve_target_deployment(capsys):
    doc = json_of(capsys, "solve", CLOUD, "--input", "inference.cloud_rate", "--metric", "total_cost",
                  "--target-deployment", "owned", "--low", "0.5", "--high", "30")
    assert doc["status"] == "ok" and doc["target_deployment"] == "owned"
    cloud = load_scenario(CLOUD)
    owned_cost = evaluate(with_values(cloud, {"inference.deployment": "owned"})).summary["total_cost"][0]
    assert doc["target"] == pytest.approx(owned_cost, rel=1e-12)
    got = evaluate(with_values(cloud, {"inference.cloud_rate": doc["value"]})).summary["total_cost"][0]
    assert abs(got - owned_cost) <= doc["tolerance"]


def test_solve_text_statuses(capsys):
    code, out, err = run_in_process(capsys, "solve", ENTERPRISE, "--input", "inference.requests_per_day",
                                    "--metric", "inference_share", "--target", "0.5", "--low", "1000",
                                    "--high", "1e7")
    assert code == 0, err
    assert "ok:" in out and "inference.requests_per_day =" in out
    code, out, err = run_in_process(capsys, "solve", API, "--input", "inference.requests_per_day",
                                    "--metric", "inference_share", "--target", "0.5", "--low", "1000",
                                    "--high", "1e7")
    assert code == 0, err
    assert "no solution in range" in out and "never reaches" in out


# ---------------------------------------------------------------- sweep
def test_sweep_json_one_and_two_inputs(capsys):
    doc = json_of(capsys, "sweep", REASONING, "--input", "inference.reasoning_tokens",
                  "--values", "0,3000,6000", "--metric", "crossover_month")
    assert doc["values"] == [0, 3000, 6000] and doc["errors"] == [None] * 3
    scenario = load_scenario(REASONING)
    for x, v in zip(doc["values"], doc["metrics"]["crossover_month"]):
        single = evaluate(with_values(scenario, {"inference.reasoning_tokens": x})).summary["crossover_month"][0]
        assert v == single
    doc = json_of(capsys, "sweep", OWNED, "--input", "inference.requests_per_day", "--y-input",
                  "inference.annual_growth", "--points", "3")
    assert len(doc["x"]) == 3 and len(doc["y"]) == 3 and len(doc["grid"]) == 3
    owned = load_scenario(OWNED)
    cell = evaluate(with_values(owned, {"inference.requests_per_day": doc["x"][2],
                                        "inference.annual_growth": doc["y"][0]})).summary["total_cost"][0]
    assert doc["grid"][0][2] == pytest.approx(cell, rel=1e-12)
    code, out, err = run_in_process(capsys, "sweep", OWNED, "--input", "facility.pue", "--points", "4")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 5


# ---------------------------------------------------------------- compare
def test_compare_json_and_text(capsys):
    doc = json_of(capsys, "compare", API, "deployments")
    assert [r["deployment"] for r in doc["rows"]] == ["api", "cloud", "owned"]
    assert [r["rank"] for r in doc["rows"]] == [1, 2, 3]
    doc = json_of(capsys, "compare", CLOUD, "chips", "--chip", "h100-sxm", "--chip", "h200", "--metric", "npv_total")
    assert sorted(r["chip"] for r in doc["rows"]) == ["h100-sxm", "h200"]
    assert doc == json.loads(json.dumps(ss.compare_chips(load_scenario(CLOUD), ["h100-sxm", "h200"], "npv_total")))
    code, out, err = run_in_process(capsys, "compare", OWNED, "chips", "--role", "both")
    assert code == 0, err
    assert "best first" in out and "cannot:" in out
    code, out, err = run_in_process(capsys, "compare", OWNED, "deployments")
    assert code == 0, err
    assert "API (pay per token)" in out and "cannot:" in out


# ---------------------------------------------------------------- bad input
SOLVE = ["solve", ENTERPRISE, "--input", "inference.requests_per_day", "--metric", "inference_share"]
BAD = {
    "tornado unknown metric": ["tornado", OWNED, "--metric", "nope"],
    "tornado unknown input": ["tornado", OWNED, "--input", "inference.nope"],
    "tornado text input": ["tornado", OWNED, "--input", "inference.deployment"],
    "tornado swing out of range": ["tornado", OWNED, "--swing", "1.5"],
    "tornado missing file": ["tornado", "no-such-file.tco"],
    "montecarlo unknown metric": ["montecarlo", OWNED, "--metric", "nope"],
    "montecarlo no samples": ["montecarlo", OWNED, "--samples", "0"],
    "montecarlo bad event": ["montecarlo", OWNED, "--samples", "10", "--event", "nope"],
    "montecarlo no uncertainty": ["montecarlo", API, "--samples", "10"],
    "solve unknown metric": ["solve", ENTERPRISE, "--input", "inference.requests_per_day", "--metric", "nope",
                             "--target", "1", "--low", "0", "--high", "1"],
    "solve unknown input": ["solve", ENTERPRISE, "--input", "inference.nope", "--metric", "total_cost",
                            "--target", "1", "--low", "0", "--high", "1"],
    "solve low > high": [*SOLVE, "--target", "0.5", "--low", "10", "--high", "5"],
    "solve low == high": [*SOLVE, "--target", "0.5", "--low", "5", "--high", "5"],
    "solve range outside the field": [*SOLVE, "--target", "0.5", "--low", "-5", "--high", "-1"],
    "solve whole-number range empty": ["solve", REASONING, "--input", "inference.samples", "--metric",
                                       "total_cost", "--target", "1", "--low", "1.2", "--high", "1.4"],
    "solve target nan": [*SOLVE, "--target", "nan", "--low", "1", "--high", "5", "--json"],
    "solve high inf": [*SOLVE, "--target", "0.5", "--low", "1", "--high", "inf", "--json"],
    "sweep unknown metric": ["sweep", OWNED, "--input", "facility.pue", "--metric", "nope"],
    "sweep unknown input with values": ["sweep", OWNED, "--input", "inference.nope", "--values", "1,2"],
    "sweep unknown input": ["sweep", OWNED, "--input", "inference.nope"],
    "sweep unknown y input": ["sweep", OWNED, "--input", "facility.pue", "--y-input", "inference.nope"],
    "sweep horizon": ["sweep", OWNED, "--input", "horizon_years"],
    "sweep same input twice": ["sweep", OWNED, "--input", "facility.pue", "--y-input", "facility.pue"],
    "sweep values not numbers": ["sweep", OWNED, "--input", "facility.pue", "--values", "a,b"],
    "sweep no values": ["sweep", OWNED, "--input", "facility.pue", "--values", ","],
    "sweep no points": ["sweep", OWNED, "--input", "facility.pue", "--points", "0"],
    "sweep nan value": ["sweep", OWNED, "--input", "facility.pue", "--values", "nan,1.2", "--json"],
    "compare unknown chip": ["compare", OWNED, "chips", "--chip", "no-such-chip"],
    "compare unknown metric": ["compare", OWNED, "deployments", "--metric", "nope"],
}


@pytest.mark.parametrize("argv", list(BAD.values()), ids=list(BAD))
def test_bad_input_exits_2_with_one_line(capsys, argv):
    code, out, err = run_in_process(capsys, *argv)
    assert code == 2, (code, err)
    assert "Traceback" not in err and "internal error" not in err
    lines = err.strip().splitlines()
    if lines[0].startswith("usage:"):  # argparse: its usage, then one error line
        assert lines[-1].startswith(f"tcoapp-cli {argv[0]}: error: ")
    else:
        assert len(lines) == 1 and lines[0].startswith("tcoapp-cli: "), lines
    assert out == "", "nothing (no half-written JSON) on stdout"


@pytest.mark.parametrize("argv", [BAD["solve low > high"], BAD["montecarlo unknown metric"],
                                  BAD["tornado unknown input"]], ids=["solve-range", "metric", "input"])
def test_bad_input_through_a_subprocess(argv):
    done = cli(*argv)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
