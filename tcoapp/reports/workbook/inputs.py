"""The Inputs sheet (every scenario field, named after its path) and the Chips sheet."""

from __future__ import annotations

from typing import Mapping

from .core import (CHIP_SPEC_LABELS, FIRST_ROW, HEADER_ROW, PERCENT_INPUT, Book, abs_ref, col_letter,
                   defined_name, text_literal)

# ---- the scenario's fields --------------------------------------------------------

#: Top-level fields listed first on the Inputs sheet.
_GENERAL = ("name", "notes", "currency", "start_month", "horizon_years")
_SECTIONS = ("finance", "facility", "model", "training", "inference", "business")

#: Fields fixed by the workbook's layout: changing them needs a new export.
_LAYOUT_FIELDS = {
    "horizon_years": "fixed by the workbook's layout (one row per month); export again to change it",
    "training.chip": "the training chip specs below are this chip's; edit them to try another chip",
    "inference.chip": "the inference chip specs below are this chip's; edit them to try another chip",
}


def _field_rows(scenario) -> list[dict]:
    """Every scenario field shown on Inputs: path, title, unit, meaning, value, choices."""
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
                         "value": value, "choices": choices})

    rows.append({"section": "general"})
    add(type(scenario), scenario, "", names=_GENERAL)
    for section in _SECTIONS:
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
        out["inference.launch_month"] = ("=training_duration_months", "derived: right after the initial run")
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


def inputs_sheet(book: Book, ws, scenario, chips) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    st = book.st
    ws.title = "Inputs"
    book.text(ws, 1, 1, "Inputs", font=st["title"])
    book.text(ws, 2, 1, "Yellow cells are the scenario's values; green cells derive a field the scenario left "
                        "empty (type a number over one to set it). Each value cell is named after its field "
                        "(dots replaced by underscores, shown in the last column).", font=st["note_font"])
    book.header(ws, 4, ["Field", "Value", "Unit", "Meaning", "Source", "Name"])
    derived = _derived_formulas(scenario, chips)
    row = 5
    width = 6
    for item in _field_rows(scenario):
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
        source = ""
        if path in derived:
            formula, source = derived[path]
            cell.value = formula
            cell.fill = st["derived_fill"]
        elif value is None:
            cell.fill = st["input_fill"]
            source = _empty_meaning(path) or "empty"
        elif isinstance(value, str):
            book.text(ws, row, 2, value)
            cell.fill = st["input_fill"]
        else:
            cell.value = value
            cell.fill = st["input_fill"]
        fmt = _number_format_for(path, item["unit"], value)
        if fmt and not isinstance(value, str):
            cell.number_format = fmt
        if item["choices"]:
            dv = DataValidation(type="list", formula1=text_literal(",".join(item["choices"])), allow_blank=False)
            ws.add_data_validation(dv)
            dv.add(cell.coordinate)
        if path in _LAYOUT_FIELDS:
            source = _LAYOUT_FIELDS[path]
        book.text(ws, row, 3, item["unit"])
        book.text(ws, row, 4, f"{item['title']}: {item['meaning']}", alignment=st["wrap"])
        book.text(ws, row, 5, source, alignment=st["wrap"])
        book.text(ws, row, 6, name, font=st["key_font"])
        book.name(name, abs_ref("Inputs", "B", row))
        row += 1

    for role in ("training", "inference"):
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
            cell.fill = st["input_fill"]
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
