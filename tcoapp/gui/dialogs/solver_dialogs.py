"""The solver dialogs: goal seek (solve a field for a target) and the scenario's uncertainty section."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from tcoapp.reports.report import SUMMARY_LABELS, format_value
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.schema import Scenario, get_path, numeric_field_paths, with_values

from tcoapp.gui.widgets.numberbox import format_number, parse_number
from tcoapp.gui.widgets.pickers import (
    field_combo, metric_combo, metric_label, number_box, select_field, sensitivity_module,
)

if TYPE_CHECKING:
    from tcoapp.gui.documents.host import ViewHost


def suggested_range(path: str, value: Any) -> tuple[float, float]:
    """A range around a field's value for a sweep or a goal seek (within the field's bounds).

    >>> suggested_range("inference.annual_growth", 0.5)
    (0.0, 1.0)
    >>> suggested_range("facility.pue", 1.3)
    (1.0, 2.6)
    """
    field = numeric_field_paths()[path]
    value = float(value) if value is not None else 1.0
    if "%" in field.unit and field.unit.startswith("per year"):
        low, high = value - 0.5, value + 0.5
    elif "%" in field.unit and field.unit.startswith("share"):
        low, high = max(0.05, value / 2), min(1.0, value * 2) if value else 1.0
    elif value == 0:
        low, high = 0.0, 1.0
    else:
        low, high = value / 2, value * 2
    bounds = field.bounds
    if "ge" in bounds:
        low = max(low, bounds["ge"])
    if "gt" in bounds:
        low = max(low, bounds["gt"] + (abs(bounds["gt"]) or 1) * 1e-3) if low <= bounds["gt"] else low
    if "le" in bounds:
        high = min(high, bounds["le"])
    if field.is_int:
        low, high = float(math.floor(low)), float(math.ceil(high))
        if high <= low:
            high = low + 1
    return float(f"{low:.6g}"), float(f"{high:.6g}")


def grid_values(low: float, high: float, steps: int, is_int: bool) -> list[float]:
    """``steps`` evenly spaced values from low to high (distinct whole numbers for integer fields).

    >>> grid_values(0, 1, 3, False), grid_values(1, 4, 7, True)
    ([0.0, 0.5, 1.0], [1, 2, 3, 4])
    """
    if steps < 2 or high == low:
        return [low]
    values = [low + (high - low) * i / (steps - 1) for i in range(steps)]
    if is_int:
        return sorted({int(round(v)) for v in values})
    return [float(f"{v:.10g}") for v in values]


class GoalSeekDialog(QDialog):
    """Find the value of one input that makes a metric hit a target."""

    def __init__(self, window: "ViewHost"):
        super().__init__(window)
        self.setObjectName("dialog.goal_seek")
        self.setWindowTitle("Goal seek")
        self.window_ref = window
        self.field = field_combo("goal_seek.field")
        self.metric_box = metric_combo("goal_seek.metric")
        self.target = number_box("goal_seek.target")
        self.low = number_box("goal_seek.low")
        self.high = number_box("goal_seek.high")
        self.run_button = QPushButton("Find")
        self.run_button.setObjectName("goal_seek.run")
        self.run_button.clicked.connect(self.run)
        self.answer = QLabel("Choose an input, the metric and its target, and a range to search.")
        self.answer.setObjectName("goal_seek.answer")
        self.answer.setWordWrap(True)
        self.answer.setMinimumHeight(48)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("Apply value", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("goal_seek.apply")
        self.apply_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Change", self.field)
        form.addRow("so that", self.metric_box)
        form.addRow("equals", self.target)
        range_row = QHBoxLayout()
        range_row.addWidget(self.low)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.high)
        form.addRow("searching from", range_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.run_button)
        layout.addWidget(self.answer)
        layout.addWidget(self.buttons)
        self.resize(560, 280)
        self.outcome: dict | None = None
        self._task = None
        self._closed = False
        self.field.currentIndexChanged.connect(lambda _: self._suggest())
        self.metric_box.currentIndexChanged.connect(lambda _: self._suggest_target())
        select_field(self.field, "inference.requests_per_day")
        self._suggest()
        self._suggest_target()

    def _suggest(self) -> None:
        document = self.window_ref.active
        if document is None:
            return
        path = self.field.currentData()
        low, high = suggested_range(path, get_path(document.scenario, path))
        self.low.setValue(low)
        self.high.setValue(high)

    def _suggest_target(self) -> None:
        evaluation = self.window_ref.evaluator.latest
        if evaluation is not None and evaluation.summary is not None:
            value = evaluation.summary.get(self.metric_box.currentData())
            if value is not None:
                self.target.setValue(float(f"{value:.3g}"))

    def run(self) -> None:
        module = sensitivity_module()
        document = self.window_ref.active
        if module is None or document is None:
            self.answer.setText("The sensitivity solver is not available in this build.")
            return
        scenario = document.scenario
        path, metric = self.field.currentData(), self.metric_box.currentData()
        target, low, high = self.target.value(), self.low.value(), self.high.value()

        def job(progress=None, cancelled=None):
            return module.goal_seek(scenario, path, metric, target, low, high, progress=progress,
                                    cancelled=cancelled)

        self.answer.setText("Searching…")
        self.apply_button.setEnabled(False)
        self._task = self.window_ref.worker.submit(
            "Goal seek", job, on_result=lambda r: self._closed or self.show_result(r, scenario, path),
            on_error=lambda e: self._closed or self.answer.setText(f"Failed: {e}"))

    def done(self, code: int) -> None:  # noqa: D102 - Qt's name: Close, Apply or Escape
        # A search still running when the dialog closes is cancelled; its answer has nowhere to go.
        self._closed = True
        worker = self.window_ref.worker
        if self._task is not None and worker.current is self._task:
            worker.cancel()
        super().done(code)

    def show_result(self, result: dict, scenario: Scenario, path: str) -> None:
        self.outcome = result
        self._path = path
        field = numeric_field_paths()[path]
        status = result.get("status")
        metric = self.metric_box.currentData()
        if status == "ok":
            achieved = format_value(metric, result.get("achieved"), scenario.currency, scenario.start_month) \
                if metric in SUMMARY_LABELS else result.get("achieved")
            self.answer.setText(f"<b>{field.title} = {format_number(result['value'], field.is_int)}</b> gives "
                                f"{metric_label(metric).lower()} of {achieved}.")
            self.apply_button.setEnabled(True)
        elif status == "several solutions":
            values = ", ".join(format_number(v, field.is_int) for v in result.get("solutions", []))
            self.answer.setText(f"Several values reach the target: {values}. Narrow the range; "
                                f"Apply uses {format_number(result['value'], field.is_int)}.")
            self.apply_button.setEnabled(result.get("value") is not None)
        elif status == "not reached" and result.get("value") is not None:
            achieved = format_value(metric, result.get("achieved"), scenario.currency, scenario.start_month)
            self.answer.setText(f"The target cannot be hit exactly: {metric_label(metric).lower()} jumps (whole "
                                f"replicas or servers). Closest: <b>{field.title} = "
                                f"{format_number(result['value'], field.is_int)}</b> gives {achieved}.")
            self.apply_button.setEnabled(True)
        else:
            message = result.get("message") or status
            self.answer.setText(f"No value between {format_number(self.low.value())} and "
                                f"{format_number(self.high.value())} reaches the target: {message}.")

    def apply(self, document) -> bool:
        """Set the found value on the document (one undoable edit)."""
        if not self.outcome or self.outcome.get("value") is None:
            return False
        field = numeric_field_paths()[self._path]
        value = self.outcome["value"]
        value = int(round(value)) if field.is_int else float(value)
        try:
            return document.set_values({self._path: value}, label=f"Goal seek {field.title}")
        except ScenarioError as error:
            self.answer.setText(f"Not applied: {error.rule}")
            return False


#: Parameters of each distribution: (key, label).
DIST_PARAMS = {
    "triangular": (("low", "Low"), ("mode", "Most likely"), ("high", "High")),
    "pert": (("low", "Low"), ("mode", "Most likely"), ("high", "High")),
    "uniform": (("low", "Low"), ("high", "High")),
    "normal": (("mean", "Mean"), ("sd", "Standard deviation")),
    "lognormal": (("median", "Median"), ("sigma", "Sigma (of the log)")),
}


class UncertaintyDialog(QDialog):
    """The editor of the scenario's ``uncertainty`` section: one row per uncertain input."""

    def __init__(self, scenario: Scenario, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dialog.uncertainty")
        self.setWindowTitle("Uncertainty — distributions of the inputs")
        self.resize(900, 420)
        self.scenario = scenario
        self.outcome: Scenario | None = None
        intro = QLabel("Give each uncertain input a distribution; Monte Carlo samples them together. Values are in "
                       "the field's own unit (0.5 = 50 % for yearly rates and shares).")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("uncertainty.table")
        self.table.setHorizontalHeaderLabels(["Input", "Distribution", "Low / mean / median", "Most likely",
                                              "High / sd / sigma"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        add = QPushButton("Add input")
        add.setObjectName("uncertainty.add")
        add.clicked.connect(lambda: self.add_row())
        remove = QPushButton("Remove input")
        remove.setObjectName("uncertainty.remove")
        remove.clicked.connect(self.remove_selected)
        self.message = QLabel("")
        self.message.setObjectName("uncertainty.message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        for path, dist in scenario.uncertainty.items():
            self.add_row(path, dist.model_dump())

    def add_row(self, path: str | None = None, dist: dict | None = None) -> int:
        used = {self.table.cellWidget(r, 0).currentData() for r in range(self.table.rowCount())}
        if path is None:
            for candidate in ("inference.annual_growth", "inference.requests_per_day", "training.mfu",
                              "inference.output_tokens", "inference.reasoning_tokens", "facility.pue"):
                if candidate not in used:
                    path = candidate
                    break
            else:
                path = "inference.input_tokens"
        row = self.table.rowCount()
        self.table.insertRow(row)
        field_box = field_combo(f"uncertainty.{row}.field")
        select_field(field_box, path)
        dist_combo = QComboBox()
        dist_combo.setObjectName(f"uncertainty.{row}.dist")
        for name in DIST_PARAMS:
            dist_combo.addItem(name, name)
        self.table.setCellWidget(row, 0, field_box)
        self.table.setCellWidget(row, 1, dist_combo)
        if dist is None:
            dist = self._default(path, "triangular")
        dist_combo.setCurrentIndex(dist_combo.findData(dist["dist"]))
        self._set_params(row, dist)
        field_box.currentIndexChanged.connect(lambda _, r=row: self._set_params(
            r, self._default(self.table.cellWidget(r, 0).currentData(), self.table.cellWidget(r, 1).currentData())))
        dist_combo.currentIndexChanged.connect(lambda _, r=row: self._set_params(
            r, self._default(self.table.cellWidget(r, 0).currentData(), self.table.cellWidget(r, 1).currentData())))
        return row

    def _default(self, path: str, dist: str) -> dict:
        value = get_path(self.scenario, path)
        value = float(value) if value is not None else 1.0
        spread = abs(value) * 0.2 or 0.1
        if dist in ("triangular", "pert"):
            return {"dist": dist, "low": value - spread, "mode": value, "high": value + spread}
        if dist == "uniform":
            return {"dist": dist, "low": value - spread, "high": value + spread}
        if dist == "normal":
            return {"dist": dist, "mean": value, "sd": spread / 2}
        return {"dist": dist, "median": value if value > 0 else 1.0, "sigma": 0.2}

    def _set_params(self, row: int, dist: dict) -> None:
        params = DIST_PARAMS[dist["dist"]]
        cells = {2: None, 3: None, 4: None}
        if len(params) == 3:
            cells = {2: params[0], 3: params[1], 4: params[2]}
        else:
            cells = {2: params[0], 3: None, 4: params[1]}
        for column, param in cells.items():
            if param is None:
                item = QTableWidgetItem("")
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                key, label = param
                item = QTableWidgetItem(format_number(float(dist[key])))
                item.setToolTip(label)
                item.setData(Qt.ItemDataRole.UserRole, key)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.rowCount():
            rows = [self.table.currentRow() if self.table.currentRow() >= 0 else self.table.rowCount() - 1]
        for row in rows:
            self.table.removeRow(row)

    def uncertainty(self) -> dict[str, dict]:
        """The section as typed; raises ValueError naming a cell that is not a number."""
        out: dict[str, dict] = {}
        for row in range(self.table.rowCount()):
            path = self.table.cellWidget(row, 0).currentData()
            dist = {"dist": self.table.cellWidget(row, 1).currentData()}
            for column in (2, 3, 4):
                item = self.table.item(row, column)
                key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
                if key:
                    try:
                        dist[key] = parse_number(item.text())
                    except ValueError:
                        raise ValueError(f"{path}: {key} “{item.text()}” is not a number") from None
            if path in out:
                raise ValueError(f"{path} appears twice")
            out[path] = dist
        return out

    def accept(self) -> None:
        try:
            self.outcome = with_values(self.scenario, {"uncertainty": self.uncertainty()})
        except (ScenarioError, ValueError) as error:
            self.message.setText(f"Not applied: {error}")
            return
        super().accept()

    def apply(self, document) -> bool:
        if self.outcome is None:
            return False
        return document.replace_scenario(self.outcome, "Change Uncertainty")


# ---------------------------------------------------------------- sweep ranges and break-even
#: Most points of a one-way sweep (the CLI's own limit, ``tcoapp-cli sweep --points``).
MAX_SWEEP_POINTS = 201

DEPLOYMENT_LABELS = {"api": "API (pay per token)", "cloud": "Cloud (rent chips)", "owned": "Owned (buy chips)"}
#: The same inside a sentence.
DEPLOYMENT_WORDS = {"api": "API (pay per token)", "cloud": "cloud (rent chips)", "owned": "owned (buy chips)"}


def rule_problem(scenario: Scenario, path: str, value: float, name: str) -> str | None:
    """Why ``value`` is not a value ``path`` can take, naming the box, field, value and rule; None when it is.

    >>> from tcoapp.scenario.schema import Scenario
    >>> s = Scenario.model_validate({"model": {"params_billion": 7}, "inference": {"requests_per_day": 1}})
    >>> rule_problem(s, "facility.pue", 0.5, "Low")
    'Low 0.5: PUE (facility.pue) must be between 1 and 10'
    >>> rule_problem(s, "facility.pue", 1.2, "Low") is None
    True
    """
    import numpy as np

    field = numeric_field_paths()[path]
    where = f"{field.title} ({path})"
    if not math.isfinite(value):
        return f"{name} {value}: {where} must be a finite number"
    shown = format_number(value, field.is_int and float(value).is_integer())
    if field.is_int and not float(value).is_integer():
        return f"{name} {shown}: {where} must be a whole number"
    typed = int(value) if field.is_int else float(value)
    try:
        with_values(scenario, {path: typed})
    except ScenarioError as error:
        if error.path == path:
            return f"{name} {shown}: {where} {error.rule}"
        return f"{name} {shown}: {error}"
    module = sensitivity_module()
    if module is not None and float(module.clip_to_rule(path, np.array([float(value)]))[0]) != float(value):
        return f"{name} {shown}: outside the values {where} can take in a sweep"
    return None


def sweep_values(scenario: Scenario, path: str, low: float, high: float, steps: int) -> tuple[list, str | None]:
    """The sweep's values from low to high, or a message naming the field, value and rule that is broken.

    >>> from tcoapp.scenario.schema import Scenario
    >>> s = Scenario.model_validate({"model": {"params_billion": 7}, "inference": {"requests_per_day": 1}})
    >>> sweep_values(s, "facility.pue", 1.0, 2.0, 3)
    ([1.0, 1.5, 2.0], None)
    >>> sweep_values(s, "facility.pue", 2.0, 1.0, 3)[1]
    'High 1: must be above low (2) for PUE (facility.pue)'
    """
    for name, value in (("Low", low), ("High", high)):
        problem = rule_problem(scenario, path, value, name)
        if problem:
            return [], problem
    field = numeric_field_paths()[path]
    if not high > low:
        return [], (f"High {format_number(high)}: must be above low ({format_number(low)}) for "
                    f"{field.title} ({path})")
    if not 2 <= steps <= MAX_SWEEP_POINTS:
        return [], f"Steps {steps}: must be between 2 and {MAX_SWEEP_POINTS}"
    return grid_values(low, high, steps, field.is_int), None


def break_even(scenario: Scenario, path: str, metric: str, deployment: str, low: float, high: float,
               progress=None, cancelled=None) -> dict:
    """The value of ``path`` in [low, high] at which ``metric`` equals that of ``scenario`` deployed as ``deployment``.

    First the CLI's own question (``tcoapp-cli solve --target-deployment``): the other
    deployment's metric at the scenario's current inputs is the goal-seek target. Both
    deployments are then evaluated at the value found. When they agree within the goal
    seek's tolerance that is the answer (the input does not move the other deployment:
    a cloud rate against owned, say). Otherwise the input moves both, and the crossing
    of the two is searched directly: both deployments are swept over the range in one
    batch each, and a sign change of their difference is narrowed down by sweeping the
    bracket again (:func:`_crossing`). The answer is ``"ok"`` only at a value where both
    agree; ``"not reached"`` when they cross inside a jump (whole replicas or servers),
    with the closest value; ``"no solution in range"`` when they never cross.
    Adds ``target_deployment``, ``first_target`` (the other deployment's metric at the
    current inputs), ``this_metric`` and ``other_metric`` (both at ``value``) and
    ``method`` (``"goal seek"`` or ``"crossing"``).
    """
    from tcoapp.scenario.batch import evaluate

    module = sensitivity_module()
    other = with_values(scenario, {"inference.deployment": deployment})
    first_target = float(evaluate(other).summary[metric][0])
    field = numeric_field_paths()[path]
    result = module.goal_seek(scenario, path, metric, first_target, low, high, progress=progress,
                              cancelled=cancelled)
    result.update(target_deployment=deployment, first_target=first_target, this_metric=None, other_metric=None,
                  method="goal seek")
    if result.get("value") is not None:
        value = int(round(result["value"])) if field.is_int else float(result["value"])
        here = float(evaluate(with_values(scenario, {path: value})).summary[metric][0])
        there = float(evaluate(with_values(other, {path: value})).summary[metric][0])
        result["this_metric"], result["other_metric"] = here, there
        if abs(here - there) <= 2 * result["tolerance"] and abs(there - first_target) <= result["tolerance"]:
            if result["status"] == "not reached":
                result["status"] = "ok"  # the closest whole value meets the other deployment after all
            return result
        if abs(there - first_target) <= result["tolerance"]:
            return result  # the other deployment stands still: the goal seek's own answer is the honest one
    crossing = _crossing(module, scenario, other, path, metric, float(result["low"]), float(result["high"]),
                         field.is_int, cancelled)
    crossing.update(path=path, metric=metric, target=first_target, low=result["low"], high=result["high"],
                    target_deployment=deployment, first_target=first_target, method="crossing",
                    tolerance=result["tolerance"])
    return crossing


def _crossing(module, scenario: Scenario, other: Scenario, path: str, metric: str, low: float, high: float,
              integer: bool, cancelled=None, points: int = 65, brackets: int = 5) -> dict:
    """Where ``metric`` of ``scenario`` and of ``other`` cross as ``path`` goes from low to high.

    Sweeps both (one batch each) on ``points`` values, finds the sign changes of the
    difference, and narrows each of the first ``brackets`` by sweeping it again until it
    is one whole number wide (integer inputs) or a 1e-12 part of the value.
    """
    def difference(xs):
        if cancelled is not None and cancelled():
            raise module.Cancelled()
        a = module.sweep(scenario, path, xs, [metric])
        b = module.sweep(other, path, xs, [metric])
        out = []
        for x, u, v, e1, e2 in zip(a["values"], a["metrics"][metric], b["metrics"][metric], a["errors"],
                                   b["errors"]):
            out.append((x, None if u is None or v is None or e1 or e2 else u - v, u, v))
        return out

    def sign_changes(rows):
        found = []
        for (x0, d0, *_), (x1, d1, *_) in zip(rows, rows[1:]):
            if d0 is None or d1 is None:
                continue
            if d0 == 0:
                found.append((x0, x0))
            elif d0 * d1 < 0:
                found.append((x0, x1))
        if rows and rows[-1][1] == 0:
            found.append((rows[-1][0], rows[-1][0]))
        return list(dict.fromkeys(found))

    def width_ok(x0, x1):
        return (x1 - x0 <= 1) if integer else (x1 - x0 <= 1e-12 * max(abs(x0), abs(x1), 1e-300))

    rows = difference(grid_values(low, high, points, integer))
    found = sign_changes(rows)
    if not found:
        ds = [d for _, d, _, _ in rows if d is not None]
        message = ("the two deployments cannot be computed in this range" if not ds else
                   f"{metric} of this scenario stays {'above' if min(ds) > 0 else 'below'} the other deployment's "
                   f"over the whole range")
        return {"status": "no solution in range", "value": None, "achieved": None, "solutions": [], "ranges": [],
                "this_metric": None, "other_metric": None, "message": message}
    answers = []
    for x0, x1 in found[:brackets]:
        best = None
        for _ in range(60):
            if x0 == x1 or width_ok(x0, x1):
                break
            sub = difference(grid_values(x0, x1, points, integer))
            inner = sign_changes(sub)
            if not inner:
                break
            x0, x1 = inner[0]
        ends = difference([x0] if x0 == x1 else [x0, x1])
        best = min((r for r in ends if r[1] is not None), key=lambda r: abs(r[1]))
        answers.append(best)
    x, d, here, there = answers[0]
    tolerance = max(abs(there) * 1e-6, 1e-9)
    agree = abs(d) <= 2 * tolerance
    as_field = (lambda v: int(round(v))) if integer else float
    result = {"value": as_field(x), "achieved": here, "this_metric": here, "other_metric": there,
              "solutions": [as_field(r[0]) for r in answers], "ranges": [[as_field(r[0])] * 2 for r in answers]}
    if not agree:
        result.update(status="not reached", message=(
            f"the two deployments cross inside a jump of {metric} at {path} = {x:.6g} (whole replicas, servers or "
            f"months)"))
    elif len(found) > 1:
        result.update(status="several solutions", message=f"the two deployments cross {len(found)} times")
    else:
        result.update(status="ok", message=f"{metric} of both deployments = {here:.6g} at {path} = {x:.6g}")
    return result


class BreakEvenDialog(QDialog):
    """At what value of an input does this scenario's metric equal the same scenario deployed another way?"""

    def __init__(self, window: "ViewHost", path: str | None = None, metric: str | None = None,
                 low: float | None = None, high: float | None = None):
        super().__init__(window)
        self.setObjectName("dialog.break_even")
        self.setWindowTitle("Break-even against another deployment")
        self.window_ref = window
        self.field = field_combo("break_even.field")
        self.metric_box = metric_combo("break_even.metric")
        self.deployment = QComboBox()
        self.deployment.setObjectName("break_even.deployment")
        self.low = number_box("break_even.low")
        self.high = number_box("break_even.high")
        self.run_button = QPushButton("Find break-even")
        self.run_button.setObjectName("break_even.run")
        self.run_button.clicked.connect(self.run)
        self.answer = QLabel("")
        self.answer.setObjectName("break_even.answer")
        self.answer.setWordWrap(True)
        self.answer.setMinimumHeight(64)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("Apply value", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("break_even.apply")
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("Set the input to the break-even value (one step you can undo)")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("At what value of", self.field)
        form.addRow("does this scenario's", self.metric_box)
        form.addRow("equal it deployed as", self.deployment)
        range_row = QHBoxLayout()
        range_row.addWidget(self.low)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.high)
        form.addRow("searching from", range_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.run_button)
        layout.addWidget(self.answer)
        layout.addWidget(self.buttons)
        self.resize(600, 300)
        self.outcome: dict | None = None
        self._path: str | None = None
        self._task = None
        self._closed = False
        document = window.active
        current = document.scenario.inference.deployment if document is not None else None
        for kind, label in DEPLOYMENT_LABELS.items():
            if kind != current:
                self.deployment.addItem(label, kind)
        self.here = DEPLOYMENT_WORDS.get(current, str(current))
        self.answer.setText(f"This scenario is deployed as {self.here}. Choose the input, the metric, the "
                            "other deployment and a range to search.")
        self.field.currentIndexChanged.connect(lambda _: self._suggest())
        select_field(self.field, path or "inference.requests_per_day")
        if metric is not None:
            self.metric_box.setCurrentIndex(max(self.metric_box.findData(metric), 0))
        self._suggest()
        if low is not None and high is not None:
            self.low.setValue(low)
            self.high.setValue(high)

    def _suggest(self) -> None:
        document = self.window_ref.active
        if document is None:
            return
        path = self.field.currentData()
        low, high = suggested_range(path, get_path(document.scenario, path))
        self.low.setValue(low)
        self.high.setValue(high)

    def run(self) -> None:
        module = sensitivity_module()
        document = self.window_ref.active
        if module is None or document is None:
            self.answer.setText("The sensitivity solver is not available in this build.")
            return
        scenario = document.scenario
        path, metric, deployment = self.field.currentData(), self.metric_box.currentData(), self.deployment.currentData()
        low, high = self.low.value(), self.high.value()
        problem = rule_problem(scenario, path, low, "Low") or rule_problem(scenario, path, high, "High")
        if problem is None and not high > low:
            problem = f"High {format_number(high)}: must be above low ({format_number(low)})"
        if problem is None and deployment == "api" and scenario.inference.api_price_input == 0 \
                and scenario.inference.api_price_output == 0:
            problem = ("inference.api_price_input and api_price_output are both 0: set the API's prices to "
                       "compare with the API")
        if problem:
            self.answer.setText(f"Not searched: {problem}.")
            return

        def job(progress=None, cancelled=None):
            return break_even(scenario, path, metric, deployment, low, high, progress=progress, cancelled=cancelled)

        self.answer.setText("Searching…")
        self.apply_button.setEnabled(False)
        self.outcome = None
        self._task = self.window_ref.worker.submit(
            "Break-even", job, on_result=lambda r: self._closed or self.show_result(r, scenario, path),
            on_error=lambda e: self._closed or self.answer.setText(f"Cannot search: {e}"))

    def done(self, code: int) -> None:  # noqa: D102 - Qt's name
        self._closed = True
        worker = self.window_ref.worker
        if self._task is not None and worker.current is self._task:
            worker.cancel()
        super().done(code)

    def show_result(self, result: dict, scenario: Scenario, path: str) -> None:
        self.outcome = result
        self._path = path
        field = numeric_field_paths()[path]
        metric = result["metric"]
        other = DEPLOYMENT_WORDS[result["target_deployment"]]

        def money(value):
            return format_value(metric, value, scenario.currency, scenario.start_month)

        status = result.get("status")
        label = metric_label(metric).lower()
        if status in ("ok", "several solutions") and result.get("value") is not None:
            value = format_number(result["value"], field.is_int)
            text = (f"<b>ok: {field.title} = {value}</b>. At that value, {label} is "
                    f"{money(result['this_metric'])} as {self.here} and {money(result['other_metric'])} "
                    f"as {other}.")
            if status == "several solutions":
                text += (" Several values break even (" + ", ".join(format_number(v, field.is_int)
                                                                    for v in result["solutions"])
                         + "); narrow the range. Apply uses the first.")
            self.apply_button.setEnabled(True)
        elif status == "not reached":
            closest = "" if result.get("value") is None else (
                f" Closest: {field.title} = {format_number(result['value'], field.is_int)}, where it is "
                f"{money(result['this_metric'])} as {self.here} against {money(result['other_metric'])} "
                f"as {other}.")
            reason = result.get("message")
            if result.get("method") == "crossing":
                reason = (f"the two deployments cross inside a jump of {label} (whole replicas, servers or "
                          "months), so no value makes them equal exactly")
            text = f"<b>Not reached</b>: {reason}.{closest}"
        else:
            text = (f"<b>No solution in range</b> {format_number(result['low'], field.is_int)} to "
                    f"{format_number(result['high'], field.is_int)}: as {other}, {label} is "
                    f"{money(result.get('first_target'))}; as {self.here} it does not reach that anywhere "
                    f"in this range. Widen the range or choose another input.<br><small>Solver: "
                    f"{result.get('message') or status}.</small>")
        self.answer.setText(text)

    def apply(self, document) -> bool:
        """Set the break-even value on the document (one undoable edit); only after an "ok"."""
        if not self.outcome or self.outcome.get("status") not in ("ok", "several solutions") \
                or self.outcome.get("value") is None:
            return False
        field = numeric_field_paths()[self._path]
        value = int(round(self.outcome["value"])) if field.is_int else float(self.outcome["value"])
        try:
            return document.set_values({self._path: value}, label=f"Break-even {field.title}")
        except ScenarioError as error:
            self.answer.setText(f"Not applied: {error.rule}")
            return False
