"""Sensitivity views: tornado, Monte Carlo (histogram and fan chart), one-way sweep, two-way heat map,
goal seek and break-even against another deployment.

Every run goes to the window's :class:`~tcoapp.gui.documents.worker.Worker` with
progress and Cancel in the status bar; the window never freezes. When an input
changes, a running sensitivity task is cancelled (its answer would be stale)
and shown results are marked out of date. The tornado redraws by itself while
its tab is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from tcoapp.reports.report import SUMMARY_LABELS, format_value
from tcoapp.scenario.schema import Scenario, get_path, numeric_field_paths

from tcoapp.gui.dialogs.questions import Question, ask
from tcoapp.gui.widgets.formatting import short_value
from tcoapp.gui.charts.panel import ChartPanel
from tcoapp.gui.widgets.numberbox import NumberBox
from tcoapp.gui.widgets.pickers import (
    MC_METRICS, field_combo, metric_combo, select_field, metric_label, metric_unit, number_box, sensitivity_module,
)
from tcoapp.gui.dialogs.solver_dialogs import (
    MAX_SWEEP_POINTS, BreakEvenDialog, GoalSeekDialog, UncertaintyDialog, grid_values, suggested_range, sweep_values,
)

if TYPE_CHECKING:
    from tcoapp.gui.documents.host import ViewHost

class _Panel(QWidget):
    """Common ground: a button row, a note and one or more charts."""

    task_name = ""

    def __init__(self, view: "SensitivityView", name: str):
        super().__init__()
        self.view = view
        self.setObjectName(f"sensitivity.{name}")
        self.note = QLabel("")
        self.note.setObjectName(f"sensitivity.{name}.note")
        self.note.setWordWrap(True)
        self.result: dict | None = None
        self.result_scenario: Scenario | None = None

    @property
    def window_ref(self) -> "ViewHost":
        return self.view.window_ref

    def submit(self, function, *args, **kwargs) -> None:
        scenario = self.window_ref.active.scenario

        def done(result):
            self.result = result
            self.result_scenario = scenario
            self.show_result(result, scenario)

        def failed(error):
            self.note.setText(f"Failed: {error}")

        self._task = self.window_ref.worker.submit(self.task_name, function, *args, on_result=done,
                                                   on_error=failed, **kwargs)

    def mark_stale(self) -> None:
        again = "Updating…" if self.task_name == "Tornado" else "Run again to update."
        task = getattr(self, "_task", None)
        if task is not None and task.is_cancelled() and self.window_ref.worker.current is not task:
            # the edit stopped this panel's run: its "Sampling …" note no longer tells the truth
            self._task = None
            self.note.setText("Stopped: the inputs changed while it ran. " + again)
        elif self.result is not None:
            self.note.setText("Inputs changed since this run. " + again)

    def show_result(self, result: dict, scenario: Scenario) -> None:
        raise NotImplementedError


class TornadoPanel(_Panel):
    """Which inputs move the metric most: each input swung low and high."""

    task_name = "Tornado"

    def __init__(self, view: "SensitivityView"):
        super().__init__(view, "tornado")
        self.metric_box = metric_combo("tornado.metric")
        self.swing = QDoubleSpinBox()
        self.swing.setObjectName("tornado.swing")
        self.swing.setRange(0.01, 0.9)
        self.swing.setSingleStep(0.05)
        self.swing.setValue(0.2)
        self.swing.setDecimals(2)
        self.swing.setToolTip("Each input is moved this share down and up (0.2 = ±20 %), or across its "
                              "uncertainty range where the scenario gives one.")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("tornado.run")
        self.run_button.clicked.connect(self.run)
        self.metric_box.currentIndexChanged.connect(lambda _: self.run())
        self.swing.valueChanged.connect(lambda _: self.view.schedule_tornado())
        self.chart = ChartPanel("tornado", "Tornado", "tcoapp.gui.views.sensitivity:draw_tornado_chart")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Metric"))
        bar.addWidget(self.metric_box)
        bar.addWidget(QLabel("Swing"))
        bar.addWidget(self.swing)
        bar.addWidget(self.run_button)
        bar.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.chart, 1)

    def run(self) -> None:
        module = sensitivity_module()
        if module is None or self.window_ref.active is None:
            self.note.setText("The sensitivity solver is not available in this build.")
            return
        scenario = self.window_ref.active.scenario
        metric, swing = self.metric_box.currentData(), self.swing.value()

        def job(progress=None, cancelled=None):
            return module.tornado(scenario, metric=metric, swing=swing)

        self.note.setText("Running…")
        self.submit(job)

    def show_result(self, result: dict, scenario: Scenario) -> None:
        rows = result.get("rows", [])
        unit = result.get("unit", "")
        top = rows[0]["title"] if rows else "nothing"
        base = format_value(result.get("metric", ""), result.get("base"), scenario.currency, scenario.start_month) \
            if result.get("metric") in SUMMARY_LABELS else f"{result.get('base')} {unit}"
        shown = chart_rows(result)
        hidden = len(rows) - len(shown["rows"])
        self.note.setText(f"Base {base}. Biggest driver: {top}."
                          + (f" The {len(shown['rows'])} largest effects are shown." if hidden else ""))
        self.chart.set_data(shown)


TORNADO_ROWS = 12


def chart_rows(tornado: dict, limit: int = TORNADO_ROWS) -> dict:
    """The tornado with only the rows that move the metric, largest first, at most ``limit``."""
    base = tornado.get("base")

    def swing(row):
        values = [v for v in (row.get("low_metric"), row.get("high_metric")) if v is not None]
        return max((abs(v - base) for v in values), default=0.0) if base is not None else 0.0

    rows = [row for row in tornado.get("rows", []) if row.get("low_metric") is not None
            and row.get("high_metric") is not None and swing(row) > 1e-9 * max(abs(base or 0), 1)]
    rows.sort(key=swing, reverse=True)
    return dict(tornado, rows=rows[:limit])


def draw_tornado_chart(fig, tornado: dict) -> None:
    """The reports package's tornado chart (a plain fallback while it is missing)."""
    from tcoapp.gui.charts.panel import figure_function

    draw = figure_function("tcoapp.reports.figures:draw_tornado")
    if draw is None:
        from tcoapp.reports.analysis_figures import draw_tornado_fallback as draw
    draw(fig, tornado)


class MonteCarloPanel(_Panel):
    """Monte Carlo over the scenario's uncertainty section: histogram, fan chart, percentiles."""

    task_name = "Monte Carlo"

    def __init__(self, view: "SensitivityView"):
        super().__init__(view, "monte_carlo")
        self.samples = QSpinBox()
        self.samples.setObjectName("monte_carlo.samples")
        self.samples.setRange(100, 1_000_000)
        self.samples.setSingleStep(1000)
        self.samples.setValue(10_000)
        self.samples.setGroupSeparatorShown(True)
        self.seed = QSpinBox()
        self.seed.setObjectName("monte_carlo.seed")
        self.seed.setRange(0, 2_000_000_000)
        self.metric_box = metric_combo("monte_carlo.metric", MC_METRICS)
        self.metric_box.currentIndexChanged.connect(lambda _: self._redraw_histogram())
        self.edit_button = QPushButton("Uncertainty…")
        self.edit_button.setObjectName("monte_carlo.edit_uncertainty")
        self.edit_button.setToolTip("Edit the distributions of the uncertain inputs (saved in the scenario)")
        self.edit_button.clicked.connect(view.edit_uncertainty)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("monte_carlo.run")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("monte_carlo.cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.histogram = ChartPanel("histogram", "Histogram", "tcoapp.gui.views.sensitivity:_draw_histogram")
        self.fan = ChartPanel("fan", "Fan chart", "tcoapp.gui.views.sensitivity:_draw_fan")
        self.stats = QTableWidget()
        self.stats.setObjectName("monte_carlo.stats")
        self.stats.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stats.verticalHeader().setVisible(False)
        self.stats.verticalHeader().setDefaultSectionSize(20)
        self.stats.setMaximumHeight(170)
        self.uncertain = QLabel("")
        self.uncertain.setObjectName("monte_carlo.uncertain")
        self.uncertain.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Samples"))
        bar.addWidget(self.samples)
        bar.addWidget(QLabel("Seed"))
        bar.addWidget(self.seed)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.metric_box)
        bar.addStretch(1)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.run_button)
        bar.addWidget(self.cancel_button)
        self.metric_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.metric_box.setMinimumContentsLength(14)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.histogram)
        charts.addWidget(self.fan)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.uncertain)
        layout.addWidget(self.note)
        layout.addWidget(charts, 1)
        layout.addWidget(self.stats)
        self.window_ref.worker.busy_changed.connect(self._on_busy)

    def describe_uncertainty(self, scenario: Scenario) -> None:
        items = scenario.uncertainty
        if not items:
            self.uncertain.setText("No uncertain inputs yet: click Uncertainty… to give some inputs a range.")
            return
        fields = numeric_field_paths()
        names = ", ".join(fields[path].title if path in fields else path for path in items)
        self.uncertain.setText(f"Uncertain inputs ({len(items)}): {names}.")

    def run(self) -> None:
        module = sensitivity_module()
        window = self.window_ref
        if module is None or window.active is None:
            self.note.setText("The sensitivity solver is not available in this build.")
            return
        scenario = window.active.scenario
        if not scenario.uncertainty:
            self.note.setText("Give at least one input a distribution first (Uncertainty…).")
            return
        samples, seed = self.samples.value(), self.seed.value()
        self.note.setText(f"Sampling {samples:,} scenarios…")
        self.submit(module.monte_carlo, scenario, samples=samples, seed=seed, metrics=MC_METRICS)

    def cancel(self) -> None:
        worker = self.window_ref.worker
        if worker.current is not None and worker.current.name == self.task_name:
            worker.cancel()
            self.note.setText("Cancelled.")

    def _on_busy(self, busy: bool) -> None:
        worker = self.window_ref.worker
        running = busy and worker.current is not None and worker.current.name == self.task_name
        self.cancel_button.setEnabled(running)
        self.run_button.setEnabled(not running)

    def show_result(self, result: dict, scenario: Scenario) -> None:
        cur = scenario.currency
        metrics = result.get("metrics", {})
        columns = ["Metric", "P5", "P10", "P50", "P90", "P95", "Mean"]
        self.stats.clear()
        self.stats.setColumnCount(len(columns))
        self.stats.setHorizontalHeaderLabels(columns)
        self.stats.setRowCount(len(metrics))
        for r, (key, stats) in enumerate(metrics.items()):
            self.stats.setItem(r, 0, QTableWidgetItem(metric_label(key)))
            for c, stat in enumerate(("p5", "p10", "p50", "p90", "p95", "mean"), start=1):
                value = stats.get(stat)
                item = QTableWidgetItem(short_value(key, value, scenario))
                item.setToolTip(format_value(key, value, cur, scenario.start_month))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.stats.setItem(r, c, item)
        header = self.stats.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, len(columns)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        probabilities = result.get("probabilities") or {}
        extra = "; ".join(f"{event_text(name, scenario)}: {100 * p:.0f} %" for name, p in probabilities.items()
                          if p is not None)
        failed = result.get("failed") or 0
        self.note.setText(f"{result.get('samples', 0):,} samples, seed {result.get('seed')}."
                          + (f" Chance that {extra}." if extra else "")
                          + (f" {failed:,} samples could not be computed ({result.get('first_error')})."
                             if failed else ""))
        self._redraw_histogram()
        self.fan.set_data({"bands": result.get("bands"), "currency": cur})

    def _redraw_histogram(self) -> None:
        if self.result is None or self.result_scenario is None:
            return
        key = self.metric_box.currentData()
        histogram = self.result.get("histograms", {}).get(key)
        stats = self.result.get("metrics", {}).get(key)
        if histogram is None or stats is None:
            self.histogram.set_data(None)
            return
        self.histogram.set_data({"histogram": histogram, "stats": stats, "label": metric_label(key),
                                 "unit": metric_unit(key, self.result_scenario.currency)})


def event_text(event: str, scenario: Scenario) -> str:
    """A Monte Carlo event in words: ``"inference_share>0.5"`` -> ``"inference share of lifetime cost > 50 %"``.

    >>> from tcoapp.scenario.schema import Scenario
    >>> s = Scenario.model_validate({"model": {"params_billion": 7}, "inference": {"requests_per_day": 1}})
    >>> event_text("crossover_month<36", s)
    'inference overtakes training before month 36 (Jan 2029)'
    """
    from tcoapp.reports.report import format_month

    for op in (">=", "<=", ">", "<"):
        if op in event:
            key, value = (part.strip() for part in event.split(op, 1))
            break
    else:
        return event
    label = metric_label(key).lower()
    try:
        number = float(value)
    except ValueError:
        return event
    if key in ("crossover_month", "payback_month") and op.startswith("<"):
        month = format_month(int(number), scenario.start_month).split(" (")[0]
        return f"{label} before month {int(number)} ({month})"
    if key in ("inference_share", "irr"):
        return f"{label} {op} {100 * number:.3g} %"
    return f"{label} {op} {number:,.6g}"


def _draw_histogram(fig, data: dict) -> None:
    from tcoapp.reports.analysis_figures import draw_histogram

    draw_histogram(fig, data["histogram"], data["stats"], data["label"], data["unit"])


def _draw_fan(fig, data: dict) -> None:
    from tcoapp.reports.analysis_figures import draw_fan

    if data.get("bands"):
        draw_fan(fig, data["bands"], data["currency"])


class HeatmapPanel(_Panel):
    """A two-way sweep: the metric over a grid of two inputs."""

    task_name = "Heat map"

    def __init__(self, view: "SensitivityView"):
        super().__init__(view, "heatmap")
        self.x_field = field_combo("heatmap.x_field")
        self.y_field = field_combo("heatmap.y_field")
        self.x_low, self.x_high = number_box("heatmap.x_low"), number_box("heatmap.x_high")
        self.y_low, self.y_high = number_box("heatmap.y_low"), number_box("heatmap.y_high")
        self.steps = QSpinBox()
        self.steps.setObjectName("heatmap.steps")
        self.steps.setRange(2, 25)
        self.steps.setValue(7)
        self.steps.setMaximumWidth(80)
        self.metric_box = metric_combo("heatmap.metric")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("heatmap.run")
        self.run_button.clicked.connect(self.run)
        self.x_field.currentIndexChanged.connect(lambda _: self._suggest_range(self.x_field, self.x_low,
                                                                               self.x_high))
        self.y_field.currentIndexChanged.connect(lambda _: self._suggest_range(self.y_field, self.y_low,
                                                                               self.y_high))
        self.chart = ChartPanel("heatmap", "Heat map", "tcoapp.gui.views.sensitivity:_draw_heatmap")
        grid = QGridLayout()
        grid.addWidget(QLabel("Across"), 0, 0)
        grid.addWidget(self.x_field, 0, 1)
        grid.addWidget(QLabel("from"), 0, 2)
        grid.addWidget(self.x_low, 0, 3)
        grid.addWidget(QLabel("to"), 0, 4)
        grid.addWidget(self.x_high, 0, 5)
        grid.addWidget(QLabel("Up"), 1, 0)
        grid.addWidget(self.y_field, 1, 1)
        grid.addWidget(QLabel("from"), 1, 2)
        grid.addWidget(self.y_low, 1, 3)
        grid.addWidget(QLabel("to"), 1, 4)
        grid.addWidget(self.y_high, 1, 5)
        grid.addWidget(QLabel("Steps"), 0, 6)
        grid.addWidget(self.steps, 0, 7)
        grid.addWidget(QLabel("Metric"), 1, 6)
        grid.addWidget(self.metric_box, 1, 7)
        grid.addWidget(self.run_button, 0, 8, 2, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addWidget(self.note)
        layout.addWidget(self.chart, 1)
        select_field(self.x_field, "inference.annual_growth")
        select_field(self.y_field, "inference.requests_per_day")

    def _suggest_range(self, combo: QComboBox, low: NumberBox, high: NumberBox) -> None:
        window = self.window_ref
        if window.active is None:
            return
        path = combo.currentData()
        value = get_path(window.active.scenario, path)
        low_value, high_value = suggested_range(path, value)
        low.setValue(low_value)
        high.setValue(high_value)

    def refresh_ranges(self) -> None:
        self._suggest_range(self.x_field, self.x_low, self.x_high)
        self._suggest_range(self.y_field, self.y_low, self.y_high)

    def run(self) -> None:
        module = sensitivity_module()
        window = self.window_ref
        if module is None or window.active is None:
            self.note.setText("The sensitivity solver is not available in this build.")
            return
        scenario = window.active.scenario
        steps = self.steps.value()
        fields = numeric_field_paths()
        x_path, y_path = self.x_field.currentData(), self.y_field.currentData()
        if x_path == y_path:
            self.note.setText("Choose two different inputs.")
            return
        x_values = grid_values(self.x_low.value(), self.x_high.value(), steps, fields[x_path].is_int)
        y_values = grid_values(self.y_low.value(), self.y_high.value(), steps, fields[y_path].is_int)
        metric = self.metric_box.currentData()

        def job(progress=None, cancelled=None):
            return module.sweep2(scenario, x_path, x_values, y_path, y_values, metric)

        self.note.setText("Running…")
        self.submit(job)

    def show_result(self, result: dict, scenario: Scenario) -> None:
        fields = numeric_field_paths()
        x_path, y_path = self.x_field.currentData(), self.y_field.currentData()
        metric = self.metric_box.currentData()
        from tcoapp.gui.widgets.formatting import short_unit

        def axis_label(path):
            field = fields[path]
            return f"{field.title} ({short_unit(field.unit, scenario.currency)})"

        self.note.setText(f"{metric_label(metric)} over {len(result['x'])} × {len(result['y'])} scenarios.")
        self.chart.set_data({"sweep": result, "x_label": axis_label(x_path), "y_label": axis_label(y_path),
                             "metric_label": metric_label(metric),
                             "unit": metric_unit(metric, scenario.currency)})


def _draw_heatmap(fig, data: dict) -> None:
    from tcoapp.reports.analysis_figures import draw_heatmap

    draw_heatmap(fig, data["sweep"], data["x_label"], data["y_label"], data["metric_label"], data["unit"])



def input_text(path: str, value, currency: str) -> str:
    """An input's value with its unit: shares and yearly rates in %, amounts with the currency.

    >>> input_text("inference.annual_growth", 0.25, "EUR"), input_text("inference.cloud_rate", 2.5, "EUR")
    ('25 %', 'EUR 2.5 per chip-hour')
    >>> input_text("facility.pue", 1.3, "USD"), input_text("inference.chips_per_replica", 8, "USD")
    ('1.3 ratio', '8 chips')
    """
    from tcoapp.gui.widgets.formatting import short_unit
    from tcoapp.gui.widgets.numberbox import format_number

    if value is None:
        return "—"
    field = numeric_field_paths()[path]
    unit = field.unit
    if "%" in unit and (unit.startswith("share") or unit.startswith("per year")):
        return f"{100 * value:.4g} %"
    number = format_number(value, field.is_int)
    head = short_unit(unit, currency)
    if unit.startswith("currency"):
        rest = head[len(currency):].strip()
        return f"{currency} {number}" + (f" {rest}" if rest else "")
    return f"{number} {head}" if head else number


class SweepPanel(_Panel):
    """A one-way sweep: the metric over evenly spaced values of one input, as a line chart and a table."""

    task_name = "Sweep"

    def __init__(self, view: "SensitivityView"):
        super().__init__(view, "sweep")
        self.field = field_combo("sweep.field")
        self.low, self.high = number_box("sweep.low"), number_box("sweep.high")
        self.steps = QSpinBox()
        self.steps.setObjectName("sweep.steps")
        self.steps.setRange(2, MAX_SWEEP_POINTS)
        self.steps.setValue(11)
        self.steps.setMaximumWidth(80)
        self.steps.setToolTip(f"Number of values from low to high (2 to {MAX_SWEEP_POINTS})")
        self.metric_box = metric_combo("sweep.metric")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("sweep.run")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("sweep.cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button = QPushButton("Copy table")
        self.copy_button.setObjectName("sweep.copy")
        self.copy_button.setToolTip("Copy the table as tab-separated text (paste into a spreadsheet)")
        self.copy_button.clicked.connect(self.copy_table)
        self.break_even_button = QPushButton("Break-even…")
        self.break_even_button.setObjectName("sweep.break_even")
        self.break_even_button.setToolTip("At what value of this input does the metric equal the same scenario "
                                          "deployed as API, cloud or owned?")
        self.break_even_button.clicked.connect(lambda: view.break_even())
        self.field.currentIndexChanged.connect(lambda _: self.refresh_range())
        self.chart = ChartPanel("sweep", "Sweep", "tcoapp.gui.views.sensitivity:_draw_sweep")
        self.table = QTableWidget()
        self.table.setObjectName("sweep.table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        grid = QGridLayout()
        grid.addWidget(QLabel("Input"), 0, 0)
        grid.addWidget(self.field, 0, 1)
        grid.addWidget(QLabel("from"), 0, 2)
        grid.addWidget(self.low, 0, 3)
        grid.addWidget(QLabel("to"), 0, 4)
        grid.addWidget(self.high, 0, 5)
        grid.addWidget(QLabel("Steps"), 0, 6)
        grid.addWidget(self.steps, 0, 7)
        grid.addWidget(QLabel("Metric"), 1, 0)
        grid.addWidget(self.metric_box, 1, 1)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.cancel_button, self.copy_button, self.break_even_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 1, 2, 1, 6)
        grid.setColumnStretch(1, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([560, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        select_field(self.field, "inference.requests_per_day")
        self.window_ref.worker.busy_changed.connect(self._on_busy)

    def refresh_range(self) -> None:
        window = self.window_ref
        if window.active is None:
            return
        path = self.field.currentData()
        low, high = suggested_range(path, get_path(window.active.scenario, path))
        self.low.setValue(low)
        self.high.setValue(high)

    def run(self) -> None:
        module = sensitivity_module()
        window = self.window_ref
        if module is None or window.active is None:
            self.note.setText("The sensitivity solver is not available in this build.")
            return
        scenario = window.active.scenario
        path, metric = self.field.currentData(), self.metric_box.currentData()
        values, problem = sweep_values(scenario, path, self.low.value(), self.high.value(), self.steps.value())
        if problem:
            self.note.setText(f"Not run: {problem}.")
            return

        def job(progress=None, cancelled=None):
            return sweep_job(module, scenario, path, values, metric)

        self.note.setText(f"Running {len(values)} scenarios…")
        self.submit(job)

    def cancel(self) -> None:
        worker = self.window_ref.worker
        if worker.current is not None and worker.current.name == self.task_name:
            worker.cancel()
            self.note.setText("Cancelled.")

    def _on_busy(self, busy: bool) -> None:
        worker = self.window_ref.worker
        running = busy and worker.current is not None and worker.current.name == self.task_name
        self.cancel_button.setEnabled(running)
        self.run_button.setEnabled(not running)

    def rows(self) -> list[tuple[str, str, str]]:
        """The table as text: (input, metric, note) per value, money and percent formatted."""
        result, scenario = self.result, self.result_scenario
        if result is None or scenario is None:
            return []
        path, metric = result["path"], result["metric"]
        out = []
        for x, value, error in zip(result["values"], result["metrics"][metric], result["errors"]):
            shown = "cannot compute" if error else format_value(metric, value, scenario.currency,
                                                                scenario.start_month)
            note = error or ("current value" if result.get("current") is not None
                             and abs(x - result["current"]) <= 1e-12 * max(abs(x), 1) else "")
            out.append((input_text(path, x, scenario.currency), shown, note))
        return out

    def show_result(self, result: dict, scenario: Scenario) -> None:
        fields = numeric_field_paths()
        path, metric = result["path"], result["metric"]
        field = fields[path]
        rows = self.rows()
        self.table.clear()
        self.table.setColumnCount(3)
        self.table.setHorizontalHeaderLabels([field.title, metric_label(metric), "Note"])
        self.table.setRowCount(len(rows))
        for r, (x, value, note) in enumerate(rows):
            for c, text in enumerate((x, value, note)):
                item = QTableWidgetItem(text)
                if c < 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        values = [v for v, e in zip(result["metrics"][metric], result["errors"]) if v is not None and e is None]
        failed = sum(e is not None for e in result["errors"])
        cur = scenario.currency
        if values:
            low, high = min(values), max(values)
            text = (f"{metric_label(metric)} from {format_value(metric, low, cur, scenario.start_month)} to "
                    f"{format_value(metric, high, cur, scenario.start_month)} over {len(result['values'])} values "
                    f"of {field.title.lower()}")
            if result.get("current") is not None:
                text += (f"; now {input_text(path, result['current'], cur)} gives "
                         f"{format_value(metric, result.get('current_metric'), cur, scenario.start_month)}")
            text += "."
        else:
            text = "No value could be computed."
        if failed:
            text += f" {failed} values cannot be computed (see the Note column)."
        self.note.setText(text)
        unit = field.unit
        self.chart.set_data({"sweep": result, "x_label": f"{field.title} ({input_unit(path, cur)})",
                             "x_percent": "%" in unit and (unit.startswith("share") or unit.startswith("per year")),
                             "metric_label": metric_label(metric), "unit": metric_unit(metric, cur)})

    def table_text(self) -> str:
        """The table as tab-separated text with a header row."""
        if self.result is None:
            return ""
        field = numeric_field_paths()[self.result["path"]]
        lines = ["\t".join((field.title, metric_label(self.result["metric"]), "Note"))]
        lines += ["\t".join(row) for row in self.rows()]
        return "\n".join(lines) + "\n"

    def copy_table(self) -> None:
        from PySide6.QtGui import QGuiApplication

        text = self.table_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.window_ref.status_label.setText(f"Copied {len(self.rows())} rows of the sweep")


def input_unit(path: str, currency: str) -> str:
    """The unit an input is shown in on the sweep's axis."""
    from tcoapp.gui.widgets.formatting import short_unit

    unit = numeric_field_paths()[path].unit
    if "%" in unit and unit.startswith("share"):
        return "%"
    if "%" in unit and unit.startswith("per year"):
        return "% a year"
    return short_unit(unit, currency)


def sweep_job(module, scenario: Scenario, path: str, values: list, metric: str) -> dict:
    """The sweep (one engine batch, as ``tcoapp-cli sweep --values ... --json``) plus the current value.

    Adds ``metric``, ``current`` (the value the engine uses now, derived for a null
    field) and ``current_metric`` (the metric at it).
    """
    import math

    from tcoapp.scenario.batch import engine_inputs, evaluate

    result = module.sweep(scenario, path, values, [metric])
    current = module.resolved_value(engine_inputs(scenario), path)
    result["metric"] = metric
    result["current"] = current if math.isfinite(current) else None
    try:
        result["current_metric"] = float(evaluate(scenario).summary[metric][0])
    except ValueError:
        result["current_metric"] = None
    if result["current_metric"] is not None and not math.isfinite(result["current_metric"]):
        result["current_metric"] = None
    return result


def _draw_sweep(fig, data: dict) -> None:
    """The metric against the input, with the scenario's current value marked."""
    import math

    from tcoapp.reports.analysis_figures import PALETTE, money_scale, tick_text

    sweep = data["sweep"]
    metric = sweep["metric"]
    unit = data["unit"]
    xs = [100 * x if data["x_percent"] else x for x in sweep["values"]]
    ys = [math.nan if v is None or e is not None else v for v, e in zip(sweep["metrics"][metric], sweep["errors"])]
    is_share = unit == "%"
    is_money = len(unit) == 3 and unit.isalpha() and unit.isupper()
    divisor, word = (0.01, "") if is_share else money_scale(ys) if is_money else (1.0, "")
    ax = fig.add_subplot(111)
    ax.plot(xs, [y / divisor for y in ys], color=PALETTE[0], marker="o", markersize=3, linewidth=1.8)
    current, at = sweep.get("current"), sweep.get("current_metric")
    if current is not None:
        cx = 100 * current if data["x_percent"] else current
        ax.axvline(cx, color=PALETTE[1], linestyle="--", linewidth=1)
        if at is not None:
            ax.plot([cx], [at / divisor], marker="D", color=PALETTE[1], markersize=7, linestyle="none",
                    label="now")
            ax.annotate(f"now: {tick_text(at / divisor)}", (cx, at / divisor), textcoords="offset points",
                        xytext=(6, 6), fontsize="small", color=PALETTE[1])
    if is_share:
        ylabel = f"{data['metric_label']} (%)"
    elif is_money:
        ylabel = f"{data['metric_label']} ({unit} {word})".replace(" )", ")")
    else:
        ylabel = f"{data['metric_label']} ({unit})" if unit else data["metric_label"]
    ax.set_xlabel(data["x_label"])
    ax.set_ylabel(ylabel)
    ax.set_title(f"{data['metric_label']} by {data['x_label'].split(' (')[0].lower()}", fontsize="medium")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()


class SensitivityView(QWidget):
    """Tabs for the tornado, Monte Carlo and heat map, plus the goal-seek dialog."""

    def __init__(self, window: "ViewHost"):
        super().__init__()
        self.setObjectName("view.sensitivity")
        self.window_ref = window
        self.tabs = QTabWidget()
        self.tabs.setObjectName("sensitivity.tabs")
        self.tornado = TornadoPanel(self)
        self.monte_carlo = MonteCarloPanel(self)
        self.heatmap = HeatmapPanel(self)
        self.sweep = SweepPanel(self)
        self.tabs.addTab(self.tornado, "Tornado")
        self.tabs.addTab(self.monte_carlo, "Monte Carlo")
        self.tabs.addTab(self.sweep, "Sweep")
        self.tabs.addTab(self.heatmap, "Heat map")
        goal = QPushButton("Goal seek…")
        goal.setObjectName("sensitivity.goal_seek")
        goal.clicked.connect(self.goal_seek)
        self.tabs.setCornerWidget(goal, Qt.Corner.TopRightCorner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tabs)
        self._tornado_timer = QTimer(self)
        self._tornado_timer.setSingleShot(True)
        self._tornado_timer.setInterval(300)
        self._tornado_timer.timeout.connect(self._auto_tornado)
        self.tabs.currentChanged.connect(lambda _: self.schedule_tornado())
        window.active_document_changed.connect(self._on_document)
        self._on_document(window.active)

    def _on_document(self, document) -> None:
        for panel in (self.tornado, self.monte_carlo, self.heatmap, self.sweep):
            panel.result = None
        if document is not None:
            self.monte_carlo.describe_uncertainty(document.scenario)
            self.heatmap.refresh_ranges()
            self.sweep.refresh_range()
        self.schedule_tornado()

    def show_evaluation(self, evaluation) -> None:
        self.monte_carlo.describe_uncertainty(evaluation.scenario)

    def input_changed(self) -> None:
        """An input changed (the window has cancelled a stale run): mark results out of date."""
        for panel in (self.tornado, self.monte_carlo, self.heatmap, self.sweep):
            panel.mark_stale()
        self.schedule_tornado()

    def schedule_tornado(self) -> None:
        self._tornado_timer.start()

    def _auto_tornado(self) -> None:
        if self.isVisible() and self.tabs.currentWidget() is self.tornado and self.window_ref.active is not None:
            worker = self.window_ref.worker
            if worker.current is None or worker.current.name == "Tornado":
                self.tornado.run()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.schedule_tornado()

    def goal_seek(self) -> None:
        window = self.window_ref
        if window.active is None:
            return
        dialog = GoalSeekDialog(window)
        if ask(window, Question("dialog", "Goal seek", options={"dialog": dialog})) == "accepted":
            dialog.apply(window.active)
        dialog.deleteLater()

    def break_even(self) -> None:
        """The break-even dialog, on the sweep's input, metric and range; Apply sets the input (undoable)."""
        window = self.window_ref
        if window.active is None:
            return
        panel = self.sweep
        dialog = BreakEvenDialog(window, panel.field.currentData(), panel.metric_box.currentData(),
                                 panel.low.value(), panel.high.value())
        if ask(window, Question("dialog", "Break-even", options={"dialog": dialog})) == "accepted":
            dialog.apply(window.active)
        dialog.deleteLater()

    def edit_uncertainty(self) -> None:
        window = self.window_ref
        if window.active is None:
            return
        dialog = UncertaintyDialog(window.active.scenario, window)
        if ask(window, Question("dialog", "Uncertainty", options={"dialog": dialog})) == "accepted":
            dialog.apply(window.active)
            self.monte_carlo.describe_uncertainty(window.active.scenario)
        dialog.deleteLater()
