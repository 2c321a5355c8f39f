"""Bad input typed into editor fields, with real key events: a one-line message naming the value and the rule
beside the field, and nothing applied (found in a user trial)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from tcoapp.gui.widgets.numberbox import parse_number


def _type(qtbot, window, path: str, text: str) -> QLabel:
    box = window.findChild(QWidget, path)
    window.editor.show_field(path)
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    return window.findChild(QLabel, f"{path}.message")


def test_a_decimal_comma_is_refused_not_read_as_thousands(window, qtbot):
    """ "0,15" (a European 0.15) was read as 15 - a hundred times the price - without a word."""
    before = window.active.scenario.facility.electricity_price
    message = _type(qtbot, window, "facility.electricity_price", "0,15")
    assert window.active.scenario.facility.electricity_price == before
    assert not message.isHidden()
    assert message.text() == ('Not applied: "0,15" is not a number (the decimal mark is a point, e.g. 0.15; '
                              'commas only group thousands, e.g. 1,500)')
    _type(qtbot, window, "facility.electricity_price", "0.15")
    assert window.active.scenario.facility.electricity_price == 0.15
    assert message.isHidden()


def test_text_that_is_not_a_number_says_so_on_enter(window, qtbot):
    before = window.active.scenario.inference.requests_per_day
    message = _type(qtbot, window, "inference.requests_per_day", "1e")
    assert window.active.scenario.inference.requests_per_day == before
    assert message.text() == 'Not applied: "1e" is not a number'


@pytest.mark.parametrize(("path", "typed", "expected"), [
    ("inference.requests_per_day", "-5", "Not applied: -5 must be between 0 and 1 trillion"),
    ("inference.target_utilization", "150", "Not applied: 150 % must be between 0.1 % and 100 %"),
    ("horizon_years", "30", "Not applied: 30 must be between 1 and 20"),
])
def test_a_value_out_of_range_is_named_with_its_rule(window, qtbot, path, typed, expected):
    message = _type(qtbot, window, path, typed)
    assert message.text() == expected


def test_thousands_separators_still_work(window, qtbot):
    _type(qtbot, window, "inference.requests_per_day", "1,500,000")
    assert window.active.scenario.inference.requests_per_day == 1_500_000
    _type(qtbot, window, "inference.requests_per_day", "12 000")
    assert window.active.scenario.inference.requests_per_day == 12_000


@pytest.mark.parametrize("text", ["1,5", "0,15", "1,2,3", "12,34", "1,0000", ",5", "1,", "1.5,000"])
def test_parse_number_refuses_commas_that_are_not_thousands(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(("text", "value"), [("1,500", 1500.0), ("-1,234,567.5", -1234567.5), ("999", 999.0),
                                             ("1,000e3", 1e6), ("0.15", 0.15)])
def test_parse_number_reads_thousands_groups(text, value):
    assert parse_number(text) == value
