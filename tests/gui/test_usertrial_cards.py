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


def _no_traffic(window, **more) -> None:
    window.active.set_values({"inference.requests_per_day": 0, **more})
    settle(window)


@pytest.mark.parametrize("key, caption", [("cost_per_request", "no requests"),
                                          ("cost_per_million_tokens", "no tokens served")])
def test_a_cost_per_unit_with_no_traffic_reads_none_and_says_why(window, qtbot, key, caption):
    """Before: the card showed "—" over "inference only", and "why this number" read "not shown" over a
    bare "—"; the formula read "none when none"."""
    from PySide6.QtCore import QPoint, Qt

    _no_traffic(window)
    assert window.evaluator.latest.summary[key] is None
    assert window.findChild(QLabel, f"kpi.{key}").text() == "none"
    label = window.findChild(QLabel, f"kpi.{key}.caption")
    assert label.text() == caption and label.fontMetrics().horizontalAdvance(caption) <= label.width()
    qtbot.mouseClick(window.overview.kpis.cards[key].title, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    panel = window.why_panel
    heading, formula = panel.heading.text(), panel.formula.text()
    assert "none (no " in heading and "within the horizon)" in heading and "not shown" not in heading, heading
    assert "none when none" not in formula and "none when no " in formula, formula
    panel.close()


def test_revenue_cards_with_a_price_but_no_traffic_do_not_say_no_revenue_entered(window, qtbot):
    """Before: a revenue per request was set, yet the cards said "no revenue entered"."""
    _no_traffic(window, **{"business.revenue_per_request": 0.01})
    for key in ("payback_month", "irr"):
        caption = window.findChild(QLabel, f"kpi.{key}.caption")
        assert caption.text() == "no traffic, no revenue", key
        assert caption.fontMetrics().horizontalAdvance(caption.text()) <= caption.width()
        assert "Revenue per request is set" in caption.toolTip() and "requests per day is 0" in caption.toolTip()
    window.active.set_value("business.revenue_per_request", 0.0)
    settle(window)
    assert window.findChild(QLabel, "kpi.irr.caption").text() == "no revenue entered"
