"""A deliberately simple, scalar reference implementation of MODEL.md (version 1).

This module exists only as an independent check of the real (vectorised) engine.
It is written from /work/shared/MODEL.md alone, in plain Python: the standard
library's ``math``, plain loops over months, no numpy.  Clarity beats speed here;
every line should be easy to hold against the document.

API
---
``reference_run(scenario, chips) -> dict``

* ``scenario``: a ``.tco``-style nested dict (top level ``name``, ``currency``,
  ``start_month`` "YYYY-MM", ``horizon_years``; sections ``finance``, ``facility``,
  ``model``, ``training``, ``inference`` (with nested ``efficiency``) and
  ``business``).  Missing fields take MODEL.md's defaults.  A ``chips`` list in the
  scenario adds to / replaces (by ``id``) the ``chips`` argument, as the document
  says a scenario's chips do for the catalog.
* ``chips``: chip id -> chip dict (``bf16_tflops``, ``fp8_tflops``, ``fp4_tflops``,
  ``memory_gb``, ``bandwidth_tbs``, ``tdp_w``, ``price_usd``, ``cloud_usd_per_hour``;
  ``None`` where unknown).

Returns ``{"months": [...], "series": {name: [M floats]}, "summary": {key: float
or None}, "yearly": {name: [H floats]}}``.

Raises ``ValueError`` naming the field when a needed null price / rate / spec is
missing, when no power-of-two ``c`` up to 1024 holds the weights, or when the
roofline batch ``B`` is below 1.

Readings of points MODEL.md leaves open (see ``READINGS`` below for the list).
"""

import math

HOURS = 730.0            # hours per month, 8760 / 12
DAYS = 365.0 / 12.0      # days per month

SERIES = [
    "training_compute", "training_fixed",
    "inference_compute", "inference_energy", "inference_facility", "inference_ops",
    "training", "inference", "total",
    "requests", "tokens", "chips", "capex", "depreciation", "revenue",
    "cash_training", "cash_inference", "cash_total",
]

SUMMARY_KEYS = [
    "training_cost", "inference_cost", "total_cost", "inference_share",
    "crossover_month", "npv_total", "npv_training", "npv_inference",
    "cost_per_million_tokens", "cost_per_request", "peak_chips", "training_chips",
    "energy_mwh", "residual_book_value", "replica_chips",
    "replica_prefill_tokens_per_s", "replica_decode_tokens_per_s",
    "replica_batch", "tokens_per_s_per_user", "answer_seconds",
    "revenue_total", "profit", "npv_profit", "payback_month", "irr",
]

# How this reference reads the places where MODEL.md is not explicit.
READINGS = [
    "A scenario's own 'chips' list overrides / adds to the chips argument by id.",
    "Cloud training needs a rate, owned training a chip price and TDP (and any "
    "training needs the peak at training.precision) only when C0 > 0.",
    "Cloud inference always needs a rate and owned inference always needs a chip "
    "price and TDP, even when nothing is ever served (the replica figures are "
    "reported regardless of demand).",
    "If only one of the two measured throughputs is given, both are estimated by "
    "the roofline (the document says 'when both are given ... Otherwise').",
    "With both measured throughputs, peak and bandwidth are not needed; memory is "
    "needed only to size c when chips_per_replica is null.",
    "training_chips uses the initial run's full chip-hours, even months of it "
    "past the horizon.",
    "energy_mwh counts only the owned inference fleet (owned training's energy "
    "is inside its amortised hourly rate).",
    "life = round(12 * life_years) with Python's round (banker's rounding: "
    "28.5 -> 28, 1.5 -> 2).  Owned training's amortised rate uses life_years "
    "itself, unrounded, as the formula says.",
    "crossover_month compares the reported (basis) training and inference series; "
    "payback_month and irr use cash_total as the document says.",
    "Refresh runs exist only when refresh_every_months > 0; runs may overlap "
    "(each run adds its own share in a month).",
    "Degenerate inputs: ctx_max * kv_tok == 0 gives B = max_batch if the free "
    "memory is > 0 (else the B < 1 error); a request with no tokens (busy == 0) "
    "needs 0 replicas.",
    "IRR: if the undiscounted sum of net cash is not > 0 (only possible when the "
    "last cumulative value is exactly 0), there is no root with i > 0: null.",
]


# ----------------------------------------------------------------------------
# defaults (MODEL.md section 2)

DEFAULTS = {
    "finance": {"discount_rate": 0.08, "basis": "cash", "usd_to_currency": 1.0},
    "facility": {
        "electricity_price": 0.08, "electricity_price_change": 0.02, "pue": 1.3,
        "power_load_factor": 0.7, "server_power_overhead": 0.8,
        "colocation_per_kw_month": 0.0, "server_overhead": 0.4, "life_years": 5,
        "maintenance_rate": 0.05, "hardware_price_change": -0.1, "chips_per_server": 8,
    },
    "model": {
        "name": "", "params_billion": None, "active_params_billion": None,
        "layers": 80, "kv_heads": 8, "head_dim": 128,
        "experts": None, "experts_per_token": None,
    },
    "training": {
        "start_month": 0, "tokens_trillion": 0.0, "compute_flops": None, "experiment_overhead": 0.0,
        "chip": "h100-sxm", "precision": "bf16", "mfu": 0.4, "duration_months": 3,
        "procurement": "cloud", "cloud_rate": None, "cloud_price_change": -0.15,
        "chip_price": None, "fixed_cost": 0.0, "refresh_every_months": 0,
        "refresh_compute_fraction": 0.1, "refresh_duration_months": 1,
        "refresh_fixed_cost": 0.0,
    },
    "inference": {
        "launch_month": None, "end_month": None, "requests_per_day": None, "annual_growth": 0.0,
        "max_requests_per_day": None, "input_tokens": 1000, "output_tokens": 300,
        "reasoning_tokens": 0, "samples": 1, "cached_input_fraction": 0.0,
        "min_tokens_per_s_per_user": None, "deployment": "cloud",
        "chip": "h100-sxm", "precision": "fp8", "chips_per_replica": None,
        "target_utilization": 0.6, "peak_to_average": 1.5,
        "prefill_tokens_per_s_per_chip": None, "decode_tokens_per_s_per_chip": None,
        "cloud_rate": None, "cloud_price_change": -0.15, "chip_price": None,
        "api_price_input": 0.0, "api_price_cached_input": None, "api_price_output": 0.0, "api_price_change": -0.3,
        "ops_cost_per_month": 0.0,
    },
    "efficiency": {
        "bandwidth": 0.8, "prefill_mfu": 0.5, "decode_mfu": 0.5, "max_batch": 256,
        "memory_fraction": 0.9, "weight_memory_fraction": 0.7, "serving": None,
    },
    "business": {"revenue_per_request": 0.0, "revenue_change": 0.0},
}


def _section(scenario, name):
    """The section with defaults filled in (a field absent *or* not given)."""
    given = scenario.get(name) or {}
    out = dict(DEFAULTS[name])
    for key, value in given.items():
        if key == "efficiency":
            continue
        out[key] = value
    return out


# ----------------------------------------------------------------------------
# small helpers

def trend(rate, m):
    """An annual rate applied continuously from month 0: (1 + rate) ** (m / 12)."""
    return (1.0 + rate) ** (m / 12.0)


def _month_labels(start, count):
    year, month = start.split("-")
    year, month = int(year), int(month)
    labels = []
    for m in range(count):
        k = (month - 1) + m
        labels.append("%04d-%02d" % (year + k // 12, k % 12 + 1))
    return labels


def _chip(chips, chip_id, field_path):
    if chip_id not in chips:
        raise ValueError("%s: unknown chip %r" % (field_path, chip_id))
    return chips[chip_id]


def _spec(chip, chip_id, key, purpose):
    value = chip.get(key)
    if value is None:
        raise ValueError("chip %r: %s is null but %s needs it" % (chip_id, key, purpose))
    return float(value)


def _price_or_catalog(section_value, chip, chip_id, catalog_key, usd, field_path):
    """Scenario value if given (already in the currency), else catalog USD * usd."""
    if section_value is not None:
        return float(section_value)
    value = chip.get(catalog_key)
    if value is None:
        raise ValueError("chip %r: %s is null and %s is not given"
                         % (chip_id, catalog_key, field_path))
    return float(value) * usd


def _owned_hourly_rate(chip_price, tdp_w, fac, m):
    """Section 3's amortised, Epoch-style owned hourly rate in month m."""
    K = chip_price * trend(fac["hardware_price_change"], m) * (1.0 + fac["server_overhead"])
    server_kw = tdp_w / 1000.0 * (1.0 + fac["server_power_overhead"])
    electricity = fac["electricity_price"] * trend(fac["electricity_price_change"], m)
    return (K / (fac["life_years"] * 8760.0)
            + K * fac["maintenance_rate"] / 8760.0
            + server_kw * fac["power_load_factor"] * fac["pue"] * electricity
            + server_kw * fac["colocation_per_kw_month"] / HOURS)


# ----------------------------------------------------------------------------
# the model

def reference_run(scenario, chips):
    # chips: argument, then the scenario's own list adds / replaces by id
    all_chips = dict(chips or {})
    for c in scenario.get("chips") or []:
        all_chips[c["id"]] = c

    horizon_years = int(scenario.get("horizon_years", 5))
    start_month = scenario.get("start_month") or "2026-01"
    M = 12 * horizon_years
    months = _month_labels(start_month, M)

    fin = _section(scenario, "finance")
    fac = _section(scenario, "facility")
    mod = _section(scenario, "model")
    tr = _section(scenario, "training")
    inf = _section(scenario, "inference")
    eff = dict(DEFAULTS["efficiency"])
    eff.update((scenario.get("inference") or {}).get("efficiency") or {})
    bus = _section(scenario, "business")

    usd = float(fin["usd_to_currency"])

    if mod["params_billion"] is None:
        raise ValueError("model.params_billion is required")
    params_billion = float(mod["params_billion"])
    active_billion = mod["active_params_billion"]
    if active_billion is None:
        active_billion = params_billion
    N_act = 1e9 * float(active_billion)

    # ------------------------------------------------------------------ 3. training
    D = 1e12 * float(tr["tokens_trillion"])
    C_run = float(tr["compute_flops"]) if tr["compute_flops"] is not None else 6.0 * N_act * D
    C0 = C_run * (1.0 + float(tr["experiment_overhead"]))
    d = int(tr["duration_months"])
    S0 = int(tr["start_month"])
    L = inf["launch_month"]
    L = S0 + d if L is None else int(L)
    E = M if inf["end_month"] is None else int(inf["end_month"])
    refresh_end = min(M, E)

    training_compute = [0.0] * M
    training_fixed = [0.0] * M
    initial_chip_hours = 0.0

    if C0 > 0:
        t_chip_id = tr["chip"]
        t_chip = _chip(all_chips, t_chip_id, "training.chip")
        F_t = 1e12 * _spec(t_chip, t_chip_id, tr["precision"] + "_tflops",
                           "training at training.precision")
        mfu = float(tr["mfu"])
        if tr["procurement"] == "cloud":
            base = _price_or_catalog(tr["cloud_rate"], t_chip, t_chip_id,
                                     "cloud_usd_per_hour", usd, "training.cloud_rate")

            def rate(m):
                return base * trend(tr["cloud_price_change"], m)
        elif tr["procurement"] == "owned":
            price = _price_or_catalog(tr["chip_price"], t_chip, t_chip_id,
                                      "price_usd", usd, "training.chip_price")
            tdp_w = _spec(t_chip, t_chip_id, "tdp_w", "owned training")

            def rate(m):
                return _owned_hourly_rate(price, tdp_w, fac, m)
        else:
            raise ValueError("training.procurement: %r" % (tr["procurement"],))

        def chip_hours(C):
            return C / (F_t * mfu * 3600.0)

        # runs: (start month, number of months, chip-hours)
        runs = [(S0, d, chip_hours(C0))]
        initial_chip_hours = runs[0][2]
        every = int(tr["refresh_every_months"])
        rd = int(tr["refresh_duration_months"])
        if every > 0:
            j = 1
            while L + j * every < refresh_end:
                runs.append((L + j * every, rd,
                             chip_hours(float(tr["refresh_compute_fraction"]) * C0)))
                j += 1
        for start, length, ch in runs:
            for m in range(start, start + length):
                if m < M:           # months past the horizon are dropped
                    training_compute[m] += ch / length * rate(m)

    # fixed costs (no chip needed)
    fixed = float(tr["fixed_cost"])
    for m in range(S0, S0 + d):
        if m < M:
            training_fixed[m] += fixed / d
    every = int(tr["refresh_every_months"])
    rd = int(tr["refresh_duration_months"])
    if every > 0:
        j = 1
        while L + j * every < refresh_end:
            s = L + j * every
            for m in range(s, s + rd):
                if m < M:
                    training_fixed[m] += float(tr["refresh_fixed_cost"]) / rd
            j += 1

    # ------------------------------------------------------------------ 4.1 demand
    if inf["requests_per_day"] is None:
        raise ValueError("inference.requests_per_day is required")
    rpd = float(inf["requests_per_day"])
    growth = float(inf["annual_growth"])
    cap = inf["max_requests_per_day"]
    samples = int(inf["samples"])
    n_in = float(inf["input_tokens"])
    n_out = float(inf["output_tokens"])
    n_reason = float(inf["reasoning_tokens"])

    Q = [0.0] * M
    requests = [0.0] * M
    prefill_tokens = [0.0] * M
    decode_tokens = [0.0] * M
    tokens = [0.0] * M
    for m in range(M):
        if L <= m < E:
            q = rpd * (1.0 + growth) ** ((m - L) / 12.0)
            if cap is not None:
                q = min(float(cap), q)
            Q[m] = q
        requests[m] = Q[m] * DAYS
        prefill_tokens[m] = requests[m] * samples * n_in
        decode_tokens[m] = requests[m] * samples * (n_reason + n_out)
        tokens[m] = prefill_tokens[m] + decode_tokens[m]

    inference_compute = [0.0] * M
    inference_energy = [0.0] * M
    inference_facility = [0.0] * M
    inference_ops = [0.0] * M
    chips_series = [0.0] * M
    capex = [0.0] * M
    depreciation = [0.0] * M
    energy_mwh = 0.0
    residual_book_value = 0.0
    replica_c = replica_P = replica_R = None
    replica_B = per_user = answer_seconds = None
    f_cached = float(inf["cached_input_fraction"])

    deployment = inf["deployment"]
    if deployment == "api":
        # ------------------------------------------------------------------ 4.2
        for m in range(M):
            p_in = float(inf["api_price_input"])
            p_cached = p_in if inf["api_price_cached_input"] is None else float(inf["api_price_cached_input"])
            inference_compute[m] = ((prefill_tokens[m] * ((1 - f_cached) * p_in + f_cached * p_cached)
                                     + decode_tokens[m] * float(inf["api_price_output"]))
                                    / 1e6 * trend(inf["api_price_change"], m))
    elif deployment in ("cloud", "owned"):
        # ------------------------------------------------------------------ 4.3
        i_chip_id = inf["chip"]
        i_chip = _chip(all_chips, i_chip_id, "inference.chip")
        precision = inf["precision"]
        b = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5}[precision]
        kv_b = 2.0 if precision == "bf16" else 1.0
        W_total = 1e9 * params_billion * b

        c_given = inf["chips_per_replica"]
        p_meas = inf["prefill_tokens_per_s_per_chip"]
        r_meas = inf["decode_tokens_per_s_per_chip"]
        measured = p_meas is not None and r_meas is not None
        purpose = "inference (%s) sizing" % precision

        HBM = None
        if c_given is None or not measured:
            HBM = 1e9 * _spec(i_chip, i_chip_id, "memory_gb", purpose)
        if not measured:
            F = 1e12 * _spec(i_chip, i_chip_id, precision + "_tflops", purpose)
            BW = 1e12 * _spec(i_chip, i_chip_id, "bandwidth_tbs", purpose)

        if c_given is not None:
            c = int(c_given)
        else:
            c = None
            for k in range(11):                  # 1, 2, 4, ..., 1024
                cand = 2 ** k
                if W_total <= float(eff["weight_memory_fraction"]) * cand * HBM:
                    c = cand
                    break
            if c is None:
                raise ValueError(
                    "inference.chips_per_replica: the model's weights (%g bytes) do not "
                    "fit on up to 1024 %r chips" % (W_total, i_chip_id))

        if measured:
            P = c * float(p_meas)
            R = c * float(r_meas)
        else:
            kv_tok = 2.0 * int(mod["layers"]) * int(mod["kv_heads"]) * int(mod["head_dim"]) * kv_b
            ctx_max = n_in + n_reason + n_out
            ctx_avg = n_in + (n_reason + n_out) / 2.0
            free = float(eff["memory_fraction"]) * c * HBM - W_total
            if ctx_max * kv_tok > 0:
                B_max = min(int(eff["max_batch"]), math.floor(free / (ctx_max * kv_tok)))
            else:
                B_max = int(eff["max_batch"]) if free > 0 else 0
            if B_max < 1:
                raise ValueError(
                    "inference.efficiency.memory_fraction: no room for a batch of 1 "
                    "(B = %s) on %d %r chips" % (B_max, c, i_chip_id))
            X = mod["experts"]
            if X is not None:
                X = int(X)
                k = int(mod["experts_per_token"])
                N_total = 1e9 * params_billion
                e = (N_total - N_act) / (X - k)
                N_sh = N_act - k * e
                if N_sh < 0:
                    raise ValueError("model.experts: negative shared part")

                def W_read(B):
                    return b * (N_sh + X * e * (1 - (1 - k / X) ** B))
            else:
                def W_read(B):
                    return W_total

            def t_of(B):
                return ((W_read(B) + B * ctx_avg * kv_tok) / (c * BW * float(eff["bandwidth"]))
                        + B * 2.0 * N_act / (c * F * float(eff["decode_mfu"])))

            if eff["serving"] is not None:
                s_eff = float(eff["serving"])
            elif i_chip.get("serving_efficiency") is not None:
                s_eff = float(i_chip["serving_efficiency"])
            else:
                s_eff = 0.7
            u = inf["min_tokens_per_s_per_user"]
            if u is None:
                B = B_max
            else:
                u = float(u)
                if s_eff / t_of(1) < u:
                    raise ValueError("inference.min_tokens_per_s_per_user: out of reach, best %g"
                                     % (s_eff / t_of(1)))
                B = max(b_ for b_ in range(1, B_max + 1) if s_eff / t_of(b_) >= u)
            t = t_of(B)
            R = s_eff * B / t
            P = s_eff * c * F * float(eff["prefill_mfu"]) / (2.0 * N_act)
            replica_B = float(B)
            per_user = s_eff / t
            answer_seconds = n_in * (1 - f_cached) / P + (n_reason + n_out) / per_user

        replica_c, replica_P, replica_R = c, P, R

        busy = samples * n_in * (1 - f_cached) / P + samples * (n_reason + n_out) / R
        required = [0] * M
        for m in range(M):
            if L <= m < E and Q[m] > 0 and busy > 0:
                cap_r = float(inf["target_utilization"]) / busy
                replicas = math.ceil(Q[m] / 86400.0 * float(inf["peak_to_average"]) / cap_r - 1e-9)
                required[m] = c * replicas

        if deployment == "cloud":
            # -------------------------------------------------------------- 4.4
            rate0 = _price_or_catalog(inf["cloud_rate"], i_chip, i_chip_id,
                                      "cloud_usd_per_hour", usd, "inference.cloud_rate")
            for m in range(M):
                inference_compute[m] = (required[m] * HOURS * rate0
                                        * trend(inf["cloud_price_change"], m))
                chips_series[m] = float(required[m])
        else:
            # -------------------------------------------------------------- 4.5
            price = _price_or_catalog(inf["chip_price"], i_chip, i_chip_id,
                                      "price_usd", usd, "inference.chip_price")
            tdp_w = _spec(i_chip, i_chip_id, "tdp_w", "owned inference")
            server_kw = tdp_w / 1000.0 * (1.0 + float(fac["server_power_overhead"]))
            # NB: MODEL.md writes round(); Python's round() is banker's rounding
            # (round(28.5) == 28, round(1.5) == 2) and that is what we use.
            life = round(12 * fac["life_years"])
            S = int(fac["chips_per_server"])
            buy = [0] * M
            alive = [0] * M
            for m in range(M):
                alive_before = 0
                for p in range(max(0, m - life + 1), m):
                    alive_before += buy[p]
                short = max(0, required[m] - alive_before)
                buy[m] = S * math.ceil(short / S - 1e-9)
                alive[m] = alive_before + buy[m]
                K = price * trend(fac["hardware_price_change"], m) * (1.0 + fac["server_overhead"])
                capex[m] = buy[m] * K
            for m in range(M):
                dep = 0.0
                alive_capex = 0.0
                for p in range(0, m + 1):
                    if p <= m < p + life:
                        dep += capex[p] / life
                        alive_capex += capex[p]
                depreciation[m] = dep
                if fin["basis"] == "accrual":
                    inference_compute[m] = depreciation[m]
                else:
                    inference_compute[m] = capex[m]
                electricity = fac["electricity_price"] * trend(fac["electricity_price_change"], m)
                inference_energy[m] = (alive[m] * server_kw * fac["power_load_factor"]
                                       * fac["pue"] * HOURS * electricity)
                inference_facility[m] = (alive[m] * server_kw * fac["colocation_per_kw_month"]
                                         + fac["maintenance_rate"] / 12.0 * alive_capex)
                chips_series[m] = float(alive[m])
                energy_mwh += (alive[m] * server_kw * fac["power_load_factor"]
                               * fac["pue"] * HOURS / 1000.0)
            residual_book_value = math.fsum(capex) - math.fsum(depreciation)
    else:
        raise ValueError("inference.deployment: %r" % (deployment,))

    # ------------------------------------------------------------------ 4.6, 4.7
    for m in range(M):
        if L <= m < E:
            inference_ops[m] = float(inf["ops_cost_per_month"])
    revenue = [requests[m] * float(bus["revenue_per_request"]) * trend(bus["revenue_change"], m)
               for m in range(M)]

    # ------------------------------------------------------------------ 5. outputs
    training = [training_compute[m] + training_fixed[m] for m in range(M)]
    inference = [inference_compute[m] + inference_energy[m] + inference_facility[m]
                 + inference_ops[m] for m in range(M)]
    total = [training[m] + inference[m] for m in range(M)]
    cash_training = list(training)
    if deployment == "owned":
        cash_inference = [inference[m] - inference_compute[m] + capex[m] for m in range(M)]
    else:
        cash_inference = list(inference)
    cash_total = [cash_training[m] + cash_inference[m] for m in range(M)]

    series = {
        "training_compute": training_compute, "training_fixed": training_fixed,
        "inference_compute": inference_compute, "inference_energy": inference_energy,
        "inference_facility": inference_facility, "inference_ops": inference_ops,
        "training": training, "inference": inference, "total": total,
        "requests": requests, "tokens": tokens, "chips": chips_series,
        "capex": capex, "depreciation": depreciation, "revenue": revenue,
        "cash_training": cash_training, "cash_inference": cash_inference,
        "cash_total": cash_total,
    }
    series = {k: [float(x) for x in v] for k, v in series.items()}

    # ------------------------------------------------------------------ summary
    r = float(fin["discount_rate"])

    def npv(xs):
        return math.fsum(xs[m] * (1.0 + r) ** (-m / 12.0) for m in range(M))

    training_cost = math.fsum(training)
    inference_cost = math.fsum(inference)
    total_cost = math.fsum(total)
    sum_tokens = math.fsum(tokens)
    sum_requests = math.fsum(requests)
    revenue_total = math.fsum(revenue)
    net = [revenue[m] - cash_total[m] for m in range(M)]

    crossover = None
    cum_i = cum_t = 0.0
    for m in range(M):
        cum_i += inference[m]
        cum_t += training[m]
        if cum_i >= cum_t and cum_i > 0:
            crossover = m
            break

    payback = None
    cum_r = cum_c = 0.0
    for m in range(M):
        cum_r += revenue[m]
        cum_c += cash_total[m]
        if cum_r >= cum_c and cum_r > 0:
            payback = m
            break

    summary = {
        "training_cost": training_cost,
        "inference_cost": inference_cost,
        "total_cost": total_cost,
        "inference_share": None if total_cost == 0 else inference_cost / total_cost,
        "crossover_month": None if crossover is None else float(crossover),
        "npv_total": npv(cash_total),
        "npv_training": npv(cash_training),
        "npv_inference": npv(cash_inference),
        "cost_per_million_tokens": None if sum_tokens == 0 else inference_cost / (sum_tokens / 1e6),
        "cost_per_request": None if sum_requests == 0 else inference_cost / sum_requests,
        "peak_chips": float(max(chips_series)),
        "training_chips": initial_chip_hours / (d * HOURS),
        "energy_mwh": energy_mwh,
        "residual_book_value": residual_book_value,
        "replica_chips": None if replica_c is None else float(replica_c),
        "replica_prefill_tokens_per_s": None if replica_P is None else float(replica_P),
        "replica_decode_tokens_per_s": None if replica_R is None else float(replica_R),
        "replica_batch": replica_B,
        "tokens_per_s_per_user": per_user,
        "answer_seconds": answer_seconds,
        "revenue_total": revenue_total,
        "profit": revenue_total - total_cost,
        "npv_profit": npv(net),
        "payback_month": None if payback is None else float(payback),
        "irr": irr(net),
    }

    yearly = {}
    for name, xs in series.items():
        blocks = [xs[12 * y: 12 * y + 12] for y in range(horizon_years)]
        if name == "chips":
            yearly[name] = [float(max(blk)) for blk in blocks]
        else:
            yearly[name] = [math.fsum(blk) for blk in blocks]

    return {"months": months, "series": series, "summary": summary, "yearly": yearly}


# ----------------------------------------------------------------------------
# IRR by plain bisection

def irr(net):
    """Annual IRR of monthly net cash flows, or None (MODEL.md's sign rule).

    The cumulative net cash flow, exact zeros dropped, must start negative and
    change sign exactly once; then the monthly root i > 0 of
    sum(net[m] * (1 + i) ** -m) is unique, and we find it by bisection to full
    double precision.  Returns (1 + i) ** 12 - 1.

    >>> round(irr([-100.0, 110.0]), 12) == round(1.1 ** 12 - 1, 12)
    True
    >>> irr([100.0, -50.0]) is None
    True
    """
    signs = []
    cum = 0.0
    for x in net:
        cum += x
        if cum > 0:
            signs.append(1)
        elif cum < 0:
            signs.append(-1)
    if not signs or signs[0] != -1:
        return None
    changes = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
    if changes != 1:
        return None

    k = next(m for m, x in enumerate(net) if x != 0)   # first non-zero flow (< 0)

    def f(i):
        # NPV * (1 + i) ** k, so that large i does not underflow to 0
        g = math.log1p(i)
        return math.fsum(net[m] * math.exp(-(m - k) * g) for m in range(k, len(net)))

    lo = 0.0
    if f(lo) <= 0:
        return None
    hi = 1.0
    while f(hi) >= 0:
        hi *= 2.0
        if hi > 1e300:
            return None
    for _ in range(5000):
        mid = (lo + hi) / 2.0
        if mid <= lo or mid >= hi:
            break
        v = f(mid)
        if v > 0:
            lo = mid
        elif v < 0:
            hi = mid
        else:
            lo = hi = mid
            break
    i = (lo + hi) / 2.0
    try:
        return math.expm1(12.0 * math.log1p(i))
    except OverflowError:
        return math.inf
