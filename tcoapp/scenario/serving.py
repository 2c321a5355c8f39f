"""Serving trade-offs on scenarios: cost against answer speed per chip, and the thinking budget.

Both are one engine batch. The throughput-latency trade-off varies the batch a
replica decodes at once (through ``inference.efficiency.max_batch``, capped by
memory as section 4.3 says) on every compared chip: a small batch gives each user
a fast stream and costs more per token, a large one the opposite. The thinking
budget varies ``inference.reasoning_tokens`` and reports what an answer costs and
how long it takes.
"""

from __future__ import annotations

import math
from typing import Sequence

from ..engine import CHIP_SPECS
from ..engine.model import run
from .batch import engine_inputs, months, stack
from .catalog import chips_for
from .errors import ScenarioError, _number
from .schema import numeric_field_paths
from .outputs import json_number

#: Batches tried on each chip for the trade-off curve.
TRADEOFF_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
#: Reasoning budgets tried by default, tokens per request.
THINKING_BUDGETS = (0, 500, 1000, 2000, 4000, 8000, 16000, 32000)

#: Inputs that belong to the scenario's own chip and are derived afresh on any other.
_OWN_CHIP_INPUTS = ("inference.cloud_rate", "inference.chip_price", "inference.chips_per_replica",
                    "inference.prefill_tokens_per_s_per_chip", "inference.decode_tokens_per_s_per_chip")


def latency_tradeoff(scenario, chips: Sequence[str] | None = None,
                     batches: Sequence[int] = TRADEOFF_BATCHES) -> dict:
    """Cost per million tokens against decode speed per user, for each chip, in one batch.

    Parameters
    ----------
    scenario : Scenario
        A cloud or owned scenario (an API has no batch to choose).
    chips : sequence of str, optional
        Chip ids; default: the scenario's chip and every catalog chip that has the figures.
    batches : sequence of int
        Requests decoded together per replica (each is capped by memory).

    Returns
    -------
    dict
        ``{"deployment", "currency", "chips": [{"chip", "label", "points": [{"batch", "tokens_per_s_per_user",
        "cost_per_million_tokens", "answer_seconds"}], "current": {...} or None, "error"}]}``;
        a chip that cannot serve the scenario has no points and the reason in ``error``.
    """
    if scenario.inference.deployment == "api":
        raise ScenarioError("the throughput-latency trade-off needs a cloud or owned deployment (an API has no "
                            "batch to choose)", path="inference.deployment", value="api")
    if scenario.inference.prefill_tokens_per_s_per_chip and scenario.inference.decode_tokens_per_s_per_chip:
        raise ScenarioError("are measured, so the batch is not estimated: clear them to see the trade-off",
                            path="inference.decode_tokens_per_s_per_chip",
                            value=scenario.inference.decode_tokens_per_s_per_chip)
    catalog = chips_for(scenario)
    own = scenario.inference.chip
    ids = list(chips) if chips is not None else [own] + [c for c in catalog if c != own]
    unknown = [c for c in ids if c not in catalog]
    if unknown:
        raise ScenarioError("is not in the catalog or the scenario's chips", path="chips", value=unknown[0])
    most = int(numeric_field_paths()["inference.efficiency.max_batch"].bounds["le"])
    if not batches or not all(math.isfinite(b) and b == int(b) for b in batches):
        raise ScenarioError("must be whole numbers >= 1", path="batches", value=list(batches))
    batches = [int(b) for b in batches]
    if min(batches) < 1 or max(batches) > most:
        raise ScenarioError(f"must be whole numbers between 1 and {_number(most)} (the largest "
                            "inference.efficiency.max_batch)", path="batches", value=batches)
    base = engine_inputs(scenario)
    base["inference.min_tokens_per_s_per_user"] = math.nan  # the batch is what varies
    rows = []
    for chip_id in ids:
        chip_inputs = dict(base)
        chip_inputs["inference.chip.id"] = chip_id
        for spec in CHIP_SPECS:
            value = getattr(catalog[chip_id], spec)
            chip_inputs[f"inference.chip.{spec}"] = math.nan if value is None else float(value)
        if chip_id != own:
            for key in _OWN_CHIP_INPUTS:
                chip_inputs[key] = math.nan
        for b in [None] + batches:  # None: the scenario's own batch rule
            item = dict(chip_inputs)
            if b is not None:
                item["inference.efficiency.max_batch"] = float(b)
            else:
                item["inference.min_tokens_per_s_per_user"] = base_target(scenario)
            rows.append(item)
    result = run(stack(rows), months(scenario), on_error="mask", irr=False)
    out, index = [], 0
    for chip_id in ids:
        chip_rows = [(b, index + k) for k, b in enumerate([None] + batches)]
        index += len(chip_rows)
        points, seen, current, error = [], set(), None, None
        for b, s in chip_rows:
            err = result.errors[s]
            if err is not None:
                if b is None:
                    error = f"{err.field}: {err.rule}"
                continue
            point = {key: json_number(result.summary[key][s]) for key in
                     ("replica_batch", "tokens_per_s_per_user", "cost_per_million_tokens", "answer_seconds",
                      "total_cost")}
            if b is None:
                current = point
            elif point["replica_batch"] not in seen:  # batches above the memory cap repeat the last point
                seen.add(point["replica_batch"])
                points.append(point)
        if not points and error is None:
            error = next(f"{e.field}: {e.rule}" for b, s in chip_rows if (e := result.errors[s]) is not None)
        chip = catalog[chip_id]
        out.append({"chip": chip_id, "label": chip.name or chip_id, "points": points, "current": current,
                    "error": error})
    return {"deployment": scenario.inference.deployment, "currency": scenario.currency, "chips": out}


def base_target(scenario) -> float:
    """The scenario's interactivity target as an engine input (NaN when it has none)."""
    target = scenario.inference.min_tokens_per_s_per_user
    return math.nan if target is None else float(target)


def thinking_budget(scenario, values: Sequence[float] = THINKING_BUDGETS) -> dict:
    """Cost and answer time as the reasoning tokens per request grow, in one batch.

    Returns
    -------
    dict
        ``{"values", "currency", "cost_per_request", "cost_per_million_tokens", "total_cost", "answer_seconds",
        "inference_share", "errors"}``, one entry per value (null where a row fails, with its reason in
        ``errors``); ``answer_seconds`` is null for an API or measured throughputs.
    """
    values = [float(v) for v in values]
    if not values or not all(math.isfinite(v) for v in values) or min(values) < 0:
        raise ScenarioError("must be finite numbers >= 0", path="reasoning_tokens", value=values)
    rule = numeric_field_paths()["inference.reasoning_tokens"]
    if max(values) > rule.bounds["le"]:
        raise ScenarioError(f"{rule.rule} (inference.reasoning_tokens' rule)", path="reasoning_tokens",
                            value=max(values))
    base = engine_inputs(scenario)
    rows = [dict(base, **{"inference.reasoning_tokens": v}) for v in values]
    result = run(stack(rows), months(scenario), on_error="mask", irr=False)
    keys = ("cost_per_request", "cost_per_million_tokens", "total_cost", "answer_seconds", "inference_share")
    out = {"values": values, "currency": scenario.currency, "deployment": scenario.inference.deployment}
    for key in keys:
        out[key] = [json_number(v) for v in result.summary[key]]
    out["errors"] = [None if e is None else f"{e.field}: {e.rule}" for e in result.errors]
    return out


__all__ = ["latency_tradeoff", "thinking_budget", "TRADEOFF_BATCHES", "THINKING_BUDGETS"]
