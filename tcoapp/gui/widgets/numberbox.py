"""Small input widgets: a number box that takes any float, scientific notation included.

A box can also show its value as a percentage (a share stored as 0.6 reads and is
typed as "60 %"), or as an amount of money (never in scientific notation).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

#: Widest range a number box accepts while typing: the schema, not the widget,
#: judges the value, so the inline message can name the rule.
TYPING_LIMIT = 1e300


def format_number(value: float, is_int: bool = False, scientific: bool = True) -> str:
    """Readable text for a number box: thousands separators, scientific when huge or tiny.

    ``scientific=False`` (amounts of money) writes every digit instead. A
    negative zero is written "0".

    >>> format_number(1000000.0), format_number(3e22), format_number(0.0826), format_number(8, True)
    ('1,000,000', '3e22', '0.0826', '8')
    >>> format_number(-0.0), format_number(2e12, scientific=False), format_number(4e-05, scientific=False)
    ('0', '2,000,000,000,000', '0.00004')
    """
    if value == 0:
        value = 0.0  # no "-0"
    if is_int:
        return f"{int(round(value)):,}"
    size = abs(value)
    if size >= 1e12 or (0 < size < 1e-4):
        if not scientific:
            return format(Decimal(f"{value:.10g}"), ",f")
        mantissa, _, exponent = f"{value:.6g}".partition("e")
        return f"{mantissa}e{int(exponent)}" if exponent else mantissa
    return f"{value:,.10g}"


def format_percent(value: float) -> str:
    """A share as a percentage for a number box: 0.6 is "60 %".

    >>> format_percent(0.6), format_percent(-0.2), format_percent(0.0826), format_percent(-0.0)
    ('60 %', '-20 %', '8.26 %', '0 %')
    """
    return f"{format_number(float(f'{100 * value:.10g}'))} %"


def parse_percent(text: str) -> float:
    """The share typed as a percentage, "60 %" or "60" meaning 0.6; raises ValueError.

    >>> parse_percent("60 %"), parse_percent("8.26"), parse_percent("-20%")
    (0.6, 0.0826, -0.2)
    """
    cleaned = text.replace("%", "")
    parse_number(cleaned)  # the same rules and message as a plain number
    cleaned = cleaned.replace(",", "").replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    try:
        return float(Decimal(cleaned) / 100)  # decimal division: "8.26" is 0.0826, not 0.08259999999999999
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None


#: Commas may only group the thousands of the whole part: "1,500" is 1500, but "1,5" (a decimal comma)
#: or "1,2,3" is no number rather than 15 or 123.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?")


def parse_number(text: str) -> float:
    """The number typed in a box; raises ValueError.

    >>> parse_number(" 1,000,000 "), parse_number("3e22"), parse_number("1 234.5")
    (1000000.0, 3e+22, 1234.5)
    >>> parse_number("1,5")
    Traceback (most recent call last):
    ValueError: not a number: '1,5' (commas only group thousands)
    """
    cleaned = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            raise ValueError(f"not a number: {text!r} (commas only group thousands)")
        cleaned = cleaned.replace(",", "")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


class NumberBox(QDoubleSpinBox):
    """A spin box for one numeric scenario field.

    It accepts any finite number as typed (thousands separators and ``3e22``
    included) so the schema can name the rule a wrong value breaks; the arrow
    keys and buttons step within the field's declared bounds, by a step that
    suits the field (1 for whole numbers, 0.01 for shares and yearly rates,
    otherwise a tenth of the value's order of magnitude). The wheel only acts
    on a focused box, so scrolling the form never changes a value by accident.
    """

    #: Editing finished (Enter, or the cursor left) on text that is no number; the box goes back to its value.
    text_rejected = Signal(str)

    def __init__(self, is_int: bool, bounds: dict[str, float], fixed_step: float | None = None, parent=None,
                 *, percent: bool = False, money: bool = False):
        super().__init__(parent)
        self.is_int = is_int
        self.bounds = dict(bounds)
        self.fixed_step = fixed_step
        #: The value is a share shown and typed as a percentage (0.6 reads "60 %").
        self.percent = percent
        #: The value is an amount of money: never written in scientific notation.
        self.money = money
        self._placeholder: str | None = None
        self.setDecimals(323)  # no rounding: the text functions below format the value
        self.setRange(-TYPING_LIMIT, TYPING_LIMIT)
        self.setKeyboardTracking(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.UpDownArrows)
        self.setCorrectionMode(QDoubleSpinBox.CorrectionMode.CorrectToPreviousValue)

    # -- text --------------------------------------------------------------------------------------
    def set_placeholder(self, text: str | None) -> None:
        """Show ``text`` instead of the number (an "auto" field with no derived value)."""
        self._placeholder = text
        self.lineEdit().setText(self.textFromValue(self.value()))

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        if self._placeholder is not None:
            return self._placeholder
        return self.display_text(value)

    def display_text(self, value: float) -> str:
        """How this box writes ``value`` (a percentage, an amount or a plain number)."""
        if self.percent:
            return format_percent(value)
        return format_number(value, self.is_int, scientific=not self.money)

    def parse_text(self, text: str) -> float:
        """The value typed as ``text`` (a percentage box reads "60" as 0.6); raises ValueError."""
        return parse_percent(text) if self.percent else parse_number(text)

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        if text == self.display_text(self.value()):
            return self.value()  # the shown text stands for the exact value, not its rounding
        try:
            return self.parse_text(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int):
        if self._placeholder is not None and text == self._placeholder:
            return QValidator.State.Acceptable, text, position
        try:
            value = self.parse_text(text)
        except ValueError:
            partial = text.replace(",", "").replace(" ", "")
            if all(ch in "0123456789.eE+-" + ("%" if self.percent else "") for ch in partial):
                return QValidator.State.Intermediate, text, position
            return QValidator.State.Invalid, text, position
        if abs(value) > TYPING_LIMIT:
            return QValidator.State.Invalid, text, position
        return QValidator.State.Acceptable, text, position

    def fixup(self, text: str) -> str:
        return text

    def _check_typed_text(self) -> None:
        """Say so when the text typed is no number (Qt would put the old value back without a word)."""
        text = self.lineEdit().text()
        if self._placeholder is not None and text == self._placeholder or not self.isEnabled():
            return
        try:
            self.parse_text(text)
        except ValueError:
            self.text_rejected.emit(text.strip())

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._check_typed_text()
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._check_typed_text()
        super().focusOutEvent(event)

    # -- stepping ----------------------------------------------------------------------------------
    def step_size(self, value: float, direction: int) -> float:
        """The step from ``value`` in ``direction`` (+1 or -1)."""
        if self.is_int:
            return 1.0
        if self.fixed_step is not None:
            return self.fixed_step
        size = abs(value)
        if size == 0:
            return 1.0
        exponent = math.floor(math.log10(size))
        # stepping down from an exact power of ten takes a tenth of the smaller decade (1 -> 0.9)
        if direction < 0 and value > 0 and math.isclose(size, 10.0 ** exponent):
            exponent -= 1
        return 10.0 ** max(exponent - 1, -300)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        value = self.value()
        direction = 1 if steps > 0 else -1
        for _ in range(abs(steps)):
            candidate = value + direction * self.step_size(value, direction)
            candidate = float(f"{candidate:.12g}")  # 0.1 + 0.2 shows as 0.3
            if not self._within_bounds(candidate):
                candidate = self._clamped(candidate)
                if candidate is None or candidate == value:
                    break
            value = candidate
        if value != self.value():
            self.setValue(value)
            self.selectAll()

    def stepEnabled(self):  # noqa: N802 - Qt's name
        flags = QDoubleSpinBox.StepEnabledFlag.StepNone
        if not self.isEnabled() or self.isReadOnly():
            return flags
        value = self.value()
        if self._clamped(value + self.step_size(value, 1)) not in (None, value):
            flags |= QDoubleSpinBox.StepEnabledFlag.StepUpEnabled
        if self._clamped(value - self.step_size(value, -1)) not in (None, value):
            flags |= QDoubleSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def _within_bounds(self, value: float) -> bool:
        b = self.bounds
        return not (("ge" in b and value < b["ge"]) or ("gt" in b and value <= b["gt"])
                    or ("le" in b and value > b["le"]) or ("lt" in b and value >= b["lt"]))

    def _clamped(self, value: float) -> float | None:
        """The nearest value within inclusive bounds, or None beyond an exclusive one."""
        if self._within_bounds(value):
            return value
        b = self.bounds
        if "ge" in b and value < b["ge"]:
            return float(b["ge"])
        if "le" in b and value > b["le"]:
            return float(b["le"])
        return None

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()
