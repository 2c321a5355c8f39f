"""Scenarios: the schema, validation, ``.tco`` files and the chip catalog.

Every problem with a scenario is reported as a :class:`ScenarioError` naming the
file, the dotted field path, the value and the rule.
"""

from tcoapp.scenario.catalog import check_references, chips_for, load_catalog
from tcoapp.scenario.errors import NO_VALUE, ScenarioError, scenario_error_from_validation
from tcoapp.scenario.files import (
    CURRENT_SCHEMA_VERSION, MIGRATIONS, load_scenario, read_json_object, save_scenario, scenario_from_dict,
    scenario_to_dict,
)
from tcoapp.scenario.schema import (
    Business, Chip, ChipCatalog, Distribution, Efficiency, Facility, Finance, Inference, LognormalDistribution,
    ModelSpec, NormalDistribution, NumericField, PertDistribution, Scenario, Training, TriangularDistribution,
    UniformDistribution, get_path, numeric_field_paths, with_values,
)

__all__ = [
    "CURRENT_SCHEMA_VERSION", "MIGRATIONS", "NO_VALUE", "Business", "Chip", "ChipCatalog", "Distribution",
    "Efficiency", "Facility", "Finance", "Inference", "LognormalDistribution", "ModelSpec", "NormalDistribution",
    "NumericField", "PertDistribution", "Scenario", "ScenarioError", "Training", "TriangularDistribution",
    "UniformDistribution", "check_references", "chips_for", "get_path", "load_catalog", "load_scenario",
    "numeric_field_paths", "read_json_object", "save_scenario", "scenario_error_from_validation",
    "scenario_from_dict", "scenario_to_dict", "with_values",
]
