"""The Excel workbook of a programme: every figure a live formula over named input cells (methodology 6).

:func:`build_programme_workbook` lays a programme out the way the scenario
workbook (``tcoapp.reports.workbook``) lays out a scenario, reusing its
builders for each workload:

``Programme``
    The programme's key figures (``prog_summary_<key>``), computed on the
    consolidated series; the workloads with their fleet, cost and share; a guide
    to the sheets.
``Budget``
    Per year and workload: training, inference, capex, opex (cash less capex),
    cash and total; the idle owned capacity; the programme; the inference share
    per year (``budget_inference_share``); total cost by year and workload with its stacked column chart.
``Programme monthly``
    The programme's series (``prog_series_<key>``): sums of the workloads'
    Monthly sheets plus, for the owned series, the pools' idle parts; the idle
    owned capacity (``inference_unallocated``) and required chips; the
    discounting, crossover, payback and IRR workings of the summary.
``Pools``
    One block per pool (owned workloads on the same chip at the same purchase
    price, when ``shared_fleets`` is on): the members' summed required chips, the
    owned fleet bought for them (cohorts, purchases, depreciation, energy,
    colocation and maintenance, as a scenario's Workings), the idle flag and
    idle parts, and each member's share ``required_w / required_pool``
    (names ``pool<n>_<key>``).
``Programme inputs``
    The shared fields: name, calendar, currency, ``finance``, ``facility``,
    ``shared_fleets`` and the specs of every chip used (``chip_<id>_<spec>``),
    under the scenario workbook's names (``finance_discount_rate``).
``<n> <workload>``, ``... inputs``, ``... monthly``, ``... workings``
    Each workload as the scenario workbook's Summary, Inputs, Monthly and
    Workings sheets, its names prefixed ``w<n>_`` (``w1_inference_requests_per_day``,
    ``w1_series_total``, ``w1_summary_total_cost``). A pooled workload's Workings
    take their fleet columns (chips in service, purchases, depreciation, energy,
    facility, MWh) from its share of the pool; everything after them follows.
``Check``
    Sums and balances that hold after any edit (``check_status``); then,
    informational, the app's values at export (``comparison_status``).

Fixed at export (grey, locked, with a note), beside the scenario workbook's
horizon, currency and chips: ``shared_fleets``; with shared fleets, each
workload's deployment (it decides the pools); for chips that two or more owned
workloads use, their purchase prices (they decide who pools with whom), and the
exchange rate when some of those prices are derived from the catalog and some
are not.
"""

from __future__ import annotations

from ..workbook.core import Book, abs_ref, protect, unlock
from .layout import rewrite_sheets, workload_prefix, workload_titles

PROGRAMME_INPUTS_SHEET = "Programme inputs"
_SHARED_GENERAL = ("currency", "start_month", "horizon_years")
_SHARED_SECTIONS = ("finance", "facility")
_WORKLOAD_GENERAL = ("name", "notes")
_WORKLOAD_SECTIONS = ("model", "training", "inference", "business")


def build_programme_workbook(programme, result=None):
    """The workbook of a programme (see the module docstring for its sheets).

    Parameters
    ----------
    programme : Programme
    result : ProgrammeResult, optional
        The engine's result (``evaluate_programme``), shown on the Check sheet; computed when not given.

    Returns
    -------
    openpyxl.Workbook
    """
    from ...scenario.batch import months as months_of
    from ...scenario.catalog import chips_for
    from ...scenario.programme import evaluate_programme, workload_scenarios
    from ..workbook.inputs import inputs_sheet
    from ..workbook.monthly import monthly_sheet as scenario_monthly
    from ..workbook.summary import summary_sheet
    from ..workbook.workings import workings_sheet
    from .checks import CHECK_SHEET, check_sheet
    from .pools import POOLS_SHEET, form_pools, pools_sheet
    from .programme import BUDGET_SHEET, MONTHLY_SHEET, PROGRAMME_SHEET, budget_sheet, monthly_sheet, programme_sheet

    scenarios = workload_scenarios(programme)
    if result is None:
        result = evaluate_programme(programme)
    months = months_of(scenarios[0])
    chips = chips_for(scenarios[0])  # the catalog with the programme's chips: the same for every workload
    pools = form_pools(result.pools[0] if result.pools is not None else [-1] * len(scenarios), months)
    pool_of = {w: pool.number for pool in pools for w in pool.members}

    book = Book()
    programme_ws = book.wb.active
    programme_ws.title = PROGRAMME_SHEET
    budget_ws = book.wb.create_sheet(BUDGET_SHEET)
    monthly_ws = book.wb.create_sheet(MONTHLY_SHEET)
    pools_ws = book.wb.create_sheet(POOLS_SHEET)

    chip_keys = _chip_keys(scenarios)
    fixed_shared, fixed_workload, fixed_chips = _fixed_fields(programme, scenarios)

    # the shared inputs, under the scenario workbook's names
    before = set(book.names)
    inputs_ws = book.wb.create_sheet("Inputs")
    proxy = scenarios[0].model_copy(update={"name": programme.name, "notes": programme.notes})
    row = inputs_sheet(book, inputs_ws, proxy, chips, general=_SHARED_GENERAL, sections=_SHARED_SECTIONS,
                       fixed=fixed_shared, chip_roles=(), title="Programme inputs: shared by every workload",
                       note="Yellow cells are the programme's values, shared by every workload (each workload's "
                            "own fields are on its inputs sheet). Each value cell is named after its field (dots "
                            "replaced by underscores, last column); grey cells are fixed at export.")
    _shared_rows(book, inputs_ws, row, programme, chips, chip_keys, fixed_chips)
    rewrite_sheets(book, {"Inputs": PROGRAMME_INPUTS_SHEET}, [n for n in book.names if n not in before], "")

    workloads = []  # (titles, monthly Columns, workings Columns)
    for index, scenario in enumerate(scenarios):
        before = set(book.names)
        summary_ws = book.wb.create_sheet("Summary")
        w_inputs = book.wb.create_sheet("Inputs")
        w_monthly = book.wb.create_sheet("Monthly")
        w_workings = book.wb.create_sheet("Workings")
        name = programme.workloads[index].name

        def chip_formula(role, spec, scenario=scenario):
            key = chip_keys[getattr(scenario, role).chip]
            if spec == "serving_efficiency":  # empty stays empty: the derived serving efficiency tests ISNUMBER
                return f'=IF(ISNUMBER(chip_{key}_{spec}),chip_{key}_{spec},"")'
            return f"=chip_{key}_{spec}"

        inputs_sheet(book, w_inputs, scenario, chips, general=_WORKLOAD_GENERAL, sections=_WORKLOAD_SECTIONS,
                     fixed=fixed_workload.get(index), chip_spec_formula=chip_formula,
                     title=f"Inputs of workload {index + 1}: {name}",
                     note="Yellow cells are this workload's values; green cells derive a field it left empty (type "
                          "a number over one to set it). The shared finance, facility, calendar and chip specs are "
                          f"on '{PROGRAMME_INPUTS_SHEET}'. Each value cell is named "
                          f"{workload_prefix(index)}<field> (last column, before the prefix).")
        mo = scenario_monthly(book, w_monthly, scenario, months)
        wk = workings_sheet(book, w_workings, scenario, months, mo)
        summary_sheet(book, summary_ws, scenario, months, mo, wk)
        book.name("series_required", wk.range("required"))
        titles = workload_titles(index, name)
        rewrite_sheets(book, titles, [n for n in book.names if n not in before], workload_prefix(index))
        mo.sheet, wk.sheet = titles["Monthly"], titles["Workings"]
        workloads.append((titles, mo, wk))

    pools_sheet(book, pools_ws, programme, pools, months, workloads)
    cols = monthly_sheet(book, monthly_ws, programme, months, workloads, pools)
    programme_sheet(book, programme_ws, programme, cols, workloads, pools, pool_of)
    budget_sheet(book, budget_ws, programme, cols, workloads, pools)
    check_sheet(book, book.wb.create_sheet(CHECK_SHEET), programme, result, cols, workloads, pools)
    for ws in book.wb.worksheets:
        protect(ws)
    book.wb.properties.creator = "tcoapp"
    book.wb.calculation.fullCalcOnLoad = True
    return book.wb


def _chip_keys(scenarios) -> dict[str, str]:
    """Each chip id used, as the part of its names: ``h100-sxm`` -> ``h100_sxm``."""
    import re

    keys: dict[str, str] = {}
    for scenario in scenarios:
        for chip in (scenario.training.chip, scenario.inference.chip):
            if chip in keys:
                continue
            key = re.sub(r"[^A-Za-z0-9]", "_", chip).lower()
            base, n = key, 2
            while key in keys.values():
                key, n = f"{base}_{n}", n + 1
            keys[chip] = key
    return keys


def _fixed_fields(programme, scenarios):
    """Fields fixed at export because they decide the pools: (shared, {workload: fields}, {chip id: note})."""
    shared: dict[str, str] = {}
    per_workload: dict[int, dict[str, str]] = {}
    chips: dict[str, str] = {}
    if not programme.shared_fleets:
        return shared, per_workload, chips
    deployment = ("fixed at export: with shared fleets the deployment decides which workloads pool their servers "
                  "(Pools sheet); export again to change it")
    for index in range(len(scenarios)):
        per_workload[index] = {"inference.deployment": deployment}
    owned_on: dict[str, list[int]] = {}
    for index, scenario in enumerate(scenarios):
        if scenario.inference.deployment == "owned":
            owned_on.setdefault(scenario.inference.chip, []).append(index)
    price = ("fixed at export: owned workloads on the same chip pool when their purchase prices are equal; "
             "export again to change it")
    for chip, members in owned_on.items():
        if len(members) < 2:
            continue
        for index in members:
            per_workload[index]["inference.chip_price"] = price
        chips[chip] = price
        derived = {scenarios[i].inference.chip_price is None for i in members}
        if len(derived) == 2:
            shared["finance.usd_to_currency"] = ("fixed at export: it changes the catalog-derived purchase prices "
                                                 "of pooled workloads but not the others; export again to change it")
    return shared, per_workload, chips


def _shared_rows(book, ws, row: int, programme, chips, chip_keys: dict[str, str], fixed_chips: dict[str, str]) -> None:
    """shared_fleets and the specs of every chip used, below the shared fields."""
    from openpyxl.comments import Comment

    from ..workbook.core import CHIP_SPEC_LABELS
    from ..workbook.inputs import _validate_number, chip_source

    st = book.st
    book.section(ws, row, "programme", 6)
    row += 1
    for field, value, title in (("name", programme.name, "Programme name: short name shown in titles"),
                                ("notes", programme.notes, "Notes: free notes about the programme")):
        book.text(ws, row, 1, field)
        cell = book.text(ws, row, 2, value)
        cell.fill = st["input_fill"]
        unlock(cell)
        book.text(ws, row, 3, "text")
        book.text(ws, row, 4, title, alignment=st["wrap"])
        book.text(ws, row, 5, "label only", alignment=st["wrap"])
        book.text(ws, row, 6, f"programme_{field}", font=st["key_font"])
        book.name(f"programme_{field}", abs_ref("Inputs", "B", row))
        row += 1
    book.text(ws, row, 1, "shared_fleets")
    cell = book.text(ws, row, 2, "true" if programme.shared_fleets else "false")
    cell.fill = st["fixed_fill"]
    note = ("fixed at export: the Pools sheet is laid out for it (owned workloads on the same chip and price share "
            "a fleet); export again to change it")
    cell.comment = Comment(note, "tcoapp")
    book.text(ws, row, 3, "true/false")
    book.text(ws, row, 4, "Shared fleets: owned-inference workloads on the same chip at the same purchase price "
                          "share one fleet.", alignment=st["wrap"])
    book.text(ws, row, 5, note, alignment=st["wrap"])
    book.text(ws, row, 6, "shared_fleets", font=st["key_font"])
    book.name("shared_fleets", abs_ref("Inputs", "B", row))
    row += 1
    for chip_id, key in chip_keys.items():
        chip = chips.get(chip_id)
        book.section(ws, row, f"chip: {chip_id} (every workload using it reads these cells)", 6)
        row += 1
        source = chip_source(chip)
        for spec, (title, unit) in CHIP_SPEC_LABELS.items():
            value = getattr(chip, spec, None) if chip is not None else None
            name = f"chip_{key}_{spec}"
            book.text(ws, row, 1, f"chips.{chip_id}.{spec}")
            cell = ws.cell(row, 2)
            if value is not None:
                cell.value = float(value)
                cell.number_format = "#,##0.00##"
            text = source
            if spec == "price_usd" and chip_id in fixed_chips:
                cell.fill = st["fixed_fill"]
                text = fixed_chips[chip_id]
                cell.comment = Comment(text, "tcoapp")
            else:
                cell.fill = st["input_fill"]
                unlock(cell)
                _validate_number(ws, cell, f"chips.{chip_id}.{spec}", {"ge": 0}, integer=False, optional=True)
            book.text(ws, row, 3, unit)
            book.text(ws, row, 4, f"{title} of {chip_id}" + ("" if value is not None else " (unknown)"),
                      alignment=st["wrap"])
            book.text(ws, row, 5, text, alignment=st["wrap"])
            book.text(ws, row, 6, name, font=st["key_font"])
            book.name(name, abs_ref("Inputs", "B", row))
            row += 1


__all__ = ["build_programme_workbook"]
