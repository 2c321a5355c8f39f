"""Scenario variants for the export tests: together they reach every branch of MODEL.md."""

from __future__ import annotations

import copy

from tcoapp.scenario.files import scenario_from_dict

BASE = {
    "format": "tcoapp-scenario",
    "schema_version": 1,
    "name": "export test",
    "start_month": "2026-01",
    "horizon_years": 3,
    "model": {"params_billion": 8},
    "training": {"tokens_trillion": 0.5, "duration_months": 2, "fixed_cost": 100000},
    "inference": {"requests_per_day": 2000000, "annual_growth": 0.5, "deployment": "cloud", "ops_cost_per_month": 2000},
}

ACME = {
    "id": "acme-x1", "name": "Acme X1", "vendor": "Acme", "bf16_tflops": 500, "fp8_tflops": 1000, "fp4_tflops": None,
    "memory_gb": 96, "bandwidth_tbs": 3, "tdp_w": 600, "price_usd": 20000, "cloud_usd_per_hour": None,
    "source": "Acme datasheet (test)", "as_of": "2026-02-01",
}


def merge(base: dict, patch: dict) -> dict:
    """A deep copy of ``base`` with ``patch`` merged in (nested dicts merged, other values replaced)."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


OWNED = {"horizon_years": 5, "facility": {"colocation_per_kw_month": 150.0}, "model": {"params_billion": 70},
         "inference": {"deployment": "owned", "annual_growth": -0.2, "requests_per_day": 5000000}}

#: Scenario variants by id: every deployment and basis, owned training, refreshes (also overlapping),
#: a demand cap, revenue with and without an IRR, measured throughputs, given "derive it" fields, a
#: custom chip, the chips-per-replica boundary, banker's rounding of the hardware life, another currency.
VARIANTS: dict[str, dict] = {
    "cloud": {},
    "api": {"training": {"tokens_trillion": 0, "fixed_cost": 10000},
            "inference": {"deployment": "api", "api_price_input": 0.2, "api_price_output": 0.8}},
    "api_no_demand": {"inference": {"deployment": "api", "requests_per_day": 0, "ops_cost_per_month": 0}},
    "owned_cash_life_2625": merge(OWNED, {"facility": {"life_years": 2.625}, "finance": {"basis": "cash"}}),
    "owned_accrual_life_2375": merge(OWNED, {"facility": {"life_years": 2.375}, "finance": {"basis": "accrual"},
                                             "inference": {"annual_growth": 0.3}}),
    "owned_training": {"training": {"procurement": "owned", "tokens_trillion": 2, "experiment_overhead": 0.2,
                                    "refresh_every_months": 6, "refresh_duration_months": 2,
                                    "refresh_fixed_cost": 10000},
                       "facility": {"colocation_per_kw_month": 100.0}},
    "overlapping_refreshes": {"training": {"refresh_every_months": 2, "refresh_duration_months": 3,
                                           "refresh_compute_fraction": 0.3, "refresh_fixed_cost": 5000},
                              "inference": {"launch_month": 1}},
    "cap": {"inference": {"annual_growth": 2.0, "max_requests_per_day": 5000000}},
    "revenue_irr": merge(OWNED, {"inference": {"annual_growth": 0.4},
                                 "business": {"revenue_per_request": 0.0005, "revenue_change": -0.05}}),
    "revenue_irr_low": merge(OWNED, {"inference": {"annual_growth": 0.4},
                                     "business": {"revenue_per_request": 0.0004, "revenue_change": -0.05}}),
    "revenue_irr_high": merge(OWNED, {"inference": {"annual_growth": 0.4},
                                      "business": {"revenue_per_request": 0.004, "revenue_change": -0.05}}),
    # pays back in month 21, then a fleet purchase turns the cumulative net negative again: no IRR
    "revenue_irr_rule_fails": merge(OWNED, {"inference": {"annual_growth": 0.4},
                                            "business": {"revenue_per_request": 0.0008, "revenue_change": -0.05}}),
    "revenue_no_irr": {"business": {"revenue_per_request": 0.00001}},
    "measured_given": {"model": {"active_params_billion": 4},
                       "training": {"compute_flops": 1e22},
                       "inference": {"chips_per_replica": 4, "prefill_tokens_per_s_per_chip": 5000,
                                     "decode_tokens_per_s_per_chip": 800, "launch_month": 3,
                                     "max_requests_per_day": 1e6, "samples": 2, "reasoning_tokens": 500}},
    "custom_chip_owned": merge(OWNED, {"chips": [ACME], "inference": {"chip": "acme-x1", "precision": "fp8"},
                                       "finance": {"basis": "accrual"}}),
    "fit_boundary_56b": {"model": {"params_billion": 56}, "inference": {"precision": "fp8"}},
    "fit_boundary_56b_plus": {"model": {"params_billion": 56.000001}, "inference": {"precision": "fp8"}},
    "moe_fp4_owned": merge(OWNED, {"model": {"params_billion": 671, "active_params_billion": 37, "layers": 61},
                                   "training": {"compute_flops": 3e22},
                                   "inference": {"chip": "b200", "precision": "fp4", "annual_growth": 0.5}}),
    "eur_fx": merge(OWNED, {"currency": "EUR", "start_month": "2026-11",
                            "finance": {"usd_to_currency": 0.92, "discount_rate": 0.0},
                            "inference": {"annual_growth": 0.1}}),
    "formula_like_text": {"name": "=SUM(1,2)", "model": {"name": "+cmd|' /C calc'!A0"}},
    "long_owned_20y": merge(OWNED, {"horizon_years": 20, "inference": {"annual_growth": 0.15},
                                    "training": {"refresh_every_months": 12}}),
}


def variant(name: str):
    """The Scenario of a variant."""
    return scenario_from_dict(merge(BASE, VARIANTS[name]))
