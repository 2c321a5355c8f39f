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

Beside each number, grey text gives its unit and valid range (from the schema's
bounds). A field whose value differs from the schema default has a bold title
and a dot; its context menu resets it. The shares and yearly rates of
:data:`PERCENT_FIELDS` are shown and typed as percentages (the file keeps the
fraction). Changing the currency asks whether to convert the amounts of
:data:`MONEY_FIELDS` (one undo step).
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel,
    QLineEdit, QMenu, QPlainTextEdit, QPushButton, QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from tcoapp.engine import CHOICES
from tcoapp.scenario.catalog import chips_for
from tcoapp.scenario.errors import NO_VALUE, ScenarioError
from tcoapp.scenario.schema import NumericField, Scenario, get_path, numeric_field_paths, with_values

from tcoapp.gui.dialogs.questions import Question, ask
from tcoapp.gui.documents.document import ScenarioDocument, field_title
from tcoapp.gui.widgets.formatting import bound_text, compact_money, percent_unit, short_unit
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

#: The shares and yearly rates, shown and typed as percentages ("60 %" is 0.6 in the file): every field
#: whose schema unit is a "share ..." or "per year ..." of the form "0.7 = 70 %". Ratios (PUE, peak to
#: average) stay plain numbers. tests/gui/test_editor_marks.py checks this list against the schema.
PERCENT_FIELDS: frozenset[str] = frozenset({
    "finance.discount_rate",
    "facility.electricity_price_change", "facility.power_load_factor", "facility.server_power_overhead",
    "facility.server_overhead", "facility.maintenance_rate", "facility.hardware_price_change",
    "training.experiment_overhead", "training.mfu", "training.cloud_price_change",
    "training.refresh_compute_fraction",
    "inference.annual_growth", "inference.cached_input_fraction", "inference.target_utilization",
    "inference.cloud_price_change", "inference.api_price_change",
    "inference.efficiency.bandwidth", "inference.efficiency.prefill_mfu", "inference.efficiency.decode_mfu",
    "inference.efficiency.memory_fraction", "inference.efficiency.weight_memory_fraction",
    "inference.efficiency.serving",
    "business.revenue_change",
})

#: The amounts of money typed in the scenario's currency (schema unit "currency ..."): what a change of
#: currency converts. Not ``finance.usd_to_currency`` (the rate itself) and not the custom chips' prices
#: (those are in US dollars).
MONEY_FIELDS: tuple[str, ...] = (
    "facility.electricity_price", "facility.colocation_per_kw_month",
    "training.cloud_rate", "training.chip_price", "training.fixed_cost", "training.refresh_fixed_cost",
    "inference.cloud_rate", "inference.chip_price", "inference.api_price_input",
    "inference.api_price_cached_input", "inference.api_price_output", "inference.ops_cost_per_month",
    "business.revenue_per_request",
)

#: Plain-language help for the jargon fields, shown first in their tooltips.
_MONTH_INDEX_HELP = ("A month index counts months from the scenario's start month: 0 is the start month itself, "
                     "12 the same month a year later.")
HELP = {
    "training.mfu": "In plain words: how much of the chips' top speed training really uses. Large runs "
                    "typically reach 30 to 50 %.",
    "inference.efficiency.prefill_mfu": "MFU (model FLOP utilisation) while reading prompts: how much of the "
                                        "chip's top arithmetic speed serving really uses.",
    "inference.efficiency.decode_mfu": "MFU (model FLOP utilisation) while generating tokens: how much of the "
                                       "chip's top arithmetic speed serving really uses.",
    "inference.efficiency.bandwidth": "Generating tokens is usually limited by memory speed, not arithmetic: "
                                      "this is how much of the chip's memory bandwidth serving really uses.",
    "facility.pue": "In plain words: 1.3 means cooling and power losses add 30 % to the servers' own power; "
                    "1.0 would be a perfect data centre.",
    "model.kv_heads": "KV heads (key-value heads): the attention heads whose keys and values are kept in memory "
                      "for every token of a conversation; fewer heads mean a smaller memory cache per user.",
    "model.head_dim": "The number of values in each attention head; with the KV heads and layers it sets the "
                      "memory kept per token.",
    "inference.target_utilization": "How busy a model copy may be on average; lower leaves headroom so "
                                    "answers do not queue.",
    "inference.peak_to_average": "The busiest hour's demand divided by the average hour's.",
    "training.start_month": _MONTH_INDEX_HELP,
    "inference.launch_month": _MONTH_INDEX_HELP,
    "inference.end_month": _MONTH_INDEX_HELP,
}

#: Words people look for a field by that its title, unit and description do not use (finance and
#: engineering synonyms): the editor's filter finds "wacc" at the discount rate, "depreciation" at the
#: hardware life. Spelling variants (utilization / utilisation) are handled by :func:`filter_words`.
KEYWORDS = {
    "horizon_years": "term period lifetime planning",
    "finance.discount_rate": "wacc cost of capital hurdle rate discounting npv interest",
    "finance.usd_to_currency": "fx forex exchange conversion",
    "facility.electricity_price": "power energy tariff utility bill kwh",
    "facility.electricity_price_change": "power energy tariff inflation escalation",
    "facility.pue": "power usage effectiveness cooling overhead",
    "facility.life_years": "depreciation amortisation useful life write-off lifetime refresh cycle",
    "facility.maintenance_rate": "opex upkeep support contract service",
    "facility.hardware_price_change": "deflation price decline cheaper",
    "facility.colocation_per_kw_month": "rack space data centre rent hosting",
    "facility.server_overhead": "capex server network storage cpu",
    "training.chip_price": "capex purchase hardware cost gpu price",
    "inference.chip_price": "capex purchase hardware cost gpu price",
    "training.cloud_rate": "rental rent gpu hour hourly opex",
    "inference.cloud_rate": "rental rent gpu hour hourly opex",
    "training.fixed_cost": "one-off data labelling staff salaries",
    "inference.ops_cost_per_month": "opex staff support operating salaries",
    "inference.annual_growth": "growth rate cagr adoption",
    "inference.requests_per_day": "traffic volume demand queries calls",
    "inference.target_utilization": "occupancy load headroom busy",
    "inference.peak_to_average": "peak hour burst seasonality",
    "inference.api_price_input": "token price per token",
    "inference.api_price_output": "token price per token",
    "inference.api_price_cached_input": "token price per token cache",
    "business.revenue_per_request": "price income arpu sales monetisation",
    "business.revenue_change": "price income growth",
}

#: American spellings read as the British ones of the labels ("utilization" finds "Target utilisation").
_SPELLINGS = (("utiliz", "utilis"), ("amortiz", "amortis"), ("monetiz", "monetis"), ("center", "centre"),
              ("labeling", "labelling"))


def filter_words(text: str) -> str:
    """Text lower-cased with American spellings made British, for the editor's filter.

    >>> filter_words("Target Utilization"), filter_words("data center amortization")
    ('target utilisation', 'data centre amortisation')
    """
    text = text.lower()
    for american, british in _SPELLINGS:
        text = text.replace(american, british)
    return text


#: Currency codes offered by the currency picker (any other 3-letter code can be typed).
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "KRW", "SEK", "NOK", "DKK",
              "SGD", "BRL")

#: Fields without a meaningful default mark (free text).
_UNMARKED = frozenset({"name", "notes", "model.name"})

#: Fields that only make sense together: resetting one resets the other (both or neither).
_RESET_TOGETHER = {"model.experts": ("model.experts_per_token",),
                   "model.experts_per_token": ("model.experts",)}

@functools.cache
def _SMALL_TEXT_STYLE() -> str:  # noqa: N802 - a constant, computed once the application's font is known
    """The grey unit-and-range text, a little smaller than the labels (a style sheet: see update_mark)."""
    from PySide6.QtWidgets import QApplication

    size = QApplication.font().pointSizeF()
    return f"font-size: {max(6.0, 0.9 * size):.1f}pt;" if size > 0 else ""


_NO_DEFAULT = object()
MARK_COLOR = "#1565c0"


@functools.cache
def schema_default(path: str) -> Any:
    """The schema's default of a field (nested sections included), or ``_NO_DEFAULT`` for a required one.

    >>> schema_default("training.mfu"), schema_default("inference.efficiency.serving"), schema_default("currency")
    (0.4, None, 'USD')
    >>> schema_default("model.params_billion") is _NO_DEFAULT
    True
    """
    model: Any = Scenario
    *sections, name = path.split(".")
    for section in sections:
        model = model.model_fields[section].annotation
    field = model.model_fields[name]
    if field.is_required():
        return _NO_DEFAULT
    return field.get_default(call_default_factory=True)


def _bound_value(value: float, percent: bool) -> str:
    return f"{bound_text(100 * value)} %" if percent else bound_text(value)


def _bound_words(value: float, percent: bool) -> str:
    """A bound for a sentence: "1 million", not "1 M"."""
    text = _bound_value(value, percent)
    for short, word in ((" M", " million"), (" B", " billion"), (" T", " trillion")):
        if text.endswith(short):
            return text[: -len(short)] + word
    return text


def range_text(field: NumericField, percent: bool) -> str:
    """The valid range in a few characters, both bounds, in the shown unit (percent: x 100, no sign).

    >>> fields = numeric_field_paths()
    >>> range_text(fields["facility.pue"], False), range_text(fields["training.mfu"], True)
    ('1 – 10', '0.1 – 100')
    >>> range_text(fields["model.params_billion"], False)
    '> 0, ≤ 100,000'
    >>> range_text(fields["inference.annual_growth"], True), range_text(fields["training.chip_price"], False)
    ('> -100, ≤ 1,000', '0 – 1 B')
    >>> range_text(fields["training.compute_flops"], False)
    'up to 1e32'
    """
    b = field.bounds
    scale = 100 if percent else 1
    low = b.get("ge", b.get("gt"))
    high = b.get("le", b.get("lt"))
    low_text = None if low is None else bound_text(scale * low)
    high_text = None if high is None else bound_text(scale * high)
    if low_text is None and high_text is None:
        return ""
    if low_text is None:
        return f"{'≤' if 'le' in b else '<'} {high_text}"
    if high_text is None:
        return f"{'≥' if 'ge' in b else '>'} {low_text}"
    if "ge" in b and "le" in b:
        if low == 0 and "e" in high_text:
            # a FLOP count's limit is a power of ten (1e32), as its box shows and takes values ("3e25"):
            # "up to 1e32" reads as a ceiling, where "0 – 1e32" read as a range in code notation
            return f"up to {high_text}"
        return f"{low_text} – {high_text}"
    return f"{'≥' if 'ge' in b else '>'} {low_text}, {'≤' if 'le' in b else '<'} {high_text}"


def unit_range_text(field: NumericField, percent: bool, currency: str) -> str:
    """The grey text beside a number: its valid range and unit, e.g. "0 – 1 M USD per chip-hour".

    >>> fields = numeric_field_paths()
    >>> unit_range_text(fields["training.mfu"], True, "USD"), unit_range_text(fields["facility.pue"], False, "USD")
    ('0.1 – 100 %', 'ratio 1 – 10')
    >>> unit_range_text(fields["facility.electricity_price"], False, "EUR")
    '0 – 100 EUR per kWh'
    """
    unit = _unit_text(field, percent, currency)
    limits = range_text(field, percent)
    if unit == "ratio":
        return f"ratio {limits}"
    return f"{limits} {unit}".strip()


def range_rule(field: NumericField, percent: bool) -> str:
    """The valid range in words, naming both bounds: "must be between 0 % and 100 % (0 % excluded)".

    >>> fields = numeric_field_paths()
    >>> range_rule(fields["training.mfu"], True), range_rule(fields["inference.annual_growth"], True)
    ('must be between 0.1 % and 100 %', 'must be between -100 % and 1,000 % (-100 % itself excluded)')
    >>> range_rule(fields["model.params_billion"], False), range_rule(fields["facility.pue"], False)
    ('must be between 0 and 100,000 (0 itself excluded)', 'must be between 1 and 10')
    """
    b = field.bounds
    low = b.get("ge", b.get("gt"))
    high = b.get("le", b.get("lt"))
    if low is None or high is None:
        return field.rule
    low_text, high_text = _bound_words(low, percent), _bound_words(high, percent)
    excluded = [text for key, text in (("gt", low_text), ("lt", high_text)) if key in b]
    rule = f"must be between {low_text} and {high_text}"
    if excluded:
        rule += f" ({' and '.join(excluded)} itself excluded)"
    if "e" in high_text:
        mantissa, _, exponent = high_text.partition("e")
        rule += (f"; {high_text} is {'' if mantissa == '1' else mantissa + ' × '}10 to the power {exponent} "
                 "(type e.g. 3e25 for 3 × 10²⁵)")
    return rule


def _unit_text(field: NumericField, percent: bool, currency: str) -> str:
    return percent_unit(field.unit) if percent else short_unit(field.unit, currency)


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

_TEXT_FIELDS = {"name": False, "notes": True, "start_month": False, "model.name": False}
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


def _rate_text(rate: float) -> str:
    """An exchange rate with five significant digits, never in scientific notation."""
    return format_number(float(f"{rate:.5g}"), scientific=False)


def _converted_uncertainty(scenario: Scenario, factor: float) -> dict | None:
    """The uncertainty section with the distributions of money fields scaled by ``factor`` (None: none)."""
    money = set(MONEY_FIELDS)
    if not any(path in money for path in scenario.uncertainty):
        return None
    scale_keys = ("low", "mode", "high", "mean", "sd", "median")
    out = {}
    for path, dist in scenario.uncertainty.items():
        data = dist.model_dump()
        if path in money:
            data = {k: (float(f"{v * factor:.12g}") if k in scale_keys else v) for k, v in data.items()}
        out[path] = data
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
        self.unit.setStyleSheet(_SMALL_TEXT_STYLE())
        self.message = QLabel("")
        self.message.setObjectName(f"{path}.message")
        self.message.setWordWrap(True)
        self.message.hide()
        #: The changed-from-default mark: a small dot after the (then bold) title.
        self.dot = QLabel("")
        self.dot.setObjectName(f"{path}.changed")
        self.dot.setStyleSheet(f"color: {MARK_COLOR};")
        self.dot.setFixedWidth(8)
        self.title_cell = QWidget()
        title_layout = QHBoxLayout(self.title_cell)
        title_layout.setContentsMargins(0, 0, 0, 0)
        title_layout.setSpacing(3)
        title_layout.addWidget(self.dot)
        title_layout.addWidget(self.title, 1)
        self.title.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.title.customContextMenuRequested.connect(
            lambda pos: self.editor.show_field_menu(self.path, self.title.mapToGlobal(pos)))
        self.widget: QWidget
        self.message_kind: str | None = None
        #: Whether the value differs from the schema default (None: the field has no default).
        self.changed: bool | None = None
        self._default_note = ""

    def cell(self) -> QWidget:
        """The widget placed in the input column (the input itself, or a box around it)."""
        return self.widget

    def connect_menu(self) -> None:
        """Route the input's context menu through the editor (standard edit actions plus "Reset to default")."""
        self.widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.widget.customContextMenuRequested.connect(
            lambda pos: self.editor.show_field_menu(self.path, self.widget.mapToGlobal(pos)))

    def default_text(self, value: Any) -> str:
        """A value as this row shows it, for "changed from default ..."."""
        if value is None:
            return "empty (auto)"
        return str(value)

    def update_mark(self, scenario: Scenario) -> None:
        """Mark the title when the value differs from the schema default; the tooltip says from what."""
        default = schema_default(self.path) if self.path not in _UNMARKED else _NO_DEFAULT
        if default is _NO_DEFAULT:
            return
        changed = get_path(scenario, self.path) != default
        if changed == self.changed:
            return
        self.changed = changed
        # a style sheet, not setFont: the application's style sheet resets fonts set before polishing
        self.title.setStyleSheet("font-weight: bold;" if changed else "")
        self.title.setProperty("changed", changed)
        self.dot.setText("●" if changed else "")
        self._default_note = f"Changed from default {self.default_text(default)}" if changed else ""
        self.dot.setToolTip(self._default_note)
        self.refresh_tooltips()

    def refresh_tooltips(self) -> None:
        """Rebuild the title's and the input's tooltips (the input's adds the inline message, if any)."""
        text = self.message.text()
        self.widget.setToolTip(self._tooltip() + (f"<p><b>{text}</b></p>" if text else ""))
        self.title.setToolTip(self._tooltip())

    def _mark_note(self) -> str:
        return f"<p><i>{self._default_note}</i></p>" if self._default_note else ""

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
        return f"<b>{field_title(self.path)}</b><br>{self.path}" + self._mark_note()

    def commit(self, value: Any, mergeable: bool = False) -> None:
        self.editor.commit(self, value, mergeable)


#: Fields whose empty value comes from the chosen chip's catalog row, by role.
CATALOG_SOURCED = {
    "training.chip_price": ("training", "price_usd"), "training.cloud_rate": ("training", "cloud_usd_per_hour"),
    "inference.chip_price": ("inference", "price_usd"), "inference.cloud_rate": ("inference", "cloud_usd_per_hour"),
    "inference.efficiency.serving": ("inference", "serving_efficiency"),
}
_API_PRICES = (("inference.api_price_input", "usd_per_m_input"),
               ("inference.api_price_cached_input", "usd_per_m_cached_input"),
               ("inference.api_price_output", "usd_per_m_output"))


_last_sources: list = [None, {}]  # (scenario, its sources): every row of one refresh asks for the same scenario


def _rejected_value_text(row: "FieldRow", value: Any) -> str:
    """A refused value as its field shows it: ``-5``, ``150 %``, ``"Support bot"`` ('' when unknown)."""
    if value is None or value is NO_VALUE:
        return ""
    if isinstance(row, NumberRow) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return row.box.display_text(float(value))
    if isinstance(value, str):
        return f'"{value}"'
    return ""


def value_sources(scenario: Scenario) -> dict[str, str]:
    """Where values the user did not type come from, by field path: the chip catalog row (with its date)
    for an empty chip price, cloud rate or serving efficiency, and the price-book offer whose prices the
    API fields hold (typed from Prices...), e.g. ``{"inference.chip_price": "catalog, 2026-05-22: NVIDIA H100 SXM"}``.
    """
    if _last_sources[0] is scenario:
        return _last_sources[1]
    out: dict[str, str] = {}
    _last_sources[:] = [scenario, out]
    try:
        chips = chips_for(scenario)
    except ScenarioError:
        chips = {}
    for path, (role, spec) in CATALOG_SOURCED.items():
        if get_path(scenario, path) is not None:
            continue
        chip = chips.get(getattr(scenario, role).chip)
        if chip is None:
            continue
        if getattr(chip, spec) is None:
            if spec == "serving_efficiency":
                out[path] = f"no measured result for {chip.name or chip.id}: 70 % assumed"
            continue
        out[path] = f"catalog, {chip.as_of or 'undated'}: {chip.name or chip.id}"
    typed = [get_path(scenario, path) for path, _ in _API_PRICES]
    if scenario.inference.deployment == "api" and typed[0] and typed[2]:
        from tcoapp.gui.dialogs.prices import current_book  # the book in use: an imported company book too

        try:
            book = current_book()
        except (ScenarioError, OSError) as error:  # a broken book names itself; the editor still shows
            for path, _ in _API_PRICES:
                out[path] = f"price book not read: {error}"
            return out
        rate = scenario.finance.usd_to_currency
        for row in book.rows:
            if row.kind != "api":
                continue
            if all(value is None or price is None and value == 0 or price is not None and
                   math.isclose(value, price * rate, rel_tol=1e-9)
                   for value, price in zip(typed, (getattr(row, key) for _, key in _API_PRICES))):
                model = row.model if row.provider and row.model and row.provider in row.model \
                    else f"{row.provider} {row.model}"
                for path, _ in _API_PRICES:
                    out[path] = f"price book, {row.as_of}: {model}"
                break
    return out


class NumberRow(FieldRow):
    """A numeric field: a NumberBox, plus an "auto" box when empty means "derive it"."""

    def __init__(self, path: str, field: NumericField, editor: "ScenarioEditor"):
        super().__init__(path, editor)
        self.field = field
        self.percent = path in PERCENT_FIELDS
        self.money = path in MONEY_FIELDS
        self.box = NumberBox(field.is_int, field.bounds, fixed_step=0.01 if self.percent else None,
                             percent=self.percent, money=self.money)
        _set_names(self.box, path)
        self.box.setMinimumWidth(100 if field.nullable else 118)
        self.box.setMaximumWidth(130)
        self.box.valueChanged.connect(self._on_value_changed)
        self.box.text_rejected.connect(self._on_text_rejected)
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
        self._unit_currency: str | None = None

    def cell(self) -> QWidget:
        return self._cell

    def _tooltip(self) -> str:
        f = self.field
        parts = [f"<b>{f.title}</b>"]
        if self.path in HELP:
            parts.append(HELP[self.path])
        parts.append(f.description)
        if self.path in FORMULAS:
            parts.append(f"<i>Formula:</i> {FORMULAS[self.path]}")
        currency = self.editor.document.scenario.currency if hasattr(self.editor, "document") else "USD"
        parts.append(f"<i>Unit:</i> {_unit_text(f, self.percent, currency)}")
        if f.bounds:
            words = range_rule(f, self.percent)
            parts.append(f"<i>Valid range:</i> {words}")
            if self.percent:
                parts.append(f"<i>Rule (as stored, a fraction):</i> {f.rule}; type 60 for 60 %")
            elif f.rule != words:
                parts.append(f"<i>Rule:</i> {f.rule}")
        if f.nullable:
            parts.append(f"<i>Auto:</i> {AUTO_MEANINGS.get(self.path, 'derived')}")
        parts.append(f"<i>Field:</i> {self.path}")
        return "<p>" + "<br>".join(parts) + "</p>" + self._mark_note()

    def default_text(self, value: Any) -> str:
        if value is None:
            return f"empty ({AUTO_MEANINGS.get(self.path, 'auto')})"
        return self.box.display_text(float(value))

    def _on_text_rejected(self, text: str) -> None:
        hint = ""
        if re.fullmatch(r"[+-]?\d*,\d+%?", text.replace(" ", "")):
            point = text.replace(" ", "").replace(",", ".").rstrip("%")
            hint = f" (the decimal mark is a point, e.g. {point}; commas only group thousands, e.g. 1,500)"
        if not text:
            self.set_message("Not applied: empty (type a number)", "error")
            return
        self.set_message(f'Not applied: "{text}" is not a number{hint}', "error")

    def rule_message(self, rule: str) -> str:
        """A rejected value's rule as the user reads the field: in percent for a percentage box."""
        if self.percent and rule == self.field.rule:
            return range_rule(self.field, True)
        return rule

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
            self._update_source(scenario)
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
            self.box.set_placeholder(self.derived_text(float(derived)))

    def derived_text(self, value: float) -> str:
        """A derived value as a read-out: whole units from 100 up, else four significant digits.

        The exact value stays the box's value (and is what unticking "auto" starts from).
        """
        if self.percent or self.field.is_int:
            return self.box.display_text(value)
        if abs(value) >= 1e12 and not self.money:
            return format_number(value)  # FLOP: "3e22"
        rounded = float(round(value)) if abs(value) >= 100 else float(f"{value:.4g}")
        return format_number(rounded, scientific=False)

    def _update_unit(self, scenario: Scenario, value: Any) -> None:
        if scenario.currency != self._unit_currency:
            self._unit_currency = scenario.currency
            self.unit.setText(unit_range_text(self.field, self.percent, scenario.currency))
            self.unit.setToolTip(f"{self.field.unit}; valid range: {range_rule(self.field, self.percent)}")
            self.refresh_tooltips()

    def _update_source(self, scenario: Scenario) -> None:
        """The source beside a value that comes from the catalog or the price book (the grey text's second line)."""
        if self.path not in CATALOG_SOURCED and not self.path.startswith("inference.api_price"):
            return
        source = value_sources(scenario).get(self.path, "")
        short = source.split(": ")[0]  # "catalog, 2026-05-22"; the chip or offer is in the tooltip
        text = unit_range_text(self.field, self.percent, scenario.currency) + (f"\n{short}" if source else "")
        if text != self.unit.text():
            self.unit.setText(text)
            tip = f"{self.field.unit}; valid range: {range_rule(self.field, self.percent)}"
            self.unit.setToolTip(tip + (f"<br>Source: {source}" if source else ""))

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

    def default_text(self, value: Any) -> str:
        return CHOICE_LABELS[self.path].get(value, str(value))


class CurrencyRow(FieldRow):
    """The scenario currency: a picker of common codes that also takes any typed 3-letter code.

    A change goes to :meth:`ScenarioEditor.change_currency`, which asks for the
    exchange rate and whether to convert the typed amounts.
    """

    def __init__(self, path: str, editor: "ScenarioEditor"):
        super().__init__(path, editor)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(CURRENCIES)
        self.combo.lineEdit().setMaxLength(3)
        self.combo.lineEdit().setPlaceholderText("USD")
        _set_names(self.combo, path)
        self.combo.activated.connect(lambda _index: self._commit_text())
        self.combo.lineEdit().editingFinished.connect(self._commit_text)
        self.widget = self.combo
        self.unit.setText("ISO code")
        self._updating = False

    def connect_menu(self) -> None:
        super().connect_menu()
        edit = self.combo.lineEdit()
        edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        edit.customContextMenuRequested.connect(
            lambda pos: self.editor.show_field_menu(self.path, edit.mapToGlobal(pos)))

    def text(self) -> str:
        return self.combo.currentText().strip()

    def refresh(self, scenario: Scenario) -> None:
        self.revert(scenario.currency)
        if self.message_kind == "error":
            self.set_message(None)

    def revert(self, code: str) -> None:
        """Show ``code`` without treating it as an edit."""
        if self.combo.currentText() == code:
            return
        self._updating = True
        try:
            index = self.combo.findText(code)
            if index >= 0:
                self.combo.setCurrentIndex(index)
            self.combo.setEditText(code)
        finally:
            self._updating = False

    def _commit_text(self) -> None:
        if not self._updating and self.text() != self.editor.document.scenario.currency:
            self.editor.change_currency(self.text())

    def flush(self) -> None:
        """Commit a typed code not yet committed (before saving)."""
        if self.message_kind != "error":
            self._commit_text()


class RateDialog(QDialog):
    """Asks for the exchange rate of a new currency: 1 USD = [rate] CODE."""

    def __init__(self, old_code: str, new_code: str, rate: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("editor.rate_dialog")
        self.setWindowTitle(f"Exchange rate for {new_code}")
        field = numeric_field_paths()["finance.usd_to_currency"]
        self.box = NumberBox(False, field.bounds)
        self.box.setObjectName("editor.rate_dialog.rate")
        self.box.setValue(rate)
        self.box.setMinimumWidth(140)
        self.box.setMaximumWidth(180)
        intro = QLabel(f"Catalog prices and cloud rates are in US dollars. How many {new_code} is one US dollar "
                       f"worth? (The scenario's amounts are now in {old_code}.)")
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(f"1 USD = … {new_code}", self.box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def rate(self) -> float:
        self.box.interpretText()
        return float(self.box.value())


class ChipRow(FieldRow):
    """A chip picker: the catalog and the scenario's own chips, with a button to the chip table."""

    def __init__(self, path: str, editor: "ScenarioEditor"):
        super().__init__(path, editor)
        self.combo = QComboBox()
        _set_names(self.combo, path)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(10)
        self.combo.currentIndexChanged.connect(self._on_changed)
        self.button = QPushButton("Chips…")
        self.button.setObjectName(f"{path}.catalog")
        self.button.setToolTip("Show the chip catalog with specs, prices and their dates; edit custom chips")
        self.button.clicked.connect(lambda: editor.open_chip_dialog(path))
        # the chip's name takes the row's whole width (a 440 px editor cut "NVIDIA H100 SXM" beside the
        # button and the date); the button and the catalog date go on a line below it
        cell = QWidget()
        layout = QVBoxLayout(cell)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.combo)
        below = QHBoxLayout()
        below.setSpacing(6)
        below.addWidget(self.button)
        below.addWidget(self.unit)
        below.addStretch(1)
        layout.addLayout(below)
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
            self._chip_tip = chip_tooltip(chip) if chip is not None else chip_id
            self.combo.setToolTip(self._tooltip())
        finally:
            self._updating = False
        if self.message_kind == "error":
            self.set_message(None)

    def _on_changed(self, index: int) -> None:
        if not self._updating and index >= 0:
            self.commit(self.combo.itemData(index))

    def _tooltip(self) -> str:
        chip_tip = getattr(self, "_chip_tip", "")
        return chip_tip + self._mark_note() if chip_tip else super()._tooltip()

    def default_text(self, value: Any) -> str:
        chip = chips_for(self.editor.document.scenario).get(value)
        return chip.name if chip is not None and chip.name else str(value)


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
                row.connect_menu()
                grid.addWidget(row.title_cell, line, 0, Qt.AlignmentFlag.AlignVCenter)
                if isinstance(row, NumberRow):
                    grid.addWidget(row.cell(), line, 1)
                    grid.addWidget(row.unit, line, 2, Qt.AlignmentFlag.AlignVCenter)
                    widgets = [row.title_cell, row.cell(), row.unit]
                else:  # choices, chips and text take the input and unit columns
                    box = QWidget()
                    box_layout = QHBoxLayout(box)
                    box_layout.setContentsMargins(0, 0, 0, 0)
                    box_layout.setSpacing(6)
                    box_layout.addWidget(row.cell(), 1)
                    if row.unit.text() and not isinstance(row, ChipRow):  # a chip row holds its own date
                        box_layout.addWidget(row.unit)
                    grid.addWidget(box, line, 1, 1, 2)
                    widgets = [row.title_cell, box]
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
        self._asking_currency = False
        self.set_document(document)

    def _make_row(self, path: str, numeric: dict[str, NumericField]) -> FieldRow:
        if path in numeric:
            return NumberRow(path, numeric[path], self)
        if path == "currency":
            return CurrencyRow(path, self)
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
            row.update_mark(scenario)

    def changed_fields(self) -> list[str]:
        """The fields whose value differs from the schema default, in form order."""
        return [path for path, row in self.rows.items() if row.changed]

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
            self._show_rejection(row, error)
        else:
            if row.message_kind == "error":
                row.set_message(None)

    def _show_rejection(self, row: FieldRow, error: ScenarioError) -> None:
        rule = error.rule
        if error.path and error.path != row.path:
            rule = f"{rule} ({field_title(error.path)}, {error.path})"
        else:  # the rules read on from the value: "-5 must be between 0 and 1 trillion"
            if isinstance(row, NumberRow):
                rule = row.rule_message(rule)
            shown = _rejected_value_text(row, error.value)
            if shown:
                rule = f"{shown} {rule}"
        row.set_message(f"Not applied: {rule}", "error")

    # -- defaults ----------------------------------------------------------------------------------
    def field_menu(self, path: str) -> QMenu:
        """The context menu of a field: the input's standard edit actions, then "Reset to default"."""
        row = self.rows[path]
        edit = row.widget.lineEdit() if isinstance(row.widget, (NumberBox, QComboBox)) else row.widget
        if isinstance(edit, (QLineEdit, QPlainTextEdit)) and not isinstance(row, ChipRow):
            menu = edit.createStandardContextMenu()
        else:
            menu = QMenu()
        menu.setObjectName(f"{path}.menu")
        default = schema_default(path) if path not in _UNMARKED else _NO_DEFAULT
        if not menu.isEmpty():
            menu.addSeparator()
        if default is _NO_DEFAULT:
            action = menu.addAction("Reset to default (this field has none)")
            action.setEnabled(False)
        else:
            action = menu.addAction(f"Reset to default ({row.default_text(default)})")
            action.setEnabled(bool(row.changed))
            action.triggered.connect(lambda: self.reset_field(path))
        action.setObjectName(f"{path}.reset")
        return menu

    def show_field_menu(self, path: str, where: QPoint) -> None:
        menu = self.field_menu(path)
        menu.exec(where)
        menu.deleteLater()

    def reset_field(self, path: str) -> bool:
        """Put a field back to its schema default as one undo step; False when it already is (or cannot be)."""
        row = self.rows[path]
        values = {p: schema_default(p) for p in (path, *_RESET_TOGETHER.get(path, ()))}
        try:
            return self.document.set_values(values, label=f"Reset {field_title(path)} to default")
        except ScenarioError as error:
            self._show_rejection(row, error)
            return False

    # -- currency ----------------------------------------------------------------------------------
    def typed_amounts(self, scenario: Scenario | None = None) -> dict[str, float]:
        """The money fields with a typed (non-empty, non-zero) amount: what a currency change can convert."""
        scenario = scenario or self.document.scenario
        out = {}
        for path in MONEY_FIELDS:
            value = get_path(scenario, path)
            if value is not None and value != 0:
                out[path] = float(value)
        return out

    def change_currency(self, code: str) -> bool:
        """Switch the scenario to currency ``code``: ask its rate and whether to convert the typed amounts.

        Convert multiplies every typed amount (and the uncertainty ranges of money
        fields) by new rate / old rate; Keep numbers only relabels them; both set
        ``finance.usd_to_currency`` to the new rate, as one undo step. Cancel (at
        either question) leaves the scenario and the picker as they were.
        Returns whether the scenario changed.
        """
        if self._asking_currency:  # Return emits both "activated" and "editingFinished": one question
            return False
        self._asking_currency = True
        try:
            return self._change_currency(code)
        finally:
            self._asking_currency = False

    def _change_currency(self, code: str) -> bool:
        row = self.rows["currency"]
        scenario = self.document.scenario
        old_code, old_rate = scenario.currency, scenario.finance.usd_to_currency
        if code == old_code:
            return False
        try:
            with_values(scenario, {"currency": code})  # the code's own rule first, before any question
        except ScenarioError as error:
            self._show_rejection(row, error)
            return False
        if code == "USD":
            new_rate = 1.0
        else:
            dialog = RateDialog(old_code, code, old_rate if old_code != "USD" else 1.0, self)
            answer = ask(self, Question("dialog", f"Exchange rate for {code}", options={"dialog": dialog}))
            new_rate = dialog.rate() if answer == "accepted" else None
            dialog.deleteLater()
            if new_rate is None:
                row.revert(old_code)
                return False
        values: dict[str, Any] = {"currency": code, "finance.usd_to_currency": new_rate}
        amounts = self.typed_amounts(scenario)
        factor = new_rate / old_rate
        label = f"Change currency to {code}"
        if amounts and factor != 1:
            names = ", ".join(field_title(p) for p in amounts)
            answer = ask(self, Question(
                "choice", "Change currency",
                f"Convert the typed amounts ({len(amounts)}) from {old_code} to {code} at rate "
                f"{_rate_text(factor)} ({code} per {old_code})?",
                detail=(f"Amounts typed in {old_code}: {names}. Convert multiplies each by {_rate_text(factor)} "
                        f"(e.g. {self._example(amounts, factor, old_code, code)}); Keep numbers leaves them as "
                        f"typed and reads them as {code}. Catalog prices follow the new rate either way."),
                options={"choices": [("convert", "Convert"), ("keep", "Keep numbers"), ("cancel", "Cancel")],
                         "default": "convert", "escape": "cancel"}))
            if answer not in ("convert", "keep"):
                row.revert(old_code)
                return False
            if answer == "convert":
                values.update({p: float(f"{v * factor:.12g}") for p, v in amounts.items()})
                uncertainty = _converted_uncertainty(scenario, factor)
                if uncertainty is not None:
                    values["uncertainty"] = uncertainty
                label += f" (convert {len(amounts)} amounts)"
        try:
            changed = self.document.set_values(values, label=label)
        except ScenarioError as error:
            row.revert(old_code)
            self._show_rejection(row, error)
            return False
        if row.message_kind == "error":
            row.set_message(None)
        return changed

    @staticmethod
    def _example(amounts: dict[str, float], factor: float, old_code: str, code: str) -> str:
        path, value = next(iter(amounts.items()))
        return (f"{field_title(path)} {compact_money(value, old_code)} becomes "
                f"{compact_money(value * factor, code)}")

    def flush(self) -> None:
        """Commit pending text edits (called before saving)."""
        for row in self.rows.values():
            if isinstance(row, (TextRow, CurrencyRow)):
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
        """Whether a field matches the filter text: every word in its title, unit, path, description or
        keywords (:data:`KEYWORDS`), in either spelling (:func:`filter_words`)."""
        row = self.rows[path]
        field = getattr(row, "field", None)
        haystack = filter_words(" ".join([path, row.title.text(), field_title(path), row.unit.text(),
                                          getattr(field, "unit", ""), getattr(field, "description", ""),
                                          KEYWORDS.get(path, "")]))
        return all(word in haystack for word in filter_words(words).split())

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
