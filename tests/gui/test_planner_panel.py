"""The "Right-size the model" panel: the planner's numbers, its chart, Apply as one undoable command."""

from __future__ import annotations

import math
import time

import pytest
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tcoapp.gui.views import planner as planner_panel
from tcoapp.gui.widgets.formatting import compact_money
from tcoapp.gui.views.planner import apply_label, count_text
from tcoapp.paths import sample_files
from tcoapp.reports.analysis_figures import draw_plan_curve
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.planning import apply_design, plan_document, plan_scenario

from .conftest import settle

SAMPLE = "chat-assistant-owned-h100.tco"


@pytest.fixture
def chat_file(tmp_path):
    source = next(p for p in sample_files() if p.name == SAMPLE)
    target = tmp_path / SAMPLE
    target.write_bytes(source.read_bytes())
    return target


@pytest.fixture
def chat_window(make_window, chat_file):
    return make_window(chat_file)


def run_panel(view, qtbot):
    """Press Run and wait for the plan to be shown."""
    with qtbot.waitSignal(view.planned, timeout=20000):
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    return view.result


def kpi_total(window) -> QLabel:
    return window.findChild(QLabel, "kpi.total_cost")


def test_panel_shows_plan_scenarios_recommendation(chat_window, qtbot):
    window = chat_window
    scenario = window.active.scenario
    view = window.show_view("planner")
    assert view.quality_params.value() == scenario.model.params_billion, "the default quality is the scenario's size"
    assert view.objective.currentData() == "cost"
    result = run_panel(view, qtbot)

    expected = plan_scenario(scenario, quality_params_billion=scenario.model.params_billion, objective="cost")
    opt, chin = expected.plan.optimal, expected.plan.chinchilla
    assert result.plan.optimal == opt and result.plan.chinchilla == chin

    def cell(name):
        return window.findChild(QLabel, f"planner.{name}")

    assert cell("optimal.params").text() == count_text(opt.params)
    assert 1e9 < opt.params < 70e9, "a 70B-quality model served for years is best trained smaller"
    assert cell("optimal.params").property("value") == opt.params
    assert cell("optimal.tokens").text() == count_text(opt.tokens)
    assert cell("optimal.tokens_per_param").text() == f"{opt.tokens_per_param:,.0f}"
    assert cell("optimal.total_cost").text() == compact_money(opt.total_cost, "USD")
    assert cell("chinchilla.params").text() == count_text(chin.params) == "70B"
    assert cell("chinchilla.total_cost").property("value") == chin.total_cost
    assert cell("saving.cost").property("value") == pytest.approx(chin.total_cost - opt.total_cost)
    assert cell("saving.cost").text().startswith(compact_money(chin.total_cost - opt.total_cost, "USD"))
    assert cell("saving.flops").property("value") == pytest.approx(chin.total_flops - opt.total_flops)
    assert f"Train a {count_text(opt.params)}-parameter model on {count_text(opt.tokens)} tokens" \
        in cell("headline").text()
    warnings = cell("warnings")
    assert not warnings.isHidden() and "extrapolated" in warnings.text(), "70B is beyond the fitted sizes"
    assert "dense model" in cell("notes").text()
    assert view.apply_button.isEnabled()

    # the chart: cost and FLOPs against size, both points marked and labelled, axes with units
    assert view.chart.data["optimal"]["params"] == opt.params
    view.chart.redraw(now=True)
    cost_ax, flops_ax = view.chart.figure.axes
    assert cost_ax.get_ylabel() == "Lifetime cost (USD million)"
    assert flops_ax.get_xlabel() == "Model size (billion parameters, log scale)"
    assert "FLOPs" in flops_ax.get_ylabel()
    labels = " ".join(t.get_text() for ax in (cost_ax, flops_ax) for t in ax.texts)
    assert f"Recommended\n{count_text(opt.params)} · {compact_money(opt.total_cost, 'USD').replace(' M', 'M')}" in labels
    assert f"Chinchilla-optimal\n70B · {compact_money(chin.total_cost, 'USD').replace(' M', 'M')}" in labels
    assert "Cannot draw" not in " ".join(t.get_text() for t in view.chart.figure.texts)


def test_apply_is_one_undoable_command_and_the_kpis_follow(chat_window, qtbot):
    window = chat_window
    document = window.active
    before = document.scenario
    settle(window)
    total_before = kpi_total(window).property("value")
    view = window.show_view("planner")
    result = run_panel(view, qtbot)
    design = result.plan.optimal
    commands = document.undo_stack.count()

    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    applied = apply_design(before, design)
    assert document.scenario == applied
    assert document.scenario.model.params_billion == design.params / 1e9
    assert document.scenario.model.active_params_billion == design.params / 1e9, "dense, as the planner assumes"
    assert document.scenario.training.tokens_trillion == design.tokens / 1e12
    assert document.scenario.training.compute_flops is None
    assert document.undo_stack.count() == commands + 1, "one command"
    label = apply_label(design)
    assert label == f"Apply right-sized model ({count_text(design.params)}, {count_text(design.tokens)} tokens)"
    assert window.act_undo.text() == f"Undo {label}"
    assert not view.apply_button.isEnabled() and "Applied" in view.note.text()

    settle(window)
    engine_total = evaluate(applied).summary["total_cost"][0]
    assert engine_total == pytest.approx(design.total_cost, rel=1e-9), "the plan's cost is the engine's"
    assert kpi_total(window).property("value") == pytest.approx(engine_total, rel=1e-12)
    assert kpi_total(window).text() == compact_money(engine_total, "USD")
    assert kpi_total(window).property("value") < total_before

    window.act_undo.trigger()
    assert document.scenario == before
    settle(window)
    assert kpi_total(window).property("value") == pytest.approx(total_before, rel=1e-12)
    assert view.apply_button.isEnabled(), "the plan still holds for the restored scenario"
    assert not document.dirty

    window.act_redo.trigger()
    assert document.scenario == applied
    settle(window)
    assert kpi_total(window).property("value") == pytest.approx(engine_total, rel=1e-12)
    assert not view.apply_button.isEnabled()


def test_target_loss_flops_objective_and_other_inference_tokens(chat_window, qtbot):
    window = chat_window
    document = window.active
    before = document.scenario
    view = window.show_view("planner")
    view.by_loss.setChecked(True)
    assert view.quality_loss.isEnabled() and not view.quality_params.isEnabled()
    view.quality_loss.setValue(2.0)
    view.objective.setCurrentIndex(view.objective.findData("flops"))
    view.inference_custom.setChecked(True)
    view.inference_tokens.setValue(2e12)
    result = run_panel(view, qtbot)

    expected = plan_scenario(before, quality_loss=2.0, objective="flops", inference_tokens=2e12)
    assert result.plan.optimal == expected.plan.optimal
    assert result.requests_scale == expected.requests_scale != 1.0
    assert window.findChild(QLabel, "planner.optimal.params").text() == count_text(expected.plan.optimal.params)
    assert "scaled" in window.findChild(QLabel, "planner.context").text()

    assert view.apply()
    # Apply writes N and D only: the traffic scaling was for the plan, not for the scenario
    assert document.scenario == apply_design(before, expected.plan.optimal)
    assert document.scenario.inference.requests_per_day == before.inference.requests_per_day


def test_chinchilla_quality_tracks_the_size_box(chat_window):
    view = chat_window.show_view("planner")
    view.quality_params.setValue(13)
    assert view.quality_loss.value() == pytest.approx(2.0453, abs=1e-4)
    assert view.options() == {"objective": "cost", "quality_params_billion": 13.0}
    view.quality_params.setValue(5)
    view.use_scenario_size()
    assert view.quality_params.value() == 70


def test_bad_quality_is_refused_at_once(chat_window):
    window = chat_window
    view = window.show_view("planner")
    window.worker.wait_idle()
    view.by_loss.setChecked(True)
    view.quality_loss.setValue(1.5)
    assert not view.run()
    assert "must be > 1.69" in view.note.text()
    assert window.worker.current is None


def test_an_edit_cancels_a_running_plan_and_marks_a_shown_one_stale(chat_window, qtbot, monkeypatch):
    window = chat_window
    document = window.active
    view = window.show_view("planner")
    result = run_panel(view, qtbot)
    assert view.is_current()

    real = planner_panel.plan_scenario

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return real(*args, **kwargs)

    monkeypatch.setattr(planner_panel, "plan_scenario", slow)
    assert view.run()
    task = window.worker.current
    assert task is not None and task.name == "Right-size"
    document.set_value("inference.annual_growth", 0.8)
    assert window.worker.current is None and task.is_cancelled(), "an edit cancels the stale plan"
    assert "cancelled" in window.status_label.text()
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=5000)
    qtbot.wait(20)
    assert view.result is result, "the cancelled run is not shown"
    assert not view.apply_button.isEnabled() and "Inputs changed" in view.note.text()

    window.act_undo.trigger()  # back to the planned scenario: current again
    assert view.is_current() and view.apply_button.isEnabled()
    document.set_value("model.params_billion", 40.0)  # a field Apply overwrites: the plan still holds
    assert view.is_current() and view.apply_button.isEnabled()
    view.objective.setCurrentIndex(view.objective.findData("flops"))  # the panel's own options
    assert not view.is_current() and not view.apply_button.isEnabled()


def test_tools_menu_opens_the_panel(chat_window, qtbot):
    window = chat_window
    window.act_right_size.trigger()
    assert window.views.currentWidget() is window.planner_tab
    view = window.planner
    assert view.objectName() == "view.planner"
    qtbot.waitUntil(lambda: view.result is not None, timeout=20000)  # planned on first show
    expected = plan_scenario(window.active.scenario, quality_params_billion=window.active.scenario.model.params_billion,
                             objective="cost")
    assert view.result.plan.optimal.params == pytest.approx(expected.plan.optimal.params, rel=1e-9)


def test_plan_chart_without_costs_and_with_one_point():
    source = next(p for p in sample_files() if p.name == "deployment-api.tco")
    from tcoapp.scenario.files import load_scenario

    scenario = load_scenario(source)
    document = plan_document(plan_scenario(scenario, objective="cost"))
    assert math.isclose(document["optimal"]["params"], document["chinchilla"]["params"], rel_tol=1e-6)
    fig = Figure()
    draw_plan_curve(fig, document)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any(t.startswith("Recommended = Chinchilla-optimal") for t in texts), "API: one point, one label"

    blank = dict(document, curve=dict(document["curve"], total_cost=[None] * len(document["curve"]["params"])))
    blank["optimal"] = dict(document["optimal"], total_cost=None)
    blank["chinchilla"] = dict(document["chinchilla"], total_cost=None)
    fig = Figure()
    draw_plan_curve(fig, blank)
    assert any("no size could be costed" in t.get_text() for t in fig.axes[0].texts)
