"""The sensitivity tools on programmes: tornado, Monte Carlo, goal seek, sweeps, comparisons.

A programme's inputs are named ``WORKLOAD/section.field`` (``Chat/inference.annual_growth``)
for a workload's own fields and ``finance.field`` / ``facility.field`` for the shared
ones. Each question is still one engine batch: K variants of a programme of W
workloads are one batch of ``K * W`` rows (:class:`ProgrammeRunner`), and the metric
is the programme's summary key (methodology section 6). The engine-side tools of
:mod:`tcoapp.engine.sensitivity` are reused with this runner.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..engine import CHIP_SPECS, EngineError, Result
from ..engine import sensitivity as core
from ..engine.programme import PROGRAMME_SUMMARY, WORKLOAD_ONLY_KEYS, run_programme
from . import sensitivity as single
from .catalog import chips_for
from .errors import ScenarioError
from .programme import Programme, programme_inputs, workload_scenarios
from .schema import numeric_field_paths

SHARED_PREFIXES = ("finance.", "facility.")


def _is_shared(key: str) -> bool:
    return key.startswith(SHARED_PREFIXES)


def programme_base(programme: Programme) -> tuple[dict[str, object], int]:
    """The programme's inputs by programme name, and its months."""
    base: dict[str, object] = {}
    for name, inputs in zip(programme.names, programme_inputs(programme)):
        for key, value in inputs.items():
            if _is_shared(key):
                base.setdefault(key, value)
            else:
                base[f"{name}/{key}"] = value
    return base, 12 * programme.horizon_years


class ProgrammeRunner:
    """Runs a batch of programme variants as one engine batch; returns the programme's :class:`Result`.

    Called as :func:`tcoapp.engine.run` is, with programme inputs (``"Chat/inference.x"``,
    ``"finance.x"``) of K rows; ``errors[k]`` names the workload (``"Chat/inference.chip_price"``).
    """

    def __init__(self, programme: Programme):
        self.names = programme.names
        self.shared_fleets = programme.shared_fleets
        self.engine_keys = list(programme_inputs(programme)[0])

    def rows(self, inputs: Mapping[str, object]) -> tuple[dict[str, np.ndarray], int]:
        sizes = {np.size(v) for v in inputs.values() if np.ndim(v) > 0}
        sizes.discard(1)
        K = sizes.pop() if sizes else 1
        W = len(self.names)
        out = {}
        for key in self.engine_keys:
            if _is_shared(key):
                values = [inputs[key]] * W
            else:
                values = [inputs[f"{name}/{key}"] for name in self.names]
            text = any(isinstance(np.asarray(v).reshape(-1)[0], str) for v in values)
            column = np.empty((K, W), dtype=object if text else float)
            for w, value in enumerate(values):
                column[:, w] = np.broadcast_to(np.asarray(value, dtype=object if text else float).reshape(-1), (K,))
            out[key] = column.reshape(-1)
        return out, K

    def __call__(self, inputs: Mapping[str, object], months: int, *, on_error: str = "mask", irr: bool = True) -> Result:
        rows, K = self.rows(inputs)
        result = run_programme(rows, months, len(self.names), shared_fleets=self.shared_fleets, on_error="mask",
                               irr=irr)
        errors = [None if e is None else EngineError(k, f"{self.names[e[0]]}/{e[1].field}", e[1].rule)
                  for k, e in enumerate(result.errors)]
        if on_error == "raise" and any(errors):
            raise next(e for e in errors if e is not None)
        summary = {k: result.summary[k] for k in PROGRAMME_SUMMARY}
        return Result(months, result.series, summary, errors)


def check_metric(metric: str) -> None:
    single.metric_label(metric)
    if metric in WORKLOAD_ONLY_KEYS:
        raise ScenarioError("is a per-workload figure; a programme's metrics are "
                            + ", ".join(PROGRAMME_SUMMARY), path="metric", value=metric)


def input_title(path: str) -> str:
    """A programme input as a reader names it: ``"Chat: Annual growth in requests"`` for
    ``"Chat/inference.annual_growth"``, the field's title alone for a shared input."""
    workload, _, field = path.rpartition("/")
    title = single.field_title(field)
    return f"{workload}: {title}" if workload else title


def split_path(programme: Programme, path: str) -> tuple[str | None, str]:
    """``("Chat", "inference.annual_growth")`` for ``"Chat/inference.annual_growth"``, ``(None, path)`` for a
    shared one; refuses unknown workloads, non-numeric fields and shared fields named under a workload."""
    if path == "horizon_years" or path.endswith("/horizon_years"):
        raise ScenarioError("cannot be varied: it sets the months of the calendar every workload shares "
                            "(change it in the file)", path=path)
    if "/" in path:
        name, field = path.split("/", 1)
        if name not in programme.names:
            raise ScenarioError(f"names no workload (the workloads are {', '.join(programme.names)})", path=path)
        if _is_shared(field) or field == "horizon_years":
            raise ScenarioError(f'is shared by every workload: name it without the workload, as "{field}"',
                                path=path)
    else:
        name, field = None, path
        if not _is_shared(field):
            raise ScenarioError('is not a shared field: name a workload\'s field as "WORKLOAD/section.field", e.g. '
                                f'"{programme.names[0]}/{field}"', path=path)
    if field not in numeric_field_paths():
        raise ScenarioError("is not a numeric field", path=path)
    return name, field


def resolved_value(programme: Programme, base: Mapping[str, object], path: str) -> float:
    """The value the engine uses for a programme input (derived where null), as for a scenario."""
    name, field = split_path(programme, path)
    prefix = f"{name or programme.names[0]}/"  # a shared field derives nothing from a workload's fields
    view = {key[len(prefix):]: value for key, value in base.items() if key.startswith(prefix)}
    view.update({key: value for key, value in base.items() if _is_shared(key)})
    return single.resolved_value(view, field)


def _clip(programme: Programme, path: str, values) -> np.ndarray:
    return single.clip_to_rule(split_path(programme, path)[1], np.asarray(values, dtype=float))


def default_tornado_paths(programme: Programme) -> list[str]:
    """The shared inputs once and every workload's own continuous inputs with a value."""
    out: list[str] = []
    for name, scenario in zip(programme.names, workload_scenarios(programme)):
        for path in single.default_tornado_paths(scenario):
            if _is_shared(path):
                if path not in out:
                    out.append(path)
            else:
                out.append(f"{name}/{path}")
    return out


def tornado(programme: Programme, metric: str = "total_cost", paths: Iterable[str] | None = None,
            swing: float = 0.2) -> dict:
    """Programme metric at low and high values of each input (``base x (1 -/+ swing)``), one batch."""
    if not 0 < swing < 1:
        raise ScenarioError("must be between 0 and 1 (exclusive)", path="swing", value=swing)
    check_metric(metric)
    base, M = programme_base(programme)
    paths = list(paths) if paths is not None else default_tornado_paths(programme)
    ranges = {}
    for path in paths:
        value = resolved_value(programme, base, path)
        if not np.isfinite(value):
            raise ScenarioError("has no value to swing (null and not derived); give it a value", path=path)
        low, high = _clip(programme, path, [value * (1 - swing), value * (1 + swing)])
        ranges[path] = (float(low), float(high), "swing")
    base_metric, rows = core.tornado(base, M, metric, ranges, runner=ProgrammeRunner(programme))
    label, unit = single.metric_label(metric, programme.currency)
    return {
        "metric": metric, "metric_label": label, "unit": unit, "currency": programme.currency,
        "base": single.json_number(base_metric),
        "swing": swing,
        "rows": [{"path": r.path, "title": input_title(r.path), "low_input": r.low_input, "high_input": r.high_input,
                  "low_metric": single.json_number(r.low_metric), "high_metric": single.json_number(r.high_metric),
                  "source": r.source, "error": r.low_error or r.high_error} for r in rows],
    }


def sweep(programme: Programme, path: str, values: Sequence[float], metrics: Sequence[str] = ("total_cost",)) -> dict:
    """Programme metrics at each of N values of one input, in one batch of ``N * W`` rows."""
    for m in metrics:
        check_metric(m)
    base, M = programme_base(programme)
    xs = np.asarray(list(values), dtype=float)
    if xs.size == 0 or not np.all(np.isfinite(xs)):
        raise ScenarioError("needs finite numbers", path="values", value=list(values))
    xs = _clip(programme, path, xs)
    out, errors = core.sweep(base, M, path, xs, metrics, runner=ProgrammeRunner(programme))
    return {"path": path, "values": xs.tolist(),
            "metrics": {m: [single.json_number(v) for v in out[m]] for m in metrics},
            "errors": [None if e is None else str(e) for e in errors]}


def sweep2(programme: Programme, x_path: str, x_values: Sequence[float], y_path: str, y_values: Sequence[float],
           metric: str = "total_cost") -> dict:
    """Programme metric over a grid of two inputs in one batch; ``grid[iy][ix]``."""
    check_metric(metric)
    if x_path == y_path:
        raise ScenarioError("must differ from the first input: a two-way sweep needs two inputs", path="y_path",
                            value=y_path)
    base, M = programme_base(programme)
    xs, ys = (_clip(programme, p, np.asarray(list(v), dtype=float)) for p, v in ((x_path, x_values),
                                                                                    (y_path, y_values)))
    for name, values in (("x_values", xs), ("y_values", ys)):
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ScenarioError("needs finite numbers", path=name)
    grid = core.sweep2(base, M, x_path, xs, y_path, ys, metric, runner=ProgrammeRunner(programme))
    return {"x_path": x_path, "y_path": y_path, "metric": metric, "x": xs.tolist(), "y": ys.tolist(),
            "grid": [[single.json_number(v) for v in row] for row in grid]}


def with_deployment(programme: Programme, workload: str, deployment: str) -> Programme:
    """The programme with one workload deployed another way (``"api"``, ``"cloud"`` or ``"owned"``)."""
    from .programme import programme_with_values

    programme.workload(workload)
    return programme_with_values(programme, {f"{workload}/inference.deployment": deployment})


def linspace_around(programme: Programme, path: str, points: int = 11, spread: float = 0.5) -> list[float]:
    base, _ = programme_base(programme)
    value = resolved_value(programme, base, path)
    if not np.isfinite(value) or value == 0:
        raise ScenarioError("has no value to sweep around; give explicit values", path=path)
    return single.axis_within_rule(split_path(programme, path)[1], value * (1 - spread), value * (1 + spread), points)


def goal_seek(programme: Programme, path: str, metric: str, target: float, low: float, high: float,
              tol: float | None = None, progress=None, cancelled=None) -> dict:
    """The value of a programme input in ``[low, high]`` at which the programme metric reaches ``target``."""
    check_metric(metric)
    _, field = split_path(programme, path)
    spec = numeric_field_paths()[field]
    for name, value in (("target", target), ("low", low), ("high", high), ("tol", tol)):
        if value is not None and not math.isfinite(value):
            raise ScenarioError("must be a finite number", path=name, value=value)
    if tol is not None and tol <= 0:  # as for a scenario: a tolerance of 0 or below can never be met
        raise ScenarioError("must be > 0", path="tol", value=tol)
    if not low < high:
        raise ScenarioError(f"must be above low ({low:g})", path="high", value=high)
    base, M = programme_base(programme)
    lo, hi = _clip(programme, path, [low, high])
    if spec.is_int:
        lo, hi = math.ceil(lo), math.floor(hi)
    if not lo < hi:
        raise ScenarioError(f"[{low:g}, {high:g}] holds no two values allowed for {path}", path="low", value=low)
    result = core.goal_seek(base, M, path, metric, float(target), float(lo), float(hi), integer=spec.is_int,
                            tol=tol, progress=progress, cancelled=cancelled, runner=ProgrammeRunner(programme))
    as_field = (lambda v: int(round(v))) if spec.is_int else float
    return {"path": path, "metric": metric, "target": target, "low": as_field(lo), "high": as_field(hi),
            "status": result.status, "value": as_field(result.solutions[0]) if result.solutions else None,
            "achieved": single.json_number(result.achieved[0]) if result.achieved else None,
            "solutions": [as_field(v) for v in result.solutions],
            "ranges": [[as_field(a), as_field(b)] for a, b in result.ranges], "message": result.message,
            "tolerance": tol if tol is not None else max(abs(target) * 1e-6, 1e-9)}


def monte_carlo(programme: Programme, samples: int = 10_000, seed: int = 0,
                metrics: Sequence[str] = single.DEFAULT_MC_METRICS, events: Sequence[str] | None = None,
                progress=None, cancelled=None) -> dict:
    """Monte Carlo over the programme's ``uncertainty`` section (keys are programme input names)."""
    if samples < 1:
        raise ScenarioError("must be at least 1", path="samples", value=samples)
    for m in metrics:
        check_metric(m)
    if not programme.uncertainty:
        raise ScenarioError('is empty: add an uncertain input (e.g. "Chat/inference.annual_growth") to run a '
                            "Monte Carlo", path="uncertainty")
    base, M = programme_base(programme)
    rng = np.random.default_rng(seed)
    draws = {path: _clip(programme, path, core.sample_distribution(dist.model_dump(), samples, rng))
             for path, dist in programme.uncertainty.items()}
    events = list(events if events is not None else ["inference_share>0.6"])
    parsed = [single.parse_event(text) for text in events]
    collected = list(dict.fromkeys([*metrics, *(key for key, _, _ in parsed)]))
    result = core.monte_carlo(base, M, draws, collected, progress=progress, cancelled=cancelled, seed=seed,
                              runner=ProgrammeRunner(programme))
    ok = result.ok
    return {
        "samples": samples, "seed": seed,
        "inputs": {path: {"title": path, **dist.model_dump()} for path, dist in programme.uncertainty.items()},
        "metrics": {m: core.percentiles(m, result.values[m], ok) for m in metrics},
        "probabilities": {text: single.json_number(single._event_probability(key, op, threshold, result.values[key],
                                                                                ok))
                          for text, (key, op, threshold) in zip(events, parsed)},
        "failed": result.failed, "first_error": result.first_error,
    }


def _ranked(rows: list[dict], metric: str) -> list[dict]:
    return single._ranked(rows, metric)


def compare_deployments(programme: Programme, workload: str, metric: str = "total_cost") -> dict:
    """The programme with one workload as API, cloud and owned, ranked by a programme metric, one batch."""
    check_metric(metric)
    programme.workload(workload)
    base, M = programme_base(programme)
    kinds = ("api", "cloud", "owned")
    batch = dict(base)
    batch[f"{workload}/inference.deployment"] = np.array(kinds, dtype=object)
    result = ProgrammeRunner(programme)(batch, M)
    rows = []
    for s, kind in enumerate(kinds):
        err = result.errors[s]
        rows.append({"label": kind, "deployment": kind, "value": single.json_number(result.summary[metric][s]),
                     "summary": {k: single.json_number(v[s]) for k, v in result.summary.items()},
                     "error": None if err is None else f"{err.field}: {err.rule}"})
        if err is not None:
            rows[-1]["value"] = None
    return {"metric": metric, "workload": workload, "rows": _ranked(rows, metric)}


def compare_chips(programme: Programme, workload: str, chips: Sequence[str] | None = None,
                  metric: str = "total_cost") -> dict:
    """The programme with one workload's inference chip swapped for each chip, ranked, one batch."""
    check_metric(metric)
    programme.workload(workload)
    scenario = workload_scenarios(programme)[programme.names.index(workload)]
    single.refuse_api_chip_comparison(scenario.inference.deployment, "inference",
                                      path=f"{workload}/inference.deployment")
    catalog = chips_for(scenario)
    ids = list(chips) if chips is not None else list(catalog)
    unknown = [c for c in ids if c not in catalog]
    if unknown:
        raise ScenarioError("is not in the catalog or the programme's chips", path="chips", value=unknown[0])
    base, M = programme_base(programme)
    batch = dict(base)
    prefix = f"{workload}/inference."
    batch[prefix + "chip.id"] = np.array(ids, dtype=object)
    for spec in CHIP_SPECS:
        batch[prefix + f"chip.{spec}"] = np.array([math.nan if getattr(catalog[c], spec) is None
                                                   else float(getattr(catalog[c], spec)) for c in ids])
    own = np.array([c == scenario.inference.chip for c in ids])
    for key in ("cloud_rate", "chip_price", "chips_per_replica", "prefill_tokens_per_s_per_chip",
                "decode_tokens_per_s_per_chip"):
        batch[prefix + key] = np.where(own, float(base[prefix + key]), math.nan)
    result = ProgrammeRunner(programme)(batch, M)
    rows = []
    for s, chip_id in enumerate(ids):
        err = result.errors[s]
        rows.append({"label": catalog[chip_id].name or chip_id, "chip": chip_id,
                     "value": None if err is not None else single.json_number(result.summary[metric][s]),
                     "summary": {k: single.json_number(v[s]) for k, v in result.summary.items()},
                     "error": None if err is None else f"{err.field}: {err.rule}"})
    return {"metric": metric, "workload": workload, "role": "inference", "rows": _ranked(rows, metric)}
