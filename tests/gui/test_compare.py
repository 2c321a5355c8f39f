"""Compare: every open scenario a column, the active one marked, deltas against a base, one currency."""

from __future__ import annotations

import csv
import io

import pytest

from tcoapp.gui.views.compare import COMPARE_KEYS, build_comparison, comparison_csv
from tcoapp.gui.views.results import evaluate_scenario
from tcoapp.paths import sample_files
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values


def _row(key):
    return [k for k, _ in COMPARE_KEYS].index(key)


def test_every_open_scenario_is_a_column_and_the_active_one_is_marked(make_window, scenario_file, qtbot):
    window = make_window(scenario_file)
    view = window.show_view("compare")  # built before the others are opened
    for sample in sample_files():
        window.open_sample(sample)
    assert len(window.documents) == 7
    qtbot.waitUntil(lambda: view.table.columnCount() == 7, timeout=3000)
    view.refresh()
    headers = [view.table.horizontalHeaderItem(c) for c in range(7)]
    active = window.documents.index(window.active)
    assert headers[active].text().startswith("▶ ")
    assert sum(h.text().startswith("▶ ") for h in headers) == 1
    long_name = next(h for h in headers if "reasoning-model-long-thinking" in h.toolTip())
    assert "…" in long_name.text() and "reasoning-model-long-thinking (sample)" in long_name.toolTip()
    assert long_name.text().split("…")[0].lstrip("▶ ") and long_name.text().split("…")[1], "elided in the middle"
    window.activate(window.documents[2])
    qtbot.waitUntil(lambda: view.table.horizontalHeaderItem(2).text().startswith("▶ "), timeout=3000)


def test_deltas_against_the_chosen_base(make_window, sample_path, qtbot, tmp_path):
    window = make_window(sample_path)
    owned = next(p for p in sample_files() if p.name == "deployment-owned.tco")
    window.open_file(owned)
    view = window.show_view("compare")
    view.base_box.setCurrentIndex(1)
    view.refresh()
    columns = view.comparison["columns"]
    base_total = columns[1]["values"]["total_cost"]
    other_total = columns[0]["values"]["total_cost"]
    absolute, relative = columns[0]["deltas"]["total_cost"]
    assert absolute == pytest.approx(other_total - base_total)
    assert relative == pytest.approx((other_total - base_total) / base_total)
    cell = view.table.item(_row("total_cost"), 0).text()
    assert "%" in cell and "\n" in cell
    assert "\n" not in view.table.item(_row("total_cost"), 1).text(), "the base shows no delta to itself"
    written = view.export_csv(tmp_path / "comparison.csv")
    rows = list(csv.reader(io.StringIO(written.read_text(encoding="utf-8"))))
    total = next(r for r in rows if r[0] == "Lifetime cost")
    assert float(total[2]) == pytest.approx(other_total) and float(total[3]) == pytest.approx(absolute)
    assert float(total[4]) == pytest.approx(100 * relative)


def test_one_reporting_currency_converts_every_column():
    usd = load_scenario(next(p for p in sample_files() if p.name == "deployment-owned.tco"))
    eur = with_values(usd, {"currency": "EUR", "finance.usd_to_currency": 0.9})  # amounts typed stay, rate 0.9
    evaluations = [evaluate_scenario(usd), evaluate_scenario(eur)]
    in_eur = build_comparison(["usd", "eur"], evaluations, base=1)
    assert in_eur["currency"] == "EUR" and in_eur["converted"]
    usd_total = evaluations[0].summary["total_cost"]
    assert in_eur["columns"][0]["values"]["total_cost"] == pytest.approx(usd_total * 0.9)
    assert in_eur["columns"][1]["values"]["total_cost"] == evaluations[1].summary["total_cost"]
    in_usd = build_comparison(["usd", "eur"], evaluations, base=1, currency="USD")
    assert in_usd["columns"][1]["values"]["total_cost"] == pytest.approx(evaluations[1].summary["total_cost"] / 0.9)
    assert in_usd["columns"][0]["values"]["total_cost"] == usd_total
    assert in_usd["columns"][0]["values"]["inference_share"] == evaluations[0].summary["inference_share"]
    assert "Lifetime cost,EUR" in comparison_csv(in_eur)


def test_columns_can_be_reordered_and_hidden(make_window, sample_path):
    window = make_window(sample_path)
    window.open_file(next(p for p in sample_files() if p.name == "deployment-owned.tco"))
    view = window.show_view("compare")
    header = view.table.horizontalHeader()
    assert header.sectionsMovable()
    header.moveSection(0, 1)
    assert header.logicalIndex(0) == 1
    view.table.setColumnHidden(0, True)
    assert view.table.isColumnHidden(0)


def test_an_open_programme_is_a_column_and_its_edits_refresh_it(make_window, scenario_file, qtbot, answers, tmp_path):
    """Compare lists every open scenario and programme; a programme's column is its own engine result."""
    import shutil

    from tcoapp.gui.views.programme import open_programme_window
    from tcoapp.paths import samples_dir
    from tcoapp.reports.programme_report import build_programme_report
    from tcoapp.scenario.programme import evaluate_programme, load_programme

    answers.script["save_changes"] = "discard"
    window = make_window(scenario_file)
    programme_file = tmp_path / "company.tco"
    shutil.copy(samples_dir() / "company-programme.tco", programme_file)
    programme_window = open_programme_window(programme_file)
    qtbot.addWidget(programme_window)
    view = window.show_view("compare")
    view.refresh()
    assert view.table.columnCount() == 2
    header = view.table.horizontalHeaderItem(1)
    assert "(programme)" in header.toolTip() and str(programme_file) in header.toolTip()
    programme = load_programme(programme_file)
    expected = build_programme_report(programme, evaluate_programme(programme))["summary"]["total_cost"]
    assert view.comparison["columns"][1]["values"]["total_cost"] == pytest.approx(expected, rel=1e-12)
    scenario_total = evaluate_scenario(load_scenario(scenario_file)).summary["total_cost"]
    absolute, _ = view.comparison["columns"][1]["deltas"]["total_cost"]
    assert absolute == pytest.approx(expected - scenario_total)
    # an edit in the programme window makes the comparison follow
    programme_window.select_workload(0)
    with qtbot.waitSignal(programme_window.evaluated, timeout=5000):
        programme_window.editor.input_widget("inference.requests_per_day").setValue(9_000_000)
    qtbot.waitUntil(lambda: view.comparison["columns"][1]["values"]["total_cost"] != pytest.approx(expected),
                    timeout=5000)
    assert view.comparison["columns"][1]["values"]["total_cost"] == pytest.approx(
        programme_window.report["summary"]["total_cost"], rel=1e-12)
    programme_window.close()


# -- formats (issue 15, item 6) ----------------------------------------------------------------------
def test_small_deltas_carry_the_unit_and_are_never_scientific_or_minus_zero():
    from tcoapp.gui.views.compare import delta_text as shown

    def delta_text(*args):  # a no-break space before "%" keeps "(-4.2 %)" on one line
        return shown(*args).replace("\u00a0", " ")

    # 0.00100 against 0.00104 USD a request: -0.0000441 USD, -4.1 % (worked by hand)
    assert delta_text("cost_per_request", (-4.41e-05, -4.41e-05 / 0.00104), "USD") == "USD -0.0000441 (-4.2 %)"
    assert delta_text("total_cost", (2_500_000.0, 0.05), "EUR") == "EUR +2.50 M (+5.0 %)"
    assert delta_text("total_cost", (8.4e6, 2.427), "EUR") == "EUR +8.40 M (+243 %)"
    assert delta_text("total_cost", (-1e-9, -1e-16), "USD") == "no change"  # a rounding residue
    assert delta_text("crossover_month", (-0.0, None), "USD") == "no change"
    assert delta_text("inference_share", (-1e-5, -1e-5), "USD") == "0.0 pts"
    assert delta_text("peak_chips", (40.0, 0.5), "USD") == "+40 chips (+50 %)"


def test_energy_of_a_cloud_or_api_scenario_is_a_dash_not_zero(make_window, tmp_path):
    import openpyxl

    by_name = {p.name: p for p in sample_files()}
    window = make_window(by_name["deployment-cloud.tco"])
    window.open_file(by_name["deployment-api.tco"])
    window.open_file(by_name["deployment-owned.tco"])
    view = window.show_view("compare")
    view.refresh()
    names = [view.table.horizontalHeaderItem(c).toolTip() for c in range(3)]
    row = _row("energy_mwh")
    for c, name in enumerate(names):
        item = view.table.item(row, c)
        if "deployment-owned" in name:
            assert item.text().split("\n")[0] not in ("—", "0")
        else:
            price = "rental" if "cloud" in name else "API"
            assert item.text() == "—" and f"n the {price} price" in item.toolTip(), (name, item.text())
    for r in range(view.table.rowCount()):
        for c in range(3):
            text = view.table.item(r, c).text()
            assert "e-0" not in text and "e+" not in text and "-0\n" not in text and not text.endswith("-0"), text
    rows = list(csv.reader(io.StringIO(comparison_csv(view.comparison))))
    energy = next(r for r in rows if r[0] == COMPARE_KEYS[row][1])
    assert rows[0][-1] == "note" and "rental price" in energy[-1] and "API price" in energy[-1]
    values = {h: energy[i] for i, h in enumerate(rows[0]) if i >= 2 and "delta" not in h and h != "note"}
    assert len(values) == 3, rows[0]
    for header, cell in values.items():  # empty for cloud and API, never "0"; the owned one a number
        assert (cell == "") == ("owned" not in header), (header, cell)
    assert not any("e-" in cell or "e+" in cell for line in rows[1:] for cell in line[2:-1])
    written = view.export_workbook(tmp_path / "comparison.xlsx")
    ws = openpyxl.load_workbook(written)["Comparison"]
    label_row = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("Inference energy"))
    cloud = ws.cell(label_row, 2)  # the base, deployment-cloud, first
    assert cloud.value is None and "rental price" in cloud.comment.text
    owned = next(ws.cell(label_row, c).value for c in range(2, 5) if "owned" in str(ws.cell(4, c).value))
    assert isinstance(owned, float) and owned > 0


def test_a_programme_column_keeps_its_tag_whole(make_window, scenario_file, qtbot, answers, tmp_path):
    """ "Company…gramme)": the tag was elided with the name; now only the name is, like "(base)"."""
    import shutil

    from tcoapp.gui.views.programme import open_programme_window
    from tcoapp.paths import samples_dir

    answers.script["save_changes"] = "discard"
    window = make_window(scenario_file)
    programme_file = tmp_path / "company-wide-assistant-programme-2026.tco"
    shutil.copy(samples_dir() / "company-programme.tco", programme_file)
    programme_window = open_programme_window(programme_file)
    qtbot.addWidget(programme_window)
    view = window.show_view("compare")
    view.refresh()
    name, tag = view.table.horizontalHeaderItem(1).text().split("\n")
    assert tag == "(programme)" and "…" in name, (name, tag)
    assert name.startswith("company") and name.endswith("2026") and ".tco" not in name
    view.base_box.setCurrentIndex(1)
    view.refresh()
    assert view.table.horizontalHeaderItem(1).text().endswith("\n(programme, base)")
    programme_window.close()
