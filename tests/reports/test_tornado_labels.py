"""Tornado bar labels read as the editor shows the inputs: shares in %, money with the currency, no "e-05"."""

from __future__ import annotations

import json

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tcoapp.paths import sample_files
from tcoapp.reports.figures import draw_tornado
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.sensitivity import tornado


def _labels(data: dict) -> dict[str, str]:
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = draw_tornado(fig, data)
    return {text.split("\n")[0]: text.split("\n")[1] for text in (t.get_text() for t in ax.get_yticklabels())}


def _owned():
    return load_scenario(next(p for p in sample_files() if p.name == "deployment-owned.tco"))


def test_shares_read_as_percentages_and_amounts_carry_the_currency():
    scenario = _owned()
    # the sample: target utilisation 0.6, operations 60,000 USD a month; a 20 % swing is 0.48-0.72 and 48-72 k
    assert scenario.inference.target_utilization == 0.6 and scenario.inference.ops_cost_per_month == 60000
    labels = _labels(tornado(scenario, "total_cost", paths=["inference.target_utilization",
                                                           "inference.ops_cost_per_month"]))
    assert labels["Target utilisation"] == "48 % to 72 %"
    assert labels["Operations cost"] == "USD 48k to USD 72k"


def test_a_month_metric_still_labels_money_inputs_with_the_scenario_currency():
    scenario = _owned().model_copy(update={"currency": "EUR"})
    labels = _labels(tornado(scenario, "crossover_month", paths=["inference.ops_cost_per_month"]))
    assert labels["Operations cost"] == "EUR 48k to EUR 72k"


def test_tiny_prices_and_programme_paths_are_plain_decimals():
    data = {"metric": "total_cost", "metric_label": "Lifetime cost", "unit": "USD", "currency": "USD", "base": 10.0,
            "rows": [{"path": "Bot/inference.api_price_cached_input", "title": "Bot/inference.api_price_cached_input",
                      "low_input": 1.2e-05, "high_input": 1.8e-05, "low_metric": 9.0, "high_metric": 11.0},
                     {"path": "Bot/inference.annual_growth", "title": "Bot growth",
                      "low_input": 0.4, "high_input": 0.6, "low_metric": 9.5, "high_metric": 10.5}]}
    labels = _labels(data)
    assert labels["Bot/inference.api_price_cached_input"] == "USD 0.000012 to USD 0.000018"
    assert labels["Bot growth"] == "40 % to 60 %"
    json.dumps(data)  # the tornado stays plain data


def test_a_programme_tornado_names_the_workload_and_the_field_as_a_reader_does():
    # Before: a programme's bars were titled with raw paths ("Assistant v1/inference.target_utilization").
    from tcoapp.paths import samples_dir
    from tcoapp.scenario.programme import load_programme
    from tcoapp.scenario.programme_sensitivity import tornado as programme_tornado

    programme = load_programme(samples_dir() / "company-programme.tco")
    first = programme.names[0]
    data = programme_tornado(programme, "total_cost", paths=[f"{first}/inference.target_utilization",
                                                             "facility.pue"])
    labels = _labels(data)
    assert set(labels) == {f"{first}: Target utilisation", "PUE"}, labels
    value = programme.workloads[0].inference.target_utilization
    assert labels[f"{first}: Target utilisation"] == f"{value * 80:g} % to {value * 120:g} %"
