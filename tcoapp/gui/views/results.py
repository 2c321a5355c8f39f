"""Live results: the debounced evaluation of the active document, KPI cards and chart panels.

One :class:`LiveEvaluator` per window runs the engine on the main thread (a
single scenario takes a few milliseconds) a short moment after the last edit,
so a spin-box storm costs one evaluation, and hands the report to every view.
Charts are drawn by :mod:`tcoapp.reports.figures` onto a Figure hosted in a
``FigureCanvasQTAgg``: one canvas per panel, reused, and redrawn only while
visible (a hidden panel redraws when it is shown). The overview's report charts
are built once and then follow each edit in place, redrawing only what moved
(:class:`~tcoapp.gui.charts.panel.ChartPanel`).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QRadioButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from tcoapp.reports.report import format_month, format_share, format_value
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.schema import Scenario

from tcoapp.gui.documents.document import ScenarioDocument
from tcoapp.gui.widgets.formatting import compact_money, compact_number, count_text
from tcoapp.gui.charts.panel import ChartPanel

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
    "cost_per_request": ("inference_cost / sum of requests; null when no requests",
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
    return kpi_texts(key, summary, scenario)[:3]


def chip_display_name(scenario: Scenario, chip_id: str) -> str:
    """The name people know a chip by ("NVIDIA H100 SXM"), from the catalog or the scenario's own chips."""
    from tcoapp.scenario.catalog import chips_for

    try:
        chip = chips_for(scenario).get(chip_id)
    except ScenarioError:
        chip = None
    return (chip.name or chip_id) if chip is not None else chip_id


def kpi_texts(key: str, summary: dict[str, Any], scenario: Scenario) -> tuple[str, str, str, str]:
    """Value, caption, exact tooltip and the caption's tooltip of one KPI card.

    The caption is short enough for a card of a 1280x800 window (about 20 characters; it would be
    cut with "…" otherwise); the caption's tooltip says the same in full, with the exact figures.
    """
    from tcoapp.reports.report import format_money

    cur = scenario.currency
    value = summary.get(key)
    exact = format_value(key, value, cur, scenario.start_month)
    has_revenue = (summary.get("revenue_total") or 0) > 0
    if key in REVENUE_KEYS and not has_revenue:
        return _no_revenue(scenario)
    if value is None and key in _NONE_BECAUSE:
        caption, why = _NONE_BECAUSE[key]
        return "none", caption, f"none ({why})", f"None: {why}"
    if key == "total_cost":
        training, inference = summary.get("training_cost"), summary.get("inference_cost")
        return (compact_money(value, cur), f"training {compact_money(training, cur)}", exact,
                f"Training {format_money(training, cur)} · inference {format_money(inference, cur)}")
    if key == "npv_total":
        caption = f"cash, at {100 * scenario.finance.discount_rate:.3g} % a year"
        return compact_money(value, cur), caption, exact, f"Cash discounted {caption[len('cash, '):]}"
    if key == "inference_share":
        return format_share(value), "of lifetime cost", exact, "Inference's share of the lifetime cost"
    if key in ("crossover_month", "payback_month"):
        if value is None:
            # "not within the horizon" does not fit a card at 1280x800 (it read "not within the")
            years = scenario.horizon_years
            return ("not reached", f"within {years} year{'s' if years != 1 else ''}", exact,
                    f"Not reached within the {years}-year horizon")
        text = format_month(value, scenario.start_month)
        month_name, _, rest = text.partition(" (")
        return month_name, rest.rstrip(")"), exact, text
    if key == "peak_chips":
        if scenario.inference.deployment == "api":
            return "0", "API: no own chips", exact, "An API deployment has no chips of your own"
        training = summary.get("training_chips")
        name = chip_display_name(scenario, scenario.inference.chip)
        training_name = chip_display_name(scenario, scenario.training.chip)
        tip = (f"Inference chips: {name}; " + (f"training uses ≈ {count_text(training)} {training_name}"
                                                 if training else "no training chips"))
        return count_text(value), name, exact, tip
    if key in ("cost_per_million_tokens", "cost_per_request"):
        return compact_money(value, cur), "inference only", exact, "Inference cost only (training not included)"
    if key == "answer_seconds":
        if scenario.inference.deployment == "api":
            why = "An API's answer time is the provider's, not estimated here."
            return "—", "set by the API", why, why
        if value is None:
            why = "With measured throughputs the batch and the speed per user are not estimated."
            return "—", "measured: not estimated", why, why
        speed, batch = summary.get("tokens_per_s_per_user"), summary.get("replica_batch")
        caption = f"{speed:,.0f} tokens/s per user" if speed else ""
        tip = (f"{speed:,.0f} tokens per second per user, with a batch of {batch:,.0f} requests per model copy"
               if speed and batch else caption)
        return duration_text(value), caption, exact, tip
    if key == "irr":
        profit = summary.get("profit")
        return (format_share(value), f"profit {compact_money(profit, cur)}", exact,
                f"Annual rate; profit over the horizon {format_money(profit, cur)}")
    if key == "profit":
        revenue = summary.get("revenue_total")
        return (compact_money(value, cur), f"revenue {compact_money(revenue, cur)}", exact,
                f"Revenue {format_money(revenue, cur)}")
    return exact, "", exact, ""


#: A ratio with nothing to divide by reads "none", with why: (caption, reason).
_NONE_BECAUSE = {
    "inference_share": ("no costs", "the lifetime cost is 0"),
    "cost_per_million_tokens": ("no tokens served", "no tokens are served within the horizon"),
    "cost_per_request": ("no requests", "no requests are served within the horizon"),
}


def _no_revenue(scenario: Scenario) -> tuple[str, str, str, str]:
    """A revenue card without revenue: none entered, or a price per request with no traffic to earn it."""
    if scenario.business.revenue_per_request > 0:  # entered, but nothing is sold within the horizon
        why = ("Revenue per request is set, but no requests are served within the horizon (requests per day "
               "is 0 or the launch is after the horizon), so there is no revenue.")
        return "—", "no traffic, no revenue", why, why
    why = "Needs a revenue per request: set Revenue per request in the Business section to see this."
    return "—", "no revenue entered", why, why


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


#: A long KPI value: the cards are at least this wide in the value font.
CARD_WIDEST_VALUE = "USD 999.9 M"


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
        # the texts never set the card's size: otherwise an edit that lengthens a number widens (or, wrapped,
        # heightens) the cards, the window and every chart, and each redraw becomes a full re-layout. The
        # card is as wide as a long value needs, whatever it shows now; the value stays on one line.
        self.value.setWordWrap(False)
        for label in (self.title, self.value):
            label.setMinimumWidth(1)
        self.setMinimumWidth(QFontMetrics(font).horizontalAdvance(CARD_WIDEST_VALUE) + 20)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            panel = self.parent()
            if isinstance(panel, KpiPanel):
                panel.card_clicked.emit(self.key)

    def show_value(self, text: str, caption: str, exact: str, raw: Any, caption_tip: str = "") -> None:
        self.value.setText(text)
        self.value.setProperty("value", raw)
        self.value.setToolTip(exact)
        self.value.setAccessibleDescription(exact)
        self.caption.setText(caption)
        self.caption.setToolTip(caption_tip or caption)


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
                value, caption, exact, tip = kpi_texts(key, summary, evaluation.scenario)
                card.show_value(value, caption, exact, summary.get(key), tip)
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


#: The four overview charts: (name, title, reports.figures chart class).
OVERVIEW_CHARTS = (
    ("monthly", "Monthly cost by category", "tcoapp.reports.figures:MonthlyCostChart"),
    ("cumulative", "Cumulative training and inference", "tcoapp.reports.figures:CumulativeChart"),
    ("yearly", "Yearly cost", "tcoapp.reports.figures:YearlyChart"),
    ("fleet", "Fleet size", "tcoapp.reports.figures:FleetChart"),
)
#: The overview charts whose costs depend on the accounting basis (the cash / accrual toggle).
COST_CHARTS = ("monthly", "cumulative", "yearly")
BASES = ("cash", "accrual")


def basis_caption(shown: str, scenario_basis: str) -> str:
    """The line under a cost chart's title: which basis it shows, and whether that is the scenario's.

    >>> basis_caption("cash", "cash"), basis_caption("accrual", "cash")
    ('Cash basis (as the scenario)', 'Accrual view (display only)')
    """
    if shown == scenario_basis:
        return f"{shown.capitalize()} basis (as the scenario)"
    return f"{shown.capitalize()} view (display only)"


def with_basis(scenario: Scenario, basis: str) -> Scenario:
    """The scenario with ``finance.basis`` set to ``basis`` (a copy: the document never sees it)."""
    if scenario.finance.basis == basis:
        return scenario
    return scenario.model_copy(update={"finance": scenario.finance.model_copy(update={"basis": basis})})


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
        basis_row = self._add_basis_toggle()
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
        layout.addLayout(basis_row)
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
        self.evaluation = evaluation
        cost_report = self._cost_report(evaluation)
        for name, panel in self.charts.items():
            panel.data = cost_report if name in COST_CHARTS else evaluation.report
            panel.stale = True
        self._request_band(evaluation)
        self._queue = [self.charts[name] for name in self.DRAW_ORDER]
        self._chart_timer.start()

    # -- the cash / accrual display toggle -----------------------------------------------------------------
    def _add_basis_toggle(self) -> QHBoxLayout:
        """"Cost charts: (o) Cash (o) Accrual": which basis the cost charts plot. Display only: the
        other basis is evaluated on a copy of the scenario (kept per scenario), the document is
        never touched (not dirty, no undo step)."""
        self.display_basis: str | None = None  # None: the scenario's own basis
        self.evaluation: Evaluation | None = None
        self._other: tuple[Scenario, Evaluation] | None = None  # the last display-only evaluation
        self.other_evaluations = 0  # how many display-only evaluations ran (the cache's misses)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Cost charts:")
        title.setToolTip("Plot the cost charts on a cash or an accrual basis. Display only: the scenario, "
                         "its file and the KPI cards keep finance.basis.")
        row.addWidget(title)
        self.basis_buttons: dict[str, QRadioButton] = {}
        self._basis_group = QButtonGroup(self)
        for basis in BASES:
            button = QRadioButton(basis.capitalize())
            button.setObjectName(f"overview.basis.{basis}")
            button.setToolTip(f"Show the monthly, cumulative and yearly costs on the {basis} basis")
            self._basis_group.addButton(button)
            self.basis_buttons[basis] = button
            row.addWidget(button)
        self.basis_buttons["cash"].setChecked(True)  # until the first evaluation says the scenario's
        for basis, button in self.basis_buttons.items():
            button.toggled.connect(lambda checked, b=basis: checked and self.set_display_basis(b))
        self.basis_label = ElidedLabel("")  # one line, elided: a long caption must not widen the view
        self.basis_label.setObjectName("overview.basis")
        self.basis_label.setProperty("role", "card-caption")
        row.addWidget(self.basis_label, 1)
        return row

    def shown_basis(self) -> str | None:
        """The basis the cost charts show (None before the first evaluation)."""
        if self.evaluation is None:
            return self.display_basis
        return self.display_basis or self.evaluation.scenario.finance.basis

    def set_display_basis(self, basis: str) -> None:
        """Show the cost charts on ``basis`` ("cash" or "accrual"); the document is not changed."""
        if basis not in BASES:
            raise ValueError(f"display basis must be 'cash' or 'accrual', not {basis!r}")
        if basis == self.shown_basis():
            return
        self.display_basis = basis
        if self.evaluation is None:
            return
        cost_report = self._cost_report(self.evaluation)
        band = self.band_data if self._band_applies() else None
        for name in COST_CHARTS:
            panel = self.charts[name]
            panel.data = dict(cost_report, band=band) if name == "cumulative" and band and cost_report else cost_report
            panel.stale = True
            if panel not in self._queue:
                self._queue.append(panel)
        self._chart_timer.start()

    def _band_applies(self) -> bool:
        """The live band is the scenario's own basis: it goes on the cumulative chart only then."""
        return self.evaluation is not None and self.shown_basis() == self.evaluation.scenario.finance.basis

    def _cost_report(self, evaluation: Evaluation) -> dict | None:
        """The report the cost charts plot: the evaluation's, or the other basis's (display only),
        labelled with the basis shown."""
        own = evaluation.scenario.finance.basis if evaluation.scenario is not None else None
        if self.display_basis == own:
            self.display_basis = None  # the scenario now has the basis shown: follow it again
        shown = self.display_basis or own
        for basis, button in self.basis_buttons.items():
            button.blockSignals(True)
            button.setChecked(basis == shown)
            button.blockSignals(False)
        if evaluation.report is None or shown is None:
            self.basis_label.setText("")
            return evaluation.report
        report = evaluation.report
        if shown != own:
            other = self._other_evaluation(evaluation.scenario, shown)
            if other.report is None:  # cannot happen for a computable scenario; say so if it does
                self.basis_label.setText(f"Cannot show the {shown} view: {other.problem}")
                return dict(report, basis_view=basis_caption(own, own))
            report = other.report
        caption = basis_caption(shown, own)
        self.basis_label.setText(caption if shown == own else
                                 f"{caption}: the scenario, its file and the KPI cards stay on the {own} basis")
        return dict(report, basis_view=caption)

    def _other_evaluation(self, scenario: Scenario, basis: str) -> Evaluation:
        """The scenario evaluated on ``basis``, kept for the scenario revision it was made for."""
        cached = self._other
        if cached is not None and (cached[0] is scenario or cached[0] == scenario) \
                and cached[1].scenario.finance.basis == basis:
            return cached[1]
        evaluation = evaluate_scenario(with_basis(scenario, basis))
        self.other_evaluations += 1
        self._other = (scenario, evaluation)
        return evaluation

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
            self._start_band()
            self.charts_drawn.emit()

    def draw_pending(self) -> None:
        """Draw every queued chart now (exports, screenshots, tests)."""
        self._chart_timer.stop()
        while self._queue:
            panel = self._queue.pop(0)
            if panel.stale:
                panel.redraw(now=panel.isVisible())
        self._start_band()
        self.charts_drawn.emit()

    # -- the live uncertainty band (tcoapp.gui.documents.band) -----------------------------------------------
    def _add_band(self, layout) -> None:
        from tcoapp.gui.documents.band import LiveBand

        self.band = LiveBand(self)
        self.band.ready.connect(self._show_band)
        self.band.cleared.connect(self._clear_band)
        self.band_data: dict | None = None  # the band shown, kept while the next one computes
        self._band_scenario: Scenario | None = None
        self._band_pending: tuple | None = None  # (scenario, computable) asked for, started after the charts
        self.band_label = ElidedLabel("")  # one line: a wrapping caption would resize the charts
        self.band_label.setObjectName("overview.band")
        self.band_label.hide()
        layout.addWidget(self.band_label)

    def _request_band(self, evaluation: Evaluation) -> None:
        """Ask for the band of this evaluation; the charts keep the last band until it arrives.

        The Monte Carlo itself starts once this edit's charts are drawn (:meth:`_start_band`): run
        beside the redraw, its Python work would take turns with the GUI thread and slow the charts.
        """
        computable = evaluation.problem is None
        has_band = computable and bool(getattr(evaluation.scenario, "uncertainty", None))
        if has_band and self.band_data and self._band_applies():
            self.charts["cumulative"].data = dict(self.charts["cumulative"].data, band=self.band_data)
            self.band_label.setEnabled(False)  # greyed: the last edit's band is computing
        self.band.generation += 1  # an older run still computing stops at its next chunk
        self._band_pending = (evaluation.scenario, computable)
        self._band_scenario = evaluation.scenario

    def _start_band(self) -> None:
        pending, self._band_pending = self._band_pending, None
        if pending is not None:
            self.band.request(*pending)

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
        if report is not None and self._band_applies():
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
