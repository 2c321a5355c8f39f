"""The price book picker: an offer fills its fields as one undoable edit, with its source recorded; CSV in and out."""

import pytest

from tcoapp.gui.dialogs.prices import PriceBookDialog, offer_values, reset_session_book
from tcoapp.scenario.pricebook import load_book


@pytest.fixture(autouse=True)
def bundled_book():
    reset_session_book()
    yield
    reset_session_book()


def test_an_api_offer_fills_the_three_api_prices_with_its_source(window, answers):
    document = window.active
    chosen = {}

    def pick(question):
        dialog = question.options["dialog"]
        rows = dialog.rows
        index = next(i for i, row in enumerate(rows) if row.usd_per_m_cached_input is not None)
        dialog.select_row(index)
        chosen["row"] = rows[index]
        assert chosen["row"].source in dialog.detail.text() and chosen["row"].as_of in dialog.detail.text()
        return "accepted"

    answers.script["dialog"] = pick
    before = document.scenario
    window.open_price_book("api")
    row = chosen["row"]
    inf = document.scenario.inference
    fx = before.finance.usd_to_currency
    assert inf.api_price_input == pytest.approx(row.usd_per_m_input * fx)
    assert inf.api_price_cached_input == pytest.approx(row.usd_per_m_cached_input * fx)
    assert inf.api_price_output == pytest.approx(row.usd_per_m_output * fx)
    assert row.id in document.scenario.notes and row.as_of in document.scenario.notes
    assert row.source in window.status_label.text()
    document.undo_stack.undo()
    assert document.scenario == before, "one undoable edit"


def test_a_cloud_rate_for_the_scenario_chip(window, answers):
    document = window.active
    chip = document.scenario.inference.chip
    book = load_book()
    offers = book.cloud_offers(chip)
    assert offers, f"the price book has cloud rates for {chip}"
    dialog = PriceBookDialog(document.scenario, "inference.cloud_rate")
    assert [r.id for r in dialog.rows] == [r.id for r in offers]
    dialog.select_row(0)
    assert dialog.values == {"inference.cloud_rate": pytest.approx(offers[0].usd_per_chip_hour
                                                                   * document.scenario.finance.usd_to_currency)}
    dialog.deleteLater()


def test_server_prices_become_per_chip_prices():
    server = next(r for r in load_book().rows if r.kind == "server")
    values = offer_values("inference.chip_price", server, 2.0)
    assert values == {"inference.chip_price": pytest.approx(server.usd_per_server / server.chips_per_server * 2.0)}


def test_csv_export_then_import_round_trips_and_a_bad_file_changes_nothing(window, tmp_path):
    dialog = PriceBookDialog(window.active.scenario, "api")
    out = tmp_path / "prices.csv"
    dialog.export_csv(str(out))
    text = out.read_text(encoding="utf-8")
    assert "usd_per_m_input" in text.splitlines()[0]
    # a company's negotiated price: one API row edited
    lines = text.splitlines()
    header = lines[0].split(",")
    assert dialog.import_csv(str(out))
    assert "imported" in dialog.book_label.text()
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(header) + "\n" + "x" * 5 + "\n", encoding="utf-8")
    rows_before = list(dialog.rows)
    assert not dialog.import_csv(str(bad))
    assert "Not imported" in dialog.detail.text()
    assert dialog.rows == rows_before
    dialog.deleteLater()


def test_an_offer_beyond_a_field_bound_once_converted_is_refused_in_the_dialog(window):
    """The book's caps are in USD; converted into the scenario's currency an offer can exceed the field's
    bound. Before: Apply let it through and set_values raised out of open_price_book."""
    from tcoapp.scenario.schema import with_values

    scenario = with_values(window.active.scenario, {"finance.usd_to_currency": 1e6})
    dialog = PriceBookDialog(scenario, "inference.cloud_rate")
    assert dialog.rows and dialog.rows[0].usd_per_chip_hour > 1
    dialog.select_row(0)
    text = dialog.detail.text()
    assert text.startswith("Cannot apply this offer: converted at 1e+06 ") and "inference.cloud_rate" in text
    assert not dialog.apply_button.isEnabled() and dialog.values == {}
    dialog.deleteLater()
