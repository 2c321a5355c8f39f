"""The monthly and yearly tables of a report, and the one place that names their columns.

Every table the app shows or writes (the GUI's tables, CSV files, the Excel
workbook's Monthly and Yearly sheets) takes its column titles and units from
:data:`SERIES_LABELS`, so a column is called the same everywhere. The
DataFrames are built from the ``tcoapp-report`` document of
:func:`tcoapp.reports.report.build_report`.

pandas is imported inside the functions: importing this module for the labels
(the Excel writer does) stays cheap.
"""

from __future__ import annotations

from ..engine import SERIES

#: Title, unit and kind of every monthly series (``{cur}`` is the scenario's currency).
#: Kinds: ``money`` (currency), ``count`` (requests, tokens, chips).
SERIES_LABELS: dict[str, tuple[str, str, str]] = {
    "training_compute": ("Training compute", "{cur}", "money"),
    "training_fixed": ("Training fixed costs", "{cur}", "money"),
    "inference_compute": ("Inference compute", "{cur}", "money"),
    "inference_energy": ("Inference energy", "{cur}", "money"),
    "inference_facility": ("Inference facility", "{cur}", "money"),
    "inference_ops": ("Inference operations", "{cur}", "money"),
    "training": ("Training", "{cur}", "money"),
    "inference": ("Inference", "{cur}", "money"),
    "total": ("Total cost", "{cur}", "money"),
    "requests": ("Requests", "requests", "count"),
    "tokens": ("Tokens", "tokens", "count"),
    "chips": ("Inference chips", "chips", "count"),
    "capex": ("Hardware purchases", "{cur}", "money"),
    "depreciation": ("Depreciation", "{cur}", "money"),
    "revenue": ("Revenue", "{cur}", "money"),
    "cash_training": ("Training (cash)", "{cur}", "money"),
    "cash_inference": ("Inference (cash)", "{cur}", "money"),
    "cash_total": ("Total cost (cash)", "{cur}", "money"),
}
assert tuple(SERIES_LABELS) == SERIES, "SERIES_LABELS must follow the engine's SERIES order"

#: The cost categories a month's total is made of, in stacking order.
COST_CATEGORIES = (
    "training_compute", "training_fixed", "inference_compute", "inference_energy",
    "inference_facility", "inference_ops",
)

MONTH_INDEX_COLUMN = "Month index"
MONTH_COLUMN = "Month"
YEAR_COLUMN = "Year"
PERIOD_COLUMN = "Period"


def series_title(key: str, currency: str, *, yearly: bool = False) -> str:
    """Column title of a series with its unit, e.g. ``"Training compute (USD)"``.

    The yearly ``chips`` figure is the year's maximum, and says so.

    >>> series_title("inference_compute", "EUR"), series_title("chips", "EUR", yearly=True)
    ('Inference compute (EUR)', 'Peak inference chips (chips)')
    """
    title, unit, _ = SERIES_LABELS[key]
    if yearly and key == "chips":
        title = "Peak inference chips"
    return f"{title} ({unit.format(cur=currency)})"


def series_unit(key: str, currency: str) -> str:
    """The unit of a series (the currency code for money).

    >>> series_unit("total", "USD"), series_unit("tokens", "USD")
    ('USD', 'tokens')
    """
    return SERIES_LABELS[key][1].format(cur=currency)


def monthly_table(report: dict):
    """The monthly table: one row per month, one column per series.

    Columns: :data:`MONTH_INDEX_COLUMN` (0 = the start month), :data:`MONTH_COLUMN`
    (``YYYY-MM``), then every series of :data:`SERIES_LABELS` titled by
    :func:`series_title`. Null values (a failed scenario) are NaN.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    cur = report["currency"]
    columns = {MONTH_INDEX_COLUMN: range(len(report["months"])), MONTH_COLUMN: report["months"]}
    for key in SERIES_LABELS:
        columns[series_title(key, cur)] = pd.array(report["series"][key], dtype="Float64").astype(float)
    return pd.DataFrame(columns)


def yearly_table(report: dict):
    """The yearly table: sums of each year's months (``chips``: the year's maximum).

    Columns: :data:`YEAR_COLUMN` (1 = the first year), :data:`PERIOD_COLUMN`
    (``YYYY-MM to YYYY-MM``), then every series titled by :func:`series_title`
    with ``yearly=True``.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    cur = report["currency"]
    months = report["months"]
    years = len(report["yearly"]["total"])
    columns = {
        YEAR_COLUMN: range(1, years + 1),
        PERIOD_COLUMN: [f"{months[12 * y]} to {months[12 * y + 11]}" for y in range(years)],
    }
    for key in SERIES_LABELS:
        columns[series_title(key, cur, yearly=True)] = pd.array(report["yearly"][key], dtype="Float64").astype(float)
    return pd.DataFrame(columns)


__all__ = [
    "SERIES_LABELS", "COST_CATEGORIES", "series_title", "series_unit", "monthly_table", "yearly_table",
    "MONTH_INDEX_COLUMN", "MONTH_COLUMN", "YEAR_COLUMN", "PERIOD_COLUMN",
]
