"""The programme's own sheets: consolidated monthly series, summary, budget by year and workload."""

from __future__ import annotations

from ...engine import SERIES, SUMMARY
from ...engine.programme import WORKLOAD_ONLY_KEYS
from ..report import MONTH_KEYS, SUMMARY_LABELS
from ..tables import SERIES_LABELS, series_title
from ..workbook.core import (AXIS_AMOUNT, COUNT, FIRST_ROW, HEADER_ROW, IRR_GRID, KEY_ROW, MONTH_DATE, MONTH_NAMES,
                             PERCENT, Book, Columns, abs_ref, col_letter, export_stamp, money_format, quote_sheet)
from ..workbook.summary import kpi_format
from .pools import Pool

PROGRAMME_SHEET = "Programme"
MONTHLY_SHEET = "Programme monthly"
BUDGET_SHEET = "Budget"

#: The programme's monthly series: section 5's, the idle owned capacity, the chips the traffic requires.
PROGRAMME_SERIES = SERIES + ("inference_unallocated", "required")
#: Working columns of the programme's summary (discounting, crossover, payback, IRR signs).
WORK_COLUMNS = {
    "discount": ("Discount factor", "ratio"),
    "net": ("Net cash flow: revenue - cash cost ({cur})", "money"),
    "cum_training": ("Cumulative training ({cur})", "money"),
    "cum_inference": ("Cumulative inference ({cur})", "money"),
    "crossover_flag": ("Inference >= training (1 = yes)", "flag"),
    "cum_revenue": ("Cumulative revenue ({cur})", "money"),
    "cum_cash": ("Cumulative cash cost ({cur})", "money"),
    "payback_flag": ("Revenue >= cash cost (1 = yes)", "flag"),
    "cum_net": ("Cumulative net cash flow ({cur})", "money"),
    "net_sign": ("Sign of cumulative net", "flag"),
    "carried_sign": ("Sign carried over zeros", "flag"),
    "sign_change": ("Sign change (1 = yes)", "flag"),
    "first_sign": ("First non-zero sign", "flag"),
}
MONTHLY_KEYS = ("month_index", "month") + PROGRAMME_SERIES + tuple(WORK_COLUMNS)
#: Programme series that add the pools' idle parts to the workloads' sum.
IDLE_PARTS = {"inference_compute": ("idle_compute",), "inference_energy": ("idle_energy",),
              "inference_facility": ("idle_facility",), "chips": ("idle_chips",), "capex": ("idle_capex",),
              "depreciation": ("idle_depreciation",),
              "cash_inference": ("idle_capex", "idle_energy", "idle_facility")}


def programme_columns(months: int) -> Columns:
    return Columns(MONTHLY_SHEET, MONTHLY_KEYS, 1, months)


def _workload_cell(workloads, w: int, key: str, row: int) -> str:
    titles, mo, wk = workloads[w]
    if key == "required":
        return f"{quote_sheet(titles['Workings'])}!{wk['required']}{row}"
    return f"{quote_sheet(titles['Monthly'])}!{mo[key]}{row}"


def monthly_sheet(book: Book, ws, programme, months: int, workloads: list, pools: list[Pool]) -> Columns:
    """The consolidated monthly series (named ``prog_series_<key>``) and the summary's workings."""
    st = book.st
    cur = programme.currency
    cols = programme_columns(months)
    book.text(ws, 1, 1, "Programme: monthly figures", font=st["title"])
    book.text(ws, 2, 1, f"Amounts in {cur}. Each series is the sum over the workloads' Monthly sheets; inference "
                        "compute, energy, facility, chips, capex, depreciation and cash add the pools' idle parts "
                        "(Pools), which are also the idle owned capacity (inference_unallocated). Column ranges are "
                        "named prog_series_<key>.", font=st["note_font"])
    titles = ["Month index", "Month"]
    for key in PROGRAMME_SERIES:
        if key == "inference_unallocated":
            titles.append(f"Idle owned capacity ({cur})")
        elif key == "required":
            titles.append("Chips required by the traffic")
        else:
            titles.append(series_title(key, cur))
    titles += [t.format(cur=cur) for t, _ in WORK_COLUMNS.values()]
    book.header(ws, HEADER_ROW, titles)
    for i, key in enumerate(MONTHLY_KEYS):
        book.text(ws, KEY_ROW, 1 + i, key, font=st["key_font"])
    for key in PROGRAMME_SERIES:
        book.name(f"prog_series_{key}", cols.range(key))
    book.name("prog_month_index", cols.range("month_index"))
    book.name("prog_crossover_flags", cols.range("crossover_flag"))
    book.name("prog_payback_flags", cols.range("payback_flag"))
    book.name("prog_net_cash_flow", cols.range("net"))
    book.name("prog_discount_factors", cols.range("discount"))
    money = money_format(cur)
    formats = {"money": money, "flag": "0", "ratio": "0.000000"}
    W = range(len(workloads))
    per_year = "w1_const_months_per_year"
    for r in range(cols.first, cols.last + 1):
        prev = r - 1

        def Y(key, row=r):
            return f"{cols[key]}{row}"

        f = {"month_index": f"=ROWS(A${cols.first}:A{r})-1",
             "month": f"=DATE(w1_calc_start_year,w1_calc_start_month+A{r},1)"}
        for key in PROGRAMME_SERIES:
            if key in ("inference_unallocated", "total", "cash_total"):
                continue
            parts = [_workload_cell(workloads, w, key, r) for w in W]
            if key in IDLE_PARTS:
                parts += [pool.ref(idle, r) for pool in pools for idle in IDLE_PARTS[key]]
            if key == "inference":
                parts.append(Y("inference_unallocated"))
            f[key] = "=" + "+".join(parts)
        idle = [pool.ref(k, r) for pool in pools for k in ("idle_compute", "idle_energy", "idle_facility")]
        f["inference_unallocated"] = "=" + ("+".join(idle) if idle else "0")
        f["total"] = f"={Y('training')}+{Y('inference')}"
        f["cash_total"] = f"={Y('cash_training')}+{Y('cash_inference')}"
        m = Y("month_index")
        f["discount"] = f"=(1+finance_discount_rate)^(-{m}/{per_year})"
        f["net"] = f"={Y('revenue')}-{Y('cash_total')}"

        def running(key, series):
            return f"=N({Y(key, prev)})+{Y(series)}"

        f["cum_training"] = running("cum_training", "training")
        f["cum_inference"] = running("cum_inference", "inference")
        f["crossover_flag"] = f"=IF(AND({Y('cum_inference')}>={Y('cum_training')},{Y('cum_inference')}>0),1,0)"
        f["cum_revenue"] = running("cum_revenue", "revenue")
        f["cum_cash"] = running("cum_cash", "cash_total")
        f["payback_flag"] = f"=IF(AND({Y('cum_revenue')}>={Y('cum_cash')},{Y('cum_revenue')}>0),1,0)"
        f["cum_net"] = f"=N({Y('cum_net', prev)})+{Y('net')}"
        f["net_sign"] = f"=SIGN({Y('cum_net')})"
        f["carried_sign"] = f"=IF({Y('net_sign')}<>0,{Y('net_sign')},N({Y('carried_sign', prev)}))"
        f["sign_change"] = (f"=IF(AND(N({Y('carried_sign', prev)})<>0,"
                            f"{Y('carried_sign')}<>N({Y('carried_sign', prev)})),1,0)")
        f["first_sign"] = f"=IF(N({Y('first_sign', prev)})<>0,N({Y('first_sign', prev)}),{Y('net_sign')})"
        for key, formula in f.items():
            cell = ws[f"{cols[key]}{r}"]
            cell.value = formula
            if key == "month":
                cell.number_format = MONTH_DATE
            elif key == "month_index":
                cell.number_format = "0"
            elif key in WORK_COLUMNS:
                cell.number_format = formats[WORK_COLUMNS[key][1]]
            elif key in ("inference_unallocated",) or SERIES_LABELS.get(key, ("", "", "count"))[2] == "money":
                cell.number_format = money
            else:
                cell.number_format = COUNT
    total = cols.last + 1
    book.text(ws, total, 1, "Total", font=st["bold"])
    for key in PROGRAMME_SERIES:
        if key in ("required",):
            continue
        fn = "MAX" if key == "chips" else "SUM"
        cell = ws[f"{cols[key]}{total}"]
        cell.value = f"={fn}({cols[key]}{cols.first}:{cols[key]}{cols.last})"
        cell.number_format = COUNT if key == "chips" else money
        cell.font = st["bold"]

    # the IRR's starting guess: NPVs of the net cash flow on a grid of monthly rates
    gc = len(MONTHLY_KEYS) + 2
    a, b = col_letter(gc), col_letter(gc + 1)
    book.header(ws, HEADER_ROW, ["IRR guess: monthly rate", "NPV of net cash flow"], col=gc)
    row = FIRST_ROW
    for rate in IRR_GRID:
        ws[f"{a}{row}"].value = rate
        ws[f"{a}{row}"].number_format = "0.00%"
        ws[f"{b}{row}"].value = f"=NPV({a}{row},{cols.range('net', external=False)})"
        ws[f"{b}{row}"].number_format = money
        row += 1
    grid = (FIRST_ROW, row - 1)
    book.text(ws, row, gc, "Guess: largest rate with a positive NPV")
    ws[f"{b}{row}"].value = (f"=INDEX(${a}${grid[0]}:${a}${grid[1]},"
                             f"MAX(1,COUNTIF(${b}${grid[0]}:${b}${grid[1]},\">0\")))")
    ws[f"{b}{row}"].number_format = "0.00%"
    book.name("prog_calc_irr_guess", abs_ref(MONTHLY_SHEET, b, row))
    ws.column_dimensions[a].width = 22
    ws.column_dimensions[b].width = 22
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 10
    for key in MONTHLY_KEYS[2:]:
        ws.column_dimensions[cols[key]].width = 16
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"C{FIRST_ROW}"
    return cols


def summary_formulas(cols: Columns, workloads: list, pools: list[Pool]) -> dict[str, str]:
    """Section 5's keys on the programme's series (methodology 6); per-workload keys are empty."""
    first = "MATCH(1,{flags},0)"
    first_month = '=IF(ISNA({m}),"",{m}-1)'
    energy = [f"w{w + 1}_summary_energy_mwh" for w in range(len(workloads))]
    energy += [f"SUM({pool.name('idle_mwh')})" for pool in pools]
    sign_last = f"{quote_sheet(cols.sheet)}!${cols['first_sign']}${cols.last}"
    out = {
        "training_cost": "=SUM(prog_series_training)",
        "inference_cost": "=SUM(prog_series_inference)",
        "total_cost": "=SUM(prog_series_total)",
        "inference_share": '=IF(prog_summary_total_cost<>0,prog_summary_inference_cost/prog_summary_total_cost,"")',
        "crossover_month": first_month.format(m=first.format(flags="prog_crossover_flags")),
        "npv_total": "=SUMPRODUCT(prog_series_cash_total,prog_discount_factors)",
        "npv_training": "=SUMPRODUCT(prog_series_cash_training,prog_discount_factors)",
        "npv_inference": "=SUMPRODUCT(prog_series_cash_inference,prog_discount_factors)",
        "cost_per_million_tokens": ('=IF(SUM(prog_series_tokens)>0,prog_summary_inference_cost'
                                    '/(SUM(prog_series_tokens)/1E6),"")'),
        "cost_per_request": '=IF(SUM(prog_series_requests)>0,prog_summary_inference_cost/SUM(prog_series_requests),"")',
        "peak_chips": "=MAX(prog_series_chips)",
        "energy_mwh": "=" + "+".join(energy),
        "residual_book_value": "=SUM(prog_series_capex)-SUM(prog_series_depreciation)",
        "revenue_total": "=SUM(prog_series_revenue)",
        "profit": "=prog_summary_revenue_total-prog_summary_total_cost",
        "npv_profit": "=SUMPRODUCT(prog_net_cash_flow,prog_discount_factors)",
        "payback_month": first_month.format(m=first.format(flags="prog_payback_flags")),
        "irr": (f"=IF(AND(SUMPRODUCT(ABS(prog_series_revenue))>0,{sign_last}<0,"
                f"SUM({cols.range('sign_change')})=1),"
                '(1+IRR(prog_net_cash_flow,prog_calc_irr_guess))^12-1,"")'),
    }
    for key in WORKLOAD_ONLY_KEYS:
        out[key] = '=""'
    return out


def _calendar_label(index_expr: str) -> str:
    date = f"DATE(w1_calc_start_year,w1_calc_start_month+{index_expr},1)"
    return f'IF({index_expr}="","",CHOOSE(MONTH({date}),{MONTH_NAMES})&" "&YEAR({date}))'


def programme_sheet(book: Book, ws, programme, cols: Columns, workloads: list, pools: list[Pool],
                    pool_of: dict[int, int]) -> None:
    """The Programme sheet: key figures (``prog_summary_<key>``), the workloads, the sheets' guide."""
    st = book.st
    cur = programme.currency
    book.text(ws, 1, 1, f"Programme: {programme.name or '(unnamed programme)'}", font=st["title"])
    ws.cell(2, 1).value = ('=horizon_years&" years from "&start_month&", amounts in "&currency'
                           '&", accounting basis "&finance_basis&", shared fleets "&shared_fleets')
    ws.cell(2, 1).font = st["note_font"]
    book.text(ws, 3, 1, export_stamp(), font=st["note_font"])
    book.header(ws, 4, ["Key figure", "Value", "Unit", "Calendar month", "Key"])
    formulas = summary_formulas(cols, workloads, pools)
    row = 5
    for key in SUMMARY:
        label, unit = SUMMARY_LABELS[key]
        book.text(ws, row, 1, label)
        cell = ws.cell(row, 2)
        cell.value = formulas[key]
        cell.number_format = kpi_format(key, cur)
        cell.font = st["bold"]
        unit_text = unit.format(cur=cur)
        if key in WORKLOAD_ONLY_KEYS:
            unit_text = "per workload only (see each workload's sheet)"
        elif key in MONTH_KEYS:
            unit_text = "month index (0 = start month)"
            ws.cell(row, 4).value = f"={_calendar_label(f'prog_summary_{key}')}"
            book.name(f"prog_label_{key}", abs_ref(PROGRAMME_SHEET, "D", row))
        book.text(ws, row, 3, unit_text)
        book.text(ws, row, 5, key, font=st["key_font"])
        book.name(f"prog_summary_{key}", abs_ref(PROGRAMME_SHEET, "B", row))
        row += 1
    book.text(ws, row, 1, "Empty: not defined (no crossover or payback within the horizon, no tokens, IRR rule "
                          "not met).", font=st["note_font"])
    row += 2
    book.section(ws, row, "Workloads", 8)
    row += 1
    book.header(ws, row, ["Workload", "Deployment", "Fleet", f"Lifetime cost ({cur})", "Share of the programme",
                          f"Inference cost ({cur})", "Sheets", "Name prefix"])
    row += 1
    for w, workload in enumerate(programme.workloads):
        prefix = f"w{w + 1}_"
        titles = workloads[w][0]
        book.text(ws, row, 1, workload.name)
        ws.cell(row, 2).value = f"={prefix}inference_deployment"
        if w in pool_of:
            fleet = f"pool {pool_of[w]} (Pools)"
        elif workload.inference.deployment == "owned":
            fleet = "own fleet (its Workings)"
        else:
            fleet = "none"
        book.text(ws, row, 3, fleet)
        ws.cell(row, 4).value = f"={prefix}summary_total_cost"
        ws.cell(row, 4).number_format = money_format(cur)
        ws.cell(row, 5).value = f'=IF(prog_summary_total_cost<>0,{prefix}summary_total_cost/prog_summary_total_cost,"")'
        ws.cell(row, 5).number_format = PERCENT
        ws.cell(row, 6).value = f"={prefix}summary_inference_cost"
        ws.cell(row, 6).number_format = money_format(cur)
        book.text(ws, row, 7, ", ".join(titles[k] for k in ("Summary", "Inputs", "Monthly", "Workings")),
                  alignment=st["wrap"])
        book.text(ws, row, 8, prefix, font=st["key_font"])
        row += 1
    book.text(ws, row, 1, "(idle owned capacity)")
    book.text(ws, row, 3, "pools' idle months")
    ws.cell(row, 4).value = "=SUM(prog_series_inference_unallocated)"
    ws.cell(row, 4).number_format = money_format(cur)
    ws.cell(row, 5).value = '=IF(prog_summary_total_cost<>0,SUM(prog_series_inference_unallocated)/prog_summary_total_cost,"")'
    ws.cell(row, 5).number_format = PERCENT
    ws.cell(row, 6).value = "=SUM(prog_series_inference_unallocated)"
    ws.cell(row, 6).number_format = money_format(cur)
    row += 2
    book.section(ws, row, "Sheets", 8)
    row += 1
    guide = [
        ("Programme", "these key figures, computed on the consolidated monthly series"),
        (BUDGET_SHEET, "budget by year and workload (training, inference, capex, opex, cash) and the inference "
                       "share per year"),
        (MONTHLY_SHEET, "the programme's monthly series: sums over the workloads plus the pools' idle parts"),
        ("Pools", "each shared owned fleet on its members' summed required chips, and each member's share"),
        ("Programme inputs", "the shared calendar, finance, facility and chip specs (yellow: change them)"),
        ("<n> <workload>", "each workload's key figures; its inputs, monthly series and workings sheets follow "
                           "(names prefixed w<n>_)"),
        ("Check", "sums and balances that hold after any edit; then the app's values at export"),
    ]
    for title, text in guide:
        book.text(ws, row, 1, title, font=st["bold"])
        book.text(ws, row, 2, text)
        row += 1
    for col, width in zip("ABCDEFGH", (46, 20, 40, 20, 14, 20, 60, 12)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"


def budget_sheet(book: Book, ws, programme, cols: Columns, workloads: list, pools: list[Pool]) -> None:
    """The budget by year and workload, the idle capacity, the programme, and its inference share per year."""
    st = book.st
    cur = programme.currency
    years = programme.horizon_years
    money = money_format(cur)
    book.text(ws, 1, 1, "Budget by year and workload", font=st["title"])
    book.text(ws, 2, 1, f"Amounts in {cur}; year n is months 12(n-1) .. 12n-1. Opex is the cash cost less capex. "
                        "The idle owned capacity is the pools' cost in months no member needs chips.",
              font=st["note_font"])
    headers = ["Year", "Workload", "Training", "Inference", "Capex", "Opex", "Cash", "Total"]
    book.header(ws, HEADER_ROW, headers)
    row = FIRST_ROW
    share_rows = []
    total_rows: dict[tuple[int, int], int] = {}  # (year, workload or -1 for idle) -> row
    for y in range(years):
        r0, r1 = FIRST_ROW + 12 * y, FIRST_ROW + 12 * y + 11

        def span(sheet: str, col: str) -> str:
            return f"SUM({quote_sheet(sheet)}!${col}${r0}:${col}${r1})"

        block_first = row
        for w, workload in enumerate(programme.workloads):
            titles, mo, _ = workloads[w]
            sheet = titles["Monthly"]
            ws.cell(row, 1).value = y + 1
            book.text(ws, row, 2, workload.name)
            ws.cell(row, 3).value = "=" + span(sheet, mo["training"])
            ws.cell(row, 4).value = "=" + span(sheet, mo["inference"])
            ws.cell(row, 5).value = "=" + span(sheet, mo["capex"])
            ws.cell(row, 7).value = "=" + span(sheet, mo["cash_total"])
            ws.cell(row, 6).value = f"=G{row}-E{row}"
            ws.cell(row, 8).value = "=" + span(sheet, mo["total"])
            total_rows[(y, w)] = row
            row += 1
        ws.cell(row, 1).value = y + 1
        book.text(ws, row, 2, "(idle owned capacity)")
        ws.cell(row, 3).value = 0
        ws.cell(row, 4).value = "=" + span(MONTHLY_SHEET, cols["inference_unallocated"])
        idle_capex = [f"SUM({pool.ref('idle_capex', r0)}:{pool.cols['idle_capex']}{r1})" for pool in pools]
        idle_cash = [f"SUM({pool.ref(k, r0)}:{pool.cols[k]}{r1})" for pool in pools
                     for k in ("idle_capex", "idle_energy", "idle_facility")]
        ws.cell(row, 5).value = "=" + ("+".join(idle_capex) if idle_capex else "0")
        ws.cell(row, 7).value = "=" + ("+".join(idle_cash) if idle_cash else "0")
        ws.cell(row, 6).value = f"=G{row}-E{row}"
        ws.cell(row, 8).value = f"=D{row}"
        total_rows[(y, -1)] = row
        row += 1
        ws.cell(row, 1).value = y + 1
        book.text(ws, row, 2, "Programme", font=st["bold"])
        for col, key in zip("CDEGH", ("training", "inference", "capex", "cash_total", "total")):
            ws[f"{col}{row}"].value = "=" + span(MONTHLY_SHEET, cols[key])
        ws.cell(row, 6).value = f"=G{row}-E{row}"
        for col in range(1, 9):
            ws.cell(row, col).font = st["bold"]
        share_rows.append(row)
        for r in range(block_first, row + 1):
            for col in "CDEFGH":
                ws[f"{col}{r}"].number_format = money
        row += 2
    book.section(ws, row, "Inference share of the programme's cost, by year", 8)
    row += 1
    book.header(ws, row, ["Year", "Calendar year", "Inference share", "Inference", "Total"])
    row += 1
    first = row
    for y, source in enumerate(share_rows):
        ws.cell(row, 1).value = y + 1
        ws.cell(row, 2).value = f'="from "&{_calendar_label(str(12 * y))}'
        ws.cell(row, 4).value = f"=D{source}"
        ws.cell(row, 5).value = f"=H{source}"
        ws.cell(row, 3).value = f'=IF(E{row}<>0,D{row}/E{row},"")'
        ws.cell(row, 3).number_format = PERCENT
        ws.cell(row, 4).number_format = money
        ws.cell(row, 5).number_format = money
        row += 1
    book.name("budget_inference_share", abs_ref(BUDGET_SHEET, "C", first, "C", row - 1))
    book.text(ws, row, 1, "Industry context: about two-thirds of AI compute went to inference in 2026; 44 % of "
                          "organisations put 76-100 % of their AI budget into inference (resources/industry.json).",
              font=st["note_font"])
    _cost_chart(book, ws, programme, total_rows)
    for col, width in zip("ABCDEFGH", (8, 26, 18, 18, 18, 18, 18, 18)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"C{FIRST_ROW}"


def _cost_chart(book: Book, ws, programme, total_rows: dict[tuple[int, int], int]) -> None:
    """A year x workload table of total cost (right of the budget) and its stacked column chart."""
    from openpyxl.chart import BarChart, Reference

    from ..workbook.charts import axes_visible

    first_col = 10  # J
    years = programme.horizon_years
    columns = list(range(len(programme.workloads))) + [-1]
    book.text(ws, KEY_ROW, first_col, "Total cost by year and workload (the chart's data)", font=book.st["bold"])
    book.header(ws, HEADER_ROW, ["Year"] + programme.names + ["Idle owned capacity"], col=first_col)
    for y in range(years):
        r = FIRST_ROW + y
        ws.cell(r, first_col).value = y + 1
        for i, w in enumerate(columns):
            cell = ws.cell(r, first_col + 1 + i)
            cell.value = f"=H{total_rows[(y, w)]}"
            cell.number_format = money_format(programme.currency)
    for i in range(len(columns) + 1):
        ws.column_dimensions[col_letter(first_col + i)].width = 16
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Lifetime cost by year and workload"
    chart.add_data(Reference(ws, min_col=first_col + 1, max_col=first_col + len(columns), min_row=HEADER_ROW,
                             max_row=FIRST_ROW + years - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=first_col, min_row=FIRST_ROW, max_row=FIRST_ROW + years - 1))
    chart.y_axis.title = f"{programme.currency} per year (k: thousand, M: million)"
    chart.y_axis.numFmt = AXIS_AMOUNT
    chart.x_axis.title = "Year"
    axes_visible(chart)
    chart.width, chart.height = 22, 11
    ws.add_chart(chart, f"{col_letter(first_col)}{FIRST_ROW + years + 2}")


__all__ = ["monthly_sheet", "programme_sheet", "budget_sheet", "summary_formulas", "PROGRAMME_SERIES",
           "MONTHLY_SHEET", "PROGRAMME_SHEET", "BUDGET_SHEET"]
