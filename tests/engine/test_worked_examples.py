"""Worked examples: engine figures against arithmetic written out by hand.

Every expected value below is derived from the formulas of ``shared/MODEL.md``
in comments and plain Python expressions; the engine is never used to produce
an expected value. The scenarios use a custom chip ("toy") given in the
scenario's own ``chips`` list, so nothing depends on the bundled catalog, and
inputs are chosen so that the arithmetic is easy (price trends of 0, short
horizons, round throughputs).

The toy chip: bf16 100 TFLOP/s, fp8 200 TFLOP/s, no fp4, 80 GB, 2 TB/s,
500 W, USD 10,000, USD 2 per hour.
"""

from __future__ import annotations

import copy
import math

import pytest

from tcoapp.reports.report import build_report
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import scenario_from_dict

HOURS = 730  # 8760 / 12
DAYS = 365 / 12
REL = 1e-12

TOY = {
    "id": "toy", "name": "Toy", "vendor": "", "bf16_tflops": 100, "fp8_tflops": 200, "fp4_tflops": None,
    "memory_gb": 80, "bandwidth_tbs": 2, "tdp_w": 500, "price_usd": 10000, "cloud_usd_per_hour": 2,
    "source": "test", "as_of": "2026-01-01",
}

#: Leave a field out of the scenario (so that its default applies).
DROP = object()

BASE = {
    "format": "tcoapp-scenario",
    "schema_version": 2,
    "name": "worked example",
    "horizon_years": 1,
    "start_month": "2026-01",
    "facility": {"hardware_price_change": 0.0, "electricity_price_change": 0.0},
    "model": {"params_billion": 10},
    "training": {"chip": "toy", "cloud_price_change": 0.0},
    "inference": {
        "requests_per_day": 1000, "deployment": "api", "chip": "toy", "launch_month": 0,
        "api_price_change": 0.0, "cloud_price_change": 0.0,
    },
    "chips": [TOY],
}

# Measured throughputs that make a request take exactly 4 busy seconds on one
# chip: 1000 input tokens / 1000 per s + 300 output tokens / 100 per s = 1 + 3 s.
# With the defaults target_utilization 0.6 and peak_to_average 1.5 a replica
# serves 0.6 / 4 = 0.15 requests per second at peak, i.e.
# replicas = ceil(Q / 86400 * 1.5 / 0.15) = ceil(Q / 8640).
FOUR_SECONDS = {
    "chips_per_replica": 1, "prefill_tokens_per_s_per_chip": 1000, "decode_tokens_per_s_per_chip": 100,
    "input_tokens": 1000, "output_tokens": 300,
}


def merged(base: dict, overrides: dict) -> dict:
    """``base`` with ``overrides`` merged in section by section (DROP removes a field)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is DROP:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario_dict(**overrides) -> dict:
    return merged(BASE, overrides)


def run(**overrides) -> dict:
    """The report of BASE with overrides, e.g. ``run(inference={"deployment": "cloud"})``."""
    scn = scenario_from_dict(scenario_dict(**overrides))
    return build_report(scn, evaluate(scn))


def approx(expected):
    return pytest.approx(expected, rel=REL)


def npv(flows, rate):
    return sum(x * (1 + rate) ** (-m / 12) for m, x in enumerate(flows))


def cumsum(xs):
    out, acc = [], 0.0
    for x in xs:
        acc += x
        out.append(acc)
    return out


def irr_by_bisection(flows):
    """Annual IRR of monthly flows: bisection on the monthly rate i in (0, 100).

    f(i) = sum flows[m] / (1 + i) ** m is positive at i = 0 (the flows sum to a
    positive number) and tends to flows[0] < 0 as i grows.
    """
    def f(i):
        return sum(x / (1 + i) ** m for m, x in enumerate(flows))

    lo, hi = 0.0, 100.0
    assert f(lo) > 0 > f(hi)
    for _ in range(400):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (1 + 0.5 * (lo + hi)) ** 12 - 1


ZERO12 = [0.0] * 12


# ---------------------------------------------------------------------------
# 4.2 API deployment
# ---------------------------------------------------------------------------

def test_api_deployment_prices_tokens_and_zero_hardware():
    r = run(inference={"requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 300,
                       "api_price_input": 0.5, "api_price_output": 1.5})
    s, summ = r["series"], r["summary"]
    requests = 1000 * 365 / 12                                   # Q * DAYS
    per_month = 1000 * 365 / 12 * (0.5 * 1000 + 1.5 * 300) / 1e6  # = 28.8958...
    assert s["requests"] == approx([requests] * 12)
    assert s["tokens"] == approx([requests * 1300] * 12)
    assert s["inference_compute"] == approx([per_month] * 12)
    assert s["inference"] == approx([per_month] * 12)
    assert s["total"] == approx([per_month] * 12)
    for name in ("inference_energy", "inference_facility", "inference_ops", "chips", "capex", "depreciation",
                 "training_compute", "training_fixed", "training", "revenue"):
        assert s[name] == ZERO12, name
    assert summ["inference_cost"] == approx(12 * per_month)
    assert summ["total_cost"] == approx(12 * per_month)
    assert summ["inference_share"] == approx(1.0)
    # blended price: (0.5 * 1000 + 1.5 * 300) / 1300 per million tokens
    assert summ["cost_per_million_tokens"] == approx((0.5 * 1000 + 1.5 * 300) / 1300)
    assert summ["cost_per_request"] == approx((0.5 * 1000 + 1.5 * 300) / 1e6)
    assert summ["peak_chips"] == 0
    assert summ["energy_mwh"] == 0
    assert summ["residual_book_value"] == 0
    for key in ("replica_chips", "replica_prefill_tokens_per_s", "replica_decode_tokens_per_s"):
        assert summ[key] is None, key


def test_api_reasoning_samples_and_price_trend():
    # 2 samples of 1000 input, 200 reasoning and 300 output tokens; reasoning is billed as output;
    # prices fall 30 % a year: trend = 0.7 ** (m / 12).
    r = run(horizon_years=2,
            inference={"requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 300,
                       "reasoning_tokens": 200, "samples": 2, "api_price_input": 0.5, "api_price_output": 1.5,
                       "api_price_change": -0.3})
    s = r["series"]
    requests = 1000 * 365 / 12
    prefill = requests * 2 * 1000
    decode = requests * 2 * (200 + 300)
    assert s["tokens"] == approx([prefill + decode] * 24)
    expected = [(prefill * 0.5 + decode * 1.5) / 1e6 * 0.7 ** (m / 12) for m in range(24)]
    assert s["inference_compute"] == approx(expected)
    # a year on, exactly 70 % of month 0
    assert s["inference_compute"][12] == approx(0.7 * requests * (2000 * 0.5 + 1000 * 1.5) / 1e6)
    assert r["summary"]["cost_per_request"] == approx(sum(expected) / (24 * requests))


# ---------------------------------------------------------------------------
# 4.4 Cloud deployment, measured throughputs, replica rounding
# ---------------------------------------------------------------------------

CLOUD_MEASURED = {
    "deployment": "cloud", "requests_per_day": 100000, "chips_per_replica": 2,
    "prefill_tokens_per_s_per_chip": 10000, "decode_tokens_per_s_per_chip": 100,
    "input_tokens": 1000, "output_tokens": 300, "cloud_price_change": -0.15, "ops_cost_per_month": 1000,
}


def test_cloud_deployment_with_measured_throughputs():
    r = run(horizon_years=2, inference=CLOUD_MEASURED)
    s, summ = r["series"], r["summary"]
    # P = c * 10000 = 20000 tokens/s, R = c * 100 = 200 tokens/s per replica
    # busy = 1000 / 20000 + 300 / 200 = 0.05 + 1.5 = 1.55 s; cap_r = 0.6 / 1.55 requests/s
    # replicas = ceil(100000 / 86400 * 1.5 / (0.6 / 1.55)) = ceil(4.4849) = 5; chips = 2 * 5 = 10
    assert math.ceil(100000 / 86400 * 1.5 / (0.6 / 1.55) - 1e-9) == 5
    assert s["chips"] == [10.0] * 24
    expected = [10 * HOURS * 2 * 0.85 ** (m / 12) for m in range(24)]   # catalog rate USD 2
    assert s["inference_compute"] == approx(expected)
    assert s["inference_ops"] == [1000.0] * 24
    assert s["inference"] == approx([x + 1000 for x in expected])
    assert s["inference_energy"] == [0.0] * 24
    assert s["inference_facility"] == [0.0] * 24
    assert s["capex"] == [0.0] * 24
    assert s["depreciation"] == [0.0] * 24
    assert summ["replica_chips"] == 2
    assert summ["replica_prefill_tokens_per_s"] == approx(20000)
    assert summ["replica_decode_tokens_per_s"] == approx(200)
    assert summ["peak_chips"] == 10
    assert summ["energy_mwh"] == 0
    assert summ["residual_book_value"] == 0
    assert summ["inference_cost"] == approx(sum(expected) + 24 * 1000)
    # yearly: sums over 12 months, chips the year's maximum
    y = r["yearly"]
    assert y["inference_compute"] == approx([sum(expected[:12]), sum(expected[12:])])
    assert y["chips"] == [10.0, 10.0]


def test_cloud_explicit_rate():
    r = run(inference={**CLOUD_MEASURED, "cloud_rate": 3.0, "cloud_price_change": 0.0})
    assert r["series"]["inference_compute"] == approx([10 * HOURS * 3.0] * 12)


@pytest.mark.parametrize("requests_per_day, replicas", [
    # 17280 / 86400 = 0.2 requests/s, * 1.5 = 0.3 at peak, / 0.15 per replica = exactly 2
    # (in floating point 2.0000000000000004: the 1e-9 keeps it at 2)
    (17280, 2),
    (17281, 3),       # a hair more than 2 replicas' worth
    (8640 * 3.5, 4),  # 3.5 -> 4
    (1, 1),           # any live demand needs one replica
    (0, 0),           # Q = 0: no replica
])
def test_replica_rounding(requests_per_day, replicas):
    r = run(inference={**FOUR_SECONDS, "deployment": "cloud", "requests_per_day": requests_per_day,
                       "cloud_rate": 1.0})
    assert r["series"]["chips"] == [float(replicas)] * 12
    assert r["series"]["inference_compute"] == approx([replicas * HOURS * 1.0] * 12)


def test_only_one_measured_throughput_falls_back_to_the_roofline():
    # 4.3: P = c * measured only when BOTH are given. Dense 10B fp8 on one toy chip (no serving_efficiency:
    # s = 0.7): estimated P = 0.7 * 1 * 200e12 * 0.5 / (2 * 10e9) = 3500, not 1 * 1234.
    r = run(inference={"deployment": "cloud", "chips_per_replica": 1, "prefill_tokens_per_s_per_chip": 1234})
    assert r["summary"]["replica_prefill_tokens_per_s"] == approx(0.7 * 200e12 * 0.5 / (2 * 10e9))


# ---------------------------------------------------------------------------
# 4.3 Automatic chips per replica and the roofline estimate
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("params_billion, precision, c", [
    # weight budget per toy chip: 0.7 * 80 GB = 56 GB
    (50, "fp8", 1),     # 50 GB <= 56
    (100, "fp8", 2),    # 100 GB > 56, <= 112
    (150, "fp8", 4),    # 150 GB > 112; 3 chips (168 GB) would hold it, but c is a power of two: 224
    (300, "fp8", 8),    # 300 GB > 224, <= 448
    (50, "bf16", 2),    # 2 bytes per weight: 100 GB
    (1000, "fp8", 32),  # 1000 GB > 896, <= 1792
])
def test_automatic_chips_per_replica(params_billion, precision, c):
    # measured throughputs (per chip) so that only c is at stake;
    # P = c * 1000, R = c * 100, busy = 4 / c s, cap_r = 0.15 * c,
    # Q = 8640: 0.1 requests/s, 0.15 at peak -> replicas = ceil(1 / c) = 1, chips = c
    r = run(model={"params_billion": params_billion},
            inference={**FOUR_SECONDS, "deployment": "cloud", "chips_per_replica": None, "precision": precision,
                       "requests_per_day": 8640})
    summ = r["summary"]
    assert summ["replica_chips"] == c
    assert summ["replica_prefill_tokens_per_s"] == approx(c * 1000)
    assert summ["replica_decode_tokens_per_s"] == approx(c * 100)
    assert r["series"]["chips"] == [float(c)] * 12


# Estimate cases (4.3, version 2): a small KV cache of 2 * 50 layers * 10 heads * 100 dims * kv_b bytes per
# token, 3900 input + 1000 output tokens: ctx_max = 4900, ctx_avg = 3900 + 1000 / 2 = 4400. The toy chip has
# no serving_efficiency, so s = 0.7. The step time is memory time PLUS compute time.
ROOFLINE_MODEL = {"params_billion": 10, "layers": 50, "kv_heads": 10, "head_dim": 100}
ROOFLINE_INFERENCE = {"deployment": "cloud", "input_tokens": 3900, "output_tokens": 1000, "cloud_rate": 1.0}
S = 0.7


def _roofline_base():
    # fp8: b = 1, kv_b = 1, kv_tok = 2 * 50 * 10 * 100 = 1e5 bytes; W_total = 10e9 bytes
    # c = 1 (10 GB <= 56 GB); B = min(256, floor((0.9 * 80e9 - 10e9) / (4900 * 1e5))) = floor(126.53) = 126
    # memory (10e9 + 126 * 4400 * 1e5) / (2e12 * 0.8) = 6.544e10 / 1.6e12 = 0.0409 s
    # compute 126 * 2 * 10e9 / (200e12 * 0.5) = 2.52e12 / 1e14 = 0.0252 s; t = 0.0661 s
    B = 126
    t = 0.0409 + 0.0252
    return {}, {}, 1, S * 200e12 * 0.5 / (2 * 10e9), S * B / t   # P = 0.7 * 5000 = 3500


def _roofline_slow_compute():
    # decode_mfu 0.1: compute 126 * 2e10 / (200e12 * 0.1) = 0.126 s; t = 0.0409 + 0.126 = 0.1669 s
    return {}, {"efficiency": {"decode_mfu": 0.1}}, 1, 3500.0, S * 126 / 0.1669


def _roofline_max_batch():
    # max_batch 64 < 126: B = 64; memory (1e10 + 64 * 4.4e8) / 1.6e12 = 0.02385 s, compute 64 * 2e10 / 1e14
    # = 0.0128 s; t = 0.03665 s
    return {}, {"efficiency": {"max_batch": 64}}, 1, 3500.0, S * 64 / 0.03665


def _roofline_bf16():
    # bf16: b = 2, kv_b = 2: W_total = 20e9, kv_tok = 2e5, F = 100e12; c = 1 (20 <= 56 GB)
    # B = floor((72e9 - 20e9) / (4900 * 2e5)) = floor(53.06) = 53
    # memory (2e10 + 53 * 4400 * 2e5) / 1.6e12 = 0.04165 s; compute 53 * 2e10 / (100e12 * 0.5) = 0.0212 s
    P = S * 100e12 * 0.5 / (2 * 10e9)   # 1750
    return {}, {"precision": "bf16"}, 1, P, S * 53 / (0.04165 + 0.0212)


def _roofline_two_chips():
    # 100B fp8: c = 2 (100 GB > 56, <= 112); B = floor((0.9 * 2 * 80e9 - 100e9) / 4.9e8) = floor(89.80) = 89
    # memory (1e11 + 89 * 4.4e8) / (2 * 2e12 * 0.8) = 1.3916e11 / 3.2e12 = 0.0434875 s;
    # compute 89 * 2 * 1e11 / (2 * 200e12 * 0.5) = 0.089 s; P = 0.7 * 2 * 200e12 * 0.5 / (2 * 1e11) = 700
    return {"params_billion": 100}, {}, 2, 700.0, S * 89 / (0.0434875 + 0.089)


def _roofline_active_without_experts():
    # 100B total, 10B active but no experts given: version 2 reads ALL the weights each step (dense read),
    # while the FLOPs follow the 10B active: memory 0.0434875 s as above, compute 89 * 2e10 / 2e14 = 0.0089 s;
    # P = 0.7 * 2 * 200e12 * 0.5 / (2 * 10e9) = 7000
    return ({"params_billion": 100, "active_params_billion": 10}, {}, 2, 7000.0,
            S * 89 / (0.0434875 + 0.0089))


def _roofline_moe_experts():
    # MoE: 100B total, 30B active, 8 experts, 2 per token; max_batch 4 so the coverage matters.
    # e = (100e9 - 30e9) / (8 - 2) = 11.6667e9 per expert; shared N_sh = 30e9 - 2 * e = 6.6667e9
    # B = 4: experts touched 8 * (1 - (6/8) ** 4) = 8 * 0.68359375 = 5.46875
    # W_read = 1 * (6.6667e9 + 5.46875 * 11.6667e9) = 6.6667e9 + 63.8021e9 = 70.46875e9 bytes
    # memory (70.46875e9 + 4 * 4.4e8) / 3.2e12 = 72.22875e9 / 3.2e12 = 0.022571484375 s
    # compute 4 * 2 * 30e9 / 2e14 = 0.0012 s;  P = 0.7 * 2e14 / 6e10 = 2333.33
    e = 70e9 / 6
    w_read = (30e9 - 2 * e) + 8 * (1 - 0.75 ** 4) * e
    assert w_read == approx(70.46875e9)
    t = (w_read + 4 * 4.4e8) / 3.2e12 + 4 * 2 * 30e9 / 2e14
    assert t == approx(0.022571484375 + 0.0012)
    return ({"params_billion": 100, "active_params_billion": 30, "experts": 8, "experts_per_token": 2},
            {"efficiency": {"max_batch": 4}}, 2, S * 2e14 / 6e10, S * 4 / t)


def _roofline_reasoning():
    # 1900 input + 2000 reasoning + 1000 output: ctx_max = 4900 (B = 126 as in the base case),
    # ctx_avg = 1900 + 3000 / 2 = 3400; memory (1e10 + 126 * 3400 * 1e5) / 1.6e12 = 0.033025 s; + 0.0252 s
    return ({}, {"input_tokens": 1900, "reasoning_tokens": 2000, "samples": 2}, 1, 3500.0,
            S * 126 / (0.033025 + 0.0252))


def _roofline_explicit_c():
    # chips_per_replica 4 given: B = min(256, floor((0.9 * 4 * 80e9 - 10e9) / 4.9e8) = 567) = 256
    # memory (1e10 + 256 * 4.4e8) / (4 * 2e12 * 0.8) = 0.0153625 s... = 1.2264e11 / 6.4e12 = 0.0191625 s;
    # compute 256 * 2e10 / (4 * 200e12 * 0.5) = 0.0128 s; P = 0.7 * 4 * 200e12 * 0.5 / 2e10 = 14000
    return {}, {"chips_per_replica": 4}, 4, 14000.0, S * 256 / (0.0191625 + 0.0128)


def _roofline_serving_given():
    # efficiency.serving 0.5 replaces the 0.7: P = 2500, R = 0.5 * 126 / 0.0661
    return {}, {"efficiency": {"serving": 0.5}}, 1, 2500.0, 0.5 * 126 / 0.0661


@pytest.mark.parametrize("case", [
    _roofline_base, _roofline_slow_compute, _roofline_max_batch, _roofline_bf16,
    _roofline_two_chips, _roofline_active_without_experts, _roofline_moe_experts, _roofline_reasoning,
    _roofline_explicit_c, _roofline_serving_given,
])
def test_roofline_estimate(case):
    model, inference, c, P, R = case()
    inf = merged(ROOFLINE_INFERENCE, inference)
    r = run(model=merged(ROOFLINE_MODEL, model), inference=inf)
    summ = r["summary"]
    assert summ["replica_chips"] == c
    assert summ["replica_prefill_tokens_per_s"] == approx(P)
    assert summ["replica_decode_tokens_per_s"] == approx(R)
    # and the fleet that follows: Q = 1000 requests/day at launch
    samples = inf.get("samples", 1)
    busy = samples * inf["input_tokens"] / P + samples * (inf.get("reasoning_tokens", 0) + inf["output_tokens"]) / R
    replicas = math.ceil(1000 / 86400 * 1.5 / (0.6 / busy) - 1e-9)
    assert r["series"]["chips"] == [float(c * replicas)] * 12


def test_roofline_fleet_size_worked_through():
    # base case with 1e6 requests/day: R = 0.7 * 126 / 0.0661 = 1334.342 tokens/s, P = 3500;
    # busy = 3900 / 3500 + 1000 / 1334.342 = 1.114286 + 0.749433 = 1.863719 s;
    # replicas = ceil(1e6 / 86400 * 1.5 * 1.863719 / 0.6) = ceil(53.927) = 54
    r = run(model=ROOFLINE_MODEL, inference={**ROOFLINE_INFERENCE, "requests_per_day": 1e6})
    R = 0.7 * 126 / 0.0661
    busy = 3900 / 3500 + 1000 / R
    assert busy == pytest.approx(1.863719, rel=1e-6)
    assert math.ceil(1e6 / 86400 * 1.5 / (0.6 / busy) - 1e-9) == 54
    assert r["series"]["chips"] == [54.0] * 12
    assert r["series"]["inference_compute"] == approx([54 * HOURS * 1.0] * 12)


def test_answer_time_and_speed_per_user():
    # base case: speed per user = s / t(B) = 0.7 / 0.0661 = 10.590 tokens/s;
    # answer = 3900 / 3500 + 1000 / 10.590 = 1.1143 + 94.429 = 95.543 s
    r = run(model=ROOFLINE_MODEL, inference=ROOFLINE_INFERENCE)
    summ = r["summary"]
    assert summ["replica_batch"] == 126
    assert summ["tokens_per_s_per_user"] == approx(0.7 / 0.0661)
    assert summ["answer_seconds"] == approx(3900 / 3500 + 1000 / (0.7 / 0.0661))


def test_interactivity_target_limits_the_batch():
    # t(B) = (1e10 + B * 4.4e8) / 1.6e12 + B * 2e10 / 1e14 = 0.00625 + B * (2.75e-4 + 2e-4) = 0.00625 + 4.75e-4 B
    # speed 0.7 / t(B) >= 20 tokens/s  <=>  t(B) <= 0.035  <=>  B <= (0.035 - 0.00625) / 4.75e-4 = 60.53 -> 60
    r = run(model=ROOFLINE_MODEL, inference={**ROOFLINE_INFERENCE, "min_tokens_per_s_per_user": 20})
    summ = r["summary"]
    t60 = 0.00625 + 60 * 4.75e-4                      # 0.0347 s
    assert summ["replica_batch"] == 60
    assert summ["tokens_per_s_per_user"] == approx(0.7 / t60)          # 20.17 tokens/s >= 20
    assert 0.7 / (0.00625 + 61 * 4.75e-4) < 20                         # B = 61 would miss it: 19.90
    assert summ["replica_decode_tokens_per_s"] == approx(0.7 * 60 / t60)
    # a target above the batch-1 speed 0.7 / (0.00625 + 4.75e-4) = 104.1 tokens/s is an error naming the field
    with pytest.raises(ScenarioError) as err:
        run(model=ROOFLINE_MODEL, inference={**ROOFLINE_INFERENCE, "min_tokens_per_s_per_user": 105})
    assert err.value.path == "inference.min_tokens_per_s_per_user"
    assert "104.1" in err.value.rule


def test_moe_shared_part_must_not_be_negative():
    # 100B total, 10B active, 8 experts, 2 per token: e = 90e9 / 6 = 15e9, N_sh = 10e9 - 30e9 < 0
    with pytest.raises(ScenarioError) as err:
        run(model={**ROOFLINE_MODEL, "params_billion": 100, "active_params_billion": 10, "experts": 8,
                   "experts_per_token": 2}, inference=ROOFLINE_INFERENCE)
    assert err.value.path == "model.experts"


def test_cached_prompts_skip_prefill_and_bill_at_the_cached_price():
    # API: 1000 requests/day * DAYS, 1000 input (half cached), 300 output; prices 2 / 0.5 / 8 per 1e6
    # input cost per request = 1000 * (0.5 * 2 + 0.5 * 0.5) / 1e6 = 1.25e-3; output 300 * 8 / 1e6 = 2.4e-3
    r = run(inference={"deployment": "api", "requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 300,
                       "cached_input_fraction": 0.5, "api_price_input": 2.0, "api_price_cached_input": 0.5,
                       "api_price_output": 8.0, "api_price_change": 0.0, "launch_month": 0})
    assert r["series"]["inference_compute"] == approx([1000 * DAYS * (1.25e-3 + 2.4e-3)] * 12)
    # cloud: the cached half of the prompt needs no prefill: busy = 0.5 * 3900 / 3500 + 1000 / R
    # and the answer waits for the uncached half only
    r = run(model=ROOFLINE_MODEL, inference={**ROOFLINE_INFERENCE, "cached_input_fraction": 0.5,
                                             "requests_per_day": 1e6})
    R = 0.7 * 126 / 0.0661
    busy = 0.5 * 3900 / 3500 + 1000 / R
    assert r["series"]["chips"] == [float(math.ceil(1e6 / 86400 * 1.5 / (0.6 / busy) - 1e-9))] * 12   # 38
    assert r["summary"]["answer_seconds"] == approx(0.5 * 3900 / 3500 + 1000 / (0.7 / 0.0661))


def test_measured_throughputs_leave_the_answer_time_null():
    r = run(inference={**FOUR_SECONDS, "deployment": "cloud"})
    for key in ("replica_batch", "tokens_per_s_per_user", "answer_seconds"):
        assert r["summary"][key] is None


# ---------------------------------------------------------------------------
# 3. Training
# ---------------------------------------------------------------------------

def test_cloud_training_from_tokens():
    # C_run = 6 * 10e9 * 1e12 = 6e22; C0 = 6e22 * 1.2 = 7.2e22
    # chip-hours = 7.2e22 / (100e12 * 0.4 * 3600) = 7.2e22 / 1.44e17 = 500000, over 4 months
    r = run(training={"tokens_trillion": 1, "experiment_overhead": 0.2, "duration_months": 4,
                      "cloud_price_change": -0.15, "fixed_cost": 1000},
            inference={"launch_month": 4})
    s, summ = r["series"], r["summary"]
    hours = 7.2e22 / (100e12 * 0.4 * 3600)
    assert hours == approx(500000)
    compute = [hours / 4 * 2 * 0.85 ** (m / 12) if m < 4 else 0.0 for m in range(12)]
    fixed = [1000 / 4 if m < 4 else 0.0 for m in range(12)]
    assert s["training_compute"] == approx(compute)
    assert s["training_fixed"] == approx(fixed)
    assert s["training"] == approx([a + b for a, b in zip(compute, fixed)])
    assert s["cash_training"] == approx([a + b for a, b in zip(compute, fixed)])
    assert summ["training_cost"] == approx(sum(compute) + 1000)
    assert summ["training_chips"] == approx(500000 / (4 * HOURS))   # 171.2 chips on average


@pytest.mark.parametrize("training, hours, rate", [
    # compute_flops wins over tokens: 1.44e21 / (100e12 * 0.4 * 3600) = 10000 chip-hours
    ({"compute_flops": 1.44e21, "tokens_trillion": 5}, 10000, 2.0),
    # fp8 doubles the peak: 5000 chip-hours
    ({"compute_flops": 1.44e21, "precision": "fp8"}, 5000, 2.0),
    # explicit rate
    ({"compute_flops": 1.44e21, "cloud_rate": 3.5}, 10000, 3.5),
    # mfu 0.5: 1.44e21 / (100e12 * 0.5 * 3600) = 8000
    ({"compute_flops": 1.44e21, "mfu": 0.5}, 8000, 2.0),
])
def test_cloud_training_hours_and_rates(training, hours, rate):
    r = run(training={**training, "duration_months": 2})
    expected = [hours / 2 * rate, hours / 2 * rate] + [0.0] * 10
    assert r["series"]["training_compute"] == approx(expected)
    assert r["summary"]["training_chips"] == approx(hours / (2 * HOURS))


OWNED_FACILITY = {
    "server_overhead": 0.4, "hardware_price_change": -0.1, "life_years": 5, "maintenance_rate": 0.05,
    "server_power_overhead": 0.8, "power_load_factor": 0.7, "pue": 1.3, "electricity_price": 0.08,
    "electricity_price_change": 0.02, "colocation_per_kw_month": 100,
}


def _owned_rate(m, chip_price):
    # K(m) = chip_price * trend(-0.1, m) * 1.4; server_kw = 0.5 * 1.8 = 0.9 kW
    K = chip_price * 0.9 ** (m / 12) * 1.4
    return (K / (5 * 8760) + K * 0.05 / 8760
            + 0.9 * 0.7 * 1.3 * 0.08 * 1.02 ** (m / 12)
            + 0.9 * 100 / HOURS)


@pytest.mark.parametrize("usd_to_currency, chip_price, price_used", [
    (1.0, None, 10000),      # catalog price
    (0.5, None, 5000),       # catalog price converted: 10000 USD * 0.5
    (0.5, 20000.0, 20000),   # an explicit price is already in the scenario's currency
])
def test_owned_training_amortised_rate(usd_to_currency, chip_price, price_used):
    # 10000 chip-hours over months 0 .. 2
    r = run(finance={"usd_to_currency": usd_to_currency}, facility=OWNED_FACILITY,
            training={"compute_flops": 1.44e21, "duration_months": 3, "procurement": "owned",
                      "chip_price": chip_price})
    expected = [10000 / 3 * _owned_rate(m, price_used) if m < 3 else 0.0 for m in range(12)]
    assert r["series"]["training_compute"] == approx(expected)
    # month 0 spelled out for the catalog price: K = 14000
    if price_used == 10000:
        rate0 = 14000 / 43800 + 14000 * 0.05 / 8760 + 0.06552 + 90 / 730
        assert r["series"]["training_compute"][0] == approx(10000 / 3 * rate0)


def test_refresh_runs():
    # 10000 chip-hours initial run over months 0, 1 (d = 2) at USD 2: 10000 per month, fixed 900 / 2
    # launch defaults to d = 2; refreshes start at 2 + 6 j while < 24: months 8, 14, 20
    # each: 0.5 * 10000 chip-hours over 5 months = 1000 chip-hours (2000) a month, fixed 500 / 5 = 100
    # the third runs 20 .. 24 and loses month 24 (past the horizon)
    r = run(horizon_years=2,
            training={"compute_flops": 1.44e21, "duration_months": 2, "fixed_cost": 900,
                      "refresh_every_months": 6, "refresh_duration_months": 5,
                      "refresh_compute_fraction": 0.5, "refresh_fixed_cost": 500},
            inference={"launch_month": DROP})
    s = r["series"]
    refresh_months = set(range(8, 13)) | set(range(14, 19)) | set(range(20, 24))
    compute = [10000.0 if m < 2 else 2000.0 if m in refresh_months else 0.0 for m in range(24)]
    fixed = [450.0 if m < 2 else 100.0 if m in refresh_months else 0.0 for m in range(24)]
    assert s["training_compute"] == approx(compute)
    assert s["training_fixed"] == approx(fixed)
    assert r["summary"]["training_cost"] == approx(2 * 10000 + 14 * 2000 + 900 + 14 * 100)   # 50300
    # the average cluster counts the initial run only
    assert r["summary"]["training_chips"] == approx(10000 / (2 * HOURS))
    # year 0: initial run (20900) and refresh months 8 .. 11; year 1: months 12, 14 .. 18, 20 .. 23
    assert r["yearly"]["training"] == approx([20900 + 4 * 2100, 10 * 2100])


def test_refresh_runs_overlapping_and_from_explicit_launch():
    # launch 3 (explicit), every 2 months, 3 months each: starts 5, 7, 9, 11 (13 >= 12)
    # runs 5-7, 7-9, 9-11, 11-13 (12, 13 dropped); each 0.1 * 9000 = 900 chip-hours, 300 a month
    # active runs by month: 5:1 6:1 7:2 8:1 9:2 10:1 11:2
    r = run(training={"compute_flops": 9000 * 1.44e17, "duration_months": 1, "refresh_every_months": 2,
                      "refresh_duration_months": 3, "refresh_compute_fraction": 0.1, "cloud_rate": 1.0},
            inference={"launch_month": 3})
    active = {5: 1, 6: 1, 7: 2, 8: 1, 9: 2, 10: 1, 11: 2}
    expected = [9000.0] + [active.get(m, 0) * 300.0 for m in range(1, 12)]
    assert r["series"]["training_compute"] == approx(expected)


def test_refresh_starting_exactly_at_the_horizon_is_dropped():
    # launch 0, every 12: s_1 = 12 < 24 runs; s_2 = 24 is not < 24
    r = run(horizon_years=2,
            training={"compute_flops": 1.44e21, "duration_months": 1, "refresh_every_months": 12,
                      "refresh_compute_fraction": 1.0, "refresh_fixed_cost": 7},
            inference={"launch_month": 0})
    expected = [20000.0] + [0.0] * 11 + [20000.0] + [0.0] * 11
    assert r["series"]["training_compute"] == approx(expected)
    assert r["series"]["training_fixed"] == approx([0.0] * 12 + [7.0] + [0.0] * 11)


# ---------------------------------------------------------------------------
# 4.1 Demand: launch month, growth, cap
# ---------------------------------------------------------------------------

def test_launch_month_defaults_to_training_duration():
    # d = 3 -> live from month 3; ops cost from launch on
    r = run(training={"duration_months": 3}, inference={"launch_month": DROP, "ops_cost_per_month": 500})
    live = [m >= 3 for m in range(12)]
    assert r["series"]["requests"] == approx([1000 * 365 / 12 if on else 0.0 for on in live])
    assert r["series"]["inference_ops"] == [500.0 if on else 0.0 for on in live]


def test_explicit_launch_month_and_growth_from_launch():
    # Q(m) = 1000 * 1.44 ** ((m - 5) / 12) from month 5: 1.2 times as much six months after launch
    r = run(horizon_years=2, training={"duration_months": 3},
            inference={"launch_month": 5, "annual_growth": 0.44, "ops_cost_per_month": 500})
    Q = [1000 * 1.44 ** ((m - 5) / 12) if m >= 5 else 0.0 for m in range(24)]
    assert r["series"]["requests"] == approx([q * 365 / 12 for q in Q])
    assert r["series"]["requests"][11] == approx(1200 * 365 / 12)
    assert r["series"]["requests"][17] == approx(1440 * 365 / 12)
    assert r["series"]["inference_ops"] == [500.0 if m >= 5 else 0.0 for m in range(24)]


def test_demand_cap():
    # demand doubles each year from 1000 and stops at 1500 a day: 2 ** (7 / 12) = 1.498 < 1.5 but
    # 2 ** (8 / 12) = 1.587, so months 0 .. 7 grow and months 8 .. 23 are capped
    r = run(horizon_years=2, inference={"annual_growth": 1.0, "max_requests_per_day": 1500})
    Q = [1000 * 2 ** (m / 12) for m in range(8)] + [1500.0] * 16
    assert r["series"]["requests"] == approx([q * 365 / 12 for q in Q])


# ---------------------------------------------------------------------------
# 4.5 Owned deployment
# ---------------------------------------------------------------------------

# Two chips per replica; per chip 1000 prefill and 100 decode tokens/s, so P = 2000, R = 200;
# 1000 input + 100 output tokens: busy = 0.5 + 0.5 = 1 s; utilisation 0.5, peak 1:
# replicas = ceil(Q / 86400 / 0.5) = ceil(Q / 43200).
# Demand 100000 a day doubling yearly: Q / 43200 = 2.3148 * 2 ** (m / 12):
# m  0..4: 2.31 .. 2.92 -> 3 replicas (6 chips); m 5..9: 3.09 .. 3.89 -> 4 (8 chips);
# m 10, 11: 4.12, 4.37 -> 5 (10 chips).
OWNED_INFERENCE = {
    "deployment": "owned", "requests_per_day": 100000, "annual_growth": 1.0, "chips_per_replica": 2,
    "prefill_tokens_per_s_per_chip": 1000, "decode_tokens_per_s_per_chip": 100, "input_tokens": 1000,
    "output_tokens": 100, "target_utilization": 0.5, "peak_to_average": 1.0, "ops_cost_per_month": 100,
}
# life 0.5 years = 6 months, servers of 4 chips, chips 10000 * 1.4 = 14000 falling 20 % a year,
# server_kw = 0.5 * (1 + 1) = 1 kW, drawing 0.5 of it with PUE 1.2 at 0.1 a kWh rising 2 % a year,
# colocation 50 per kW-month, maintenance 6 % a year of installed capex.
OWNED_FACILITY_SHORT_LIFE = {
    "life_years": 0.5, "chips_per_server": 4, "server_overhead": 0.4, "hardware_price_change": -0.2,
    "maintenance_rate": 0.06, "electricity_price": 0.1, "electricity_price_change": 0.02, "pue": 1.2,
    "power_load_factor": 0.5, "server_power_overhead": 1.0, "colocation_per_kw_month": 50,
}


def _owned_expectations():
    required = [6] * 5 + [8] * 5 + [10] * 2
    for m in range(12):
        assert required[m] == 2 * math.ceil(100000 * 2 ** (m / 12) / 43200 - 1e-9)
    # fleet, life 6 months, servers of 4:
    # m0: nothing alive, need 6 -> buy 4 * ceil(6 / 4) = 8
    # m1..m5: the 8 from m0 cover 6 and then 8
    # m6: the m0 chips retire (they served 0..5); need 8 -> buy 8
    # m7..m9: 8 alive cover 8
    # m10: need 10, 8 alive -> buy 4 * ceil(2 / 4) = 4 -> 12 alive
    # m11: alive before = bought in 6..10 = 12 -> buy 0
    buy = [8, 0, 0, 0, 0, 0, 8, 0, 0, 0, 4, 0]
    alive = [8] * 10 + [12] * 2
    K = [10000 * 0.8 ** (m / 12) * 1.4 for m in range(12)]
    capex = [buy[m] * K[m] for m in range(12)]
    c0, c6, c10 = capex[0], capex[6], capex[10]
    assert c0 == approx(112000)
    installed = [c0] * 6 + [c6] * 4 + [c6 + c10] * 2
    depreciation = [x / 6 for x in installed]
    energy = [alive[m] * 1.0 * 0.5 * 1.2 * HOURS * 0.1 * 1.02 ** (m / 12) for m in range(12)]
    facility = [alive[m] * 1.0 * 50 + 0.06 / 12 * installed[m] for m in range(12)]
    return dict(alive=alive, capex=capex, depreciation=depreciation, energy=energy, facility=facility,
                residual=c10 * 4 / 6)   # m0 and m6 purchases fully written off; m10's has 4 of 6 months left


@pytest.mark.parametrize("basis", ["cash", "accrual"])
def test_owned_deployment(basis):
    r = run(finance={"basis": basis, "discount_rate": 0.08}, facility=OWNED_FACILITY_SHORT_LIFE,
            inference=OWNED_INFERENCE)
    s, summ = r["series"], r["summary"]
    e = _owned_expectations()
    assert s["chips"] == [float(a) for a in e["alive"]]
    assert s["capex"] == approx(e["capex"])
    assert s["depreciation"] == approx(e["depreciation"])
    assert s["inference_energy"] == approx(e["energy"])
    assert s["inference_facility"] == approx(e["facility"])
    assert s["inference_ops"] == [100.0] * 12
    compute = e["capex"] if basis == "cash" else e["depreciation"]
    assert s["inference_compute"] == approx(compute)
    inference = [compute[m] + e["energy"][m] + e["facility"][m] + 100 for m in range(12)]
    assert s["inference"] == approx(inference)
    # cash series: owned compute replaced by capex whatever the basis
    cash = [e["capex"][m] + e["energy"][m] + e["facility"][m] + 100 for m in range(12)]
    assert s["cash_inference"] == approx(cash)
    assert s["cash_total"] == approx(cash)
    assert s["cash_training"] == ZERO12
    assert summ["npv_inference"] == approx(npv(cash, 0.08))
    assert summ["npv_total"] == approx(npv(cash, 0.08))
    assert summ["npv_training"] == 0
    assert summ["inference_cost"] == approx(sum(inference))
    assert summ["peak_chips"] == 12
    assert summ["replica_chips"] == 2
    assert summ["replica_prefill_tokens_per_s"] == approx(2000)
    assert summ["replica_decode_tokens_per_s"] == approx(200)
    # energy: sum of alive * 1 kW * 0.5 * 1.2 * 730 h / 1000 = (8 * 10 + 12 * 2) * 0.438 = 45.552 MWh
    assert summ["energy_mwh"] == approx((8 * 10 + 12 * 2) * 1.0 * 0.5 * 1.2 * HOURS / 1000)
    assert summ["energy_mwh"] == approx(45.552)
    assert summ["residual_book_value"] == approx(e["residual"])
    assert r["yearly"]["chips"] == [12.0]
    assert r["yearly"]["capex"] == approx([sum(e["capex"])])


def test_owned_catalog_price_is_converted_explicit_price_is_not():
    # one chip in servers of 1, bought at launch (month 2), life 5 years: no replacement
    # Q = 40000: replicas = ceil(40000 / 43200) = 1
    inference = {**OWNED_INFERENCE, "requests_per_day": 40000, "annual_growth": 0.0, "chips_per_replica": 1,
                 "prefill_tokens_per_s_per_chip": 2000, "decode_tokens_per_s_per_chip": 200, "launch_month": 2}
    facility = {"chips_per_server": 1, "server_overhead": 0.4, "electricity_price": 0.08, "pue": 1.3,
                "power_load_factor": 0.7, "server_power_overhead": 0.8, "colocation_per_kw_month": 10,
                "maintenance_rate": 0.05}
    converted = run(finance={"usd_to_currency": 0.5}, facility=facility, inference=inference)["series"]
    explicit = run(finance={"usd_to_currency": 0.5}, facility=facility,
                   inference={**inference, "chip_price": 8000.0})["series"]
    for s, K in ((converted, 10000 * 0.5 * 1.4), (explicit, 8000 * 1.4)):
        assert s["capex"] == approx([0.0, 0.0, K] + [0.0] * 9)
        assert s["chips"] == [0.0, 0.0] + [1.0] * 10
        # electricity and colocation are in the scenario's currency already: server_kw = 0.9
        assert s["inference_energy"] == approx([0.0, 0.0] + [0.9 * 0.7 * 1.3 * HOURS * 0.08] * 10)
        assert s["inference_facility"] == approx([0.0, 0.0] + [0.9 * 10 + 0.05 / 12 * K] * 10)
        assert s["depreciation"] == approx([0.0, 0.0] + [K / 60] * 10)


# ---------------------------------------------------------------------------
# usd_to_currency: catalog prices and rates only
# ---------------------------------------------------------------------------

def test_usd_to_currency_applies_to_catalog_prices_and_rates_only():
    r = run(finance={"usd_to_currency": 0.5},
            training={"compute_flops": 1.44e21, "duration_months": 2, "fixed_cost": 1000},
            inference={**CLOUD_MEASURED, "cloud_price_change": 0.0, "launch_month": 2},
            business={"revenue_per_request": 0.001})
    s = r["series"]
    # training: 5000 chip-hours a month at 2 USD * 0.5 = 1 per hour; fixed cost unconverted
    assert s["training_compute"] == approx([5000.0, 5000.0] + [0.0] * 10)
    assert s["training_fixed"] == approx([500.0, 500.0] + [0.0] * 10)
    # inference: 10 chips at 2 USD * 0.5 per hour; ops cost unconverted
    assert s["inference_compute"] == approx([0.0, 0.0] + [10 * HOURS * 1.0] * 10)
    assert s["inference_ops"] == [0.0, 0.0] + [1000.0] * 10
    # revenue unconverted
    assert s["revenue"] == approx([0.0, 0.0] + [100000 * 365 / 12 * 0.001] * 10)

    explicit = run(finance={"usd_to_currency": 0.5},
                   training={"compute_flops": 1.44e21, "duration_months": 2, "cloud_rate": 3.0},
                   inference={**CLOUD_MEASURED, "cloud_price_change": 0.0, "launch_month": 2, "cloud_rate": 3.0})
    assert explicit["series"]["training_compute"] == approx([15000.0, 15000.0] + [0.0] * 10)
    assert explicit["series"]["inference_compute"] == approx([0.0, 0.0] + [10 * HOURS * 3.0] * 10)


def test_usd_to_currency_leaves_api_prices_alone():
    r = run(finance={"usd_to_currency": 0.5}, inference={"api_price_input": 0.5, "api_price_output": 1.5})
    assert r["series"]["inference_compute"] == approx([1000 * 365 / 12 * (0.5 * 1000 + 1.5 * 300) / 1e6] * 12)


# ---------------------------------------------------------------------------
# MoE
# ---------------------------------------------------------------------------

def test_moe_training_uses_active_parameters():
    # 100B total, 10B active: C = 6 * 10e9 * 1e12 = 6e22 -> 6e22 / 1.44e17 = 416666.7 chip-hours over 3 months
    r = run(model={"params_billion": 100, "active_params_billion": 10},
            training={"tokens_trillion": 1, "duration_months": 3}, inference={"launch_month": 3})
    hours = 6 * 10e9 * 1e12 / (100e12 * 0.4 * 3600)
    assert r["series"]["training_compute"] == approx([hours / 3 * 2] * 3 + [0.0] * 9)
    assert r["summary"]["training_chips"] == approx(hours / (3 * HOURS))


# ---------------------------------------------------------------------------
# Revenue, summary keys
# ---------------------------------------------------------------------------

def test_all_summary_keys_worked_through():
    # training: 10000 chip-hours over months 0, 1 at 2 -> 10000 a month, plus fixed 2000 / 2 -> 11000 a month
    # inference (cloud) from the default launch month 2: Q = 12000 -> replicas = ceil(12000 / 8640) =
    # ceil(1.39) = 2 chips at 2 an hour = 2920 a month, plus ops 80 -> 3000 a month for 22 months
    # revenue: 12000 * 365 / 12 = 365000 requests a month at 0.02, rising 10 % a year
    r = run(horizon_years=2,
            training={"compute_flops": 1.44e21, "duration_months": 2, "fixed_cost": 2000},
            inference={**FOUR_SECONDS, "deployment": "cloud", "requests_per_day": 12000, "launch_month": DROP,
                       "ops_cost_per_month": 80},
            business={"revenue_per_request": 0.02, "revenue_change": 0.1},
            finance={"discount_rate": 0.08})
    s, summ = r["series"], r["summary"]
    training = [11000.0, 11000.0] + [0.0] * 22
    inference = [0.0, 0.0] + [3000.0] * 22
    requests = [0.0, 0.0] + [12000 * 365 / 12] * 22
    tokens = [q * 1300 for q in requests]
    revenue = [0.0, 0.0] + [12000 * 365 / 12 * 0.02 * 1.1 ** (m / 12) for m in range(2, 24)]
    total = [a + b for a, b in zip(training, inference)]
    net = [rv - c for rv, c in zip(revenue, total)]

    assert s["chips"] == [0.0, 0.0] + [2.0] * 22
    assert s["training"] == approx(training)
    assert s["inference"] == approx(inference)
    assert s["total"] == approx(total)
    assert s["cash_total"] == approx(total)
    assert s["revenue"] == approx(revenue)
    assert s["tokens"] == approx(tokens)

    assert summ["training_cost"] == approx(22000)
    assert summ["inference_cost"] == approx(66000)
    assert summ["total_cost"] == approx(88000)
    assert summ["inference_share"] == approx(0.75)
    # cumulative inference 3000 * (m - 1) first reaches 22000 at m = 9 (24000; m = 8 gives 21000)
    assert summ["crossover_month"] == 9
    assert summ["npv_training"] == approx(11000 + 11000 * 1.08 ** (-1 / 12))
    assert summ["npv_inference"] == approx(sum(3000 * 1.08 ** (-m / 12) for m in range(2, 24)))
    assert summ["npv_total"] == approx(npv(total, 0.08))
    assert summ["cost_per_million_tokens"] == approx(66000 / (22 * 365000 * 1300 / 1e6))
    assert summ["cost_per_request"] == approx(66000 / (22 * 365000))
    assert summ["peak_chips"] == 2
    assert summ["training_chips"] == approx(10000 / (2 * HOURS))
    assert summ["energy_mwh"] == 0
    assert summ["residual_book_value"] == 0
    assert summ["replica_chips"] == 1
    assert summ["replica_prefill_tokens_per_s"] == approx(1000)
    assert summ["replica_decode_tokens_per_s"] == approx(100)
    assert summ["revenue_total"] == approx(sum(revenue))
    assert summ["profit"] == approx(sum(revenue) - 88000)
    assert summ["npv_profit"] == approx(npv(net, 0.08))
    # cumulative revenue 37680.6 >= cumulative cost 37000 first at month 6 (month 5: 30024 < 34000)
    cum_rev, cum_cost = cumsum(revenue), cumsum(total)
    assert cum_rev[5] < cum_cost[5] and cum_rev[6] >= cum_cost[6]
    assert summ["payback_month"] == 6
    assert summ["irr"] == approx(irr_by_bisection(net))

    y = r["yearly"]
    assert y["total"] == approx([sum(total[:12]), sum(total[12:])])
    assert y["revenue"] == approx([sum(revenue[:12]), sum(revenue[12:])])
    assert y["requests"] == approx([10 * 365000, 12 * 365000])
    assert y["chips"] == [2.0, 2.0]
    assert set(y) == set(s)


def test_yearly_chips_is_the_years_maximum():
    # demand halves each year: chips(m) = ceil(100000 * 0.5 ** (m / 12) / 8640): 12 at m = 0, 6 at m = 12,
    # each year's maximum is its first month
    r = run(horizon_years=2,
            inference={**FOUR_SECONDS, "deployment": "cloud", "requests_per_day": 100000, "annual_growth": -0.5,
                       "cloud_rate": 1.0})
    chips = [math.ceil(100000 * 0.5 ** (m / 12) / 8640 - 1e-9) for m in range(24)]
    assert chips[0] == 12 and chips[12] == 6 and chips[23] == 4
    assert r["series"]["chips"] == [float(c) for c in chips]
    assert r["yearly"]["chips"] == [12.0, 6.0]
    assert r["yearly"]["inference_compute"] == approx([sum(chips[:12]) * HOURS, sum(chips[12:]) * HOURS])


def test_revenue_with_trend():
    r = run(horizon_years=2, inference={"launch_month": 3},
            business={"revenue_per_request": 0.01, "revenue_change": 0.1})
    expected = [1000 * 365 / 12 * 0.01 * 1.1 ** (m / 12) if m >= 3 else 0.0 for m in range(24)]
    assert r["series"]["revenue"] == approx(expected)
    assert r["summary"]["revenue_total"] == approx(sum(expected))


# ---- crossover -------------------------------------------------------------

def test_crossover_never():
    r = run(training={"fixed_cost": 1e9, "duration_months": 1}, inference={"ops_cost_per_month": 1})
    assert r["summary"]["crossover_month"] is None


def test_crossover_at_month_zero():
    # no training at all; inference costs 10 from month 0: 10 >= 0 and 10 > 0
    r = run(inference={"ops_cost_per_month": 10})
    assert r["summary"]["crossover_month"] == 0
    assert r["summary"]["inference_share"] == approx(1.0)


def test_crossover_on_exactly_equal_cumulative_values():
    # training 1000 in month 0; inference 500 a month from month 1: cumulative 500 (m1), 1000 (m2) = 1000
    r = run(training={"fixed_cost": 1000, "duration_months": 1}, inference={"launch_month": 1,
                                                                             "ops_cost_per_month": 500})
    assert r["summary"]["crossover_month"] == 2


def test_crossover_needs_positive_cumulative_inference():
    # nothing at all in months 0 .. 2 (0 >= 0 but not > 0); inference from month 3
    r = run(inference={"launch_month": 3, "ops_cost_per_month": 100})
    assert r["summary"]["crossover_month"] == 3


def test_undefined_ratios_are_null():
    # nothing costs anything: share undefined; no requests: per-token and per-request costs undefined
    r = run(inference={"requests_per_day": 0})
    summ = r["summary"]
    assert summ["total_cost"] == 0
    assert summ["inference_share"] is None
    assert summ["cost_per_million_tokens"] is None
    assert summ["cost_per_request"] is None
    assert summ["crossover_month"] is None
    assert summ["payback_month"] is None
    assert summ["irr"] is None
    # requests but no cost: the per-token cost is 0, not null
    summ = run()["summary"]
    assert summ["cost_per_million_tokens"] == 0
    assert summ["cost_per_request"] == 0


# ---- payback ---------------------------------------------------------------

# 12 requests a day = 12 * 365 / 12 = 365 requests a month (exact in floating point)
PAYBACK = dict(training={"fixed_cost": 730, "duration_months": 1},
               inference={"requests_per_day": 12, "launch_month": 1},
               business={"revenue_per_request": 1})


def test_payback_on_exactly_equal_cumulative_values():
    # cost 730 in month 0; revenue 365 a month from month 1: 365 (m1), 730 (m2) = 730
    r = run(**PAYBACK)
    assert r["series"]["revenue"] == [0.0] + [365.0] * 11
    assert r["summary"]["payback_month"] == 2


def test_payback_at_month_zero():
    r = run(inference={"requests_per_day": 12, "ops_cost_per_month": 100}, business={"revenue_per_request": 1})
    assert r["summary"]["payback_month"] == 0


def test_payback_never():
    r = run(training={"fixed_cost": 1e6, "duration_months": 1},
            inference={"requests_per_day": 12}, business={"revenue_per_request": 1})
    assert r["summary"]["payback_month"] is None
    assert r["summary"]["irr"] is None   # cumulative net never turns positive


def test_payback_needs_positive_cumulative_revenue():
    r = run(inference={"requests_per_day": 12})   # nothing costs anything and nothing is earned
    assert r["summary"]["payback_month"] is None


# ---- IRR -------------------------------------------------------------------

def test_irr_of_a_simple_flow():
    # net: -730 in month 0, +365 in months 1 .. 11 (cumulative -730, -365, 0, 365, ...: one change of sign)
    r = run(**PAYBACK)
    net = [-730.0] + [365.0] * 11
    assert r["summary"]["npv_profit"] == approx(-730 + sum(365 * 1.08 ** (-m / 12) for m in range(1, 12)))
    assert r["summary"]["irr"] == approx(irr_by_bisection(net))


def test_irr_of_a_moderate_flow():
    # net: -10000 in month 0, +365 * 3 = 1095 in months 1 .. 11 (sum 12045 > 10000)
    r = run(training={"fixed_cost": 10000, "duration_months": 1},
            inference={"requests_per_day": 12, "launch_month": 1}, business={"revenue_per_request": 3})
    net = [-10000.0] + [1095.0] * 11
    irr = irr_by_bisection(net)
    assert 0.2 < irr < 1.0   # sanity: a monthly rate of a few per cent
    assert r["summary"]["irr"] == approx(irr)


def test_irr_two_payments_closed_form():
    # cost 730 in month 0; launch in the last month (11): 365 requests at 2.2 = 803 of revenue
    # net = [-730, 0, ..., 0, +803]: (1 + i) ** 11 = 803 / 730 = 1.1 -> annual = 1.1 ** (12 / 11) - 1
    r = run(training={"fixed_cost": 730, "duration_months": 1},
            inference={"requests_per_day": 12, "launch_month": 11}, business={"revenue_per_request": 2.2})
    assert r["series"]["revenue"][11] == approx(803)
    assert r["summary"]["irr"] == approx(1.1 ** (12 / 11) - 1)


def test_irr_null_when_cumulative_net_starts_positive():
    # revenue from month 0 and no costs: cumulative net positive from the start
    r = run(inference={"requests_per_day": 12}, business={"revenue_per_request": 1})
    assert r["summary"]["payback_month"] == 0
    assert r["summary"]["irr"] is None


def test_irr_null_when_cumulative_net_changes_sign_twice():
    # -1000 in month 0, +365 a month from month 1, a refresh fixed cost of 5000 in month 7 (launch 1 + 6):
    # cumulative -1000, -635, -270, +95, ..., +1190 (m6), -3445 (m7), ..., -1985 (m11): two changes
    r = run(training={"fixed_cost": 1000, "duration_months": 1, "refresh_every_months": 6,
                      "refresh_fixed_cost": 5000},
            inference={"requests_per_day": 12, "launch_month": 1}, business={"revenue_per_request": 1})
    net = [-1000.0] + [365.0] * 11
    net[7] -= 5000
    assert r["series"]["training_fixed"] == [1000.0] + [0.0] * 6 + [5000.0] + [0.0] * 4
    assert r["summary"]["payback_month"] == 3
    assert r["summary"]["npv_profit"] == approx(npv(net, 0.08))
    assert r["summary"]["irr"] is None


# ---------------------------------------------------------------------------
# Bad cases
# ---------------------------------------------------------------------------

def test_owned_deployment_on_a_chip_without_price_names_inference_chip_price():
    priceless = {**TOY, "id": "priceless", "price_usd": None}
    with pytest.raises(ScenarioError) as info:
        run(inference={"deployment": "owned", "chip": "priceless"}, chips=[TOY, priceless])
    assert info.value.path == "inference.chip_price"
    assert info.value.rule


def test_priceless_chip_is_fine_when_a_price_is_given_or_not_needed():
    priceless = {**TOY, "id": "priceless", "price_usd": None}
    run(inference={"deployment": "owned", "chip": "priceless", "chip_price": 5000.0}, chips=[TOY, priceless])
    run(inference={"deployment": "cloud", "chip": "priceless"}, chips=[TOY, priceless])


def test_model_too_large_for_1024_chips_names_model_params_billion():
    # 1024 toy chips hold 1024 * 0.7 * 80 GB = 57344 GB of weights; 60000B parameters at fp8 are 60000 GB
    with pytest.raises(ScenarioError) as info:
        run(model={"params_billion": 60000}, inference={"deployment": "cloud"})
    assert info.value.path == "model.params_billion"
    assert info.value.rule


def test_largest_model_that_fits_uses_1024_chips():
    # 57000 GB <= 57344 GB: c = 1024 (and 512 chips hold only 28672 GB)
    r = run(model={"params_billion": 57000},
            inference={**FOUR_SECONDS, "deployment": "cloud", "chips_per_replica": None})
    assert r["summary"]["replica_chips"] == 1024
