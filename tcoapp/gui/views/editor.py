"""The scenario editor: one scrollable form, every section visible and collapsible, with a filter.

Why one long file: the form, its filter and the field widgets it builds share one
field-to-widget map; the widgets themselves live in gui/widgets.

The numeric rows are generated from :func:`~tcoapp.scenario.schema.numeric_field_paths`
(title, unit, description, bounds, rule); the categorical fields and the chip
pickers are explicit rows. Every input widget's ``objectName`` and accessible
name is its field path (``inference.requests_per_day``), so tests, automation
and screen readers find it.

An edit goes to :meth:`ScenarioDocument.set_value`; a value that breaks a rule
is not applied and its row shows the rule in red. A value the schema accepts
but the model cannot compute with (a chip without a price, a model that does
not fit) is kept, and the row the engine names shows the reason in amber.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from tcoapp.engine import CHOICES
from tcoapp.scenario.catalog import chips_for
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.schema import NumericField, Scenario, get_path, numeric_field_paths

from tcoapp.gui.documents.document import ScenarioDocument, field_title
from tcoapp.gui.widgets.formatting import is_percent_unit, share_hint, short_unit
from tcoapp.gui.widgets.numberbox import NumberBox, format_number

#: Sections of the editor: (key, title, rows). A row starting with "#" is a sub-heading.
SECTIONS: list[tuple[str, str, list[str]]] = [
    ("workload", "Workload and thinking budget", [
        "inference.requests_per_day", "inference.annual_growth", "inference.max_requests_per_day",
        "inference.launch_month", "inference.end_month", "inference.input_tokens", "inference.output_tokens",
        "inference.reasoning_tokens", "inference.samples", "inference.cached_input_fraction",
        "inference.min_tokens_per_s_per_user",
    ]),
    ("model", "Model", [
        "model.name", "model.params_billion", "model.active_params_billion", "model.layers", "model.kv_heads",
        "model.head_dim", "model.experts", "model.experts_per_token",
    ]),
    ("training", "Training", [
        "training.chip", "training.precision", "training.procurement", "training.start_month",
        "training.tokens_trillion",
        "training.compute_flops", "training.experiment_overhead", "training.mfu", "training.duration_months",
        "training.cloud_rate", "training.cloud_price_change", "training.chip_price", "training.fixed_cost",
        "#Refresh runs",
        "training.refresh_every_months", "training.refresh_compute_fraction", "training.refresh_duration_months",
        "training.refresh_fixed_cost",
    ]),
    ("deployment", "Deployment and chip", [
        "inference.deployment", "inference.chip", "inference.precision", "inference.chips_per_replica",
        "inference.target_utilization", "inference.peak_to_average", "inference.ops_cost_per_month",
        "#Cloud and owned chips",
        "inference.cloud_rate", "inference.cloud_price_change", "inference.chip_price",
        "inference.prefill_tokens_per_s_per_chip", "inference.decode_tokens_per_s_per_chip",
        "#Pay-per-token API",
        "inference.api_price_input", "inference.api_price_cached_input", "inference.api_price_output",
        "inference.api_price_change",
        "#Serving efficiency (throughput estimate)",
        "inference.efficiency.bandwidth", "inference.efficiency.prefill_mfu", "inference.efficiency.decode_mfu",
        "inference.efficiency.max_batch", "inference.efficiency.memory_fraction",
        "inference.efficiency.weight_memory_fraction", "inference.efficiency.serving",
    ]),
    ("facility", "Facility (owned hardware)", [
        "facility.electricity_price", "facility.electricity_price_change", "facility.pue",
        "facility.power_load_factor", "facility.server_power_overhead", "facility.colocation_per_kw_month",
        "facility.server_overhead", "facility.life_years", "facility.maintenance_rate",
        "facility.hardware_price_change", "facility.chips_per_server",
    ]),
    ("finance", "Finance", ["finance.discount_rate", "finance.basis", "finance.usd_to_currency"]),
    ("business", "Business (revenue)", ["business.revenue_per_request", "business.revenue_change"]),
    ("scenario", "Scenario, horizon and currency", [
        "name", "start_month", "horizon_years", "currency", "notes",
    ]),
]

#: Labels of the categorical choices.
CHOICE_LABELS = {
    "finance.basis": {"cash": "Cash (purchases when paid)", "accrual": "Accrual (depreciation)"},
    "training.procurement": {"cloud": "Cloud (rent by the hour)", "owned": "Owned (buy, amortised)"},
    "inference.deployment": {"api": "API (pay per token)", "cloud": "Cloud (rent chips)",
                             "owned": "Owned (buy servers)"},
    "training.precision": {"bf16": "BF16", "fp8": "FP8"},
    "inference.precision": {"bf16": "BF16", "fp8": "FP8", "fp4": "FP4"},
}

#: Formulas shown in tooltips (methodology), for the fields whose effect is not obvious.
FORMULAS = {
    "inference.requests_per_day": "requests(m) = Q(m) × 365/12, Q(m) = min(ceiling, requests/day × (1 + growth)^((m − launch)/12))",
    "inference.annual_growth": "Q(m) = min(ceiling, requests/day × (1 + growth)^((m − launch)/12))",
    "inference.reasoning_tokens": "decode tokens = requests × samples × (reasoning + output)",
    "inference.samples": "tokens = requests × samples × (input + reasoning + output)",
    "training.compute_flops": "C = 6 × active parameters × training tokens, unless given",
    "training.mfu": "chip-hours = C × (1 + experiment overhead) / (peak FLOP/s × MFU × 3600)",
    "inference.target_utilization": "replica capacity = utilisation / busy seconds per request",
    "inference.peak_to_average": "replicas = ceil(requests per second × peak/average / replica capacity)",
    "facility.pue": "energy = chips × server kW × load factor × PUE × 730 h × electricity price",
    "facility.life_years": "monthly depreciation = purchase / (12 × life); chips retire after the life",
    "facility.server_overhead": "K = chip price × hardware trend × (1 + server overhead)",
    "finance.discount_rate": "NPV = Σ cash(m) × (1 + rate)^(−m/12)",
    "inference.api_price_output": "API cost = (input tokens × input price + (reasoning + output) × output price) / 1e6",
    "training.cloud_rate": "training cost = chip-hours × rate × (1 + price change)^(m/12)",
    "inference.cloud_rate": "cloud cost = chips × 730 h × rate × (1 + price change)^(m/12)",
}

#: What a nullable field means when left empty ("auto").
AUTO_MEANINGS = {
    "model.active_params_billion": "all parameters",
    "training.compute_flops": "6 × N × D",
    "training.cloud_rate": "catalog rate",
    "training.chip_price": "catalog price",
    "inference.launch_month": "after training",
    "inference.max_requests_per_day": "no ceiling",
    "inference.chips_per_replica": "fewest that fit",
    "inference.prefill_tokens_per_s_per_chip": "estimate",
    "inference.decode_tokens_per_s_per_chip": "estimate",
    "inference.cloud_rate": "catalog rate",
    "inference.chip_price": "catalog price",
}

#: The throughput fields: empty shows the engine's estimate, a value is one the user measured.
SPEED_NAMES = {"inference.prefill_tokens_per_s_per_chip": "Prefill speed",
               "inference.decode_tokens_per_s_per_chip": "Decode speed"}

_TEXT_FIELDS = {"name": False, "notes": True, "currency": False, "start_month": False, "model.name": False}
_CHIP_FIELDS = ("training.chip", "inference.chip")
ERROR_STYLE = "color: #c62828;"
PROBLEM_STYLE = "color: #b26a00;"


def derived_values(scenario: Scenario, summary: dict[str, float | None] | None) -> dict[str, float | None]:
    """What each empty ("derive it") field currently stands for, as the engine derives it."""
    chips = chips_for(scenario)
    usd = scenario.finance.usd_to_currency
    active = scenario.model.active_params_billion or scenario.model.params_billion
    out: dict[str, float | None] = {
        "model.active_params_billion": scenario.model.params_billion,
        "training.compute_flops": 6 * active * 1e9 * scenario.training.tokens_trillion * 1e12,
        "inference.launch_month": float(scenario.training.duration_months),
        "inference.max_requests_per_day": None,
    }
    for role in ("training", "inference"):
        chip = chips.get(getattr(scenario, role).chip)
        rate = getattr(chip, "cloud_usd_per_hour", None)
        price = getattr(chip, "price_usd", None)
        out[f"{role}.cloud_rate"] = None if rate is None else rate * usd
        out[f"{role}.chip_price"] = None if price is None else price * usd
    summary = summary or {}
    replica = summary.get("replica_chips")
    out["inference.chips_per_replica"] = replica
    for kind in ("prefill", "decode"):
        speed = summary.get(f"replica_{kind}_tokens_per_s")
        out[f"inference.{kind}_tokens_per_s_per_chip"] = speed / replica if speed and replica else None
    return out


def _set_names(widget: QWidget, path: str) -> None:
    widget.setObjectName(path)
    widget.setAccessibleName(path)


class FieldRow:
    """One field of the form: title, input widget, unit and an inline message."""

    def __init__(self, path: str, editor: "ScenarioEditor"):
        self.path = path
        self.editor = editor
        self.title = QLabel(field_title(path))
        self.title.setWordWrap(True)
        self.unit = QLabel("")
        self.unit.setObjectName(f"{path}.unit")
        self.unit.setWordWrap(True)
        self.unit.setProperty("role", "unit")
        self.unit.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.message = QLabel("")
        self.message.setObjectName(f"{path}.message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.widget: QWidget
        self.message_kind: str | None = None

    def cell(self) -> QWidget:
        """The widget placed in the input column (the input itself, or a box around it)."""
        return self.widget

    def refresh(self, scenario: Scenario) -> None:
        raise NotImplementedError

    def set_message(self, text: str | None, kind: str = "error") -> None:
        """Show (or clear, with None) the inline message: "error" (rejected) or "problem" (engine)."""
        if not text:
            self.message.hide()
            self.message.setText("")
            self.message_kind = None
            self.widget.setProperty("invalid", False)
        else:
            self.message.setText(text)
            self.message.setStyleSheet(ERROR_STYLE if kind == "error" else PROBLEM_STYLE)
            self.message.show()
            self.message_kind = kind
            self.widget.setProperty("invalid", True)
        self.widget.setToolTip(self._tooltip() + (f"<p><b>{text}</b></p>" if text else ""))

    def _tooltip(self) -> str:
        return f"<b>{field_title(self.path)}</b><br>{self.path}"

    def commit(self, value: Any, mergeable: bool = False) -> None:
        self.editor.commit(self, value, mergeable)


class NumberRow(FieldRow):
    """A numeric field: a NumberBox, plus an "auto" box when empty means "derive it"."""

    def __init__(self, path: str, field: NumericField, editor: "ScenarioEditor"):
        super().__init__(path, editor)
        self.field = field
        percent = is_percent_unit(field.unit)
        self.box = NumberBox(field.is_int, field.bounds, fixed_step=0.01 if percent else None)
        _set_names(self.box, path)
        self.box.setMinimumWidth(105 if field.nullable else 125)
        self.box.setMaximumWidth(140)
        self.box.valueChanged.connect(self._on_value_changed)
        self.widget = self.box
        self.auto: QCheckBox | None = None
        self._cell = self.box
        if field.nullable:
            self.auto = QCheckBox("auto")
            self.auto.setObjectName(f"{path}.auto")
            self.auto.setAccessibleName(f"{path}.auto")
            self.auto.setToolTip(f"Empty: {AUTO_MEANINGS.get(path, 'derived')}. Untick to enter a value.")
            self.auto.toggled.connect(self._on_auto_toggled)
            cell = QWidget()
            layout = QHBoxLayout(cell)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(4)
            layout.addWidget(self.box, 1)
            layout.addWidget(self.auto)
            self._cell = cell
        self._derived: float | None = None
        self._updating = False

    def cell(self) -> QWidget:
        return self._cell

    def _tooltip(self) -> str:
        f = self.field
        parts = [f"<b>{f.title}</b>", f.description]
        if self.path in FORMULAS:
            parts.append(f"<i>Formula:</i> {FORMULAS[self.path]}")
        if f.rule:
            parts.append(f"<i>Rule:</i> {f.rule}")
        if f.nullable:
            parts.append(f"<i>Auto:</i> {AUTO_MEANINGS.get(self.path, 'derived')}")
        parts.append(f"<i>Field:</i> {self.path}")
        return "<p>" + "<br>".join(parts) + "</p>"

    def refresh(self, scenario: Scenario) -> None:
        value = get_path(scenario, self.path)
        self._updating = True
        try:
            if self.auto is not None:
                self.auto.setChecked(value is None)
                self.box.setEnabled(value is not None)
            if value is None:
                self._show_derived()
            else:
                self.box.set_placeholder(None)
                self.box.setValue(float(value))
            self._update_unit(scenario, value)
            self._update_title(value)
        finally:
            self._updating = False
        if self.message_kind == "error":
            self.set_message(None)

    def _update_title(self, value: Any) -> None:
        """A speed field says truthfully whether its number is the estimate or one the user measured."""
        name = SPEED_NAMES.get(self.path)
        if name is not None:
            self.title.setText(f"{name} ({'estimated' if value is None else 'measured'})")

    def set_derived(self, value: float | None, scenario: Scenario) -> None:
        self._derived = value
        if self.auto is not None and self.auto.isChecked():
            self._updating = True
            try:
                self._show_derived()
            finally:
                self._updating = False

    def _show_derived(self) -> None:
        derived = self._derived
        if derived is None or not math.isfinite(derived):
            self.box.set_placeholder(AUTO_MEANINGS.get(self.path, "auto"))
        else:
            self.box.set_placeholder(None)
            self.box.setValue(float(derived))
            self.box.set_placeholder(f"{format_number(derived, self.field.is_int)}")

    def _update_unit(self, scenario: Scenario, value: Any) -> None:
        unit = self.field.unit
        if is_percent_unit(unit):
            text = share_hint(unit, None if value is None else float(value))
        else:
            text = short_unit(unit, scenario.currency)
        self.unit.setText(text)
        self.unit.setToolTip(unit)

    def _on_value_changed(self, value: float) -> None:
        if self._updating or (self.auto is not None and self.auto.isChecked()):
            return
        self.commit(self._typed(value), mergeable=True)

    def _typed(self, value: float) -> Any:
        if self.field.is_int and float(value).is_integer():
            return int(value)
        return float(value)

    def _on_auto_toggled(self, checked: bool) -> None:
        if self._updating:
            return
        if checked:
            self.commit(None)
        else:
            self.box.setEnabled(True)
            start = self._derived if self._derived is not None and math.isfinite(self._derived) else None
            if start is None:
                start = self._fallback_value()
            self.commit(self._typed(round(start) if self.field.is_int else start))

    def _fallback_value(self) -> float:
        scenario = self.editor.document.scenario
        if self.path == "inference.max_requests_per_day":
            return 10 * scenario.inference.requests_per_day or 1.0
        bounds = self.field.bounds
        return float(max(bounds.get("ge", 0), 1.0 if "gt" in bounds else 0.0, 1.0))


class ChoiceRow(FieldRow):
    """A categorical field: a combo box of its allowed values."""

    def __init__(self, path: str, editor: "ScenarioEditor"):
        super().__init__(path, editor)
        self.combo = QComboBox()
        _set_names(self.combo, path)
        for value in CHOICES[path]:
            self.combo.addItem(CHOICE_LABELS[path].get(value, value), value)
        self.combo.currentIndexChanged.connect(self._on_changed)
        self.widget = self.combo
        self._updating = False

    def refresh(self, scenario: Scenario) -> None:
        self._updating = True
        try:
            self.combo.setCurrentIndex(self.combo.findData(get_path(scenario, self.path)))
        finally:
            self._updating = False
        if self.message_kind == "error":
            self.set_message(None)

    def _on_changed(self, index: int) -> None:
        if not self._updating and index >= 0:
            self.commit(self.combo.itemData(index))


class ChipRow(FieldRow):
    """A chip picker: the catalog and the scenario's own chips, with a button to the chip table."""

    def __init__(self, path: str, editor: "ScenarioEditor"):
        super().__init__(path, editor)
        self.combo = QComboBox()
        _set_names(self.combo, path)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(12)
        self.combo.currentIndexChanged.connect(self._on_changed)
        self.button = QPushButton("Chips…")
        self.button.setObjectName(f"{path}.catalog")
        self.button.setToolTip("Show the chip catalog with specs, prices and their dates; edit custom chips")
        self.button.clicked.connect(lambda: editor.open_chip_dialog(path))
        cell = QWidget()
        layout = QHBoxLayout(cell)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.button)
        self._cell = cell
        self.widget = self.combo
        self._items_key: tuple | None = None
        self._updating = False

    def cell(self) -> QWidget:
        return self._cell

    def refresh(self, scenario: Scenario) -> None:
        chips = chips_for(scenario)
        custom = {chip.id for chip in scenario.chips}
        key = tuple((chip.id, chip.name, chip.id in custom) for chip in chips.values())
        self._updating = True
        try:
            if key != self._items_key:
                self.combo.clear()
                for chip in chips.values():
                    label = chip.name or chip.id
                    if chip.id in custom:
                        label += " (custom)"
                    self.combo.addItem(label, chip.id)
                    self.combo.setItemData(self.combo.count() - 1, chip_tooltip(chip), Qt.ItemDataRole.ToolTipRole)
                self._items_key = key
            chip_id = get_path(scenario, self.path)
            index = self.combo.findData(chip_id)
            if index < 0:  # a chip the catalog does not know: keep it visible, the engine names the problem
                self.combo.addItem(f"{chip_id} (unknown)", chip_id)
                index = self.combo.count() - 1
                self._items_key = None
            self.combo.setCurrentIndex(index)
            chip = chips.get(chip_id)
            self.unit.setText(f"as of {chip.as_of}" if chip is not None and chip.as_of else "")
            self.combo.setToolTip(chip_tooltip(chip) if chip is not None else chip_id)
        finally:
            self._updating = False
        if self.message_kind == "error":
            self.set_message(None)

    def _on_changed(self, index: int) -> None:
        if not self._updating and index >= 0:
            self.commit(self.combo.itemData(index))


def chip_tooltip(chip) -> str:
    """Specs, prices and their date of one chip, for a tooltip."""
    def spec(value, unit):
        return "—" if value is None else f"{value:,g} {unit}"

    return (
        f"<b>{chip.name or chip.id}</b> ({chip.vendor or 'custom'})<br>"
        f"BF16 {spec(chip.bf16_tflops, 'TFLOP/s')}, FP8 {spec(chip.fp8_tflops, 'TFLOP/s')}, "
        f"FP4 {spec(chip.fp4_tflops, 'TFLOP/s')}<br>"
        f"Memory {spec(chip.memory_gb, 'GB')}, bandwidth {spec(chip.bandwidth_tbs, 'TB/s')}, "
        f"power {spec(chip.tdp_w, 'W')}<br>"
        f"Price {spec(chip.price_usd, 'USD')}, cloud {spec(chip.cloud_usd_per_hour, 'USD/h')}<br>"
        f"As of {chip.as_of or '—'}; source: {chip.source or '—'}"
    )


class TextRow(FieldRow):
    """A text field: one line, or several for the notes."""

    def __init__(self, path: str, editor: "ScenarioEditor", multiline: bool):
        super().__init__(path, editor)
        self.multiline = multiline
        self._updating = False
        if multiline:
            self.edit = QPlainTextEdit()
            self.edit.setMaximumHeight(90)
            self.edit.setTabChangesFocus(True)
            self._timer = QTimer(self.edit)
            self._timer.setSingleShot(True)
            self._timer.setInterval(600)
            self._timer.timeout.connect(self._commit_text)
            self.edit.textChanged.connect(self._on_text_changed)
        else:
            self.edit = QLineEdit()
            self.edit.editingFinished.connect(self._commit_text)
            if path == "start_month":
                self.edit.setPlaceholderText("YYYY-MM")
                self.edit.setMaxLength(7)
            if path == "currency":
                self.edit.setPlaceholderText("USD")
                self.edit.setMaxLength(3)
        _set_names(self.edit, path)
        self.widget = self.edit
        hints = {"start_month": "YYYY-MM", "currency": "ISO code"}
        self.unit.setText(hints.get(path, ""))

    def text(self) -> str:
        return self.edit.toPlainText() if self.multiline else self.edit.text()

    def refresh(self, scenario: Scenario) -> None:
        value = get_path(scenario, self.path)
        if self.text() != value:
            self._updating = True
            try:
                if self.multiline:
                    self.edit.setPlainText(value)
                else:
                    self.edit.setText(value)
            finally:
                self._updating = False
        if self.message_kind == "error":
            self.set_message(None)

    def _on_text_changed(self) -> None:
        if not self._updating:
            self._timer.start()

    def _commit_text(self) -> None:
        if not self._updating:
            self.commit(self.text(), mergeable=self.multiline)

    def flush(self) -> None:
        """Commit a pending edit now (before saving): typed text not yet committed."""
        if self.multiline:
            self._timer.stop()
        if self.message_kind != "error" and self.text() != get_path(self.editor.document.scenario, self.path):
            self._commit_text()


class ScenarioEditor(QWidget):
    """Grouped forms for one document; rebinds when another document becomes active.

    Signals
    -------
    chip_dialog_requested(str)
        The user asked for the chip table from the picker of this field path.
    """

    chip_dialog_requested = Signal(str)

    def __init__(self, document: ScenarioDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("editor")
        self.document: ScenarioDocument = document
        self.rows: dict[str, FieldRow] = {}
        self.filter = QLineEdit()
        self.filter.setObjectName("editor.filter")
        self.filter.setAccessibleName("editor.filter")
        self.filter.setPlaceholderText("Find a field by name, unit or path (e.g. growth, kWh, inference.)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.sections: dict[str, tuple[QToolButton, QWidget]] = {}
        self._row_widgets: dict[str, list[QWidget]] = {}
        self._section_rows: dict[str, list[str]] = {}
        self._headings: dict[str, list[tuple[QLabel, list[str]]]] = {}
        form = QWidget()
        form.setObjectName("editor.form")
        column = QVBoxLayout(form)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(2)
        numeric = numeric_field_paths()
        for key, title, paths in SECTIONS:
            header = QToolButton()
            header.setObjectName(f"section.{key}.header")
            header.setText(title)
            header.setCheckable(True)
            header.setChecked(True)
            header.setArrowType(Qt.ArrowType.DownArrow)
            header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            header.setAutoRaise(True)
            page = QWidget()
            page.setObjectName(f"section.{key}")
            header.toggled.connect(lambda on, h=header, pg=page: (pg.setVisible(on), h.setArrowType(
                Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)))
            self.sections[key] = (header, page)
            self._section_rows[key] = []
            self._headings[key] = []
            grid = QGridLayout(page)
            grid.setContentsMargins(12, 2, 6, 8)
            grid.setHorizontalSpacing(8)
            grid.setVerticalSpacing(3)
            grid.setColumnStretch(0, 4)
            grid.setColumnStretch(1, 0)
            grid.setColumnStretch(2, 4)
            line = 0
            current_heading: tuple[QLabel, list[str]] | None = None
            for path in paths:
                if path.startswith("#"):
                    heading = QLabel(path[1:])
                    heading.setProperty("role", "heading")
                    font = heading.font()
                    font.setBold(True)
                    heading.setFont(font)
                    heading.setContentsMargins(0, 8, 0, 2)
                    grid.addWidget(heading, line, 0, 1, 3)
                    current_heading = (heading, [])
                    self._headings[key].append(current_heading)
                    line += 1
                    continue
                row = self._make_row(path, numeric)
                self.rows[path] = row
                self._section_rows[key].append(path)
                if current_heading is not None:
                    current_heading[1].append(path)
                row.title.setBuddy(row.widget)
                row.widget.setToolTip(row._tooltip())
                row.title.setToolTip(row._tooltip())
                grid.addWidget(row.title, line, 0, Qt.AlignmentFlag.AlignVCenter)
                if isinstance(row, NumberRow):
                    grid.addWidget(row.cell(), line, 1)
                    grid.addWidget(row.unit, line, 2, Qt.AlignmentFlag.AlignVCenter)
                    widgets = [row.title, row.cell(), row.unit]
                else:  # choices, chips and text take the input and unit columns
                    box = QWidget()
                    box_layout = QHBoxLayout(box)
                    box_layout.setContentsMargins(0, 0, 0, 0)
                    box_layout.setSpacing(6)
                    box_layout.addWidget(row.cell(), 1)
                    if row.unit.text() or isinstance(row, ChipRow):
                        box_layout.addWidget(row.unit)
                    grid.addWidget(box, line, 1, 1, 2)
                    widgets = [row.title, box]
                self._row_widgets[path] = widgets
                grid.addWidget(row.message, line + 1, 0, 1, 3)
                line += 2
            column.addWidget(header)
            column.addWidget(page)
        column.addStretch(1)
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("editor.scroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(form)
        self.no_match = QLabel("")
        self.no_match.setObjectName("editor.no_match")
        self.no_match.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.no_match)
        layout.addWidget(self.form_scroll, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._derived: dict[str, float | None] = {}
        self._problem_path: str | None = None
        self.set_document(document)

    def _make_row(self, path: str, numeric: dict[str, NumericField]) -> FieldRow:
        if path in numeric:
            return NumberRow(path, numeric[path], self)
        if path in _CHIP_FIELDS:
            return ChipRow(path, self)
        if path in CHOICES:
            return ChoiceRow(path, self)
        if path in _TEXT_FIELDS:
            return TextRow(path, self, _TEXT_FIELDS[path])
        raise KeyError(path)

    # -- binding ---------------------------------------------------------------------------------
    def set_document(self, document: ScenarioDocument) -> None:
        """Show and edit another document."""
        if getattr(self, "_bound", None) is not None:
            try:
                self._bound.changed.disconnect(self._on_document_changed)
            except (RuntimeError, TypeError):
                pass
        self.document = document
        self._bound = document
        document.changed.connect(self._on_document_changed)
        for row in self.rows.values():
            row.set_message(None)
        self.refresh()

    def _on_document_changed(self, paths: list) -> None:
        self.refresh()

    def refresh(self) -> None:
        scenario = self.document.scenario
        derived = derived_values(scenario, None)
        derived.update({k: v for k, v in self._derived.items() if k not in derived or derived[k] is None})
        for path, row in self.rows.items():
            if isinstance(row, NumberRow) and row.field.nullable:
                row._derived = derived.get(path)
            row.refresh(scenario)

    def show_evaluation(self, summary: dict[str, Any] | None, problem: ScenarioError | None) -> None:
        """Show derived values of the empty fields and the engine's problem, if any, at its field."""
        scenario = self.document.scenario
        self._derived = {k: v for k, v in derived_values(scenario, summary).items()}
        for path, value in self._derived.items():
            row = self.rows.get(path)
            if isinstance(row, NumberRow):
                row.set_derived(value, scenario)
        if self._problem_path and self._problem_path in self.rows:
            row = self.rows[self._problem_path]
            if row.message_kind == "problem":
                row.set_message(None)
        self._problem_path = None
        if problem is not None and problem.path in self.rows:
            self.rows[problem.path].set_message(f"Cannot compute: {problem.rule}", "problem")
            self._problem_path = problem.path

    # -- editing ---------------------------------------------------------------------------------
    def commit(self, row: FieldRow, value: Any, mergeable: bool) -> None:
        try:
            self.document.set_value(row.path, value, mergeable=mergeable)
        except ScenarioError as error:
            rule = error.rule
            if error.path and error.path != row.path:
                rule = f"{rule} ({field_title(error.path)}, {error.path})"
            row.set_message(f"Not applied: {rule}", "error")
        else:
            if row.message_kind == "error":
                row.set_message(None)

    def flush(self) -> None:
        """Commit pending text edits (called before saving)."""
        for row in self.rows.values():
            if isinstance(row, TextRow):
                row.flush()

    def open_chip_dialog(self, path: str) -> None:
        self.chip_dialog_requested.emit(path)

    def show_field(self, path: str) -> None:
        """Open the section holding a field and focus it."""
        row = self.rows.get(path)
        if row is None:
            return
        for key, _, paths in SECTIONS:
            if path in paths:
                self.sections[key][0].setChecked(True)
                break
        if self.filter.text() and not self.matches(path, self.filter.text()):
            self.filter.clear()
        self.form_scroll.ensureWidgetVisible(row.cell())
        row.widget.setFocus()

    def matches(self, path: str, words: str) -> bool:
        """Whether a field matches the filter text: every word in its title, unit, path or description."""
        row = self.rows[path]
        field = getattr(row, "field", None)
        haystack = " ".join([path, row.title.text(), field_title(path), row.unit.text(),
                             getattr(field, "unit", ""), getattr(field, "description", "")]).lower()
        return all(word in haystack for word in words.lower().split())

    def apply_filter(self, text: str = "") -> int:
        """Show only the fields the filter matches (all when empty); returns how many are shown."""
        text = text.strip()
        shown = 0
        for key, (header, page) in self.sections.items():
            visible_paths = {p for p in self._section_rows[key] if not text or self.matches(p, text)}
            for path in self._section_rows[key]:
                on = path in visible_paths
                for widget in self._row_widgets[path]:
                    widget.setVisible(on)
                row = self.rows[path]
                row.message.setVisible(on and bool(row.message.text()))
            for heading, paths in self._headings[key]:
                heading.setVisible(any(p in visible_paths for p in paths))
            header.setVisible(bool(visible_paths))
            if text and visible_paths:
                header.setChecked(True)
            shown += len(visible_paths)
        self.no_match.setText(f"No field matches “{text}”." if text and not shown else "")
        self.no_match.setVisible(bool(text) and not shown)
        return shown

    def input_widget(self, path: str) -> QWidget:
        """The input widget of a field path."""
        return self.rows[path].widget
