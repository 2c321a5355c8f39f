"""Report charts updated in place draw exactly what a fresh build draws; the crossover label stays inside."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tcoapp.paths import sample_files
from tcoapp.reports import figures
from tcoapp.reports.report import build_report
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values

SIZES = [(4.03, 2.48), (8, 5)]  # the GUI's overview panel, the exports


def sample_report(name: str, **values) -> dict:
    scenario = load_scenario(next(p for p in sample_files() if p.name == name))
    if values:
        scenario = with_values(scenario, values)
    return build_report(scenario, evaluate(scenario))


def pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def new_figure(size) -> Figure:
    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)
    return fig


OWNED = "chat-assistant-owned-h100.tco"
# (first report, reports it updates to): small steps, large rescales, an early crossover
SEQUENCES = {
    "owned": (OWNED, [{}, {"inference.requests_per_day": 10_100_000}, {"inference.requests_per_day": 45_000_000},
                      {"inference.requests_per_day": 4_000_000}, {"inference.annual_growth": 0.9}]),
    "reasoning": ("reasoning-model-long-thinking.tco",
                  [{}, {"inference.requests_per_day": 800_000}, {"inference.requests_per_day": 150_000}]),
}


@pytest.mark.parametrize("size", SIZES, ids=["gui", "export"])
@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
@pytest.mark.parametrize("stem", sorted(figures.REPORT_CHARTS))
def test_update_draws_what_a_fresh_build_draws(stem, sequence, size):
    name, steps = SEQUENCES[sequence]
    reports = [sample_report(name, **values) for values in steps]
    chart_class = figures.REPORT_CHARTS[stem]
    chart = chart_class()
    updated = new_figure(size)
    chart.build(updated, reports[0])
    pixels(updated)
    for report in reports[1:]:
        if not chart.update(report):
            assert chart.shape(report) != chart.shape(reports[0])
            chart.build(updated, report)
        fresh = new_figure(size)
        chart_class().build(fresh, report)
        assert np.array_equal(pixels(updated), pixels(fresh)), (stem, report["summary"]["total_cost"])


def test_draw_functions_are_fresh_builds():
    report = sample_report(OWNED)
    for stem, draw in figures.REPORT_FIGURES.items():
        by_function, by_class = new_figure((8, 5)), new_figure((8, 5))
        draw(by_function, report)
        figures.REPORT_CHARTS[stem]().build(by_class, report)
        assert np.array_equal(pixels(by_function), pixels(by_class)), stem


def test_update_refuses_another_shape():
    owned = sample_report(OWNED)
    longer = sample_report(OWNED, horizon_years=6)
    euros = sample_report(OWNED, currency="EUR")
    api = sample_report("deployment-api.tco")
    for stem, chart_class in figures.REPORT_CHARTS.items():
        chart = chart_class()
        assert not chart.update(owned), "nothing built yet"
        chart.build(new_figure((8, 5)), owned)
        assert not chart.update(longer), stem
        assert chart.update(owned), stem
    for stem in ("monthly-cost", "cumulative", "yearly"):
        chart = figures.REPORT_CHARTS[stem]()
        chart.build(new_figure((8, 5)), owned)
        assert not chart.update(euros), stem
    fleet = figures.FleetChart()
    fleet.build(new_figure((8, 5)), owned)
    assert not fleet.update(api)  # no chips: the chart says so instead
    monthly = figures.MonthlyCostChart()
    monthly.build(new_figure((8, 5)), owned)
    assert not monthly.update(api)  # other cost categories, another legend


def test_update_moves_the_artists_and_rescales_y():
    small = sample_report(OWNED)
    large = sample_report(OWNED, **{"inference.requests_per_day": 40_000_000})
    chart = figures.CumulativeChart()
    fig = new_figure((8, 5))
    ax = chart.build(fig, small)
    lines = list(ax.lines)
    top_before = ax.get_ylim()[1]
    assert chart.update(large)
    assert list(ax.lines) == lines and fig.axes == [ax]
    inference = next(line for line in ax.lines if "Inference" in str(line.get_label()))
    assert inference.get_ydata()[-1] == pytest.approx(sum(large["series"]["inference"]))
    assert ax.get_ylim() == (0, figures.nice_top(max(inference.get_ydata())))
    assert ax.get_ylim()[1] > top_before


def test_foreground_artists_are_the_moving_ones_and_what_covers_them():
    report = sample_report(OWNED)
    for stem, chart_class in figures.REPORT_CHARTS.items():
        chart = chart_class()
        ax = chart.build(new_figure((8, 5)), report)
        foreground = chart.foreground_artists()
        assert set(chart.moving_artists()) <= set(foreground), stem
        assert set(ax.spines.values()) <= set(foreground), stem  # drawn over the data
        assert ax.title not in foreground and ax.yaxis not in foreground and ax.xaxis not in foreground
        assert [a.get_zorder() for a in foreground] == sorted(a.get_zorder() for a in foreground)


@pytest.mark.parametrize("values", [
    {},  # crossover in month 6: the case that put the label on the month labels
    {"inference.requests_per_day": 2_000_000},  # crossover in the first months
    {"inference.requests_per_day": 60_000},  # late crossover, high on the curves
    {"inference.annual_growth": 3.0},
])
@pytest.mark.parametrize("size", SIZES, ids=["gui", "export"])
def test_crossover_label_stays_inside_the_axes(values, size):
    report = sample_report("reasoning-model-long-thinking.tco", **values)
    crossover = report["summary"]["crossover_month"]
    if crossover is None:
        pytest.skip("no crossover in this variant")
    fig = new_figure(size)
    ax = figures.draw_cumulative(fig, report)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    label = next(t for t in ax.texts if "Inference overtakes" in t.get_text())
    assert figures.month_text(report["months"][int(crossover)]) in label.get_text()
    box = label.get_window_extent(renderer)
    frame = ax.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    for tick in ax.get_xticklabels():
        if tick.get_text():
            assert not box.overlaps(tick.get_window_extent(renderer)), tick.get_text()


def test_crossover_label_avoids_the_curves_when_there_is_room():
    report = sample_report("reasoning-model-long-thinking.tco")
    fig = new_figure((4.03, 2.48))
    ax = figures.draw_cumulative(fig, report)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    label = next(t for t in ax.texts if "Inference overtakes" in t.get_text())
    box = label.get_window_extent(renderer)
    for line in ax.lines[:2]:
        path = line.get_transform().transform_path(line.get_path())
        assert not path.intersects_bbox(box, filled=False), line.get_label()


def test_nice_top_is_a_round_number_just_above_the_peak():
    for peak in (0.7, 3.3, 9.9, 12.5, 38e6, 47.7e6, 1234.0):
        top = figures.nice_top(peak)
        assert peak * 1.02 <= top <= peak * 1.02 * 1.26
        mantissa = top / 10 ** np.floor(np.log10(top))
        assert round(mantissa, 6) in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
    assert figures.nice_top(0) == figures.nice_top(float("nan")) == 1.0
