"""The scenario schema: defaults, rules, and errors that name the path, value and rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tcoapp.scenario import (
    CURRENT_SCHEMA_VERSION, Scenario, ScenarioError, get_path, numeric_field_paths, scenario_from_dict, with_values,
)


def _section(data, dotted):
    """The dict at a dotted section path, created when absent."""
    for name in dotted.split("."):
        data = data.setdefault(name, {})
    return data


def _set(dotted_path, value):
    """A change that puts ``value`` at ``dotted_path`` of a scenario dict."""
    *sections, name = dotted_path.split(".")

    def change(data):
        target = _section(data, ".".join(sections)) if sections else data
        target[name] = value
    return change


def _remove(dotted_path):
    *sections, name = dotted_path.split(".")
    return lambda data: _section(data, ".".join(sections)).pop(name) if sections else data.pop(name)


def _uncertain(key, distribution):
    return _set("uncertainty", {key: distribution})


# (case id, change to a minimal scenario, expected path, words the rule must contain)
BAD_INPUTS = [
    # wrong types
    ("string for number", _set("inference.requests_per_day", "abc"), "inference.requests_per_day",
     "must be a number, got 'abc'"),
    ("numeric string for number", _set("facility.pue", "1.3"), "facility.pue", "must be a number"),
    ("bool for number", _set("inference.requests_per_day", True), "inference.requests_per_day", "must be a number"),
    ("bool for integer", _set("horizon_years", True), "horizon_years", "must be an integer"),
    ("float for integer", _set("inference.samples", 2.5), "inference.samples", "must be an integer"),
    ("whole float for integer", _set("facility.chips_per_server", 8.0), "facility.chips_per_server",
     "must be an integer"),
    ("null for number", _set("finance.discount_rate", None), "finance.discount_rate", "got null"),
    ("number for text", _set("name", 5), "name", "must be text"),
    ("number for chip id", _set("training.chip", 7), "training.chip", "must be text"),
    ("not a finite number", _set("facility.pue", math.inf), "facility.pue", "finite"),
    ("section not an object", _set("finance", [0.08]), "finance", "must be an object"),
    ("chips not a list", _set("chips", {"id": "x"}), "chips", "must be a list"),
    # choices and formats
    ("unknown choice", _set("inference.deployment", "rent"), "inference.deployment", '"api", "cloud" or "owned"'),
    ("training fp4", _set("training.precision", "fp4"), "training.precision", '"bf16" or "fp8"'),
    ("lower-case currency", _set("currency", "usd"), "currency", "3-letter"),
    ("month 13", _set("start_month", "2026-13"), "start_month", "YYYY-MM"),
    ("wrong format tag", _set("format", "something-else"), "format", "tcoapp-scenario"),
    # one case per kind of range rule
    ("> -1", _set("finance.discount_rate", -1), "finance.discount_rate", "must be > -1"),
    ("> 0", _set("finance.usd_to_currency", 0), "finance.usd_to_currency", "must be > 0"),
    (">= 0", _set("inference.requests_per_day", -5), "inference.requests_per_day", "must be between 0 and 1 trillion"),
    (">= 1", _set("facility.pue", 0.9), "facility.pue", "must be between 1 and 10"),
    ("0..1 inclusive", _set("facility.power_load_factor", 1.5), "facility.power_load_factor",
     "must be between 0 and 1"),
    ("[0.001, 1]", _set("training.mfu", 0), "training.mfu", "must be between 0.001 and 1"),
    ("[0.001, 1] above", _set("inference.efficiency.decode_mfu", 1.01), "inference.efficiency.decode_mfu",
     "must be between 0.001 and 1"),
    # > 0 but a divisor of costs: 1e-300 would multiply them into absurd or overflowing numbers
    ("[0.001, 1] tiny", _set("inference.target_utilization", 1e-300), "inference.target_utilization",
     "must be between 0.001 and 1"),
    ("measured speed tiny", _set("inference.decode_tokens_per_s_per_chip", 5e-324),
     "inference.decode_tokens_per_s_per_chip", "must be between 0.001 and 1 billion"),
    ("integer >= 1", _set("inference.efficiency.max_batch", 0), "inference.efficiency.max_batch", "must be between 1 and 65,536"),
    ("integer >= 0", _set("training.refresh_every_months", -1), "training.refresh_every_months", "must be between 0 and 1,200"),
    ("horizon 1..20", _set("horizon_years", 21), "horizon_years", "must be between 1 and 20"),
    # finite upper bounds: wide enough for any real programme, narrow enough that nothing overflows
    ("huge traffic", _set("inference.requests_per_day", 1e308), "inference.requests_per_day",
     "must be between 0 and 1 trillion"),
    ("huge growth", _set("inference.annual_growth", 1e6), "inference.annual_growth", "must be > -1 and <= 10"),
    ("huge chip price", _set("inference.chip_price", 1e300), "inference.chip_price", "must be between 0 and 1 billion"),
    ("far start month", _set("start_month", "9999-12"), "start_month", "between 1990-01 and 2200-12"),
    ("escape in a name", _set("name", "plan\x1b[2J"), "name", "control characters such as U+001B"),
    ("bidi override in a model name", _set("model.name", "abc\u202edcba"), "model.name", "U+202E"),
    # version 2 rules
    ("experts without per-token", _set("model.experts", 8), "model.experts_per_token", "both or neither"),
    ("end before launch", _set("inference.end_month", 2), "inference.end_month", "must be > the launch month"),
    ("cached share above 1", _set("inference.cached_input_fraction", 1.5), "inference.cached_input_fraction",
     "must be between 0 and 1"),
    ("serving efficiency 0", _set("inference.efficiency.serving", 0), "inference.efficiency.serving",
     "must be between 0.001 and 1"),
    ("life under half a month", _set("facility.life_years", 0.04), "facility.life_years", "round(12 * life_years)"),
    ("active above total", _set("model.active_params_billion", 80), "model.active_params_billion",
     "<= params_billion (70)"),
    ("nullable field out of range", _set("inference.max_requests_per_day", 0), "inference.max_requests_per_day",
     "must be > 0"),
    # unknown and missing fields
    ("unknown top-level field", _set("horizon_year", 5), "horizon_year", "unknown field"),
    ("unknown section field", _set("inference.request_per_day", 5), "inference.request_per_day", "unknown field"),
    ("unknown nested field", _set("inference.efficiency.batch", 5), "inference.efficiency.batch", "unknown field"),
    ("unknown chip field", _set("chips", [{"id": "x", "tflops": 5}]), "chips[0].tflops", "unknown field"),
    ("missing params_billion", _remove("model.params_billion"), "model.params_billion", "is required"),
    ("missing requests_per_day", _remove("inference.requests_per_day"), "inference.requests_per_day", "is required"),
    # chips
    ("chip figure out of range", _set("chips", [{"id": "a"}, {"id": "b", "tdp_w": -700}]), "chips[1].tdp_w",
     "must be > 0"),
    ("chip without id", _set("chips", [{"name": "Nameless"}]), "chips[0].id", "is required"),
    ("chip with empty id", _set("chips", [{"id": ""}]), "chips[0].id", "must not be empty"),
    ("duplicate chip id", _set("chips", [{"id": "a"}, {"id": "a"}]), "chips[1].id", "duplicate chip id"),
    # uncertainty
    ("uncertainty on unknown field", _uncertain("inference.growth", {"dist": "uniform", "low": 0, "high": 1}),
     "uncertainty.inference.growth", "not a numeric field"),
    ("uncertainty on a text field", _uncertain("training.chip", {"dist": "uniform", "low": 0, "high": 1}),
     "uncertainty.training.chip", "not a numeric field"),
    ("unknown distribution", _uncertain("facility.pue", {"dist": "gauss", "mean": 1.3, "sd": 0.1}),
     "uncertainty.facility.pue.dist", '"triangular", "pert", "uniform", "normal" or "lognormal"'),
    ("distribution without dist", _uncertain("facility.pue", {"low": 1.1, "high": 1.5}),
     "uncertainty.facility.pue.dist", "is required"),
    ("mode outside low..high", _uncertain("facility.pue", {"dist": "triangular", "low": 1.1, "mode": 2, "high": 1.5}),
     "uncertainty.facility.pue.mode", "between low and high"),
    ("pert with low == high", _uncertain("facility.pue", {"dist": "pert", "low": 1.2, "mode": 1.2, "high": 1.2}),
     "uncertainty.facility.pue.high", "greater than low"),
    ("uniform with high < low", _uncertain("facility.pue", {"dist": "uniform", "low": 1.5, "high": 1.1}),
     "uncertainty.facility.pue.high", "greater than low"),
    ("normal with sd 0", _uncertain("inference.annual_growth", {"dist": "normal", "mean": 0.5, "sd": 0}),
     "uncertainty.inference.annual_growth.sd", "must be > 0"),
    ("lognormal with median 0", _uncertain("inference.annual_growth", {"dist": "lognormal", "median": 0, "sigma": 1}),
     "uncertainty.inference.annual_growth.median", "must be > 0"),
    ("distribution parameter not a number",
     _uncertain("inference.annual_growth", {"dist": "triangular", "low": 0, "mode": 0.5, "high": "1"}),
     "uncertainty.inference.annual_growth.high", "must be a number"),
    ("unknown distribution parameter",
     _uncertain("inference.annual_growth", {"dist": "uniform", "low": 0, "high": 1, "mode": 0.5}),
     "uncertainty.inference.annual_growth.mode", "unknown field"),
]


@pytest.mark.parametrize(("change", "path", "rule_words"), [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_names_path_value_and_rule(minimal_data, change, path, rule_words):
    change(minimal_data)
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(minimal_data, source="plan.tco")
    error = caught.value
    message = str(error)
    assert error.path == path
    assert rule_words in error.rule
    assert error.file == "plan.tco"
    assert "\n" not in message
    assert message.startswith(f"plan.tco: {path}")
    assert "Input should" not in message  # pydantic's wording never reaches the user


def test_defaults_follow_the_model_document(minimal_data):
    scenario = scenario_from_dict(minimal_data)
    assert (scenario.currency, scenario.start_month, scenario.horizon_years) == ("USD", "2026-01", 5)
    assert scenario.finance.model_dump() == {"discount_rate": 0.08, "basis": "cash", "usd_to_currency": 1.0}
    assert scenario.facility.server_power_overhead == 0.8 and scenario.facility.chips_per_server == 8
    assert scenario.model.active_params_billion is None and scenario.model.layers == 80
    assert scenario.training.chip == "h100-sxm" and scenario.training.precision == "bf16"
    assert scenario.inference.precision == "fp8" and scenario.inference.deployment == "cloud"
    assert scenario.inference.launch_month is None and scenario.inference.chips_per_replica is None
    assert scenario.inference.efficiency.max_batch == 256
    assert scenario.inference.api_price_change == -0.3
    assert scenario.business.revenue_per_request == 0
    assert scenario.chips == [] and scenario.uncertainty == {}
    assert scenario.schema_version == CURRENT_SCHEMA_VERSION


def test_integers_are_accepted_for_numbers(minimal_data):
    scenario = scenario_from_dict(minimal_data)
    assert scenario.inference.requests_per_day == 1_000_000
    assert isinstance(scenario.inference.requests_per_day, float)


def test_boundary_values_are_accepted(minimal_data):
    minimal_data["facility"] = {"power_load_factor": 1, "pue": 1, "life_years": 1 / 12}
    minimal_data["model"]["active_params_billion"] = 70
    minimal_data["training"] = {"mfu": 1, "refresh_every_months": 0}
    minimal_data["horizon_years"] = 20
    scenario_from_dict(minimal_data)


def test_scenarios_are_immutable(minimal_data):
    scenario = scenario_from_dict(minimal_data)
    with pytest.raises(ValueError):
        scenario.inference.requests_per_day = 5


def test_every_field_has_a_described_unit():
    for path, field in numeric_field_paths().items():
        assert field.unit, path
        assert field.title and field.description.endswith(f"Unit: {field.unit}."), path


def test_numeric_field_paths_cover_every_section():
    fields = numeric_field_paths()
    assert "horizon_years" in fields and "schema_version" not in fields
    assert {path.rsplit(".", 1)[0] for path in fields if "." in path} == {
        "finance", "facility", "model", "training", "inference", "inference.efficiency", "business",
    }
    assert fields["inference.efficiency.max_batch"].is_int
    assert not fields["facility.pue"].is_int and not fields["facility.pue"].nullable
    assert fields["training.compute_flops"].nullable
    assert fields["training.mfu"].bounds == {"ge": 0.001, "le": 1}
    assert fields["training.mfu"].rule == "must be between 0.001 and 1"
    assert fields["model.params_billion"].rule == "must be > 0 and <= 100,000"
    assert "training.chip" not in fields and "finance.basis" not in fields


def test_get_path_reads_fields_and_sections(minimal_data):
    scenario = scenario_from_dict(minimal_data)
    assert get_path(scenario, "inference.requests_per_day") == 1_000_000
    assert get_path(scenario, "inference.efficiency.bandwidth") == 0.8
    assert get_path(scenario, "finance") is scenario.finance


@pytest.mark.parametrize("path", ["inference.nope", "nope", "inference.requests_per_day.more", ""])
def test_get_path_rejects_unknown_paths(minimal_data, path):
    with pytest.raises(ScenarioError) as caught:
        get_path(scenario_from_dict(minimal_data), path)
    assert caught.value.path == path and caught.value.rule == "unknown field"


def test_with_values_returns_a_validated_copy(minimal_data):
    scenario = scenario_from_dict(minimal_data)
    changed = with_values(scenario, {"inference.requests_per_day": 5.0, "inference.efficiency.max_batch": 64,
                                     "finance.basis": "accrual"})
    assert changed.inference.requests_per_day == 5.0
    assert changed.inference.efficiency.max_batch == 64 and changed.finance.basis == "accrual"
    assert scenario.inference.requests_per_day == 1_000_000  # the original is untouched
    assert changed.facility == scenario.facility


def test_with_values_takes_numpy_scalars(minimal_data):
    changed = with_values(scenario_from_dict(minimal_data),
                          {"inference.samples": np.int64(3), "facility.pue": np.float32(1.5)})
    assert type(changed.inference.samples) is int and changed.inference.samples == 3
    assert type(changed.facility.pue) is float and changed.facility.pue == 1.5


@pytest.mark.parametrize(("values", "path", "rule_words"), [
    ({"inference.requests_per_day": -1.0}, "inference.requests_per_day", "must be between 0 and 1 trillion"),
    ({"inference.samples": 2.5}, "inference.samples", "must be an integer"),
    ({"model.active_params_billion": 100.0}, "model.active_params_billion", "<= params_billion"),
    ({"inference.requests_per_dya": 1.0}, "inference.requests_per_dya", "unknown field"),
    ({"infrence.requests_per_day": 1.0}, "infrence.requests_per_day", "unknown field"),
    ({"horizon_years.x": 1.0}, "horizon_years.x", "unknown field"),
])
def test_with_values_rejects_bad_values(minimal_data, values, path, rule_words):
    with pytest.raises(ScenarioError) as caught:
        with_values(scenario_from_dict(minimal_data), values)
    assert caught.value.path == path and rule_words in caught.value.rule


def test_json_schema_carries_units_for_the_gui():
    schema = Scenario.model_json_schema()
    pue = schema["$defs"]["Facility"]["properties"]["pue"]
    assert pue["unit"] and pue["minimum"] == 1 and pue["default"] == 1.3


def test_notes_may_hold_line_breaks_and_tabs():
    from tcoapp.scenario.files import scenario_from_dict as load
    doc = {"format": "tcoapp-scenario", "schema_version": 2, "notes": "first line\n\tsecond",
           "model": {"params_billion": 7}, "inference": {"requests_per_day": 1}}
    assert load(doc).notes == "first line\n\tsecond"


def test_experts_need_a_smaller_active_count_and_fewer_per_token():
    from tcoapp.scenario.errors import ScenarioError
    from tcoapp.scenario.files import scenario_from_dict as load
    base = {"format": "tcoapp-scenario", "schema_version": 2, "inference": {"requests_per_day": 1}}
    with pytest.raises(ScenarioError, match="experts_per_token = 8: must be >= 1 and < experts"):
        load({**base, "model": {"params_billion": 70, "active_params_billion": 10, "experts": 8,
                                "experts_per_token": 8}})
    with pytest.raises(ScenarioError, match="needs active_params_billion < params_billion"):
        load({**base, "model": {"params_billion": 70, "experts": 8, "experts_per_token": 2}})
    moe = load({**base, "model": {"params_billion": 70, "active_params_billion": 10, "experts": 8,
                                  "experts_per_token": 2}})
    assert moe.model.experts == 8


@pytest.mark.parametrize("deployment", ["api", "cloud", "owned"])
def test_every_field_at_its_upper_bound_still_computes_finite_numbers(deployment):
    """The bounds are narrow enough that no series overflows (a 1e308 input used to give nulls)."""
    import math

    from tcoapp.reports.report import build_report
    from tcoapp.scenario.batch import evaluate
    from tcoapp.scenario.files import scenario_from_dict as load
    doc = {"format": "tcoapp-scenario", "schema_version": 2, "horizon_years": 20,
           "finance": {"usd_to_currency": 1e6},
           "model": {"params_billion": 1e5},
           "training": {"tokens_trillion": 1e4, "experiment_overhead": 100, "fixed_cost": 1e15,
                        "refresh_every_months": 1, "refresh_compute_fraction": 100, "refresh_fixed_cost": 1e15},
           "inference": {"requests_per_day": 1e12, "annual_growth": 10, "input_tokens": 1e7, "output_tokens": 1e7,
                         "reasoning_tokens": 1e7, "samples": 1024, "deployment": deployment, "launch_month": 0,
                         "api_price_input": 1e6, "api_price_output": 1e6, "api_price_change": 10,
                         "cloud_rate": 1e6, "cloud_price_change": 10, "chip_price": 1e9,
                         "chips_per_replica": 1_000_000, "prefill_tokens_per_s_per_chip": 1e-3 + 1,
                         "decode_tokens_per_s_per_chip": 1.0, "ops_cost_per_month": 1e12},
           "facility": {"electricity_price": 100, "electricity_price_change": 10, "hardware_price_change": 10,
                        "colocation_per_kw_month": 1e6, "maintenance_rate": 10},
           "business": {"revenue_per_request": 1e9, "revenue_change": 10}}
    scenario = load(doc)
    report = build_report(scenario, evaluate(scenario))
    for name, values in report["series"].items():
        assert all(v is not None and math.isfinite(v) for v in values), name
    for key in ("total_cost", "npv_total", "profit", "cost_per_request"):
        assert report["summary"][key] is not None and math.isfinite(report["summary"][key]), key
