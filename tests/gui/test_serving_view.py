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
