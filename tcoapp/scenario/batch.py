"""From scenarios to engine batches, and engine errors back to scenario errors.

The engine knows nothing of pydantic or the catalog: it takes arrays keyed by
dotted field paths. This module flattens a :class:`Scenario`, looks up the
chosen chips' specs (catalog merged with the scenario's own ``chips``) and
stacks several scenarios into one batch.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..engine import CHIP_SPECS, INPUT_DEFAULTS, EngineError, Result, run
from .catalog import check_references, chips_for
from .errors import NO_VALUE, ScenarioError
from .schema import get_path

_ROLES = ("training", "inference")


def _flatten(data: Mapping, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


def engine_inputs(scenario, chips: Mapping | None = None) -> dict[str, object]:
    """Engine inputs of one scenario: its fields by dotted path, nulls as NaN, chip specs added.

    Parameters
    ----------
    scenario : Scenario
    chips : mapping of chip id to Chip, optional
        Defaults to the catalog merged with ``scenario.chips``.
    """
    chips = chips_for(scenario) if chips is None else chips
    check_references(scenario, chips)
    flat = _flatten(scenario.model_dump(exclude={"chips", "uncertainty"}))
    inputs = {k: (math.nan if v is None else v) for k, v in flat.items() if k in INPUT_DEFAULTS}
    for role in _ROLES:
        chip_id = getattr(scenario, role).chip
        inputs[f"{role}.chip.id"] = chip_id
        chip = chips.get(chip_id)
        for spec in CHIP_SPECS:
            value = getattr(chip, spec, None) if chip is not None else None
            inputs[f"{role}.chip.{spec}"] = math.nan if value is None else float(value)
    return inputs


def stack(inputs: Sequence[Mapping[str, object]]) -> dict[str, np.ndarray]:
    """Stack per-scenario engine inputs into one batch (keys of the first one).

    >>> stack([{"a": 1.0, "k": "x"}, {"a": 2.0, "k": "y"}])["a"].tolist()
    [1.0, 2.0]
    """
    keys = inputs[0].keys()
    out = {}
    for key in keys:
        values = [item[key] for item in inputs]
        kind = object if isinstance(values[0], str) else float
        out[key] = np.array(values, dtype=kind)
    return out


def to_scenario_error(err: EngineError, scenario=None, source: str | None = None) -> ScenarioError:
    """The user-facing :class:`ScenarioError` for an engine error (names the field and rule)."""
    value = NO_VALUE
    if scenario is not None:
        try:
            value = get_path(scenario, err.field)
        except ScenarioError:
            pass
    return ScenarioError(err.rule, file=source, path=err.field, value=value)


def months(scenario) -> int:
    """Horizon in months."""
    return 12 * int(scenario.horizon_years)


def evaluate(scenario, source: str | None = None) -> Result:
    """Run the engine on one scenario; bad inputs raise :class:`ScenarioError` (naming ``source``)."""
    try:
        inputs = engine_inputs(scenario)
    except ScenarioError as err:
        if err.file is None and source is not None:  # an unknown chip or unsupported precision
            raise ScenarioError(err.rule, path=err.path, value=err.value, file=source) from None
        raise
    try:
        return run(inputs, months(scenario))
    except EngineError as err:
        raise to_scenario_error(err, scenario, source) from None


def evaluate_many(scenarios: Iterable, on_error: str = "mask") -> Result:
    """Run several scenarios of the same horizon in one engine call."""
    scenarios = list(scenarios)
    horizons = {months(s) for s in scenarios}
    if len(horizons) != 1:
        raise ValueError("scenarios in one batch must share horizon_years")
    return run(stack([engine_inputs(s) for s in scenarios]), horizons.pop(), on_error=on_error)
