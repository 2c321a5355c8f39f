"""Compute the formulas of an openpyxl workbook, and save it with cached values beside them.

openpyxl writes a formula cell as ``<f>`` alone, so a viewer that does not
recalculate (a file preview, ``pandas.read_excel``, openpyxl ``data_only=True``)
sees nothing. :func:`save_workbook` evaluates every formula with
:class:`Evaluator`, saves the workbook with openpyxl, then writes each result
into the sheet XML as the cell's cached ``<v>`` (``t="str"`` for text, ``t="b"``
for booleans, ``t="e"`` for errors). ``fullCalcOnLoad`` stays set, so Excel and
LibreOffice still recalculate everything on opening.

The evaluator knows the formula vocabulary of the workbook builders, with the
semantics of Excel and LibreOffice:

- constants (numbers, ``"text"``, ``TRUE``/``FALSE``, error values), cell
  references (relative or absolute, on other sheets, quoted sheet names),
  ranges, workbook and sheet defined names pointing at cells or ranges;
- operators ``:`` (in references), unary ``-``/``+`` (binding tighter than
  ``^``, so ``-2^2`` is 4), ``%``, ``^`` (left to right), ``* /``, ``+ -``,
  ``&``, ``= <> < <= > >=``; ``+`` and ``-`` give exactly 0 when the operands
  cancel to within 15 significant digits, comparisons of numbers hold within
  the same margin (both as LibreOffice does);
- an empty cell is 0 in arithmetic, "" in text; text comparisons ignore case;
  numbers < text < booleans; errors propagate; IF and CHOOSE are lazy;
- array semantics: operators and one-argument functions apply element by
  element to ranges (``SUMPRODUCT(ABS(a-b))``, ``SUMPRODUCT(--(a>b))``);
- dates are serial numbers of the 1900 system (day 1 is 1900-01-01, with the
  fictitious 1900-02-29 of Excel, so 1900-03-01 is day 61);
- IRR by Newton's method from the guess, NPV from period 1.

The functions are those of :data:`FUNCTIONS`. A formula that cannot be parsed,
calls another function, or depends on such a cell (or on a circular reference)
gets no cached value; it is listed in :attr:`Evaluator.unsupported` and never
stops the save.

Evaluation is on demand with memoisation; a chain of dependencies (a time
series whose every month reads the month above) is followed to a bounded
depth, and deeper cells are computed first from an explicit stack, so there is
no recursion limit to hit.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterable
from xml.sax.saxutils import escape

__all__ = ["Evaluator", "XLError", "evaluate_workbook", "save_workbook", "FUNCTIONS", "ERRORS", "to_text"]


# ---- values --------------------------------------------------------------------------


class XLError:
    """A spreadsheet error value such as ``#DIV/0!`` (one instance per code, see :data:`ERRORS`)."""

    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __repr__(self) -> str:
        return f"XLError({self.code!r})"

    def __str__(self) -> str:
        return self.code

    def __eq__(self, other) -> bool:
        return isinstance(other, XLError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(self.code)


ERRORS = {code: XLError(code) for code in
          ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")}
NULL, DIV0, VALUE, REF, NAME, NUM, NA = (ERRORS[c] for c in
                                         ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


class Ref:
    """A rectangular reference ``sheet!r1c1:r2c2`` (1-based, inclusive)."""

    __slots__ = ("sheet", "r1", "c1", "r2", "c2")

    def __init__(self, sheet: str, r1: int, c1: int, r2: int, c2: int):
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2

    @property
    def rows(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def cols(self) -> int:
        return self.c2 - self.c1 + 1

    def __repr__(self) -> str:
        return f"Ref({self.sheet!r}, {self.r1}, {self.c1}, {self.r2}, {self.c2})"


class Arr:
    """An array value: a list of rows of scalars."""

    __slots__ = ("rows",)

    def __init__(self, rows: list):
        self.rows = rows

    def __repr__(self) -> str:
        return f"Arr({self.rows!r})"


class _Missing:
    """An omitted function argument (``IF(x,,1)``)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class Unsupported(Exception):
    """A formula the evaluator cannot compute (parse failure, unknown function, circular reference)."""


class _TooDeep(Exception):
    def __init__(self, key):
        self.key = key


_ABSENT = object()


class _UnsupportedValue:
    """The memoised value of a cell that could not be computed."""

    def __init__(self, reason: str):
        self.reason = reason


# ---- conversions ---------------------------------------------------------------------

_EPS = 2.0 ** -48  # LibreOffice's rtl::math::approxEqual margin


def _approx_equal(a: float, b: float) -> bool:
    if a == b:
        return True
    if a == 0.0 or b == 0.0 or not (math.isfinite(a) and math.isfinite(b)):
        return False
    d = abs(a - b)
    return d < abs(a) * _EPS and d < abs(b) * _EPS


def to_text(value) -> str:
    """A scalar as text, the way ``&`` shows it: ``2026``, ``2.5``, ``1E+22``, ``TRUE``, ``""`` for empty."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = f"{value:.15g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            sign = "-" if exponent.startswith("-") else "+"
            text = f"{mantissa}E{sign}{int(exponent.lstrip('+-')):02d}"
        return text
    if isinstance(value, int):
        return str(value)
    return str(value)


_NUMBER_TEXT = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*%?\s*$")


def _text_number(text: str):
    """The number a text holds (``"2026"``, ``" 1.5e3"``, ``"50%"``), or None."""
    if not _NUMBER_TEXT.match(text):
        return None
    text = text.strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100.0
    return float(text)


def _num(value):
    """A scalar as a number for arithmetic (empty is 0, text must hold a number), or an XLError."""
    if isinstance(value, float):
        return value
    if value is None or value is MISSING:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int):
        return float(value)
    if isinstance(value, XLError):
        return value
    if isinstance(value, str):
        number = _text_number(value)
        return VALUE if number is None else number
    return VALUE


def _bool(value):
    """A scalar as a logical value, or an XLError."""
    if isinstance(value, bool):
        return value
    if value is None or value is MISSING:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, XLError):
        return value
    if isinstance(value, str):
        upper = value.upper()
        if upper == "TRUE":
            return True
        if upper == "FALSE":
            return False
    return VALUE


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _result(number: float):
    """A computed float, or #NUM! when it is not finite."""
    return number if math.isfinite(number) else NUM


# ---- tokens and parsing ----------------------------------------------------------------

_TOKEN = re.compile(r"""
 (?P<ws>\s+)
|(?P<str>"(?:[^"]|"")*")
|(?P<err>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A))
|(?P<func>[A-Za-z_][A-Za-z0-9_.]*(?=\())
|(?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?
     (?P<c1a>\$?)(?P<c1>[A-Za-z]{1,3})(?P<r1a>\$?)(?P<r1>[0-9]+)
     (?::(?P<c2a>\$?)(?P<c2>[A-Za-z]{1,3})(?P<r2a>\$?)(?P<r2>[0-9]+))?
     (?![A-Za-z0-9_.(!]))
|(?P<cols>(?:(?P<csheet>'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?
     (?P<k1a>\$?)(?P<k1>[A-Za-z]{1,3}):(?P<k2a>\$?)(?P<k2>[A-Za-z]{1,3})(?![A-Za-z0-9_.(!]))
|(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)
|(?P<name>[A-Za-z_\\][A-Za-z0-9_.\\]*)
|(?P<op><=|>=|<>|[-+*/^&=<>%(),])
""", re.X)

_COLUMNS: dict[str, int] = {}
#: The last row of a sheet: a whole-column reference ends there, and is cut to the sheet's used rows when read.
WHOLE_COLUMN = 1_048_576
_DIGITS = re.compile(r"[0-9]+")


def _column(letters: str) -> int:
    try:
        return _COLUMNS[letters]
    except KeyError:
        n = 0
        for ch in letters.upper():
            n = 26 * n + ord(ch) - 64
        _COLUMNS[letters] = n
        return n


def _sheet_name(text: str | None) -> str | None:
    if text is None:
        return None
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    return text


def tokenize(formula: str, row: int, col: int) -> tuple:
    """See :func:`tokenize_marked`; the tokens alone."""
    return tokenize_marked(formula, row, col)[0]


def tokenize_marked(formula: str, row: int, col: int) -> tuple[tuple, frozenset]:
    """The tokens of a formula (without its ``=``), relative references as offsets from (row, col).

    A reference token is ``("ref", sheet, r1, c1, r2, c2, absolute flags)`` where a
    relative row or column is stored as an offset, so that the formulas of a
    column that differ only in their row share one token tuple (and one parse).

    Raises
    ------
    Unsupported
        On a character the grammar does not know.

    Returns
    -------
    tuple, frozenset
        The tokens, and the start positions of the relative row numbers in the text.
    """
    tokens = []
    relative_rows = []
    pos, end = 0, len(formula)
    match = _TOKEN.match
    while pos < end:
        m = match(formula, pos)
        if m is None:
            raise Unsupported(f"cannot read {formula[pos:pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        if kind == "ref":
            r1a, c1a = m.group("r1a") == "$", m.group("c1a") == "$"
            r1, c1 = int(m.group("r1")), _column(m.group("c1"))
            if m.group("r2") is not None:
                r2a, c2a = m.group("r2a") == "$", m.group("c2a") == "$"
                r2, c2 = int(m.group("r2")), _column(m.group("c2"))
            else:
                r2a, c2a, r2, c2 = r1a, c1a, r1, c1
            if not r1a:
                relative_rows.append(m.start("r1"))
            if m.group("r2") is not None and not r2a:
                relative_rows.append(m.start("r2"))
            tokens.append(("ref", _sheet_name(m.group("sheet")),
                           r1 if r1a else r1 - row, c1 if c1a else c1 - col,
                           r2 if r2a else r2 - row, c2 if c2a else c2 - col, (r1a, c1a, r2a, c2a)))
        elif kind == "cols":  # a whole-column range ($B:$B): rows 1 .. the sheet's last used row
            k1a, k2a = m.group("k1a") == "$", m.group("k2a") == "$"
            k1, k2 = _column(m.group("k1")), _column(m.group("k2"))
            tokens.append(("ref", _sheet_name(m.group("csheet")), 1, k1 if k1a else k1 - col,
                           WHOLE_COLUMN, k2 if k2a else k2 - col, (True, k1a, True, k2a)))
        elif kind == "str":
            tokens.append(("str", m.group()[1:-1].replace('""', '"')))
        elif kind == "num":
            tokens.append(("num", float(m.group())))
        elif kind == "func":
            tokens.append(("func", m.group().upper()))
        elif kind == "name":
            text = m.group()
            upper = text.upper()
            if upper in ("TRUE", "FALSE"):
                tokens.append(("bool", upper == "TRUE"))
            else:
                tokens.append(("name", upper))
        elif kind == "err":
            tokens.append(("err", m.group()))
        else:
            tokens.append(("op", m.group()))
    return tuple(tokens), frozenset(relative_rows)


class _Parser:
    """Recursive descent over tokens, giving a tree of tuples.

    Precedence, loosest first: comparisons, ``&``, ``+ -``, ``* /``, ``^``,
    unary ``- +``, postfix ``%``.
    """

    def __init__(self, tokens: tuple):
        self.tokens = tokens
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", None)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def is_op(self, *ops) -> bool:
        kind, value = self.peek()[:2]
        return kind == "op" and value in ops

    def expect(self, op: str) -> None:
        if not self.is_op(op):
            raise Unsupported(f"expected {op!r}, found {self.peek()[1]!r}")
        self.i += 1

    def parse(self):
        if not self.tokens:
            raise Unsupported("empty formula")
        node = self.comparison()
        if self.i != len(self.tokens):
            raise Unsupported(f"unexpected {self.peek()[1]!r}")
        return node

    def comparison(self):
        node = self.concat()
        while self.is_op("=", "<>", "<", "<=", ">", ">="):
            op = self.take()[1]
            node = ("bin", op, node, self.concat())
        return node

    def concat(self):
        node = self.additive()
        while self.is_op("&"):
            self.i += 1
            node = ("bin", "&", node, self.additive())
        return node

    def additive(self):
        node = self.multiplicative()
        while self.is_op("+", "-"):
            op = self.take()[1]
            node = ("bin", op, node, self.multiplicative())
        return node

    def multiplicative(self):
        node = self.power()
        while self.is_op("*", "/"):
            op = self.take()[1]
            node = ("bin", op, node, self.power())
        return node

    def power(self):
        node = self.unary()
        while self.is_op("^"):
            self.i += 1
            node = ("bin", "^", node, self.unary())
        return node

    def unary(self):
        if self.is_op("-"):
            self.i += 1
            return ("neg", self.unary())
        if self.is_op("+"):
            self.i += 1
            return self.unary()
        node = self.primary()
        while self.is_op("%"):
            self.i += 1
            node = ("pct", node)
        return node

    def primary(self):
        token = self.take()
        kind = token[0]
        if kind in ("num", "str", "bool"):
            return ("const", token[1])
        if kind == "err":
            return ("const", ERRORS[token[1]])
        if kind == "ref":
            return token
        if kind == "name":
            return ("name", token[1])
        if kind == "func":
            self.expect("(")
            args = []
            if self.is_op(")"):
                self.i += 1
                return ("func", token[1], tuple(args))
            while True:
                if self.is_op(",", ")"):
                    args.append(("const", MISSING))
                else:
                    args.append(self.comparison())
                if self.is_op(","):
                    self.i += 1
                    continue
                self.expect(")")
                return ("func", token[1], tuple(args))
        if kind == "op" and token[1] == "(":
            node = self.comparison()
            self.expect(")")
            return node
        raise Unsupported(f"unexpected {token[1]!r}")


def parse(formula: str, row: int = 1, col: int = 1):
    """The syntax tree of a formula without its ``=`` (for tests and tools)."""
    return _Parser(tokenize(formula, row, col)).parse()


# ---- the evaluator ---------------------------------------------------------------------

#: How many cells deep one computation may follow references before the deepest is computed first.
MAX_DEPTH = 24


class Evaluator:
    """The values of an openpyxl workbook's formulas, computed on demand.

    Parameters
    ----------
    wb : openpyxl.Workbook
        Read, never changed.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> wb = Workbook(); ws = wb.active
    >>> ws["A1"], ws["A2"], ws["A3"] = 2, "=-A1^2", '=A2&" m"'
    >>> Evaluator(wb).value(ws.title, "A3")
    '4 m'
    """

    def __init__(self, wb):
        self.wb = wb
        self.sheets = {ws.title: ws for ws in wb.worksheets}
        self._sheet_by_upper = {title.upper(): title for title in self.sheets}
        self.values: dict[tuple, object] = {}
        self.formulas: dict[tuple, str] = {}
        self.unsupported: dict[tuple, str] = {}
        self._compiled_cache: dict[tuple, Callable] = {}
        self._shapes: dict[tuple, list] = {}
        self._name_refs: dict[tuple, Ref] = {}
        self._ranges: dict[tuple, list] = {}
        self._active: set = set()
        self._depth = 0
        for title, ws in self.sheets.items():
            for (row, col), cell in ws._cells.items():
                value = cell._value
                if value is None:
                    continue
                key = (title, row, col)
                if cell.data_type == "f":
                    if isinstance(value, str) and value.startswith("="):
                        self.formulas[key] = value[1:]
                    else:  # array or data-table formulas
                        self.formulas[key] = None
                else:
                    self.values[key] = _constant(cell, value)
        self._global_names = {name.upper(): dn.attr_text for name, dn in wb.defined_names.items()}
        self._local_names = {title: {name.upper(): dn.attr_text for name, dn in ws.defined_names.items()}
                             for title, ws in self.sheets.items()}
        self._names: dict[tuple, object] = {}

    # -- public --

    def value(self, sheet: str, coordinate: str):
        """The value of one cell (``"B5"``); raises :class:`Unsupported` when it cannot be computed."""
        from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

        letters, row = coordinate_from_string(coordinate)
        key = (sheet, row, column_index_from_string(letters))
        self._drive(key)
        value = self.values[key]
        if isinstance(value, _UnsupportedValue):
            raise Unsupported(value.reason)
        return value

    def evaluate_all(self) -> dict[tuple, object]:
        """``{(sheet, row, column): value}`` of every formula cell that could be computed.

        The others are in :attr:`unsupported` with the reason.
        """
        sheet_index = {title: i for i, title in enumerate(self.sheets)}
        order = sorted(self.formulas, key=lambda k: (sheet_index[k[0]], k[2], k[1]))  # down each column
        for key in order:
            self._drive(key)
        out = {}
        for key in self.formulas:
            value = self.values[key]
            if isinstance(value, _UnsupportedValue):
                self.unsupported[key] = value.reason
            else:
                out[key] = value
        return out

    # -- cells --

    def _drive(self, key) -> None:
        """Compute a cell, computing first from an explicit stack the cells found too deep."""
        stack = [key]
        values = self.values
        while stack:
            top = stack[-1]
            if top in values:
                stack.pop()
                continue
            try:
                self._compute(top)
            except _TooDeep as deep:
                if deep.key in stack:  # a cell waiting below needs this one, which needs it: a cycle
                    values[deep.key] = _UnsupportedValue("circular reference")
                stack.append(deep.key)
            else:
                stack.pop()

    def _compute(self, key):
        if key in self._active:
            raise Unsupported(f"circular reference at {key[0]}!{_coordinate(key[1], key[2])}")
        if self._depth >= MAX_DEPTH:
            raise _TooDeep(key)
        formula = self.formulas[key]
        self._active.add(key)
        self._depth += 1
        try:
            if formula is None:
                raise Unsupported("array or data-table formula")
            fn = self._compiled(formula, key[1], key[2])
            value = _final(self, fn(self, key), key)
        except Unsupported as error:
            value = _UnsupportedValue(str(error))
        finally:
            self._depth -= 1
            self._active.discard(key)
        self.values[key] = value
        return value

    def cell(self, sheet: str, row: int, col: int):
        """The value of a cell (None when empty), computing it when it holds a formula."""
        key = (sheet, row, col)
        value = self.values.get(key, _ABSENT)
        if value is _ABSENT:
            if key not in self.formulas:
                self.values[key] = None
                return None
            value = self._compute(key)
        if value.__class__ is _UnsupportedValue:
            raise Unsupported(value.reason)
        return value

    def range_rows(self, ref: Ref) -> list:
        """The values of a reference, as a list of rows."""
        width = ref.c2 - ref.c1 + 1
        flat = self.range_values(ref)
        return [flat[i:i + width] for i in range(0, len(flat), width)]

    def range_values(self, ref: Ref) -> list:
        """The values of a reference, row by row, as one flat list."""
        key = (ref.sheet, ref.r1, ref.c1, ref.r2, ref.c2)
        out = self._ranges.get(key)
        if out is not None:
            return out
        cell, get = self.cell, self.values.get
        sheet = ref.sheet
        if ref.r2 == WHOLE_COLUMN:
            used = Ref(sheet, ref.r1, ref.c1, max(ref.r1, self.sheets[sheet].max_row), ref.c2)
            out = self._ranges[key] = self.range_values(used)
            return out
        if ref.c1 == ref.c2 and ref.r2 > ref.r1:  # a growing window ($X$4:X9 after $X$4:X8): one more cell
            shorter = self._ranges.get((sheet, ref.r1, ref.c1, ref.r2 - 1, ref.c2))
            if shorter is not None:
                out = shorter + [cell(sheet, ref.r2, ref.c1)]
                self._ranges[key] = out
                return out
        out = []
        for r in range(ref.r1, ref.r2 + 1):
            for c in range(ref.c1, ref.c2 + 1):
                value = get((sheet, r, c), _ABSENT)
                if value is _ABSENT or value.__class__ is _UnsupportedValue:
                    value = cell(sheet, r, c)
                out.append(value)
        self._ranges[key] = out  # the values of computed cells never change
        return out

    def sheet_title(self, name: str | None, host_sheet: str) -> str:
        if name is None:
            return host_sheet
        try:
            return self._sheet_by_upper[name.upper()]
        except KeyError:
            raise Unsupported(f"no sheet {name!r}") from None

    def name(self, name: str, host_sheet: str):
        """The value of a defined name (a :class:`Ref` for names of cells and ranges)."""
        try:
            return self._name_refs[(host_sheet, name)]
        except KeyError:
            pass
        local = self._local_names.get(host_sheet, {})
        scope = host_sheet if name in local else None
        key = (scope, name)
        try:
            fn = self._names[key]
        except KeyError:
            text = local.get(name) if scope else self._global_names.get(name)
            if text is None:
                raise Unsupported(f"no defined name {name!r}") from None
            fn = self._compiled(text[1:] if text.startswith("=") else text, 1, 1)
            self._names[key] = fn
        value = fn(self, (host_sheet, 1, 1))
        if isinstance(value, Ref):
            self._name_refs[(host_sheet, name)] = value
        return value

    def _compiled(self, formula: str, row: int, col: int):
        """The closure of a formula at (row, col), shared by the formulas of a column that differ only in row.

        Formulas with the same text apart from digits, in the same column,
        share one closure when their relative row numbers have the same
        offsets from their rows and every other digit is the same; anything
        else is tokenized (and its tokens, with relative references as
        offsets, looked up in turn).
        """
        shape = (_DIGITS.sub("#", formula), col)
        runs = _DIGITS.findall(formula)
        entries = self._shapes.setdefault(shape, [])
        for template, relative, fn in entries:
            for text, want, is_relative in zip(runs, template, relative):
                if is_relative:
                    if int(text) - row != want:
                        break
                elif text != want:
                    break
            else:
                return fn
        tokens, relative_starts = tokenize_marked(formula, row, col)
        fn = self._compiled_tokens(tokens)
        if len(entries) < 8:
            starts = [m.start() for m in _DIGITS.finditer(formula)]
            relative = [start in relative_starts for start in starts]
            template = [int(text) - row if rel else text for text, rel in zip(runs, relative)]
            entries.append((template, relative, fn))
        return fn

    def _compiled_tokens(self, tokens: tuple):
        try:
            return self._compiled_cache[tokens]
        except KeyError:
            pass
        try:
            fn = _compile(_Parser(tokens).parse())
        except Unsupported as error:
            reason = str(error)

            def fn(ev, host, reason=reason):
                raise Unsupported(reason)
        self._compiled_cache[tokens] = fn
        return fn


def _coordinate(row: int, col: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _constant(cell, value):
    """A constant cell's value for formulas: numbers as float, dates as serials."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        if cell.data_type == "e" and value in ERRORS:
            return ERRORS[value]
        return value
    if isinstance(value, (_dt.datetime, _dt.date)):
        return date_serial(value)
    return str(value)


def _final(ev: Evaluator, value, key):
    """The value a formula cell shows: a reference's value, an empty cell as 0."""
    if isinstance(value, Ref):
        if value.rows == 1 and value.cols == 1:
            value = ev.cell(value.sheet, value.r1, value.c1)
        else:  # implicit intersection with the formula's row or column
            _, row, col = key
            if value.cols == 1 and value.r1 <= row <= value.r2:
                value = ev.cell(value.sheet, row, value.c1)
            elif value.rows == 1 and value.c1 <= col <= value.c2:
                value = ev.cell(value.sheet, value.r1, col)
            else:
                return VALUE
    elif isinstance(value, Arr):
        raise Unsupported("the formula gives an array")
    if value is None or value is MISSING:
        return 0.0
    if isinstance(value, float) and not math.isfinite(value):
        return NUM
    return value


# ---- compiling trees to closures -------------------------------------------------------


def _compile(node) -> Callable:
    kind = node[0]
    if kind == "const":
        value = node[1]
        return lambda ev, host: value
    if kind == "ref":
        _, sheet, r1, c1, r2, c2, (r1a, c1a, r2a, c2a) = node

        def ref(ev, host):
            _, row, col = host
            title = host[0] if sheet is None else ev.sheet_title(sheet, host[0])
            a, b = (r1 if r1a else row + r1), (c1 if c1a else col + c1)
            c, d = (r2 if r2a else row + r2), (c2 if c2a else col + c2)
            if min(a, b, c, d) < 1:
                return REF
            return Ref(title, min(a, c), min(b, d), max(a, c), max(b, d))
        return ref
    if kind == "name":
        name = node[1]
        return lambda ev, host: ev.name(name, host[0])
    if kind == "neg":
        inner = _compile_value(node[1])
        return lambda ev, host: _unary(inner(ev, host), _negate)
    if kind == "pct":
        inner = _compile_value(node[1])
        return lambda ev, host: _unary(inner(ev, host), _percent)
    if kind == "bin":
        op = _BINARY[node[1]]
        left, right = _compile_value(node[2]), _compile_value(node[3])

        def binary(ev, host):
            a, b = left(ev, host), right(ev, host)
            if a.__class__ is Arr or b.__class__ is Arr:
                return _broadcast(a, b, op)
            return op(a, b)
        return binary
    if kind == "func":
        name, args = node[1], node[2]
        if name in _LAZY:
            lazy = _LAZY[name]
            compiled = tuple(_compile(a) for a in args)
            return lambda ev, host: lazy(ev, host, compiled)
        try:
            fn = FUNCTIONS[name]
        except KeyError:
            raise Unsupported(f"unknown function {name}") from None
        compiled = tuple(_compile(a) for a in args)
        if len(compiled) == 1:
            only = compiled[0]
            return lambda ev, host: fn(ev, only(ev, host))
        return lambda ev, host: fn(ev, *[a(ev, host) for a in compiled])
    raise Unsupported(f"cannot compute {kind}")


def _compile_value(node) -> Callable:
    """A closure giving the node's value: a one-cell reference's content, a range's array."""
    if node[0] == "ref" and node[2:4] == node[4:6] and node[6][:2] == node[6][2:]:
        _, sheet, r1, c1, _, _, (ra, ca, _, _) = node

        def cell_value(ev, host):
            title = host[0] if sheet is None else ev.sheet_title(sheet, host[0])
            r = r1 if ra else host[1] + r1
            c = c1 if ca else host[2] + c1
            if r < 1 or c < 1:
                return REF
            value = ev.values.get((title, r, c), _ABSENT)
            if value is _ABSENT or value.__class__ is _UnsupportedValue:
                return ev.cell(title, r, c)
            return value
        return cell_value
    if node[0] == "const":
        value = node[1]
        return lambda ev, host: value
    fn = _compile(node)

    def value(ev, host):
        v = fn(ev, host)
        return _deref(ev, v) if v.__class__ is Ref else v
    return value


def _deref(ev: Evaluator, value):
    """A reference as its value (one cell) or an array (more); other values unchanged."""
    if isinstance(value, Ref):
        if value.r1 == value.r2 and value.c1 == value.c2:
            return ev.cell(value.sheet, value.r1, value.c1)
        return Arr(ev.range_rows(value))
    return value


def _scalar(ev: Evaluator, value):
    """A function argument that must be one value: a one-cell reference's value; a larger one is #VALUE!."""
    if isinstance(value, Ref):
        if value.r1 == value.r2 and value.c1 == value.c2:
            return ev.cell(value.sheet, value.r1, value.c1)
        return VALUE
    if isinstance(value, Arr):
        return value.rows[0][0] if value.rows and value.rows[0] else VALUE
    return value


def _negate(x):
    x = _num(x)
    return x if isinstance(x, XLError) else -x


def _percent(x):
    x = _num(x)
    return x if isinstance(x, XLError) else x / 100.0


def _unary(value, fn):
    if isinstance(value, Arr):
        return Arr([[fn(x) for x in row] for row in value.rows])
    return fn(value)


def _broadcast(a, b, fn):
    """Element by element over arrays (a one-row or one-column array is repeated); #N/A outside."""
    ra = a.rows if isinstance(a, Arr) else [[a]]
    rb = b.rows if isinstance(b, Arr) else [[b]]
    rows = max(len(ra), len(rb))
    cols = max(len(ra[0]) if ra else 0, len(rb[0]) if rb else 0)

    def pick(m, i, j):
        h, w = len(m), (len(m[0]) if m else 0)
        ii = 0 if h == 1 else i
        jj = 0 if w == 1 else j
        if ii >= h or jj >= w:
            return NA
        return m[ii][jj]
    out = []
    for i in range(rows):
        out.append([fn(pick(ra, i, j), pick(rb, i, j)) for j in range(cols)])
    return Arr(out)


def _arith(fn):
    def op(a, b):
        if a.__class__ is float and b.__class__ is float:
            return fn(a, b)
        if isinstance(a, XLError):
            return a
        if isinstance(b, XLError):
            return b
        x, y = _num(a), _num(b)
        if isinstance(x, XLError):
            return x
        if isinstance(y, XLError):
            return y
        return fn(x, y)
    return op


def _add(x, y):
    if ((x < 0) != (y < 0)) and x != 0 and y != 0 and _approx_equal(x, -y):
        return 0.0
    return _result(x + y)


def _sub(x, y):
    if ((x < 0) == (y < 0)) and x != 0 and y != 0 and _approx_equal(x, y):
        return 0.0
    return _result(x - y)


def _mul(x, y):
    return _result(x * y)


def _div(x, y):
    if y == 0:
        return DIV0
    return _result(x / y)


def _pow(x, y):
    if x == 0 and y == 0:
        return NUM
    if x == 0 and y < 0:
        return DIV0
    try:
        value = x ** y
    except (OverflowError, ZeroDivisionError):
        return NUM
    if isinstance(value, complex):
        return NUM
    return _result(value)


def _concat(a, b):
    if isinstance(a, XLError):
        return a
    if isinstance(b, XLError):
        return b
    return to_text(a) + to_text(b)


def _rank(value):
    """Sort class of a scalar: numbers 0, text 1, booleans 2."""
    if isinstance(value, bool):
        return 2
    if isinstance(value, str):
        return 1
    return 0


def _compare(a, b) -> int | XLError:
    """-1, 0, 1 as Excel orders two scalars (empty is 0, "" or FALSE beside the other)."""
    if isinstance(a, XLError):
        return a
    if isinstance(b, XLError):
        return b
    if a is None or a is MISSING:
        a = "" if isinstance(b, str) else (False if isinstance(b, bool) else 0.0)
    if b is None or b is MISSING:
        b = "" if isinstance(a, str) else (False if isinstance(a, bool) else 0.0)
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 1:
        a, b = a.lower(), b.lower()
        return 0 if a == b else (-1 if a < b else 1)
    if ra == 2:
        return 0 if a == b else (-1 if a < b else 1)
    a, b = float(a), float(b)
    if _approx_equal(a, b):
        return 0
    return -1 if a < b else 1


def _comparison(test):
    def op(a, b):
        if a.__class__ is float and b.__class__ is float:
            return test(0 if _approx_equal(a, b) else (-1 if a < b else 1))
        c = _compare(a, b)
        if isinstance(c, XLError):
            return c
        return test(c)
    return op


_BINARY = {
    "+": _arith(_add), "-": _arith(_sub), "*": _arith(_mul), "/": _arith(_div), "^": _arith(_pow),
    "&": _concat,
    "=": _comparison(lambda c: c == 0), "<>": _comparison(lambda c: c != 0),
    "<": _comparison(lambda c: c < 0), "<=": _comparison(lambda c: c <= 0),
    ">": _comparison(lambda c: c > 0), ">=": _comparison(lambda c: c >= 0),
}


# ---- functions ---------------------------------------------------------------------------


def _elementwise(fn):
    """A one-value function applied to each element of a range or array argument."""
    def wrapper(ev, value, *rest):
        if rest:
            raise Unsupported("too many arguments")
        value = _deref(ev, value)
        if isinstance(value, Arr):
            return Arr([[fn(x) for x in row] for row in value.rows])
        return fn(value)
    return wrapper


def _numeric(fn):
    def inner(x):
        x = _num(x)
        return x if isinstance(x, XLError) else fn(x)
    return inner


def _flatten(ev, args, *, direct_text: bool = False):
    """The numbers of aggregate arguments (SUM, MAX, ...), or the first error.

    In a range or array only numbers count; a direct argument that is a
    boolean or a numeric text counts as its number (other text is #VALUE!).
    """
    out = []
    for arg in args:
        if isinstance(arg, Ref):
            values = ev.range_values(arg)
        elif isinstance(arg, Arr):
            values = [x for row in arg.rows for x in row]
        else:
            if arg is MISSING or arg is None:
                continue
            number = _num(arg)
            if isinstance(number, XLError):
                return number
            out.append(number)
            continue
        for x in values:
            if isinstance(x, float):
                out.append(x)
            elif isinstance(x, XLError):
                return x
            elif isinstance(x, int) and not isinstance(x, bool):
                out.append(float(x))
    return out


def _sum(ev, *args):
    numbers = _flatten(ev, args)
    if isinstance(numbers, XLError):
        return numbers
    return _result(math.fsum(numbers))


def _max(ev, *args):
    numbers = _flatten(ev, args)
    if isinstance(numbers, XLError):
        return numbers
    return max(numbers) if numbers else 0.0


def _min(ev, *args):
    numbers = _flatten(ev, args)
    if isinstance(numbers, XLError):
        return numbers
    return min(numbers) if numbers else 0.0


def _count(ev, *args):
    count = 0
    for arg in args:
        if isinstance(arg, (Ref, Arr)):
            values = ev.range_values(arg) if isinstance(arg, Ref) else [x for r in arg.rows for x in r]
            count += sum(1 for x in values if _is_number(x))
        elif _is_number(arg) or isinstance(arg, bool) or (isinstance(arg, str) and _text_number(arg) is not None):
            count += 1
    return float(count)


def _average(ev, *args):
    numbers = _flatten(ev, args)
    if isinstance(numbers, XLError):
        return numbers
    return math.fsum(numbers) / len(numbers) if numbers else DIV0


def _as_array(ev, value) -> list:
    """An argument as a list of rows (a scalar is a 1x1 array)."""
    value = _deref(ev, value)
    if isinstance(value, Arr):
        return value.rows
    return [[value]]


def _sumproduct(ev, *args):
    arrays = [_as_array(ev, a) for a in args]
    shape = (len(arrays[0]), len(arrays[0][0]) if arrays[0] else 0)
    for a in arrays:
        if (len(a), len(a[0]) if a else 0) != shape:
            return VALUE
    terms = []
    for i in range(shape[0]):
        for j in range(shape[1]):
            product = 1.0
            for a in arrays:
                x = a[i][j]
                if isinstance(x, XLError):
                    return x
                product *= x if _is_number(x) else 0.0
            terms.append(product)
    return _result(math.fsum(terms))


def _if(ev, host, args):
    if not 1 <= len(args) <= 3:
        raise Unsupported("IF takes 1 to 3 arguments")
    condition = args[0](ev, host)
    if condition.__class__ is Ref:
        condition = _deref(ev, condition)
    if isinstance(condition, Arr):
        then = _deref(ev, args[1](ev, host)) if len(args) > 1 else True
        other = _deref(ev, args[2](ev, host)) if len(args) > 2 else False
        return _broadcast(condition, _broadcast(then, other, lambda t, o: (t, o)), _pick_branch)
    truth = _bool(condition)
    if isinstance(truth, XLError):
        return truth
    if truth:
        if len(args) < 2:
            return True
        value = args[1](ev, host)
        return 0.0 if value is MISSING else value
    if len(args) < 3:
        return False
    value = args[2](ev, host)
    return 0.0 if value is MISSING else value


def _pick_branch(condition, pair):
    truth = _bool(condition)
    if isinstance(truth, XLError):
        return truth
    if isinstance(pair, XLError):
        return pair
    return pair[0] if truth else pair[1]


def _choose(ev, host, args):
    if len(args) < 2:
        raise Unsupported("CHOOSE takes an index and values")
    index = _num(_scalar(ev, args[0](ev, host)))
    if isinstance(index, XLError):
        return index
    i = int(index)
    if not 1 <= i < len(args):
        return VALUE
    return args[i](ev, host)


def _iferror(ev, host, args):
    if len(args) != 2:
        raise Unsupported("IFERROR takes 2 arguments")
    value = _deref(ev, args[0](ev, host))
    if isinstance(value, Arr):
        raise Unsupported("IFERROR over an array")
    return args[1](ev, host) if isinstance(value, XLError) else value


_LAZY = {"IF": _if, "CHOOSE": _choose, "IFERROR": _iferror}


def _logical_values(ev, args):
    out = []
    for arg in args:
        if isinstance(arg, (Ref, Arr)):
            values = ev.range_values(arg) if isinstance(arg, Ref) else [x for r in arg.rows for x in r]
            for x in values:
                if isinstance(x, XLError):
                    return x
                if isinstance(x, bool) or _is_number(x):
                    out.append(bool(x))
        else:
            truth = _bool(arg)
            if isinstance(truth, XLError):
                return truth
            out.append(truth)
    return out


def _and(ev, *args):
    values = _logical_values(ev, args)
    if isinstance(values, XLError):
        return values
    return all(values) if values else VALUE


def _or(ev, *args):
    values = _logical_values(ev, args)
    if isinstance(values, XLError):
        return values
    return any(values) if values else VALUE


def _not(x):
    truth = _bool(x)
    return truth if isinstance(truth, XLError) else not truth


def _n(x):
    if isinstance(x, bool):
        return 1.0 if x else 0.0
    if _is_number(x):
        return float(x)
    if isinstance(x, XLError):
        return x
    return 0.0


def _round_half_up(x: float, digits: int) -> float:
    """Round half away from zero on the shortest decimal form of x (2.675 -> 2.68, as spreadsheets)."""
    if not math.isfinite(x):
        return x
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(x)).quantize(quantum, rounding=ROUND_HALF_UP))


def _round(ev, x, digits=0.0):
    x, digits = _num(_scalar(ev, x)), _num(_scalar(ev, digits))
    for v in (x, digits):
        if isinstance(v, XLError):
            return v
    return _round_half_up(x, int(digits))


def _mod(ev, a, b):
    a, b = _num(_scalar(ev, a)), _num(_scalar(ev, b))
    for v in (a, b):
        if isinstance(v, XLError):
            return v
    if b == 0:
        return DIV0
    return _result(a - b * math.floor(a / b))


def _int(x):
    return float(math.floor(x))


def _sign(x):
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def _rows(ev, value):
    if isinstance(value, Ref):
        return float(value.rows)
    if isinstance(value, Arr):
        return float(len(value.rows))
    return 1.0


def _columns(ev, value):
    if isinstance(value, Ref):
        return float(value.cols)
    if isinstance(value, Arr):
        return float(len(value.rows[0]) if value.rows else 0)
    return 1.0


def _offset(ev, ref, rows, cols, height=MISSING, width=MISSING):
    if not isinstance(ref, Ref):
        return VALUE
    numbers = []
    for arg, default in ((rows, 0.0), (cols, 0.0), (height, float(ref.rows)), (width, float(ref.cols))):
        value = default if arg is MISSING else _num(_scalar(ev, arg))
        if isinstance(value, XLError):
            return value
        numbers.append(int(value))
    dr, dc, h, w = numbers
    if h < 1 or w < 1:
        return REF
    r1, c1 = ref.r1 + dr, ref.c1 + dc
    if r1 < 1 or c1 < 1:
        return REF
    return Ref(ref.sheet, r1, c1, r1 + h - 1, c1 + w - 1)


def _index(ev, ref, row, col=MISSING):
    row = _num(_scalar(ev, row))
    col = 0.0 if col is MISSING else _num(_scalar(ev, col))
    for v in (row, col):
        if isinstance(v, XLError):
            return v
    i, j = int(row), int(col)
    if isinstance(ref, Ref):
        height, width = ref.rows, ref.cols
        if col is MISSING or j == 0:
            if width == 1:
                i, j = i, 1
            elif height == 1:
                i, j = 1, i
        if i == 0 or j == 0:
            raise Unsupported("INDEX of a whole row or column")
        if not (1 <= i <= height and 1 <= j <= width):
            return REF
        return Ref(ref.sheet, ref.r1 + i - 1, ref.c1 + j - 1, ref.r1 + i - 1, ref.c1 + j - 1)
    rows = _as_array(ev, ref)
    height, width = len(rows), len(rows[0])
    if j == 0:
        if width == 1:
            j = 1
        elif height == 1:
            i, j = 1, i
    if not (1 <= i <= height and 1 <= j <= width):
        return REF
    return rows[i - 1][j - 1]


def _wildcard(pattern: str):
    """A compiled regex for a criterion with ``*``, ``?`` and ``~`` escapes, or None without wildcards."""
    if not any(ch in pattern for ch in "*?"):
        return None
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z", re.I | re.S)


def criterion(value) -> Callable[[object], bool]:
    """The test of a COUNTIF / SUMIFS criterion (``3``, ``">=3"``, ``"<>x"``, ``"OK"``, ``"a*"``)."""
    if isinstance(value, XLError):
        return lambda x: isinstance(x, XLError) and x == value
    if isinstance(value, bool):
        return lambda x: isinstance(x, bool) and x == value
    if _is_number(value):
        target = float(value)
        return lambda x: _is_number(x) and _approx_equal(float(x), target)
    text = "" if value is None or value is MISSING else str(value)
    op = ""
    for candidate in ("<=", ">=", "<>", "<", ">", "="):
        if text.startswith(candidate):
            op, text = candidate, text[len(candidate):]
            break
    number = _text_number(text) if text.strip() else None
    if number is not None:
        fast = _NUMERIC_CRITERIA[op](number)
        if fast is not None:
            return fast
        tests = {"": lambda c: c == 0, "=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0,
                 "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0}
        test = tests[op]

        def numeric(x):
            if _is_number(x):
                return test(_compare(float(x), number))
            return op == "<>"
        return numeric
    if text == "":
        if op in ("", "="):
            return lambda x: x is None or x == ""
        if op == "<>":
            return lambda x: not (x is None or x == "")
    if op in ("", "=", "<>"):
        pattern = _wildcard(text)
        lowered = text.lower()

        def equal(x):
            if not isinstance(x, str):
                return False
            return bool(pattern.match(x)) if pattern else x.lower() == lowered
        if op == "<>":
            return lambda x: not equal(x)
        return equal
    tests = {"<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0}
    test = tests[op]
    return lambda x: isinstance(x, str) and test(_compare(x, text))


def _numeric_criterion(kind):
    def make(t):
        if kind in ("", "="):
            return lambda x: x.__class__ is float and (x == t or _approx_equal(x, t))
        if kind == "<>":
            return lambda x: not (x.__class__ is float and (x == t or _approx_equal(x, t)))
        if kind == ">=":
            return lambda x: x.__class__ is float and (x >= t or _approx_equal(x, t))
        if kind == ">":
            return lambda x: x.__class__ is float and x > t and not _approx_equal(x, t)
        if kind == "<=":
            return lambda x: x.__class__ is float and (x <= t or _approx_equal(x, t))
        return lambda x: x.__class__ is float and x < t and not _approx_equal(x, t)
    return make


_NUMERIC_CRITERIA = {kind: _numeric_criterion(kind) for kind in ("", "=", "<>", "<", "<=", ">", ">=")}


def _criteria_values(ev, ref):
    if isinstance(ref, Ref):
        return ev.range_values(ref)
    if isinstance(ref, Arr):
        return [x for row in ref.rows for x in row]
    return [ref]


def _countif(ev, ref, crit):
    test = criterion(_scalar(ev, crit))
    return float(sum(1 for x in _criteria_values(ev, ref) if test(x)))


def _countifs(ev, *args):
    if len(args) % 2:
        return VALUE
    columns = [_criteria_values(ev, r) for r in args[::2]]
    tests = [criterion(_scalar(ev, c)) for c in args[1::2]]
    if len({len(c) for c in columns}) != 1:
        return VALUE
    return float(sum(1 for row in zip(*columns) if all(t(x) for t, x in zip(tests, row))))


def _sumifs(ev, total, *args):
    if not args or len(args) % 2:
        return VALUE
    values = _criteria_values(ev, total)
    columns = [_criteria_values(ev, r) for r in args[::2]]
    if any(len(c) != len(values) for c in columns):
        return VALUE
    tests = [criterion(_scalar(ev, c)) for c in args[1::2]]
    if len(tests) == 1:
        test, column = tests[0], columns[0]
        matched = [x for x, k in zip(values, column) if test(k)]
        for x in matched:
            if isinstance(x, XLError):
                return x
        return _result(math.fsum(x for x in matched if _is_number(x)))
    terms = []
    for i, x in enumerate(values):
        if all(test(column[i]) for test, column in zip(tests, columns)):
            if isinstance(x, XLError):
                return x
            if _is_number(x):
                terms.append(float(x))
    return _result(math.fsum(terms))


def _sumif(ev, ref, crit, total=MISSING):
    return _sumifs(ev, ref if total is MISSING else total, ref, crit)


def _match(ev, lookup, ref, kind=1.0):
    lookup = _scalar(ev, lookup)
    if isinstance(lookup, XLError):
        return lookup
    kind = _num(_scalar(ev, kind))
    if isinstance(kind, XLError):
        return kind
    rows = _as_array(ev, ref)
    if len(rows) == 1:
        values = rows[0]
    elif all(len(r) == 1 for r in rows):
        values = [r[0] for r in rows]
    else:
        return NA
    if kind == 0:
        test = criterion(lookup) if isinstance(lookup, str) else None
        for i, x in enumerate(values):
            if test is not None:
                if isinstance(x, str) and test(x):
                    return float(i + 1)
            elif x is not None and _rank(x) == _rank(lookup) and _compare(x, lookup) == 0:
                return float(i + 1)
        return NA
    found = None
    for i, x in enumerate(values):
        if x is None or _rank(x) != _rank(lookup) or isinstance(x, XLError):
            continue
        c = _compare(x, lookup)
        if (kind > 0 and c <= 0) or (kind < 0 and c >= 0):
            found = i + 1
        else:
            break
    return NA if found is None else float(found)


def _npv_terms(rate: float, values: list, start: int):
    total = []
    for i, v in enumerate(values):
        total.append(v / (1.0 + rate) ** (i + start))
    return math.fsum(total)


def _cash_values(ev, args):
    out = []
    for arg in args:
        if isinstance(arg, (Ref, Arr)):
            values = ev.range_values(arg) if isinstance(arg, Ref) else [x for r in arg.rows for x in r]
            for x in values:
                if isinstance(x, XLError):
                    return x
                if _is_number(x):
                    out.append(float(x))
        else:
            x = _num(arg)
            if isinstance(x, XLError):
                return x
            out.append(x)
    return out


def _npv(ev, rate, *args):
    rate = _num(_scalar(ev, rate))
    if isinstance(rate, XLError):
        return rate
    if rate == -1:
        return DIV0
    values = _cash_values(ev, args)
    if isinstance(values, XLError):
        return values
    try:
        return _result(_npv_terms(rate, values, 1))
    except (OverflowError, ZeroDivisionError):
        return NUM


def irr(values: list, guess: float = 0.1) -> float | XLError:
    """The rate at which the NPV (from period 0) of the values is 0, by Newton's method from ``guess``."""
    if not any(v > 0 for v in values) or not any(v < 0 for v in values):
        return NUM
    x = guess
    for _ in range(100):
        if x <= -1:
            return NUM
        try:
            f = math.fsum(v / (1.0 + x) ** i for i, v in enumerate(values))
            df = math.fsum(-i * v / (1.0 + x) ** (i + 1) for i, v in enumerate(values))
        except (OverflowError, ZeroDivisionError):
            return NUM
        if df == 0 or not math.isfinite(f) or not math.isfinite(df):
            return NUM
        step = f / df
        x -= step
        if abs(step) <= 1e-13 * max(1.0, abs(x)):
            return x
    return NUM


def _irr(ev, values, guess=MISSING):
    cash = _cash_values(ev, [values])
    if isinstance(cash, XLError):
        return cash
    g = 0.1 if guess is MISSING else _num(_scalar(ev, guess))
    if isinstance(g, XLError):
        return g
    return irr(cash, g)


# -- dates (1900 system) --

_EPOCH = _dt.date(1899, 12, 30)


def date_serial(value) -> float:
    """The serial number of a date (or datetime: with the fraction of the day) in the 1900 system."""
    if isinstance(value, _dt.datetime):
        day = value.date()
        fraction = (value - _dt.datetime(day.year, day.month, day.day)).total_seconds() / 86400.0
    else:
        day, fraction = value, 0.0
    serial = (day - _EPOCH).days
    if serial < 61:  # before 1900-03-01: Excel counts the fictitious 1900-02-29
        serial -= 1
    return float(serial) + fraction


def serial_date(serial: float) -> tuple[int, int, int]:
    """(year, month, day) of a serial number (60 is the fictitious 1900-02-29)."""
    n = int(math.floor(serial))
    if n == 60:
        return 1900, 2, 29
    day = _EPOCH + _dt.timedelta(days=n if n > 60 else n + 1)
    return day.year, day.month, day.day


def _date(ev, year, month, day):
    numbers = [_num(_scalar(ev, v)) for v in (year, month, day)]
    for v in numbers:
        if isinstance(v, XLError):
            return v
    y, m, d = (int(v) for v in numbers)
    if 0 <= y < 1900:
        y += 1900
    total = y * 12 + (m - 1)
    y, m = divmod(total, 12)
    if not 1900 <= y <= 9999:
        return NUM
    try:
        base = _dt.date(y, m + 1, 1) + _dt.timedelta(days=d - 1)
    except (OverflowError, ValueError):
        return NUM
    serial = date_serial(base)
    return serial if serial >= 0 else NUM


def _date_part(index):
    def part(x):
        x = _num(x)
        if isinstance(x, XLError):
            return x
        if x < 0:
            return NUM
        return float(serial_date(x)[index])
    return part


# -- text --

def _text_arg(ev, value):
    value = _scalar(ev, value)
    if isinstance(value, XLError):
        return value
    return to_text(value)


def _count_arg(ev, value, default):
    if value is MISSING:
        return default
    value = _num(_scalar(ev, value))
    if isinstance(value, XLError):
        return value
    if value < 0:
        return VALUE
    return int(value)


def _left(ev, text, count=MISSING):
    text, count = _text_arg(ev, text), _count_arg(ev, count, 1)
    for v in (text, count):
        if isinstance(v, XLError):
            return v
    return text[:count]


def _right(ev, text, count=MISSING):
    text, count = _text_arg(ev, text), _count_arg(ev, count, 1)
    for v in (text, count):
        if isinstance(v, XLError):
            return v
    return text[len(text) - count:] if count else ""


def _mid(ev, text, start, count):
    text, start, count = _text_arg(ev, text), _count_arg(ev, start, 1), _count_arg(ev, count, 0)
    for v in (text, start, count):
        if isinstance(v, XLError):
            return v
    if start < 1:
        return VALUE
    return text[start - 1:start - 1 + count]


def _len(x):
    if isinstance(x, XLError):
        return x
    return float(len(to_text(x)))


def _value(x):
    if isinstance(x, XLError):
        return x
    if _is_number(x):
        return float(x)
    if x is None:
        return 0.0
    if isinstance(x, str):
        number = _text_number(x)
        return VALUE if number is None else number
    return VALUE


def _one(fn):
    """A function of one scalar argument (references of one cell are read, larger ones are #VALUE!)."""
    def wrapper(ev, value, *rest):
        if rest:
            raise Unsupported("too many arguments")
        return fn(_scalar(ev, value))
    return wrapper


def _sqrt(x):
    return NUM if x < 0 else math.sqrt(x)


def _ln(x):
    return NUM if x <= 0 else math.log(x)


def _exp(x):
    try:
        return _result(math.exp(x))
    except OverflowError:
        return NUM


def _constant_fn(value):
    def fn(ev, *args):
        if args:
            raise Unsupported("takes no arguments")
        return value
    return fn


#: The functions the evaluator computes (besides the lazy IF, CHOOSE and IFERROR).
FUNCTIONS: dict[str, Callable] = {
    "SUM": _sum, "MAX": _max, "MIN": _min, "COUNT": _count, "AVERAGE": _average, "SUMPRODUCT": _sumproduct,
    "AND": _and, "OR": _or, "NOT": _elementwise(_not),
    "ISNUMBER": _elementwise(_is_number), "ISERROR": _elementwise(lambda x: isinstance(x, XLError)),
    "ISNA": _elementwise(lambda x: x == NA), "ISTEXT": _elementwise(lambda x: isinstance(x, str)),
    "ISBLANK": _elementwise(lambda x: x is None), "N": _elementwise(_n),
    "ABS": _elementwise(_numeric(abs)), "INT": _elementwise(_numeric(_int)), "SIGN": _elementwise(_numeric(_sign)),
    "SQRT": _elementwise(_numeric(_sqrt)), "LN": _elementwise(_numeric(_ln)), "EXP": _elementwise(_numeric(_exp)),
    "ROUND": _round, "MOD": _mod, "ROWS": _rows, "COLUMNS": _columns, "OFFSET": _offset, "INDEX": _index,
    "COUNTIF": _countif, "COUNTIFS": _countifs, "SUMIF": _sumif, "SUMIFS": _sumifs, "MATCH": _match,
    "NPV": _npv, "IRR": _irr, "DATE": _date,
    "YEAR": _elementwise(_date_part(0)), "MONTH": _elementwise(_date_part(1)), "DAY": _elementwise(_date_part(2)),
    "LEFT": _left, "RIGHT": _right, "MID": _mid, "LEN": _one(_len), "VALUE": _one(_value),
    "TRUE": _constant_fn(True), "FALSE": _constant_fn(False), "NA": _constant_fn(NA),
}


# ---- the whole workbook ---------------------------------------------------------------


def evaluate_workbook(wb) -> tuple[dict, dict]:
    """``({(sheet, row, col): value}, {(sheet, row, col): reason})``: computed and uncomputable formula cells."""
    evaluator = Evaluator(wb)
    values = evaluator.evaluate_all()
    return values, dict(evaluator.unsupported)


_SHEET_ENTRY = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"((?: [a-zA-Z]+="[^"]*")*)><f>([^<]*)</f>(?:<v ?/>|<v></v>)?</c>')


def _unescape(text: str) -> str:
    return (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&"))


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet title: part name in the zip} from the workbook and its relationships."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for element in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(element))
        target = attributes.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attributes.get("Id")] = target
    return {_unescape(name): targets[rid] for name, rid in _SHEET_ENTRY.findall(workbook) if rid in targets}


def _cached(value) -> tuple[str | None, str]:
    """The ``t`` attribute and ``<v>`` text of a cached value."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, XLError):
        return "e", value.code
    if isinstance(value, (int, float)):
        number = float(value)
        if number.is_integer() and abs(number) < 2.0 ** 53:
            return None, str(int(number))
        return None, repr(number)
    return "str", escape(str(value))


def cache_values(data: bytes, values: dict) -> bytes:
    """The bytes of an .xlsx (as openpyxl writes it) with ``values`` cached in its formula cells.

    Parameters
    ----------
    values : dict
        ``{(sheet title, row, column): value}``; formula cells not in it are left as they are.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {part: title for title, part in _sheet_parts(source).items()}
    by_sheet: dict[str, dict] = {}
    for (title, row, col), value in values.items():
        by_sheet.setdefault(title, {})[(row, col)] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            title = parts.get(info.filename)
            if title is not None and by_sheet.get(title):
                content = _cache_sheet(content.decode("utf-8"), by_sheet[title]).encode("utf-8")
            target.writestr(info, content, compress_type=info.compress_type)
    return out.getvalue()


def _cache_sheet(xml: str, values: dict) -> str:
    def replace(m):
        key = (int(m.group(2)), _column(m.group(1)))
        if key not in values:
            return m.group()
        kind, text = _cached(values[key])
        attributes = m.group(3)
        if ' t="' in attributes:
            attributes = re.sub(r' t="[^"]*"', "", attributes)
        kind_attr = f' t="{kind}"' if kind else ""
        return f'<c r="{m.group(1)}{m.group(2)}"{attributes}{kind_attr}><f>{m.group(4)}</f><v>{text}</v></c>'
    return _FORMULA_CELL.sub(replace, xml)


def save_workbook(wb, path) -> dict:
    """Save an openpyxl workbook to ``path`` with each formula's computed value cached beside it.

    Any workbook works; formulas that cannot be computed are saved without a
    value (as openpyxl alone would). ``wb`` is not changed.

    Returns
    -------
    dict
        ``{(sheet, row, column): reason}`` of the formula cells saved without a value.
    """
    values, unsupported = evaluate_workbook(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = cache_values(buffer.getvalue(), values)
    with open(path, "wb") as handle:
        handle.write(data)
    return unsupported
