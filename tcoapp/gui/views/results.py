"""Live results: the debounced evaluation of the active document, KPI cards and chart panels.

Why one long file: the evaluator, the KPI cards (with their formulas for "why this
number") and the overview share the evaluation they show; the chart canvas lives in gui/charts.

One :class:`LiveEvaluator` per window runs the engine on the main thread (a
single scenario takes a few milliseconds) a short moment after the last edit,
so a spin-box storm costs one evaluation, and hands the report to every view.
Charts are drawn by :mod:`tcoapp.reports.figures` onto a Figure hosted in a
``FigureCanvasQTAgg``: one canvas per panel, reused, and redrawn only while
visible (a hidden panel redraws when it is shown). The overview's report charts
are built once and then follow each edit in place, redrawing only what moved
(:class:`ChartPanel`).
"""

from __future__ import annotations

import functools
import importlib
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QGridLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget,
)

from tcoapp.reports.report import format_month, format_share, format_value
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.schema import Scenario

from tcoapp.gui.documents.document import ScenarioDocument
from tcoapp.gui.widgets.formatting import compact_money, compact_number, count_text

#: Edits closer together than this are computed once (a burst of arrow-key steps);
#: short enough to stay inside the 100 ms edit-to-redraw budget with the charts.
DEBOUNCE_MS = 20


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

#: The cards: (summary key, title). Two rows of five (profit is the IRR card's caption).
KPI_CARDS = (
    ("total_cost", "Lifetime cost"),
    ("npv_total", "NPV of costs"),
    ("inference_share", "Inference share"),
    ("crossover_month", "Inference overtakes training"),
    ("peak_chips", "Peak inference chips"),
    ("cost_per_million_tokens", "Cost per million tokens"),
    ("cost_per_request", "Cost per request"),
    ("answer_seconds", "An answer takes"),
    ("payback_month", "Payback"),
    ("irr", "IRR"),
)
#: "Why this number": each card's formula (the words of docs/methodology.md, section 5) and the
#: inputs it depends on most directly. tests/gui/test_why.py checks the formulas against the document.
KPI_FORMULAS = {
    "total_cost": ("training_cost + inference_cost: sums of the series over the horizon",
                   ["horizon_years", "inference.requests_per_day", "inference.annual_growth", "inference.deployment",
                    "inference.chip", "training.tokens_trillion", "model.params_billion", "finance.basis"]),
    "npv_total": ("`sum of x(m) * (1 + discount_rate) ** (-m / 12)` over cash_total",
                  ["finance.discount_rate", "horizon_years", "inference.requests_per_day", "inference.deployment"]),
    "inference_share": ("inference_cost / total_cost (null when total_cost is 0)",
                        ["inference.requests_per_day", "inference.annual_growth", "training.tokens_trillion",
                         "model.params_billion"]),
    "crossover_month": ("the first m where cumulative inference >= cumulative training and cumulative inference > 0; "
                        "null if none",
                        ["inference.launch_month", "inference.requests_per_day", "inference.annual_growth",
                         "training.duration_months"]),
    "peak_chips": ("max of chips", ["inference.requests_per_day", "inference.peak_to_average",
                                    "inference.target_utilization", "inference.chip", "inference.chips_per_replica"]),
    "cost_per_million_tokens": ("inference_cost / (sum of tokens / 1e6); null when no tokens",
                                ["inference.input_tokens", "inference.output_tokens", "inference.reasoning_tokens",
                                 "inference.samples", "inference.deployment", "inference.chip"]),
    "cost_per_request": ("inference_cost / sum of requests; null when none",
                         ["inference.input_tokens", "inference.output_tokens", "inference.reasoning_tokens",
                          "inference.samples", "inference.deployment"]),
    "answer_seconds": ("`answer_seconds = input * (1 - f) / P + (reasoning + output) / tokens_per_s_per_user`",
                       ["inference.input_tokens", "inference.output_tokens", "inference.reasoning_tokens",
                        "inference.chip", "inference.precision", "inference.efficiency.max_batch"]),
    "payback_month": ("the first m where cumulative revenue >= cumulative cash_total and cumulative revenue > 0; "
                      "null if none", ["business.revenue_per_request", "business.revenue_change",
                                       "inference.requests_per_day"]),
    "irr": ("annual: `(1 + i) ** 12 - 1` where the monthly rate i > 0 makes the discounted sum of "
            "`revenue - cash_total` (month m discounted by `(1 + i) ** -m`) zero",
            ["business.revenue_per_request", "business.revenue_change", "inference.requests_per_day"]),
    "profit": ("revenue_total - total_cost", ["business.revenue_per_request", "business.revenue_change"]),
}
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
        caption = f"{scenario.inference.chip}; training ≈ {count_text(training) if training else '0'}"
        return count_text(value), caption, exact
    if key in ("cost_per_million_tokens", "cost_per_request"):
        return compact_money(value, cur), "inference only", exact
    if key == "answer_seconds":
        if scenario.inference.deployment == "api":
            return "—", "API: the provider's speed", "An API's answer time is the provider's, not estimated here."
        if value is None:
            return "—", "measured throughput: not estimated", ("With measured throughputs the batch and the speed "
                                                              "per user are not estimated.")
        speed, batch = summary.get("tokens_per_s_per_user"), summary.get("replica_batch")
        caption = f"{speed:,.0f} tokens/s per user · batch {batch:,.0f}" if speed and batch else ""
        return duration_text(value), caption, exact
    if key == "irr":
        return format_share(value), f"annual · profit {compact_money(summary.get('profit'), cur)}", exact
    if key == "profit":
        return compact_money(value, cur), f"revenue {compact_money(summary.get('revenue_total'), cur)}", exact
    return exact, "", exact


def duration_text(seconds: float) -> str:
    """A wait as people say it: ``61 s``, ``4.3 min``, ``1.5 h``.

    >>> duration_text(0.84), duration_text(61.2), duration_text(258), duration_text(5400)
    ('0.84 s', '61 s', '4.3 min', '1.5 h')
    """
    if seconds < 10:
        return f"{seconds:.2g} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 600:
        return f"{seconds / 60:.2g} min"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.2g} h"


class ElidedLabel(QLabel):
    """A one-line label that elides what does not fit (the whole text in its tooltip).

    A caption that wrapped onto one line more or less from one edit to the next would change
    the cards' height and so re-render every chart below them while the user types.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        """The whole text, elided or not."""
        return self._full

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(10, self.width()))
        QLabel.setText(self, shown)


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
        self.caption = ElidedLabel("")
        self.caption.setObjectName(f"kpi.{key}.caption")
        self.caption.setProperty("role", "card-caption")
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

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            panel = self.parent()
            if isinstance(panel, KpiPanel):
                panel.card_clicked.emit(self.key)

    def show_value(self, text: str, caption: str, exact: str, raw: Any) -> None:
        self.value.setText(text)
        self.value.setProperty("value", raw)
        self.value.setToolTip(exact)
        self.value.setAccessibleDescription(exact)
        self.caption.setText(caption)


class KpiPanel(QWidget):
    """The grid of KPI cards; ``card_clicked(key)`` when one is clicked ("why this number")."""

    card_clicked = Signal(str)

    COLUMNS = 5

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("kpis")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.cards: dict[str, KpiCard] = {}
        for index, (key, title) in enumerate(KPI_CARDS):
            card = KpiCard(key, title, self)
            card.setCursor(Qt.CursorShape.PointingHandCursor)
            card.setToolTip("Click: why this number (formula, inputs, tornado)")
            self.cards[key] = card
            grid.addWidget(card, index // self.COLUMNS, index % self.COLUMNS)
        for column in range(self.COLUMNS):
            grid.setColumnStretch(column, 1)
        self._held_width: int | None = None

    def show_evaluation(self, evaluation: Evaluation) -> None:
        summary = evaluation.summary
        for key, card in self.cards.items():
            if summary is None:
                card.show_value("—", "cannot compute", str(evaluation.problem), None)
            else:
                card.show_value(*kpi_text(key, summary, evaluation.scenario), summary.get(key))
        self._hold_height()

    def _hold_height(self) -> None:
        """Keep the tallest height the cards have needed at this width.

        A caption that wraps onto one line more or less changes the cards' height from one
        edit to the next; the panel following it would resize, and so fully re-render, every
        chart below it while the user types. It grows when it must and shrinks only when
        its width changes.
        """
        layout = self.layout()
        width = self.width()
        needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
        if width != self._held_width:
            self._held_width = width
            self.setMinimumHeight(needed)
        elif needed > self.minimumHeight():
            self.setMinimumHeight(needed)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._hold_height()


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

    ``draw`` names a drawing function, or a :class:`tcoapp.reports.figures.ReportChart`
    class. A ReportChart is built once per shape (months, currency, series present,
    palette); later data only moves its artists and its y limits (``update``), and
    the canvas keeps what did not move as rendered pixels:

    - the *static* layer: everything but the y axes and the moving artists (titles,
      x axis, legend), valid while the canvas size and layout stay the same;
    - the *background*: the static layer plus the y axes (grid, ticks, labels),
      valid while the y limits stay the same as well.

    The layout is made once per canvas size and shape, for the widest y tick label
    the chart can show (see "layout" below). An edit that keeps the y limits
    redraws only the moving artists over the background (a few milliseconds); one
    that moves them redraws the y axes over the static layer; anything else (a new
    shape, size or palette) renders the whole figure. Each way gives the same
    pixels as a fresh build of the chart on this canvas (tests/gui/test_charts.py);
    exports build the same chart on their own figure (tests/reports/test_figure_updates.py).

    It draws when visible and marks itself stale otherwise. A right click offers
    Save as PNG and Copy image.

    Signals
    -------
    drawn()
        The chart shows the current data: rendered and painted, or (when not
        drawing ``now``) the render queued for the next idle moment.
    """

    drawn = Signal()

    def __init__(self, name: str, title: str, draw: str, parent: QWidget | None = None):
        super().__init__(parent)
        from matplotlib.figure import Figure

        self.setObjectName(f"chart.{name}")
        self.name = name
        self.title = title
        self.draw_name = draw
        self.figure = Figure(figsize=(4.2, 2.8), dpi=100)
        self.canvas = _canvas_class()(self.figure)
        self.canvas.before_render = self._prepare_layout
        self.canvas.setObjectName(f"chart.{name}.canvas")
        self.canvas.setAccessibleName(title)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(200, 150)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.canvas.customContextMenuRequested.connect(self._context_menu)
        self.canvas.mpl_connect("draw_event", self._on_full_render)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.data: Any = None
        self.stale = False
        self.draw_count = 0
        #: How the last redraw went: "build" (new artists, full render), "update" (moved
        #: artists, full render), "axes" (y axes and moving artists redrawn over the static
        #: layer) or "blit" (moving artists redrawn over the background).
        self.last_redraw = ""
        self.save_dialog: Callable[[QWidget, str], str | None] | None = None
        self.chart: Any = None  # the ReportChart on the figure, when ``draw`` names one
        self._chart_rc: dict | None = None
        self._foreground: list = []  # the chart's moving artists and those drawn over them
        self._value_axes: list = []  # the y axes of the chart, drawn over the static layer
        self._static: Any = None
        self._static_key: tuple | None = None
        self._background: Any = None
        self._background_key: tuple | None = None
        self._layout: tuple | None = None
        self._pending_key: tuple | None = None
        self._laid_out = False  # the chart's axes carry a layout already
        self.layout_reused = False
        self._text_widths: dict = {}

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
        """Show the current data: update (or rebuild) the figure and render what changed, at once
        when it is cheap, else at the next idle moment or ``now``."""
        import matplotlib

        self.stale = False
        target = figure_function(self.draw_name)
        rc = palette_rc()
        updated = self._update_chart(target, rc)  # moves artists only: no rc needed
        if not updated:
            with matplotlib.rc_context(rc):
                self._build(target, rc)
        if not (updated and self._redraw_in_place()):
            self.last_redraw = "update" if updated else "build"
            if now:  # the canvas lays the figure out first (_prepare_layout)
                self.canvas.draw()
                self.canvas.update()
            else:
                self.canvas.draw_idle()
        self.draw_count += 1
        self.drawn.emit()

    def _update_chart(self, target, rc: dict) -> bool:
        """Move the existing chart's artists to the current data; False if it needs a build."""
        if self.chart is None or self.data is None or type(self.chart) is not target or rc != self._chart_rc:
            return False
        try:
            return bool(self.chart.update(self.data))
        except Exception:  # the build shows the problem
            return False

    def _build(self, target, rc: dict) -> None:
        self.chart = None
        self._chart_rc = None
        self._foreground = []
        self._value_axes = []
        self._static = self._background = None
        self._laid_out = False
        self.figure.clear()
        self.figure.set_facecolor(rc["figure.facecolor"])
        if self.data is None:
            self.figure.text(0.5, 0.5, "No results", ha="center", va="center")
        elif target is None:
            self.figure.text(0.5, 0.5, f"{self.title}\n(chart module not available)", ha="center", va="center")
        else:
            try:
                if isinstance(target, type):
                    chart = target()
                    chart.build(self.figure, self.data)
                    self._foreground = chart.foreground_artists()
                    self._value_axes = [ax.yaxis for ax in self.figure.axes]
                    for artist in self._foreground + self._value_axes:
                        artist.set_animated(True)  # a full render leaves them to _on_full_render
                    self.chart, self._chart_rc = chart, rc
                else:
                    target(self.figure, self.data)
            except Exception as error:  # a drawing bug must not take the window down
                self.chart = None
                self._foreground = []
                self._value_axes = []
                self.figure.clear()
                self.figure.text(0.5, 0.5, f"Cannot draw {self.title}:\n{error}", ha="center", va="center",
                                 wrap=True)

    # -- partial redraws ---------------------------------------------------------------------------
    def _static_view_key(self) -> tuple:
        figure = self.figure
        return (tuple(figure.bbox.bounds), figure.dpi,
                tuple((tuple(ax.get_position().bounds), tuple(ax.get_xlim())) for ax in figure.axes))

    def _view_key(self) -> tuple:
        return self._static_view_key() + (tuple(tuple(ax.get_ylim()) for ax in self.figure.axes),)

    def _on_full_render(self, event) -> None:
        """After every full render (edits, resizes): keep the static layer and the background,
        draw the y axes and moving artists over them, remember the layout."""
        if self.canvas.is_saving():  # savefig renders elsewhere, animated artists included
            return
        if self.chart is not None:
            renderer = event.renderer
            for axis in self._value_axes:
                axis.label.draw(renderer)  # pinned by the layout: part of the static layer
            self._static = self.canvas.copy_from_bbox(self.figure.bbox)
            self._static_key = self._static_view_key()
            self._draw_value_axes(renderer)
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = self._view_key()
            for artist in self._foreground:
                artist.draw(renderer)
        elif self._pending_key is not None:
            self._layout = (self._pending_key, [ax.get_position().frozen() for ax in self.figure.axes])
            self._pending_key = None

    def _draw_value_axes(self, renderer) -> None:
        """The y axes' grid, ticks and tick labels (their label is in the static layer)."""
        for axis in self._value_axes:
            axis.label.set_visible(False)
            try:
                axis.draw(renderer)
            finally:
                axis.label.set_visible(True)

    def _redraw_in_place(self) -> bool:
        """Redraw what moved over the kept pixels (a blit); False when a full render is needed."""
        if self._static is None or getattr(self.canvas, "_draw_pending", False) \
                or self._static_view_key() != self._static_key:
            return False
        if self._view_key() == self._background_key:
            self.canvas.restore_region(self._background)
            self.last_redraw = "blit"
        elif self._layout is not None and self._layout[0] == self._safe_layout_key():
            # the y limits moved; all else stays where it is
            renderer = self.canvas.get_renderer()
            self.canvas.restore_region(self._static)
            self._draw_value_axes(renderer)
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = self._view_key()
            self.last_redraw = "axes"
        else:
            return False
        renderer = self.canvas.get_renderer()
        for artist in self._foreground:
            artist.draw(renderer)
        self.canvas.update()  # painted with the other charts' and cards' changes, in one go
        return True

    # -- layout ------------------------------------------------------------------------------------
    # The figures use matplotlib's constrained layout, which measures every label on each draw
    # (about a third of the cost of a full render). Its result depends only on the sizes of the
    # texts around the axes: the titles, the x tick labels, the y tick labels' widest width, the
    # legend. While those are the same the axes go exactly where the last layout put them.
    #
    # A ReportChart is laid out once per canvas size and shape, for its widest possible y tick
    # label (ReportChart.widest_value_label), with the y axis label pinned where that puts it:
    # an edit that rescales the y axis then leaves the layout, and so the static layer, as it is.
    # Other charts are laid out again whenever their y labels measure differently.

    def _text_width(self, renderer, text: str, prop) -> float:
        key = (text, prop, renderer.dpi)
        width = self._text_widths.get(key)
        if width is None:
            width = max(renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
                        for line in text.split("\n"))
            if len(self._text_widths) > 2000:
                self._text_widths.clear()
            self._text_widths[key] = width
        return width

    def _layout_key(self) -> tuple | None:
        figure = self.figure
        renderer = self.canvas.get_renderer()
        parts: list = [tuple(int(v) for v in figure.bbox.size),
                       tuple(tuple(t.get_text() for t in legend.get_texts()) for legend in figure.legends)]
        reserve = self.chart.widest_value_label() if self.chart is not None else None
        for ax in figure.axes:
            legend = ax.get_legend()
            if reserve is not None:
                y_labels: Any = reserve
            else:
                # the y tick labels sit right-aligned: only the widest one moves the layout
                ticks = ax.yaxis.get_major_ticks()
                prop = ticks[0].label1.get_fontproperties() if ticks else None
                y_labels = _tick_texts(ax.yaxis) if prop is None else max(
                    (self._text_width(renderer, label, prop) for label in _tick_texts(ax.yaxis)), default=0.0)
            parts.append((
                ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), _tick_texts(ax.xaxis), y_labels,
                tuple(t.get_text() for t in legend.get_texts()) if legend is not None else None,
            ))
        return tuple(parts)

    def _safe_layout_key(self) -> tuple | None:
        try:
            return self._layout_key()
        except Exception:  # an unusual axis: just let the layout run
            return None

    def _prepare_layout(self) -> None:
        """Before every full render (the canvas calls it, on edits and resizes alike): place the
        axes, from the cache when the texts around them measure the same."""
        if self.chart is not None:
            self._lay_out_chart()
            return
        engine = self.figure.get_layout_engine()
        name = type(engine).__name__
        if engine is None or name not in ("ConstrainedLayoutEngine", "PlaceHolderLayoutEngine"):
            self._layout = None
            self._pending_key = None
            return
        if name == "PlaceHolderLayoutEngine" and self._layout is None:
            return  # a chart that switched its layout off itself
        key = self._safe_layout_key()
        cached = self._layout
        if key is not None and cached is not None and cached[0] == key and len(cached[1]) == len(self.figure.axes):
            self._place_axes(cached[1])
            self._pending_key = None
            self.layout_reused = True
            return
        self.layout_reused = False
        if name != "ConstrainedLayoutEngine":
            self.figure.set_layout_engine("constrained")
        self._pending_key = key

    def _place_axes(self, positions, label_coords=None) -> None:
        self.figure.set_layout_engine("none")
        for index, (ax, position) in enumerate(zip(self.figure.axes, positions)):
            ax.set_position(position)
            ax.set_in_layout(True)  # set_position takes it out; a later layout must see it
            if label_coords is not None:
                ax.yaxis.set_label_coords(*label_coords[index])

    def _lay_out_chart(self) -> None:
        import matplotlib

        key = self._safe_layout_key()
        cached = self._layout
        if key is not None and cached is not None and cached[0] == key and len(cached[1]) == len(self.figure.axes):
            self._place_axes(cached[1], cached[2])
            self.layout_reused = True
            return
        self.layout_reused = False
        if self._laid_out:  # these axes carry another layout: start again from fresh ones
            with matplotlib.rc_context(self._chart_rc):
                self._build(type(self.chart), self._chart_rc)
            if self.chart is None:
                return
        positions, label_coords = self._widest_label_layout()
        self._layout = (key, positions, label_coords)
        self._place_axes(positions, label_coords)
        self._laid_out = True

    def _widest_label_layout(self) -> tuple[list, list]:
        """The constrained layout as if every y tick label were the chart's widest one, and where
        the y axis labels go in it (in axes coordinates)."""
        from matplotlib.ticker import FuncFormatter

        reserve = self.chart.widest_value_label()
        figure = self.figure
        formatters = [(ax.yaxis, ax.yaxis.get_major_formatter()) for ax in figure.axes]
        figure.set_layout_engine("constrained")
        renderer = self.canvas.get_renderer()
        try:
            for axis, _formatter in formatters:
                axis.set_major_formatter(FuncFormatter(lambda _value, _pos: reserve))
            figure.get_layout_engine().execute(figure)
            positions = [ax.get_position().frozen() for ax in figure.axes]
            label_coords = []
            for ax in figure.axes:
                ax.yaxis.get_tightbbox(renderer)  # places the axis label beside the widest tick labels
                x, y = ax.yaxis.label.get_position()  # x in pixels, y in axes coordinates
                label_coords.append(((x - ax.bbox.x0) / ax.bbox.width, y))
        finally:
            for axis, formatter in formatters:
                axis.set_major_formatter(formatter)
        return positions, label_coords

    def save_png(self, path: str, dpi: int = 150) -> None:
        """Write the chart as a PNG (same drawing, through Agg)."""
        self.figure.savefig(path, dpi=dpi)
        self._static = self._background = None  # saving re-rendered the canvas at another resolution

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


@functools.cache
def _canvas_class():
    """``FigureCanvasQTAgg`` that lets its panel lay the figure out before every full render
    (matplotlib is imported when the first chart is made, not at start-up)."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    class ChartCanvas(FigureCanvasQTAgg):
        before_render: Callable[[], None] | None = None

        def draw(self):
            if self.before_render is not None and not getattr(self, "_is_drawing", False):
                try:
                    self.before_render()
                except Exception:  # a layout problem must not stop the render (nor the app)
                    traceback.print_exc()
            super().draw()

    return ChartCanvas


def _tick_texts(axis) -> tuple[str, ...]:
    """The tick labels an axis will show, without drawing it (as ``Axis._update_ticks`` picks them)."""
    locations = list(axis.get_major_locator()())
    labels = axis.get_major_formatter().format_ticks(locations)  # formatted together, as when drawn
    low, high = sorted(axis.get_view_interval())
    slack = 1e-10 * (high - low)
    return tuple(label for loc, label in zip(locations, labels) if low - slack <= loc <= high + slack)


#: The four overview charts: (name, title, reports.figures chart class).
OVERVIEW_CHARTS = (
    ("monthly", "Monthly cost by category", "tcoapp.reports.figures:MonthlyCostChart"),
    ("cumulative", "Cumulative training and inference", "tcoapp.reports.figures:CumulativeChart"),
    ("yearly", "Yearly cost", "tcoapp.reports.figures:YearlyChart"),
    ("fleet", "Fleet size", "tcoapp.reports.figures:FleetChart"),
)


class OverviewView(QWidget):
    """The overview: a problem banner, the KPI cards and the four charts.

    After an edit the KPI cards are painted at once; the charts follow in
    passes of the event loop of about 15 ms each (the crossover chart first):
    as many as fit, which is usually all four, as they redraw in place, and one
    per pass when they need a full render, so typing stays responsive and a
    newer evaluation replaces charts not yet drawn.

    Signals
    -------
    kpis_shown(), charts_drawn()
        The cards show the latest evaluation; every visible chart is drawn.
    """

    kpis_shown = Signal()
    charts_drawn = Signal()
    band_shown = Signal()  # the uncertainty band of the latest edit is applied (or cleared)
    DRAW_ORDER = ("cumulative", "monthly", "yearly", "fleet")
    PASS_SECONDS = 0.015  # then let input in before the next chart

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("view.overview")
        self.banner = QLabel("")
        self.banner.setObjectName("results.problem")
        self.banner.setWordWrap(True)
        self.banner.setProperty("role", "banner")
        self.banner.hide()
        self.warnings = QLabel("")
        self.warnings.setObjectName("results.warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setProperty("role", "warnings")
        self.warnings.hide()
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
        self._add_band(layout)
        layout.addWidget(self.warnings)
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
        self._show_warnings(evaluation)
        if self.isVisible():
            self.kpis.repaint()  # the headline numbers first, before the slower charts
        self.kpis_shown.emit()
        for panel in self.charts.values():
            panel.data = evaluation.report
            panel.stale = True
        self._request_band(evaluation)
        self._queue = [self.charts[name] for name in self.DRAW_ORDER]
        self._chart_timer.start()

    def _show_warnings(self, evaluation: Evaluation) -> None:
        """The scenario's warnings (zero API prices, stale catalog prices, uncalibrated chips) beside the KPIs."""
        from tcoapp.scenario.warnings import scenario_warnings

        try:
            found = scenario_warnings(evaluation.scenario) if evaluation.scenario is not None else []
        except ScenarioError:
            found = []
        self.warnings.setText("\n".join(f"⚠ {w.message} ({w.field})" for w in found))
        self.warnings.setToolTip("Warnings do not stop the calculation; each names the field that addresses it.")
        self.warnings.setVisible(bool(found))

    def _draw_next(self) -> None:
        started = time.perf_counter()
        while self._queue:
            panel = self._queue.pop(0)
            if panel.isVisible() and panel.stale:
                panel.redraw(now=True)
                # most redraws take a few milliseconds: keep going while this pass is short
                if time.perf_counter() - started > self.PASS_SECONDS:
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

    # -- the live uncertainty band (tcoapp.gui.documents.band) -----------------------------------------------
    def _add_band(self, layout) -> None:
        from tcoapp.gui.documents.band import LiveBand

        self.band = LiveBand(self)
        self.band.ready.connect(self._show_band)
        self.band.cleared.connect(self._clear_band)
        self.band_data: dict | None = None  # the band shown, kept while the next one computes
        self._band_scenario: Scenario | None = None
        self.band_label = ElidedLabel("")  # one line: a wrapping caption would resize the charts
        self.band_label.setObjectName("overview.band")
        self.band_label.hide()
        layout.addWidget(self.band_label)

    def _request_band(self, evaluation: Evaluation) -> None:
        """Start the band of this evaluation; the charts keep the last band until it arrives."""
        if self.band.request(evaluation.scenario, computable=evaluation.problem is None) and self.band_data:
            self.charts["cumulative"].data = dict(evaluation.report, band=self.band_data)
            self.band_label.setEnabled(False)  # greyed: the last edit's band is computing
        self._band_scenario = evaluation.scenario

    def _band_text(self, band: dict, scenario: Scenario) -> str:
        total = band["total"]
        cur = scenario.currency
        parts = " · ".join(f"{key.upper()} {'—' if total[key] is None else compact_money(total[key], cur)}"
                           for key in ("p10", "p50", "p90"))
        failed = f", {band['failed']:,} could not be computed" if band.get("failed") else ""
        return (f"Lifetime cost under uncertainty: {parts}  "
                f"({band['samples']:,}-sample Monte Carlo, seed {band['seed']}{failed})")

    def _show_band(self, band: dict) -> None:
        self.band_data = band
        self.band_label.setText(self._band_text(band, self._band_scenario))
        self.band_label.setEnabled(True)
        self.band_label.show()
        panel = self.charts["cumulative"]
        report = panel.data if isinstance(panel.data, dict) else None
        if report is not None:
            panel.data = dict(report, band=band)
            if panel.isVisible():
                panel.redraw(now=True)
            else:
                panel.stale = True
        self.band_shown.emit()

    def _clear_band(self) -> None:
        had = self.band_data is not None
        self.band_data = None
        self.band_label.hide()
        self.band_label.setText("")
        panel = self.charts["cumulative"]
        if had and isinstance(panel.data, dict) and "band" in panel.data:
            panel.data = {k: v for k, v in panel.data.items() if k != "band"}
            panel.stale = True
            if panel not in self._queue:
                self._queue.insert(0, panel)
                self._chart_timer.start()
        self.band_shown.emit()
