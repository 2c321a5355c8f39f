"""The lifetime cost model (version 2) of ``docs/methodology.md``, vectorised over scenarios.

Why one long file: the model is one vectorised pass whose sections share the batch's
intermediate arrays (sections 3 to 5 of the methodology, in order); splitting it would pass dozens of
arrays between modules and hide the order the methodology is written in.

Every numeric input is a scalar or an array of shape ``(S,)``; every monthly
output has shape ``(S, M)``. One scenario is a batch of one: there is a single
code path. Time is the only loop, and only where it carries state (the owned
fleet's cohorts).

Inputs are keyed by the scenario's dotted field paths (``"inference.requests_per_day"``)
with null "derive it" fields given as NaN, plus the specs of the chosen chips
under ``"training.chip.<spec>"`` and ``"inference.chip.<spec>"`` as in the catalog
(TFLOP/s, GB, TB/s, W, USD; NaN where unknown). :data:`INPUT_DEFAULTS` lists
every key with its default (methodology section 2); :func:`run` fills in what is left out.

>>> result = run({"model.params_billion": 8, "inference.requests_per_day": 1e5,
...               "inference.deployment": "api", "inference.api_price_input": 0.5,
...               "inference.api_price_output": 1.5}, months=12)
>>> round(float(result.summary["inference_cost"][0]), 2)
21183.44
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .errors import EngineError
from .finance import irr_annual, npv

#: Hours in a month (8760 / 12).
HOURS = 730.0
#: Days in a month.
DAYS = 365.0 / 12.0

NAN = float("nan")

#: Chip spec keys, as in the catalog.
CHIP_SPECS = (
    "bf16_tflops", "fp8_tflops", "fp4_tflops", "memory_gb", "bandwidth_tbs",
    "tdp_w", "price_usd", "cloud_usd_per_hour", "serving_efficiency",
)

#: Serving efficiency used when neither the scenario nor the chip gives one (section 4.3).
DEFAULT_SERVING_EFFICIENCY = 0.7

#: Categorical inputs and their allowed values.
CHOICES = {
    "finance.basis": ("cash", "accrual"),
    "training.precision": ("bf16", "fp8"),
    "training.procurement": ("cloud", "owned"),
    "inference.precision": ("bf16", "fp8", "fp4"),
    "inference.deployment": ("api", "cloud", "owned"),
}

#: Every engine input with its default (methodology section 2) (NaN: null, derive it; None: required).
INPUT_DEFAULTS: dict[str, object] = {
    "finance.discount_rate": 0.08,
    "finance.basis": "cash",
    "finance.usd_to_currency": 1.0,
    "facility.electricity_price": 0.08,
    "facility.electricity_price_change": 0.02,
    "facility.pue": 1.3,
    "facility.power_load_factor": 0.7,
    "facility.server_power_overhead": 0.8,
    "facility.colocation_per_kw_month": 0.0,
    "facility.server_overhead": 0.4,
    "facility.life_years": 5.0,
    "facility.maintenance_rate": 0.05,
    "facility.hardware_price_change": -0.1,
    "facility.chips_per_server": 8,
    "model.params_billion": None,
    "model.active_params_billion": NAN,
    "model.layers": 80,
    "model.kv_heads": 8,
    "model.head_dim": 128,
    "model.experts": NAN,
    "model.experts_per_token": NAN,
    "training.start_month": 0,
    "training.tokens_trillion": 0.0,
    "training.compute_flops": NAN,
    "training.experiment_overhead": 0.0,
    "training.precision": "bf16",
    "training.mfu": 0.4,
    "training.duration_months": 3,
    "training.procurement": "cloud",
    "training.cloud_rate": NAN,
    "training.cloud_price_change": -0.15,
    "training.chip_price": NAN,
    "training.fixed_cost": 0.0,
    "training.refresh_every_months": 0,
    "training.refresh_compute_fraction": 0.1,
    "training.refresh_duration_months": 1,
    "training.refresh_fixed_cost": 0.0,
    "inference.launch_month": NAN,
    "inference.end_month": NAN,
    "inference.requests_per_day": None,
    "inference.annual_growth": 0.0,
    "inference.max_requests_per_day": NAN,
    "inference.input_tokens": 1000.0,
    "inference.output_tokens": 300.0,
    "inference.reasoning_tokens": 0.0,
    "inference.samples": 1,
    "inference.cached_input_fraction": 0.0,
    "inference.min_tokens_per_s_per_user": NAN,
    "inference.deployment": "cloud",
    "inference.precision": "fp8",
    "inference.chips_per_replica": NAN,
    "inference.target_utilization": 0.6,
    "inference.peak_to_average": 1.5,
    "inference.prefill_tokens_per_s_per_chip": NAN,
    "inference.decode_tokens_per_s_per_chip": NAN,
    "inference.cloud_rate": NAN,
    "inference.cloud_price_change": -0.15,
    "inference.chip_price": NAN,
    "inference.api_price_input": 0.0,
    "inference.api_price_cached_input": NAN,
    "inference.api_price_output": 0.0,
    "inference.api_price_change": -0.3,
    "inference.ops_cost_per_month": 0.0,
    "inference.efficiency.bandwidth": 0.8,
    "inference.efficiency.prefill_mfu": 0.5,
    "inference.efficiency.decode_mfu": 0.5,
    "inference.efficiency.max_batch": 256,
    "inference.efficiency.memory_fraction": 0.9,
    "inference.efficiency.weight_memory_fraction": 0.7,
    "inference.efficiency.serving": NAN,
    "business.revenue_per_request": 0.0,
    "business.revenue_change": 0.0,
}
for _role in ("training", "inference"):
    for _spec in CHIP_SPECS:
        INPUT_DEFAULTS[f"{_role}.chip.{_spec}"] = NAN
    INPUT_DEFAULTS[f"{_role}.chip.id"] = "?"

#: Monthly series, in methodology section 5 order, then the cash series.
SERIES = (
    "training_compute", "training_fixed", "inference_compute", "inference_energy",
    "inference_facility", "inference_ops", "training", "inference", "total",
    "requests", "tokens", "chips", "capex", "depreciation", "revenue",
    "cash_training", "cash_inference", "cash_total",
)

#: Summary keys, in methodology section 5 order.
SUMMARY = (
    "training_cost", "inference_cost", "total_cost", "inference_share",
    "crossover_month", "npv_total", "npv_training", "npv_inference",
    "cost_per_million_tokens", "cost_per_request", "peak_chips", "training_chips",
    "energy_mwh", "residual_book_value", "replica_chips",
    "replica_prefill_tokens_per_s", "replica_decode_tokens_per_s", "replica_batch",
    "tokens_per_s_per_user", "answer_seconds", "revenue_total",
    "profit", "npv_profit", "payback_month", "irr",
)

BYTES_PER_WEIGHT = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5}
KV_BYTES = {"bf16": 2.0, "fp8": 1.0, "fp4": 1.0}
POWERS_OF_TWO = 2.0 ** np.arange(11)  # 1, 2, 4, ..., 1024


@dataclass
class Result:
    """What :func:`run` returns for a batch of S scenarios over M months.

    ``series[name]`` is ``(S, M)``, ``summary[key]`` is ``(S,)`` with NaN for
    null, ``yearly[name]`` is ``(S, H)``. ``errors[s]`` is None or the
    :class:`EngineError` of scenario s (its numbers are then NaN).
    """

    months: int
    series: dict[str, np.ndarray]
    summary: dict[str, np.ndarray]
    errors: list = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.errors)

    @property
    def error_mask(self) -> np.ndarray:
        """True for the scenarios that could not be computed."""
        return np.array([e is not None for e in self.errors], dtype=bool)

    @property
    def yearly(self) -> dict[str, np.ndarray]:
        return yearly(self.series)

    def scenario(self, s: int) -> "Result":
        """The batch-of-one result of scenario ``s``."""
        return Result(
            self.months,
            {k: v[s:s + 1] for k, v in self.series.items()},
            {k: v[s:s + 1] for k, v in self.summary.items()},
            [self.errors[s]],
        )


def yearly(series: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Yearly figures: sums over months ``12y .. 12y + 11``; ``chips`` takes the maximum.

    >>> yearly({"chips": np.array([[1.0] * 12 + [3.0] * 12]), "total": np.ones((1, 24))})
    {'chips': array([[1., 3.]]), 'total': array([[12., 12.]])}
    """
    out = {}
    for name, x in series.items():
        blocks = x.reshape(x.shape[0], -1, 12)
        out[name] = blocks.max(axis=2) if name == "chips" else blocks.sum(axis=2)
    return out


def trend(rate: np.ndarray, months: int) -> np.ndarray:
    """``(1 + rate) ** (m / 12)`` for m = 0 .. months-1, shape ``(S, M)``.

    >>> float(trend(np.array([-0.2]), 13)[0, 12].round(12))
    0.8
    """
    # exp(log1p) is the same number as the power (to ~1e-15), several times faster
    return np.exp(np.log1p(rate)[:, None] * (np.arange(months) / 12.0))


def _broadcast_inputs(inputs: Mapping[str, object]) -> tuple[dict[str, np.ndarray], int]:
    """Inputs with defaults as arrays of shape (1,) (the same for every scenario) or (S,)."""
    unknown = sorted(set(inputs) - set(INPUT_DEFAULTS))
    if unknown:
        raise KeyError(f"unknown engine input(s): {', '.join(unknown)}")
    merged = dict(INPUT_DEFAULTS)
    merged.update(inputs)
    missing = [k for k, v in merged.items() if v is None]
    if missing:
        raise KeyError(f"required engine input(s) missing: {', '.join(missing)}")
    sizes = {np.size(v) for v in merged.values() if np.ndim(v) > 0}
    sizes.discard(1)
    if len(sizes) > 1:
        raise ValueError(f"inputs have different batch sizes: {sorted(sizes)}")
    S = sizes.pop() if sizes else 1
    arrays = {}
    for key, value in merged.items():
        if key in CHOICES or key.endswith(".chip.id"):
            arr = np.asarray(value, dtype=object).reshape(-1)
        else:
            arr = np.asarray(value, dtype=float).reshape(-1)
        arrays[key] = arr  # (1,) or (S,): what does not vary is computed once and broadcast
    for key, allowed in CHOICES.items():
        bad = ~np.isin(arrays[key], allowed)
        if bad.any():
            raise ValueError(f"{key} must be one of {allowed}, got {arrays[key][bad][0]!r}")
    return arrays, S


class _Errors:
    """Records the first error of each scenario while the batch is computed.

    Rules are kept once per kind with a per-scenario code, so a Monte Carlo
    batch with many failing samples does not build one exception each until
    asked.
    """

    def __init__(self, S: int):
        self.size = S
        self.code = np.full(S, -1)
        self.kinds: list[tuple[str, object]] = []

    def add(self, mask: np.ndarray, field: str, rule) -> None:
        new = np.broadcast_to(mask, (self.size,)) & (self.code < 0)
        if new.any():
            self.code[new] = len(self.kinds)
            self.kinds.append((field, rule))

    @property
    def mask(self) -> np.ndarray:
        return self.code >= 0

    def items(self) -> list[EngineError | None]:
        out: list[EngineError | None] = [None] * self.size
        for s in np.flatnonzero(self.code >= 0):
            field, rule = self.kinds[self.code[s]]
            out[s] = EngineError(int(s), field, rule(s) if callable(rule) else rule)
        return out


def _at(values: np.ndarray, s: int):
    """Scenario s's value of an input that is (1,) when it does not vary."""
    return values[s] if values.shape[0] > 1 else values[0]


def _peak_flops(x: dict[str, np.ndarray], role: str) -> np.ndarray:
    """Dense peak of the role's chip at the role's precision, FLOP/s."""
    precision = x[f"{role}.precision"]
    peak = np.full(precision.shape, NAN)
    for p in ("bf16", "fp8", "fp4"):
        peak = np.where(precision == p, x[f"{role}.chip.{p}_tflops"] * 1e12, peak)
    return peak


def _owned_hourly_rate(x, role: str, chip_price: np.ndarray, M: int) -> np.ndarray:
    """Amortised hourly rate of one owned chip with its server share (methodology section 3)."""
    f = lambda k: x[f"facility.{k}"]  # noqa: E731
    K = chip_price[:, None] * trend(f("hardware_price_change"), M) * (1.0 + f("server_overhead"))[:, None]
    server_kw = x[f"{role}.chip.tdp_w"] / 1000.0 * (1.0 + f("server_power_overhead"))
    elec = f("electricity_price")[:, None] * trend(f("electricity_price_change"), M)
    return (
        K / (f("life_years")[:, None] * 8760.0)
        + K * f("maintenance_rate")[:, None] / 8760.0
        + (server_kw * f("power_load_factor") * f("pue"))[:, None] * elec
        + (server_kw * f("colocation_per_kw_month") / HOURS)[:, None]
    )


def _runs_active(m: np.ndarray, start: np.ndarray, every: np.ndarray, duration: np.ndarray,
                 end: np.ndarray) -> np.ndarray:
    """How many refresh runs j >= 1, starting at ``s_j = start + j * every`` while ``s_j < end``,
    are active in month m."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = m[None, :] - start[:, None]
        # the last run that starts before the end: start + j * every < end
        j_last = np.ceil((end - start) / every) - 1.0
        j_max = np.minimum(np.floor(rel / every[:, None]), j_last[:, None])
        j_min = np.maximum(1.0, np.ceil((rel - duration[:, None] + 1.0) / every[:, None]))
        count = np.maximum(0.0, j_max - j_min + 1.0)
    return np.where(every[:, None] > 0, count, 0.0)


def run(inputs: Mapping[str, object], months: int, *, on_error: str = "raise", irr: bool = True) -> Result:
    """Compute the lifetime cost model for a batch of scenarios.

    Parameters
    ----------
    inputs : mapping
        Engine inputs by dotted path (see :data:`INPUT_DEFAULTS`), each a scalar
        or an array of shape ``(S,)``.
    months : int
        Horizon M in months (``12 * horizon_years``).
    on_error : {"raise", "mask"}
        ``"raise"`` raises the first scenario's :class:`EngineError`;
        ``"mask"`` returns NaN for failing scenarios and the errors in
        ``Result.errors``.
    irr : bool
        Whether to solve for the IRR (the one summary that takes iterations);
        when False, ``summary["irr"]`` is NaN. Batch tools that do not report
        it skip it.

    Returns
    -------
    Result
    """
    if on_error not in ("raise", "mask"):
        raise ValueError("on_error must be 'raise' or 'mask'")
    M = int(months)
    if M < 1 or M % 12:
        raise ValueError(f"months must be a positive multiple of 12, got {months}")
    x, S = _broadcast_inputs(inputs)
    errors = _Errors(S)
    m = np.arange(M, dtype=float)
    rows = np.arange(S)
    fx = x["finance.usd_to_currency"]

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # ---- 3. Training -------------------------------------------------
        params = x["model.params_billion"]
        active_b = np.where(np.isnan(x["model.active_params_billion"]), params, x["model.active_params_billion"])
        N_act = 1e9 * active_b
        D = 1e12 * x["training.tokens_trillion"]
        C_run = np.where(np.isnan(x["training.compute_flops"]), 6.0 * N_act * D, x["training.compute_flops"])
        C0 = C_run * (1.0 + x["training.experiment_overhead"])
        F_t = _peak_flops(x, "training")
        mfu = x["training.mfu"]
        needs_training_chip = C0 > 0
        errors.add(needs_training_chip & np.isnan(F_t), "training.precision",
                   lambda s: f"chip '{_at(x['training.chip.id'], s)}' has no {_at(x['training.precision'], s)} peak")
        hours_initial = np.where(needs_training_chip, C0 / (F_t * mfu * 3600.0), 0.0)
        hours_refresh = np.where(needs_training_chip,
                                 x["training.refresh_compute_fraction"] * C0 / (F_t * mfu * 3600.0), 0.0)

        owned_training = x["training.procurement"] == "owned"
        cloud_rate_t = np.where(np.isnan(x["training.cloud_rate"]),
                                x["training.chip.cloud_usd_per_hour"] * fx, x["training.cloud_rate"])
        price_t = np.where(np.isnan(x["training.chip_price"]), x["training.chip.price_usd"] * fx,
                           x["training.chip_price"])
        errors.add(needs_training_chip & ~owned_training & np.isnan(cloud_rate_t), "training.cloud_rate",
                   lambda s: f"is null and chip '{_at(x['training.chip.id'], s)}' has no cloud_usd_per_hour; "
                             "cloud training needs an hourly rate")
        errors.add(needs_training_chip & owned_training & np.isnan(price_t), "training.chip_price",
                   lambda s: f"is null and chip '{_at(x['training.chip.id'], s)}' has no price_usd; "
                             "owned training needs a purchase price")
        errors.add(needs_training_chip & owned_training & np.isnan(x["training.chip.tdp_w"]), "training.chip",
                   lambda s: f"chip '{_at(x['training.chip.id'], s)}' has no tdp_w; owned training needs its power")
        rate_t = np.where(owned_training[:, None], _owned_hourly_rate(x, "training", price_t, M),
                          cloud_rate_t[:, None] * trend(x["training.cloud_price_change"], M))

        d = x["training.duration_months"]
        S0 = x["training.start_month"]
        L = np.where(np.isnan(x["inference.launch_month"]), S0 + d, x["inference.launch_month"])
        E = np.where(np.isnan(x["inference.end_month"]), float(M), x["inference.end_month"])
        # The scenario rule end_month > launch (a file breaking it is refused), kept for the solver's
        # varied rows too: such a row would otherwise pass for a scenario that serves nothing.
        errors.add(~np.isnan(x["inference.end_month"]) & ~(E > L), "inference.end_month",
                   lambda s: f"must be > the launch month ({_at(L, s):g})")
        in_initial = (m[None, :] >= S0[:, None]) & (m[None, :] < (S0 + d)[:, None])
        refreshes = _runs_active(m, L, x["training.refresh_every_months"], x["training.refresh_duration_months"],
                                 np.minimum(float(M), E))
        rd = x["training.refresh_duration_months"][:, None]
        hours_t = np.where(in_initial, (hours_initial / d)[:, None], 0.0) + refreshes * (hours_refresh[:, None] / rd)
        training_compute = np.where(hours_t > 0, hours_t * rate_t, 0.0)
        training_fixed = (np.where(in_initial, (x["training.fixed_cost"] / d)[:, None], 0.0)
                          + refreshes * (x["training.refresh_fixed_cost"][:, None] / rd))

        # ---- 4.1 Demand ---------------------------------------------------
        live = (m[None, :] >= L[:, None]) & (m[None, :] < E[:, None])
        cap = np.where(np.isnan(x["inference.max_requests_per_day"]), np.inf, x["inference.max_requests_per_day"])
        grown = x["inference.requests_per_day"][:, None] * np.exp(
            np.log1p(x["inference.annual_growth"])[:, None] * ((m[None, :] - L[:, None]) / 12.0))
        Q = np.where(live, np.minimum(cap[:, None], grown), 0.0)
        requests = Q * DAYS
        n_samples = x["inference.samples"][:, None]
        inp = x["inference.input_tokens"]
        gen = x["inference.reasoning_tokens"] + x["inference.output_tokens"]
        prefill_tokens = requests * n_samples * inp[:, None]
        decode_tokens = requests * n_samples * gen[:, None]
        tokens = prefill_tokens + decode_tokens

        cached = x["inference.cached_input_fraction"]
        deployment = x["inference.deployment"]
        api, cloud, owned = (deployment == "api"), (deployment == "cloud"), (deployment == "owned")

        # Each deployment's branch is computed only when some row of the batch uses it.
        zero = np.zeros((1, M))

        # ---- 4.2 API --------------------------------------------------------
        api_compute = zero
        if api.any():
            price_in = x["inference.api_price_input"]
            price_cached = np.where(np.isnan(x["inference.api_price_cached_input"]), price_in,
                                    x["inference.api_price_cached_input"])
            blended_in = (1.0 - cached) * price_in + cached * price_cached
            api_compute = ((prefill_tokens * blended_in[:, None]
                            + decode_tokens * x["inference.api_price_output"][:, None]) / 1e6
                           * trend(x["inference.api_price_change"], M))

        # ---- 4.3 Capacity ---------------------------------------------------
        capacity = _capacity(x, N_act, errors, ~api)
        c, P, R = capacity["c"], capacity["P"], capacity["R"]
        busy = n_samples[:, 0] * inp * (1.0 - cached) / P + n_samples[:, 0] * gen / R
        cap_r = x["inference.target_utilization"] / busy
        replicas = np.where(live & (Q > 0),
                            np.ceil(Q / 86400.0 * x["inference.peak_to_average"][:, None] / cap_r[:, None] - 1e-9),
                            0.0)
        required = np.where(api[:, None], 0.0, c[:, None] * replicas)

        # ---- 4.4 Cloud ------------------------------------------------------
        cloud_rate_i = np.where(np.isnan(x["inference.cloud_rate"]),
                                x["inference.chip.cloud_usd_per_hour"] * fx, x["inference.cloud_rate"])
        errors.add(cloud & np.isnan(cloud_rate_i), "inference.cloud_rate",
                   lambda s: f"is null and chip '{_at(x['inference.chip.id'], s)}' has no cloud_usd_per_hour; "
                             "cloud deployment needs an hourly rate")
        cloud_compute = zero
        if cloud.any():
            cloud_compute = required * HOURS * cloud_rate_i[:, None] * trend(x["inference.cloud_price_change"], M)

        # ---- 4.5 Owned ------------------------------------------------------
        price_i = np.where(np.isnan(x["inference.chip_price"]), x["inference.chip.price_usd"] * fx,
                           x["inference.chip_price"])
        errors.add(owned & np.isnan(price_i), "inference.chip_price",
                   lambda s: f"is null and chip '{_at(x['inference.chip.id'], s)}' has no price_usd; "
                             "owned deployment needs a purchase price")
        errors.add(owned & np.isnan(x["inference.chip.tdp_w"]), "inference.chip",
                   lambda s: f"chip '{_at(x['inference.chip.id'], s)}' has no tdp_w; owned deployment needs its power")
        if owned.any():
            # a null price or power is an error recorded above; zeros keep NaN out of other rows
            fleet = _owned_fleet(x, np.where(owned[:, None], required, 0.0), np.nan_to_num(price_i), M, rows)
        else:
            fleet = {k: zero for k in ("alive", "capex", "depreciation", "energy", "facility")}
            fleet["energy_mwh"] = np.zeros(1)

        accrual = x["finance.basis"] == "accrual"
        owned_compute = np.where(accrual[:, None], fleet["depreciation"], fleet["capex"])
        inference_compute = _by_deployment(api, cloud, owned, api_compute, cloud_compute, owned_compute)
        inference_energy = _by_deployment(api, cloud, owned, zero, zero, fleet["energy"])
        inference_facility = _by_deployment(api, cloud, owned, zero, zero, fleet["facility"])
        capex = _by_deployment(api, cloud, owned, zero, zero, fleet["capex"])
        depreciation = _by_deployment(api, cloud, owned, zero, zero, fleet["depreciation"])
        chips = _by_deployment(api, cloud, owned, zero, required, fleet["alive"])
        owned2 = owned[:, None]

        # ---- 4.6, 4.7 ------------------------------------------------------
        inference_ops = np.where(live, x["inference.ops_cost_per_month"][:, None], 0.0)
        revenue = requests * x["business.revenue_per_request"][:, None] * trend(x["business.revenue_change"], M)

        # ---- 5. Outputs -----------------------------------------------------
        training = training_compute + training_fixed
        inference = inference_compute + inference_energy + inference_facility + inference_ops
        total = training + inference
        cash_inference = np.where(owned2, inference - inference_compute + capex, inference)
        cash_total = training + cash_inference
        series = {
            "training_compute": training_compute, "training_fixed": training_fixed,
            "inference_compute": inference_compute, "inference_energy": inference_energy,
            "inference_facility": inference_facility, "inference_ops": inference_ops,
            "training": training, "inference": inference, "total": total,
            "requests": requests, "tokens": tokens, "chips": chips, "capex": capex,
            "depreciation": depreciation, "revenue": revenue,
            "cash_training": training, "cash_inference": cash_inference, "cash_total": cash_total,
            # not a methodology output: the chips 4.3 requires each month (programmes pool on it)
            "required": required,
        }
        summary = _summary(x, series, fleet, capacity, hours_initial, owned, api, M, irr)
        _refuse_overflow(x, errors, needs_training_chip, hours_initial, hours_refresh, F_t, ~api, series, summary,
                         busy, P, R, n_samples[:, 0] * inp * (1.0 - cached), n_samples[:, 0] * gen)

    bad = errors.mask
    if bad.any() and on_error == "raise":
        raise next(e for e in errors.items() if e is not None)
    series = {k: _full(v, (S, M)) for k, v in series.items()}
    summary = {k: _full(v, (S,)) for k, v in summary.items()}
    if bad.any():
        for arr in list(series.values()) + list(summary.values()):
            arr[bad] = NAN
    return Result(M, series, summary, errors.items())


def _refuse_overflow(x, errors: _Errors, needs_training_chip, hours_initial, hours_refresh, F_t, serves,
                     series: dict, summary: dict, busy, P, R, prefill_per_request, decode_per_request) -> None:
    """Refuse a row whose costs are beyond double precision, naming the input that made them so.

    Every input is bounded, but a divisor may be as small as a field's rule allows (an MFU of
    5e-324 is > 0): the run's chip-hours, or the fleet, then overflow to infinity, and a product
    with a zero turns it into NaN, which would silently drop the whole cost. A month can also be
    finite while the horizon's sum, or its present value, is not (1e306 a month for 120 months):
    every cost is non-negative, so a finite sum means finite months, yearly sums and running
    totals, and the sums and present values are what is checked.
    """
    beyond = "beyond double precision (about 1.8e308)"
    finite = np.isfinite
    training_sum = summary["training_cost"]
    inference_sum = summary["inference_cost"]
    cash_inference_sum = series["cash_inference"].sum(axis=1)
    training_bad = needs_training_chip & ~(finite(hours_initial) & finite(hours_refresh) & finite(training_sum))
    inference_bad = serves & ~(finite(inference_sum) & finite(cash_inference_sum))
    # each part finite, their sum not (two halves of 1e308): the larger part is the cause
    total_bad = ~training_bad & ~inference_bad & ~(finite(summary["total_cost"])
                                                   & finite(training_sum + cash_inference_sum))
    training_larger = training_sum >= np.maximum(inference_sum, cash_inference_sum)
    training_bad = training_bad | (total_bad & training_larger & needs_training_chip)
    inference_bad = inference_bad | (total_bad & ~(training_larger & needs_training_chip) & serves)
    errors.add(training_bad, "training.mfu",
               lambda s: f"with the training chip's peak of {_at(F_t, s) / 1e12:g} TFLOP/s gives training costing more "
                         f"than can be counted (compute / (peak x mfu x 3600) chip-hours, summed over the horizon, "
                         f"is {beyond}); use a real utilisation (0.2 to 0.6) and chip peak")
    if inference_bad.any():
        utilisation = x["inference.target_utilization"]
        decode_side = decode_per_request / R >= prefill_per_request / P
        measured = {"inference.decode_tokens_per_s_per_chip": decode_side,
                    "inference.prefill_tokens_per_s_per_chip": ~decode_side}
        rule = (lambda s: f"leaves a replica almost no capacity ({_at(utilisation / busy, s):.3g} requests per "
                          f"second): the fleet and its cost over the horizon would be {beyond}; give a real "
                          "throughput and utilisation")
        tiny_utilisation = inference_bad & (utilisation < 1e-3)
        errors.add(tiny_utilisation, "inference.target_utilization", rule)
        for field, side in measured.items():
            errors.add(inference_bad & ~tiny_utilisation & side & ~np.isnan(x[field]), field, rule)
        errors.add(inference_bad, "inference.chip",  # estimated from the chip's peak, bandwidth and efficiency
                   lambda s: "with the inference.efficiency values " + rule(s))
    # every cost finite, its present value not: the discount factor (1 + r) ** (-m / 12) overflowed
    discount_bad = ~present_values_finite(summary, errors.size) & finite(summary["revenue_total"])
    errors.add(discount_bad, "finance.discount_rate",
               lambda s: f"discounts the horizon's costs to a present value {beyond} "
                         "((1 + rate) ** (-month / 12) grows without bound as the rate nears -1); "
                         "use a real rate (for example 0.08)")
    errors.add(~finite(summary["revenue_total"]), "business.revenue_per_request",
               lambda s: f"with the traffic and its growth gives revenue over the horizon {beyond}; "
                         "use a real price per request")


def present_values_finite(summary: dict, size: int) -> np.ndarray:
    """Per row, whether every present value of ``summary`` is a number (its arrays are (size,) or (1,))."""
    ok = np.ones(size, dtype=bool)
    for key in ("npv_total", "npv_training", "npv_inference", "npv_profit"):
        ok = ok & np.isfinite(summary[key])
    return ok


def _by_deployment(api, cloud, owned, for_api, for_cloud, for_owned) -> np.ndarray:
    """Each row's value for its deployment (no selection when the whole batch shares one)."""
    if owned.all():
        return for_owned
    if cloud.all():
        return for_cloud
    if api.all():
        return for_api
    return np.where(api[:, None], for_api, np.where(cloud[:, None], for_cloud, for_owned))


def _full(values: np.ndarray, shape: tuple) -> np.ndarray:
    """A writable array of the batch's full shape (inputs that did not vary were computed once)."""
    return values if values.shape == shape else np.broadcast_to(values, shape).copy()


def _lookup(codes: np.ndarray, table: dict[str, float]) -> np.ndarray:
    """Map an array of category codes to numbers through ``table``."""
    out = np.full(codes.shape, NAN)
    for code, value in table.items():
        out = np.where(codes == code, value, out)
    return out


def _capacity(x, N_act, errors: _Errors, serves: np.ndarray):
    """Chips per replica c, replica throughputs P and R, batch B and answer speed (section 4.3).

    ``serves`` marks the scenarios whose deployment needs chips; errors are
    recorded only for those.
    """
    precision = x["inference.precision"]
    b = _lookup(precision, BYTES_PER_WEIGHT)
    kv_b = _lookup(precision, KV_BYTES)
    F = _peak_flops(x, "inference")
    HBM = x["inference.chip.memory_gb"] * 1e9
    BW = x["inference.chip.bandwidth_tbs"] * 1e12
    eff = lambda k: x[f"inference.efficiency.{k}"]  # noqa: E731
    W_total = 1e9 * x["model.params_billion"] * b
    chip_id = x["inference.chip.id"]

    given_c = x["inference.chips_per_replica"]
    auto = np.isnan(given_c)
    errors.add(serves & auto & np.isnan(HBM), "inference.chip",
               lambda s: f"chip '{_at(chip_id, s)}' has no memory_gb; set inference.chips_per_replica")
    fits = W_total[:, None] <= eff("weight_memory_fraction")[:, None] * POWERS_OF_TWO[None, :] * HBM[:, None]
    errors.add(serves & auto & ~np.isnan(HBM) & ~fits.any(axis=1), "model.params_billion",
               lambda s: f"{_at(x['model.params_billion'], s):g}B parameters at {_at(precision, s)} do not fit on "
                         f"1024 '{_at(chip_id, s)}' chips (weight_memory_fraction "
                         f"{_at(eff('weight_memory_fraction'), s):g})")
    c = np.where(auto, np.where(fits.any(axis=1), POWERS_OF_TWO[np.argmax(fits, axis=1)], NAN), given_c)

    pre = x["inference.prefill_tokens_per_s_per_chip"]
    dec = x["inference.decode_tokens_per_s_per_chip"]
    measured = ~np.isnan(pre) & ~np.isnan(dec)
    estimate = serves & ~measured
    errors.add(estimate & np.isnan(F), "inference.precision",
               lambda s: f"chip '{_at(chip_id, s)}' has no {_at(precision, s)} peak")
    errors.add(estimate & (np.isnan(HBM) | np.isnan(BW)), "inference.chip",
               lambda s: f"chip '{_at(chip_id, s)}' lacks memory_gb or bandwidth_tbs; "
                         "give measured prefill and decode throughputs")

    kv_tok = 2.0 * x["model.layers"] * x["model.kv_heads"] * x["model.head_dim"] * kv_b
    inp = x["inference.input_tokens"]
    gen = x["inference.reasoning_tokens"] + x["inference.output_tokens"]
    ctx_max = inp + gen
    ctx_avg = inp + gen / 2.0
    B_max = np.minimum(eff("max_batch"),
                       np.floor((eff("memory_fraction") * c * HBM - W_total) / (ctx_max * kv_tok)))
    errors.add(estimate & ~np.isnan(c) & ~np.isnan(HBM) & ~(B_max >= 1), "inference.chips_per_replica",
               lambda s: f"{_at(c, s):g} '{_at(chip_id, s)}' chip(s) per replica leave no memory for the KV cache of one "
                         f"request of {_at(ctx_max, s):g} tokens (batch < 1); use more chips per replica")

    # MoE expert coverage: the experts that B independently routed tokens touch, on average
    X = x["model.experts"]
    k = x["model.experts_per_token"]
    moe = ~np.isnan(X)
    N_total = 1e9 * x["model.params_billion"]
    e = np.where(moe, (N_total - N_act) / (X - k), 0.0)
    N_sh = np.where(moe, N_act - k * e, N_act)
    errors.add(estimate & moe & (N_sh < 0), "model.experts",
               lambda s: f"{_at(X, s):g} experts with {_at(k, s):g} per token leave a negative shared part "
                         f"({_at(N_sh, s) / 1e9:.4g}B parameters): active_params_billion must be at least "
                         "experts_per_token x (params_billion - active_params_billion) / (experts - experts_per_token)")

    def W_read(B):
        return np.where(moe, b * (N_sh + X * e * (1.0 - (1.0 - k / X) ** B)), W_total)

    mem_rate = c * BW * eff("bandwidth")
    flop_rate = c * F * eff("decode_mfu")

    def step_time(B):
        return (W_read(B) + B * ctx_avg * kv_tok) / mem_rate + B * 2.0 * N_act / flop_rate

    s_eff = np.where(np.isnan(eff("serving")),
                     np.where(np.isnan(x["inference.chip.serving_efficiency"]), DEFAULT_SERVING_EFFICIENCY,
                              x["inference.chip.serving_efficiency"]),
                     eff("serving"))
    u = x["inference.min_tokens_per_s_per_user"]
    targeted = ~np.isnan(u)
    B_top = np.where(B_max >= 1, B_max, 1.0)
    B = B_top
    if (estimate & targeted).any():
        # the largest integer B in 1 .. B_max with s / t(B) >= u; the speed falls as B grows,
        # so an integer bisection finds it in log2(B_max) steps for the whole batch at once
        best = s_eff / step_time(1.0)
        reachable = best >= u
        errors.add(estimate & targeted & (B_max >= 1) & ~reachable, "inference.min_tokens_per_s_per_user",
                   lambda s: f"{_at(u, s):g} tokens/s per user is out of reach on '{_at(chip_id, s)}' with "
                             f"{_at(c, s):g} chip(s) per replica: the best is {_at(best, s):.4g} tokens/s "
                             "(batch 1)")
        hi = np.where(targeted & reachable & np.isfinite(B_top), B_top, 1.0)
        lo = np.ones_like(hi)
        while np.any(lo < hi):
            searching = lo < hi
            mid = np.ceil((lo + hi) / 2.0)
            ok = s_eff / step_time(mid) >= u
            lo = np.where(searching & ok, mid, lo)
            hi = np.where(searching & ~ok, mid - 1.0, hi)
        B = np.where(targeted, lo, B_top)
    t = step_time(B)
    R_est = s_eff * B / t
    P_est = s_eff * c * F * eff("prefill_mfu") / (2.0 * N_act)
    per_user = s_eff / t
    cached = x["inference.cached_input_fraction"]
    answer_seconds = inp * (1.0 - cached) / P_est + gen / per_user
    P = np.where(measured, c * pre, P_est)
    R = np.where(measured, c * dec, R_est)
    return {"c": c, "P": P, "R": R, "B": B, "per_user": per_user, "answer_seconds": answer_seconds,
            "measured": measured}


def owned_fleet(inputs: Mapping[str, object], required: np.ndarray, months: int) -> dict[str, np.ndarray]:
    """The owned fleet of section 4.5 for given chip needs (programmes pool on it, section 6).

    Parameters
    ----------
    inputs : mapping
        Engine inputs as :func:`run` takes them; the facility section, the finance basis and
        the inference chip's price (``inference.chip_price``, else the catalog's times
        ``finance.usd_to_currency``) and ``tdp_w`` are used.
    required : array (S, M)
        Chips required in each month.
    months : int

    Returns
    -------
    dict
        ``alive``, ``capex``, ``depreciation``, ``energy``, ``facility`` and ``compute``
        (capex on a cash basis, depreciation on an accrual basis), each (S, M), and
        ``energy_mwh`` (S,).

    >>> fleet = owned_fleet({"model.params_billion": 1, "inference.requests_per_day": 0,
    ...                      "inference.chip_price": 1000.0, "inference.chip.tdp_w": 700.0,
    ...                      "facility.life_years": 1.0}, np.array([[3.0] * 12 + [0.0] * 12]), 24)
    >>> fleet["alive"][0, [0, 11, 12]].tolist(), float(fleet["capex"].sum())
    ([8.0, 8.0, 0.0], 11200.0)
    """
    x, S = _broadcast_inputs(inputs)
    M = int(months)
    required = np.asarray(required, dtype=float)
    S = max(S, required.shape[0])
    price = np.where(np.isnan(x["inference.chip_price"]),
                     x["inference.chip.price_usd"] * x["finance.usd_to_currency"], x["inference.chip_price"])
    if np.isnan(price).any():
        raise EngineError(0, "inference.chip_price", "is null and the chip has no price_usd; owned deployment "
                          "needs a purchase price")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fleet = _owned_fleet(x, np.broadcast_to(required, (S, M)), np.broadcast_to(price, (S,)), M, np.arange(S))
    accrual = x["finance.basis"] == "accrual"
    fleet["compute"] = np.where(accrual[:, None], fleet["depreciation"], fleet["capex"])
    return {k: _full(np.asarray(v), (S, M) if np.ndim(v) == 2 else (S,)) for k, v in fleet.items()}


def _owned_fleet(x, required: np.ndarray, chip_price: np.ndarray, M: int, rows: np.ndarray) -> dict:
    """Owned fleet cohorts: purchases in whole servers, retirement after ``life`` months (methodology section 4.5).

    Works month-major, ``(M, S)``, so that the loop over months, which carries
    the fleet's state, reads and writes contiguous rows.
    """
    f = lambda k: x[f"facility.{k}"]  # noqa: E731
    S = rows.shape[0]
    need_t = np.ascontiguousarray(np.broadcast_to(required, (S, M)).T)
    life = np.round(12.0 * f("life_years")).astype(np.int64)
    per_server = f("chips_per_server")
    # index of the first month whose purchases are still alive in month m: max(0, m - life + 1)
    first_alive = np.maximum(0, np.arange(M)[:, None] - life[None, :] + 1)  # (M, 1) or (M, S)
    uniform_life = first_alive.shape[1] == 1
    first_alive_col = first_alive[:, 0]
    bought = np.zeros((M + 1, S))  # bought[m] = chips bought in months 0 .. m-1
    buy = np.zeros((M, S))
    for month in range(M):
        earlier = bought[first_alive_col[month]] if uniform_life else bought[first_alive[month], rows]
        alive_before = bought[month] - earlier  # bought in months m - life + 1 .. m - 1
        need = need_t[month] - alive_before
        np.maximum(need, 0.0, out=need)
        buy[month] = per_server * np.ceil(need / per_server - 1e-9)
        bought[month + 1] = bought[month] + buy[month]

    def window(prefix: np.ndarray) -> np.ndarray:
        """Sum over months m - life + 1 .. m of a quantity, from its prefix sums."""
        if uniform_life:
            return prefix[1:] - prefix[first_alive_col]
        return prefix[1:] - np.take_along_axis(prefix, first_alive, axis=0)

    alive = np.ascontiguousarray(window(bought).T)
    K = (chip_price[:, None] * trend(f("hardware_price_change"), M) * (1.0 + f("server_overhead"))[:, None]).T
    capex_t = buy * K
    spent = np.zeros((M + 1, S))
    np.cumsum(capex_t, axis=0, out=spent[1:])
    # back to scenario-major and contiguous, so sums over months run in the same
    # order for a scenario computed alone or in a batch
    installed = np.ascontiguousarray(window(spent).T)
    capex = np.ascontiguousarray(capex_t.T)
    server_kw = np.nan_to_num(x["inference.chip.tdp_w"]) / 1000.0 * (1.0 + f("server_power_overhead"))
    elec = f("electricity_price")[:, None] * trend(f("electricity_price_change"), M)
    kw_drawn = server_kw * f("power_load_factor") * f("pue")  # average kW per installed chip
    return {
        "alive": alive,
        "capex": capex,
        "depreciation": installed / life[:, None],
        "energy": alive * (kw_drawn * HOURS)[:, None] * elec,
        "facility": alive * (server_kw * f("colocation_per_kw_month"))[:, None]
        + (f("maintenance_rate") / 12.0)[:, None] * installed,
        "energy_mwh": kw_drawn * HOURS / 1000.0 * alive.sum(axis=1),
    }


def _first_month(condition: np.ndarray) -> np.ndarray:
    """Index of the first True along months, NaN where there is none."""
    return np.where(condition.any(axis=1), np.argmax(condition, axis=1).astype(float), NAN)


def _summary(x, series, fleet, capacity, hours_initial, owned, api, M, with_irr: bool) -> dict[str, np.ndarray]:
    total_of = {k: series[k].sum(axis=1) for k in ("training", "inference", "total", "tokens", "requests",
                                                     "revenue", "capex", "depreciation")}
    training_cost, inference_cost, total_cost = total_of["training"], total_of["inference"], total_of["total"]
    rate = x["finance.discount_rate"]
    cum_inf = np.cumsum(series["inference"], axis=1)
    cum_train = np.cumsum(series["training"], axis=1)
    earns = bool(np.any(total_of["revenue"] != 0))
    if earns:
        net = series["revenue"] - series["cash_total"]
        cum_rev = np.cumsum(series["revenue"], axis=1)
        payback = _first_month((cum_rev >= np.cumsum(series["cash_total"], axis=1)) & (cum_rev > 0))
        npv_profit = npv(net, rate)
        irr = irr_annual(net) if with_irr else np.full(net.shape[0], NAN)
    else:  # no revenue anywhere in the batch: no payback, no IRR, NPV of profit is minus NPV of costs
        payback = irr = np.full(1, NAN)
        npv_profit = None
    npv_total = npv(series["cash_total"], rate)
    c, P, R = capacity["c"], capacity["P"], capacity["R"]
    estimated = ~api & ~capacity["measured"]
    return {
        "training_cost": training_cost,
        "inference_cost": inference_cost,
        "total_cost": total_cost,
        "inference_share": np.where(total_cost != 0, inference_cost / total_cost, NAN),
        "crossover_month": _first_month((cum_inf >= cum_train) & (cum_inf > 0)),
        "npv_total": npv_total,
        "npv_training": npv(series["cash_training"], rate),
        "npv_inference": npv(series["cash_inference"], rate),
        "cost_per_million_tokens": np.where(total_of["tokens"] > 0, inference_cost / (total_of["tokens"] / 1e6), NAN),
        "cost_per_request": np.where(total_of["requests"] > 0, inference_cost / total_of["requests"], NAN),
        "peak_chips": series["chips"].max(axis=1),
        "training_chips": hours_initial / (x["training.duration_months"] * HOURS),
        "energy_mwh": np.where(owned, fleet["energy_mwh"], 0.0),
        "residual_book_value": np.where(owned, total_of["capex"] - total_of["depreciation"], 0.0),
        "replica_chips": np.where(api, NAN, c),
        "replica_prefill_tokens_per_s": np.where(api, NAN, P),
        "replica_decode_tokens_per_s": np.where(api, NAN, R),
        "replica_batch": np.where(estimated, capacity["B"], NAN),
        "tokens_per_s_per_user": np.where(estimated, capacity["per_user"], NAN),
        "answer_seconds": np.where(estimated, capacity["answer_seconds"], NAN),
        "revenue_total": total_of["revenue"],
        "profit": total_of["revenue"] - total_cost,
        "npv_profit": -npv_total if npv_profit is None else npv_profit,
        "payback_month": payback,
        "irr": irr,
    }


def months_label(start_month: str, months: int) -> list[str]:
    """Calendar labels ``YYYY-MM`` of months 0 .. months-1 from ``start_month``.

    >>> months_label("2026-11", 3)
    ['2026-11', '2026-12', '2027-01']
    """
    year, month = (int(p) for p in start_month.split("-"))
    first = year * 12 + month - 1
    return [f"{(first + k) // 12:04d}-{(first + k) % 12 + 1:02d}" for k in range(months)]


__all__ = ["run", "owned_fleet", "Result", "yearly", "trend", "months_label", "INPUT_DEFAULTS", "SERIES", "SUMMARY",
           "CHIP_SPECS", "CHOICES", "HOURS", "DAYS", "DEFAULT_SERVING_EFFICIENCY", "EngineError"]
