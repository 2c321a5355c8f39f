"""Sheet titles and name prefixes of the programme workbook, and the rewrite that gives each workload its own.

Each workload's sheets are laid out by the scenario workbook's builders
(``tcoapp.reports.workbook``), which write their formulas over the scenario's
names (``inference_requests_per_day``) and sheet titles (``Monthly!C5``). Once a
workload's sheets are built, :func:`rewrite_workload` renames its sheets and
prefixes every name it defined (``w2_inference_requests_per_day``) in its
formulas and in the workbook's defined names; names it did not define (the
shared ``finance_*``, ``facility_*``, calendar and chip names) keep pointing at
the programme's shared input cells.
"""

from __future__ import annotations

import re

#: The sheets the scenario builders write, by their titles during a build.
BUILD_TITLES = ("Summary", "Inputs", "Monthly", "Workings")
#: What follows the workload's short title on each of its sheets.
SHEET_SUFFIX = {"Summary": "", "Inputs": " inputs", "Monthly": " monthly", "Workings": " workings"}

_BAD_TITLE = re.compile(r"[\[\]:*?/\\']")
#: A string literal, a quoted sheet title before "!", or an identifier (a name, a sheet title, a function).
#: Names and sheet titles hold a lowercase letter or an underscore; cell references and functions do not,
#: so they are never looked up.
_TOKEN = re.compile(r'"(?:[^"]|"")*"|\'((?:[^\']|\'\')+)\'!|\b(?=[\w.]*[a-z_])([A-Za-z_][\w.]*)(!)?')


def workload_prefix(index: int) -> str:
    """Prefix of workload ``index``'s names: ``w1_`` for the first."""
    return f"w{index + 1}_"


def pool_prefix(number: int) -> str:
    return f"pool{number}_"


def workload_titles(index: int, name: str) -> dict[str, str]:
    """Final sheet titles of workload ``index`` by build title: ``{"Summary": "1 Chat", "Inputs": "1 Chat inputs"}``.

    The number keeps titles unique whatever the names; a title has at most 31 characters and none of
    the characters a sheet title may not hold.
    """
    short = _BAD_TITLE.sub("", name).strip()[:19].strip() or "workload"
    return {build: f"{index + 1} {short}{suffix}" for build, suffix in SHEET_SUFFIX.items()}


def _quote(title: str) -> str:
    return title if title.isalnum() else "'" + title.replace("'", "''") + "'"


def rewrite_formula(text: str, names: dict[str, str], sheets: dict[str, str]) -> str:
    """A formula with sheet titles and names replaced (text in string literals is left alone).

    >>> rewrite_formula('=IF(a="a",Monthly!C5+SUM(b),\\'Monthly\\'!D1)', {"a": "w1_a", "b": "w1_b"},
    ...                 {"Monthly": "1 Chat monthly"})
    '=IF(w1_a="a",\\'1 Chat monthly\\'!C5+SUM(w1_b),\\'1 Chat monthly\\'!D1)'
    """
    def replace(match: re.Match) -> str:
        quoted, ident, bang = match.group(1), match.group(2), match.group(3)
        if quoted is not None:
            title = quoted.replace("''", "'")
            return _quote(sheets.get(title, title)) + "!"
        if ident is None:
            return match.group(0)  # a string literal
        if bang:
            return _quote(sheets.get(ident, ident)) + "!"
        end = match.end()
        if end < len(text) and text[end] == "(":
            return ident  # a function
        return names.get(ident, ident)

    return _TOKEN.sub(replace, text)


#: The same tokens as one group, for :func:`_fast_rewriter` (pieces at odd indices of ``split``).
_PIECES = re.compile(r'("(?:[^"]|"")*"|\'(?:[^\']|\'\')+\'!|\b(?=[\w.]*[a-z_])[A-Za-z_][\w.]*!?)')


def _fast_rewriter(names: dict[str, str], sheets: dict[str, str]):
    """:func:`rewrite_formula` as one table lookup per token (the formulas the builders write call no
    function with a lowercase name, so every token with a lowercase letter is a name or a sheet).

    >>> _fast_rewriter({"a": "w1_a"}, {"Monthly": "1 Chat monthly"})('=IF(a="a",Monthly!C5+a)')
    '=IF(w1_a="a",\\'1 Chat monthly\\'!C5+w1_a)'
    """
    table = dict(names)
    for old, new in sheets.items():
        table[f"{old}!"] = _quote(new) + "!"
        table[f"'{old}'!"] = _quote(new) + "!"
    split = _PIECES.split
    get = table.get

    def rewrite(text: str) -> str:
        parts = split(text)
        parts[1::2] = [get(p, p) for p in parts[1::2]]
        return "".join(parts)

    return rewrite


def rewrite_sheets(book, sheets: dict[str, str], new_names: list[str], prefix: str) -> None:
    """Rename the sheets ``sheets`` (build title -> final title) and prefix the names ``new_names``.

    Every formula of those sheets and every defined name they hold is rewritten.
    """
    from openpyxl.workbook.defined_name import DefinedName

    mapping = {name: prefix + name for name in new_names}
    rewrite = _fast_rewriter(mapping, sheets)
    for build in sheets:
        ws = book.wb[build]
        for cell in ws._cells.values():  # the cells written, not the whole rectangle
            if cell.data_type == "f":
                value = cell._value
                if isinstance(value, str):
                    cell._value = rewrite(value)
    for name in new_names:
        ref = book.names.pop(name)
        del book.wb.defined_names[name]
        new_ref = rewrite_formula(ref, {}, sheets)
        book.names[prefix + name] = new_ref
        book.wb.defined_names[prefix + name] = DefinedName(prefix + name, attr_text=new_ref)
    for build, final in sheets.items():
        book.wb[build].title = final


__all__ = ["workload_prefix", "pool_prefix", "workload_titles", "rewrite_formula", "rewrite_sheets",
           "BUILD_TITLES"]
