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

import json
import math
from typing import Iterable, Mapping

from ..engine import CHIP_SPECS, SERIES, SUMMARY, Result
from .report import MONEY_KEYS, MONTH_KEYS, SHARE_KEYS, SUMMARY_LABELS
from .tables import COST_CATEGORIES, SERIES_LABELS, series_title

# ---- layout -------------------------------------------------------------------

#: First data row of the Monthly and Workings sheets (month 0); both sheets share rows.
FIRST_ROW = 5
HEADER_ROW = 4
KEY_ROW = 3

#: Relative tolerance of the Check sheet (IRR: iterative in spreadsheets).
CHECK_TOLERANCE = 1e-9
CHECK_TOLERANCE_IRR = 1e-6

#: Chip spec fields shown in the Inputs and Chips sheets, with units.
CHIP_SPEC_LABELS = {
    "bf16_tflops": ("BF16 peak", "TFLOP/s (dense)"),
    "fp8_tflops": ("FP8 peak", "TFLOP/s (dense)"),
    "fp4_tflops": ("FP4 peak", "TFLOP/s (dense)"),
    "memory_gb": ("Memory", "GB"),
    "bandwidth_tbs": ("Memory bandwidth", "TB/s"),
    "tdp_w": ("Power (TDP)", "W"),
    "price_usd": ("Catalog purchase price", "USD per chip"),
    "cloud_usd_per_hour": ("Catalog cloud rate", "USD per chip-hour"),
}
assert tuple(CHIP_SPEC_LABELS) == CHIP_SPECS

#: Monthly IRR guesses tried by the IRR grid (the largest with a positive NPV is used).
IRR_GRID = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 2e-3, 3.5e-3, 5e-3, 7.5e-3, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05,
            0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0)

_MONTH_NAMES = '"Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"'

# ---- styles ---------------------------------------------------------------------

_INPUT_FILL = "FFF2CC"  # pale yellow: values the user may change
_DERIVED_FILL = "E2EFDA"  # pale green: formulas that derive an empty field
_HEADER_FILL = "1F4E78"
_SECTION_FILL = "D9E1F2"


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "title": Font(bold=True, size=14),
        "header_font": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor=_HEADER_FILL),
        "section_font": Font(bold=True),
        "section_fill": PatternFill("solid", fgColor=_SECTION_FILL),
        "input_fill": PatternFill("solid", fgColor=_INPUT_FILL),
        "derived_fill": PatternFill("solid", fgColor=_DERIVED_FILL),
        "key_font": Font(color="808080", size=8),
        "note_font": Font(italic=True, color="595959"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "bold": Font(bold=True),
    }


def _money_format(currency: str, decimals: int = 0) -> str:
    digits = "0" if decimals == 0 else "0." + "0" * decimals
    return f'"{currency}" #,##{digits};-"{currency}" #,##{digits}'


PERCENT = "0.0%"
PERCENT_INPUT = "0.00%"
COUNT = "#,##0"
MONTH_DATE = "mmm yyyy"


def _text(value: str) -> str:
    """A string as an Excel formula literal."""
    return '"' + str(value).replace('"', '""') + '"'


def _quote_sheet(name: str) -> str:
    return f"'{name}'" if not name.isalnum() else name


def _abs_ref(sheet: str, col: str, row: int, col2: str | None = None, row2: int | None = None) -> str:
    ref = f"{_quote_sheet(sheet)}!${col}${row}"
    if col2 is not None:
        ref += f":${col2}${row2}"
    return ref


# ---- the scenario's fields --------------------------------------------------------

#: Top-level fields listed first on the Inputs sheet.
_GENERAL = ("name", "notes", "currency", "start_month", "horizon_years")
_SECTIONS = ("finance", "facility", "model", "training", "inference", "business")

#: Fields fixed by the workbook's layout: changing them needs a new export.
_LAYOUT_FIELDS = {
    "horizon_years": "fixed by the workbook's layout (one row per month); export again to change it",
    "training.chip": "the training chip specs below are this chip's; edit them to try another chip",
    "inference.chip": "the inference chip specs below are this chip's; edit them to try another chip",
}


def _field_rows(scenario) -> list[dict]:
    """Every scenario field shown on Inputs: path, title, unit, meaning, value, choices."""
    import typing

    from pydantic import BaseModel

    rows = []

    def add(model_cls, obj, prefix, names=None):
        for name, info in model_cls.model_fields.items():
            if names is not None and name not in names:
                continue
            path = f"{prefix}{name}"
            annotation = info.annotation
            value = getattr(obj, name)
            if isinstance(value, BaseModel):
                rows.append({"section": path})
                add(type(value), value, f"{path}.")
                continue
            choices = None
            if typing.get_origin(annotation) is typing.Literal:
                choices = typing.get_args(annotation)
            extra = info.json_schema_extra or {}
            description = info.description or ""
            unit = str(extra.get("unit", ""))
            meaning = description.rsplit(" Unit:", 1)[0]
            rows.append({"path": path, "title": info.title or name, "unit": unit, "meaning": meaning,
                         "value": value, "choices": choices})

    rows.append({"section": "general"})
    add(type(scenario), scenario, "", names=_GENERAL)
    for section in _SECTIONS:
        rows.append({"section": section})
        add(type(getattr(scenario, section)), getattr(scenario, section), f"{section}.")
    return rows


def defined_name(path: str) -> str:
    """The workbook name of a field path.

    >>> defined_name("inference.efficiency.max_batch")
    'inference_efficiency_max_batch'
    """
    return path.replace(".", "_")


def _derived_formulas(scenario, chips: Mapping) -> dict[str, tuple[str, str]]:
    """Formula and explanation of every empty ("derive it") field."""
    out: dict[str, tuple[str, str]] = {}
    if scenario.model.active_params_billion is None:
        out["model.active_params_billion"] = ("=model_params_billion", "derived: all parameters are active")
    if scenario.training.compute_flops is None:
        out["training.compute_flops"] = (
            "=6*(1E9*model_active_params_billion)*(1E12*training_tokens_trillion)",
            "derived: 6 x active parameters x training tokens",
        )
    if scenario.inference.launch_month is None:
        out["inference.launch_month"] = ("=training_duration_months", "derived: right after the initial run")
    if scenario.inference.chips_per_replica is None:
        out["inference.chips_per_replica"] = (
            "=calc_auto_chips_per_replica",
            "derived: fewest of 1, 2, 4, ..., 1024 chips whose memory holds the weights (Workings)",
        )
    for role in ("training", "inference"):
        section = getattr(scenario, role)
        chip = chips.get(section.chip)
        chip_source = _chip_source(chip)
        if section.cloud_rate is None:
            out[f"{role}.cloud_rate"] = (
                f"={role}_chip_cloud_usd_per_hour*finance_usd_to_currency",
                f"catalog: {section.chip} cloud_usd_per_hour x usd_to_currency; {chip_source}",
            )
        if section.chip_price is None:
            out[f"{role}.chip_price"] = (
                f"={role}_chip_price_usd*finance_usd_to_currency",
                f"catalog: {section.chip} price_usd x usd_to_currency; {chip_source}",
            )
    return out


def _chip_source(chip) -> str:
    if chip is None:
        return "chip not found"
    parts = [chip.source or "no source given"]
    if chip.as_of:
        parts.append(f"as of {chip.as_of}")
    return ", ".join(parts)


def _empty_meaning(path: str) -> str | None:
    """Text shown for an empty field that stays empty (its absence means something)."""
    return {
        "inference.max_requests_per_day": "empty: no ceiling",
        "inference.prefill_tokens_per_s_per_chip": "empty: estimated from the chip (Workings)",
        "inference.decode_tokens_per_s_per_chip": "empty: estimated from the chip (Workings)",
    }.get(path)


# ---- the builder ------------------------------------------------------------------


class _Book:
    """A workbook under construction with its defined names."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook()
        self.st = _styles()
        self.names: dict[str, str] = {}

    def name(self, name: str, ref: str) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        if name in self.names:
            raise ValueError(f"defined name {name!r} used twice")
        self.names[name] = ref
        self.wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def text(self, ws, row: int, col: int, value, **style):
        """A text cell that is never read as a formula, whatever it starts with."""
        cell = ws.cell(row, col)
        cell.value = "" if value is None else str(value)
        cell.data_type = "s"
        for key, val in style.items():
            setattr(cell, key, val)
        return cell

    def header(self, ws, row: int, titles: Iterable[str], col: int = 1) -> None:
        for i, title in enumerate(titles):
            cell = self.text(ws, row, col + i, title)
            cell.font = self.st["header_font"]
            cell.fill = self.st["header_fill"]
            cell.alignment = self.st["wrap"]

    def section(self, ws, row: int, title: str, width: int) -> None:
        for col in range(1, width + 1):
            ws.cell(row, col).fill = self.st["section_fill"]
        self.text(ws, row, 1, title, font=self.st["section_font"])


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


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
    from ..scenario.batch import engine_inputs, evaluate
    from ..scenario.catalog import chips_for

    chips = chips_for(scenario)
    engine_inputs(scenario, chips)  # checks the chips exist and support the precisions
    if result is None:
        result = evaluate(scenario)
    months = result.months
    book = _Book()
    summary_ws = book.wb.active
    summary_ws.title = "Summary"
    inputs_ws = book.wb.create_sheet("Inputs")
    monthly_ws = book.wb.create_sheet("Monthly")
    yearly_ws = book.wb.create_sheet("Yearly")
    charts_ws = book.wb.create_sheet("Charts")
    workings_ws = book.wb.create_sheet("Workings")
    chips_ws = book.wb.create_sheet("Chips")
    check_ws = book.wb.create_sheet("Check")

    _inputs_sheet(book, inputs_ws, scenario, chips)
    monthly = _monthly_sheet(book, monthly_ws, scenario, months)
    workings = _workings_sheet(book, workings_ws, scenario, months, monthly)
    _summary_sheet(book, summary_ws, scenario, months, monthly, workings)
    yearly = _yearly_sheet(book, yearly_ws, scenario, months, monthly)
    _chips_sheet(book, chips_ws, scenario, chips)
    _check_sheet(book, check_ws, scenario, result, months)
    _charts_sheet(book, charts_ws, scenario, months, monthly, workings, yearly)
    if tornado:
        _sensitivity_sheet(book, book.wb.create_sheet("Sensitivity"), scenario, tornado)
    if monte_carlo:
        _monte_carlo_sheet(book, book.wb.create_sheet("Monte Carlo"), monte_carlo, scenario.currency)
    book.wb.calculation.fullCalcOnLoad = True
    return book.wb


# ---- Inputs -----------------------------------------------------------------------


def _number_format_for(path: str, unit: str, value) -> str | None:
    if "per year" in unit or unit.startswith("share"):
        return PERCENT_INPUT
    if unit.startswith("currency") and "per kWh" not in unit:
        return "#,##0.00##"
    if isinstance(value, float) and abs(value) >= 1e15:
        return "0.00E+00"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "#,##0.######"
    return None


def _inputs_sheet(book: _Book, ws, scenario, chips) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    st = book.st
    ws.title = "Inputs"
    book.text(ws, 1, 1, "Inputs", font=st["title"])
    book.text(ws, 2, 1, "Yellow cells are the scenario's values; green cells derive a field the scenario left "
                        "empty (type a number over one to set it). Each value cell is named after its field "
                        "(dots replaced by underscores, shown in the last column).", font=st["note_font"])
    book.header(ws, 4, ["Field", "Value", "Unit", "Meaning", "Source", "Name"])
    derived = _derived_formulas(scenario, chips)
    row = 5
    width = 6
    for item in _field_rows(scenario):
        if "section" in item:
            title = item["section"]
            book.section(ws, row, title if title == "general" else title, width)
            row += 1
            continue
        path = item["path"]
        name = defined_name(path)
        book.text(ws, row, 1, path)
        cell = ws.cell(row, 2)
        value = item["value"]
        source = ""
        if path in derived:
            formula, source = derived[path]
            cell.value = formula
            cell.fill = st["derived_fill"]
        elif value is None:
            cell.fill = st["input_fill"]
            source = _empty_meaning(path) or "empty"
        elif isinstance(value, str):
            book.text(ws, row, 2, value)
            cell.fill = st["input_fill"]
        else:
            cell.value = value
            cell.fill = st["input_fill"]
        fmt = _number_format_for(path, item["unit"], value)
        if fmt and not isinstance(value, str):
            cell.number_format = fmt
        if item["choices"]:
            dv = DataValidation(type="list", formula1=_text(",".join(item["choices"])), allow_blank=False)
            ws.add_data_validation(dv)
            dv.add(cell.coordinate)
        if path in _LAYOUT_FIELDS:
            source = _LAYOUT_FIELDS[path]
        book.text(ws, row, 3, item["unit"])
        book.text(ws, row, 4, f"{item['title']}: {item['meaning']}", alignment=st["wrap"])
        book.text(ws, row, 5, source, alignment=st["wrap"])
        book.text(ws, row, 6, name, font=st["key_font"])
        book.name(name, _abs_ref("Inputs", "B", row))
        row += 1

    for role in ("training", "inference"):
        section = getattr(scenario, role)
        chip = chips.get(section.chip)
        book.section(ws, row, f"{role} chip: {section.chip}", width)
        row += 1
        source = _chip_source(chip)
        for spec, (title, unit) in CHIP_SPEC_LABELS.items():
            value = getattr(chip, spec, None) if chip is not None else None
            name = f"{role}_chip_{spec}"
            book.text(ws, row, 1, f"{role}.chip.{spec}")
            cell = ws.cell(row, 2)
            cell.fill = st["input_fill"]
            if value is not None:
                cell.value = float(value)
                cell.number_format = "#,##0.00##"
            book.text(ws, row, 3, unit)
            book.text(ws, row, 4, f"{title} of {section.chip}" + ("" if value is not None else " (unknown)"),
                      alignment=st["wrap"])
            book.text(ws, row, 5, source, alignment=st["wrap"])
            book.text(ws, row, 6, name, font=st["key_font"])
            book.name(name, _abs_ref("Inputs", "B", row))
            row += 1
        name = f"{role}_chip_peak_tflops"
        book.text(ws, row, 1, f"{role}.chip.peak_tflops")
        precision = f"{role}_precision"
        cell = ws.cell(row, 2)
        cell.value = (f'=IF({precision}="bf16",{role}_chip_bf16_tflops,IF({precision}="fp8",'
                      f'{role}_chip_fp8_tflops,{role}_chip_fp4_tflops))')
        cell.fill = st["derived_fill"]
        cell.number_format = "#,##0.00##"
        book.text(ws, row, 3, "TFLOP/s (dense)")
        book.text(ws, row, 4, f"Dense peak of {section.chip} at the {role} precision", alignment=st["wrap"])
        book.text(ws, row, 5, "derived: the peak matching the precision", alignment=st["wrap"])
        book.text(ws, row, 6, name, font=st["key_font"])
        book.name(name, _abs_ref("Inputs", "B", row))
        row += 1

    if scenario.uncertainty:
        book.section(ws, row, "uncertainty (used by the sensitivity tools, not by these formulas)", width)
        row += 1
        for path, dist in scenario.uncertainty.items():
            book.text(ws, row, 1, path)
            params = ", ".join(f"{k} {v:g}" for k, v in dist.model_dump().items() if k != "dist")
            book.text(ws, row, 2, dist.dist)
            book.text(ws, row, 4, params)
            row += 1

    for col, width_chars in zip("ABCDEF", (40, 16, 30, 70, 50, 40)):
        ws.column_dimensions[col].width = width_chars
    ws.freeze_panes = "B5"


# ---- Monthly ----------------------------------------------------------------------


class _Columns:
    """Column letters of a sheet's monthly block, by key."""

    def __init__(self, sheet: str, keys: Iterable[str], first_col: int, months: int):
        self.sheet = sheet
        self.letters = {key: _col(first_col + i) for i, key in enumerate(keys)}
        self.first = FIRST_ROW
        self.last = FIRST_ROW + months - 1

    def __getitem__(self, key: str) -> str:
        return self.letters[key]

    def cell(self, key: str, row: int, *, external: bool = False) -> str:
        prefix = f"{_quote_sheet(self.sheet)}!" if external else ""
        return f"{prefix}{self.letters[key]}{row}"

    def range(self, key: str, *, external: bool = True, absolute: bool = True) -> str:
        col = self.letters[key]
        prefix = f"{_quote_sheet(self.sheet)}!" if external else ""
        if absolute:
            return f"{prefix}${col}${self.first}:${col}${self.last}"
        return f"{prefix}{col}{self.first}:{col}{self.last}"


MONTHLY_KEYS = ("month_index", "month") + SERIES


def _monthly_sheet(book: _Book, ws, scenario, months: int) -> _Columns:
    """Lays out the Monthly sheet's columns; the formulas are written with the Workings."""
    cols = _Columns("Monthly", MONTHLY_KEYS, 1, months)
    cur = scenario.currency
    st = book.st
    book.text(ws, 1, 1, "Monthly figures", font=st["title"])
    book.text(ws, 2, 1, f"Amounts in {cur}. Every cell is a formula over the Inputs (see Workings); "
                        "the column of each series is named series_<key>.", font=st["note_font"])
    titles = ["Month index", "Month"] + [series_title(key, cur) for key in SERIES]
    book.header(ws, HEADER_ROW, titles)
    for key in MONTHLY_KEYS:
        book.text(ws, KEY_ROW, 1 + MONTHLY_KEYS.index(key), key, font=st["key_font"])
    for key in SERIES:
        book.name(f"series_{key}", cols.range(key))
    book.name("month_index", cols.range("month_index"))
    book.name("month_date", cols.range("month"))
    money = _money_format(cur)
    for r in range(cols.first, cols.last + 1):
        ws.cell(r, 1).value = "=0" if r == cols.first else f"=A{r - 1}+1"
        date = ws.cell(r, 2)
        date.value = f"=DATE(calc_start_year,calc_start_month+A{r},1)"
        date.number_format = MONTH_DATE
    for key in SERIES:
        fmt = money if SERIES_LABELS[key][2] == "money" else COUNT
        letter = cols[key]
        for r in range(cols.first, cols.last + 1):
            ws[f"{letter}{r}"].number_format = fmt
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 10
    for key in SERIES:
        ws.column_dimensions[cols[key]].width = 18
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"C{FIRST_ROW}"
    return cols


# ---- Workings ---------------------------------------------------------------------

#: Monthly working columns: key -> (title, unit kind).
WORKING_COLUMNS = {
    "m": ("Month index", "index"),
    "live": ("Live (1 = serving)", "flag"),
    "refresh_runs": ("Refresh runs active", "count"),
    "train_hours": ("Training chip-hours", "count"),
    "hw_trend": ("Hardware price factor", "ratio"),
    "elec": ("Electricity price ({cur}/kWh)", "price"),
    "train_chip_cost": ("Owned training chip with server ({cur})", "money"),
    "train_rate": ("Training rate ({cur}/chip-hour)", "price"),
    "demand_uncapped": ("Demand before the ceiling (requests/day)", "count"),
    "demand": ("Demand (requests/day)", "count"),
    "prefill": ("Prefill tokens", "count"),
    "decode": ("Decode tokens", "count"),
    "api_compute": ("API charges ({cur})", "money"),
    "replicas": ("Replicas", "count"),
    "required": ("Chips required", "count"),
    "cloud_compute": ("Cloud rental ({cur})", "money"),
    "owned_required": ("Owned chips required", "count"),
    "chip_cost": ("Owned inference chip with server ({cur})", "money"),
    "alive_before": ("Chips alive before buying", "count"),
    "buy": ("Chips bought", "count"),
    "alive": ("Chips in service", "count"),
    "owned_capex": ("Purchases ({cur})", "money"),
    "installed": ("Installed capex in service ({cur})", "money"),
    "owned_depreciation": ("Depreciation ({cur})", "money"),
    "owned_energy": ("Energy ({cur})", "money"),
    "owned_facility": ("Colocation and maintenance ({cur})", "money"),
    "energy_mwh": ("Energy (MWh)", "count1"),
    "discount": ("Discount factor", "ratio"),
    "net": ("Net cash flow: revenue - cash cost ({cur})", "money"),
    "cum_training": ("Cumulative training ({cur})", "money"),
    "cum_inference": ("Cumulative inference ({cur})", "money"),
    "crossover_flag": ("Inference >= training (1 = yes)", "flag"),
    "crossover_marker": ("Crossover marker", "money"),
    "cum_revenue": ("Cumulative revenue ({cur})", "money"),
    "cum_cash": ("Cumulative cash cost ({cur})", "money"),
    "payback_flag": ("Revenue >= cash cost (1 = yes)", "flag"),
    "cum_net": ("Cumulative net cash flow ({cur})", "money"),
    "net_sign": ("Sign of cumulative net", "flag"),
    "carried_sign": ("Sign carried over zeros", "flag"),
    "sign_change": ("Sign change (1 = yes)", "flag"),
    "first_sign": ("First non-zero sign", "flag"),
}

#: Column where the monthly block of the Workings sheet starts (A:C hold the scalars).
_WORKINGS_FIRST_COL = 5


def _scalar_rows(scenario) -> list[tuple[str, str, str, str]]:
    """Scalar workings: (name, title, formula, number format)."""
    dep = "inference_deployment"
    measured = "calc_measured"
    return [
        ("calc_hours", "Hours per month (8760 / 12)", "=8760/12", "0.00"),
        ("calc_days", "Days per month (365 / 12)", "=365/12", "0.0000"),
        ("calc_start_year", "Start year", "=VALUE(LEFT(start_month,4))", "0"),
        ("calc_start_month", "Start month of the year", "=VALUE(RIGHT(start_month,2))", "0"),
        ("calc_months", "Months in the horizon", "=12*horizon_years", "0"),
        # training (MODEL.md 3)
        ("calc_n_active", "Active parameters N_act", "=1E9*model_active_params_billion", "0.000E+00"),
        ("calc_c0", "Initial compute C0 with experiments (FLOP)",
         "=training_compute_flops*(1+training_experiment_overhead)", "0.000E+00"),
        ("calc_training_flops", "Training chip peak F_t (FLOP/s)", "=training_chip_peak_tflops*1E12", "0.000E+00"),
        ("calc_hours_initial", "Chip-hours of the initial run",
         "=IF(calc_c0>0,calc_c0/(calc_training_flops*training_mfu*3600),0)", "#,##0.00"),
        ("calc_hours_refresh", "Chip-hours of a refresh run",
         "=IF(calc_c0>0,training_refresh_compute_fraction*calc_c0/(calc_training_flops*training_mfu*3600),0)",
         "#,##0.00"),
        ("calc_training_server_kw", "Training server power per chip (kW)",
         "=training_chip_tdp_w/1000*(1+facility_server_power_overhead)", "0.0000"),
        ("calc_inference_server_kw", "Inference server power per chip (kW)",
         "=inference_chip_tdp_w/1000*(1+facility_server_power_overhead)", "0.0000"),
        ("calc_life_months", "Hardware life in months: round(12 x life_years), halves to even",
         "=IF(MOD(2*(12*facility_life_years),2)=1,2*ROUND(12*facility_life_years/2,0),"
         "ROUND(12*facility_life_years,0))", "0"),
        # capacity (MODEL.md 4.3)
        ("calc_bytes_per_weight", "Bytes per weight b",
         '=IF(inference_precision="bf16",2,IF(inference_precision="fp8",1,0.5))', "0.0"),
        ("calc_kv_bytes", "Bytes per cache value kv_b", '=IF(inference_precision="bf16",2,1)', "0"),
        ("calc_hbm", "Chip memory HBM (bytes)", "=inference_chip_memory_gb*1E9", "0.000E+00"),
        ("calc_bw", "Chip bandwidth BW (bytes/s)", "=inference_chip_bandwidth_tbs*1E12", "0.000E+00"),
        ("calc_flops", "Inference chip peak F (FLOP/s)", "=inference_chip_peak_tflops*1E12", "0.000E+00"),
        ("calc_w_total", "Weights W_total (bytes)", "=1E9*model_params_billion*calc_bytes_per_weight",
         "0.000E+00"),
        ("calc_w_active", "Active weights W_act (bytes)", "=calc_n_active*calc_bytes_per_weight", "0.000E+00"),
        ("calc_kv_per_token", "Cache per token kv_tok (bytes)",
         "=2*model_layers*model_kv_heads*model_head_dim*calc_kv_bytes", "#,##0"),
        ("calc_ctx_max", "Longest context ctx_max (tokens)",
         "=inference_input_tokens+(inference_reasoning_tokens+inference_output_tokens)", "#,##0"),
        ("calc_ctx_avg", "Average context ctx_avg (tokens)",
         "=inference_input_tokens+(inference_reasoning_tokens+inference_output_tokens)/2", "#,##0.0"),
        (measured, "Measured throughputs given (1 = yes)",
         "=IF(AND(ISNUMBER(inference_prefill_tokens_per_s_per_chip),"
         "ISNUMBER(inference_decode_tokens_per_s_per_chip)),1,0)", "0"),
        ("calc_batch", "Batch B (requests per replica at once)",
         f'=IF(OR({dep}="api",{measured}=1),"",IF(calc_ctx_max*calc_kv_per_token=0,'
         "inference_efficiency_max_batch,MIN(inference_efficiency_max_batch,"
         "INT((inference_efficiency_memory_fraction*inference_chips_per_replica*calc_hbm-calc_w_total)"
         "/(calc_ctx_max*calc_kv_per_token)))))", "#,##0"),
        ("calc_step_time", "Decode step time t (s)",
         f'=IF(OR({dep}="api",{measured}=1),"",MAX((calc_w_active+calc_batch*calc_ctx_avg*calc_kv_per_token)'
         "/(inference_chips_per_replica*calc_bw*inference_efficiency_bandwidth),"
         "calc_batch*2*calc_n_active/(inference_chips_per_replica*calc_flops*inference_efficiency_decode_mfu)))",
         "0.000E+00"),
        ("calc_replica_prefill", "Replica prefill throughput P (tokens/s)",
         f'=IF({dep}="api","",IF({measured}=1,inference_chips_per_replica*inference_prefill_tokens_per_s_per_chip,'
         "inference_chips_per_replica*calc_flops*inference_efficiency_prefill_mfu/(2*calc_n_active)))", "#,##0.0"),
        ("calc_replica_decode", "Replica decode throughput R (tokens/s)",
         f'=IF({dep}="api","",IF({measured}=1,inference_chips_per_replica*inference_decode_tokens_per_s_per_chip,'
         "calc_batch/calc_step_time))", "#,##0.0"),
        ("calc_busy", "Busy seconds per request",
         f'=IF({dep}="api","",inference_samples*inference_input_tokens/calc_replica_prefill'
         "+inference_samples*(inference_reasoning_tokens+inference_output_tokens)/calc_replica_decode)", "0.0000"),
        ("calc_replica_capacity", "Replica capacity (requests/s)",
         f'=IF({dep}="api","",IF(calc_busy>0,inference_target_utilization/calc_busy,""))', "0.0000"),
    ]


def _workings_sheet(book: _Book, ws, scenario, months: int, monthly: _Columns) -> _Columns:
    st = book.st
    cur = scenario.currency
    book.text(ws, 1, 1, "Workings", font=st["title"])
    book.text(ws, 2, 1, "Intermediate quantities of shared/MODEL.md. Left: scalars (named calc_*); right: "
                        "one row per month, on the same rows as the Monthly sheet.", font=st["note_font"])
    book.header(ws, HEADER_ROW, ["Quantity", "Value", "Name"])
    row = FIRST_ROW
    for name, title, formula, fmt in _scalar_rows(scenario):
        book.text(ws, row, 1, title)
        cell = ws.cell(row, 2)
        cell.value = formula
        cell.number_format = fmt
        book.text(ws, row, 3, name, font=st["key_font"])
        book.name(name, _abs_ref("Workings", "B", row))
        row += 1

    # automatic chips per replica: 1, 2, ..., 1024 and whether the weights fit
    row += 1
    book.section(ws, row, "Chips per replica: weights fit?", 3)
    row += 1
    book.header(ws, row, ["Chips", "Fits (1 = yes)", ""])
    row += 1
    table_first = row
    for k in range(11):
        ws.cell(row, 1).value = 2 ** k
        ws.cell(row, 2).value = (f"=IF(calc_w_total<=inference_efficiency_weight_memory_fraction*A{row}*calc_hbm,"
                                 "1,0)")
        row += 1
    book.text(ws, row, 1, "Automatic chips per replica (2^count of misfits)")
    ws.cell(row, 2).value = f"=2^COUNTIF($B${table_first}:$B${row - 1},0)"
    book.text(ws, row, 3, "calc_auto_chips_per_replica", font=st["key_font"])
    book.name("calc_auto_chips_per_replica", _abs_ref("Workings", "B", row))
    row += 2

    # IRR guess: NPVs on a grid of monthly rates
    book.section(ws, row, "IRR starting guess", 3)
    row += 1
    book.header(ws, row, ["Monthly rate", "NPV of net cash flow", ""])
    row += 1
    grid_first = row
    w = _Columns("Workings", WORKING_COLUMNS, _WORKINGS_FIRST_COL, months)
    for rate in IRR_GRID:
        ws.cell(row, 1).value = rate
        ws.cell(row, 1).number_format = "0.00%"
        ws.cell(row, 2).value = f"=NPV(A{row},{w.range('net', external=False)})"
        ws.cell(row, 2).number_format = _money_format(cur)
        row += 1
    grid_last = row - 1
    book.text(ws, row, 1, "Guess: largest rate with a positive NPV")
    ws.cell(row, 2).value = (f"=INDEX($A${grid_first}:$A${grid_last},"
                             f"MAX(1,COUNTIF($B${grid_first}:$B${grid_last},\">0\")))")
    ws.cell(row, 2).number_format = "0.00%"
    book.text(ws, row, 3, "calc_irr_guess", font=st["key_font"])
    book.name("calc_irr_guess", _abs_ref("Workings", "B", row))
    row += 1
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 26
    ws.column_dimensions["D"].width = 3

    # the monthly block
    titles = [title.format(cur=cur) for title, _ in WORKING_COLUMNS.values()]
    book.header(ws, HEADER_ROW, titles, col=_WORKINGS_FIRST_COL)
    for i, key in enumerate(WORKING_COLUMNS):
        book.text(ws, KEY_ROW, _WORKINGS_FIRST_COL + i, key, font=st["key_font"])
    formats = {"money": _money_format(cur), "count": "#,##0.##", "count1": "#,##0.0", "flag": "0",
               "index": "0", "ratio": "0.000000", "price": "#,##0.0000"}
    marker = ws[f"{w['crossover_marker']}{HEADER_ROW}"]  # the chart's legend names the month
    marker.value = '="Crossover: "&IF(label_crossover_month="","none within the horizon",label_crossover_month)'
    book.name("crossover_flags", w.range("crossover_flag"))
    book.name("payback_flags", w.range("payback_flag"))
    book.name("net_cash_flow", w.range("net"))
    book.name("discount_factors", w.range("discount"))
    _write_monthly_formulas(book, ws, book.wb["Monthly"], months, monthly, w)
    for key, (_, kind) in WORKING_COLUMNS.items():
        letter = w[key]
        ws.column_dimensions[letter].width = 16
        for r in range(w.first, w.last + 1):
            ws[f"{letter}{r}"].number_format = formats[kind]
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.freeze_panes = f"A{FIRST_ROW}"
    return w


def _write_monthly_formulas(book: _Book, ws, monthly_ws, months: int, mo: _Columns, w: _Columns) -> None:
    """The formulas of every month on the Workings and Monthly sheets."""
    first = w.first
    dep = "inference_deployment"
    L = "inference_launch_month"
    for r in range(w.first, w.last + 1):
        def W(key, row=r):  # a Workings cell of this row
            return f"{w[key]}{row}"

        def M(key, row=r):  # a Monthly cell of this row, from the Workings sheet
            return f"Monthly!{mo[key]}{row}"

        m = W("m")
        prev = r - 1
        f = {}
        f["m"] = f"=Monthly!A{r}"
        f["live"] = f"=IF({m}>={L},1,0)"
        f["refresh_runs"] = (
            f"=IF(training_refresh_every_months>0,MAX(0,INT(({m}-{L})/training_refresh_every_months)"
            f"-MAX(1,-INT(-(({m}-{L}-training_refresh_duration_months+1)/training_refresh_every_months)))+1),0)")
        f["train_hours"] = (f"=IF({m}<training_duration_months,calc_hours_initial/training_duration_months,0)"
                            f"+{W('refresh_runs')}*(calc_hours_refresh/training_refresh_duration_months)")
        f["hw_trend"] = f"=(1+facility_hardware_price_change)^({m}/12)"
        f["elec"] = f"=facility_electricity_price*(1+facility_electricity_price_change)^({m}/12)"
        f["train_chip_cost"] = f"=training_chip_price*{W('hw_trend')}*(1+facility_server_overhead)"
        K = W("train_chip_cost")
        f["train_rate"] = (
            f'=IF(training_procurement="owned",{K}/(facility_life_years*8760)+{K}*facility_maintenance_rate/8760'
            f"+calc_training_server_kw*facility_power_load_factor*facility_pue*{W('elec')}"
            f"+calc_training_server_kw*facility_colocation_per_kw_month/calc_hours,"
            f"training_cloud_rate*(1+training_cloud_price_change)^({m}/12))")
        f["demand_uncapped"] = f"=inference_requests_per_day*(1+inference_annual_growth)^(({m}-{L})/12)"
        U = W("demand_uncapped")
        f["demand"] = (f"=IF({W('live')}=1,IF(ISNUMBER(inference_max_requests_per_day),"
                       f"MIN(inference_max_requests_per_day,{U}),{U}),0)")
        f["prefill"] = f"={M('requests')}*inference_samples*inference_input_tokens"
        f["decode"] = f"={M('requests')}*inference_samples*(inference_reasoning_tokens+inference_output_tokens)"
        f["api_compute"] = (f"=({W('prefill')}*inference_api_price_input+{W('decode')}*inference_api_price_output)"
                            f"/1E6*(1+inference_api_price_change)^({m}/12)")
        D = W("demand")
        f["replicas"] = (f'=IF(OR({dep}="api",{W("live")}=0,{D}<=0),0,IF(calc_busy>0,'
                         f"-INT(-({D}/86400*inference_peak_to_average/calc_replica_capacity-1E-9)),0))")
        f["required"] = f'=IF({dep}="api",0,inference_chips_per_replica*{W("replicas")})'
        f["cloud_compute"] = (f"={W('required')}*calc_hours*inference_cloud_rate"
                              f"*(1+inference_cloud_price_change)^({m}/12)")
        f["owned_required"] = f'=IF({dep}="owned",{W("required")},0)'
        f["chip_cost"] = f"=inference_chip_price*{W('hw_trend')}*(1+facility_server_overhead)"
        window = f'">="&({m}-calc_life_months+1)'
        if r == first:
            f["alive_before"] = "=0"
        else:
            f["alive_before"] = (f"=SUMIFS(${w['buy']}${first}:{w['buy']}{prev},"
                                 f"${w['m']}${first}:{w['m']}{prev},{window})")
        S = "facility_chips_per_server"
        f["buy"] = (f"={S}*(-INT(-(MAX(0,{W('owned_required')}-{W('alive_before')})/{S}-1E-9)))")
        f["alive"] = f"={W('alive_before')}+{W('buy')}"
        f["owned_capex"] = f"=IF({W('buy')}>0,{W('buy')}*{W('chip_cost')},0)"
        f["installed"] = (f"=SUMIFS(${w['owned_capex']}${first}:{w['owned_capex']}{r},"
                          f"${w['m']}${first}:{w['m']}{r},{window})")
        f["owned_depreciation"] = f"={W('installed')}/calc_life_months"
        A = W("alive")
        power = "(calc_inference_server_kw*facility_power_load_factor*facility_pue)"
        f["owned_energy"] = f"=IF({A}>0,{A}*{power}*calc_hours*{W('elec')},0)"
        f["owned_facility"] = (f"=IF({A}>0,{A}*(calc_inference_server_kw*facility_colocation_per_kw_month),0)"
                               f"+facility_maintenance_rate/12*{W('installed')}")
        f["energy_mwh"] = f"=IF({A}>0,{A}*{power}*calc_hours/1000,0)"
        f["discount"] = f"=(1+finance_discount_rate)^(-{m}/12)"
        f["net"] = f"={M('revenue')}-{M('cash_total')}"

        def running(key, series):
            return f"={M(series)}" if r == first else f"={W(key, prev)}+{M(series)}"

        f["cum_training"] = running("cum_training", "training")
        f["cum_inference"] = running("cum_inference", "inference")
        f["crossover_flag"] = (f"=IF(AND({W('cum_inference')}>={W('cum_training')},{W('cum_inference')}>0),1,0)")
        f["crossover_marker"] = f"=IF({m}=summary_crossover_month,{W('cum_inference')},0)"
        f["cum_revenue"] = running("cum_revenue", "revenue")
        f["cum_cash"] = running("cum_cash", "cash_total")
        f["payback_flag"] = f"=IF(AND({W('cum_revenue')}>={W('cum_cash')},{W('cum_revenue')}>0),1,0)"
        f["cum_net"] = f"={W('net')}" if r == first else f"={W('cum_net', prev)}+{W('net')}"
        f["net_sign"] = f"=SIGN({W('cum_net')})"
        if r == first:
            f["carried_sign"] = f"={W('net_sign')}"
            f["sign_change"] = "=0"
            f["first_sign"] = f"={W('net_sign')}"
        else:
            f["carried_sign"] = f"=IF({W('net_sign')}<>0,{W('net_sign')},{W('carried_sign', prev)})"
            f["sign_change"] = (f"=IF(AND({W('carried_sign', prev)}<>0,"
                                f"{W('carried_sign')}<>{W('carried_sign', prev)}),1,0)")
            f["first_sign"] = f"=IF({W('first_sign', prev)}<>0,{W('first_sign', prev)},{W('net_sign')})"
        for key, formula in f.items():
            ws[f"{w[key]}{r}"].value = formula

        # the Monthly series (MODEL.md 3 to 5)
        def X(key):  # a Workings cell of this row, from the Monthly sheet
            return f"Workings!{w[key]}{r}"

        def Y(key):  # a Monthly cell of this row
            return f"{mo[key]}{r}"

        s = {}
        s["training_compute"] = f"=IF({X('train_hours')}>0,{X('train_hours')}*{X('train_rate')},0)"
        s["training_fixed"] = (f"=IF({X('m')}<training_duration_months,training_fixed_cost/training_duration_months,0)"
                               f"+{X('refresh_runs')}*(training_refresh_fixed_cost/training_refresh_duration_months)")
        s["inference_compute"] = (f'=IF({dep}="api",{X("api_compute")},IF({dep}="cloud",{X("cloud_compute")},'
                                  f'IF(finance_basis="accrual",{X("owned_depreciation")},{X("owned_capex")})))')
        s["inference_energy"] = f'=IF({dep}="owned",{X("owned_energy")},0)'
        s["inference_facility"] = f'=IF({dep}="owned",{X("owned_facility")},0)'
        s["inference_ops"] = f"=IF({X('live')}=1,inference_ops_cost_per_month,0)"
        s["training"] = f"={Y('training_compute')}+{Y('training_fixed')}"
        s["inference"] = (f"={Y('inference_compute')}+{Y('inference_energy')}+{Y('inference_facility')}"
                          f"+{Y('inference_ops')}")
        s["total"] = f"={Y('training')}+{Y('inference')}"
        s["requests"] = f"={X('demand')}*calc_days"
        s["tokens"] = f"={X('prefill')}+{X('decode')}"
        s["chips"] = f'=IF({dep}="owned",{X("alive")},IF({dep}="cloud",{X("required")},0))'
        s["capex"] = f'=IF({dep}="owned",{X("owned_capex")},0)'
        s["depreciation"] = f'=IF({dep}="owned",{X("owned_depreciation")},0)'
        s["revenue"] = (f"={Y('requests')}*business_revenue_per_request"
                        f"*(1+business_revenue_change)^({X('m')}/12)")
        s["cash_training"] = f"={Y('training')}"
        s["cash_inference"] = (f'=IF({dep}="owned",{Y("inference")}-{Y("inference_compute")}+{Y("capex")},'
                               f'{Y("inference")})')
        s["cash_total"] = f"={Y('cash_training')}+{Y('cash_inference')}"
        for key, formula in s.items():
            monthly_ws[f"{mo[key]}{r}"].value = formula


# ---- Summary ----------------------------------------------------------------------


def _calendar_label(index_expr: str) -> str:
    """Formula text of 'Mon YYYY' for a month index expression, '' when the index is ''."""
    date = f"DATE(calc_start_year,calc_start_month+{index_expr},1)"
    return f'IF({index_expr}="","",CHOOSE(MONTH({date}),{_MONTH_NAMES})&" "&YEAR({date}))'


def _summary_formulas() -> dict[str, str]:
    """The formula of every summary key (MODEL.md section 5)."""
    dep = "inference_deployment"
    first = "MATCH(1,{flags},0)"
    first_month = '=IF(ISNA({m}),"",{m}-1)'
    return {
        "training_cost": "=SUM(series_training)",
        "inference_cost": "=SUM(series_inference)",
        "total_cost": "=SUM(series_total)",
        "inference_share": '=IF(summary_total_cost<>0,summary_inference_cost/summary_total_cost,"")',
        "crossover_month": first_month.format(m=first.format(flags="crossover_flags")),
        "npv_total": "=SUMPRODUCT(series_cash_total,discount_factors)",
        "npv_training": "=SUMPRODUCT(series_cash_training,discount_factors)",
        "npv_inference": "=SUMPRODUCT(series_cash_inference,discount_factors)",
        "cost_per_million_tokens": '=IF(SUM(series_tokens)>0,summary_inference_cost/(SUM(series_tokens)/1E6),"")',
        "cost_per_request": '=IF(SUM(series_requests)>0,summary_inference_cost/SUM(series_requests),"")',
        "peak_chips": "=MAX(series_chips)",
        "training_chips": "=calc_hours_initial/(training_duration_months*calc_hours)",
        "energy_mwh": f'=IF({dep}="owned",SUM(Workings!{{energy}}),0)',
        "residual_book_value": f'=IF({dep}="owned",SUM(series_capex)-SUM(series_depreciation),0)',
        "replica_chips": f'=IF({dep}="api","",inference_chips_per_replica)',
        "replica_prefill_tokens_per_s": f'=IF({dep}="api","",calc_replica_prefill)',
        "replica_decode_tokens_per_s": f'=IF({dep}="api","",calc_replica_decode)',
        "revenue_total": "=SUM(series_revenue)",
        "profit": "=summary_revenue_total-summary_total_cost",
        "npv_profit": "=SUMPRODUCT(net_cash_flow,discount_factors)",
        "payback_month": first_month.format(m=first.format(flags="payback_flags")),
        "irr": "=IF(AND(Workings!{first_sign_last}<0,SUM(Workings!{sign_changes})=1),"
               '(1+IRR(net_cash_flow,calc_irr_guess))^12-1,"")',
    }


def _kpi_format(key: str, currency: str) -> str:
    if key in ("cost_per_request",):
        return _money_format(currency, 6)
    if key in ("cost_per_million_tokens",):
        return _money_format(currency, 4)
    if key in MONEY_KEYS:
        return _money_format(currency)
    if key in SHARE_KEYS:
        return PERCENT
    if key in MONTH_KEYS:
        return "0"
    if key in ("training_chips", "energy_mwh"):
        return "#,##0.0"
    return COUNT


def _industry_figures() -> dict:
    from ..paths import resource_file

    with open(resource_file("industry.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _summary_sheet(book: _Book, ws, scenario, months: int, monthly: _Columns, w: _Columns) -> None:
    st = book.st
    cur = scenario.currency
    book.text(ws, 1, 1, f"Lifetime cost: {scenario.name or '(unnamed scenario)'}", font=st["title"])
    ws.cell(2, 1).value = ('="Model "&model_name&", "&horizon_years&" years from "&start_month'
                           '&", amounts in "&currency&"; deployment "&inference_deployment'
                           '&", accounting basis "&finance_basis')
    ws.cell(2, 1).font = st["note_font"]
    book.header(ws, 4, ["Key figure", "Value", "Unit", "Calendar month", "Key"])
    formulas = _summary_formulas()
    row = 5
    for key in SUMMARY:
        label, unit = SUMMARY_LABELS[key]
        formula = formulas[key].format(
            energy=w.range("energy_mwh", external=False),
            first_sign_last=f"${w['first_sign']}${w.last}",
            sign_changes=w.range("sign_change", external=False),
        )
        book.text(ws, row, 1, label)
        cell = ws.cell(row, 2)
        cell.value = formula
        cell.number_format = _kpi_format(key, cur)
        cell.font = st["bold"]
        unit_text = unit.format(cur=cur)
        if key in MONTH_KEYS:
            unit_text = "month index (0 = start month)"
            ws.cell(row, 4).value = f"={_calendar_label(f'summary_{key}')}"
            label_name = f"label_{key}"
            book.name(label_name, _abs_ref("Summary", "D", row))
        book.text(ws, row, 3, unit_text)
        book.text(ws, row, 5, key, font=st["key_font"])
        book.name(f"summary_{key}", _abs_ref("Summary", "B", row))
        row += 1
    book.text(ws, row, 1, "Empty: not defined (no crossover or payback within the horizon, no tokens, IRR rule "
                          "not met, no chips for an API).", font=st["note_font"])
    row += 2

    industry = _industry_figures()
    book.section(ws, row, "Inference share: this scenario beside industry reference figures", 5)
    row += 1
    book.header(ws, row, ["Figure", "Inference share", "Source", "As of", "Link"])
    row += 1
    book.text(ws, row, 1, "This scenario: inference share of lifetime cost", font=st["bold"])
    ws.cell(row, 2).value = "=summary_inference_share"
    ws.cell(row, 2).number_format = PERCENT
    book.text(ws, row, 3, "this workbook")
    row += 1
    for item in industry.get("inference_share", []):
        book.text(ws, row, 1, item.get("label", ""), alignment=st["wrap"])
        ws.cell(row, 2).value = float(item["share"])
        ws.cell(row, 2).number_format = PERCENT
        book.text(ws, row, 3, item.get("source", ""), alignment=st["wrap"])
        book.text(ws, row, 4, item.get("as_of", ""))
        book.text(ws, row, 5, item.get("url", ""))
        row += 1
    book.text(ws, row, 1, "Industry figures are shares of all AI compute, not of one programme's cost; "
                          "they are context, not inputs.", font=st["note_font"])
    last = row
    for col, width in zip("ABCDE", (46, 20, 40, 16, 34)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
    ws.print_area = f"A1:E{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"


# ---- Yearly -----------------------------------------------------------------------


def _yearly_sheet(book: _Book, ws, scenario, months: int, mo: _Columns) -> _Columns:
    st = book.st
    cur = scenario.currency
    years = months // 12
    book.text(ws, 1, 1, "Yearly figures", font=st["title"])
    book.text(ws, 2, 1, "Sums of each year's months from the Monthly sheet; chips: the year's peak.",
              font=st["note_font"])
    keys = ("year", "period") + SERIES
    y = _Columns("Yearly", keys, 1, years)
    titles = ["Year", "Period"] + [series_title(key, cur, yearly=True) for key in SERIES]
    book.header(ws, HEADER_ROW, titles)
    for i, key in enumerate(keys):
        book.text(ws, KEY_ROW, 1 + i, key, font=st["key_font"])
    money = _money_format(cur)
    for i in range(years):
        r = y.first + i
        a, b = mo.first + 12 * i, mo.first + 12 * i + 11
        ws.cell(r, 1).value = "=1" if i == 0 else f"=A{r - 1}+1"
        ws.cell(r, 2).value = (f'={_calendar_label(f"Monthly!A{a}")}&" to "&{_calendar_label(f"Monthly!A{b}")}')
        for key in SERIES:
            fn = "MAX" if key == "chips" else "SUM"
            cell = ws[f"{y[key]}{r}"]
            cell.value = f"={fn}(Monthly!{mo[key]}{a}:{mo[key]}{b})"
            cell.number_format = money if SERIES_LABELS[key][2] == "money" else COUNT
    for key in SERIES:
        book.name(f"yearly_{key}", y.range(key))
        ws.column_dimensions[y[key]].width = 18
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 22
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"C{FIRST_ROW}"
    return y


# ---- Chips ------------------------------------------------------------------------


def _chips_sheet(book: _Book, ws, scenario, chips) -> None:
    st = book.st
    book.text(ws, 1, 1, "Chips used", font=st["title"])
    book.text(ws, 2, 1, "As in the bundled catalog or the scenario's own chips at export. The Inputs sheet holds "
                        "the figures the formulas use.", font=st["note_font"])
    specs = list(CHIP_SPEC_LABELS)
    titles = (["Role", "Id", "Name", "Vendor"] + [f"{t} ({u})" for t, u in CHIP_SPEC_LABELS.values()]
              + ["Source", "As of", "Notes"])
    book.header(ws, HEADER_ROW, titles)
    roles: dict[str, list[str]] = {}
    roles.setdefault(scenario.training.chip, []).append("training")
    api = scenario.inference.deployment == "api"
    roles.setdefault(scenario.inference.chip, []).append("inference (unused: API)" if api else "inference")
    custom = {chip.id for chip in scenario.chips}
    row = FIRST_ROW
    for chip_id, used_as in roles.items():
        chip = chips.get(chip_id)
        book.text(ws, row, 1, ", ".join(used_as))
        book.text(ws, row, 2, chip_id)
        if chip is not None:
            book.text(ws, row, 3, chip.name)
            book.text(ws, row, 4, chip.vendor)
            for i, spec in enumerate(specs):
                value = getattr(chip, spec)
                if value is not None:
                    ws.cell(row, 5 + i).value = float(value)
                    ws.cell(row, 5 + i).number_format = "#,##0.00##"
            origin = "scenario's own chip" if chip_id in custom else "bundled catalog"
            book.text(ws, row, 5 + len(specs), f"{origin}: {chip.source}", alignment=st["wrap"])
            book.text(ws, row, 6 + len(specs), chip.as_of)
            book.text(ws, row, 7 + len(specs), chip.notes, alignment=st["wrap"])
        row += 1
    widths = [22, 12, 24, 10] + [12] * len(specs) + [60, 12, 60]
    for i, width in enumerate(widths):
        ws.column_dimensions[_col(i + 1)].width = width
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"C{FIRST_ROW}"


# ---- Check ------------------------------------------------------------------------


def _engine_value(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _check_sheet(book: _Book, ws, scenario, result: Result, months: int) -> None:
    st = book.st
    cur = scenario.currency
    book.text(ws, 1, 1, "Check: workbook formulas against the tcoapp engine", font=st["title"])
    book.text(ws, 2, 1, "Engine values are those of the scenario at export. The differences read 0 until an input "
                        "is changed; after that the formulas show the new scenario and the engine values are stale.",
              font=st["note_font"])
    book.header(ws, HEADER_ROW, ["Key figure", "Workbook", "Engine", "Difference", "Status"])
    row = FIRST_ROW
    for key in SUMMARY:
        tol = CHECK_TOLERANCE_IRR if key == "irr" else CHECK_TOLERANCE
        book.text(ws, row, 1, key)
        ws.cell(row, 2).value = f"=summary_{key}"
        engine = _engine_value(result.summary[key][0])
        if engine is not None:
            ws.cell(row, 3).value = engine
        ws.cell(row, 4).value = (f'=IF(AND(ISNUMBER(B{row}),ISNUMBER(C{row})),B{row}-C{row},'
                                 f'IF(AND(NOT(ISNUMBER(B{row})),NOT(ISNUMBER(C{row}))),0,"one is empty"))')
        ws.cell(row, 5).value = (f'=IF(ISNUMBER(D{row}),IF(ABS(D{row})<={tol}*MAX(1,ABS(C{row})),"OK",'
                                 f'"DIFFERS"),"DIFFERS")')
        fmt = _kpi_format(key, cur)
        for col in (2, 3, 4):
            ws.cell(row, col).number_format = fmt if key not in SHARE_KEYS else "0.000000%"
        row += 1
    summary_last = row - 1
    row += 1
    book.header(ws, row, ["Monthly series", "Workbook total", "Engine total",
                          "Sum of |monthly differences|", "Status"])
    row += 1
    engine_first_col = 8
    e = _Columns("Check", SERIES, engine_first_col, months)
    series_first = row
    for key in SERIES:
        book.text(ws, row, 1, key)
        ws.cell(row, 2).value = f"=SUM(series_{key})"
        engine = e.range(key, external=False)
        ws.cell(row, 3).value = f"=SUM({engine})"
        ws.cell(row, 4).value = f"=SUMPRODUCT(ABS(series_{key}-{engine}))"
        ws.cell(row, 5).value = f'=IF(D{row}<={CHECK_TOLERANCE}*MAX(1,SUMPRODUCT(ABS({engine}))),"OK","DIFFERS")'
        fmt = _money_format(cur, 2) if SERIES_LABELS[key][2] == "money" else "#,##0.00"
        for col in (2, 3, 4):
            ws.cell(row, col).number_format = fmt
        row += 1
    series_last = row - 1
    row += 1
    book.text(ws, row, 1, "All checks", font=st["bold"])
    ws.cell(row, 2).value = (f'=IF(COUNTIF(E{FIRST_ROW}:E{summary_last},"OK")+COUNTIF(E{series_first}:E{series_last},'
                             f'"OK")={len(SUMMARY) + len(SERIES)},"OK","DIFFERS")')
    ws.cell(row, 2).font = st["bold"]
    book.name("check_status", _abs_ref("Check", "B", row))

    book.text(ws, KEY_ROW, engine_first_col - 1, "Engine monthly values at export:", font=st["bold"])
    book.header(ws, HEADER_ROW, ["Month"] + [series_title(key, cur) for key in SERIES], col=engine_first_col - 1)
    for i in range(months):
        ws.cell(FIRST_ROW + i, engine_first_col - 1).value = i
    for j, key in enumerate(SERIES):
        values = result.series[key][0]
        col = engine_first_col + j
        fmt = _money_format(cur) if SERIES_LABELS[key][2] == "money" else COUNT
        for i in range(months):
            v = _engine_value(values[i])
            cell = ws.cell(FIRST_ROW + i, col)
            if v is not None:
                cell.value = v
            cell.number_format = fmt
        ws.column_dimensions[_col(col)].width = 16
    ws.column_dimensions["A"].width = 30
    for col in "BCD":
        ws.column_dimensions[col].width = 22
    ws.column_dimensions["E"].width = 10
    ws.column_dimensions["F"].width = 3
    ws.column_dimensions["G"].width = 8
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"A{FIRST_ROW}"


# ---- Charts -----------------------------------------------------------------------


def _axes_visible(chart) -> None:
    # openpyxl 3.1 leaves axes' <c:delete> unset, which recent Excel reads as hidden
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _charts_sheet(book: _Book, ws, scenario, months: int, mo: _Columns, w: _Columns, y: _Columns) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    cur = scenario.currency
    st = book.st
    monthly_ws = book.wb["Monthly"]
    workings_ws = book.wb["Workings"]
    yearly_ws = book.wb["Yearly"]
    book.text(ws, 1, 1, "Charts", font=st["title"])
    book.text(ws, 2, 1, "Native charts over the Monthly, Yearly and Workings sheets; they follow any change to "
                        "the inputs.", font=st["note_font"])
    cats = Reference(monthly_ws, min_col=2, min_row=mo.first, max_row=mo.last)
    money_axis = '#,##0,,"M"'

    # 1. monthly cost stacked by category
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 20
    chart.title = "Monthly cost by category"
    first_col = MONTHLY_KEYS.index(COST_CATEGORIES[0]) + 1
    last_col = MONTHLY_KEYS.index(COST_CATEGORIES[-1]) + 1
    chart.add_data(Reference(monthly_ws, min_col=first_col, max_col=last_col, min_row=HEADER_ROW, max_row=mo.last),
                   titles_from_data=True)
    chart.set_categories(cats)
    chart.y_axis.title = f"{cur} million per month"
    chart.y_axis.numFmt = money_axis
    chart.x_axis.title = "Month"
    chart.x_axis.number_format = MONTH_DATE
    _axes_visible(chart)
    chart.width, chart.height = 26, 12
    ws.add_chart(chart, "A4")

    # 2. cumulative training against inference, with the crossover marked
    line = LineChart()
    line.title = "Cumulative training and inference cost"
    col_t = list(WORKING_COLUMNS).index("cum_training") + _WORKINGS_FIRST_COL
    line.add_data(Reference(workings_ws, min_col=col_t, max_col=col_t + 1, min_row=HEADER_ROW, max_row=w.last),
                  titles_from_data=True)
    line.set_categories(cats)
    for series in line.series:
        series.smooth = False
        series.marker.symbol = "none"
    bar = BarChart()
    col_x = list(WORKING_COLUMNS).index("crossover_marker") + _WORKINGS_FIRST_COL
    bar.add_data(Reference(workings_ws, min_col=col_x, min_row=HEADER_ROW, max_row=w.last), titles_from_data=True)
    bar.gapWidth = 0
    bar.series[0].graphicalProperties.solidFill = "C00000"
    bar.series[0].graphicalProperties.line.solidFill = "C00000"
    line.y_axis.title = f"{cur} million"
    line.y_axis.numFmt = money_axis
    line.x_axis.title = "Month"
    line.x_axis.number_format = MONTH_DATE
    _axes_visible(line)
    line += bar
    line.width, line.height = 26, 12
    ws.add_chart(line, "A29")

    # 3. yearly bars
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Yearly cost"
    ycol = ("year", "period") + SERIES
    c1 = ycol.index("training") + 1
    chart.add_data(Reference(yearly_ws, min_col=c1, max_col=c1 + 1, min_row=HEADER_ROW, max_row=y.last),
                   titles_from_data=True)
    chart.set_categories(Reference(yearly_ws, min_col=1, min_row=y.first, max_row=y.last))
    chart.y_axis.title = f"{cur} million per year"
    chart.y_axis.numFmt = money_axis
    chart.x_axis.title = "Year"
    _axes_visible(chart)
    chart.width, chart.height = 26, 12
    ws.add_chart(chart, "A54")

    # 4. chips in service
    chart = LineChart()
    chart.title = "Inference chips in service"
    c = MONTHLY_KEYS.index("chips") + 1
    chart.add_data(Reference(monthly_ws, min_col=c, min_row=HEADER_ROW, max_row=mo.last), titles_from_data=True)
    chart.set_categories(cats)
    chart.series[0].marker.symbol = "none"
    chart.series[0].smooth = False
    chart.y_axis.title = "Chips"
    chart.y_axis.numFmt = "#,##0"
    chart.x_axis.title = "Month"
    chart.x_axis.number_format = MONTH_DATE
    _axes_visible(chart)
    chart.width, chart.height = 26, 12
    ws.add_chart(chart, "A79")


# ---- Sensitivity and Monte Carlo ----------------------------------------------------


def _sensitivity_sheet(book: _Book, ws, scenario, tornado: Mapping) -> None:
    from openpyxl.chart import BarChart, Reference

    st = book.st
    unit = str(tornado.get("unit", ""))
    label = str(tornado.get("metric_label", tornado.get("metric", "")))
    book.text(ws, 1, 1, f"Sensitivity: {label}", font=st["title"])
    book.text(ws, 2, 1, "Each input moved alone from its low to its high value, the others at their base values "
                        "(computed by tcoapp; values, not formulas). Sorted by swing.", font=st["note_font"])
    book.text(ws, 3, 1, f"Base {label}")
    ws.cell(3, 2).value = float(tornado["base"])
    book.text(ws, 3, 3, unit)
    book.name("tornado_base", _abs_ref("Sensitivity", "B", 3))
    book.header(ws, HEADER_ROW, ["Input", "Field", "Low input", "High input", f"{label} at low ({unit})",
                                 f"{label} at high ({unit})", f"Swing ({unit})", "Low - base", "High - base"])
    rows = list(tornado.get("rows", []))
    r = FIRST_ROW
    money = unit == scenario.currency
    fmt = _money_format(scenario.currency) if money else "#,##0.####"
    for item in rows:
        book.text(ws, r, 1, item.get("title", item["path"]))
        book.text(ws, r, 2, item["path"])
        ws.cell(r, 3).value = float(item["low_input"])
        ws.cell(r, 4).value = float(item["high_input"])
        ws.cell(r, 5).value = float(item["low_metric"])
        ws.cell(r, 6).value = float(item["high_metric"])
        ws.cell(r, 7).value = f"=ABS(F{r}-E{r})"
        ws.cell(r, 8).value = f"=E{r}-tornado_base"
        ws.cell(r, 9).value = f"=F{r}-tornado_base"
        for col in (5, 6, 7, 8, 9):
            ws.cell(r, col).number_format = fmt
        for col in (3, 4):
            ws.cell(r, col).number_format = "#,##0.####"
        r += 1
    ws.cell(3, 2).number_format = fmt
    for col, width in zip("ABCDEFGHI", (34, 36, 12, 12, 20, 20, 18, 18, 18)):
        ws.column_dimensions[col].width = width
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"A{FIRST_ROW}"
    if not rows:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.gapWidth = 40
    chart.title = f"Tornado: {label}"
    chart.add_data(Reference(ws, min_col=8, max_col=9, min_row=HEADER_ROW, max_row=r - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=FIRST_ROW, max_row=r - 1))
    chart.x_axis.scaling.orientation = "maxMin"  # largest swing on top
    chart.y_axis.title = f"Change from base ({unit})"
    chart.y_axis.numFmt = '#,##0,,"M"' if money else "#,##0.##"
    _axes_visible(chart)
    chart.width, chart.height = 24, max(8, 1.0 * len(rows) + 4)
    ws.add_chart(chart, f"A{r + 2}")


def monte_carlo_items(monte_carlo, currency: str) -> list[dict]:
    """Rows for the Monte Carlo sheet from the solver's result (``tcoapp.scenario.sensitivity.monte_carlo``).

    Already-made rows (dicts with ``percentiles``) pass through unchanged.
    """
    if isinstance(monte_carlo, Mapping) and "metrics" in monte_carlo:
        from ..scenario.outputs import metric_label

        rows = []
        for key, stats in monte_carlo["metrics"].items():
            label, unit = metric_label(key, currency)
            rows.append({"metric": key, "metric_label": label, "unit": unit, "samples": monte_carlo["samples"],
                         "mean": stats.get("mean"),
                         "percentiles": {float(p[1:]): stats.get(p) for p in ("p5", "p10", "p50", "p90", "p95")}})
        return rows
    return [monte_carlo] if isinstance(monte_carlo, Mapping) else list(monte_carlo)


def _monte_carlo_sheet(book: _Book, ws, monte_carlo, currency: str = "USD") -> None:
    st = book.st
    items = monte_carlo_items(monte_carlo, currency)
    book.text(ws, 1, 1, "Monte Carlo", font=st["title"])
    samples = items[0].get("samples") if items else None
    book.text(ws, 2, 1, "Percentiles of each figure over random draws of the uncertain inputs (computed by tcoapp)"
              + (f"; {samples} samples." if samples else "."), font=st["note_font"])
    percentiles = sorted({float(p) for item in items for p in item.get("percentiles", {})})
    titles = ["Figure", "Unit", "Mean"] + [f"P{p:g}" for p in percentiles]
    book.header(ws, HEADER_ROW, titles)
    r = FIRST_ROW
    for item in items:
        book.text(ws, r, 1, str(item.get("metric_label", item.get("metric", ""))))
        book.text(ws, r, 2, str(item.get("unit", "")))
        if item.get("mean") is not None:
            ws.cell(r, 3).value = float(item["mean"])
        values = {float(p): v for p, v in item.get("percentiles", {}).items()}
        for i, p in enumerate(percentiles):
            if values.get(p) is not None:
                ws.cell(r, 4 + i).value = float(values[p])
        for col in range(3, 4 + len(percentiles)):
            ws.cell(r, col).number_format = "#,##0.####"
        r += 1
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 14
    for i in range(len(percentiles) + 1):
        ws.column_dimensions[_col(3 + i)].width = 18
    ws.freeze_panes = f"B{FIRST_ROW}"


__all__ = ["build_workbook", "defined_name", "CHECK_TOLERANCE", "CHECK_TOLERANCE_IRR", "FIRST_ROW"]
