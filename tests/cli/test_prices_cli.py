"""tcoapp-cli prices: listing, filters, JSON, CSV export and import."""

from __future__ import annotations

import json

from tcoapp.cli.main import main


def test_prices_lists_dated_sourced_rows_for_a_chip(capsys):
    assert main(["prices", "--chip", "mi300x"]) == 0
    out = capsys.readouterr().out
    assert "cloud-mi300x-tensorwave-on-demand" in out and "$1.5/chip-h on-demand" in out
    assert "2026-05-18" in out and "cliffcenter.com" in out
    assert "h100-sxm" not in out.replace("New scenarios", "")


def test_prices_json_kind_filter(capsys):
    assert main(["prices", "--json", "--kind", "server"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "tcoapp-price-book"
    assert doc["rows"] and {r["kind"] for r in doc["rows"]} == {"server"}
    assert all(r["source"] and r["as_of"] for r in doc["rows"])


def test_prices_names_the_default_api_offer(capsys):
    assert main(["prices", "--kind", "api", "--tier", "mid"]) == 0
    out = capsys.readouterr().out
    assert "New scenarios take API prices from api-anthropic-claude-sonnet-4-6" in out
    assert "small" not in {line.split()[2] for line in out.splitlines()[1:-1]}


def test_prices_csv_export_then_import(tmp_path, capsys):
    out_csv = tmp_path / "cloud.csv"
    assert main(["prices", "--kind", "cloud", "--csv", str(out_csv)]) == 0
    capsys.readouterr()
    n = len(out_csv.read_text(encoding="utf-8").splitlines()) - 1
    assert main(["prices", "--import", str(out_csv), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["rows"]) == n and n > 20


def test_prices_import_bad_row_exits_2_naming_row_and_field(tmp_path, capsys):
    path = tmp_path / "neg.csv"
    path.write_text("id,kind,as_of,source,confidence,chip,provider,term,usd_per_chip_hour\n"
                    "a,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,2\n"
                    "b,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,two\n", encoding="utf-8")
    assert main(["prices", "--import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "neg.csv: row 2.usd_per_chip_hour = 'two': must be a number" in err


def test_prices_unknown_chip_exits_2(capsys):
    assert main(["prices", "--chip", "h900"]) == 2
    assert "h900" in capsys.readouterr().err


def test_prices_import_refuses_a_price_dated_in_the_future(tmp_path, capsys):
    """A row dated 9999-12-31 would count as the newest price seen and win every 'newest' choice."""
    path = tmp_path / "future.csv"
    path.write_text("id,kind,as_of,source,confidence,chip,provider,term,usd_per_chip_hour\n"
                    "a,cloud,2026-11-01,contract,high,h100-sxm,Acme,3-year,2\n"
                    "b,cloud,9999-12-31,contract,high,h100-sxm,Acme,3-year,1\n", encoding="utf-8")
    assert main(["prices", "--import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 2.as_of = '9999-12-31': must not be after today" in err and err.count("\n") == 1
