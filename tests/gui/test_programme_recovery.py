"""A programme's work is never lost or misplaced (issue 11, item 1), as a scenario's is (issue 12):
autosaved programmes are offered at start-up, tied to their file by its absolute path, kept until saved
or discarded; a file changed on disk is not silently overwritten; a read-only file is refused."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tcoapp.gui.documents import autosave
from tcoapp.paths import samples_dir
from tcoapp.scenario.programme import load_programme

SAMPLE = samples_dir() / "company-programme.tco"
GROWTH = "inference.annual_growth"  # Support bot's (workload 3) is 0.3 in the sample


@pytest.fixture(autouse=True)
def close_programme_windows():
    yield
    from tcoapp.gui.views.programme import open_programme_windows

    for window in open_programme_windows():
        window.document.undo_stack.setClean()
        window.close()


def _edit_growth(window, value: float) -> None:
    window.select_workload(3)
    window.editor.input_widget(GROWTH).setValue(value)
    assert window.document.programme.workloads[3].inference.annual_growth == pytest.approx(value)


def _crash(window) -> Path:
    """What a crash of the programme window's process leaves: its autosave folder, with a process that is gone."""
    assert window.autosave_now() is not None
    session = autosave.programme_session_folder()
    crashed = session.parent / f"999999{len(list(session.parent.iterdir()))}-1-programmes"
    os.rename(session, crashed)
    info = json.loads((crashed / "session.json").read_text())
    info["pid"] = 999_999_999
    (crashed / "session.json").write_text(json.dumps(info))
    return crashed


def _new_windows(before) -> list:
    from tcoapp.gui.views.programme import open_programme_windows

    return [w for w in open_programme_windows() if w not in before]


def _change_on_disk(path: Path, growth: float) -> None:
    data = json.loads(path.read_text())
    data["workloads"][3]["inference"]["annual_growth"] = growth
    path.write_text(json.dumps(data, indent=2))


def test_crashed_programme_is_offered_at_start_and_recovered_tied_to_its_absolute_file(
        pwindow, make_window, answers, programme_file, tmp_path, monkeypatch):
    from tcoapp.gui.views.programme import open_programme_windows

    _edit_growth(pwindow, 0.9)
    edited = pwindow.document.programme
    crashed = _crash(pwindow)
    note = json.loads(next(crashed.glob("programme-*.json")).read_text())
    assert note["original_path"] == str(programme_file) and os.path.isabs(note["original_path"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(programme_file, elsewhere / programme_file.name)  # a file of the same name where recovery starts
    monkeypatch.chdir(elsewhere)
    pwindow.document.undo_stack.setClean()
    pwindow.close()  # the crashed process's window is gone

    before = set(open_programme_windows())
    fresh = make_window(None)  # a new start
    answers.script["yes_no"] = "yes"
    assert fresh.offer_recovery() == 1
    question = answers.of_kind("yes_no")[0]
    assert question.title == "Recover unsaved work?"
    assert question.text == "tcoapp did not close normally. Recover the programmes it autosaved?"
    assert str(programme_file) in question.detail
    [window] = _new_windows(before)
    assert window.document.path == programme_file  # the original file, not the one in the current folder
    assert window.document.dirty and window.windowTitle().startswith("company.tco *")
    assert window.document.programme == edited
    assert window.kpis["total_cost"].text() != ""
    assert not crashed.exists()  # the work is in this session now
    key = window.document.autosave_id
    assert (autosave.programme_session_folder() / f"{key}.tco").exists()
    assert load_programme(programme_file).workloads[3].inference.annual_growth == pytest.approx(0.3)  # not saved


def test_declining_asks_a_second_question_and_only_a_confirmed_discard_deletes(pwindow, make_window, answers):
    from tcoapp.gui.documents.programme import recoverable_programmes

    _edit_growth(pwindow, 0.9)
    crashed = _crash(pwindow)
    fresh = make_window(None)
    replies = iter(["no", "no"])
    answers.script["yes_no"] = lambda question: next(replies)
    assert fresh.offer_recovery() == 0
    titles = [q.title for q in answers.of_kind("yes_no")]
    assert titles == ["Recover unsaved work?", "Delete the unsaved work?"]
    assert answers.of_kind("yes_no")[1].text.startswith("Delete the autosaved programmes for good?")
    assert crashed.exists()
    assert [r.programme.workloads[3].inference.annual_growth for r in recoverable_programmes()] == [0.9]

    replies = iter(["no", "yes"])  # the next start: declined, then the deletion confirmed
    assert fresh.offer_recovery() == 0
    assert not crashed.exists() and recoverable_programmes() == []


def test_a_start_without_scenarios_to_recover_keeps_the_programmes(pwindow, make_window, answers):
    """The old start-up deleted every stale session when no scenario was found, programme autosaves too."""
    _edit_growth(pwindow, 0.9)
    crashed = _crash(pwindow)
    fresh = make_window(None)
    assert autosave.find_recoverable() == []
    replies = iter(["no", "no"])
    answers.script["yes_no"] = lambda question: next(replies)
    fresh.offer_recovery()
    assert crashed.exists()


def test_scenarios_and_programmes_are_offered_together(pwindow, window, make_window, answers, qtbot):
    from PySide6.QtWidgets import QWidget

    _edit_growth(pwindow, 0.9)
    window.findChild(QWidget, "inference.requests_per_day").setValue(777_777)
    window.autosave_now()
    session = window.autosave_session.folder
    crashed_scenarios = session.parent / "9999990-1"
    os.rename(session, crashed_scenarios)
    info = json.loads((crashed_scenarios / "session.json").read_text())
    info["pid"] = 999_999_999
    (crashed_scenarios / "session.json").write_text(json.dumps(info))
    window.autosave_session = autosave.AutosaveSession()
    crashed_programmes = _crash(pwindow)
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    assert fresh.offer_recovery() == 2
    assert answers.of_kind("yes_no")[0].text == ("tcoapp did not close normally. Recover the scenarios and "
                                                 "programmes it autosaved?")
    assert fresh.active.scenario.inference.requests_per_day == 777_777
    assert not crashed_scenarios.exists() and not crashed_programmes.exists()


def test_recovered_programme_is_kept_until_saved_or_discarded(pwindow, make_window, answers, programme_file):
    from tcoapp.gui.views.programme import open_programme_windows

    _edit_growth(pwindow, 0.9)
    _crash(pwindow)
    pwindow.document.undo_stack.setClean()
    pwindow.close()
    before = set(open_programme_windows())
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    fresh.offer_recovery()
    [window] = _new_windows(before)
    autosaved = autosave.programme_session_folder() / f"{window.document.autosave_id}.tco"
    assert autosaved.exists()
    window.autosave_now()  # a later autosave keeps it: it is unsaved
    assert autosaved.exists()
    window.close()  # answered "discard" (the fixture's script)
    assert answers.of_kind("save_changes")
    assert not autosaved.exists()
    assert load_programme(programme_file).workloads[3].inference.annual_growth == pytest.approx(0.3)


def test_saving_the_recovered_programme_writes_its_file_and_forgets_the_autosave(pwindow, make_window, answers,
                                                                                 programme_file):
    from tcoapp.gui.views.programme import open_programme_windows

    _edit_growth(pwindow, 0.9)
    _crash(pwindow)
    pwindow.document.undo_stack.setClean()
    pwindow.close()
    before = set(open_programme_windows())
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    fresh.offer_recovery()
    [window] = _new_windows(before)
    autosaved = autosave.programme_session_folder() / f"{window.document.autosave_id}.tco"
    assert window.save()
    assert answers.of_kind("changed_on_disk") == []  # the file is as the crashed window last knew it
    assert load_programme(programme_file).workloads[3].inference.annual_growth == pytest.approx(0.9)
    assert not window.document.dirty and not autosaved.exists()


def test_recovered_programme_notices_a_change_made_after_the_crash(pwindow, make_window, answers, programme_file):
    from tcoapp.gui.views.programme import open_programme_windows

    _edit_growth(pwindow, 0.9)
    _crash(pwindow)
    pwindow.document.undo_stack.setClean()
    pwindow.close()
    _change_on_disk(programme_file, 0.25)
    before = set(open_programme_windows())
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    fresh.offer_recovery()
    [window] = _new_windows(before)
    answers.script["changed_on_disk"] = "cancel"
    assert not window.save()
    assert len(answers.of_kind("changed_on_disk")) == 1
    assert load_programme(programme_file).workloads[3].inference.annual_growth == pytest.approx(0.25)


@pytest.mark.parametrize("answer", ["cancel", "overwrite", "reload", "save_as"])
def test_saving_over_a_programme_changed_on_disk_asks_first(pwindow, answers, programme_file, tmp_path, answer):
    _edit_growth(pwindow, 0.9)
    _change_on_disk(programme_file, 0.25)
    answers.script["changed_on_disk"] = answer
    answers.script["save_file"] = str(tmp_path / "mine")  # ".tco" is added
    saved = pwindow.save()
    [question] = answers.of_kind("changed_on_disk")
    assert question.title == "File changed on disk" and "company.tco" in question.text
    on_disk = load_programme(programme_file).workloads[3].inference.annual_growth
    document = pwindow.document
    if answer == "cancel":
        assert not saved and on_disk == 0.25 and document.dirty
    elif answer == "overwrite":
        assert saved and on_disk == 0.9 and not document.dirty
    elif answer == "reload":
        assert not saved and on_disk == 0.25 and not document.dirty
        assert document.programme == load_programme(programme_file)
        assert pwindow.editor.input_widget(GROWTH).value() == pytest.approx(0.25)
        assert document.undo_stack.undoText() == "Reload from disk"
        document.undo_stack.undo()  # the user's version is one Undo away
        assert document.programme.workloads[3].inference.annual_growth == 0.9 and document.dirty
    else:
        assert saved and on_disk == 0.25 and document.path == tmp_path / "mine.tco"
        assert load_programme(tmp_path / "mine.tco").workloads[3].inference.annual_growth == 0.9
        assert pwindow.windowTitle().startswith("mine.tco —")


def test_an_unchanged_or_only_touched_programme_saves_without_asking(pwindow, answers, programme_file):
    _edit_growth(pwindow, 0.9)
    os.utime(programme_file, ns=(1, 1))  # touched: same content
    assert pwindow.save()
    _edit_growth(pwindow, 0.8)
    assert pwindow.save()  # our own save is not a change by someone else
    assert answers.of_kind("changed_on_disk") == []
    assert load_programme(programme_file).workloads[3].inference.annual_growth == 0.8


def test_a_read_only_programme_is_refused_with_a_clear_message(pwindow, answers, programme_file):
    before = programme_file.read_bytes()
    programme_file.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        _edit_growth(pwindow, 0.9)
        assert not pwindow.save()
    finally:
        programme_file.chmod(stat.S_IRUSR | stat.S_IWUSR)
    [error] = answers.of_kind("error")
    assert error.title == "Cannot save the programme"
    assert error.text == f"{programme_file}: cannot write: the file is read-only; save under another name (Save As)"
    assert programme_file.read_bytes() == before and pwindow.document.dirty


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from tcoapp.gui.dialogs.questions import set_answerer
    from tcoapp.gui.main import build_window, make_application
    from tcoapp.gui.views.programme import open_programme_windows

    step, path = sys.argv[1], sys.argv[2]
    app = make_application(sys.argv, "light")
    set_answerer(lambda q: "yes" if q.kind == "yes_no" else "ok")
    window = build_window([path], reopen_last=False)
    if step == "edit":
        [programme] = open_programme_windows()
        programme.select_workload(3)
        programme.editor.input_widget("inference.annual_growth").setValue(0.9)
        programme.autosave_now()
    elif step == "recover":
        count = window.offer_recovery()
        for programme in open_programme_windows():
            if programme.document.dirty:
                print(count, programme.document.path, programme.document.programme.workloads[3].inference.annual_growth,
                      flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: nothing is cleaned up
""")


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
def test_killed_with_unsaved_programme_the_next_start_recovers_it(tmp_path, programme_file):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg", TCOAPP_DATA_DIR=str(tmp_path / "d"))
    env.pop("TCOAPP_NO_RECOVERY", None)

    def run(step):
        return subprocess.run([sys.executable, "-c", KILL_SCRIPT, step, str(programme_file)], capture_output=True,
                              text=True, env=env, timeout=120)

    assert run("edit").returncode == -signal.SIGKILL
    killed = run("recover")  # recovers, then is killed too: the work is in its session now
    assert killed.returncode == -signal.SIGKILL
    assert killed.stdout.split() == ["1", str(programme_file), "0.9"], killed.stderr
    again = run("recover")
    assert again.stdout.split() == ["1", str(programme_file), "0.9"], again.stderr
    assert load_programme(programme_file).workloads[3].inference.annual_growth == 0.3, "never saved by itself"


def test_an_edit_is_autosaved_seconds_later_and_undoing_it_forgets_the_autosave(pwindow, qtbot):
    from tcoapp.gui.views.programme import AUTOSAVE_DELAY_MS

    _edit_growth(pwindow, 0.9)
    autosaved = autosave.programme_session_folder() / f"{pwindow.document.autosave_id}.tco"
    assert pwindow.autosave_soon.isActive() and not autosaved.exists()
    qtbot.waitUntil(autosaved.exists, timeout=AUTOSAVE_DELAY_MS + 3000)  # not only every 30 s
    assert load_programme(autosaved).workloads[3].inference.annual_growth == 0.9
    pwindow.undo_action.trigger()
    assert not pwindow.document.dirty
    pwindow.autosave_now()
    assert not autosaved.exists()
