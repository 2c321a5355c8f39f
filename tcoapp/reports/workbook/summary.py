"""The Summary sheet: key figures as formulas, calendar months and industry context."""

from __future__ import annotations

import json

from ...engine import SUMMARY
from ..report import MONEY_KEYS, MONTH_KEYS, SHARE_KEYS, SUMMARY_LABELS
from .core import COUNT, export_stamp, MONTH_NAMES, PERCENT, Book, Columns, abs_ref, money_format

# ---- Summary ----------------------------------------------------------------------


def calendar_label(index_expr: str) -> str:
    """Formula text of 'Mon YYYY' for a month index expression, '' when the index is ''."""
    date = f"DATE(calc_start_year,calc_start_month+{index_expr},1)"
    return f'IF({index_expr}="","",CHOOSE(MONTH({date}),{MONTH_NAMES})&" "&YEAR({date}))'


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


def kpi_format(key: str, currency: str) -> str:
    if key in ("cost_per_request",):
        return money_format(currency, 6)
    if key in ("cost_per_million_tokens",):
        return money_format(currency, 4)
    if key in MONEY_KEYS:
        return money_format(currency)
    if key in SHARE_KEYS:
        return PERCENT
    if key in MONTH_KEYS:
        return "0"
    if key in ("training_chips", "energy_mwh"):
        return "#,##0.0"
    return COUNT


def _industry_figures() -> dict:
    from ...paths import resource_file

    with open(resource_file("industry.json"), encoding="utf-8") as handle:
        return json.load(handle)


def summary_sheet(book: Book, ws, scenario, months: int, monthly: Columns, w: Columns) -> None:
    st = book.st
    cur = scenario.currency
    book.text(ws, 1, 1, f"Lifetime cost: {scenario.name or '(unnamed scenario)'}", font=st["title"])
    ws.cell(2, 1).value = ('="Model "&model_name&", "&horizon_years&" years from "&start_month'
                           '&", amounts in "&currency&"; deployment "&inference_deployment'
                           '&", accounting basis "&finance_basis')
    ws.cell(2, 1).font = st["note_font"]
    book.text(ws, 3, 1, export_stamp(), font=st["note_font"])
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
        cell.number_format = kpi_format(key, cur)
        cell.font = st["bold"]
        unit_text = unit.format(cur=cur)
        if key in MONTH_KEYS:
            unit_text = "month index (0 = start month)"
            ws.cell(row, 4).value = f"={calendar_label(f'summary_{key}')}"
            label_name = f"label_{key}"
            book.name(label_name, abs_ref("Summary", "D", row))
        book.text(ws, row, 3, unit_text)
        book.text(ws, row, 5, key, font=st["key_font"])
        book.name(f"summary_{key}", abs_ref("Summary", "B", row))
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
