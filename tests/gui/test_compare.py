"""Compare: every open scenario a column, the active one marked, deltas against a base, one currency."""

from __future__ import annotations

import csv
import io

import pytest

from tcoapp.gui.views.compare import COMPARE_KEYS, build_comparison, comparison_csv
from tcoapp.gui.views.results import evaluate_scenario
from tcoapp.paths import sample_files
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values


def _row(key):
    return [k for k, _ in COMPARE_KEYS].index(key)


def test_every_open_scenario_is_a_column_and_the_active_one_is_marked(make_window, scenario_file, qtbot):
    window = make_window(scenario_file)
    view = window.show_view("compare")  # built before the others are opened
    for sample in sample_files():
        window.open_sample(sample)
    assert len(window.documents) == 7
    qtbot.waitUntil(lambda: view.table.columnCount() == 7, timeout=3000)
    view.refresh()
    headers = [view.table.horizontalHeaderItem(c) for c in range(7)]
    active = window.documents.index(window.active)
    assert headers[active].text().startswith("▶ ")
    assert sum(h.text().startswith("▶ ") for h in headers) == 1
    long_name = next(h for h in headers if "reasoning-model-long-thinking" in h.toolTip())
    assert "…" in long_name.text() and "reasoning-model-long-thinking (sample)" in long_name.toolTip()
    assert long_name.text().split("…")[0].lstrip("▶ ") and long_name.text().split("…")[1], "elided in the middle"
    window.activate(window.documents[2])
    qtbot.waitUntil(lambda: view.table.horizontalHeaderItem(2).text().startswith("▶ "), timeout=3000)


def test_deltas_against_the_chosen_base(make_window, sample_path, qtbot, tmp_path):
    window = make_window(sample_path)
    owned = next(p for p in sample_files() if p.name == "deployment-owned.tco")
    window.open_file(owned)
    view = window.show_view("compare")
    view.base_box.setCurrentIndex(1)
    view.refresh()
    columns = view.comparison["columns"]
    base_total = columns[1]["values"]["total_cost"]
    other_total = columns[0]["values"]["total_cost"]
    absolute, relative = columns[0]["deltas"]["total_cost"]
    assert absolute == pytest.approx(other_total - base_total)
    assert relative == pytest.approx((other_total - base_total) / base_total)
    cell = view.table.item(_row("total_cost"), 0).text()
    assert "%" in cell and "\n" in cell
    assert "\n" not in view.table.item(_row("total_cost"), 1).text(), "the base shows no delta to itself"
    written = view.export_csv(tmp_path / "comparison.csv")
    rows = list(csv.reader(io.StringIO(written.read_text(encoding="utf-8"))))
    total = next(r for r in rows if r[0] == "Lifetime cost")
    assert float(total[2]) == pytest.approx(other_total) and float(total[3]) == pytest.approx(absolute)
    assert float(total[4]) == pytest.approx(100 * relative)


def test_one_reporting_currency_converts_every_column():
    usd = load_scenario(next(p for p in sample_files() if p.name == "deployment-owned.tco"))
    eur = with_values(usd, {"currency": "EUR", "finance.usd_to_currency": 0.9})  # amounts typed stay, rate 0.9
    evaluations = [evaluate_scenario(usd), evaluate_scenario(eur)]
    in_eur = build_comparison(["usd", "eur"], evaluations, base=1)
    assert in_eur["currency"] == "EUR" and in_eur["converted"]
    usd_total = evaluations[0].summary["total_cost"]
    assert in_eur["columns"][0]["values"]["total_cost"] == pytest.approx(usd_total * 0.9)
    assert in_eur["columns"][1]["values"]["total_cost"] == evaluations[1].summary["total_cost"]
    in_usd = build_comparison(["usd", "eur"], evaluations, base=1, currency="USD")
    assert in_usd["columns"][1]["values"]["total_cost"] == pytest.approx(evaluations[1].summary["total_cost"] / 0.9)
    assert in_usd["columns"][0]["values"]["total_cost"] == usd_total
    assert in_usd["columns"][0]["values"]["inference_share"] == evaluations[0].summary["inference_share"]
    assert "Lifetime cost,EUR" in comparison_csv(in_eur)


def test_columns_can_be_reordered_and_hidden(make_window, sample_path):
    window = make_window(sample_path)
    window.open_file(next(p for p in sample_files() if p.name == "deployment-owned.tco"))
    view = window.show_view("compare")
    header = view.table.horizontalHeader()
    assert header.sectionsMovable()
    header.moveSection(0, 1)
    assert header.logicalIndex(0) == 1
    view.table.setColumnHidden(0, True)
    assert view.table.isColumnHidden(0)


def test_an_open_programme_is_a_column_and_its_edits_refresh_it(make_window, scenario_file, qtbot, answers, tmp_path):
    """Compare lists every open scenario and programme; a programme's column is its own engine result."""
    import shutil

    from tcoapp.gui.views.programme import open_programme_window
    from tcoapp.paths import samples_dir
    from tcoapp.reports.programme_report import build_programme_report
    from tcoapp.scenario.programme import evaluate_programme, load_programme

    answers.script["save_changes"] = "discard"
    window = make_window(scenario_file)
    programme_file = tmp_path / "company.tco"
    shutil.copy(samples_dir() / "company-programme.tco", programme_file)
    programme_window = open_programme_window(programme_file)
    qtbot.addWidget(programme_window)
    view = window.show_view("compare")
    view.refresh()
    assert view.table.columnCount() == 2
    header = view.table.horizontalHeaderItem(1)
    assert "(programme)" in header.toolTip() and str(programme_file) in header.toolTip()
    programme = load_programme(programme_file)
    expected = build_programme_report(programme, evaluate_programme(programme))["summary"]["total_cost"]
    assert view.comparison["columns"][1]["values"]["total_cost"] == pytest.approx(expected, rel=1e-12)
    scenario_total = evaluate_scenario(load_scenario(scenario_file)).summary["total_cost"]
    absolute, _ = view.comparison["columns"][1]["deltas"]["total_cost"]
    assert absolute == pytest.approx(expected - scenario_total)
    # an edit in the programme window makes the comparison follow
    programme_window.select_workload(0)
    with qtbot.waitSignal(programme_window.evaluated, timeout=5000):
        programme_window.editor.input_widget("inference.requests_per_day").setValue(9_000_000)
    qtbot.waitUntil(lambda: view.comparison["columns"][1]["values"]["total_cost"] != pytest.approx(expected),
                    timeout=5000)
    assert view.comparison["columns"][1]["values"]["total_cost"] == pytest.approx(
        programme_window.report["summary"]["total_cost"], rel=1e-12)
    programme_window.close()
