"""Shared inputs for the scenario tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

MINIMAL_SCENARIO: dict[str, Any] = {
    "format": "tcoapp-scenario",
    "schema_version": 1,
    "model": {"params_billion": 70},
    "inference": {"requests_per_day": 1_000_000},
}
"""The smallest valid scenario: only the required fields."""


@pytest.fixture
def minimal_data() -> dict[str, Any]:
    """A fresh copy of :data:`MINIMAL_SCENARIO`, free to modify."""
    return copy.deepcopy(MINIMAL_SCENARIO)


@pytest.fixture
def full_fixture() -> Path:
    """The current-version (2) file with every section and field, a custom chip and uncertainty."""
    return FIXTURES / "v2" / "full.tco"


@pytest.fixture
def v1_fixture() -> Path:
    """The version-1 file with every section, a custom chip and uncertainty (kept for good)."""
    return FIXTURES / "v1" / "full.tco"
