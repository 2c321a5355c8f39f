"""Every input cell of an exported sample either drives the workbook or is locked.

For each sample below, every value cell of the Inputs sheet is edited alone to
another legitimate value (within the schema's bounds; another choice; a new
month; a chip spec), and all the edited copies are recalculated in one
LibreOffice batch. Each copy must then

- equal the engine run on the equivalent scenario (``with_values``; a chip spec
  edit is a scenario chip with that spec), to the tolerances of
  ``test_excel_libreoffice``;
- say OK on its Check sheet (``check_status``: sums, balances and bounds).

Cells fixed at export (horizon, currency, chip ids) must be locked. An edit the
engine refuses (e.g. a cloud deployment with a chip that has no cloud rate) is
not a legitimate edit and is left out; the test lists how many were.
"""

from __future__ import annotations

import copy

import openpyxl
import pytest
from libreoffice import recalculate, soffice
from test_excel_libreoffice import _mismatches, _named_cell

from tcoapp.paths import sample_files
from tcoapp.reports.export import write_excel
from tcoapp.scenario.batch import evaluate
from tcoapp.scenario.catalog import chips_for
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.schema import with_values
from tcoapp.engine import CHIP_SPECS
from tcoapp.reports.workbook.inputs import FIXED_FIELDS

#: The owned sample's deployment edits also cover the cloud and API formulas.
SAMPLES = ("chat-assistant-owned-h100", "deployment-api")

#: Values for fields a sample leaves empty (derived or "no ceiling").
EMPTY_VALUES = {
    "model.active_params_billion": 0.8,  # times params_billion
    "training.compute_flops": 1.5e24, "inference.launch_month": 5, "inference.max_requests_per_day": 0.5,
    "inference.chips_per_replica": 8, "inference.prefill_tokens_per_s_per_chip": 20000.0,
    "inference.decode_tokens_per_s_per_chip": 3000.0, "training.cloud_rate": 3.1, "training.chip_price": 31000.0,
    "inference.cloud_rate": 2.9, "inference.chip_price": 29000.0,
}


def _field_info(path: str):
    from tcoapp.scenario.schema import Scenario

    cls, info = Scenario, None
    for part in path.split("."):
        info = cls.model_fields[part]
        cls = info.annotation
    return info


def _new_value(scenario, path: str, value):
    """Another legitimate value of a field, or None when none is obvious."""
    import typing

    from tcoapp.scenario.errors import field_bounds

    if path == "start_month":
        return "2027-03"
    if path in ("name", "notes", "model.name"):
        return "edited"
    info = _field_info(path)
    choices = typing.get_args(info.annotation) if typing.get_origin(info.annotation) is typing.Literal else ()
    if choices:
        others = [c for c in choices if c != value]
        return others or None
    if value is None:
        new = EMPTY_VALUES[path]
        if path == "model.active_params_billion":
            return new * scenario.model.params_billion
        if path == "inference.max_requests_per_day":
            return new * scenario.inference.requests_per_day
        return new
    args = set(typing.get_args(info.annotation)) or {info.annotation}
    if int in args and float not in args:
        return value + 1
    new = value * 1.25 if value != 0 else 0.1
    bounds = field_bounds(info)
    upper = bounds.get("le", bounds.get("lt"))
    if upper is not None and new >= upper:
        new = (value + upper) / 2
    return new


def _edits(scenario, workbook):
    """(label, cell, workbook value, equivalent scenario or None when the engine refuses it)."""
    inputs = workbook["Inputs"]
    out = []
    for row in range(5, inputs.max_row + 1):
        path = inputs.cell(row, 1).value
        cell = inputs.cell(row, 2)
        if not path or path.startswith("uncertainty") or inputs.cell(row, 6).value in (None, ""):
            continue
        if path.endswith(".peak_tflops"):  # derived from the precision, a formula of other inputs
            continue
        if path in FIXED_FIELDS:
            assert cell.protection.locked, path
            continue
        assert not cell.protection.locked, path
        role, _, spec = path.partition(".chip.")
        if spec in CHIP_SPECS:
            chip = chips_for(scenario)[getattr(scenario, role).chip].model_dump()
            old = chip[spec]
            new = old * 1.25 if old else 1000.0
            chip.update({spec: new, "id": f"edited-{role}"})
            own = [c.model_dump() for c in scenario.chips] + [chip]
            values = {"chips": own, f"{role}.chip": f"edited-{role}"}
            candidates = [(new, values)]
        else:
            value = _field_at(scenario, path)
            new = _new_value(scenario, path, value)
            if new is None:
                continue
            if isinstance(new, list):  # choices: those the cell's data validation offers
                offered = [dv.formula1.strip('"').split(",") for dv in inputs.data_validations.dataValidation
                           if cell.coordinate in dv.sqref and dv.type == "list"]
                new = [v for v in new if not offered or v in offered[0]]
            candidates = [(v, {path: v}) for v in (new if isinstance(new, list) else [new])]
        for new, values in candidates:
            try:
                edited = with_values(scenario, values)
                result = evaluate(edited)
            except Exception:  # the engine refuses it: not a legitimate edit
                result = None
            out.append((f"{path}={new!r}", cell.coordinate, new, result))
    return out


def _field_at(scenario, path):
    obj = scenario
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    assert soffice() is not None, "LibreOffice (soffice) is required: install libreoffice-calc-nogui"
    src = tmp_path_factory.mktemp("edits")
    out = tmp_path_factory.mktemp("edits-recalculated")
    books = []
    refused = []
    for sample in SAMPLES:
        path = next(p for p in sample_files() if p.stem == sample)
        scenario = load_scenario(path)
        original = write_excel(src / f"{sample}.xlsx", scenario)
        workbook = openpyxl.load_workbook(original)
        for i, (label, coordinate, value, result) in enumerate(_edits(scenario, workbook)):
            if result is None:
                refused.append(f"{sample}: {label}")
                continue
            cell = workbook["Inputs"][coordinate]
            old = copy.copy(cell.value)
            cell.value = value
            target = src / f"{sample}-{i:03d}.xlsx"
            workbook.save(target)
            cell.value = old
            books.append((f"{sample}: {label}", result, target))
    copies = recalculate([b[2] for b in books], out, jobs=2, timeout=600)
    return [(label, result, openpyxl.load_workbook(copies[path.resolve()], data_only=True))
            for label, result, path in books], refused


def test_every_input_edit_recalculates_to_the_engine(edited):
    books, refused = edited
    assert len(books) > 150  # every input of two samples, and the choices of each
    problems = []
    for label, result, values in books:
        mismatches = _mismatches(values, result)
        if mismatches:
            problems.append(f"{label}: {mismatches[:2]}")
        status = _named_cell(values, "check_status").value
        if status != "OK":
            problems.append(f"{label}: Check says {status!r}")
    assert problems == [], "\n".join(problems[:30])
    assert len(refused) < 10, refused
