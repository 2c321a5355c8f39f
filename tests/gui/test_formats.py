"""Formats as finance writes them: no scientific notation, no "-0", counts as counts, honest labels."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QWidget

from tcoapp.gui.widgets.formatting import compact_money, count_text
from tcoapp.gui.views.results import kpi_text
from tcoapp.gui.views.tables import display_text
from tcoapp.paths import sample_files
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values
from tcoapp.scenario.sensitivity import default_tornado_paths

from .conftest import settle


def test_small_amounts_are_plain_decimals_not_scientific():
    assert compact_money(6.54e-05, "USD") == "USD 0.0000654"
    assert compact_money(0.00123, "EUR") == "EUR 0.00123"
    assert "e" not in compact_money(3.2e-9, "USD").split()[1]


def test_chips_are_counted_not_abbreviated():
    scenario = load_scenario(next(p for p in sample_files() if p.name == "deployment-owned.tco"))
    value, _, _ = kpi_text("peak_chips", {"peak_chips": 2000.0, "training_chips": 1024.0}, scenario)
    assert value == "2,000"
    assert count_text(7.6) == "8"


@pytest.mark.parametrize("value", [-0.0, -1e-13, -0.0004])
def test_tables_never_show_minus_zero(value):
    assert display_text(value) not in ("-0", "-0.00", "-0.0")
    assert "e" not in display_text(value)


def test_every_card_of_every_sample_is_free_of_scientific_notation_and_minus_zero(make_window, sample_path):
    window = make_window(sample_path)
    for sample in sample_files():
        window.open_file(sample)
        settle(window)
        for label in window.findChildren(QLabel):
            if label.objectName().startswith("kpi."):
                text = label.text()
                assert "e-0" not in text and "e+" not in text and not text.startswith("-0"), (sample.name, text)
                assert not text.endswith(" k") or "chips" not in label.objectName(), text


def test_the_speed_label_says_estimated_or_measured(window):
    title = window.editor.rows["inference.prefill_tokens_per_s_per_chip"].title
    document = window.active
    if document.scenario.inference.prefill_tokens_per_s_per_chip is None:
        assert title.text() == "Prefill speed (estimated)"
    document.set_value("inference.prefill_tokens_per_s_per_chip", 5000.0)
    assert title.text() == "Prefill speed (measured)"
    document.set_value("inference.prefill_tokens_per_s_per_chip", None)
    assert title.text() == "Prefill speed (estimated)"
    assert "Measured" not in title.text()


def test_the_tornado_leaves_out_the_exchange_rate_of_a_usd_scenario():
    scenario = load_scenario(next(p for p in sample_files() if p.name == "deployment-owned.tco"))
    assert scenario.currency == "USD"
    assert "finance.usd_to_currency" not in default_tornado_paths(scenario)
    euro = with_values(scenario, {"currency": "EUR", "finance.usd_to_currency": 0.92})
    assert "finance.usd_to_currency" in default_tornado_paths(euro)


def test_every_tooltip_states_the_whole_rule(window):
    from tcoapp.scenario.schema import numeric_field_paths

    for path, field in numeric_field_paths().items():
        widget = window.findChild(QWidget, path)
        if widget is None or not field.rule:
            continue
        assert field.rule in widget.toolTip(), path
        if "gt" in field.bounds and "le" in field.bounds:
            assert "<=" in widget.toolTip() and ">" in widget.toolTip(), path


def test_every_caption_of_every_sample_fits_its_card_at_1280x800(make_window, sample_path):
    """Issue 15: "h100-sxm; training ≈ 7…", "41 tokens/s per user · …", "annual · profit USD 16.…" were cut."""
    window = make_window(sample_path)
    for sample in sample_files():
        if "programme" in sample.name:
            continue
        window.open_file(sample)
        settle(window)
        for key, card in window.overview.kpis.cards.items():
            caption = card.caption
            assert caption.fontMetrics().horizontalAdvance(caption.text()) <= caption.width(), \
                (sample.name, key, caption.text())
            assert caption.toolTip(), (sample.name, key)


def test_the_chip_card_names_the_chip_and_the_tooltips_keep_the_details(make_window):
    import json

    from tcoapp.paths import resource_file

    sample = next(p for p in sample_files() if p.name == "chat-assistant-owned-h100.tco")
    window = make_window(sample)
    settle(window)
    scenario, summary = window.active.scenario, window.evaluator.latest.summary
    names = {chip["id"]: chip["name"] for chip in json.loads(resource_file("chips.json").read_text())["chips"]}
    cards = window.overview.kpis.cards
    assert cards["peak_chips"].caption.text() == names[scenario.inference.chip] == "NVIDIA H100 SXM"
    assert f"{round(summary['training_chips']):,}" in cards["peak_chips"].caption.toolTip()
    assert f"batch of {summary['replica_batch']:,.0f}" in cards["answer_seconds"].caption.toolTip()
    assert f"{summary['inference_cost']:,.0f}" in cards["total_cost"].caption.toolTip()
    assert "Annual" in cards["irr"].caption.toolTip() and f"{summary['profit']:,.0f}" in cards["irr"].caption.toolTip()


def test_the_toolbar_keeps_its_width_while_undo_names_the_change(window, qtbot):
    """Issue 15: the toolbar's "Undo Change …" changed width with each edit and moved the buttons after it."""
    from PySide6.QtWidgets import QToolButton

    toolbar = window.toolbar
    undo = toolbar.widgetForAction(window.act_undo)
    export = toolbar.widgetForAction(window.act_export_excel)
    assert isinstance(undo, QToolButton)
    positions = []
    for path, value in (("inference.requests_per_day", 2_000_000.0), ("facility.pue", 1.25),
                        ("inference.efficiency.weight_memory_fraction", 0.5)):
        window.active.set_value(path, value)
        qtbot.wait(1)
        assert undo.text() == "Undo", undo.text()
        tip = undo.toolTip()
        assert tip == window.act_undo.text().replace("&", "") and tip.startswith("Undo "), tip  # the change named
        positions.append((undo.width(), export.x()))
    assert len(set(positions)) == 1, positions


def test_a_part_that_is_none_reads_none_not_zero():
    """Before: no training read "training uses ≈ 0 <chip>", and a share of a lifetime cost of 0 read "—"."""
    from tcoapp.gui.views.results import kpi_texts

    scenario = load_scenario(next(p for p in sample_files() if p.name == "deployment-owned.tco"))
    tip = kpi_texts("peak_chips", {"peak_chips": 2.0, "training_chips": 0.0}, scenario)[3]
    assert tip.endswith("; no training chips") and "≈ 0" not in tip
    assert kpi_texts("inference_share", {"inference_share": None, "total_cost": 0.0}, scenario) == (
        "none", "no costs", "none (the lifetime cost is 0)", "None: the lifetime cost is 0")
