"""KPI cards and "why this number" as a new user reads them at 1280x800 (found in a user trial)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from .conftest import settle


@pytest.mark.parametrize("key", ["crossover_month", "payback_month"])
def test_a_month_never_reached_fits_its_card(window, qtbot, key):
    """ "not within the horizon" was cut to "not within the" on a 1280x800 window."""
    document = window.active
    if key == "payback_month":
        window.findChild(QWidget, "business.revenue_per_request").setValue(1e-6)  # revenue never pays back
    else:
        window.findChild(QWidget, "training.fixed_cost").setValue(1e10)  # inference never overtakes training
    settle(window)
    qtbot.wait(50)
    summary = window.evaluator.latest.summary
    assert summary[key] is None or summary[key] != summary[key]  # None or NaN: not within the horizon
    label = window.findChild(QLabel, f"kpi.{key}")
    assert label.text() == "not reached"
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    caption = window.findChild(QLabel, f"kpi.{key}.caption")
    assert caption.text() == f"within the {document.scenario.horizon_years}-year horizon"  # 4 years: the sample
