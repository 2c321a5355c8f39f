"""The Compare view's export: open scenarios side by side, as CSV and as a workbook with live deltas.

Both take the comparison the GUI builds (``tcoapp.gui.views.compare.build_comparison``):
``{"currency", "converted", "base", "columns": [{"name", "currency", "factor", "problem",
"values": {key: value}, "deltas": {key: (absolute, relative)}, "notes": {key: why}}]}`` with every
amount already in the reporting currency, and the rows to show as ``(key, label)`` pairs. A metric
that does not apply to a scenario (inference energy of a cloud or API deployment) has the value
None and its reason in ``notes``: an empty cell with that note (a cell comment in the workbook, the
last column of the CSV), never a 0 that reads as measured.

The workbook has one column per compared scenario, the base first (column B), then the
deltas of every other scenario against the base as formulas: absolute ``=C5-$B5`` and
relative ``=(C5-$B5)/ABS($B5)`` (blank where either value is missing or the base is 0).
Every sheet is protected (no password), so the formulas cannot be typed over by chance;
the values are the figures of the export, stamped with its time and the tcoapp version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .report import MONEY_KEYS, MONTH_KEYS, SHARE_KEYS

#: First row of the metric table (row 4 holds the headers).
FIRST_ROW = 5
HEADER_ROW = 4

#: Rows whose deltas are meaningless (a payback month "never" has no difference).
NO_DELTA_KEYS = MONTH_KEYS - {"crossover_month"}


def unit_of(key: str, currency: str) -> str:
    """The unit a row is shown in.

    >>> unit_of("total_cost", "EUR"), unit_of("inference_share", "EUR"), unit_of("crossover_month", "EUR")
    ('EUR', '%', 'month number, 0 = first')
    """
    if key in MONEY_KEYS:
        return currency
    if key in SHARE_KEYS:
        return "%"
    if key in MONTH_KEYS:
        return "month number, 0 = first"
    from .report import SUMMARY_LABELS

    return SUMMARY_LABELS.get(key, ("", ""))[1]


def ordered_columns(comparison: dict) -> list[int]:
    """Column indices with the base first, then the others in their order."""
    base = comparison["base"]
    return [base] + [i for i in range(len(comparison["columns"])) if i != base]


def _number_format(key: str, currency: str) -> str:
    from .workbook.core import COUNT, PERCENT, money_format

    if key in SHARE_KEYS:
        return PERCENT
    if key == "cost_per_request":
        return money_format(currency, 5)
    if key == "cost_per_million_tokens":
        return money_format(currency, 2)
    if key in MONEY_KEYS:
        return money_format(currency, 0)
    if key in MONTH_KEYS:
        return "0"
    return COUNT if key.endswith("chips") else "#,##0.0"


def _signed(fmt: str) -> str:
    """A number format with an explicit + on positive numbers (a delta)."""
    positive = fmt.split(";")[0]
    return f"+{positive};-{positive};0"


def build_comparison_workbook(comparison: dict, rows: Sequence[tuple[str, str]], title: str = "Comparison"):
    """The comparison as an openpyxl Workbook (see the module's docstring for the layout)."""
    from openpyxl.utils import get_column_letter

    from .workbook.core import Book, export_stamp, protect

    book = Book()
    st = book.st
    ws = book.wb.active
    ws.title = "Comparison"
    columns = comparison["columns"]
    order = ordered_columns(comparison)
    currency = comparison["currency"]
    n = len(order)
    others = order[1:]
    value_col = {index: 2 + i for i, index in enumerate(order)}
    delta_col = {index: 2 + n + 1 + i for i, index in enumerate(others)}
    relative_col = {index: 2 + n + 1 + len(others) + 1 + i for i, index in enumerate(others)}
    base_name = columns[comparison["base"]]["name"] if columns else ""
    book.text(ws, 1, 1, f"{title}: {n} scenario{'s' if n != 1 else ''} side by side", font=st["title"])
    book.text(ws, 2, 1, export_stamp(), font=st["note_font"])
    note = f"Amounts in {currency}"
    if comparison.get("converted"):
        note += " (converted through USD with each scenario's finance.usd_to_currency)"
    note += f"; deltas against the base, {base_name}, are formulas on the values."
    book.text(ws, 3, 1, note, font=st["note_font"])
    headers = ["Metric"] + [columns[i]["name"] + (" (base)" if i == comparison["base"] else "") for i in order]
    book.header(ws, HEADER_ROW, headers)
    if others:
        book.header(ws, HEADER_ROW, [f"Δ {columns[i]['name']}" for i in others], col=min(delta_col.values()))
        book.header(ws, HEADER_ROW, [f"Δ % {columns[i]['name']}" for i in others], col=min(relative_col.values()))
    base_letter = get_column_letter(value_col[comparison["base"]]) if columns else "B"
    row = FIRST_ROW
    for key, label in rows:
        unit = unit_of(key, currency)
        book.text(ws, row, 1, f"{label} ({unit})" if unit else label)
        fmt = _number_format(key, currency)
        for index in order:
            column = columns[index]
            value = None if column["problem"] is not None else column["values"].get(key)
            cell = ws.cell(row, value_col[index])
            if value is not None:
                cell.value = float(value)
                cell.number_format = fmt
            elif column["problem"] is None and key in column.get("notes", {}):
                # a metric that does not apply stays an empty cell (no 0 to add up), its reason a note
                from openpyxl.comments import Comment

                cell.comment = Comment(f"{label}: {column['notes'][key]}", "tcoapp")
        if key not in NO_DELTA_KEYS:
            for index in others:
                letter = get_column_letter(value_col[index])
                here, there = f"{letter}{row}", f"${base_letter}{row}"
                absolute = ws.cell(row, delta_col[index])
                absolute.value = f'=IF(OR({here}="",{there}=""),"",{here}-{there})'
                absolute.number_format = _signed(fmt)
                relative = ws.cell(row, relative_col[index])
                relative.value = f'=IF(OR({here}="",{there}="",{there}=0),"",({here}-{there})/ABS({there}))'
                relative.number_format = "+0.0%;-0.0%;0.0%"
        row += 1
    row += 1
    book.section(ws, row, "About each column", 1 + n)
    row += 1
    for label, value in (("Scenario currency", lambda c: c["currency"]),
                         (f"Factor to {currency}", lambda c: c["factor"]),
                         ("Problem", lambda c: c["problem"] or "")):
        book.text(ws, row, 1, label)
        for index in order:
            cell = ws.cell(row, value_col[index])
            item = value(columns[index])
            if isinstance(item, str):
                book.text(ws, row, value_col[index], item)
            else:
                cell.value = float(item)
                cell.number_format = "0.######"
        row += 1
    ws.column_dimensions["A"].width = 44
    for col in list(value_col.values()) + list(delta_col.values()) + list(relative_col.values()):
        ws.column_dimensions[get_column_letter(col)].width = 20
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    protect(ws)
    return book.wb


def write_comparison_workbook(path, comparison: dict, rows: Sequence[tuple[str, str]],
                              title: str = "Comparison") -> Path:
    """Write :func:`build_comparison_workbook` to ``path`` atomically (checked before the work)."""
    from .export import check_file_target, write_atomically

    check_file_target(path)
    workbook = build_comparison_workbook(comparison, rows, title)
    return write_atomically(path, workbook.save)


def comparison_rows(comparison: dict, rows: Sequence[tuple[str, str]]) -> list[list[str]]:
    """The comparison as CSV rows: a header, then per metric its unit and, per scenario (in their
    order), the value, and for every scenario but the base its delta and delta % against the base.

    Numbers are rounded by :func:`tcoapp.reports.export.csv_ready` metric by metric (values and
    deltas of one metric share a scale; the percentages are rounded on their own).
    """
    import math
    from decimal import Decimal

    import pandas as pd

    from .export import csv_ready

    columns = comparison["columns"]
    base = comparison["base"]
    keys = [key for key, _ in rows]

    def number(value):
        return math.nan if value is None else float(value)

    # one row per (scenario, kind) and one column per metric, so csv_ready rounds each metric alone
    amounts, percents, labels = [], [], []
    for i, column in enumerate(columns):
        ok = column["problem"] is None
        amounts.append({key: number(column["values"].get(key)) if ok else math.nan for key in keys})
        labels.append(column["name"] + (" (base)" if i == base else ""))
        if i != base:
            deltas = column["deltas"]
            amounts.append({key: number(deltas.get(key, (None, None))[0]) for key in keys})
            labels.append(f"{column['name']} delta")
            percents.append({key: number(None if deltas.get(key, (None, None))[1] is None
                                         else 100 * deltas[key][1]) for key in keys})
    amount_frame = csv_ready(pd.DataFrame(amounts, columns=keys, dtype=float)) if amounts else None
    percent_frame = csv_ready(pd.DataFrame(percents, columns=keys, dtype=float)) if percents else None

    def text(value) -> str:
        if value is None or not math.isfinite(value):
            return ""
        value = float(value) + 0.0
        shortest = Decimal(repr(value))  # the digits that read back as this float
        if value.is_integer():  # "3", not "3.0"; 1e23 is "1000...0", not int()'s "99999999999999991611392"
            shortest = shortest.to_integral_value()
        return format(shortest, "f")  # "0.0000441", never "4.41e-05"

    header = ["metric", "unit"]
    order = []  # (frame, row) per CSV column
    a = p = 0
    for i, column in enumerate(columns):
        header.append(labels[a])
        order.append((amount_frame, a))
        a += 1
        if i != base:
            header += [labels[a], f"{column['name']} delta %"]
            order += [(amount_frame, a), (percent_frame, p)]
            a += 1
            p += 1
    out = [header + ["note"]]
    for key, label in rows:
        line = [label, comparison["currency"] if key in MONEY_KEYS else ""]
        for frame, r in order:
            line.append(text(frame[key].iloc[r]))
        # why a metric's cells are empty for some scenarios ("in the rental price"), not 0
        notes = [f"{column['name']}: {column['notes'][key]}" for column in columns
                 if column["problem"] is None and key in column.get("notes", {})]
        out.append(line + ["; ".join(notes)])
    return out


def comparison_csv_text(comparison: dict, rows: Sequence[tuple[str, str]]) -> str:
    """:func:`comparison_rows` as CSV text (comma, ``.`` decimal point, one line per metric)."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(comparison_rows(comparison, rows))
    return buffer.getvalue()


def write_comparison_csv(path, comparison: dict, rows: Sequence[tuple[str, str]]) -> Path:
    """Write :func:`comparison_csv_text` to ``path`` atomically (UTF-8)."""
    from .export import write_atomically

    text = comparison_csv_text(comparison, rows)
    return write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


__all__ = ["build_comparison_workbook", "write_comparison_workbook", "comparison_rows", "comparison_csv_text",
           "write_comparison_csv"]
