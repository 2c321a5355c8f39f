"""The lifetime-cost engine: numpy and the standard library only.

Pure functions over arrays with a leading scenario axis (the model of ``docs/methodology.md``).
"""

from .errors import EngineError
from .finance import irr_annual, irr_defined, npv
from .model import (
    CHIP_SPECS, CHOICES, DAYS, DEFAULT_SERVING_EFFICIENCY, HOURS, INPUT_DEFAULTS, SERIES, SUMMARY, Result,
    months_label, owned_fleet, run, trend, yearly,
)

__all__ = [
    "EngineError", "irr_annual", "irr_defined", "npv", "CHIP_SPECS", "CHOICES", "DAYS", "HOURS",
    "INPUT_DEFAULTS", "SERIES", "SUMMARY", "Result", "months_label", "run", "trend", "yearly",
    "owned_fleet", "DEFAULT_SERVING_EFFICIENCY",
]
