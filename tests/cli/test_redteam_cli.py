"""Red-team findings on the command line: each test is an input a careful attacker or a careless
finance user gave, and what the CLI must do with it (exit 2, one line naming the option or field,
never a hang, a traceback or a silently wrong answer)."""

from __future__ import annotations

import copy
import errno
import json
import os
from pathlib import Path

import pytest

from tcoapp.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
PROGRAMME = SAMPLES / "company-programme.tco"
CLOUD = SAMPLES / "deployment-cloud.tco"


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _bad(capsys, *argv) -> str:
    code, out, err = _run(capsys, *argv)
    assert code == 2, (code, out, err)
    assert err.strip().count("\n") == 0 and "Traceback" not in err, err
    return err


def _write(tmp_path, name, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def _programme() -> dict:
    return json.loads(PROGRAMME.read_text("utf-8"))


# ------------------------------------------------------------------ ranking "best first"

@pytest.mark.parametrize("metric", ["npv_profit", "profit", "irr", "revenue_total"])
def test_compare_ranks_higher_is_better_metrics_highest_first(capsys, metric):
    # Before: every metric was ranked ascending, so "best first" put the lowest NPV of profit
    # (or IRR) first.
    code, out, err = _run(capsys, "compare", PROGRAMME, "deployments", "--workload", "Assistant v1",
                          "--metric", metric, "--json")
    assert code == 0, err
    values = [row["value"] for row in json.loads(out)["rows"] if row["value"] is not None]
    assert len(values) >= 2 and values == sorted(values, reverse=True)


def test_compare_ranks_costs_lowest_first(capsys):
    code, out, err = _run(capsys, "compare", CLOUD, "deployments", "--json")
    assert code == 0, err
    values = [row["value"] for row in json.loads(out)["rows"] if row["value"] is not None]
    assert values == sorted(values)


def test_scenario_compare_npv_profit_highest_first(capsys):
    code, out, err = _run(capsys, "compare", CLOUD, "deployments", "--metric", "npv_profit", "--json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    values = [row["value"] for row in rows if row["value"] is not None]
    assert values == sorted(values, reverse=True)
    assert [row["rank"] for row in rows if row["value"] is not None] == list(range(1, len(values) + 1))
