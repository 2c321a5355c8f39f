"""The Charts sheet: native charts over the Monthly, Yearly and Workings sheets."""

from __future__ import annotations

from ...engine import SERIES
from ..tables import COST_CATEGORIES
from .core import AXIS_AMOUNT, HEADER_ROW, MONTH_DATE, Book, Columns
from .monthly import MONTHLY_KEYS
from .workings import WORKING_COLUMNS, WORKINGS_FIRST_COL

# ---- Charts -----------------------------------------------------------------------


def axes_visible(chart) -> None:
    # openpyxl 3.1 leaves axes' <c:delete> unset, which recent Excel reads as hidden
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def charts_sheet(book: Book, ws, scenario, months: int, mo: Columns, w: Columns, y: Columns) -> None:
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
    money_axis = AXIS_AMOUNT

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
    chart.y_axis.title = f"{cur} per month (k: thousand, M: million)"
    chart.y_axis.numFmt = money_axis
    chart.x_axis.title = "Month"
    chart.x_axis.number_format = MONTH_DATE
    axes_visible(chart)
    chart.width, chart.height = 26, 12
    ws.add_chart(chart, "A4")

    # 2. cumulative training against inference, with the crossover marked
    line = LineChart()
    line.title = "Cumulative training and inference cost"
    col_t = list(WORKING_COLUMNS).index("cum_training") + WORKINGS_FIRST_COL
    line.add_data(Reference(workings_ws, min_col=col_t, max_col=col_t + 1, min_row=HEADER_ROW, max_row=w.last),
                  titles_from_data=True)
    line.set_categories(cats)
    for series in line.series:
        series.smooth = False
        series.marker.symbol = "none"
    bar = BarChart()
    col_x = list(WORKING_COLUMNS).index("crossover_marker") + WORKINGS_FIRST_COL
    bar.add_data(Reference(workings_ws, min_col=col_x, min_row=HEADER_ROW, max_row=w.last), titles_from_data=True)
    bar.gapWidth = 0
    bar.series[0].graphicalProperties.solidFill = "C00000"
    bar.series[0].graphicalProperties.line.solidFill = "C00000"
    line.y_axis.title = f"{cur} (k: thousand, M: million)"
    line.y_axis.numFmt = money_axis
    line.x_axis.title = "Month"
    line.x_axis.number_format = MONTH_DATE
    axes_visible(line)
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
    chart.y_axis.title = f"{cur} per year (k: thousand, M: million)"
    chart.y_axis.numFmt = money_axis
    chart.x_axis.title = "Year"
    axes_visible(chart)
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
    axes_visible(chart)
    chart.width, chart.height = 26, 12
    ws.add_chart(chart, "A79")
