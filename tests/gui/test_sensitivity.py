"""Sensitivity and compare views: worker, progress, Cancel, stale runs, and the solver's numbers."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtWidgets import QPushButton, QTableWidget, QWidget

from tcoapp.gui.documents.worker import Worker
from tcoapp.paths import sample_files
from tcoapp.scenario import sensitivity
from tcoapp.scenario.schema import with_values

from .conftest import settle

UNCERTAINTY = {
    "inference.annual_growth": {"dist": "triangular", "low": 0.2, "mode": 0.5, "high": 0.9},
    "inference.requests_per_day": {"dist": "lognormal", "median": 1_000_000, "sigma": 0.3},
}


def slow_job(steps=200, delay=0.01, progress=None, cancelled=None):
    for i in range(steps):
        if cancelled():
            raise type("Cancelled", (Exception,), {})()
        time.sleep(delay)
        progress((i + 1) / steps)
    return "done"


def test_worker_reports_progress_and_result(qtbot):
    worker = Worker()
    results, fractions = [], []
    worker.progress.connect(lambda name, f: fractions.append(f))
    main_thread = threading.get_ident()
    threads = []

    def on_result(value):
        threads.append(threading.get_ident())
        results.append(value)

    with qtbot.waitSignal(worker.finished, timeout=10000):
        worker.submit("job", slow_job, 20, 0.005, on_result=on_result)
    assert results == ["done"] and threads == [main_thread], "results are applied on the main thread"
    assert fractions and fractions[-1] == 1.0
    assert not worker.busy
    worker.shutdown()


def test_worker_cancel_and_newer_request(qtbot):
    worker = Worker()
    results = []
    first = worker.submit("first", slow_job, on_result=results.append)
    qtbot.waitUntil(lambda: first.isRunning(), timeout=5000)
    second = worker.submit("second", slow_job, 10, 0.001, on_result=results.append)
    assert first.is_cancelled(), "a newer request cancels the stale one"
    qtbot.waitUntil(lambda: not worker.busy, timeout=10000)
    assert results == ["done"] and second.outcome == "done"
    qtbot.waitUntil(lambda: first.outcome == "cancelled", timeout=5000)
    third = worker.submit("third", slow_job, on_result=results.append)
    qtbot.waitUntil(lambda: third.isRunning(), timeout=5000)
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.cancel()
    assert worker.shutdown(5000)
    assert results == ["done"]


def test_worker_reports_failures(qtbot):
    worker = Worker()

    def broken(progress=None, cancelled=None):
        raise ValueError("boom")

    errors = []
    with qtbot.waitSignal(worker.failed, timeout=5000):
        worker.submit("broken", broken, on_error=errors.append)
    assert str(errors[0]) == "boom"
    worker.shutdown()


@pytest.fixture
def owned_window(make_window, tmp_path):
    sample = next(p for p in sample_files() if p.name == "deployment-owned.tco")
    target = tmp_path / "owned.tco"
    target.write_bytes(sample.read_bytes())
    window = make_window(target)
    window.show_view("sensitivity")
    return window


def test_uncertainty_editor_writes_the_section(owned_window, answers):
    window = owned_window
    from tcoapp.gui.views.sensitivity import UncertaintyDialog

    def fill(question):
        dialog: UncertaintyDialog = question.options["dialog"]
        row = dialog.add_row()  # defaults to demand growth, triangular +-20 %
        assert dialog.table.cellWidget(row, 0).currentData() == "inference.annual_growth"
        dialog.table.item(row, 2).setText("0.2")
        dialog.table.item(row, 3).setText("0.5")
        dialog.table.item(row, 4).setText("0.9")
        row = dialog.add_row("inference.requests_per_day")
        dist = dialog.table.cellWidget(row, 1)
        dist.setCurrentIndex(dist.findData("lognormal"))
        dialog.table.item(row, 2).setText("1,000,000")
        dialog.table.item(row, 4).setText("0.3")
        dialog.accept()
        return "accepted"

    answers.script["dialog"] = fill
    window.sensitivity.monte_carlo.edit_button.click()
    uncertainty = {k: v.model_dump() for k, v in window.active.scenario.uncertainty.items()}
    assert uncertainty == UNCERTAINTY
    assert window.active.undo_stack.undoText() == "Change Uncertainty"
    assert "Demand growth" in window.sensitivity.monte_carlo.uncertain.text()


def test_uncertainty_editor_names_a_broken_rule(owned_window, answers):
    from tcoapp.gui.views.sensitivity import UncertaintyDialog

    def fill(question):
        dialog: UncertaintyDialog = question.options["dialog"]
        row = dialog.add_row()
        dialog.table.item(row, 3).setText("5")  # mode above high
        dialog.accept()
        assert "must lie between low and high" in dialog.message.text()
        return "rejected"

    answers.script["dialog"] = fill
    owned_window.sensitivity.edit_uncertainty()
    assert owned_window.active.scenario.uncertainty == {}


def test_monte_carlo_runs_with_progress_and_can_be_cancelled(owned_window, qtbot):
    window = owned_window
    window.active.replace_scenario(with_values(window.active.scenario, {"uncertainty": UNCERTAINTY}), "set up")
    panel = window.sensitivity.monte_carlo
    window.sensitivity.tabs.setCurrentWidget(panel)
    panel.samples.setValue(3000)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=30000)
    expected = sensitivity.monte_carlo(window.active.scenario, samples=3000, seed=0,
                                       metrics=("total_cost", "npv_total", "inference_share", "crossover_month",
                                                "inference_cost", "cost_per_million_tokens"))
    assert panel.result["metrics"]["total_cost"] == expected["metrics"]["total_cost"]
    stats: QTableWidget = window.findChild(QTableWidget, "monte_carlo.stats")
    assert stats.rowCount() == 6 and stats.item(0, 0).text() == "Lifetime cost"
    assert panel.histogram.figure.axes and panel.fan.figure.axes
    histogram_axes = panel.histogram.figure.axes[0]
    assert "Lifetime cost (USD" in histogram_axes.get_xlabel()
    finished = panel.result

    # a long run: progress shows, the window keeps answering, Cancel stops it
    panel.samples.setValue(600_000)
    panel.run_button.click()
    assert window.progress.isVisible() and window.cancel_button.isVisible()
    assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    qtbot.waitUntil(lambda: window.progress.value() > 0, timeout=30000)
    ticks = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1], timeout=1000)  # the event loop runs during the work
    task = window.worker.current
    panel.cancel_button.click()
    assert not window.worker.busy and not window.progress.isVisible()
    assert panel.note.text() == "Cancelled."
    qtbot.waitUntil(lambda: task.outcome == "cancelled", timeout=10000)
    assert panel.result is finished, "a cancelled run changes nothing"
    assert panel.run_button.isEnabled()


def test_an_input_change_cancels_a_stale_run(owned_window, qtbot):
    window = owned_window
    window.active.replace_scenario(with_values(window.active.scenario, {"uncertainty": UNCERTAINTY}), "set up")
    panel = window.sensitivity.monte_carlo
    window.sensitivity.tabs.setCurrentWidget(panel)
    panel.samples.setValue(600_000)
    panel.run()
    task = window.worker.current
    qtbot.waitUntil(lambda: task.isRunning(), timeout=5000)
    window.findChild(QWidget, "facility.pue").setValue(1.4)
    assert task.is_cancelled()
    qtbot.waitUntil(lambda: task.outcome == "cancelled", timeout=10000)
    assert panel.result is None
    assert "Sampling" not in panel.note.text(), "the panel no longer claims to be sampling"
    assert panel.note.text().startswith("Stopped: the inputs changed")
    assert panel.run_button.isEnabled()


def test_tornado_draws_the_solvers_rows(owned_window, qtbot):
    window = owned_window
    panel = window.sensitivity.tornado
    window.sensitivity.tabs.setCurrentWidget(panel)
    panel.run()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    expected = sensitivity.tornado(window.active.scenario, metric="total_cost", swing=0.2)
    assert panel.result["rows"] == expected["rows"]
    axes = panel.chart.figure.axes[0]
    assert 0 < len(axes.get_yticklabels()) <= 12
    assert "Lifetime cost (USD)" in axes.get_xlabel()


def test_goal_seek_dialog_finds_and_applies_a_value(make_window, answers, qtbot, tmp_path):
    sample = next(p for p in sample_files() if p.name == "deployment-api.tco")  # cost is smooth in demand
    target = tmp_path / "api.tco"
    target.write_bytes(sample.read_bytes())
    window = make_window(target)
    settle(window)
    from tcoapp.gui.views.sensitivity import GoalSeekDialog

    base_total = window.evaluator.latest.summary["total_cost"]

    def fill(question):
        dialog: GoalSeekDialog = question.options["dialog"]
        dialog.field.setCurrentIndex(dialog.field.findData("inference.requests_per_day"))
        dialog.metric_box.setCurrentIndex(dialog.metric_box.findData("total_cost"))
        dialog.target.setValue(round(base_total * 1.2))
        dialog.low.setValue(500_000)
        dialog.high.setValue(3_000_000)
        dialog.run_button.click()
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20000)
        assert dialog.outcome["status"] == "ok", dialog.outcome
        assert dialog.apply_button.isEnabled()
        dialog.accept()
        return "accepted"

    answers.script["dialog"] = fill
    window.sensitivity.goal_seek()
    found = window.active.scenario.inference.requests_per_day
    assert 1_000_000 < found < 3_000_000
    assert window.active.undo_stack.undoText() == "Goal seek Requests per day"
    settle(window)
    assert window.evaluator.latest.summary["total_cost"] == pytest.approx(base_total * 1.2, rel=1e-3)


def test_goal_seek_explains_a_target_between_steps(owned_window, answers, qtbot):
    window = owned_window
    settle(window)
    from tcoapp.gui.views.sensitivity import GoalSeekDialog

    base_total = window.evaluator.latest.summary["total_cost"]

    def fill(question):
        dialog: GoalSeekDialog = question.options["dialog"]
        dialog.metric_box.setCurrentIndex(dialog.metric_box.findData("total_cost"))
        dialog.target.setValue(round(base_total * 1.2))
        dialog.low.setValue(500_000)
        dialog.high.setValue(3_000_000)
        dialog.run()
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20000)
        assert "cannot be hit exactly" in dialog.answer.text()
        return "rejected"

    answers.script["dialog"] = fill
    before = window.active.scenario
    window.sensitivity.goal_seek()
    assert window.active.scenario == before


def test_heat_map_sweeps_two_inputs(owned_window, qtbot):
    window = owned_window
    panel = window.sensitivity.heatmap
    window.sensitivity.tabs.setCurrentWidget(panel)
    panel.steps.setValue(4)
    panel.run_button.click()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    assert len(panel.result["grid"]) == 4 and len(panel.result["grid"][0]) == 4
    axes = panel.chart.figure.axes[0]
    assert axes.get_xlabel().startswith("Demand growth") and axes.get_ylabel().startswith("Requests per day")


def test_compare_view_lists_open_scenarios_and_ranks_deployments(owned_window, qtbot, sample_path):
    window = owned_window
    window.open_file(sample_path)
    window.show_view("compare")
    table: QTableWidget = window.findChild(QTableWidget, "compare.table")
    assert table.columnCount() == 2
    assert table.horizontalHeaderItem(0).text() == "owned\n(base)"  # the base at first; its tag on a line of its own
    assert table.verticalHeaderItem(0).text() == "Lifetime cost"
    assert window.compare.curves.figure.axes[0].get_legend() is not None
    window.findChild(QPushButton, "compare.deployments.run").click()
    panel = window.compare.deployments
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    ranked = window.findChild(QTableWidget, "compare.deployments.table")
    assert ranked.rowCount() == 3
    window.compare.solver_tabs.setCurrentWidget(window.compare.chips)
    window.findChild(QPushButton, "compare.chips.run").click()
    qtbot.waitUntil(lambda: window.compare.chips.result is not None, timeout=20000)
    assert window.findChild(QTableWidget, "compare.chips.table").rowCount() >= 10


def test_goal_seek_dialog_opened_used_and_closed_prints_nothing(window, answers, qtbot, capfd):
    """The dialog is shown and painted, run, closed with Close: nothing on stderr (no shadowed Qt method)."""
    from PySide6.QtWidgets import QDialogButtonBox

    settle(window)
    capfd.readouterr()

    def use(question):
        dialog = question.options["dialog"]
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.metric_box.setCurrentIndex(dialog.metric_box.findData("total_cost"))
        dialog.grab()
        dialog.run()
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20000)
        dialog.grab()
        dialog.run_button.click()
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20000)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()
        assert not dialog.isVisible()
        return "rejected"

    answers.script["dialog"] = use
    window.sensitivity.goal_seek()
    qtbot.wait(50)
    err = capfd.readouterr().err
    assert "TypeError" not in err and "Traceback" not in err, err
