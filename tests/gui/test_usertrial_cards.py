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
    assert caption.text() == f"within {document.scenario.horizon_years} years"  # 4 years: the sample
    assert caption.toolTip() == f"Not reached within the {document.scenario.horizon_years}-year horizon"
    assert caption.fontMetrics().horizontalAdvance(caption.text()) <= caption.width()


def _why_rows(window, qtbot, key: str) -> dict[str, tuple[str, str]]:
    from PySide6.QtCore import QPoint, Qt

    settle(window)
    card = window.overview.kpis.cards[key]
    qtbot.mouseClick(card.title, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    panel = window.why_panel
    rows = {panel.inputs.item(r, 0).toolTip(): (panel.inputs.item(r, 1).text(), panel.inputs.item(r, 2).text())
            for r in range(panel.inputs.rowCount())}
    panel.close()
    return rows


@pytest.mark.parametrize("key", ["total_cost", "cost_per_million_tokens", "cost_per_request"])
def test_why_an_api_cost_lists_the_api_prices_not_a_chip(make_window, qtbot, tmp_path, key):
    """For an API deployment the panel listed the inference chip (which an API does not use) and not the
    token prices that make the cost."""
    from tcoapp.paths import samples_dir

    target = tmp_path / "api.tco"
    target.write_bytes((samples_dir() / "deployment-api.tco").read_bytes())
    rows = _why_rows(make_window(target), qtbot, key)
    assert "inference.chip" not in rows
    # the sample's DeepSeek-V3 prices, from resources/prices.json (row api-deepseek-deepseek-v3-deepseek-chat)
    assert rows["inference.api_price_input"] == ("USD 0.27 per million input tokens",
                                                 "price book, 2026-07-24: DeepSeek-V3 (deepseek-chat)")
    assert rows["inference.api_price_output"][0] == "USD 1.1 per million output tokens"


def test_why_a_cloud_cost_lists_the_catalog_rate(window, qtbot):
    """deployment-cloud rents H200s at the catalog's 4.54 USD an hour (its rate field is empty)."""
    rows = _why_rows(window, qtbot, "total_cost")
    import json

    from tcoapp.paths import resource_file

    h200 = next(c for c in json.loads(resource_file("chips.json").read_text())["chips"] if c["id"] == "h200")
    assert rows["inference.cloud_rate"] == ("USD 4.54 per chip-hour", f"chip catalog, {h200['as_of']}: {h200['name']}")
    assert "inference.chip" in rows


def test_why_a_count_of_one_reads_in_the_singular(window, qtbot):
    rows = _why_rows(window, qtbot, "cost_per_request")
    assert window.active.scenario.inference.samples == 1
    assert rows["inference.samples"][0] == "1 answer"
