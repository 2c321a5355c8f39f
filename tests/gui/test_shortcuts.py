"""Issue 15: every menu action of both windows has a keyboard shortcut, none shared, none a field needs,
and docs/gui.md's shortcut tables say exactly what the app does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from tcoapp.paths import programme_sample_files, sample_files, samples_dir

DOCS = Path(__file__).resolve().parents[2] / "docs" / "gui.md"
PORTABLE = QKeySequence.SequenceFormat.PortableText
#: The standard keys whose platform bindings an action may carry besides the one its menu shows.
STANDARD_EXTRAS = ("New", "Open", "Save", "SaveAs", "Close", "Quit", "Undo", "Redo", "NextChild", "PreviousChild",
                   "HelpContents")


def menu_actions(window) -> list[tuple[str, QAction]]:
    """(``File > Export > Excel workbook…``, action) of every item in every menu, submenus included."""
    found = []

    def walk(menu, path):
        for action in menu.actions():
            if action.isSeparator():
                continue
            text = action.text().replace("&", "")
            if action.menu() is not None:
                walk(action.menu(), [*path, text])
            else:
                found.append((" > ".join([*path, text]), action))

    for top in window.menuBar().actions():
        walk(top.menu(), [top.text().replace("&", "")])
    return found


def _key(sequence: QKeySequence) -> str:
    return sequence.toString(PORTABLE)


@pytest.fixture
def main_window(make_window, scenario_file, tmp_path):
    from tcoapp.gui.documents import autosave

    other = tmp_path / "other.tco"
    shutil.copy(scenario_file, other)
    autosave.add_recent_file(other)  # two recent files and "Clear list" in File > Open recent
    window = make_window(scenario_file)
    window._fill_recent_menu()
    return window


@pytest.fixture
def programme_window(qtbot, answers, tmp_path):
    from tcoapp.gui.views.programme import open_programme_window

    answers.script["save_changes"] = "discard"  # closing an edited window at the end of a test asks
    target = tmp_path / "company.tco"
    shutil.copy(samples_dir() / "company-programme.tco", target)
    window = open_programme_window(target)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def _check_window(window) -> dict[str, QAction]:
    from tcoapp.gui.widgets.keys import field_keys

    actions = menu_actions(window)
    assert len(actions) > 10
    missing = [path for path, action in actions if action.shortcut().isEmpty()]
    assert missing == [], f"menu items without a shortcut: {missing}"
    owner: dict[str, str] = {}
    for path, action in actions:
        for key in action.shortcuts():
            assert _key(key) not in owner, f"{path} and {owner[_key(key)]} share {_key(key)}"
            owner[_key(key)] = path
    # a chord's first key may not be a shortcut of its own (it would never wait for the second key)
    for path, action in actions:
        for key in action.shortcuts():
            if key.count() > 1:
                first = _key(QKeySequence(key[0]))
                assert first not in owner, f"{path}: {_key(key)} starts with {owner.get(first)}'s {first}"
    fields = {_key(k) for k in field_keys()}
    undo_redo = {id(window.act_undo), id(window.act_redo)}
    taken = [(path, _key(k)) for path, action in actions if id(action) not in undo_redo
             for k in action.shortcuts() if _key(k) in fields]
    assert taken == [], f"shortcuts a field needs: {taken}"
    # besides the key its menu shows, an action has only the platform's standard keys for the same command
    standard = {_key(k) for name in STANDARD_EXTRAS for k in QKeySequence.keyBindings(getattr(QKeySequence.StandardKey, name))}
    extras = [(path, _key(k)) for path, action in actions for k in action.shortcuts()[1:]
              if _key(k) not in standard | {"Ctrl+Shift+Backtab"}]
    assert extras == []
    return dict(actions)


def test_every_main_window_menu_item_has_its_own_shortcut(main_window):
    actions = _check_window(main_window)
    assert any(path.startswith("File > Open recent > ") for path in actions)
    assert "File > Open recent > Clear list" in actions
    templates = [p for p in actions if p.startswith("File > New from template > ")]
    assert len(templates) == len(sample_files()) + len(programme_sample_files())


def test_every_programme_window_menu_item_has_its_own_shortcut(programme_window):
    actions = _check_window(programme_window)
    assert {p.split(" > ")[0] for p in actions} == {"File", "Edit", "Workload", "View", "Help"}


def test_the_shortcuts_read_as_pressed(main_window):
    """The menu shows Ctrl+Shift+Tab, not Qt's name "Ctrl+Shift+Backtab"; Close and Quit have theirs offscreen."""
    actions = dict(menu_actions(main_window))
    assert _key(actions["View > Previous scenario"].shortcut()) == "Ctrl+Shift+Tab"
    assert _key(actions["File > Close"].shortcut()) == "Ctrl+W"
    assert _key(actions["File > Quit"].shortcut()) == "Ctrl+Q"
    assert _key(actions["Edit > Redo"].shortcut()) == "Ctrl+Shift+Z"


def test_the_keys_do_what_the_menu_says(main_window, qtbot, sample_path):
    window = main_window
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.views.currentIndex() == 2  # Compare
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.views.currentIndex() == 5  # Serving: there are six views, not five
    # a chord: Ctrl+Shift+N, then 2 opens a copy of the second template
    second = sample_files()[1]
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert len(window.documents) == 2
    assert window.active.path is None and window.active.scenario.name == "Deployment comparison: API"
    assert second.name == "deployment-api.tco"
    # Ctrl+Shift+Tab, which reaches Qt as Ctrl+Shift+Backtab, goes back to the first scenario
    qtbot.keyClick(window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.active is window.documents[0]
    qtbot.keyClick(window, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.active is window.documents[1]
    # Ctrl+W closes the active scenario (an unedited copy: nothing to ask)
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert len(window.documents) == 1


def test_ctrl_shift_z_redoes_from_a_field_of_the_programme_window(programme_window, qtbot):
    window = programme_window
    spin = window.editor.input_widget("inference.requests_per_day")
    before = spin.value()
    spin.setValue(before * 2)
    window.activateWindow()
    spin.setFocus()
    line = spin.lineEdit()
    qtbot.keyClick(line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.programme.workloads[0].inference.requests_per_day == before
    qtbot.keyClick(line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.document.programme.workloads[0].inference.requests_per_day == before * 2
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1  # View > Budget by year


def doc_table(heading: str) -> dict[str, str]:
    """The ``| Menu item | Shortcut |`` rows under ``### heading`` of docs/gui.md."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"### {heading}\n")
    section = text[start:].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) == 2 and cells[0] not in ("Menu item", "---"):
            rows[cells[0]] = cells[1]
    return rows


def _documented(actions: dict[str, QAction], rows: dict[str, str]) -> tuple[dict, dict]:
    """The app's and the doc's {menu item: shortcut}; a row ``... > *n*-th ...`` stands for each item of a list,
    its shortcut with *n* = 1, 2, ... 9, then 0."""
    from tcoapp.gui.app.mainwindow import LIST_KEYS

    app = {}
    for path, action in actions.items():
        app[path] = _key(action.shortcut())
    doc = {}
    for item, key in rows.items():
        if "*n*-th" in item:
            prefix = item.split("*n*-th")[0]
            listed = [p for p in actions if p.startswith(prefix) and p != prefix + "Clear list"]
            assert listed, item
            for number, path in enumerate(listed):
                doc[path] = key.replace("*n*", LIST_KEYS[number])
        else:
            doc[item] = key.strip("`")
    return app, doc


def test_the_docs_list_exactly_the_main_windows_shortcuts(main_window):
    app, doc = _documented(dict(menu_actions(main_window)), doc_table("Scenario window"))
    assert doc == app


def test_the_docs_list_exactly_the_programme_windows_shortcuts(programme_window):
    app, doc = _documented(dict(menu_actions(programme_window)), doc_table("Programme window"))
    assert doc == app


def test_the_docs_no_longer_say_five_views():
    text = DOCS.read_text(encoding="utf-8")
    assert "Ctrl+1..5" not in text
    assert re.search(r"Ctrl\+1 to Ctrl\+6|Ctrl\+1\.\.6", text)


def test_template_menu_names_are_the_samples_own_names(main_window):
    """Issue 5: "Chat assistant on owned H100s", not the file stem "chat assistant owned h100"."""
    import json

    texts = [a.text() for a in main_window.template_menu.actions() if not a.isSeparator()]
    expected = [json.loads(p.read_text(encoding="utf-8"))["name"] for p in sample_files()]
    expected += ["Programme: " + json.loads(p.read_text(encoding="utf-8"))["name"] for p in programme_sample_files()]
    assert texts == expected
    assert "Chat assistant on owned H100s" in texts
    assert not any(t == p.stem.replace("-", " ") for t, p in zip(texts, sample_files()))


_X11_BINDINGS = """
import sys
from PySide6.QtGui import QGuiApplication, QKeySequence
app = QGuiApplication(sys.argv)
from tcoapp.gui.widgets.keys import FIELD_STANDARD_KEYS
assert QGuiApplication.platformName() == "xcb", QGuiApplication.platformName()
for standard in FIELD_STANDARD_KEYS:
    for key in QKeySequence.keyBindings(standard):
        print(key.toString(QKeySequence.SequenceFormat.PortableText))
"""


def test_the_linux_desktop_field_keys_are_never_a_menus():
    """The X11 keyboard scheme (a Linux desktop) binds emacs keys in a line edit: Ctrl+E goes to the end of the
    line and Ctrl+D deletes. The tests run offscreen, whose scheme has neither, so the menus are checked against
    a fixed list of every scheme's keys; here the list is checked against Qt's own X11 scheme on a real X server."""
    import os
    import subprocess
    import sys

    from tcoapp.gui.widgets.keys import FIELD_EXPLICIT_KEYS, FIELD_PLATFORM_KEYS

    if shutil.which("xvfb-run") is None:
        pytest.skip("needs xvfb-run (apt-get install xvfb xauth; .ci/run installs it)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(["xvfb-run", "-a", sys.executable, "-c", _X11_BINDINGS], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    bound = {line for line in done.stdout.split() if "+" in line or re.fullmatch(r"F\d+", line)}
    assert {"Ctrl+D", "Ctrl+E", "Ctrl+K"} <= bound  # what the review found the menus had taken
    assert bound - set(FIELD_PLATFORM_KEYS["x11"]) - set(FIELD_EXPLICIT_KEYS) == set()


def test_the_workload_menu_acts_on_the_list_and_follows_its_buttons(programme_window, qtbot):
    """The list's buttons are menu items too: keys add, move and select workloads, disabled where a button is."""
    window = programme_window
    names = list(window.document.programme.names)
    actions = window.workload_actions
    window.activateWindow()
    assert not actions["up"].isEnabled() and not actions["previous"].isEnabled()  # the first is selected
    qtbot.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_index == 1 and actions["previous"].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.document.programme.names == [names[1], names[0], *names[2:]]
    assert window.current_index == 0 and not actions["up"].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.document.programme.names) == len(names) + 1
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert window.document.programme.names == names


def test_a_programme_template_opens_as_an_untitled_programme_window(main_window, qtbot, answers):
    """The programme samples are templates too: chosen from File > New from template, one opens in a programme
    window as an untitled copy (Save asks where), and the scenario window is left as it was."""
    from tcoapp.gui.views.programme import open_programme_windows

    answers.script["save_changes"] = "discard"
    before = len(main_window.documents)
    entry = next(a for a in main_window.template_menu.actions() if a.text().startswith("Programme: "))
    entry.trigger()
    windows = open_programme_windows()
    assert len(windows) == 1 and windows[0].document.path is None
    assert windows[0].document.programme.name == entry.text().removeprefix("Programme: ")
    assert len(main_window.documents) == before
