"""The Inputs sheet (every scenario field, named after its path) and the Chips sheet."""

from __future__ import annotations

from typing import Mapping

from .workings import batch_table_size
from .core import (CHIP_SPEC_LABELS, FIRST_ROW, HEADER_ROW, PERCENT_INPUT, Book, abs_ref, col_letter,
                   defined_name, text_literal, unlock)

# ---- the scenario's fields --------------------------------------------------------

#: Top-level fields listed first on the Inputs sheet.
_GENERAL = ("name", "notes", "currency", "start_month", "horizon_years")
_SECTIONS = ("finance", "facility", "model", "training", "inference", "business")

#: Fields fixed at export (locked and greyed): the layout or the formats depend on them.
FIXED_FIELDS = {
    "horizon_years": "fixed at export: the workbook has one row per month of this horizon; export again to "
                     "change it",
    "currency": "fixed at export: the amount formats and titles carry it; export again to change it",
    "training.chip": "fixed at export: the training chip specs below are this chip's; edit them to try "
                     "another chip, or export again",
    "inference.chip": "fixed at export: the inference chip specs below are this chip's; edit them to try "
                      "another chip, or export again",
}

_DEFAULT = "assumption: tcoapp default"
_SCENARIO = "scenario file"

#: Where each input's default comes from: a source, or the word "assumption" with its reasoning.
#: Shown beside every input; docs/methodology.md lists the same defaults.
INPUT_SOURCES = {
    "name": "label only", "notes": "label only", "model.name": "label only",
    "currency": "label of every amount", "start_month": "calendar of month 0",
    "horizon_years": "assumption: a typical 5-year programme and server life",
    "finance.discount_rate": "assumption: 8 % per year, a typical corporate cost of capital",
    "finance.basis": "assumption: cash basis (purchases when paid)",
    "finance.usd_to_currency": "assumption: 1 (amounts in USD); set today's exchange rate",
    "facility.electricity_price": "assumption: about the US industrial average (EIA, annual average)",
    "facility.electricity_price_change": "assumption: 2 % a year, about inflation",
    "facility.pue": "assumption: 1.3, between hyperscalers (about 1.1) and the industry average (1.58, Uptime "
                    "Institute 2023); see the industry figures",
    "facility.power_load_factor": "assumption: servers draw 70 % of nameplate power on average",
    "facility.server_power_overhead": "assumption: host CPUs, memory, network add 80 % to the chips' power",
    "facility.colocation_per_kw_month": "assumption: 0 (own site); CBRE's H2 2024 North America primary-market "
                                        "rate is about USD 184 per kW-month",
    "facility.server_overhead": "assumption: host, network and storage add 40 % to the chip price",
    "facility.life_years": "assumption: 5 years, hyperscalers' accounting server lives (10-K filings) are 5-6",
    "facility.maintenance_rate": "assumption: 5 % of installed capex a year",
    "facility.hardware_price_change": "assumption: -10 % a year for the same chip",
    "facility.chips_per_server": "assumption: 8-chip servers (HGX, OAM)",
    "model.params_billion": "the model's published size",
    "model.active_params_billion": "the model's published size (mixture of experts: active parameters)",
    "model.layers": "the model's published architecture",
    "model.kv_heads": "the model's published architecture",
    "model.head_dim": "the model's published architecture",
    "training.tokens_trillion": "the training plan",
    "training.start_month": "the training plan",
    "model.experts": "the model's published architecture",
    "model.experts_per_token": "the model's published architecture",
    "inference.end_month": "the plan (empty: never retired)",
    "inference.cached_input_fraction": "assumption: 0, no prompt cache; the workload's shared prefix if known",
    "inference.min_tokens_per_s_per_user": "the product's interactivity target (empty: none)",
    "inference.api_price_cached_input": "the provider's price list (default: the input price)",
    "inference.efficiency.serving": "catalog serving_efficiency of the chip (resources/CATALOG.md), else "
                                    "assumption: 0.7",
    "training.compute_flops": "the training plan (default 6 N D, Kaplan et al. 2020)",
    "training.experiment_overhead": "assumption: 0; research and failed runs often add 50 % to 100 %",
    "training.precision": "the training plan",
    "training.mfu": "assumption: 40 % model FLOP utilisation, typical of large dense runs",
    "training.duration_months": "the training plan",
    "training.procurement": "the training plan",
    "training.cloud_rate": "catalog cloud rate of the chip",
    "training.cloud_price_change": "assumption: cloud rates fall 15 % a year",
    "training.chip_price": "catalog price of the chip",
    "training.fixed_cost": "the training plan (data, staff)",
    "training.refresh_every_months": "the training plan",
    "training.refresh_compute_fraction": "assumption: a refresh costs 10 % of the initial run",
    "training.refresh_duration_months": "the training plan",
    "training.refresh_fixed_cost": "the training plan",
    "inference.launch_month": "the plan (default: right after the initial run)",
    "inference.requests_per_day": "the demand forecast",
    "inference.annual_growth": "the demand forecast",
    "inference.max_requests_per_day": "the demand forecast (empty: no ceiling)",
    "inference.input_tokens": "the workload (prompt length)",
    "inference.output_tokens": "the workload (answer length)",
    "inference.reasoning_tokens": "the workload (thinking tokens)",
    "inference.samples": "the workload (best-of-n)",
    "inference.deployment": "the plan",
    "inference.precision": "the serving plan",
    "inference.chips_per_replica": "the serving plan (default: fewest chips that hold the weights)",
    "inference.target_utilization": "assumption: replicas busy 60 % of the time on average",
    "inference.peak_to_average": "assumption: peak traffic 1.5 x the daily average",
    "inference.prefill_tokens_per_s_per_chip": "measured throughput if you have one (empty: estimated)",
    "inference.decode_tokens_per_s_per_chip": "measured throughput if you have one (empty: estimated)",
    "inference.cloud_rate": "catalog cloud rate of the chip",
    "inference.cloud_price_change": "assumption: cloud rates fall 15 % a year",
    "inference.chip_price": "catalog price of the chip",
    "inference.api_price_input": "the provider's price list",
    "inference.api_price_output": "the provider's price list",
    "inference.api_price_change": "assumption: API prices fall 30 % a year",
    "inference.ops_cost_per_month": "the plan (staff, monitoring)",
    "inference.efficiency.bandwidth": "assumption: 80 % of peak memory bandwidth reached",
    "inference.efficiency.prefill_mfu": "assumption: 50 % of peak FLOPs in prefill",
    "inference.efficiency.decode_mfu": "assumption: 50 % of peak FLOPs in decode",
    "inference.efficiency.max_batch": "assumption: serving engines' usual batch limit, 256",
    "inference.efficiency.memory_fraction": "assumption: 90 % of chip memory usable for weights and cache",
    "inference.efficiency.weight_memory_fraction": "assumption: weights may fill 70 % of chip memory",
    "business.revenue_per_request": "the business plan",
    "business.revenue_change": "the business plan",
}


def input_source(path: str, value, default) -> str:
    """The source text beside an input: where the value comes from."""
    known = INPUT_SOURCES.get(path, "")
    if known.startswith("assumption"):
        return known if value == default else f"{_SCENARIO} (default: {known})"
    return known or _SCENARIO


def _field_rows(scenario, general=_GENERAL, sections=_SECTIONS) -> list[dict]:
    """Every scenario field shown on Inputs: path, title, unit, meaning, value, choices.

    ``general`` and ``sections`` choose the top-level fields and sections shown (a programme's
    workbook shows the shared ones once and each workload's own ones on its sheet).
    """
    import typing

    from pydantic import BaseModel

    rows = []

    def add(model_cls, obj, prefix, names=None):
        for name, info in model_cls.model_fields.items():
            if names is not None and name not in names:
                continue
            path = f"{prefix}{name}"
            annotation = info.annotation
            value = getattr(obj, name)
            if isinstance(value, BaseModel):
                rows.append({"section": path})
                add(type(value), value, f"{path}.")
                continue
            choices = None
            if typing.get_origin(annotation) is typing.Literal:
                choices = typing.get_args(annotation)
            extra = info.json_schema_extra or {}
            description = info.description or ""
            unit = str(extra.get("unit", ""))
            meaning = description.rsplit(" Unit:", 1)[0]
            rows.append({"path": path, "title": info.title or name, "unit": unit, "meaning": meaning,
                         "value": value, "choices": choices, "info": info})

    if general:
        rows.append({"section": "general"})
        add(type(scenario), scenario, "", names=general)
    for section in sections:
        rows.append({"section": section})
        add(type(getattr(scenario, section)), getattr(scenario, section), f"{section}.")
    return rows



def _derived_formulas(scenario, chips: Mapping) -> dict[str, tuple[str, str]]:
    """Formula and explanation of every empty ("derive it") field."""
    out: dict[str, tuple[str, str]] = {}
    if scenario.model.active_params_billion is None:
        out["model.active_params_billion"] = ("=model_params_billion", "derived: all parameters are active")
    if scenario.training.compute_flops is None:
        out["training.compute_flops"] = (
            "=6*(1E9*model_active_params_billion)*(1E12*training_tokens_trillion)",
            "derived: 6 x active parameters x training tokens",
        )
    if scenario.inference.launch_month is None:
        out["inference.launch_month"] = ("=training_start_month+training_duration_months",
                                         "derived: right after the initial run")
    if scenario.inference.api_price_cached_input is None:
        out["inference.api_price_cached_input"] = ("=inference_api_price_input",
                                                   "derived: cached input priced as input")
    if scenario.inference.efficiency.serving is None:
        out["inference.efficiency.serving"] = (
            "=IF(ISNUMBER(inference_chip_serving_efficiency),inference_chip_serving_efficiency,"
            "const_default_serving_efficiency)",
            "derived: the inference chip's serving_efficiency, else 0.7 (an assumption)")
    if scenario.inference.chips_per_replica is None:
        out["inference.chips_per_replica"] = (
            "=calc_auto_chips_per_replica",
            "derived: fewest of 1, 2, 4, ..., 1024 chips whose memory holds the weights (Workings)",
        )
    for role in ("training", "inference"):
        section = getattr(scenario, role)
        chip = chips.get(section.chip)
        source_text = chip_source(chip)
        if section.cloud_rate is None:
            out[f"{role}.cloud_rate"] = (
                f"={role}_chip_cloud_usd_per_hour*finance_usd_to_currency",
                f"catalog: {section.chip} cloud_usd_per_hour x usd_to_currency; {source_text}",
            )
        if section.chip_price is None:
            out[f"{role}.chip_price"] = (
                f"={role}_chip_price_usd*finance_usd_to_currency",
                f"catalog: {section.chip} price_usd x usd_to_currency; {source_text}",
            )
    return out


def chip_source(chip) -> str:
    if chip is None:
        return "chip not found"
    parts = [chip.source or "no source given"]
    if chip.as_of:
        parts.append(f"as of {chip.as_of}")
    return ", ".join(parts)


def _empty_meaning(path: str) -> str | None:
    """Text shown for an empty field that stays empty (its absence means something)."""
    return {
        "inference.max_requests_per_day": "empty: no ceiling",
        "inference.end_month": "empty: never retired",
        "inference.min_tokens_per_s_per_user": "empty: no interactivity target",
        "model.experts": "empty: a dense model",
        "model.experts_per_token": "empty: a dense model",
        "inference.prefill_tokens_per_s_per_chip": "empty: estimated from the chip (Workings)",
        "inference.decode_tokens_per_s_per_chip": "empty: estimated from the chip (Workings)",
    }.get(path)


# ---- Inputs -----------------------------------------------------------------------


def _number_format_for(path: str, unit: str, value) -> str | None:
    if "per year" in unit or unit.startswith("share"):
        return PERCENT_INPUT
    if unit.startswith("currency") and "per kWh" not in unit:
        return "#,##0.00##"
    if isinstance(value, float) and abs(value) >= 1e15:
        return "0.00E+00"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "#,##0.######"
    return None


def _validate_number(ws, cell, path: str, bounds: dict, *, integer: bool, optional: bool,
                     rule: str | None = None) -> None:
    """Data validation of a number cell: the schema's bounds, its message on a bad entry."""
    from openpyxl.worksheet.datavalidation import DataValidation

    ref = cell.coordinate
    ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    tests = [f"ISNUMBER({ref})"] + [f"{ref}{ops[k]}{v!r}" for k, v in bounds.items()]
    if integer:
        tests.append(f"{ref}=INT({ref})")
    rule = bounds_rule_text(bounds) if rule is None else rule
    if integer:
        rule = f"must be a whole number and {rule.removeprefix('must be ')}" if rule else "must be a whole number"
    message = f"{path} {rule}" if rule else f"{path} must be a number"
    dv = DataValidation(type="custom", formula1=f"AND({','.join(tests)})", allow_blank=optional,
                        showErrorMessage=True, errorTitle="Out of range", error=message[:255],
                        showInputMessage=False)
    ws.add_data_validation(dv)
    dv.add(ref)


def bounds_rule_text(bounds: dict) -> str:
    """``{"gt": 0, "le": 1}`` as ``"must be > 0 and <= 1"`` (the schema's wording)."""
    ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    parts = [f"{ops[k]} {v:g}" for k, v in bounds.items()]
    return "must be " + " and ".join(parts) if parts else ""


def _validate(ws, cell, path: str, item: dict, scenario, chips) -> None:
    """Data validation of an input cell from the schema (choices, bounds, whole numbers)."""
    import typing

    from openpyxl.worksheet.datavalidation import DataValidation

    from ...scenario.errors import bounds_rule, field_bounds

    choices = item["choices"]
    if choices:
        if path.endswith(".precision"):  # only the precisions the chip has a peak for
            chip = chips.get(getattr(scenario, path.split(".")[0]).chip)
            choices = [c for c in choices if chip is None or getattr(chip, f"{c}_tflops", None) is not None]
        dv = DataValidation(type="list", formula1=text_literal(",".join(choices)), allow_blank=False,
                            showErrorMessage=True, errorTitle="Not a choice",
                            error=f"{path} must be one of {', '.join(choices)}"[:255])
        ws.add_data_validation(dv)
        dv.add(cell.coordinate)
        return
    if path == "start_month":
        ref = cell.coordinate
        dv = DataValidation(type="custom", allow_blank=False, showErrorMessage=True, errorTitle="Not a month",
                            formula1=f'AND(LEN({ref})=7,MID({ref},5,1)="-",ISNUMBER(-LEFT({ref},4)),'
                                     f'ISNUMBER(-RIGHT({ref},2)),-RIGHT({ref},2)>=-12,-RIGHT({ref},2)<=-1)',
                            error="start_month must be a month written YYYY-MM (e.g. 2026-01)")
        ws.add_data_validation(dv)
        dv.add(ref)
        return
    info = item["info"]
    annotation = info.annotation
    args = set(typing.get_args(annotation)) or {annotation}
    numeric = args & {int, float}
    if not numeric or args & {str}:
        return
    bounds = field_bounds(info)
    integer = int in args and float not in args
    optional = type(None) in args
    rule = bounds_rule(info)
    if path == "inference.efficiency.max_batch":  # the batch search table has this many rows
        size = batch_table_size(scenario)
        bounds = {**bounds, "le": size}
        rule = f"{rule} and <= {size} (the workbook's batch table; export again for more)"
    _validate_number(ws, cell, path, bounds, integer=integer, optional=optional, rule=rule)


def inputs_sheet(book: Book, ws, scenario, chips, *, general=_GENERAL, sections=_SECTIONS,
                 fixed: Mapping[str, str] | None = None, chip_roles=("training", "inference"),
                 chip_spec_formula=None, title: str = "Inputs", note: str | None = None) -> int:
    """Lay out the Inputs sheet; returns the first free row.

    The keyword arguments serve the programme workbook (the defaults give the scenario's sheet):
    ``general`` and ``sections`` choose the fields shown; ``fixed`` adds fields fixed at export
    (path -> the note shown); ``chip_roles`` the chips whose specs are listed; ``chip_spec_formula``
    ``(role, spec) -> formula`` makes each spec a locked formula (a shared chip table) instead of an input.
    """
    from openpyxl.comments import Comment

    st = book.st
    ws.title = "Inputs"
    fixed_fields = {**FIXED_FIELDS, **(fixed or {})}
    book.text(ws, 1, 1, title, font=st["title"])
    book.text(ws, 2, 1, note or ("Yellow cells are the scenario's values; green cells derive a field the scenario "
                                 "left empty (type a number over one to set it). Each value cell is named after its "
                                 "field (dots replaced by underscores, shown in the last column)."),
              font=st["note_font"])
    book.header(ws, 4, ["Field", "Value", "Unit", "Meaning", "Source", "Name"])
    derived = _derived_formulas(scenario, chips)
    row = 5
    width = 6
    for item in _field_rows(scenario, general, sections):
        if "section" in item:
            title = item["section"]
            book.section(ws, row, title if title == "general" else title, width)
            row += 1
            continue
        path = item["path"]
        name = defined_name(path)
        book.text(ws, row, 1, path)
        cell = ws.cell(row, 2)
        value = item["value"]
        info = item["info"]
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        source = input_source(path, value, default)
        if path in derived:
            formula, how = derived[path]
            cell.value = formula
            cell.fill = st["derived_fill"]
            source = f"{how}; {source}"
        elif value is None:
            cell.fill = st["input_fill"]
            source = f"{_empty_meaning(path) or 'empty'}; {source}"
        elif isinstance(value, str):
            book.text(ws, row, 2, value)
            cell.fill = st["input_fill"]
        else:
            cell.value = value
            cell.fill = st["input_fill"]
        fmt = _number_format_for(path, item["unit"], value)
        if fmt and not isinstance(value, str):
            cell.number_format = fmt
        if path in fixed_fields:
            cell.fill = st["fixed_fill"]
            source = fixed_fields[path]
            cell.comment = Comment(source, "tcoapp")
        else:
            unlock(cell)
            _validate(ws, cell, path, item, scenario, chips)
        book.text(ws, row, 3, item["unit"])
        book.text(ws, row, 4, f"{item['title']}: {item['meaning']}", alignment=st["wrap"])
        book.text(ws, row, 5, source, alignment=st["wrap"])
        book.text(ws, row, 6, name, font=st["key_font"])
        book.name(name, abs_ref("Inputs", "B", row))
        row += 1

    for role in chip_roles:
        section = getattr(scenario, role)
        chip = chips.get(section.chip)
        book.section(ws, row, f"{role} chip: {section.chip}", width)
        row += 1
        source = chip_source(chip)
        for spec, (title, unit) in CHIP_SPEC_LABELS.items():
            value = getattr(chip, spec, None) if chip is not None else None
            name = f"{role}_chip_{spec}"
            book.text(ws, row, 1, f"{role}.chip.{spec}")
            cell = ws.cell(row, 2)
            shared = chip_spec_formula(role, spec) if chip_spec_formula is not None else None
            if shared is not None:
                cell.value = shared
                cell.fill = st["derived_fill"]
                cell.number_format = "#,##0.00##"
            else:
                cell.fill = st["input_fill"]
                unlock(cell)
                _validate_number(ws, cell, f"{role}.chip.{spec}", {"ge": 0}, integer=False, optional=True)
                if value is not None:
                    cell.value = float(value)
                    cell.number_format = "#,##0.00##"
            book.text(ws, row, 3, unit)
            book.text(ws, row, 4, f"{title} of {section.chip}" + ("" if value is not None else " (unknown)"),
                      alignment=st["wrap"])
            book.text(ws, row, 5, source, alignment=st["wrap"])
            book.text(ws, row, 6, name, font=st["key_font"])
            book.name(name, abs_ref("Inputs", "B", row))
            row += 1
        name = f"{role}_chip_peak_tflops"
        book.text(ws, row, 1, f"{role}.chip.peak_tflops")
        precision = f"{role}_precision"
        cell = ws.cell(row, 2)
        cell.value = (f'=IF({precision}="bf16",{role}_chip_bf16_tflops,IF({precision}="fp8",'
                      f'{role}_chip_fp8_tflops,{role}_chip_fp4_tflops))')
        cell.fill = st["derived_fill"]
        cell.number_format = "#,##0.00##"
        book.text(ws, row, 3, "TFLOP/s (dense)")
        book.text(ws, row, 4, f"Dense peak of {section.chip} at the {role} precision", alignment=st["wrap"])
        book.text(ws, row, 5, "derived: the peak matching the precision", alignment=st["wrap"])
        book.text(ws, row, 6, name, font=st["key_font"])
        book.name(name, abs_ref("Inputs", "B", row))
        row += 1

    if scenario.uncertainty:
        book.section(ws, row, "uncertainty (used by the sensitivity tools, not by these formulas)", width)
        row += 1
        for path, dist in scenario.uncertainty.items():
            book.text(ws, row, 1, path)
            params = ", ".join(f"{k} {v:g}" for k, v in dist.model_dump().items() if k != "dist")
            book.text(ws, row, 2, dist.dist)
            book.text(ws, row, 4, params)
            row += 1

    for col, width_chars in zip("ABCDEF", (40, 16, 30, 70, 50, 40)):
        ws.column_dimensions[col].width = width_chars
    ws.freeze_panes = "B5"
    return row


# ---- Chips ------------------------------------------------------------------------


def chips_sheet(book: Book, ws, scenario, chips) -> None:
    st = book.st
    book.text(ws, 1, 1, "Chips used", font=st["title"])
    book.text(ws, 2, 1, "As in the bundled catalog or the scenario's own chips at export. The Inputs sheet holds "
                        "the figures the formulas use.", font=st["note_font"])
    specs = list(CHIP_SPEC_LABELS)
    titles = (["Role", "Id", "Name", "Vendor"] + [f"{t} ({u})" for t, u in CHIP_SPEC_LABELS.values()]
              + ["Source", "As of", "Notes"])
    book.header(ws, HEADER_ROW, titles)
    roles: dict[str, list[str]] = {}
    roles.setdefault(scenario.training.chip, []).append("training")
    api = scenario.inference.deployment == "api"
    roles.setdefault(scenario.inference.chip, []).append("inference (unused: API)" if api else "inference")
    custom = {chip.id for chip in scenario.chips}
    row = FIRST_ROW
    for chip_id, used_as in roles.items():
        chip = chips.get(chip_id)
        book.text(ws, row, 1, ", ".join(used_as))
        book.text(ws, row, 2, chip_id)
        if chip is not None:
            book.text(ws, row, 3, chip.name)
            book.text(ws, row, 4, chip.vendor)
            for i, spec in enumerate(specs):
                value = getattr(chip, spec)
                if value is not None:
                    ws.cell(row, 5 + i).value = float(value)
                    ws.cell(row, 5 + i).number_format = "#,##0.00##"
            origin = "scenario's own chip" if chip_id in custom else "bundled catalog"
            book.text(ws, row, 5 + len(specs), f"{origin}: {chip.source}", alignment=st["wrap"])
            book.text(ws, row, 6 + len(specs), chip.as_of)
            book.text(ws, row, 7 + len(specs), chip.notes, alignment=st["wrap"])
        row += 1
    widths = [22, 12, 24, 10] + [12] * len(specs) + [60, 12, 60]
    for i, width in enumerate(widths):
        ws.column_dimensions[col_letter(i + 1)].width = width
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"C{FIRST_ROW}"
