"""The editor's changed-from-default marks, ranges, percentages and currency conversion, on real widgets."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QWidget

from tcoapp.gui.views.editor import MONEY_FIELDS, PERCENT_FIELDS
from tcoapp.gui.widgets.formatting import is_percent_unit
from tcoapp.paths import sample_files
from tcoapp.scenario.schema import numeric_field_paths

from .conftest import settle


def _type_value(qtbot, box, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def _sample(name: str):
    return next(p for p in sample_files() if p.name == name)


# -- the lists ---------------------------------------------------------------------------------------
def test_percent_and_money_lists_follow_the_schema_units():
    fields = numeric_field_paths()
    assert PERCENT_FIELDS == {p for p, f in fields.items() if is_percent_unit(f.unit)}
    assert "facility.pue" not in PERCENT_FIELDS and "inference.peak_to_average" not in PERCENT_FIELDS, "ratios"
    assert set(MONEY_FIELDS) == {p for p, f in fields.items() if f.unit.startswith("currency")}
    assert "finance.usd_to_currency" not in MONEY_FIELDS, "the rate is not an amount"


# -- percentages -------------------------------------------------------------------------------------
def test_typing_60_in_mfu_stores_0_6_and_shows_60_percent(window, qtbot, tmp_path):
    document = window.active
    box = window.findChild(QWidget, "training.mfu")
    assert box.text() == "35 %", "the sample's 0.35"
    _type_value(qtbot, box, "60")
    assert document.scenario.training.mfu == 0.6
    assert box.text() == "60 %"
    _type_value(qtbot, box, "45 %")
    assert document.scenario.training.mfu == 0.45
    _type_value(qtbot, box, "8.26")  # decimal arithmetic: 0.0826, not 0.08259999999999999
    assert document.scenario.training.mfu == 0.0826
    assert box.text() == "8.26 %"
    document.save(tmp_path / "saved.tco")
    saved = json.loads((tmp_path / "saved.tco").read_text())
    assert saved["training"]["mfu"] == 0.0826, "the file keeps the fraction"
    growth = window.findChild(QWidget, "inference.annual_growth")
    growth.setValue(-0.2)  # code (and the other views) still set fractions
    assert growth.text() == "-20 %" and document.scenario.inference.annual_growth == -0.2


def test_focus_out_of_a_percentage_box_adds_no_edit(window, qtbot):
    document = window.active
    box = window.findChild(QWidget, "facility.power_load_factor")
    box.setValue(0.333333333333)  # shown rounded: "33.3333333333 %"
    count = document.undo_stack.count()
    box.setFocus()
    box.interpretText()  # what focus-out and Return do with the shown text
    assert document.scenario.facility.power_load_factor == 0.333333333333
    assert document.undo_stack.count() == count


def test_percent_rule_is_said_in_percent(window, qtbot):
    document = window.active
    box = window.findChild(QWidget, "training.mfu")
    _type_value(qtbot, box, "150")
    message = window.findChild(QLabel, "training.mfu.message")
    assert not message.isHidden()
    assert "must be between 0.1 % and 100 %" in message.text()
    assert document.scenario.training.mfu == 0.35, "not applied"
    _type_value(qtbot, window.findChild(QWidget, "inference.annual_growth"), "-100")
    growth = window.findChild(QLabel, "inference.annual_growth.message").text()
    assert "between -100 % and 1,000 % (-100 % itself excluded)" in growth


# -- units and ranges --------------------------------------------------------------------------------
def test_range_text_names_both_bounds_with_the_unit(window):
    unit = window.findChild(QLabel, "training.mfu.unit")
    assert unit.text() == "0.1 – 100 %", "schema ge=0.001, le=1 shown in percent"
    rate = window.findChild(QLabel, "training.cloud_rate.unit").text().splitlines()
    assert rate[0] == "0 – 1 M USD per chip-hour" and rate[1].startswith("catalog, "), "an empty rate: the catalog's"
    assert window.findChild(QLabel, "facility.pue.unit").text() == "ratio 1 – 10"
    assert window.findChild(QLabel, "facility.server_power_overhead.unit").text() == "0 – 1,000 % of chip TDP"
    assert window.findChild(QLabel, "inference.samples.unit").text() == "1 – 1,024 answers"
    mfu = window.findChild(QWidget, "training.mfu").toolTip()
    assert "between 0.1 % and 100 %" in mfu and "must be between 0.001 and 1" in mfu
    assert "Valid range:</i> must be between 0 and 1 million" in window.findChild(
        QWidget, "training.cloud_rate").toolTip()


def test_jargon_fields_explain_themselves(window):
    def tip(path):
        return window.findChild(QWidget, path).toolTip()

    assert "how much of the chips' top speed training really uses" in tip("training.mfu")
    assert "MFU (model FLOP utilisation)" in tip("inference.efficiency.decode_mfu")
    assert "cooling and power losses add 30 %" in tip("facility.pue")
    assert "key-value heads" in tip("model.kv_heads")
    assert "0 is the start month itself" in tip("inference.launch_month")
    assert "0 is the start month itself" in tip("training.start_month")


# -- changed-from-default marks ------------------------------------------------------------------------
def _marked(window, path) -> bool:
    row = window.editor.rows[path]
    dot = window.findChild(QLabel, f"{path}.changed")
    assert row.title.font().bold() == (dot.text() == "●"), "bold title and dot go together"
    return dot.text() == "●"


def test_changing_a_field_marks_it_and_undo_unmarks_it(window):
    document = window.active
    assert not _marked(window, "facility.pue"), "the sample keeps the default 1.3"
    window.findChild(QWidget, "facility.pue").setValue(1.5)
    assert _marked(window, "facility.pue")
    assert "Changed from default 1.3" in window.findChild(QWidget, "facility.pue").toolTip()
    document.undo_stack.undo()
    assert not _marked(window, "facility.pue")
    assert "Changed from default" not in window.findChild(QWidget, "facility.pue").toolTip()
    document.undo_stack.redo()
    assert _marked(window, "facility.pue")


def test_marks_of_the_sample_against_the_schema_defaults(window):
    # deployment-cloud.tco: mfu 0.35 (default 0.4), experts 256 (default none: dense), launch month empty
    assert _marked(window, "training.mfu")
    assert "Changed from default 40 %" in window.findChild(QWidget, "training.mfu").toolTip()
    assert _marked(window, "model.experts")
    assert "Changed from default empty" in window.findChild(QWidget, "model.experts").toolTip()
    assert not _marked(window, "inference.launch_month")
    assert not _marked(window, "inference.efficiency.max_batch"), "a nested default the file leaves out"
    assert _marked(window, "inference.chip"), "h200, the default is h100-sxm"
    assert not _marked(window, "model.params_billion"), "required: no default to differ from"
    assert "training.mfu" in window.editor.changed_fields()


def test_marks_follow_file_loads(make_window, tmp_path):
    path = tmp_path / "chat.tco"
    path.write_bytes(_sample("chat-assistant-owned-h100.tco").read_bytes())
    window = make_window(path)
    assert not _marked(window, "training.mfu"), "the chat sample's 0.4 is the default"
    assert _marked(window, "inference.efficiency.max_batch"), "64, the default is larger"
    data = json.loads(path.read_text())
    data["training"]["mfu"] = 0.5
    path.write_text(json.dumps(data))
    window.active.reload()
    assert _marked(window, "training.mfu")
    assert window.findChild(QWidget, "training.mfu").text() == "50 %"


def test_reset_to_default_from_the_context_menu_is_one_undo_step(window):
    document = window.active
    box = window.findChild(QWidget, "training.mfu")
    assert box.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    menu = window.editor.field_menu("training.mfu")
    reset = next(a for a in menu.actions() if a.objectName() == "training.mfu.reset")
    assert reset.text() == "Reset to default (40 %)" and reset.isEnabled()
    assert any("Copy" in a.text() for a in menu.actions()), "the standard edit actions stay"
    count = document.undo_stack.count()
    reset.trigger()
    assert document.scenario.training.mfu == 0.4
    assert not _marked(window, "training.mfu")
    assert document.undo_stack.count() == count + 1
    assert document.undo_stack.undoText() == "Reset Training utilisation (MFU) to default"
    document.undo_stack.undo()
    assert document.scenario.training.mfu == 0.35 and _marked(window, "training.mfu")
    pue_menu = window.editor.field_menu("facility.pue")
    assert not next(a for a in pue_menu.actions() if a.objectName() == "facility.pue.reset").isEnabled()


def test_reset_of_experts_resets_the_pair(window):
    document = window.active
    assert window.editor.reset_field("model.experts")
    assert document.scenario.model.experts is None and document.scenario.model.experts_per_token is None
    assert window.findChild(QCheckBox, "model.experts.auto").isChecked()
    document.undo_stack.undo()
    assert (document.scenario.model.experts, document.scenario.model.experts_per_token) == (256, 8)


# -- currency ------------------------------------------------------------------------------------------
def _rate(value):
    def fill(question):
        question.options["dialog"].box.setValue(value)
        return "accepted"
    return fill


def _pick_currency(window, code):
    combo = window.findChild(QComboBox, "currency")
    combo.setEditText(code)
    combo.lineEdit().editingFinished.emit()


def _type_chip_price(window) -> float:
    """Untick the training chip price's "auto": the catalog price becomes a typed amount."""
    window.findChild(QCheckBox, "training.chip_price.auto").setChecked(False)
    price = window.active.scenario.training.chip_price
    assert price and price > 0
    return price


def test_currency_change_with_convert_converts_amounts_by_the_rate_ratio(window, answers):
    document = window.active
    price = _type_chip_price(window)
    before = document.scenario
    answers.script.update({"dialog": _rate(0.92), "choice": "convert"})
    count = document.undo_stack.count()
    _pick_currency(window, "EUR")
    question = answers.of_kind("choice")[0]
    assert question.text == "Convert the typed amounts (8) from USD to EUR at rate 0.92 (EUR per USD)?"
    assert [a for a, _ in question.options["choices"]] == ["convert", "keep", "cancel"]
    after = document.scenario
    assert (after.currency, after.finance.usd_to_currency) == ("EUR", 0.92)
    assert after.training.chip_price == pytest.approx(price * 0.92)
    assert after.training.fixed_cost == pytest.approx(600_000 * 0.92)
    assert after.facility.electricity_price == pytest.approx(0.0826 * 0.92)
    assert after.inference.api_price_output == pytest.approx(1.1 * 0.92)
    assert after.training.mfu == 0.35, "not money"
    assert document.undo_stack.count() == count + 1, "one undo step"
    assert window.findChild(QLabel, "training.chip_price.unit").text() == "0 – 1 B EUR per chip"
    document.undo_stack.undo()  # what Ctrl+Z does
    assert document.scenario == before
    assert window.findChild(QComboBox, "currency").currentText() == "USD"


def test_ctrl_z_restores_a_converted_chip_price(window, answers, qtbot):
    document = window.active
    price = _type_chip_price(window)
    answers.script.update({"dialog": _rate(0.5), "choice": "convert"})
    _pick_currency(window, "GBP")
    assert document.scenario.training.chip_price == pytest.approx(price * 0.5)
    box = window.findChild(QWidget, "training.chip_price")
    box.setFocus()
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.scenario.training.chip_price == price and document.scenario.currency == "USD"


def test_converting_back_to_usd_divides_by_the_old_rate(make_window, answers, tmp_path):
    data = json.loads(_sample("chat-assistant-owned-h100.tco").read_text())
    data["currency"] = "EUR"
    data["finance"]["usd_to_currency"] = 0.8
    path = tmp_path / "euro.tco"
    path.write_text(json.dumps(data))
    window = make_window(path)
    answers.script["choice"] = "convert"
    _pick_currency(window, "USD")  # no rate question: USD is 1 USD
    assert not answers.of_kind("dialog")
    assert "from EUR to USD at rate 1.25 (USD per EUR)" in answers.of_kind("choice")[0].text
    scenario = window.active.scenario
    assert scenario.finance.usd_to_currency == 1.0
    assert scenario.inference.ops_cost_per_month == pytest.approx(150_000 / 0.8)
    spread = scenario.uncertainty["inference.chip_price"]
    assert (spread.low, spread.high) == (pytest.approx(25_000 / 0.8), pytest.approx(40_000 / 0.8))
    assert scenario.uncertainty["training.mfu"].mode == 0.4, "a share's spread is not money"


def test_currency_change_with_keep_only_relabels(window, answers):
    document = window.active
    price = _type_chip_price(window)
    answers.script.update({"dialog": _rate(0.92), "choice": "keep"})
    _pick_currency(window, "EUR")
    scenario = document.scenario
    assert (scenario.currency, scenario.finance.usd_to_currency) == ("EUR", 0.92)
    assert scenario.training.chip_price == price and scenario.training.fixed_cost == 600_000
    assert window.findChild(QLabel, "facility.electricity_price.unit").text() == "0 – 100 EUR per kWh"


@pytest.mark.parametrize("where", ["rate", "question"])
def test_currency_change_cancel_leaves_the_scenario_unchanged(window, answers, where):
    document = window.active
    _type_chip_price(window)
    before, count = document.scenario, document.undo_stack.count()
    if where == "rate":
        answers.script["dialog"] = "rejected"
    else:
        answers.script.update({"dialog": _rate(0.92), "choice": "cancel"})
    _pick_currency(window, "EUR")
    assert document.scenario == before and document.undo_stack.count() == count
    assert window.findChild(QComboBox, "currency").currentText() == "USD", "the picker went back"
    settle(window)


def test_currency_change_without_typed_amounts_asks_nothing_more(make_window, answers, tmp_path):
    data = json.loads(_sample("deployment-api.tco").read_text())
    for path in MONEY_FIELDS:  # every amount zero or empty (a default such as 0.08 per kWh is an amount too)
        section, key = path.split(".")
        data.setdefault(section, {})[key] = None if numeric_field_paths()[path].nullable else 0
    path = tmp_path / "bare.tco"
    path.write_text(json.dumps(data))
    window = make_window(path)
    assert window.editor.typed_amounts() == {}
    answers.script["dialog"] = _rate(150.0)
    _pick_currency(window, "JPY")
    assert not answers.of_kind("choice")
    assert (window.active.scenario.currency, window.active.scenario.finance.usd_to_currency) == ("JPY", 150.0)


# -- read-outs -----------------------------------------------------------------------------------------
def test_money_boxes_never_show_scientific_notation(window):
    box = window.findChild(QWidget, "training.fixed_cost")
    box.setValue(2e12)
    assert box.text() == "2,000,000,000,000"
    assert window.active.scenario.training.fixed_cost == 2e12
    revenue = window.findChild(QWidget, "business.revenue_per_request")
    revenue.setValue(0.00004)
    assert revenue.text() == "0.00004"
    flops = window.findChild(QWidget, "training.compute_flops")
    assert flops.text() == "3e22", "FLOP are not money: compact scientific stays"
    growth = window.findChild(QWidget, "inference.annual_growth")
    growth.setValue(-0.0)
    assert growth.text() == "0 %", "no -0"


def test_derived_read_outs_are_rounded_for_reading(window):
    from tcoapp.scenario.batch import evaluate

    settle(window)
    result = evaluate(window.active.scenario)
    summary = {key: float(values[0]) for key, values in result.summary.items()}
    speed = summary["replica_decode_tokens_per_s"] / summary["replica_chips"]
    assert speed > 100
    box = window.findChild(QWidget, "inference.decode_tokens_per_s_per_chip")
    assert box.text() == f"{round(speed):,}", "a whole number of tokens per second, no 1,114.115783"
    assert box.value() == pytest.approx(speed), "the exact figure stays the box's value"


def test_typing_a_currency_and_return_asks_once(window, answers, qtbot):
    answers.script.update({"dialog": _rate(0.92), "choice": "keep"})
    combo = window.findChild(QComboBox, "currency")
    combo.setFocus()
    combo.lineEdit().selectAll()
    qtbot.keyClicks(combo.lineEdit(), "EUR")
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert window.active.scenario.currency == "EUR"
    assert len(answers.of_kind("dialog")) == 1 and len(answers.of_kind("choice")) == 1
    assert window.active.undo_stack.undoText() == "Change currency to EUR"


# -- sources -----------------------------------------------------------------------------------------
def test_values_from_the_catalog_and_the_price_book_say_so_beside_the_field(make_window, qtbot):
    """An empty chip price reads "catalog, <date>"; API prices typed from an offer read "price book, <date>";
    a typed value loses its source line."""
    import json as _json

    from tcoapp.paths import resource_file

    window = make_window(_sample("deployment-api.tco"))
    settle(window)
    scenario = window.active.scenario
    catalog = {row["id"]: row for row in _json.loads(resource_file("chips.json").read_text())["chips"]}
    chip_date = catalog[scenario.inference.chip]["as_of"]
    price = window.findChild(QLabel, "inference.chip_price.unit")
    assert price.text().splitlines()[-1] == f"catalog, {chip_date}"
    assert catalog[scenario.inference.chip]["name"] in price.toolTip()
    book = _json.loads(resource_file("prices.json").read_text())["rows"]
    rate = scenario.finance.usd_to_currency
    offer = next(r for r in book if r["kind"] == "api"
                 and r.get("usd_per_m_output") and abs(r["usd_per_m_output"] * rate - scenario.inference.api_price_output)
                 < 1e-9 * scenario.inference.api_price_output
                 and abs(r["usd_per_m_input"] * rate - scenario.inference.api_price_input) < 1e-9 * scenario.inference.api_price_input)
    output = window.findChild(QLabel, "inference.api_price_output.unit")
    assert output.text().splitlines()[-1] == f"price book, {offer['as_of']}"
    window.findChild(QWidget, "inference.api_price_output").setValue(scenario.inference.api_price_output * 2)
    qtbot.waitUntil(lambda: "price book" not in output.text(), timeout=3000)
    window.findChild(QCheckBox, "inference.chip_price.auto").setChecked(False)
    qtbot.waitUntil(lambda: "catalog" not in price.text(), timeout=3000)


def test_a_price_book_that_cannot_be_read_is_named_as_the_source_instead_of_raising(monkeypatch):
    """Before: value_sources called load_book unguarded, so a broken or refused bundled book raised out of
    every refresh of the API price rows (and of "why this number")."""
    from tcoapp.gui.views.editor import value_sources
    from tcoapp.scenario import pricebook
    from tcoapp.scenario.errors import ScenarioError
    from tcoapp.scenario.files import load_scenario

    def broken(path=None):
        raise ScenarioError("must be a date YYYY-MM-DD", path="rows[3].as_of", value="2026", file="prices.json")

    from tcoapp.gui.dialogs import prices

    monkeypatch.setattr(pricebook, "load_book", broken)
    monkeypatch.setattr(prices, "load_book", broken)
    prices.reset_session_book()
    scenario = load_scenario(_sample("deployment-api.tco"))
    assert scenario.inference.deployment == "api" and scenario.inference.api_price_output
    sources = value_sources(scenario)
    for path in ("inference.api_price_input", "inference.api_price_cached_input", "inference.api_price_output"):
        assert sources[path].startswith("price book not read: ") and "rows[3].as_of" in sources[path]


def test_prices_from_an_imported_company_book_are_named_as_its_offer(monkeypatch):
    """Before: the source beside the API prices was looked up in the bundled book only, so prices applied
    from an imported company book showed no source at all."""
    import dataclasses

    from tcoapp.gui.dialogs import prices
    from tcoapp.gui.views.editor import value_sources
    from tcoapp.scenario.files import load_scenario
    from tcoapp.scenario.pricebook import PriceBook, load_book
    from tcoapp.scenario.schema import with_values

    bundled = load_book()
    offer = next(r for r in bundled.rows if r.kind == "api")
    negotiated = dataclasses.replace(offer, id="acme-deal", model="Negotiated model", as_of="2026-11-30",
                                     usd_per_m_input=offer.usd_per_m_input * 0.5,
                                     usd_per_m_output=offer.usd_per_m_output * 0.5,
                                     usd_per_m_cached_input=None)
    monkeypatch.setattr(prices, "_session_book", PriceBook([negotiated]))
    scenario = load_scenario(_sample("deployment-api.tco"))
    fx = scenario.finance.usd_to_currency
    scenario = with_values(scenario, {"inference.api_price_input": negotiated.usd_per_m_input * fx,
                                      "inference.api_price_cached_input": None,
                                      "inference.api_price_output": negotiated.usd_per_m_output * fx})
    sources = value_sources(scenario)
    assert sources["inference.api_price_output"].startswith("price book, 2026-11-30: "), sources
    assert "Negotiated model" in sources["inference.api_price_output"]
