"""The serving view draws the trade-off and the thinking budget of the scenario it is given."""

from tcoapp.gui.views.serving import ServingView
from tcoapp.paths import sample_files
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.serving import latency_tradeoff


def _sample(name):
    return load_scenario(next(p for p in sample_files() if p.name == name))


def test_draws_both_charts_for_an_owned_scenario(qtbot):
    view = ServingView()
    qtbot.addWidget(view)
    view.resize(1200, 500)
    view.show()
    scenario = _sample("chat-assistant-owned-h100.tco")
    view.show_scenario(scenario)
    assert view.tradeoff.data["chips"] == latency_tradeoff(scenario)["chips"]
    view.tradeoff.redraw(now=True)
    view.thinking.redraw(now=True)
    ax = view.tradeoff.figure.axes[0]
    labels = {line.get_label() for line in ax.get_lines()}
    assert any("H100" in label for label in labels)
    assert "Time to a full answer (s)" in {line.get_label() for a in view.thinking.figure.axes for line in a.get_lines()}


def test_an_api_scenario_explains_why_there_is_no_trade_off(qtbot):
    view = ServingView()
    qtbot.addWidget(view)
    view.show_scenario(_sample("deployment-api.tco"))
    assert view.tradeoff.isHidden()
    assert "inference.deployment" in view.note.text() and "API" in view.note.text()
    assert view.thinking.data["answer_seconds"][0] is None


def test_warnings_show_beside_the_kpis_and_follow_edits(window, qtbot):
    from .conftest import settle

    document = window.active
    document.set_value("inference.deployment", "api")
    document.set_value("inference.api_price_input", 0.0)
    document.set_value("inference.api_price_output", 0.0)
    settle(window)
    label = window.overview.warnings
    assert not label.isHidden() and "inference.api_price_input" in label.text() and "free" in label.text()
    document.set_value("inference.api_price_input", 0.5)
    document.set_value("inference.api_price_output", 2.0)
    settle(window)
    assert "inference.api_price_input" not in label.text()


def test_the_window_has_a_serving_tab_that_follows_edits(window, qtbot):
    from .conftest import settle

    view = window.show_view("serving")
    assert view.objectName() == "view.serving"
    first = view.thinking.data["cost_per_request"]
    window.active.set_value("inference.requests_per_day", window.active.scenario.inference.requests_per_day * 3)
    settle(window)
    assert view.thinking.data["cost_per_request"] != first
    assert view.thinking.data == __import__("tcoapp.scenario.serving", fromlist=["x"]).thinking_budget(
        window.active.scenario)
