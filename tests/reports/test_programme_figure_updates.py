"""Programme charts updated in place draw exactly what a fresh build draws (the programme window moves their
artists on each edit instead of rebuilding them), and they show the report's numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tcoapp.paths import samples_dir
from tcoapp.reports import programme_figures as pf
from tcoapp.reports.programme_report import build_programme_report
from tcoapp.scenario.programme import evaluate_programme, programme_from_dict

SAMPLE = samples_dir() / "company-programme.tco"
CHARTS = [pf.WorkloadCostChart, pf.CumulativeSplitChart, pf.IdleCapacityChart, pf.InferenceShareChart]


def report(edit=None) -> dict:
    data = json.loads(SAMPLE.read_text())
    if edit:
        edit(data)
    programme = programme_from_dict(data)
    return build_programme_report(programme, evaluate_programme(programme))


def pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def new_figure() -> Figure:
    fig = Figure(figsize=(7, 3), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _growth(value):
    return lambda d: d["workloads"][1]["inference"].__setitem__("annual_growth", value)


def _traffic(value):
    return lambda d: d["workloads"][2]["inference"].__setitem__("requests_per_day", value)


STEPS = [None, _growth(0.41), _traffic(4_000_000), _traffic(100_000), _growth(0.9)]


@pytest.mark.parametrize("chart_class", CHARTS, ids=lambda c: c.__name__)
def test_update_draws_what_a_fresh_build_draws(chart_class):
    reports = [report(step) for step in STEPS]
    chart = chart_class()
    updated = new_figure()
    chart.build(updated, reports[0])
    pixels(updated)
    for later in reports[1:]:
        assert chart.update(later), "same workloads and months: an update, not a build"
        fresh = new_figure()
        chart_class().build(fresh, later)
        assert np.array_equal(pixels(updated), pixels(fresh))


def test_a_new_workload_or_idle_capacity_needs_a_build():
    chart = pf.WorkloadCostChart()
    chart.build(new_figure(), report())
    assert not chart.update(report(lambda d: d["workloads"].append(dict(d["workloads"][3], name="Another"))))
    gap = report(lambda d: d["workloads"][1]["training"].__setitem__("start_month", 30))  # v2 later: idle months
    assert any(gap["series"]["inference_unallocated"])
    assert not chart.update(gap)


def test_stacks_and_lines_are_the_reports_numbers():
    # Assistant v2 launched six months late: the shared H100 servers stand idle between the two generations
    r = report(lambda d: d["workloads"][1]["training"].__setitem__("start_month", 30))
    idle = [0.0 if v is None else v for v in r["series"]["inference_unallocated"]]
    assert sum(idle) > 0
    cost = pf.WorkloadCostChart()
    cost.build(new_figure(), r)
    top = cost.moving_artists()[-1]
    assert list(top.get_data().values) == pytest.approx([0.0 if v is None else v for v in r["series"]["total"]],
                                                         rel=1e-9)
    assert top.get_label() == pf.IDLE_LABEL
    chart = pf.IdleCapacityChart()
    chart.build(new_figure(), r)
    assert list(chart.axes[0].lines[0].get_ydata()) == idle
    assert chart._total.get_text().startswith(f"Over the horizon: {pf.money_text(sum(idle), 'USD')}")
    share = pf.InferenceShareChart()
    share.build(new_figure(), r)
    y = r["yearly"]
    assert list(share._line.get_ydata()) == pytest.approx([100 * i / t for i, t in zip(y["inference"], y["total"])])
    assert [label.get_text() for label in share._labels] == [f"{100 * i / t:.0f} %"
                                                             for i, t in zip(y["inference"], y["total"])]
