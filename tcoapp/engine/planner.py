"""Right-size the model: the lifetime-optimal parameters and training tokens.

When inference dominates, the cheapest way to a given quality is often a smaller
model trained on more tokens (Sardana, Portes, Doubov, Frankle, "Beyond
Chinchilla-Optimal", ICML 2024). Quality is the pre-training loss of the
Chinchilla fit (Hoffmann et al. 2022, with the constants of Sardana et al.'s code)::

    L(N, D) = E + A / N**alpha + B / D**beta

with N parameters and D training tokens. For a target loss ``l`` and lifetime
inference tokens ``D_inf`` this module finds the N and ``D_tr`` that minimise

* total FLOPs ``6 N D_tr + 2 N D_inf`` subject to ``L(N, D_tr) = l``
  (:func:`flop_optimal`, solved to machine precision), and
* the engine's own lifetime cost (``total_cost`` of :func:`tcoapp.engine.run`)
  with the scenario's chips, utilisations, prices and traffic (:func:`plan` with
  ``objective="cost"``): every candidate size is a row of one engine batch.

The maths of the FLOP objective. Write ``r = l - E``, ``p = A / N**alpha`` and
``g = B / D**beta``; the constraint is ``p + g = r``. Along it
``dD/dN = -(D / N) * alpha p / (beta g)``, so the derivative of the total is zero
where::

    D_inf = 3 D (alpha p / (beta g) - 1)

The right-hand side falls strictly from infinity (``g -> 0``, D unbounded) to 0
at ``g_c = alpha r / (alpha + beta)``, which is the Chinchilla condition
``alpha A / N**alpha = beta B / D**beta``; so for every ``D_inf >= 0`` there is
exactly one optimum, and it is found by bisection on ``log g``.

>>> N, D = flop_optimal(chinchilla_loss(13e9), 2e12)
>>> round(float(N) / 1e9, 2), round(float(D) / 1e12, 3)
(6.97, 1.248)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .errors import EngineError
from .model import run

NAN = float("nan")

#: The objectives :func:`plan` minimises.
OBJECTIVES = ("flops", "cost")


@dataclass(frozen=True)
class LossFit:
    """A Chinchilla-form loss fit ``L(N, D) = E + A / N**alpha + B / D**beta`` and the range it was measured on.

    The defaults are the constants of Sardana et al.'s code (Hoffmann et al.'s
    fit): alpha 0.336, beta 0.283, A 406.4, B 410.7, E 1.69. The fitted models
    ran from about 70 million to 16 billion parameters; Sardana et al. checked
    the trend out to about 10,000 tokens per parameter.
    """

    alpha: float = 0.336
    beta: float = 0.283
    A: float = 406.4
    B: float = 410.7
    E: float = 1.69
    min_params: float = 7e7
    max_params: float = 1.6e10
    max_tokens_per_param: float = 1e4


#: The fit of FACTS.md section C.
CHINCHILLA = LossFit()


def loss(params, tokens, fit: LossFit = CHINCHILLA):
    """Loss of a model of ``params`` parameters trained on ``tokens`` tokens.

    >>> round(float(loss(70e9, 1.4e12)), 4)
    1.9323
    """
    params, tokens = np.asarray(params, float), np.asarray(tokens, float)
    return fit.E + fit.A / params ** fit.alpha + fit.B / tokens ** fit.beta


def chinchilla_tokens(params, fit: LossFit = CHINCHILLA):
    """Training tokens that minimise the loss of ``params`` parameters at fixed compute ``6 N D``.

    From the first-order condition ``alpha A / N**alpha = beta B / D**beta``.

    >>> round(float(chinchilla_tokens(13e9)) / 13e9, 1)  # tokens per parameter
    44.3
    """
    params = np.asarray(params, float)
    return (fit.beta * fit.B * params ** fit.alpha / (fit.alpha * fit.A)) ** (1.0 / fit.beta)


def chinchilla_loss(params, fit: LossFit = CHINCHILLA):
    """Loss of the Chinchilla-optimal model of ``params`` parameters ("as good as a Chinchilla X-B model").

    >>> round(float(chinchilla_loss(13e9)), 4)
    2.0453
    """
    return loss(params, chinchilla_tokens(params, fit), fit)


def min_params(target_loss, fit: LossFit = CHINCHILLA):
    """The size below which no amount of training reaches ``target_loss`` (``A / N**alpha = l - E``).

    >>> round(float(min_params(chinchilla_loss(13e9))) / 1e9, 3)
    1.266
    """
    r = np.asarray(target_loss, float) - fit.E
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r > 0, (fit.A / r) ** (1.0 / fit.alpha), NAN)


def tokens_for_loss(params, target_loss, fit: LossFit = CHINCHILLA):
    """Training tokens that bring ``params`` parameters to ``target_loss``; NaN where no amount does.

    >>> D = tokens_for_loss(7e9, chinchilla_loss(13e9))
    >>> round(float(D) / 1e12, 3)
    1.239
    >>> bool(np.isnan(tokens_for_loss(1e9, chinchilla_loss(13e9))))
    True
    """
    params = np.asarray(params, float)
    g = np.asarray(target_loss, float) - fit.E - fit.A / params ** fit.alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g > 0, (fit.B / g) ** (1.0 / fit.beta), NAN)


def total_flops(params, tokens, inference_tokens):
    """Lifetime FLOPs ``6 N D_tr + 2 N D_inf`` (training plus inference).

    >>> float(total_flops(1e9, 2e10, 1e10))
    1.4e+20
    """
    params = np.asarray(params, float)
    return 6.0 * params * np.asarray(tokens, float) + 2.0 * params * np.asarray(inference_tokens, float)


def _from_g(g, r, fit: LossFit):
    """N and D on the loss constraint ``p + g = r`` from the data term ``g = B / D**beta``."""
    N = (fit.A / (r - g)) ** (1.0 / fit.alpha)
    D = (fit.B / g) ** (1.0 / fit.beta)
    return N, D


def _bisect_log_g(too_small, r, g_hi, iterations: int = 200):
    """The g in ``(0, g_hi]`` where the decreasing test ``too_small(g)`` turns False, by bisection on log g.

    ``too_small(g)`` is True for g below the answer (vectorised over arrays).
    """
    hi = np.log(g_hi)
    lo = hi - np.log(1e6)
    for _ in range(60):  # bracket: walk lo down until the test holds there
        need = ~too_small(np.exp(lo))
        if not need.any():
            break
        lo = np.where(need, lo - np.log(1e6), lo)
    for _ in range(iterations):  # a fixed count, so each element's answer does not depend on the others
        mid = 0.5 * (lo + hi)
        low_side = too_small(np.exp(mid))
        lo = np.where(low_side, mid, lo)
        hi = np.where(low_side, hi, mid)
    return np.exp(0.5 * (lo + hi))


def flop_optimal(target_loss, inference_tokens, fit: LossFit = CHINCHILLA):
    """Parameters and training tokens that reach ``target_loss`` with the fewest lifetime FLOPs.

    Minimises ``6 N D_tr + 2 N D_inf`` subject to ``L(N, D_tr) = target_loss``,
    to machine precision; broadcasts over arrays of losses and inference tokens.
    With no inference this is the Chinchilla-optimal model of that loss.

    Parameters
    ----------
    target_loss : float or array
        Must be greater than ``fit.E``.
    inference_tokens : float or array
        Lifetime inference tokens ``D_inf >= 0``.

    Returns
    -------
    (N, D_tr) : arrays

    Examples
    --------
    >>> N, D = flop_optimal(chinchilla_loss(13e9), 0.0)
    >>> round(float(N) / 1e9, 9)
    13.0
    """
    target_loss, inference_tokens = np.broadcast_arrays(np.asarray(target_loss, float),
                                                        np.asarray(inference_tokens, float))
    r = target_loss - fit.E
    if np.any(~(r > 0)) or np.any(~np.isfinite(r)):
        raise ValueError(f"target loss must be a finite number greater than the fit's irreducible loss E = {fit.E:g}")
    if np.any(~(inference_tokens >= 0)) or np.any(~np.isfinite(inference_tokens)):
        raise ValueError("inference tokens must be finite and >= 0")
    a, b = fit.alpha, fit.beta
    g_c = a * r / (a + b)

    def implied_inference(g):  # D_inf at which g is optimal; falls with g
        N, D = _from_g(g, r, fit)
        return 3.0 * D * (a * (r - g) / (b * g) - 1.0)

    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        g = _bisect_log_g(lambda g: implied_inference(g) > inference_tokens, r, g_c)
    g = np.where(inference_tokens > 0, np.minimum(g, g_c), g_c)
    return _from_g(g, r, fit)


def chinchilla_optimal(target_loss, fit: LossFit = CHINCHILLA):
    """The compute-optimal (Chinchilla) model that reaches ``target_loss``: ``flop_optimal`` with no inference.

    >>> N, D = chinchilla_optimal(chinchilla_loss(70e9))
    >>> round(float(D / N), 1)
    60.8
    """
    return flop_optimal(target_loss, 0.0, fit)


def params_at_ratio(target_loss, tokens_per_param, fit: LossFit = CHINCHILLA):
    """The size that reaches ``target_loss`` when trained on ``tokens_per_param`` tokens per parameter.

    >>> l = chinchilla_loss(13e9)
    >>> N = params_at_ratio(l, 1e4)
    >>> round(float(tokens_for_loss(N, l) / N))
    10000
    """
    target_loss, ratio = np.broadcast_arrays(np.asarray(target_loss, float), np.asarray(tokens_per_param, float))
    r = target_loss - fit.E

    def ratio_of(g):  # D / N along the constraint; falls with g
        N, D = _from_g(g, r, fit)
        return D / N

    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        g = _bisect_log_g(lambda g: ratio_of(g) > ratio, r, r * (1.0 - 1e-12))
    return _from_g(g, r, fit)[0]


#: Lowest size of the default grid: where training needs this many tokens per parameter.
GRID_MAX_TOKENS_PER_PARAM = 1e5
#: Highest size of the default grid, as a multiple of the Chinchilla-optimal size.
GRID_ABOVE_CHINCHILLA = 4.0


def size_grid(target_loss: float, inference_tokens: float = 0.0, points: int = 200,
              fit: LossFit = CHINCHILLA) -> np.ndarray:
    """Log-spaced model sizes for the curve of lifetime FLOPs or cost against N.

    From the size trained on :data:`GRID_MAX_TOKENS_PER_PARAM` tokens per
    parameter (or half the FLOP-optimal size, if that is smaller) to
    :data:`GRID_ABOVE_CHINCHILLA` times the Chinchilla-optimal size.

    >>> grid = size_grid(chinchilla_loss(13e9), 2e12, points=5)
    >>> [round(float(n) / 1e9, 2) for n in grid]
    [1.77, 4.13, 9.61, 22.35, 52.0]
    """
    n_chin = float(chinchilla_optimal(target_loss, fit)[0])
    n_flop = float(flop_optimal(target_loss, inference_tokens, fit)[0])
    lo = min(float(params_at_ratio(target_loss, GRID_MAX_TOKENS_PER_PARAM, fit)), 0.5 * n_flop)
    lo = max(lo, float(params_at_ratio(target_loss, 1e12, fit)))  # never at the asymptote itself
    hi = GRID_ABOVE_CHINCHILLA * n_chin
    return np.geomspace(lo, hi, int(points))


# ---- Plans against the engine's lifetime cost -------------------------------------------------


@dataclass(frozen=True)
class Design:
    """One candidate model: its size, its training tokens and what it costs over the lifetime.

    Costs are the engine's (``total_cost``, ``training_cost``, ``inference_cost``
    of :func:`tcoapp.engine.run` for the inputs with this N and D, in the
    scenario's currency); NaN with ``error`` set where the engine cannot
    compute that size (it does not fit the chip, a price is missing).
    """

    params: float
    tokens: float
    inference_tokens: float
    total_cost: float = NAN
    training_cost: float = NAN
    inference_cost: float = NAN
    error: str | None = None

    @property
    def tokens_per_param(self) -> float:
        return self.tokens / self.params

    @property
    def training_flops(self) -> float:
        return 6.0 * self.params * self.tokens

    @property
    def inference_flops(self) -> float:
        return 2.0 * self.params * self.inference_tokens

    @property
    def total_flops(self) -> float:
        return self.training_flops + self.inference_flops

    def engine_values(self) -> dict[str, float]:
        """The engine inputs (and scenario fields) that describe this design: a dense model, ``6 N D`` training."""
        billions = self.params / 1e9
        return {"model.params_billion": billions, "model.active_params_billion": billions,
                "training.tokens_trillion": self.tokens / 1e12, "training.compute_flops": NAN}


@dataclass(frozen=True)
class Curve:
    """Lifetime FLOPs and cost against model size at the target quality (one engine batch).

    Arrays of shape ``(K,)``, sizes ascending; costs NaN where ``errors[k]`` says why.
    """

    params: np.ndarray
    tokens: np.ndarray
    total_flops: np.ndarray
    total_cost: np.ndarray
    training_cost: np.ndarray
    inference_cost: np.ndarray
    errors: list = field(default_factory=list)

    @property
    def tokens_per_param(self) -> np.ndarray:
        return self.tokens / self.params


@dataclass(frozen=True)
class PlanWarning:
    """A reason to distrust part of a plan.

    ``code`` for programs (``"tokens_per_param"``, ``"below_fitted_sizes"``,
    ``"above_fitted_sizes"``, ``"search_edge"``, ``"not_costed"``), ``message``
    for people, ``subject`` the design it concerns (``"optimal"``,
    ``"chinchilla"``) or ``""`` for the plan as a whole.
    """

    code: str
    message: str
    subject: str = ""


@dataclass(frozen=True)
class Plan:
    """What :func:`plan` recommends, against the Chinchilla-optimal model of the same quality.

    Attributes
    ----------
    objective : {"flops", "cost"}
    loss : float
        The target quality.
    inference_tokens : float
        Lifetime inference tokens ``D_inf`` the FLOPs are counted with.
    optimal : Design
        The recommendation: the FLOP optimum, or the cheapest size the engine found.
    chinchilla : Design
        The compute-optimal (Chinchilla) model of the same loss.
    flop_optimal : Design
        The FLOP optimum (the same as ``optimal`` for the FLOP objective).
    curve : Curve
    warnings : list of PlanWarning
    notes : list of str
        The assumptions behind the costs.
    fit : LossFit
    """

    objective: str
    loss: float
    inference_tokens: float
    optimal: Design
    chinchilla: Design
    flop_optimal: Design
    curve: Curve
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    fit: LossFit = CHINCHILLA

    @property
    def flop_saving(self) -> float:
        """Lifetime FLOPs saved against the Chinchilla-optimal model."""
        return self.chinchilla.total_flops - self.optimal.total_flops

    @property
    def cost_saving(self) -> float:
        """Lifetime cost saved against the Chinchilla-optimal model (NaN if either is not costed)."""
        return self.chinchilla.total_cost - self.optimal.total_cost

    @property
    def saving_fraction(self) -> float:
        """The saving as a share of the Chinchilla-optimal model's total, in the objective's terms."""
        if self.objective == "flops":
            return self.flop_saving / self.chinchilla.total_flops
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(self.cost_saving) / np.float64(self.chinchilla.total_cost))


def served_tokens(inputs: Mapping[str, object], months: int) -> float:
    """Tokens one scenario's traffic makes the model process over the horizon (prompts and generated tokens).

    Traffic does not depend on the model, the chips or the deployment, so this
    is computed with an API deployment and no training, which always computes.
    """
    probe = dict(inputs)
    probe.update({"inference.deployment": "api", "training.tokens_trillion": 0.0, "training.compute_flops": 0.0})
    result = run(probe, months, on_error="mask")
    return float(result.series["tokens"].sum(axis=1)[0])


def cost_batch(inputs: Mapping[str, object], months: int, params, tokens):
    """Run the engine once for every (N, D) pair: the inputs as a dense model trained on ``6 N D`` FLOPs.

    Sizes that cannot be computed (too big for the chip, a missing price) come
    back as NaN rows with their reason in ``Result.errors``.
    """
    params, tokens = np.asarray(params, float), np.asarray(tokens, float)
    batch = dict(inputs)
    billions = params / 1e9
    batch.update({"model.params_billion": billions, "model.active_params_billion": billions,
                  "training.tokens_trillion": tokens / 1e12,
                  "training.compute_flops": np.full(params.shape, NAN)})
    return run(batch, months, on_error="mask")


def _design(params, tokens, inference_tokens, result, k) -> Design:
    s = result.summary
    error = result.errors[k]
    return Design(float(params), float(tokens), float(inference_tokens), float(s["total_cost"][k]),
                  float(s["training_cost"][k]), float(s["inference_cost"][k]),
                  None if error is None else f"{error.field}: {error.rule}")


def _memory_steps(inputs: Mapping[str, object], lo: float, hi: float) -> np.ndarray:
    """Sizes in ``[lo, hi]`` just below where the automatic chips per replica doubles (methodology section 4.3).

    The cost jumps there, so the cheapest size often sits exactly at one of them.
    """
    from .model import BYTES_PER_WEIGHT, POWERS_OF_TWO

    if inputs.get("inference.deployment", "cloud") == "api":
        return np.empty(0)
    if not math.isnan(float(inputs.get("inference.chips_per_replica", NAN))):
        return np.empty(0)
    memory = float(inputs.get("inference.chip.memory_gb", NAN)) * 1e9
    fraction = float(inputs.get("inference.efficiency.weight_memory_fraction", 0.7))
    per_weight = BYTES_PER_WEIGHT.get(str(inputs.get("inference.precision", "fp8")), NAN)
    steps = fraction * POWERS_OF_TWO * memory / per_weight * (1.0 - 1e-12)
    return steps[np.isfinite(steps) & (steps >= lo) & (steps <= hi)]


def _refinement(params: np.ndarray, cost: np.ndarray, points: int, windows: int = 3) -> np.ndarray:
    """Sizes for the second, finer batch: around the ``windows`` cheapest local minima of the first."""
    order = np.argsort(params)
    n, c = params[order], np.where(np.isfinite(cost[order]), cost[order], np.inf)
    left = np.concatenate([[np.inf], c[:-1]])
    right = np.concatenate([c[1:], [np.inf]])
    minima = np.flatnonzero((c <= left) & (c <= right) & np.isfinite(c))
    minima = minima[np.argsort(c[minima], kind="stable")][:windows]
    out = []
    for i in minima:
        lo, hi = n[max(i - 1, 0)], n[min(i + 1, len(n) - 1)]
        out.append(np.geomspace(lo, hi, points))
    return np.concatenate(out) if out else np.empty(0)


def _range_warnings(subject: str, design: Design, fit: LossFit) -> list[PlanWarning]:
    """Where a design leaves the range the loss fit was measured on."""
    label = {"optimal": "recommended model", "chinchilla": "Chinchilla-optimal reference"}[subject]
    out = []
    if design.tokens_per_param > fit.max_tokens_per_param:
        out.append(PlanWarning(
            "tokens_per_param",
            f"{label}: {design.tokens_per_param:,.0f} tokens per parameter is beyond the ~{fit.max_tokens_per_param:,.0f} "
            "the loss fit has been checked to; the loss it is trained to reach is an extrapolation", subject))
    if design.params < fit.min_params:
        out.append(PlanWarning(
            "below_fitted_sizes",
            f"{label}: {design.params / 1e9:.3g}B parameters is below the smallest models the loss fit was measured on "
            f"(~{fit.min_params / 1e6:,.0f}M)", subject))
    if design.params > fit.max_params:
        out.append(PlanWarning(
            "above_fitted_sizes",
            f"{label}: {design.params / 1e9:.3g}B parameters is above the largest models the loss fit was measured on "
            f"(~{fit.max_params / 1e9:,.0f}B); the fit is extrapolated", subject))
    return out


#: Assumptions behind every plan's costs.
PLAN_NOTES = (
    "Every size is costed as a dense model (active parameters = parameters); a mixture-of-experts scenario "
    "is treated as dense.",
    "Training compute is 6 x parameters x training tokens (the scenario's own training.compute_flops is "
    "ignored); experiment overhead, refreshes, chips, utilisation and prices are the scenario's.",
    "The key-value cache shape (layers, kv_heads, head_dim) is the scenario's for every size.",
)


def plan(inputs: Mapping[str, object], months: int, target_loss: float, *, inference_tokens: float | None = None,
         objective: str = "flops", fit: LossFit = CHINCHILLA, points: int = 200,
         refine_points: int = 101) -> Plan:
    """The lifetime-optimal model size and training tokens for one scenario's engine inputs.

    Parameters
    ----------
    inputs : mapping
        Engine inputs of one scenario (scalars), as :func:`tcoapp.engine.run` takes them.
    months : int
        Horizon in months.
    target_loss : float
        Quality to reach (> ``fit.E``); see :func:`chinchilla_loss`.
    inference_tokens : float, optional
        Lifetime inference tokens for the FLOP count; by default the tokens the
        inputs' traffic serves (:func:`served_tokens`). The costs always come from
        the inputs' traffic, so for ``objective="cost"`` a value that differs from
        it is an error: scale the traffic instead.
    objective : {"flops", "cost"}
        Minimise ``6 N D_tr + 2 N D_inf`` (exactly) or the engine's
        ``total_cost`` (best of a grid of ``points`` sizes and a finer batch of
        ``refine_points`` sizes around its three cheapest local minima, plus the
        sizes where the chips per replica change).
    fit : LossFit

    Returns
    -------
    Plan

    Raises
    ------
    ValueError
        A bad loss, objective or inference tokens.
    EngineError
        For ``objective="cost"`` when no size can be costed (the Chinchilla
        model's reason).
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    target_loss = float(target_loss)
    if not (math.isfinite(target_loss) and target_loss > fit.E):
        raise ValueError(f"target loss must be greater than the fit's irreducible loss E = {fit.E:g}")
    served = served_tokens(inputs, months)
    d_inf = served if inference_tokens is None else float(inference_tokens)
    if not (math.isfinite(d_inf) and d_inf >= 0):
        raise ValueError("inference tokens must be finite and >= 0")
    if objective == "cost" and not math.isclose(d_inf, served, rel_tol=1e-9, abs_tol=1e-6):
        raise ValueError(f"the cost objective prices the inputs' own traffic ({served:.6g} tokens), not "
                         f"{d_inf:.6g}; scale inference.requests_per_day to serve that many")

    n_chin, d_chin = (float(v) for v in chinchilla_optimal(target_loss, fit))
    n_flop, d_flop = (float(v) for v in flop_optimal(target_loss, d_inf, fit))
    grid = size_grid(target_loss, d_inf, points, fit)
    grid_tokens = tokens_for_loss(grid, target_loss, fit)
    params = np.concatenate([grid, [n_flop, n_chin]])
    tokens = np.concatenate([grid_tokens, [d_flop, d_chin]])
    first = cost_batch(inputs, months, params, tokens)
    K = len(grid)
    cost = first.summary["total_cost"]
    curve = Curve(grid, grid_tokens, total_flops(grid, grid_tokens, d_inf), cost[:K].copy(),
                  first.summary["training_cost"][:K].copy(), first.summary["inference_cost"][:K].copy(),
                  [None if e is None else f"{e.field}: {e.rule}" for e in first.errors[:K]])
    flop_design = _design(n_flop, d_flop, d_inf, first, K)
    chin_design = _design(n_chin, d_chin, d_inf, first, K + 1)
    warnings: list[PlanWarning] = []

    if objective == "flops":
        optimal = flop_design
    else:
        if not np.isfinite(cost).any():  # the Chinchilla model's reason, else any row's
            reasons = [e for e in [first.errors[K + 1], *first.errors] if e is not None]
            raise reasons[0] if reasons else EngineError(K + 1, "model.params_billion", "no size could be costed")
        extra = np.concatenate([_refinement(params, cost, refine_points),
                                _memory_steps(inputs, float(grid[0]), float(grid[-1]))])
        extra_tokens = tokens_for_loss(extra, target_loss, fit)
        candidates = [(first, params, tokens)]
        if extra.size:
            candidates.append((cost_batch(inputs, months, extra, extra_tokens), extra, extra_tokens))
        best = None
        for result, ns, ds in candidates:
            c = result.summary["total_cost"]
            if np.isfinite(c).any():
                k = int(np.nanargmin(c))
                if best is None or c[k] < best[0]:
                    best = (c[k], result, ns, ds, k)
        _, result, ns, ds, k = best
        optimal = _design(ns[k], ds[k], d_inf, result, k)
        if optimal.params <= grid[0] * (1.0 + 1e-9):
            warnings.append(PlanWarning(
                "search_edge", f"the cheapest size is the smallest searched ({optimal.tokens_per_param:,.0f} tokens "
                               "per parameter); a smaller model trained longer may be cheaper still", "optimal"))

    warnings += _range_warnings("optimal", optimal, fit)
    warnings += _range_warnings("chinchilla", chin_design, fit)
    failed = [e for e in first.errors if e is not None]
    if failed and len(failed) == len(first.errors):
        warnings.append(PlanWarning("not_costed", f"no size could be costed: {failed[-1].field}: {failed[-1].rule}"))
    elif failed:
        sizes = params[[e is not None for e in first.errors]]
        warnings.append(PlanWarning(
            "not_costed", f"{len(failed)} of {len(params)} sizes ({sizes.min() / 1e9:.3g}B to {sizes.max() / 1e9:.3g}B "
                          f"parameters) could not be costed and are left out, e.g. {failed[-1].field}: "
                          f"{failed[-1].rule}"))
    notes = list(PLAN_NOTES)
    if inputs.get("inference.deployment") == "api":
        notes.append("Inference is bought per token through an API, so its cost does not depend on the model's "
                     "size; only training cost moves with N.")
    return Plan(objective, target_loss, d_inf, optimal, chin_design, flop_design, curve, warnings, notes, fit)
