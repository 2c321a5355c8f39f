"""Qt-free chart builders and tables of a programme report (methodology section 6).

``report`` is the ``tcoapp-programme-report`` document of
:func:`tcoapp.reports.programme_report.build_programme_report`. Each ``draw_*``
function clears the given :class:`matplotlib.figure.Figure` and draws into it (the
GUI hosts them on a canvas; exports can render them through Agg). Nothing here
touches pyplot.
"""

from __future__ import annotations

import json

from .figures import money_text

#: Workload colours (colour-blind safe order); the idle owned capacity is grey.
WORKLOAD_COLORS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
IDLE_COLOR = "#999999"


def _money_axis(ax, currency: str) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: money_text(v, currency)))


def _values(series) -> list[float]:
    return [0.0 if v is None else float(v) for v in series]


def _cumulative(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


def _month_ticks(ax, months: list[str]) -> None:
    ticks = [i for i, m in enumerate(months) if m.endswith("-01")] or [0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([months[i][:4] for i in ticks])


def draw_cost_by_workload(fig, report: dict):
    """Stacked monthly cost (training + inference) by workload, with the idle owned capacity on top."""
    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    months = report["months"]
    x = list(range(len(months)))
    stacks, labels, colors = [], [], []
    for i, (name, item) in enumerate(report["workloads"].items()):
        stacks.append(_values(item["series"]["total"]))
        labels.append(name)
        colors.append(WORKLOAD_COLORS[i % len(WORKLOAD_COLORS)])
    idle = _values(report["series"]["inference_unallocated"])
    stacks.append(idle)
    labels.append("Idle owned capacity (unallocated)")
    colors.append(IDLE_COLOR)
    ax.stackplot(x, *stacks, labels=labels, colors=colors, linewidth=0)
    ax.set_title("Cost per month by workload")
    _money_axis(ax, report["currency"])
    _month_ticks(ax, months)
    ax.margins(x=0)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def draw_cumulative_split(fig, report: dict):
    """Cumulative training and inference cost, each stacked by workload (two panels)."""
    fig.clear()
    months = report["months"]
    x = list(range(len(months)))
    axes = []
    for col, (key, title) in enumerate((("training", "Cumulative training cost"),
                                        ("inference", "Cumulative inference cost"))):
        ax = fig.add_subplot(1, 2, col + 1)
        stacks, labels, colors = [], [], []
        for i, (name, item) in enumerate(report["workloads"].items()):
            stacks.append(_cumulative(_values(item["series"][key])))
            labels.append(name)
            colors.append(WORKLOAD_COLORS[i % len(WORKLOAD_COLORS)])
        if key == "inference":
            stacks.append(_cumulative(_values(report["series"]["inference_unallocated"])))
            labels.append("Idle owned capacity")
            colors.append(IDLE_COLOR)
        ax.stackplot(x, *stacks, labels=labels, colors=colors, linewidth=0)
        ax.set_title(title)
        _money_axis(ax, report["currency"])
        _month_ticks(ax, months)
        ax.margins(x=0)
        ax.grid(axis="y", alpha=0.3)
        axes.append(ax)
    axes[1].legend(loc="upper left", fontsize="small", frameon=False)
    fig.subplots_adjust(wspace=0.55)  # room for the right panel's money labels
    return axes


def draw_idle_capacity(fig, report: dict):
    """The idle owned capacity (``inference_unallocated``) per month."""
    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    idle = _values(report["series"]["inference_unallocated"])
    ax.plot(range(len(idle)), idle, color=IDLE_COLOR, linewidth=2)
    ax.set_title("Idle owned capacity (cost not allocated to any workload)")
    _money_axis(ax, report["currency"])
    _month_ticks(ax, report["months"])
    ax.margins(x=0)
    ax.grid(axis="y", alpha=0.3)
    return ax


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


def draw_inference_share(fig, report: dict, industry: list[dict] | None = None):
    """The programme's inference share per year beside the industry figures."""
    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    ours = [r for r in yearly_inference_share(report) if r["share"] is not None]
    ax.plot([r["calendar_year"] for r in ours], [100 * r["share"] for r in ours], "o-", color="#0072b2",
            label="This programme (inference share of cost)")
    industry = industry_inference_share() if industry is None else industry
    if industry:
        ax.plot([r["year"] for r in industry], [100 * r["share"] for r in industry], "s--", color="#d55e00",
                label="Industry: inference share of AI compute")
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title("Inference share per year")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    return ax


#: The budget table's money columns (``budget_rows`` keys) and titles.
BUDGET_COLUMNS = (("training", "Training"), ("inference", "Inference"), ("capex", "Capex"),
                  ("opex", "Opex"), ("cash", "Cash"))
