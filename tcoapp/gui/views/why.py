""""Why this number": a KPI card's formula, the inputs it uses with values and sources, and its tornado.

Clicking a card opens :class:`WhyPanel` (non-modal, one per window, following the
active scenario). The formulas are :data:`tcoapp.gui.results.KPI_FORMULAS`, the
words of docs/methodology.md section 5.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout,
)

from tcoapp.reports.report import format_value
from tcoapp.scenario.schema import get_path, numeric_field_paths

from tcoapp.gui.documents.document import field_title
from tcoapp.gui.views.editor import AUTO_MEANINGS, MONEY_FIELDS, PERCENT_FIELDS, derived_values
from tcoapp.gui.views.results import KPI_CARDS, KPI_FORMULAS, chip_display_name, kpi_text
from tcoapp.gui.widgets.numberbox import format_number

if TYPE_CHECKING:
    from tcoapp.gui.documents.host import ViewHost

#: Empty fields whose value comes from the chip catalog (or the price book), not from another input.
CATALOG_FIELDS = {"training.cloud_rate", "training.chip_price", "inference.cloud_rate", "inference.chip_price"}


def month_index_text(index: float, start_month: str) -> str:
    """A month index with its calendar month: ``month 4 (2026-05)`` for 4 from a January 2026 start.

    >>> month_index_text(4, "2026-01"), month_index_text(0, "2025-11"), month_index_text(14, "2026-11")
    ('month 4 (2026-05)', 'month 0 (2025-11)', 'month 14 (2028-01)')
    """
    from tcoapp.engine import months_label

    index = int(round(float(index)))
    return f"month {index} ({months_label(start_month, index + 1)[-1]})"


def shown_value(path: str, value: float, currency: str, start_month: str | None = None) -> str:
    """An input's value as the editor shows it, with its unit: "60 %", "USD 2.1 per chip-hour", "6 trillions of tokens".

    >>> shown_value("inference.annual_growth", 0.6, "USD"), shown_value("horizon_years", 5, "USD")
    ('60 %', '5 years')
    >>> shown_value("inference.cloud_rate", 2.1, "EUR"), shown_value("facility.pue", 1.3, "USD")
    ('EUR 2.1 per chip-hour', '1.3')
    >>> shown_value("inference.launch_month", 4, "USD", "2026-01")
    'month 4 (2026-05)'
    """
    if path in PERCENT_FIELDS:
        return f"{format_number(100 * float(value))} %"
    field = numeric_field_paths().get(path)
    unit = field.unit.split(" (")[0] if field is not None else ""
    if unit == "month index" and start_month:
        return month_index_text(value, start_month)
    if path in MONEY_FIELDS or unit.startswith("currency"):
        return f"{currency} {format_number(float(value))}" + (f" {unit[len('currency '):]}" if unit != "currency" else "")
    if unit.startswith("ratio") or not unit:
        return format_number(float(value))
    return f"{format_number(float(value))} {unit}"


#: What the inference chip stands for in a cost, by deployment: an API bills tokens (no chip of its own),
#: a cloud rents the chip by the hour, an owned fleet buys it.
_DEPLOYMENT_INPUTS = {"api": ["inference.api_price_input", "inference.api_price_output"],
                      "cloud": ["inference.chip", "inference.cloud_rate"],
                      "owned": ["inference.chip", "inference.chip_price"]}
#: The KPIs whose inputs list the inference chip as the price of inference.
_COST_KPIS = {"total_cost", "npv_total", "inference_share", "cost_per_million_tokens", "cost_per_request"}


def kpi_input_paths(key: str, scenario) -> list[str]:
    """The inputs a KPI uses most directly for this scenario's deployment (the API prices for an API, not its chip)."""
    paths = list(KPI_FORMULAS.get(key, ("", []))[1])
    if key not in _COST_KPIS:
        return paths
    extra = _DEPLOYMENT_INPUTS.get(scenario.inference.deployment, [])
    at = paths.index("inference.chip") if "inference.chip" in paths else len(paths)
    rest = [p for p in paths if p != "inference.chip" and p not in extra]
    return rest[:at] + extra + rest[at:]


def _with_unit(value: float, unit_text: str) -> str:
    """``1 answers`` reads ``1 answer``: a plural first word of the unit loses its s for exactly one."""
    number, _, unit = unit_text.partition(" ")
    first, _, tail = unit.partition(" ")
    if number == "1" and first.endswith("s") and len(first) > 2 and " of " not in f" {tail} ":
        return f"1 {first[:-1]}" + (f" {tail}" if tail else "")
    return unit_text


#: Where a value comes from, in the words of the Source column.
TYPED, DEFAULT = "typed in the scenario", "default (not changed)"


def value_origin(scenario, path: str) -> str:
    """Whether a value set in the scenario was typed or is the schema's default (as the editor marks it)."""
    from tcoapp.gui.views.editor import _NO_DEFAULT, schema_default

    default = schema_default(path)
    return TYPED if default is _NO_DEFAULT or get_path(scenario, path) != default else DEFAULT


def _chip_source(scenario, chip_id: str, origin: str) -> str:
    own = {chip.id for chip in (scenario.chips or [])}
    where = "the scenario's own chip" if chip_id in own else "specs from the chip catalog"
    return f"{'chosen in the scenario' if origin == TYPED else 'default chip'}; {where} (Chips… for specs, " \
           "prices and dates)"


def input_rows(scenario, summary: dict | None, paths: list[str]) -> list[tuple[str, str, str, str]]:
    """(path, title, value, source) of each input a KPI uses; the source says truthfully where the value
    comes from: typed in the scenario, the schema's default, the chip catalog, the price book or derived."""
    from tcoapp.gui.views.editor import value_sources

    derived = derived_values(scenario, summary)
    sources = value_sources(scenario)
    start = scenario.start_month
    rows = []
    for path in paths:
        value: Any = get_path(scenario, path)
        if value is None:
            guess = derived.get(path)
            shown = "—" if guess is None else shown_value(path, guess, scenario.currency, start)
            if path in CATALOG_FIELDS:  # "chip catalog, 2026-03-17: NVIDIA H200 SXM": the row and its date
                source = sources.get(path, "catalog")
                source = f"chip {source}" if source.startswith("catalog") else source
            else:
                source = f"auto: {AUTO_MEANINGS.get(path, 'derived')}"
        else:
            shown = shown_value(path, value, scenario.currency, start) \
                if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
            source = sources.get(path) or value_origin(scenario, path)
        shown = _with_unit(value, shown) if isinstance(value, (int, float)) else shown
        if path in ("inference.chip", "training.chip") and isinstance(value, str):
            shown = chip_display_name(scenario, value)
            source = _chip_source(scenario, value, value_origin(scenario, path))
        rows.append((path, field_title(path), shown, source))
    return rows


def readable_formula(key: str, formula: str) -> str:
    """A KPI formula of docs/methodology.md as plain text for the panel: no Markdown backticks or ``**``,
    ``×`` for ``*``, ``≥`` for ``>=``, 1,000,000 for 1e6, "none" for null, and no repeated ``key =``.

    >>> readable_formula("cost_per_million_tokens", "inference_cost / (sum of tokens / 1e6); null when no tokens")
    'inference_cost / (sum of tokens / 1,000,000); none when no tokens'
    >>> readable_formula("answer_seconds", "`answer_seconds = input * (1 - f) / P`")
    'input × (1 - f) / P'
    >>> readable_formula("irr", "annual: `(1 + i) ** 12 - 1` where i > 0")
    'annual: (1 + i) ^ 12 - 1 where i > 0'
    >>> readable_formula("crossover_month", "the first m where a >= b and c <= d; null if none")
    'the first m where a ≥ b and c ≤ d; not reached if never'
    """
    import re

    text = formula.replace("`", "").replace("**", "^").replace(" * ", " × ").replace(">=", "≥").replace("<=", "≤")
    text = re.sub(r"\b1e6\b", "1,000,000", text)
    text = re.sub(r"\b1e3\b", "1,000", text)
    text = text.replace("null if none", "not reached if never")
    text = re.sub(r"\bnull\b", "none", text)
    if text.startswith(f"{key} = "):
        text = text[len(key) + 3:]
    return text


def why_widgets(name: str, table_name: str, headers: tuple[str, str, str]) -> tuple[QLabel, QLabel, QTableWidget]:
    """The heading, the formula and the read-only three-column table of a "why this number" panel, named
    ``{name}.heading``, ``{name}.formula`` and ``{name}.{table_name}`` (the scenario's and the programme's)."""
    heading = QLabel("")
    heading.setObjectName(f"{name}.heading")
    heading.setWordWrap(True)
    formula = QLabel("")
    formula.setObjectName(f"{name}.formula")
    formula.setWordWrap(True)
    formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    table = QTableWidget(0, len(headers))
    table.setObjectName(f"{name}.{table_name}")
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    return heading, formula, table


def open_why_panel(window: Any, panel_class: type, key: str) -> QDialog:
    """Show ``window``'s "why this number" panel (``window.why_panel``, made of ``panel_class`` the first time)
    on ``key``, on top."""
    panel = getattr(window, "why_panel", None)
    if panel is None:
        panel = window.why_panel = panel_class(window)
    panel.show_key(key)
    panel.show()
    panel.raise_()
    return panel


class WhyPanel(QDialog):
    """The formula, inputs and a one-click tornado of one KPI of the active scenario."""

    def __init__(self, window: "ViewHost"):
        super().__init__(window)
        self.setObjectName("dialog.why")
        self.setWindowTitle("Why this number")
        self.window_ref = window
        self.key = "total_cost"
        self.heading, self.formula, self.inputs = why_widgets("why", "inputs", ("Input", "Value", "Source"))
        self.inputs.cellDoubleClicked.connect(self._show_field)
        self.tornado_button = QPushButton("Tornado for this number")
        self.tornado_button.setObjectName("why.tornado")
        self.tornado_button.clicked.connect(self.run_tornado)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tornado_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.formula)
        layout.addWidget(QLabel("Inputs it uses most directly (double-click one to edit it):"))
        layout.addWidget(self.inputs, 1)
        layout.addLayout(buttons)
        self.resize(620, 420)
        window.evaluator.evaluated.connect(lambda _e: self.isVisible() and self.show_key(self.key))

    def show_key(self, key: str) -> None:
        self.key = key
        window = self.window_ref
        document = window.active
        evaluation = window.evaluator.latest
        if document is None:
            return
        scenario = document.scenario
        summary = evaluation.summary if evaluation is not None else None
        title = dict(KPI_CARDS).get(key, key)
        if summary is None:
            heading, reason = f"{title}: cannot compute", ""
        else:
            shown, caption, exact = kpi_text(key, summary, scenario)
            # a card without a value ("—") says why below the heading, not as if it were the value
            heading, reason = (f"{title}: not shown", exact or caption) if shown == "—" else (f"{title}: {exact}", "")
        self.heading.setText(f"<h3>{html.escape(heading)}</h3>" + (f"<p>{html.escape(reason)}</p>" if reason else ""))
        formula, _paths = KPI_FORMULAS.get(key, ("", []))
        paths = kpi_input_paths(key, scenario)
        self.formula.setText(f"<p><b>{html.escape(key)}</b> = {html.escape(readable_formula(key, formula))}</p>"
                             "<p>Every formula: Help &gt; Methodology, section 5 (Outputs).</p>")
        rows = input_rows(scenario, summary, paths)
        self.inputs.setRowCount(len(rows))
        for r, (path, name, shown, source) in enumerate(rows):
            first = QTableWidgetItem(name)
            first.setToolTip(path)
            first.setData(Qt.ItemDataRole.UserRole, path)
            self.inputs.setItem(r, 0, first)
            number = QTableWidgetItem(shown)
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.inputs.setItem(r, 1, number)
            self.inputs.setItem(r, 2, QTableWidgetItem(source))
        self.inputs.resizeColumnsToContents()
        from tcoapp.gui.widgets.pickers import METRICS

        self.tornado_button.setEnabled(key in METRICS)
        self.tornado_button.setToolTip("Which inputs move this number most" if key in METRICS
                                       else "The tornado ranks money, shares and chips, not months")

    def run_tornado(self) -> None:
        """Show the tornado of this KPI (the Sensitivity view, metric chosen) and run it."""
        view = self.window_ref.show_view("sensitivity")
        box = view.tornado.metric_box
        index = box.findData(self.key)
        if index < 0:
            return
        view.tabs.setCurrentWidget(view.tornado)
        box.blockSignals(True)
        box.setCurrentIndex(index)
        box.blockSignals(False)
        view.tornado.run()

    def _show_field(self, row: int, _column: int) -> None:
        path = self.inputs.item(row, 0).data(Qt.ItemDataRole.UserRole)
        if self.window_ref.editor is not None:
            self.window_ref.editor.show_field(path)


def install(window: "ViewHost") -> None:
    """Clicking a KPI card of ``window`` opens its "why this number" panel."""

    def open_why(key: str) -> None:
        open_why_panel(window, WhyPanel, key)

    window.overview.kpis.card_clicked.connect(open_why)
    window.open_why = open_why
