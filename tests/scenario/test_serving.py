"""Serving trade-offs: each point is the engine's own answer for that batch, worked out independently."""

import math
import subprocess
import sys

import pytest

from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import scenario_from_dict
from tcoapp.scenario.schema import with_values
from tcoapp.scenario.serving import latency_tradeoff, thinking_budget

TOY = {"id": "toy", "name": "Toy", "bf16_tflops": 100, "fp8_tflops": 200, "memory_gb": 80, "bandwidth_tbs": 2,
       "tdp_w": 500, "price_usd": 10000, "cloud_usd_per_hour": 2, "source": "test", "as_of": "2026-01-01"}
FAST = dict(TOY, id="fast", name="Fast", bandwidth_tbs=4, cloud_usd_per_hour=3)
DOC = {"format": "tcoapp-scenario", "schema_version": 2, "horizon_years": 1,
       "model": {"params_billion": 10, "layers": 50, "kv_heads": 10, "head_dim": 100},
       "inference": {"deployment": "cloud", "chip": "toy", "requests_per_day": 1e6, "input_tokens": 3900,
                     "output_tokens": 1000, "cloud_rate": 1.0, "launch_month": 0, "cloud_price_change": 0.0},
       "chips": [TOY, FAST]}


def scenario(**inference):
    doc = {**DOC, "inference": {**DOC["inference"], **inference}}
    return scenario_from_dict(doc)


def test_each_point_is_the_scenario_at_that_batch():
    sc = scenario()
    data = latency_tradeoff(sc, chips=["toy"], batches=[1, 8, 64])
    points = data["chips"][0]["points"]
    assert [p["replica_batch"] for p in points] == [1, 8, 64]
    for p in points:
        alone = evaluate(with_values(sc, {"inference.efficiency.max_batch": int(p["replica_batch"])})).summary
        assert p["cost_per_million_tokens"] == pytest.approx(float(alone["cost_per_million_tokens"][0]), rel=1e-12)
    # by hand, batch 8: t = (1e10 + 8 * 4400 * 1e5) / 1.6e12 + 8 * 2e10 / 1e14 = 0.00845 + 0.0016 = 0.01005 s
    assert points[1]["tokens_per_s_per_user"] == pytest.approx(0.7 / 0.01005, rel=1e-12)


def test_batches_beyond_memory_repeat_and_are_dropped():
    # memory holds 126 sequences of 4,900 tokens (test_worked_examples): 256 and 1024 both give 126
    data = latency_tradeoff(scenario(), chips=["toy"], batches=[64, 256, 1024])
    assert [p["replica_batch"] for p in data["chips"][0]["points"]] == [64, 126]


def test_the_current_point_follows_the_interactivity_target():
    data = latency_tradeoff(scenario(min_tokens_per_s_per_user=20), chips=["toy", "fast"])
    toy = data["chips"][0]
    assert toy["current"]["replica_batch"] == 60   # as worked out in test_worked_examples
    assert toy["current"]["tokens_per_s_per_user"] >= 20
    # the faster memory serves more users at the same speed, so it is cheaper per token at that speed
    fast = data["chips"][1]
    assert fast["current"]["replica_batch"] > 60
    # another chip's price is its own: the scenario's 1.0/h belongs to the toy chip, fast uses its catalog 3/h
    alone = evaluate(with_values(scenario(min_tokens_per_s_per_user=20), {"inference.chip": "fast",
                                                                        "inference.cloud_rate": None})).summary
    assert fast["current"]["total_cost"] == pytest.approx(float(alone["total_cost"][0]), rel=1e-12)


def test_a_chip_that_cannot_serve_says_why():
    small = dict(TOY, id="tiny", name="Tiny", fp8_tflops=None)
    doc = {**DOC, "chips": [TOY, small]}
    data = latency_tradeoff(scenario_from_dict(doc), chips=["toy", "tiny"])
    tiny = data["chips"][1]
    assert tiny["points"] == [] and "inference.precision" in tiny["error"] and "fp8" in tiny["error"]


def test_api_and_measured_are_refused_with_the_field():
    with pytest.raises(ScenarioError) as err:
        latency_tradeoff(scenario(deployment="api"))
    assert err.value.path == "inference.deployment"
    with pytest.raises(ScenarioError) as err:
        latency_tradeoff(scenario(prefill_tokens_per_s_per_chip=1000, decode_tokens_per_s_per_chip=100))
    assert err.value.path == "inference.decode_tokens_per_s_per_chip"


def test_thinking_budget_rows_equal_single_runs():
    sc = scenario()
    data = thinking_budget(sc, [0, 1000, 4000])
    for i, v in enumerate(data["values"]):
        alone = evaluate(with_values(sc, {"inference.reasoning_tokens": v})).summary
        for key in ("cost_per_request", "answer_seconds", "total_cost"):
            assert data[key][i] == pytest.approx(float(alone[key][0]), rel=1e-12), key
    assert data["answer_seconds"] == sorted(data["answer_seconds"]), "more thinking, longer answers"
    api = thinking_budget(scenario(deployment="api", api_price_input=1.0, api_price_output=4.0,
                                    api_price_change=0.0), [0, 1000])
    assert api["answer_seconds"] == [None, None]
    # by hand: cost per request = (3900 * 1 + (1000 + 1000) * 4) / 1e6 = 0.0119 at 1,000 thinking tokens
    assert api["cost_per_request"][1] == pytest.approx(0.0119, rel=1e-12)


def test_cli_prints_json_and_draws(tmp_path):
    path = tmp_path / "s.tco"
    import json
    path.write_text(json.dumps(DOC))
    out = subprocess.run([sys.executable, "-m", "tcoapp.cli", "tradeoff", str(path), "--json",
                          "--png", str(tmp_path / "t.png")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout[out.stdout.index("{"):])
    assert {c["chip"] for c in data["chips"]} == {"toy", "fast"} | {c["chip"] for c in data["chips"]}
    assert (tmp_path / "t.png").stat().st_size > 10_000
    out = subprocess.run([sys.executable, "-m", "tcoapp.cli", "thinking", str(path), "--values", "0,-5"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "reasoning_tokens" in out.stderr and len(out.stderr.splitlines()) == 1
