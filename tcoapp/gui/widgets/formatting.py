"""Short number formats for the GUI's cards and unit labels (exact figures go in tooltips)."""

from __future__ import annotations

import math

_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact_money(value: float | None, currency: str) -> str:
    """Money in a few characters, for a KPI card.

    >>> compact_money(123_456_789, "USD"), compact_money(0.00123, "EUR"), compact_money(None, "USD")
    ('USD 123.5 M', 'EUR 0.00123', '—')
    >>> compact_money(-2500, "USD"), compact_money(12.5, "USD")
    ('USD -2.50 k', 'USD 12.50')
    """
    if value is None or not math.isfinite(value):
        return "—"
    return f"{currency} {compact_number(value, money=True)}"


def compact_number(value: float, money: bool = False) -> str:
    """A number with a k/M/B/T suffix and three or four significant digits.

    >>> compact_number(1234), compact_number(999), compact_number(2.5e13), compact_number(0.5)
    ('1.23 k', '999', '25.0 T', '0.5')
    """
    size = abs(value)
    for scale, suffix in _SCALES:
        if size >= scale:
            scaled = value / scale
            digits = 1 if abs(scaled) >= 10 else 2
            return f"{scaled:,.{digits}f} {suffix}"
    if size >= 100:
        return f"{value:,.0f}"
    if money and size >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def short_unit(unit: str, currency: str) -> str:
    """The unit of a field without its explanation, with "currency" replaced by the code.

    >>> short_unit("currency per kWh", "EUR"), short_unit("chips (whole number)", "USD")
    ('EUR per kWh', 'chips')
    >>> short_unit("per year (0.1 = +10 % a year, -0.2 = -20 % a year)", "USD")
    'per year'
    """
    head = unit.split(" (")[0].strip()
    if head.startswith("currency"):
        head = currency + head[len("currency"):]
    return head.replace(" currency ", f" {currency} ")


def share_hint(unit: str, value: float | None) -> str:
    """The unit label of a share or a yearly rate, with the value as a percentage.

    >>> share_hint("per year (0.1 = +10 % a year, -0.2 = -20 % a year)", -0.15)
    'per year (-15 %)'
    >>> share_hint("share (0.7 = 70 %)", 0.7)
    'share (70 %)'
    """
    head = unit.split(" (")[0].strip()
    if value is None or not math.isfinite(value):
        return head
    if head.startswith("per year"):
        return f"{head} ({100 * value:+.3g} %)"
    return f"{head} ({100 * value:.3g} %)"


def is_percent_unit(unit: str) -> bool:
    """Whether a field's unit is a share or a yearly rate, shown with a percentage hint."""
    return "%" in unit and (unit.startswith("share") or unit.startswith("per year"))


def short_value(key: str, value, scenario) -> str:
    """A summary value short enough for a narrow column (the exact figure goes in the tooltip)."""
    from tcoapp.reports.report import MONEY_KEYS, MONTH_KEYS, SHARE_KEYS, format_month, format_share

    if value is None:
        return "—" if key not in MONTH_KEYS else "not reached"
    if key in MONEY_KEYS:
        return compact_money(value, scenario.currency)
    if key in SHARE_KEYS:
        return format_share(value)
    if key in MONTH_KEYS:
        return format_month(value, scenario.start_month).split(" (")[0]
    return compact_number(value)
