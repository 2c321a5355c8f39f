"""Files: save and reopen, bad files, the dirty marker and close prompt, autosave and recovery,
recent files, drag and drop, exports and the tables' TSV copy."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget

from tcoapp.gui.documents import autosave
from tcoapp.scenario.files import load_scenario

from .conftest import settle


def test_create_main_window_opens_the_default_sample(make_window):
    window = make_window(None)
    assert len(window.documents) == 1
    document = window.active
    assert document.path is None and document.display_name() == "chat-assistant-owned-h100 (sample)"
    assert window.findChild(QLabel, "kpi.total_cost").text().startswith("USD ")


def test_save_as_and_reopen(window, make_window, answers, tmp_path):
    window.findChild(QWidget, "inference.requests_per_day").setValue(1_234_567)
    assert window.isWindowModified()
    assert window.doc_tabs.tabText(0).startswith("*")
    target = tmp_path / "saved"  # the .tco suffix is added
    answers.script["save_file"] = str(target)
    assert window.save_as()
    saved = tmp_path / "saved.tco"
    assert saved.is_file()
    assert not window.isWindowModified() and not window.doc_tabs.tabText(0).startswith("*")
    assert window.active.path == saved
    assert load_scenario(saved) == window.active.scenario
    assert autosave.recent_files()[0] == str(saved.resolve())

    other = make_window(saved)
    assert other.active.scenario.inference.requests_per_day == 1_234_567
    assert other.findChild(QWidget, "inference.requests_per_day").value() == 1_234_567


def test_save_writes_in_place(window, scenario_file):
    window.findChild(QWidget, "facility.pue").setValue(1.25)
    window.act_save.trigger()
    assert load_scenario(scenario_file).facility.pue == 1.25
    assert not window.active.dirty


def test_new_document_saves_through_save_as(window, answers, tmp_path):
    document = window.new_document()
    assert document.path is None and window.active is document
    answers.script["save_file"] = str(tmp_path / "new.tco")
    window.act_save.trigger()
    assert document.path == tmp_path / "new.tco"


@pytest.mark.parametrize("content, fragment", [
    (b"{ not json", "not valid JSON"),
    (json.dumps({"format": "tcoapp-scenario", "schema_version": 99, "model": {"params_billion": 1},
                 "inference": {"requests_per_day": 1}}).encode(), "newer schema_version 99"),
    (json.dumps({"format": "tcoapp-scenario", "schema_version": 1, "model": {"params_billion": 1},
                 "inference": {"requests_per_day": -5}}).encode(), "inference.requests_per_day = -5"),
])
def test_bad_file_shows_the_loaders_message_and_changes_nothing(window, answers, tmp_path, content, fragment):
    bad = tmp_path / "bad.tco"
    bad.write_bytes(content)
    stamp = bad.stat().st_mtime_ns
    before = (list(window.documents), window.active.scenario)
    answers.script["open_file"] = str(bad)
    window.act_open.trigger()
    errors = answers.of_kind("error")
    assert len(errors) == 1
    assert fragment in errors[0].text and "bad.tco" in errors[0].text
    assert (list(window.documents), window.active.scenario) == before
    assert bad.read_bytes() == content and bad.stat().st_mtime_ns == stamp


def test_bad_file_at_start_leaves_the_empty_state(make_window, answers, tmp_path):
    bad = tmp_path / "bad.tco"
    bad.write_text("[]")
    window = make_window(bad)
    assert window.documents == []
    assert window.stack.currentWidget() is window.empty
    assert "must be a JSON object" in answers.of_kind("error")[0].text
    window.empty.findChild(QWidget, "empty.new").click()
    assert len(window.documents) == 1


def test_close_asks_to_save_changes(window, answers):
    window.findChild(QWidget, "facility.pue").setValue(1.5)
    answers.script["save_changes"] = "cancel"
    assert not window.close()
    assert window.isVisible()
    answers.script["save_changes"] = "discard"
    assert window.close()
    assert len(answers.of_kind("save_changes")) == 2


def test_close_document_can_save_first(window, answers, scenario_file):
    window.findChild(QWidget, "facility.pue").setValue(1.5)
    answers.script["save_changes"] = "save"
    assert window.close_document(window.active)
    assert load_scenario(scenario_file).facility.pue == 1.5
    assert window.stack.currentWidget() is window.empty


def test_autosave_and_recovery_after_a_crash(window, make_window, answers, data_dir, scenario_file):
    window.findChild(QWidget, "inference.requests_per_day").setValue(777_777)
    assert window.autosave_now() == 1
    session = window.autosave_session.folder
    assert len(list(session.glob("*.tco"))) == 1
    # a crash: the session folder stays and its process is gone
    crashed = session.parent / "999999999-1"
    os.rename(session, crashed)
    info = json.loads((crashed / "session.json").read_text())
    info["pid"] = 999_999_999
    (crashed / "session.json").write_text(json.dumps(info))

    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    assert fresh.offer_recovery() == 1
    recovered = fresh.active
    assert recovered.scenario.inference.requests_per_day == 777_777
    assert recovered.path == scenario_file and recovered.dirty
    assert len(fresh.documents) == 1, "the untouched start sample makes way"
    assert not crashed.exists()
    assert fresh.offer_recovery() == 0


def test_clean_close_leaves_nothing_to_recover(window, answers):
    window.findChild(QWidget, "facility.pue").setValue(1.5)
    window.autosave_now()
    folder = window.autosave_session.folder
    assert folder.exists()
    answers.script["save_changes"] = "discard"
    window.close()
    assert not folder.exists()
    assert autosave.find_recoverable() == []


def test_recent_files_menu(window, scenario_file):
    window._fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert scenario_file.name in texts


def test_drag_and_drop_opens_a_scenario(window, sample_path, tmp_path):
    copy = tmp_path / "dropped.tco"
    copy.write_bytes(sample_path.read_bytes())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(copy))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.active.path == copy
    assert len(window.documents) == 2


def test_export_to_excel_from_the_menu(window, answers, tmp_path, qtbot):
    target = tmp_path / "book.xlsx"
    answers.script["save_file"] = str(target)
    action = next(a for a in window.findChild(QWidget, "menu.export").actions() if a.objectName()
                  == "action.export_excel")
    action.trigger()
    qtbot.waitUntil(lambda: not window.worker.busy, timeout=60000)
    assert target.is_file()
    with zipfile.ZipFile(target) as book:
        assert "xl/workbook.xml" in book.namelist()
    import openpyxl

    assert "Summary" in openpyxl.load_workbook(target).sheetnames
    assert "Exported" in window.status_label.text()


def test_export_csv_and_png(window, answers, tmp_path):
    answers.script["save_file"] = str(tmp_path / "table.csv")
    assert window.export_csv() == tmp_path / "table.csv"
    header = (tmp_path / "table.csv").read_text().splitlines()[0]
    assert header.startswith("Month index,Month,Training compute (USD)")
    answers.script["save_file"] = str(tmp_path / "charts.png")
    written = window.export_png()
    assert [p.name for p in written] == ["charts-monthly-cost.png", "charts-cumulative.png", "charts-yearly.png",
                                         "charts-fleet.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written)


def test_export_to_an_unwritable_place_says_so(window, answers, tmp_path):
    answers.script["save_file"] = str(tmp_path / "missing" / "table.csv")
    assert window.export_csv() is None
    assert "does not exist" in answers.of_kind("error")[0].text


def test_tables_copy_as_tsv(window, qtbot):
    window.show_view("tables")
    settle(window)
    text = window.tables.copy_current()
    assert QGuiApplication.clipboard().text() == text
    lines = text.splitlines()
    assert lines[0].split("\t")[:3] == ["Year", "Period", "Training compute (USD)"]
    assert len(lines) == 1 + window.active.scenario.horizon_years
    summary = window.evaluator.latest.summary
    total_column = lines[0].split("\t").index("Total cost (USD)")
    assert sum(float(line.split("\t")[total_column]) for line in lines[1:]) == pytest.approx(summary["total_cost"])
    window.tables.tabs.setCurrentWidget(window.tables.monthly)
    monthly = window.tables.copy_current().splitlines()
    assert len(monthly) == 1 + 12 * window.active.scenario.horizon_years


def test_help_and_about(window, answers):
    answers.script["dialog"] = "rejected"
    window.act_methodology.trigger()
    dialog = answers.of_kind("dialog")[0].options["dialog"]
    assert "Methodology" in dialog.browser.toPlainText() or "methodology" in dialog.browser.toPlainText()
    window.act_about.trigger()
    about = answers.of_kind("info")[0].text
    assert "Chip catalog as of" in about and "tcoapp" in about


def test_a_sample_named_on_the_command_line_opens_as_an_untitled_copy(answers, qtbot, tmp_path):
    """README's first command is ``tcoapp samples/chat-assistant-owned-h100.tco``: Ctrl+S must not overwrite it."""
    from tcoapp.gui.main import build_window
    from tcoapp.paths import sample_files

    sample = next(p for p in sample_files() if p.name == "chat-assistant-owned-h100.tco")
    original = sample.read_bytes()
    window = build_window([str(sample)])
    window.show()
    qtbot.waitExposed(window)
    try:
        document = window.active
        assert document.path is None and "sample" in document.display_name()
        pue = window.findChild(QWidget, "facility.pue")
        pue.setValue(1.45)
        target = tmp_path / "mine.tco"
        answers.script["save_file"] = str(target)
        window.act_save.trigger()  # Ctrl+S
        assert answers.of_kind("save_file"), "Save asked where to write"
        assert sample.read_bytes() == original, "the bundled sample is untouched"
        assert target.is_file() and document.path == target
    finally:
        for d in window.documents:
            d.undo_stack.setClean()
        window.shutdown_for_tests()
        window.close()


def test_opening_a_version_1_file_says_once_that_the_estimate_changed(window, answers, tmp_path):
    import shutil

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "v1" / "full.tco"
    path = tmp_path / "old.tco"
    shutil.copy(fixture, path)
    window.open_file(path)
    notes = [q for q in answers.of_kind("info") if "older scenario file" in q.title]
    assert len(notes) == 1 and "throughput estimate changed" in notes[0].text
    window.open_file(path)  # already open: activated, not told again
    assert len([q for q in answers.of_kind("info") if "older scenario file" in q.title]) == 1
    current = tmp_path / "new.tco"
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "v2" / "full.tco", current)
    window.open_file(current)
    assert len([q for q in answers.of_kind("info") if "older scenario file" in q.title]) == 1
