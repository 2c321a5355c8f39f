"""Red-team findings on scenario and programme files: every rule a scenario has holds for a
programme and each workload in it, and every refusal is one line naming the field (with the
workload's name), the value and the rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcoapp.cli.main import main
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.programme import load_programme, programme_from_dict

REPO = Path(__file__).resolve().parents[2]
PROGRAMME = REPO / "samples" / "company-programme.tco"
CLOUD = REPO / "samples" / "deployment-cloud.tco"


def _doc() -> dict:
    data = json.loads(PROGRAMME.read_text("utf-8"))
    data.pop("uncertainty")
    return data


def _refusal(data: dict) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        programme_from_dict(data, source="p.tco")
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize("second", ["assistant v1", "ASSISTANT V1", "Assistant v1 ", " Assistant v1",
                                    "Assistant  v1", "Assistant\u00a0v1"])
def test_workload_names_differing_only_in_case_or_spaces_are_refused(second):
    # Before: accepted; "assistant v1/inference.x" then named a different workload than the eye reads.
    data = _doc()
    data["workloads"][1]["name"] = second
    err = _refusal(data)
    assert err.path == "workloads[1].name", str(err)
    assert "workloads[0]" in err.rule and "case" in err.rule, str(err)


def test_a_number_too_large_for_a_float_names_the_range(tmp_path):
    # Before: "must be a number, got 1000...", though it is a number: it is out of range.
    data = json.loads(CLOUD.read_text("utf-8"))
    data["inference"]["requests_per_day"] = 10 ** 400
    path = tmp_path / "s.tco"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.path == "inference.requests_per_day"
    assert info.value.rule == "must be between 0 and 1 trillion", str(info.value)


def test_a_huge_integer_in_a_workload_names_the_range():
    data = _doc()
    data["workloads"][0]["inference"]["requests_per_day"] = 10 ** 400
    err = _refusal(data)
    assert err.path == "workloads[0].inference.requests_per_day"
    assert err.rule.startswith("must be between 0 and 1 trillion"), str(err)


@pytest.mark.parametrize("change, path", [
    (lambda d: d["workloads"][2]["inference"].update(requests_per_day=-1), "workloads[2].inference.requests_per_day"),
    (lambda d: d["workloads"][2]["inference"].update(launch_month=9, end_month=3), "workloads[2].inference.end_month"),
    (lambda d: d["workloads"][2].update(finance={}), "workloads[2].finance"),
    (lambda d: d["workloads"][2]["model"].update(name="x\x1b[2J"), "workloads[2].model.name"),
])
def test_a_workload_refusal_names_the_workload(change, path):
    # Before: only "workloads[2]", so a finance user had to count workloads to find "Coding agent".
    data = _doc()
    change(data)
    err = _refusal(data)
    assert err.path == path, str(err)  # the path stays machine-readable (the GUI selects the workload by it)
    assert 'workload "Coding agent"' in str(err), str(err)


def test_a_bad_workload_name_is_not_repeated_as_the_workload():
    data = _doc()
    data["workloads"][2]["name"] = "Coder\x1b[31m"
    err = _refusal(data)
    assert err.path == "workloads[2].name" and "workload \"" not in str(err), str(err)


def test_an_engine_refusal_in_a_programme_names_the_workload(tmp_path, capsys):
    data = _doc()
    data["workloads"][2]["inference"]["min_tokens_per_s_per_user"] = 1e6
    path = tmp_path / "slow.tco"
    path.write_text(json.dumps(data), "utf-8")
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    assert "workloads[2].inference.min_tokens_per_s_per_user" in err and 'workload "Coding agent"' in err, err
    assert err.count("\n") == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_programme_is_refused_with_the_fix(tmp_path, encoding):
    # Before: "not UTF-8 text (byte 0xff at position 0)", which does not say what to do.
    path = tmp_path / "p.tco"
    path.write_bytes(PROGRAMME.read_text("utf-8").encode(encoding))
    with pytest.raises(ScenarioError) as info:
        load_programme(path)
    assert "UTF-16" in str(info.value) and "save it as UTF-8" in str(info.value)
    assert path.read_bytes() == PROGRAMME.read_text("utf-8").encode(encoding)  # never modified


@pytest.mark.parametrize("text, words", [
    ("", ["not valid JSON"]),
    ("\ufeff", ["not valid JSON"]),
    ('{"format": "tcoapp-programme", "schema_version": 1, "workloads": [{"name": "A", "name": "B"}]}',
     ["duplicate key 'name'"]),
    ('{"format": "tcoapp-programme", "schema_version": 1, "workloads": [{"name": "A", "model": '
     '{"params_billion": NaN}, "inference": {"requests_per_day": 1}}]}',
     ["workloads[0].model.params_billion", "finite", 'workload "A"']),
    ('{"format": "tcoapp-programme", "schema_version": 1, "workloads": [{"name": "A", "model": '
     '{"params_billion": 8}, "inference": {"requests_per_day": -Infinity}}]}',
     ["workloads[0].inference.requests_per_day", "finite"]),
    ('{"format": "tcoapp-programme", "schema_version": 1, "workloads": [{"name": "A", "model": '
     '{"params_billion": 8}, "inference": {"requests_per_day": 1}, "start_month": "2030-01"}]}',
     ["workloads[0].start_month", "shared"]),
    ('{"format": "tcoapp-programme", "schema_version": 1, "start_month": "2200-12", "horizon_years": 21, '
     '"workloads": [{"name": "A", "model": {"params_billion": 8}, "inference": {"requests_per_day": 1}}]}',
     ["horizon_years", "between 1 and 20"]),
])
def test_programme_file_refusals_are_one_line_naming_the_field(tmp_path, text, words):
    path = tmp_path / "p.tco"
    path.write_text(text, "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_programme(path)
    message = str(info.value)
    assert "\n" not in message and all(w in message for w in words), message
    assert path.read_text("utf-8") == text


def test_a_programme_at_the_calendar_bounds_computes(tmp_path, capsys):
    for start in ("1990-01", "2200-12"):
        data = _doc()
        data.update(start_month=start, horizon_years=20)
        path = tmp_path / "p.tco"
        path.write_text(json.dumps(data), "utf-8")
        assert main(["report", str(path), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert len(report["months"]) == 240 and report["months"][0] == start
        assert all(v is not None for v in report["series"]["total"])


@pytest.mark.parametrize("key, dist, where", [
    ("facility.pue", {"dist": "pert", "low": -1e308, "mode": 0, "high": 1e308}, "low"),
    ("facility.pue", {"dist": "lognormal", "median": 1e300, "sigma": 0.5}, "median"),
    ("facility.pue", {"dist": "lognormal", "median": 1.3, "sigma": 1e300}, "sigma"),
    ("facility.pue", {"dist": "uniform", "low": -5, "high": -1}, "low"),
    ("facility.pue", {"dist": "normal", "mean": 1.3, "sd": 1e308}, "sd"),
    ("Coding agent/inference.requests_per_day", {"dist": "triangular", "low": 0, "mode": 1, "high": 1e13}, "high"),
    ("Assistant v1/finance.discount_rate", None, None),
])
def test_a_programme_distribution_outside_its_field_rule_is_refused(key, dist, where):
    # Before: draws were clipped to the rule without a word (a PUE uniform over -5 .. -1 was a PUE of 1),
    # and a PERT over -1e308 .. 1e308 gave a Monte Carlo of nulls with no failure counted.
    data = _doc()
    data["uncertainty"] = {key: dist or {"dist": "uniform", "low": 0, "high": 0.1}}
    err = _refusal(data)
    if where is None:
        assert err.path == f"uncertainty.{key}", str(err)
        return
    assert err.path == f"uncertainty.{key}.{where}", str(err)
    assert "must be" in err.rule


def test_a_scenario_distribution_outside_its_field_rule_is_refused(tmp_path):
    data = json.loads(CLOUD.read_text("utf-8"))
    data["uncertainty"] = {"inference.annual_growth": {"dist": "uniform", "low": -3, "high": 0.5}}
    path = tmp_path / "s.tco"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.path == "uncertainty.inference.annual_growth.low"
    assert "must be > -1" in info.value.rule and "annual_growth" in info.value.rule


# ------------------------------------------------------------------ price-book CSV files

_PRICE_HEADER = "id,kind,as_of,source,confidence,chip,provider,term,usd_per_chip_hour,notes\n"


def _price_csv(tmp_path, rate: str, notes: str = "", provider: str = "Acme") -> Path:
    path = tmp_path / "book.csv"
    path.write_text(_PRICE_HEADER + f'x,cloud,2026-01-01,quote,high,h100-sxm,"{provider}",on-demand,"{rate}","{notes}"\n',
                    "utf-8")
    return path


@pytest.mark.parametrize("rate", ["2,69", "1,5", "12,3456", "1,00,000"])
def test_a_decimal_comma_in_a_price_is_refused_not_read_as_thousands(tmp_path, rate):
    # Before: "2,69" (2.69 where a comma marks decimals) was read as 269 USD per chip-hour.
    from tcoapp.scenario.pricebook import read_csv

    with pytest.raises(ScenarioError) as info:
        read_csv(_price_csv(tmp_path, rate))
    assert info.value.path == "row 1.usd_per_chip_hour" and "point for decimals" in str(info.value)


@pytest.mark.parametrize("rate, value", [("1,000", 1000.0), ("$1,234.5", 1234.5), ("2.69", 2.69), ("$3", 3.0)])
def test_thousands_separators_and_dollar_signs_still_read(tmp_path, rate, value):
    from tcoapp.scenario.pricebook import read_csv

    assert read_csv(_price_csv(tmp_path, rate)).get("x").usd_per_chip_hour == value


@pytest.mark.parametrize("rate", ["1e308", "1000001"])
def test_a_price_beyond_what_a_scenario_takes_is_refused(tmp_path, rate):
    # Before: 1e308 USD per chip-hour was "all valid"; a scenario's cloud rate is at most 1 million.
    from tcoapp.scenario.pricebook import read_csv

    with pytest.raises(ScenarioError) as info:
        read_csv(_price_csv(tmp_path, rate))
    assert info.value.path == "row 1.usd_per_chip_hour" and "at most USD 1,000,000" in str(info.value)


def test_control_characters_in_a_price_row_are_refused(tmp_path, capsys):
    # Before: an escape sequence in a provider name was listed as is by `tcoapp-cli prices --import`.
    code = main(["prices", "--import", str(_price_csv(tmp_path, "2.5", provider="Acme\x1b[2J"))])
    err = capsys.readouterr().err
    assert code == 2 and "row 1.provider" in err and "U+001B" in err and err.count("\n") == 1, err


def test_line_breaks_in_price_notes_are_fine(tmp_path):
    from tcoapp.scenario.pricebook import read_csv

    assert read_csv(_price_csv(tmp_path, "2.5", notes="line one\nline two")).get("x").notes == "line one\nline two"


# ------------------------------------------------------------------ saving a programme

@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes")
def test_saving_a_programme_over_a_fifo_is_refused_and_leaves_it(tmp_path):
    # Before: save_programme renamed a regular file over the FIFO (as root, over /dev/null too);
    # a scenario save refuses it.
    import os

    from tcoapp.scenario.programme import save_programme

    target = tmp_path / "plan.tco"
    os.mkfifo(target)
    with pytest.raises(ScenarioError) as info:
        save_programme(load_programme(PROGRAMME), target)
    assert "named pipe" in str(info.value) and "\n" not in str(info.value)
    assert target.is_fifo()


def test_saving_a_programme_removes_what_interrupted_saves_left(tmp_path):
    # Before: a programme save left the hidden temporary files of interrupted saves for ever
    # (a scenario save removes those older than ten minutes).
    import os
    import time

    from tcoapp.scenario.programme import save_programme

    target = tmp_path / "plan.tco"
    old = tmp_path / ".plan.tco.k3j_x9a2.tmp"
    young = tmp_path / ".plan.tco.abcdefgh.tmp"
    for leftover in (old, young):
        leftover.write_text("{half", "utf-8")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    save_programme(load_programme(PROGRAMME), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [young.name, "plan.tco"]
    assert load_programme(target).names == load_programme(PROGRAMME).names
