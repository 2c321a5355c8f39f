"""The vectorised engine against the scalar reference implementation of MODEL.md.

``tests/reference_model.py`` was written from MODEL.md alone, with plain loops
and the ``math`` module, by someone who did not read the engine. Hypothesis
draws whole scenarios over every deployment, basis, procurement and precision;
both sides must agree to a relative 1e-9 on every series, yearly figure and
summary key, and must reject the same scenarios.
"""

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reference_model import reference_run  # noqa: E402
from scenario_strategies import scenarios  # noqa: E402

from tcoapp.reports.report import build_report  # noqa: E402
from tcoapp.scenario.batch import engine_inputs, evaluate, evaluate_many  # noqa: E402
from tcoapp.scenario.errors import ScenarioError  # noqa: E402
from tcoapp.scenario.files import scenario_from_dict  # noqa: E402

REL = 1e-9


def _close(a, b, scale):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL, abs_tol=REL * scale)


def assert_reports_equal(ours, ref):
    assert ours["months"] == ref["months"]
    for name, values in ref["series"].items():
        scale = max([abs(v) for v in values] + [1e-300])
        got = ours["series"][name]
        bad = [m for m, (a, b) in enumerate(zip(got, values)) if not _close(a, b, scale)]
        assert not bad, f"series {name} differs at months {bad[:5]}: {[got[m] for m in bad[:3]]} vs {[values[m] for m in bad[:3]]}"
    for name, values in ref["yearly"].items():
        scale = max([abs(v) for v in values] + [1e-300])
        assert all(_close(a, b, scale) for a, b in zip(ours["yearly"][name], values)), name
    for key, value in ref["summary"].items():
        got = ours["summary"][key]
        if value is not None and math.isinf(value):
            value = None  # an IRR past the float range: JSON has no infinity, the report says null
        if key == "irr" and value is not None and got is not None:
            assert math.isclose(got, value, rel_tol=1e-7, abs_tol=1e-9), (key, got, value)
        else:
            # a difference of totals (book value left, profit) can be a rounding-level
            # number next to zero: judge it against the size of what was subtracted
            scale = {
                "residual_book_value": sum(abs(v) for v in ref["series"]["capex"]),
                "profit": abs(ref["summary"]["revenue_total"]) + abs(ref["summary"]["total_cost"]),
                "npv_profit": sum(abs(v) for v in ref["series"]["revenue"])
                + sum(abs(v) for v in ref["series"]["cash_total"]),
            }.get(key, 0.0)
            assert _close(got, value, max(abs(value or 0), scale) or 1.0), (key, got, value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engine_matches_reference(pair):
    data, chip_list = pair
    chips = {c["id"]: c for c in chip_list}
    try:
        ref = reference_run(data, chips)
    except (ValueError, ZeroDivisionError):
        ref = None
    scenario = scenario_from_dict(data)
    if ref is None:
        with pytest.raises(ScenarioError):
            evaluate(scenario)
        return
    ours = build_report(scenario, evaluate(scenario))
    assert_reports_equal(ours, ref)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(allow_missing=True))
def test_missing_chip_figures_are_rejected_alike(pair):
    data, chip_list = pair
    chips = {c["id"]: c for c in chip_list}
    try:
        reference_run(data, chips)
        ref_ok = True
    except ValueError:
        ref_ok = False
    scenario = scenario_from_dict(data)
    try:
        evaluate(scenario)
        ours_ok = True
    except ScenarioError as err:
        ours_ok = False
        assert "\n" not in str(err) and err.path
    assert ours_ok == ref_ok


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), scenarios(), scenarios())
def test_batch_of_n_equals_n_single_runs(a, b, c):
    items = []
    for data, _ in (a, b, c):
        data = dict(data, horizon_years=3)
        scenario = scenario_from_dict(data)
        try:
            evaluate(scenario)
        except ScenarioError:
            continue
        items.append(scenario)
    if not items:
        return
    batch = evaluate_many(items)
    for s, scenario in enumerate(items):
        single = evaluate(scenario)
        for name, series in single.series.items():
            np.testing.assert_array_equal(batch.series[name][s], series[0], err_msg=name)
        for key, value in single.summary.items():
            np.testing.assert_array_equal(batch.summary[key][s], value[0], err_msg=key)
    assert engine_inputs(items[0])  # the mapping is reusable
