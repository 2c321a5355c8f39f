"""Programmes: several workloads on one calendar (``docs/methodology.md`` section 6).

A programme file is a ``.tco`` file with ``"format": "tcoapp-programme"`` and
``"schema_version": 1``. It holds the sections every workload shares (currency,
calendar, ``finance``, ``facility``, ``chips``), ``shared_fleets`` and a
non-empty list of ``workloads``, each with its own ``model``, ``training``
(optional: left out means no training cost), ``inference`` and ``business``.

Each workload is evaluated as the scenario made of the programme's shared
sections and its own (:func:`workload_scenario`), so every scenario rule
(cross-field ones too) applies to it; errors name the workload's path, e.g.
``workloads[1].inference.end_month``.

Loading and saving reuse :mod:`tcoapp.scenario.files` (its JSON reader and
atomic replace).
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from . import files
from .errors import NO_VALUE, ScenarioError, rule_violation, scenario_error_from_validation
from .schema import (
    Business, ChipList, Distribution, Facility, Finance, Inference, ModelSpec, Scenario, Training, _field, _section,
    _StrictModel, check_currency_code, check_distribution_within_rule, check_start_month, numeric_field_paths,
)

PROGRAMME_FORMAT = "tcoapp-programme"
PROGRAMME_SCHEMA_VERSION = 1
"""The ``schema_version`` of programme files this app writes and reads."""

#: Sections a programme holds once for every workload; a workload may not hold them.
SHARED_SECTIONS = ("currency", "start_month", "horizon_years", "finance", "facility", "chips", "uncertainty",
                   "shared_fleets", "format", "schema_version")
#: The sections a workload takes from a scenario.
WORKLOAD_SECTIONS = ("model", "training", "inference", "business")


class Workload(_StrictModel):
    """One product or model generation of a programme."""

    name: str = _field(..., "Workload name", "text", "Unique name in the programme, used in input names "
                       "such as Chat/inference.annual_growth.", min_length=1)
    notes: str = _field("", "Notes", "text", "Free notes about the workload.")
    model: ModelSpec = Field(..., title="Model", description="The AI model that is trained and served.")
    training: Optional[Training] = Field(
        None, title="Training", description="The training runs; left out, the workload has no training cost.",
    )
    inference: Inference = Field(..., title="Inference", description="Serving: demand, request shape, deployment.")
    business: Business = _section(Business, "Business", "What the served requests earn.")

    @model_validator(mode="before")
    @classmethod
    def _no_shared_sections(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in SHARED_SECTIONS:
                if key in data:
                    raise rule_violation(
                        "is shared by every workload: set it once at the programme's top level, not in a workload",
                        loc=(key,), value=NO_VALUE)
        return data

    @field_validator("name")
    @classmethod
    def _not_blank(cls, name: str) -> str:
        if not _visible(name):
            if not name.strip():
                raise rule_violation("must not be empty")
            first = next(ch for ch in name if unicodedata.category(ch) == "Cf")
            raise rule_violation(f"must have a visible character (it holds only invisible ones such as "
                                 f"U+{ord(first):04X})")
        if "/" in name:
            raise rule_violation('must not contain "/" (it separates the workload from the field in input names)')
        return name


class Programme(_StrictModel):
    """A complete programme file."""

    format: Literal["tcoapp-programme"] = _field(
        PROGRAMME_FORMAT, "File format", "text", "Marks the file as a tcoapp programme.",
    )
    schema_version: int = _field(
        PROGRAMME_SCHEMA_VERSION, "Schema version", "whole number", "Version of the programme file layout.", ge=1,
    )
    name: str = _field("", "Programme name", "text", "Short name shown in titles and reports.")
    notes: str = _field("", "Notes", "text", "Free notes about the programme.")
    currency: str = _field("USD", "Currency", "ISO 4217 code (3 capital letters)", "Currency of every amount.")
    start_month: str = _field("2026-01", "Start month", "YYYY-MM", "Calendar month of month 0.")
    horizon_years: int = _field(5, "Horizon", "years (whole number)", "How many years the programme covers.",
                                ge=1, le=20)
    finance: Finance = _section(Finance, "Finance", "Discounting, accounting basis and exchange rate.")
    facility: Facility = _section(Facility, "Facility", "Power, space, maintenance and lifetime of owned hardware.")
    chips: ChipList = Field(default_factory=list, title="Custom chips",
                            description="Chips that add to the bundled catalog, shared by every workload.")
    shared_fleets: bool = _field(
        True, "Shared fleets", "true/false",
        "Owned-inference workloads on the same chip at the same purchase price share one fleet.",
    )
    workloads: list[Workload] = Field(..., title="Workloads", description="The programme's workloads, in order.",
                                      min_length=1)
    uncertainty: dict[str, Distribution] = Field(
        default_factory=dict, title="Uncertainty",
        description='Distributions of numeric inputs for the Monte Carlo, keyed by the programme input name: '
                    '"WORKLOAD/section.field" (e.g. "Chat/inference.annual_growth") or a shared '
                    '"finance.field" / "facility.field".',
    )

    @model_validator(mode="after")
    def _uncertain_inputs_exist(self) -> "Programme":
        numeric = numeric_field_paths()
        names = set(self.names)
        for key in self.uncertainty:
            workload, _, field = key.rpartition("/")
            shared = field.startswith(("finance.", "facility."))
            if field not in numeric or (workload and (workload not in names or shared)) or (not workload and not shared):
                raise rule_violation('must name a numeric input as "WORKLOAD/section.field" (a workload of this '
                                     'programme) or a shared "finance.field" / "facility.field"',
                                     loc=("uncertainty", key), value=key)
            check_distribution_within_rule(field, self.uncertainty[key], loc=("uncertainty", key))
        return self

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, currency: str) -> str:
        return check_currency_code(currency)

    @field_validator("start_month")
    @classmethod
    def _year_month(cls, start_month: str) -> str:
        return check_start_month(start_month)

    @field_validator("workloads")
    @classmethod
    def _unique_names(cls, workloads: list[Workload]) -> list[Workload]:
        seen: dict[str, int] = {}
        for index, workload in enumerate(workloads):
            key = name_key(workload.name)
            if key in seen:
                first = seen[key]
                same = "" if workloads[first].name == workload.name else f" ({workloads[first].name!r})"
                raise rule_violation(f"is already the name of workloads[{first}]{same}; names must be unique, "
                                     "ignoring case and spaces", loc=(index, "name"), value=workload.name)
            seen[key] = index
        return workloads

    def workload(self, name: str) -> Workload:
        """The workload called ``name`` (:class:`ScenarioError` if there is none)."""
        for workload in self.workloads:
            if workload.name == name:
                return workload
        raise ScenarioError(f"no workload of that name (the workloads are {', '.join(self.names)})",
                            path="workloads", value=name)

    @property
    def names(self) -> list[str]:
        return [workload.name for workload in self.workloads]


def name_key(name: str) -> str:
    """What two workload names must not share: the name without case and with runs of spaces as one
    (``"Chat"``, ``"chat "``, ``"CHAT"`` and ``"Chat"`` with a zero-width space are one name to a reader, so they
    are refused as duplicates)."""
    return " ".join(_without_invisible(name).split()).casefold()


def unique_name(base: str, names) -> str:
    """``base``, or ``"base 2"``, ``"base 3"``...: the first that is not one of ``names`` under :func:`name_key`
    (the programme's own rule, so ``"chat"`` beside ``"Chat"`` becomes ``"chat 2"``)."""
    taken = {name_key(name) for name in names}
    candidate, n = base, 2
    while name_key(candidate) in taken:
        candidate, n = f"{base} {n}", n + 1
    return candidate


def _without_invisible(text: str) -> str:
    """``text`` without the invisible format characters (U+200B zero-width space, U+FEFF, soft hyphen...)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _visible(name: str) -> bool:
    return bool(_without_invisible(name).strip())


_WORKLOAD_PATH = re.compile(r"workloads\[(\d+)\]")


def naming_workload(err: ScenarioError, names: Any) -> ScenarioError:
    """``err`` with the name of the workload its path lies in (``workloads[2]...``) added to its message.

    ``names`` is the list of names (or the parsed ``workloads`` list of a file). A name that is itself
    the problem (``workloads[2].name``) or is not plain text is not repeated.
    """
    match = _WORKLOAD_PATH.match(err.path)
    if match is None or err.workload is not None or err.path.startswith(f"{match.group()}.name"):
        return err
    try:
        name = names[int(match.group(1))]
    except (IndexError, TypeError, KeyError):
        return err
    if isinstance(name, dict):
        name = name.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200 or not name.isprintable():
        return err
    return ScenarioError(err.rule, path=err.path, value=err.value, file=err.file, workload=name)


def _shared_dict(programme: Programme) -> dict[str, Any]:
    return {
        "name": "", "currency": programme.currency, "start_month": programme.start_month,
        "horizon_years": programme.horizon_years, "finance": programme.finance.model_dump(),
        "facility": programme.facility.model_dump(), "chips": [chip.model_dump() for chip in programme.chips],
    }


def workload_scenario(programme: Programme, index: int, source: Any = None) -> Scenario:
    """Workload ``index`` as the scenario it is evaluated as: the shared sections plus its own.

    Errors name the workload's path (``workloads[1].inference.end_month``).
    """
    workload = programme.workloads[index]
    data = _shared_dict(programme)
    data["name"] = workload.name
    data["notes"] = workload.notes
    data["model"] = workload.model.model_dump()
    if workload.training is not None:
        data["training"] = workload.training.model_dump()
    data["inference"] = workload.inference.model_dump()
    data["business"] = workload.business.model_dump()
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        err = scenario_error_from_validation(error, Scenario)
        raise naming_workload(ScenarioError(err.rule, path=_workload_path(index, err.path), value=err.value,
                                            file=source), programme.names) from None


def _workload_path(index: int, path: str) -> str:
    head = path.split(".", 1)[0].split("[", 1)[0]
    if head in WORKLOAD_SECTIONS or head in ("name", "notes"):
        return f"workloads[{index}].{path}"
    return path


def workload_scenarios(programme: Programme, source: Any = None) -> list[Scenario]:
    """Every workload's scenario, in order."""
    return [workload_scenario(programme, index, source) for index in range(len(programme.workloads))]


def programme_from_dict(data: Any, source: str | os.PathLike[str] | None = None) -> Programme:
    """Validate a parsed programme document (every workload's scenario rules included).

    Examples
    --------
    >>> p = programme_from_dict({"format": "tcoapp-programme", "schema_version": 1, "workloads": [
    ...     {"name": "Chat", "model": {"params_billion": 8}, "inference": {"requests_per_day": 1000}}]})
    >>> p.names, p.shared_fleets
    (['Chat'], True)
    """
    if not isinstance(data, dict):
        raise ScenarioError("must be a JSON object {...}", file=source)
    if data.get("format") != PROGRAMME_FORMAT:
        raise ScenarioError(f'must be "{PROGRAMME_FORMAT}": this is not a tcoapp programme file',
                            path="format", value=data.get("format", NO_VALUE), file=source)
    if "schema_version" not in data:
        raise ScenarioError("is required", path="schema_version", file=source)
    version = data["schema_version"]
    if type(version) is not int:
        raise ScenarioError("must be an integer", path="schema_version", value=version, file=source)
    if version < 1:
        raise ScenarioError("must be >= 1", path="schema_version", value=version, file=source)
    if version > PROGRAMME_SCHEMA_VERSION:
        raise ScenarioError(f"newer programme schema_version {version} than this app reads "
                            f"({PROGRAMME_SCHEMA_VERSION}); update tcoapp",
                            path="schema_version", value=version, file=source)
    if data.get("workloads") == []:
        raise ScenarioError("must hold at least one workload", path="workloads", value=[], file=source)
    try:
        programme = Programme.model_validate(data)
    except ValidationError as error:
        raise naming_workload(scenario_error_from_validation(error, Programme, file=source),
                              data.get("workloads")) from None
    workload_scenarios(programme, source)  # the cross-field scenario rules, per workload
    return programme


def programme_to_dict(programme: Programme) -> dict[str, Any]:
    """The JSON-ready document (a workload without training keeps it left out)."""
    data = programme.model_dump(mode="json")
    for workload in data["workloads"]:
        if workload.get("training") is None:
            workload.pop("training", None)
    return data


def is_programme_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a JSON object whose ``format`` is ``"tcoapp-programme"`` (False on any problem)."""
    try:
        return files.read_json_object(path).get("format") == PROGRAMME_FORMAT
    except ScenarioError:
        return False


def load_programme(path: str | os.PathLike[str]) -> Programme:
    """Read a programme file (never modifying it); problems raise :class:`ScenarioError` naming the file."""
    return programme_from_dict(files.read_json_object(path), source=path)


def load_programme_with_stamp(path: str | os.PathLike[str]) -> tuple[Programme, files.FileStamp]:
    """:func:`load_programme`, and the stamp of the very bytes it read (to notice a later change on disk)."""
    raw, stamp = files._read_bounded(path)
    return programme_from_dict(files._parse_json_object(raw, path), source=path), stamp


def save_programme(programme: Programme, path: str | os.PathLike[str]) -> files.FileStamp:
    """Write a programme file atomically (as :func:`tcoapp.scenario.files.save_scenario` does: a folder or a
    read-only target is refused, the old file is left as it was on any failure); returns the file's stamp."""
    import hashlib
    import json

    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise ScenarioError("cannot write: it is a folder; give a file name", file=path)
    files.check_output_target(target)  # never rename over a FIFO or a device such as /dev/null
    if target.exists() and files.is_read_only(target):
        raise ScenarioError("cannot write: the file is read-only; save under another name (Save As)", file=path)
    try:
        text = json.dumps(programme_to_dict(programme), indent=2, ensure_ascii=False) + "\n"
        content = text.encode("utf-8")
        files._replace_atomically(target, content)
        info = target.stat()
    except FileNotFoundError:
        raise ScenarioError(f"cannot write: folder {str(target.parent)!r} does not exist", file=path) from None
    except (OSError, TypeError, ValueError) as error:
        raise ScenarioError(f"cannot write: {files._reason(error)}", file=path) from None
    files.remove_stale_temporaries(target.parent, files.temporary_pattern(target.name))  # of interrupted saves
    return files.FileStamp(info.st_mtime_ns, len(content), hashlib.sha256(content).hexdigest())


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return False
    return a != b


def _flat(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}"))
        return out
    return {prefix: value}


def import_scenario(programme: Programme, scenario: Scenario, name: str | None = None) -> tuple[Workload, list[str]]:
    """A scenario as a workload of ``programme``, and the shared values it leaves behind.

    Parameters
    ----------
    programme : Programme
    scenario : Scenario
    name : str, optional
        The workload's name; defaults to the scenario's name (or "Workload"),
        made unique with a number.

    Returns
    -------
    (Workload, list of str)
        The workload (model, training, inference, business and notes of the
        scenario) and, for each shared value that differs from the programme's,
        ``"facility.pue: 1.2 (programme: 1.3)"``; the chips the scenario
        defines that the programme lacks or defines otherwise are named as ``"chips: <id>"``.
    """
    base = name or scenario.name
    base = base.replace("/", "-").strip() if base and _visible(base) else "Workload"
    candidate = unique_name(base, programme.names)
    workload = Workload.model_validate({
        "name": candidate, "notes": scenario.notes, "model": scenario.model.model_dump(),
        "training": scenario.training.model_dump(), "inference": scenario.inference.model_dump(),
        "business": scenario.business.model_dump(),
    })
    left: list[str] = []
    for key in ("currency", "start_month", "horizon_years"):
        if _differs(getattr(scenario, key), getattr(programme, key)):
            left.append(f"{key}: {getattr(scenario, key)!r} (programme: {getattr(programme, key)!r})")
    for section in ("finance", "facility"):
        mine, theirs = _flat(getattr(scenario, section), section), _flat(getattr(programme, section), section)
        for path, value in mine.items():
            if _differs(value, theirs.get(path)):
                left.append(f"{path}: {value!r} (programme: {theirs.get(path)!r})")
    programme_chips = {chip.id: chip for chip in programme.chips}
    for chip in scenario.chips:
        if chip.id not in programme_chips or programme_chips[chip.id] != chip:
            left.append(f"chips: {chip.id}")
    if scenario.uncertainty:
        left.append(f"uncertainty: {len(scenario.uncertainty)} distribution(s)")
    return workload, left


def with_workload(programme: Programme, workload: Workload, index: int | None = None) -> Programme:
    """A validated copy of ``programme`` with ``workload`` appended (or replacing workload ``index``)."""
    data = programme.model_dump()
    entry = workload.model_dump()
    if index is None:
        data["workloads"].append(entry)
    else:
        data["workloads"][index] = entry
    try:
        result = Programme.model_validate(data)
    except ValidationError as error:
        raise naming_workload(scenario_error_from_validation(error, Programme), data.get("workloads")) from None
    workload_scenarios(result)
    return result


def programme_with_values(programme: Programme, values: dict[str, Any]) -> Programme:
    """A validated copy with fields replaced; keys are ``finance.x``/``facility.x`` (shared) or
    ``WORKLOAD/section.field``."""
    from .schema import _python_number

    data = programme.model_dump()
    index = {name: i for i, name in enumerate(programme.names)}
    for key, value in values.items():
        if "/" in key:
            wname, path = key.split("/", 1)
            if wname not in index:
                raise ScenarioError(f"no workload of that name (the workloads are {', '.join(programme.names)})",
                                    path=key)
            container = data["workloads"][index[wname]]
            if path.split(".")[0] == "training" and container.get("training") is None:
                container["training"] = Training().model_dump()
        else:
            path, container = key, data
            if path.split(".")[0] not in ("finance", "facility", "horizon_years"):
                raise ScenarioError('is not a shared field: name a workload\'s field as "WORKLOAD/section.field"',
                                    path=key)
        *sections, leaf = path.split(".")
        for section in sections:
            if not isinstance(container.get(section), dict):
                raise ScenarioError("unknown field", path=key)
            container = container[section]
        if leaf not in container:
            raise ScenarioError("unknown field", path=key)
        container[leaf] = _python_number(value)
    try:
        result = Programme.model_validate(data)
    except ValidationError as error:
        raise naming_workload(scenario_error_from_validation(error, Programme), data.get("workloads")) from None
    workload_scenarios(result)
    return result


def programme_inputs(programme: Programme, source: Any = None) -> list[dict[str, object]]:
    """The engine inputs of every workload, in order (one engine row each)."""
    from .batch import engine_inputs

    out = []
    for index, scenario in enumerate(workload_scenarios(programme, source)):
        try:
            out.append(engine_inputs(scenario))
        except ScenarioError as err:
            raise naming_workload(ScenarioError(err.rule, path=_workload_path(index, err.path), value=err.value,
                                                file=source), programme.names) from None
    return out


def evaluate_programme(programme: Programme, source: Any = None, *, irr: bool = True):
    """Run the engine on a programme (one batch of W rows); bad inputs raise :class:`ScenarioError`
    naming the workload's field."""
    from ..engine import EngineError
    from ..engine.programme import run_programme
    from .batch import months, stack, to_scenario_error

    scenarios = workload_scenarios(programme, source)
    inputs = stack(programme_inputs(programme, source))
    result = run_programme(inputs, months(scenarios[0]), len(scenarios), shared_fleets=programme.shared_fleets,
                           on_error="mask", irr=irr)
    if result.errors[0] is not None:
        index, err = result.errors[0]
        scenario_err = to_scenario_error(err, scenarios[index], source)
        raise naming_workload(ScenarioError(scenario_err.rule, path=_workload_path(index, scenario_err.path),
                                            value=scenario_err.value, file=source), programme.names) from None
    return result
