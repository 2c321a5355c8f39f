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
    >>> compact_number(6.54e-05, money=True), compact_number(-0.0001)
    ('0.0000654', '-0.000100')
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
        return _unsigned_zero(f"{value:,.2f}")
    if size == 0:
        return "0"
    if size >= 1:
        return f"{value:.3g}"
    if size >= 1e-3:
        return f"{value:.3g}"
    # a small amount in plain decimals, never "6.54e-05": three significant digits
    decimals = min(12, 2 - math.floor(math.log10(size)))
    return _unsigned_zero(f"{value:.{decimals}f}")


def count_text(value: float | None) -> str:
    """A count of things (chips, servers) as a whole number, compact only from a million.

    >>> count_text(2000), count_text(7.6), count_text(12_345_678), count_text(None)
    ('2,000', '8', '12.3 M', '—')
    """
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) >= 1e6:
        return compact_number(value)
    return _unsigned_zero(f"{round(value):,.0f}")


def _unsigned_zero(text: str) -> str:
    """``"-0"``, ``"-0.00"``: a rounded tiny negative shown as zero.

    >>> _unsigned_zero("-0.00"), _unsigned_zero("-0.5")
    ('0.00', '-0.5')
    """
    if text.startswith("-") and not text.strip("-0.,"):
        return text[1:]
    return text


def short_unit(unit: str, currency: str) -> str:
    """The unit of a field without its explanation, with "currency" replaced by the code.

    >>> short_unit("currency per kWh", "EUR"), short_unit("chips (whole number)", "USD")
    ('EUR per kWh', 'chips')
    >>> short_unit("scenario currency per US dollar", "EUR")
    'EUR per US dollar'
    >>> short_unit("per year (0.1 = +10 % a year, -0.2 = -20 % a year)", "USD")
    'per year'
    """
    head = unit.split(" (")[0].strip()
    if head.startswith("scenario currency"):  # the exchange rate: "EUR per US dollar"
        head = head[len("scenario "):]
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
    """Whether a field's unit is a share or a yearly rate, shown with a percentage hint (the schema's rule)."""
    from tcoapp.scenario.schema import is_percent_unit as schema_rule

    return schema_rule(unit)


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
    if key.endswith("chips"):
        return count_text(value)
    return compact_number(value)


def bound_text(value: float) -> str:
    """A limit of a field's valid range, short: "1 M", "1,000", "100"; a huge one as "1e32".

    >>> bound_text(1e6), bound_text(1e15), bound_text(10_000), bound_text(-1), bound_text(1e32), bound_text(0.5)
    ('1 M', '1,000 T', '10,000', '-1', '1e32', '0.5')
    """
    size = abs(value)
    for scale, suffix in _SCALES[:-1]:  # "10,000" rather than "10 k": a limit reads as a whole number
        if size >= scale and size / scale < 1e4:
            return _unsigned_zero(f"{value / scale:,.4g} {suffix}")
    if size >= 1e16:
        mantissa, _, exponent = f"{value:.4g}".partition("e")
        return f"{mantissa}e{int(exponent)}" if exponent else mantissa
    if value == int(value):
        return _unsigned_zero(f"{value:,.0f}")
    return _unsigned_zero(f"{value:,.6g}")


def percent_unit(unit: str) -> str:
    """The unit of a share or yearly rate written for a percentage.

    >>> percent_unit("share (0.7 = 70 %)"), percent_unit("per year (0.08 = 8 %)")
    ('%', '% a year')
    >>> percent_unit("share of chip TDP (0.8 = 80 %)")
    '% of chip TDP'
    """
    head = unit.split(" (")[0].strip()
    if head.startswith("per year"):
        return "% a year"
    if head.startswith("share"):
        return "%" + head[len("share"):]
    return head
