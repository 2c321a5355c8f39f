"""The engine's own guard against costs beyond double precision.

A scenario file cannot reach it any more (every divisor has a floor of 0.001 at its field), but the
engine is a library too: inputs given to :func:`tcoapp.engine.run` directly must never give an
infinite, NaN or silently dropped cost. Each case names the input a user would change."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tcoapp.engine import EngineError, run
from tcoapp.engine.programme import run_programme
from tcoapp.paths import samples_dir
from tcoapp.scenario.batch import engine_inputs, months, stack
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.programme import load_programme, programme_inputs


def _inputs(name: str, **changes) -> tuple[dict, int]:
    scenario = load_scenario(samples_dir() / name)
    inputs = engine_inputs(scenario)
    inputs.update({k.replace("__", "."): v for k, v in changes.items()})
    return inputs, months(scenario)


def _refusal(inputs, M) -> EngineError:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warned about is not a refusal
        with pytest.raises(EngineError) as caught:
            run(inputs, M)
    return caught.value


def test_a_vanishing_mfu_is_refused_naming_it():
    err = _refusal(*_inputs("chat-assistant-owned-h100.tco", training__mfu=5e-324))
    assert err.field == "training.mfu" and "chip-hours" in err.rule, err


def test_a_cost_finite_each_month_but_infinite_in_total_is_refused():
    # Without refreshes the run's compute falls on its training months; with mfu = 6e-303 each month is a
    # number and the horizon's sum is not (shown on a run 1e10 times cheaper, then refused as it is).
    inputs, M = _inputs("chat-assistant-owned-h100.tco", training__refresh_every_months=0, training__mfu=6e-293)
    compute = run(inputs, M).series["training_compute"][0]
    assert compute.max() < np.finfo(float).max / 1e10 < compute.sum()
    inputs["training.mfu"] = 6e-303
    err = _refusal(inputs, M)
    assert err.field == "training.mfu" and "summed over the horizon" in err.rule, err


@pytest.mark.parametrize("name, change, field", [
    ("chat-assistant-owned-h100.tco", {"inference.target_utilization": 1e-320}, "inference.target_utilization"),
    ("chat-assistant-owned-h100.tco", {"inference.efficiency.decode_mfu": 1e-320}, "inference.chip"),
    ("deployment-cloud.tco", {"inference.efficiency.bandwidth": 1e-320}, "inference.chip"),
    ("deployment-owned.tco", {"inference.decode_tokens_per_s_per_chip": 1e-320,
                              "inference.prefill_tokens_per_s_per_chip": 5000.0},
     "inference.decode_tokens_per_s_per_chip"),
])
def test_a_replica_of_almost_no_capacity_is_refused_naming_the_input(name, change, field):
    inputs, M = _inputs(name)
    inputs.update(change)
    err = _refusal(inputs, M)
    assert err.field == field and "capacity" in err.rule, err


def test_a_batch_masks_only_the_overflowing_row():
    inputs, M = _inputs("chat-assistant-owned-h100.tco")
    inputs["training.mfu"] = np.array([0.4, 5e-324, 0.3])
    result = run(inputs, M, on_error="mask")
    assert [e is None for e in result.errors] == [True, False, True]
    total = result.summary["total_cost"]
    assert np.isfinite(total[[0, 2]]).all() and np.isnan(total[1])


def test_workloads_each_finite_that_overflow_together_are_refused():
    # Two workloads whose training costs about 1e308 each: each is a number, their sum is not.
    programme = load_programme(samples_dir() / "company-programme.tco")
    rows = programme_inputs(programme)
    M = 12 * programme.horizon_years
    W = len(rows)
    base = run_programme(stack(rows), M, W)
    for w in (0, 2):  # Assistant v1 and Coding agent: no refreshes, so their compute cost is 1 / mfu
        result = base.workload(0, w)
        compute = float(result.summary["training_cost"][0]) - float(rows[w]["training.fixed_cost"])
        rows[w]["training.mfu"] = float(rows[w]["training.mfu"]) * compute / 1e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_programme(stack(rows), M, W, on_error="mask")
    assert result.errors[0] is not None
    w, err = result.errors[0]
    assert w in (0, 2) and err.field == "training.mfu" and "summed over its workloads" in err.rule, err
    assert np.isnan(result.summary["total_cost"][0])
