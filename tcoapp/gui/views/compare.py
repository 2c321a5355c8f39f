"""Compare: the open scenarios side by side, and the solver's deployment and chip comparisons.

The side-by-side table and the cumulative cost curves evaluate every open
document on the main thread (a few milliseconds each) when the view is
visible. The deployment comparison (API, cloud, owned) and the chip comparison
of the active scenario run on the window's worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget,
    QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from tcoapp.reports.report import format_value

from tcoapp.gui.widgets.formatting import compact_money, compact_number, count_text, short_value
from tcoapp.gui.charts.panel import ChartPanel
from tcoapp.gui.views.results import Evaluation, evaluate_scenario

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


#: Width of a scenario column (names longer than this are elided in the middle).
COLUMN_WIDTH = 150


def not_applicable(scenario) -> dict[str, str]:
    """The compared metrics that do not apply to a scenario, with why: a cloud or API deployment
    reports no inference energy (MODEL.md: owned only), because it is in the rental or API price.

    >>> from types import SimpleNamespace as Fake
    >>> not_applicable(Fake(inference=Fake(deployment="api")))
    {'energy_mwh': 'in the API price (inference energy is counted for owned chips only)'}
    >>> not_applicable(Fake(inference=Fake(deployment="owned")))
    {}
    """
    deployment = getattr(getattr(scenario, "inference", None), "deployment", None)
    if deployment in ("cloud", "api"):
        price = "rental" if deployment == "cloud" else "API"
        return {"energy_mwh": f"in the {price} price (inference energy is counted for owned chips only)"}
    return {}


def build_comparison(names: list[str], evaluations: list, base: int, currency: str | None = None) -> dict:
    """The side-by-side table in one reporting currency, with deltas against column ``base``.

    Amounts (MONEY_KEYS) are converted to ``currency`` (default: the base scenario's) through
    USD with each scenario's ``finance.usd_to_currency``; shares, months and counts are kept.
    Returns ``{"currency", "converted", "base", "best", "columns": [{"name", "factor",
    "problem", "values", "deltas": {key: (absolute, relative or None)}}]}``.
    """
    from tcoapp.reports.report import MONEY_KEYS, MONTH_KEYS

    if currency is None:
        currency = evaluations[base].scenario.currency if evaluations else "USD"
    target_rate = 1.0
    if evaluations and currency == evaluations[base].scenario.currency:
        target_rate = evaluations[base].scenario.finance.usd_to_currency
    columns = []
    for name, evaluation in zip(names, evaluations):
        scenario = evaluation.scenario
        same = scenario.currency == currency
        factor = 1.0 if same else target_rate / scenario.finance.usd_to_currency
        column = {"name": name, "currency": scenario.currency, "factor": factor,
                  "problem": None if evaluation.summary is not None else str(evaluation.problem), "values": {},
                  "deltas": {}, "notes": not_applicable(scenario)}
        for key, _ in COMPARE_KEYS:
            value = (evaluation.summary or {}).get(key)
            if value is not None and key in MONEY_KEYS:
                value = value * factor
            if key in column["notes"]:
                value = None  # not a zero: the metric does not apply (an empty cell, with the note)
            column["values"][key] = value
        columns.append(column)
    converted = any(c["factor"] != 1.0 for c in columns)
    if columns and columns[base]["problem"] is None:
        reference = columns[base]["values"]
        for column in columns:
            if column["problem"] is not None:
                continue
            for key, value in column["values"].items():
                ref = reference.get(key)
                if value is None or ref is None or key in MONTH_KEYS and key != "crossover_month":
                    continue
                absolute = value - ref
                column["deltas"][key] = (absolute, absolute / abs(ref) if ref else None)
    totals = [(c["values"]["total_cost"], i) for i, c in enumerate(columns)
              if c["problem"] is None and c["values"]["total_cost"] is not None]
    best = min(totals)[1] if len(totals) > 1 else None
    return {"currency": currency, "converted": converted, "base": base, "best": best, "columns": columns}


def delta_text(key: str, delta: tuple, currency: str) -> str:
    """A delta as ``+1.23 M (+4.5 %)``; share deltas in percentage points, months in months.

    >>> delta_text("total_cost", (1.5e6, 0.0312), "EUR"), delta_text("inference_share", (-0.05, -0.08), "USD")
    ('EUR +1.50 M (+3.1\xa0%)', '-5.0 pts')
    >>> delta_text("cost_per_request", (-4.41e-05, -0.041), "USD"), delta_text("total_cost", (-1e-13, -1e-20), "USD")
    ('USD -0.0000441 (-4.1\xa0%)', 'no change')
    """
    from tcoapp.reports.report import MONEY_KEYS, SHARE_KEYS

    absolute, relative = delta
    if absolute == 0 or relative is not None and abs(relative) < 1e-9:
        return "no change"  # not "+0", "-0.0 pts" or a rounding residue such as "-0.000000000001"
    if key in SHARE_KEYS:
        return f"{100 * absolute:+.1f} pts".replace("-0.0 ", "0.0 ").replace("+0.0 ", "0.0 ")
    if key == "crossover_month":
        months = round(absolute)
        return f"{months:+d} month{'s' if abs(months) != 1 else ''}" if months else "no change"
    if key in MONEY_KEYS:  # with the currency, as the values: "USD -0.0000441", never "-4.41e-05"
        number = compact_number(absolute, money=True)
        text = f"{currency} {number if number.startswith('-') else '+' + number}"
    else:
        number = count_text(absolute) if key.endswith("chips") else compact_number(absolute)
        text = number if number.startswith("-") else "+" + number
        text += {"peak_chips": " chips", "energy_mwh": " MWh"}.get(key, "")
    return text + (f" ({_relative_text(relative)})" if relative is not None else "")


def _relative_text(relative: float) -> str:
    """A relative change for a narrow cell: one decimal under 10 %, whole percent from there, and a
    no-break space before "%" so a cell that must wrap breaks before the bracket, never inside it.

    >>> _relative_text(0.0312), _relative_text(-2.427), _relative_text(-0.00004)
    ('+3.1\xa0%', '-243\xa0%', '0.0\xa0%')
    """
    percent = 100 * relative
    text = f"{percent:+.0f}" if abs(percent) >= 9.95 else f"{percent:+.1f}"
    return ("0.0" if text in ("+0.0", "-0.0") else text) + "\u00a0%"


def comparison_csv(comparison: dict) -> str:
    """The comparison as CSV: one row per metric, per scenario its value, delta and delta %
    (rounded by the reports package's ``csv_ready``)."""
    from tcoapp.reports.comparison_workbook import comparison_csv_text

    return comparison_csv_text(comparison, COMPARE_KEYS)


def _short_name(name: str) -> str:
    """A document's name without ``.tco`` or `` (sample)`` (the header elides it in the middle to fit;
    the tooltip has the full name): "deployment-cloud (sample)" reads "deployment-cloud", not "deployme…(sample)".

    >>> _short_name("deployment-cloud (sample)"), _short_name("plan.tco")
    ('deployment-cloud', 'plan')
    """
    for suffix in (" (sample)", ".tco"):
        name = name.removesuffix(suffix)
    return name


#: The tag of a programme column's name (see CompareView._programme_columns).
PROGRAMME_TAG = " (programme)"


def _name_and_tags(name: str) -> tuple[str, list[str]]:
    """A column's short name and its tags, kept apart so the header elides the name, never a tag.

    >>> _name_and_tags("company-programme (sample) (programme)"), _name_and_tags("plan.tco")
    (('company-programme', ['programme']), ('plan', []))
    """
    tags = []
    if name.endswith(PROGRAMME_TAG):
        name, tags = name[: -len(PROGRAMME_TAG)], ["programme"]
    return _short_name(name), tags


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
        self.comparison: dict = {}
        self.base_box = QComboBox()
        self.base_box.setObjectName("compare.base")
        self.base_box.setToolTip("The scenario the others are measured against (deltas in absolute terms and %)")
        self.base_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.currency_box = QComboBox()
        self.currency_box.setObjectName("compare.currency")
        self.currency_box.addItem("Base scenario's currency", "base")
        self.currency_box.addItem("USD", "USD")
        self.currency_box.setToolTip("One reporting currency for every column: amounts are converted with each "
                                     "scenario's finance.usd_to_currency")
        self.currency_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("compare.export_csv")
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.export_workbook_button = QPushButton("Export workbook…")
        self.export_workbook_button.setObjectName("compare.export_workbook")
        self.export_workbook_button.setToolTip("Write the comparison as an Excel workbook: one column per scenario, "
                                               "deltas against the base as formulas")
        self.export_workbook_button.clicked.connect(lambda: self.export_workbook())
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)  # drag a column to reorder it
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        window.active_document_changed.connect(lambda _: self.documents_changed())
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Base:"))
        controls.addWidget(self.base_box, 1)
        controls.addWidget(QLabel("Report in:"))
        controls.addWidget(self.currency_box)
        controls.addWidget(self.export_button)
        controls.addWidget(self.export_workbook_button)
        upper_layout.addLayout(controls)
        upper_layout.addWidget(self.heading)
        upper_layout.addWidget(self.table, 1)  # the whole width: four scenarios fit at 1280x800
        self.solver_tabs = QTabWidget()
        self.solver_tabs.setObjectName("compare.solver")
        self.deployments = RankingPanel("deployments", self)
        self.chips = RankingPanel("chips", self)
        self.solver_tabs.addTab(self.curves, "Cumulative cost: open scenarios")
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
        self._watched: dict = {}  # programme windows whose edits refresh the comparison
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.refresh)

    def input_changed(self) -> None:
        """The active scenario changed: the solver comparisons shown are out of date."""
        for panel in (self.deployments, self.chips):
            if panel.result is not None:
                panel.note.setText("Inputs changed since this comparison. Run it again to update.")

    def _header_menu(self, point) -> None:
        """Right-click a column header: hide that column, or show every column again."""
        from PySide6.QtWidgets import QMenu

        header = self.table.horizontalHeader()
        column = header.logicalIndexAt(point)
        menu = QMenu(self)
        if column >= 0:
            menu.addAction("Hide this column", lambda: self.table.setColumnHidden(column, True))
        menu.addAction("Show all columns",
                       lambda: [self.table.setColumnHidden(c, False) for c in range(self.table.columnCount())])
        menu.popup(header.mapToGlobal(point))

    def documents_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _programme_columns(self) -> list:
        """``(name, path, Evaluation)`` of each open programme window (its last evaluation), oldest first.

        A programme's edits make the comparison stale, as a scenario's do.
        """
        from tcoapp.gui.views.programme import open_programme_windows

        columns = []
        for window in open_programme_windows():
            if window not in self._watched:
                self._watched[window] = None
                window.evaluated.connect(self.documents_changed)
                window.destroyed.connect(lambda *_, w=window: self._watched.pop(w, None))
            document = window.document
            columns.append((f"{document.display_name()}{PROGRAMME_TAG}", document.path,
                            Evaluation(document.programme, window.report, window.problem, 0.0)))
        return columns

    def refresh(self) -> None:
        self._stale = False
        documents = list(self.window_ref.documents)
        evaluations = [evaluate_scenario(d.scenario) for d in documents]
        names = [d.display_name() for d in documents]
        paths = [d.path for d in documents]
        for name, path, evaluation in self._programme_columns():
            names.append(name)
            paths.append(path)
            evaluations.append(evaluation)
        self._fill_base_box(names)
        base = min(max(self.base_box.currentIndex(), 0), max(len(names) - 1, 0))
        active = documents.index(self.window_ref.active) if self.window_ref.active in documents else -1
        currency = "USD" if self.currency_box.currentData() == "USD" or not evaluations else None
        self.comparison = comparison = build_comparison(names, evaluations, base, currency)
        cur = comparison["currency"]
        self.heading.setText(
            f"Open scenarios side by side; amounts in <b>{cur}</b>"
            + (" (converted with each scenario's finance.usd_to_currency)" if comparison["converted"] else "")
            + (f"; deltas against <b>{names[base]}</b>" if len(names) > 1 else "") + ".")
        self.table.clear()
        self.table.setRowCount(len(COMPARE_KEYS))
        self.table.setColumnCount(len(names))
        metrics = QFontMetrics(self.table.horizontalHeader().font())
        for c, path in enumerate(paths):
            mark = "▶ " if c == active else ""
            name, tags = _name_and_tags(names[c])
            tags += ["base"] if c == base and len(names) > 1 else []
            # the tags stay whole on a line of their own: only the name is elided, with the column's room
            suffix = f"\n({', '.join(tags)})" if tags else ""
            room = COLUMN_WIDTH - 16 - metrics.horizontalAdvance(mark)
            text = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, room)
            item = QTableWidgetItem(mark + text + suffix)
            tip = names[c] + (f" — {path}" if path else " — not saved yet")
            if c == active:
                tip += " (the active scenario)"
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(c, item)
        self.table.setVerticalHeaderLabels([label for _, label in COMPARE_KEYS])
        for c, column in enumerate(comparison["columns"]):
            evaluation = evaluations[c]
            scenario = evaluation.scenario
            for r, (key, _) in enumerate(COMPARE_KEYS):
                if column["problem"] is not None:
                    item = _item("—" if r else "cannot compute", column["problem"])
                elif key in column.get("notes", {}):
                    item = _item("—", column["notes"][key][0].upper() + column["notes"][key][1:])
                else:
                    value = column["values"][key]
                    shown = scenario.model_copy(update={"currency": cur})
                    exact = format_value(key, value, cur, scenario.start_month)
                    text = short_value(key, value, shown)
                    delta = column["deltas"].get(key)
                    if delta is not None and c != base:
                        text += "\n" + delta_text(key, delta, cur)
                        exact += f"\nagainst the base: {delta_text(key, delta, cur)}"
                    item = _item(text, exact)
                    if key == "total_cost" and comparison["best"] == c:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                        item.setToolTip(exact + f"\nLowest lifetime cost of the open scenarios (in {cur})")
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        for c in range(len(names)):
            self.table.setColumnWidth(c, COLUMN_WIDTH)
        curves = [{"label": _short_name(names[i]), "months": e.report["months"],
                   "total": [v * col["factor"] for v in e.report["series"]["total"]]}
                  for i, (e, col) in enumerate(zip(evaluations, comparison["columns"])) if e.report is not None]
        self.curves.set_data({"curves": curves, "currency": cur})

    def _fill_base_box(self, names: list[str]) -> None:
        current = self.base_box.currentText()
        self.base_box.blockSignals(True)
        self.base_box.clear()
        self.base_box.addItems(names)
        index = names.index(current) if current in names else 0
        self.base_box.setCurrentIndex(index)
        self.base_box.blockSignals(False)

    def export_csv(self, path=None):
        """Write the comparison (the values shown, in the reporting currency, and the deltas) as CSV."""
        from pathlib import Path

        from tcoapp.reports.export import ExportError, write_atomically

        from tcoapp.gui.dialogs.questions import Question, ask, show_error

        if path is None:
            path = ask(self, Question("save_file", "Export the comparison to CSV",
                                      options={"directory": str(Path.home() / "comparison.csv"),
                                               "filter": "CSV (*.csv)"}))
            if not path:
                return None
        self.refresh()
        text = comparison_csv(self.comparison)
        try:
            written = write_atomically(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        except ExportError as error:
            show_error(self, "Cannot write the CSV file", str(error))
            return None
        self.window_ref.status_label.setText(f"Exported {written}")
        return written

    def export_workbook(self, path=None):
        """Write the comparison as a workbook (values in the reporting currency, deltas as formulas)."""
        from pathlib import Path

        from tcoapp.reports.comparison_workbook import write_comparison_workbook
        from tcoapp.reports.export import ExportError

        from tcoapp.gui.dialogs.questions import Question, ask, show_error

        if path is None:
            path = ask(self, Question("save_file", "Export the comparison as a workbook",
                                      options={"directory": str(Path.home() / "comparison.xlsx"),
                                               "filter": "Excel workbook (*.xlsx)"}))
            if not path:
                return None
        self.refresh()
        if not self.comparison.get("columns"):
            show_error(self, "Nothing to export", "Open at least one scenario to compare.")
            return None
        try:
            written = write_comparison_workbook(Path(path), self.comparison, COMPARE_KEYS)
        except ExportError as error:
            show_error(self, "Cannot write the workbook", str(error))
            return None
        self.window_ref.status_label.setText(f"Exported {written}")
        return written

    def shutdown(self) -> None:
        self._timer.stop()
