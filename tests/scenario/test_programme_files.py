"""Programme files (MODEL.md section 6): schema rules, load/save, importing a scenario."""

from __future__ import annotations

import copy
import json

import pytest

from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import scenario_from_dict
from tcoapp.scenario.programme import (
    import_scenario, load_programme, programme_from_dict, programme_to_dict, programme_with_values,
    save_programme, with_workload, workload_scenario,
)

BASE = {
    "format": "tcoapp-programme", "schema_version": 1, "name": "P",
    "facility": {"pue": 1.2},
    "workloads": [
        {"name": "Chat", "model": {"params_billion": 8}, "inference": {"requests_per_day": 1000}},
        {"name": "Bot", "model": {"params_billion": 8}, "training": {"tokens_trillion": 1},
         "inference": {"requests_per_day": 50, "deployment": "api"}},
    ],
}


def _doc(change=None):
    doc = copy.deepcopy(BASE)
    if change:
        change(doc)
    return doc


def _error(change) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        programme_from_dict(_doc(change), source="p.tco")
    return info.value


def test_defaults_and_shared_sections():
    p = programme_from_dict(_doc())
    assert p.shared_fleets is True and p.names == ["Chat", "Bot"] and p.horizon_years == 5
    scenario = workload_scenario(p, 0)
    assert scenario.facility.pue == 1.2 and scenario.name == "Chat"
    assert p.workloads[0].training is None  # left out: no training cost


@pytest.mark.parametrize("change, path, rule", [
    (lambda d: d["workloads"][0].update(finance={"discount_rate": 0.1}), "workloads[0].finance", "shared"),
    (lambda d: d["workloads"][1].update(facility={}), "workloads[1].facility", "shared"),
    (lambda d: d["workloads"][0].update(horizon_years=3), "workloads[0].horizon_years", "shared"),
    (lambda d: d["workloads"][0].update(chips=[]), "workloads[0].chips", "shared"),
    (lambda d: d["workloads"][1].update(name="Chat"), "workloads[1].name", "unique"),
    (lambda d: d["workloads"][1].update(name=""), "workloads[1].name", "empty"),
    (lambda d: d["workloads"][1].update(name="a/b"), "workloads[1].name", "/"),
    (lambda d: d.update(workloads=[]), "workloads", "at least one"),
    (lambda d: d.pop("workloads"), "workloads", "required"),
    (lambda d: d["workloads"][0]["inference"].update(requests_per_day=-1), "workloads[0].inference.requests_per_day",
     "between 0"),
    (lambda d: d["workloads"][0]["inference"].update(launch_month=2, end_month=2), "workloads[0].inference.end_month",
     "launch_month"),
    (lambda d: d.update(schema_version=2), "schema_version", "newer"),
    (lambda d: d.update(format="tcoapp-scenario"), "format", "not a tcoapp programme"),
    (lambda d: d.update(shared_fleets="yes"), "shared_fleets", ""),
    (lambda d: d.update(start_month="1900-01"), "start_month", "1990"),
    (lambda d: d.update(currency="usd"), "currency", "3-letter"),
    (lambda d: d.update(uncertainty={"Nobody/inference.annual_growth": {"dist": "uniform", "low": 0, "high": 1}}),
     "uncertainty.Nobody/inference.annual_growth", "WORKLOAD/section.field"),
])
def test_refusals_name_the_path_and_rule(change, path, rule):
    err = _error(change)
    assert err.path == path, str(err)
    assert rule in err.rule, str(err)
    assert err.file == "p.tco"


def test_save_and_load_round_trip(tmp_path):
    p = programme_from_dict(_doc())
    target = tmp_path / "p.tco"
    save_programme(p, target)
    text = target.read_text("utf-8")
    data = json.loads(text)
    assert data["format"] == "tcoapp-programme" and "training" not in data["workloads"][0]
    assert load_programme(target) == p
    save_programme(p, target)
    assert target.read_text("utf-8") == text  # same programme, same bytes


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    from tcoapp.scenario import files

    target = tmp_path / "p.tco"
    save_programme(programme_from_dict(_doc()), target)
    before = target.read_bytes()

    def broken(path, content):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files, "_replace_atomically", broken)
    with pytest.raises(ScenarioError, match="cannot write: No space left on device"):
        save_programme(programme_from_dict(_doc(lambda d: d.update(name="Q"))), target)
    assert target.read_bytes() == before


def test_import_scenario_lists_the_shared_values_it_leaves_behind():
    p = programme_from_dict(_doc())
    scenario = scenario_from_dict({
        "format": "tcoapp-scenario", "schema_version": 1, "name": "Chat", "horizon_years": 3,
        "facility": {"pue": 1.4}, "finance": {"discount_rate": 0.1},
        "model": {"params_billion": 70}, "inference": {"requests_per_day": 5}})
    workload, left = import_scenario(p, scenario)
    assert workload.name == "Chat 2"  # made unique
    assert workload.model.params_billion == 70 and workload.inference.requests_per_day == 5
    assert sorted(left) == sorted(["horizon_years: 3 (programme: 5)", "facility.pue: 1.4 (programme: 1.2)",
                                   "finance.discount_rate: 0.1 (programme: 0.08)"])
    bigger = with_workload(p, workload)
    assert bigger.names == ["Chat", "Bot", "Chat 2"]
    assert workload_scenario(bigger, 2).facility.pue == 1.2  # the programme's value, not the scenario's


def test_import_of_a_scenario_with_the_programmes_values_leaves_nothing():
    p = programme_from_dict(_doc())
    scenario = scenario_from_dict({"format": "tcoapp-scenario", "schema_version": 1, "facility": {"pue": 1.2},
                                   "model": {"params_billion": 7}, "inference": {"requests_per_day": 5}})
    workload, left = import_scenario(p, scenario, name="New")
    assert left == [] and workload.name == "New"


def test_programme_with_values():
    p = programme_from_dict(_doc())
    q = programme_with_values(p, {"Bot/inference.requests_per_day": 70.0, "facility.pue": 1.5,
                                  "Chat/training.tokens_trillion": 0.5})
    assert q.workloads[1].inference.requests_per_day == 70.0 and q.facility.pue == 1.5
    assert q.workloads[0].training.tokens_trillion == 0.5
    with pytest.raises(ScenarioError, match="no workload"):
        programme_with_values(p, {"Nobody/inference.requests_per_day": 1.0})
    with pytest.raises(ScenarioError, match="not a shared field"):
        programme_with_values(p, {"inference.requests_per_day": 1.0})
    with pytest.raises(ScenarioError, match="between 0"):
        programme_with_values(p, {"Bot/inference.requests_per_day": -1.0})


def test_programme_to_dict_is_json():
    data = programme_to_dict(programme_from_dict(_doc()))
    assert json.loads(json.dumps(data)) == data


def test_import_names_the_workload_uniquely_under_the_programmes_own_rule():
    # the programme refuses "chat" beside "Chat" (names are unique ignoring case and spaces), so an imported
    # scenario called "chat " is named "chat 2", not "chat " (which then failed to be added)
    p = programme_from_dict(_doc())
    scenario = scenario_from_dict({"format": "tcoapp-scenario", "schema_version": 1, "name": "chat ",
                                   "model": {"params_billion": 7}, "inference": {"requests_per_day": 5}})
    workload, _ = import_scenario(p, scenario)
    assert workload.name == "chat 2"
    assert with_workload(p, workload).names == ["Chat", "Bot", "chat 2"]
    blank = scenario_from_dict({"format": "tcoapp-scenario", "schema_version": 1, "name": "   ",
                                "model": {"params_billion": 7}, "inference": {"requests_per_day": 5}})
    assert import_scenario(p, blank)[0].name == "Workload"
