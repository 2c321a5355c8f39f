"""The Yearly sheet: each year's sums of the Monthly series (peak for chips)."""

from __future__ import annotations

from ...engine import SERIES
from ..tables import SERIES_LABELS, series_title
from .core import COUNT, total_row, FIRST_ROW, HEADER_ROW, KEY_ROW, Book, Columns, money_format
from .summary import calendar_label

# ---- Yearly -----------------------------------------------------------------------


def yearly_sheet(book: Book, ws, scenario, months: int, mo: Columns) -> Columns:
    st = book.st
    cur = scenario.currency
    years = months // 12
    book.text(ws, 1, 1, "Yearly figures", font=st["title"])
    book.text(ws, 2, 1, "Sums of each year's months from the Monthly sheet; chips: the year's peak.",
              font=st["note_font"])
    keys = ("year", "period") + SERIES
    y = Columns("Yearly", keys, 1, years)
    titles = ["Year", "Period"] + [series_title(key, cur, yearly=True) for key in SERIES]
    book.header(ws, HEADER_ROW, titles)
    for i, key in enumerate(keys):
        book.text(ws, KEY_ROW, 1 + i, key, font=st["key_font"])
    money = money_format(cur)
    Y = "const_months_per_year"
    for i in range(years):
        r = y.first + i
        start, end = f"({Y}*(A{r}-1))", f"({Y}*A{r}-1)"
        ws.cell(r, 1).value = f"=ROWS(A${y.first}:A{r})"
        ws.cell(r, 2).value = f'={calendar_label(start)}&" to "&{calendar_label(end)}'
        for key in SERIES:
            fn = "MAX" if key == "chips" else "SUM"
            cell = ws[f"{y[key]}{r}"]
            cell.value = f"={fn}(OFFSET(series_{key},{start},0,{Y},1))"
            cell.number_format = money if SERIES_LABELS[key][2] == "money" else COUNT
    total_row(book, ws, y, "Total (chips: peak)", money)
    for key in SERIES:
        book.name(f"yearly_{key}", y.range(key))
        ws.column_dimensions[y[key]].width = 18
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 22
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"C{FIRST_ROW}"
    return y
