"""Qt-free chart builders and tables of a programme report (methodology section 6).

``report`` is the ``tcoapp-programme-report`` document of
:func:`tcoapp.reports.programme_report.build_programme_report`. The four charts are
:class:`~tcoapp.reports.figures.ReportChart` classes, as the scenario's are: ``build``
draws from scratch, ``update`` moves the built artists to another report of the same
shape (same months, currency, workloads), so the programme window follows an edit
without rebuilding the figure (and can blit: :class:`tcoapp.gui.charts.panel.ChartPanel`).
Value axes start at zero and end at :func:`~tcoapp.reports.figures.nice_top` of the data,
so a small edit rarely rescales them. Each ``draw_*`` function clears the given
:class:`matplotlib.figure.Figure` and builds its chart (exports can render them through Agg).
Nothing here touches pyplot.
"""

from __future__ import annotations

import json
import math

from .figures import ReportChart, _legend, _money_axis, _month_axis, _value_ticks, money_text, nice_top

#: Workload colours (colour-blind safe order); the idle owned capacity is grey.
WORKLOAD_COLORS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
IDLE_COLOR = "#999999"
IDLE_LABEL = "Idle owned capacity"
INDUSTRY_COLOR = "#d55e00"


def _values(series) -> list[float]:
    return [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in series]


def _cumulative(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


def _has_idle(report: dict) -> bool:
    return any(_values(report["series"]["inference_unallocated"]))


class _PanelsChart(ReportChart):
    """A ReportChart on one or more side-by-side (``columns``) or stacked (``rows``) axes."""

    rows, columns = 1, 1

    def shape(self, report: dict) -> tuple:
        return (report["currency"], tuple(report["months"]), tuple(report["workloads"]))

    def build(self, fig, report: dict):
        fig.clear()
        fig.set_layout_engine("constrained")
        self.figure = fig
        self.axes = [fig.add_subplot(self.rows, self.columns, i + 1) for i in range(self.rows * self.columns)]
        for ax in self.axes:
            ax.grid(axis="y", alpha=0.3)
            ax.set_axisbelow(True)
        self.ax = self.axes[0]
        self._shape = self.shape(report)
        self._create(report)
        self._apply(report)
        return self.ax if len(self.axes) == 1 else self.axes

    def update(self, report: dict) -> bool:
        if self.ax is None or any(ax not in self.figure.axes for ax in self.axes) or self.shape(report) != self._shape:
            return False
        self._apply(report)
        for ax in self.axes:
            ax.stale = True
        return True

    def foreground_artists(self) -> list:
        """Per axes, as :meth:`ReportChart.foreground_artists` gives them for one: the moving artists and
        everything drawn over them inside those axes, in drawing order."""
        from matplotlib.text import Text

        moving = self.moving_artists()
        out = []
        for ax in self.axes:
            mine = [a for a in moving if a.axes is ax]
            if not mine:
                continue
            lowest = min(a.get_zorder() for a in mine)
            children = ax.get_children()
            texts = set(ax.texts)
            outside = {ax.patch, ax.xaxis, ax.yaxis} | {a for a in children if isinstance(a, Text) and a not in texts}
            out.extend(a for a in sorted(children, key=lambda a: a.get_zorder())
                       if a.get_zorder() >= lowest and a not in outside)
        return out

    def moving_artists(self) -> list:
        raise NotImplementedError

    def _create(self, report: dict) -> None:  # noqa: D102 - one argument: the axes are self.axes
        raise NotImplementedError


def _stacked_stairs(ax, count: int, names: list[str], colors: list[str]) -> tuple[list, list]:
    edges = [i - 0.5 for i in range(count + 1)]
    zeros = [0.0] * count
    stairs = [ax.stairs(zeros, edges, baseline=zeros, fill=True, color=color, label=name, linewidth=0)
              for name, color in zip(names, colors)]
    return stairs, edges


def _stack(stairs: list, edges: list, layers: list[list[float]], count: int) -> float:
    bottom = [0.0] * count
    for artist, values in zip(stairs, layers):
        top = [b + v for b, v in zip(bottom, values)]
        artist.set_data(top, edges, baseline=bottom)
        bottom = top
    return max(bottom, default=0.0)


def _workload_layers(report: dict, key: str) -> tuple[list[str], list[str], list[list[float]]]:
    names, colors, layers = [], [], []
    for i, (name, item) in enumerate(report["workloads"].items()):
        names.append(name)
        colors.append(WORKLOAD_COLORS[i % len(WORKLOAD_COLORS)])
        layers.append(_values(item["series"][key]))
    return names, colors, layers


class WorkloadCostChart(_PanelsChart):
    """Cost per month (training + inference), stacked by workload, the idle owned capacity (if any) on top."""

    def shape(self, report: dict) -> tuple:
        return super().shape(report) + (_has_idle(report),)

    def _create(self, report: dict) -> None:
        ax, cur, months = self.ax, report["currency"], report["months"]
        names, colors, _ = _workload_layers(report, "total")
        idle = _has_idle(report)
        self._stairs, self._edges = _stacked_stairs(ax, len(months), names + [IDLE_LABEL] * idle,
                                                    colors + [IDLE_COLOR] * idle)
        _month_axis(ax, months)
        ax.set_xlabel("")
        _money_axis(ax.yaxis, cur)
        _value_ticks(ax.yaxis)
        ax.set_ylabel(f"Per month ({cur})")
        ax.set_title("Cost per month by workload (training and inference)")
        _legend(ax)

    def _apply(self, report: dict) -> None:
        _, _, layers = _workload_layers(report, "total")
        layers.append(_values(report["series"]["inference_unallocated"]))  # no artist for it when all zero
        peak = _stack(self._stairs, self._edges, layers, len(report["months"]))
        self.ax.set_ylim(0, nice_top(peak))

    def moving_artists(self) -> list:
        return list(self._stairs)


def _every_other_year(ax) -> None:
    """Keep every second of more than three calendar labels ("Jan 2026", "Jan 2028", ...): beside another
    panel, five of them ran into one another ("Jan 2026Jan 2027") at 1280x800."""
    from matplotlib.ticker import FixedLocator

    ticks = list(ax.xaxis.get_major_locator().locs)
    if len(ticks) > 3:
        ax.xaxis.set_major_locator(FixedLocator(ticks[::2]))


class CumulativeSplitChart(_PanelsChart):
    """Cumulative training and cumulative inference cost, each stacked by workload (two panels); the idle
    owned capacity (if any) on top of the inference."""

    columns = 2

    def shape(self, report: dict) -> tuple:
        return super().shape(report) + (_has_idle(report),)

    def _create(self, report: dict) -> None:
        cur, months = report["currency"], report["months"]
        names, colors, _ = _workload_layers(report, "training")
        self._stairs = []
        for ax, title, idle in ((self.axes[0], "Cumulative training cost", False),
                                (self.axes[1], "Cumulative inference cost", _has_idle(report))):
            stairs, self._edges = _stacked_stairs(ax, len(months), names + ([IDLE_LABEL] if idle else []),
                                                  colors + ([IDLE_COLOR] if idle else []))
            self._stairs.append(stairs)
            _month_axis(ax, months)
            _every_other_year(ax)  # two panels side by side: half a chart's width for each year's label
            ax.set_xlabel("")
            _money_axis(ax.yaxis, cur)
            _value_ticks(ax.yaxis)
            ax.set_title(title)
        self.axes[0].set_ylabel(f"Cumulative ({cur})")
        _legend(self.axes[1])  # the inference panel has every workload and the idle capacity

    def _apply(self, report: dict) -> None:
        count = len(report["months"])
        for ax, stairs, key in zip(self.axes, self._stairs, ("training", "inference")):
            _, _, layers = _workload_layers(report, key)
            if key == "inference":
                layers.append(_values(report["series"]["inference_unallocated"]))
            peak = _stack(stairs, self._edges, [_cumulative(v) for v in layers], count)
            ax.set_ylim(0, nice_top(peak))

    def moving_artists(self) -> list:
        return [artist for stairs in self._stairs for artist in stairs]


class IdleCapacityChart(_PanelsChart):
    """Top: the idle owned capacity per month (``inference_unallocated``: cost no workload needed that month),
    its total over the horizon written in. Bottom: inference chips in service against the chips the
    traffic requires (methodology 4.3); the gap is capacity paid for beyond the month's need."""

    rows = 2

    def shape(self, report: dict) -> tuple:
        return super().shape(report) + (_has_idle(report),)

    def _create(self, report: dict) -> None:
        cur, months = report["currency"], report["months"]
        x = list(range(len(months)))
        top, bottom = self.axes
        (self._idle,) = top.plot(x, [0.0] * len(x), drawstyle="steps-mid", color="#595959", linewidth=2,
                                 label=IDLE_LABEL)
        self._total = top.text(0.01, 0.95, "", transform=top.transAxes, ha="left", va="top", fontsize="small")
        self._total.set_in_layout(False)
        _money_axis(top.yaxis, cur)
        _value_ticks(top.yaxis)
        if not _has_idle(report):
            top.text(0.5, 0.5, "No idle owned capacity: in every month some workload needs\n"
                     "the owned servers installed (see the chips below)", transform=top.transAxes,
                     ha="center", va="center", color="#595959").set_in_layout(False)
            top.set_yticks([0])
        top.set_title("Idle owned capacity: cost of owned servers in months no workload needs them")
        top.set_ylabel(f"Per month ({cur})")
        self._edges = [i - 0.5 for i in range(len(months) + 1)]
        self._in_service = bottom.stairs([0.0] * len(x), self._edges, fill=True, color="#f2c56b", linewidth=0,
                                         label="Chips in service (owned and rented)")
        (self._required,) = bottom.plot(x, [0.0] * len(x), drawstyle="steps-mid", color="#0072b2", linewidth=1.5,
                                        label="Chips the traffic requires (the gap: paid for, not needed)")
        bottom.set_title("Inference chips in service and chips the traffic requires")
        from matplotlib.ticker import FuncFormatter

        _value_ticks(bottom.yaxis, integer=True)
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        bottom.set_ylabel("Chips")
        for ax in self.axes:
            _month_axis(ax, months)
            ax.set_xlabel("")
        bottom.legend(loc="upper left", fontsize="small", frameon=False)

    def _apply(self, report: dict) -> None:
        cur = report["currency"]
        idle = _values(report["series"]["inference_unallocated"])
        self._idle.set_ydata(idle)
        total = sum(idle)
        inference = sum(_values(report["series"]["inference"]))
        self._total.set_text("" if not total else f"Over the horizon: {money_text(total, cur)}"
                             + (f" ({100 * total / inference:.1f} % of the inference cost)" if inference else ""))
        self.axes[0].set_ylim(0, nice_top(max(idle, default=0.0)))
        required = _values(report["series"]["required"])
        chips = _values(report["series"]["chips"])
        self._required.set_ydata(required)
        self._in_service.set_data(chips, self._edges)
        self.axes[1].set_ylim(0, nice_top(max(chips + required, default=0.0)))

    def moving_artists(self) -> list:
        return [self._idle, self._total, self._required, self._in_service]

    def widest_value_label(self) -> str:
        return f"{self._shape[0]} 88.8M"  # wider than any chip count label up to 99,999


def yearly_inference_share(report: dict) -> list[dict]:
    """The programme's inference share of cost per year: ``[{year, calendar_year, share}]`` (share None when
    the year costs nothing)."""
    y = report["yearly"]
    first = int(report["months"][0][:4])
    out = []
    for i, total in enumerate(y["total"]):
        inference = y["inference"][i]
        share = None if not total or inference is None else inference / total
        out.append({"year": i + 1, "calendar_year": first + i, "share": share})
    return out


def industry_inference_share() -> list[dict]:
    """The industry figures of the inference share of AI compute, with their sources (resources/industry.json)."""
    from ..paths import resource_file

    with open(resource_file("industry.json"), encoding="utf-8") as handle:
        return list(json.load(handle).get("inference_share", []))


class InferenceShareChart(_PanelsChart):
    """The programme's inference share of cost per calendar year, beside the industry figures
    (inference share of AI compute, resources/industry.json), each point labelled."""

    def __init__(self, industry: list[dict] | None = None) -> None:
        super().__init__()
        self._industry = industry

    def _years(self, report: dict) -> tuple:
        return tuple(r["calendar_year"] for r in yearly_inference_share(report) if r["share"] is not None)

    def shape(self, report: dict) -> tuple:
        return (tuple(report["months"]), self._years(report))

    def _create(self, report: dict) -> None:
        ax = self.ax
        industry = industry_inference_share() if self._industry is None else self._industry
        years = self._years(report)
        self._line, = ax.plot(years, [0.0] * len(years), "o-", color="#0072b2",
                              label="This programme: inference share of its cost")
        self._labels = [ax.annotate("", (year, 0.0), xytext=(0, 6), textcoords="offset points", ha="center",
                                    fontsize="small", color="#0072b2") for year in years]
        for label in self._labels:
            label.set_in_layout(False)
        if industry:
            xs, ys = [r["year"] for r in industry], [100 * r["share"] for r in industry]
            ax.plot(xs, ys, "s--", color=INDUSTRY_COLOR, label="Industry: inference share of AI compute (Deloitte)")
            for x, y in zip(xs, ys):
                ax.annotate(f"{y:.0f} %", (x, y), xytext=(0, -13), textcoords="offset points", ha="center",
                            fontsize="small", color=INDUSTRY_COLOR).set_in_layout(False)
        shown = set(years) | {r["year"] for r in industry}
        every = list(range(min(shown), max(shown) + 1)) if shown else []
        if every:
            ax.set_xticks(every, [str(y) for y in every])
            ax.set_xlim(every[0] - 0.5, every[-1] + 0.5)
        ax.set_ylim(0, 110)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_ylabel("Inference share (%)")
        ax.set_title("Inference share per year")
        _legend(ax)

    def _apply(self, report: dict) -> None:
        shares = [100 * r["share"] for r in yearly_inference_share(report) if r["share"] is not None]
        self._line.set_ydata(shares)
        for i, (label, year, share) in enumerate(zip(self._labels, self._years(report), shares)):
            label.xy = (year, share)
            label.set_text(f"{share:.0f} %")
            neighbours = shares[max(i - 1, 0):i] + shares[i + 1:i + 2]
            valley = bool(neighbours) and share < min(neighbours)
            label.xyann = (0, -13) if valley else (0, 6)  # below a valley, above otherwise: off the line

    def moving_artists(self) -> list:
        return [self._line, *self._labels]

    def widest_value_label(self) -> str:
        return "100"


def draw_cost_by_workload(fig, report: dict):
    """Stacked monthly cost (training + inference) by workload, with the idle owned capacity on top."""
    return WorkloadCostChart().build(fig, report)


def draw_cumulative_split(fig, report: dict):
    """Cumulative training and inference cost, each stacked by workload (two panels)."""
    return CumulativeSplitChart().build(fig, report)


def draw_idle_capacity(fig, report: dict):
    """The idle owned capacity per month, and chips in service against chips required."""
    return IdleCapacityChart().build(fig, report)


def draw_inference_share(fig, report: dict, industry: list[dict] | None = None):
    """The programme's inference share per year beside the industry figures."""
    return InferenceShareChart(industry).build(fig, report)


#: The budget table's money columns (``budget_rows`` keys) and titles.
BUDGET_COLUMNS = (("training", "Training"), ("inference", "Inference"), ("capex", "Capex"),
                  ("opex", "Opex"), ("cash", "Cash"))
