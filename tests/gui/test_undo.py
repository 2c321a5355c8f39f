"""Undo and redo of every edit, with labels, through the window's actions."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget

from .conftest import settle


def test_undo_and_redo_an_edit_with_its_label(window, qtbot):
    document = window.active
    box = window.findChild(QWidget, "inference.annual_growth")
    total = window.findChild(QLabel, "kpi.total_cost")
    settle(window)
    before_total = total.property("value")
    box.setValue(0.8)
    settle(window)
    after_total = total.property("value")
    assert after_total != pytest.approx(before_total)
    assert window.act_undo.text() == "Undo Change Demand growth"
    assert window.act_undo.isEnabled() and not window.act_redo.isEnabled()

    window.act_undo.trigger()
    assert document.scenario.inference.annual_growth == 0.5
    assert box.value() == 0.5, "the widget shows the undone value"
    settle(window)
    assert total.property("value") == pytest.approx(before_total)
    assert window.act_redo.text() == "Redo Change Demand growth"
    assert not document.dirty, "undoing back to the saved state is clean"

    window.act_redo.trigger()
    assert document.scenario.inference.annual_growth == 0.8
    assert box.value() == 0.8
    settle(window)
    assert total.property("value") == pytest.approx(after_total)
    assert document.dirty


def test_every_kind_of_edit_is_undoable(window):
    document = window.active
    original = document.scenario
    window.findChild(QWidget, "facility.pue").setValue(1.5)
    deployment = window.findChild(QComboBox, "inference.deployment")
    deployment.setCurrentIndex(deployment.findData("owned"))
    window.findChild(QWidget, "inference.max_requests_per_day.auto").setChecked(False)
    labels = [document.undo_stack.text(i) for i in range(document.undo_stack.count())]
    assert labels == ["Change PUE", "Change Deployment", "Change Demand ceiling"]
    while document.undo_stack.canUndo():
        window.act_undo.trigger()
    assert document.scenario == original


def test_undo_shortcuts_follow_platform_conventions(window):
    S = QKeySequence.StandardKey
    for action, standard in ((window.act_undo, S.Undo), (window.act_redo, S.Redo), (window.act_save, S.Save),
                             (window.act_open, S.Open)):
        held = action.shortcuts()
        for binding in QKeySequence.keyBindings(standard):  # every key the platform uses still works
            assert binding in held, (action.text(), binding.toString())
    # the key the menu shows is the same on every platform: Redo is Ctrl+Shift+Z (Ctrl+Y too where standard)
    assert window.act_redo.shortcut() == QKeySequence("Ctrl+Shift+Z")
    assert window.act_undo.shortcut() == QKeySequence("Ctrl+Z")


def test_each_document_has_its_own_history(make_window, scenario_file, sample_path):
    window = make_window(scenario_file)
    first = window.active
    window.findChild(QWidget, "facility.pue").setValue(1.5)
    second = window.open_file(sample_path)
    assert window.active is second
    assert window.act_undo.text() == "Undo"
    assert not window.act_undo.isEnabled()
    window.activate(first)
    assert window.act_undo.text() == "Undo Change PUE"
    assert window.findChild(QWidget, "facility.pue").value() == 1.5


class _KeysWindow(QWidget):
    """What :class:`UndoKeys` needs of a window: Undo and Redo actions and a field."""

    def __init__(self):
        from PySide6.QtGui import QAction
        from PySide6.QtWidgets import QLineEdit

        super().__init__()
        self.act_undo, self.act_redo = QAction("Undo", self), QAction("Redo", self)
        self.field = QLineEdit(self)


def _ctrl_z():
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_undo_keys_stop_watching_once_their_window_is_deleted(qapp, monkeypatch):
    """A window deleted while closing leaves its filter (here kept alive apart from it) on the application:
    the next key anywhere makes the filter remove itself instead of touching the deleted window."""
    import shiboken6

    from tcoapp.gui.widgets.keys import UndoKeys

    window, elsewhere = _KeysWindow(), QLabel("another window")
    keys = UndoKeys(window)
    keys.setParent(None)  # outlives the window, as during a window's destruction
    removed = []
    monkeypatch.setattr(keys, "remove", lambda: (removed.append(True), UndoKeys.remove(keys)))
    shiboken6.delete(window)
    assert keys.eventFilter(elsewhere, _ctrl_z()) is False
    assert removed, "the filter removed itself"
    removed.clear()
    QApplication.sendEvent(elsewhere, _ctrl_z())
    assert removed == [], "and is no longer called"


def test_undo_keys_let_other_runtime_errors_through(qapp):
    """Only a deleted window is taken for "stop watching": any other RuntimeError is a bug and is raised."""
    from tcoapp.gui.widgets.keys import UndoKeys

    class Broken(_KeysWindow):
        @property
        def editor(self):
            raise RuntimeError("the editor broke")

    window = Broken()
    keys = UndoKeys(window)
    try:
        with pytest.raises(RuntimeError, match="the editor broke"):
            keys.eventFilter(window.field, _ctrl_z())
    finally:
        keys.remove()
        window.deleteLater()
