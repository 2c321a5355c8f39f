"""The programme's Check sheet: sums and balances that hold after any edit, then the app's values at export."""

from __future__ import annotations

from ...engine import SERIES, SUMMARY
from ...engine.programme import WORKLOAD_ONLY_KEYS
from ..report import SHARE_KEYS
from ..workbook.core import (CHECK_TOLERANCE, CHECK_TOLERANCE_IRR, FIRST_ROW, HEADER_ROW, KEY_ROW, Book, Columns,
                             abs_ref, engine_value, export_stamp, quote_sheet)
from ..workbook.summary import kpi_format
from .pools import IDLE_OF, Pool
from .programme import IDLE_PARTS, PROGRAMME_SERIES

CHECK_SHEET = "Check"


def _consistency_rows(programme, cols: Columns, workloads: list, pools: list[Pool]) -> list[tuple[str, str, str, str]]:
    """(label, workbook value, expected value, scale): each holds whatever the inputs."""
    rows = []
    W = range(len(workloads))

    def wsum(w: int, key: str) -> str:
        titles, mo, wk = workloads[w]
        if key == "required":
            return f"SUM({quote_sheet(titles['Workings'])}!{wk.range('required', external=False)})"
        return f"SUM(w{w + 1}_series_{key})"

    for key in PROGRAMME_SERIES:
        if key == "inference_unallocated":
            continue
        parts = [wsum(w, key) for w in W]
        idle = [f"SUM({pool.name(k)})" for pool in pools for k in IDLE_PARTS.get(key, ())]
        if key in ("inference", "total"):
            idle = [f"SUM({pool.name(k)})" for pool in pools for k in ("idle_compute", "idle_energy", "idle_facility")]
        if key == "cash_total":
            idle = [f"SUM({pool.name(k)})" for pool in pools for k in IDLE_PARTS["cash_inference"]]
        expected = "+".join(parts + idle)
        label = f"{key}: programme = sum over workloads" + (" + idle parts of the pools" if idle else "")
        rows.append((label, f"SUM(prog_series_{key})", expected, f"SUMPRODUCT(ABS(prog_series_{key}))"))

    def balance(total, parts):
        diff = f"prog_series_{total}-(" + "+".join(f"prog_series_{p}" for p in parts) + ")"
        return f"SUMPRODUCT(ABS({diff}))", "0", f"SUMPRODUCT(ABS(prog_series_{total}))"

    rows += [
        ("Every month: total = training + inference", *balance("total", ("training", "inference"))),
        ("Every month: training = compute + fixed", *balance("training", ("training_compute", "training_fixed"))),
        ("Every month: inference = compute + energy + facility + operations",
         *balance("inference", ("inference_compute", "inference_energy", "inference_facility", "inference_ops"))),
        ("Every month: cash total = cash training + cash inference",
         *balance("cash_total", ("cash_training", "cash_inference"))),
        ("Idle owned capacity = sum of the pools' idle compute, energy and facility",
         "SUM(prog_series_inference_unallocated)",
         "+".join([f"SUM({pool.name(k)})" for pool in pools for k in ("idle_compute", "idle_energy", "idle_facility")])
         or "0", "ABS(SUM(prog_series_inference_unallocated))"),
        ("Programme lifetime cost = training + inference cost", "prog_summary_total_cost",
         "prog_summary_training_cost+prog_summary_inference_cost", "ABS(prog_summary_total_cost)"),
        ("Programme lifetime cost = sum of the workloads' + idle owned capacity", "prog_summary_total_cost",
         "+".join([f"w{w + 1}_summary_total_cost" for w in W] + ["SUM(prog_series_inference_unallocated)"]),
         "ABS(prog_summary_total_cost)"),
        ("Budget: the years' programme totals = lifetime cost", "SUMIF(Budget!$B:$B,\"Programme\",Budget!$H:$H)",
         "prog_summary_total_cost", "ABS(prog_summary_total_cost)"),
        ("Budget: the years' workload and idle rows = the programme rows",
         "SUMIF(Budget!$B:$B,\"<>Programme\",Budget!$G:$G)", "SUMIF(Budget!$B:$B,\"Programme\",Budget!$G:$G)",
         "ABS(SUM(prog_series_cash_total))"),
    ]
    for w in W:
        n = w + 1
        rows.append((f"{programme.names[w]}: lifetime cost = training + inference cost",
                     f"w{n}_summary_total_cost", f"w{n}_summary_training_cost+w{n}_summary_inference_cost",
                     f"ABS(w{n}_summary_total_cost)"))
        rows.append((f"{programme.names[w]}: every month total = training + inference",
                     f"SUMPRODUCT(ABS(w{n}_series_total-w{n}_series_training-w{n}_series_inference))", "0",
                     f"SUMPRODUCT(ABS(w{n}_series_total))"))
    for pool in pools:
        members = pool.members
        label = f"Pool {pool.number}"
        for pooled, key in (("capex", "owned_capex"), ("depreciation", "owned_depreciation"),
                            ("energy", "owned_energy"), ("facility", "owned_facility"), ("alive", "alive"),
                            ("energy_mwh", "energy_mwh")):
            idle = next(k for k, source in IDLE_OF.items() if source == pooled)
            parts = [f"SUM({quote_sheet(workloads[w][0]['Workings'])}!{workloads[w][2].range(key, external=False)})"
                     for w in members]
            rows.append((f"{label}: members' allocated {pooled} + idle = the pool's", "+".join(parts)
                         + f"+SUM({pool.name(idle)})", f"SUM({pool.name(pooled)})",
                         f"ABS(SUM({pool.name(pooled)}))"))
        shares = "+".join(f"SUM({pool.name(f'share_{w}')})" for w in members)
        rows.append((f"{label}: members' shares add to 1 in every month with a need (sum of shares = such months)",
                     shares, f'COUNTIF({pool.name("required")},">0")', "1"))
        rows.append((f"{label}: chips in service never below the chips required (count of months below)",
                     f"SUMPRODUCT(--({pool.name('alive')}<{pool.name('required')}))", "0", "1"))
        rows.append((f"{label}: depreciation never above the installed capex (count of months above)",
                     f"SUMPRODUCT(--({pool.name('depreciation')}>{pool.name('installed')}+w1_const_epsilon))", "0",
                     "1"))
    rows.append(("Bound: no monthly cost, revenue or chip count below 0 (count of negatives)",
                 'COUNTIF(prog_series_total,"<0")+COUNTIF(prog_series_training,"<0")+COUNTIF(prog_series_inference,"<0")'
                 '+COUNTIF(prog_series_revenue,"<0")+COUNTIF(prog_series_chips,"<0")'
                 '+COUNTIF(prog_series_inference_unallocated,"<0")', "0", "1"))
    rows.append(("No error value in the programme series (count)",
                 "SUMPRODUCT(--ISERROR(prog_series_total))+SUMPRODUCT(--ISERROR(prog_series_cash_total))", "0", "1"))
    return rows


def check_sheet(book: Book, ws, programme, result, cols: Columns, workloads: list, pools: list[Pool]) -> None:
    st = book.st
    cur = programme.currency
    book.text(ws, 1, 1, "Check: sums and balances of the programme's formulas; the app's values at export",
              font=st["title"])
    book.text(ws, 2, 1, "The first block holds after any legitimate edit of the inputs and decides 'All checks'. "
                        "The second compares with the tcoapp engine's values at export: it reads OK until an input "
                        "is changed, then shows how far the edited programme moved (informational).",
              font=st["note_font"])
    book.text(ws, KEY_ROW, 1, export_stamp(), font=st["note_font"])
    book.header(ws, HEADER_ROW, ["Check", "Workbook", "Expected", "Difference", "Status"])
    row = FIRST_ROW
    first = row
    for label, got, expected, scale in _consistency_rows(programme, cols, workloads, pools):
        book.text(ws, row, 1, label, alignment=st["wrap"])
        ws.cell(row, 2).value = f"={got}"
        ws.cell(row, 3).value = f"={expected}"
        ws.cell(row, 4).value = f"=B{row}-C{row}"
        ws.cell(row, 5).value = (f'=IF(AND(ISNUMBER(D{row}),ABS(D{row})<={CHECK_TOLERANCE}*MAX(1,{scale})),'
                                 f'"OK","FAILS")')
        for col in (2, 3, 4):
            ws.cell(row, col).number_format = "#,##0.######"
        row += 1
    last = row - 1
    book.text(ws, row, 1, "All checks", font=st["bold"])
    ws.cell(row, 2).value = f'=IF(COUNTIF(E{first}:E{last},"OK")={last - first + 1},"OK","FAILS")'
    ws.cell(row, 2).font = st["bold"]
    book.name("check_status", abs_ref(CHECK_SHEET, "B", row))
    row += 2

    book.section(ws, row, "Comparison with the app's values at export (informational: differs after an edit)", 5)
    row += 1
    book.header(ws, row, ["Figure", "Workbook", "App at export", "Difference", "Status"])
    row += 1
    compare_first = row
    items = []  # (label, workbook formula, engine value, tolerance, number format)
    for key in SUMMARY:
        if key in WORKLOAD_ONLY_KEYS:
            continue
        items.append((f"Programme: {key}", f"prog_summary_{key}", result.summary[key][0], key))
    for key in PROGRAMME_SERIES:
        items.append((f"Programme: sum of {key}", f"SUM(prog_series_{key})", result.series[key][0].sum(), None))
    for w, name in enumerate(programme.names):
        one = result.workload(0, w)
        for key in SUMMARY:
            items.append((f"{name}: {key}", f"w{w + 1}_summary_{key}", one.summary[key][0], key))
        for key in SERIES:
            items.append((f"{name}: sum of {key}", f"SUM(w{w + 1}_series_{key})", one.series[key][0].sum(), None))
    for label, formula, engine, key in items:
        tol = CHECK_TOLERANCE_IRR if key == "irr" else CHECK_TOLERANCE
        book.text(ws, row, 1, label)
        ws.cell(row, 2).value = f"={formula}"
        value = engine_value(engine)
        if value is not None:
            ws.cell(row, 3).value = value
        ws.cell(row, 4).value = (f'=IF(AND(ISNUMBER(B{row}),ISNUMBER(C{row})),B{row}-C{row},'
                                 f'IF(AND(NOT(ISNUMBER(B{row})),NOT(ISNUMBER(C{row}))),0,"one is empty"))')
        ws.cell(row, 5).value = (f'=IF(ISNUMBER(D{row}),IF(ABS(D{row})<={tol}*MAX(1,ABS(C{row})),"OK",'
                                 f'"DIFFERS"),"DIFFERS")')
        fmt = kpi_format(key, cur) if key else "#,##0.00"
        for col in (2, 3, 4):
            ws.cell(row, col).number_format = "0.000000%" if key in SHARE_KEYS else fmt
        row += 1
    compare_last = row - 1
    row += 1
    book.text(ws, row, 1, "Same as the app at export", font=st["bold"])
    ws.cell(row, 2).value = (f'=IF(COUNTIF(E{compare_first}:E{compare_last},"OK")={compare_last - compare_first + 1},'
                             '"OK","DIFFERS")')
    ws.cell(row, 2).font = st["bold"]
    book.name("comparison_status", abs_ref(CHECK_SHEET, "B", row))
    ws.column_dimensions["A"].width = 70
    for col in "BCD":
        ws.column_dimensions[col].width = 22
    ws.column_dimensions["E"].width = 10
    ws.freeze_panes = f"A{FIRST_ROW}"


__all__ = ["check_sheet", "CHECK_SHEET"]
