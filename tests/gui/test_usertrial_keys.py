"""Keyboard conventions of the programme window, with real key events (found in a user trial)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from tcoapp.paths import samples_dir

SAMPLE = samples_dir() / "company-programme.tco"


@pytest.fixture
def pwindow(qtbot, answers, tmp_path):
    from tcoapp.gui.views.programme import open_programme_window

    target = tmp_path / "company.tco"
    shutil.copy(SAMPLE, target)
    answers.script["save_changes"] = "discard"
    window = open_programme_window(target)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_ctrl_z_in_a_programme_field_undoes_the_workload_edit(pwindow, qtbot):
    """The field's own undo used to swallow Ctrl+Z: the programme kept the typed value."""
    pwindow.select_workload(1)  # Assistant v2: 9,000,000 requests a day in the sample
    box = pwindow.editor.input_widget("inference.requests_per_day")
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), "12000000")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert pwindow.document.programme.workloads[1].inference.requests_per_day == 12_000_000
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pwindow.document.programme.workloads[1].inference.requests_per_day == 9_000_000
    assert box.value() == 9_000_000
    assert not pwindow.document.dirty
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert pwindow.document.programme.workloads[1].inference.requests_per_day == 12_000_000


def test_ctrl_z_with_uncommitted_typing_in_a_programme_field_reverts_it(pwindow, qtbot):
    pwindow.select_workload(0)  # Assistant v1: 4,000,000 a day
    box = pwindow.editor.input_widget("inference.requests_per_day")
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), "5000000")  # no Enter: Ctrl+Z commits it first, then undoes it
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pwindow.document.programme.workloads[0].inference.requests_per_day == 4_000_000
    assert box.value() == 4_000_000
