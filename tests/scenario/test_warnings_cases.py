"""scenario_warnings, more cases: each warning checked to fire and not to fire (strings as the CLI prints them)."""

from __future__ import annotations

import datetime as dt

from tcoapp.scenario.schema import Scenario
from tcoapp.scenario.warnings import scenario_warnings

TODAY = dt.date(2026, 12, 2)


def _scenario(inference=None, training=None, chips=None) -> Scenario:
    data = {"format": "tcoapp-scenario", "schema_version": 2, "model": {"params_billion": 70},
            "inference": {"requests_per_day": 1000, **(inference or {})}}
    if training is not None:
        data["training"] = training
    if chips is not None:
        data["chips"] = chips
    return Scenario.model_validate(data)


def _w(scenario, **kw):
    return [str(w) for w in scenario_warnings(scenario, today=TODAY, **kw)]


def test_zero_api_prices_warn_when_api_used():
    w = _w(_scenario({"deployment": "api"}))
    assert any(t.startswith("inference.api_price_input:") and "API prices are 0" in t for t in w)


def test_zero_api_prices_warn_when_api_compared_only():
    s = _scenario({"deployment": "cloud", "chip": "h100-sxm", "cloud_rate": 2.0})
    assert not any("api_price" in t for t in _w(s))
    assert any("api_price_input" in t and "compared" in t for t in _w(s, compared_deployments=("api",)))


def test_priced_api_does_not_warn_and_one_zero_field_does():
    priced = _scenario({"deployment": "api", "api_price_input": 3, "api_price_output": 15})
    assert not any("api_price" in t for t in _w(priced))
    half = _scenario({"deployment": "api", "api_price_input": 3, "api_price_output": 0})
    assert [t for t in _w(half) if "api_price" in t] and all(t.startswith("inference.api_price_output:") for t in _w(half))


OLD_CHIP = {"id": "old-x", "bf16_tflops": 100, "fp8_tflops": 200, "memory_gb": 80, "bandwidth_tbs": 2,
            "tdp_w": 400, "price_usd": 10000, "cloud_usd_per_hour": 1.0, "as_of": "2024-12-01",
            "serving_efficiency": 0.5}


def test_catalog_rate_older_than_two_years_warns_and_one_day_newer_does_not():
    old = _scenario({"deployment": "cloud", "chip": "old-x", "precision": "fp8"},
                    training={"tokens_trillion": 0}, chips=[OLD_CHIP])
    assert any("inference.cloud_rate" in t and "2024-12-01" in t for t in _w(old))
    fresh = _scenario({"deployment": "cloud", "chip": "old-x", "precision": "fp8"},
                      training={"tokens_trillion": 0}, chips=[{**OLD_CHIP, "as_of": "2024-12-02"}])
    assert not any("cloud_rate" in t for t in _w(fresh))


def test_stale_catalog_price_not_used_does_not_warn():
    # the scenario enters its own rate, so the catalog's old one is not used
    s = _scenario({"deployment": "cloud", "chip": "old-x", "precision": "fp8", "cloud_rate": 2.0},
                  training={"tokens_trillion": 0}, chips=[OLD_CHIP])
    assert _w(s) == []
    owned = _scenario({"deployment": "owned", "chip": "old-x", "precision": "fp8"},
                      training={"tokens_trillion": 0}, chips=[OLD_CHIP])
    assert any("inference.chip_price" in t and "price_usd" in t for t in _w(owned))


def test_uncalibrated_chip_warns_only_when_throughput_is_estimated():
    chip = {**OLD_CHIP, "as_of": "2026-06-01", "serving_efficiency": None}
    est = _scenario({"deployment": "cloud", "chip": "old-x", "precision": "fp8"}, training={"tokens_trillion": 0},
                    chips=[chip])
    assert any(t.startswith("inference.efficiency.serving:") and "old-x" in t for t in _w(est))
    measured = _scenario({"deployment": "cloud", "chip": "old-x", "precision": "fp8",
                          "prefill_tokens_per_s_per_chip": 5000, "decode_tokens_per_s_per_chip": 1000},
                         training={"tokens_trillion": 0}, chips=[chip])
    assert _w(measured) == []
    given = _scenario({"deployment": "cloud", "chip": "old-x", "precision": "fp8", "efficiency": {"serving": 0.6}},
                      training={"tokens_trillion": 0}, chips=[chip])
    assert _w(given) == []
    api = _scenario({"deployment": "api", "chip": "old-x", "api_price_input": 1, "api_price_output": 2},
                    training={"tokens_trillion": 0}, chips=[chip])
    assert _w(api) == []


def test_traffic_that_starts_after_the_horizon_warns_and_one_inside_does_not():
    # 5-year default horizon = 60 months (0..59): a launch in month 60 serves nothing
    late = _scenario({"deployment": "api", "api_price_input": 3, "api_price_output": 15, "launch_month": 60})
    found = [t for t in _w(late) if t.startswith("inference.launch_month:")]
    assert len(found) == 1 and "month 60" in found[0] and "60-month horizon" in found[0]
    inside = _scenario({"deployment": "api", "api_price_input": 3, "api_price_output": 15, "launch_month": 59})
    assert not any("horizon" in t for t in _w(inside))
    # derived launch: training.start_month 50 + duration 12 = 62 -> named on the training field
    derived = _scenario({"deployment": "api", "api_price_input": 3, "api_price_output": 15},
                        training={"start_month": 50, "duration_months": 12})
    found = [t for t in _w(derived) if "horizon" in t]
    assert len(found) == 1 and found[0].startswith("training.duration_months:") and "month 62" in found[0]
