"""Hypothesis strategies for whole ``.tco`` scenarios, for comparing the engine
with ``tests/reference_model.py``.

``scenarios()`` yields ``(scenario_dict, custom_chips_list)``.  The scenario is a
complete, valid ``.tco`` dict (``format``, ``schema_version``, all sections, with
some optional fields left out so defaults are exercised) whose training and
inference chips are custom chips (``testchip-a`` .. ``testchip-c``) listed in the
scenario's own ``chips`` list; ``custom_chips_list`` is that same list, so a test
does not depend on the bundled catalog::

    @given(scenarios())
    def test_engine_matches_reference(pair):
        scenario, chip_list = pair
        ref = reference_run(scenario, {c["id"]: c for c in chip_list})
        ...

Model sizes are chosen so that the weights fit on at most 1024 chips and the
roofline batch is at least 1 (scenarios that would not are rejected with
``assume``, rarely).  With ``allow_missing=True`` chips may lack a price, rate or
TDP, which exercises the "null catalog value is an error" paths (both sides
should then reject the same scenarios).
"""

import math

from hypothesis import assume
from hypothesis import strategies as st

CHIP_IDS = ["testchip-a", "testchip-b", "testchip-c"]
BYTES = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5}


def _f(lo, hi):
    return st.floats(min_value=lo, max_value=hi, allow_nan=False,
                     allow_infinity=False, allow_subnormal=False)


def _log(lo, hi):
    """Log-uniform-ish float in [lo, hi] (lo > 0)."""
    return _f(math.log10(lo), math.log10(hi)).map(lambda e: min(hi, max(lo, 10.0 ** e)))


@st.composite
def chip_dicts(draw, chip_id, allow_missing=False):
    bf16 = draw(_f(100.0, 2500.0))
    fp8 = draw(st.sampled_from([None, 1.0, 2.0, 2.0]))
    fp8 = None if fp8 is None else bf16 * fp8
    fp4 = None
    if fp8 is not None and draw(st.booleans()):
        fp4 = fp8 * 2.0

    def maybe_none(value):
        if allow_missing and draw(st.integers(0, 5)) == 0:
            return None
        return value

    return {
        "id": chip_id,
        "name": "Test chip " + chip_id[-1].upper(),
        "vendor": "Test",
        "bf16_tflops": bf16,
        "fp8_tflops": fp8,
        "fp4_tflops": fp4,
        "memory_gb": draw(_f(16.0, 288.0)),
        "bandwidth_tbs": draw(_f(0.3, 8.0)),
        "tdp_w": maybe_none(draw(_f(70.0, 1400.0))),
        "price_usd": maybe_none(draw(_log(1e3, 5e4))),
        "cloud_usd_per_hour": maybe_none(draw(_f(0.3, 12.0))),
        "serving_efficiency": draw(st.sampled_from([None, None]) | _f(0.2, 1.2)),
        "source": "hypothesis",
        "as_of": "2026-01",
    }


def _precisions(chip, allowed):
    return [p for p in allowed if chip.get(p + "_tflops") is not None]


@st.composite
def scenarios(draw, allow_missing=False):
    """(scenario_dict, custom_chips_list) pairs; see the module docstring."""
    n_chips = draw(st.integers(1, len(CHIP_IDS)))
    chips = [draw(chip_dicts(CHIP_IDS[k], allow_missing)) for k in range(n_chips)]
    by_id = {c["id"]: c for c in chips}

    def put(section, key, value, default=None, omit_default=True):
        """Set a field; a value equal to its default is sometimes left out."""
        if omit_default and value == default and draw(st.booleans()):
            return
        section[key] = value

    H = draw(st.integers(1, 8))
    M = 12 * H
    sc = {"format": "tcoapp-scenario", "schema_version": draw(st.sampled_from([2, 2, 1])),
          "name": "hypothesis scenario", "notes": "generated"}
    put(sc, "currency", draw(st.sampled_from(["USD", "EUR", "GBP"])), "USD")
    start = "%04d-%02d" % (draw(st.integers(2024, 2030)), draw(st.integers(1, 12)))
    if draw(st.integers(0, 3)) == 0:
        start = "2026-01"
    put(sc, "start_month", start, "2026-01")
    sc["horizon_years"] = H
    if H == 5 and draw(st.booleans()):
        del sc["horizon_years"]

    # ---------------------------------------------------------------- finance
    fin = {}
    put(fin, "discount_rate", draw(st.sampled_from([0.08, 0.0, 0.1]) | _f(-0.05, 0.3)), 0.08)
    put(fin, "basis", draw(st.sampled_from(["cash", "accrual"])), "cash")
    put(fin, "usd_to_currency", draw(st.sampled_from([1.0]) | _f(0.5, 2.0)), 1.0)
    sc["finance"] = fin

    # ---------------------------------------------------------------- facility
    fac = {}
    put(fac, "electricity_price", draw(st.sampled_from([0.08]) | _f(0.0, 0.3)), 0.08)
    put(fac, "electricity_price_change", draw(st.sampled_from([0.02]) | _f(-0.2, 0.2)), 0.02)
    put(fac, "pue", draw(st.sampled_from([1.3]) | _f(1.0, 2.0)), 1.3)
    put(fac, "power_load_factor", draw(st.sampled_from([0.7]) | _f(0.0, 1.0)), 0.7)
    put(fac, "server_power_overhead", draw(st.sampled_from([0.8, 0.82]) | _f(0.0, 1.5)), 0.8)
    put(fac, "colocation_per_kw_month", draw(st.sampled_from([0.0]) | _f(0.0, 300.0)), 0.0)
    put(fac, "server_overhead", draw(st.sampled_from([0.4]) | _f(0.0, 1.0)), 0.4)
    life_years = draw(st.sampled_from([5, 1, 2, 2.5, 3, 4, 4.04, 6.5, 7, 0.5, 2.375, 0.125])
                      | _f(0.1, 8.0))
    assume(round(12 * life_years) >= 1)
    put(fac, "life_years", life_years, 5)
    put(fac, "maintenance_rate", draw(st.sampled_from([0.05]) | _f(0.0, 0.2)), 0.05)
    put(fac, "hardware_price_change", draw(st.sampled_from([-0.1]) | _f(-0.5, 0.2)), -0.1)
    put(fac, "chips_per_server", draw(st.sampled_from([8, 1, 2, 3, 4, 16])), 8)
    sc["facility"] = fac

    # ---------------------------------------------------------------- inference (chip first: it sizes the model)
    inf = {}
    deployment = draw(st.sampled_from(["api", "cloud", "owned"]))
    put(inf, "deployment", deployment, "cloud")
    i_chip = by_id[draw(st.sampled_from(sorted(by_id)))]
    inf["chip"] = i_chip["id"]
    i_prec = draw(st.sampled_from(_precisions(i_chip, ["bf16", "fp8", "fp4"])))
    put(inf, "precision", i_prec, "fp8")

    eff = {}
    put(eff, "bandwidth", draw(st.sampled_from([0.8]) | _f(0.3, 1.0)), 0.8)
    put(eff, "prefill_mfu", draw(st.sampled_from([0.5]) | _f(0.2, 1.0)), 0.5)
    put(eff, "decode_mfu", draw(st.sampled_from([0.5]) | _f(0.2, 1.0)), 0.5)
    put(eff, "max_batch", draw(st.sampled_from([256, 1, 8, 64, 1024])), 256)
    wmf = draw(st.sampled_from([0.7]) | _f(0.3, 0.9))
    mf = draw(st.sampled_from([0.9]) | _f(min(1.0, wmf + 0.05), 1.0))
    put(eff, "weight_memory_fraction", wmf, 0.7)
    put(eff, "memory_fraction", mf, 0.9)
    if eff or draw(st.booleans()):
        inf["efficiency"] = eff

    # model: weights fill a share u of the weight budget of c_target chips
    HBM = 1e9 * i_chip["memory_gb"]
    b = BYTES[i_prec]
    c_target = draw(st.sampled_from([1, 1, 2, 4, 8, 8, 16, 32, 64]) | st.sampled_from([128, 256, 512, 1024]))
    u = draw(_f(0.05, 0.95))
    params_billion = u * wmf * c_target * HBM / b / 1e9
    params_billion = float("%.6g" % params_billion)
    assume(0 < params_billion <= 1e5)
    c_auto = next((2 ** k for k in range(11)
                   if 1e9 * params_billion * b <= wmf * (2 ** k) * HBM), None)
    assume(c_auto is not None)

    mod = {"name": "test model", "params_billion": params_billion}
    moe = draw(st.integers(0, 3))
    if moe == 0:                                   # active < total, no experts (dense read)
        mod["active_params_billion"] = params_billion * draw(_f(0.02, 1.0))
    elif moe == 1:                                 # MoE with experts (shared part may go negative: an error)
        X = draw(st.sampled_from([8, 16, 64, 128, 256]) | st.integers(2, 300))
        k = draw(st.integers(1, min(X - 1, 16)))
        share = draw(_f(0.02, 0.99))
        mod["active_params_billion"] = params_billion * share
        mod["experts"] = X
        mod["experts_per_token"] = k
    elif draw(st.booleans()):
        mod["active_params_billion"] = None

    # chips_per_replica: auto, or a count at least the auto one
    c_given = None
    if draw(st.integers(0, 2)) == 0:
        c_given = c_auto * draw(st.sampled_from([1, 2, 3]))
        c_given = min(c_given, 1024) if c_given >= c_auto else c_auto
    if c_given is not None or draw(st.booleans()):
        inf["chips_per_replica"] = c_given
    c_eff = c_given if c_given is not None else c_auto

    # measured throughputs: none, both, or just one (then the roofline is used)
    meas = draw(st.sampled_from(["none", "none", "both", "prefill_only", "decode_only"]))
    if meas in ("both", "prefill_only"):
        inf["prefill_tokens_per_s_per_chip"] = draw(_log(200.0, 50000.0))
    if meas in ("both", "decode_only"):
        inf["decode_tokens_per_s_per_chip"] = draw(_log(5.0, 5000.0))

    # tokens per request
    n_in = draw(st.sampled_from([1000]) | st.integers(0, 8000))
    n_out = draw(st.sampled_from([300]) | st.integers(1, 2000))
    n_reason = draw(st.sampled_from([0, 0]) | st.integers(0, 8000))
    put(inf, "input_tokens", n_in, 1000)
    put(inf, "output_tokens", n_out, 300)
    put(inf, "reasoning_tokens", n_reason, 0)
    put(inf, "samples", draw(st.sampled_from([1, 1, 2, 4])), 1)
    put(inf, "cached_input_fraction", draw(st.sampled_from([0.0, 0.0]) | _f(0.0, 1.0)), 0.0)
    put(inf, "min_tokens_per_s_per_user", draw(st.sampled_from([None, None]) | _log(1.0, 500.0)))
    if draw(st.booleans()):
        eff_now = inf.setdefault("efficiency", {})
        eff_now["serving"] = draw(st.sampled_from([None]) | _f(0.1, 1.0))

    # KV cache shape: keep the batch of the roofline >= 1 (with a 1 % margin)
    kv_heads = draw(st.sampled_from([8, 1, 4, 16]))
    head_dim = draw(st.sampled_from([128, 64, 256]))
    kv_b = 2.0 if i_prec == "bf16" else 1.0
    ctx_max = n_in + n_reason + n_out
    free = mf * c_eff * HBM - 1e9 * params_billion * b
    per_layer = 2.0 * kv_heads * head_dim * kv_b * ctx_max
    max_layers = int(free / per_layer / 1.01) if free > 0 else 0
    if max_layers < 1:
        kv_heads, head_dim = 1, 64
        per_layer = 2.0 * kv_heads * head_dim * kv_b * ctx_max
        max_layers = int(free / per_layer / 1.01) if free > 0 else 0
    assume(max_layers >= 1)
    layers = draw(st.sampled_from([min(80, max_layers)]) | st.integers(1, min(128, max_layers)))
    put(mod, "layers", layers, 80)
    put(mod, "kv_heads", kv_heads, 8)
    put(mod, "head_dim", head_dim, 128)
    sc["model"] = mod

    # demand
    L = draw(st.sampled_from([None, 0]) | st.integers(0, M + 2))
    d = draw(st.sampled_from([3, 1]) | st.integers(1, 18))
    put(inf, "launch_month", L)
    S0 = draw(st.sampled_from([0, 0]) | st.integers(0, M))
    L_eff = S0 + d if L is None else L
    if draw(st.integers(0, 2)) == 0:
        inf["end_month"] = L_eff + draw(st.integers(1, M + 2))
    rpd = 0.0 if draw(st.integers(0, 7)) == 0 else draw(_log(1.0, 1e6))
    inf["requests_per_day"] = rpd
    put(inf, "annual_growth", draw(st.sampled_from([0.0]) | _f(-0.5, 2.0)), 0.0)
    if draw(st.integers(0, 2)) == 0:
        inf["max_requests_per_day"] = max(1.0, rpd) * draw(_f(0.3, 5.0))
    elif draw(st.booleans()):
        inf["max_requests_per_day"] = None
    put(inf, "target_utilization", draw(st.sampled_from([0.6]) | _f(0.1, 1.0)), 0.6)
    put(inf, "peak_to_average", draw(st.sampled_from([1.5]) | _f(1.0, 3.0)), 1.5)
    rate_given = draw(st.booleans())
    put(inf, "cloud_rate", draw(_f(0.3, 12.0)) if rate_given else None)
    put(inf, "cloud_price_change", draw(st.sampled_from([-0.15]) | _f(-0.5, 0.2)), -0.15)
    price_given = draw(st.booleans())
    put(inf, "chip_price", draw(_log(1e3, 5e4)) if price_given else None)
    put(inf, "api_price_input", draw(st.sampled_from([0.0]) | _f(0.0, 15.0)), 0.0)
    put(inf, "api_price_cached_input", draw(st.sampled_from([None]) | _f(0.0, 5.0)))
    put(inf, "api_price_output", draw(st.sampled_from([0.0]) | _f(0.0, 60.0)), 0.0)
    put(inf, "api_price_change", draw(st.sampled_from([-0.3]) | _f(-0.6, 0.1)), -0.3)
    put(inf, "ops_cost_per_month", draw(st.sampled_from([0.0]) | _f(0.0, 1e5)), 0.0)
    sc["inference"] = inf

    # ---------------------------------------------------------------- training
    tr = {}
    t_chip = by_id[draw(st.sampled_from(sorted(by_id)))]
    tr["chip"] = t_chip["id"]
    put(tr, "precision", draw(st.sampled_from(_precisions(t_chip, ["bf16", "fp8"]))), "bf16")
    how = draw(st.sampled_from(["tokens", "flops", "zero"]))
    if how == "tokens":
        tr["tokens_trillion"] = draw(_f(0.01, 30.0))
    elif how == "flops":
        tr["compute_flops"] = draw(_log(1e18, 1e25))
        if draw(st.booleans()):
            tr["tokens_trillion"] = draw(_f(0.0, 30.0))   # ignored: compute_flops wins
    put(tr, "experiment_overhead", draw(st.sampled_from([0.0]) | _f(0.0, 2.0)), 0.0)
    put(tr, "mfu", draw(st.sampled_from([0.4]) | _f(0.1, 0.7)), 0.4)
    put(tr, "duration_months", d, 3)
    put(tr, "start_month", S0, 0)
    put(tr, "procurement", draw(st.sampled_from(["cloud", "owned"])), "cloud")
    put(tr, "cloud_rate", draw(_f(0.3, 12.0)) if draw(st.booleans()) else None)
    put(tr, "cloud_price_change", draw(st.sampled_from([-0.15]) | _f(-0.5, 0.2)), -0.15)
    put(tr, "chip_price", draw(_log(1e3, 5e4)) if draw(st.booleans()) else None)
    put(tr, "fixed_cost", draw(st.sampled_from([0.0]) | _f(0.0, 1e7)), 0.0)
    put(tr, "refresh_every_months", draw(st.sampled_from([0, 0]) | st.integers(1, 24)), 0)
    put(tr, "refresh_compute_fraction", draw(st.sampled_from([0.1]) | _f(0.0, 1.0)), 0.1)
    put(tr, "refresh_duration_months", draw(st.sampled_from([1]) | st.integers(1, 6)), 1)
    put(tr, "refresh_fixed_cost", draw(st.sampled_from([0.0]) | _f(0.0, 1e6)), 0.0)
    sc["training"] = tr

    # ---------------------------------------------------------------- business
    if draw(st.integers(0, 2)) > 0:
        bus = {}
        rpr = 0.0 if draw(st.integers(0, 5)) == 0 else draw(_log(1e-3, 20.0))
        put(bus, "revenue_per_request", rpr, 0.0)
        put(bus, "revenue_change", draw(st.sampled_from([0.0]) | _f(-0.3, 0.3)), 0.0)
        sc["business"] = bus

    sc["chips"] = chips
    return sc, chips
