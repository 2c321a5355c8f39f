"""The "Right-size the model" panel: the planner of :mod:`tcoapp.scenario.planning` on the active scenario.

The user picks a target quality ("as good as a Chinchilla-optimal model of X
billion parameters", by default the scenario's own size, or a target loss), the
objective (lowest lifetime cost or FLOPs) and, optionally, other lifetime
inference tokens. *Run* plans on the window's worker (a plan is two engine
batches of a few hundred rows: tens of milliseconds, more on long horizons);
an edit of the scenario cancels a running plan. The panel shows the curve of
lifetime cost and FLOPs against size with the recommended and the
Chinchilla-optimal models marked, and a summary with the savings, the warnings
and the assumptions. *Apply to scenario* writes the recommended N and D into
the scenario as one undoable command, exactly as
:func:`~tcoapp.scenario.planning.apply_design` does.

A plan does not depend on the four fields Apply writes (every candidate size
overrides them), so it stays current after Apply: Undo makes it applicable
again, Redo applies it again.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QRadioButton,
    QScrollArea, QSizePolicy, QSplitter, QVBoxLayout, QWidget,
)

from tcoapp.engine import planner as engine_planner
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.planning import (
    ScenarioPlan, apply_design, plan_document, plan_scenario, served_tokens, target_loss,
)
from tcoapp.scenario.schema import Scenario, get_path

from tcoapp.gui.views.editor import ERROR_STYLE
from tcoapp.gui.widgets.formatting import compact_money
from tcoapp.gui.charts.panel import ChartPanel
from tcoapp.gui.widgets.numberbox import NumberBox

if TYPE_CHECKING:
    from tcoapp.gui.documents.host import ViewHost

#: The worker task's name (the window cancels it when the scenario changes).
TASK_NAME = "Right-size"
#: The objectives as the panel offers them, the default first.
OBJECTIVE_CHOICES = (("cost", "Lowest lifetime cost"), ("flops", "Lowest lifetime FLOPs"))
#: The fields "Apply to scenario" writes (see apply_design).
APPLY_PATHS = ("model.params_billion", "model.active_params_billion", "training.tokens_trillion",
               "training.compute_flops")


def count_text(value: float) -> str:
    """Parameters or tokens with an SI suffix, as the CLI's plan prints them: ``6.97B``, ``1.25T``, ``576M``.

    >>> count_text(6.9686e9), count_text(1.2478e12), count_text(5.76e8), count_text(3e16)
    ('6.97B', '1.25T', '576M', '30,000T')
    """
    if not math.isfinite(value):
        return "—"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            scaled = value / size
            return f"{scaled:,.0f}{suffix}" if scaled >= 1000 else f"{scaled:.3g}{suffix}"
    return f"{value:.3g}"


def flops_text(value: float) -> str:
    """FLOPs as the CLI's plan prints them: ``7.69e+24``."""
    return "—" if not math.isfinite(value) else f"{value:.2e}"


def apply_label(design: engine_planner.Design) -> str:
    """The undo label of Apply: ``Apply right-sized model (6.97B, 1.25T tokens)``."""
    return f"Apply right-sized model ({count_text(design.params)}, {count_text(design.tokens)} tokens)"


def _saving_text(saving: float, total: float, show) -> str:
    """``USD 19.2 M (32.7 %)``, or ``USD 1.0 M (2.0 %) more`` when the recommendation costs more."""
    if not (math.isfinite(saving) and math.isfinite(total) and total):
        return "not available"
    share = 100 * saving / total
    if saving >= 0:
        return f"{show(saving)} ({share:.1f} %)"
    return f"{show(-saving)} ({-share:.1f} %) more"


def _number_box(name: str, value: float, bounds: dict[str, float]) -> NumberBox:
    box = NumberBox(False, bounds)
    box.setObjectName(name)
    box.setAccessibleName(name)
    box.setValue(value)
    box.setMinimumWidth(110)
    return box


class PlannerView(QWidget):
    """Right-size the model: inputs, Run, the cost/FLOPs curve, the summary and Apply.

    Signals
    -------
    planned(object)
        A plan is shown (the :class:`~tcoapp.scenario.planning.ScenarioPlan`).
    """

    planned = Signal(object)

    def __init__(self, window: "ViewHost"):
        super().__init__()
        self.setObjectName("view.planner")
        self.window_ref = window
        self.result: ScenarioPlan | None = None
        self.result_scenario: Scenario | None = None  # the document's scenario the plan was made for
        self.result_options: dict[str, Any] | None = None
        self._auto_ran = False

        # -- inputs --------------------------------------------------------------------------------
        self.by_params = QRadioButton("As good as a Chinchilla-optimal model of")
        self.by_params.setObjectName("planner.quality_by_params")
        self.by_loss = QRadioButton("Target loss")
        self.by_loss.setObjectName("planner.quality_by_loss")
        self.by_params.setChecked(True)
        quality_group = QButtonGroup(self)
        quality_group.addButton(self.by_params)
        quality_group.addButton(self.by_loss)
        self.quality_params = _number_box("planner.quality_params_billion", 70.0, {"gt": 0})
        self.quality_params.setToolTip("The quality to reach: the pre-training loss of the Chinchilla-optimal "
                                       "(compute-optimal) model of this many billion parameters.")
        self.quality_from_scenario = QPushButton("Scenario's size")
        self.quality_from_scenario.setObjectName("planner.quality_from_scenario")
        self.quality_from_scenario.setToolTip("Use the scenario's own model.params_billion")
        self.quality_from_scenario.clicked.connect(self.use_scenario_size)
        fit = engine_planner.CHINCHILLA
        self.quality_loss = _number_box("planner.quality_loss", float(engine_planner.chinchilla_loss(70e9)),
                                        {"gt": fit.E})
        self.quality_loss.setToolTip(f"Pre-training loss of the Chinchilla fit L = E + A/N^α + B/D^β; it must be "
                                     f"above the irreducible loss E = {fit.E:g}.")
        self.loss_hint = QLabel(f"(above {fit.E:g})")
        self.objective = QComboBox()
        self.objective.setObjectName("planner.objective")
        self.objective.setAccessibleName("planner.objective")
        for key, text in OBJECTIVE_CHOICES:
            self.objective.addItem(text, key)
        self.objective.setToolTip("Lifetime cost: the engine's total cost with this scenario's chips, prices and "
                                  "traffic. Lifetime FLOPs: 6·N·D (training) + 2·N·D_inf (inference).")
        self.inference_custom = QCheckBox("Other lifetime inference tokens:")
        self.inference_custom.setObjectName("planner.inference_custom")
        self.inference_tokens = _number_box("planner.inference_tokens", 1e12, {"ge": 0})
        self.inference_tokens.setToolTip("Every token the model processes over its life (prompts and generated "
                                         "tokens). The scenario's traffic is scaled to serve exactly this many.")
        self.inference_tokens.setEnabled(False)
        self.inference_own = QLabel("")
        self.inference_own.setObjectName("planner.inference_own")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("planner.run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.apply_button = QPushButton("Apply to scenario")
        self.apply_button.setObjectName("planner.apply")
        self.apply_button.setToolTip("Write the recommended parameters and training tokens into the scenario "
                                     "(a dense model, training compute 6·N·D); Undo reverts it.")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.note = QLabel("")
        self.note.setObjectName("planner.note")
        self.note.setWordWrap(True)

        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        form.addWidget(_bold("Target quality"), 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.by_params)
        row.addWidget(self.quality_params)
        row.addWidget(QLabel("billion parameters"))
        row.addSpacing(8)
        row.addWidget(self.quality_from_scenario)
        row.addStretch(1)
        form.addLayout(row, 0, 1)
        row = QHBoxLayout()
        row.addWidget(self.by_loss)
        row.addWidget(self.quality_loss)
        row.addSpacing(4)
        row.addWidget(self.loss_hint)
        row.addStretch(1)
        form.addLayout(row, 1, 1)
        form.addWidget(_bold("Objective"), 2, 0)
        row = QHBoxLayout()
        row.addWidget(self.objective)
        row.addStretch(1)
        form.addLayout(row, 2, 1)
        form.addWidget(_bold("Inference"), 3, 0)
        row = QHBoxLayout()
        row.addWidget(self.inference_own)
        row.addSpacing(12)
        row.addWidget(self.inference_custom)
        row.addWidget(self.inference_tokens)
        row.addStretch(1)
        form.addLayout(row, 3, 1)
        form.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.note, 1)

        # -- results -------------------------------------------------------------------------------
        self.chart = ChartPanel("planner", "Lifetime cost and FLOPs against model size",
                                "tcoapp.reports.analysis_figures:draw_plan_curve")
        self.chart.canvas.setMinimumSize(280, 300)
        self.summary = self._build_summary()
        scroll = QScrollArea()
        scroll.setObjectName("planner.summary_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.summary)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.summary.minimumSizeHint().width() + 20)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("planner.splitter")
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([460, 380])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.splitter, 1)

        # -- wiring --------------------------------------------------------------------------------
        self.by_params.toggled.connect(self._on_quality_kind)
        self.quality_params.valueChanged.connect(self._on_quality_params)
        for signal in (self.by_params.toggled, self.quality_params.valueChanged, self.quality_loss.valueChanged,
                       self.objective.currentIndexChanged, self.inference_custom.toggled,
                       self.inference_tokens.valueChanged):
            signal.connect(lambda *_: self.options_changed())
        self.inference_custom.toggled.connect(self.inference_tokens.setEnabled)
        self._own_timer = QTimer(self)
        self._own_timer.setSingleShot(True)
        self._own_timer.setInterval(150)
        self._own_timer.timeout.connect(self._refresh_own_tokens)
        window.worker.busy_changed.connect(self._on_busy)
        window.active_document_changed.connect(self._on_document)
        self._on_quality_kind(True)
        self._on_document(window.active)

    # -- layout helpers ------------------------------------------------------------------------------
    def _build_summary(self) -> QWidget:
        box = QWidget()
        box.setObjectName("planner.summary")
        self.headline = QLabel("No plan yet: choose the quality and press Run.")
        self.headline.setObjectName("planner.headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.context = QLabel("")
        self.context.setObjectName("planner.context")
        self.context.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        grid.addWidget(_bold("Recommended"), 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(_bold("Chinchilla-optimal"), 0, 2, Qt.AlignmentFlag.AlignRight)
        self.cells: dict[str, QLabel] = {}
        rows = (("params", "Parameters"), ("tokens", "Training tokens"), ("tokens_per_param", "Tokens / parameter"),
                ("total_flops", "Lifetime FLOPs"), ("training_cost", "Training cost"),
                ("inference_cost", "Inference cost"), ("total_cost", "Lifetime cost"))
        for r, (key, title) in enumerate(rows, start=1):
            grid.addWidget(QLabel(title), r, 0)
            for c, subject in enumerate(("optimal", "chinchilla"), start=1):
                cell = QLabel("—")
                cell.setObjectName(f"planner.{subject}.{key}")
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.cells[f"{subject}.{key}"] = cell
                grid.addWidget(cell, r, c)
        grid.setColumnStretch(0, 1)
        savings = QGridLayout()
        savings.setHorizontalSpacing(10)
        savings.setVerticalSpacing(2)
        self.saving_cost = QLabel("—")
        self.saving_cost.setObjectName("planner.saving.cost")
        self.saving_flops = QLabel("—")
        self.saving_flops.setObjectName("planner.saving.flops")
        savings.addWidget(QLabel("Saving in cost"), 0, 0)
        savings.addWidget(self.saving_cost, 0, 1)
        savings.addWidget(QLabel("Saving in FLOPs"), 1, 0)
        savings.addWidget(self.saving_flops, 1, 1)
        savings.setColumnStretch(1, 1)
        self.warnings = QLabel("")
        self.warnings.setObjectName("planner.warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setProperty("role", "banner")
        self.warnings.hide()
        self.notes = QLabel("")
        self.notes.setObjectName("planner.notes")
        self.notes.setWordWrap(True)
        small = self.notes.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.notes.setFont(small)
        self.context.setFont(small)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(6)
        layout.addWidget(self.headline)
        layout.addWidget(self.context)
        layout.addLayout(grid)
        layout.addWidget(_bold("Against the Chinchilla-optimal model of the same quality", wrap=True))
        layout.addLayout(savings)
        layout.addWidget(self.warnings)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        return box

    # -- inputs --------------------------------------------------------------------------------------
    def _on_quality_kind(self, by_params: bool) -> None:
        self.quality_params.setEnabled(by_params)
        self.quality_from_scenario.setEnabled(by_params)
        self.quality_loss.setEnabled(not by_params)
        if by_params:
            self._on_quality_params(self.quality_params.value())

    def _on_quality_params(self, value: float) -> None:
        """Show the loss the chosen size implies (the loss box is read-only then)."""
        if self.by_params.isChecked() and value > 0 and math.isfinite(value):
            self.quality_loss.blockSignals(True)
            self.quality_loss.setValue(round(float(engine_planner.chinchilla_loss(value * 1e9)), 4))
            self.quality_loss.blockSignals(False)

    def use_scenario_size(self) -> None:
        """Set the quality to the Chinchilla-optimal model of the scenario's own size."""
        document = self.window_ref.active
        if document is not None:
            self.quality_params.setValue(float(document.scenario.model.params_billion))

    def options(self) -> dict[str, Any]:
        """The planning options as :func:`~tcoapp.scenario.planning.plan_scenario` takes them."""
        out: dict[str, Any] = {"objective": self.objective.currentData()}
        if self.by_params.isChecked():
            out["quality_params_billion"] = float(self.quality_params.value())
        else:
            out["quality_loss"] = float(self.quality_loss.value())
        if self.inference_custom.isChecked():
            out["inference_tokens"] = float(self.inference_tokens.value())
        return out

    def _on_document(self, document) -> None:
        """Another scenario is active: forget the plan and start from its own size and traffic."""
        self.result = self.result_scenario = self.result_options = None
        self._auto_ran = False
        self._clear()
        if document is None:
            self.note.setText("Open a scenario to right-size its model.")
            return
        self.quality_params.setValue(float(document.scenario.model.params_billion))
        own = self._refresh_own_tokens()
        if own is not None and own > 0:
            self.inference_tokens.setValue(float(f"{own:.3g}"))
        self.note.setText("")
        if self.isVisible():
            self._schedule_auto_run()

    def _refresh_own_tokens(self) -> float | None:
        document = self.window_ref.active
        if document is None:
            return None
        try:
            own = served_tokens(document.scenario)
        except ScenarioError:
            self.inference_own.setText("Scenario's own: cannot compute")
            return None
        years = document.scenario.horizon_years
        self.inference_own.setText(f"Scenario's own: {count_text(own)} tokens over {years} "
                                   f"year{'s' if years != 1 else ''}")
        return own

    # -- running -------------------------------------------------------------------------------------
    def run(self) -> bool:
        """Plan the active scenario on the worker; False (with the reason shown) if the inputs are wrong."""
        document = self.window_ref.active
        if document is None:
            return False
        scenario, options = document.scenario, self.options()
        try:  # the options' own mistakes, at once rather than from the worker
            target_loss(options.get("quality_params_billion"), options.get("quality_loss"))
        except ScenarioError as error:
            self._show_error(f"Not run: {error}")
            return False

        def job(progress=None, cancelled=None):
            started = time.perf_counter()
            if cancelled is not None and cancelled():
                return None
            result = plan_scenario(scenario, **options)
            if progress is not None:
                progress(1.0)
            return result, time.perf_counter() - started

        self.note.setStyleSheet("")
        self.note.setText("Planning…")
        self.apply_button.setEnabled(False)
        self.window_ref.worker.submit(TASK_NAME, job, on_result=lambda r: self._on_result(r, scenario, options),
                                      on_error=lambda e: self._show_error(f"Cannot plan: {_error_text(e)}"))
        return True

    def _on_result(self, outcome, scenario: Scenario, options: dict[str, Any]) -> None:
        if outcome is None:
            return
        result, seconds = outcome
        self.show_plan(result, scenario, options)
        self.note.setText(f"Planned in {seconds * 1000:.0f} ms.")
        self._update_apply()

    def _show_error(self, text: str) -> None:
        self.note.setStyleSheet(ERROR_STYLE)
        self.note.setText(text)

    def _on_busy(self, busy: bool) -> None:
        worker = self.window_ref.worker
        running = busy and worker.current is not None and worker.current.name == TASK_NAME
        self.run_button.setEnabled(not running)

    def _schedule_auto_run(self) -> None:
        QTimer.singleShot(0, self._auto_run)

    def _auto_run(self) -> None:
        """The first time the panel is shown for a scenario, plan it with the defaults (it is quick)."""
        if self._auto_ran or self.result is not None or not self.isVisible() or self.window_ref.active is None:
            return
        if self.window_ref.worker.busy:
            return
        self._auto_ran = True
        self.run()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._refresh_own_tokens()
        self._schedule_auto_run()

    # -- showing -------------------------------------------------------------------------------------
    def _clear(self) -> None:
        for cell in self.cells.values():
            cell.setText("—")
            cell.setProperty("value", None)
        self.headline.setText("No plan yet: choose the quality and press Run.")
        self.context.setText("")
        self.saving_cost.setText("—")
        self.saving_flops.setText("—")
        self.warnings.hide()
        self.notes.setText("")
        self.chart.set_data(None)
        self.apply_button.setEnabled(False)

    def show_plan(self, result: ScenarioPlan, scenario: Scenario, options: dict[str, Any]) -> None:
        """Show a plan made for ``scenario`` (the document's) with ``options``."""
        self.result, self.result_scenario, self.result_options = result, scenario, dict(options)
        p, cur = result.plan, result.scenario.currency
        opt, chin = p.optimal, p.chinchilla
        what = "lowest lifetime cost" if p.objective == "cost" else "lowest lifetime FLOPs"
        self.headline.setText(f"<b style='font-size: large'>Train a {count_text(opt.params)}-parameter model on "
                              f"{count_text(opt.tokens)} tokens</b><br>{opt.tokens_per_param:,.0f} tokens per "
                              f"parameter, for the {what}.")
        if result.quality_params is not None:
            quality = (f"as good as a Chinchilla-optimal {count_text(result.quality_params)}-parameter model "
                       f"(loss {p.loss:.4f})")
        else:
            quality = f"loss {p.loss:.4f}"
        if result.requests_scale == 1.0:
            traffic = "the scenario's own traffic"
        else:
            traffic = f"the scenario's requests scaled ×{result.requests_scale:.4g}"
        self.context.setText(f"Quality: {quality}. Lifetime inference: {count_text(p.inference_tokens)} tokens "
                             f"({traffic}).")
        money = lambda v: compact_money(v, cur)  # noqa: E731 - a one-line formatter
        for subject, design in (("optimal", opt), ("chinchilla", chin)):
            values = {
                "params": (count_text(design.params), design.params),
                "tokens": (count_text(design.tokens), design.tokens),
                "tokens_per_param": (f"{design.tokens_per_param:,.0f}", design.tokens_per_param),
                "total_flops": (flops_text(design.total_flops), design.total_flops),
                "training_cost": (money(design.training_cost), design.training_cost),
                "inference_cost": (money(design.inference_cost), design.inference_cost),
                "total_cost": (money(design.total_cost), design.total_cost),
            }
            for key, (text, raw) in values.items():
                cell = self.cells[f"{subject}.{key}"]
                cell.setText(text)
                cell.setProperty("value", float(raw))
                exact = f"{cur} {raw:,.2f}" if key.endswith("cost") and math.isfinite(raw) else f"{raw:.6g}"
                cell.setToolTip(exact if design.error is None else f"{exact}\n{design.error}")
        self.saving_cost.setText(_saving_text(p.cost_saving, chin.total_cost, money))
        self.saving_cost.setProperty("value", float(p.cost_saving))
        self.saving_flops.setText(_saving_text(p.flop_saving, chin.total_flops, flops_text))
        self.saving_flops.setProperty("value", float(p.flop_saving))
        if p.warnings:
            self.warnings.setText(_bullets("Warnings", [w.message for w in p.warnings]))
            self.warnings.show()
        else:
            self.warnings.hide()
        self.notes.setText(_bullets("Assumptions", p.notes))
        self.chart.set_data(plan_document(result))
        self.planned.emit(result)

    # -- staleness and Apply ---------------------------------------------------------------------------
    def is_current(self) -> bool:
        """Whether the shown plan is the active scenario's with the panel's options.

        The plan ignores the fields Apply writes, so a scenario that differs
        from the planned one only there (after Apply) is still current.
        """
        document = self.window_ref.active
        if self.result is None or document is None or self.result_options != self.options():
            return False
        design = self.result.plan.optimal
        return apply_design(document.scenario, design) == apply_design(self.result_scenario, design)

    def is_applied(self) -> bool:
        """Whether the active scenario already has the recommended model."""
        document = self.window_ref.active
        return (self.is_current()
                and document.scenario == apply_design(self.result_scenario, self.result.plan.optimal))

    def _update_apply(self) -> None:
        current = self.is_current()
        applied = current and self.is_applied()
        self.apply_button.setEnabled(current and not applied)
        if applied:
            opt = self.result.plan.optimal
            self.apply_button.setToolTip(f"The scenario uses the recommended model ({count_text(opt.params)}, "
                                         f"{count_text(opt.tokens)} tokens); Undo reverts it.")
            self.apply_button.setText("Applied ✓")
        else:
            self.apply_button.setText("Apply to scenario")
            self.apply_button.setToolTip("Write the recommended parameters and training tokens into the scenario "
                                         "(a dense model, training compute 6·N·D); Undo reverts it.")

    def apply(self) -> bool:
        """Write the recommended N and D into the active scenario as one undoable command."""
        document = self.window_ref.active
        if document is None or not self.is_current() or self.is_applied():
            return False
        design = self.result.plan.optimal
        after = apply_design(document.scenario, design)
        values = {path: get_path(after, path) for path in APPLY_PATHS}
        try:
            changed = document.set_values(values, label=apply_label(design))
        except ScenarioError as error:
            self._show_error(f"Not applied: {error}")
            return False
        self._mark()
        return changed

    def options_changed(self) -> None:
        """The panel's own inputs changed: a running plan is stale, a shown one too."""
        worker = self.window_ref.worker
        if worker.current is not None and worker.current.name == TASK_NAME:
            worker.cancel()
        self._mark()

    def input_changed(self) -> None:
        """The active scenario changed (the window has cancelled a running plan)."""
        self._mark()
        if self.isVisible():
            self._own_timer.start()

    def _mark(self) -> None:
        """Say whether the shown plan is still the scenario's, and whether it has been applied."""
        if self.result is None:
            return
        self._update_apply()
        self.note.setStyleSheet("")
        if not self.is_current():
            self.note.setText("Inputs changed since this run. Run again to update.")
        elif self.is_applied():
            opt = self.result.plan.optimal
            self.note.setText(f"Applied: the scenario now trains a {count_text(opt.params)}-parameter model on "
                              f"{count_text(opt.tokens)} tokens. Undo restores the previous model.")
        elif self.note.text().startswith(("Applied", "Inputs changed")):
            self.note.setText("The plan is current: Apply writes it into the scenario.")


def _bold(text: str, wrap: bool = False) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setWordWrap(wrap)
    return label


def _bullets(title: str, items) -> str:
    """A bold title and one paragraph per item, for a word-wrapped label."""
    return f"<b>{title}</b>" + "".join(f"<p style='margin: 2px 0 0 0'>• {_html(item)}</p>" for item in items)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _error_text(error: BaseException) -> str:
    return str(error) if isinstance(error, ScenarioError) else f"{type(error).__name__}: {error}"
