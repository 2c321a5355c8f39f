"""The GUI's one-way sweep, break-even against another deployment, comparison export and getting-started page.

The sweep and the break-even are checked against ``tcoapp-cli ... --json`` run in a
subprocess on the same file, and the break-even also by evaluating both
deployments with the engine at the value found. The comparison export is
recalculated by LibreOffice and its deltas checked against differences of the
engine's results computed here.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtGui import QGuiApplication

from tcoapp.gui.views.compare import COMPARE_KEYS
from tcoapp.paths import sample_files
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
from libreoffice import recalculate  # noqa: E402


def cli_json(*args) -> dict:
    done = subprocess.run([sys.executable, "-m", "tcoapp.cli", *map(str, args), "--json"], capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert done.returncode in (0, 3), done.stderr
    return json.loads(done.stdout)


def _sample(name: str) -> Path:
    return next(p for p in sample_files() if p.name == name)


def _wait_for(qtbot, window, name: str) -> None:
    qtbot.waitUntil(lambda: window.worker.current is None or window.worker.current.name != name, timeout=30000)


def _sweep_panel(window):
    view = window.show_view("sensitivity")
    view.tabs.setCurrentWidget(view.sweep)
    return view.sweep


def test_sweep_equals_the_cli(make_window, scenario_file, qtbot):
    window = make_window(scenario_file)
    panel = _sweep_panel(window)
    panel.field.setCurrentIndex(panel.field.findData("inference.annual_growth"))
    panel.low.setValue(0.0)
    panel.high.setValue(1.0)
    panel.steps.setValue(5)
    panel.metric_box.setCurrentIndex(panel.metric_box.findData("total_cost"))
    panel.run_button.click()
    _wait_for(qtbot, window, "Sweep")
    qtbot.waitUntil(lambda: panel.result is not None, timeout=10000)
    expected = cli_json("sweep", scenario_file, "--input", "inference.annual_growth", "--values", "0,0.25,0.5,0.75,1",
                        "--metric", "total_cost")
    assert panel.result["values"] == expected["values"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert panel.result["metrics"]["total_cost"] == expected["metrics"]["total_cost"]
    assert panel.result["errors"] == expected["errors"]
    # the current value is marked: the scenario's own growth, and its lifetime cost from the engine
    scenario = load_scenario(scenario_file)
    assert panel.result["current"] == scenario.inference.annual_growth
    assert panel.result["current_metric"] == pytest.approx(float(evaluate(scenario).summary["total_cost"][0]))
    assert panel.table.rowCount() == 5
    assert panel.table.item(1, 0).text() == "25 %"
    assert panel.table.item(1, 1).text().startswith("USD ") and "," in panel.table.item(1, 1).text()
    current_row = [0.0, 0.25, 0.5, 0.75, 1.0].index(scenario.inference.annual_growth)
    assert panel.table.item(current_row, 2).text() == "current value"
    panel.copy_button.click()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0].split("\t")[:2] == ["Demand growth", "Lifetime cost"]
    assert len(copied) == 6 and copied[2].split("\t")[0] == "25 %"
    assert "USD" in panel.note.text() and panel.chart.data["sweep"] is panel.result


def test_sweep_refuses_values_outside_the_rule(window, qtbot):
    panel = _sweep_panel(window)
    panel.field.setCurrentIndex(panel.field.findData("inference.annual_growth"))
    panel.low.setValue(-2.0)
    panel.high.setValue(1.0)
    panel.run_button.click()
    assert window.worker.current is None, "nothing runs"
    assert panel.note.text() == "Not run: Low -2: Demand growth (inference.annual_growth) must be > -1 and <= 10."
    panel.field.setCurrentIndex(panel.field.findData("training.duration_months"))
    panel.low.setValue(3.0)
    panel.high.setValue(2.5)
    panel.run_button.click()
    assert "High 2.5" in panel.note.text() and "whole number" in panel.note.text()
    panel.high.setValue(2.0)
    panel.run_button.click()
    assert panel.note.text().startswith("Not run: High 2: must be above low (3)")


def test_sweep_cancel_drops_the_run(window, qtbot):
    panel = _sweep_panel(window)
    panel.steps.setValue(201)
    panel.run_button.click()
    assert window.worker.current is not None and window.worker.current.name == "Sweep"
    assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    panel.cancel_button.click()
    assert window.worker.current is None and panel.note.text() == "Cancelled."
    qtbot.wait(300)
    assert panel.result is None, "a cancelled run's answer is dropped"
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


def _fill_break_even(qtbot, window, path, metric, deployment, low, high, apply: bool):
    """An answerer that fills the break-even dialog in, runs it and closes it (Apply or Close)."""
    seen = {}

    def answer(question):
        dialog = question.options["dialog"]
        dialog.field.setCurrentIndex(dialog.field.findData(path))
        dialog.metric_box.setCurrentIndex(dialog.metric_box.findData(metric))
        dialog.deployment.setCurrentIndex(dialog.deployment.findData(deployment))
        dialog.low.setValue(low)
        dialog.high.setValue(high)
        dialog.run_button.click()
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=30000)
        seen.update(outcome=dialog.outcome, text=dialog.answer.text(), apply=dialog.apply_button.isEnabled(),
                    deployments=[dialog.deployment.itemData(i) for i in range(dialog.deployment.count())])
        return "accepted" if apply and dialog.apply_button.isEnabled() else "rejected"

    return answer, seen


def test_break_even_equals_the_cli_solve_and_both_deployments_agree(make_window, scenario_file, answers, qtbot):
    window = make_window(scenario_file)
    answer, seen = _fill_break_even(qtbot, window, "inference.cloud_rate", "total_cost", "owned", 0.5, 10.0, True)
    answers.script["dialog"] = answer
    window.act_break_even.trigger()
    outcome = seen["outcome"]
    assert seen["deployments"] == ["api", "owned"], "the scenario's own deployment is not offered"
    expected = cli_json("solve", scenario_file, "--input", "inference.cloud_rate", "--metric", "total_cost",
                        "--target-deployment", "owned", "--low", "0.5", "--high", "10")
    assert outcome["status"] == expected["status"] == "ok"
    assert outcome["value"] == pytest.approx(expected["value"], rel=1e-12)
    assert seen["text"].startswith("<b>ok: Inference cloud rate = 4.68") and seen["apply"]
    scenario = load_scenario(scenario_file)
    value = outcome["value"]
    cloud = float(evaluate(with_values(scenario, {"inference.cloud_rate": value})).summary["total_cost"][0])
    owned = float(evaluate(with_values(scenario, {"inference.cloud_rate": value,
                                                  "inference.deployment": "owned"})).summary["total_cost"][0])
    assert cloud == pytest.approx(owned, rel=2e-6), "the two deployments cost the same at the break-even"
    # Apply set the input as one undoable edit
    document = window.active
    assert document.scenario.inference.cloud_rate == value
    document.undo_stack.undo()
    assert document.scenario.inference.cloud_rate is None


def test_break_even_reports_no_solution_and_applies_nothing(make_window, scenario_file, answers, qtbot):
    window = make_window(scenario_file)
    answer, seen = _fill_break_even(qtbot, window, "inference.cloud_rate", "total_cost", "owned", 0.5, 2.0, True)
    answers.script["dialog"] = answer
    window.act_break_even.trigger()
    assert seen["outcome"]["status"] == "no solution in range"
    assert seen["text"].startswith("<b>No solution in range</b> 0.5 to 2: as owned (buy chips), lifetime cost is USD ") and not seen["apply"]
    assert window.active.scenario.inference.cloud_rate is None
    assert not window.active.undo_stack.canUndo()


def _both(scenario, path, value, deployment, metric="total_cost"):
    here = float(evaluate(with_values(scenario, {path: value})).summary[metric][0])
    there = float(evaluate(with_values(scenario, {path: value, "inference.deployment": deployment})).summary[metric][0])
    return here, there


def test_break_even_on_an_input_only_the_other_deployment_uses(make_window, scenario_file, answers, qtbot):
    """The API's output price does not move the cloud cost: the goal seek finds nothing, the crossing does."""
    window = make_window(scenario_file)
    answer, seen = _fill_break_even(qtbot, window, "inference.api_price_output", "total_cost", "api", 0, 100, False)
    answers.script["dialog"] = answer
    window.act_break_even.trigger()
    outcome = seen["outcome"]
    assert outcome["status"] == "ok" and outcome["method"] == "crossing"
    here, there = _both(load_scenario(scenario_file), "inference.api_price_output", outcome["value"], "api")
    assert here == pytest.approx(there, rel=2e-6), "cloud and API cost the same at the answer"
    assert (outcome["this_metric"], outcome["other_metric"]) == (pytest.approx(here), pytest.approx(there))
    # worked out by hand: the API bill is linear in the output price, so the crossing is where
    # api(p) = cloud, p = p0 + (cloud - api(p0)) / slope, from two evaluations of the API deployment
    scenario = load_scenario(scenario_file)
    _, api_0 = _both(scenario, "inference.api_price_output", 0.0, "api")
    _, api_10 = _both(scenario, "inference.api_price_output", 10.0, "api")
    assert outcome["value"] == pytest.approx((here - api_0) / ((api_10 - api_0) / 10.0), rel=1e-6)
    assert window.active.scenario == load_scenario(scenario_file), "Close applies nothing"


def test_break_even_on_an_input_both_deployments_use_is_checked_at_its_answer(make_window, scenario_file, answers,
                                                                              qtbot):
    """Requests per day move both deployments: whatever the answer, its figures are the engine's at its value."""
    window = make_window(scenario_file)
    answer, seen = _fill_break_even(qtbot, window, "inference.requests_per_day", "total_cost", "owned", 10_000,
                                    20_000_000, False)
    answers.script["dialog"] = answer
    window.act_break_even.trigger()
    outcome = seen["outcome"]
    assert outcome["status"] in ("ok", "not reached", "no solution in range", "several solutions")
    if outcome["value"] is not None:
        here, there = _both(load_scenario(scenario_file), "inference.requests_per_day", outcome["value"], "owned")
        assert outcome["this_metric"] == pytest.approx(here) and outcome["other_metric"] == pytest.approx(there)
        if outcome["status"] == "ok":
            assert here == pytest.approx(there, rel=3e-6)
        else:
            assert not seen["apply"] and "Not reached" in seen["text"]


COMPARED = ("deployment-api.tco", "deployment-cloud.tco", "deployment-owned.tco", "chat-assistant-owned-h100.tco")


def test_compare_export_of_four_samples(make_window, answers, qtbot, tmp_path):
    window = make_window(_sample(COMPARED[0]))
    for name in COMPARED[1:]:
        window.open_sample(_sample(name))
    view = window.show_view("compare")
    view.refresh()
    view.base_box.setCurrentIndex(2)  # deployment-owned
    view.refresh()
    names = [d.display_name() for d in window.documents]
    assert len(names) == 4
    csv_path = view.export_csv(tmp_path / "comparison.csv")
    answers.script["save_file"] = str(tmp_path / "comparison.xlsx")
    view.export_workbook_button.click()
    xlsx = tmp_path / "comparison.xlsx"
    assert xlsx.is_file() and not list(tmp_path.glob(".*.tmp")), "written atomically, no temporary left"
    totals = {}
    for name in COMPARED:
        summary = evaluate(load_scenario(_sample(name))).summary
        totals[name] = {key: float(summary[key][0]) for key, _ in COMPARE_KEYS}
    base = totals[COMPARED[2]]
    deployments = {name: load_scenario(_sample(name)).inference.deployment for name in COMPARED}
    # CSV: each scenario's value, and the others' delta against the base
    rows = {r[0]: r for r in csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8")))}
    header = next(iter(rows.values()))
    lifetime = rows["Lifetime cost"]
    api = header.index(f"{names[0]} delta")
    assert float(lifetime[api]) == pytest.approx(totals[COMPARED[0]]["total_cost"] - base["total_cost"], rel=1e-11)
    # workbook: recalculated, the delta formulas give the differences
    copy = recalculate([xlsx], tmp_path / "lo")[xlsx.resolve()]
    ws = load_workbook(copy, data_only=True)["Comparison"]
    headers = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    assert headers[1] == f"{names[2]} (base)"
    checked = 0
    for r, (key, _) in enumerate(COMPARE_KEYS):
        row = 5 + r
        for i in (0, 1, 3):
            delta = ws.cell(row, headers.index(f"Δ {names[i]}") + 1).value
            value, ref = totals[COMPARED[i]][key], base[key]
            # inference energy is an owned fleet's only: a cloud or API column (or base) has no value, so no delta
            not_owned = key == "energy_mwh" and {deployments[COMPARED[i]], deployments[COMPARED[2]]} != {"owned"}
            if key == "payback_month" or value != value or ref != ref or not_owned:  # no delta, NaN, or n/a
                assert delta in (None, "")
                continue
            assert delta == pytest.approx(value - ref, rel=1e-12, abs=1e-12), (key, names[i])
            relative = ws.cell(row, headers.index(f"Δ % {names[i]}") + 1).value
            assert relative == ("" if ref == 0 else pytest.approx((value - ref) / abs(ref), rel=1e-12)) or \
                (ref == 0 and relative is None)
            checked += 1
    assert checked >= 25
    assert ws.protection.sheet
    assert window.status_label.text() == f"Exported {xlsx.resolve()}"


def test_getting_started_opens_from_the_help_menu(window, answers):
    shown = []
    answers.script["dialog"] = lambda q: shown.append((q.title, q.options["dialog"].browser.toPlainText())) \
        or "rejected"
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.act_getting_started in help_menu.actions()
    window.act_getting_started.trigger()
    assert shown and shown[0][0] == "Getting started"
    text = shown[0][1]
    for words in ("New from template", "untitled copy", "Undo", "why this number", "Compare deployments",
                  "Excel workbook"):
        assert words in text


def test_getting_started_is_offered_once(window, answers, data_dir):
    from tcoapp.gui.app.help import offer_getting_started
    from tcoapp.gui.app.window_state import settings

    answers.script["yes_no"] = "yes"
    answers.script["dialog"] = "rejected"
    assert offer_getting_started(window) is True
    assert [q.title for q in answers.asked] == ["Welcome to tcoapp", "Getting started"]
    assert offer_getting_started(window) is False, "remembered in the settings"
    assert len(answers.asked) == 2
    assert settings().value("help/getting_started_offered") in (True, "true")


def test_getting_started_is_not_offered_to_a_returning_user(window, answers, data_dir):
    from tcoapp.gui.app.help import offer_getting_started
    from tcoapp.gui.app.window_state import settings

    store = settings()
    store.setValue("window/rect", [10, 10, 1280, 800])
    store.sync()
    assert offer_getting_started(window) is False
    assert answers.asked == [], "nothing asked"


def test_tools_menu_runs_the_sweep(window, qtbot):
    assert window.act_sweep in window.tools_menu.actions() and window.act_break_even in window.tools_menu.actions()
    window.act_sweep.trigger()
    view = window.sensitivity
    assert view.tabs.currentWidget() is view.sweep
    _wait_for(qtbot, window, "Sweep")
    qtbot.waitUntil(lambda: view.sweep.result is not None, timeout=10000)
    assert view.sweep.result["path"] == "inference.requests_per_day" and len(view.sweep.result["values"]) == 11


def test_an_edit_stops_a_running_sweep(window, qtbot):
    panel = _sweep_panel(window)
    panel.steps.setValue(201)
    panel.run_button.click()
    task = window.worker.current
    assert task is not None and task.name == "Sweep"
    window.active.set_values({"inference.annual_growth": 0.4})
    assert task.is_cancelled() and window.worker.current is None
    assert panel.note.text() == "Stopped: the inputs changed while it ran. Run again to update."
    qtbot.wait(300)
    assert panel.result is None


def test_break_even_against_a_free_api_is_refused(make_window, answers, qtbot):
    window = make_window(_sample("deployment-owned.tco"))
    scenario = window.active.scenario
    window.active.set_values({"inference.api_price_input": 0, "inference.api_price_output": 0})
    texts = []

    def answer(question):
        dialog = question.options["dialog"]
        dialog.deployment.setCurrentIndex(dialog.deployment.findData("api"))
        dialog.run_button.click()
        texts.append(dialog.answer.text())
        return "rejected"

    answers.script["dialog"] = answer
    window.act_break_even.trigger()
    assert window.worker.current is None
    assert texts == ["Not searched: inference.api_price_input and api_price_output are both 0: set the API's "
                     "prices to compare with the API."]
    assert scenario.inference.deployment == "owned"


def test_compare_workbook_to_an_unwritable_target_says_why(window, answers, tmp_path):
    view = window.show_view("compare")
    answers.script["save_file"] = str(tmp_path / "missing" / "comparison.xlsx")
    assert view.export_workbook() is None
    error = answers.of_kind("error")[-1]
    assert error.title == "Cannot write the workbook"
    assert "comparison.xlsx: cannot write: folder" in error.text and "does not exist" in error.text
    assert not (tmp_path / "missing").exists()
