"""The Check sheet: the engine's values at export beside the formulas."""

from __future__ import annotations

from ...engine import SERIES, SUMMARY, Result
from ..report import SHARE_KEYS
from ..tables import SERIES_LABELS, series_title
from .core import (CHECK_TOLERANCE, CHECK_TOLERANCE_IRR, COUNT, FIRST_ROW, HEADER_ROW, KEY_ROW, Book, Columns,
                   abs_ref, col_letter, engine_value, money_format)
from .summary import kpi_format

# ---- Check ------------------------------------------------------------------------


def check_sheet(book: Book, ws, scenario, result: Result, months: int) -> None:
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
        engine = engine_value(result.summary[key][0])
        if engine is not None:
            ws.cell(row, 3).value = engine
        ws.cell(row, 4).value = (f'=IF(AND(ISNUMBER(B{row}),ISNUMBER(C{row})),B{row}-C{row},'
                                 f'IF(AND(NOT(ISNUMBER(B{row})),NOT(ISNUMBER(C{row}))),0,"one is empty"))')
        ws.cell(row, 5).value = (f'=IF(ISNUMBER(D{row}),IF(ABS(D{row})<={tol}*MAX(1,ABS(C{row})),"OK",'
                                 f'"DIFFERS"),"DIFFERS")')
        fmt = kpi_format(key, cur)
        for col in (2, 3, 4):
            ws.cell(row, col).number_format = fmt if key not in SHARE_KEYS else "0.000000%"
        row += 1
    summary_last = row - 1
    row += 1
    book.header(ws, row, ["Monthly series", "Workbook total", "Engine total",
                          "Sum of |monthly differences|", "Status"])
    row += 1
    engine_first_col = 8
    e = Columns("Check", SERIES, engine_first_col, months)
    series_first = row
    for key in SERIES:
        book.text(ws, row, 1, key)
        ws.cell(row, 2).value = f"=SUM(series_{key})"
        engine = e.range(key, external=False)
        ws.cell(row, 3).value = f"=SUM({engine})"
        ws.cell(row, 4).value = f"=SUMPRODUCT(ABS(series_{key}-{engine}))"
        ws.cell(row, 5).value = f'=IF(D{row}<={CHECK_TOLERANCE}*MAX(1,SUMPRODUCT(ABS({engine}))),"OK","DIFFERS")'
        fmt = money_format(cur, 2) if SERIES_LABELS[key][2] == "money" else "#,##0.00"
        for col in (2, 3, 4):
            ws.cell(row, col).number_format = fmt
        row += 1
    series_last = row - 1
    row += 1
    book.text(ws, row, 1, "All checks", font=st["bold"])
    ws.cell(row, 2).value = (f'=IF(COUNTIF(E{FIRST_ROW}:E{summary_last},"OK")+COUNTIF(E{series_first}:E{series_last},'
                             f'"OK")={len(SUMMARY) + len(SERIES)},"OK","DIFFERS")')
    ws.cell(row, 2).font = st["bold"]
    book.name("check_status", abs_ref("Check", "B", row))

    book.text(ws, KEY_ROW, engine_first_col - 1, "Engine monthly values at export:", font=st["bold"])
    book.header(ws, HEADER_ROW, ["Month"] + [series_title(key, cur) for key in SERIES], col=engine_first_col - 1)
    for i in range(months):
        ws.cell(FIRST_ROW + i, engine_first_col - 1).value = i
    for j, key in enumerate(SERIES):
        values = result.series[key][0]
        col = engine_first_col + j
        fmt = money_format(cur) if SERIES_LABELS[key][2] == "money" else COUNT
        for i in range(months):
            v = engine_value(values[i])
            cell = ws.cell(FIRST_ROW + i, col)
            if v is not None:
                cell.value = v
            cell.number_format = fmt
        ws.column_dimensions[col_letter(col)].width = 16
    ws.column_dimensions["A"].width = 30
    for col in "BCD":
        ws.column_dimensions[col].width = 22
    ws.column_dimensions["E"].width = 10
    ws.column_dimensions["F"].width = 3
    ws.column_dimensions["G"].width = 8
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"A{FIRST_ROW}"
