"""Compare: the open scenarios side by side, and the solver's deployment and chip comparisons.

The side-by-side table and the cumulative cost curves evaluate every open
document on the main thread (a few milliseconds each) when the view is
visible. The deployment comparison (API, cloud, owned) and the chip comparison
of the active scenario run on the window's worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget,
    QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from tcoapp.reports.report import format_value

from tcoapp.gui.widgets.formatting import compact_money, compact_number, short_value
from tcoapp.gui.charts.panel import ChartPanel
from tcoapp.gui.views.results import evaluate_scenario

if TYPE_CHECKING:
    from tcoapp.gui.documents.host import ViewHost

#: Rows of the side-by-side table.
COMPARE_KEYS = (
    ("total_cost", "Lifetime cost"), ("training_cost", "Training cost"), ("inference_cost", "Inference cost"),
    ("npv_total", "NPV of costs"), ("inference_share", "Inference share"),
    ("crossover_month", "Inference overtakes training"), ("cost_per_million_tokens", "Cost per million tokens"),
    ("cost_per_request", "Cost per request"), ("peak_chips", "Peak inference chips"),
    ("energy_mwh", "Inference energy (MWh)"), ("revenue_total", "Revenue"), ("payback_month", "Payback"),
    ("irr", "IRR"),
)
#: Metrics the solver comparisons can rank by.
RANK_METRICS = (
    ("total_cost", "Lifetime cost"), ("npv_total", "NPV of costs"), ("inference_cost", "Inference cost"),
    ("cost_per_million_tokens", "Cost per million tokens"),
)
RANK_COLUMNS = ("total_cost", "npv_total", "inference_cost", "cost_per_million_tokens", "peak_chips")



def _item(text: str, tooltip: str = "", align_right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tooltip:
        item.setToolTip(tooltip)
    return item


class RankingPanel(QWidget):
    """One solver comparison: metric picker, Run button, ranked table and bar chart."""

    def __init__(self, kind: str, view: "CompareView"):
        super().__init__()
        self.kind = kind
        self.view = view
        self.setObjectName(f"compare.{kind}")
        self.metric_box = QComboBox()
        self.metric_box.setObjectName(f"compare.{kind}.metric")
        for key, label in RANK_METRICS:
            self.metric_box.addItem(label, key)
        self.run_button = QPushButton("Compare deployments" if kind == "deployments" else "Compare chips")
        self.run_button.setObjectName(f"compare.{kind}.run")
        self.run_button.clicked.connect(self.run)
        self.note = QLabel("")
        self.note.setObjectName(f"compare.{kind}.note")
        self.note.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName(f"compare.{kind}.table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.chart = ChartPanel(f"compare_{kind}", "Ranking", "tcoapp.reports.analysis_figures:draw_ranking")
        self.role = QComboBox()
        self.role.setObjectName(f"compare.{kind}.role")
        for role, label in (("inference", "Inference chip"), ("training", "Training chip"),
                            ("both", "Both chips")):
            self.role.addItem(label, role)
        top = QHBoxLayout()
        top.addWidget(QLabel("Rank by"))
        top.addWidget(self.metric_box)
        if kind == "chips":
            top.addWidget(QLabel("Swap"))
            top.addWidget(self.role)
        top.addWidget(self.run_button)
        top.addWidget(self.note, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        split.setSizes([590, 250])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.result: dict | None = None
        self.note.setText("Runs on the active scenario in the background."
                          if kind == "deployments" else "Every catalog and custom chip that can serve the model.")

    def run(self) -> None:
        window = self.view.window_ref
        if window.active is None:
            return
        try:
            from tcoapp.scenario import sensitivity
        except ImportError as error:
            self.note.setText(f"Not available: {error}")
            return
        function = sensitivity.compare_deployments if self.kind == "deployments" else sensitivity.compare_chips
        scenario = window.active.scenario
        metric = self.metric_box.currentData()
        options = {"role": self.role.currentData()} if self.kind == "chips" else {}

        def job(progress=None, cancelled=None):
            return function(scenario, metric=metric, **options)

        self.note.setText("Running…")
        window.worker.submit("Deployment comparison" if self.kind == "deployments" else "Chip comparison", job,
                             on_result=lambda result: self.show_result(result, scenario),
                             on_error=lambda error: self.note.setText(f"Failed: {error}"))

    def show_result(self, result: dict, scenario) -> None:
        self.result = result
        rows = result.get("rows", [])
        cur = scenario.currency
        headers = ["Rank", "Option"] + [key for key in RANK_COLUMNS] + ["Note"]
        labels = {"total_cost": "Lifetime", "npv_total": "NPV", "inference_cost": "Inference",
                  "cost_per_million_tokens": "Per M tokens", "peak_chips": "Peak chips"}
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(
            [labels.get(h, h) + (f"\n({cur})" if h in labels and h != "peak_chips" else "") for h in headers])
        self.table.setRowCount(len(rows))
        rank = 0
        for r, row in enumerate(rows):
            error = row.get("error")
            if error is None:
                rank += 1
            self.table.setItem(r, 0, _item(str(rank) if error is None else "—"))
            self.table.setItem(r, 1, _item(str(row.get("label")), align_right=False))
            summary = row.get("summary") or {}
            for c, key in enumerate(RANK_COLUMNS, start=2):
                value = summary.get(key)
                exact = format_value(key, value, cur, scenario.start_month)
                text = "—" if error is not None else short_value(key, value, scenario).replace(f"{cur} ", "")
                self.table.setItem(r, c, _item(text, exact))
            self.table.setItem(r, len(headers) - 1, _item(error or "", error or "", align_right=False))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self.table.setColumnWidth(1, min(self.table.columnWidth(1), 150))
        self.table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        metric_label = dict(RANK_METRICS).get(result.get("metric"), result.get("metric", ""))
        best = next((row for row in rows if row.get("error") is None), None)
        failed = [row for row in rows if row.get("error") is not None]
        text = f"Best by {metric_label.lower()}: <b>{best['label']}</b>." if best else "No option works."
        if failed and len(failed) <= 3:
            text += " " + " ".join(f"{row['label']}: not possible ({row['error']})." for row in failed)
        elif failed:
            text += f" {len(failed)} options are not possible (see the Note column)."
        self.note.setText(text)
        self.chart.draw_name = "tcoapp.gui.views.compare:_draw_ranking"
        self.chart.set_data({"rows": rows, "metric_label": metric_label, "currency": cur})


def _short_name(name: str) -> str:
    """A document's name for a narrow column: without ``.tco``, at most 22 characters."""
    if name.endswith(".tco"):
        name = name[:-4]
    return name if len(name) <= 22 else name[:21] + "…"


def _draw_ranking(fig, data: dict) -> None:
    from tcoapp.reports.analysis_figures import draw_ranking

    draw_ranking(fig, data["rows"], data["metric_label"], data["currency"])


def _draw_curves(fig, data: dict) -> None:
    from tcoapp.reports.analysis_figures import draw_compare_curves

    draw_compare_curves(fig, data["curves"], data["currency"])


class CompareView(QWidget):
    """Open scenarios side by side, and the deployment and chip comparisons of the active one."""

    def __init__(self, window: "ViewHost"):
        super().__init__()
        self.setObjectName("view.compare")
        self.window_ref = window
        self.table = QTableWidget()
        self.table.setObjectName("compare.table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.curves = ChartPanel("compare_curves", "Cumulative cost of the open scenarios",
                                 "tcoapp.gui.views.compare:_draw_curves")
        self.heading = QLabel("Open scenarios side by side (open more with File > Open or New from template)")
        self.heading.setObjectName("compare.heading")
        self.heading.setWordWrap(True)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.table)
        top.addWidget(self.curves)
        top.setSizes([580, 260])
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.heading)
        upper_layout.addWidget(top, 1)
        self.solver_tabs = QTabWidget()
        self.solver_tabs.setObjectName("compare.solver")
        self.deployments = RankingPanel("deployments", self)
        self.chips = RankingPanel("chips", self)
        self.solver_tabs.addTab(self.deployments, "Deployment: API, cloud or owned")
        self.solver_tabs.addTab(self.chips, "Chip comparison")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(self.solver_tabs)
        split.setSizes([400, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        self._stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.refresh)

    def input_changed(self) -> None:
        """The active scenario changed: the solver comparisons shown are out of date."""
        for panel in (self.deployments, self.chips):
            if panel.result is not None:
                panel.note.setText("Inputs changed since this comparison. Run it again to update.")

    def documents_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        documents = list(self.window_ref.documents)
        evaluations = [evaluate_scenario(d.scenario) for d in documents]
        self.table.clear()
        self.table.setRowCount(len(COMPARE_KEYS))
        self.table.setColumnCount(len(documents))
        self.table.setHorizontalHeaderLabels([_short_name(d.display_name()) for d in documents])
        for c, document in enumerate(documents):
            self.table.horizontalHeaderItem(c).setToolTip(
                str(document.path) if document.path else document.display_name())
        self.table.setVerticalHeaderLabels([label for _, label in COMPARE_KEYS])
        totals = [e.summary["total_cost"] if e.summary and e.summary["total_cost"] is not None else None
                  for e in evaluations]
        finite = [t for t in totals if t is not None]
        best = min(finite) if len(finite) > 1 else None
        for c, (document, evaluation) in enumerate(zip(documents, evaluations)):
            scenario = evaluation.scenario
            for r, (key, _) in enumerate(COMPARE_KEYS):
                if evaluation.summary is None:
                    text = "—" if r else "cannot compute"
                    item = _item(text, str(evaluation.problem))
                else:
                    value = evaluation.summary.get(key)
                    exact = format_value(key, value, scenario.currency, scenario.start_month)
                    item = _item(short_value(key, value, scenario), exact)
                    if key == "total_cost" and best is not None and value == best:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                        item.setToolTip("Lowest lifetime cost of the open scenarios")
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        for c in range(len(documents)):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 124))
        curves = [{"label": _short_name(d.display_name()), "months": e.report["months"], "total": e.report["series"]["total"]}
                  for d, e in zip(documents, evaluations) if e.report is not None]
        currencies = {e.scenario.currency for e in evaluations}
        currency = currencies.pop() if len(currencies) == 1 else "mixed currencies"
        self.curves.set_data({"curves": curves, "currency": currency})

    def shutdown(self) -> None:
        self._timer.stop()
