"""The sensitivity solver on scenarios: tornado, Monte Carlo, goal seek, sweeps, comparisons.

Each tool turns its question into one batch (or a few, in bounded chunks) of
engine inputs built from the scenario, runs the engine once per batch and
returns a JSON-ready dict. Values varied by a tool are kept inside the field's
own rule (clipped to its bounds, rounded for whole-number fields) so that every
row is a scenario the file format accepts.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from ..engine import CHIP_SPECS, DEFAULT_SERVING_EFFICIENCY, months_label
from ..engine import sensitivity as core
from ..engine.sensitivity import Cancelled  # noqa: F401  (re-exported for callers)
from ..engine.model import run
from .batch import engine_inputs, months, stack
from .catalog import chips_for
from .errors import ScenarioError
from .outputs import HIGHER_IS_BETTER, SUMMARY_LABELS, json_number, metric_label
from .schema import numeric_field_paths

DEFAULT_MC_METRICS = ("total_cost", "npv_total", "inference_share", "crossover_month")

#: Lowest value a field can take beyond its declared bound, where the engine needs it
#: (a life that rounds to zero months is refused by the schema's own cross-field rule).
_EXTRA_MINIMUM = {"facility.life_years": 1.0 / 12.0}

#: Derived nulls the tools can vary, with the value the engine derives for them.
_DERIVED = {
    "model.active_params_billion": lambda x: x["model.params_billion"],
    "training.compute_flops": lambda x: 6e9 * _num(x["model.active_params_billion"], x["model.params_billion"])
    * 1e12 * x["training.tokens_trillion"],
    "training.chip_price": lambda x: x["training.chip.price_usd"] * x["finance.usd_to_currency"],
    "training.cloud_rate": lambda x: x["training.chip.cloud_usd_per_hour"] * x["finance.usd_to_currency"],
    "inference.chip_price": lambda x: x["inference.chip.price_usd"] * x["finance.usd_to_currency"],
    "inference.cloud_rate": lambda x: x["inference.chip.cloud_usd_per_hour"] * x["finance.usd_to_currency"],
    "inference.launch_month": lambda x: x["training.start_month"] + x["training.duration_months"],
    "inference.api_price_cached_input": lambda x: x["inference.api_price_input"],
    "inference.efficiency.serving": lambda x: _num(x["inference.chip.serving_efficiency"], DEFAULT_SERVING_EFFICIENCY),
}


def _num(value, fallback):
    return fallback if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _base(scenario) -> tuple[dict, int]:
    return engine_inputs(scenario), months(scenario)


def _field(path: str):
    fields = numeric_field_paths()
    if path not in fields:
        raise ScenarioError("is not a numeric scenario field", path=path)
    if path == "horizon_years":
        raise ScenarioError("cannot vary inside one batch (it changes the number of months)", path=path)
    return fields[path]


def resolved_value(inputs: Mapping[str, object], path: str) -> float:
    """The value the engine uses for a field: the scenario's, or what it derives for a null.

    NaN where the engine derives nothing (no cap, estimated throughputs) or
    the catalog lacks the figure.
    """
    value = float(inputs[path])
    if math.isnan(value) and path in _DERIVED:
        value = float(_DERIVED[path](inputs))
    return value


def clip_to_rule(path: str, values: np.ndarray) -> np.ndarray:
    """Keep values inside a field's rule: bounds, and whole numbers for integer fields."""
    spec = _field(path)
    out = np.asarray(values, dtype=float).copy()
    b = spec.bounds
    lower = max(b.get("ge", -np.inf), b.get("gt", -np.inf), _EXTRA_MINIMUM.get(path, -np.inf))
    upper = min(b.get("le", np.inf), b.get("lt", np.inf))
    if spec.is_int:
        out = np.round(out)
        lower, upper = math.ceil(lower) if np.isfinite(lower) else lower, math.floor(upper) if np.isfinite(upper) else upper
    if "gt" in b and lower == b["gt"] and not spec.is_int:
        lower = np.nextafter(lower, np.inf) if lower != 0 else 1e-12
    if "lt" in b and upper == b["lt"]:
        upper = np.nextafter(upper, -np.inf)
    return np.clip(out, lower, upper)


def _enforce_cross_rules(inputs: Mapping[str, object], values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Keep varied values within the schema's cross-field rule: active parameters <= parameters.

    ``values`` maps paths to arrays (rows of a batch); returns it with the
    active parameter count capped row by row where either side varies.
    """
    active_key, total_key = "model.active_params_billion", "model.params_billion"
    if active_key not in values and total_key not in values:
        return values
    total = values.get(total_key, np.asarray(float(inputs[total_key])))
    active = values.get(active_key)
    if active is None:
        if math.isnan(float(inputs[active_key])):
            return values  # null: the engine derives it from the parameters, so it follows them
        active = np.asarray(float(inputs[active_key]))
    n = max(np.size(v) for v in values.values())
    values = dict(values)
    values[active_key] = np.broadcast_to(np.minimum(active, total), (n,)).copy()
    return values


def field_title(path: str) -> str:
    """The field's title (``"Target utilisation"``), or the path when it has none."""
    spec = numeric_field_paths().get(path)
    return spec.title if spec else path


# ---------------------------------------------------------------- tornado
def default_tornado_paths(scenario) -> list[str]:
    """Every continuous numeric input with a non-zero value the engine uses.

    The exchange rate ``finance.usd_to_currency`` is left out of an all-USD scenario.

    Whole-number inputs (months, counts) are left out: a fixed swing of a
    count is rarely meaningful; name them in ``paths`` to include them.
    """
    inputs, _ = _base(scenario)
    paths = []
    for path, spec in numeric_field_paths().items():
        if spec.is_int or path == "horizon_years":
            continue
        if path == "finance.usd_to_currency" and scenario.currency == "USD":
            continue  # the rate of USD to USD: swinging it only shows a currency mistake nobody can make
        if path in _FOLLOWS_ANOTHER and math.isnan(float(inputs[path])):
            continue  # null and derived from another input, which the tornado swings itself
        value = resolved_value(inputs, path)
        if np.isfinite(value) and value != 0:
            paths.append(path)
    return paths


#: Nulls derived from another input of the same scenario (not from the catalog).
_FOLLOWS_ANOTHER = ("model.active_params_billion", "training.compute_flops", "inference.launch_month")


def tornado(scenario, metric: str = "total_cost", paths: Iterable[str] | None = None,
            swing: float = 0.2) -> dict:
    """Metric at low and high values of each input, sorted by the size of the effect.

    Low and high are ``base * (1 - swing)`` and ``base * (1 + swing)``, or the
    ``low``/``high`` of the input's ``uncertainty`` entry (its P5/P95 for a
    normal or lognormal). Values are kept within each field's rule.
    """
    if not 0 < swing < 1:
        raise ScenarioError("must be between 0 and 1 (exclusive)", path="swing", value=swing)
    metric_label(metric)
    inputs, M = _base(scenario)
    paths = list(paths) if paths is not None else default_tornado_paths(scenario)
    ranges = {}
    for path in paths:
        _field(path)
        base_value = resolved_value(inputs, path)
        spec = scenario.uncertainty.get(path) if scenario.uncertainty else None
        if spec is not None:
            low, high = _uncertainty_range(spec.model_dump())
            source = "uncertainty"
        else:
            if not np.isfinite(base_value):
                raise ScenarioError("has no value to swing (null and not derived); give it a value or an "
                                    "uncertainty range", path=path)
            low, high, source = base_value * (1 - swing), base_value * (1 + swing), "swing"
        low, high = clip_to_rule(path, np.array([low, high]))
        if path == "model.active_params_billion":
            low, high = np.minimum([low, high], float(inputs["model.params_billion"]))
        ranges[path] = (float(low), float(high), source)
    base_metric, rows = core.tornado(inputs, M, metric, ranges)
    label, unit = metric_label(metric, scenario.currency)
    return {
        "metric": metric, "metric_label": label, "unit": unit, "currency": scenario.currency,
        "base": json_number(base_metric),
        "swing": swing,
        "rows": [{"path": r.path, "title": field_title(r.path), "low_input": r.low_input, "high_input": r.high_input,
                  "low_metric": json_number(r.low_metric), "high_metric": json_number(r.high_metric),
                  "source": r.source, "error": r.low_error or r.high_error} for r in rows],
    }


def _uncertainty_range(spec: dict) -> tuple[float, float]:
    kind = spec["dist"]
    if kind in ("triangular", "pert", "uniform"):
        return float(spec["low"]), float(spec["high"])
    return core.distribution_quantile(spec, 0.05), core.distribution_quantile(spec, 0.95)


# ---------------------------------------------------------------- Monte Carlo
def parse_event(text: str) -> tuple[str, str, float]:
    """Parse an event like ``"inference_share>0.5"`` or ``"crossover_month<12"``.

    >>> parse_event("npv_profit > 0")
    ('npv_profit', '>', 0.0)
    """
    for op in (">=", "<=", ">", "<"):
        if op in text:
            key, value = (p.strip() for p in text.split(op, 1))
            if key not in SUMMARY_LABELS:
                raise ScenarioError(f"unknown metric; choose one of {', '.join(SUMMARY_LABELS)}",
                                    path="event", value=text)
            try:
                threshold = float(value)
            except ValueError:
                raise ScenarioError("needs a number after the comparison", path="event", value=text) from None
            if not math.isfinite(threshold):  # "x>nan" is never true: a probability of 0 that means nothing
                raise ScenarioError("needs a finite number after the comparison", path="event", value=text)
            return key, op, threshold
    raise ScenarioError("must look like metric>value or metric<value (e.g. inference_share>0.5)",
                        path="event", value=text)


def _event_probability(metric: str, op: str, threshold: float, values: np.ndarray, ok: np.ndarray) -> float:
    v = core._ordered(metric, values[ok])  # a month metric's "never" sorts after every month
    if v.size == 0:
        return float("nan")
    with np.errstate(invalid="ignore"):
        hit = {">": v > threshold, ">=": v >= threshold, "<": v < threshold, "<=": v <= threshold}[op]
    return float(np.mean(hit))


def default_events(scenario) -> list[str]:
    """Questions a finance office asks of every run."""
    events = ["inference_share>0.5", f"crossover_month<{12 * scenario.horizon_years}"]
    if scenario.business.revenue_per_request > 0:
        events.append("npv_profit>0")
    return events


def monte_carlo(scenario, samples: int = 10_000, seed: int = 0, metrics: Sequence[str] = DEFAULT_MC_METRICS,
                events: Sequence[str] | None = None, bins: int = 40,
                progress: Callable[[float], None] | None = None,
                cancelled: Callable[[], bool] | None = None, chunk: int | None = None,
                workers: int | None = None) -> dict:
    """Monte Carlo over the scenario's ``uncertainty`` section.

    Seeded and reproducible (inputs are drawn in the order of the section's
    keys from one generator); evaluated in chunks so memory stays bounded.
    Returns percentiles (P5, P10, P50, P90, P95, mean) of each metric, a
    histogram of each, the probability of each event (``crossover_month<24``:
    inference overtakes training before month 24; "never" counts as not),
    and monthly percentile bands of cumulative total cost for a fan chart.
    ``chunk``: scenarios per engine call (default: as many as memory allows);
    smaller chunks let ``cancelled`` stop a run sooner. ``workers``: threads
    (default: every core). The result depends on neither.
    """
    if samples < 1:
        raise ScenarioError("must be at least 1", path="samples", value=samples)
    for m in metrics:
        metric_label(m)
    inputs, M = _base(scenario)
    rng = np.random.default_rng(seed)
    draws = {}
    for path, dist in (scenario.uncertainty or {}).items():
        _field(path)
        draws[path] = clip_to_rule(path, core.sample_distribution(dist.model_dump(), samples, rng))
    if not draws:
        raise ScenarioError("is empty: add an uncertain input (e.g. inference.annual_growth) to run a "
                            "Monte Carlo", path="uncertainty")
    draws = _enforce_cross_rules(inputs, draws)
    events = list(events if events is not None else default_events(scenario))
    parsed = [parse_event(text) for text in events]
    collected = list(dict.fromkeys([*metrics, *(key for key, _, _ in parsed)]))
    result = core.monte_carlo(inputs, M, draws, collected, progress=progress, cancelled=cancelled, seed=seed,
                              chunk=chunk, workers=workers)
    ok = result.ok
    out_metrics, histograms = {}, {}
    for m in metrics:
        values = result.values[m]
        out_metrics[m] = core.percentiles(m, values, ok)
        finite = values[ok & np.isfinite(values)]
        if finite.size:
            counts, edges = np.histogram(finite, bins=bins)
            histograms[m] = {"edges": edges.tolist(), "counts": counts.tolist(),
                             "never": int(np.sum(ok & np.isnan(values))) if m in core.MONTH_METRICS else 0}
    probabilities = {text: json_number(_event_probability(key, op, threshold, result.values[key], ok))
                     for text, (key, op, threshold) in zip(events, parsed)}
    return {
        "samples": samples, "seed": seed,
        "inputs": {path: {"title": field_title(path), **dist.model_dump()} for path, dist in scenario.uncertainty.items()},
        "metrics": out_metrics,
        "histograms": histograms,
        "probabilities": probabilities,
        "failed": result.failed, "first_error": result.first_error,
        "bands": {"months": months_label(scenario.start_month, M), "samples": result.band_samples,
                  **{k: [json_number(v) for v in arr] for k, arr in result.band_percentiles.items()}},
    }


# ---------------------------------------------------------------- goal seek, sweeps
def goal_seek(scenario, path: str, metric: str, target: float, low: float, high: float,
              tol: float | None = None, progress=None, cancelled=None) -> dict:
    """The value of ``path`` in ``[low, high]`` at which ``metric`` reaches ``target``."""
    spec = _field(path)
    metric_label(metric)
    for name, value in (("target", target), ("low", low), ("high", high), ("tol", tol)):
        if value is not None and not math.isfinite(value):
            raise ScenarioError("must be a finite number", path=name, value=value)
    if tol is not None and tol <= 0:
        raise ScenarioError("must be > 0", path="tol", value=tol)
    if not low < high:
        raise ScenarioError(f"must be above low ({low:g})", path="high", value=high)
    inputs, M = _base(scenario)
    lo, hi = clip_to_rule(path, np.array([low, high]))
    if spec.is_int:
        lo, hi = math.ceil(lo), math.floor(hi)
    if not lo < hi:
        raise ScenarioError(f"[{low:g}, {high:g}] holds no two values allowed for {path} ({spec.rule or 'any'}"
                            f"{', whole numbers' if spec.is_int else ''})", path="low", value=low)
    result = core.goal_seek(inputs, M, path, metric, float(target), float(lo), float(hi), integer=spec.is_int,
                            tol=tol, progress=progress, cancelled=cancelled)
    as_field = (lambda v: int(round(v))) if spec.is_int else float
    return {"path": path, "metric": metric, "target": target, "low": as_field(lo), "high": as_field(hi),
            "status": result.status, "value": as_field(result.solutions[0]) if result.solutions else None,
            "achieved": json_number(result.achieved[0]) if result.achieved else None,
            "solutions": [as_field(v) for v in result.solutions],
            "ranges": [[as_field(a), as_field(b)] for a, b in result.ranges], "message": result.message,
            "tolerance": tol if tol is not None else max(abs(target) * 1e-6, 1e-9)}


def _values(name: str, path: str, values: Sequence[float]) -> np.ndarray:
    """Sweep values as an array within the field's rule; empty or non-finite lists are refused."""
    xs = np.asarray(list(values), dtype=float)
    if xs.size == 0:
        raise ScenarioError("needs at least one value", path=name)
    if not np.all(np.isfinite(xs)):
        raise ScenarioError("must all be finite numbers", path=name, value=[float(v) for v in xs])
    return clip_to_rule(path, xs)


def sweep(scenario, path: str, values: Sequence[float], metrics: Sequence[str] = ("total_cost",)) -> dict:
    """Metrics at each of N values of one input, in one batch."""
    _field(path)
    for m in metrics:
        metric_label(m)
    inputs, M = _base(scenario)
    xs = _values("values", path, values)
    out, errors = core.sweep(inputs, M, path, xs, metrics)
    return {"path": path, "values": xs.tolist(),
            "metrics": {m: [json_number(v) for v in out[m]] for m in metrics},
            "errors": [None if e is None else str(e) for e in errors]}


def sweep2(scenario, x_path: str, x_values: Sequence[float], y_path: str, y_values: Sequence[float],
           metric: str = "total_cost") -> dict:
    """Metric over a grid of two inputs in one batch; ``grid[iy][ix]``."""
    _field(x_path), _field(y_path)
    if x_path == y_path:
        raise ScenarioError("must differ from the first input: a two-way sweep needs two inputs", path="y_path",
                            value=y_path)
    metric_label(metric)
    inputs, M = _base(scenario)
    xs = _values("x_values", x_path, x_values)
    ys = _values("y_values", y_path, y_values)
    grid = core.sweep2(inputs, M, x_path, xs, y_path, ys, metric)
    return {"x_path": x_path, "y_path": y_path, "metric": metric, "x": xs.tolist(), "y": ys.tolist(),
            "grid": [[json_number(v) for v in row] for row in grid]}


def linspace_around(scenario, path: str, points: int = 11, spread: float = 0.5) -> list[float]:
    """Default sweep values: ``base * (1 - spread) .. base * (1 + spread)``, within the field's rule."""
    _field(path)
    if points < 1:
        raise ScenarioError("must be at least 1", path="points", value=points)
    inputs, _ = _base(scenario)
    base = resolved_value(inputs, path)
    if not np.isfinite(base) or base == 0:
        raise ScenarioError("has no value to sweep around; give explicit values", path=path)
    return axis_within_rule(path, base * (1 - spread), base * (1 + spread), points)


def axis_within_rule(path: str, low: float, high: float, points: int) -> list[float]:
    """``points`` evenly spaced values from ``low`` to ``high``, both first brought within the field's rule,
    without repeats (clipping each point instead would repeat the bound: pue 0.65 .. 1.95 gave 1, 1, 1, ...;
    a whole-number field may still give fewer points than asked)."""
    low, high = (float(v) for v in clip_to_rule(path, np.array([min(low, high), max(low, high)])))
    values = clip_to_rule(path, np.linspace(low, high, points))
    return list(dict.fromkeys(values.tolist()))


# ---------------------------------------------------------------- comparisons
#: Inputs that describe one particular chip; a comparison on another chip derives them afresh.
_CHIP_BOUND_INPUTS = {
    "training": ("training.cloud_rate", "training.chip_price"),
    "inference": ("inference.cloud_rate", "inference.chip_price", "inference.chips_per_replica",
                  "inference.prefill_tokens_per_s_per_chip", "inference.decode_tokens_per_s_per_chip"),
}


def _ranked(rows: list[dict], metric: str) -> list[dict]:
    """Rows best first: lowest first, except a metric where more is better (profit, IRR, speed)."""
    sign = -1.0 if metric in HIGHER_IS_BETTER else 1.0

    def key(row):
        v = row["value"]
        return (v is None, sign * v if v is not None else 0.0)
    ranked = sorted(rows, key=key)
    for i, row in enumerate(ranked):
        row["rank"] = i + 1 if row["value"] is not None else None
    return ranked


def _summary_dict(result, s: int) -> dict:
    return {k: json_number(v[s]) for k, v in result.summary.items()}


def refuse_api_chip_comparison(deployment: str, role: str, path: str = "inference.deployment") -> None:
    """An API deployment runs on no chip of ours: swapping its inference chip changes nothing, and a
    ranking of equal rows ("1. A100, 2. H100, ...") would read as a verdict."""
    if deployment == "api" and role == "inference":
        raise ScenarioError('is "api": the inference chip does not change what an API costs; compare the '
                            "training chip (--role training) or the deployments instead", path=path,
                            value=deployment)


def compare_chips(scenario, chips: Sequence[str] | None = None, metric: str = "total_cost",
                  role: str = "inference") -> dict:
    """The scenario on each chip, ranked by a metric, in one batch.

    ``role`` is ``"inference"``, ``"training"`` or ``"both"``: which of the
    scenario's chips is swapped. Prices, rates, chips per replica and measured
    throughputs set in the scenario belong to its own chip; on any other chip
    they are derived afresh (catalog price and rate, automatic replica size,
    roofline throughput). A chip that cannot serve the scenario (no figure at
    the precision, no price for an owned fleet, no cloud rate, the model does
    not fit) is listed with the reason.
    """
    if role not in ("inference", "training", "both"):
        raise ScenarioError('must be "inference", "training" or "both"', path="role", value=role)
    metric_label(metric)
    refuse_api_chip_comparison(scenario.inference.deployment, role)
    catalog = chips_for(scenario)
    ids = list(chips) if chips is not None else list(catalog)
    unknown = [c for c in ids if c not in catalog]
    if unknown:
        raise ScenarioError("is not in the catalog or the scenario's chips", path="chips", value=unknown[0])
    roles = ("training", "inference") if role == "both" else (role,)
    base, M = _base(scenario)
    rows_inputs = []
    for chip_id in ids:
        item = dict(base)
        for r in roles:
            own = getattr(scenario, r).chip == chip_id
            item[f"{r}.chip.id"] = chip_id
            for spec in CHIP_SPECS:
                value = getattr(catalog[chip_id], spec)
                item[f"{r}.chip.{spec}"] = math.nan if value is None else float(value)
            if not own:
                for key in _CHIP_BOUND_INPUTS[r]:
                    item[key] = math.nan
        rows_inputs.append(item)
    result = run(stack(rows_inputs), M, on_error="mask")
    values = result.summary[metric]
    rows = []
    for s, chip_id in enumerate(ids):
        err = result.errors[s]
        chip = catalog[chip_id]
        rows.append({"label": chip.name or chip_id, "chip": chip_id, "value": json_number(values[s]),
                     "summary": _summary_dict(result, s), "error": None if err is None else f"{err.field}: {err.rule}"})
    return {"metric": metric, "role": role, "rows": _ranked(rows, metric)}


def compare_deployments(scenario, metric: str = "total_cost") -> dict:
    """The scenario as API, cloud and owned, ranked by a metric, in one batch.

    The API row needs API prices: with both at 0 it is listed with that reason
    rather than shown as free.
    """
    metric_label(metric)
    base, M = _base(scenario)
    kinds = ("api", "cloud", "owned")
    batch = stack([dict(base, **{"inference.deployment": k}) for k in kinds])
    result = run(batch, M, on_error="mask")
    no_api_price = scenario.inference.api_price_input == 0 and scenario.inference.api_price_output == 0
    rows = []
    for s, kind in enumerate(kinds):
        err = result.errors[s]
        reason = None if err is None else f"{err.field}: {err.rule}"
        if kind == "api" and no_api_price:
            reason = "inference.api_price_input and api_price_output are both 0: set the API's prices to compare"
        rows.append({"label": {"api": "API (pay per token)", "cloud": "Cloud (rent chips)",
                               "owned": "Owned (buy chips)"}[kind], "deployment": kind,
                     "value": None if reason else json_number(result.summary[metric][s]),
                     "summary": _summary_dict(result, s), "error": reason})
    return {"metric": metric, "rows": _ranked(rows, metric)}

