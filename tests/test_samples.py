"""Every bundled sample reports through the installed ``tcoapp-cli``, with every key, and adds up.

``tcoapp-cli report samples/<each>.tco --json`` is run as a user would run it
(the console script next to ``sys.executable``); its document must hold every
series and summary key of MODEL.md section 5 and satisfy the accounting
identities checked by :func:`report_checks.check_report`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_checks import only_warnings, check_report  # noqa: E402

from tcoapp.paths import sample_files  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLES = [p for p in sorted((REPO / "samples").glob("*.tco"))
           if '"tcoapp-programme"' not in p.read_text(encoding="utf-8")[:200]]  # programmes: tests/cli
SCRIPT = Path(sys.executable).parent / ("tcoapp-cli.exe" if os.name == "nt" else "tcoapp-cli")


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TCOAPP_DEBUG"}
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env=env)


@pytest.fixture(scope="module")
def outputs() -> dict[tuple[str, bool], subprocess.CompletedProcess]:
    """(sample name, json?) -> the finished ``tcoapp-cli report`` run; the runs go in parallel."""
    jobs = [(path, as_json) for path in SAMPLES for as_json in (True, False)]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        done = pool.map(lambda job: _run("report", str(job[0]), *(["--json"] if job[1] else [])), jobs)
        return {(path.name, as_json): result for (path, as_json), result in zip(jobs, done)}


def test_there_are_samples_and_the_package_ships_them():
    assert len(SAMPLES) >= 3
    assert [p.name for p in sample_files()] == [p.name for p in SAMPLES]
    assert SCRIPT.exists(), f"tcoapp-cli is not installed next to {sys.executable}"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_json_report_has_every_key_and_adds_up(path, outputs):
    result = outputs[(path.name, True)]
    assert result.returncode == 0, result.stderr
    assert only_warnings(result.stderr), result.stderr
    report = json.loads(result.stdout)
    scenario = json.loads(path.read_text(encoding="utf-8"))
    check_report(
        report,
        scenario.get("inference", {}).get("deployment", "cloud"),
        start_month=scenario.get("start_month", "2026-01"),
        horizon_years=scenario.get("horizon_years", 5),
        discount_rate=scenario.get("finance", {}).get("discount_rate", 0.08),
    )
    assert report["scenario"] == scenario.get("name", "")
    assert report["currency"] == scenario.get("currency", "USD")
    assert report["summary"]["total_cost"] > 0


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_text_report_matches_the_json(path, outputs):
    text_run, json_run = outputs[(path.name, False)], outputs[(path.name, True)]
    assert text_run.returncode == 0, text_run.stderr
    assert only_warnings(text_run.stderr), text_run.stderr
    text, report = text_run.stdout, json.loads(json_run.stdout)
    cur, summary = report["currency"], report["summary"]
    # money in the scenario's currency, with the same rounded figure as the JSON
    match = re.search(rf"Lifetime cost\s+{cur} ([\d,]+)\n", text)
    assert match, text
    assert int(match.group(1).replace(",", "")) == round(summary["total_cost"])
    # shares as percentages
    share = re.search(r"Inference share of lifetime cost\s+([\d.]+) %", text)
    assert share and float(share.group(1)) == pytest.approx(100 * summary["inference_share"], abs=0.051)
    # crossover as a calendar month
    crossover = summary["crossover_month"]
    if crossover is not None:
        label = report["months"][int(crossover)]
        year, month = label.split("-")
        name = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()[int(month) - 1]
        assert f"{name} {year} (month {int(crossover)})" in text
    assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE), text
    assert "Traceback" not in text


#: Empty fields whose value the chip catalog gives: (chip role, catalog key).
_CATALOG_VALUES = {"inference.cloud_rate": ("inference", "cloud_usd_per_hour"),
                   "training.cloud_rate": ("training", "cloud_usd_per_hour"),
                   "inference.chip_price": ("inference", "price_usd"),
                   "training.chip_price": ("training", "price_usd")}


def _point_value(scenario: dict, path: str, catalog: dict) -> float | None:
    """The value a sample's path stands for: typed in the file, else the catalog's for an empty price."""
    node = scenario
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is not None:
        return float(node)
    if path in _CATALOG_VALUES:
        role, key = _CATALOG_VALUES[path]
        rate = scenario.get("finance", {}).get("usd_to_currency", 1.0)
        return catalog[scenario[role]["chip"]][key] * rate
    return None


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_uncertainty_ranges_hold_the_scenarios_own_values(path):
    """A range that misses the value puts the whole Monte Carlo band to one side of the point estimate:
    reasoning-model-long-thinking's cloud rate was uniform 6.0 to 10.6 USD an hour while the catalog's H200
    rate (the sample's, its field being empty) is 4.54, so P10 of lifetime cost came out above the estimate."""
    scenario = json.loads(path.read_text(encoding="utf-8"))
    catalog = {chip["id"]: chip for chip in json.loads((REPO / "resources" / "chips.json").read_text())["chips"]}
    for field, spec in (scenario.get("uncertainty") or {}).items():
        value = _point_value(scenario, field, catalog)
        assert value is not None, f"{path.name}: {field} has no value to check"
        if spec["dist"] == "lognormal":
            low, high = spec["median"] / 3, spec["median"] * 3
        elif spec["dist"] == "normal":
            low, high = spec["mean"] - 3 * spec["sd"], spec["mean"] + 3 * spec["sd"]
        else:
            low, high = spec["low"], spec["high"]
        assert low <= value <= high, f"{path.name}: {field} = {value} lies outside its range {low} to {high}"
