"""The Check sheet: the engine's values at export beside the formulas."""

from __future__ import annotations

from ...engine import SERIES, SUMMARY, Result
from ..report import SHARE_KEYS
from ..tables import SERIES_LABELS, series_title
from .core import (CHECK_TOLERANCE, CHECK_TOLERANCE_IRR, COUNT, FIRST_ROW, HEADER_ROW, KEY_ROW, Book, Columns,
                   abs_ref, col_letter, engine_value, export_stamp, money_format)
from .summary import kpi_format
from .workings import WORKING_COLUMNS, WORKINGS_FIRST_COL

# ---- Check ------------------------------------------------------------------------


def consistency_checks() -> list[tuple[str, str, str, str]]:
    """Checks that hold whatever the inputs: (label, workbook value, expected value, scale of the values)."""
    dep = 'inference_deployment'

    def series_balance(total, parts):
        diff = f"series_{total}-(" + "+".join(f"series_{p}" for p in parts) + ")"
        return f"SUMPRODUCT(ABS({diff}))", "0", f"SUMPRODUCT(ABS(series_{total}))"

    rows = [
        ("Every month: total = training + inference (sum of |differences|)",
         *series_balance("total", ("training", "inference"))),
        ("Every month: training = compute + fixed", *series_balance("training", ("training_compute", "training_fixed"))),
        ("Every month: inference = compute + energy + facility + operations",
         *series_balance("inference", ("inference_compute", "inference_energy", "inference_facility", "inference_ops"))),
        ("Every month: cash total = cash training + cash inference",
         *series_balance("cash_total", ("cash_training", "cash_inference"))),
        ("Every month: tokens = prefill + decode tokens (Workings)",
         "SUMPRODUCT(ABS(series_tokens-Workings!{prefill}-Workings!{decode}))", "0", "SUM(series_tokens)"),
        ("Summary lifetime cost = sum of the monthly totals", "summary_total_cost", "SUM(series_total)",
         "ABS(summary_total_cost)"),
        ("Summary lifetime cost = training + inference cost", "summary_total_cost",
         "summary_training_cost+summary_inference_cost", "ABS(summary_total_cost)"),
        ("Yearly totals = monthly totals", "SUM(yearly_total)", "SUM(series_total)", "ABS(SUM(series_total))"),
        ("Yearly revenue = monthly revenue", "SUM(yearly_revenue)", "SUM(series_revenue)",
         "ABS(SUM(series_revenue))"),
        ("Cash less accrual cost = purchases less the compute charged (owned; else 0)",
         "SUM(series_cash_total)-SUM(series_total)",
         f'IF({dep}="owned",SUM(series_capex)-SUM(series_inference_compute),0)', "SUM(series_cash_total)"),
        ("Residual book value = purchases - depreciation (owned; else 0)", "summary_residual_book_value",
         f'IF({dep}="owned",SUM(series_capex)-SUM(series_depreciation),0)', "SUM(series_capex)"),
        ("Bound: no monthly cost, revenue or chip count below 0 (count of negatives)",
         'COUNTIF(series_total,"<0")+COUNTIF(series_training,"<0")+COUNTIF(series_inference,"<0")'
         '+COUNTIF(series_revenue,"<0")+COUNTIF(series_chips,"<0")', "0", "1"),
        ("Bound: inference share between 0 and 1 (1 = yes)",
         'IF(summary_inference_share="",1,IF(AND(summary_inference_share>=0,summary_inference_share<=1),1,0))',
         "1", "1"),
        ("Bound: depreciation never above the installed capex (count of months above)",
         "SUMPRODUCT(--(Workings!{depreciation}>Workings!{installed}+const_epsilon))", "0", "1"),
        ("No error value in the series (count)", "SUMPRODUCT(--ISERROR(series_total))+SUMPRODUCT(--ISERROR(series_cash_total))",
         "0", "1"),
    ]
    return rows



def check_sheet(book: Book, ws, scenario, result: Result, months: int) -> None:
    st = book.st
    cur = scenario.currency
    book.text(ws, 1, 1, "Check: sums, balances and bounds of the formulas; the app's values at export",
              font=st["title"])
    book.text(ws, 2, 1, "The first block holds after any legitimate edit of the inputs and decides 'All checks'. "
                        "The second compares with the tcoapp engine's values at export: it reads OK until an input "
                        "is changed, then shows how far the edited scenario moved (informational).",
              font=st["note_font"])
    book.text(ws, KEY_ROW, 1, export_stamp(), font=st["note_font"])
    book.header(ws, HEADER_ROW, ["Check", "Workbook", "Expected", "Difference", "Status"])
    row = FIRST_ROW
    consistency_first = row
    w = Columns("Workings", WORKING_COLUMNS, WORKINGS_FIRST_COL, months)
    ranges = {key: w.range(key, external=False) for key in ("prefill", "decode", "installed")}
    ranges["depreciation"] = w.range("owned_depreciation", external=False)
    for label, got, expected, scale in consistency_checks():
        got, expected, scale = (text.format(**ranges) for text in (got, expected, scale))
        book.text(ws, row, 1, label, alignment=st["wrap"])
        ws.cell(row, 2).value = f"={got}"
        ws.cell(row, 3).value = f"={expected}"
        ws.cell(row, 4).value = f"=B{row}-C{row}"
        ws.cell(row, 5).value = (f'=IF(AND(ISNUMBER(D{row}),ABS(D{row})<={CHECK_TOLERANCE}*MAX(1,{scale})),'
                                 f'"OK","FAILS")')
        for col in (2, 3, 4):
            ws.cell(row, col).number_format = "#,##0.######"
        row += 1
    consistency_last = row - 1
    book.text(ws, row, 1, "All checks", font=st["bold"])
    ws.cell(row, 2).value = (f'=IF(COUNTIF(E{consistency_first}:E{consistency_last},"OK")='
                             f'{consistency_last - consistency_first + 1},"OK","FAILS")')
    ws.cell(row, 2).font = st["bold"]
    book.name("check_status", abs_ref("Check", "B", row))
    row += 2
    book.section(ws, row, "Comparison with the app's values at export (informational: differs after an edit)", 5)
    row += 1
    book.header(ws, row, ["Key figure", "Workbook", "App at export", "Difference", "Status"])
    row += 1
    comparison_first = row
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
    book.header(ws, row, ["Monthly series", "Workbook total", "App total at export",
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
    book.text(ws, row, 1, "Same as the app at export", font=st["bold"])
    ws.cell(row, 2).value = (f'=IF(COUNTIF(E{comparison_first}:E{summary_last},"OK")+COUNTIF(E{series_first}:'
                             f'E{series_last},"OK")={len(SUMMARY) + len(SERIES)},"OK","DIFFERS")')
    ws.cell(row, 2).font = st["bold"]
    book.name("comparison_status", abs_ref("Check", "B", row))

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
