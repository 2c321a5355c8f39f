"""The programme window, driven through its real widgets (issue 11, item 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tcoapp.paths import samples_dir
from tcoapp.reports.programme_report import budget_rows, build_programme_report
from tcoapp.gui.widgets.formatting import compact_money
from tcoapp.reports.report import MONEY_KEYS, format_value
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.programme import evaluate_programme, load_programme

SAMPLE = samples_dir() / "company-programme.tco"


def _report(programme):
    return build_programme_report(programme, evaluate_programme(programme))


def _kpis_match(window, programme) -> None:
    report = _report(programme)
    for key, label in window.kpis.items():
        exact = format_value(key, report["summary"][key], programme.currency, programme.start_month)
        assert label.toolTip() == exact, key  # the exact figure; the card itself may be compact (USD 77.1 M)
        value = report["summary"][key]
        assert label.text() == (compact_money(value, programme.currency) if key in MONEY_KEYS else exact), key
    assert window.report["summary"] == report["summary"]


def test_opens_sample_with_workloads_and_kpis(pwindow):
    names = [pwindow.workloads.item(i).text() for i in range(pwindow.workloads.count())]
    assert names == ["Assistant v1", "Assistant v2", "Coding agent", "Support bot"]
    _kpis_match(pwindow, load_programme(SAMPLE))
    assert pwindow.kpis["total_cost"].text().startswith("USD ")


def test_edit_workload_input_redraws_kpis_and_undo_restores(pwindow, qtbot):
    before_text = pwindow.kpis["total_cost"].text()
    pwindow.select_workload(1)
    assert pwindow.editor.document.scenario.name == "Assistant v2"
    spin = pwindow.editor.input_widget("inference.annual_growth")
    assert spin.value() == pytest.approx(0.4)
    with qtbot.waitSignal(pwindow.evaluated, timeout=5000):
        spin.setValue(0.7)
    programme = pwindow.document.programme
    assert programme.workloads[1].inference.annual_growth == pytest.approx(0.7)
    assert programme.workloads[0].inference.annual_growth == pytest.approx(0.6)  # other workloads untouched
    # independent: the sample file edited by hand, evaluated without the GUI
    data = json.loads(SAMPLE.read_text())
    data["workloads"][1]["inference"]["annual_growth"] = 0.7
    from tcoapp.scenario.programme import programme_from_dict
    _kpis_match(pwindow, programme_from_dict(data))
    assert pwindow.kpis["total_cost"].text() != before_text  # more growth, more cost
    assert pwindow.document.undo_stack.undoText() == "Change Assistant v2: Demand growth"
    assert pwindow.windowTitle().startswith("company.tco *")
    with qtbot.waitSignal(pwindow.evaluated, timeout=5000):
        pwindow.undo_action.trigger()
    assert pwindow.document.programme == load_programme(pwindow.document.path)
    assert pwindow.kpis["total_cost"].text() == before_text
    assert spin.value() == pytest.approx(0.4)
    assert not pwindow.document.dirty


def test_shared_edit_changes_every_workload(pwindow):
    pwindow.select_workload(2)
    pwindow.editor.input_widget("facility.pue").setValue(1.5)
    programme = pwindow.document.programme
    assert programme.facility.pue == pytest.approx(1.5)
    assert pwindow.document.undo_stack.undoText() == "Change PUE (shared)"
    pwindow.select_workload(0)
    assert pwindow.editor.input_widget("facility.pue").value() == pytest.approx(1.5)


def test_rejected_edit_names_the_rule_and_changes_nothing(pwindow):
    pwindow.select_workload(0)
    before = pwindow.document.programme
    row = pwindow.editor.rows["inference.end_month"]
    row.commit(0)  # before the launch month 4
    assert pwindow.document.programme == before
    assert row.message.text().startswith("Not applied:")


def test_add_duplicate_remove_reorder_are_undoable(pwindow, qtbot):
    doc = pwindow.document
    original = doc.programme
    pwindow.buttons["add"].click()
    assert doc.programme.names[-1] == "New workload" and pwindow.current_index == 4
    assert doc.undo_stack.undoText() == "Add workload New workload"
    pwindow.select_workload(1)
    pwindow.buttons["duplicate"].click()
    assert doc.programme.names[:3] == ["Assistant v1", "Assistant v2", "Assistant v2 copy"]
    assert doc.programme.workloads[2].inference == doc.programme.workloads[1].inference
    pwindow.select_workload(0)
    pwindow.buttons["down"].click()
    assert doc.programme.names[:2] == ["Assistant v2", "Assistant v1"] and pwindow.current_index == 1
    with qtbot.waitSignal(pwindow.evaluated, timeout=5000):  # the debounced evaluation
        pwindow.buttons["remove"].click()
    assert "Assistant v1" not in doc.programme.names
    assert pwindow.workloads.count() == len(doc.programme.workloads) == 5
    _kpis_match(pwindow, doc.programme)
    with qtbot.waitSignal(pwindow.evaluated, timeout=5000):
        for _ in range(4):
            pwindow.undo_action.trigger()
    assert doc.programme == original
    assert pwindow.workloads.count() == 4
    _kpis_match(pwindow, original)


def test_last_workload_cannot_be_removed(pwindow):
    for _ in range(3):
        pwindow.buttons["remove"].click()
    assert len(pwindow.document.programme.workloads) == 1
    assert not pwindow.buttons["remove"].isEnabled()


def test_import_scenario_says_what_it_left_behind(pwindow, answers):
    scenario_path = samples_dir() / "deployment-cloud.tco"
    answers.script["open_file"] = str(scenario_path)
    pwindow.buttons["import"].click()
    doc = pwindow.document
    scenario = load_scenario(scenario_path)
    assert len(doc.programme.workloads) == 5
    workload = doc.programme.workloads[4]
    assert workload.inference == scenario.inference and workload.model == scenario.model
    assert pwindow.current_index == 4
    info = answers.of_kind("info")
    programme = load_programme(SAMPLE)
    if scenario.facility.pue != programme.facility.pue:
        assert any(line.startswith("facility.pue:") for line in info[-1].options["left_behind"])
    assert doc.programme.facility == programme.facility  # the programme's shared values are kept
    pwindow.undo_action.trigger()
    assert len(doc.programme.workloads) == 4


def test_autosave_writes_a_recoverable_file(pwindow, data_dir):
    from tcoapp.gui.documents.programme import find_recoverable_programmes

    assert pwindow.autosave_now() is None  # nothing to save while clean
    pwindow.select_workload(3)
    pwindow.editor.input_widget("inference.annual_growth").setValue(0.9)
    path = pwindow.autosave_now()
    assert path is not None and path.is_relative_to(data_dir)
    recovered = find_recoverable_programmes(include_alive=True)
    assert len(recovered) == 1
    programme, note, _ = recovered[0]
    assert programme == pwindow.document.programme
    assert note["original_path"] == str(pwindow.document.path)
    assert find_recoverable_programmes() == []  # this process is alive: nothing to recover yet
    pwindow.document.save()
    assert find_recoverable_programmes(include_alive=True) == []  # saving removes the autosave


def test_budget_table_sums_equal_the_report(pwindow):
    table = pwindow.budget
    report = pwindow.report
    rows = budget_rows(report)
    assert table.rowCount() == len(rows)
    columns = {table.horizontalHeaderItem(c).text().split(" (")[0].lower(): c for c in range(table.columnCount())}
    years = len(report["yearly"]["total"])
    for key, yearly_key in (("training", "training"), ("inference", "inference"), ("capex", "capex"),
                            ("cash", "cash_total")):
        for y in range(years):
            total = sum(table.item(r, columns[key]).data(0x0100) for r in range(table.rowCount())
                        if table.item(r, 0).text() == str(y + 1))
            assert total == pytest.approx(report["yearly"][yearly_key][y], rel=1e-9, abs=1e-6)
    opex_total = sum(table.item(r, columns["opex"]).data(0x0100) for r in range(table.rowCount()))
    assert opex_total == pytest.approx(sum(report["yearly"]["cash_total"]) - sum(report["yearly"]["capex"]))


def test_inference_share_and_industry_sources(pwindow, qtbot):
    report = pwindow.report
    shares = pwindow.inference_share_rows()
    y = report["yearly"]
    assert [r["share"] for r in shares] == pytest.approx([i / t for i, t in zip(y["inference"], y["total"])])
    assert shares[0]["calendar_year"] == 2026
    industry = json.loads((Path(samples_dir()).parent / "resources" / "industry.json").read_text())["inference_share"]
    assert pwindow.industry.rowCount() == len(industry)
    assert "Deloitte" in pwindow.industry.item(0, 3).text()
    qtbot.waitUntil(lambda: not pwindow._charts_timer.isActive())
    assert pwindow.charts["cost"].figure.axes and not pwindow.charts["share"].figure.axes  # hidden: drawn when shown
    pwindow.tabs.setCurrentIndex(3)
    assert pwindow.charts["share"].figure.axes[0].get_title() == "Inference share per year"


def test_idle_capacity_chart_draws_inference_unallocated(pwindow, qtbot):
    qtbot.waitUntil(lambda: not pwindow._charts_timer.isActive())
    pwindow.tabs.setCurrentIndex(2)
    line = pwindow.charts["idle"].figure.axes[0].lines[0]
    assert list(line.get_ydata()) == pytest.approx(
        [0.0 if v is None else v for v in pwindow.report["series"]["inference_unallocated"]])


def test_file_open_hook_opens_programme_window(qtbot, answers, programme_file, make_window):
    from tcoapp.gui.views.programme import ProgrammeWindow, open_programme_windows

    window = make_window()
    before = set(open_programme_windows())
    assert window.open_file(programme_file) is None
    new = [w for w in open_programme_windows() if w not in before]
    assert len(new) == 1 and isinstance(new[0], ProgrammeWindow)
    assert new[0].document.path == programme_file
    new[0].close()


def test_screenshot_renders_the_programme_window(tmp_path, run_main):
    out = tmp_path / "programme.png"
    assert run_main(["--screenshot", str(out), str(SAMPLE), "--view", "budget"]) == 0
    assert out.stat().st_size > 10000


def _engine_summary(data: dict) -> dict:
    """The programme's summary straight from the engine (tcoapp.engine.programme), not through the report."""
    from tcoapp.engine.programme import run_programme
    from tcoapp.scenario.batch import stack
    from tcoapp.scenario.programme import programme_from_dict, programme_inputs

    programme = programme_from_dict(data)
    result = run_programme(stack(programme_inputs(programme)), 12 * programme.horizon_years,
                           len(programme.workloads), shared_fleets=programme.shared_fleets)
    return {key: float(values[0]) for key, values in result.summary.items()}, result


def test_workload_edit_shows_the_engines_kpis_for_the_edited_programme(pwindow, qtbot):
    pwindow.select_workload(2)  # Coding agent, on rented cloud chips
    spin = pwindow.editor.input_widget("inference.requests_per_day")
    assert spin.value() == pytest.approx(400_000)
    with qtbot.waitSignal(pwindow.evaluated, timeout=5000):
        spin.setValue(800_000)
    data = json.loads(SAMPLE.read_text())
    data["workloads"][2]["inference"]["requests_per_day"] = 800_000
    summary, result = _engine_summary(data)
    programme = pwindow.document.programme
    for key in ("total_cost", "training_cost", "inference_cost", "npv_total", "peak_chips", "energy_mwh",
                "revenue_total", "profit"):
        assert pwindow.report["summary"][key] == pytest.approx(summary[key], rel=1e-12), key
        exact = format_value(key, summary[key], programme.currency, programme.start_month)
        assert pwindow.kpis[key].toolTip() == exact, key
        if key in MONEY_KEYS:  # the card as finance writes it: USD 77.1 M
            scaled = summary[key] / 1e6
            assert pwindow.kpis[key].text() == f"USD {scaled:,.{1 if abs(scaled) >= 10 else 2}f} M", key
        else:
            assert pwindow.kpis[key].text() == exact, key
    # the programme's identities, by hand: total = training + inference = the workloads' totals + the idle capacity
    assert summary["total_cost"] == pytest.approx(summary["training_cost"] + summary["inference_cost"], rel=1e-12)
    workloads_total = sum(float(result.workload(0, w).summary["total_cost"][0]) for w in range(4))
    idle = float(result.series["inference_unallocated"][0].sum())
    assert summary["total_cost"] == pytest.approx(workloads_total + idle, rel=1e-12)
    before, _ = _engine_summary(json.loads(SAMPLE.read_text()))
    assert summary["inference_cost"] > before["inference_cost"]  # twice the coding agent's traffic costs more
    assert summary["training_cost"] == pytest.approx(before["training_cost"], rel=1e-12)  # training is unchanged


def test_charts_follow_an_edit_in_place_and_show_the_report(pwindow, qtbot):
    qtbot.waitUntil(lambda: not pwindow._charts_timer.isActive())
    cost = pwindow.charts["cost"]
    qtbot.waitUntil(lambda: cost._static is not None)  # the first full render happened
    figure_axes = list(cost.figure.axes)
    pwindow.select_workload(1)
    with qtbot.waitSignal(pwindow.charts_drawn, timeout=5000):
        pwindow.editor.input_widget("inference.annual_growth").setValue(0.41)
    assert cost.figure.axes == figure_axes  # updated, not rebuilt
    assert cost.last_redraw in ("blit", "axes")
    # the top of the stack is the programme's total cost per month (the engine's sum of workloads and idle)
    top = cost.chart.moving_artists()[-1]
    values, _edges, _baseline = (list(v) for v in (top.get_data().values, top.get_data().edges,
                                                     top.get_data().baseline))
    assert values == pytest.approx([0.0 if v is None else v for v in pwindow.report["series"]["total"]], rel=1e-9)
    ax = cost.figure.axes[0]
    assert ax.get_ylim()[1] >= max(values)


def test_move_up_and_rename_through_the_widgets(pwindow, qtbot):
    doc = pwindow.document
    pwindow.workloads.setCurrentRow(2)  # a click on "Coding agent"
    assert pwindow.editor.document.scenario.name == "Coding agent"
    pwindow.buttons["up"].click()
    assert doc.programme.names == ["Assistant v1", "Coding agent", "Assistant v2", "Support bot"]
    assert pwindow.workloads.currentItem().text() == "Coding agent" and pwindow.current_index == 1
    assert doc.undo_stack.undoText() == "Move workload Coding agent"
    before = doc.programme
    row = pwindow.editor.rows["name"]
    row.commit("Support bot")  # taken
    assert doc.programme == before
    assert row.message.text() == ('Not applied: "Support bot" is already the name of another workload (workloads[3]); '
                                  "names must be unique")
    row.commit("Coder")
    assert doc.programme.names[1] == "Coder" and pwindow.workloads.item(1).text() == "Coder"
    assert doc.undo_stack.undoText() == "Rename workload Coding agent to Coder"
    # its uncertain input is renamed with it (the sample has one on the coding agent's traffic)
    assert "Coder/inference.requests_per_day" in doc.programme.uncertainty
    assert "Coding agent/inference.requests_per_day" not in doc.programme.uncertainty
    pwindow.undo_action.trigger()
    pwindow.undo_action.trigger()
    assert doc.programme == load_programme(SAMPLE) and pwindow.workloads.item(2).text() == "Coding agent"


def _scenario_with_the_programmes_shared_values(programme: dict) -> dict:
    """A scenario file (the coding agent's sections) whose shared values are the programme's own."""
    workload = programme["workloads"][2]
    return {"format": "tcoapp-scenario", "schema_version": 2, "name": "Mine",
            **{key: programme[key] for key in ("currency", "start_month", "horizon_years", "finance", "facility")},
            **{key: workload[key] for key in ("model", "training", "inference", "business") if key in workload}}


def test_import_names_every_shared_value_it_left_behind(pwindow, answers, tmp_path):
    programme = json.loads(SAMPLE.read_text())
    scenario = _scenario_with_the_programmes_shared_values(programme)
    scenario["facility"] = dict(scenario["facility"], pue=1.9)
    scenario["finance"] = dict(scenario["finance"], discount_rate=0.21)
    path = tmp_path / "mine.tco"
    path.write_text(json.dumps(scenario))
    answers.script["open_file"] = str(path)
    pwindow.buttons["import"].click()
    [info] = answers.of_kind("info")
    assert info.options["left_behind"] == ["finance.discount_rate: 0.21 (programme: 0.08)",
                                           "facility.pue: 1.9 (programme: 1.3)"]  # the sample's, by hand
    assert "facility.pue: 1.9" in info.detail and info.text.startswith("mine.tco is now the workload 'Mine'")
    assert pwindow.document.programme.facility.pue == 1.3  # the programme's value is used
    assert pwindow.workloads.item(4).text() == "Mine" and pwindow.current_index == 4

    answers.asked.clear()
    (tmp_path / "same.tco").write_text(json.dumps(_scenario_with_the_programmes_shared_values(programme)))
    answers.script["open_file"] = str(tmp_path / "same.tco")
    pwindow.buttons["import"].click()
    [info] = answers.of_kind("info")
    assert info.options["left_behind"] == [] and "Nothing was left behind" in info.text
    assert pwindow.document.programme.names[-1] == "Mine 2"
    pwindow.undo_action.trigger()
    pwindow.undo_action.trigger()
    assert pwindow.document.programme == load_programme(SAMPLE)


@pytest.mark.parametrize("view", ["idle", "share"])
def test_screenshot_of_the_idle_and_share_views(tmp_path, run_main, view):
    from PySide6.QtGui import QImage

    out = tmp_path / f"{view}.png"
    assert run_main(["--screenshot", str(out), str(SAMPLE), "--view", view]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_export_to_excel_writes_the_edited_programme_with_its_numbers(pwindow, qtbot, answers, tmp_path):
    """File > Export to Excel writes the workbook of the programme as edited (not as saved), values cached."""
    import openpyxl

    from tcoapp.scenario.programme import programme_from_dict

    pwindow.select_workload(2)
    with qtbot.waitSignal(pwindow.evaluated, timeout=5000):
        pwindow.editor.input_widget("inference.requests_per_day").setValue(123_456)
    target = tmp_path / "budget"  # the suffix is added
    answers.script["save_file"] = str(target)
    action = next(a for a in pwindow.menuBar().actions()[0].menu().actions() if a.text() == "Export to &Excel...")
    action.trigger()
    written = tmp_path / "budget.xlsx"
    qtbot.waitUntil(lambda: pwindow.statusBar().currentMessage() == f"Exported {written}", timeout=60_000)
    assert not answers.of_kind("error")
    # independent: the sample edited by hand and evaluated without the GUI
    data = json.loads(SAMPLE.read_text())
    data["workloads"][2]["inference"]["requests_per_day"] = 123_456
    expected = _report(programme_from_dict(data))["summary"]
    book = openpyxl.load_workbook(written, data_only=True)
    names = book.defined_names
    for key in ("total_cost", "inference_cost", "training_cost"):
        ((sheet, ref),) = list(names[f"prog_summary_{key}"].destinations)
        assert book[sheet][ref.replace("$", "")].value == pytest.approx(expected[key], rel=1e-9), key


def test_export_to_excel_refuses_a_folder_with_a_message(pwindow, answers, tmp_path):
    folder = tmp_path / "taken.xlsx"
    folder.mkdir()
    answers.script["save_file"] = str(folder)
    assert pwindow.export_excel() is None
    (error,) = answers.of_kind("error")
    assert "taken.xlsx" in error.text and folder.is_dir()


def test_duplicate_and_add_name_uniquely_ignoring_case(qtbot):
    # the programme refuses names that differ only in case or spaces; "Assistant v1 copy" beside an existing
    # "assistant V1 COPY" failed to validate, so Duplicate did nothing but raise
    from tcoapp.gui.documents.programme import ProgrammeDocument
    from tcoapp.scenario.programme import programme_from_dict

    programme = load_programme(SAMPLE)
    data = programme.model_dump()
    data["workloads"][3]["name"] = "assistant V1 COPY"
    data["workloads"][2]["name"] = "new workload"
    data["uncertainty"] = {}
    doc = ProgrammeDocument(programme_from_dict(dict(data, format="tcoapp-programme", schema_version=1)))
    assert doc.duplicate_workload(0) == 1
    assert doc.programme.names[1] == "Assistant v1 copy 2"
    doc.add_workload()
    assert doc.programme.names[-1] == "New workload 2"
