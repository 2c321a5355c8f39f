"""The price book: every row dated and sourced, CSV round trip, bad rows named, catalog consistency."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tcoapp.paths import resource_file
from tcoapp.scenario.catalog import load_catalog
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.pricebook import (FIELD_NAMES, api_fields, default_api_offer, load_book, read_csv,
                                       write_csv)


def test_every_row_has_a_source_and_a_real_date():
    book = load_book()
    assert len(book) > 50
    for row in book.rows:
        assert row.source.strip(), row.id
        assert dt.date(2020, 1, 1) <= row.date <= dt.date(2026, 12, 2), row.id


def test_each_kind_and_tier_present():
    book = load_book()
    for kind in ("cloud", "api", "server", "chip"):
        assert book.select(kind=kind), kind
    for tier in ("frontier", "mid", "small", "open-weight"):
        assert book.api_offers(tier), tier
    terms = {r.term for r in book.select(kind="cloud")}
    assert {"on-demand", "1-year", "3-year", "spot"} <= terms


def test_every_sold_or_rented_catalog_chip_has_rows():
    book = load_book()
    for chip in load_catalog().values():
        if chip.price_usd is not None or chip.cloud_usd_per_hour is not None:
            assert book.select(chip=chip.id), chip.id


def test_catalog_cloud_rate_is_derived_from_the_book():
    book = load_book()
    for chip in load_catalog().values():
        row = book.catalog_cloud_rate(chip.id)
        assert chip.cloud_usd_per_hour == (None if row is None else row.usd_per_chip_hour), chip.id


def test_catalog_rate_policy_by_hand():
    # H100 SXM on-demand specialist rows: newest is RunPod $2.69 on 2026-05-22 (Lambda $3.99 and
    # Nebius $2.95 are 2026-05-18); hyperscaler AWS $6.88 is ignored while a specialist rate exists.
    row = load_book().catalog_cloud_rate("h100-sxm")
    assert (row.provider, row.usd_per_chip_hour, row.as_of) == ("RunPod", 2.69, "2026-05-22")
    # H100 NVL has only an Azure (hyperscaler) on-demand rate
    assert load_book().catalog_cloud_rate("h100-nvl").usd_per_chip_hour == 6.98


def test_b200_price_is_a_chip_price_before_server_overhead():
    b200 = load_catalog()["b200"]
    dgx = load_book().get("server-b200-dgx-2024-12")
    # installed price with the default 0.4 overhead equals the system price per GPU
    assert b200.price_usd * 1.4 == pytest.approx(dgx.usd_per_server / 8, abs=1.0)


def test_default_api_offer_is_sourced_mid_tier_and_not_zero():
    offer = default_api_offer()
    assert offer.tier == "mid" and offer.source and offer.as_of
    f = api_fields(offer)
    assert f == {"api_price_input": 3.0, "api_price_cached_input": 0.3, "api_price_output": 15.0}
    assert api_fields(offer, usd_to_currency=0.5)["api_price_output"] == 7.5


def test_api_fields_without_cached_price_use_input_price():
    offer = load_book().get("api-together-gpt-oss-120b")
    assert offer.usd_per_m_cached_input is None
    assert api_fields(offer)["api_price_cached_input"] == 0.15


def test_csv_round_trip(tmp_path):
    book = load_book()
    path = tmp_path / "book.csv"
    text = write_csv(book, path)
    assert text.splitlines()[0].split(",") == list(FIELD_NAMES)
    again = read_csv(path)
    assert again.rows == book.rows


def _csv(tmp_path, rows):
    path = tmp_path / "neg.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


HEAD = "id,kind,as_of,source,confidence,chip,provider,term,usd_per_chip_hour"


def test_negotiated_csv_with_few_columns_loads(tmp_path):
    book = read_csv(_csv(tmp_path, [HEAD, "ours-h100,cloud,2026-11-01,our contract,high,h100-sxm,Acme,3-year,1.85"]))
    row = book.get("ours-h100")
    assert row.usd_per_chip_hour == 1.85 and row.term == "3-year"


@pytest.mark.parametrize("line, field, rule", [
    ("x,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,cheap", "usd_per_chip_hour", "must be a number"),
    ("x,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,-1", "usd_per_chip_hour", "must be > 0"),
    ("x,cloud,2026-11-01,contract,high,h100-sxm,Acme,weekly,2", "term", "must be one of"),
    ("x,cloud,01/11/2026,contract,high,h100-sxm,Acme,3-year,2", "as_of", "must be a date"),
    ("x,cloud,2026-11-01,,high,h100-sxm,Acme,3-year,2", "source", "is required"),
    ("x,cloud,2026-11-01,contract,high,,Acme,3-year,2", "chip", "is required for a cloud row"),
    ("x,rent,2026-11-01,contract,high,h100-sxm,Acme,3-year,2", "kind", "must be one of"),
])
def test_bad_csv_row_names_row_and_field(tmp_path, line, field, rule):
    good = "ok,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,2"
    with pytest.raises(ScenarioError) as err:
        read_csv(_csv(tmp_path, [HEAD, good, line]))
    assert err.value.path == f"row 2.{field}"
    assert rule in err.value.rule
    assert "neg.csv" in str(err.value) and f"row 2.{field}" in str(err.value)


def test_duplicate_id_and_unknown_column_are_rejected(tmp_path):
    good = "ok,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,2"
    with pytest.raises(ScenarioError, match="duplicate id"):
        read_csv(_csv(tmp_path, [HEAD, good, good]))
    with pytest.raises(ScenarioError) as err:
        read_csv(_csv(tmp_path, [HEAD + ",discount", good + ",0.1"]))
    assert err.value.path == "row 1.discount"


def test_json_book_bad_row_names_index(tmp_path):
    data = json.loads(resource_file("prices.json").read_text(encoding="utf-8"))
    data["rows"][3]["as_of"] = "2026"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_book(path)
    assert err.value.path == "rows[3].as_of"


def _clock_set_to(monkeypatch, day: dt.date) -> None:
    from tcoapp.scenario import pricebook

    monkeypatch.setattr(pricebook, "_today", lambda: day)
    pricebook._bundled.cache_clear()  # read again under this clock


def test_the_bundled_book_loads_with_the_clock_set_back(monkeypatch):
    """Before: a computer whose clock read 2020 refused the bundled book (its rows are dated 2026), so the
    app could not start; the "not after today" rule is for books the user imports."""
    from tcoapp.scenario import pricebook

    _clock_set_to(monkeypatch, dt.date(2020, 1, 1))
    try:
        assert len(load_book()) > 50
        assert default_api_offer().as_of > "2020-01-02"
    finally:
        pricebook._bundled.cache_clear()


def test_imported_books_are_still_held_to_the_clock(monkeypatch, tmp_path):
    _clock_set_to(monkeypatch, dt.date(2020, 1, 1))
    with pytest.raises(ScenarioError) as err:
        read_csv(_csv(tmp_path, [HEAD, "ours,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,2"]))
    assert err.value.path == "row 1.as_of" and "must not be after today (2020-01-01)" in err.value.rule
    data = json.loads(resource_file("prices.json").read_text(encoding="utf-8"))
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_book(path)
    assert err.value.path.endswith(".as_of") and "must not be after today" in err.value.rule


def test_a_price_cap_says_it_is_in_usd(tmp_path):
    """Every price in a book is in USD, so its cap is too (a count such as chips_per_server is not money)."""
    with pytest.raises(ScenarioError) as err:
        read_csv(_csv(tmp_path, [HEAD, "x,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,2000000"]))
    assert err.value.path == "row 1.usd_per_chip_hour" and err.value.rule == "must be at most USD 1,000,000"
    head = "id,kind,as_of,source,confidence,chip,system,chips_per_server,usd_per_server"
    with pytest.raises(ScenarioError) as err:
        read_csv(_csv(tmp_path, [head, "x,server,2026-11-01,quote,high,h100-sxm,DGX,2048,1000"]))
    assert err.value.rule == "must be at most 1,024"
