"""'Why this number': a KPI card click shows its formula, its inputs with values and sources, and a tornado."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from tcoapp.gui.views.results import KPI_CARDS, KPI_FORMULAS

from .conftest import settle

METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


def test_every_card_has_a_formula_taken_from_the_methodology():
    text = METHODOLOGY.read_text(encoding="utf-8")
    for key, _ in KPI_CARDS:
        formula, paths = KPI_FORMULAS[key]
        assert paths, key
        for part in formula.split(": ", 1)[-1:]:  # the defining words appear in docs/methodology.md
            assert part.split(";")[0].strip().strip("`") in text, (key, part)


def test_clicking_a_card_shows_formula_inputs_and_a_tornado(window, qtbot):
    settle(window)
    card = window.overview.kpis.cards["cost_per_million_tokens"]
    qtbot.mouseClick(card.title, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    panel = window.why_panel
    assert panel.isVisible()
    assert "inference_cost / (sum of tokens / 1,000,000)" in panel.formula.text()
    names = {panel.inputs.item(r, 0).toolTip(): (panel.inputs.item(r, 1).text(), panel.inputs.item(r, 2).text())
             for r in range(panel.inputs.rowCount())}
    from tcoapp.gui.widgets.numberbox import format_number

    assert names["inference.output_tokens"] == (
        format_number(window.active.scenario.inference.output_tokens) + " tokens per request", "typed in the scenario")
    assert "catalog" in names["inference.chip"][1]
    assert window.findChild(QLabel, "kpi.cost_per_million_tokens").text() in panel.heading.text()
    panel.tornado_button.click()
    tornado = window.sensitivity.tornado
    assert tornado.metric_box.currentData() == "cost_per_million_tokens"
    qtbot.waitUntil(lambda: tornado.result is not None, timeout=30000)
    assert tornado.result["metric"] == "cost_per_million_tokens"
    panel.close()


def test_inputs_read_with_their_units_as_the_editor_shows_them(window, qtbot):
    """Shares and rates in percent, amounts with the currency, counts with their unit (not "0.6" and "6")."""
    from tcoapp.gui.widgets.numberbox import format_number

    settle(window)
    card = window.overview.kpis.cards["total_cost"]
    qtbot.mouseClick(card.title, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    panel = window.why_panel
    shown = {panel.inputs.item(r, 0).toolTip(): panel.inputs.item(r, 1).text() for r in range(panel.inputs.rowCount())}
    scenario = window.active.scenario
    assert shown["inference.annual_growth"] == f"{format_number(100 * scenario.inference.annual_growth)} %"
    assert shown["horizon_years"] == f"{scenario.horizon_years} years"
    assert shown["inference.requests_per_day"] == f"{format_number(scenario.inference.requests_per_day)} requests per day"


def _open(window, qtbot, key):
    settle(window)
    qtbot.mouseClick(window.overview.kpis.cards[key].title, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    panel = window.why_panel
    return panel, {panel.inputs.item(r, 0).toolTip(): (panel.inputs.item(r, 1).text(), panel.inputs.item(r, 2).text())
                   for r in range(panel.inputs.rowCount())}


def test_formulas_read_as_text_without_markdown_or_1e6(window, qtbot):
    """Issue 15: the panel showed `backticks`, ** and 1e6 of the Markdown source."""
    for key, _ in KPI_CARDS:
        panel, _rows = _open(window, qtbot, key)
        text = panel.formula.text()
        assert "`" not in text and "**" not in text and "1e6" not in text, (key, text)
    panel, _rows = _open(window, qtbot, "answer_seconds")
    assert "answer_seconds = answer_seconds" not in panel.formula.text().replace("<b>", "").replace("</b>", "")
    panel.close()


def test_chips_by_catalog_name_months_with_their_calendar_month(window, qtbot):
    import json

    catalog = json.loads((METHODOLOGY.parents[1] / "resources" / "chips.json").read_text(encoding="utf-8"))
    name = next(chip["name"] for chip in catalog["chips"] if chip["id"] == window.active.scenario.inference.chip)
    window.active.set_value("start_month", "2026-01")
    window.active.set_value("inference.launch_month", 4)
    panel, rows = _open(window, qtbot, "crossover_month")
    assert rows["inference.launch_month"][0] == "month 4 (2026-05)"  # January + 4 months
    panel, rows = _open(window, qtbot, "total_cost")
    assert rows["inference.chip"][0] == name and name != window.active.scenario.inference.chip
    panel.close()


def test_a_default_value_says_default_and_a_typed_one_typed(window, qtbot):
    scenario = window.active.scenario
    assert scenario.business.revenue_change == 0.0, "the sample leaves the schema default (0)"
    panel, rows = _open(window, qtbot, "payback_month")
    assert rows["business.revenue_change"] == ("0 %", "default (not changed)")
    window.active.set_value("business.revenue_change", 0.05)
    panel, rows = _open(window, qtbot, "payback_month")
    assert rows["business.revenue_change"] == ("5 %", "typed in the scenario")
    panel.close()


def test_a_card_without_a_value_says_why_in_plain_words(window, qtbot):
    window.active.set_value("business.revenue_per_request", 0.0)
    panel, _rows = _open(window, qtbot, "payback_month")
    heading = panel.heading.text()
    assert "business.revenue_per_request" not in heading and "Set " not in heading.split("</h3>")[0], heading
    assert "Revenue per request" in heading and "Business" in heading
    panel.close()
