"""Properties of the model that hold for every scenario (hypothesis).

* The report adds up: per month, training + inference = total, the parts add to
  their series, the cash series follow their rule; the series sum to the summary
  totals and the yearly figures to the series (``report_checks.check_report``).
* More traffic never costs less: raising ``inference.requests_per_day`` never
  lowers ``total_cost``, for each deployment. For owned hardware this needs
  hardware prices that do not rise: when they rise, a fleet that grows a month
  earlier buys its servers a month cheaper, which can save more than the month of
  power it adds (MODEL.md 4.5 buys when demand needs it). The example below pins
  that down so that a change to the model shows up here.

(That a batch of N scenarios equals N single runs is checked in
``tests/engine/test_against_reference.py``.)
"""

from __future__ import annotations

import copy
import math
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_checks import check_report  # noqa: E402
from scenario_strategies import scenarios  # noqa: E402

from tcoapp.reports.report import build_report  # noqa: E402
from tcoapp.scenario.batch import evaluate  # noqa: E402
from tcoapp.scenario.errors import ScenarioError  # noqa: E402
from tcoapp.scenario.files import scenario_from_dict  # noqa: E402

DEPLOYMENTS = ("api", "cloud", "owned")


def fast(max_examples: int) -> settings:
    return settings(max_examples=max_examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _report(data: dict):
    """The report of a scenario dict, or None when the scenario is (rightly) refused."""
    scenario = scenario_from_dict(data)
    try:
        return build_report(scenario, evaluate(scenario))
    except ScenarioError as err:
        assert "\n" not in str(err) and err.path, str(err)
        return None


@fast(150)
@given(scenarios())
def test_series_add_up_to_the_totals(pair):
    data, _ = pair
    report = _report(data)
    assume(report is not None)
    check_report(
        report,
        data["inference"].get("deployment", "cloud"),
        start_month=data.get("start_month", "2026-01"),
        horizon_years=data.get("horizon_years", 5),
        discount_rate=data["finance"].get("discount_rate", 0.08),
    )


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
@fast(60)
@given(pair=scenarios(), factor=st.sampled_from([1.0, 1.000001, 1.01, 1.5, 2.0]) | st.floats(1.0, 50.0),
       extra=st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1e5))
def test_more_traffic_never_costs_less(deployment, pair, factor, extra):
    data, _ = pair
    data = copy.deepcopy(data)
    data["inference"]["deployment"] = deployment
    if deployment == "owned":  # see the module docstring
        data["facility"]["hardware_price_change"] = min(0.0, data["facility"].get("hardware_price_change", -0.1))
    low = _report(data)
    assume(low is not None)
    more = copy.deepcopy(data)
    more["inference"]["requests_per_day"] = data["inference"]["requests_per_day"] * factor + extra
    high = _report(more)
    assert high is not None, "a scenario that computes must still compute with more traffic"
    lo, hi = low["summary"]["total_cost"], high["summary"]["total_cost"]
    assert hi >= lo - 1e-9 * abs(lo), (lo, hi)
    # the traffic itself, and what it earns, never falls either
    assert math.fsum(high["series"]["requests"]) >= math.fsum(low["series"]["requests"]) * (1 - 1e-12)
    assert high["summary"]["revenue_total"] >= low["summary"]["revenue_total"] * (1 - 1e-12)


def test_owned_with_rising_hardware_prices_can_cost_less_with_more_traffic():
    """The exception to the property above, worked out by hand from MODEL.md 4.3 and 4.5.

    One chip per replica serving 1 request per 4 busy seconds: replicas =
    ceil(Q / 8640). Demand doubles yearly from 1.5 x 8640 a day, so the third
    chip is needed when 1.5 * 2 ** (m / 12) > 2, i.e. from month 5; the fourth from
    month 13 (> 3 first at m = 12.0...: 1.5 * 2 = 3 is not > 3). With 1 % more
    traffic the fourth is needed from month 12, and bought at K(12) instead of
    K(13) = K(12) * 1.2 ** (1 / 12): USD 211 cheaper, against one more month of
    power and maintenance for one chip (USD 89): the busier scenario costs less.
    """
    toy = {"id": "toy", "name": "Toy", "vendor": "", "bf16_tflops": 100, "fp8_tflops": 200, "fp4_tflops": None,
           "memory_gb": 80, "bandwidth_tbs": 2, "tdp_w": 500, "price_usd": 10000, "cloud_usd_per_hour": 2,
           "source": "test", "as_of": "2026-01-01"}
    data = {
        "format": "tcoapp-scenario", "schema_version": 1, "horizon_years": 2,
        "facility": {"hardware_price_change": 0.2, "chips_per_server": 1},
        "model": {"params_billion": 10},
        "training": {"chip": "toy"},
        "inference": {"requests_per_day": 8640 * 1.5, "annual_growth": 1.0, "deployment": "owned", "chip": "toy",
                      "launch_month": 0, "chips_per_replica": 1, "prefill_tokens_per_s_per_chip": 1000,
                      "decode_tokens_per_s_per_chip": 100},
        "chips": [toy],
    }
    low = _report(data)
    more = copy.deepcopy(data)
    more["inference"]["requests_per_day"] *= 1.01
    high = _report(more)
    assert low["series"]["chips"][11:14] == [3, 3, 4] and high["series"]["chips"][11:14] == [3, 4, 4]
    assert high["summary"]["total_cost"] < low["summary"]["total_cost"]
