"""Workbook core: layout constants, styles, number formats, cell and name helpers."""

from __future__ import annotations

import math
from typing import Iterable

from ...engine import CHIP_SPECS

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

#: The formula contract the workbook implements (docs/methodology.md, model version).
MODEL_VERSION = 1


def export_stamp() -> str:
    """'Exported 2026-12-02 14:05 UTC by tcoapp 1.2.0, model version 1'."""
    from datetime import datetime, timezone

    from ... import __version__

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"Exported {now} by tcoapp {__version__}, model version {MODEL_VERSION} (docs/methodology.md)"


#: Axis format of amounts: millions, thousands or units as the value needs (never "0M" on small scenarios).
AXIS_AMOUNT = '[>=1000000]#,##0.#,,"M";[>=1000]#,##0.#,"k";#,##0'
#: The same for signed differences (tornado): large negatives in millions, the rest in units.
AXIS_SIGNED = '[<=-1000000]-#,##0.#,,"M";[>=1000000]#,##0.#,,"M";#,##0'


MONTH_NAMES = '"Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"'

# ---- styles ---------------------------------------------------------------------

_INPUT_FILL = "FFF2CC"  # pale yellow: values the user may change
_DERIVED_FILL = "E2EFDA"  # pale green: formulas that derive an empty field
_HEADER_FILL = "1F4E78"
_SECTION_FILL = "D9E1F2"
_FIXED_FILL = "D9D9D9"  # grey: fixed at export, locked


def styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "title": Font(bold=True, size=14),
        "header_font": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor=_HEADER_FILL),
        "section_font": Font(bold=True),
        "section_fill": PatternFill("solid", fgColor=_SECTION_FILL),
        "input_fill": PatternFill("solid", fgColor=_INPUT_FILL),
        "derived_fill": PatternFill("solid", fgColor=_DERIVED_FILL),
        "fixed_fill": PatternFill("solid", fgColor=_FIXED_FILL),
        "key_font": Font(color="808080", size=8),
        "note_font": Font(italic=True, color="595959"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "bold": Font(bold=True),
    }


def money_format(currency: str, decimals: int = 0) -> str:
    digits = "0" if decimals == 0 else "0." + "0" * decimals
    return f'"{currency}" #,##{digits};-"{currency}" #,##{digits}'


PERCENT = "0.0%"
PERCENT_INPUT = "0.00%"
COUNT = "#,##0"
MONTH_DATE = "mmm yyyy"


def text_literal(value: str) -> str:
    """A string as an Excel formula literal."""
    return '"' + str(value).replace('"', '""') + '"'


def quote_sheet(name: str) -> str:
    return f"'{name}'" if not name.isalnum() else name


def abs_ref(sheet: str, col: str, row: int, col2: str | None = None, row2: int | None = None) -> str:
    ref = f"{quote_sheet(sheet)}!${col}${row}"
    if col2 is not None:
        ref += f":${col2}${row2}"
    return ref


def defined_name(path: str) -> str:
    """The workbook name of a field path.

    >>> defined_name("inference.efficiency.max_batch")
    'inference_efficiency_max_batch'
    """
    return path.replace(".", "_")



def unlock(cell) -> None:
    """Leave a cell editable when its sheet is protected."""
    from openpyxl.styles import Protection

    cell.protection = Protection(locked=False)


def protect(ws) -> None:
    """Protect a sheet without a password: formulas are locked, unlocked cells stay editable."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False


class Book:
    """A workbook under construction with its defined names."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook()
        self.st = styles()
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


def col_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


class Columns:
    """Column letters of a sheet's monthly block, by key."""

    def __init__(self, sheet: str, keys: Iterable[str], first_col: int, months: int):
        self.sheet = sheet
        self.letters = {key: col_letter(first_col + i) for i, key in enumerate(keys)}
        self.first = FIRST_ROW
        self.last = FIRST_ROW + months - 1

    def __getitem__(self, key: str) -> str:
        return self.letters[key]

    def cell(self, key: str, row: int, *, external: bool = False) -> str:
        prefix = f"{quote_sheet(self.sheet)}!" if external else ""
        return f"{prefix}{self.letters[key]}{row}"

    def range(self, key: str, *, external: bool = True, absolute: bool = True) -> str:
        col = self.letters[key]
        prefix = f"{quote_sheet(self.sheet)}!" if external else ""
        if absolute:
            return f"{prefix}${col}${self.first}:${col}${self.last}"
        return f"{prefix}{col}{self.first}:{col}{self.last}"


def engine_value(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def total_row(book: Book, ws, cols: Columns, label: str, money: str) -> None:
    """A totals row under a block of series columns: sums, and the peak for chips."""
    from ...engine import SERIES
    from ..tables import SERIES_LABELS

    r = cols.last + 1
    book.text(ws, r, 1, label, font=book.st["bold"])
    for key in SERIES:
        fn = "MAX" if key == "chips" else "SUM"
        cell = ws[f"{cols[key]}{r}"]
        cell.value = f"={fn}({cols[key]}{cols.first}:{cols[key]}{cols.last})"
        cell.number_format = money if SERIES_LABELS[key][2] == "money" else COUNT
        cell.font = book.st["bold"]
