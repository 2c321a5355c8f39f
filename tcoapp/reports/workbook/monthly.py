"""The Monthly sheet: one row per month, one column per series."""

from __future__ import annotations

from ...engine import SERIES
from ..tables import SERIES_LABELS, series_title
from .core import COUNT, total_row, FIRST_ROW, HEADER_ROW, KEY_ROW, MONTH_DATE, Book, Columns, money_format

MONTHLY_KEYS = ("month_index", "month") + SERIES


def monthly_sheet(book: Book, ws, scenario, months: int) -> Columns:
    """Lays out the Monthly sheet's columns; the formulas are written with the Workings."""
    cols = Columns("Monthly", MONTHLY_KEYS, 1, months)
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
    money = money_format(cur)
    for r in range(cols.first, cols.last + 1):
        ws.cell(r, 1).value = f"=ROWS(A${cols.first}:A{r})-1"
        date = ws.cell(r, 2)
        date.value = f"=DATE(calc_start_year,calc_start_month+A{r},1)"
        date.number_format = MONTH_DATE
    for key in SERIES:
        fmt = money if SERIES_LABELS[key][2] == "money" else COUNT
        letter = cols[key]
        for r in range(cols.first, cols.last + 1):
            ws[f"{letter}{r}"].number_format = fmt
    total_row(book, ws, cols, "Total", money)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 10
    for key in SERIES:
        ws.column_dimensions[cols[key]].width = 18
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"C{FIRST_ROW}"
    return cols
