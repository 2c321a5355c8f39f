"""The shared table and figure builders."""

from __future__ import annotations

import inspect
import math

import pytest
from export_cases import variant
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tcoapp.engine import SERIES
from tcoapp.reports import figures, tables
from tcoapp.reports.report import build_report
from tcoapp.scenario.batch import evaluate

TORNADO = {
    "metric": "total_cost", "metric_label": "Lifetime cost", "unit": "USD", "base": 5.0e7,
    "rows": [
        {"path": "inference.requests_per_day", "title": "Requests per day", "low_input": 1e6, "high_input": 4e6,
         "low_metric": 3.0e7, "high_metric": 9.0e7},
        {"path": "finance.discount_rate", "title": "Discount rate", "low_input": 0.05, "high_input": 0.12,
         "low_metric": 4.9e7, "high_metric": 5.1e7},
    ],
}


@pytest.fixture(scope="module")
def owned_report():
    scenario = variant("owned_cash_life_2625")
    return build_report(scenario, evaluate(scenario))


@pytest.fixture(scope="module")
def api_report():
    scenario = variant("api_no_demand")
    return build_report(scenario, evaluate(scenario))


def test_monthly_table(owned_report):
    table = tables.monthly_table(owned_report)
    assert len(table) == len(owned_report["months"])
    assert list(table.columns[:2]) == ["Month index", "Month"]
    assert list(table.columns[2:]) == [tables.series_title(k, "USD") for k in SERIES]
    assert "Training compute (USD)" in table.columns and "Inference chips (chips)" in table.columns
    assert table["Month"].iloc[13] == owned_report["months"][13]
    for key in SERIES:
        assert table[tables.series_title(key, "USD")].tolist() == owned_report["series"][key]


def test_yearly_table(owned_report):
    table = tables.yearly_table(owned_report)
    assert len(table) == 5
    assert table["Period"].iloc[0] == "2026-01 to 2026-12"
    assert table["Peak inference chips (chips)"].tolist() == owned_report["yearly"]["chips"]
    assert table["Total cost (USD)"].sum() == pytest.approx(owned_report["summary"]["total_cost"], rel=1e-12)


def test_figure_builders_draw_on_a_given_figure(owned_report, api_report):
    for report in (owned_report, api_report):
        for name, draw in figures.REPORT_FIGURES.items():
            fig = Figure(figsize=(8, 5), dpi=100)
            canvas = FigureCanvasAgg(fig)
            ax = draw(fig, report)
            assert isinstance(ax, Axes) and ax.figure is fig
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), name
            canvas.draw()
            ax2 = draw(fig, report)  # redrawing on the same figure replaces the content
            assert fig.axes == [ax2]


def test_axes_have_units_and_calendar_months(owned_report):
    fig = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(fig).draw()
    ax = figures.draw_cumulative(fig, owned_report)
    fig.canvas.draw()
    assert "USD" in ax.get_ylabel()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks[0] == "Jan 2026"
    money = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any(t.startswith("USD ") and t.endswith("M") for t in money)
    crossover = owned_report["summary"]["crossover_month"]
    label = figures.month_text(owned_report["months"][int(crossover)])
    assert any(label in t.get_text() for t in ax.texts)


def test_tornado_puts_the_largest_swing_on_top():
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = figures.draw_tornado(fig, TORNADO)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("Requests per day") and "1M to 4M" in labels[0]
    assert ax.yaxis_inverted()
    assert "Lifetime cost (USD)" == ax.get_xlabel()


def test_render_png_and_svg(owned_report, tmp_path):
    from PIL import Image

    png = figures.render(figures.draw_monthly_cost, owned_report, tmp_path / "m.png")
    with Image.open(png) as image:
        assert image.size == (800, 500)
    svg = figures.render(figures.draw_tornado, TORNADO, tmp_path / "t.svg")
    assert b"<svg" in svg.read_bytes()[:500]


def test_figures_never_use_pyplot():
    source = inspect.getsource(figures)
    assert "pyplot" not in source.replace("no pyplot", "").replace("pyplot-free", "").replace(
        "never pyplot", "").replace("touches pyplot", "")


@pytest.mark.parametrize("value, text", [(0, "USD 0"), (950, "USD 950"), (12_000, "USD 12k"),
                                         (2.5e6, "USD 2.5M"), (3e9, "USD 3B")])
def test_money_text(value, text):
    assert figures.money_text(value, "USD") == text


def test_null_series_values_are_nan(owned_report):
    report = dict(owned_report, series=dict(owned_report["series"]))
    report["series"]["total"] = [None] * len(report["months"])
    table = tables.monthly_table(report)
    assert all(math.isnan(v) for v in table["Total cost (USD)"])
