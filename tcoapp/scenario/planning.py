"""Right-size a scenario's model: the planner of :mod:`tcoapp.engine.planner` on a :class:`Scenario`.

:func:`plan_scenario` turns a scenario and a target quality into a
:class:`ScenarioPlan`: the recommended parameters and training tokens, the
Chinchilla-optimal model of the same quality, the curve of lifetime FLOPs and
cost against size, and the warnings. :func:`apply_design` writes a design into
a scenario (the GUI's "Apply"); :func:`plan_document` and :func:`format_plan`
are the JSON and text forms the CLI prints.

Inference tokens. By default the lifetime inference tokens are the scenario's
own: the sum of ``tokens`` over the horizon. Given ``inference_tokens``, the
scenario's traffic is scaled to serve exactly that many (``requests_per_day``
and ``max_requests_per_day`` times the same factor; tokens are proportional to
both), for both objectives, so that the FLOPs and the costs reported describe
the same traffic. :attr:`ScenarioPlan.requests_scale` is that factor.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import EngineError
from ..engine import planner
from .batch import engine_inputs, months, to_scenario_error
from .errors import ScenarioError
from .outputs import json_number
from .schema import Scenario, with_values

#: The objectives, as the CLI and the GUI name them.
OBJECTIVES = planner.OBJECTIVES

#: The names :class:`ScenarioError` gives the planning options (they are not scenario fields).
OPTION_PATHS = ("quality_params_billion", "quality_loss", "inference_tokens", "objective")


@dataclass(frozen=True)
class ScenarioPlan:
    """A :class:`tcoapp.engine.planner.Plan` with the scenario it was made for.

    Attributes
    ----------
    plan : Plan
    scenario : Scenario
        The scenario that was costed: the input scenario, with its traffic
        scaled when ``inference_tokens`` was given. ``apply_design(scenario,
        plan.optimal)`` evaluates to ``plan.optimal.total_cost``.
    quality_params : float or None
        Parameters of the Chinchilla-optimal model that defines the quality,
        when the quality was given that way.
    requests_scale : float
        Factor applied to the scenario's requests (1.0: its own traffic).
    served_tokens : float
        Lifetime tokens of the input scenario's own traffic.
    """

    plan: planner.Plan
    scenario: Scenario
    quality_params: float | None
    requests_scale: float
    served_tokens: float


def target_loss(quality_params_billion: float | None = None, quality_loss: float | None = None,
                fit: planner.LossFit = planner.CHINCHILLA) -> float:
    """The loss to reach: given, or that of the Chinchilla-optimal model of ``quality_params_billion``.

    >>> round(target_loss(quality_params_billion=13), 4)
    2.0453
    >>> target_loss(quality_loss=1.5)
    Traceback (most recent call last):
    ...
    tcoapp.scenario.errors.ScenarioError: quality_loss = 1.5: must be > 1.69, the irreducible loss E of the fit
    """
    if (quality_params_billion is None) == (quality_loss is None):
        raise ScenarioError("give the quality either as quality_params_billion or as quality_loss")
    if quality_loss is not None:
        if not (math.isfinite(quality_loss) and quality_loss > fit.E):
            raise ScenarioError(f"must be > {fit.E:g}, the irreducible loss E of the fit", path="quality_loss",
                                value=quality_loss)
        return float(quality_loss)
    if not (math.isfinite(quality_params_billion) and quality_params_billion > 0):
        raise ScenarioError("must be a number > 0", path="quality_params_billion", value=quality_params_billion)
    return float(planner.chinchilla_loss(quality_params_billion * 1e9, fit))


def _inputs(scenario: Scenario, source: str | None) -> dict[str, Any]:
    try:
        return engine_inputs(scenario)
    except ScenarioError as err:
        if err.file is None and source is not None:
            raise ScenarioError(err.rule, path=err.path, value=err.value, file=source) from None
        raise


def served_tokens(scenario: Scenario, source: str | None = None) -> float:
    """Tokens the scenario's traffic makes the model process over the horizon (``sum(tokens)``)."""
    return planner.served_tokens(_inputs(scenario, source), months(scenario))


def scale_traffic(scenario: Scenario, inference_tokens: float, source: str | None = None) -> tuple[Scenario, float]:
    """The scenario with ``requests_per_day`` (and its ceiling) scaled to serve ``inference_tokens``, and the factor.

    Raises
    ------
    ScenarioError
        If the scenario serves no tokens, so its traffic has no shape to scale.
    """
    own = served_tokens(scenario, source)
    if inference_tokens == own:
        return scenario, 1.0
    if not own > 0:
        raise ScenarioError("the scenario serves no tokens, so its traffic cannot be scaled to the inference "
                            "tokens asked for; give it some requests", file=source, path="inference.requests_per_day",
                            value=scenario.inference.requests_per_day)
    factor = inference_tokens / own
    values: dict[str, Any] = {"inference.requests_per_day": scenario.inference.requests_per_day * factor}
    if scenario.inference.max_requests_per_day is not None and factor > 0:
        values["inference.max_requests_per_day"] = scenario.inference.max_requests_per_day * factor
    return with_values(scenario, values), factor


def plan_scenario(scenario: Scenario, *, quality_params_billion: float | None = None,
                  quality_loss: float | None = None, inference_tokens: float | None = None,
                  objective: str = "flops", source: str | None = None, fit: planner.LossFit = planner.CHINCHILLA,
                  points: int = 200, refine_points: int = 101) -> ScenarioPlan:
    """The lifetime-optimal size and training tokens for a scenario at a target quality.

    Parameters
    ----------
    scenario : Scenario
    quality_params_billion, quality_loss : float, optional
        The quality: "as good as the Chinchilla-optimal model of X billion
        parameters", or a loss. Give one; with neither, the Chinchilla-optimal
        model of the scenario's own ``model.params_billion`` is the quality.
    inference_tokens : float, optional
        Lifetime inference tokens; by default the scenario's own. When given,
        the traffic is scaled to serve that many (see the module docstring).
    objective : {"flops", "cost"}
    source : str, optional
        File name for error messages.

    Raises
    ------
    ScenarioError
        A bad quality, objective or token count, or a scenario that cannot be
        costed at any size under the cost objective.
    """
    if objective not in OBJECTIVES:
        raise ScenarioError(f"must be one of {', '.join(OBJECTIVES)}", path="objective", value=objective)
    if quality_params_billion is None and quality_loss is None:
        quality_params_billion = scenario.model.params_billion
    loss = target_loss(quality_params_billion, quality_loss, fit)
    own = served_tokens(scenario, source)
    costed, scale, strip_costs = scenario, 1.0, False
    if inference_tokens is not None:
        inference_tokens = float(inference_tokens)
        if not (math.isfinite(inference_tokens) and inference_tokens >= 0):
            raise ScenarioError("must be a finite number >= 0", path="inference_tokens", value=inference_tokens)
        if own > 0 or objective == "cost" or inference_tokens == 0:
            costed, scale = scale_traffic(scenario, inference_tokens, source)
        else:  # FLOPs only: a scenario without traffic has no costs for these tokens
            strip_costs = True
    try:
        result = planner.plan(_inputs(costed, source), months(costed), loss, inference_tokens=inference_tokens,
                              objective=objective, fit=fit, points=points, refine_points=refine_points)
    except EngineError as err:
        raise to_scenario_error(err, costed, source) from None
    if strip_costs:
        result = _without_costs(result)
    quality_params = None if quality_params_billion is None else quality_params_billion * 1e9
    return ScenarioPlan(result, costed, quality_params, scale, own)


def _without_costs(result: planner.Plan) -> planner.Plan:
    """The plan with every cost NaN (they were computed for traffic that is not the one asked for)."""
    nan = float("nan")
    blank = dict(total_cost=nan, training_cost=nan, inference_cost=nan)
    curve = dataclasses.replace(result.curve, total_cost=np.full_like(result.curve.total_cost, nan),
                                training_cost=np.full_like(result.curve.total_cost, nan),
                                inference_cost=np.full_like(result.curve.total_cost, nan))
    warning = planner.PlanWarning("not_costed", "costs are not shown: the scenario serves no tokens, so there is "
                                                "no traffic to scale to the inference tokens asked for")
    return dataclasses.replace(
        result, optimal=dataclasses.replace(result.optimal, **blank),
        chinchilla=dataclasses.replace(result.chinchilla, **blank),
        flop_optimal=dataclasses.replace(result.flop_optimal, **blank), curve=curve,
        warnings=[w for w in result.warnings if w.code != "not_costed"] + [warning])


def plan_curve(scenario: Scenario, **options: Any) -> planner.Curve:
    """The curve of lifetime FLOPs and cost against model size (for the GUI's planner panel).

    Takes the options of :func:`plan_scenario`; the curve's ``params``,
    ``tokens``, ``total_flops`` and ``total_cost`` are arrays over the sizes.
    """
    return plan_scenario(scenario, **options).plan.curve


def apply_design(scenario: Scenario, design: planner.Design) -> Scenario:
    """The scenario with a design's parameters and training tokens (a dense model, training compute ``6 N D``).

    Sets ``model.params_billion`` and ``model.active_params_billion`` to N,
    ``training.tokens_trillion`` to D and clears ``training.compute_flops`` and the
    mixture-of-experts fields (the planner's model is dense).
    """
    billions = design.params / 1e9
    return with_values(scenario, {"model.params_billion": billions, "model.active_params_billion": billions,
                                  "model.experts": None, "model.experts_per_token": None,
                                  "training.tokens_trillion": design.tokens / 1e12, "training.compute_flops": None})


# ---- JSON and text -------------------------------------------------------------------------------------


def _design_dict(design: planner.Design) -> dict[str, Any]:
    return {
        "params": json_number(design.params),
        "tokens": json_number(design.tokens),
        "total_flops": json_number(design.total_flops),
        "total_cost": json_number(design.total_cost),
        "tokens_per_param": json_number(design.tokens_per_param),
        "training_flops": json_number(design.training_flops),
        "inference_flops": json_number(design.inference_flops),
        "training_cost": json_number(design.training_cost),
        "inference_cost": json_number(design.inference_cost),
        "error": design.error,
    }


def _ratio(saving: float, total: float) -> float | None:
    return json_number(saving / total) if total and math.isfinite(total) else None


def plan_document(result: ScenarioPlan) -> dict[str, Any]:
    """The ``tcoapp-plan`` JSON document (``tcoapp-cli plan --json``); NaN becomes null."""
    p = result.plan
    curve = p.curve
    return {
        "format": "tcoapp-plan",
        "version": 1,
        "scenario": result.scenario.name,
        "currency": result.scenario.currency,
        "objective": p.objective,
        "loss": p.loss,
        "inference_tokens": p.inference_tokens,
        "optimal": _design_dict(p.optimal),
        "chinchilla": _design_dict(p.chinchilla),
        "saving_fraction": json_number(p.saving_fraction),
        "flop_saving": json_number(p.flop_saving),
        "flop_saving_fraction": _ratio(p.flop_saving, p.chinchilla.total_flops),
        "cost_saving": json_number(p.cost_saving),
        "cost_saving_fraction": _ratio(p.cost_saving, p.chinchilla.total_cost),
        "flop_optimal": _design_dict(p.flop_optimal),
        "quality": {"params": result.quality_params, "loss": p.loss},
        "served_tokens": result.served_tokens,
        "requests_scale": result.requests_scale,
        "warnings": [w.message for w in p.warnings],
        "warning_codes": [w.code for w in p.warnings],
        "notes": list(p.notes),
        "fit": {k: getattr(p.fit, k) for k in ("alpha", "beta", "A", "B", "E", "min_params", "max_params",
                                                "max_tokens_per_param")},
        "curve": {
            "params": [json_number(v) for v in curve.params],
            "tokens": [json_number(v) for v in curve.tokens],
            "tokens_per_param": [json_number(v) for v in curve.tokens_per_param],
            "total_flops": [json_number(v) for v in curve.total_flops],
            "total_cost": [json_number(v) for v in curve.total_cost],
        },
    }


def _count(value: float) -> str:
    """Parameters or tokens with an SI suffix: ``6.97B``, ``1.25T``, ``576M``.

    >>> _count(6.9686e9), _count(1.2478e12), _count(5.76e8), _count(3e16)
    ('6.97B', '1.25T', '576M', '30,000T')
    """
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            scaled = value / size
            return f"{scaled:,.0f}{suffix}" if scaled >= 1000 else f"{scaled:.3g}{suffix}"
    return f"{value:.3g}"


def _money(value: float, currency: str) -> str:
    return "-" if not math.isfinite(value) else f"{currency} {value:,.0f}"


def _flops(value: float) -> str:
    """FLOPs in scientific notation: ``8.00e+22``."""
    return "-" if not math.isfinite(value) else f"{value:.2e}"


def _change(saving: float, fraction: float | None, show) -> str:
    """A saving in words: ``saves 1.69e+22 (17.4 %)`` or ``costs ... more``."""
    if not math.isfinite(saving):
        return "not available"
    if saving >= 0:
        return f"saves {show(saving)} ({_percent(fraction)})"
    return f"{show(-saving)} ({_percent(None if fraction is None else -fraction)}) more"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def format_plan(result: ScenarioPlan) -> str:
    """The plan in a few lines for a decision maker (``tcoapp-cli plan`` without ``--json``)."""
    p, s = result.plan, result.scenario
    opt, chin = p.optimal, p.chinchilla
    cur = s.currency
    what = "lowest lifetime FLOPs" if p.objective == "flops" else "lowest lifetime cost"
    if result.quality_params is not None:
        quality = f"as good as a Chinchilla-optimal {_count(result.quality_params)}-parameter model (loss {p.loss:.4f})"
    else:
        quality = f"loss {p.loss:.4f}"
    if result.requests_scale == 1.0:
        traffic = f"the scenario's own traffic over {s.horizon_years} years"
    else:
        traffic = f"the scenario's traffic scaled x{result.requests_scale:.4g} to match"
    lines = [
        f"Right-sizing plan{': ' + s.name if s.name else ''} ({what})",
        f"Target quality: {quality}",
        f"Lifetime inference: {_count(p.inference_tokens)} tokens ({traffic})",
        "",
        f"Recommendation: train a {_count(opt.params)}-parameter model on {_count(opt.tokens)} tokens "
        f"({opt.tokens_per_param:,.0f} tokens per parameter).",
        "",
    ]
    rows = [
        ("", "Recommended", "Chinchilla-optimal"),
        ("Parameters", _count(opt.params), _count(chin.params)),
        ("Training tokens", _count(opt.tokens), _count(chin.tokens)),
        ("Tokens per parameter", f"{opt.tokens_per_param:,.0f}", f"{chin.tokens_per_param:,.0f}"),
        ("Training FLOPs", _flops(opt.training_flops), _flops(chin.training_flops)),
        ("Inference FLOPs", _flops(opt.inference_flops), _flops(chin.inference_flops)),
        ("Total FLOPs", _flops(opt.total_flops), _flops(chin.total_flops)),
        ("Training cost", _money(opt.training_cost, cur), _money(chin.training_cost, cur)),
        ("Inference cost", _money(opt.inference_cost, cur), _money(chin.inference_cost, cur)),
        ("Lifetime cost", _money(opt.total_cost, cur), _money(chin.total_cost, cur)),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines += ["  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]).rstrip()
              for r in rows]
    lines += ["", "Against the Chinchilla-optimal model of the same quality:",
              f"  FLOPs: {_change(p.flop_saving, _ratio(p.flop_saving, chin.total_flops), _flops)}",
              f"  Cost:  {_change(p.cost_saving, _ratio(p.cost_saving, chin.total_cost), lambda v: _money(v, cur))}"]
    if p.warnings:
        lines += ["", "Warnings:"] + [f"  - {w.message}" for w in p.warnings]
    lines += ["", "Assumptions:"] + [f"  - {n}" for n in p.notes]
    return "\n".join(lines)
