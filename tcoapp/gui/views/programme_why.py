""""Why this number" for a programme's KPI card: its formula and the parts it is made of.

A programme's figures are computed on its monthly series, the sums over its workloads
plus the idle owned capacity (docs/programmes.md, "The programme's figures"). Clicking a
card of the programme window opens :class:`ProgrammeWhyPanel`: the formula in words, then
each workload's value, the idle owned capacity's part where there is one, and the
programme's figure. For a sum (lifetime cost, training, inference, NPV, energy, revenue,
profit) the rows add up to the programme's figure; for a ratio, a peak, a month or a rate
the rows give what it is computed from and each workload's own figure beside it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from tcoapp.reports.report import format_month, format_value
from tcoapp.scenario.outputs import SUMMARY_LABELS

from .why import why_widgets

IDLE = "(idle owned capacity)"
PROGRAMME = "Programme"
#: The figures that are the sum of the workloads' plus the idle capacity's part (none for training and revenue).
SUMS = ("total_cost", "training_cost", "inference_cost", "npv_total", "energy_mwh", "revenue_total", "profit")
#: Each KPI's formula, in the words of docs/programmes.md.
FORMULAS = {
    "total_cost": "training_cost + inference_cost of the programme's series: the sum over workloads of each "
                  "one's lifetime cost, plus the idle owned capacity (owned servers paid for in months no "
                  "workload needs them)",
    "training_cost": "the sum over workloads of each one's training cost (training has no idle line)",
    "inference_cost": "the sum over workloads of each one's inference cost, plus the idle owned capacity",
    "inference_share": "inference_cost / total_cost of the programme (idle capacity included), not an average of "
                       "the workloads' shares",
    "npv_total": "sum of cash_total(m) × (1 + discount_rate) ** (−m / 12) over the programme's cash: the sum over "
                 "workloads of each one's NPV, plus the NPV of the idle capacity's cash",
    "peak_chips": "the maximum over months of the programme's chips in service (a shared fleet counted once), not "
                  "the sum of the workloads' peaks",
    "energy_mwh": "the sum over workloads of each one's inference energy, plus the idle servers' MWh",
    "cost_per_million_tokens": "inference_cost / (tokens / 1e6) of the programme: its inference cost (idle "
                               "capacity included) over every workload's tokens",
    "revenue_total": "the sum over workloads of each one's revenue",
    "profit": "revenue_total − total_cost: the sum over workloads of each one's profit, less the idle owned "
              "capacity",
    "payback_month": "the first month m where the programme's cumulative revenue ≥ its cumulative cash_total (and "
                     "cumulative revenue > 0); null if none",
    "irr": "annual: (1 + i) ** 12 − 1 where the monthly rate i makes the discounted sum of the programme's "
           "revenue − cash_total zero",
}


def _total(values) -> float:
    return float(sum(v or 0.0 for v in values))


def why_rows(key: str, report: dict, currency: str, start_month: str) -> list[tuple[str, str, float | None, str]]:
    """(part, value shown, value, note) of the panel's table for ``key``: the workloads, the idle capacity's part
    (sums only, where the programme has one), the programme's inputs to a ratio, and the programme's figure."""
    summary = report["summary"]
    workloads = report["workloads"]

    def shown(k: str, value) -> str:
        return format_value(k, value, currency, start_month)

    rows: list[tuple[str, str, float | None, str]] = []
    if key in SUMS:
        parts = {name: item["summary"][key] for name, item in workloads.items()}
        for name, value in parts.items():
            rows.append((name, shown(key, value), value, "workload"))
        if key in ("total_cost", "inference_cost", "profit"):
            idle = _total(report["series"]["inference_unallocated"])
            idle = -idle if key == "profit" else idle
            rows.append((IDLE, shown(key, idle), idle, "sum of the idle capacity's months"))
        elif key in ("npv_total", "energy_mwh") and summary[key] is not None \
                and all(v is not None for v in parts.values()):
            idle = summary[key] - _total(parts.values())
            if abs(idle) <= 1e-9 * max(abs(summary[key]), 1.0):  # rounding of the sum, not an idle cost
                idle = 0.0
            rows.append((IDLE, shown(key, idle), idle, "the programme's less its workloads'"))
        rows.append((PROGRAMME, shown(key, summary[key]), summary[key], "sum of the rows above"))
        return rows
    if key == "inference_share":
        rows.append(("Inference cost (programme)", shown("inference_cost", summary["inference_cost"]),
                     summary["inference_cost"], "idle capacity included"))
        rows.append(("Lifetime cost (programme)", shown("total_cost", summary["total_cost"]), summary["total_cost"],
                     ""))
    elif key == "cost_per_million_tokens":
        tokens = _total(report["series"]["tokens"])
        rows.append(("Inference cost (programme)", shown("inference_cost", summary["inference_cost"]),
                     summary["inference_cost"], "idle capacity included"))
        rows.append(("Tokens (programme)", f"{tokens / 1e6:,.0f} million tokens", tokens, "every workload's"))
    elif key == "peak_chips":
        chips = report["series"]["chips"]
        month = max(range(len(chips)), key=lambda m: chips[m] or 0.0) if chips else None
        if month is not None:
            rows.append((f"Chips in service in {format_month(month, start_month).split(' (')[0]}",
                         shown(key, chips[month]), chips[month],
                         "the programme's busiest month"))
    for name, item in workloads.items():
        value = item["summary"][key]
        rows.append((name, shown(key, value), value, "the workload's own, for comparison"))
    rows.append((PROGRAMME, shown(key, summary[key]), summary[key], "computed on the programme's series"))
    return rows


class ProgrammeWhyPanel(QDialog):
    """The formula and parts of one KPI of a programme window; follows the programme's evaluations."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName("dialog.programme_why")
        self.setWindowTitle("Why this number — programme")
        self.window_ref = window
        self.key = "total_cost"
        self.heading, self.formula, self.parts = why_widgets("programme_why", "parts", ("Part", "Value", "Note"))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.formula)
        layout.addWidget(self.parts, 1)
        layout.addLayout(buttons)
        self.resize(640, 380)
        window.evaluated.connect(lambda: self.isVisible() and self.show_key(self.key))

    def show_key(self, key: str) -> None:
        self.key = key
        window = self.window_ref
        programme = window.document.programme
        report = window.report
        title = html.escape(SUMMARY_LABELS[key][0])
        if report is None:  # the problem names workloads and values the user typed: shown as text, never markup
            self.heading.setText(f"<h3>{title}: cannot compute</h3>")
            self.formula.setText(f"<p>{html.escape(str(window.problem))}</p>")
            self.parts.setRowCount(0)
            return
        value = format_value(key, report["summary"][key], programme.currency, programme.start_month)
        self.heading.setText(f"<h3>{title}: {html.escape(value)}</h3>")
        self.formula.setText(f"<p><b>{html.escape(key)}</b> = {html.escape(FORMULAS.get(key, ''))}</p><p>How a "
                             "programme's figures are computed: Help &gt; Programmes, “The programme's figures”.</p>")
        rows = why_rows(key, report, programme.currency, programme.start_month)
        self.parts.setRowCount(len(rows))
        bold = QFont(self.parts.font())
        bold.setBold(True)
        for r, (part, shown, value, note) in enumerate(rows):
            items = (QTableWidgetItem(part), QTableWidgetItem(shown), QTableWidgetItem(note))
            items[1].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            items[1].setData(Qt.ItemDataRole.UserRole, value)
            for c, item in enumerate(items):
                if part == PROGRAMME:
                    item.setFont(bold)
                self.parts.setItem(r, c, item)
        self.parts.resizeColumnsToContents()
        self.parts.setCurrentCell(-1, -1)
