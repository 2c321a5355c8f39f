"""Programmes: several workloads on one calendar, with shared owned fleets (methodology section 6).

A programme of W workloads is one engine batch of W rows; K variants of it (a
tornado, a sweep, a Monte Carlo) are one batch of ``K * W`` rows, variant-major
(row ``k * W + w`` is workload w of variant k). :func:`run_programme` runs the
batch once, forms the pools of each variant (owned-inference workloads on the
same chip at the same purchase price ``K(0) = chip_price * (1 + server_overhead)``),
runs section 4.5 once for every pool of every variant on the pool's summed
required chips, and allocates the pool's owned series to its members by
``required_w / required_pool``; a month with ``required_pool = 0`` allocates
nothing and its costs go to the programme's ``inference_unallocated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from . import model
from .errors import EngineError
from .finance import irr_annual, npv
from .model import HOURS, NAN, Result, run

#: The owned series a pool allocates to its members (methodology 6), with the fleet's key for each.
ALLOCATED = {"inference_compute": None, "inference_energy": "energy", "inference_facility": "facility",
             "chips": "alive", "capex": "capex", "depreciation": "depreciation"}

#: Summary keys that are per workload only (methodology 6).
WORKLOAD_ONLY_KEYS = ("training_chips", "replica_chips", "replica_prefill_tokens_per_s",
                      "replica_decode_tokens_per_s", "replica_batch", "tokens_per_s_per_user", "answer_seconds")

#: The programme's summary keys: section 5's without the per-workload ones.
PROGRAMME_SUMMARY = tuple(k for k in model.SUMMARY if k not in WORKLOAD_ONLY_KEYS)


@dataclass
class ProgrammeResult:
    """K programme variants of W workloads over M months.

    ``workloads`` is the engine :class:`Result` of the ``K * W`` rows after
    allocation (row ``k * W + w``); ``series[name]`` and ``summary[key]`` are the
    programme's, shapes ``(K, M)`` and ``(K,)``; ``series["inference_unallocated"]``
    is the idle owned capacity. ``errors[k]`` is None or the first
    ``(workload index, EngineError)`` of variant k (its numbers are NaN).
    """

    months: int
    n_workloads: int
    workloads: Result
    series: dict[str, np.ndarray]
    summary: dict[str, np.ndarray]
    errors: list = field(default_factory=list)
    pools: np.ndarray | None = None  # (K, W): index of each owned workload's pool leader, -1 otherwise

    @property
    def size(self) -> int:
        return len(self.errors)

    def workload(self, k: int, w: int) -> Result:
        return self.workloads.scenario(k * self.n_workloads + w)


def _chip_price(x: Mapping[str, np.ndarray]) -> np.ndarray:
    price = x["inference.chip_price"]
    return np.where(np.isnan(price), x["inference.chip.price_usd"] * x["finance.usd_to_currency"], price)


def _rows(x: Mapping[str, np.ndarray], index: np.ndarray) -> dict[str, np.ndarray]:
    """The inputs of some rows of a broadcast batch (a (1,) input stays as it is)."""
    return {k: (v[index] if v.shape[0] > 1 else v) for k, v in x.items()}


def owned_fleet(inputs: Mapping[str, object], required: np.ndarray, months: int) -> dict:
    """Section 4.5 on given required chips: the lead's ``model.owned_fleet``."""
    return model.owned_fleet(inputs, required, months)


def _same_price(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether purchase prices are the same price: equal to 12 significant digits, so that a price typed in the
    programme's currency (23,100) pools with the catalog's converted one (USD 21,000 * 1.1 = 23,100.000000000004)."""
    return np.abs(a - b) <= 1e-12 * np.maximum(np.abs(a), np.abs(b))


def form_pools(x: Mapping[str, np.ndarray], K: int, W: int, shared_fleets: bool = True) -> np.ndarray:
    """Pool leaders ``(K, W)``: for an owned workload, the first workload of its variant in its pool; -1 else.

    Workloads pool when both are owned and use the same chip id at the same ``K(0)`` (to 12 significant
    digits: a price typed in the programme's currency pools with the catalog's converted one); a lone
    owned workload is a pool of one (its idle months are unallocated too). Without
    ``shared_fleets`` there are no pools: each owned workload keeps its own fleet, as in a scenario.
    """
    n = K * W
    full = lambda v: np.broadcast_to(v, (n,)).reshape(K, W)  # noqa: E731
    owned = full(x["inference.deployment"] == "owned")
    chip = full(x["inference.chip.id"])
    k0 = full(_chip_price(x) * (1.0 + x["facility.server_overhead"]))
    leader = np.where(owned, np.arange(W)[None, :], -1)
    if not shared_fleets:
        return np.full((K, W), -1)
    for w in range(1, W):
        for v in range(w):
            same = owned[:, w] & owned[:, v] & (chip[:, w] == chip[:, v]) & _same_price(k0[:, w], k0[:, v]) \
                & (leader[:, w] == w)
            leader[:, w] = np.where(same, leader[:, v], leader[:, w])
    return leader


def summarise(series: Mapping[str, np.ndarray], discount_rate, energy_mwh: np.ndarray, *, with_irr: bool = True
              ) -> dict[str, np.ndarray]:
    """Section 5's summary keys (those not per workload only) computed on monthly series.

    ``energy_mwh`` is given (it is not a monthly series of section 5);
    ``residual_book_value`` is the sum of capex minus the sum of depreciation.
    """
    # sums beyond double precision are infinite here and refused by the caller (_overflowing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _summarise(series, discount_rate, energy_mwh, with_irr)


def _summarise(series, discount_rate, energy_mwh, with_irr: bool) -> dict[str, np.ndarray]:
    total = lambda k: series[k].sum(axis=1)  # noqa: E731
    training_cost, inference_cost, total_cost = total("training"), total("inference"), total("total")
    tokens, requests, revenue = total("tokens"), total("requests"), total("revenue")
    rate = np.asarray(discount_rate, dtype=float).reshape(-1)
    cum_inf = np.cumsum(series["inference"], axis=1)
    cum_train = np.cumsum(series["training"], axis=1)
    net = series["revenue"] - series["cash_total"]
    cum_rev = np.cumsum(series["revenue"], axis=1)
    out = {
        "training_cost": training_cost,
        "inference_cost": inference_cost,
        "total_cost": total_cost,
        "inference_share": np.where(total_cost != 0, inference_cost / total_cost, NAN),
        "crossover_month": model._first_month((cum_inf >= cum_train) & (cum_inf > 0)),
        "npv_total": npv(series["cash_total"], rate),
        "npv_training": npv(series["cash_training"], rate),
        "npv_inference": npv(series["cash_inference"], rate),
        "cost_per_million_tokens": np.where(tokens > 0, inference_cost / (tokens / 1e6), NAN),
        "cost_per_request": np.where(requests > 0, inference_cost / requests, NAN),
        "peak_chips": series["chips"].max(axis=1),
        "energy_mwh": np.asarray(energy_mwh, dtype=float),
        "residual_book_value": total("capex") - total("depreciation"),
        "revenue_total": revenue,
        "profit": revenue - total_cost,
        "npv_profit": npv(net, rate),
        "payback_month": model._first_month((cum_rev >= np.cumsum(series["cash_total"], axis=1)) & (cum_rev > 0)),
        "irr": irr_annual(net) if with_irr and np.any(revenue != 0) else np.full(net.shape[0], NAN),
    }
    return out


def _overflowing(prog: Mapping[str, np.ndarray], prog_summary: Mapping[str, np.ndarray],
                 summary: Mapping[str, np.ndarray], failed: np.ndarray, K: int, W: int) -> list:
    """For each variant, None or ``(workload, EngineError)`` when the programme's sums are beyond double precision.

    Each workload's own sums are checked by the engine, but several of them, each finite, can add
    up to more than a number holds (two workloads of 1e308). The workload with the largest cost is
    named, with the input behind the larger of its training and inference costs.
    """
    finite = np.isfinite
    costs_ok = (finite(prog_summary["total_cost"]) & finite(prog["cash_total"].sum(axis=1))
                & finite(prog_summary["revenue_total"]))
    present_ok = model.present_values_finite(prog_summary, K)
    out: list = [None] * K
    beyond = "beyond double precision (about 1.8e308)"
    for k in np.flatnonzero(~failed & ~(costs_ok & present_ok)):
        rows = slice(k * W, (k + 1) * W)
        w = int(np.argmax(np.nan_to_num(summary["total_cost"][rows], posinf=np.finfo(float).max)))
        training, inference = summary["training_cost"][rows][w], summary["inference_cost"][rows][w]
        if not costs_ok[k]:
            field = "training.mfu" if training >= inference else "inference.target_utilization"
            rule = (f"makes the programme's costs, summed over its workloads and the horizon, {beyond}; "
                    "use a real utilisation and throughput")
        else:
            field = "finance.discount_rate"
            rule = (f"discounts the programme's costs to a present value {beyond}; "
                    "use a real rate (for example 0.08)")
        out[k] = (w, EngineError(k * W + w, field, rule))
    return out


def _mwh_per_chip_month(x: Mapping[str, np.ndarray]) -> np.ndarray:
    """MWh one installed chip draws in a month: ``server_kw * power_load_factor * pue * HOURS / 1000``."""
    f = lambda k: x[f"facility.{k}"]  # noqa: E731
    server_kw = np.nan_to_num(x["inference.chip.tdp_w"]) / 1000.0 * (1.0 + f("server_power_overhead"))
    return server_kw * f("power_load_factor") * f("pue") * HOURS / 1000.0


@np.errstate(over="ignore", invalid="ignore")  # sums beyond double precision are refused (_overflowing)
def run_programme(inputs: Mapping[str, object], months: int, n_workloads: int, *, shared_fleets: bool = True,
                  on_error: str = "raise", irr: bool = True) -> ProgrammeResult:
    """Evaluate K programme variants of ``n_workloads`` workloads, given as one batch of ``K * W`` rows.

    Parameters
    ----------
    inputs : mapping
        Engine inputs (as :func:`tcoapp.engine.run` takes them) of ``K * W`` rows, variant-major;
        the shared ``finance.*`` and ``facility.*`` inputs must be equal within a variant.
    months : int
    n_workloads : int
        W.
    shared_fleets : bool
        Whether owned workloads on the same chip and price share a fleet.
    on_error : {"raise", "mask"}
        As for :func:`run`; with "mask" a variant with a failing workload is NaN.
    irr : bool
        Whether to solve for the IRRs.
    """
    W = int(n_workloads)
    M = int(months)
    x, n = model._broadcast_inputs(inputs)
    if n == 1:  # every input a scalar: W identical workloads
        n = W
        inputs = {k: np.repeat(v, W) for k, v in x.items()}
        x, _ = model._broadcast_inputs(inputs)
    if n % W:
        raise ValueError(f"a batch of {n} rows is not a whole number of programmes of {W} workloads")
    K = n // W
    base = run(inputs, M, on_error=on_error, irr=irr)
    series = {k: np.array(v, dtype=float) for k, v in base.series.items()}
    summary = {k: np.array(v, dtype=float) for k, v in base.summary.items()}
    failed_rows = np.array([e is not None for e in base.errors], dtype=bool) if base.errors else np.zeros(n, bool)
    if len(failed_rows) != n:
        failed_rows = np.zeros(n, bool)
    failed = failed_rows.reshape(K, W).any(axis=1)

    leader = form_pools(x, K, W, shared_fleets)
    leader[failed] = -1  # a variant with a failing workload is NaN throughout
    flat_leader = np.where(leader >= 0, leader + (np.arange(K) * W)[:, None], -1).reshape(-1)
    required = np.nan_to_num(series["required"])
    pool_rows = np.flatnonzero(flat_leader == np.arange(n))  # rows that lead a pool
    mwh_chip = np.broadcast_to(_mwh_per_chip_month(x), (n,))
    unallocated = {name: np.zeros((K, M)) for name in ("inference_compute", "inference_energy",
                                                       "inference_facility", "chips", "capex", "depreciation")}
    unallocated_mwh = np.zeros(K)
    members = np.flatnonzero(flat_leader >= 0)
    if pool_rows.size:
        required_pool = np.zeros((n, M))
        np.add.at(required_pool, flat_leader[members], required[members])
        fleet = owned_fleet(_rows(x, pool_rows), required_pool[pool_rows], M)
        pool_index = np.full(n, -1)
        pool_index[pool_rows] = np.arange(pool_rows.size)
        pool_of = pool_index[flat_leader[members]]  # each member's row in the fleet
        need = required_pool[pool_rows][pool_of]  # (members, M)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(need > 0, required[members] / need, 0.0)
        pool_series = {
            "inference_compute": fleet["compute"],
            "inference_energy": fleet["energy"], "inference_facility": fleet["facility"],
            "chips": fleet["alive"], "capex": fleet["capex"], "depreciation": fleet["depreciation"],
        }
        for name, pooled in pool_series.items():
            series[name][members] = pooled[pool_of] * share
        mwh_month = fleet["alive"] * mwh_chip[pool_rows][:, None]
        summary["energy_mwh"][members] = (mwh_month[pool_of] * share).sum(axis=1)
        idle = required_pool[pool_rows] == 0
        variant_of_pool = pool_rows // W
        for name, pooled in pool_series.items():
            np.add.at(unallocated[name], variant_of_pool, np.where(idle, pooled, 0.0))
        np.add.at(unallocated_mwh, variant_of_pool, np.where(idle, mwh_month, 0.0).sum(axis=1))

        # members' dependent series and summary follow from their allocated series
        s = {k: series[k][members] for k in series}
        s["inference"] = s["inference_compute"] + s["inference_energy"] + s["inference_facility"] + s["inference_ops"]
        s["total"] = s["training"] + s["inference"]
        s["cash_inference"] = s["inference"] - s["inference_compute"] + s["capex"]
        s["cash_total"] = s["cash_training"] + s["cash_inference"]
        for k in ("inference", "total", "cash_inference", "cash_total"):
            series[k][members] = s[k]
        rate = np.broadcast_to(x["finance.discount_rate"], (n,))[members]
        member_summary = summarise(s, rate, summary["energy_mwh"][members], with_irr=irr)
        for key, values in member_summary.items():
            summary[key][members] = values
        if failed_rows.any():
            for arr in list(series.values()) + list(summary.values()):
                arr[failed_rows] = NAN

    # ---- programme series: sums over workloads plus the unallocated parts ----
    def by_variant(a: np.ndarray) -> np.ndarray:
        return a.reshape(K, W, M).sum(axis=1)

    prog = {name: by_variant(series[name]) for name in model.SERIES}
    for name, extra in unallocated.items():
        prog[name] = prog[name] + extra
    prog["inference_unallocated"] = (unallocated["inference_compute"] + unallocated["inference_energy"]
                                     + unallocated["inference_facility"])
    prog["inference"] = prog["inference"] + prog["inference_unallocated"]
    prog["total"] = prog["training"] + prog["inference"]
    unallocated_cash = unallocated["capex"] + unallocated["inference_energy"] + unallocated["inference_facility"]
    prog["cash_inference"] = prog["cash_inference"] + unallocated_cash
    prog["cash_total"] = prog["cash_training"] + prog["cash_inference"]
    prog["required"] = by_variant(np.nan_to_num(series["required"]))
    energy = summary["energy_mwh"].reshape(K, W).sum(axis=1) + unallocated_mwh
    rate = np.broadcast_to(x["finance.discount_rate"], (n,)).reshape(K, W)[:, 0]
    prog_summary = summarise(prog, rate, energy, with_irr=irr)
    overflow = _overflowing(prog, prog_summary, summary, failed, K, W)
    failed = failed | np.array([e is not None for e in overflow], dtype=bool)
    if failed.any():
        for arr in list(prog.values()) + list(prog_summary.values()):
            arr[failed] = NAN
    errors = []
    for k in range(K):
        first = overflow[k]
        for w in range(W):
            e = base.errors[k * W + w] if base.errors else None
            if e is not None:
                first = (w, e)
                break
        errors.append(first)
    workloads = Result(M, series, summary, list(base.errors))
    return ProgrammeResult(M, W, workloads, prog, prog_summary, errors, leader)


__all__ = ["run_programme", "ProgrammeResult", "summarise", "form_pools", "PROGRAMME_SUMMARY",
           "WORKLOAD_ONLY_KEYS"]
