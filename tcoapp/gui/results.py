"""Live results: the debounced evaluation of the active document, KPI cards and chart panels.

One :class:`LiveEvaluator` per window runs the engine on the main thread (a
single scenario takes a few milliseconds) a short moment after the last edit,
so a spin-box storm costs one evaluation, and hands the report to every view.
Charts are drawn by :mod:`tcoapp.reports.figures` onto a Figure hosted in a
``FigureCanvasQTAgg``: one canvas per panel, reused, redrawn with ``draw_idle``,
and only while visible (a hidden panel redraws when it is shown).
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QGridLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget,
)

from tcoapp.reports.report import format_month, format_share, format_value
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.schema import Scenario

from .document import ScenarioDocument
from .formatting import compact_money, compact_number

DEBOUNCE_MS = 40


class Evaluation:
    """The outcome of evaluating one scenario: its report, or the problem that stopped it."""

    def __init__(self, scenario: Scenario, report: dict | None, problem: ScenarioError | None, seconds: float):
        self.scenario = scenario
        self.report = report
        self.problem = problem
        self.seconds = seconds

    @property
    def summary(self) -> dict[str, Any] | None:
        return None if self.report is None else self.report["summary"]


def evaluate_scenario(scenario: Scenario) -> Evaluation:
    """Run the engine and build the report; a ScenarioError becomes the evaluation's problem."""
    from tcoapp.reports.report import build_report
    from tcoapp.scenario.batch import evaluate

    started = time.perf_counter()
    try:
        result = evaluate(scenario)
        report = build_report(scenario, result)
    except ScenarioError as error:
        return Evaluation(scenario, None, error, time.perf_counter() - started)
    return Evaluation(scenario, report, None, time.perf_counter() - started)


class LiveEvaluator(QObject):
    """Evaluates the active document shortly after it changes.

    Signals
    -------
    evaluated(Evaluation)
        A fresh evaluation of the current scenario.
    input_changed()
        The scenario changed (emitted at once, before the debounce; stale
        background runs cancel on it).
    """

    evaluated = Signal(object)
    input_changed = Signal()

    def __init__(self, parent: QObject | None = None, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.document: ScenarioDocument | None = None
        self.latest: Evaluation | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.evaluate_now)

    def set_document(self, document: ScenarioDocument) -> None:
        if self.document is not None:
            try:
                self.document.changed.disconnect(self._on_changed)
            except (RuntimeError, TypeError):
                pass
        self.document = document
        document.changed.connect(self._on_changed)
        self.input_changed.emit()
        self.evaluate_now()

    def _on_changed(self, _paths: list) -> None:
        self.input_changed.emit()
        self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def evaluate_now(self) -> Evaluation | None:
        self._timer.stop()
        if self.document is None:
            return None
        self.latest = evaluate_scenario(self.document.scenario)
        self.evaluated.emit(self.latest)
        return self.latest


# -- KPI cards -------------------------------------------------------------------------------------

#: The cards: (summary key, title). Two rows of five.
KPI_CARDS = (
    ("total_cost", "Lifetime cost"),
    ("npv_total", "NPV of costs"),
    ("inference_share", "Inference share"),
    ("crossover_month", "Inference overtakes training"),
    ("peak_chips", "Peak inference chips"),
    ("cost_per_million_tokens", "Cost per million tokens"),
    ("cost_per_request", "Cost per request"),
    ("payback_month", "Payback"),
    ("irr", "IRR"),
    ("profit", "Profit"),
)
REVENUE_KEYS = {"payback_month", "irr", "profit"}


def kpi_text(key: str, summary: dict[str, Any], scenario: Scenario) -> tuple[str, str, str]:
    """Value, caption and exact tooltip of one KPI card."""
    cur = scenario.currency
    value = summary.get(key)
    exact = format_value(key, value, cur, scenario.start_month)
    has_revenue = (summary.get("revenue_total") or 0) > 0
    if key in REVENUE_KEYS and not has_revenue:
        return "—", "needs revenue per request (Business)", "Set business.revenue_per_request to see this."
    if key == "total_cost":
        caption = (f"training {compact_money(summary.get('training_cost'), cur)} · "
                   f"inference {compact_money(summary.get('inference_cost'), cur)}")
        return compact_money(value, cur), caption, exact
    if key == "npv_total":
        return compact_money(value, cur), f"cash, at {100 * scenario.finance.discount_rate:.3g} % a year", exact
    if key == "inference_share":
        return format_share(value), "of lifetime cost", exact
    if key in ("crossover_month", "payback_month"):
        if value is None:
            return "not within the horizon", f"{scenario.horizon_years}-year horizon", exact
        text = format_month(value, scenario.start_month)
        month_name, _, rest = text.partition(" (")
        return month_name, rest.rstrip(")"), exact
    if key == "peak_chips":
        if scenario.inference.deployment == "api":
            return "0", "API: no chips of your own", exact
        training = summary.get("training_chips")
        caption = f"{scenario.inference.chip}; training ≈ {compact_number(training) if training else '0'}"
        return compact_number(value) if value is not None else "—", caption, exact
    if key in ("cost_per_million_tokens", "cost_per_request"):
        return compact_money(value, cur), "inference only", exact
    if key == "irr":
        return format_share(value), "annual", exact
    if key == "profit":
        return compact_money(value, cur), f"revenue {compact_money(summary.get('revenue_total'), cur)}", exact
    return exact, "", exact


class KpiCard(QFrame):
    """One headline number: a title, the value (objectName ``kpi.<key>``) and a caption."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"card.{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("role", "card")
        self.title = QLabel(title)
        self.title.setProperty("role", "card-title")
        self.title.setWordWrap(True)
        self.value = QLabel("—")
        self.value.setObjectName(f"kpi.{key}")
        self.value.setAccessibleName(f"kpi.{key}")
        self.value.setProperty("role", "card-value")
        self.value.setWordWrap(True)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel("")
        self.caption.setObjectName(f"kpi.{key}.caption")
        self.caption.setProperty("role", "card-caption")
        self.caption.setWordWrap(True)
        small = self.caption.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.caption.setFont(small)
        self.title.setFont(small)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.setSpacing(1)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def show_value(self, text: str, caption: str, exact: str, raw: Any) -> None:
        self.value.setText(text)
        self.value.setProperty("value", raw)
        self.value.setToolTip(exact)
        self.value.setAccessibleDescription(exact)
        self.caption.setText(caption)


class KpiPanel(QWidget):
    """The grid of KPI cards."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("kpis")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.cards: dict[str, KpiCard] = {}
        for index, (key, title) in enumerate(KPI_CARDS):
            card = KpiCard(key, title)
            self.cards[key] = card
            grid.addWidget(card, index // 5, index % 5)
        for column in range(5):
            grid.setColumnStretch(column, 1)

    def show_evaluation(self, evaluation: Evaluation) -> None:
        summary = evaluation.summary
        for key, card in self.cards.items():
            if summary is None:
                card.show_value("—", "cannot compute", str(evaluation.problem), None)
            else:
                card.show_value(*kpi_text(key, summary, evaluation.scenario), summary.get(key))


# -- charts ----------------------------------------------------------------------------------------

def palette_rc() -> dict[str, Any]:
    """Matplotlib rc settings matching the application palette (light or dark).

    The text around the plot follows the palette. In a dark palette the plot
    area itself stays a light "paper": the report figures' colours (navy
    training, dark red crossover) are chosen for a light background.
    """
    palette = QGuiApplication.palette()
    text = palette.color(QPalette.ColorRole.WindowText).name()
    base = palette.color(QPalette.ColorRole.Base).name()
    window = palette.color(QPalette.ColorRole.Window)
    mid = palette.color(QPalette.ColorRole.Mid).name()
    dark = window.lightness() < 128
    paper = "#f4f4f4" if dark else base
    return {
        "figure.facecolor": window.name(), "axes.facecolor": paper, "savefig.facecolor": window.name(),
        "text.color": text, "axes.labelcolor": text, "axes.edgecolor": mid, "axes.titlecolor": text,
        "xtick.color": text, "ytick.color": text, "legend.facecolor": paper,
        "legend.edgecolor": mid, "legend.labelcolor": "#222222" if dark else text,
        "grid.color": "#b0b0b0" if dark else mid, "font.size": 8.5, "axes.titlesize": 9.5,
        "axes.labelsize": 8.5, "legend.fontsize": 7.5, "xtick.labelsize": 7.5, "ytick.labelsize": 7.5,
    }


def figure_function(name: str) -> Callable | None:
    """A drawing function of the reports package (``module:function``), or None if not there (yet)."""
    module_name, _, function = name.rpartition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, function, None)


class ChartPanel(QWidget):
    """One matplotlib canvas drawing ``draw(fig, data)`` from the reports package.

    It draws when visible and marks itself stale otherwise. A right click offers
    Save as PNG and Copy image.
    """

    drawn = Signal()

    def __init__(self, name: str, title: str, draw: str, parent: QWidget | None = None):
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.setObjectName(f"chart.{name}")
        self.name = name
        self.title = title
        self.draw_name = draw
        self.figure = Figure(figsize=(4.2, 2.8), dpi=100)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName(f"chart.{name}.canvas")
        self.canvas.setAccessibleName(title)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(200, 150)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.canvas.customContextMenuRequested.connect(self._context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.data: Any = None
        self.stale = False
        self.draw_count = 0
        self.save_dialog: Callable[[QWidget, str], str | None] | None = None

    def set_data(self, data: Any) -> None:
        self.data = data
        if self.isVisible():
            self.redraw()
        else:
            self.stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.stale:
            self.redraw()

    def redraw(self, now: bool = False) -> None:
        """Rebuild the figure; render it at the next idle moment, or ``now``."""
        import matplotlib

        self.stale = False
        self.figure.clear()
        draw = figure_function(self.draw_name)
        with matplotlib.rc_context(palette_rc()):
            self.figure.set_facecolor(palette_rc()["figure.facecolor"])
            if self.data is None:
                self.figure.text(0.5, 0.5, "No results", ha="center", va="center")
            elif draw is None:
                self.figure.text(0.5, 0.5, f"{self.title}\n(chart module not available)", ha="center",
                                 va="center")
            else:
                try:
                    draw(self.figure, self.data)
                    self._reuse_layout()
                except Exception as error:  # a drawing bug must not take the window down
                    self.figure.clear()
                    self.figure.text(0.5, 0.5, f"Cannot draw {self.title}:\n{error}", ha="center", va="center",
                                     wrap=True)
        if now:
            self.canvas.draw()
            self.canvas.update()
        else:
            self.canvas.draw_idle()
        self.draw_count += 1
        self.drawn.emit()

    # -- layout cache ------------------------------------------------------------------------------
    # The report figures use matplotlib's constrained layout, which measures every label on each
    # draw (about half the cost of a redraw). After an edit the labels are usually the same
    # (same tick labels, titles and legend): the axes then go exactly where the last layout put
    # them, and the layout runs again as soon as any text or the canvas size differs.

    def _layout_key(self) -> tuple | None:
        figure = self.figure
        parts: list = [tuple(int(v) for v in figure.bbox.size)]
        for ax in figure.axes:
            legend = ax.get_legend()
            parts.append((
                ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                _tick_texts(ax.xaxis), _tick_texts(ax.yaxis),
                tuple(t.get_text() for t in legend.get_texts()) if legend is not None else None,
            ))
        return tuple(parts)

    def _reuse_layout(self) -> None:
        engine = self.figure.get_layout_engine()
        if engine is None or type(engine).__name__ != "ConstrainedLayoutEngine":
            self._layout = None
            return
        try:
            key = self._layout_key()
        except Exception:  # an unusual axis: just let the layout run
            key = None
        cached = getattr(self, "_layout", None)
        if key is not None and cached is not None and cached[0] == key \
                and len(cached[1]) == len(self.figure.axes):
            self.figure.set_layout_engine("none")
            for ax, position in zip(self.figure.axes, cached[1]):
                ax.set_position(position)
            self.layout_reused = True
            return
        self.layout_reused = False
        self._pending_key = key
        if not getattr(self, "_listening", False):
            self.canvas.mpl_connect("draw_event", self._remember_layout)
            self._listening = True

    def _remember_layout(self, _event) -> None:
        key = getattr(self, "_pending_key", None)
        if key is not None:
            self._layout = (key, [ax.get_position().frozen() for ax in self.figure.axes])
            self._pending_key = None

    def save_png(self, path: str, dpi: int = 150) -> None:
        """Write the chart as a PNG (same drawing, through Agg)."""
        self.figure.savefig(path, dpi=dpi)

    def _context_menu(self, position) -> None:
        menu = QMenu(self)
        save = menu.addAction("Save as PNG…")
        copy = menu.addAction("Copy image")
        chosen = menu.exec(self.canvas.mapToGlobal(position))
        if chosen is save:
            path, _ = QFileDialog.getSaveFileName(self, "Save chart", f"{self.name}.png", "PNG image (*.png)")
            if path:
                self.save_png(path)
        elif chosen is copy:
            QGuiApplication.clipboard().setPixmap(self.canvas.grab())


def _tick_texts(axis) -> tuple[str, ...]:
    """The tick labels an axis will show, without drawing it."""
    locations = axis.get_major_locator()()
    low, high = sorted(axis.get_view_interval())
    shown = [loc for loc in locations if low - 1e-9 * abs(high - low) <= loc <= high + 1e-9 * abs(high - low)]
    return tuple(axis.get_major_formatter().format_ticks(shown))


#: The four overview charts: (name, title, reports.figures function).
OVERVIEW_CHARTS = (
    ("monthly", "Monthly cost by category", "tcoapp.reports.figures:draw_monthly_cost"),
    ("cumulative", "Cumulative training and inference", "tcoapp.reports.figures:draw_cumulative"),
    ("yearly", "Yearly cost", "tcoapp.reports.figures:draw_yearly"),
    ("fleet", "Fleet size", "tcoapp.reports.figures:draw_fleet"),
)


class OverviewView(QWidget):
    """The overview: a problem banner, the KPI cards and the four charts.

    After an edit the KPI cards are painted at once; the charts follow one per
    pass of the event loop (the crossover chart first), so typing stays
    responsive and a newer evaluation replaces charts not yet drawn.

    Signals
    -------
    kpis_shown(), charts_drawn()
        The cards show the latest evaluation; every visible chart is drawn.
    """

    kpis_shown = Signal()
    charts_drawn = Signal()
    DRAW_ORDER = ("cumulative", "monthly", "yearly", "fleet")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("view.overview")
        self.banner = QLabel("")
        self.banner.setObjectName("results.problem")
        self.banner.setWordWrap(True)
        self.banner.setProperty("role", "banner")
        self.banner.hide()
        self.kpis = KpiPanel()
        self.charts: dict[str, ChartPanel] = {}
        grid = QGridLayout()
        grid.setSpacing(6)
        for index, (name, title, draw) in enumerate(OVERVIEW_CHARTS):
            panel = ChartPanel(name, title, draw)
            self.charts[name] = panel
            grid.addWidget(panel, index // 2, index % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addWidget(self.kpis)
        layout.addLayout(grid, 1)
        self._queue: list[ChartPanel] = []
        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(0)
        self._chart_timer.timeout.connect(self._draw_next)

    def show_evaluation(self, evaluation: Evaluation) -> None:
        if evaluation.problem is not None:
            self.banner.setText(f"Cannot compute this scenario: {evaluation.problem}")
            self.banner.show()
        else:
            self.banner.hide()
        self.kpis.show_evaluation(evaluation)
        if self.isVisible():
            self.kpis.repaint()  # the headline numbers first, before the slower charts
        self.kpis_shown.emit()
        for panel in self.charts.values():
            panel.data = evaluation.report
            panel.stale = True
        self._queue = [self.charts[name] for name in self.DRAW_ORDER]
        self._chart_timer.start()

    def _draw_next(self) -> None:
        while self._queue:
            panel = self._queue.pop(0)
            if panel.isVisible() and panel.stale:
                panel.redraw(now=True)
                break
        if self._queue:
            self._chart_timer.start()
        else:
            self.charts_drawn.emit()

    def draw_pending(self) -> None:
        """Draw every queued chart now (exports, screenshots, tests)."""
        self._chart_timer.stop()
        while self._queue:
            panel = self._queue.pop(0)
            if panel.stale:
                panel.redraw(now=panel.isVisible())
        self.charts_drawn.emit()
