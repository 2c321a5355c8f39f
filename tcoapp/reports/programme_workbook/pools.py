"""The Pools sheet: each shared owned fleet computed on its members' summed required chips (methodology 6).

One block of columns per pool, on the rows of the monthly sheets (month 0 on
``FIRST_ROW``): the summed required chips, the owned fleet of methodology 4.5
bought for them (cohorts by ``SUMIFS`` over earlier purchases, as on a scenario's
Workings), the idle month flag and idle parts, and each member's share
``required_w / required_pool``. The members' Workings then read their allocated
fleet from here.
"""

from __future__ import annotations

from ..workbook.core import FIRST_ROW, HEADER_ROW, KEY_ROW, MONTH_DATE, Book, Columns, money_format, quote_sheet
from .layout import pool_prefix

POOLS_SHEET = "Pools"

#: A pool's monthly columns: key -> (title, format kind).
POOL_COLUMNS = {
    "required": ("Chips required by the members", "count"),
    "chip_cost": ("Chip with server K(m) ({cur})", "money"),
    "alive_before": ("Chips alive before buying", "count"),
    "buy": ("Chips bought", "count"),
    "alive": ("Chips in service", "count"),
    "capex": ("Purchases ({cur})", "money"),
    "installed": ("Installed capex in service ({cur})", "money"),
    "depreciation": ("Depreciation ({cur})", "money"),
    "energy": ("Energy ({cur})", "money"),
    "facility": ("Colocation and maintenance ({cur})", "money"),
    "compute": ("Inference compute: purchases (cash) or depreciation (accrual) ({cur})", "money"),
    "energy_mwh": ("Energy (MWh)", "count1"),
    "idle": ("Idle month: no member needs chips (1 = yes)", "flag"),
    "idle_compute": ("Idle: compute ({cur})", "money"),
    "idle_energy": ("Idle: energy ({cur})", "money"),
    "idle_facility": ("Idle: colocation and maintenance ({cur})", "money"),
    "idle_chips": ("Idle: chips in service", "count"),
    "idle_capex": ("Idle: purchases ({cur})", "money"),
    "idle_depreciation": ("Idle: depreciation ({cur})", "money"),
    "idle_mwh": ("Idle: energy (MWh)", "count1"),
}
#: Pool column -> the member Workings column that receives its share.
ALLOCATED_WORKINGS = {"alive": "alive", "capex": "owned_capex", "depreciation": "owned_depreciation",
                      "energy": "owned_energy", "facility": "owned_facility", "energy_mwh": "energy_mwh"}
#: The pool's idle parts, by the pooled column they come from.
IDLE_OF = {"idle_compute": "compute", "idle_energy": "energy", "idle_facility": "facility", "idle_chips": "alive",
           "idle_capex": "capex", "idle_depreciation": "depreciation", "idle_mwh": "energy_mwh"}


class Pool:
    """A pool: its number, leader workload, members and column letters on the Pools sheet."""

    def __init__(self, number: int, members: list[int], first_col: int, months: int):
        self.number = number
        self.members = members
        self.leader = members[0]
        keys = list(POOL_COLUMNS) + [f"share_{w}" for w in members]
        self.cols = Columns(POOLS_SHEET, keys, first_col, months)
        self.width = len(keys)

    def ref(self, key: str, row: int) -> str:
        return f"{quote_sheet(POOLS_SHEET)}!{self.cols[key]}{row}"

    def name(self, key: str) -> str:
        return f"{pool_prefix(self.number)}{key}"


def form_pools(leaders, months: int) -> list[Pool]:
    """The pools of an engine result's ``pools[0]`` (a leader index per workload, -1 when not pooled)."""
    groups: dict[int, list[int]] = {}
    for w, leader in enumerate(leaders):
        if leader >= 0:
            groups.setdefault(int(leader), []).append(w)
    pools = []
    col = 6  # A: month index, B: month, C: hardware price factor, D: electricity price, E: a gap under the title
    for number, leader in enumerate(sorted(groups), start=1):
        pool = Pool(number, groups[leader], col, months)
        pools.append(pool)
        col += pool.width + 1
    return pools


def pools_sheet(book: Book, ws, programme, pools: list[Pool], months: int, workloads: list) -> None:
    """Lay out the Pools sheet and point each member's Workings fleet columns at its share.

    ``workloads[w]`` is ``(titles, monthly Columns, workings Columns)`` of workload w.
    """
    st = book.st
    cur = programme.currency
    names = programme.names
    book.text(ws, 1, 1, "Pools: shared owned fleets", font=st["title"])
    book.text(ws, 2, 1, "Owned workloads on the same chip at the same purchase price share one fleet bought for "
                        "their summed required chips (methodology 4.5 on the sum); each member carries the pool's "
                        "costs times its share required_w / required_pool; a month nobody needs chips is idle "
                        "(inference_unallocated).", font=st["note_font"])
    m_ref = lambda r: f"$A{r}"  # noqa: E731
    book.header(ws, HEADER_ROW, ["Month index", "Month", "Hardware price factor", f"Electricity price ({cur}/kWh)"])
    formats = {"money": money_format(cur), "count": "#,##0.##", "count1": "#,##0.0", "flag": "0",
               "ratio": "0.000000"}
    first = FIRST_ROW
    last = FIRST_ROW + months - 1
    any_l = "w1_"
    for r in range(first, last + 1):
        ws.cell(r, 1).value = f"=ROWS(A${first}:A{r})-1"
        ws.cell(r, 2).value = f"=DATE({any_l}calc_start_year,{any_l}calc_start_month+{m_ref(r)},1)"
        ws.cell(r, 2).number_format = MONTH_DATE
        ws.cell(r, 3).value = f"=(1+facility_hardware_price_change)^({m_ref(r)}/{any_l}const_months_per_year)"
        ws.cell(r, 4).value = (f"=facility_electricity_price*(1+facility_electricity_price_change)"
                               f"^({m_ref(r)}/{any_l}const_months_per_year)")
        ws.cell(r, 3).number_format = formats["ratio"]
        ws.cell(r, 4).number_format = "#,##0.0000"
    if not pools:
        book.text(ws, KEY_ROW, 1, "No pools: " + ("no workload is deployed on owned servers" if programme.shared_fleets
                                                   else "shared_fleets is off, each owned workload keeps its own "
                                                        "fleet on its Workings sheet"), font=st["bold"])
    for pool in pools:
        c = pool.cols
        lead = f"w{pool.leader + 1}_"
        member_names = ", ".join(names[w] for w in pool.members)
        first_col = c.letters["required"]
        book.text(ws, 1, _col_index(first_col),
                  f"Pool {pool.number}: {programme.workloads[pool.leader].inference.chip} ({member_names})",
                  font=st["bold"])
        titles = [t.format(cur=cur) for t, _ in POOL_COLUMNS.values()]
        titles += [f"Share of {names[w]}" for w in pool.members]
        book.header(ws, HEADER_ROW, titles, col=_col_index(first_col))
        for key in c.letters:
            book.text(ws, KEY_ROW, _col_index(c[key]), key, font=st["key_font"])
            book.name(pool.name(key), c.range(key))
        life = f"{lead}calc_life_months"
        eps = f"{lead}const_epsilon"
        per_year = f"{lead}const_months_per_year"
        hours = f"{lead}calc_hours"
        kw = f"{lead}calc_inference_server_kw"
        power = f"({kw}*facility_power_load_factor*facility_pue)"
        S = "facility_chips_per_server"
        for r in range(first, last + 1):
            prev = r - 1

            def P(key, row=r):
                return f"{c[key]}{row}"

            window = f'">="&({m_ref(r)}-{life}+1)'
            f = {}
            f["required"] = "=" + "+".join(
                f"{quote_sheet(workloads[w][0]['Workings'])}!{workloads[w][2]['owned_required']}{r}"
                for w in pool.members)
            f["chip_cost"] = f"={lead}inference_chip_price*$C{r}*(1+facility_server_overhead)"
            f["alive_before"] = (f"=SUMIFS(${c['buy']}${HEADER_ROW}:{c['buy']}{prev},"
                                 f"$A${HEADER_ROW}:A{prev},{window})")
            f["buy"] = f"={S}*(-INT(-(MAX(0,{P('required')}-{P('alive_before')})/{S}-{eps})))"
            f["alive"] = f"={P('alive_before')}+{P('buy')}"
            f["capex"] = f"=IF({P('buy')}>0,{P('buy')}*{P('chip_cost')},0)"
            f["installed"] = f"=SUMIFS(${c['capex']}${first}:{c['capex']}{r},$A${first}:A{r},{window})"
            f["depreciation"] = f"={P('installed')}/{life}"
            A = P("alive")
            f["energy"] = f"=IF({A}>0,{A}*{power}*{hours}*$D{r},0)"
            f["facility"] = (f"=IF({A}>0,{A}*({kw}*facility_colocation_per_kw_month),0)"
                             f"+facility_maintenance_rate/{per_year}*{P('installed')}")
            f["compute"] = f'=IF(finance_basis="accrual",{P("depreciation")},{P("capex")})'
            f["energy_mwh"] = f"=IF({A}>0,{A}*{power}*{hours}/1000,0)"
            f["idle"] = f"=IF({P('required')}>0,0,1)"
            for key, source in IDLE_OF.items():
                f[key] = f"=IF({P('idle')}=1,{P(source)},0)"
            for w in pool.members:
                need = f"{quote_sheet(workloads[w][0]['Workings'])}!{workloads[w][2]['owned_required']}{r}"
                f[f"share_{w}"] = f"=IF({P('required')}>0,{need}/{P('required')},0)"
            for key, formula in f.items():
                cell = ws[f"{c[key]}{r}"]
                cell.value = formula
                kind = POOL_COLUMNS[key][1] if key in POOL_COLUMNS else "ratio"
                cell.number_format = formats[kind]
        for key in c.letters:
            ws.column_dimensions[c[key]].width = 15
        _allocate_members(book, pool, workloads, first, last)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 12
    ws.column_dimensions["E"].width = 3
    ws.row_dimensions[HEADER_ROW].height = 75
    ws.freeze_panes = f"F{FIRST_ROW}"


def _col_index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter)


def _allocate_members(book: Book, pool: Pool, workloads: list, first: int, last: int) -> None:
    """Each member's Workings fleet columns become its share of the pool's; its own cohort columns are emptied."""
    for w in pool.members:
        titles, _, wk = workloads[w]
        ws = book.wb[titles["Workings"]]
        for pooled, key in ALLOCATED_WORKINGS.items():
            cell = ws[f"{wk[key]}{HEADER_ROW}"]
            cell.value = f"{cell.value}: share of pool {pool.number} (Pools)"
            for r in range(first, last + 1):
                ws[f"{wk[key]}{r}"].value = f"={pool.ref(pooled, r)}*{pool.ref(f'share_{w}', r)}"
        for key in ("alive_before", "buy", "installed"):
            cell = ws[f"{wk[key]}{HEADER_ROW}"]
            cell.value = f"{cell.value}: pooled, see Pools"
            for r in range(first, last + 1):
                ws[f"{wk[key]}{r}"].value = None


__all__ = ["Pool", "form_pools", "pools_sheet", "POOLS_SHEET", "POOL_COLUMNS", "IDLE_OF"]
