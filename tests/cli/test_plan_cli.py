"""``tcoapp-cli plan``: right-size the model from the command line (issue 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tcoapp.cli.main import main
from tcoapp.scenario import load_scenario
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.planning import apply_design, plan_scenario

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CONTRACT_KEYS = {"objective", "loss", "inference_tokens", "optimal", "chinchilla", "saving_fraction"}
DESIGN_KEYS = {"params", "tokens", "total_flops", "total_cost"}

SCENARIO = {
    "format": "tcoapp-scenario", "schema_version": 2, "name": "Planner CLI", "horizon_years": 3,
    "model": {"params_billion": 13, "layers": 40},
    "inference": {"requests_per_day": 2000000, "input_tokens": 800, "output_tokens": 300, "chip": "h100-sxm"},
}


@pytest.fixture
def tco(tmp_path) -> Path:
    path = tmp_path / "plan.tco"
    path.write_text(json.dumps(SCENARIO), encoding="utf-8")
    return path


def run_json(capsys, *argv) -> dict:
    assert main(["plan", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_contract_and_figure_1(capsys, tco):
    doc = run_json(capsys, tco, "--quality-params-billion", 13, "--inference-tokens", 2e12)
    assert CONTRACT_KEYS <= doc.keys()
    assert DESIGN_KEYS <= doc["optimal"].keys() and DESIGN_KEYS <= doc["chinchilla"].keys()
    assert doc["objective"] == "flops"
    assert doc["inference_tokens"] == 2e12
    assert doc["optimal"]["params"] == pytest.approx(7e9, rel=0.02)
    assert doc["chinchilla"]["params"] == pytest.approx(13e9, rel=1e-12)
    saved = doc["chinchilla"]["total_flops"] - doc["optimal"]["total_flops"]
    assert saved == pytest.approx(1.7e22, rel=0.03)
    assert doc["saving_fraction"] == pytest.approx(0.17, abs=0.006)
    assert doc["saving_fraction"] == pytest.approx(saved / doc["chinchilla"]["total_flops"], rel=1e-12)
    assert doc["optimal"]["total_cost"] > 0 and doc["chinchilla"]["total_cost"] > 0
    assert isinstance(doc["warnings"], list)
    assert len(doc["curve"]["params"]) == len(doc["curve"]["total_cost"]) > 10


def test_cost_objective_agrees_with_the_engine(capsys, tco):
    doc = run_json(capsys, tco, "--quality-loss", 2.0, "--objective", "cost")
    assert doc["objective"] == "cost" and doc["loss"] == 2.0
    scenario = load_scenario(tco)
    assert doc["inference_tokens"] == pytest.approx(float(evaluate(scenario).series["tokens"].sum()), rel=1e-12)
    result = plan_scenario(scenario, quality_loss=2.0, objective="cost")
    applied = apply_design(scenario, result.plan.optimal)
    assert float(evaluate(applied).summary["total_cost"][0]) == pytest.approx(doc["optimal"]["total_cost"],
                                                                               rel=1e-12)
    assert doc["optimal"]["total_cost"] <= doc["chinchilla"]["total_cost"]
    assert doc["saving_fraction"] == pytest.approx(1 - doc["optimal"]["total_cost"] / doc["chinchilla"]["total_cost"])


def test_default_inference_tokens_are_the_scenarios_own(capsys):
    path = SAMPLES / "reasoning-model-long-thinking.tco"
    doc = run_json(capsys, path, "--quality-params-billion", 32)
    own = float(evaluate(load_scenario(path)).series["tokens"].sum())
    assert doc["inference_tokens"] == pytest.approx(own, rel=1e-12)
    assert doc["requests_scale"] == 1.0
    assert doc["optimal"]["params"] < doc["chinchilla"]["params"]  # heavy reasoning traffic: train smaller


def test_warnings_in_json(capsys, tco):
    doc = run_json(capsys, tco, "--quality-params-billion", 13, "--inference-tokens", 1e16)
    assert "tokens_per_param" in doc["warning_codes"]
    assert any("tokens per parameter" in w for w in doc["warnings"])


def test_text_output_for_a_decision_maker(capsys, tco):
    assert main(["plan", str(tco), "--quality-params-billion", "13", "--inference-tokens", "2e12"]) == 0
    out = capsys.readouterr().out
    assert "6.97B" in out and "Chinchilla-optimal" in out and "Tokens per parameter" in out
    assert "saves 1.69e+22 (17.4 %)" in out
    assert "USD" in out and "dense" in out


@pytest.mark.parametrize("argv, words", [
    (["--quality-loss", "1.5"], "--quality-loss 1.5: must be > 1.69"),
    (["--quality-params-billion", "0"], "--quality-params-billion 0.0: must be a number > 0"),
    (["--quality-loss", "2", "--inference-tokens", "-5"], "--inference-tokens -5.0: must be a finite number >= 0"),
])
def test_bad_options_exit_2_with_one_line(capsys, tco, argv, words):
    assert main(["plan", str(tco), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err


def test_bad_file_and_uncostable_scenario_exit_2(capsys, tmp_path):
    assert main(["plan", str(tmp_path / "missing.tco"), "--quality-loss", "2"]) == 2
    assert "missing.tco" in capsys.readouterr().err
    data = dict(SCENARIO, chips=[{"id": "nocloud", "bf16_tflops": 900, "fp8_tflops": 1800, "memory_gb": 80,
                                   "bandwidth_tbs": 3}])
    data["inference"] = dict(SCENARIO["inference"], chip="nocloud")
    path = tmp_path / "nocloud.tco"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["plan", str(path), "--quality-loss", "2", "--objective", "cost"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inference.cloud_rate" in err and "nocloud.tco" in err


def test_quality_is_required_and_exclusive(tco):
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", str(tco)])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", str(tco), "--quality-loss", "2", "--quality-params-billion", "7"])
    assert exit_info.value.code == 2


def test_entry_point(tco):
    proc = subprocess.run([sys.executable, "-m", "tcoapp.cli", "plan", str(tco), "--quality-params-billion", "7",
                           "--json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert CONTRACT_KEYS <= json.loads(proc.stdout).keys()
