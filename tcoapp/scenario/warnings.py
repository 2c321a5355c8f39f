"""Warnings about a scenario (MODEL.md section 2): problems that do not stop a calculation.

:func:`scenario_warnings` gives one plain sentence per warning; the CLI prints them on stderr,
the GUI beside the KPIs and the workbook on its Check sheet.

- API prices of 0 when the API deployment is used or compared.
- A catalog price or cloud rate that a calculation takes from the catalog and whose
  ``as_of`` is more than two years before the evaluation date (today).
- A chip without ``serving_efficiency`` whose serving throughput is estimated (the
  default efficiency 0.7 is used instead of a calibrated one).
"""

from __future__ import annotations

import datetime as _dt
from typing import Iterable

from tcoapp.engine.model import DEFAULT_SERVING_EFFICIENCY
from tcoapp.scenario.catalog import chips_for
from tcoapp.scenario.schema import Scenario

STALE_AFTER_YEARS = 2


def _years_before(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def scenario_warnings(scenario: Scenario, *, compared_deployments: Iterable[str] = (),
                      today: _dt.date | None = None) -> list[str]:
    """The warnings for a scenario, in a fixed order, without duplicates.

    Parameters
    ----------
    scenario : Scenario
    compared_deployments : iterable of str
        Deployments ("api", "cloud", "owned") evaluated besides the scenario's own
        (e.g. by ``compare deployments``).
    today : datetime.date, optional
        The evaluation date; default the system date.
    """
    today = today or _dt.date.today()
    inf = scenario.inference
    used = {inf.deployment, *compared_deployments}
    chips = chips_for(scenario)
    out: list[str] = []

    def add(text: str) -> None:
        if text not in out:
            out.append(text)

    if "api" in used:
        zero = [name for name in ("api_price_input", "api_price_output") if getattr(inf, name) == 0]
        if zero:
            how = "used" if inf.deployment == "api" else "compared"
            add(f"inference.{' and inference.'.join(zero)} = 0: the API deployment is {how} but its tokens "
                "cost nothing; enter the provider's prices (tcoapp-cli prices --kind api lists offers)")

    cutoff = _years_before(today, STALE_AFTER_YEARS)

    def check_age(role: str, chip_id: str, field: str, catalog_field: str) -> None:
        chip = chips.get(chip_id)
        if chip is None or getattr(getattr(scenario, role), field) is not None:
            return
        if getattr(chip, catalog_field) is None or not chip.as_of:
            return
        try:
            as_of = _dt.date.fromisoformat(chip.as_of[:10])
        except ValueError:
            return
        if as_of < cutoff:
            add(f"{role}.{field}: the catalog's {catalog_field} of {chip_id} is from {chip.as_of}, more than "
                f"{STALE_AFTER_YEARS} years before {today.isoformat()}; enter a current figure")

    training = scenario.training
    trains = (training.compute_flops or 0) > 0 or (training.tokens_trillion or 0) > 0
    if trains:
        if training.procurement == "owned":
            check_age("training", training.chip, "chip_price", "price_usd")
        else:
            check_age("training", training.chip, "cloud_rate", "cloud_usd_per_hour")
    if "owned" in used:
        check_age("inference", inf.chip, "chip_price", "price_usd")
    if "cloud" in used:
        check_age("inference", inf.chip, "cloud_rate", "cloud_usd_per_hour")

    if used & {"cloud", "owned"}:
        measured = inf.prefill_tokens_per_s_per_chip is not None and inf.decode_tokens_per_s_per_chip is not None
        serving = getattr(inf.efficiency, "serving", None)
        chip = chips.get(inf.chip)
        if not measured and serving is None and chip is not None and getattr(chip, "serving_efficiency", None) is None:
            add(f"inference.chip = {inf.chip}: no measured serving result calibrates this chip (serving_efficiency "
                f"is empty), so its throughput estimate uses {DEFAULT_SERVING_EFFICIENCY}; enter measured "
                "throughputs or inference.efficiency.serving")
    return out
