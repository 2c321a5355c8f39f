"""The programme report: JSON document, readable summary and CSV tables (methodology section 6).

``build_programme_report`` gives ``series``, ``summary`` and ``yearly`` for the
programme (with ``inference_unallocated``, the idle owned capacity) and
``workloads``: an object keyed by workload name, each with its own ``series``,
``summary`` and ``yearly``.
"""

from __future__ import annotations

from pathlib import Path

from ..engine import SERIES, SUMMARY, months_label, yearly
from ..engine.programme import PROGRAMME_SUMMARY, ProgrammeResult
from ..scenario.outputs import SUMMARY_LABELS, json_number
from .report import format_share, format_value, table_cell

PROGRAMME_REPORT_FORMAT = "tcoapp-programme-report"
PROGRAMME_REPORT_VERSION = 1
#: The programme's series: section 5's, the idle owned capacity and the chips the traffic requires
#: (4.3, before whole servers and the never-sell rule; what the pools are bought for).
PROGRAMME_SERIES = SERIES + ("inference_unallocated", "required")
WORKLOAD_SERIES = SERIES + ("required",)
#: Yearly figures (``required`` has none: a sum of chip needs over months means nothing).
YEARLY_SERIES = SERIES + ("inference_unallocated",)


def _numbers(values) -> list:
    return [json_number(v) for v in values]


def build_programme_report(programme, result: ProgrammeResult, variant: int = 0) -> dict:
    """The ``tcoapp-programme-report`` JSON document of one variant of a programme result."""
    M = result.months
    prog_yearly = yearly({k: result.series[k][variant:variant + 1] for k in YEARLY_SERIES})
    workloads = {}
    for w, name in enumerate(programme.names):
        one = result.workload(variant, w)
        one_yearly = one.yearly
        workloads[name] = {
            "series": {k: _numbers(one.series[k][0]) for k in WORKLOAD_SERIES},
            "summary": {k: json_number(one.summary[k][0]) for k in SUMMARY},
            "yearly": {k: _numbers(one_yearly[k][0]) for k in SERIES},
        }
    return {
        "format": PROGRAMME_REPORT_FORMAT,
        "version": PROGRAMME_REPORT_VERSION,
        "programme": programme.name,
        "currency": programme.currency,
        "shared_fleets": programme.shared_fleets,
        "months": months_label(programme.start_month, M),
        "series": {k: _numbers(result.series[k][variant]) for k in PROGRAMME_SERIES},
        # every section 5 key; the per-workload ones (training_chips, replica figures) are null here
        "summary": {k: json_number(result.summary[k][variant]) if k in PROGRAMME_SUMMARY else None
                    for k in SUMMARY},
        "yearly": {k: _numbers(prog_yearly[k][0]) for k in YEARLY_SERIES},
        "workloads": workloads,
    }


def budget_rows(report: dict) -> list[dict]:
    """The budget by year and workload: training, inference, capex, opex (cash less capex), cash, and the idle
    owned capacity as its own row."""
    rows = []
    years = len(report["yearly"]["total"])
    for y in range(years):
        for name, item in report["workloads"].items():
            yr = item["yearly"]
            rows.append({"year": y + 1, "workload": name, "training": yr["training"][y],
                         "inference": yr["inference"][y], "capex": yr["capex"][y],
                         "opex": _minus(yr["cash_total"][y], yr["capex"][y]), "cash": yr["cash_total"][y],
                         "total": yr["total"][y]})
        # the idle owned capacity: what the programme pays beyond its workloads' allocated shares
        idle_capex = _beyond_workloads(report, "capex", y)
        idle_cash = _beyond_workloads(report, "cash_total", y)
        rows.append({"year": y + 1, "workload": "(idle owned capacity)", "training": 0.0,
                     "inference": report["yearly"]["inference_unallocated"][y], "capex": idle_capex,
                     "opex": _minus(idle_cash, idle_capex), "cash": idle_cash,
                     "total": report["yearly"]["inference_unallocated"][y]})
    return rows


def _minus(a, b):
    return None if a is None or b is None else a - b


def _beyond_workloads(report: dict, key: str, y: int):
    """The programme's yearly figure less the sum of its workloads' (the unallocated part)."""
    total = report["yearly"][key][y]
    parts = [item["yearly"][key][y] for item in report["workloads"].values()]
    if total is None or any(p is None for p in parts):
        return None
    return total - sum(parts)


def format_programme_summary(report: dict, start_month: str) -> str:
    """The readable text summary of a programme report."""
    cur = report["currency"]
    lines = [f"{report['programme'] or '(unnamed programme)'}  —  {len(report['workloads'])} workloads, "
             f"{report['months'][0]} to {report['months'][-1]}, amounts in {cur}"
             f"{'' if report['shared_fleets'] else ' (no shared fleets)'}", ""]
    width = max(len(label) for label, _ in SUMMARY_LABELS.values())
    for key in PROGRAMME_SUMMARY:
        lines.append(f"  {SUMMARY_LABELS[key][0]:<{width}}  {format_value(key, report['summary'][key], cur, start_month)}")
    idle = sum(v or 0.0 for v in report["series"]["inference_unallocated"])
    lines.append(f"  {'Idle owned capacity (unallocated)':<{width}}  {format_value('total_cost', idle, cur, start_month)}")
    lines.append("")
    name_width = max([len(n) for n in report["workloads"]] + [8])
    lines.append(f"  {'Workload':<{name_width}}  {'Training':>15}  {'Inference':>15}  {'Total':>15}  {'Inference share':>15}")
    for name, item in report["workloads"].items():
        s = item["summary"]
        share = format_share(s["inference_share"])
        lines.append(f"  {name:<{name_width}}  {table_cell(s['training_cost'], 15)}  {table_cell(s['inference_cost'], 15)}  "
                     f"{table_cell(s['total_cost'], 15)}  {share:>15}")
    lines.append("")
    lines.append("  Year        Training        Inference   of which idle            Total   Inference share")
    y = report["yearly"]
    for i in range(len(y["total"])):
        # the share first, then the percentage: 100 x a cost near 1.8e308 would overflow to "inf %"
        share = ("—" if not y["total"][i] or y["inference"][i] is None
                 else format_share(y["inference"][i] / y["total"][i]))
        lines.append(f"  {i + 1:>4}  {table_cell(y['training'][i], 14)}  {table_cell(y['inference'][i], 15)}  "
                     f"{table_cell(y['inference_unallocated'][i], 14)}  {table_cell(y['total'][i], 15)}  {share:>16}")
    return "\n".join(lines)


def write_programme_csv(folder, report: dict, stem: str) -> list[Path]:
    """``<stem>-monthly.csv`` and ``<stem>-yearly.csv`` (the programme, with the idle-capacity column) and
    ``<stem>-budget.csv`` (year by workload), written atomically into ``folder``."""
    import pandas as pd

    from .export import check_folder_target, write_table_csv
    from .tables import monthly_table, yearly_table

    folder = check_folder_target(folder)
    cur = report["currency"]
    idle_title = f"Idle owned capacity, unallocated ({cur})"
    monthly = monthly_table(report)
    monthly[idle_title] = pd.array(report["series"]["inference_unallocated"], dtype="Float64").astype(float)
    yearly_t = yearly_table(report)
    yearly_t[idle_title] = pd.array(report["yearly"]["inference_unallocated"], dtype="Float64").astype(float)
    budget = pd.DataFrame([{
        "Year": r["year"], "Workload": r["workload"], f"Training ({cur})": r["training"],
        f"Inference ({cur})": r["inference"], f"Capex ({cur})": r["capex"], f"Opex ({cur})": r["opex"],
        f"Cash ({cur})": r["cash"], f"Total ({cur})": r["total"]} for r in budget_rows(report)])
    budget = budget.astype({c: float for c in budget.columns if c not in ("Year", "Workload")})
    return [write_table_csv(folder / f"{stem}-monthly.csv", monthly),
            write_table_csv(folder / f"{stem}-yearly.csv", yearly_t),
            write_table_csv(folder / f"{stem}-budget.csv", budget)]
