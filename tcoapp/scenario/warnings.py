"""Warnings about a scenario: things that do not stop a calculation but that a user must see.

The model (section 2) names three, shown wherever a result is (CLI on stderr, GUI beside the
KPIs, the workbook's Check sheet):

- API prices of 0 when the API deployment is used, or compared;
- a catalog price or rate older than two years, when the calculation uses it;
- a chip with no calibrated ``serving_efficiency`` when its throughput is estimated;

and one more of the app's own: traffic that starts only after the horizon (a launch month
past the last month), so the results hold no inference at all (not for a scenario with no
traffic, ``requests_per_day`` 0, which has nothing to launch).

>>> from tcoapp.scenario.files import scenario_from_dict
>>> s = scenario_from_dict({"format": "tcoapp-scenario", "schema_version": 2, "model": {"params_billion": 8},
...                         "inference": {"requests_per_day": 1000, "deployment": "api"}})
>>> [w.field for w in scenario_warnings(s)]
['inference.api_price_input']
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Iterable

from .catalog import chips_for

#: How old a catalog price or rate may be before it is flagged.
STALE_AFTER_YEARS = 2


@dataclass(frozen=True)
class ScenarioWarning:
    """One warning: the field a user can change to address it, and the message."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _as_of_date(text: str) -> _dt.date | None:
    """A catalog ``as_of`` (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) as a date, None if unreadable."""
    parts = (text or "").strip()[:10].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return _dt.date(year, month, day)
    except (ValueError, IndexError):
        return None


def _older_than(as_of: _dt.date, today: _dt.date, years: int) -> bool:
    try:
        limit = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - years, day=28)
    return as_of < limit


def scenario_warnings(scenario, *, compared_deployments: Iterable[str] = (),
                      today: _dt.date | None = None) -> list[ScenarioWarning]:
    """The warnings of a scenario (section 2), in a stable order.

    Parameters
    ----------
    scenario : Scenario
    compared_deployments : iterable of str
        Deployments a comparison also computes (e.g. ``("api", "cloud", "owned")``): an API
        among them with zero prices is warned about even when the scenario itself is not an API.
    today : date, optional
        The date prices are judged against; default today.
    """
    today = today or _dt.date.today()
    out: list[ScenarioWarning] = []
    inf = scenario.inference
    deployments = {inf.deployment, *compared_deployments}
    if "api" in deployments and inf.api_price_input == 0 and inf.api_price_output == 0:
        where = "the scenario is served through an API" if inf.deployment == "api" else "the API is compared"
        out.append(ScenarioWarning(
            "inference.api_price_input",
            f"API prices are 0 ({where}): tokens would be free. Set api_price_input and api_price_output, "
            "for example from the price book (tcoapp-cli prices --kind api)."))
    elif "api" in deployments and inf.api_price_output == 0:
        out.append(ScenarioWarning("inference.api_price_output",
                                   "the API output price is 0: generated tokens would be free"))
    chips = chips_for(scenario)
    for role, uses_catalog in _catalog_prices_used(scenario):
        chip_id = getattr(scenario, role).chip
        chip = chips.get(chip_id)
        if chip is None:
            continue
        for field, spec in uses_catalog:
            as_of = _as_of_date(chip.as_of)
            value = getattr(chip, spec)
            if value is not None and as_of is not None and _older_than(as_of, today, STALE_AFTER_YEARS):
                out.append(ScenarioWarning(
                    field, f"uses chip '{chip_id}''s catalog {spec} dated {chip.as_of}, more than "
                           f"{STALE_AFTER_YEARS} years old: enter a current price"))
    if inf.deployment in ("cloud", "owned") or {"cloud", "owned"} & set(compared_deployments):
        measured = inf.prefill_tokens_per_s_per_chip is not None and inf.decode_tokens_per_s_per_chip is not None
        chip = chips.get(inf.chip)
        if not measured and inf.efficiency.serving is None and chip is not None and chip.serving_efficiency is None:
            out.append(ScenarioWarning(
                "inference.efficiency.serving",
                f"chip '{inf.chip}' has no measured serving result to calibrate the throughput estimate: 0.7 "
                "of the estimate is assumed. Enter measured throughputs or a serving efficiency if you have them"))
    months = 12 * scenario.horizon_years
    launch = inf.launch_month
    derived = launch is None
    if derived:
        launch = scenario.training.start_month + scenario.training.duration_months
    if launch >= months and inf.requests_per_day > 0:  # no traffic at all: there is nothing to launch late
        how = ("training.start_month + training.duration_months, " if derived else "")
        out.append(ScenarioWarning(
            "training.duration_months" if derived else "inference.launch_month",
            f"traffic starts in month {launch} ({how}counted from 0), after the {months}-month horizon: "
            "the results hold no inference. Launch earlier or lengthen horizon_years"))
    return out


def _catalog_prices_used(scenario) -> list[tuple[str, list[tuple[str, str]]]]:
    """For each role, the (field, catalog spec) pairs whose catalog value the calculation uses."""
    used = []
    tr = scenario.training
    trains = (tr.compute_flops or 0) > 0 or (tr.compute_flops is None and tr.tokens_trillion > 0)
    if trains:
        if tr.procurement == "cloud" and tr.cloud_rate is None:
            used.append(("training", [("training.cloud_rate", "cloud_usd_per_hour")]))
        if tr.procurement == "owned" and tr.chip_price is None:
            used.append(("training", [("training.chip_price", "price_usd")]))
    inf = scenario.inference
    if inf.deployment == "cloud" and inf.cloud_rate is None:
        used.append(("inference", [("inference.cloud_rate", "cloud_usd_per_hour")]))
    if inf.deployment == "owned" and inf.chip_price is None:
        used.append(("inference", [("inference.chip_price", "price_usd")]))
    return used


__all__ = ["ScenarioWarning", "scenario_warnings", "STALE_AFTER_YEARS"]


def result_warnings(result, index: int = 0) -> list[ScenarioWarning]:
    """Figures of a computed result too large for double precision (shown as null in JSON and reports).

    Every input is bounded, so the series stay finite; a ratio can still overflow when its divisor
    is nearly zero (a cost per million tokens over 1e-300 tokens). Such a figure is reported as
    null with this warning rather than as a silent blank (methodology section 8).
    """
    import math

    import numpy as np

    out: list[ScenarioWarning] = []
    for key, values in result.summary.items():
        value = float(values[index])
        if math.isinf(value):
            out.append(ScenarioWarning(
                key, "is beyond the range of double precision (about 1.8e308; its divisor, such as the tokens or "
                     "requests served, is nearly zero): shown as null"))
    for key, values in result.series.items():
        row = values[index]
        if not np.isfinite(np.asarray(row, dtype=float)).all():
            out.append(ScenarioWarning(key, "has months beyond the range of double precision: shown as null"))
    return out
