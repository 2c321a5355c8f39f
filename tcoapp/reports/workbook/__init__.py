"""The Excel workbook of a scenario: every figure a live formula over the inputs.

:func:`build_workbook` lays out ``shared/MODEL.md`` as spreadsheet formulas, so
that a finance user can follow, audit and change every number:

``Summary``
    The key figures (each cell named ``summary_<key>``), crossover and payback
    as calendar months, and the inference share beside the industry reference
    figures (``resources/industry.json``) with their sources.
``Inputs``
    Every scenario field with its value, unit and meaning. Each value cell has
    the workbook-level name of its field path with dots replaced by
    underscores (``inference_requests_per_day``). Fields the scenario leaves
    empty hold the formula that derives them (``training_chip_price`` =
    ``training_chip_price_usd * finance_usd_to_currency``); typing a number
    over the formula overrides it. The chosen chips' specs follow, named
    ``training_chip_<spec>`` and ``inference_chip_<spec>``, with their source.
``Monthly``
    A row per month, a column per series (column ranges named ``series_<name>``).
``Yearly``
    Sums of each year's months (peak for chips).
``Workings``
    The intermediate quantities: capacity and throughput, the owned fleet's
    cohorts, discount factors, the crossover, payback and IRR tests.
``Chips``
    The chips used, as in the catalog or the scenario, with sources.
``Charts``
    Native charts: monthly cost by category, cumulative training against
    inference with the crossover, yearly costs, chips in service.
``Check``
    The engine's own values beside the formulas, with the differences.
``Sensitivity``, ``Monte Carlo``
    When solver results are passed in: the tornado table and chart, percentiles.

Only functions that Excel 2010 and LibreOffice both know are used; no macros.
openpyxl writes formulas without cached values: a spreadsheet computes them on
opening (Excel always, LibreOffice when told to recalculate on load).

How the formulas handle the hard parts:

- ``ceil(x)`` is ``-INT(-x)`` (correct for every sign); Python's half-to-even
  ``round(12 * life_years)`` is ``IF(MOD(2x,2)=1, 2*ROUND(x/2,0), ROUND(x,0))``.
- Automatic chips per replica: an 11-row table of 1, 2, ..., 1024 chips with a
  0/1 "weights fit" column; the answer is ``2^COUNTIF(fits, 0)``.
- Owned fleet: ``alive_before(m)`` is a ``SUMIFS`` over the purchases of the rows
  above (months ``m - life + 1 .. m - 1``), so there is no circular reference;
  purchases round up to whole servers; installed capex is a ``SUMIFS`` over the
  window ending at m, which gives depreciation and maintenance.
- IRR: helper columns carry the sign of the cumulative net cash flow over zeros
  and count its changes; where MODEL.md's rule holds, ``IRR(net, guess)`` with
  a guess taken from a grid of monthly rates (the largest rate whose NPV is
  still positive), then ``(1 + i)^12 - 1``; otherwise an empty string.
- Null results (no crossover, no tokens, API capacity) are empty strings.
"""

from __future__ import annotations

from typing import Mapping

from ...engine import Result
from .charts import charts_sheet
from .checks import check_sheet
from .core import CHECK_TOLERANCE, CHECK_TOLERANCE_IRR, FIRST_ROW, Book, defined_name, protect
from .inputs import chips_sheet, inputs_sheet
from .monthly import monthly_sheet
from .solver import monte_carlo_items, monte_carlo_sheet, sensitivity_sheet
from .summary import summary_sheet
from .workings import workings_sheet
from .yearly import yearly_sheet


def build_workbook(scenario, result: Result | None = None, *, tornado: Mapping | None = None,
                   monte_carlo=None):
    """The workbook of one scenario (see the module docstring for its sheets).

    Parameters
    ----------
    scenario : Scenario
    result : Result, optional
        The engine's result of the scenario (batch of one), shown on the Check
        sheet; computed when not given.
    tornado : dict, optional
        ``{"metric", "metric_label", "unit", "base", "rows": [{"path", "title",
        "low_input", "high_input", "low_metric", "high_metric"}, ...]}``, the
        rows sorted by swing: adds the Sensitivity sheet and its chart.
    monte_carlo : dict or list of dict, optional
        ``{"metric", "metric_label", "unit", "samples", "mean", "percentiles":
        {5: value, 50: value, 95: value, ...}}`` (or a list of them, one per
        metric): adds the Monte Carlo sheet.

    Returns
    -------
    openpyxl.Workbook
    """
    from ...scenario.batch import engine_inputs, evaluate
    from ...scenario.catalog import chips_for

    chips = chips_for(scenario)
    engine_inputs(scenario, chips)  # checks the chips exist and support the precisions
    if result is None:
        result = evaluate(scenario)
    months = result.months
    book = Book()
    summary_ws = book.wb.active
    summary_ws.title = "Summary"
    inputs_ws = book.wb.create_sheet("Inputs")
    monthly_ws = book.wb.create_sheet("Monthly")
    yearly_ws = book.wb.create_sheet("Yearly")
    charts_ws = book.wb.create_sheet("Charts")
    workings_ws = book.wb.create_sheet("Workings")
    chips_ws = book.wb.create_sheet("Chips")
    check_ws = book.wb.create_sheet("Check")

    inputs_sheet(book, inputs_ws, scenario, chips)
    monthly = monthly_sheet(book, monthly_ws, scenario, months)
    workings = workings_sheet(book, workings_ws, scenario, months, monthly)
    summary_sheet(book, summary_ws, scenario, months, monthly, workings)
    yearly = yearly_sheet(book, yearly_ws, scenario, months, monthly)
    chips_sheet(book, chips_ws, scenario, chips)
    check_sheet(book, check_ws, scenario, result, months)
    charts_sheet(book, charts_ws, scenario, months, monthly, workings, yearly)
    if tornado:
        sensitivity_sheet(book, book.wb.create_sheet("Sensitivity"), scenario, tornado)
    if monte_carlo:
        monte_carlo_sheet(book, book.wb.create_sheet("Monte Carlo"), monte_carlo, scenario.currency)
    for ws in book.wb.worksheets:
        protect(ws)
    book.wb.properties.creator = "tcoapp"
    book.wb.calculation.fullCalcOnLoad = True
    return book.wb


__all__ = ["build_workbook", "defined_name", "monte_carlo_items", "CHECK_TOLERANCE", "CHECK_TOLERANCE_IRR", "FIRST_ROW"]
