"""Sensitivity tools over the engine: every question is one batch, never a loop over scenarios.

The functions here work on engine inputs (a mapping from dotted paths to
values, as :func:`tcoapp.engine.run` takes them) and know nothing of files,
schemas or the catalog; :mod:`tcoapp.scenario.sensitivity` maps scenarios to
them. Long calls take two plain callables, ``progress(fraction)`` and
``cancelled() -> bool``, and raise :class:`Cancelled` when asked to stop.
"""

from __future__ import annotations

import math
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Callable, Mapping, Sequence

import numpy as np

from .model import Result, run

Progress = Callable[[float], None] | None
CancelCheck = Callable[[], bool] | None
#: What evaluates a batch: :func:`run` by default; a programme passes its own, which takes
#: programme inputs (``"Chat/inference.annual_growth"``) and returns the programme's summary per row.
Runner = Callable[..., Result] | None

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
            ranges: Mapping[str, tuple[float, float, str]], *, runner: Runner = None) -> tuple[float, list[TornadoRow]]:
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
    result = (runner or run)(batch_with(base, overrides), months, on_error="mask")
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
    """A quantile of a distribution (closed form, or a large sample for PERT).

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
    if kind == "normal":
        return float(spec["mean"]) + float(spec["sd"]) * NormalDist().inv_cdf(q)
    if kind == "lognormal":
        return float(spec["median"]) * math.exp(float(spec["sigma"]) * NormalDist().inv_cdf(q))
    rng = np.random.default_rng(seed)  # PERT: no closed form without a Beta quantile
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
    with np.errstate(invalid="ignore"):  # a percentile between a month and "never" is never
        table = np.percentile(v, [pct for _, pct in PERCENTILES])
        mean = float(np.mean(v))
    for (key, _), p in zip(PERCENTILES, table):
        out[key] = float(p) if np.isfinite(p) else None
    out["mean"] = mean if np.isfinite(mean) else None
    return out


def monte_carlo(base: Mapping[str, object], months: int, draws: Mapping[str, np.ndarray],
                metrics: Sequence[str], *, band_limit: int = 20_000, progress: Progress = None,
                cancelled: CancelCheck = None, chunk: int | None = None, seed: int = 0,
                workers: int | None = None, runner: Runner = None) -> MonteCarloResult:
    """Evaluate sampled inputs in bounded chunks and keep what the summaries need.

    ``draws`` maps input paths to arrays of the same length (the samples).
    Memory stays bounded: each chunk is one engine call of at most ``chunk``
    scenarios, and the cumulative-cost paths for the fan chart are kept
    (as float32) for at most ``band_limit`` samples, the first ones drawn,
    which are as random as any: with 20,000 paths a P5 or P95 band is within
    about half a percent of the P5-P95 spread (one standard error), finer
    than a chart shows. Chunks run on ``workers`` threads (default: the
    machine's cores, at most 4): numpy releases the GIL inside its array
    loops, so two cores evaluate two chunks at once. Results do not depend
    on the number of workers.
    """
    n = len(next(iter(draws.values()))) if draws else 1
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    chunk = chunk or chunk_size(months, CHUNK_BYTES / workers)
    values = {m: np.full(n, np.nan) for m in metrics}
    kept = min(n, band_limit)
    paths = np.empty((months, kept), dtype=np.float32)  # month-major: percentiles run along rows
    ok = np.ones(n, dtype=bool)
    failed, first_error = 0, None

    def evaluate(start: int, stop: int):
        overrides = {k: v[start:stop] for k, v in draws.items()}
        if not overrides:  # nothing uncertain: every sample is the base scenario
            overrides = {"finance.discount_rate": np.full(stop - start, float(base["finance.discount_rate"]))}
        result = (runner or run)(batch_with(base, overrides), months, on_error="mask", irr="irr" in metrics)
        upto = max(0, min(stop, kept) - start)
        cumulative = np.cumsum(result.series["total"][:upto], axis=1) if upto else None
        return {m: metric_values(result, m) for m in metrics}, result.error_mask, result.errors, cumulative

    bounds = [(start, min(n, start + chunk)) for start in range(0, n, chunk)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for start, stop in bounds:
            _check(cancelled)
            pending.append((start, stop, pool.submit(evaluate, start, stop)))
            while len(pending) > workers or (pending and (start, stop) == bounds[-1]):
                s0, s1, future = pending.popleft()
                try:
                    chunk_values, bad, errors, cumulative = future.result()
                    _check(cancelled)
                except BaseException:
                    for _, _, other in pending:
                        other.cancel()
                    raise
                for m in metrics:
                    values[m][s0:s1] = chunk_values[m]
                ok[s0:s1] = ~bad
                if bad.any():
                    failed += int(bad.sum())
                    first_error = first_error or str(next(e for e in errors if e is not None))
                if cumulative is not None:
                    paths[:, s0:s0 + cumulative.shape[0]] = cumulative.T
                if progress is not None:
                    progress(s1 / n)
    ok_paths = ~np.isnan(paths).any(axis=0)
    if ok_paths.any():  # one partition for all five percentiles
        good = paths if ok_paths.all() else paths[:, ok_paths]
        table = np.percentile(good, [pct for _, pct in PERCENTILES], axis=1)
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
    ranges: list[tuple[float, float]]  # where the metric stays on target over a stretch (steps)
    message: str


def goal_seek(base: Mapping[str, object], months: int, path: str, metric: str, target: float,
              low: float, high: float, *, integer: bool = False, tol: float | None = None,
              grid: int = 129, max_iter: int = 60, progress: Progress = None,
              cancelled: CancelCheck = None, runner: Runner = None) -> GoalSeekResult:
    """The value(s) of one input in ``[low, high]`` at which a metric reaches ``target``.

    One batch evaluates a grid over the range (every integer, for whole-number
    inputs, when there are at most 20,000). Sign changes of ``metric - target``
    between grid points bracket crossings; stretches where the metric already
    equals the target (within ``tol``) are plateaus, common where replica and
    server rounding or whole months make the metric a step function. All
    brackets and plateau edges are then refined together by bisection, one
    batch per step. A plateau's solution is its lowest value, with its range;
    where the metric jumps over the target instead of meeting it, the status is
    "not reached" with the jump's location, rather than a pretended answer.
    """
    tol = tol if tol is not None else max(abs(target) * 1e-6, 1e-9)
    if not low < high:
        raise ValueError(f"the range must have low < high, got [{low:g}, {high:g}]")
    if integer:
        xs = np.arange(int(np.ceil(low)), int(np.floor(high)) + 1, dtype=float)
        if xs.size > 20_000:
            xs = np.unique(np.round(np.linspace(xs[0], xs[-1], 20_000)))
    else:
        xs = np.linspace(low, high, grid)

    def evaluate(points: np.ndarray) -> np.ndarray:
        _check(cancelled)
        result = (runner or run)(batch_with(base, {path: points}), months, on_error="mask", irr=metric == "irr")
        return metric_values(result, metric) - target

    g = evaluate(xs)
    hit = np.abs(g) <= tol
    finite = np.isfinite(g)
    # refine: sign brackets (kind 0) between non-hits, plateau edges (kind 1) between a hit and a non-hit
    k = np.arange(xs.size - 1)
    sign_bracket = finite[:-1] & finite[1:] & ~hit[:-1] & ~hit[1:] & (np.sign(g[:-1]) * np.sign(g[1:]) < 0)
    edge = hit[:-1] != hit[1:]
    lo = np.concatenate([xs[k[sign_bracket]], xs[k[edge]]])
    hi = np.concatenate([xs[k[sign_bracket] + 1], xs[k[edge] + 1]])
    kind = np.concatenate([np.zeros(sign_bracket.sum(), int), np.ones(edge.sum(), int)])

    def state(values: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        """Which side of a bracket a value is on: above the target (kind 0), on it (kind 1)."""
        return np.where(kinds == 0, values > 0, np.abs(values) <= tol)

    state_lo = state(np.concatenate([g[k[sign_bracket]], g[k[edge]]]), kind)
    best_hit = np.full(lo.shape, np.nan)  # a hit met inside a sign bracket
    if not integer:
        for it in range(max_iter):
            open_ = np.isnan(best_hit) & (hi - lo > 1e-13 * np.maximum(1.0, np.abs(hi)))
            if not open_.any():
                break
            mid = 0.5 * (lo + hi)
            g_mid = evaluate(mid[open_])
            st = np.zeros(lo.shape, dtype=bool)
            st[open_] = state(g_mid, kind[open_])
            met_inside = np.zeros(lo.shape, dtype=bool)
            met_inside[open_] = (kind[open_] == 0) & (np.abs(g_mid) <= tol)
            best_hit = np.where(met_inside, mid, best_hit)
            move_lo = open_ & (st == state_lo)
            lo = np.where(move_lo, mid, lo)
            hi = np.where(open_ & ~move_lo, mid, hi)
            if progress is not None:
                progress((it + 1) / max_iter)

    # plateaus: runs of hits on the grid, widened to their refined edges
    edge_left = k[edge]  # grid index i of each edge pair (i, i + 1)
    hit_side = np.where(state_lo, lo, hi)[kind == 1]  # the refined point on the plateau side
    refined = dict(zip(edge_left.tolist(), hit_side.tolist()))
    ranges: list[tuple[float, float]] = []
    i = 0
    while i < xs.size:
        if not hit[i]:
            i += 1
            continue
        j = i
        while j + 1 < xs.size and hit[j + 1]:
            j += 1
        ranges.append((refined.get(i - 1, float(xs[i])), refined.get(j, float(xs[j]))))
        i = j + 1

    crossings = [float(v) if not np.isnan(v) else float(0.5 * (lo[i] + hi[i]))
                 for i, v in enumerate(best_hit) if kind[i] == 0]
    if integer:  # adjacent integers: the metric jumps between them; keep the nearer one
        crossings = [float(xs[i] if abs(g[i]) <= abs(g[i + 1]) else xs[i + 1]) for i in k[sign_bracket]]
    if progress is not None:
        progress(1.0)
    candidates = sorted({r[0] for r in ranges} | set(crossings))
    if not candidates:
        span = f"{np.nanmin(g) + target:.6g} .. {np.nanmax(g) + target:.6g}" if finite.any() else "undefined"
        return GoalSeekResult("no solution in range", [], [], [],
                              f"{metric} stays within {span} for {path} in [{low:g}, {high:g}]; "
                              f"it never reaches {target:g}")
    achieved = evaluate(np.array(candidates)) + target
    met = np.abs(achieved - target) <= tol
    plateau_of = {r[0]: r for r in ranges}
    if not met.any():
        # a crossing that bisection closed to a point: the metric steps over the target there
        b = int(np.flatnonzero(kind == 0)[0])
        before, after = evaluate(np.array([lo[b], hi[b]])) + target
        return GoalSeekResult("not reached", candidates, achieved.tolist(), [],
                              f"{metric} jumps over {target:g} at {path} = {candidates[0]:.6g}, "
                              f"from {before:.6g} to {after:.6g}: a step from whole replicas, servers or months")
    solutions = [c for c, m in zip(candidates, met) if m]
    reached = [float(a) for a, m in zip(achieved, met) if m]
    spans = [plateau_of.get(c, (c, c)) for c in solutions]
    if len(solutions) > 1:
        return GoalSeekResult("several solutions", solutions, reached, spans,
                              f"{metric} reaches {target:g} at {len(solutions)} separate values of {path}")
    where = (f"{path} = {solutions[0]:.6g}" if spans[0][0] == spans[0][1]
             else f"{path} from {spans[0][0]:.6g} to {spans[0][1]:.6g}")
    return GoalSeekResult("ok", solutions, reached, spans, f"{metric} = {reached[0]:.6g} at {where}")


# ---------------------------------------------------------------- sweeps
def sweep(base: Mapping[str, object], months: int, path: str, values: Sequence[float],
          metrics: Sequence[str], *, runner: Runner = None) -> tuple[dict[str, np.ndarray], list]:
    """Metrics at each value of one input, in one batch."""
    result = (runner or run)(batch_with(base, {path: np.asarray(values, dtype=float)}), months, on_error="mask")
    return {m: metric_values(result, m) for m in metrics}, result.errors


def sweep2(base: Mapping[str, object], months: int, x_path: str, x_values: Sequence[float],
           y_path: str, y_values: Sequence[float], metric: str, *, runner: Runner = None) -> np.ndarray:
    """Metric over a grid of two inputs in one batch; ``grid[iy, ix]``."""
    if x_path == y_path:
        raise ValueError("a two-way sweep needs two different inputs")
    xs, ys = np.meshgrid(np.asarray(x_values, float), np.asarray(y_values, float))
    result = (runner or run)(batch_with(base, {x_path: xs.ravel(), y_path: ys.ravel()}), months, on_error="mask")
    return metric_values(result, metric).reshape(xs.shape)
