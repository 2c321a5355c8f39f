"""Warnings (model section 2): zero API prices, stale catalog prices, uncalibrated chips."""

import datetime as dt
import json
import subprocess
import sys

from tcoapp.scenario.files import scenario_from_dict
from tcoapp.scenario.warnings import scenario_warnings

CHIP = {"id": "toy", "name": "Toy", "bf16_tflops": 100, "fp8_tflops": 200, "memory_gb": 80, "bandwidth_tbs": 2,
        "tdp_w": 500, "price_usd": 10000, "cloud_usd_per_hour": 2, "source": "test", "as_of": "2025-06-01"}
TODAY = dt.date(2026, 12, 2)


def scenario(inference=None, chip=None, training=None):
    doc = {"format": "tcoapp-scenario", "schema_version": 2, "model": {"params_billion": 8},
           "training": {"chip": "toy", **(training or {})},
           "inference": {"requests_per_day": 1000, "chip": "toy", **(inference or {})},
           "chips": [dict(CHIP, **(chip or {}))]}
    return scenario_from_dict(doc)


def fields(s, **kw):
    return [w.field for w in scenario_warnings(s, today=TODAY, **kw)]


def test_zero_api_prices_warn_when_used_or_compared():
    assert fields(scenario({"deployment": "api"})) == ["inference.api_price_input"]
    assert fields(scenario({"deployment": "api", "api_price_input": 1.0, "api_price_output": 2.0})) == []
    assert fields(scenario({"deployment": "api", "api_price_input": 1.0})) == ["inference.api_price_output"]
    priced_chip = {"deployment": "cloud", "efficiency": {"serving": 0.6}}
    assert fields(scenario(priced_chip)) == [], "cloud alone: the API's prices do not matter"
    assert fields(scenario(priced_chip), compared_deployments=("api", "cloud", "owned")) == [
        "inference.api_price_input"]


def test_catalog_prices_older_than_two_years_warn_only_where_used():
    old = {"as_of": "2024-11-30", "serving_efficiency": 0.8}   # two years and two days before TODAY
    assert fields(scenario({"deployment": "cloud"}, chip=old)) == ["inference.cloud_rate"]
    assert fields(scenario({"deployment": "owned"}, chip=old)) == ["inference.chip_price"]
    assert fields(scenario({"deployment": "cloud", "cloud_rate": 3.0}, chip=old)) == [], "own rate: not used"
    assert fields(scenario({"deployment": "cloud"}, chip={"as_of": "2024-12-02", "serving_efficiency": 0.8})) == []
    # training uses the catalog rate only when it trains
    trained = scenario({"deployment": "cloud", "cloud_rate": 3.0}, chip=old, training={"tokens_trillion": 1})
    assert fields(trained) == ["training.cloud_rate"]


def test_uncalibrated_chip_warns_when_its_throughput_is_estimated():
    assert fields(scenario({"deployment": "cloud"})) == ["inference.efficiency.serving"]
    assert fields(scenario({"deployment": "cloud"}, chip={"serving_efficiency": 0.8})) == []
    assert fields(scenario({"deployment": "cloud", "efficiency": {"serving": 0.5}})) == []
    measured = {"deployment": "owned", "prefill_tokens_per_s_per_chip": 1000, "decode_tokens_per_s_per_chip": 100}
    assert fields(scenario(measured)) == []


def test_cli_validate_and_report_warn_on_stderr_and_still_succeed(tmp_path):
    path = tmp_path / "api.tco"
    path.write_text(json.dumps({"format": "tcoapp-scenario", "schema_version": 2, "model": {"params_billion": 8},
                                "inference": {"requests_per_day": 1000, "deployment": "api"}}))
    for command in (["validate", str(path)], ["report", str(path)], ["report", str(path), "--json"]):
        out = subprocess.run([sys.executable, "-m", "tcoapp.cli", *command], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        warnings = [line for line in out.stderr.splitlines() if line.startswith("tcoapp-cli: warning:")]
        assert len(warnings) == 1 and "inference.api_price_input" in warnings[0] and "free" in warnings[0]
        if "--json" in command:
            json.loads(out.stdout)  # stdout stays pure JSON


def test_traffic_after_the_horizon_warns_only_when_there_is_traffic():
    """Before: a scenario with requests_per_day 0 and a late launch was told its traffic starts after the
    horizon, though it has no traffic to start."""
    calibrated = {"deployment": "cloud", "efficiency": {"serving": 0.6}, "launch_month": 60}
    assert fields(scenario(calibrated)) == ["inference.launch_month"]
    assert fields(scenario({**calibrated, "requests_per_day": 0})) == []
    late_training = {"start_month": 0, "duration_months": 60}  # launch derived from the training's end
    assert fields(scenario({"deployment": "cloud", "efficiency": {"serving": 0.6}}, training=late_training)) == [
        "training.duration_months"]
    assert fields(scenario({"deployment": "cloud", "efficiency": {"serving": 0.6}, "requests_per_day": 0},
                           training=late_training)) == []
