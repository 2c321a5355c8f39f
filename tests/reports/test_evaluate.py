"""The workbook formula evaluator against hand-worked formulas, and save_workbook's cached values.

Every expected value here is worked out by hand (shown beside it); the
comparison with a real spreadsheet is tests/reports/test_cached_values.py.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile

import openpyxl
import pytest
from export_cases import VARIANTS, variant
from openpyxl.workbook.defined_name import DefinedName

from tcoapp.paths import sample_files
from tcoapp.reports.workbook import build_workbook
from tcoapp.reports.workbook.evaluate import (ERRORS, Evaluator, XLError, evaluate_workbook, parse, save_workbook,
                                              to_text)
from tcoapp.scenario.files import load_scenario


def _book(**cells):
    """A one-sheet workbook ("Data") with the given cells, and a second sheet "My Sheet"."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    other = wb.create_sheet("My Sheet")
    other["A1"] = 7
    for ref, value in cells.items():
        ws[ref] = value
    return wb


def value_of(formula: str, **cells):
    """The value of ``formula`` in Data!Z1 of a workbook holding ``cells``."""
    wb = _book(**cells, Z1=formula)
    return Evaluator(wb).value("Data", "Z1")


def err(code: str) -> XLError:
    return ERRORS[code]


@pytest.mark.parametrize("formula, expected", [
    ("=1+2*3", 7.0),                 # * before +
    ("=(1+2)*3", 9.0),
    ("=-2^2", 4.0),                  # unary minus binds tighter than ^: (-2)^2
    ("=0-2^2", -4.0),                # binary minus after ^
    ("=2^3^2", 64.0),                # ^ left to right: (2^3)^2
    ("=2^-1", 0.5),
    ("=10-2-3", 5.0),
    ("=8/2/2", 2.0),
    ("=2*50%", 1.0),                 # % is /100
    ('="a"&1+2', "a3"),              # + before &
    ("=1+2=3", True),                # comparison last
    ("=1<2", True),
    ("=2<=2", True),
    ("=3<>3", False),
    ('="owned"="OWNED"', True),      # text comparison ignores case
    ('=1<"a"', True),                # numbers < text < booleans
    ('="z"<TRUE', True),
    ("=0.1+0.2-0.3", 0.0),           # cancellation to 15 digits is 0, as LibreOffice
    ("=1E6/1e-09", 1e15),
    ('=2.5&""', "2.5"),
    ('=1E22&""', "1E+22"),
    ('=TRUE&""', "TRUE"),
])
def test_operators(formula, expected):
    assert value_of(formula) == expected


def test_empty_cells_are_zero_in_arithmetic_and_empty_in_text():
    assert value_of("=A1+1") == 1.0
    assert value_of('=A1&"x"') == "x"
    assert value_of("=A1=0") is True
    assert value_of('=A1=""') is True
    assert value_of("=ISNUMBER(A1)") is False
    assert value_of("=A1") == 0.0  # a formula showing an empty cell shows 0
    assert value_of("=N(A1)+N(A2)", A2="header") == 0.0


def test_references_names_and_sheets():
    wb = _book(A1=2, A2=3, A3=4, B1="=$A$1*A2", B2="=SUM(A1:A3)")
    wb.defined_names["rate"] = DefinedName("rate", attr_text="Data!$A$2")
    wb.defined_names["column"] = DefinedName("column", attr_text="Data!$A$1:$A$3")
    wb["Data"]["C1"] = "=rate*10+SUM(column)+'My Sheet'!A1+'my sheet'!$A$1"
    wb["Data"]["C2"] = "=B1+B2"
    wb["Data"]["C3"] = "=ROWS(A$1:A3)"
    ev = Evaluator(wb)
    assert ev.value("Data", "B1") == 6.0            # 2 * 3
    assert ev.value("Data", "C1") == 30 + 9 + 7 + 7  # rate 3, column 2+3+4, the other sheet twice
    assert ev.value("Data", "C2") == 15.0
    assert ev.value("Data", "C3") == 3.0


def test_relative_references_in_copied_formulas():
    wb = _book(A1=1)
    for row in range(2, 6):
        wb["Data"][f"A{row}"] = f"=A{row - 1}*2"
    assert Evaluator(wb).value("Data", "A5") == 16.0  # 1, 2, 4, 8, 16


def test_ranges_in_aggregates():
    cells = {"A1": 1, "A2": "x", "A3": 3, "A4": True}
    assert value_of("=SUM(A1:A4)", **cells) == 4.0     # text and booleans in a range do not count
    assert value_of('=SUM(A1,"2",TRUE)', **cells) == 4.0  # direct arguments do: 1 + 2 + 1
    assert value_of('=SUM("x")') == err("#VALUE!")
    assert value_of("=MAX(A1:A4)", **cells) == 3.0
    assert value_of("=MIN(A1:A4)", **cells) == 1.0
    assert value_of("=MAX(B1:B3)") == 0.0              # nothing to take the largest of


def test_arrays_in_sumproduct():
    cells = {"A1": 1, "A2": 5, "A3": 2, "B1": 4, "B2": 1, "B3": 2}
    assert value_of("=SUMPRODUCT(A1:A3,B1:B3)", **cells) == 4 + 5 + 4
    assert value_of("=SUMPRODUCT(ABS(A1:A3-B1:B3))", **cells) == 3 + 4 + 0
    assert value_of("=SUMPRODUCT(--(A1:A3>B1:B3))", **cells) == 1.0        # only 5 > 1
    assert value_of("=SUMPRODUCT(--ISERROR(A1:A3/B1:B3))", **cells) == 0.0
    assert value_of("=SUMPRODUCT(--ISERROR(A1:A3/C1:C3))", **cells) == 3.0  # every /0
    assert value_of("=SUMPRODUCT(A1:A3,B1:B2)", **cells) == err("#VALUE!")  # shapes differ


def test_sumifs_and_countif_criteria():
    cells = {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "B1": 10, "B2": 20, "B3": 30, "B4": 40,
             "C1": "OK", "C2": "ok", "C3": "no", "C4": None}
    assert value_of('=SUMIFS(B1:B4,A1:A4,">=3")', **cells) == 70.0
    assert value_of('=SUMIFS(B1:B4,A1:A4,">="&2)', **cells) == 90.0
    assert value_of('=SUMIFS(B1:B4,A1:A4,">=2",A1:A4,"<4")', **cells) == 50.0
    assert value_of('=SUMIFS(B1:B4,C1:C4,"ok")', **cells) == 30.0       # text criteria ignore case
    assert value_of('=COUNTIF(A1:A4,">=3")', **cells) == 2.0
    assert value_of('=COUNTIF(A1:A4,"<>2")', **cells) == 3.0
    assert value_of("=COUNTIF(A1:A4,3)", **cells) == 1.0
    assert value_of('=COUNTIF(C1:C4,"OK")', **cells) == 2.0
    assert value_of('=COUNTIF(C1:C4,"o*")', **cells) == 2.0             # wildcard
    assert value_of('=COUNTIF(B1:B4,"<0")', **cells) == 0.0
    assert value_of("=2^COUNTIF(A1:A4,0)", **cells) == 1.0


def test_index_match_offset():
    cells = {"B1": 10, "B2": 20, "B3": 30, "B4": 40}
    assert value_of("=MATCH(30,B1:B4,0)", **cells) == 3.0
    assert value_of("=MATCH(5,B1:B4,0)", **cells) == err("#N/A")
    assert value_of("=ISNA(MATCH(5,B1:B4,0))", **cells) is True
    assert value_of("=MATCH(25,B1:B4)", **cells) == 2.0                 # largest value <= 25
    assert value_of("=INDEX(B1:B4,2)", **cells) == 20.0
    assert value_of("=INDEX(B1:B4,5)", **cells) == err("#REF!")
    assert value_of("=SUM(OFFSET(B1,1,0,2,1))", **cells) == 50.0        # B2:B3
    assert value_of("=ROWS(OFFSET(B1:B4,0,0,3,1))", **cells) == 3.0
    assert value_of("=OFFSET(B1,3,0)", **cells) == 40.0


def test_irr_and_npv():
    # -100 now, 60 and 60 later: 60x^2 + 60x - 100 = 0 with x = 1/(1+r)
    x = (-60 + math.sqrt(60 ** 2 + 4 * 60 * 100)) / (2 * 60)
    cells = {"A1": -100, "A2": 60, "A3": 60}
    assert value_of("=IRR(A1:A3)", **cells) == pytest.approx(1 / x - 1, rel=1e-12)  # 0.1306623...
    assert value_of("=IRR(A1:A3,0.5)", **cells) == pytest.approx(1 / x - 1, rel=1e-12)
    assert value_of("=IRR(A2:A3)", **cells) == err("#NUM!")           # no sign change
    assert value_of("=NPV(0.1,110,121)") == pytest.approx(200.0, rel=1e-15)  # 110/1.1 + 121/1.21
    assert value_of("=NPV(0.1,A2:A3)", **cells) == pytest.approx(60 / 1.1 + 60 / 1.21, rel=1e-15)


def test_dates_are_1900_serials():
    assert value_of("=DATE(2025,1,1)") == 45658.0      # Excel's serial of 2025-01-01
    assert value_of("=DATE(2026,1,1)") == 46023.0      # + 365
    assert value_of("=DATE(2026,14,1)") == 46419.0     # month 14 is February 2027: + 365 + 31
    assert value_of("=DATE(2026,0,1)") == 45992.0      # month 0 is December 2025: - 31
    assert value_of("=DATE(1900,3,1)") == 61.0         # after the fictitious 1900-02-29
    assert value_of("=DATE(1900,1,1)") == 1.0
    assert value_of("=YEAR(46419)") == 2027.0
    assert value_of("=MONTH(46419)") == 2.0
    assert value_of("=MONTH(DATE(2026,11+3,1))") == 2.0
    assert value_of("=A1+1", A1=dt.datetime(2026, 1, 1)) == 46024.0  # a date cell is its serial


def test_text_functions():
    assert value_of('=VALUE(LEFT("2026-03",4))') == 2026.0
    assert value_of('=VALUE(RIGHT("2026-03",2))') == 3.0
    assert value_of('=MID("abcdef",2,3)') == "bcd"
    assert value_of('=LEN("abc")') == 3.0
    assert value_of('=VALUE("abc")') == err("#VALUE!")
    assert value_of('=CHOOSE(2,"a","b","c")') == "b"
    assert value_of('=CHOOSE(4,"a","b","c")') == err("#VALUE!")


def test_math_functions():
    assert value_of("=ROUND(2.5,0)") == 3.0      # half away from zero
    assert value_of("=ROUND(-2.5,0)") == -3.0
    assert value_of("=ROUND(2.675,2)") == 2.68   # on the decimal 2.675, not the binary 2.67499...
    assert value_of("=MOD(-3,2)") == 1.0         # the divisor's sign
    assert value_of("=MOD(7,0)") == err("#DIV/0!")
    assert value_of("=INT(-2.5)") == -3.0
    assert value_of("=-INT(-2.1)") == 3.0        # the workbook's ceiling
    assert value_of("=SIGN(-4)") == -1.0
    assert value_of("=ABS(-4)") == 4.0
    assert value_of("=AND(1,TRUE,2>1)") is True
    assert value_of("=OR(0,FALSE)") is False
    assert value_of("=NOT(0)") is True


def test_errors_propagate_and_if_is_lazy():
    assert value_of("=1/0") == err("#DIV/0!")
    assert value_of("=1/0+1") == err("#DIV/0!")
    assert value_of("=ISERROR(1/0)") is True
    assert value_of("=IF(TRUE,1,1/0)") == 1.0    # the branch not taken is not computed
    assert value_of("=IF(1/0,1,2)") == err("#DIV/0!")
    assert value_of('=IF(A1="","empty",1/0)') == "empty"
    assert value_of("=IF(FALSE,1)") is False
    assert value_of("=(-8)^(1/3)") == err("#NUM!")
    assert value_of('="x"+1') == err("#VALUE!")
    assert value_of('="3"+1') == 4.0             # numeric text converts
    assert value_of("=SUM(A1:A3)", A1=1, A2="=1/0") == err("#DIV/0!")
    assert value_of("=#N/A") == err("#N/A")
    assert value_of("=ISNUMBER(#N/A)") is False


def test_unknown_functions_parse_failures_and_cycles_give_no_value():
    wb = _book(A1="=FOO(1)", A2="=A1+1", A3="=1+", A4="=A5", A5="=A4", A6="=1+1", B1="'=SUM(1,2)")
    wb["Data"]["B2"].value = "=SUM(1,2)"
    wb["Data"]["B2"].data_type = "s"  # text that looks like a formula stays text
    values, unsupported = evaluate_workbook(wb)
    assert set(unsupported) == {("Data", 1, 1), ("Data", 2, 1), ("Data", 3, 1), ("Data", 4, 1), ("Data", 5, 1)}
    assert "unknown function FOO" in unsupported[("Data", 1, 1)]
    assert "circular" in unsupported[("Data", 4, 1)]
    assert values == {("Data", 6, 1): 2.0}


def test_a_long_chain_needs_no_deep_recursion():
    wb = _book(A1=1)
    for row in range(2, 5001):
        wb["Data"][f"A{row}"] = f"=N(A{row - 1})+1"
    assert Evaluator(wb).value("Data", "A5000") == 5000.0


def test_parse_shares_trees_of_a_column():
    assert parse("A4+1", 5, 1) == parse("A9+1", 10, 1)       # relative: one row up in both
    assert parse("$A$4+1", 5, 1) != parse("$A$9+1", 10, 1)   # absolute: different cells
    wb = _book(A1=1, A2=2, A3=3, B2="=A1*10", B3="=A2*10", C2="=$A$1*10", C3="=$A$1*10")
    ev = Evaluator(wb)
    assert [ev.value("Data", c) for c in ("B2", "B3", "C2", "C3")] == [10.0, 20.0, 10.0, 10.0]


def test_to_text():
    assert [to_text(v) for v in (2026.0, 2.5, -0.25, 1e22, True, None, "a")] == [
        "2026", "2.5", "-0.25", "1E+22", "TRUE", "", "a"]


def test_save_workbook_caches_each_kind(tmp_path):
    wb = _book(A1=2, B1="=A1*3", B2='="n="&A1', B3="=A1>1", B4="=1/0", B5='=IF(A1>5,1,"")', B6="=FOO(1)",
               B7="=A1/3")
    path = tmp_path / "book.xlsx"
    assert list(save_workbook(wb, path)) == [("Data", 6, 2)]
    assert wb["Data"]["B1"].value == "=A1*3"  # the workbook is not changed
    cached = openpyxl.load_workbook(path, data_only=True)["Data"]
    assert [cached[f"B{r}"].value for r in range(1, 8)] == [6, "n=2", True, "#DIV/0!", None, None, 2 / 3]
    formulas = openpyxl.load_workbook(path)["Data"]
    assert [formulas[f"B{r}"].value for r in (1, 6)] == ["=A1*3", "=FOO(1)"]
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        assert 'fullCalcOnLoad="1"' in archive.read("xl/workbook.xml").decode()
    assert '<c r="B2" t="str"><f>"n="&amp;A1</f><v>n=2</v></c>' in xml
    assert '<c r="B3" t="b"><f>A1&gt;1</f><v>1</v></c>' in xml
    assert '<c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c>' in xml
    assert '<c r="B6"><f>FOO(1)</f><v /></c>' in xml  # no value: as openpyxl alone writes it


@pytest.mark.parametrize("name", [f"sample_{p.stem}" for p in sample_files()] + list(VARIANTS))
def test_todays_workbooks_compute_every_formula(name):
    scenario = load_scenario(next(p for p in sample_files() if f"sample_{p.stem}" == name)) \
        if name.startswith("sample_") else variant(name)
    values, unsupported = evaluate_workbook(build_workbook(scenario))
    assert unsupported == {}
    assert len(values) > 1000


def test_whole_column_ranges_read_the_used_rows():
    from openpyxl import Workbook

    from tcoapp.reports.workbook.evaluate import Evaluator

    wb = Workbook()
    ws = wb.active
    ws.title = "Budget"
    for row, (label, value) in enumerate([("Programme", 10), ("Chat", 3), ("Programme", 5), ("Bot", 4)], start=1):
        ws.cell(row, 2, label)
        ws.cell(row, 3, value)
    other = wb.create_sheet("Check")
    other["A1"] = '=SUMIF(Budget!$B:$B,"Programme",Budget!$C:$C)'
    other["A2"] = '=SUMIF(Budget!$B:$B,"<>Programme",Budget!C:C)'
    other["A3"] = "=SUM(Budget!C:C)"
    ev = Evaluator(wb)
    assert (ev.value("Check", "A1"), ev.value("Check", "A2"), ev.value("Check", "A3")) == (15, 7, 22)


def test_the_text_summary_reads_a_null_yearly_figure_as_a_dash():
    # A yearly figure beyond double precision is null in the report document; before, the text
    # summary crashed formatting it ("unsupported format string passed to NoneType").
    from tcoapp.reports.report import build_report, format_summary
    from tcoapp.scenario import load_scenario
    from tcoapp.scenario.batch import evaluate
    from tcoapp.paths import samples_dir

    scenario = load_scenario(samples_dir() / "deployment-cloud.tco")
    report = build_report(scenario, evaluate(scenario))
    report["yearly"]["inference"][1] = None
    year_two = format_summary(report, scenario.start_month).splitlines()[-len(report["yearly"]["total"]) + 1]
    assert year_two.split()[0] == "2" and year_two.split()[2] == "-", year_two


def test_a_programme_year_of_huge_cost_reads_its_share_not_inf():
    # Before: a year's inference share was printed as 100 x inference / total: with costs near 1e306 the
    # product overflowed and the programme's text report read "inf %".
    from tcoapp.paths import samples_dir
    from tcoapp.reports.programme_report import build_programme_report, format_programme_summary
    from tcoapp.scenario.programme import evaluate_programme, load_programme

    programme = load_programme(samples_dir() / "company-programme.tco")
    report = build_programme_report(programme, evaluate_programme(programme))
    yearly = report["yearly"]
    yearly["inference"][0], yearly["total"][0] = 1.5e306, 1.6e306
    yearly["training"][1] = None
    text = format_programme_summary(report, programme.start_month)
    rows = text.split("of which idle")[1].splitlines()[1:]
    assert rows[0].rstrip().endswith("93.8 %"), rows[0]
    assert rows[1].split()[1] == "-", rows[1]
    assert "inf" not in text.lower().replace("inference", "")
