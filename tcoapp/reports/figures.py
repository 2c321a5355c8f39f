"""The figures of a report, drawn onto a given :class:`matplotlib.figure.Figure`.

One figure builder for every place a chart appears: the GUI hosts these
functions in a ``FigureCanvasQTAgg`` (and redraws with ``draw_idle()``), the
exports render the same functions through Agg with :func:`render`. Nothing here
touches pyplot, so no global figure state leaks.

Each ``draw_*`` function clears the figure and draws into it; ``report`` is the
``tcoapp-report`` document of :func:`tcoapp.reports.report.build_report`.

>>> from matplotlib.figure import Figure
>>> fig = Figure()
>>> report = {"currency": "USD", "months": ["2026-01", "2026-02"], "summary": {"crossover_month": None},
...           "series": {k: [1.0, 2.0] for k in ("training", "inference", "chips", "training_compute",
...           "training_fixed", "inference_compute", "inference_energy", "inference_facility", "inference_ops")},
...           "yearly": {}}
>>> draw_cumulative(fig, report).get_title()
'Cumulative training and inference cost'
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

from .tables import COST_CATEGORIES, SERIES_LABELS

#: Colours: training in blues, inference in warm colours (colour-blind safe order).
COLORS = {
    "training_compute": "#1f4e79",
    "training_fixed": "#6fa8dc",
    "inference_compute": "#e69f00",
    "inference_energy": "#d55e00",
    "inference_facility": "#cc79a7",
    "inference_ops": "#999999",
    "training": "#1f4e79",
    "inference": "#e69f00",
    "chips": "#009e73",
    "low": "#0072b2",
    "high": "#d55e00",
    "crossover": "#c00000",
}

_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def money_text(value: float, currency: str) -> str:
    """A short money label for axes: ``USD 12M``, ``EUR 1.5B``, ``USD 350k``.

    >>> money_text(12_000_000, "USD"), money_text(1.5e9, "EUR"), money_text(-350_000, "USD"), money_text(0, "USD")
    ('USD 12M', 'EUR 1.5B', 'USD -350k', 'USD 0')
    """
    magnitude = abs(value)
    for factor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= factor:
            return f"{currency} {value / factor:,.3g}{suffix}"
    return f"{currency} {value:,.3g}" if magnitude else f"{currency} 0"


def number_text(value: float) -> str:
    """A short label for an input value: ``5M``, ``20k``, ``0.35``, ``1,200``.

    >>> number_text(5e6), number_text(20000), number_text(0.35), number_text(1200)
    ('5M', '20k', '0.35', '1,200')
    """
    value = float(value)
    magnitude = abs(value)
    for factor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e4, "k")):
        if magnitude >= factor:
            return f"{value / factor:,.3g}{suffix}" if suffix != "k" else f"{value / 1e3:,.4g}k"
    return f"{value:,.4g}"


def month_text(label: str) -> str:
    """``"2027-03"`` as ``"Mar 2027"``.

    >>> month_text("2027-03")
    'Mar 2027'
    """
    year, month = label.split("-")
    return f"{_MONTH_NAMES[int(month) - 1]} {year}"


def _money_axis(axis, currency: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _pos: money_text(value, currency)))


def _month_axis(ax, months: list[str]) -> None:
    """Calendar labels on a month-index x axis: every January (every 2nd or 4th year on long horizons)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    count = len(months)
    years = max(1, count // 12)
    step = 12 if years <= 8 else 24 if years <= 16 else 48
    first_january = next((i for i, label in enumerate(months) if label.endswith("-01")), 0)
    ticks = list(range(first_january, count, step)) or [0]
    if count > 1 and (years <= 2):
        ticks = list(range(0, count, 3))
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: month_text(months[int(round(value))]) if 0 <= round(value) < count else ""))
    ax.set_xlim(-0.5, count - 0.5)
    ax.set_xlabel("Month")


def _values(series) -> list[float]:
    return [math.nan if v is None else float(v) for v in series]


def _fresh_axes(fig):
    fig.clear()
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return ax


def draw_monthly_cost(fig, report: dict):
    """Monthly cost stacked by category (training compute and fixed, inference compute, energy,
    facility, operations). Returns the axes."""
    ax = _fresh_axes(fig)
    cur = report["currency"]
    months = report["months"]
    edges = [i - 0.5 for i in range(len(months) + 1)]
    bottom = [0.0] * len(months)
    for key in COST_CATEGORIES:
        values = [0.0 if math.isnan(v) else v for v in _values(report["series"][key])]
        if not any(values):
            continue
        top = [b + v for b, v in zip(bottom, values)]
        # one filled staircase per category draws like stacked monthly bars, far faster than 12*years bars
        ax.stairs(top, edges, baseline=bottom, fill=True, color=COLORS[key], label=SERIES_LABELS[key][0],
                  linewidth=0)
        bottom = top
    _month_axis(ax, months)
    _money_axis(ax.yaxis, cur)
    ax.set_ylabel(f"Cost per month ({cur})")
    ax.set_title("Monthly cost by category")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def _cumulative(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += 0.0 if math.isnan(v) else v
        out.append(total)
    return out


def draw_cumulative(fig, report: dict):
    """Cumulative training against cumulative inference cost, the crossover marked and
    labelled with its calendar month. Returns the axes."""
    ax = _fresh_axes(fig)
    cur = report["currency"]
    months = report["months"]
    x = list(range(len(months)))
    training = _cumulative(_values(report["series"]["training"]))
    inference = _cumulative(_values(report["series"]["inference"]))
    ax.plot(x, training, color=COLORS["training"], linewidth=2, label="Training, cumulative")
    ax.plot(x, inference, color=COLORS["inference"], linewidth=2, label="Inference, cumulative")
    crossover = report["summary"].get("crossover_month")
    if crossover is not None and 0 <= int(crossover) < len(months):
        m = int(crossover)
        ax.axvline(m, color=COLORS["crossover"], linestyle="--", linewidth=1)
        ax.plot([m], [inference[m]], "o", color=COLORS["crossover"])
        ax.annotate(f"Inference overtakes training: {month_text(months[m])}", xy=(m, inference[m]),
                    xytext=(8, -14), textcoords="offset points", color=COLORS["crossover"], fontsize="small",
                    ha="left" if m < 0.7 * len(months) else "right")
    else:
        ax.text(0.98, 0.04, "Inference does not overtake training within the horizon", transform=ax.transAxes,
                ha="right", fontsize="small", color="#595959")
    _month_axis(ax, months)
    _money_axis(ax.yaxis, cur)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"Cumulative cost ({cur})")
    ax.set_title("Cumulative training and inference cost")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def draw_yearly(fig, report: dict):
    """Training and inference cost per year, side by side. Returns the axes."""
    ax = _fresh_axes(fig)
    cur = report["currency"]
    months = report["months"]
    training = [0.0 if math.isnan(v) else v for v in _values(report["yearly"]["training"])]
    inference = [0.0 if math.isnan(v) else v for v in _values(report["yearly"]["inference"])]
    years = len(training)
    x = list(range(years))
    width = 0.4
    ax.bar([i - width / 2 for i in x], training, width, color=COLORS["training"], label="Training")
    ax.bar([i + width / 2 for i in x], inference, width, color=COLORS["inference"], label="Inference")
    labels = [f"Year {i + 1}\n{months[12 * i][:4]}" if years <= 10 else f"{months[12 * i][:4]}" for i in x]
    ax.set_xticks(x, labels, fontsize="small" if years <= 10 else "x-small",
                  rotation=0 if years <= 10 else 90)
    _money_axis(ax.yaxis, cur)
    ax.set_xlabel("Year of the programme (calendar year it starts in)")
    ax.set_ylabel(f"Cost per year ({cur})")
    ax.set_title("Yearly cost")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def draw_fleet(fig, report: dict):
    """Inference chips in service each month (owned fleet or rented chips). Returns the axes."""
    ax = _fresh_axes(fig)
    months = report["months"]
    chips = [0.0 if math.isnan(v) else v for v in _values(report["series"]["chips"])]
    x = list(range(len(months)))
    ax.step(x, chips, where="mid", color=COLORS["chips"], linewidth=2, label="Chips in service")
    if not any(chips):
        ax.text(0.5, 0.5, "No inference chips: served through an API", transform=ax.transAxes, ha="center",
                color="#595959")
    _month_axis(ax, months)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    ax.set_ylim(0, max(chips + [1.0]) * 1.05)
    ax.set_ylabel("Inference chips (chips)")
    ax.set_title("Inference chips in service")
    return ax


def draw_tornado(fig, tornado: dict):
    """Tornado: how far the metric moves when each input goes from its low to its high value.

    ``tornado`` is ``{"metric", "metric_label", "unit", "base", "rows": [{"path", "title",
    "low_input", "high_input", "low_metric", "high_metric"}, ...]}`` with the rows sorted by
    swing, largest first. Returns the axes.
    """
    ax = _fresh_axes(fig)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    rows = list(tornado.get("rows", []))
    base = float(tornado["base"])
    unit = str(tornado.get("unit", ""))
    label = str(tornado.get("metric_label", tornado.get("metric", "")))
    y = list(range(len(rows)))
    low = [float(r["low_metric"]) - base for r in rows]
    high = [float(r["high_metric"]) - base for r in rows]
    ax.barh(y, low, left=base, color=COLORS["low"], label="Input at its low value")
    ax.barh(y, high, left=base, color=COLORS["high"], label="Input at its high value")
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(y, [f"{r.get('title', r['path'])}\n{number_text(r['low_input'])} to "
                      f"{number_text(r['high_input'])}" for r in rows], fontsize="small")
    ax.invert_yaxis()  # largest swing on top
    money = len(unit) == 3 and unit.isalpha() and unit.isupper()
    if money:
        _money_axis(ax.xaxis, unit)
    ax.set_xlabel(f"{label} ({unit})" if unit else label)
    ax.set_title(f"Sensitivity of {label}" + (f" (base {money_text(base, unit)})" if money else ""))
    if rows:
        ax.legend(loc="lower right", fontsize="small", frameon=False)
    return ax


#: The report figures by file stem, in the order exports write them.
REPORT_FIGURES: dict[str, Callable] = {
    "monthly-cost": draw_monthly_cost,
    "cumulative": draw_cumulative,
    "yearly": draw_yearly,
    "fleet": draw_fleet,
}


def render(fig_fn: Callable, data, path, size=(8, 5), dpi: int = 100, format: str | None = None) -> Path:
    """Draw ``fig_fn(fig, data)`` on a new Agg figure and save it to ``path``.

    The format is ``format`` or the file's suffix (``.png``, ``.svg``, ``.pdf``).
    At the default size and dpi a PNG is 800 x 500 pixels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    fig_fn(fig, data)
    path = Path(path)
    fig.savefig(path, format=format or path.suffix.lstrip(".").lower() or "png", dpi=dpi)
    return path


__all__ = ["draw_monthly_cost", "draw_cumulative", "draw_yearly", "draw_fleet", "draw_tornado", "render",
           "money_text", "number_text", "month_text", "REPORT_FIGURES", "COLORS"]
