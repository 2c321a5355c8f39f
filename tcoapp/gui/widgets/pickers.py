"""Pickers the sensitivity views and solver dialogs share: metric and field combos, a number box, metric labels."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from tcoapp.reports.report import SUMMARY_LABELS
from tcoapp.scenario.schema import numeric_field_paths

from tcoapp.gui.widgets.numberbox import NumberBox

#: Metrics offered by the sensitivity tools.
METRICS = ("total_cost", "npv_total", "inference_cost", "training_cost", "inference_share",
           "cost_per_million_tokens", "cost_per_request", "peak_chips", "npv_profit")
MC_METRICS = ("total_cost", "npv_total", "inference_share", "crossover_month", "inference_cost",
              "cost_per_million_tokens")


def metric_label(key: str) -> str:
    return SUMMARY_LABELS.get(key, (key, ""))[0]


def metric_unit(key: str, currency: str) -> str:
    unit = SUMMARY_LABELS.get(key, ("", ""))[1]
    return unit.format(cur=currency)


def sensitivity_module():
    """The solver (``tcoapp.scenario.sensitivity``), or None while it is not installed."""
    try:
        from tcoapp.scenario import sensitivity
    except ImportError:
        return None
    return sensitivity


def metric_combo(name: str, metrics=METRICS) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(name)
    for key in metrics:
        combo.addItem(metric_label(key), key)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(16)
    return combo


def field_combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(name)
    for path, field in numeric_field_paths().items():
        if path == "horizon_years":
            continue
        combo.addItem(f"{field.title} ({path})", path)
    combo.setMaxVisibleItems(20)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(18)
    return combo


def number_box(name: str, value: float = 0.0) -> NumberBox:
    box = NumberBox(False, {})
    box.setObjectName(name)
    box.setAccessibleName(name)
    box.setValue(value)
    box.setMinimumWidth(90)
    return box


def select_field(combo: QComboBox, path: str) -> None:
    """Choose the field ``path`` in a :func:`field_combo` (no change if it is not offered)."""
    index = combo.findData(path)
    if index >= 0:
        combo.setCurrentIndex(index)
