"""The report of one scenario: the JSON document and the readable summary.

Qt-free and pandas-free, so the CLI starts fast. Labels and units of the
summary keys come from :mod:`tcoapp.scenario.outputs`.
"""

from __future__ import annotations

import math

from ..engine import SERIES, SUMMARY, Result, months_label
from ..scenario.outputs import MONEY_KEYS, MONTH_KEYS, SHARE_KEYS, SUMMARY_LABELS, json_number

REPORT_FORMAT = "tcoapp-report"
REPORT_VERSION = 1

def build_report(scenario, result: Result, index: int = 0) -> dict:
    """The ``tcoapp-report`` JSON document of scenario ``index`` of a result.

    Keys: format, version, scenario, currency, months (``YYYY-MM``), series
    (every docs/methodology.md series), summary (every key; null where undefined), yearly.
    """
    yearly = result.yearly
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "scenario": scenario.name,
        "currency": scenario.currency,
        "months": months_label(scenario.start_month, result.months),
        "series": {k: [json_number(v) for v in result.series[k][index]] for k in SERIES},
        "summary": {k: json_number(result.summary[k][index]) for k in SUMMARY},
        "yearly": {k: [json_number(v) for v in yearly[k][index]] for k in SERIES},
    }


def format_money(value, currency: str) -> str:
    """Money with thousands separators; cents below 100; four significant digits below 1
    (never in scientific notation: a cost per request is often a fraction of a cent).

    >>> format_money(12345678.9, "USD"), format_money(0.0123, "EUR"), format_money(None, "USD")
    ('USD 12,345,679', 'EUR 0.0123', '—')
    >>> format_money(6.574e-05, "EUR"), format_money(-0.5, "USD"), format_money(0.0, "USD")
    ('EUR 0.00006574', 'USD -0.5', 'USD 0')
    """
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{currency} {value:,.0f}"
    if abs(value) >= 1:
        return f"{currency} {value:,.2f}"
    if value == 0:
        return f"{currency} 0"
    decimals = min(20, 3 - math.floor(math.log10(abs(value))))
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{currency} {'0' if text == '-0' else text}"


def format_share(value) -> str:
    """A share as a percentage.

    >>> format_share(0.6667), format_share(None)
    ('66.7 %', '—')
    """
    return "—" if value is None else f"{100 * value:.1f} %"


def format_month(index, start_month: str, none_text: str = "not within the horizon") -> str:
    """A month index as a calendar month with its index.

    >>> format_month(14, "2026-01"), format_month(None, "2026-01")
    ('Mar 2027 (month 14)', 'not within the horizon')
    """
    if index is None:
        return none_text
    label = months_label(start_month, int(index) + 1)[-1]
    year, month = label.split("-")
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{names[int(month) - 1]} {year} (month {int(index)})"


def format_value(key: str, value, currency: str, start_month: str) -> str:
    """One summary value formatted with its unit."""
    if key in MONEY_KEYS:
        return format_money(value, currency)
    if key in SHARE_KEYS:
        return format_share(value)
    if key in MONTH_KEYS:
        return format_month(value, start_month)
    if value is None:
        return "—"
    unit = SUMMARY_LABELS[key][1]
    return f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:,.4g} {unit}"


def table_cell(value, width: int) -> str:
    """A whole number right-aligned in ``width`` with thousands separators; a null (a figure beyond double
    precision in the report document) reads "-".

    >>> table_cell(1234.5, 8), table_cell(None, 3)
    ('   1,234', '  -')
    """
    return f"{value:>{width},.0f}" if value is not None else f"{'-':>{width}}"


def format_summary(report: dict, start_month: str) -> str:
    """The readable text summary of a report document."""
    cur = report["currency"]
    lines = [f"{report['scenario'] or '(unnamed scenario)'}  —  {report['months'][0]} to "
             f"{report['months'][-1]}, amounts in {cur}", ""]
    width = max(len(label) for label, _ in SUMMARY_LABELS.values())
    for key in SUMMARY:
        label = SUMMARY_LABELS[key][0]
        lines.append(f"  {label:<{width}}  {format_value(key, report['summary'][key], cur, start_month)}")
    lines.append("")
    lines.append("  Year        Training        Inference            Total   Peak chips")
    y = report["yearly"]
    for i in range(len(y["total"])):
        lines.append(f"  {i + 1:>4}  {table_cell(y['training'][i], 14)}  {table_cell(y['inference'][i], 15)}  "
                     f"{table_cell(y['total'][i], 15)}  {table_cell(y['chips'][i], 11)}")
    return "\n".join(lines)
