"""Sensitivity tools over the engine: every question is one batch, never a loop over scenarios.

The functions here work on engine inputs (a mapping from dotted paths to
values, as :func:`tcoapp.engine.run` takes them) and know nothing of files,
schemas or the catalog; :mod:`tcoapp.scenario.sensitivity` maps scenarios to
them. Long calls take two plain callables, ``progress(fraction)`` and
``cancelled() -> bool``, and raise :class:`Cancelled` when asked to stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from .model import Result, run

Progress = Callable[[float], None] | None
CancelCheck = Callable[[], bool] | None

#: Percentiles reported by the Monte Carlo, as (key, percent).
PERCENTILES = (("p5", 5.0), ("p10", 10.0), ("p50", 50.0), ("p90", 90.0), ("p95", 95.0))

#: Metrics whose null means "never" (no month reached): ordered after every month.
MONTH_METRICS = ("crossover_month", "payback_month")

#: Rough number of (S, M) float arrays alive at once inside one engine call;
#: sizes the chunks so that a batch stays within :data:`CHUNK_BYTES`.
_ARRAYS_PER_CALL = 70
CHUNK_BYTES = 300e6


class Cancelled(Exception):
    """The caller's ``cancelled()`` returned True; the work was abandoned."""


def _check(cancelled: CancelCheck) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled()


def chunk_size(months: int, budget_bytes: float = CHUNK_BYTES) -> int:
    """How many scenarios one engine call may take within the memory budget.

    >>> chunk_size(60)
    8928
    """
    return max(64, int(budget_bytes // (_ARRAYS_PER_CALL * 8 * months)))


def batch_with(base: Mapping[str, object], overrides: Mapping[str, np.ndarray]) -> dict[str, object]:
    """Engine inputs of a batch: ``base`` for every row, ``overrides`` varying by row.

    Inputs that do not vary stay scalars, which the engine computes once and broadcasts.
    """
    out = dict(base)
    out.update({k: np.asarray(v) for k, v in overrides.items()})
    return out


def metric_values(result: Result, metric: str) -> np.ndarray:
    """One summary metric per scenario; NaN where null or failed."""
    if metric not in result.summary:
        raise KeyError(f"unknown metric {metric!r}; choose one of {', '.join(result.summary)}")
    return result.summary[metric]


# ---------------------------------------------------------------- tornado
@dataclass
class TornadoRow:
    path: str
    low_input: float
    high_input: float
    low_metric: float
    high_metric: float
    source: str  # "swing" or "uncertainty"
    low_error: str | None = None
    high_error: str | None = None

    @property
    def spread(self) -> float:
        return abs(self.high_metric - self.low_metric)


def tornado(base: Mapping[str, object], months: int, metric: str,
            ranges: Mapping[str, tuple[float, float, str]]) -> tuple[float, list[TornadoRow]]:
    """Metric at the low and high value of each input, all in one batch.

    Parameters
    ----------
    ranges : mapping of path to ``(low, high, source)``

    Returns
    -------
    base_value, rows sorted by ``abs(high_metric - low_metric)``, largest first
    (rows whose metric is undefined at either end come last).
    """
    paths = list(ranges)
    n = 1 + 2 * len(paths)
    overrides: dict[str, np.ndarray] = {}
    for k, path in enumerate(paths):
        column = overrides.get(path)
        if column is None:
            column = np.full(n, float(base[path]))
            overrides[path] = column
        column[1 + 2 * k] = ranges[path][0]
        column[2 + 2 * k] = ranges[path][1]
    result = run(batch_with(base, overrides), months, on_error="mask")
    values = metric_values(result, metric)
    errors = result.errors
    rows = []
    for k, path in enumerate(paths):
        low, high, source = ranges[path]
        lo_err, hi_err = errors[1 + 2 * k], errors[2 + 2 * k]
        rows.append(TornadoRow(path, float(low), float(high), float(values[1 + 2 * k]),
                               float(values[2 + 2 * k]), source,
                               None if lo_err is None else str(lo_err), None if hi_err is None else str(hi_err)))
    rows.sort(key=lambda r: (np.isnan(r.spread), -np.nan_to_num(r.spread)))
    return float(values[0]), rows


# ---------------------------------------------------------------- distributions
def sample_distribution(spec: Mapping[str, object], n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw n values from a distribution of the scenario's ``uncertainty`` section.

    triangular(low, mode, high); pert(low, mode, high), the Beta-PERT with
    shape 4: ``low + (high - low) * Beta(1 + 4 (mode - low) / (high - low),
    1 + 4 (high - mode) / (high - low))``; uniform(low, high);
    normal(mean, sd); lognormal(median, sigma): ``median * exp(sigma * Z)``.

    >>> rng = np.random.default_rng(0)
    >>> x = sample_distribution({"dist": "uniform", "low": 1.0, "high": 3.0}, 100_000, rng)
    >>> round(float(x.mean()), 2)
    2.0
    """
    kind = spec["dist"]
    if kind == "triangular":
        low, mode, high = (float(spec[k]) for k in ("low", "mode", "high"))
        return rng.triangular(low, mode, high, n)
    if kind == "pert":
        low, mode, high = (float(spec[k]) for k in ("low", "mode", "high"))
        a = 1.0 + 4.0 * (mode - low) / (high - low)
        b = 1.0 + 4.0 * (high - mode) / (high - low)
        return low + (high - low) * rng.beta(a, b, n)
    if kind == "uniform":
        return rng.uniform(float(spec["low"]), float(spec["high"]), n)
    if kind == "normal":
        return rng.normal(float(spec["mean"]), float(spec["sd"]), n)
    if kind == "lognormal":
        return float(spec["median"]) * np.exp(float(spec["sigma"]) * rng.standard_normal(n))
    raise ValueError(f"unknown distribution {kind!r}")


def distribution_quantile(spec: Mapping[str, object], q: float, draws: int = 400_000, seed: int = 12345) -> float:
    """A quantile of a distribution (by a large sample where there is no closed form).

    >>> round(distribution_quantile({"dist": "triangular", "low": 0.0, "mode": 0.0, "high": 1.0}, 0.5), 6)
    0.292893
    """
    kind = spec["dist"]
    if kind == "uniform":
        return float(spec["low"]) + q * (float(spec["high"]) - float(spec["low"]))
    if kind == "triangular":
        low, mode, high = (float(spec[k]) for k in ("low", "mode", "high"))
        f_mode = (mode - low) / (high - low)
        if q <= f_mode:
            return float(low + np.sqrt(q * (high - low) * (mode - low)))
        return float(high - np.sqrt((1 - q) * (high - low) * (high - mode)))
    rng = np.random.default_rng(seed)
    return float(np.quantile(sample_distribution(spec, draws, rng), q))


# ---------------------------------------------------------------- Monte Carlo
@dataclass
class MonteCarloResult:
    samples: int
    seed: int
    values: dict[str, np.ndarray]  # metric -> (samples,), NaN where failed or null
    ok: np.ndarray  # (samples,) True where the sample computed
    failed: int
    first_error: str | None
    band_months: int
    band_percentiles: dict[str, np.ndarray] = field(default_factory=dict)  # "p10" -> (M,)
    band_samples: int = 0


def _ordered(metric: str, values: np.ndarray) -> np.ndarray:
    """Values ready for percentiles: a month metric's null ("never") sorts last."""
    return np.where(np.isnan(values), np.inf, values) if metric in MONTH_METRICS else values


def percentiles(metric: str, values: np.ndarray, ok: np.ndarray) -> dict[str, float | None]:
    """P5, P10, P50, P90, P95 and mean of a metric over the samples that computed.

    For crossover and payback months, "never" counts as later than any month,
    so a percentile that falls there is None (never within the horizon); the
    mean is then None too. For other metrics, null values (e.g. IRR undefined)
    are left out.
    """
    v = _ordered(metric, values[ok])
    if metric not in MONTH_METRICS:
        v = v[~np.isnan(v)]
    if v.size == 0:
        return {key: None for key, _ in PERCENTILES} | {"mean": None}
    out: dict[str, float | None] = {}
    for key, pct in PERCENTILES:
        p = float(np.percentile(v, pct))
        out[key] = p if np.isfinite(p) else None
    mean = float(np.mean(v))
    out["mean"] = mean if np.isfinite(mean) else None
    return out


def monte_carlo(base: Mapping[str, object], months: int, draws: Mapping[str, np.ndarray],
                metrics: Sequence[str], *, band_limit: int = 200_000, progress: Progress = None,
                cancelled: CancelCheck = None, chunk: int | None = None, seed: int = 0) -> MonteCarloResult:
    """Evaluate sampled inputs in bounded chunks and keep what the summaries need.

    ``draws`` maps input paths to arrays of the same length (the samples).
    Memory stays bounded: each chunk is one engine call of at most ``chunk``
    scenarios, and the cumulative-cost paths for the fan chart are kept
    (as float32) for at most ``band_limit`` samples, the first ones drawn,
    which are as random as any.
    """
    n = len(next(iter(draws.values()))) if draws else 1
    chunk = chunk or chunk_size(months)
    values = {m: np.full(n, np.nan) for m in metrics}
    kept = min(n, band_limit)
    paths = np.empty((kept, months), dtype=np.float32)
    ok = np.ones(n, dtype=bool)
    failed, first_error = 0, None
    for start in range(0, n, chunk):
        _check(cancelled)
        stop = min(n, start + chunk)
        overrides = {k: v[start:stop] for k, v in draws.items()}
        if not overrides:  # nothing uncertain: every sample is the base scenario
            overrides = {"finance.discount_rate": np.full(stop - start, float(base["finance.discount_rate"]))}
        result = run(batch_with(base, overrides), months, on_error="mask", irr="irr" in metrics)
        for m in metrics:
            values[m][start:stop] = metric_values(result, m)
        bad = result.error_mask
        ok[start:stop] = ~bad
        if bad.any():
            failed += int(bad.sum())
            first_error = first_error or str(next(e for e in result.errors if e is not None))
        if start < kept:
            upto = min(stop, kept)
            paths[start:upto] = np.cumsum(result.series["total"][: upto - start], axis=1)
        if progress is not None:
            progress(stop / n)
    ok_paths = ~np.isnan(paths).any(axis=1)
    if ok_paths.any():  # one partition for all five percentiles
        table = np.percentile(paths[ok_paths], [pct for _, pct in PERCENTILES], axis=0)
    else:
        table = np.full((len(PERCENTILES), months), np.nan)
    bands = {key: table[i] for i, (key, _) in enumerate(PERCENTILES)}
    return MonteCarloResult(n, seed, values, ok, failed, first_error, months, bands, int(ok_paths.sum()))


# ---------------------------------------------------------------- goal seek
@dataclass
class GoalSeekResult:
    status: str  # "ok", "no solution in range", "several solutions", "not reached"
    solutions: list[float]
    achieved: list[float]
    message: str


def goal_seek(base: Mapping[str, object], months: int, path: str, metric: str, target: float,
              low: float, high: float, *, integer: bool = False, tol: float | None = None,
              grid: int = 129, max_iter: int = 80, progress: Progress = None,
              cancelled: CancelCheck = None) -> GoalSeekResult:
    """The value(s) of one input in ``[low, high]`` at which a metric reaches ``target``.

    One batch evaluates a grid over the range and finds every sign change of
    ``metric - target`` (vectorised bracketing); then all brackets are
    refined together by bisection, one batch per step. Replica and server
    rounding make many metrics step functions: where the metric jumps over
    the target instead of meeting it, the result says so ("not reached") and
    gives the jump's location, rather than pretending. For whole-number
    inputs the grid is every integer in the range when there are few enough.
    """
    tol = tol if tol is not None else max(abs(target) * 1e-6, 1e-9)
    if not low < high:
        raise ValueError(f"the range must have low < high, got [{low}, {high}]")
    if integer:
        lo_i, hi_i = int(np.ceil(low)), int(np.floor(high))
        xs = np.arange(lo_i, hi_i + 1, dtype=float)
        if xs.size > 20_000:
            xs = np.unique(np.round(np.linspace(lo_i, hi_i, 20_000)))
    else:
        xs = np.linspace(low, high, grid)

    def evaluate(points: np.ndarray) -> np.ndarray:
        _check(cancelled)
        result = run(batch_with(base, {path: points}), months, on_error="mask")
        return metric_values(result, metric) - target

    g = evaluate(xs)
    exact = np.flatnonzero(np.abs(g) <= tol)
    sign = np.sign(g)
    finite = np.isfinite(g)
    cross = np.flatnonzero(finite[:-1] & finite[1:] & (sign[:-1] * sign[1:] < 0))
    # a crossing is a bracket unless one of its ends already meets the target
    cross = np.array([c for c in cross if c not in exact and c + 1 not in exact], dtype=int)
    lo, hi = xs[cross].copy(), xs[cross + 1].copy()
    g_lo = g[cross].copy()
    if integer:
        pass  # adjacent integers: nothing between them to refine
    else:
        for it in range(max_iter):
            if lo.size == 0 or np.all(hi - lo <= 1e-12 * np.maximum(1.0, np.abs(hi))):
                break
            mid = 0.5 * (lo + hi)
            g_mid = evaluate(mid)
            done = np.abs(g_mid) <= tol
            left = np.sign(g_mid) == np.sign(g_lo)
            lo = np.where(done, mid, np.where(left, mid, lo))
            g_lo = np.where(done, g_mid, np.where(left, g_mid, g_lo))
            hi = np.where(done, mid, np.where(left, hi, mid))
            if progress is not None:
                progress((it + 1) / max_iter)
    candidates = list(xs[exact]) + list(0.5 * (lo + hi) if not integer else [])
    if integer:
        # between two integers the metric jumps; report the integer nearer the target
        for c in cross:
            candidates.append(xs[c] if abs(g[c]) <= abs(g[c + 1]) else xs[c + 1])
    candidates = sorted(set(float(c) for c in candidates))
    if not candidates:
        span = f"{np.nanmin(g) + target:.6g} .. {np.nanmax(g) + target:.6g}" if finite.any() else "undefined"
        return GoalSeekResult("no solution in range", [], [],
                              f"{metric} stays within {span} for {path} in [{low:g}, {high:g}]; "
                              f"it never reaches {target:g}")
    achieved = list(evaluate(np.array(candidates)) + target)
    met = [abs(a - target) <= tol for a in achieved]
    if not any(met):
        return GoalSeekResult("not reached", candidates, achieved,
                              f"{metric} jumps over {target:g} at {path} = {candidates[0]:.6g} "
                              f"(to {achieved[0]:.6g}): a step from whole replicas or servers")
    solutions = [c for c, m in zip(candidates, met) if m]
    reached = [a for a, m in zip(achieved, met) if m]
    if len(solutions) > 1 and not _one_plateau(solutions, xs, g, tol):
        return GoalSeekResult("several solutions", solutions, reached,
                              f"{metric} reaches {target:g} at {len(solutions)} values of {path}")
    return GoalSeekResult("ok", solutions[:1], reached[:1],
                          f"{metric} = {reached[0]:.6g} at {path} = {solutions[0]:.6g}")


def _one_plateau(solutions: list[float], xs: np.ndarray, g: np.ndarray, tol: float) -> bool:
    """Whether all solutions lie on one flat stretch where the metric equals the target."""
    inside = (xs >= min(solutions)) & (xs <= max(solutions))
    return bool(np.all(np.abs(g[inside]) <= tol))


# ---------------------------------------------------------------- sweeps
def sweep(base: Mapping[str, object], months: int, path: str, values: Sequence[float],
          metrics: Sequence[str]) -> tuple[dict[str, np.ndarray], list]:
    """Metrics at each value of one input, in one batch."""
    result = run(batch_with(base, {path: np.asarray(values, dtype=float)}), months, on_error="mask")
    return {m: metric_values(result, m) for m in metrics}, result.errors


def sweep2(base: Mapping[str, object], months: int, x_path: str, x_values: Sequence[float],
           y_path: str, y_values: Sequence[float], metric: str) -> np.ndarray:
    """Metric over a grid of two inputs in one batch; ``grid[iy, ix]``."""
    if x_path == y_path:
        raise ValueError("a two-way sweep needs two different inputs")
    xs, ys = np.meshgrid(np.asarray(x_values, float), np.asarray(y_values, float))
    result = run(batch_with(base, {x_path: xs.ravel(), y_path: ys.ravel()}), months, on_error="mask")
    return metric_values(result, metric).reshape(xs.shape)
