"""The Sensitivity and Monte Carlo sheets: solver results passed in at export (values, not formulas)."""

from __future__ import annotations

from typing import Mapping

from .core import AXIS_SIGNED, FIRST_ROW, HEADER_ROW, Book, abs_ref, col_letter, money_format
from .charts import axes_visible

# ---- Sensitivity and Monte Carlo ----------------------------------------------------


def sensitivity_sheet(book: Book, ws, scenario, tornado: Mapping) -> None:
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
    book.name("tornado_base", abs_ref("Sensitivity", "B", 3))
    book.header(ws, HEADER_ROW, ["Input", "Field", "Low input", "High input", f"{label} at low ({unit})",
                                 f"{label} at high ({unit})", f"Swing ({unit})", "Low - base", "High - base"])
    rows = list(tornado.get("rows", []))
    r = FIRST_ROW
    money = unit == scenario.currency
    fmt = money_format(scenario.currency) if money else "#,##0.####"
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
    chart.y_axis.numFmt = AXIS_SIGNED if money else "#,##0.##"
    axes_visible(chart)
    chart.width, chart.height = 24, max(8, 1.0 * len(rows) + 4)
    ws.add_chart(chart, f"A{r + 2}")


def monte_carlo_items(monte_carlo, currency: str) -> list[dict]:
    """Rows for the Monte Carlo sheet from the solver's result (``tcoapp.scenario.sensitivity.monte_carlo``).

    Already-made rows (dicts with ``percentiles``) pass through unchanged.
    """
    if isinstance(monte_carlo, Mapping) and "metrics" in monte_carlo:
        from ...scenario.outputs import metric_label

        rows = []
        for key, stats in monte_carlo["metrics"].items():
            label, unit = metric_label(key, currency)
            rows.append({"metric": key, "metric_label": label, "unit": unit, "samples": monte_carlo["samples"],
                         "mean": stats.get("mean"),
                         "percentiles": {float(p[1:]): stats.get(p) for p in ("p5", "p10", "p50", "p90", "p95")}})
        return rows
    return [monte_carlo] if isinstance(monte_carlo, Mapping) else list(monte_carlo)


def monte_carlo_sheet(book: Book, ws, monte_carlo, currency: str = "USD") -> None:
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
        ws.column_dimensions[col_letter(3 + i)].width = 18
    ws.freeze_panes = f"B{FIRST_ROW}"
