"""Work is never lost or misplaced (issue 12): absolute autosave paths, recovery that survives a
second crash and a declined offer, autosave soon after an edit, files changed on disk, read-only
files, and a quiet exit."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from tcoapp.gui.documents import autosave
from tcoapp.scenario.files import load_scenario


def _crash(window) -> Path:
    """What a crash of ``window`` leaves: its session folder, with a process that is gone."""
    window.autosave_now()
    session = window.autosave_session.folder
    crashed = session.parent / f"999999{len(list(session.parent.iterdir()))}-1"
    os.rename(session, crashed)
    info = json.loads((crashed / "session.json").read_text())
    info["pid"] = 999_999_999
    (crashed / "session.json").write_text(json.dumps(info))
    window.autosave_session = autosave.AutosaveSession()  # the dead window's teardown must not touch it
    return crashed


def _requests(window) -> QWidget:
    return window.findChild(QWidget, "inference.requests_per_day")


def _recoverable_requests() -> list[float]:
    return [item.scenario.inference.requests_per_day for item in autosave.find_recoverable()]


def test_the_autosave_note_names_the_file_absolutely(make_window, answers, scenario_file, tmp_path,
                                                      monkeypatch):
    """Recovery started in another folder must tie the work to the file it came from."""
    monkeypatch.chdir(scenario_file.parent)
    window = make_window(Path("plan.tco"))  # as typed on a command line
    _requests(window).setValue(777_777)
    crashed = _crash(window)
    note = json.loads(next(crashed.glob("doc*.json")).read_text())
    assert note["original_path"] == str(scenario_file)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    decoy = elsewhere / "plan.tco"
    decoy_bytes = scenario_file.read_bytes()
    decoy.write_bytes(decoy_bytes)
    monkeypatch.chdir(elsewhere)
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    assert fresh.offer_recovery() == 1
    assert fresh.active.path == scenario_file
    assert fresh.save()
    assert load_scenario(scenario_file).inference.requests_per_day == 777_777
    assert decoy.read_bytes() == decoy_bytes


def test_recovered_work_survives_a_second_crash(window, make_window, answers):
    _requests(window).setValue(777_777)
    first = _crash(window)
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    assert fresh.offer_recovery() == 1
    assert not first.exists()
    # crash again before any edit, save or 30-second autosave
    _crash(fresh)
    assert _recoverable_requests() == [777_777]
    third = make_window(None)
    assert third.offer_recovery() == 1
    assert third.active.scenario.inference.requests_per_day == 777_777 and third.active.dirty


def test_a_crash_during_recovery_keeps_the_work(window, make_window, answers, monkeypatch):
    _requests(window).setValue(777_777)
    first = _crash(window)
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    deleted = []
    # killed just before the old session is deleted: it must already be safe in the new one
    monkeypatch.setattr(autosave, "discard_sessions", lambda sessions: deleted.append(sessions))
    assert fresh.offer_recovery() == 1
    assert deleted == [{first}] and first.exists()
    assert len(list(fresh.autosave_session.folder.glob("*.tco"))) == 1
    _crash(fresh)
    assert sorted(_recoverable_requests()) == [777_777, 777_777]


def test_recovery_keeps_the_old_session_when_the_new_autosave_fails(window, make_window, answers, monkeypatch):
    from tcoapp.scenario.errors import ScenarioError

    _requests(window).setValue(777_777)
    first = _crash(window)
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"

    def disk_full(*args, **kwargs):
        raise ScenarioError("cannot write: No space left on device")

    monkeypatch.setattr(fresh.autosave_session, "write", disk_full)
    assert fresh.offer_recovery() == 1
    assert first.exists() and _recoverable_requests() == [777_777]


def test_declining_recovery_asks_again_and_a_second_no_keeps_the_work(window, make_window, answers):
    _requests(window).setValue(777_777)
    crashed = _crash(window)
    fresh = make_window(None)
    replies = iter(["no", "no"])
    answers.script["yes_no"] = lambda question: next(replies)
    assert fresh.offer_recovery() == 0
    titles = [q.title for q in answers.of_kind("yes_no")]
    assert titles == ["Recover unsaved work?", "Delete the unsaved work?"]
    assert crashed.exists() and _recoverable_requests() == [777_777]

    replies = iter(["no", "yes"])  # the next start: declined and confirmed
    assert fresh.offer_recovery() == 0
    assert not crashed.exists() and autosave.find_recoverable() == []


def test_recovered_work_is_kept_until_saved_or_discarded(window, make_window, answers):
    _requests(window).setValue(777_777)
    _crash(window)
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    fresh.offer_recovery()
    key = fresh.active.autosave_id
    assert (fresh.autosave_session.folder / f"{key}.tco").exists()
    fresh.autosave_now()  # a later autosave still keeps it: it is unsaved
    assert (fresh.autosave_session.folder / f"{key}.tco").exists()
    answers.script["save_changes"] = "discard"
    assert fresh.close_document(fresh.active)
    assert not (fresh.autosave_session.folder / f"{key}.tco").exists()


def test_an_edit_is_autosaved_seconds_later_not_only_every_30_seconds(window, qtbot):
    from tcoapp.gui.app.mainwindow import AUTOSAVE_DELAY_MS

    assert AUTOSAVE_DELAY_MS == 2_000 and window.autosave_soon.interval() == 2_000
    assert window.autosave_timer.interval() == 30_000
    window.autosave_soon.setInterval(100)
    folder = window.autosave_session.folder
    _requests(window).setValue(777_777)
    assert not list(folder.glob("*.tco"))
    qtbot.waitUntil(lambda: len(list(folder.glob("*.tco"))) == 1, timeout=3_000)
    assert load_scenario(next(folder.glob("*.tco"))).inference.requests_per_day == 777_777


def _change_on_disk(path: Path, requests: int) -> None:
    text = path.read_text()
    data = json.loads(text)
    data["inference"]["requests_per_day"] = requests
    path.write_text(json.dumps(data, indent=2))


@pytest.mark.parametrize("answer", ["cancel", "overwrite", "reload", "save_as"])
def test_saving_over_a_file_changed_on_disk_asks_first(window, answers, scenario_file, tmp_path, answer):
    _requests(window).setValue(777_777)
    _change_on_disk(scenario_file, 555_555)
    answers.script["changed_on_disk"] = answer
    answers.script["save_file"] = str(tmp_path / "mine.tco")
    saved = window.save()
    assert len(answers.of_kind("changed_on_disk")) == 1
    on_disk = load_scenario(scenario_file).inference.requests_per_day
    document = window.active
    if answer == "cancel":
        assert not saved and on_disk == 555_555 and document.dirty
    elif answer == "overwrite":
        assert saved and on_disk == 777_777 and not document.dirty
    elif answer == "reload":
        assert not saved and on_disk == 555_555 and not document.dirty
        assert document.scenario.inference.requests_per_day == 555_555
        assert _requests(window).value() == 555_555
        document.undo_stack.undo()  # the user's version is one Undo away
        assert document.scenario.inference.requests_per_day == 777_777 and document.dirty
    else:
        assert saved and on_disk == 555_555 and document.path == tmp_path / "mine.tco"
        assert load_scenario(tmp_path / "mine.tco").inference.requests_per_day == 777_777


def test_an_unchanged_or_only_touched_file_saves_without_asking(window, answers, scenario_file):
    _requests(window).setValue(777_777)
    os.utime(scenario_file, ns=(1, 1))
    assert window.save()
    _requests(window).setValue(888_888)
    assert window.save()  # our own save is not a change by someone else
    assert answers.of_kind("changed_on_disk") == []
    assert load_scenario(scenario_file).inference.requests_per_day == 888_888


def test_recovered_work_notices_a_change_made_after_the_crash(window, make_window, answers, scenario_file):
    _requests(window).setValue(777_777)
    _crash(window)
    _change_on_disk(scenario_file, 555_555)
    fresh = make_window(None)
    answers.script["yes_no"] = "yes"
    fresh.offer_recovery()
    answers.script["changed_on_disk"] = "cancel"
    assert not fresh.save()
    assert len(answers.of_kind("changed_on_disk")) == 1
    assert load_scenario(scenario_file).inference.requests_per_day == 555_555


def test_a_read_only_file_is_refused_with_a_clear_message(window, answers, scenario_file):
    before = scenario_file.read_bytes()
    scenario_file.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        _requests(window).setValue(777_777)
        assert not window.save()
    finally:
        scenario_file.chmod(stat.S_IRUSR | stat.S_IWUSR)
    errors = answers.of_kind("error")
    assert len(errors) == 1
    assert errors[0].text == (f"{scenario_file}: cannot write: the file is read-only; "
                              "save under another name (Save As)")
    assert scenario_file.read_bytes() == before and window.active.dirty


QUIT_SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from tcoapp.gui.dialogs.questions import set_answerer
    from tcoapp.gui.main import build_window, make_application

    app = make_application(sys.argv, "light")
    asked = []
    set_answerer(lambda q: asked.append(q.kind) or ("discard" if q.kind == "save_changes" else "ok"))
    window = build_window(sys.argv[1:], reopen_last=False)
    window.show()

    def edit_then_quit():
        window.active.set_value("facility.pue", 1.5)
        QTimer.singleShot(100, window.close)

    QTimer.singleShot(200, edit_then_quit)
    code = app.exec()
    print(asked)
    sys.exit(code)
""")

#: What Qt's offscreen platform (used only because tests have no display) prints on its own.
_OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def test_quitting_with_unsaved_changes_and_discarding_prints_nothing_on_stderr(tmp_path, scenario_file):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg", TCOAPP_DATA_DIR=str(tmp_path / "d"))
    run = subprocess.run([sys.executable, "-c", QUIT_SCRIPT, str(scenario_file)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert run.returncode == 0
    assert run.stdout.strip() == "['save_changes']"
    noise = [line for line in run.stderr.splitlines() if line.strip() and line.strip() != _OFFSCREEN_NOISE]
    assert noise == []
    assert not list((tmp_path / "d" / "autosave").glob("*")), "a normal exit leaves nothing to recover"


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from tcoapp.gui.documents import autosave
    from tcoapp.gui.dialogs.questions import set_answerer
    from tcoapp.gui.main import build_window, make_application

    step, path = sys.argv[1], sys.argv[2]
    app = make_application(sys.argv, "light")
    set_answerer(lambda q: "yes" if q.kind == "yes_no" else "ok")
    window = build_window([path], reopen_last=False)
    if step == "edit":
        window.active.set_value("inference.requests_per_day", 777777)
        window.autosave_now()
    elif step == "recover":
        print(window.offer_recovery(), window.active.scenario.inference.requests_per_day, flush=True)
    elif step == "recover-killed-midway":  # killed after the new autosave, before the old session goes
        autosave.discard_sessions = lambda sessions: os.kill(os.getpid(), signal.SIGKILL)
        window.offer_recovery()
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: nothing is cleaned up
""")


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
def test_killed_during_and_after_recovery_the_work_is_still_offered(tmp_path, scenario_file):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg", TCOAPP_DATA_DIR=str(tmp_path / "d"))

    def run(step):
        return subprocess.run([sys.executable, "-c", KILL_SCRIPT, step, str(scenario_file)], capture_output=True,
                              text=True, env=env, timeout=120)

    assert run("edit").returncode == -9
    assert run("recover-killed-midway").returncode == -9
    killed = run("recover")  # recovers (both copies), then is killed too
    assert killed.returncode == -9
    count, requests = killed.stdout.split()
    assert int(count) >= 1 and float(requests) == 777_777
    after = run("recover")
    assert float(after.stdout.split()[1]) == 777_777, after.stderr
    assert load_scenario(scenario_file).inference.requests_per_day != 777_777, "never saved by itself"
