"""Keyboard conventions with real key events: undo/redo from anywhere in the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from .conftest import settle


def _type_value(qtbot, box, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_ctrl_z_undoes_a_scenario_edit_while_the_cursor_is_in_a_field(window, qtbot):
    document = window.active
    pue = window.findChild(QWidget, "facility.pue")
    before = document.scenario.facility.pue
    _type_value(qtbot, pue, "1.7")
    assert document.scenario.facility.pue == 1.7
    assert pue.hasFocus(), "the cursor stays in the field"
    qtbot.keyClick(pue.lineEdit(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.scenario.facility.pue == before, "Ctrl+Z in the field undid the scenario edit"
    assert pue.value() == before
    qtbot.keyClick(pue.lineEdit(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert document.scenario.facility.pue == 1.7, "Ctrl+Shift+Z redid it"


def test_ctrl_z_in_another_field_undoes_the_last_edit(window, qtbot):
    document = window.active
    pue = window.findChild(QWidget, "facility.pue")
    growth = window.findChild(QWidget, "inference.annual_growth")
    before = document.scenario.facility.pue
    _type_value(qtbot, pue, "1.6")
    growth.setFocus()
    qtbot.keyClick(growth.lineEdit(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.scenario.facility.pue == before
    settle(window)


def test_ctrl_z_from_a_view_undoes(window, qtbot):
    document = window.active
    window.findChild(QWidget, "facility.pue").setValue(1.5)
    table = window.show_view("tables")
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.scenario.facility.pue != 1.5
