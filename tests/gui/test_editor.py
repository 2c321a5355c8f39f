"""The editor drives the real widgets: every field is findable, edits reach the KPIs and charts."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from tcoapp.gui.views.editor import SECTIONS
from tcoapp.gui.widgets.formatting import compact_money
from tcoapp.reports.report import format_month
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.schema import numeric_field_paths

from .conftest import settle

CATEGORICAL = ("finance.basis", "training.precision", "training.procurement", "inference.deployment",
               "inference.precision", "training.chip", "inference.chip")
TEXT = ("name", "notes", "currency", "start_month", "model.name")


def engine_summary(scenario):
    result = evaluate(scenario)
    return {key: float(values[0]) for key, values in result.summary.items()}


def test_every_field_has_one_findable_input(window):
    expected = set(numeric_field_paths()) | set(CATEGORICAL) | set(TEXT)
    listed = [p for _, _, paths in SECTIONS for p in paths if not p.startswith("#")]
    assert sorted(listed) == sorted(expected), "each field appears exactly once in the editor"
    for path in expected:
        widget = window.findChild(QWidget, path)
        assert widget is not None, path
        assert widget.accessibleName() == path
        assert widget.toolTip(), f"{path} has a tooltip"


def test_numeric_tooltips_give_meaning_rule_and_unit(window):
    box = window.findChild(QWidget, "facility.pue")
    assert "Power usage effectiveness" in box.toolTip()
    assert "must be between 1 and 10" in box.toolTip(), "the rule with its upper bound"
    unit = window.findChild(QLabel, "inference.annual_growth.unit")
    assert unit.text() == "> -100, ≤ 1,000 % a year", "the range (> -1 and <= 10 as a fraction) in percent"
    assert window.findChild(QWidget, "inference.annual_growth").text() == "50 %"


def test_kpi_labels_are_named_by_summary_key(window):
    for key in ("total_cost", "npv_total", "inference_share", "crossover_month", "cost_per_million_tokens",
                "cost_per_request", "peak_chips", "payback_month", "irr"):
        label = window.findChild(QLabel, f"kpi.{key}")
        assert label is not None and label.accessibleName() == f"kpi.{key}"


def test_edit_updates_kpis_and_charts_to_engine_numbers(window, qtbot):
    document = window.active
    box = window.findChild(QWidget, "inference.requests_per_day")
    before = window.findChild(QLabel, "kpi.total_cost").property("value")
    with qtbot.waitSignal(window.overview.charts_drawn, timeout=5000):
        box.setValue(3_000_000)
    assert document.scenario.inference.requests_per_day == 3_000_000
    expected = engine_summary(document.scenario)
    label = window.findChild(QLabel, "kpi.total_cost")
    assert label.property("value") == pytest.approx(expected["total_cost"])
    assert label.property("value") != pytest.approx(before)
    assert label.text() == compact_money(expected["total_cost"], "USD")
    crossover = window.findChild(QLabel, "kpi.crossover_month")
    if math.isnan(expected["crossover_month"]):
        assert crossover.text() == "not reached"
    else:
        assert crossover.text() == format_month(expected["crossover_month"], "2026-01").split(" (")[0]
    # the cumulative chart shows the engine's cumulative inference
    axes = window.overview.charts["cumulative"].figure.axes[0]
    inference_line = next(line for line in axes.lines if "Inference" in str(line.get_label()))
    result = evaluate(document.scenario)
    assert inference_line.get_ydata()[-1] == pytest.approx(result.series["inference"][0].sum())
    fleet = window.overview.charts["fleet"].figure.axes[0]
    assert max(fleet.lines[0].get_ydata()) == pytest.approx(expected["peak_chips"])


def test_spin_storm_is_debounced_into_one_evaluation(window, qtbot):
    box = window.findChild(QWidget, "inference.annual_growth")
    count = []
    window.evaluator.evaluated.connect(lambda e: count.append(e))
    for _ in range(5):
        box.stepBy(1)
    assert window.active.scenario.inference.annual_growth == pytest.approx(0.55)
    qtbot.waitUntil(lambda: len(count) >= 1, timeout=2000)
    qtbot.wait(100)
    assert len(count) == 1
    assert window.active.undo_stack.count() == 1, "a burst of steps is one undo step"


def test_invalid_value_names_the_rule_and_changes_nothing(window):
    document = window.active
    box = window.findChild(QWidget, "facility.pue")
    box.setValue(0.5)
    message = window.findChild(QLabel, "facility.pue.message")
    assert not message.isHidden()
    assert "must be between 1 and 10" in message.text()
    assert document.scenario.facility.pue == 1.3
    assert document.undo_stack.count() == 0
    box.setValue(1.4)
    assert message.isHidden()
    assert document.scenario.facility.pue == 1.4


def test_cross_field_rule_is_shown_at_the_edited_field(window):
    box = window.findChild(QWidget, "model.active_params_billion")
    box.setValue(1000)  # more than the 671 B total
    message = window.findChild(QLabel, "model.active_params_billion.message")
    assert "params_billion" in message.text()
    assert window.active.scenario.model.active_params_billion == 37


def test_stepping_stays_within_bounds(window):
    box = window.findChild(QWidget, "facility.power_load_factor")
    box.setValue(0.99)
    box.stepBy(5)
    assert box.value() == 1.0
    assert window.active.scenario.facility.power_load_factor == 1.0
    samples = window.findChild(QWidget, "inference.samples")
    samples.stepBy(-3)
    assert window.active.scenario.inference.samples == 1


def test_number_box_reads_scientific_and_grouped_text(window):
    box = window.findChild(QWidget, "training.compute_flops")
    window.findChild(QCheckBox, "training.compute_flops.auto")  # exists: the field is nullable
    assert box.text() == "3e22"
    box.lineEdit().setText("4.5e22")
    box.interpretText()
    assert window.active.scenario.training.compute_flops == 4.5e22
    requests = window.findChild(QWidget, "inference.requests_per_day")
    requests.lineEdit().setText("2,500,000")
    requests.interpretText()
    assert window.active.scenario.inference.requests_per_day == 2_500_000


def test_auto_checkbox_switches_between_derived_and_given(window, qtbot):
    document = window.active
    auto = window.findChild(QCheckBox, "inference.chips_per_replica.auto")
    box = window.findChild(QWidget, "inference.chips_per_replica")
    assert auto.isChecked() and not box.isEnabled()
    settle(window)
    derived = window.evaluator.latest.summary["replica_chips"]
    assert box.value() == derived
    auto.setChecked(False)
    assert document.scenario.inference.chips_per_replica == int(derived)
    assert box.isEnabled()
    auto.setChecked(True)
    assert document.scenario.inference.chips_per_replica is None
    ceiling = window.findChild(QCheckBox, "inference.max_requests_per_day.auto")
    ceiling.setChecked(False)
    assert document.scenario.inference.max_requests_per_day == 10 * document.scenario.inference.requests_per_day


def test_choice_and_chip_pickers_edit_the_scenario(window, qtbot):
    document = window.active
    deployment = window.findChild(QComboBox, "inference.deployment")
    with qtbot.waitSignal(window.evaluator.evaluated, timeout=2000):
        deployment.setCurrentIndex(deployment.findData("api"))
    assert document.scenario.inference.deployment == "api"
    assert window.findChild(QLabel, "kpi.peak_chips").text() == "0"
    chip = window.findChild(QComboBox, "training.chip")
    chip.setCurrentIndex(chip.findData("h200"))
    assert document.scenario.training.chip == "h200"
    assert document.undo_stack.undoText() == "Change Training chip"


def test_engine_problem_is_shown_at_the_named_field(window, qtbot):
    document = window.active
    precision = window.findChild(QComboBox, "inference.precision")
    with qtbot.waitSignal(window.evaluator.evaluated, timeout=2000):
        precision.setCurrentIndex(precision.findData("fp4"))  # the H200 has no FP4
    assert document.scenario.inference.precision == "fp4", "the schema accepts it; the engine cannot use it"
    banner = window.findChild(QLabel, "results.problem")
    assert not banner.isHidden() and "inference.precision" in banner.text()
    message = window.findChild(QLabel, "inference.precision.message")
    assert not message.isHidden() and "Cannot compute" in message.text()
    assert window.findChild(QLabel, "kpi.total_cost").text() == "—"
    with qtbot.waitSignal(window.evaluator.evaluated, timeout=2000):
        precision.setCurrentIndex(precision.findData("fp8"))
    assert banner.isHidden() and message.isHidden()


def test_text_fields_commit(window, qtbot):
    name = window.findChild(QLineEdit, "name")
    name.setText("Renamed plan")
    name.editingFinished.emit()
    assert window.active.scenario.name == "Renamed plan"
    assert "Renamed plan" in window.windowTitle()
    currency = window.findChild(QComboBox, "currency")
    currency.setEditText("eu")
    currency.lineEdit().editingFinished.emit()
    assert "3-letter" in window.findChild(QLabel, "currency.message").text()
    assert window.active.scenario.currency == "USD"
    notes = window.findChild(QPlainTextEdit, "notes")
    notes.setPlainText("New notes")
    window.editor.flush()
    assert window.active.scenario.notes == "New notes"


def test_currency_change_relabels_units(window, answers):
    def rate(question):
        question.options["dialog"].box.setValue(0.9)
        return "accepted"

    answers.script.update({"dialog": rate, "choice": "keep"})
    currency = window.findChild(QComboBox, "currency")
    currency.setEditText("EUR")
    currency.lineEdit().editingFinished.emit()
    assert window.findChild(QLabel, "facility.electricity_price.unit").text() == "0 – 100 EUR per kWh"


def test_chip_dialog_adds_a_custom_chip(window, answers):
    from tcoapp.gui.dialogs.chips import ChipDialog

    def fill(question):
        dialog: ChipDialog = question.options["dialog"]
        dialog._select_id("h200")
        new_id = dialog.duplicate_selected()
        dialog._select_id(new_id)
        dialog._use("inference.chip")
        row = next(r for r in range(dialog.table.rowCount())
                   if dialog.table.item(r, 0).data(Qt.ItemDataRole.UserRole)[1] == new_id)
        dialog.table.item(row, 9).setText("30000")  # price_usd
        dialog.accept()
        return "accepted"

    answers.script["dialog"] = fill
    window.open_chip_dialog("inference.chip")
    scenario = window.active.scenario
    assert scenario.inference.chip == "h200-custom"
    assert scenario.chips[0].price_usd == 30000
    assert window.active.undo_stack.undoText() == "Change Custom chips, Inference chip"
    combo = window.findChild(QComboBox, "inference.chip")
    assert combo.currentData() == "h200-custom" and "(custom)" in combo.currentText()


def test_every_section_is_visible_in_one_scrollable_form_and_collapses(window):
    editor = window.editor
    headers = [header for header, _ in editor.sections.values()]
    assert len(headers) == 8 and all(h.isVisible() and h.isChecked() for h in headers)
    assert all(page.isVisible() for _, page in editor.sections.values())
    header, page = editor.sections["finance"]
    header.click()
    assert not page.isVisible() and header.isVisible()
    header.click()
    assert page.isVisible()


def test_the_filter_finds_fields_by_name_unit_or_path(window, qtbot):
    from PySide6.QtWidgets import QLineEdit

    editor = window.editor
    box = window.findChild(QLineEdit, "editor.filter")
    qtbot.keyClicks(box, "growth")
    growth = editor.rows["inference.annual_growth"]
    assert growth.title.isVisible() and growth.widget.isVisible()
    assert not editor.rows["facility.pue"].title.isVisible()
    assert not editor.sections["facility"][0].isVisible(), "a section with no match is hidden"
    box.clear()
    qtbot.keyClicks(box, "kWh")  # by unit
    assert editor.rows["facility.electricity_price"].title.isVisible()
    box.clear()
    qtbot.keyClicks(box, "inference.efficiency")  # by path
    assert editor.rows["inference.efficiency.bandwidth"].title.isVisible()
    assert not editor.rows["inference.requests_per_day"].title.isVisible()
    box.clear()
    qtbot.keyClicks(box, "zzzz")
    assert editor.findChild(QLabel, "editor.no_match").isVisible()
    box.clear()
    assert editor.rows["facility.pue"].title.isVisible(), "clearing the filter shows every field again"


def test_the_filter_finds_fields_by_finance_synonyms_and_either_spelling(window):
    """Issue 15: "depreciation" and "wacc" found nothing; "utilization" found 1 field, "utilisation" 4."""
    editor = window.editor

    def shown(text):
        paths = {path for path in editor.rows if not text or editor.matches(path, text)}
        assert editor.apply_filter(text) == len(paths)
        return paths

    assert "facility.life_years" in shown("depreciation")
    assert "finance.discount_rate" in shown("wacc") and "finance.discount_rate" in shown("WACC")
    assert "finance.discount_rate" in shown("cost of capital")
    utilisation = {"training.mfu", "inference.target_utilization", "inference.efficiency.prefill_mfu",
                   "inference.efficiency.decode_mfu"}  # the four titles saying "utilisation"
    assert shown("utilization") == shown("utilisation") and utilisation <= shown("utilization")
    assert shown("") == set(editor.rows), "an empty filter shows every field"


def test_the_flop_range_and_the_exchange_rate_unit_read_plainly(window):
    from tcoapp.scenario.schema import numeric_field_paths

    assert numeric_field_paths()["training.compute_flops"].bounds == {"ge": 0, "le": 1e32}
    flop = window.findChild(QLabel, "training.compute_flops.unit")
    assert flop.text().split("\n")[0] == "up to 1e32 FLOP"  # a ceiling in powers of ten, as the box takes them
    assert "10 to the power 32" in flop.toolTip()
    window.active.set_value("currency", "EUR")
    rate = window.findChild(QLabel, "finance.usd_to_currency.unit")
    assert rate.text().split("\n")[0].endswith(" EUR per US dollar") and "scenario" not in rate.text(), rate.text()


def test_a_chip_name_is_shown_whole_in_the_default_editor_width(window, qtbot):
    # Before: beside its Chips… button and catalog date the picker showed "NVIDIA H100 SXN" (cut) at 440 px.
    window.show()
    window.splitter.setSizes([440, 840])
    qtbot.waitUntil(lambda: window.editor.rows["inference.chip"].combo.width() > 0)
    for path in ("inference.chip", "training.chip"):
        combo = window.editor.rows[path].combo
        window.editor.form_scroll.ensureWidgetVisible(combo)
        qtbot.wait(20)
        text = combo.currentText()
        assert text.startswith("NVIDIA"), text
        needed = combo.fontMetrics().horizontalAdvance(text) + 40  # the arrow and the frame
        assert combo.width() >= needed, (path, text, combo.width(), needed)
