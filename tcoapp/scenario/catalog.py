"""The bundled chip catalog, a scenario's own chips, and the chips a scenario names.

The catalog is ``resources/chips.json``::

    {"format": "tcoapp-chip-catalog", "version": 1, "chips": [{"id": "h100-sxm", ...}, ...]}

Other top-level keys (``as_of``, ``notes``) are documentation and are ignored.
Each chip has the fields of :class:`~tcoapp.scenario.schema.Chip`, with the same
rules as a scenario's chips.
"""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import Mapping

from pydantic import ValidationError

from tcoapp.paths import resource_file
from tcoapp.scenario.errors import NO_VALUE, ScenarioError, scenario_error_from_validation
from tcoapp.scenario.files import read_json_object
from tcoapp.scenario.schema import Chip, ChipCatalog, Scenario

CATALOG_FORMAT = "tcoapp-chip-catalog"
CATALOG_VERSION = 1

_PEAK_FIELDS = {"bf16": "bf16_tflops", "fp8": "fp8_tflops", "fp4": "fp4_tflops"}
_PRECISIONS = {"training": ("bf16", "fp8"), "inference": ("bf16", "fp8", "fp4")}


def load_catalog() -> dict[str, Chip]:
    """The bundled chips by id, in catalog order.

    The file is read once; each call returns a new dict of the (immutable) chips.

    Returns
    -------
    dict of str to Chip

    Raises
    ------
    ScenarioError
        With ``file`` set to the catalog, if it is missing, not valid, or newer
        than this app.
    """
    return dict(_read_catalog())


@functools.lru_cache(maxsize=1)
def _read_catalog() -> Mapping[str, Chip]:
    path = resource_file("chips.json")
    data = read_json_object(path)
    if data.get("format") != CATALOG_FORMAT:
        raise ScenarioError(f'must be "{CATALOG_FORMAT}"', path="format", value=data.get("format", NO_VALUE),
                            file=path)
    version = data.get("version", NO_VALUE)
    if type(version) is not int or version < 1:
        raise ScenarioError("must be an integer >= 1", path="version", value=version, file=path)
    if version > CATALOG_VERSION:
        raise ScenarioError(f"newer catalog version {version} than this app reads ({CATALOG_VERSION}); update tcoapp",
                            path="version", value=version, file=path)
    try:
        chips = ChipCatalog.model_validate({"chips": data["chips"]} if "chips" in data else {}).chips
    except ValidationError as error:
        raise scenario_error_from_validation(error, ChipCatalog, file=path) from None
    return MappingProxyType({chip.id: chip for chip in chips})


def chips_for(scenario: Scenario) -> dict[str, Chip]:
    """The chips a scenario can use: the catalog, with the scenario's own chips on top.

    A scenario chip replaces the catalog chip with the same id, or adds a new one.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    dict of str to Chip
    """
    chips = load_catalog()
    chips.update((chip.id, chip) for chip in scenario.chips)
    return chips


def check_references(scenario: Scenario, chips: Mapping[str, Chip]) -> None:
    """Check that the chips a scenario names exist and support the chosen precision.

    Training is always checked; inference only when it runs on chips (deployment
    ``"cloud"`` or ``"owned"``, not ``"api"``). Missing prices and rates and whether
    the model fits are the engine's concern.

    Parameters
    ----------
    scenario : Scenario
    chips : mapping of str to Chip
        Usually :func:`chips_for` of the scenario.

    Raises
    ------
    ScenarioError
        At ``training.chip``/``inference.chip`` for an unknown chip, or at
        ``training.precision``/``inference.precision`` for a precision the chip lacks.
    """
    sections = [("training", scenario.training)]
    if scenario.inference.deployment != "api":
        sections.append(("inference", scenario.inference))
    for section_name, section in sections:
        chip = chips.get(section.chip)
        if chip is None:
            raise ScenarioError(f"chip {section.chip!r} is not in the catalog or the scenario's chips",
                                path=f"{section_name}.chip", value=section.chip)
        peak_field = _PEAK_FIELDS[section.precision]
        if getattr(chip, peak_field) is None:
            supported = [precision for precision in _PRECISIONS[section_name]
                         if getattr(chip, _PEAK_FIELDS[precision]) is not None]
            advice = f"choose {' or '.join(supported)}" if supported else "choose another chip"
            raise ScenarioError(
                f"chip {chip.id!r} has no {section.precision} peak ({peak_field} is null); {advice}",
                path=f"{section_name}.precision", value=section.precision,
            )
