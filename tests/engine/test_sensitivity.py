"""The sensitivity solver (issue 3): every batch answer equals the engine run one scenario at a time.

Each tool (tornado, sweeps, chip and deployment comparisons, Monte Carlo,
goal seek) evaluates its scenarios in one batch; these tests re-run a row, a
point, a cell or a sample on its own, through ``with_values`` and
``evaluate`` as a user's file would be, and compare the summaries exactly (to
1e-12 relative). The statistical tests compare Monte Carlo percentiles with
quantiles of the input computed independently of the solver (closed forms, or
a numerical Beta CDF for PERT).
"""

from __future__ import annotations

import json
import math
from statistics import NormalDist

import numpy as np
import pytest

from tcoapp.engine import run
from tcoapp.engine import sensitivity as core
from tcoapp.paths import sample_files, samples_dir
from tcoapp.scenario import Scenario, ScenarioError, load_scenario, numeric_field_paths, with_values
from tcoapp.scenario import sensitivity as ss
from tcoapp.scenario.batch import engine_inputs, evaluate, months

SAMPLE_NAMES = [p.name for p in sample_files()]
REL = 1e-12


# ---------------------------------------------------------------- helpers
_cache: dict[str, Scenario] = {}


def sample(name: str) -> Scenario:
    if name not in _cache:
        _cache[name] = load_scenario(samples_dir() / name)
    return _cache[name]


def number(value) -> float | None:
    """A summary value as the JSON-ready dicts give it: None for null / NaN."""
    value = float(value)
    return value if math.isfinite(value) else None


def one(scenario: Scenario, values: dict, metric: str | None = None):
    """The engine on one modified scenario: the summary dict, or one metric of it."""
    summary = evaluate(with_values(scenario, values)).summary
    out = {k: number(v[0]) for k, v in summary.items()}
    return out if metric is None else out[metric]


def same(a, b, rel: float = REL) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def as_field_value(path: str, x: float):
    """A solver's value as a file holds it: whole-number fields take ints (the solver reports 3.0)."""
    return int(x) if numeric_field_paths()[path].is_int else x


def with_uncertainty(scenario: Scenario, uncertainty: dict) -> Scenario:
    data = scenario.model_dump()
    data["uncertainty"] = uncertainty
    return Scenario.model_validate(data)


def reproduce_draws(scenario: Scenario, samples: int, seed: int) -> dict[str, np.ndarray]:
    """The documented draw order: one generator, the uncertainty section's keys in order, clipped to rules."""
    rng = np.random.default_rng(seed)
    return {path: ss.clip_to_rule(path, core.sample_distribution(dist.model_dump(), samples, rng))
            for path, dist in scenario.uncertainty.items()}


# ---------------------------------------------------------------- independent quantiles
def _beta_quantile(a: float, b: float, q: float) -> float:
    """Quantile of Beta(a, b), a, b >= 1, by a numerical CDF (trapezoids on 400,001 points)."""
    x = np.linspace(0.0, 1.0, 400_001)
    pdf = x ** (a - 1) * (1 - x) ** (b - 1)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(x))])
    return float(np.interp(q, cdf / cdf[-1], x))


def input_quantile(spec: dict, q: float) -> float:
    """A quantile of an uncertainty distribution, computed without the solver."""
    kind = spec["dist"]
    if kind == "uniform":
        return spec["low"] + q * (spec["high"] - spec["low"])
    if kind == "triangular":
        a, c, b = spec["low"], spec["mode"], spec["high"]
        if q < (c - a) / (b - a):
            return a + math.sqrt(q * (b - a) * (c - a))
        return b - math.sqrt((1 - q) * (b - a) * (b - c))
    if kind == "normal":
        return NormalDist(spec["mean"], spec["sd"]).inv_cdf(q)
    if kind == "lognormal":
        return spec["median"] * math.exp(spec["sigma"] * NormalDist().inv_cdf(q))
    if kind == "pert":
        lo, mode, hi = spec["low"], spec["mode"], spec["high"]
        a = 1 + 4 * (mode - lo) / (hi - lo)
        b = 1 + 4 * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * _beta_quantile(a, b, q)
    raise ValueError(kind)


def test_beta_quantile_helper_is_right():
    assert _beta_quantile(1, 1, 0.3) == pytest.approx(0.3, abs=1e-9)
    assert _beta_quantile(2, 1, 0.25) == pytest.approx(0.5, abs=1e-8)  # CDF x^2
    assert _beta_quantile(1, 2, 0.75) == pytest.approx(0.5, abs=1e-8)  # CDF 1-(1-x)^2


@pytest.mark.parametrize("spec", [
    {"dist": "triangular", "low": 0.0, "mode": 0.3, "high": 1.0},
    {"dist": "uniform", "low": 2.0, "high": 5.0},
    {"dist": "normal", "mean": 10.0, "sd": 2.0},
    {"dist": "lognormal", "median": 3.0, "sigma": 0.5},
    {"dist": "pert", "low": 1.0, "mode": 2.0, "high": 6.0},
])
def test_engine_distribution_quantile_matches_independent_quantiles(spec):
    for q in (0.05, 0.5, 0.95):
        expected = input_quantile(spec, q)
        assert core.distribution_quantile(spec, q) == pytest.approx(expected, rel=5e-3, abs=1e-9)


# ---------------------------------------------------------------- tornado
def _rows_one_by_one(scenario: Scenario, result: dict):
    """(row, side, batch value, one-at-a-time value) for every tornado row end.

    A value the schema rejects (see test_tornado_values_are_scenarios_the_format_accepts)
    is run through the engine alone on that scenario's inputs instead.
    """
    base, M = engine_inputs(scenario), months(scenario)
    for row in result["rows"]:
        for side in ("low", "high"):
            x = row[f"{side}_input"]
            try:
                single = one(scenario, {row["path"]: as_field_value(row["path"], x)}, result["metric"])
            except ScenarioError:
                single = number(run({**base, row["path"]: x}, M, on_error="mask").summary[result["metric"]][0])
            yield row, side, row[f"{side}_metric"], single


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_tornado_rows_equal_one_scenario_at_a_time(name):
    scenario = sample(name)
    result = ss.tornado(scenario, "total_cost")
    assert len(result["rows"]) >= 30
    assert same(result["base"], one(scenario, {}, "total_cost"))
    for row, side, batch, single in _rows_one_by_one(scenario, result):
        assert same(batch, single), (row["path"], side, row[f"{side}_input"], batch, single)


def test_tornado_other_metrics_equal_one_scenario_at_a_time():
    scenario = sample("chat-assistant-owned-h100.tco")
    for metric in ("npv_total", "crossover_month", "inference_share"):
        result = ss.tornado(scenario, metric)
        for row, side, batch, single in _rows_one_by_one(scenario, result):
            assert same(batch, single), (metric, row["path"], side, batch, single)


def test_tornado_values_are_scenarios_the_format_accepts():
    """Every row's low and high must be a value ``with_values`` accepts.

    Fails today: model.active_params_billion is null (= params_billion) in
    these samples, and its high swing (1.2 x params) breaks the cross-field
    rule ``active_params_billion <= params_billion``.
    """
    rejected = []
    for name in SAMPLE_NAMES:
        scenario = sample(name)
        for row in ss.tornado(scenario, "total_cost")["rows"]:
            for side in ("low", "high"):
                try:
                    with_values(scenario, {row["path"]: as_field_value(row["path"], row[f"{side}_input"])})
                except ScenarioError as err:
                    rejected.append(f"{name}: {row['path']} {side}={row[f'{side}_input']}: {err}")
    assert not rejected, rejected


def test_tornado_rows_sorted_by_spread_largest_first():
    for name in SAMPLE_NAMES:
        rows = ss.tornado(sample(name), "total_cost")["rows"]
        spreads = [abs(r["high_metric"] - r["low_metric"]) for r in rows
                   if r["low_metric"] is not None and r["high_metric"] is not None]
        assert spreads == sorted(spreads, reverse=True)
        defined = [r["low_metric"] is not None and r["high_metric"] is not None for r in rows]
        assert defined == sorted(defined, reverse=True), "rows with an undefined end come last"


def test_tornado_undefined_rows_come_last():
    # inference overtakes training in month 30 of 36: some low ends never get there
    scenario = with_values(sample("enterprise-finetune-api.tco"), {"inference.requests_per_day": 5e5})
    rows = ss.tornado(scenario, "crossover_month")["rows"]
    defined = [r["low_metric"] is not None and r["high_metric"] is not None for r in rows]
    assert not all(defined) and any(defined)
    assert defined == sorted(defined, reverse=True)


@pytest.mark.parametrize("swing", [0.2, 0.35])
def test_tornado_low_high_are_base_times_one_minus_plus_swing(swing):
    scenario = sample("deployment-cloud.tco")  # no uncertainty section: every row is a swing
    inputs = engine_inputs(scenario)
    rows = {r["path"]: r for r in ss.tornado(scenario, "total_cost", swing=swing)["rows"]}
    assert rows["inference.input_tokens"]["low_input"] == pytest.approx(1500 * (1 - swing), rel=REL)
    assert rows["inference.input_tokens"]["high_input"] == pytest.approx(1500 * (1 + swing), rel=REL)
    # a derived null swings around the value the engine derives (catalog rate x exchange rate)
    rate = inputs["inference.chip.cloud_usd_per_hour"] * scenario.finance.usd_to_currency
    assert rows["inference.cloud_rate"]["low_input"] == pytest.approx(rate * (1 - swing), rel=REL)
    assert rows["inference.cloud_rate"]["high_input"] == pytest.approx(rate * (1 + swing), rel=REL)
    # a negative value: low is base * (1 - swing), which is the larger number
    change = scenario.inference.cloud_price_change
    assert rows["inference.cloud_price_change"]["low_input"] == pytest.approx(change * (1 - swing), rel=REL)
    assert rows["inference.cloud_price_change"]["high_input"] == pytest.approx(change * (1 + swing), rel=REL)
    for r in rows.values():
        assert r["source"] == "swing"
        base = ss.resolved_value(inputs, r["path"])
        low, high = ss.clip_to_rule(r["path"], np.array([base * (1 - swing), base * (1 + swing)]))
        assert (r["low_input"], r["high_input"]) == (low, high), r["path"]


def test_tornado_uses_the_uncertainty_entry_low_and_high():
    scenario = sample("chat-assistant-owned-h100.tco")
    rows = {r["path"]: r for r in ss.tornado(scenario, "total_cost")["rows"]}
    assert (rows["inference.annual_growth"]["low_input"], rows["inference.annual_growth"]["high_input"]) == (0.3, 1.0)
    assert (rows["training.mfu"]["low_input"], rows["training.mfu"]["high_input"]) == (0.3, 0.5)
    assert (rows["inference.chip_price"]["low_input"], rows["inference.chip_price"]["high_input"]) == (25000, 40000)
    for path in ("inference.annual_growth", "training.mfu", "inference.chip_price", "inference.requests_per_day"):
        assert rows[path]["source"] == "uncertainty"
    # lognormal: its P5 and P95
    spec = {"dist": "lognormal", "median": 1e7, "sigma": 0.3}
    assert rows["inference.requests_per_day"]["low_input"] == pytest.approx(input_quantile(spec, 0.05), rel=5e-3)
    assert rows["inference.requests_per_day"]["high_input"] == pytest.approx(input_quantile(spec, 0.95), rel=5e-3)
    assert rows["facility.pue"]["source"] == "swing"


def test_tornado_normal_uncertainty_uses_p5_p95():
    spec = {"dist": "normal", "mean": 0.5, "sd": 0.1}
    scenario = with_uncertainty(sample("deployment-api.tco"), {"inference.annual_growth": spec})
    row = next(r for r in ss.tornado(scenario, "total_cost", paths=["inference.annual_growth"])["rows"])
    assert row["low_input"] == pytest.approx(input_quantile(spec, 0.05), rel=5e-3)
    assert row["high_input"] == pytest.approx(input_quantile(spec, 0.95), rel=5e-3)


def test_tornado_values_stay_within_field_rules():
    scenario = with_values(sample("reasoning-model-long-thinking.tco"), {"inference.target_utilization": 0.9})
    paths = ["inference.target_utilization", "inference.samples", "training.duration_months",
             "inference.efficiency.bandwidth"]
    result = ss.tornado(scenario, "total_cost", paths=paths, swing=0.2)
    rows = {r["path"]: r for r in result["rows"]}
    assert rows["inference.target_utilization"]["low_input"] == pytest.approx(0.72, rel=REL)
    assert rows["inference.target_utilization"]["high_input"] == 1.0  # 1.08 clipped to the rule's 1
    assert rows["inference.efficiency.bandwidth"]["high_input"] == 0.96
    assert (rows["inference.samples"]["low_input"], rows["inference.samples"]["high_input"]) == (3.0, 5.0)  # 3.2, 4.8
    assert (rows["training.duration_months"]["low_input"], rows["training.duration_months"]["high_input"]) == (2.0, 2.0)
    for row, side, batch, single in _rows_one_by_one(scenario, result):
        assert same(batch, single), (row["path"], side)
    with_values(scenario, {"inference.target_utilization": 1.0})  # the clipped value is a valid scenario


def test_tornado_bad_arguments():
    scenario = sample("deployment-cloud.tco")
    with pytest.raises(ScenarioError, match="between 0 and 1"):
        ss.tornado(scenario, swing=1.0)
    with pytest.raises(ScenarioError, match="not a numeric scenario field"):
        ss.tornado(scenario, paths=["inference.nope"])
    with pytest.raises(ScenarioError, match="no value to swing"):
        ss.tornado(scenario, paths=["inference.max_requests_per_day"])
    with pytest.raises((ScenarioError, KeyError), match="unknown metric"):
        ss.tornado(scenario, metric="nope")


def test_engine_tornado_sorts_nan_spreads_last():
    scenario = sample("deployment-cloud.tco")
    base, M = engine_inputs(scenario), months(scenario)
    ranges = {"inference.requests_per_day": (5e5, 2e6, "swing"), "facility.pue": (1.1, 1.5, "swing"),
              "inference.annual_growth": (0.1, 0.9, "swing")}
    base_value, rows = core.tornado(base, M, "total_cost", ranges)
    assert [r.path for r in rows][-1] == "facility.pue"  # no effect on a cloud fleet: spread 0
    assert rows[0].spread >= rows[1].spread >= rows[2].spread == 0


# ---------------------------------------------------------------- sweeps
def test_sweep_points_equal_one_scenario_at_a_time():
    scenario = sample("reasoning-model-long-thinking.tco")
    metrics = ["total_cost", "crossover_month", "inference_share", "npv_total", "peak_chips"]
    values = [0, 1500, 2999.5, 6000, 9000, 12000]
    result = ss.sweep(scenario, "inference.reasoning_tokens", values, metrics)
    assert result["values"] == values and result["errors"] == [None] * len(values)
    for i, x in enumerate(values):
        single = one(scenario, {"inference.reasoning_tokens": x})
        for m in metrics:
            assert same(result["metrics"][m][i], single[m]), (x, m)


def test_sweep_keeps_values_within_rules_and_equals_one_at_a_time():
    scenario = sample("reasoning-model-long-thinking.tco")
    result = ss.sweep(scenario, "inference.samples", [0.2, 1.4, 2.6, 8], ["total_cost"])
    assert result["values"] == [1.0, 1.0, 3.0, 8.0]  # whole numbers >= 1
    for x, v in zip(result["values"], result["metrics"]["total_cost"]):
        assert same(v, one(scenario, {"inference.samples": int(x)}, "total_cost"))


def test_sweep_defaults_around_the_base_value():
    scenario = sample("deployment-owned.tco")
    values = ss.linspace_around(scenario, "inference.requests_per_day", points=5)
    assert values == pytest.approx([5e5, 7.5e5, 1e6, 1.25e6, 1.5e6], rel=REL)
    result = ss.sweep(scenario, "inference.requests_per_day", values, ["total_cost", "peak_chips"])
    for i, x in enumerate(values):
        single = one(scenario, {"inference.requests_per_day": x})
        assert same(result["metrics"]["total_cost"][i], single["total_cost"])
        assert same(result["metrics"]["peak_chips"][i], single["peak_chips"])


def test_sweep2_grid_cells_equal_one_scenario_at_a_time():
    scenario = sample("chat-assistant-owned-h100.tco")
    xs, ys = [5e6, 1e7, 2e7, 3e7], [0.0, 0.6, 1.2]
    for metric in ("total_cost", "crossover_month"):
        result = ss.sweep2(scenario, "inference.requests_per_day", xs, "inference.annual_growth", ys, metric)
        assert result["x"] == xs and result["y"] == ys
        assert len(result["grid"]) == len(ys) and all(len(row) == len(xs) for row in result["grid"])
        for iy, y in enumerate(ys):
            for ix, x in enumerate(xs):
                single = one(scenario, {"inference.requests_per_day": x, "inference.annual_growth": y}, metric)
                assert same(result["grid"][iy][ix], single), (metric, x, y)


def test_sweep2_needs_two_inputs():
    scenario = sample("deployment-api.tco")
    with pytest.raises((ValueError, ScenarioError)):
        ss.sweep2(scenario, "inference.requests_per_day", [1, 2], "inference.requests_per_day", [1, 2])


# ---------------------------------------------------------------- comparisons
_CHIP_BOUND = {
    "training": ("training.cloud_rate", "training.chip_price"),
    "inference": ("inference.cloud_rate", "inference.chip_price", "inference.chips_per_replica",
                  "inference.prefill_tokens_per_s_per_chip", "inference.decode_tokens_per_s_per_chip"),
}


@pytest.mark.parametrize("name", ["chat-assistant-owned-h100.tco", "deployment-cloud.tco",
                                  "reasoning-model-long-thinking.tco"])
@pytest.mark.parametrize("role", ["inference", "training", "both"])
def test_compare_chips_rows_equal_one_scenario_at_a_time(name, role):
    scenario = sample(name)
    result = ss.compare_chips(scenario, role=role)
    assert len(result["rows"]) >= 10
    computed = 0
    for row in result["rows"]:
        values = {}
        for r in (("training", "inference") if role == "both" else (role,)):
            values[f"{r}.chip"] = row["chip"]
            if getattr(scenario, r).chip != row["chip"]:  # the other chip's own price, rate, replica size
                values.update({k: None for k in _CHIP_BOUND[r]})
        try:
            single = one(scenario, values)
        except ScenarioError as err:
            assert row["error"] is not None and row["value"] is None and row["rank"] is None, (row["chip"], err)
            continue
        assert row["error"] is None, (row["chip"], row["error"])
        computed += 1
        assert same(row["value"], single["total_cost"])
        for key, value in single.items():
            assert same(row["summary"][key], value), (row["chip"], key)
    assert computed >= 3
    ranked = [r["value"] for r in result["rows"] if r["rank"] is not None]
    assert ranked == sorted(ranked)
    assert [r["rank"] for r in result["rows"] if r["rank"] is not None] == list(range(1, len(ranked) + 1))


def test_compare_chips_own_chip_row_is_the_scenario():
    scenario = sample("deployment-cloud.tco")
    result = ss.compare_chips(scenario, chips=["h200"], metric="npv_total")
    assert [r["chip"] for r in result["rows"]] == ["h200"]
    assert same(result["rows"][0]["value"], one(scenario, {}, "npv_total"))
    with pytest.raises(ScenarioError, match="not in the catalog"):
        ss.compare_chips(scenario, chips=["no-such-chip"])


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_compare_deployments_rows_equal_one_scenario_at_a_time(name):
    scenario = sample(name)
    result = ss.compare_deployments(scenario)
    assert sorted(r["deployment"] for r in result["rows"]) == ["api", "cloud", "owned"]
    for row in result["rows"]:
        single = one(scenario, {"inference.deployment": row["deployment"]})
        for key, value in single.items():
            assert same(row["summary"][key], value), (row["deployment"], key)
        if row["error"] is None:
            assert same(row["value"], single["total_cost"])
        else:  # only an API with no prices is refused
            assert row["deployment"] == "api" and scenario.inference.api_price_input == 0
    ranked = [r["value"] for r in result["rows"] if r["rank"] is not None]
    assert ranked == sorted(ranked)


# ---------------------------------------------------------------- Monte Carlo
MC_METRICS = ("total_cost", "npv_total", "inference_share", "crossover_month", "payback_month", "irr")


def test_monte_carlo_sample_values_equal_one_scenario_at_a_time():
    scenario = sample("chat-assistant-owned-h100.tco")
    n = 300
    draws = reproduce_draws(scenario, n, seed=11)
    result = core.monte_carlo(engine_inputs(scenario), months(scenario), draws, MC_METRICS, chunk=64)
    assert result.failed == 0 and result.ok.all()
    for i in (0, 1, 63, 64, 150, n - 1):
        single = one(scenario, {path: x[i] for path, x in draws.items()})
        for m in MC_METRICS:
            assert same(number(result.values[m][i]), single[m]), (i, m)


def test_monte_carlo_summary_equals_percentiles_of_single_runs():
    """The scenario-level dict, rebuilt from one-at-a-time runs of the same draws."""
    scenario = sample("chat-assistant-owned-h100.tco")
    n, seed = 40, 5
    result = ss.monte_carlo(scenario, samples=n, seed=seed, metrics=MC_METRICS[:4])
    draws = reproduce_draws(scenario, n, seed)
    singles, cumulative = [], []
    for i in range(n):
        modified = with_values(scenario, {path: x[i] for path, x in draws.items()})
        res = evaluate(modified)
        singles.append({k: number(v[0]) for k, v in res.summary.items()})
        cumulative.append(np.cumsum(res.series["total"][0]))
    for m in MC_METRICS[:4]:
        v = np.array([math.inf if s[m] is None else s[m] for s in singles])
        for key, pct in core.PERCENTILES:
            expected = float(np.percentile(v, pct))
            assert same(result["metrics"][m][key], expected if math.isfinite(expected) else None, 1e-12), (m, key)
        assert same(result["metrics"][m]["mean"], float(np.mean(v)) if np.isfinite(v).all() else None, 1e-12)
    share = np.array([s["inference_share"] for s in singles])
    assert result["probabilities"]["inference_share>0.5"] == pytest.approx(float(np.mean(share > 0.5)), abs=0)
    cum = np.array(cumulative, dtype=np.float32)
    for key, pct in core.PERCENTILES:
        assert np.allclose(result["bands"][key], np.percentile(cum, pct, axis=0), rtol=1e-6)
    assert result["bands"]["samples"] == n


def test_monte_carlo_failed_samples_are_counted_and_left_out():
    """A sample whose model no longer fits a fixed two-chip replica fails; the rest are summarised."""
    base = with_values(sample("chat-assistant-owned-h100.tco"), {"inference.chips_per_replica": 2})
    scenario = with_uncertainty(base, {"model.params_billion": {"dist": "uniform", "low": 50, "high": 200}})
    n = 60
    result = ss.monte_carlo(scenario, samples=n, seed=3, metrics=["total_cost"])
    (x,) = reproduce_draws(scenario, n, 3).values()
    ok_values, failed = [], 0
    for value in x:
        try:
            ok_values.append(one(scenario, {"model.params_billion": value}, "total_cost"))
        except ScenarioError:
            failed += 1
    assert 0 < failed < n
    assert result["failed"] == failed and "inference" in result["first_error"]
    assert same(result["metrics"]["total_cost"]["p50"], float(np.percentile(ok_values, 50)))


def _mc_cases():
    api, cloud = "deployment-api.tco", "deployment-cloud.tco"
    rpd = "inference.requests_per_day"
    return [
        (api, rpd, {"dist": "triangular", "low": 3e5, "mode": 1e6, "high": 2.5e6}),
        (api, rpd, {"dist": "uniform", "low": 5e5, "high": 2e6}),
        (api, rpd, {"dist": "normal", "mean": 1e6, "sd": 2e5}),
        (api, rpd, {"dist": "lognormal", "median": 1e6, "sigma": 0.4}),
        (api, rpd, {"dist": "pert", "low": 2e5, "mode": 6e5, "high": 2e6}),
        (cloud, "inference.cloud_rate", {"dist": "lognormal", "median": 10.6, "sigma": 0.25}),
        (cloud, "inference.cloud_rate", {"dist": "pert", "low": 6.0, "mode": 7.0, "high": 12.0}),
    ]


@pytest.mark.parametrize("name,path,spec", _mc_cases(), ids=lambda v: v["dist"] if isinstance(v, dict) else None)
def test_monte_carlo_percentiles_are_the_metric_at_the_input_quantiles(name, path, spec):
    """One uncertain input, a metric increasing in it: metric Pq = metric(input Pq) within sampling error.

    The sample q-quantile lies within q +/- 4 sqrt(q (1 - q) / n) of the true
    distribution (in probability) except with negligible chance; with a
    monotone metric that brackets the metric's percentile between the metric
    at the input's quantiles there, computed in closed form (or a numerical
    Beta CDF for PERT) and run one scenario at a time.
    """
    n = 20_000
    scenario = with_uncertainty(sample(name), {path: spec})
    result = ss.monte_carlo(scenario, samples=n, seed=2024, metrics=["total_cost"])
    assert result["failed"] == 0
    for key, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        delta = 4 * math.sqrt(q * (1 - q) / n)
        at_q = one(scenario, {path: input_quantile(spec, q)}, "total_cost")
        lower = one(scenario, {path: input_quantile(spec, q - delta)}, "total_cost")
        upper = one(scenario, {path: input_quantile(spec, q + delta)}, "total_cost")
        got = result["metrics"]["total_cost"][key]
        assert lower <= got <= upper, (key, lower, got, upper)
        assert got == pytest.approx(at_q, rel=0.02)
        assert lower < at_q < upper  # the metric does increase with the input here


def test_monte_carlo_same_seed_same_answer_other_seed_other_samples():
    scenario = sample("reasoning-model-long-thinking.tco")
    a = ss.monte_carlo(scenario, samples=500, seed=42)
    b = ss.monte_carlo(scenario, samples=500, seed=42)
    c = ss.monte_carlo(scenario, samples=500, seed=43)
    assert json.dumps(a, allow_nan=False) == json.dumps(b, allow_nan=False)
    assert a == b
    assert a["seed"] == 42 and c["seed"] == 43
    assert a["metrics"]["total_cost"] != c["metrics"]["total_cost"]
    assert a["histograms"]["total_cost"]["counts"] != c["histograms"]["total_cost"]["counts"]
    draws_a, draws_c = reproduce_draws(scenario, 500, 42), reproduce_draws(scenario, 500, 43)
    assert all(not np.array_equal(draws_a[p], draws_c[p]) for p in draws_a)


def test_monte_carlo_result_is_json_ready_and_complete():
    scenario = sample("chat-assistant-owned-h100.tco")
    result = ss.monte_carlo(scenario, samples=300, seed=1)
    json.dumps(result, allow_nan=False)
    assert result["samples"] == 300 and result["failed"] == 0
    for m in ss.DEFAULT_MC_METRICS:
        stats = result["metrics"][m]
        assert set(stats) == {"p5", "p10", "p50", "p90", "p95", "mean"}
        assert stats["p5"] <= stats["p10"] <= stats["p50"] <= stats["p90"] <= stats["p95"]
    assert len(result["bands"]["months"]) == 60 == len(result["bands"]["p50"])
    assert set(result["probabilities"]) == set(ss.default_events(scenario))


def test_monte_carlo_chunking_and_workers_do_not_change_the_answer():
    scenario = sample("chat-assistant-owned-h100.tco")
    base, M = engine_inputs(scenario), months(scenario)
    draws = reproduce_draws(scenario, 400, 9)
    whole = core.monte_carlo(base, M, draws, MC_METRICS, chunk=400, workers=1)
    pieces = core.monte_carlo(base, M, draws, MC_METRICS, chunk=37, workers=2)
    for m in MC_METRICS:
        if m == "irr":  # an iterative root: the batch may change the last bits (seen: 2e-14 relative)
            assert np.allclose(whole.values[m], pieces.values[m], rtol=1e-12, atol=0, equal_nan=True)
        else:
            assert np.array_equal(whole.values[m], pieces.values[m], equal_nan=True), m
    for key in whole.band_percentiles:
        assert np.array_equal(whole.band_percentiles[key], pieces.band_percentiles[key])


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_percentiles_count_never_as_later_than_any_month():
    values = np.array([3.0, 5.0, np.nan, np.nan, np.nan, 7.0, np.nan, np.nan, np.nan, np.nan])
    ok = np.ones(values.size, bool)
    stats = core.percentiles("crossover_month", values, ok)
    assert stats["p5"] is not None and stats["p50"] is None and stats["p95"] is None and stats["mean"] is None
    stats = core.percentiles("irr", values, ok)  # a null IRR is left out instead
    assert stats["p50"] == 5.0 and stats["mean"] == 5.0


def test_monte_carlo_progress_ends_at_one_and_cancel_after_first_chunk():
    scenario = sample("chat-assistant-owned-h100.tco")
    base, M = engine_inputs(scenario), months(scenario)
    draws = reproduce_draws(scenario, 200, 0)
    calls: list[float] = []
    core.monte_carlo(base, M, draws, ["total_cost"], chunk=50, progress=calls.append)
    assert calls == [0.25, 0.5, 0.75, 1.0]

    seen: list[float] = []
    with pytest.raises(core.Cancelled):
        core.monte_carlo(base, M, draws, ["total_cost"], chunk=50, progress=seen.append,
                         cancelled=lambda: len(seen) >= 1)
    assert seen == [0.25]


def test_scenario_monte_carlo_progress_and_cancel():
    scenario = sample("chat-assistant-owned-h100.tco")
    n = core.chunk_size(60) + 100  # more than one chunk whatever the worker count
    calls: list[float] = []
    ss.monte_carlo(scenario, samples=n, seed=0, metrics=["total_cost"], events=[], progress=calls.append)
    assert len(calls) >= 2 and calls[-1] == 1.0 and calls == sorted(calls)

    seen: list[float] = []
    with pytest.raises(ss.Cancelled):
        ss.monte_carlo(scenario, samples=n, seed=0, metrics=["total_cost"], events=[], progress=seen.append,
                       cancelled=lambda: len(seen) >= 1)
    assert len(seen) == 1 and seen[0] < 1.0


def test_monte_carlo_bad_arguments():
    with pytest.raises(ScenarioError, match="empty"):
        ss.monte_carlo(sample("deployment-api.tco"), samples=10)
    with pytest.raises(ScenarioError, match="at least 1"):
        ss.monte_carlo(sample("chat-assistant-owned-h100.tco"), samples=0)
    with pytest.raises((ScenarioError, KeyError), match="unknown metric"):
        ss.monte_carlo(sample("chat-assistant-owned-h100.tco"), samples=10, metrics=["nope"])
    with pytest.raises(ScenarioError):
        ss.monte_carlo(sample("chat-assistant-owned-h100.tco"), samples=10, events=["nope>1"])


# ---------------------------------------------------------------- goal seek
def test_goal_seek_requests_for_half_inference_share_on_an_api_scenario():
    scenario = sample("enterprise-finetune-api.tco")
    path = "inference.requests_per_day"
    result = ss.goal_seek(scenario, path, "inference_share", 0.5, 1e3, 1e7)
    assert result["status"] == "ok" and len(result["solutions"]) == 1
    achieved = one(scenario, {path: result["value"]}, "inference_share")
    assert abs(achieved - 0.5) <= result["tolerance"]
    assert same(achieved, result["achieved"])
    assert result["tolerance"] == pytest.approx(5e-7)
    # the metric rises with requests: just below and above straddle the target
    assert one(scenario, {path: result["value"] * 0.99}, "inference_share") < 0.5
    assert one(scenario, {path: result["value"] * 1.01}, "inference_share") > 0.5


@pytest.mark.parametrize("target,tol", [(0.3, None), (0.75, None), (0.9, 1e-3)])
def test_goal_seek_other_targets_and_tolerances(target, tol):
    scenario = sample("enterprise-finetune-api.tco")
    result = ss.goal_seek(scenario, "inference.requests_per_day", "inference_share", target, 1e3, 1e8, tol=tol)
    assert result["status"] == "ok"
    achieved = one(scenario, {"inference.requests_per_day": result["value"]}, "inference_share")
    assert abs(achieved - target) <= result["tolerance"]
    assert result["tolerance"] == (tol if tol is not None else target * 1e-6)


def test_goal_seek_cloud_rate_at_which_cloud_costs_what_owned_does():
    cloud = sample("deployment-cloud.tco")
    target = one(cloud, {"inference.deployment": "owned"}, "total_cost")
    assert same(target, one(sample("deployment-owned.tco"), {}, "total_cost"))
    result = ss.goal_seek(cloud, "inference.cloud_rate", "total_cost", target, 0.5, 30.0)
    assert result["status"] == "ok"
    achieved = one(cloud, {"inference.cloud_rate": result["value"]}, "total_cost")
    assert abs(achieved - target) <= result["tolerance"]
    assert 0.5 < result["value"] < 10.6  # cheaper than today's rate


def test_goal_seek_plateau_reports_its_lowest_value_and_range():
    scenario = sample("reasoning-model-long-thinking.tco")
    path = "inference.reasoning_tokens"
    result = ss.goal_seek(scenario, path, "crossover_month", 12, 1000, 8000)
    assert result["status"] == "ok", result["message"]
    (lo, hi), = result["ranges"]
    assert result["value"] == lo < hi
    assert "from" in result["message"] and "to" in result["message"]
    for x in (lo, 0.5 * (lo + hi), hi):
        assert one(scenario, {path: x}, "crossover_month") == 12, x
    below = one(scenario, {path: lo * (1 - 1e-9)}, "crossover_month")
    assert below is None or below >= 13
    assert one(scenario, {path: hi * (1 + 1e-9)}, "crossover_month") <= 11
    assert lo * (1 - 1e-9) > 1000 and hi * (1 + 1e-9) < 8000


def test_goal_seek_no_solution_in_range():
    scenario = sample("deployment-api.tco")  # operations cost keeps the inference share above 0.8
    result = ss.goal_seek(scenario, "inference.requests_per_day", "inference_share", 0.5, 1e3, 1e7)
    assert result["status"] == "no solution in range"
    assert result["value"] is None and result["solutions"] == [] and result["achieved"] is None
    assert "never reaches 0.5" in result["message"]
    assert "inference.requests_per_day" in result["message"]


def _sweep(scenario, path, low, high, metric, points=801):
    xs = np.linspace(low, high, points)
    return xs, np.array(ss.sweep(scenario, path, list(xs), (metric,))["metrics"][metric], dtype=float)


def test_goal_seek_not_reached_names_the_jump():
    """Owned hardware comes in whole servers: the inference share steps up as demand grows.

    The target is put in the middle of the largest step the sweep finds (the share never
    falls with demand here, so no other value reaches it).
    """
    scenario = sample("deployment-owned.tco")
    path = "inference.requests_per_day"
    xs, v = _sweep(scenario, path, 1e5, 5e5, "inference_share")
    assert np.all(np.diff(v) >= -1e-12), "precondition: the share does not fall with demand"
    j = int(np.argmax(np.diff(v)))
    assert v[j + 1] - v[j] > 1e-3, "precondition: a visible step"
    target = float((v[j] + v[j + 1]) / 2)
    result = ss.goal_seek(scenario, path, "inference_share", target, 1e5, 5e5)
    assert result["status"] == "not reached", result["message"]
    x = result["value"]
    assert xs[j] <= x <= xs[j + 1]
    before = one(scenario, {path: x * (1 - 1e-9)}, "inference_share")
    after = one(scenario, {path: x * (1 + 1e-9)}, "inference_share")
    assert before < target < after
    message = result["message"]
    assert f"jumps over {target:g}" in message and path in message and f"{x:.6g}" in message
    assert f"{before:.6g}" in message and f"{after:.6g}" in message


def test_goal_seek_several_solutions_on_a_sawtooth():
    """Cost per token falls as a server fills up, then jumps when the next is bought: crossed twice.

    The target is a level that the sweep shows crossed downward at least twice.
    """
    scenario = sample("deployment-owned.tco")
    path = "inference.requests_per_day"
    low, high = 1e6, 3e6
    xs, v = _sweep(scenario, path, low, high, "cost_per_million_tokens")
    target = float(np.median(v))
    downward = np.flatnonzero((v[:-1] > target) & (v[1:] <= target))
    assert len(downward) >= 2, "precondition: the sweep crosses the target downward twice"
    result = ss.goal_seek(scenario, path, "cost_per_million_tokens", target, low, high)
    assert result["status"] == "several solutions", result["message"]
    assert len(result["solutions"]) >= 2 and result["solutions"] == sorted(result["solutions"])
    for x in result["solutions"]:
        achieved = one(scenario, {path: x}, "cost_per_million_tokens")
        assert abs(achieved - target) <= result["tolerance"], x
    assert f"{len(result['solutions'])} separate values" in result["message"]


def test_goal_seek_whole_number_input():
    scenario = sample("reasoning-model-long-thinking.tco")
    path = "inference.samples"
    target = one(scenario, {path: 6}, "total_cost")
    result = ss.goal_seek(scenario, path, "total_cost", target, 1, 16)
    assert result["status"] == "ok" and result["value"] == 6.0
    # between two whole numbers the metric jumps: not reached, naming the step
    between = 0.5 * (target + one(scenario, {path: 7}, "total_cost"))
    result = ss.goal_seek(scenario, path, "total_cost", between, 1, 16)
    assert result["status"] == "not reached" and "jumps over" in result["message"]


def test_goal_seek_progress_ends_at_one():
    """Fails today: the bisection stops early and the last fraction is (iterations / 60), e.g. 0.22."""
    scenario = sample("enterprise-finetune-api.tco")
    calls: list[float] = []
    ss.goal_seek(scenario, "inference.requests_per_day", "inference_share", 0.5, 1e3, 1e7, progress=calls.append)
    assert calls and calls[-1] == 1.0 and calls == sorted(calls)


def test_goal_seek_cancel():
    scenario = sample("enterprise-finetune-api.tco")
    checks = []

    def cancelled() -> bool:
        checks.append(1)
        return len(checks) > 1  # let the first batch (the grid) through

    with pytest.raises(ss.Cancelled):
        ss.goal_seek(scenario, "inference.requests_per_day", "inference_share", 0.5, 1e3, 1e7, cancelled=cancelled)


def test_goal_seek_bad_arguments():
    scenario = sample("enterprise-finetune-api.tco")
    with pytest.raises(ScenarioError, match="not a numeric scenario field"):
        ss.goal_seek(scenario, "inference.nope", "total_cost", 1.0, 0, 1)
    with pytest.raises((ScenarioError, KeyError), match="unknown metric"):
        ss.goal_seek(scenario, "inference.requests_per_day", "nope", 1.0, 0, 1)
    with pytest.raises((ScenarioError, ValueError), match="low"):
        ss.goal_seek(scenario, "inference.requests_per_day", "total_cost", 1.0, 5, 1)


def test_percentiles_of_never_do_not_warn():
    """Fails today: numpy warns "invalid value encountered in scalar subtract" (inf - inf) when a
    percentile falls among the "never" samples, and the CLI prints that warning on stderr."""
    import warnings

    values = np.array([3.0, 5.0, np.nan, np.nan, np.nan, 7.0, np.nan, np.nan, np.nan, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = core.percentiles("crossover_month", values, np.ones(values.size, bool))
    assert stats["p50"] is None
