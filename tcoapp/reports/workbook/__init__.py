"""The Excel workbook of a scenario: every figure a live formula over the inputs.

:func:`build_workbook` lays out the model of ``docs/methodology.md`` as spreadsheet formulas, so
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
    Sums, balances and bounds that hold after any edit (``check_status``); then,
    informational, the app's values at export beside the formulas
    (``comparison_status``); then the scenario's warnings.
``Sensitivity``, ``Monte Carlo``
    When solver results are passed in: the tornado table and chart, percentiles.

Only functions that Excel 2010 and LibreOffice both know are used; no macros.
openpyxl alone writes formulas without cached values, so the workbook is saved
through :func:`.evaluate.save_workbook`: it computes every formula (a small
evaluator of exactly this formula vocabulary, with Excel's semantics) and
writes each result as the formula's cached value. Viewers that never
recalculate (file previews, ``pandas.read_excel``, openpyxl ``data_only=True``)
show the numbers; ``fullCalcOnLoad`` is still set, so Excel and LibreOffice
recompute everything on opening. Tests check every cached value against
LibreOffice's recalculation.

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
  and count its changes; where the methodology rule holds, ``IRR(net, guess)`` with
  a guess taken from a grid of monthly rates (the largest rate whose NPV is
  still positive), then ``(1 + i)^12 - 1``; otherwise an empty string.
- Null results (no crossover, no tokens, API capacity) are empty strings.
- Interactivity batch: a table of candidate batches 1..T with t(B), s/t(B) and
  B where allowed (B <= B_max and s/t(B) >= the target), else 0; B is their MAX.
- Every time series has one formula per column: month 0 reads the header row
  above it through ``N()`` (0).
- Fixed at export (locked, grey, with a comment): horizon, currency, chip ids.
  Every sheet is protected without a password; input cells are unlocked and
  validated with the schema's bounds.
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
                   monte_carlo=None, warnings: list[str] | None = None):
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
    warnings : list of str, optional
        The scenario's warnings (methodology section 2), listed on the Check
        sheet; when not given, ``tcoapp.scenario.warnings.scenario_warnings``
        is asked if it exists.

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
    check_sheet(book, check_ws, scenario, result, months, _warnings(scenario, warnings))
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


def _warnings(scenario, warnings: list[str] | None) -> list[str]:
    if warnings is not None:
        return [str(w) for w in warnings]
    try:
        from ...scenario.warnings import scenario_warnings
    except ImportError:  # the warnings module is not part of this build
        return []
    return [str(w) for w in scenario_warnings(scenario)]


__all__ = ["build_workbook", "defined_name", "monte_carlo_items", "CHECK_TOLERANCE", "CHECK_TOLERANCE_IRR", "FIRST_ROW"]
